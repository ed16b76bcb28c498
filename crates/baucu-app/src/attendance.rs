//! Sittings of the congress, check-in, whole-congress absence, alternates summoned, and the base `B`
//! computed line by line through the engine as the minutes state it (rules.md § 1). The first plenum
//! of a body the congress elected (its committee, its inspection committee) is an assembly of its own:
//! summoned from the body's decided result, with its own sittings, check-in and base.

use crate::roster::{ABSENCES, Person};
use crate::{Actor, App, AppError, Permission};
use baucu_rules::assembly::{Assembly, AssemblyKind};
use baucu_rules::election::Body;
use baucu_rules::messages;
use baucu_rules::roster::{DelegateKind, RosterFacts, Standing, assembly_from_roster, standing};
use baucu_store::persons;
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeSet;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sitting {
    pub id: i64,
    pub name: String,
    pub held_on: Option<String>,
    /// The assembly the sitting belongs to (`congress`, `plenum:committee`, …).
    pub assembly: String,
}

/// The assembly a sitting belongs to: the congress, or the first plenum of a body it elected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SittingAssembly {
    Congress,
    /// The first plenum of the committee, or the first meeting of the inspection committee: its
    /// members are those the body's decided result elected.
    Plenum(Body),
}

impl SittingAssembly {
    /// The bodies whose members sit in a plenum of their own.
    pub const PLENUM_BODIES: [Body; 2] = [Body::Committee, Body::InspectionCommittee];

    pub fn code(self) -> String {
        match self {
            SittingAssembly::Congress => persons::CONGRESS_ASSEMBLY.to_owned(),
            SittingAssembly::Plenum(b) => format!("plenum:{}", b.code()),
        }
    }

    /// The value a stored code names; `None` for an unknown code (callers refuse it).
    pub fn from_code(code: &str) -> Option<Self> {
        if code == persons::CONGRESS_ASSEMBLY {
            return Some(SittingAssembly::Congress);
        }
        let body = Body::from_code(code.strip_prefix("plenum:")?)?;
        Self::PLENUM_BODIES.contains(&body).then_some(SittingAssembly::Plenum(body))
    }

    /// How pages name the assembly.
    pub fn label(self) -> &'static str {
        match self {
            SittingAssembly::Congress => "Đại hội",
            SittingAssembly::Plenum(Body::InspectionCommittee) => "Hội nghị lần thứ nhất Ủy ban Kiểm tra",
            SittingAssembly::Plenum(_) => "Hội nghị lần thứ nhất Ban Chấp hành",
        }
    }
}

/// The heading of a plenum's ballots, lists and minutes, without the term: "Hội nghị lần thứ nhất Ban
/// Chấp hành Đảng bộ xã … khóa XXVI". The khóa is the congress's number, read after "lần thứ" in its
/// name (left out when the name has none); the inspection committee belongs to the party committee
/// ("Đảng ủy xã …" for an organisation "Đảng bộ xã …").
pub fn plenum_heading(members_of: Body, congress_name: &str, organisation: &str) -> String {
    let organisation = organisation.trim();
    let body = match members_of {
        Body::InspectionCommittee => {
            let owner = match organisation.strip_prefix("Đảng bộ ") {
                Some(rest) => format!("Đảng ủy {rest}"),
                None => organisation.to_owned(),
            };
            format!("Ủy ban Kiểm tra {owner}")
        }
        _ => format!("Ban Chấp hành {organisation}"),
    };
    let khoa = congress_name
        .split_once("lần thứ ")
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .map(|k| k.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|k| !k.is_empty());
    match khoa {
        Some(k) => format!("Hội nghị lần thứ nhất {body} khóa {k}"),
        None => format!("Hội nghị lần thứ nhất {body}"),
    }
}

/// The khóa of a committee named in `name`: the word after "khóa" (or "khoá"), else after "lần thứ".
fn khoa_in(name: &str) -> Option<&str> {
    ["khóa ", "khoá ", "Khóa ", "Khoá ", "lần thứ "]
        .iter()
        .find_map(|marker| name.split_once(marker))
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .map(|k| k.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|k| !k.is_empty())
}

/// Whether `name` names the khóa of the committee whose by-election plenum it is.
pub fn names_khoa(name: &str) -> bool {
    khoa_in(name).is_some()
}

/// The heading of a by-election plenum (bầu bổ sung, Art. 28) of a committee whose term is running:
/// "Hội nghị Ban Chấp hành Đảng bộ xã … khóa XXVI, nhiệm kỳ 2025–2030 (bầu bổ sung)". The khóa is
/// read from the node's name ("… khóa XXVI"); the term written once.
pub fn by_election_heading(name: &str, organisation: &str, term: &str) -> String {
    let body = format!("Ban Chấp hành {}", organisation.trim());
    let term = term.trim();
    let bare = term.strip_prefix("nhiệm kỳ").or_else(|| term.strip_prefix("Nhiệm kỳ")).unwrap_or(term).trim();
    let mut heading = match khoa_in(name) {
        Some(k) => format!("Hội nghị {body} khóa {k}"),
        None => format!("Hội nghị {body}"),
    };
    if !bare.is_empty() {
        heading.push_str(&format!(", nhiệm kỳ {bare}"));
    }
    heading.push_str(" (bầu bổ sung)");
    heading
}

/// Whether the node holds a by-election plenum: its congress record is a `plenum` (the committee of
/// a term already running, its members the roster), not a congress.
pub(crate) fn is_by_election(c: &baucu_store::rusqlite::Connection) -> Result<bool, AppError> {
    Ok(baucu_store::congress::get(c)?.is_some_and(|r| r.assembly_kind == AssemblyKind::Plenum.code()))
}

/// The heading on an election's ballots, lists and minutes, given the kind of the node's own
/// assembly (`node_kind`: the congress's, or `plenum` for a by-election node): the by-election
/// plenum's heading with its term, or [`assembly_heading`].
pub(crate) fn election_heading(
    node_kind: AssemblyKind,
    kind: AssemblyKind,
    body: Body,
    congress_name: &str,
    organisation: &str,
    term: &str,
) -> String {
    match node_kind {
        AssemblyKind::Plenum => by_election_heading(congress_name, organisation, term),
        AssemblyKind::MembersCongress | AssemblyKind::DelegatesCongress => {
            assembly_heading(kind, body, congress_name, organisation)
        }
    }
}

/// The setting that marks the persons of a by-election node's roster who are nominated from outside
/// the committee (not its members, so not summoned to its plenum): a JSON array of person ids,
/// ascending. Absent: nobody. Read by [`by_election_nominees`]; written by
/// [`App::set_by_election_nominee`] only.
pub const BY_ELECTION_NOMINEES_SETTING: &str = "by_election.nominees";

