//! The aggregator's database layer: the same SQL on an embedded SQLite file or on a PostgreSQL
//! server.
//!
//! SQL is written once, PostgreSQL style, with `$1 $2 …` placeholders; on SQLite the placeholders are
//! rewritten to `?1 ?2 …`. Values cross the boundary as [`Value`] (integers are `BIGINT`, booleans are
//! 0/1 integers, dates are `YYYY-MM-DD` text, times are unix seconds) and come back as [`Row`]s whose
//! accessors check the type: an unexpected type is an error, never a default.
//!
//! Every use is one transaction: [`AggDb::read`] (a consistent snapshot, read only) or
//! [`AggDb::write`] (an error rolls everything back). Writers are serialized: on SQLite by the one
//! writer connection (`BEGIN IMMEDIATE`), on PostgreSQL by a transaction-scoped advisory lock, so
//! that the audit hash chain and the "one current package per unit" rule never race, even between
//! two aggregator processes on the same server. [`Tx::savepoint`] runs a part of a transaction that
//! may fail alone (one file of a batch import).
//!
//! The API is synchronous (the `postgres` client runs its own small runtime): async callers use
//! `tokio::task::spawn_blocking`.

use crate::{Result, StoreError};
use postgres::types::{IsNull, ToSql as PgToSql, Type, to_sql_checked};
use rusqlite::types::{ToSqlOutput, ValueRef};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

/// A parameter or a column value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Int(i64),
    Text(String),
    Bytes(Vec<u8>),
    Null,
}

impl Value {
    fn kind(&self) -> &'static str {
        match self {
            Value::Int(_) => "integer",
            Value::Text(_) => "text",
            Value::Bytes(_) => "bytes",
            Value::Null => "NULL",
        }
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}

impl From<i32> for Value {
    fn from(v: i32) -> Self {
        Value::Int(i64::from(v))
    }
}

impl From<u32> for Value {
    fn from(v: u32) -> Self {
        Value::Int(i64::from(v))
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Int(i64::from(v))
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_owned())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}

impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::Text(v.clone())
    }
}

impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Self {
        Value::Bytes(v)
    }
}

impl From<&[u8]> for Value {
    fn from(v: &[u8]) -> Self {
        Value::Bytes(v.to_vec())
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

/// One row of a query result, its columns in the order of the `SELECT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    values: Vec<Value>,
}

impl Row {
    /// The number of columns.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The raw value of column `i`.
    pub fn value(&self, i: usize) -> Result<&Value> {
        self.values.get(i).ok_or_else(|| {
            StoreError::Data(format!("column {i} is missing (the row has {})", self.values.len()))
        })
    }

    fn wrong(&self, i: usize, expected: &str) -> StoreError {
        let found = self.values.get(i).map_or("nothing", Value::kind);
        StoreError::Data(format!("column {i}: expected {expected}, found {found}"))
    }

    pub fn int(&self, i: usize) -> Result<i64> {
        match self.value(i)? {
            Value::Int(v) => Ok(*v),
            _ => Err(self.wrong(i, "an integer")),
        }
    }

    pub fn opt_int(&self, i: usize) -> Result<Option<i64>> {
        match self.value(i)? {
            Value::Int(v) => Ok(Some(*v)),
            Value::Null => Ok(None),
            _ => Err(self.wrong(i, "an integer or NULL")),
        }
    }

    pub fn text(&self, i: usize) -> Result<String> {
        match self.value(i)? {
            Value::Text(v) => Ok(v.clone()),
            _ => Err(self.wrong(i, "text")),
        }
    }

    pub fn opt_text(&self, i: usize) -> Result<Option<String>> {
        match self.value(i)? {
            Value::Text(v) => Ok(Some(v.clone())),
            Value::Null => Ok(None),
            _ => Err(self.wrong(i, "text or NULL")),
        }
    }

