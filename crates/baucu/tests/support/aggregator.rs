//! The aggregator's tests on both backends: [`backends`] gives SQLite always and PostgreSQL when
//! `BAUCU_TEST_POSTGRES` names a server where the test may `CREATE DATABASE` (`scripts/test` starts
//! one and sets `BAUCU_POSTGRES_TESTS=required`, which makes its absence a failure). [`fresh_db`]
//! gives each test an empty database of its own. Also: signed test packages ([`package`]) and the
//! units table ([`units_xlsx`]).
#![allow(dead_code)]

use baucu_aggregator::db::{AggDb, Backend};
use baucu_aggregator::exchange::{self as ex, NodeKey, Package};
use baucu_rules::Percent;
use baucu_rules::assembly::{AssemblyKind, Exclusion, Level};
use baucu_rules::ballot::InvalidReason;
use baucu_rules::election::{Body, Purpose};
use baucu_rules::outcome::{NextStep, Outcome};
use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};

/// The backends this run tests.
pub fn backends() -> Vec<Backend> {
    let mut out = vec![Backend::Sqlite];
    match std::env::var("BAUCU_TEST_POSTGRES") {
        Ok(url) if !url.trim().is_empty() => out.push(Backend::Postgres),
        _ => assert_ne!(
            std::env::var("BAUCU_POSTGRES_TESTS").as_deref(),
            Ok("required"),
            "BAUCU_POSTGRES_TESTS=required but BAUCU_TEST_POSTGRES is unset: the PostgreSQL tests cannot run"
        ),
    }
    out
}

static NEXT: AtomicU32 = AtomicU32::new(0);

/// A new empty, migrated database: the SQLite file in `dir`, or a new PostgreSQL database
/// `baucu_test_<pid>_<n>_<nanos>` (its URL is returned, for a `baucu --database` child process).
pub fn fresh_db(backend: Backend, dir: &Path) -> (AggDb, Option<String>) {
    match backend {
        Backend::Sqlite => (AggDb::open(dir, None).expect("open the SQLite aggregator database"), None),
        Backend::Postgres => {
            let server = std::env::var("BAUCU_TEST_POSTGRES").expect("BAUCU_TEST_POSTGRES");
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos());
            let name =
                format!("baucu_test_{}_{}_{nanos}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
            let url = AggDb::create_postgres_database(&server, &name).expect("CREATE DATABASE for the test");
            (AggDb::open_postgres(&url).expect("open the PostgreSQL aggregator database"), Some(url))
        }
    }
}

/// The key a test node `n` signs with.
pub fn node_key(n: u8) -> NodeKey {
    NodeKey::from_seed(&[n; 32]).expect("seed key")
}

/// The fingerprint of [`node_key`]`(n)`, as the units table writes it.
pub fn fingerprint(n: u8) -> String {
    node_key(n).public().fingerprint().to_string()
}

