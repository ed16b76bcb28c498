//! The roll-up queries of the aggregator's reports (rules.md § 9), the same SQL on SQLite and
//! PostgreSQL: every figure is counted by the database (`GROUP BY`, `CAST(SUM(..) AS BIGINT)`), over
//! the units of an area (optionally of one level), grouped by the child of the area each unit lies
//! under (the drill-down), the area's own unit being a group of its own.
//!
//! A unit lies under a child when the child's `path` is a prefix of the unit's. Children of one parent
//! usually have paths of one length, so the grouping is an equality join on
//! `g.path = SUBSTR(u.path, 1, L)` (with `LENGTH(g.path) = L`) for each length `L` (a hash join on
//! PostgreSQL), never a `LIKE` per child. The groups are disjoint, so the caller adds them up into the area's totals.

use super::db::{Row, Tx, Value};
use crate::{Result, StoreError};
use std::collections::BTreeMap;

/// A unit of the tree, as a report names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitRef {
    pub code: String,
    pub name: String,
    /// `province`, `district`, `grassroots` or `cell`.
    pub level: String,
    pub path: String,
    pub position: Option<i64>,
}

const UNIT_COLUMNS: &str = "code, name, level, path, position";

fn unit_ref(r: &Row) -> Result<UnitRef> {
    Ok(UnitRef {
        code: r.text(0)?,
        name: r.text(1)?,
        level: r.text(2)?,
        path: r.text(3)?,
        position: r.opt_int(4)?,
    })
}

/// The unit with this code.
pub fn unit(tx: &mut Tx<'_>, code: &str) -> Result<Option<UnitRef>> {
    tx.query_opt(&format!("SELECT {UNIT_COLUMNS} FROM units WHERE code = $1"), &[code.into()])?
        .as_ref()
        .map(unit_ref)
        .transpose()
}

/// The children of a unit (`None`: the roots of the tree), in the tree's order (position, then code;
/// sorted here so that both backends give the same order whatever their collation).
pub fn children(tx: &mut Tx<'_>, parent: Option<&str>) -> Result<Vec<UnitRef>> {
    let rows = match parent {
        Some(p) => {
            tx.query(&format!("SELECT {UNIT_COLUMNS} FROM units WHERE parent_code = $1"), &[p.into()])?
        }
        None => tx.query(&format!("SELECT {UNIT_COLUMNS} FROM units WHERE parent_code IS NULL"), &[])?,
    };
    let mut units = rows.iter().map(unit_ref).collect::<Result<Vec<_>>>()?;
    units.sort_by(|a, b| {
        (a.position.is_none(), a.position, a.code.as_bytes()).cmp(&(
            b.position.is_none(),
            b.position,
            b.code.as_bytes(),
        ))
    });
    Ok(units)
}

/// What a report counts: the units under `area` (the whole tree when `None`), grouped by `children`
/// (the children of `area`, from [`children`]), only those of `level` when given.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    pub area: Option<&'a UnitRef>,
    pub children: &'a [UnitRef],
    /// A `units.level` code, already checked by the caller.
    pub level: Option<&'a str>,
}

/// One way of grouping a part of the area: `FROM units u … WHERE {filter} GROUP BY {group}`; its
/// parameters come first (`$1`, `$2`, …).
struct Variant {
    /// The SQL expression of the group: a prefix of the path, or the unit's code.
    group: String,
    /// For a child variant, the length of the children's paths it groups by.
    len: Option<usize>,
    filter: String,
    params: Vec<Value>,
}

