//! Bounded inputs, through the real node: hostile spreadsheets (a huge declared area, a cell far away,
//! zip bombs, a zip of many files, a file lying about its size) are refused with a Vietnamese sentence
//! naming the problem while the node's peak memory stays under 300 MB; the entry screen keeps
//! answering while an import runs, and a second import meanwhile is told to wait; texts and counts
//! over their limits are refused; `baucu evaluate` reads a case that starts with a UTF-8 BOM.

mod support;

use serde_json::Value;
use std::io::Write;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use support::{Client, SMALL_PASSWORD, http, small_congress};
use zip::write::SimpleFileOptions;

/// The acceptance bound of the node's peak resident memory, in kB.
const PEAK_RSS_LIMIT_KB: u64 = 300 * 1024;

const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Danh sách" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;
const PACKAGE_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const HEADER: [&str; 4] = ["Họ và tên", "Ngày sinh", "Giới tính", "Đảng viên"];

/// A text cell.
fn cell(at: &str, text: &str) -> String {
    format!(r#"<c r="{at}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}

/// A worksheet: an optional `<dimension>` and rows of (row number, cells).
fn sheet(dimension: Option<&str>, rows: &[(u32, String)]) -> String {
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#,
    );
    if let Some(d) = dimension {
        xml.push_str(&format!(r#"<dimension ref="{d}"/>"#));
    }
    xml.push_str("<sheetData>");
    for (r, cells) in rows {
        xml.push_str(&format!(r#"<row r="{r}">{cells}</row>"#));
    }
    xml.push_str("</sheetData></worksheet>");
    xml
}

/// The header row of the roster, in row 1.
fn header_row() -> (u32, String) {
    (1, HEADER.iter().zip(["A1", "B1", "C1", "D1"]).map(|(h, at)| cell(at, h)).collect())
}

/// An `.xlsx` written by hand: the workbook's parts, the worksheet, and `extra` files.
fn hand_xlsx(sheet_xml: &str, extra: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let parts: [(&str, &[u8]); 4] = [
        ("_rels/.rels", PACKAGE_RELS.as_bytes()),
        ("xl/workbook.xml", WORKBOOK.as_bytes()),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.as_bytes()),
        ("xl/worksheets/sheet1.xml", sheet_xml.as_bytes()),
    ];
    for (name, bytes) in parts {
        zip.start_file(name, options).expect("zip entry");
        zip.write_all(bytes).expect("zip write");
    }
    for (name, bytes) in extra {
        zip.start_file(name.as_str(), options).expect("zip entry");
        zip.write_all(bytes).expect("zip write");
    }
    zip.finish().expect("zip").into_inner()
}

/// Sets the uncompressed size that the zip declares for `name` (local header and central directory)
/// to `size`: a file that unpacks to far more than it says.
fn lie_about_size(mut bytes: Vec<u8>, name: &str, size: u32) -> Vec<u8> {
    let mut patched = 0;
    let mut i = 0;
    while i + 46 < bytes.len() {
        let sig = u32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
        let (name_len_at, name_at, size_at) = match sig {
            0x0403_4b50 => (i + 26, i + 30, i + 22),
            0x0201_4b50 => (i + 28, i + 46, i + 24),
            _ => {
                i += 1;
                continue;
            }
        };
        let len = usize::from(u16::from_le_bytes([bytes[name_len_at], bytes[name_len_at + 1]]));
        if bytes.get(name_at..name_at + len) == Some(name.as_bytes()) {
            bytes[size_at..size_at + 4].copy_from_slice(&size.to_le_bytes());
            patched += 1;
        }
        i += 4;
    }
    assert_eq!(patched, 2, "the local header and the central directory of {name}");
    bytes
}

/// Posts a file to the API's import: (status, the error's message and its problems' messages).
fn import_api(client: &Client, bytes: &[u8]) -> (u16, String) {
    let (status, reply) = client.post_bytes("/api/roster/import", "application/octet-stream", bytes);
    let mut text = reply["error"]["message"].as_str().unwrap_or("").to_owned();
    for p in reply["error"]["problems"].as_array().into_iter().flatten() {
        text.push(' ');
        text.push_str(p["message"].as_str().unwrap_or(""));
    }
    (status, text)
}

/// Posts a file to the page's import as the browser does (multipart): (status, the page).
fn import_page(client: &Client, bytes: &[u8]) -> (u16, String) {
    let boundary = "----baucu-limits-test";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"danh-sach.xlsx\"\r\nContent-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let content_type = format!("multipart/form-data; boundary={boundary}");
    let (status, _, reply) = http(
        &client.addr,
        "POST",
        "/roster/import",
        &[("Cookie", &client.cookie), ("x-csrf-token", &client.csrf), ("Content-Type", &content_type)],
        &body,
    )
    .expect("request");
    (status, String::from_utf8_lossy(&reply).into_owned())
}

/// Sends a body larger than the route takes; the node may answer and close before it has all of it,
/// so writing stops at the first refusal and the answer is read then: (status, head, body).
fn post_oversize(client: &Client, path: &str, content_type: &str, body: &[u8]) -> (u16, String, String) {
    use std::io::Read;
    let mut stream = std::net::TcpStream::connect(&client.addr).expect("connect");
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\nCookie: {}\r\nx-csrf-token: {}\r\nContent-Type: {content_type}\r\n\r\n",
        client.addr,
        body.len(),
        client.cookie,
        client.csrf
    );
    stream.write_all(head.as_bytes()).expect("write head");
    for chunk in body.chunks(64 * 1024) {
        if stream.write_all(chunk).is_err() {
            break;
        }
    }
    let mut raw = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    while let Ok(n) = stream.read(&mut buf) {
        if n == 0 {
            break;
        }
        raw.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    (status, head.to_owned(), body.to_owned())
}

/// A JSON body, or null.
fn json(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or(Value::Null)
}

/// The peak resident memory of a process so far (`VmHWM`), in kB.
fn peak_rss_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM")
}

#[test]
fn hostile_spreadsheets_are_refused_by_name_and_the_node_stays_under_300_mb() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (server, _, _, _) = small_congress(&dir.path().join("data"), 4);
    let org = Client::login(&server.addr, "org", SMALL_PASSWORD);
    let persons = |c: &Client| c.get("/api/persons").as_array().map_or(0, Vec::len);
    assert_eq!(persons(&org), 60);

    // The hand-made skeleton is a workbook the importer reads: one person is added.
    let person = (
        2,
        [("A2", "Vũ Thị Thử"), ("B2", "02/09/1985"), ("C2", "Nữ"), ("D2", "Chính thức")]
            .iter()
            .map(|(at, t)| cell(at, t))
            .collect::<String>(),
    );
    let good = hand_xlsx(&sheet(Some("A1:D2"), &[header_row(), person.clone()]), &[]);
    assert_eq!(import_api(&org, &good).0, 200);
    assert_eq!(persons(&org), 61);

    // (file, where it is refused, what the refusal must say)
    let huge_area =
        hand_xlsx(&sheet(Some("A1:XFD1048576"), &[header_row(), (1_048_576, cell("XFD1048576", "x"))]), &[]);
    let far_cell = hand_xlsx(&sheet(None, &[header_row(), (1_000_000, cell("CV1000000", "x"))]), &[]);
    let wide_cell = hand_xlsx(&sheet(None, &[header_row(), (2, cell("BZ2", "x"))]), &[]);
    // 40 MB of one byte packs to about 40 kB: over the size of one part.
    let big_part = hand_xlsx(
        &sheet(Some("A1:D2"), &[header_row(), person.clone()]),
        &[("xl/media/anh.bin".to_owned(), vec![b' '; 40 * 1024 * 1024])],
    );
    // 20 MB (under the size of one part) packed a thousandfold: a zip bomb by its ratio.
    let bomb = hand_xlsx(
        &sheet(Some("A1:D2"), &[header_row(), person.clone()]),
        &[("xl/sharedStrings.xml".to_owned(), vec![b' '; 20 * 1024 * 1024])],
    );
    // 60 MB of shared strings declared as 1 kB: the zip reader stops at the declared size.
    let liar = lie_about_size(
        hand_xlsx(
            &sheet(Some("A1:D2"), &[header_row(), person.clone()]),
            &[("xl/sharedStrings.xml".to_owned(), vec![b' '; 60 * 1024 * 1024])],
        ),
        "xl/sharedStrings.xml",
        1024,
    );
    let many_files = hand_xlsx(
        &sheet(Some("A1:D2"), &[header_row(), person]),
        &(0..600).map(|i| (format!("xl/ghi-chu/{i}.xml"), b"<a/>".to_vec())).collect::<Vec<_>>(),
    );
    let not_xlsx = b"PK\x03\x04 not really a zip".to_vec();
    let cases: [(&str, &Vec<u8>, &str); 8] = [
        (
            "huge declared area",
            &huge_area,
            "vùng dữ liệu tới ô XFD1048576, quá lớn: danh sách tối đa 20.000 dòng và 60 cột",
        ),
        ("far cell", &far_cell, "dữ liệu tới ô CV1000000, quá lớn: danh sách tối đa 20.000 dòng và 60 cột"),
        ("wide cell", &wide_cell, "dữ liệu tới ô BZ2, quá lớn"),
        ("big part", &big_part, "giải nén ra 40 MB, quá giới hạn 32 MB"),
        ("zip bomb", &bomb, "nén bất thường"),
        ("size liar", &liar, "không phải là bảng tính Excel (.xlsx) hợp lệ"),
        ("many files", &many_files, "chứa 604 tệp con, quá nhiều"),
        ("not a zip", &not_xlsx, "không phải là bảng tính Excel (.xlsx) hợp lệ"),
    ];
    for (what, bytes, says) in cases {
        let (status, text) = import_api(&org, bytes);
        assert_eq!(status, 422, "{what}: {text}");
        assert!(text.contains(says), "{what}: {text}");
        let (status, page) = import_page(&org, bytes);
        assert_eq!(status, 422, "{what} (page)");
        assert!(page.contains(says.split('"').next().unwrap_or(says)), "{what} (page): {page}");
    }
    assert_eq!(persons(&org), 61, "nothing of a refused file is imported");

    // A body over the upload's limit is refused before it is read, in Vietnamese.
    let oversize = vec![0u8; 9 * 1024 * 1024];
    let (status, _, reply) = post_oversize(&org, "/api/roster/import", "application/octet-stream", &oversize);
    let reply = json(&reply);
    assert_eq!(status, 413, "{reply}");
    assert_eq!(reply["error"]["code"], "too_large", "{reply}");
    assert!(reply["error"]["message"].as_str().is_some_and(|m| m.contains("quá lớn")), "{reply}");

    // Through the page, the browser is sent back to the roster with the reason.
    let boundary = "----baucu-limits-oversize";
    let mut form = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"lon.xlsx\"\r\n\r\n"
    )
    .into_bytes();
    form.extend_from_slice(&oversize);
    form.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let (status, head, _) =
        post_oversize(&org, "/roster/import", &format!("multipart/form-data; boundary={boundary}"), &form);
    assert_eq!(status, 303, "{head}");
    let location = head
        .lines()
        .find_map(|l| l.strip_prefix("location: ").or_else(|| l.strip_prefix("Location: ")))
        .expect("location");
    let query: Vec<(String, String)> =
        serde_urlencoded::from_str(location.split_once('?').map_or("", |(_, q)| q)).expect("query");
    assert!(query.iter().any(|(k, v)| k == "err" && v.contains("Tệp gửi lên lớn quá 8 MB")), "{location}");

    let peak = peak_rss_kb(server.child.id());
    eprintln!("peak RSS of the node after the hostile imports: {} MB", peak / 1024);
    assert!(peak < PEAK_RSS_LIMIT_KB, "peak RSS {peak} kB");
}

/// A roster of `people` rows whose last row has an unknown sex: read whole, then refused.
fn slow_refused_roster(people: u32) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in HEADER.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).expect("write");
    }
    for r in 1..=people {
        sheet.write_string(r, 0, format!("Trịnh Văn Số {r}")).expect("write");
        sheet
            .write_string(r, 1, format!("{:02}/{:02}/19{}", 1 + r % 28, 1 + r % 12, 50 + r % 40))
            .expect("write");
        sheet.write_string(r, 2, if r == people { "Không rõ" } else { "Nam" }).expect("write");
        sheet.write_string(r, 3, "Chính thức").expect("write");
    }
    book.save_to_buffer().expect("xlsx")
}

