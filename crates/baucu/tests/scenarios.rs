//! Runs the built `baucu` binary on every worked case and compares each answer field by field with
//! the `.answer.json` beside it (`message` fields are free text and are not compared).
//!
//! Two folders are read: `tests/cases/` in this repository (always present: a copy of the shared
//! scenarios plus cases of our own for every error code, outcome and next step), and
//! `../shared/scenarios/` beside the repository, which is the specification's own set. When that folder
//! is absent (a clone without `shared/`), its test says so and passes without checking; CI always has it.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn cases_in(dir: &Path) -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            name.ends_with(".json") && !name.ends_with(".answer.json")
        })
        .collect();
    cases.sort();
    cases
}

/// Compares `actual` with `expected`, ignoring `message` keys; returns the path of every difference.
fn differences(path: &str, expected: &Value, actual: &Value, out: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for key in e.keys().chain(a.keys().filter(|k| !e.contains_key(*k))) {
                if key == "message" {
                    continue;
                }
                let child = format!("{path}.{key}");
                match (e.get(key), a.get(key)) {
                    (Some(ev), Some(av)) => differences(&child, ev, av, out),
                    (Some(_), None) => out.push(format!("{child}: missing from the answer")),
                    (None, Some(_)) => out.push(format!("{child}: not in the expected answer")),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(e), Value::Array(a)) if e.len() == a.len() => {
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                differences(&format!("{path}[{i}]"), ev, av, out);
            }
        }
        _ if expected == actual => {}
        _ => out.push(format!("{path}: expected {expected}, got {actual}")),
    }
}

fn check_folder(dir: &Path) -> usize {
    let cases = cases_in(dir);
    assert!(!cases.is_empty(), "no cases in {}", dir.display());
    let mut failures = Vec::new();
    for case in &cases {
        let output = Command::new(env!("CARGO_BIN_EXE_baucu"))
            .arg("evaluate")
            .arg(case)
            .output()
            .expect("run baucu evaluate");
        let expected_path = case.with_extension("answer.json");
        let expected: Value = serde_json::from_slice(
            &std::fs::read(&expected_path).unwrap_or_else(|e| panic!("{}: {e}", expected_path.display())),
        )
        .expect("expected answer is JSON");
        let actual: Value = match serde_json::from_slice(&output.stdout) {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!("{}: stdout is not JSON ({e})", case.display()));
                continue;
            }
        };
        let want_status = if expected.get("error").is_some() { 2 } else { 0 };
        if output.status.code() != Some(want_status) {
            failures.push(format!("{}: exit status {:?}, want {want_status}", case.display(), output.status));
        }
        if want_status == 2 && output.stderr.is_empty() {
            failures.push(format!("{}: an error answer must explain itself on stderr", case.display()));
        }
        let mut diffs = Vec::new();
        differences("$", &expected, &actual, &mut diffs);
        for d in diffs {
            failures.push(format!("{}: {d}", case.display()));
        }
    }
    assert!(failures.is_empty(), "{} differences:\n{}", failures.len(), failures.join("\n"));
    cases.len()
}

#[test]
fn repository_cases_match_their_answers() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let checked = check_folder(&dir);
    assert!(checked >= 12, "only {checked} cases");
}

#[test]
fn shared_scenarios_match_their_answers() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/scenarios");
    if !dir.is_dir() {
        eprintln!("skipped: {} is absent (a clone without shared/); CI always has it", dir.display());
        return;
    }
    check_folder(&dir);
}

#[test]
fn the_comparison_itself_catches_differences() {
    let expected: Value = serde_json::json!({"a": 1, "b": [1, 2], "message": "x", "c": {"d": null}});
    let actual: Value = serde_json::json!({"a": 2, "b": [1, 3], "message": "y", "c": {}, "e": 0});
    let mut diffs = Vec::new();
    differences("$", &expected, &actual, &mut diffs);
    assert_eq!(
        diffs,
        [
            "$.a: expected 1, got 2",
            "$.b[1]: expected 2, got 3",
            "$.c.d: missing from the answer",
            "$.e: not in the expected answer"
        ]
    );
}
