//! Bounded fuzzing of the parsers that read what a user or a file sends: the roster importer (random
//! bytes, workbooks with random cells at random places, and such workbooks with bytes mutated), the
//! entry API's ballot code parser, the presidium's decision form and the dates staff type. None may
//! panic; every refusal is a Vietnamese sentence. Fixed seed and a fixed number of cases, so the run
//! is deterministic and takes seconds. (The `evaluate` JSON has its own fuzz:
//! `crates/baucu-rules/tests/fuzz_json.rs`.)

use baucu_app::AppError;
use baucu_app::counting::NextDecision;
use baucu_app::roster::{COLUMNS, read_roster_file};
use baucu_rules::ballot::BallotSpec;
use baucu_rules::{Ballot, Layout};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

fn config(cases: u32) -> Config {
    Config { cases, rng_seed: RngSeed::Fixed(0x190_2024), failure_persistence: None, ..Config::default() }
}

/// A refusal a user can read: Vietnamese (it has a letter with a diacritic) and not empty.
fn readable(e: &AppError) -> Result<(), TestCaseError> {
    let m = e.message();
    prop_assert!(!m.trim().is_empty());
    prop_assert!(
        m.chars().any(|c| "ảàáạãâầấậẩẫăằắặẳẵệếềểễđôốồộổỗơớờợởỡưứừựửữíìịỉĩóòọỏõúùụủũýỳỵỷỹéèẹẻẽ"
            .contains(c.to_lowercase().next().unwrap_or(c))),
        "{m}"
    );
    Ok(())
}

/// Texts that reach deep into the importer: the headers, the coded values, dates, and noise.
fn cell_text() -> impl Strategy<Value = String> {
    let mut known: Vec<String> = COLUMNS.iter().map(|(_, h, _)| (*h).to_owned()).collect();
    known.extend(
        ["Nam", "Nữ", "Chính thức", "Dự bị", "x", "Có", "01/01/1970", "31/02/1980", "Được bầu", "Cao cấp"]
            .map(str::to_owned),
    );
    prop_oneof![
        3 => proptest::sample::select(known),
        2 => "\\PC{0,20}",
        1 => "[A-Za-zĐđỄễ ]{0,200}",
    ]
}

/// A workbook with `cells` written at (row, column): the header row first, then random cells.
fn workbook(header: bool, cells: &[(u32, u16, String)]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    if header {
        for (c, (_, h, _)) in COLUMNS.iter().enumerate() {
            sheet.write_string(0, c as u16, *h).expect("write");
        }
    }
    for (r, c, text) in cells {
        sheet.write_string(*r, *c, text).expect("write");
    }
    book.save_to_buffer().expect("xlsx")
}

fn cells() -> impl Strategy<Value = Vec<(u32, u16, String)>> {
    proptest::collection::vec(
        (
            prop_oneof![8 => 1u32..40, 1 => 19_990u32..20_010],
            prop_oneof![8 => 0u16..16, 1 => 55u16..65],
            cell_text(),
        ),
        0..40,
    )
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn the_roster_importer_refuses_random_bytes_in_vietnamese(
        bytes in prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..2048),
            proptest::collection::vec(any::<u8>(), 0..2048).prop_map(|mut b| { b.splice(0..0, *b"PK\x03\x04"); b }),
        ]
    ) {
        match read_roster_file(&bytes) {
            Ok(rows) => prop_assert!(!rows.is_empty()),
            Err(e) => readable(&e)?,
        }
    }

    #[test]
    fn the_roster_importer_reads_random_cells_without_panicking(header in any::<bool>(), cells in cells()) {
        let bytes = workbook(header, &cells);
        match read_roster_file(&bytes) {
            Ok(rows) => {
                for (row, person) in rows {
                    prop_assert!((2..=20_000).contains(&row));
                    prop_assert!(!person.full_name.is_empty());
                    prop_assert!(person.full_name.chars().count() <= 100);
                }
            }
            Err(e) => {
                readable(&e)?;
                // A cell past the roster's area is refused by name.
                if cells.iter().any(|(r, c, t)| (*r >= 20_000 || *c >= 60) && !t.trim().is_empty()) {
                    prop_assert!(e.message().contains("quá lớn"), "{}", e.message());
                }
            }
        }
    }

    #[test]
    fn the_roster_importer_survives_mutated_workbooks(
        cells in cells(),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
    ) {
        let mut bytes = workbook(true, &cells);
        for (at, value) in flips {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        if let Err(e) = read_roster_file(&bytes) {
            readable(&e)?;
        }
    }
}

/// Codes of the entry screen: its alphabet, so that most reach the parser's deep branches.
fn code() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "(x:|m:)?[0-9,adbn!wsx: -]{0,30}",
        1 => "\\PC{0,40}",
        1 => (1u32..400).prop_map(|n| format!("x:{n},{n}")),
        1 => "x:[0-9]{1,25}",
    ]
}

proptest! {
    #![proptest_config(config(2000))]

    #[test]
    fn ballot_codes_parse_or_are_refused_and_read_back_the_same(
        text in code(),
        list in 0usize..300,
        seats in 0u32..300,
        agree in any::<bool>(),
    ) {
        match Ballot::from_code(&text) {
            Ok(ballot) => {
                let canonical = ballot.to_code();
                prop_assert_eq!(Ballot::from_code(&canonical).map(|b| b.to_code()), Ok(canonical));
                let layout = if agree { Layout::AgreeDisagree } else { Layout::Strike };
                // Either a verdict or a typed error; never a panic.
                let _verdict = ballot.read(BallotSpec { layout, seats, list });
            }
            Err(e) => prop_assert!(e.0.contains("không hợp lệ"), "{}", e.0),
        }
    }

    #[test]
    fn the_presidium_decision_form_is_fail_closed(
        decision in proptest::option::of(prop_oneof![
            proptest::sample::select(vec!["further_round", "alternate_round", "stop", "accept", ""]).prop_map(str::to_owned),
            "\\PC{0,12}",
        ]),
        seats in proptest::option::of("[0-9 -]{0,12}|\\PC{0,8}"),
        ids in proptest::collection::vec(any::<i64>(), 0..8),
    ) {
        match NextDecision::from_form(decision.as_deref(), seats.as_deref(), ids) {
            Ok(_) => prop_assert!(decision.is_some_and(|d| !d.trim().is_empty())),
            Err(e) => readable(&e)?,
        }
    }

    #[test]
    fn dates_as_typed_parse_or_are_none(text in "[0-9/.\\- ]{0,14}|\\PC{0,14}") {
        if let Some(d) = baucu_app::congress::parse_date(&text) {
            prop_assert!((1900..=2100).contains(&d.year()) || text.trim().parse::<jiff::civil::Date>().is_ok());
        }
    }
}
