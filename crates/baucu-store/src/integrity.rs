//! Tamper evidence for the data itself, not only for the audit log.
//!
//! Every audit entry carries the digest of every row its action inserted or updated, and a tombstone
//! for every row it deleted, each named by its table and its primary key (a JSON array:
//! `[12]`, `[3,45]`, `["assembly:congress"]`). Replaying the chain gives the latest digest of every
//! row the node ever wrote; [`verify`] then compares it with what the file holds, so that a row edited,
//! added or deleted behind the node's back is named by table and key.
//!
//! * **Covered tables**: every table of the main schema except [`UNCOVERED`] and SQLite's own
//!   (`sqlite_%`), discovered from `sqlite_master` at run time, so that the tables of later migrations
//!   are covered without a list to keep up to date. Keys are the declared primary key in `pk` order;
//!   a table without one (none in the schema; a test checks) is keyed by `rowid`.
//! * **Capture**: on the writer connection only, [`install_capture`] creates the TEMP table
//!   `changed_rows` and TEMP triggers that note the key of every row inserted, updated (old and new key)
//!   or deleted. [`take_changes`] reads and clears it and digests the rows as they are now. The TEMP
//!   table is in the same transaction as the action, so a rolled-back action leaves no key behind.
//! * **Digest**: SHA-256 over the row's values in column order, each as a type tag and its bytes:
//!   `n` for NULL; `i` and the 8 bytes big-endian of an integer; `r` and the 8 bytes big-endian of a
//!   real's IEEE-754 bits; `t` or `b`, the length as 8 bytes big-endian, and the bytes of a text or a
//!   blob.

use crate::{Result, audit};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};

/// The tables that are not congress data: the log itself, and login sessions (short-lived, created
/// and removed by logins; the login and logout themselves are in the log).
pub const UNCOVERED: [&str; 2] = ["audit_log", "sessions"];

/// The action of the entry that records rows the chain does not describe yet (the data already there
/// when migration 4 brought row digests, or rows a later migration reshaped).
pub const BASELINE_ACTION: &str = "integrity.baseline";

/// The actor of the baseline entry: the node itself, as `Actor::system()` names it.
pub const SYSTEM_ACTOR: &str = "hệ thống";

/// How many problems a report lists; the rest are only counted.
pub const MAX_PROBLEMS: usize = 50;

/// One row as an audit entry records it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct RowDigest {
    pub table: String,
    /// The primary key values as a JSON array text, e.g. `[12]` or `[3,45]`.
    pub key: String,
    /// The row's digest (hex), or `None` when the row was deleted.
    pub digest: Option<String>,
}

/// A covered table: its name, its columns in order, and its primary key columns in key order (empty
/// when it has none and is keyed by `rowid`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub name: String,
    pub columns: Vec<String>,
    pub key: Vec<String>,
}

