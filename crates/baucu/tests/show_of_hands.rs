//! The congress's show-of-hands votes through the real `baucu serve` over HTTP (the page "Biểu quyết
//! tại đại hội"): every kind recorded and read back in the audit journal, refusals that change
//! nothing, the counting board of a closed round's minutes taken from the congress's vote with one
//! signature block per member; and the minutes read back (`documents_readback_minutes_*`): the term
//! once, the place and date from the congress's data, each candidate's agree and disagree counts on an
//! agree/disagree round.

mod support;

use serde_json::{Value, json};
use std::io::{Read, Write};
use std::process::Command;
use support::{
    Client, SMALL_PASSWORD, Server, add_small_accounts, baucu, operator_id, roster_present, start,
};

const PLACE: &str = "Hội trường Nhà văn hóa Khu phố 3";

/// Posts the vote form as the browser does; the notice the page redirects to: `Ok(text)` or
/// `Err(text)`.
fn post_vote(c: &Client, fields: &[(&str, &str)]) -> Result<String, String> {
    let body = serde_urlencoded::to_string(fields).expect("form");
    let mut stream = std::net::TcpStream::connect(&c.addr).expect("connect");
    let request = format!(
        "POST /votes HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nCookie: {}\r\nx-csrf-token: {}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        c.addr,
        c.cookie,
        c.csrf,
        body.len()
    );
    stream.write_all(request.as_bytes()).expect("send");
    let mut raw = String::new();
    stream.read_to_string(&mut raw).expect("read");
    assert!(raw.starts_with("HTTP/1.1 303"), "the form redirects back: {raw}");
    let location = raw
        .lines()
        .find_map(|l| l.strip_prefix("location: ").or_else(|| l.strip_prefix("Location: ")))
        .expect("location");
    let query = location.split_once('?').map(|(_, q)| q).unwrap_or_default();
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).expect("notice");
    let get = |k: &str| pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
    match (get("ok"), get("err")) {
        (Some(ok), None) => Ok(ok),
        (None, Some(err)) => Err(err),
        other => panic!("no notice in {location}: {other:?}"),
    }
}

fn page(c: &Client, path: &str) -> String {
    let (status, body) = c.download(path);
    assert_eq!(status, 200, "{path}");
    String::from_utf8(body).expect("utf-8")
}

/// The rows of the table of votes recorded, as text.
fn vote_rows(c: &Client) -> Vec<String> {
    let html = page(c, "/votes");
    let Some(body) = html.split("<tbody>").nth(1) else { return Vec::new() };
    let body = body.split("</tbody>").next().unwrap_or_default();
    body.split("<tr>").skip(1).map(strip_tags).collect()
}

fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for ch in html.chars() {
        match ch {
            '<' => inside = true,
            '>' => {
                inside = false;
                out.push(' ');
            }
            c if !inside => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn id_of(people: &[Value], name: &str) -> String {
    people.iter().find(|p| p["full_name"] == name).expect("person")["id"].to_string()
}

/// A members' congress of 40, all present (B = 40, T = 21), its name already stating its term and
/// its place given; an election of `seats` seats with `candidates` approved, its first round open
/// with two entries per stack, `collected` of 40 ballots collected, and one stack handed to op1 and
/// op2. Returns (server, persons, election id, round id, entries).
fn congress(
    data: &std::path::Path,
    body: &str,
    seats: u32,
    candidates: &[&str],
    collected: usize,
) -> (Server, Vec<Value>, i64, i64, [i64; 2]) {
    add_small_accounts(data, &baucu);
    let server = start(data, false);
    let org = Client::login(&server.addr, "org", SMALL_PASSWORD);
    org.call(
        "PUT",
        "/api/congress",
        Some(&json!({
            "name": "Đại hội Chi bộ Khu phố 3 lần thứ X, nhiệm kỳ 2025 - 2027",
            "organisation": "Chi bộ Khu phố 3", "level": "cell", "assembly_kind": "members_congress",
            "term": "2025–2027", "place": PLACE, "opens_on": "15/03/2025" })),
    );
    let filler = ["Ngô", "Lý", "Đặng", "Bùi", "Hồ", "Dương"];
    let names: Vec<String> = (0..40)
        .map(|r| match candidates.get(r) {
            Some(n) => (*n).to_owned(),
            None => format!("{} Văn Số {}", filler[r % filler.len()], r + 1),
        })
        .collect();
    let people = roster_present(&org, &names);
    let election = org.post(
        "/api/elections",
        json!({ "body": body, "seats": seats.to_string(), "seats_for": "40", "seats_against": "0" }),
    )["id"]
        .as_i64()
        .expect("election");
    for name in candidates {
        org.post(
            &format!("/api/elections/{election}/candidates"),
            json!({ "person_id": id_of(&people, name).parse::<i64>().expect("id"), "source": "convening" }),
        );
    }
    let pres = Client::login(&server.addr, "pres", SMALL_PASSWORD);
    let approval =
        pres.post(&format!("/api/elections/{election}/approval"), json!({ "in_favour": 40, "against": 0 }));
    assert_eq!(approval["passed"], true, "{approval}");
    let round =
        pres.post(&format!("/api/elections/{election}/rounds"), json!({ "entries_per_stack": 2 }))["id"]
            .as_i64()
            .expect("round");
    let head = Client::login(&server.addr, "head", SMALL_PASSWORD);
    head.post(&format!("/api/rounds/{round}/issued"), json!({ "issued": 40, "collected": collected }));
    let view = head.get(&format!("/api/rounds/{round}"));
    let ops = [operator_id(&view, "op1"), operator_id(&view, "op2")];
    head.post(
        &format!("/api/rounds/{round}/stacks"),
        json!({ "name": "Chồng 1", "papers": collected, "operators": ops, "key": "sh-1" }),
    );
    let view = head.get(&format!("/api/rounds/{round}"));
    let entries = [
        view["stacks"][0]["entries"][0]["id"].as_i64().expect("entry"),
        view["stacks"][0]["entries"][1]["id"].as_i64().expect("entry"),
    ];
    (server, people, election, round, entries)
}

/// Keys the same `codes` on both entries and closes the round.
fn count_and_close(server: &Server, round: i64, entries: [i64; 2], codes: &[String]) {
    for (user, entry) in [("op1", entries[0]), ("op2", entries[1])] {
        let op = Client::login(&server.addr, user, SMALL_PASSWORD);
        for (i, code) in codes.iter().enumerate() {
            op.post(
                &format!("/api/entries/{entry}/ballots"),
                json!({ "code": code, "key": format!("{user}-{i}") }),
            );
        }
        op.post(&format!("/api/entries/{entry}/finish"), json!({}));
    }
    let head = Client::login(&server.addr, "head", SMALL_PASSWORD);
    head.post(&format!("/api/rounds/{round}/close"), json!({ "confirm": true }));
}

fn poppler() -> bool {
    let there = Command::new("pdftotext").arg("-v").output().is_ok();
    if !there && std::env::var("CI").is_ok() {
        panic!("pdftotext is required in CI (scripts/test installs poppler-utils)");
    }
    if !there {
        eprintln!(
            "skipped the PDF part: poppler-utils (pdftotext) is not installed; scripts/test installs it"
        );
    }
    there
}

fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("temp");
    let path = dir.path().join("bien-ban.pdf");
    std::fs::write(&path, pdf).expect("write pdf");
    let out = Command::new("pdftotext").arg("-layout").arg(&path).arg("-").output().expect("pdftotext");
    assert!(out.status.success());
    String::from_utf8(out.stdout).expect("utf-8")
}

/// The text of a Word file, one run after another.
fn docx_text(docx: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("a zip");
    let mut xml = String::new();
    zip.by_name("word/document.xml").expect("document.xml").read_to_string(&mut xml).expect("read");
    xml.split("<w:t")
        .skip(1)
        .filter(|p| p.starts_with('>') || p.starts_with(' '))
        .filter_map(|p| p.split_once('>').and_then(|(_, r)| r.split("</w:t>").next()))
        .collect::<Vec<_>>()
        .join(" ")
}

fn minutes(server: &Server, round: i64) -> (Vec<u8>, String) {
    let head = Client::login(&server.addr, "head", SMALL_PASSWORD);
    let (status, pdf) = head.download(&format!("/rounds/{round}/files/bien-ban.pdf"));
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&pdf));
    let (status, docx) = head.download(&format!("/rounds/{round}/files/bien-ban.docx"));
    assert_eq!(status, 200);
    (pdf, docx_text(&docx))
}

const SIX: [&str; 6] =
    ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em", "Vũ Thị Giang"];

