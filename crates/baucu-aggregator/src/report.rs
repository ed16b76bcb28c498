//! The reports across the congresses of an area (rules.md § 9): progress, composition of the new
//! bodies, secretaries' vote shares, delegates, departures from the personnel plans and complaints,
//! for the area's totals and for each child unit (the drill-down).
//!
//! The database counts (`baucu_store::aggregator::report`); this module adds the groups up into the
//! area's totals and takes every percentage once, with the engine's [`Percent::of`] on its base (a
//! body's composition over the body's members, progress over the units of the area). The paragraph,
//! the charts, the PDF, the workbook and the JSON all read the [`Report`]; none recomputes a figure.

pub mod charts;
mod document;

use crate::AppError;
use crate::accounts::{Actor, Permission};
use baucu_rules::{Body, Percent};
use baucu_store::aggregator::db::AggDb;
use baucu_store::aggregator::report::{self as store, SECRETARY_BANDS, Scope, UnitRef};
use serde::{Serialize, Serializer};
use std::collections::BTreeMap;

pub use document::{FileKind, render};

/// At most this many departures from the personnel plans are listed (all are counted).
pub const MAX_DEPARTURES_LISTED: u32 = 500;

pub use crate::units::UnitLevel;

/// The bodies whose composition is reported, in the order of the report.
pub const COMPOSITION_BODIES: [Body; 7] = [
    Body::Committee,
    Body::StandingCommittee,
    Body::Secretary,
    Body::DeputySecretary,
    Body::InspectionCommittee,
    Body::InspectionChair,
    Body::InspectionDeputyChair,
];

/// The name of a body in a table ("Ban Chấp hành (cấp ủy)").
pub fn body_label(body: Body) -> &'static str {
    match body {
        Body::Committee => "Ban Chấp hành (cấp ủy)",
        Body::StandingCommittee => "Ban Thường vụ",
        Body::Secretary => "Bí thư",
        Body::DeputySecretary => "Phó Bí thư",
        Body::InspectionCommittee => "Ủy ban Kiểm tra",
        Body::InspectionChair => "Chủ nhiệm Ủy ban Kiểm tra",
        Body::InspectionDeputyChair => "Phó Chủ nhiệm Ủy ban Kiểm tra",
        Body::Delegates => "Đại biểu dự đại hội cấp trên",
    }
}

fn percent_text<S: Serializer>(p: &Option<Percent>, s: S) -> Result<S::Ok, S::Error> {
    match p {
        Some(p) => s.serialize_str(&p.to_string()),
        None => s.serialize_none(),
    }
}

fn date_text<S: Serializer>(d: &jiff::civil::Date, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&d.to_string())
}

fn body_code<S: Serializer>(b: &Body, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(b.code())
}

/// A count and its percentage of the base the report states for it (`None` when the base is 0).
/// In JSON the percentage is written with a dot (`"25.46"`), as files and the API write them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Share {
    pub count: u64,
    #[serde(serialize_with = "percent_text")]
    pub percent: Option<Percent>,
}

impl Share {
    fn of(count: u64, base: u64) -> Share {
        Share { count, percent: Percent::of(count, base) }
    }
}

/// The progress of the congresses of one level (or of all levels, `level: None`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LevelProgress {
    pub level: Option<UnitLevel>,
    /// Units of the area (the base of every percentage here).
    pub units: u64,
    pub not_held: u64,
    /// Marked held; the result package not yet received.
    pub held: u64,
    /// The package received, awaiting approval.
    pub reported: u64,
    pub approved: u64,
    pub approval_refused: u64,
    pub annulled: u64,
    /// Congresses held (held, reported, approved or refused; an annulled one must be held again).
    pub organised: Share,
    /// Results reported to the superior (reported, approved or refused).
    pub reported_total: Share,
    pub approved_share: Share,
    /// Congresses that elected the secretary directly.
    pub direct_secretary: u64,
}

