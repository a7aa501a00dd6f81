//! Keyset pagination helpers shared by the list queries. A page starts strictly after the last
//! row of the previous page, identified by its sort key and id (ids break ties), so pages never
//! skip or repeat rows while others insert, and the database reads only the rows it returns.
//! SQL text is assembled from fixed fragments only; every value is bound.

use super::native::{Cols, Native};
use sqlx::any::AnyRow;
use sqlx::AnyConnection;

/// A bound value of a dynamically assembled query.
pub enum Arg {
    Int(i64),
    Text(String),
}

/// Collects bound values and hands out their `$n` placeholders in order.
#[derive(Default)]
pub struct Binds(Vec<Arg>);

impl Binds {
    pub fn int(&mut self, v: i64) -> String {
        self.0.push(Arg::Int(v));
        format!("${}", self.0.len())
    }

    pub fn text(&mut self, v: impl Into<String>) -> String {
        self.0.push(Arg::Text(v.into()));
        format!("${}", self.0.len())
    }

    pub async fn fetch_all(self, c: &mut AnyConnection, sql: &str) -> Result<Vec<AnyRow>, sqlx::Error> {
        let mut q = sqlx::query(sql);
        for a in self.0 {
            q = match a {
                Arg::Int(v) => q.bind(v),
                Arg::Text(v) => q.bind(v),
            };
        }
        q.fetch_all(c).await
    }

    /// [`fetch_all`](Self::fetch_all) on a native connection, each row turned into a `T` by
    /// `decode` (see `native::RowReader`).
    pub async fn fetch_native<T>(self, c: &mut Native, sql: &str, decode: impl Fn(&dyn Cols) -> Result<T, sqlx::Error>) -> Result<Vec<T>, sqlx::Error> {
        match c {
            Native::Sqlite(c) => {
                let mut q = sqlx::query::<sqlx::Sqlite>(sql);
                for a in self.0 {
                    q = match a {
                        Arg::Int(v) => q.bind(v),
                        Arg::Text(v) => q.bind(v),
                    };
                }
                q.fetch_all(&mut **c).await?.iter().map(|r| decode(r)).collect()
            }
            Native::Postgres(c) => {
                let mut q = sqlx::query::<sqlx::Postgres>(sql);
                for a in self.0 {
                    q = match a {
                        Arg::Int(v) => q.bind(v),
                        Arg::Text(v) => q.bind(v),
                    };
                }
                q.fetch_all(&mut **c).await?.iter().map(|r| decode(r)).collect()
            }
        }
    }
}

/// Escapes LIKE wildcards so a search for `50%` finds the text `50%` (use with `ESCAPE '\'`).
pub fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}
