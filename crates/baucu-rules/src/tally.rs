//! The tally of one round (rules.md § 5): ballots returned, valid, invalid by reason, and votes.
//!
//! The tally is incremental: the server adds (and, for a correction, removes) one ballot at a time
//! while operators type, and reads the counts at any moment. Adding is O(marks on the ballot), with
//! no allocation for lists of up to 256 names.

use crate::ballot::{Ballot, BallotContent, BallotEntryError, BallotSpec, InvalidReason, Mark, Validity};
use crate::election::{Election, Layout};

/// The ballots of a round, counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct BallotCounts {
    pub returned: u64,
    pub valid: u64,
    pub invalid: u64,
    /// Indexed by [`InvalidReason::index`].
    pub by_reason: [u64; 6],
}

impl BallotCounts {
    /// The reasons that occurred, with their counts, in the order of rules.md § 4.
    pub fn reasons(&self) -> impl Iterator<Item = (InvalidReason, u64)> + '_ {
        InvalidReason::ALL.into_iter().map(|r| (r, self.by_reason[r.index()])).filter(|&(_, n)| n > 0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    spec: BallotSpec,
    counts: BallotCounts,
    /// Strike list: how many valid ballots struck each name. Agree/disagree: how many valid ballots
    /// marked each name "agree". Votes follow from it (see [`Tally::votes`]).
    marks: Vec<u64>,
    /// Agree/disagree list: how many valid ballots marked each name "disagree" (a row marked both or
    /// neither is neither, rules.md § 4); what the minutes state beside the votes. Empty for a strike
    /// list.
    disagrees: Vec<u64>,
}

impl Tally {
    pub fn new(election: &Election) -> Self {
        Self::for_spec(election.ballot_spec())
    }

    pub fn for_spec(spec: BallotSpec) -> Self {
        let disagrees = if spec.layout == Layout::AgreeDisagree { vec![0; spec.list] } else { Vec::new() };
        Self { spec, counts: BallotCounts::default(), marks: vec![0; spec.list], disagrees }
    }

    pub fn spec(&self) -> BallotSpec {
        self.spec
    }

    /// Counts `count` identical ballots. Nothing changes if the record is not a ballot of this round.
    pub fn add(&mut self, ballot: &Ballot, count: u64) -> Result<Validity, BallotEntryError> {
        let validity = self.check(ballot, count)?;
        let too_large = BallotEntryError::CountTooLarge;
        let mut next = self.counts;
        next.returned = next.returned.checked_add(count).ok_or(too_large)?;
        match validity {
            Validity::Valid => next.valid = next.valid.checked_add(count).ok_or(too_large)?,
            Validity::Invalid(reason) => {
                next.invalid = next.invalid.checked_add(count).ok_or(too_large)?;
                let slot = &mut next.by_reason[reason.index()];
                *slot = slot.checked_add(count).ok_or(too_large)?;
            }
        }
        // Every mark count is at most `valid`, which did not overflow: the additions below cannot.
        self.counts = next;
        if validity == Validity::Valid {
            self.for_each_mark(ballot, |m| *m += count);
            self.for_each_disagree(ballot, |m| *m += count);
        }
        Ok(validity)
    }

    /// Takes back `count` identical ballots previously added (a correction or an undo).
    pub fn remove(&mut self, ballot: &Ballot, count: u64) -> Result<Validity, BallotEntryError> {
        let validity = self.check(ballot, count)?;
        let missing = BallotEntryError::NotInTally;
        let mut next = self.counts;
        next.returned = next.returned.checked_sub(count).ok_or(missing)?;
        match validity {
            Validity::Valid => next.valid = next.valid.checked_sub(count).ok_or(missing)?,
            Validity::Invalid(reason) => {
                next.invalid = next.invalid.checked_sub(count).ok_or(missing)?;
                let slot = &mut next.by_reason[reason.index()];
                *slot = slot.checked_sub(count).ok_or(missing)?;
            }
        }
        if validity == Validity::Valid {
            let mut enough = true;
            self.for_each_mark_ref(ballot, |m| enough &= m >= count);
            self.for_each_disagree(ballot, |m| enough &= *m >= count);
            if !enough {
                return Err(missing);
            }
            self.for_each_mark(ballot, |m| *m -= count);
            self.for_each_disagree(ballot, |m| *m -= count);
        }
        self.counts = next;
        Ok(validity)
    }