/// Every kind of vote is recorded with its counts and persons, read back on the page and as one
/// sentence in the audit journal; each refusal says why and records nothing.
#[test]
fn show_of_hands_every_kind_recorded_refusals_change_nothing() {
    let dir = tempfile::tempdir().expect("temp");
    let (server, people, election, _, _) = congress(&dir.path().join("data"), "committee", 5, &SIX, 40);
    let org = Client::login(&server.addr, "org", SMALL_PASSWORD);
    let pres = Client::login(&server.addr, "pres", SMALL_PASSWORD);
    let p = |n: usize| people[n]["id"].to_string();
    let e = election.to_string();
    let (p10, p11, p12, p13, p14, p15, p16) = (p(10), p(11), p(12), p(13), p(14), p(15), p(16));
    let an = id_of(&people, "Nguyễn Văn An");
    let votes: Vec<Vec<(&str, &str)>> = vec![
        vec![("subject", "presidium"), ("member", &p10), ("member", &p11), ("member", &p12)],
        vec![("subject", "secretariat"), ("member", &p13), ("member", &p14)],
        vec![("subject", "credentials_committee"), ("member", &p15), ("member", &p16), ("member", &p10)],
        vec![
            ("subject", "counting_board"),
            ("head", &p13),
            ("member", &p14),
            ("member", &p15),
            ("technical", "Đào Văn Máy\nLương Thị Tính"),
        ],
        vec![("subject", "seats"), ("election_id", &e), ("seats", "5")],
        vec![("subject", "election_list"), ("election_id", &e)],
        vec![("subject", "withdrawal"), ("election_id", &e), ("member", &an)],
        vec![("subject", "other"), ("detail", "Thông qua chương trình đại hội")],
    ];
    for (i, fields) in votes.iter().enumerate() {
        let mut fields = fields.clone();
        fields.extend([("votes_for", "38"), ("votes_against", "1")]);
        if i == 0 {
            fields.push(("abstain", "1"));
        }
        // The organiser records some, the presidium the others.
        let who = if i % 2 == 0 { &org } else { &pres };
        assert_eq!(post_vote(who, &fields), Ok("Đã ghi biểu quyết.".to_owned()), "{fields:?}");
    }
    let rows = vote_rows(&org);
    assert_eq!(rows.len(), 8, "{rows:#?}");
    let name = |n: usize| people[n]["full_name"].as_str().expect("name").to_owned();
    assert!(rows[0].contains("Bầu đoàn chủ tịch") && rows[0].contains(&name(12)), "{}", rows[0]);
    assert!(rows[0].contains("40 38 1 1"), "present, for, against, abstain: {}", rows[0]);
    assert!(rows[1].contains("Bầu đoàn thư ký") && rows[1].contains("40 38 1 —"), "{}", rows[1]);
    assert!(rows[2].contains("Bầu ban thẩm tra tư cách đại biểu"), "{}", rows[2]);
    assert!(
        rows[3].contains(&format!("Trưởng ban: {}", name(13)))
            && rows[3].contains(&format!("Thành viên: {}, {}", name(14), name(15)))
            && rows[3].contains("Kỹ thuật viên: Đào Văn Máy, Lương Thị Tính"),
        "{}",
        rows[3]
    );
    assert!(rows[4].contains("Số lượng bầu") && rows[4].contains(": 5 người"), "{}", rows[4]);
    assert!(rows[5].contains("Thông qua danh sách bầu cử"), "{}", rows[5]);
    assert!(rows[6].contains("Người xin rút: Nguyễn Văn An"), "{}", rows[6]);
    assert!(rows[7].contains("Thông qua chương trình đại hội"), "{}", rows[7]);
    for row in &rows {
        assert!(row.contains("org,") || row.contains("pres,"), "who recorded it: {row}");
    }

    // Refusals: each names the problem, and nothing is recorded.
    let refusals: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (
            vec![("subject", "presidium"), ("member", &p10), ("votes_for", "40"), ("votes_against", "1")],
            "vượt quá số người có mặt ở phiên \"Phiên thứ nhất\" (40)",
        ),
        (
            vec![
                ("subject", "secretariat"),
                ("member", &p10),
                ("votes_for", "30"),
                ("votes_against", "5"),
                ("abstain", "6"),
            ],
            "Tổng số biểu quyết (41) vượt quá",
        ),
        (
            vec![("subject", "ban_bau_cu"), ("member", &p10), ("votes_for", "3"), ("votes_against", "0")],
            "Không có nội dung biểu quyết \"ban_bau_cu\"",
        ),
        (
            vec![("subject", "presidium"), ("member", "999999"), ("votes_for", "3"), ("votes_against", "0")],
            "Không có người số 999999 trong danh sách đảng viên",
        ),
        (vec![("subject", "presidium"), ("member", &p10), ("votes_against", "0")], "Ghi số tán thành."),
        (vec![("member", &p10), ("votes_for", "3"), ("votes_against", "0")], "Chọn nội dung biểu quyết."),
        (
            vec![("subject", "counting_board"), ("member", &p10), ("votes_for", "3"), ("votes_against", "0")],
            "Chọn trưởng ban kiểm phiếu.",
        ),
        (
            vec![("subject", "seats"), ("seats", "5"), ("votes_for", "3"), ("votes_against", "0")],
            "Chọn cuộc bầu",
        ),
        (
            vec![("subject", "other"), ("votes_for", "3"), ("votes_against", "0")],
            "Ghi nội dung được biểu quyết.",
        ),
        (
            vec![
                ("subject", "counting_board"),
                ("head", &p10),
                ("member", &p10),
                ("votes_for", "3"),
                ("votes_against", "0"),
            ],
            "Một người được chọn hai lần.",
        ),
    ];
    for (fields, why) in &refusals {
        let answer = post_vote(&org, fields);
        assert!(
            answer.as_ref().is_err_and(|e| e.contains(why)),
            "{fields:?}: {answer:?}, expected \"{why}\""
        );
    }
    assert_eq!(vote_rows(&org).len(), 8, "a refused vote records nothing");

    // A probationary member is on the roster but is no delegate of the congress: not elected.
    let probationary = org.post(
        "/api/persons",
        json!({ "full_name": "Phan Văn Dự Bị", "birth_date": "01/01/1990", "sex": "Nam", "party_status": "Dự bị" }),
    )["id"]
        .to_string();
    let answer = post_vote(
        &org,
        &[("subject", "presidium"), ("member", &probationary), ("votes_for", "3"), ("votes_against", "0")],
    );
    assert!(answer.as_ref().is_err_and(|e| e.contains("Phan Văn Dự Bị không phải đại biểu")), "{answer:?}");
    assert_eq!(vote_rows(&org).len(), 8);

    // A viewer of the setup who may not record (the counting board head) sees the page, but its post
    // is refused by the route table.
    let head = Client::login(&server.addr, "head", SMALL_PASSWORD);
    assert!(page(&head, "/votes").contains("Các biểu quyết đã ghi"));
    let (status, _) = head.post_form(
        "/votes",
        &[("subject", "other"), ("detail", "x"), ("votes_for", "1"), ("votes_against", "0")],
    );
    assert_eq!(status, 403);
    assert_eq!(vote_rows(&org).len(), 8);

    // The audit journal reads each vote as one sentence, with the names.
    let audit = strip_tags(&page(&org, "/audit"));
    assert!(
        audit.contains(&format!(
            "ghi biểu quyết của đại hội — bầu ban kiểm phiếu: trưởng ban {}; thành viên {}, {}; kỹ thuật viên Đào Văn Máy, Lương Thị Tính: 38 tán thành, 1 không tán thành trên 40 người có mặt.",
            name(13),
            name(14),
            name(15)
        )),
        "{audit}"
    );
    assert!(audit.contains("1 không biểu quyết trên 40 người có mặt"), "{audit}");
    assert!(audit.contains("vấn đề khác — Thông qua chương trình đại hội"), "{audit}");
}

