//! Who is elected (rules.md § 5, Art. 30 [32] and Art. 18 [20] of the regulation).

use crate::assembly::Base;
use crate::election::{Election, Layout, Purpose};
use crate::error::RulesError;
use crate::percent::Percent;
use crate::tally::{BallotCounts, Tally};

/// What became of one candidate in a round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    Elected,
    Alternate,
    /// Tied at the cut-off: a tie-break round decides.
    Tied,
    NotElected,
}

impl Outcome {
    pub fn code(self) -> &'static str {
        match self {
            Outcome::Elected => "elected",
            Outcome::Alternate => "alternate",
            Outcome::Tied => "tied",
            Outcome::NotElected => "not_elected",
        }
    }

    pub const ALL: [Outcome; 4] = [Outcome::Elected, Outcome::Alternate, Outcome::Tied, Outcome::NotElected];

    /// The value a code names; `None` for an unknown code (callers refuse it, never default).
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.code() == code)
    }
}

/// Which seats a tie is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TieFor {
    Elected,
    Alternate,
}

impl TieFor {
    pub fn code(self) -> &'static str {
        match self {
            TieFor::Elected => "elected",
            TieFor::Alternate => "alternate",
        }
    }

    pub const ALL: [TieFor; 2] = [TieFor::Elected, TieFor::Alternate];

    /// The value a code names; `None` for an unknown code (callers refuse it, never default).
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.code() == code)
    }
}

/// Candidates with equal votes at the cut-off, for `seats` remaining seats.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Tie {
    pub for_seats: TieFor,
    pub seats: u32,
    /// 0-based indices in ballot order.
    pub candidates: Vec<usize>,
}

/// What the presidium does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NextStep {
    TieBreak,
    FurtherRound,
    AlternateRound,
    Complete,
}

impl NextStep {
    pub fn code(self) -> &'static str {
        match self {
            NextStep::TieBreak => "tie_break",
            NextStep::FurtherRound => "further_round",
            NextStep::AlternateRound => "alternate_round",
            NextStep::Complete => "complete",
        }
    }

    pub const ALL: [NextStep; 4] =
        [NextStep::TieBreak, NextStep::FurtherRound, NextStep::AlternateRound, NextStep::Complete];

    /// The value a code names; `None` for an unknown code (callers refuse it, never default).
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.code() == code)
    }
}

/// One candidate's line in the result, in ballot order.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CandidateResult {
    /// 1-based position on the ballot.
    pub position: usize,
    pub votes: u64,
    pub percent_of_base: Percent,
    /// `None` when there is no valid ballot.
    pub percent_of_valid: Option<Percent>,
    pub passes_threshold: bool,
    /// Competition rank by votes among all candidates: 1, 2, 2, 4.
    pub rank: usize,
    pub outcome: Outcome,
}

/// The result of a round, as the minutes and the results screens state it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RoundResult {
    pub base: Base,
    pub threshold: u64,
    pub layout: Layout,
    pub issued: u64,
    pub ballots: BallotCounts,
    pub candidates: Vec<CandidateResult>,
    /// 0-based indices, by votes descending, equal votes in ballot order.
    pub elected: Vec<usize>,
    /// 0-based indices, by votes descending, equal votes in ballot order.
    pub alternates: Vec<usize>,
    pub tie: Option<Tie>,
    pub seats_unfilled: u32,
    pub alternate_seats_unfilled: u32,
    pub next_step: NextStep,
}

/// Computes the result of a round from its tally. Ballots collected may never exceed ballots issued:
/// if they do the round is void and nothing is computed (Art. 15).
pub fn decide(
    election: &Election,
    base: Base,
    issued: u64,
    tally: &Tally,
) -> Result<RoundResult, RulesError> {
    decide_votes(election, base, issued, tally.counts(), tally.all_votes())
}

