//! `baucu aggregator …`: the superior committee's aggregator from the command line, as an
//! administrator over the whole tree (`Actor::cli`), on the SQLite file of the data folder or on
//! PostgreSQL (`--database postgres://…`).
//!
//! Exit codes: 0 when everything went in (a package already held counts as in), 1 when a file was
//! refused (each reason is printed), 2 when the command could not run (database, arguments).

use baucu_aggregator::accounts::Actor;
use baucu_aggregator::db::AggDb;
use baucu_aggregator::exchange::MAX_PACKAGE_BYTES;
use baucu_aggregator::import::{self, Summary, VerdictKind};
use clap::Subcommand;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Files per transaction when importing packages: bounds the memory a large folder takes.
const BATCH_FILES: usize = 100;
/// Largest units table read.
const MAX_UNITS_FILE: u64 = baucu_aggregator::units::MAX_BYTES as u64;
/// Most files named at once (folders expanded).
const MAX_FILES: usize = 1_000_000;

#[derive(Debug, Subcommand)]
pub enum AggregatorCommand {
    /// Nhập danh sách đơn vị (Excel .xlsx): cột "Mã đơn vị", "Tên đơn vị", "Cấp", "Mã đơn vị cấp
    /// trên", "Dấu vân tay khóa". Đơn vị đã có được cập nhật theo mã; tệp có lỗi thì không ghi gì và
    /// in từng lỗi theo dòng, cột (mã thoát 1).
    Units {
        /// Thư mục dữ liệu của máy tổng hợp (chứa tệp SQLite khi không dùng --database).
        #[arg(long, default_value = "data")]
        data: PathBuf,
        /// Cơ sở dữ liệu PostgreSQL (postgres://…); bỏ trống thì dùng tệp SQLite trong thư mục dữ liệu.
        #[arg(long, value_name = "URL")]
        database: Option<String>,
        /// Tệp Excel danh sách đơn vị.
        file: PathBuf,
    },
    /// Nhận các gói kết quả (.baucu) do máy đại hội xuất: mỗi tệp một dòng "✓ đã nhận", "= đã có"
    /// hoặc "✗ từ chối" kèm lý do. Mã thoát 0 chỉ khi mọi tệp được nhận hoặc đã có.
    Import {
        #[arg(long, default_value = "data")]
        data: PathBuf,
        #[arg(long, value_name = "URL")]
        database: Option<String>,
        /// Tệp gói, hoặc thư mục (nhận mọi tệp *.baucu trong đó).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Báo cáo tổng hợp kết quả đại hội (tiến độ, cơ cấu cấp ủy mới, tỷ lệ phiếu bí thư, đại biểu,
    /// kết quả khác phương án nhân sự, khiếu nại) của toàn bộ cây đơn vị hoặc của một đơn vị, ghi ra tệp
    /// .xlsx, .pdf hoặc .json (theo đuôi tên tệp).
    Report {
        #[arg(long, default_value = "data")]
        data: PathBuf,
        #[arg(long, value_name = "URL")]
        database: Option<String>,
        /// Mã đơn vị cần báo cáo (đơn vị đó và mọi đơn vị trực thuộc); bỏ trống: toàn bộ.
        #[arg(long, value_name = "MÃ")]
        area: Option<String>,
        /// Chỉ tính các đơn vị của một cấp: province, district, grassroots hoặc cell.
        #[arg(long, value_name = "CẤP")]
        level: Option<String>,
        /// Ngày lấy số liệu ghi trên báo cáo (YYYY-MM-DD); bỏ trống: hôm nay (giờ Việt Nam).
        #[arg(long, value_name = "NGÀY")]
        as_of: Option<String>,
        /// Tệp báo cáo: .xlsx, .pdf hoặc .json.
        #[arg(long, value_name = "TỆP")]
        to: PathBuf,
    },
    /// Tài khoản của máy tổng hợp.
    User {
        #[command(subcommand)]
        command: AggUserCommand,
    },
    /// Nhật ký thao tác của máy tổng hợp.
    Audit {
        #[command(subcommand)]
        command: AggAuditCommand,
    },
    /// Khóa ký của các máy đại hội.
    Key {
        #[command(subcommand)]
        command: AggKeyCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum AggKeyCommand {
    /// Thu hồi khóa ký của một đơn vị (máy bị mất, thay máy): từ nay mọi gói ký bằng khóa này bị từ
    /// chối; các gói đã nhận vẫn giữ. Ghi vào nhật ký cùng lý do.
    Revoke {
        #[arg(long, default_value = "data")]
        data: PathBuf,
        #[arg(long, value_name = "URL")]
        database: Option<String>,
        /// Dấu vân tay của khóa (32 chữ số hex, có hoặc không có dấu gạch).
        fingerprint: String,
        /// Lý do thu hồi.
        #[arg(long, value_name = "LÝ DO")]
        reason: String,
    },
}

pub fn run(command: AggregatorCommand) -> ExitCode {
    match command {
        AggregatorCommand::Units { data, database, file } => units(&data, database.as_deref(), &file),
        AggregatorCommand::Import { data, database, files } => import(&data, database.as_deref(), &files),
        AggregatorCommand::Report { data, database, area, level, as_of, to } => {
            report(&data, database.as_deref(), area.as_deref(), level.as_deref(), as_of.as_deref(), &to)
        }
        AggregatorCommand::User {
            command: AggUserCommand::Add { data, database, username, role, area, name, password_stdin },
        } => user_add(&data, database.as_deref(), username, &role, area, name, password_stdin),
        AggregatorCommand::Audit { command: AggAuditCommand::Verify { data, database, expect_head } } => {
            audit_verify(&data, database.as_deref(), expect_head.as_deref())
        }
        AggregatorCommand::Key { command: AggKeyCommand::Revoke { data, database, fingerprint, reason } } => {
            key_revoke(&data, database.as_deref(), &fingerprint, &reason)
        }
    }
}

/// `baucu aggregator key revoke`: revokes a node key as the command line's administrator.
fn key_revoke(data: &Path, database: Option<&str>, fingerprint: &str, reason: &str) -> ExitCode {
    let db = match open_db(data, database) {
        Ok(db) => db,
        Err(code) => return code,
    };
    match baucu_aggregator::units::revoke_key(&db, &Actor::cli(), fingerprint, reason, jiff::Timestamp::now())
    {
        Ok(unit) => {
            println!("Đã thu hồi khóa của đơn vị {unit}: từ nay mọi gói ký bằng khóa này bị từ chối.");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{}", e.message());
            ExitCode::from(1)
        }
    }
}

fn open_db(data: &Path, database: Option<&str>) -> Result<AggDb, ExitCode> {
    AggDb::open(data, database).map_err(|e| {
        eprintln!("baucu: không mở được cơ sở dữ liệu của máy tổng hợp: {e}");
        ExitCode::from(2)
    })
}

/// At most `max` bytes of a file (one more, so that a larger file is seen as larger).
fn read_bounded(path: &Path, max: u64) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)?.take(max + 1).read_to_end(&mut bytes)?;
    Ok(bytes)
}

fn units(data: &Path, database: Option<&str>, file: &Path) -> ExitCode {
    let bytes = match read_bounded(file, MAX_UNITS_FILE) {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("baucu: không đọc được tệp {}: {e}", file.display());
            return ExitCode::from(2);
        }
    };
    let db = match open_db(data, database) {
        Ok(db) => db,
        Err(code) => return code,
    };
    let name =
        file.file_name().map_or_else(|| file.display().to_string(), |n| n.to_string_lossy().into_owned());
    match baucu_aggregator::units::import_workbook(&db, &Actor::cli(), &bytes, &name) {
        Ok(report) => {
            println!("{}", report.summary());
            ExitCode::SUCCESS
        }
        Err(baucu_aggregator::AppError::Invalid(problems)) => {
            eprintln!("baucu: tệp {name} có lỗi, chưa nhập đơn vị nào:");
            for p in &problems {
                match (p.row, &p.column) {
                    (Some(row), Some(column)) => eprintln!("  dòng {row}, cột \"{column}\": {}", p.message),
                    _ => eprintln!("  {}", p.message),
                }
            }
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("baucu: {}", e.message());
            ExitCode::from(2)
        }
    }
}

