//! The read path of the busiest lists (call history): the backend's own sqlx driver instead of
//! `Any`, and rows read by column position instead of by name.
//!
//! Why a second pool: sqlx's `Any` converts every row it hands over (each value into an owned
//! `AnyValue`, and the row's column list, once per row), and `AnyConnection` offers no way to the
//! driver's connection underneath. On a page of 50 calls that conversion and the by-name lookups
//! were a third of the request. The pool here is read-only (`PRAGMA query_only` on SQLite, only
//! `SELECT`s are sent on PostgreSQL), connects lazily and is small.
//!
//! [`Reader`] is the read session the list services take: it hands out the `Any` connection (for
//! ordinary queries, such as the access check when its memo has no answer) and the native one,
//! each acquired on first use, so a request whose access check is memoized takes one connection.

use super::{Backend, CorruptRow, Database, Flag};
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions, SqliteRow};
use sqlx::{Any, AnyConnection, PgPool, Postgres, Row, Sqlite, SqlitePool};
use std::str::FromStr;
use std::time::Duration;

/// The native read pool of a [`Database`].
#[derive(Clone)]
pub enum NativePool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl NativePool {
    /// A lazily connecting read pool on `url`. Connections are not pinged before each use (a round
    /// trip per request): a SQLite connection cannot go stale, and a PostgreSQL connection that
    /// broke fails its query once and is then dropped by the pool.
    pub fn lazy(url: &str, backend: Backend) -> Result<Self, sqlx::Error> {
        Ok(match backend {
            Backend::Sqlite => {
                let opts = SqliteConnectOptions::from_str(url)?.busy_timeout(Duration::from_secs(5)).pragma("query_only", "ON");
                // Each SQLite connection keeps its own page cache (up to 2 MB): few connections.
                NativePool::Sqlite(
                    SqlitePoolOptions::new()
                        .max_connections(4)
                        .test_before_acquire(false)
                        .acquire_timeout(Duration::from_secs(10))
                        .connect_lazy_with(opts),
                )
            }
            Backend::Postgres => NativePool::Postgres(
                PgPoolOptions::new()
                    .max_connections(8)
                    .test_before_acquire(false)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_lazy_with(PgConnectOptions::from_str(url)?),
            ),
        })
    }
}

/// A connection of the native read pool.
pub enum Native {
    Sqlite(PoolConnection<Sqlite>),
    Postgres(PoolConnection<Postgres>),
}

impl Native {
    pub fn is_sqlite(&self) -> bool {
        matches!(self, Native::Sqlite(_))
    }
}

/// A read session over both pools; see the module docs. Not for use inside a write transaction:
/// it reads committed state only.
pub struct Reader<'a> {
    db: &'a Database,
    any: Option<PoolConnection<Any>>,
    native: Option<Native>,
}

impl<'a> Reader<'a> {
    pub fn new(db: &'a Database) -> Self {
        Reader { db, any: None, native: None }
    }

    /// The `Any` connection, acquired on first use.
    pub async fn any(&mut self) -> Result<&mut AnyConnection, sqlx::Error> {
        if self.any.is_none() {
            self.any = Some(self.db.pool().acquire().await?);
        }
        match self.any.as_mut() {
            Some(c) => Ok(&mut **c),
            None => Err(sqlx::Error::PoolClosed),
        }
    }

    /// The native connection, acquired on first use.
    pub async fn native(&mut self) -> Result<&mut Native, sqlx::Error> {
        if self.native.is_none() {
            self.native = Some(match self.db.native_pool() {
                NativePool::Sqlite(p) => Native::Sqlite(p.acquire().await?),
                NativePool::Postgres(p) => Native::Postgres(p.acquire().await?),
            });
        }
        match self.native.as_mut() {
            Some(c) => Ok(c),
            None => Err(sqlx::Error::PoolClosed),
        }
    }
}

/// A row of either native driver, read by position.
pub trait Cols {
    fn text(&self, i: usize) -> Result<String, sqlx::Error>;
    fn opt_text(&self, i: usize) -> Result<Option<String>, sqlx::Error>;
    fn int(&self, i: usize) -> Result<i64, sqlx::Error>;
    fn opt_int(&self, i: usize) -> Result<Option<i64>, sqlx::Error>;
}

macro_rules! cols {
    ($row:ty) => {
        impl Cols for $row {
            fn text(&self, i: usize) -> Result<String, sqlx::Error> {
                self.try_get(i)
            }
            fn opt_text(&self, i: usize) -> Result<Option<String>, sqlx::Error> {
                self.try_get(i)
            }
            fn int(&self, i: usize) -> Result<i64, sqlx::Error> {
                self.try_get(i)
            }
            fn opt_int(&self, i: usize) -> Result<Option<i64>, sqlx::Error> {
                self.try_get(i)
            }
        }
    };
}

cols!(SqliteRow);
cols!(PgRow);

/// Reads one row's columns in the order of `names` (the query's select list, which
/// [`select_list`] builds from the same names); a value that fails to read or convert is a
/// [`CorruptRow`] naming the table, the row's key (its first column) and the column.
pub struct RowReader<'r> {
    row: &'r dyn Cols,
    table: &'static str,
    names: &'static [&'static str],
    at: usize,
}

