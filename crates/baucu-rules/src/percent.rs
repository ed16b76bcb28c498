//! Percentages of a base (rules.md § 6): two decimals, rounding half up, computed in integers.

use std::fmt;

/// A percentage in hundredths of a percent: `Percent(8750)` is 87.50 %.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Percent(u64);

impl Percent {
    pub const ZERO: Percent = Percent(0);

    /// `round_half_up(part × 10000 / base)` hundredths, exactly; `None` when the base is 0.
    ///
    /// Half up of x = p/q is ⌊x + ½⌋ = ⌊(2p + q) / 2q⌋, so no floating point is ever involved and
    /// 1 of 8 is exactly 12.50 %, 1 of 800 is 0.13 %.
    pub fn of(part: u64, base: u64) -> Option<Self> {
        if base == 0 {
            return None;
        }
        let (part, base) = (u128::from(part), u128::from(base));
        let hundredths = (2 * part * 10_000 + base) / (2 * base);
        // part ≤ u64::MAX and base ≥ 1 bound the quotient by 10_000 × u64::MAX + 1, which fits in
        // u128; a percentage beyond u64 hundredths cannot come from counts of ballots.
        Some(Self(u64::try_from(hundredths).unwrap_or(u64::MAX)))
    }

    /// A percentage read back from storage, where it was written by [`Percent::hundredths`].
    pub fn from_hundredths(hundredths: u64) -> Self {
        Self(hundredths)
    }

    pub fn hundredths(self) -> u64 {
        self.0
    }

    /// Written the Vietnamese way, with a decimal comma: `87,50`.
    pub fn to_vietnamese(self) -> String {
        format!("{},{:02}", self.0 / 100, self.0 % 100)
    }
}

/// Written for files and the API, with a decimal point: `87.50`.
impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// rules.md § 6: the examples of the regulation's percentages.
    #[test]
    fn percent_examples_of_rules_6() {
        assert_eq!(Percent::of(1, 800).map(|p| p.to_string()).as_deref(), Some("0.13"));
        assert_eq!(Percent::of(7, 8).map(|p| p.to_string()).as_deref(), Some("87.50"));
        assert_eq!(Percent::of(7, 8).map(Percent::to_vietnamese).as_deref(), Some("87,50"));
        assert_eq!(Percent::of(90, 108).map(|p| p.to_string()).as_deref(), Some("83.33"));
        assert_eq!(Percent::of(98, 196).map(|p| p.to_string()).as_deref(), Some("50.00"));
        assert_eq!(Percent::of(5, 5).map(|p| p.to_string()).as_deref(), Some("100.00"));
        assert_eq!(Percent::of(0, 5).map(|p| p.to_string()).as_deref(), Some("0.00"));
        assert_eq!(Percent::of(1, 0), None);
    }

    /// rules.md § 6: exactly half a hundredth rounds up (1/16 = 6.25 %, 1/1600 = 0.0625 % → 0.06,
    /// 1/400 = 0.25 %, 1/80000 = 0.00125 % → 0.00, 1/40000 = 0.0025 % → 0.00, 1/20000 = 0.005 % → 0.01).
    #[test]
    fn half_rounds_up() {
        assert_eq!(Percent::of(1, 20_000), Some(Percent(1)));
        assert_eq!(Percent::of(1, 40_000), Some(Percent(0)));
        assert_eq!(Percent::of(3, 40_000), Some(Percent(1)));
        assert_eq!(Percent::of(u64::MAX, u64::MAX), Some(Percent(10_000)));
    }
}
