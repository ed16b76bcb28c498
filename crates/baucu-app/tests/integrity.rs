//! `App::verify_integrity` on a real SQLite file: every action's rows are in the chain, a refused
//! action leaves none, and a chain head written down earlier is found or not.

use baucu_app::integrity::{Anchor, DataProblem, IntegrityProblem};
use baucu_app::{Actor, App, AppError, ManualClock};
use baucu_store::Store;
use std::sync::Arc;

fn app(dir: &tempfile::TempDir) -> App {
    let store = Store::open(&dir.path().join("baucu.sqlite")).expect("open store");
    let clock = ManualClock::new("2025-05-20T01:00:00Z".parse().expect("timestamp"));
    App::new(store, Arc::new(clock))
}

#[tokio::test]
async fn every_action_is_covered_and_a_refused_one_leaves_nothing() {
    let dir = tempfile::tempdir().expect("temp");
    let app = app(&dir);
    let empty = app.verify_integrity(None).await.expect("verify");
    assert!(empty.intact() && empty.entries == 0, "{empty:?}");

    assert!(app.seed_demo().await.expect("seed"));
    let report = app.verify_integrity(None).await.expect("verify");
    assert!(report.intact(), "{report:?}");
    let head = report.head.clone();
    let entries = report.entries;

    // The second is refused (the name is taken): nothing of it is in the log or the data.
    let created =
        app.add_user_from_cli("bantochuc", "Người thứ hai", baucu_app::Role::Viewer, "mật khẩu dài").await;
    assert!(created.is_ok(), "{created:?}");
    let refused =
        app.add_user_from_cli("bantochuc", "Người thứ hai", baucu_app::Role::Viewer, "mật khẩu dài").await;
    assert!(refused.is_err());
    app.add_sitting(&Actor::system(), "Phiên thứ hai").await.expect("sitting");
    let after = app.verify_integrity(Some(head.to_uppercase())).await.expect("verify");
    assert!(after.intact(), "{after:?}");
    assert_eq!(after.entries, entries + 2);
    assert_eq!(after.anchor, Some((head.clone(), Anchor::Found { seq: entries, following: 2 })));
    assert!(after.anchor_message().is_some_and(|m| m.contains(&format!("mục số {entries}"))));
    app.store().close();

    // A row changed behind the node's back is named with its table and key.
    let raw = baucu_store::rusqlite::Connection::open(dir.path().join("baucu.sqlite")).expect("raw");
    raw.execute_batch("UPDATE persons SET full_name = 'Người Khác' WHERE id = 1").expect("tamper");
    drop(raw);
    let app = self::app(&dir);
    let broken = app.verify_integrity(None).await.expect("verify");
    assert!(!broken.intact());
    assert_eq!(
        broken.problems,
        [IntegrityProblem::Data(DataProblem::Edited { table: "persons".into(), key: "[1]".into() })]
    );
    assert_eq!(broken.problems[0].message(), "Bảng persons, dòng [1]: nội dung đã bị sửa ngoài phần mềm.");
}

#[tokio::test]
async fn a_head_that_is_not_hex_is_refused_and_an_unknown_one_is_missing() {
    let dir = tempfile::tempdir().expect("temp");
    let app = app(&dir);
    app.add_sitting(&Actor::system(), "Phiên thứ nhất").await.expect("sitting");
    let refused = app.verify_integrity(Some("not a head".into())).await;
    assert!(matches!(refused, Err(AppError::Invalid(_))), "{refused:?}");
    let unknown = app.verify_integrity(Some("ab".repeat(32))).await.expect("verify");
    assert_eq!(unknown.anchor.as_ref().map(|(_, a)| *a), Some(Anchor::Missing));
    assert!(!unknown.intact());
    assert!(unknown.anchor_message().is_some_and(|m| m.contains("KHÔNG có trong chuỗi")));
}
