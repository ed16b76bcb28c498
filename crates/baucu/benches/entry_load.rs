//! Budget (issue 4): 30 concurrent simulated operators on loopback submitting ballots as fast as they
//! can, every acknowledgement a durable commit (SQLite WAL, synchronous=FULL): p99 acknowledgement
//! ≤ 50 ms and ≥ 500 acknowledged ballots/s on the 2-core machine.
//! Run with `cargo bench -p baucu --bench entry_load`.
//!
//! The node runs in this process on a real SQLite file in a temporary directory; each operator is an
//! OS thread with its own keep-alive HTTP/1.1 connection, as a browser would have. The load runs
//! twice: over plain HTTP, and over HTTPS with the certificate the node makes for itself (as
//! `baucu serve` does by default), the client trusting that certificate as a workstation would.

#[path = "../tests/support/mod.rs"]
mod support;

use baucu_app::{Actor, App, Role, SystemClock};
use baucu_rules::Ballot;
use baucu_rules::sample::strike_ballots;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A connection's byte stream: a socket, or TLS over one.
trait Stream: Read + Write + Send {}
impl<T: Read + Write + Send> Stream for T {}

const OPERATORS: usize = 30;
const BALLOTS_EACH: usize = 300;
/// Papers in the round: each of the 15 stacks is keyed by two operators.
const PAPERS: usize = OPERATORS / 2 * BALLOTS_EACH;
const PASSWORD: &str = "mật khẩu thử tải";

struct Conn {
    reader: BufReader<Box<dyn Stream>>,
    addr: String,
}

impl Conn {
    fn open(addr: &str, tls: Option<&Arc<rustls::ClientConfig>>) -> Self {
        let socket = TcpStream::connect(addr).expect("connect");
        socket.set_nodelay(true).expect("nodelay");
        let stream: Box<dyn Stream> = match tls {
            None => Box::new(socket),
            Some(config) => {
                let name = rustls::pki_types::ServerName::try_from("localhost").expect("name");
                let client = rustls::ClientConnection::new(Arc::clone(config), name).expect("tls client");
                Box::new(rustls::StreamOwned::new(client, socket))
            }
        };
        Conn { reader: BufReader::new(stream), addr: addr.to_owned() }
    }

    /// One request on the kept-alive connection: (status, set-cookie, body).
    fn call(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> (u16, Option<String>, String) {
        let mut req = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
            self.addr,
            body.len()
        );
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        req.push_str("\r\n");
        req.push_str(body);
        let writer = self.reader.get_mut();
        writer.write_all(req.as_bytes()).expect("write");
        writer.flush().expect("flush");
        let mut status_line = String::new();
        self.reader.read_line(&mut status_line).expect("status");
        let status = status_line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        let (mut length, mut cookie) = (0usize, None);
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line).expect("header");
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            let lower = line.to_ascii_lowercase();
            if let Some(v) = lower.strip_prefix("content-length:") {
                length = v.trim().parse().unwrap_or(0);
            }
            if lower.starts_with("set-cookie:") {
                cookie = line
                    .split_once(':')
                    .map(|(_, v)| v.trim().split(';').next().unwrap_or_default().to_owned());
            }
        }
        let mut buf = vec![0; length];
        self.reader.read_exact(&mut buf).expect("body");
        (status, cookie, String::from_utf8_lossy(&buf).into_owned())
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn main() {
    let plain = load(false);
    let secured = load(true);
    if !(plain && secured) {
        std::process::exit(1);
    }
}

