//! The first plenum of the new committee as an assembly of its own (issue 11, "Assemblies as data"),
//! through the real node over HTTP: summoned in one step from the committee's decided result, its own
//! sitting and check-in (one member absent), its own base; the standing committee's list approved
//! against the plenum's present and refused above it; its ballot and minutes headed by the plenum
//! ("Hội nghị lần thứ nhất Ban Chấp hành … khóa …") with the plenum's base, not the congress's.

mod support;

use serde_json::{Value, json};
use std::path::Path;
use support::{Client, SMALL_PASSWORD, count_and_close, pdf_text};

const CONGRESS_SIZE: usize = 30;
const COMMITTEE_SEATS: usize = 9;
const PLENUM_HEADING: &str = "Hội nghị lần thứ nhất Ban Chấp hành Đảng bộ xã Thượng Kiệm khóa XXVI";

fn login(server: &support::Server, user: &str) -> Client {
    Client::login(&server.addr, user, SMALL_PASSWORD)
}

struct Congress {
    server: support::Server,
    people: Vec<Value>,
    /// The committee's members as its result elected them.
    members: Vec<Value>,
}

/// A members' congress of 30, all present at its sitting (B = 30), whose committee of 9 is elected
/// from a list of 10 (every ballot strikes the tenth name) and the round closed.
fn congress_with_committee(data: &Path) -> Congress {
    support::add_small_accounts(data, &support::baucu);
    let server = support::start(data, false);
    let org = login(&server, "org");
    org.call(
        "PUT",
        "/api/congress",
        Some(&json!({ "name": "Đại hội Đảng bộ xã Thượng Kiệm lần thứ XXVI",
            "organisation": "Đảng bộ xã Thượng Kiệm", "level": "grassroots",
            "assembly_kind": "members_congress", "term": "2025–2030", "opens_on": "20/05/2025" })),
    );
    let names: Vec<String> = (0..CONGRESS_SIZE).map(|i| format!("Ngô Văn Số {}", i + 1)).collect();
    let people = support::roster_present(&org, &names);
    let committee = org.post(
        "/api/elections",
        json!({ "body": "committee", "seats": COMMITTEE_SEATS.to_string(),
            "seats_for": CONGRESS_SIZE.to_string(), "seats_against": "0" }),
    )["id"]
        .as_i64()
        .expect("election");
    for p in &people[..=COMMITTEE_SEATS] {
        org.post(
            &format!("/api/elections/{committee}/candidates"),
            json!({ "person_id": p["id"], "source": "convening" }),
        );
    }
    let pres = login(&server, "pres");
    let approval = pres.post(
        &format!("/api/elections/{committee}/approval"),
        json!({ "in_favour": CONGRESS_SIZE, "against": 0 }),
    );
    assert_eq!(approval["passed"], true, "{approval}");
    let round =
        pres.post(&format!("/api/elections/{committee}/rounds"), json!({ "entries_per_stack": 2 }))["id"]
            .as_i64()
            .expect("round");
    let strike_last = format!("x:{}", COMMITTEE_SEATS + 1);
    let result = count_and_close(&server, round, &vec![strike_last.as_str(); CONGRESS_SIZE], "committee-1");
    assert_eq!(result["next_step"], "complete", "{result}");
    let elected: Vec<Value> =
        login(&server, "head").get(&format!("/api/rounds/{round}"))["round"]["candidate_ids"]
            .as_array()
            .expect("ids")[..COMMITTEE_SEATS]
            .to_vec();
    let members = people.iter().filter(|p| elected.contains(&p["id"])).cloned().collect();
    Congress { server, people, members }
}

fn error_message(v: &Value) -> String {
    v["error"]["message"].as_str().unwrap_or_default().to_owned()
}

