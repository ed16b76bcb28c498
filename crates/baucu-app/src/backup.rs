//! Backups of the node's database: a consistent copy taken while the node serves, checked with the
//! same verification as `baucu audit verify`; the names of the automatic copies; and what a restore
//! compares (the audit chains).

use crate::integrity::IntegrityReport;
use crate::{Actor, App, AppError, Permission, SystemClock};
use baucu_store::{Store, StoreError};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The folder of the automatic copies, inside the data folder.
pub const BACKUP_FOLDER: &str = "backups";

/// How the temporary copy of a download begins its name (in the data folder).
const DOWNLOAD_PREFIX: &str = ".tai-xuong-";

/// The name of the copy taken at `at`: `baucu-2026-11-27T10-05-00Z.sqlite`, the time in UTC (the
/// `Z`), with `-` for `:` so that every file system takes it; names sort in time order. `n` > 1
/// tells apart copies taken in the same second.
pub fn file_name(at: jiff::Timestamp, n: u32) -> String {
    let stamp = at.strftime("%Y-%m-%dT%H-%M-%SZ");
    if n > 1 { format!("baucu-{stamp}-{n}.sqlite") } else { format!("baucu-{stamp}.sqlite") }
}

/// The time and the number of a name made by [`file_name`]; `None` for any other name, so that
/// nothing else in the folder is ever taken for a copy (or pruned).
pub fn parse_file_name(name: &str) -> Option<(jiff::Timestamp, u32)> {
    let stem = name.strip_prefix("baucu-")?.strip_suffix(".sqlite")?;
    let (stamp, n) = match stem.split_once("Z-") {
        Some((stamp, n)) => {
            let n: u32 = n.parse().ok().filter(|&n| n > 1)?;
            (format!("{stamp}Z"), n)
        }
        None => (stem.to_owned(), 1),
    };
    let at = jiff::Timestamp::strptime("%Y-%m-%dT%H-%M-%S%z", stamp.replace('Z', "+0000")).ok()?;
    // Only the exact form: the name made again from the time must be the name read.
    (file_name(at, n) == name).then_some((at, n))
}

/// Checks a database file (a copy, before or after it is restored) with the verification of
/// `baucu audit verify`, opened read only: the file is not changed.
pub async fn verify_file(path: &Path) -> Result<IntegrityReport, AppError> {
    let store = Store::open_read_only(path)?;
    let app = App::new(store, Arc::new(SystemClock));
    app.verify_integrity(None).await
}

/// Writes a consistent copy of the database file `source` (of a node that may be serving) to
/// `target`, which must not exist. See [`baucu_store::backup::copy`].
pub async fn copy_database(source: PathBuf, target: PathBuf) -> Result<(), StoreError> {
    tokio::task::spawn_blocking(move || baucu_store::backup::copy(&source, &target))
        .await
        .unwrap_or(Err(StoreError::Closed))
}

/// How the audit chain of a database about to be replaced stands to the chain of the copy that
/// replaces it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainComparison {
    /// The existing chain is the copy's, or the beginning of it: the copy loses nothing that the
    /// existing database recorded.
    Prefix { existing: usize, copy: usize },
    /// The existing database recorded more than the copy.
    Longer { existing: usize, copy: usize },
    /// The chains part at this entry (1-based): the existing database is another history.
    Diverges { seq: usize },
}

impl ChainComparison {
    /// Compares two chains of entry hashes, in order.
    pub fn of(existing: &[String], copy: &[String]) -> Self {
        if let Some(i) = existing.iter().zip(copy).position(|(a, b)| a != b) {
            return ChainComparison::Diverges { seq: i + 1 };
        }
        if existing.len() > copy.len() {
            ChainComparison::Longer { existing: existing.len(), copy: copy.len() }
        } else {
            ChainComparison::Prefix { existing: existing.len(), copy: copy.len() }
        }
    }

    /// Whether restoring the copy loses nothing.
    pub fn safe(&self) -> bool {
        matches!(self, ChainComparison::Prefix { .. })
    }

