//! Budget (issue 2): `baucu evaluate` on a generated 200,000-ballot case file in ≤ 1 s wall, measured
//! on the real release binary (process start, reading, parsing, tallying, answering).
//! Run with `cargo bench -p baucu --bench evaluate_file`.

use baucu_rules::sample::strike_ballots;
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::json;
use std::process::Command;

const LIST: u32 = 60;
const SEATS: u32 = 50;
const BALLOTS: usize = 200_000;

fn case_file() -> std::path::PathBuf {
    let ballots: Vec<_> =
        strike_ballots(LIST, SEATS, BALLOTS, 190).into_iter().map(|s| json!({ "struck": s })).collect();
    let candidates: Vec<String> = (1..=LIST).map(|i| format!("Ứng Cử Viên {i}")).collect();
    let case = json!({
        "kind": "round",
        "assembly": { "type": "delegates_congress", "summoned": BALLOTS, "present": BALLOTS },
        "election": { "body": "committee", "seats": SEATS, "candidates": candidates },
        "ballots_issued": BALLOTS,
        "ballots": ballots,
    });
    let path = std::env::temp_dir().join(format!("baucu-bench-{}-{BALLOTS}.json", std::process::id()));
    std::fs::write(&path, serde_json::to_vec(&case).expect("serialise")).expect("write case file");
    path
}

fn evaluate_file(c: &mut Criterion) {
    let path = case_file();
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let mut group = c.benchmark_group("evaluate");
    group.sample_size(10);
    group.bench_function(format!("baucu evaluate, 200k ballots ({} MB file)", size / 1_000_000), |b| {
        b.iter(|| {
            let out =
                Command::new(env!("CARGO_BIN_EXE_baucu")).arg("evaluate").arg(&path).output().expect("run");
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            out.stdout.len()
        })
    });
    group.finish();
    let _ = std::fs::remove_file(&path);
}

criterion_group!(benches, evaluate_file);
criterion_main!(benches);
