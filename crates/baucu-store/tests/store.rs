//! The store against a real SQLite file in a temporary directory.

use baucu_store::audit::{self, BreakReason};
use baucu_store::{Store, StoreError, congress, users};

#[derive(Debug)]
struct Refused;

impl From<StoreError> for Refused {
    fn from(_: StoreError) -> Self {
        Refused
    }
}

#[tokio::test]
async fn data_survives_closing_and_reopening() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("baucu.sqlite");
    let store = Store::open(&path).expect("open");
    store
        .write(|c| {
            let row = congress::CongressRow { name: "Đại hội Chi bộ 1".into(), ..Default::default() };
            congress::put(c, &row)?;
            audit::append(c, "2025-01-01T00:00:00Z", "tester", "congress.set", "{}", &[])?;
            Ok::<_, StoreError>(())
        })
        .await
        .expect("write");
    store.close();
    drop(store);
    let again = Store::open(&path).expect("reopen");
    let name = again.read(|c| Ok::<_, StoreError>(congress::get(c)?.map(|r| r.name))).await.expect("read");
    assert_eq!(name.as_deref(), Some("Đại hội Chi bộ 1"));
}

#[tokio::test]
async fn a_failed_action_is_rolled_back_alone_in_a_shared_commit() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("db.sqlite")).expect("open");
    let mut tasks = Vec::new();
    for i in 0..40 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store
                .write(move |c| {
                    users::insert(
                        c,
                        &format!("user{i}"),
                        "Người dùng",
                        "viewer",
                        "x",
                        false,
                        "2025-01-01T00:00:00Z",
                    )?;
                    if i % 4 == 0 { Err(Refused) } else { Ok(i) }
                })
                .await
        }));
    }
    let mut ok = 0;
    for t in tasks {
        if t.await.expect("join").is_ok() {
            ok += 1;
        }
    }
    assert_eq!(ok, 30);
    let count = store.read(users::count).await.expect("count");
    assert_eq!(count, 30, "the ten refused actions left nothing behind");
}

#[tokio::test]
async fn audit_chain_verifies_and_names_the_first_edited_entry() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("db.sqlite");
    let store = Store::open(&path).expect("open");
    store
        .write(|c| {
            for i in 0..5 {
                audit::append(c, "2025-01-01T00:00:00Z", "tester", "test", &format!("{{\"i\":{i}}}"), &[])?;
            }
            Ok::<_, StoreError>(())
        })
        .await
        .expect("write");
    assert_eq!(store.read(audit::verify).await.expect("verify"), Ok(5));
    // The log refuses edits through SQL; a tamperer has to drop the trigger first.
    let refused = store
        .write(|c| c.execute("UPDATE audit_log SET data = 'x' WHERE seq = 3", []).map_err(StoreError::from))
        .await;
    assert!(refused.is_err());
    store.close();
    let raw = baucu_store::rusqlite::Connection::open(&path).expect("raw");
    raw.execute_batch(
        "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET data = '{\"i\":99}' WHERE seq = 3;",
    )
    .expect("tamper");
    let broken = audit::verify(&raw).expect("verify");
    assert_eq!(broken.map_err(|b| (b.seq, b.reason)), Err((3, BreakReason::HashMismatch)));
}
