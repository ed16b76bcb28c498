//! Copies of the database file: a consistent copy taken while the node serves, and what restoring one
//! needs (settling a database's write-ahead log, reading its audit chain).
//!
//! A copy is one `VACUUM INTO` on a connection of its own, outside any transaction: SQLite reads
//! the whole database in one read transaction (a snapshot; the writer carries on, WAL) and writes a
//! self-contained file (rollback journal, no `-wal` beside it). It is written to a temporary file
//! beside the target, synced, and renamed over a reservation of the target's name, so a target
//! never holds half a copy and an existing file is never overwritten.

use crate::{Result, StoreError};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};

fn io(path: &Path, error: std::io::Error) -> StoreError {
    StoreError::Io { path: path.to_owned(), error }
}

/// Opens an existing database file for reading only: nothing is created or changed.
pub(crate) fn open_read_only(path: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    Ok(conn)
}

/// The schema version (`PRAGMA user_version`) of the database behind `conn`.
pub(crate) fn schema_version(conn: &Connection) -> Result<usize> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    usize::try_from(version).map_err(|_| StoreError::Schema(format!("user_version is {version}")))
}

/// The temporary file a copy to `target` is written to first: hidden, in the target's folder (so the
/// rename stays on one file system), named after the process so two copies never share it.
fn temporary_for(target: &Path) -> Result<PathBuf> {
    let name = target
        .file_name()
        .ok_or_else(|| io(target, std::io::Error::new(std::io::ErrorKind::InvalidInput, "no file name")))?;
    let mut temp = std::ffi::OsString::from(".");
    temp.push(name);
    temp.push(format!(".{}.tmp", std::process::id()));
    Ok(target.with_file_name(temp))
}

/// Syncs a folder, so that a rename in it survives a power cut (a no-op where folders cannot be
/// opened, as on Windows).
pub fn sync_folder(folder: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        let dir = std::fs::File::open(folder).map_err(|e| io(folder, e))?;
        dir.sync_all().map_err(|e| io(folder, e))?;
    }
    #[cfg(not(unix))]
    let _ = folder;
    Ok(())
}

/// Writes a consistent copy of the database at `source` to `target`, which must not exist
/// ([`std::io::ErrorKind::AlreadyExists`] otherwise). `source` may be the database of a node that is
/// serving: the copy is its state at one commit, whatever the writer does meanwhile. The copy is a
/// single self-contained file, synced to disk before this returns.
pub fn copy(source: &Path, target: &Path) -> Result<()> {
    if !source.is_file() {
        return Err(io(source, std::io::Error::new(std::io::ErrorKind::NotFound, "no database file")));
    }
    // The reservation: from here on nobody else takes the name, and it is never overwritten.
    std::fs::OpenOptions::new().write(true).create_new(true).open(target).map_err(|e| io(target, e))?;
    let temp = temporary_for(target)?;
    let written = write_copy(source, &temp).and_then(|()| {
        std::fs::rename(&temp, target).map_err(|e| io(target, e))?;
        sync_folder(target.parent().unwrap_or(Path::new(".")))
    });
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
        let _ = std::fs::remove_file(target);
    }
    written
}

fn write_copy(source: &Path, temp: &Path) -> Result<()> {
    // A stale temporary file of a process with the same id that died: VACUUM INTO wants a new file.
    match std::fs::remove_file(temp) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io(temp, e)),
    }
    let conn = open_read_only(source)?;
    let into = temp.to_str().ok_or_else(|| {
        io(temp, std::io::Error::new(std::io::ErrorKind::InvalidInput, "the path is not valid UTF-8"))
    })?;
    conn.execute("VACUUM INTO ?1", [into])?;
    drop(conn);
    // VACUUM INTO does not sync its output. Opened for writing: Windows flushes a file only through
    // a handle that may write it ("Access denied" otherwise).
    let file = std::fs::OpenOptions::new().write(true).open(temp).map_err(|e| io(temp, e))?;
    file.sync_all().map_err(|e| io(temp, e))?;
    Ok(())
}

