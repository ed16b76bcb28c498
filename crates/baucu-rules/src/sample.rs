//! Deterministic sample ballots, for benchmarks, load tests and the demo congress. A fixed seed gives
//! the same ballots on every machine; nothing here reads a clock or the operating system's randomness.

/// xorshift64*: small, fast and good enough to spread marks over a list.
#[derive(Debug, Clone)]
pub struct SampleRng(u64);

impl SampleRng {
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (`n ≥ 1`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

/// `count` strike-list ballots for a list of `list` names and `seats` seats: most strike enough names
/// to be valid (between `list − seats` and `list − 1`), about one in fifty strikes too few (an
/// over-vote) and one in a hundred strikes everything. Names near the top of the list are struck less
/// often, so the result has a clear order. Positions are 1-based and distinct.
pub fn strike_ballots(list: u32, seats: u32, count: usize, seed: u64) -> Vec<Vec<u32>> {
    let mut rng = SampleRng::new(seed);
    let min_struck = list.saturating_sub(seats);
    (0..count)
        .map(|_| {
            let roll = rng.below(100);
            let strikes = match roll {
                0 => list,
                1 | 2 => rng.below(u64::from(min_struck.max(1))) as u32,
                _ => {
                    min_struck
                        + rng.below(u64::from(seats.min(list.saturating_sub(min_struck)).max(1))) as u32
                }
            };
            // A partial Fisher–Yates shuffle biased towards the end of the list.
            let mut positions: Vec<u32> = (1..=list).collect();
            let mut struck = Vec::with_capacity(strikes as usize);
            for i in 0..strikes.min(list) as usize {
                let remaining = positions.len() - i;
                let a = rng.below(remaining as u64) as usize;
                let b = rng.below(remaining as u64) as usize;
                let j = i + a.max(b);
                positions.swap(i, j);
                struck.push(positions[i]);
            }
            struck
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_ballots_are_deterministic_and_well_formed() {
        let a = strike_ballots(60, 50, 2_000, 7);
        assert_eq!(a, strike_ballots(60, 50, 2_000, 7));
        assert_ne!(a, strike_ballots(60, 50, 2_000, 8));
        for ballot in &a {
            let mut sorted = ballot.clone();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), ballot.len(), "distinct positions");
            assert!(ballot.iter().all(|&p| (1..=60).contains(&p)));
        }
        let valid = a.iter().filter(|b| (10..60).contains(&b.len())).count();
        assert!(valid > 1_800, "most sample ballots are valid: {valid}");
    }
}
