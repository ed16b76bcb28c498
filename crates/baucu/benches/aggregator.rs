//! The aggregator at the scale of a country (issue 13): `N` simulated congress packages
//! (`baucu simulate --packages N`, made once and kept in `target/bench-packages-N`) imported into
//! SQLite and, when `BAUCU_TEST_POSTGRES` names a server, into a new PostgreSQL database — packages
//! per second, every signature checked, in batches of 500 files as `baucu aggregator import` takes
//! them — then the national roll-up report and the dashboard of one province, each the median of
//! several runs.
//!
//! Budget: the national roll-up ≤ 2 s on PostgreSQL, one province's dashboard ≤ 200 ms.
//! `N` from `BAUCU_BENCH_PACKAGES` (default 50,000). Run with
//! `BAUCU_TEST_POSTGRES=postgres://… cargo bench -p baucu --bench aggregator`.

use baucu_aggregator::accounts::Actor;
use baucu_aggregator::db::AggDb;
use baucu_aggregator::import::{self, VerdictKind};
use baucu_aggregator::report;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const SEED: u64 = 1;
const BATCH: usize = 500;
const RUNS: usize = 5;
const NATIONAL_BUDGET: Duration = Duration::from_secs(2);
const PROVINCE_BUDGET: Duration = Duration::from_millis(200);
const TODAY: jiff::civil::Date = jiff::civil::date(2025, 7, 15);

fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"),
    }
}

/// The packages of `n` congresses, simulated once (the folder is complete when `units.xlsx` is in it).
fn packages(n: u32) -> PathBuf {
    let dir = target_dir().join(format!("bench-packages-{n}"));
    if dir.join("units.xlsx").is_file() {
        return dir;
    }
    let partial = target_dir().join(format!("bench-packages-{n}.partial"));
    let _ = std::fs::remove_dir_all(&partial);
    let started = Instant::now();
    let summary = baucu_app::simulate_packages::simulate_packages(&partial, n, SEED)
        .unwrap_or_else(|e| panic!("simulate: {}", e.message()));
    println!(
        "simulated {} congresses ({} files) in {:.1} s",
        summary.congresses,
        summary.files.len(),
        started.elapsed().as_secs_f64()
    );
    std::fs::rename(&partial, &dir).expect("keep the simulated packages");
    dir
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn timed<T>(f: impl Fn() -> T) -> (Duration, T) {
    let mut out = None;
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let started = Instant::now();
        out = Some(f());
        times.push(started.elapsed());
    }
    (median(times), out.expect("at least one run"))
}

/// Imports, then times the reports; whether the budgets held.
fn run(name: &str, db: &AggDb, dir: &Path, budgets: bool) -> bool {
    let actor = Actor::cli();
    let units = std::fs::read(dir.join("units.xlsx")).expect("units.xlsx");
    let started = Instant::now();
    let summary = baucu_aggregator::units::import_workbook(db, &actor, &units, "units.xlsx")
        .unwrap_or_else(|e| panic!("units: {}", e.message()));
    println!("[{name}] {} ({:.1} s)", summary.summary(), started.elapsed().as_secs_f64());
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read the packages")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "baucu"))
        .collect();
    files.sort();
    let (mut imported, mut refused) = (0usize, 0usize);
    let started = Instant::now();
    for chunk in files.chunks(BATCH) {
        let batch = chunk
            .iter()
            .map(|p| {
                (
                    p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
                    std::fs::read(p).expect("read"),
                )
            })
            .collect();
        for v in import::import_files(db, &actor, batch) {
            match v.kind {
                VerdictKind::Imported | VerdictKind::Duplicate => imported += 1,
                VerdictKind::Refused => {
                    refused += 1;
                    eprintln!("[{name}] refused: {}", v.message);
                }
            }
        }
    }
    let wall = started.elapsed();
    println!(
        "[{name}] import: {imported} packages in {:.1} s = {:.0} packages/s (signatures checked), {refused} refused",
        wall.as_secs_f64(),
        imported as f64 / wall.as_secs_f64()
    );
    let started = Instant::now();
    report::refresh_statistics(db, &actor).unwrap_or_else(|e| panic!("ANALYZE: {}", e.message()));
    println!("[{name}] statistics refreshed (ANALYZE) in {:.1} s", started.elapsed().as_secs_f64());
    let (national_time, national) =
        timed(|| report::report(db, &actor, None, TODAY).expect("national report"));
    println!(
        "[{name}] national roll-up: {} congresses held of {} units, {} committee members: median {:.0} ms of {RUNS}",
        national.totals.progress.organised.count,
        national.totals.progress.units,
        national.totals.bodies.first().map_or(0, |b| b.members),
        national_time.as_secs_f64() * 1000.0
    );
    let province = national
        .rows
        .iter()
        .max_by_key(|r| r.figures.progress.organised.count)
        .expect("a province")
        .code
        .clone();
    let (province_time, dashboard) =
        timed(|| report::report(db, &actor, Some(&province), TODAY).expect("province report"));
    println!(
        "[{name}] dashboard of province {province} ({} congresses, {} districts): median {:.0} ms of {RUNS}",
        dashboard.totals.progress.organised.count,
        dashboard.rows.len(),
        province_time.as_secs_f64() * 1000.0
    );
    if !budgets {
        return true;
    }
    let ok = national_time <= NATIONAL_BUDGET && province_time <= PROVINCE_BUDGET;
    println!(
        "[{name}] budget (national ≤ {} s, province ≤ {} ms): {}",
        NATIONAL_BUDGET.as_secs(),
        PROVINCE_BUDGET.as_millis(),
        if ok { "within budget" } else { "OVER BUDGET" }
    );
    ok
}

fn main() {
    let n: u32 = std::env::var("BAUCU_BENCH_PACKAGES")
        .ok()
        .map(|v| v.trim().parse().expect("BAUCU_BENCH_PACKAGES is a number of packages"))
        .unwrap_or(50_000);
    let dir = packages(n);
    println!("aggregator benchmark: {n} simulated congresses (seed {SEED}) in {}", dir.display());

    let sqlite_dir = target_dir().join(format!("bench-aggregator-sqlite-{n}"));
    let _ = std::fs::remove_dir_all(&sqlite_dir);
    std::fs::create_dir_all(&sqlite_dir).expect("sqlite dir");
    let db = AggDb::open(&sqlite_dir, None).expect("open SQLite");
    // The budget is PostgreSQL's; SQLite's figures are printed beside it.
    run("SQLite", &db, &dir, false);
    drop(db);
    let _ = std::fs::remove_dir_all(&sqlite_dir);

    let mut ok = true;
    match std::env::var("BAUCU_TEST_POSTGRES") {
        Ok(server) if !server.trim().is_empty() => {
            let name = format!("baucu_bench_{n}_{}", std::process::id());
            let url = AggDb::create_postgres_database(&server, &name).expect("CREATE DATABASE");
            let db = AggDb::open_postgres(&url).expect("open PostgreSQL");
            ok = run("PostgreSQL", &db, &dir, true);
            drop(db);
            // The database holds every package's file: dropped (through psql, when present) to give
            // the disk back.
            let dropped = std::process::Command::new("psql")
                .arg(server.trim())
                .args(["-qc", &format!("DROP DATABASE {name}")])
                .status()
                .is_ok_and(|s| s.success());
            if !dropped {
                println!("[PostgreSQL] drop the database {name} by hand (DROP DATABASE {name})");
            }
        }
        _ => println!("PostgreSQL: not measured (BAUCU_TEST_POSTGRES is unset)"),
    }
    if !ok {
        std::process::exit(1);
    }
}
