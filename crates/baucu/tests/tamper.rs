//! Tamper evidence covers the data, not only the audit log. A real node (`baucu serve --demo`, a round
//! counted to its result over HTTP) fills every covered table; then, on a fresh copy of its file for
//! each attack, the `sqlite3` tool edits, inserts or deletes one row of every covered table (found in
//! the file, not listed here), and `baucu audit verify` must fail naming the table and the row. Cutting
//! the end of the log fails `--expect-head`; rewriting a row and re-hashing the whole chain (digests
//! included) passes the plain check but fails `--expect-head` with the head taken before.
//!
//! Needs the `sqlite3` command (`scripts/test` installs it); without it, and without
//! `BAUCU_BROWSER_TESTS=required`, the test says so and is skipped.

mod support;

use baucu_app::baucu_store::rusqlite::{self, Connection, types::ValueRef};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use support::{Client, DEMO_PASSWORD, operator_id, start};

const DATABASE: &str = "baucu.sqlite";

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

fn verify(data: &Path, expect_head: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_baucu"));
    cmd.args(["audit", "verify", "--data"]).arg(data);
    if let Some(head) = expect_head {
        cmd.args(["--expect-head", head]);
    }
    cmd.output().expect("baucu audit verify")
}

/// The head `baucu audit verify` prints.
fn head_of(out: &Output) -> String {
    let said = String::from_utf8_lossy(&out.stdout);
    said.lines()
        .find_map(|l| l.strip_prefix("Mã đầu chuỗi nhật ký: "))
        .unwrap_or_else(|| panic!("no chain head in {said}"))
        .trim()
        .to_owned()
}