/// The composition of one body over the area (members of the current packages).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BodyComposition {
    #[serde(serialize_with = "body_code")]
    pub body: Body,
    pub label: &'static str,
    /// The base of every percentage here.
    pub members: u64,
    pub first_time: Share,
    pub women: Share,
    pub under_35: Share,
    pub ethnic_minority: Share,
    pub religious: Share,
}

/// Secretaries' shares of their round's base.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VoteShares {
    pub count: u64,
    #[serde(serialize_with = "percent_text")]
    pub min: Option<Percent>,
    #[serde(serialize_with = "percent_text")]
    pub max: Option<Percent>,
    /// One per band of [`SECRETARY_BANDS`], each a share of `count`.
    pub bands: Vec<Band>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Band {
    /// "90 – dưới 100 %".
    pub label: String,
    pub secretaries: Share,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Secretaries {
    /// Every secretary elected in the area.
    pub all: VoteShares,
    /// Those elected directly by the congress.
    pub direct: VoteShares,
    /// Those elected by the new committee.
    pub by_committee: VoteShares,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Delegates {
    pub official: u64,
    pub alternate: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Complaints {
    pub total: u64,
    pub pending: u64,
    pub upheld: u64,
    pub dismissed: u64,
    pub withdrawn: u64,
}

/// Every figure of one group (a child unit, the area's own unit, or the whole area).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Figures {
    /// All levels together.
    pub progress: LevelProgress,
    /// One per level that has units, in the order of [`UnitLevel::ALL`].
    pub levels: Vec<LevelProgress>,
    /// One per body of [`COMPOSITION_BODIES`].
    pub bodies: Vec<BodyComposition>,
    pub secretaries: Secretaries,
    pub delegates: Delegates,
    pub departures: u64,
    pub complaints: Complaints,
}

impl Figures {
    pub fn body(&self, body: Body) -> Option<&BodyComposition> {
        self.bodies.iter().find(|b| b.body == body)
    }
}

/// Picks one criterion's share out of a body's composition.
pub type Criterion = fn(&BodyComposition) -> &Share;

fn first_time(b: &BodyComposition) -> &Share {
    &b.first_time
}
fn women(b: &BodyComposition) -> &Share {
    &b.women
}
fn under_35(b: &BodyComposition) -> &Share {
    &b.under_35
}
fn ethnic_minority(b: &BodyComposition) -> &Share {
    &b.ethnic_minority
}
fn religious(b: &BodyComposition) -> &Share {
    &b.religious
}

/// The composition criteria of the tables and charts, in order, with their labels.
pub const CRITERIA: [(&str, Criterion); 5] = [
    ("Tham gia lần đầu", first_time),
    ("Nữ", women),
    ("Dưới 35 tuổi", under_35),
    ("Dân tộc thiểu số", ethnic_minority),
    ("Có tôn giáo", religious),
];

/// A row of the drill-down: a child unit of the area with everything under it, or the area's own
/// unit (its own congress).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupRow {
    pub code: String,
    pub name: String,
    /// The unit's `path` in the tree (`01/01.001/`).
    pub path: String,
    pub level: UnitLevel,
    /// The area's own unit rather than a child.
    pub own: bool,
    pub figures: Figures,
}

/// The area a report covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AreaInfo {
    /// `None`: the whole tree.
    pub code: Option<String>,
    pub name: String,
    pub level: Option<UnitLevel>,
}

/// Members of a body with one education or one political theory level (over the whole area).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Qualification {
    #[serde(serialize_with = "body_code")]
    pub body: Body,
    /// As written on the rosters; empty when not stated.
    pub label: String,
    /// Of the body's members.
    pub members: Share,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DepartureLine {
    pub unit_code: String,
    pub unit_name: String,
    #[serde(serialize_with = "body_code")]
    pub body: Body,
    pub text: String,
}

/// The report of an area on a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub area: AreaInfo,
    /// Only the units of this level were counted; `None`: every level.
    pub level: Option<UnitLevel>,
    #[serde(serialize_with = "date_text")]
    pub as_of: jiff::civil::Date,
    /// The area's own unit first (when the area is a unit), then each child unit in the tree's order.
    pub rows: Vec<GroupRow>,
    pub totals: Figures,
    pub education: Vec<Qualification>,
    pub theory: Vec<Qualification>,
    /// The first [`MAX_DEPARTURES_LISTED`] departures in the order of the tree (`totals.departures`
    /// counts them all).
    pub departures: Vec<DepartureLine>,
}

