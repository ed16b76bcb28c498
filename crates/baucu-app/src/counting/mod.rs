//! Counting: rounds, stacks entered independently by N operators, reconciliation stack by stack, the
//! board's resolutions, the result computed by the engine, the presidium's decision on what follows,
//! and publication. Every acknowledged ballot is on disk before the operator sees the acknowledgement.
//!
//! This module holds the round and its views; `entry` is the operator's independent entry, `board`
//! the counting board's work (box, stacks, reconciliation, resolutions, journal), `result` where a
//! result is made and what follows it, `documents` what is printed from a round.

use crate::attendance::assembly_of;
use crate::elections::Election;
use crate::record::{ClosingContext, RoundRecord};
use crate::roster::Person;
use crate::{Actor, App, AppError, Permission};
use baucu_rules::assembly::{Assembly, AssemblyKind, Exclusion};
use baucu_rules::ballot::{Ballot, BallotSpec, Validity};
use baucu_rules::election::{Body, Layout, Purpose};
use baucu_rules::outcome::{NextStep, decide};
use baucu_rules::{PersonName, Tally, messages};
use baucu_store::counting::{self as db, RoundRow};
pub use baucu_store::counting::{EntryStatus, StackStatus};
use baucu_store::elections as edb;
use baucu_store::persons;
use baucu_store::results;
use baucu_store::rusqlite::Connection;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

mod board;
mod documents;
mod entry;
mod result;

pub use board::HIDDEN_READING;
pub(crate) use board::readings_visible;
use board::*;
pub use documents::Download;
pub(crate) use result::recount;
use result::*;

/// One key per name on the entry screen: 1–9, 0, then the letters in keyboard order.
pub const POSITION_KEYS: &str = "1234567890qwertyuiopasdfghjklzxcvbnm";

/// Something changed in counting; live pages reload their figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Event {
    pub round_id: i64,
    pub published: bool,
}

/// The assembly of a round as the engine took it at the opening (and as `evaluate` reads it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssemblySnapshot {
    #[serde(rename = "type")]
    pub kind: AssemblyKind,
    pub summoned: u32,
    pub present: u32,
    pub excluded: BTreeMap<String, u32>,
}

impl AssemblySnapshot {
    fn of(a: &Assembly) -> Self {
        AssemblySnapshot {
            kind: a.kind(),
            summoned: a.summoned(),
            present: a.present(),
            excluded: a.exclusions().iter().map(|(e, n)| (e.code().to_owned(), *n)).collect(),
        }
    }

    pub fn assembly(&self) -> Result<Assembly, AppError> {
        let ex: Vec<(Exclusion, u32)> =
            self.excluded.iter().filter_map(|(k, n)| Exclusion::from_code(k).map(|e| (e, *n))).collect();
        Ok(Assembly::new(self.kind, self.summoned, self.present, &ex)?)
    }
}

/// A round as pages show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Round {
    pub id: i64,
    pub election_id: i64,
    pub election_title: String,
    pub body: Body,
    pub number: i64,
    /// The engine's purpose of the round (`Regular` for a poll: its tally is the plain one).
    pub purpose: Purpose,
    /// A poll counted like ballots (the opinion poll on the list's outside nominees, or the
    /// introduction poll for a secretary elected directly): its names are marked agree/disagree, its
    /// close records the poll into the list (`elections::apply_poll`), never an election result.
    pub poll: bool,
    pub tie_for: Option<String>,
    pub seats: u32,
    pub alternate_seats: u32,
    pub entries_per_stack: u32,
    pub closed: bool,
    pub published: bool,
    pub issued: Option<i64>,
    pub assembly: AssemblySnapshot,
    pub base: u32,
    pub threshold: u64,
    /// Names in ballot order.
    pub candidates: Vec<String>,
    pub candidate_ids: Vec<i64>,
    pub layout: Layout,
    /// Ballots collected from the box, as the board recorded them.
    pub collected: Option<i64>,
    /// The recorded result in the shape of `baucu evaluate`'s answer, once closed (read from
    /// `record`, never recomputed).
    pub result: Option<Value>,
    /// The one record of the result, once closed.
    #[serde(skip)]
    pub record: Option<RoundRecord>,
    /// The head of the audit chain at closing (hex), as the minutes print it.
    pub closing_head: Option<String>,
    pub decision: Option<NextDecision>,
    /// Each time the round was reopened after a closing, oldest first (a reopened round shows them on
    /// its page and its minutes).
    pub reopenings: Vec<Reopening>,
}

