//! The by-election plenum (bầu bổ sung, Art. 28) of a committee whose term is running (issue 11),
//! through the real node over HTTP: the node set up as a plenum of the committee, its roster the
//! committee's 15 current members, 13 present at its sitting (one absent with an accepted reason, one
//! without), its base B = 14 and threshold T = 8 (the engine's `plenum` base); two standing committee
//! seats filled from a list of 3 approved against the plenum's 13 present; the ballot and the minutes
//! headed "Hội nghị Ban Chấp hành … khóa …, nhiệm kỳ … (bầu bổ sung)", titled "Bầu bổ sung …", with
//! the plenum's figures.

mod support;

use serde_json::{Value, json};
use std::path::Path;
use support::{Client, SMALL_PASSWORD, key_both, pdf_text};

const NAME: &str = "Hội nghị Ban Chấp hành Đảng bộ xã Thượng Kiệm khóa XXVI";
const HEADING: &str =
    "Hội nghị Ban Chấp hành Đảng bộ xã Thượng Kiệm khóa XXVI, nhiệm kỳ 2025–2030 (bầu bổ sung)";
/// The committee's current members; the last two are absent from the plenum.
const MEMBERS: [&str; 15] = [
    "Nguyễn Văn An",
    "Trần Thị Bình",
    "Lê Văn Cường",
    "Phạm Thị Dung",
    "Hoàng Văn Em",
    "Vũ Thị Giang",
    "Đỗ Văn Hải",
    "Bùi Thị Hoa",
    "Ngô Văn Khánh",
    "Dương Thị Lan",
    "Lý Văn Minh",
    "Mai Thị Nga",
    "Phan Văn Phúc",
    "Trịnh Thị Quỳnh",
    "Đinh Văn Sơn",
];
const PRESENT: usize = 13;

fn login(server: &support::Server, user: &str) -> Client {
    Client::login(&server.addr, user, SMALL_PASSWORD)
}

fn error_message(v: &Value) -> String {
    v["error"]["message"].as_str().unwrap_or_default().to_owned()
}

/// Imports the committee's members as the roster (all official members); nobody checked in.
fn import_members(org: &Client) -> Vec<Value> {
    import_names(org, &MEMBERS)
}

/// Imports `names` as the roster (all official members; birth dates made up): the persons in that
/// order. Nobody checked in.
fn import_names(org: &Client, names: &[&str]) -> Vec<Value> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["Họ và tên", "Ngày sinh", "Giới tính", "Đảng viên"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).expect("write");
    }
    for (r, name) in (0u32..).zip(names.iter().copied()) {
        sheet.write_string(r + 1, 0, name).expect("write");
        sheet.write_string(r + 1, 1, format!("{:02}/0{}/197{}", 1 + r, 1 + r % 9, r % 10)).expect("write");
        sheet.write_string(r + 1, 2, if name.contains(" Thị ") { "Nữ" } else { "Nam" }).expect("write");
        sheet.write_string(r + 1, 3, "Chính thức").expect("write");
    }
    let (status, reply) = org.post_bytes(
        "/api/roster/import",
        "application/octet-stream",
        &book.save_to_buffer().expect("xlsx"),
    );
    assert_eq!(status, 200, "{reply}");
    let people = org.get("/api/persons").as_array().expect("persons").clone();
    assert_eq!(people.len(), names.len());
    names.iter().map(|n| people.iter().find(|p| p["full_name"] == *n).cloned().expect("imported")).collect()
}

