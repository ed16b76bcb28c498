//! One ballot, one sheet (issue 12): lists of 5 to 150 names print one page per ballot (or one A4
//! sheet per two A5 ballots), every name on one line inside the page, read back from the PDF's word
//! boxes (`pdftotext -bbox-layout`, `pdfinfo`: poppler-utils, installed by `scripts/test`); a list that
//! fits no sheet is refused by `baucu print ballot` and by the round's ballot download on the web.

mod support;

use std::path::Path;
use std::process::Command;
use support::{Client, SMALL_PASSWORD};

const MM: f64 = 72.0 / 25.4;

fn poppler() -> bool {
    let there = Command::new("pdftotext").arg("-v").output().is_ok();
    if !there && std::env::var("BAUCU_BROWSER_TESTS").as_deref() == Ok("required") {
        panic!("poppler-utils is required for the ballot tests");
    }
    if !there {
        eprintln!("skipped: poppler-utils (pdftotext) is not installed; scripts/test installs it");
    }
    there
}

/// `n` different Vietnamese names of realistic lengths, the long "Nguyễn Thị Phương Thảo Uyên" first.
fn names(n: usize) -> Vec<String> {
    let family = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ"];
    let middle = ["Văn", "Thị", "Hữu", "Minh", "Thị Thanh", "Quang", "Ngọc", "Đức Anh"];
    let given = [
        "An",
        "Bình",
        "Cường",
        "Dung",
        "Đức",
        "Giang",
        "Hạnh",
        "Hùng",
        "Khánh",
        "Lan",
        "Long",
        "Mai",
        "Nam",
        "Oanh",
        "Phượng",
        "Quyết",
        "Sơn",
        "Thắng",
        "Uyên",
        "Yến",
    ];
    let combos = family.len() * middle.len() * given.len();
    let mut out = vec!["Nguyễn Thị Phương Thảo Uyên".to_owned()];
    let mut i = 0;
    while out.len() < n {
        let k = (i * 7) % combos;
        i += 1;
        let name = format!(
            "{} {} {}",
            family[k % family.len()],
            middle[(k / family.len()) % middle.len()],
            given[k / (family.len() * middle.len())]
        );
        if !out.contains(&name) {
            out.push(name);
        }
    }
    out.truncate(n);
    out
}

/// A `round` case of `evaluate.md` with `list` on the ballot: a committee (strike list, one name more
/// than seats) or an inspection committee with as many seats as names (agree/disagree list).
fn case(dir: &Path, list: &[String], agree_disagree: bool) -> std::path::PathBuf {
    let (body, seats) =
        if agree_disagree { ("inspection_committee", list.len()) } else { ("committee", list.len() - 1) };
    let case = serde_json::json!({
        "kind": "round",
        "meta": { "congress": "Đại hội đại biểu Đảng bộ phường Thượng Kiệm lần thứ XXVI",
                  "organisation": "Đảng bộ phường Thượng Kiệm", "term": "2025–2030", "round": 1 },
        "assembly": { "type": "members_congress", "summoned": 500, "present": 500 },
        "election": { "body": body, "seats": seats, "candidates": list },
        "ballots_issued": 0,
        "ballots": []
    });
    let path = dir.join(format!("case-{}-{body}.json", list.len()));
    std::fs::write(&path, serde_json::to_vec(&case).expect("json")).expect("write case");
    path
}

fn print(case: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_baucu"))
        .args(["print", "ballot"])
        .arg(case)
        .arg("-o")
        .arg(out)
        .args(extra)
        .output()
        .expect("run baucu")
}

/// A word of the PDF with its box (pt, origin top left).
#[derive(Debug)]
struct Word {
    text: String,
    x_min: f64,
    y_min: f64,
    x_max: f64,
    y_max: f64,
}

/// A page of the PDF: its size and its lines of words.
#[derive(Debug)]
struct Page {
    width: f64,
    height: f64,
    lines: Vec<Vec<Word>>,
}