/// The counting board that signs a closed round's minutes is the one the congress voted last (head
/// first, then the members; the technical staff do not sign), not the accounts with board roles:
/// one signature block per member, in the PDF and in the Word file.
#[test]
fn show_of_hands_voted_board_signs_the_minutes() {
    let dir = tempfile::tempdir().expect("temp");
    let (server, people, _, round, entries) = congress(&dir.path().join("data"), "committee", 5, &SIX, 40);
    let org = Client::login(&server.addr, "org", SMALL_PASSWORD);
    let p = |n: usize| people[n]["id"].to_string();
    let name = |n: usize| people[n]["full_name"].as_str().expect("name").to_owned();
    // A first board, then the one the congress settles on: the latest vote counts.
    let (p20, p21, p22, p23, p24) = (p(20), p(21), p(22), p(23), p(24));
    for fields in [
        vec![("subject", "counting_board"), ("head", p20.as_str()), ("member", p21.as_str())],
        vec![
            ("subject", "counting_board"),
            ("head", p22.as_str()),
            ("member", p23.as_str()),
            ("member", p24.as_str()),
            ("member", p21.as_str()),
            ("technical", "Đào Văn Máy"),
        ],
    ] {
        let mut fields = fields;
        fields.extend([("votes_for", "40"), ("votes_against", "0")]);
        assert_eq!(post_vote(&org, &fields), Ok("Đã ghi biểu quyết.".to_owned()));
    }
    let codes: Vec<String> = (0..40).map(|i| format!("x:{}", 1 + i % 6)).collect();
    count_and_close(&server, round, entries, &codes);
    let (pdf, word) = minutes(&server, round);
    let board = [name(22), name(23), name(24), name(21)];
    for text in [&word] {
        for (i, n) in board.iter().enumerate() {
            assert!(text.contains(n.as_str()), "the Word minutes lack board member {n}");
            if i > 0 {
                let before = text.find(board[i - 1].as_str()).expect("name");
                assert!(before < text.find(n.as_str()).expect("name"), "board order in the Word minutes");
            }
        }
        assert_eq!(text.matches("(Ký, ghi rõ họ tên)").count(), 4, "{text}");
        assert_eq!(text.matches("TRƯỞNG BAN KIỂM PHIẾU").count(), 1);
        assert_eq!(text.matches("THÀNH VIÊN BAN KIỂM PHIẾU").count(), 3);
        assert!(!text.contains("Đào Văn Máy"), "technical staff do not sign");
        assert!(!text.contains("Lê Văn Trưởng Ban"), "the board comes from the vote, not the accounts");
        assert!(!text.contains(name(20).as_str()), "an earlier board does not sign");
    }
    if !poppler() {
        return;
    }
    let t = pdf_text(&pdf);
    assert_eq!(t.matches("(Ký, ghi rõ họ tên)").count(), 4, "{t}");
    assert_eq!(t.matches("TRƯỞNG BAN KIỂM PHIẾU").count(), 1, "{t}");
    assert_eq!(t.matches("THÀNH VIÊN BAN KIỂM PHIẾU").count(), 3, "{t}");
    let signatures = t.rsplit("ký tên.").next().expect("signature part");
    let at = |n: &str| signatures.find(n).unwrap_or_else(|| panic!("no signature of {n}:\n{signatures}"));
    assert!(at(&board[0]) < at(&board[1]), "the head signs first:\n{signatures}");
    for n in &board {
        at(n);
    }
    assert!(!t.contains("Lê Văn Trưởng Ban") && !t.contains("Đào Văn Máy"), "{t}");
}

