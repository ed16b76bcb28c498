//! Backup and restore of a node's data folder: `baucu backup`, `baucu restore`, the lock that keeps
//! two programs from serving (or restoring) one folder at once, and the automatic copies a serving
//! node takes every few minutes and after every round it closes.

use crate::node::DATABASE_FILE;
use baucu_app::backup::{self as copies, ChainComparison};
use baucu_app::baucu_store::{self, StoreError};
use baucu_app::integrity::IntegrityReport;
use baucu_app::{App, AppError};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The lock file in the data folder: a serving node holds an exclusive lock on it.
pub const LOCK_FILE: &str = "baucu.lock";

/// Who wants the data folder to itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holder {
    Serve,
    Restore,
}

/// The exclusive lock on a data folder, held as long as this value lives (and released by the
/// operating system if the process dies, even by `kill -9` or a power cut).
#[derive(Debug)]
pub struct FolderLock {
    _file: std::fs::File,
}

/// Takes the data folder's lock, or says in Vietnamese why not: another `baucu serve` (or a restore)
/// has it.
pub fn lock_folder(data: &Path, holder: Holder) -> Result<FolderLock, String> {
    std::fs::create_dir_all(data)
        .map_err(|e| format!("không tạo được thư mục dữ liệu {}: {e}", data.display()))?;
    let path = data.join(LOCK_FILE);
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| format!("không mở được tệp khóa {}: {e}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(FolderLock { _file: file }),
        Err(std::fs::TryLockError::WouldBlock) => Err(match holder {
            Holder::Serve => format!(
                "thư mục dữ liệu {} đang được một chương trình baucu khác dùng (máy chủ đang chạy, hoặc đang khôi phục): không thể chạy hai máy chủ trên cùng một dữ liệu. Dừng chương trình kia trước.",
                data.display()
            ),
            Holder::Restore => format!(
                "một máy chủ baucu đang chạy trên thư mục dữ liệu {}: không khôi phục đè lên dữ liệu đang dùng. Dừng máy chủ (Ctrl+C trong cửa sổ của nó) rồi chạy lại lệnh khôi phục.",
                data.display()
            ),
        }),
        Err(std::fs::TryLockError::Error(e)) => Err(format!("không khóa được tệp {}: {e}", path.display())),
    }
}

/// A storage error of a copy, in Vietnamese (the file's own error from the system is kept).
fn copy_error(target: &Path, error: StoreError) -> String {
    match error {
        StoreError::Io { path, error }
            if path == target && error.kind() == std::io::ErrorKind::AlreadyExists =>
        {
            format!("tệp {} đã có; chọn tên khác (không ghi đè tệp có sẵn)", target.display())
        }
        StoreError::Io { path, error } => format!("lỗi đọc ghi tệp {}: {error}", path.display()),
        other => format!("lỗi cơ sở dữ liệu: {other}"),
    }
}

/// An application error while checking a copy, with the storage detail (the command line has no log
/// to look at).
fn check_error(what: &Path, error: AppError) -> String {
    let detail = match error {
        AppError::Store(e) => format!("lỗi cơ sở dữ liệu: {e}"),
        other => other.message(),
    };
    format!("không kiểm tra được {}: {detail}", what.display())
}

fn print_report(report: &IntegrityReport) {
    println!("Nhật ký có {} mục.", report.entries);
    println!("Mã đầu chuỗi nhật ký: {}", report.head);
    if report.intact() {
        println!(
            "Đã kiểm tra (như \"baucu audit verify\"): nhật ký và dữ liệu toàn vẹn, chuỗi băm khớp từ đầu đến cuối, mọi dòng dữ liệu khớp với nhật ký."
        );
    } else {
        println!("Nhật ký và dữ liệu KHÔNG toàn vẹn:");
        for problem in &report.problems {
            println!("  - {}", problem.message());
        }
        if report.unlisted > 0 {
            println!("  … và {} vấn đề khác.", report.unlisted);
        }
    }
}

/// `baucu backup`: a consistent copy of the data folder's database, taken while the node serves (a
/// process of its own), then checked.
pub async fn backup(data: PathBuf, to: PathBuf) -> Result<ExitCode, String> {
    let source = data.join(DATABASE_FILE);
    if !source.is_file() {
        return Err(format!("không có cơ sở dữ liệu ở {}", source.display()));
    }
    if to.exists() {
        return Err(format!("tệp {} đã có; chọn tên khác (không ghi đè tệp có sẵn)", to.display()));
    }
    copies::copy_database(source, to.clone())
        .await
        .map_err(|e| format!("sao lưu không được: {}", copy_error(&to, e)))?;
    println!("Đã sao lưu vào {}.", to.display());
    let report = copies::verify_file(&to).await.map_err(|e| check_error(&to, e))?;
    print_report(&report);
    if report.intact() {
        Ok(ExitCode::SUCCESS)
    } else {
        println!(
            "Bản sao giống hệt dữ liệu đang có, nên dữ liệu đang có cũng không toàn vẹn: chạy \"baucu audit verify\" để xem chi tiết."
        );
        Ok(ExitCode::from(1))
    }
}

