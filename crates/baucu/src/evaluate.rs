//! `baucu evaluate FILE|-` (evaluate.md): one case in, one answer out.

use baucu_rules::RulesError;
use baucu_rules::case::{self, error_answer};
use std::io::{Read, Write};
use std::path::Path;
use std::process::ExitCode;

/// Exit status of an error answer.
const EXIT_ERROR: u8 = 2;

pub fn run(file: &Path) -> ExitCode {
    let input = match read_input(file) {
        Ok(bytes) => bytes,
        Err(problem) => return fail(&RulesError::InvalidInput { field: "(tệp)".into(), problem }),
    };
    match case::evaluate(&input) {
        Ok(answer) => match serde_json::to_string_pretty(&answer) {
            Ok(text) => print_stdout(&text, ExitCode::SUCCESS),
            Err(e) => {
                eprintln!("baucu: không ghi được câu trả lời: {e}");
                ExitCode::from(EXIT_ERROR)
            }
        },
        Err(error) => fail(&error),
    }
}

fn read_input(file: &Path) -> Result<Vec<u8>, String> {
    if file == Path::new("-") {
        let mut buffer = Vec::new();
        std::io::stdin()
            .lock()
            .read_to_end(&mut buffer)
            .map_err(|e| format!("không đọc được đầu vào chuẩn: {e}"))?;
        Ok(buffer)
    } else {
        std::fs::read(file).map_err(|e| format!("không đọc được tệp {}: {e}", file.display()))
    }
}

fn fail(error: &RulesError) -> ExitCode {
    eprintln!("baucu: {}", error.message());
    print_stdout(&error_answer(error).to_string(), ExitCode::from(EXIT_ERROR))
}

fn print_stdout(text: &str, code: ExitCode) -> ExitCode {
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Ok(()) => code,
        // A closed pipe or a full disk: nothing more can be said on stdout.
        Err(_) => ExitCode::from(EXIT_ERROR),
    }
}