/// `LIKE` pattern for the paths that start with `prefix` (`_`, `%` and `\` taken literally).
fn like_prefix(prefix: &str) -> String {
    let mut out = String::with_capacity(prefix.len() + 1);
    for ch in prefix.chars() {
        if matches!(ch, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(ch);
    }
    out.push('%');
    out
}

impl Scope<'_> {
    fn variants(&self) -> Vec<Variant> {
        let mut lengths: Vec<usize> = self.children.iter().map(|c| c.path.chars().count()).collect();
        lengths.sort_unstable();
        lengths.dedup();
        let mut out = Vec::new();
        for len in lengths {
            let (mut filter, params) = self.area_filter();
            // `len` is a count of characters of our own paths, not an input: it is written inline so
            // that both backends see an integer literal.
            filter.push_str(&format!(" AND LENGTH(u.path) >= {len}"));
            out.push(Variant { group: format!("SUBSTR(u.path, 1, {len})"), len: Some(len), filter, params });
        }
        if let Some(a) = self.area {
            let mut params: Vec<Value> = vec![a.code.as_str().into()];
            let mut filter = "u.code = $1".to_owned();
            if let Some(level) = self.level {
                params.push(level.into());
                filter.push_str(" AND u.level = $2");
            }
            out.push(Variant { group: "u.code".to_owned(), len: None, filter, params });
        }
        out
    }

    /// Runs `SELECT {group}, {select} FROM units u {tail} WHERE {filter} GROUP BY {group}{by}` for
    /// every variant; each row with the code of its group (a child of the area, or the area itself).
    /// A child variant groups by the first `L` characters of the path: a prefix that is not the path
    /// of a child of length `L` belongs to another variant (or to the area's own unit) and is left out.
    fn grouped(&self, tx: &mut Tx<'_>, select: &str, tail: &str, by: &str) -> Result<Vec<(String, Row)>> {
        let mut rows = Vec::new();
        for v in self.variants() {
            let sql = format!(
                "SELECT {g}, {select} FROM units u {tail} WHERE {filter} GROUP BY {g}{by}",
                g = v.group,
                filter = v.filter,
            );
            for r in tx.query(&sql, &v.params)? {
                let key = r.text(0)?;
                let group = match v.len {
                    Some(len) => self
                        .children
                        .iter()
                        .find(|c| c.path == key && c.path.chars().count() == len)
                        .map(|c| c.code.clone()),
                    None => Some(key),
                };
                if let Some(group) = group {
                    rows.push((group, r));
                }
            }
        }
        Ok(rows)
    }

    /// The filter of a plain (ungrouped) query over the area: its conditions on `u` and parameters.
    fn area_filter(&self) -> (String, Vec<Value>) {
        let mut params: Vec<Value> = Vec::new();
        let mut filter = match self.area {
            Some(a) => {
                params.push(like_prefix(&a.path).into());
                "u.path LIKE $1 ESCAPE '\\'".to_owned()
            }
            None => "1 = 1".to_owned(),
        };
        if let Some(level) = self.level {
            params.push(level.into());
            filter.push_str(&format!(" AND u.level = ${}", params.len()));
        }
        (filter, params)
    }
}

fn count(r: &Row, i: usize) -> Result<u64> {
    let n = r.opt_int(i)?.unwrap_or(0);
    u64::try_from(n).map_err(|_| StoreError::Data(format!("column {i}: a negative count {n}")))
}

/// Units of one level in one group, with their congresses' status (`None`: no congress recorded,
/// not held).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgressCount {
    pub group: String,
    pub level: String,
    pub status: Option<String>,
    pub units: u64,
    /// Of them, congresses that elected the secretary directly.
    pub direct_secretary: u64,
}

/// How many units, by group, level and congress status.
pub fn progress(tx: &mut Tx<'_>, scope: &Scope<'_>) -> Result<Vec<ProgressCount>> {
    let rows = scope.grouped(
        tx,
        "u.level, c.status, COUNT(*), \
         CAST(SUM(CASE WHEN c.direct_secretary = 1 THEN 1 ELSE 0 END) AS BIGINT)",
        "LEFT JOIN congresses c ON c.unit_code = u.code",
        ", u.level, c.status",
    )?;
    rows.iter()
        .map(|(group, r)| {
            Ok(ProgressCount {
                group: group.clone(),
                level: r.text(1)?,
                status: r.opt_text(2)?,
                units: count(r, 3)?,
                direct_secretary: count(r, 4)?,
            })
        })
        .collect()
}

