//! Results you can prove, through the real `baucu serve` on a real SQLite file: candidates are
//! people (ids), not names; the stacks add up to the box; double entry stays independent; a board
//! resolution never outlives the entry it settled; an irreversible decision needs every field; and
//! the minutes of a closed round are frozen with its record.

mod support;

use serde_json::{Value, json};
use support::{Client, SMALL_PASSWORD, operator_id, small_congress, small_congress_with};

/// Keys `codes` on `entry` as `operator` (keys tagged `tag`), then finishes the entry.
fn key(operator: &Client, entry: i64, codes: &[&str], tag: &str) {
    for (i, code) in codes.iter().enumerate() {
        operator.post(
            &format!("/api/entries/{entry}/ballots"),
            json!({ "code": code, "key": format!("{tag}-{i}") }),
        );
    }
    operator.post(&format!("/api/entries/{entry}/finish"), json!({}));
}

fn login(server: &support::Server, user: &str) -> Client {
    Client::login(&server.addr, user, SMALL_PASSWORD)
}

fn stack_statuses(head: &Client, round: i64) -> Vec<String> {
    head.get(&format!("/api/rounds/{round}"))["stacks"]
        .as_array()
        .expect("stacks")
        .iter()
        .map(|s| s["status"].as_str().unwrap_or("").to_owned())
        .collect()
}

fn sheet_rows(xlsx: Vec<u8>, name: &str) -> Vec<Vec<String>> {
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx)).expect("xlsx");
    let sheet = book.worksheet_range(name).expect("sheet");
    sheet.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
}

/// Two candidates named "Nguyễn Văn An" (different people, born 01/01/1960 and 02/02/1961): every
/// one of 40 ballots (B = 60, T = 31) strikes the first, so the second is elected and the first is not — in the results, the
/// workbook, the list of the elected and the projector.
#[test]
fn duplicate_names() {
    let names =
        ["Nguyễn Văn An", "Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em"];
    let dir = tempfile::tempdir().expect("temp");
    let (server, round, _, [e1, e2]) = small_congress_with(&dir.path().join("data"), &names, 40);
    let ballots = ["x:1"; 40];
    key(&login(&server, "op1"), e1, &ballots, "a");
    key(&login(&server, "op2"), e2, &ballots, "b");
    let head = login(&server, "head");
    let result = head.post(&format!("/api/rounds/{round}/close"), json!({ "confirm": true }));
    assert_eq!(result["candidates"][0]["outcome"], "not_elected", "{result}");
    assert_eq!(result["candidates"][1]["outcome"], "elected", "{result}");
    assert_eq!(result["candidates"][1]["votes"], 40);

    // The results workbook: position 1 has no vote, position 2 all of them.
    let (status, xlsx) = head.download(&format!("/rounds/{round}/files/ket-qua.xlsx"));
    assert_eq!(status, 200);
    let rows = sheet_rows(xlsx, "Kết quả");
    let an: Vec<&Vec<String>> = rows.iter().filter(|r| r.iter().any(|c| c == "Nguyễn Văn An")).collect();
    assert_eq!(an.len(), 2, "{rows:?}");
    assert!(an[0].iter().any(|c| c == "0") && an[0].iter().any(|c| c == "Không trúng cử"), "{:?}", an[0]);
    assert!(an[1].iter().any(|c| c == "40") && an[1].iter().any(|c| c == "Trúng cử"), "{:?}", an[1]);

    // The list of the elected names the right person: the one born on 02/02/1961.
    let election =
        head.get(&format!("/api/rounds/{round}"))["round"]["election_id"].as_i64().expect("election");
    let (_, xlsx) = head.download(&format!("/elections/{election}/files/trung-cu.xlsx"));
    let rows = sheet_rows(xlsx, "Danh sách");
    let an: Vec<&Vec<String>> = rows.iter().filter(|r| r.iter().any(|c| c == "Nguyễn Văn An")).collect();
    assert_eq!(an.len(), 1, "one An is elected: {rows:?}");
    assert!(
        an[0].iter().any(|c| c.contains("02/02/1961")),
        "the elected An is the second person: {:?}",
        an[0]
    );
    assert!(!an[0].iter().any(|c| c.contains("01/01/1960")));

    // The projector shows both lines with their own outcome.
    login(&server, "pres").post(&format!("/api/rounds/{round}/publish"), json!({ "confirm": true }));
    let (_, page) = head.download("/results");
    let page = String::from_utf8_lossy(&page);
    let first = page.find("Nguyễn Văn An").expect("first An");
    let second = page[first + 1..].find("Nguyễn Văn An").expect("second An") + first + 1;
    assert!(page[first..second].contains("Không trúng cử"), "the first An is not elected");
    assert!(page[second..].split("</tr>").next().unwrap_or("").contains("Trúng cử"));
}