/// The report of `area` (the actor's own area when `None`) over every level of unit.
pub fn report(
    db: &AggDb,
    actor: &Actor,
    area: Option<&str>,
    today: jiff::civil::Date,
) -> Result<Report, AppError> {
    report_at_level(db, actor, area, None, today)
}

/// The report of `area` (the actor's own area when `None`), counting only units of `level` when given.
/// An area outside the actor's is refused; an unknown unit code is an error naming it.
pub fn report_at_level(
    db: &AggDb,
    actor: &Actor,
    area: Option<&str>,
    level: Option<UnitLevel>,
    today: jiff::civil::Date,
) -> Result<Report, AppError> {
    actor.require(Permission::ViewReports)?;
    let wanted = match area.map(str::trim) {
        Some(code) if !code.is_empty() => Some(code.to_owned()),
        _ => actor.area.clone(),
    };
    if let Some(code) = &wanted
        && (code.chars().count() > 32 || code.chars().any(char::is_control))
    {
        return Err(AppError::invalid("area", "Mã đơn vị quá dài hoặc có ký tự không hợp lệ."));
    }
    let (unit, children, raw) = db.read(|tx| {
        let unit = match &wanted {
            Some(code) => match store::unit(tx, code)? {
                Some(u) => Some(u),
                None => {
                    return Ok(Err(AppError::invalid("area", format!("Không có đơn vị mã \"{code}\"."))));
                }
            },
            None => None,
        };
        if let Some(u) = &unit
            && !actor.sees(&u.path)
        {
            return Ok(Err(AppError::Forbidden));
        }
        let children = store::children(tx, unit.as_ref().map(|u| u.code.as_str()))?;
        let scope = Scope { area: unit.as_ref(), children: &children, level: level.map(UnitLevel::code) };
        let raw = Raw {
            progress: store::progress(tx, &scope)?,
            bodies: store::bodies(tx, &scope)?,
            qualifications: store::qualifications(tx, &scope)?,
            secretaries: store::secretaries(tx, &scope)?,
            departure_counts: store::departure_counts(tx, &scope)?,
            departures: store::departures(tx, &scope, MAX_DEPARTURES_LISTED)?,
            complaints: store::complaints(tx, &scope)?,
        };
        Ok(Ok((unit, children, raw)))
    })??;
    assemble(unit, &children, level, today, raw)
}

/// What the database counted.
struct Raw {
    progress: Vec<store::ProgressCount>,
    bodies: Vec<store::BodyCount>,
    qualifications: (Vec<store::LabelCount>, Vec<store::LabelCount>),
    secretaries: Vec<store::SecretaryCount>,
    departure_counts: Vec<(String, u64)>,
    departures: Vec<store::Departure>,
    complaints: Vec<store::StatusCount>,
}

/// The counts of one group before percentages are taken; groups add up.
#[derive(Debug, Clone, Default)]
struct Tally {
    /// Per level: units, then per status (held, reported, approved, refused, annulled), direct.
    levels: BTreeMap<UnitLevel, LevelTally>,
    bodies: BTreeMap<usize, BodyTally>,
    delegates: Delegates,
    /// Index 0: elected by the committee; 1: directly.
    secretaries: [SecretaryTally; 2],
    departures: u64,
    complaints: Complaints,
}

#[derive(Debug, Clone, Copy, Default)]
struct LevelTally {
    units: u64,
    held: u64,
    reported: u64,
    approved: u64,
    refused: u64,
    annulled: u64,
    direct: u64,
}

#[derive(Debug, Clone, Copy, Default)]
struct BodyTally {
    members: u64,
    women: u64,
    under_35: u64,
    ethnic_minority: u64,
    religious: u64,
    first_time: u64,
}

