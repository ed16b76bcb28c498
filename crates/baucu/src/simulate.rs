//! `baucu simulate`: runs a whole congress through the application (`baucu_app::simulate`) into a new
//! data directory and prints what happened, in Vietnamese.

use crate::node::DATABASE_FILE;
use baucu_app::simulate::{MAX_MEMBERS, MIN_MEMBERS, Summary, simulate_with};
use std::path::PathBuf;
use std::process::ExitCode;

/// The folder of the documents inside the data directory.
pub const DOCUMENTS: &str = "documents";

pub async fn run(data: PathBuf, seed: u64, members: u32, direct_secretary: bool) -> Result<ExitCode, String> {
    let database = data.join(DATABASE_FILE);
    if database.exists() {
        eprintln!(
            "baucu: thư mục {} đã có cơ sở dữ liệu ({DATABASE_FILE}); mô phỏng không ghi đè dữ liệu. Hãy chọn một thư mục mới.",
            data.display()
        );
        return Ok(ExitCode::from(2));
    }
    if !(MIN_MEMBERS..=MAX_MEMBERS).contains(&members) {
        eprintln!("baucu: số đảng viên (--members) phải từ {MIN_MEMBERS} đến {MAX_MEMBERS}.");
        return Ok(ExitCode::from(2));
    }
    std::fs::create_dir_all(&data)
        .map_err(|e| format!("không tạo được thư mục dữ liệu {}: {e}", data.display()))?;
    let started = std::time::Instant::now();
    let summary = simulate_with(&database, &data.join(DOCUMENTS), seed, members, direct_secretary)
        .await
        .map_err(|e| {
            format!(
                "{} Thư mục {} còn dữ liệu ghi dở: hãy xóa nó trước khi chạy lại.",
                e.message(),
                data.display()
            )
        })?;
    // Written at once, and a closed pipe (`| head`) is not an error: the congress is already on disk.
    let text = summary_text(&summary, &data, started.elapsed());
    let _ = std::io::Write::write_all(&mut std::io::stdout().lock(), text.as_bytes());
    Ok(ExitCode::SUCCESS)
}

/// The summary in Vietnamese.
fn summary_text(s: &Summary, data: &std::path::Path, took: std::time::Duration) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Đã mô phỏng xong (hạt giống {}, {:.1} giây): {}.",
        s.seed,
        took.as_secs_f64(),
        s.congress
    );
    let _ = writeln!(
        out,
        "Đảng viên: {}; có mặt ở phiên thứ nhất (đảng viên chính thức): {}; số làm căn cứ B = {}.",
        s.members, s.present, s.base
    );
    let accounts: Vec<String> = s.accounts.iter().map(|(u, r)| format!("{u} ({})", r.label())).collect();
    let _ = writeln!(out, "Tài khoản (mật khẩu chung \"{}\"): {}.", s.password, accounts.join(", "));
    let _ = writeln!(out);
    let _ = writeln!(out, "Các cuộc bầu:");
    for (i, e) in s.elections.iter().enumerate() {
        let mut line =
            format!("{}. {} — {} lần bầu; trúng cử {}", i + 1, e.title, e.rounds.len(), e.elected.len());
        if !e.alternates.is_empty() {
            line.push_str(&format!(", dự khuyết {}", e.alternates.len()));
        }
        let _ = writeln!(out, "{line}.");
        for r in &e.rounds {
            let mut said = format!(
                "   • {}: phát ra {}, thu vào {}, hợp lệ {}, không hợp lệ {}; {} chồng phiếu",
                r.title, r.issued, r.collected, r.valid, r.invalid, r.stacks
            );
            if r.differences > 0 {
                said.push_str(&format!(
                    ", {} phiếu hai lượt nhập khác nhau do ban kiểm phiếu quyết định",
                    r.differences
                ));
            }
            said.push_str(&format!("; trúng cử {}", r.elected.len()));
            if !r.alternates.is_empty() {
                said.push_str(&format!(", dự khuyết {} ({})", r.alternates.len(), r.alternates.join(", ")));
            }
            if !r.tied.is_empty() {
                said.push_str(&format!("; bằng phiếu: {}", r.tied.join(", ")));
            }
            if let Some(d) = &r.decision {
                said.push_str(&format!(" → {d}"));
            }
            let _ = writeln!(out, "{said}.");
        }
        if e.elected.len() <= 5 {
            let _ = writeln!(out, "   Trúng cử: {}.", e.elected.join(", "));
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Tài liệu ({} tệp: phiếu bầu, biên bản kiểm phiếu PDF và Word, kết quả Excel, nhật ký nhập phiếu, danh sách trúng cử):",
        s.files.len()
    );
    let _ = writeln!(out, "  {}", s.documents.display());
    let _ = writeln!(out, "Mở máy chủ đại hội với dữ liệu này:");
    let _ = writeln!(out, "  baucu serve --data {}", data.display());
    out
}

/// `baucu simulate --packages N --seed S --to DIR`: the signed result packages of `N` congresses over
/// a generated national tree and `DIR/units.xlsx` (see `baucu_app::simulate_packages`). Exit code 2
/// for a wrong count or a folder that is not empty, 1 when writing fails.
pub fn packages(to: PathBuf, packages: u32, seed: u64) -> ExitCode {
    use baucu_app::AppError;
    use baucu_app::simulate_packages::{UNITS_FILE, simulate_packages};
    let started = std::time::Instant::now();
    let summary = match simulate_packages(&to, packages, seed) {
        Ok(summary) => summary,
        Err(e) => {
            eprintln!("baucu: {}", e.message());
            return match e {
                AppError::Invalid(_) => ExitCode::from(2),
                _ => ExitCode::FAILURE,
            };
        }
    };
    let took = started.elapsed().as_secs_f64();
    let written = summary.files.len().saturating_sub(1);
    let text = format!(
        "Đã mô phỏng {} đại hội (hạt giống {}): {} gói kết quả đã ký, trong đó {} đơn vị có phiên bản 2 thay thế \
         phiên bản 1; {:.1} giây ({:.0} gói/giây).\n\
         Cây đơn vị: {} tỉnh, {} huyện, {} đảng bộ cơ sở, {} chi bộ cơ sở ({} đơn vị chưa đại hội).\n\
         Danh sách đơn vị và dấu vân tay khóa: {}\n\
         Nhập vào máy tổng hợp:\n  baucu aggregator units --data DỮ_LIỆU {}\n  baucu aggregator import --data DỮ_LIỆU {}/*.baucu\n",
        summary.congresses,
        summary.seed,
        written,
        summary.superseded.len(),
        took,
        written as f64 / took.max(1e-9),
        summary.provinces,
        summary.districts,
        summary.grassroots,
        summary.cells,
        summary.not_held,
        to.join(UNITS_FILE).display(),
        to.join(UNITS_FILE).display(),
        to.display(),
    );
    let _ = std::io::Write::write_all(&mut std::io::stdout().lock(), text.as_bytes());
    ExitCode::SUCCESS
}
