//! The layering of ARCHITECTURE.md, checked on the dependency graph of every crate of the workspace.
//!
//! The graph is read from the committed `Cargo.lock` and the crates' own manifests, never from
//! `cargo metadata`: that command needs the sources of every package of the lock file for every
//! platform (Windows-only crates included), so it fails on a new machine whose cargo cache has only
//! what a Linux build downloaded. Reading the lock file needs nothing but the repository. The walk
//! takes every platform's and every build dependency, a superset of what is compiled here, so a
//! forbidden crate cannot hide behind a `cfg`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use toml::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read_toml(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    toml::from_str(&text).unwrap_or_else(|e| panic!("parse {}: {e}", path.display()))
}

/// One package of `Cargo.lock`: name, version and the `dependencies` entries as written
/// (`name`, `name version` or `name version (source)`).
struct Package {
    name: String,
    version: String,
    deps: Vec<String>,
}

struct Lock {
    packages: Vec<Package>,
}

impl Lock {
    fn read() -> Lock {
        let lock = read_toml(&repo().join("Cargo.lock"));
        let packages = lock["package"]
            .as_array()
            .expect("[[package]] in Cargo.lock")
            .iter()
            .map(|p| Package {
                name: p["name"].as_str().expect("name").to_owned(),
                version: p["version"].as_str().expect("version").to_owned(),
                deps: p
                    .get("dependencies")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .map(|d| d.as_str().expect("dependency").to_owned())
                    .collect(),
            })
            .collect();
        Lock { packages }
    }

    /// The package a `dependencies` entry names: by name alone when one version is locked, by
    /// name and version otherwise.
    fn resolve(&self, entry: &str) -> usize {
        let mut words = entry.split(' ');
        let name = words.next().expect("name");
        let version = words.next();
        let found: Vec<usize> = (0..self.packages.len())
            .filter(|&i| {
                self.packages[i].name == name && version.is_none_or(|v| self.packages[i].version == v)
            })
            .collect();
        assert_eq!(found.len(), 1, "Cargo.lock entry {entry:?} names one package");
        found[0]
    }

    /// Every package reachable from `roots` (entries of a workspace crate's lock record).
    fn closure(&self, roots: &[String]) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut names = BTreeSet::new();
        let mut stack: Vec<usize> = roots.iter().map(|r| self.resolve(r)).collect();
        while let Some(i) = stack.pop() {
            if !seen.insert(i) {
                continue;
            }
            names.insert(self.packages[i].name.clone());
            stack.extend(self.packages[i].deps.iter().map(|d| self.resolve(d)));
        }
        names
    }
}

/// The normal and build dependencies of a workspace crate (its manifest's `[dependencies]`,
/// `[build-dependencies]` and their `[target.*]` forms), as entries of its lock record: what a
/// user of the crate compiles. Dev-dependencies are the crate's tests' business.
fn runtime_roots(lock: &Lock, krate: &str) -> Vec<String> {
    let manifest = read_toml(&repo().join("crates").join(krate).join("Cargo.toml"));
    let mut tables = vec![manifest.get("dependencies"), manifest.get("build-dependencies")];
    for target in manifest.get("target").and_then(Value::as_table).into_iter().flat_map(|t| t.values()) {
        tables.push(target.get("dependencies"));
        tables.push(target.get("build-dependencies"));
    }
    let names: BTreeSet<String> = tables
        .into_iter()
        .flatten()
        .flat_map(|t| t.as_table().expect("dependency table").iter())
        .map(|(key, spec)| spec.get("package").and_then(Value::as_str).unwrap_or(key).to_owned())
        .collect();
    let record = &lock.packages[lock.resolve(krate)];
    let roots: Vec<String> =
        record.deps.iter().filter(|d| names.contains(d.split(' ').next().expect("name"))).cloned().collect();
    assert_eq!(roots.len(), names.len(), "every dependency of {krate} is in Cargo.lock: {names:?}");
    roots
}

fn direct(lock: &Lock, krate: &str) -> BTreeSet<String> {
    runtime_roots(lock, krate).iter().map(|r| r.split(' ').next().expect("name").to_owned()).collect()
}

fn workspace_crates() -> Vec<String> {
    let mut crates: Vec<String> = std::fs::read_dir(repo().join("crates"))
        .expect("crates/")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|name| repo().join("crates").join(name).join("Cargo.toml").exists())
        .collect();
    crates.sort();
    crates
}

