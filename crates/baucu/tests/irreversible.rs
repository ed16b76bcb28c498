//! Deliberate irreversible steps (issue 12), through the real node over HTTP: closing, publishing
//! and deciding change nothing without their confirmation (form or `"confirm": true`) and say what
//! they would do; the presidium unpublishes and reopens with a reason (audited, printed on the
//! minutes of the reopened round, the record deleted then made again, `baucu audit verify` clean);
//! reopening is refused once a later round exists; the congress's kind and level are fixed once a
//! round exists; ballots issued never exceed those present at the sitting.

mod support;

use baucu_app::baucu_store::rusqlite::{Connection, OpenFlags};
use serde_json::{Value, json};
use std::path::Path;
use std::process::Command;
use support::{Client, SMALL_CANDIDATES, SMALL_PASSWORD, key_both, small_congress};

fn login(server: &support::Server, user: &str) -> Client {
    Client::login(&server.addr, user, SMALL_PASSWORD)
}

fn round_of(client: &Client, round: i64) -> Value {
    client.get(&format!("/api/rounds/{round}"))
}

/// How many rows of the round's record the file holds (`round_results`, and its lines, board,
/// exclusions and invalid reasons together), read beside the running node.
fn record_rows(data: &Path, round: i64) -> (i64, i64) {
    let db = Connection::open_with_flags(data.join("baucu.sqlite"), OpenFlags::SQLITE_OPEN_READ_ONLY)
        .expect("open read-only");
    let count = |sql: &str| db.query_row(sql, [round], |r| r.get::<_, i64>(0)).expect("count");
    (
        count("SELECT count(*) FROM round_results WHERE round_id = ?1"),
        count(
            "SELECT (SELECT count(*) FROM round_result_lines WHERE round_id = ?1)
               + (SELECT count(*) FROM round_result_board WHERE round_id = ?1)
               + (SELECT count(*) FROM round_result_exclusions WHERE round_id = ?1)
               + (SELECT count(*) FROM round_result_invalid WHERE round_id = ?1)",
        ),
    )
}