fn attribute(tag: &str, name: &str) -> f64 {
    let key = format!("{name}=\"");
    let from = tag.find(&key).unwrap_or_else(|| panic!("no {name} in {tag}")) + key.len();
    let to = from + tag[from..].find('"').expect("closing quote");
    tag[from..to].parse().unwrap_or_else(|_| panic!("{name} in {tag}"))
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// The pages of `pdf` from `pdftotext -bbox-layout` (XHTML: `page`, `line`, `word` elements).
fn pages(pdf: &Path) -> Vec<Page> {
    let out = Command::new("pdftotext").arg("-bbox-layout").arg(pdf).arg("-").output().expect("pdftotext");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let xhtml = String::from_utf8(out.stdout).expect("utf-8");
    let mut result = Vec::new();
    for page in xhtml.split("<page ").skip(1) {
        let head = &page[..page.find('>').expect("page tag")];
        let mut lines = Vec::new();
        for line in page.split("<line").skip(1) {
            let mut words = Vec::new();
            for word in line.split("<word ").skip(1) {
                let close = word.find('>').expect("word tag");
                let tag = &word[..close];
                let text = &word[close + 1..word.find("</word>").expect("end of word")];
                words.push(Word {
                    text: unescape(text),
                    x_min: attribute(tag, "xMin"),
                    y_min: attribute(tag, "yMin"),
                    x_max: attribute(tag, "xMax"),
                    y_max: attribute(tag, "yMax"),
                });
            }
            lines.push(words);
        }
        result.push(Page { width: attribute(head, "width"), height: attribute(head, "height"), lines });
    }
    result
}

fn page_count(pdf: &Path) -> usize {
    let out = String::from_utf8_lossy(&Command::new("pdfinfo").arg(pdf).output().expect("pdfinfo").stdout)
        .into_owned();
    out.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("pdfinfo has no page count:\n{out}"))
}

/// How often `name` stands whole on one line of `page` (its words in a row).
fn occurrences(page: &Page, name: &str) -> usize {
    let wanted: Vec<&str> = name.split_whitespace().collect();
    page.lines
        .iter()
        .map(|line| {
            let words: Vec<&str> = line.iter().map(|w| w.text.as_str()).collect();
            words.windows(wanted.len()).filter(|w| *w == wanted.as_slice()).count()
        })
        .sum()
}

/// Every page of `pdf` holds `per_page[i]` whole copies of every name, and every word lies inside the
/// page and above the bottom 33 mm, where only the QR code and the corner marks are printed.
fn assert_one_sheet(pdf: &Path, list: &[String], per_page: &[usize], size: (f64, f64)) {
    assert_eq!(page_count(pdf), per_page.len(), "{}", pdf.display());
    let pages = pages(pdf);
    assert_eq!(pages.len(), per_page.len());
    for (i, page) in pages.iter().enumerate() {
        assert!(
            (page.width - size.0).abs() < 1.0 && (page.height - size.1).abs() < 1.0,
            "page {i} is {} x {} pt, expected {size:?}",
            page.width,
            page.height
        );
        for word in page.lines.iter().flatten() {
            assert!(
                word.x_min >= 0.0
                    && word.y_min >= 0.0
                    && word.x_max <= page.width
                    && word.y_max <= page.height - 33.0 * MM,
                "{word:?} is outside page {i} ({} x {})",
                page.width,
                page.height
            );
        }
        for name in list {
            assert_eq!(occurrences(page, name), per_page[i], "\"{name}\" on page {i} of {}", pdf.display());
        }
        assert_eq!(
            page.lines.iter().flatten().filter(|w| w.text == "PHIẾU").count(),
            per_page[i],
            "one heading per ballot on page {i}"
        );
    }
}

const A5: (f64, f64) = (419.528, 595.276);
const A4: (f64, f64) = (595.276, 841.89);
const A3: (f64, f64) = (841.89, 1190.551);
const A4_LANDSCAPE: (f64, f64) = (841.89, 595.276);

fn paper_of(stdout: &str) -> (f64, f64) {
    if stdout.contains("(hai phiếu trên một tờ A4 để cắt đôi)") {
        A4_LANDSCAPE
    } else if stdout.contains("một tờ A5") && !stdout.contains("không vừa một tờ A5") {
        A5
    } else if stdout.contains("trên một tờ A4") {
        A4
    } else if stdout.contains("trên một tờ A3") {
        A3
    } else {
        panic!("the layout is not told: {stdout}")
    }
}

