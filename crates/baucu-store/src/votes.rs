//! The show-of-hands votes of each assembly (biểu quyết, migration 6): what was voted, the counts, the
//! sitting whose attendance bounds them, and the persons a vote elects (the counting board's head and
//! members, the presidium, …; technical staff by name). Subjects and roles are `CHECK`ed in the
//! schema and parsed by the application.

use crate::Result;
use rusqlite::{Connection, params};

/// One vote as stored.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VoteRow {
    pub id: i64,
    pub subject: String,
    pub election_id: Option<i64>,
    pub detail: String,
    /// The number of seats voted (subject `seats` only).
    pub seats: Option<i64>,
    pub sitting_id: i64,
    pub present: i64,
    pub votes_for: i64,
    pub votes_against: i64,
    pub abstain: Option<i64>,
    pub recorded_by: String,
    pub recorded_at: String,
}

/// A person a vote concerns, in the order written: `head`, `member` (by person id) or `technical`
/// (by name only).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VotePersonRow {
    pub role: String,
    pub person_id: Option<i64>,
    pub full_name: String,
}

/// Stores a vote and its persons; returns the vote's id.
pub fn insert(conn: &Connection, v: &VoteRow, persons: &[VotePersonRow]) -> Result<i64> {
    conn.execute(
        "INSERT INTO congress_votes (subject, election_id, detail, seats, sitting_id, present, votes_for,
           votes_against, abstain, recorded_by, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            v.subject,
            v.election_id,
            v.detail,
            v.seats,
            v.sitting_id,
            v.present,
            v.votes_for,
            v.votes_against,
            v.abstain,
            v.recorded_by,
            v.recorded_at
        ],
    )?;
    let id = conn.last_insert_rowid();
    for (i, p) in persons.iter().enumerate() {
        conn.execute(
            "INSERT INTO congress_vote_persons (vote_id, position, role, person_id, full_name)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, i as i64 + 1, p.role, p.person_id, p.full_name],
        )?;
    }
    Ok(id)
}

const COLUMNS: &str =
    "id, subject, election_id, detail, seats, sitting_id, present, votes_for, votes_against, abstain,
    recorded_by, recorded_at";

fn vote(r: &rusqlite::Row<'_>) -> rusqlite::Result<VoteRow> {
    Ok(VoteRow {
        id: r.get(0)?,
        subject: r.get(1)?,
        election_id: r.get(2)?,
        detail: r.get(3)?,
        seats: r.get(4)?,
        sitting_id: r.get(5)?,
        present: r.get(6)?,
        votes_for: r.get(7)?,
        votes_against: r.get(8)?,
        abstain: r.get(9)?,
        recorded_by: r.get(10)?,
        recorded_at: r.get(11)?,
    })
}

/// Every vote, in the order recorded.
pub fn all(conn: &Connection) -> Result<Vec<VoteRow>> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM congress_votes ORDER BY id"))?;
    let rows = stmt.query_map([], vote)?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(Into::into)
}

/// The latest vote on `subject` taken at a sitting of `assembly` (`congress`, `plenum:committee`, …),
/// if any.
pub fn latest_at(conn: &Connection, subject: &str, assembly: &str) -> Result<Option<VoteRow>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM congress_votes
         WHERE subject = ?1 AND sitting_id IN (SELECT id FROM sittings WHERE assembly = ?2)
         ORDER BY id DESC LIMIT 1"
    ))?;
    let mut rows = stmt.query_map([subject, assembly], vote)?;
    rows.next().transpose().map_err(Into::into)
}

/// The persons of a vote, in the order written.
pub fn persons(conn: &Connection, vote_id: i64) -> Result<Vec<VotePersonRow>> {
    let mut stmt = conn.prepare(
        "SELECT role, person_id, full_name FROM congress_vote_persons WHERE vote_id = ?1 ORDER BY position",
    )?;
    let rows = stmt.query_map([vote_id], |r| {
        Ok(VotePersonRow { role: r.get(0)?, person_id: r.get(1)?, full_name: r.get(2)? })
    })?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(Into::into)
}