    pub fn bytes(&self, i: usize) -> Result<Vec<u8>> {
        match self.value(i)? {
            Value::Bytes(v) => Ok(v.clone()),
            _ => Err(self.wrong(i, "bytes")),
        }
    }

    /// A 0/1 integer; any other value is an error.
    pub fn bool(&self, i: usize) -> Result<bool> {
        match self.value(i)? {
            Value::Int(0) => Ok(false),
            Value::Int(1) => Ok(true),
            _ => Err(self.wrong(i, "0 or 1")),
        }
    }

    pub fn opt_bool(&self, i: usize) -> Result<Option<bool>> {
        match self.value(i)? {
            Value::Null => Ok(None),
            _ => self.bool(i).map(Some),
        }
    }
}

/// Which server holds the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The file name of the SQLite database inside the data folder.
pub const SQLITE_FILE: &str = "aggregator.sqlite";

/// How long a statement may wait for a lock held by another connection (SQLite) and how long one
/// statement may run (PostgreSQL).
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
// `work_mem`: the national roll-up's sorts and hash joins stay in memory (at its default of 4 MB the
// composition query spilled 22 MB to disk over 10,000 packages).
const PG_SESSION: &str = "SET statement_timeout = '30s'; SET lock_timeout = '15s'; SET work_mem = '64MB'; \
     SET idle_in_transaction_session_timeout = '120s'; SET client_min_messages = 'warning'";
const PG_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// At most this many PostgreSQL connections at once; a caller waits this long for a free one.
const PG_MAX_CONNECTIONS: usize = 8;
const PG_WAIT: Duration = Duration::from_secs(30);
/// The page size of a new SQLite database, in bytes.
const SQLITE_PAGE_SIZE: i64 = 16_384;
/// The writer's page cache, in KiB (negative: SQLite's notation for a size rather than a page count).
const SQLITE_WRITER_CACHE_KIB: i64 = -65_536;
/// Idle SQLite readers kept open.
const SQLITE_IDLE_READERS: usize = 4;
/// Prepared statements kept per PostgreSQL connection.
const PG_STATEMENT_CACHE: usize = 256;
/// The key of the advisory lock that serializes the aggregator's writers on PostgreSQL.
const PG_WRITE_LOCK: i64 = 0x6261_7563_7500_0013;

/// The aggregator's database: a small pool of connections. Cheap to clone; `Send + Sync`.
#[derive(Clone)]
pub struct AggDb {
    inner: Arc<Inner>,
}

enum Inner {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

struct SqlitePool {
    path: PathBuf,
    writer: Mutex<rusqlite::Connection>,
    readers: Mutex<Vec<rusqlite::Connection>>,
}

struct PgPool {
    config: postgres::Config,
    state: Mutex<PgState>,
    freed: Condvar,
}

struct PgState {
    idle: Vec<PgConn>,
    live: usize,
}

struct PgConn {
    client: postgres::Client,
    statements: HashMap<String, postgres::Statement>,
}

impl std::fmt::Debug for AggDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &*self.inner {
            Inner::Sqlite(p) => f.debug_struct("AggDb").field("sqlite", &p.path).finish(),
            Inner::Postgres(p) => f
                .debug_struct("AggDb")
                .field("postgres_host", &p.config.get_hosts())
                .field("dbname", &p.config.get_dbname())
                .finish(),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn sqlite_connection(path: &Path) -> Result<rusqlite::Connection> {
    let conn = rusqlite::Connection::open(path)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    // `LIKE` compares as on PostgreSQL (an area is `path LIKE prefix || '%'`).
    conn.pragma_update(None, "case_sensitive_like", "ON")?;
    Ok(conn)
}

impl AggDb {
    /// Opens (creating if needed) the SQLite database at `path` in WAL mode, and migrates it.
    pub fn open_sqlite(path: &Path) -> Result<AggDb> {
        let conn = sqlite_connection(path)?;
        // Package files are blobs of ~150 KB: larger pages mean fewer overflow pages to chain and
        // write (a new database only; an existing one keeps its page size), and a larger cache keeps
        // a batch of imports from spilling its pages into the WAL more than once.
        conn.pragma_update(None, "page_size", SQLITE_PAGE_SIZE)?;
        conn.pragma_update(None, "cache_size", SQLITE_WRITER_CACHE_KIB)?;
        // The savepoint of each file of a batch keeps its undo pages in memory, not in a temporary
        // file written page by page.
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        let mode: String = conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Schema(format!("journal_mode is {mode}, not WAL")));
        }
        let db = AggDb {
            inner: Arc::new(Inner::Sqlite(SqlitePool {
                path: path.to_owned(),
                writer: Mutex::new(conn),
                readers: Mutex::new(Vec::new()),
            })),
        };
        super::schema::migrate(&db)?;
        Ok(db)
    }

