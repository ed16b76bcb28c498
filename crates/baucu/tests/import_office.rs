//! The roster import as offices keep rosters, through the real node over HTTP: files made here as
//! offices make them (`office_files`: title rows and merged cells above the header, split name
//! columns, year-only birth dates, a "Nữ" mark column, `.xls`, `.ods`, CSV in UTF-16 and UTF-8,
//! TCVN3 and VNI text, the look-alike `Ð`), each read back through the API and the roster page; the
//! preview writes nothing; the three choices; replacing refused once attendance started; the column
//! mapping remembered; deleting a person allowed and refused. `cargo test import_office` runs them.

mod office_files;
mod support;

use office_files::{Cell, n, t};
use serde_json::Value;
use support::{Client, SMALL_PASSWORD, add_small_accounts, baucu, http, start};

/// A node with the small congress's accounts and no roster; the organiser's client.
fn node() -> (tempfile::TempDir, support::Server, Client) {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    add_small_accounts(&data, &baucu);
    let server = start(&data, false);
    let org = Client::login(&server.addr, "org", SMALL_PASSWORD);
    (dir, server, org)
}

/// Uploads a file to the page's import (multipart, as the browser does): (status, page).
fn upload(client: &Client, file_name: &str, bytes: &[u8]) -> (u16, String) {
    let boundary = "----baucu-import-office";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
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

/// The preview's token, from its forms' action.
fn token(page: &str) -> String {
    let at =
        page.find("action=\"/roster/import/").expect("a preview form") + "action=\"/roster/import/".len();
    page[at..at + 32].to_owned()
}

/// A number the preview's forms carry (`added`, `changed`, `removed`).
fn carried(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let at = page.find(&marker).expect("hidden count") + marker.len();
    page[at..].split('"').next().expect("value").to_owned()
}

/// Chooses on the preview: (status, where the node sends the browser, the notice there).
fn choose(client: &Client, page: &str, choice: &str) -> (u16, String, String) {
    let tok = token(page);
    let (added, changed, removed) =
        (carried(page, "added"), carried(page, "changed"), carried(page, "removed"));
    let body = serde_urlencoded::to_string([
        ("choice", choice),
        ("added", &added),
        ("changed", &changed),
        ("removed", &removed),
    ])
    .expect("form");
    let (status, head, _) = raw(client, "POST", &format!("/roster/import/{tok}"), body.as_bytes());
    let location = head
        .lines()
        .find_map(|l| l.strip_prefix("location: ").or_else(|| l.strip_prefix("Location: ")))
        .unwrap_or_default()
        .to_owned();
    let notice = notice_of(&location);
    (status, location, notice)
}

/// One form POST with the session: (status, head, body).
fn raw(client: &Client, method: &str, path: &str, body: &[u8]) -> (u16, String, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(&client.addr).expect("connect");
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\nCookie: {}\r\nx-csrf-token: {}\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\n",
        client.addr,
        body.len(),
        client.cookie,
        client.csrf
    );
    stream.write_all(head.as_bytes()).expect("write");
    stream.write_all(body).expect("write");
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).expect("read");
    support::split_reply(&reply)
}

/// The notice a redirect carries (`ok=` or `err=`), decoded.
fn notice_of(location: &str) -> String {
    let query = location.split('?').nth(1).unwrap_or("");
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
    pairs.into_iter().find(|(k, _)| k == "ok" || k == "err").map(|(_, v)| v).unwrap_or_default()
}

fn persons(client: &Client) -> Vec<Value> {
    client.get("/api/persons").as_array().expect("persons").clone()
}

fn person<'a>(people: &'a [Value], name: &str) -> &'a Value {
    people.iter().find(|p| p["full_name"] == name).unwrap_or_else(|| panic!("{name} in {people:?}"))
}

fn roster_page(client: &Client, query: &str) -> String {
    let (status, _, page) =
        http(&client.addr, "GET", &format!("/roster{query}"), &[("Cookie", &client.cookie)], b"")
            .expect("page");
    assert_eq!(status, 200);
    String::from_utf8_lossy(&page).into_owned()
}

