//! Rounds, stacks, the operators' independent entries, ballots, the board's resolutions, and the
//! journal of every entry, correction and decision.

use crate::Result;
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use rusqlite::{Connection, OptionalExtension, params};

/// An enumerated column: written as its code, read back through one parse that refuses an unknown
/// value (a row edited behind the node's back is an error, never a default).
macro_rules! coded_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $code:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn parse(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }
        }

        impl FromSql for $name {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                let text = value.as_str()?;
                $name::parse(text).ok_or_else(|| FromSqlError::Other(format!("unknown {} {text:?}", stringify!($name)).into()))
            }
        }

        impl ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.code()))
            }
        }
    };
}

coded_enum! {
    /// Where a stack is: being keyed, its entries differ, or reconciled.
    StackStatus { Entering => "entering", Mismatch => "mismatch", Accepted => "accepted" }
}

coded_enum! {
    /// An operator's entry: still keying, or finished.
    EntryStatus { Open => "open", Done => "done" }
}

pub fn setting(conn: &Connection, key: &str) -> Result<Option<String>> {
    conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0))
        .optional()
        .map_err(Into::into)
}

pub fn put_setting(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RoundRow {
    pub id: i64,
    pub election_id: i64,
    pub number: i64,
    pub purpose: String,
    pub tie_for: Option<String>,
    pub seats: i64,
    pub alternate_seats: i64,
    pub entries_per_stack: i64,
    /// The assembly as the engine took it at the opening (JSON).
    pub assembly: String,
    pub status: String,
    pub ballots_issued: Option<i64>,
    /// Ballots the board took out of the box.
    pub ballots_collected: Option<i64>,
    /// The presidium's decision after the result (JSON).
    pub decision: Option<String>,
    pub opened_at: String,
    pub closed_at: Option<String>,
    pub published_at: Option<String>,
}

const ROUND_COLUMNS: &str =
    "id, election_id, number, purpose, tie_for, seats, alternate_seats, entries_per_stack,
    assembly, status, ballots_issued, ballots_collected, decision, opened_at, closed_at, published_at";

fn round(r: &rusqlite::Row<'_>) -> rusqlite::Result<RoundRow> {
    Ok(RoundRow {
        id: r.get(0)?,
        election_id: r.get(1)?,
        number: r.get(2)?,
        purpose: r.get(3)?,
        tie_for: r.get(4)?,
        seats: r.get(5)?,
        alternate_seats: r.get(6)?,
        entries_per_stack: r.get(7)?,
        assembly: r.get(8)?,
        status: r.get(9)?,
        ballots_issued: r.get(10)?,
        ballots_collected: r.get(11)?,
        decision: r.get(12)?,
        opened_at: r.get(13)?,
        closed_at: r.get(14)?,
        published_at: r.get(15)?,
    })
}

/// The purpose of a round that counts a poll (the opinion or introduction poll on a list's outside
/// nominees) rather than an election.
pub const POLL: &str = "poll";

/// A new round with its names. The rounds of an election are numbered 1, 2, …; its polls −1, −2, …
/// (one sequence per election, unique with the rounds: `rounds_of` lists the rounds, `polls_of` the
/// polls).
pub fn insert_round(conn: &Connection, r: &RoundRow, candidates: &[(i64, String)]) -> Result<i64> {
    let number: i64 = if r.purpose == POLL {
        conn.query_row(
            "SELECT coalesce(min(number), 0) - 1 FROM rounds WHERE election_id = ?1 AND number < 0",
            [r.election_id],
            |x| x.get(0),
        )?
    } else {
        conn.query_row(
            "SELECT coalesce(max(number), 0) + 1 FROM rounds WHERE election_id = ?1 AND number > 0",
            [r.election_id],
            |x| x.get(0),
        )?
    };
    conn.execute(
        "INSERT INTO rounds (election_id, number, purpose, tie_for, seats, alternate_seats, entries_per_stack, assembly,
           status, opened_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'open', ?9)",
        params![r.election_id, number, r.purpose, r.tie_for, r.seats, r.alternate_seats, r.entries_per_stack, r.assembly, r.opened_at],
    )?;
    let id = conn.last_insert_rowid();
    for (i, (person, name)) in candidates.iter().enumerate() {
        conn.execute(
            "INSERT INTO round_candidates (round_id, position, person_id, full_name) VALUES (?1, ?2, ?3, ?4)",
            params![id, i as i64 + 1, person, name],
        )?;
    }
    Ok(id)
}

