//! Counting: rounds, stacks entered independently by N operators, reconciliation stack by stack, the
//! board's resolutions, the result computed by the engine, the presidium's decision on what follows,
//! and publication. Every acknowledged ballot is on disk before the operator sees the acknowledgement.

use crate::attendance::assembly_of;
use crate::elections::Election;
use crate::roster::Person;
use crate::{Actor, App, AppError, Permission};
use baucu_rules::assembly::{Assembly, AssemblyKind, Exclusion};
use baucu_rules::ballot::{Ballot, BallotSpec, Validity};
use baucu_rules::case::RoundAnswer;
use baucu_rules::election::{Body, Layout, Purpose};
use baucu_rules::outcome::decide;
use baucu_rules::{PersonName, Tally, messages};
use baucu_store::counting::{self as db, RoundRow};
use baucu_store::elections as edb;
use baucu_store::persons;
use baucu_store::rusqlite::Connection;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

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
    pub purpose: Purpose,
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
    /// The engine's answer, once closed.
    pub result: Option<Value>,
    pub decision: Option<Value>,
}

impl Round {
    pub fn title(&self) -> String {
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

fn purpose_from(code: &str) -> Purpose {
    match code {
        "tie_break" => Purpose::TieBreak,
        "alternates" => Purpose::Alternates,
        _ => Purpose::Regular,
    }
}

fn load_round(c: &Connection, id: i64) -> Result<(RoundRow, Round), AppError> {
    let row = db::get_round(c, id)?.ok_or(AppError::NotFound("lần bầu"))?;
    let erow = edb::get(c, row.election_id)?.ok_or(AppError::NotFound("cuộc bầu cử"))?;
    let election = Election::from_row(&erow)?;
    let cands = db::round_candidates(c, id)?;
    let assembly: AssemblySnapshot = serde_json::from_str(&row.assembly)
        .map_err(|_| AppError::Conflict("Dữ liệu lần bầu bị hỏng (hội nghị).".into()))?;
    let a = assembly.assembly()?;
    let seats = u32::try_from(row.seats).unwrap_or(0);
    let layout = Layout::for_list(cands.len() as u64, seats).unwrap_or(Layout::AgreeDisagree);
    let round = Round {
        id: row.id,
        election_id: row.election_id,
        election_title: election.title(),
        body: election.body,
        number: row.number,
        purpose: purpose_from(&row.purpose),
        tie_for: row.tie_for.clone(),
        seats,
        alternate_seats: u32::try_from(row.alternate_seats).unwrap_or(0),
        entries_per_stack: u32::try_from(row.entries_per_stack).unwrap_or(2),
        closed: row.status != "open",
        published: row.published_at.is_some(),
        issued: row.ballots_issued,
        base: a.base().get(),
        threshold: a.base().threshold(),
        assembly,
        candidate_ids: cands.iter().map(|(p, _)| *p).collect(),
        candidates: cands.into_iter().map(|(_, n)| n).collect(),
        layout,
        result: row.result.as_deref().and_then(|r| serde_json::from_str(r).ok()),
        decision: row.decision.as_deref().and_then(|r| serde_json::from_str(r).ok()),
    };
    Ok((row, round))
}

/// The body whose members sit in the plenum that elects `body`.
fn plenum_body(body: Body) -> Body {
    match body {
        Body::InspectionChair | Body::InspectionDeputyChair => Body::InspectionCommittee,
        _ => Body::Committee,
    }
}

/// The assembly of an election: the congress's (fixed for the whole congress at its first round) or
/// the plenum's (the members of the body just elected), taken from the roster by the engine.
fn assembly_for(c: &Connection, kind: AssemblyKind, body: Body) -> Result<AssemblySnapshot, AppError> {
    let key = if kind == AssemblyKind::Plenum {
        format!("assembly:plenum:{}", plenum_body(body).code())
    } else {
        "assembly:congress".into()
    };
    if let Some(saved) = db::setting(c, &key)? {
        return serde_json::from_str(&saved)
            .map_err(|_| AppError::Conflict("Dữ liệu hội nghị bị hỏng.".into()));
    }
    let mut people: Vec<Person> = persons::all(c)?.into_iter().map(Person::from_row).collect();
    if kind == AssemblyKind::Plenum {
        let members_of = plenum_body(body);
        let source = edb::all(c)?.into_iter().rev().find(|e| e.body == members_of.code());
        let members: BTreeSet<i64> = match source {
            Some(e) => edb::elected(c, e.id)?.into_iter().filter(|(_, alt)| !alt).map(|(p, _)| p).collect(),
            None => BTreeSet::new(),
        };
        if members.is_empty() {
            return Err(AppError::Conflict(format!(
                "Chưa có kết quả bầu {}: hội nghị chưa có thành viên.",
                messages::body(members_of)
            )));
        }
        people.retain(|p| members.contains(&p.id));
    }
    let sitting = persons::sittings(c)?
        .last()
        .cloned()
        .ok_or_else(|| AppError::Conflict("Chưa điểm danh phiên họp nào: chưa có số có mặt.".into()))?;
    let attended: BTreeSet<i64> = persons::attended_any(c)?.into_iter().collect();
    let checked: BTreeSet<i64> = persons::checked_in(c, sitting.id)?.into_iter().collect();
    let (a, _) = assembly_of(kind, &people, &attended, &checked)?;
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

/// One stack with its entries and how far they are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StackView {
    pub id: i64,
    pub name: String,
    pub status: String,
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    pub seq: i64,
    pub readings: Vec<Option<String>>,
    /// The board's reading, once decided (`Some(None)`: the ballot does not exist).
    pub resolved: Option<Option<String>>,
}

/// The round with its progress.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundView {
    pub round: Round,
    pub stacks: Vec<StackView>,
    pub stacks_accepted: usize,
    pub ballots_agreed: u64,
    /// Operators and board members who can be assigned to stacks: (id, name).
    pub operators: Vec<(i64, String)>,
    /// Names not yet elected in this election (for a further round).
    pub not_elected: Vec<(i64, String)>,
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
        finished: e.status == "done",
        ballots: e.ballots,
    }
}

