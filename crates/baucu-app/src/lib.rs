//! One function per user action: check the role, load, call the rules engine, persist and append to
//! the audit log — all in one transaction. The web pages, the JSON API and the command line reach the
//! data only through this crate.

pub mod attendance;
pub mod auth;
pub mod backup;
pub mod congress;
pub mod counting;
pub mod demo;
pub mod documents;
pub mod elections;
pub mod integrity;
pub mod journal;
pub mod limits;
pub mod package;
pub mod plan;
pub mod record;
pub mod roster;
pub mod simulate;
pub mod simulate_packages;
pub mod view;
pub mod votes;

use baucu_rules::RulesError;
use baucu_store::{Store, StoreError};
use serde::Serialize;
use std::sync::{Arc, Mutex};

pub use baucu_store;

/// Document types the front ends name (paper sizes).
pub mod docs {
    pub use baucu_docs::Paper;
}

/// The time, as a parameter: the real clock in production, a fixed or stepped one in tests.
pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> jiff::Timestamp;
}

#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> jiff::Timestamp {
        jiff::Timestamp::now()
    }
}

/// A clock that a test moves by hand.
#[derive(Debug)]
pub struct ManualClock(Mutex<jiff::Timestamp>);

impl ManualClock {
    pub fn new(at: jiff::Timestamp) -> Self {
        Self(Mutex::new(at))
    }

    pub fn advance(&self, by: jiff::SignedDuration) {
        if let Ok(mut t) = self.0.lock() {
            *t = t.checked_add(by).unwrap_or(*t);
        }
    }
}

impl Clock for ManualClock {
    fn now(&self) -> jiff::Timestamp {
        self.0.lock().map(|t| *t).unwrap_or_default()
    }
}

/// The roles of `product.md`, and the administrator who manages accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Organiser,
    Presidium,
    BoardHead,
    BoardMember,
    Operator,
    Viewer,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Admin,
        Role::Organiser,
        Role::Presidium,
        Role::BoardHead,
        Role::BoardMember,
        Role::Operator,
        Role::Viewer,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Organiser => "organiser",
            Role::Presidium => "presidium",
            Role::BoardHead => "board_head",
            Role::BoardMember => "board_member",
            Role::Operator => "operator",
            Role::Viewer => "viewer",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Quản trị hệ thống",
            Role::Organiser => "Ban tổ chức",
            Role::Presidium => "Đoàn chủ tịch",
            Role::BoardHead => "Trưởng ban kiểm phiếu",
            Role::BoardMember => "Thành viên ban kiểm phiếu",
            Role::Operator => "Kỹ thuật viên nhập phiếu",
            Role::Viewer => "Người xem",
        }
    }

    /// Whether this role may do what `permission` guards. The one place where roles meet actions.
    pub fn may(self, permission: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Admin => true,
            Role::Organiser => matches!(
                permission,
                ViewSetup
                    | EditCongress
                    | EditRoster
                    | TakeAttendance
                    | DefineElections
                    | EditLists
                    | ViewCounting
                    | ExportPackage
            ),
            Role::Presidium => matches!(
                permission,
                ViewSetup | TakeAttendance | DecideLists | RunRounds | ViewCounting | ExportPackage
            ),
            Role::BoardHead | Role::BoardMember => {
                matches!(permission, ViewSetup | ManageCounting | EnterBallots | ViewCounting)
            }
            Role::Operator => matches!(permission, EnterBallots),
            Role::Viewer => false,
        }
    }
}

/// What an action needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// See the congress, roster, attendance, elections and lists.
    ViewSetup,
    EditCongress,
    EditRoster,
    TakeAttendance,
    DefineElections,
    /// Add names to a list, record nominations and withdrawal requests.
    EditLists,
    /// The presidium's decisions: poll results, withdrawals, ties at the cap, list approval, order.
    DecideLists,
    ManageUsers,
    /// The presidium: open rounds, decide what follows a result, publish.
    RunRounds,
    /// The counting board: stacks and operators, ballots issued, resolving differences, closing.
    ManageCounting,
    /// Key ballots on the entries assigned to oneself.
    EnterBallots,
    /// See rounds, progress and results before they are published.
    ViewCounting,
    /// The result package for the superior: set the unit code, export, download and send it.
    ExportPackage,
}