/// [`decide`] from counts already tallied (e.g. stored per stack and summed): `votes` in ballot order.
pub fn decide_votes(
    election: &Election,
    base: Base,
    issued: u64,
    ballots: BallotCounts,
    votes: Vec<u64>,
) -> Result<RoundResult, RulesError> {
    if votes.len() != election.candidates().len() {
        return Err(RulesError::input("votes", "số ứng cử viên và số kết quả không khớp"));
    }
    if votes.iter().any(|&v| v > ballots.valid) {
        return Err(RulesError::input("votes", "số phiếu bầu của một người lớn hơn số phiếu hợp lệ"));
    }
    if ballots.returned > issued {
        return Err(RulesError::ReturnedExceedsIssued { returned: ballots.returned, issued });
    }
    let threshold = base.threshold();
    // Every candidate by votes descending; the stable sort keeps ballot order among equal votes.
    let mut ranked: Vec<usize> = (0..votes.len()).collect();
    ranked.sort_by(|&a, &b| votes[b].cmp(&votes[a]));
    let passers: Vec<usize> = ranked.iter().copied().filter(|&i| votes[i] >= threshold).collect();

    let seats = election.seats();
    let (elected, alternates, tie, seats_unfilled, alternate_seats_unfilled) = match election.purpose() {
        Purpose::Regular => {
            let official = select(&passers, &votes, seats);
            let alternate_seats = election.alternate_seats();
            if let Some(open) = official.tie {
                // While a tie for elected seats is open, no alternates are recognised.
                let tie = open.into_tie(TieFor::Elected);
                (official.winners, Vec::new(), Some(tie), official.unfilled, alternate_seats)
            } else {
                // Further passers become alternates, in descending order of votes (default reading).
                let rest: Vec<usize> =
                    passers.iter().copied().filter(|i| !official.winners.contains(i)).collect();
                let recognised = select(&rest, &votes, alternate_seats);
                let tie = recognised.tie.map(|t| t.into_tie(TieFor::Alternate));
                (official.winners, recognised.winners, tie, official.unfilled, recognised.unfilled)
            }
        }
        Purpose::TieBreak => {
            // Among the tied only; the most votes win, the majority is not required again.
            let round = select(&ranked, &votes, seats);
            let tie = round.tie.map(|t| t.into_tie(TieFor::Elected));
            (round.winners, Vec::new(), tie, round.unfilled, 0)
        }
        Purpose::Alternates => {
            let round = select(&passers, &votes, seats);
            let tie = round.tie.map(|t| t.into_tie(TieFor::Alternate));
            (Vec::new(), round.winners, tie, round.unfilled, 0)
        }
    };

    let next_step = if tie.is_some() {
        NextStep::TieBreak
    } else if seats_unfilled > 0 {
        NextStep::FurtherRound
    } else if alternate_seats_unfilled > 0 {
        NextStep::AlternateRound
    } else {
        NextStep::Complete
    };

    let ranks = competition_ranks(&ranked, &votes);
    let base_value = u64::from(base.get());
    let candidates = votes
        .iter()
        .enumerate()
        .map(|(i, &v)| CandidateResult {
            position: i + 1,
            votes: v,
            percent_of_base: Percent::of(v, base_value).unwrap_or(Percent::ZERO),
            percent_of_valid: Percent::of(v, ballots.valid),
            passes_threshold: v >= threshold,
            rank: ranks[i],
            outcome: if elected.contains(&i) {
                Outcome::Elected
            } else if alternates.contains(&i) {
                Outcome::Alternate
            } else if tie.as_ref().is_some_and(|t| t.candidates.contains(&i)) {
                Outcome::Tied
            } else {
                Outcome::NotElected
            },
        })
        .collect();

    Ok(RoundResult {
        base,
        threshold,
        layout: election.layout(),
        issued,
        ballots,
        candidates,
        elected,
        alternates,
        tie,
        seats_unfilled,
        alternate_seats_unfilled,
        next_step,
    })
}

