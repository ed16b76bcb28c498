//! Counting through the real `baucu serve` and a real SQLite file, over HTTP: the whole flow with a
//! disagreement resolved by the board (the result equals `baucu evaluate` on the same ballots, a tie
//! opens a tie-break round in one step), `durability_kill9` and `concurrent_entry`.

mod support;

use serde_json::{Value, json};
use std::process::Command;
use std::sync::mpsc;
use support::{Client, DEMO_PASSWORD, operator_id, start};

/// Opens the first round of the demo's committee election with two entries per stack and records
/// the ballots issued; returns (presidium, board, round id, round view).
fn open_committee_round(addr: &str) -> (Client, Client, i64, Value) {
    let presidium = Client::login(addr, "doanchutich", DEMO_PASSWORD);
    let board = Client::login(addr, "kiemphieu", DEMO_PASSWORD);
    let elections = presidium.get("/api/elections");
    let election = elections[0]["id"].as_i64().expect("election id");
    let round = presidium
        .post(&format!("/api/elections/{election}/rounds"), json!({ "entries_per_stack": 2 }))["id"]
        .as_i64()
        .expect("round id");
    board.post(&format!("/api/rounds/{round}/issued"), json!({ "issued": 133 }));
    let view = board.get(&format!("/api/rounds/{round}"));
    (presidium, board, round, view)
}

/// Hands out a stack of `papers` ballots to two operators (one request key per round and name).
fn stack(
    board: &Client,
    round: i64,
    view: &Value,
    name: &str,
    operators: [&str; 2],
    papers: u32,
) -> (i64, [i64; 2]) {
    let ops: Vec<i64> = operators.iter().map(|o| operator_id(view, o)).collect();
    let body = json!({ "name": name, "papers": papers, "operators": ops, "key": format!("{round}-{name}") });
    let id = board.post(&format!("/api/rounds/{round}/stacks"), body)["id"].as_i64().expect("stack id");
    let detail = board.get(&format!("/api/rounds/{round}"));
    let s =
        detail["stacks"].as_array().expect("stacks").iter().find(|s| s["id"] == id).expect("stack").clone();
    let entries =
        [s["entries"][0]["id"].as_i64().expect("entry"), s["entries"][1]["id"].as_i64().expect("entry")];
    (id, entries)
}

fn enter(operator: &Client, entry: i64, codes: &[String], tag: &str) {
    for (i, code) in codes.iter().enumerate() {
        let ack = operator.post(
            &format!("/api/entries/{entry}/ballots"),
            json!({ "code": code, "key": format!("{tag}-{i}") }),
        );
        assert_eq!(ack["seq"], i as i64 + 1, "{ack}");
    }
    operator.post(&format!("/api/entries/{entry}/finish"), json!({}));
}

fn to_case_ballot(code: &str) -> Value {
    let mut parts = code.split('!');
    let body = parts.next().unwrap_or_default();
    let mut b = if let Some(list) = body.strip_prefix("x:") {
        let struck: Vec<u32> =
            list.split(',').filter(|s| !s.is_empty()).map(|s| s.parse().expect("position")).collect();
        json!({ "struck": struck })
    } else {
        let marks: Vec<&str> = body
            .trim_start_matches("m:")
            .chars()
            .map(|c| match c {
                'a' => "agree",
                'd' => "disagree",
                'b' => "both",
                _ => "none",
            })
            .collect();
        json!({ "marks": marks })
    };
    for f in parts {
        let key = match f {
            "n" => "not_issued",
            "w" => "write_in",
            _ => "signed",
        };
        b[key] = json!(true);
    }
    b
}

/// `baucu evaluate` on the same ballots, base and list as the round.
fn evaluate_same(round: &Value, codes: &[String]) -> Value {
    let r = &round["round"];
    let case = json!({
        "kind": "round",
        "assembly": r["assembly"],
        "election": { "body": r["body"], "purpose": r["purpose"], "seats": r["seats"], "alternate_seats": r["alternate_seats"], "candidates": r["candidates"] },
        "ballots_issued": r["issued"],
        "ballots": codes.iter().map(|c| to_case_ballot(c)).collect::<Vec<_>>(),
    });
    let dir = tempfile::tempdir().expect("temp");
    let path = dir.path().join("case.json");
    std::fs::write(&path, case.to_string()).expect("write case");
    let out =
        Command::new(env!("CARGO_BIN_EXE_baucu")).arg("evaluate").arg(&path).output().expect("evaluate");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    serde_json::from_slice(&out.stdout).expect("answer")
}