    /// Adds another tally of the same round (e.g. another stack's).
    pub fn merge(&mut self, other: &Tally) -> Result<(), BallotEntryError> {
        if other.spec != self.spec {
            return Err(BallotEntryError::WrongLayout { expected: self.spec.layout });
        }
        let add = |a: u64, b: u64| a.checked_add(b).ok_or(BallotEntryError::CountTooLarge);
        let mut counts = self.counts;
        counts.returned = add(counts.returned, other.counts.returned)?;
        counts.valid = add(counts.valid, other.counts.valid)?;
        counts.invalid = add(counts.invalid, other.counts.invalid)?;
        for (slot, &n) in counts.by_reason.iter_mut().zip(&other.counts.by_reason) {
            *slot = add(*slot, n)?;
        }
        self.counts = counts;
        for (slot, &n) in self.marks.iter_mut().zip(&other.marks) {
            *slot += n; // bounded by counts.valid, which did not overflow
        }
        for (slot, &n) in self.disagrees.iter_mut().zip(&other.disagrees) {
            *slot += n; // likewise
        }
        Ok(())
    }

    pub fn counts(&self) -> BallotCounts {
        self.counts
    }

    /// Votes of the name at 0-based `index`: valid ballots on which it stands (strike list) or is
    /// marked "agree" (agree/disagree list).
    pub fn votes(&self, index: usize) -> u64 {
        let marks = self.marks.get(index).copied().unwrap_or(0);
        match self.spec.layout {
            Layout::Strike => self.counts.valid - marks,
            Layout::AgreeDisagree => marks,
        }
    }

    /// Agree/disagree list: how many valid ballots marked each name "disagree", in ballot order;
    /// `None` for a strike list, which has no such count.
    pub fn disagrees(&self) -> Option<&[u64]> {
        (self.spec.layout == Layout::AgreeDisagree).then_some(self.disagrees.as_slice())
    }

    /// Votes of every name, in ballot order.
    pub fn all_votes(&self) -> Vec<u64> {
        (0..self.spec.list).map(|i| self.votes(i)).collect()
    }

    fn check(&self, ballot: &Ballot, count: u64) -> Result<Validity, BallotEntryError> {
        if count == 0 {
            return Err(BallotEntryError::ZeroCount);
        }
        ballot.read(self.spec)
    }

    /// Calls `f` on the mark counter of every name the (well-formed) ballot marks.
    fn for_each_mark(&mut self, ballot: &Ballot, mut f: impl FnMut(&mut u64)) {
        match &ballot.content {
            BallotContent::Strike(struck) => {
                for &p in struck {
                    f(&mut self.marks[p as usize - 1]);
                }
            }
            BallotContent::AgreeDisagree(marks) => {
                for (slot, _) in self.marks.iter_mut().zip(marks).filter(|(_, m)| **m == Mark::Agree) {
                    f(slot);
                }
            }
        }
    }

    /// Calls `f` on the "disagree" counter of every name an agree/disagree ballot marks so.
    fn for_each_disagree(&mut self, ballot: &Ballot, mut f: impl FnMut(&mut u64)) {
        if let BallotContent::AgreeDisagree(marks) = &ballot.content {
            for (slot, _) in self.disagrees.iter_mut().zip(marks).filter(|(_, m)| **m == Mark::Disagree) {
                f(slot);
            }
        }
    }