fn row(cells: &[Cell]) -> Vec<Cell> {
    cells.to_vec()
}

/// The office's usual sheet: STT, the name split in two columns, the year or date of birth, a "Nữ"
/// mark, and the summary list's fields; plus a "Ghi chú" column the node does not know.
fn office_rows() -> Vec<Vec<Cell>> {
    vec![
        row(&[
            t("STT"),
            t("Họ, tên đệm"),
            t("Tên"),
            t("Năm sinh"),
            t("Nữ"),
            t("Dân tộc"),
            t("Quê quán"),
            t("Chức vụ hiện tại"),
            t("Trình độ chuyên môn"),
            t("LLCT"),
            t("Ngày vào Đảng"),
            t("Ngày chính thức"),
            t("Ghi chú"),
        ]),
        row(&[
            n(1.0),
            t("Nguyễn Văn"),
            t("An"),
            n(1968.0),
            t(""),
            t("Kinh"),
            t("Xã Hòa Bình, huyện Kim Bôi"),
            t("Bí thư chi bộ"),
            t("Đại học Nông nghiệp"),
            t("Trung cấp"),
            t("12/05/1990"),
            t("12/05/1991"),
            t("Chuyển đến năm 2010"),
        ]),
        row(&[
            n(2.0),
            // The look-alike Ð (U+00D0) some keyboards and converters produce.
            t("\u{D0}inh  Thị"),
            t("Bình"),
            t("02/09/1975"),
            t("x"),
            t("Tày"),
            t("Xã Tú Sơn"),
            t("Chi hội trưởng phụ nữ"),
            t(""),
            t("Sơ cấp"),
            t("03/02/2000"),
            t(""),
            t(""),
        ]),
        row(&[
            n(3.0),
            t("Lê Văn"),
            t("Cường"),
            // An Excel date: 25 December 1980.
            n(29_580.0),
            t(""),
            t("Kinh"),
            t(""),
            t(""),
            t(""),
            t(""),
            t("1/3/2001"),
            t("1/3/2002"),
            t(""),
        ]),
    ]
}

#[test]
fn import_office_xlsx_with_title_rows_merged_cells_split_names_and_year_only_dates() {
    let (_dir, _server, org) = node();
    let file = office_files::xlsx_with_titles(
        &["ĐẢNG BỘ XÃ HÒA BÌNH", "CHI BỘ THÔN ĐÔNG", "DANH SÁCH ĐẢNG VIÊN NĂM 2025"],
        &office_rows(),
    );
    let (status, page) = upload(&org, "danh sach dang vien.xlsx", &file);
    assert_eq!(status, 200, "{page}");
    // The preview: the header found on row 5 under the titles, three to add, the unknown column
    // offered for mapping, and nothing written yet.
    assert!(page.contains("dòng tiêu đề là dòng 5"), "{page}");
    assert!(
        page.contains("Nguyễn Văn An") && page.contains("Đinh Thị Bình") && page.contains("Lê Văn Cường")
    );
    assert!(page.contains("name=\"col.ghichu\""), "the unknown column is offered for mapping");
    assert_eq!(carried(&page, "added"), "3");
    assert!(persons(&org).is_empty(), "nothing is written before the choice");

    let (status, _, notice) = choose(&org, &page, "all");
    assert_eq!(status, 303);
    assert_eq!(notice, "Đã nhập: thêm 3 người, sửa 0 người.");
    let people = persons(&org);
    assert_eq!(people.len(), 3);
    let an = person(&people, "Nguyễn Văn An");
    assert_eq!(an["birth_date"], "1968");
    assert_eq!(an["sex"], "male");
    assert_eq!(an["hometown"], "Xã Hòa Bình, huyện Kim Bôi");
    assert_eq!(an["position"], "Bí thư chi bộ");
    assert_eq!(an["education"], "Đại học Nông nghiệp");
    assert_eq!(an["political_theory"], "intermediate");
    assert_eq!(an["joined_on"], "1990-05-12");
    assert_eq!(an["official_on"], "1991-05-12");
    // No "Đảng viên" column: a member with a date made official is official, one without is not.
    assert_eq!(an["party_status"], "official");
    let binh = person(&people, "Đinh Thị Bình");
    assert_eq!(binh["full_name"].as_str().map(|s| s.starts_with('\u{110}')), Some(true), "Ð became Đ");
    assert_eq!((binh["sex"].as_str(), binh["birth_date"].as_str()), (Some("female"), Some("1975-09-02")));
    assert_eq!(binh["party_status"], "probationary");
    let cuong = person(&people, "Lê Văn Cường");
    assert_eq!(
        (cuong["birth_date"].as_str(), cuong["joined_on"].as_str()),
        (Some("1980-12-25"), Some("2001-03-01"))
    );
    // Read back through the page: the year alone shows as the year; search finds the Đ name.
    let page = roster_page(&org, "");
    assert!(page.contains("<td>1968</td>"), "{page}");
    let found = org.get("/api/persons?q=dinh");
    assert_eq!(found.as_array().map(Vec::len), Some(1), "{found}");
}