    /// The sentence a user reads.
    pub fn message(&self) -> String {
        match self {
            ChainComparison::Prefix { existing, copy } if existing == copy => {
                format!("Cơ sở dữ liệu hiện có trùng với tệp sao lưu ({existing} mục nhật ký).")
            }
            ChainComparison::Prefix { existing, copy } => format!(
                "Cơ sở dữ liệu hiện có ({existing} mục nhật ký) là phần đầu của tệp sao lưu ({copy} mục): khôi phục không mất gì."
            ),
            ChainComparison::Longer { existing, copy } => format!(
                "Cơ sở dữ liệu hiện có MỚI HƠN tệp sao lưu: nhật ký của nó có {existing} mục, của tệp sao lưu chỉ có {copy} mục; khôi phục sẽ bỏ mất {} mục.",
                existing - copy
            ),
            ChainComparison::Diverges { seq } => format!(
                "Cơ sở dữ liệu hiện có KHÁC tệp sao lưu: hai nhật ký rẽ nhánh từ mục số {seq}; khôi phục sẽ bỏ mất những gì cơ sở dữ liệu hiện có ghi từ mục đó."
            ),
        }
    }
}

/// A copy made for a download, in the data folder under a temporary name; whoever streams it
/// removes it.
#[derive(Debug)]
pub struct DownloadCopy {
    pub path: PathBuf,
    /// The name to give the file (`baucu-<time>.sqlite`).
    pub file_name: String,
    /// The verification of the copy.
    pub report: IntegrityReport,
}

impl App {
    /// The folder of the automatic copies: `backups` in the data folder.
    pub fn backup_folder(&self) -> PathBuf {
        self.store.path().parent().unwrap_or(Path::new(".")).join(BACKUP_FOLDER)
    }

    /// Writes a consistent copy of the database to `target` (which must not exist) while the node
    /// keeps serving, and verifies the copy. For the node itself (automatic copies) and the command
    /// line; nothing is recorded in the log.
    pub async fn backup_to(&self, target: PathBuf) -> Result<IntegrityReport, AppError> {
        self.store.backup_to(target.clone()).await?;
        verify_file(&target).await
    }

    /// A fresh verified copy for the counting board (or the administrator) to download; the log
    /// records who took it, when, and the chain head of the copy. A copy that does not verify is not
    /// handed out.
    pub async fn download_backup(&self, actor: &Actor) -> Result<DownloadCopy, AppError> {
        actor.require(Permission::ManageCounting)?;
        let at = self.now();
        let folder = self.store.path().parent().unwrap_or(Path::new(".")).to_owned();
        let path = folder.join(format!("{DOWNLOAD_PREFIX}{}.sqlite", crate::auth::random_token()));
        let report = match self.backup_to(path.clone()).await {
            Ok(r) if r.intact() => r,
            Ok(_) => {
                let _ = std::fs::remove_file(&path);
                return Err(AppError::Conflict(
                    "Bản sao không qua được bước kiểm tra toàn vẹn: chạy \"baucu audit verify\" trên máy chủ để xem chỗ hỏng."
                        .into(),
                ));
            }
            Err(e) => {
                let _ = std::fs::remove_file(&path);
                return Err(e);
            }
        };
        let file_name = file_name(at, 1);
        let data = json!({ "file": file_name, "entries": report.entries, "head": report.head });
        if let Err(e) = self.act(actor, "backup.download", move |_| Ok(((), data))).await {
            let _ = std::fs::remove_file(&path);
            return Err(e);
        }
        Ok(DownloadCopy { path, file_name, report })
    }

    /// Removes what copies interrupted by the end of the process left (a download's temporary copy in
    /// the data folder, a half-written automatic copy in the backup folder): only when the node
    /// starts, before any copy is under way. Returns what it removed.
    pub fn remove_leftovers(&self) -> Vec<PathBuf> {
        let data = self.store.path().parent().unwrap_or(Path::new(".")).to_owned();
        let mut removed = Vec::new();
        for (folder, leftover) in [
            (data, (|n: &str| n.starts_with(DOWNLOAD_PREFIX) && n.ends_with(".sqlite")) as fn(&str) -> bool),
            (self.backup_folder(), |n: &str| {
                // `.<copy name>.<process id>.tmp`, as `baucu_store::backup::copy` writes it.
                n.strip_prefix('.')
                    .and_then(|n| n.strip_suffix(".tmp"))
                    .and_then(|n| n.rsplit_once('.'))
                    .is_some_and(|(name, pid)| {
                        pid.bytes().all(|b| b.is_ascii_digit()) && parse_file_name(name).is_some()
                    })
            }),
        ] {
            let Ok(entries) = std::fs::read_dir(&folder) else { continue };
            for entry in entries.flatten() {
                let name = entry.file_name();
                if name.to_str().is_some_and(leftover) && std::fs::remove_file(entry.path()).is_ok() {
                    removed.push(entry.path());
                }
            }
        }
        removed
    }

