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
            && r.contains("83,33%")
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

/// `n` different Vietnamese full names, long ones among them (a projector must show them whole).
fn hall_names(n: usize) -> Vec<String> {
    let family = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng"];
    let middle = ["Thị Phương", "Văn", "Thị Thanh", "Đức", "Ngọc"];
    let given = ["Thảo", "Nam", "Hương", "Khánh", "Quyết", "Tường"];
    (0..n).map(|i| format!("{} {} {}", family[i % 10], middle[i % 5], given[(i / 10) % 6])).collect()
}

/// A congress of 60 members, all present, with a committee election of `names` (the whole roster's
/// first rows) for the fewest seats the list allows (at most 30% more names than seats), its first
/// round open with two entries per stack and one stack of `papers` papers handed to op1 and op2.
/// Returns the server, the round, the seats and the two entries.
fn hall_congress(
    data: &std::path::Path,
    names: &[String],
    papers: usize,
) -> (support::Server, i64, u32, [i64; 2]) {
    support::add_small_accounts(data, &support::baucu);
    let server = support::start(data, false);
    let org = Client::login(&server.addr, "org", SMALL_PASSWORD);
    org.call(
        "PUT",
        "/api/congress",
        Some(&json!({
        "name": "Đại hội Chi bộ Khu phố 3 lần thứ X", "organisation": "Chi bộ Khu phố 3", "level": "cell",
        "assembly_kind": "members_congress", "term": "2025–2027", "opens_on": "15/03/2025" })),
    );
    let roster: Vec<String> =
        (0..60).map(|r| names.get(r).cloned().unwrap_or_else(|| format!("Ngô Văn Số {}", r + 1))).collect();
    let people = serde_json::Value::Array(support::roster_present(&org, &roster));
    // The list may have at most 30% more names than seats.
    let seats = (names.len() as u32 * 10).div_ceil(13);
    let election = org.post(
        "/api/elections",
        json!({ "body": "committee", "seats": seats.to_string(), "seats_for": "60", "seats_against": "0" }),
    )["id"]
        .as_i64()
        .expect("election");
    for name in names {
        let id =
            people.as_array().expect("persons").iter().find(|p| p["full_name"] == *name).expect("candidate")
                ["id"]
                .clone();
        org.post(
            &format!("/api/elections/{election}/candidates"),
            json!({ "person_id": id, "source": "convening" }),
        );
    }
    let pres = Client::login(&server.addr, "pres", SMALL_PASSWORD);
    let approval =
        pres.post(&format!("/api/elections/{election}/approval"), json!({ "in_favour": 58, "against": 0 }));
    assert_eq!(approval["passed"], true, "{approval}");
    let round =
        pres.post(&format!("/api/elections/{election}/rounds"), json!({ "entries_per_stack": 2 }))["id"]
            .as_i64()
            .expect("round");
    let head = Client::login(&server.addr, "head", SMALL_PASSWORD);
    head.post(&format!("/api/rounds/{round}/issued"), json!({ "issued": 60, "collected": papers }));
    let view = head.get(&format!("/api/rounds/{round}"));
    let ops = [support::operator_id(&view, "op1"), support::operator_id(&view, "op2")];
    head.post(
        &format!("/api/rounds/{round}/stacks"),
        json!({ "name": "Chồng 1", "papers": papers, "operators": ops, "key": "hall-1" }),
    );
    let view = head.get(&format!("/api/rounds/{round}"));
    let entry = |i: usize| view["stacks"][0]["entries"][i]["id"].as_i64().expect("entry");
    (server, round, seats, [entry(0), entry(1)])
}

