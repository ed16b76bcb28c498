//! The result package of the node (migration 11): its signing key and the packages it exported.
//! The key's row is read only by the export itself; no page or API reads [`key`].

use crate::Result;
use rusqlite::{Connection, OptionalExtension, params};

/// The node's signing key as stored: its PKCS#8 document and its fingerprint.
#[derive(Clone, PartialEq, Eq)]
pub struct KeyRow {
    pub pkcs8: Vec<u8>,
    pub fingerprint: String,
    pub created_at: String,
}

impl std::fmt::Debug for KeyRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyRow").field("fingerprint", &self.fingerprint).finish_non_exhaustive()
    }
}

/// The stored key, if the node has one.
pub fn key(conn: &Connection) -> Result<Option<KeyRow>> {
    conn.query_row("SELECT pkcs8, fingerprint, created_at FROM node_key WHERE id = 1", [], |r| {
        Ok(KeyRow { pkcs8: r.get(0)?, fingerprint: r.get(1)?, created_at: r.get(2)? })
    })
    .optional()
    .map_err(Into::into)
}

/// The stored key's fingerprint alone (what pages show).
pub fn fingerprint(conn: &Connection) -> Result<Option<String>> {
    conn.query_row("SELECT fingerprint FROM node_key WHERE id = 1", [], |r| r.get(0))
        .optional()
        .map_err(Into::into)
}

/// Stores the node's key; refused (constraint) when it already has one.
pub fn insert_key(conn: &Connection, k: &KeyRow) -> Result<()> {
    conn.execute(
        "INSERT INTO node_key (id, pkcs8, fingerprint, created_at) VALUES (1, ?1, ?2, ?3)",
        params![k.pkcs8, k.fingerprint, k.created_at],
    )?;
    Ok(())
}

/// One exported package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRow {
    pub version: i64,
    pub sha256: String,
    pub supersedes_sha256: Option<String>,
    /// SHA-256 of the package's content without what changes each export (time, version, summary).
    pub content_sha256: String,
    pub unit_code: String,
    pub exported_at: String,
    pub exported_by: String,
}

fn export_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ExportRow> {
    Ok(ExportRow {
        version: r.get(0)?,
        sha256: r.get(1)?,
        supersedes_sha256: r.get(2)?,
        content_sha256: r.get(3)?,
        unit_code: r.get(4)?,
        exported_at: r.get(5)?,
        exported_by: r.get(6)?,
    })
}

const EXPORT_COLUMNS: &str =
    "version, sha256, supersedes_sha256, content_sha256, unit_code, exported_at, exported_by";

/// Every export, newest first.
pub fn exports(conn: &Connection) -> Result<Vec<ExportRow>> {
    let mut stmt =
        conn.prepare(&format!("SELECT {EXPORT_COLUMNS} FROM package_exports ORDER BY version DESC"))?;
    let rows = stmt.query_map([], export_row)?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(Into::into)
}

/// The newest export, with its file.
pub fn latest(conn: &Connection) -> Result<Option<(ExportRow, Vec<u8>)>> {
    conn.query_row(
        &format!("SELECT {EXPORT_COLUMNS}, file FROM package_exports ORDER BY version DESC LIMIT 1"),
        [],
        |r| Ok((export_row(r)?, r.get(7)?)),
    )
    .optional()
    .map_err(Into::into)
}

/// The file of export `version`.
pub fn file(conn: &Connection, version: i64) -> Result<Option<(ExportRow, Vec<u8>)>> {
    conn.query_row(
        &format!("SELECT {EXPORT_COLUMNS}, file FROM package_exports WHERE version = ?1"),
        [version],
        |r| Ok((export_row(r)?, r.get(7)?)),
    )
    .optional()
    .map_err(Into::into)
}

pub fn insert_export(conn: &Connection, row: &ExportRow, file: &[u8]) -> Result<()> {
    conn.execute(
        &format!(
            "INSERT INTO package_exports ({EXPORT_COLUMNS}, file) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
        ),
        params![
            row.version,
            row.sha256,
            row.supersedes_sha256,
            row.content_sha256,
            row.unit_code,
            row.exported_at,
            row.exported_by,
            file
        ],
    )?;
    Ok(())
}
