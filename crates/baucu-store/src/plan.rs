//! The personnel plan (phương án nhân sự, migration 8): the seats planned for each body, its
//! structure targets (each a minimum count; `sector` names a unit of the roster) and the persons
//! planned for it. Bodies and target kinds are `CHECK`ed in the schema and parsed by the application.

use crate::Result;
use rusqlite::{Connection, params};

/// The plan of one body as stored.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PlanBodyRow {
    pub body: String,
    pub seats: i64,
    pub entered_by: String,
    pub entered_at: String,
}

/// One structure target of a body: `kind` (`women`, `under_35`, `ethnic_minority`, `first_time`,
/// `sector`), the sector's name for `sector` (empty otherwise) and the minimum count.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PlanTargetRow {
    pub body: String,
    pub kind: String,
    pub sector: String,
    pub minimum: i64,
}

/// Replaces the plan of `row.body` (its targets and persons too) with the one given.
pub fn replace(
    conn: &Connection,
    row: &PlanBodyRow,
    targets: &[PlanTargetRow],
    persons: &[i64],
) -> Result<()> {
    remove(conn, &row.body)?;
    conn.execute(
        "INSERT INTO plan_bodies (body, seats, entered_by, entered_at) VALUES (?1, ?2, ?3, ?4)",
        params![row.body, row.seats, row.entered_by, row.entered_at],
    )?;
    for t in targets {
        conn.execute(
            "INSERT INTO plan_targets (body, kind, sector, minimum) VALUES (?1, ?2, ?3, ?4)",
            params![row.body, t.kind, t.sector, t.minimum],
        )?;
    }
    for p in persons {
        conn.execute("INSERT INTO plan_key_persons (body, person_id) VALUES (?1, ?2)", params![row.body, p])?;
    }
    Ok(())
}

/// Removes the plan of `body`; returns whether there was one.
pub fn remove(conn: &Connection, body: &str) -> Result<bool> {
    conn.execute("DELETE FROM plan_targets WHERE body = ?1", [body])?;
    conn.execute("DELETE FROM plan_key_persons WHERE body = ?1", [body])?;
    Ok(conn.execute("DELETE FROM plan_bodies WHERE body = ?1", [body])? > 0)
}

/// Every body planned, in the order entered.
pub fn bodies(conn: &Connection) -> Result<Vec<PlanBodyRow>> {
    let mut stmt =
        conn.prepare("SELECT body, seats, entered_by, entered_at FROM plan_bodies ORDER BY rowid")?;
    let rows = stmt.query_map([], |r| {
        Ok(PlanBodyRow { body: r.get(0)?, seats: r.get(1)?, entered_by: r.get(2)?, entered_at: r.get(3)? })
    })?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(Into::into)
}

/// The targets of `body`, in the order entered.
pub fn targets(conn: &Connection, body: &str) -> Result<Vec<PlanTargetRow>> {
    let mut stmt =
        conn.prepare("SELECT body, kind, sector, minimum FROM plan_targets WHERE body = ?1 ORDER BY id")?;
    let rows = stmt.query_map([body], |r| {
        Ok(PlanTargetRow { body: r.get(0)?, kind: r.get(1)?, sector: r.get(2)?, minimum: r.get(3)? })
    })?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(Into::into)
}

/// The persons planned for `body`, in the order entered.
pub fn persons(conn: &Connection, body: &str) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare("SELECT person_id FROM plan_key_persons WHERE body = ?1 ORDER BY id")?;
    let rows = stmt.query_map([body], |r| r.get(0))?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(Into::into)
}
