//! The congress office's documents, read back: `baucu simulate --seed 7` makes a whole congress, the
//! real node serves it, and every document of the "Tài liệu đại hội" page (credentials report,
//! candidates' summary lists, poll ballots, report to the superior) and every round's results
//! workbook is downloaded over HTTP in every format and read back — the PDF's text (`pdftotext`), the
//! Word file's `word/document.xml`, the workbook's cells (calamine). Each figure is checked against
//! what the node stored, read through its JSON API: the attendance summary, each round's recorded
//! result, the roster.

mod support;

use serde_json::Value;
use std::collections::BTreeMap;
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

/// The text of a PDF as `pdftotext -layout` reads it (a table row stays on one line), squashed; and
/// its number of pages.
fn pdf_text(bytes: &[u8]) -> (String, usize) {
    assert!(
        bytes.starts_with(b"%PDF"),
        "not a PDF: {}",
        String::from_utf8_lossy(&bytes[..bytes.len().min(300)])
    );
    let dir = tempfile::tempdir().expect("temp");
    let file = dir.path().join("doc.pdf");
    std::fs::write(&file, bytes).expect("write");
    let out = Command::new("pdftotext")
        .arg("-layout")
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let pages = text.matches('\u{c}').count();
    (squash(&text), pages)
}

/// The text of a Word file: every `<w:t>` of `word/document.xml`, in order, squashed.
fn docx_text(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    let mut xml = String::new();
    zip.by_name("word/document.xml").expect("document.xml").read_to_string(&mut xml).expect("read");
    // `<w:t>` or `<w:t xml:space=…>`, not `<w:tbl…>` nor `<w:tc>`.
    let parts: Vec<&str> = xml
        .split("<w:t")
        .skip(1)
        .filter(|p| p.starts_with('>') || p.starts_with(' '))
        .filter_map(|p| p.split_once('>').and_then(|(_, r)| r.split("</w:t>").next()))
        .collect();
    squash(&parts.join(" "))
}

/// The cells of one sheet, as text (numbers as calamine writes them: `133`, `88.06`).
fn xlsx_rows(bytes: Vec<u8>, sheet: &str) -> Vec<Vec<String>> {
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("xlsx");
    let range = book.worksheet_range(sheet).expect("sheet");
    range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
}

/// The number in the cell right of the first cell reading `label`.
fn number_after(rows: &[Vec<String>], label: &str) -> u64 {
    for r in rows {
        if let Some(i) = r.iter().position(|c| c == label) {
            return r.get(i + 1).and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("{label}: {r:?}"));
        }
    }
    panic!("no row \"{label}\" in {rows:?}")
}

/// The engine's percentage written the Vietnamese way: "88.06" → "88,06%".
fn vn(percent: &Value) -> String {
    format!("{}%", percent.as_str().expect("percent").replace('.', ","))
}

/// `part` of `total` as the documents write it (half up, two decimals, decimal comma).
fn share(part: u64, total: u64) -> String {
    let h = (2 * part * 10_000 + total) / (2 * total);
    format!("{},{:02}%", h / 100, h % 100)
}

fn download(client: &Client, path: &str) -> Vec<u8> {
    let (status, bytes) = client.download(path);
    assert_eq!(status, 200, "{path}: {}", String::from_utf8_lossy(&bytes[..bytes.len().min(500)]));
    bytes
}

/// Every round the node has, in order, with its election.
fn rounds(client: &Client) -> Vec<Value> {
    let mut out = Vec::new();
    for id in 1.. {
        let (status, v) = client.try_call("GET", &format!("/api/rounds/{id}"), None).expect("request");
        if status == 404 {
            break;
        }
        assert_eq!(status, 200, "{v}");
        out.push(v["round"].clone());
    }
    out
}

