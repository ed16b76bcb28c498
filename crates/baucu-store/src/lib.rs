//! All SQL of baucu: the embedded SQLite database of a congress node, its migrations, the writer
//! thread, and one module of queries per table. No other crate writes SQL.
//!
//! Every user action runs as one closure inside one transaction on the single writer thread
//! ([`Store::write`]). The writer takes whatever actions are waiting, runs each inside its own
//! savepoint (a failing action is rolled back alone), commits once with `synchronous=FULL`, and only
//! then answers each caller: an acknowledged action is on disk (group commit). Reads run on separate
//! connections, concurrently with the writer (WAL).

pub mod aggregator;
pub mod audit;
pub mod backup;
pub mod congress;
pub mod counting;
pub mod elections;
pub mod integrity;
pub mod package;
pub mod persons;
pub mod plan;
pub mod results;
pub mod schema;
pub mod users;
pub mod votes;

use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, mpsc};
use tokio::sync::oneshot;

pub use rusqlite;

/// A storage failure. Callers turn it into their own error; users see a Vietnamese sentence.
#[derive(Debug)]
pub enum StoreError {
    Sqlite(rusqlite::Error),
    /// The aggregator's PostgreSQL server refused or failed a statement, or could not be reached.
    Postgres(postgres::Error),
    /// A value read from the aggregator's database was not of the expected type, or its address was
    /// not understood.
    Data(String),
    /// The writer thread is gone (the node is shutting down).
    Closed,
    /// A migration or schema check failed.
    Schema(String),
    /// A file of a copy or a restore could not be read or written.
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Sqlite(e) => write!(f, "SQLite: {e}"),
            StoreError::Postgres(e) => write!(f, "PostgreSQL: {e}"),
            StoreError::Data(s) => write!(f, "data: {s}"),
            StoreError::Closed => f.write_str("the database writer has stopped"),
            StoreError::Schema(s) => write!(f, "schema: {s}"),
            StoreError::Io { path, error } => write!(f, "{}: {error}", path.display()),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<postgres::Error> for StoreError {
    fn from(e: postgres::Error) -> Self {
        StoreError::Postgres(e)
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Sqlite(e)
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// What the writer thread does with one action: run it, and report back after the commit.
type Job = Box<dyn FnOnce(&Connection) -> (bool, Reply) + Send>;
type Reply = Box<dyn FnOnce(Option<&StoreError>) + Send>;

/// At most this many actions share one commit.
const MAX_GROUP: usize = 256;

/// The database of one node.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    jobs: Mutex<Option<mpsc::Sender<Job>>>,
    readers: Mutex<Vec<Connection>>,
    /// Opened by [`Store::open_read_only`]: no writer, and the file is never changed.
    read_only: bool,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.inner.path).finish()
    }
}

fn open_connection(path: &Path) -> Result<Connection> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    Ok(conn)
}