    fn for_each_mark_ref(&self, ballot: &Ballot, mut f: impl FnMut(u64)) {
        match &ballot.content {
            BallotContent::Strike(struck) => struck.iter().for_each(|&p| f(self.marks[p as usize - 1])),
            BallotContent::AgreeDisagree(marks) => {
                self.marks.iter().zip(marks).filter(|(_, m)| **m == Mark::Agree).for_each(|(&n, _)| f(n))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ballot::BallotFlags;

    const SPEC: BallotSpec = BallotSpec { layout: Layout::Strike, seats: 2, list: 3 };

    /// rules.md § 5: votes are counted on valid ballots only; a name left standing is a vote.
    #[test]
    fn votes_count_valid_ballots_only() {
        let mut t = Tally::for_spec(SPEC);
        assert_eq!(t.add(&Ballot::strike(vec![3]), 5), Ok(Validity::Valid));
        assert_eq!(t.add(&Ballot::strike(vec![1]), 2), Ok(Validity::Valid));
        let over = t.add(&Ballot::strike(vec![]), 1);
        assert_eq!(over, Ok(Validity::Invalid(InvalidReason::OverVote)));
        let mut signed = Ballot::strike(vec![1]);
        signed.flags = BallotFlags { signed: true, ..BallotFlags::default() };
        assert_eq!(t.add(&signed, 1), Ok(Validity::Invalid(InvalidReason::Signed)));
        assert_eq!(t.all_votes(), [5, 7, 2]);
        let c = t.counts();
        assert_eq!((c.returned, c.valid, c.invalid), (9, 7, 2));
        assert_eq!(
            c.reasons().map(|(r, n)| (r.code(), n)).collect::<Vec<_>>(),
            [("signed", 1), ("over_vote", 1)]
        );
    }

    /// The minutes give each name's "disagree" count beside its votes: marked disagree on a valid
    /// ballot only; a row marked both or neither is neither; none on a strike list.
    #[test]
    fn disagrees_counted_on_valid_agree_disagree_ballots_only() {
        use Mark::{Agree, Both, Disagree};
        let neither = Mark::None;
        let spec = BallotSpec { layout: Layout::AgreeDisagree, seats: 2, list: 3 };
        let mut t = Tally::for_spec(spec);
        t.add(&Ballot::marks(vec![Agree, Disagree, Disagree]), 4).expect("valid");
        t.add(&Ballot::marks(vec![Disagree, Both, Agree]), 1).expect("valid");
        t.add(&Ballot::marks(vec![neither, Disagree, Agree]), 2).expect("valid");
        let unclear = Ballot::marks(vec![Both, neither, Both]);
        assert_eq!(t.add(&unclear, 3), Ok(Validity::Invalid(InvalidReason::NoClearChoice)));
        assert_eq!(t.disagrees(), Some(&[1, 6, 4][..]));
        assert_eq!(t.all_votes(), [4, 0, 3]);
        let mut other = Tally::for_spec(spec);
        other.add(&Ballot::marks(vec![Disagree, Agree, Agree]), 1).expect("valid");
        t.merge(&other).expect("same round");
        assert_eq!(t.disagrees(), Some(&[2, 6, 4][..]));
        t.remove(&Ballot::marks(vec![Agree, Disagree, Disagree]), 4).expect("added before");
        assert_eq!(t.disagrees(), Some(&[2, 2, 0][..]));
        assert_eq!(
            t.remove(&Ballot::marks(vec![Agree, Disagree, Disagree]), 1),
            Err(BallotEntryError::NotInTally)
        );
        assert_eq!(Tally::for_spec(SPEC).disagrees(), None);
    }

    #[test]
    fn remove_undoes_add_and_refuses_what_was_never_added() {
        let mut t = Tally::for_spec(SPEC);
        let empty = t.clone();
        t.add(&Ballot::strike(vec![3]), 1).expect("ok");
        t.add(&Ballot::strike(vec![]), 1).expect("ok");
        assert_eq!(t.remove(&Ballot::strike(vec![2]), 1), Err(BallotEntryError::NotInTally));
        assert_eq!(t.remove(&Ballot::strike(vec![3]), 2), Err(BallotEntryError::NotInTally));
        t.remove(&Ballot::strike(vec![3]), 1).expect("ok");
        t.remove(&Ballot::strike(vec![]), 1).expect("ok");
        assert_eq!(t, empty);
    }

    #[test]
    fn entry_errors_change_nothing() {
        let mut t = Tally::for_spec(SPEC);
        t.add(&Ballot::strike(vec![1]), 1).expect("ok");
        let before = t.clone();
        assert!(t.add(&Ballot::strike(vec![4]), 1).is_err());
        assert_eq!(t.add(&Ballot::strike(vec![1]), 0), Err(BallotEntryError::ZeroCount));
        assert_eq!(t.add(&Ballot::strike(vec![1]), u64::MAX), Err(BallotEntryError::CountTooLarge));
        assert_eq!(t, before);
    }

    #[test]
    fn merge_equals_adding_everything_to_one_tally() {
        let ballots = [vec![1], vec![2], vec![], vec![1, 2, 3], vec![3]];
        let mut whole = Tally::for_spec(SPEC);
        let (mut a, mut b) = (Tally::for_spec(SPEC), Tally::for_spec(SPEC));
        for (i, struck) in ballots.iter().enumerate() {
            let ballot = Ballot::strike(struck.clone());
            whole.add(&ballot, 1).expect("ok");
            if i % 2 == 0 { a.add(&ballot, 1) } else { b.add(&ballot, 1) }.expect("ok");
        }
        a.merge(&b).expect("same round");
        assert_eq!(a, whole);
    }
}
