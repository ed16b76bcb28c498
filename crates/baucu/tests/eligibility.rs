//! Who may stand and nominate, the eligibility chain between bodies, the standing committee's minimum,
//! taking a name off a list before its approval, and the chi bộ's third-round stop for its secretary —
//! through the real `baucu serve` over HTTP. Every refusal is checked for its message and for leaving
//! the data as it was.

mod support;

use serde_json::{Value, json};
use std::path::Path;
use support::{Client, SMALL_PASSWORD, Server, add_small_accounts, operator_id, roster_present, start};

/// A congress of members with its roster checked in, and the accounts of the small congress.
struct Congress {
    _server: Server,
    org: Client,
    pres: Client,
    head: Client,
    ops: [Client; 2],
    people: Vec<Value>,
}

const FAMILIES: [&str; 10] = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô"];
const GIVEN: [&str; 10] = ["An", "Bình", "Cường", "Dung", "Giang", "Hà", "Khánh", "Lan", "Minh", "Nga"];

fn congress(data: &Path, level: &str, members: usize) -> Congress {
    add_small_accounts(data, &support::baucu);
    let server = start(data, false);
    let org = Client::login(&server.addr, "org", SMALL_PASSWORD);
    org.call(
        "PUT",
        "/api/congress",
        Some(&json!({
            "name": "Đại hội thử điều kiện ứng cử", "organisation": "Đảng bộ thử", "level": level,
            "assembly_kind": "members_congress", "term": "2025–2030", "opens_on": "15/03/2025" })),
    );
    let names: Vec<String> = (0..members)
        .map(|i| format!("{} Văn {}", FAMILIES[i % 10], GIVEN[(i / 10 + i) % 10]))
        .enumerate()
        .map(|(i, n)| format!("{n} {}", ["Một", "Hai", "Ba", "Bốn", "Năm", "Sáu"][i / 10 % 6]))
        .collect();
    let people = roster_present(&org, &names);
    let pres = Client::login(&server.addr, "pres", SMALL_PASSWORD);
    let head = Client::login(&server.addr, "head", SMALL_PASSWORD);
    let ops = [
        Client::login(&server.addr, "op1", SMALL_PASSWORD),
        Client::login(&server.addr, "op2", SMALL_PASSWORD),
    ];
    Congress { _server: server, org, pres, head, ops, people }
}

impl Congress {
    fn id(&self, i: usize) -> i64 {
        self.people[i]["id"].as_i64().expect("person id")
    }

    fn name(&self, i: usize) -> String {
        self.people[i]["full_name"].as_str().expect("name").to_owned()
    }

    /// Changes person `i` of the roster: official and clear of every mark but those in `marks`.
    fn mark(&self, i: usize, marks: &[(&str, &str)]) {
        let mut fields = json!({ "full_name": self.name(i), "sex": "Nam", "party_status": "Chính thức" });
        for (k, v) in marks {
            fields[*k] = json!(v);
        }
        self.org.call("PUT", &format!("/api/persons/{}", self.id(i)), Some(&fields));
    }

    fn try_election(&self, body: &str, seats: u32) -> (u16, Value) {
        let form = json!({ "body": body, "seats": seats.to_string() });
        self.org.try_call("POST", "/api/elections", Some(&form)).expect("request")
    }

    fn election(&self, body: &str, seats: u32) -> i64 {
        let (status, v) = self.try_election(body, seats);
        assert_eq!(status, 200, "{v}");
        v["id"].as_i64().expect("election id")
    }

    fn try_add(&self, election: i64, person: usize, source: &str, nominator: Option<usize>) -> (u16, Value) {
        let mut body = json!({ "person_id": self.id(person), "source": source });
        if let Some(n) = nominator {
            body["nominator_id"] = json!(self.id(n));
        }
        self.org
            .try_call("POST", &format!("/api/elections/{election}/candidates"), Some(&body))
            .expect("request")
    }

    fn add(&self, election: i64, person: usize) -> i64 {
        let (status, v) = self.try_add(election, person, "convening", None);
        assert_eq!(status, 200, "{v}");
        v["id"].as_i64().expect("candidate id")
    }

    fn detail(&self, election: i64) -> Value {
        self.org.get(&format!("/api/elections/{election}"))
    }