/// The people elected in an election, from its rounds' recorded results: (person id, name, votes,
/// percentage of the base, alternate), in the order the rounds elected them. A tie-break winner is
/// listed with the votes of the round in which they were tied above the majority.
fn elected(rounds: &[Value], election: i64) -> Vec<(i64, String, u64, String, bool)> {
    let mut out = Vec::new();
    let mut tied: std::collections::BTreeMap<i64, (u64, String)> = std::collections::BTreeMap::new();
    for r in rounds.iter().filter(|r| r["election_id"] == election) {
        let alternates_round = r["purpose"] == "alternates";
        let tie_break = r["purpose"] == "tie_break";
        let ids: Vec<i64> =
            r["candidate_ids"].as_array().expect("ids").iter().filter_map(Value::as_i64).collect();
        for c in r["result"]["candidates"].as_array().expect("result") {
            let outcome = c["outcome"].as_str().expect("outcome");
            let position = c["position"].as_u64().expect("position") as usize;
            let figures = (c["votes"].as_u64().expect("votes"), vn(&c["percent_of_base"]));
            if outcome == "tied" && c["passes_threshold"] == true {
                tied.entry(ids[position - 1]).or_insert(figures);
            } else if outcome == "elected" || outcome == "alternate" {
                let (votes, percent) = if tie_break {
                    tied.get(&ids[position - 1]).cloned().unwrap_or(figures)
                } else {
                    figures
                };
                out.push((
                    ids[position - 1],
                    c["name"].as_str().expect("name").to_owned(),
                    votes,
                    percent,
                    alternates_round || outcome == "alternate",
                ));
            }
        }
    }
    out
}

