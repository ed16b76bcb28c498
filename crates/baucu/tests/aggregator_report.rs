//! The aggregator's reports (rules.md § 9) on SQLite and (when `BAUCU_TEST_POSTGRES` is set)
//! PostgreSQL: a simulated set of packages imported through the command line, then every figure of
//! the report compared with a count made here directly from the packages, in the report, in its
//! paragraph, in the workbook read back, in the PDF's text and in the JSON; the area filter, the
//! drill-down and a district viewer's limits.

mod support;

use baucu_aggregator::AppError;
use baucu_aggregator::accounts::{Actor, Role};
use baucu_aggregator::report::{self, FileKind, Report, UnitLevel, vn_percent};
use baucu_app::simulate_packages::exchange as bx;
use baucu_rules::{Body, Percent};
use calamine::{Data, Reader as _};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use support::aggregator::{backends, fresh_db};

const TODAY: jiff::civil::Date = jiff::civil::date(2025, 7, 15);

fn baucu() -> Command {
    Command::new(env!("CARGO_BIN_EXE_baucu"))
}

fn run(cmd: &mut Command) -> std::process::Output {
    let out = cmd.output().expect("run baucu");
    assert!(
        out.status.success(),
        "{:?} failed:\n{}\n{}",
        cmd,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// `baucu simulate --packages 30 --seed 3`, once per test.
fn simulate(dir: &Path) -> PathBuf {
    let to = dir.join("packages");
    run(baucu().args(["simulate", "--packages", "30", "--seed", "3", "--to"]).arg(&to));
    to
}

/// `--data DIR` and, on PostgreSQL, `--database URL`.
fn target(cmd: &mut Command, data: &Path, url: &Option<String>) {
    cmd.arg("--data").arg(data);
    if let Some(url) = url {
        cmd.arg("--database").arg(url);
    }
}

/// Imports the tree of units and every package through the command line.
fn import(data: &Path, url: &Option<String>, packages: &Path) {
    let mut units = baucu();
    units.args(["aggregator", "units"]);
    target(&mut units, data, url);
    run(units.arg(packages.join("units.xlsx")));
    let mut files: Vec<PathBuf> = std::fs::read_dir(packages)
        .expect("read packages")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "baucu"))
        .collect();
    files.sort();
    let mut import = baucu();
    import.args(["aggregator", "import"]);
    target(&mut import, data, url);
    run(import.args(&files));
}

/// What the report must say, counted here from the packages themselves (each unit's latest version).
#[derive(Debug, Default)]
struct Expected {
    congresses: u64,
    committee: u64,
    committee_women: u64,
    committee_first_time: u64,
    committee_under_35: u64,
    committee_minority: u64,
    committee_religious: u64,
    inspection: u64,
    official: u64,
    alternate: u64,
    direct_congresses: u64,
    direct_percents: Vec<u64>,
    other_percents: Vec<u64>,
    departures: u64,
}

fn expected(packages: &Path, units: Option<&[String]>) -> Expected {
    let mut latest: BTreeMap<String, bx::Package> = BTreeMap::new();
    for entry in std::fs::read_dir(packages).expect("read packages") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "baucu") {
            continue;
        }
        let opened = bx::open(&std::fs::read(&path).expect("read")).expect("a simulated package opens");
        let p = opened.package;
        if units.is_some_and(|u| !u.contains(&p.unit_code)) {
            continue;
        }
        if latest.get(&p.unit_code).is_none_or(|held| held.version < p.version) {
            latest.insert(p.unit_code.clone(), p);
        }
    }
    let mut e = Expected::default();
    for p in latest.values() {
        e.congresses += 1;
        e.direct_congresses += u64::from(p.congress.direct_secretary);
        e.departures += p.plan.iter().map(|b| b.departures.len() as u64).sum::<u64>();
        let person = |id: u32| p.people.iter().find(|x| x.id == id).expect("person of the package");
        for el in &p.elected {
            let who = person(el.person);
            match (el.body, el.alternate) {
                (Body::Committee, false) => {
                    e.committee += 1;
                    e.committee_women += u64::from(who.female);
                    e.committee_first_time += u64::from(el.first_time);
                    e.committee_under_35 += u64::from(who.under_35);
                    e.committee_minority += u64::from(who.ethnic_minority);
                    e.committee_religious += u64::from(who.religious);
                }
                (Body::InspectionCommittee, false) => e.inspection += 1,
                (Body::Delegates, false) => e.official += 1,
                (Body::Delegates, true) => e.alternate += 1,
                (Body::Secretary, false) if p.congress.direct_secretary => {
                    e.direct_percents.push(el.percent_of_base)
                }
                (Body::Secretary, false) => e.other_percents.push(el.percent_of_base),
                _ => {}
            }
        }
    }
    e
}