    fn approve(&self, election: i64) {
        let present = self.people.len();
        let v = self.pres.post(
            &format!("/api/elections/{election}/approval"),
            json!({ "in_favour": present, "against": 0 }),
        );
        assert_eq!(v["passed"], true, "{v}");
    }

    fn open(&self, election: i64) -> i64 {
        self.pres.post(&format!("/api/elections/{election}/rounds"), json!({ "entries_per_stack": 2 }))["id"]
            .as_i64()
            .expect("round")
    }

    /// Counts a round: `codes` entered by both operators, then closed. Returns the round's view.
    fn count(&self, round: i64, codes: &[&str]) -> Value {
        let papers = codes.len();
        self.head.post(
            &format!("/api/rounds/{round}/issued"),
            json!({ "issued": self.people.len(), "collected": papers }),
        );
        let view = self.head.get(&format!("/api/rounds/{round}"));
        let ids = [operator_id(&view, "op1"), operator_id(&view, "op2")];
        let stack = self.head.post(
            &format!("/api/rounds/{round}/stacks"),
            json!({ "name": "Chồng 1", "papers": papers, "operators": ids, "key": format!("stack-{round}") }),
        )["id"]
            .as_i64()
            .expect("stack");
        let view = self.head.get(&format!("/api/rounds/{round}"));
        let entries = view["stacks"]
            .as_array()
            .expect("stacks")
            .iter()
            .find(|s| s["id"] == stack)
            .expect("stack")["entries"]
            .clone();
        for (op, id) in self.ops.iter().zip(ids) {
            let entry = entries
                .as_array()
                .expect("entries")
                .iter()
                .find(|e| e["operator_id"] == id)
                .and_then(|e| e["id"].as_i64())
                .expect("entry");
            for (i, code) in codes.iter().enumerate() {
                op.post(
                    &format!("/api/entries/{entry}/ballots"),
                    json!({ "code": code, "key": format!("{entry}-{i}") }),
                );
            }
            op.post(&format!("/api/entries/{entry}/finish"), json!({}));
        }
        self.head.post(&format!("/api/rounds/{round}/close"), json!({ "confirm": true }));
        self.head.get(&format!("/api/rounds/{round}"))
    }

    /// A committee of `seats` elected in one round from `seats + 1` names (persons `0..=seats`): every
    /// ballot strikes the last name in ballot order. Returns (election, the elected person ids).
    fn decided_committee(&self, seats: u32) -> (i64, Vec<i64>) {
        let election = self.election("committee", seats);
        (election, self.decide_committee(election, seats))
    }

    /// [`Congress::decided_committee`] for an election already made: the elected person ids.
    fn decide_committee(&self, election: i64, seats: u32) -> Vec<i64> {
        for i in 0..=seats as usize {
            self.add(election, i);
        }
        self.approve(election);
        let round = self.open(election);
        let strike = format!("x:{}", seats + 1);
        let view = self.count(round, &[strike.as_str(); 12]);
        assert_eq!(view["round"]["result"]["next_step"], "complete", "{view}");
        let ids: Vec<i64> = view["round"]["candidate_ids"]
            .as_array()
            .expect("ids")
            .iter()
            .map(|v| v.as_i64().expect("id"))
            .collect();
        ids[..seats as usize].to_vec()
    }

    fn audit_page(&self) -> String {
        let (status, body) = self.org.download("/audit");
        assert_eq!(status, 200);
        String::from_utf8_lossy(&body).into_owned()
    }
}

fn message(v: &Value) -> String {
    v["error"]["message"].as_str().unwrap_or_default().to_owned()
}

fn candidate_count(c: &Congress, election: i64) -> usize {
    c.detail(election)["candidates"].as_array().map_or(0, Vec::len)
}

