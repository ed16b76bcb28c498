//! What is elected (rules.md § 2), the purpose of a round (§ 5), and the ballot layout (§ 4).

use crate::error::RulesError;
use crate::name::PersonName;
use serde::{Deserialize, Serialize};

/// A body or post elected by secret ballot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Body {
    Committee,
    StandingCommittee,
    Secretary,
    DeputySecretary,
    InspectionCommittee,
    InspectionChair,
    InspectionDeputyChair,
    Delegates,
}

impl Body {
    /// The usual order of elections (rules.md § 2).
    pub const ALL: [Body; 8] = [
        Body::Committee,
        Body::Delegates,
        Body::StandingCommittee,
        Body::Secretary,
        Body::DeputySecretary,
        Body::InspectionCommittee,
        Body::InspectionChair,
        Body::InspectionDeputyChair,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Body::Committee => "committee",
            Body::StandingCommittee => "standing_committee",
            Body::Secretary => "secretary",
            Body::DeputySecretary => "deputy_secretary",
            Body::InspectionCommittee => "inspection_committee",
            Body::InspectionChair => "inspection_chair",
            Body::InspectionDeputyChair => "inspection_deputy_chair",
            Body::Delegates => "delegates",
        }
    }

    /// The value a code names; `None` for an unknown code (callers refuse it, never default).
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.code() == code)
    }

    /// A single post (secretary, deputies, inspection chair and deputy chairs): its list has no
    /// maximum and no surplus is asked of it.
    pub fn is_single_post(self) -> bool {
        matches!(
            self,
            Body::Secretary | Body::DeputySecretary | Body::InspectionChair | Body::InspectionDeputyChair
        )
    }

    /// The committee and its standing committee must be elected from a list with a surplus (Art. 14).
    pub fn requires_surplus(self) -> bool {
        matches!(self, Body::Committee | Body::StandingCommittee)
    }
}

/// What a round is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// A first or further round: winners need `votes ≥ T`.
    #[default]
    Regular,
    /// Among tied candidates only, for the seats left by the tie: the most votes win, the majority is
    /// not required again (rules.md § 5, default reading).
    TieBreak,
    /// Delegates only: a round for alternate seats left unfilled, under the same threshold.
    Alternates,
}

impl Purpose {
    pub fn code(self) -> &'static str {
        match self {
            Purpose::Regular => "regular",
            Purpose::TieBreak => "tie_break",
            Purpose::Alternates => "alternates",
        }
    }

    pub const ALL: [Purpose; 3] = [Purpose::Regular, Purpose::TieBreak, Purpose::Alternates];

    /// The value a code names; `None` for an unknown code (callers refuse it, never default).
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.code() == code)
    }
}

/// The ballot layout, which follows from the list (Art. 15).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// Danh sách có số dư (more names than seats): strike the names you do not vote for.
    Strike,
    /// Danh sách không có số dư (as many names as seats): agree or disagree with each name.
    AgreeDisagree,
}

impl Layout {
    /// The layout of a list of `list` names for `seats` seats; `None` when the list is too short.
    pub fn for_list(list: u64, seats: u32) -> Option<Self> {
        match list.cmp(&u64::from(seats)) {
            std::cmp::Ordering::Greater => Some(Layout::Strike),
            std::cmp::Ordering::Equal => Some(Layout::AgreeDisagree),
            std::cmp::Ordering::Less => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Layout::Strike => "strike",
            Layout::AgreeDisagree => "agree_disagree",
        }
    }

    pub const ALL: [Layout; 2] = [Layout::Strike, Layout::AgreeDisagree];

    /// The value a code names; `None` for an unknown code (callers refuse it, never default).
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.code() == code)
    }
}

/// One election round: what is elected, for how many seats, from which names in ballot order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Election {
    body: Body,
    purpose: Purpose,
    seats: u32,
    alternate_seats: u32,
    candidates: Vec<PersonName>,
    layout: Layout,
}

impl Election {
    /// Checks the round's definition. `seats` is what a voter may keep: the official seats for a
    /// regular delegates round, the alternate seats for an alternates round, the tied seats for a
    /// tie-break round.
    pub fn new(
        body: Body,
        purpose: Purpose,
        seats: u32,
        alternate_seats: u32,
        candidates: Vec<PersonName>,
    ) -> Result<Self, RulesError> {
        if seats == 0 {
            return Err(RulesError::input("election.seats", "số cần bầu phải ít nhất là 1"));
        }
        if purpose == Purpose::Alternates && body != Body::Delegates {
            return Err(RulesError::input(
                "election.purpose",
                "chỉ bầu đại biểu mới có lần bầu đại biểu dự khuyết (alternates)",
            ));
        }
        if alternate_seats > 0 && (body != Body::Delegates || purpose != Purpose::Regular) {
            return Err(RulesError::input(
                "election.alternate_seats",
                "số đại biểu dự khuyết chỉ dùng cho lần bầu đại biểu thông thường (body delegates, purpose regular)",
            ));
        }
        let list = candidates.len() as u64;
        let layout = Layout::for_list(list, seats).ok_or(RulesError::ListShorterThanSeats { list, seats })?;
        Ok(Self { body, purpose, seats, alternate_seats, candidates, layout })
    }

    pub fn body(&self) -> Body {
        self.body
    }

    pub fn purpose(&self) -> Purpose {
        self.purpose
    }

    pub fn seats(&self) -> u32 {
        self.seats
    }

    pub fn alternate_seats(&self) -> u32 {
        self.alternate_seats
    }

    pub fn candidates(&self) -> &[PersonName] {
        &self.candidates
    }

    pub fn layout(&self) -> Layout {
        self.layout
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: usize) -> Vec<PersonName> {
        (0..n).map(|i| PersonName::parse(&format!("Người Số {i}")).expect("valid")).collect()
    }

    /// Art. 15: more names than seats → strike list; as many → agree/disagree; fewer → error.
    #[test]
    fn art15_layout_follows_the_list() {
        let strike = Election::new(Body::Committee, Purpose::Regular, 9, 0, names(11)).expect("ok");
        assert_eq!(strike.layout(), Layout::Strike);
        let agree = Election::new(Body::Secretary, Purpose::Regular, 1, 0, names(1)).expect("ok");
        assert_eq!(agree.layout(), Layout::AgreeDisagree);
        let short = Election::new(Body::Committee, Purpose::Regular, 9, 0, names(8));
        assert_eq!(short.expect_err("short").code(), "list_shorter_than_seats");
    }

    #[test]
    fn seats_and_purposes_are_checked() {
        let zero = Election::new(Body::Committee, Purpose::Regular, 0, 0, names(2));
        assert_eq!(zero.expect_err("zero").code(), "invalid_input");
        let alt = Election::new(Body::Committee, Purpose::Alternates, 1, 0, names(2));
        assert_eq!(alt.expect_err("alternates").code(), "invalid_input");
        let alt_seats = Election::new(Body::Committee, Purpose::Regular, 1, 1, names(2));
        assert_eq!(alt_seats.expect_err("alternate seats").code(), "invalid_input");
        let tb = Election::new(Body::Delegates, Purpose::TieBreak, 1, 1, names(2));
        assert_eq!(tb.expect_err("alternate seats").code(), "invalid_input");
        assert!(Election::new(Body::Delegates, Purpose::Regular, 4, 2, names(7)).is_ok());
    }
}