/// The congress name already states its term: the minutes write it once; the place is the
/// congress's and the date that of the closing, as the round's journal shows it in the node's zone.
#[test]
fn documents_readback_minutes_term_once_place_and_date_from_the_congress() {
    let dir = tempfile::tempdir().expect("temp");
    let (server, _, _, round, entries) = congress(&dir.path().join("data"), "committee", 5, &SIX, 40);
    let codes: Vec<String> = (0..40).map(|i| format!("x:{}", 1 + i % 6)).collect();
    count_and_close(&server, round, entries, &codes);
    let head = Client::login(&server.addr, "head", SMALL_PASSWORD);
    // The closing as the round's journal states it: "dd/mm/yyyy hh:mm:ss" in the node's zone.
    let journal = strip_tags(&page(&head, &format!("/rounds/{round}/journal")));
    let before_closing = journal.split("kết thúc kiểm phiếu").next().expect("the closing in the journal");
    let closing = before_closing
        .split(' ')
        .rfind(|w| w.len() == 10 && w.matches('/').count() == 2)
        .expect("the date of the closing in the journal");
    let (d, rest) = closing.split_once('/').expect("day");
    let (m, y) = rest.split_once('/').expect("month");
    let date = format!("ngày {d} tháng {m} năm {y}");
    let (pdf, word) = minutes(&server, round);
    assert!(word.contains(&format!("{PLACE}, {date}")), "{word}");
    assert_eq!(word.matches("nhiệm kỳ").count(), 1, "{word}");
    assert!(word.contains("Đại hội: Đại hội Chi bộ Khu phố 3 lần thứ X, nhiệm kỳ 2025 - 2027."), "{word}");
    if !poppler() {
        return;
    }
    let t = pdf_text(&pdf);
    assert!(t.contains(&format!("{PLACE}, {date}")), "{t}");
    assert_eq!(t.matches("nhiệm kỳ").count(), 1, "the term once:\n{t}");
    let flat = t.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains(&format!("địa điểm: {PLACE}.")), "{t}");
    // § 7's order: summoned, present, absent, then B and T; ballots issued, collected, valid, invalid.
    let order = [
        "Ban kiểm phiếu",
        "Danh sách bầu cử",
        "được triệu tập",
        "có mặt",
        "vắng mặt",
        "Số làm căn cứ tính kết quả bầu cử",
        "ít nhất 21 phiếu",
        "Số phiếu phát ra",
        "Số phiếu thu vào",
        "Số phiếu hợp lệ",
        "Số phiếu không hợp lệ",
        "Số phiếu bầu cho từng người",
        "Người trúng cử",
    ];
    let mut from = 0;
    for s in order {
        let at = t[from..]
            .find(s)
            .unwrap_or_else(|| panic!("no \"{s}\" after the items before it (rules.md § 7):\n{t}"));
        from += at + s.len();
    }
}

/// An agree/disagree round (3 seats, 3 names): each name's "đồng ý" and "không đồng ý" counts as
/// keyed — a row marked both or neither is neither, so disagree is not valid − agree.
#[test]
fn documents_readback_minutes_agree_disagree_counts_per_candidate() {
    let dir = tempfile::tempdir().expect("temp");
    let three = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"];
    let (server, _, _, round, entries) = congress(&dir.path().join("data"), "delegates", 3, &three, 38);
    let mut codes = Vec::new();
    codes.extend(std::iter::repeat_n("m:aaa".to_owned(), 28));
    codes.extend(std::iter::repeat_n("m:dad".to_owned(), 5));
    codes.extend(std::iter::repeat_n("m:bnd".to_owned(), 3));
    codes.extend(std::iter::repeat_n("m:nnn".to_owned(), 2)); // invalid: no clear choice
    count_and_close(&server, round, entries, &codes);
    let head = Client::login(&server.addr, "head", SMALL_PASSWORD);
    let result = &head.get(&format!("/api/rounds/{round}"))["round"]["result"];
    let votes: Vec<i64> = result["candidates"]
        .as_array()
        .expect("candidates")
        .iter()
        .map(|c| c["votes"].as_i64().expect("v"))
        .collect();
    assert_eq!(votes, [28, 33, 28], "{result}");
    // Agree, percentage of B = 40, disagree.
    let expected = [
        ("Nguyễn Văn An", "28", "70,00%", "5"),
        ("Trần Thị Bình", "33", "82,50%", "0"),
        ("Lê Văn Cường", "28", "70,00%", "8"),
    ];
    let (pdf, word) = minutes(&server, round);
    assert!(word.contains("Không đồng ý"), "{word}");
    for (i, (name, agree, percent, disagree)) in expected.iter().enumerate() {
        let row = format!("{} {name} {agree} {percent} {disagree}", i + 1);
        assert!(word.contains(&row), "the Word minutes lack \"{row}\":\n{word}");
    }
    if !poppler() {
        return;
    }
    let t = pdf_text(&pdf);
    assert!(t.contains("Không đồng ý"), "{t}");
    for (name, agree, percent, disagree) in expected {
        let line = t
            .lines()
            .find(|l| l.contains(name) && l.contains('%') && !l.trim_end().ends_with('%'))
            .unwrap_or_else(|| panic!("no agree/disagree line for {name}:\n{t}"));
        let cells: Vec<&str> = line.split_whitespace().rev().take(3).collect();
        assert_eq!(cells, [disagree, percent, agree], "{line}");
    }
}

/// `baucu simulate` records the congress's opening votes; every round's minutes are signed by the
/// counting board the congress voted (a head and four members; the technical staff do not sign).
#[test]
fn show_of_hands_simulated_congress_has_a_voted_board() {
    use baucu_app::votes::{Subject, VoteRole};
    let dir = tempfile::tempdir().expect("temp");
    let data = dir.path().join("data");
    let out = baucu().args(["simulate", "--seed", "11", "--data"]).arg(&data).output().expect("simulate");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let votes = runtime.block_on(async {
        let store = baucu_app::baucu_store::Store::open(&data.join("baucu.sqlite")).expect("open");
        let app = baucu_app::App::new(store, std::sync::Arc::new(baucu_app::SystemClock));
        let votes = app.votes(&baucu_app::Actor::system()).await.expect("votes");
        app.store().close();
        votes
    });
    let subjects: Vec<Subject> = votes.iter().map(|v| v.subject).collect();
    assert_eq!(subjects, [Subject::Presidium, Subject::Secretariat, Subject::CountingBoard]);
    let board = &votes[2];
    let named = |role: VoteRole| -> Vec<String> {
        board.persons.iter().filter(|p| p.role == role).map(|p| p.name.clone()).collect()
    };
    let (head, members, technical) =
        (named(VoteRole::Head), named(VoteRole::Member), named(VoteRole::Technical));
    assert_eq!((head.len(), members.len(), technical.len()), (1, 4, 1), "{board:?}");
    assert!(board.votes_for <= board.present && board.present > 0);
    let mut minutes: Vec<_> = std::fs::read_dir(data.join("documents"))
        .expect("documents")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.to_string_lossy().ends_with("-bien-ban-kiem-phieu.docx"))
        .collect();
    minutes.sort();
    assert!(!minutes.is_empty());
    for path in &minutes {
        let text = docx_text(&std::fs::read(path).expect("read"));
        assert_eq!(text.matches("(Ký, ghi rõ họ tên)").count(), 5, "{}", path.display());
        let signatures = text.rsplit("ký tên.").next().expect("signatures");
        let mut at = 0;
        for name in head.iter().chain(&members) {
            let found = signatures[at..]
                .find(name.as_str())
                .unwrap_or_else(|| panic!("{name} does not sign {}", path.display()));
            at += found + name.len();
        }
        assert!(!text.contains(technical[0].as_str()), "technical staff do not sign {}", path.display());
    }
}

