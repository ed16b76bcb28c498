//! Row digests in the audit chain: what the writer captures, what a rollback leaves, the baseline of a
//! database made before them, and what `integrity::verify` names when the file is changed behind the
//! node's back.

use baucu_store::audit::{self, BreakReason};
use baucu_store::integrity::{self, Anchor, Problem, RowDigest};
use baucu_store::rusqlite::{Connection, params};
use baucu_store::{Store, StoreError, schema, users};
use sha2::{Digest, Sha256};
use std::path::Path;

const AT: &str = "2025-05-20T08:00:00Z";

#[derive(Debug)]
struct Refused;

impl From<StoreError> for Refused {
    fn from(_: StoreError) -> Self {
        Refused
    }
}

/// What `App::act` does: the action, then its changed rows into one audit entry.
async fn act(
    store: &Store,
    action: &'static str,
    f: impl FnOnce(&Connection) -> baucu_store::Result<()> + Send + 'static,
) -> Vec<RowDigest> {
    store
        .write(move |c| {
            f(c)?;
            let rows = integrity::take_changes(c)?;
            audit::append(c, AT, "tester", action, "{}", &rows)?;
            Ok::<_, StoreError>(rows)
        })
        .await
        .expect("write")
}

/// Only the write: the captured rows of the action, without an audit entry.
async fn capture(
    store: &Store,
    f: impl FnOnce(&Connection) -> baucu_store::Result<()> + Send + 'static,
) -> Vec<RowDigest> {
    store
        .write(move |c| {
            f(c)?;
            integrity::take_changes(c)
        })
        .await
        .expect("write")
}

fn sql(c: &Connection, text: &str) -> baucu_store::Result<()> {
    c.execute_batch(text).map_err(StoreError::from)
}

fn keys(rows: &[RowDigest]) -> Vec<(&str, &str, bool)> {
    rows.iter().map(|r| (r.table.as_str(), r.key.as_str(), r.digest.is_some())).collect()
}

fn add_user(c: &Connection, name: &str) -> baucu_store::Result<()> {
    users::insert(c, name, "Người dùng", "viewer", "x", false, AT).map(|_| ())
}

const PERSON: &str = "INSERT INTO persons (id, full_name, search_key, sex, party_status, entry_order)
    VALUES (7, 'Nguyễn Văn An', 'nguyen van an', 'male', 'official', 1);
    INSERT INTO sittings (id, name, position) VALUES (3, 'Phiên thứ nhất', 1);";

#[tokio::test]
async fn take_changes_digests_inserted_and_updated_rows_and_tombstones_deleted_ones() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("db.sqlite")).expect("open");

    let inserted = capture(&store, |c| add_user(c, "an")).await;
    assert_eq!(keys(&inserted), [("users", "[1]", true)]);
    let digest = inserted[0].digest.clone().expect("digest");
    assert_eq!(digest.len(), 64);

    // An update of a non-key column: the same key, another digest.
    let updated = capture(&store, |c| sql(c, "UPDATE users SET full_name = 'Người khác' WHERE id = 1")).await;
    assert_eq!(keys(&updated), [("users", "[1]", true)]);
    assert_ne!(updated[0].digest.as_deref(), Some(digest.as_str()));
    // Updated back: the first digest again (it depends on the values only).
    let back = capture(&store, |c| sql(c, "UPDATE users SET full_name = 'Người dùng' WHERE id = 1")).await;
    assert_eq!(back[0].digest.as_deref(), Some(digest.as_str()));

    // A text key, a composite key, and a key that changes: the old key is a tombstone.
    let rows = capture(&store, |c| {
        sql(c, PERSON)?;
        sql(c, "INSERT INTO check_ins (sitting_id, person_id, checked_in_at) VALUES (3, 7, 'x');")?;
        sql(c, "INSERT INTO settings (key, value) VALUES ('assembly:congress', '{}');")?;
        sql(c, "UPDATE settings SET key = 'assembly:plenum' WHERE key = 'assembly:congress';")
    })
    .await;
    assert_eq!(
        keys(&rows),
        [
            ("check_ins", "[3,7]", true),
            ("persons", "[7]", true),
            ("settings", "[\"assembly:congress\"]", false),
            ("settings", "[\"assembly:plenum\"]", true),
            ("sittings", "[3]", true),
        ],
        "sorted by table and key"
    );

    // Deleted rows, and a row inserted then deleted in the same action: tombstones.
    let deleted = capture(&store, |c| {
        sql(c, "DELETE FROM check_ins; INSERT INTO settings (key, value) VALUES ('t', '1'); DELETE FROM settings WHERE key = 't';")
    })
    .await;
    assert_eq!(keys(&deleted), [("check_ins", "[3,7]", false), ("settings", "[\"t\"]", false)]);

    // Nothing changed, nothing taken; sessions and the log itself are not covered.
    assert!(capture(&store, |_| Ok(())).await.is_empty());
    let uncovered = capture(&store, |c| {
        users::insert_session(c, "token", 1, "csrf", AT, "2999-01-01T00:00:00Z")?;
        audit::append(c, AT, "tester", "x", "{}", &[]).map(|_| ())
    })
    .await;
    assert!(uncovered.is_empty(), "{uncovered:?}");
}

