//! Database access: the pool, migrations, write transactions and the queries themselves.
//! One code path for SQLite and PostgreSQL through sqlx's `Any` driver: portable SQL with `$n`
//! placeholders, text ids, BIGINT Unix-millisecond timestamps, 0/1 BIGINT booleans.
//! The call lists alone read through the backend's own driver ([`native`]), for speed.
//! Nothing in here decides authorization.

pub mod agents;
pub mod batches;
pub mod bulk;
pub mod calls;
pub mod do_not_call;
pub mod hubspot;
pub mod integrations;
pub mod jobs;
pub mod native;
pub mod numbers;
pub mod page;
pub mod projects;
pub mod recordings;
pub mod stats;
pub mod twilio;
pub mod users;
pub mod voices;
pub mod webhooks;

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{Any, AnyPool, Executor, Transaction};
use std::sync::atomic::{AtomicU64, Ordering};
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
    /// The read pool of the call lists (see [`native`]).
    native: native::NativePool,
}

/// A write transaction as service operations receive it: it derefs to the connection, and only
/// whoever opened it (`AppState::write`) commits it. A newtype without lifetime parameters: a
/// `Transaction<'static, _>` behind `&mut` in an async closure's argument trips rustc's
/// higher-ranked `Send` check (the futures of server functions must be `Send`).
pub struct Tx(Transaction<'static, Any>);

impl Tx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.0.commit().await?;
        COMMITS.fetch_add(1, Ordering::Release);
        Ok(())
    }

    /// Undoes the transaction (dropping it does the same).
    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        self.0.rollback().await
    }
}

/// How many write transactions this process has committed. Memos of stored state
/// (`auth::cache`) keep an entry only while this is unchanged, so a write made here is seen by
/// the next request without knowing which writes matter.
static COMMITS: AtomicU64 = AtomicU64::new(0);