impl<'r> RowReader<'r> {
    pub fn new(row: &'r dyn Cols, table: &'static str, names: &'static [&'static str]) -> Self {
        RowReader { row, table, names, at: 0 }
    }

    fn next<T>(&mut self, read: impl FnOnce(&dyn Cols, usize) -> Result<T, sqlx::Error>) -> Result<T, sqlx::Error> {
        let i = self.at;
        self.at += 1;
        read(self.row, i).map_err(|e| self.corrupt(i, e.to_string()))
    }

    fn corrupt(&self, i: usize, reason: String) -> sqlx::Error {
        let id = self.row.text(0).unwrap_or_else(|_| "?".into());
        let column = self.names.get(i).copied().unwrap_or("?").to_string();
        sqlx::Error::Decode(Box::new(CorruptRow { table: self.table, id, column, reason }))
    }

    fn convert<T>(&self, i: usize, r: Result<T, String>) -> Result<T, sqlx::Error> {
        r.map_err(|reason| self.corrupt(i, reason))
    }

    pub fn text(&mut self) -> Result<String, sqlx::Error> {
        self.next(|r, i| r.text(i))
    }

    pub fn opt_text(&mut self) -> Result<Option<String>, sqlx::Error> {
        self.next(|r, i| r.opt_text(i))
    }

    pub fn int(&mut self) -> Result<i64, sqlx::Error> {
        self.next(|r, i| r.int(i))
    }

    pub fn opt_int(&mut self) -> Result<Option<i64>, sqlx::Error> {
        self.next(|r, i| r.opt_int(i))
    }

    /// A 0/1 column (see [`Flag`]).
    pub fn flag(&mut self) -> Result<bool, sqlx::Error> {
        let v = self.int()?;
        self.convert(self.at - 1, Flag::try_from(v).map(bool::from))
    }

    /// A nullable 0/1 column.
    pub fn opt_flag(&mut self) -> Result<Option<bool>, sqlx::Error> {
        match self.opt_int()? {
            None => Ok(None),
            Some(v) => self.convert(self.at - 1, Flag::try_from(v).map(|f| Some(f.0))),
        }
    }

    /// A text column through its type's `TryFrom<String>` (see `Stored`).
    pub fn stored<T: TryFrom<String, Error = String>>(&mut self) -> Result<T, sqlx::Error> {
        let v = self.text()?;
        self.convert(self.at - 1, T::try_from(v))
    }

    /// A nullable text column through its type's `TryFrom<String>`.
    pub fn stored_opt<T: TryFrom<String, Error = String>>(&mut self) -> Result<Option<T>, sqlx::Error> {
        match self.opt_text()? {
            None => Ok(None),
            Some(v) => self.convert(self.at - 1, T::try_from(v).map(Some)),
        }
    }

    /// Every column was read (the decoder and the select list agree in length).
    pub fn done(&self) -> Result<(), sqlx::Error> {
        if self.at == self.names.len() {
            Ok(())
        } else {
            Err(sqlx::Error::Decode(format!("{}: read {} of {} columns", self.table, self.at, self.names.len()).into()))
        }
    }
}

/// `a, b, c`: the select list of `names`.
pub fn select_list(names: &[&str]) -> String {
    names.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn select_lists_join_names() {
        assert_eq!(select_list(&["id", "name"]), "id, name");
        assert_eq!(select_list(&[]), "");
    }

    async fn rows(sql: &str) -> Vec<SqliteRow> {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("n.db").display());
        let db = Database::connect(&url).await.expect("connect");
        let mut r = Reader::new(&db);
        let Native::Sqlite(c) = r.native().await.expect("native") else { panic!("not sqlite") };
        sqlx::query(sql).fetch_all(&mut **c).await.expect("query")
    }

    const NAMES: &[&str] = &["id", "direction", "flag", "maybe"];

    fn read(row: &SqliteRow) -> Result<(String, crate::model::Direction, bool, Option<bool>), sqlx::Error> {
        let mut r = RowReader::new(row, "probes", NAMES);
        let v = (r.text()?, r.stored()?, r.flag()?, r.opt_flag()?);
        r.done()?;
        Ok(v)
    }

    #[tokio::test]
    async fn rows_read_by_position_and_name_the_row_and_column_of_a_bad_value() {
        let ok = rows("SELECT 'p1', 'inbound', 1, NULL").await;
        let v = read(&ok[0]).expect("good row");
        assert_eq!(v, ("p1".to_string(), crate::model::Direction::Inbound, true, None));
        let bad = rows("SELECT 'p2', 'sideways', 0, 1").await;
        let e = read(&bad[0]).unwrap_err();
        assert_eq!(CorruptRow::of(&e).map(|c| c.to_string()).as_deref(), Some("probes row p2, column direction: unknown direction \"sideways\""));
        let bad = rows("SELECT 'p3', 'outbound', 0, 7").await;
        let e = read(&bad[0]).unwrap_err();
        assert_eq!(CorruptRow::of(&e).map(|c| c.to_string()).as_deref(), Some("probes row p3, column maybe: flag 7 is neither 0 nor 1"));
        let bad = rows("SELECT 'p4', 'outbound', 'yes', 1").await;
        assert_eq!(CorruptRow::of(&read(&bad[0]).unwrap_err()).map(|c| c.column.as_str()), Some("flag"));
        let short = rows("SELECT 'p5', 'outbound', 0, NULL, 'extra'").await;
        let mut r = RowReader::new(&short[0], "probes", &["id"]);
        r.text().expect("id");
        assert!(r.done().is_ok());
        let mut r = RowReader::new(&short[0], "probes", NAMES);
        r.text().expect("id");
        assert!(r.done().is_err(), "a decoder that stops early is an error");
    }

    #[tokio::test]
    async fn the_native_sqlite_pool_refuses_writes() {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("n.db").display());
        let db = Database::connect(&url).await.expect("connect");
        db.migrate().await.expect("migrate");
        let mut r = Reader::new(&db);
        let Native::Sqlite(c) = r.native().await.expect("native") else { panic!("not sqlite") };
        assert!(sqlx::query("CREATE TABLE t (x INTEGER)").execute(&mut **c).await.is_err());
    }
}
