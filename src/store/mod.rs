//! Storage through diesel on SQLite (embedded default) and PostgreSQL (scale-out), chosen by the URL alone.
//!
//! Every query runs on the blocking pool through [`Db::run`], never on an async worker. Query functions
//! take the connection first and return `QueryResult`; the service layer owns transactions.

pub mod attempts;
pub mod audit;
mod conn;
pub mod dialect;
pub mod exams;
mod in_list;
pub mod invitations;
pub mod outbox;
pub mod papers;
pub mod regrades;
pub mod results;
pub mod schema;
pub mod tasks;
pub mod time;
mod upsert;
pub mod users;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{CustomizeConnection, ManageConnection, Pool, R2D2Connection};
use diesel::{Connection, PgConnection, SqliteConnection};

use crate::error::ApiError;

pub use conn::DbConn;

/// The engine behind a database URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    /// `postgres://…` or `postgresql://…`.
    Postgres(String),
    /// A file path, optionally written `sqlite://path`.
    Sqlite(PathBuf),
}

impl Backend {
    /// Chooses the engine from the URL's scheme; anything that is not PostgreSQL is a SQLite path.
    pub fn from_url(url: &str) -> Result<Backend, String> {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Backend::Postgres(url.to_string()));
        }
        let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
        if path.is_empty() || path.contains("://") {
            return Err(format!("database URL `{url}` is neither postgres://… nor a SQLite path (or sqlite://path)"));
        }
        Ok(Backend::Sqlite(PathBuf::from(path)))
    }

    /// A short name for logs and metrics.
    pub fn name(&self) -> &'static str {
        match self {
            Backend::Postgres(_) => "postgres",
            Backend::Sqlite(_) => "sqlite",
        }
    }
}

/// Settings the storage layer needs.
#[derive(Debug, Clone)]
pub struct StoreConfig {
    /// Which engine, and where.
    pub backend: Backend,
    /// Most pooled connections.
    pub pool_size: u32,
    /// How long to wait for a connection before answering 503.
    pub connect_timeout: Duration,
    /// SQLite `synchronous` level: `full` makes an acknowledged write survive power loss.
    pub sqlite_synchronous: String,
}

/// Opens connections for the pool, choosing the engine ourselves so a bad URL says what is wrong
/// (the derive's own `establish` tries each engine in turn and hides the real error).
#[derive(Debug)]
pub struct DbManager {
    backend: Backend,
}

impl ManageConnection for DbManager {
    type Connection = DbConn;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConn, Self::Error> {
        let conn = match &self.backend {
            Backend::Postgres(url) => DbConn::Pg(PgConnection::establish(url)?),
            Backend::Sqlite(path) => DbConn::Sqlite(SqliteConnection::establish(&path.to_string_lossy())?),
        };
        Ok(conn)
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), Self::Error> {
        conn.ping().map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConn) -> bool {
        conn.is_broken()
    }
}

#[derive(Debug)]
struct PerConnection {
    sqlite_synchronous: String,
}

impl CustomizeConnection<DbConn, diesel::r2d2::Error> for PerConnection {
    fn on_acquire(&self, conn: &mut DbConn) -> Result<(), diesel::r2d2::Error> {
        dialect::on_connect(conn, &self.sqlite_synchronous).map_err(diesel::r2d2::Error::QueryError)
    }
}

/// The connection pool, cheap to clone.
#[derive(Clone)]
pub struct Db {
    pool: Pool<DbManager>,
    backend: Backend,
    /// SQLite only: the queue this process's writers wait in (see [`Db::write_now`]).
    sqlite_writers: Option<Arc<tokio::sync::Mutex<()>>>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").field("backend", &self.backend.name()).finish()
    }
}

/// Why the database could not be opened at start.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The pool could not make a first connection.
    #[error("cannot connect to the {0} database: {1}")]
    Connect(&'static str, String),
    /// Migrations failed.
    #[error("database migrations failed: {0}")]
    Migrate(String),
    /// The data directory could not be made.
    #[error("cannot create the directory {0}: {1}")]
    Directory(String, std::io::Error),
}