pub fn update_round(conn: &Connection, r: &RoundRow) -> Result<()> {
    conn.execute(
        "UPDATE rounds SET status = ?2, ballots_issued = ?3, ballots_collected = ?4, decision = ?5, closed_at = ?6,
           published_at = ?7 WHERE id = ?1",
        params![r.id, r.status, r.ballots_issued, r.ballots_collected, r.decision, r.closed_at, r.published_at],
    )?;
    Ok(())
}

pub fn get_round(conn: &Connection, id: i64) -> Result<Option<RoundRow>> {
    conn.query_row(&format!("SELECT {ROUND_COLUMNS} FROM rounds WHERE id = ?1"), [id], round)
        .optional()
        .map_err(Into::into)
}

/// The election rounds of an election (not its polls), in order.
pub fn rounds_of(conn: &Connection, election_id: i64) -> Result<Vec<RoundRow>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {ROUND_COLUMNS} FROM rounds WHERE election_id = ?1 AND purpose <> 'poll' ORDER BY number"
    ))?;
    let rows = stmt.query_map([election_id], round)?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(Into::into)
}

/// The polls of an election counted like ballots, first first.
pub fn polls_of(conn: &Connection, election_id: i64) -> Result<Vec<RoundRow>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {ROUND_COLUMNS} FROM rounds WHERE election_id = ?1 AND purpose = 'poll' ORDER BY number DESC"
    ))?;
    let rows = stmt.query_map([election_id], round)?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(Into::into)
}

/// Where an election's opinion poll came from (`keyed`, `typed`; `None` when none is recorded), as
/// stored: the app parses it.
pub fn poll_source(conn: &Connection, election_id: i64) -> Result<Option<String>> {
    conn.query_row("SELECT poll_source FROM elections WHERE id = ?1", [election_id], |r| r.get(0))
        .optional()
        .map(Option::flatten)
        .map_err(Into::into)
}

pub fn set_poll_source(conn: &Connection, election_id: i64, source: &str) -> Result<()> {
    conn.execute("UPDATE elections SET poll_source = ?2 WHERE id = ?1", params![election_id, source])?;
    Ok(())
}

pub fn published_rounds(conn: &Connection) -> Result<Vec<RoundRow>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {ROUND_COLUMNS} FROM rounds WHERE published_at IS NOT NULL ORDER BY published_at DESC, id DESC"
    ))?;
    let rows = stmt.query_map([], round)?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(Into::into)
}