/// 120 committee ballots (13 of 16): positions 13 and 14 tie at the cut-off, above the threshold.
fn tie_ballots() -> Vec<String> {
    let mut codes = Vec::new();
    codes.extend(std::iter::repeat_n("x:13,15,16".to_owned(), 50));
    codes.extend(std::iter::repeat_n("x:14,15,16".to_owned(), 50));
    codes.extend(std::iter::repeat_n("x:1,15,16".to_owned(), 19));
    codes.push("x:".to_owned()); // untouched: an over-vote
    // Interleave so that both stacks get every kind.
    let mut mixed = Vec::with_capacity(codes.len());
    for i in 0..codes.len() / 2 {
        mixed.push(codes[i].clone());
        mixed.push(codes[codes.len() - 1 - i].clone());
    }
    mixed
}

#[test]
fn counting_flow_with_a_disagreement_matches_evaluate_and_a_tie_opens_a_tie_break() {
    let dir = tempfile::tempdir().expect("temp");
    let server = start(&dir.path().join("data"), true);
    let (presidium, board, round, view) = open_committee_round(&server.addr);
    let ballots = tie_ballots();
    let (stack_a, [a1, a2]) = stack(&board, round, &view, "Chồng 1", ["nhapphieu1", "nhapphieu2"], 60);
    let (_, [b1, b2]) = stack(&board, round, &view, "Chồng 2", ["nhapphieu3", "nhapphieu4"], 60);
    let ops: Vec<Client> =
        (1..=4).map(|i| Client::login(&server.addr, &format!("nhapphieu{i}"), DEMO_PASSWORD)).collect();
    let (first, second) = ballots.split_at(60);
    // Operator 2 mis-keys ballots 7 and 23 of the first stack.
    let mut mistaken = first.to_vec();
    mistaken[6] = "x:2,15,16".into();
    mistaken[22] = "x:15,16".into();
    enter(&ops[0], a1, first, "a1");
    enter(&ops[1], a2, &mistaken, "a2");
    enter(&ops[2], b1, second, "b1");
    enter(&ops[3], b2, second, "b2");
    // Nobody sees another's entry.
    let (status, _) = ops[0].try_call("GET", &format!("/api/entries/{a2}"), None).expect("request");
    assert_eq!(status, 403);

    let progress = board.get(&format!("/api/rounds/{round}"));
    let a = progress["stacks"]
        .as_array()
        .expect("stacks")
        .iter()
        .find(|s| s["id"] == stack_a)
        .expect("stack a")
        .clone();
    assert_eq!(a["status"], "mismatch");
    let differing: Vec<i64> =
        a["differences"].as_array().expect("diffs").iter().map(|d| d["seq"].as_i64().unwrap_or(0)).collect();
    assert_eq!(differing, [7, 23], "exactly the two mistaken ballots differ");
    let (status, body) = board
        .try_call("POST", &format!("/api/rounds/{round}/close"), Some(&json!({ "confirm": true })))
        .expect("close");
    assert_eq!(status, 409, "a round with a mismatched stack cannot close: {body}");
    for seq in [7, 23] {
        board.post(
            &format!("/api/stacks/{stack_a}/resolve"),
            json!({ "seq": seq, "code": first[seq as usize - 1] }),
        );
    }
    // The box held 120 ballots, and the two stacks hold 60 each.
    board.post(&format!("/api/rounds/{round}/issued"), json!({ "issued": 133, "collected": 120 }));
    let result = board.post(&format!("/api/rounds/{round}/close"), json!({ "confirm": true }));
    let agreed = support::strings(&board.get(&format!("/api/rounds/{round}/ballots")));
    assert_eq!(agreed.len(), 120);
    let closed = board.get(&format!("/api/rounds/{round}"));
    assert_eq!(
        result,
        evaluate_same(&closed, &agreed),
        "the node's result is the engine's answer on the same ballots"
    );
    assert_eq!(result["next_step"], "tie_break");
    assert_eq!(result["tie"]["seats"], 1);
    assert_eq!(result["elected"].as_array().map(Vec::len), Some(12));

    // The round's documents download from the node: the minutes (PDF, Word), results (Excel), journal,
    // ballots — all made from the engine's figures.
    for (file, kind, magic) in [
        ("bien-ban.pdf", "application/pdf", &b"%PDF"[..]),
        (
            "bien-ban.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            &b"PK"[..],
        ),
        ("ket-qua.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", &b"PK"[..]),
        ("nhat-ky.pdf", "application/pdf", &b"%PDF"[..]),
        ("phieu-bau.pdf?copies=3&paper=a5", "application/pdf", &b"%PDF"[..]),
    ] {
        let (status, bytes) = board.download(&format!("/rounds/{round}/files/{file}"));
        assert_eq!(status, 200, "{file}: {}", String::from_utf8_lossy(&bytes));
        assert!(bytes.starts_with(magic), "{file} is a {kind}");
    }
    let (_, xlsx) = board.download(&format!("/rounds/{round}/files/ket-qua.xlsx"));
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx)).expect("xlsx");
    use calamine::Reader;
    let sheet = book.worksheet_range("Kết quả").expect("sheet");
    let rows: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    let first = &result["candidates"][0];
    let line = rows
        .iter()
        .find(|r| r.get(1).map(String::as_str) == first["name"].as_str())
        .expect("first candidate's row");
    assert_eq!(line[2], first["votes"].to_string());
    assert_eq!(
        line[3],
        first["percent_of_base"].as_str().expect("percent").trim_end_matches('0').trim_end_matches('.')
    );

    // One step: the tie-break round among the tied, for the tied seat.
    let decided = presidium
        .post(&format!("/api/rounds/{round}/decide"), json!({ "decision": "tie_break", "confirm": true }));
    let next = decided["next_round"].as_i64().expect("new round");
    let tb = board.get(&format!("/api/rounds/{next}"));
    assert_eq!(tb["round"]["purpose"], "tie_break");
    assert_eq!(tb["round"]["seats"], 1);
    assert_eq!(tb["round"]["candidates"], result["tie"]["candidates"]);
    board.post(&format!("/api/rounds/{next}/issued"), json!({ "issued": 133, "collected": 100 }));
    let view2 = board.get(&format!("/api/rounds/{next}"));
    let (_, [t1, t2]) = stack(&board, next, &view2, "Chồng 1", ["nhapphieu1", "nhapphieu2"], 100);
    let tb_ballots: Vec<String> = (0..100).map(|i| if i < 55 { "x:2" } else { "x:1" }.to_owned()).collect();
    enter(&ops[0], t1, &tb_ballots, "t1");
    enter(&ops[1], t2, &tb_ballots, "t2");
    let tb_result = board.post(&format!("/api/rounds/{next}/close"), json!({ "confirm": true }));
    assert_eq!(tb_result["next_step"], "complete");
    assert_eq!(tb_result["elected"][0], result["tie"]["candidates"][0]);
    presidium.post(&format!("/api/rounds/{next}/publish"), json!({ "confirm": true }));
    // The list of the elected (13: 12 in the first round, 1 in the tie-break) and its composition.
    let election = closed["round"]["election_id"].as_i64().expect("election");
    let (status, pdf) = board.download(&format!("/elections/{election}/files/trung-cu.pdf"));
    assert!(status == 200 && pdf.starts_with(b"%PDF"));
    let (_, xlsx) = board.download(&format!("/elections/{election}/files/trung-cu.xlsx"));
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx)).expect("xlsx");
    let list = book.worksheet_range("Danh sách").expect("list");
    assert_eq!(list.rows().skip(3).filter(|r| !r[1].to_string().is_empty()).count(), 13);
    let stats = book.worksheet_range("Cơ cấu").expect("stats");
    let women = stats.rows().find(|r| r[0] == "Nữ").expect("women line");
    let n: u64 = women[1].to_string().parse().expect("count");
    // The engine's half-up percentage of 13.
    let hundredths = (2 * n * 10_000 + 13) / 26;
    assert_eq!(women[2].to_string().parse::<f64>().expect("percent"), hundredths as f64 / 100.0, "{women:?}");
    let (status, _, page) =
        support::http(&server.addr, "GET", "/results/fragment", &[], b"").expect("fragment");
    assert_eq!(status, 200);
    let page = String::from_utf8_lossy(&page);
    assert!(
        page.contains(result["tie"]["candidates"][0].as_str().unwrap_or("?")) && page.contains("Trúng cử"),
        "{page}"
    );
    // The journal has every entry and the board's decisions.
    let (_, journal_page) = board.download(&format!("/rounds/{round}/journal"));
    let text = String::from_utf8_lossy(&journal_page);
    assert!(
        text.contains("xem tờ phiếu và quyết định phiếu số")
            && text.matches(" nhập phiếu số ").count() >= 240,
        "journal lists every entry"
    );
}

