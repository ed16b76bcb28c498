//! Budgets (issue 5): 1,000 ballots of 15 names into one PDF ≤ 3 s; one count-minutes PDF ≤ 300 ms.
//! Run with `cargo bench -p baucu-docs --bench documents`.

use baucu_docs::{BallotDoc, MinutesDoc, Paper};
use baucu_rules::case::{Case, Meta, parse};
use baucu_rules::outcome::decide;
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

const CASE: &str = r#"{ "kind": "round",
  "meta": { "congress": "Đại hội Đảng bộ xã Thượng Kiệm lần thứ XXVI", "organisation": "Đảng bộ xã Thượng Kiệm", "term": "2025–2030",
            "place": "Hội trường UBND xã", "date": "2025-05-20", "time": "10:30", "round": 1,
            "counting_board": [ { "name": "Phạm Văn Hùng", "role": "head" }, { "name": "Lê Thị Mai", "role": "member" } ] },
  "assembly": { "type": "members_congress", "summoned": 160, "present": 150, "excluded": { "absent_with_accepted_reason": 4 } },
  "election": { "body": "committee", "seats": 13, "candidates": [
    "Nguyễn Văn An", "Đỗ Thị Ánh", "Trần Quang Bình", "Phạm Thị Dung", "Hoàng Văn Đức", "Vũ Minh Hải", "Bùi Thị Hạnh",
    "Lý Văn Hùng", "Ngô Thị Lan", "Phan Văn Nam", "Hồ Thị Yến", "Đặng Văn Tuấn", "Võ Thị Uyên", "Lò Văn Pảo", "Hà Thị Xuân" ] },
  "ballots_issued": 150,
  "ballots": [ { "struck": [14, 15], "count": 90 }, { "struck": [1, 15], "count": 40 }, { "struck": [2, 3], "count": 19 }, { "struck": [] } ] }"#;

fn documents(c: &mut Criterion) {
    let Ok(Case::Round(case)) = parse(CASE.as_bytes()) else { panic!("the bench case is a round") };
    let meta: Meta = case.meta.clone();
    let ballots = BallotDoc::new(&meta, &case.election, "committee-1", Paper::A4, 1000).expect("ballot");
    let result = decide(&case.election, case.assembly.base(), case.issued, &case.tally).expect("result");
    let minutes = MinutesDoc::from_engine(&meta, &case.assembly, &case.election, &result, None);
    // Warm the engine once (fonts parsed, templates checked): a node does this once per start.
    ballots.pdf().expect("warm");
    let mut group = c.benchmark_group("documents");
    group.sample_size(10);
    group.bench_function("1,000 ballots of 15 names, one PDF", |b| {
        b.iter(|| black_box(ballots.pdf().expect("pdf")).len())
    });
    group
        .bench_function("one count-minutes PDF", |b| b.iter(|| black_box(minutes.pdf().expect("pdf")).len()));
    group.bench_function("one count-minutes DOCX", |b| {
        b.iter(|| black_box(minutes.docx().expect("docx")).len())
    });
    group.finish();
}

criterion_group!(benches, documents);
criterion_main!(benches);
