//! The one record of a closed round's result.
//!
//! When a round closes, the engine's [`RoundResult`] is written once, with everything the minutes
//! state (the assembly and its base, the ballots, the counting board as it was, the congress, date
//! and place), into the tables of `baucu_store::results`, one line per candidate keyed by person id.
//! [`RoundRecord`] is that record read back, every enumerated value parsed (an unknown value is an
//! error, never a default). The results page, the projector, the presidium's next step, the minutes
//! (PDF and Word), the results workbook and the list of the elected all read it; nothing recomputes
//! it. Only `baucu audit verify` recounts a closed round from its ballots, to compare with it.

use crate::AppError;
use baucu_rules::assembly::{Assembly, AssemblyKind, Base, Exclusion};
use baucu_rules::ballot::InvalidReason;
use baucu_rules::case::{BoardMember, BoardRole, RoundAnswer};
use baucu_rules::election::{Body, Election, Layout, Purpose};
use baucu_rules::outcome::{CandidateResult, NextStep, Outcome, RoundResult, Tie, TieFor};
use baucu_rules::tally::BallotCounts;
use baucu_rules::{Percent, PersonName};
use baucu_store::results::{LineRow, ResultRow, StoredResult};

/// One candidate's line of a closed round, in ballot order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordLine {
    /// 1-based position on the ballot.
    pub position: usize,
    pub person_id: i64,
    pub name: String,
    pub votes: u64,
    pub percent_of_base: Percent,
    pub percent_of_valid: Option<Percent>,
    pub passes_threshold: bool,
    pub rank: usize,
    pub outcome: Outcome,
    pub tied: bool,
    /// Agree/disagree list: the valid ballots that mark this name "không đồng ý"; `None` on a strike
    /// list, and on a record written before the count was kept.
    pub disagree: Option<u64>,
    outcome_order: Option<usize>,
}

/// Candidates tied at the cut-off, for `seats` seats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordTie {
    pub for_seats: TieFor,
    pub seats: u32,
    pub person_ids: Vec<i64>,
}

/// The result of a closed round as it was recorded at closing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundRecord {
    pub round_id: i64,
    pub assembly_kind: AssemblyKind,
    pub summoned: u32,
    pub present: u32,
    pub exclusions: Vec<(Exclusion, u32)>,
    pub base: u32,
    pub threshold: u64,
    pub layout: Layout,
    pub seats: u32,
    pub alternate_seats: u32,
    pub issued: u64,
    pub collected: u64,
    pub valid: u64,
    pub invalid: u64,
    pub invalid_by_reason: Vec<(InvalidReason, u64)>,
    pub lines: Vec<RecordLine>,
    pub tie: Option<RecordTie>,
    pub seats_unfilled: u32,
    pub alternate_seats_unfilled: u32,
    pub next_step: NextStep,
    pub board: Vec<BoardMember>,
    pub closed_at: jiff::Timestamp,
    pub congress: String,
    pub organisation: String,
    pub term: String,
    pub place: String,
    pub closed_by: String,
    /// The audit entry of the closing, and its hash: the head of the chain the minutes print.
    pub audit_seq: i64,
    pub audit_head: Option<String>,
}

/// What a closing knows besides the engine's result.
#[derive(Debug, Clone)]
pub struct ClosingContext<'a> {
    pub round_id: i64,
    pub assembly: &'a Assembly,
    pub seats: u32,
    pub alternate_seats: u32,
    /// (person id, full name) in ballot order.
    pub candidates: &'a [(i64, String)],
    /// Agree/disagree list: each name's "không đồng ý" count, in ballot order; `None` on a strike list.
    pub disagree: Option<Vec<u64>>,
    pub board: Vec<BoardMember>,
    pub closed_at: String,
    pub congress: String,
    pub organisation: String,
    pub term: String,
    pub place: String,
    pub closed_by: String,
    pub audit_seq: i64,
}

fn count(n: u64) -> Result<i64, AppError> {
    i64::try_from(n).map_err(|_| AppError::Conflict("Số liệu vượt giới hạn.".into()))
}