/// The winners of `seats` seats among `eligible` (already by votes descending).
struct Selection {
    winners: Vec<usize>,
    tie: Option<OpenTie>,
    unfilled: u32,
}

struct OpenTie {
    seats: u32,
    candidates: Vec<usize>,
}

impl OpenTie {
    fn into_tie(mut self, for_seats: TieFor) -> Tie {
        self.candidates.sort_unstable();
        Tie { for_seats, seats: self.seats, candidates: self.candidates }
    }
}

/// No more eligible than seats: all win. More: the top `seats` win, unless the one in place `seats`
/// has the votes of the one in place `seats + 1`; then those above that vote count win and those at
/// it are tied for the rest.
fn select(eligible: &[usize], votes: &[u64], seats: u32) -> Selection {
    let seats_usize = usize::try_from(seats).unwrap_or(usize::MAX);
    if seats == 0 {
        return Selection { winners: Vec::new(), tie: None, unfilled: 0 };
    }
    if eligible.len() <= seats_usize {
        let unfilled = seats - eligible.len() as u32;
        return Selection { winners: eligible.to_vec(), tie: None, unfilled };
    }
    let cut = votes[eligible[seats_usize - 1]];
    if cut != votes[eligible[seats_usize]] {
        return Selection { winners: eligible[..seats_usize].to_vec(), tie: None, unfilled: 0 };
    }
    let winners: Vec<usize> = eligible.iter().copied().take_while(|&i| votes[i] > cut).collect();
    let tied: Vec<usize> = eligible.iter().copied().filter(|&i| votes[i] == cut).collect();
    let tie = OpenTie { seats: seats - winners.len() as u32, candidates: tied };
    Selection { winners, tie: Some(tie), unfilled: 0 }
}

