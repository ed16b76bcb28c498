//! The aggregator's accounts and sessions (`users`, `sessions`).

use super::db::{Row, Tx, Value};
use crate::Result;

/// An account, with the `units.path` of its area.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub role: String,
    pub area: Option<String>,
    pub area_path: Option<String>,
    pub password_hash: String,
    pub created_at: i64,
    pub disabled: bool,
}

const USER: &str =
    "SELECT u.id, u.username, u.full_name, u.role, u.area, un.path, u.password_hash, u.created_at, u.disabled
     FROM users u LEFT JOIN units un ON un.code = u.area";

fn user(r: &Row) -> Result<UserRow> {
    Ok(UserRow {
        id: r.int(0)?,
        username: r.text(1)?,
        full_name: r.text(2)?,
        role: r.text(3)?,
        area: r.opt_text(4)?,
        area_path: r.opt_text(5)?,
        password_hash: r.text(6)?,
        created_at: r.int(7)?,
        disabled: r.bool(8)?,
    })
}

/// The fields of a new account.
#[derive(Debug, Clone, Copy)]
pub struct NewUserRow<'a> {
    pub username: &'a str,
    pub full_name: &'a str,
    pub role: &'a str,
    pub area: Option<&'a str>,
    pub password_hash: &'a str,
    pub created_at: i64,
}

pub fn insert_user(tx: &mut Tx<'_>, u: &NewUserRow<'_>) -> Result<i64> {
    tx.query_one(
        "INSERT INTO users (username, full_name, role, area, password_hash, created_at, disabled)
         VALUES ($1, $2, $3, $4, $5, $6, 0) RETURNING id",
        &[
            Value::from(u.username),
            Value::from(u.full_name),
            Value::from(u.role),
            Value::from(u.area),
            Value::from(u.password_hash),
            Value::from(u.created_at),
        ],
    )?
    .int(0)
}

pub fn user_by_name(tx: &mut Tx<'_>, username: &str) -> Result<Option<UserRow>> {
    tx.query_opt(&format!("{USER} WHERE u.username = $1"), &[Value::from(username)])?
        .as_ref()
        .map(user)
        .transpose()
}

/// The accounts of an area (`None`: every account), by name.
pub fn users_in_area(tx: &mut Tx<'_>, area_path: Option<&str>) -> Result<Vec<UserRow>> {
    let rows = match area_path {
        None => tx.query(&format!("{USER} ORDER BY u.username"), &[])?,
        Some(p) => {
            tx.query(&format!("{USER} WHERE un.path LIKE $1 || '%' AND substr(un.path, 1, length(CAST($1 AS TEXT))) = CAST($1 AS TEXT) ORDER BY u.username"), &[Value::from(p)])?
        }
    };
    rows.iter().map(user).collect()
}

pub fn set_disabled(tx: &mut Tx<'_>, id: i64, disabled: bool) -> Result<u64> {
    tx.execute("UPDATE users SET disabled = $1 WHERE id = $2", &[Value::from(disabled), Value::from(id)])
}

pub fn delete_sessions_of(tx: &mut Tx<'_>, user_id: i64) -> Result<u64> {
    tx.execute("DELETE FROM sessions WHERE user_id = $1", &[Value::from(user_id)])
}

pub fn insert_session(
    tx: &mut Tx<'_>,
    token_hash: &str,
    user_id: i64,
    csrf: &str,
    expires_at: i64,
) -> Result<()> {
    tx.execute(
        "INSERT INTO sessions (token_hash, user_id, csrf, expires_at) VALUES ($1, $2, $3, $4)",
        &[Value::from(token_hash), Value::from(user_id), Value::from(csrf), Value::from(expires_at)],
    )?;
    Ok(())
}

/// The account and CSRF token of a session still open after `now` (unix seconds).
pub fn session(tx: &mut Tx<'_>, token_hash: &str, now: i64) -> Result<Option<(UserRow, String)>> {
    let row = tx.query_opt(
        "SELECT u.id, u.username, u.full_name, u.role, u.area, un.path, u.password_hash, u.created_at, u.disabled, s.csrf
         FROM sessions s JOIN users u ON u.id = s.user_id LEFT JOIN units un ON un.code = u.area
         WHERE s.token_hash = $1 AND s.expires_at > $2",
        &[Value::from(token_hash), Value::from(now)],
    )?;
    match row {
        None => Ok(None),
        Some(r) => Ok(Some((user(&r)?, r.text(9)?))),
    }
}

pub fn delete_session(tx: &mut Tx<'_>, token_hash: &str) -> Result<u64> {
    tx.execute("DELETE FROM sessions WHERE token_hash = $1", &[Value::from(token_hash)])
}

pub fn delete_expired_sessions(tx: &mut Tx<'_>, now: i64) -> Result<u64> {
    tx.execute("DELETE FROM sessions WHERE expires_at <= $1", &[Value::from(now)])
}

/// The `units.path` of a unit code.
pub fn unit_path(tx: &mut Tx<'_>, code: &str) -> Result<Option<String>> {
    tx.query_opt("SELECT path FROM units WHERE code = $1", &[Value::from(code)])?
        .map(|r| r.text(0))
        .transpose()
}