#[derive(Debug, Clone, Copy, Default)]
struct SecretaryTally {
    count: u64,
    min: Option<u64>,
    max: Option<u64>,
    bands: [u64; 7],
}

impl LevelTally {
    fn add(&mut self, o: &LevelTally) {
        self.units += o.units;
        self.held += o.held;
        self.reported += o.reported;
        self.approved += o.approved;
        self.refused += o.refused;
        self.annulled += o.annulled;
        self.direct += o.direct;
    }
}

impl SecretaryTally {
    fn add(&mut self, o: &SecretaryTally) {
        self.count += o.count;
        self.min = match (self.min, o.min) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.max = match (self.max, o.max) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        for (a, b) in self.bands.iter_mut().zip(o.bands) {
            *a += b;
        }
    }
}

impl Tally {
    fn add(&mut self, o: &Tally) {
        for (level, t) in &o.levels {
            self.levels.entry(*level).or_default().add(t);
        }
        for (body, t) in &o.bodies {
            let s = self.bodies.entry(*body).or_default();
            s.members += t.members;
            s.women += t.women;
            s.under_35 += t.under_35;
            s.ethnic_minority += t.ethnic_minority;
            s.religious += t.religious;
            s.first_time += t.first_time;
        }
        self.delegates.official += o.delegates.official;
        self.delegates.alternate += o.delegates.alternate;
        for (a, b) in self.secretaries.iter_mut().zip(&o.secretaries) {
            a.add(b);
        }
        self.departures += o.departures;
        let (c, d) = (&mut self.complaints, &o.complaints);
        c.total += d.total;
        c.pending += d.pending;
        c.upheld += d.upheld;
        c.dismissed += d.dismissed;
        c.withdrawn += d.withdrawn;
    }

    fn figures(&self) -> Figures {
        let levels: Vec<LevelProgress> =
            self.levels.iter().map(|(l, t)| level_progress(Some(*l), t)).collect();
        let mut all = LevelTally::default();
        for t in self.levels.values() {
            all.add(t);
        }
        let bodies = COMPOSITION_BODIES
            .iter()
            .enumerate()
            .map(|(i, &body)| {
                let t = self.bodies.get(&i).copied().unwrap_or_default();
                BodyComposition {
                    body,
                    label: body_label(body),
                    members: t.members,
                    first_time: Share::of(t.first_time, t.members),
                    women: Share::of(t.women, t.members),
                    under_35: Share::of(t.under_35, t.members),
                    ethnic_minority: Share::of(t.ethnic_minority, t.members),
                    religious: Share::of(t.religious, t.members),
                }
            })
            .collect();
        let [by_committee, direct] = &self.secretaries;
        let mut both = *by_committee;
        both.add(direct);
        Figures {
            progress: level_progress(None, &all),
            levels,
            bodies,
            secretaries: Secretaries {
                all: vote_shares(&both),
                direct: vote_shares(direct),
                by_committee: vote_shares(by_committee),
            },
            delegates: self.delegates,
            departures: self.departures,
            complaints: self.complaints,
        }
    }
}

fn level_progress(level: Option<UnitLevel>, t: &LevelTally) -> LevelProgress {
    let reported = t.reported + t.approved + t.refused;
    LevelProgress {
        level,
        units: t.units,
        not_held: t.units.saturating_sub(t.held + reported + t.annulled),
        held: t.held,
        reported: t.reported,
        approved: t.approved,
        approval_refused: t.refused,
        annulled: t.annulled,
        organised: Share::of(t.held + reported, t.units),
        reported_total: Share::of(reported, t.units),
        approved_share: Share::of(t.approved, t.units),
        direct_secretary: t.direct,
    }
}

/// "50 – dưới 60 %" for the band starting at `SECRETARY_BANDS[i]`.
pub fn band_label(i: usize) -> String {
    let pct = |h: u64| h / 100;
    match (SECRETARY_BANDS.get(i), SECRETARY_BANDS.get(i + 1)) {
        (Some(0), Some(high)) => format!("Dưới {} %", pct(*high)),
        (Some(low), Some(high)) => format!("{} – dưới {} %", pct(*low), pct(*high)),
        (Some(low), None) => format!("{} %", pct(*low)),
        _ => String::new(),
    }
}