#[test]
fn by_election_plenum_base_list_round_and_minutes() {
    let dir = tempfile::tempdir().expect("temp");
    let data = dir.path().join("data");
    support::add_small_accounts(&data, &support::baucu);
    let server = support::start(&data, false);
    let org = login(&server, "org");
    let pres = login(&server, "pres");
    let head = login(&server, "head");

    // The node is a plenum of the committee; its name must say the khóa its heading carries.
    let form = json!({ "name": NAME, "organisation": "Đảng bộ xã Thượng Kiệm", "level": "grassroots",
        "assembly_kind": "plenum", "term": "2025–2030", "opens_on": "15/03/2027" });
    let mut no_khoa = form.clone();
    no_khoa["name"] = json!("Hội nghị Ban Chấp hành Đảng bộ xã Thượng Kiệm");
    let (status, reply) = org.try_call("PUT", "/api/congress", Some(&no_khoa)).expect("request");
    assert_eq!(status, 422, "{reply}");
    assert!(reply.to_string().contains("ghi khóa của Ban Chấp hành"), "{reply}");
    let mut cell = form.clone();
    cell["level"] = json!("cell");
    let (status, reply) = org.try_call("PUT", "/api/congress", Some(&cell)).expect("request");
    assert_eq!(status, 422, "{reply}");
    assert!(reply.to_string().contains("Chi bộ không có hội nghị Ban Chấp hành"), "{reply}");
    org.call("PUT", "/api/congress", Some(&form));
    assert_eq!(org.get("/api/congress")["assembly_kind"], "plenum");
    let (status, page) = org.download("/congress");
    let page = String::from_utf8_lossy(&page);
    assert_eq!(status, 200);
    assert!(
        page.contains(r#"<option value="plenum" selected>Hội nghị Ban Chấp hành bầu bổ sung</option>"#),
        "{page}"
    );

    // The roster is the committee's 15 members; 13 checked in at the plenum's sitting, one absent with
    // an accepted reason, one without.
    let members = import_members(&org);
    let sitting = org.post("/api/sittings", json!({ "name": "Phiên họp" }))["id"].as_i64().expect("sitting");
    for p in &members[..PRESENT] {
        org.post(
            "/api/attendance/check-in",
            json!({ "sitting_id": sitting, "person_id": p["id"], "present": true }),
        );
    }
    org.call(
        "PUT",
        &format!("/api/persons/{}/absence", members[13]["id"]),
        Some(&json!({ "absence": "with_accepted_reason" })),
    );
    org.call(
        "PUT",
        &format!("/api/persons/{}/absence", members[14]["id"]),
        Some(&json!({ "absence": "without_reason" })),
    );
    // The plenum's base through the API: the engine's `plenum` base, 15 − 1 = 14, T = 8.
    let attendance = org.get("/api/attendance");
    assert_eq!(attendance["assembly_label"], HEADING, "{attendance}");
    assert!(attendance["summonable"].as_array().expect("summonable").is_empty(), "{attendance}");
    let report = &attendance["report"];
    assert_eq!(report["assembly_kind"], "plenum", "{report}");
    assert_eq!(
        (&report["summoned"], &report["present"], &report["absent"], &report["base"], &report["threshold"]),
        (&json!(15), &json!(13), &json!(2), &json!(14), &json!(8)),
        "{report}"
    );
    assert_eq!(report["lines"][0]["label"], "Tổng số ủy viên được triệu tập", "{report}");
    // The node is the plenum: no first plenum to summon, no delegates to elect.
    let (status, reply) =
        org.try_call("POST", "/api/plenums", Some(&json!({ "body": "committee" }))).expect("request");
    assert_eq!(status, 409, "{reply}");
    assert!(error_message(&reply).contains("hội nghị bầu bổ sung"), "{reply}");
    let (status, reply) = org
        .try_call("POST", "/api/elections", Some(&json!({ "body": "delegates", "seats": "3" })))
        .expect("request");
    assert_eq!(status, 422, "{reply}");
    assert!(reply.to_string().contains("không bầu đại biểu"), "{reply}");

    // Two standing committee seats to fill, from the committee's members (no committee election on
    // this node to draw on); the list of 3 approved against the plenum's 13 present.
    let election = org.post(
        "/api/elections",
        json!({ "body": "standing_committee", "seats": "2", "seats_for": "13", "seats_against": "0" }),
    )["id"]
        .as_i64()
        .expect("election");
    for p in &members[..3] {
        org.post(
            &format!("/api/elections/{election}/candidates"),
            json!({ "person_id": p["id"], "source": "convening" }),
        );
    }
    let detail = org.get(&format!("/api/elections/{election}"));
    assert_eq!(detail["election"]["assembly_kind"], "plenum", "{detail}");
    assert_eq!(detail["present"], 13, "{detail}");
    let approval = format!("/api/elections/{election}/approval");
    let (status, reply) =
        pres.try_call("POST", &approval, Some(&json!({ "in_favour": 14, "against": 0 }))).expect("request");
    assert_eq!(status, 422, "above the plenum's present: {reply}");
    assert!(error_message(&reply).contains("vượt số có mặt (13)"), "{reply}");
    let passed = pres.post(&approval, json!({ "in_favour": 13, "against": 0 }));
    assert_eq!(passed["passed"], true, "{passed}");

    // The round takes the plenum's assembly.
    let round =
        pres.post(&format!("/api/elections/{election}/rounds"), json!({ "entries_per_stack": 2 }))["id"]
            .as_i64()
            .expect("round");
    let view = head.get(&format!("/api/rounds/{round}"));
    let r = &view["round"];
    assert_eq!(r["assembly"]["type"], "plenum", "{r}");
    assert_eq!(
        (&r["assembly"]["summoned"], &r["assembly"]["present"], &r["base"], &r["threshold"]),
        (&json!(15), &json!(13), &json!(14), &json!(8)),
        "{r}"
    );

    // The ballot: the by-election's heading and "Bầu bổ sung", the term written once.
    let (status, pdf) = head.download(&format!("/rounds/{round}/files/phieu-bau.pdf"));
    assert_eq!(status, 200);
    let ballot = pdf_text(&pdf, dir.path(), "ballot.pdf");
    assert!(ballot.contains(HEADING), "{ballot}");
    assert!(ballot.contains("Bầu bổ sung Ban Thường vụ"), "{ballot}");
    assert_eq!(ballot.matches("2025–2030").count(), 1, "{ballot}");
    assert!(ballot.contains("Phiếu chỉ hợp lệ khi có dấu của cấp ủy."), "{ballot}");
    assert!(!ballot.to_lowercase().contains("đại hội") && !ballot.contains("lần thứ nhất"), "{ballot}");

    // 13 ballots, each striking the third name: the first two pass with 13 ≥ 8.
    head.post(&format!("/api/rounds/{round}/issued"), json!({ "issued": PRESENT, "collected": PRESENT }));
    let ops = [support::operator_id(&view, "op1"), support::operator_id(&view, "op2")];
    head.post(
        &format!("/api/rounds/{round}/stacks"),
        json!({ "name": "Chồng 1", "papers": PRESENT, "operators": ops, "key": "by-election-1" }),
    );
    let view = head.get(&format!("/api/rounds/{round}"));
    let entries = [0, 1].map(|i| view["stacks"][0]["entries"][i]["id"].as_i64().expect("entry"));
    key_both(&server, entries, &["x:3"; PRESENT]);
    let result = head.post(&format!("/api/rounds/{round}/close"), json!({ "confirm": true }));
    assert_eq!(result["next_step"], "complete", "{result}");
    // Ballot order is by given name: An, Bình, Cường; the third struck on every ballot.
    assert_eq!(result["elected"], json!(["Nguyễn Văn An", "Trần Thị Bình"]), "{result}");

    // The minutes: the plenum, "Bầu bổ sung", its 15 summoned, 13 present and B = 14.
    let (status, pdf) = head.download(&format!("/rounds/{round}/files/bien-ban.pdf"));
    assert_eq!(status, 200);
    let minutes = pdf_text(&pdf, dir.path(), "minutes.pdf");
    assert!(minutes.contains(&format!("Hội nghị: {HEADING}")), "{minutes}");
    assert!(minutes.contains("Bầu bổ sung Ban Thường vụ"), "{minutes}");
    assert!(minutes.contains("Tổng số ủy viên được triệu tập 15"), "{minutes}");
    assert!(minutes.contains("Trừ"), "{minutes}");
    assert!(minutes.contains("Số ủy viên có mặt 13 Số ủy viên vắng mặt 2"), "{minutes}");
    assert!(minutes.contains("Số làm căn cứ tính kết quả bầu cử 14"), "{minutes}");
    assert!(!minutes.contains("đảng viên chính thức") && !minutes.contains("lần thứ nhất"), "{minutes}");

    // The pages of the node and its documents are made for the by-election too, headed by it.
    for path in ["/", "/attendance", "/elections", &format!("/elections/{election}"), "/documents", "/guide"]
    {
        let (status, page) = org.download(path);
        assert_eq!(status, 200, "{path}: {}", String::from_utf8_lossy(&page));
    }
    let (status, page) = org.download("/");
    assert!(String::from_utf8_lossy(&page).contains("Hội nghị Ban Chấp hành bầu bổ sung"), "{status}");
    let (status, pdf) = head.download("/documents/files/bao-cao-ket-qua.pdf");
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&pdf));
    let report = pdf_text(&pdf, dir.path(), "report.pdf");
    assert!(report.contains(HEADING), "{report}");
    assert!(
        report.contains(
            "Tổng số ủy viên được triệu tập: 15; có mặt: 13; số làm căn cứ tính kết quả bầu cử: 14"
        ),
        "{report}"
    );
    assert_eq!(report.matches("nhiệm kỳ 2025–2030").count(), 1, "the term once: {report}");
}

