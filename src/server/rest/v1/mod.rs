//! The versioned API under `/api/v1` and its OpenAPI document (`/api/v1/openapi.json`).
//! Later features add their resources here.

pub mod agents;
pub mod envelope;
pub mod openapi;
pub mod projects;

use crate::server::state::AppState;
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};

pub fn router() -> Router<AppState> {
    use agents as a;
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
        .route("/projects/{id}/active-agent", get(a::get_active_agent).put(a::set_active_agent).delete(a::clear_active_agent))
        .route("/projects/{id}/twilio", get(a::get_twilio).put(a::put_twilio).delete(a::delete_twilio))
        .route("/projects/{id}/twilio/import", post(a::import_twilio))
        .route("/agents", get(a::list_agents).post(a::create_agent))
        .route("/agents/{id}", get(a::get_agent).put(a::update_agent).delete(a::delete_agent))
        .route("/agents/{id}/duplicate", post(a::duplicate_agent))
        .route("/agents/{id}/calling", put(a::set_calling))
        .route("/agents/{id}/voice", put(a::set_voice))
        .route("/agents/{id}/render", post(a::render))
        .route("/voices", get(a::list_voices))
        .route("/voices/filters", get(a::voice_facets))
        .route("/voices/{id}", get(a::get_voice))
        .route("/phone-numbers", get(a::list_numbers).post(a::add_number))
        .route("/phone-numbers/{id}", get(a::get_number).patch(a::update_number).delete(a::release_number))
        .route("/phone-numbers/{id}/assign", post(a::assign_number))
        .route("/phone-numbers/{id}/unassign", post(a::unassign_number))
}