/// A refusal for person `who` on every path onto a list (convening, nomination, self-nomination) and
/// as a nominator, each naming the person and the reason, and leaving the list as it was.
fn refused_everywhere(c: &Congress, who: usize, expected: &str) {
    let election = c.election("committee", 5);
    c.add(election, 10);
    for source in ["convening", "nomination", "self_nomination"] {
        let (status, v) = c.try_add(election, who, source, None);
        assert_eq!(status, 422, "{source}: {v}");
        let m = message(&v);
        assert!(m.contains(&c.name(who)) && m.contains(expected), "{source}: {m}");
        assert!(m.contains("không được ứng cử, đề cử") && m.contains("Điều 30"), "{m}");
    }
    // Nominating someone else from the floor.
    let (status, v) = c.try_add(election, 11, "nomination", Some(who));
    assert_eq!(status, 422, "{v}");
    assert!(message(&v).contains(&c.name(who)) && message(&v).contains(expected), "{v}");
    assert_eq!(candidate_count(c, election), 1, "nothing was added");
    // The list page shows the reason beside the name in the pickers.
    let (status, page) = c.org.download(&format!("/elections/{election}"));
    assert_eq!(status, 200);
    let page = String::from_utf8_lossy(&page);
    assert!(
        page.contains(&format!("{} (", c.name(who)))
            && page.contains(&format!("không được ứng cử, đề cử: {expected}")),
        "the picker names the reason"
    );
    let detail = c.detail(election);
    assert!(
        detail["eligible"].as_array().expect("eligible").iter().all(|p| p["id"].as_i64() != Some(c.id(who))),
        "not offered"
    );
    // An eligible member nominating another still works, with the nominator recorded.
    let (status, v) = c.try_add(election, 11, "nomination", Some(12));
    assert_eq!(status, 200, "{v}");
    assert!(c.audit_page().contains(&format!("người đề cử: {}", c.name(12))));
}

#[test]
fn eligibility_probationary_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    let c = congress(&dir.path().join("data"), "grassroots", 20);
    c.mark(3, &[("party_status", "Dự bị")]);
    refused_everywhere(&c, 3, "đảng viên dự bị");
}

#[test]
fn eligibility_suspended_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    let c = congress(&dir.path().join("data"), "grassroots", 20);
    c.mark(4, &[("suspended", "x")]);
    refused_everywhere(&c, 4, "đang bị đình chỉ sinh hoạt đảng");

    // Suspended after being put on the list: the approval is refused with the reason, and the list
    // stays a draft until the name is taken off.
    let election = c.election("committee", 2);
    for i in 5..8 {
        c.add(election, i);
    }
    c.mark(6, &[("suspended", "x")]);
    let (status, v) = c
        .pres
        .try_call(
            "POST",
            &format!("/api/elections/{election}/approval"),
            Some(&json!({ "in_favour": 20, "against": 0 })),
        )
        .expect("request");
    assert_eq!(status, 409, "{v}");
    assert!(message(&v).contains(&c.name(6)) && message(&v).contains("đình chỉ sinh hoạt"), "{v}");
    assert_eq!(c.detail(election)["election"]["approved"], false);
}

#[test]
fn eligibility_prosecuted_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    let c = congress(&dir.path().join("data"), "grassroots", 20);
    c.mark(5, &[("prosecuted", "x")]);
    refused_everywhere(&c, 5, "đang bị khởi tố, truy tố hoặc tạm giam");
}

#[test]
fn eligibility_not_in_parent_body_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    let c = congress(&dir.path().join("data"), "grassroots", 20);
    let committee = c.election("committee", 9);
    // Before the committee is decided, the standing committee has nobody to draw on.
    let standing = c.election("standing_committee", 3);
    assert_eq!(c.detail(standing)["election"]["parent_election_id"], committee);
    let (status, v) = c.try_add(standing, 0, "convening", None);
    assert_eq!(status, 409, "{v}");
    assert!(message(&v).contains("chưa có kết quả bầu ban chấp hành"), "{v}");
    assert_eq!(candidate_count(&c, standing), 0, "nothing was added");

    let members = c.decide_committee(committee, 9);
    let outsider = (0..20).find(|&i| !members.contains(&c.id(i))).expect("someone not elected");
    let member = (0..20).find(|&i| members.contains(&c.id(i))).expect("a member");
    let (status, v) = c.try_add(standing, outsider, "convening", None);
    assert_eq!(status, 422, "{v}");
    let m = message(&v);
    assert!(
        m.contains(&c.name(outsider)) && m.contains("không phải ủy viên ban chấp hành vừa được bầu"),
        "{m}"
    );
    assert_eq!(candidate_count(&c, standing), 0, "nothing was added");
    let eligible: Vec<i64> = c.detail(standing)["eligible"]
        .as_array()
        .expect("eligible")
        .iter()
        .filter_map(|p| p["id"].as_i64())
        .collect();
    assert_eq!(eligible.len(), 9, "only the committee's members are offered");
    assert!(eligible.iter().all(|id| members.contains(id)));
    c.add(standing, member);
    // The secretary is drawn from the standing committee once there is one: nobody may be put
    // forward before it is decided.
    let secretary = c.election("secretary", 1);
    assert_eq!(c.detail(secretary)["election"]["parent_election_id"], standing);
    let (status, v) = c.try_add(secretary, member, "convening", None);
    assert_eq!(status, 409, "{v}");
    assert!(message(&v).contains("chưa có kết quả bầu ban thường vụ"), "{v}");
    assert_eq!(candidate_count(&c, secretary), 0);
}

