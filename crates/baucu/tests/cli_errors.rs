//! Bad input through the real binary: every case below must exit with status 2, print the documented
//! error JSON on stdout and a sentence on stderr, and never panic.

mod support;

use serde_json::Value;

const ROUND: &str = r#"{"kind":"round","assembly":{"type":"members_congress","summoned":10,"present":10},
  "election":{"body":"committee","seats":2,"candidates":["An","Bình","Chi"]},"ballots_issued":10,"ballots":BALLOTS}"#;

fn round(ballots: &str) -> String {
    ROUND.replace("BALLOTS", ballots)
}

fn run_stdin(input: &[u8]) -> (Option<i32>, Value, String) {
    let (code, stdout, stderr) = support::evaluate_stdin(input);
    let json = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {stdout}"));
    (code, json, stderr)
}

#[test]
fn bad_input_exits_2_with_the_documented_error() {
    let cases: Vec<(String, &str)> = vec![
        ("".into(), "invalid_input"),
        ("not json".into(), "invalid_input"),
        ("[]".into(), "invalid_input"),
        ("{}".into(), "invalid_input"),
        (r#"{"kind":"bogus"}"#.into(), "invalid_input"),
        (r#"{"kind":7}"#.into(), "invalid_input"),
        (r#"{"kind":"order","names":["An"],"typo":1}"#.into(), "invalid_input"),
        (r#"{"kind":"order","names":[""]}"#.into(), "invalid_input"),
        (r#"{"kind":"order","names":["An"],"regulation":"999-QD/TW"}"#.into(), "invalid_input"),
        (r#"{"kind":"list","election":{"body":"committee","seats":-3},"list_size":4}"#.into(), "invalid_input"),
        (r#"{"kind":"list","election":{"body":"committee","seats":3},"list_size":1e3}"#.into(), "invalid_input"),
        (r#"{"kind":"list","election":{"body":"committee","seats":3},"list_size":99999999999}"#.into(), "invalid_input"),
        (r#"{"kind":"list","election":{"body":"committee","seats":3},"list_size":"4"}"#.into(), "invalid_input"),
        (r#"{"kind":"poll","present":10,"election":{"body":"committee","seats":3},"convening_list_size":4,"nominees":[{"name":"X","agree":11}]}"#.into(), "invalid_input"),
        (round(r#"[{"struck":[1,1]}]"#), "invalid_ballot"),
        (round(r#"[{"struck":[0]}]"#), "invalid_ballot"),
        (round(r#"[{"struck":[4]}]"#), "invalid_ballot"),
        (round(r#"[{"marks":["agree","agree","agree"]}]"#), "invalid_ballot"),
        (round(r#"[{}]"#), "invalid_ballot"),
        (round(r#"[{"struck":[1],"marks":["agree"]}]"#), "invalid_ballot"),
        (round(r#"[{"struck":[1],"count":0}]"#), "invalid_ballot"),
        (round(r#"[{"struck":[1],"count":-1}]"#), "invalid_input"),
        (round(r#"[{"struck":[1.5]}]"#), "invalid_input"),
        (round(r#"[{"struck":"1"}]"#), "invalid_input"),
        (round(r#"[{"struck":[1],"count":11}]"#), "returned_exceeds_issued"),
        (round(r#"[{"struck":[1],"count":4294967295},{"struck":[2],"count":4294967295}]"#), "returned_exceeds_issued"),
        (round("[]").replace(r#""seats":2"#, r#""seats":4"#), "list_shorter_than_seats"),
        (round("[]").replace(r#""present":10"#, r#""present":10,"excluded":{"committee_members_absent":1}"#), "exclusion_not_applicable"),
        (round("[]").replace(r#""present":10"#, r#""present":11"#), "invalid_input"),
    ];
    for (input, code) in cases {
        let (status, json, stderr) = run_stdin(input.as_bytes());
        assert_eq!(status, Some(2), "input {input}");
        assert_eq!(json["error"]["code"], code, "input {input}: {json}");
        assert!(json["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{json}");
        assert!(!stderr.is_empty() && !stderr.contains("panicked"), "stderr: {stderr}");
    }
}

#[test]
fn invalid_utf8_and_a_missing_file_are_errors_too() {
    let (status, json, _) = run_stdin(b"{\"kind\":\"order\",\"names\":[\"\xff\"]}");
    assert_eq!((status, json["error"]["code"].as_str()), (Some(2), Some("invalid_input")));
    let out = support::baucu().args(["evaluate", "/nonexistent/case.json"]).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    let json: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(json["error"]["code"], "invalid_input");
}

#[test]
fn a_good_case_on_stdin_exits_0() {
    let (status, json, _) = run_stdin(round(r#"[{"struck":[3],"count":6}]"#).as_bytes());
    assert_eq!(status, Some(0));
    assert_eq!(json["elected"], serde_json::json!(["An", "Bình"]));
    assert_eq!(json["base"], 10);
}
