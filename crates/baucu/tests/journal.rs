//! The journal of a round and the audit log as people read them, through the real binary: times in
//! the congress's local time (giờ Việt Nam, UTC+7) compared with the time the node stored, one
//! Vietnamese sentence with names per action (no English code, no "x:" ballot code), the audit
//! page's filters (each narrows; a value that names nothing is refused in Vietnamese), the PDF of the
//! filtered log and of the round's journal read back with `pdftotext`, and the readings of a stack not
//! yet reconciled still hidden from everyone but the board head.

mod support;

use serde_json::json;
use std::path::Path;
use std::process::Command;
use support::{Client, SMALL_PASSWORD, Server};

const HIDDEN: &str = "(ẩn đến khi chồng phiếu được đối chiếu xong)";

/// HTML text back to plain text (maud escapes quotes and ampersands).
fn unescape(html: &str) -> String {
    html.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The page at `path` (status, text of its table of lines).
fn page(client: &Client, path: &str) -> (u16, String) {
    let (status, body) = client.download(path);
    let body = unescape(&String::from_utf8_lossy(&body));
    (status, body)
}

/// Only the table of journal/audit lines (the rest of the page has navigation and forms).
fn table(html: &str) -> String {
    let start = html.find("<tbody>").unwrap_or_else(|| panic!("no table in {html}"));
    let end = html[start..].find("</tbody>").map_or(html.len(), |e| start + e);
    html[start..end].to_owned()
}

/// The rows of the table, each as its cells' text.
fn rows(html: &str) -> Vec<Vec<String>> {
    table(html)
        .split("<tr>")
        .skip(1)
        .map(|row| {
            row.split("<td")
                .skip(1)
                .map(|cell| {
                    let inner = cell.split_once('>').map_or("", |(_, rest)| rest);
                    inner.split("</td>").next().unwrap_or_default().to_owned()
                })
                .collect()
        })
        .collect()
}

/// The text of a PDF, whitespace collapsed (table cells wrap).
fn pdf_text(bytes: &[u8], dir: &Path, name: &str) -> String {
    let file = dir.join(name);
    std::fs::write(&file, bytes).expect("write pdf");
    let out =
        Command::new("pdftotext").arg(&file).arg("-").output().expect("pdftotext (poppler-utils) is needed");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One value the node stored, read with the `sqlite3` tool.
fn stored(data: &Path, sql: &str) -> String {
    let out =
        Command::new("sqlite3").arg(data.join("baucu.sqlite")).arg(sql).output().expect("sqlite3 is needed");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// A stored UTC time as the pages show it in Vietnam (UTC+7, no daylight saving).
fn in_vietnam(at: &str) -> String {
    let t: jiff::Timestamp = at.parse().expect("stored time");
    let z = t.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(7)));
    format!(
        "{:02}/{:02}/{:04} {:02}:{:02}:{:02}",
        z.day(),
        z.month(),
        z.year(),
        z.hour(),
        z.minute(),
        z.second()
    )
}

struct Counted {
    server: Server,
    round: i64,
    stack: i64,
    head: Client,
    pres: Client,
    op1: Client,
}

/// The small congress with a stack of 4 papers keyed by op1 (with an undo and a correction) and
/// op2, disagreeing on paper 4: the stack is left unreconciled.
fn counted(data: &Path) -> Counted {
    let (server, round, stack, entries) = support::small_congress(data, 4);
    let op1 = Client::login(&server.addr, "op1", SMALL_PASSWORD);
    let op2 = Client::login(&server.addr, "op2", SMALL_PASSWORD);
    let enter = |op: &Client, entry: i64, code: &str, key: &str| {
        op.post(&format!("/api/entries/{entry}/ballots"), json!({ "code": code, "key": key }));
    };
    for (i, code) in ["x:2,5", "x:6", "x:1"].iter().enumerate() {
        enter(&op1, entries[0], code, &format!("a{i}"));
    }
    op1.post(&format!("/api/entries/{}/undo", entries[0]), json!({}));
    enter(&op1, entries[0], "x:1", "a3");
    enter(&op1, entries[0], "x:4", "a4");
    op1.call("PUT", &format!("/api/entries/{}/ballots/4", entries[0]), Some(&json!({ "code": "x:3" })));
    op1.post(&format!("/api/entries/{}/finish", entries[0]), json!({}));
    for (i, code) in ["x:2,5", "x:6", "x:1", "x:5"].iter().enumerate() {
        enter(&op2, entries[1], code, &format!("b{i}"));
    }
    op2.post(&format!("/api/entries/{}/finish", entries[1]), json!({}));
    let head = Client::login(&server.addr, "head", SMALL_PASSWORD);
    let pres = Client::login(&server.addr, "pres", SMALL_PASSWORD);
    Counted { server, round, stack, head, pres, op1 }
}

/// The board settles paper 4 from the paper, closes the round, and the presidium publishes it.
fn settle_and_close(c: &Counted) {
    c.head.post(&format!("/api/stacks/{}/resolve", c.stack), json!({ "seq": 4, "code": "x:3" }));
    c.head.post(&format!("/api/rounds/{}/close", c.round), json!({ "confirm": true }));
    c.pres.post(&format!("/api/rounds/{}/publish", c.round), json!({ "confirm": true }));
}

const CODES: [&str; 12] = [
    "ballot.enter",
    "ballot.undo",
    "ballot.correct",
    "entry.finish",
    "stack.create",
    "stack.resolve",
    "round.close",
    "round.open",
    "round.publish",
    "\"reconcile\"",
    "\"issued\"",
    "x:",
];

fn no_codes(text: &str) {
    for code in CODES {
        assert!(!text.contains(code), "the code {code} is shown:\n{text}");
    }
}

#[test]
fn journal_round_in_sentences_local_time_and_redaction() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = counted(dir.path());
    let path = format!("/rounds/{}/journal", c.round);

    // Not yet reconciled: the presidium sees no reading, the board head sees them all.
    let (status, before) = page(&c.pres, &path);
    assert_eq!(status, 200);
    let before = table(&before);
    assert!(before.contains(HIDDEN), "{before}");
    assert!(!before.contains("gạch"), "a reading before reconciliation: {before}");
    let (_, head_view) = page(&c.head, &path);
    assert!(
        table(&head_view)
            .contains("Phạm Thị Một nhập phiếu số 1 của chồng phiếu \"Chồng 1\" (lượt 1): gạch 2, 5.")
    );
    let (_, pdf) = c.pres.download(&format!("/rounds/{}/files/nhat-ky.pdf", c.round));
    let early = pdf_text(&pdf, dir.path(), "early.pdf");
    assert!(
        early.contains("ẩn đến khi chồng phiếu được đối chiếu xong") && !early.contains("gạch"),
        "{early}"
    );

    settle_and_close(&c);
    let (_, after) = page(&c.pres, &path);
    assert!(after.contains("Thời gian (giờ Việt Nam (UTC+7))"), "{after}");
    let lines = rows(&after);
    let text = table(&after);
    no_codes(&text);
    assert!(!text.contains(HIDDEN), "{text}");
    for sentence in [
        "Trần Văn Chủ Tịch mở lần bầu thứ 1 — Bầu ",
        "Lê Văn Trưởng Ban ghi số phiếu của lần bầu thứ 1",
        "Lê Văn Trưởng Ban giao chồng phiếu \"Chồng 1\" (4 tờ) cho Phạm Thị Một, Hoàng Văn Hai nhập.",
        "Phạm Thị Một nhập phiếu số 1 của chồng phiếu \"Chồng 1\" (lượt 1): gạch 2, 5.",
        "Phạm Thị Một xóa phiếu vừa nhập (số 3) của chồng phiếu \"Chồng 1\" (lượt 1): gạch 1.",
        "Phạm Thị Một sửa phiếu số 4 của chồng phiếu \"Chồng 1\" (lượt 1): trước là gạch 4, nay là gạch 3.",
        "Phạm Thị Một nhập xong lượt 1 của chồng phiếu \"Chồng 1\": 4 phiếu.",
        "Hoàng Văn Hai nhập xong lượt 2 của chồng phiếu \"Chồng 1\": 4 phiếu.",
        "Đối chiếu chồng phiếu \"Chồng 1\": 1 phiếu chênh lệch giữa các lượt nhập (số 4).",
        "Lê Văn Trưởng Ban xem tờ phiếu và quyết định phiếu số 4 của chồng phiếu \"Chồng 1\": gạch 3.",
        "Đối chiếu chồng phiếu \"Chồng 1\": các lượt nhập khớp nhau, chồng phiếu được chấp nhận.",
        ": 4 phiếu hợp lệ.",
        "Trần Văn Chủ Tịch công bố kết quả lần bầu thứ 1 — Bầu ",
    ] {
        assert!(lines.iter().any(|r| r[2].contains(sentence)), "no line says {sentence:?}:\n{text}");
    }
    let close = lines.iter().find(|r| r[2].contains("kết thúc kiểm phiếu")).expect("the closing");
    assert!(close[2].starts_with("Lê Văn Trưởng Ban kết thúc kiểm phiếu lần bầu thứ 1 — Bầu "), "{close:?}");
    assert_eq!(close[1], "Lê Văn Trưởng Ban (head)");
    // The time shown is the time the node stored, in Vietnam.
    let at = stored(dir.path(), "SELECT at FROM journal WHERE kind = 'round.close'");
    assert_eq!(close[0], in_vietnam(&at), "stored {at}");

    let (status, pdf) = c.pres.download(&format!("/rounds/{}/files/nhat-ky.pdf", c.round));
    assert_eq!(status, 200);
    let doc = pdf_text(&pdf, dir.path(), "journal.pdf");
    assert!(doc.contains("NHẬT KÝ NHẬP PHIẾU") && doc.contains("giờ Việt Nam (UTC+7)"), "{doc}");
    assert!(doc.contains(&in_vietnam(&at)), "{doc}");
    assert!(doc.contains("4 phiếu hợp lệ.") && doc.contains("gạch 2, 5"), "{doc}");
    no_codes(&doc);
}

