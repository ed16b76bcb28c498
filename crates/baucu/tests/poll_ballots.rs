//! Polls counted like ballots, through the real `baucu serve` over HTTP: the opinion poll on the
//! outside nominees of a list is a poll round keyed by the counting teams with the same entry screen
//! and double entry (or single entry, as the board chooses); its close records each nominee's
//! agreements into the list, the engine's 30 % gate decides who goes on it, and the election says the
//! poll was keyed; totals typed by hand are marked typed; a poll round elects no one and makes no
//! election record, and opens only while the list is a draft; `baucu audit verify` stays clean.

mod support;

use serde_json::{Value, json};
use std::path::Path;
use support::{
    Client, SMALL_PASSWORD, Server, add_small_accounts, baucu, operator_id, roster_present, start,
};

/// The convening committee's five names and the two nominees from the floor.
const CONVENING: [&str; 5] =
    ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em"];
const NOMINEES: [&str; 2] = ["Vũ Thị Giang", "Đặng Văn Hòa"];

struct Congress {
    server: Server,
    election: i64,
    /// The candidate ids of the two nominees, in order of entry.
    nominees: [i64; 2],
    org: Client,
    pres: Client,
    head: Client,
}

/// A members' congress of 60, all present (the gate: more than 30 % of 60, at least 19 agreeing), a
/// committee election of 5 seats (its list at most 6) with the convening committee's 5 names and two
/// self-nominations waiting for the opinion poll.
fn congress_with_nominees(data: &Path) -> Congress {
    add_small_accounts(data, &baucu);
    let server = start(data, false);
    let org = Client::login(&server.addr, "org", SMALL_PASSWORD);
    org.call(
        "PUT",
        "/api/congress",
        Some(&json!({
        "name": "Đại hội Chi bộ Khu phố 3 lần thứ X", "organisation": "Chi bộ Khu phố 3", "level": "cell",
        "assembly_kind": "members_congress", "term": "2025–2027", "opens_on": "15/03/2025" })),
    );
    let names: Vec<String> = CONVENING
        .iter()
        .chain(NOMINEES.iter())
        .map(|n| (*n).to_owned())
        .chain((8..=60).map(|i| format!("Bùi Văn Số {i}")))
        .collect();
    let people = roster_present(&org, &names);
    let election = org.post(
        "/api/elections",
        json!({ "body": "committee", "seats": "5", "seats_for": "60", "seats_against": "0" }),
    )["id"]
        .as_i64()
        .expect("election");
    let person = |name: &str| people.iter().find(|p| p["full_name"] == name).expect("person")["id"].clone();
    for name in CONVENING {
        org.post(
            &format!("/api/elections/{election}/candidates"),
            json!({ "person_id": person(name), "source": "convening" }),
        );
    }
    for name in NOMINEES {
        org.post(
            &format!("/api/elections/{election}/candidates"),
            json!({ "person_id": person(name), "source": "self_nomination" }),
        );
    }
    let detail = org.get(&format!("/api/elections/{election}"));
    let id_of = |name: &str| {
        detail["candidates"]
            .as_array()
            .expect("candidates")
            .iter()
            .find(|c| c["full_name"] == name)
            .and_then(|c| c["id"].as_i64())
            .expect("candidate id")
    };
    let nominees = [id_of(NOMINEES[0]), id_of(NOMINEES[1])];
    let pres = Client::login(&server.addr, "pres", SMALL_PASSWORD);
    let head = Client::login(&server.addr, "head", SMALL_PASSWORD);
    Congress { server, election, nominees, org, pres, head }
}

/// A nominee of the election as the API shows it.
fn candidate(c: &Client, election: i64, id: i64) -> Value {
    c.get(&format!("/api/elections/{election}"))["candidates"]
        .as_array()
        .expect("candidates")
        .iter()
        .find(|x| x["id"] == id)
        .expect("candidate")
        .clone()
}

fn page(c: &Client, path: &str) -> String {
    let (status, body) = c.download(path);
    assert_eq!(status, 200, "{path}");
    String::from_utf8(body).expect("utf-8 page")
}

