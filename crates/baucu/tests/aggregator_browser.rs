//! The superior committee's aggregator served by the real binary (`baucu serve --role aggregator`).
//!
//! * In headless Chromium (issue 13's acceptance browser test; the page script is
//!   `tests/browser/aggregator.mjs`, screenshots in `target/screenshots/aggregator-*.png`): import the
//!   tree of units and a folder of packages from `baucu simulate --packages 12 --seed 5` through the
//!   pages, approve one congress, open the report with its charts, download it as XLSX and PDF and
//!   read them back. The figures are checked against the packages themselves, opened here. Without
//!   Chromium it says so and skips, unless `BAUCU_BROWSER_TESTS=required`.
//! * Over HTTP, on SQLite and PostgreSQL: a district's account neither opens another district's
//!   congress page or package nor records an approval for it.

mod support;

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// The simulated packages of the tests: 12 congresses, one of them in two versions.
const PACKAGES: &str = "12";
const SEED: &str = "5";

fn baucu() -> Command {
    Command::new(env!("CARGO_BIN_EXE_baucu"))
}

/// `baucu simulate --packages 12 --seed 5 --to DIR/sim`: the folder of packages and `units.xlsx`.
fn simulate(dir: &Path) -> PathBuf {
    let sim = dir.join("sim");
    let out = baucu()
        .args(["simulate", "--packages", PACKAGES, "--seed", SEED, "--to"])
        .arg(&sim)
        .output()
        .expect("simulate");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    sim
}

