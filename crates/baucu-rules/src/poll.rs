//! The opinion poll on names the convening committee did not propose (rules.md § 3, Art. 14).

use crate::election::Body;
use crate::error::RulesError;
use crate::list::bounds;

/// The least number of agreements that passes: more than 30 % of those present, `10 × agree > 3 ×
/// present`.
pub fn gate(present: u32) -> u64 {
    u64::from(present) * 3 / 10 + 1
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExcludeReason {
    /// Not more than 30 % of those present agreed.
    BelowGate,
    /// Passed the gate, but the list was full.
    OverCap,
}

impl ExcludeReason {
    pub fn code(self) -> &'static str {
        match self {
            ExcludeReason::BelowGate => "below_gate",
            ExcludeReason::OverCap => "over_cap",
        }
    }
}

/// The outcome of a poll; indices refer to the nominees as given.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PollOutcome {
    pub gate: u64,
    /// By agreement descending, equal agreement in input order.
    pub included: Vec<usize>,
    /// In input order.
    pub excluded: Vec<(usize, ExcludeReason)>,
    /// A group with equal agreement that the cap falls inside: the congress decides.
    pub tie: Option<(u64, Vec<usize>)>,
    pub list_size: u64,
}

/// Decides which outside nominees go on the list. Passers are taken in descending order of agreement
/// while the list stays within its maximum (default reading); the convening committee's names are
/// never dropped.
pub fn decide_poll(
    present: u32,
    body: Body,
    seats: u32,
    alternate_seats: u32,
    convening_list_size: u64,
    agree: &[u32],
) -> Result<PollOutcome, RulesError> {
    if seats == 0 {
        return Err(RulesError::input("election.seats", "số cần bầu phải ít nhất là 1"));
    }
    if alternate_seats > 0 && body != Body::Delegates {
        return Err(RulesError::input(
            "election.alternate_seats",
            "số đại biểu dự khuyết chỉ dùng khi bầu đại biểu dự đại hội cấp trên",
        ));
    }
    if let Some(i) = agree.iter().position(|&a| a > present) {
        return Err(RulesError::input(
            format!("nominees[{i}].agree"),
            format!("số đồng ý ({}) lớn hơn số có mặt ({present})", agree[i]),
        ));
    }
    let gate = gate(present);
    let mut room = match bounds(body, seats, alternate_seats).max {
        Some(max) => max.saturating_sub(convening_list_size),
        None => u64::MAX,
    };
    let mut passers: Vec<usize> = (0..agree.len()).filter(|&i| u64::from(agree[i]) >= gate).collect();
    passers.sort_by(|&a, &b| agree[b].cmp(&agree[a]));

    let mut included = Vec::new();
    let mut over_cap = Vec::new();
    let mut tie = None;
    for group in passers.chunk_by(|&a, &b| agree[a] == agree[b]) {
        let size = group.len() as u64;
        if tie.is_none() && size <= room {
            included.extend_from_slice(group);
            room -= size;
        } else if tie.is_none() && room > 0 {
            tie = Some((room, group.to_vec()));
        } else {
            over_cap.extend_from_slice(group);
        }
    }
    let mut excluded: Vec<(usize, ExcludeReason)> = (0..agree.len())
        .filter(|&i| u64::from(agree[i]) < gate)
        .map(|i| (i, ExcludeReason::BelowGate))
        .chain(over_cap.into_iter().map(|i| (i, ExcludeReason::OverCap)))
        .collect();
    excluded.sort_unstable_by_key(|&(i, _)| i);
    let list_size = convening_list_size + included.len() as u64;
    Ok(PollOutcome { gate, included, excluded, tie, list_size })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Art. 14: an outside nominee needs more than 30 % of those present: 10 × agree > 3 × present.
    #[test]
    fn art14_gate_more_than_30_percent_of_present() {
        assert_eq!(gate(150), 46); // 45 is exactly 30 %: not enough
        assert_eq!(gate(10), 4); // 3 is exactly 30 %
        assert_eq!(gate(11), 4); // 3.3 is 30 %: 4 is more
        assert_eq!(gate(0), 1);
        for present in 0..2_000u32 {
            let g = gate(present);
            assert!(10 * g > 3 * u64::from(present) && 10 * (g - 1) <= 3 * u64::from(present));
        }
    }

    /// rules.md § 3: passers go on in descending order of agreement until the list's maximum.
    #[test]
    fn passers_fill_the_list_up_to_its_maximum() {
        // committee of 15: max 19; convening 17 → room for 2.
        let p = decide_poll(150, Body::Committee, 15, 0, 17, &[50, 80, 45, 60]).expect("decides");
        assert_eq!(p.included, [1, 3]);
        assert_eq!(p.excluded, [(0, ExcludeReason::OverCap), (2, ExcludeReason::BelowGate)]);
        assert_eq!((p.tie, p.list_size), (None, 19));
    }

    /// rules.md § 3: a tie at the cut-off is reported for the congress to decide.
    #[test]
    fn tie_at_the_cap_is_reported() {
        let p = decide_poll(150, Body::Committee, 15, 0, 17, &[80, 60, 60, 50]).expect("decides");
        assert_eq!(p.included, [0]);
        assert_eq!(p.tie, Some((1, vec![1, 2])));
        assert_eq!(p.excluded, [(3, ExcludeReason::OverCap)]);
        assert_eq!(p.list_size, 18);
    }

    /// rules.md § 3: the convening committee's names are never dropped, even beyond the maximum.
    #[test]
    fn convening_names_are_never_dropped() {
        let p = decide_poll(100, Body::Committee, 15, 0, 20, &[90]).expect("decides");
        assert_eq!((p.included.len(), p.list_size), (0, 20));
        assert_eq!(p.excluded, [(0, ExcludeReason::OverCap)]);
    }

    /// Single posts have no maximum: every passer goes on.
    #[test]
    fn single_posts_take_every_passer() {
        let p = decide_poll(20, Body::Secretary, 1, 0, 1, &[7, 7, 6]).expect("decides");
        assert_eq!((p.included.as_slice(), p.list_size), ([0, 1].as_slice(), 3));
        assert_eq!(p.excluded, [(2, ExcludeReason::BelowGate)]);
    }

    #[test]
    fn agreement_beyond_present_is_invalid_input() {
        let err = decide_poll(10, Body::Committee, 5, 0, 6, &[3, 11]).expect_err("invalid");
        assert_eq!(err, RulesError::input("nominees[1].agree", "số đồng ý (11) lớn hơn số có mặt (10)"));
    }
}