/// One load run; whether it stayed within budget.
fn load(tls: bool) -> bool {
    let dir = tempfile::tempdir().expect("temp dir");
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    let store = baucu_app::baucu_store::Store::open(&dir.path().join("baucu.sqlite")).expect("store");
    let app = App::new(store, Arc::new(SystemClock));
    let system = Actor::system();
    // The demo congress, 30 operators, the committee's first round, 15 stacks of 2 entries.
    let (addr, entries, client) = runtime.block_on(async {
        app.seed_demo().await.expect("demo");
        let mut ops = Vec::new();
        for i in 0..OPERATORS {
            ops.push(
                app.create_user(
                    &system,
                    &format!("op{i}"),
                    &format!("Người nhập {i}"),
                    Role::Operator,
                    PASSWORD,
                )
                .await
                .expect("user"),
            );
        }
        // The demo congress has 150 members; the load keys 4,500 papers, and no more ballots may be
        // issued than members summoned: 4,500 more members join the roster, in one import.
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (c, h) in ["Họ và tên", "Ngày sinh", "Giới tính", "Đảng viên"].iter().enumerate() {
            sheet.write_string(0, c as u16, *h).expect("header");
        }
        for r in 1..=PAPERS as u32 {
            sheet.write_string(r, 0, format!("Người Thử Tải {r}")).expect("name");
            sheet
                .write_string(r, 1, format!("{:02}/{:02}/19{}", 1 + r % 28, 1 + r % 12, 50 + r % 40))
                .expect("date");
            sheet.write_string(r, 2, if r % 3 == 0 { "Nữ" } else { "Nam" }).expect("sex");
            sheet.write_string(r, 3, "Chính thức").expect("status");
        }
        app.import_roster(&system, book.save_to_buffer().expect("xlsx")).await.expect("import");
        let election = app.elections(&system).await.expect("elections")[0].id;
        let round = app.open_first_round(&system, election, 2).await.expect("round");
        app.set_issued(&system, round, PAPERS as u32, None).await.expect("issued");
        let mut entries = Vec::new();
        for s in 0..OPERATORS / 2 {
            let request = baucu_app::counting::StackRequest {
                name: format!("Chồng {}", s + 1),
                papers: BALLOTS_EACH as u32,
                operators: vec![ops[2 * s], ops[2 * s + 1]],
                key: format!("bench-{s}"),
                board_consent: false,
            };
            app.create_stack(&system, round, request).await.expect("stack");
        }
        for stack in app.round(&system, round).await.expect("round").stacks {
            entries.extend(stack.entries.iter().map(|e| (e.id, e.operator_id)));
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr").to_string();
        let identity = baucu_web::tls::load_or_create(dir.path(), &[]).expect("certificate");
        let client = tls.then(|| support::trusting(&identity.cert_path));
        let options = baucu_web::ServeOptions {
            tls: tls.then(|| identity.config.clone()),
            limits: baucu_web::Limits::for_this_process(),
        };
        tokio::spawn(baucu_web::serve(listener, app.clone(), options, std::future::pending()));
        (addr, entries, client)
    });
    let usernames: Vec<String> = (0..OPERATORS).map(|i| format!("op{i}")).collect();
    let codes: Vec<String> =
        strike_ballots(16, 13, BALLOTS_EACH, 7).into_iter().map(|s| Ballot::strike(s).to_code()).collect();
    let codes = Arc::new(codes);

    // Everyone logs in first (Argon2 is deliberately slow); the clock starts when all are ready.
    let ready = Arc::new(std::sync::Barrier::new(entries.len() + 1));
    let threads: Vec<_> = entries
        .iter()
        .enumerate()
        .map(|(i, &(entry, _))| {
            let (addr, user, codes, ready, client) =
                (addr.clone(), usernames[i].clone(), codes.clone(), ready.clone(), client.clone());
            std::thread::spawn(move || {
                let mut conn = Conn::open(&addr, client.as_ref());
                let login = format!("{{\"username\":\"{user}\",\"password\":\"{PASSWORD}\"}}");
                let (status, cookie, body) = conn.call("POST", "/api/login", &[], &login);
                assert_eq!(status, 200, "{body}");
                let csrf = body
                    .split("\"csrf_token\":\"")
                    .nth(1)
                    .and_then(|s| s.split('"').next())
                    .expect("csrf")
                    .to_owned();
                let cookie = cookie.expect("cookie");
                let headers = [("Cookie", cookie.as_str()), ("x-csrf-token", csrf.as_str())];
                ready.wait();
                let mut latencies = Vec::with_capacity(codes.len());
                for (n, code) in codes.iter().enumerate() {
                    let body = format!("{{\"code\":\"{code}\",\"key\":\"{entry}-{n}\"}}");
                    let t = Instant::now();
                    let (status, _, reply) =
                        conn.call("POST", &format!("/api/entries/{entry}/ballots"), &headers, &body);
                    latencies.push(t.elapsed());
                    assert_eq!(status, 200, "{reply}");
                }
                latencies
            })
        })
        .collect();
    ready.wait();
    let started = Instant::now();
    let mut all: Vec<Duration> = threads.into_iter().flat_map(|t| t.join().expect("operator")).collect();
    let wall = started.elapsed();
    all.sort_unstable();
    let total = all.len();
    let rate = total as f64 / wall.as_secs_f64();
    let (p50, p99, max) = (percentile(&all, 0.50), percentile(&all, 0.99), all[total - 1]);
    println!(
        "entry load over {}: {OPERATORS} operators × {BALLOTS_EACH} ballots = {total} acknowledged, durable commits",
        if tls { "HTTPS" } else { "plain HTTP" }
    );
    println!("  wall {:.2} s · {:.0} ballots/s (budget ≥ 500)", wall.as_secs_f64(), rate);
    println!(
        "  acknowledgement p50 {:.1} ms · p99 {:.1} ms (budget ≤ 50) · max {:.1} ms",
        ms(p50),
        ms(p99),
        ms(max)
    );
    let ok = rate >= 500.0 && p99 <= Duration::from_millis(50);
    println!("  {}", if ok { "within budget" } else { "OVER BUDGET" });
    // Every acknowledged ballot is in the database.
    let stored: usize = runtime.block_on(async {
        let mut n = 0;
        for &(entry, operator) in &entries {
            let actor = Actor {
                user_id: operator,
                username: String::new(),
                full_name: String::new(),
                role: Role::Operator,
            };
            n += app.entry(&actor, entry).await.expect("entry").ballots.len();
        }
        n
    });
    assert_eq!(stored, total, "every acknowledged ballot is stored");
    ok
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