#[tokio::test]
async fn a_failed_action_leaves_no_captured_key_behind() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("db.sqlite")).expect("open");
    let failed = store
        .write(|c| {
            add_user(c, "refused")?;
            sql(c, "INSERT INTO settings (key, value) VALUES ('k', 'v')")?;
            Err::<(), _>(Refused)
        })
        .await;
    assert!(failed.is_err());
    // An action that failed after taking its changes: they come back with the rollback, i.e. empty.
    let failed_late = store
        .write(|c| {
            add_user(c, "late")?;
            assert_eq!(integrity::take_changes(c)?.len(), 1);
            Err::<(), _>(Refused)
        })
        .await;
    assert!(failed_late.is_err());
    let next = capture(&store, |c| add_user(c, "kept")).await;
    assert_eq!(keys(&next), [("users", "[1]", true)], "only the kept action's row");
    let left: i64 = store
        .read(|c| Ok::<_, StoreError>(c.query_row("SELECT count(*) FROM users", [], |r| r.get(0))?))
        .await
        .expect("read");
    assert_eq!(left, 1);
}

#[tokio::test]
async fn a_row_replaced_for_a_unique_conflict_is_recorded_as_deleted() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("db.sqlite")).expect("open");
    act(&store, "user.create", |c| add_user(c, "an")).await;
    let replaced = capture(&store, |c| {
        sql(
            c,
            "INSERT OR REPLACE INTO users (id, username, full_name, role, password_hash, created_at)
             VALUES (5, 'an', 'An', 'viewer', 'x', '')",
        )
    })
    .await;
    assert_eq!(keys(&replaced), [("users", "[1]", false), ("users", "[5]", true)]);
}

#[tokio::test]
async fn an_upsert_or_a_replace_of_an_existing_row_is_captured_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("db.sqlite")).expect("open");
    let upsert = "INSERT INTO settings (key, value) VALUES ('k', ?1)
                  ON CONFLICT (key) DO UPDATE SET value = excluded.value";
    let first =
        capture(&store, move |c| c.execute(upsert, ["1"]).map(|_| ()).map_err(StoreError::from)).await;
    assert_eq!(keys(&first), [("settings", "[\"k\"]", true)]);
    // The second one updates: the update trigger notes the same key twice, inside an UPSERT.
    let second =
        capture(&store, move |c| c.execute(upsert, ["2"]).map(|_| ()).map_err(StoreError::from)).await;
    assert_eq!(keys(&second), [("settings", "[\"k\"]", true)]);
    assert_ne!(first[0].digest, second[0].digest);
    let replaced = capture(&store, |c| {
        sql(c, "INSERT OR REPLACE INTO settings (key, value) VALUES ('k', '3'); UPDATE settings SET value = '4';")
    })
    .await;
    assert_eq!(keys(&replaced), [("settings", "[\"k\"]", true)]);
}

