//! The append-only audit log. Each entry holds who, when, what, the digests of the rows the action
//! changed ([`crate::integrity`]), and the hash of the entry before it, so that changing or removing
//! any entry breaks the chain from there on.

use crate::Result;
use crate::integrity::{self, RowDigest};
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub data: String,
    /// The digests of the rows the action changed, as compact JSON (`[["ballots","[5]","<hex>"]]`,
    /// `null` for a deleted row); empty when it changed none (and in entries older than migration 4).
    pub rows: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash of an entry: SHA-256 over the previous hash and its fields, each on its own line. `rows`
/// takes a line only when it is not empty, so entries written before it existed keep their hash.
#[allow(clippy::too_many_arguments)]
pub fn entry_hash(
    prev_hash: &str,
    seq: i64,
    at: &str,
    actor: &str,
    action: &str,
    data: &str,
    rows: &str,
) -> String {
    let mut h = Sha256::new();
    let seq = seq.to_string();
    let parts = [prev_hash, &seq, at, actor, action, data, rows];
    let used = if rows.is_empty() { &parts[..6] } else { &parts[..] };
    for part in used {
        h.update(part.as_bytes());
        h.update(b"\n");
    }
    hex::encode(h.finalize())
}

const COLUMNS: &str = "seq, at, actor, action, data, rows, prev_hash, hash";

fn entry(r: &rusqlite::Row<'_>) -> rusqlite::Result<Entry> {
    Ok(Entry {
        seq: r.get(0)?,
        at: r.get(1)?,
        actor: r.get(2)?,
        action: r.get(3)?,
        data: r.get(4)?,
        rows: r.get(5)?,
        prev_hash: r.get(6)?,
        hash: r.get(7)?,
    })
}

/// Appends an entry inside the caller's transaction, with the digests of the rows the action changed
/// (from [`integrity::take_changes`]).
pub fn append(
    conn: &Connection,
    at: &str,
    actor: &str,
    action: &str,
    data: &str,
    rows: &[RowDigest],
) -> Result<i64> {
    let last: Option<(i64, String)> = conn
        .query_row("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let (seq, prev) = match last {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS.to_owned()),
    };
    let rows = integrity::encode_rows(rows);
    let hash = entry_hash(&prev, seq, at, actor, action, data, &rows);
    conn.execute(
        "INSERT INTO audit_log (seq, at, actor, action, data, rows, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![seq, at, actor, action, data, rows, prev, hash],
    )?;
    Ok(seq)
}

/// Where the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break {
    pub seq: i64,
    pub reason: BreakReason,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakReason {
    /// The entry's content does not give its hash: it was edited.
    HashMismatch,
    /// The entry does not point to the hash of the one before: an entry was removed or inserted.
    ChainBroken,
    /// A sequence number is missing.
    Gap,
}

/// What a walk over the whole chain found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replay {
    /// How many entries the log holds.
    pub entries: i64,
    /// The stored hash of the last entry, or [`GENESIS`] when the log is empty.
    pub head: String,
    /// The first place where the chain does not hold; entries from there on are not vouched for.
    pub broken: Option<Break>,
}

/// Walks the whole log in order, checking the chain, and hands every entry to `visit` with whether
/// the chain still holds up to and including it.
pub fn replay(conn: &Connection, mut visit: impl FnMut(&Entry, bool) -> Result<()>) -> Result<Replay> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM audit_log ORDER BY seq"))?;
    let mut rows = stmt.query([])?;
    let mut expected_prev = GENESIS.to_owned();
    let mut expected_seq = 1;
    let mut entries = 0;
    let mut head = GENESIS.to_owned();
    let mut broken = None;
    while let Some(r) = rows.next()? {
        let e = entry(r)?;
        if broken.is_none() {
            let reason = if e.seq != expected_seq {
                Some(Break { seq: expected_seq, reason: BreakReason::Gap })
            } else if e.prev_hash != expected_prev {
                Some(Break { seq: e.seq, reason: BreakReason::ChainBroken })
            } else if entry_hash(&e.prev_hash, e.seq, &e.at, &e.actor, &e.action, &e.data, &e.rows) != e.hash
            {
                Some(Break { seq: e.seq, reason: BreakReason::HashMismatch })
            } else {
                None
            };
            broken = reason;
        }
        visit(&e, broken.is_none())?;
        expected_prev = e.hash.clone();
        expected_seq += 1;
        entries += 1;
        head = e.hash;
    }
    Ok(Replay { entries, head, broken })
}

/// Recomputes the whole chain; `Ok(n)` with the number of entries, or the first bad entry.
pub fn verify(conn: &Connection) -> Result<std::result::Result<i64, Break>> {
    let replayed = replay(conn, |_, _| Ok(()))?;
    Ok(match replayed.broken {
        Some(b) => Err(b),
        None => Ok(replayed.entries),
    })
}

/// The most recent entries, newest first.
pub fn recent(conn: &Connection, limit: i64) -> Result<Vec<Entry>> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM audit_log ORDER BY seq DESC LIMIT ?1"))?;
    let rows = stmt.query_map([limit], entry)?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(Into::into)
}

/// Walks the log newest first, only the entries of `actor` and of `action` when given, handing each
/// to `visit` until it answers `false` (the audit page's filters; the round is matched by the caller,
/// which knows which stack and entry belong to which round).
pub fn newest_matching(
    conn: &Connection,
    actor: Option<&str>,
    action: Option<&str>,
    mut visit: impl FnMut(Entry) -> Result<bool>,
) -> Result<()> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM audit_log WHERE (?1 IS NULL OR actor = ?1) AND (?2 IS NULL OR action = ?2) ORDER BY seq DESC"
    ))?;
    let mut rows = stmt.query(params![actor, action])?;
    while let Some(r) = rows.next()? {
        if !visit(entry(r)?)? {
            break;
        }
    }
    Ok(())
}
