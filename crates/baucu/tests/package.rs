//! The result package of a node (issue 13, node side), through the real binary: `baucu package
//! export` on a simulated congress writes a signed file that `baucu package verify` accepts, whose
//! every figure is the node's stored result, whose PDF summary reads back; a re-export of unchanged
//! content gives the same file; a changed byte is refused; the page downloads the same bytes and no
//! page shows the key. On a small congress: no unit code → refusal; a round reopened and closed again
//! exports version 2, which supersedes version 1.

mod support;

use baucu_app::baucu_store::Store;
use baucu_app::simulate_packages::exchange;
use baucu_app::{Actor, App, SystemClock};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::Arc;
use support::{Client, DEMO_PASSWORD, SMALL_PASSWORD, baucu, key_both, pdf_text, small_congress, start};

fn run(args: &[&str], paths: &[&Path]) -> Output {
    let mut cmd = baucu();
    cmd.args(args);
    for p in paths {
        cmd.arg(p);
    }
    cmd.output().expect("run baucu")
}

fn said(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

fn export(data: &Path, to: &Path) -> Output {
    let mut cmd = baucu();
    cmd.args(["package", "export", "--data"]).arg(data).arg("--to").arg(to);
    cmd.output().expect("run baucu package export")
}

fn verify(file: &Path, extra: &[&str]) -> Output {
    let mut cmd = baucu();
    cmd.args(["package", "verify"]).arg(file).args(extra);
    cmd.output().expect("run baucu package verify")
}

/// The value printed after `label` on a line of the output.
fn printed(out: &Output, label: &str) -> String {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix(label).map(|v| v.trim().to_owned()))
        .unwrap_or_else(|| panic!("no \"{label}\" in {}", said(out)))
}

/// Every closed round of every election, as the application reports it: (body, number, round).
fn stored_rounds(data: &Path) -> (Vec<(String, i64, Value)>, Vec<u8>) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    runtime.block_on(async {
        let store = Store::open(&data.join("baucu.sqlite")).expect("open the database");
        let app = App::new(store, Arc::new(SystemClock));
        let actor = Actor::system();
        let mut out = Vec::new();
        for e in app.elections(&actor).await.expect("elections") {
            for r in app.rounds_of(&actor, e.id).await.expect("rounds") {
                if r.closed && !r.poll {
                    out.push((
                        e.body.code().to_owned(),
                        r.number,
                        json!({ "assembly": r.assembly, "result": r.result, "purpose": r.purpose }),
                    ));
                }
            }
        }
        let key = app
            .store()
            .read(|c| Ok::<_, baucu_app::AppError>(baucu_app::baucu_store::package::key(c)?))
            .await
            .expect("key")
            .expect("the node has a key");
        app.store().close();
        (out, key.pkcs8)
    })
}

fn hundredths(text: &str) -> u64 {
    let (whole, frac) = text.split_once('.').expect("a percentage with two decimals");
    whole.parse::<u64>().expect("whole") * 100 + frac.parse::<u64>().expect("decimals")
}

