//! Accounts, passwords (Argon2), sessions that expire, CSRF tokens, and the login rate limit.

use crate::{Actor, App, AppError, FieldProblem, Permission, Role};
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use baucu_store::users;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, VecDeque};

/// How long a session lasts from login.
pub const SESSION_HOURS: i64 = 12;
/// Failed logins allowed per name (and per address) in [`WINDOW_SECONDS`]; the next is refused unchecked.
pub const MAX_FAILURES: usize = 5;
pub const WINDOW_SECONDS: i64 = 60;
pub const MIN_PASSWORD_CHARS: usize = 8;

/// A logged-in session as the web layer sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub actor: Actor,
    pub csrf_token: String,
    /// The password is a one-time one: the user must choose a new one first.
    pub must_change_password: bool,
}

/// Failed login attempts by key (user name, address), kept for one window.
#[derive(Debug, Default)]
pub struct LoginLimiter {
    failures: BTreeMap<String, VecDeque<jiff::Timestamp>>,
}

impl LoginLimiter {
    fn prune(&mut self, now: jiff::Timestamp) {
        let cutoff = now - jiff::SignedDuration::from_secs(WINDOW_SECONDS);
        self.failures.retain(|_, times| {
            while times.front().is_some_and(|t| *t <= cutoff) {
                times.pop_front();
            }
            !times.is_empty()
        });
    }

    fn blocked(&mut self, keys: &[String], now: jiff::Timestamp) -> bool {
        self.prune(now);
        keys.iter().any(|k| self.failures.get(k).is_some_and(|t| t.len() >= MAX_FAILURES))
    }

    fn fail(&mut self, keys: &[String], now: jiff::Timestamp) {
        for k in keys {
            self.failures.entry(k.clone()).or_default().push_back(now);
        }
    }
}

/// 32 random bytes, hex.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    // The operating system's generator; if it fails there is no safe way to go on.
    getrandom::fill(&mut bytes).expect("the operating system's random number generator is unavailable");
    hex::encode(bytes)
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn hash_password(password: &str) -> Result<String, AppError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|_| AppError::Conflict("Không tạo được mật khẩu.".into()))
}

fn password_matches(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .is_ok_and(|hash| Argon2::default().verify_password(password.as_bytes(), &hash).is_ok())
}

fn check_password_rules(password: &str) -> Result<(), AppError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AppError::invalid(
            "password",
            format!("Mật khẩu phải có ít nhất {MIN_PASSWORD_CHARS} ký tự."),
        ));
    }
    Ok(())
}

fn actor_of(row: &users::UserRow) -> Result<Actor, AppError> {
    let role = Role::from_code(&row.role).ok_or(AppError::Forbidden)?;
    Ok(Actor { user_id: row.id, username: row.username.clone(), full_name: row.full_name.clone(), role })
}

/// A user as the administrator page shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UserView {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub role: Role,
    pub active: bool,
}

impl App {
    /// On first start, with no account at all, creates the administrator `admin` and returns its
    /// one-time password to print.
    pub async fn ensure_admin(&self) -> Result<Option<String>, AppError> {
        let password = random_token()[..16].to_owned();
        let hash = hash_password(&password)?;
        let created = self
            .act(&Actor::system(), "user.bootstrap", move |c| {
                if users::count(c)? > 0 {
                    return Ok((false, json!({ "skipped": true })));
                }
                users::insert(c, "admin", "Quản trị hệ thống", Role::Admin.code(), &hash, true, "")?;
                Ok((true, json!({ "username": "admin", "role": "admin" })))
            })
            .await?;
        Ok(created.then_some(password))
    }