/// The package files of the simulation, sorted by name.
fn package_files(sim: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(sim)
        .expect("sim dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "baucu"))
        .collect();
    files.sort();
    files
}

/// The aggregator server, killed when dropped.
struct Aggregator {
    child: Child,
    addr: String,
    password: Option<String>,
}

impl Drop for Aggregator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn with_database(cmd: &mut Command, data: &Path, database: Option<&str>) {
    cmd.arg("--data").arg(data);
    if let Some(url) = database {
        cmd.args(["--database", url]);
    }
}

fn start(data: &Path, database: Option<&str>) -> Aggregator {
    let mut cmd = baucu();
    cmd.args(["serve", "--role", "aggregator", "--insecure-http", "--listen", "127.0.0.1:0"]);
    with_database(&mut cmd, data, database);
    let mut child = cmd.env("RUST_LOG", "warn").stdout(Stdio::piped()).spawn().expect("start the aggregator");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut password = None;
    for line in lines.by_ref() {
        let line = line.expect("stdout line");
        if let Some(rest) = line.split("mật khẩu ban đầu \"").nth(1) {
            password = rest.split('"').next().map(str::to_owned);
        }
        if let Some(addr) = line.trim().strip_prefix("http://") {
            let addr = addr.trim_end_matches('/').to_owned();
            support::drain(lines);
            return Aggregator { child, addr, password };
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the aggregator did not print its address");
}

/// A signed-in browser-less client of the aggregator's pages.
struct Session {
    addr: String,
    cookie: String,
    csrf: String,
}

impl Session {
    fn login(addr: &str, user: &str, password: &str) -> Session {
        let form = serde_urlencoded::to_string([("username", user), ("password", password)]).expect("form");
        let (status, cookie, body) = support::http(
            addr,
            "POST",
            "/login",
            &[("content-type", "application/x-www-form-urlencoded")],
            form.as_bytes(),
        )
        .expect("login");
        assert_eq!(status, 303, "login of {user}: {}", String::from_utf8_lossy(&body));
        let cookie = cookie.expect("session cookie");
        let (_, _, page) = support::http(addr, "GET", "/", &[("cookie", &cookie)], b"").expect("home");
        let page = String::from_utf8_lossy(&page).into_owned();
        let csrf = page
            .split("name=\"_csrf\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("the page carries the CSRF token")
            .to_owned();
        Session { addr: addr.to_owned(), cookie, csrf }
    }

    fn get(&self, path: &str) -> (u16, String) {
        let (status, _, body) =
            support::http(&self.addr, "GET", path, &[("cookie", &self.cookie)], b"").expect("get");
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    /// Posts a form; returns the status and the `Location` it redirects to (empty if none).
    fn post(&self, path: &str, fields: &[(&str, &str)]) -> (u16, String) {
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("_csrf", &self.csrf));
        let body = serde_urlencoded::to_string(&all).expect("form");
        let mut stream = std::net::TcpStream::connect(&self.addr).expect("connect");
        let request = format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\ncookie: {}\r\ncontent-type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
            self.addr,
            self.cookie,
            body.len()
        );
        std::io::Write::write_all(&mut stream, request.as_bytes()).expect("write");
        let mut raw = Vec::new();
        std::io::Read::read_to_end(&mut stream, &mut raw).expect("read");
        let (status, head, _) = support::split_reply(&raw);
        let location = head
            .lines()
            .find_map(|l| l.strip_prefix("location: ").or_else(|| l.strip_prefix("Location: ")))
            .unwrap_or_default()
            .to_owned();
        (status, location)
    }
}

/// The notice of a redirect after an action: ("ok" or "err", text).
fn notice(location: &str) -> (String, String) {
    let query = location.split_once('?').map_or("", |(_, q)| q);
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).expect("query");
    pairs.into_iter().find(|(k, _)| k == "ok" || k == "err").unwrap_or_default()
}

/// The `data-status` of a congress page.
fn status_of(page: &str) -> Option<String> {
    page.split("data-status=\"").nth(1).and_then(|r| r.split('"').next()).map(str::to_owned)
}

/// What the packages say, counted here independently of the aggregator: per unit its latest
/// version; over them the committee's members and women.
struct Expected {
    units_with_package: BTreeSet<String>,
    committee_members: u64,
    committee_women: u64,
}

fn expected(files: &[PathBuf]) -> Expected {
    let mut latest: BTreeMap<String, baucu_exchange::Package> = BTreeMap::new();
    for f in files {
        let opened = baucu_exchange::open(&std::fs::read(f).expect("package")).expect("a valid package");
        let p = opened.package;
        if latest.get(&p.unit_code).is_none_or(|held| held.version < p.version) {
            latest.insert(p.unit_code.clone(), p);
        }
    }
    let mut committee_members = 0;
    let mut committee_women = 0;
    for p in latest.values() {
        for e in p.elected.iter().filter(|e| e.body == baucu_rules::election::Body::Committee && !e.alternate)
        {
            committee_members += 1;
            let person = p.people.iter().find(|x| x.id == e.person).expect("the elected person is listed");
            committee_women += u64::from(person.female);
        }
    }
    Expected { units_with_package: latest.keys().cloned().collect(), committee_members, committee_women }
}

/// The count at the start of a figure as the page prints it ("110 (25,46 %)" → 110).
fn count(figure: &Value) -> u64 {
    let text = figure.as_str().unwrap_or_else(|| panic!("figure {figure}"));
    text.split_whitespace().next().and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("figure {text}"))
}

/// Every cell of every sheet of a workbook, as text.
fn workbook_cells(path: &str) -> Vec<String> {
    use calamine::{Reader, Xlsx, open_workbook};
    let mut book: Xlsx<_> = open_workbook(path).expect("the downloaded workbook opens");
    let mut cells = Vec::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).expect("sheet");
        for row in range.rows() {
            for cell in row {
                cells.push(cell.to_string());
            }
        }
    }
    cells
}

