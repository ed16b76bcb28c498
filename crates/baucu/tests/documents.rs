//! Documents rendered by the real binary and read back: PDF text with poppler's `pdftotext`, fonts
//! with `pdffonts`, pages with `pdfinfo`; the Word file unzipped and its text read. The exact
//! Vietnamese of key fields is asserted. Needs poppler-utils (`scripts/test` installs it); without
//! it, and without `BAUCU_BROWSER_TESTS=required`, the PDF checks say so and skip.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

fn case(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/documents").join(name)
}

fn baucu(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_baucu")).args(args).output().expect("run baucu")
}

fn poppler() -> bool {
    let there = Command::new("pdftotext").arg("-v").output().is_ok();
    if !there && std::env::var("BAUCU_BROWSER_TESTS").as_deref() == Ok("required") {
        panic!("poppler-utils is required for the document tests");
    }
    if !there {
        eprintln!("skipped: poppler-utils (pdftotext) is not installed; scripts/test installs it");
    }
    there
}

fn text(pdf: &Path) -> String {
    let out = Command::new("pdftotext").arg("-layout").arg(pdf).arg("-").output().expect("pdftotext");
    assert!(out.status.success());
    String::from_utf8(out.stdout).expect("utf-8 text")
}

/// Every font of the PDF is embedded (`pdffonts`: the `emb` column says `yes`).
fn assert_fonts_embedded(pdf: &Path) {
    let out = Command::new("pdffonts").arg(pdf).output().expect("pdffonts");
    let listing = String::from_utf8_lossy(&out.stdout).into_owned();
    let fonts: Vec<&str> = listing.lines().skip(2).filter(|l| !l.trim().is_empty()).collect();
    assert!(!fonts.is_empty(), "{listing}");
    for f in fonts {
        let cols: Vec<&str> = f.split_whitespace().collect();
        let n = cols.len();
        assert_eq!(cols[n - 5], "yes", "font not embedded: {f}");
    }
    assert!(listing.contains("LibertinusSerif"), "{listing}");
}

/// One field of `pdfinfo`, e.g. `Pages` or `Page size`.
fn pdfinfo(pdf: &Path, field: &str) -> String {
    let out = String::from_utf8_lossy(&Command::new("pdfinfo").arg(pdf).output().expect("pdfinfo").stdout)
        .into_owned();
    out.lines()
        .find_map(|l| l.strip_prefix(field).and_then(|r| r.strip_prefix(':')).map(|v| v.trim().to_owned()))
        .unwrap_or_else(|| panic!("pdfinfo has no {field}:\n{out}"))
}

#[test]
fn minutes_pdf_and_docx_state_the_count_in_vietnamese() {
    let dir = tempfile::tempdir().expect("temp");
    let pdf = dir.path().join("bien-ban.pdf");
    let docx = dir.path().join("bien-ban.docx");
    let src = case("minutes-case.json");
    for out in [&pdf, &docx] {
        let run =
            baucu(&["print", "minutes", src.to_str().expect("path"), "-o", out.to_str().expect("path")]);
        assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    }
    // The Word file: its text, as Word would show it.
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&docx).expect("docx")).expect("a zip");
    let mut xml = String::new();
    zip.by_name("word/document.xml").expect("document.xml").read_to_string(&mut xml).expect("read");
    let word: String = xml
        .split("<w:t")
        .skip(1)
        .filter_map(|p| p.split_once('>').and_then(|(_, r)| r.split("</w:t>").next()))
        .collect::<Vec<_>>()
        .join(" ");
    for expected in [
        "BIÊN BẢN KIỂM PHIẾU",
        "Bầu Ban Chấp hành",
        "Đỗ Thị Ánh",
        "83,33%",
        "91,67%",
        "Phạm Văn Hùng",
        "Trưởng ban kiểm phiếu",
        "phiếu để lại nhiều hơn số lượng cần bầu",
    ] {
        assert!(word.contains(expected), "the Word minutes lack \"{expected}\"");
    }
    if !poppler() {
        return;
    }
    let t = text(&pdf);
    for expected in [
        "BIÊN BẢN KIỂM PHIẾU",
        "Bầu Ban Chấp hành",
        "Lần bầu thứ 1",
        "Đại hội Đảng bộ xã Thượng Kiệm lần thứ XXVI",
        "Hội trường UBND xã, ngày 20 tháng 05 năm 2025",
        "Tổng số đảng viên chính thức được triệu tập",
        "Trừ đảng viên bị đình chỉ sinh hoạt đảng",
        "Số làm căn cứ tính kết quả bầu cử",
        "ít nhất 55 phiếu",
        "Số phiếu không hợp lệ",
        "phiếu gạch hết tên",
        "Đỗ Thị Ánh",
        "Hồ Thị Yến",
        "83,33%",
        "26,85%",
        "TRƯỞNG BAN KIỂM PHIẾU",
        "THÀNH VIÊN BAN KIỂM PHIẾU",
        "Phạm Văn Hùng",
    ] {
        assert!(t.contains(expected), "the PDF minutes lack \"{expected}\":\n{t}");
    }
    // Figures: summoned 120, B = 108, 104 collected, 99 valid, 5 invalid.
    for line in [
        ("được triệu tập", "120"),
        ("Số làm căn cứ tính kết quả bầu cử", "108"),
        ("Số phiếu thu vào", "104"),
        ("Số phiếu hợp lệ", "99"),
    ] {
        assert!(
            t.lines().any(|l| l.contains(line.0) && l.trim_end().ends_with(line.1)),
            "no line \"{} … {}\":\n{t}",
            line.0,
            line.1
        );
    }
    // The elected in descending order of votes: the four with 99 first, Ngô Thị Lan (69) last.
    let elected = t.rsplit("Người trúng cử").next().expect("elected section");
    let order: Vec<usize> = ["Nguyễn Văn An", "Bùi Thị Hạnh", "Đỗ Thị Ánh", "Ngô Thị Lan"]
        .iter()
        .map(|n| elected.find(n).expect("name"))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{elected}");
    // A signature block for each of the three members of the board, the head first.
    assert_eq!(t.matches("(Ký, ghi rõ họ tên)").count(), 3);
    assert_fonts_embedded(&pdf);
}