/// Two persons nominated from outside the committee for the by-election (not its members).
const NOMINEES: [&str; 2] = ["Cao Văn Tài", "Hà Thị Uyên"];
const NOMINEE_LABEL: &str = "Người được giới thiệu bầu bổ sung (không phải ủy viên)";

/// A by-election node (the form of [`by_election_plenum_base_list_round_and_minutes`]) whose roster is
/// the committee's 15 members followed by the two [`NOMINEES`], each marked as nominated from outside
/// the committee through the API: (server, members, nominees).
fn node_with_nominees(data: &Path) -> (support::Server, Vec<Value>, Vec<Value>) {
    support::add_small_accounts(data, &support::baucu);
    let server = support::start(data, false);
    let org = login(&server, "org");
    org.call(
        "PUT",
        "/api/congress",
        Some(&json!({ "name": NAME, "organisation": "Đảng bộ xã Thượng Kiệm", "level": "grassroots",
            "assembly_kind": "plenum", "term": "2025–2030", "opens_on": "15/03/2027" })),
    );
    let names: Vec<&str> = MEMBERS.iter().chain(NOMINEES.iter()).copied().collect();
    let mut people = import_names(&org, &names);
    let nominees = people.split_off(MEMBERS.len());
    for p in &nominees {
        let reply = org.call(
            "PUT",
            &format!("/api/persons/{}/by-election-nominee", p["id"]),
            Some(&json!({ "nominee": true })),
        );
        assert_eq!(reply["ok"], true, "{reply}");
    }
    (server, people, nominees)
}

