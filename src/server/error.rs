//! Turning internal failures into client errors: the cause is logged here, once, with where it
//! happened, and the client gets a stable error. Nothing from a cause ever reaches a response.
//!
//! Database errors map as follows:
//! - a unique-constraint violation that reaches here was not translated by the operation that
//!   hit it (see [`on_unique`]): it answers 409 with a generic message, never 500;
//! - pool exhaustion and timeouts answer 503 with `Retry-After` (the request may succeed later);
//! - a stored value that its row type refuses (`db::CorruptRow`) is 500 `internal`, logged with
//!   the table, row and column;
//! - anything else is 500.

use crate::model::{AppError, ErrorCode};

/// Seconds a client is told to wait when the database is saturated.
const BUSY_RETRY_SECS: u64 = 2;

/// True when `e` is a unique (or primary key) constraint violation, on either database.
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => d.is_unique_violation(),
        _ => false,
    }
}

fn is_busy(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => true,
        sqlx::Error::Io(_) => true,
        // SQLITE_BUSY / SQLITE_LOCKED once busy_timeout ran out; PostgreSQL's lock_timeout,
        // statement timeout and serialization/deadlock failures: all transient.
        sqlx::Error::Database(d) => matches!(d.code().as_deref(), Some("5" | "6" | "55P03" | "57014" | "40001" | "40P01")),
        _ => false,
    }
}

impl From<sqlx::Error> for AppError {
    /// `?` on a query lands here; `track_caller` makes the log name the query's source line.
    #[track_caller]
    fn from(e: sqlx::Error) -> Self {
        let at = std::panic::Location::caller();
        if is_unique_violation(&e) {
            tracing::warn!(error = %e, at = %at, "unique constraint violated (no specific message)");
            return AppError::new(ErrorCode::Conflict, "This already exists. Reload and try again.");
        }
        if is_busy(&e) {
            tracing::warn!(error = %e, at = %at, "database busy");
            return AppError::unavailable(BUSY_RETRY_SECS);
        }
        if let Some(c) = crate::server::db::CorruptRow::of(&e) {
            // A stored value its type refuses: the row is named so it can be found and fixed.
            tracing::error!(table = c.table, row = %c.id, column = %c.column, reason = %c.reason, at = %at, "corrupt stored value: {c}");
            return AppError::internal();
        }
        tracing::error!(error = %e, at = %at, "database error");
        AppError::internal()
    }
}

/// For an insert or update guarded by a unique constraint: a violation becomes `conflict`, the
/// same error the operation's pre-check gives, so a race answers like a sequential duplicate.
pub trait OnUnique<T> {
    fn on_unique(self, conflict: impl FnOnce() -> AppError) -> Result<T, AppError>;
}

impl<T> OnUnique<T> for Result<T, sqlx::Error> {
    #[track_caller]
    fn on_unique(self, conflict: impl FnOnce() -> AppError) -> Result<T, AppError> {
        match self {
            Ok(v) => Ok(v),
            Err(e) if is_unique_violation(&e) => Err(conflict()),
            Err(e) => Err(AppError::from(e)),
        }
    }
}

/// The `Retry-After` value for a throttled or busy error, for every adapter that answers with one.
pub fn retry_after_header(e: &AppError) -> Option<http::HeaderValue> {
    e.retry_after.and_then(|secs| http::HeaderValue::from_str(&secs.to_string()).ok())
}

/// Logs any other failure with a short context and returns the generic internal error.
pub trait OrInternal<T> {
    fn or_internal(self, context: &'static str) -> Result<T, AppError>;
}

impl<T, E: std::fmt::Display> OrInternal<T> for Result<T, E> {
    fn or_internal(self, context: &'static str) -> Result<T, AppError> {
        self.map_err(|e| {
            tracing::error!(error = %e, "{context}");
            AppError::internal()
        })
    }
}
