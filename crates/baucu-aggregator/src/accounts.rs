//! The aggregator's own accounts: the superior committee's staff, its inspection committee and
//! viewers, each limited to an area of the tree of units (a unit and everything under it).

use crate::AppError;
use serde::Serialize;

/// What an account may do on the aggregator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Quản trị: everything, accounts and settings included.
    Admin,
    /// Cán bộ cấp ủy: import, mark held, approve/refuse/annul, reports.
    Staff,
    /// Ủy ban kiểm tra: complaints (log, verify, outcome) and reports.
    Inspection,
    /// Xem báo cáo: reports only.
    Viewer,
}

/// The actions the roles are checked against; the one place where roles meet actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Read the congresses, their packages and the reports.
    ViewReports,
    /// Import the tree of units or result packages.
    Import,
    /// Mark a congress held; approve, refuse or annul.
    Decide,
    /// Log a complaint.
    LogComplaint,
    /// Assign a verifier and record a complaint's outcome.
    VerifyComplaint,
    /// Edit the holiday calendar.
    EditHolidays,
    /// Edit the deadlines and manage accounts.
    Administer,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Staff, Role::Inspection, Role::Viewer];

    /// The code stored in `users.role`.
    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Staff => "staff",
            Role::Inspection => "inspection",
            Role::Viewer => "viewer",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }

    /// A role named on a form or the command line; anything else is refused.
    pub fn parse(code: &str) -> Result<Self, AppError> {
        Self::from_code(code.trim()).ok_or_else(|| {
            AppError::invalid(
                "role",
                format!("Vai trò \"{}\" không hợp lệ (admin, staff, inspection, viewer).", bounded(code, 40)),
            )
        })
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Quản trị",
            Role::Staff => "Cán bộ cấp ủy",
            Role::Inspection => "Ủy ban kiểm tra",
            Role::Viewer => "Xem báo cáo",
        }
    }

    /// Whether this role may do what `permission` guards.
    pub fn may(self, permission: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Admin => true,
            Role::Staff => matches!(permission, ViewReports | Import | Decide | LogComplaint | EditHolidays),
            Role::Inspection => matches!(permission, ViewReports | LogComplaint | VerifyComplaint),
            Role::Viewer => matches!(permission, ViewReports),
        }
    }
}

/// Who acts, and on which part of the tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Actor {
    pub username: String,
    pub role: Role,
    /// The unit code of the area; `None` is the whole tree.
    pub area: Option<String>,
    /// The area's `units.path` (`01/01.001/`); `None` is the whole tree.
    pub area_path: Option<String>,
}

impl Actor {
    /// The command line: an administrator over the whole tree.
    pub fn cli() -> Actor {
        Actor { username: "dòng lệnh".into(), role: Role::Admin, area: None, area_path: None }
    }

    /// Whether the unit with this `units.path` lies in the actor's area.
    pub fn sees(&self, unit_path: &str) -> bool {
        match &self.area_path {
            None => true,
            Some(area) => unit_path.starts_with(area.as_str()),
        }
    }

    /// The prefix for `path LIKE $n || '%'`: empty for the whole tree.
    pub fn area_prefix(&self) -> String {
        self.area_path.clone().unwrap_or_default()
    }

    /// Refuses the action unless the role allows it.
    pub fn require(&self, permission: Permission) -> Result<(), AppError> {
        if self.role.may(permission) { Ok(()) } else { Err(AppError::Forbidden) }
    }
}