#[test]
fn audit_filters_narrow_refuse_unknown_values_and_export_pdf() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = counted(dir.path());

    // Redaction holds on the audit page and its PDF until the stack is reconciled.
    let (_, early) = page(&c.pres, "/audit?kind=ballot.enter");
    let early = table(&early);
    assert!(early.contains(HIDDEN) && !early.contains("gạch"), "{early}");
    let (_, pdf) = c.pres.download("/audit/nhat-ky-thao-tac.pdf?kind=ballot.enter");
    let early_pdf = pdf_text(&pdf, dir.path(), "early-audit.pdf");
    assert!(early_pdf.contains("ẩn đến khi chồng phiếu") && !early_pdf.contains("gạch"), "{early_pdf}");
    let (_, head_early) = page(&c.head, "/audit?kind=ballot.enter");
    assert!(table(&head_early).contains("gạch 2, 5"));
    // An operator sees the readings of their own entry only.
    let (_, adm) = page(&Client::login(&c.server.addr, "adm", SMALL_PASSWORD), "/audit?kind=ballot.enter");
    assert!(table(&adm).contains(HIDDEN));

    settle_and_close(&c);
    let all = rows(&page(&c.pres, "/audit").1);
    let (_, html) = page(&c.pres, "/audit");
    assert!(html.contains("Thời gian (giờ Việt Nam (UTC+7))"));
    no_codes(&table(&html));

    // By round: fewer lines, each about the round or its stack.
    let by_round = rows(&page(&c.pres, &format!("/audit?round={}", c.round)).1);
    assert!(!by_round.is_empty() && by_round.len() < all.len(), "{} of {}", by_round.len(), all.len());
    assert!(
        by_round.iter().all(|r| r[3].contains("lần bầu thứ 1") || r[3].contains("Chồng 1")),
        "{by_round:?}"
    );
    assert!(by_round.iter().all(|r| !r[3].contains("đăng nhập")));
    // By user.
    let by_user = rows(&page(&c.pres, "/audit?user=op1").1);
    assert!(!by_user.is_empty() && by_user.len() < all.len());
    assert!(by_user.iter().all(|r| r[2] == "Phạm Thị Một (op1)"), "{by_user:?}");
    // By kind.
    let by_kind = rows(&page(&c.pres, "/audit?kind=ballot.enter").1);
    assert_eq!(by_kind.len(), 9, "{by_kind:?}");
    assert!(by_kind.iter().all(|r| r[3].contains(" nhập phiếu số ")), "{by_kind:?}");
    // Together: op1's ballots of the round.
    let both = rows(&page(&c.pres, &format!("/audit?round={}&user=op1&kind=ballot.enter", c.round)).1);
    assert_eq!(both.len(), 5, "{both:?}");

    // A value that names nothing is refused, in Vietnamese, never ignored.
    for (query, says) in [
        ("round=999", "Không có lần bầu \"999\" để lọc nhật ký."),
        ("round=abc", "Không có lần bầu \"abc\" để lọc nhật ký."),
        ("user=ghost", "Không có tài khoản \"ghost\" để lọc nhật ký."),
        ("kind=ballot.teleport", "Không có loại thao tác \"ballot.teleport\" để lọc nhật ký."),
    ] {
        let (status, body) = page(&c.pres, &format!("/audit?{query}"));
        assert_eq!(status, 400, "{query}");
        assert!(body.contains(says), "{query}: {body}");
        let (status, _) = c.pres.download(&format!("/audit/nhat-ky-thao-tac.pdf?{query}"));
        assert_eq!(status, 400, "{query} (PDF)");
    }

    // The PDF of the filtered log: the same lines, the same local times.
    let at = stored(dir.path(), "SELECT at FROM audit_log WHERE actor = 'op1' ORDER BY seq DESC LIMIT 1");
    let (status, pdf) = c.pres.download("/audit/nhat-ky-thao-tac.pdf?user=op1");
    assert_eq!(status, 200);
    let doc = pdf_text(&pdf, dir.path(), "audit.pdf");
    assert!(doc.contains("NHẬT KÝ THAO TÁC") && doc.contains("người thực hiện: Phạm Thị Một (op1)"), "{doc}");
    assert!(doc.contains("giờ Việt Nam (UTC+7)") && doc.contains(&in_vietnam(&at)), "{at}: {doc}");
    assert!(by_user[0][1] == in_vietnam(&at), "{:?} vs {at}", by_user[0]);
    assert!(doc.contains("gạch 2, 5") && !doc.contains("Trần Văn Chủ Tịch"), "{doc}");
    no_codes(&doc);
    drop(c.op1);
}