/// A closed round reopened by the presidium: when, by whom, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reopening {
    pub at: jiff::Timestamp,
    /// The account that reopened the round.
    pub actor: String,
    /// Its holder's full name, as the minutes print it.
    pub actor_name: String,
    pub reason: String,
    /// When the closing that was undone had happened.
    pub closed_at: jiff::Timestamp,
}

impl Reopening {
    /// "Lần bầu đã được mở lại lúc 10 giờ 05, ngày 15/03/2025 bởi Trần Văn A, lý do: …" in the
    /// congress's local time (UTC+7, as the minutes date the closing).
    pub fn sentence(&self) -> String {
        let local = self.at.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(7)));
        format!(
            "Lần bầu đã được mở lại lúc {} bởi {}, lý do: {}",
            local.strftime("%H giờ %M, ngày %d/%m/%Y"),
            self.actor_name,
            self.reason
        )
    }
}

impl Round {
    pub fn title(&self) -> String {
        if self.poll {
            return format!(
                "{} — kiểm phiếu xin ý kiến lần thứ {}",
                self.election_title,
                self.number.unsigned_abs()
            );
        }
        let what = match self.purpose {
            Purpose::Regular if self.number == 1 => "lần thứ nhất".to_owned(),
            Purpose::Regular => format!("lần thứ {} (bầu bổ sung)", self.number),
            Purpose::TieBreak => format!("lần thứ {} (bầu lại giữa những người bằng phiếu)", self.number),
            Purpose::Alternates => format!("lần thứ {} (bầu đại biểu dự khuyết)", self.number),
        };
        format!("{} — {what}", self.election_title)
    }

    pub fn spec(&self) -> BallotSpec {
        BallotSpec { layout: self.layout, seats: self.seats, list: self.candidates.len() }
    }

    /// The key of each name on the entry screen (`None` for lists longer than the keys).
    pub fn keys(&self) -> Option<Vec<char>> {
        (self.candidates.len() <= POSITION_KEYS.len())
            .then(|| POSITION_KEYS.chars().take(self.candidates.len()).collect())
    }
}

/// A stored value of the round that does not parse: refuse, never guess.
fn damaged(what: &str) -> AppError {
    AppError::damaged("Dữ liệu lần bầu", what)
}

pub(crate) fn load_round(c: &Connection, id: i64) -> Result<(RoundRow, Round), AppError> {
    load_round_as(c, id, true)
}

/// A round closed by a version older than the typed record, read without it (to record it).
fn load_round_unrecorded(c: &Connection, id: i64) -> Result<(RoundRow, Round), AppError> {
    load_round_as(c, id, false)
}