#[test]
fn import_office_xls_from_a_biff8_writer() {
    let (_dir, _server, org) = node();
    let file = office_files::xls(&[
        vec![t("CHI BỘ THÔN ĐOÀI")],
        vec![],
        vec![
            t("TT"),
            t("Họ và tên"),
            t("Ngày, tháng, năm sinh"),
            t("Giới tính"),
            t("Đảng viên"),
            t("Chức vụ"),
        ],
        vec![n(1.0), t("Phạm Văn Dũng"), n(1958.0), t("Nam"), t("Chính thức"), t("Tổ trưởng")],
        vec![n(2.0), t("Hoàng Thị Én"), t("15-08-1979"), t("Nữ"), t("Dự bị"), t("")],
    ]);
    assert_eq!(&file[..4], &[0xD0, 0xCF, 0x11, 0xE0], "a compound file");
    // The name says .xlsx: the format is told from the bytes.
    let (status, page) = upload(&org, "ten-sai.xlsx", &file);
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Excel 97–2003 (.xls)"), "{page}");
    let (_, _, notice) = choose(&org, &page, "all");
    assert_eq!(notice, "Đã nhập: thêm 2 người, sửa 0 người.");
    let people = persons(&org);
    let dung = person(&people, "Phạm Văn Dũng");
    assert_eq!((dung["birth_date"].as_str(), dung["position"].as_str()), (Some("1958"), Some("Tổ trưởng")));
    let en = person(&people, "Hoàng Thị Én");
    assert_eq!(
        (en["birth_date"].as_str(), en["party_status"].as_str()),
        (Some("1979-08-15"), Some("probationary"))
    );
}

