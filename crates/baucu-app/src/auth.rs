//! Accounts, passwords (Argon2), sessions that expire, CSRF tokens, and sign-in throttling.

use crate::{Actor, App, AppError, FieldProblem, Permission, Role};
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use baucu_store::users;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::OnceLock;

/// How long a session lasts from login.
pub const SESSION_HOURS: i64 = 12;
pub const MIN_PASSWORD_CHARS: usize = 8;

/// Failed sign-ins for one account from one address before that pair waits.
pub const PAIR_FREE_FAILURES: u32 = 5;
/// Failed sign-ins from one address, over all the names it tries, before the address waits.
pub const ADDRESS_FREE_FAILURES: u32 = 20;
/// Failed sign-ins for one account, from every address together, before the account's ceiling
/// slows the addresses that have failed on it.
pub const ACCOUNT_FREE_FAILURES: u32 = 100;
/// The longest wait one throttle imposes.
pub const MAX_DELAY_SECONDS: i64 = 60;
/// A throttle with no failure for this long is forgotten.
pub const FORGET_AFTER_SECONDS: i64 = 15 * 60;
/// How many throttles are kept at most; past it the one idle the longest is dropped.
pub const MAX_TRACKED: usize = 10_000;
/// Longest user name looked up (accounts have at most 40 characters) and kept in the log.
const MAX_USERNAME_CHARS: usize = 64;
/// Longest password checked; a longer one is refused after the same work as any other.
const MAX_PASSWORD_BYTES: usize = 1024;

/// A logged-in session as the web layer sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub actor: Actor,
    pub csrf_token: String,
    /// The password is a one-time one: the user must choose a new one first.
    pub must_change_password: bool,
}

/// What a throttle counts failures for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ThrottleKey {
    /// One account tried from one address.
    Pair { account: String, address: IpAddr },
    /// One address, whatever names it tries.
    Address { address: IpAddr },
    /// One account, from every address.
    Account { account: String },
}

impl ThrottleKey {
    pub fn kind(&self) -> &'static str {
        match self {
            ThrottleKey::Pair { .. } => "pair",
            ThrottleKey::Address { .. } => "address",
            ThrottleKey::Account { .. } => "account",
        }
    }

    /// What the accounts page says it is.
    pub fn label(&self) -> String {
        match self {
            ThrottleKey::Pair { account, address } => format!("Tài khoản \"{account}\" từ máy {address}"),
            ThrottleKey::Address { address } => format!("Máy {address} (mọi tài khoản)"),
            ThrottleKey::Account { account } => format!("Tài khoản \"{account}\" (từ mọi máy)"),
        }
    }

    /// The key a form names (`kind`, `account`, `address`); anything else is refused.
    pub fn parse(kind: &str, account: &str, address: &str) -> Result<Self, AppError> {
        let address = || {
            address
                .trim()
                .parse::<IpAddr>()
                .map_err(|_| AppError::invalid("address", "Địa chỉ máy không hợp lệ."))
        };
        let account = || {
            let a = account_key(account);
            if a.is_empty() { Err(AppError::invalid("account", "Thiếu tên tài khoản.")) } else { Ok(a) }
        };
        match kind {
            "pair" => Ok(ThrottleKey::Pair { account: account()?, address: address()? }),
            "address" => Ok(ThrottleKey::Address { address: address()? }),
            "account" => Ok(ThrottleKey::Account { account: account()? }),
            _ => Err(AppError::invalid("kind", "Loại giới hạn đăng nhập không hợp lệ.")),
        }
    }

    fn free_failures(&self) -> u32 {
        match self {
            ThrottleKey::Pair { .. } => PAIR_FREE_FAILURES,
            ThrottleKey::Address { .. } => ADDRESS_FREE_FAILURES,
            ThrottleKey::Account { .. } => ACCOUNT_FREE_FAILURES,
        }
    }

    /// The wait after `failures` failures: none up to the free ones, then 1 s, 2 s, 4 s … up to
    /// [`MAX_DELAY_SECONDS`].
    pub fn delay_seconds(&self, failures: u32) -> i64 {
        let free = self.free_failures();
        if failures < free {
            return 0;
        }
        let step = (failures - free).min(6);
        (1i64 << step).min(MAX_DELAY_SECONDS)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Record {
    failures: u32,
    /// Attempts refused unchecked since the last failure.
    refused: u32,
    last_failure: jiff::Timestamp,
}

/// A throttle as the administrator sees it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ThrottleView {
    pub key: ThrottleKey,
    pub failures: u32,
    pub refused: u32,
    pub last_failure: jiff::Timestamp,
    /// Until when the next attempt is refused unchecked; `None` when it is not (or no longer) waiting.
    pub blocked_until: Option<jiff::Timestamp>,
}