fn load_round_as(c: &Connection, id: i64, require_record: bool) -> Result<(RoundRow, Round), AppError> {
    let row = db::get_round(c, id)?.ok_or(AppError::NotFound("lần bầu"))?;
    let erow = edb::get(c, row.election_id)?.ok_or(AppError::NotFound("cuộc bầu cử"))?;
    let election = Election::from_row(&erow)?;
    let cands = db::round_candidates(c, id)?;
    let assembly: AssemblySnapshot = serde_json::from_str(&row.assembly).map_err(|_| damaged("hội nghị"))?;
    let a = assembly.assembly()?;
    let seats = u32::try_from(row.seats).map_err(|_| damaged("số lượng bầu"))?;
    let layout = Layout::for_list(cands.len() as u64, seats).ok_or_else(|| damaged("danh sách"))?;
    let poll = row.purpose == db::POLL;
    let purpose = if poll {
        Purpose::Regular
    } else {
        Purpose::from_code(&row.purpose).ok_or_else(|| damaged("loại lần bầu"))?
    };
    let closed = match row.status.as_str() {
        "open" => false,
        "closed" => true,
        _ => return Err(damaged("trạng thái")),
    };
    let record = match (closed, results::get(c, id)?) {
        (_, Some(_)) if poll => return Err(damaged("kết quả bầu cử ghi cho lần kiểm phiếu xin ý kiến")),
        (true, Some(stored)) => {
            let head = results::audit_hash(c, stored.row.audit_seq)?;
            Some(RoundRecord::parse(stored, head)?)
        }
        (true, None) if require_record && !poll => return Err(damaged("kết quả")),
        (false, Some(_)) => return Err(damaged("kết quả của lần bầu chưa kết thúc")),
        _ => None,
    };
    let decision = row
        .decision
        .as_deref()
        .map(|d| serde_json::from_str::<NextDecision>(d).map_err(|_| damaged("quyết định")))
        .transpose()?;
    let reopenings = db::reopenings_of(c, id)?
        .into_iter()
        .map(|r| {
            Ok(Reopening {
                at: r.at.parse().map_err(|_| damaged("thời điểm mở lại"))?,
                closed_at: r.closed_at.parse().map_err(|_| damaged("thời điểm mở lại"))?,
                actor: r.actor,
                actor_name: r.actor_name,
                reason: r.reason,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let round = Round {
        id: row.id,
        election_id: row.election_id,
        election_title: election.title(),
        body: election.body,
        number: row.number,
        purpose,
        poll,
        tie_for: row.tie_for.clone(),
        seats,
        alternate_seats: u32::try_from(row.alternate_seats).map_err(|_| damaged("số dự khuyết"))?,
        entries_per_stack: u32::try_from(row.entries_per_stack).map_err(|_| damaged("số lần nhập"))?,
        closed,
        published: row.published_at.is_some(),
        issued: row.ballots_issued,
        collected: row.ballots_collected,
        base: a.base().get(),
        threshold: a.base().threshold(),
        assembly,
        candidate_ids: cands.iter().map(|(p, _)| *p).collect(),
        candidates: cands.into_iter().map(|(_, n)| n).collect(),
        layout,
        result: record.as_ref().map(|r| r.answer(election.body, purpose)).transpose()?,
        closing_head: record.as_ref().and_then(|r| r.audit_head.clone()),
        record,
        decision,
        reopenings,
    };
    Ok((row, round))
}

/// The body whose members sit in the plenum that elects `body`.
/// The committee's plenum elects the standing committee, the secretary, the deputies, the inspection
/// committee and its chair; the inspection committee's own meeting elects its deputy chair (rules.md
/// § 2).
fn plenum_body(body: Body) -> Body {
    crate::attendance::plenum_members_of(body)
}

/// Why no further round may follow the rounds held in this election, as the round page and the
/// presidium's decision show it: a chi bộ's secretary after its third round, when the superior
/// appoints (the limit is the engine's, `roster::further_round_allowed`; rules.md § 2). `None` when
/// another round may be held.
pub(crate) fn further_round_refused(
    c: &Connection,
    election_id: i64,
    body: Body,
) -> Result<Option<String>, AppError> {
    let congress = baucu_store::congress::get(c)?
        .ok_or_else(|| AppError::Conflict("Chưa khai báo đại hội: vào trang Đại hội trước.".into()))?;
    let level = crate::congress::Level::from_code(&congress.level)
        .ok_or_else(|| AppError::damaged("Dữ liệu đại hội", "cấp"))?;
    let is_cell = level == crate::congress::Level::Cell;
    let held = u32::try_from(db::rounds_of(c, election_id)?.len()).unwrap_or(u32::MAX);
    if baucu_rules::roster::further_round_allowed(body, is_cell, held) {
        return Ok(None);
    }
    Ok(Some(format!(
        "Đã bầu {held} lần mà chưa có ai trúng cử bí thư chi bộ: không bầu lần thứ {}; theo quy chế, cấp ủy cấp trên chỉ định bí thư chi bộ.",
        held.saturating_add(1)
    )))
}

/// The assembly of an election: the congress's (fixed for the whole congress at its first round,
/// from its latest sitting) or the plenum's (the members of the body just elected, at the plenum's
/// latest sitting), taken from the roster by the engine. A plenum not summoned yet has no attendance:
/// refused, never the congress's.
fn assembly_for(c: &Connection, kind: AssemblyKind, body: Body) -> Result<AssemblySnapshot, AppError> {
    // A by-election node is one plenum: one base for all its elections, under a key of its own (the
    // first plenum's key marks the committee's result as taken, see `reopen_round`).
    let key = if kind == AssemblyKind::Plenum && crate::attendance::is_by_election(c)? {
        "assembly:by_election".into()
    } else if kind == AssemblyKind::Plenum {
        format!("assembly:plenum:{}", plenum_body(body).code())
    } else {
        "assembly:congress".into()
    };
    if let Some(saved) = db::setting(c, &key)? {
        return serde_json::from_str(&saved)
            .map_err(|_| AppError::damaged("Dữ liệu hội nghị", "số làm căn cứ đã lấy"));
    }
    let a = if kind == AssemblyKind::Plenum {
        let members_of = plenum_body(body);
        crate::attendance::plenum_assembly(c, members_of)?.ok_or_else(|| {
            AppError::Conflict(format!(
                "Chưa triệu tập {}: triệu tập hội nghị và điểm danh ở trang Điểm danh trước.",
                crate::attendance::SittingAssembly::Plenum(members_of).label().to_lowercase()
            ))
        })?
    } else {
        let people: Vec<Person> =
            persons::all(c)?.into_iter().map(Person::from_row).collect::<Result<_, _>>()?;
        let sitting = persons::sittings(c)?
            .last()
            .cloned()
            .ok_or_else(|| AppError::Conflict("Chưa điểm danh phiên họp nào: chưa có số có mặt.".into()))?;
        let attended: BTreeSet<i64> = persons::attended_any(c)?.into_iter().collect();
        let checked: BTreeSet<i64> = persons::checked_in(c, sitting.id)?.into_iter().collect();
        assembly_of(kind, &people, &attended, &checked)?.0
    };
    let snapshot = AssemblySnapshot::of(&a);
    db::put_setting(c, &key, &serde_json::to_string(&snapshot).unwrap_or_default())?;
    Ok(snapshot)
}

/// What the presidium decides after a result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum NextDecision {
    /// A tie-break round among the tied, for the tied seats.
    TieBreak,
    /// A further round for `seats` unfilled seats with the chosen names.
    FurtherRound { seats: u32, person_ids: Vec<i64> },
    /// A round for the alternate seats left unfilled (delegates).
    AlternateRound { seats: u32, person_ids: Vec<i64> },
    /// Stop: the seats stay unfilled.
    Stop,
}

impl NextDecision {
    /// What was decided, as a clause inside a sentence: "bầu lại giữa những người bằng phiếu".
    pub fn label(&self) -> String {
        match self {
            NextDecision::TieBreak => "bầu lại giữa những người bằng phiếu".to_owned(),
            NextDecision::FurtherRound { seats, .. } => format!("bầu tiếp {seats} chỗ còn thiếu"),
            NextDecision::AlternateRound { seats, .. } => format!("bầu tiếp {seats} đại biểu dự khuyết"),
            NextDecision::Stop => "dừng, không bầu tiếp".to_owned(),
        }
    }

    /// The decision of the presidium's form, fail closed: the decision is required and must be one
    /// of the four; a further round needs its number of seats and its names. Anything else is an
    /// error naming the field, and nothing is decided.
    pub fn from_form(
        decision: Option<&str>,
        seats: Option<&str>,
        person_ids: Vec<i64>,
    ) -> Result<Self, AppError> {
        let seats = || {
            seats
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .ok_or_else(|| AppError::invalid("seats", "Ghi số lượng cần bầu tiếp."))?
                .parse::<u32>()
                .map_err(|_| AppError::invalid("seats", "Số lượng cần bầu tiếp không hợp lệ."))
        };
        match decision.map(str::trim) {
            Some("tie_break") => Ok(NextDecision::TieBreak),
            Some("further_round") => Ok(NextDecision::FurtherRound { seats: seats()?, person_ids }),
            Some("alternate_round") => Ok(NextDecision::AlternateRound { seats: seats()?, person_ids }),
            Some("stop") => Ok(NextDecision::Stop),
            None | Some("") => Err(AppError::invalid("decision", "Chưa chọn quyết định của đoàn chủ tịch.")),
            Some(_) => Err(AppError::invalid("decision", "Quyết định không có trong các lựa chọn.")),
        }
    }
}

/// What the board hands out as one stack.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct StackRequest {
    pub name: String,
    /// Papers counted into the stack.
    pub papers: u32,
    pub operators: Vec<i64>,
    /// One per hand-out form: a repeated request creates nothing new.
    pub key: String,
    /// The board consents that one of its members keys (one-person counts only).
    #[serde(default)]
    pub board_consent: bool,
}

/// One stack with its entries and how far they are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StackView {
    pub id: i64,
    pub name: String,
    pub status: StackStatus,
    /// Papers the board counted into the stack when handing it out.
    pub papers: Option<i64>,
    pub entries: Vec<EntryInfo>,
    /// Sequence numbers where the entries differ, with each entry's reading (None: no ballot).
    pub differences: Vec<Difference>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryInfo {
    pub id: i64,
    pub slot: i64,
    pub operator_id: i64,
    pub operator: String,
    pub finished: bool,
    pub ballots: i64,
}

/// A position of the aligned entries of a stack where they disagree (see `board::align`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    /// The position in the aligned stack (1-based): where the board finds the paper.
    pub seq: i64,
    pub kind: DifferenceKind,
    /// Each entry's reading there (None: that entry has no ballot at this position).
    pub readings: Vec<Option<String>>,
    /// Each entry's own number of the ballot there (None: no ballot).
    pub entry_seqs: Vec<Option<i64>>,
    /// The board's reading, once decided (`Some(None)`: the ballot does not exist).
    pub resolved: Option<Option<String>>,
}

/// What kind of difference: every entry read a ballot there but not the same, or some entry has no
/// ballot there (a paper skipped in it, or keyed twice or added in the others).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DifferenceKind {
    Changed,
    Missing,
}

