//! REST adapters. `talkstack/` speaks the Talkstack-compatible API under `/api`; `v1/` is the
//! versioned API under `/api/v1` with its OpenAPI document. Handlers parse, call `services`
//! and shape responses; they hold no rules of their own.

pub mod bodies;
pub mod extract;
pub mod talkstack;
pub mod v1;

use crate::server::state::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new().merge(talkstack::router()).nest("/v1", v1::router())
}