/// The files named: folders give their `*.baucu` files, sorted by name.
fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            let entries = std::fs::read_dir(path)
                .map_err(|e| format!("không đọc được thư mục {}: {e}", path.display()))?;
            let mut found = Vec::new();
            for entry in entries {
                let entry = entry.map_err(|e| format!("không đọc được thư mục {}: {e}", path.display()))?;
                let p = entry.path();
                if p.is_file() && p.extension().is_some_and(|x| x.eq_ignore_ascii_case("baucu")) {
                    found.push(p);
                }
                if found.len() > MAX_FILES {
                    return Err(format!("thư mục {} có quá nhiều tệp", path.display()));
                }
            }
            if found.is_empty() {
                return Err(format!("thư mục {} không có tệp gói .baucu nào", path.display()));
            }
            found.sort();
            out.extend(found);
        } else {
            out.push(path.clone());
        }
        if out.len() > MAX_FILES {
            return Err("quá nhiều tệp trong một lần nhận".into());
        }
    }
    Ok(out)
}

fn import(data: &Path, database: Option<&str>, paths: &[PathBuf]) -> ExitCode {
    let files = match expand(paths) {
        Ok(files) => files,
        Err(message) => {
            eprintln!("baucu: {message}.");
            return ExitCode::from(2);
        }
    };
    let db = match open_db(data, database) {
        Ok(db) => db,
        Err(code) => return code,
    };
    let actor = Actor::cli();
    let mut total = Summary::default();
    // One thread reads and checks the next batch while this one writes the current batch.
    let (sender, batches) = std::sync::mpsc::sync_channel::<(Vec<String>, import::OpenedFiles)>(1);
    std::thread::scope(|scope| {
        scope.spawn(move || {
            for chunk in files.chunks(BATCH_FILES) {
                let mut unreadable = Vec::new();
                let mut batch = Vec::with_capacity(chunk.len());
                for path in chunk {
                    let name = path
                        .file_name()
                        .map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
                    match read_bounded(path, MAX_PACKAGE_BYTES as u64) {
                        Ok(bytes) => batch.push((name, bytes)),
                        Err(e) => unreadable.push(format!("Tệp {name}: không đọc được tệp ({e}).")),
                    }
                }
                if sender.send((unreadable, import::open_files(batch))).is_err() {
                    return;
                }
            }
        });
        for (unreadable, batch) in batches {
            for message in &unreadable {
                println!("✗ từ chối: {message}");
            }
            total.refused += unreadable.len();
            let verdicts = import::import_opened_at(&db, &actor, batch, jiff::Timestamp::now());
            for v in &verdicts {
                let mark = match v.kind {
                    VerdictKind::Imported => "✓ đã nhận",
                    VerdictKind::Duplicate => "= đã có",
                    VerdictKind::Refused => "✗ từ chối",
                };
                println!("{mark}: {}", v.message);
            }
            let s = Summary::of(&verdicts);
            total.imported += s.imported;
            total.duplicate += s.duplicate;
            total.refused += s.refused;
        }
    });
    println!("{}", total.sentence());
    // After a large batch the database's statistics are stale and the first reports would be planned
    // on an empty table (measured on PostgreSQL: a province's dashboard 182 ms instead of 12 ms).
    if total.imported >= LARGE_IMPORT
        && let Err(e) = baucu_aggregator::report::refresh_statistics(&db, &actor)
    {
        eprintln!("Không cập nhật được thống kê của cơ sở dữ liệu: {}", e.message());
    }
    if total.refused == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

/// From this many packages imported at once, the import refreshes the database's statistics.
const LARGE_IMPORT: usize = 1_000;

#[derive(Debug, Subcommand)]
pub enum AggUserCommand {
    /// Tạo tài khoản máy tổng hợp. Mật khẩu đọc từ đầu vào chuẩn: hỏi hai lần, hoặc lấy nguyên dòng
    /// đầu tiên khi có --password-stdin.
    Add {
        #[arg(long, default_value = "data")]
        data: PathBuf,
        #[arg(long, value_name = "URL")]
        database: Option<String>,
        /// Tên đăng nhập (a–z, 0–9, dấu chấm, gạch dưới, gạch ngang).
        #[arg(long)]
        username: String,
        /// Vai trò: admin (quản trị), staff (cán bộ cấp ủy), inspection (ủy ban kiểm tra), viewer (xem báo cáo).
        #[arg(long)]
        role: String,
        /// Mã đơn vị giới hạn phạm vi của tài khoản (đơn vị đó và mọi đơn vị trực thuộc); bỏ trống: toàn bộ.
        #[arg(long, value_name = "MÃ")]
        area: Option<String>,
        /// Họ và tên.
        #[arg(long)]
        name: String,
        /// Đọc mật khẩu từ dòng đầu tiên của đầu vào chuẩn, không hỏi lại (cho kịch bản).
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum AggAuditCommand {
    /// Kiểm tra chuỗi băm của nhật ký máy tổng hợp; chỉ ra mục đầu tiên bị sửa, xóa hay chèn. Mã thoát
    /// 1 khi không toàn vẹn.
    Verify {
        #[arg(long, default_value = "data")]
        data: PathBuf,
        #[arg(long, value_name = "URL")]
        database: Option<String>,
        /// Mã đầu chuỗi đã ghi lại trước đó (64 chữ số thập lục phân): phải còn trong chuỗi, nếu không
        /// thì nhật ký đã bị cắt bớt hoặc viết lại.
        #[arg(long, value_name = "HEX")]
        expect_head: Option<String>,
    },
}

/// `baucu aggregator user add`: creates an account as the command line's administrator.
fn user_add(
    data: &Path,
    database: Option<&str>,
    username: String,
    role: &str,
    area: Option<String>,
    name: String,
    password_stdin: bool,
) -> ExitCode {
    use baucu_aggregator::accounts::{self, NewUser, Role};
    let role = match Role::parse(role) {
        Ok(r) => r,
        Err(e) => return usage_error(&e.message()),
    };
    let password = match read_password(password_stdin) {
        Ok(p) => p,
        Err(e) => return usage_error(&e),
    };
    let db = match open_db(data, database) {
        Ok(db) => db,
        Err(code) => return code,
    };
    let shown = username.trim().to_lowercase();
    let scope =
        area.as_deref().map_or_else(|| "toàn bộ cây đơn vị".to_owned(), |a| format!("đơn vị {}", a.trim()));
    let new = NewUser { username, full_name: name, role, area, password };
    match accounts::create_user(&db, &Actor::cli(), new, jiff::Timestamp::now()) {
        Ok(_) => {
            println!("Đã tạo tài khoản \"{shown}\" ({}, phạm vi: {scope}).", role.label());
            ExitCode::SUCCESS
        }
        Err(e) => usage_error(&e.message()),
    }
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("baucu: {message}");
    ExitCode::from(2)
}

/// The password from standard input, without the line end.
fn read_password(from_stdin: bool) -> Result<String, String> {
    use std::io::{BufRead, Write};
    let stdin = std::io::stdin();
    let read_line = |prompt: Option<&str>| -> Result<String, String> {
        if let Some(p) = prompt {
            eprint!("{p}");
            let _ = std::io::stderr().flush();
        }
        let mut line = String::new();
        stdin.lock().take(4096).read_line(&mut line).map_err(|e| format!("không đọc được mật khẩu: {e}"))?;
        let line = line.trim_end_matches(['\n', '\r']).to_owned();
        if line.is_empty() {
            return Err("thiếu mật khẩu (nhập ở đầu vào chuẩn).".into());
        }
        Ok(line)
    };
    if from_stdin {
        return read_line(None);
    }
    let first = read_line(Some("Mật khẩu: "))?;
    let second = read_line(Some("Nhập lại mật khẩu: "))?;
    if first != second {
        return Err("hai lần nhập mật khẩu không khớp.".into());
    }
    Ok(first)
}

/// `baucu aggregator audit verify`: exit 0 when the chain holds (and the expected head, if given, is
/// still in it), 1 when it does not, 2 when it could not be checked.
fn audit_verify(data: &Path, database: Option<&str>, expect_head: Option<&str>) -> ExitCode {
    let db = match open_db(data, database) {
        Ok(db) => db,
        Err(code) => return code,
    };
    let chain = match baucu_aggregator::audit::verify(&db) {
        Ok(c) => c,
        Err(e) => return usage_error(&e.message()),
    };
    println!("{}", chain.message());
    let mut intact = chain.broken.is_none();
    if let Some(head) = expect_head {
        match baucu_aggregator::audit::contains_head(&db, head) {
            Ok(true) => println!("Mã đầu chuỗi đã ghi lại trước đó vẫn có trong nhật ký."),
            Ok(false) => {
                println!(
                    "Mã đầu chuỗi đã ghi lại trước đó KHÔNG còn trong nhật ký: nhật ký đã bị cắt bớt hoặc viết lại."
                );
                intact = false;
            }
            Err(e) => return usage_error(&e.message()),
        }
    }
    if intact { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

/// `baucu aggregator report`: the report of an area written as the file's extension says; exit 2 (and
/// no file) on an unknown extension, area, level or date.
fn report(
    data: &Path,
    database: Option<&str>,
    area: Option<&str>,
    level: Option<&str>,
    as_of: Option<&str>,
    to: &Path,
) -> ExitCode {
    use baucu_aggregator::report::{self as rep, FileKind, UnitLevel};
    let kind = match FileKind::from_path(to) {
        Ok(kind) => kind,
        Err(e) => return usage_error(&e.message()),
    };
    let level = match level.map(UnitLevel::parse).transpose() {
        Ok(level) => level,
        Err(e) => return usage_error(&e.message()),
    };
    let today = match as_of {
        Some(text) => match text.trim().parse::<jiff::civil::Date>() {
            Ok(d) => d,
            Err(_) => {
                let shown: String = text.chars().take(40).collect();
                return usage_error(&format!("Ngày \"{shown}\" không hợp lệ (viết YYYY-MM-DD)."));
            }
        },
        None => match jiff::tz::TimeZone::get("Asia/Ho_Chi_Minh") {
            Ok(zone) => jiff::Timestamp::now().to_zoned(zone).date(),
            Err(e) => return usage_error(&format!("không xác định được ngày hôm nay: {e}")),
        },
    };
    let db = match open_db(data, database) {
        Ok(db) => db,
        Err(code) => return code,
    };
    let bytes =
        rep::report_at_level(&db, &Actor::cli(), area, level, today).and_then(|r| rep::render(&r, kind));
    match bytes {
        Ok(bytes) => match std::fs::write(to, bytes) {
            Ok(()) => {
                println!("Đã ghi báo cáo vào {}.", to.display());
                ExitCode::SUCCESS
            }
            Err(e) => usage_error(&format!("không ghi được tệp {}: {e}", to.display())),
        },
        Err(e) => usage_error(&e.message()),
    }
}
