//! The append-only audit log. Each entry holds who, when, what, and the hash of the entry before it,
//! so that changing or removing any entry breaks the chain from there on.

use crate::Result;
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
    pub prev_hash: String,
    pub hash: String,
}

/// The hash of an entry: SHA-256 over its fields and the previous hash, each on its own line.
pub fn entry_hash(prev_hash: &str, seq: i64, at: &str, actor: &str, action: &str, data: &str) -> String {
    let mut h = Sha256::new();
    for part in [prev_hash, &seq.to_string(), at, actor, action, data] {
        h.update(part.as_bytes());
        h.update(b"\n");
    }
    hex::encode(h.finalize())
}

const COLUMNS: &str = "seq, at, actor, action, data, prev_hash, hash";

fn entry(r: &rusqlite::Row<'_>) -> rusqlite::Result<Entry> {
    Ok(Entry {
        seq: r.get(0)?,
        at: r.get(1)?,
        actor: r.get(2)?,
        action: r.get(3)?,
        data: r.get(4)?,
        prev_hash: r.get(5)?,
        hash: r.get(6)?,
    })
}

/// Appends an entry inside the caller's transaction.
pub fn append(conn: &Connection, at: &str, actor: &str, action: &str, data: &str) -> Result<i64> {
    let last: Option<(i64, String)> = conn
        .query_row("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let (seq, prev) = match last {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS.to_owned()),
    };
    let hash = entry_hash(&prev, seq, at, actor, action, data);
    conn.execute(
        "INSERT INTO audit_log (seq, at, actor, action, data, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![seq, at, actor, action, data, prev, hash],
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

/// Recomputes the whole chain; `Ok(n)` with the number of entries, or the first bad entry.
pub fn verify(conn: &Connection) -> Result<std::result::Result<i64, Break>> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM audit_log ORDER BY seq"))?;
    let mut rows = stmt.query([])?;
    let mut expected_prev = GENESIS.to_owned();
    let mut expected_seq = 1;
    let mut count = 0;
    while let Some(r) = rows.next()? {
        let e = entry(r)?;
        if e.seq != expected_seq {
            return Ok(Err(Break { seq: expected_seq, reason: BreakReason::Gap }));
        }
        if e.prev_hash != expected_prev {
            return Ok(Err(Break { seq: e.seq, reason: BreakReason::ChainBroken }));
        }
        if entry_hash(&e.prev_hash, e.seq, &e.at, &e.actor, &e.action, &e.data) != e.hash {
            return Ok(Err(Break { seq: e.seq, reason: BreakReason::HashMismatch }));
        }
        expected_prev = e.hash;
        expected_seq += 1;
        count += 1;
    }
    Ok(Ok(count))
}

/// The most recent entries, newest first.
pub fn recent(conn: &Connection, limit: i64) -> Result<Vec<Entry>> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM audit_log ORDER BY seq DESC LIMIT ?1"))?;
    let rows = stmt.query_map([limit], entry)?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(Into::into)
}