#[test]
fn ballots_in_both_layouts_sizes_and_copies_byte_identical() {
    if !poppler() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp");
    let strike = dir.path().join("phieu.pdf");
    let again = dir.path().join("phieu-2.pdf");
    let agree = dir.path().join("phieu-pho-bi-thu.pdf");
    let src = case("minutes-case.json");
    for out in [&strike, &again] {
        let run = baucu(&[
            "print",
            "ballot",
            src.to_str().expect("path"),
            "-o",
            out.to_str().expect("path"),
            "--copies",
            "3",
        ]);
        assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    }
    assert_eq!(
        std::fs::read(&strike).expect("pdf"),
        std::fs::read(&again).expect("pdf"),
        "the same input renders byte-identical PDFs"
    );
    assert_eq!(pdfinfo(&strike, "Pages"), "3");
    assert_eq!(pdfinfo(&strike, "Page size"), "595.276 x 841.89 pts (A4)");
    let t = text(&strike);
    for expected in [
        "PHIẾU BẦU CỬ",
        "Bầu Ban Chấp hành",
        "Gạch ngang cả họ và tên người không bầu.",
        "ĐẢNG BỘ XÃ THƯỢNG KIỆM",
        "Nơi đóng dấu",
        "Nguyễn Văn An",
        "Hồ Thị Yến",
        "Bầu 9 trong số 11 người.",
    ] {
        assert_eq!(t.matches(expected).count(), 3, "\"{expected}\" once on each of the 3 copies:\n{t}");
    }
    assert_fonts_embedded(&strike);

    let deputies = case("deputies-case.json");
    let run = baucu(&[
        "print",
        "ballot",
        deputies.to_str().expect("path"),
        "-o",
        agree.to_str().expect("path"),
        "--paper",
        "a5",
    ]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    // 148 × 210 mm (poppler names A4 but not A5).
    assert!(pdfinfo(&agree, "Page size").starts_with("419.528 x 595.276 pts"));
    let t = text(&agree);
    for expected in [
        "Bầu phó bí thư",
        "Đồng ý",
        "Không đồng ý",
        "Đánh dấu X vào một ô",
        "Trần Văn Hải",
        "Nguyễn Thị Oanh",
    ] {
        assert!(t.contains(expected), "the agree/disagree ballot lacks \"{expected}\":\n{t}");
    }
}

#[test]
fn print_refuses_what_it_cannot_print() {
    let dir = tempfile::tempdir().expect("temp");
    let out = dir.path().join("x.txt");
    let src = case("minutes-case.json");
    let run = baucu(&["print", "minutes", src.to_str().expect("path"), "-o", out.to_str().expect("path")]);
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains(".pdf hoặc .docx"));
    let list = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/list-surplus-exceeds-cap.json");
    let run = baucu(&[
        "print",
        "ballot",
        list.to_str().expect("path"),
        "-o",
        dir.path().join("b.pdf").to_str().expect("path"),
    ]);
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("kind"));
    assert!(!out.exists());
}