/// How the roster and attendance pages name a person nominated from outside the committee.
pub const BY_ELECTION_NOMINEE_LABEL: &str = "Người được giới thiệu bầu bổ sung (không phải ủy viên)";

/// The persons nominated from outside the committee on a by-election node (empty on a congress
/// node, whatever the setting holds). An unreadable setting is an error, never "nobody": it decides
/// who is summoned. Ids no longer on the roster (a person deleted since) are left out.
pub(crate) fn by_election_nominees(c: &baucu_store::rusqlite::Connection) -> Result<BTreeSet<i64>, AppError> {
    if !is_by_election(c)? {
        return Ok(BTreeSet::new());
    }
    let stored = match baucu_store::counting::setting(c, BY_ELECTION_NOMINEES_SETTING)? {
        None => return Ok(BTreeSet::new()),
        Some(text) => serde_json::from_str::<Vec<i64>>(&text).map_err(|_| {
            AppError::damaged("Dữ liệu hội nghị bầu bổ sung", "danh sách người được giới thiệu bầu bổ sung")
        })?,
    };
    let on_roster: BTreeSet<i64> = persons::all(c)?.into_iter().map(|p| p.id).collect();
    Ok(stored.into_iter().filter(|id| on_roster.contains(id)).collect())
}

/// Why `person` may not stand for `body` on a by-election node: they were nominated from outside the
/// committee, and `body` is elected from the members of a body (rules.md § 2: the standing committee,
/// the secretary and deputies from the committee; the inspection chair and deputies from the
/// inspection committee) to which this plenum has not elected them. `None` when they may: any member,
/// anyone on a congress node, and a nominee for the committee or the inspection committee, which are
/// not drawn from another body.
pub(crate) fn by_election_outsider_refusal(
    c: &baucu_store::rusqlite::Connection,
    body: Body,
    person: &Person,
) -> Result<Option<String>, AppError> {
    let sources = baucu_rules::roster::drawn_from(body);
    let Some(&of) = sources.last() else { return Ok(None) };
    if !by_election_nominees(c)?.contains(&person.id) {
        return Ok(None);
    }
    // Elected at this plenum to a body the post is drawn from: a member now.
    for e in baucu_store::elections::all(c)? {
        if sources.iter().any(|s| s.code() == e.body)
            && baucu_store::elections::elected(c, e.id)?.iter().any(|(p, alt)| *p == person.id && !alt)
        {
            return Ok(None);
        }
    }
    Ok(Some(format!(
        "{} là người được giới thiệu bầu bổ sung, không phải ủy viên {of}: {this} được bầu trong số các ủy viên {of} (Quy chế bầu cử trong Đảng).",
        person.full_name,
        of = messages::body(of),
        this = messages::body(body),
    )))
}

/// What a by-election plenum may elect (rules.md § 2): anything its committee elects but delegates to
/// the higher congress, which only a congress elects; a standing committee only when the committee
/// (its official members on the roster, not the persons nominated from outside it) has at least 9
/// members.
pub(crate) fn check_by_election_body(
    c: &baucu_store::rusqlite::Connection,
    body: Body,
) -> Result<(), AppError> {
    if body == Body::Delegates {
        return Err(AppError::invalid(
            "body",
            "Hội nghị Ban Chấp hành bầu bổ sung không bầu đại biểu dự đại hội cấp trên: chỉ đại hội bầu đại biểu.",
        ));
    }
    if body == Body::StandingCommittee {
        let nominees = by_election_nominees(c)?;
        let members = persons::all(c)?
            .into_iter()
            .filter(|p| !nominees.contains(&p.id))
            .map(Person::from_row)
            .filter(|p| {
                p.as_ref().map_or(true, |p| p.party_status() == baucu_rules::roster::PartyStatus::Official)
            })
            .collect::<Result<Vec<_>, _>>()?
            .len();
        let members = u32::try_from(members).unwrap_or(u32::MAX);
        if !baucu_rules::roster::standing_committee_allowed(members) {
            return Err(AppError::Conflict(format!(
                "Ban chấp hành có {members} ủy viên: chỉ bầu ban thường vụ khi ban chấp hành có từ 9 ủy viên trở lên (Quy chế bầu cử trong Đảng)."
            )));
        }
    }
    Ok(())
}

/// An election's title on the documents of a by-election: "Bầu ban thường vụ" becomes "Bầu bổ sung
/// ban thường vụ".
pub(crate) fn by_election_title(title: &str) -> String {
    match title.strip_prefix("Bầu ") {
        Some(rest) => format!("Bầu bổ sung {rest}"),
        None => format!("{title} (bầu bổ sung)"),
    }
}

/// The body whose members sit in the plenum that elects `body`: the inspection committee for its
/// deputy chair, the committee for everything else a plenum elects (rules.md § 2).
pub(crate) fn plenum_members_of(body: Body) -> Body {
    match body {
        Body::InspectionDeputyChair => Body::InspectionCommittee,
        _ => Body::Committee,
    }
}

/// The assembly named on an election's ballots, lists and minutes: the congress's name, or the
/// heading of the plenum that holds it.
pub(crate) fn assembly_heading(
    kind: AssemblyKind,
    body: Body,
    congress_name: &str,
    organisation: &str,
) -> String {
    match kind {
        AssemblyKind::Plenum => plenum_heading(plenum_members_of(body), congress_name, organisation),
        AssemblyKind::MembersCongress | AssemblyKind::DelegatesCongress => congress_name.to_owned(),
    }
}

/// The members of a body's plenum: those its latest election elected (not alternates), once every
/// round of it is closed. An error names the body when there is no decided result yet.
pub(crate) fn plenum_members(
    c: &baucu_store::rusqlite::Connection,
    members_of: Body,
) -> Result<Vec<Person>, AppError> {
    let not_yet = || {
        AppError::Conflict(format!(
            "Chưa có kết quả bầu {}: hội nghị chưa có thành viên.",
            messages::body(members_of)
        ))
    };
    let source = baucu_store::elections::all(c)?.into_iter().rev().find(|e| e.body == members_of.code());
    let Some(source) = source else { return Err(not_yet()) };
    let open = baucu_store::counting::rounds_of(c, source.id)?.iter().any(|r| r.status != "closed");
    let members: BTreeSet<i64> = baucu_store::elections::elected(c, source.id)?
        .into_iter()
        .filter(|(_, alt)| !alt)
        .map(|(p, _)| p)
        .collect();
    if members.is_empty() || open {
        return Err(not_yet());
    }
    persons::all(c)?.into_iter().filter(|p| members.contains(&p.id)).map(Person::from_row).collect()
}

