//! The show-of-hands votes of each assembly (biểu quyết, rules.md § 2): the congress's presidium,
//! secretariat, credentials committee, counting board (head and members, delegates of the congress;
//! the technical staff who operate the machines listed apart, by name), the seats of a body, the
//! election list, a withdrawal, and any other procedural decision; and the same votes of a first
//! plenum (its counting board, the seats, the list, withdrawals …), whose persons are the plenum's
//! members. Each vote is taken at its assembly's latest sitting (the assembly follows from the
//! sitting), states its counts, bounded by those present there, and who recorded it and when. The
//! latest vote on the counting board of a round's assembly is the board a closing freezes into the
//! round's record (`counting::result::board_now`).

use crate::attendance::{
    SittingAssembly, assembly_of, by_election_heading, is_by_election, plenum_members_of, summoned_of,
};
use crate::elections::Election;
use crate::{Actor, App, AppError, FieldProblem, Permission};
use baucu_rules::assembly::AssemblyKind;
use baucu_rules::case::{BoardMember, BoardRole};
use baucu_rules::election::Body;
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
    /// The assembly that voted: that of the sitting the vote was taken at.
    #[serde(serialize_with = "assembly_code")]
    pub assembly: SittingAssembly,
    /// How pages name that assembly.
    pub assembly_label: String,
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

fn assembly_code<S: serde::Serializer>(a: &SittingAssembly, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&a.code())
}

/// The assembly a code names (`congress`, `plenum:committee`, `plenum:inspection_committee`); the
/// congress when the code is empty (the page's default); an unknown code is refused.
pub fn parse_assembly(code: &str) -> Result<SittingAssembly, AppError> {
    match code.trim() {
        "" => Ok(SittingAssembly::Congress),
        code => SittingAssembly::from_code(code)
            .ok_or_else(|| AppError::invalid("assembly", format!("Không có hội nghị \"{code}\"."))),
    }
}

/// The assembly that holds an election of `body` whose assembly is of `kind`: the congress (on a
/// by-election node, the node's own plenum, whose sittings are the congress's), or the first plenum
/// of the body whose members elect `body`.
pub(crate) fn election_assembly(
    c: &Connection,
    kind: AssemblyKind,
    body: Body,
) -> Result<SittingAssembly, AppError> {
    Ok(if kind == AssemblyKind::Plenum && !is_by_election(c)? {
        SittingAssembly::Plenum(plenum_members_of(body))
    } else {
        SittingAssembly::Congress
    })
}

/// How pages name an assembly: "Đại hội", the plenum's label, or a by-election node's heading.
fn assembly_label(c: &Connection, which: SittingAssembly) -> Result<String, AppError> {
    if which == SittingAssembly::Congress
        && let Some(r) = baucu_store::congress::get(c)?
        && r.assembly_kind == AssemblyKind::Plenum.code()
    {
        return Ok(by_election_heading(&r.name, &r.organisation, &r.term));
    }
    Ok(which.label().to_owned())
}

/// A vote to record, every field parsed (see [`VoteRequest::from_form`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoteRequest {
    /// The assembly that votes (the congress unless a plenum is chosen).
    pub assembly: SittingAssembly,
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

/// Who an assembly counts present at its latest sitting, and those it may elect (the congress's
/// delegates summoned and counted in its base; a plenum's members), from the engine's assembly.
struct Sitting {
    id: i64,
    name: String,
    present: u32,
    delegates: BTreeMap<i64, String>,
}