impl Store {
    /// Opens (creating if needed) the database at `path`, applies the migrations, and starts the
    /// writer thread.
    pub fn open(path: &Path) -> Result<Self> {
        let mut conn = open_connection(path)?;
        let mode: String = conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Schema(format!("journal_mode is {mode}, not WAL")));
        }
        schema::migrate(&mut conn)?;
        // Only the writer changes data, so only the writer captures changed rows for the audit log.
        integrity::install_capture(&conn)?;
        let (tx, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("baucu-writer".into())
            .spawn(move || writer_loop(conn, rx))
            .map_err(|e| StoreError::Schema(format!("cannot start the writer thread: {e}")))?;
        Ok(Self {
            inner: Arc::new(Inner {
                path: path.to_owned(),
                jobs: Mutex::new(Some(tx)),
                readers: Mutex::new(Vec::new()),
                read_only: false,
            }),
        })
    }

    /// Opens an existing database file (a copy, before it is restored) for reading only: no
    /// migration, no writer ([`Store::write`] fails with [`StoreError::Closed`]), nothing created or
    /// changed. A file written by a newer program is refused.
    pub fn open_read_only(path: &Path) -> Result<Self> {
        let conn = backup::open_read_only(path)?;
        let version = backup::schema_version(&conn)?;
        if version > schema::version() {
            return Err(StoreError::Schema(format!(
                "the database is at version {version}, newer than this program ({}): use a newer baucu",
                schema::version()
            )));
        }
        Ok(Self {
            inner: Arc::new(Inner {
                path: path.to_owned(),
                jobs: Mutex::new(None),
                readers: Mutex::new(vec![conn]),
                read_only: true,
            }),
        })
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Runs `action` in a transaction on the writer thread and returns its result once it is
    /// committed to disk. An `Err` from the action rolls back everything the action did.
    pub async fn write<T, E, F>(&self, action: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce(&Connection) -> Result<T, E> + Send + 'static,
    {
        let (send, receive) = oneshot::channel::<Result<T, E>>();
        let job: Job = Box::new(move |conn| {
            let result = action(conn);
            let ok = result.is_ok();
            let reply: Reply = Box::new(move |commit_error| {
                let result = match (commit_error, result) {
                    (Some(e), Ok(_)) => Err(E::from(StoreError::Schema(format!("commit failed: {e}")))),
                    (_, result) => result,
                };
                let _ = send.send(result);
            });
            (ok, reply)
        });
        let sent = match self.inner.jobs.lock() {
            Ok(guard) => guard.as_ref().map(|s| s.send(job).is_ok()).unwrap_or(false),
            Err(_) => false,
        };
        if !sent {
            return Err(E::from(StoreError::Closed));
        }
        receive.await.unwrap_or_else(|_| Err(E::from(StoreError::Closed)))
    }

    /// Runs `query` on a read connection (a consistent snapshot), off the async threads.
    pub async fn read<T, E, F>(&self, query: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce(&Connection) -> Result<T, E> + Send + 'static,
    {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let pooled = inner.readers.lock().ok().and_then(|mut pool| pool.pop());
            let conn = match pooled {
                Some(c) => c,
                None if inner.read_only => backup::open_read_only(&inner.path).map_err(E::from)?,
                None => {
                    let c = open_connection(&inner.path).map_err(E::from)?;
                    c.pragma_update(None, "query_only", "ON").map_err(|e| E::from(e.into()))?;
                    c
                }
            };
            let result = (|| {
                conn.execute_batch("BEGIN").map_err(|e| E::from(e.into()))?;
                let r = query(&conn);
                let _ = conn.execute_batch("COMMIT");
                r
            })();
            if let Ok(mut pool) = inner.readers.lock() {
                pool.push(conn);
            }
            result
        })
        .await
        .unwrap_or_else(|_| Err(E::from(StoreError::Closed)))
    }

    /// Stops the writer after the actions already queued; later writes fail with [`StoreError::Closed`].
    pub fn close(&self) {
        if let Ok(mut guard) = self.inner.jobs.lock() {
            guard.take();
        }
    }

    /// Copies the database, consistent, to `target` (which must not exist) while the node keeps
    /// serving: see [`backup::copy`].
    pub async fn backup_to(&self, target: PathBuf) -> Result<()> {
        let source = self.inner.path.clone();
        tokio::task::spawn_blocking(move || backup::copy(&source, &target))
            .await
            .unwrap_or(Err(StoreError::Closed))
    }
}

fn writer_loop(conn: Connection, jobs: mpsc::Receiver<Job>) {
    while let Ok(first) = jobs.recv() {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match jobs.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        let mut replies = Vec::with_capacity(group.len());
        let begin = conn.execute_batch("BEGIN IMMEDIATE");
        if let Err(e) = begin {
            let error = StoreError::Sqlite(e);
            tracing::error!("cannot begin a transaction: {error}");
            // Each job still runs (and fails or not) so that its caller gets an answer; nothing of
            // it is kept.
            for job in group {
                let (_, reply) = job(&conn);
                reply(Some(&error));
            }
            continue;
        }
        for job in group {
            let savepoint = conn.execute_batch("SAVEPOINT action");
            let (ok, reply) = job(&conn);
            if savepoint.is_ok() {
                let end = if ok { "RELEASE action" } else { "ROLLBACK TO action; RELEASE action" };
                if let Err(e) = conn.execute_batch(end) {
                    tracing::error!("savepoint: {e}");
                }
            }
            replies.push(reply);
        }
        match conn.execute_batch("COMMIT") {
            Ok(()) => replies.into_iter().for_each(|reply| reply(None)),
            Err(e) => {
                let error = StoreError::Sqlite(e);
                tracing::error!("commit failed: {error}");
                let _ = conn.execute_batch("ROLLBACK");
                replies.into_iter().for_each(|reply| reply(Some(&error)));
            }
        }
    }
}
