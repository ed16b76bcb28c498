//! Elections and their lists: the convening committee's names, nominations from the floor,
//! withdrawals decided by the congress, the opinion poll and its 30 % gate, the surplus check, the
//! approval vote, and the ballot order — every decision taken by the rules engine.

use crate::attendance::assembly_of;
use crate::limits::TextLimit;
use crate::roster::Person;
use crate::{Actor, App, AppError, FieldProblem, Permission};
use baucu_rules::assembly::AssemblyKind;
use baucu_rules::case::ListAnswer;
use baucu_rules::election::{Body, Layout};
use baucu_rules::list::check_list;
use baucu_rules::order::ballot_order;
use baucu_rules::poll::{ExcludeReason, decide_poll};
use baucu_rules::roster::{
    Ineligibility, drawn_from, ineligibility, show_of_hands_passes, standing_committee_allowed,
};
use baucu_rules::{PersonName, messages};
use baucu_store::counting as cdb;
use baucu_store::elections::{self as db, CandidateRow, ElectionRow};
use baucu_store::persons;
use baucu_store::rusqlite::Connection;
use serde::Serialize;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};

pub fn body_from_code(code: &str) -> Option<Body> {
    Body::ALL.into_iter().find(|b| b.code() == code)
}

/// Where a name on the list came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Proposed by the convening committee.
    Convening,
    /// Nominated at the congress.
    Nomination,
    SelfNomination,
}

impl Source {
    pub const ALL: [Source; 3] = [Source::Convening, Source::Nomination, Source::SelfNomination];

