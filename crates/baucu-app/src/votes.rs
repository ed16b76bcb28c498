//! The congress's show-of-hands votes (biểu quyết, rules.md § 2): the presidium, the secretariat, the
//! credentials committee, the counting board (head and members, delegates of the congress; the
//! technical staff who operate the machines listed apart, by name), the seats of a body, the election
//! list, a withdrawal, and any other procedural decision. Each vote states its counts, bounded by
//! those present at the sitting it was taken at, and who recorded it and when. The latest vote on the
//! counting board is the board a closing freezes into the round's record
//! (`counting::result::board_now`).

use crate::attendance::assembly_of;
use crate::elections::Election;
use crate::roster::Person;
use crate::{Actor, App, AppError, FieldProblem, Permission};
use baucu_rules::assembly::AssemblyKind;
use baucu_rules::case::{BoardMember, BoardRole};
use baucu_rules::roster::Standing;
use baucu_store::rusqlite::Connection;
use baucu_store::votes::{self as db, VotePersonRow, VoteRow};
use baucu_store::{elections as edb, persons};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// What the congress voted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    Presidium,
    Secretariat,
    CredentialsCommittee,
    CountingBoard,
    Seats,
    ElectionList,
    Withdrawal,
    Other,
}

impl Subject {
    pub const ALL: [Subject; 8] = [
        Subject::Presidium,
        Subject::Secretariat,
        Subject::CredentialsCommittee,
        Subject::CountingBoard,
        Subject::Seats,
        Subject::ElectionList,
        Subject::Withdrawal,
        Subject::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Subject::Presidium => "presidium",
            Subject::Secretariat => "secretariat",
            Subject::CredentialsCommittee => "credentials_committee",
            Subject::CountingBoard => "counting_board",
            Subject::Seats => "seats",
            Subject::ElectionList => "election_list",
            Subject::Withdrawal => "withdrawal",
            Subject::Other => "other",
        }
    }

    /// The subject a code names; `None` for an unknown code (refused, never defaulted).
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Subject::Presidium => "Bầu đoàn chủ tịch",
            Subject::Secretariat => "Bầu đoàn thư ký",
            Subject::CredentialsCommittee => "Bầu ban thẩm tra tư cách đại biểu",
            Subject::CountingBoard => "Bầu ban kiểm phiếu",
            Subject::Seats => "Số lượng bầu",
            Subject::ElectionList => "Thông qua danh sách bầu cử",
            Subject::Withdrawal => "Cho rút khỏi danh sách bầu cử",
            Subject::Other => "Vấn đề khác",
        }
    }

    /// Whether the vote elects persons of the congress (chosen from the roster).
    pub fn elects_people(self) -> bool {
        matches!(
            self,
            Subject::Presidium
                | Subject::Secretariat
                | Subject::CredentialsCommittee
                | Subject::CountingBoard
        )
    }

    /// Whether the vote is about one election (its seats, its list, a withdrawal from it).
    pub fn needs_election(self) -> bool {
        matches!(self, Subject::Seats | Subject::ElectionList | Subject::Withdrawal)
    }
}

/// The part a person has in a vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VoteRole {
    /// The head of the counting board.
    Head,
    /// A person elected (or, for a withdrawal, the person withdrawing).
    Member,
    /// Technical staff operating the machines under the counting board (not a delegate, not a member).
    Technical,
}

impl VoteRole {
    pub fn code(self) -> &'static str {
        match self {
            VoteRole::Head => "head",
            VoteRole::Member => "member",
            VoteRole::Technical => "technical",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [VoteRole::Head, VoteRole::Member, VoteRole::Technical].into_iter().find(|r| r.code() == code)
    }

    /// How the person is named on the page and in the journal, for a vote on `subject`.
    pub fn label(self, subject: Subject) -> &'static str {
        match (self, subject) {
            (VoteRole::Head, _) => "Trưởng ban",
            (VoteRole::Technical, _) => "Kỹ thuật viên",
            (VoteRole::Member, Subject::CountingBoard) => "Thành viên",
            (VoteRole::Member, Subject::Withdrawal) => "Người xin rút",
            (VoteRole::Member, _) => "Người được bầu",
        }
    }
}

