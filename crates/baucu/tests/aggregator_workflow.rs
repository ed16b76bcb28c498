//! The aggregator's approval workflow, working-day deadlines, complaints, accounts and audit chain,
//! each test on SQLite and (when `BAUCU_TEST_POSTGRES` is set) on PostgreSQL.
//!
//! Units, packages and congresses are written straight into a fresh database as the import would
//! leave them (a congress "reported" with its current package and elected), so these tests exercise
//! the workflow alone; the import has its own tests.

mod support;

use baucu_aggregator::AppError;
use baucu_aggregator::accounts::{self, Actor, LoginThrottle, NewUser, Role};
use baucu_aggregator::audit;
use baucu_aggregator::calendar::Urgency;
use baucu_aggregator::complaints::{self, About, NewComplaint, Outcome};
use baucu_aggregator::workflow::{self, BodyState, DeadlineKind, Status};
use baucu_app::baucu_store::aggregator::db::{AggDb, Value};
use baucu_rules::election::Body;
use jiff::civil::{Date, date};
use support::aggregator::{backends, fresh_db};

const PASSWORD: &str = "mật khẩu thử 2026";

/// Province 01, districts 01.001, 01.002 and 01.0_1, one grassroots organisation under each of the first two.
fn seed_units(db: &AggDb) {
    db.write(|tx| {
        for (code, parent, name, level, path, depth) in [
            ("01", None, "Đảng bộ tỉnh", "province", "01/", 0),
            ("01.001", Some("01"), "Đảng bộ huyện Một", "district", "01/01.001/", 1),
            ("01.002", Some("01"), "Đảng bộ huyện Hai", "district", "01/01.002/", 1),
            // "_" is a wildcard of SQL's LIKE: this area must not take in 01.001.
            ("01.0_1", Some("01"), "Đảng bộ huyện Ba", "district", "01/01.0_1/", 1),
            ("01.001.0001", Some("01.001"), "Đảng bộ xã An", "grassroots", "01/01.001/01.001.0001/", 2),
            ("01.002.0001", Some("01.002"), "Đảng bộ xã Bình", "grassroots", "01/01.002/01.002.0001/", 2),
        ] {
            tx.execute(
                "INSERT INTO units (code, parent_code, name, level, path, depth, position) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[code.into(), parent.into(), name.into(), level.into(), path.into(), Value::Int(depth), Value::Int(depth)],
            )?;
        }
        Ok(())
    })
    .expect("seed units");
}

/// Noon in Hanoi on `day`, in unix seconds.
fn noon(day: Date) -> i64 {
    day.at(12, 0, 0, 0).in_tz("Asia/Ho_Chi_Minh").expect("zone").timestamp().as_second()
}

/// Stores version `version` of `unit`'s package, received on `reported_on`, as current, with a
/// committee of five (persons 1–5), a standing committee (1, 2), a secretary (1) and two delegates,
/// and puts the congress in "reported" as the import does.
fn report(db: &AggDb, unit: &str, closed_on: Date, reported_on: Date, version: i64) -> i64 {
    db.write(|tx| {
        tx.execute("UPDATE packages SET current = 0 WHERE unit_code = $1", &[unit.into()])?;
        let sha = format!("{unit}-{version:0>60}");
        let id = tx
            .query_one(
                "INSERT INTO packages (unit_code, version, sha256, supersedes_sha256, fingerprint, received_at, received_by, file, current)
                 VALUES ($1, $2, $3, NULL, 'fp', $4, 'thử', $5, 1) RETURNING id",
                &[unit.into(), Value::Int(version), sha.into(), Value::Int(noon(reported_on)), Value::Bytes(vec![1, 2, 3])],
            )?
            .int(0)?;
        tx.execute("DELETE FROM elected WHERE unit_code = $1", &[unit.into()])?;
        let people: [(&str, i64, bool); 10] = [
            ("committee", 1, false),
            ("committee", 2, false),
            ("committee", 3, false),
            ("committee", 4, false),
            ("committee", 5, false),
            ("standing_committee", 1, false),
            ("standing_committee", 2, false),
            ("secretary", 1, false),
            ("delegates", 3, false),
            ("delegates", 4, true),
        ];
        for (body, person, alternate) in people {
            tx.execute(
                "INSERT INTO elected (package_id, unit_code, body, alternate, person, name, female, birth_year, under_35,
                     ethnic_minority, religious, first_time, ethnicity, religion, education, theory, votes, percent_of_base, round)
                 VALUES ($1, $2, $3, $4, $5, $6, 0, 1975, 0, 0, 0, 0, 'Kinh', 'Không', 'Đại học', 'Cao cấp', 90, 9000, 1)",
                &[Value::Int(id), unit.into(), body.into(), alternate.into(), Value::Int(person), format!("Người số {person}").into()],
            )?;
        }
        tx.execute(
            "INSERT INTO congresses (unit_code, package_id, name, closed_on, reported_on, status, status_on)
             VALUES ($1, $2, 'Đại hội', $3, $4, 'reported', $4)
             ON CONFLICT (unit_code) DO UPDATE SET package_id = $2, closed_on = $3, reported_on = $4, status = 'reported', status_on = $4",
            &[unit.into(), Value::Int(id), closed_on.to_string().into(), reported_on.to_string().into()],
        )?;
        Ok(id)
    })
    .expect("store a package")
}

