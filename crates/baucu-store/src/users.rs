//! Accounts and their sessions.

use crate::Result;
use rusqlite::{Connection, OptionalExtension, params};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub role: String,
    pub password_hash: String,
    /// A one-time password: the user must choose a new one before anything else.
    pub must_change_password: bool,
    pub active: bool,
    pub created_at: String,
}

const USER_COLUMNS: &str =
    "id, username, full_name, role, password_hash, must_change_password, active, created_at";

fn user(r: &rusqlite::Row<'_>) -> rusqlite::Result<UserRow> {
    Ok(UserRow {
        id: r.get(0)?,
        username: r.get(1)?,
        full_name: r.get(2)?,
        role: r.get(3)?,
        password_hash: r.get(4)?,
        must_change_password: r.get(5)?,
        active: r.get(6)?,
        created_at: r.get(7)?,
    })
}

pub fn count(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM users", [], |r| r.get(0))?)
}

pub fn insert(
    conn: &Connection,
    username: &str,
    full_name: &str,
    role: &str,
    password_hash: &str,
    must_change_password: bool,
    at: &str,
) -> Result<i64> {
    conn.execute(
        "INSERT INTO users (username, full_name, role, password_hash, must_change_password, active, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6)",
        params![username, full_name, role, password_hash, must_change_password, at],
    )?;
    Ok(conn.last_insert_rowid())
}

pub fn by_username(conn: &Connection, username: &str) -> Result<Option<UserRow>> {
    conn.query_row(&format!("SELECT {USER_COLUMNS} FROM users WHERE username = ?1"), [username], user)
        .optional()
        .map_err(Into::into)
}

pub fn by_id(conn: &Connection, id: i64) -> Result<Option<UserRow>> {
    conn.query_row(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1"), [id], user)
        .optional()
        .map_err(Into::into)
}

pub fn list(conn: &Connection) -> Result<Vec<UserRow>> {
    let mut stmt = conn.prepare(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY username"))?;
    let rows = stmt.query_map([], user)?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(Into::into)
}

pub fn update(conn: &Connection, id: i64, full_name: &str, role: &str, active: bool) -> Result<()> {
    conn.execute(
        "UPDATE users SET full_name = ?2, role = ?3, active = ?4 WHERE id = ?1",
        params![id, full_name, role, active],
    )?;
    if !active {
        conn.execute("DELETE FROM sessions WHERE user_id = ?1", [id])?;
    }
    Ok(())
}

/// Sets a password. `keep_session` (the user's own change) keeps that session; every other session
/// of the user ends.
pub fn set_password(
    conn: &Connection,
    id: i64,
    password_hash: &str,
    must_change_password: bool,
    keep_session: Option<&str>,
) -> Result<()> {
    conn.execute(
        "UPDATE users SET password_hash = ?2, must_change_password = ?3 WHERE id = ?1",
        params![id, password_hash, must_change_password],
    )?;
    conn.execute(
        "DELETE FROM sessions WHERE user_id = ?1 AND token_hash IS NOT ?2",
        params![id, keep_session],
    )?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub user: UserRow,
    pub csrf_token: String,
    pub expires_at: String,
}

pub fn insert_session(
    conn: &Connection,
    token_hash: &str,
    user_id: i64,
    csrf_token: &str,
    created_at: &str,
    expires_at: &str,
) -> Result<()> {
    conn.execute(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![token_hash, user_id, csrf_token, created_at, expires_at],
    )?;
    Ok(())
}

/// The session with this token hash, if it exists, has not expired at `now`, and its user is active.
/// Times are RFC 3339 in UTC, which compare correctly as text.
pub fn session(conn: &Connection, token_hash: &str, now: &str) -> Result<Option<SessionRow>> {
    conn.query_row(
        "SELECT u.id, u.username, u.full_name, u.role, u.password_hash, u.must_change_password, u.active, u.created_at,
                s.csrf_token, s.expires_at
         FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND u.active = 1",
        params![token_hash, now],
        |r| Ok(SessionRow { user: user(r)?, csrf_token: r.get(8)?, expires_at: r.get(9)? }),
    )
    .optional()
    .map_err(Into::into)
}

pub fn delete_session(conn: &Connection, token_hash: &str) -> Result<()> {
    conn.execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash])?;
    Ok(())
}

pub fn delete_expired_sessions(conn: &Connection, now: &str) -> Result<usize> {
    Ok(conn.execute("DELETE FROM sessions WHERE expires_at <= ?1", [now])?)
}
