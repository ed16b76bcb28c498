//! Property tests of the engine (rules.md §§ 4–6). Seeds are fixed so every run checks the same cases.

use baucu_rules::Percent;
use baucu_rules::assembly::Base;
use baucu_rules::case::{Answer, evaluate};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};
use serde_json::{Value, json};

fn config(cases: u32) -> Config {
    Config { cases, rng_seed: RngSeed::Fixed(0x00BA_0C00), failure_persistence: None, ..Config::default() }
}

/// A round: list size, seats, alternate seats (delegates only) and ballots, each a JSON ballot.
#[derive(Debug, Clone)]
struct RoundSpec {
    list: usize,
    seats: usize,
    alternate_seats: usize,
    purpose: &'static str,
    base: u32,
    ballots: Vec<Value>,
}

fn ballot(list: usize, strike_layout: bool) -> impl Strategy<Value = Value> {
    let flags = (0..40u8).prop_map(|r| match r {
        0 => Some("not_issued"),
        1 => Some("write_in"),
        2 => Some("signed"),
        _ => None,
    });
    let content = if strike_layout {
        proptest::sample::subsequence((1..=list as u32).collect::<Vec<_>>(), 0..=list)
            .prop_shuffle()
            .prop_map(|s| json!({ "struck": s }))
            .boxed()
    } else {
        proptest::collection::vec(
            prop_oneof![4 => Just("agree"), 2 => Just("disagree"), 1 => Just("both"), 1 => Just("none")],
            list,
        )
        .prop_map(|m| json!({ "marks": m }))
        .boxed()
    };
    (content, flags).prop_map(|(mut b, flag)| {
        if let Some(flag) = flag {
            b[flag] = json!(true);
        }
        b
    })
}

fn round_spec() -> impl Strategy<Value = RoundSpec> {
    (1usize..10, 0usize..4, 0usize..3, 0u8..3).prop_flat_map(|(seats, extra, alternates, purpose)| {
        let list = seats + extra + if purpose == 2 { 0 } else { alternates };
        let purpose = ["regular", "tie_break", "alternates"][purpose as usize];
        let alternate_seats = if purpose == "regular" { alternates } else { 0 };
        (
            Just(list),
            Just(seats),
            Just(alternate_seats),
            Just(purpose),
            1u32..60,
            proptest::collection::vec(ballot(list, list > seats), 0..60),
        )
            .prop_map(|(list, seats, alternate_seats, purpose, base, ballots)| RoundSpec {
                list,
                seats,
                alternate_seats,
                purpose,
                base,
                ballots,
            })
    })
}

fn case(spec: &RoundSpec, ballots: &[Value]) -> Value {
    let candidates: Vec<String> = (0..spec.list).map(|i| format!("Người {}", i + 1)).collect();
    json!({
        "kind": "round",
        "assembly": { "type": "plenum", "summoned": spec.base + 3, "present": spec.base, "excluded": { "suspended": 3 } },
        "election": { "body": "delegates", "purpose": spec.purpose, "seats": spec.seats,
                      "alternate_seats": spec.alternate_seats, "candidates": candidates },
        "ballots_issued": 10_000,
        "ballots": ballots,
    })
}

fn answer(case: &Value) -> Value {
    let bytes = serde_json::to_vec(case).expect("serialise");
    match evaluate(&bytes) {
        Ok(Answer::Round(a)) => serde_json::to_value(a).expect("serialise"),
        other => panic!("expected a round answer, got {other:?}"),
    }
}

/// Identical ballots folded into `count` groups, in order of first appearance.
fn grouped(ballots: &[Value]) -> Vec<Value> {
    let mut groups: Vec<(Value, u64)> = Vec::new();
    for b in ballots {
        let mut key = b.clone();
        if let Some(s) = key.get_mut("struck").and_then(Value::as_array_mut) {
            s.sort_by_key(|v| v.as_u64());
        }
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, n)) => *n += 1,
            None => groups.push((key, 1)),
        }
    }
    groups
        .into_iter()
        .map(|(mut k, n)| {
            k["count"] = json!(n);
            k
        })
        .collect()
}

