//! Shared by the process-level tests: start the real `baucu serve` on port 0 and talk HTTP to it.
#![allow(dead_code)]

pub mod aggregator;

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// The demo accounts' password (`baucu serve --demo`).
pub const DEMO_PASSWORD: &str = "demo-baucu";

pub struct Server {
    pub child: Child,
    pub addr: String,
    /// The administrator's one-time password, printed on the first start only.
    pub admin_password: Option<String>,
}

impl Server {
    /// SIGKILL: no chance to flush or close anything.
    pub fn kill9(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `baucu serve` over plain HTTP (`--insecure-http`), which the raw-socket client here
/// speaks; `tests/tls.rs` starts it as the hall does, over HTTPS.
pub fn start(data: &Path, demo: bool) -> Server {
    start_command(Command::new(env!("CARGO_BIN_EXE_baucu")), data, demo)
}

/// [`start`] through `cmd`, a command that runs the binary (e.g. `prlimit … baucu`).
pub fn start_command(mut cmd: Command, data: &Path, demo: bool) -> Server {
    cmd.args(["serve", "--insecure-http", "--listen", "127.0.0.1:0", "--data"]).arg(data);
    if demo {
        cmd.arg("--demo");
    }
    let mut child = cmd.env("RUST_LOG", "warn").stdout(Stdio::piped()).spawn().expect("start baucu serve");
    let stdout = child.stdout.take().expect("stdout");
    let mut admin_password = None;
    let mut lines = BufReader::new(stdout).lines();
    for line in lines.by_ref() {
        let line = line.expect("stdout line");
        if let Some(rest) = line.split("mật khẩu một lần \"").nth(1) {
            admin_password = rest.split('"').next().map(str::to_owned);
        }
        if let Some(addr) = line.trim().strip_prefix("http://") {
            drain(lines);
            return Server { child, addr: addr.trim_end_matches('/').to_owned(), admin_password };
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("baucu serve did not print its address");
}

/// A client that trusts only the certificate in the PEM file `cert`, as a workstation that was
/// shown it would (the server name checked is `localhost`, which the node's own certificate has).
pub fn trusting(cert: &Path) -> std::sync::Arc<rustls::ClientConfig> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    for der in CertificateDer::pem_file_iter(cert).expect("certificate file") {
        roots.add(der.expect("certificate")).expect("root");
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    std::sync::Arc::new(
        rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_root_certificates(roots)
            .with_no_client_auth(),
    )
}

/// One request over HTTPS on a fresh connection, trusting only `cert`: (status, head, body). The
/// request is written as given (it should say `Connection: close`).
pub fn https(addr: &str, cert: &Path, request: &str) -> (u16, String, String) {
    let name = rustls::pki_types::ServerName::try_from("localhost").expect("name");
    let client = rustls::ClientConnection::new(trusting(cert), name).expect("client");
    let mut stream = rustls::StreamOwned::new(client, TcpStream::connect(addr).expect("connect"));
    stream.write_all(request.as_bytes()).expect("write");
    let mut raw = Vec::new();
    // A node that closes without TLS's close_notify is reported as an error after the data.
    let _ = stream.read_to_end(&mut raw);
    split_reply(&raw)
}

/// An HTTP answer as (status, head, body).
pub fn split_reply(raw: &[u8]) -> (u16, String, String) {
    let text = String::from_utf8_lossy(raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, head.to_owned(), body.to_owned())
}

/// Reads what the node still prints, so that it never writes into a closed pipe.
pub fn drain(lines: impl Iterator<Item = std::io::Result<String>> + Send + 'static) {
    std::thread::spawn(move || lines.take_while(Result::is_ok).for_each(drop));
}

/// One HTTP/1.1 exchange on a fresh connection: (status, set-cookie, body).
pub fn http(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<(u16, Option<String>, Vec<u8>)> {
    let mut stream = TcpStream::connect(addr)?;
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes())?;
    stream.write_all(body)?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "no header end"))?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let cookie = head
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: ").or_else(|| l.strip_prefix("Set-Cookie: ")))
        .map(|c| c.split(';').next().unwrap_or_default().to_owned());
    Ok((status, cookie, raw[split + 4..].to_vec()))
}

#[derive(Clone, Debug)]
pub struct Client {
    pub addr: String,
    pub cookie: String,
    pub csrf: String,
}

impl Client {
    pub fn login(addr: &str, user: &str, password: &str) -> Self {
        let body = serde_json::json!({ "username": user, "password": password }).to_string();
        let (status, cookie, reply) =
            http(addr, "POST", "/api/login", &[("Content-Type", "application/json")], body.as_bytes())
                .expect("login");
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&reply));
        let v: Value = serde_json::from_slice(&reply).expect("json");
        Client {
            addr: addr.to_owned(),
            cookie: cookie.expect("cookie"),
            csrf: v["csrf_token"].as_str().expect("csrf").to_owned(),
        }
    }