#[tokio::test]
async fn every_covered_table_has_a_primary_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("db.sqlite");
    Store::open(&path).expect("open").close();
    let conn = Connection::open(&path).expect("raw");
    let tables = integrity::covered_tables(&conn).expect("tables");
    let names: Vec<&str> = tables.iter().map(|t| t.name.as_str()).collect();
    for t in &tables {
        assert!(!t.key.is_empty(), "{} has no primary key: VACUUM may renumber its rowids", t.name);
    }
    for expected in ["ballots", "congress", "elected", "persons", "round_results", "settings", "users"] {
        assert!(names.contains(&expected), "{names:?}");
    }
    assert!(!names.contains(&"audit_log") && !names.contains(&"sessions"));
    let elected = tables.iter().find(|t| t.name == "elected").expect("elected");
    assert_eq!(elected.key, ["election_id", "person_id"]);
}

#[test]
fn entries_without_rows_keep_the_old_hash() {
    let mut h = Sha256::new();
    for part in ["prev", "3", "at", "actor", "action", "{}"] {
        h.update(part.as_bytes());
        h.update(b"\n");
    }
    let old = hex::encode(h.finalize());
    assert_eq!(audit::entry_hash("prev", 3, "at", "actor", "action", "{}", ""), old);
    assert_ne!(audit::entry_hash("prev", 3, "at", "actor", "action", "{}", "[]"), old);
}

/// Appends an entry as the program did before migration 4 (no `rows` column).
fn old_append(c: &Connection, seq: i64, prev: &str, action: &str) -> String {
    let hash = audit::entry_hash(prev, seq, AT, "tester", action, "{}", "");
    c.execute(
        "INSERT INTO audit_log (seq, at, actor, action, data, prev_hash, hash) VALUES (?1, ?2, 'tester', ?3, '{}', ?4, ?5)",
        params![seq, AT, action, prev, hash],
    )
    .expect("append");
    hash
}

#[tokio::test]
async fn a_database_from_before_row_digests_gets_a_baseline_and_then_verifies() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("db.sqlite");
    {
        let mut old = Connection::open(&path).expect("raw");
        schema::migrate_to(&mut old, 3).expect("migrate to 3");
        old.execute_batch(PERSON).expect("data");
        old.execute_batch(
            "INSERT INTO users (id, username, full_name, role, password_hash, created_at)
               VALUES (1, 'admin', 'Quản trị', 'admin', 'x', '');
             INSERT INTO check_ins (sitting_id, person_id, checked_in_at) VALUES (3, 7, 'x');",
        )
        .expect("data");
        let h1 = old_append(&old, 1, audit::GENESIS, "person.create");
        old_append(&old, 2, &h1, "attendance.check_in");
    }
    let store = Store::open(&path).expect("open and migrate");
    let report = store.read(|c| integrity::verify(c, None)).await.expect("verify");
    assert!(report.intact(), "{report:?}");
    // The baseline of migration 4 records every row; migration 5 added columns to `persons`, so its
    // baseline records the person again, as the row now is; migration 9 the sitting (its assembly).
    assert_eq!(report.entries, 5);
    let last = store.read(|c| audit::recent(c, 3)).await.expect("recent");
    for entry in &last {
        assert_eq!(
            (entry.action.as_str(), entry.actor.as_str()),
            (integrity::BASELINE_ACTION, integrity::SYSTEM_ACTOR)
        );
    }
    let (sitting, reshaped, first) = (&last[0], &last[1], &last[2]);
    assert_eq!(
        keys(&integrity::decode_rows(&first.rows).expect("rows")),
        [
            ("check_ins", "[3,7]", true),
            ("persons", "[7]", true),
            ("sittings", "[3]", true),
            ("users", "[1]", true)
        ]
    );
    assert_eq!(keys(&integrity::decode_rows(&reshaped.rows).expect("rows")), [("persons", "[7]", true)]);
    assert_eq!(keys(&integrity::decode_rows(&sitting.rows).expect("rows")), [("sittings", "[3]", true)]);
    let last = [sitting];
    assert_eq!(report.head, last[0].hash);
    // Opening again records nothing more.
    store.close();
    drop(store);
    let store = Store::open(&path).expect("reopen");
    assert_eq!(store.read(|c| integrity::verify(c, None)).await.expect("verify").entries, 5);
    store.close();
    // The baseline vouches for these rows from now on.
    let raw = Connection::open(&path).expect("raw");
    raw.execute_batch("UPDATE persons SET full_name = 'Nguyễn Văn Ân' WHERE id = 7").expect("tamper");
    let report = integrity::verify(&raw, None).expect("verify");
    assert_eq!(report.problems, [Problem::Edited { table: "persons".into(), key: "[7]".into() }]);
}