/// The members of one body (or the official / alternate delegates) elected in one group, with the
/// counts of rules.md § 9 (from the `elected` rows of the current packages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyCount {
    pub group: String,
    /// A `Body` code.
    pub body: String,
    pub alternate: bool,
    pub members: u64,
    pub women: u64,
    pub under_35: u64,
    pub ethnic_minority: u64,
    pub religious: u64,
    pub first_time: u64,
}

/// The composition counts of every body, by group.
pub fn bodies(tx: &mut Tx<'_>, scope: &Scope<'_>) -> Result<Vec<BodyCount>> {
    let rows = scope.grouped(
        tx,
        "e.body, e.alternate, COUNT(*), CAST(SUM(e.female) AS BIGINT), CAST(SUM(e.under_35) AS BIGINT), \
         CAST(SUM(e.ethnic_minority) AS BIGINT), CAST(SUM(e.religious) AS BIGINT), \
         CAST(SUM(e.first_time) AS BIGINT)",
        "JOIN elected e ON e.unit_code = u.code",
        ", e.body, e.alternate",
    )?;
    rows.iter()
        .map(|(group, r)| {
            Ok(BodyCount {
                group: group.clone(),
                body: r.text(1)?,
                alternate: r.bool(2)?,
                members: count(r, 3)?,
                women: count(r, 4)?,
                under_35: count(r, 5)?,
                ethnic_minority: count(r, 6)?,
                religious: count(r, 7)?,
                first_time: count(r, 8)?,
            })
        })
        .collect()
}

/// How many members of a body (alternates left out) have one education or one political theory level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelCount {
    pub body: String,
    /// As written on the roster; empty when not stated.
    pub label: String,
    pub count: u64,
}

/// The education and the political theory of the members of every body over the whole scope
/// (`(education, theory)`).
pub fn qualifications(tx: &mut Tx<'_>, scope: &Scope<'_>) -> Result<(Vec<LabelCount>, Vec<LabelCount>)> {
    let (filter, params) = scope.area_filter();
    // One pass over the elected: by body, education and theory together, split here.
    let sql = format!(
        "SELECT e.body, e.education, e.theory, COUNT(*) FROM units u JOIN elected e ON e.unit_code = u.code \
         WHERE {filter} AND e.alternate = 0 GROUP BY e.body, e.education, e.theory"
    );
    let mut education: BTreeMap<(String, String), u64> = BTreeMap::new();
    let mut theory: BTreeMap<(String, String), u64> = BTreeMap::new();
    for r in tx.query(&sql, &params)? {
        let (body, n) = (r.text(0)?, count(&r, 3)?);
        *education.entry((body.clone(), r.text(1)?)).or_default() += n;
        *theory.entry((body, r.text(2)?)).or_default() += n;
    }
    let list = |m: BTreeMap<(String, String), u64>| {
        m.into_iter().map(|((body, label), count)| LabelCount { body, label, count }).collect()
    };
    Ok((list(education), list(theory)))
}

/// The lower bounds of the bands of secretaries' vote shares, in hundredths of a percent: below 50 %,
/// 50 – < 60 %, …, 90 – < 100 %, and exactly 100 %.
pub const SECRETARY_BANDS: [u64; 7] = [0, 5000, 6000, 7000, 8000, 9000, 10_000];

/// The secretaries elected in one group, those elected directly by the congress apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretaryCount {
    pub group: String,
    pub direct: bool,
    pub count: u64,
    /// Lowest and highest share of the base, in hundredths.
    pub min: u64,
    pub max: u64,
    /// How many fall in each band of [`SECRETARY_BANDS`].
    pub bands: [u64; 7],
}