#[test]
fn package_export_of_a_simulated_congress_is_verified_exact_and_stable() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let out = run(&["simulate", "--seed", "7", "--data"], &[&data]);
    assert!(out.status.success(), "{}", said(&out));

    let first = dir.path().join("goi-1.baucu");
    let out = export(&data, &first);
    assert!(out.status.success(), "{}", said(&out));
    assert_eq!(printed(&out, "Đơn vị:"), "SIM.0007");
    assert_eq!(printed(&out, "Phiên bản:"), "1");
    let fingerprint = printed(&out, "Dấu vân tay khóa ký:");
    assert_eq!(fingerprint.len(), 39, "{fingerprint}");

    let ok = verify(&first, &["--fingerprint", &fingerprint, "--unit", "SIM.0007"]);
    assert!(ok.status.success(), "{}", said(&ok));
    assert!(said(&ok).contains("HỢP LỆ"), "{}", said(&ok));
    assert_eq!(printed(&ok, "Phiên bản:"), "1");
    let wrong_unit = verify(&first, &["--unit", "SIM.0008"]);
    assert_eq!(wrong_unit.status.code(), Some(1), "{}", said(&wrong_unit));
    assert!(said(&wrong_unit).contains("không phải đơn vị SIM.0008"), "{}", said(&wrong_unit));
    let wrong_key = verify(&first, &["--fingerprint", &"0".repeat(32)]);
    assert_eq!(wrong_key.status.code(), Some(1), "{}", said(&wrong_key));

    // Every figure of the package is the node's stored result.
    let bytes = std::fs::read(&first).expect("read the package");
    let opened = exchange::open(&bytes).expect("opens");
    let package = &opened.package;
    let (stored, pkcs8) = stored_rounds(&data);
    let rounds: usize = package.elections.iter().map(|e| e.rounds.len()).sum();
    assert_eq!(rounds, stored.len(), "every closed round, and only those");
    assert!(rounds >= 5, "a whole congress: {rounds} rounds");
    let name = |id: u32| package.people.iter().find(|p| p.id == id).expect("person").name.clone();
    for (body, number, round) in &stored {
        let election = package.elections.iter().find(|e| e.body.code() == body).expect("election");
        let r = election.rounds.iter().find(|r| i64::from(r.number) == *number).expect("round");
        let result = &round["result"];
        assert_eq!(u64::from(r.base), result["base"].as_u64().expect("base"), "{body} {number}");
        assert_eq!(r.threshold, result["threshold"].as_u64().expect("threshold"));
        assert_eq!(r.issued, result["ballots"]["issued"].as_u64().expect("issued"));
        assert_eq!(r.collected, result["ballots"]["returned"].as_u64().expect("returned"));
        assert_eq!(r.valid, result["ballots"]["valid"].as_u64().expect("valid"));
        assert_eq!(r.invalid, result["ballots"]["invalid"].as_u64().expect("invalid"));
        assert_eq!(r.next_step.code(), result["next_step"].as_str().expect("next step"));
        let candidates = result["candidates"].as_array().expect("candidates");
        assert_eq!(r.lines.len(), candidates.len());
        for (line, c) in r.lines.iter().zip(candidates) {
            assert_eq!(name(line.person), c["name"].as_str().expect("name"));
            assert_eq!(line.votes, c["votes"].as_u64().expect("votes"));
            assert_eq!(line.percent_of_base, hundredths(c["percent_of_base"].as_str().expect("percent")));
            assert_eq!(line.outcome.code(), c["outcome"].as_str().expect("outcome"));
        }
        // The assembly the round recorded.
        let assembly = package.assemblies.iter().find(|a| a.key == election.assembly).expect("assembly");
        assert_eq!(assembly.kind.code(), round["assembly"]["type"].as_str().expect("type"));
        // Each person the round elected is in the package's elected of the body.
        for winner in result["elected"]
            .as_array()
            .into_iter()
            .flatten()
            .chain(result["alternates"].as_array().into_iter().flatten())
        {
            let winner = winner.as_str().expect("name");
            assert!(
                package.elected.iter().any(|x| x.body == election.body && name(x.person) == winner),
                "{winner} elected in {body} round {number} is in the package"
            );
        }
    }
    for x in &package.elected {
        let election = package.elections.iter().find(|e| e.body == x.body).expect("election");
        let r = election.rounds.iter().find(|r| r.number == x.round).expect("round");
        let line = r.lines.iter().find(|l| l.person == x.person).expect("line");
        if r.purpose.code() != "regular" {
            continue;
        }
        assert_eq!((line.votes, line.percent_of_base), (x.votes, x.percent_of_base), "{}", name(x.person));
    }

    // The PDF summary reads back.
    let pdf = exchange::summary_pdf(package).expect("summary");
    let text = pdf_text(&pdf, dir.path(), "tom-tat.pdf");
    assert!(text.contains("TÓM TẮT KẾT QUẢ BẦU CỬ GỬI CẤP TRÊN"), "{text}");
    assert!(text.contains("SIM.0007"), "{text}");
    let first_elected = name(package.elected[0].person);
    assert!(text.contains(&first_elected), "{first_elected} in {text}");

    // Unchanged content: the same file again.
    let again = dir.path().join("goi-1-lai.baucu");
    let out = export(&data, &again);
    assert!(out.status.success(), "{}", said(&out));
    assert_eq!(printed(&out, "Phiên bản:"), "1");
    assert_eq!(std::fs::read(&again).expect("read"), bytes, "re-export of unchanged content");

    // A changed byte is refused with its reason.
    let mut bad = bytes.clone();
    let at = bad.iter().position(|b| *b == b'"').expect("a quote") + 1;
    bad[at] ^= 0x01;
    let tampered = dir.path().join("sua.baucu");
    std::fs::write(&tampered, &bad).expect("write");
    let refused = verify(&tampered, &[]);
    assert_eq!(refused.status.code(), Some(1), "{}", said(&refused));
    assert!(said(&refused).contains("KHÔNG HỢP LỆ"), "{}", said(&refused));

    // The page downloads the same bytes; no page shows the key.
    let server = start(&data, false);
    let org = Client::login(&server.addr, "bantochuc", DEMO_PASSWORD);
    let (status, downloaded) = org.download("/package/files/1");
    assert_eq!(status, 200);
    assert_eq!(downloaded, bytes, "the page's file is the command's");
    let seed_hex = hex::encode(&pkcs8[pkcs8.len() - 32..]);
    let pkcs8_hex = hex::encode(&pkcs8);
    for page in ["/package", "/audit", "/documents", "/congress", "/api/elections"] {
        let (status, body) = org.download(page);
        let body = String::from_utf8_lossy(&body).to_lowercase();
        assert!(!body.contains(&seed_hex) && !body.contains(&pkcs8_hex), "{page} shows the key");
        if page == "/package" {
            assert_eq!(status, 200);
            assert!(body.contains(&fingerprint.to_lowercase()), "the fingerprint is shown");
            assert!(body.contains("tải gói kết quả"));
        }
    }
    let admin = Client::login(&server.addr, "bantochuc", DEMO_PASSWORD);
    let (status, report) = admin.download("/documents/files/bao-cao-ket-qua.pdf");
    assert_eq!(status, 200);
    let report = pdf_text(&report, dir.path(), "bao-cao.pdf");
    assert!(report.contains(&fingerprint), "the report to the superior prints the fingerprint: {report}");
    drop(server);
}