#[test]
fn entry_answers_while_an_import_runs_and_a_second_import_is_told_to_wait() {
    let dir = tempfile::tempdir().expect("temp dir");
    // One async worker thread: an import read on it would stall every other request until it ends;
    // read on the blocking pool, the entry screen keeps its answers coming.
    let (server, _, _, entries) =
        support::small_congress_started(&dir.path().join("data"), &support::SMALL_CANDIDATES, 4, |data| {
            let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_baucu"));
            cmd.env("TOKIO_WORKER_THREADS", "1");
            support::start_command(cmd, data, false)
        });
    let org = Client::login(&server.addr, "org", SMALL_PASSWORD);
    let op1 = Client::login(&server.addr, "op1", SMALL_PASSWORD);
    let file = Arc::new(slow_refused_roster(19_000));
    // Two imports at once: one is read (on the blocking pool), the other told to wait.
    let running = Arc::new(AtomicUsize::new(2));
    let imports: Vec<_> = (0..2)
        .map(|_| {
            let (org, file, running) = (org.clone(), Arc::clone(&file), Arc::clone(&running));
            std::thread::spawn(move || {
                let answer = import_api(&org, &file);
                running.fetch_sub(1, Ordering::SeqCst);
                answer
            })
        })
        .collect();
    // Meanwhile the entry screen's check answers: count the answers received while an import ran.
    let check = format!("/api/entries/{}/check?code=x:1", entries[0]);
    let mut during = 0;
    while running.load(Ordering::SeqCst) > 0 {
        let (status, _) = op1.try_call("GET", &check, None).expect("check");
        assert_eq!(status, 200);
        if running.load(Ordering::SeqCst) > 0 {
            during += 1;
        }
    }
    let mut answers: Vec<(u16, String)> = imports.into_iter().map(|t| t.join().expect("import")).collect();
    answers.sort();
    eprintln!("entry checks answered while an import ran: {during}; imports: {answers:?}");
    assert!(during >= 3, "the entry screen answered only {during} times while an import ran");
    assert_eq!(answers[0].0, 409, "{answers:?}");
    assert!(answers[0].1.contains("đang nhập một danh sách khác"), "{answers:?}");
    assert_eq!(answers[1].0, 422, "{answers:?}");
    assert!(answers[1].1.contains("Giới tính \"Không rõ\" không hợp lệ"), "{answers:?}");
    assert_eq!(org.get("/api/persons").as_array().map(Vec::len), Some(60), "nothing half-imported");
    // Once the import is over, the next one is read again.
    assert_eq!(import_api(&org, &file).0, 422);
}

