//! `/api/v1/integrations/hubspot` (admins): connect a project with a HubSpot private-app token,
//! change whether missing contacts are created and which analysis answers go to which contact
//! properties, disconnect, and read the sync log with a retry per entry. Decisions are
//! `services::hubspot`'s.

use super::envelope::{done, ok, page, PageParams, V1Json, V1Path, V1Query, V1Result};
use super::openapi::{E400, E401, E403, E404, E409, E413, E415};
use super::types::{Done, Envelope, ListEnvelope, Timestamp};
use crate::model::{HubSpotSettingsView, HubSpotSyncView, PropertyMapping, SyncOutcome};
use crate::server::http::actor;
use crate::server::rest::json::Json;
use crate::server::services::hubspot::{self, Connect};
use crate::server::state::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The connection, without the token.
#[derive(Debug, Serialize, ToSchema)]
pub struct HubSpotOut {
    /// Always true (an unconnected project answers 404).
    connected: bool,
    /// The token's last four characters.
    token_hint: String,
    create_contacts: bool,
    mappings: Vec<PropertyMapping>,
    updated_at: Timestamp,
}

impl From<HubSpotSettingsView> for HubSpotOut {
    fn from(v: HubSpotSettingsView) -> Self {
        HubSpotOut {
            connected: true,
            token_hint: v.token_hint,
            create_contacts: v.create_contacts,
            mappings: v.mappings,
            updated_at: Timestamp(v.updated_at),
        }
    }
}

/// One attempt to log a call in HubSpot.
#[derive(Debug, Serialize, ToSchema)]
pub struct SyncOut {
    id: String,
    call_id: String,
    /// `ended`, `analyzed` or `retry`.
    event: String,
    attempt: i64,
    outcome: SyncOutcome,
    message: String,
    status_code: Option<i64>,
    hubspot_call_id: Option<String>,
    contact_id: Option<String>,
    created_at: Timestamp,
}

impl From<HubSpotSyncView> for SyncOut {
    fn from(v: HubSpotSyncView) -> Self {
        SyncOut {
            id: v.id,
            call_id: v.call_id,
            event: v.event,
            attempt: v.attempt,
            outcome: v.outcome,
            message: v.message,
            status_code: v.status_code,
            hubspot_call_id: v.hubspot_call_id,
            contact_id: v.contact_id,
            created_at: Timestamp(v.created_at),
        }
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProjectQuery {
    /// Default: the API key's project, else the caller's active project.
    project_id: Option<String>,
}

#[utoipa::path(get, path = "/integrations/hubspot", tag = "integrations", params(ProjectQuery), security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "The project's HubSpot connection (admin+)", body = Envelope<HubSpotOut>), E400, E401, E403, E404))]
pub async fn get_hubspot(State(st): State<AppState>, h: HeaderMap, V1Query(q): V1Query<ProjectQuery>) -> V1Result<Json<Envelope<HubSpotOut>>> {
    let a = actor(&st, &h).await?;
    let pid = super::agents::project_for(&a, q.project_id)?;
    let v = st
        .read(async |c| hubspot::settings(c, &a, &pid).await)
        .await?
        .ok_or_else(|| crate::model::AppError::not_found("HubSpot connection"))?;
    ok("HubSpot connection", v.into())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PutHubSpot {
    /// Default: the API key's project, else the caller's active project.
    project_id: Option<String>,
    /// A private app's access token (checked with HubSpot before it is stored). Leave it out to
    /// keep the stored one.
    token: Option<String>,
    /// Create a contact when none has the call's number (default false).
    #[serde(default)]
    create_contacts: bool,
    /// Analysis answers copied to contact properties when a call is analysed.
    #[serde(default)]
    mappings: Vec<PropertyMapping>,
}

#[utoipa::path(put, path = "/integrations/hubspot", tag = "integrations", request_body = PutHubSpot, security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "Connected or changed (admin+)", body = Envelope<HubSpotOut>), E400, E401, E403, E404, E413, E415,
        (status = 502, description = "HubSpot could not check the token")))]
pub async fn put_hubspot(State(st): State<AppState>, h: HeaderMap, V1Json(b): V1Json<PutHubSpot>) -> V1Result<Json<Envelope<HubSpotOut>>> {
    let a = actor(&st, &h).await?;
    let pid = super::agents::project_for(&a, b.project_id)?;
    let v = hubspot::connect(&st, &a, &pid, Connect { token: b.token, create_contacts: b.create_contacts, mappings: b.mappings }).await?;
    ok("HubSpot connected", v.into())
}

#[utoipa::path(delete, path = "/integrations/hubspot", tag = "integrations", params(ProjectQuery), security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "Disconnected (admin+); the token is deleted", body = Done), E400, E401, E403, E404))]
pub async fn delete_hubspot(State(st): State<AppState>, h: HeaderMap, V1Query(q): V1Query<ProjectQuery>) -> V1Result<Json<Done>> {
    let a = actor(&st, &h).await?;
    let pid = super::agents::project_for(&a, q.project_id)?;
    st.write(async |tx| hubspot::disconnect(tx, &a, &pid).await).await?;
    done("HubSpot disconnected")
}

#[utoipa::path(get, path = "/integrations/hubspot/sync-log", tag = "integrations", params(ProjectQuery, PageParams), security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "One page of the sync log, newest first (admin+)", body = ListEnvelope<SyncOut>), E400, E401, E403, E404))]
pub async fn sync_log(
    State(st): State<AppState>,
    h: HeaderMap,
    V1Query(q): V1Query<ProjectQuery>,
    V1Query(pq): V1Query<PageParams>,
) -> V1Result<Json<ListEnvelope<SyncOut>>> {
    let a = actor(&st, &h).await?;
    let pid = super::agents::project_for(&a, q.project_id)?;
    let req = pq.parse::<(i64, String)>()?;
    let limit = req.limit;
    let (before, fetch) = req.split();
    let items = st.read(async |c| hubspot::sync_log(c, &a, &pid, before, fetch).await).await?;
    page("HubSpot sync log", limit, items, |s| (s.created_at, s.id.clone()), SyncOut::from)
}

#[utoipa::path(post, path = "/integrations/hubspot/sync-log/{id}/retry", tag = "integrations", params(("id" = String, Path, description = "Sync log entry id"), ProjectQuery),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 202, description = "The entry's call is synced again (admin+)", body = Done), E400, E401, E403, E404, E409))]
pub async fn retry_sync(State(st): State<AppState>, h: HeaderMap, V1Path(id): V1Path<String>, V1Query(q): V1Query<ProjectQuery>) -> V1Result<(StatusCode, Json<Done>)> {
    let a = actor(&st, &h).await?;
    let pid = super::agents::project_for(&a, q.project_id)?;
    st.write(async |tx| hubspot::retry(tx, &a, &pid, &id).await).await?;
    Ok((StatusCode::ACCEPTED, done("Sync queued again")?))
}