/// A person named in a vote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VotePerson {
    pub role: VoteRole,
    /// The roster's id; `None` for technical staff, named only.
    pub person_id: Option<i64>,
    pub name: String,
}

/// A vote as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Vote {
    pub id: i64,
    pub subject: Subject,
    pub election_id: Option<i64>,
    pub detail: String,
    pub seats: Option<u32>,
    pub sitting_id: i64,
    pub present: u32,
    pub votes_for: u32,
    pub votes_against: u32,
    pub abstain: Option<u32>,
    pub persons: Vec<VotePerson>,
    pub recorded_by: String,
    pub recorded_at: jiff::Timestamp,
}

/// A vote to record, every field parsed (see [`VoteRequest::from_form`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoteRequest {
    pub subject: Subject,
    pub election_id: Option<i64>,
    pub detail: String,
    pub seats: Option<u32>,
    /// The head of the counting board.
    pub head: Option<i64>,
    /// The persons elected (counting board: its members), or the person withdrawing.
    pub members: Vec<i64>,
    /// Technical staff of the counting board, by name.
    pub technical: Vec<String>,
    pub votes_for: u32,
    pub votes_against: u32,
    pub abstain: Option<u32>,
}

/// At most this many persons in one vote, and this many technical staff.
pub const MAX_PERSONS: usize = 100;
pub const MAX_TECHNICAL: usize = 30;
const DETAIL: crate::limits::TextLimit =
    crate::limits::TextLimit { label: "Nội dung biểu quyết", max_chars: 500 };
const TECHNICAL: crate::limits::TextLimit =
    crate::limits::TextLimit { label: "Danh sách kỹ thuật viên", max_chars: 4_000 };

/// Who the congress counts present at its latest sitting, and those it may elect (delegates summoned
/// and counted in the base), from the engine's assembly.
struct Sitting {
    id: i64,
    name: String,
    present: u32,
    delegates: BTreeMap<i64, String>,
}

fn latest_sitting(c: &Connection) -> Result<Option<Sitting>, AppError> {
    let Some(sitting) = persons::sittings(c)?.last().cloned() else { return Ok(None) };
    let kind = baucu_store::congress::get(c)?
        .ok_or_else(|| AppError::Conflict("Chưa khai báo đại hội: vào trang Đại hội trước.".into()))?
        .assembly_kind;
    let kind =
        AssemblyKind::from_code(&kind).ok_or_else(|| AppError::damaged("Dữ liệu đại hội", "loại đại hội"))?;
    let people: Vec<Person> = persons::all(c)?.into_iter().map(Person::from_row).collect::<Result<_, _>>()?;
    let attended: BTreeSet<i64> = persons::attended_any(c)?.into_iter().collect();
    let checked: BTreeSet<i64> = persons::checked_in(c, sitting.id)?.into_iter().collect();
    let (assembly, standings) = assembly_of(kind, &people, &attended, &checked)?;
    let delegates = people
        .iter()
        .zip(&standings)
        .filter(|(_, s)| **s == Standing::Counted)
        .map(|(p, _)| (p.id, p.full_name.clone()))
        .collect();
    Ok(Some(Sitting { id: sitting.id, name: sitting.name, present: assembly.present(), delegates }))
}

fn damaged(what: &str) -> AppError {
    AppError::damaged("Dữ liệu biểu quyết", what)
}