/// Why a sign-in was refused without checking the password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Refusal {
    /// Whole seconds until the attempt would be checked again (at least 1).
    retry_after: u64,
    /// The first refusal since the last failure of the throttle that refused it: this one is logged.
    first: bool,
}

/// Sign-in throttling that a stranger cannot turn against the people it protects.
///
/// There is no lock-out. Failures are counted under three keys, and each key, once past its free
/// failures, makes the next attempt it covers wait 1 s, 2 s, 4 s … up to [`MAX_DELAY_SECONDS`] after
/// its last failure; an attempt made while waiting is refused without checking the password.
///
/// * **(account, address)** — [`PAIR_FREE_FAILURES`]: someone who mistypes, or guesses one
///   account from one machine. Failures from address A never touch the pair (account, B), so a
///   stranger at A cannot keep the real user at B out.
/// * **address** — [`ADDRESS_FREE_FAILURES`] over every name it tries: one machine spraying many
///   accounts (or names that do not exist) is slowed as a whole.
/// * **account** — [`ACCOUNT_FREE_FAILURES`] from all addresses together: a ceiling high enough that
///   only a distributed guess reaches it. It slows only addresses that have themselves failed on
///   that account; an address with a clean record for the account is still checked, so even a
///   distributed attack cannot keep the owner out, and it gets one guess per fresh address.
///
/// Every attempt is counted as a failure *before* its password is checked (and given back when it
/// succeeds), so parallel requests cannot all slip in before the first failure is noted. A success
/// clears its (account, address) pair. A key with no failure for [`FORGET_AFTER_SECONDS`] is
/// forgotten, and at most [`MAX_TRACKED`] keys are kept. The administrator sees the keys past their
/// free failures and can lift one (`App::lift_login_throttle`).
#[derive(Debug, Default)]
pub struct LoginLimiter {
    records: BTreeMap<ThrottleKey, Record>,
}

/// An attempt let through: the keys it was counted under.
#[derive(Debug)]
struct Attempt {
    pair: ThrottleKey,
    address: ThrottleKey,
    account: ThrottleKey,
}

fn blocked_until(key: &ThrottleKey, r: &Record) -> jiff::Timestamp {
    let delay = jiff::SignedDuration::from_secs(key.delay_seconds(r.failures));
    r.last_failure.checked_add(delay).unwrap_or(r.last_failure)
}

impl LoginLimiter {
    fn prune(&mut self, now: jiff::Timestamp) {
        let forget = jiff::SignedDuration::from_secs(FORGET_AFTER_SECONDS);
        self.records.retain(|_, r| r.last_failure.checked_add(forget).is_ok_and(|t| t > now));
    }

    /// The time left, if `key` makes an attempt wait at `now`.
    fn waiting(&self, key: &ThrottleKey, now: jiff::Timestamp) -> Option<i64> {
        let r = self.records.get(key)?;
        let left = blocked_until(key, r).as_millisecond() - now.as_millisecond();
        (left > 0).then_some(left)
    }