/// The time as it goes into file names: `2026-11-27T10-05-00Z` (UTC).
fn stamp(at: jiff::Timestamp) -> String {
    at.strftime("%Y-%m-%dT%H-%M-%SZ").to_string()
}

/// A name beside `base` that no file has: `base`, then `base-2`, `base-3`…
fn free_name(folder: &Path, base: &str, extensions: &[&str]) -> Result<String, String> {
    for n in 1..1000u32 {
        let name = if n == 1 { base.to_owned() } else { format!("{base}-{n}") };
        if extensions.iter().all(|ext| !folder.join(format!("{name}{ext}")).exists()) {
            return Ok(name);
        }
    }
    Err(format!("không tìm được tên tệp còn trống cho {base} trong {}", folder.display()))
}

fn remove_if_there(path: &Path) -> Result<(), String> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(format!("không xóa được tệp {}: {e}", path.display())),
    }
}

/// `baucu restore`: puts a backup in place of the data folder's database, after checking it, and
/// keeps the database it replaces beside it.
pub async fn restore(from: PathBuf, data: PathBuf, force: bool) -> Result<ExitCode, String> {
    if !from.is_file() {
        return Err(format!("không có tệp sao lưu {}", from.display()));
    }
    let live = data.join(DATABASE_FILE);
    if let (Ok(a), Ok(b)) = (from.canonicalize(), live.canonicalize())
        && a == b
    {
        return Err(format!(
            "tệp {} chính là cơ sở dữ liệu của thư mục {}: chọn một tệp sao lưu",
            from.display(),
            data.display()
        ));
    }
    let _lock = lock_folder(&data, Holder::Restore)?;

    // The copy that will become the database: written into the data folder (so that the final rename
    // is atomic), through SQLite (a consistent, self-contained file whatever the backup's state).
    let incoming = data.join(format!(".khoi-phuc-{}.sqlite", std::process::id()));
    remove_if_there(&incoming)?;
    copies::copy_database(from.clone(), incoming.clone()).await.map_err(|e| {
        format!("không đọc được tệp sao lưu {}: {}", from.display(), copy_error(&incoming, e))
    })?;
    let outcome = put_in_place(&from, &data, &incoming, force).await;
    // Whatever happened, the temporary copy does not stay (once renamed, it is no longer there).
    let _ = std::fs::remove_file(&incoming);
    outcome
}