#[test]
fn texts_and_counts_over_their_limits_are_refused_in_vietnamese() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (server, round, _, _) = small_congress(&dir.path().join("data"), 4);
    let org = Client::login(&server.addr, "org", SMALL_PASSWORD);
    let head = Client::login(&server.addr, "head", SMALL_PASSWORD);
    let message = |v: &Value| {
        let mut m = v["error"]["message"].as_str().unwrap_or("").to_owned();
        for p in v["error"]["problems"].as_array().into_iter().flatten() {
            m.push(' ');
            m.push_str(p["message"].as_str().unwrap_or(""));
        }
        m
    };
    let person =
        |name: &str| serde_json::json!({ "full_name": name, "sex": "Nam", "party_status": "Chính thức" });

    // A 5 MB name never reaches the application: the route takes 64 kB.
    let (status, _, reply) = post_oversize(
        &org,
        "/api/persons",
        "application/json",
        person(&"A".repeat(5 * 1024 * 1024)).to_string().as_bytes(),
    );
    let reply = json(&reply);
    assert_eq!(status, 413, "{reply}");
    assert_eq!(reply["error"]["code"], "too_large");
    // Under the body limit, over the field's: named with its limit.
    let (status, reply) =
        org.try_call("POST", "/api/persons", Some(&person(&"Ễ".repeat(101)))).expect("request");
    assert_eq!(status, 422, "{reply}");
    assert!(message(&reply).contains("Họ và tên dài quá 100 ký tự."), "{reply}");
    let (status, reply) = org
        .try_call(
            "POST",
            "/api/persons",
            Some(&serde_json::json!({ "full_name": "Lê Văn Đơn Vị", "sex": "Nam", "party_status": "Chính thức", "unit": "x".repeat(201) })),
        )
        .expect("request");
    assert_eq!(status, 422, "{reply}");
    assert!(message(&reply).contains("Đơn vị dài quá 200 ký tự."), "{reply}");
    let (status, reply) = org
        .try_call("POST", "/api/sittings", Some(&serde_json::json!({ "name": "p".repeat(201) })))
        .expect("request");
    assert_eq!(status, 422, "{reply}");
    assert!(message(&reply).contains("Tên phiên họp dài quá 200 ký tự."), "{reply}");
    let (status, reply) =
        org.try_call("GET", &format!("/api/persons?q={}", "n".repeat(101)), None).expect("request");
    assert_eq!(status, 422, "{reply}");
    assert!(message(&reply).contains("Từ khóa tìm kiếm dài quá 100 ký tự."), "{reply}");

    // Counts: ballots issued to more people than were present, a stack of a million papers, seats.
    let (status, reply) = head
        .try_call("POST", &format!("/api/rounds/{round}/issued"), Some(&serde_json::json!({ "issued": 61 })))
        .expect("request");
    assert_eq!(status, 422, "{reply}");
    assert!(message(&reply).contains("không được lớn hơn số người có mặt tại phiên họp (60)"), "{reply}");
    let (status, reply) = head
        .try_call(
            "POST",
            &format!("/api/rounds/{round}/stacks"),
            Some(&serde_json::json!({ "name": "Chồng 2", "papers": 1_000_000, "operators": [], "key": "limits-2" })),
        )
        .expect("request");
    assert_eq!(status, 422, "{reply}");
    assert!(message(&reply).contains("Số tờ phiếu của chồng (1.000.000) vượt giới hạn 100.000."), "{reply}");
    let (status, reply) = head
        .try_call(
            "POST",
            &format!("/api/rounds/{round}/stacks"),
            Some(&serde_json::json!({ "name": "c".repeat(61), "papers": 1, "operators": [], "key": "limits-3" })),
        )
        .expect("request");
    assert_eq!(status, 422, "{reply}");
    assert!(message(&reply).contains("Tên chồng phiếu dài quá 60 ký tự."), "{reply}");
    let (status, reply) = org
        .try_call(
            "POST",
            "/api/elections",
            Some(&serde_json::json!({ "body": "committee", "seats": "5000", "seats_for": "60", "seats_against": "0" })),
        )
        .expect("request");
    assert_eq!(status, 422, "{reply}");
    assert!(message(&reply).contains("Số lượng bầu (5.000) vượt giới hạn 1.000."), "{reply}");

    // 5,000 copies of the ballot for 60 people: refused; 70 (everyone and ten spares) are printed.
    let (status, page) = head.download(&format!("/rounds/{round}/files/phieu-bau.pdf?copies=5000"));
    assert_eq!(status, 422, "{}", String::from_utf8_lossy(&page));
    assert!(String::from_utf8_lossy(&page).contains("Số bản in (5.000) vượt giới hạn 70."));
    let (status, pdf) = head.download(&format!("/rounds/{round}/files/phieu-bau.pdf?copies=70"));
    assert_eq!(status, 200);
    assert!(pdf.starts_with(b"%PDF"));

    // A ballot code of a megabyte is over the body limit; one of 5,000 characters over the code's.
    let op1 = Client::login(&server.addr, "op1", SMALL_PASSWORD);
    let view = head.get(&format!("/api/rounds/{round}"));
    let entry = view["stacks"][0]["entries"][0]["id"].as_i64().expect("entry");
    let (status, reply) = op1
        .try_call(
            "POST",
            &format!("/api/entries/{entry}/ballots"),
            Some(&serde_json::json!({ "code": "x:1,".repeat(1250), "key": "limits-code" })),
        )
        .expect("request");
    assert_eq!(status, 422, "{reply}");
    assert!(message(&reply).contains("Mã phiếu dài quá 4.000 ký tự."), "{reply}");

    // A password of a kilobyte is not hashed.
    let other = tempfile::tempdir().expect("temp dir");
    let out = Command::new(env!("CARGO_BIN_EXE_baucu"))
        .args(["user", "add", "dai", "--role", "viewer", "--name", "Mật Khẩu Dài", "--password"])
        .arg("p".repeat(1024))
        .arg("--data")
        .arg(other.path().join("data"))
        .output()
        .expect("user add");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("Mật khẩu dài quá 256 byte."), "{out:?}");
}

