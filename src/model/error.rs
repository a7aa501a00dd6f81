//! The one error type clients see: a stable machine code, a human message, optional per-field
//! details and, for throttling, how long to wait. Causes never travel in it; they are logged once
//! where the error is created (see `server::error`).

use serde::{Deserialize, Serialize};
use std::fmt;

/// Stable error codes. Their `as_str()` spelling is part of the public API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The input failed validation; `details` names the fields.
    InvalidInput,
    /// No valid credentials were presented.
    Unauthenticated,
    /// Credentials are valid but the account's email is not verified yet.
    EmailNotVerified,
    /// Email/password pair did not match.
    InvalidCredentials,
    /// The caller may not do this.
    Forbidden,
    /// The thing does not exist, or the caller may not know it exists.
    NotFound,
    /// The thing already exists.
    Conflict,
    /// The request body is too large.
    PayloadTooLarge,
    /// A code or token is wrong.
    InvalidCode,
    /// A code or token expired or was used up; ask for a new one.
    CodeExpired,
    /// Too many attempts; retry after `retry_after` seconds.
    RateLimited,
    /// A cross-site request was refused.
    CrossSite,
    /// A service we depend on (Twilio, ElevenLabs) failed or could not be reached.
    Upstream,
    /// The server is overloaded or the database is unreachable for now; retry after
    /// `retry_after` seconds.
    Unavailable,
    /// Something failed on our side; the cause is in the server log.
    Internal,
    /// The server function transport failed (network, decoding).
    Transport,
    /// A request body in a format other than JSON.
    UnsupportedMediaType,
    /// The path exists but not with this HTTP method.
    MethodNotAllowed,
    /// An `Idempotency-Key` already used with a different request.
    IdempotencyKeyReused,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidInput => "invalid_input",
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::EmailNotVerified => "email_not_verified",
            ErrorCode::InvalidCredentials => "invalid_credentials",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Conflict => "conflict",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::InvalidCode => "invalid_code",
            ErrorCode::CodeExpired => "code_expired",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::CrossSite => "cross_site",
            ErrorCode::Upstream => "upstream_error",
            ErrorCode::Unavailable => "unavailable",
            ErrorCode::Internal => "internal",
            ErrorCode::Transport => "transport",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::IdempotencyKeyReused => "idempotency_key_reused",
        }
    }

    /// The HTTP status this code answers with.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::InvalidInput => 400,
            ErrorCode::InvalidCode | ErrorCode::CodeExpired => 400,
            ErrorCode::Unauthenticated | ErrorCode::InvalidCredentials => 401,
            ErrorCode::EmailNotVerified | ErrorCode::Forbidden | ErrorCode::CrossSite => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::Conflict => 409,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::RateLimited => 429,
            ErrorCode::Upstream => 502,
            ErrorCode::Unavailable => 503,
            ErrorCode::Internal | ErrorCode::Transport => 500,
            ErrorCode::UnsupportedMediaType => 415,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::IdempotencyKeyReused => 422,
        }
    }
}

/// One field-level problem, for inline form errors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<FieldError>,
    /// Seconds to wait before retrying (only for `RateLimited`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), details: Vec::new(), retry_after: None }
    }

    /// A validation error on one field; the message is also the top-level message.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self {
            code: ErrorCode::InvalidInput,
            message: message.clone(),
            details: vec![FieldError { field: field.to_string(), message }],
            retry_after: None,
        }
    }

    pub fn unauthenticated() -> Self {
        Self::new(ErrorCode::Unauthenticated, "Please log in to continue.")
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(ErrorCode::NotFound, format!("{what} not found."))
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, message)
    }

    pub fn internal() -> Self {
        Self::new(ErrorCode::Internal, "Something went wrong on our side. Please try again.")
    }

    pub fn rate_limited(retry_after: u64) -> Self {
        let mut e = Self::new(ErrorCode::RateLimited, format!("Too many attempts. Please wait {retry_after} seconds and try again."));
        e.retry_after = Some(retry_after);
        e
    }

    /// The server is busy (database pool exhausted or timing out): retry shortly.
    pub fn unavailable(retry_after: u64) -> Self {
        let mut e = Self::new(ErrorCode::Unavailable, "The server is busy right now. Please try again in a moment.");
        e.retry_after = Some(retry_after);
        e
    }

    /// The one "missing field" answer of every surface (REST bodies, server functions).
    pub fn missing_field(field: &str) -> Self {
        Self::field(field, format!("{field} is required."))
    }

    /// Several missing fields at once: each named in `details` with the rule of
    /// [`missing_field`](Self::missing_field); the message names them all.
    pub fn missing_fields(fields: &[&str]) -> Self {
        if let [one] = fields {
            return Self::missing_field(one);
        }
        let message = match fields {
            [init @ .., last] => format!("{} and {last} are required.", init.join(", ")),
            [] => "Some required fields are missing.".to_string(),
        };
        let mut e = Self::new(ErrorCode::InvalidInput, message);
        e.details = fields.iter().map(|f| FieldError { field: f.to_string(), message: format!("{f} is required.") }).collect();
        e
    }

    /// The message for a given field, if this error carries one.
    pub fn field_message(&self, field: &str) -> Option<&str> {
        self.details.iter().find(|d| d.field == field).map(|d| d.message.as_str())
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AppError {}

/// The field named by serde's "missing field `x`" message, if that is what `msg` says.
pub fn missing_field_in(msg: &str) -> Option<&str> {
    let rest = &msg[msg.find("missing field `")? + "missing field `".len()..];
    Some(&rest[..rest.find('`')?])
}

impl leptos::server_fn::error::FromServerFnError for AppError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        use leptos::server_fn::error::ServerFnErrorErr as E;
        match value {
            E::MissingArg(field) => AppError::missing_field(&field),
            E::Args(msg) => match missing_field_in(&msg) {
                Some(field) => AppError::missing_field(field),
                None => AppError::new(ErrorCode::InvalidInput, "Some fields are missing or malformed."),
            },
            E::Request(_) => AppError::new(ErrorCode::Transport, "Could not reach the server. Check your connection and try again."),
            _ => AppError::new(ErrorCode::Transport, "Unexpected response from the server."),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_map_to_statuses() {
        assert_eq!(ErrorCode::RateLimited.http_status(), 429);
        assert_eq!(ErrorCode::NotFound.http_status(), 404);
        assert_eq!(ErrorCode::CrossSite.http_status(), 403);
        assert_eq!(ErrorCode::InvalidCredentials.http_status(), 401);
    }

    #[test]
    fn field_errors_are_findable() {
        let e = AppError::field("email", "Enter a valid email address.");
        assert_eq!(e.field_message("email"), Some("Enter a valid email address."));
        assert_eq!(e.field_message("password"), None);
        assert_eq!(e.code, ErrorCode::InvalidInput);
    }

    #[test]
    fn serde_missing_field_messages_name_the_field() {
        assert_eq!(missing_field_in("missing field `email` at line 1 column 2"), Some("email"));
        assert_eq!(missing_field_in("invalid type: string"), None);
        assert_eq!(AppError::missing_field("email").field_message("email"), Some("email is required."));
    }

    #[test]
    fn round_trips_as_json() {
        let e = AppError::rate_limited(30);
        let s = serde_json::to_string(&e).unwrap();
        assert!(s.contains("\"rate_limited\""));
        let back: AppError = serde_json::from_str(&s).unwrap();
        assert_eq!(back, e);
    }
}