#[test]
fn import_office_ods_and_csv_in_utf16_and_utf8() {
    let (_dir, _server, org) = node();
    let rows = vec![
        vec![t("DANH SÁCH ĐẢNG VIÊN")],
        vec![t("Họ tên"), t("Năm sinh"), t("Giới tính"), t("Đảng viên"), t("Quê quán")],
        vec![t("Trịnh Văn Giang"), n(1949.0), t("Nam"), t("Chính thức"), t("Thanh Hóa")],
    ];
    let (status, page) = upload(&org, "danh-sach.ods", &office_files::ods(&rows));
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("OpenDocument (.ods)"), "{page}");
    assert_eq!(choose(&org, &page, "all").2, "Đã nhập: thêm 1 người, sửa 0 người.");

    // UTF-16 with BOM, tab separated, as Excel's "Unicode Text" saves.
    let csv16 = office_files::csv_text(
        &[
            vec![t("Họ và tên"), t("Ngày sinh"), t("Giới tính"), t("Đảng viên"), t("Chức vụ")],
            vec![t("Vũ Thị Hạnh"), t("07/11/1983"), t("Nữ"), t("Chính thức"), t("Phó bí thư; chủ tịch hội")],
        ],
        '\t',
    );
    let (status, page) = upload(&org, "danh-sach.txt", &office_files::utf16le_bom(&csv16));
    assert_eq!(status, 200, "{page}");
    assert_eq!(choose(&org, &page, "all").2, "Đã nhập: thêm 1 người, sửa 0 người.");

    // UTF-8 with BOM, ';' separated, quoted fields.
    let csv8 = office_files::csv_text(
        &[
            vec![t("Họ và tên"), t("Ngày sinh"), t("Giới tính"), t("Đảng viên"), t("Đơn vị")],
            vec![t("Đỗ Văn Khoa"), t("1961"), t("Nam"), t("Chính thức"), t("Tổ 3; thôn \"Đông\"")],
        ],
        ';',
    );
    let (status, page) = upload(&org, "danh-sach.csv", &office_files::utf8_bom(&csv8));
    assert_eq!(status, 200, "{page}");
    assert_eq!(choose(&org, &page, "all").2, "Đã nhập: thêm 1 người, sửa 0 người.");

    let people = persons(&org);
    let giang = person(&people, "Trịnh Văn Giang");
    assert_eq!((giang["birth_date"].as_str(), giang["hometown"].as_str()), (Some("1949"), Some("Thanh Hóa")));
    let hanh = person(&people, "Vũ Thị Hạnh");
    assert_eq!(
        (hanh["birth_date"].as_str(), hanh["position"].as_str()),
        (Some("1983-11-07"), Some("Phó bí thư; chủ tịch hội"))
    );
    let khoa = person(&people, "Đỗ Văn Khoa");
    assert_eq!(
        (khoa["birth_date"].as_str(), khoa["unit"].as_str()),
        (Some("1961"), Some("Tổ 3; thôn \"Đông\""))
    );
}

#[test]
fn import_office_tcvn3_and_vni_text_is_converted_and_shown() {
    let (_dir, _server, org) = node();
    let file = office_files::xlsx_with_titles(
        &[],
        &[
            vec![t("Họ và tên"), t("Ngày sinh"), t("Giới tính"), t("Đảng viên"), t("Quê quán")],
            // TCVN3 (ABC, .VnTime): "Nguyễn Văn Hùng", "Xã Hoà Bình".
            vec![t("NguyÔn V¨n Hïng"), t("1970"), t("Nam"), t("ChÝnh thøc"), t("X· Hoµ B×nh")],
            // VNI (VNI-Times): "Trần Thị Thu Hằng", "Đồng Tháp".
            vec![t("Traàn Thò Thu Haèng"), t("1972"), t("Nöõ"), t("Chính thöùc"), t("Ñoàng Thaùp")],
            // Valid Unicode stays as it is.
            vec![t("Tô Thu Hà"), t("1974"), t("Nữ"), t("Chính thức"), t("Hoà Bình")],
        ],
    );
    let (status, page) = upload(&org, "cu.xlsx", &file);
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("TCVN3"), "{page}");
    assert!(page.contains("NguyÔn V¨n Hïng") && page.contains("Nguyễn Văn Hùng"), "before → after shown");
    assert!(page.contains("Traàn Thò Thu Haèng") && page.contains("Trần Thị Thu Hằng"));
    // Three cells of the TCVN3 row, four of the VNI row; none of the Unicode row.
    assert!(page.contains("sang Unicode (7 ô)"), "{page}");
    assert_eq!(choose(&org, &page, "all").2, "Đã nhập: thêm 3 người, sửa 0 người.");
    let people = persons(&org);
    assert_eq!(person(&people, "Nguyễn Văn Hùng")["hometown"], "Xã Hoà Bình");
    let hang = person(&people, "Trần Thị Thu Hằng");
    assert_eq!((hang["sex"].as_str(), hang["hometown"].as_str()), (Some("female"), Some("Đồng Tháp")));
    assert_eq!(person(&people, "Tô Thu Hà")["hometown"], "Hoà Bình");
}

