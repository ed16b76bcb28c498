//! The roster (persons), the sittings of the congress, and who checked in to each.

use crate::Result;
use rusqlite::{Connection, OptionalExtension, params};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PersonRow {
    pub id: i64,
    pub full_name: String,
    /// The name without diacritics, lower case: what search compares.
    pub search_key: String,
    pub birth_date: Option<String>,
    pub sex: String,
    pub ethnicity: String,
    pub religion: String,
    pub party_status: String,
    pub delegate_kind: Option<String>,
    pub unit: String,
    pub education: String,
    pub political_theory: String,
    pub first_time: bool,
    pub temporarily_transferred: bool,
    pub exempted: bool,
    pub suspended: bool,
    pub prosecuted: bool,
    pub absence: String,
    pub replaces_person_id: Option<i64>,
    pub entry_order: i64,
    /// Quê quán.
    pub hometown: String,
    /// Chức vụ hiện tại.
    pub position: String,
    /// Ngày vào Đảng, `yyyy-mm-dd`.
    pub joined_on: Option<String>,
    /// Ngày chính thức, `yyyy-mm-dd`.
    pub official_on: Option<String>,
}

const COLUMNS: &str =
    "id, full_name, search_key, birth_date, sex, ethnicity, religion, party_status, delegate_kind,
    unit, education, political_theory, first_time, temporarily_transferred, exempted, suspended, prosecuted,
    absence, replaces_person_id, entry_order, hometown, position, joined_on, official_on";

fn person(r: &rusqlite::Row<'_>) -> rusqlite::Result<PersonRow> {
    Ok(PersonRow {
        id: r.get(0)?,
        full_name: r.get(1)?,
        search_key: r.get(2)?,
        birth_date: r.get(3)?,
        sex: r.get(4)?,
        ethnicity: r.get(5)?,
        religion: r.get(6)?,
        party_status: r.get(7)?,
        delegate_kind: r.get(8)?,
        unit: r.get(9)?,
        education: r.get(10)?,
        political_theory: r.get(11)?,
        first_time: r.get(12)?,
        temporarily_transferred: r.get(13)?,
        exempted: r.get(14)?,
        suspended: r.get(15)?,
        prosecuted: r.get(16)?,
        absence: r.get(17)?,
        replaces_person_id: r.get(18)?,
        entry_order: r.get(19)?,
        hometown: r.get(20)?,
        position: r.get(21)?,
        joined_on: r.get(22)?,
        official_on: r.get(23)?,
    })
}

/// Inserts a person; `entry_order` is assigned after the last one. Returns the new id.
pub fn insert(conn: &Connection, p: &PersonRow) -> Result<i64> {
    let order: i64 =
        conn.query_row("SELECT coalesce(max(entry_order), 0) + 1 FROM persons", [], |r| r.get(0))?;
    conn.execute(
        "INSERT INTO persons (full_name, search_key, birth_date, sex, ethnicity, religion, party_status, delegate_kind,
           unit, education, political_theory, first_time, temporarily_transferred, exempted, suspended, prosecuted,
           absence, replaces_person_id, entry_order, hometown, position, joined_on, official_on)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22,
           ?23)",
        params![
            p.full_name,
            p.search_key,
            p.birth_date,
            p.sex,
            p.ethnicity,
            p.religion,
            p.party_status,
            p.delegate_kind,
            p.unit,
            p.education,
            p.political_theory,
            p.first_time,
            p.temporarily_transferred,
            p.exempted,
            p.suspended,
            p.prosecuted,
            p.absence,
            p.replaces_person_id,
            order,
            p.hometown,
            p.position,
            p.joined_on,
            p.official_on
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

pub fn update(conn: &Connection, p: &PersonRow) -> Result<bool> {
    let n = conn.execute(
        "UPDATE persons SET full_name = ?2, search_key = ?3, birth_date = ?4, sex = ?5, ethnicity = ?6, religion = ?7,
           party_status = ?8, delegate_kind = ?9, unit = ?10, education = ?11, political_theory = ?12,
           first_time = ?13, temporarily_transferred = ?14, exempted = ?15, suspended = ?16, prosecuted = ?17,
           absence = ?18, replaces_person_id = ?19, hometown = ?20, position = ?21, joined_on = ?22,
           official_on = ?23
         WHERE id = ?1",
        params![
            p.id,
            p.full_name,
            p.search_key,
            p.birth_date,
            p.sex,
            p.ethnicity,
            p.religion,
            p.party_status,
            p.delegate_kind,
            p.unit,
            p.education,
            p.political_theory,
            p.first_time,
            p.temporarily_transferred,
            p.exempted,
            p.suspended,
            p.prosecuted,
            p.absence,
            p.replaces_person_id,
            p.hometown,
            p.position,
            p.joined_on,
            p.official_on
        ],
    )?;
    Ok(n == 1)
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<PersonRow>> {
    conn.query_row(&format!("SELECT {COLUMNS} FROM persons WHERE id = ?1"), [id], person)
        .optional()
        .map_err(Into::into)
}

/// Everyone, in order of entry.
pub fn all(conn: &Connection) -> Result<Vec<PersonRow>> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM persons ORDER BY entry_order"))?;
    let rows = stmt.query_map([], person)?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(Into::into)
}

/// People whose search key contains `key` (already folded by the caller), in order of entry.
pub fn search(conn: &Connection, key: &str, limit: i64) -> Result<Vec<PersonRow>> {
    let pattern = format!("%{}%", key.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM persons WHERE search_key LIKE ?1 ESCAPE '\\' ORDER BY entry_order LIMIT ?2"
    ))?;
    let rows = stmt.query_map(params![pattern, limit], person)?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(Into::into)
}