#[test]
fn ballot_one_sheet_strike_lists_of_5_to_150_names_print_one_page_per_ballot() {
    if !poppler() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp");
    for n in [5, 13, 20, 55, 90, 150] {
        let list = names(n);
        let src = case(dir.path(), &list, false);
        for paper in ["a5", "a4"] {
            let out = dir.path().join(format!("phieu-{n}-{paper}.pdf"));
            let run = print(&src, &out, &["--copies", "3", "--paper", paper]);
            assert!(run.status.success(), "{n} names on {paper}: {}", String::from_utf8_lossy(&run.stderr));
            let said = String::from_utf8_lossy(&run.stdout).into_owned();
            assert!(said.contains("3 bản, 3 tờ."), "{said}");
            assert_one_sheet(&out, &list, &[1, 1, 1], paper_of(&said));
            if n >= 55 && paper == "a5" {
                assert!(said.contains(&format!("Danh sách {n} người không vừa một tờ A5")), "{said}");
            }
            if n == 5 {
                assert!(said.contains(&format!("trên một tờ {}", paper.to_uppercase())), "{said}");
                assert!(!said.contains("không vừa"), "{said}");
            }
        }
    }
}

#[test]
fn ballot_one_sheet_agree_disagree_lists_follow_the_same_rule() {
    if !poppler() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp");
    for n in [5, 20, 55, 90] {
        let list = names(n);
        let src = case(dir.path(), &list, true);
        let out = dir.path().join(format!("dong-y-{n}.pdf"));
        let run = print(&src, &out, &["--copies", "2", "--paper", "a5"]);
        assert!(run.status.success(), "{n} names: {}", String::from_utf8_lossy(&run.stderr));
        let said = String::from_utf8_lossy(&run.stdout).into_owned();
        assert_one_sheet(&out, &list, &[1, 1], paper_of(&said));
        let page = &pages(&out)[0];
        let columns =
            said.split(" cột").next().and_then(|s| s.rsplit(", ").next()).and_then(|c| c.parse().ok());
        let columns: usize = columns.unwrap_or_else(|| panic!("columns not told: {said}"));
        // One header per column (the instruction's "Không đồng ý" is quoted: other words).
        assert_eq!(occurrences(page, "Không đồng ý"), columns, "{said}");
    }
}