    /// The automatic copies in the backup folder, newest first: name and size in bytes.
    pub async fn automatic_backups(&self, actor: &Actor) -> Result<Vec<(String, u64)>, AppError> {
        actor.require(Permission::ManageCounting)?;
        let folder = self.backup_folder();
        let listed = tokio::task::spawn_blocking(move || list_copies(&folder))
            .await
            .unwrap_or_else(|_| Ok(Vec::new()));
        let mut copies = listed.map_err(|error| StoreError::Io { path: self.backup_folder(), error })?;
        copies.reverse();
        Ok(copies.into_iter().map(|c| (c.name, c.size)).collect())
    }
}

/// One automatic copy found in the backup folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub name: String,
    pub at: jiff::Timestamp,
    pub n: u32,
    pub size: u64,
}

/// The copies in `folder` named by [`file_name`], oldest first; other files are not listed. A
/// missing folder has none.
pub fn list_copies(folder: &Path) -> std::io::Result<Vec<Listed>> {
    let entries = match std::fs::read_dir(folder) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut copies = Vec::new();
    for entry in entries {
        let entry = entry?;
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else { continue };
        let Some((at, n)) = parse_file_name(&name) else { continue };
        let meta = entry.metadata()?;
        if meta.is_file() {
            copies.push(Listed { name, at, n, size: meta.len() });
        }
    }
    copies.sort_by_key(|c| (c.at, c.n));
    Ok(copies)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> jiff::Timestamp {
        s.parse().expect("time")
    }

    #[test]
    fn names_are_utc_and_read_back_exactly() {
        let t = at("2026-11-27T10:05:00Z");
        assert_eq!(file_name(t, 1), "baucu-2026-11-27T10-05-00Z.sqlite");
        assert_eq!(file_name(t, 3), "baucu-2026-11-27T10-05-00Z-3.sqlite");
        assert_eq!(parse_file_name("baucu-2026-11-27T10-05-00Z.sqlite"), Some((t, 1)));
        assert_eq!(parse_file_name("baucu-2026-11-27T10-05-00Z-3.sqlite"), Some((t, 3)));
        for other in [
            "baucu.sqlite",
            "baucu-2026-11-27T10-05-00Z-1.sqlite",
            "baucu-2026-11-27T10-05-00Z-x.sqlite",
            "baucu-2026-11-27T10-05-00Z.sqlite-wal",
            "baucu-2026-13-27T10-05-00Z.sqlite",
            ".baucu-2026-11-27T10-05-00Z.sqlite.77.tmp",
            "ghi-chu.txt",
        ] {
            assert_eq!(parse_file_name(other), None, "{other}");
        }
    }

    #[tokio::test]
    async fn leftovers_of_interrupted_copies_are_removed_and_nothing_else() {
        let dir = tempfile::tempdir().expect("dir");
        let store = Store::open(&dir.path().join("baucu.sqlite")).expect("store");
        let app = App::new(store, Arc::new(SystemClock));
        let backups = app.backup_folder();
        std::fs::create_dir_all(&backups).expect("backups");
        let gone = [
            dir.path().join(".tai-xuong-0123abcd.sqlite"),
            backups.join(".baucu-2026-11-27T10-05-00Z.sqlite.4242.tmp"),
        ];
        let kept = [
            dir.path().join("baucu.sqlite"),
            dir.path().join("ghi-chu.sqlite"),
            backups.join("baucu-2026-11-27T10-05-00Z.sqlite"),
            backups.join(".ghi-chu.sqlite.1.tmp"),
        ];
        for path in gone.iter().chain(&kept[1..]) {
            std::fs::write(path, b"x").expect("write");
        }
        let mut removed = app.remove_leftovers();
        removed.sort();
        let mut expected = gone.to_vec();
        expected.sort();
        assert_eq!(removed, expected);
        assert!(kept.iter().all(|p| p.exists()), "nothing else is touched");
    }

    #[test]
    fn chains_compare_by_prefix() {
        let h = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let copy = h(&["a", "b", "c"]);
        assert_eq!(
            ChainComparison::of(&h(&["a", "b"]), &copy),
            ChainComparison::Prefix { existing: 2, copy: 3 }
        );
        assert!(ChainComparison::of(&copy, &copy).safe());
        assert!(ChainComparison::of(&[], &copy).safe());
        assert_eq!(
            ChainComparison::of(&h(&["a", "b", "c", "d"]), &copy),
            ChainComparison::Longer { existing: 4, copy: 3 }
        );
        assert_eq!(ChainComparison::of(&h(&["a", "x"]), &copy), ChainComparison::Diverges { seq: 2 });
        assert!(!ChainComparison::of(&h(&["a", "x"]), &copy).safe());
    }
}