async fn put_in_place(from: &Path, data: &Path, incoming: &Path, force: bool) -> Result<ExitCode, String> {
    let live = data.join(DATABASE_FILE);
    let report = copies::verify_file(incoming).await.map_err(|e| check_error(from, e))?;
    if !report.intact() {
        println!("Tệp sao lưu {}:", from.display());
        print_report(&report);
        println!(
            "Không khôi phục: tệp sao lưu không toàn vẹn. Chọn một tệp sao lưu khác (trong thư mục backups)."
        );
        return Ok(ExitCode::from(1));
    }
    println!(
        "Tệp sao lưu {} toàn vẹn: {} mục nhật ký, mã đầu chuỗi {}.",
        from.display(),
        report.entries,
        report.head
    );

    if live.exists() {
        // Read only: a refused restore leaves the existing database exactly as it was.
        match baucu_store::backup::chain(&live) {
            Ok(existing) => {
                let incoming_chain =
                    baucu_store::backup::chain(incoming).map_err(|e| check_error(from, e.into()))?;
                let comparison = ChainComparison::of(&existing, &incoming_chain);
                println!("{}", comparison.message());
                if !comparison.safe() {
                    if !force {
                        return Err(
                            "không khôi phục để khỏi mất dữ liệu. Nếu chắc chắn muốn thay bằng tệp sao lưu, chạy lại lệnh với --force (cơ sở dữ liệu hiện có vẫn được giữ lại bên cạnh)."
                                .into(),
                        );
                    }
                    println!("Có --force: vẫn khôi phục; cơ sở dữ liệu hiện có được giữ lại bên cạnh.");
                }
            }
            Err(e) if force => {
                println!(
                    "Không đọc được cơ sở dữ liệu hiện có ({e}); có --force: vẫn khôi phục, giữ nó lại bên cạnh."
                );
            }
            Err(e) => {
                return Err(format!(
                    "không đọc được cơ sở dữ liệu hiện có {} ({e}), nên không so được với tệp sao lưu. Nếu chắc chắn muốn thay nó, chạy lại lệnh với --force (nó vẫn được giữ lại bên cạnh).",
                    live.display()
                ));
            }
        }
    }

    // Set aside the database and any log or index beside it: a stale -wal next to the restored file
    // would be replayed into it.
    let parts = ["", "-wal", "-shm"];
    let mut kept = None;
    if live.exists()
        && let Err(e) = baucu_store::backup::settle(&live)
    {
        // Only with --force can an unreadable database get here; it is kept with its log as found.
        println!("Không gộp được nhật ký ghi trước vào cơ sở dữ liệu cũ ({e}); giữ nguyên các tệp của nó.");
    }
    if parts.iter().any(|ext| data.join(format!("{DATABASE_FILE}{ext}")).exists()) {
        let base = free_name(
            data,
            &format!("{DATABASE_FILE}.truoc-khoi-phuc-{}", stamp(jiff::Timestamp::now())),
            &parts,
        )?;
        for ext in parts {
            let path = data.join(format!("{DATABASE_FILE}{ext}"));
            if path.exists() {
                let aside = data.join(format!("{base}{ext}"));
                std::fs::rename(&path, &aside).map_err(|e| {
                    format!("không đổi tên được {} thành {}: {e}", path.display(), aside.display())
                })?;
            }
        }
        kept = Some(data.join(base));
    }
    std::fs::rename(incoming, &live)
        .map_err(|e| format!("không đổi tên được {} thành {}: {e}", incoming.display(), live.display()))?;
    baucu_store::backup::sync_folder(data).map_err(|e| format!("không ghi được xuống đĩa: {e}"))?;

    let restored = copies::verify_file(&live).await.map_err(|e| check_error(&live, e))?;
    println!("Đã khôi phục {} vào {}.", from.display(), live.display());
    print_report(&restored);
    if let Some(kept) = kept {
        println!("Cơ sở dữ liệu cũ được giữ lại ở {} (không xóa).", kept.display());
    }
    if !restored.intact() {
        return Ok(ExitCode::from(1));
    }
    println!("Chạy lại máy chủ: baucu serve --data {}", data.display());
    Ok(ExitCode::SUCCESS)
}

/// The automatic copies of a serving node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Automatic {
    /// Minutes between two copies; 0: none on a timer (still one after every round closed).
    pub every_minutes: u32,
    /// How many copies to keep in `DATA/backups` (the newest).
    pub keep: usize,
}

impl Default for Automatic {
    /// What `baucu serve` does without `--backup-every/--backup-keep`.
    fn default() -> Self {
        Automatic { every_minutes: 10, keep: 20 }
    }
}

/// Starts the automatic copies of a serving node: every `every_minutes`, and after every round the
/// node closes, into `DATA/backups/baucu-<UTC time>.sqlite` (the time of the app's clock), keeping
/// the newest `keep`. A copy that fails is logged; the node carries on.
pub fn start_automatic(app: &App, automatic: Automatic) {
    let app = app.clone();
    for path in app.remove_leftovers() {
        tracing::info!(file = %path.display(), "removed the temporary file of an interrupted copy");
    }
    let mut closes = app.watch_closes();
    tokio::spawn(async move {
        // The chain head of the last copy: a timed copy of unchanged data is not kept (it would only
        // push an older, different copy out of the folder).
        let mut last_head: Option<String> = None;
        let period = u64::from(automatic.every_minutes) * 60;
        let mut timer = (period > 0).then(|| {
            let period = std::time::Duration::from_secs(period);
            let mut t = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
            t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            t
        });
        loop {
            let (reason, timed) = tokio::select! {
                _ = async {
                    match timer.as_mut() {
                        Some(t) => { t.tick().await; }
                        None => std::future::pending::<()>().await,
                    }
                } => ("timer", true),
                changed = closes.changed() => {
                    if changed.is_err() {
                        return;
                    }
                    ("round closed", false)
                }
            };
            match take_automatic(&app).await {
                Ok((path, report)) if timed && last_head.as_deref() == Some(report.head.as_str()) => {
                    if let Err(e) = std::fs::remove_file(&path) {
                        tracing::error!(file = %path.display(), "cannot remove an unchanged copy: {e}");
                    }
                    tracing::debug!("automatic backup ({reason}): nothing changed since the last copy");
                }
                Ok((path, report)) if report.intact() => {
                    last_head = Some(report.head.clone());
                    prune_logged(&app.backup_folder(), automatic.keep);
                    tracing::info!(file = %path.display(), entries = report.entries, head = %report.head, "automatic backup ({reason})");
                }
                Ok((path, report)) => {
                    // Kept, but the older copies are not pruned for it: they may be the good ones.
                    last_head = Some(report.head.clone());
                    tracing::error!(file = %path.display(), problems = report.problems.len(), "automatic backup ({reason}) taken, but the data does not verify: run baucu audit verify");
                }
                Err(e) => tracing::error!("automatic backup ({reason}) failed: {e}"),
            }
        }
    });
}

