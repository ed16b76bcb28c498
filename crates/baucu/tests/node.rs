//! The congress node as a process, against a real SQLite file: `baucu serve --demo` on port 0,
//! driven over HTTP; stopped and restarted, everything is there; `baucu audit verify` passes, and
//! after one audit row is edited with the `sqlite3` tool it fails naming that entry. A roster file
//! with four kinds of error is refused with all four, and nothing is imported.
//!
//! The tamper step needs the `sqlite3` command (`scripts/test` installs it); without it, and without
//! `BAUCU_BROWSER_TESTS=required`, that step says so and is skipped.

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};

struct Server(Child, String);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(data: &Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_baucu"))
        .args(["serve", "--demo", "--listen", "127.0.0.1:0", "--data"])
        .arg(data)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("start baucu serve");
    let stdout = child.stdout.take().expect("stdout");
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("stdout line");
        if let Some(addr) = line.trim().strip_prefix("http://") {
            return Server(child, addr.trim_end_matches('/').to_owned());
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("baucu serve did not print its address");
}

/// A minimal HTTP/1.1 exchange: (status, set-cookie, body).
fn http(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, Option<String>, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).expect("write");
    stream.write_all(body).expect("write body");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read");
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("header end");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).expect("status");
    let cookie = head
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: ").or_else(|| l.strip_prefix("Set-Cookie: ")))
        .map(|c| c.split(';').next().unwrap_or_default().to_owned());
    (status, cookie, raw[split + 4..].to_vec())
}

struct Client {
    addr: String,
    cookie: String,
    csrf: String,
}

impl Client {
    fn login(addr: &str, user: &str, password: &str) -> Self {
        let body = serde_json::json!({ "username": user, "password": password }).to_string();
        let (status, cookie, reply) =
            http(addr, "POST", "/api/login", &[("Content-Type", "application/json")], body.as_bytes());
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&reply));
        let v: Value = serde_json::from_slice(&reply).expect("json");
        Client {
            addr: addr.to_owned(),
            cookie: cookie.expect("cookie"),
            csrf: v["csrf_token"].as_str().expect("csrf").to_owned(),
        }
    }

    fn get(&self, path: &str) -> Value {
        let (status, _, body) = http(&self.addr, "GET", path, &[("Cookie", &self.cookie)], b"");
        assert_eq!(status, 200, "GET {path}: {}", String::from_utf8_lossy(&body));
        serde_json::from_slice(&body).expect("json")
    }

    fn post_bytes(&self, path: &str, content_type: &str, body: &[u8]) -> (u16, Value) {
        let headers = [
            ("Cookie", self.cookie.as_str()),
            ("x-csrf-token", self.csrf.as_str()),
            ("Content-Type", content_type),
        ];
        let (status, _, reply) = http(&self.addr, "POST", path, &headers, body);
        (status, serde_json::from_slice(&reply).unwrap_or(Value::Null))
    }
}

fn bad_roster() -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let rows = [
        ["Họ và tên", "Ngày sinh", "Giới tính", "Đảng viên"],
        ["", "01/01/1970", "Nam", "Chính thức"],
        ["Trần Văn Cường", "31/02/1980", "Nam", "Chính thức"],
        ["Lê Thị Dung", "01/01/1971", "Nữ", "Chính thức"],
        ["Lê Thị Dung", "01/01/1971", "Nữ", "Chính thức"],
        ["Phạm Văn Em", "05/05/1975", "Không rõ", "Chính thức"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *v).expect("write");
        }
    }
    book.save_to_buffer().expect("xlsx")
}

#[test]
fn the_node_keeps_everything_across_a_restart_and_its_audit_log_is_tamper_evident() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let server = start(&data);
    let client = Client::login(&server.1, "bantochuc", "demo-baucu");
    assert_eq!(client.get("/api/persons").as_array().map(Vec::len), Some(150));

    // A roster file with an empty name, a bad date, a duplicate and an unknown sex: refused whole.
    let (status, reply) = client.post_bytes("/api/roster/import", "application/octet-stream", &bad_roster());
    assert_eq!(status, 422, "{reply}");
    let problems: Vec<(u64, String, String)> = reply["error"]["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| {
            (
                p["row"].as_u64().unwrap_or(0),
                p["column"].as_str().unwrap_or("").to_owned(),
                p["message"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let where_: Vec<(u64, &str)> = problems.iter().map(|(r, c, _)| (*r, c.as_str())).collect();
    assert_eq!(where_, [(2, "Họ và tên"), (3, "Ngày sinh"), (5, "Họ và tên"), (6, "Giới tính")]);
    assert!(problems[0].2.contains("để trống"), "{problems:?}");
    assert!(problems[1].2.contains("31/02/1980"), "{problems:?}");
    assert!(problems[2].2.contains("Trùng người với dòng 4"), "{problems:?}");
    assert!(problems[3].2.contains("Không rõ"), "{problems:?}");
    assert_eq!(client.get("/api/persons").as_array().map(Vec::len), Some(150), "nothing was imported");

    // Stop hard and start again: everything is there.
    drop(server);
    let server = start(&data);
    let client = Client::login(&server.1, "doanchutich", "demo-baucu");
    assert_eq!(client.get("/api/persons").as_array().map(Vec::len), Some(150));
    let elections = client.get("/api/elections");
    assert_eq!(elections[0]["approved"], true, "{elections}");
    let detail = client.get(&format!("/api/elections/{}", elections[0]["id"]));
    assert_eq!(detail["ballot"].as_array().map(Vec::len), Some(16));
    assert_eq!(client.get("/api/attendance")["report"]["base"], 134);
    let openapi = client.get("/api/openapi.json");
    assert!(openapi["paths"]["/api/elections/{id}/poll"]["post"].is_object());
    drop(server);

    let verify = || {
        Command::new(env!("CARGO_BIN_EXE_baucu"))
            .args(["audit", "verify", "--data"])
            .arg(&data)
            .output()
            .expect("verify")
    };
    let ok = verify();
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stdout));
    assert!(String::from_utf8_lossy(&ok.stdout).contains("toàn vẹn"));

    let sqlite3 = Command::new("sqlite3").arg("-version").output();
    if sqlite3.is_err() {
        if std::env::var("BAUCU_BROWSER_TESTS").as_deref() == Ok("required") {
            panic!("the sqlite3 tool is required for the tamper test");
        }
        eprintln!("skipped the tamper step: the sqlite3 tool is not installed (scripts/test installs it)");
        return;
    }
    let tamper = Command::new("sqlite3")
        .arg(data.join("baucu.sqlite"))
        .arg("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET data = '{\"imported\":9999}' WHERE seq = 7;")
        .output()
        .expect("sqlite3");
    assert!(tamper.status.success(), "{}", String::from_utf8_lossy(&tamper.stderr));
    let broken = verify();
    assert_eq!(broken.status.code(), Some(1));
    let said = String::from_utf8_lossy(&broken.stdout);
    assert!(said.contains("mục số 7") && said.contains("bị sửa"), "{said}");
}