/// Runs a script with the `sqlite3` tool on a database; returns what it printed (JSON rows, one
/// array per statement that returns rows, as `-json` prints them).
fn sqlite3(db: &Path, script: &str) -> String {
    let out = Command::new("sqlite3").arg("-json").arg(db).arg(script).output().expect("sqlite3");
    assert!(out.status.success(), "sqlite3 failed on {script}: {}", text(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The rows of one query through the `sqlite3` tool.
fn query(db: &Path, sql: &str) -> Vec<Value> {
    let out = sqlite3(db, sql);
    if out.trim().is_empty() {
        return Vec::new();
    }
    serde_json::from_str::<Vec<Value>>(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

fn quote(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// One covered table as the file describes it.
struct Table {
    name: String,
    columns: Vec<String>,
    key: Vec<String>,
    /// Columns of a UNIQUE constraint or index: a copied row must change them.
    unique: Vec<String>,
}

impl Table {
    fn key_sql(&self) -> String {
        format!("json_array({})", self.key.iter().map(|c| quote(c)).collect::<Vec<_>>().join(", "))
    }

    fn row(&self, key: &str) -> String {
        format!("{} = {}", self.key_sql(), literal(key))
    }
}

/// Every table of the file but the log, the sessions and SQLite's own.
fn covered_tables(db: &Path) -> Vec<Table> {
    let names = query(
        db,
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
         AND name NOT IN ('audit_log', 'sessions') ORDER BY name",
    );
    names
        .iter()
        .map(|n| {
            let name = n["name"].as_str().expect("name").to_owned();
            let info = query(
                db,
                &format!("SELECT name, pk FROM pragma_table_info({}) ORDER BY cid", literal(&name)),
            );
            let mut key: Vec<(i64, String)> = info
                .iter()
                .filter(|c| c["pk"].as_i64().unwrap_or(0) > 0)
                .map(|c| (c["pk"].as_i64().unwrap_or(0), c["name"].as_str().expect("column").to_owned()))
                .collect();
            key.sort();
            let unique = query(
                db,
                &format!(
                    "SELECT DISTINCT ii.name FROM pragma_index_list({0}) il, pragma_index_info(il.name) ii
                     WHERE il.\"unique\" = 1",
                    literal(&name)
                ),
            );
            Table {
                columns: info.iter().map(|c| c["name"].as_str().expect("column").to_owned()).collect(),
                key: key.into_iter().map(|(_, c)| c).collect(),
                unique: unique.iter().filter_map(|u| u["name"].as_str().map(str::to_owned)).collect(),
                name,
            }
        })
        .collect()
}

/// What an attacker runs first: no trigger refuses anything, no constraint checks anything.
fn unguarded(db: &Path) -> String {
    let triggers = query(db, "SELECT name FROM sqlite_master WHERE type = 'trigger'");
    let mut sql = String::from("PRAGMA foreign_keys = OFF; PRAGMA ignore_check_constraints = ON;\n");
    for t in triggers {
        sql.push_str(&format!("DROP TRIGGER {};\n", quote(t["name"].as_str().expect("trigger"))));
    }
    sql
}

/// A fresh copy of the node's data directory (the database and its write-ahead log).
fn copy_of(pristine: &Path, into: &Path) -> PathBuf {
    let data = into.join("data");
    std::fs::create_dir_all(&data).expect("mkdir");
    for suffix in ["", "-wal"] {
        let from = pristine.join(format!("{DATABASE}{suffix}"));
        if from.exists() {
            std::fs::copy(&from, data.join(format!("{DATABASE}{suffix}"))).expect("copy");
        }
    }
    data
}

/// The digest of a row as the node computes it (`baucu_store::integrity`), written again here as an
/// attacker would from the source: SHA-256 over each value's type tag and bytes.
fn row_digest(row: &rusqlite::Row<'_>, first: usize, count: usize) -> String {
    let mut h = Sha256::new();
    for i in first..first + count {
        match row.get_ref(i).expect("value") {
            ValueRef::Null => h.update(b"n"),
            ValueRef::Integer(v) => {
                h.update(b"i");
                h.update(v.to_be_bytes());
            }
            ValueRef::Real(v) => {
                h.update(b"r");
                h.update(v.to_bits().to_be_bytes());
            }
            ValueRef::Text(b) => {
                h.update(b"t");
                h.update((b.len() as u64).to_be_bytes());
                h.update(b);
            }
            ValueRef::Blob(b) => {
                h.update(b"b");
                h.update((b.len() as u64).to_be_bytes());
                h.update(b);
            }
        }
    }
    hex::encode(h.finalize())
}

/// The entry hash of `baucu_store::audit`: each field on its own line, `rows` only when not empty.
fn entry_hash(prev: &str, seq: i64, fields: [&str; 4], rows: &str) -> String {
    let mut h = Sha256::new();
    let seq = seq.to_string();
    let mut parts = vec![prev, seq.as_str()];
    parts.extend(fields);
    if !rows.is_empty() {
        parts.push(rows);
    }
    for p in parts {
        h.update(p.as_bytes());
        h.update(b"\n");
    }
    hex::encode(h.finalize())
}

/// Re-records the digest of `table`'s row `key` in the last entry that mentions it, and re-hashes the
/// chain from there to the end: what a tamperer who read the source does after editing that row.
fn rewrite_chain(db: &Path, table: &Table, key: &str) {
    let conn = Connection::open(db).expect("open");
    let columns: Vec<String> = table.columns.iter().map(|c| quote(c)).collect();
    let digest = conn
        .query_row(
            &format!("SELECT {} FROM {} WHERE {}", columns.join(", "), quote(&table.name), table.row(key)),
            [],
            |r| Ok(row_digest(r, 0, columns.len())),
        )
        .expect("edited row");
    conn.execute_batch(
        "DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;",
    )
    .expect("drop triggers");
    let entries: Vec<(i64, [String; 4], String)> = {
        let mut stmt = conn
            .prepare("SELECT seq, at, actor, action, data, rows FROM audit_log ORDER BY seq")
            .expect("prepare");
        stmt.query_map([], |r| Ok((r.get(0)?, [r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?], r.get(5)?)))
            .expect("query")
            .collect::<rusqlite::Result<_>>()
            .expect("entries")
    };
    let mentions = |rows: &str| {
        serde_json::from_str::<Vec<Value>>(rows)
            .unwrap_or_default()
            .iter()
            .any(|r| r[0] == table.name.as_str() && r[1] == key)
    };
    let last = entries.iter().rposition(|(_, _, rows)| mentions(rows)).expect("an entry records the row");
    let mut prev = if last == 0 {
        baucu_app::baucu_store::audit::GENESIS.to_owned()
    } else {
        conn.query_row("SELECT hash FROM audit_log WHERE seq = ?1", [entries[last - 1].0], |r| r.get(0))
            .expect("hash")
    };
    for (i, (seq, fields, rows)) in entries.iter().enumerate().skip(last) {
        let rows = if i == last {
            let mut list: Vec<Value> = serde_json::from_str(rows).expect("rows");
            for r in &mut list {
                if r[0] == table.name.as_str() && r[1] == key {
                    r[2] = json!(digest);
                }
            }
            serde_json::to_string(&list).expect("json")
        } else {
            rows.clone()
        };
        let hash = entry_hash(&prev, *seq, [&fields[0], &fields[1], &fields[2], &fields[3]], &rows);
        conn.execute(
            "UPDATE audit_log SET rows = ?1, prev_hash = ?2, hash = ?3 WHERE seq = ?4",
            rusqlite::params![rows, prev, hash, seq],
        )
        .expect("rewrite");
        prev = hash;
    }
}

/// A demo congress with its committee round counted to a result: a disagreement resolved by the
/// board, one invalid ballot, everyone elected at once. Returns the data directory once the node is
/// stopped.
fn counted_congress(dir: &Path) -> PathBuf {
    let data = dir.join("data");
    let server = start(&data, true);
    let presidium = Client::login(&server.addr, "doanchutich", DEMO_PASSWORD);
    let board = Client::login(&server.addr, "kiemphieu", DEMO_PASSWORD);
    let election = presidium.get("/api/elections")[0]["id"].as_i64().expect("election");
    let round = presidium
        .post(&format!("/api/elections/{election}/rounds"), json!({ "entries_per_stack": 2 }))["id"]
        .as_i64()
        .expect("round");
    // 70 ballots keeping the first 13 of 16 names, and one untouched (an over-vote: invalid).
    let mut codes = vec!["x:14,15,16".to_owned(); 70];
    codes.push("x:".to_owned());
    let papers = codes.len() as u32;
    board.post(&format!("/api/rounds/{round}/issued"), json!({ "issued": 133, "collected": papers }));
    let view = board.get(&format!("/api/rounds/{round}"));
    let ops = [operator_id(&view, "nhapphieu1"), operator_id(&view, "nhapphieu2")];
    let stack = board.post(
        &format!("/api/rounds/{round}/stacks"),
        json!({ "name": "Chồng 1", "papers": papers, "operators": ops, "key": "tamper-1" }),
    )["id"]
        .as_i64()
        .expect("stack");
    let detail = board.get(&format!("/api/rounds/{round}"));
    let entries = &detail["stacks"][0]["entries"];
    let mut mistaken = codes.clone();
    mistaken[4] = "x:1,15,16".into();
    for (n, (user, list)) in [("nhapphieu1", &codes), ("nhapphieu2", &mistaken)].into_iter().enumerate() {
        let op = Client::login(&server.addr, user, DEMO_PASSWORD);
        let entry = entries[n]["id"].as_i64().expect("entry");
        for (i, code) in list.iter().enumerate() {
            op.post(
                &format!("/api/entries/{entry}/ballots"),
                json!({ "code": code, "key": format!("{user}-{i}") }),
            );
        }
        op.post(&format!("/api/entries/{entry}/finish"), json!({}));
    }
    board.post(&format!("/api/stacks/{stack}/resolve"), json!({ "seq": 5, "code": codes[4] }));
    let result = board.post(&format!("/api/rounds/{round}/close"), json!({ "confirm": true }));
    assert_eq!(result["next_step"], "complete", "{result}");
    // Reopened once with a reason and closed again: a reopening to attack, and a record deleted and
    // made anew.
    presidium.post(&format!("/api/rounds/{round}/reopen"), json!({ "reason": "Kiểm tra lại số phiếu" }));
    let again = board.post(&format!("/api/rounds/{round}/close"), json!({ "confirm": true }));
    assert_eq!(again, result);
    presidium.post(&format!("/api/rounds/{round}/publish"), json!({ "confirm": true }));
    // The signed result package, exported: a row of `package_exports` to attack.
    assert_eq!(presidium.post_form("/package/export", &[]).0, 303);
    drop(server);
    data
}

#[test]
fn tamper_every_table() {
    if Command::new("sqlite3").arg("-version").output().is_err() {
        if std::env::var("BAUCU_BROWSER_TESTS").as_deref() == Ok("required") {
            panic!("the sqlite3 tool is required for the tamper test");
        }
        eprintln!("skipped: the sqlite3 tool is not installed (scripts/test installs it)");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let pristine = counted_congress(dir.path());
    let ok = verify(&pristine, None);
    assert!(ok.status.success(), "{}", text(&ok));
    assert!(String::from_utf8_lossy(&ok.stdout).contains("toàn vẹn"), "{}", text(&ok));
    let head = head_of(&ok);
    assert_eq!(head.len(), 64);
    let anchored = verify(&pristine, Some(&head));
    assert!(anchored.status.success(), "{}", text(&anchored));
    assert!(String::from_utf8_lossy(&anchored.stdout).contains("mục cuối cùng"), "{}", text(&anchored));

    let tables = covered_tables(&pristine.join(DATABASE));
    let mut empty = Vec::new();
    for t in &tables {
        let n = query(&pristine.join(DATABASE), &format!("SELECT count(*) AS n FROM {}", quote(&t.name)));
        if n[0]["n"].as_i64() == Some(0) {
            empty.push(t.name.clone());
        }
        assert!(!t.key.is_empty(), "{} has no primary key", t.name);
    }
    assert!(empty.is_empty(), "every covered table has a row to attack; empty: {empty:?}");
    for must in ["ballots", "elected", "resolutions", "round_results", "round_result_invalid", "users"] {
        assert!(tables.iter().any(|t| t.name == must), "{must} is covered");
    }

    let mut case = 0;
    let mut attack = |script: &dyn Fn(&Path, &Table, &str) -> (String, String), t: &Table| {
        case += 1;
        let data = copy_of(&pristine, &dir.path().join(format!("case{case}")));
        let db = data.join(DATABASE);
        let key = query(&db, &format!("SELECT {} AS k FROM {} LIMIT 1", t.key_sql(), quote(&t.name)))[0]["k"]
            .as_str()
            .expect("key")
            .to_owned();
        let (sql, expected) = script(&db, t, &key);
        let printed = sqlite3(&db, &format!("{}{sql}", unguarded(&db)));
        let expected = expected.replace("{printed}", &printed_key(&printed));
        let out = verify(&data, None);
        let said = text(&out);
        assert_eq!(out.status.code(), Some(1), "{sql}\n{said}");
        assert!(said.contains(&expected), "{sql}\nexpected «{expected}» in:\n{said}");
    };

    for t in &tables {
        // (a) Edit one value of one row.
        attack(
            &|db, t, key| {
                let column = t
                    .columns
                    .iter()
                    .rev()
                    .filter(|c| !t.key.contains(c))
                    .find(|c| {
                        let kind = query(
                            db,
                            &format!(
                                "SELECT typeof({}) AS k FROM {} WHERE {}",
                                quote(c),
                                quote(&t.name),
                                t.row(key)
                            ),
                        );
                        kind[0]["k"] != "null"
                    })
                    .unwrap_or(&t.key[0]);
                let c = quote(column);
                let sql = format!(
                    "UPDATE {} SET {c} = CASE typeof({c}) WHEN 'integer' THEN {c} + 1 WHEN 'real' THEN {c} + 1
                     ELSE {c} || 'x' END WHERE {};",
                    quote(&t.name),
                    t.row(key)
                );
                let expected = if t.key.contains(column) {
                    format!("Bảng {}, dòng {key}: dòng đã bị xóa", t.name)
                } else {
                    format!("Bảng {}, dòng {key}: nội dung đã bị sửa ngoài phần mềm.", t.name)
                };
                (sql, expected)
            },
            t,
        );
        // (b) Insert a copy of a row under a new key (and new values wherever they must be unique).
        attack(
            &|_, t, key| {
                let shift = |c: &str| {
                    let c = quote(c);
                    format!(
                        "CASE typeof({c}) WHEN 'integer' THEN {c} + 100000 WHEN 'real' THEN {c} + 100000
                         WHEN 'text' THEN {c} || '-copy' ELSE {c} END"
                    )
                };
                let values: Vec<String> = t
                    .columns
                    .iter()
                    .map(|c| if t.key.contains(c) || t.unique.contains(c) { shift(c) } else { quote(c) })
                    .collect();
                let columns: Vec<String> = t.columns.iter().map(|c| quote(c)).collect();
                let sql = format!(
                    "INSERT INTO {0} ({1}) SELECT {2} FROM {0} WHERE {3};
                     SELECT {4} AS printed FROM {0} WHERE rowid = last_insert_rowid();",
                    quote(&t.name),
                    columns.join(", "),
                    values.join(", "),
                    t.row(key),
                    t.key_sql(),
                );
                (sql, format!("Bảng {}, dòng {{printed}}: dòng được thêm ngoài phần mềm", t.name))
            },
            t,
        );
        // (c) Delete one row.
        attack(
            &|_, t, key| {
                (
                    format!("DELETE FROM {} WHERE {};", quote(&t.name), t.row(key)),
                    format!("Bảng {}, dòng {key}: dòng đã bị xóa ngoài phần mềm.", t.name),
                )
            },
            t,
        );
    }
    assert_eq!(case, 3 * tables.len());

    // Cutting the end of the log (triggers dropped first): the head written down before is gone.
    let data = copy_of(&pristine, &dir.path().join("cut"));
    sqlite3(
        &data.join(DATABASE),
        "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq > (SELECT max(seq) - 3 FROM audit_log);",
    );
    let cut = verify(&data, Some(&head));
    assert_eq!(cut.status.code(), Some(1), "{}", text(&cut));
    assert!(text(&cut).contains("KHÔNG có trong chuỗi nhật ký hợp lệ"), "{}", text(&cut));

    // Editing a ballot of a closed round and re-hashing the whole chain with the digests: every row
    // matches its digest again, but the recount of the closed round from its ballots does not give its
    // stored result; and the head written down before is gone.
    let data = copy_of(&pristine, &dir.path().join("rehash"));
    let db = data.join(DATABASE);
    let ballots = tables.iter().find(|t| t.name == "ballots").expect("ballots");
    let key = query(&db, &format!("SELECT {} AS k FROM ballots LIMIT 1", ballots.key_sql()))[0]["k"]
        .as_str()
        .expect("key")
        .to_owned();
    sqlite3(
        &db,
        &format!("{}UPDATE ballots SET code = 'x:1,2,3' WHERE {};", unguarded(&db), ballots.row(&key)),
    );
    let edited = verify(&data, None);
    assert!(
        text(&edited).contains(&format!("Bảng ballots, dòng {key}: nội dung đã bị sửa")),
        "{}",
        text(&edited)
    );
    rewrite_chain(&db, ballots, &key);
    let recounted = verify(&data, None);
    assert_eq!(recounted.status.code(), Some(1), "{}", text(&recounted));
    // The edited entry no longer agrees with the other entry of its stack (the agreed ballots cannot
    // be formed), or it does and gives another result: either way the recount names the round.
    let said = text(&recounted);
    assert!(
        said.contains("từ các phiếu đã lưu: kết quả đã lưu khác kết quả tính lại")
            || said.contains("từ các phiếu đã lưu: không tính lại được"),
        "the recount of the closed round catches the re-hashed ballot: {said}"
    );
    assert!(!text(&recounted).contains("Bảng ballots"), "every row matches its re-hashed digest");
    let caught = verify(&data, Some(&head));
    assert_eq!(caught.status.code(), Some(1), "{}", text(&caught));

    // Editing a person (no result depends on it) and re-hashing: the plain check is fooled, the head
    // written down before is not.
    let data = copy_of(&pristine, &dir.path().join("rehash-person"));
    let db = data.join(DATABASE);
    let persons = tables.iter().find(|t| t.name == "persons").expect("persons");
    let key = query(&db, &format!("SELECT {} AS k FROM persons LIMIT 1", persons.key_sql()))[0]["k"]
        .as_str()
        .expect("key")
        .to_owned();
    sqlite3(
        &db,
        &format!("{}UPDATE persons SET religion = 'Tin lành' WHERE {};", unguarded(&db), persons.row(&key)),
    );
    rewrite_chain(&db, persons, &key);
    let fooled = verify(&data, None);
    assert!(fooled.status.success(), "the re-hashed chain passes the plain check: {}", text(&fooled));
    assert!(String::from_utf8_lossy(&fooled.stdout).contains("toàn vẹn"));
    assert_ne!(head_of(&fooled), head);
    let caught = verify(&data, Some(&head));
    assert_eq!(caught.status.code(), Some(1), "{}", text(&caught));
    assert!(text(&caught).contains("KHÔNG có trong chuỗi nhật ký hợp lệ"), "{}", text(&caught));
}

/// The key a script printed last (`[{"printed":"[12]"}]`), or nothing.
fn printed_key(out: &str) -> String {
    serde_json::from_str::<Vec<Value>>(out.trim())
        .ok()
        .and_then(|rows| rows.last().and_then(|r| r["printed"].as_str().map(str::to_owned)))
        .unwrap_or_default()
}
