//! The rules engine is pure (ARCHITECTURE.md): no IO, no clock, no threads, no environment, and no
//! runtime, database, HTTP or template crate anywhere in its dependency graph. This checks the source.

use std::path::Path;

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

// The dependency graph of the engine (and of every other crate) is checked by
// `crates/baucu/tests/layering.rs`, from Cargo.lock.
