//! Ballots and their validity (rules.md § 4, Art. 15 [17] of the regulation).
//!
//! A ballot is recorded as what the counting board reads off the paper: the positions struck (strike
//! list) or the mark of each row (agree/disagree list), and three flags. Whether a name struck only in
//! part counts as struck, and whether a congress's local rule treats other marks as identifying, are
//! decided when the ballot is read (the board's decision), so they arrive here already as "struck" or
//! "not struck", and as the `signed` flag.

use crate::election::{Election, Layout};
use serde::{Deserialize, Serialize};

/// The mark in one row of an agree/disagree ballot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mark {
    Agree,
    Disagree,
    Both,
    None,
}

/// What was read on the ballot, by layout.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum BallotContent {
    /// 1-based positions of the names struck through.
    Strike(Vec<u32>),
    /// One mark per name, in ballot order.
    AgreeDisagree(Vec<Mark>),
}

/// The three conditions that invalidate any ballot, whatever its marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct BallotFlags {
    /// Not issued by the counting board: no stamp, foreign paper.
    pub not_issued: bool,
    /// A name not on the list was written in.
    pub write_in: bool,
    /// Signed, or the voter's name written; also a local rule's identifying mark.
    pub signed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ballot {
    pub content: BallotContent,
    pub flags: BallotFlags,
}

/// Why a ballot is invalid. The order of the variants is the order in which the reasons are tried:
/// the first that matches is the reason reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum InvalidReason {
    NotIssued,
    WriteIn,
    Signed,
    /// Strike list: every name struck.
    NoneKept,
    /// Strike list: more names left standing than seats (an untouched ballot is one).
    OverVote,
    /// Agree/disagree list: no row with a single clear mark.
    NoClearChoice,
}

impl InvalidReason {
    pub const ALL: [InvalidReason; 6] = [
        InvalidReason::NotIssued,
        InvalidReason::WriteIn,
        InvalidReason::Signed,
        InvalidReason::NoneKept,
        InvalidReason::OverVote,
        InvalidReason::NoClearChoice,
    ];

    pub fn code(self) -> &'static str {
        match self {
            InvalidReason::NotIssued => "not_issued",
            InvalidReason::WriteIn => "write_in",
            InvalidReason::Signed => "signed",
            InvalidReason::NoneKept => "none_kept",
            InvalidReason::OverVote => "over_vote",
            InvalidReason::NoClearChoice => "no_clear_choice",
        }
    }

    /// The value a code names; `None` for an unknown code (callers refuse it, never default).
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.code() == code)
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// The verdict on one ballot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Validity {
    Valid,
    Invalid(InvalidReason),
}

/// A ballot record that cannot have been read off a real ballot of this round: a data-entry error,
/// not an invalid ballot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BallotEntryError {
    /// A strike-list record for an agree/disagree round, or the other way round.
    WrongLayout {
        expected: Layout,
    },
    PositionOutOfRange {
        position: u32,
        list: usize,
    },
    DuplicatePosition {
        position: u32,
    },
    MarkCountMismatch {
        expected: usize,
        found: usize,
    },
    /// A group of identical ballots with a count of 0.
    ZeroCount,
    /// A count so large that the tally would overflow: no real round has that many ballots.
    CountTooLarge,
    /// Removing a ballot that the tally does not hold.
    NotInTally,
    /// A record with neither struck positions nor marks.
    MissingContent,
    /// A record with both struck positions and marks.
    TwoContents,
}

/// What reading a ballot needs to know of its round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BallotSpec {
    pub layout: Layout,
    /// The most names a voter may keep.
    pub seats: u32,
    /// Names on the ballot.
    pub list: usize,
}

impl Election {
    pub fn ballot_spec(&self) -> BallotSpec {
        BallotSpec { layout: self.layout(), seats: self.seats(), list: self.candidates().len() }
    }
}

impl Ballot {
    /// A strike-list ballot with the given positions struck and no flags.
    pub fn strike(struck: Vec<u32>) -> Self {
        Self { content: BallotContent::Strike(struck), flags: BallotFlags::default() }
    }

    /// An agree/disagree ballot with the given marks and no flags.
    pub fn marks(marks: Vec<Mark>) -> Self {
        Self { content: BallotContent::AgreeDisagree(marks), flags: BallotFlags::default() }
    }