fn latest_sitting(c: &Connection, which: SittingAssembly) -> Result<Option<Sitting>, AppError> {
    let Some(sitting) = persons::sittings_of(c, &which.code())?.last().cloned() else { return Ok(None) };
    let (kind, people, attended) = summoned_of(c, which)?;
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

/// The assembly of every sitting, by the sitting's id.
fn sitting_assemblies(c: &Connection) -> Result<BTreeMap<i64, SittingAssembly>, AppError> {
    persons::all_sittings(c)?
        .into_iter()
        .map(|s| {
            let which = SittingAssembly::from_code(&s.assembly)
                .ok_or_else(|| AppError::damaged("Dữ liệu phiên họp", "hội nghị"))?;
            Ok((s.id, which))
        })
        .collect()
}

fn vote_from_row(
    c: &Connection,
    sittings: &BTreeMap<i64, SittingAssembly>,
    r: VoteRow,
) -> Result<Vote, AppError> {
    let assembly = *sittings.get(&r.sitting_id).ok_or_else(|| damaged("phiên họp"))?;
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
        assembly,
        assembly_label: assembly_label(c, assembly)?,
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

/// The counting board `which` assembly elected in its latest vote on it: the head first, then the
/// members in the order voted (technical staff are not members). `None` when no such vote exists.
pub(crate) fn voted_board(
    c: &Connection,
    which: SittingAssembly,
) -> Result<Option<Vec<BoardMember>>, AppError> {
    let Some(row) = db::latest_at(c, Subject::CountingBoard.code(), &which.code())? else { return Ok(None) };
    let vote = vote_from_row(c, &sitting_assemblies(c)?, row)?;
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
            const SINGLE: [&str; 10] = [
                "assembly",
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
        let assembly = match parse_assembly(get("assembly")) {
            Ok(a) => Some(a),
            Err(AppError::Invalid(mut p)) => {
                problems.append(&mut p);
                None
            }
            Err(e) => return Err(e),
        };
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
        match (assembly, subject, votes_for, votes_against) {
            (Some(assembly), Some(subject), Some(votes_for), Some(votes_against)) if problems.is_empty() => {
                Ok(VoteRequest {
                    assembly,
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
                })
            }
            _ => Err(AppError::Invalid(problems)),
        }
    }
}

/// What the vote page shows besides the votes: the assemblies that may vote, the chosen one's latest
/// sitting, who is present at it, and those who may be elected (its delegates, or a plenum's members).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VoteSetting {
    /// The chosen assembly's code and label.
    pub assembly: (String, String),
    /// Every assembly that may vote (code, label): the congress, then each plenum summoned.
    pub assemblies: Vec<(String, String)>,
    /// The ids of the elections the chosen assembly holds (its votes on seats, lists, withdrawals).
    pub elections: Vec<i64>,
    pub sitting: Option<(i64, String)>,
    pub present: u32,
    /// (person id, full name), in roster order.
    pub delegates: Vec<(i64, String)>,
}

impl App {
    /// The votes of every assembly in the order recorded.
    pub async fn votes(&self, actor: &Actor) -> Result<Vec<Vote>, AppError> {
        actor.require(Permission::ViewSetup)?;
        self.read(|c| {
            let sittings = sitting_assemblies(c)?;
            db::all(c)?.into_iter().map(|r| vote_from_row(c, &sittings, r)).collect()
        })
        .await
    }

    /// The assemblies that may vote, and for `which` of them: its latest sitting, those present at
    /// it, and the persons a vote may elect.
    pub async fn vote_setting(&self, actor: &Actor, which: SittingAssembly) -> Result<VoteSetting, AppError> {
        actor.require(Permission::ViewSetup)?;
        self.read(move |c| {
            let mut assemblies = vec![SittingAssembly::Congress];
            if !is_by_election(c)? {
                for body in SittingAssembly::PLENUM_BODIES {
                    let plenum = SittingAssembly::Plenum(body);
                    if !persons::sittings_of(c, &plenum.code())?.is_empty() {
                        assemblies.push(plenum);
                    }
                }
            }
            if !assemblies.contains(&which) {
                return Err(AppError::Conflict(format!(
                    "Chưa triệu tập {}: triệu tập hội nghị ở trang Điểm danh trước.",
                    which.label().to_lowercase()
                )));
            }
            let assemblies = assemblies
                .into_iter()
                .map(|a| Ok((a.code(), assembly_label(c, a)?)))
                .collect::<Result<Vec<_>, AppError>>()?;
            let assembly = (which.code(), assembly_label(c, which)?);
            let mut elections = Vec::new();
            for row in edb::all(c)? {
                let e = Election::from_row(&row)?;
                if election_assembly(c, e.assembly_kind, e.body)? == which {
                    elections.push(e.id);
                }
            }
            Ok(match latest_sitting(c, which)? {
                Some(s) => VoteSetting {
                    assembly,
                    assemblies,
                    elections,
                    sitting: Some((s.id, s.name)),
                    present: s.present,
                    delegates: s.delegates.into_iter().collect(),
                },
                None => VoteSetting {
                    assembly,
                    assemblies,
                    elections,
                    sitting: None,
                    present: 0,
                    delegates: Vec::new(),
                },
            })
        })
        .await
    }

    /// Records a show-of-hands vote of an assembly (the congress, or a plenum summoned), taken at its
    /// latest sitting: the counts may not exceed those present there; the persons it elects are
    /// delegates of the congress (counted in its base) or members of the plenum, the person
    /// withdrawing one on the election's list; an election it concerns is one that assembly holds.
    /// Audited as `vote.record`.
    pub async fn record_vote(&self, actor: &Actor, req: VoteRequest) -> Result<i64, AppError> {
        actor.require(Permission::TakeAttendance)?;
        let (at, who) = (self.now().to_string(), actor.username.clone());
        self.act(actor, "vote.record", move |c| {
            let sitting = latest_sitting(c, req.assembly)?.ok_or_else(|| match req.assembly {
                SittingAssembly::Congress => AppError::Conflict(
                    "Chưa có phiên họp nào: tạo phiên họp và điểm danh trước khi ghi biểu quyết.".into(),
                ),
                SittingAssembly::Plenum(_) => AppError::Conflict(format!(
                    "Chưa triệu tập {}: triệu tập hội nghị và điểm danh ở trang Điểm danh trước khi ghi biểu quyết.",
                    req.assembly.label().to_lowercase()
                )),
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
            if let Some(e) = &election {
                let held_at = election_assembly(c, e.assembly_kind, e.body)?;
                if held_at != req.assembly {
                    return Err(AppError::invalid(
                        "election_id",
                        format!(
                            "Cuộc bầu \"{}\" do {} tiến hành, không phải {}: chọn đúng hội nghị biểu quyết.",
                            e.title(),
                            assembly_label(c, held_at)?,
                            assembly_label(c, req.assembly)?
                        ),
                    ));
                }
            }
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
                        let why = match req.assembly {
                            SittingAssembly::Plenum(body) => format!(
                                "{name} không phải ủy viên {} vừa được bầu, không phải thành viên của {}.",
                                baucu_rules::messages::body(body),
                                req.assembly.label()
                            ),
                            SittingAssembly::Congress if is_by_election(c)? => format!(
                                "{name} không phải ủy viên được triệu tập và tính vào số làm căn cứ của hội nghị."
                            ),
                            SittingAssembly::Congress => format!(
                                "{name} không phải đại biểu (đảng viên chính thức) được tính vào số làm căn cứ của đại hội."
                            ),
                        };
                        return Err(AppError::invalid("member", why));
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
                    "assembly": req.assembly.code(),
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
    // Votes recorded before assemblies had votes of their own are the congress's.
    let of = match data["assembly"].as_str().map(SittingAssembly::from_code) {
        None | Some(Some(SittingAssembly::Congress)) => "đại hội".to_owned(),
        Some(Some(plenum)) => plenum.label().to_owned(),
        Some(None) => "một hội nghị không rõ".to_owned(),
    };
    let Some(subject) = subject else {
        return format!("{who} ghi một biểu quyết của {of} (nội dung không rõ).");
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
        "{who} ghi biểu quyết của {of} — {what}: {} tán thành, {} không tán thành{abstain} trên {} người có mặt.",
        n("for"),
        n("against"),
        n("present")
    )
}
