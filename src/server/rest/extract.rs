//! Extractors shared by the REST handlers: the client address, the authenticated principal and a
//! JSON body parser whose failures are proper API errors rather than framework text.

use crate::model::{AppError, ErrorCode};
use crate::server::http;
use crate::server::services::Client;
use crate::server::state::AppState;
use axum::extract::FromRequestParts;
use ::http::request::Parts;
use serde::de::DeserializeOwned;

/// The caller's address, resolved through trusted proxies.
pub struct ClientAddr(pub Client);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(http::client_from_parts(st, &parts.extensions, &parts.headers)))
    }
}

/// Parses a JSON body; an empty body parses as `{}` so that missing fields get field errors.
pub fn json_body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) { b"{}" } else { bytes };
    // serde's message describes the client's own input (field, expected type, position): safe
    // and useful to return.
    serde_json::from_slice(bytes).map_err(|e| {
        AppError::new(ErrorCode::InvalidInput, format!("The request body must be a JSON object with the documented fields ({e})."))
    })
}
