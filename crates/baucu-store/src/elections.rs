//! Elections, their lists (candidates) and who was elected.

use crate::Result;
use rusqlite::{Connection, OptionalExtension, params};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ElectionRow {
    pub id: i64,
    pub body: String,
    pub seats: i64,
    pub alternate_seats: i64,
    pub assembly_kind: String,
    pub parent_election_id: Option<i64>,
    pub position: i64,
    /// The show-of-hands vote on the number to elect.
    pub seats_for: Option<i64>,
    pub seats_against: Option<i64>,
    pub list_status: String,
    /// The show-of-hands vote approving the list.
    pub approve_for: Option<i64>,
    pub approve_against: Option<i64>,
    /// How many were present at the opinion poll.
    pub poll_present: Option<i64>,
    pub manual_order: bool,
    pub created_at: String,
}

const COLUMNS: &str =
    "id, body, seats, alternate_seats, assembly_kind, parent_election_id, position, seats_for,
    seats_against, list_status, approve_for, approve_against, poll_present, manual_order, created_at";

fn election(r: &rusqlite::Row<'_>) -> rusqlite::Result<ElectionRow> {
    Ok(ElectionRow {
        id: r.get(0)?,
        body: r.get(1)?,
        seats: r.get(2)?,
        alternate_seats: r.get(3)?,
        assembly_kind: r.get(4)?,
        parent_election_id: r.get(5)?,
        position: r.get(6)?,
        seats_for: r.get(7)?,
        seats_against: r.get(8)?,
        list_status: r.get(9)?,
        approve_for: r.get(10)?,
        approve_against: r.get(11)?,
        poll_present: r.get(12)?,
        manual_order: r.get(13)?,
        created_at: r.get(14)?,
    })
}

pub fn insert(conn: &Connection, e: &ElectionRow) -> Result<i64> {
    let position: i64 =
        conn.query_row("SELECT coalesce(max(position), 0) + 1 FROM elections", [], |r| r.get(0))?;
    conn.execute(
        "INSERT INTO elections (body, seats, alternate_seats, assembly_kind, parent_election_id, position, seats_for,
           seats_against, list_status, manual_order, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'draft', 0, ?9)",
        params![
            e.body,
            e.seats,
            e.alternate_seats,
            e.assembly_kind,
            e.parent_election_id,
            position,
            e.seats_for,
            e.seats_against,
            e.created_at
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

pub fn update(conn: &Connection, e: &ElectionRow) -> Result<()> {
    conn.execute(
        "UPDATE elections SET seats = ?2, alternate_seats = ?3, seats_for = ?4, seats_against = ?5, list_status = ?6,
           approve_for = ?7, approve_against = ?8, poll_present = ?9, manual_order = ?10
         WHERE id = ?1",
        params![
            e.id,
            e.seats,
            e.alternate_seats,
            e.seats_for,
            e.seats_against,
            e.list_status,
            e.approve_for,
            e.approve_against,
            e.poll_present,
            e.manual_order
        ],
    )?;
    Ok(())
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<ElectionRow>> {
    conn.query_row(&format!("SELECT {COLUMNS} FROM elections WHERE id = ?1"), [id], election)
        .optional()
        .map_err(Into::into)
}

pub fn all(conn: &Connection) -> Result<Vec<ElectionRow>> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM elections ORDER BY position"))?;
    let rows = stmt.query_map([], election)?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(Into::into)
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CandidateRow {
    pub id: i64,
    pub election_id: i64,
    pub person_id: i64,
    pub full_name: String,
    pub source: String,
    pub status: String,
    pub poll_agree: Option<i64>,
    pub ballot_position: Option<i64>,
    pub entry_order: i64,
}

pub fn insert_candidate(
    conn: &Connection,
    election_id: i64,
    person_id: i64,
    source: &str,
    status: &str,
) -> Result<i64> {
    let order: i64 = conn.query_row(
        "SELECT coalesce(max(entry_order), 0) + 1 FROM candidates WHERE election_id = ?1",
        [election_id],
        |r| r.get(0),
    )?;
    conn.execute(
        "INSERT INTO candidates (election_id, person_id, source, status, entry_order) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![election_id, person_id, source, status, order],
    )?;
    Ok(conn.last_insert_rowid())
}

pub fn candidates(conn: &Connection, election_id: i64) -> Result<Vec<CandidateRow>> {
    let mut stmt = conn.prepare(
        "SELECT c.id, c.election_id, c.person_id, p.full_name, c.source, c.status, c.poll_agree, c.ballot_position, c.entry_order
         FROM candidates c JOIN persons p ON p.id = c.person_id
         WHERE c.election_id = ?1 ORDER BY c.entry_order",
    )?;
    let rows = stmt.query_map([election_id], |r| {
        Ok(CandidateRow {
            id: r.get(0)?,
            election_id: r.get(1)?,
            person_id: r.get(2)?,
            full_name: r.get(3)?,
            source: r.get(4)?,
            status: r.get(5)?,
            poll_agree: r.get(6)?,
            ballot_position: r.get(7)?,
            entry_order: r.get(8)?,
        })
    })?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(Into::into)
}

pub fn update_candidate(conn: &Connection, c: &CandidateRow) -> Result<()> {
    conn.execute(
        "UPDATE candidates SET status = ?2, poll_agree = ?3, ballot_position = ?4 WHERE id = ?1",
        params![c.id, c.status, c.poll_agree, c.ballot_position],
    )?;
    Ok(())
}

/// Puts a name taken off the list back on it as a new proposal: its source and status anew, no poll
/// count and no place on the ballot yet (the row keeps its order of entry).
pub fn restore_candidate(conn: &Connection, id: i64, source: &str, status: &str) -> Result<()> {
    conn.execute(
        "UPDATE candidates SET source = ?2, status = ?3, poll_agree = NULL, ballot_position = NULL WHERE id = ?1",
        params![id, source, status],
    )?;
    Ok(())
}

/// The people elected in an election (officials first), as recorded when its results were closed.
pub fn elected(conn: &Connection, election_id: i64) -> Result<Vec<(i64, bool)>> {
    let mut stmt = conn.prepare(
        "SELECT person_id, as_alternate FROM elected WHERE election_id = ?1 ORDER BY as_alternate, rowid",
    )?;
    let rows = stmt.query_map([election_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(Into::into)
}

pub fn record_elected(conn: &Connection, election_id: i64, person_id: i64, as_alternate: bool) -> Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO elected (election_id, person_id, as_alternate) VALUES (?1, ?2, ?3)",
        params![election_id, person_id, as_alternate],
    )?;
    Ok(())
}
