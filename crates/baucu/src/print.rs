//! `baucu print ballot|minutes CASE.json -o FILE`: documents from a `round` case of `evaluate.md`
//! and its optional `meta`. The minutes' figures come from the engine, as for `evaluate`.

use baucu_docs::{BallotDoc, MinutesDoc, Paper};
use baucu_rules::case::{self, Case, RoundCase};
use baucu_rules::outcome::decide;
use std::path::Path;
use std::process::ExitCode;

const EXIT_ERROR: u8 = 2;

fn fail(message: &str) -> ExitCode {
    eprintln!("baucu: {message}");
    ExitCode::from(EXIT_ERROR)
}

fn round_case(path: &Path) -> Result<RoundCase, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("không đọc được tệp {}: {e}", path.display()))?;
    match case::parse(&bytes).map_err(|e| e.message())? {
        Case::Round(r) => Ok(r),
        _ => Err("cần một trường hợp \"kind\": \"round\" để in phiếu bầu hoặc biên bản.".into()),
    }
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("không ghi được {}: {e}", path.display()))
}

/// Prints the ballots; the layout (paper, columns, type size) is `baucu_docs::ballot_layout`'s, the
/// same as the web's, and is told on standard output.
pub fn ballot(case: &Path, output: &Path, copies: u32, paper: &str, two_per_sheet: bool) -> ExitCode {
    let Some(paper) = Paper::parse(paper) else {
        return fail(&format!("khổ giấy \"{paper}\" không có; chọn a5, a4 hoặc a3."));
    };
    if !(1..=100_000).contains(&copies) {
        return fail("số bản phải từ 1 đến 100000.");
    }
    let result = round_case(case).and_then(|c| {
        let key = format!("{}-{}", c.election.body().code(), c.election.purpose().code());
        let doc =
            BallotDoc::printed(&c.meta, &c.election, &key, paper, two_per_sheet, copies).map_err(|e| e.0)?;
        write(output, &doc.pdf().map_err(|e| e.0)?)?;
        Ok(format!("{} {} bản, {} tờ.", doc.describe(two_per_sheet), doc.copies, doc.sheets()))
    });
    match result {
        Ok(said) => {
            println!("{said}");
            ExitCode::SUCCESS
        }
        Err(m) => fail(&m),
    }
}

pub fn minutes(case: &Path, output: &Path) -> ExitCode {
    let extension = output.extension().and_then(|e| e.to_str()).map(str::to_lowercase);
    let result = round_case(case).and_then(|c| {
        let result = decide(&c.election, c.assembly.base(), c.issued, &c.tally).map_err(|e| e.message())?;
        let doc = MinutesDoc::from_engine(&c.meta, &c.assembly, &c.election, &result, None);
        let bytes = match extension.as_deref() {
            Some("pdf") => doc.pdf(),
            Some("docx") => doc.docx(),
            _ => return Err("tệp ra phải có đuôi .pdf hoặc .docx.".into()),
        }
        .map_err(|e| e.0)?;
        write(output, &bytes)
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(m) => fail(&m),
    }
}
