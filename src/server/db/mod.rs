//! Database access: the pool, migrations, write transactions and the queries themselves.
//! One code path for SQLite and PostgreSQL through sqlx's `Any` driver: portable SQL with `$n`
//! placeholders, text ids, BIGINT Unix-millisecond timestamps, 0/1 BIGINT booleans.
//! Nothing in here decides authorization.

pub mod agents;
pub mod integrations;
pub mod jobs;
pub mod numbers;
pub mod page;
pub mod projects;
pub mod voices;
pub mod users;

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{Any, AnyPool, Executor, Transaction};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct Database {
    pool: AnyPool,
    backend: Backend,
}

/// A write transaction as service operations receive it: it derefs to the connection, and only
/// whoever opened it (`AppState::write`) commits it. A newtype without lifetime parameters: a
/// `Transaction<'static, _>` behind `&mut` in an async closure's argument trips rustc's
/// higher-ranked `Send` check (the futures of server functions must be `Send`).
pub struct Tx(Transaction<'static, Any>);

impl Tx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.0.commit().await
    }
}

impl std::ops::Deref for Tx {
    type Target = sqlx::AnyConnection;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

impl Database {
    /// Connects to `url` (`sqlite://...` or `postgres://...`).
    pub async fn connect(url: &str) -> Result<Self, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(sqlx::Error::Configuration(
                "DATABASE_URL must start with sqlite: or postgres:".into(),
            ));
        };
        let mut opts = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 8 } else { 16 })
            .acquire_timeout(Duration::from_secs(10));
        if backend == Backend::Sqlite {
            opts = opts.after_connect(|conn, _meta| {
                Box::pin(async move {
                    // WAL lets readers run beside the single writer; NORMAL is durable in WAL mode
                    // except for the last transactions before a power loss, the usual trade-off.
                    conn.execute(
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                         PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;",
                    )
                    .await?;
                    Ok(())
                })
            });
        }
        let pool = opts.connect(url).await?;
        Ok(Database { pool, backend })
    }

    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await,
        }
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A write transaction. On SQLite it takes the write lock up front (`BEGIN IMMEDIATE`): a
    /// deferred transaction that reads and then writes fails with SQLITE_BUSY under concurrency
    /// instead of waiting for `busy_timeout`.
    pub async fn begin_write(&self) -> Result<Transaction<'static, Any>, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
    }

    /// [`begin_write`](Self::begin_write) as the unit of work services take.
    pub async fn begin_tx(&self) -> Result<Tx, sqlx::Error> {
        self.begin_write().await.map(Tx)
    }

    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map(|_| ())
    }
}

/// Ends a savepoint opened with `sqlx::Connection::begin` on a connection already inside a
/// transaction: released when `r` is Ok, rolled back otherwise, and `r` is returned. PostgreSQL
/// aborts a whole transaction on any failed statement; a savepoint around a statement that may hit
/// a constraint keeps the transaction usable, so the caller can look up why and answer precisely.
pub async fn settle<T>(sp: Transaction<'_, Any>, r: Result<T, sqlx::Error>) -> Result<T, sqlx::Error> {
    match r {
        Ok(v) => {
            sp.commit().await?;
            Ok(v)
        }
        Err(e) => {
            sp.rollback().await?;
            Err(e)
        }
    }
}

/// Milliseconds since the Unix epoch, UTC.
pub fn now_ms() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp_nanos() as i64 / 1_000_000
}

/// A new id: UUIDv7, so ids sort by creation time.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Reads a 0/1 BIGINT column as a bool.
pub fn get_bool(row: &AnyRow, col: &str) -> Result<bool, sqlx::Error> {
    use sqlx::Row;
    Ok(row.try_get::<i64, _>(col)? != 0)
}
