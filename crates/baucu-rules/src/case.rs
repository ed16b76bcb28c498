//! The JSON contract of `baucu evaluate` (`evaluate.md`): a *case* in, an *answer* out.
//!
//! Parsing turns the document into the engine's checked types (names normalised, assembly and
//! election checked, every ballot read into a [`Tally`] as it is met, so a case of millions of ballots
//! never holds them all as records), and [`Case::evaluate`] computes the answer. Unknown fields are an
//! error everywhere, so a typo never passes silently; every error names the field.

use crate::assembly::{Assembly, AssemblyKind, Exclusion};
use crate::ballot::{Ballot, BallotContent, BallotEntryError, BallotFlags, Mark};
use crate::election::{Body, Election, Layout, Purpose};
use crate::error::RulesError;
use crate::list::{ListCheck, check_list};
use crate::messages;
use crate::name::{NameError, PersonName};
use crate::order::ballot_order;
use crate::outcome::{RoundResult, decide};
use crate::poll::{PollOutcome, decide_poll};
use crate::tally::Tally;
use serde::de::DeserializeOwned;
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};
use std::collections::BTreeMap;

/// The regulation a case is counted under. Both count the same way (rules.md, preamble).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Regulation {
    #[default]
    #[serde(rename = "190-QD/TW")]
    Decision190,
    #[serde(rename = "244-QD/TW")]
    Decision244,
}

