//! The application against a real SQLite file: the demo congress, roles, the base, lists and polls.

use baucu_app::elections::{CandidateStatus, ElectionForm, Source};
use baucu_app::{Actor, App, AppError, ManualClock, Role};
use baucu_store::Store;
use std::sync::Arc;

fn app(dir: &tempfile::TempDir) -> App {
    let store = Store::open(&dir.path().join("baucu.sqlite")).expect("open store");
    let clock = ManualClock::new("2025-05-20T01:00:00Z".parse().expect("timestamp"));
    App::new(store, Arc::new(clock))
}

fn organiser() -> Actor {
    Actor { user_id: 2, username: "btc".into(), full_name: "Ban tổ chức".into(), role: Role::Organiser }
}

#[tokio::test]
async fn the_demo_congress_is_complete_and_computed_by_the_engine() {
    let dir = tempfile::tempdir().expect("temp");
    let app = app(&dir);
    assert!(app.seed_demo().await.expect("seed"));
    assert!(!app.seed_demo().await.expect("second seed is a no-op"));
    let actor = Actor::system();
    let people = app.persons(&actor).await.expect("persons");
    assert_eq!(people.len(), 150);
    let att = app.attendance(&actor, None).await.expect("attendance");
    let report = att.report.expect("a base");
    // 150 on the roster, 10 probationary (not summoned): 140 summoned. Out of the base: one on
    // temporary transfer who did not come, one exempted who did not come, one suspended, three
    // absent with an accepted reason. The one absent without reason stays in.
    assert_eq!(report.summoned, 140);
    assert_eq!(report.base, 134);
    assert_eq!(report.threshold, 68);
    assert_eq!(report.lines.len(), 7);
    let elections = app.elections(&actor).await.expect("elections");
    assert_eq!(elections.len(), 1);
    let detail = app.election(&actor, elections[0].id).await.expect("detail");
    assert!(detail.election.approved);
    assert_eq!(detail.ballot.len(), 16);
    assert!(detail.list_check.ok);
    let statuses: Vec<CandidateStatus> = detail.candidates.iter().map(|c| c.status).collect();
    assert_eq!(statuses.iter().filter(|s| **s == CandidateStatus::BelowGate).count(), 1);
    // The ballot is in Vietnamese order of given names.
    let givens: Vec<String> =
        detail.ballot.iter().map(|c| c.full_name.rsplit(' ').next().unwrap_or_default().to_owned()).collect();
    let mut sorted = givens.clone();
    sorted.sort_by(|a, b| baucu_rules::order::compare_words(a, b));
    assert_eq!(givens, sorted);
    assert_eq!(app.verify_audit().await.expect("verify").map_err(|b| b.seq), Ok(app_entries(&app).await));
}

async fn app_entries(app: &App) -> i64 {
    app.recent_audit(&Actor::system(), 1).await.expect("audit").first().map_or(0, |e| e.seq)
}

#[tokio::test]
async fn roles_are_checked_and_refused_actions_leave_nothing() {
    let dir = tempfile::tempdir().expect("temp");
    let app = app(&dir);
    app.seed_demo().await.expect("seed");
    let viewer = Actor { role: Role::Viewer, ..organiser() };
    assert!(matches!(app.persons(&viewer).await, Err(AppError::Forbidden)));
    let presidium = Actor { role: Role::Presidium, ..organiser() };
    let form = ElectionForm { body: "inspection_committee".into(), seats: "5".into(), ..Default::default() };
    assert!(matches!(app.create_election(&presidium, form.clone()).await, Err(AppError::Forbidden)));
    let id = app.create_election(&organiser(), form).await.expect("organiser may");
    // A probationary member may not stand.
    let people = app.persons(&organiser()).await.expect("persons");
    let probationary = people.iter().find(|p| p.party_status == "probationary").expect("one");
    let err =
        app.add_candidate(&organiser(), id, probationary.id, Source::Convening).await.expect_err("refused");
    assert!(err.message().contains("dự bị"), "{}", err.message());
    // A standing committee needs a committee elected first: its pool is empty until results exist.
    let sc = ElectionForm { body: "standing_committee".into(), seats: "3".into(), ..Default::default() };
    let sc_id = app.create_election(&organiser(), sc).await.expect("committee has 13 seats");
    let err = app
        .add_candidate(&organiser(), sc_id, people[0].id, Source::Convening)
        .await
        .expect_err("not elected");
    assert!(err.message().contains("không phải ủy viên"), "{}", err.message());
}