    pub fn code(self) -> &'static str {
        match self {
            Source::Convening => "convening",
            Source::Nomination => "nomination",
            Source::SelfNomination => "self_nomination",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Source::Convening => "Cấp ủy giới thiệu",
            Source::Nomination => "Đại hội đề cử",
            Source::SelfNomination => "Ứng cử",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CandidateStatus {
    /// On the election list.
    Listed,
    /// An outside nominee waiting for the opinion poll.
    PendingPoll,
    /// Not more than 30 % of those present agreed.
    BelowGate,
    /// Passed the gate but the list was full.
    OverCap,
    /// Tied with others at the list's maximum: the congress decides.
    TiedAtCap,
    WithdrawalRequested,
    Withdrawn,
    /// Taken off the list before its approval, with a reason (audited).
    Removed,
}

impl CandidateStatus {
    pub const ALL: [CandidateStatus; 8] = [
        CandidateStatus::Listed,
        CandidateStatus::PendingPoll,
        CandidateStatus::BelowGate,
        CandidateStatus::OverCap,
        CandidateStatus::TiedAtCap,
        CandidateStatus::WithdrawalRequested,
        CandidateStatus::Withdrawn,
        CandidateStatus::Removed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            CandidateStatus::Listed => "listed",
            CandidateStatus::PendingPoll => "pending_poll",
            CandidateStatus::BelowGate => "below_gate",
            CandidateStatus::OverCap => "over_cap",
            CandidateStatus::TiedAtCap => "tied_at_cap",
            CandidateStatus::WithdrawalRequested => "withdrawal_requested",
            CandidateStatus::Withdrawn => "withdrawn",
            CandidateStatus::Removed => "removed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CandidateStatus::Listed => "Trong danh sách bầu cử",
            CandidateStatus::PendingPoll => "Chờ lấy phiếu xin ý kiến",
            CandidateStatus::BelowGate => "Không đủ trên 30% đồng ý",
            CandidateStatus::OverCap => "Vượt số dư tối đa",
            CandidateStatus::TiedAtCap => "Bằng phiếu ở giới hạn, chờ đại hội quyết định",
            CandidateStatus::WithdrawalRequested => "Xin rút, chờ đại hội quyết định",
            CandidateStatus::Withdrawn => "Đã được rút",
            CandidateStatus::Removed => "Đã đưa ra khỏi danh sách",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Candidate {
    pub id: i64,
    pub person_id: i64,
    pub full_name: String,
    pub source: Source,
    pub status: CandidateStatus,
    pub poll_agree: Option<i64>,
}

impl Candidate {
    /// A stored candidate; an unknown source or status is an error, never a default.
    fn from_row(r: &CandidateRow) -> Result<Self, AppError> {
        let damaged =
            |what: &str| AppError::damaged("Dữ liệu danh sách bầu cử", format!("{what} của {}", r.full_name));
        Ok(Candidate {
            id: r.id,
            person_id: r.person_id,
            full_name: r.full_name.clone(),
            source: Source::from_code(&r.source).ok_or_else(|| damaged("nguồn giới thiệu"))?,
            status: CandidateStatus::from_code(&r.status).ok_or_else(|| damaged("tình trạng"))?,
            poll_agree: r.poll_agree,
        })
    }
}

/// The longest reason for taking a name off a list.
pub const REMOVAL_REASON: TextLimit =
    TextLimit { label: "Lý do đưa tên ra khỏi danh sách", max_chars: 500 };

/// The reason in a few words, as a picker shows it beside the name.
pub fn ineligibility_label(why: Ineligibility) -> &'static str {
    match why {
        Ineligibility::Probationary => "đảng viên dự bị",
        Ineligibility::Suspended => "đang bị đình chỉ sinh hoạt đảng",
        Ineligibility::ProsecutedOrDetained => "đang bị khởi tố, truy tố hoặc tạm giam",
    }
}

/// Why `person` may neither stand nor nominate, as one sentence naming the person, the reason and
/// the article (the engine decides; `None` when they may).
pub fn ineligible_reason(person: &Person) -> Option<String> {
    let why = ineligibility(person.party_status(), person.suspended, person.prosecuted)?;
    let article = match why {
        Ineligibility::Probationary => {
            "chỉ đảng viên chính thức được bầu cử, ứng cử, đề cử — Điều 30 Quy chế bầu cử trong Đảng"
        }
        Ineligibility::Suspended | Ineligibility::ProsecutedOrDetained => {
            "Điều 30 khoản 2 Quy chế bầu cử trong Đảng"
        }
    };
    let status = match why {
        Ineligibility::Probationary => "là đảng viên dự bị",
        other => ineligibility_label(other),
    };
    Some(format!("{} {status}: không được ứng cử, đề cử ({article}).", person.full_name))
}

/// A person of the roster who may not stand or nominate, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IneligiblePerson {
    pub person: Person,
    /// The reason in a few words ("đảng viên dự bị").
    pub reason: String,
    /// Among the members of the body this election draws on (always, when it draws on the roster).
    pub in_pool: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Election {
    pub id: i64,
    pub body: Body,
    pub seats: u32,
    pub alternate_seats: u32,
    pub assembly_kind: AssemblyKind,
    pub parent_election_id: Option<i64>,
    pub seats_for: Option<i64>,
    pub seats_against: Option<i64>,
    pub approved: bool,
    pub approve_for: Option<i64>,
    pub approve_against: Option<i64>,
    pub poll_present: Option<i64>,
    pub manual_order: bool,
}

impl Election {
    /// A stored election; an unknown body, assembly or list status, or an impossible number of
    /// seats, is an error, never a default.
    pub(crate) fn from_row(r: &ElectionRow) -> Result<Self, AppError> {
        let damaged = |what: &str| AppError::damaged(format!("Dữ liệu cuộc bầu số {}", r.id), what);
        let approved = match r.list_status.as_str() {
            "approved" => true,
            "draft" => false,
            _ => return Err(damaged("tình trạng danh sách")),
        };
        Ok(Election {
            id: r.id,
            body: body_from_code(&r.body).ok_or_else(|| damaged("loại cuộc bầu"))?,
            seats: u32::try_from(r.seats).map_err(|_| damaged("số lượng bầu"))?,
            alternate_seats: u32::try_from(r.alternate_seats).map_err(|_| damaged("số dự khuyết"))?,
            assembly_kind: crate::congress::assembly_from_code(&r.assembly_kind)
                .ok_or_else(|| damaged("loại hội nghị"))?,
            parent_election_id: r.parent_election_id,
            seats_for: r.seats_for,
            seats_against: r.seats_against,
            approved,
            approve_for: r.approve_for,
            approve_against: r.approve_against,
            poll_present: r.poll_present,
            manual_order: r.manual_order,
        })
    }

    /// "Bầu ban chấp hành", "Bầu bí thư", … .
    pub fn title(&self) -> String {
        let mut t = format!("Bầu {}", messages::body(self.body));
        if self.body == Body::Delegates && self.alternate_seats > 0 {
            t.push_str(" (chính thức và dự khuyết)");
        }
        t
    }
}

/// An election with its list, checked by the engine.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ElectionDetail {
    pub election: Election,
    /// Every name ever put forward, in order of entry.
    pub candidates: Vec<Candidate>,
    /// The names on the ballot, in ballot order.
    pub ballot: Vec<Candidate>,
    pub layout: Option<Layout>,
    /// The engine's check of the list as it stands.
    pub list_check: ListAnswer,
    /// The least agreement that passes the poll, given those present at the poll.
    pub poll_gate: Option<u64>,
    /// Seats a tie at the list's maximum leaves to the congress.
    pub poll_tie_seats: Option<u64>,
    /// Why the list cannot be approved yet (empty when it can).
    pub blockers: Vec<String>,
    /// People who may still be put forward.
    pub eligible: Vec<Person>,
    /// People of the roster who may neither stand nor nominate, with the reason (for every picker).
    pub ineligible: Vec<IneligiblePerson>,
    /// People who may nominate from the floor (official members, none of the reasons above).
    pub nominators: Vec<Person>,
    /// The reason each name taken off the list was taken off (candidate id → reason), from the audit
    /// log.
    pub removals: BTreeMap<i64, String>,
    /// The body the candidates are drawn from, if any.
    pub drawn_from: Option<String>,
    /// Those present at the latest sitting (for the poll and the show of hands).
    pub present: Option<u32>,
    /// The members of the new committee when this is the secretary elected directly by the congress
    /// and its introduction poll among them is still to be recorded; `None` otherwise.
    pub introduction_poll_among: Option<u32>,
    /// Where the recorded poll's counts came from (`None` while no poll is recorded).
    pub poll_source: Option<PollSource>,
}

/// The form that creates an election.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ElectionForm {
    pub body: String,
    pub seats: String,
    #[serde(default)]
    pub alternate_seats: String,
    #[serde(default)]
    pub seats_for: String,
    #[serde(default)]
    pub seats_against: String,
    /// The secretary elected directly by the congress.
    #[serde(default)]
    pub direct: Option<String>,
}

fn number(field: &str, text: &str, required: bool, problems: &mut Vec<FieldProblem>) -> Option<u32> {
    let t = text.trim();
    if t.is_empty() {
        if required {
            problems.push(FieldProblem::field(field, "Không được để trống."));
        }
        return None;
    }
    match t.parse::<u32>() {
        Ok(n) if n <= 100_000 => Some(n),
        _ => {
            problems.push(FieldProblem::field(field, format!("\"{t}\" không phải là số hợp lệ.")));
            None
        }
    }
}

fn load(c: &Connection, id: i64) -> Result<(ElectionRow, Vec<CandidateRow>), AppError> {
    let e = db::get(c, id)?.ok_or(AppError::NotFound("cuộc bầu cử"))?;
    let cands = db::candidates(c, id)?;
    Ok((e, cands))
}

fn ensure_draft(e: &ElectionRow) -> Result<(), AppError> {
    if e.list_status == "approved" {
        return Err(AppError::Conflict(
            "Danh sách bầu cử đã được đại hội thông qua; không thể thay đổi.".into(),
        ));
    }
    Ok(())
}

/// The names on the ballot in ballot order: manual positions if the presidium ordered them by hand,
/// otherwise the engine's Vietnamese order (entry order breaks ties).
fn ordered_ballot(e: &ElectionRow, cands: &[CandidateRow]) -> Vec<CandidateRow> {
    let listed: Vec<&CandidateRow> = cands.iter().filter(|c| c.status == "listed").collect();
    if e.manual_order {
        let mut v: Vec<CandidateRow> = listed.into_iter().cloned().collect();
        v.sort_by_key(|c| (c.ballot_position.unwrap_or(i64::MAX), c.entry_order));
        return v;
    }
    let names: Vec<PersonName> = listed
        .iter()
        .map(|c| {
            PersonName::parse(&c.full_name).unwrap_or_else(|_| PersonName::parse("?").expect("non-empty"))
        })
        .collect();
    ballot_order(&names).into_iter().map(|i| listed[i].clone()).collect()
}

fn list_check_of(e: &Election, cands: &[CandidateRow]) -> Result<ListAnswer, AppError> {
    let listed = cands.iter().filter(|c| c.status == "listed").count() as u64;
    let convening = cands.iter().filter(|c| c.status == "listed" && c.source == "convening").count() as u64;
    let check = check_list(e.body, e.seats, e.alternate_seats, listed, Some(convening))?;
    Ok(ListAnswer::new(&check))
}

/// Those present at the latest sitting of the assembly that holds the election, from the engine's
/// assembly: the congress's latest sitting, or the plenum's for an election held at a plenum (`None`
/// before that plenum is summoned: its lists cannot be approved against the congress).
fn present_at_latest_sitting(
    c: &Connection,
    kind: AssemblyKind,
    body: Body,
) -> Result<Option<u32>, AppError> {
    if kind == AssemblyKind::Plenum {
        let members_of = crate::attendance::plenum_members_of(body);
        return Ok(match crate::attendance::plenum_assembly(c, members_of) {
            Ok(a) => a.map(|a| a.present()),
            // The body it draws on is not decided yet: no plenum, nobody present.
            Err(AppError::Conflict(_)) => None,
            Err(e) => return Err(e),
        });
    }
    let Some(sitting) = persons::sittings(c)?.last().cloned() else { return Ok(None) };
    let people: Vec<Person> = persons::all(c)?.into_iter().map(Person::from_row).collect::<Result<_, _>>()?;
    let attended: BTreeSet<i64> = persons::attended_any(c)?.into_iter().collect();
    let checked: BTreeSet<i64> = persons::checked_in(c, sitting.id)?.into_iter().collect();
    Ok(assembly_of(kind, &people, &attended, &checked).ok().map(|(a, _)| a.present()))
}

/// A person of the roster, read and checked.
fn person_of(c: &Connection, id: i64) -> Result<Person, AppError> {
    Person::from_row(persons::get(c, id)?.ok_or(AppError::NotFound("người này"))?)
}

/// Refuses `person` for an election drawn on the members of the body `parent` elected (rules.md
/// § 2): before that body is decided, and when the person is not among its members.
fn check_drawn_from(c: &Connection, e: &ElectionRow, parent: i64, person: &Person) -> Result<(), AppError> {
    let this = body_from_code(&e.body).map_or("cuộc bầu này", messages::body);
    let parent_row = db::get(c, parent)?.ok_or(AppError::NotFound("cuộc bầu cử"))?;
    let of = body_from_code(&parent_row.body)
        .map(messages::body)
        .ok_or_else(|| AppError::damaged(format!("Dữ liệu cuộc bầu số {parent}"), "loại cuộc bầu"))?;
    let members: Vec<i64> =
        db::elected(c, parent)?.into_iter().filter(|(_, alt)| !alt).map(|(p, _)| p).collect();
    if members.is_empty() {
        return Err(AppError::Conflict(format!(
            "{} không phải ủy viên {of} vừa được bầu: chưa có kết quả bầu {of}, mà {this} được bầu trong số các ủy viên {of} (Quy chế bầu cử trong Đảng).",
            person.full_name
        )));
    }
    if !members.contains(&person.id) {
        return Err(AppError::invalid(
            "person_id",
            format!(
                "{} không phải ủy viên {of} vừa được bầu: {this} được bầu trong số các ủy viên {of} (Quy chế bầu cử trong Đảng).",
                person.full_name
            ),
        ));
    }
    Ok(())
}

/// The committee election a secretary election elected directly by the congress draws on (rules.md
/// § 2: a secretary election held at the congress of an organisation above the chi bộ), or `None`
/// for any other election.
fn direct_secretary_committee(c: &Connection, e: &ElectionRow) -> Result<Option<i64>, AppError> {
    if e.body != Body::Secretary.code() || e.assembly_kind == AssemblyKind::Plenum.code() {
        return Ok(None);
    }
    let congress = baucu_store::congress::get(c)?.ok_or(AppError::NotFound("đại hội"))?;
    let level = crate::congress::Level::from_code(&congress.level)
        .ok_or_else(|| AppError::damaged("Dữ liệu đại hội", "cấp"))?;
    Ok(if level == crate::congress::Level::Cell { None } else { e.parent_election_id })
}

/// Where the counts of an election's opinion poll came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PollSource {
    /// Keyed from the counted papers in a poll round (`open_poll_round`).
    Keyed,
    /// Typed as totals: a poll held on paper elsewhere.
    Typed,
}