/// The code of ballot `i` (unique per i): the set bits of i as struck positions of a 16-name list.
fn unique_code(i: u32) -> String {
    let struck: Vec<String> = (0..16).filter(|b| i & (1 << b) != 0).map(|b| (b + 1).to_string()).collect();
    format!("x:{}", struck.join(","))
}

#[test]
fn durability_kill9() {
    let dir = tempfile::tempdir().expect("temp");
    let data = dir.path().join("data");
    let server = start(&data, true);
    let (_, board, round, view) = open_committee_round(&server.addr);
    let (_, [entry, _]) = stack(&board, round, &view, "Chồng 1", ["nhapphieu1", "nhapphieu2"], 300);
    let op = Client::login(&server.addr, "nhapphieu1", DEMO_PASSWORD);
    let (acks, acked) = mpsc::channel::<u32>();
    let submitter = {
        let op = op.clone();
        std::thread::spawn(move || {
            for i in 1u32.. {
                let body = json!({ "code": unique_code(i), "key": format!("k{i}") });
                match op.try_call("POST", &format!("/api/entries/{entry}/ballots"), Some(&body)) {
                    Ok((200, ack)) => {
                        assert_eq!(ack["seq"], i, "acknowledged in order");
                        if acks.send(i).is_err() {
                            return i;
                        }
                    }
                    _ => return i, // the server is gone: this one was never acknowledged
                }
            }
            unreachable!()
        })
    };
    // Kill the node in the middle of entry, after 300 acknowledgements, with requests in flight.
    let mut last_acked = 0;
    while last_acked < 300 {
        last_acked = acked.recv().expect("ack");
    }
    server.kill9();
    let first_unacknowledged = submitter.join().expect("submitter");
    while let Ok(i) = acked.try_recv() {
        last_acked = last_acked.max(i);
    }
    assert!(first_unacknowledged > last_acked);

    let server = start(&data, true);
    let op = Client::login(&server.addr, "nhapphieu1", DEMO_PASSWORD);
    let stored: Vec<String> = op.entry_codes(entry);
    // Every acknowledged ballot is there exactly once, in order; at most the one in flight more.
    assert!(
        stored.len() as u32 >= last_acked && stored.len() as u32 <= first_unacknowledged,
        "{} stored, {last_acked} acknowledged",
        stored.len()
    );
    for (i, code) in stored.iter().enumerate() {
        assert_eq!(code, &unique_code(i as u32 + 1), "ballot {}", i + 1);
    }
    // Retrying every key is harmless: nothing is stored twice.
    for i in 1..=first_unacknowledged {
        let body = json!({ "code": unique_code(i), "key": format!("k{i}") });
        let ack = op.call("POST", &format!("/api/entries/{entry}/ballots"), Some(&body));
        assert_eq!(ack["seq"], i);
        assert_eq!(ack["repeated"], (i as usize) <= stored.len());
    }
    assert_eq!(
        op.get(&format!("/api/entries/{entry}"))["ballots"].as_array().map(Vec::len),
        Some(first_unacknowledged as usize)
    );
}