/// A stack handed out twice by a resent request is one stack; stacks beyond the box are refused; a
/// round whose stacks do not add up to the ballots collected does not close.
#[test]
fn stack_twice() {
    let dir = tempfile::tempdir().expect("temp");
    let (server, round, stack, [e1, e2]) = small_congress(&dir.path().join("data"), 30);
    let head = login(&server, "head");
    let view = head.get(&format!("/api/rounds/{round}"));
    let ops = [operator_id(&view, "op1"), operator_id(&view, "op2")];
    // The same hand-out again (double click, retried request): the same stack, nothing new.
    let again = head.post(
        &format!("/api/rounds/{round}/stacks"),
        json!({ "name": "Chồng 1", "papers": 30, "operators": ops, "key": "small-1" }),
    );
    assert_eq!(again["id"], stack);
    assert_eq!(stack_statuses(&head, round).len(), 1);
    // The same pile as a second stack: the box held 30, and 30 are handed out already.
    let (status, body) = head
        .try_call(
            "POST",
            &format!("/api/rounds/{round}/stacks"),
            Some(&json!({ "name": "Chồng 2", "papers": 30, "operators": ops, "key": "other" })),
        )
        .expect("request");
    assert_eq!(status, 422, "{body}");
    assert!(body.to_string().contains("vượt số phiếu thu vào"), "{body}");
    assert_eq!(stack_statuses(&head, round).len(), 1);

    // Both entries agree on 29 ballots of a stack of 30 papers: no closing.
    let ballots = ["x:6"; 29];
    key(&login(&server, "op1"), e1, &ballots, "a");
    key(&login(&server, "op2"), e2, &ballots, "b");
    assert_eq!(stack_statuses(&head, round), ["accepted"]);
    let (status, body) = head
        .try_call("POST", &format!("/api/rounds/{round}/close"), Some(&json!({ "confirm": true })))
        .expect("close");
    assert_eq!(status, 409, "{body}");
    assert!(body.to_string().contains("có 30 tờ nhưng các lượt nhập thống nhất 29 phiếu"), "{body}");
    // The board recounts the box: 40 collected against the stacks' 29.
    head.post(&format!("/api/rounds/{round}/issued"), json!({ "issued": 60, "collected": 40 }));
    let (status, _) = head
        .try_call("POST", &format!("/api/rounds/{round}/close"), Some(&json!({ "confirm": true })))
        .expect("close");
    assert_eq!(status, 409);
    assert_eq!(head.get(&format!("/api/rounds/{round}"))["round"]["closed"], false);
    // Collected may not exceed issued.
    let (status, body) = head
        .try_call(
            "POST",
            &format!("/api/rounds/{round}/issued"),
            Some(&json!({ "issued": 60, "collected": 61 })),
        )
        .expect("request");
    assert_eq!(status, 422, "{body}");
}