pub fn count(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM persons", [], |r| r.get(0))?)
}

/// The assembly of the congress's own sittings (`sittings.assembly`).
pub const CONGRESS_ASSEMBLY: &str = "congress";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SittingRow {
    pub id: i64,
    pub name: String,
    pub held_on: Option<String>,
    pub position: i64,
    /// `congress`, `plenum:committee` or `plenum:inspection_committee` (CHECKed by the schema).
    pub assembly: String,
}

/// Adds a sitting of `assembly` after every sitting there is.
pub fn insert_sitting(conn: &Connection, assembly: &str, name: &str, held_on: Option<&str>) -> Result<i64> {
    let position: i64 =
        conn.query_row("SELECT coalesce(max(position), 0) + 1 FROM sittings", [], |r| r.get(0))?;
    conn.execute(
        "INSERT INTO sittings (name, held_on, position, assembly) VALUES (?1, ?2, ?3, ?4)",
        params![name, held_on, position, assembly],
    )?;
    Ok(conn.last_insert_rowid())
}

fn sitting_rows(conn: &Connection, assembly: Option<&str>) -> Result<Vec<SittingRow>> {
    let mut stmt = conn.prepare(
        "SELECT id, name, held_on, position, assembly FROM sittings
         WHERE ?1 IS NULL OR assembly = ?1 ORDER BY position",
    )?;
    let rows = stmt.query_map([assembly], |r| {
        Ok(SittingRow {
            id: r.get(0)?,
            name: r.get(1)?,
            held_on: r.get(2)?,
            position: r.get(3)?,
            assembly: r.get(4)?,
        })
    })?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(Into::into)
}

/// The congress's own sittings, in order (a plenum's are not among them).
pub fn sittings(conn: &Connection) -> Result<Vec<SittingRow>> {
    sitting_rows(conn, Some(CONGRESS_ASSEMBLY))
}

/// The sittings of one assembly, in order.
pub fn sittings_of(conn: &Connection, assembly: &str) -> Result<Vec<SittingRow>> {
    sitting_rows(conn, Some(assembly))
}

/// Every sitting of every assembly, in order.
pub fn all_sittings(conn: &Connection) -> Result<Vec<SittingRow>> {
    sitting_rows(conn, None)
}

