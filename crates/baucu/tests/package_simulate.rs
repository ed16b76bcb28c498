//! `baucu simulate --packages N --seed S --to DIR`: the real binary writes N congresses' signed result
//! packages and `units.xlsx`. The same seed gives byte-identical files and another seed other files;
//! every package opens with `baucu_exchange::open`, is named after its unit and version, and is signed
//! by the key whose fingerprint `units.xlsx` registers for its unit; the tree has provinces,
//! districts and grassroots units; the superseded versions are there and name the digest of the
//! version they replace; and a wrong count or a folder that is not empty is refused with status 2.

use baucu_app::simulate_packages::exchange;
use calamine::Reader;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const PACKAGES: usize = 20;

fn simulate(packages: &str, seed: &str, to: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_baucu"))
        .args(["simulate", "--packages", packages, "--seed", seed, "--to"])
        .arg(to)
        .output()
        .expect("run baucu simulate --packages")
}

fn simulated(seed: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let to = dir.path().join("goi");
    let out = simulate(&PACKAGES.to_string(), seed, &to);
    assert!(
        out.status.success(),
        "simulate --packages failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(&format!("Đã mô phỏng {PACKAGES} đại hội")), "{text}");
    (dir, to)
}

/// Every file of the folder: name → bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .expect("read the folder")
        .map(|e| {
            let path = e.expect("entry").path();
            let name = path.file_name().expect("name").to_string_lossy().into_owned();
            (name, std::fs::read(&path).expect("read a file"))
        })
        .collect()
}

/// One row of `units.xlsx`.
#[derive(Debug)]
struct UnitRow {
    level: String,
    parent: String,
    fingerprint: String,
}

/// The rows of `units.xlsx` under its header, by unit code; the header must be exactly the agreed
/// columns, below a title.
fn units(xlsx: &[u8]) -> BTreeMap<String, UnitRow> {
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx)).expect("xlsx");
    let sheet = book.worksheet_range_at(0).expect("a sheet").expect("the sheet reads");
    let rows: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    let header =
        rows.iter().position(|r| r.first().map(String::as_str) == Some("Mã đơn vị")).expect("header");
    assert!(header > 0, "a title above the header");
    assert_eq!(
        rows[header][..5],
        ["Mã đơn vị", "Tên đơn vị", "Cấp", "Mã đơn vị cấp trên", "Dấu vân tay khóa"].map(String::from)
    );
    rows[header + 1..]
        .iter()
        .map(|r| {
            let cell = |i: usize| r.get(i).cloned().unwrap_or_default();
            assert!(!cell(1).is_empty(), "every unit has a name: {r:?}");
            (cell(0), UnitRow { level: cell(2), parent: cell(3), fingerprint: cell(4) })
        })
        .collect()
}

#[test]
fn package_simulate_is_deterministic_for_a_seed() {
    let (_a, first) = simulated("3");
    let (_b, again) = simulated("3");
    let (_c, other) = simulated("4");
    let (first, again, other) = (files(&first), files(&again), files(&other));
    assert!(first.len() > PACKAGES, "units.xlsx, {PACKAGES} packages and a version 2");
    assert_eq!(first.keys().collect::<Vec<_>>(), again.keys().collect::<Vec<_>>());
    for (name, bytes) in &first {
        assert!(again[name] == *bytes, "{name} differs between two runs with the same seed");
    }
    assert_ne!(first["units.xlsx"], other["units.xlsx"], "another seed, another tree and other keys");
    let shared: Vec<&String> =
        first.keys().filter(|n| other.contains_key(*n) && n.ends_with(".baucu")).collect();
    assert!(shared.iter().all(|n| first[*n] != other[*n]), "another seed, other packages");
}