/// The entries of a stack belong to different accounts; a board member keys only in a one-person
/// count with the board's consent; nobody but the board head sees another's readings before the
/// stack is reconciled — not in the round, the journal or the audit log.
#[test]
fn independent_entry() {
    let dir = tempfile::tempdir().expect("temp");
    let (server, round, stack, [e1, e2]) = small_congress(&dir.path().join("data"), 30);
    let head = login(&server, "head");
    let view = head.get(&format!("/api/rounds/{round}"));
    let op1 = operator_id(&view, "op1");
    let board_head = operator_id(&view, "head");
    for (operators, why) in
        [(json!([op1, op1]), "the same account twice"), (json!([op1, board_head]), "a board member")]
    {
        let (status, body) = head
            .try_call(
                "POST",
                &format!("/api/rounds/{round}/stacks"),
                Some(&json!({ "name": "Chồng 9", "papers": 1, "operators": operators, "key": why })),
            )
            .expect("request");
        assert_eq!(status, 422, "{why}: {body}");
    }
    // Even with the board's consent, not in a two-entry count.
    let (status, _) = head
        .try_call(
            "POST",
            &format!("/api/rounds/{round}/stacks"),
            Some(&json!({ "name": "Chồng 9", "papers": 1, "operators": [op1, board_head], "key": "c", "board_consent": true })),
        )
        .expect("request");
    assert_eq!(status, 422);
    // An operator cannot key another's entry.
    let op2 = login(&server, "op2");
    let (status, _) = op2
        .try_call("POST", &format!("/api/entries/{e1}/ballots"), Some(&json!({ "code": "x:1", "key": "k" })))
        .expect("request");
    assert_eq!(status, 403);

    // op1 keys a distinctive reading; op2 keys a different one: a mismatch, not yet reconciled.
    let marked: Vec<&str> = std::iter::repeat_n("x:3,6", 30).collect();
    let mut other = marked.clone();
    other[4] = "x:2,6";
    key(&login(&server, "op1"), e1, &marked, "a");
    key(&op2, e2, &other, "b");
    assert_eq!(stack_statuses(&head, round), ["mismatch"]);
    let pres = login(&server, "pres");
    let admin = login(&server, "adm");
    for (who, client) in [("presidium", &pres), ("administrator", &admin)] {
        let (_, journal) = client.download(&format!("/rounds/{round}/journal"));
        let journal = String::from_utf8_lossy(&journal);
        assert!(
            !journal.contains("gạch 3, 6") && !journal.contains("gạch 2, 6"),
            "{who} sees no reading in the journal"
        );
        assert!(journal.contains("ẩn đến khi chồng phiếu được đối chiếu xong"), "{who}: hidden, and says so");
        let (_, audit) = client.download("/audit");
        let audit = String::from_utf8_lossy(&audit);
        assert!(
            !audit.contains("gạch 3, 6") && !audit.contains("gạch 2, 6"),
            "{who} sees no reading in the audit log"
        );
        let round_view = client.get(&format!("/api/rounds/{round}"));
        assert!(!round_view.to_string().contains("x:2,6"), "{who} sees no differing reading: {round_view}");
    }
    // The board head settles the difference against the paper and sees both readings.
    let mine = head.get(&format!("/api/rounds/{round}"));
    assert!(mine.to_string().contains("x:2,6"), "the board head sees the readings side by side");
    head.post(&format!("/api/stacks/{stack}/resolve"), json!({ "seq": 5, "code": "x:3,6" }));
    assert_eq!(stack_statuses(&head, round), ["accepted"]);
    // Reconciled: now the journal may show what was keyed.
    let (_, journal) = pres.download(&format!("/rounds/{round}/journal"));
    assert!(String::from_utf8_lossy(&journal).contains("gạch 3, 6"));
}

