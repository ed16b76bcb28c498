//! The approval workflow's tables: `congresses` (status), `approvals`, `annulments`, `complaints`,
//! the holiday calendar and the deadline settings, and the reads of the congress detail page.

use super::db::{Row, Tx, Value};
use crate::Result;

/// A unit with its congress, if any (`status` is `None` when the congress is not held).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CongressRow {
    pub unit_code: String,
    pub unit_name: String,
    pub unit_level: String,
    pub unit_path: String,
    pub package_id: Option<i64>,
    pub name: Option<String>,
    pub organisation: Option<String>,
    pub kind: Option<String>,
    pub term: Option<String>,
    pub opened_on: Option<String>,
    pub closed_on: Option<String>,
    pub reported_on: Option<String>,
    pub direct_secretary: Option<bool>,
    pub status: Option<String>,
    pub status_on: Option<String>,
}

const CONGRESS: &str =
    "SELECT u.code, u.name, u.level, u.path, c.package_id, c.name, c.organisation, c.kind, c.term,
            c.opened_on, c.closed_on, c.reported_on, c.direct_secretary, c.status, c.status_on
     FROM units u LEFT JOIN congresses c ON c.unit_code = u.code";

fn congress_row(r: &Row) -> Result<CongressRow> {
    Ok(CongressRow {
        unit_code: r.text(0)?,
        unit_name: r.text(1)?,
        unit_level: r.text(2)?,
        unit_path: r.text(3)?,
        package_id: r.opt_int(4)?,
        name: r.opt_text(5)?,
        organisation: r.opt_text(6)?,
        kind: r.opt_text(7)?,
        term: r.opt_text(8)?,
        opened_on: r.opt_text(9)?,
        closed_on: r.opt_text(10)?,
        reported_on: r.opt_text(11)?,
        direct_secretary: r.opt_bool(12)?,
        status: r.opt_text(13)?,
        status_on: r.opt_text(14)?,
    })
}

/// A unit and its congress.
pub fn congress(tx: &mut Tx<'_>, unit_code: &str) -> Result<Option<CongressRow>> {
    tx.query_opt(&format!("{CONGRESS} WHERE u.code = $1"), &[Value::from(unit_code)])?
        .as_ref()
        .map(congress_row)
        .transpose()
}

/// Areas are `units.path` prefixes: `LIKE` for the index, and an exact `substr` comparison because a
/// unit code may hold `_`, which `LIKE` takes as a wildcard.
///
/// The congresses of an area (`prefix` of `units.path`, empty for all) that have a deadline running:
/// held (report due) or reported (approval due), by path.
pub fn open_congresses(tx: &mut Tx<'_>, prefix: &str) -> Result<Vec<CongressRow>> {
    let rows = tx.query(
        &format!(
            "{CONGRESS} WHERE u.path LIKE $1 || '%' AND substr(u.path, 1, length(CAST($1 AS TEXT))) = CAST($1 AS TEXT) AND c.status IN ('held', 'reported') ORDER BY u.path"
        ),
        &[Value::from(prefix)],
    )?;
    rows.iter().map(congress_row).collect()
}

/// Marks a congress held on `closed_on` (a new one, or a re-run after an annulment): its package
/// link and report date are cleared until a package arrives.
pub fn mark_held(tx: &mut Tx<'_>, unit_code: &str, closed_on: &str, status_on: &str) -> Result<()> {
    tx.execute(
        "INSERT INTO congresses (unit_code, closed_on, status, status_on) VALUES ($1, $2, 'held', $3)
         ON CONFLICT (unit_code) DO UPDATE SET closed_on = $2, status = 'held', status_on = $3,
             package_id = NULL, reported_on = NULL",
        &[Value::from(unit_code), Value::from(closed_on), Value::from(status_on)],
    )?;
    Ok(())
}

pub fn set_status(tx: &mut Tx<'_>, unit_code: &str, status: &str, status_on: &str) -> Result<u64> {
    tx.execute(
        "UPDATE congresses SET status = $1, status_on = $2 WHERE unit_code = $3",
        &[Value::from(status), Value::from(status_on), Value::from(unit_code)],
    )
}

/// A decision on a body or a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalRow {
    pub id: i64,
    pub body: String,
    pub person: Option<i64>,
    pub decision: String,
    pub reason: Option<String>,
    pub decided_on: String,
    pub decided_by: String,
    pub package_id: Option<i64>,
}

#[allow(clippy::too_many_arguments)]
pub fn insert_approval(
    tx: &mut Tx<'_>,
    unit_code: &str,
    body: &str,
    person: Option<i64>,
    decision: &str,
    reason: Option<&str>,
    decided_on: &str,
    decided_by: &str,
    package_id: i64,
) -> Result<i64> {
    tx.query_one(
        "INSERT INTO approvals (unit_code, body, person, decision, reason, decided_on, decided_by, package_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        &[
            Value::from(unit_code),
            Value::from(body),
            Value::from(person),
            Value::from(decision),
            Value::from(reason),
            Value::from(decided_on),
            Value::from(decided_by),
            Value::from(package_id),
        ],
    )?
    .int(0)
}

