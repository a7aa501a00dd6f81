//! The versioned API under `/api/v1` and its OpenAPI document (`/api/v1/openapi.json`).
//! Later features add their resources here.

pub mod openapi;

use crate::server::state::AppState;
use axum::routing::get;
use axum::{Json, Router};

pub fn router() -> Router<AppState> {
    Router::new().route("/openapi.json", get(|| async { Json(openapi::document()) }))
}
