//! Result packages received (`packages`: every version kept, one current per unit) and what the
//! current one says (`congresses`, `elected`, `bases`, `plan_departures`).

use super::db::{Row, Tx, Value};
use crate::Result;

/// A package held, without its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldPackage {
    pub id: i64,
    pub unit_code: String,
    pub version: i64,
    pub sha256: String,
    pub supersedes_sha256: Option<String>,
    pub fingerprint: String,
    pub received_at: i64,
    pub received_by: String,
    pub current: bool,
}

const HELD_COLUMNS: &str =
    "id, unit_code, version, sha256, supersedes_sha256, fingerprint, received_at, received_by, current";

fn held(r: &Row) -> Result<HeldPackage> {
    Ok(HeldPackage {
        id: r.int(0)?,
        unit_code: r.text(1)?,
        version: r.int(2)?,
        sha256: r.text(3)?,
        supersedes_sha256: r.opt_text(4)?,
        fingerprint: r.text(5)?,
        received_at: r.int(6)?,
        received_by: r.text(7)?,
        current: r.bool(8)?,
    })
}

/// The package with this body digest, of any unit.
pub fn by_sha256(tx: &mut Tx<'_>, sha256: &str) -> Result<Option<HeldPackage>> {
    tx.query_opt(&format!("SELECT {HELD_COLUMNS} FROM packages WHERE sha256 = $1"), &[sha256.into()])?
        .as_ref()
        .map(held)
        .transpose()
}

pub fn by_id(tx: &mut Tx<'_>, id: i64) -> Result<Option<HeldPackage>> {
    tx.query_opt(&format!("SELECT {HELD_COLUMNS} FROM packages WHERE id = $1"), &[id.into()])?
        .as_ref()
        .map(held)
        .transpose()
}

/// Every version held for a unit, oldest first.
pub fn versions(tx: &mut Tx<'_>, unit_code: &str) -> Result<Vec<HeldPackage>> {
    tx.query(
        &format!("SELECT {HELD_COLUMNS} FROM packages WHERE unit_code = $1 ORDER BY version"),
        &[unit_code.into()],
    )?
    .iter()
    .map(held)
    .collect()
}

/// The file of a package, as received.
pub fn file(tx: &mut Tx<'_>, id: i64) -> Result<Option<Vec<u8>>> {
    tx.query_opt("SELECT file FROM packages WHERE id = $1", &[id.into()])?.map(|r| r.bytes(0)).transpose()
}

/// A package to record.
#[derive(Debug, Clone, Copy)]
pub struct NewPackage<'a> {
    pub unit_code: &'a str,
    pub version: i64,
    pub sha256: &'a str,
    pub supersedes_sha256: Option<&'a str>,
    pub fingerprint: &'a str,
    pub received_at: i64,
    pub received_by: &'a str,
    pub file: &'a [u8],
}

/// Records a package as its unit's current one (the previous current stays as history); its id.
pub fn insert_current(tx: &mut Tx<'_>, p: &NewPackage<'_>) -> Result<i64> {
    tx.execute(
        "UPDATE packages SET current = 0 WHERE unit_code = $1 AND current = 1",
        &[p.unit_code.into()],
    )?;
    tx.query_one(
        "INSERT INTO packages (unit_code, version, sha256, supersedes_sha256, fingerprint, received_at, \
         received_by, file, current) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1) RETURNING id",
        &[
            p.unit_code.into(),
            p.version.into(),
            p.sha256.into(),
            p.supersedes_sha256.into(),
            p.fingerprint.into(),
            p.received_at.into(),
            p.received_by.into(),
            p.file.into(),
        ],
    )?
    .int(0)
}

/// The status of a unit's congress, if it has a row.
pub fn congress_status(tx: &mut Tx<'_>, unit_code: &str) -> Result<Option<String>> {
    tx.query_opt("SELECT status FROM congresses WHERE unit_code = $1", &[unit_code.into()])?
        .map(|r| r.text(0))
        .transpose()
}

/// What a package says about its congress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CongressFacts {
    pub name: String,
    pub organisation: String,
    pub level: String,
    pub kind: String,
    pub term: String,
    pub opened_on: Option<String>,
    pub closed_on: String,
    /// The day the package was received (`YYYY-MM-DD`).
    pub reported_on: String,
    pub direct_secretary: bool,
}

