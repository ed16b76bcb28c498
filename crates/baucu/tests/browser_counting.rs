//! Counting in headless Chromium against the real server (issue 4): `double_entry_browser` and
//! `keystroke_limit`. The page script is `tests/browser/counting.mjs`; screenshots go to
//! `target/screenshots/`. Without Chromium and playwright-core they say so and skip, unless
//! `BAUCU_BROWSER_TESTS=required` (set by `scripts/test`).

mod support;

use serde_json::{Value, json};
use support::{Client, SMALL_CANDIDATES, SMALL_PASSWORD, run_browser_script, small_congress};

/// 50 ballots, 5 of 6 names, one struck on each: 1 and 2 get 50 votes, 3 and 4 get 40, 5 and 6 tie
/// at 35 for the fifth seat (B = 60, T = 31). The kinds are interleaved through the stack.
fn tie_stack() -> Vec<Vec<u32>> {
    let mut left = [(3u32, 10), (4, 10), (5, 15), (6, 15)];
    let mut v = Vec::new();
    while v.len() < 50 {
        for (pos, n) in left.iter_mut().filter(|(_, n)| *n > 0) {
            v.push(vec![*pos]);
            *n -= 1;
        }
    }
    v
}

fn code(struck: &[u32]) -> String {
    let mut s = struck.to_vec();
    s.sort_unstable();
    format!("x:{}", s.iter().map(u32::to_string).collect::<Vec<_>>().join(","))
}

#[test]
fn double_entry_browser() {
    if let Some(why) = support::browser_missing() {
        eprintln!("skipped: {why}");
        return;
    }
    let ballots = tie_stack();
    let votes: Vec<usize> = (1..=6u32).map(|p| ballots.iter().filter(|b| !b.contains(&p)).count()).collect();
    assert_eq!(votes, [50, 50, 40, 40, 35, 35], "the stack is built to tie at the cut-off");
    let dir = tempfile::tempdir().expect("temp");
    let (server, round, _, _) = small_congress(&dir.path().join("data"), ballots.len());
    let seen = run_browser_script(
        "counting.mjs",
        &[
            ("MODE", "double".into()),
            ("BASE_URL", format!("http://{}", server.addr)),
            ("PASSWORD", SMALL_PASSWORD.into()),
            ("ROUND", round.to_string()),
            ("BALLOTS", json!(ballots).to_string()),
            ("MISTAKES", json!({ "11": [1, 2], "30": [] }).to_string()),
        ],
    );
    assert_eq!(
        seen["mismatch"],
        json!(["Phiếu thứ 12 trong chồng", "Phiếu thứ 31 trong chồng"]),
        "exactly the two mistaken ballots"
    );

    // The result equals `baucu evaluate` on the same ballots.
    let head = Client::login(&server.addr, "head", SMALL_PASSWORD);
    let closed = head.get(&format!("/api/rounds/{round}"));
    let r = &closed["round"];
    let case = json!({
        "kind": "round",
        "assembly": r["assembly"],
        "election": { "body": "committee", "seats": 5, "candidates": SMALL_CANDIDATES },
        "ballots_issued": 60,
        "ballots": ballots.iter().map(|b| json!({ "struck": b })).collect::<Vec<_>>(),
    });
    let path = dir.path().join("case.json");
    std::fs::write(&path, case.to_string()).expect("case");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_baucu"))
        .arg("evaluate")
        .arg(&path)
        .output()
        .expect("evaluate");
    let evaluated: Value = serde_json::from_slice(&out.stdout).expect("answer");
    assert_eq!(r["result"], evaluated);
    assert_eq!(evaluated["next_step"], "tie_break");
    let agreed = support::strings(&head.get(&format!("/api/rounds/{round}/ballots")));
    assert_eq!(agreed, ballots.iter().map(|b| code(b)).collect::<Vec<_>>());

    // A tie produced a tie-break round in one step, among the tied only.
    assert_eq!(seen["tie_break_list"], json!(["Hoàng Văn Em", "Vũ Thị Giang"]));
    assert!(seen["tie_break_url"].as_str().is_some_and(|u| u.contains("/rounds/")));
    // The projector showed the published result without reloading.
    assert_eq!(seen["projector_same_document"], true);
    let rows: Vec<String> = seen["projector_rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r.as_str().unwrap_or("").to_owned())
        .collect();
    assert!(
        rows.iter().any(|r| r.contains("Trần Thị Bình")
            && r.contains("50")
            && r.contains("83,33 %")
            && r.contains("Trúng cử")),
        "{rows:?}"
    );
    assert!(rows.iter().any(|r| r.contains("Hoàng Văn Em") && r.contains("Bằng phiếu")), "{rows:?}");
}

#[test]
fn keystroke_limit() {
    if let Some(why) = support::browser_missing() {
        eprintln!("skipped: {why}");
        return;
    }
    let dir = tempfile::tempdir().expect("temp");
    let (server, _, _, [entry, _]) = small_congress(&dir.path().join("data"), 30);
    // 30 committee ballots (5 of 6): one, two or three names struck, one untouched (an over-vote),
    // one with every name struck.
    let mut ballots: Vec<Vec<u32>> = (0..28u32)
        .map(|i| match i % 3 {
            0 => vec![1 + i % 6],
            1 => vec![1 + i % 6, 1 + (i + 2) % 6],
            _ => vec![1 + i % 6, 1 + (i + 1) % 6, 1 + (i + 3) % 6],
        })
        .collect();
    ballots.push(vec![]);
    ballots.push((1..=6).collect());
    let seen = run_browser_script(
        "counting.mjs",
        &[
            ("MODE", "keys".into()),
            ("BASE_URL", format!("http://{}", server.addr)),
            ("PASSWORD", SMALL_PASSWORD.into()),
            ("BALLOTS", json!(ballots).to_string()),
        ],
    );
    let expected: u64 = ballots.iter().map(|b| b.len() as u64 + 1).sum();
    assert_eq!(seen["keystrokes"], expected, "struck names + 1 keystrokes per ballot");
    assert_eq!(seen["expected"], expected);
    assert!(
        seen["live_valid"].as_str().is_some_and(|v| v.contains("bầu cho 5 người")),
        "{}",
        seen["live_valid"]
    );
    assert!(
        seen["live_verdict"].as_str().is_some_and(|v| v.contains("nhiều hơn số lượng cần bầu")),
        "{}",
        seen["live_verdict"]
    );
    // The held answer for "x:!s" came back after the operator took the name back: the verdict still
    // answers the current ballot ("x:", the over-vote), and while waiting it was neutral.
    assert_eq!(seen["pending_text"], "Đang kiểm tra…", "no earlier verdict while the answer is on its way");
    assert_eq!(seen["current_before_late"], seen["live_verdict"]);
    assert_eq!(seen["after_late_for"], "x:", "a late answer does not replace the current verdict");
    assert_eq!(seen["after_late_text"], seen["live_verdict"]);
    let op = Client::login(&server.addr, "op1", SMALL_PASSWORD);
    let stored: Vec<String> = op.entry_codes(entry);
    assert_eq!(stored, ballots.iter().map(|b| code(b)).collect::<Vec<_>>(), "every ballot stored as keyed");
}