const PLENUM: &str = "Hội nghị lần thứ nhất Ban Chấp hành Đảng bộ xã Thượng Kiệm khóa XXVI";

/// Issues as many ballots as `codes`, hands one stack to op1 and op2, keys `codes` in both entries
/// and closes the round: the close's answer.
fn issue_count_close(server: &Server, round: i64, codes: &[String], key: &str) -> Value {
    let head = Client::login(&server.addr, "head", SMALL_PASSWORD);
    let papers = codes.len();
    head.post(&format!("/api/rounds/{round}/issued"), json!({ "issued": papers, "collected": papers }));
    let view = head.get(&format!("/api/rounds/{round}"));
    let ops = [operator_id(&view, "op1"), operator_id(&view, "op2")];
    head.post(
        &format!("/api/rounds/{round}/stacks"),
        json!({ "name": "Chồng 1", "papers": papers, "operators": ops, "key": key }),
    );
    let view = head.get(&format!("/api/rounds/{round}"));
    let entries = [0, 1].map(|i| view["stacks"][0]["entries"][i]["id"].as_i64().expect("entry"));
    for (user, entry) in [("op1", entries[0]), ("op2", entries[1])] {
        let op = Client::login(&server.addr, user, SMALL_PASSWORD);
        for (i, code) in codes.iter().enumerate() {
            op.post(
                &format!("/api/entries/{entry}/ballots"),
                json!({ "code": code, "key": format!("{key}-{user}-{i}") }),
            );
        }
        op.post(&format!("/api/entries/{entry}/finish"), json!({}));
    }
    head.post(&format!("/api/rounds/{round}/close"), json!({ "confirm": true }))
}