/// The rows to store for a round the engine has just decided.
pub fn to_store(ctx: &ClosingContext<'_>, r: &RoundResult) -> Result<StoredResult, AppError> {
    if ctx.candidates.len() != r.candidates.len()
        || ctx.disagree.as_ref().is_some_and(|d| d.len() != r.candidates.len())
    {
        return Err(AppError::Conflict("Kết quả không khớp danh sách bầu.".into()));
    }
    let order_in = |list: &[usize], i: usize| list.iter().position(|&x| x == i).map(|k| k as i64 + 1);
    let tied: Vec<usize> = r.tie.as_ref().map(|t| t.candidates.clone()).unwrap_or_default();
    let lines = r
        .candidates
        .iter()
        .enumerate()
        .map(|(i, c)| {
            Ok(LineRow {
                position: c.position as i64,
                person_id: ctx.candidates[i].0,
                full_name: ctx.candidates[i].1.clone(),
                votes: count(c.votes)?,
                percent_of_base: count(c.percent_of_base.hundredths())?,
                percent_of_valid: c.percent_of_valid.map(|p| count(p.hundredths())).transpose()?,
                passes_threshold: c.passes_threshold,
                rank: c.rank as i64,
                outcome: c.outcome.code().to_owned(),
                outcome_order: match c.outcome {
                    Outcome::Elected => order_in(&r.elected, i),
                    Outcome::Alternate => order_in(&r.alternates, i),
                    _ => None,
                },
                tied: tied.contains(&i),
                disagree: ctx.disagree.as_ref().map(|d| count(d[i])).transpose()?,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(StoredResult {
        row: ResultRow {
            round_id: ctx.round_id,
            assembly_kind: ctx.assembly.kind().code().to_owned(),
            summoned: i64::from(ctx.assembly.summoned()),
            present: i64::from(ctx.assembly.present()),
            base: i64::from(r.base.get()),
            threshold: count(r.threshold)?,
            layout: r.layout.code().to_owned(),
            seats: i64::from(ctx.seats),
            alternate_seats: i64::from(ctx.alternate_seats),
            issued: count(r.issued)?,
            collected: count(r.ballots.returned)?,
            valid: count(r.ballots.valid)?,
            invalid: count(r.ballots.invalid)?,
            seats_unfilled: i64::from(r.seats_unfilled),
            alternate_seats_unfilled: i64::from(r.alternate_seats_unfilled),
            next_step: r.next_step.code().to_owned(),
            tie_for: r.tie.as_ref().map(|t| t.for_seats.code().to_owned()),
            tie_seats: r.tie.as_ref().map(|t| i64::from(t.seats)),
            closed_at: ctx.closed_at.clone(),
            congress: ctx.congress.clone(),
            organisation: ctx.organisation.clone(),
            term: ctx.term.clone(),
            place: ctx.place.clone(),
            closed_by: ctx.closed_by.clone(),
            audit_seq: ctx.audit_seq,
        },
        exclusions: ctx
            .assembly
            .exclusions()
            .iter()
            .map(|(e, n)| (e.code().to_owned(), i64::from(*n)))
            .collect(),
        invalid: r
            .ballots
            .reasons()
            .map(|(reason, n)| Ok((reason.code().to_owned(), count(n)?)))
            .collect::<Result<_, AppError>>()?,
        lines,
        board: ctx
            .board
            .iter()
            .map(|m| {
                let role = match m.role {
                    BoardRole::Head => "head",
                    BoardRole::Member => "member",
                };
                (m.name.clone(), role.to_owned())
            })
            .collect(),
    })
}

/// A stored value that does not parse: the record was damaged behind the node's back.
fn damaged(what: &str) -> AppError {
    AppError::damaged("Bản ghi kết quả", what)
}

fn parse<T>(value: Option<T>, what: &str) -> Result<T, AppError> {
    value.ok_or_else(|| damaged(what))
}

fn unsigned<T: TryFrom<i64>>(n: i64, what: &str) -> Result<T, AppError> {
    T::try_from(n).map_err(|_| damaged(what))
}

impl RoundRecord {
    /// Reads a stored record; any unknown or impossible value is an error.
    pub fn parse(s: StoredResult, audit_head: Option<String>) -> Result<Self, AppError> {
        let r = &s.row;
        let lines = s
            .lines
            .iter()
            .map(|l| {
                Ok(RecordLine {
                    position: unsigned(l.position, "vị trí")?,
                    person_id: l.person_id,
                    name: l.full_name.clone(),
                    votes: unsigned(l.votes, "số phiếu")?,
                    percent_of_base: Percent::from_hundredths(unsigned(l.percent_of_base, "tỷ lệ")?),
                    percent_of_valid: l
                        .percent_of_valid
                        .map(|p| unsigned(p, "tỷ lệ").map(Percent::from_hundredths))
                        .transpose()?,
                    passes_threshold: l.passes_threshold,
                    rank: unsigned(l.rank, "thứ hạng")?,
                    outcome: parse(Outcome::from_code(&l.outcome), "kết quả")?,
                    tied: l.tied,
                    outcome_order: l.outcome_order.map(|o| unsigned(o, "thứ tự")).transpose()?,
                    disagree: l.disagree.map(|n| unsigned(n, "số không đồng ý")).transpose()?,
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        if lines.iter().enumerate().any(|(i, l)| l.position != i + 1) {
            return Err(damaged("thứ tự trên phiếu"));
        }
        let tie = match (&r.tie_for, r.tie_seats) {
            (Some(f), Some(n)) => Some(RecordTie {
                for_seats: parse(TieFor::from_code(f), "bằng phiếu")?,
                seats: unsigned(n, "bằng phiếu")?,
                person_ids: lines.iter().filter(|l| l.tied).map(|l| l.person_id).collect(),
            }),
            (None, None) => None,
            _ => return Err(damaged("bằng phiếu")),
        };
        let board = s
            .board
            .iter()
            .map(|(name, role)| {
                let role = match role.as_str() {
                    "head" => BoardRole::Head,
                    "member" => BoardRole::Member,
                    _ => return Err(damaged("ban kiểm phiếu")),
                };
                Ok(BoardMember { name: name.clone(), role })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        let layout = parse(Layout::from_code(&r.layout), "mẫu phiếu")?;
        let valid: u64 = unsigned(r.valid, "số phiếu hợp lệ")?;
        if lines.iter().any(|l| {
            l.disagree.is_some_and(|d| layout == Layout::Strike || d.saturating_add(l.votes) > valid)
        }) {
            return Err(damaged("số không đồng ý"));
        }
        Ok(RoundRecord {
            round_id: r.round_id,
            assembly_kind: parse(AssemblyKind::from_code(&r.assembly_kind), "loại hội nghị")?,
            summoned: unsigned(r.summoned, "số triệu tập")?,
            present: unsigned(r.present, "số có mặt")?,
            exclusions: s
                .exclusions
                .iter()
                .map(|(code, n)| {
                    Ok((parse(Exclusion::from_code(code), "trường hợp trừ")?, unsigned(*n, "số trừ")?))
                })
                .collect::<Result<_, AppError>>()?,
            base: unsigned(r.base, "số làm căn cứ")?,
            threshold: unsigned(r.threshold, "ngưỡng")?,
            layout,
            seats: unsigned(r.seats, "số lượng bầu")?,
            alternate_seats: unsigned(r.alternate_seats, "số dự khuyết")?,
            issued: unsigned(r.issued, "số phiếu phát ra")?,
            collected: unsigned(r.collected, "số phiếu thu vào")?,
            valid,
            invalid: unsigned(r.invalid, "số phiếu không hợp lệ")?,
            invalid_by_reason: s
                .invalid
                .iter()
                .map(|(code, n)| {
                    Ok((
                        parse(InvalidReason::from_code(code), "lý do không hợp lệ")?,
                        unsigned(*n, "số phiếu")?,
                    ))
                })
                .collect::<Result<_, AppError>>()?,
            lines,
            tie,
            seats_unfilled: unsigned(r.seats_unfilled, "số còn thiếu")?,
            alternate_seats_unfilled: unsigned(r.alternate_seats_unfilled, "số còn thiếu")?,
            next_step: parse(NextStep::from_code(&r.next_step), "bước tiếp theo")?,
            board,
            closed_at: r.closed_at.parse().map_err(|_| damaged("thời điểm kết thúc"))?,
            congress: r.congress.clone(),
            organisation: r.organisation.clone(),
            term: r.term.clone(),
            place: r.place.clone(),
            closed_by: r.closed_by.clone(),
            audit_seq: r.audit_seq,
            audit_head,
        })
    }

    /// The elected (or the alternates, `alternates = true`) by votes, equal votes in ballot order.
    pub fn winners(&self, alternates: bool) -> Vec<&RecordLine> {
        let want = if alternates { Outcome::Alternate } else { Outcome::Elected };
        let mut out: Vec<&RecordLine> = self.lines.iter().filter(|l| l.outcome == want).collect();
        out.sort_by_key(|l| (l.outcome_order, l.position));
        out
    }

    /// The assembly as it was taken for the round.
    pub fn assembly(&self) -> Result<Assembly, AppError> {
        Ok(Assembly::new(self.assembly_kind, self.summoned, self.present, &self.exclusions)?)
    }

    /// The engine's election of the round, rebuilt from the recorded names (for the documents).
    pub fn election(&self, body: Body, purpose: Purpose) -> Result<Election, AppError> {
        let names = self
            .lines
            .iter()
            .map(|l| PersonName::parse(&l.name).map_err(|_| damaged("họ tên")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Election::new(body, purpose, self.seats, self.alternate_seats, names)?)
    }

    /// The engine's result value as recorded (read back, not recomputed), for the documents and the
    /// answer in the shape of `baucu evaluate`.
    pub fn result(&self) -> Result<RoundResult, AppError> {
        let mut by_reason = [0u64; 6];
        for (reason, n) in &self.invalid_by_reason {
            by_reason[reason.index()] = *n;
        }
        let index_of = |id: i64| self.lines.iter().position(|l| l.person_id == id);
        Ok(RoundResult {
            base: Base::new(self.base).ok_or_else(|| damaged("số làm căn cứ"))?,
            threshold: self.threshold,
            layout: self.layout,
            issued: self.issued,
            ballots: BallotCounts {
                returned: self.collected,
                valid: self.valid,
                invalid: self.invalid,
                by_reason,
            },
            candidates: self
                .lines
                .iter()
                .map(|l| CandidateResult {
                    position: l.position,
                    votes: l.votes,
                    percent_of_base: l.percent_of_base,
                    percent_of_valid: l.percent_of_valid,
                    passes_threshold: l.passes_threshold,
                    rank: l.rank,
                    outcome: l.outcome,
                })
                .collect(),
            elected: self.winners(false).iter().map(|l| l.position - 1).collect(),
            alternates: self.winners(true).iter().map(|l| l.position - 1).collect(),
            tie: self.tie.as_ref().map(|t| Tie {
                for_seats: t.for_seats,
                seats: t.seats,
                candidates: t.person_ids.iter().filter_map(|&id| index_of(id)).collect(),
            }),
            seats_unfilled: self.seats_unfilled,
            alternate_seats_unfilled: self.alternate_seats_unfilled,
            next_step: self.next_step,
        })
    }

    /// The record as the JSON answer of `baucu evaluate` (the API's `result`).
    pub fn answer(&self, body: Body, purpose: Purpose) -> Result<serde_json::Value, AppError> {
        let answer = RoundAnswer::new(&self.election(body, purpose)?, &self.result()?);
        serde_json::to_value(&answer).map_err(|_| damaged("kết quả"))
    }
}