    pub fn try_call(&self, method: &str, path: &str, body: Option<&Value>) -> std::io::Result<(u16, Value)> {
        let payload = body.map(|b| b.to_string()).unwrap_or_default();
        let headers = [
            ("Cookie", self.cookie.as_str()),
            ("x-csrf-token", self.csrf.as_str()),
            ("Content-Type", "application/json"),
        ];
        let (status, _, reply) = http(&self.addr, method, path, &headers, payload.as_bytes())?;
        Ok((status, serde_json::from_slice(&reply).unwrap_or(Value::Null)))
    }

    /// A call that must succeed.
    pub fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        let (status, v) = self.try_call(method, path, body).expect("request");
        assert_eq!(status, 200, "{method} {path}: {v}");
        v
    }

    pub fn get(&self, path: &str) -> Value {
        self.call("GET", path, None)
    }

    pub fn post(&self, path: &str, body: Value) -> Value {
        self.call("POST", path, Some(&body))
    }

    pub fn post_bytes(&self, path: &str, content_type: &str, body: &[u8]) -> (u16, Value) {
        let headers = [
            ("Cookie", self.cookie.as_str()),
            ("x-csrf-token", self.csrf.as_str()),
            ("Content-Type", content_type),
        ];
        let (status, _, reply) = http(&self.addr, "POST", path, &headers, body).expect("request");
        (status, serde_json::from_slice(&reply).unwrap_or(Value::Null))
    }
}

/// The id of an account from a round's list of operators ("Họ tên (username)").
pub fn operator_id(round: &Value, username: &str) -> i64 {
    round["operators"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|o| o[1].as_str().is_some_and(|n| n.ends_with(&format!("({username})"))))
        .and_then(|o| o[0].as_i64())
        .unwrap_or_else(|| panic!("no operator {username} in {}", round["operators"]))
}

/// Accounts made with `baucu user add` before the first start (not one-time passwords).
pub const SMALL_ACCOUNTS: [(&str, &str, &str); 7] = [
    ("org", "organiser", "Nguyễn Thị Tổ Chức"),
    ("pres", "presidium", "Trần Văn Chủ Tịch"),
    ("head", "board_head", "Lê Văn Trưởng Ban"),
    ("op1", "operator", "Phạm Thị Một"),
    ("op2", "operator", "Hoàng Văn Hai"),
    ("op3", "operator", "Đinh Thị Ba"),
    ("adm", "admin", "Đỗ Văn Quản Trị"),
];
pub const SMALL_PASSWORD: &str = "mật khẩu thử 2025";
pub const SMALL_CANDIDATES: [&str; 6] =
    ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em", "Vũ Thị Giang"];

/// A members' congress of 60, all present (B = 60, T = 31), a committee election of 5 seats with the
/// 6 names of [`SMALL_CANDIDATES`] approved (already in Vietnamese ballot order), its first round open with two entries per stack, 60
/// ballots issued, and one stack handed to op1 and op2. Returns (server, round id, stack id, entries).
pub fn small_congress(data: &Path, papers: usize) -> (Server, i64, i64, [i64; 2]) {
    small_congress_with(data, &SMALL_CANDIDATES, papers)
}

