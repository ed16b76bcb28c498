//! The tree of units and the node keys registered to them (`units`, `unit_keys`).

use super::db::{Row, Tx, Value};
use crate::Result;

/// One unit of the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitRow {
    pub code: String,
    pub parent_code: Option<String>,
    pub name: String,
    /// `province`, `district`, `grassroots` or `cell`.
    pub level: String,
    /// The codes from the root joined by `/`, with a trailing `/`.
    pub path: String,
    pub depth: i64,
    pub position: i64,
}

const UNIT_COLUMNS: &str = "code, parent_code, name, level, path, depth, position";

fn unit(r: &Row) -> Result<UnitRow> {
    Ok(UnitRow {
        code: r.text(0)?,
        parent_code: r.opt_text(1)?,
        name: r.text(2)?,
        level: r.text(3)?,
        path: r.text(4)?,
        depth: r.int(5)?,
        position: r.int(6)?,
    })
}

/// Every unit, in tree order (by path).
pub fn all(tx: &mut Tx<'_>) -> Result<Vec<UnitRow>> {
    tx.query(&format!("SELECT {UNIT_COLUMNS} FROM units ORDER BY path"), &[])?.iter().map(unit).collect()
}

pub fn get(tx: &mut Tx<'_>, code: &str) -> Result<Option<UnitRow>> {
    tx.query_opt(&format!("SELECT {UNIT_COLUMNS} FROM units WHERE code = $1"), &[code.into()])?
        .as_ref()
        .map(unit)
        .transpose()
}

/// The number of units.
pub fn count(tx: &mut Tx<'_>) -> Result<i64> {
    tx.query_one("SELECT COUNT(*) FROM units", &[])?.int(0)
}

/// Inserts the units or updates them by code. Parents must come before their children.
pub fn upsert(tx: &mut Tx<'_>, units: &[UnitRow]) -> Result<()> {
    for u in units {
        tx.execute(
            &format!(
                "INSERT INTO units ({UNIT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (code) DO UPDATE SET parent_code = $2, name = $3, level = $4, path = $5, \
                 depth = $6, position = $7"
            ),
            &[
                u.code.as_str().into(),
                u.parent_code.as_deref().into(),
                u.name.as_str().into(),
                u.level.as_str().into(),
                u.path.as_str().into(),
                u.depth.into(),
                u.position.into(),
            ],
        )?;
    }
    Ok(())
}

/// A node key registered to a unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRow {
    /// The canonical fingerprint (eight groups of four hex digits, `3F2A-9C1B-…`).
    pub fingerprint: String,
    pub unit_code: String,
    pub registered_at: i64,
    pub revoked_at: Option<i64>,
}

fn key_row(r: &Row) -> Result<KeyRow> {
    Ok(KeyRow {
        fingerprint: r.text(0)?,
        unit_code: r.text(1)?,
        registered_at: r.int(2)?,
        revoked_at: r.opt_int(3)?,
    })
}

/// Every registered key.
pub fn keys(tx: &mut Tx<'_>) -> Result<Vec<KeyRow>> {
    tx.query(
        "SELECT fingerprint, unit_code, registered_at, revoked_at FROM unit_keys ORDER BY fingerprint",
        &[],
    )?
    .iter()
    .map(key_row)
    .collect()
}

pub fn key(tx: &mut Tx<'_>, fingerprint: &str) -> Result<Option<KeyRow>> {
    tx.query_opt(
        "SELECT fingerprint, unit_code, registered_at, revoked_at FROM unit_keys WHERE fingerprint = $1",
        &[fingerprint.into()],
    )?
    .as_ref()
    .map(key_row)
    .transpose()
}

/// The keys of one unit.
pub fn keys_of(tx: &mut Tx<'_>, unit_code: &str) -> Result<Vec<KeyRow>> {
    tx.query(
        "SELECT fingerprint, unit_code, registered_at, revoked_at FROM unit_keys WHERE unit_code = $1 \
         ORDER BY registered_at, fingerprint",
        &[unit_code.into()],
    )?
    .iter()
    .map(key_row)
    .collect()
}

/// Registers `fingerprint` to `unit_code`; `false` when it was already registered (to any unit: the
/// caller checks whose it is first).
pub fn register_key(tx: &mut Tx<'_>, fingerprint: &str, unit_code: &str, at: i64) -> Result<bool> {
    let n = tx.execute(
        "INSERT INTO unit_keys (fingerprint, unit_code, registered_at, revoked_at) VALUES ($1, $2, $3, NULL) \
         ON CONFLICT (fingerprint) DO NOTHING",
        &[fingerprint.into(), unit_code.into(), Value::Int(at)],
    )?;
    Ok(n == 1)
}

/// Revokes a registered key as of `at`: packages it signs are refused from then on. `false` when the
/// key is not registered or was already revoked.
pub fn revoke_key(tx: &mut Tx<'_>, fingerprint: &str, at: i64) -> Result<bool> {
    let n = tx.execute(
        "UPDATE unit_keys SET revoked_at = $2 WHERE fingerprint = $1 AND revoked_at IS NULL",
        &[fingerprint.into(), Value::Int(at)],
    )?;
    Ok(n == 1)
}