#[test]
fn package_versions_follow_reopened_rounds_and_need_a_unit_code() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let (server, round, _, entries) = small_congress(&data, 60);
    key_both(&server, entries, &["x:6"; 60]);
    let head = Client::login(&server.addr, "head", SMALL_PASSWORD);
    let closed = head.post(&format!("/api/rounds/{round}/close"), json!({ "confirm": true }));
    assert_eq!(closed["next_step"], "complete", "{closed}");

    // No unit code yet: refused with what to do.
    let refused = export(&data, &dir.path().join("khong.baucu"));
    assert!(!refused.status.success());
    assert!(said(&refused).contains("Chưa có mã đơn vị"), "{}", said(&refused));

    let org = Client::login(&server.addr, "org", SMALL_PASSWORD);
    let (status, _) = org.post_form("/package/unit-code", &[("unit_code", "bad code")]);
    assert_eq!(status, 303);
    let (status, _) = org.post_form("/package/unit-code", &[("unit_code", "01.002.0003")]);
    assert_eq!(status, 303);
    let (status, _) = org.post_form("/package/export", &[]);
    assert_eq!(status, 303);
    let (status, v1) = org.download("/package/files/1");
    assert_eq!(status, 200);
    let one = exchange::open(&v1).expect("version 1 opens");
    assert_eq!((one.package.unit_code.as_str(), one.package.version), ("01.002.0003", 1));
    assert_eq!(one.package.elected.len(), 5);
    assert!(one.package.elected.iter().all(|x| x.votes == 60 && x.percent_of_base == 10_000));

    // The same content again: still version 1.
    let (status, _) = org.post_form("/package/export", &[]);
    assert_eq!(status, 303);
    assert_eq!(org.download("/package/files/2").0, 404);

    // Reopened and closed again: version 2 supersedes version 1.
    let pres = Client::login(&server.addr, "pres", SMALL_PASSWORD);
    pres.post(&format!("/api/rounds/{round}/reopen"), json!({ "reason": "Kiểm tra lại số phiếu" }));
    head.post(&format!("/api/rounds/{round}/close"), json!({ "confirm": true }));
    let (status, _) = org.post_form("/package/export", &[]);
    assert_eq!(status, 303);
    let (status, v2) = org.download("/package/files/2");
    assert_eq!(status, 200);
    let two = exchange::open(&v2).expect("version 2 opens");
    assert_eq!(two.package.version, 2);
    let supersedes = two.package.supersedes.clone().expect("supersedes");
    assert_eq!((supersedes.version, supersedes.sha256), (1, one.digest.clone()));
    assert_eq!(two.key, one.key, "the same node key");
    // Verified by the command, which names what it supersedes.
    let file: PathBuf = dir.path().join("v2.baucu");
    std::fs::write(&file, &v2).expect("write");
    let ok = verify(&file, &["--unit", "01.002.0003"]);
    assert!(ok.status.success(), "{}", said(&ok));
    assert!(printed(&ok, "Thay thế:").contains(&one.digest), "{}", said(&ok));
    // Sent to the superior's aggregator: the file's bytes, and its verdict in the audit log.
    let (aggregator, received) = fake_aggregator();
    let url = format!("http://{aggregator}/tinh");
    let (status, _) = org.post_form("/package/send", &[("version", "2"), ("url", &url)]);
    assert_eq!(status, 303);
    let (head, body) = received.join().expect("the aggregator got a request");
    assert!(head.starts_with("POST /tinh/api/packages HTTP/1.1"), "{head}");
    assert!(head.to_lowercase().contains("content-type: application/octet-stream"), "{head}");
    assert_eq!(body, v2, "the aggregator receives the package file");
    let (_, audit) = org.download("/audit");
    let audit = String::from_utf8_lossy(&audit);
    assert!(audit.contains("Đã nhận gói phiên bản 2"), "the answer is recorded");
    let (status, _) = org.post_form("/package/send", &[("version", "2"), ("url", "ftp://x")]);
    assert_eq!(status, 303);
    // A viewer of counting may not export.
    let op = Client::login(&server.addr, "op1", SMALL_PASSWORD);
    assert_eq!(op.download("/package").0, 403);
    drop(server);
}

