//! The versioned API under `/api/v1` and its OpenAPI document (`/api/v1/openapi.json`).
//!
//! Every route is registered with `routes!`, which takes the method and path from the handler's
//! own `#[utoipa::path]`: the document is generated from the handlers' types and paths, and a
//! route cannot be served without being documented (or documented without being served).

pub mod agents;
pub mod batches;
pub mod calls;
pub mod envelope;
pub mod hubspot;
pub mod openapi;
pub mod projects;
pub mod types;
pub mod webhooks;

use crate::server::rest::json::Json;
use crate::server::state::AppState;
use axum::extract::DefaultBodyLimit;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// This document (the whole API: Talkstack-compatible and v1), generated once.
#[utoipa::path(get, path = "/openapi.json", tag = "meta",
    responses((status = 200, description = "This OpenAPI 3.1 document", body = Object)))]
pub async fn openapi_json() -> Json<&'static utoipa::openapi::OpenApi> {
    Json(crate::server::rest::document())
}

pub fn router() -> OpenApiRouter<AppState> {
    use agents as a;
    use projects as p;
    OpenApiRouter::new()
        .routes(routes!(openapi_json))
        .routes(routes!(calls::place_call))
        .routes(routes!(calls::list_calls))
        .routes(routes!(calls::stream_calls))
        .routes(routes!(calls::call_overview))
        .routes(routes!(calls::get_call))
        .routes(routes!(calls::call_events))
        .routes(routes!(calls::call_recording))
        .routes(routes!(calls::cancel_call))
        .routes(routes!(calls::analyze_call))
        .routes(routes!(calls::test_call))
        .routes(routes!(p::list, p::create))
        .routes(routes!(p::get, p::update, p::delete))
        .routes(routes!(p::members))
        .routes(routes!(p::change_role, p::remove_member))
        .routes(routes!(p::leave))
        .routes(routes!(p::transfer))
        .routes(routes!(p::invitations, p::invite))
        .routes(routes!(p::resend))
        .routes(routes!(p::revoke))
        .routes(routes!(p::audit_log))
        .routes(routes!(p::accept))
        .routes(routes!(p::list_keys, p::create_key))
        .routes(routes!(p::revoke_key))
        .routes(routes!(p::get_active, p::set_active))
        .routes(routes!(a::get_active_agent, a::set_active_agent, a::clear_active_agent))
        .routes(routes!(a::get_twilio, a::put_twilio, a::delete_twilio))
        .routes(routes!(a::import_twilio))
        .routes(routes!(a::list_agents, a::create_agent))
        .routes(routes!(a::get_agent, a::update_agent, a::delete_agent))
        .routes(routes!(a::duplicate_agent))
        .routes(routes!(a::set_calling))
        .routes(routes!(a::set_voice))
        .routes(routes!(a::render))
        .routes(routes!(a::list_voices))
        .routes(routes!(a::voice_facets))
        .routes(routes!(a::get_voice))
        .routes(routes!(a::list_numbers, a::add_number))
        .routes(routes!(a::get_number, a::update_number, a::release_number))
        .routes(routes!(a::assign_number))
        .routes(routes!(a::unassign_number))
        // The one route with bodies over the API's 1 MiB limit: batch uploads.
        .merge(
            OpenApiRouter::new()
                .routes(routes!(batches::create_batch, batches::list_batches))
                .layer(DefaultBodyLimit::max(batches::UPLOAD_MAX_BYTES)),
        )
        .routes(routes!(batches::get_batch))
        .routes(routes!(batches::batch_rows))
        .routes(routes!(batches::start_batch))
        .routes(routes!(batches::pause_batch))
        .routes(routes!(batches::resume_batch))
        .routes(routes!(batches::cancel_batch))
        .routes(routes!(batches::export_batch))
        .routes(routes!(batches::list_dnc, batches::add_dnc))
        .routes(routes!(batches::remove_dnc))
        .routes(routes!(webhooks::list_endpoints, webhooks::create_endpoint))
        .routes(routes!(webhooks::get_endpoint, webhooks::update_endpoint, webhooks::delete_endpoint))
        .routes(routes!(webhooks::endpoint_secret))
        .routes(routes!(webhooks::rotate_secret))
        .routes(routes!(webhooks::send_test))
        .routes(routes!(webhooks::list_deliveries))
        .routes(routes!(webhooks::get_delivery))
        .routes(routes!(webhooks::replay_delivery))
        .routes(routes!(webhooks::replay_failed))
        .routes(routes!(hubspot::get_hubspot, hubspot::put_hubspot, hubspot::delete_hubspot))
        .routes(routes!(hubspot::sync_log))
        .routes(routes!(hubspot::retry_sync))
}