/// One automatic copy, checked.
pub async fn take_automatic(app: &App) -> Result<(PathBuf, IntegrityReport), String> {
    let folder = app.backup_folder();
    std::fs::create_dir_all(&folder).map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
    let at = app.now();
    let target = (1..1000u32)
        .map(|n| folder.join(copies::file_name(at, n)))
        .find(|p| !p.exists())
        .ok_or_else(|| format!("no free name in {}", folder.display()))?;
    let report = app.backup_to(target.clone()).await.map_err(|e| match e {
        AppError::Store(e) => e.to_string(),
        other => other.message(),
    })?;
    Ok((target, report))
}

/// [`prune`], logged.
fn prune_logged(folder: &Path, keep: usize) {
    match prune(folder, keep) {
        Ok(removed) => {
            for path in removed {
                tracing::info!(file = %path.display(), "old automatic backup removed");
            }
        }
        Err(e) => tracing::error!("pruning {}: {e}", folder.display()),
    }
}

/// Removes all but the newest `keep` automatic copies of `folder` (only files named as they are);
/// returns what it removed, oldest first.
pub fn prune(folder: &Path, keep: usize) -> std::io::Result<Vec<PathBuf>> {
    let copies = copies::list_copies(folder)?;
    let surplus = copies.len().saturating_sub(keep);
    let mut removed = Vec::with_capacity(surplus);
    for copy in &copies[..surplus] {
        let path = folder.join(&copy.name);
        std::fs::remove_file(&path)?;
        removed.push(path);
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pruning_keeps_the_newest_and_nothing_else_is_touched() {
        let dir = tempfile::tempdir().expect("dir");
        let start: jiff::Timestamp = "2026-11-27T10:05:00Z".parse().expect("time");
        let mut names = Vec::new();
        for minutes in [0i64, 10, 20, 30, 40] {
            let at = start.checked_add(jiff::SignedDuration::from_mins(minutes)).expect("time");
            names.push(copies::file_name(at, 1));
        }
        // Two copies in the same second: the second one is the newer.
        names.push(copies::file_name(start.checked_add(jiff::SignedDuration::from_mins(40)).expect("t"), 2));
        for name in &names {
            std::fs::write(dir.path().join(name), b"x").expect("write");
        }
        let others = [
            "ghi-chu.txt",
            "baucu.sqlite",
            "baucu-hom-qua.sqlite",
            ".baucu-2026-11-27T09-00-00Z.sqlite.9.tmp",
        ];
        for other in others {
            std::fs::write(dir.path().join(other), b"x").expect("write");
        }
        let removed = prune(dir.path(), 3).expect("prune");
        let removed: Vec<String> =
            removed.iter().map(|p| p.file_name().expect("name").to_string_lossy().into_owned()).collect();
        assert_eq!(removed, names[..3].to_vec(), "the three oldest go, oldest first");
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        let mut expected: Vec<String> =
            names[3..].iter().cloned().chain(others.iter().map(|s| s.to_string())).collect();
        expected.sort();
        assert_eq!(left, expected);
        // Keeping more than there are removes nothing.
        assert!(prune(dir.path(), 20).expect("prune").is_empty());
    }

    #[test]
    fn a_second_holder_of_the_folder_is_refused() {
        let dir = tempfile::tempdir().expect("dir");
        let held = lock_folder(dir.path(), Holder::Serve).expect("first lock");
        let refused = lock_folder(dir.path(), Holder::Restore).expect_err("second lock");
        assert!(refused.contains("đang chạy"), "{refused}");
        let refused = lock_folder(dir.path(), Holder::Serve).expect_err("second lock");
        assert!(refused.contains("không thể chạy hai máy chủ"), "{refused}");
        drop(held);
        lock_folder(dir.path(), Holder::Restore).expect("free again once released");
    }
}
