//! `baucu simulate`: the real binary runs a whole commune congress twice with the same seed into two
//! data directories. Both succeed; every round's recorded result (the answer in the shape of `baucu
//! evaluate`), decision and agreed ballots are the same in both; a tie at the cut-off led to a
//! tie-break round; every election ended with a decided result; the files that carry no clock or
//! audit hash (ballots, entry journals, lists of the elected, the roster file) are byte-identical;
//! `baucu audit verify` finds the data intact; a data directory that already has a database is
//! refused with status 2; and `baucu serve` opens the result, a finished round visible over HTTP.

mod support;

use baucu_app::baucu_store::Store;
use baucu_app::{Actor, App, SystemClock};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;
use support::{Client, DEMO_PASSWORD, http, start};

fn simulate(data: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_baucu"))
        .args(["simulate", "--seed", "7", "--data"])
        .arg(data)
        .output()
        .expect("run baucu simulate")
}

/// Every round of every election as the application reports it, in order.
fn rounds(data: &Path) -> Vec<Value> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    runtime.block_on(async {
        let store = Store::open(&data.join("baucu.sqlite")).expect("open the database");
        let app = App::new(store, Arc::new(SystemClock));
        let actor = Actor::system();
        let mut out = Vec::new();
        for e in app.elections(&actor).await.expect("elections") {
            for r in app.rounds_of(&actor, e.id).await.expect("rounds") {
                let ballots = app.agreed_ballots(&actor, r.id).await.expect("agreed ballots");
                out.push(json!({
                    "election": e.title(), "body": e.body, "round_id": r.id, "number": r.number,
                    "purpose": r.purpose, "closed": r.closed, "published": r.published,
                    "candidates": r.candidates, "issued": r.issued, "collected": r.collected,
                    "assembly": r.assembly, "result": r.result, "decision": r.decision, "ballots": ballots,
                }));
            }
        }
        app.store().close();
        out
    })
}

/// The documents whose bytes depend on the seed alone (no wall clock, no audit hash in them).
fn seed_only_documents(data: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(data.join("documents"))
        .expect("documents")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| {
            n.ends_with("-phieu-bau.pdf")
                || n.ends_with("-nhat-ky-nhap-phieu.pdf")
                || n.ends_with("-danh-sach-trung-cu.pdf")
                || n == "00-danh-sach-dang-vien.xlsx"
        })
        .map(|n| {
            let bytes = std::fs::read(data.join("documents").join(&n)).expect("read");
            (n, bytes)
        })
        .collect();
    files.sort();
    files
}

