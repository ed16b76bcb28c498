//! Budget: `baucu simulate` with its defaults (a commune congress of 150 members, seed 1: ten rounds,
//! some 600 papers keyed twice — about 1,200 ballots, each a durable commit — and every document
//! printed) in ≤ 60 s wall on the 2-core machine, measured on the real release binary in a temporary
//! data directory. Run with `cargo bench -p baucu --bench simulate`.

use std::process::Command;
use std::time::{Duration, Instant};

const BUDGET: Duration = Duration::from_secs(60);

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_baucu"))
        .arg("simulate")
        .arg("--data")
        .arg(&data)
        .output()
        .expect("run baucu simulate");
    let wall = started.elapsed();
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let files = std::fs::read_dir(data.join("documents")).map(Iterator::count).unwrap_or(0);
    println!("baucu simulate (150 members, seed 1): {files} documents");
    println!("  wall {:.2} s (budget ≤ {} s)", wall.as_secs_f64(), BUDGET.as_secs());
    let ok = wall <= BUDGET;
    println!("  {}", if ok { "within budget" } else { "OVER BUDGET" });
    if !ok {
        std::process::exit(1);
    }
}