#[test]
fn package_simulate_every_package_opens_with_its_registered_key() {
    let (_dir, to) = simulated("9");
    let all = files(&to);
    let table = units(&all["units.xlsx"]);

    // The tree: one province of two districts for 20 congresses, every parent present.
    let levels: BTreeSet<&str> = table.values().map(|u| u.level.as_str()).collect();
    for level in ["Tỉnh", "Huyện", "Cơ sở"] {
        assert!(levels.contains(level), "the tree has {level} units: {levels:?}");
    }
    assert_eq!(table.values().filter(|u| u.level == "Tỉnh").count(), 1);
    assert_eq!(table.values().filter(|u| u.level == "Huyện").count(), 2);
    for (code, unit) in &table {
        match unit.level.as_str() {
            "Tỉnh" => assert!(unit.parent.is_empty() && unit.fingerprint.is_empty()),
            "Huyện" => assert!(table[&unit.parent].level == "Tỉnh" && unit.fingerprint.is_empty()),
            _ => {
                assert_eq!(table[&unit.parent].level, "Huyện", "{code}");
                assert!(exchange::Fingerprint::parse(&unit.fingerprint).is_some(), "{code} has a key");
            }
        }
    }

    let mut versions: BTreeMap<String, BTreeMap<u32, exchange::Opened>> = BTreeMap::new();
    for (name, bytes) in all.iter().filter(|(n, _)| n.ends_with(".baucu")) {
        let opened = exchange::open(bytes).unwrap_or_else(|e| panic!("{name} is refused: {}", e.message()));
        let p = &opened.package;
        assert_eq!(*name, format!("{}-v{}.baucu", p.unit_code, p.version));
        let unit = table.get(&p.unit_code).unwrap_or_else(|| panic!("{} is in units.xlsx", p.unit_code));
        assert_eq!(
            opened.key.fingerprint().as_str(),
            unit.fingerprint,
            "{name} is signed by the key registered for its unit"
        );
        assert!(exchange::summary_pdf(p).expect("summary").starts_with(b"%PDF"), "{name} carries a PDF");
        assert!(
            p.elected.iter().any(|e| e.body == baucu_rules::Body::Committee),
            "{name} elects a committee"
        );
        versions.entry(p.unit_code.clone()).or_default().insert(p.version, opened);
    }
    assert_eq!(versions.len(), PACKAGES, "one congress per package asked for");
    let keyed_but_not_held = table.values().filter(|u| !u.fingerprint.is_empty()).count() - PACKAGES;
    assert!(keyed_but_not_held > 0, "some units have a key and no congress yet");

    let superseded: Vec<_> = versions.values().filter(|v| v.len() > 1).collect();
    assert!(!superseded.is_empty(), "a few congresses were reopened");
    for v in versions.values() {
        let one = &v[&1];
        assert_eq!(one.package.supersedes, None);
        if let Some(two) = v.get(&2) {
            assert_eq!(v.len(), 2);
            let s = two.package.supersedes.as_ref().expect("version 2 names what it supersedes");
            assert_eq!((s.version, s.sha256.as_str()), (1, one.digest.as_str()));
            assert_eq!(two.key, one.key, "the same node signed both");
            assert!(two.package.exported_at > one.package.exported_at);
            assert_eq!(two.package.congress, one.package.congress);
            assert_ne!(two.package.elections, one.package.elections, "a count changed");
        }
    }
}

#[test]
fn package_simulate_refuses_a_wrong_count_or_a_folder_in_use() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = simulate("0", "1", &dir.path().join("none"));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--packages"), "the message names the option");
    assert!(!dir.path().join("none").exists(), "nothing written");

    let used = dir.path().join("used");
    std::fs::create_dir_all(&used).expect("mkdir");
    std::fs::write(used.join("ghi-chu.txt"), b"x").expect("write");
    let out = simulate("5", "1", &used);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("đã có tệp"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(files(&used).len(), 1, "nothing added");

    let out = Command::new(env!("CARGO_BIN_EXE_baucu"))
        .args(["simulate", "--packages", "5"])
        .output()
        .expect("run baucu simulate");
    assert_eq!(out.status.code(), Some(2), "--packages without --to is refused");
}