/// Optional description of the congress and the round, used by the commands that print documents.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    pub congress: Option<String>,
    pub organisation: Option<String>,
    pub term: Option<String>,
    pub place: Option<String>,
    /// ISO 8601 date, `2025-05-20`.
    pub date: Option<String>,
    pub time: Option<String>,
    pub round: Option<u32>,
    #[serde(default)]
    pub counting_board: Vec<BoardMember>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoardMember {
    pub name: String,
    pub role: BoardRole,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BoardRole {
    Head,
    Member,
}

// ---------------------------------------------------------------------------------------------
// Input documents, exactly as evaluate.md writes them.

#[derive(Deserialize)]
struct KindProbe {
    kind: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RoundIn {
    #[serde(rename = "kind")]
    _kind: String,
    #[serde(default)]
    regulation: Regulation,
    #[serde(default)]
    meta: Meta,
    assembly: AssemblyIn,
    election: ElectionIn,
    ballots_issued: u32,
    ballots: Vec<BallotIn>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AssemblyIn {
    #[serde(rename = "type")]
    kind: AssemblyKind,
    summoned: u32,
    present: u32,
    #[serde(default)]
    excluded: BTreeMap<String, u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ElectionIn {
    body: Body,
    #[serde(default)]
    purpose: Purpose,
    seats: u32,
    #[serde(default)]
    alternate_seats: u32,
    candidates: Vec<String>,
}

fn one() -> u32 {
    1
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BallotIn {
    struck: Option<Vec<u32>>,
    marks: Option<Vec<Mark>>,
    #[serde(default = "one")]
    count: u32,
    #[serde(default)]
    not_issued: bool,
    #[serde(default)]
    write_in: bool,
    #[serde(default)]
    signed: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeatsIn {
    body: Body,
    seats: u32,
    #[serde(default)]
    alternate_seats: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListIn {
    #[serde(rename = "kind")]
    _kind: String,
    #[serde(default)]
    regulation: Regulation,
    #[serde(default)]
    meta: Meta,
    election: SeatsIn,
    list_size: u32,
    convening_list_size: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PollIn {
    #[serde(rename = "kind")]
    _kind: String,
    #[serde(default)]
    regulation: Regulation,
    #[serde(default)]
    meta: Meta,
    present: u32,
    election: SeatsIn,
    convening_list_size: u32,
    nominees: Vec<NomineeIn>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NomineeIn {
    name: String,
    agree: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OrderIn {
    #[serde(rename = "kind")]
    _kind: String,
    #[serde(default)]
    regulation: Regulation,
    #[serde(default)]
    meta: Meta,
    names: Vec<String>,
}

// ---------------------------------------------------------------------------------------------
// Parsed cases: the engine's own types.

/// A round to count, its ballots already tallied.
#[derive(Debug, Clone)]
pub struct RoundCase {
    pub regulation: Regulation,
    pub meta: Meta,
    pub assembly: Assembly,
    pub election: Election,
    pub issued: u64,
    pub tally: Tally,
}

#[derive(Debug, Clone)]
pub struct ListCase {
    pub regulation: Regulation,
    pub meta: Meta,
    pub body: Body,
    pub seats: u32,
    pub alternate_seats: u32,
    pub list_size: u64,
    pub convening_list_size: Option<u64>,
}

#[derive(Debug, Clone)]
pub struct PollCase {
    pub regulation: Regulation,
    pub meta: Meta,
    pub present: u32,
    pub body: Body,
    pub seats: u32,
    pub alternate_seats: u32,
    pub convening_list_size: u64,
    pub nominees: Vec<(PersonName, u32)>,
}

#[derive(Debug, Clone)]
pub struct OrderCase {
    pub regulation: Regulation,
    pub meta: Meta,
    pub names: Vec<PersonName>,
}

#[derive(Debug, Clone)]
pub enum Case {
    Round(RoundCase),
    List(ListCase),
    Poll(PollCase),
    Order(OrderCase),
}

/// Reads a case and computes its answer.
pub fn evaluate(input: &[u8]) -> Result<Answer, RulesError> {
    parse(input)?.evaluate()
}

/// Reads and checks a case document.
pub fn parse(input: &[u8]) -> Result<Case, RulesError> {
    // The byte order mark Notepad on Windows writes at the start of a UTF-8 file says nothing.
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    let first = input.iter().copied().find(|b| !b.is_ascii_whitespace());
    if first != Some(b'{') {
        // Also refuses an array that serde would read as a struct.
        return Err(RulesError::input("(gốc)", "tài liệu phải là một đối tượng JSON { … }"));
    }
    let probe: KindProbe = from_json(input)?;
    match probe.kind.as_deref() {
        Some("round") => parse_round(from_json(input)?).map(Case::Round),
        Some("list") => parse_list(from_json(input)?).map(Case::List),
        Some("poll") => parse_poll(from_json(input)?).map(Case::Poll),
        Some("order") => parse_order(from_json(input)?).map(Case::Order),
        Some(other) => Err(RulesError::input(
            "kind",
            format!("loại \"{other}\" không có; phải là \"round\", \"list\", \"poll\" hoặc \"order\""),
        )),
        None => Err(RulesError::input("kind", "thiếu trường \"kind\"")),
    }
}

/// Deserialises the whole document, naming the field of the first error.
fn from_json<T: DeserializeOwned>(input: &[u8]) -> Result<T, RulesError> {
    let mut de = serde_json::Deserializer::from_slice(input);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = match e.path().to_string() {
            p if p == "." => String::new(),
            p => p,
        };
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            let problem = format!("JSON sai cú pháp ở dòng {}, cột {}", inner.line(), inner.column());
            return RulesError::input(if path.is_empty() { "(gốc)".to_owned() } else { path }, problem);
        }
        let (field, problem) = translate_serde(&path, &inner.to_string());
        RulesError::input(field, problem)
    })?;
    de.end().map_err(|e| {
        RulesError::input(
            "(gốc)",
            format!("còn dữ liệu thừa sau tài liệu JSON ở dòng {}, cột {}", e.line(), e.column()),
        )
    })?;
    Ok(value)
}

/// serde's data errors come in a handful of English shapes; say them in Vietnamese, and name a missing
/// field by its own path rather than its parent's.
fn translate_serde(path: &str, message: &str) -> (String, String) {
    let message = message.split(" at line ").next().unwrap_or(message);
    let quoted = |m: &str| m.split('`').nth(1).unwrap_or_default().to_owned();
    let join = |parent: &str, child: &str| {
        if parent.is_empty() { child.to_owned() } else { format!("{parent}.{child}") }
    };
    let field = if path.is_empty() { "(gốc)".to_owned() } else { path.to_owned() };
    if let Some(rest) = message.strip_prefix("missing field ") {
        (join(path, &quoted(rest)), "thiếu trường bắt buộc".to_owned())
    } else if let Some(rest) = message.strip_prefix("unknown field ") {
        let allowed = rest.split_once("expected ").map_or("", |(_, a)| a);
        (field, format!("trường không được phép (gõ sai tên?); các trường hợp lệ: {allowed}"))
    } else if let Some(rest) = message.strip_prefix("unknown variant ") {
        let allowed = rest.split_once("expected ").map_or("", |(_, a)| a);
        (field, format!("giá trị \"{}\" không có; phải là {allowed}", quoted(rest)))
    } else if let Some(rest) = message.strip_prefix("invalid type: ") {
        let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, "?"));
        (field, format!("sai kiểu: có {found}, cần {expected}"))
    } else if let Some(rest) = message.strip_prefix("invalid value: ") {
        let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, "?"));
        (field, format!("giá trị không hợp lệ: {found}, cần {expected}"))
    } else {
        (field, message.to_owned())
    }
}

fn name(raw: &str, field: impl FnOnce() -> String) -> Result<PersonName, RulesError> {
    PersonName::parse(raw).map_err(|e| {
        let problem = match e {
            NameError::Empty => "họ và tên để trống",
            NameError::TooLong => "họ và tên quá dài",
            NameError::ControlCharacter => "họ và tên chứa ký tự điều khiển",
        };
        RulesError::input(field(), problem)
    })
}

fn parse_round(input: RoundIn) -> Result<RoundCase, RulesError> {
    let a = input.assembly;
    let mut exclusions = Vec::with_capacity(a.excluded.len());
    for (key, count) in a.excluded {
        let exclusion = Exclusion::from_code(&key)
            .ok_or(RulesError::ExclusionNotApplicable { exclusion: key, assembly: a.kind })?;
        exclusions.push((exclusion, count));
    }
    let assembly = Assembly::new(a.kind, a.summoned, a.present, &exclusions)?;

    let e = input.election;
    let candidates = e
        .candidates
        .iter()
        .enumerate()
        .map(|(i, raw)| name(raw, || format!("election.candidates[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    let election = Election::new(e.body, e.purpose, e.seats, e.alternate_seats, candidates)?;

    let mut tally = Tally::new(&election);
    for (index, b) in input.ballots.into_iter().enumerate() {
        let invalid = |problem| RulesError::InvalidBallot { index, problem };
        let content = match (b.struck, b.marks) {
            (Some(struck), None) => BallotContent::Strike(struck),
            (None, Some(marks)) => BallotContent::AgreeDisagree(marks),
            (None, None) => return Err(invalid(BallotEntryError::MissingContent)),
            (Some(_), Some(_)) => return Err(invalid(BallotEntryError::TwoContents)),
        };
        let flags = BallotFlags { not_issued: b.not_issued, write_in: b.write_in, signed: b.signed };
        tally.add(&Ballot { content, flags }, u64::from(b.count)).map_err(invalid)?;
    }
    Ok(RoundCase {
        regulation: input.regulation,
        meta: input.meta,
        assembly,
        election,
        issued: u64::from(input.ballots_issued),
        tally,
    })
}

fn parse_list(input: ListIn) -> Result<ListCase, RulesError> {
    Ok(ListCase {
        regulation: input.regulation,
        meta: input.meta,
        body: input.election.body,
        seats: input.election.seats,
        alternate_seats: input.election.alternate_seats,
        list_size: u64::from(input.list_size),
        convening_list_size: input.convening_list_size.map(u64::from),
    })
}

fn parse_poll(input: PollIn) -> Result<PollCase, RulesError> {
    let nominees = input
        .nominees
        .into_iter()
        .enumerate()
        .map(|(i, n)| Ok((name(&n.name, || format!("nominees[{i}].name"))?, n.agree)))
        .collect::<Result<Vec<_>, RulesError>>()?;
    Ok(PollCase {
        regulation: input.regulation,
        meta: input.meta,
        present: input.present,
        body: input.election.body,
        seats: input.election.seats,
        alternate_seats: input.election.alternate_seats,
        convening_list_size: u64::from(input.convening_list_size),
        nominees,
    })
}

fn parse_order(input: OrderIn) -> Result<OrderCase, RulesError> {
    let names = input
        .names
        .iter()
        .enumerate()
        .map(|(i, raw)| name(raw, || format!("names[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(OrderCase { regulation: input.regulation, meta: input.meta, names })
}

impl Case {
    pub fn evaluate(&self) -> Result<Answer, RulesError> {
        match self {
            Case::Round(c) => {
                let result = decide(&c.election, c.assembly.base(), c.issued, &c.tally)?;
                Ok(Answer::Round(RoundAnswer::new(&c.election, &result)))
            }
            Case::List(c) => {
                let check =
                    check_list(c.body, c.seats, c.alternate_seats, c.list_size, c.convening_list_size)?;
                Ok(Answer::List(ListAnswer::new(&check)))
            }
            Case::Poll(c) => {
                let agree: Vec<u32> = c.nominees.iter().map(|(_, a)| *a).collect();
                let outcome = decide_poll(
                    c.present,
                    c.body,
                    c.seats,
                    c.alternate_seats,
                    c.convening_list_size,
                    &agree,
                )?;
                Ok(Answer::Poll(PollAnswer::new(&c.nominees, &outcome)))
            }
            Case::Order(c) => Ok(Answer::Order(OrderAnswer {
                kind: "order",
                names: ballot_order(&c.names).into_iter().map(|i| c.names[i].to_string()).collect(),
            })),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Answers, field for field as evaluate.md writes them.

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Answer {
    Round(RoundAnswer),
    List(ListAnswer),
    Poll(PollAnswer),
    Order(OrderAnswer),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoundAnswer {
    pub kind: &'static str,
    pub base: u32,
    pub threshold: u64,
    pub layout: Layout,
    pub ballots: BallotsAnswer,
    pub candidates: Vec<CandidateAnswer>,
    pub elected: Vec<String>,
    pub alternates: Vec<String>,
    pub tie: Option<TieAnswer>,
    pub seats_unfilled: u32,
    pub alternate_seats_unfilled: u32,
    pub next_step: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BallotsAnswer {
    pub issued: u64,
    pub returned: u64,
    pub valid: u64,
    pub invalid: u64,
    pub invalid_by_reason: ReasonCounts,
}

/// Only the reasons that occurred, in the order of rules.md § 4.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReasonCounts(pub Vec<(&'static str, u64)>);

impl Serialize for ReasonCounts {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (code, count) in &self.0 {
            map.serialize_entry(code, count)?;
        }
        map.end()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CandidateAnswer {
    pub position: usize,
    pub name: String,
    pub votes: u64,
    pub percent_of_base: String,
    pub percent_of_valid: Option<String>,
    pub passes_threshold: bool,
    pub rank: usize,
    pub outcome: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TieAnswer {
    #[serde(rename = "for")]
    pub for_seats: &'static str,
    pub seats: u32,
    pub candidates: Vec<String>,
}

impl RoundAnswer {
    pub fn new(election: &Election, r: &RoundResult) -> Self {
        let names = election.candidates();
        let named = |indices: &[usize]| indices.iter().map(|&i| names[i].to_string()).collect::<Vec<_>>();
        RoundAnswer {
            kind: "round",
            base: r.base.get(),
            threshold: r.threshold,
            layout: r.layout,
            ballots: BallotsAnswer {
                issued: r.issued,
                returned: r.ballots.returned,
                valid: r.ballots.valid,
                invalid: r.ballots.invalid,
                invalid_by_reason: ReasonCounts(r.ballots.reasons().map(|(x, n)| (x.code(), n)).collect()),
            },
            candidates: r
                .candidates
                .iter()
                .map(|c| CandidateAnswer {
                    position: c.position,
                    name: names[c.position - 1].to_string(),
                    votes: c.votes,
                    percent_of_base: c.percent_of_base.to_string(),
                    percent_of_valid: c.percent_of_valid.map(|p| p.to_string()),
                    passes_threshold: c.passes_threshold,
                    rank: c.rank,
                    outcome: c.outcome.code(),
                })
                .collect(),
            elected: named(&r.elected),
            alternates: named(&r.alternates),
            tie: r.tie.as_ref().map(|t| TieAnswer {
                for_seats: t.for_seats.code(),
                seats: t.seats,
                candidates: named(&t.candidates),
            }),
            seats_unfilled: r.seats_unfilled,
            alternate_seats_unfilled: r.alternate_seats_unfilled,
            next_step: r.next_step.code(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListAnswer {
    pub kind: &'static str,
    pub ok: bool,
    pub min_list_size: u64,
    pub max_list_size: Option<u64>,
    pub layout: Option<Layout>,
    pub findings: Vec<FindingAnswer>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FindingAnswer {
    pub code: &'static str,
    pub severity: &'static str,
    pub message: String,
}

impl ListAnswer {
    pub fn new(check: &ListCheck) -> Self {
        ListAnswer {
            kind: "list",
            ok: check.ok(),
            min_list_size: check.bounds.min,
            max_list_size: check.bounds.max,
            layout: check.layout,
            findings: check
                .findings
                .iter()
                .map(|f| FindingAnswer {
                    code: f.code.code(),
                    severity: f.code.severity().code(),
                    message: messages::finding(f),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PollAnswer {
    pub kind: &'static str,
    pub gate: u64,
    pub included: Vec<String>,
    pub excluded: Vec<ExcludedAnswer>,
    pub tie: Option<PollTieAnswer>,
    pub list_size: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExcludedAnswer {
    pub name: String,
    pub reason: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PollTieAnswer {
    pub seats: u64,
    pub candidates: Vec<String>,
}

impl PollAnswer {
    pub fn new(nominees: &[(PersonName, u32)], p: &PollOutcome) -> Self {
        let name = |i: usize| nominees[i].0.to_string();
        PollAnswer {
            kind: "poll",
            gate: p.gate,
            included: p.included.iter().map(|&i| name(i)).collect(),
            excluded: p
                .excluded
                .iter()
                .map(|&(i, r)| ExcludedAnswer { name: name(i), reason: r.code() })
                .collect(),
            tie: p.tie.as_ref().map(|(seats, c)| PollTieAnswer {
                seats: *seats,
                candidates: c.iter().map(|&i| name(i)).collect(),
            }),
            list_size: p.list_size,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderAnswer {
    pub kind: &'static str,
    pub names: Vec<String>,
}

/// The error answer: `{"error": {"code": "...", "message": "..."}}`.
pub fn error_answer(error: &RulesError) -> serde_json::Value {
    serde_json::json!({ "error": { "code": error.code(), "message": error.message() } })
}
