//! The secretary elected directly at the congress (issue 11; rules.md § 2: "where the superior
//! allows, the secretary directly (after an introduction poll among the new committee)"), through
//! the real node over HTTP. With the congress's setting on: the secretary's election is the
//! congress's, drawn from the committee just elected (a non-member refused), its list approved only
//! after the introduction poll among the new committee, its round on the congress's base `B` (the one
//! `/api/attendance` reports); the setting is fixed once a round exists; the first plenum refuses a
//! secretary election. With it off: the congress may not elect the secretary, and the plenum's
//! election cannot be held before the plenum is summoned. `baucu simulate --direct-secretary`
//! produces such a congress.

mod support;

use serde_json::{Value, json};
use std::path::Path;
use std::process::Command;
use support::{Client, DEMO_PASSWORD, SMALL_PASSWORD, count_and_close};

const CONGRESS_SIZE: usize = 30;
const COMMITTEE_SEATS: usize = 9;
const SETTING: &str = "Bí thư do đại hội bầu trực tiếp (cấp trên cho phép)";

fn login(server: &support::Server, user: &str) -> Client {
    Client::login(&server.addr, user, SMALL_PASSWORD)
}

fn error_message(v: &Value) -> String {
    v["error"]["message"].as_str().unwrap_or_default().to_owned()
}

struct Congress {
    server: support::Server,
    people: Vec<Value>,
    /// The committee's members as its result elected them.
    members: Vec<Value>,
}