    /// Connects to the PostgreSQL database at `url` (`postgres://user:pass@host/db` or
    /// `postgres:///db?host=/run/postgresql`), and migrates it.
    pub fn open_postgres(url: &str) -> Result<AggDb> {
        let mut config: postgres::Config = url.parse()?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(PG_CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("baucu-aggregator");
        }
        let db = AggDb {
            inner: Arc::new(Inner::Postgres(PgPool {
                config,
                state: Mutex::new(PgState { idle: Vec::new(), live: 0 }),
                freed: Condvar::new(),
            })),
        };
        super::schema::migrate(&db)?;
        Ok(db)
    }

    /// The database named on the command line: a `postgres://` (or `postgresql://`) address, or
    /// without one the SQLite file `aggregator.sqlite` in the data folder (created if needed).
    pub fn open(data_dir: &Path, database: Option<&str>) -> Result<AggDb> {
        match database {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                AggDb::open_postgres(url)
            }
            Some(other) => {
                Err(StoreError::Data(format!("the database address {other:?} is not a postgres:// address")))
            }
            None => {
                std::fs::create_dir_all(data_dir)
                    .map_err(|error| StoreError::Io { path: data_dir.to_owned(), error })?;
                AggDb::open_sqlite(&data_dir.join(SQLITE_FILE))
            }
        }
    }