fn quote(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// Whether `name` is a table whose rows the chain covers.
pub fn is_covered(name: &str) -> bool {
    !UNCOVERED.contains(&name) && !name.starts_with("sqlite_")
}

/// The covered tables of the main schema, by name.
pub fn covered_tables(conn: &Connection) -> Result<Vec<Table>> {
    let mut stmt = conn.prepare("SELECT name FROM main.sqlite_master WHERE type = 'table' ORDER BY name")?;
    let names = stmt.query_map([], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
    let mut tables = Vec::new();
    for name in names.into_iter().filter(|n| is_covered(n)) {
        if let Some(t) = table(conn, &name)? {
            tables.push(t);
        }
    }
    Ok(tables)
}

/// One covered table's shape, or `None` when there is no such covered table.
pub fn table(conn: &Connection, name: &str) -> Result<Option<Table>> {
    if !is_covered(name) {
        return Ok(None);
    }
    let mut stmt = conn.prepare_cached("SELECT name, pk FROM pragma_table_info(?1, 'main') ORDER BY cid")?;
    let info = stmt
        .query_map([name], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    if info.is_empty() {
        return Ok(None);
    }
    let mut key: Vec<(i64, String)> =
        info.iter().filter(|(_, pk)| *pk > 0).map(|(c, pk)| (*pk, c.clone())).collect();
    key.sort();
    Ok(Some(Table {
        name: name.to_owned(),
        columns: info.into_iter().map(|(c, _)| c).collect(),
        key: key.into_iter().map(|(_, c)| c).collect(),
    }))
}

/// The SQL expression of a row's key (`prefix` is `NEW.`, `OLD.` or empty): `json_array` of the key
/// columns. A BLOB (never written by the node) cannot go into JSON; it is named by its hex instead.
fn key_expression(table: &Table, prefix: &str) -> String {
    let parts: Vec<String> = if table.key.is_empty() {
        vec![format!("{prefix}rowid")]
    } else {
        table
            .key
            .iter()
            .map(|c| {
                let c = format!("{prefix}{}", quote(c));
                format!("CASE WHEN typeof({c}) = 'blob' THEN 'blob:' || hex({c}) ELSE {c} END")
            })
            .collect()
    };
    format!("json_array({})", parts.join(", "))
}

/// `SELECT <key>, <columns> FROM <table>`.
fn select_rows(table: &Table) -> String {
    let columns: Vec<String> = table.columns.iter().map(|c| quote(c)).collect();
    format!("SELECT {}, {} FROM main.{}", key_expression(table, ""), columns.join(", "), quote(&table.name))
}

/// The digest of the row whose columns start at `first` in `row` (see the module's documentation).
fn digest(row: &rusqlite::Row<'_>, first: usize, count: usize) -> Result<String> {
    let mut h = Sha256::new();
    for i in first..first + count {
        match row.get_ref(i)? {
            ValueRef::Null => h.update(b"n"),
            ValueRef::Integer(v) => {
                h.update(b"i");
                h.update(v.to_be_bytes());
            }
            ValueRef::Real(v) => {
                h.update(b"r");
                h.update(v.to_bits().to_be_bytes());
            }
            ValueRef::Text(bytes) => {
                h.update(b"t");
                h.update((bytes.len() as u64).to_be_bytes());
                h.update(bytes);
            }
            ValueRef::Blob(bytes) => {
                h.update(b"b");
                h.update((bytes.len() as u64).to_be_bytes());
                h.update(bytes);
            }
        }
    }
    Ok(hex::encode(h.finalize()))
}

/// Creates, on the writer connection, the TEMP table `changed_rows` and the TEMP triggers that fill
/// it for every covered table. Call after the migrations. Also turns on `recursive_triggers`, without
/// which a row that `INSERT OR REPLACE` removes for a UNIQUE conflict would fire no delete trigger.
pub fn install_capture(conn: &Connection) -> Result<()> {
    conn.pragma_update(None, "recursive_triggers", "ON")?;
    let mut sql = String::from(
        // No uniqueness here: inside a trigger, `INSERT OR IGNORE` takes the conflict clause of the
        // statement that fired it, and an UPSERT (`ON CONFLICT DO UPDATE`) would turn a repeated key
        // into an error. Keys are made distinct when they are taken.
        "CREATE TEMP TABLE IF NOT EXISTS changed_rows (tbl TEXT, key TEXT);\n",
    );
    for table in covered_tables(conn)? {
        let (name, on) = (literal(&table.name), quote(&table.name));
        let (new, old) = (key_expression(&table, "NEW."), key_expression(&table, "OLD."));
        let trigger = |kind: &str| quote(&format!("integrity_{kind}_{}", table.name));
        sql.push_str(&format!(
            "CREATE TEMP TRIGGER IF NOT EXISTS {} AFTER INSERT ON main.{on} BEGIN
               INSERT INTO changed_rows (tbl, key) VALUES ({name}, {new}); END;
             CREATE TEMP TRIGGER IF NOT EXISTS {} AFTER UPDATE ON main.{on} BEGIN
               INSERT INTO changed_rows (tbl, key) VALUES ({name}, {old});
               INSERT INTO changed_rows (tbl, key) VALUES ({name}, {new}); END;
             CREATE TEMP TRIGGER IF NOT EXISTS {} AFTER DELETE ON main.{on} BEGIN
               INSERT INTO changed_rows (tbl, key) VALUES ({name}, {old}); END;\n",
            trigger("insert"),
            trigger("update"),
            trigger("delete"),
        ));
    }
    conn.execute_batch(&sql)?;
    Ok(())
}

/// The rows changed since the last call, as the audit entry records them: the digest of each row as it
/// is now, or a tombstone when it is gone; sorted by table and key. Clears `changed_rows`.
pub fn take_changes(conn: &Connection) -> Result<Vec<RowDigest>> {
    let keys: Vec<(String, String)> = {
        let mut stmt =
            conn.prepare_cached("SELECT DISTINCT tbl, key FROM temp.changed_rows ORDER BY tbl, key")?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?
    };
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    conn.execute("DELETE FROM temp.changed_rows", [])?;
    let mut tables: BTreeMap<String, Option<(Table, String)>> = BTreeMap::new();
    let mut out = Vec::with_capacity(keys.len());
    for (name, key) in keys {
        if !tables.contains_key(&name) {
            let found = table(conn, &name)?.map(|t| {
                let condition: Vec<String> = if t.key.is_empty() {
                    vec!["rowid = json_extract(?1, '$[0]')".to_owned()]
                } else {
                    t.key
                        .iter()
                        .enumerate()
                        .map(|(i, c)| format!("{} = json_extract(?1, '$[{i}]')", quote(c)))
                        .collect()
                };
                let sql = format!("{} WHERE {}", select_rows(&t), condition.join(" AND "));
                (t, sql)
            });
            tables.insert(name.clone(), found);
        }
        let digest = match &tables[&name] {
            Some((t, sql)) => {
                let mut stmt = conn.prepare_cached(sql)?;
                stmt.query_row([&key], |r| Ok(digest(r, 1, t.columns.len()))).optional()?.transpose()?
            }
            // The table itself is gone.
            None => None,
        };
        out.push(RowDigest { table: name, key, digest });
    }
    Ok(out)
}

/// The `rows` column of an audit entry: compact JSON, or empty for no rows.
pub fn encode_rows(rows: &[RowDigest]) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let triples: Vec<(&str, &str, Option<&str>)> =
        rows.iter().map(|r| (r.table.as_str(), r.key.as_str(), r.digest.as_deref())).collect();
    serde_json::to_string(&triples).unwrap_or_default()
}

/// The rows of an audit entry's `rows` column; `None` when it is not what [`encode_rows`] writes.
pub fn decode_rows(text: &str) -> Option<Vec<RowDigest>> {
    if text.is_empty() {
        return Some(Vec::new());
    }
    let triples: Vec<(String, String, Option<String>)> = serde_json::from_str(text).ok()?;
    Some(triples.into_iter().map(|(table, key, digest)| RowDigest { table, key, digest }).collect())
}

/// One thing [`verify`] found wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The chain of the log breaks here (the first place only).
    Chain(audit::Break),
    /// This entry's `rows` cannot be read.
    UnreadableRows { seq: i64 },
    /// A row the log never recorded (or recorded as deleted): added behind the node's back.
    Added { table: String, key: String },
    /// A row whose content differs from its last recorded digest: edited behind the node's back.
    Edited { table: String, key: String },
    /// A row the log records as present that is not in the file: deleted behind the node's back.
    Deleted { table: String, key: String },
}

/// Where an expected chain head (`--expect-head`) is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    /// It is the hash of entry `seq` of the valid chain; `following` entries come after it.
    Found { seq: i64, following: i64 },
    /// No entry of the valid chain has this hash: the log was cut short or rewritten.
    Missing,
}

