//! Budget (issue 2): tally 1,000,000 strike-list ballots over 60 candidates through the engine in
//! ≤ 300 ms. Run with `cargo bench -p baucu-rules --bench tally`.

use baucu_rules::ballot::Ballot;
use baucu_rules::outcome::decide;
use baucu_rules::sample::strike_ballots;
use baucu_rules::{Base, Body, Election, PersonName, Purpose, Tally};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use std::hint::black_box;

const LIST: u32 = 60;
const SEATS: u32 = 50;
const BALLOTS: usize = 1_000_000;

fn election() -> Election {
    let names =
        (1..=LIST).map(|i| PersonName::parse(&format!("Ứng Cử Viên {i}")).expect("valid name")).collect();
    Election::new(Body::Committee, Purpose::Regular, SEATS, 0, names).expect("valid election")
}

fn tally_million(c: &mut Criterion) {
    let election = election();
    let ballots: Vec<Ballot> =
        strike_ballots(LIST, SEATS, BALLOTS, 2025).into_iter().map(Ballot::strike).collect();
    let base = Base::new(BALLOTS as u32).expect("nonzero");
    let mut group = c.benchmark_group("tally");
    group.sample_size(10);
    group.bench_function("1M strike ballots, 60 names: add each + decide", |b| {
        b.iter_batched(
            || Tally::new(&election),
            |mut tally| {
                for ballot in &ballots {
                    tally.add(black_box(ballot), 1).expect("well-formed");
                }
                decide(&election, base, BALLOTS as u64, &tally).expect("decides")
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, tally_million);
criterion_main!(benches);