/// A resolution settled a difference of an entry that is then reopened: it is withdrawn, and the
/// stack must be reconciled again before the round can close.
#[test]
fn stale_resolution() {
    let dir = tempfile::tempdir().expect("temp");
    let (server, round, stack, [e1, e2]) = small_congress(&dir.path().join("data"), 30);
    let head = login(&server, "head");
    let ops = [login(&server, "op1"), login(&server, "op2")];
    let good: Vec<&str> = std::iter::repeat_n("x:6", 30).collect();
    let mut slip = good.clone();
    slip[4] = "x:5";
    key(&ops[0], e1, &good, "a");
    key(&ops[1], e2, &slip, "b");
    assert_eq!(stack_statuses(&head, round), ["mismatch"]);
    head.post(&format!("/api/stacks/{stack}/resolve"), json!({ "seq": 5, "code": "x:6" }));
    assert_eq!(stack_statuses(&head, round), ["accepted"]);

    // The board reopens op2's entry; op2 finishes again without changing anything.
    let (status, _) = head.post_form(&format!("/entries/{e2}/reopen"), &[]);
    assert_eq!(status, 303);
    assert_eq!(stack_statuses(&head, round), ["entering"]);
    ops[1].post(&format!("/api/entries/{e2}/finish"), json!({}));
    let v = head.get(&format!("/api/rounds/{round}"));
    assert_eq!(v["stacks"][0]["status"], "mismatch", "the old resolution no longer settles it: {v}");
    assert_eq!(v["stacks"][0]["differences"][0]["resolved"], Value::Null);
    let (status, _) = head
        .try_call("POST", &format!("/api/rounds/{round}/close"), Some(&json!({ "confirm": true })))
        .expect("close");
    assert_eq!(status, 409);
    let (_, journal) = head.download(&format!("/rounds/{round}/journal"));
    assert!(
        String::from_utf8_lossy(&journal)
            .contains("quyết định của ban kiểm phiếu về chồng phiếu này được rút lại")
    );
    // Settled again, it closes.
    head.post(&format!("/api/stacks/{stack}/resolve"), json!({ "seq": 5, "code": "x:6" }));
    head.post(&format!("/api/rounds/{round}/close"), json!({ "confirm": true }));
}

/// The presidium's decision after a result is irreversible: a form or request without a decision,
/// with an unknown one, or a further round without its seats changes nothing.
#[test]
fn decision_required() {
    let dir = tempfile::tempdir().expect("temp");
    let (server, round, _, [e1, e2]) = small_congress(&dir.path().join("data"), 30);
    // Every ballot untouched: an over-vote each, nobody elected, five seats unfilled.
    let ballots = ["x:"; 30];
    key(&login(&server, "op1"), e1, &ballots, "a");
    key(&login(&server, "op2"), e2, &ballots, "b");
    let head = login(&server, "head");
    let result = head.post(&format!("/api/rounds/{round}/close"), json!({ "confirm": true }));
    assert_eq!(result["next_step"], "further_round");
    let pres = login(&server, "pres");
    let path = format!("/rounds/{round}/decide");
    for fields in [
        vec![],
        vec![("decision", "")],
        vec![("decision", "stopp")],
        vec![("decision", "further_round")],
        vec![("decision", "further_round"), ("seats", "many")],
        vec![("seats", "5")],
    ] {
        let (status, body) = pres.post_form(&path, &fields);
        assert_eq!(status, 422, "{fields:?}: {body}");
        let lower = body.to_lowercase();
        assert!(
            lower.contains("quyết định") || lower.contains("số lượng"),
            "{fields:?} names the field: {body}"
        );
    }
    for body in [json!({}), json!({ "decision": "later" }), json!({ "seats": 5 })] {
        let (status, _) =
            pres.try_call("POST", &format!("/api/rounds/{round}/decide"), Some(&body)).expect("request");
        assert!((400..500).contains(&status), "{body}: {status}");
    }
    let v = head.get(&format!("/api/rounds/{round}"));
    assert_eq!(v["round"]["decision"], Value::Null, "nothing was decided");
    let election = v["round"]["election_id"].as_i64().expect("election");
    let rounds = head.get(&format!("/api/elections/{election}"));
    assert!(!rounds.to_string().contains("\"number\":2"), "no new round was opened");
    // The congress's decision on a withdrawal is explicit too: no answer decides nothing.
    for fields in [vec![("candidate", "1")], vec![("candidate", "1"), ("accepted", "maybe")]] {
        let (status, body) = pres.post_form(&format!("/elections/{election}/withdrawal-decision"), &fields);
        assert_eq!(status, 422, "{fields:?}: {body}");
        assert!(body.contains("đơn xin rút"), "{body}");
    }
    // With every field, confirmed, it decides.
    let (status, _) = pres.post_form(&path, &[("decision", "stop"), ("confirm", "yes")]);
    assert_eq!(status, 303);
    assert_eq!(head.get(&format!("/api/rounds/{round}"))["round"]["decision"]["decision"], "stop");
}