/// A members' congress of 30, all present (B = 30), with the setting `direct` ("1", or absent),
/// whose committee of 9 is elected from a list of 10 and the round closed.
fn congress_with_committee(data: &Path, direct: Option<&str>) -> Congress {
    support::add_small_accounts(data, &support::baucu);
    let server = support::start(data, false);
    let org = login(&server, "org");
    let mut congress = json!({ "name": "Đại hội Đảng bộ xã Thượng Kiệm lần thứ XXVI",
        "organisation": "Đảng bộ xã Thượng Kiệm", "level": "grassroots",
        "assembly_kind": "members_congress", "term": "2025–2030", "opens_on": "20/05/2025" });
    if let Some(direct) = direct {
        congress["direct_secretary"] = json!(direct);
    }
    org.call("PUT", "/api/congress", Some(&congress));
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

#[test]
fn direct_secretary_elected_at_the_congress_on_its_base() {
    let dir = tempfile::tempdir().expect("temp");
    let Congress { server, people, members } = congress_with_committee(&dir.path().join("data"), Some("1"));
    let org = login(&server, "org");
    let pres = login(&server, "pres");

    // The setting is the congress's, shown on its page, and fixed now that a round exists.
    assert_eq!(org.get("/api/congress")["direct_secretary"], true);
    let (status, page) = org.download("/congress");
    let page = String::from_utf8_lossy(&page);
    assert_eq!(status, 200);
    assert!(page.contains(SETTING), "{page}");
    let change = json!({ "name": "Đại hội Đảng bộ xã Thượng Kiệm lần thứ XXVI",
        "organisation": "Đảng bộ xã Thượng Kiệm", "level": "grassroots",
        "assembly_kind": "members_congress", "term": "2025–2030", "direct_secretary": "0" });
    let (status, reply) = org.try_call("PUT", "/api/congress", Some(&change)).expect("request");
    assert_eq!(status, 409, "{reply}");
    assert!(error_message(&reply).contains("giữ nguyên (có)"), "{reply}");
    let mut garbled = change.clone();
    garbled["direct_secretary"] = json!("có lẽ");
    let (status, reply) = org.try_call("PUT", "/api/congress", Some(&garbled)).expect("request");
    assert_eq!(status, 422, "{reply}");
    assert_eq!(org.get("/api/congress")["direct_secretary"], true);

    // The plenum does not elect the secretary: only the congress does.
    let secretary = json!({ "body": "secretary", "seats": "1", "seats_for": "30", "seats_against": "0" });
    let (status, reply) = org.try_call("POST", "/api/elections", Some(&secretary)).expect("request");
    assert_eq!(status, 409, "{reply}");
    assert!(
        error_message(&reply).contains("hội nghị lần thứ nhất Ban Chấp hành không bầu bí thư"),
        "{reply}"
    );
    let mut direct = secretary.clone();
    direct["direct"] = json!("1");
    let election = org.post("/api/elections", direct)["id"].as_i64().expect("election");
    let detail = org.get(&format!("/api/elections/{election}"));
    assert_eq!(detail["election"]["assembly_kind"], "members_congress", "{detail}");
    assert_eq!(detail["drawn_from"], "ban chấp hành", "{detail}");
    assert_eq!(detail["present"], CONGRESS_SIZE, "the congress's present, not a plenum's: {detail}");

    // Nominees are members of the committee just elected.
    let outsider = people.iter().find(|p| !members.contains(p)).expect("someone not elected");
    let candidates = format!("/api/elections/{election}/candidates");
    let (status, reply) = org
        .try_call("POST", &candidates, Some(&json!({ "person_id": outsider["id"], "source": "convening" })))
        .expect("request");
    assert_eq!(status, 422, "{reply}");
    assert!(error_message(&reply).contains("không phải ủy viên ban chấp hành vừa được bầu"), "{reply}");
    org.post(&candidates, json!({ "person_id": members[0]["id"], "source": "convening" }));
    let introduced = org.post(&candidates, json!({ "person_id": members[1]["id"], "source": "nomination" }))
        ["id"]
        .as_i64()
        .expect("candidate");

    // The list waits for the introduction poll among the new committee (at most its 9 members).
    let approval = format!("/api/elections/{election}/approval");
    let (status, reply) =
        pres.try_call("POST", &approval, Some(&json!({ "in_favour": 30, "against": 0 }))).expect("request");
    assert_eq!(status, 409, "{reply}");
    assert!(error_message(&reply).contains("phiếu giới thiệu trong Ban Chấp hành mới"), "{reply}");
    // The page asks for the introduction poll among the committee's 9 (whatever names the list has).
    assert_eq!(org.get(&format!("/api/elections/{election}"))["introduction_poll_among"], 9);
    let (_, page) = pres.download(&format!("/elections/{election}"));
    let page = String::from_utf8_lossy(&page).into_owned();
    assert!(page.contains("Lấy phiếu giới thiệu bí thư trong Ban Chấp hành mới"), "{page}");
    assert!(page.contains(r#"name="present" inputmode="numeric" value="9""#), "{page}");
    let poll = format!("/api/elections/{election}/poll");
    let (status, reply) = pres
        .try_call("POST", &poll, Some(&json!({ "present": 10, "agree": { introduced.to_string(): 5 } })))
        .expect("request");
    assert_eq!(status, 422, "{reply}");
    assert!(error_message(&reply).contains("(9 ủy viên)"), "{reply}");
    pres.post(&poll, json!({ "present": 9, "agree": { introduced.to_string(): 5 } }));
    let detail = org.get(&format!("/api/elections/{election}"));
    assert_eq!(detail["ballot"].as_array().map(Vec::len), Some(2), "the introduced name passed: {detail}");
    assert!(detail["introduction_poll_among"].is_null(), "the poll is recorded: {detail}");
    let approved = pres.post(&approval, json!({ "in_favour": 30, "against": 0 }));
    assert_eq!(approved["passed"], true, "{approved}");

    // The round is the congress's, on the base the congress's attendance reports.
    let round =
        pres.post(&format!("/api/elections/{election}/rounds"), json!({ "entries_per_stack": 2 }))["id"]
            .as_i64()
            .expect("round");
    let view = login(&server, "head").get(&format!("/api/rounds/{round}"));
    let attendance = org.get("/api/attendance");
    assert_eq!(attendance["assembly"], "congress", "{attendance}");
    assert_eq!(view["round"]["assembly"]["type"], "members_congress", "{view}");
    assert_eq!(view["round"]["base"], attendance["report"]["base"], "{view}");
    assert_eq!(view["round"]["base"], CONGRESS_SIZE, "{view}");
    let result = count_and_close(&server, round, &vec!["x:2"; CONGRESS_SIZE], "secretary-1");
    assert_eq!(result["next_step"], "complete", "{result}");
    assert_eq!(result["base"], CONGRESS_SIZE, "{result}");
    assert_eq!(result["elected"].as_array().map(Vec::len), Some(1), "{result}");

    // The first plenum, summoned, still refuses to elect a secretary.
    org.post("/api/plenums", json!({ "body": "committee" }));
    let (status, reply) = org.try_call("POST", "/api/elections", Some(&secretary)).expect("request");
    assert_eq!(status, 409, "{reply}");
    assert!(error_message(&reply).contains("không bầu bí thư"), "{reply}");
}

#[test]
fn direct_secretary_off_the_plenum_elects_the_secretary() {
    let dir = tempfile::tempdir().expect("temp");
    let Congress { server, members, .. } = congress_with_committee(&dir.path().join("data"), None);
    let org = login(&server, "org");
    let pres = login(&server, "pres");
    assert_eq!(org.get("/api/congress")["direct_secretary"], false);

    // Without the superior's permission the congress does not elect the secretary.
    let direct = json!({ "body": "secretary", "seats": "1", "seats_for": "30", "seats_against": "0",
        "direct": "1" });
    let (status, reply) = org.try_call("POST", "/api/elections", Some(&direct)).expect("request");
    assert_eq!(status, 409, "{reply}");
    assert!(error_message(&reply).contains("Cấp trên chưa cho phép đại hội bầu trực tiếp bí thư"), "{reply}");

    // The secretary's election is the plenum's: before the plenum is summoned the congress cannot
    // hold it (its list cannot be approved against the congress's 30).
    let election = org.post(
        "/api/elections",
        json!({ "body": "secretary", "seats": "1", "seats_for": "8", "seats_against": "0" }),
    )["id"]
        .as_i64()
        .expect("election");
    let detail = org.get(&format!("/api/elections/{election}"));
    assert_eq!(detail["election"]["assembly_kind"], "plenum", "{detail}");
    assert_eq!(detail["present"], Value::Null, "{detail}");
    org.post(
        &format!("/api/elections/{election}/candidates"),
        json!({ "person_id": members[0]["id"], "source": "convening" }),
    );
    let approval = format!("/api/elections/{election}/approval");
    let (status, reply) =
        pres.try_call("POST", &approval, Some(&json!({ "in_favour": 20, "against": 0 }))).expect("request");
    assert_eq!(status, 409, "{reply}");
    assert!(error_message(&reply).contains("Chưa triệu tập hội nghị"), "{reply}");
}

#[test]
fn direct_secretary_simulated_congress() {
    let dir = tempfile::tempdir().expect("temp");
    let data = dir.path().join("data");
    let out = Command::new(env!("CARGO_BIN_EXE_baucu"))
        .args(["simulate", "--direct-secretary", "--seed", "3", "--data"])
        .arg(&data)
        .output()
        .expect("run baucu simulate");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{said}\n{}", String::from_utf8_lossy(&out.stderr));

    let server = support::start(&data, false);
    let pres = Client::login(&server.addr, "doanchutich", DEMO_PASSWORD);
    assert_eq!(pres.get("/api/congress")["direct_secretary"], true);
    let elections = pres.get("/api/elections");
    let secretaries: Vec<&Value> =
        elections.as_array().expect("elections").iter().filter(|e| e["body"] == "secretary").collect();
    assert_eq!(secretaries.len(), 1, "one secretary election, none at the plenum: {elections}");
    assert_eq!(secretaries[0]["assembly_kind"], "members_congress", "{elections}");
    let election = secretaries[0]["id"].clone();
    // The plenum still elected its standing committee and deputies.
    for body in ["standing_committee", "deputy_secretary"] {
        let e = elections.as_array().expect("elections").iter().find(|e| e["body"] == body);
        assert_eq!(e.map(|e| &e["assembly_kind"]), Some(&json!("plenum")), "{body}: {elections}");
    }

    // Its rounds, read one by one: on the congress's base, closed with one elected.
    let base = pres.get("/api/attendance")["report"]["base"].clone();
    assert!(base.as_u64().is_some_and(|b| b > 9), "the congress's base: {base}");
    let mut found = 0;
    for id in 1.. {
        let (status, view) = pres.try_call("GET", &format!("/api/rounds/{id}"), None).expect("request");
        if status == 404 {
            break;
        }
        assert_eq!(status, 200, "{view}");
        if view["round"]["election_id"] != election {
            continue;
        }
        found += 1;
        assert_eq!(view["round"]["assembly"]["type"], "members_congress", "{view}");
        assert_eq!(view["round"]["base"], base, "{view}");
        assert_eq!(view["round"]["closed"], true, "{view}");
        assert_eq!(view["round"]["result"]["elected"].as_array().map(Vec::len), Some(1), "{view}");
    }
    assert_eq!(found, 1, "the secretary's round");
}

#[test]
fn direct_secretary_setting_on_the_congress_page() {
    let dir = tempfile::tempdir().expect("temp");
    let data = dir.path().join("data");
    support::add_small_accounts(&data, &support::baucu);
    let server = support::start(&data, false);
    let org = login(&server, "org");
    let fields = [
        ("name", "Đại hội Đảng bộ xã Thượng Kiệm lần thứ XXVI"),
        ("organisation", "Đảng bộ xã Thượng Kiệm"),
        ("level", "grassroots"),
        ("assembly_kind", "members_congress"),
        ("term", "2025–2030"),
        ("regulation", "190-QD/TW"),
    ];
    // Ticked: on; the page shows the box ticked.
    let ticked: Vec<(&str, &str)> = fields.iter().copied().chain([("direct_secretary", "1")]).collect();
    let (status, reply) = org.post_form("/congress", &ticked);
    assert_eq!(status, 303, "{reply}");
    assert_eq!(org.get("/api/congress")["direct_secretary"], true);
    let (_, page) = org.download("/congress");
    let page = String::from_utf8_lossy(&page);
    assert!(page.contains(r#"name="direct_secretary" value="1" checked"#), "{page}");
    // The API leaves it as it is when the field is absent.
    let mut congress = org.get("/api/congress");
    congress.as_object_mut().expect("congress").remove("direct_secretary");
    for key in ["opens_on", "closes_on"] {
        congress[key] = json!("");
    }
    org.call("PUT", "/api/congress", Some(&congress));
    assert_eq!(org.get("/api/congress")["direct_secretary"], true);
    // Unticked on the page (the browser sends nothing): off.
    let (status, reply) = org.post_form("/congress", &fields);
    assert_eq!(status, 303, "{reply}");
    assert_eq!(org.get("/api/congress")["direct_secretary"], false);
}