#[test]
fn concurrent_entry() {
    let dir = tempfile::tempdir().expect("temp");
    let server = start(&dir.path().join("data"), true);
    let (_, board, round, view) = open_committee_round(&server.addr);
    // Three stacks, four operators, each operator on more than one stack at once.
    let plan = [
        ("Chồng 1", ["nhapphieu1", "nhapphieu2"]),
        ("Chồng 2", ["nhapphieu3", "nhapphieu4"]),
        ("Chồng 3", ["nhapphieu2", "nhapphieu3"]),
    ];
    let mut work = Vec::new();
    for (s, (name, ops)) in plan.iter().enumerate() {
        let (_, entries) = stack(&board, round, &view, name, *ops, 80);
        for (slot, op) in ops.iter().enumerate() {
            work.push((s, slot, entries[slot], (*op).to_owned()));
        }
    }
    let codes_for = |s: usize, slot: usize| -> Vec<String> {
        (0..80u32)
            .map(|i| {
                if s == 1 && slot == 1 && i == 40 {
                    "x:9".to_owned()
                } else {
                    unique_code(1 + i + 100 * s as u32)
                }
            })
            .collect()
    };
    let threads: Vec<_> = work
        .iter()
        .cloned()
        .map(|(s, slot, entry, user)| {
            let addr = server.addr.clone();
            let codes = codes_for(s, slot);
            std::thread::spawn(move || {
                let op = Client::login(&addr, &user, DEMO_PASSWORD);
                for (i, code) in codes.iter().enumerate() {
                    op.post(
                        &format!("/api/entries/{entry}/ballots"),
                        json!({ "code": code, "key": format!("{entry}-{i}") }),
                    );
                }
                op.post(&format!("/api/entries/{entry}/finish"), json!({}));
            })
        })
        .collect();
    for t in threads {
        t.join().expect("operator thread");
    }
    for (s, slot, entry, user) in &work {
        let op = Client::login(&server.addr, user, DEMO_PASSWORD);
        let stored: Vec<String> = op.entry_codes(*entry);
        assert_eq!(
            stored,
            codes_for(*s, *slot),
            "entry {entry} holds exactly its operator's ballots, in order"
        );
    }
    let v = board.get(&format!("/api/rounds/{round}"));
    let statuses: Vec<&str> =
        v["stacks"].as_array().expect("stacks").iter().map(|s| s["status"].as_str().unwrap_or("")).collect();
    assert_eq!(statuses, ["accepted", "mismatch", "accepted"]);
    assert_eq!(v["stacks"][1]["differences"][0]["seq"], 41);
    assert_eq!(v["ballots_agreed"], 160);
}