/// The round with its progress.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundView {
    pub round: Round,
    /// What a closed poll recorded into the list: each name's agreements and what the gate decided
    /// (`None` for an election round or a poll still being counted).
    pub poll_result: Option<PollResult>,
    pub stacks: Vec<StackView>,
    pub stacks_accepted: usize,
    pub ballots_agreed: u64,
    /// Operators and board members who can be assigned to stacks: (id, name).
    pub operators: Vec<(i64, String)>,
    /// Names not yet elected in this election (for a further round).
    pub not_elected: Vec<(i64, String)>,
    /// Why the result's further round may not be held (a chi bộ's secretary after the third round:
    /// the superior appoints), when that is so.
    pub further_round_refused: Option<String>,
    /// Where the outcome so far (this round and the election's earlier ones) departs from the
    /// personnel plan, once the round is closed and its body is planned: advice to the presidium
    /// before it decides further rounds, never a change to the result (`plan::departures`).
    pub plan_departures: Option<Vec<crate::plan::Departure>>,
}

/// What a poll counted like ballots recorded when it closed (kept with the round, as the audit entry
/// of its closing has it): those present (the base of the gate), the least agreement that passes,
/// and each name's agreements and what the gate and the list's maximum decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollResult {
    pub present: u32,
    pub gate: u64,
    pub nominees: Vec<PollLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollLine {
    pub person_id: i64,
    pub full_name: String,
    pub agree: u32,
    /// The candidate's status the poll gave (`CandidateStatus` code).
    pub status: String,
}