#[test]
fn a_simulated_congress_is_deterministic_complete_intact_and_served() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for data in [&a, &b] {
        let out = simulate(data);
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{said}\n{}", String::from_utf8_lossy(&out.stderr));
        assert!(said.contains(&format!("baucu serve --data {}", data.display())), "{said}");
        assert!(said.contains("bầu lại giữa những người bằng phiếu"), "{said}");
    }

    // The same seed, the same congress: every round, result, decision and agreed ballot.
    let first = rounds(&a);
    assert_eq!(first, rounds(&b), "two runs with the same seed differ");
    assert!(first.len() >= 10, "{} rounds", first.len());
    let bodies: BTreeSet<&str> = first.iter().filter_map(|r| r["body"].as_str()).collect();
    assert_eq!(
        bodies,
        BTreeSet::from([
            "committee",
            "delegates",
            "standing_committee",
            "secretary",
            "deputy_secretary",
            "inspection_committee",
            "inspection_chair",
            "inspection_deputy_chair"
        ])
    );

    // A tie at the cut-off of the committee, and the tie-break round among the tied.
    let tie_break = first.iter().find(|r| r["purpose"] == "tie_break").expect("a tie-break round");
    assert_eq!(tie_break["body"], "committee");
    let before = first
        .iter()
        .find(|r| r["election"] == tie_break["election"] && r["number"] == 1)
        .expect("the first round");
    assert_eq!(before["result"]["next_step"], "tie_break");
    assert_eq!(before["decision"]["decision"], "tie_break");
    let tied: Vec<&Value> = before["result"]["tie"]["candidates"].as_array().expect("tied").iter().collect();
    assert_eq!(tied.len(), tie_break["candidates"].as_array().map_or(0, Vec::len), "{before}");
    // An alternates round for the delegates and a further round for the inspection committee.
    assert!(first.iter().any(|r| r["purpose"] == "alternates" && r["body"] == "delegates"));
    assert!(first.iter().any(|r| r["body"] == "inspection_committee" && r["number"] == 2));

    // Every round closed and published; every election ends with a decided result.
    for r in &first {
        assert_eq!((&r["closed"], &r["published"]), (&json!(true), &json!(true)), "{r}");
        assert!(r["result"].is_object(), "{r}");
        assert_eq!(r["ballots"].as_array().map(Vec::len), r["collected"].as_u64().map(|n| n as usize));
    }
    let elections: BTreeSet<&str> = first.iter().filter_map(|r| r["election"].as_str()).collect();
    for election in elections {
        let its: Vec<&Value> = first.iter().filter(|r| r["election"] == election).collect();
        let (last, earlier) = its.split_last().expect("rounds");
        let stopped = last["decision"]["decision"] == "stop";
        assert!(last["result"]["next_step"] == "complete" || stopped, "{election}: {last}");
        for r in earlier {
            assert!(r["decision"].is_object(), "{election}: a round without the presidium's decision: {r}");
        }
    }

    // Documents: each round's ballots, minutes (PDF, Word), results and journal; the lists of the
    // elected. Those that depend on the seed alone are the same in both runs.
    let docs = a.join("documents");
    let names: Vec<String> = std::fs::read_dir(&docs)
        .expect("documents")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    for suffix in ["-phieu-bau.pdf", "-bien-ban-kiem-phieu.pdf", "-bien-ban-kiem-phieu.docx", "-ket-qua.xlsx"]
    {
        assert_eq!(names.iter().filter(|n| n.ends_with(suffix)).count(), first.len(), "{suffix}: {names:?}");
    }
    assert!(names.iter().filter(|n| n.ends_with("-danh-sach-trung-cu.pdf")).count() >= 8, "{names:?}");
    for name in &names {
        let bytes = std::fs::read(docs.join(name)).expect("read");
        let magic: &[u8] = if name.ends_with(".pdf") { b"%PDF" } else { b"PK" };
        assert!(bytes.starts_with(magic), "{name} is not what its name says");
    }
    let (same_a, same_b) = (seed_only_documents(&a), seed_only_documents(&b));
    assert_eq!(same_a.len(), 2 * first.len() + 9, "{:?}", same_a.iter().map(|(n, _)| n).collect::<Vec<_>>());
    for ((name, x), (_, y)) in same_a.iter().zip(&same_b) {
        assert!(x == y, "{name} differs between two runs with the same seed");
    }

    // A data directory that already holds a database is refused, and left as it was.
    let again = simulate(&a);
    assert_eq!(again.status.code(), Some(2), "{}", String::from_utf8_lossy(&again.stdout));
    assert!(String::from_utf8_lossy(&again.stderr).contains("đã có cơ sở dữ liệu"));
    assert_eq!(rounds(&a), first);

    let verify = Command::new(env!("CARGO_BIN_EXE_baucu"))
        .args(["audit", "verify", "--data"])
        .arg(&a)
        .output()
        .expect("audit verify");
    let said = String::from_utf8_lossy(&verify.stdout);
    assert!(verify.status.success(), "{said}");
    assert!(said.contains("Nhật ký và dữ liệu toàn vẹn"), "{said}");

    // The node opens the simulated congress: the tie-break round, finished, over HTTP.
    let server = start(&a, false);
    let presidium = Client::login(&server.addr, "doanchutich", DEMO_PASSWORD);
    let id = tie_break["round_id"].as_i64().expect("id");
    let view = presidium.get(&format!("/api/rounds/{id}"));
    assert_eq!(view["round"]["closed"], true, "{view}");
    assert_eq!(view["round"]["result"], tie_break["result"]);
    let elections = presidium.get("/api/elections");
    assert_eq!(elections.as_array().map(Vec::len), Some(8), "{elections}");
    // The projector (no login) shows the latest published result.
    let latest = first.last().expect("rounds")["result"]["elected"][0].as_str().expect("elected").to_owned();
    let (status, _, page) = http(&server.addr, "GET", "/results", &[], b"").expect("projector");
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&page).contains(&latest), "{latest} is not on the projector");
}