/// [`small_congress`] with another list (names in ballot order; the same name may stand twice: each
/// is a different person of the roster, with a different birth date).
pub fn small_congress_with(data: &Path, candidates: &[&str], papers: usize) -> (Server, i64, i64, [i64; 2]) {
    small_congress_started(data, candidates, papers, |data| start(data, false))
}

/// Makes the accounts of [`SMALL_ACCOUNTS`] in `data` with `baucu user add`, run by `binary`.
pub fn add_small_accounts(data: &Path, binary: &dyn Fn() -> Command) {
    for (user, role, name) in SMALL_ACCOUNTS {
        let out = binary()
            .args([
                "user",
                "add",
                user,
                "--role",
                role,
                "--name",
                name,
                "--password",
                SMALL_PASSWORD,
                "--data",
            ])
            .arg(data)
            .output()
            .expect("user add");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
}

/// `baucu evaluate -` on `input`: (exit code, standard output, standard error).
pub fn evaluate_stdin(input: &[u8]) -> (Option<i32>, String, String) {
    let mut child = baucu()
        .args(["evaluate", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn baucu");
    child.stdin.take().expect("stdin").write_all(input).expect("write stdin");
    let out = child.wait_with_output().expect("wait");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

/// Imports a roster of `names` as `org` (in that order, birth dates and sexes made up, all official
/// members; the same name twice is two people), opens a sitting and checks everyone in: the persons
/// as `/api/persons` lists them.
pub fn roster_present(org: &Client, names: &[String]) -> Vec<Value> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["Họ và tên", "Ngày sinh", "Giới tính", "Đảng viên"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).expect("write");
    }
    for (r, name) in (0u32..).zip(names) {
        sheet.write_string(r + 1, 0, name).expect("write");
        sheet
            .write_string(r + 1, 1, format!("{:02}/0{}/19{}", 1 + r % 28, 1 + r % 9, 60 + r % 30))
            .expect("write");
        sheet.write_string(r + 1, 2, if r % 3 == 1 { "Nữ" } else { "Nam" }).expect("write");
        sheet.write_string(r + 1, 3, "Chính thức").expect("write");
    }
    let (status, reply) = org.post_bytes(
        "/api/roster/import",
        "application/octet-stream",
        &book.save_to_buffer().expect("xlsx"),
    );
    assert_eq!(status, 200, "{reply}");
    let sitting = org.post("/api/sittings", serde_json::json!({ "name": "Phiên thứ nhất" }))["id"]
        .as_i64()
        .expect("sitting");
    let people = org.get("/api/persons").as_array().expect("persons").clone();
    for p in &people {
        org.post(
            "/api/attendance/check-in",
            serde_json::json!({ "sitting_id": sitting, "person_id": p["id"], "present": true }),
        );
    }
    people
}

/// The command that runs the `baucu` binary cargo built for these tests.
pub fn baucu() -> Command {
    Command::new(env!("CARGO_BIN_EXE_baucu"))
}

/// [`small_congress_with`] on a server started by `starter` (e.g. under a lower open-file limit).
pub fn small_congress_started(
    data: &Path,
    candidates: &[&str],
    papers: usize,
    starter: impl FnOnce(&Path) -> Server,
) -> (Server, i64, i64, [i64; 2]) {
    small_congress_by(data, candidates, papers, &baucu, starter)
}

/// [`small_congress_started`] with the accounts made by the program `binary` runs (e.g. the Windows
/// exe under Wine).
pub fn small_congress_by(
    data: &Path,
    candidates: &[&str],
    papers: usize,
    binary: &dyn Fn() -> Command,
    starter: impl FnOnce(&Path) -> Server,
) -> (Server, i64, i64, [i64; 2]) {
    add_small_accounts(data, binary);
    let server = starter(data);
    let org = Client::login(&server.addr, "org", SMALL_PASSWORD);
    org.call(
        "PUT",
        "/api/congress",
        Some(&serde_json::json!({
        "name": "Đại hội Chi bộ Khu phố 3 lần thứ X", "organisation": "Chi bộ Khu phố 3", "level": "cell",
        "assembly_kind": "members_congress", "term": "2025–2027", "opens_on": "15/03/2025" })),
    );
    let filler = ["Ngô", "Lý", "Đặng", "Bùi", "Hồ", "Dương"];
    let names: Vec<String> = (0..60)
        .map(|r| match candidates.get(r) {
            Some(n) => (*n).to_owned(),
            None => format!("{} Văn Số {}", filler[r % filler.len()], r + 1),
        })
        .collect();
    let people = Value::Array(roster_present(&org, &names));
    let election = org.post(
        "/api/elections",
        serde_json::json!({ "body": "committee", "seats": "5", "seats_for": "60", "seats_against": "0" }),
    )["id"]
        .as_i64()
        .expect("election");
    let mut taken = Vec::new();
    for name in candidates {
        let id = people
            .as_array()
            .expect("persons")
            .iter()
            .find(|p| p["full_name"] == *name && !taken.contains(&p["id"]))
            .expect("candidate")["id"]
            .clone();
        taken.push(id.clone());
        org.post(
            &format!("/api/elections/{election}/candidates"),
            serde_json::json!({ "person_id": id, "source": "convening" }),
        );
    }
    let pres = Client::login(&server.addr, "pres", SMALL_PASSWORD);
    assert_eq!(
        pres.post(
            &format!("/api/elections/{election}/approval"),
            serde_json::json!({ "in_favour": 58, "against": 0 })
        )["passed"],
        true
    );
    let round =
        pres.post(
            &format!("/api/elections/{election}/rounds"),
            serde_json::json!({ "entries_per_stack": 2 }),
        )["id"]
            .as_i64()
            .expect("round");
    let head = Client::login(&server.addr, "head", SMALL_PASSWORD);
    head.post(
        &format!("/api/rounds/{round}/issued"),
        serde_json::json!({ "issued": 60, "collected": papers }),
    );
    let view = head.get(&format!("/api/rounds/{round}"));
    let ops = [operator_id(&view, "op1"), operator_id(&view, "op2")];
    let stack = head.post(
        &format!("/api/rounds/{round}/stacks"),
        serde_json::json!({ "name": "Chồng 1", "papers": papers, "operators": ops, "key": "small-1" }),
    )["id"]
        .as_i64()
        .expect("stack");
    let view = head.get(&format!("/api/rounds/{round}"));
    let entries = [
        view["stacks"][0]["entries"][0]["id"].as_i64().expect("entry"),
        view["stacks"][0]["entries"][1]["id"].as_i64().expect("entry"),
    ];
    (server, round, stack, entries)
}

/// What the browser tests need, or why they skip (see `crates/baucu/tests/browser.rs`).
pub fn browser_missing() -> Option<String> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let why = if !Path::new("/usr/bin/chromium").exists() {
        Some("/usr/bin/chromium is not installed".to_owned())
    } else if Command::new("node").arg("--version").output().is_err() {
        Some("node is not installed".to_owned())
    } else if !repo.join("tests/browser/node_modules/playwright-core").exists() {
        Some("tests/browser/node_modules is missing (npm ci in tests/browser)".to_owned())
    } else {
        None
    };
    if let Some(why) = &why
        && std::env::var("BAUCU_BROWSER_TESTS").as_deref() == Ok("required")
    {
        panic!("the browser test is required but {why}");
    }
    why
}

/// Runs a browser script of `tests/browser/` with the given environment; returns what it printed
/// last (a JSON line).
pub fn run_browser_script(script: &str, env: &[(&str, String)]) -> Value {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut cmd = Command::new("node");
    cmd.arg(repo.join("tests/browser").join(script)).current_dir(repo.join("tests/browser"));
    cmd.env("SCREENSHOT_DIR", repo.join("target/screenshots"));
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run node");
    assert!(
        out.status.success(),
        "{script} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let last = out.stdout.split(|b| *b == b'\n').rfind(|l| !l.is_empty()).unwrap_or_default().to_vec();
    serde_json::from_slice(&last).expect("the script prints a JSON line last")
}

/// The strings of a JSON array (empty for anything else).
pub fn strings(v: &Value) -> Vec<String> {
    v.as_array().into_iter().flatten().map(|s| s.as_str().unwrap_or("").to_owned()).collect()
}

impl Client {
    /// A logged-in GET of a file: (status, bytes).
    /// Posts an HTML form (as the browser does) with the session's CSRF token; returns the status and
    /// the body.
    pub fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> (u16, String) {
        let body = serde_urlencoded::to_string(fields).expect("form");
        let (status, _, bytes) = http(
            &self.addr,
            "POST",
            path,
            &[
                ("cookie", &self.cookie),
                ("x-csrf-token", &self.csrf),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            body.as_bytes(),
        )
        .expect("request");
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }

    pub fn download(&self, path: &str) -> (u16, Vec<u8>) {
        let (status, _, body) =
            http(&self.addr, "GET", path, &[("Cookie", self.cookie.as_str())], b"").expect("download");
        (status, body)
    }

    /// The ballot codes stored in one of my entries, in order.
    pub fn entry_codes(&self, entry: i64) -> Vec<String> {
        self.get(&format!("/api/entries/{entry}"))["ballots"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|b| b["code"].as_str().unwrap_or("").to_owned())
            .collect()
    }
}

/// Both operators `op1` and `op2` key the same ballots into their entries of one stack and finish.
#[allow(dead_code)]
pub fn key_both(server: &Server, entries: [i64; 2], codes: &[&str]) {
    for (user, entry) in [("op1", entries[0]), ("op2", entries[1])] {
        let op = Client::login(&server.addr, user, SMALL_PASSWORD);
        for (i, code) in codes.iter().enumerate() {
            op.post(
                &format!("/api/entries/{entry}/ballots"),
                serde_json::json!({ "code": code, "key": format!("{user}-{entry}-{i}") }),
            );
        }
        op.post(&format!("/api/entries/{entry}/finish"), serde_json::json!({}));
    }
}

/// As the board head of the small accounts: issues one ballot per code, hands one stack to op1 and
/// op2, has both key `codes` and closes the round (confirmed): the result as the close answers it.
#[allow(dead_code)]
pub fn count_and_close(server: &Server, round: i64, codes: &[&str], key: &str) -> Value {
    let head = Client::login(&server.addr, "head", SMALL_PASSWORD);
    let papers = codes.len();
    head.post(
        &format!("/api/rounds/{round}/issued"),
        serde_json::json!({ "issued": papers, "collected": papers }),
    );
    let view = head.get(&format!("/api/rounds/{round}"));
    let ops = [operator_id(&view, "op1"), operator_id(&view, "op2")];
    head.post(
        &format!("/api/rounds/{round}/stacks"),
        serde_json::json!({ "name": "Chồng 1", "papers": papers, "operators": ops, "key": key }),
    );
    let view = head.get(&format!("/api/rounds/{round}"));
    let entries = [0, 1].map(|i| view["stacks"][0]["entries"][i]["id"].as_i64().expect("entry"));
    key_both(server, entries, codes);
    head.post(&format!("/api/rounds/{round}/close"), serde_json::json!({ "confirm": true }))
}

/// The text of a PDF by `pdftotext -layout` (written as `dir/name`), with the lines the layout wrapped
/// joined back and spaces collapsed.
#[allow(dead_code)]
pub fn pdf_text(pdf: &[u8], dir: &Path, name: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, pdf).expect("write pdf");
    let out = Command::new("pdftotext").arg("-layout").arg(&path).arg("-").output().expect("pdftotext");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).split_whitespace().collect::<Vec<_>>().join(" ")
}