#[test]
fn by_election_elects_a_nominee_from_outside_the_committee() {
    let dir = tempfile::tempdir().expect("temp");
    let (server, members, nominees) = node_with_nominees(&dir.path().join("data"));
    let org = login(&server, "org");
    let pres = login(&server, "pres");
    let head = login(&server, "head");
    let flag = |p: &Value| format!("/api/persons/{}/by-election-nominee", p["id"]);

    // The flag is a yes or no, nothing else.
    let (status, reply) =
        org.try_call("PUT", &flag(&nominees[0]), Some(&json!({ "nominee": "có" }))).expect("request");
    assert_eq!(status, 422, "{reply}");

    // The roster and the person's page say who is nominated from outside, and offer the change.
    let (status, page) = org.download("/roster");
    let page = String::from_utf8_lossy(&page);
    assert_eq!(status, 200);
    assert_eq!(page.matches(NOMINEE_LABEL).count(), 2, "{page}");
    let (_, page) = org.download(&format!("/roster/{}", nominees[0]["id"]));
    let page = String::from_utf8_lossy(&page);
    assert!(page.contains(NOMINEE_LABEL) && page.contains("Ghi là ủy viên Ban Chấp hành"), "{page}");
    assert!(page.contains(&format!("/roster/{}/by-election-nominee", nominees[0]["id"])), "{page}");
    let (_, page) = org.download(&format!("/roster/{}", members[0]["id"]));
    let page = String::from_utf8_lossy(&page);
    assert!(page.contains("Ghi là người được giới thiệu bầu bổ sung (không phải ủy viên)"), "{page}");
    // The page's form toggles the flag, audited: marked a member, then back to nominee.
    let (status, _) =
        org.post_form(&format!("/roster/{}/by-election-nominee", nominees[1]["id"]), &[("nominee", "0")]);
    assert_eq!(status, 303);
    assert_eq!(org.get("/api/attendance")["nominees"].as_array().map(Vec::len), Some(1));
    let (status, _) =
        org.post_form(&format!("/roster/{}/by-election-nominee", nominees[1]["id"]), &[("nominee", "1")]);
    assert_eq!(status, 303);

    // The plenum's sitting: 13 of the 15 members present, one absent with a reason, one without. A
    // nominee is not summoned: not checked in, not in the summoned nor in B.
    let sitting = org.post("/api/sittings", json!({ "name": "Phiên họp" }))["id"].as_i64().expect("sitting");
    for p in &members[..PRESENT] {
        org.post(
            "/api/attendance/check-in",
            json!({ "sitting_id": sitting, "person_id": p["id"], "present": true }),
        );
    }
    org.call(
        "PUT",
        &format!("/api/persons/{}/absence", members[13]["id"]),
        Some(&json!({ "absence": "with_accepted_reason" })),
    );
    org.call(
        "PUT",
        &format!("/api/persons/{}/absence", members[14]["id"]),
        Some(&json!({ "absence": "without_reason" })),
    );
    let (status, reply) = org
        .try_call(
            "POST",
            "/api/attendance/check-in",
            Some(&json!({ "sitting_id": sitting, "person_id": nominees[0]["id"], "present": true })),
        )
        .expect("request");
    assert_eq!(status, 422, "{reply}");
    assert!(error_message(&reply).contains("Cao Văn Tài là người được giới thiệu bầu bổ sung"), "{reply}");
    // A member checked in cannot then be marked as an outside nominee.
    let (status, reply) =
        org.try_call("PUT", &flag(&members[0]), Some(&json!({ "nominee": true }))).expect("request");
    assert_eq!(status, 409, "{reply}");
    assert!(error_message(&reply).contains("đã được điểm danh"), "{reply}");
    let attendance = org.get("/api/attendance");
    let report = &attendance["report"];
    assert_eq!(
        (&report["summoned"], &report["present"], &report["absent"], &report["base"], &report["threshold"]),
        (&json!(15), &json!(13), &json!(2), &json!(14), &json!(8)),
        "the members only: {report}"
    );
    assert_eq!(attendance["rows"].as_array().map(Vec::len), Some(MEMBERS.len()), "{attendance}");
    let listed: Vec<&Value> =
        attendance["nominees"].as_array().expect("nominees").iter().map(|p| &p["full_name"]).collect();
    assert_eq!(listed, [&json!(NOMINEES[0]), &json!(NOMINEES[1])], "{attendance}");
    let (status, page) = org.download("/attendance");
    let page = String::from_utf8_lossy(&page);
    assert_eq!(status, 200);
    assert!(
        page.contains(NOMINEE_LABEL) && page.contains(NOMINEES[0]) && page.contains(NOMINEES[1]),
        "{page}"
    );
    assert!(!page.contains(&format!("Điểm danh {}", NOMINEES[0])), "no check-in for a nominee: {page}");

    // One committee seat to fill; the list is the two nominees, approved against the 13 present.
    let election = org.post(
        "/api/elections",
        json!({ "body": "committee", "seats": "1", "seats_for": "13", "seats_against": "0" }),
    )["id"]
        .as_i64()
        .expect("election");
    let detail = org.get(&format!("/api/elections/{election}"));
    let eligible = detail["eligible"].to_string();
    assert!(eligible.contains(NOMINEES[0]) && eligible.contains(NOMINEES[1]), "{detail}");
    assert!(!detail["nominators"].to_string().contains(NOMINEES[0]), "a nominee does not nominate: {detail}");
    for p in &nominees {
        org.post(
            &format!("/api/elections/{election}/candidates"),
            json!({ "person_id": p["id"], "source": "convening" }),
        );
    }
    let detail = org.get(&format!("/api/elections/{election}"));
    assert_eq!(detail["present"], 13, "{detail}");
    assert!(detail["blockers"].as_array().expect("blockers").is_empty(), "{detail}");
    let passed =
        pres.post(&format!("/api/elections/{election}/approval"), json!({ "in_favour": 13, "against": 0 }));
    assert_eq!(passed["passed"], true, "{passed}");

    // The round takes the plenum's assembly of its members: 15 summoned, 13 present, B = 14.
    let round =
        pres.post(&format!("/api/elections/{election}/rounds"), json!({ "entries_per_stack": 2 }))["id"]
            .as_i64()
            .expect("round");
    let view = head.get(&format!("/api/rounds/{round}"));
    let r = &view["round"];
    assert_eq!(
        (&r["assembly"]["summoned"], &r["assembly"]["present"], &r["base"], &r["threshold"]),
        (&json!(15), &json!(13), &json!(14), &json!(8)),
        "{r}"
    );
    // Ballot order by given name: Tài, Uyên. Every ballot strikes Uyên: Tài is elected, 13 ≥ 8.
    head.post(&format!("/api/rounds/{round}/issued"), json!({ "issued": PRESENT, "collected": PRESENT }));
    let ops = [support::operator_id(&view, "op1"), support::operator_id(&view, "op2")];
    head.post(
        &format!("/api/rounds/{round}/stacks"),
        json!({ "name": "Chồng 1", "papers": PRESENT, "operators": ops, "key": "nominee-1" }),
    );
    let view = head.get(&format!("/api/rounds/{round}"));
    let entries = [0, 1].map(|i| view["stacks"][0]["entries"][i]["id"].as_i64().expect("entry"));
    key_both(&server, entries, &["x:2"; PRESENT]);
    let result = head.post(&format!("/api/rounds/{round}/close"), json!({ "confirm": true }));
    assert_eq!(result["next_step"], "complete", "{result}");
    assert_eq!(result["elected"], json!([NOMINEES[0]]), "{result}");

    // The minutes: the plenum's heading, its 15 summoned, 13 present, B = 14; the nominee elected.
    let (status, pdf) = head.download(&format!("/rounds/{round}/files/bien-ban.pdf"));
    assert_eq!(status, 200);
    let minutes = pdf_text(&pdf, dir.path(), "nominee-minutes.pdf");
    assert!(minutes.contains(&format!("Hội nghị: {HEADING}")), "{minutes}");
    assert!(minutes.contains("Bầu bổ sung Ban Chấp hành"), "{minutes}");
    assert!(minutes.contains("Tổng số ủy viên được triệu tập 15"), "{minutes}");
    assert!(minutes.contains("Số ủy viên có mặt 13 Số ủy viên vắng mặt 2"), "{minutes}");
    assert!(minutes.contains("Số làm căn cứ tính kết quả bầu cử 14"), "{minutes}");
    assert!(minutes.contains(NOMINEES[0]), "{minutes}");

    // The base was taken: who is a member no longer changes.
    let (status, reply) =
        org.try_call("PUT", &flag(&nominees[1]), Some(&json!({ "nominee": false }))).expect("request");
    assert_eq!(status, 409, "{reply}");
    assert!(error_message(&reply).contains("đã có lần bầu"), "{reply}");
    // Elected to the committee at this plenum, the nominee may now stand for a post drawn from its
    // members; the one not elected may not.
    let standing = org.post(
        "/api/elections",
        json!({ "body": "standing_committee", "seats": "1", "seats_for": "13", "seats_against": "0" }),
    )["id"]
        .as_i64()
        .expect("election");
    org.post(
        &format!("/api/elections/{standing}/candidates"),
        json!({ "person_id": nominees[0]["id"], "source": "convening" }),
    );
    let (status, reply) = org
        .try_call(
            "POST",
            &format!("/api/elections/{standing}/candidates"),
            Some(&json!({ "person_id": nominees[1]["id"], "source": "convening" })),
        )
        .expect("request");
    assert_eq!(status, 422, "{reply}");
    assert!(error_message(&reply).contains("Hà Thị Uyên là người được giới thiệu bầu bổ sung"), "{reply}");
    // The journal tells the flag in Vietnamese.
    let (status, page) = org.download("/audit");
    let page = String::from_utf8_lossy(&page);
    assert_eq!(status, 200);
    assert!(
        page.contains("ghi Cao Văn Tài là người được giới thiệu bầu bổ sung (không phải ủy viên)"),
        "{page}"
    );
}