/// A stand-in for the aggregator's `/api/packages`: answers one request with an accepted verdict,
/// and gives back the request's head and body.
fn fake_aggregator() -> (String, std::thread::JoinHandle<(String, Vec<u8>)>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    let handle = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().expect("accept");
        let mut raw = Vec::new();
        let mut buf = [0u8; 8192];
        let (head, length) = loop {
            let n = stream.read(&mut buf).expect("read");
            assert!(n > 0, "the request ended early");
            raw.extend_from_slice(&buf[..n]);
            if let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&raw[..end]).into_owned();
                let length = head
                    .lines()
                    .find_map(|l| {
                        l.to_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_owned())
                    })
                    .and_then(|v| v.parse::<usize>().ok())
                    .expect("content-length");
                raw.drain(..end + 4);
                break (head, length);
            }
        };
        while raw.len() < length {
            let n = stream.read(&mut buf).expect("read");
            assert!(n > 0, "the body ended early");
            raw.extend_from_slice(&buf[..n]);
        }
        let answer = r#"{"verdict":"accepted","message":"Đã nhận gói phiên bản 2"}"#;
        let reply = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
            answer.len()
        );
        stream.write_all(reply.as_bytes()).expect("write");
        (head, raw)
    });
    (addr, handle)
}

/// From the hall to the province: the package a simulated node exports through the CLI is carried as a
/// file to a real aggregator (SQLite and PostgreSQL), which registers the node's key from the units
/// workbook and imports it; every elected person the aggregator holds has the votes and the percentage
/// of the base the node stored for them, and every assembly's base is the node's.
#[test]
fn package_survives_export_file_and_import_with_every_figure_equal() {
    use baucu_aggregator::accounts::Actor as AggActor;
    use baucu_aggregator::{import, units};
    use support::aggregator::{backends, fresh_db, units_xlsx};

    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let out = run(&["simulate", "--seed", "7", "--data"], &[&data]);
    assert!(out.status.success(), "{}", said(&out));
    // The removable medium: a folder of its own.
    let usb = dir.path().join("usb");
    std::fs::create_dir(&usb).expect("usb folder");
    let file = usb.join("SIM.0007-v1.baucu");
    let out = export(&data, &file);
    assert!(out.status.success(), "{}", said(&out));
    let fingerprint = printed(&out, "Dấu vân tay khóa ký:");
    let (stored, _) = stored_rounds(&data);
    let bytes = std::fs::read(&file).expect("read the package from the medium");
    let package = exchange::open(&bytes).expect("opens").package;
    let workbook = units_xlsx(&[
        ["SIM", "Đảng bộ tỉnh Mô Phỏng", "Tỉnh", "", ""],
        ["SIM.H", "Đảng bộ huyện Mô Phỏng", "Huyện", "SIM", ""],
        ["SIM.0007", "Đảng bộ xã Mô Phỏng", "Cơ sở", "SIM.H", &fingerprint],
    ]);
    for backend in backends() {
        let agg = tempfile::tempdir().expect("aggregator dir");
        let (db, _) = fresh_db(backend, agg.path());
        units::import_workbook(&db, &AggActor::cli(), &workbook, "units.xlsx").expect("units");
        let verdicts =
            import::import_files(&db, &AggActor::cli(), vec![("SIM.0007-v1.baucu".into(), bytes.clone())]);
        assert_eq!(verdicts.len(), 1);
        assert_eq!(verdicts[0].code, "imported", "{:?}", verdicts[0]);
        let rows = db
            .read(|tx| {
                tx.query(
                    "SELECT body, alternate, name, votes, percent_of_base, round FROM elected \
                     WHERE unit_code = $1 ORDER BY body, alternate, name",
                    &["SIM.0007".into()],
                )
            })
            .expect("elected rows");
        assert_eq!(rows.len(), package.elected.len(), "every elected person of the package");
        assert!(rows.len() >= 10, "a whole congress: {} elected", rows.len());
        for row in &rows {
            let (body, name) = (row.text(0).expect("body"), row.text(2).expect("name"));
            let (votes, percent, round) =
                (row.int(3).expect("votes"), row.int(4).expect("percent"), row.int(5).expect("round"));
            // The round whose record elected them (a tie-break round, for someone tied at the cut-off)…
            let lines_of = |n: i64| {
                stored
                    .iter()
                    .filter(|(b, number, _)| *b == body && (n == 0 || *number == n))
                    .flat_map(|(_, _, r)| {
                        let threshold = r["result"]["threshold"].as_u64().expect("threshold");
                        let lines = r["result"]["candidates"].as_array().expect("candidates").clone();
                        lines.into_iter().filter(|c| c["name"] == name.as_str()).map(move |c| (threshold, c))
                    })
                    .collect::<Vec<_>>()
            };
            let electing = lines_of(round);
            assert!(
                electing.iter().any(|(_, c)| matches!(c["outcome"].as_str(), Some("elected" | "alternate"))),
                "round {round} of {body} elected {name}"
            );
            // …and the votes and % of B of the round in which they passed the majority (rules.md § 5: a
            // tie-break does not ask for the majority again), exactly as the node stored them.
            let passed = lines_of(0).into_iter().any(|(threshold, c)| {
                let v = c["votes"].as_u64().expect("votes");
                v == votes as u64
                    && v >= threshold
                    && hundredths(c["percent_of_base"].as_str().expect("percent")) == percent as u64
            });
            assert!(passed, "{name}, {body}: {votes} votes, {percent} hundredths as the node stored them");
        }
        let bases = db
            .read(|tx| {
                tx.query(
                    "SELECT assembly, summoned, present, base FROM bases WHERE unit_code = $1",
                    &["SIM.0007".into()],
                )
            })
            .expect("bases");
        assert_eq!(bases.len(), package.assemblies.len());
        for row in &bases {
            let key = row.text(0).expect("assembly");
            let a = package.assemblies.iter().find(|a| a.key == key).expect("assembly of the package");
            let node_base = stored
                .iter()
                .filter(|(_, _, r)| r["result"]["base"].as_u64() == Some(u64::from(a.base)))
                .count();
            assert!(node_base > 0, "the node stored a round on the base {} of {key}", a.base);
            assert_eq!(
                (row.int(1).expect("summoned"), row.int(2).expect("present"), row.int(3).expect("base")),
                (i64::from(a.summoned), i64::from(a.present), i64::from(a.base))
            );
        }
    }
}