    /// Checks that the record fits the round, then decides its validity (first reason wins).
    pub fn read(&self, spec: BallotSpec) -> Result<Validity, BallotEntryError> {
        match (&self.content, spec.layout) {
            (BallotContent::Strike(struck), Layout::Strike) => check_positions(struck, spec.list)?,
            (BallotContent::AgreeDisagree(marks), Layout::AgreeDisagree) => {
                if marks.len() != spec.list {
                    return Err(BallotEntryError::MarkCountMismatch {
                        expected: spec.list,
                        found: marks.len(),
                    });
                }
            }
            (_, expected) => return Err(BallotEntryError::WrongLayout { expected }),
        }
        let flags = self.flags;
        let reason = if flags.not_issued {
            Some(InvalidReason::NotIssued)
        } else if flags.write_in {
            Some(InvalidReason::WriteIn)
        } else if flags.signed {
            Some(InvalidReason::Signed)
        } else {
            match &self.content {
                BallotContent::Strike(struck) => {
                    // Positions are distinct and in range, so this cannot wrap.
                    let kept = spec.list - struck.len();
                    if kept == 0 {
                        Some(InvalidReason::NoneKept)
                    } else if kept as u64 > u64::from(spec.seats) {
                        Some(InvalidReason::OverVote)
                    } else {
                        None
                    }
                }
                BallotContent::AgreeDisagree(marks) => marks
                    .iter()
                    .all(|m| matches!(m, Mark::Both | Mark::None))
                    .then_some(InvalidReason::NoClearChoice),
            }
        };
        Ok(reason.map_or(Validity::Valid, Validity::Invalid))
    }

    /// Whether the ballot, if valid, gives a vote to the name at 0-based `index`.
    pub fn gives_vote_to(&self, index: usize) -> bool {
        match &self.content {
            BallotContent::Strike(struck) => !struck.iter().any(|&p| p as usize == index + 1),
            BallotContent::AgreeDisagree(marks) => marks.get(index) == Some(&Mark::Agree),
        }
    }
}