    /// Creates the empty database `name` (`[a-z0-9_]`, 1–63 characters) on the PostgreSQL server
    /// that `server_url` reaches (its role needs `CREATEDB`), and returns the address of the new
    /// database: for a first installation and for tests that each need a database of their own.
    pub fn create_postgres_database(server_url: &str, name: &str) -> Result<String> {
        let valid = (1..=63).contains(&name.len())
            && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !valid {
            return Err(StoreError::Data(format!("{name:?} is not a database name ([a-z0-9_], 1–63)")));
        }
        let mut config: postgres::Config = server_url.parse()?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(PG_CONNECT_TIMEOUT);
        }
        let mut client = config.connect(postgres::NoTls)?;
        client.batch_execute(&format!("CREATE DATABASE {name}"))?;
        Ok(with_database(server_url, name))
    }

    pub fn backend(&self) -> Backend {
        match &*self.inner {
            Inner::Sqlite(_) => Backend::Sqlite,
            Inner::Postgres(_) => Backend::Postgres,
        }
    }

    /// Runs `f` in one read-only transaction over a consistent snapshot.
    pub fn read<T>(&self, f: impl FnOnce(&mut Tx<'_>) -> Result<T>) -> Result<T> {
        match &*self.inner {
            Inner::Sqlite(pool) => {
                let conn = match lock(&pool.readers).pop() {
                    Some(c) => c,
                    None => {
                        let c = sqlite_connection(&pool.path)?;
                        c.pragma_update(None, "query_only", "ON")?;
                        c
                    }
                };
                let out = sqlite_transaction(&conn, "BEGIN", f);
                if conn.is_autocommit() {
                    let mut readers = lock(&pool.readers);
                    if readers.len() < SQLITE_IDLE_READERS {
                        readers.push(conn);
                    }
                }
                out
            }
            Inner::Postgres(pool) => pool.run("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", false, f),
        }
    }

    /// Runs `f` in one write transaction: committed if `f` returns `Ok`, rolled back entirely
    /// otherwise. Writers run one at a time.
    pub fn write<T>(&self, f: impl FnOnce(&mut Tx<'_>) -> Result<T>) -> Result<T> {
        match &*self.inner {
            Inner::Sqlite(pool) => {
                let conn = lock(&pool.writer);
                if !conn.is_autocommit() {
                    // A previous writer panicked inside its transaction.
                    conn.execute_batch("ROLLBACK")?;
                }
                sqlite_transaction(&conn, "BEGIN IMMEDIATE", f)
            }
            Inner::Postgres(pool) => pool.run("BEGIN", true, f),
        }
    }
}

fn sqlite_transaction<T>(
    conn: &rusqlite::Connection,
    begin: &str,
    f: impl FnOnce(&mut Tx<'_>) -> Result<T>,
) -> Result<T> {
    conn.execute_batch(begin)?;
    let mut tx = Tx { conn: Conn::Sqlite(conn), depth: 0 };
    match f(&mut tx) {
        Ok(v) => match conn.execute_batch("COMMIT") {
            Ok(()) => Ok(v),
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                Err(e.into())
            }
        },
        Err(e) => {
            conn.execute_batch("ROLLBACK")?;
            Err(e)
        }
    }
}

/// A connection taken from the PostgreSQL pool; given back (or counted as closed) when dropped.
struct Lease<'p> {
    pool: &'p PgPool,
    conn: Option<PgConn>,
    /// Set once the connection is known to be outside any transaction again.
    clean: bool,
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        let mut state = lock(&self.pool.state);
        match self.conn.take() {
            Some(c) if self.clean && !c.client.is_closed() => state.idle.push(c),
            _ => state.live = state.live.saturating_sub(1),
        }
        drop(state);
        self.pool.freed.notify_one();
    }
}

impl PgPool {
    fn acquire(&self) -> Result<Lease<'_>> {
        let mut state = lock(&self.state);
        loop {
            if let Some(c) = state.idle.pop() {
                return Ok(Lease { pool: self, conn: Some(c), clean: false });
            }
            if state.live < PG_MAX_CONNECTIONS {
                state.live += 1;
                drop(state);
                // Counted before connecting: the lease gives the slot back if connecting fails.
                let mut lease = Lease { pool: self, conn: None, clean: false };
                let mut client = self.config.connect(postgres::NoTls)?;
                client.batch_execute(PG_SESSION)?;
                lease.conn = Some(PgConn { client, statements: HashMap::new() });
                return Ok(lease);
            }
            let (next, timeout) =
                self.freed.wait_timeout(state, PG_WAIT).unwrap_or_else(std::sync::PoisonError::into_inner);
            state = next;
            if timeout.timed_out() && state.idle.is_empty() && state.live >= PG_MAX_CONNECTIONS {
                return Err(StoreError::Data(format!(
                    "all {PG_MAX_CONNECTIONS} PostgreSQL connections stayed busy for {} s",
                    PG_WAIT.as_secs()
                )));
            }
        }
    }

    fn run<T>(&self, begin: &str, write: bool, f: impl FnOnce(&mut Tx<'_>) -> Result<T>) -> Result<T> {
        let mut lease = self.acquire()?;
        let Some(conn) = lease.conn.as_mut() else {
            return Err(StoreError::Closed);
        };
        conn.client.batch_execute(begin)?;
        let out = (|| {
            if write {
                let stmt = conn.prepare("SELECT pg_advisory_xact_lock($1)")?;
                conn.client.execute(&stmt, &[&PG_WRITE_LOCK])?;
            }
            let mut tx = Tx { conn: Conn::Pg(&mut *conn), depth: 0 };
            f(&mut tx)
        })();
        match out {
            Ok(v) => {
                conn.client.batch_execute("COMMIT")?;
                lease.clean = true;
                Ok(v)
            }
            Err(e) => {
                if conn.client.batch_execute("ROLLBACK").is_ok() {
                    lease.clean = true;
                }
                Err(e)
            }
        }
    }
}