/// Who a sitting's assembly summons and who attended any of its sittings: the roster for the
/// congress (on a by-election node, the roster but the persons nominated from outside the committee);
/// the body's members for a plenum, whose absence for the whole congress no longer counts once they
/// attended the plenum.
pub(crate) fn summoned_of(
    c: &baucu_store::rusqlite::Connection,
    assembly: SittingAssembly,
) -> Result<(AssemblyKind, Vec<Person>, BTreeSet<i64>), AppError> {
    let attended: BTreeSet<i64> = persons::attended_any_of(c, &assembly.code())?.into_iter().collect();
    match assembly {
        SittingAssembly::Congress => {
            let congress = baucu_store::congress::get(c)?.ok_or_else(|| {
                AppError::Conflict("Chưa khai báo đại hội: vào trang Đại hội trước.".into())
            })?;
            let kind = AssemblyKind::from_code(&congress.assembly_kind)
                .ok_or_else(|| AppError::damaged("Dữ liệu đại hội", "loại đại hội"))?;
            let nominees = by_election_nominees(c)?;
            let people = persons::all(c)?
                .into_iter()
                .filter(|p| !nominees.contains(&p.id))
                .map(Person::from_row)
                .collect::<Result<_, _>>()?;
            Ok((kind, people, attended))
        }
        SittingAssembly::Plenum(body) => {
            let mut people = plenum_members(c, body)?;
            for p in &mut people {
                if attended.contains(&p.id) {
                    p.absence = "none".into();
                }
            }
            Ok((AssemblyKind::Plenum, people, attended))
        }
    }
}

/// The assembly of a plenum at its latest sitting, from the engine (`None` before it was summoned).
pub(crate) fn plenum_assembly(
    c: &baucu_store::rusqlite::Connection,
    members_of: Body,
) -> Result<Option<Assembly>, AppError> {
    // A by-election node is itself the plenum: its roster (the committee's current members) at its
    // latest sitting.
    if is_by_election(c)? {
        let which = SittingAssembly::Congress;
        let Some(sitting) = persons::sittings_of(c, &which.code())?.last().cloned() else { return Ok(None) };
        let (kind, people, attended) = summoned_of(c, which)?;
        let checked: BTreeSet<i64> = persons::checked_in(c, sitting.id)?.into_iter().collect();
        return Ok(Some(assembly_of(kind, &people, &attended, &checked)?.0));
    }
    let which = SittingAssembly::Plenum(members_of);
    let Some(sitting) = persons::sittings_of(c, &which.code())?.last().cloned() else { return Ok(None) };
    let (kind, people, attended) = summoned_of(c, which)?;
    let checked: BTreeSet<i64> = persons::checked_in(c, sitting.id)?.into_iter().collect();
    Ok(Some(assembly_of(kind, &people, &attended, &checked)?.0))
}

/// One line of the base computation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BaseLine {
    pub label: String,
    pub count: u32,
    /// `-` for a subtraction, `=` for the result, empty for a plain figure.
    pub sign: &'static str,
}

/// The base of the majority as the minutes state it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BaseReport {
    pub assembly_kind: AssemblyKind,
    pub summoned: u32,
    pub present: u32,
    pub absent: u32,
    pub base: u32,
    pub threshold: u64,
    pub lines: Vec<BaseLine>,
}

impl BaseReport {
    fn from_assembly(a: &Assembly) -> Self {
        let who = match a.kind() {
            AssemblyKind::DelegatesCongress => "đại biểu chính thức được triệu tập",
            AssemblyKind::Plenum => "ủy viên được triệu tập",
            AssemblyKind::MembersCongress => "đảng viên chính thức được triệu tập",
        };
        let mut lines = vec![BaseLine { label: format!("Tổng số {who}"), count: a.summoned(), sign: "" }];
        for &(e, n) in a.exclusions() {
            lines.push(BaseLine { label: format!("Trừ {}", messages::exclusion(e)), count: n, sign: "-" });
        }
        lines.push(BaseLine {
            label: "Số làm căn cứ tính kết quả bầu cử (B)".into(),
            count: a.base().get(),
            sign: "=",
        });
        BaseReport {
            assembly_kind: a.kind(),
            summoned: a.summoned(),
            present: a.present(),
            absent: a.absent(),
            base: a.base().get(),
            threshold: a.base().threshold(),
            lines,
        }
    }
}

/// One person on the attendance page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttendanceRow {
    pub person: Person,
    pub checked_in: bool,
    /// How the person counts towards the base, in Vietnamese.
    pub standing: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attendance {
    pub sitting: Option<Sitting>,
    /// The sittings of every assembly, in order.
    pub sittings: Vec<Sitting>,
    /// The assembly of the sitting shown (`congress`, `plenum:committee`, …) and its name.
    pub assembly: String,
    pub assembly_label: String,
    /// The plenums that may be summoned now: (body code, label) of each body decided and not summoned.
    pub summonable: Vec<(String, String)>,
    pub rows: Vec<AttendanceRow>,
    /// On a by-election node, the persons nominated from outside the committee
    /// ([`BY_ELECTION_NOMINEE_LABEL`]): on the roster, not summoned, not in the base.
    pub nominees: Vec<Person>,
    /// `None` while the roster gives a base of 0.
    pub report: Option<BaseReport>,
}

pub(crate) fn facts(p: &Person, attended: bool, replaced: bool) -> RosterFacts {
    RosterFacts {
        party_status: p.party_status(),
        delegate_kind: p.delegate_kind(),
        temporarily_transferred: p.temporarily_transferred,
        exempted: p.exempted,
        suspended: p.suspended,
        prosecuted: p.prosecuted,
        absence: p.absence(),
        attended,
        summoned_as_replacement: p.replaces_person_id.is_some(),
        replaced,
    }
}

fn standing_label(s: Standing) -> String {
    match s {
        Standing::NotSummoned => "Không thuộc diện triệu tập".into(),
        Standing::Excluded(e) => format!("Trừ khỏi số làm căn cứ: {}", messages::exclusion(e)),
        Standing::Counted => "Tính vào số làm căn cứ".into(),
    }
}

/// The engine's assembly for a roster, with the people checked in at a sitting as `present`.
pub(crate) fn assembly_of(
    kind: AssemblyKind,
    people: &[Person],
    attended: &BTreeSet<i64>,
    checked_in: &BTreeSet<i64>,
) -> Result<(Assembly, Vec<Standing>), AppError> {
    let replaced: BTreeSet<i64> = people.iter().filter_map(|p| p.replaces_person_id).collect();
    let all_facts: Vec<RosterFacts> =
        people.iter().map(|p| facts(p, attended.contains(&p.id), replaced.contains(&p.id))).collect();
    let standings: Vec<Standing> = all_facts.iter().map(|f| standing(kind, f)).collect();
    let present = people
        .iter()
        .zip(&standings)
        .filter(|(p, s)| checked_in.contains(&p.id) && **s != Standing::NotSummoned)
        .count() as u32;
    Ok((assembly_from_roster(kind, &all_facts, present)?, standings))
}