fn conflict(e: AppError) -> String {
    match e {
        AppError::Conflict(m) => m,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

fn deadline(view: &workflow::CongressView, kind: DeadlineKind) -> &workflow::DeadlineView {
    view.deadlines.iter().find(|d| d.kind == kind).expect("deadline")
}

#[test]
fn aggregator_deadlines_across_tet_2026() {
    for backend in backends() {
        let dir = tempfile::tempdir().expect("dir");
        let (db, _url) = fresh_db(backend, dir.path());
        seed_units(&db);
        let admin = Actor::cli();
        // Closed Tuesday 10/2/2026. Working days after it: Wed 11/2 (1), Thu 12/2 (2), Fri 13/2 (3);
        // Sat 14/2 – Sun 22/2 are Tết; Mon 23/2 (4), Tue 24/2 (5), Wed 25/2 (6), Thu 26/2 (7).
        workflow::mark_held(&db, &admin, "01.001.0001", date(2026, 2, 10), date(2026, 2, 11)).expect("held");
        let view = workflow::congress_view(&db, &admin, "01.001.0001", date(2026, 2, 12)).expect("view");
        assert_eq!(view.status, Status::Held);
        let due = deadline(&view, DeadlineKind::Report);
        assert_eq!(due.due, "2026-02-26");
        assert_eq!(due.due_vn, "26/02/2026");
        assert_eq!(due.urgency, Some(Urgency::OnTime));
        // Complaint window, 15 working days: … Thu 26/2 (7), Fri 27/2 (8), Mon 2/3 – Fri 6/3 (9–13),
        // Mon 9/3 (14), Tue 10/3 (15).
        assert_eq!(deadline(&view, DeadlineKind::ComplaintWindow).due, "2026-03-10");
        // Tue 24/2: two working days later is Thu 26/2, so it is due soon; Fri 27/2 it is late.
        let soon = workflow::alerts(&db, &admin, date(2026, 2, 24)).expect("alerts");
        assert_eq!(soon.len(), 1);
        assert_eq!(
            (soon[0].kind, soon[0].urgency, soon[0].urgency_label),
            (DeadlineKind::Report, Urgency::DueSoon, "sắp đến hạn")
        );
        let late = workflow::alerts(&db, &admin, date(2026, 2, 27)).expect("alerts");
        assert_eq!((late[0].urgency, late[0].urgency_label), (Urgency::Overdue, "quá hạn"));
        assert!(workflow::alerts(&db, &admin, date(2026, 2, 13)).expect("alerts").is_empty());
        // The report arrives on 26/2: the approval is due 15 working days later, Thu 19/3.
        report(&db, "01.001.0001", date(2026, 2, 10), date(2026, 2, 26), 1);
        let view = workflow::congress_view(&db, &admin, "01.001.0001", date(2026, 2, 27)).expect("view");
        assert_eq!(view.status, Status::Reported);
        assert_eq!(deadline(&view, DeadlineKind::Report).done_on.as_deref(), Some("2026-02-26"));
        assert_eq!(deadline(&view, DeadlineKind::Report).urgency, None);
        assert_eq!(deadline(&view, DeadlineKind::Approval).due, "2026-03-19");
        let alerts = workflow::alerts(&db, &admin, date(2026, 3, 18)).expect("alerts");
        assert_eq!(
            alerts.iter().map(|a| (a.kind, a.urgency)).collect::<Vec<_>>(),
            [(DeadlineKind::Approval, Urgency::DueSoon)]
        );
    }
}

#[test]
fn aggregator_edited_holiday_moves_a_deadline() {
    for backend in backends() {
        let dir = tempfile::tempdir().expect("dir");
        let (db, _url) = fresh_db(backend, dir.path());
        seed_units(&db);
        let admin = Actor::cli();
        // Closed Monday 23/11/2026: 7 working days → Wednesday 2/12/2026.
        workflow::mark_held(&db, &admin, "01.001.0001", date(2026, 11, 23), date(2026, 11, 23))
            .expect("held");
        let due = |db: &AggDb| {
            let v = workflow::congress_view(db, &admin, "01.001.0001", date(2026, 11, 24)).expect("view");
            deadline(&v, DeadlineKind::Report).due.clone()
        };
        assert_eq!(due(&db), "2026-12-02");
        workflow::put_holiday(&db, &admin, "2026-11-25", "Ngày nghỉ thử").expect("add");
        assert_eq!(due(&db), "2026-12-03");
        workflow::put_holiday(&db, &admin, "2026-11-25", "Ngày nghỉ thử (đổi tên)").expect("rename");
        let listed = workflow::holidays(&db, &admin).expect("list");
        assert!(listed.iter().any(|h| h.day == "2026-11-25" && h.name == "Ngày nghỉ thử (đổi tên)"));
        assert!(listed.iter().any(|h| h.day == "2026-02-17"), "Tết 2026 preloaded");
        workflow::remove_holiday(&db, &admin, "2026-11-25").expect("remove");
        assert_eq!(due(&db), "2026-12-02");
        // A preloaded holiday removed stays removed.
        workflow::remove_holiday(&db, &admin, "2026-09-01").expect("remove preloaded");
        assert!(!workflow::holidays(&db, &admin).expect("list").iter().any(|h| h.day == "2026-09-01"));
        // A viewer may not edit the calendar; a bad date is refused.
        let viewer = Actor { username: "xem".into(), role: Role::Viewer, area: None, area_path: None };
        assert!(matches!(workflow::put_holiday(&db, &viewer, "2026-11-26", "x"), Err(AppError::Forbidden)));
        assert!(matches!(workflow::put_holiday(&db, &admin, "2026-13-01", "x"), Err(AppError::Invalid(_))));
        // The deadline settings move it too.
        let mut d = workflow::deadlines(&db).expect("deadlines");
        d.report_days = 5;
        workflow::set_deadlines(&db, &admin, d).expect("set");
        assert_eq!(due(&db), "2026-11-30");
        let actions: Vec<String> =
            audit::latest(&db, &admin, 20).expect("log").into_iter().map(|e| e.action).collect();
        for a in ["holiday.add", "holiday.rename", "holiday.remove", "settings.deadlines"] {
            assert!(actions.iter().any(|x| x == a), "{a} audited");
        }
    }
}

#[test]
fn aggregator_pending_complaint_blocks_approval() {
    for backend in backends() {
        let dir = tempfile::tempdir().expect("dir");
        let (db, _url) = fresh_db(backend, dir.path());
        seed_units(&db);
        let admin = Actor::cli();
        let unit = "01.001.0001";
        report(&db, unit, date(2026, 11, 2), date(2026, 11, 6), 1);
        let inspection =
            Actor { username: "ubkt".into(), role: Role::Inspection, area: None, area_path: None };
        let logged = complaints::log(
            &db,
            &inspection,
            unit,
            NewComplaint {
                received_on: date(2026, 11, 9),
                complainant: "Đảng viên Trần Văn B".into(),
                about: About::Body(Body::Committee),
                summary: "Phiếu bầu Ban Chấp hành bị đếm sai.".into(),
            },
            date(2026, 11, 9),
        )
        .expect("log");
        assert!(!logged.late);
        let today = date(2026, 11, 10);
        let refused =
            conflict(workflow::approve_body(&db, &admin, unit, "committee", today).expect_err("blocked"));
        assert!(refused.contains(&format!("khiếu nại số {}", logged.id)), "{refused}");
        assert!(refused.contains("Đảng viên Trần Văn B"), "{refused}");
        // A complaint about the committee does not block the secretary.
        assert_eq!(
            workflow::approve_body(&db, &admin, unit, "secretary", today).expect("secretary"),
            Status::Reported
        );
        // The inspection may not approve; staff may not record the outcome.
        assert!(matches!(
            workflow::approve_body(&db, &inspection, unit, "committee", today),
            Err(AppError::Forbidden)
        ));
        let staff = Actor { username: "cb".into(), role: Role::Staff, area: None, area_path: None };
        assert!(matches!(
            complaints::close(&db, &staff, logged.id, Outcome::Dismissed, "x", today, today),
            Err(AppError::Forbidden)
        ));
        complaints::assign_verifier(&db, &inspection, logged.id, "Đồng chí Lê Thị C").expect("verifier");
        complaints::close(
            &db,
            &inspection,
            logged.id,
            Outcome::Dismissed,
            "Kiểm tra lại: đếm đúng.",
            today,
            today,
        )
        .expect("close");
        assert_eq!(
            workflow::approve_body(&db, &admin, unit, "committee", today).expect("approve"),
            Status::Reported
        );
        assert_eq!(
            workflow::approve_body(&db, &admin, unit, "standing_committee", today).expect("approve"),
            Status::Approved
        );
        let view = workflow::congress_view(&db, &admin, unit, today).expect("view");
        assert_eq!(view.status, Status::Approved);
        assert!(view.bodies.iter().filter(|b| b.approvable).all(|b| b.state == BodyState::Approved));
        assert_eq!(view.complaints.len(), 1);
        assert_eq!(
            (view.complaints[0].status.as_str(), view.complaints[0].verifier.as_deref()),
            ("dismissed", Some("Đồng chí Lê Thị C"))
        );
        assert!(deadline(&view, DeadlineKind::Approval).done_on.is_some());
        // Delegates are not approved by the superior; a second decision is refused.
        assert!(matches!(
            workflow::approve_body(&db, &admin, unit, "delegates", today),
            Err(AppError::Invalid(_))
        ));
        conflict(workflow::approve_body(&db, &admin, unit, "committee", today).expect_err("twice"));

        // A whole-congress complaint received after the window is logged, marked late, and blocks.
        let other = "01.002.0001";
        report(&db, other, date(2026, 11, 2), date(2026, 11, 6), 1);
        let late = complaints::log(
            &db,
            &staff,
            other,
            NewComplaint {
                received_on: date(2026, 11, 24),
                complainant: "Ông D".into(),
                about: About::Congress,
                summary: "Khiếu nại muộn.".into(),
            },
            date(2026, 11, 24),
        )
        .expect("late complaint logged");
        // Closed Mon 2/11: the 15th working day after is Mon 23/11.
        assert!(late.late);
        assert_eq!(late.window_ends, date(2026, 11, 23));
        let view = workflow::congress_view(&db, &admin, other, date(2026, 11, 24)).expect("view");
        assert!(view.complaints[0].late);
        let msg = conflict(
            workflow::approve_body(&db, &admin, other, "secretary", date(2026, 11, 24)).expect_err("blocked"),
        );
        assert!(msg.contains("toàn bộ đại hội"), "{msg}");
    }
}

#[test]
fn aggregator_refused_person_and_body() {
    for backend in backends() {
        let dir = tempfile::tempdir().expect("dir");
        let (db, _url) = fresh_db(backend, dir.path());
        seed_units(&db);
        let admin = Actor::cli();
        let unit = "01.001.0001";
        let today = date(2026, 11, 10);
        report(&db, unit, date(2026, 11, 2), date(2026, 11, 6), 1);
        assert!(matches!(
            workflow::refuse(&db, &admin, unit, "committee", Some(3), " ", today),
            Err(AppError::Invalid(_))
        ));
        assert!(matches!(
            workflow::refuse(&db, &admin, unit, "committee", Some(9), "Không đủ tiêu chuẩn.", today),
            Err(AppError::Invalid(_))
        ));
        let s = workflow::refuse(&db, &admin, unit, "committee", Some(3), "Không đủ tiêu chuẩn.", today)
            .expect("refuse");
        assert_eq!(s, Status::ApprovalRefused);
        assert_eq!(
            workflow::approve_body(&db, &admin, unit, "committee", today).expect("rest"),
            Status::ApprovalRefused
        );
        let s = workflow::refuse(&db, &admin, unit, "standing_committee", None, "Cơ cấu không đúng.", today)
            .expect("refuse body");
        assert_eq!(s, Status::ApprovalRefused);
        let view = workflow::congress_view(&db, &admin, unit, today).expect("view");
        assert_eq!(view.status, Status::ApprovalRefused);
        let committee = view.bodies.iter().find(|b| b.body == "committee").expect("committee");
        assert_eq!(committee.elected.iter().filter(|e| e.refused).map(|e| e.person).collect::<Vec<_>>(), [3]);
        assert_eq!(
            view.bodies.iter().find(|b| b.body == "standing_committee").expect("sc").state,
            BodyState::Refused
        );
        assert_eq!(view.decisions.len(), 3);
        assert!(view.decisions.iter().any(|d| d.person == Some(3)
            && !d.approved
            && d.reason.as_deref() == Some("Không đủ tiêu chuẩn.")));

        // A superseding package starts the decisions again; the old ones stay as history.
        report(&db, unit, date(2026, 11, 2), date(2026, 11, 12), 2);
        let view = workflow::congress_view(&db, &admin, unit, date(2026, 11, 12)).expect("view");
        assert_eq!(view.status, Status::Reported);
        assert!(view.decisions.iter().all(|d| !d.current));
        assert_eq!(view.packages.len(), 2);
        assert!(view.packages[0].current && view.packages[0].version == 2);
        assert!(view.bodies.iter().filter(|b| b.approvable).all(|b| b.state == BodyState::Pending));
    }
}

#[test]
fn aggregator_annulment_and_rerun() {
    for backend in backends() {
        let dir = tempfile::tempdir().expect("dir");
        let (db, _url) = fresh_db(backend, dir.path());
        seed_units(&db);
        let admin = Actor::cli();
        let unit = "01.001.0001";
        let today = date(2026, 11, 10);
        // Nothing to annul before the congress is held.
        conflict(workflow::annul(&db, &admin, unit, None, "Vi phạm quy chế.", today).expect_err("not held"));
        report(&db, unit, date(2026, 11, 2), date(2026, 11, 6), 1);
        // One body annulled: it can no longer be approved; the others can.
        workflow::annul(&db, &admin, unit, Some("standing_committee"), "Bầu sai số lượng.", today)
            .expect("annul body");
        conflict(
            workflow::approve_body(&db, &admin, unit, "standing_committee", today).expect_err("annulled"),
        );
        let view = workflow::congress_view(&db, &admin, unit, today).expect("view");
        assert_eq!(
            view.bodies.iter().find(|b| b.body == "standing_committee").expect("sc").state,
            BodyState::Annulled
        );
        // The whole congress annulled: no decision any more, re-run marked held again.
        assert_eq!(
            workflow::annul(&db, &admin, unit, None, "Vi phạm nghiêm trọng quy chế bầu cử.", today)
                .expect("annul"),
            Status::Annulled
        );
        conflict(workflow::approve_body(&db, &admin, unit, "committee", today).expect_err("annulled"));
        conflict(workflow::annul(&db, &admin, unit, None, "Lần nữa.", today).expect_err("twice"));
        let view = workflow::congress_view(&db, &admin, unit, today).expect("view");
        assert_eq!((view.status, view.annulments.len()), (Status::Annulled, 2));
        assert!(view.deadlines.is_empty());
        workflow::mark_held(&db, &admin, unit, date(2026, 11, 20), date(2026, 11, 20)).expect("re-run");
        let view = workflow::congress_view(&db, &admin, unit, date(2026, 11, 20)).expect("view");
        assert_eq!(
            (view.status, view.closed_on.as_deref(), view.reported_on.as_deref()),
            (Status::Held, Some("2026-11-20"), None)
        );
        // A held congress with a report pending may not be marked held over a reported one.
        report(&db, unit, date(2026, 11, 20), date(2026, 11, 23), 2);
        conflict(
            workflow::mark_held(&db, &admin, unit, date(2026, 11, 20), date(2026, 11, 23))
                .expect_err("reported"),
        );
        assert!(matches!(
            workflow::mark_held(&db, &admin, "01.002.0001", date(2026, 12, 1), date(2026, 11, 23)),
            Err(AppError::Invalid(_))
        ));
    }
}

#[test]
fn aggregator_district_account_cannot_see_or_change_another_district() {
    for backend in backends() {
        let dir = tempfile::tempdir().expect("dir");
        let (db, _url) = fresh_db(backend, dir.path());
        seed_units(&db);
        let admin = Actor::cli();
        let now = jiff::Timestamp::from_second(noon(date(2026, 11, 10))).expect("now");
        for (username, role, area) in
            [("cb.mot", Role::Staff, "01.001"), ("kt.mot", Role::Inspection, "01.001")]
        {
            let user = NewUser {
                username: username.into(),
                full_name: "Cán bộ huyện Một".into(),
                role,
                area: Some(area.into()),
                password: PASSWORD.into(),
            };
            accounts::create_user(&db, &admin, user, now).expect("create");
        }
        let duplicate = NewUser {
            username: "CB.MOT".into(),
            full_name: "Trùng".into(),
            role: Role::Viewer,
            area: None,
            password: PASSWORD.into(),
        };
        assert!(matches!(accounts::create_user(&db, &admin, duplicate, now), Err(AppError::Invalid(_))));
        let throttle = LoginThrottle::default();
        assert!(matches!(
            accounts::login(&db, &throttle, "cb.mot", "sai mật khẩu", now),
            Err(AppError::Invalid(_))
        ));
        let login = accounts::login(&db, &throttle, "cb.mot", PASSWORD, now).expect("login");
        let session = accounts::actor_for_session(&db, &login.token, now).expect("session");
        assert_eq!(session.csrf, login.csrf);
        let staff = session.actor;
        assert_eq!(
            (staff.role, staff.area.as_deref(), staff.area_path.as_deref()),
            (Role::Staff, Some("01.001"), Some("01/01.001/"))
        );
        // Sessions expire after 8 hours, and end on logout.
        let later = jiff::Timestamp::from_second(now.as_second() + 8 * 3600 + 1).expect("later");
        assert!(matches!(
            accounts::actor_for_session(&db, &login.token, later),
            Err(AppError::Unauthenticated)
        ));
        accounts::logout(&db, &login.token).expect("logout");
        assert!(matches!(
            accounts::actor_for_session(&db, &login.token, now),
            Err(AppError::Unauthenticated)
        ));

        let today = date(2026, 11, 10);
        report(&db, "01.001.0001", date(2026, 11, 2), date(2026, 11, 3), 1);
        report(&db, "01.002.0001", date(2026, 11, 2), date(2026, 11, 3), 1);
        // Its own district: seen, approved.
        assert!(workflow::congress_view(&db, &staff, "01.001.0001", today).is_ok());
        workflow::approve_body(&db, &staff, "01.001.0001", "secretary", today).expect("own district");
        // The other district: not seen, not changed, no complaint, no alert.
        assert!(matches!(
            workflow::congress_view(&db, &staff, "01.002.0001", today),
            Err(AppError::NotFound(_))
        ));
        assert!(matches!(
            workflow::approve_body(&db, &staff, "01.002.0001", "secretary", today),
            Err(AppError::NotFound(_))
        ));
        assert!(matches!(
            workflow::annul(&db, &staff, "01.002.0001", None, "x", today),
            Err(AppError::NotFound(_))
        ));
        assert!(matches!(
            workflow::mark_held(&db, &staff, "01.002", today, today),
            Err(AppError::NotFound(_))
        ));
        let inspector = Actor {
            username: "kt.mot".into(),
            role: Role::Inspection,
            area: Some("01.001".into()),
            area_path: Some("01/01.001/".into()),
        };
        let complaint = NewComplaint {
            received_on: today,
            complainant: "Ông E".into(),
            about: About::Congress,
            summary: "Khiếu nại.".into(),
        };
        assert!(matches!(
            complaints::log(&db, &inspector, "01.002.0001", complaint.clone(), today),
            Err(AppError::NotFound(_))
        ));
        let own =
            complaints::log(&db, &inspector, "01.001.0001", complaint.clone(), today).expect("own district");
        let theirs = complaints::log(&db, &admin, "01.002.0001", complaint, today).expect("admin");
        assert!(matches!(
            complaints::assign_verifier(&db, &inspector, theirs.id, "X"),
            Err(AppError::NotFound(_))
        ));
        assert!(complaints::assign_verifier(&db, &inspector, own.id, "Y").is_ok());
        assert_eq!(
            complaints::pending(&db, &inspector).expect("pending").iter().map(|c| c.id).collect::<Vec<_>>(),
            [own.id]
        );
        // Past the approval deadline (3/11 + 15 working days = 24/11), each sees only its own alerts.
        let late = date(2026, 11, 25);
        let mine = workflow::alerts(&db, &staff, late).expect("alerts");
        assert_eq!(mine.iter().map(|a| a.unit_code.as_str()).collect::<Vec<_>>(), ["01.001.0001"]);
        assert_eq!(workflow::alerts(&db, &admin, late).expect("alerts").len(), 2);
        // A district administrator creates accounts only inside its district.
        let district_admin = Actor {
            username: "qt.mot".into(),
            role: Role::Admin,
            area: Some("01.001".into()),
            area_path: Some("01/01.001/".into()),
        };
        let outside = NewUser {
            username: "x".into(),
            full_name: "X".into(),
            role: Role::Viewer,
            area: Some("01.002".into()),
            password: PASSWORD.into(),
        };
        assert!(matches!(
            accounts::create_user(&db, &district_admin, outside, now),
            Err(AppError::Invalid(_))
        ));
        let names: Vec<String> = accounts::list_users(&db, &district_admin)
            .expect("users")
            .into_iter()
            .map(|u| u.username)
            .collect();
        assert_eq!(names, ["cb.mot", "kt.mot"]);
        let wildcard = Actor {
            username: "qt.ba".into(),
            role: Role::Admin,
            area: Some("01.0_1".into()),
            area_path: Some("01/01.0_1/".into()),
        };
        assert!(accounts::list_users(&db, &wildcard).expect("users").is_empty());
        assert!(complaints::pending(&db, &wildcard).expect("pending").is_empty());
        assert!(workflow::alerts(&db, &wildcard, late).expect("alerts").is_empty());
        assert!(matches!(
            workflow::congress_view(&db, &wildcard, "01.001.0001", today),
            Err(AppError::NotFound(_))
        ));
    }
}

#[test]
fn aggregator_login_is_throttled_per_username() {
    for backend in backends() {
        let dir = tempfile::tempdir().expect("dir");
        let (db, _url) = fresh_db(backend, dir.path());
        seed_units(&db);
        let now = jiff::Timestamp::from_second(noon(date(2026, 11, 10))).expect("now");
        let user = NewUser {
            username: "xem".into(),
            full_name: "Người xem".into(),
            role: Role::Viewer,
            area: None,
            password: PASSWORD.into(),
        };
        accounts::create_user(&db, &Actor::cli(), user, now).expect("create");
        let throttle = LoginThrottle::default();
        for _ in 0..accounts::FREE_FAILURES {
            assert!(matches!(accounts::login(&db, &throttle, "xem", "sai", now), Err(AppError::Invalid(_))));
        }
        // Past the free failures even the right password waits.
        assert!(matches!(accounts::login(&db, &throttle, "xem", PASSWORD, now), Err(AppError::RateLimited)));
        let after = jiff::Timestamp::from_second(now.as_second() + 2).expect("after");
        assert!(accounts::login(&db, &throttle, "xem", PASSWORD, after).is_ok());
        // Another name is not held back.
        assert!(matches!(accounts::login(&db, &throttle, "khac", "sai", now), Err(AppError::Invalid(_))));
    }
}

#[test]
fn aggregator_audit_chain_verifies_and_detects_a_changed_row() {
    for backend in backends() {
        let dir = tempfile::tempdir().expect("dir");
        let (db, _url) = fresh_db(backend, dir.path());
        seed_units(&db);
        let admin = Actor::cli();
        let today = date(2026, 11, 10);
        report(&db, "01.001.0001", date(2026, 11, 2), date(2026, 11, 3), 1);
        workflow::approve_body(&db, &admin, "01.001.0001", "secretary", today).expect("approve");
        workflow::refuse(&db, &admin, "01.001.0001", "committee", Some(2), "Lý do.", today).expect("refuse");
        workflow::put_holiday(&db, &admin, "2026-12-24", "Nghỉ thử").expect("holiday");
        let chain = audit::verify(&db).expect("verify");
        assert!(chain.entries >= 4, "{chain:?}");
        assert!(chain.result().is_ok(), "{}", chain.message());
        assert_eq!(chain.head.len(), 64);
        // A refused action leaves no entry.
        conflict(workflow::approve_body(&db, &admin, "01.001.0001", "secretary", today).expect_err("twice"));
        assert_eq!(audit::verify(&db).expect("verify").entries, chain.entries);
        db.write(|tx| tx.execute("UPDATE audit SET detail = '{}' WHERE seq = 2", &[])).expect("tamper");
        let broken = audit::verify(&db).expect("verify");
        let b = broken.result().expect_err("broken");
        assert_eq!((b.seq, b.reason), (2, audit::BreakReason::HashMismatch));
        assert!(broken.message().contains("mục số 2"), "{}", broken.message());
    }
}

#[test]
fn aggregator_workflow_on_imported_packages() {
    use baucu_aggregator::import::{self, VerdictKind};
    use support::aggregator::{digest, package, standard_units};
    for backend in backends() {
        let dir = tempfile::tempdir().expect("dir");
        let (db, _url) = fresh_db(backend, dir.path());
        let admin = Actor::cli();
        baucu_aggregator::units::import_workbook(&db, &admin, &standard_units(), "units.xlsx")
            .expect("units");
        let unit = "01.001.01";
        // Closed Tuesday 20/5/2025, received Thursday 22/5.
        let received = jiff::Timestamp::from_second(noon(date(2025, 5, 22))).expect("time");
        let v1 = package(unit, 1, None, 0, 1);
        let verdicts = import::import_files_at(&db, &admin, vec![("v1.baucu".into(), v1.clone())], received);
        assert_eq!(verdicts[0].kind, VerdictKind::Imported, "{}", verdicts[0].message);
        let today = date(2025, 5, 23);
        let view = workflow::congress_view(&db, &admin, unit, today).expect("view");
        assert_eq!(view.status, Status::Reported);
        // 20/5 + 7 working days = Thu 29/5; 22/5 + 15 = Thu 12/6 (no holiday in between).
        assert_eq!(deadline(&view, DeadlineKind::Report).due, "2025-05-29");
        assert_eq!(deadline(&view, DeadlineKind::Report).done_on.as_deref(), Some("2025-05-22"));
        assert_eq!(deadline(&view, DeadlineKind::Approval).due, "2025-06-12");
        let committee = view.bodies.iter().find(|b| b.body == "committee").expect("committee");
        assert_eq!(committee.elected.iter().map(|e| e.person).collect::<Vec<_>>(), [1, 2]);
        let logged = complaints::log(
            &db,
            &admin,
            unit,
            NewComplaint {
                received_on: today,
                complainant: "Đảng viên Phạm Văn G".into(),
                about: About::Person(Body::Committee, 2),
                summary: "Khai lý lịch chưa đúng.".into(),
            },
            today,
        )
        .expect("log");
        let view = workflow::congress_view(&db, &admin, unit, today).expect("view");
        assert_eq!(view.complaints[0].about_label, "Trần Thị Bình (Ban Chấp hành)");
        let msg =
            conflict(workflow::approve_body(&db, &admin, unit, "committee", today).expect_err("blocked"));
        assert!(msg.contains(&format!("khiếu nại số {}", logged.id)), "{msg}");
        complaints::close(
            &db,
            &admin,
            logged.id,
            Outcome::Withdrawn,
            "Người khiếu nại rút đơn.",
            today,
            today,
        )
        .expect("close");
        assert_eq!(
            workflow::approve_body(&db, &admin, unit, "committee", today).expect("approve"),
            Status::Approved
        );
        // A superseding version puts the congress back to "reported"; the decision stays as history.
        let v2 = package(unit, 2, Some((1, &digest(&v1))), 1, 1);
        let later = jiff::Timestamp::from_second(noon(date(2025, 5, 26))).expect("time");
        let verdicts = import::import_files_at(&db, &admin, vec![("v2.baucu".into(), v2)], later);
        assert_eq!(verdicts[0].kind, VerdictKind::Imported, "{}", verdicts[0].message);
        let view = workflow::congress_view(&db, &admin, unit, date(2025, 5, 26)).expect("view");
        assert_eq!(view.status, Status::Reported);
        assert_eq!(view.decisions.len(), 1);
        assert!(!view.decisions[0].current);
        assert_eq!(
            view.packages.iter().map(|p| (p.version, p.current)).collect::<Vec<_>>(),
            [(2, true), (1, false)]
        );
        assert!(audit::verify(&db).expect("verify").result().is_ok());
    }
}