/// What [`verify`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// How many entries the log holds.
    pub entries: i64,
    /// The hash of the last entry (hex), or [`audit::GENESIS`] when the log is empty.
    pub head: String,
    /// The first [`MAX_PROBLEMS`] problems: the chain's break first, then the rows by table.
    pub problems: Vec<Problem>,
    /// How many problems there are in all.
    pub total_problems: usize,
    /// Where the expected head is, when one was given.
    pub anchor: Option<Anchor>,
}

impl Report {
    /// Nothing wrong, and the expected head (if any) found.
    pub fn intact(&self) -> bool {
        self.total_problems == 0 && self.anchor != Some(Anchor::Missing)
    }
}

/// The latest recorded digest of every row, from the whole chain.
type Recorded = BTreeMap<(String, String), Option<String>>;

/// How a row differs from what the chain records.
enum Difference {
    Added,
    Edited,
    Deleted,
}

/// Compares every covered table with `recorded`: each row that differs, with its digest now (`None`
/// when deleted). Ordered by table, then rows in key order, then deleted keys.
fn differences(conn: &Connection, recorded: &Recorded) -> Result<Vec<(Difference, RowDigest)>> {
    let tables = covered_tables(conn)?;
    let mut out = Vec::new();
    let mut seen_tables = BTreeSet::new();
    for t in &tables {
        seen_tables.insert(t.name.clone());
        let order = if t.key.is_empty() {
            "rowid".to_owned()
        } else {
            t.key.iter().map(|c| quote(c)).collect::<Vec<_>>().join(", ")
        };
        let mut stmt = conn.prepare(&format!("{} ORDER BY {order}", select_rows(t)))?;
        let mut rows = stmt.query([])?;
        let mut present = BTreeSet::new();
        while let Some(r) = rows.next()? {
            let key: String = r.get(0)?;
            let now = digest(r, 1, t.columns.len())?;
            let kind = match recorded.get(&(t.name.clone(), key.clone())) {
                None | Some(None) => Some(Difference::Added),
                Some(Some(d)) if *d != now => Some(Difference::Edited),
                Some(Some(_)) => None,
            };
            if let Some(kind) = kind {
                out.push((kind, RowDigest { table: t.name.clone(), key: key.clone(), digest: Some(now) }));
            }
            present.insert(key);
        }
        let range = recorded.range((t.name.clone(), String::new())..);
        for ((table, key), d) in range.take_while(|((table, _), _)| *table == t.name) {
            if d.is_some() && !present.contains(key) {
                out.push((
                    Difference::Deleted,
                    RowDigest { table: table.clone(), key: key.clone(), digest: None },
                ));
            }
        }
    }
    // Rows of tables that are gone altogether.
    for ((table, key), d) in recorded {
        if d.is_some() && !seen_tables.contains(table) && is_covered(table) {
            out.push((
                Difference::Deleted,
                RowDigest { table: table.clone(), key: key.clone(), digest: None },
            ));
        }
    }
    Ok(out)
}