#[test]
fn by_election_refuses_an_outside_nominee_on_a_secretary_list() {
    let dir = tempfile::tempdir().expect("temp");
    let (server, members, nominees) = node_with_nominees(&dir.path().join("data"));
    let org = login(&server, "org");
    let secretary = org.post("/api/elections", json!({ "body": "secretary", "seats": "1" }))["id"]
        .as_i64()
        .expect("election");
    let candidates = format!("/api/elections/{secretary}/candidates");

    // The nominee is not offered, and is refused with the reason.
    let detail = org.get(&format!("/api/elections/{secretary}"));
    assert!(!detail["eligible"].to_string().contains(NOMINEES[0]), "{detail}");
    assert!(detail["eligible"].to_string().contains(MEMBERS[0]), "{detail}");
    let (status, reply) = org
        .try_call(
            "POST",
            &candidates,
            Some(&json!({ "person_id": nominees[0]["id"], "source": "convening" })),
        )
        .expect("request");
    assert_eq!(status, 422, "{reply}");
    assert_eq!(
        error_message(&reply),
        "Cao Văn Tài là người được giới thiệu bầu bổ sung, không phải ủy viên ban chấp hành: bí thư được bầu trong số các ủy viên ban chấp hành (Quy chế bầu cử trong Đảng).",
        "{reply}"
    );
    // Nor may a nominee nominate at the plenum.
    let (status, reply) = org
        .try_call(
            "POST",
            &candidates,
            Some(&json!({ "person_id": members[1]["id"], "source": "nomination", "nominator_id": nominees[1]["id"] })),
        )
        .expect("request");
    assert_eq!(status, 422, "{reply}");
    assert!(error_message(&reply).contains("Hà Thị Uyên là người được giới thiệu bầu bổ sung"), "{reply}");
    // A member stands; once on the secretary's list, they cannot be marked as an outside nominee.
    org.post(&candidates, json!({ "person_id": members[0]["id"], "source": "convening" }));
    let (status, reply) = org
        .try_call(
            "PUT",
            &format!("/api/persons/{}/by-election-nominee", members[0]["id"]),
            Some(&json!({ "nominee": true })),
        )
        .expect("request");
    assert_eq!(status, 409, "{reply}");
    assert!(error_message(&reply).contains("đang có tên trong danh sách bầu bí thư"), "{reply}");
    let detail = org.get(&format!("/api/elections/{secretary}"));
    assert_eq!(detail["candidates"].as_array().map(Vec::len), Some(1), "{detail}");
}