/// Compares the finished entries of a stack ballot by ballot; returns the differing sequence numbers.
fn differences(c: &Connection, stack_id: i64) -> Result<Vec<Difference>, AppError> {
    let entries = db::entries_of(c, stack_id)?;
    let readings: Vec<Vec<String>> = entries
        .iter()
        .map(|e| db::ballots_of(c, e.id).map(|b| b.into_iter().map(|x| x.code).collect()))
        .collect::<Result<_, _>>()?;
    let resolved: BTreeMap<i64, Option<String>> = db::resolutions_of(c, stack_id)?.into_iter().collect();
    let longest = readings.iter().map(Vec::len).max().unwrap_or(0);
    let mut out = Vec::new();
    for i in 0..longest {
        let at: Vec<Option<String>> = readings.iter().map(|r| r.get(i).cloned()).collect();
        if at.iter().any(|x| *x != at[0]) {
            let seq = i as i64 + 1;
            out.push(Difference { seq, readings: at, resolved: resolved.get(&seq).cloned() });
        }
    }
    Ok(out)
}

/// Once every entry of a stack is finished: accepted when they agree (or every difference is
/// resolved), otherwise `mismatch`.
fn reconcile(
    c: &Connection,
    round_id: i64,
    stack_id: i64,
    at: &str,
    actor: &str,
) -> Result<String, AppError> {
    let entries = db::entries_of(c, stack_id)?;
    if entries.iter().any(|e| e.status != "done") {
        db::set_stack_status(c, stack_id, "entering")?;
        return Ok("entering".into());
    }
    let diffs = differences(c, stack_id)?;
    let status = if diffs.iter().all(|d| d.resolved.is_some()) { "accepted" } else { "mismatch" };
    db::set_stack_status(c, stack_id, status)?;
    let open: Vec<i64> = diffs.iter().filter(|d| d.resolved.is_none()).map(|d| d.seq).collect();
    db::journal(
        c,
        round_id,
        Some(stack_id),
        None,
        None,
        at,
        actor,
        "reconcile",
        &json!({ "status": status, "differing": open }).to_string(),
    )?;
    Ok(status.into())
}

