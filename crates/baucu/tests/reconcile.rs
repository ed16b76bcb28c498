//! Reconciliation that aligns the independent entries of a stack (issue 12), through the real
//! binary over HTTP: a paper skipped or keyed twice in one entry is one missing or extra ballot, not
//! a shift of every later ballot; the board resolves it against the paper and the stack closes with
//! the right ballots. `cargo test reconcile_alignment`.

mod support;

use serde_json::{Value, json};
use support::{Client, SMALL_PASSWORD, small_congress};

/// Ten different valid ballots of the small congress (6 names, 5 seats): paper 4 is "x:4".
fn papers() -> Vec<String> {
    ["x:1", "x:2", "x:3", "x:4", "x:5", "x:6", "x:1,2", "x:1,3", "x:1,4", "x:1,5"].map(str::to_owned).to_vec()
}

fn key(op: &Client, entry: i64, codes: &[String]) {
    for (i, code) in codes.iter().enumerate() {
        op.post(
            &format!("/api/entries/{entry}/ballots"),
            json!({ "code": code, "key": format!("{entry}-{i}") }),
        );
    }
    op.post(&format!("/api/entries/{entry}/finish"), json!({}));
}

/// Keys the ten papers as op1 and `second` as op2; returns the server, round, stack and the board head.
fn keyed(dir: &std::path::Path, second: &[String]) -> (support::Server, i64, i64, Client) {
    let (server, round, stack, [e1, e2]) = small_congress(&dir.join("data"), 10);
    key(&Client::login(&server.addr, "op1", SMALL_PASSWORD), e1, &papers());
    key(&Client::login(&server.addr, "op2", SMALL_PASSWORD), e2, second);
    let head = Client::login(&server.addr, "head", SMALL_PASSWORD);
    (server, round, stack, head)
}

fn stack_view(head: &Client, round: i64) -> Value {
    head.get(&format!("/api/rounds/{round}"))["stacks"][0].clone()
}

/// Resolves, closes and checks that the agreed ballots are exactly the ten papers.
fn close_with_the_papers(head: &Client, round: i64, stack: i64, seq: i64, code: Value) {
    let status = head.post(&format!("/api/stacks/{stack}/resolve"), json!({ "seq": seq, "code": code }));
    assert_eq!(status["stack_status"], "accepted", "{status}");
    head.post(&format!("/api/rounds/{round}/close"), json!({ "confirm": true }));
    let agreed = support::strings(&head.get(&format!("/api/rounds/{round}/ballots")));
    assert_eq!(agreed, papers(), "the agreed ballots are the papers, in order");
}

#[test]
fn reconcile_alignment_skipped_paper_is_one_missing_ballot() {
    let dir = tempfile::tempdir().expect("temp");
    let mut skipped = papers();
    skipped.remove(3);
    let (_server, round, stack, head) = keyed(dir.path(), &skipped);
    let s = stack_view(&head, round);
    assert_eq!(s["status"], "mismatch");
    assert_eq!(s["papers"], 10);
    let counts: Vec<i64> = s["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["ballots"].as_i64().unwrap_or(-1))
        .collect();
    assert_eq!(counts, [10, 9]);
    let diffs = s["differences"].as_array().expect("differences");
    assert_eq!(diffs.len(), 1, "one difference, not a cascade: {diffs:?}");
    assert_eq!(diffs[0]["seq"], 4);
    assert_eq!(diffs[0]["kind"], "missing");
    assert_eq!(diffs[0]["readings"], json!(["x:4", null]));
    assert_eq!(diffs[0]["entry_seqs"], json!([4, null]));
    // The board's page: the stack's paper count against each entry's, and the one difference.
    let (status, page) = head.download(&format!("/stacks/{stack}"));
    assert_eq!(status, 200);
    let page = String::from_utf8(page).expect("utf-8");
    assert_eq!(page.matches("<h2>Phiếu thứ ").count(), 1, "{page}");
    assert!(page.contains("Phiếu thứ 4 trong chồng"), "{page}");
    assert!(page.contains("Lần nhập 2 không có phiếu ở vị trí này"), "{page}");
    assert!(page.contains("9 (thiếu 1)"), "{page}");
    // Only an aligned position with a difference can be resolved.
    let (code, _) = head
        .try_call("POST", &format!("/api/stacks/{stack}/resolve"), Some(&json!({ "seq": 5, "code": "x:5" })))
        .expect("request");
    assert_eq!(code, 422, "seq 5 has no difference");
    close_with_the_papers(&head, round, stack, 4, json!("x:4"));
}

#[test]
fn reconcile_alignment_paper_keyed_twice_is_one_extra_ballot() {
    let dir = tempfile::tempdir().expect("temp");
    let mut twice = papers();
    twice.insert(6, "x:6".into());
    let (_server, round, stack, head) = keyed(dir.path(), &twice);
    let s = stack_view(&head, round);
    let diffs = s["differences"].as_array().expect("differences");
    assert_eq!(diffs.len(), 1, "{diffs:?}");
    assert_eq!(diffs[0]["seq"], 7);
    assert_eq!(diffs[0]["readings"], json!([null, "x:6"]));
    assert_eq!(diffs[0]["entry_seqs"], json!([null, 7]));
    // The paper is not there: no such ballot.
    close_with_the_papers(&head, round, stack, 7, Value::Null);
}