#[test]
fn eligibility_standing_committee_needs_nine() {
    let dir = tempfile::tempdir().expect("tmp");
    let c = congress(&dir.path().join("data"), "grassroots", 20);
    let (_, members) = c.decided_committee(7);
    assert_eq!(members.len(), 7);
    let before = c.org.get("/api/elections").as_array().map_or(0, Vec::len);
    let (status, v) = c.try_election("standing_committee", 3);
    assert_eq!(status, 409, "{v}");
    assert_eq!(
        message(&v),
        "Ban chấp hành có 7 ủy viên: chỉ bầu ban thường vụ khi ban chấp hành có từ 9 ủy viên trở lên (Quy chế bầu cử trong Đảng)."
    );
    assert_eq!(c.org.get("/api/elections").as_array().map_or(0, Vec::len), before, "no election was made");
    // The secretary is then drawn from the committee itself.
    let secretary = c.election("secretary", 1);
    c.add(secretary, (0..20).find(|&i| members.contains(&c.id(i))).expect("member"));
}

#[test]
fn eligibility_remove_from_list_with_reason() {
    let dir = tempfile::tempdir().expect("tmp");
    let c = congress(&dir.path().join("data"), "grassroots", 20);
    let election = c.election("committee", 2);
    let ids: Vec<i64> = (0..4).map(|i| c.add(election, i)).collect();
    let path = format!("/api/elections/{election}/removal");
    // A reason is required, and bounded.
    for reason in ["", "   ", &"x".repeat(501)] {
        let (status, v) = c
            .org
            .try_call("POST", &path, Some(&json!({ "candidate_id": ids[3], "reason": reason })))
            .expect("request");
        assert_eq!(status, 422, "{v}");
        assert!(message(&v).to_lowercase().contains("lý do"), "{v}");
    }
    assert_eq!(c.detail(election)["ballot"].as_array().map_or(0, Vec::len), 4, "nothing changed");
    // Not a role that edits lists.
    let (status, _) = c
        .head
        .try_call("POST", &path, Some(&json!({ "candidate_id": ids[3], "reason": "nhầm" })))
        .expect("request");
    assert_eq!(status, 403);
    let reason = "Giới thiệu nhầm người trùng tên";
    c.org.post(&path, json!({ "candidate_id": ids[3], "reason": reason }));
    let detail = c.detail(election);
    assert_eq!(detail["ballot"].as_array().map_or(0, Vec::len), 3);
    let removed = detail["candidates"]
        .as_array()
        .expect("candidates")
        .iter()
        .find(|x| x["id"] == ids[3])
        .expect("row")
        .clone();
    assert_eq!(removed["status"], "removed");
    assert_eq!(detail["removals"][ids[3].to_string()], reason);
    let audit = c.audit_page();
    assert!(audit.contains(&format!("{} ra khỏi danh sách", c.name(3))), "audited");
    assert!(audit.contains(&format!("lý do: {reason}.")), "with its reason");
    // Twice is refused; the page shows the reason.
    let (status, v) = c
        .org
        .try_call("POST", &path, Some(&json!({ "candidate_id": ids[3], "reason": reason })))
        .expect("request");
    assert_eq!(status, 409, "{v}");
    let (_, page) = c.org.download(&format!("/elections/{election}"));
    assert!(String::from_utf8_lossy(&page).contains(&format!("Lý do: {reason}")));
    // Taken off by the page's form as well.
    let (status, _) = c.org.post_form(
        &format!("/elections/{election}/removal"),
        &[("candidate", &ids[2].to_string()), ("reason", "Đã chuyển sinh hoạt")],
    );
    assert!((300..400).contains(&status), "{status}");
    assert_eq!(c.detail(election)["ballot"].as_array().map_or(0, Vec::len), 2);
    // The name may be put forward again.
    c.add(election, 2);
    assert_eq!(c.detail(election)["ballot"].as_array().map_or(0, Vec::len), 3);
    // After approval, only a withdrawal: the removal is refused and the list stays as approved.
    c.approve(election);
    let (status, v) = c
        .org
        .try_call("POST", &path, Some(&json!({ "candidate_id": ids[0], "reason": reason })))
        .expect("request");
    assert_eq!(status, 409, "{v}");
    assert!(message(&v).contains("đã được đại hội thông qua"), "{v}");
    assert_eq!(c.detail(election)["ballot"].as_array().map_or(0, Vec::len), 3);
}