#[tokio::test]
async fn a_new_database_has_no_baseline_entry() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("db.sqlite")).expect("open");
    let report = store.read(|c| integrity::verify(c, None)).await.expect("verify");
    assert_eq!((report.entries, report.head.as_str(), report.intact()), (0, audit::GENESIS, true));
}

/// A store with a few audited actions; returns it, its path and the head after them.
async fn audited(dir: &Path) -> (Store, std::path::PathBuf, String) {
    let path = dir.join("db.sqlite");
    let store = Store::open(&path).expect("open");
    act(&store, "user.create", |c| add_user(c, "an")).await;
    act(&store, "user.create", |c| add_user(c, "binh")).await;
    act(&store, "roster", |c| sql(c, PERSON)).await;
    act(&store, "setting", |c| sql(c, "INSERT INTO settings (key, value) VALUES ('a', '1')")).await;
    let report = store.read(|c| integrity::verify(c, None)).await.expect("verify");
    assert!(report.intact(), "{report:?}");
    assert_eq!(report.entries, 4);
    (store, path, report.head)
}

#[tokio::test]
async fn verify_names_every_row_changed_behind_the_nodes_back() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (store, path, _) = audited(dir.path()).await;
    store.close();
    drop(store);
    let raw = Connection::open(&path).expect("raw");
    // VACUUM renumbers nothing that matters: keys are primary keys, not rowids.
    raw.execute_batch("VACUUM").expect("vacuum");
    assert!(integrity::verify(&raw, None).expect("verify").intact());
    raw.execute_batch(
        "UPDATE users SET role = 'admin' WHERE id = 2;
         INSERT INTO settings (key, value) VALUES ('b', '2');
         DELETE FROM sittings WHERE id = 3;",
    )
    .expect("tamper");
    let report = integrity::verify(&raw, None).expect("verify");
    assert_eq!(
        report.problems,
        [
            Problem::Added { table: "settings".into(), key: "[\"b\"]".into() },
            Problem::Deleted { table: "sittings".into(), key: "[3]".into() },
            Problem::Edited { table: "users".into(), key: "[2]".into() },
        ]
    );
    assert_eq!(report.total_problems, 3);
    assert!(!report.intact());
}

#[tokio::test]
async fn an_expected_head_finds_a_cut_or_rewritten_log() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (store, path, head) = audited(dir.path()).await;
    let earlier = store.read(|c| audit::recent(c, 4)).await.expect("recent")[2].hash.clone();
    store.close();
    drop(store);
    let raw = Connection::open(&path).expect("raw");
    let anchor = |raw: &Connection, head: &str| integrity::verify(raw, Some(head)).expect("verify").anchor;
    assert_eq!(anchor(&raw, &head), Some(Anchor::Found { seq: 4, following: 0 }));
    assert_eq!(anchor(&raw, &earlier.to_uppercase()), Some(Anchor::Found { seq: 2, following: 2 }));
    assert_eq!(anchor(&raw, "ab"), Some(Anchor::Missing));

    // Cut the last entry (and its row with it): the plain check may pass, the anchor is gone.
    raw.execute_batch(
        "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = 4; DELETE FROM settings;",
    )
    .expect("cut");
    let report = integrity::verify(&raw, Some(&head)).expect("verify");
    assert_eq!(report.total_problems, 0, "{report:?}");
    assert_eq!(report.anchor, Some(Anchor::Missing));
    assert!(!report.intact());

    // An entry edited in place: the chain breaks there, and the anchor after it is not vouched for.
    raw.execute_batch(
        "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET data = '{\"x\":1}' WHERE seq = 2;",
    )
    .expect("edit");
    let report = integrity::verify(&raw, Some(&earlier)).expect("verify");
    assert_eq!(
        report.problems[0],
        Problem::Chain(audit::Break { seq: 2, reason: BreakReason::HashMismatch })
    );
    assert_eq!(report.anchor, Some(Anchor::Missing));
}