/// At most `max` characters of a string a user typed, for messages.
fn bounded(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// How long a session lasts from login.
pub const SESSION_HOURS: i64 = 8;
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Longest password checked (as on the node).
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// Failed sign-ins for one user name before each further attempt waits.
pub const FREE_FAILURES: u32 = 5;
/// The longest wait.
pub const MAX_DELAY_SECONDS: i64 = 60;
/// A user name with no failure for this long is forgotten.
pub const FORGET_AFTER_SECONDS: i64 = 15 * 60;
/// How many user names the throttle tracks at most; past it the one idle the longest is dropped.
pub const MAX_TRACKED: usize = 10_000;
const MAX_USERNAME_CHARS: usize = 40;
const MAX_FULL_NAME_CHARS: usize = 120;

/// A trimmed, non-empty text of at most `max` characters without control characters; `label` names
/// it in the message.
pub(crate) fn text_field(field: &str, label: &str, value: &str, max: usize) -> Result<String, AppError> {
    let t = value.trim();
    if t.is_empty() {
        return Err(AppError::invalid(field, format!("Thiếu {label}.")));
    }
    if t.chars().take(max + 1).count() > max {
        return Err(AppError::invalid(field, format!("{} dài quá {max} ký tự.", capitalised(label))));
    }
    if t.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err(AppError::invalid(field, format!("{} chứa ký tự điều khiển.", capitalised(label))));
    }
    Ok(t.to_owned())
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// A user name: 1–40 of `a–z 0–9 . _ -`, kept in lower case.
pub fn parse_username(value: &str) -> Result<String, AppError> {
    let t = value.trim().to_lowercase();
    let ok = !t.is_empty()
        && t.chars().count() <= MAX_USERNAME_CHARS
        && t.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(t)
    } else {
        Err(AppError::invalid(
            "username",
            format!(
                "Tên đăng nhập gồm 1–{MAX_USERNAME_CHARS} ký tự a–z, 0–9, dấu chấm, gạch dưới hoặc gạch ngang."
            ),
        ))
    }
}

fn check_password_rules(password: &str) -> Result<(), AppError> {
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(AppError::invalid("password", format!("Mật khẩu dài quá {MAX_PASSWORD_BYTES} byte.")));
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AppError::invalid(
            "password",
            format!("Mật khẩu phải có ít nhất {MIN_PASSWORD_CHARS} ký tự."),
        ));
    }
    Ok(())
}

fn password_matches(password: &str, stored: &str) -> bool {
    use argon2::password_hash::{PasswordVerifier, phc::PasswordHash};
    PasswordHash::new(stored)
        .is_ok_and(|hash| argon2::Argon2::default().verify_password(password.as_bytes(), &hash).is_ok())
}

/// An Argon2 hash of a random password: an unknown name is checked against it, so it costs the same
/// time as a known one.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| baucu_app::auth::hash_password(&baucu_app::auth::random_token()).unwrap_or_default())
}

fn token_hash(token: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn bad_credentials() -> AppError {
    AppError::invalid("password", "Tên đăng nhập hoặc mật khẩu không đúng.")
}

/// Sign-in throttling per user name, as the node's account key: every attempt counts as a failure
/// before its password is checked (given back when it succeeds); past [`FREE_FAILURES`], the next
/// attempt for that name waits 1 s, 2 s, 4 s … up to [`MAX_DELAY_SECONDS`] after the last failure and
/// is refused unchecked while it waits. There is no lock-out. Held in memory by the server.
#[derive(Debug, Default)]
pub struct LoginThrottle {
    records: std::sync::Mutex<std::collections::HashMap<String, (u32, i64)>>,
}

impl LoginThrottle {
    fn delay_ms(failures: u32) -> i64 {
        if failures < FREE_FAILURES {
            return 0;
        }
        let step = (failures - FREE_FAILURES).min(6);
        (1i64 << step).min(MAX_DELAY_SECONDS) * 1000
    }

    /// Counts an attempt, or refuses it with the seconds to wait.
    fn begin(&self, account: &str, now_ms: i64) -> Result<(), u64> {
        let mut records = self.records.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        records.retain(|_, (_, last)| now_ms - *last < FORGET_AFTER_SECONDS * 1000);
        if let Some((failures, last)) = records.get(account) {
            let left = last + Self::delay_ms(*failures) - now_ms;
            if left > 0 {
                return Err(u64::try_from((left + 999) / 1000).unwrap_or(1).max(1));
            }
        }
        if !records.contains_key(account) && records.len() >= MAX_TRACKED {
            let idle = records.iter().min_by_key(|(_, (_, last))| *last).map(|(k, _)| k.clone());
            if let Some(idle) = idle {
                records.remove(&idle);
            }
        }
        let r = records.entry(account.to_owned()).or_insert((0, now_ms));
        r.0 = r.0.saturating_add(1);
        r.1 = now_ms;
        Ok(())
    }

    fn succeeded(&self, account: &str) {
        let mut records = self.records.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        records.remove(account);
    }
}

/// A new account as the command line or the administrator page gives it.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub full_name: String,
    pub role: Role,
    /// The unit code of the area; `None` is the whole tree.
    pub area: Option<String>,
    pub password: String,
}

