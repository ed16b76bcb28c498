//! The congress set-up in headless Chromium against the real `baucu serve` binary and a real SQLite
//! file (issue 3's browser test). The page script is `tests/browser/congress.mjs` (playwright-core);
//! screenshots go to `target/screenshots/`.
//!
//! It needs Debian's `chromium`, Node.js and `tests/browser/node_modules`; `scripts/test` installs
//! them and sets `BAUCU_BROWSER_TESTS=required`, so in CI a missing piece fails the test. A plain
//! `cargo test` without them says so and skips.

mod support;

use baucu_rules::PersonName;
use baucu_rules::order::ballot_order;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;

const ROSTER: [(&str, &str, &str); 12] = [
    ("Nguyễn Văn An", "1970-03-02", "Nam"),
    ("Trần Thị Bích Ngọc", "1982-11-20", "Nữ"),
    ("Lê Quang Đức", "1965-07-15", "Nam"),
    ("Phạm Thị Ánh", "1990-01-09", "Nữ"),
    ("Đỗ Văn Ân", "1978-05-30", "Nam"),
    ("Hoàng Thị Yến", "1985-09-01", "Nữ"),
    ("Vũ Minh Hải", "1975-12-12", "Nam"),
    ("Nguyễn Thị Ánh", "1988-08-08", "Nữ"),
    ("Bùi Văn Bình", "1960-02-29", "Nam"),
    ("Đặng Thu Trang", "1992-04-04", "Nữ"),
    ("Ngô Đức Thắng", "1968-10-10", "Nam"),
    ("Lý Thị Hoa", "1979-06-06", "Nữ"),
];

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn roster_xlsx(path: &Path) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["Họ và tên", "Ngày sinh", "Giới tính", "Dân tộc", "Tôn giáo", "Đảng viên", "Đơn vị"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *h).expect("write");
    }
    for (r, (name, birth, sex)) in ROSTER.iter().enumerate() {
        let (y, m, d) = (&birth[..4], &birth[5..7], &birth[8..]);
        let row = r as u32 + 1;
        sheet.write_string(row, 0, *name).expect("write");
        sheet.write_string(row, 1, format!("{d}/{m}/{y}")).expect("write");
        sheet.write_string(row, 2, *sex).expect("write");
        sheet.write_string(row, 3, "Kinh").expect("write");
        sheet.write_string(row, 4, "Không").expect("write");
        sheet.write_string(row, 5, "Chính thức").expect("write");
        sheet.write_string(row, 6, "Thôn Đông").expect("write");
    }
    book.save(path).expect("save roster");
}

#[test]
fn congress_setup_in_the_browser() {
    if let Some(why) = support::browser_missing() {
        eprintln!("skipped: {why}; scripts/test installs what the browser test needs");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let xlsx = dir.path().join("danh-sach.xlsx");
    roster_xlsx(&xlsx);
    let server = support::start(&data, false);
    let url = format!("http://{}", server.addr);
    let password =
        server.admin_password.clone().expect("first start prints the administrator's one-time password");

    // 12 members, one away for the whole congress with an accepted reason and one simply absent:
    // B = 11, present 10. Committee of 3: convening 3, one nominee passes (> 30 % of 10 = 4 or more),
    // one fails (3).
    let plan = json!({ "seats": 3, "present": 10, "convening": [0, 3, 6], "passes": 4, "fails": 9,
                       "agree_pass": 7, "agree_fail": 3, "absent": [11, 10] });
    let roster_json: Vec<Value> = ROSTER.iter().map(|(n, b, _)| json!({ "name": n, "birth": b })).collect();
    let shots = repo().join("target/screenshots");
    let out = Command::new("node")
        .arg(repo().join("tests/browser/congress.mjs"))
        .env("BASE_URL", &url)
        .env("ADMIN_PASSWORD", &password)
        .env("ROSTER_XLSX", &xlsx)
        .env("ROSTER_JSON", Value::Array(roster_json).to_string())
        .env("PLAN_JSON", plan.to_string())
        .env("SCREENSHOT_DIR", &shots)
        .current_dir(repo().join("tests/browser"))
        .output()
        .expect("run node");
    assert!(
        out.status.success(),
        "browser script failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let seen: Value = serde_json::from_slice(
        out.stdout.rsplit(|b| *b == b'\n').find(|l| !l.is_empty()).unwrap_or_default(),
    )
    .expect("the script prints what it saw");

    // Search without diacritics found both Nguyễn.
    assert_eq!(seen["search"], json!(["Nguyễn Văn An", "Nguyễn Thị Ánh"]));
    // The base, line by line: 12 summoned, 1 absent with an accepted reason, B = 11, T = 6.
    let base = seen["base"].as_str().unwrap_or_default();
    assert!(base.contains("Tổng số đảng viên chính thức được triệu tập\t12"), "{base}");
    assert!(base.contains("vắng mặt cả đại hội có lý do được cấp ủy triệu tập chấp nhận\t- 1"), "{base}");
    assert!(base.contains("Số làm căn cứ tính kết quả bầu cử (B)\t= 11"), "{base}");
    assert!(base.contains("ít nhất\t6 phiếu"), "{base}");
    assert_eq!(seen["pass_status"], "Trong danh sách bầu cử");
    assert_eq!(seen["fail_status"], "Không đủ trên 30% đồng ý");
    // The ballot order on the page is the engine's Vietnamese order of the four names on the list.
    let listed: Vec<PersonName> =
        [0usize, 3, 6, 4].iter().map(|&i| PersonName::parse(ROSTER[i].0).expect("name")).collect();
    let expected: Vec<String> = ballot_order(&listed).into_iter().map(|i| listed[i].to_string()).collect();
    assert_eq!(seen["ballot"], json!(expected));
    assert_eq!(expected, ["Nguyễn Văn An", "Phạm Thị Ánh", "Đỗ Văn Ân", "Vũ Minh Hải"]);
    assert!(seen["layout"].as_str().unwrap_or_default().contains("danh sách có số dư"));
    assert!(seen["audit"].as_str().unwrap_or_default().contains("toàn vẹn"));
    // The counting board voted through the form: head, members and technical staff as recorded.
    let votes = seen["votes"].as_str().unwrap_or_default();
    assert!(votes.contains("Bầu ban kiểm phiếu"), "{votes}");
    for name in seen["board"].as_array().expect("board") {
        assert!(votes.contains(name.as_str().expect("name")), "{name} on {votes}");
    }
    assert!(votes.contains("Trần Văn Máy"), "{votes}");
    let documents = seen["documents"].as_str().unwrap_or_default();
    assert!(documents.contains("Báo cáo thẩm tra tư cách đại biểu"), "{documents}");
    assert!(documents.contains("Danh sách trích ngang"), "{documents}");
    drop(server);

    // Against the real SQLite file: restarted, everything is there and the audit chain verifies.
    let server = support::start(&data, false);
    let url2 = format!("http://{}", server.addr);
    let health = Command::new(env!("CARGO_BIN_EXE_baucu"))
        .args(["audit", "verify", "--data"])
        .arg(&data)
        .output()
        .expect("verify");
    assert!(health.status.success(), "{}", String::from_utf8_lossy(&health.stdout));
    assert!(url2.starts_with("http://127.0.0.1:"));
    drop(server);
}