/// Checks a person in (`present = true`) or out of a sitting. Returns whether anything changed.
pub fn set_check_in(
    conn: &Connection,
    sitting_id: i64,
    person_id: i64,
    present: bool,
    at: &str,
) -> Result<bool> {
    let n = if present {
        conn.execute(
            "INSERT OR IGNORE INTO check_ins (sitting_id, person_id, checked_in_at) VALUES (?1, ?2, ?3)",
            params![sitting_id, person_id, at],
        )?
    } else {
        conn.execute(
            "DELETE FROM check_ins WHERE sitting_id = ?1 AND person_id = ?2",
            params![sitting_id, person_id],
        )?
    };
    Ok(n > 0)
}

/// The ids of the people checked in to a sitting.
pub fn checked_in(conn: &Connection, sitting_id: i64) -> Result<Vec<i64>> {
    let mut stmt =
        conn.prepare("SELECT person_id FROM check_ins WHERE sitting_id = ?1 ORDER BY person_id")?;
    let rows = stmt.query_map([sitting_id], |r| r.get(0))?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(Into::into)
}

/// The ids of the people checked in to any sitting of the congress.
pub fn attended_any(conn: &Connection) -> Result<Vec<i64>> {
    attended_any_of(conn, CONGRESS_ASSEMBLY)
}

/// The ids of the people checked in to any sitting of `assembly`.
pub fn attended_any_of(conn: &Connection, assembly: &str) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare(
        "SELECT DISTINCT k.person_id FROM check_ins k JOIN sittings s ON s.id = k.sitting_id
         WHERE s.assembly = ?1 ORDER BY k.person_id",
    )?;
    let rows = stmt.query_map([assembly], |r| r.get(0))?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(Into::into)
}

/// What uses a person: a person used anywhere cannot be deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PersonUses {
    pub check_ins: i64,
    /// Candidacies and elections of the person.
    pub candidacies: i64,
    /// Lines of rounds and of their results.
    pub rounds: i64,
    /// Persons who replace this one.
    pub replaced_by: i64,
    /// Rows of any other table that names the person (`person_id`).
    pub other: i64,
}

/// What uses person `id`, or `None` when nothing does. Every table with a `person_id` column is
/// looked at (found in `sqlite_master`, so a table added later is covered too).
pub fn uses(conn: &Connection, id: i64) -> Result<Option<PersonUses>> {
    let mut u = PersonUses {
        replaced_by: conn.query_row(
            "SELECT count(*) FROM persons WHERE replaces_person_id = ?1",
            [id],
            |r| r.get(0),
        )?,
        ..PersonUses::default()
    };
    let tables: Vec<String> = {
        let mut stmt = conn.prepare(
            "SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) c
             WHERE m.type = 'table' AND c.name = 'person_id' ORDER BY m.name",
        )?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()?
    };
    for table in tables {
        let quoted = table.replace('"', "\"\"");
        let n: i64 =
            conn.query_row(&format!("SELECT count(*) FROM \"{quoted}\" WHERE person_id = ?1"), [id], |r| {
                r.get(0)
            })?;
        match table.as_str() {
            "check_ins" => u.check_ins += n,
            "candidates" | "elected" => u.candidacies += n,
            t if t.starts_with("round_") => u.rounds += n,
            _ => u.other += n,
        }
    }
    Ok((u != PersonUses::default()).then_some(u))
}

/// Deletes a person; the caller has checked [`uses`]. Returns whether a row was deleted.
pub fn delete(conn: &Connection, id: i64) -> Result<bool> {
    Ok(conn.execute("DELETE FROM persons WHERE id = ?1", [id])? == 1)
}

/// Whether attendance or the elections have started: any check-in or any candidate.
pub fn attendance_started(conn: &Connection) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM check_ins) OR EXISTS (SELECT 1 FROM candidates)",
        [],
        |r| r.get(0),
    )?)
}

/// The settings whose key starts with `prefix` (the roster's remembered column mappings), by key.
pub fn settings_with_prefix(conn: &Connection, prefix: &str) -> Result<Vec<(String, String)>> {
    let pattern = format!("{}%", prefix.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
    let mut stmt =
        conn.prepare("SELECT key, value FROM settings WHERE key LIKE ?1 ESCAPE '\\' ORDER BY key")?;
    let rows = stmt.query_map([pattern], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(Into::into)
}