/// Who is acting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: i64,
    pub username: String,
    pub full_name: String,
    pub role: Role,
}

impl Actor {
    /// The node itself (first start, demo seeding, migrations).
    pub fn system() -> Self {
        Actor {
            user_id: 0, username: "hệ thống".into(), full_name: "Hệ thống".into(), role: Role::Admin
        }
    }

    pub fn require(&self, permission: Permission) -> Result<(), AppError> {
        if self.role.may(permission) { Ok(()) } else { Err(AppError::Forbidden) }
    }
}

/// One problem with one field of a form or one cell of a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldProblem {
    /// The form field, or the cell (`C5`) of a spreadsheet.
    pub field: String,
    /// The row of a spreadsheet (1-based, as Excel shows it), when the problem is in a file.
    pub row: Option<u32>,
    /// The column header of a spreadsheet.
    pub column: Option<String>,
    pub message: String,
}

impl FieldProblem {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self { field: field.to_owned(), row: None, column: None, message: message.into() }
    }
}

/// Why an action did not happen. Nothing of a failed action is kept.
#[derive(Debug)]
pub enum AppError {
    /// Not logged in, or the session expired.
    Unauthenticated,
    /// The role may not do this.
    Forbidden,
    NotFound(&'static str),
    /// The input has problems; every one is listed.
    Invalid(Vec<FieldProblem>),
    /// The action does not fit the current state (e.g. editing an approved list).
    Conflict(String),
    /// Too many failed logins: try again in a minute.
    RateLimited,
    Rules(RulesError),
    Store(StoreError),
}

impl AppError {
    /// A stored value that does not parse: `subject` ("Dữ liệu đại hội") was damaged behind the node's
    /// back, in `what`. Never a default; the user is sent to the check that names the change.
    pub fn damaged(subject: impl std::fmt::Display, what: impl std::fmt::Display) -> Self {
        AppError::Conflict(format!("{subject} bị hỏng ({what}): chạy \"baucu audit verify\" để kiểm tra."))
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        AppError::Invalid(vec![FieldProblem::field(field, message)])
    }

    /// The sentence a user reads.
    pub fn message(&self) -> String {
        match self {
            AppError::Unauthenticated => "Vui lòng đăng nhập.".into(),
            AppError::Forbidden => "Tài khoản của bạn không có quyền thực hiện việc này.".into(),
            AppError::NotFound(what) => format!("Không tìm thấy {what}."),
            AppError::Invalid(problems) => problems
                .iter()
                .map(|p| match (p.row, &p.column) {
                    (Some(row), Some(col)) => format!("Dòng {row}, cột {col}: {}", p.message),
                    _ => p.message.clone(),
                })
                .collect::<Vec<_>>()
                .join(" "),
            AppError::Conflict(m) => m.clone(),
            AppError::RateLimited => "Đăng nhập sai quá nhiều lần. Vui lòng chờ một phút rồi thử lại.".into(),
            AppError::Rules(e) => e.message(),
            AppError::Store(e) => {
                tracing::error!("storage error: {e}");
                "Lỗi lưu trữ dữ liệu; thao tác chưa được ghi. Vui lòng thử lại.".into()
            }
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthenticated => "unauthenticated",
            AppError::Forbidden => "forbidden",
            AppError::NotFound(_) => "not_found",
            AppError::Invalid(_) => "invalid_input",
            AppError::Conflict(_) => "conflict",
            AppError::RateLimited => "rate_limited",
            AppError::Rules(e) => e.code(),
            AppError::Store(_) => "storage_error",
        }
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for AppError {}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        AppError::Store(e)
    }
}

impl From<baucu_store::rusqlite::Error> for AppError {
    fn from(e: baucu_store::rusqlite::Error) -> Self {
        AppError::Store(StoreError::Sqlite(e))
    }
}

impl From<RulesError> for AppError {
    fn from(e: RulesError) -> Self {
        AppError::Rules(e)
    }
}

/// The application: the store, the clock, and the login limiter.
#[derive(Clone, Debug)]
pub struct App {
    store: Store,
    clock: Arc<dyn Clock>,
    limiter: Arc<Mutex<auth::LoginLimiter>>,
    events: tokio::sync::broadcast::Sender<counting::Event>,
    /// How many rounds this node has closed since it started (the automatic backup follows it).
    closes: Arc<tokio::sync::watch::Sender<u64>>,
    /// The time zone people read times in (journal, audit log): Asia/Ho_Chi_Minh unless configured.
    zone: journal::LocalZone,
}

impl App {
    pub fn new(store: Store, clock: Arc<dyn Clock>) -> Self {
        let (events, _) = tokio::sync::broadcast::channel(256);
        let closes = Arc::new(tokio::sync::watch::Sender::new(0));
        let limiter = Arc::new(Mutex::new(auth::LoginLimiter::default()));
        Self { store, clock, limiter, events, closes, zone: journal::LocalZone::vietnam() }
    }