/// An account as the administrator page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserView {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub role: Role,
    pub area: Option<String>,
    pub active: bool,
}

fn actor_of(row: &store::UserRow) -> Result<Actor, AppError> {
    let role = Role::from_code(&row.role).ok_or_else(|| AppError::damaged("Tài khoản", &row.username))?;
    if row.area.is_some() && row.area_path.is_none() {
        return Err(AppError::damaged("Tài khoản", &row.username));
    }
    Ok(Actor {
        username: row.username.clone(),
        role,
        area: row.area.clone(),
        area_path: row.area_path.clone(),
    })
}

fn view_of(row: &store::UserRow) -> Result<UserView, AppError> {
    let actor = actor_of(row)?;
    Ok(UserView {
        id: row.id,
        username: row.username.clone(),
        full_name: row.full_name.clone(),
        role: actor.role,
        area: row.area.clone(),
        active: !row.disabled,
    })
}

use baucu_store::aggregator::accounts as store;
use baucu_store::aggregator::db::AggDb;

/// Creates an account (administrator only; within the administrator's own area). Returns its id.
pub fn create_user(db: &AggDb, actor: &Actor, new: NewUser, now: jiff::Timestamp) -> Result<i64, AppError> {
    actor.require(Permission::Administer)?;
    let username = parse_username(&new.username)?;
    let full_name = text_field("full_name", "họ và tên", &new.full_name, MAX_FULL_NAME_CHARS)?;
    check_password_rules(&new.password)?;
    let area = match new.area.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(code) => Some(code.to_owned()),
    };
    if area.is_none() && actor.area_path.is_some() {
        return Err(AppError::invalid("area", "Bạn chỉ được tạo tài khoản trong phạm vi của mình."));
    }
    let hash = baucu_app::auth::hash_password(&new.password)?;
    crate::workflow::write(db, |tx| {
        if let Some(code) = &area {
            let path = store::unit_path(tx, code)?.ok_or_else(|| {
                AppError::invalid("area", format!("Không có đơn vị mã \"{}\".", bounded(code, 40)))
            })?;
            if !actor.sees(&path) {
                return Err(AppError::invalid("area", "Bạn chỉ được tạo tài khoản trong phạm vi của mình."));
            }
        }
        if store::user_by_name(tx, &username)?.is_some() {
            return Err(AppError::invalid("username", format!("Tên đăng nhập \"{username}\" đã có.")));
        }
        let id = store::insert_user(
            tx,
            &store::NewUserRow {
                username: &username,
                full_name: &full_name,
                role: new.role.code(),
                area: area.as_deref(),
                password_hash: &hash,
                created_at: now.as_second(),
            },
        )?;
        let detail = serde_json::json!({"username": username, "role": new.role.code(), "area": area});
        crate::audit::append(tx, actor, "user.create", &detail.to_string())?;
        Ok(id)
    })
}

/// The accounts the administrator sees (those of its area).
pub fn list_users(db: &AggDb, actor: &Actor) -> Result<Vec<UserView>, AppError> {
    actor.require(Permission::Administer)?;
    let rows = db.read(|tx| store::users_in_area(tx, actor.area_path.as_deref()))?;
    rows.iter().map(view_of).collect()
}