/// Positions must be 1-based, within the list, and each struck at most once.
fn check_positions(struck: &[u32], list: usize) -> Result<(), BallotEntryError> {
    let words = list.div_ceil(64);
    let mut small = [0u64; 4];
    let mut large = Vec::new();
    let seen: &mut [u64] = if words <= small.len() {
        &mut small[..words]
    } else {
        large.resize(words, 0);
        &mut large
    };
    for &position in struck {
        let index = (position as usize).wrapping_sub(1);
        if position == 0 || index >= list {
            return Err(BallotEntryError::PositionOutOfRange { position, list });
        }
        let (word, bit) = (index / 64, index % 64);
        if seen[word] & (1 << bit) != 0 {
            return Err(BallotEntryError::DuplicatePosition { position });
        }
        seen[word] |= 1 << bit;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRIKE_9_OF_11: BallotSpec = BallotSpec { layout: Layout::Strike, seats: 9, list: 11 };
    const AGREE_2: BallotSpec = BallotSpec { layout: Layout::AgreeDisagree, seats: 2, list: 2 };
    const AGREE_1: BallotSpec = BallotSpec { layout: Layout::AgreeDisagree, seats: 1, list: 1 };

    fn reason(ballot: &Ballot, spec: BallotSpec) -> Option<&'static str> {
        match ballot.read(spec).expect("well-formed") {
            Validity::Valid => None,
            Validity::Invalid(r) => Some(r.code()),
        }
    }

    fn flagged(mut ballot: Ballot, not_issued: bool, write_in: bool, signed: bool) -> Ballot {
        ballot.flags = BallotFlags { not_issued, write_in, signed };
        ballot
    }

    /// Art. 15, rules.md § 4: a strike-list ballot keeping at most `seats` names and at least one is valid.
    #[test]
    fn art15_strike_list_valid_ballots() {
        assert_eq!(reason(&Ballot::strike(vec![10, 11]), STRIKE_9_OF_11), None);
        assert_eq!(reason(&Ballot::strike((1..=10).collect()), STRIKE_9_OF_11), None);
    }

    /// rules.md § 4 reason 4: every name struck → none_kept.
    #[test]
    fn reason_none_kept() {
        assert_eq!(reason(&Ballot::strike((1..=11).collect()), STRIKE_9_OF_11), Some("none_kept"));
    }

    /// rules.md § 4 reason 5: more names left than seats → over_vote; an untouched ballot is one.
    #[test]
    fn reason_over_vote_including_untouched_ballot() {
        assert_eq!(reason(&Ballot::strike(vec![1]), STRIKE_9_OF_11), Some("over_vote"));
        assert_eq!(reason(&Ballot::strike(vec![]), STRIKE_9_OF_11), Some("over_vote"));
    }

    /// rules.md § 4 reasons 1–3, and their order: not_issued before write_in before signed before
    /// anything the marks say.
    #[test]
    fn reasons_not_issued_write_in_signed_in_order() {
        let untouched = Ballot::strike(vec![]);
        assert_eq!(reason(&flagged(untouched.clone(), true, true, true), STRIKE_9_OF_11), Some("not_issued"));
        assert_eq!(reason(&flagged(untouched.clone(), false, true, true), STRIKE_9_OF_11), Some("write_in"));
        assert_eq!(reason(&flagged(untouched.clone(), false, false, true), STRIKE_9_OF_11), Some("signed"));
        let fine = Ballot::strike(vec![1, 2]);
        assert_eq!(reason(&flagged(fine, false, false, true), STRIKE_9_OF_11), Some("signed"));
        let all = Ballot::marks(vec![Mark::Both, Mark::None]);
        assert_eq!(reason(&flagged(all, false, true, false), AGREE_2), Some("write_in"));
    }

    /// rules.md § 4 reason 6, one name: both boxes or neither → no_clear_choice; disagree is valid.
    #[test]
    fn reason_no_clear_choice_single_name() {
        assert_eq!(reason(&Ballot::marks(vec![Mark::Both]), AGREE_1), Some("no_clear_choice"));
        assert_eq!(reason(&Ballot::marks(vec![Mark::None]), AGREE_1), Some("no_clear_choice"));
        assert_eq!(reason(&Ballot::marks(vec![Mark::Disagree]), AGREE_1), None);
        assert_eq!(reason(&Ballot::marks(vec![Mark::Agree]), AGREE_1), None);
    }

    /// rules.md § 4 reason 6, several names: invalid only when every row is both or neither.
    #[test]
    fn reason_no_clear_choice_several_names() {
        assert_eq!(reason(&Ballot::marks(vec![Mark::Both, Mark::None]), AGREE_2), Some("no_clear_choice"));
        assert_eq!(reason(&Ballot::marks(vec![Mark::None, Mark::Disagree]), AGREE_2), None);
        let partly = Ballot::marks(vec![Mark::Agree, Mark::Both]);
        assert_eq!(reason(&partly, AGREE_2), None);
        assert!(partly.gives_vote_to(0));
        assert!(!partly.gives_vote_to(1));
    }

    /// evaluate.md: a record of the wrong layout, a position out of range or repeated, or a wrong
    /// number of marks is a data-entry error, not an invalid ballot.
    #[test]
    fn entry_errors_are_not_invalid_ballots() {
        let cases = [
            (Ballot::marks(vec![Mark::Agree; 11]), STRIKE_9_OF_11, "WrongLayout"),
            (Ballot::strike(vec![]), AGREE_2, "WrongLayout"),
            (Ballot::strike(vec![0]), STRIKE_9_OF_11, "PositionOutOfRange"),
            (Ballot::strike(vec![12]), STRIKE_9_OF_11, "PositionOutOfRange"),
            (Ballot::strike(vec![u32::MAX]), STRIKE_9_OF_11, "PositionOutOfRange"),
            (Ballot::strike(vec![3, 3]), STRIKE_9_OF_11, "DuplicatePosition"),
            (Ballot::marks(vec![Mark::Agree]), AGREE_2, "MarkCountMismatch"),
        ];
        for (ballot, spec, expected) in cases {
            let err = ballot.read(spec).expect_err("entry error");
            assert!(format!("{err:?}").starts_with(expected), "{err:?} is not {expected}");
        }
        // Flags never hide an entry error.
        let bad = flagged(Ballot::strike(vec![3, 3]), true, false, false);
        assert!(bad.read(STRIKE_9_OF_11).is_err());
    }

    #[test]
    fn long_lists_check_duplicates_beyond_256_names() {
        let spec = BallotSpec { layout: Layout::Strike, seats: 290, list: 300 };
        let err = Ballot::strike(vec![299, 5, 299]).read(spec);
        assert_eq!(err, Err(BallotEntryError::DuplicatePosition { position: 299 }));
        assert_eq!(Ballot::strike((1..=10).collect()).read(spec), Ok(Validity::Valid));
    }
}

