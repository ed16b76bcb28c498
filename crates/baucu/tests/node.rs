//! The congress node as a process, against a real SQLite file: `baucu serve --demo` on port 0,
//! driven over HTTP; stopped and restarted, everything is there; `baucu audit verify` passes, and
//! after one audit row is edited with the `sqlite3` tool it fails naming that entry. A roster file
//! with four kinds of error is refused with all four, and nothing is imported.
//!
//! The tamper step needs the `sqlite3` command (`scripts/test` installs it); without it, and without
//! `BAUCU_BROWSER_TESTS=required`, that step says so and is skipped.

mod support;

use std::process::Command;
use support::{Client, start};

fn bad_roster() -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let rows = [
        ["Họ và tên", "Ngày sinh", "Giới tính", "Đảng viên"],
        ["", "01/01/1970", "Nam", "Chính thức"],
        ["Trần Văn Cường", "31/02/1980", "Nam", "Chính thức"],
        ["Lê Thị Dung", "01/01/1971", "Nữ", "Chính thức"],
        ["Lê Thị Dung", "01/01/1971", "Nữ", "Chính thức"],
        ["Phạm Văn Em", "05/05/1975", "Không rõ", "Chính thức"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *v).expect("write");
        }
    }
    book.save_to_buffer().expect("xlsx")
}

#[test]
fn the_node_keeps_everything_across_a_restart_and_its_audit_log_is_tamper_evident() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let server = start(&data, true);
    let client = Client::login(&server.addr, "bantochuc", support::DEMO_PASSWORD);
    assert_eq!(client.get("/api/persons").as_array().map(Vec::len), Some(150));

    // A roster file with an empty name, a bad date, a duplicate and an unknown sex: refused whole.
    let (status, reply) = client.post_bytes("/api/roster/import", "application/octet-stream", &bad_roster());
    assert_eq!(status, 422, "{reply}");
    let problems: Vec<(u64, String, String)> = reply["error"]["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| {
            (
                p["row"].as_u64().unwrap_or(0),
                p["column"].as_str().unwrap_or("").to_owned(),
                p["message"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let where_: Vec<(u64, &str)> = problems.iter().map(|(r, c, _)| (*r, c.as_str())).collect();
    assert_eq!(where_, [(2, "Họ và tên"), (3, "Ngày sinh"), (5, "Họ và tên"), (6, "Giới tính")]);
    assert!(problems[0].2.contains("để trống"), "{problems:?}");
    assert!(problems[1].2.contains("31/02/1980"), "{problems:?}");
    assert!(problems[2].2.contains("Trùng người với dòng 4"), "{problems:?}");
    assert!(problems[3].2.contains("Không rõ"), "{problems:?}");
    assert_eq!(client.get("/api/persons").as_array().map(Vec::len), Some(150), "nothing was imported");

    // Stop hard and start again: everything is there.
    drop(server);
    let server = start(&data, true);
    let client = Client::login(&server.addr, "doanchutich", support::DEMO_PASSWORD);
    assert_eq!(client.get("/api/persons").as_array().map(Vec::len), Some(150));
    let elections = client.get("/api/elections");
    assert_eq!(elections[0]["approved"], true, "{elections}");
    let detail = client.get(&format!("/api/elections/{}", elections[0]["id"]));
    assert_eq!(detail["ballot"].as_array().map(Vec::len), Some(16));
    assert_eq!(client.get("/api/attendance")["report"]["base"], 134);
    let openapi = client.get("/api/openapi.json");
    assert!(openapi["paths"]["/api/elections/{id}/poll"]["post"].is_object());
    drop(server);

    let verify = || {
        Command::new(env!("CARGO_BIN_EXE_baucu"))
            .args(["audit", "verify", "--data"])
            .arg(&data)
            .output()
            .expect("verify")
    };
    let ok = verify();
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stdout));
    assert!(String::from_utf8_lossy(&ok.stdout).contains("toàn vẹn"));

    let sqlite3 = Command::new("sqlite3").arg("-version").output();
    if sqlite3.is_err() {
        if std::env::var("BAUCU_BROWSER_TESTS").as_deref() == Ok("required") {
            panic!("the sqlite3 tool is required for the tamper test");
        }
        eprintln!("skipped the tamper step: the sqlite3 tool is not installed (scripts/test installs it)");
        return;
    }
    let tamper = Command::new("sqlite3")
        .arg(data.join("baucu.sqlite"))
        .arg("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET data = '{\"imported\":9999}' WHERE seq = 7;")
        .output()
        .expect("sqlite3");
    assert!(tamper.status.success(), "{}", String::from_utf8_lossy(&tamper.stderr));
    let broken = verify();
    assert_eq!(broken.status.code(), Some(1));
    let said = String::from_utf8_lossy(&broken.stdout);
    assert!(said.contains("mục số 7") && said.contains("bị sửa"), "{said}");
}