/// Every decision on a unit, oldest first.
pub fn approvals(tx: &mut Tx<'_>, unit_code: &str) -> Result<Vec<ApprovalRow>> {
    let rows = tx.query(
        "SELECT id, body, person, decision, reason, decided_on, decided_by, package_id
         FROM approvals WHERE unit_code = $1 ORDER BY id",
        &[Value::from(unit_code)],
    )?;
    rows.iter()
        .map(|r| {
            Ok(ApprovalRow {
                id: r.int(0)?,
                body: r.text(1)?,
                person: r.opt_int(2)?,
                decision: r.text(3)?,
                reason: r.opt_text(4)?,
                decided_on: r.text(5)?,
                decided_by: r.text(6)?,
                package_id: r.opt_int(7)?,
            })
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnulmentRow {
    pub id: i64,
    pub body: Option<String>,
    pub reason: String,
    pub decided_on: String,
    pub decided_by: String,
}

pub fn insert_annulment(
    tx: &mut Tx<'_>,
    unit_code: &str,
    body: Option<&str>,
    reason: &str,
    decided_on: &str,
    decided_by: &str,
) -> Result<i64> {
    tx.query_one(
        "INSERT INTO annulments (unit_code, body, reason, decided_on, decided_by) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        &[
            Value::from(unit_code),
            Value::from(body),
            Value::from(reason),
            Value::from(decided_on),
            Value::from(decided_by),
        ],
    )?
    .int(0)
}

pub fn annulments(tx: &mut Tx<'_>, unit_code: &str) -> Result<Vec<AnnulmentRow>> {
    let rows = tx.query(
        "SELECT id, body, reason, decided_on, decided_by FROM annulments WHERE unit_code = $1 ORDER BY id",
        &[Value::from(unit_code)],
    )?;
    rows.iter()
        .map(|r| {
            Ok(AnnulmentRow {
                id: r.int(0)?,
                body: r.opt_text(1)?,
                reason: r.text(2)?,
                decided_on: r.text(3)?,
                decided_by: r.text(4)?,
            })
        })
        .collect()
}

/// A complaint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComplaintRow {
    pub id: i64,
    pub unit_code: String,
    pub received_on: String,
    pub complainant: String,
    pub about_body: Option<String>,
    pub about_person: Option<i64>,
    pub summary: String,
    pub verifier: Option<String>,
    pub status: String,
    pub outcome: Option<String>,
    pub closed_on: Option<String>,
}

const COMPLAINT: &str =
    "SELECT id, unit_code, received_on, complainant, about_body, about_person, summary, verifier,
            status, outcome, closed_on FROM complaints";

fn complaint_row(r: &Row) -> Result<ComplaintRow> {
    Ok(ComplaintRow {
        id: r.int(0)?,
        unit_code: r.text(1)?,
        received_on: r.text(2)?,
        complainant: r.text(3)?,
        about_body: r.opt_text(4)?,
        about_person: r.opt_int(5)?,
        summary: r.text(6)?,
        verifier: r.opt_text(7)?,
        status: r.text(8)?,
        outcome: r.opt_text(9)?,
        closed_on: r.opt_text(10)?,
    })
}

#[allow(clippy::too_many_arguments)]
pub fn insert_complaint(
    tx: &mut Tx<'_>,
    unit_code: &str,
    received_on: &str,
    complainant: &str,
    about_body: Option<&str>,
    about_person: Option<i64>,
    summary: &str,
) -> Result<i64> {
    tx.query_one(
        "INSERT INTO complaints (unit_code, received_on, complainant, about_body, about_person, summary, status)
         VALUES ($1, $2, $3, $4, $5, $6, 'pending') RETURNING id",
        &[
            Value::from(unit_code),
            Value::from(received_on),
            Value::from(complainant),
            Value::from(about_body),
            Value::from(about_person),
            Value::from(summary),
        ],
    )?
    .int(0)
}

pub fn complaint(tx: &mut Tx<'_>, id: i64) -> Result<Option<ComplaintRow>> {
    tx.query_opt(&format!("{COMPLAINT} WHERE id = $1"), &[Value::from(id)])?
        .as_ref()
        .map(complaint_row)
        .transpose()
}

/// The complaints about a unit's congress, oldest first.
pub fn complaints(tx: &mut Tx<'_>, unit_code: &str) -> Result<Vec<ComplaintRow>> {
    let rows =
        tx.query(&format!("{COMPLAINT} WHERE unit_code = $1 ORDER BY id"), &[Value::from(unit_code)])?;
    rows.iter().map(complaint_row).collect()
}

/// The pending complaints of an area, oldest first.
pub fn pending_complaints(tx: &mut Tx<'_>, prefix: &str) -> Result<Vec<ComplaintRow>> {
    let rows = tx.query(
        "SELECT c.id, c.unit_code, c.received_on, c.complainant, c.about_body, c.about_person, c.summary, c.verifier,
                c.status, c.outcome, c.closed_on
         FROM complaints c JOIN units u ON u.code = c.unit_code
         WHERE c.status = 'pending' AND u.path LIKE $1 || '%' AND substr(u.path, 1, length(CAST($1 AS TEXT))) = CAST($1 AS TEXT) ORDER BY c.id",
        &[Value::from(prefix)],
    )?;
    rows.iter().map(complaint_row).collect()
}

pub fn set_verifier(tx: &mut Tx<'_>, id: i64, verifier: &str) -> Result<u64> {
    tx.execute("UPDATE complaints SET verifier = $1 WHERE id = $2", &[Value::from(verifier), Value::from(id)])
}

pub fn close_complaint(
    tx: &mut Tx<'_>,
    id: i64,
    status: &str,
    outcome: &str,
    closed_on: &str,
) -> Result<u64> {
    tx.execute(
        "UPDATE complaints SET status = $1, outcome = $2, closed_on = $3 WHERE id = $4 AND status = 'pending'",
        &[Value::from(status), Value::from(outcome), Value::from(closed_on), Value::from(id)],
    )
}

/// The holidays, by day.
pub fn holidays(tx: &mut Tx<'_>) -> Result<Vec<(String, String)>> {
    let rows = tx.query("SELECT day, name FROM holidays ORDER BY day", &[])?;
    rows.iter().map(|r| Ok((r.text(0)?, r.text(1)?))).collect()
}

pub fn holiday(tx: &mut Tx<'_>, day: &str) -> Result<Option<String>> {
    tx.query_opt("SELECT name FROM holidays WHERE day = $1", &[Value::from(day)])?
        .map(|r| r.text(0))
        .transpose()
}

/// Adds a holiday or renames it.
pub fn put_holiday(tx: &mut Tx<'_>, day: &str, name: &str) -> Result<()> {
    tx.execute(
        "INSERT INTO holidays (day, name) VALUES ($1, $2) ON CONFLICT (day) DO UPDATE SET name = $2",
        &[Value::from(day), Value::from(name)],
    )?;
    Ok(())
}

pub fn delete_holiday(tx: &mut Tx<'_>, day: &str) -> Result<u64> {
    tx.execute("DELETE FROM holidays WHERE day = $1", &[Value::from(day)])
}

pub fn settings(tx: &mut Tx<'_>) -> Result<Vec<(String, String)>> {
    let rows = tx.query("SELECT key, value FROM settings ORDER BY key", &[])?;
    rows.iter().map(|r| Ok((r.text(0)?, r.text(1)?))).collect()
}

pub fn setting(tx: &mut Tx<'_>, key: &str) -> Result<Option<String>> {
    tx.query_opt("SELECT value FROM settings WHERE key = $1", &[Value::from(key)])?
        .map(|r| r.text(0))
        .transpose()
}

pub fn put_setting(tx: &mut Tx<'_>, key: &str, value: &str) -> Result<()> {
    tx.execute(
        "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = $2",
        &[Value::from(key), Value::from(value)],
    )?;
    Ok(())
}

/// One stored version of a unit's package (without the file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageVersion {
    pub id: i64,
    pub version: i64,
    pub sha256: String,
    pub supersedes_sha256: Option<String>,
    pub fingerprint: String,
    pub received_at: i64,
    pub received_by: String,
    pub current: bool,
}