#[test]
fn ballot_one_sheet_a5_two_to_an_a4_sheet_when_asked() {
    if !poppler() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp");
    for n in [5, 13] {
        let list = names(n);
        let src = case(dir.path(), &list, false);
        let out = dir.path().join(format!("hai-{n}.pdf"));
        let run = print(&src, &out, &["--copies", "5", "--paper", "a5", "--two-per-sheet"]);
        assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
        let said = String::from_utf8_lossy(&run.stdout).into_owned();
        assert!(said.contains("hai phiếu trên một tờ A4") && said.contains("5 bản, 3 tờ."), "{said}");
        // Five copies: two, two, and one on the last sheet.
        assert_one_sheet(&out, &list, &[2, 2, 1], A4_LANDSCAPE);
        // The two ballots of a sheet are its two halves: each name once left and once right of the cut.
        let page = &pages(&out)[0];
        let first = &list[0];
        let lefts: Vec<bool> = page
            .lines
            .iter()
            .filter(|l| {
                l.iter().map(|w| w.text.as_str()).collect::<Vec<_>>().join(" ").contains(first.as_str())
            })
            .map(|l| l[0].x_max <= page.width / 2.0)
            .collect();
        assert_eq!(lefts.len(), 2, "{lefts:?}");
        assert!(lefts.contains(&true) && lefts.contains(&false), "{lefts:?}");
    }
    // A list too long for A5 is printed one to a sheet of the larger paper, and the clerk is told.
    let list = names(90);
    let src = case(dir.path(), &list, false);
    let out = dir.path().join("hai-90.pdf");
    let run = print(&src, &out, &["--copies", "2", "--paper", "a5", "--two-per-sheet"]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let said = String::from_utf8_lossy(&run.stdout).into_owned();
    assert!(said.contains("mỗi phiếu in trên một tờ riêng") && said.contains("2 bản, 2 tờ."), "{said}");
    assert_one_sheet(&out, &list, &[1, 1], paper_of(&said));
}

#[test]
fn ballot_one_sheet_cli_refuses_a_list_that_fits_no_sheet() {
    let dir = tempfile::tempdir().expect("temp");
    let list = names(300);
    let src = case(dir.path(), &list, false);
    let out = dir.path().join("qua-dai.pdf");
    let run = print(&src, &out, &["--copies", "2", "--paper", "a4"]);
    assert_eq!(run.status.code(), Some(2));
    let said = String::from_utf8_lossy(&run.stderr).into_owned();
    assert!(
        said.contains("Danh sách 300 người không in vừa một tờ phiếu, kể cả khổ A3 chia 3 cột với tên cỡ chữ nhỏ nhất 10 pt."),
        "{said}"
    );
    assert!(!out.exists(), "nothing is written");
    let run = print(&src, &out, &["--paper", "a2"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("chọn a5, a4 hoặc a3"));
}

/// A congress of `roster` members, all present, and a committee election whose list is `list` (one
/// seat fewer), approved, its first round open. Returns (server, round id).
fn congress_with_list(data: &Path, roster: &[String], list: &[String]) -> (support::Server, i64) {
    support::add_small_accounts(data, &support::baucu);
    let server = support::start(data, false);
    let org = Client::login(&server.addr, "org", SMALL_PASSWORD);
    org.call(
        "PUT",
        "/api/congress",
        Some(&serde_json::json!({
        "name": "Đại hội đại biểu Đảng bộ phường Thượng Kiệm lần thứ XXVI", "organisation": "Đảng bộ phường Thượng Kiệm",
        "level": "cell", "assembly_kind": "members_congress", "term": "2025–2030", "opens_on": "15/03/2025" })),
    );
    let people = support::roster_present(&org, roster);
    let people = &people;
    let seats = (list.len() - 1).to_string();
    let election = org.post(
        "/api/elections",
        serde_json::json!({ "body": "committee", "seats": seats, "seats_for": roster.len().to_string(), "seats_against": "0" }),
    )["id"]
        .as_i64()
        .expect("election");
    for name in list {
        let id = people.iter().find(|p| p["full_name"] == name.as_str()).expect("candidate")["id"].clone();
        org.post(
            &format!("/api/elections/{election}/candidates"),
            serde_json::json!({ "person_id": id, "source": "convening" }),
        );
    }
    let pres = Client::login(&server.addr, "pres", SMALL_PASSWORD);
    let approval = pres.post(
        &format!("/api/elections/{election}/approval"),
        serde_json::json!({ "in_favour": roster.len(), "against": 0 }),
    );
    assert_eq!(approval["passed"], true, "{approval}");
    let round =
        pres.post(
            &format!("/api/elections/{election}/rounds"),
            serde_json::json!({ "entries_per_stack": 2 }),
        )["id"]
            .as_i64()
            .expect("round");
    (server, round)
}

#[test]
fn ballot_one_sheet_web_prints_one_page_per_ballot_and_refuses_a_list_that_fits_no_sheet() {
    if !poppler() {
        return;
    }
    let everyone = names(310);
    // 55 names: each ballot on one page, two-per-sheet asked for but A5 too small for the list.
    let data = tempfile::tempdir().expect("temp");
    let list = &everyone[..55];
    let (server, round) = congress_with_list(data.path(), &everyone[..60], list);
    let head = Client::login(&server.addr, "head", SMALL_PASSWORD);
    // The round page tells, beside the print form, what each paper gives.
    let (status, page) = head.download(&format!("/rounds/{round}"));
    let page = String::from_utf8_lossy(&page).into_owned();
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Chọn khổ A5: Phiếu bầu in trên một tờ A"), "{page}");
    assert!(page.contains("Danh sách 55 người không vừa một tờ A5"), "{page}");
    let (status, pdf) =
        head.download(&format!("/rounds/{round}/files/phieu-bau.pdf?copies=3&paper=a5&two_per_sheet=1"));
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&pdf));
    let file = data.path().join("phieu-55.pdf");
    std::fs::write(&file, &pdf).expect("write");
    let size = if pages(&file)[0].width > 600.0 { A3 } else { A4 };
    assert_one_sheet(&file, list, &[1, 1, 1], size);
    // A paper size that does not read is refused, never guessed.
    let (status, page) = head.download(&format!("/rounds/{round}/files/phieu-bau.pdf?paper=b5"));
    assert_eq!(status, 422, "{}", String::from_utf8_lossy(&page));
    assert!(String::from_utf8_lossy(&page).contains("Khổ giấy phải là A5, A4 hoặc A3."));
    drop(server);

    // 300 names fit no sheet: refused with the layout's message, as the command line refuses them.
    let data = tempfile::tempdir().expect("temp");
    let list = &everyone[..300];
    let (server, round) = congress_with_list(data.path(), &everyone, list);
    let head = Client::login(&server.addr, "head", SMALL_PASSWORD);
    let (status, page) = head.download(&format!("/rounds/{round}"));
    let page = String::from_utf8_lossy(&page).into_owned();
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Chọn khổ A4: <span class=\"warn\">Danh sách 300 người không in vừa"), "{page}");
    let (status, page) = head.download(&format!("/rounds/{round}/files/phieu-bau.pdf?copies=2&paper=a4"));
    let page = String::from_utf8_lossy(&page).into_owned();
    assert_ne!(status, 200, "{page}");
    assert!(page.contains("Danh sách 300 người không in vừa một tờ phiếu"), "{page}");
    assert!(!page.starts_with("%PDF"));
}