/// The round's candidates in ballot order: (person id, full name).
pub fn round_candidates(conn: &Connection, round_id: i64) -> Result<Vec<(i64, String)>> {
    let mut stmt = conn
        .prepare("SELECT person_id, full_name FROM round_candidates WHERE round_id = ?1 ORDER BY position")?;
    let rows = stmt.query_map([round_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(Into::into)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackRow {
    pub id: i64,
    pub round_id: i64,
    pub name: String,
    pub status: StackStatus,
    /// How many papers the board counted into the stack when handing it out.
    pub papers: Option<i64>,
}

/// A new stack; `request_key` (unique) makes a retried or double-submitted hand-out create it once.
pub fn insert_stack(
    conn: &Connection,
    round_id: i64,
    name: &str,
    papers: i64,
    request_key: &str,
    at: &str,
) -> Result<i64> {
    conn.execute(
        "INSERT INTO stacks (round_id, name, status, papers, request_key, created_at)
         VALUES (?1, ?2, 'entering', ?3, ?4, ?5)",
        params![round_id, name, papers, request_key, at],
    )?;
    Ok(conn.last_insert_rowid())
}

/// The stack a hand-out request already created, if any: (stack id, round id).
pub fn stack_by_request(conn: &Connection, request_key: &str) -> Result<Option<(i64, i64)>> {
    conn.query_row("SELECT id, round_id FROM stacks WHERE request_key = ?1", [request_key], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })
    .optional()
    .map_err(Into::into)
}

fn stack(r: &rusqlite::Row<'_>) -> rusqlite::Result<StackRow> {
    Ok(StackRow { id: r.get(0)?, round_id: r.get(1)?, name: r.get(2)?, status: r.get(3)?, papers: r.get(4)? })
}

pub fn set_stack_status(conn: &Connection, id: i64, status: StackStatus) -> Result<()> {
    conn.execute("UPDATE stacks SET status = ?2 WHERE id = ?1", params![id, status])?;
    Ok(())
}

pub fn get_stack(conn: &Connection, id: i64) -> Result<Option<StackRow>> {
    conn.query_row("SELECT id, round_id, name, status, papers FROM stacks WHERE id = ?1", [id], stack)
        .optional()
        .map_err(Into::into)
}

pub fn stacks_of(conn: &Connection, round_id: i64) -> Result<Vec<StackRow>> {
    let mut stmt = conn
        .prepare("SELECT id, round_id, name, status, papers FROM stacks WHERE round_id = ?1 ORDER BY id")?;
    let rows = stmt.query_map([round_id], stack)?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(Into::into)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryRow {
    pub id: i64,
    pub stack_id: i64,
    pub slot: i64,
    pub operator_id: i64,
    pub operator: String,
    pub status: EntryStatus,
    pub ballots: i64,
}

const ENTRY_SELECT: &str = "SELECT e.id, e.stack_id, e.slot, e.operator_id, u.full_name, e.status,
    (SELECT count(*) FROM ballots b WHERE b.entry_id = e.id)
    FROM entries e JOIN users u ON u.id = e.operator_id";

fn entry(r: &rusqlite::Row<'_>) -> rusqlite::Result<EntryRow> {
    Ok(EntryRow {
        id: r.get(0)?,
        stack_id: r.get(1)?,
        slot: r.get(2)?,
        operator_id: r.get(3)?,
        operator: r.get(4)?,
        status: r.get(5)?,
        ballots: r.get(6)?,
    })
}

pub fn insert_entry(conn: &Connection, stack_id: i64, slot: i64, operator_id: i64) -> Result<i64> {
    conn.execute(
        "INSERT INTO entries (stack_id, slot, operator_id, status) VALUES (?1, ?2, ?3, 'open')",
        params![stack_id, slot, operator_id],
    )?;
    Ok(conn.last_insert_rowid())
}

pub fn set_entry_status(conn: &Connection, id: i64, status: EntryStatus) -> Result<()> {
    conn.execute("UPDATE entries SET status = ?2 WHERE id = ?1", params![id, status])?;
    Ok(())
}

pub fn get_entry(conn: &Connection, id: i64) -> Result<Option<EntryRow>> {
    conn.query_row(&format!("{ENTRY_SELECT} WHERE e.id = ?1"), [id], entry).optional().map_err(Into::into)
}

pub fn entries_of(conn: &Connection, stack_id: i64) -> Result<Vec<EntryRow>> {
    let mut stmt = conn.prepare(&format!("{ENTRY_SELECT} WHERE e.stack_id = ?1 ORDER BY e.slot"))?;
    let rows = stmt.query_map([stack_id], entry)?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(Into::into)
}

pub fn entries_of_operator(conn: &Connection, operator_id: i64) -> Result<Vec<EntryRow>> {
    let mut stmt = conn.prepare(&format!("{ENTRY_SELECT} WHERE e.operator_id = ?1 ORDER BY e.id"))?;
    let rows = stmt.query_map([operator_id], entry)?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(Into::into)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BallotRow {
    pub seq: i64,
    pub code: String,
    pub entered_at: String,
}

/// The ballot an idempotency key already stored, if any: (entry id, seq, code).
pub fn ballot_by_key(conn: &Connection, key: &str) -> Result<Option<(i64, i64, String)>> {
    conn.query_row("SELECT entry_id, seq, code FROM ballots WHERE idempotency_key = ?1", [key], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })
    .optional()
    .map_err(Into::into)
}

/// Appends a ballot to an entry; returns its sequence number in the stack (1-based).
pub fn append_ballot(conn: &Connection, entry_id: i64, code: &str, key: &str, at: &str) -> Result<i64> {
    let seq: i64 = conn.query_row(
        "SELECT coalesce(max(seq), 0) + 1 FROM ballots WHERE entry_id = ?1",
        [entry_id],
        |r| r.get(0),
    )?;
    conn.execute(
        "INSERT INTO ballots (entry_id, seq, code, idempotency_key, entered_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![entry_id, seq, code, key, at],
    )?;
    Ok(seq)
}

pub fn replace_ballot(conn: &Connection, entry_id: i64, seq: i64, code: &str) -> Result<bool> {
    Ok(conn.execute(
        "UPDATE ballots SET code = ?3 WHERE entry_id = ?1 AND seq = ?2",
        params![entry_id, seq, code],
    )? == 1)
}

/// Removes the last ballot of an entry; returns what it was.
pub fn remove_last_ballot(conn: &Connection, entry_id: i64) -> Result<Option<(i64, String)>> {
    let last: Option<(i64, String)> = conn
        .query_row(
            "SELECT seq, code FROM ballots WHERE entry_id = ?1 ORDER BY seq DESC LIMIT 1",
            [entry_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    if let Some((seq, _)) = &last {
        conn.execute("DELETE FROM ballots WHERE entry_id = ?1 AND seq = ?2", params![entry_id, seq])?;
    }
    Ok(last)
}

pub fn ballots_of(conn: &Connection, entry_id: i64) -> Result<Vec<BallotRow>> {
    let mut stmt =
        conn.prepare("SELECT seq, code, entered_at FROM ballots WHERE entry_id = ?1 ORDER BY seq")?;
    let rows = stmt.query_map([entry_id], |r| {
        Ok(BallotRow { seq: r.get(0)?, code: r.get(1)?, entered_at: r.get(2)? })
    })?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(Into::into)
}

/// The board's reading of ballot `seq` of a stack; `None` means the ballot does not exist.
pub fn put_resolution(
    conn: &Connection,
    stack_id: i64,
    seq: i64,
    code: Option<&str>,
    by: &str,
    at: &str,
) -> Result<()> {
    conn.execute(
        "INSERT INTO resolutions (stack_id, seq, code, decided_by, decided_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (stack_id, seq) DO UPDATE SET code = excluded.code, decided_by = excluded.decided_by,
           decided_at = excluded.decided_at",
        params![stack_id, seq, code, by, at],
    )?;
    Ok(())
}

/// Withdraws every resolution of a stack (an entry it depended on changed); returns how many.
pub fn clear_resolutions(conn: &Connection, stack_id: i64) -> Result<usize> {
    Ok(conn.execute("DELETE FROM resolutions WHERE stack_id = ?1", [stack_id])?)
}

pub fn resolutions_of(conn: &Connection, stack_id: i64) -> Result<Vec<(i64, Option<String>)>> {
    let mut stmt = conn.prepare("SELECT seq, code FROM resolutions WHERE stack_id = ?1 ORDER BY seq")?;
    let rows = stmt.query_map([stack_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(Into::into)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalRow {
    pub at: String,
    pub actor: String,
    pub kind: String,
    pub stack_id: Option<i64>,
    pub entry_id: Option<i64>,
    pub seq: Option<i64>,
    pub detail: String,
}

/// Where a journal line belongs: a round, and within it possibly a stack, an entry and a ballot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JournalAt {
    pub round_id: i64,
    pub stack_id: Option<i64>,
    pub entry_id: Option<i64>,
    pub seq: Option<i64>,
}

impl JournalAt {
    pub fn round(round_id: i64) -> Self {
        JournalAt { round_id, stack_id: None, entry_id: None, seq: None }
    }

    pub fn stack(self, stack_id: i64) -> Self {
        JournalAt { stack_id: Some(stack_id), ..self }
    }

    pub fn entry(self, entry_id: i64) -> Self {
        JournalAt { entry_id: Some(entry_id), ..self }
    }

    pub fn ballot(self, seq: i64) -> Self {
        JournalAt { seq: Some(seq), ..self }
    }
}

/// Appends a line to a round's journal: `kind` of thing done by `actor` at `at`, with its detail.
pub fn journal(
    conn: &Connection,
    place: JournalAt,
    at: &str,
    actor: &str,
    kind: &str,
    detail: &str,
) -> Result<()> {
    conn.execute(
        "INSERT INTO journal (round_id, stack_id, entry_id, seq, at, actor, kind, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![place.round_id, place.stack_id, place.entry_id, place.seq, at, actor, kind, detail],
    )?;
    Ok(())
}

pub fn journal_of(conn: &Connection, round_id: i64) -> Result<Vec<JournalRow>> {
    let mut stmt = conn
        .prepare("SELECT at, actor, kind, stack_id, entry_id, seq, detail FROM journal WHERE round_id = ?1 ORDER BY id")?;
    let rows = stmt.query_map([round_id], |r| {
        Ok(JournalRow {
            at: r.get(0)?,
            actor: r.get(1)?,
            kind: r.get(2)?,
            stack_id: r.get(3)?,
            entry_id: r.get(4)?,
            seq: r.get(5)?,
            detail: r.get(6)?,
        })
    })?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(Into::into)
}

/// Accounts with a given role: (id, full name, username).
pub fn users_with_roles(conn: &Connection, roles: &[&str]) -> Result<Vec<(i64, String, String)>> {
    let mut stmt =
        conn.prepare("SELECT id, full_name, username, role FROM users WHERE active = 1 ORDER BY full_name")?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, name, username, role) = row?;
        if roles.contains(&role.as_str()) {
            out.push((id, name, username));
        }
    }
    Ok(out)
}

/// Whether the congress has any round yet (its kind and level are fixed from then on).
pub fn any_round(conn: &Connection) -> Result<bool> {
    conn.query_row("SELECT EXISTS (SELECT 1 FROM rounds)", [], |r| r.get(0)).map_err(Into::into)
}

/// Deletes the typed record of a round's result (a reopened round; the next closing writes it anew):
/// the rows of every table that refers to `round_results` (found in the schema, so that a table a
/// later migration adds to the record goes with it), then the record's own row.
pub fn delete_record(conn: &Connection, round_id: i64) -> Result<()> {
    let mut stmt = conn.prepare(
        "SELECT DISTINCT m.name FROM main.sqlite_master m, pragma_foreign_key_list(m.name) f
         WHERE m.type = 'table' AND f.\"table\" = 'round_results' ORDER BY m.name",
    )?;
    let children = stmt.query_map([], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
    for table in children {
        let quoted = format!("\"{}\"", table.replace('"', "\"\""));
        conn.execute(&format!("DELETE FROM {quoted} WHERE round_id = ?1"), [round_id])?;
    }
    conn.execute("DELETE FROM round_results WHERE round_id = ?1", [round_id])?;
    Ok(())
}

/// Removes people from the elected of an election (the closing that elected them was undone).
pub fn delete_elected(conn: &Connection, election_id: i64, person_ids: &[i64]) -> Result<()> {
    for person in person_ids {
        conn.execute(
            "DELETE FROM elected WHERE election_id = ?1 AND person_id = ?2",
            params![election_id, person],
        )?;
    }
    Ok(())
}

/// One reopening of a closed round: when, by whom (account and name), why, and when the closing it
/// undid had happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReopeningRow {
    pub round_id: i64,
    pub at: String,
    pub actor: String,
    pub actor_name: String,
    pub reason: String,
    pub closed_at: String,
}

pub fn insert_reopening(conn: &Connection, r: &ReopeningRow) -> Result<i64> {
    conn.execute(
        "INSERT INTO round_reopenings (round_id, at, actor, actor_name, reason, closed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![r.round_id, r.at, r.actor, r.actor_name, r.reason, r.closed_at],
    )?;
    Ok(conn.last_insert_rowid())
}

/// The reopenings of a round, oldest first.
pub fn reopenings_of(conn: &Connection, round_id: i64) -> Result<Vec<ReopeningRow>> {
    let mut stmt = conn.prepare(
        "SELECT round_id, at, actor, actor_name, reason, closed_at FROM round_reopenings WHERE round_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([round_id], |r| {
        Ok(ReopeningRow {
            round_id: r.get(0)?,
            at: r.get(1)?,
            actor: r.get(2)?,
            actor_name: r.get(3)?,
            reason: r.get(4)?,
            closed_at: r.get(5)?,
        })
    })?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(Into::into)
}
