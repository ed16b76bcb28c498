//! The aggregator's append-only audit log, hash-chained as on the node: each entry's hash is SHA-256
//! over the previous entry's hash and its own fields, each followed by a newline
//! (`prev_hash \n seq \n at \n actor \n action \n detail \n`), so changing, inserting or removing an
//! entry breaks the chain from there on.

use super::db::{Tx, Value};
use crate::Result;
use sha2::{Digest, Sha256};

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// How many entries a walk over the chain reads at a time.
const PAGE: i64 = 5_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub seq: i64,
    /// Unix seconds.
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash of an entry.
pub fn entry_hash(prev_hash: &str, seq: i64, at: i64, actor: &str, action: &str, detail: &str) -> String {
    let mut h = Sha256::new();
    let seq = seq.to_string();
    let at = at.to_string();
    for part in [prev_hash, &seq, &at, actor, action, detail] {
        h.update(part.as_bytes());
        h.update(b"\n");
    }
    hex::encode(h.finalize())
}

/// Appends an entry inside the caller's transaction and returns its sequence number.
pub fn append(tx: &mut Tx<'_>, at: i64, actor: &str, action: &str, detail: &str) -> Result<i64> {
    let last = tx.query_opt("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", &[])?;
    let (seq, prev) = match last {
        Some(r) => (r.int(0)? + 1, r.text(1)?),
        None => (1, GENESIS.to_owned()),
    };
    let hash = entry_hash(&prev, seq, at, actor, action, detail);
    tx.execute(
        "INSERT INTO audit (seq, at, actor, action, detail, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            Value::from(seq),
            Value::from(at),
            Value::from(actor),
            Value::from(action),
            Value::from(detail),
            Value::from(prev),
            Value::from(hash),
        ],
    )?;
    Ok(seq)
}

/// Where the chain breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
pub struct Walk {
    pub entries: i64,
    /// The stored hash of the last entry, or [`GENESIS`] when the log is empty.
    pub head: String,
    /// The first place where the chain does not hold.
    pub broken: Option<Break>,
}

fn entry(r: &super::db::Row) -> Result<Entry> {
    Ok(Entry {
        seq: r.int(0)?,
        at: r.int(1)?,
        actor: r.text(2)?,
        action: r.text(3)?,
        detail: r.text(4)?,
        prev_hash: r.text(5)?,
        hash: r.text(6)?,
    })
}

/// Walks the whole log in order, a page at a time, checking the chain.
pub fn walk(tx: &mut Tx<'_>) -> Result<Walk> {
    let mut expected_prev = GENESIS.to_owned();
    let mut expected_seq = 1;
    let mut entries = 0;
    let mut head = GENESIS.to_owned();
    let mut broken = None;
    let mut after = 0i64;
    loop {
        let rows = tx.query(
            "SELECT seq, at, actor, action, detail, prev_hash, hash FROM audit WHERE seq > $1 ORDER BY seq LIMIT $2",
            &[Value::from(after), Value::from(PAGE)],
        )?;
        if rows.is_empty() {
            break;
        }
        for r in &rows {
            let e = entry(r)?;
            if broken.is_none() {
                broken = if e.seq != expected_seq {
                    Some(Break { seq: expected_seq, reason: BreakReason::Gap })
                } else if e.prev_hash != expected_prev {
                    Some(Break { seq: e.seq, reason: BreakReason::ChainBroken })
                } else if entry_hash(&e.prev_hash, e.seq, e.at, &e.actor, &e.action, &e.detail) != e.hash {
                    Some(Break { seq: e.seq, reason: BreakReason::HashMismatch })
                } else {
                    None
                };
            }
            expected_prev = e.hash.clone();
            expected_seq = e.seq + 1;
            after = e.seq;
            entries += 1;
            head = e.hash;
        }
    }
    Ok(Walk { entries, head, broken })
}

/// The latest entries, newest first, at most `limit`.
pub fn latest(tx: &mut Tx<'_>, limit: i64) -> Result<Vec<Entry>> {
    let rows = tx.query(
        "SELECT seq, at, actor, action, detail, prev_hash, hash FROM audit ORDER BY seq DESC LIMIT $1",
        &[Value::from(limit)],
    )?;
    rows.iter().map(entry).collect()
}

/// Whether some entry has this hash (a head written down earlier must still be in the chain).
pub fn contains_hash(tx: &mut Tx<'_>, hash: &str) -> Result<bool> {
    Ok(tx.query_opt("SELECT seq FROM audit WHERE hash = $1", &[Value::from(hash)])?.is_some())
}