/// The agreed reading of a stack's ballots (only for accepted stacks).
fn readings(c: &Connection, stack_id: i64) -> Result<Vec<String>, AppError> {
    let entries = db::entries_of(c, stack_id)?;
    let first = match entries.first() {
        Some(e) => db::ballots_of(c, e.id)?,
        None => return Ok(Vec::new()),
    };
    let resolved: BTreeMap<i64, Option<String>> = db::resolutions_of(c, stack_id)?.into_iter().collect();
    let longest = entries.iter().map(|e| e.ballots).max().unwrap_or(0);
    let mut out = Vec::new();
    for seq in 1..=longest {
        match resolved.get(&seq) {
            Some(Some(code)) => out.push(code.clone()),
            Some(None) => {}
            None => {
                if let Some(b) = first.get(seq as usize - 1) {
                    out.push(b.code.clone());
                }
            }
        }
    }
    Ok(out)
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
                db::journal(c, id, None, None, None, &at, &who, "round.open", &json!({ "candidates": candidates.len() }).to_string())?;
                Ok((id, json!({ "round_id": id, "election_id": election_id, "entries_per_stack": entries_per_stack })))
            })
            .await?;
        Ok(id)
    }

    pub async fn round(&self, actor: &Actor, round_id: i64) -> Result<RoundView, AppError> {
        actor.require(Permission::ViewCounting)?;
        self.read(move |c| {
            let (_, round) = load_round(c, round_id)?;
            let mut stacks = Vec::new();
            let mut ballots_agreed = 0;
            for s in db::stacks_of(c, round_id)? {
                let entries: Vec<EntryInfo> = db::entries_of(c, s.id)?.iter().map(entry_info).collect();
                let diffs = if s.status == "mismatch" || s.status == "accepted" {
                    differences(c, s.id)?
                } else {
                    Vec::new()
                };
                if s.status == "accepted" {
                    ballots_agreed += readings(c, s.id)?.len() as u64;
                }
                stacks.push(StackView {
                    id: s.id,
                    name: s.name,
                    status: s.status,
                    entries,
                    differences: diffs,
                });
            }
            let stacks_accepted = stacks.iter().filter(|s| s.status == "accepted").count();
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
            Ok(RoundView { round, stacks, stacks_accepted, ballots_agreed, operators, not_elected: pool })
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

    pub async fn set_issued(&self, actor: &Actor, round_id: i64, issued: u32) -> Result<(), AppError> {
        actor.require(Permission::ManageCounting)?;
        let (at, who) = (self.now().to_string(), actor.username.clone());
        self.counting_act(actor, "round.issued", Some(round_id), move |c| {
            let (mut row, round) = load_round(c, round_id)?;
            if round.closed {
                return Err(AppError::Conflict("Lần bầu đã kết thúc.".into()));
            }
            row.ballots_issued = Some(i64::from(issued));
            db::update_round(c, &row)?;
            db::journal(
                c,
                round_id,
                None,
                None,
                None,
                &at,
                &who,
                "issued",
                &json!({ "issued": issued }).to_string(),
            )?;
            Ok(((), json!({ "round_id": round_id, "issued": issued })))
        })
        .await
    }

    /// A stack of ballots handed to `operators` (as many as the round's entries per stack, distinct).
    pub async fn create_stack(
        &self,
        actor: &Actor,
        round_id: i64,
        name: &str,
        operators: Vec<i64>,
    ) -> Result<i64, AppError> {
        actor.require(Permission::ManageCounting)?;
        let name = name.trim().to_owned();
        if name.is_empty() {
            return Err(AppError::invalid("name", "Đặt tên cho chồng phiếu (ví dụ: Chồng 1)."));
        }
        let (at, who) = (self.now().to_string(), actor.username.clone());
        self.counting_act(actor, "stack.create", Some(round_id), move |c| {
            let (_, round) = load_round(c, round_id)?;
            if round.closed {
                return Err(AppError::Conflict("Lần bầu đã kết thúc.".into()));
            }
            let distinct: BTreeSet<i64> = operators.iter().copied().collect();
            if distinct.len() != operators.len() || operators.len() != round.entries_per_stack as usize {
                return Err(AppError::invalid(
                    "operators",
                    format!("Mỗi chồng phiếu cần {} người nhập khác nhau.", round.entries_per_stack),
                ));
            }
            let allowed: BTreeSet<i64> =
                db::users_with_roles(c, &["operator", "board_member", "board_head", "admin"])?
                    .into_iter()
                    .map(|(id, _, _)| id)
                    .collect();
            if let Some(bad) = operators.iter().find(|o| !allowed.contains(o)) {
                return Err(AppError::invalid(
                    "operators",
                    format!("Tài khoản số {bad} không nhập phiếu được."),
                ));
            }
            let id = db::insert_stack(c, round_id, &name, &at)?;
            for (slot, op) in operators.iter().enumerate() {
                db::insert_entry(c, id, slot as i64 + 1, *op)?;
            }
            db::journal(
                c,
                round_id,
                Some(id),
                None,
                None,
                &at,
                &who,
                "stack.create",
                &json!({ "name": name, "operators": operators }).to_string(),
            )?;
            Ok((id, json!({ "round_id": round_id, "stack_id": id, "name": name, "operators": operators })))
        })
        .await
    }

    /// The entries assigned to the actor, with their rounds (the operator's home).
    pub async fn my_entries(&self, actor: &Actor) -> Result<Vec<(EntryInfo, String, String)>, AppError> {
        actor.require(Permission::EnterBallots)?;
        let me = actor.user_id;
        self.read(move |c| {
            let mut out = Vec::new();
            for e in db::entries_of_operator(c, me)? {
                let stack = db::get_stack(c, e.stack_id)?.ok_or(AppError::NotFound("chồng phiếu"))?;
                let (_, round) = load_round(c, stack.round_id)?;
                if !round.closed {
                    out.push((entry_info(&e), stack.name, round.title()));
                }
            }
            Ok(out)
        })
        .await
    }

    fn own_entry(
        c: &Connection,
        actor: &Actor,
        entry_id: i64,
    ) -> Result<(db::EntryRow, db::StackRow, Round), AppError> {
        let e = db::get_entry(c, entry_id)?.ok_or(AppError::NotFound("lượt nhập"))?;
        if e.operator_id != actor.user_id {
            // Independent entry: nobody sees or touches another operator's entry.
            return Err(AppError::Forbidden);
        }
        let stack = db::get_stack(c, e.stack_id)?.ok_or(AppError::NotFound("chồng phiếu"))?;
        let (_, round) = load_round(c, stack.round_id)?;
        Ok((e, stack, round))
    }

    pub async fn entry(&self, actor: &Actor, entry_id: i64) -> Result<EntryView, AppError> {
        actor.require(Permission::EnterBallots)?;
        let actor = actor.clone();
        self.read(move |c| {
            let (e, stack, round) = Self::own_entry(c, &actor, entry_id)?;
            let spec = round.spec();
            let ballots = db::ballots_of(c, e.id)?
                .into_iter()
                .map(|b| {
                    let check = check_code(spec, &b.code).ok().map(|(_, ch)| ch);
                    EnteredBallot {
                        seq: b.seq,
                        code: b.code,
                        valid: check.as_ref().is_some_and(|ch| ch.valid),
                        reason: check.and_then(|ch| ch.reason_text),
                    }
                })
                .collect();
            Ok(EntryView { entry: entry_info(&e), stack_name: stack.name, round, ballots })
        })
        .await
    }

    /// The engine's verdict on a ballot as typed, before it is committed.
    pub async fn check_ballot(&self, actor: &Actor, entry_id: i64, code: String) -> Result<Check, AppError> {
        actor.require(Permission::EnterBallots)?;
        let actor = actor.clone();
        self.read(move |c| {
            let (_, _, round) = Self::own_entry(c, &actor, entry_id)?;
            Ok(check_code(round.spec(), &code)?.1)
        })
        .await
    }

    /// Stores one ballot of the operator's entry. The key makes a retried request harmless.
    pub async fn submit_ballot(
        &self,
        actor: &Actor,
        entry_id: i64,
        code: String,
        key: String,
    ) -> Result<Ack, AppError> {
        actor.require(Permission::EnterBallots)?;
        if key.is_empty() || key.len() > 100 {
            return Err(AppError::invalid("key", "Thiếu khóa chống gửi trùng."));
        }
        let (at, who, me) = (self.now().to_string(), actor.username.clone(), actor.clone());
        let (round_id, ack) = self
            .act(actor, "ballot.enter", move |c| {
                let (e, stack, round) = Self::own_entry(c, &me, entry_id)?;
                let (_, check) = check_code(round.spec(), &code)?;
                if let Some((kentry, seq, stored)) = db::ballot_by_key(c, &key)? {
                    if kentry != entry_id {
                        return Err(AppError::Conflict(
                            "Khóa chống gửi trùng đã dùng cho lượt nhập khác.".into(),
                        ));
                    }
                    let (_, check) = check_code(round.spec(), &stored)?;
                    let ack = Ack { seq, check, count: e.ballots, repeated: true };
                    return Ok((
                        (round.id, ack),
                        json!({ "entry_id": entry_id, "seq": seq, "repeated": true }),
                    ));
                }
                if e.status == "done" || stack.status == "accepted" || round.closed {
                    return Err(AppError::Conflict("Lượt nhập này đã kết thúc.".into()));
                }
                let seq = db::append_ballot(c, entry_id, &check.code, &key, &at)?;
                db::journal(
                    c,
                    round.id,
                    Some(stack.id),
                    Some(entry_id),
                    Some(seq),
                    &at,
                    &who,
                    "ballot",
                    &check.code,
                )?;
                let ack = Ack { seq, check: check.clone(), count: e.ballots + 1, repeated: false };
                Ok(((round.id, ack), json!({ "entry_id": entry_id, "seq": seq, "code": check.code })))
            })
            .await?;
        self.notify(Event { round_id, published: false });
        Ok(ack)
    }

    /// Takes back the operator's last ballot.
    pub async fn undo_last_ballot(&self, actor: &Actor, entry_id: i64) -> Result<Option<i64>, AppError> {
        actor.require(Permission::EnterBallots)?;
        let (at, who, me) = (self.now().to_string(), actor.username.clone(), actor.clone());
        self.act(actor, "ballot.undo", move |c| {
            let (e, stack, round) = Self::own_entry(c, &me, entry_id)?;
            if e.status == "done" || round.closed {
                return Err(AppError::Conflict("Lượt nhập này đã kết thúc.".into()));
            }
            let removed = db::remove_last_ballot(c, entry_id)?;
            if let Some((seq, code)) = &removed {
                db::journal(
                    c,
                    round.id,
                    Some(stack.id),
                    Some(entry_id),
                    Some(*seq),
                    &at,
                    &who,
                    "undo",
                    code,
                )?;
            }
            Ok((removed.as_ref().map(|(s, _)| *s), json!({ "entry_id": entry_id, "removed": removed })))
        })
        .await
    }

    /// Corrects an earlier ballot of the operator's entry (journaled with the old reading).
    pub async fn correct_ballot(
        &self,
        actor: &Actor,
        entry_id: i64,
        seq: i64,
        code: String,
    ) -> Result<Check, AppError> {
        actor.require(Permission::EnterBallots)?;
        let (at, who, me) = (self.now().to_string(), actor.username.clone(), actor.clone());
        self.act(actor, "ballot.correct", move |c| {
            let (e, stack, round) = Self::own_entry(c, &me, entry_id)?;
            if e.status == "done" || round.closed {
                return Err(AppError::Conflict("Lượt nhập này đã kết thúc.".into()));
            }
            let (_, check) = check_code(round.spec(), &code)?;
            let old = db::ballots_of(c, entry_id)?
                .into_iter()
                .find(|b| b.seq == seq)
                .ok_or(AppError::NotFound("phiếu này"))?;
            db::replace_ballot(c, entry_id, seq, &check.code)?;
            let detail = json!({ "from": old.code, "to": check.code }).to_string();
            db::journal(
                c,
                round.id,
                Some(stack.id),
                Some(entry_id),
                Some(seq),
                &at,
                &who,
                "correct",
                &detail,
            )?;
            Ok((check, json!({ "entry_id": entry_id, "seq": seq, "from": old.code })))
        })
        .await
    }

    /// The operator has keyed the whole stack. When every entry is finished the stack is reconciled.
    pub async fn finish_entry(&self, actor: &Actor, entry_id: i64) -> Result<String, AppError> {
        actor.require(Permission::EnterBallots)?;
        let (at, who, me) = (self.now().to_string(), actor.username.clone(), actor.clone());
        let (round_id, status) = self
            .act(actor, "entry.finish", move |c| {
                let (e, stack, round) = Self::own_entry(c, &me, entry_id)?;
                if round.closed {
                    return Err(AppError::Conflict("Lần bầu đã kết thúc.".into()));
                }
                db::set_entry_status(c, e.id, "done")?;
                db::journal(
                    c,
                    round.id,
                    Some(stack.id),
                    Some(e.id),
                    None,
                    &at,
                    &who,
                    "entry.finish",
                    &json!({ "ballots": e.ballots }).to_string(),
                )?;
                let status = reconcile(c, round.id, stack.id, &at, &who)?;
                Ok(((round.id, status.clone()), json!({ "entry_id": entry_id, "stack_status": status })))
            })
            .await?;
        self.notify(Event { round_id, published: false });
        Ok(status)
    }

    /// The board reopens an operator's finished entry (the operator found more ballots, say).
    pub async fn reopen_entry(&self, actor: &Actor, entry_id: i64) -> Result<(), AppError> {
        actor.require(Permission::ManageCounting)?;
        let (at, who) = (self.now().to_string(), actor.username.clone());
        self.act(actor, "entry.reopen", move |c| {
            let e = db::get_entry(c, entry_id)?.ok_or(AppError::NotFound("lượt nhập"))?;
            let stack = db::get_stack(c, e.stack_id)?.ok_or(AppError::NotFound("chồng phiếu"))?;
            let (_, round) = load_round(c, stack.round_id)?;
            if round.closed {
                return Err(AppError::Conflict("Lần bầu đã kết thúc.".into()));
            }
            db::set_entry_status(c, entry_id, "open")?;
            db::set_stack_status(c, stack.id, "entering")?;
            db::journal(c, round.id, Some(stack.id), Some(entry_id), None, &at, &who, "entry.reopen", "{}")?;
            Ok(((), json!({ "entry_id": entry_id })))
        })
        .await
    }

    /// The board's reading of a ballot the entries disagree on, after looking at the paper
    /// (`code = None`: there is no such ballot).
    pub async fn resolve(
        &self,
        actor: &Actor,
        stack_id: i64,
        seq: i64,
        code: Option<String>,
    ) -> Result<String, AppError> {
        actor.require(Permission::ManageCounting)?;
        let (at, who) = (self.now().to_string(), actor.username.clone());
        let (round_id, status) = self
            .act(actor, "stack.resolve", move |c| {
                let stack = db::get_stack(c, stack_id)?.ok_or(AppError::NotFound("chồng phiếu"))?;
                let (_, round) = load_round(c, stack.round_id)?;
                if stack.status != "mismatch" {
                    return Err(AppError::Conflict(
                        "Chồng phiếu này không có chênh lệch cần quyết định.".into(),
                    ));
                }
                if !differences(c, stack_id)?.iter().any(|d| d.seq == seq) {
                    return Err(AppError::invalid("seq", format!("Phiếu thứ {seq} không có chênh lệch.")));
                }
                let code = match code {
                    Some(raw) => Some(check_code(round.spec(), &raw)?.1.code),
                    None => None,
                };
                db::put_resolution(c, stack_id, seq, code.as_deref(), &who, &at)?;
                db::journal(
                    c,
                    round.id,
                    Some(stack_id),
                    None,
                    Some(seq),
                    &at,
                    &who,
                    "resolve",
                    &json!({ "code": code }).to_string(),
                )?;
                let status = reconcile(c, round.id, stack_id, &at, &who)?;
                Ok((
                    (round.id, status.clone()),
                    json!({ "stack_id": stack_id, "seq": seq, "code": code, "stack_status": status }),
                ))
            })
            .await?;
        self.notify(Event { round_id, published: false });
        Ok(status)
    }

    /// Closes the round: every stack accepted, ballots issued recorded, collected ≤ issued. The engine
    /// computes the result; the elected are recorded for the bodies elected from them.
    pub async fn close_round(&self, actor: &Actor, round_id: i64) -> Result<Value, AppError> {
        actor.require(Permission::ManageCounting)?;
        let (at, who) = (self.now().to_string(), actor.username.clone());
        let result = self
            .counting_act(actor, "round.close", Some(round_id), move |c| {
                let (mut row, round) = load_round(c, round_id)?;
                if round.closed {
                    return Err(AppError::Conflict("Lần bầu đã kết thúc.".into()));
                }
                let stacks = db::stacks_of(c, round_id)?;
                if stacks.is_empty() {
                    return Err(AppError::Conflict("Chưa có chồng phiếu nào.".into()));
                }
                if let Some(s) = stacks.iter().find(|s| s.status != "accepted") {
                    return Err(AppError::Conflict(format!(
                        "Chồng phiếu \"{}\" chưa được đối chiếu xong.",
                        s.name
                    )));
                }
                let issued = row
                    .ballots_issued
                    .ok_or_else(|| AppError::Conflict("Chưa ghi số phiếu phát ra.".into()))?;
                let (election, result) = engine_result(c, &round, issued as u64)?;
                let answer = RoundAnswer::new(&election, &result);
                // Record who is elected (officials and alternates) for this election.
                let ids = &round.candidate_ids;
                let name_index = |name: &str| round.candidates.iter().position(|n| n == name);
                let tie_break_for_alternates =
                    round.purpose == Purpose::TieBreak && round.tie_for.as_deref() == Some("alternate");
                for name in &answer.elected {
                    if let Some(i) = name_index(name) {
                        edb::record_elected(c, round.election_id, ids[i], tie_break_for_alternates)?;
                    }
                }
                for name in &answer.alternates {
                    if let Some(i) = name_index(name) {
                        edb::record_elected(c, round.election_id, ids[i], true)?;
                    }
                }
                let value = serde_json::to_value(&answer).unwrap_or(Value::Null);
                row.status = "closed".into();
                row.result = Some(value.to_string());
                row.closed_at = Some(at.clone());
                db::update_round(c, &row)?;
                db::journal(
                    c,
                    round_id,
                    None,
                    None,
                    None,
                    &at,
                    &who,
                    "round.close",
                    &json!({ "next_step": answer.next_step }).to_string(),
                )?;
                Ok((value.clone(), json!({ "round_id": round_id, "result": value })))
            })
            .await?;
        Ok(result)
    }

    /// Creates what the presidium decided after a result, in one step.
    pub async fn decide_next(
        &self,
        actor: &Actor,
        round_id: i64,
        decision: NextDecision,
    ) -> Result<Option<i64>, AppError> {
        actor.require(Permission::RunRounds)?;
        let (at, who) = (self.now().to_string(), actor.username.clone());
        self.counting_act(actor, "round.decide", Some(round_id), move |c| {
            let (mut row, round) = load_round(c, round_id)?;
            let result =
                round.result.clone().ok_or_else(|| AppError::Conflict("Lần bầu chưa có kết quả.".into()))?;
            if round.decision.is_some() {
                return Err(AppError::Conflict("Đoàn chủ tịch đã quyết định cho lần bầu này.".into()));
            }
            let next_step = result["next_step"].as_str().unwrap_or("complete").to_owned();
            let index_of = |name: &str| round.candidates.iter().position(|n| n == name);
            let new_round = match &decision {
                NextDecision::Stop => None,
                NextDecision::TieBreak => {
                    let tie = result
                        .get("tie")
                        .filter(|t| !t.is_null())
                        .ok_or_else(|| AppError::Conflict("Không có ai bằng phiếu.".into()))?;
                    let seats = tie["seats"].as_u64().unwrap_or(1) as i64;
                    let names: Vec<&str> = tie["candidates"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .collect();
                    let list: Vec<(i64, String)> = names
                        .iter()
                        .filter_map(|n| index_of(n).map(|i| (round.candidate_ids[i], (*n).to_owned())))
                        .collect();
                    Some(("tie_break", tie["for"].as_str().map(str::to_owned), seats, list))
                }
                NextDecision::FurtherRound { seats, person_ids }
                | NextDecision::AlternateRound { seats, person_ids } => {
                    let alternates = matches!(decision, NextDecision::AlternateRound { .. });
                    let expected = if alternates { "alternate_round" } else { "further_round" };
                    if next_step != expected && !(alternates && next_step == "further_round") {
                        return Err(AppError::Conflict("Kết quả không cần lần bầu này.".into()));
                    }
                    let limit = if alternates {
                        result["alternate_seats_unfilled"]
                            .as_u64()
                            .unwrap_or(0)
                            .max(result["seats_unfilled"].as_u64().unwrap_or(0))
                    } else {
                        result["seats_unfilled"].as_u64().unwrap_or(0)
                    };
                    let rounds_held = db::rounds_of(c, round.election_id)?.len() as u32;
                    let is_cell = crate::congress::Level::from_code(
                        &baucu_store::congress::get(c)?.map(|x| x.level).unwrap_or_default(),
                    ) == Some(crate::congress::Level::Cell);
                    if !baucu_rules::roster::further_round_allowed(round.body, is_cell, rounds_held) {
                        return Err(AppError::Conflict(format!(
                            "Đã bầu {rounds_held} lần mà chưa có ai trúng cử bí thư chi bộ: theo quy chế, cấp ủy cấp trên chỉ định bí thư."
                        )));
                    }
                    if *seats == 0 || u64::from(*seats) > limit {
                        return Err(AppError::invalid(
                            "seats",
                            format!("Số lượng bầu phải từ 1 đến {limit}."),
                        ));
                    }
                    let elected: BTreeSet<i64> =
                        edb::elected(c, round.election_id)?.into_iter().map(|(p, _)| p).collect();
                    let mut list = Vec::new();
                    for pid in person_ids {
                        if elected.contains(pid) {
                            return Err(AppError::invalid(
                                "person_ids",
                                "Người đã trúng cử không ở trong danh sách bầu tiếp.",
                            ));
                        }
                        let p = persons::get(c, *pid)?.ok_or(AppError::NotFound("người này"))?;
                        list.push((p.id, p.full_name));
                    }
                    if (list.len() as u64) < u64::from(*seats) {
                        return Err(AppError::invalid(
                            "person_ids",
                            "Danh sách phải có ít nhất bằng số lượng cần bầu.",
                        ));
                    }
                    // Vietnamese ballot order, by the engine.
                    let names: Vec<PersonName> = list
                        .iter()
                        .map(|(_, n)| PersonName::parse(n))
                        .collect::<Result<_, _>>()
                        .map_err(|_| AppError::invalid("person_ids", "Tên không hợp lệ."))?;
                    let ordered = baucu_rules::order::ballot_order(&names)
                        .into_iter()
                        .map(|i| list[i].clone())
                        .collect();
                    Some((
                        if alternates { "alternates" } else { "regular" },
                        None,
                        i64::from(*seats),
                        ordered,
                    ))
                }
            };
            row.decision = Some(serde_json::to_string(&decision).unwrap_or_default());
            db::update_round(c, &row)?;
            let new_id = match new_round {
                Some((purpose, tie_for, seats, list)) => {
                    let next = RoundRow {
                        election_id: round.election_id,
                        purpose: purpose.into(),
                        tie_for,
                        seats,
                        alternate_seats: 0,
                        entries_per_stack: i64::from(round.entries_per_stack),
                        assembly: serde_json::to_string(&round.assembly).unwrap_or_default(),
                        opened_at: at.clone(),
                        ..RoundRow::default()
                    };
                    let id = db::insert_round(c, &next, &list)?;
                    db::journal(
                        c,
                        id,
                        None,
                        None,
                        None,
                        &at,
                        &who,
                        "round.open",
                        &json!({ "after": round_id }).to_string(),
                    )?;
                    Some(id)
                }
                None => None,
            };
            db::journal(
                c,
                round_id,
                None,
                None,
                None,
                &at,
                &who,
                "round.decide",
                &serde_json::to_string(&decision).unwrap_or_default(),
            )?;
            Ok((new_id, json!({ "round_id": round_id, "decision": decision, "new_round": new_id })))
        })
        .await
    }

    pub async fn publish(&self, actor: &Actor, round_id: i64) -> Result<(), AppError> {
        actor.require(Permission::RunRounds)?;
        let (at, who) = (self.now().to_string(), actor.username.clone());
        self.act(actor, "round.publish", move |c| {
            let (mut row, round) = load_round(c, round_id)?;
            if !round.closed {
                return Err(AppError::Conflict("Lần bầu chưa có kết quả.".into()));
            }
            row.published_at = Some(at.clone());
            db::update_round(c, &row)?;
            db::journal(c, round_id, None, None, None, &at, &who, "round.publish", "{}")?;
            Ok(((), json!({ "round_id": round_id })))
        })
        .await?;
        self.notify(Event { round_id, published: true });
        Ok(())
    }

    /// Published results, newest first, for the public projector page (no login).
    pub async fn published_results(&self) -> Result<Vec<Round>, AppError> {
        self.read(|c| db::published_rounds(c)?.iter().map(|r| load_round(c, r.id).map(|(_, x)| x)).collect())
            .await
    }

    /// The ballot-entry journal of a round.
    pub async fn journal(&self, actor: &Actor, round_id: i64) -> Result<Vec<db::JournalRow>, AppError> {
        actor.require(Permission::ViewCounting)?;
        self.read(move |c| Ok(db::journal_of(c, round_id)?)).await
    }

    /// The agreed ballot codes of a closed or fully reconciled round, stack after stack (for tests,
    /// documents and the check against `baucu evaluate`).
    pub async fn agreed_ballots(&self, actor: &Actor, round_id: i64) -> Result<Vec<String>, AppError> {
        actor.require(Permission::ViewCounting)?;
        self.read(move |c| {
            let mut out = Vec::new();
            for s in db::stacks_of(c, round_id)?.into_iter().filter(|s| s.status == "accepted") {
                out.extend(readings(c, s.id)?);
            }
            Ok(out)
        })
        .await
    }
}

/// The engine's election for a round: its names in ballot order, seats and purpose.
fn engine_election(round: &Round) -> Result<baucu_rules::Election, AppError> {
    let names: Vec<PersonName> = round
        .candidates
        .iter()
        .map(|n| PersonName::parse(n).map_err(|_| AppError::Conflict(format!("Tên \"{n}\" không hợp lệ."))))
        .collect::<Result<_, _>>()?;
    Ok(baucu_rules::Election::new(round.body, round.purpose, round.seats, round.alternate_seats, names)?)
}

/// The engine's result of a round: the agreed readings of its stacks tallied and decided.
fn engine_result(
    c: &Connection,
    round: &Round,
    issued: u64,
) -> Result<(baucu_rules::Election, baucu_rules::outcome::RoundResult), AppError> {
    let election = engine_election(round)?;
    let mut tally = Tally::new(&election);
    for s in db::stacks_of(c, round.id)? {
        for code in readings(c, s.id)? {
            let ballot = Ballot::from_code(&code).map_err(|e| AppError::Conflict(e.0))?;
            tally.add(&ballot, 1).map_err(|e| AppError::Conflict(messages::entry_error(&e)))?;
        }
    }
    let result = decide(&election, round.assembly.assembly()?.base(), issued, &tally)?;
    Ok((election, result))
}

impl App {
    /// The round a stack belongs to.
    pub async fn round_of_stack(&self, actor: &Actor, stack_id: i64) -> Result<i64, AppError> {
        actor.require(Permission::ViewCounting)?;
        self.read(move |c| Ok(db::get_stack(c, stack_id)?.ok_or(AppError::NotFound("chồng phiếu"))?.round_id))
            .await
    }
}

/// A document of a round, ready to download.
#[derive(Debug, Clone)]
pub struct Download {
    pub file_name: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// What a round's documents are made from: the engine's election, assembly and (once closed) result,
/// and the congress's description.
struct RoundSource {
    round: Round,
    election: baucu_rules::Election,
    assembly: Assembly,
    meta: baucu_rules::case::Meta,
    result: Option<baucu_rules::outcome::RoundResult>,
    journal: Vec<db::JournalRow>,
    stacks: BTreeMap<i64, String>,
}

fn decision_text(d: &Value) -> Option<String> {
    Some(match d["decision"].as_str()? {
        "tie_break" => "Bầu lại giữa những người bằng phiếu.".to_owned(),
        "further_round" => format!("Bầu tiếp {} chỗ còn thiếu.", d["seats"]),
        "alternate_round" => format!("Bầu tiếp {} đại biểu dự khuyết.", d["seats"]),
        _ => "Dừng, không bầu tiếp.".to_owned(),
    })
}

impl App {
    async fn round_source(&self, actor: &Actor, round_id: i64) -> Result<RoundSource, AppError> {
        actor.require(Permission::ViewCounting)?;
        let congress = self.congress().await?;
        self.read(move |c| {
            let (row, round) = load_round(c, round_id)?;
            let assembly = round.assembly.assembly()?;
            let (election, result) = if round.closed {
                let (e, r) = engine_result(c, &round, row.ballots_issued.unwrap_or(0) as u64)?;
                (e, Some(r))
            } else {
                (engine_election(&round)?, None)
            };
            // The counting board, from the accounts with board roles.
            let heads: BTreeSet<String> =
                db::users_with_roles(c, &["board_head"])?.into_iter().map(|(_, name, _)| name).collect();
            let board = db::users_with_roles(c, &["board_head", "board_member"])?
                .into_iter()
                .map(|(_, name, _)| baucu_rules::case::BoardMember {
                    role: if heads.contains(&name) {
                        baucu_rules::case::BoardRole::Head
                    } else {
                        baucu_rules::case::BoardRole::Member
                    },
                    name,
                })
                .collect();
            let closed = row.closed_at.as_deref().and_then(|t| t.parse::<jiff::Timestamp>().ok());
            let local = closed.map(|t| t.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(7))));
            let meta = baucu_rules::case::Meta {
                congress: congress.as_ref().map(|c| c.name.clone()),
                organisation: congress.as_ref().map(|c| c.organisation.clone()),
                term: congress.as_ref().map(|c| c.term.clone()),
                place: congress.as_ref().map(|c| c.place.clone()).filter(|p| !p.is_empty()),
                date: local.as_ref().map(|z| z.date().to_string()),
                time: local.as_ref().map(|z| format!("{:02} giờ {:02}", z.hour(), z.minute())),
                round: u32::try_from(round.number).ok(),
                counting_board: board,
            };
            let journal = db::journal_of(c, round_id)?;
            let stacks = db::stacks_of(c, round_id)?.into_iter().map(|s| (s.id, s.name)).collect();
            Ok(RoundSource { round, election, assembly, meta, result, journal, stacks })
        })
        .await
    }

    /// The round's ballots as a PDF (`copies` identical copies; no serial numbers).
    pub async fn ballots_pdf(
        &self,
        actor: &Actor,
        round_id: i64,
        paper: baucu_docs::Paper,
        copies: u32,
    ) -> Result<Download, AppError> {
        let s = self.round_source(actor, round_id).await?;
        let key = format!("{}-{}", s.round.election_id, s.round.number);
        let bytes = tokio::task::spawn_blocking(move || {
            baucu_docs::BallotDoc::new(&s.meta, &s.election, &key, paper, copies.clamp(1, 5000))?.pdf()
        })
        .await
        .map_err(|_| AppError::Conflict("Không tạo được phiếu bầu.".into()))?
        .map_err(|e| AppError::Conflict(e.0))?;
        Ok(Download {
            file_name: format!("phieu-bau-lan-{round_id}.pdf"),
            content_type: "application/pdf",
            bytes,
        })
    }

    /// The count minutes of a closed round: `pdf`, `docx`, or the results as `xlsx`.
    pub async fn minutes(&self, actor: &Actor, round_id: i64, format: &str) -> Result<Download, AppError> {
        let s = self.round_source(actor, round_id).await?;
        let result = s
            .result
            .ok_or_else(|| AppError::Conflict("Lần bầu chưa có kết quả: chưa có biên bản.".into()))?;
        let decision = s.round.decision.as_ref().and_then(decision_text);
        let doc = baucu_docs::MinutesDoc::from_engine(&s.meta, &s.assembly, &s.election, &result, decision);
        let format = format.to_owned();
        let (bytes, content_type, ext) = tokio::task::spawn_blocking(move || match format.as_str() {
            "docx" => doc.docx().map(|b| {
                (b, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx")
            }),
            "xlsx" => doc
                .xlsx()
                .map(|b| (b, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")),
            _ => doc.pdf().map(|b| (b, "application/pdf", "pdf")),
        })
        .await
        .map_err(|_| AppError::Conflict("Không tạo được biên bản.".into()))?
        .map_err(|e| AppError::Conflict(e.0))?;
        let stem = if ext == "xlsx" { "ket-qua" } else { "bien-ban-kiem-phieu" };
        Ok(Download { file_name: format!("{stem}-lan-{round_id}.{ext}"), content_type, bytes })
    }

    /// The ballot-entry journal of a round as a PDF.
    pub async fn journal_pdf(&self, actor: &Actor, round_id: i64) -> Result<Download, AppError> {
        let s = self.round_source(actor, round_id).await?;
        let rows = s
            .journal
            .iter()
            .map(|j| baucu_docs::JournalRow {
                at: j.at.get(..19).unwrap_or(&j.at).replace('T', " "),
                actor: j.actor.clone(),
                kind: j.kind.clone(),
                stack: j.stack_id.and_then(|id| s.stacks.get(&id).cloned()).unwrap_or_default(),
                entry: j.entry_id.map(|e| e.to_string()).unwrap_or_default(),
                seq: j.seq.map(|q| q.to_string()).unwrap_or_default(),
                detail: j.detail.clone(),
            })
            .collect();
        let doc = baucu_docs::JournalDoc {
            title: format!("Nhật ký nhập phiếu — {}", s.round.title()),
            organisation: s.meta.organisation.clone().unwrap_or_default(),
            heading: s.round.title(),
            rows,
        };
        let bytes = tokio::task::spawn_blocking(move || doc.pdf())
            .await
            .map_err(|_| AppError::Conflict("Không tạo được nhật ký.".into()))?
            .map_err(|e| AppError::Conflict(e.0))?;
        Ok(Download {
            file_name: format!("nhat-ky-nhap-phieu-lan-{round_id}.pdf"),
            content_type: "application/pdf",
            bytes,
        })
    }
}

impl App {
    /// The list of the elected of an election with the composition of the new body (rules.md § 9):
    /// `pdf` or `xlsx`. Ages are taken at the congress's opening date.
    pub async fn elected_list(
        &self,
        actor: &Actor,
        election_id: i64,
        format: &str,
    ) -> Result<Download, AppError> {
        actor.require(Permission::ViewCounting)?;
        let congress = self.congress().await?;
        let opening = congress.as_ref().and_then(|c| c.opens_on);
        let doc = self
            .read(move |c| {
                let erow = edb::get(c, election_id)?.ok_or(AppError::NotFound("cuộc bầu cử"))?;
                let election = Election::from_row(&erow)?;
                // Votes from the round in which each person was elected.
                let mut votes: BTreeMap<i64, (u64, u64)> = BTreeMap::new();
                for r in db::rounds_of(c, election_id)? {
                    let Some(result) =
                        r.result.as_deref().and_then(|x| serde_json::from_str::<Value>(x).ok())
                    else {
                        continue;
                    };
                    for (i, (person, _)) in db::round_candidates(c, r.id)?.into_iter().enumerate() {
                        let line = &result["candidates"][i];
                        if matches!(line["outcome"].as_str(), Some("elected" | "alternate")) {
                            let hundredths = line["percent_of_base"]
                                .as_str()
                                .unwrap_or("0")
                                .replace('.', "")
                                .parse()
                                .unwrap_or(0);
                            votes.insert(person, (line["votes"].as_u64().unwrap_or(0), hundredths));
                        }
                    }
                }
                let mut rows = Vec::new();
                let mut officials = Vec::new();
                for (person_id, alternate) in edb::elected(c, election_id)? {
                    let p = Person::from_row(
                        persons::get(c, person_id)?.ok_or(AppError::NotFound("người trúng cử"))?,
                    );
                    let (v, h) = votes.get(&person_id).copied().unwrap_or((0, 0));
                    rows.push(baucu_docs::ElectedRow {
                        name: p.full_name.clone(),
                        birth: p
                            .birth_date
                            .map(|d| format!("{:02}/{:02}/{}", d.day(), d.month(), d.year()))
                            .unwrap_or_default(),
                        sex: crate::roster::label_of(&crate::roster::SEXES, &p.sex).into(),
                        ethnicity: p.ethnicity.clone(),
                        religion: p.religion.clone(),
                        education: p.education.clone(),
                        theory: crate::roster::label_of(&crate::roster::THEORY_LEVELS, &p.political_theory)
                            .into(),
                        first_time: p.first_time,
                        votes: v,
                        percent: format!("{},{:02}%", h / 100, h % 100),
                        hundredths: h,
                        alternate,
                    });
                    if !alternate {
                        officials.push(p);
                    }
                }
                let total = officials.len() as u64;
                let count = |f: &dyn Fn(&Person) -> bool| officials.iter().filter(|p| f(p)).count() as u64;
                let fold = baucu_rules::name::fold_for_search;
                let under_35 = |p: &Person| match (p.birth_date, opening) {
                    (Some(b), Some(o)) => {
                        let age = i32::from(o.year())
                            - i32::from(b.year())
                            - i32::from((o.month(), o.day()) < (b.month(), b.day()));
                        age < 35
                    }
                    _ => false,
                };
                let mut stats = vec![
                    baucu_docs::StatLine::new("Nữ", count(&|p| p.sex == "female"), total),
                    baucu_docs::StatLine::new("Dưới 35 tuổi", count(&under_35), total),
                    baucu_docs::StatLine::new(
                        "Dân tộc thiểu số",
                        count(&|p| !p.ethnicity.is_empty() && fold(&p.ethnicity) != "kinh"),
                        total,
                    ),
                    baucu_docs::StatLine::new(
                        "Có tôn giáo",
                        count(&|p| !matches!(fold(&p.religion).as_str(), "" | "khong")),
                        total,
                    ),
                    baucu_docs::StatLine::new("Tham gia lần đầu", count(&|p| p.first_time), total),
                ];
                let mut education: BTreeMap<String, u64> = BTreeMap::new();
                let mut theory: BTreeMap<String, u64> = BTreeMap::new();
                for p in &officials {
                    let e = if p.education.is_empty() { "chưa ghi".to_owned() } else { p.education.clone() };
                    *education.entry(e).or_default() += 1;
                    let t = crate::roster::label_of(&crate::roster::THEORY_LEVELS, &p.political_theory);
                    *theory
                        .entry(if t.is_empty() { "chưa có".to_owned() } else { t.to_owned() })
                        .or_default() += 1;
                }
                stats.extend(
                    education.into_iter().map(|(k, n)| {
                        baucu_docs::StatLine::new(format!("Trình độ chuyên môn: {k}"), n, total)
                    }),
                );
                stats.extend(
                    theory
                        .into_iter()
                        .map(|(k, n)| baucu_docs::StatLine::new(format!("Lý luận chính trị: {k}"), n, total)),
                );
                Ok(baucu_docs::ElectedDoc {
                    title: format!("Danh sách trúng cử — {}", election.title()),
                    organisation: congress.as_ref().map(|c| c.organisation.clone()).unwrap_or_default(),
                    congress: congress.as_ref().map(|c| c.name.clone()).unwrap_or_default(),
                    term: congress.as_ref().map(|c| c.term.clone()).unwrap_or_default(),
                    heading: election.title(),
                    rows,
                    total,
                    stats,
                })
            })
            .await?;
        let format = format.to_owned();
        let (bytes, content_type, ext) = tokio::task::spawn_blocking(move || match format.as_str() {
            "xlsx" => doc
                .xlsx()
                .map(|b| (b, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")),
            _ => doc.pdf().map(|b| (b, "application/pdf", "pdf")),
        })
        .await
        .map_err(|_| AppError::Conflict("Không tạo được danh sách.".into()))?
        .map_err(|e| AppError::Conflict(e.0))?;
        Ok(Download { file_name: format!("danh-sach-trung-cu-{election_id}.{ext}"), content_type, bytes })
    }
}
