//! The personnel plan (phương án nhân sự), entered before the congress by the convening committee:
//! the seats planned for each body, its structure targets (women, under 35, ethnic minority, first
//! time on the body, and by sector — the roster's unit — each a minimum count), and the persons
//! planned for it (the secretary, the deputies, the inspection chair, …; chosen from the roster).
//!
//! After every closed round of an election of a planned body, [`departures`] says where the outcome
//! departs from the plan — a target missed, a planned person not elected, an unplanned person
//! elected, seats unfilled — as advice to the presidium; it never changes a result. It reads the
//! typed round records (`record`) and the roster; the composition is the engine's
//! (`baucu_rules::composition`), the same count as the documents' `body_composition`.

use crate::roster::Person;
use crate::{Actor, App, AppError, FieldProblem, Permission};
use baucu_rules::composition::composition;
use baucu_rules::election::Body;
use baucu_rules::outcome::Outcome;
use baucu_store::plan::{self as db, PlanBodyRow, PlanTargetRow};
use baucu_store::rusqlite::Connection;
use baucu_store::{counting as cdb, persons};
use serde::Serialize;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};

/// A structure target of a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    Women,
    Under35,
    EthnicMinority,
    FirstTime,
    /// Members from one sector (the roster's unit).
    Sector,
}

impl TargetKind {
    /// The targets the plan form asks for one by one (sectors are a list of their own).
    pub const FIXED: [TargetKind; 4] =
        [TargetKind::Women, TargetKind::Under35, TargetKind::EthnicMinority, TargetKind::FirstTime];

    pub fn code(self) -> &'static str {
        match self {
            TargetKind::Women => "women",
            TargetKind::Under35 => "under_35",
            TargetKind::EthnicMinority => "ethnic_minority",
            TargetKind::FirstTime => "first_time",
            TargetKind::Sector => "sector",
        }
    }

    /// The kind a code names; `None` for an unknown code (refused, never defaulted).
    pub fn from_code(code: &str) -> Option<Self> {
        Self::FIXED.into_iter().chain([TargetKind::Sector]).find(|k| k.code() == code)
    }

    /// As the composition of a body is written ("Nữ", "Dưới 35 tuổi", …).
    pub fn label(self) -> &'static str {
        match self {
            TargetKind::Women => "Nữ",
            TargetKind::Under35 => "Dưới 35 tuổi",
            TargetKind::EthnicMinority => "Dân tộc thiểu số",
            TargetKind::FirstTime => "Tham gia lần đầu",
            TargetKind::Sector => "Đơn vị, lĩnh vực",
        }
    }
}

/// One target: at least `minimum` members of the kind (of the sector, for a sector).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Target {
    pub kind: TargetKind,
    /// The unit, for a sector target.
    pub sector: Option<String>,
    pub minimum: u32,
}

impl Target {
    /// "Nữ", or "Đơn vị Y tế xã" for a sector.
    pub fn label(&self) -> String {
        match &self.sector {
            Some(s) => format!("Đơn vị {s}"),
            None => self.kind.label().to_owned(),
        }
    }
}

/// A person planned for a body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedPerson {
    pub person_id: i64,
    pub name: String,
}

/// The plan of one body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BodyPlan {
    pub body: Body,
    pub seats: u32,
    pub targets: Vec<Target>,
    pub persons: Vec<PlannedPerson>,
    pub entered_by: String,
    pub entered_at: jiff::Timestamp,
}

/// The plan of one body to enter, every field parsed (see [`PlanRequest::from_form`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRequest {
    pub body: Body,
    pub seats: u32,
    pub targets: Vec<Target>,
    pub persons: Vec<i64>,
}

/// At most this many sector targets for one body.
pub const MAX_SECTORS: usize = 30;
const SECTORS: crate::limits::TextLimit =
    crate::limits::TextLimit { label: "Cơ cấu theo đơn vị", max_chars: 8_000 };