fn pdf_text(path: &str) -> String {
    let out = Command::new("pdftotext").arg("-layout").arg(path).arg("-").output().expect("pdftotext");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn aggregator_browser_imports_a_folder_approves_and_reports() {
    if let Some(why) = support::browser_missing() {
        eprintln!("skipped: {why}");
        return;
    }
    let dir = tempfile::tempdir().expect("temp");
    let sim = simulate(dir.path());
    let files = package_files(&sim);
    let want = expected(&files);
    // The USB stick: a folder holding the packages only.
    let stick = dir.path().join("goi-ket-qua");
    std::fs::create_dir_all(&stick).expect("stick");
    for f in &files {
        std::fs::copy(f, stick.join(f.file_name().expect("name"))).expect("copy");
    }
    let out = dir.path().join("tai-ve");
    std::fs::create_dir_all(&out).expect("downloads");
    let approve = want.units_with_package.iter().next().expect("a congress").clone();
    let server = start(&dir.path().join("agg"), None);
    let password = server.password.clone().expect("the first start prints the administrator's password");
    let seen = support::run_browser_script(
        "aggregator.mjs",
        &[
            ("BASE_URL", format!("http://{}", server.addr)),
            ("ADMIN_PASSWORD", password),
            ("UNITS_XLSX", sim.join("units.xlsx").display().to_string()),
            ("PACKAGES_DIR", stick.display().to_string()),
            ("OUT_DIR", out.display().to_string()),
            ("APPROVE_UNIT", approve.clone()),
        ],
    );

    // The tree, then every package of the folder: each unit's versions in order, all received.
    let units_notice = seen["units_notice"].as_str().unwrap_or_default();
    assert!(units_notice.contains("đơn vị") && units_notice.contains("khóa"), "{seen}");
    let rows = seen["import_rows"].as_array().expect("the per-file report");
    assert_eq!(rows.len(), files.len(), "one row per file of the folder: {seen}");
    assert!(rows.iter().all(|r| r["verdict"] == "imported"), "every package received: {seen}");
    assert_eq!(
        seen["import_summary"],
        format!("Đã nhận {} gói, 0 gói đã có từ trước, 0 tệp bị từ chối.", files.len()),
        "{seen}"
    );

    // The congress approved body by body, from "reported" to "approved".
    assert_eq!(seen["congress_status_before"], "reported", "{seen}");
    let approved = seen["approved"].as_array().expect("approvals");
    assert!(!approved.is_empty(), "{seen}");
    assert!(
        approved.iter().all(|a| a["notice"].as_str().is_some_and(|n| n.starts_with("Đã chuẩn y"))),
        "{seen}"
    );
    assert_eq!(seen["congress_status_after"], "approved", "{seen}");
    assert!(seen["summary_links"].as_u64().is_some_and(|n| n >= 1), "{seen}");

    // The report: the figures on the page are those of the packages.
    let figures = &seen["figures"];
    let congresses = want.units_with_package.len() as u64;
    assert_eq!(count(&figures["organised"]), congresses, "{seen}");
    assert_eq!(count(&figures["reported"]), congresses, "{seen}");
    assert_eq!(count(&figures["approved"]), 1, "{seen}");
    assert_eq!(count(&figures["committee.members"]), want.committee_members, "{seen}");
    assert_eq!(count(&figures["committee.women"]), want.committee_women, "{seen}");
    let units = count(&figures["units"]);
    assert!(units > congresses, "units without a congress are counted too: {seen}");

    // The charts are there, as SVG, with the figures as text.
    let charts = seen["charts"].as_array().expect("charts");
    assert_eq!(charts.len(), 2, "{seen}");
    assert!(charts.iter().all(|c| c["svg"] == true), "{seen}");
    let all_text: Vec<String> = charts.iter().flat_map(|c| support::strings(&c["text"])).collect();
    assert!(
        all_text.iter().any(|t| t == &units.to_string()),
        "the progress chart shows {units}: {all_text:?}"
    );
    let women = figures["committee.women"].as_str().expect("women");
    let women_percent = women.split('(').nth(1).and_then(|r| r.split(' ').next()).expect("a percentage");
    assert!(
        all_text.iter().any(|t| t.contains(women_percent)),
        "the composition chart shows the women's {women_percent} %: {all_text:?}"
    );
    let paragraph = seen["paragraph"].as_str().expect("paragraph");
    assert!(paragraph.contains(&congresses.to_string()) && paragraph.contains(women_percent), "{paragraph}");

    // The downloads say the same.
    let cells = workbook_cells(seen["xlsx_file"].as_str().expect("xlsx"));
    for n in [units, congresses, want.committee_members, want.committee_women] {
        assert!(cells.iter().any(|c| c == &n.to_string()), "the workbook holds {n}: {cells:?}");
    }
    let pdf = pdf_text(seen["pdf_file"].as_str().expect("pdf"));
    for n in [units.to_string(), want.committee_members.to_string(), women_percent.to_owned()] {
        assert!(pdf.contains(&n), "the PDF holds {n}: {pdf}");
    }
}

/// Each backend: a district's staff account and another district's congress.
#[test]
fn aggregator_web_district_account_cannot_open_or_approve_another_district() {
    let dir = tempfile::tempdir().expect("temp");
    let sim = simulate(dir.path());
    let files = package_files(&sim);
    let units: Vec<String> = expected(&files).units_with_package.into_iter().collect();
    let district = |unit: &str| unit.rsplit_once('.').map(|(d, _)| d.to_owned()).expect("a grassroots code");
    let own = units.first().expect("a congress").clone();
    let other =
        units.iter().find(|u| district(u) != district(&own)).expect("a congress in another district").clone();
    for backend in support::aggregator::backends() {
        let data = dir.path().join(format!("agg-{backend:?}"));
        let (db, url) = support::aggregator::fresh_db(backend, &data);
        drop(db);
        let cli = |args: &[&str], extra: &[PathBuf]| {
            let mut cmd = baucu();
            cmd.arg("aggregator").args(args);
            with_database(&mut cmd, &data, url.as_deref());
            let out = cmd.args(extra).output().expect("baucu aggregator");
            assert!(
                out.status.success(),
                "{args:?}: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        };
        cli(&["units"], &[sim.join("units.xlsx")]);
        cli(&["import"], &files);
        let server = start(&data, url.as_deref());
        let admin =
            Session::login(&server.addr, "admin", server.password.as_deref().expect("admin password"));
        let password = "mật khẩu huyện 2026";
        let (status, location) = admin.post(
            "/users",
            &[
                ("username", "huyen"),
                ("full_name", "Cán bộ huyện"),
                ("role", "staff"),
                ("area", &district(&own)),
                ("password", password),
            ],
        );
        assert_eq!((status, notice(&location).0.as_str()), (303, "ok"), "{location}");
        let clerk = Session::login(&server.addr, "huyen", password);
        guard_and_package_endpoint(&server.addr, &clerk, &files, &own);

        // Its own district's congress: open, and approvable.
        let (status, page) = clerk.get(&format!("/congress/{own}"));
        assert_eq!(status, 200, "{backend:?}: {page}");
        assert_eq!(status_of(&page).as_deref(), Some("reported"));

        // Another district's: neither the page nor its package, nor an approval.
        let (status, page) = clerk.get(&format!("/congress/{other}"));
        assert_eq!(status, 404, "{backend:?}: another district's congress is not even found: {page}");
        assert!(status_of(&page).is_none(), "{page}");
        let (status, _) = clerk.get(&format!("/congress/{other}/packages/1/package"));
        assert_eq!(status, 404, "{backend:?}");
        let (status, _) = clerk.get(&format!("/congress/{other}/packages/1/summary.pdf"));
        assert_eq!(status, 404, "{backend:?}");
        for (path, fields) in [
            ("approve", vec![("body", "committee"), ("confirm", "yes")]),
            ("refuse", vec![("target", "committee"), ("reason", "Thử"), ("confirm", "yes")]),
            ("annul", vec![("body", ""), ("reason", "Thử"), ("confirm", "yes")]),
        ] {
            let (status, location) = clerk.post(&format!("/congress/{other}/{path}"), &fields);
            let (kind, text) = notice(&location);
            assert_eq!((status, kind.as_str()), (303, "err"), "{backend:?} {path}: {location}");
            assert!(text.contains("Không tìm thấy"), "{backend:?} {path}: {text}");
        }
        let (_, page) = admin.get(&format!("/congress/{other}"));
        assert_eq!(status_of(&page).as_deref(), Some("reported"), "{backend:?}: nothing changed");
        assert!(!page.contains("Các quyết định đã ghi"), "{backend:?}: no decision recorded");

        // The same clerk approves in its own district.
        let (status, location) =
            clerk.post(&format!("/congress/{own}/approve"), &[("body", "committee"), ("confirm", "yes")]);
        assert_eq!((status, notice(&location).0.as_str()), (303, "ok"), "{backend:?}: {location}");
        // Without the confirm box nothing happens.
        let (_, location) = admin.post(&format!("/congress/{other}/approve"), &[("body", "committee")]);
        assert_eq!(notice(&location).0, "err", "{location}");
        let (_, page) = admin.get(&format!("/congress/{other}"));
        assert_eq!(status_of(&page).as_deref(), Some("reported"));
    }
}

/// The guard and the package endpoint, on a running aggregator: a page without a session goes to the
/// login page, a form without the CSRF token is refused, the session cookie and the security headers
/// are those of the node; a package posted by a node is answered with its verdict.
fn guard_and_package_endpoint(addr: &str, clerk: &Session, files: &[PathBuf], own: &str) {
    let (status, _, _) = support::http(addr, "GET", &format!("/congress/{own}"), &[], b"").expect("get");
    assert_eq!(status, 303, "no session: to the login page");
    let (status, head, _) = {
        let mut stream = std::net::TcpStream::connect(addr).expect("connect");
        let request = format!(
            "POST /congress/{own}/approve HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\ncookie: {}\r\ncontent-type: application/x-www-form-urlencoded\r\nContent-Length: 25\r\n\r\nbody=committee&confirm=yes",
            clerk.cookie
        );
        std::io::Write::write_all(&mut stream, request.as_bytes()).expect("write");
        let mut raw = Vec::new();
        std::io::Read::read_to_end(&mut stream, &mut raw).expect("read");
        support::split_reply(&raw)
    };
    assert_eq!(status, 403, "no CSRF token: refused before the handler");
    let head = head.to_lowercase();
    for header in
        ["x-frame-options: sameorigin", "x-content-type-options: nosniff", "referrer-policy: same-origin"]
    {
        assert!(head.contains(header), "{header} in {head}");
    }
    let form =
        serde_urlencoded::to_string([("username", "huyen"), ("password", "sai mật khẩu")]).expect("form");
    let raw = {
        let mut stream = std::net::TcpStream::connect(addr).expect("connect");
        let request = format!(
            "POST /login HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\ncontent-type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
            form.len()
        );
        std::io::Write::write_all(&mut stream, request.as_bytes()).expect("write");
        let mut raw = Vec::new();
        std::io::Read::read_to_end(&mut stream, &mut raw).expect("read");
        raw
    };
    let (status, head, _) = support::split_reply(&raw);
    assert_eq!(status, 401, "a wrong password");
    assert!(!head.to_lowercase().contains("set-cookie"), "no session for a wrong password");

    // The node's "Gửi lên cấp trên": the same file again is a duplicate (200), a changed byte is refused (422).
    let file = std::fs::read(&files[0]).expect("package");
    let post = |body: &[u8]| {
        let (status, _, reply) = support::http(
            addr,
            "POST",
            "/api/packages",
            &[("content-type", "application/octet-stream")],
            body,
        )
        .expect("post package");
        (status, serde_json::from_slice::<Value>(&reply).expect("JSON answer"))
    };
    let (status, answer) = post(&file);
    assert_eq!((status, &answer["verdict"]), (200, &Value::from("duplicate")), "{answer}");
    let mut changed = file.clone();
    changed[10] ^= 1;
    let (status, answer) = post(&changed);
    assert_eq!((status, &answer["verdict"]), (422, &Value::from("modified")), "{answer}");
    assert!(answer["message"].as_str().is_some_and(|m| m.contains("sửa đổi")), "{answer}");
    // A body announced larger than one package is refused before it is read.
    let mut stream = std::net::TcpStream::connect(addr).expect("connect");
    let request = format!(
        "POST /api/packages HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
        9 * 1024 * 1024
    );
    std::io::Write::write_all(&mut stream, request.as_bytes()).expect("write");
    // The answer comes at once; the connection may stay open for the body never sent, so the read
    // ends when the connection closes or stays quiet (not a timing assertion: the answer is whole).
    stream.set_read_timeout(Some(std::time::Duration::from_secs(5))).expect("timeout");
    let mut raw = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(n @ 1..) = std::io::Read::read(&mut stream, &mut buf) {
        raw.extend_from_slice(&buf[..n]);
    }
    let (status, _, body) = support::split_reply(&raw);
    assert_eq!(status, 413, "{body}");
    assert!(body.contains("too_large"), "{body}");
}