/// A small valid package body for `unit`: a cell congress, one committee round of three names for
/// two seats (base 10); `variant` changes the votes (so two variants are two different contents).
pub fn package_body(unit: &str, version: u32, supersedes: Option<(u32, &str)>, variant: u64) -> Package {
    let person = |id: u32, name: &str, female: bool| ex::Person {
        id,
        name: name.into(),
        female,
        birth_year: Some(1980 + id as i32),
        under_35: id == 3,
        ethnicity: "Kinh".into(),
        ethnic_minority: false,
        religion: "Không".into(),
        religious: false,
        education: "Đại học".into(),
        theory: "Trung cấp".into(),
    };
    let percent = |votes: u64| Percent::of(votes, 10).map(Percent::hundredths).expect("percent");
    let second = 6 + variant % 4;
    let line = |person: u32, votes: u64, outcome: Outcome| ex::Line {
        person,
        votes,
        percent_of_base: percent(votes),
        outcome,
    };
    Package {
        schema: ex::SCHEMA.into(),
        unit_code: unit.into(),
        version,
        supersedes: supersedes.map(|(version, sha256)| ex::Supersedes { version, sha256: sha256.into() }),
        exported_at: "2025-05-21T10:00:00Z".parse().expect("time"),
        producer: "baucu test".into(),
        congress: ex::Congress {
            name: format!("Đại hội Chi bộ {unit} lần thứ XII"),
            organisation: format!("Chi bộ {unit}"),
            level: Level::Cell,
            kind: AssemblyKind::MembersCongress,
            term: "2025–2030".into(),
            place: "Nhà văn hóa".into(),
            regulation: "190-QD/TW".into(),
            opened_on: Some(jiff::civil::date(2025, 5, 20)),
            closed_on: jiff::civil::date(2025, 5, 20),
            direct_secretary: false,
        },
        assemblies: vec![ex::AssemblyBase {
            key: "congress".into(),
            heading: format!("Đại hội Chi bộ {unit}"),
            kind: AssemblyKind::MembersCongress,
            summoned: 11,
            present: 10,
            exclusions: vec![ex::ExclusionCount { kind: Exclusion::Suspended, count: 1 }],
            base: 10,
        }],
        elections: vec![ex::Election {
            body: Body::Committee,
            assembly: "congress".into(),
            seats: 2,
            alternate_seats: 0,
            rounds: vec![ex::Round {
                number: 1,
                purpose: Purpose::Regular,
                closed_at: "2025-05-20T09:00:00Z".parse().expect("time"),
                base: 10,
                threshold: 6,
                issued: 10,
                collected: 10,
                valid: 9,
                invalid: 1,
                invalid_reasons: vec![ex::ReasonCount { reason: InvalidReason::OverVote, count: 1 }],
                lines: vec![
                    line(1, 9, Outcome::Elected),
                    line(2, second, Outcome::Elected),
                    line(3, 2, Outcome::NotElected),
                ],
                next_step: NextStep::Complete,
            }],
        }],
        people: vec![
            person(1, "Nguyễn Văn An", false),
            person(2, "Trần Thị Bình", true),
            person(3, "Lê Văn Cường", false),
        ],
        elected: vec![
            ex::Elected {
                person: 1,
                body: Body::Committee,
                alternate: false,
                round: 1,
                votes: 9,
                percent_of_base: percent(9),
                first_time: false,
            },
            ex::Elected {
                person: 2,
                body: Body::Committee,
                alternate: false,
                round: 1,
                votes: second,
                percent_of_base: percent(second),
                first_time: true,
            },
        ],
        plan: vec![ex::PlanBody {
            body: Body::Committee,
            seats: Some(2),
            targets: vec![],
            departures: vec!["Chưa đạt tỷ lệ cán bộ trẻ dự kiến.".into()],
        }],
        audit: ex::AuditHead { seq: 42, hash: "ab".repeat(32) },
        summary_pdf: ex::encode_pdf(b"%PDF-1.7 test"),
    }
}

/// [`package_body`] sealed with [`node_key`]`(key)`.
pub fn package(unit: &str, version: u32, supersedes: Option<(u32, &str)>, variant: u64, key: u8) -> Vec<u8> {
    ex::seal(&package_body(unit, version, supersedes, variant), &node_key(key))
}

/// The body digest of a package file (what a later version's `supersedes` names).
pub fn digest(file: &[u8]) -> String {
    ex::open(file).expect("a valid package").digest
}

/// A units table as the superior's office writes it: a title row, a blank row, the header, then
/// `rows` of (code, name, level, parent code, fingerprints).
pub fn units_xlsx(rows: &[[&str; 5]]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "DANH SÁCH ĐƠN VỊ VÀ KHÓA ĐÃ ĐĂNG KÝ").expect("title");
    for (c, h) in
        ["Mã đơn vị", "Tên đơn vị", "Cấp", "Mã đơn vị cấp trên", "Dấu vân tay khóa"].iter().enumerate()
    {
        sheet.write_string(2, c as u16, *h).expect("header");
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                sheet.write_string(3 + r as u32, c as u16, *v).expect("cell");
            }
        }
    }
    book.save_to_buffer().expect("xlsx")
}

/// The tree most import tests use: province 01, districts 01.001 and 01.002, and one cell under
/// each district (01.001.01 with key 1, 01.002.01 with key 2).
pub fn standard_units() -> Vec<u8> {
    let (k1, k2) = (fingerprint(1), fingerprint(2));
    units_xlsx(&[
        ["01", "Đảng bộ tỉnh Thử", "Tỉnh", "", ""],
        ["01.001", "Đảng bộ huyện Một", "Huyện", "01", ""],
        ["01.002", "Đảng bộ huyện Hai", "Cấp huyện", "01", ""],
        ["01.001.01", "Chi bộ Thôn Đông", "Chi bộ", "01.001", &k1],
        ["01.002.01", "Chi bộ Thôn Tây", "Chi bộ", "01.002", &k2],
    ])
}