/// `p` hundredths is the half-up rounding of `part / base` × 100 exactly when
/// (2p − 1) · base ≤ 20000 · part < (2p + 1) · base.
fn is_exact_half_up(p: u64, part: u64, base: u64) -> bool {
    let (p, part, base) = (u128::from(p), u128::from(part), u128::from(base));
    (2 * p).saturating_sub(1) * base <= 20_000 * part && 20_000 * part < (2 * p + 1) * base
}

proptest! {
    #![proptest_config(config(400))]

    /// rules.md § 5: the answer depends neither on the order of ballots nor on how identical ballots
    /// are grouped with `count`.
    #[test]
    fn answer_independent_of_order_and_grouping(spec in round_spec(), seed in any::<u64>()) {
        let plain = answer(&case(&spec, &spec.ballots));
        let mut shuffled = spec.ballots.clone();
        // A deterministic Fisher–Yates shuffle driven by the generated seed.
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        prop_assert_eq!(&plain, &answer(&case(&spec, &shuffled)));
        prop_assert_eq!(&plain, &answer(&case(&spec, &grouped(&shuffled))));
    }

    /// rules.md § 5: nobody has more votes than valid ballots; never more elected than seats, never
    /// more alternates than alternate seats; percentages are the exact half-up rounding (§ 6).
    #[test]
    fn votes_and_seats_are_bounded_and_percentages_exact(spec in round_spec()) {
        let a = answer(&case(&spec, &spec.ballots));
        let valid = a["ballots"]["valid"].as_u64().expect("valid");
        let base = a["base"].as_u64().expect("base");
        prop_assert_eq!(base, u64::from(spec.base));
        for c in a["candidates"].as_array().expect("candidates") {
            let votes = c["votes"].as_u64().expect("votes");
            prop_assert!(votes <= valid);
            let hundredths = |v: &Value| v.as_str().map(|s| s.replace('.', "").parse::<u64>().expect("number"));
            prop_assert!(is_exact_half_up(hundredths(&c["percent_of_base"]).expect("pct"), votes, base));
            match hundredths(&c["percent_of_valid"]) {
                Some(p) => prop_assert!(is_exact_half_up(p, votes, valid)),
                None => prop_assert_eq!(valid, 0),
            }
            prop_assert_eq!(c["passes_threshold"].as_bool(), Some(2 * votes > base));
        }
        let elected = a["elected"].as_array().expect("elected").len();
        let alternates = a["alternates"].as_array().expect("alternates").len();
        let round_seats = spec.seats;
        match spec.purpose {
            "alternates" => prop_assert!(alternates <= round_seats && elected == 0),
            _ => prop_assert!(elected <= round_seats && alternates <= spec.alternate_seats),
        }
        let ballots = &a["ballots"];
        prop_assert_eq!(ballots["returned"].as_u64(), Some(spec.ballots.len() as u64));
        prop_assert_eq!(ballots["valid"].as_u64().unwrap_or(0) + ballots["invalid"].as_u64().unwrap_or(0), spec.ballots.len() as u64);
    }
}

/// rules.md §§ 1, 6: for every base from 1 to 10,000 the threshold is the least integer above B/2,
/// and the percentage of every possible vote count is the exact half-up rounding of the rational.
#[test]
fn threshold_and_percentages_exact_for_every_base_to_10000() {
    for b in 1..=10_000u32 {
        let base = Base::new(b).expect("nonzero");
        let t = base.threshold();
        assert!(2 * t > u64::from(b) && 2 * (t - 1) <= u64::from(b), "threshold of {b}");
        for votes in 0..=u64::from(b) {
            let p = Percent::of(votes, u64::from(b)).expect("nonzero base").hundredths();
            assert!(is_exact_half_up(p, votes, u64::from(b)), "{votes}/{b} gave {p}");
            assert_eq!(base.is_majority(votes), 2 * votes > u64::from(b));
        }
    }
}

#[test]
fn the_exactness_check_can_fail() {
    assert!(is_exact_half_up(8750, 7, 8));
    assert!(!is_exact_half_up(8749, 7, 8));
    assert!(!is_exact_half_up(8751, 7, 8));
    assert!(is_exact_half_up(13, 1, 800)); // 0.125 % → 0.13
    assert!(!is_exact_half_up(12, 1, 800));
}