    /// The same node showing times in `zone` (`baucu serve --timezone`).
    pub fn with_zone(mut self, zone: journal::LocalZone) -> Self {
        self.zone = zone;
        self
    }

    /// The time zone people read times in.
    pub fn zone(&self) -> &journal::LocalZone {
        &self.zone
    }

    /// Changes each time a round is closed (a result recorded), for the backup taken after it.
    pub fn watch_closes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.closes.subscribe()
    }

    /// Counting events (progress, results, publication), for live pages.
    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<counting::Event> {
        self.events.subscribe()
    }

    pub(crate) fn notify(&self, event: counting::Event) {
        // Nobody listening is fine.
        let _ = self.events.send(event);
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn now(&self) -> jiff::Timestamp {
        self.clock.now()
    }

    /// Runs a mutating action in one transaction and records it in the audit log with `action`, the
    /// JSON `data` the action returns for the log, and the digest of every row it changed
    /// (`baucu_store::integrity`). If the action fails, neither its changes nor its captured rows stay.
    pub(crate) async fn act<T, F>(&self, actor: &Actor, action: &'static str, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&baucu_store::rusqlite::Connection) -> Result<(T, serde_json::Value), AppError>
            + Send
            + 'static,
    {
        let at = self.now().to_string();
        let who = actor.username.clone();
        self.store
            .write(move |conn| {
                let (value, data) = f(conn)?;
                // The rows the action changed go into its entry, so the chain covers the data too.
                let rows = baucu_store::integrity::take_changes(conn)?;
                baucu_store::audit::append(conn, &at, &who, action, &data.to_string(), &rows)?;
                Ok(value)
            })
            .await
    }

    pub(crate) async fn read<T, F>(&self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&baucu_store::rusqlite::Connection) -> Result<T, AppError> + Send + 'static,
    {
        self.store.read(f).await
    }

    /// Recomputes the audit chain alone: the number of entries, or the first bad one. It does not
    /// look at the data; [`App::verify_integrity`] does.
    pub async fn verify_audit(&self) -> Result<Result<i64, baucu_store::audit::Break>, AppError> {
        self.read(|c| Ok(baucu_store::audit::verify(c)?)).await
    }

    pub async fn recent_audit(
        &self,
        actor: &Actor,
        limit: i64,
    ) -> Result<Vec<baucu_store::audit::Entry>, AppError> {
        actor.require(Permission::ViewSetup)?;
        let actor = actor.clone();
        self.read(move |c| {
            let mut entries = baucu_store::audit::recent(c, limit)?;
            // Independent entries: what an operator keyed stays hidden from everyone but the board
            // head until the stack is reconciled.
            for e in &mut entries {
                if !matches!(e.action.as_str(), "ballot.enter" | "ballot.undo" | "ballot.correct") {
                    continue;
                }
                let data: serde_json::Value = serde_json::from_str(&e.data).unwrap_or_default();
                let entry_id = data["entry_id"].as_i64();
                let visible = match entry_id {
                    Some(id) => counting::readings_visible(c, &actor, id)?,
                    None => false,
                };
                if !visible {
                    e.data = serde_json::json!({ "entry_id": entry_id, "seq": data["seq"], "detail": counting::HIDDEN_READING })
                        .to_string();
                }
            }
            Ok(entries)
        })
        .await
    }
}