/// See [`COMMITS`].
pub fn commits() -> u64 {
    COMMITS.load(Ordering::Acquire)
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
            return Err(sqlx::Error::Configuration("DATABASE_URL must start with sqlite: or postgres:".into()));
        };
        let mut opts = AnyPoolOptions::new().max_connections(if backend == Backend::Sqlite { 8 } else { 16 }).acquire_timeout(Duration::from_secs(10));
        if backend == Backend::Sqlite {
            // A SQLite connection is a file handle: it cannot go stale the way a network
            // connection can, so the ping before every checkout (a round trip to the
            // connection's worker thread) buys nothing.
            opts = opts.test_before_acquire(false);
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
        let native = native::NativePool::lazy(url, backend)?;
        Ok(Database { pool, backend, native })
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

    pub fn native_pool(&self) -> &native::NativePool {
        &self.native
    }

    /// A read session (see [`native::Reader`]).
    pub fn reader(&self) -> native::Reader<'_> {
        native::Reader::new(self)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A write transaction. On SQLite it takes the write lock up front (`BEGIN IMMEDIATE`): a
    /// deferred transaction that reads and then writes fails with SQLITE_BUSY under concurrency
    /// instead of waiting for `busy_timeout`.
    pub async fn begin_write(&self) -> Result<Tx, sqlx::Error> {
        let tx: Transaction<'static, Any> = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(Tx(tx))
    }

    /// [`begin_write`](Self::begin_write), under the name services' adapters use.
    pub async fn begin_tx(&self) -> Result<Tx, sqlx::Error> {
        self.begin_write().await
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

/// A 0/1 BIGINT boolean column. Row structs keep a plain `bool` and read it with
/// `#[sqlx(try_from = "Flag")]`; a stored value other than 0 or 1 is a decode error, not `true`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flag(pub bool);

impl TryFrom<i64> for Flag {
    type Error = String;

    fn try_from(v: i64) -> Result<Self, String> {
        match v {
            0 => Ok(Flag(false)),
            1 => Ok(Flag(true)),
            n => Err(format!("flag {n} is neither 0 nor 1")),
        }
    }
}

impl From<Flag> for bool {
    fn from(f: Flag) -> bool {
        f.0
    }
}

impl sqlx::Type<Any> for Flag {
    fn type_info() -> sqlx::any::AnyTypeInfo {
        <i64 as sqlx::Type<Any>>::type_info()
    }

    fn compatible(ty: &sqlx::any::AnyTypeInfo) -> bool {
        <i64 as sqlx::Type<Any>>::compatible(ty)
    }
}

impl<'r> sqlx::Decode<'r, Any> for Flag {
    fn decode(value: <Any as sqlx::Database>::ValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        Ok(Flag::try_from(<i64 as sqlx::Decode<'r, Any>>::decode(value)?)?)
    }
}

/// A nullable 0/1 BIGINT boolean column (`#[sqlx(try_from = "OptFlag")]` on an `Option<bool>`):
/// NULL is `None`, any value other than 0 or 1 a decode error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OptFlag(pub Option<bool>);

impl From<OptFlag> for Option<bool> {
    fn from(f: OptFlag) -> Option<bool> {
        f.0
    }
}

impl sqlx::Type<Any> for OptFlag {
    fn type_info() -> sqlx::any::AnyTypeInfo {
        <i64 as sqlx::Type<Any>>::type_info()
    }

    fn compatible(ty: &sqlx::any::AnyTypeInfo) -> bool {
        <i64 as sqlx::Type<Any>>::compatible(ty)
    }
}

impl<'r> sqlx::Decode<'r, Any> for OptFlag {
    fn decode(value: <Any as sqlx::Database>::ValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        use sqlx::ValueRef;
        if value.is_null() {
            return Ok(OptFlag(None));
        }
        Ok(OptFlag(Some(Flag::try_from(<i64 as sqlx::Decode<'r, Any>>::decode(value)?)?.0)))
    }
}

/// A text column read through its Rust type's `TryFrom<String>` (the model enums, `Role`,
/// `AnalysisConfig`, `JobState`, `AuditAction`): row structs name the type in
/// `#[sqlx(try_from = "super::Stored<Direction>")]` and get the field as that type. The conversion
/// runs inside decoding so that its message ("unknown direction \"sideways\"") reaches the
/// `ColumnDecode` error: sqlx 0.8.6's derive, given `try_from = "String"`, replaces a conversion
/// error's text with "unprintable error".
pub struct Stored<T>(pub T);

impl<T> sqlx::Type<Any> for Stored<T> {
    fn type_info() -> sqlx::any::AnyTypeInfo {
        <String as sqlx::Type<Any>>::type_info()
    }

    fn compatible(ty: &sqlx::any::AnyTypeInfo) -> bool {
        <String as sqlx::Type<Any>>::compatible(ty)
    }
}

impl<'r, T: TryFrom<String, Error = String>> sqlx::Decode<'r, Any> for Stored<T> {
    fn decode(value: <Any as sqlx::Database>::ValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        Ok(Stored(T::try_from(<String as sqlx::Decode<'r, Any>>::decode(value)?)?))
    }
}

/// A nullable text column read like [`Stored`]: NULL is `None`, any other value must convert.
pub struct StoredOpt<T>(pub Option<T>);

impl<T> sqlx::Type<Any> for StoredOpt<T> {
    fn type_info() -> sqlx::any::AnyTypeInfo {
        <String as sqlx::Type<Any>>::type_info()
    }

    fn compatible(ty: &sqlx::any::AnyTypeInfo) -> bool {
        <String as sqlx::Type<Any>>::compatible(ty)
    }
}

impl<'r, T: TryFrom<String, Error = String>> sqlx::Decode<'r, Any> for StoredOpt<T> {
    fn decode(value: <Any as sqlx::Database>::ValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        use sqlx::ValueRef;
        if value.is_null() {
            return Ok(StoredOpt(None));
        }
        Ok(StoredOpt(Some(T::try_from(<String as sqlx::Decode<'r, Any>>::decode(value)?)?)))
    }
}

macro_rules! stored {
    ($($t:ty),+ $(,)?) => {
        $(impl From<Stored<$t>> for $t {
            fn from(s: Stored<$t>) -> $t {
                s.0
            }
        }
        impl From<StoredOpt<$t>> for Option<$t> {
            fn from(s: StoredOpt<$t>) -> Option<$t> {
                s.0
            }
        })+
    };
}

stored!(
    crate::model::Direction,
    crate::model::AgentStatus,
    crate::model::SpeaksFirst,
    crate::model::MachineDetection,
    crate::model::AnalysisConfig,
    crate::model::NumberProvider,
    crate::model::NumberStatus,
    crate::model::Role,
    crate::server::domain::AuditAction,
    crate::server::auth::ActorKind,
    crate::model::CallStatus,
    crate::model::EndReason,
    crate::model::AnsweredBy,
    crate::model::RecordingStatus,
    crate::model::Sentiment,
    crate::model::BatchStatus,
    crate::model::BatchRowState,
    jobs::JobState,
);

/// A stored value that its column's Rust type refuses (an unknown enum spelling, a flag that is
/// not 0/1, JSON that does not parse): corruption, or a newer schema. It names the table, the
/// row's key and the column, so the log says exactly which row to look at. `server::error` turns
/// it into a 500 (`internal`) and logs it once; nothing ever replaces the value with a default.
#[derive(Debug)]
pub struct CorruptRow {
    pub table: &'static str,
    /// The row's key as text (`?` when even the key could not be read).
    pub id: String,
    pub column: String,
    pub reason: String,
}

impl std::fmt::Display for CorruptRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} row {}, column {}: {}", self.table, self.id, self.column, self.reason)
    }
}

impl std::error::Error for CorruptRow {}

impl CorruptRow {
    /// The `CorruptRow` inside a sqlx error, if that is what it is.
    pub fn of(e: &sqlx::Error) -> Option<&CorruptRow> {
        match e {
            sqlx::Error::Decode(src) => src.downcast_ref::<CorruptRow>(),
            _ => None,
        }
    }
}

/// Decodes a row into its `FromRow` struct. A column that fails to decode becomes a
/// [`CorruptRow`] naming `table`, the row's `key` column (read as text from the same row) and the
/// column; other errors pass through unchanged. Every typed read in `db` goes through here.
pub fn typed<T>(table: &'static str, key: &'static str, row: &AnyRow) -> Result<T, sqlx::Error>
where
    T: for<'r> sqlx::FromRow<'r, AnyRow>,
{
    use sqlx::Row;
    T::from_row(row).map_err(|e| match e {
        sqlx::Error::ColumnDecode { index, source } => {
            let id = row.try_get::<String, _>(key).unwrap_or_else(|_| "?".into());
            // `Row::try_get` names the column in Debug form (quoted); the derive does not.
            let column = index.trim_matches('"').to_string();
            sqlx::Error::Decode(Box::new(CorruptRow { table, id, column, reason: source.to_string() }))
        }
        e => e,
    })
}

/// [`typed`] over an optional row.
pub fn typed_opt<T>(table: &'static str, key: &'static str, row: Option<AnyRow>) -> Result<Option<T>, sqlx::Error>
where
    T: for<'r> sqlx::FromRow<'r, AnyRow>,
{
    row.as_ref().map(|r| typed(table, key, r)).transpose()
}

/// [`typed`] over every row.
pub fn typed_all<T>(table: &'static str, key: &'static str, rows: Vec<AnyRow>) -> Result<Vec<T>, sqlx::Error>
where
    T: for<'r> sqlx::FromRow<'r, AnyRow>,
{
    rows.iter().map(|r| typed(table, key, r)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_are_zero_or_one() {
        assert_eq!(Flag::try_from(0), Ok(Flag(false)));
        assert_eq!(Flag::try_from(1), Ok(Flag(true)));
        assert_eq!(Flag::try_from(2), Err("flag 2 is neither 0 nor 1".to_string()));
        assert!(bool::from(Flag(true)));
    }

    #[derive(Debug, sqlx::FromRow)]
    struct Probe {
        #[sqlx(try_from = "Stored<crate::model::Direction>")]
        direction: crate::model::Direction,
        #[sqlx(try_from = "Flag")]
        flag: bool,
    }

    async fn probe(sql: &str) -> Result<Probe, sqlx::Error> {
        let db = Database::connect("sqlite::memory:").await.unwrap();
        let mut c = db.pool().acquire().await.unwrap();
        let row = sqlx::query(sql).fetch_one(&mut *c).await.unwrap();
        typed("probes", "id", &row)
    }

    #[tokio::test]
    async fn typed_reads_good_values_and_names_the_row_of_a_bad_one() {
        let ok = probe("SELECT 'p1' AS id, 'inbound' AS direction, 1 AS flag").await.unwrap();
        assert_eq!((ok.direction, ok.flag), (crate::model::Direction::Inbound, true));
        let e = probe("SELECT 'p2' AS id, 'sideways' AS direction, 0 AS flag").await.unwrap_err();
        let c = CorruptRow::of(&e).unwrap_or_else(|| panic!("not a corrupt row: {e}"));
        assert_eq!(c.to_string(), "probes row p2, column direction: unknown direction \"sideways\"");
        let e = probe("SELECT 'p3' AS id, 'outbound' AS direction, 2 AS flag").await.unwrap_err();
        assert_eq!(CorruptRow::of(&e).map(|c| c.to_string()).as_deref(), Some("probes row p3, column flag: flag 2 is neither 0 nor 1"));
    }

    #[test]
    fn corrupt_rows_name_table_row_and_column() {
        let e =
            sqlx::Error::Decode(Box::new(CorruptRow { table: "agents", id: "a1".into(), column: "direction".into(), reason: "unknown direction \"sideways\"".into() }));
        let c = CorruptRow::of(&e).expect("a corrupt row");
        assert_eq!(c.to_string(), "agents row a1, column direction: unknown direction \"sideways\"");
        assert!(CorruptRow::of(&sqlx::Error::RowNotFound).is_none());
    }
}