impl PgConn {
    fn prepare(&mut self, sql: &str) -> Result<postgres::Statement> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let stmt = self.client.prepare(sql)?;
        if self.statements.len() >= PG_STATEMENT_CACHE {
            self.statements.clear();
        }
        self.statements.insert(sql.to_owned(), stmt.clone());
        Ok(stmt)
    }
}

enum Conn<'a> {
    Sqlite(&'a rusqlite::Connection),
    Pg(&'a mut PgConn),
}

/// One transaction (or a savepoint inside one).
pub struct Tx<'a> {
    conn: Conn<'a>,
    depth: u32,
}

impl std::fmt::Debug for Tx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let backend = match self.conn {
            Conn::Sqlite(_) => Backend::Sqlite,
            Conn::Pg(_) => Backend::Postgres,
        };
        f.debug_struct("Tx").field("backend", &backend).field("depth", &self.depth).finish()
    }
}

impl Tx<'_> {
    pub fn backend(&self) -> Backend {
        match self.conn {
            Conn::Sqlite(_) => Backend::Sqlite,
            Conn::Pg(_) => Backend::Postgres,
        }
    }

    /// Runs one statement; the number of rows it changed.
    pub fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64> {
        match &mut self.conn {
            Conn::Sqlite(c) => {
                let mut stmt = c.prepare_cached(&sqlite_sql(sql))?;
                let n = stmt.execute(rusqlite::params_from_iter(params.iter()))?;
                Ok(n as u64)
            }
            Conn::Pg(c) => {
                let stmt = c.prepare(sql)?;
                let refs = pg_params(params);
                Ok(c.client.execute(&stmt, &refs)?)
            }
        }
    }

    /// Runs a query; all its rows.
    pub fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>> {
        match &mut self.conn {
            Conn::Sqlite(c) => {
                let mut stmt = c.prepare_cached(&sqlite_sql(sql))?;
                let width = stmt.column_count();
                let mut rows = stmt.query(rusqlite::params_from_iter(params.iter()))?;
                let mut out = Vec::new();
                while let Some(r) = rows.next()? {
                    let mut values = Vec::with_capacity(width);
                    for i in 0..width {
                        values.push(match r.get_ref(i)? {
                            ValueRef::Null => Value::Null,
                            ValueRef::Integer(v) => Value::Int(v),
                            ValueRef::Text(t) => Value::Text(
                                std::str::from_utf8(t)
                                    .map_err(|_| StoreError::Data(format!("column {i}: text is not UTF-8")))?
                                    .to_owned(),
                            ),
                            ValueRef::Blob(b) => Value::Bytes(b.to_vec()),
                            ValueRef::Real(_) => {
                                return Err(StoreError::Data(format!(
                                    "column {i}: a floating point value (the aggregator stores integers)"
                                )));
                            }
                        });
                    }
                    out.push(Row { values });
                }
                Ok(out)
            }
            Conn::Pg(c) => {
                let stmt = c.prepare(sql)?;
                let refs = pg_params(params);
                let rows = c.client.query(&stmt, &refs)?;
                rows.iter().map(pg_row).collect()
            }
        }
    }

    /// A query expected to give at most one row.
    pub fn query_opt(&mut self, sql: &str, params: &[Value]) -> Result<Option<Row>> {
        let mut rows = self.query(sql, params)?;
        match rows.len() {
            0 => Ok(None),
            1 => Ok(rows.pop()),
            n => Err(StoreError::Data(format!("expected at most one row, found {n}"))),
        }
    }

    /// A query expected to give exactly one row.
    pub fn query_one(&mut self, sql: &str, params: &[Value]) -> Result<Row> {
        self.query_opt(sql, params)?
            .ok_or_else(|| StoreError::Data("expected one row, found none".to_owned()))
    }

    /// Runs `f` inside a savepoint: if it fails, what it did is undone and the transaction goes on
    /// (on PostgreSQL too, where a failed statement otherwise aborts the whole transaction).
    pub fn savepoint<T>(&mut self, f: impl FnOnce(&mut Tx<'_>) -> Result<T>) -> Result<T> {
        let name = format!("sp{}", self.depth);
        self.batch(&format!("SAVEPOINT {name}"))?;
        let depth = self.depth + 1;
        let out = {
            let conn = match &mut self.conn {
                Conn::Sqlite(c) => Conn::Sqlite(c),
                Conn::Pg(c) => Conn::Pg(c),
            };
            let mut inner = Tx { conn, depth };
            f(&mut inner)
        };
        match out {
            Ok(v) => {
                self.batch(&format!("RELEASE SAVEPOINT {name}"))?;
                Ok(v)
            }
            Err(e) => {
                self.batch(&format!("ROLLBACK TO SAVEPOINT {name}; RELEASE SAVEPOINT {name}"))?;
                Err(e)
            }
        }
    }

    /// Runs statements without parameters (migrations, savepoints).
    pub(crate) fn batch(&mut self, sql: &str) -> Result<()> {
        match &mut self.conn {
            Conn::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Conn::Pg(c) => Ok(c.client.batch_execute(sql)?),
        }
    }
}