    /// Checks a name and password. After [`MAX_FAILURES`] failures in a minute for the name or the
    /// address, attempts are refused without checking the password.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        address: &str,
    ) -> Result<(String, Session), AppError> {
        let now = self.now();
        let keys = [format!("user:{}", username.trim().to_lowercase()), format!("addr:{address}")];
        if self.limiter.lock().map(|mut l| l.blocked(&keys, now)).unwrap_or(true) {
            return Err(AppError::RateLimited);
        }
        let name = username.trim().to_owned();
        let row = self.read(move |c| Ok(users::by_username(c, &name)?)).await?;
        let ok = row.as_ref().is_some_and(|r| r.active && password_matches(password, &r.password_hash));
        let Some(row) = row.filter(|_| ok) else {
            if let Ok(mut l) = self.limiter.lock() {
                l.fail(&keys, now);
            }
            return Err(AppError::Invalid(vec![FieldProblem::field(
                "password",
                "Tên đăng nhập hoặc mật khẩu không đúng.",
            )]));
        };
        let actor = actor_of(&row)?;
        let token = random_token();
        let csrf = random_token();
        let hashed = token_hash(&token);
        let (created, expires) =
            (now.to_string(), (now + jiff::SignedDuration::from_hours(SESSION_HOURS)).to_string());
        let (user_id, csrf_saved) = (row.id, csrf.clone());
        self.act(&actor, "session.login", move |c| {
            users::delete_expired_sessions(c, &created)?;
            users::insert_session(c, &hashed, user_id, &csrf_saved, &created, &expires)?;
            Ok(((), json!({ "user_id": user_id })))
        })
        .await?;
        Ok((token, Session { actor, csrf_token: csrf, must_change_password: row.must_change_password }))
    }

    /// The session a cookie token opens, if valid and not expired.
    pub async fn session(&self, token: &str) -> Result<Option<Session>, AppError> {
        let hashed = token_hash(token);
        let now = self.now().to_string();
        let row = self.read(move |c| Ok(users::session(c, &hashed, &now)?)).await?;
        match row {
            Some(s) => Ok(Some(Session {
                must_change_password: s.user.must_change_password,
                actor: actor_of(&s.user)?,
                csrf_token: s.csrf_token,
            })),
            None => Ok(None),
        }
    }

    pub async fn logout(&self, actor: &Actor, token: &str) -> Result<(), AppError> {
        let hashed = token_hash(token);
        self.act(actor, "session.logout", move |c| {
            users::delete_session(c, &hashed)?;
            Ok(((), json!({})))
        })
        .await
    }

    pub async fn list_users(&self, actor: &Actor) -> Result<Vec<UserView>, AppError> {
        actor.require(Permission::ManageUsers)?;
        let rows = self.read(|c| Ok(users::list(c)?)).await?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                let role = Role::from_code(&r.role)?;
                Some(UserView {
                    id: r.id,
                    username: r.username,
                    full_name: r.full_name,
                    role,
                    active: r.active,
                })
            })
            .collect())
    }

    /// Creates an account. The user name is lower case letters, digits, `.`, `_` or `-`. A password an
    /// administrator chose for someone else is a one-time password; one given on the command line
    /// (the node acting itself) is not.
    pub async fn create_user(
        &self,
        actor: &Actor,
        username: &str,
        full_name: &str,
        role: Role,
        password: &str,
    ) -> Result<i64, AppError> {
        actor.require(Permission::ManageUsers)?;
        let username = username.trim().to_lowercase();
        let mut problems = Vec::new();
        if username.is_empty()
            || username.len() > 40
            || !username.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
        {
            problems.push(FieldProblem::field(
                "username",
                "Tên đăng nhập chỉ gồm chữ không dấu, chữ số, dấu chấm, gạch dưới hoặc gạch ngang (tối đa 40 ký tự).",
            ));
        }
        if full_name.trim().is_empty() {
            problems.push(FieldProblem::field("full_name", "Họ và tên không được để trống."));
        }
        if let Err(AppError::Invalid(p)) = check_password_rules(password) {
            problems.extend(p);
        }
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let hash = hash_password(password)?;
        let full_name = full_name.trim().to_owned();
        let at = self.now().to_string();
        let one_time = actor.user_id != Actor::system().user_id;
        self.act(actor, "user.create", move |c| {
            if users::by_username(c, &username)?.is_some() {
                return Err(AppError::invalid("username", format!("Tên đăng nhập \"{username}\" đã có.")));
            }
            let id = users::insert(c, &username, &full_name, role.code(), &hash, one_time, &at)?;
            Ok((id, json!({ "id": id, "username": username, "full_name": full_name, "role": role.code() })))
        })
        .await
    }

    pub async fn update_user(
        &self,
        actor: &Actor,
        id: i64,
        full_name: &str,
        role: Role,
        active: bool,
    ) -> Result<(), AppError> {
        actor.require(Permission::ManageUsers)?;
        if id == actor.user_id && (!active || role != Role::Admin) {
            return Err(AppError::Conflict(
                "Không thể tự khóa hoặc tự bỏ quyền quản trị của chính mình.".into(),
            ));
        }
        let full_name = full_name.trim().to_owned();
        if full_name.is_empty() {
            return Err(AppError::invalid("full_name", "Họ và tên không được để trống."));
        }
        self.act(actor, "user.update", move |c| {
            users::by_id(c, id)?.ok_or(AppError::NotFound("tài khoản"))?;
            users::update(c, id, &full_name, role.code(), active)?;
            Ok(((), json!({ "id": id, "full_name": full_name, "role": role.code(), "active": active })))
        })
        .await
    }

    /// An administrator sets someone's password: a one-time password, and their sessions end.
    pub async fn set_password(&self, actor: &Actor, id: i64, password: &str) -> Result<(), AppError> {
        actor.require(Permission::ManageUsers)?;
        check_password_rules(password)?;
        let hash = hash_password(password)?;
        let one_time = id != actor.user_id;
        self.act(actor, "user.password", move |c| {
            users::by_id(c, id)?.ok_or(AppError::NotFound("tài khoản"))?;
            users::set_password(c, id, &hash, one_time, None)?;
            Ok(((), json!({ "id": id })))
        })
        .await
    }

    /// A user changes their own password, proving the current one; their other sessions end.
    pub async fn change_own_password(
        &self,
        actor: &Actor,
        session_token: &str,
        current: &str,
        new: &str,
        repeated: &str,
    ) -> Result<(), AppError> {
        let id = actor.user_id;
        let row = self.read(move |c| Ok(users::by_id(c, id)?)).await?.ok_or(AppError::Unauthenticated)?;
        if !password_matches(current, &row.password_hash) {
            return Err(AppError::invalid("current", "Mật khẩu hiện tại không đúng."));
        }
        if new != repeated {
            return Err(AppError::invalid("repeated", "Hai lần nhập mật khẩu mới không giống nhau."));
        }
        if new == current {
            return Err(AppError::invalid("new", "Mật khẩu mới phải khác mật khẩu hiện tại."));
        }
        check_password_rules(new)?;
        let hash = hash_password(new)?;
        let keep = token_hash(session_token);
        self.act(actor, "user.password_change", move |c| {
            users::set_password(c, id, &hash, false, Some(&keep))?;
            Ok(((), json!({ "id": id })))
        })
        .await
    }

    /// `baucu user add`: creates an account from the command line (acts as the node itself).
    pub async fn add_user_from_cli(
        &self,
        username: &str,
        full_name: &str,
        role: Role,
        password: &str,
    ) -> Result<i64, AppError> {
        self.create_user(&Actor::system(), username, full_name, role, password).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limiter_blocks_the_sixth_attempt_in_a_minute_and_forgets_after() {
        let mut l = LoginLimiter::default();
        let t0 = jiff::Timestamp::from_second(1_700_000_000).expect("valid");
        let keys = ["user:a".to_owned(), "addr:x".to_owned()];
        for i in 0..MAX_FAILURES {
            assert!(!l.blocked(&keys, t0), "attempt {}", i + 1);
            l.fail(&keys, t0);
        }
        assert!(l.blocked(&keys, t0 + jiff::SignedDuration::from_secs(30)));
        assert!(l.blocked(&["addr:x".to_owned()], t0), "the address alone is blocked too");
        assert!(!l.blocked(&keys, t0 + jiff::SignedDuration::from_secs(61)));
    }

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("mật khẩu đủ dài").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(password_matches("mật khẩu đủ dài", &h));
        assert!(!password_matches("sai", &h));
    }
}