#[test]
fn import_office_refusals_name_the_row_and_the_column() {
    let (_dir, _server, org) = node();
    // An empty file says so.
    let (status, page) = upload(&org, "trong.xlsx", b"");
    assert_eq!(status, 422);
    assert!(page.contains("Tệp được chọn trống"), "{page}");
    // A header nowhere in the first rows.
    let (status, page) = upload(&org, "sai.csv", "Danh sách\r\nmột;hai\r\nba;bốn\r\n".as_bytes());
    assert_eq!(status, 422);
    assert!(page.contains("Không tìm thấy dòng tiêu đề"), "{page}");
    // A header and no data rows.
    let (status, page) = upload(&org, "rong.csv", "Họ và tên,Ngày sinh,Giới tính,Đảng viên\r\n".as_bytes());
    assert_eq!(status, 422);
    assert!(page.contains("không có dòng dữ liệu nào dưới dòng tiêu đề (dòng 1)"), "{page}");

    // An .xls whose sheet reaches past the roster's rows is refused before it is laid out.
    let mut tall: Vec<Vec<Cell>> = vec![Vec::new(); 30_000];
    tall[0] = vec![t("Họ và tên"), t("Giới tính"), t("Đảng viên")];
    tall[29_999] = vec![t("Xa Văn Quá"), t("Nam"), t("Chính thức")];
    let (status, page) = upload(&org, "dai.xls", &office_files::xls(&tall));
    assert_eq!(status, 422);
    assert!(page.contains("quá lớn: danh sách tối đa 20.000 dòng và 60 cột"), "{page}");

    // Rows with errors: each by its cell, the file's header and a Vietnamese message.
    let file = office_files::xlsx_with_titles(
        &["CHI BỘ 5"],
        &[
            vec![t("Họ và tên"), t("Giới tính"), t("Đảng viên"), t("Ngày sinh vào đời")],
            vec![t("Mai Văn Long"), t("Nam"), t("Chính thức"), t("")],
            vec![t("Cao Thị Mơ"), t("Nữ"), t("Chính thức"), t("")],
            vec![t("Tạ Văn Nam"), t("Không rõ"), t("Chính thức"), t("")],
            vec![t("Hà Văn Ơn"), t("Nam"), t("Chính thức?"), t("")],
        ],
    );
    let (status, page) = upload(&org, "loi.xlsx", &file);
    assert_eq!(status, 200, "{page}");
    // The title on row 1, a blank row, the header on row 3: the bad rows are 6 and 7.
    assert!(
        page.contains("<td>6</td><td>B6</td><td>Giới tính</td><td>Giới tính &quot;Không rõ&quot; không hợp lệ (Nam hoặc Nữ).</td>"),
        "{page}"
    );
    assert!(page.contains("<td>7</td><td>C7</td><td>Đảng viên</td>"), "{page}");
    // "Nhập tất cả" is refused while the file has errors; nothing is written.
    let (_, location, notice) = choose(&org, &page, "all");
    assert!(location.contains("/roster/import/"), "{location}");
    assert!(notice.contains("Tệp còn 2 lỗi"), "{notice}");
    // The preview, shown again, says why.
    let (status, _, again) =
        http(&org.addr, "GET", &location, &[("Cookie", &org.cookie)], b"").expect("preview again");
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&again).contains("Tệp còn 2 lỗi"));
    assert!(persons(&org).is_empty());
    // "Chỉ nhập các dòng hợp lệ" imports the two good rows.
    let (_, _, notice) = choose(&org, &page, "valid");
    assert_eq!(notice, "Đã nhập: thêm 2 người, sửa 0 người.");
    let names: Vec<String> =
        persons(&org).iter().map(|p| p["full_name"].as_str().unwrap_or("").to_owned()).collect();
    assert_eq!(names, ["Mai Văn Long", "Cao Thị Mơ"]);
}

fn simple_roster(rows: &[(&str, &str, &str, &str)]) -> Vec<u8> {
    let mut all = vec![vec![t("Họ và tên"), t("Ngày sinh"), t("Giới tính"), t("Đảng viên"), t("Chức vụ")]];
    for (name, born, sex, position) in rows {
        all.push(vec![t(name), t(born), t(sex), t("Chính thức"), t(position)]);
    }
    office_files::xlsx_with_titles(&[], &all)
}