/// `server_url` with its database name (the path after the host) replaced by `name`.
fn with_database(server_url: &str, name: &str) -> String {
    let after_scheme = server_url.find("://").map_or(0, |i| i + 3);
    let (head, query) = match server_url[after_scheme..].find('?') {
        Some(q) => server_url.split_at(after_scheme + q),
        None => (server_url, ""),
    };
    let base = match head[after_scheme..].find('/') {
        Some(slash) => &head[..after_scheme + slash],
        None => head,
    };
    format!("{base}/{name}{query}")
}

/// `$n` placeholders to SQLite's `?n`, outside quoted text and identifiers.
fn sqlite_sql(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quote: Option<char> = None;
    let mut chars = sql.chars().peekable();
    while let Some(ch) = chars.next() {
        match quote {
            Some(q) => {
                if ch == q {
                    quote = None;
                }
                out.push(ch);
            }
            None => {
                if ch == '\'' || ch == '"' {
                    quote = Some(ch);
                    out.push(ch);
                } else if ch == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
                    out.push('?');
                } else {
                    out.push(ch);
                }
            }
        }
    }
    out
}

fn pg_params(params: &[Value]) -> Vec<&(dyn PgToSql + Sync)> {
    params.iter().map(|v| v as &(dyn PgToSql + Sync)).collect()
}

fn pg_row(row: &postgres::Row) -> Result<Row> {
    let mut values = Vec::with_capacity(row.len());
    for (i, col) in row.columns().iter().enumerate() {
        let ty = col.type_();
        let value = if *ty == Type::INT8 {
            row.try_get::<_, Option<i64>>(i)?.map(Value::Int)
        } else if *ty == Type::INT4 {
            row.try_get::<_, Option<i32>>(i)?.map(|v| Value::Int(i64::from(v)))
        } else if *ty == Type::INT2 {
            row.try_get::<_, Option<i16>>(i)?.map(|v| Value::Int(i64::from(v)))
        } else if *ty == Type::BOOL {
            row.try_get::<_, Option<bool>>(i)?.map(|v| Value::Int(i64::from(v)))
        } else if *ty == Type::TEXT || *ty == Type::VARCHAR || *ty == Type::BPCHAR || *ty == Type::NAME {
            row.try_get::<_, Option<String>>(i)?.map(Value::Text)
        } else if *ty == Type::BYTEA {
            row.try_get::<_, Option<Vec<u8>>>(i)?.map(Value::Bytes)
        } else {
            return Err(StoreError::Data(format!(
                "column {i} ({}) has the type {ty}; cast it to BIGINT or TEXT",
                col.name()
            )));
        };
        values.push(value.unwrap_or(Value::Null));
    }
    Ok(Row { values })
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self {
            Value::Int(v) => ValueRef::Integer(*v),
            Value::Text(s) => ValueRef::Text(s.as_bytes()),
            Value::Bytes(b) => ValueRef::Blob(b),
            Value::Null => ValueRef::Null,
        }))
    }
}