fn pct(part: u64, base: u64) -> Option<Percent> {
    Percent::of(part, base)
}

fn check_totals(r: &Report, e: &Expected) {
    let t = &r.totals;
    assert_eq!(t.progress.organised.count, e.congresses, "congresses held");
    assert_eq!(t.progress.reported_total.count, e.congresses, "congresses reported");
    assert_eq!(t.progress.organised.percent, pct(e.congresses, t.progress.units));
    let c = t.body(Body::Committee).expect("committee");
    assert_eq!(c.members, e.committee);
    assert_eq!((c.women.count, c.women.percent), (e.committee_women, pct(e.committee_women, e.committee)));
    assert_eq!(c.first_time.count, e.committee_first_time);
    assert_eq!(c.first_time.percent, pct(e.committee_first_time, e.committee));
    assert_eq!(c.under_35.count, e.committee_under_35);
    assert_eq!(c.ethnic_minority.count, e.committee_minority);
    assert_eq!(c.religious.count, e.committee_religious);
    assert_eq!(t.body(Body::InspectionCommittee).expect("inspection").members, e.inspection);
    assert_eq!((t.delegates.official, t.delegates.alternate), (e.official, e.alternate));
    assert_eq!(t.progress.direct_secretary, e.direct_congresses);
    let s = &t.secretaries;
    assert_eq!(s.direct.count, e.direct_percents.len() as u64);
    assert_eq!(s.direct.min.map(Percent::hundredths), e.direct_percents.iter().min().copied());
    assert_eq!(s.direct.max.map(Percent::hundredths), e.direct_percents.iter().max().copied());
    assert_eq!(s.by_committee.count, e.other_percents.len() as u64);
    assert_eq!(s.all.bands.iter().map(|b| b.secretaries.count).sum::<u64>(), s.all.count);
    assert_eq!(t.departures, e.departures);
}