#[test]
fn first_plenum_own_attendance_base_approval_and_headings() {
    let dir = tempfile::tempdir().expect("temp");
    let Congress { server, people, members } = congress_with_committee(&dir.path().join("data"));
    assert_eq!(members.len(), COMMITTEE_SEATS);
    let org = login(&server, "org");
    let pres = login(&server, "pres");

    // The standing committee is elected at the plenum: before the plenum is summoned, its list
    // cannot be approved against anyone's attendance (never the congress's 30).
    let standing = org.post(
        "/api/elections",
        json!({ "body": "standing_committee", "seats": "3", "seats_for": "8", "seats_against": "0" }),
    )["id"]
        .as_i64()
        .expect("election");
    for p in &members[..4] {
        org.post(
            &format!("/api/elections/{standing}/candidates"),
            json!({ "person_id": p["id"], "source": "convening" }),
        );
    }
    let approval = format!("/api/elections/{standing}/approval");
    let (status, reply) =
        pres.try_call("POST", &approval, Some(&json!({ "in_favour": 20, "against": 0 }))).expect("request");
    assert_eq!(status, 409, "{reply}");
    assert!(error_message(&reply).contains("Chưa triệu tập hội nghị"), "{reply}");

    // Summoned in one step from the committee's result; the plenum's own sitting.
    let sitting =
        org.post("/api/plenums", json!({ "body": "committee" }))["sitting_id"].as_i64().expect("sitting");
    let (status, reply) =
        org.try_call("POST", "/api/plenums", Some(&json!({ "body": "committee" }))).expect("request");
    assert_eq!(status, 409, "summoned once: {reply}");
    let (status, reply) = org
        .try_call("POST", "/api/plenums", Some(&json!({ "body": "inspection_committee" })))
        .expect("request");
    assert_eq!(status, 409, "no inspection committee elected yet: {reply}");
    assert!(error_message(&reply).contains("Chưa có kết quả bầu ủy ban kiểm tra"), "{reply}");

    // Only members may be checked in; all but the last one are.
    let outsider = people.iter().find(|p| !members.contains(p)).expect("someone not elected");
    let (status, reply) = org
        .try_call(
            "POST",
            "/api/attendance/check-in",
            Some(&json!({ "sitting_id": sitting, "person_id": outsider["id"], "present": true })),
        )
        .expect("request");
    assert_eq!(status, 422, "{reply}");
    assert!(error_message(&reply).contains("không phải ủy viên ban chấp hành vừa được bầu"), "{reply}");
    for p in &members[..COMMITTEE_SEATS - 1] {
        org.post(
            "/api/attendance/check-in",
            json!({ "sitting_id": sitting, "person_id": p["id"], "present": true }),
        );
    }
    let plenum = org.get(&format!("/api/attendance?sitting={sitting}"));
    assert_eq!(plenum["assembly"], "plenum:committee", "{plenum}");
    assert_eq!(plenum["sitting"]["name"], PLENUM_HEADING);
    assert_eq!(plenum["rows"].as_array().expect("rows").len(), COMMITTEE_SEATS, "only the members");
    let report = &plenum["report"];
    assert_eq!(report["assembly_kind"], "plenum", "{report}");
    assert_eq!(
        (&report["summoned"], &report["present"], &report["absent"], &report["base"], &report["threshold"]),
        (&json!(9), &json!(8), &json!(1), &json!(9), &json!(5)),
        "{report}"
    );
    assert_eq!(report["lines"][0]["label"], "Tổng số ủy viên được triệu tập");
    // The congress's attendance is untouched by the plenum's.
    let congress = org.get("/api/attendance");
    assert_eq!(congress["assembly"], "congress");
    assert_eq!((&congress["report"]["summoned"], &congress["report"]["present"]), (&json!(30), &json!(30)));
    // The page shows the plenum's lines.
    let (status, page) = org.download(&format!("/attendance?sitting={sitting}"));
    let page = String::from_utf8_lossy(&page);
    assert_eq!(status, 200);
    assert!(page.contains("Tổng số ủy viên được triệu tập") && page.contains(PLENUM_HEADING), "{page}");

    // The list is approved against the plenum's 8 present: 9 is refused, 8 passes.
    let detail = org.get(&format!("/api/elections/{standing}"));
    assert_eq!(detail["present"], 8, "{detail}");
    let (status, reply) =
        pres.try_call("POST", &approval, Some(&json!({ "in_favour": 9, "against": 0 }))).expect("request");
    assert_eq!(status, 422, "{reply}");
    assert!(error_message(&reply).contains("vượt số có mặt (8)"), "{reply}");
    let passed = pres.post(&approval, json!({ "in_favour": 8, "against": 0 }));
    assert_eq!(passed["passed"], true, "{passed}");

    // The round takes the plenum's assembly: 9 summoned, 8 present, B = 9.
    let round =
        pres.post(&format!("/api/elections/{standing}/rounds"), json!({ "entries_per_stack": 2 }))["id"]
            .as_i64()
            .expect("round");
    let head = login(&server, "head");
    let view = head.get(&format!("/api/rounds/{round}"))["round"].clone();
    assert_eq!(view["assembly"]["type"], "plenum");
    assert_eq!(
        (&view["assembly"]["summoned"], &view["assembly"]["present"], &view["base"]),
        (&json!(9), &json!(8), &json!(9))
    );

    // The ballot is headed by the plenum, with the term.
    let (status, pdf) = head.download(&format!("/rounds/{round}/files/phieu-bau.pdf"));
    assert_eq!(status, 200);
    let ballot = pdf_text(&pdf, dir.path(), "ballot.pdf");
    assert!(ballot.contains(PLENUM_HEADING) && ballot.contains("2025–2030"), "{ballot}");
    assert!(!ballot.contains("Đại hội Đảng bộ"), "{ballot}");

    // Eight ballots striking the fourth name: the minutes state the plenum, its 9 and its B.
    let result = count_and_close(&server, round, &["x:4"; 8], "standing-1");
    assert_eq!(result["next_step"], "complete", "{result}");
    let (status, pdf) = head.download(&format!("/rounds/{round}/files/bien-ban.pdf"));
    assert_eq!(status, 200);
    let minutes = pdf_text(&pdf, dir.path(), "minutes.pdf");
    assert!(minutes.contains(&format!("Hội nghị: {PLENUM_HEADING}, nhiệm kỳ 2025–2030")), "{minutes}");
    assert!(minutes.contains("Tổng số ủy viên được triệu tập 9"), "{minutes}");
    assert!(minutes.contains("Số ủy viên có mặt 8 Số ủy viên vắng mặt 1"), "{minutes}");
    assert!(minutes.contains("Số làm căn cứ tính kết quả bầu cử 9"), "{minutes}");
    assert!(!minutes.contains("Tổng số đảng viên chính thức"), "nothing of the congress: {minutes}");
}

