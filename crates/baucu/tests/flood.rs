//! Strangers in the hall flood the node while an operator keys ballots (issue 10): 2,000 connections
//! that never finish their request headers and 1,000 requests for the public live stream, from ten
//! addresses, against a node started with the usual limit of 1,024 open files. The operator, from
//! another address, signs in and keys a whole stack with every acknowledgement's p99 ≤ 100 ms.

mod support;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::Command;
use std::time::{Duration, Instant};
use support::{Client, SMALL_PASSWORD, small_congress_started, start_command};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

const ATTACKERS: u8 = 10;
const HALF_OPEN: usize = 2_000;
const STREAMS: usize = 1_000;
const PAPERS: usize = 60;

/// Opens a connection from `source` to `server`; `None` when the node (or the system) refused it.
async fn connect_from(source: IpAddr, server: SocketAddr) -> Option<TcpStream> {
    let socket = TcpSocket::new_v4().ok()?;
    socket.bind(SocketAddr::new(source, 0)).ok()?;
    tokio::time::timeout(Duration::from_secs(5), socket.connect(server)).await.ok()?.ok()
}

/// The status a stream request got (200 = a live stream held open), or 0 when the connection was
/// closed first.
async fn stream_status(mut stream: TcpStream, host: &str) -> (u16, TcpStream) {
    let request =
        format!("GET /results/events HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\n\r\n");
    if stream.write_all(request.as_bytes()).await.is_err() {
        return (0, stream);
    }
    let mut head = [0u8; 12];
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read_exact(&mut head)).await;
    let status = match read {
        Ok(Ok(_)) => std::str::from_utf8(&head[9..12]).ok().and_then(|s| s.parse().ok()).unwrap_or(0),
        _ => 0,
    };
    (status, stream)
}

#[test]
fn flood_of_strangers_leaves_entry_responsive() {
    // This test process holds 3,000 sockets of its own: raise its soft open-file limit (CI runs as
    // root, which may raise the hard limit too).
    let me = std::process::id().to_string();
    let raised = Command::new("prlimit").args(["--pid", &me, "--nofile=8192:8192"]).status();
    assert!(raised.is_ok_and(|s| s.success()), "prlimit (util-linux) must raise this test's open-file limit");

    let dir = tempfile::tempdir().expect("temp");
    let (server, _round, _stack, [entry, _]) =
        small_congress_started(&dir.path().join("data"), &support::SMALL_CANDIDATES, PAPERS, |data| {
            let mut cmd = Command::new("prlimit");
            cmd.args(["--nofile=1024:1024", env!("CARGO_BIN_EXE_baucu")]);
            start_command(cmd, data, false)
        });
    let limits = std::fs::read_to_string(format!("/proc/{}/limits", server.child.id())).expect("limits");
    assert!(
        limits
            .lines()
            .any(|l| l.starts_with("Max open files") && l.split_whitespace().nth(3) == Some("1024")),
        "the node runs with 1,024 open files: {limits}"
    );
    let addr: SocketAddr = server.addr.parse().expect("addr");

    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("rt");
    let sources: Vec<IpAddr> = (0..ATTACKERS).map(|i| IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2 + i))).collect();
    let (held, statuses) = runtime.block_on(async {
        let mut held = Vec::new();
        // 1,000 public live streams, all at once.
        let mut asks = Vec::new();
        for i in 0..STREAMS {
            let source = sources[i % sources.len()];
            let host = addr.to_string();
            asks.push(tokio::spawn(async move {
                match connect_from(source, addr).await {
                    Some(stream) => {
                        let (status, stream) = stream_status(stream, &host).await;
                        (status, Some(stream))
                    }
                    None => (0, None),
                }
            }));
        }
        let mut statuses = Vec::new();
        for ask in asks {
            let (status, stream) = ask.await.expect("stream task");
            statuses.push(status);
            held.extend(stream);
        }
        // 2,000 connections that send half a request and never the rest.
        for i in 0..HALF_OPEN {
            if let Some(mut stream) = connect_from(sources[i % sources.len()], addr).await {
                let _ = stream.write_all(b"GET /login HTTP/1.1\r\nHost: x\r\nX-Slow: ").await;
                held.push(stream);
            }
        }
        (held, statuses)
    });
    let live = statuses.iter().filter(|&&s| s == 200).count();
    let refused = statuses.iter().filter(|&&s| s == 503).count();
    assert!(live > 0 && refused > 0, "streams are granted up to the caps, then refused: {statuses:?}");
    assert!(live <= usize::from(ATTACKERS) * 8, "at most 8 live streams per address: {live}");
    assert_eq!(live + refused + statuses.iter().filter(|&&s| s == 0).count(), STREAMS, "{statuses:?}");

    // The operator, from 127.0.0.1, signs in and keys the whole stack while all that is held open.
    let signing_in = Instant::now();
    let op = Client::login(&server.addr, "op1", SMALL_PASSWORD);
    let sign_in = signing_in.elapsed();
    let mut acks = Vec::with_capacity(PAPERS);
    for n in 0..PAPERS {
        let body = serde_json::json!({ "code": format!("x:{}", 1 + n % 6), "key": format!("flood-{n}") });
        let started = Instant::now();
        let (status, reply) =
            op.try_call("POST", &format!("/api/entries/{entry}/ballots"), Some(&body)).expect("ballot");
        acks.push(started.elapsed());
        assert_eq!(status, 200, "{reply}");
    }
    acks.sort_unstable();
    let p99 = acks[((acks.len() - 1) as f64 * 0.99).round() as usize];
    eprintln!(
        "flood: {} connections opened by strangers, {live} live streams granted, {refused} refused; sign-in {:.0} ms; ack p50 {:.1} ms, p99 {:.1} ms",
        held.len(),
        sign_in.as_secs_f64() * 1e3,
        acks[acks.len() / 2].as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3
    );
    assert!(sign_in <= Duration::from_secs(5), "signing in took {sign_in:?} under the flood");
    assert!(p99 <= Duration::from_millis(100), "p99 acknowledgement {p99:?} under the flood");
    assert_eq!(op.get(&format!("/api/entries/{entry}"))["ballots"].as_array().map(Vec::len), Some(PAPERS));
    drop(held);
}
