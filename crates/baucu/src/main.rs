//! `baucu`: the command-line program. It parses arguments, does the IO, and hands every decision to
//! the rules engine (`baucu-rules`).

mod evaluate;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Bầu cử trong Đảng theo Quy chế 190-QĐ/TW: kiểm phiếu, kết quả, biên bản.
#[derive(Debug, Parser)]
#[command(name = "baucu", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Tính một trường hợp (JSON) bằng bộ quy tắc: kết quả một lần bầu, kiểm tra danh sách, phiếu xin
    /// ý kiến, thứ tự tên. In câu trả lời JSON; mã thoát 2 khi dữ liệu sai.
    Evaluate {
        /// Tệp JSON, hoặc "-" để đọc từ đầu vào chuẩn.
        file: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Evaluate { file } => evaluate::run(&file),
    }
}