impl PollLine {
    /// What the gate and the list's maximum decided, in words; an unknown code is damage.
    pub fn decided(&self) -> Result<&'static str, AppError> {
        crate::elections::CandidateStatus::from_code(&self.status)
            .map(crate::elections::CandidateStatus::label)
            .ok_or_else(|| damaged("kết quả lấy phiếu"))
    }
}

/// The setting that keeps a closed poll's result.
fn poll_result_key(round_id: i64) -> String {
    format!("poll_result:{round_id}")
}

pub(crate) fn poll_result_of(c: &Connection, round_id: i64) -> Result<Option<PollResult>, AppError> {
    db::setting(c, &poll_result_key(round_id))?
        .map(|text| serde_json::from_str(&text).map_err(|_| damaged("kết quả lấy phiếu")))
        .transpose()
}

/// What an operator sees: the round's list and their own entry only.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntryView {
    pub entry: EntryInfo,
    pub stack_name: String,
    pub round: Round,
    pub ballots: Vec<EnteredBallot>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnteredBallot {
    pub seq: i64,
    pub code: String,
    pub valid: bool,
    pub reason: Option<String>,
}

/// The engine's verdict on a ballot being typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub code: String,
    pub valid: bool,
    /// The reason code (rules.md § 4) and its Vietnamese text, when invalid.
    pub reason: Option<String>,
    pub reason_text: Option<String>,
    /// 1-based positions that get a vote if the ballot is valid.
    pub votes_for: Vec<usize>,
}