impl PgToSql for Value {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(v) => {
                if *ty == Type::INT8 {
                    v.to_sql(ty, out)
                } else if *ty == Type::INT4 {
                    i32::try_from(*v)?.to_sql(ty, out)
                } else if *ty == Type::INT2 {
                    i16::try_from(*v)?.to_sql(ty, out)
                } else if *ty == Type::BOOL {
                    match v {
                        0 => false.to_sql(ty, out),
                        1 => true.to_sql(ty, out),
                        _ => Err(format!("{v} given for a boolean parameter").into()),
                    }
                } else {
                    Err(format!("an integer given for a parameter of type {ty}").into())
                }
            }
            Value::Text(s) => {
                if <&str as PgToSql>::accepts(ty) {
                    s.as_str().to_sql(ty, out)
                } else {
                    Err(format!("text given for a parameter of type {ty}").into())
                }
            }
            Value::Bytes(b) => {
                if *ty == Type::BYTEA {
                    b.as_slice().to_sql(ty, out)
                } else {
                    Err(format!("bytes given for a parameter of type {ty}").into())
                }
            }
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_rewritten_outside_quotes() {
        assert_eq!(
            sqlite_sql("SELECT '$1', \"a$2\" FROM t WHERE a = $1 AND b = $12"),
            "SELECT '$1', \"a$2\" FROM t WHERE a = ?1 AND b = ?12"
        );
    }

    #[test]
    fn database_names_replace_the_path() {
        assert_eq!(with_database("postgres://u:p@h:5432/postgres", "x"), "postgres://u:p@h:5432/x");
        assert_eq!(with_database("postgres://u@h", "x"), "postgres://u@h/x");
        assert_eq!(
            with_database("postgresql:///postgres?host=/run/postgresql", "x"),
            "postgresql:///x?host=/run/postgresql"
        );
    }

