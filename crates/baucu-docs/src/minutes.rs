//! The data of the count minutes, taken from the engine's assembly, election and result, and of the
//! entry journal.

use baucu_rules::assembly::{Assembly, AssemblyKind};
use baucu_rules::case::{BoardRole, Meta};
use baucu_rules::election::{Body, Election, Purpose};
use baucu_rules::outcome::{Outcome, RoundResult, TieFor};
use baucu_rules::{Percent, messages};
use serde::Serialize;

/// "Ban Chấp hành", "Bí thư", … as a title inside a sentence.
pub fn body_title(body: Body) -> String {
    match body {
        Body::Committee => "Ban Chấp hành".into(),
        Body::StandingCommittee => "Ban Thường vụ".into(),
        Body::InspectionCommittee => "Ủy ban Kiểm tra".into(),
        Body::Delegates => "đại biểu dự đại hội cấp trên".into(),
        other => messages::body(other).into(),
    }
}

/// `83,33%`: two decimals, half up (the engine's), with the Vietnamese decimal comma.
fn vn(p: Percent) -> String {
    format!("{}%", p.to_vietnamese())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BoardLine {
    pub name: String,
    pub role: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    pub label: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    pub label: String,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BallotLines {
    pub issued: u64,
    pub returned: u64,
    pub valid: u64,
    pub invalid: u64,
    pub reasons: Vec<Reason>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResultRow {
    pub position: usize,
    pub name: String,
    pub votes: u64,
    pub percent_of_base: String,
    pub percent_of_valid: String,
    pub hundredths_of_base: u64,
    pub hundredths_of_valid: Option<u64>,
    pub rank: usize,
    pub outcome: String,
    /// Agree/disagree list: the valid ballots marking the name "không đồng ý", when the record has it.
    pub disagree: Option<u64>,
}

/// Everything the count minutes state (rules.md § 7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MinutesDoc {
    pub title: String,
    pub organisation: String,
    pub congress: String,
    pub term: String,
    /// The congress with its term, the term written once: "Đại hội … lần thứ XXVI, nhiệm kỳ 2025–2030".
    pub congress_line: String,
    /// The assembly that holds the election: "Đại hội", or "Hội nghị" for a plenum (the line before
    /// `congress_line`, and whose decision the minutes state).
    pub assembly_label: String,
    /// Whether the ballot was an agree/disagree list (the table then has the "không đồng ý" column).
    pub agree_disagree: bool,
    pub place: String,
    pub place_date: Option<String>,
    pub when: Option<String>,
    pub time: String,
    pub heading: String,
    pub round_label: String,
    pub seats: u32,
    pub alternate_seats: u32,
    pub board: Vec<BoardLine>,
    pub candidates: Vec<String>,
    pub base_lines: Vec<Line>,
    pub base: u32,
    pub threshold: u64,
    pub ballots: BallotLines,
    pub rows: Vec<ResultRow>,
    pub elected: Vec<ResultRow>,
    pub alternates: Vec<ResultRow>,
    /// Ties and unfilled seats, in sentences.
    pub notes: Vec<String>,
    pub decision: Option<String>,
    /// The head of the node's audit chain when the round closed (hex), printed so that the signed
    /// paper anchors the data file (`baucu audit verify --expect-head`).
    pub chain_head: Option<String>,
    /// Each reopening of the round before this result, as one sentence ("Lần bầu đã được mở lại lúc
    /// … bởi …, lý do: …").
    pub reopenings: Vec<String>,
}

fn vn_date(iso: &str) -> Option<String> {
    let parts: Vec<&str> = iso.split('-').collect();
    match parts.as_slice() {
        [y, m, d] if y.len() == 4 => Some(format!("ngày {d} tháng {m} năm {y}")),
        _ => None,
    }
}

/// Letters and digits only, lower case, every dash alike: how a term is looked for in a name.
fn fold(text: &str) -> String {
    text.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// The congress and its term as the minutes state them, the term once: the term is added after the
/// name ("…, nhiệm kỳ 2025–2030") unless the name already states it, and a term typed with its
/// "nhiệm kỳ" is not given a second one.
pub fn congress_line(name: &str, term: &str) -> String {
    let name = name.trim();
    let term = term.trim();
    let bare = term
        .strip_prefix("nhiệm kỳ")
        .or_else(|| term.strip_prefix("Nhiệm kỳ"))
        .or_else(|| term.strip_prefix("NHIỆM KỲ"))
        .map(str::trim_start)
        .unwrap_or(term);
    if bare.is_empty() || fold(name).contains(&fold(bare)) {
        return name.to_owned();
    }
    if name.is_empty() {
        return format!("Nhiệm kỳ {bare}");
    }
    format!("{name}, nhiệm kỳ {bare}")
}

fn outcome_label(o: Outcome) -> &'static str {
    match o {
        Outcome::Elected => "Trúng cử",
        Outcome::Alternate => "Dự khuyết",
        Outcome::Tied => "Bằng phiếu",
        Outcome::NotElected => "Không trúng cử",
    }
}

impl MinutesDoc {
    /// The minutes of a round from the engine's own values. `decision` is what the congress decided
    /// after a tie or unfilled seats, when it has.
    pub fn from_engine(
        meta: &Meta,
        assembly: &Assembly,
        election: &Election,
        result: &RoundResult,
        decision: Option<String>,
    ) -> Self {
        let names: Vec<String> = election.candidates().iter().map(ToString::to_string).collect();
        let who = match assembly.kind() {
            AssemblyKind::DelegatesCongress => "đại biểu chính thức",
            AssemblyKind::MembersCongress => "đảng viên chính thức",
            AssemblyKind::Plenum => "ủy viên",
        };
        let mut base_lines = vec![Line {
            label: format!("Tổng số {who} được triệu tập"),
            value: assembly.summoned().to_string(),
        }];
        for &(e, n) in assembly.exclusions() {
            base_lines
                .push(Line { label: format!("Trừ {}", messages::exclusion(e)), value: n.to_string() });
        }
        // rules.md § 7: summoned, each exclusion, present and absent, then B.
        base_lines
            .push(Line { label: format!("Số {who} có mặt"), value: assembly.present().to_string() });
        base_lines
            .push(Line { label: format!("Số {who} vắng mặt"), value: assembly.absent().to_string() });
        base_lines.push(Line {
            label: "Số làm căn cứ tính kết quả bầu cử".into(),
            value: assembly.base().get().to_string(),
        });
        let rows: Vec<ResultRow> = result
            .candidates
            .iter()
            .map(|c| ResultRow {
                position: c.position,
                name: names[c.position - 1].clone(),
                votes: c.votes,
                percent_of_base: vn(c.percent_of_base),
                percent_of_valid: c.percent_of_valid.map(vn).unwrap_or_else(|| "—".into()),
                hundredths_of_base: c.percent_of_base.hundredths(),
                hundredths_of_valid: c.percent_of_valid.map(Percent::hundredths),
                rank: c.rank,
                outcome: outcome_label(c.outcome).into(),
                disagree: None,
            })
            .collect();
        let pick = |indices: &[usize]| indices.iter().map(|&i| rows[i].clone()).collect::<Vec<_>>();
        let mut notes = Vec::new();
        if let Some(tie) = &result.tie {
            let tied: Vec<&str> = tie.candidates.iter().map(|&i| names[i].as_str()).collect();
            let what = if tie.for_seats == TieFor::Alternate {
                "đại biểu dự khuyết"
            } else {
                "người trúng cử"
            };
            notes.push(format!(
                "Các đồng chí {} bằng phiếu nhau cho {} chỗ {} còn lại: bầu lại giữa những người bằng phiếu.",
                tied.join(", "),
                tie.seats,
                what
            ));
        }
        if result.seats_unfilled > 0 {
            notes.push(format!(
                "Còn {} chỗ chưa bầu đủ (không có thêm người được quá một nửa số phiếu).",
                result.seats_unfilled
            ));
        }
        if result.alternate_seats_unfilled > 0 {
            notes
                .push(format!("Còn {} chỗ đại biểu dự khuyết chưa bầu đủ.", result.alternate_seats_unfilled));
        }
        let round = meta.round.unwrap_or(1);
        let round_label = match election.purpose() {
            Purpose::Regular => format!("Lần bầu thứ {round}"),
            Purpose::TieBreak => format!("Lần bầu thứ {round} (bầu lại giữa những người bằng phiếu)"),
            Purpose::Alternates => format!("Lần bầu thứ {round} (bầu đại biểu dự khuyết)"),
        };
        let heading = match election.purpose() {
            Purpose::Alternates => "Bầu đại biểu dự khuyết dự đại hội cấp trên".into(),
            _ => format!("Bầu {}", body_title(election.body())),
        };
        let mut board: Vec<BoardLine> = meta
            .counting_board
            .iter()
            .map(|m| BoardLine {
                name: m.name.clone(),
                role: if m.role == BoardRole::Head {
                    "Trưởng ban kiểm phiếu".into()
                } else {
                    "Thành viên ban kiểm phiếu".into()
                },
            })
            .collect();
        board.sort_by_key(|b| !b.role.starts_with("Trưởng"));
        let date = meta.date.as_deref().and_then(vn_date);
        let place = meta.place.clone().unwrap_or_default();
        MinutesDoc {
            title: format!("Biên bản kiểm phiếu — {heading}"),
            organisation: meta.organisation.clone().unwrap_or_default(),
            congress: meta.congress.clone().unwrap_or_default(),
            term: meta.term.clone().unwrap_or_default(),
            congress_line: congress_line(
                meta.congress.as_deref().unwrap_or_default(),
                meta.term.as_deref().unwrap_or_default(),
            ),
            assembly_label: match assembly.kind() {
                AssemblyKind::Plenum => "Hội nghị".into(),
                AssemblyKind::MembersCongress | AssemblyKind::DelegatesCongress => "Đại hội".into(),
            },
            agree_disagree: result.layout == baucu_rules::election::Layout::AgreeDisagree,
            place_date: date
                .as_ref()
                .map(|d| if place.is_empty() { d.clone() } else { format!("{place}, {d}") }),
            when: date.map(|d| match &meta.time {
                Some(t) => format!("{t}, {d}"),
                None => d,
            }),
            place,
            time: meta.time.clone().unwrap_or_default(),
            heading,
            round_label,
            seats: election.seats(),
            alternate_seats: election.alternate_seats(),
            board,
            candidates: names.clone(),
            base_lines,
            base: result.base.get(),
            threshold: result.threshold,
            ballots: BallotLines {
                issued: result.issued,
                returned: result.ballots.returned,
                valid: result.ballots.valid,
                invalid: result.ballots.invalid,
                reasons: result
                    .ballots
                    .reasons()
                    .map(|(r, n)| Reason { label: messages::invalid_reason(r).into(), count: n })
                    .collect(),
            },
            elected: pick(&result.elected),
            alternates: pick(&result.alternates),
            rows,
            notes,
            decision,
            chain_head: None,
            reopenings: Vec::new(),
        }
    }
}

impl MinutesDoc {
    /// Sets each candidate's "không đồng ý" count of an agree/disagree round, in ballot order, as the
    /// round's record holds it (`None` for a name the record has no count for). Does nothing on a
    /// strike list, or when the counts do not match the list.
    pub fn with_disagree(mut self, counts: &[Option<u64>]) -> Self {
        if !self.agree_disagree || counts.len() != self.rows.len() {
            return self;
        }
        for (row, &n) in self.rows.iter_mut().zip(counts) {
            row.disagree = n;
        }
        for row in self.elected.iter_mut().chain(self.alternates.iter_mut()) {
            row.disagree = counts.get(row.position - 1).copied().flatten();
        }
        self
    }
}

/// One line of a journal: the audit entry's number (empty in a round's journal), the local time,
/// who, and what was done in one Vietnamese sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JournalRow {
    pub seq: String,
    pub at: String,
    pub actor: String,
    pub sentence: String,
}

/// A journal as a document: a round's ballot-entry journal, or the (filtered) audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JournalDoc {
    /// The PDF's title.
    pub title: String,
    /// The heading printed in capitals: "NHẬT KÝ NHẬP PHIẾU", "NHẬT KÝ THAO TÁC".
    pub caption: String,
    pub organisation: String,
    /// The line under it: the round, or the filters.
    pub heading: String,
    /// What the times are in: "giờ Việt Nam (UTC+7)".
    pub zone: String,
    /// Whether the lines carry the audit entry's number.
    pub numbered: bool,
    pub rows: Vec<JournalRow>,
}