/// What the whole log says.
struct Replayed {
    chain: audit::Replay,
    /// The latest digest of every row, from every entry (valid or not: a break is reported anyway).
    recorded: Recorded,
    /// Entries whose `rows` cannot be read.
    unreadable: Vec<i64>,
    /// The seq of each entry of the valid chain, by hash (only when asked for).
    valid: BTreeMap<String, i64>,
}

fn replay(conn: &Connection, with_hashes: bool) -> Result<Replayed> {
    let mut recorded = Recorded::new();
    let mut unreadable = Vec::new();
    let mut valid = BTreeMap::new();
    let chain = audit::replay(conn, |entry, chain_holds| {
        match decode_rows(&entry.rows) {
            Some(rows) => {
                for r in rows {
                    recorded.insert((r.table, r.key), r.digest);
                }
            }
            None => unreadable.push(entry.seq),
        }
        if with_hashes && chain_holds {
            valid.insert(entry.hash.clone(), entry.seq);
        }
        Ok(())
    })?;
    Ok(Replayed { chain, recorded, unreadable, valid })
}

/// Checks the log and the data: replays the chain ([`audit::verify`]'s checks), then compares every
/// covered table with the digests the chain records. With `expect_head` (a head written down
/// earlier), also says whether that head is an entry of the valid chain.
pub fn verify(conn: &Connection, expect_head: Option<&str>) -> Result<Report> {
    let Replayed { chain, recorded, unreadable, valid } = replay(conn, expect_head.is_some())?;
    let mut problems: Vec<Problem> = chain.broken.clone().map(Problem::Chain).into_iter().collect();
    problems.extend(unreadable.into_iter().map(|seq| Problem::UnreadableRows { seq }));
    for (kind, row) in differences(conn, &recorded)? {
        let (table, key) = (row.table, row.key);
        problems.push(match kind {
            Difference::Added => Problem::Added { table, key },
            Difference::Edited => Problem::Edited { table, key },
            Difference::Deleted => Problem::Deleted { table, key },
        });
    }
    let total_problems = problems.len();
    problems.truncate(MAX_PROBLEMS);
    let anchor = expect_head.map(|head| match valid.get(&head.to_ascii_lowercase()) {
        Some(&seq) => Anchor::Found { seq, following: chain.entries - seq },
        None => Anchor::Missing,
    });
    Ok(Report { entries: chain.entries, head: chain.head, problems, total_problems, anchor })
}

/// Appends one [`BASELINE_ACTION`] entry recording every row whose digest the chain does not hold
/// (and a tombstone for every recorded row that is gone), inside the caller's transaction. Run by the
/// migrations: the first time (migration 4) it records all the data already there; after a later
/// migration, the rows it reshaped. Returns the entry's seq, or `None` when there was nothing to record.
///
/// A baseline vouches for the data as it is when the migration runs: verify a node's data before
/// upgrading it. It does not mend a broken chain, which [`verify`] keeps reporting.
pub fn baseline(conn: &Connection, at: &str, schema_version: usize) -> Result<Option<i64>> {
    let recorded = replay(conn, false)?.recorded;
    let mut rows: Vec<RowDigest> = differences(conn, &recorded)?.into_iter().map(|(_, r)| r).collect();
    if rows.is_empty() {
        return Ok(None);
    }
    rows.sort();
    let data = serde_json::json!({ "schema_version": schema_version, "rows": rows.len() }).to_string();
    audit::append(conn, at, SYSTEM_ACTOR, BASELINE_ACTION, &data, &rows).map(Some)
}