/// Another zone given to `baucu serve --timezone`: the audit page shows its times in it.
#[test]
fn journal_timezone_flag_sets_the_zone_of_the_pages() {
    let dir = tempfile::tempdir().expect("tempdir");
    support::add_small_accounts(dir.path(), &support::baucu);
    let mut child = support::baucu()
        .args(["serve", "--insecure-http", "--listen", "127.0.0.1:0", "--timezone", "Europe/Paris", "--data"])
        .arg(dir.path())
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("start baucu serve");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(stdout));
    let addr = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| l.trim().strip_prefix("http://").map(|a| a.trim_end_matches('/').to_owned()))
        .expect("the node prints its address");
    support::drain(lines);
    let server = Server { child, addr, admin_password: None };
    let adm = Client::login(&server.addr, "adm", SMALL_PASSWORD);
    let (status, html) = page(&adm, "/audit?user=adm&kind=session.login");
    assert_eq!(status, 200);
    assert!(html.contains("Thời gian (giờ Europe/Paris)"), "{html}");
    let at = stored(dir.path(), "SELECT at FROM audit_log WHERE actor = 'adm' AND action = 'session.login'");
    let t: jiff::Timestamp = at.parse().expect("stored time");
    let z = t.to_zoned(jiff::tz::TimeZone::get("Europe/Paris").expect("Paris"));
    let shown = format!(
        "{:02}/{:02}/{:04} {:02}:{:02}:{:02}",
        z.day(),
        z.month(),
        z.year(),
        z.hour(),
        z.minute(),
        z.second()
    );
    let lines = rows(&html);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0][1], shown, "stored {at}");
    assert_ne!(lines[0][1], in_vietnam(&at));
}

#[test]
fn journal_timezone_flag_refuses_an_unknown_zone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = support::baucu()
        .args(["serve", "--insecure-http", "--listen", "127.0.0.1:0", "--timezone", "Sao/Hỏa", "--data"])
        .arg(dir.path())
        .output()
        .expect("run baucu");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Không có múi giờ \"Sao/Hỏa\""), "{err}");
}
