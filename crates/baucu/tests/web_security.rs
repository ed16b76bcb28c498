//! The node against the people in the hall (issue 10): sign-in that a stranger cannot turn against
//! its users and that does not tell which names exist, a `next` that stays on the node, login
//! messages that never echo the address bar, one guard for every method (HEAD and methods the route
//! table does not declare, proved for every route of the table), and one JSON error contract for
//! every failure under `/api/`.
//!
//! Requests are sent from chosen loopback addresses (Linux routes all of 127/8 to loopback), so
//! "the attacker" and "the presidium" are different machines to the node.

mod support;

use serde_json::Value;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};
use support::{Client, SMALL_PASSWORD, Server};

/// One answer: status, headers (names in lower case), body.
#[derive(Debug)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// The JSON error's code, checking the whole documented shape.
    fn error_code(&self) -> String {
        assert!(
            self.header("content-type").is_some_and(|t| t.starts_with("application/json")),
            "a JSON error, not {:?}: {}",
            self.header("content-type"),
            self.text()
        );
        let v = self.json();
        let message = v["error"]["message"].as_str().unwrap_or_default();
        assert!(!message.is_empty() && !message.is_ascii(), "a Vietnamese message: {v}");
        v["error"]["code"].as_str().unwrap_or_else(|| panic!("no error code in {v}")).to_owned()
    }

    fn is_html(&self) -> bool {
        self.header("content-type").is_some_and(|t| t.starts_with("text/html"))
    }
}

