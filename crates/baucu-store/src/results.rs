//! The typed record of a closed round's result (migration 3): written once when the round closes,
//! read by every page, document and export. Candidates are keyed by person id, never by name;
//! enumerated columns are `CHECK`ed in the schema and parsed by the application.

use crate::Result;
use rusqlite::{Connection, OptionalExtension, params};

/// The round's figures: the assembly and its base, the ballots, what is left to do, and when,
/// where and by whom it was closed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResultRow {
    pub round_id: i64,
    pub assembly_kind: String,
    pub summoned: i64,
    pub present: i64,
    pub base: i64,
    pub threshold: i64,
    pub layout: String,
    pub seats: i64,
    pub alternate_seats: i64,
    pub issued: i64,
    pub collected: i64,
    pub valid: i64,
    pub invalid: i64,
    pub seats_unfilled: i64,
    pub alternate_seats_unfilled: i64,
    pub next_step: String,
    pub tie_for: Option<String>,
    pub tie_seats: Option<i64>,
    pub closed_at: String,
    /// The congress's name, organisation and term as they were at closing.
    pub congress: String,
    pub organisation: String,
    pub term: String,
    pub place: String,
    pub closed_by: String,
    /// The audit entry that records the closing; its hash anchors the minutes.
    pub audit_seq: i64,
}

/// One candidate's line, in ballot order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LineRow {
    pub position: i64,
    pub person_id: i64,
    pub full_name: String,
    pub votes: i64,
    /// Hundredths of a percent.
    pub percent_of_base: i64,
    pub percent_of_valid: Option<i64>,
    pub passes_threshold: bool,
    pub rank: i64,
    pub outcome: String,
    /// Order among the elected (or the alternates): by votes, equal votes in ballot order.
    pub outcome_order: Option<i64>,
    pub tied: bool,
    /// Agree/disagree list: valid ballots marking this name "không đồng ý" (migration 6); `None` on a
    /// strike list and on records written before it.
    pub disagree: Option<i64>,
}

/// The whole record of one closed round.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StoredResult {
    pub row: ResultRow,
    /// (exclusion code, count), in the order written.
    pub exclusions: Vec<(String, i64)>,
    /// (invalid reason code, count), only the reasons that occurred.
    pub invalid: Vec<(String, i64)>,
    pub lines: Vec<LineRow>,
    /// The counting board at closing: (full name, `head` or `member`).
    pub board: Vec<(String, String)>,
}

pub fn insert(conn: &Connection, r: &StoredResult) -> Result<()> {
    let x = &r.row;
    conn.execute(
        "INSERT INTO round_results (round_id, assembly_kind, summoned, present, base, threshold, layout, seats,
           alternate_seats, issued, collected, valid, invalid, seats_unfilled, alternate_seats_unfilled, next_step,
           tie_for, tie_seats, closed_at, congress, organisation, term, place, closed_by, audit_seq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22,
           ?23, ?24, ?25)",
        params![
            x.round_id,
            x.assembly_kind,
            x.summoned,
            x.present,
            x.base,
            x.threshold,
            x.layout,
            x.seats,
            x.alternate_seats,
            x.issued,
            x.collected,
            x.valid,
            x.invalid,
            x.seats_unfilled,
            x.alternate_seats_unfilled,
            x.next_step,
            x.tie_for,
            x.tie_seats,
            x.closed_at,
            x.congress,
            x.organisation,
            x.term,
            x.place,
            x.closed_by,
            x.audit_seq
        ],
    )?;
    for (code, count) in &r.exclusions {
        conn.execute(
            "INSERT INTO round_result_exclusions (round_id, exclusion, count) VALUES (?1, ?2, ?3)",
            params![x.round_id, code, count],
        )?;
    }
    for (code, count) in &r.invalid {
        conn.execute(
            "INSERT INTO round_result_invalid (round_id, reason, count) VALUES (?1, ?2, ?3)",
            params![x.round_id, code, count],
        )?;
    }
    for l in &r.lines {
        conn.execute(
            "INSERT INTO round_result_lines (round_id, position, person_id, full_name, votes, percent_of_base,
               percent_of_valid, passes_threshold, rank, outcome, outcome_order, tied, disagree)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            params![
                x.round_id,
                l.position,
                l.person_id,
                l.full_name,
                l.votes,
                l.percent_of_base,
                l.percent_of_valid,
                l.passes_threshold,
                l.rank,
                l.outcome,
                l.outcome_order,
                l.tied,
                l.disagree
            ],
        )?;
    }
    for (i, (name, role)) in r.board.iter().enumerate() {
        conn.execute(
            "INSERT INTO round_result_board (round_id, position, full_name, role) VALUES (?1, ?2, ?3, ?4)",
            params![x.round_id, i as i64 + 1, name, role],
        )?;
    }
    Ok(())
}