/// The acknowledgement of a stored ballot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ack {
    pub seq: i64,
    pub check: Check,
    pub count: i64,
    /// The same key was already stored: this is the earlier acknowledgement.
    pub repeated: bool,
}

fn check_code(spec: BallotSpec, code: &str) -> Result<(Ballot, Check), AppError> {
    crate::limits::require_text("code", crate::limits::BALLOT_CODE, code)?;
    let ballot = Ballot::from_code(code).map_err(|e| AppError::invalid("code", e.0))?;
    let validity = ballot.read(spec).map_err(|e| AppError::invalid("code", messages::entry_error(&e)))?;
    let (valid, reason) = match validity {
        Validity::Valid => (true, None),
        Validity::Invalid(r) => (false, Some(r)),
    };
    let votes_for = if valid {
        (0..spec.list).filter(|&i| ballot.gives_vote_to(i)).map(|i| i + 1).collect()
    } else {
        Vec::new()
    };
    let check = Check {
        code: ballot.to_code(),
        valid,
        reason: reason.map(|r| r.code().to_owned()),
        reason_text: reason.map(|r| messages::invalid_reason(r).to_owned()),
        votes_for,
    };
    Ok((ballot, check))
}

fn entry_info(e: &db::EntryRow) -> EntryInfo {
    EntryInfo {
        id: e.id,
        slot: e.slot,
        operator_id: e.operator_id,
        operator: e.operator.clone(),
        finished: e.status == EntryStatus::Done,
        ballots: e.ballots,
    }
}

impl App {
    async fn counting_act<T, F>(
        &self,
        actor: &Actor,
        action: &'static str,
        round_hint: Option<i64>,
        f: F,
    ) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<(T, Value), AppError> + Send + 'static,
    {
        let out = self.act(actor, action, f).await?;
        if let Some(round_id) = round_hint {
            self.notify(Event { round_id, published: false });
        }
        Ok(out)
    }

    /// Opens the first round of an election whose list is approved.
    pub async fn open_first_round(
        &self,
        actor: &Actor,
        election_id: i64,
        entries_per_stack: u32,
    ) -> Result<i64, AppError> {
        actor.require(Permission::RunRounds)?;
        if !(1..=3).contains(&entries_per_stack) {
            return Err(AppError::invalid(
                "entries_per_stack",
                "Mỗi chồng phiếu được nhập 1, 2 hoặc 3 lần độc lập.",
            ));
        }
        let detail = self.election(&Actor::system(), election_id).await?;
        if !detail.election.approved {
            return Err(AppError::Conflict("Danh sách bầu cử chưa được thông qua: chưa thể bầu.".into()));
        }
        let at = self.now().to_string();
        let who = actor.username.clone();
        let id = self
            .counting_act(actor, "round.open", None, move |c| {
                if !db::rounds_of(c, election_id)?.is_empty() {
                    return Err(AppError::Conflict("Cuộc bầu này đã có lần bầu thứ nhất.".into()));
                }
                let e = &detail.election;
                let assembly = assembly_for(c, e.assembly_kind, e.body)?;
                let candidates: Vec<(i64, String)> = detail.ballot.iter().map(|c| (c.person_id, c.full_name.clone())).collect();
                let row = RoundRow {
                    election_id,
                    purpose: "regular".into(),
                    seats: i64::from(e.seats),
                    alternate_seats: i64::from(e.alternate_seats),
                    entries_per_stack: i64::from(entries_per_stack),
                    assembly: serde_json::to_string(&assembly).unwrap_or_default(),
                    opened_at: at.clone(),
                    ..RoundRow::default()
                };
                let id = db::insert_round(c, &row, &candidates)?;
                db::journal(c, db::JournalAt::round(id), &at, &who, "round.open", &json!({ "candidates": candidates.len() }).to_string())?;
                Ok((id, json!({ "round_id": id, "election_id": election_id, "entries_per_stack": entries_per_stack })))
            })
            .await?;
        Ok(id)
    }