#[test]
fn ballot_one_sheet_web_prints_a5_two_to_an_a4_sheet_from_the_print_form() {
    if !poppler() {
        return;
    }
    let data = tempfile::tempdir().expect("temp");
    let (server, round, _, _) = support::small_congress(data.path(), 10);
    let head = Client::login(&server.addr, "head", SMALL_PASSWORD);
    let (_, page) = head.download(&format!("/rounds/{round}"));
    assert!(
        String::from_utf8_lossy(&page).contains(r#"<input type="checkbox" name="two_per_sheet" value="1">"#),
        "the print form has the checkbox"
    );
    let (status, pdf) =
        head.download(&format!("/rounds/{round}/files/phieu-bau.pdf?copies=3&paper=a5&two_per_sheet=1"));
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&pdf));
    let file = data.path().join("hai-phieu.pdf");
    std::fs::write(&file, &pdf).expect("write");
    let list: Vec<String> = support::SMALL_CANDIDATES.iter().map(|n| (*n).to_owned()).collect();
    assert_one_sheet(&file, &list, &[2, 1], A4_LANDSCAPE);
    let (status, page) =
        head.download(&format!("/rounds/{round}/files/phieu-bau.pdf?paper=a5&two_per_sheet=yes"));
    assert_eq!(status, 422, "{}", String::from_utf8_lossy(&page));
}

/// The header lines (lower case) and the body of a GET, as the browser receives them.
fn get_with_headers(addr: &str, path: &str, cookie: &str) -> (String, Vec<u8>) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).expect("connect");
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nCookie: {cookie}\r\n\r\n");
    stream.write_all(request.as_bytes()).expect("write");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read");
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("header end");
    (String::from_utf8_lossy(&raw[..split]).to_lowercase(), raw[split + 4..].to_vec())
}

/// The round page's preview frames the very sheet the download prints (same bytes), shown in the
/// page rather than saved; the node's pages may be framed by the node itself only.
#[test]
fn ballot_one_sheet_preview_on_the_round_page_is_the_printed_sheet() {
    let data = tempfile::tempdir().expect("temp");
    let (server, round, _, _) = support::small_congress(data.path(), 10);
    let head = Client::login(&server.addr, "head", SMALL_PASSWORD);
    let (page_head, page) = get_with_headers(&server.addr, &format!("/rounds/{round}"), &head.cookie);
    let page = String::from_utf8_lossy(&page).into_owned();
    let src = format!("/rounds/{round}/files/phieu-bau.pdf?copies=1&amp;paper=a4&amp;preview=1");
    assert!(page.contains(&format!("src=\"{src}\"")), "the page frames the preview: {page}");
    assert!(page_head.contains("x-frame-options: sameorigin"), "{page_head}");
    assert!(page_head.contains("content-security-policy: frame-ancestors 'self'"), "{page_head}");
    assert!(page_head.contains("x-content-type-options: nosniff"), "{page_head}");

    let (shown_head, shown) = get_with_headers(&server.addr, &src.replace("&amp;", "&"), &head.cookie);
    assert!(shown_head.contains("content-type: application/pdf"), "{shown_head}");
    assert!(shown_head.contains("content-disposition: inline;"), "{shown_head}");
    let (saved_head, saved) = get_with_headers(
        &server.addr,
        &format!("/rounds/{round}/files/phieu-bau.pdf?copies=1&paper=a4"),
        &head.cookie,
    );
    assert!(saved_head.contains("content-disposition: attachment;"), "{saved_head}");
    assert!(shown.starts_with(b"%PDF"), "a PDF");
    assert_eq!(shown, saved, "the preview is the printed sheet, byte for byte");

    // Only the ballot is previewed, and only with preview=1.
    for path in [
        format!("/rounds/{round}/files/phieu-bau.pdf?preview=yes"),
        format!("/rounds/{round}/files/nhat-ky.pdf?preview=1"),
    ] {
        let (status, _) = head.download(&path);
        assert_eq!(status, 422, "{path}");
    }
}
