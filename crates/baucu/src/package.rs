//! `baucu package export|verify`: the result package a congress sends its superior (issue 13).

use crate::node::{DATABASE_FILE, open};
use baucu_app::Actor;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The largest file `verify` reads: the package format's own bound.
const MAX_FILE: u64 = baucu_app::simulate_packages::exchange::MAX_PACKAGE_BYTES as u64;

/// Exports the package of the node in `data` to `to` (not overwritten). Prints the unit, the
/// version, the key's fingerprint and the file.
pub async fn export(data: PathBuf, to: PathBuf) -> Result<ExitCode, String> {
    let path = data.join(DATABASE_FILE);
    if !path.exists() {
        return Err(format!("không có cơ sở dữ liệu ở {}", path.display()));
    }
    if to.exists() {
        return Err(format!("đã có tệp {}: chọn một tên tệp mới", to.display()));
    }
    let app = open(&data)?;
    let result = async {
        app.ensure_node_key().await?;
        app.export_package(&Actor::system()).await
    }
    .await;
    app.store().close();
    let exported = result.map_err(|e| e.message())?;
    write_new(&to, &exported.file)?;
    println!("Đơn vị: {}", exported.info.unit_code);
    match &exported.info.supersedes_sha256 {
        Some(previous) => println!(
            "Phiên bản: {} (thay thế phiên bản {}, mã băm {previous})",
            exported.info.version,
            exported.info.version.saturating_sub(1)
        ),
        None => println!("Phiên bản: {}", exported.info.version),
    }
    if exported.unchanged {
        println!("Nội dung không đổi từ lần xuất trước: đây là tệp đã xuất.");
    }
    println!("Dấu vân tay khóa ký: {}", exported.fingerprint);
    println!("Mã băm SHA-256: {}", exported.info.sha256);
    println!("Tệp: {}", to.display());
    Ok(ExitCode::SUCCESS)
}

fn write_new(to: &Path, bytes: &[u8]) -> Result<(), String> {
    use std::io::Write as _;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(to)
        .map_err(|e| format!("không tạo được tệp {}: {e}", to.display()))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| format!("không ghi được {}: {e}", to.display()))
}

/// Checks a package file: exit 0 with what it holds, or 1 with the reason it is refused.
pub fn verify(file: &Path, fingerprint: Option<&str>, unit: Option<&str>) -> ExitCode {
    let bytes = match read_bounded(file) {
        Ok(bytes) => bytes,
        Err(message) => {
            println!("KHÔNG HỢP LỆ: {message}");
            return ExitCode::FAILURE;
        }
    };
    match baucu_app::package::verify_file(&bytes, fingerprint, unit) {
        Ok(v) => {
            let p = &v.package;
            let rounds: usize = p.elections.iter().map(|e| e.rounds.len()).sum();
            println!("HỢP LỆ: gói kết quả nguyên vẹn, chữ ký đúng.");
            println!("Đại hội: {}", p.congress.name);
            println!("Đơn vị: {}", p.unit_code);
            println!("Phiên bản: {}", p.version);
            match &p.supersedes {
                Some(s) => println!("Thay thế: phiên bản {} (mã băm {})", s.version, s.sha256),
                None => println!("Thay thế: không (phiên bản đầu tiên)"),
            }
            println!("Dấu vân tay khóa ký: {}", v.fingerprint);
            println!("Mã băm SHA-256: {}", v.digest);
            println!("Số lần bầu: {rounds}");
            println!("Số người trúng cử: {}", p.elected.len());
            ExitCode::SUCCESS
        }
        Err(message) => {
            println!("KHÔNG HỢP LỆ: {message}");
            ExitCode::FAILURE
        }
    }
}

fn read_bounded(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read as _;
    let file = std::fs::File::open(path).map_err(|e| format!("không mở được tệp {}: {e}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("không đọc được tệp {}: {e}", path.display()))?;
    if bytes.len() as u64 > MAX_FILE {
        return Err(format!(
            "tệp {} lớn hơn {} MiB, không phải một gói kết quả",
            path.display(),
            MAX_FILE >> 20
        ));
    }
    Ok(bytes)
}