    /// Opens a poll counted like ballots on an election whose list is still a draft: its names are
    /// the outside nominees still in the running (in order of entry), each marked "Đồng ý" / "Không
    /// đồng ý"; the ballots issued are bounded by those taking part (those present at the latest
    /// sitting, or the new committee's members for the secretary's introduction poll). The board
    /// chooses 1 or 2 entries per stack.
    pub async fn open_poll_round(
        &self,
        actor: &Actor,
        election_id: i64,
        entries_per_stack: u32,
    ) -> Result<i64, AppError> {
        actor.require(Permission::RunRounds)?;
        if !(1..=2).contains(&entries_per_stack) {
            return Err(AppError::invalid(
                "entries_per_stack",
                "Mỗi chồng phiếu xin ý kiến được nhập 1 hoặc 2 lần độc lập.",
            ));
        }
        let at = self.now().to_string();
        let who = actor.username.clone();
        self.counting_act(actor, "poll.open", None, move |c| {
            let erow = edb::get(c, election_id)?.ok_or(AppError::NotFound("cuộc bầu cử"))?;
            let election = Election::from_row(&erow)?;
            if election.approved {
                return Err(AppError::Conflict(
                    "Danh sách bầu cử đã được thông qua: không lấy phiếu xin ý kiến nữa.".into(),
                ));
            }
            if db::polls_of(c, election_id)?.iter().any(|r| r.status != "closed") {
                return Err(AppError::Conflict("Đang có một lần kiểm phiếu xin ý kiến chưa kết thúc.".into()));
            }
            let nominees = crate::elections::poll_nominees(&edb::candidates(c, election_id)?);
            if nominees.is_empty() {
                return Err(AppError::Conflict(
                    "Không có người được đề cử, ứng cử ngoài danh sách cấp ủy giới thiệu: không có gì để lấy phiếu.".into(),
                ));
            }
            let present = crate::elections::poll_participants(c, &erow)?;
            let assembly = Assembly::new(election.assembly_kind, present, present, &[])?;
            let names: Vec<(i64, String)> = nominees.iter().map(|n| (n.person_id, n.full_name.clone())).collect();
            let row = RoundRow {
                election_id,
                purpose: db::POLL.into(),
                seats: names.len() as i64,
                alternate_seats: 0,
                entries_per_stack: i64::from(entries_per_stack),
                assembly: serde_json::to_string(&AssemblySnapshot::of(&assembly)).unwrap_or_default(),
                opened_at: at.clone(),
                ..RoundRow::default()
            };
            let id = db::insert_round(c, &row, &names)?;
            let detail = json!({ "election_id": election_id, "candidates": names.len(), "present": present,
                                 "entries_per_stack": entries_per_stack });
            db::journal(c, db::JournalAt::round(id), &at, &who, "poll.open", &detail.to_string())?;
            let mut data = detail;
            data["round_id"] = json!(id);
            data["nominees"] = json!(names.iter().map(|(_, n)| n).collect::<Vec<_>>());
            Ok((id, data))
        })
        .await
    }

    /// The opinion-poll form of a poll round (PDF, one sheet, as many copies as printed): the round's
    /// names in the round's order, each with "Đồng ý" / "Không đồng ý" — the order the entry screen
    /// keys them in.
    pub async fn poll_round_form(&self, actor: &Actor, round_id: i64) -> Result<Download, AppError> {
        actor.require(Permission::ViewCounting)?;
        let congress = self
            .congress()
            .await?
            .ok_or_else(|| AppError::Conflict("Chưa khai báo đại hội: vào trang Đại hội trước.".into()))?;
        let (round, election) = self
            .read(move |c| {
                let (_, round) = load_round(c, round_id)?;
                let erow = edb::get(c, round.election_id)?.ok_or(AppError::NotFound("cuộc bầu cử"))?;
                Ok((round, Election::from_row(&erow)?))
            })
            .await?;
        if !round.poll {
            return Err(AppError::NotFound("phiếu xin ý kiến của lần bầu này"));
        }
        let by_election = congress.is_by_election();
        let heading = if by_election {
            crate::attendance::by_election_title(&election.title())
        } else {
            election.title()
        };
        let assembly = crate::attendance::election_heading(
            congress.assembly_kind,
            election.assembly_kind,
            election.body,
            &congress.name,
            &congress.organisation,
            &congress.term,
        );
        let term = if by_election { String::new() } else { congress.term.clone() };
        let names = round.candidates.clone();
        let seats = election.seats;
        let bytes = tokio::task::spawn_blocking(move || {
            baucu_docs::office::PollBallotDoc::new(
                baucu_docs::office::PollKind::Opinion,
                &congress.organisation,
                &assembly,
                &term,
                &heading,
                seats,
                &names,
            )?
            .pdf()
        })
        .await
        .map_err(|_| AppError::Conflict("Không tạo được phiếu.".into()))?
        .map_err(|e| AppError::Conflict(e.0))?;
        Ok(Download {
            file_name: format!(
                "phieu-xin-y-kien-{}-lan-{}.pdf",
                round.election_id,
                round.number.unsigned_abs()
            ),
            content_type: "application/pdf",
            bytes,
        })
    }

