//! `baucu evaluate FILE|-` (evaluate.md): one case in, one answer out.

use baucu_rules::RulesError;
use baucu_rules::case::{self, error_answer};
use std::io::{Read, Write};
use std::path::Path;
use std::process::ExitCode;

/// Exit status of an error answer.
const EXIT_ERROR: u8 = 2;
/// The largest case read. A real case (a list of a few hundred names, a few thousand ballots) is well
/// under a megabyte.
const MAX_INPUT_BYTES: u64 = 64 * 1024 * 1024;

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

/// Reads the case, at most [`MAX_INPUT_BYTES`] (a leading UTF-8 byte order mark is the engine's to
/// skip: `case::parse`).
fn read_input(file: &Path) -> Result<Vec<u8>, String> {
    let mut buffer = Vec::new();
    let read = if file == Path::new("-") {
        std::io::stdin()
            .lock()
            .take(MAX_INPUT_BYTES + 1)
            .read_to_end(&mut buffer)
            .map_err(|e| format!("không đọc được đầu vào chuẩn: {e}"))
    } else {
        std::fs::File::open(file)
            .and_then(|f| f.take(MAX_INPUT_BYTES + 1).read_to_end(&mut buffer))
            .map_err(|e| format!("không đọc được tệp {}: {e}", file.display()))
    };
    read?;
    if buffer.len() as u64 > MAX_INPUT_BYTES {
        return Err(format!(
            "tệp lớn quá {} MB; một trường hợp không cần lớn như vậy.",
            MAX_INPUT_BYTES >> 20
        ));
    }
    Ok(buffer)
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