/// Disables or re-enables an account of the administrator's area; disabling ends its sessions.
pub fn set_active(db: &AggDb, actor: &Actor, username: &str, active: bool) -> Result<(), AppError> {
    actor.require(Permission::Administer)?;
    let username = parse_username(username)?;
    crate::workflow::write(db, |tx| {
        let row = store::user_by_name(tx, &username)?.ok_or(AppError::NotFound("tài khoản"))?;
        if !row.area_path.as_deref().map_or(actor.area_path.is_none(), |p| actor.sees(p)) {
            return Err(AppError::NotFound("tài khoản"));
        }
        if row.username == actor.username && !active {
            return Err(AppError::Conflict("Không thể tự khóa tài khoản của mình.".into()));
        }
        store::set_disabled(tx, row.id, !active)?;
        if !active {
            store::delete_sessions_of(tx, row.id)?;
        }
        let action = if active { "user.enable" } else { "user.disable" };
        crate::audit::append(tx, actor, action, &serde_json::json!({"username": username}).to_string())?;
        Ok(())
    })
}

/// A session opened by [`login`]: the token goes in the cookie, the CSRF token in forms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    pub token: String,
    pub csrf: String,
    pub actor: Actor,
    /// Unix seconds.
    pub expires_at: i64,
}

/// A session as the web layer sees it on each request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub actor: Actor,
    pub csrf: String,
}

/// Signs in: checks the password (Argon2) under the per-name throttle and opens a session of
/// [`SESSION_HOURS`]; only the SHA-256 of the token is stored. A wrong name and a wrong password get
/// the same answer after the same work.
pub fn login(
    db: &AggDb,
    throttle: &LoginThrottle,
    username: &str,
    password: &str,
    now: jiff::Timestamp,
) -> Result<Login, AppError> {
    let account: String = username.trim().to_lowercase().chars().take(64).collect();
    throttle.begin(&account, now.as_millisecond()).map_err(|_| AppError::RateLimited)?;
    let row = match parse_username(&account) {
        Ok(name) => db.read(|tx| store::user_by_name(tx, &name))?,
        Err(_) => None,
    };
    let stored = row.as_ref().map_or(dummy_hash(), |r| r.password_hash.as_str());
    let matches = password.len() <= MAX_PASSWORD_BYTES && password_matches(password, stored);
    let Some(row) = row.filter(|r| matches && !r.disabled) else {
        return Err(bad_credentials());
    };
    throttle.succeeded(&account);
    let actor = actor_of(&row)?;
    let token = baucu_app::auth::random_token();
    let csrf = baucu_app::auth::random_token();
    let expires_at = now.as_second() + SESSION_HOURS * 3600;
    crate::workflow::write(db, |tx| {
        store::delete_expired_sessions(tx, now.as_second())?;
        store::insert_session(tx, &token_hash(&token), row.id, &csrf, expires_at)?;
        crate::audit::append(tx, &actor, "session.login", "{}")?;
        Ok(())
    })?;
    Ok(Login { token, csrf, actor, expires_at })
}

/// The session of a token, if it is open at `now` and its account active; else `Unauthenticated`.
pub fn actor_for_session(db: &AggDb, token: &str, now: jiff::Timestamp) -> Result<Session, AppError> {
    if token.is_empty() || token.len() > 128 {
        return Err(AppError::Unauthenticated);
    }
    let found = db.read(|tx| store::session(tx, &token_hash(token), now.as_second()))?;
    let (row, csrf) = found.ok_or(AppError::Unauthenticated)?;
    if row.disabled {
        return Err(AppError::Unauthenticated);
    }
    Ok(Session { actor: actor_of(&row)?, csrf })
}

/// Ends a session (nothing happens for an unknown token).
pub fn logout(db: &AggDb, token: &str) -> Result<(), AppError> {
    if token.is_empty() || token.len() > 128 {
        return Ok(());
    }
    crate::workflow::write(db, |tx| {
        if let Some((row, _)) = store::session(tx, &token_hash(token), i64::MIN)? {
            store::delete_session(tx, &token_hash(token))?;
            let actor = actor_of(&row)?;
            crate::audit::append(tx, &actor, "session.logout", "{}")?;
        }
        Ok(())
    })
}