/// The secretaries' vote shares, by group and direct election.
pub fn secretaries(tx: &mut Tx<'_>, scope: &Scope<'_>) -> Result<Vec<SecretaryCount>> {
    let mut bands = String::new();
    for (i, low) in SECRETARY_BANDS.iter().enumerate() {
        let cond = match SECRETARY_BANDS.get(i + 1) {
            Some(high) => format!("e.percent_of_base >= {low} AND e.percent_of_base < {high}"),
            None => format!("e.percent_of_base >= {low}"),
        };
        bands.push_str(&format!(", CAST(SUM(CASE WHEN {cond} THEN 1 ELSE 0 END) AS BIGINT)"));
    }
    let rows = scope.grouped(
        tx,
        &format!(
            "COALESCE(c.direct_secretary, 0), COUNT(*), MIN(e.percent_of_base), MAX(e.percent_of_base){bands}"
        ),
        "JOIN elected e ON e.unit_code = u.code AND e.body = 'secretary' AND e.alternate = 0 \
         LEFT JOIN congresses c ON c.unit_code = u.code",
        ", COALESCE(c.direct_secretary, 0)",
    )?;
    rows.iter()
        .map(|(group, r)| {
            let mut bands = [0u64; 7];
            for (i, b) in bands.iter_mut().enumerate() {
                *b = count(r, 5 + i)?;
            }
            Ok(SecretaryCount {
                group: group.clone(),
                direct: r.bool(1)?,
                count: count(r, 2)?,
                min: count(r, 3)?,
                max: count(r, 4)?,
                bands,
            })
        })
        .collect()
}

/// How many departures from the personnel plans, by group.
pub fn departure_counts(tx: &mut Tx<'_>, scope: &Scope<'_>) -> Result<Vec<(String, u64)>> {
    let rows = scope.grouped(tx, "COUNT(*)", "JOIN plan_departures d ON d.unit_code = u.code", "")?;
    rows.iter().map(|(group, r)| Ok((group.clone(), count(r, 1)?))).collect()
}

/// A departure from a personnel plan, as the node worded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Departure {
    pub unit_code: String,
    pub unit_name: String,
    pub unit_path: String,
    pub body: String,
    pub text: String,
}

