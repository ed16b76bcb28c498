//! The rules engine is pure (ARCHITECTURE.md): no IO, no clock, no threads, no environment, and no
//! runtime, database, HTTP or template crate anywhere in its dependency graph. These checks keep it so.

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

/// Names that would let the engine touch the world or the time.
const FORBIDDEN_IN_SOURCE: [&str; 11] = [
    "std::fs",
    "std::net",
    "std::env",
    "std::process",
    "std::thread",
    "SystemTime",
    "Instant",
    "std::io::stdin",
    "println!",
    "eprintln!",
    "HashMap",
];

#[test]
fn engine_source_does_no_io_and_reads_no_clock() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut offences = Vec::new();
    for entry in std::fs::read_dir(&src).expect("src folder") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("read source");
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            for word in FORBIDDEN_IN_SOURCE {
                if code.contains(word) {
                    offences.push(format!("{}:{}: {word}", path.display(), n + 1));
                }
            }
        }
    }
    // HashMap is listed because its iteration order is random: no output may depend on it.
    assert!(offences.is_empty(), "the engine must stay pure:\n{}", offences.join("\n"));
}

#[test]
fn engine_depends_on_no_runtime_database_http_or_template_crate() {
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--locked", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run cargo metadata");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let meta: Value = serde_json::from_slice(&out.stdout).expect("metadata JSON");
    let nodes = meta["resolve"]["nodes"].as_array().expect("resolve graph");
    let name_of =
        |id: &str| id.rsplit(['/', '#']).next().unwrap_or(id).split('@').next().unwrap_or(id).to_owned();
    let root = nodes
        .iter()
        .find(|n| n["id"].as_str().is_some_and(|id| id.contains("baucu-rules")))
        .expect("baucu-rules in the graph");
    // Walk normal (non-dev, non-build) dependencies only.
    let mut seen = BTreeSet::new();
    let mut stack = vec![root["id"].as_str().expect("id").to_owned()];
    while let Some(id) = stack.pop() {
        if !seen.insert(id.clone()) {
            continue;
        }
        let node = nodes.iter().find(|n| n["id"] == id.as_str()).expect("node");
        for dep in node["deps"].as_array().into_iter().flatten() {
            let normal = dep["dep_kinds"].as_array().into_iter().flatten().any(|k| k["kind"].is_null());
            if normal {
                stack.push(dep["pkg"].as_str().expect("pkg").to_owned());
            }
        }
    }
    let names: BTreeSet<String> = seen.iter().map(|id| name_of(id)).collect();
    assert!(names.contains("icu_collator"), "the walk found the engine's dependencies: {names:?}");
    for forbidden in [
        "tokio",
        "async-std",
        "sqlx",
        "rusqlite",
        "hyper",
        "axum",
        "reqwest",
        "askama",
        "maud",
        "tera",
        "chrono",
        "time",
        "rand",
    ] {
        assert!(!names.contains(forbidden), "baucu-rules must not depend on {forbidden}");
    }
}