#[test]
fn import_office_preview_shows_changes_and_replace_makes_the_roster_the_file() {
    let (_dir, _server, org) = node();
    let first = simple_roster(&[
        ("Bùi Văn Phúc", "01/01/1960", "Nam", "Tổ trưởng"),
        ("Lương Thị Quý", "1965", "Nữ", ""),
        ("Kiều Văn Sơn", "05/05/1970", "Nam", ""),
    ]);
    let (status, reply) = org.post_bytes("/api/roster/import", "application/octet-stream", &first);
    assert_eq!(status, 200, "{reply}");
    let second = simple_roster(&[
        ("Bùi Văn Phúc", "01/01/1960", "Nam", "Bí thư chi bộ"),
        ("Lương Thị Quý", "1965", "Nữ", ""),
        ("Tăng Văn Tài", "1980", "Nam", ""),
    ]);
    let (status, page) = upload(&org, "moi.xlsx", &second);
    assert_eq!(status, 200, "{page}");
    assert_eq!(
        (carried(&page, "added"), carried(&page, "changed"), carried(&page, "removed")),
        ("1".into(), "1".into(), "1".into())
    );
    assert!(page.contains("Chức vụ hiện tại: <del>Tổ trưởng</del> → <ins>Bí thư chi bộ</ins>"), "{page}");
    assert!(page.contains("Kiều Văn Sơn"), "the person not in the file is listed");
    assert_eq!(persons(&org).len(), 3, "nothing written by the preview");
    let (_, _, notice) = choose(&org, &page, "replace");
    assert_eq!(notice, "Đã nhập: thêm 1 người, sửa 1 người, xóa 1 người không có trong tệp.");
    let people = persons(&org);
    let mut names: Vec<&str> = people.iter().map(|p| p["full_name"].as_str().unwrap_or("")).collect();
    names.sort_unstable();
    assert_eq!(names, ["Bùi Văn Phúc", "Lương Thị Quý", "Tăng Văn Tài"]);
    assert_eq!(person(&people, "Bùi Văn Phúc")["position"], "Bí thư chi bộ");
    // A used preview is gone: choosing again is refused.
    let (_, location, notice) = choose(&org, &page, "all");
    assert!(
        location.contains("/roster?") && notice.contains("Không tìm thấy bản xem trước"),
        "{location} {notice}"
    );
    // The journal says what was done.
    let (_, _, journal) = http(&org.addr, "GET", "/audit", &[("Cookie", &org.cookie)], b"").expect("audit");
    let journal = String::from_utf8_lossy(&journal);
    assert!(journal.contains("thay toàn bộ danh sách (xóa 1 người)"), "{journal}");
}

#[test]
fn import_office_replace_is_refused_once_attendance_started() {
    let (_dir, _server, org) = node();
    let names: Vec<String> = ["Ông Văn Một", "Âu Thị Hai"].iter().map(|s| (*s).to_owned()).collect();
    support::roster_present(&org, &names);
    let file = simple_roster(&[("Ông Văn Một", "01/01/1960", "Nam", "")]);
    let (status, page) = upload(&org, "thay.xlsx", &file);
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("Đã điểm danh hoặc đã có danh sách bầu cử: không thay toàn bộ danh sách được nữa."),
        "{page}"
    );
    let (_, _, notice) = choose(&org, &page, "replace");
    assert!(notice.contains("không thay toàn bộ danh sách được nữa"), "{notice}");
    assert_eq!(persons(&org).len(), 2, "nobody deleted");
}