fn pdf_text(pdf: &[u8], dir: &Path) -> String {
    let path = dir.join("minutes.pdf");
    std::fs::write(&path, pdf).expect("write pdf");
    let out = Command::new("pdftotext").arg("-layout").arg(&path).arg("-").output().expect("pdftotext");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // Lines wrapped by the layout are joined back, spaces collapsed.
    String::from_utf8_lossy(&out.stdout).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// 60 ballots striking the sixth name: the first five are elected with 60 votes each.
const ALL_ELECTED: [&str; 60] = ["x:6"; 60];
/// 30 untouched strike ballots: over-votes, nobody elected, a further round needed.
const NOBODY: [&str; 30] = ["x:"; 30];

#[test]
fn irreversible_steps_need_their_confirmation() {
    let dir = tempfile::tempdir().expect("temp");
    let (server, round, _, entries) = small_congress(&dir.path().join("data"), NOBODY.len());
    key_both(&server, entries, &NOBODY);
    let head = login(&server, "head");
    let pres = login(&server, "pres");
    let close = format!("/api/rounds/{round}/close");

    // Closing: an API call without `"confirm": true` (or with false, or with a string) closes nothing
    // and says what closing does.
    for body in [json!({}), json!({ "confirm": false })] {
        let (status, reply) = head.try_call("POST", &close, Some(&body)).expect("request");
        assert_eq!(status, 422, "{body}: {reply}");
        let message = reply["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains("Kết thúc lần bầu: kết quả được tính và ghi lại"), "{message}");
        assert!(message.contains("không nhập thêm phiếu được nữa"), "{message}");
        assert_eq!(reply["error"]["problems"][0]["field"], "confirm", "{reply}");
    }
    let (status, _) = head.try_call("POST", &close, Some(&json!({ "confirm": "yes" }))).expect("request");
    assert_eq!(status, 422, "only the boolean true confirms");
    // The form without its box, or with another value: the confirmation page, nothing closed.
    for fields in [vec![], vec![("confirm", "no")], vec![("confirm", "yes"), ("confirm", "yes")]] {
        let (status, page) = head.post_form(&format!("/rounds/{round}/close"), &fields);
        assert_eq!(status, 422, "{fields:?}");
        assert!(page.contains("Chưa thực hiện"), "{page}");
        assert!(page.contains("Kết thúc lần bầu: kết quả được tính và ghi lại"), "{page}");
        assert!(page.contains("name=\"confirm\""), "the page offers the confirmation: {page}");
    }
    let view = round_of(&head, round);
    assert_eq!(view["round"]["closed"], false, "{view}");
    assert_eq!(view["round"]["result"], Value::Null);
    // The round page carries the box with the consequence.
    let (_, page) = head.download(&format!("/rounds/{round}"));
    let page = String::from_utf8_lossy(&page);
    assert!(page.contains("type=\"checkbox\" name=\"confirm\" value=\"yes\" required"), "{page}");
    // Confirmed through the form, it closes.
    let (status, _) = head.post_form(&format!("/rounds/{round}/close"), &[("confirm", "yes")]);
    assert_eq!(status, 303);
    let view = round_of(&head, round);
    assert_eq!(view["round"]["closed"], true);
    assert_eq!(view["round"]["result"]["next_step"], "further_round");

    // Publishing: nothing without the confirmation; the projector shows nothing.
    let publish = format!("/api/rounds/{round}/publish");
    let (status, reply) = pres.try_call("POST", &publish, Some(&json!({}))).expect("request");
    assert_eq!(status, 422);
    assert!(reply.to_string().contains("Công bố kết quả: kết quả hiện lên màn chiếu"), "{reply}");
    let (status, page) = pres.post_form(&format!("/rounds/{round}/publish"), &[]);
    assert_eq!(status, 422);
    assert!(page.contains("Công bố kết quả: kết quả hiện lên màn chiếu"), "{page}");
    assert_eq!(round_of(&head, round)["round"]["published"], false);
    let (_, fragment) = Client::download(&pres, "/results/fragment");
    assert!(String::from_utf8_lossy(&fragment).contains("Chưa có kết quả nào được công bố"));
    pres.post(&publish, json!({ "confirm": true }));
    assert_eq!(round_of(&head, round)["round"]["published"], true);

    // Deciding: the decision is read first (an unknown one is refused as before), then confirmed.
    let decide = format!("/api/rounds/{round}/decide");
    let (status, reply) =
        pres.try_call("POST", &decide, Some(&json!({ "decision": "stop" }))).expect("request");
    assert_eq!(status, 422, "{reply}");
    assert!(reply.to_string().contains("dừng, không bầu tiếp"), "{reply}");
    assert!(reply.to_string().contains("không đổi được"), "{reply}");
    let (status, page) = pres.post_form(&format!("/rounds/{round}/decide"), &[("decision", "stop")]);
    assert_eq!(status, 422);
    assert!(page.contains("Quyết định của đoàn chủ tịch (dừng, không bầu tiếp)"), "{page}");
    assert!(
        page.contains("name=\"decision\" value=\"stop\""),
        "the page sends the same decision again: {page}"
    );
    assert_eq!(round_of(&head, round)["round"]["decision"], Value::Null, "nothing decided");
    let (status, page) =
        pres.post_form(&format!("/rounds/{round}/decide"), &[("decision", "stopp"), ("confirm", "yes")]);
    assert_eq!(status, 422, "a confirmed unknown decision is still refused: {page}");
    assert_eq!(round_of(&head, round)["round"]["decision"], Value::Null);
    assert_eq!(pres.post(&decide, json!({ "decision": "stop", "confirm": true }))["next_round"], Value::Null);
    assert_eq!(round_of(&head, round)["round"]["decision"]["decision"], "stop");
}

#[test]
fn irreversible_unpublish_hides_the_result() {
    let dir = tempfile::tempdir().expect("temp");
    let (server, round, _, entries) = small_congress(&dir.path().join("data"), ALL_ELECTED.len());
    key_both(&server, entries, &ALL_ELECTED);
    let head = login(&server, "head");
    let pres = login(&server, "pres");
    head.post(&format!("/api/rounds/{round}/close"), json!({ "confirm": true }));
    pres.post(&format!("/api/rounds/{round}/publish"), json!({ "confirm": true }));
    let projector = || String::from_utf8_lossy(&head.download("/results/fragment").1).into_owned();
    assert!(projector().contains(SMALL_CANDIDATES[0]), "published: {}", projector());

    // A reason is required; the board may not unpublish.
    let unpublish = format!("/api/rounds/{round}/unpublish");
    for body in [json!({}), json!({ "reason": "   " })] {
        let (status, reply) = pres.try_call("POST", &unpublish, Some(&body)).expect("request");
        assert_eq!(status, 422, "{body}");
        assert!(reply.to_string().contains("lý do"), "{reply}");
    }
    let (status, _) =
        pres.try_call("POST", &unpublish, Some(&json!({ "reason": "x".repeat(1001) }))).expect("request");
    assert_eq!(status, 422, "a reason is bounded");
    let (status, _) = head.try_call("POST", &unpublish, Some(&json!({ "reason": "thử" }))).expect("request");
    assert_eq!(status, 403);
    assert!(projector().contains(SMALL_CANDIDATES[0]));

    let reason = "Màn chiếu đặt nhầm phòng, công bố lại sau";
    let (status, _) = pres.post_form(&format!("/rounds/{round}/unpublish"), &[("reason", reason)]);
    assert_eq!(status, 303);
    let shown = projector();
    assert!(!shown.contains(SMALL_CANDIDATES[0]), "unpublished: {shown}");
    assert!(shown.contains("Chưa có kết quả nào được công bố"), "{shown}");
    let (_, public) = Client::download(&head, "/results");
    assert!(!String::from_utf8_lossy(&public).contains(SMALL_CANDIDATES[0]));
    assert_eq!(round_of(&head, round)["round"]["published"], false);
    // Audited with its reason, in a sentence of the round's journal.
    let (_, journal) = head.download(&format!("/rounds/{round}/journal"));
    let journal = String::from_utf8_lossy(&journal);
    assert!(journal.contains(&format!("lý do: {reason}")), "{journal}");
    let (status, _) =
        pres.try_call("POST", &unpublish, Some(&json!({ "reason": "lần nữa" }))).expect("request");
    assert_eq!(status, 409, "nothing published to take down");
    // It can be published again.
    pres.post(&format!("/api/rounds/{round}/publish"), json!({ "confirm": true }));
    assert!(projector().contains(SMALL_CANDIDATES[0]));
}

#[test]
fn irreversible_reopen_with_reason_remakes_the_record() {
    let dir = tempfile::tempdir().expect("temp");
    let data = dir.path().join("data");
    let (server, round, _, entries) = small_congress(&data, ALL_ELECTED.len());
    key_both(&server, entries, &ALL_ELECTED);
    let head = login(&server, "head");
    let pres = login(&server, "pres");
    head.post(&format!("/api/rounds/{round}/close"), json!({ "confirm": true }));
    pres.post(&format!("/api/rounds/{round}/publish"), json!({ "confirm": true }));
    let before = round_of(&head, round);
    assert_eq!(before["round"]["result"]["next_step"], "complete", "{before}");
    assert_eq!(before["not_elected"].as_array().map(Vec::len), Some(1), "five of six elected");
    let made = record_rows(&data, round);
    assert!(made.0 == 1 && made.1 > 6, "the record, its six lines and its board: {made:?}");

    // Refused without a reason, and to the board (the presidium reopens).
    let reopen = format!("/api/rounds/{round}/reopen");
    let (status, reply) = pres.try_call("POST", &reopen, Some(&json!({ "reason": "" }))).expect("request");
    assert_eq!(status, 422, "{reply}");
    assert!(reply.to_string().contains("Ghi lý do"), "{reply}");
    let (status, _) = head.try_call("POST", &reopen, Some(&json!({ "reason": "sai" }))).expect("request");
    assert_eq!(status, 403);
    assert_eq!(round_of(&head, round)["round"]["closed"], true);

    let reason = "Ban kiểm phiếu phát hiện ghi sai số phiếu thu vào";
    let (status, _) = pres.post_form(&format!("/rounds/{round}/reopen"), &[("reason", reason)]);
    assert_eq!(status, 303);
    let open = round_of(&head, round);
    assert_eq!(open["round"]["closed"], false, "{open}");
    assert_eq!(open["round"]["published"], false, "the publication went with the result");
    assert_eq!(open["round"]["result"], Value::Null);
    assert_eq!(open["not_elected"].as_array().map(Vec::len), Some(6), "the elected rows are restored");
    assert_eq!(open["round"]["reopenings"][0]["reason"], reason);
    assert_eq!(record_rows(&data, round), (0, 0), "the record is deleted");
    let (_, fragment) = head.download("/results/fragment");
    assert!(!String::from_utf8_lossy(&fragment).contains(SMALL_CANDIDATES[0]));
    let (status, _) = head.download(&format!("/rounds/{round}/files/bien-ban.pdf"));
    assert_eq!(status, 422, "no minutes while the round is open again");
    let (status, _) = pres.try_call("POST", &reopen, Some(&json!({ "reason": "lần nữa" }))).expect("request");
    assert_eq!(status, 409, "an open round cannot be reopened");
    // The round page says so, and the board may reopen the entries of its reconciled stack.
    let (_, page) = head.download(&format!("/rounds/{round}"));
    let page = String::from_utf8_lossy(&page);
    assert!(page.contains("Lần bầu đã được mở lại lúc") && page.contains(reason), "{page}");
    assert!(page.contains(&format!("/entries/{}/reopen", entries[0])), "{page}");

    // The board corrects the figures and closes again: the record is made anew.
    head.post(&format!("/api/rounds/{round}/issued"), json!({ "issued": 60, "collected": 60 }));
    let again = head.post(&format!("/api/rounds/{round}/close"), json!({ "confirm": true }));
    assert_eq!(again["next_step"], "complete");
    assert_eq!(again, before["round"]["result"], "the same ballots give the same result");
    assert_eq!(record_rows(&data, round), made, "the record is made anew");

    // The minutes of the reopened round say when, by whom and why.
    let (status, pdf) = head.download(&format!("/rounds/{round}/files/bien-ban.pdf"));
    assert_eq!(status, 200);
    let text = pdf_text(&pdf, dir.path());
    assert!(text.contains("Lần bầu đã được mở lại lúc"), "{text}");
    assert!(text.contains("bởi Trần Văn Chủ Tịch"), "{text}");
    assert!(text.contains(&format!("lý do: {reason}")), "{text}");
    let (status, docx) = head.download(&format!("/rounds/{round}/files/bien-ban.docx"));
    assert_eq!(status, 200);
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("docx");
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("word/document.xml").expect("document"), &mut xml)
        .expect("xml");
    assert!(xml.contains(reason), "the Word minutes carry the reason too");
    let (_, audit) = head.download("/audit");
    assert!(String::from_utf8_lossy(&audit).contains(reason), "audited with the reason");

    // The chain, with the deleted rows as tombstones, verifies clean.
    drop(server);
    let out = Command::new(env!("CARGO_BIN_EXE_baucu"))
        .args(["audit", "verify", "--data"])
        .arg(&data)
        .output()
        .expect("audit verify");
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{said}");
    assert!(said.contains("toàn vẹn"), "{said}");
}

#[test]
fn irreversible_reopen_refused_once_a_next_round_exists() {
    let dir = tempfile::tempdir().expect("temp");
    let (server, round, _, entries) = small_congress(&dir.path().join("data"), NOBODY.len());
    key_both(&server, entries, &NOBODY);
    let head = login(&server, "head");
    let pres = login(&server, "pres");
    head.post(&format!("/api/rounds/{round}/close"), json!({ "confirm": true }));
    let ids = round_of(&head, round)["round"]["candidate_ids"].clone();
    let next = pres.post(
        &format!("/api/rounds/{round}/decide"),
        json!({ "decision": "further_round", "seats": 5, "person_ids": ids, "confirm": true }),
    )["next_round"]
        .as_i64()
        .expect("a further round");
    let (status, reply) = pres
        .try_call("POST", &format!("/api/rounds/{round}/reopen"), Some(&json!({ "reason": "nhầm" })))
        .expect("request");
    assert_eq!(status, 409, "{reply}");
    assert!(reply.to_string().contains("Đã có lần bầu thứ 2"), "{reply}");
    assert_eq!(round_of(&head, round)["round"]["closed"], true);
    assert_eq!(round_of(&head, next)["round"]["number"], 2);
    // The round page offers no reopening once the decision opened a round.
    let (_, page) = pres.download(&format!("/rounds/{round}"));
    assert!(!String::from_utf8_lossy(&page).contains("/reopen\""));
}

#[test]
fn irreversible_congress_kind_and_level_fixed_once_a_round_exists() {
    let dir = tempfile::tempdir().expect("temp");
    let data = dir.path().join("data");
    support::add_small_accounts(&data, &support::baucu);
    let server = support::start(&data, false);
    let org = login(&server, "org");
    let congress = |kind: &str, level: &str, name: &str| {
        json!({ "name": name, "organisation": "Chi bộ Khu phố 3", "level": level,
            "assembly_kind": kind, "term": "2025–2027", "opens_on": "15/03/2025" })
    };
    // Before any round, the kind and level may change.
    org.call("PUT", "/api/congress", Some(&congress("delegates_congress", "grassroots", "Đại hội A")));
    org.call("PUT", "/api/congress", Some(&congress("members_congress", "cell", "Đại hội A")));
    let (_, page) = org.download("/congress");
    assert!(String::from_utf8_lossy(&page).contains("select name=\"assembly_kind\""));
    drop(server);

    // The small congress opens a round.
    let dir = tempfile::tempdir().expect("temp");
    let (server, _, _, _) = small_congress(&dir.path().join("data"), 10);
    let org = login(&server, "org");
    for body in [
        congress("delegates_congress", "cell", "Đại hội Chi bộ Khu phố 3 lần thứ X"),
        congress("members_congress", "grassroots", "Đại hội Chi bộ Khu phố 3 lần thứ X"),
    ] {
        let (status, reply) = org.try_call("PUT", "/api/congress", Some(&body)).expect("request");
        assert_eq!(status, 409, "{body}: {reply}");
        let message = reply["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains("Đại hội đã có lần bầu"), "{message}");
        assert!(message.contains("Chi bộ") && message.contains("Đại hội đảng viên"), "{message}");
    }
    let stored = org.get("/api/congress");
    assert_eq!((&stored["assembly_kind"], &stored["level"]), (&json!("members_congress"), &json!("cell")));
    // Other fields still change.
    org.call("PUT", "/api/congress", Some(&congress("members_congress", "cell", "Đại hội Chi bộ Khu phố 3")));
    assert_eq!(org.get("/api/congress")["name"], "Đại hội Chi bộ Khu phố 3");
    // The form shows them read-only with the reason, and refuses a forged change with 409.
    let (_, page) = org.download("/congress");
    let page = String::from_utf8_lossy(&page);
    assert!(!page.contains("select name=\"assembly_kind\""), "{page}");
    assert!(page.contains("readonly"), "{page}");
    assert!(page.contains("không đổi được nữa"), "{page}");
    let (status, page) = org.post_form(
        "/congress",
        &[
            ("name", "Đại hội Chi bộ Khu phố 3"),
            ("organisation", "Chi bộ Khu phố 3"),
            ("level", "cell"),
            ("assembly_kind", "delegates_congress"),
            ("term", "2025–2027"),
        ],
    );
    assert_eq!(status, 409, "{page}");
    assert!(page.contains("Đại hội đã có lần bầu"), "{page}");
    assert_eq!(org.get("/api/congress")["assembly_kind"], "members_congress");
}

/// A congress of `level` with a roster of 20 (the first four of [`SMALL_CANDIDATES`] on a committee
/// list of 3 seats, approved), `absent` of them checked out of the sitting, and the first round
/// open: (server, round id).
fn congress_with_round(data: &Path, level: &str, absent: usize) -> (support::Server, i64) {
    support::add_small_accounts(data, &support::baucu);
    let server = support::start(data, false);
    let org = login(&server, "org");
    org.call(
        "PUT",
        "/api/congress",
        Some(&json!({ "name": "Đại hội thử", "organisation": "Đảng bộ thử", "level": level,
            "assembly_kind": "members_congress", "term": "2025–2027" })),
    );
    let names: Vec<String> = (0..20)
        .map(|i| match SMALL_CANDIDATES.get(i) {
            Some(n) => (*n).to_owned(),
            None => format!("Ngô Văn Số {}", i + 1),
        })
        .collect();
    let people = support::roster_present(&org, &names);
    let sitting = org.get("/api/attendance")["sitting"]["id"].clone();
    for p in &people[20 - absent..] {
        org.post(
            "/api/attendance/check-in",
            json!({ "sitting_id": sitting, "person_id": p["id"], "present": false }),
        );
    }
    let present = (20 - absent).to_string();
    let election = org.post(
        "/api/elections",
        json!({ "body": "committee", "seats": "3", "seats_for": present, "seats_against": "0" }),
    )["id"]
        .as_i64()
        .expect("election");
    for p in &people[..4] {
        org.post(
            &format!("/api/elections/{election}/candidates"),
            json!({ "person_id": p["id"], "source": "convening" }),
        );
    }
    let pres = login(&server, "pres");
    let approval = pres.post(
        &format!("/api/elections/{election}/approval"),
        json!({ "in_favour": 20 - absent, "against": 0 }),
    );
    assert_eq!(approval["passed"], true, "{approval}");
    let round =
        pres.post(&format!("/api/elections/{election}/rounds"), json!({ "entries_per_stack": 2 }))["id"]
            .as_i64()
            .expect("round");
    (server, round)
}

#[test]
fn irreversible_issued_never_above_present() {
    let dir = tempfile::tempdir().expect("temp");
    // Two of the twenty leave the sitting before the round: 18 present.
    let (server, round) = congress_with_round(&dir.path().join("data"), "cell", 2);
    let head = login(&server, "head");
    let assembly = &round_of(&head, round)["round"]["assembly"];
    assert_eq!((&assembly["summoned"], &assembly["present"]), (&json!(20), &json!(18)), "{assembly}");

    let issued = format!("/api/rounds/{round}/issued");
    let (status, reply) = head.try_call("POST", &issued, Some(&json!({ "issued": 19 }))).expect("request");
    assert_eq!(status, 422, "{reply}");
    let message = reply["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("(19)") && message.contains("có mặt tại phiên họp (18)"), "{message}");
    let (status, page) = head.post_form(&format!("/rounds/{round}/issued"), &[("issued", "20")]);
    assert_eq!(status, 303, "{page}");
    assert_eq!(round_of(&head, round)["round"]["issued"], Value::Null, "nothing recorded");
    head.post(&issued, json!({ "issued": 18, "collected": 18 }));
    assert_eq!(round_of(&head, round)["round"]["issued"], 18);
}

#[test]
fn irreversible_reopen_refused_once_a_plenum_took_its_members() {
    let dir = tempfile::tempdir().expect("temp");
    let (server, round) = congress_with_round(&dir.path().join("data"), "grassroots", 0);
    let head = login(&server, "head");
    let pres = login(&server, "pres");
    let org = login(&server, "org");
    // Twenty ballots striking the fourth name: the first three are elected to the committee.
    head.post(&format!("/api/rounds/{round}/issued"), json!({ "issued": 20, "collected": 20 }));
    let view = round_of(&head, round);
    let ops = [support::operator_id(&view, "op1"), support::operator_id(&view, "op2")];
    head.post(
        &format!("/api/rounds/{round}/stacks"),
        json!({ "name": "Chồng 1", "papers": 20, "operators": ops, "key": "plenum-1" }),
    );
    let view = round_of(&head, round);
    let entries = [0, 1].map(|i| view["stacks"][0]["entries"][i]["id"].as_i64().expect("entry"));
    key_both(&server, entries, &["x:4"; 20]);
    let result = head.post(&format!("/api/rounds/{round}/close"), json!({ "confirm": true }));
    assert_eq!(result["next_step"], "complete", "{result}");
    // The new committee's plenum elects its secretary: its first round takes the committee's members.
    let secretary = org.post("/api/elections", json!({ "body": "secretary", "seats": "1" }))["id"]
        .as_i64()
        .expect("election");
    let member = round_of(&head, round)["round"]["candidate_ids"][0].clone();
    org.post(
        &format!("/api/elections/{secretary}/candidates"),
        json!({ "person_id": member, "source": "convening" }),
    );
    // The plenum is summoned from the committee's result and its three members check in.
    let sitting = org.post("/api/plenums", json!({ "body": "committee" }))["sitting_id"].clone();
    for id in round_of(&head, round)["round"]["candidate_ids"].as_array().expect("ids").iter().take(3) {
        org.post(
            "/api/attendance/check-in",
            json!({ "sitting_id": sitting, "person_id": id, "present": true }),
        );
    }
    let approval =
        pres.post(&format!("/api/elections/{secretary}/approval"), json!({ "in_favour": 3, "against": 0 }));
    assert_eq!(approval["passed"], true, "{approval}");
    let plenum_round = pres
        .post(&format!("/api/elections/{secretary}/rounds"), json!({ "entries_per_stack": 1 }))["id"]
        .as_i64()
        .expect("plenum round");
    assert_eq!(round_of(&head, plenum_round)["round"]["assembly"]["type"], "plenum");
    let (status, reply) = pres
        .try_call("POST", &format!("/api/rounds/{round}/reopen"), Some(&json!({ "reason": "nhầm" })))
        .expect("request");
    assert_eq!(status, 409, "{reply}");
    assert!(reply.to_string().contains("đã lấy thành viên từ kết quả này"), "{reply}");
    assert_eq!(round_of(&head, round)["round"]["closed"], true);
}