    #[test]
    fn sqlite_round_trip_savepoint_and_rollback() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = AggDb::open(dir.path(), None).expect("open");
        assert_eq!(db.backend(), Backend::Sqlite);
        round_trip(&db);
        // Reopening does not migrate twice.
        drop(db);
        let again = AggDb::open(dir.path(), None).expect("reopen");
        let n = again
            .read(|tx| tx.query_one("SELECT COUNT(*) FROM schema_version", &[]))
            .expect("count")
            .int(0)
            .expect("int");
        assert_eq!(n, super::super::schema::MIGRATIONS.len() as i64);
    }

    /// On the server `BAUCU_TEST_POSTGRES` names, when it is set.
    #[test]
    fn postgres_round_trip_savepoint_and_rollback() {
        let Ok(server) = std::env::var("BAUCU_TEST_POSTGRES") else {
            assert_ne!(
                std::env::var("BAUCU_POSTGRES_TESTS").as_deref(),
                Ok("required"),
                "BAUCU_TEST_POSTGRES is unset"
            );
            return;
        };
        let name = format!("baucu_test_db_{}", std::process::id());
        let url = AggDb::create_postgres_database(&server, &name).expect("create database");
        let db = AggDb::open(Path::new("/nonexistent"), Some(&url)).expect("open");
        assert_eq!(db.backend(), Backend::Postgres);
        round_trip(&db);
        let again = AggDb::open_postgres(&url).expect("reopen");
        let row = again
            .read(|tx| {
                tx.execute("SELECT 1", &[]).map(|_| ())?;
                tx.query_one("SELECT COUNT(*), CAST(SUM(version) AS BIGINT) FROM schema_version", &[])
            })
            .expect("count");
        assert_eq!(row.int(0).expect("int"), super::super::schema::MIGRATIONS.len() as i64);
        // Parameters of every kind, NULL included, and a read-only transaction refuses writes.
        let back = again
            .write(|tx| {
                tx.execute(
                    "INSERT INTO units (code, parent_code, name, level, path, depth, position) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    &[
                        "01".into(),
                        Value::Null,
                        "Tỉnh".into(),
                        "province".into(),
                        "01/".into(),
                        0.into(),
                        1.into(),
                    ],
                )?;
                tx.query_one(
                    "SELECT code, parent_code, depth FROM units WHERE path LIKE $1 || '%'",
                    &["01/".into()],
                )
            })
            .expect("insert");
        assert_eq!(back.opt_text(1).expect("parent"), None);
        assert_eq!(back.int(2).expect("depth"), 0);
        assert!(again.read(|tx| tx.execute("DELETE FROM units", &[])).is_err());
        drop((db, again));
        let mut config: postgres::Config = server.parse().expect("url");
        config.connect_timeout(Duration::from_secs(10));
        let mut admin = config.connect(postgres::NoTls).expect("connect");
        admin.batch_execute(&format!("DROP DATABASE {name}")).expect("drop");
    }

    fn round_trip(db: &AggDb) {
        db.write(|tx| {
            tx.execute(
                "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = $2",
                &["x".into(), "1".into()],
            )?;
            let failed: Result<()> = tx.savepoint(|tx| {
                tx.execute("INSERT INTO settings (key, value) VALUES ($1, $2)", &["y".into(), "2".into()])?;
                Err(StoreError::Data("refused".into()))
            });
            assert!(failed.is_err());
            Ok(())
        })
        .expect("write");
        let rows = db
            .read(|tx| {
                tx.query(
                    "SELECT key, value FROM settings WHERE key IN ($1, $2) ORDER BY key",
                    &["x".into(), "y".into()],
                )
            })
            .expect("read");
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].text(0).expect("key"), "x");
        assert!(rows[0].int(1).is_err(), "text is not read as an integer");
        let err = db.write(|tx| {
            tx.execute("INSERT INTO settings (key, value) VALUES ($1, $2)", &["z".into(), "3".into()])?;
            Err::<(), _>(StoreError::Data("stop".into()))
        });
        assert!(err.is_err());
        let z = db
            .read(|tx| tx.query_opt("SELECT value FROM settings WHERE key = $1", &["z".into()]))
            .expect("read");
        assert!(z.is_none(), "a failed write leaves nothing");
        let id = db
            .write(|tx| {
                tx.execute(
                    "INSERT INTO units (code, parent_code, name, level, path, depth, position) \
                     VALUES ($1, NULL, $2, 'province', $3, 0, 1)",
                    &["99".into(), "Tỉnh thử".into(), "99/".into()],
                )?;
                let id = tx
                    .query_one(
                        "INSERT INTO packages (unit_code, version, sha256, supersedes_sha256, fingerprint, \
                         received_at, received_by, file, current) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                        &[
                            "99".into(),
                            1.into(),
                            "ab".into(),
                            Value::from(None::<String>),
                            "fp".into(),
                            1_700_000_000_i64.into(),
                            "t".into(),
                            vec![0_u8, 1, 2].into(),
                            true.into(),
                        ],
                    )?
                    .int(0)?;
                Ok(id)
            })
            .expect("package");
        let row = db
            .read(|tx| {
                tx.query_one(
                    "SELECT file, current, supersedes_sha256 FROM packages WHERE id = $1",
                    &[id.into()],
                )
            })
            .expect("read package");
        assert_eq!(row.bytes(0).expect("file"), vec![0, 1, 2]);
        assert!(row.bool(1).expect("current"));
        assert_eq!(row.opt_text(2).expect("supersedes"), None);
    }
}