fn vote_shares(t: &SecretaryTally) -> VoteShares {
    VoteShares {
        count: t.count,
        min: t.min.map(Percent::from_hundredths),
        max: t.max.map(Percent::from_hundredths),
        bands: t
            .bands
            .iter()
            .enumerate()
            .map(|(i, &n)| Band { label: band_label(i), secretaries: Share::of(n, t.count) })
            .collect(),
    }
}

fn damaged(what: impl std::fmt::Display) -> AppError {
    AppError::damaged("Cơ sở dữ liệu tổng hợp", what)
}

fn parse_body(code: &str) -> Result<Body, AppError> {
    Body::from_code(code).ok_or_else(|| damaged(format!("cơ quan \"{code}\" không biết")))
}

fn parse_level(code: &str) -> Result<UnitLevel, AppError> {
    UnitLevel::from_code(code).ok_or_else(|| damaged(format!("cấp đơn vị \"{code}\" không biết")))
}

fn assemble(
    unit: Option<UnitRef>,
    children: &[UnitRef],
    level: Option<UnitLevel>,
    today: jiff::civil::Date,
    raw: Raw,
) -> Result<Report, AppError> {
    let mut groups: BTreeMap<String, Tally> = BTreeMap::new();
    for p in &raw.progress {
        let t = groups.entry(p.group.clone()).or_default().levels.entry(parse_level(&p.level)?).or_default();
        t.units += p.units;
        t.direct += p.direct_secretary;
        match p.status.as_deref() {
            None => {}
            Some("held") => t.held += p.units,
            Some("reported") => t.reported += p.units,
            Some("approved") => t.approved += p.units,
            Some("approval_refused") => t.refused += p.units,
            Some("annulled") => t.annulled += p.units,
            Some(other) => return Err(damaged(format!("trạng thái đại hội \"{other}\" không biết"))),
        }
    }
    for b in &raw.bodies {
        let body = parse_body(&b.body)?;
        let g = groups.entry(b.group.clone()).or_default();
        if body == Body::Delegates {
            if b.alternate {
                g.delegates.alternate += b.members;
            } else {
                g.delegates.official += b.members;
            }
            continue;
        }
        if b.alternate {
            return Err(damaged(format!("dự khuyết của {}", body.code())));
        }
        let i = COMPOSITION_BODIES.iter().position(|x| *x == body).unwrap_or(usize::MAX);
        let t = g.bodies.entry(i).or_default();
        t.members += b.members;
        t.women += b.women;
        t.under_35 += b.under_35;
        t.ethnic_minority += b.ethnic_minority;
        t.religious += b.religious;
        t.first_time += b.first_time;
    }
    for s in &raw.secretaries {
        let t = SecretaryTally { count: s.count, min: Some(s.min), max: Some(s.max), bands: s.bands };
        groups.entry(s.group.clone()).or_default().secretaries[usize::from(s.direct)].add(&t);
    }
    for (group, n) in &raw.departure_counts {
        groups.entry(group.clone()).or_default().departures += n;
    }
    for c in &raw.complaints {
        let t = &mut groups.entry(c.group.clone()).or_default().complaints;
        t.total += c.count;
        match c.status.as_str() {
            "pending" => t.pending += c.count,
            "upheld" => t.upheld += c.count,
            "dismissed" => t.dismissed += c.count,
            "withdrawn" => t.withdrawn += c.count,
            other => return Err(damaged(format!("trạng thái khiếu nại \"{other}\" không biết"))),
        }
    }
    let mut totals = Tally::default();
    let mut rows = Vec::with_capacity(children.len() + 1);
    let members = unit.iter().map(|u| (u, true)).chain(children.iter().map(|c| (c, false)));
    for (u, own) in members {
        let tally = groups.remove(&u.code).unwrap_or_default();
        totals.add(&tally);
        rows.push(GroupRow {
            code: u.code.clone(),
            name: u.name.clone(),
            path: u.path.clone(),
            level: parse_level(&u.level)?,
            own,
            figures: tally.figures(),
        });
    }
    if let Some(stray) = groups.keys().next() {
        return Err(damaged(format!("đơn vị \"{stray}\" không thuộc nhóm nào của báo cáo")));
    }
    let totals = totals.figures();
    let qualification = |list: &[store::LabelCount]| -> Result<Vec<Qualification>, AppError> {
        let mut out = Vec::with_capacity(list.len());
        for l in list {
            let body = parse_body(&l.body)?;
            let base = totals.body(body).map_or(0, |b| b.members);
            out.push(Qualification { body, label: l.label.clone(), members: Share::of(l.count, base) });
        }
        let order = |b: Body| COMPOSITION_BODIES.iter().position(|x| *x == b);
        out.sort_by(|a, b| (order(a.body), a.label.as_bytes()).cmp(&(order(b.body), b.label.as_bytes())));
        Ok(out)
    };
    let education = qualification(&raw.qualifications.0)?;
    let theory = qualification(&raw.qualifications.1)?;
    let departures = raw
        .departures
        .iter()
        .map(|d| {
            Ok(DepartureLine {
                unit_code: d.unit_code.clone(),
                unit_name: d.unit_name.clone(),
                body: parse_body(&d.body)?,
                text: d.text.clone(),
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let area = match &unit {
        Some(u) => {
            AreaInfo { code: Some(u.code.clone()), name: u.name.clone(), level: Some(parse_level(&u.level)?) }
        }
        None => AreaInfo { code: None, name: "Toàn bộ các đơn vị".into(), level: None },
    };
    Ok(Report { area, level, as_of: today, rows, totals, education, theory, departures })
}

/// Refreshes the database's statistics for the roll-ups' query plans (after a large import); an
/// administrator's action.
pub fn refresh_statistics(db: &AggDb, actor: &Actor) -> Result<(), AppError> {
    actor.require(Permission::Administer)?;
    db.write(store::refresh_statistics)?;
    Ok(())
}

/// A percentage in the paragraph's style: `25,46`, and `100` rather than `100,00`.
pub fn vn_percent(p: Percent) -> String {
    let text = p.to_vietnamese();
    match text.strip_suffix(",00") {
        Some(whole) => whole.to_owned(),
        None => text,
    }
}

/// "110 đồng chí tham gia lần đầu (25,46 %)": the count, what it counts, then its percentage.
fn counted(s: &Share, what: &str) -> String {
    match s.percent {
        Some(p) => format!("{} {what} ({} %)", s.count, vn_percent(p)),
        None => format!("{} {what}", s.count),
    }
}

/// The composition sentence of a body: "cấp ủy mới có 432 đồng chí, trong đó 110 đồng chí tham gia
/// lần đầu (25,46 %), 117 nữ (27,08 %), …".
fn body_sentence(name: &str, b: &BodyComposition) -> String {
    format!(
        "{name} có {} đồng chí, trong đó {}, {}, {}, {}, {}",
        b.members,
        counted(&b.first_time, "đồng chí tham gia lần đầu"),
        counted(&b.women, "nữ"),
        counted(&b.ethnic_minority, "đồng chí dân tộc thiểu số"),
        counted(&b.religious, "đồng chí có tôn giáo"),
        counted(&b.under_35, "đồng chí dưới 35 tuổi"),
    )
}

fn range_text(v: &VoteShares) -> String {
    match (v.min, v.max) {
        (Some(min), Some(max)) if min == max => format!("đạt {} % số phiếu", vn_percent(min)),
        (Some(min), Some(max)) => format!("đạt từ {} % đến {} % số phiếu", vn_percent(min), vn_percent(max)),
        _ => String::new(),
    }
}

/// The paragraph a superior pastes into its own report (rules.md § 9), every figure from the report.
pub fn paragraph(report: &Report) -> String {
    let t = &report.totals;
    let d = report.as_of;
    let mut parts: Vec<String> = Vec::new();
    for l in &t.levels {
        let Some(level) = l.level else { continue };
        parts.push(format!("{}/{} {} đã tổ chức đại hội", l.organised.count, l.units, level.noun()));
    }
    if t.levels.is_empty() {
        parts.push("chưa có đơn vị nào trong khu vực báo cáo".into());
    }
    let p = &t.progress;
    if p.reported_total.count > 0 {
        let mut s = format!(
            "{} đại hội đã báo cáo kết quả lên cấp trên, {} đã được chuẩn y",
            p.reported_total.count, p.approved
        );
        if p.approval_refused > 0 {
            s.push_str(&format!(", {} không được chuẩn y", p.approval_refused));
        }
        parts.push(s);
    }
    if p.annulled > 0 {
        parts.push(format!("{} đại hội bị hủy kết quả bầu cử, phải tổ chức lại", p.annulled));
    }
    if p.direct_secretary > 0 {
        parts.push(format!(
            "{}/{} đại hội bầu trực tiếp bí thư tại đại hội",
            p.direct_secretary, p.organised.count
        ));
    }
    for (body, name) in [
        (Body::Committee, "cấp ủy mới"),
        (Body::StandingCommittee, "ban thường vụ"),
        (Body::InspectionCommittee, "ủy ban kiểm tra"),
    ] {
        if let Some(b) = t.body(body).filter(|b| b.members > 0) {
            parts.push(body_sentence(name, b));
        }
    }
    let s = &t.secretaries;
    if s.direct.count > 0 {
        parts.push(format!(
            "{} đồng chí bí thư được bầu trực tiếp tại đại hội {}",
            s.direct.count,
            range_text(&s.direct)
        ));
    }
    if s.by_committee.count > 0 {
        parts.push(format!(
            "{} đồng chí bí thư do cấp ủy bầu {}",
            s.by_committee.count,
            range_text(&s.by_committee)
        ));
    }
    if t.delegates.official + t.delegates.alternate > 0 {
        parts.push(format!(
            "bầu {} đại biểu chính thức và {} đại biểu dự khuyết đi dự đại hội cấp trên",
            t.delegates.official, t.delegates.alternate
        ));
    }
    if t.departures > 0 {
        parts.push(format!("{} trường hợp kết quả bầu cử khác phương án nhân sự", t.departures));
    }
    let c = &t.complaints;
    if c.total > 0 {
        parts.push(format!(
            "tiếp nhận {} đơn khiếu nại về bầu cử ({} đang giải quyết, {} có cơ sở, {} không có cơ sở, {} rút đơn)",
            c.total, c.pending, c.upheld, c.dismissed, c.withdrawn
        ));
    }
    let scope = match &report.area.code {
        Some(_) => format!(" trong {}", report.area.name),
        None => String::new(),
    };
    let level = match report.level {
        Some(l) => format!(" (chỉ tính {})", l.noun()),
        None => String::new(),
    };
    format!("Tính đến ngày {:02}/{:02}/{}{scope}{level}, {}.", d.day(), d.month(), d.year(), parts.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vn_percent_drops_only_zero_decimals() {
        assert_eq!(vn_percent(Percent::from_hundredths(2546)), "25,46");
        assert_eq!(vn_percent(Percent::from_hundredths(10_000)), "100");
        assert_eq!(vn_percent(Percent::from_hundredths(8860)), "88,60");
    }

    #[test]
    fn bands_are_labelled() {
        assert_eq!(band_label(0), "Dưới 50 %");
        assert_eq!(band_label(1), "50 – dưới 60 %");
        assert_eq!(band_label(6), "100 %");
    }

    #[test]
    fn secretary_ranges_merge() {
        let mut a =
            SecretaryTally { count: 2, min: Some(8860), max: Some(9500), bands: [0, 0, 0, 0, 1, 1, 0] };
        a.add(&SecretaryTally {
            count: 1,
            min: Some(10_000),
            max: Some(10_000),
            bands: [0, 0, 0, 0, 0, 0, 1],
        });
        assert_eq!((a.count, a.min, a.max), (3, Some(8860), Some(10_000)));
        assert_eq!(a.bands, [0, 0, 0, 0, 1, 1, 1]);
    }
}