impl PollSource {
    pub fn code(self) -> &'static str {
        match self {
            PollSource::Keyed => "keyed",
            PollSource::Typed => "typed",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "keyed" => Some(PollSource::Keyed),
            "typed" => Some(PollSource::Typed),
            _ => None,
        }
    }

    /// What the list page says of the poll's result.
    pub fn label(self) -> &'static str {
        match self {
            PollSource::Keyed => "Kết quả lấy phiếu: nhập từ phiếu đã kiểm",
            PollSource::Typed => "Kết quả lấy phiếu: nhập tổng số (phiếu lấy ở nơi khác)",
        }
    }
}

/// The stored source of an election's poll, parsed (an unknown value is damage, never a default).
pub(crate) fn poll_source_of(c: &Connection, election_id: i64) -> Result<Option<PollSource>, AppError> {
    cdb::poll_source(c, election_id)?
        .map(|code| {
            PollSource::parse(&code).ok_or_else(|| {
                AppError::damaged(format!("Dữ liệu cuộc bầu số {election_id}"), "nguồn kết quả lấy phiếu")
            })
        })
        .transpose()
}

/// The outside nominees still in the running, whom the opinion poll is on (in order of entry).
pub(crate) fn poll_nominees(cands: &[CandidateRow]) -> Vec<CandidateRow> {
    cands
        .iter()
        .filter(|x| {
            x.source != "convening"
                && !matches!(x.status.as_str(), "withdrawn" | "withdrawal_requested" | "removed")
        })
        .cloned()
        .collect()
}

/// Those who take part in an election's poll when it is counted like ballots: for the secretary
/// elected directly, the new committee's members (the introduction poll is among them); otherwise
/// those present at the latest sitting of the assembly that holds the election.
pub(crate) fn poll_participants(c: &Connection, e: &ElectionRow) -> Result<u32, AppError> {
    if let Some(committee) = direct_secretary_committee(c, e)? {
        let members = db::elected(c, committee)?.iter().filter(|(_, alt)| !alt).count();
        return Ok(u32::try_from(members).unwrap_or(u32::MAX));
    }
    let election = Election::from_row(e)?;
    present_at_latest_sitting(c, election.assembly_kind, election.body)?
        .filter(|p| *p > 0)
        .ok_or_else(|| AppError::Conflict("Chưa điểm danh: chưa có số người có mặt để lấy phiếu.".into()))
}