    /// The polls of an election counted like ballots, first first.
    pub async fn polls_of(&self, actor: &Actor, election_id: i64) -> Result<Vec<Round>, AppError> {
        actor.require(Permission::ViewCounting)?;
        self.read(move |c| {
            db::polls_of(c, election_id)?.iter().map(|r| load_round(c, r.id).map(|(_, x)| x)).collect()
        })
        .await
    }

    pub async fn round(&self, actor: &Actor, round_id: i64) -> Result<RoundView, AppError> {
        actor.require(Permission::ViewCounting)?;
        let actor = actor.clone();
        self.read(move |c| {
            let (_, round) = load_round(c, round_id)?;
            let mut stacks = Vec::new();
            let mut ballots_agreed = 0;
            for s in db::stacks_of(c, round_id)? {
                let entries: Vec<EntryInfo> = db::entries_of(c, s.id)?.iter().map(entry_info).collect();
                let mut diffs =
                    if s.status != StackStatus::Entering { differences(c, s.id)? } else { Vec::new() };
                if s.status != StackStatus::Accepted && actor.role != crate::Role::BoardHead {
                    // Independent entries: only the board head sees the readings before reconciling.
                    diffs.iter_mut().for_each(|d| {
                        d.readings.iter_mut().for_each(|r| *r = None);
                        d.entry_seqs.iter_mut().for_each(|r| *r = None);
                    });
                }
                if s.status == StackStatus::Accepted {
                    ballots_agreed += readings(c, s.id)?.len() as u64;
                }
                stacks.push(StackView {
                    id: s.id,
                    name: s.name,
                    status: s.status,
                    papers: s.papers,
                    entries,
                    differences: diffs,
                });
            }
            let stacks_accepted = stacks.iter().filter(|s| s.status == StackStatus::Accepted).count();
            let operators = db::users_with_roles(c, &["operator", "board_member", "board_head"])?
                .into_iter()
                .map(|(id, name, username)| (id, format!("{name} ({username})")))
                .collect();
            let elected: BTreeSet<i64> =
                edb::elected(c, round.election_id)?.into_iter().map(|(p, _)| p).collect();
            let mut pool: Vec<(i64, String)> = Vec::new();
            for r in db::rounds_of(c, round.election_id)? {
                for (p, n) in db::round_candidates(c, r.id)? {
                    if !elected.contains(&p) && !pool.iter().any(|(q, _)| *q == p) {
                        pool.push((p, n));
                    }
                }
            }
            let further_round_refused =
                if round.record.as_ref().is_some_and(|r| r.next_step == NextStep::FurtherRound) {
                    further_round_refused(c, round.election_id, round.body)?
                } else {
                    None
                };
            let plan_departures = if round.record.is_some() {
                crate::plan::departures(c, round.election_id, round.body, Some(round.number))?
            } else {
                None
            };
            let poll_result = if round.poll { poll_result_of(c, round_id)? } else { None };
            Ok(RoundView {
                round,
                poll_result,
                stacks,
                stacks_accepted,
                ballots_agreed,
                operators,
                not_elected: pool,
                further_round_refused,
                plan_departures,
            })
        })
        .await
    }

    /// The rounds of an election.
    pub async fn rounds_of(&self, actor: &Actor, election_id: i64) -> Result<Vec<Round>, AppError> {
        actor.require(Permission::ViewCounting)?;
        self.read(move |c| {
            db::rounds_of(c, election_id)?.iter().map(|r| load_round(c, r.id).map(|(_, x)| x)).collect()
        })
        .await
    }
}

impl App {
    /// The round a stack belongs to.
    pub async fn round_of_stack(&self, actor: &Actor, stack_id: i64) -> Result<i64, AppError> {
        actor.require(Permission::ViewCounting)?;
        self.read(move |c| Ok(db::get_stack(c, stack_id)?.ok_or(AppError::NotFound("chồng phiếu"))?.round_id))
            .await
    }
}
