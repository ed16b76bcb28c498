//! The body of a result package, schema `baucu.result-package/1`.
//!
//! Every struct refuses unknown fields and every enumerated value is read through its code
//! ([`crate::codes`]), so a package either parses into these types exactly or is refused with the
//! field that failed. [`Package::check`] then checks what types cannot say: references between parts,
//! totals that must add up, percentages that must be the engine's.

use baucu_rules::Percent;
use baucu_rules::assembly::{AssemblyKind, Exclusion, Level};
use baucu_rules::ballot::InvalidReason;
use baucu_rules::election::{Body, Purpose};
use baucu_rules::outcome::{NextStep, Outcome};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// A result package body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Package {
    /// Always [`crate::SCHEMA`] for this build.
    pub schema: String,
    /// The unit's code in the superior's tree of units (`Mã đơn vị`), as set on the node.
    pub unit_code: String,
    /// 1 for the first export of the congress; each export whose content changed (a round reopened
    /// and closed again) takes the next number.
    pub version: u32,
    /// The version this one replaces, with its digest; `None` for version 1.
    pub supersedes: Option<Supersedes>,
    pub exported_at: jiff::Timestamp,
    /// The program that wrote the package (`baucu 0.1.0`).
    pub producer: String,
    pub congress: Congress,
    pub assemblies: Vec<AssemblyBase>,
    pub elections: Vec<Election>,
    /// Every person who stood in a round of the package, with the facts the statistics need.
    pub people: Vec<Person>,
    /// Who was elected to what, from the closing records.
    pub elected: Vec<Elected>,
    pub plan: Vec<PlanBody>,
    /// The node's audit chain at export: the sequence number and hash of its last entry.
    pub audit: AuditHead,
    /// The PDF summary for people, base64.
    pub summary_pdf: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Supersedes {
    pub version: u32,
    /// SHA-256 of the superseded version's body, 64 hex digits.
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Congress {
    /// "Đại hội đại biểu Đảng bộ xã An Bình lần thứ XXV, nhiệm kỳ 2025–2030".
    pub name: String,
    /// The party organisation ("Đảng bộ xã An Bình").
    pub organisation: String,
    #[serde(with = "crate::codes")]
    pub level: Level,
    #[serde(with = "crate::codes")]
    pub kind: AssemblyKind,
    pub term: String,
    pub place: String,
    /// The regulation in force ("190-QD/TW").
    pub regulation: String,
    pub opened_on: Option<jiff::civil::Date>,
    /// The day the last round closed (the congress's closing, from which § 8's deadlines run).
    pub closed_on: jiff::civil::Date,
    /// The secretary was elected directly by the congress.
    pub direct_secretary: bool,
}

/// One assembly that voted (the congress, the first plenum, the inspection committee's meeting) and
/// its base as the last round it held recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssemblyBase {
    /// Unique within the package ("congress", "plenum-committee", "meeting-inspection").
    pub key: String,
    pub heading: String,
    #[serde(with = "crate::codes")]
    pub kind: AssemblyKind,
    pub summoned: u32,
    pub present: u32,
    pub exclusions: Vec<ExclusionCount>,
    pub base: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExclusionCount {
    #[serde(with = "crate::codes")]
    pub kind: Exclusion,
    pub count: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Election {
    #[serde(with = "crate::codes")]
    pub body: Body,
    /// The [`AssemblyBase::key`] of the assembly that held it.
    pub assembly: String,
    pub seats: u32,
    pub alternate_seats: u32,
    pub rounds: Vec<Round>,
}

/// One closed round, from the node's result record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Round {
    pub number: u32,
    #[serde(with = "crate::codes")]
    pub purpose: Purpose,
    pub closed_at: jiff::Timestamp,
    pub base: u32,
    pub threshold: u64,
    pub issued: u64,
    pub collected: u64,
    pub valid: u64,
    pub invalid: u64,
    pub invalid_reasons: Vec<ReasonCount>,
    /// In ballot order.
    pub lines: Vec<Line>,
    #[serde(with = "crate::codes")]
    pub next_step: NextStep,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReasonCount {
    #[serde(with = "crate::codes")]
    pub reason: InvalidReason,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Line {
    /// A [`Person::id`] of this package.
    pub person: u32,
    pub votes: u64,
    /// Percentage of the round's base, in hundredths (8750 = 87.50 %).
    pub percent_of_base: u64,
    #[serde(with = "crate::codes")]
    pub outcome: Outcome,
}

/// A person who stood, with the composition facts of `rules.md` § 9 (from the node's roster).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    /// Numbered 1, 2, … within the package; not the node's id, and nothing that links to a ballot.
    pub id: u32,
    pub name: String,
    pub female: bool,
    pub birth_year: Option<i32>,
    /// Under 35 on the congress's opening day, as the engine's composition counts it.
    pub under_35: bool,
    pub ethnicity: String,
    pub ethnic_minority: bool,
    pub religion: String,
    pub religious: bool,
    pub education: String,
    pub theory: String,
}

/// Someone elected to a body (or as an alternate delegate).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Elected {
    pub person: u32,
    #[serde(with = "crate::codes")]
    pub body: Body,
    pub alternate: bool,
    /// The round (of this body's election) whose record elected them.
    pub round: u32,
    pub votes: u64,
    /// Hundredths of the base of the round in which they passed the majority.
    pub percent_of_base: u64,
    /// First time on this body.
    pub first_time: bool,
}

/// A body's personnel plan and how the result departed from it (advice, as the node showed it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanBody {
    #[serde(with = "crate::codes")]
    pub body: Body,
    pub seats: Option<u32>,
    pub targets: Vec<PlanTarget>,
    /// Each departure as the node's round page worded it.
    pub departures: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanTarget {
    /// "Nữ", "Dưới 35 tuổi", …
    pub label: String,
    pub planned: u32,
    pub achieved: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditHead {
    pub seq: i64,
    /// 64 hex digits; empty for a node whose chain is empty.
    pub hash: String,
}

/// The longest text any field may hold, in bytes.
const MAX_TEXT: usize = 2_000;
/// At most this many of each list.
const MAX_ITEMS: usize = 20_000;

fn is_hex64(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A unit code: 1–32 characters of `A–Z a–z 0–9 . _ -`.
pub fn valid_unit_code(code: &str) -> bool {
    (1..=32).contains(&code.len())
        && code.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

type Problem = (String, String);

fn problem(field: impl Into<String>, what: impl Into<String>) -> Problem {
    (field.into(), what.into())
}

impl Package {
    /// Checks what the types cannot: references, totals, percentages, bounds. The error names the
    /// field (as a path like `elections[2].rounds[0].lines[3].person`) and the problem in Vietnamese.
    pub fn check(&self) -> Result<(), Problem> {
        if !valid_unit_code(&self.unit_code) {
            return Err(problem("unit_code", "mã đơn vị phải có 1–32 ký tự chữ, số, dấu chấm, gạch"));
        }
        if self.version == 0 {
            return Err(problem("version", "phiên bản bắt đầu từ 1"));
        }
        match &self.supersedes {
            None if self.version > 1 => {
                return Err(problem(
                    "supersedes",
                    "phiên bản sau phiên bản 1 phải ghi phiên bản nó thay thế",
                ));
            }
            Some(s) if s.version >= self.version || !is_hex64(&s.sha256) => {
                return Err(problem(
                    "supersedes",
                    "phiên bản được thay thế phải nhỏ hơn phiên bản này và có mã băm 64 chữ số hex",
                ));
            }
            _ => {}
        }
        if !self.audit.hash.is_empty() && !is_hex64(&self.audit.hash) {
            return Err(problem("audit.hash", "mã băm phải có 64 chữ số hex thường"));
        }
        let texts = [
            ("congress.name", &self.congress.name),
            ("congress.organisation", &self.congress.organisation),
            ("congress.term", &self.congress.term),
            ("congress.place", &self.congress.place),
            ("congress.regulation", &self.congress.regulation),
            ("producer", &self.producer),
        ];
        for (field, text) in texts {
            if text.len() > MAX_TEXT {
                return Err(problem(field, "quá dài"));
            }
        }
        if self.congress.name.trim().is_empty() {
            return Err(problem("congress.name", "thiếu tên đại hội"));
        }
        for (field, n) in [
            ("assemblies", self.assemblies.len()),
            ("elections", self.elections.len()),
            ("people", self.people.len()),
            ("elected", self.elected.len()),
            ("plan", self.plan.len()),
        ] {
            if n > MAX_ITEMS {
                return Err(problem(field, format!("quá nhiều mục ({n})")));
            }
        }
        let mut keys = BTreeSet::new();
        for (i, a) in self.assemblies.iter().enumerate() {
            if a.key.is_empty() || a.key.len() > 64 || !keys.insert(a.key.as_str()) {
                return Err(problem(
                    format!("assemblies[{i}].key"),
                    "khóa hội nghị trống, quá dài hoặc trùng",
                ));
            }
            if a.heading.len() > MAX_TEXT {
                return Err(problem(format!("assemblies[{i}].heading"), "quá dài"));
            }
            let excluded: u64 = a.exclusions.iter().map(|e| u64::from(e.count)).sum();
            if u64::from(a.base) + excluded != u64::from(a.summoned) || a.present > a.base {
                return Err(problem(
                    format!("assemblies[{i}].base"),
                    "số được triệu tập trừ các trường hợp loại trừ phải bằng cơ sở B, và số có mặt không vượt B",
                ));
            }
        }
        let mut ids = BTreeSet::new();
        for (i, p) in self.people.iter().enumerate() {
            if p.id == 0 || !ids.insert(p.id) {
                return Err(problem(format!("people[{i}].id"), "mã người phải từ 1 và không trùng"));
            }
            for (field, text) in [
                ("name", &p.name),
                ("ethnicity", &p.ethnicity),
                ("religion", &p.religion),
                ("education", &p.education),
                ("theory", &p.theory),
            ] {
                if text.len() > MAX_TEXT {
                    return Err(problem(format!("people[{i}].{field}"), "quá dài"));
                }
            }
            if p.name.trim().is_empty() {
                return Err(problem(format!("people[{i}].name"), "thiếu họ tên"));
            }
        }
        for (e, election) in self.elections.iter().enumerate() {
            let at = format!("elections[{e}]");
            if !keys.contains(election.assembly.as_str()) {
                return Err(problem(format!("{at}.assembly"), "không có hội nghị này trong gói"));
            }
            let mut numbers = BTreeSet::new();
            for (r, round) in election.rounds.iter().enumerate() {
                let at = format!("{at}.rounds[{r}]");
                if round.number == 0 || !numbers.insert(round.number) {
                    return Err(problem(format!("{at}.number"), "số vòng phải từ 1 và không trùng"));
                }
                let reasons: u64 = round.invalid_reasons.iter().map(|x| x.count).sum();
                if round.valid.checked_add(round.invalid) != Some(round.collected)
                    || reasons != round.invalid
                    || round.collected > round.issued
                {
                    return Err(problem(
                        format!("{at}.collected"),
                        "phiếu hợp lệ cộng không hợp lệ phải bằng phiếu thu vào, không vượt phiếu phát ra, \
                         và các lý do cộng lại bằng số phiếu không hợp lệ",
                    ));
                }
                for (l, line) in round.lines.iter().enumerate() {
                    if !ids.contains(&line.person) {
                        return Err(problem(
                            format!("{at}.lines[{l}].person"),
                            "không có người này trong gói",
                        ));
                    }
                    let expected = Percent::of(line.votes, u64::from(round.base)).map(Percent::hundredths);
                    if line.votes > round.valid || expected != Some(line.percent_of_base) {
                        return Err(problem(
                            format!("{at}.lines[{l}].percent_of_base"),
                            "số phiếu vượt số phiếu hợp lệ, hoặc tỷ lệ không đúng so với cơ sở B",
                        ));
                    }
                }
            }
        }
        for (i, x) in self.elected.iter().enumerate() {
            if !ids.contains(&x.person) {
                return Err(problem(format!("elected[{i}].person"), "không có người này trong gói"));
            }
            let held = self
                .elections
                .iter()
                .any(|e| e.body == x.body && e.rounds.iter().any(|r| r.number == x.round));
            if !held {
                return Err(problem(format!("elected[{i}].round"), "không có vòng bầu này trong gói"));
            }
        }
        for (i, p) in self.plan.iter().enumerate() {
            if p.targets.len() > 100 || p.departures.len() > 100 {
                return Err(problem(format!("plan[{i}]"), "quá nhiều mục"));
            }
            if p.departures.iter().chain(p.targets.iter().map(|t| &t.label)).any(|t| t.len() > MAX_TEXT) {
                return Err(problem(format!("plan[{i}]"), "quá dài"));
            }
        }
        if self.summary_pdf.is_empty() {
            return Err(problem("summary_pdf", "thiếu bản tóm tắt PDF"));
        }
        Ok(())
    }
}