#[test]
fn import_office_column_mapping_is_remembered() {
    let (_dir, _server, org) = node();
    let file = |name: &str| {
        office_files::xlsx_with_titles(
            &[],
            &[
                vec![t("Họ và tên"), t("Ngày sinh"), t("Giới tính"), t("Đảng viên"), t("Nơi sinh hoạt")],
                vec![t(name), t("1977"), t("Nam"), t("Chính thức"), t("Chi bộ thôn Tây")],
            ],
        )
    };
    let (_, page) = upload(&org, "a.xlsx", &file("Giáp Văn Uy"));
    assert!(page.contains("name=\"col.noisinhhoat\""), "{page}");
    let tok = token(&page);
    let (status, page) =
        org.post_form(&format!("/roster/import/{tok}/mapping"), &[("col.noisinhhoat", "unit")]);
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("(đã nhớ từ lần trước)"), "{page}");
    assert_eq!(choose(&org, &page, "all").2, "Đã nhập: thêm 1 người, sửa 0 người.");
    // The next file with the same header is read the same way without asking.
    let (_, page) = upload(&org, "b.xlsx", &file("Nông Văn Vĩnh"));
    assert!(page.contains("<option value=\"unit\" selected>"), "{page}");
    assert_eq!(choose(&org, &page, "all").2, "Đã nhập: thêm 1 người, sửa 0 người.");
    let people = persons(&org);
    assert_eq!(person(&people, "Giáp Văn Uy")["unit"], "Chi bộ thôn Tây");
    assert_eq!(person(&people, "Nông Văn Vĩnh")["unit"], "Chi bộ thôn Tây");
    // A mapping to an unknown field is refused.
    let (_, page) = upload(&org, "c.xlsx", &file("Lã Văn Xuân"));
    let (status, _) =
        org.post_form(&format!("/roster/import/{}/mapping", token(&page)), &[("col.noisinhhoat", "salary")]);
    assert_eq!(status, 303);
}

#[test]
fn import_office_delete_a_person_only_when_unused() {
    let (_dir, _server, org) = node();
    let file = simple_roster(&[("Yên Văn Dùng", "1950", "Nam", ""), ("Yên Thị Chưa", "1951", "Nữ", "")]);
    let (status, reply) = org.post_bytes("/api/roster/import", "application/octet-stream", &file);
    assert_eq!(status, 200, "{reply}");
    let people = persons(&org);
    let used = person(&people, "Yên Văn Dùng")["id"].as_i64().expect("id");
    let unused = person(&people, "Yên Thị Chưa")["id"].as_i64().expect("id");
    let sitting = org.post("/api/sittings", serde_json::json!({ "name": "Phiên thứ nhất" }))["id"].clone();
    org.post(
        "/api/attendance/check-in",
        serde_json::json!({ "sitting_id": sitting, "person_id": used, "present": true }),
    );

    // The used person's page says why, and deleting is refused.
    let (_, _, page) =
        http(&org.addr, "GET", &format!("/roster/{used}"), &[("Cookie", &org.cookie)], b"").expect("page");
    let page = String::from_utf8_lossy(&page);
    assert!(page.contains("Không xóa được: người này đã điểm danh 1 phiên"), "{page}");
    let (status, _) = org.post_form(&format!("/roster/{used}/delete"), &[]);
    assert_eq!(status, 303);
    assert_eq!(persons(&org).len(), 2);

    // The unused one's page offers the button (with a confirmation), and deleting works.
    let (_, _, page) =
        http(&org.addr, "GET", &format!("/roster/{unused}"), &[("Cookie", &org.cookie)], b"").expect("page");
    let page = String::from_utf8_lossy(&page);
    assert!(page.contains("Xóa người này") && page.contains("confirm("), "{page}");
    let (status, _) = org.post_form(&format!("/roster/{unused}/delete"), &[]);
    assert_eq!(status, 303);
    let left: Vec<i64> = persons(&org).iter().filter_map(|p| p["id"].as_i64()).collect();
    assert_eq!(left, [used]);
    let (_, _, journal) = http(&org.addr, "GET", "/audit", &[("Cookie", &org.cookie)], b"").expect("audit");
    assert!(String::from_utf8_lossy(&journal).contains("xóa Yên Thị Chưa khỏi danh sách đảng viên"));
}