/// Sets the unit's congress row from its current package, with `status` as of `status_on`.
pub fn replace_congress(
    tx: &mut Tx<'_>,
    unit_code: &str,
    package_id: i64,
    c: &CongressFacts,
    status: &str,
    status_on: &str,
) -> Result<()> {
    tx.execute(
        "INSERT INTO congresses (unit_code, package_id, name, organisation, level, kind, term, opened_on, \
         closed_on, reported_on, direct_secretary, status, status_on) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
         ON CONFLICT (unit_code) DO UPDATE SET package_id = $2, name = $3, organisation = $4, level = $5, \
         kind = $6, term = $7, opened_on = $8, closed_on = $9, reported_on = $10, direct_secretary = $11, \
         status = $12, status_on = $13",
        &[
            unit_code.into(),
            package_id.into(),
            c.name.as_str().into(),
            c.organisation.as_str().into(),
            c.level.as_str().into(),
            c.kind.as_str().into(),
            c.term.as_str().into(),
            c.opened_on.as_deref().into(),
            c.closed_on.as_str().into(),
            c.reported_on.as_str().into(),
            c.direct_secretary.into(),
            status.into(),
            status_on.into(),
        ],
    )?;
    Ok(())
}

/// One `elected` row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElectedRow {
    pub body: String,
    pub alternate: bool,
    pub person: i64,
    pub name: String,
    pub female: bool,
    pub birth_year: Option<i64>,
    pub under_35: bool,
    pub ethnic_minority: bool,
    pub religious: bool,
    pub first_time: bool,
    pub ethnicity: String,
    pub religion: String,
    pub education: String,
    pub theory: String,
    pub votes: i64,
    pub percent_of_base: i64,
    pub round: i64,
}

/// One `bases` row: an assembly of the package and its base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseRow {
    pub assembly: String,
    pub kind: String,
    pub summoned: i64,
    pub present: i64,
    pub base: i64,
}

/// One departure from a body's personnel plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepartureRow {
    pub body: String,
    pub text: String,
}

/// Rows per multi-row `INSERT`: well under both servers' limits on parameters.
const CHUNK: usize = 400;

/// Inserts `rows` of `width` values each into `table (columns)` in a few multi-row statements.
fn insert_many(
    tx: &mut Tx<'_>,
    table: &str,
    columns: &str,
    width: usize,
    rows: Vec<Vec<Value>>,
) -> Result<()> {
    for chunk in rows.chunks(CHUNK) {
        let mut sql = format!("INSERT INTO {table} ({columns}) VALUES ");
        let mut params = Vec::with_capacity(chunk.len() * width);
        for (i, row) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for c in 0..width {
                if c > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(&format!("${}", i * width + c + 1));
            }
            sql.push(')');
            params.extend(row.iter().cloned());
        }
        tx.execute(&sql, &params)?;
    }
    Ok(())
}

/// Replaces the unit's `elected`, `bases` and `plan_departures` rows with those of its current package.
pub fn replace_results(
    tx: &mut Tx<'_>,
    unit_code: &str,
    package_id: i64,
    elected: &[ElectedRow],
    bases: &[BaseRow],
    departures: &[DepartureRow],
) -> Result<()> {
    for table in ["elected", "bases", "plan_departures"] {
        tx.execute(&format!("DELETE FROM {table} WHERE unit_code = $1"), &[unit_code.into()])?;
    }
    let elected_rows = elected
        .iter()
        .map(|e| {
            vec![
                package_id.into(),
                unit_code.into(),
                e.body.as_str().into(),
                e.alternate.into(),
                e.person.into(),
                e.name.as_str().into(),
                e.female.into(),
                e.birth_year.into(),
                e.under_35.into(),
                e.ethnic_minority.into(),
                e.religious.into(),
                e.first_time.into(),
                e.ethnicity.as_str().into(),
                e.religion.as_str().into(),
                e.education.as_str().into(),
                e.theory.as_str().into(),
                e.votes.into(),
                e.percent_of_base.into(),
                e.round.into(),
            ]
        })
        .collect();
    insert_many(
        tx,
        "elected",
        "package_id, unit_code, body, alternate, person, name, female, birth_year, under_35, ethnic_minority, \
         religious, first_time, ethnicity, religion, education, theory, votes, percent_of_base, round",
        19,
        elected_rows,
    )?;
    let base_rows = bases
        .iter()
        .map(|b| {
            vec![
                package_id.into(),
                unit_code.into(),
                b.assembly.as_str().into(),
                b.kind.as_str().into(),
                b.summoned.into(),
                b.present.into(),
                b.base.into(),
            ]
        })
        .collect();
    insert_many(tx, "bases", "package_id, unit_code, assembly, kind, summoned, present, base", 7, base_rows)?;
    let departure_rows = departures
        .iter()
        .map(|d| vec![package_id.into(), unit_code.into(), d.body.as_str().into(), d.text.as_str().into()])
        .collect();
    insert_many(tx, "plan_departures", "package_id, unit_code, body, text", 4, departure_rows)?;
    Ok(())
}