/// One person on the list of the elected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ElectedRow {
    pub name: String,
    pub birth: String,
    pub sex: String,
    pub ethnicity: String,
    pub religion: String,
    pub education: String,
    pub theory: String,
    pub first_time: bool,
    pub votes: u64,
    pub percent: String,
    pub hundredths: u64,
    pub alternate: bool,
}

/// One line of the composition of a body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatLine {
    pub label: String,
    pub count: u64,
    pub percent: String,
    pub hundredths: u64,
}

impl StatLine {
    /// `count` of `total`, with the engine's percentage (half up, Vietnamese comma).
    pub fn new(label: impl Into<String>, count: u64, total: u64) -> Self {
        let p = Percent::of(count, total).unwrap_or(Percent::ZERO);
        StatLine { label: label.into(), count, percent: vn(p), hundredths: p.hundredths() }
    }
}

/// The list of the elected of an election and the composition of the new body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ElectedDoc {
    pub title: String,
    pub organisation: String,
    pub congress: String,
    pub term: String,
    pub heading: String,
    pub rows: Vec<ElectedRow>,
    pub total: u64,
    pub stats: Vec<StatLine>,
}

#[cfg(test)]
mod tests {
    use super::congress_line;

    /// The term is written once, whether the name states it already (with any dash or spacing) or
    /// the term was typed with its "nhiệm kỳ".
    #[test]
    fn documents_readback_minutes_congress_line_states_the_term_once() {
        let name = "Đại hội Đảng bộ xã Thượng Kiệm lần thứ XXVI";
        let full = "Đại hội Đảng bộ xã Thượng Kiệm lần thứ XXVI, nhiệm kỳ 2025–2030";
        assert_eq!(congress_line(name, "2025–2030"), full);
        assert_eq!(congress_line(name, "nhiệm kỳ 2025–2030"), full);
        assert_eq!(congress_line(name, "Nhiệm kỳ 2025–2030"), full);
        assert_eq!(congress_line(full, "2025–2030"), full);
        assert_eq!(congress_line(full, "2025-2030"), full);
        assert_eq!(
            congress_line("Đại hội X, nhiệm kỳ 2025 - 2030", "2025–2030"),
            "Đại hội X, nhiệm kỳ 2025 - 2030"
        );
        assert_eq!(congress_line(full, "nhiệm kỳ 2025 – 2030"), full);
        assert_eq!(congress_line(name, ""), name);
        assert_eq!(congress_line(name, "  "), name);
    }
}