/// Records an election's opinion poll — typed as totals or counted from ballots, one path: those
/// present (the base of the 30 % gate) and each outside nominee's agreements; the engine decides who
/// goes on the list (the gate, then the cap) and each nominee's status is written, with where the
/// counts came from. Returns the audit data (present, gate, each nominee's agreements and status).
pub(crate) fn apply_poll(
    c: &Connection,
    election_id: i64,
    present: u32,
    agrees: &[(i64, u32)],
    source: PollSource,
) -> Result<serde_json::Value, AppError> {
    let (mut e, cands) = load(c, election_id)?;
    ensure_draft(&e)?;
    // For the secretary elected directly, the poll is the introduction poll among the new
    // committee: no more take part than it has members.
    if let Some(committee) = direct_secretary_committee(c, &e)? {
        let members = db::elected(c, committee)?.iter().filter(|(_, alt)| !alt).count();
        if u64::from(present) > members as u64 {
            return Err(AppError::invalid(
                "present",
                format!(
                    "Phiếu giới thiệu bí thư được lấy trong Ban Chấp hành mới ({members} ủy viên): số tham gia ({present}) không được lớn hơn."
                ),
            ));
        }
    }
    let election = Election::from_row(&e)?;
    let polled = poll_nominees(&cands);
    let mut agree = Vec::with_capacity(polled.len());
    let mut problems = Vec::new();
    for cand in &polled {
        match agrees.iter().find(|(id, _)| *id == cand.id) {
            Some((_, a)) => agree.push(*a),
            None => {
                problems.push(FieldProblem::field(
                    &format!("agree_{}", cand.id),
                    format!("Thiếu số đồng ý của {}.", cand.full_name),
                ));
                agree.push(0);
            }
        }
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let convening = cands.iter().filter(|x| x.source == "convening" && x.status == "listed").count() as u64;
    let outcome =
        decide_poll(present, election.body, election.seats, election.alternate_seats, convening, &agree)?;
    let tie: BTreeSet<usize> =
        outcome.tie.as_ref().map(|(_, v)| v.iter().copied().collect()).unwrap_or_default();
    let mut log = Vec::new();
    for (i, cand) in polled.iter().enumerate() {
        let status = if outcome.included.contains(&i) {
            CandidateStatus::Listed
        } else if tie.contains(&i) {
            CandidateStatus::TiedAtCap
        } else {
            match outcome.excluded.iter().find(|(x, _)| *x == i).map(|(_, r)| *r) {
                Some(ExcludeReason::OverCap) => CandidateStatus::OverCap,
                _ => CandidateStatus::BelowGate,
            }
        };
        let mut updated = cand.clone();
        updated.poll_agree = Some(i64::from(agree[i]));
        updated.status = status.code().into();
        db::update_candidate(c, &updated)?;
        log.push(json!({ "candidate_id": cand.id, "person_id": cand.person_id, "full_name": cand.full_name, "agree": agree[i], "status": status.code() }));
    }
    e.poll_present = Some(i64::from(present));
    db::update(c, &e)?;
    cdb::set_poll_source(c, election_id, source.code())?;
    Ok(
        json!({ "election_id": election_id, "present": present, "gate": outcome.gate, "source": source.code(), "nominees": log }),
    )
}

impl App {
    pub async fn elections(&self, actor: &Actor) -> Result<Vec<Election>, AppError> {
        actor.require(Permission::ViewSetup)?;
        let rows = self.read(|c| Ok(db::all(c)?)).await?;
        rows.iter().map(Election::from_row).collect()
    }

    pub async fn create_election(&self, actor: &Actor, form: ElectionForm) -> Result<i64, AppError> {
        actor.require(Permission::DefineElections)?;
        let congress = self
            .congress()
            .await?
            .ok_or_else(|| AppError::Conflict("Chưa khai báo đại hội: vào trang Đại hội trước.".into()))?;
        let mut problems = Vec::new();
        let body = body_from_code(&form.body);
        if body.is_none() {
            problems.push(FieldProblem::field("body", "Chọn nội dung bầu."));
        }
        let seats = number("seats", &form.seats, true, &mut problems);
        if seats == Some(0) {
            problems.push(FieldProblem::field("seats", "Số lượng cần bầu phải ít nhất là 1."));
        }
        let alternate_seats =
            number("alternate_seats", &form.alternate_seats, false, &mut problems).unwrap_or(0);
        if alternate_seats > 0 && body != Some(Body::Delegates) {
            problems
                .push(FieldProblem::field("alternate_seats", "Chỉ bầu đại biểu mới có đại biểu dự khuyết."));
        }
        let seats_for = number("seats_for", &form.seats_for, false, &mut problems);
        let seats_against = number("seats_against", &form.seats_against, false, &mut problems);
        for (field, limit, value) in [
            ("seats", crate::limits::SEATS, seats),
            ("alternate_seats", crate::limits::SEATS, Some(alternate_seats)),
            ("seats_for", crate::limits::PEOPLE, seats_for),
            ("seats_against", crate::limits::PEOPLE, seats_against),
        ] {
            if let Some(Err(AppError::Invalid(p))) = value.map(|v| crate::limits::count(field, limit, v)) {
                problems.extend(p);
            }
        }
        let (Some(body), Some(seats)) = (body, seats) else { return Err(AppError::Invalid(problems)) };
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let is_cell = congress.level == crate::congress::Level::Cell;
        let asked_direct = form.direct.is_some() && body == Body::Secretary;
        // Above the chi bộ, where the secretary is elected is the congress's setting (the superior's
        // permission), not a choice made election by election (rules.md § 2).
        if body == Body::Secretary && !is_cell {
            match (congress.direct_secretary, asked_direct) {
                (true, false) => {
                    return Err(AppError::Conflict(format!(
                        "Đại hội bầu trực tiếp bí thư (thiết lập \"{}\" trên trang Đại hội): hội nghị lần thứ nhất Ban Chấp hành không bầu bí thư. Tạo cuộc bầu bí thư tại đại hội (chọn \"Bầu trực tiếp bí thư tại đại hội\").",
                        crate::congress::DIRECT_SECRETARY_LABEL
                    )));
                }
                (false, true) => {
                    return Err(AppError::Conflict(format!(
                        "Cấp trên chưa cho phép đại hội bầu trực tiếp bí thư (thiết lập \"{}\" trên trang Đại hội chưa chọn): bí thư được bầu tại hội nghị lần thứ nhất Ban Chấp hành.",
                        crate::congress::DIRECT_SECRETARY_LABEL
                    )));
                }
                _ => {}
            }
        }
        let direct = asked_direct && congress.direct_secretary && !is_cell;
        // The congress itself elects the secretary where the superior allows it, and a chi bộ's
        // secretary and deputy always (rules.md § 2): from the committee just elected, or, in a chi
        // bộ without a chi ủy, from all its members.
        let at_congress = direct || (is_cell && matches!(body, Body::Secretary | Body::DeputySecretary));
        // A by-election plenum (bầu bổ sung) holds every election itself and draws on its roster,
        // the committee's current members.
        let by_election = congress.is_by_election();
        let kind = match body {
            _ if by_election => AssemblyKind::Plenum,
            Body::Committee | Body::Delegates => congress.assembly_kind,
            _ if at_congress => congress.assembly_kind,
            _ => AssemblyKind::Plenum,
        };
        let at = self.now().to_string();
        self.act(actor, "election.create", move |c| {
            let existing = db::all(c)?;
            let sources: &[Body] = if by_election {
                crate::attendance::check_by_election_body(c, body)?;
                &[]
            } else if at_congress {
                &[Body::Committee]
            } else {
                drawn_from(body)
            };
            let parent = sources
                .iter()
                .find_map(|b| existing.iter().rev().find(|e| e.body == b.code()).map(|e| (e.id, e.seats)));
            if let Some(first) = sources.first()
                && parent.is_none()
                && !(is_cell && at_congress)
            {
                return Err(AppError::Conflict(format!(
                    "Chưa có cuộc bầu {first}: {} được bầu trong số các ủy viên {first}.",
                    messages::body(body),
                    first = messages::body(*first),
                )));
            }
            // The direct secretary is elected after the committee is decided, from its members.
            if direct
                && let Some((committee, _)) = parent
                && !db::elected(c, committee)?.iter().any(|(_, alt)| !alt)
            {
                return Err(AppError::Conflict(
                    "Chưa có kết quả bầu ban chấp hành: đại hội bầu trực tiếp bí thư sau khi đã bầu xong ban chấp hành, trong số các ủy viên ban chấp hành vừa được bầu.".into(),
                ));
            }
            if body == Body::StandingCommittee
                && let Some((committee, seats)) = parent
            {
                // The committee's members: those elected once its result is in, its seats before.
                let elected = db::elected(c, committee)?.into_iter().filter(|(_, alt)| !alt).count();
                let members = if elected > 0 { elected as i64 } else { seats };
                let members = u32::try_from(members)
                    .map_err(|_| AppError::damaged(format!("Dữ liệu cuộc bầu số {committee}"), "số lượng bầu"))?;
                if !standing_committee_allowed(members) {
                    return Err(AppError::Conflict(format!(
                        "Ban chấp hành có {members} ủy viên: chỉ bầu ban thường vụ khi ban chấp hành có từ 9 ủy viên trở lên (Quy chế bầu cử trong Đảng)."
                    )));
                }
            }
            let row = ElectionRow {
                body: body.code().into(),
                seats: i64::from(seats),
                alternate_seats: i64::from(alternate_seats),
                assembly_kind: kind.code().into(),
                parent_election_id: parent.map(|(id, _)| id),
                seats_for: seats_for.map(i64::from),
                seats_against: seats_against.map(i64::from),
                created_at: at,
                ..ElectionRow::default()
            };
            let id = db::insert(c, &row)?;
            Ok((
                id,
                json!({ "id": id, "body": body.code(), "seats": seats, "alternate_seats": alternate_seats,
                        "assembly_kind": kind.code(), "parent_election_id": row.parent_election_id,
                        "seats_for": seats_for, "seats_against": seats_against }),
            ))
        })
        .await
    }

    pub async fn election(&self, actor: &Actor, id: i64) -> Result<ElectionDetail, AppError> {
        actor.require(Permission::ViewSetup)?;
        self.read(move |c| {
            let (row, cands) = load(c, id)?;
            let election = Election::from_row(&row)?;
            let candidates: Vec<Candidate> =
                cands.iter().map(Candidate::from_row).collect::<Result<_, _>>()?;
            let ballot: Vec<Candidate> =
                ordered_ballot(&row, &cands).iter().map(Candidate::from_row).collect::<Result<_, _>>()?;
            let list_check = list_check_of(&election, &cands)?;
            let present = present_at_latest_sitting(c, election.assembly_kind, election.body)?;
            let poll_gate = row.poll_present.map(|p| baucu_rules::poll::gate(u32::try_from(p).unwrap_or(0)));
            let tie_count = candidates.iter().filter(|c| c.status == CandidateStatus::TiedAtCap).count();
            let poll_tie_seats = (tie_count > 0)
                .then(|| {
                    let listed = ballot.len() as u64;
                    list_check.max_list_size.map(|max| max.saturating_sub(listed))
                })
                .flatten();
            let mut blockers = Vec::new();
            for (status, text) in [
                (CandidateStatus::PendingPoll, "còn người được đề cử, ứng cử chưa lấy phiếu xin ý kiến"),
                (CandidateStatus::TiedAtCap, "còn người bằng phiếu ở giới hạn số dư chờ đại hội quyết định"),
                (CandidateStatus::WithdrawalRequested, "còn đơn xin rút chờ đại hội quyết định"),
            ] {
                if candidates.iter().any(|c| c.status == status) {
                    blockers.push(text.to_owned());
                }
            }
            for f in &list_check.findings {
                if f.severity == "error" {
                    blockers.push(f.message.clone());
                }
            }
            // The secretary elected directly is preceded by an introduction poll among the new
            // committee (rules.md § 2).
            let introduction_poll_among = match direct_secretary_committee(c, &row)? {
                Some(committee) if row.poll_present.is_none() => Some(
                    u32::try_from(db::elected(c, committee)?.iter().filter(|(_, alt)| !alt).count())
                        .unwrap_or(u32::MAX),
                ),
                _ => None,
            };
            // A poll being counted like ballots decides names of the list: approve after it.
            if cdb::polls_of(c, id)?.iter().any(|r| r.status != "closed") {
                blockers.push(
                    "đang kiểm phiếu xin ý kiến bằng máy: kết thúc kiểm phiếu trước khi biểu quyết danh sách".to_owned(),
                );
            }
            let poll_source = poll_source_of(c, id)?;
            if introduction_poll_among.is_some() {
                blockers.push(
                    "chưa ghi kết quả lấy phiếu giới thiệu trong Ban Chấp hành mới (đại hội bầu trực tiếp bí thư sau phiếu giới thiệu)".to_owned(),
                );
            }
            // Who may still be put forward: those who may stand, not named (or taken off the list),
            // from the right body; who may nominate; and who may do neither, with the reason.
            let named: BTreeSet<i64> =
                cands.iter().filter(|c| c.status != "removed").map(|c| c.person_id).collect();
            let pool: Option<BTreeSet<i64>> = match row.parent_election_id {
                Some(pid) => {
                    Some(db::elected(c, pid)?.into_iter().filter(|(_, alt)| !alt).map(|(p, _)| p).collect())
                }
                None => None,
            };
            let in_pool = |id: i64| pool.as_ref().is_none_or(|pool| pool.contains(&id));
            let people: Vec<Person> =
                persons::all(c)?.into_iter().map(Person::from_row).collect::<Result<Vec<_>, _>>()?;
            // A by-election's nominees from outside the committee do not sit in its plenum: they
            // nominate nobody, and stand only where the body is not drawn from the members.
            let outsiders = crate::attendance::by_election_nominees(c)?;
            let mut refused_outsiders = BTreeMap::new();
            for p in people.iter().filter(|p| outsiders.contains(&p.id)) {
                if let Some(why) = crate::attendance::by_election_outsider_refusal(c, election.body, p)? {
                    refused_outsiders.insert(p.id, why);
                }
            }
            let mut eligible = Vec::new();
            let mut nominators = Vec::new();
            let mut ineligible = Vec::new();
            for p in &people {
                match ineligibility(p.party_status(), p.suspended, p.prosecuted) {
                    Some(why) => ineligible.push(IneligiblePerson {
                        person: p.clone(),
                        reason: ineligibility_label(why).to_owned(),
                        in_pool: in_pool(p.id),
                    }),
                    None => {
                        if !outsiders.contains(&p.id) {
                            nominators.push(p.clone());
                        }
                        if in_pool(p.id) && !named.contains(&p.id) && !refused_outsiders.contains_key(&p.id) {
                            eligible.push(p.clone());
                        }
                    }
                }
            }
            let parent_body = match row.parent_election_id {
                Some(pid) => db::get(c, pid)?.and_then(|p| body_from_code(&p.body)),
                None => None,
            };
            let drawn_from = parent_body.map(|b| messages::body(b).to_owned());
            // The approval checks again: a name on its way to the ballot whose holder may no longer
            // stand (suspended since, say), or who is not a member of the body it is drawn from.
            let by_id: BTreeMap<i64, &Person> = people.iter().map(|p| (p.id, p)).collect();
            for cand in candidates.iter().filter(|x| {
                matches!(
                    x.status,
                    CandidateStatus::Listed
                        | CandidateStatus::PendingPoll
                        | CandidateStatus::TiedAtCap
                        | CandidateStatus::WithdrawalRequested
                )
            }) {
                let person = by_id.get(&cand.person_id).ok_or(AppError::NotFound("người có tên"))?;
                if let Some(why) = ineligible_reason(person) {
                    blockers
                        .push(format!("{why} Đưa tên ra khỏi danh sách (ghi lý do) trước khi biểu quyết"));
                }
                if let Some(why) = refused_outsiders.get(&cand.person_id) {
                    blockers.push(format!("{} Đưa tên ra khỏi danh sách", why.trim_end_matches('.')));
                }
                if let (Some(b), false) = (parent_body, in_pool(cand.person_id)) {
                    blockers.push(format!(
                        "{} không phải ủy viên {} vừa được bầu: đưa tên ra khỏi danh sách",
                        cand.full_name,
                        messages::body(b)
                    ));
                }
            }
            // The reasons are in the audit log only: read it when some name was taken off.
            let mut removals = BTreeMap::new();
            if candidates.iter().any(|x| x.status == CandidateStatus::Removed) {
                baucu_store::audit::newest_matching(c, None, Some("list.remove"), |entry| {
                    let data: serde_json::Value = serde_json::from_str(&entry.data).unwrap_or_default();
                    if data["election_id"].as_i64() == Some(id)
                        && let (Some(cid), Some(reason)) =
                            (data["candidate_id"].as_i64(), data["reason"].as_str())
                    {
                        removals.entry(cid).or_insert_with(|| reason.to_owned());
                    }
                    Ok(true)
                })?;
            }
            let layout = Layout::for_list(ballot.len() as u64, election.seats);
            Ok(ElectionDetail {
                election,
                candidates,
                ballot,
                layout,
                list_check,
                poll_gate,
                poll_tie_seats,
                blockers,
                eligible,
                ineligible,
                nominators,
                removals,
                drawn_from,
                present,
                introduction_poll_among,
                poll_source,
            })
        })
        .await
    }

    /// Puts a person forward: the convening committee's names go on the list; nominations and
    /// self-nominations wait for the opinion poll.
    pub async fn add_candidate(
        &self,
        actor: &Actor,
        election_id: i64,
        person_id: i64,
        source: Source,
    ) -> Result<i64, AppError> {
        self.put_forward(actor, election_id, person_id, source, None).await
    }

    /// [`App::add_candidate`] with the member who nominated from the floor (a nomination only). The
    /// person must be one who may stand (official, not suspended, not prosecuted, indicted or
    /// detained), and a member of the body the election draws on once that body is decided; the
    /// nominator must be one who may nominate. Each refusal names the person and the reason. A name
    /// taken off the list may be put forward again.
    pub async fn put_forward(
        &self,
        actor: &Actor,
        election_id: i64,
        person_id: i64,
        source: Source,
        nominator: Option<i64>,
    ) -> Result<i64, AppError> {
        actor.require(Permission::EditLists)?;
        if nominator.is_some() && source != Source::Nomination {
            return Err(AppError::invalid(
                "nominator_id",
                "Chỉ ghi người đề cử khi nguồn là \"Đại hội đề cử\".",
            ));
        }
        if nominator == Some(person_id) {
            return Err(AppError::invalid(
                "nominator_id",
                "Người đề cử chính là người được đề cử: chọn nguồn \"Ứng cử\".",
            ));
        }
        self.act(actor, "list.add", move |c| {
            let (e, cands) = load(c, election_id)?;
            ensure_draft(&e)?;
            let person = person_of(c, person_id)?;
            if let Some(why) = ineligible_reason(&person) {
                return Err(AppError::invalid("person_id", why));
            }
            // A by-election's nominee from outside the committee stands for the committee only.
            let body = body_from_code(&e.body)
                .ok_or_else(|| AppError::damaged(format!("Dữ liệu cuộc bầu số {election_id}"), "loại cuộc bầu"))?;
            if let Some(why) = crate::attendance::by_election_outsider_refusal(c, body, &person)? {
                return Err(AppError::invalid("person_id", why));
            }
            let nominator = match nominator {
                Some(n) => {
                    let n = person_of(c, n)?;
                    if let Some(why) = ineligible_reason(&n) {
                        return Err(AppError::invalid("nominator_id", why));
                    }
                    if crate::attendance::by_election_nominees(c)?.contains(&n.id) {
                        return Err(AppError::invalid(
                            "nominator_id",
                            format!(
                                "{} là người được giới thiệu bầu bổ sung, không phải ủy viên dự hội nghị: không được đề cử.",
                                n.full_name
                            ),
                        ));
                    }
                    Some(n)
                }
                None => None,
            };
            let earlier = cands.iter().find(|c| c.person_id == person_id);
            if earlier.is_some_and(|x| x.status != CandidateStatus::Removed.code()) {
                return Err(AppError::invalid("person_id", format!("{} đã có tên.", person.full_name)));
            }
            if let Some(pid) = e.parent_election_id {
                check_drawn_from(c, &e, pid, &person)?;
            }
            let status = if source == Source::Convening {
                CandidateStatus::Listed
            } else {
                CandidateStatus::PendingPoll
            };
            let id = match earlier {
                Some(x) => {
                    db::restore_candidate(c, x.id, source.code(), status.code())?;
                    x.id
                }
                None => db::insert_candidate(c, election_id, person_id, source.code(), status.code())?,
            };
            Ok((
                id,
                json!({ "election_id": election_id, "candidate_id": id, "person_id": person_id,
                            "full_name": person.full_name, "source": source.code(), "status": status.code(),
                            "nominator_id": nominator.as_ref().map(|n| n.id),
                            "nominator": nominator.as_ref().map(|n| n.full_name.clone()) }),
            ))
        })
        .await
    }

    /// Takes a name off a list that is not yet approved, for a reason that is required and recorded
    /// in the audit log (a name put forward by mistake, a member suspended since). Once the list is
    /// approved it is refused: the only way off is a withdrawal the congress decides.
    pub async fn remove_from_list(
        &self,
        actor: &Actor,
        election_id: i64,
        candidate_id: i64,
        reason: &str,
    ) -> Result<(), AppError> {
        actor.require(Permission::EditLists)?;
        crate::limits::require_text("reason", REMOVAL_REASON, reason)?;
        let reason = reason.split_whitespace().collect::<Vec<_>>().join(" ");
        if reason.is_empty() {
            return Err(AppError::invalid("reason", "Ghi lý do đưa tên ra khỏi danh sách."));
        }
        self.act(actor, "list.remove", move |c| {
            let (e, cands) = load(c, election_id)?;
            if e.list_status == "approved" {
                return Err(AppError::Conflict(
                    "Danh sách bầu cử đã được đại hội thông qua: không thể đưa tên ra; chỉ có thể xin rút, do đại hội quyết định.".into(),
                ));
            }
            ensure_draft(&e)?;
            let mut cand =
                cands.into_iter().find(|x| x.id == candidate_id).ok_or(AppError::NotFound("người có tên"))?;
            let was = CandidateStatus::from_code(&cand.status)
                .ok_or_else(|| AppError::damaged("Dữ liệu danh sách bầu cử", format!("tình trạng của {}", cand.full_name)))?;
            if matches!(was, CandidateStatus::Withdrawn | CandidateStatus::Removed) {
                return Err(AppError::Conflict(format!("{} không còn trong danh sách.", cand.full_name)));
            }
            cand.status = CandidateStatus::Removed.code().into();
            cand.ballot_position = None;
            db::update_candidate(c, &cand)?;
            Ok(((), json!({ "election_id": election_id, "candidate_id": candidate_id, "person_id": cand.person_id,
                            "full_name": cand.full_name, "was": was.code(), "reason": reason })))
        })
        .await
    }

    /// Records a request to withdraw; the congress decides with [`App::decide_withdrawal`].
    pub async fn request_withdrawal(
        &self,
        actor: &Actor,
        election_id: i64,
        candidate_id: i64,
    ) -> Result<(), AppError> {
        actor.require(Permission::EditLists)?;
        self.act(actor, "list.withdrawal_request", move |c| {
            let (e, cands) = load(c, election_id)?;
            ensure_draft(&e)?;
            let mut cand = cands.into_iter().find(|x| x.id == candidate_id).ok_or(AppError::NotFound("người có tên"))?;
            if !matches!(cand.status.as_str(), "listed" | "pending_poll") {
                return Err(AppError::Conflict(format!("{} không ở trạng thái có thể xin rút.", cand.full_name)));
            }
            cand.status = CandidateStatus::WithdrawalRequested.code().into();
            db::update_candidate(c, &cand)?;
            Ok(((), json!({ "election_id": election_id, "candidate_id": candidate_id, "full_name": cand.full_name })))
        })
        .await
    }

    /// The congress's decision on a withdrawal request (on the presidium's proposal).
    pub async fn decide_withdrawal(
        &self,
        actor: &Actor,
        election_id: i64,
        candidate_id: i64,
        accepted: bool,
    ) -> Result<(), AppError> {
        actor.require(Permission::DecideLists)?;
        self.act(actor, "list.withdrawal_decision", move |c| {
            let (e, cands) = load(c, election_id)?;
            ensure_draft(&e)?;
            let mut cand =
                cands.into_iter().find(|x| x.id == candidate_id).ok_or(AppError::NotFound("người có tên"))?;
            if cand.status != CandidateStatus::WithdrawalRequested.code() {
                return Err(AppError::Conflict(format!(
                    "{} không có đơn xin rút chờ quyết định.",
                    cand.full_name
                )));
            }
            let back = if cand.source == "convening" || cand.poll_agree.is_some() {
                CandidateStatus::Listed
            } else {
                CandidateStatus::PendingPoll
            };
            cand.status = if accepted { CandidateStatus::Withdrawn } else { back }.code().into();
            db::update_candidate(c, &cand)?;
            Ok((
                (),
                json!({ "election_id": election_id, "candidate_id": candidate_id, "accepted": accepted,
                            "full_name": cand.full_name }),
            ))
        })
        .await
    }

    /// Records the opinion poll on every outside nominee still in the running, typed as totals (a poll
    /// held on paper elsewhere): those present and each one's agreements. The engine decides who goes
    /// on the list (the 30 % gate, then the cap). A poll counted like ballots records the same way
    /// when its round closes (`close_round`).
    pub async fn record_poll(
        &self,
        actor: &Actor,
        election_id: i64,
        present: u32,
        agrees: Vec<(i64, u32)>,
    ) -> Result<(), AppError> {
        actor.require(Permission::DecideLists)?;
        crate::limits::count("present", crate::limits::PEOPLE, present)?;
        self.act(actor, "list.poll", move |c| {
            if cdb::polls_of(c, election_id)?.iter().any(|r| r.status != "closed") {
                return Err(AppError::Conflict(
                    "Đang kiểm phiếu xin ý kiến bằng máy cho danh sách này: kết thúc lần kiểm phiếu đó, không nhập tổng số.".into(),
                ));
            }
            let log = apply_poll(c, election_id, present, &agrees, PollSource::Typed)?;
            Ok(((), log))
        })
        .await
    }

    /// The congress decides a tie at the list's maximum: the chosen go on the list, the others do not.
    pub async fn decide_poll_tie(
        &self,
        actor: &Actor,
        election_id: i64,
        chosen: Vec<i64>,
    ) -> Result<(), AppError> {
        actor.require(Permission::DecideLists)?;
        let detail = self.election(actor, election_id).await?;
        let seats = detail.poll_tie_seats.unwrap_or(0) as usize;
        if chosen.len() > seats {
            return Err(AppError::invalid("chosen", format!("Chỉ còn {seats} chỗ trong danh sách.")));
        }
        self.act(actor, "list.poll_tie_decision", move |c| {
            let (e, cands) = load(c, election_id)?;
            ensure_draft(&e)?;
            let tied: Vec<CandidateRow> = cands.into_iter().filter(|x| x.status == "tied_at_cap").collect();
            if chosen.iter().any(|id| !tied.iter().any(|t| t.id == *id)) {
                return Err(AppError::invalid("chosen", "Chỉ chọn trong số những người bằng phiếu."));
            }
            for mut t in tied {
                t.status =
                    if chosen.contains(&t.id) { CandidateStatus::Listed } else { CandidateStatus::OverCap }
                        .code()
                        .into();
                db::update_candidate(c, &t)?;
            }
            Ok(((), json!({ "election_id": election_id, "chosen": chosen })))
        })
        .await
    }

    /// Moves a name one place up or down on the ballot (manual order, recorded).
    pub async fn move_on_ballot(
        &self,
        actor: &Actor,
        election_id: i64,
        candidate_id: i64,
        up: bool,
    ) -> Result<(), AppError> {
        actor.require(Permission::DecideLists)?;
        self.act(actor, "list.reorder", move |c| {
            let (mut e, cands) = load(c, election_id)?;
            ensure_draft(&e)?;
            let mut ballot = ordered_ballot(&e, &cands);
            let i = ballot
                .iter()
                .position(|x| x.id == candidate_id)
                .ok_or(AppError::NotFound("người trong danh sách"))?;
            let j = if up { i.checked_sub(1) } else { Some(i + 1).filter(|j| *j < ballot.len()) };
            if let Some(j) = j {
                ballot.swap(i, j);
            }
            for (pos, cand) in ballot.iter_mut().enumerate() {
                cand.ballot_position = Some(pos as i64 + 1);
                db::update_candidate(c, cand)?;
            }
            e.manual_order = true;
            db::update(c, &e)?;
            let order: Vec<&str> = ballot.iter().map(|x| x.full_name.as_str()).collect();
            Ok(((), json!({ "election_id": election_id, "order": order })))
        })
        .await
    }

    /// Goes back to the Vietnamese alphabetical order of the engine.
    pub async fn reset_ballot_order(&self, actor: &Actor, election_id: i64) -> Result<(), AppError> {
        actor.require(Permission::DecideLists)?;
        self.act(actor, "list.order_alphabetical", move |c| {
            let (mut e, _) = load(c, election_id)?;
            ensure_draft(&e)?;
            e.manual_order = false;
            db::update(c, &e)?;
            Ok(((), json!({ "election_id": election_id })))
        })
        .await
    }

    /// The approval of the list by show of hands. It passes with more than half of those present at
    /// the latest sitting; then the ballot order is fixed and the list can no longer change.
    pub async fn approve_list(
        &self,
        actor: &Actor,
        election_id: i64,
        in_favour: u32,
        against: u32,
    ) -> Result<bool, AppError> {
        actor.require(Permission::DecideLists)?;
        let detail = self.election(actor, election_id).await?;
        if detail.election.approved {
            return Err(AppError::Conflict("Danh sách đã được thông qua.".into()));
        }
        if !detail.blockers.is_empty() {
            return Err(AppError::Conflict(format!(
                "Chưa thể biểu quyết thông qua danh sách: {}.",
                detail.blockers.join("; ")
            )));
        }
        let present = detail.present.ok_or_else(|| {
            AppError::Conflict(if detail.election.assembly_kind == AssemblyKind::Plenum {
                "Chưa triệu tập hội nghị bầu cuộc bầu này: triệu tập hội nghị và điểm danh ở trang Điểm danh trước khi biểu quyết.".into()
            } else {
                "Chưa điểm danh phiên họp nào: chưa biết số có mặt để biểu quyết.".into()
            })
        })?;
        if u64::from(in_favour) + u64::from(against) > u64::from(present) {
            return Err(AppError::invalid(
                "in_favour",
                format!("Số tán thành và không tán thành vượt số có mặt ({present})."),
            ));
        }
        let passed = show_of_hands_passes(in_favour, present);
        self.act(actor, "list.approval_vote", move |c| {
            let (mut e, cands) = load(c, election_id)?;
            ensure_draft(&e)?;
            e.approve_for = Some(i64::from(in_favour));
            e.approve_against = Some(i64::from(against));
            // Checked again where it is written: nobody on the ballot may have become ineligible
            // since the page was read.
            let members: Option<BTreeSet<i64>> = match e.parent_election_id {
                Some(pid) => Some(db::elected(c, pid)?.into_iter().filter(|(_, alt)| !alt).map(|(p, _)| p).collect()),
                None => None,
            };
            for cand in cands.iter().filter(|x| x.status == CandidateStatus::Listed.code()) {
                let person = person_of(c, cand.person_id)?;
                if let Some(why) = ineligible_reason(&person) {
                    return Err(AppError::Conflict(format!("Chưa thể biểu quyết thông qua danh sách: {why}")));
                }
                let body = body_from_code(&e.body)
                    .ok_or_else(|| AppError::damaged(format!("Dữ liệu cuộc bầu số {election_id}"), "loại cuộc bầu"))?;
                if let Some(why) = crate::attendance::by_election_outsider_refusal(c, body, &person)? {
                    return Err(AppError::Conflict(format!("Chưa thể biểu quyết thông qua danh sách: {why}")));
                }
                if members.as_ref().is_some_and(|m| !m.contains(&person.id)) {
                    return Err(AppError::Conflict(format!(
                        "Chưa thể biểu quyết thông qua danh sách: {} không phải ủy viên của cơ quan vừa được bầu.",
                        person.full_name
                    )));
                }
            }
            if passed {
                for (pos, mut cand) in ordered_ballot(&e, &cands).into_iter().enumerate() {
                    cand.ballot_position = Some(pos as i64 + 1);
                    db::update_candidate(c, &cand)?;
                }
                e.manual_order = true;
                e.list_status = "approved".into();
            }
            db::update(c, &e)?;
            Ok((
                passed,
                json!({ "election_id": election_id, "present": present, "for": in_favour,
                                "against": against, "passed": passed }),
            ))
        })
        .await
    }
}