/// The nominee mark names a person by id: a marked person cannot be deleted (the next person added
/// could get the same id and the mark with it) until the mark is lifted.
#[test]
fn by_election_nominee_cannot_be_deleted_while_marked() {
    let data = tempfile::tempdir().expect("temp dir");
    let (server, _, nominees) = node_with_nominees(data.path());
    let org = login(&server, "org");
    let id = nominees[0]["id"].as_i64().expect("id");
    let before = org.get("/api/persons").as_array().map(Vec::len);
    let (status, page) = org.post_form(&format!("/roster/{id}/delete"), &[]);
    assert!(status == 303 || status == 409, "{status}: {page}");
    assert_eq!(org.get("/api/persons").as_array().map(Vec::len), before, "nobody deleted");
    let reply = org.call(
        "PUT",
        &format!("/api/persons/{id}/by-election-nominee"),
        Some(&json!({ "nominee": false })),
    );
    assert_eq!(reply["ok"], true, "{reply}");
    let (status, page) = org.post_form(&format!("/roster/{id}/delete"), &[]);
    assert!(status == 303 || status == 200, "{status}: {page}");
    assert_eq!(
        org.get("/api/persons").as_array().map(Vec::len),
        before.map(|n| n - 1),
        "deleted once the mark is lifted"
    );
}