fn enter(operator: &Client, entry: i64, codes: &[&str], tag: &str) {
    for (i, code) in codes.iter().enumerate() {
        let ack = operator.post(
            &format!("/api/entries/{entry}/ballots"),
            json!({ "code": code, "key": format!("{tag}-{i}") }),
        );
        assert_eq!(ack["seq"], i as i64 + 1, "{ack}");
        assert_eq!(ack["check"]["valid"], true, "{ack}");
    }
    operator.post(&format!("/api/entries/{entry}/finish"), json!({}));
}

/// The poll's 20 papers: 12 agree with both, 7 with the first only, 1 with neither — the first
/// nominee 19 agreements (passes the gate of 19), the second 12 (does not).
fn papers() -> Vec<&'static str> {
    let mut codes = vec!["m:aa"; 12];
    codes.extend(["m:ad"; 7]);
    codes.push("m:dd");
    codes
}

fn audit_verify(data: &Path) {
    let out = baucu().args(["audit", "verify", "--data"]).arg(data).output().expect("verify");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn poll_ballots_keyed_twice_feed_the_gate_and_the_list() {
    let dir = tempfile::tempdir().expect("temp");
    let data = dir.path().join("data");
    let k = congress_with_nominees(&data);
    let (election, [first, second]) = (k.election, k.nominees);
    let election_page = page(&k.pres, &format!("/elections/{election}"));
    assert!(
        election_page.contains("Kiểm phiếu xin ý kiến bằng máy"),
        "the election page offers the keyed poll"
    );

    // More than two entries per stack is not a poll's choice.
    let (status, body) = k
        .pres
        .try_call(
            "POST",
            &format!("/api/elections/{election}/poll-rounds"),
            Some(&json!({ "entries_per_stack": 3 })),
        )
        .expect("request");
    assert_eq!(status, 422, "{body}");
    let round = k
        .pres
        .post(&format!("/api/elections/{election}/poll-rounds"), json!({ "entries_per_stack": 2 }))["id"]
        .as_i64()
        .expect("poll round");
    let view = k.head.get(&format!("/api/rounds/{round}"));
    assert_eq!(view["round"]["poll"], true, "{view}");
    assert_eq!(view["round"]["layout"], "agree_disagree");
    assert_eq!(view["round"]["candidates"], json!(NOMINEES), "the poll's names are the outside nominees");
    assert_eq!(view["round"]["assembly"]["present"], 60);
    // The ballots issued are bounded by those present.
    let (status, body) = k
        .head
        .try_call("POST", &format!("/api/rounds/{round}/issued"), Some(&json!({ "issued": 61 })))
        .expect("request");
    assert!(status >= 400, "{body}");
    k.head.post(&format!("/api/rounds/{round}/issued"), json!({ "issued": 60, "collected": 20 }));
    // While the poll is counted, the list cannot be approved and no totals can be typed over it.
    let blockers = k.pres.get(&format!("/api/elections/{election}"))["blockers"].to_string();
    assert!(blockers.contains("đang kiểm phiếu xin ý kiến"), "{blockers}");

    let ops = [operator_id(&view, "op1"), operator_id(&view, "op2")];
    let stack = k.head.post(
        &format!("/api/rounds/{round}/stacks"),
        json!({ "name": "Chồng 1", "papers": 20, "operators": ops, "key": "poll-1" }),
    )["id"]
        .as_i64()
        .expect("stack");
    let detail = k.head.get(&format!("/api/rounds/{round}"));
    let entries = [
        detail["stacks"][0]["entries"][0]["id"].as_i64().expect("entry"),
        detail["stacks"][0]["entries"][1]["id"].as_i64().expect("entry"),
    ];
    let codes = papers();
    // The second operator misreads paper 5 (agree with both) as "disagree with both".
    let mut misread = codes.clone();
    misread[4] = "m:dd";
    let op1 = Client::login(&k.server.addr, "op1", SMALL_PASSWORD);
    let op2 = Client::login(&k.server.addr, "op2", SMALL_PASSWORD);
    enter(&op1, entries[0], &codes, "p1");
    enter(&op2, entries[1], &misread, "p2");
    let progress = k.head.get(&format!("/api/rounds/{round}"));
    assert_eq!(progress["stacks"][0]["status"], "mismatch");
    let differing: Vec<i64> = progress["stacks"][0]["differences"]
        .as_array()
        .expect("differences")
        .iter()
        .filter_map(|d| d["seq"].as_i64())
        .collect();
    assert_eq!(differing, [5]);
    let (status, body) = k
        .head
        .try_call("POST", &format!("/api/rounds/{round}/close"), Some(&json!({ "confirm": true })))
        .expect("close");
    assert_eq!(status, 409, "a poll with an unreconciled stack does not close: {body}");
    k.head.post(&format!("/api/stacks/{stack}/resolve"), json!({ "seq": 5, "code": "m:aa" }));
    let closed = k.head.post(&format!("/api/rounds/{round}/close"), json!({ "confirm": true }));
    assert_eq!(closed["poll"]["present"], 60, "{closed}");
    assert_eq!(closed["poll"]["gate"], 19, "more than 30 % of the 60 present");

    // The nominees' agreements are the keyed counts; the gate lists the first, not the second.
    let a = candidate(&k.org, election, first);
    let b = candidate(&k.org, election, second);
    assert_eq!((a["poll_agree"].as_i64(), a["status"].as_str()), (Some(19), Some("listed")), "{a}");
    assert_eq!((b["poll_agree"].as_i64(), b["status"].as_str()), (Some(12), Some("below_gate")), "{b}");
    let detail = k.org.get(&format!("/api/elections/{election}"));
    assert_eq!(detail["poll_source"], "keyed");
    assert_eq!(detail["election"]["poll_present"], 60);
    assert_eq!(
        detail["ballot"].as_array().map(Vec::len),
        Some(6),
        "five convening names and the first nominee"
    );
    let election_page = page(&k.pres, &format!("/elections/{election}"));
    assert!(
        election_page.contains("Kết quả lấy phiếu: nhập từ phiếu đã kiểm"),
        "the list page says it was keyed"
    );

    // The poll round shows the agreements and what the gate decided; it elected no one.
    let round_page = page(&k.head, &format!("/rounds/{round}"));
    assert!(round_page.contains("Kết quả lấy phiếu xin ý kiến"), "{round_page}");
    assert!(round_page.contains("Không đủ trên 30% đồng ý"), "{round_page}");
    let closed_view = k.head.get(&format!("/api/rounds/{round}"));
    assert_eq!(closed_view["round"]["closed"], true);
    assert_eq!(closed_view["round"]["result"], Value::Null, "a poll makes no election result");
    assert_eq!(closed_view["poll_result"]["nominees"][0]["agree"], 19);
    assert_eq!(closed_view["poll_result"]["nominees"][1]["agree"], 12);
    let (status, _) = k.head.download(&format!("/rounds/{round}/files/bien-ban.pdf"));
    assert!(status >= 400, "a poll has no count minutes");
    let (status, pdf) = k.head.download(&format!("/rounds/{round}/files/nhat-ky.pdf"));
    assert_eq!(status, 200, "the poll's journal PDF is made");
    assert!(pdf.starts_with(b"%PDF"));
    let (status, body) = k
        .pres
        .try_call("POST", &format!("/api/rounds/{round}/publish"), Some(&json!({ "confirm": true })))
        .expect("publish");
    assert_eq!(status, 409, "a poll is not published to the projector: {body}");

    // The list is approved; its first round is round 1 (the poll is not one of its rounds), and no
    // further poll may open.
    assert_eq!(
        k.pres.post(&format!("/api/elections/{election}/approval"), json!({ "in_favour": 58, "against": 0 }))
            ["passed"],
        true
    );
    let (status, body) = k
        .pres
        .try_call(
            "POST",
            &format!("/api/elections/{election}/poll-rounds"),
            Some(&json!({ "entries_per_stack": 2 })),
        )
        .expect("request");
    assert_eq!(status, 409, "no poll after the list's approval: {body}");
    let first_round =
        k.pres.post(&format!("/api/elections/{election}/rounds"), json!({ "entries_per_stack": 2 }))["id"]
            .as_i64()
            .expect("first round");
    let first_view = k.head.get(&format!("/api/rounds/{first_round}"));
    assert_eq!(first_view["round"]["number"], 1);
    assert_eq!(first_view["round"]["poll"], false);
    assert_eq!(first_view["round"]["candidates"].as_array().map(Vec::len), Some(6));
    let journal = page(&k.head, &format!("/rounds/{round}/journal"));
    assert!(journal.contains("nhập từ phiếu đã kiểm"), "the journal tells the poll's close");
    drop(k.server);
    audit_verify(&data);
}

#[test]
fn poll_ballots_typed_totals_are_marked_typed_and_single_entry_keys_once() {
    let dir = tempfile::tempdir().expect("temp");
    let data = dir.path().join("data");
    let k = congress_with_nominees(&data);
    let (election, [first, second]) = (k.election, k.nominees);

    // A poll held on paper elsewhere: its totals typed by hand, marked so.
    k.pres.post(
        &format!("/api/elections/{election}/poll"),
        json!({ "present": 60, "agree": { first.to_string(): 25, second.to_string(): 3 } }),
    );
    let detail = k.org.get(&format!("/api/elections/{election}"));
    assert_eq!(detail["poll_source"], "typed");
    assert_eq!(candidate(&k.org, election, first)["status"], "listed");
    let election_page = page(&k.pres, &format!("/elections/{election}"));
    assert!(
        election_page.contains("Kết quả lấy phiếu: nhập tổng số (phiếu lấy ở nơi khác)"),
        "the list page says the totals were typed"
    );

    // The congress polls again, counted by the machine with a single entry per stack.
    let round = k
        .pres
        .post(&format!("/api/elections/{election}/poll-rounds"), json!({ "entries_per_stack": 1 }))["id"]
        .as_i64()
        .expect("poll round");
    let (status, body) = k
        .pres
        .try_call(
            "POST",
            &format!("/api/elections/{election}/poll-rounds"),
            Some(&json!({ "entries_per_stack": 1 })),
        )
        .expect("request");
    assert_eq!(status, 409, "one poll round at a time: {body}");
    let (status, body) = k
        .pres
        .try_call(
            "POST",
            &format!("/api/elections/{election}/poll"),
            Some(&json!({ "present": 60, "agree": { first.to_string(): 1, second.to_string(): 1 } })),
        )
        .expect("request");
    assert_eq!(status, 409, "no typed totals over a poll being counted: {body}");
    k.head.post(&format!("/api/rounds/{round}/issued"), json!({ "issued": 60, "collected": 20 }));
    let view = k.head.get(&format!("/api/rounds/{round}"));
    let op = operator_id(&view, "op3");
    k.head.post(
        &format!("/api/rounds/{round}/stacks"),
        json!({ "name": "Chồng 1", "papers": 20, "operators": [op], "key": "single-1" }),
    );
    let entry =
        k.head.get(&format!("/api/rounds/{round}"))["stacks"][0]["entries"][0]["id"].as_i64().expect("entry");
    // This time the second nominee passes and the first does not.
    let mut codes = vec!["m:aa"; 3];
    codes.extend(["m:da"; 17]);
    let op3 = Client::login(&k.server.addr, "op3", SMALL_PASSWORD);
    enter(&op3, entry, &codes, "s1");
    assert_eq!(k.head.get(&format!("/api/rounds/{round}"))["stacks"][0]["status"], "accepted");
    let closed = k.head.post(&format!("/api/rounds/{round}/close"), json!({ "confirm": true }));
    assert_eq!(closed["poll"]["gate"], 19, "{closed}");
    let a = candidate(&k.org, election, first);
    let b = candidate(&k.org, election, second);
    assert_eq!((a["poll_agree"].as_i64(), a["status"].as_str()), (Some(3), Some("below_gate")), "{a}");
    assert_eq!((b["poll_agree"].as_i64(), b["status"].as_str()), (Some(20), Some("listed")), "{b}");
    assert_eq!(k.org.get(&format!("/api/elections/{election}"))["poll_source"], "keyed");
    let (status, pdf) = k.head.download(&format!("/rounds/{round}/files/phieu-xin-y-kien.pdf"));
    assert_eq!(status, 200, "the poll round prints its own form");
    assert!(pdf.starts_with(b"%PDF"));
    drop(k.server);
    audit_verify(&data);
}