/// Why a ballot code could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeError(pub String);

impl Ballot {
    /// The canonical one-line form of a ballot, used to store entries and compare them:
    /// `x:2,5` (strike list, positions ascending; `x:` when nothing is struck),
    /// `m:aadbn` (agree/disagree list: `a` agree, `d` disagree, `b` both, `n` none, one per row),
    /// followed by `!n` (not issued), `!w` (write-in), `!s` (signed) when set. Two readings of the
    /// same paper give the same code.
    pub fn to_code(&self) -> String {
        let mut code = match &self.content {
            BallotContent::Strike(struck) => {
                let mut s = struck.clone();
                s.sort_unstable();
                let list: Vec<String> = s.iter().map(u32::to_string).collect();
                format!("x:{}", list.join(","))
            }
            BallotContent::AgreeDisagree(marks) => {
                let m: String = marks
                    .iter()
                    .map(|m| match m {
                        Mark::Agree => 'a',
                        Mark::Disagree => 'd',
                        Mark::Both => 'b',
                        Mark::None => 'n',
                    })
                    .collect();
                format!("m:{m}")
            }
        };
        for (on, flag) in
            [(self.flags.not_issued, "!n"), (self.flags.write_in, "!w"), (self.flags.signed, "!s")]
        {
            if on {
                code.push_str(flag);
            }
        }
        code
    }

    /// Reads a code written by [`Ballot::to_code`] (positions in any order are accepted).
    pub fn from_code(code: &str) -> Result<Self, CodeError> {
        let bad = |why: &str| CodeError(format!("mã phiếu \"{code}\" không hợp lệ: {why}"));
        let mut parts = code.trim().split('!');
        let body = parts.next().unwrap_or_default();
        let mut flags = BallotFlags::default();
        for f in parts {
            match f {
                "n" => flags.not_issued = true,
                "w" => flags.write_in = true,
                "s" => flags.signed = true,
                _ => return Err(bad("cờ không rõ")),
            }
        }
        let content = if let Some(list) = body.strip_prefix("x:") {
            let struck = if list.is_empty() {
                Vec::new()
            } else {
                list.split(',')
                    .map(|p| p.trim().parse::<u32>().map_err(|_| bad("số thứ tự")))
                    .collect::<Result<_, _>>()?
            };
            BallotContent::Strike(struck)
        } else if let Some(marks) = body.strip_prefix("m:") {
            let marks = marks
                .chars()
                .map(|c| match c {
                    'a' => Ok(Mark::Agree),
                    'd' => Ok(Mark::Disagree),
                    'b' => Ok(Mark::Both),
                    'n' => Ok(Mark::None),
                    _ => Err(bad("dấu không rõ")),
                })
                .collect::<Result<_, _>>()?;
            BallotContent::AgreeDisagree(marks)
        } else {
            return Err(bad("phải bắt đầu bằng x: hoặc m:"));
        };
        Ok(Ballot { content, flags })
    }
}

#[cfg(test)]
mod code_tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_canonical() {
        let mut b = Ballot::strike(vec![5, 2]);
        b.flags.signed = true;
        assert_eq!(b.to_code(), "x:2,5!s");
        assert_eq!(Ballot::from_code("x:5,2!s").map(|b| b.to_code()), Ok("x:2,5!s".into()));
        assert_eq!(Ballot::from_code("x:").map(|b| b.content), Ok(BallotContent::Strike(vec![])));
        let m = Ballot::marks(vec![Mark::Agree, Mark::Disagree, Mark::Both, Mark::None]);
        assert_eq!(m.to_code(), "m:adbn");
        assert_eq!(
            Ballot::from_code("m:adbn!n!w").map(|b| (b.flags.not_issued, b.flags.write_in)),
            Ok((true, true))
        );
        for bad in ["", "y:1", "x:a", "m:z", "x:1!q"] {
            assert!(Ballot::from_code(bad).is_err(), "{bad}");
        }
    }
}