#[test]
fn documents_readback_every_office_document_of_a_simulated_congress() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    simulate(&data);
    let server = start(&data, false);
    let presidium = Client::login(&server.addr, "doanchutich", DEMO_PASSWORD);

    // The page lists every document and format, and the overview links it.
    let (status, page) = presidium.download("/documents");
    assert_eq!(status, 200);
    let page = String::from_utf8(page).expect("utf-8");
    for link in [
        "/documents/files/tham-tra-tu-cach.pdf",
        "/documents/files/tham-tra-tu-cach.docx",
        "/documents/files/tham-tra-tu-cach.xlsx",
        "/documents/files/bao-cao-ket-qua.pdf",
        "/documents/files/bao-cao-ket-qua.docx",
        "/documents/elections/1/trich-ngang.pdf",
        "/documents/elections/1/trich-ngang.docx",
        "/documents/elections/1/trich-ngang.xlsx",
        "/documents/elections/1/phieu-gioi-thieu.pdf",
        "/documents/elections/1/phieu-xin-y-kien.pdf",
    ] {
        assert!(page.contains(link), "the documents page lacks {link}");
    }
    let (_, home) = presidium.download("/");
    assert!(String::from_utf8_lossy(&home).contains("href=\"/documents\""));

    let congress = presidium.get("/api/congress");
    let congress_name = congress["name"].as_str().expect("name").to_owned();
    let term = congress["term"].as_str().expect("term").to_owned();
    let congress_line = format!("{congress_name}, nhiệm kỳ {term}");

    // 1. The credentials report, against the attendance summary and the roster of those present.
    let attendance = presidium.get("/api/attendance");
    let report = &attendance["report"];
    let (summoned, present, base) = (
        report["summoned"].as_u64().expect("summoned"),
        report["present"].as_u64().expect("present"),
        report["base"].as_u64().expect("base"),
    );
    let present_people: Vec<&Value> = attendance["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .filter(|r| r["checked_in"] == true && r["standing"] != "Không thuộc diện triệu tập")
        .map(|r| &r["person"])
        .collect();
    assert_eq!(present_people.len() as u64, present);
    let women = present_people.iter().filter(|p| p["sex"] == "female").count() as u64;
    let religious = present_people
        .iter()
        .filter(|p| {
            !matches!(p["religion"].as_str().unwrap_or("").trim().to_lowercase().as_str(), "" | "không")
        })
        .count() as u64;
    let pdf = download(&presidium, "/documents/files/tham-tra-tu-cach.pdf");
    let (text, _) = pdf_text(&pdf);
    let docx = docx_text(&download(&presidium, "/documents/files/tham-tra-tu-cach.docx"));
    for t in [&text, &docx] {
        assert!(t.contains("THẨM TRA TƯ CÁCH"), "{t}");
        assert!(t.contains(&congress_line), "the term once: {t}");
        assert!(!t.contains(&format!("nhiệm kỳ {term}, nhiệm kỳ")), "{t}");
        assert!(t.contains("ĐẢNG CỘNG SẢN VIỆT NAM"), "{t}");
        assert!(
            t.contains(&format!(
                "được triệu tập: {summoned}; có mặt: {present} ({})",
                share(present, summoned)
            )),
            "{t}"
        );
        assert!(t.contains(&format!("Số làm căn cứ tính kết quả bầu cử (B) ={base}")), "{t}");
        assert!(t.contains(&format!("Nữ {women} {}", share(women, present))), "women present: {t}");
        assert!(t.contains(&format!("Nam {} {}", present - women, share(present - women, present))), "{t}");
        assert!(t.contains(&format!("Có tôn giáo {religious} {}", share(religious, present))), "{t}");
        assert!(t.contains("ngày 20 tháng 05 năm 2025"), "place and date: {t}");
    }
    let rows = xlsx_rows(download(&presidium, "/documents/files/tham-tra-tu-cach.xlsx"), "Thẩm tra tư cách");
    assert_eq!(number_after(&rows, "Số đảng viên được triệu tập"), summoned);
    assert_eq!(number_after(&rows, "Số đảng viên có mặt"), present);
    assert_eq!(number_after(&rows, "Số làm căn cứ tính kết quả bầu cử"), base);
    assert_eq!(number_after(&rows, "Giới tính: Nữ"), women);
    assert_eq!(number_after(&rows, "Tôn giáo: Có tôn giáo"), religious);
    let kinds = rows.iter().find(|r| r[0] == "Đảng viên chính thức").expect("the members' row");
    assert_eq!(kinds[1..3], [summoned.to_string(), present.to_string()], "{kinds:?}");

    // 2. The summary list of every election list, in ballot order, with each person's facts.
    let persons: BTreeMap<i64, Value> = presidium
        .get("/api/persons")
        .as_array()
        .expect("persons")
        .iter()
        .map(|p| (p["id"].as_i64().expect("id"), p.clone()))
        .collect();
    let elections = presidium.get("/api/elections");
    let elections = elections.as_array().expect("elections");
    assert_eq!(elections.len(), 8);
    for e in elections {
        let id = e["id"].as_i64().expect("id");
        let detail = presidium.get(&format!("/api/elections/{id}"));
        let ballot: Vec<&Value> = detail["ballot"].as_array().expect("ballot").iter().collect();
        assert!(!ballot.is_empty());
        let rows = xlsx_rows(
            download(&presidium, &format!("/documents/elections/{id}/trich-ngang.xlsx")),
            "Trích ngang",
        );
        let header = rows.iter().position(|r| r[0] == "TT").expect("header row");
        assert_eq!(rows[header].len(), 12, "{:?}", rows[header]);
        let listed: Vec<&Vec<String>> = rows[header + 1..].iter().collect();
        assert_eq!(listed.len(), ballot.len(), "election {id}");
        for (row, c) in listed.iter().zip(&ballot) {
            let p = &persons[&c["person_id"].as_i64().expect("person")];
            assert_eq!(row[1], c["full_name"].as_str().expect("name"));
            let birth = p["birth_date"].as_str().unwrap_or("");
            if let [y, m, d] = birth.split('-').collect::<Vec<_>>()[..] {
                assert_eq!(row[2], format!("{d}/{m}/{y}"), "{row:?}");
            }
            assert_eq!(row[3], if p["sex"] == "female" { "Nữ" } else { "Nam" });
            assert_eq!(row[5], p["ethnicity"].as_str().expect("ethnicity"));
            assert_eq!(row[8], p["education"].as_str().expect("education"));
        }
        let (text, _) =
            pdf_text(&download(&presidium, &format!("/documents/elections/{id}/trich-ngang.pdf")));
        let word = docx_text(&download(&presidium, &format!("/documents/elections/{id}/trich-ngang.docx")));
        for t in [&text, &word] {
            assert!(t.contains("DANH SÁCH TRÍCH NGANG") && t.contains("Quê quán"), "{t}");
            let mut at = 0;
            for c in &ballot {
                let name = c["full_name"].as_str().expect("name");
                let found =
                    t[at..].find(name).unwrap_or_else(|| panic!("{name} missing or out of ballot order"));
                at += found + name.len();
            }
        }

        // 3. The poll ballots: one sheet each.
        let (text, pages) =
            pdf_text(&download(&presidium, &format!("/documents/elections/{id}/phieu-gioi-thieu.pdf")));
        assert_eq!(pages, 1, "{text}");
        let seats = e["seats"].as_u64().expect("seats");
        assert!(
            text.contains("PHIẾU GIỚI THIỆU NHÂN SỰ") && text.contains(&format!("không quá {seats} người")),
            "{text}"
        );
        assert!(text.contains(&format!("{seats} ....")), "{seats} numbered lines: {text}");
        let (text, pages) =
            pdf_text(&download(&presidium, &format!("/documents/elections/{id}/phieu-xin-y-kien.pdf")));
        assert_eq!(pages, 1, "{text}");
        assert!(text.contains("PHIẾU XIN Ý KIẾN") && text.contains("Không đồng ý"), "{text}");
        for c in
            detail["candidates"].as_array().expect("candidates").iter().filter(|c| c["status"] != "withdrawn")
        {
            assert!(text.contains(c["full_name"].as_str().expect("name")), "{c}: {text}");
        }
    }

    // 4. Each round's results workbook: the congress, the round, the assembly and the ballots as
    //    totals, then every candidate, all from the round's record.
    let all_rounds = rounds(&presidium);
    assert!(all_rounds.len() >= 10);
    for r in &all_rounds {
        let id = r["id"].as_i64().expect("id");
        let rows = xlsx_rows(download(&presidium, &format!("/rounds/{id}/files/ket-qua.xlsx")), "Kết quả");
        let result = &r["result"];
        // A round held at a plenum is headed by the plenum (issue 11), with the same term.
        let heading = if r["assembly"]["type"] == "plenum" {
            rows.iter().take(4).any(|row| {
                row[0].starts_with("Hội nghị lần thứ nhất ")
                    && row[0].ends_with(&format!(", nhiệm kỳ {term}"))
            })
        } else {
            rows.iter().take(4).any(|row| row[0] == congress_line)
        };
        assert!(heading, "{rows:?}");
        assert_eq!(
            number_after(&rows, "Số làm căn cứ tính kết quả bầu cử"),
            result["base"].as_u64().expect("base")
        );
        assert_eq!(
            number_after(&rows, "Số phiếu phát ra"),
            result["ballots"]["issued"].as_u64().expect("issued")
        );
        assert_eq!(
            number_after(&rows, "Số phiếu thu vào"),
            result["ballots"]["returned"].as_u64().expect("returned")
        );
        assert_eq!(
            number_after(&rows, "Số phiếu hợp lệ"),
            result["ballots"]["valid"].as_u64().expect("valid")
        );
        assert_eq!(
            number_after(&rows, "Số phiếu không hợp lệ"),
            result["ballots"]["invalid"].as_u64().expect("invalid")
        );
        assert_eq!(
            number_after(&rows, "Số phiếu tối thiểu để trúng cử (quá một nửa số làm căn cứ)"),
            r["threshold"].as_u64().expect("threshold")
        );
        let present_label =
            rows.iter().find(|row| row.iter().any(|c| c.ends_with("có mặt"))).expect("present row");
        assert_eq!(present_label[2], r["assembly"]["present"].to_string(), "{present_label:?}");
        for c in result["candidates"].as_array().expect("candidates") {
            let line =
                rows.iter().find(|row| row[1] == c["name"].as_str().expect("name")).expect("candidate row");
            assert_eq!(line[2], c["votes"].to_string());
            let percent: f64 = c["percent_of_base"].as_str().expect("percent").parse().expect("number");
            assert_eq!(line[3].parse::<f64>().expect("a number cell"), percent, "{line:?}");
        }
    }

    // 5. The report to the superior: the assembly of the congress's rounds, every body with each
    //    elected person's votes and percentage, the composition of each body, the chain head.
    let congress_round =
        all_rounds.iter().find(|r| r["assembly"]["type"] != "plenum").expect("a congress round");
    let report_pdf = download(&presidium, "/documents/files/bao-cao-ket-qua.pdf");
    let (text, _) = pdf_text(&report_pdf);
    let word = docx_text(&download(&presidium, "/documents/files/bao-cao-ket-qua.docx"));
    let (status, _) = presidium.download("/documents/files/bao-cao-ket-qua.xlsx");
    assert_eq!(status, 404, "the report has no Excel form");
    let mut heads = Vec::new();
    for t in [&text, &word] {
        assert!(t.contains("KẾT QUẢ ĐẠI HỘI") && t.contains(&congress_line), "{t}");
        assert!(
            t.contains(&format!(
                "được triệu tập: {}; có mặt: {}; số làm căn cứ tính kết quả bầu cử: {}",
                congress_round["assembly"]["summoned"],
                congress_round["assembly"]["present"],
                congress_round["base"]
            )),
            "{t}"
        );
        for e in elections {
            let id = e["id"].as_i64().expect("id");
            let people = elected(&all_rounds, id);
            assert!(!people.is_empty(), "election {id} elected nobody");
            for (_, name, votes, percent, _) in &people {
                assert!(t.contains(&format!("{name} {votes} {percent}")), "{name} {votes} {percent}: {t}");
            }
            let officials: Vec<&Value> = people.iter().filter(|p| !p.4).map(|p| &persons[&p.0]).collect();
            if officials.len() > 1 {
                let n = officials.len() as u64;
                let women = officials.iter().filter(|p| p["sex"] == "female").count() as u64;
                let first = officials.iter().filter(|p| p["first_time"] == true).count() as u64;
                assert!(
                    t.contains(&format!("Nữ {women} {}", share(women, n))),
                    "women of election {id}: {t}"
                );
                assert!(t.contains(&format!("Tham gia lần đầu {first} {}", share(first, n))), "{t}");
            }
        }
        assert!(t.contains("Đại biểu dự khuyết"), "{t}");
        let head = t
            .split("mục số ")
            .nth(1)
            .and_then(|s| s.split(": ").nth(1))
            .map(|s| s.chars().take(64).collect::<String>());
        heads.push(head.expect("the chain head"));
    }
    assert_eq!(heads[0], heads[1]);
    drop(server);
    let verify = Command::new(env!("CARGO_BIN_EXE_baucu"))
        .args(["audit", "verify", "--data"])
        .arg(&data)
        .output()
        .expect("verify");
    let said = String::from_utf8_lossy(&verify.stdout);
    assert!(said.contains(&format!("Mã đầu chuỗi nhật ký: {}", heads[0])), "{said} / {}", heads[0]);
}

/// Who may not download, and what is not a document: an operator is refused, an unknown name or
/// format is "not found", and nothing was needed from the disk to say so.
#[test]
fn documents_readback_refuses_unentitled_roles_and_unknown_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    simulate(&data);
    let server = start(&data, false);
    let operator = Client::login(&server.addr, "nhapphieu1", DEMO_PASSWORD);
    for path in
        ["/documents", "/documents/files/tham-tra-tu-cach.pdf", "/documents/elections/1/trich-ngang.pdf"]
    {
        assert_eq!(operator.download(path).0, 403, "{path}");
    }
    let board = Client::login(&server.addr, "kiemphieu", DEMO_PASSWORD);
    for path in [
        "/documents/files/tham-tra-tu-cach.odt",
        "/documents/files/khong-co.pdf",
        "/documents/files/tham-tra-tu-cach",
        "/documents/elections/1/phieu-gioi-thieu.docx",
        "/documents/elections/999/trich-ngang.pdf",
    ] {
        assert_eq!(board.download(path).0, 404, "{path}");
    }
    assert_eq!(board.download("/documents/elections/1/phieu-xin-y-kien.pdf").0, 200);
}