/// The first plenum votes by show of hands as an assembly of its own: after the committee of 9 is
/// decided and the plenum summoned with one member absent, its counting-board vote is bounded by the
/// plenum's 8 present (9 refused), refuses a person who is not a member, an election the congress
/// holds and an unknown assembly; the list of votes names the assembly of each; the plenum's round
/// is signed by the plenum's board (not the congress's, technical staff not signing), the congress's
/// round by the congress's; the congress's vote is unchanged.
#[test]
fn show_of_hands_at_the_first_plenum() {
    let dir = tempfile::tempdir().expect("temp");
    let data = dir.path().join("data");
    add_small_accounts(&data, &baucu);
    let server = start(&data, false);
    let org = Client::login(&server.addr, "org", SMALL_PASSWORD);
    let pres = Client::login(&server.addr, "pres", SMALL_PASSWORD);
    let head = Client::login(&server.addr, "head", SMALL_PASSWORD);
    org.call(
        "PUT",
        "/api/congress",
        Some(&json!({ "name": "Đại hội Đảng bộ xã Thượng Kiệm lần thứ XXVI",
            "organisation": "Đảng bộ xã Thượng Kiệm", "level": "grassroots",
            "assembly_kind": "members_congress", "term": "2025–2030", "opens_on": "20/05/2025" })),
    );
    let names: Vec<String> = (0..30).map(|i| format!("Ngô Văn Số {:02}", i + 1)).collect();
    let people = roster_present(&org, &names);
    let name_of = |id: i64| -> String {
        people.iter().find(|p| p["id"] == id).expect("person")["full_name"].as_str().expect("name").to_owned()
    };
    let id = |n: usize| people[n]["id"].as_i64().expect("id");

    // The congress votes its counting board: three who will not sit in the plenum.
    let (c_head, c_m1, c_m2) = (id(20).to_string(), id(21).to_string(), id(22).to_string());
    let congress_board = [name_of(id(20)), name_of(id(21)), name_of(id(22))];
    assert_eq!(
        post_vote(
            &org,
            &[
                ("subject", "counting_board"),
                ("head", &c_head),
                ("member", &c_m1),
                ("member", &c_m2),
                ("votes_for", "30"),
                ("votes_against", "0"),
            ]
        ),
        Ok("Đã ghi biểu quyết.".to_owned())
    );
    let congress_row = vote_rows(&org);
    assert_eq!(congress_row.len(), 1);
    assert!(congress_row[0].contains("Đại hội Bầu ban kiểm phiếu"), "{}", congress_row[0]);

    // The committee of 9 from a list of 10: every ballot strikes the tenth name.
    let committee = org.post(
        "/api/elections",
        json!({ "body": "committee", "seats": "9", "seats_for": "30", "seats_against": "0" }),
    )["id"]
        .as_i64()
        .expect("election");
    for p in &people[..10] {
        org.post(
            &format!("/api/elections/{committee}/candidates"),
            json!({ "person_id": p["id"], "source": "convening" }),
        );
    }
    let approval =
        pres.post(&format!("/api/elections/{committee}/approval"), json!({ "in_favour": 30, "against": 0 }));
    assert_eq!(approval["passed"], true, "{approval}");
    let committee_round = pres
        .post(&format!("/api/elections/{committee}/rounds"), json!({ "entries_per_stack": 2 }))["id"]
        .as_i64()
        .expect("round");
    let result = issue_count_close(&server, committee_round, &vec!["x:10".to_owned(); 30], "committee");
    assert_eq!(result["next_step"], "complete", "{result}");
    let members: Vec<i64> = head.get(&format!("/api/rounds/{committee_round}"))["round"]["candidate_ids"]
        .as_array()
        .expect("ids")[..9]
        .iter()
        .map(|v| v.as_i64().expect("id"))
        .collect();
    let m = |i: usize| members[i].to_string();

    // Before the plenum is summoned it cannot vote.
    let plenum = ("assembly", "plenum:committee");
    let early = post_vote(
        &org,
        &[
            plenum,
            ("subject", "other"),
            ("detail", "Thông qua chương trình"),
            ("votes_for", "1"),
            ("votes_against", "0"),
        ],
    );
    assert!(early.as_ref().is_err_and(|e| e.contains("Chưa triệu tập hội nghị lần thứ nhất")), "{early:?}");

    // Summoned from the committee's result; all but the last member check in.
    let sitting =
        org.post("/api/plenums", json!({ "body": "committee" }))["sitting_id"].as_i64().expect("sitting");
    for pid in &members[..8] {
        org.post(
            "/api/attendance/check-in",
            json!({ "sitting_id": sitting, "person_id": pid, "present": true }),
        );
    }

    // The page: the plenum chosen, its sitting and 8 present; only its members may be chosen.
    let html = page(&org, "/votes?assembly=plenum:committee");
    let form = strip_tags(html.split("Ghi một biểu quyết").nth(1).expect("the form"));
    assert!(form.contains("Hội nghị biểu quyết: Hội nghị lần thứ nhất Ban Chấp hành . Phiên họp"), "{form}");
    assert!(form.contains(&format!("Phiên họp hiện tại: {PLENUM} — 8 người có mặt")), "{form}");
    for pid in &members {
        assert!(form.contains(&name_of(*pid)), "member {pid} offered: {form}");
    }
    for p in people.iter().filter(|p| !members.contains(&p["id"].as_i64().expect("id"))) {
        let n = p["full_name"].as_str().expect("name");
        assert!(!form.contains(n), "{n} is no member of the plenum: {form}");
    }
    assert!(html.contains(r#"<option value="plenum:committee" selected>"#), "{html}");
    assert!(!form.contains("Bầu ban chấp hành"), "the congress's election is not the plenum's: {form}");
    let congress_form = page(&org, "/votes");
    assert!(congress_form.contains(r#"<option value="congress" selected>"#), "the congress by default");
    assert!(congress_form.contains("Bầu ban chấp hành"), "{congress_form}");

    // Refusals: above the plenum's present, a non-member, the congress's election, an unknown assembly.
    let (h, m1, m2) = (m(0), m(1), m(2));
    let board = |votes_for: &'static str| -> Vec<(&'static str, String)> {
        vec![
            ("assembly", "plenum:committee".into()),
            ("subject", "counting_board".into()),
            ("votes_for", votes_for.into()),
            ("votes_against", "0".into()),
        ]
    };
    let send = |fields: &[(&'static str, String)]| {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        post_vote(&org, &fields)
    };
    let mut above = board("9");
    above.extend([("head", h.clone()), ("member", m1.clone())]);
    let answer = send(&above);
    assert!(
        answer.as_ref().is_err_and(|e| e
            .contains(&format!("Tổng số biểu quyết (9) vượt quá số người có mặt ở phiên \"{PLENUM}\" (8)"))),
        "{answer:?}"
    );
    let mut outsider = board("8");
    outsider.extend([("head", h.clone()), ("member", c_head.clone())]);
    let answer = send(&outsider);
    assert!(
        answer
            .as_ref()
            .is_err_and(|e| e
                .contains(&format!("{} không phải ủy viên ban chấp hành vừa được bầu", congress_board[0]))),
        "{answer:?}"
    );
    let committee_id = committee.to_string();
    let answer = post_vote(
        &org,
        &[
            plenum,
            ("subject", "seats"),
            ("election_id", &committee_id),
            ("seats", "9"),
            ("votes_for", "8"),
            ("votes_against", "0"),
        ],
    );
    assert!(answer.as_ref().is_err_and(|e| e.contains("do Đại hội tiến hành")), "{answer:?}");
    let answer = post_vote(
        &org,
        &[
            ("assembly", "plenum:delegates"),
            ("subject", "other"),
            ("detail", "x"),
            ("votes_for", "1"),
            ("votes_against", "0"),
        ],
    );
    assert!(
        answer.as_ref().is_err_and(|e| e.contains("Không có hội nghị \"plenum:delegates\"")),
        "{answer:?}"
    );
    assert_eq!(vote_rows(&org), congress_row, "a refused vote records nothing");

    // The plenum's board: a head and two members of the plenum, with a technician.
    let mut fields = board("8");
    fields.extend([
        ("head", h.clone()),
        ("member", m1.clone()),
        ("member", m2.clone()),
        ("technical", "Đào Văn Máy".into()),
    ]);
    assert_eq!(send(&fields), Ok("Đã ghi biểu quyết.".to_owned()));
    let plenum_board = [name_of(members[0]), name_of(members[1]), name_of(members[2])];
    let rows = vote_rows(&org);
    assert_eq!(rows.len(), 2, "{rows:#?}");
    assert_eq!(rows[0], congress_row[0], "the congress's vote is unchanged");
    assert!(rows[0].contains("30 30 0 —"), "{}", rows[0]);
    assert!(rows[1].contains("Hội nghị lần thứ nhất Ban Chấp hành Bầu ban kiểm phiếu"), "{}", rows[1]);
    assert!(rows[1].contains(&format!("Trưởng ban: {}", plenum_board[0])), "{}", rows[1]);
    assert!(rows[1].contains("8 8 0 —"), "present, for, against, abstain: {}", rows[1]);
    let audit = strip_tags(&page(&org, "/audit"));
    assert!(
        audit.contains(&format!(
            "ghi biểu quyết của Hội nghị lần thứ nhất Ban Chấp hành — bầu ban kiểm phiếu: trưởng ban {}",
            plenum_board[0]
        )),
        "{audit}"
    );
    assert!(
        audit.contains(&format!(
            "ghi biểu quyết của đại hội — bầu ban kiểm phiếu: trưởng ban {}",
            congress_board[0]
        )),
        "{audit}"
    );

    // The standing committee, elected at the plenum: its minutes are signed by the plenum's board.
    let standing = org.post(
        "/api/elections",
        json!({ "body": "standing_committee", "seats": "3", "seats_for": "8", "seats_against": "0" }),
    )["id"]
        .as_i64()
        .expect("election");
    for pid in &members[3..7] {
        org.post(
            &format!("/api/elections/{standing}/candidates"),
            json!({ "person_id": pid, "source": "convening" }),
        );
    }
    let approval =
        pres.post(&format!("/api/elections/{standing}/approval"), json!({ "in_favour": 8, "against": 0 }));
    assert_eq!(approval["passed"], true, "{approval}");
    let standing_round = pres
        .post(&format!("/api/elections/{standing}/rounds"), json!({ "entries_per_stack": 2 }))["id"]
        .as_i64()
        .expect("round");
    let result = issue_count_close(&server, standing_round, &vec!["x:4".to_owned(); 8], "standing");
    assert_eq!(result["next_step"], "complete", "{result}");

    // The running script's plenum section reads the plenum's board; its opening, the congress's.
    let (status, script) = pres.download("/documents/files/kich-ban-dieu-hanh.docx");
    assert_eq!(status, 200);
    let script = docx_text(&script);
    assert!(
        script.contains(&format!("đồng chí {}, Trưởng Ban kiểm phiếu của hội nghị", plenum_board[0])),
        "{script}"
    );
    assert!(
        script.contains(&format!(
            "Trưởng ban: đồng chí {}; thành viên: các đồng chí {}, {}.",
            plenum_board[0], plenum_board[1], plenum_board[2]
        )),
        "{script}"
    );
    assert!(script.contains(&format!("đồng chí {}", congress_board[0])), "{script}");

    let (plenum_pdf, plenum_word) = minutes(&server, standing_round);
    let (congress_pdf, congress_word) = minutes(&server, committee_round);
    let check = |text: &str, signs: &[String; 3], not: &[String; 3], what: &str| {
        let signatures = text.rsplit("ký tên.").next().expect("signatures");
        let mut at = 0;
        for n in signs {
            let found = signatures[at..]
                .find(n.as_str())
                .unwrap_or_else(|| panic!("{n} does not sign {what}:\n{text}"));
            at += found + n.len();
        }
        for n in not {
            assert!(!signatures.contains(n.as_str()), "{n} signs {what}:\n{text}");
        }
        assert!(!text.contains("Đào Văn Máy"), "technical staff do not sign {what}");
        assert!(!text.contains("Lê Văn Trưởng Ban"), "the board comes from the vote: {what}");
    };
    check(&plenum_word, &plenum_board, &congress_board, "the plenum's Word minutes");
    assert_eq!(plenum_word.matches("(Ký, ghi rõ họ tên)").count(), 3, "{plenum_word}");
    check(&congress_word, &congress_board, &plenum_board, "the congress's Word minutes");
    if !poppler() {
        return;
    }
    let t = pdf_text(&plenum_pdf);
    assert!(t.contains(PLENUM), "the plenum's minutes:\n{t}");
    check(&t, &plenum_board, &congress_board, "the plenum's PDF minutes");
    assert_eq!(t.matches("TRƯỞNG BAN KIỂM PHIẾU").count(), 1, "{t}");
    assert_eq!(t.matches("THÀNH VIÊN BAN KIỂM PHIẾU").count(), 2, "{t}");
    check(&pdf_text(&congress_pdf), &congress_board, &plenum_board, "the congress's PDF minutes");
}