impl Db {
    /// Opens the pool and applies pending migrations.
    pub fn open(config: &StoreConfig) -> Result<Db, OpenError> {
        let name = config.backend.name();
        if let Backend::Sqlite(path) = &config.backend {
            prepare_sqlite_file(path)?;
        }
        let pool = Pool::builder()
            .max_size(config.pool_size)
            .connection_timeout(config.connect_timeout)
            // No `SELECT 1` before every use: a broken connection fails its query, is reported as 503
            // and is dropped by `has_broken`, instead of every request paying a round trip.
            .test_on_check_out(false)
            .connection_customizer(Box::new(PerConnection { sqlite_synchronous: config.sqlite_synchronous.clone() }))
            .build(DbManager { backend: config.backend.clone() })
            .map_err(|e| OpenError::Connect(name, e.to_string()))?;
        let mut conn = pool.get().map_err(|e| OpenError::Connect(name, e.to_string()))?;
        dialect::run_migrations(&mut conn).map_err(OpenError::Migrate)?;
        let sqlite_writers =
            matches!(config.backend, Backend::Sqlite(_)).then(|| Arc::new(tokio::sync::Mutex::new(())));
        Ok(Db { pool, backend: config.backend.clone(), sqlite_writers })
    }

    /// Which engine this is.
    pub fn backend(&self) -> &Backend {
        &self.backend
    }

    /// Runs `f` with a pooled connection on the blocking pool.
    pub async fn run<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        actix_web::web::block(move || {
            let mut conn = pool.get().map_err(|e| ApiError::Unavailable(e.to_string()))?;
            f(&mut conn)
        })
        .await
        .map_err(|e| ApiError::internal(format!("blocking task failed: {e}")))?
    }

    /// Runs `f` in a write transaction (`BEGIN IMMEDIATE` on SQLite) on the blocking pool.
    pub async fn write<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let db = self.clone();
        actix_web::web::block(move || db.write_now(f))
            .await
            .map_err(|e| ApiError::internal(format!("blocking task failed: {e}")))?
    }

    /// [`Db::write`] on the calling thread (the autosave writer, the CLI).
    ///
    /// SQLite has one writer at a time. Left to its busy handler, waiting writers poll with growing
    /// sleeps and an unlucky one waits seconds while others pass; so this process's writers queue on a
    /// lock first and meet SQLite's lock only when their turn comes (the busy timeout still covers other
    /// processes). PostgreSQL writers run side by side.
    pub fn write_now<T>(&self, f: impl FnOnce(&mut DbConn) -> Result<T, ApiError>) -> Result<T, ApiError> {
        // tokio's mutex queues waiters in order: the autosave writer, which asks again right after each
        // batch, cannot starve a submit or a start that asked before it.
        let _turn = self.sqlite_writers.as_ref().map(|m| m.blocking_lock());
        let mut conn = self.pool.get().map_err(|e| ApiError::Unavailable(e.to_string()))?;
        dialect::write_transaction(&mut conn, f)
    }

    /// Whether the database answers now (for `/readyz`).
    pub async fn ready(&self) -> bool {
        if let Backend::Sqlite(path) = &self.backend {
            // An open SQLite handle keeps reading a file that was deleted or replaced underneath it.
            if !path.exists() {
                return false;
            }
        }
        let pool = self.pool.clone();
        actix_web::web::block(move || {
            let mut conn = pool.get_timeout(Duration::from_secs(2)).ok()?;
            conn.batch_execute("SELECT 1").ok()
        })
        .await
        .ok()
        .flatten()
        .is_some()
    }
}

fn prepare_sqlite_file(path: &Path) -> Result<(), OpenError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| OpenError::Directory(dir.display().to_string(), e))?;
    }
    // WAL is a property of the file, set once before the pool opens: set per connection, it raced
    // with the other connections of the pool and gave "database is locked" at start.
    let mut conn = SqliteConnection::establish(&path.to_string_lossy())
        .map_err(|e| OpenError::Connect("sqlite", e.to_string()))?;
    conn.batch_execute("PRAGMA journal_mode = WAL;").map_err(|e| OpenError::Connect("sqlite", e.to_string()))
}

impl Db {
    /// A pooled connection for synchronous callers (the CLI); the server uses [`Db::run`].
    pub fn connection(&self) -> Result<diesel::r2d2::PooledConnection<DbManager>, diesel::r2d2::PoolError> {
        self.pool.get()
    }
}
