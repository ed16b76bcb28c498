//! The whole commune congress of all members in headless Chromium against the real node (issue 11's
//! acceptance browser test). The page script is `tests/browser/whole_congress.mjs`; screenshots go
//! to `target/screenshots/whole-*.png`. Without Chromium and playwright-core it says so and skips,
//! unless `BAUCU_BROWSER_TESTS=required` (set by `scripts/test`).

mod support;

use serde_json::{Value, json};
use std::path::Path;
use std::process::Command;
use support::{Client, SMALL_PASSWORD, run_browser_script};

/// The congress's 24 members, in the order of the roster file.
const MEMBERS: [&str; 24] = [
    "Nguyễn Văn An",
    "Trần Thị Bình",
    "Lê Văn Cường",
    "Phạm Thị Dung",
    "Hoàng Văn Em",
    "Vũ Thị Giang",
    "Đặng Văn Hòa",
    "Bùi Thị Hương",
    "Đỗ Văn Khánh",
    "Ngô Thị Lan",
    "Dương Văn Minh",
    "Lý Thị Nga",
    "Phan Văn Oanh",
    "Võ Thị Phương",
    "Huỳnh Văn Quang",
    "Trịnh Thị Quyên",
    "Mai Văn Sơn",
    "Đinh Thị Tâm",
    "Lương Văn Thắng",
    "Tạ Thị Uyên",
    "Hà Văn Vinh",
    "Chu Thị Xuân",
    "Kiều Văn Yên",
    "Cao Thị Ánh",
];
const PLENUM_HEADING: &str = "Hội nghị lần thứ nhất Ban Chấp hành Đảng bộ xã Thượng Kiệm khóa XXVI";
const INSPECTION_HEADING: &str = "Hội nghị lần thứ nhất Ủy ban Kiểm tra Đảng ủy xã Thượng Kiệm khóa XXVI";

fn roster_xlsx(path: &Path) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["Họ và tên", "Ngày sinh", "Giới tính", "Dân tộc", "Tôn giáo", "Đảng viên", "Đơn vị"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *h).expect("write");
    }
    for (r, name) in MEMBERS.iter().enumerate() {
        let row = r as u32 + 1;
        let sex = if r % 2 == 0 { "Nam" } else { "Nữ" };
        sheet.write_string(row, 0, *name).expect("write");
        sheet.write_string(row, 1, format!("{:02}/0{}/19{}", 1 + r, 1 + r % 9, 60 + r)).expect("write");
        sheet.write_string(row, 2, sex).expect("write");
        sheet.write_string(row, 3, "Kinh").expect("write");
        sheet.write_string(row, 4, "Không").expect("write");
        sheet.write_string(row, 5, "Chính thức").expect("write");
        sheet.write_string(row, 6, if r < 12 { "Thôn Đông" } else { "Thôn Tây" }).expect("write");
    }
    book.save(path).expect("save roster");
}

