//! The election list and its surplus (rules.md § 3, Art. 14 of the regulation).

use crate::election::{Body, Layout};
use crate::error::RulesError;

/// How many names a list may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ListBounds {
    pub min: u64,
    /// `None` for single posts, which have no maximum.
    pub max: Option<u64>,
}

/// The seats a list serves: for delegates, official plus alternate seats (one common list).
fn list_seats(body: Body, seats: u32, alternate_seats: u32) -> u64 {
    let seats = u64::from(seats);
    if body == Body::Delegates { seats + u64::from(alternate_seats) } else { seats }
}

/// The largest surplus allowed: `max(1, ⌊0.30 × seats⌋)`; bodies of 3 to 5 get 1.
pub fn surplus_cap(seats: u64) -> u64 {
    (seats * 3 / 10).max(1)
}

/// The convening committee's advised surplus, in whole people: `max(1, ⌊0.10 × seats⌋)` to
/// `max(1, ⌈0.15 × seats⌉)`.
pub fn convening_surplus_range(seats: u64) -> (u64, u64) {
    ((seats / 10).max(1), (seats * 15).div_ceil(100).max(1))
}

/// The bounds of Art. 14 for a body electing `seats` (and, for delegates, `alternate_seats`).
pub fn bounds(body: Body, seats: u32, alternate_seats: u32) -> ListBounds {
    let s = list_seats(body, seats, alternate_seats);
    if body.is_single_post() {
        ListBounds { min: s, max: None }
    } else {
        let min = if body.requires_surplus() { s + 1 } else { s };
        ListBounds { min, max: Some(s + surplus_cap(s)) }
    }
}

/// What a list check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FindingCode {
    /// A committee or standing committee list without the mandatory surplus.
    NoSurplus,
    SurplusExceedsCap,
    ListShorterThanSeats,
    /// Advice only: the convening committee's surplus is outside 10 %–15 %.
    ConveningSurplusOutsideRange,
}

