//! Extractors shared by the REST handlers: the client address, the authenticated principal, and
//! parsers for the JSON body, the query string and path parameters whose failures are proper
//! API errors (with the one missing-field rule) rather than framework text.

use crate::model::{error::missing_field_in, AppError, ErrorCode};
use crate::server::http::{self, json_has_nul, nul_refused};
use crate::server::services::Client;
use crate::server::state::AppState;
use ::http::request::Parts;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use serde::de::DeserializeOwned;

/// The largest request body the API reads (agent prompts are the largest legitimate bodies).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The caller's address, resolved through trusted proxies.
pub struct ClientAddr(pub Client);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(http::client_from_parts(st, &parts.extensions, &parts.headers)))
    }
}

/// Parses a JSON body; an empty body parses as `{}` so that missing fields get field errors.
/// PostgreSQL cannot store NUL in text and no legitimate input needs it, so it is refused here.
pub fn json_body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) { b"{}" } else { bytes };
    if json_has_nul(bytes) {
        return Err(nul_refused());
    }
    // serde's message describes the client's own input (field, expected type, position): safe
    // and useful to return.
    serde_json::from_slice(bytes).map_err(|e| {
        let msg = e.to_string();
        match missing_field_in(&msg) {
            Some(field) => AppError::missing_field(field),
            None => AppError::new(ErrorCode::InvalidInput, format!("The request body must be a JSON object with the documented fields ({msg}).")),
        }
    })
}

fn is_json(content_type: &str) -> bool {
    let mime = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
}

/// Reads and parses a JSON body: 413 over [`MAX_BODY_BYTES`], 415 for a non-empty body that is
/// declared as something other than JSON, 400 for JSON that does not fit `T`.
pub async fn json_request<T: DeserializeOwned>(req: Request) -> Result<T, AppError> {
    let content_type = req.headers().get(::http::header::CONTENT_TYPE).map(|v| v.to_str().unwrap_or("?").to_string());
    let bytes = Bytes::from_request(req, &()).await.map_err(|e| {
        if e.status() == ::http::StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            AppError::new(ErrorCode::InvalidInput, "The request body could not be read.")
        }
    })?;
    if !bytes.iter().all(u8::is_ascii_whitespace) && !content_type.as_deref().is_some_and(is_json) {
        return Err(AppError::new(ErrorCode::UnsupportedMediaType, "Send the request body as JSON, with Content-Type: application/json."));
    }
    json_body(&bytes)
}

pub fn too_large() -> AppError {
    AppError::new(ErrorCode::PayloadTooLarge, format!("The request body is larger than {} KiB.", MAX_BODY_BYTES / 1024))
}

/// `"field: message"` as axum's deserializers word a failure, split into a field error.
fn param_error(what: &str, text: &str) -> AppError {
    if let Some(field) = missing_field_in(text) {
        return AppError::missing_field(field);
    }
    match text.split_once(": ") {
        Some((field, msg)) if !field.is_empty() && field.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => AppError::field(field, format!("{field}: {msg}")),
        _ => AppError::new(ErrorCode::InvalidInput, format!("The {what} is invalid ({text}).")),
    }
}

/// Parses the query string into `T`; unknown parameters are ignored.
pub fn query_parts<T: DeserializeOwned>(parts: &Parts) -> Result<T, AppError> {
    let raw = parts.uri.query().unwrap_or("");
    if raw.contains("%00") {
        return Err(nul_refused());
    }
    Query::<T>::try_from_uri(&parts.uri).map(|Query(q)| q).map_err(|e| {
        let text = e.body_text();
        let text = text.strip_prefix("Failed to deserialize query string: ").unwrap_or(&text);
        param_error("query string", text)
    })
}

/// Parses the path parameters into `T`.
pub async fn path_parts<T: DeserializeOwned + Send>(parts: &mut Parts) -> Result<T, AppError> {
    if parts.uri.path().contains("%00") {
        return Err(nul_refused());
    }
    Path::<T>::from_request_parts(parts, &()).await.map(|Path(p)| p).map_err(|e| {
        if e.status().is_server_error() {
            // A route whose pattern does not match its extractor: our bug, not the client's.
            tracing::error!(error = %e.body_text(), "path parameters do not fit the handler");
            return AppError::internal();
        }
        let text = e.body_text();
        let text = text.strip_prefix("Invalid URL: ").unwrap_or(&text).to_string();
        param_error("path", &text)
    })
}

/// Defines a surface's `Json`, `Query` and `Path` extractors, rejecting with that surface's
/// error type (so each API answers in its own envelope).
#[macro_export]
macro_rules! api_extractors {
    ($err:ty, $json:ident, $query:ident, $path:ident) => {
        /// A JSON request body (see [`json_request`](crate::server::rest::extract::json_request)).
        pub struct $json<T>(pub T);

        impl<T: serde::de::DeserializeOwned, S: Send + Sync> axum::extract::FromRequest<S> for $json<T> {
            type Rejection = $err;

            async fn from_request(req: axum::extract::Request, _st: &S) -> Result<Self, Self::Rejection> {
                $crate::server::rest::extract::json_request(req).await.map($json).map_err(<$err>::from)
            }
        }

        /// The query string (see [`query_parts`](crate::server::rest::extract::query_parts)).
        pub struct $query<T>(pub T);

        impl<T: serde::de::DeserializeOwned, S: Send + Sync> axum::extract::FromRequestParts<S> for $query<T> {
            type Rejection = $err;

            async fn from_request_parts(parts: &mut ::http::request::Parts, _st: &S) -> Result<Self, Self::Rejection> {
                $crate::server::rest::extract::query_parts(parts).map($query).map_err(<$err>::from)
            }
        }

        /// Path parameters (see [`path_parts`](crate::server::rest::extract::path_parts)).
        pub struct $path<T>(pub T);

        impl<T: serde::de::DeserializeOwned + Send, S: Send + Sync> axum::extract::FromRequestParts<S> for $path<T> {
            type Rejection = $err;

            async fn from_request_parts(parts: &mut ::http::request::Parts, _st: &S) -> Result<Self, Self::Rejection> {
                $crate::server::rest::extract::path_parts(parts).await.map($path).map_err(<$err>::from)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_escapes_are_found_only_when_unescaped() {
        assert!(json_has_nul(br#"{"a":"x\u0000"}"#));
        assert!(!json_has_nul(br#"{"a":"x\\u0000"}"#));
        assert!(json_has_nul(b"{\"a\":\"\0\"}"));
    }

    #[test]
    fn missing_json_fields_use_the_shared_rule() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct B {
            name: String,
        }
        let e = json_body::<B>(b"").unwrap_err();
        assert_eq!(e.message, "name is required.");
        assert_eq!(e.field_message("name"), Some("name is required."));
    }

    #[test]
    fn json_content_types() {
        assert!(is_json("application/json; charset=utf-8"));
        assert!(is_json("application/merge-patch+json"));
        assert!(!is_json("text/plain"));
    }
}