/// The first `limit` departures of the scope in the order of the tree (by path, body, text; sorted
/// again here byte-wise, so both backends agree whatever their collation).
pub fn departures(tx: &mut Tx<'_>, scope: &Scope<'_>, limit: u32) -> Result<Vec<Departure>> {
    let (filter, params) = scope.area_filter();
    let sql = format!(
        "SELECT u.code, u.name, u.path, d.body, d.text FROM units u JOIN plan_departures d ON d.unit_code = u.code \
         WHERE {filter} ORDER BY u.path, d.body, d.text LIMIT {limit}"
    );
    let mut list = tx
        .query(&sql, &params)?
        .iter()
        .map(|r| {
            Ok(Departure {
                unit_code: r.text(0)?,
                unit_name: r.text(1)?,
                unit_path: r.text(2)?,
                body: r.text(3)?,
                text: r.text(4)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    list.sort_by(|a, b| {
        (a.unit_path.as_bytes(), a.body.as_bytes(), a.text.as_bytes()).cmp(&(
            b.unit_path.as_bytes(),
            b.body.as_bytes(),
            b.text.as_bytes(),
        ))
    });
    Ok(list)
}

/// How many complaints in one group have one status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusCount {
    pub group: String,
    pub status: String,
    pub count: u64,
}

/// The complaints by group and status.
pub fn complaints(tx: &mut Tx<'_>, scope: &Scope<'_>) -> Result<Vec<StatusCount>> {
    let rows =
        scope.grouped(tx, "k.status, COUNT(*)", "JOIN complaints k ON k.unit_code = u.code", ", k.status")?;
    rows.iter()
        .map(|(group, r)| Ok(StatusCount { group: group.clone(), status: r.text(1)?, count: count(r, 2)? }))
        .collect()
}

/// Refreshes the planner's statistics of every table (`ANALYZE`, the same statement on both
/// backends): after a large import, so that the roll-ups are planned on the real sizes at once rather
/// than when PostgreSQL's autovacuum gets to them.
pub fn refresh_statistics(tx: &mut Tx<'_>) -> Result<()> {
    tx.execute("ANALYZE", &[])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregator::db::AggDb;
    use crate::aggregator::packages::{self, CongressFacts, DepartureRow, ElectedRow, NewPackage};
    use crate::aggregator::units::{self, UnitRow};

    #[test]
    fn like_prefix_takes_wildcards_literally() {
        assert_eq!(like_prefix("01/01_a/"), "01/01\\_a/%");
        assert_eq!(like_prefix("a%b\\"), "a\\%b\\\\%");
    }

    fn unit(code: &str, parent: Option<&str>, level: &str, path: &str, position: i64) -> UnitRow {
        UnitRow {
            code: code.into(),
            parent_code: parent.map(Into::into),
            name: format!("Đơn vị {code}"),
            level: level.into(),
            path: path.into(),
            depth: path.matches('/').count() as i64 - 1,
            position,
        }
    }

    fn member(body: &str, alternate: bool, female: bool, percent: i64) -> ElectedRow {
        ElectedRow {
            body: body.into(),
            alternate,
            person: 1,
            name: "Nguyễn Văn A".into(),
            female,
            birth_year: Some(1980),
            under_35: false,
            ethnic_minority: female,
            religious: false,
            first_time: true,
            ethnicity: "Kinh".into(),
            religion: "Không".into(),
            education: "Đại học".into(),
            theory: "Cao cấp".into(),
            votes: 90,
            percent_of_base: percent,
            round: 1,
        }
    }

    /// Two children of different code lengths and the area's own unit are three disjoint groups; a
    /// `_` in a code is no wildcard; a level filter keeps only that level.
    #[test]
    fn report_groups_by_child_and_counts_in_sql() {
        let dir = tempfile::tempdir().expect("dir");
        let db = AggDb::open_sqlite(&dir.path().join("a.sqlite")).expect("open");
        db.write(|tx| {
            units::upsert(
                tx,
                &[
                    unit("P", None, "province", "P/", 1),
                    unit("D1", Some("P"), "district", "P/D1/", 2),
                    unit("D_22", Some("P"), "district", "P/D_22/", 1),
                    unit("G1", Some("D1"), "grassroots", "P/D1/G1/", 1),
                    unit("G2", Some("D1"), "grassroots", "P/D1/G2/", 2),
                    unit("G3", Some("D_22"), "grassroots", "P/D_22/G3/", 1),
                    unit("DX22", None, "district", "DX22/", 2),
                ],
            )?;
            for (code, direct, percent) in [("G1", true, 9000), ("G3", false, 8860), ("P", false, 10_000)] {
                let sha = format!("{code:0>64}");
                let id = packages::insert_current(
                    tx,
                    &NewPackage {
                        unit_code: code,
                        version: 1,
                        sha256: &sha,
                        supersedes_sha256: None,
                        fingerprint: "F",
                        received_at: 0,
                        received_by: "t",
                        file: b"x",
                    },
                )?;
                let facts = CongressFacts {
                    name: "Đại hội".into(),
                    organisation: "Đảng bộ".into(),
                    level: "grassroots".into(),
                    kind: "members_congress".into(),
                    term: "2025–2030".into(),
                    opened_on: None,
                    closed_on: "2025-05-01".into(),
                    reported_on: "2025-05-02".into(),
                    direct_secretary: direct,
                };
                packages::replace_congress(tx, code, id, &facts, "reported", "2025-05-02")?;
                packages::replace_results(
                    tx,
                    code,
                    id,
                    &[
                        member("committee", false, true, 9500),
                        member("committee", false, false, 9000),
                        member("secretary", false, false, percent),
                        member("delegates", false, false, 8000),
                        member("delegates", true, true, 7000),
                    ],
                    &[],
                    &[DepartureRow { body: "committee".into(), text: "Thiếu nữ".into() }],
                )?;
            }
            tx.execute(
                "INSERT INTO complaints (unit_code, received_on, complainant, summary, status) \
                 VALUES ('G2', '2025-05-03', 'A', 'B', 'pending')",
                &[],
            )?;
            Ok(())
        })
        .expect("seed");
        db.read(|tx| {
            let area = super::unit(tx, "P")?.expect("P");
            let children = children(tx, Some("P"))?;
            assert_eq!(children.iter().map(|c| c.code.as_str()).collect::<Vec<_>>(), ["D_22", "D1"]);
            let scope = Scope { area: Some(&area), children: &children, level: None };
            let mut progress = progress(tx, &scope)?;
            progress.sort_by(|a, b| (&a.group, &a.level, &a.status).cmp(&(&b.group, &b.level, &b.status)));
            let seen: Vec<(&str, &str, Option<&str>, u64, u64)> = progress
                .iter()
                .map(|p| {
                    (p.group.as_str(), p.level.as_str(), p.status.as_deref(), p.units, p.direct_secretary)
                })
                .collect();
            assert_eq!(
                seen,
                [
                    ("D1", "district", None, 1, 0),
                    ("D1", "grassroots", None, 1, 0),
                    ("D1", "grassroots", Some("reported"), 1, 1),
                    ("D_22", "district", None, 1, 0),
                    ("D_22", "grassroots", Some("reported"), 1, 0),
                    ("P", "province", Some("reported"), 1, 0),
                ]
            );
            let bodies = bodies(tx, &scope)?;
            let committee: u64 = bodies.iter().filter(|b| b.body == "committee").map(|b| b.members).sum();
            let women: u64 = bodies.iter().filter(|b| b.body == "committee").map(|b| b.women).sum();
            assert_eq!((committee, women), (6, 3));
            let secretaries = secretaries(tx, &scope)?;
            let d1 = secretaries.iter().find(|s| s.group == "D1").expect("D1");
            assert_eq!((d1.direct, d1.count, d1.min, d1.max), (true, 1, 9000, 9000));
            assert_eq!(d1.bands, [0, 0, 0, 0, 0, 1, 0]);
            let own = secretaries.iter().find(|s| s.group == "P").expect("P");
            assert_eq!(own.bands, [0, 0, 0, 0, 0, 0, 1]);
            assert_eq!(departure_counts(tx, &scope)?.len(), 3);
            assert_eq!(departures(tx, &scope, 2)?.len(), 2);
            let complaints = complaints(tx, &scope)?;
            assert_eq!(complaints.len(), 1);
            assert_eq!((complaints[0].group.as_str(), complaints[0].count), ("D1", 1));
            let (education, theory) = qualifications(tx, &scope)?;
            assert!(education.iter().any(|l| l.body == "committee" && l.label == "Đại học" && l.count == 6));
            assert!(theory.iter().any(|l| l.body == "delegates" && l.count == 3));
            // One level only: the grassroots units.
            let scope = Scope { area: Some(&area), children: &children, level: Some("grassroots") };
            let units: u64 = progress_units(tx, &scope)?;
            assert_eq!(units, 3);
            // The whole tree: the roots are the groups.
            let roots = super::children(tx, None)?;
            let scope = Scope { area: None, children: &roots, level: None };
            let units: u64 = progress_units(tx, &scope)?;
            assert_eq!(units, 7);
            Ok(())
        })
        .expect("read");
    }

    fn progress_units(tx: &mut Tx<'_>, scope: &Scope<'_>) -> Result<u64> {
        Ok(progress(tx, scope)?.iter().map(|p| p.units).sum())
    }
}