    /// Lets an attempt through (counting it as a failure until [`Self::succeeded`]) or refuses it.
    fn begin(&mut self, account: &str, address: IpAddr, now: jiff::Timestamp) -> Result<Attempt, Refusal> {
        self.prune(now);
        let attempt = Attempt {
            pair: ThrottleKey::Pair { account: account.to_owned(), address },
            address: ThrottleKey::Address { address },
            account: ThrottleKey::Account { account: account.to_owned() },
        };
        let mut blocking = Vec::new();
        for key in [&attempt.pair, &attempt.address] {
            if let Some(left) = self.waiting(key, now) {
                blocking.push((key.clone(), left));
            }
        }
        // The account's ceiling holds back only addresses that failed on it themselves.
        if self.records.contains_key(&attempt.pair)
            && let Some(left) = self.waiting(&attempt.account, now)
        {
            blocking.push((attempt.account.clone(), left));
        }
        if let Some(longest) = blocking.iter().map(|(_, left)| *left).max() {
            let mut first = false;
            for (key, _) in &blocking {
                if let Some(r) = self.records.get_mut(key) {
                    first |= r.refused == 0;
                    r.refused = r.refused.saturating_add(1);
                }
            }
            let retry_after = u64::try_from((longest + 999) / 1000).unwrap_or(1).max(1);
            return Err(Refusal { retry_after, first });
        }
        for key in [&attempt.pair, &attempt.address, &attempt.account] {
            self.count_failure(key, now);
        }
        Ok(attempt)
    }

    fn count_failure(&mut self, key: &ThrottleKey, now: jiff::Timestamp) {
        if !self.records.contains_key(key) && self.records.len() >= MAX_TRACKED {
            let idle = self.records.iter().min_by_key(|(_, r)| r.last_failure).map(|(k, _)| k.clone());
            if let Some(idle) = idle {
                self.records.remove(&idle);
            }
        }
        let r =
            self.records.entry(key.clone()).or_insert(Record { failures: 0, refused: 0, last_failure: now });
        r.failures = r.failures.saturating_add(1);
        r.refused = 0;
        r.last_failure = now;
    }

    /// The attempt's password was right: its pair is cleared and the failure counted in advance
    /// is given back to the address and the account.
    fn succeeded(&mut self, attempt: &Attempt) {
        self.records.remove(&attempt.pair);
        for key in [&attempt.address, &attempt.account] {
            if let Some(r) = self.records.get_mut(key) {
                r.failures = r.failures.saturating_sub(1);
                if r.failures == 0 {
                    self.records.remove(key);
                }
            }
        }
    }

    /// The wait the pair imposes after its latest failure, in seconds (0 while still free).
    fn pair_delay(&self, attempt: &Attempt) -> i64 {
        self.records.get(&attempt.pair).map_or(0, |r| attempt.pair.delay_seconds(r.failures))
    }

    /// The keys past their free failures, those still waiting first.
    fn list(&mut self, now: jiff::Timestamp) -> Vec<ThrottleView> {
        self.prune(now);
        let mut out: Vec<ThrottleView> = self
            .records
            .iter()
            .filter(|(k, r)| k.delay_seconds(r.failures) > 0)
            .map(|(k, r)| {
                let until = blocked_until(k, r);
                ThrottleView {
                    key: k.clone(),
                    failures: r.failures,
                    refused: r.refused,
                    last_failure: r.last_failure,
                    blocked_until: (until > now).then_some(until),
                }
            })
            .collect();
        out.sort_by(|a, b| b.blocked_until.cmp(&a.blocked_until).then_with(|| a.key.cmp(&b.key)));
        out
    }

    fn lift(&mut self, key: &ThrottleKey) -> Option<Record> {
        self.records.remove(key)
    }
}

/// Why a sign-in did not open a session.
#[derive(Debug)]
pub enum LoginError {
    /// The name or the password is wrong (which one is never said), or the account is inactive.
    BadCredentials,
    /// Too many failures: the attempt was refused unchecked; try again in `retry_after` seconds.
    Throttled { retry_after: u64 },
    /// Something else failed (the store).
    App(AppError),
}

impl LoginError {
    pub fn code(&self) -> &'static str {
        match self {
            LoginError::BadCredentials => "bad_credentials",
            LoginError::Throttled { .. } => "rate_limited",
            LoginError::App(e) => e.code(),
        }
    }

    /// The sentence a user reads.
    pub fn message(&self) -> String {
        match self {
            LoginError::BadCredentials => "Tên đăng nhập hoặc mật khẩu không đúng.".into(),
            LoginError::Throttled { retry_after } => {
                format!("Đăng nhập sai nhiều lần. Vui lòng chờ {retry_after} giây rồi thử lại.")
            }
            LoginError::App(e) => e.message(),
        }
    }
}

impl From<AppError> for LoginError {
    fn from(e: AppError) -> Self {
        LoginError::App(e)
    }
}