/// Brings the write-ahead log of the database at `path` into the database file and leaves the file
/// self-contained: afterwards the file alone holds every committed action. Only for a database that
/// no node is serving (restore holds the data folder's lock). Fails if the log cannot be emptied.
pub fn settle(path: &Path) -> Result<()> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    let mode: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0))?;
    if mode.eq_ignore_ascii_case("wal") {
        let (busy, _, _): (i64, i64, i64) =
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        if busy != 0 {
            return Err(StoreError::Schema(
                "the write-ahead log could not be checkpointed: another connection is using the database"
                    .into(),
            ));
        }
        // Leaving WAL removes the log file; the next `Store::open` turns WAL on again.
        let _: String = conn.pragma_update_and_check(None, "journal_mode", "DELETE", |r| r.get(0))?;
    }
    Ok(())
}

/// The hashes of the audit log's entries, in order, of the database file at `path` (read only).
pub fn chain(path: &Path) -> Result<Vec<String>> {
    let conn = open_read_only(path)?;
    let mut stmt = conn.prepare("SELECT hash FROM audit_log ORDER BY seq")?;
    let hashes = stmt.query_map([], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(hashes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;

    async fn node(dir: &Path) -> Store {
        let store = Store::open(&dir.join("baucu.sqlite")).expect("open");
        store
            .write(|c| c.execute_batch("CREATE TABLE IF NOT EXISTS t(x)").map_err(StoreError::from))
            .await
            .expect("table");
        store
    }

    #[tokio::test]
    async fn a_copy_is_self_contained_and_never_overwrites() {
        let dir = tempfile::tempdir().expect("dir");
        let store = node(dir.path()).await;
        store
            .write(|c| c.execute("INSERT INTO t VALUES (42)", []).map(|_| ()).map_err(StoreError::from))
            .await
            .expect("insert");
        let target = dir.path().join("copy.sqlite");
        copy(store.path(), &target).expect("copy");
        assert!(!dir.path().join("copy.sqlite-wal").exists());
        let conn = open_read_only(&target).expect("open copy");
        let mode: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0)).expect("mode");
        assert_eq!(mode, "delete");
        let x: i64 = conn.query_row("SELECT x FROM t", [], |r| r.get(0)).expect("row");
        assert_eq!(x, 42);
        drop(conn);
        let before = std::fs::read(&target).expect("read");
        match copy(store.path(), &target) {
            Err(StoreError::Io { error, .. }) => assert_eq!(error.kind(), std::io::ErrorKind::AlreadyExists),
            other => panic!("an existing target is refused: {other:?}"),
        }
        assert_eq!(std::fs::read(&target).expect("read"), before, "the existing file is untouched");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "no temporary file is left: {leftovers:?}");
    }

    #[test]
    fn settle_brings_a_crashed_nodes_log_into_the_file() {
        let live = tempfile::tempdir().expect("dir");
        let conn = Connection::open(live.path().join("baucu.sqlite")).expect("open");
        let _: String = conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0)).expect("wal");
        conn.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (7);").expect("write");
        // What a node killed in the middle of the night leaves: the file and its log, taken while
        // the connection is still open.
        let dead = tempfile::tempdir().expect("dir");
        for name in ["baucu.sqlite", "baucu.sqlite-wal"] {
            std::fs::copy(live.path().join(name), dead.path().join(name)).expect("copy");
        }
        let path = dead.path().join("baucu.sqlite");
        assert!(std::fs::metadata(dead.path().join("baucu.sqlite-wal")).expect("wal").len() > 0);
        settle(&path).expect("settle");
        assert!(!dead.path().join("baucu.sqlite-wal").exists(), "the log is gone");
        assert!(!dead.path().join("baucu.sqlite-shm").exists(), "the index is gone");
        let copy = open_read_only(&path).expect("open");
        let x: i64 = copy.query_row("SELECT x FROM t", [], |r| r.get(0)).expect("row");
        assert_eq!(x, 7, "the committed row was in the log only and is now in the file");
    }
}