/// The label of a body as the pages write it ("Ban Chấp hành", …).
fn body_name(body: Body) -> String {
    let l = crate::view::body_label(body);
    let mut chars = l.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn parse_body(field: &str, text: &str, problems: &mut Vec<FieldProblem>) -> Option<Body> {
    let t = text.trim();
    if t.is_empty() {
        problems.push(FieldProblem::field(field, "Chọn cơ quan được bầu của phương án."));
        return None;
    }
    let b = Body::from_code(t);
    if b.is_none() {
        let shown: String = t.chars().take(40).collect();
        problems.push(FieldProblem::field(field, format!("Không có cơ quan được bầu \"{shown}\".")));
    }
    b
}

impl PlanRequest {
    /// Parses the plan form (field name, value pairs as posted): `body`, `seats`, one count per fixed
    /// target (`women`, `under_35`, `ethnic_minority`, `first_time`; empty = no target), `sectors`
    /// (one "Đơn vị: số" a line) and `person` (repeated, roster ids). Every problem is listed.
    pub fn from_form(pairs: &[(String, String)]) -> Result<Self, AppError> {
        const SINGLE: [&str; 7] =
            ["body", "seats", "women", "under_35", "ethnic_minority", "first_time", "sectors"];
        let mut problems = Vec::new();
        let mut single: BTreeMap<&str, &str> = BTreeMap::new();
        let mut persons_text = Vec::new();
        for (k, v) in pairs {
            if k == "person" {
                if !v.trim().is_empty() {
                    persons_text.push(v.trim());
                }
            } else if let Some(key) = SINGLE.into_iter().find(|f| f == k)
                && single.insert(key, v.as_str()).is_some()
            {
                problems.push(FieldProblem::field(key, "Trường này chỉ được gửi một lần."));
            }
        }
        let get = |k: &str| single.get(k).map(|v| v.trim()).unwrap_or("");
        let body = parse_body("body", get("body"), &mut problems);
        let max = crate::limits::SEATS.max;
        let seats = match get("seats").parse::<u32>() {
            Ok(n) if (1..=max).contains(&n) => Some(n),
            _ => {
                let shown: String = get("seats").chars().take(20).collect();
                problems.push(FieldProblem::field(
                    "seats",
                    format!("Số lượng dự kiến phải là số từ 1 đến {max} (đã ghi \"{shown}\")."),
                ));
                None
            }
        };
        let minimum =
            |field: &str, label: &str, text: &str, problems: &mut Vec<FieldProblem>| -> Option<u32> {
                match text.parse::<u32>() {
                    Ok(n) if n <= max => {
                        if seats.is_some_and(|s| n > s) {
                            problems.push(FieldProblem::field(
                                field,
                                format!(
                                    "{label}: ít nhất {n} người vượt quá số lượng dự kiến ({}).",
                                    seats.unwrap_or(0)
                                ),
                            ));
                        }
                        Some(n)
                    }
                    _ => {
                        let shown: String = text.chars().take(20).collect();
                        problems.push(FieldProblem::field(
                        field,
                        format!(
                            "{label}: \"{shown}\" không phải là số người hợp lệ (số nguyên từ 0 đến {max})."
                        ),
                    ));
                        None
                    }
                }
            };
        let mut targets = Vec::new();
        for kind in TargetKind::FIXED {
            let t = get(kind.code());
            if t.is_empty() {
                continue;
            }
            if let Some(n) = minimum(kind.code(), kind.label(), t, &mut problems) {
                targets.push(Target { kind, sector: None, minimum: n });
            }
        }
        let sectors_text = single.get("sectors").copied().unwrap_or("");
        crate::limits::check_text(&mut problems, "sectors", SECTORS, sectors_text);
        let mut seen_sectors = BTreeSet::new();
        let lines: Vec<&str> = sectors_text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        if lines.len() > MAX_SECTORS {
            problems.push(FieldProblem::field("sectors", format!("Ghi nhiều nhất {MAX_SECTORS} đơn vị.")));
        }
        for line in lines.iter().take(MAX_SECTORS) {
            let Some((name, count)) = line.rsplit_once(':') else {
                let shown: String = line.chars().take(40).collect();
                problems.push(FieldProblem::field(
                    "sectors",
                    format!("Cơ cấu theo đơn vị: dòng \"{shown}\" phải có dạng \"Tên đơn vị: số người\"."),
                ));
                continue;
            };
            let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
            crate::limits::check_text(&mut problems, "sectors", crate::limits::UNIT, &name);
            if name.is_empty() {
                problems.push(FieldProblem::field("sectors", "Cơ cấu theo đơn vị: thiếu tên đơn vị."));
                continue;
            }
            if !seen_sectors.insert(name.clone()) {
                problems.push(FieldProblem::field("sectors", format!("Đơn vị \"{name}\" được ghi hai lần.")));
                continue;
            }
            if let Some(n) = minimum("sectors", &format!("Đơn vị {name}"), count.trim(), &mut problems) {
                targets.push(Target { kind: TargetKind::Sector, sector: Some(name), minimum: n });
            }
        }
        let mut persons = Vec::new();
        for t in &persons_text {
            match t.parse::<i64>() {
                Ok(n) if n > 0 => {
                    if persons.contains(&n) {
                        problems.push(FieldProblem::field("person", "Một người được chọn hai lần."));
                    } else {
                        persons.push(n);
                    }
                }
                _ => {
                    let shown: String = t.chars().take(20).collect();
                    problems.push(FieldProblem::field(
                        "person",
                        format!("\"{shown}\" không phải là mã người hợp lệ."),
                    ));
                }
            }
        }
        if let Some(s) = seats
            && persons.len() > s as usize
        {
            problems.push(FieldProblem::field(
                "person",
                format!("Chọn {} người dự kiến, nhiều hơn số lượng dự kiến ({s}).", persons.len()),
            ));
        }
        match (body, seats) {
            (Some(body), Some(seats)) if problems.is_empty() => {
                Ok(PlanRequest { body, seats, targets, persons })
            }
            _ => Err(AppError::Invalid(problems)),
        }
    }
}

fn damaged(what: &str) -> AppError {
    AppError::damaged("Phương án nhân sự", what)
}

/// The plan of every body, in the order entered; each value parsed (an unknown one is an error).
pub(crate) fn load(c: &Connection) -> Result<Vec<BodyPlan>, AppError> {
    let mut out = Vec::new();
    for row in db::bodies(c)? {
        let body = Body::from_code(&row.body).ok_or_else(|| damaged("cơ quan được bầu"))?;
        let targets = db::targets(c, &row.body)?
            .into_iter()
            .map(|t| {
                let kind = TargetKind::from_code(&t.kind).ok_or_else(|| damaged("loại cơ cấu"))?;
                Ok(Target {
                    kind,
                    sector: (kind == TargetKind::Sector).then_some(t.sector),
                    minimum: u32::try_from(t.minimum).map_err(|_| damaged("số người tối thiểu"))?,
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        let mut planned = Vec::new();
        for id in db::persons(c, &row.body)? {
            let p = persons::get(c, id)?.ok_or_else(|| damaged("người dự kiến"))?;
            planned.push(PlannedPerson { person_id: id, name: p.full_name });
        }
        out.push(BodyPlan {
            body,
            seats: u32::try_from(row.seats).map_err(|_| damaged("số lượng dự kiến"))?,
            targets,
            persons: planned,
            entered_by: row.entered_by,
            entered_at: row.entered_at.parse().map_err(|_| damaged("thời điểm nhập"))?,
        });
    }
    Ok(out)
}

/// What kind of departure from the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DepartureKind {
    /// Fewer members elected than the seats planned.
    SeatsUnfilled,
    /// A structure target not reached.
    TargetMissed,
    /// A person planned for the body is not elected.
    PlannedNotElected,
    /// A person not in the plan is elected.
    UnplannedElected,
}

/// One place where the outcome departs from the plan: advice, never a change to a result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Departure {
    pub kind: DepartureKind,
    /// The sentence the presidium reads: "Nữ: kế hoạch ít nhất 3, trúng cử 2".
    pub text: String,
    pub planned: Option<u64>,
    pub elected: Option<u64>,
    pub person_id: Option<i64>,
}

/// The official members elected in `election_id` by its recorded rounds up to round number `upto`
/// (all rounds when `None`), in the order elected.
fn elected_by_records(c: &Connection, election_id: i64, upto: Option<i64>) -> Result<Vec<Person>, AppError> {
    // Officials only: a person a round elects as an alternate delegate is recorded as one.
    let officials: BTreeSet<i64> = baucu_store::elections::elected(c, election_id)?
        .into_iter()
        .filter(|(_, alternate)| !alternate)
        .map(|(p, _)| p)
        .collect();
    let mut ids: Vec<i64> = Vec::new();
    for r in cdb::rounds_of(c, election_id)? {
        if upto.is_some_and(|n| r.number > n) {
            continue;
        }
        let (_, round) = crate::counting::load_round(c, r.id)?;
        for line in round.record.iter().flat_map(|rec| rec.lines.iter()) {
            if line.outcome == Outcome::Elected
                && officials.contains(&line.person_id)
                && !ids.contains(&line.person_id)
            {
                ids.push(line.person_id);
            }
        }
    }
    ids.into_iter()
        .map(|id| Person::from_row(persons::get(c, id)?.ok_or(AppError::NotFound("người trúng cử"))?))
        .collect()
}

/// The congress's opening day, on which ages are taken.
fn opening(c: &Connection) -> Result<Option<jiff::civil::Date>, AppError> {
    let Some(row) = baucu_store::congress::get(c)? else { return Ok(None) };
    match row.opens_on.as_deref() {
        None => Ok(None),
        Some(t) => crate::congress::parse_date(t)
            .map(Some)
            .ok_or_else(|| AppError::damaged("Dữ liệu đại hội", "ngày khai mạc")),
    }
}

/// Where the elected officials of an election of `plan.body` depart from the plan.
fn compare(plan: &BodyPlan, elected: &[Person], opening: Option<jiff::civil::Date>) -> Vec<Departure> {
    let mut out = Vec::new();
    let n = elected.len() as u64;
    if n < u64::from(plan.seats) {
        out.push(Departure {
            kind: DepartureKind::SeatsUnfilled,
            text: format!("Số lượng: kế hoạch {}, trúng cử {n}", plan.seats),
            planned: Some(u64::from(plan.seats)),
            elected: Some(n),
            person_id: None,
        });
    }
    let facts: Vec<_> = elected.iter().map(crate::documents::member_facts).collect();
    let c = composition(&facts, opening.map(crate::documents::day));
    for t in &plan.targets {
        let got = match t.kind {
            TargetKind::Women => c.women,
            TargetKind::Under35 => c.under_35,
            TargetKind::EthnicMinority => c.ethnic_minority,
            TargetKind::FirstTime => c.first_time,
            TargetKind::Sector => {
                let sector = t.sector.as_deref().unwrap_or_default();
                elected
                    .iter()
                    .filter(|p| p.unit.split_whitespace().collect::<Vec<_>>().join(" ") == sector)
                    .count() as u64
            }
        };
        if got < u64::from(t.minimum) {
            out.push(Departure {
                kind: DepartureKind::TargetMissed,
                text: format!("{}: kế hoạch ít nhất {}, trúng cử {got}", t.label(), t.minimum),
                planned: Some(u64::from(t.minimum)),
                elected: Some(got),
                person_id: None,
            });
        }
    }
    let elected_ids: BTreeSet<i64> = elected.iter().map(|p| p.id).collect();
    for p in &plan.persons {
        if !elected_ids.contains(&p.person_id) {
            out.push(Departure {
                kind: DepartureKind::PlannedNotElected,
                text: format!("Người dự kiến chưa trúng cử: {}", p.name),
                planned: None,
                elected: None,
                person_id: Some(p.person_id),
            });
        }
    }
    if !plan.persons.is_empty() {
        for p in elected {
            if !plan.persons.iter().any(|q| q.person_id == p.id) {
                out.push(Departure {
                    kind: DepartureKind::UnplannedElected,
                    text: format!("Trúng cử ngoài phương án: {}", p.full_name),
                    planned: None,
                    elected: None,
                    person_id: Some(p.id),
                });
            }
        }
    }
    out
}

/// Where the outcome of election `election_id` (of `body`) departs from the plan, counting its
/// recorded rounds up to round number `upto` (all when `None`). `None` when the plan has no entry
/// for the body.
pub(crate) fn departures(
    c: &Connection,
    election_id: i64,
    body: Body,
    upto: Option<i64>,
) -> Result<Option<Vec<Departure>>, AppError> {
    let Some(plan) = load(c)?.into_iter().find(|p| p.body == body) else { return Ok(None) };
    let elected = elected_by_records(c, election_id, upto)?;
    Ok(Some(compare(&plan, &elected, opening(c)?)))
}

/// Refuses to change the plan of `body` once a round of one of its elections has closed: the plan is
/// what the congress started from, and the departures already shown were measured against it.
fn refuse_after_results(c: &Connection, body: Body) -> Result<(), AppError> {
    for e in baucu_store::elections::all(c)? {
        if e.body != body.code() {
            continue;
        }
        if cdb::rounds_of(c, e.id)?.iter().any(|r| r.closed_at.is_some()) {
            return Err(AppError::Conflict(format!(
                "{} đã có lần bầu kết thúc kiểm phiếu: phương án nhân sự của cơ quan này không sửa, không xóa được nữa.",
                body_name(body)
            )));
        }
    }
    Ok(())
}

impl App {
    /// The personnel plan: every body planned, in the order entered.
    pub async fn plan(&self, actor: &Actor) -> Result<Vec<BodyPlan>, AppError> {
        actor.require(Permission::ViewSetup)?;
        self.read(load).await
    }

    /// Enters (or replaces) the plan of one body, until a round of its elections has closed. Each
    /// planned person must be on the roster, each sector a unit of the roster. Audited as `plan.set`.
    pub async fn set_plan(&self, actor: &Actor, req: PlanRequest) -> Result<(), AppError> {
        actor.require(Permission::DefineElections)?;
        let (at, who) = (self.now().to_string(), actor.username.clone());
        self.act(actor, "plan.set", move |c| {
            refuse_after_results(c, req.body)?;
            let mut names = Vec::new();
            for &id in &req.persons {
                let p = persons::get(c, id)?.ok_or_else(|| {
                    AppError::invalid("person", format!("Không có người số {id} trong danh sách đảng viên."))
                })?;
                names.push(p.full_name);
            }
            let units: BTreeSet<String> = persons::all(c)?
                .iter()
                .map(|p| p.unit.split_whitespace().collect::<Vec<_>>().join(" "))
                .collect();
            for t in &req.targets {
                if let Some(s) = &t.sector
                    && !units.contains(s)
                {
                    return Err(AppError::invalid(
                        "sectors",
                        format!("Không có đơn vị \"{s}\" trong danh sách đảng viên (cột Đơn vị)."),
                    ));
                }
            }
            let row = PlanBodyRow {
                body: req.body.code().into(),
                seats: i64::from(req.seats),
                entered_by: who,
                entered_at: at,
            };
            let targets: Vec<PlanTargetRow> = req
                .targets
                .iter()
                .map(|t| PlanTargetRow {
                    body: row.body.clone(),
                    kind: t.kind.code().into(),
                    sector: t.sector.clone().unwrap_or_default(),
                    minimum: i64::from(t.minimum),
                })
                .collect();
            db::replace(c, &row, &targets, &req.persons)?;
            let targets_json: Vec<_> =
                req.targets.iter().map(|t| json!({ "label": t.label(), "minimum": t.minimum })).collect();
            Ok((
                (),
                json!({
                    "body": req.body.code(),
                    "seats": req.seats,
                    "targets": targets_json,
                    "persons": names,
                }),
            ))
        })
        .await
    }

    /// Removes the plan of one body. Audited as `plan.remove`.
    pub async fn remove_plan(&self, actor: &Actor, body: &str) -> Result<(), AppError> {
        actor.require(Permission::DefineElections)?;
        let mut problems = Vec::new();
        let body = parse_body("body", body, &mut problems).ok_or(AppError::Invalid(problems))?;
        self.act(actor, "plan.remove", move |c| {
            refuse_after_results(c, body)?;
            if !db::remove(c, body.code())? {
                return Err(AppError::NotFound("phương án nhân sự của cơ quan này"));
            }
            Ok(((), json!({ "body": body.code() })))
        })
        .await
    }
}

/// The audit journal's sentence for `plan.set` and `plan.remove`.
pub(crate) fn sentence(kind: &str, who: &str, data: &serde_json::Value) -> String {
    let body =
        data["body"].as_str().and_then(Body::from_code).map_or("(cơ quan không rõ)".to_owned(), body_name);
    if kind == "plan.remove" {
        return format!("{who} xóa phương án nhân sự của {body}.");
    }
    let seats = data["seats"].as_u64().map_or("?".to_owned(), |n| n.to_string());
    let mut s = format!("{who} nhập phương án nhân sự của {body}: {seats} người");
    let targets: Vec<String> = data["targets"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| {
            format!("{} ít nhất {}", t["label"].as_str().unwrap_or("?"), t["minimum"].as_u64().unwrap_or(0))
        })
        .collect();
    if !targets.is_empty() {
        s.push_str(&format!("; cơ cấu: {}", targets.join(", ")));
    }
    let names: Vec<&str> =
        data["persons"].as_array().into_iter().flatten().filter_map(|p| p.as_str()).collect();
    if !names.is_empty() {
        s.push_str(&format!("; người dự kiến: {}", names.join(", ")));
    }
    s + "."
}

/// The plan's label of a body, for pages ("Ban Chấp hành", …).
pub fn plan_body_label(body: Body) -> String {
    body_name(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn personnel_plan_form_parses_and_refuses() {
        let ok = PlanRequest::from_form(&pairs(&[
            ("body", "committee"),
            ("seats", "15"),
            ("women", "3"),
            ("under_35", ""),
            ("sectors", "Y tế: 1\n\nGiáo dục : 2"),
            ("person", "4"),
            ("person", "7"),
        ]))
        .expect("a plan");
        assert_eq!((ok.body, ok.seats, ok.persons.clone()), (Body::Committee, 15, vec![4, 7]));
        assert_eq!(ok.targets.len(), 3);
        assert_eq!(ok.targets[2].sector.as_deref(), Some("Giáo dục"));
        let refused = |p: &[(&str, &str)], field: &str| match PlanRequest::from_form(&pairs(p)) {
            Err(AppError::Invalid(problems)) => {
                assert!(problems.iter().any(|x| x.field == field), "{problems:?}")
            }
            other => panic!("{other:?}"),
        };
        refused(&[("body", "party_cell"), ("seats", "5")], "body");
        refused(&[("body", "committee"), ("seats", "5"), ("women", "-1")], "women");
        refused(&[("body", "committee"), ("seats", "5"), ("women", "6")], "women");
        refused(&[("body", "committee"), ("seats", "0")], "seats");
        refused(&[("body", "committee"), ("seats", "5"), ("sectors", "Y tế")], "sectors");
        refused(&[("body", "secretary"), ("seats", "1"), ("person", "1"), ("person", "2")], "person");
    }

    #[test]
    fn personnel_plan_journal_sentences() {
        let s = sentence(
            "plan.set",
            "Tổ chức",
            &json!({ "body": "committee", "seats": 15, "targets": [{ "label": "Nữ", "minimum": 3 }], "persons": ["An"] }),
        );
        assert!(s.contains("15 người") && s.contains("Nữ ít nhất 3") && s.contains("An"), "{s}");
        assert!(sentence("plan.remove", "Tổ chức", &json!({ "body": "secretary" })).contains("xóa"));
    }
}