/// Sends one HTTP/1.1 request from `from` to the node at `addr` on a fresh connection.
fn send_from(
    from: &str,
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Reply {
    exchange(from, addr, method, path, headers, body, false)
}

/// [`send_from`]; with `head_only`, stops at the end of the headers (for streams that never end).
/// The node may answer and close before it has read a body it refuses, so writing stops at the first
/// refusal and the answer is read then.
fn exchange(
    from: &str,
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    head_only: bool,
) -> Reply {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let source: IpAddr = from.parse().expect("source address");
    let target: SocketAddr = addr.parse().expect("node address");
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("\r\n");
    let raw = runtime.block_on(async {
        let socket = tokio::net::TcpSocket::new_v4().expect("socket");
        socket.bind(SocketAddr::new(source, 0)).expect("bind the source address");
        let mut stream = socket.connect(target).await.expect("connect");
        stream.write_all(request.as_bytes()).await.expect("write");
        for chunk in body.chunks(64 * 1024) {
            if stream.write_all(chunk).await.is_err() {
                break;
            }
        }
        let mut raw = Vec::new();
        let mut buf = [0u8; 16 * 1024];
        let read = async {
            while let Ok(n) = stream.read(&mut buf).await {
                if n == 0 {
                    break;
                }
                raw.extend_from_slice(&buf[..n]);
                if head_only && raw.windows(4).any(|w| w == b"\r\n\r\n") {
                    break;
                }
            }
        };
        tokio::time::timeout(Duration::from_secs(60), read).await.expect("the node answers");
        raw
    });
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a complete head");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.lines();
    let status =
        lines.next().and_then(|l| l.split_whitespace().nth(1)).and_then(|s| s.parse().ok()).unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let body = raw[split + 4..].to_vec();
    Reply { status, headers, body: if head_only { Vec::new() } else { body } }
}

/// Accounts made before the first start (as `small_congress` does), then the node.
fn node_with_accounts(data: &Path) -> Server {
    support::add_small_accounts(data, &support::baucu);
    support::start(data, false)
}

fn api_login(from: &str, addr: &str, user: &str, password: &str) -> Reply {
    let body = serde_json::json!({ "username": user, "password": password }).to_string();
    send_from(from, addr, "POST", "/api/login", &[("Content-Type", "application/json")], body.as_bytes())
}

fn form_login(from: &str, addr: &str, user: &str, password: &str, next: &str) -> Reply {
    let body = serde_urlencoded::to_string([("username", user), ("password", password), ("next", next)])
        .expect("form");
    send_from(
        from,
        addr,
        "POST",
        "/login",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        body.as_bytes(),
    )
}

fn retry_after(r: &Reply) -> u64 {
    r.header("retry-after").and_then(|v| v.parse().ok()).unwrap_or_else(|| panic!("Retry-After on {r:?}"))
}

/// The audit page's entries as text, quotes unescaped.
fn audit_text(admin: &Client) -> String {
    let r = send_from("127.0.0.1", &admin.addr, "GET", "/audit", &[("Cookie", &admin.cookie)], b"");
    assert_eq!(r.status, 200);
    r.text().replace("&quot;", "\"")
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

#[test]
fn unknown_names_take_as_long_as_known_ones() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = node_with_accounts(dir.path());
    // The first check makes the stand-in hash: not measured.
    assert_eq!(api_login("127.0.1.250", &server.addr, "nobody-here", "x").status, 401);
    let (mut known, mut unknown) = (Vec::new(), Vec::new());
    for i in 0..50u32 {
        // One address per pair of tries, so that no throttle answers in place of Argon2.
        let from = format!("127.0.1.{}", i + 1);
        let tries: [(&str, &mut Vec<Duration>); 2] = if i % 2 == 0 {
            [("pres", &mut known), ("nobody-here", &mut unknown)]
        } else {
            [("nobody-here", &mut unknown), ("pres", &mut known)]
        };
        for (user, times) in tries {
            let started = Instant::now();
            let r = api_login(&from, &server.addr, user, "wrong password");
            times.push(started.elapsed());
            assert_eq!(r.status, 401, "{user}: {}", r.text());
            assert_eq!(r.error_code(), "bad_credentials");
        }
    }
    let (k, u) = (median(known), median(unknown));
    let (slow, fast) = if k > u { (k, u) } else { (u, k) };
    let gap = (slow - fast).as_secs_f64() / slow.as_secs_f64();
    println!("median sign-in time: known name {k:?}, unknown name {u:?} (gap {:.1} %)", gap * 100.0);
    assert!(gap <= 0.20, "known {k:?} vs unknown {u:?}: the time tells which names exist");
}

#[test]
fn a_stranger_cannot_lock_the_presidium_out_and_is_slowed_more_each_time() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = node_with_accounts(dir.path());
    let addr = server.addr.clone();
    let attacker = "127.0.0.2";
    for i in 0..5 {
        let r = api_login(attacker, &addr, "pres", &format!("guess {i}"));
        assert_eq!(r.status, 401, "try {i}: {}", r.text());
        assert_eq!(r.error_code(), "bad_credentials");
    }
    // Past the free failures the attacker's next try is refused unchecked, even with the password.
    let refused = api_login(attacker, &addr, "pres", SMALL_PASSWORD);
    assert_eq!(refused.status, 429, "{}", refused.text());
    assert_eq!(refused.error_code(), "rate_limited");
    let first_wait = retry_after(&refused);
    assert!((1..=60).contains(&first_wait), "{first_wait}");
    // The presidium, at its own machine, signs in at once — on the API and on the form.
    let pres = api_login("127.0.0.1", &addr, "pres", SMALL_PASSWORD);
    assert_eq!(pres.status, 200, "{}", pres.text());
    let form = form_login("127.0.0.1", &addr, "pres", SMALL_PASSWORD, "/");
    assert_eq!(form.status, 303, "{}", form.text());
    // The form from the attacker's machine is refused too, with the wait, as a page.
    let form = form_login(attacker, &addr, "pres", "guess", "/");
    assert_eq!(form.status, 429);
    assert!(form.is_html() && retry_after(&form) >= 1);
    // Waiting out the delay buys one more check, and the next wait is longer.
    std::thread::sleep(Duration::from_millis(first_wait * 1000 + 100));
    assert_eq!(api_login(attacker, &addr, "pres", "guess again").status, 401);
    let again = api_login(attacker, &addr, "pres", "and again");
    assert_eq!(again.status, 429);
    assert!(retry_after(&again) > first_wait, "the wait grows: {first_wait} then {}", retry_after(&again));
    // The attacker spraying other names from the same machine is slowed as a whole.
    let mut sprayed = Vec::new();
    for i in 0..25 {
        sprayed.push(api_login(attacker, &addr, &format!("name-{i}"), "guess").status);
    }
    assert!(sprayed.contains(&429), "the address's budget over every name: {sprayed:?}");
    assert!(sprayed.iter().all(|s| *s == 401 || *s == 429), "{sprayed:?}");

    // Every sign-in is in the audit log with its address and the name tried, never the password.
    let admin = Client::login(&addr, "adm", SMALL_PASSWORD);
    let log = audit_text(&admin);
    assert!(log.contains("Đăng nhập không thành công bằng tên \"pres\" từ địa chỉ 127.0.0.2"), "{log}");
    assert!(log.contains("Đăng nhập bằng tên \"pres\" từ địa chỉ 127.0.0.2 bị tạm chặn"), "{log}");
    assert!(log.contains("Trần Văn Chủ Tịch đăng nhập từ địa chỉ 127.0.0.1."), "successes");
    assert!(!log.contains("guess") && !log.contains(SMALL_PASSWORD), "no password in the log");

    // The administrator sees the throttle and lifts it (audited); the attacker's pair is checked again.
    let page = send_from("127.0.0.1", &addr, "GET", "/admin/users", &[("Cookie", &admin.cookie)], b"");
    assert!(
        page.text().contains("Giới hạn đăng nhập") && page.text().contains("127.0.0.2"),
        "{}",
        page.text()
    );
    for fields in [
        [("kind", "pair"), ("account", "pres"), ("address", "127.0.0.2")],
        [("kind", "address"), ("account", ""), ("address", "127.0.0.2")],
    ] {
        let r = send_from(
            "127.0.0.1",
            &addr,
            "POST",
            "/admin/throttles/lift",
            &[
                ("Cookie", &admin.cookie),
                ("x-csrf-token", &admin.csrf),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            serde_urlencoded::to_string(fields).expect("form").as_bytes(),
        );
        assert_eq!(r.status, 303);
        assert!(r.header("location").is_some_and(|l| l.contains("ok=")), "lifted: {r:?}");
    }
    let (status, _) = admin.post_form("/admin/throttles/lift", &[("kind", "everything")]);
    assert_eq!(status, 303, "an unknown kind goes back with a notice");
    assert!(
        audit_text(&admin)
            .contains("Đỗ Văn Quản Trị gỡ giới hạn đăng nhập của tên \"pres\", địa chỉ 127.0.0.2.")
    );
    assert_eq!(api_login(attacker, &addr, "pres", "guess").status, 401, "checked again once lifted");

    // The hash chain and the data still verify.
    drop(server);
    let out = Command::new(env!("CARGO_BIN_EXE_baucu"))
        .args(["audit", "verify", "--data"])
        .arg(dir.path())
        .output()
        .expect("audit verify");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn bad_credentials_are_401_on_the_form_and_the_api() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = node_with_accounts(dir.path());
    let api = api_login("127.0.0.3", &server.addr, "org", "sai mật khẩu");
    assert_eq!(api.status, 401);
    assert_eq!(api.error_code(), "bad_credentials");
    let form = form_login("127.0.0.3", &server.addr, "org", "sai mật khẩu", "/");
    assert_eq!(form.status, 401);
    assert!(form.is_html() && form.text().contains("Tên đăng nhập hoặc mật khẩu không đúng."));
    let unknown = form_login("127.0.0.3", &server.addr, "khong-co", "sai mật khẩu", "/");
    assert_eq!(unknown.status, 401, "the same answer for a name that does not exist");
}

#[test]
fn next_after_sign_in_stays_on_the_node_and_the_login_page_echoes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = node_with_accounts(dir.path());
    let off = [
        "/\\evil.example",
        "/%09/evil.example",
        "//evil",
        "/%2F%2Fevil",
        "/%2F/evil",
        "/%5Cevil",
        "https://evil",
        "/\t/evil",
        "/%252F%252Fevil",
        "/%0d%0aLocation:%20https://evil",
        " //evil",
    ];
    for (i, next) in off.iter().enumerate() {
        // A fresh address per try: signing in succeeds every time anyway.
        let r = form_login(&format!("127.0.2.{}", i + 1), &server.addr, "org", SMALL_PASSWORD, next);
        assert_eq!(r.status, 303, "{next:?}: {}", r.text());
        assert_eq!(r.header("location"), Some("/"), "{next:?} must land on the node's home");
    }
    let kept = form_login("127.0.2.100", &server.addr, "org", SMALL_PASSWORD, "/elections?x=1");
    assert_eq!(kept.header("location"), Some("/elections?x=1"));
    // The next field of the login page is the judged one too.
    let page = send_from("127.0.0.1", &server.addr, "GET", "/login?next=%2F%2Fevil.example", &[], b"");
    assert!(!page.text().contains("evil.example"), "{}", page.text());

    // Messages come from codes; the address bar's text is never shown.
    for query in [
        "err=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "err=M%E1%BA%ADt%20kh%E1%BA%A9u%20c%E1%BB%A7a%20b%E1%BA%A1n%20%C4%91%C3%A3%20h%E1%BA%BFt%20h%E1%BA%A1n",
        "msg=G%E1%BB%8Di%20s%E1%BB%91%20n%C3%A0y",
        "err=logged_out",
    ] {
        let r = send_from("127.0.0.1", &server.addr, "GET", &format!("/login?{query}"), &[], b"");
        assert_eq!(r.status, 200);
        let text = r.text();
        assert!(
            !text.contains("script")
                && !text.contains("hết hạn")
                && !text.contains("Gọi số")
                && !text.contains("notice"),
            "{query}: {text}"
        );
    }
    let r = send_from("127.0.0.1", &server.addr, "GET", "/login?err=required", &[], b"");
    assert!(r.text().contains("Vui lòng đăng nhập để tiếp tục."));
    let r = send_from("127.0.0.1", &server.addr, "GET", "/login?msg=logged_out", &[], b"");
    assert!(r.text().contains("Bạn đã đăng xuất."));
}