pub fn get(conn: &Connection, round_id: i64) -> Result<Option<StoredResult>> {
    let row = conn
        .query_row(
            "SELECT round_id, assembly_kind, summoned, present, base, threshold, layout, seats, alternate_seats,
               issued, collected, valid, invalid, seats_unfilled, alternate_seats_unfilled, next_step, tie_for,
               tie_seats, closed_at, congress, organisation, term, place, closed_by, audit_seq
             FROM round_results WHERE round_id = ?1",
            [round_id],
            |r| {
                Ok(ResultRow {
                    round_id: r.get(0)?,
                    assembly_kind: r.get(1)?,
                    summoned: r.get(2)?,
                    present: r.get(3)?,
                    base: r.get(4)?,
                    threshold: r.get(5)?,
                    layout: r.get(6)?,
                    seats: r.get(7)?,
                    alternate_seats: r.get(8)?,
                    issued: r.get(9)?,
                    collected: r.get(10)?,
                    valid: r.get(11)?,
                    invalid: r.get(12)?,
                    seats_unfilled: r.get(13)?,
                    alternate_seats_unfilled: r.get(14)?,
                    next_step: r.get(15)?,
                    tie_for: r.get(16)?,
                    tie_seats: r.get(17)?,
                    closed_at: r.get(18)?,
                    congress: r.get(19)?,
                    organisation: r.get(20)?,
                    term: r.get(21)?,
                    place: r.get(22)?,
                    closed_by: r.get(23)?,
                    audit_seq: r.get(24)?,
                })
            },
        )
        .optional()?;
    let Some(row) = row else { return Ok(None) };
    let pairs = |sql: &str| -> Result<Vec<(String, i64)>> {
        let mut stmt = conn.prepare(sql)?;
        let rows = stmt.query_map([round_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(Into::into)
    };
    let exclusions =
        pairs("SELECT exclusion, count FROM round_result_exclusions WHERE round_id = ?1 ORDER BY rowid")?;
    let invalid = pairs("SELECT reason, count FROM round_result_invalid WHERE round_id = ?1 ORDER BY rowid")?;
    let board: Vec<(String, String)> = {
        let mut stmt = conn.prepare(
            "SELECT full_name, role FROM round_result_board WHERE round_id = ?1 ORDER BY position",
        )?;
        let rows = stmt.query_map([round_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()?
    };
    let mut stmt = conn.prepare(
        "SELECT position, person_id, full_name, votes, percent_of_base, percent_of_valid, passes_threshold, rank,
           outcome, outcome_order, tied, disagree
         FROM round_result_lines WHERE round_id = ?1 ORDER BY position",
    )?;
    let lines = stmt
        .query_map([round_id], |r| {
            Ok(LineRow {
                position: r.get(0)?,
                person_id: r.get(1)?,
                full_name: r.get(2)?,
                votes: r.get(3)?,
                percent_of_base: r.get(4)?,
                percent_of_valid: r.get(5)?,
                passes_threshold: r.get(6)?,
                rank: r.get(7)?,
                outcome: r.get(8)?,
                outcome_order: r.get(9)?,
                tied: r.get(10)?,
                disagree: r.get(11)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Some(StoredResult { row, exclusions, invalid, lines, board }))
}

/// The hash of an audit entry, by its sequence number.
pub fn audit_hash(conn: &Connection, seq: i64) -> Result<Option<String>> {
    conn.query_row("SELECT hash FROM audit_log WHERE seq = ?1", [seq], |r| r.get(0))
        .optional()
        .map_err(Into::into)
}

/// The sequence number the next audit entry will get.
pub fn next_audit_seq(conn: &Connection) -> Result<i64> {
    conn.query_row("SELECT coalesce(max(seq), 0) + 1 FROM audit_log", [], |r| r.get(0)).map_err(Into::into)
}

/// Closed rounds that have no record (closed by a version older than migration 3).
pub fn closed_without_record(conn: &Connection) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare(
        "SELECT id FROM rounds WHERE status = 'closed' AND id NOT IN (SELECT round_id FROM round_results) ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    rows.collect::<rusqlite::Result<Vec<i64>>>().map_err(Into::into)
}
