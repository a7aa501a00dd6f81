//! Turning internal failures into client errors: the cause is logged here, once, and the client
//! gets the generic `internal` error. Nothing from a cause ever reaches a response.

use crate::model::AppError;

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        tracing::error!(error = %e, "database error");
        AppError::internal()
    }
}

/// The `Retry-After` value for a throttled error, for every adapter that answers with one.
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