#[test]
fn chi_bo_third_round_stops() {
    let dir = tempfile::tempdir().expect("tmp");
    let c = congress(&dir.path().join("data"), "cell", 20);
    let (committee, members) = c.decided_committee(5);
    // A chi bộ's secretary is elected by the congress, from among the chi ủy.
    let secretary = c.election("secretary", 1);
    let detail = c.detail(secretary);
    assert_eq!(detail["election"]["parent_election_id"], committee);
    assert_eq!(detail["election"]["assembly_kind"], "members_congress");
    let who = (0..20).find(|&i| members.contains(&c.id(i))).expect("member");
    c.add(secretary, who);
    c.approve(secretary);
    let mut round = c.open(secretary);
    for n in 1..=3 {
        // Every ballot disagrees: nobody is elected.
        let view = c.count(round, &["m:d"; 6]);
        assert_eq!(view["round"]["number"], n);
        assert_eq!(view["round"]["result"]["next_step"], "further_round", "{view}");
        if n < 3 {
            assert!(view["further_round_refused"].is_null(), "{view}");
            round = c.pres.post(
                &format!("/api/rounds/{round}/decide"),
                json!({ "decision": "further_round", "seats": 1, "person_ids": [c.id(who)], "confirm": true }),
            )["next_round"]
                .as_i64()
                .expect("next round");
        }
    }
    let view = c.head.get(&format!("/api/rounds/{round}"));
    let why = view["further_round_refused"].as_str().expect("the stop is said").to_owned();
    assert!(why.contains("Đã bầu 3 lần") && why.contains("cấp ủy cấp trên chỉ định bí thư"), "{why}");
    // The fourth round is refused with the reason, and nothing is decided or opened.
    let (status, v) = c
        .pres
        .try_call(
            "POST",
            &format!("/api/rounds/{round}/decide"),
            Some(&json!({ "decision": "further_round", "seats": 1, "person_ids": [c.id(who)], "confirm": true })),
        )
        .expect("request");
    assert_eq!(status, 409, "{v}");
    assert!(message(&v).contains("cấp ủy cấp trên chỉ định bí thư"), "{v}");
    let (status, _) = c.head.try_call("GET", &format!("/api/rounds/{}", round + 1), None).expect("request");
    assert_eq!(status, 404, "no fourth round");
    assert!(c.head.get(&format!("/api/rounds/{round}"))["round"]["decision"].is_null());
    // The round's page says so, and offers no further round; stopping is still possible.
    let (status, page) = c.pres.download(&format!("/rounds/{round}"));
    assert_eq!(status, 200);
    let page = String::from_utf8_lossy(&page);
    assert!(page.contains("cấp ủy cấp trên chỉ định bí thư chi bộ"), "the page says who appoints");
    assert!(!page.contains("value=\"further_round\""), "no form for a fourth round");
    assert!(page.contains("value=\"stop\""));
    c.pres.post(&format!("/api/rounds/{round}/decide"), json!({ "decision": "stop", "confirm": true }));
}