/// The entry screen with a Vietnamese input method on (Telex and VNI), as the browser reports it:
/// each physical key arrives as key "Process", keyCode 229, isComposing, with its `code`; the composed
/// text ("â", "á") arrives as composition events and a keydown with no physical key. The screen acts
/// on the physical keys only: Telex "a" "a" strikes name A and takes the stroke back (not "â", not
/// anything else); "a" "s" strikes A and S; VNI "a" "1" strikes A and 1; Enter records the ballot.
/// Before the first key of a ballot the verdict is neutral; an empty ballot committed with Enter is
/// still judged by the server. The stack is named once ("Chồng 1", not "Chồng Chồng 1").
#[test]
fn entry_ime_keys_act_by_physical_key_with_telex_and_vni() {
    if let Some(why) = support::browser_missing() {
        eprintln!("skipped: {why}");
        return;
    }
    let names = hall_names(24);
    let dir = tempfile::tempdir().expect("temp");
    let (server, _, _, [entry, _]) = hall_congress(&dir.path().join("data"), &names, 2);
    let seen = run_browser_script(
        "hall.mjs",
        &[
            ("MODE", "ime".into()),
            ("BASE_URL", format!("http://{}", server.addr)),
            ("PASSWORD", SMALL_PASSWORD.into()),
        ],
    );
    let heading = seen["heading"].as_str().unwrap_or("");
    assert!(heading.starts_with("Chồng 1 ·") && !heading.contains("Chồng Chồng"), "{heading}");
    let keys = support::strings(&seen["keys_shown"]);
    assert_eq!(keys.len(), 24);
    assert_eq!((keys[0].as_str(), keys[20].as_str(), keys[21].as_str()), ("1", "A", "S"), "{keys:?}");
    // Neutral until something is typed.
    assert_eq!(seen["untouched"]["verdict"], "untouched");
    assert_eq!(seen["untouched"]["verdict_class"], "verdict");
    assert!(!seen["untouched"]["verdict_text"].as_str().unwrap_or("").contains("Không hợp lệ"));
    assert_eq!(seen["untouched"]["ime_shown"], false);
    // Telex.
    assert_eq!(seen["telex_a"]["struck"], json!([21]));
    assert_eq!(seen["telex_a"]["code"], "x:21");
    assert_eq!(seen["telex_aa"]["struck"], json!([]), "a a: struck, then taken back");
    assert_eq!(seen["telex_aa"]["code"], "x:");
    assert_eq!(seen["telex_aa"]["ime_shown"], true, "the screen says the input method is on");
    assert_eq!(seen["telex_as"]["struck"], json!([21, 22]));
    // VNI, committed with Enter: the ballot stored is what the physical keys said.
    assert_eq!(seen["after_commit"]["verdict"], "untouched", "a new ballot starts neutral");
    let recent = seen["recent"].as_array().expect("recent");
    let codes: Vec<(i64, &str)> =
        recent.iter().map(|r| (r["seq"].as_i64().unwrap_or(0), r["code"].as_str().unwrap_or(""))).collect();
    assert_eq!(codes, [(2, "x:"), (1, "x:1,21")]);
    assert_eq!(
        recent[0]["invalid"], true,
        "the empty ballot was judged by the server (more names than seats)"
    );
    let op = Client::login(&server.addr, "op1", SMALL_PASSWORD);
    assert_eq!(op.entry_codes(entry), ["x:1,21", "x:"]);
}

/// Publishes a round of `n` names (one valid ballot keyed twice, closed, published).
fn published(dir: &std::path::Path, n: usize) -> support::Server {
    let (server, round, seats, [e1, e2]) = hall_congress(&dir.join("data"), &hall_names(n), 1);
    let ballot = code(&(seats + 1..=n as u32).collect::<Vec<_>>());
    for (user, entry) in [("op1", e1), ("op2", e2)] {
        let op = Client::login(&server.addr, user, SMALL_PASSWORD);
        op.post(
            &format!("/api/entries/{entry}/ballots"),
            json!({ "code": ballot, "key": format!("p-{entry}") }),
        );
        op.post(&format!("/api/entries/{entry}/finish"), json!({}));
    }
    let head = Client::login(&server.addr, "head", SMALL_PASSWORD);
    head.post(&format!("/api/rounds/{round}/close"), json!({ "confirm": true }));
    let pres = Client::login(&server.addr, "pres", SMALL_PASSWORD);
    pres.post(&format!("/api/rounds/{round}/publish"), json!({ "confirm": true }));
    server
}

/// Every row of a published list of 16 and of 60 names is inside the projector's screen at 1024×768
/// and at 1920×1080, no name is cut, and the type stays readable.
#[test]
fn projector_fit_16_and_60_names_at_1024x768_and_1920x1080() {
    if let Some(why) = support::browser_missing() {
        eprintln!("skipped: {why}");
        return;
    }
    for (n, columns) in [(16usize, 1), (60, 3)] {
        let dir = tempfile::tempdir().expect("temp");
        let server = published(dir.path(), n);
        let seen = run_browser_script(
            "hall.mjs",
            &[
                ("MODE", "projector".into()),
                ("LABEL", n.to_string()),
                ("BASE_URL", format!("http://{}", server.addr)),
                ("PASSWORD", SMALL_PASSWORD.into()),
            ],
        );
        for size in ["1024x768", "1920x1080"] {
            let s = &seen["sizes"][size];
            assert_eq!(s["rows"], n, "{n} names at {size}: {s}");
            assert_eq!(s["columns"], columns, "{n} names at {size}");
            assert_eq!(s["outside"], json!([]), "{n} names at {size}: rows outside the screen");
            assert_eq!(s["clipped"], json!([]), "{n} names at {size}: names cut off");
            assert_eq!(s["scroll"], s["viewport"], "{n} names at {size}: nothing to scroll to");
            let font = s["min_font_px"].as_f64().unwrap_or(0.0);
            let floor = if size == "1024x768" { 10.0 } else { 18.0 };
            assert!(font >= floor, "{n} names at {size}: type of {font}px");
            let texts = support::strings(&s["texts"]);
            // One percentage style in every output: "83,33%" as the documents write it.
            assert!(texts.iter().all(|t| t.contains('%') && !t.contains(" %")), "{texts:?}");
        }
    }
}