/// What each crate may build on, from ARCHITECTURE.md's code map.
fn allowed_workspace_deps() -> BTreeMap<&'static str, &'static [&'static str]> {
    BTreeMap::from([
        ("baucu-rules", &[][..]),
        ("baucu-store", &[][..]),
        // The result package's format: the rules' vocabulary and nothing else of baucu.
        ("baucu-exchange", &["baucu-rules"][..]),
        ("baucu-docs", &["baucu-rules", "baucu-exchange"][..]),
        ("baucu-app", &["baucu-rules", "baucu-store", "baucu-docs", "baucu-exchange"][..]),
        // The superior's aggregator: its own app layer beside the node's, sharing errors and passwords.
        (
            "baucu-aggregator",
            &["baucu-rules", "baucu-store", "baucu-docs", "baucu-exchange", "baucu-app"][..],
        ),
        ("baucu-web", &["baucu-app", "baucu-aggregator", "baucu-exchange"][..]),
        ("baucu", &["baucu-rules", "baucu-docs", "baucu-app", "baucu-web", "baucu-aggregator"][..]),
        // Packs the Windows zip (scripts/windows): no part of the node.
        ("baucu-pack", &[][..]),
    ])
}

/// Crates a layer must not use directly: SQL stays in the store, HTTP and HTML in the web crate.
fn forbidden_direct(krate: &str) -> &'static [&'static str] {
    match krate {
        "baucu-store" => &["axum", "hyper", "maud", "typst", "calamine", "argon2"],
        "baucu-docs" => &["rusqlite", "axum", "hyper", "maud", "tokio"],
        "baucu-app" => &["rusqlite", "axum", "hyper", "maud"],
        "baucu-aggregator" => &["rusqlite", "postgres", "axum", "hyper", "maud"],
        "baucu-exchange" => &["rusqlite", "postgres", "axum", "hyper", "maud", "tokio", "typst"],
        "baucu-web" => &["rusqlite", "postgres", "typst", "calamine"],
        "baucu" => &["rusqlite"],
        _ => &[],
    }
}

#[test]
fn every_crate_builds_only_on_the_layers_below_it() {
    let lock = Lock::read();
    let allowed = allowed_workspace_deps();
    let crates = workspace_crates();
    assert_eq!(
        crates.iter().map(String::as_str).collect::<BTreeSet<_>>(),
        allowed.keys().copied().collect::<BTreeSet<_>>(),
        "every crate of the workspace has its row in the layering table"
    );
    let mut offences = Vec::new();
    for krate in &crates {
        let deps = direct(&lock, krate);
        for dep in deps.iter().filter(|d| d.starts_with("baucu")) {
            if !allowed[krate.as_str()].contains(&dep.as_str()) {
                offences.push(format!("{krate} depends on {dep}"));
            }
        }
        for bad in forbidden_direct(krate) {
            if deps.contains(*bad) {
                offences.push(format!("{krate} uses {bad} directly"));
            }
        }
    }
    assert!(offences.is_empty(), "layering broken:\n{}", offences.join("\n"));
}

#[test]
fn engine_depends_on_no_runtime_database_http_or_template_crate() {
    let lock = Lock::read();
    let names = lock.closure(&runtime_roots(&lock, "baucu-rules"));
    assert!(names.contains("icu_collator"), "the walk found the engine's dependencies: {names:?}");
    assert!(!names.iter().any(|n| n.starts_with("baucu-")), "the engine stands alone: {names:?}");
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
        "jiff",
        "rand",
        "getrandom",
    ] {
        assert!(!names.contains(forbidden), "baucu-rules must not depend on {forbidden}");
    }
}

#[test]
fn documents_do_not_reach_the_database_or_the_network() {
    let lock = Lock::read();
    let names = lock.closure(&runtime_roots(&lock, "baucu-docs"));
    assert!(names.contains("typst"), "the walk found the documents' dependencies");
    for forbidden in ["rusqlite", "baucu-store", "baucu-app", "axum", "hyper", "reqwest", "ureq"] {
        assert!(!names.contains(forbidden), "baucu-docs must not depend on {forbidden}");
    }
}

/// The package format is read by the node, the aggregator and `baucu package verify` alike: it needs
/// nothing but the vocabulary, JSON and the signature, so that checking a file can never touch a
/// database, the network or a runtime.
#[test]
fn package_format_reaches_no_database_network_or_runtime() {
    let lock = Lock::read();
    let names = lock.closure(&runtime_roots(&lock, "baucu-exchange"));
    for forbidden in ["rusqlite", "postgres", "baucu-store", "baucu-app", "axum", "hyper", "tokio", "typst"] {
        assert!(!names.contains(forbidden), "baucu-exchange must not depend on {forbidden}");
    }
}

/// The walk itself must see through a crate: a forbidden crate two levels down is found.
#[test]
fn the_walk_finds_transitive_dependencies() {
    let lock = Lock::read();
    let names = lock.closure(&runtime_roots(&lock, "baucu-web"));
    for expected in ["baucu-store", "rusqlite", "axum", "hyper"] {
        assert!(names.contains(expected), "{expected} is reachable from baucu-web");
    }
}
