//! The election rules read to the congress (thể lệ bầu cử) and the presidium's running script (kịch
//! bản điều hành) of a simulated congress, read back: `baucu simulate --seed 7` makes a whole
//! congress, the real node serves it, both documents are downloaded in both formats from the
//! "Tài liệu đại hội" page and read back (`pdftotext`, the Word file's `word/document.xml`). Each
//! figure is checked against what the node gives through its JSON API: the seats and the list in
//! ballot order of each election, `B` and `T` of the attendance summary, the counting board the
//! round's record froze from the congress's vote, and the engine's sentence for each invalid reason.

mod support;

use serde_json::Value;
use std::io::Read;
use std::path::Path;
use std::process::Command;
use support::{Client, DEMO_PASSWORD, start};

fn simulate(data: &Path) {
    let out = Command::new(env!("CARGO_BIN_EXE_baucu"))
        .args(["simulate", "--seed", "7", "--data"])
        .arg(data)
        .output()
        .expect("run baucu simulate");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// Every run of white space as one space.
fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text of a PDF as `pdftotext` reads it (reading order, not layout), squashed.
fn pdf_text(bytes: &[u8]) -> String {
    assert!(
        bytes.starts_with(b"%PDF"),
        "not a PDF: {}",
        String::from_utf8_lossy(&bytes[..bytes.len().min(300)])
    );
    let dir = tempfile::tempdir().expect("temp");
    let file = dir.path().join("doc.pdf");
    std::fs::write(&file, bytes).expect("write");
    let out = Command::new("pdftotext").arg(&file).arg("-").output().expect("pdftotext (poppler-utils)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    squash(&String::from_utf8(out.stdout).expect("utf-8"))
}

/// The text of a Word file: every `<w:t>` of `word/document.xml`, in order, squashed.
fn docx_text(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    let mut xml = String::new();
    zip.by_name("word/document.xml").expect("document.xml").read_to_string(&mut xml).expect("read");
    let parts: Vec<&str> = xml
        .split("<w:t")
        .skip(1)
        .filter(|p| p.starts_with('>') || p.starts_with(' '))
        .filter_map(|p| p.split_once('>').and_then(|(_, r)| r.split("</w:t>").next()))
        .collect();
    squash(&parts.join(" ").replace("&quot;", "\""))
}

fn download(client: &Client, path: &str) -> Vec<u8> {
    let (status, bytes) = client.download(path);
    assert_eq!(status, 200, "{path}: {}", String::from_utf8_lossy(&bytes[..bytes.len().min(500)]));
    bytes
}

/// Both formats of one document of the "Tài liệu đại hội" page, as text.
fn both(client: &Client, stem: &str) -> [String; 2] {
    [
        pdf_text(&download(client, &format!("/documents/files/{stem}.pdf"))),
        docx_text(&download(client, &format!("/documents/files/{stem}.docx"))),
    ]
}

#[test]
fn running_script_and_rules_text_of_a_simulated_congress_read_back() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    simulate(&data);
    let server = start(&data, false);
    let presidium = Client::login(&server.addr, "doanchutich", DEMO_PASSWORD);

    let (status, page) = presidium.download("/documents");
    assert_eq!(status, 200);
    let page = String::from_utf8(page).expect("utf-8");
    for link in [
        "/documents/files/the-le-bau-cu.pdf",
        "/documents/files/the-le-bau-cu.docx",
        "/documents/files/kich-ban-dieu-hanh.pdf",
        "/documents/files/kich-ban-dieu-hanh.docx",
    ] {
        assert!(page.contains(link), "the documents page lacks {link}");
    }
    // Neither is a workbook.
    assert_eq!(presidium.download("/documents/files/the-le-bau-cu.xlsx").0, 404);
    assert_eq!(presidium.download("/documents/files/kich-ban-dieu-hanh.xlsx").0, 404);

    let attendance = presidium.get("/api/attendance");
    let report = &attendance["report"];
    let field = |name: &str| report[name].as_u64().unwrap_or_else(|| panic!("{name}: {report}"));
    let (summoned, present, base, threshold) =
        (field("summoned"), field("present"), field("base"), field("threshold"));
    assert_eq!(threshold, base / 2 + 1, "the API's threshold is the engine's");

    // The counting board as the congress voted it, from the votes page: the head, then the members.
    let (status, votes) = presidium.download("/votes");
    assert_eq!(status, 200);
    let votes = String::from_utf8(votes).expect("utf-8");
    let board = counting_board(&votes);
    assert!(board.len() >= 2, "{board:?}");

    let elections = presidium.get("/api/elections");
    let elections = elections.as_array().expect("elections");
    assert!(elections.len() >= 2, "{elections:?}");
    // The congress's elections first, then the first plenum's, each in the order defined.
    let mut ordered: Vec<(Value, Vec<String>)> = Vec::new();
    for plenum in [false, true] {
        for e in elections.iter().filter(|e| (e["assembly_kind"] == "plenum") == plenum) {
            let id = e["id"].as_i64().expect("id");
            let detail = presidium.get(&format!("/api/elections/{id}"));
            let ballot: Vec<String> = detail["ballot"]
                .as_array()
                .expect("ballot")
                .iter()
                .map(|c| c["full_name"].as_str().expect("name").to_owned())
                .collect();
            ordered.push((e.clone(), ballot));
        }
    }
    let committee = ordered
        .iter()
        .find(|(e, _)| e["body"] == "committee" && e["assembly_kind"] != "plenum")
        .expect("the committee election");
    assert!(committee.1.len() > 2, "{committee:?}");

    let rules = both(&presidium, "the-le-bau-cu");
    let script = both(&presidium, "kich-ban-dieu-hanh");
    for t in &rules {
        assert!(t.contains("THỂ LỆ BẦU CỬ") && t.contains("ĐẢNG CỘNG SẢN VIỆT NAM"), "{t}");
        assert!(t.contains("bầu bằng phiếu kín (Điều 3)"), "the principle: {t}");
        assert!(t.contains(&format!("B = {base}")) && t.contains(&format!("T = {threshold}")), "{t}");
        for reason in baucu_rules::InvalidReason::ALL {
            let sentence = capitalised(baucu_rules::messages::invalid_reason(reason));
            assert!(t.contains(&sentence), "invalid reason {sentence}: {t}");
        }
        let (head, members) = board.split_first().expect("board");
        assert!(t.contains(&format!("Đồng chí {head} — Trưởng ban")), "board head {head}: {t}");
        for m in members {
            assert!(t.contains(&format!("Đồng chí {m} — Thành viên")), "board member {m}: {t}");
        }
        // Every election of the congress (not the plenum's): its seats and its list in ballot order.
        let mut at = 0;
        for (e, ballot) in ordered.iter().filter(|(e, _)| e["assembly_kind"] != "plenum") {
            let title = e["title"].as_str().map(str::to_owned).unwrap_or_else(|| title_of(e));
            at += t[at..].find(&title).unwrap_or_else(|| panic!("{title} missing or out of order: {t}"));
            let seats = seats_line(e);
            assert!(t[at..].contains(&seats), "{title}: {seats}: {t}");
            at = in_order(t, at, ballot, &title);
        }
    }
    for t in &script {
        assert!(t.contains("KỊCH BẢN ĐIỀU HÀNH"), "{t}");
        assert!(t.contains(&format!("được triệu tập: {summoned}; có mặt: {present}")), "attendance: {t}");
        assert!(t.contains(&format!("là {base}; người trúng cử phải được ít nhất {threshold} phiếu")), "{t}");
        let (head, members) = board.split_first().expect("board");
        assert!(t.contains(&format!("Đồng chí {head} — Trưởng ban")), "board head {head}: {t}");
        for m in members {
            assert!(t.contains(&format!("Đồng chí {m} — Thành viên")), "board member {m}: {t}");
        }
        assert!(t.contains(&format!("Mời đồng chí {head} thay mặt Ban kiểm phiếu đọc thể lệ")), "{t}");
        // Every election, the first plenum's too: its seats and its list in ballot order.
        let mut at = 0;
        for (e, ballot) in &ordered {
            let title = e["title"].as_str().map(str::to_owned).unwrap_or_else(|| title_of(e));
            at += t[at..].find(&title).unwrap_or_else(|| panic!("{title} missing or out of order: {t}"));
            let seats = format!("Số lượng cần bầu: {}", seats_number(e));
            assert!(t[at..].contains(&seats), "{title}: {seats}: {t}");
            at = in_order(t, at, ballot, &title);
        }
        if ordered.iter().any(|(e, _)| e["assembly_kind"] == "plenum") {
            assert!(t.contains("Hội nghị lần thứ nhất"), "{t}");
        }
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn number(e: &Value, field: &str) -> u64 {
    e[field].as_u64().unwrap_or_else(|| panic!("{field}: {e}"))
}

/// The election's title as the app writes it ("Bầu ban chấp hành"), when the API does not give it.
fn title_of(e: &Value) -> String {
    let body = match e["body"].as_str().expect("body") {
        "committee" => "ban chấp hành",
        "standing_committee" => "ban thường vụ",
        "secretary" => "bí thư",
        "deputy_secretary" => "phó bí thư",
        "inspection_committee" => "ủy ban kiểm tra",
        "inspection_chair" => "chủ nhiệm ủy ban kiểm tra",
        "inspection_deputy_chair" => "phó chủ nhiệm ủy ban kiểm tra",
        "delegates" => "đại biểu dự đại hội cấp trên",
        other => panic!("unknown body {other}"),
    };
    let both = e["body"] == "delegates" && number(e, "alternate_seats") > 0;
    format!("Bầu {body}{}", if both { " (chính thức và dự khuyết)" } else { "" })
}

/// How the rules text states the seats of a congress election.
fn seats_line(e: &Value) -> String {
    let seats = number(e, "seats");
    if e["body"] == "delegates" {
        format!("{seats} đại biểu chính thức")
    } else {
        format!("Số lượng cần bầu: {seats} đồng chí")
    }
}

/// How the running script states the seats of an election.
fn seats_number(e: &Value) -> String {
    let (seats, alternates) = (number(e, "seats"), number(e, "alternate_seats"));
    if e["body"] == "delegates" && alternates > 0 {
        format!("{seats} chính thức, {alternates} dự khuyết")
    } else {
        seats.to_string()
    }
}

/// `names` appear in `text` from `from` on, each after the one before; the end of the last.
fn in_order(text: &str, from: usize, names: &[String], what: &str) -> usize {
    let mut at = from;
    for name in names {
        let found = text[at..]
            .find(name.as_str())
            .unwrap_or_else(|| panic!("{what}: {name} missing or out of ballot order: {text}"));
        at += found + name.len();
    }
    at
}

/// The counting board of the votes page's latest vote on it: the head, then the members.
fn counting_board(page: &str) -> Vec<String> {
    let row = page
        .rsplit("<tr>")
        .find(|r| r.contains("Bầu ban kiểm phiếu") && r.contains("Trưởng ban: "))
        .unwrap_or_else(|| panic!("no vote on the counting board: {page}"));
    let line = |label: &str| {
        row.split(&format!("<div>{label}: "))
            .nth(1)
            .and_then(|r| r.split("</div>").next())
            .unwrap_or_else(|| panic!("{label}: {row}"))
            .to_owned()
    };
    let mut out = vec![line("Trưởng ban")];
    out.extend(line("Thành viên").split(", ").map(str::to_owned));
    out
}

/// The links of a page's `<a href=…>`, in order.
fn links(page: &str) -> Vec<String> {
    page.split("<a ")
        .skip(1)
        .filter_map(|a| a.split("href=\"").nth(1).and_then(|r| r.split('"').next()).map(str::to_owned))
        .collect()
}

/// The guided screen follows the live state: on a fresh demo congress (the setup done, nothing
/// counted) the next step is a link and every later step is not; on the simulated congress, where
/// every round is closed, decided and published, every step is done and no step is linked.
#[test]
fn running_script_guide_follows_the_live_state() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    simulate(&data);
    let server = start(&data, false);
    let presidium = Client::login(&server.addr, "doanchutich", DEMO_PASSWORD);
    let (status, page) = presidium.download("/guide");
    assert_eq!(status, 200);
    let page = String::from_utf8(page).expect("utf-8");
    assert!(page.contains("Đã xong mọi bước đã ghi."), "{page}");
    assert!(!page.contains("← bước tiếp theo") && !page.contains("(chờ bước trước)"), "{page}");
    for step in
        ["✓ Điểm danh, báo cáo số có mặt", "✓ Biểu quyết bầu Ban kiểm phiếu", "✓ Lần bầu 1: công bố kết quả"]
    {
        assert!(page.contains(step), "{step}: {page}");
    }
    // No step link: only the frame's navigation and the two documents.
    assert!(
        !links(&page).iter().any(|l| l.starts_with("/rounds/") || l.starts_with("/elections/")),
        "{page}"
    );
    drop(server);

    let dir = tempfile::tempdir().expect("temp dir");
    let fresh = dir.path().join("demo");
    let server = start(&fresh, true);
    let presidium = Client::login(&server.addr, "doanchutich", DEMO_PASSWORD);
    let (status, page) = presidium.download("/guide");
    assert_eq!(status, 200);
    let page = String::from_utf8(page).expect("utf-8");
    let next = page.split("Bước tiếp theo: ").nth(1).expect("a next step");
    let target = next.split("href=\"").nth(1).and_then(|r| r.split('"').next()).expect("its link");
    // The one step linked in the list is that same step; the later ones wait.
    let listed: Vec<&str> = page.split("← bước tiếp theo").collect();
    assert_eq!(listed.len(), 2, "one next step: {page}");
    assert!(listed[0].rsplit("href=\"").next().is_some_and(|l| l.starts_with(target)), "{target}: {page}");
    assert!(page.contains("(chờ bước trước)"), "{page}");
    let (status, _) = presidium.download(target);
    assert_eq!(status, 200, "{target}");
}