fn sitting_of(s: persons::SittingRow) -> Sitting {
    Sitting { id: s.id, name: s.name, held_on: s.held_on, assembly: s.assembly }
}

impl App {
    /// The sittings of every assembly (the congress's and its plenums'), in order.
    pub async fn sittings(&self, actor: &Actor) -> Result<Vec<Sitting>, AppError> {
        actor.require(Permission::ViewSetup)?;
        let rows = self.read(|c| Ok(persons::all_sittings(c)?)).await?;
        Ok(rows.into_iter().map(sitting_of).collect())
    }

    /// Summons the first plenum of `body` (the committee, or the inspection committee) in one step
    /// from its decided result: its members are those elected, and its first sitting is opened for
    /// their check-in. Refused before the result is decided, and once the plenum was summoned.
    pub async fn summon_plenum(&self, actor: &Actor, body: &str) -> Result<i64, AppError> {
        actor.require(Permission::TakeAttendance)?;
        let body = Body::from_code(body)
            .filter(|b| SittingAssembly::PLENUM_BODIES.contains(b))
            .ok_or_else(|| AppError::invalid("body", "Chọn hội nghị: ban chấp hành hoặc ủy ban kiểm tra."))?;
        let which = SittingAssembly::Plenum(body);
        let today = self.now().to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(7))).date().to_string();
        self.act(actor, "plenum.summon", move |c| {
            if is_by_election(c)? {
                return Err(AppError::Conflict(
                    "Đây là hội nghị bầu bổ sung: các ủy viên đã có trong danh sách và điểm danh ở phiên họp của hội nghị, không triệu tập hội nghị lần thứ nhất.".into(),
                ));
            }
            if !persons::sittings_of(c, &which.code())?.is_empty() {
                return Err(AppError::Conflict(format!("{} đã được triệu tập.", which.label())));
            }
            let members = plenum_members(c, body)?;
            let congress = baucu_store::congress::get(c)?.ok_or_else(|| {
                AppError::Conflict("Chưa khai báo đại hội: vào trang Đại hội trước.".into())
            })?;
            let name = plenum_heading(body, &congress.name, &congress.organisation);
            let id = persons::insert_sitting(c, &which.code(), &name, Some(&today))?;
            let ids: Vec<i64> = members.iter().map(|p| p.id).collect();
            Ok((id, json!({ "id": id, "name": name, "assembly": which.code(), "members": ids })))
        })
        .await
    }

    pub async fn add_sitting(&self, actor: &Actor, name: &str) -> Result<i64, AppError> {
        actor.require(Permission::TakeAttendance)?;
        let name = name.trim().to_owned();
        if name.is_empty() {
            return Err(AppError::invalid("name", "Tên phiên họp không được để trống."));
        }
        crate::limits::require_text("name", crate::limits::SITTING_NAME, &name)?;
        let today = self.now().to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(7))).date().to_string();
        self.act(actor, "sitting.create", move |c| {
            let id = persons::insert_sitting(c, persons::CONGRESS_ASSEMBLY, &name, Some(&today))?;
            Ok((id, json!({ "id": id, "name": name })))
        })
        .await
    }

    /// The attendance of a sitting (the congress's first one if `sitting_id` is `None`) with the base
    /// report of the sitting's assembly: the roster for the congress, the body's members for a plenum.
    pub async fn attendance(&self, actor: &Actor, sitting_id: Option<i64>) -> Result<Attendance, AppError> {
        actor.require(Permission::ViewSetup)?;
        let sittings = self.sittings(actor).await?;
        let sitting = match sitting_id {
            Some(id) => {
                Some(sittings.iter().find(|s| s.id == id).cloned().ok_or(AppError::NotFound("phiên họp"))?)
            }
            None => sittings.iter().find(|s| s.assembly == persons::CONGRESS_ASSEMBLY).cloned(),
        };
        let which = match &sitting {
            Some(s) => SittingAssembly::from_code(&s.assembly)
                .ok_or_else(|| AppError::damaged("Dữ liệu phiên họp", "hội nghị"))?,
            None => SittingAssembly::Congress,
        };
        let sid = sitting.as_ref().map(|s| s.id);
        let ((kind, people, attended), checked, summonable, by_election, nominees) = self
            .read(move |c| {
                let checked = match sid {
                    Some(id) => persons::checked_in(c, id)?,
                    None => Vec::new(),
                };
                let mut summonable = Vec::new();
                let bodies: &[Body] = if is_by_election(c)? { &[] } else { &SittingAssembly::PLENUM_BODIES };
                for &body in bodies {
                    let plenum = SittingAssembly::Plenum(body);
                    if persons::sittings_of(c, &plenum.code())?.is_empty() && plenum_members(c, body).is_ok()
                    {
                        summonable.push((body.code().to_owned(), plenum.label().to_owned()));
                    }
                }
                // A by-election node's own sittings are its plenum's, headed as its documents are.
                let by_election = match baucu_store::congress::get(c)? {
                    Some(r) if r.assembly_kind == AssemblyKind::Plenum.code() => {
                        Some(by_election_heading(&r.name, &r.organisation, &r.term))
                    }
                    _ => None,
                };
                let nominees: Vec<Person> = match which {
                    SittingAssembly::Congress => {
                        let ids = by_election_nominees(c)?;
                        persons::all(c)?
                            .into_iter()
                            .filter(|p| ids.contains(&p.id))
                            .map(Person::from_row)
                            .collect::<Result<_, _>>()?
                    }
                    SittingAssembly::Plenum(_) => Vec::new(),
                };
                Ok((summoned_of(c, which)?, checked, summonable, by_election, nominees))
            })
            .await?;
        let checked: BTreeSet<i64> = checked.into_iter().collect();
        let (report, standings) = match assembly_of(kind, &people, &attended, &checked) {
            Ok((a, s)) => (Some(BaseReport::from_assembly(&a)), s),
            Err(_) => (None, vec![Standing::NotSummoned; people.len()]),
        };
        let rows = people
            .into_iter()
            .zip(standings)
            .map(|(p, s)| AttendanceRow {
                checked_in: checked.contains(&p.id),
                standing: standing_label(s),
                person: p,
            })
            .collect();
        Ok(Attendance {
            sitting,
            sittings,
            assembly: which.code(),
            assembly_label: by_election.unwrap_or_else(|| which.label().to_owned()),
            summonable,
            rows,
            nominees,
            report,
        })
    }

    pub async fn set_check_in(
        &self,
        actor: &Actor,
        sitting_id: i64,
        person_id: i64,
        present: bool,
    ) -> Result<(), AppError> {
        actor.require(Permission::TakeAttendance)?;
        let at = self.now().to_string();
        self.act(actor, "attendance.check_in", move |c| {
            let person = persons::get(c, person_id)?.ok_or(AppError::NotFound("người này"))?;
            let sitting = persons::all_sittings(c)?
                .into_iter()
                .find(|s| s.id == sitting_id)
                .ok_or(AppError::NotFound("phiên họp"))?;
            let which = SittingAssembly::from_code(&sitting.assembly)
                .ok_or_else(|| AppError::damaged("Dữ liệu phiên họp", "hội nghị"))?;
            if let SittingAssembly::Plenum(body) = which
                && !plenum_members(c, body)?.iter().any(|p| p.id == person_id)
            {
                return Err(AppError::invalid(
                    "person_id",
                    format!(
                        "{} không phải ủy viên {} vừa được bầu: không được triệu tập dự {}.",
                        person.full_name,
                        messages::body(body),
                        which.label().to_lowercase()
                    ),
                ));
            }
            if present && which == SittingAssembly::Congress && by_election_nominees(c)?.contains(&person_id) {
                return Err(AppError::invalid(
                    "person_id",
                    format!(
                        "{} là người được giới thiệu bầu bổ sung, không phải ủy viên Ban Chấp hành: không được triệu tập, không điểm danh dự hội nghị.",
                        person.full_name
                    ),
                ));
            }
            persons::set_check_in(c, sitting_id, person_id, present, &at)?;
            Ok(((), json!({ "sitting_id": sitting_id, "person_id": person_id, "present": present })))
        })
        .await
    }

    /// Checks in the one person whose name matches `query` (without diacritics); several matches are
    /// listed so that the user can pick.
    pub async fn check_in_by_name(
        &self,
        actor: &Actor,
        sitting_id: i64,
        query: &str,
    ) -> Result<Person, AppError> {
        actor.require(Permission::TakeAttendance)?;
        if query.trim().is_empty() {
            return Err(AppError::invalid("query", "Gõ họ tên người cần điểm danh."));
        }
        crate::limits::require_text("query", crate::limits::SEARCH, query)?;
        let found = self.search_persons(actor, query, 10).await?;
        let exact: Vec<&Person> = found
            .iter()
            .filter(|p| {
                baucu_rules::name::fold_for_search(&p.full_name)
                    == baucu_rules::name::fold_for_search(query.trim())
            })
            .collect();
        let person = match (exact.as_slice(), found.as_slice()) {
            ([one], _) => (*one).clone(),
            ([], [one]) => one.clone(),
            (_, []) => {
                return Err(AppError::invalid(
                    "query",
                    format!("Không có ai tên \"{}\" trong danh sách.", query.trim()),
                ));
            }
            _ => {
                let names: Vec<&str> = found.iter().map(|p| p.full_name.as_str()).collect();
                return Err(AppError::invalid(
                    "query",
                    format!("Có nhiều người khớp: {}. Gõ đầy đủ hơn.", names.join(", ")),
                ));
            }
        };
        self.set_check_in(actor, sitting_id, person.id, true).await?;
        Ok(person)
    }

    pub async fn set_absence(&self, actor: &Actor, person_id: i64, absence: &str) -> Result<(), AppError> {
        actor.require(Permission::TakeAttendance)?;
        let code = ABSENCES
            .iter()
            .find(|(c, _)| *c == absence)
            .map(|(c, _)| *c)
            .ok_or_else(|| AppError::invalid("absence", "Chọn tình trạng vắng mặt."))?;
        self.act(actor, "attendance.absence", move |c| {
            let mut p = persons::get(c, person_id)?.ok_or(AppError::NotFound("người này"))?;
            p.absence = code.into();
            persons::update(c, &p)?;
            Ok(((), json!({ "person_id": person_id, "absence": code })))
        })
        .await
    }

    /// On a by-election node, the persons nominated from outside the committee
    /// ([`BY_ELECTION_NOMINEE_LABEL`]); `None` on a congress node, which has none.
    pub async fn by_election_nominee_ids(&self, actor: &Actor) -> Result<Option<BTreeSet<i64>>, AppError> {
        actor.require(Permission::ViewSetup)?;
        self.read(|c| if is_by_election(c)? { by_election_nominees(c).map(Some) } else { Ok(None) }).await
    }

    /// Marks a person of a by-election node's roster as nominated from outside the committee
    /// (`nominee`), or as one of its members again: a nominee is not summoned to the plenum and not in
    /// its base, may stand for the committee (or the inspection committee), but not for a post drawn
    /// from the committee's members. Refused on a congress node; once a round exists (the plenum's
    /// base was taken from who is a member); for a person checked in at the plenum, or on a list for a
    /// post drawn from the members. Audited.
    pub async fn set_by_election_nominee(
        &self,
        actor: &Actor,
        person_id: i64,
        nominee: bool,
    ) -> Result<(), AppError> {
        actor.require(Permission::EditRoster)?;
        self.act(actor, "roster.by_election_nominee", move |c| {
            if !is_by_election(c)? {
                return Err(AppError::Conflict(
                    "Chỉ hội nghị Ban Chấp hành bầu bổ sung mới có người được giới thiệu bầu bổ sung không phải ủy viên: đại hội triệu tập mọi người trong danh sách.".into(),
                ));
            }
            let person = Person::from_row(persons::get(c, person_id)?.ok_or(AppError::NotFound("người này"))?)?;
            if baucu_store::counting::any_round(c)? {
                return Err(AppError::Conflict(format!(
                    "Hội nghị đã có lần bầu: số ủy viên được triệu tập và số làm căn cứ đã lấy theo danh sách ủy viên, nên không đổi được {} là ủy viên hay người được giới thiệu bầu bổ sung.",
                    person.full_name
                )));
            }
            let mut ids = by_election_nominees(c)?;
            if nominee {
                if persons::attended_any_of(c, persons::CONGRESS_ASSEMBLY)?.contains(&person_id) {
                    return Err(AppError::Conflict(format!(
                        "{} đã được điểm danh có mặt tại hội nghị: bỏ điểm danh trước khi ghi là người được giới thiệu bầu bổ sung (không phải ủy viên).",
                        person.full_name
                    )));
                }
                for e in baucu_store::elections::all(c)? {
                    let body = Body::from_code(&e.body)
                        .ok_or_else(|| AppError::damaged(format!("Dữ liệu cuộc bầu số {}", e.id), "loại cuộc bầu"))?;
                    if baucu_rules::roster::drawn_from(body).is_empty() {
                        continue;
                    }
                    let listed = baucu_store::elections::candidates(c, e.id)?.iter().any(|x| {
                        x.person_id == person_id
                            && matches!(
                                x.status.as_str(),
                                "listed" | "pending_poll" | "tied_at_cap" | "withdrawal_requested"
                            )
                    });
                    if listed {
                        return Err(AppError::Conflict(format!(
                            "{} đang có tên trong danh sách bầu {}, được bầu trong số các ủy viên: đưa tên ra khỏi danh sách trước khi ghi là người được giới thiệu bầu bổ sung.",
                            person.full_name,
                            messages::body(body)
                        )));
                    }
                }
                ids.insert(person_id);
            } else {
                ids.remove(&person_id);
            }
            let list: Vec<i64> = ids.into_iter().collect();
            let text = serde_json::to_string(&list)
                .map_err(|_| AppError::damaged("Dữ liệu hội nghị bầu bổ sung", "danh sách người được giới thiệu"))?;
            baucu_store::counting::put_setting(c, BY_ELECTION_NOMINEES_SETTING, &text)?;
            Ok(((), json!({ "person_id": person_id, "full_name": person.full_name, "nominee": nominee })))
        })
        .await
    }

    /// Summons an alternate delegate in place of an official delegate absent for the whole congress
    /// (`replaces = None` withdraws the summons).
    pub async fn summon_alternate(
        &self,
        actor: &Actor,
        alternate_id: i64,
        replaces: Option<i64>,
    ) -> Result<(), AppError> {
        actor.require(Permission::TakeAttendance)?;
        self.act(actor, "attendance.summon_alternate", move |c| {
            let mut alt = persons::get(c, alternate_id)?.ok_or(AppError::NotFound("đại biểu dự khuyết"))?;
            if Person::from_row(alt.clone())?.delegate_kind() != Some(DelegateKind::Alternate) {
                return Err(AppError::invalid("alternate", format!("{} không phải đại biểu dự khuyết.", alt.full_name)));
            }
            if let Some(rid) = replaces {
                let official = Person::from_row(persons::get(c, rid)?.ok_or(AppError::NotFound("đại biểu chính thức"))?)?;
                let is_official_delegate =
                    matches!(official.delegate_kind(), Some(DelegateKind::Elected | DelegateKind::Appointed));
                if !is_official_delegate || official.absence() == baucu_rules::roster::Absence::None {
                    return Err(AppError::invalid(
                        "replaces",
                        format!("Chỉ triệu tập dự khuyết thay đại biểu chính thức vắng mặt cả đại hội; {} không như vậy.", official.full_name),
                    ));
                }
                let taken = persons::all(c)?.into_iter().any(|p| p.id != alternate_id && p.replaces_person_id == Some(rid));
                if taken {
                    return Err(AppError::Conflict(format!("Đã có đại biểu dự khuyết thay {}.", official.full_name)));
                }
            }
            alt.replaces_person_id = replaces;
            persons::update(c, &alt)?;
            Ok(((), json!({ "alternate_id": alternate_id, "replaces": replaces })))
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use baucu_rules::assembly::Exclusion;
    use baucu_store::elections::{self as edb, ElectionRow};
    use baucu_store::persons::PersonRow;
    use baucu_store::rusqlite::Connection;

    fn person(c: &Connection, name: &str, set: impl FnOnce(&mut PersonRow)) -> i64 {
        let mut row = PersonRow {
            full_name: name.into(),
            search_key: baucu_rules::name::fold_for_search(name),
            sex: "male".into(),
            party_status: "official".into(),
            absence: "none".into(),
            ..PersonRow::default()
        };
        set(&mut row);
        persons::insert(c, &row).expect("insert person")
    }

    #[test]
    fn first_plenum_base_takes_each_of_the_five_subtractions_from_its_members_and_sitting() {
        let mut c = Connection::open_in_memory().expect("open");
        baucu_store::schema::migrate(&mut c).expect("migrate");
        let present = person(&c, "Nguyễn Văn An", |_| {});
        let suspended = person(&c, "Trần Văn Bình", |p| p.suspended = true);
        let prosecuted = person(&c, "Lê Văn Cường", |p| p.prosecuted = true);
        let transferred = person(&c, "Phạm Văn Dũng", |p| p.temporarily_transferred = true);
        let exempted = person(&c, "Hoàng Văn Em", |p| p.exempted = true);
        let excused = person(&c, "Vũ Văn Giang", |p| p.absence = "with_accepted_reason".into());
        let transferred_came = person(&c, "Đỗ Văn Hà", |p| p.temporarily_transferred = true);
        let excused_came = person(&c, "Bùi Văn Khánh", |p| p.absence = "with_accepted_reason".into());
        let away = person(&c, "Ngô Văn Long", |_| {});
        let outsider = person(&c, "Dương Văn Minh", |_| {});
        let members = [
            present,
            suspended,
            prosecuted,
            transferred,
            exempted,
            excused,
            transferred_came,
            excused_came,
            away,
        ];
        // Before the committee is decided there is no plenum to summon.
        assert!(matches!(plenum_members(&c, Body::Committee), Err(AppError::Conflict(_))));
        let committee = edb::insert(
            &c,
            &ElectionRow {
                body: "committee".into(),
                seats: 9,
                assembly_kind: "members_congress".into(),
                list_status: "approved".into(),
                created_at: "2025-05-20T02:00:00Z".into(),
                ..ElectionRow::default()
            },
        )
        .expect("election");
        for id in members {
            edb::record_elected(&c, committee, id, false).expect("elected");
        }
        // At the congress's sitting the transferred member and the outsider came: that is not the
        // plenum's attendance.
        let congress = persons::insert_sitting(&c, "congress", "Phiên thứ nhất", None).expect("sitting");
        for id in [transferred, outsider, away] {
            persons::set_check_in(&c, congress, id, true, "t").expect("check in");
        }
        assert_eq!(plenum_assembly(&c, Body::Committee).expect("no plenum yet"), None);
        let which = SittingAssembly::Plenum(Body::Committee);
        let plenum = persons::insert_sitting(&c, &which.code(), "Hội nghị", None).expect("sitting");
        for id in [present, transferred_came, excused_came] {
            persons::set_check_in(&c, plenum, id, true, "t").expect("check in");
        }
        let a = plenum_assembly(&c, Body::Committee).expect("assembly").expect("summoned");
        assert_eq!(a.kind(), AssemblyKind::Plenum);
        assert_eq!(a.summoned(), 9, "the members only, not the outsider");
        assert_eq!(
            a.exclusions(),
            &[
                (Exclusion::TemporaryTransferAbsent, 1),
                (Exclusion::ExemptedAbsent, 1),
                (Exclusion::Suspended, 1),
                (Exclusion::ProsecutedOrDetained, 1),
                (Exclusion::AbsentWithAcceptedReason, 1),
            ]
        );
        assert_eq!(a.base().get(), 4, "9 summoned − 5 subtractions");
        assert_eq!(a.base().threshold(), 3);
        assert_eq!((a.present(), a.absent()), (3, 6), "checked in at the plenum's sitting");
        // The congress's attendance is its own.
        let attended: BTreeSet<i64> = persons::attended_any(&c).expect("attended").into_iter().collect();
        assert_eq!(attended, BTreeSet::from([transferred, outsider, away]));
    }

    /// A by-election node: its congress record is a plenum of the committee, its roster the
    /// committee's current members.
    fn by_election_node(c: &Connection) {
        baucu_store::congress::put(
            c,
            &baucu_store::congress::CongressRow {
                name: "Hội nghị Ban Chấp hành Đảng bộ xã Thượng Kiệm khóa XXVI".into(),
                organisation: "Đảng bộ xã Thượng Kiệm".into(),
                level: "grassroots".into(),
                assembly_kind: "plenum".into(),
                term: "2025–2030".into(),
                regulation: "190-QD/TW".into(),
                ..Default::default()
            },
        )
        .expect("congress");
    }

    #[test]
    fn by_election_base_is_the_plenums_of_the_roster_with_the_five_subtractions() {
        let mut c = Connection::open_in_memory().expect("open");
        baucu_store::schema::migrate(&mut c).expect("migrate");
        by_election_node(&c);
        assert!(is_by_election(&c).expect("read"));
        let members: Vec<i64> =
            (1..=13).map(|i| person(&c, &format!("Nguyễn Văn Ủy Viên {i}"), |_| {})).collect();
        let excused = person(&c, "Trần Thị Có Lý Do", |p| p.absence = "with_accepted_reason".into());
        let away = person(&c, "Lê Văn Không Lý Do", |p| p.absence = "without_reason".into());
        // Before its sitting the plenum has no attendance.
        assert_eq!(plenum_assembly(&c, Body::Committee).expect("read"), None);
        let sitting = persons::insert_sitting(&c, "congress", "Hội nghị", None).expect("sitting");
        for id in &members {
            persons::set_check_in(&c, sitting, *id, true, "t").expect("check in");
        }
        // A committee of 15: 13 present, one absent with an accepted reason (subtracted), one without
        // (stays in B).
        let a = plenum_assembly(&c, Body::Committee).expect("assembly").expect("sitting held");
        assert_eq!(a.kind(), AssemblyKind::Plenum);
        assert_eq!((a.summoned(), a.present(), a.absent()), (15, 13, 2));
        assert!(a.exclusions().contains(&(Exclusion::AbsentWithAcceptedReason, 1)), "{:?}", a.exclusions());
        assert_eq!(a.exclusions().iter().map(|(_, n)| n).sum::<u32>(), 1);
        assert_eq!((a.base().get(), a.base().threshold()), (14, 8));
        // Every election of the plenum takes the same assembly, whatever the body.
        for body in [Body::StandingCommittee, Body::Secretary, Body::InspectionDeputyChair] {
            let b = plenum_assembly(&c, plenum_members_of(body)).expect("assembly").expect("sitting");
            assert_eq!(b, a);
        }
        // Each of the five subtractions of the plenum's base applies to the roster.
        for (i, set) in [
            |p: &mut PersonRow| p.suspended = true,
            |p: &mut PersonRow| p.prosecuted = true,
            |p: &mut PersonRow| p.temporarily_transferred = true,
            |p: &mut PersonRow| p.exempted = true,
        ]
        .into_iter()
        .enumerate()
        {
            person(&c, &format!("Phạm Văn Trừ {i}"), set);
        }
        let a = plenum_assembly(&c, Body::Committee).expect("assembly").expect("sitting held");
        assert_eq!(
            a.exclusions(),
            &[
                (Exclusion::TemporaryTransferAbsent, 1),
                (Exclusion::ExemptedAbsent, 1),
                (Exclusion::Suspended, 1),
                (Exclusion::ProsecutedOrDetained, 1),
                (Exclusion::AbsentWithAcceptedReason, 1),
            ]
        );
        assert_eq!((a.summoned(), a.base().get()), (19, 14));
        // A by-election has no first plenum to summon, and elects no delegates.
        assert!(matches!(check_by_election_body(&c, Body::Delegates), Err(AppError::Invalid(_))));
        assert!(check_by_election_body(&c, Body::StandingCommittee).is_ok());
        assert!(check_by_election_body(&c, Body::Committee).is_ok());
        // The member away without a reason stays in the base.
        let (_, people, _) = summoned_of(&c, SittingAssembly::Congress).expect("summoned");
        let people_away: Vec<&Person> = people.iter().filter(|p| p.id == away).collect();
        assert_eq!(people_away.len(), 1);
        assert_eq!(standing(AssemblyKind::Plenum, &facts(people_away[0], false, false)), Standing::Counted);
        let people_excused: Vec<&Person> = people.iter().filter(|p| p.id == excused).collect();
        assert_eq!(
            standing(AssemblyKind::Plenum, &facts(people_excused[0], false, false)),
            Standing::Excluded(Exclusion::AbsentWithAcceptedReason)
        );
    }

    #[test]
    fn by_election_nominees_from_outside_are_not_summoned_and_stand_for_the_committee_only() {
        let mut c = Connection::open_in_memory().expect("open");
        baucu_store::schema::migrate(&mut c).expect("migrate");
        let members: Vec<i64> =
            (1..=8).map(|i| person(&c, &format!("Nguyễn Văn Ủy Viên {i}"), |_| {})).collect();
        let outsider = person(&c, "Cao Văn Tài", |_| {});
        let put = |text: &str| {
            baucu_store::counting::put_setting(&c, BY_ELECTION_NOMINEES_SETTING, text).expect("setting")
        };
        put(&format!("[{outsider}, 999]"));
        // On a congress node the setting decides nothing: everyone on the roster is summoned.
        assert!(by_election_nominees(&c).expect("read").is_empty());
        by_election_node(&c);
        // On a by-election node: the nominee, not an id no longer on the roster.
        assert_eq!(by_election_nominees(&c).expect("read"), BTreeSet::from([outsider]));
        let (_, people, _) = summoned_of(&c, SittingAssembly::Congress).expect("summoned");
        assert_eq!(people.iter().map(|p| p.id).collect::<Vec<_>>(), members, "the members only");
        let sitting = persons::insert_sitting(&c, "congress", "Hội nghị", None).expect("sitting");
        for id in &members {
            persons::set_check_in(&c, sitting, *id, true, "t").expect("check in");
        }
        let a = plenum_assembly(&c, Body::Committee).expect("assembly").expect("sitting held");
        assert_eq!((a.summoned(), a.present(), a.base().get()), (8, 8, 8));
        // Eight members and the nominee: the committee has 8, no standing committee.
        let refused = check_by_election_body(&c, Body::StandingCommittee);
        assert!(matches!(&refused, Err(AppError::Conflict(m)) if m.contains("có 8 ủy viên")), "{refused:?}");
        // The nominee stands for the committee and the inspection committee, not for a post drawn from
        // the members, with the reason.
        let tai = Person::from_row(persons::get(&c, outsider).expect("get").expect("row")).expect("person");
        for body in [Body::Committee, Body::InspectionCommittee] {
            assert_eq!(by_election_outsider_refusal(&c, body, &tai).expect("read"), None, "{body:?}");
        }
        let why = by_election_outsider_refusal(&c, Body::Secretary, &tai).expect("read");
        assert_eq!(
            why.as_deref(),
            Some(
                "Cao Văn Tài là người được giới thiệu bầu bổ sung, không phải ủy viên ban chấp hành: bí thư được bầu trong số các ủy viên ban chấp hành (Quy chế bầu cử trong Đảng)."
            )
        );
        let why = by_election_outsider_refusal(&c, Body::InspectionChair, &tai).expect("read");
        assert!(why.is_some_and(|w| w.contains("không phải ủy viên ủy ban kiểm tra")));
        let member =
            Person::from_row(persons::get(&c, members[0]).expect("get").expect("row")).expect("person");
        assert_eq!(by_election_outsider_refusal(&c, Body::Secretary, &member).expect("read"), None);
        // Elected to the committee at this plenum, the nominee is a member for the posts.
        let committee = edb::insert(
            &c,
            &ElectionRow {
                body: "committee".into(),
                seats: 1,
                assembly_kind: "plenum".into(),
                list_status: "approved".into(),
                created_at: "2027-03-15T02:00:00Z".into(),
                ..ElectionRow::default()
            },
        )
        .expect("election");
        edb::record_elected(&c, committee, outsider, false).expect("elected");
        assert_eq!(by_election_outsider_refusal(&c, Body::StandingCommittee, &tai).expect("read"), None);
        // A damaged setting is an error, never "nobody".
        put("[\"Cao Văn Tài\"]");
        assert!(matches!(by_election_nominees(&c), Err(AppError::Conflict(m)) if m.contains("bị hỏng")));
        assert!(summoned_of(&c, SittingAssembly::Congress).is_err());
    }

    #[test]
    fn by_election_standing_committee_needs_a_committee_of_nine() {
        let mut c = Connection::open_in_memory().expect("open");
        baucu_store::schema::migrate(&mut c).expect("migrate");
        by_election_node(&c);
        for i in 1..=8 {
            person(&c, &format!("Nguyễn Văn Ủy Viên {i}"), |_| {});
        }
        person(&c, "Đỗ Văn Dự Bị", |p| p.party_status = "probationary".into());
        let refused = check_by_election_body(&c, Body::StandingCommittee);
        assert!(matches!(&refused, Err(AppError::Conflict(m)) if m.contains("có 8 ủy viên")), "{refused:?}");
        person(&c, "Nguyễn Văn Ủy Viên 9", |_| {});
        assert!(check_by_election_body(&c, Body::StandingCommittee).is_ok());
    }

    #[test]
    fn by_election_heading_and_titles() {
        let name = "Hội nghị Ban Chấp hành Đảng bộ xã Thượng Kiệm khóa XXVI";
        let heading =
            "Hội nghị Ban Chấp hành Đảng bộ xã Thượng Kiệm khóa XXVI, nhiệm kỳ 2025–2030 (bầu bổ sung)";
        assert_eq!(by_election_heading(name, "Đảng bộ xã Thượng Kiệm", "2025–2030"), heading);
        assert_eq!(by_election_heading(name, "Đảng bộ xã Thượng Kiệm", "nhiệm kỳ 2025–2030"), heading);
        assert_eq!(
            by_election_heading("Bầu bổ sung, khoá XXVI", "Đảng bộ xã Thượng Kiệm", "2025–2030"),
            heading,
            "khoá written the old way"
        );
        assert!(names_khoa(name) && names_khoa("Đại hội Đảng bộ xã X lần thứ XXVI"));
        assert!(!names_khoa("Hội nghị Ban Chấp hành Đảng bộ xã Thượng Kiệm"));
        // Every election of a by-election node is headed by it, whatever its body.
        for body in [Body::Committee, Body::Secretary, Body::InspectionDeputyChair] {
            assert_eq!(
                election_heading(
                    AssemblyKind::Plenum,
                    AssemblyKind::Plenum,
                    body,
                    name,
                    "Đảng bộ xã Thượng Kiệm",
                    "2025–2030"
                ),
                heading
            );
        }
        assert_eq!(
            election_heading(
                AssemblyKind::MembersCongress,
                AssemblyKind::MembersCongress,
                Body::Committee,
                "Đại hội X",
                "Y",
                "2025–2030"
            ),
            "Đại hội X"
        );
        assert_eq!(by_election_title("Bầu ban thường vụ"), "Bầu bổ sung ban thường vụ");
        assert_eq!(by_election_title("Bầu ban chấp hành (lần 2)"), "Bầu bổ sung ban chấp hành (lần 2)");
    }

    #[test]
    fn first_plenum_heading_from_the_congress() {
        let name = "Đại hội Đảng bộ xã Thượng Kiệm lần thứ XXVI";
        assert_eq!(
            plenum_heading(Body::Committee, name, "Đảng bộ xã Thượng Kiệm"),
            "Hội nghị lần thứ nhất Ban Chấp hành Đảng bộ xã Thượng Kiệm khóa XXVI"
        );
        assert_eq!(
            plenum_heading(Body::InspectionCommittee, name, "Đảng bộ xã Thượng Kiệm"),
            "Hội nghị lần thứ nhất Ủy ban Kiểm tra Đảng ủy xã Thượng Kiệm khóa XXVI"
        );
        assert_eq!(
            plenum_heading(Body::Committee, "Đại hội Đảng bộ xã Thượng Kiệm", "Đảng bộ xã Thượng Kiệm"),
            "Hội nghị lần thứ nhất Ban Chấp hành Đảng bộ xã Thượng Kiệm",
            "no number in the name: no khóa"
        );
        assert_eq!(
            assembly_heading(
                AssemblyKind::Plenum,
                Body::InspectionDeputyChair,
                name,
                "Đảng bộ xã Thượng Kiệm"
            ),
            "Hội nghị lần thứ nhất Ủy ban Kiểm tra Đảng ủy xã Thượng Kiệm khóa XXVI"
        );
        assert_eq!(assembly_heading(AssemblyKind::MembersCongress, Body::Committee, name, "x"), name);
        for which in [
            SittingAssembly::Congress,
            SittingAssembly::Plenum(Body::Committee),
            SittingAssembly::Plenum(Body::InspectionCommittee),
        ] {
            assert_eq!(SittingAssembly::from_code(&which.code()), Some(which));
        }
        assert_eq!(SittingAssembly::from_code("plenum:secretary"), None);
        assert_eq!(SittingAssembly::from_code("plenum"), None);
    }
}