/// Rank = 1 + the number of candidates with strictly more votes.
fn competition_ranks(ranked: &[usize], votes: &[u64]) -> Vec<usize> {
    let mut ranks = vec![0; votes.len()];
    for (place, &i) in ranked.iter().enumerate() {
        ranks[i] = match place.checked_sub(1).map(|p| ranked[p]) {
            Some(prev) if votes[prev] == votes[i] => ranks[prev],
            _ => place + 1,
        };
    }
    ranks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::election::Body;
    use crate::name::PersonName;

    fn election(body: Body, purpose: Purpose, seats: u32, alternates: u32, list: usize) -> Election {
        let names = (0..list).map(|i| PersonName::parse(&format!("Ứng Viên {i}")).expect("ok")).collect();
        Election::new(body, purpose, seats, alternates, names).expect("valid election")
    }

    fn run(election: &Election, base: u32, votes: &[u64]) -> RoundResult {
        let valid = votes.iter().copied().max().unwrap_or(0).max(1);
        let counts = BallotCounts { returned: valid, valid, ..BallotCounts::default() };
        let base = Base::new(base).expect("nonzero");
        decide_votes(election, base, valid, counts, votes.to_vec()).expect("decides")
    }

    fn outcomes(r: &RoundResult) -> Vec<&'static str> {
        r.candidates.iter().map(|c| c.outcome.code()).collect()
    }

    /// Art. 30, rules.md § 5 step 2: no more passers than seats → all passers elected.
    #[test]
    fn art30_passers_within_seats_are_all_elected() {
        let e = election(Body::Committee, Purpose::Regular, 3, 0, 4);
        let r = run(&e, 10, &[9, 6, 5, 8]);
        assert_eq!(r.threshold, 6);
        assert_eq!(r.elected, [0, 3, 1]);
        assert_eq!(outcomes(&r), ["elected", "elected", "not_elected", "elected"]);
        assert_eq!((r.seats_unfilled, r.next_step), (0, NextStep::Complete));
    }

    /// rules.md § 5 step 3: more passers than seats → the top `seats` by votes.
    #[test]
    fn more_passers_than_seats_top_votes_win() {
        let e = election(Body::Committee, Purpose::Regular, 2, 0, 4);
        let r = run(&e, 10, &[9, 7, 8, 6]);
        assert_eq!(r.elected, [0, 2]);
        assert_eq!(r.next_step, NextStep::Complete);
    }

    /// rules.md § 5 step 3: equal votes at places `seats` and `seats + 1` → those above are elected, those
    /// at that number are tied for the remaining seats, and a tie-break round is next.
    #[test]
    fn tie_at_cut_off_opens_tie_break() {
        let e = election(Body::Committee, Purpose::Regular, 3, 0, 5);
        let r = run(&e, 10, &[9, 7, 7, 8, 7]);
        assert_eq!(r.elected, [0, 3]);
        let tie = r.tie.clone().expect("tie");
        assert_eq!((tie.for_seats, tie.seats, tie.candidates), (TieFor::Elected, 1, vec![1, 2, 4]));
        assert_eq!(outcomes(&r), ["elected", "tied", "tied", "elected", "tied"]);
        assert_eq!((r.seats_unfilled, r.next_step), (0, NextStep::TieBreak));
    }

    /// rules.md § 5 step 3: a tie below the cut-off is no tie.
    #[test]
    fn equal_votes_inside_the_seats_are_no_tie() {
        let e = election(Body::Committee, Purpose::Regular, 2, 0, 3);
        let r = run(&e, 10, &[8, 8, 7]);
        assert_eq!((r.elected.as_slice(), r.tie.is_none()), ([0, 1].as_slice(), true));
    }

    /// rules.md § 5 step 4: fewer passers than seats → unfilled seats, further round next.
    #[test]
    fn unfilled_seats_lead_to_further_round() {
        let e = election(Body::Committee, Purpose::Regular, 3, 0, 4);
        let r = run(&e, 10, &[9, 5, 6, 2]);
        assert_eq!(r.elected, [0, 2]);
        assert_eq!((r.seats_unfilled, r.next_step), (1, NextStep::FurtherRound));
    }

    /// Art. 30: exactly half of B does not pass (B = 196, 98 votes).
    #[test]
    fn exactly_half_of_the_base_does_not_pass() {
        let e = election(Body::Secretary, Purpose::Regular, 1, 0, 1);
        let r = run(&e, 196, &[98]);
        assert!(!r.candidates[0].passes_threshold);
        assert_eq!(r.candidates[0].percent_of_base.to_string(), "50.00");
        assert_eq!(r.next_step, NextStep::FurtherRound);
    }

    /// rules.md § 5 step 3: in a tie-break round the most votes win; the majority is not required.
    #[test]
    fn tie_break_round_needs_no_majority() {
        let e = election(Body::Committee, Purpose::TieBreak, 1, 0, 2);
        let r = run(&e, 100, &[30, 20]);
        assert_eq!(r.elected, [0]);
        assert!(!r.candidates[0].passes_threshold);
        assert_eq!(r.next_step, NextStep::Complete);
        let again = run(&e, 100, &[30, 30]);
        assert_eq!(again.tie.map(|t| t.candidates), Some(vec![0, 1]));
        assert_eq!(again.next_step, NextStep::TieBreak);
    }

    /// rules.md § 5, delegates: further passers after the official seats are recognised as alternates,
    /// by votes, up to `alternate_seats`; unfilled alternate seats lead to an alternates round.
    #[test]
    fn delegates_alternates_from_the_official_round() {
        let e = election(Body::Delegates, Purpose::Regular, 2, 2, 5);
        let r = run(&e, 10, &[9, 8, 7, 6, 2]);
        assert_eq!((r.elected.as_slice(), r.alternates.as_slice()), ([0, 1].as_slice(), [2, 3].as_slice()));
        assert_eq!(outcomes(&r), ["elected", "elected", "alternate", "alternate", "not_elected"]);
        assert_eq!(r.next_step, NextStep::Complete);
        let short = run(&e, 10, &[9, 8, 7, 2, 2]);
        assert_eq!((short.alternate_seats_unfilled, short.next_step), (1, NextStep::AlternateRound));
    }

    /// rules.md § 5, delegates: a tie at the last alternate seat is a tie for alternates.
    #[test]
    fn delegates_tie_for_the_last_alternate_seat() {
        let e = election(Body::Delegates, Purpose::Regular, 1, 1, 4);
        let r = run(&e, 10, &[9, 7, 7, 1]);
        assert_eq!(r.elected, [0]);
        let tie = r.tie.expect("tie");
        assert_eq!((tie.for_seats, tie.seats, tie.candidates), (TieFor::Alternate, 1, vec![1, 2]));
        assert_eq!((r.alternate_seats_unfilled, r.next_step), (0, NextStep::TieBreak));
    }

    /// evaluate.md: while a tie for elected seats is open, no alternates are recognised.
    #[test]
    fn no_alternates_while_an_elected_tie_is_open() {
        let e = election(Body::Delegates, Purpose::Regular, 1, 2, 4);
        let r = run(&e, 10, &[8, 8, 7, 6]);
        assert!(r.alternates.is_empty());
        assert_eq!(r.tie.map(|t| t.for_seats), Some(TieFor::Elected));
        assert_eq!((r.alternate_seats_unfilled, r.next_step), (2, NextStep::TieBreak));
    }

    /// rules.md § 5: an alternates round fills alternate seats under the same threshold.
    #[test]
    fn alternates_round() {
        let e = election(Body::Delegates, Purpose::Alternates, 2, 0, 3);
        let r = run(&e, 10, &[9, 3, 6]);
        assert!(r.elected.is_empty());
        assert_eq!(r.alternates, [0, 2]);
        assert_eq!(outcomes(&r), ["alternate", "not_elected", "alternate"]);
        let short = run(&e, 10, &[9, 3, 2]);
        assert_eq!((short.seats_unfilled, short.alternate_seats_unfilled), (1, 0));
        assert_eq!(short.next_step, NextStep::FurtherRound);
        let tied = run(&e, 10, &[9, 7, 7]);
        assert_eq!(tied.tie.map(|t| (t.for_seats, t.seats)), Some((TieFor::Alternate, 1)));
    }

    /// evaluate.md: rank is the competition rank among all candidates (1, 2, 2, 4).
    #[test]
    fn competition_ranks() {
        let e = election(Body::Committee, Purpose::Regular, 3, 0, 5);
        let r = run(&e, 10, &[5, 9, 5, 9, 1]);
        let ranks: Vec<usize> = r.candidates.iter().map(|c| c.rank).collect();
        assert_eq!(ranks, [3, 1, 3, 1, 5]);
    }

    /// evaluate.md: the percentage of valid ballots is absent when no ballot is valid.
    #[test]
    fn no_valid_ballot_no_percentage_of_valid() {
        let e = election(Body::Secretary, Purpose::Regular, 1, 0, 1);
        let base = Base::new(5).expect("nonzero");
        let counts =
            BallotCounts { returned: 2, invalid: 2, by_reason: [0, 0, 0, 0, 0, 2], ..Default::default() };
        let r = decide_votes(&e, base, 5, counts, vec![0]).expect("decides");
        assert_eq!(r.candidates[0].percent_of_valid, None);
        assert_eq!(r.next_step, NextStep::FurtherRound);
    }

    /// Art. 15: more ballots collected than issued voids the round.
    #[test]
    fn returned_exceeds_issued_voids_the_round() {
        let e = election(Body::Secretary, Purpose::Regular, 1, 0, 1);
        let base = Base::new(12).expect("nonzero");
        let counts = BallotCounts { returned: 12, valid: 12, ..Default::default() };
        let err = decide_votes(&e, base, 11, counts, vec![12]).expect_err("void");
        assert_eq!(err.code(), "returned_exceeds_issued");
    }
}