/// Fills a route pattern's parameters with real ids of the small congress.
fn concrete(path: &str, ids: &Ids) -> String {
    let mut out = Vec::new();
    let mut before = "";
    for seg in path.split('/') {
        let filled = if seg.starts_with('{') {
            match (before, seg) {
                (_, "{file}") => "minutes.pdf".to_owned(),
                (_, "{seq}") => "1".to_owned(),
                ("rounds", _) => ids.round.to_string(),
                ("stacks", _) => ids.stack.to_string(),
                ("entries" | "entry", _) => ids.entry.to_string(),
                ("elections", _) => ids.election.to_string(),
                ("roster" | "persons", _) => ids.person.to_string(),
                ("users", _) => ids.user.to_string(),
                _ => "1".to_owned(),
            }
        } else {
            seg.to_owned()
        };
        before = seg;
        out.push(filled);
    }
    out.join("/")
}

#[derive(Debug)]
struct Ids {
    round: i64,
    stack: i64,
    entry: i64,
    election: i64,
    person: i64,
    user: i64,
}

#[test]
fn every_route_gets_one_guard_for_every_method() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (server, round, stack, entries) = support::small_congress(dir.path(), 10);
    let addr = server.addr.clone();
    let org = Client::login(&addr, "org", SMALL_PASSWORD);
    let election = org.get("/api/elections")[0]["id"].as_i64().expect("election");
    let person = org.get("/api/persons")[0]["id"].as_i64().expect("person");
    let ids = Ids { round, stack, entry: entries[0], election, person, user: 1 };
    let op = Client::login(&addr, "op1", SMALL_PASSWORD);
    let table = baucu_web::routes();
    let mut paths: Vec<&str> = table.iter().map(|s| s.path).collect();
    paths.sort_unstable();
    paths.dedup();
    let audit_entries = || {
        let out = Command::new(env!("CARGO_BIN_EXE_baucu"))
            .args(["audit", "verify", "--data"])
            .arg(dir.path())
            .output()
            .expect("audit verify");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let before = audit_entries();
    assert!(before.contains("Mã đầu chuỗi nhật ký"), "{before}");
    let mut checked = 0;
    for path in &paths {
        let url = concrete(path, &ids);
        let methods: Vec<String> =
            table.iter().filter(|s| s.path == *path).map(|s| s.method.as_str().to_owned()).collect();
        for session in [None, Some(&op)] {
            let mut headers: Vec<(&str, &str)> = Vec::new();
            if let Some(c) = session {
                headers.push(("Cookie", c.cookie.as_str()));
                headers.push(("x-csrf-token", c.csrf.as_str()));
            }
            let who = if session.is_some() { "operator" } else { "anonymous" };
            if methods.iter().any(|m| m == "GET") {
                let get = exchange("127.0.0.1", &addr, "GET", &url, &headers, b"", true);
                let head = exchange("127.0.0.1", &addr, "HEAD", &url, &headers, b"", true);
                assert_eq!(head.status, get.status, "HEAD {url} ({who}) must get the GET's decision");
                assert_eq!(head.header("location"), get.header("location"), "HEAD {url} ({who})");
            }
            let mut unknown = vec!["PATCH", "DELETE", "FOO", "OPTIONS"];
            if !methods.iter().any(|m| m == "GET") {
                unknown.push("HEAD");
            }
            for method in unknown.iter().filter(|m| !methods.iter().any(|d| d == *m)) {
                let head_only = *method == "HEAD";
                let r = exchange("127.0.0.1", &addr, method, &url, &headers, b"{}", head_only);
                assert_eq!(r.status, 405, "{method} {url} ({who})");
                assert!(
                    r.header("allow").is_some_and(|a| methods.iter().all(|m| a.contains(m.as_str()))),
                    "{r:?}"
                );
                if !head_only {
                    if path.starts_with("/api/") {
                        assert_eq!(r.error_code(), "method_not_allowed", "{method} {url}");
                    } else {
                        assert!(r.is_html(), "{method} {url}: {r:?}");
                    }
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 4 * paths.len(), "{checked} refusals over {} paths", paths.len());
    // No handler ran for a method the table does not declare: nothing was written.
    assert_eq!(audit_entries(), before, "the audit log did not move");
}

/// A request and the answer it must get: method, path, headers, body, status, error code.
type Case<'a> = (&'a str, String, Vec<(&'a str, &'a str)>, Vec<u8>, u16, &'a str);

#[test]
fn every_api_rejection_answers_the_json_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (server, round, _, entries) = support::small_congress(dir.path(), 10);
    let addr = server.addr.clone();
    let head = Client::login(&addr, "head", SMALL_PASSWORD);
    let auth = |content_type: &'static str| -> Vec<(&str, &str)> {
        vec![
            ("Cookie", head.cookie.as_str()),
            ("x-csrf-token", head.csrf.as_str()),
            ("Content-Type", content_type),
        ]
    };
    let issued = format!("/api/rounds/{round}/issued");
    let cases: Vec<Case> = vec![
        ("POST", issued.clone(), auth("application/json"), b"{\"issued\": ".to_vec(), 400, "malformed_json"),
        (
            "POST",
            issued.clone(),
            auth("application/json"),
            b"{\"issued\": 60} trailing".to_vec(),
            400,
            "malformed_json",
        ),
        (
            "POST",
            issued.clone(),
            auth("text/plain"),
            b"{\"issued\": 60}".to_vec(),
            415,
            "unsupported_media_type",
        ),
        ("POST", issued.clone(), auth("application/json"), b"{}".to_vec(), 422, "invalid_body"),
        (
            "POST",
            issued.clone(),
            auth("application/json"),
            b"{\"issued\": 60, \"extra\": 1}".to_vec(),
            422,
            "invalid_body",
        ),
        (
            "POST",
            issued.clone(),
            auth("application/json"),
            b"{\"issued\": \"sixty\"}".to_vec(),
            422,
            "invalid_body",
        ),
        ("GET", "/api/rounds/abc".to_owned(), auth("application/json"), Vec::new(), 400, "bad_path"),
        (
            "GET",
            format!("/api/entries/{}/check", entries[0]),
            auth("application/json"),
            Vec::new(),
            400,
            "bad_query",
        ),
        ("GET", "/api/no-such-thing".to_owned(), auth("application/json"), Vec::new(), 404, "not_found"),
        ("GET", "/api/rounds/1/nothing/here".to_owned(), Vec::new(), Vec::new(), 404, "not_found"),
        (
            "DELETE",
            format!("/api/rounds/{round}"),
            auth("application/json"),
            Vec::new(),
            405,
            "method_not_allowed",
        ),
        ("GET", format!("/api/rounds/{round}"), Vec::new(), Vec::new(), 401, "unauthenticated"),
        (
            "POST",
            issued.clone(),
            vec![("Cookie", head.cookie.as_str()), ("Content-Type", "application/json")],
            b"{\"issued\": 60}".to_vec(),
            403,
            "csrf",
        ),
        ("PUT", "/api/congress".to_owned(), auth("application/json"), b"{}".to_vec(), 403, "forbidden"),
        (
            "POST",
            "/api/login".to_owned(),
            vec![("Content-Type", "application/json")],
            b"{\"username\": \"x\"}".to_vec(),
            422,
            "invalid_body",
        ),
        (
            "POST",
            "/api/login".to_owned(),
            vec![("Content-Type", "application/x-www-form-urlencoded")],
            b"username=x".to_vec(),
            415,
            "unsupported_media_type",
        ),
    ];
    for (method, path, headers, body, status, code) in &cases {
        let r = send_from("127.0.0.4", &addr, method, path, headers, body);
        assert_eq!(r.status, *status, "{method} {path}: {}", r.text());
        assert_eq!(r.error_code(), *code, "{method} {path}");
    }
    // The field at fault is named.
    let r = send_from(
        "127.0.0.4",
        &addr,
        "POST",
        &issued,
        &auth("application/json"),
        b"{\"issued\": 60, \"extra\": 1}",
    );
    assert_eq!(r.json()["error"]["problems"][0]["field"], "extra");
    // A body over the limit: 413 in the same shape.
    let big = vec![b' '; 1024 * 1024];
    let r = send_from("127.0.0.4", &addr, "POST", &issued, &auth("application/json"), &big);
    assert_eq!(r.status, 413);
    assert_eq!(r.error_code(), "too_large");
    // The contract and its codes are in the OpenAPI document.
    let doc =
        send_from("127.0.0.4", &addr, "GET", "/api/openapi.json", &[("Cookie", head.cookie.as_str())], b"")
            .json();
    let described = doc["components"]["responses"]["Error"]["description"].as_str().unwrap_or_default();
    for (_, _, _, _, _, code) in &cases {
        assert!(described.contains(code), "{code} is documented");
    }
    assert!(doc["paths"]["/api/rounds/{id}/issued"]["post"]["responses"]["415"].is_object());
    // Pages answer the HTML error page for the same kinds.
    for (method, path) in [("GET", "/no-such-page"), ("DELETE", "/congress"), ("GET", "/rounds/abc")] {
        let r = send_from("127.0.0.4", &addr, method, path, &[("Cookie", head.cookie.as_str())], b"");
        assert!(r.status >= 400 && r.is_html(), "{method} {path}: {r:?}");
    }
}

#[test]
fn notices_on_pages_are_only_those_the_node_wrote() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = support::start(dir.path(), true);
    let org = Client::login(&server.addr, "bantochuc", support::DEMO_PASSWORD);
    let cookie = [("cookie", org.cookie.as_str())];
    // A link someone made, sent round the hall: its text never appears on the page.
    let forged = "M%C3%A1y%20ch%E1%BB%A7%20h%E1%BB%8Fng%2C%20h%C3%A3y%20g%E1%BB%8Di%200912";
    for path in [
        format!("/attendance?err={forged}"),
        format!("/attendance?ok={forged}&sig=00"),
        format!("/roster?err={forged}&sig={}", "ab".repeat(32)),
        format!("/elections?ok={forged}"),
    ] {
        let page = send_from("127.0.0.1", &server.addr, "GET", &path, &cookie, b"");
        assert_eq!(page.status, 200, "{path}: {:?}", page.header("location"));
        assert!(!page.text().contains("hãy gọi 0912"), "{path} shows a forged notice");
    }
    // What the node itself says after an action is shown, and only with its own MAC.
    let form =
        serde_urlencoded::to_string([("name", "Phiên chiều"), ("_csrf", org.csrf.as_str())]).expect("form");
    let done = send_from(
        "127.0.0.1",
        &server.addr,
        "POST",
        "/attendance/sittings",
        &[("cookie", org.cookie.as_str()), ("content-type", "application/x-www-form-urlencoded")],
        form.as_bytes(),
    );
    let location = done.header("location").expect("redirect after the action").to_owned();
    assert!(location.contains("sig="), "{location}");
    let page = send_from("127.0.0.1", &server.addr, "GET", &location, &cookie, b"");
    assert!(page.text().contains("Đã thêm Phiên chiều."), "{}", page.text());
    // The same MAC on other words does not pass.
    let altered = location.replace("Phi%C3%AAn", "Phien").replace("Phi%C3%AA", "Phie");
    assert_ne!(altered, location, "{location}");
    let page = send_from("127.0.0.1", &server.addr, "GET", &altered, &cookie, b"");
    assert!(!page.text().contains("Đã thêm Phie"), "{}", page.text());
}