/// The first meeting of the new inspection committee (rules.md § 2: "the inspection committee itself
/// elects its deputy chair"): the committee's first plenum elects the inspection committee of 3; the
/// inspection committee is summoned in one step from that result, two of its three check in; its
/// deputy chair's list is drawn from its members only and approved against its 2 present; the round's
/// base is its 3 members; ballot and minutes headed "Hội nghị lần thứ nhất Ủy ban Kiểm tra …".
#[test]
fn first_plenum_inspection_committee_meeting_elects_its_deputy_chair() {
    const INSPECTION_HEADING: &str = "Hội nghị lần thứ nhất Ủy ban Kiểm tra Đảng ủy xã Thượng Kiệm khóa XXVI";
    const INSPECTION_SEATS: usize = 3;
    let dir = tempfile::tempdir().expect("temp");
    let Congress { server, people, members } = congress_with_committee(&dir.path().join("data"));
    let org = login(&server, "org");
    let pres = login(&server, "pres");
    let head = login(&server, "head");
    // A congress node summons everyone on its roster: nobody is marked as nominated from outside.
    let (status, reply) = org
        .try_call(
            "PUT",
            &format!("/api/persons/{}/by-election-nominee", people[0]["id"]),
            Some(&json!({ "nominee": true })),
        )
        .expect("request");
    assert_eq!(status, 409, "{reply}");
    assert!(error_message(&reply).contains("Chỉ hội nghị Ban Chấp hành bầu bổ sung"), "{reply}");

    // The committee's plenum, all nine present, elects the inspection committee: one committee member
    // and three others of the roster on its list, the last on the ballot struck by every ballot.
    let plenum =
        org.post("/api/plenums", json!({ "body": "committee" }))["sitting_id"].as_i64().expect("sitting");
    for p in &members {
        org.post(
            "/api/attendance/check-in",
            json!({ "sitting_id": plenum, "person_id": p["id"], "present": true }),
        );
    }
    let inspection = org.post(
        "/api/elections",
        json!({ "body": "inspection_committee", "seats": INSPECTION_SEATS.to_string(),
            "seats_for": "9", "seats_against": "0" }),
    )["id"]
        .as_i64()
        .expect("election");
    assert_eq!(org.get(&format!("/api/elections/{inspection}"))["election"]["assembly_kind"], "plenum");
    let outsiders: Vec<&Value> = people.iter().filter(|p| !members.contains(p)).collect();
    for p in [&members[0], outsiders[0], outsiders[1], outsiders[2]] {
        org.post(
            &format!("/api/elections/{inspection}/candidates"),
            json!({ "person_id": p["id"], "source": "convening" }),
        );
    }
    let passed = pres.post(
        &format!("/api/elections/{inspection}/approval"),
        json!({ "in_favour": COMMITTEE_SEATS, "against": 0 }),
    );
    assert_eq!(passed["passed"], true, "approved against the committee plenum's 9: {passed}");
    let round = pres.post(&format!("/api/elections/{inspection}/rounds"), json!({ "entries_per_stack": 2 }))
        ["id"]
        .as_i64()
        .expect("round");
    let strike_last = format!("x:{}", INSPECTION_SEATS + 1);
    let result = count_and_close(&server, round, &[strike_last.as_str(); COMMITTEE_SEATS], "inspection-1");
    assert_eq!(result["next_step"], "complete", "{result}");
    let elected: Vec<Value> = head.get(&format!("/api/rounds/{round}"))["round"]["candidate_ids"]
        .as_array()
        .expect("ids")[..INSPECTION_SEATS]
        .to_vec();
    let inspectors: Vec<Value> = people.iter().filter(|p| elected.contains(&p["id"])).cloned().collect();
    assert_eq!(inspectors.len(), INSPECTION_SEATS);

    // The inspection committee's first meeting, summoned in one step from that result.
    let attendance = org.get("/api/attendance");
    assert!(
        attendance["summonable"].to_string().contains("Hội nghị lần thứ nhất Ủy ban Kiểm tra"),
        "{attendance}"
    );
    let sitting = org.post("/api/plenums", json!({ "body": "inspection_committee" }))["sitting_id"]
        .as_i64()
        .expect("sitting");
    let (status, reply) = org
        .try_call("POST", "/api/plenums", Some(&json!({ "body": "inspection_committee" })))
        .expect("request");
    assert_eq!(status, 409, "summoned once: {reply}");
    // A committee member who is not an inspector is not summoned to it.
    let not_inspector = members.iter().find(|p| !elected.contains(&p["id"])).expect("a member");
    let (status, reply) = org
        .try_call(
            "POST",
            "/api/attendance/check-in",
            Some(&json!({ "sitting_id": sitting, "person_id": not_inspector["id"], "present": true })),
        )
        .expect("request");
    assert_eq!(status, 422, "{reply}");
    assert!(error_message(&reply).contains("không phải ủy viên ủy ban kiểm tra vừa được bầu"), "{reply}");
    for p in &inspectors[..INSPECTION_SEATS - 1] {
        org.post(
            "/api/attendance/check-in",
            json!({ "sitting_id": sitting, "person_id": p["id"], "present": true }),
        );
    }
    let meeting = org.get(&format!("/api/attendance?sitting={sitting}"));
    assert_eq!(meeting["assembly"], "plenum:inspection_committee", "{meeting}");
    assert_eq!(meeting["sitting"]["name"], INSPECTION_HEADING, "{meeting}");
    assert_eq!(meeting["rows"].as_array().expect("rows").len(), INSPECTION_SEATS, "only the inspectors");
    let report = &meeting["report"];
    assert_eq!(
        (&report["summoned"], &report["present"], &report["absent"], &report["base"], &report["threshold"]),
        (&json!(3), &json!(2), &json!(1), &json!(3), &json!(2)),
        "{report}"
    );
    let (status, page) = org.download(&format!("/attendance?sitting={sitting}"));
    let page = String::from_utf8_lossy(&page);
    assert_eq!(status, 200);
    assert!(page.contains(INSPECTION_HEADING) && page.contains("Tổng số ủy viên được triệu tập"), "{page}");

    // The deputy chair: drawn from the inspection committee's members only.
    let deputy = org.post("/api/elections", json!({ "body": "inspection_deputy_chair", "seats": "1" }))["id"]
        .as_i64()
        .expect("election");
    let detail = org.get(&format!("/api/elections/{deputy}"));
    assert_eq!(detail["election"]["assembly_kind"], "plenum", "{detail}");
    assert_eq!(detail["drawn_from"], "ủy ban kiểm tra", "{detail}");
    let (status, reply) = org
        .try_call(
            "POST",
            &format!("/api/elections/{deputy}/candidates"),
            Some(&json!({ "person_id": not_inspector["id"], "source": "convening" })),
        )
        .expect("request");
    assert_eq!(status, 422, "{reply}");
    assert!(error_message(&reply).contains("không phải ủy viên ủy ban kiểm tra vừa được bầu"), "{reply}");
    for p in &inspectors[..2] {
        org.post(
            &format!("/api/elections/{deputy}/candidates"),
            json!({ "person_id": p["id"], "source": "convening" }),
        );
    }
    // Approved against the meeting's 2 present, not the committee plenum's 9 nor the congress's 30.
    let detail = org.get(&format!("/api/elections/{deputy}"));
    assert_eq!(detail["present"], 2, "{detail}");
    let approval = format!("/api/elections/{deputy}/approval");
    let (status, reply) =
        pres.try_call("POST", &approval, Some(&json!({ "in_favour": 3, "against": 0 }))).expect("request");
    assert_eq!(status, 422, "{reply}");
    assert!(error_message(&reply).contains("vượt số có mặt (2)"), "{reply}");
    let passed = pres.post(&approval, json!({ "in_favour": 2, "against": 0 }));
    assert_eq!(passed["passed"], true, "{passed}");

    // The round's assembly is the meeting's: 3 summoned, 2 present, B = 3, T = 2.
    let round =
        pres.post(&format!("/api/elections/{deputy}/rounds"), json!({ "entries_per_stack": 2 }))["id"]
            .as_i64()
            .expect("round");
    let view = head.get(&format!("/api/rounds/{round}"))["round"].clone();
    assert_eq!(view["assembly"]["type"], "plenum", "{view}");
    assert_eq!(
        (&view["assembly"]["summoned"], &view["assembly"]["present"], &view["base"], &view["threshold"]),
        (&json!(3), &json!(2), &json!(3), &json!(2)),
        "{view}"
    );
    let (status, pdf) = head.download(&format!("/rounds/{round}/files/phieu-bau.pdf"));
    assert_eq!(status, 200);
    let ballot = pdf_text(&pdf, dir.path(), "inspection-ballot.pdf");
    assert!(ballot.contains(INSPECTION_HEADING) && ballot.contains("2025–2030"), "{ballot}");
    assert!(!ballot.contains("Đại hội Đảng bộ") && !ballot.contains("Ban Chấp hành"), "{ballot}");

    // Both ballots strike the second name: the first is elected with 2 ≥ T = 2.
    let result = count_and_close(&server, round, &["x:2"; 2], "deputy-1");
    assert_eq!(result["next_step"], "complete", "{result}");
    assert_eq!(result["elected"].as_array().map(Vec::len), Some(1), "{result}");
    let (status, pdf) = head.download(&format!("/rounds/{round}/files/bien-ban.pdf"));
    assert_eq!(status, 200);
    let minutes = pdf_text(&pdf, dir.path(), "inspection-minutes.pdf");
    assert!(minutes.contains(&format!("Hội nghị: {INSPECTION_HEADING}, nhiệm kỳ 2025–2030")), "{minutes}");
    assert!(minutes.contains("Tổng số ủy viên được triệu tập 3"), "{minutes}");
    assert!(minutes.contains("Số ủy viên có mặt 2 Số ủy viên vắng mặt 1"), "{minutes}");
    assert!(minutes.contains("Số làm căn cứ tính kết quả bầu cử 3"), "{minutes}");
    assert!(!minutes.contains("Ban Chấp hành") && !minutes.contains("Tổng số đảng viên"), "{minutes}");
}