impl From<LoginError> for AppError {
    fn from(e: LoginError) -> Self {
        match e {
            LoginError::BadCredentials => {
                AppError::Invalid(vec![FieldProblem::field("password", LoginError::BadCredentials.message())])
            }
            LoginError::Throttled { .. } => AppError::RateLimited,
            LoginError::App(e) => e,
        }
    }
}

/// The throttles' name for an account: the name as typed, trimmed, in lower case, bounded.
fn account_key(username: &str) -> String {
    username.trim().to_lowercase().chars().take(MAX_USERNAME_CHARS).collect()
}

/// Who the audit log names for an attempt nobody is signed in for yet.
fn anonymous() -> Actor {
    Actor {
        user_id: -1,
        username: "(chưa đăng nhập)".into(),
        full_name: "Chưa đăng nhập".into(),
        role: Role::Viewer,
    }
}

/// An Argon2 hash of a random password, made once with the same parameters as every account's: a
/// name that does not exist is checked against it, so it costs the same time as one that does.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    // Hashing with the default parameters does not fail; if it ever did, unknown names would
    // still be refused (an empty hash matches nothing).
    DUMMY.get_or_init(|| hash_password(&random_token()).unwrap_or_default())
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
    crate::limits::password("password", password)?;
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

    /// Checks a name and password from `from` (the throttles of [`LoginLimiter`] first). Every
    /// attempt costs one Argon2 check, whether the name exists or not; every success, failure and
    /// first refusal goes into the audit log with the address and the name tried (never the
    /// password).
    pub async fn sign_in(
        &self,
        username: &str,
        password: &str,
        from: IpAddr,
    ) -> Result<(String, Session), LoginError> {
        let now = self.now();
        let dummy = dummy_hash();
        let account = account_key(username);
        let tried: String = username.trim().chars().take(MAX_USERNAME_CHARS).collect();
        let address = from.to_string();
        let begun = self
            .limiter
            .lock()
            .map_err(|_| AppError::Conflict("Bộ đếm đăng nhập bị lỗi; hãy khởi động lại máy chủ.".into()))?
            .begin(&account, from, now);
        let attempt = match begun {
            Ok(a) => a,
            Err(refusal) => {
                if refusal.first {
                    let data =
                        json!({ "username": tried, "address": address, "retry_after": refusal.retry_after });
                    self.act(&anonymous(), "session.login_refused", move |_| Ok(((), data))).await?;
                }
                return Err(LoginError::Throttled { retry_after: refusal.retry_after });
            }
        };
        let lookup = account.clone();
        let row = if username.trim().chars().count() <= MAX_USERNAME_CHARS {
            self.read(move |c| Ok(users::by_username(c, &lookup)?)).await?
        } else {
            None
        };
        // The same Argon2 work whatever the name, the activity or the password's length.
        let stored = row.as_ref().map_or(dummy, |r| r.password_hash.as_str());
        let checked = if password.len() <= MAX_PASSWORD_BYTES { password } else { "" };
        let matched = password_matches(checked, stored) && password.len() <= MAX_PASSWORD_BYTES;
        let Some(row) = row.filter(|r| matched && r.active) else {
            let throttled_for = self.limiter.lock().map(|l| l.pair_delay(&attempt)).unwrap_or(0);
            let data = json!({ "username": tried, "address": address, "throttle_seconds": throttled_for });
            self.act(&anonymous(), "session.login_failed", move |_| Ok(((), data))).await?;
            return Err(LoginError::BadCredentials);
        };
        if let Ok(mut l) = self.limiter.lock() {
            l.succeeded(&attempt);
        }
        let actor = actor_of(&row)?;
        let token = random_token();
        let csrf = random_token();
        let hashed = token_hash(&token);
        let (created, expires) =
            (now.to_string(), (now + jiff::SignedDuration::from_hours(SESSION_HOURS)).to_string());
        let (user_id, csrf_saved, name) = (row.id, csrf.clone(), row.username.clone());
        self.act(&actor, "session.login", move |c| {
            users::delete_expired_sessions(c, &created)?;
            users::insert_session(c, &hashed, user_id, &csrf_saved, &created, &expires)?;
            Ok(((), json!({ "user_id": user_id, "username": name, "address": address })))
        })
        .await?;
        Ok((token, Session { actor, csrf_token: csrf, must_change_password: row.must_change_password }))
    }

    /// [`App::sign_in`] for callers that name the address as text (the simulation, tests) and want
    /// an [`AppError`]: a wrong name or password is [`AppError::Invalid`] on `password`.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        address: &str,
    ) -> Result<(String, Session), AppError> {
        let from = address
            .parse::<IpAddr>()
            .map_err(|_| AppError::invalid("address", "Địa chỉ máy gửi không hợp lệ."))?;
        self.sign_in(username, password, from).await.map_err(AppError::from)
    }

    /// The sign-in throttles past their free failures, for the administrator.
    pub async fn login_throttles(&self, actor: &Actor) -> Result<Vec<ThrottleView>, AppError> {
        actor.require(Permission::ManageUsers)?;
        let now = self.now();
        self.limiter
            .lock()
            .map(|mut l| l.list(now))
            .map_err(|_| AppError::Conflict("Bộ đếm đăng nhập bị lỗi; hãy khởi động lại máy chủ.".into()))
    }

    /// The administrator lifts one throttle: its failures are forgotten. Audited.
    pub async fn lift_login_throttle(&self, actor: &Actor, key: ThrottleKey) -> Result<(), AppError> {
        actor.require(Permission::ManageUsers)?;
        let exists = self.limiter.lock().map(|l| l.records.contains_key(&key)).unwrap_or(false);
        if !exists {
            return Err(AppError::NotFound("giới hạn đăng nhập này (có thể đã hết hạn)"));
        }
        let data = json!({ "throttle": key });
        self.act(actor, "login.throttle_lift", move |_| Ok(((), data))).await?;
        if let Ok(mut l) = self.limiter.lock() {
            l.lift(&key);
        }
        Ok(())
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
        crate::limits::check_text(&mut problems, "full_name", crate::limits::DISPLAY_NAME, full_name);
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
        crate::limits::require_text("full_name", crate::limits::DISPLAY_NAME, &full_name)?;
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
        crate::limits::password("current", current)?;
        crate::limits::password("new", new)?;
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

    fn t(s: i64) -> jiff::Timestamp {
        jiff::Timestamp::from_second(1_700_000_000 + s).expect("valid")
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("address")
    }

    /// Fails `n` attempts of `account` from `address` at time `at`, each let through.
    fn fail(l: &mut LoginLimiter, account: &str, address: &str, at: jiff::Timestamp, n: u32) {
        for i in 0..n {
            assert!(
                l.begin(account, ip(address), at).is_ok(),
                "attempt {} of {account} from {address}",
                i + 1
            );
        }
    }

    #[test]
    fn a_pair_waits_one_two_four_seconds_up_to_the_cap_after_its_free_failures() {
        let mut l = LoginLimiter::default();
        fail(&mut l, "pres", "10.0.0.2", t(0), PAIR_FREE_FAILURES);
        let refused = l.begin("pres", ip("10.0.0.2"), t(0)).expect_err("refused");
        assert_eq!(refused, Refusal { retry_after: 1, first: true });
        assert!(!l.begin("pres", ip("10.0.0.2"), t(0)).expect_err("refused").first, "logged once");
        let mut at = 0;
        for expected in [1, 2, 4, 8, 16, 32, 60, 60] {
            at += expected;
            // Just before the wait ends the attempt is still refused; at its end it is checked.
            let early = jiff::Timestamp::from_millisecond(t(at).as_millisecond() - 1).expect("valid");
            assert!(l.begin("pres", ip("10.0.0.2"), early).is_err(), "still waiting at {at} s");
            let attempt = l.begin("pres", ip("10.0.0.2"), t(at)).expect("checked after the wait");
            let next = (expected * 2).min(MAX_DELAY_SECONDS);
            assert_eq!(l.pair_delay(&attempt), next, "after the failure at {at} s");
            assert_eq!(l.begin("pres", ip("10.0.0.2"), t(at)).expect_err("waits").retry_after, next as u64);
        }
    }

    #[test]
    fn failures_from_one_address_never_stop_the_owner_at_another() {
        let mut l = LoginLimiter::default();
        // A stranger fails far past every budget, waiting out each delay.
        let mut at = 0;
        for _ in 0..200 {
            at += MAX_DELAY_SECONDS;
            let _ = l.begin("pres", ip("10.0.0.2"), t(at));
        }
        assert!(l.begin("pres", ip("10.0.0.2"), t(at)).is_err(), "the stranger waits");
        let owner = l.begin("pres", ip("10.0.0.9"), t(at)).expect("the owner is checked at once");
        l.succeeded(&owner);
        assert!(l.begin("pres", ip("10.0.0.9"), t(at)).is_ok(), "and again");
    }

    #[test]
    fn an_address_spraying_names_is_slowed_as_a_whole() {
        let mut l = LoginLimiter::default();
        for i in 0..ADDRESS_FREE_FAILURES {
            fail(&mut l, &format!("name{i}"), "10.0.0.3", t(0), 1);
        }
        let refused = l.begin("someone-else", ip("10.0.0.3"), t(0)).expect_err("the address waits");
        assert_eq!(refused.retry_after, 1);
        assert!(l.begin("someone-else", ip("10.0.0.4"), t(0)).is_ok(), "another address is not");
    }

    #[test]
    fn the_account_ceiling_slows_only_addresses_that_failed_on_it() {
        let mut l = LoginLimiter::default();
        for i in 0..ACCOUNT_FREE_FAILURES {
            fail(&mut l, "pres", &format!("10.1.{}.{}", i / 200, i % 200 + 1), t(0), 1);
        }
        assert!(l.begin("pres", ip("10.1.0.1"), t(0)).is_err(), "an address that failed on it waits");
        assert!(l.begin("pres", ip("10.9.9.9"), t(0)).is_ok(), "a clean address is checked");
    }

    #[test]
    fn success_clears_the_pair_and_gives_back_the_advance_failure() {
        let mut l = LoginLimiter::default();
        fail(&mut l, "pres", "10.0.0.5", t(0), PAIR_FREE_FAILURES - 1);
        let ok = l.begin("pres", ip("10.0.0.5"), t(0)).expect("checked");
        l.succeeded(&ok);
        assert!(!l.records.contains_key(&ok.pair));
        assert_eq!(l.records.get(&ok.address).map(|r| r.failures), Some(PAIR_FREE_FAILURES - 1));
        fail(&mut l, "pres", "10.0.0.5", t(0), PAIR_FREE_FAILURES);
    }

    #[test]
    fn throttles_are_forgotten_bounded_listed_and_lifted() {
        let mut l = LoginLimiter::default();
        fail(&mut l, "pres", "10.0.0.2", t(0), PAIR_FREE_FAILURES);
        let listed = l.list(t(0));
        assert_eq!(listed.len(), 1, "only the pair is past its free failures: {listed:?}");
        assert_eq!(listed[0].key, ThrottleKey::Pair { account: "pres".into(), address: ip("10.0.0.2") });
        assert_eq!(listed[0].blocked_until, Some(t(1)));
        assert!(l.lift(&listed[0].key).is_some());
        assert!(l.begin("pres", ip("10.0.0.2"), t(0)).is_ok(), "lifted");
        assert!(l.list(t(FORGET_AFTER_SECONDS)).is_empty() && l.records.is_empty(), "forgotten");
        for i in 0..(MAX_TRACKED as u32 + 50) {
            let a = IpAddr::V4(std::net::Ipv4Addr::from(0x0a00_0000 + i));
            l.count_failure(&ThrottleKey::Address { address: a }, t(i64::from(i)));
        }
        assert_eq!(l.records.len(), MAX_TRACKED);
    }

    #[test]
    fn throttle_keys_parse_from_a_form_or_are_refused() {
        assert_eq!(
            ThrottleKey::parse("pair", " Pres ", "10.0.0.2").expect("pair"),
            ThrottleKey::Pair { account: "pres".into(), address: ip("10.0.0.2") }
        );
        assert!(ThrottleKey::parse("address", "", "::1").is_ok());
        assert!(ThrottleKey::parse("pair", "pres", "not an address").is_err());
        assert!(ThrottleKey::parse("account", "", "").is_err());
        assert!(ThrottleKey::parse("everything", "pres", "10.0.0.2").is_err());
    }

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("mật khẩu đủ dài").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(password_matches("mật khẩu đủ dài", &h));
        assert!(!password_matches("sai", &h));
    }
}