/// pdftotext of a PDF, lines wrapped by the layout joined back and spaces collapsed.
fn pdf_text(path: &str) -> String {
    let out = Command::new("pdftotext").arg("-layout").arg(path).arg("-").output().expect("pdftotext");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The names of a round's elected (or of its alternates) as the API answers them, sorted.
fn elected(round: &Value, key: &str) -> Vec<String> {
    let mut names = support::strings(&round["result"][key]);
    names.sort();
    names
}

/// `names`, sorted as [`elected`] sorts.
fn sorted(names: &[&str]) -> Vec<String> {
    let mut names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
    names.sort();
    names
}

#[test]
fn first_plenum_whole_commune_congress_in_the_browser() {
    if let Some(why) = support::browser_missing() {
        eprintln!("skipped: {why}");
        return;
    }
    let dir = tempfile::tempdir().expect("temp");
    let data = dir.path().join("data");
    let xlsx = dir.path().join("danh-sach.xlsx");
    roster_xlsx(&xlsx);
    let pdfs = dir.path().join("pdf");
    std::fs::create_dir_all(&pdfs).expect("pdf dir");
    support::add_small_accounts(&data, &support::baucu);
    let server = support::start(&data, false);
    let seen = run_browser_script(
        "whole_congress.mjs",
        &[
            ("BASE_URL", format!("http://{}", server.addr)),
            ("PASSWORD", SMALL_PASSWORD.into()),
            ("NAMES", json!(MEMBERS).to_string()),
            ("ROSTER_XLSX", xlsx.display().to_string()),
            ("OUT_DIR", pdfs.display().to_string()),
        ],
    );
    let head = Client::login(&server.addr, "head", SMALL_PASSWORD);
    let org = Client::login(&server.addr, "org", SMALL_PASSWORD);
    let round = |label: &str| {
        let id = seen["rounds"][label].as_i64().unwrap_or_else(|| panic!("no round {label}: {seen}"));
        head.get(&format!("/api/rounds/{id}"))["round"].clone()
    };

    assert_eq!(seen["roster_notice"], "Đã nhập: thêm 24 người, sửa 0 người.", "{seen}");

    // Show-of-hands votes recorded: presidium, secretariat, counting board.
    let votes = support::strings(&seen["votes"]);
    assert_eq!(votes.len(), 3, "{votes:?}");
    assert!(votes.iter().any(|v| v.contains("Bầu ban kiểm phiếu") && v.contains(MEMBERS[20])), "{votes:?}");

    // The committee: the planned tenth name struck by every ballot, the unplanned ninth elected;
    // the presidium saw both departures from the plan.
    let committee = round("committee");
    assert_eq!(committee["base"], 24, "{committee}");
    assert_eq!(elected(&committee, "elected"), sorted(&MEMBERS[..9]), "{committee}");
    let departures = support::strings(&seen["departures"]);
    assert_eq!(
        departures,
        [
            format!("Người dự kiến chưa trúng cử: {}", MEMBERS[9]),
            format!("Trúng cử ngoài phương án: {}", MEMBERS[8])
        ],
        "the planned name not elected and the unplanned one elected"
    );

    // The introduction poll keyed by two operators; the secretary elected directly by the congress
    // on the congress's base.
    assert_eq!(
        seen["secretary_poll_heading"],
        json!(["Lấy phiếu giới thiệu bí thư trong Ban Chấp hành mới"]),
        "the page asked for the introduction poll: {seen}"
    );
    assert_eq!(seen["secretary_poll_present"], "9", "among the new committee's nine");
    let poll = seen["rounds"]["introduction-poll"].as_i64().expect("poll round");
    let poll = head.get(&format!("/api/rounds/{poll}"));
    assert_eq!((&poll["round"]["poll"], &poll["round"]["number"]), (&json!(true), &json!(-1)), "{poll}");
    let nominees = &poll["poll_result"]["nominees"];
    assert_eq!((&poll["poll_result"]["present"], &nominees[0]["full_name"]), (&json!(9), &json!(MEMBERS[1])));
    assert_eq!((&nominees[0]["agree"], &nominees[0]["status"]), (&json!(9), &json!("listed")), "{poll}");
    assert_eq!(poll["stacks"][0]["entries"].as_array().map(Vec::len), Some(2), "{poll}");
    let secretary = round("secretary");
    assert_eq!(secretary["assembly"]["type"], "members_congress", "{secretary}");
    assert_eq!((&secretary["base"], &secretary["assembly"]["present"]), (&json!(24), &json!(24)));
    assert_eq!(elected(&secretary, "elected"), [MEMBERS[0]], "{secretary}");
    let attendance = org.get("/api/attendance");
    assert_eq!(attendance["report"]["base"], 24, "the congress's base: {attendance}");

    // Delegates and the alternate.
    assert_eq!(elected(&round("delegates"), "elected"), sorted(&MEMBERS[10..12]));
    let alternates = round("alternates");
    assert_eq!(alternates["purpose"], "alternates", "{alternates}");
    let mut chosen = elected(&alternates, "elected");
    chosen.extend(elected(&alternates, "alternates"));
    assert_eq!(chosen, [MEMBERS[12]], "{alternates}");

    // The first plenum: 9 summoned, 8 present, B = 9; its rounds on its assembly.
    let sitting = seen["plenum_sitting"].as_i64().expect("plenum sitting");
    let plenum = org.get(&format!("/api/attendance?sitting={sitting}"));
    assert_eq!(plenum["sitting"]["name"], PLENUM_HEADING, "{plenum}");
    let report = &plenum["report"];
    assert_eq!(
        (&report["summoned"], &report["present"], &report["absent"], &report["base"]),
        (&json!(9), &json!(8), &json!(1), &json!(9)),
        "{report}"
    );
    for label in ["standing", "deputies", "inspection", "chair"] {
        let r = round(label);
        assert_eq!(r["assembly"]["type"], "plenum", "{label}: {r}");
        assert_eq!((&r["assembly"]["present"], &r["base"]), (&json!(8), &json!(9)), "{label}: {r}");
    }
    assert_eq!(elected(&round("standing"), "elected"), sorted(&MEMBERS[..3]));
    assert_eq!(elected(&round("deputies"), "elected"), sorted(&MEMBERS[1..3]));
    assert_eq!(elected(&round("chair"), "elected"), [MEMBERS[2]]);

    // The inspection committee's first meeting: 3 summoned, 2 present, B = 3.
    let sitting = seen["inspection_sitting"].as_i64().expect("inspection sitting");
    let meeting = org.get(&format!("/api/attendance?sitting={sitting}"));
    assert_eq!(meeting["sitting"]["name"], INSPECTION_HEADING, "{meeting}");
    let report = &meeting["report"];
    assert_eq!((&report["summoned"], &report["present"], &report["base"]), (&json!(3), &json!(2), &json!(3)));
    assert_eq!(elected(&round("deputy-chair"), "elected"), [MEMBERS[14]]);

    // Every ballot and minutes of the plenum and of the meeting: its heading, its base, nothing of
    // the congress.
    let pdf_list = seen["pdfs"].as_array().expect("pdfs");
    assert_eq!(pdf_list.len(), 10, "{pdf_list:?}");
    for pdf in pdf_list {
        let label = pdf["label"].as_str().unwrap_or_default();
        let text = pdf_text(pdf["path"].as_str().expect("path"));
        let (heading, summoned, present, absent) =
            if label == "deputy-chair" { (INSPECTION_HEADING, 3, 2, 1) } else { (PLENUM_HEADING, 9, 8, 1) };
        assert!(text.contains(heading) && text.contains("2025–2030"), "{label} {}: {text}", pdf["kind"]);
        assert!(!text.contains("Đại hội Đảng bộ"), "{label} {}: {text}", pdf["kind"]);
        if pdf["kind"] == "minutes" {
            assert!(text.contains(&format!("Hội nghị: {heading}, nhiệm kỳ 2025–2030")), "{label}: {text}");
            assert!(text.contains(&format!("Tổng số ủy viên được triệu tập {summoned}")), "{label}: {text}");
            assert!(
                text.contains(&format!("Số ủy viên có mặt {present} Số ủy viên vắng mặt {absent}")),
                "{label}: {text}"
            );
            assert!(
                text.contains(&format!("Số làm căn cứ tính kết quả bầu cử {summoned}")),
                "{label}: {text}"
            );
            assert!(!text.contains("Tổng số đảng viên"), "{label}: {text}");
        }
    }
}