fn sheet(book: &[u8], name: &str) -> Vec<Vec<String>> {
    let mut xlsx: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(book.to_vec())).expect("xlsx");
    let range = xlsx.worksheet_range(name).expect("sheet");
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Float(f) if f.fract() == 0.0 => format!("{f:.0}"),
                    Data::Float(f) => format!("{f:.2}"),
                    Data::Int(i) => i.to_string(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

fn total_row(rows: &[Vec<String>]) -> &Vec<String> {
    rows.iter()
        .find(|r| r.first().is_some_and(|c| c == "Tổng số" || c == "Tổng số đồng chí"))
        .expect("totals row")
}

/// The national report equals the count made from the packages; the paragraph, the workbook, the PDF
/// and the JSON written by `baucu aggregator report` carry the same figures.
#[test]
fn aggregator_report_figures_equal_the_packages() {
    let dir = tempfile::tempdir().expect("dir");
    let packages = simulate(dir.path());
    let e = expected(&packages, None);
    assert!(e.congresses > 0 && e.committee > 0 && e.official > 0, "the simulation elects: {e:?}");
    for backend in backends() {
        let data = tempfile::tempdir().expect("data");
        let (db, url) = fresh_db(backend, data.path());
        import(data.path(), &url, &packages);
        let r = report::report(&db, &Actor::cli(), None, TODAY).expect("report");
        check_totals(&r, &e);
        // The rows add up to the totals.
        let sum: u64 = r.rows.iter().map(|g| g.figures.progress.organised.count).sum();
        assert_eq!(sum, e.congresses);
        let members: u64 =
            r.rows.iter().map(|g| g.figures.body(Body::Committee).map_or(0, |b| b.members)).sum();
        assert_eq!(members, e.committee);

        // The paragraph.
        let text = report::paragraph(&r);
        let c = r.totals.body(Body::Committee).expect("committee");
        let share = |n: u64, base: u64, what: &str| match pct(n, base) {
            Some(p) => format!("{n} {what} ({} %)", vn_percent(p)),
            None => format!("{n} {what}"),
        };
        for needle in [
            format!("cấp ủy mới có {} đồng chí", e.committee),
            format!("trong đó {}", share(e.committee_first_time, e.committee, "đồng chí tham gia lần đầu")),
            share(e.committee_women, e.committee, "nữ"),
            share(e.committee_minority, e.committee, "đồng chí dân tộc thiểu số"),
            share(e.committee_under_35, e.committee, "đồng chí dưới 35 tuổi"),
            format!(
                "bầu {} đại biểu chính thức và {} đại biểu dự khuyết đi dự đại hội cấp trên",
                e.official, e.alternate
            ),
        ] {
            assert!(text.contains(&needle), "the paragraph lacks \"{needle}\":\n{text}");
        }
        if let (Some(min), Some(max)) = (e.direct_percents.iter().min(), e.direct_percents.iter().max()) {
            let needle = if min == max {
                format!("bầu trực tiếp tại đại hội đạt {} %", vn_percent(Percent::from_hundredths(*min)))
            } else {
                format!(
                    "{} đồng chí bí thư được bầu trực tiếp tại đại hội đạt từ {} % đến {} %",
                    e.direct_percents.len(),
                    vn_percent(Percent::from_hundredths(*min)),
                    vn_percent(Percent::from_hundredths(*max))
                )
            };
            assert!(text.contains(&needle), "the paragraph lacks \"{needle}\":\n{text}");
        }
        for l in &r.totals.levels {
            let needle = format!("{}/{} {}", l.organised.count, l.units, l.level.expect("a level").noun());
            assert!(text.contains(&needle), "the paragraph lacks \"{needle}\":\n{text}");
        }

        // The files, through the command line.
        let write = |name: &str| -> Vec<u8> {
            let to = data.path().join(name);
            let mut cmd = baucu();
            cmd.args(["aggregator", "report"]);
            target(&mut cmd, data.path(), &url);
            run(cmd.args(["--as-of", "2025-07-15", "--to"]).arg(&to));
            std::fs::read(&to).expect("report file")
        };
        let book = write("bao-cao.xlsx");
        let progress = sheet(&book, "Tiến độ");
        assert!(progress.iter().any(|r| r.iter().any(|c| *c == format!("Số liệu đến ngày: {TODAY}"))));
        let total = total_row(&progress);
        assert_eq!(total[1], r.totals.progress.units.to_string());
        assert_eq!(total[2], e.congresses.to_string());
        let composition = sheet(&book, "Cơ cấu");
        let women = composition.iter().find(|r| r[0] == "Nữ").expect("row Nữ");
        assert_eq!(women[1], e.committee_women.to_string());
        if let Some(p) = c.women.percent {
            let cell: f64 = women[2].parse().expect("a percentage cell");
            assert_eq!((cell * 100.0).round() as u64, p.hundredths(), "the percentage cell");
        }
        assert_eq!(total_row(&composition)[1], e.committee.to_string());
        let delegates = sheet(&book, "Đại biểu");
        assert_eq!(total_row(&delegates)[1..3], [e.official.to_string(), e.alternate.to_string()]);

        let pdf = write("bao-cao.pdf");
        let pdf_text = support::pdf_text(&pdf, data.path(), "bao-cao-doc.pdf");
        for needle in [
            format!("cấp ủy mới có {} đồng chí", e.committee),
            format!("bầu {} đại biểu chính thức và {} đại biểu dự khuyết", e.official, e.alternate),
            "BÁO CÁO TỔNG HỢP KẾT QUẢ ĐẠI HỘI".to_owned(),
            "Tiến độ đại hội theo đơn vị".to_owned(),
        ] {
            assert!(pdf_text.contains(&needle), "the PDF lacks \"{needle}\":\n{pdf_text}");
        }

        let json: serde_json::Value = serde_json::from_slice(&write("bao-cao.json")).expect("json");
        assert_eq!(json["totals"]["delegates"]["official"], e.official);
        assert_eq!(json["totals"]["progress"]["organised"]["count"], e.congresses);
        assert_eq!(json["as_of"].as_str().map(str::len), Some(10));
        if let Some(p) = c.women.percent {
            assert_eq!(json["totals"]["bodies"][0]["women"]["percent"], p.to_string());
        }

        // Any other extension is refused, naming it, and writes nothing.
        let mut cmd = baucu();
        cmd.args(["aggregator", "report"]);
        target(&mut cmd, data.path(), &url);
        let out = cmd.arg("--to").arg(data.path().join("bao-cao.csv")).output().expect("run");
        assert!(!out.status.success());
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(".csv"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!data.path().join("bao-cao.csv").exists());
        drop(db);
    }
}

/// An area's report equals its row in its parent's drill-down; the level filter keeps one level; a
/// district viewer sees its district only, and an unknown area is named.
#[test]
fn aggregator_report_area_drill_down_and_district_viewer() {
    let dir = tempfile::tempdir().expect("dir");
    let packages = simulate(dir.path());
    for backend in backends() {
        let data = tempfile::tempdir().expect("data");
        let (db, url) = fresh_db(backend, data.path());
        import(data.path(), &url, &packages);
        let national = report::report(&db, &Actor::cli(), None, TODAY).expect("report");
        let province = national
            .rows
            .iter()
            .find(|r| r.figures.progress.organised.count > 0)
            .expect("a province with congresses");
        let r = report::report(&db, &Actor::cli(), Some(&province.code), TODAY).expect("province");
        assert_eq!(r.area.code.as_deref(), Some(province.code.as_str()));
        assert_eq!(r.totals, province.figures, "the province's report is its row of the national one");
        assert!(r.rows.first().is_some_and(|g| g.own), "the province's own congress comes first");
        // Each district of the province: its report is its row, and the rows add up.
        let mut held = 0;
        for row in &r.rows {
            held += row.figures.progress.organised.count;
            if !row.own {
                let d = report::report(&db, &Actor::cli(), Some(&row.code), TODAY).expect("district");
                assert_eq!(d.totals, row.figures, "district {}", row.code);
            }
        }
        assert_eq!(held, r.totals.progress.organised.count);

        // The district with the most congresses, seen by a viewer of that district.
        let district = r
            .rows
            .iter()
            .filter(|g| !g.own && g.level == UnitLevel::District)
            .max_by_key(|g| g.figures.progress.organised.count)
            .expect("a district");
        let units: Vec<String> = {
            let d = report::report(&db, &Actor::cli(), Some(&district.code), TODAY).expect("district");
            d.rows.iter().map(|g| g.code.clone()).collect()
        };
        let e = expected(&packages, Some(&units));
        let viewer = Actor {
            username: "xem.huyen".into(),
            role: Role::Viewer,
            area: Some(district.code.clone()),
            area_path: Some(district.path.clone()),
        };
        let own = report::report(&db, &viewer, None, TODAY).expect("the viewer's own area");
        assert_eq!(own.area.code.as_deref(), Some(district.code.as_str()));
        check_totals(&own, &e);
        assert!(own.rows.iter().all(|g| g.path.starts_with(&district.path)));
        assert!(own.departures.iter().all(|d| units.contains(&d.unit_code)));
        for other in r.rows.iter().filter(|g| g.code != district.code) {
            assert!(
                matches!(report::report(&db, &viewer, Some(&other.code), TODAY), Err(AppError::Forbidden)),
                "a district viewer must not see {}",
                other.code
            );
        }
        // A unit of the district is within the viewer's area.
        if let Some(unit) = own.rows.iter().find(|g| !g.own) {
            let u = report::report(&db, &viewer, Some(&unit.code), TODAY).expect("a unit of the district");
            assert_eq!(u.totals, unit.figures);
        }

        // Only grassroots organisations.
        let grassroots =
            report::report_at_level(&db, &Actor::cli(), None, Some(UnitLevel::Grassroots), TODAY)
                .expect("level");
        assert!(grassroots.totals.levels.iter().all(|l| l.level == Some(UnitLevel::Grassroots)));
        let all_grassroots = national.totals.levels.iter().find(|l| l.level == Some(UnitLevel::Grassroots));
        assert_eq!(grassroots.totals.levels.first(), all_grassroots);
        assert!(report::paragraph(&grassroots).contains("chỉ tính tổ chức cơ sở đảng"));

        // An unknown area is named; a viewer of the whole tree is not needed to see a district.
        match report::report(&db, &Actor::cli(), Some("KHONG-CO"), TODAY) {
            Err(AppError::Invalid(problems)) => {
                assert!(problems.iter().any(|p| p.message.contains("KHONG-CO")), "{problems:?}")
            }
            other => panic!("an unknown area must be refused: {other:?}"),
        }
        // The charts for the web carry the same figures and an accessible title.
        let svg = report::charts::progress_svg(&national);
        assert!(svg.starts_with("<svg") && svg.contains("role=\"img\"") && svg.contains("<title"));
        assert!(svg.contains(&format!("{} đã tổ chức đại hội", national.totals.progress.organised.count)));
        let svg = report::charts::composition_svg(&national);
        let women = national.totals.body(Body::Committee).expect("committee").women;
        if let Some(p) = women.percent {
            assert!(svg.contains(&format!("{} ({} %)", women.count, vn_percent(p))), "{svg}");
        }
        assert_eq!(FileKind::from_path(Path::new("a.PDF")).ok(), Some(FileKind::Pdf));
        drop(db);
    }
}