#[tokio::test]
async fn a_poll_tie_at_the_cap_waits_for_the_congress() {
    let dir = tempfile::tempdir().expect("temp");
    let app = app(&dir);
    app.seed_demo().await.expect("seed");
    let org = organiser();
    let boss = Actor { role: Role::Presidium, ..organiser() };
    // Inspection committee of 5: at most 6 names. Convening 5, three nominees for one place.
    let id = app
        .create_election(
            &org,
            ElectionForm { body: "inspection_committee".into(), seats: "5".into(), ..Default::default() },
        )
        .await
        .expect("create");
    let people = app.persons(&org).await.expect("persons");
    let official: Vec<i64> = people.iter().filter(|p| p.party_status == "official").map(|p| p.id).collect();
    for pid in &official[..5] {
        app.add_candidate(&org, id, *pid, Source::Convening).await.expect("add");
    }
    let a = app.add_candidate(&org, id, official[5], Source::Nomination).await.expect("add");
    let b = app.add_candidate(&org, id, official[6], Source::Nomination).await.expect("add");
    let c = app.add_candidate(&org, id, official[7], Source::SelfNomination).await.expect("add");
    app.record_poll(&boss, id, 100, vec![(a, 60), (b, 60), (c, 30)]).await.expect("poll");
    let detail = app.election(&boss, id).await.expect("detail");
    assert_eq!(detail.poll_gate, Some(31));
    assert_eq!(detail.poll_tie_seats, Some(1));
    assert!(!detail.blockers.is_empty(), "a tie blocks the approval");
    assert!(matches!(app.approve_list(&boss, id, 90, 0).await, Err(AppError::Conflict(_))));
    app.decide_poll_tie(&boss, id, vec![b]).await.expect("decide");
    let detail = app.election(&boss, id).await.expect("detail");
    assert_eq!(detail.ballot.len(), 6);
    assert!(detail.blockers.is_empty(), "{:?}", detail.blockers);
    assert!(detail.ballot.iter().any(|x| x.id == b) && !detail.ballot.iter().any(|x| x.id == a));
}

/// A value edited behind the node's back into something the program does not know is an error that
/// names what is damaged, never a default (an unknown party status is not "official", an unknown
/// level does not make the congress disappear, an unknown list status is not "draft").
#[tokio::test]
async fn stored_unknown_values_are_errors() {
    let dir = tempfile::tempdir().expect("temp");
    let app = app(&dir);
    assert!(app.seed_demo().await.expect("seed"));
    let actor = Actor::system();
    let tamper = |sql: &'static str| {
        let store = app.store().clone();
        async move {
            store
                .write(move |c| c.execute_batch(sql).map_err(baucu_store::StoreError::from))
                .await
                .expect("edit the file")
        }
    };
    tamper("UPDATE persons SET party_status = 'maybe' WHERE id = 1").await;
    let err = app.persons(&actor).await.expect_err("unknown party status");
    assert!(err.message().contains("đảng viên số 1 bị hỏng"), "{}", err.message());
    tamper("UPDATE persons SET party_status = 'official' WHERE id = 1").await;
    app.persons(&actor).await.expect("mended");

    tamper("UPDATE congress SET level = 'planet'").await;
    let err = app.congress().await.expect_err("unknown level");
    assert!(err.message().contains("Dữ liệu đại hội bị hỏng (cấp)"), "{}", err.message());
    tamper("UPDATE congress SET level = 'grassroots'").await;
    app.congress().await.expect("mended").expect("a congress");

    tamper("UPDATE elections SET list_status = 'approvedd'").await;
    let elections = app.elections(&actor).await;
    assert!(elections.is_err(), "an unknown list status is refused: {elections:?}");
}

/// A round closed by a version of baucu older than the typed record has no record: when the node
/// starts it is decided once more from its stored ballots and recorded, with the same result, and the
/// data stays intact.
#[tokio::test]
async fn rounds_closed_before_the_record_are_recorded_at_start() {
    let dir = tempfile::tempdir().expect("temp");
    let database = dir.path().join("baucu.sqlite");
    baucu_app::simulate::simulate(&database, &dir.path().join("documents"), 3, 60).await.expect("simulate");
    let app = app(&dir);
    let actor = Actor::system();
    let before = app.round(&actor, 1).await.expect("round 1");
    assert!(before.round.closed);
    assert_eq!(app.record_earlier_results().await.expect("nothing to do"), 0);
    // What an older version left: a closed round and its ballots, no record.
    app.store()
        .write(|c| {
            c.execute_batch(
                "DELETE FROM round_result_lines WHERE round_id = 1; DELETE FROM round_result_board WHERE round_id = 1;
                 DELETE FROM round_result_exclusions WHERE round_id = 1; DELETE FROM round_result_invalid WHERE round_id = 1;
                 DELETE FROM round_results WHERE round_id = 1;",
            )
            .map_err(baucu_store::StoreError::from)
        })
        .await
        .expect("an older database");
    let err = app.round(&actor, 1).await.expect_err("no record");
    assert!(err.message().contains("kết quả"), "{}", err.message());
    assert_eq!(app.record_earlier_results().await.expect("record"), 1);
    let after = app.round(&actor, 1).await.expect("round 1 again");
    assert_eq!(after.round.result, before.round.result, "the same result, from the same ballots");
    assert_eq!(app.record_earlier_results().await.expect("once"), 0);
    let report = app.verify_integrity(None).await.expect("verify");
    assert!(report.intact(), "{:?}", report.problems);
}