/// Every version held for a unit, newest first.
pub fn package_versions(tx: &mut Tx<'_>, unit_code: &str) -> Result<Vec<PackageVersion>> {
    let rows = tx.query(
        "SELECT id, version, sha256, supersedes_sha256, fingerprint, received_at, received_by, current
         FROM packages WHERE unit_code = $1 ORDER BY version DESC",
        &[Value::from(unit_code)],
    )?;
    rows.iter()
        .map(|r| {
            Ok(PackageVersion {
                id: r.int(0)?,
                version: r.int(1)?,
                sha256: r.text(2)?,
                supersedes_sha256: r.opt_text(3)?,
                fingerprint: r.text(4)?,
                received_at: r.int(5)?,
                received_by: r.text(6)?,
                current: r.bool(7)?,
            })
        })
        .collect()
}

/// Someone elected, as the detail page lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElectedRow {
    pub body: String,
    pub alternate: bool,
    pub person: i64,
    pub name: String,
    pub female: bool,
    pub birth_year: Option<i64>,
    pub first_time: bool,
    pub votes: i64,
    pub percent_of_base: i64,
    pub round: i64,
}

/// The elected of a package, by body, then official before alternate, then most votes.
pub fn elected(tx: &mut Tx<'_>, package_id: i64) -> Result<Vec<ElectedRow>> {
    let rows = tx.query(
        "SELECT body, alternate, person, name, female, birth_year, first_time, votes, percent_of_base, round
         FROM elected WHERE package_id = $1 ORDER BY body, alternate, votes DESC, person",
        &[Value::from(package_id)],
    )?;
    rows.iter()
        .map(|r| {
            Ok(ElectedRow {
                body: r.text(0)?,
                alternate: r.bool(1)?,
                person: r.int(2)?,
                name: r.text(3)?,
                female: r.bool(4)?,
                birth_year: r.opt_int(5)?,
                first_time: r.bool(6)?,
                votes: r.int(7)?,
                percent_of_base: r.int(8)?,
                round: r.int(9)?,
            })
        })
        .collect()
}