fn vote_from_row(c: &Connection, r: VoteRow) -> Result<Vote, AppError> {
    let subject = Subject::from_code(&r.subject).ok_or_else(|| damaged("loại biểu quyết"))?;
    let count = |n: i64, what: &str| u32::try_from(n).map_err(|_| damaged(what));
    let persons = db::persons(c, r.id)?
        .into_iter()
        .map(|p| {
            Ok(VotePerson {
                role: VoteRole::from_code(&p.role).ok_or_else(|| damaged("vai trò"))?,
                person_id: p.person_id,
                name: p.full_name,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(Vote {
        id: r.id,
        subject,
        election_id: r.election_id,
        detail: r.detail,
        seats: r.seats.map(|n| count(n, "số lượng bầu")).transpose()?,
        sitting_id: r.sitting_id,
        present: count(r.present, "số có mặt")?,
        votes_for: count(r.votes_for, "số tán thành")?,
        votes_against: count(r.votes_against, "số không tán thành")?,
        abstain: r.abstain.map(|n| count(n, "số không biểu quyết")).transpose()?,
        persons,
        recorded_by: r.recorded_by,
        recorded_at: r.recorded_at.parse().map_err(|_| damaged("thời điểm ghi"))?,
    })
}

/// The counting board the congress elected in its latest vote on it: the head first, then the
/// members in the order voted (technical staff are not members). `None` when no such vote exists.
pub(crate) fn voted_board(c: &Connection) -> Result<Option<Vec<BoardMember>>, AppError> {
    let Some(row) = db::latest(c, Subject::CountingBoard.code())? else { return Ok(None) };
    let vote = vote_from_row(c, row)?;
    let of = |role: VoteRole, as_: BoardRole| {
        vote.persons
            .iter()
            .filter(move |p| p.role == role)
            .map(move |p| BoardMember { name: p.name.clone(), role: as_ })
    };
    let board: Vec<BoardMember> =
        of(VoteRole::Head, BoardRole::Head).chain(of(VoteRole::Member, BoardRole::Member)).collect();
    if board.is_empty() {
        return Err(damaged("thành phần ban kiểm phiếu"));
    }
    Ok(Some(board))
}

impl VoteRequest {
    /// Parses the vote form (field name, value pairs as posted; `member` may repeat, `technical` is
    /// one name a line). Every problem is listed; an unknown subject is refused.
    pub fn from_form(pairs: &[(String, String)]) -> Result<Self, AppError> {
        let mut problems = Vec::new();
        let mut single: BTreeMap<&str, &str> = BTreeMap::new();
        let mut members = Vec::new();
        for (k, v) in pairs {
            const SINGLE: [&str; 9] = [
                "subject",
                "election_id",
                "detail",
                "seats",
                "head",
                "technical",
                "votes_for",
                "votes_against",
                "abstain",
            ];
            if k == "member" && !v.trim().is_empty() {
                members.push(v.trim());
            } else if let Some(key) = SINGLE.into_iter().find(|f| f == k)
                && single.insert(key, v.as_str()).is_some()
            {
                problems.push(FieldProblem::field(key, "Trường này chỉ được gửi một lần."));
            }
        }
        let get = |k: &str| single.get(k).map(|v| v.trim()).unwrap_or("");
        let subject = match get("subject") {
            "" => {
                problems.push(FieldProblem::field("subject", "Chọn nội dung biểu quyết."));
                None
            }
            code => {
                let s = Subject::from_code(code);
                if s.is_none() {
                    problems.push(FieldProblem::field(
                        "subject",
                        format!("Không có nội dung biểu quyết \"{code}\"."),
                    ));
                }
                s
            }
        };
        let id = |field: &str, text: &str, problems: &mut Vec<FieldProblem>| -> Option<i64> {
            match text.parse::<i64>() {
                Ok(n) if n > 0 => Some(n),
                _ => {
                    problems.push(FieldProblem::field(field, format!("\"{text}\" không phải là mã hợp lệ.")));
                    None
                }
            }
        };
        let count = |field: &str, label: &str, required: bool, problems: &mut Vec<FieldProblem>| {
            let t = get(field);
            if t.is_empty() {
                if required {
                    problems.push(FieldProblem::field(field, format!("Ghi {label}.")));
                }
                return None;
            }
            match t.parse::<u32>() {
                Ok(n) if n <= crate::limits::PEOPLE.max => Some(n),
                _ => {
                    problems.push(FieldProblem::field(
                        field,
                        format!("{label}: \"{t}\" không phải là số hợp lệ."),
                    ));
                    None
                }
            }
        };
        let votes_for = count("votes_for", "số tán thành", true, &mut problems);
        let votes_against = count("votes_against", "số không tán thành", true, &mut problems);
        let abstain = count("abstain", "số không biểu quyết", false, &mut problems);
        crate::limits::check_text(&mut problems, "detail", DETAIL, single.get("detail").unwrap_or(&""));
        crate::limits::check_text(
            &mut problems,
            "technical",
            TECHNICAL,
            single.get("technical").unwrap_or(&""),
        );
        let detail = get("detail").to_owned();
        let election_id = match get("election_id") {
            "" => None,
            t => id("election_id", t, &mut problems),
        };
        let seats = match get("seats") {
            "" => None,
            t => match t.parse::<u32>() {
                Ok(n) if (1..=crate::limits::SEATS.max).contains(&n) => Some(n),
                _ => {
                    problems.push(FieldProblem::field(
                        "seats",
                        format!("Số lượng bầu phải từ 1 đến {}.", crate::limits::SEATS.max),
                    ));
                    None
                }
            },
        };
        let head = match get("head") {
            "" => None,
            t => id("head", t, &mut problems),
        };
        let members: Vec<i64> = members.iter().filter_map(|t| id("member", t, &mut problems)).collect();
        let technical: Vec<String> = get("technical")
            .lines()
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|l| !l.is_empty())
            .collect();
        for name in &technical {
            crate::limits::check_text(&mut problems, "technical", crate::limits::PERSON_NAME, name);
        }
        if technical.len() > MAX_TECHNICAL {
            problems.push(FieldProblem::field(
                "technical",
                format!("Ghi nhiều nhất {MAX_TECHNICAL} kỹ thuật viên."),
            ));
        }
        if members.len() > MAX_PERSONS {
            problems.push(FieldProblem::field("member", format!("Chọn nhiều nhất {MAX_PERSONS} người.")));
        }
        if let Some(s) = subject {
            let label = s.label().to_lowercase();
            if s.needs_election() && election_id.is_none() && get("election_id").is_empty() {
                problems.push(FieldProblem::field(
                    "election_id",
                    format!("Chọn cuộc bầu của nội dung \"{label}\"."),
                ));
            }
            if !s.needs_election() && election_id.is_some() {
                problems.push(FieldProblem::field(
                    "election_id",
                    format!("Nội dung \"{label}\" không gắn với cuộc bầu nào."),
                ));
            }
            if s == Subject::Seats && seats.is_none() && get("seats").is_empty() {
                problems.push(FieldProblem::field("seats", "Ghi số lượng bầu đại hội biểu quyết."));
            }
            if s != Subject::Seats && seats.is_some() {
                problems
                    .push(FieldProblem::field("seats", "Chỉ ghi số lượng bầu khi biểu quyết số lượng bầu."));
            }
            if s == Subject::Other && detail.is_empty() {
                problems.push(FieldProblem::field("detail", "Ghi nội dung được biểu quyết."));
            }
            if s == Subject::CountingBoard && head.is_none() && get("head").is_empty() {
                problems.push(FieldProblem::field("head", "Chọn trưởng ban kiểm phiếu."));
            }
            if s != Subject::CountingBoard && (head.is_some() || !technical.is_empty()) {
                problems
                    .push(FieldProblem::field("head", "Chỉ ban kiểm phiếu có trưởng ban và kỹ thuật viên."));
            }
            if s.elects_people() && members.is_empty() {
                let what = if s == Subject::CountingBoard {
                    "các thành viên ban kiểm phiếu"
                } else {
                    "những người được bầu"
                };
                problems.push(FieldProblem::field("member", format!("Chọn {what} từ danh sách đại biểu.")));
            }
            if s == Subject::Withdrawal && members.len() != 1 {
                problems.push(FieldProblem::field("member", "Chọn một người xin rút khỏi danh sách."));
            }
            if !s.elects_people() && s != Subject::Withdrawal && !members.is_empty() {
                problems.push(FieldProblem::field(
                    "member",
                    format!("Nội dung \"{label}\" không bầu người nào."),
                ));
            }
        }
        let mut seen = BTreeSet::new();
        if head.iter().chain(&members).any(|p| !seen.insert(*p)) {
            problems.push(FieldProblem::field("member", "Một người được chọn hai lần."));
        }
        match (subject, votes_for, votes_against) {
            (Some(subject), Some(votes_for), Some(votes_against)) if problems.is_empty() => Ok(VoteRequest {
                subject,
                election_id,
                detail,
                seats,
                head,
                members,
                technical,
                votes_for,
                votes_against,
                abstain,
            }),
            _ => Err(AppError::Invalid(problems)),
        }
    }
}

/// What the vote page shows besides the votes: the latest sitting, who is present at it, and the
/// delegates who may be elected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VoteSetting {
    pub sitting: Option<(i64, String)>,
    pub present: u32,
    /// (person id, full name), in roster order.
    pub delegates: Vec<(i64, String)>,
}

impl App {
    /// The congress's votes in the order recorded.
    pub async fn votes(&self, actor: &Actor) -> Result<Vec<Vote>, AppError> {
        actor.require(Permission::ViewSetup)?;
        self.read(|c| db::all(c)?.into_iter().map(|r| vote_from_row(c, r)).collect()).await
    }

    /// The latest sitting, those present at it, and the delegates a vote may elect.
    pub async fn vote_setting(&self, actor: &Actor) -> Result<VoteSetting, AppError> {
        actor.require(Permission::ViewSetup)?;
        self.read(|c| {
            Ok(match latest_sitting(c)? {
                Some(s) => VoteSetting {
                    sitting: Some((s.id, s.name)),
                    present: s.present,
                    delegates: s.delegates.into_iter().collect(),
                },
                None => VoteSetting { sitting: None, present: 0, delegates: Vec::new() },
            })
        })
        .await
    }

    /// Records a show-of-hands vote of the congress, taken at its latest sitting: the counts may not
    /// exceed those present there; the persons it elects are delegates of the congress (counted in
    /// its base), the person withdrawing one on the election's list. Audited as `vote.record`.
    pub async fn record_vote(&self, actor: &Actor, req: VoteRequest) -> Result<i64, AppError> {
        actor.require(Permission::TakeAttendance)?;
        let (at, who) = (self.now().to_string(), actor.username.clone());
        self.act(actor, "vote.record", move |c| {
            let sitting = latest_sitting(c)?.ok_or_else(|| {
                AppError::Conflict("Chưa có phiên họp nào: tạo phiên họp và điểm danh trước khi ghi biểu quyết.".into())
            })?;
            if sitting.present == 0 {
                return Err(AppError::Conflict(format!(
                    "Chưa ai được điểm danh có mặt ở phiên \"{}\": điểm danh trước khi ghi biểu quyết.",
                    sitting.name
                )));
            }
            let total = u64::from(req.votes_for) + u64::from(req.votes_against) + u64::from(req.abstain.unwrap_or(0));
            if total > u64::from(sitting.present) {
                return Err(AppError::invalid(
                    "votes_for",
                    format!(
                        "Tổng số biểu quyết ({total}) vượt quá số người có mặt ở phiên \"{}\" ({}).",
                        sitting.name, sitting.present
                    ),
                ));
            }
            let election = match req.election_id {
                Some(id) => Some(Election::from_row(&edb::get(c, id)?.ok_or(AppError::NotFound("cuộc bầu cử"))?)?),
                None => None,
            };
            let mut rows = Vec::new();
            let named = |id: i64| -> Result<String, AppError> {
                Ok(persons::get(c, id)?
                    .ok_or_else(|| AppError::invalid("member", format!("Không có người số {id} trong danh sách đảng viên.")))?
                    .full_name)
            };
            if req.subject == Subject::Withdrawal {
                let eid = election.as_ref().map(|e| e.id).unwrap_or_default();
                for &pid in &req.members {
                    let name = named(pid)?;
                    if !edb::candidates(c, eid)?.iter().any(|x| x.person_id == pid) {
                        return Err(AppError::invalid("member", format!("{name} không có trong danh sách của cuộc bầu này.")));
                    }
                    rows.push(VotePersonRow { role: VoteRole::Member.code().into(), person_id: Some(pid), full_name: name });
                }
            } else {
                let chosen = req.head.iter().map(|&p| (VoteRole::Head, p)).chain(req.members.iter().map(|&p| (VoteRole::Member, p)));
                for (role, pid) in chosen {
                    let name = named(pid)?;
                    if !sitting.delegates.contains_key(&pid) {
                        return Err(AppError::invalid(
                            "member",
                            format!("{name} không phải đại biểu (đảng viên chính thức) được tính vào số làm căn cứ của đại hội."),
                        ));
                    }
                    rows.push(VotePersonRow { role: role.code().into(), person_id: Some(pid), full_name: name });
                }
                for name in &req.technical {
                    rows.push(VotePersonRow { role: VoteRole::Technical.code().into(), person_id: None, full_name: name.clone() });
                }
            }
            let row = VoteRow {
                id: 0,
                subject: req.subject.code().into(),
                election_id: req.election_id,
                detail: req.detail.clone(),
                seats: req.seats.map(i64::from),
                sitting_id: sitting.id,
                present: i64::from(sitting.present),
                votes_for: i64::from(req.votes_for),
                votes_against: i64::from(req.votes_against),
                abstain: req.abstain.map(i64::from),
                recorded_by: who.clone(),
                recorded_at: at.clone(),
            };
            let id = db::insert(c, &row, &rows)?;
            let persons: Vec<Value> =
                rows.iter().map(|p| json!({ "role": p.role, "person_id": p.person_id, "name": p.full_name })).collect();
            Ok((
                id,
                json!({
                    "id": id,
                    "subject": req.subject.code(),
                    "election_id": req.election_id,
                    "detail": req.detail,
                    "seats": req.seats,
                    "sitting_id": sitting.id,
                    "present": sitting.present,
                    "for": req.votes_for,
                    "against": req.votes_against,
                    "abstain": req.abstain,
                    "persons": persons,
                }),
            ))
        })
        .await
    }
}

/// The audit journal's sentence for `vote.record` (`who` is the actor's name, `election` the
/// election's name as the journal writes it).
pub(crate) fn sentence(who: &str, data: &Value, election: &str) -> String {
    let subject = data["subject"].as_str().and_then(Subject::from_code);
    let Some(subject) = subject else {
        return format!("{who} ghi một biểu quyết của đại hội (nội dung không rõ).");
    };
    let mut what = subject.label().to_lowercase();
    if subject.needs_election() {
        what.push_str(&format!(" ({election})"));
    }
    if let Some(n) = data["seats"].as_u64() {
        what.push_str(&format!(": {n} người"));
    }
    if let Some(d) = data["detail"].as_str().filter(|d| !d.is_empty()) {
        what.push_str(&format!(" — {d}"));
    }
    let mut groups: Vec<(VoteRole, Vec<String>)> = Vec::new();
    for p in data["persons"].as_array().into_iter().flatten() {
        let Some(role) = p["role"].as_str().and_then(VoteRole::from_code) else { continue };
        let name = p["name"].as_str().unwrap_or("?").to_owned();
        match groups.iter_mut().find(|(r, _)| *r == role) {
            Some((_, names)) => names.push(name),
            None => groups.push((role, vec![name])),
        }
    }
    let people: Vec<String> = groups
        .iter()
        .map(|(r, names)| format!("{} {}", r.label(subject).to_lowercase(), names.join(", ")))
        .collect();
    if !people.is_empty() {
        what.push_str(&format!(": {}", people.join("; ")));
    }
    let n = |k: &str| data[k].as_u64().map_or("?".to_owned(), |n| n.to_string());
    let abstain = data["abstain"].as_u64().map(|a| format!(", {a} không biểu quyết")).unwrap_or_default();
    format!(
        "{who} ghi biểu quyết của đại hội — {what}: {} tán thành, {} không tán thành{abstain} trên {} người có mặt.",
        n("for"),
        n("against"),
        n("present")
    )
}
