//! The versioned API under `/api/v1` and its OpenAPI document (`/api/v1/openapi.json`).
//! Later features add their resources here.

pub mod envelope;
pub mod openapi;
pub mod projects;

use crate::server::state::AppState;
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};

pub fn router() -> Router<AppState> {
    use projects as p;
    Router::new()
        .route("/openapi.json", get(|| async { Json(openapi::document()) }))
        .route("/projects", get(p::list).post(p::create))
        .route("/projects/{id}", get(p::get).put(p::update).delete(p::delete))
        .route("/projects/{id}/members", get(p::members))
        .route("/projects/{id}/members/{user_id}", put(p::change_role).delete(p::remove_member))
        .route("/projects/{id}/leave", post(p::leave))
        .route("/projects/{id}/transfer", post(p::transfer))
        .route("/projects/{id}/invitations", get(p::invitations).post(p::invite))
        .route("/projects/{id}/invitations/{invitation_id}/resend", post(p::resend))
        .route("/projects/{id}/invitations/{invitation_id}", delete(p::revoke))
        .route("/projects/{id}/audit-log", get(p::audit_log))
        .route("/invitations/accept", post(p::accept))
        .route("/api-keys", get(p::list_keys).post(p::create_key))
        .route("/api-keys/{id}", delete(p::revoke_key))
        .route("/me/active-project", get(p::get_active).put(p::set_active))
}