impl FindingCode {
    pub fn code(self) -> &'static str {
        match self {
            FindingCode::NoSurplus => "no_surplus",
            FindingCode::SurplusExceedsCap => "surplus_exceeds_cap",
            FindingCode::ListShorterThanSeats => "list_shorter_than_seats",
            FindingCode::ConveningSurplusOutsideRange => "convening_surplus_outside_range",
        }
    }

    pub fn severity(self) -> Severity {
        match self {
            FindingCode::ConveningSurplusOutsideRange => Severity::Warning,
            _ => Severity::Error,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn code(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One finding, with the figures its message needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Finding {
    pub code: FindingCode,
    pub list_size: u64,
    pub seats: u64,
    pub bounds: ListBounds,
    /// For the convening-committee advice: its surplus and the advised range.
    pub convening: Option<(i64, u64, u64)>,
}

/// The check of an election list before it is voted.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ListCheck {
    pub bounds: ListBounds,
    /// `None` when the list is shorter than the seats.
    pub layout: Option<Layout>,
    pub findings: Vec<Finding>,
}

impl ListCheck {
    /// False exactly when a finding is an error.
    pub fn ok(&self) -> bool {
        self.findings.iter().all(|f| f.code.severity() != Severity::Error)
    }
}

/// Checks a list of `list_size` names, of which `convening_list_size` (if given) come from the
/// convening committee.
pub fn check_list(
    body: Body,
    seats: u32,
    alternate_seats: u32,
    list_size: u64,
    convening_list_size: Option<u64>,
) -> Result<ListCheck, RulesError> {
    if seats == 0 {
        return Err(RulesError::input("election.seats", "số cần bầu phải ít nhất là 1"));
    }
    if alternate_seats > 0 && body != Body::Delegates {
        return Err(RulesError::input(
            "election.alternate_seats",
            "số đại biểu dự khuyết chỉ dùng khi bầu đại biểu dự đại hội cấp trên",
        ));
    }
    if let Some(convening) = convening_list_size
        && convening > list_size
    {
        return Err(RulesError::input(
            "convening_list_size",
            format!(
                "danh sách của cấp ủy ({convening} người) dài hơn cả danh sách bầu cử ({list_size} người)"
            ),
        ));
    }
    let bounds = bounds(body, seats, alternate_seats);
    let s = list_seats(body, seats, alternate_seats);
    let finding = |code| Finding { code, list_size, seats: s, bounds, convening: None };
    let mut findings = Vec::new();
    if list_size < s {
        findings.push(finding(FindingCode::ListShorterThanSeats));
    } else if list_size < bounds.min {
        findings.push(finding(FindingCode::NoSurplus));
    } else if bounds.max.is_some_and(|max| list_size > max) {
        findings.push(finding(FindingCode::SurplusExceedsCap));
    }
    if let Some(convening) = convening_list_size
        && !body.is_single_post()
    {
        let (lo, hi) = convening_surplus_range(s);
        let surplus = convening as i64 - s as i64;
        if surplus < lo as i64 || surplus > hi as i64 {
            findings.push(Finding {
                convening: Some((surplus, lo, hi)),
                ..finding(FindingCode::ConveningSurplusOutsideRange)
            });
        }
    }
    Ok(ListCheck { bounds, layout: Layout::for_list(list_size, seats), findings })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(check: &ListCheck) -> Vec<&'static str> {
        check.findings.iter().map(|f| f.code.code()).collect()
    }

    /// Art. 14: a committee list needs a surplus of at least 1 and at most max(1, ⌊30 % × seats⌋).
    #[test]
    fn art14_committee_bounds() {
        let b = bounds(Body::Committee, 15, 0);
        assert_eq!((b.min, b.max), (16, Some(19)));
        let over = check_list(Body::Committee, 15, 0, 20, Some(17)).expect("checks");
        assert_eq!(codes(&over), ["surplus_exceeds_cap"]);
        assert!(!over.ok());
        let none = check_list(Body::Committee, 15, 0, 15, None).expect("checks");
        assert_eq!(codes(&none), ["no_surplus"]);
        assert_eq!(none.layout, Some(Layout::AgreeDisagree));
        assert!(check_list(Body::Committee, 15, 0, 19, None).expect("checks").ok());
    }

    /// Art. 14: bodies of 3 to 5 members may have a surplus of at most 1.
    #[test]
    fn art14_small_bodies_surplus_of_one() {
        for seats in 1..=6 {
            let b = bounds(Body::StandingCommittee, seats, 0);
            assert_eq!(b.max, Some(u64::from(seats) + 1), "seats {seats}");
        }
        assert_eq!(bounds(Body::StandingCommittee, 7, 0).max, Some(9));
    }

    /// Art. 14, default reading: inspection committee and delegates need no surplus; delegates count
    /// official plus alternate seats.
    #[test]
    fn art14_inspection_and_delegates_bounds() {
        let i = check_list(Body::InspectionCommittee, 5, 0, 5, None).expect("checks");
        assert!(i.ok());
        assert_eq!(i.bounds, ListBounds { min: 5, max: Some(6) });
        let d = bounds(Body::Delegates, 10, 3);
        assert_eq!((d.min, d.max), (13, Some(16)));
        let short = check_list(Body::Delegates, 10, 3, 12, None).expect("checks");
        assert_eq!(codes(&short), ["list_shorter_than_seats"]);
        assert_eq!(short.layout, Some(Layout::Strike));
    }

    /// Art. 14: single posts have no maximum; a shorter list is an error.
    #[test]
    fn art14_single_posts() {
        let s = check_list(Body::Secretary, 1, 0, 3, Some(1)).expect("checks");
        assert_eq!((s.bounds.max, s.ok()), (None, true));
        assert!(s.findings.is_empty(), "no surplus advice for single posts");
        let short = check_list(Body::DeputySecretary, 2, 0, 1, None).expect("checks");
        assert_eq!(codes(&short), ["list_shorter_than_seats"]);
        assert_eq!(short.layout, None);
    }

    /// rules.md § 3: the convening committee's surplus of 10 %–15 % is advice: a warning, never an error.
    #[test]
    fn convening_surplus_is_a_warning() {
        assert_eq!(convening_surplus_range(15), (1, 3));
        assert_eq!(convening_surplus_range(5), (1, 1));
        assert_eq!(convening_surplus_range(40), (4, 6));
        let c = check_list(Body::Committee, 15, 0, 19, Some(19)).expect("checks");
        assert_eq!(codes(&c), ["convening_surplus_outside_range"]);
        assert_eq!(c.findings[0].code.severity(), Severity::Warning);
        assert!(c.ok());
        assert!(check_list(Body::Committee, 15, 0, 17, Some(17)).expect("checks").findings.is_empty());
    }

    #[test]
    fn impossible_lists_are_invalid_input() {
        assert!(check_list(Body::Committee, 0, 0, 3, None).is_err());
        assert!(check_list(Body::Committee, 3, 1, 5, None).is_err());
        assert!(check_list(Body::Committee, 3, 0, 4, Some(5)).is_err());
    }
}