/// The minutes of a closed round come from its record: renaming the board's accounts, adding a
/// board member or renaming the congress afterwards changes no byte of them.
#[test]
fn minutes_frozen() {
    let dir = tempfile::tempdir().expect("temp");
    let (server, round, _, [e1, e2]) = small_congress(&dir.path().join("data"), 30);
    let ballots = ["x:6"; 30];
    key(&login(&server, "op1"), e1, &ballots, "a");
    key(&login(&server, "op2"), e2, &ballots, "b");
    let head = login(&server, "head");
    head.post(&format!("/api/rounds/{round}/close"), json!({ "confirm": true }));
    // The minutes (PDF, Word) and the results workbook are byte-for-byte reproducible.
    let files = ["bien-ban.pdf", "bien-ban.docx", "ket-qua.xlsx"];
    let before: Vec<Vec<u8>> = files
        .iter()
        .map(|f| {
            let (status, bytes) = head.download(&format!("/rounds/{round}/files/{f}"));
            assert_eq!(status, 200);
            bytes
        })
        .collect();
    let (_, xlsx) = head.download(&format!("/rounds/{round}/files/ket-qua.xlsx"));
    let cells_before = sheet_rows(xlsx, "Kết quả");
    let view = head.get(&format!("/api/rounds/{round}"));
    let head_id = operator_id(&view, "head").to_string();
    let op3_id = operator_id(&view, "op3").to_string();
    let admin = login(&server, "adm");
    let (status, _) = admin.post_form(
        &format!("/admin/users/{head_id}"),
        &[("full_name", "Người Khác Hẳn"), ("role", "board_head"), ("active", "on")],
    );
    assert_eq!(status, 303);
    let (status, _) = admin.post_form(
        &format!("/admin/users/{op3_id}"),
        &[("full_name", "Đinh Thị Ba"), ("role", "board_member"), ("active", "on")],
    );
    assert_eq!(status, 303);
    let org = login(&server, "org");
    org.call(
        "PUT",
        "/api/congress",
        Some(&json!({ "name": "Tên đại hội đã đổi", "organisation": "Chi bộ Khu phố 3", "level": "cell",
            "assembly_kind": "members_congress", "term": "2025–2027", "opens_on": "15/03/2025" })),
    );
    let head = login(&server, "head");
    for (file, old) in files.iter().zip(&before) {
        let (_, now) = head.download(&format!("/rounds/{round}/files/{file}"));
        assert!(now == *old, "{file} changed after the accounts or the congress were edited");
    }
    let (_, xlsx) = head.download(&format!("/rounds/{round}/files/ket-qua.xlsx"));
    assert_eq!(sheet_rows(xlsx, "Kết quả"), cells_before);

    // The minutes carry the head of the audit chain at closing: the signed paper anchors the file.
    let closing_head = head.get(&format!("/api/rounds/{round}"))["round"]["closing_head"]
        .as_str()
        .expect("closing head")
        .to_owned();
    assert_eq!(closing_head.len(), 64);
    let mut docx = zip::ZipArchive::new(std::io::Cursor::new(before[1].clone())).expect("docx");
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut docx.by_name("word/document.xml").expect("document.xml"), &mut xml)
        .expect("read");
    assert!(xml.contains(&closing_head), "the Word minutes print the chain head at closing");
    drop(server);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_baucu"))
        .args(["audit", "verify", "--expect-head", &closing_head, "--data"])
        .arg(dir.path().join("data"))
        .output()
        .expect("audit verify");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains(&closing_head), "{text}");
}