fn evaluate(input: &[u8]) -> (Option<i32>, Value) {
    let (code, stdout, _) = support::evaluate_stdin(input);
    (code, serde_json::from_str(&stdout).expect("JSON answer"))
}

#[test]
fn evaluate_reads_a_case_saved_with_a_utf8_bom() {
    let case = r#"{"kind":"order","names":["Nguyễn Văn Bình","Lê Thị An"]}"#;
    let (code, plain) = evaluate(case.as_bytes());
    assert_eq!(code, Some(0), "{plain}");
    let with_bom = [b"\xEF\xBB\xBF".as_slice(), case.as_bytes()].concat();
    let (code, answer) = evaluate(&with_bom);
    assert_eq!(code, Some(0), "{answer}");
    assert_eq!(answer, plain);
    // From a file as Notepad saves it, too.
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("truong-hop.json");
    std::fs::write(&path, &with_bom).expect("write case");
    let out = Command::new(env!("CARGO_BIN_EXE_baucu")).arg("evaluate").arg(&path).output().expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(serde_json::from_slice::<Value>(&out.stdout).expect("JSON"), plain);
    // A BOM alone is an empty case: the documented error, not a word about the BOM.
    let (code, answer) = evaluate(b"\xEF\xBB\xBF");
    assert_eq!(code, Some(2));
    assert_eq!(answer["error"]["code"], "invalid_input", "{answer}");
}
