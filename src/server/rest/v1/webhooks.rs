//! `/api/v1` webhook endpoints (admins): create, list, read, change, delete, reveal and rotate
//! the signing secret, send a test event, and the delivery log with its attempts and replays.
//! Signing and delivery are described in `services::webhooks`.

use super::envelope::{created, done, ok, page, PageParams, V1Error, V1Json, V1Path, V1Query, V1Result};
use super::openapi::{E400, E401, E403, E404, E409, E413, E415};
use super::types::{Done, Envelope, ListEnvelope, Timestamp};
use crate::model::{AppError, DeliveryState, EventType, WebhookAttemptView, WebhookDeliveryView, WebhookEndpointView};
use crate::server::http::actor;
use crate::server::rest::json::Json;
use crate::server::services::webhooks::{self, EndpointInput, WithSecret};
use crate::server::state::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

type Page<T> = V1Result<Json<ListEnvelope<T>>>;
type One<T> = V1Result<Json<Envelope<T>>>;

// ---- wire types --------------------------------------------------------------------------------

/// A webhook endpoint. Its signing secret is only in the answers of create, rotate and
/// `GET …/secret`.
#[derive(Debug, Serialize, ToSchema)]
pub struct EndpointOut {
    id: String,
    project_id: String,
    url: String,
    description: String,
    /// Subscribed event types; empty: every event.
    events: Vec<EventType>,
    enabled: bool,
    /// Why it is disabled: `410 Gone`, failing for three days, or by an admin.
    disabled_reason: Option<String>,
    /// Since when every attempt has failed; null while healthy.
    failing_since: Option<Timestamp>,
    /// The endpoint that follows the project's `call_status_webhook` setting.
    is_status: bool,
    /// Until when the secret before the last rotation also signs.
    previous_secret_expires_at: Option<Timestamp>,
    created_at: Timestamp,
    updated_at: Timestamp,
    /// Bumped by every change (optimistic locking).
    version: i64,
}

impl From<WebhookEndpointView> for EndpointOut {
    fn from(e: WebhookEndpointView) -> Self {
        EndpointOut {
            id: e.id,
            project_id: e.project_id,
            url: e.url,
            description: e.description,
            events: e.events,
            enabled: e.enabled,
            disabled_reason: e.disabled_reason,
            failing_since: e.failing_since.map(Timestamp),
            is_status: e.is_status,
            previous_secret_expires_at: e.previous_secret_expires_at.map(Timestamp),
            created_at: Timestamp(e.created_at),
            updated_at: Timestamp(e.updated_at),
            version: e.version,
        }
    }
}

/// An endpoint with its signing secret (`whsec_…`; verify `webhook-signature` with it).
#[derive(Debug, Serialize, ToSchema)]
pub struct EndpointWithSecret {
    #[serde(flatten)]
    endpoint: EndpointOut,
    secret: String,
}

impl From<WithSecret> for EndpointWithSecret {
    fn from(w: WithSecret) -> Self {
        EndpointWithSecret { endpoint: w.endpoint.into(), secret: w.secret }
    }
}

/// One event sent (or to be sent) to one endpoint.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryOut {
    id: String,
    endpoint_id: String,
    /// The `webhook-id` header: the same on every attempt.
    event_id: String,
    event_type: EventType,
    /// The call or batch the event is about.
    subject: String,
    /// `pending`, `succeeded` or `failed`.
    state: DeliveryState,
    attempts: i64,
    /// When the next attempt is due (pending deliveries).
    next_attempt_at: Option<Timestamp>,
    /// The last answer's status code.
    last_status: Option<i64>,
    last_error: Option<String>,
    created_at: Timestamp,
    updated_at: Timestamp,
}

impl From<WebhookDeliveryView> for DeliveryOut {
    fn from(d: WebhookDeliveryView) -> Self {
        DeliveryOut {
            id: d.id,
            endpoint_id: d.endpoint_id,
            event_id: d.event_id,
            event_type: d.event_type,
            subject: d.subject,
            state: d.state,
            attempts: d.attempts,
            next_attempt_at: d.next_attempt_at.map(Timestamp),
            last_status: d.last_status,
            last_error: d.last_error,
            created_at: Timestamp(d.created_at),
            updated_at: Timestamp(d.updated_at),
        }
    }
}

/// One HTTP attempt.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttemptOut {
    attempt: i64,
    attempted_at: Timestamp,
    /// Null when there was no answer (refused, unreachable, timed out).
    status_code: Option<i64>,
    /// The start of the answer (up to 1 KiB).
    response_excerpt: String,
    duration_ms: i64,
    error: Option<String>,
}

impl From<WebhookAttemptView> for AttemptOut {
    fn from(a: WebhookAttemptView) -> Self {
        AttemptOut {
            attempt: a.attempt,
            attempted_at: Timestamp(a.attempted_at),
            status_code: a.status_code,
            response_excerpt: a.response_excerpt,
            duration_ms: a.duration_ms,
            error: a.error,
        }
    }
}

/// A delivery with every attempt and the exact body it sends.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryDetailOut {
    delivery: DeliveryOut,
    attempts: Vec<AttemptOut>,
    /// The JSON sent: `{id, type, timestamp, data}`.
    body: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Replayed {
    /// Failed deliveries sent again.
    replayed: usize,
}

// ---- handlers ----------------------------------------------------------------------------------

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EndpointsQuery {
    /// Default: the API key's project, else the caller's active project.
    project_id: Option<String>,
}

#[utoipa::path(get, path = "/webhook-endpoints", tag = "webhooks", params(EndpointsQuery, PageParams), security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "One page of the project's webhook endpoints, oldest first (admin+)", body = ListEnvelope<EndpointOut>),
        E400, E401, E403, E404))]
pub async fn list_endpoints(State(st): State<AppState>, h: HeaderMap, V1Query(q): V1Query<EndpointsQuery>, V1Query(pq): V1Query<PageParams>) -> Page<EndpointOut> {
    let a = actor(&st, &h).await?;
    let pid = super::agents::project_for(&a, q.project_id)?;
    let req = pq.parse::<(i64, String)>()?;
    let limit = req.limit;
    let (after, fetch) = req.split();
    let items = st.read(async |c| webhooks::list(c, &a, &pid, after, fetch).await).await?;
    page("Webhook endpoints", limit, items, |e| (e.created_at, e.id.clone()), EndpointOut::from)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateEndpoint {
    /// Default: the API key's project, else the caller's active project.
    project_id: Option<String>,
    /// Where events are POSTed (http or https).
    url: Option<String>,
    #[serde(default)]
    description: Option<String>,
    /// Event types to send; left out or empty: every event.
    #[serde(default)]
    events: Option<Vec<String>>,
    /// Default true.
    #[serde(default)]
    enabled: Option<bool>,
}

#[utoipa::path(post, path = "/webhook-endpoints", tag = "webhooks", request_body = CreateEndpoint, security(("bearer" = []), ("api_key" = [])),
    responses((status = 201, description = "Created (admin+), with its signing secret", body = Envelope<EndpointWithSecret>),
        E400, E401, E403, E404, E409, E413, E415))]
pub async fn create_endpoint(State(st): State<AppState>, h: HeaderMap, V1Json(b): V1Json<CreateEndpoint>) -> V1Result<(StatusCode, Json<Envelope<EndpointWithSecret>>)> {
    let a = actor(&st, &h).await?;
    let pid = super::agents::project_for(&a, b.project_id)?;
    if b.url.as_deref().is_none_or(|u| u.trim().is_empty()) {
        return Err(V1Error(AppError::missing_field("url")));
    }
    let input = EndpointInput { url: b.url, description: b.description, events: b.events, enabled: b.enabled };
    let w = st.write(async |tx| webhooks::create(&st, tx, &a, &pid, input).await).await?;
    created("Webhook endpoint created", w.into())
}

#[utoipa::path(get, path = "/webhook-endpoints/{id}", tag = "webhooks", params(("id" = String, Path, description = "Endpoint id")),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "A webhook endpoint (admin+)", body = Envelope<EndpointOut>), E400, E401, E403, E404))]
pub async fn get_endpoint(State(st): State<AppState>, h: HeaderMap, V1Path(id): V1Path<String>) -> One<EndpointOut> {
    let a = actor(&st, &h).await?;
    ok("Webhook endpoint", st.read(async |c| webhooks::get(c, &a, &id).await).await?.into())
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct UpdateEndpoint {
    url: Option<String>,
    description: Option<String>,
    /// Event types to send; empty: every event.
    events: Option<Vec<String>>,
    /// Enabling clears the disabled reason and the failure streak.
    enabled: Option<bool>,
    /// The version read; a changed endpoint answers 409 instead of being overwritten.
    expected_version: Option<i64>,
}

#[utoipa::path(patch, path = "/webhook-endpoints/{id}", tag = "webhooks", params(("id" = String, Path, description = "Endpoint id")), request_body = UpdateEndpoint,
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "Changed (admin+); fields left out keep their value", body = Envelope<EndpointOut>),
        E400, E401, E403, E404, E409, E413, E415))]
pub async fn update_endpoint(State(st): State<AppState>, h: HeaderMap, V1Path(id): V1Path<String>, V1Json(b): V1Json<UpdateEndpoint>) -> One<EndpointOut> {
    let a = actor(&st, &h).await?;
    let input = EndpointInput { url: b.url, description: b.description, events: b.events, enabled: b.enabled };
    ok("Webhook endpoint updated", st.write(async |tx| webhooks::update(&st, tx, &a, &id, input, b.expected_version).await).await?.into())
}

#[utoipa::path(delete, path = "/webhook-endpoints/{id}", tag = "webhooks", params(("id" = String, Path, description = "Endpoint id")),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "Deleted (admin+) with its delivery log", body = Done), E400, E401, E403, E404, E409))]
pub async fn delete_endpoint(State(st): State<AppState>, h: HeaderMap, V1Path(id): V1Path<String>) -> V1Result<Json<Done>> {
    let a = actor(&st, &h).await?;
    st.write(async |tx| webhooks::delete(tx, &a, &id).await).await?;
    done("Webhook endpoint deleted")
}

#[utoipa::path(get, path = "/webhook-endpoints/{id}/secret", tag = "webhooks", params(("id" = String, Path, description = "Endpoint id")),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "The endpoint with its current signing secret (admin+)", body = Envelope<EndpointWithSecret>), E400, E401, E403, E404))]
pub async fn endpoint_secret(State(st): State<AppState>, h: HeaderMap, V1Path(id): V1Path<String>) -> One<EndpointWithSecret> {
    let a = actor(&st, &h).await?;
    ok("Webhook endpoint secret", st.read(async |c| webhooks::secret(&st, c, &a, &id).await).await?.into())
}

#[utoipa::path(post, path = "/webhook-endpoints/{id}/rotate-secret", tag = "webhooks", params(("id" = String, Path, description = "Endpoint id")),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "A new secret (admin+); the old one also signs for 24 hours", body = Envelope<EndpointWithSecret>),
        E400, E401, E403, E404, E409))]
pub async fn rotate_secret(State(st): State<AppState>, h: HeaderMap, V1Path(id): V1Path<String>) -> One<EndpointWithSecret> {
    let a = actor(&st, &h).await?;
    ok("Webhook secret rotated", st.write(async |tx| webhooks::rotate_secret(&st, tx, &a, &id).await).await?.into())
}

#[utoipa::path(post, path = "/webhook-endpoints/{id}/test", tag = "webhooks", params(("id" = String, Path, description = "Endpoint id")),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 202, description = "A `webhook.test` event is on its way to this endpoint (admin+)", body = Envelope<DeliveryOut>),
        E400, E401, E403, E404, E409))]
pub async fn send_test(State(st): State<AppState>, h: HeaderMap, V1Path(id): V1Path<String>) -> V1Result<(StatusCode, Json<Envelope<DeliveryOut>>)> {
    let a = actor(&st, &h).await?;
    let d = st.write(async |tx| webhooks::send_test(&st, tx, &a, &id).await).await?;
    Ok((StatusCode::ACCEPTED, Json(Envelope { success: true, message: "Test event queued".into(), data: d.into() })))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveriesQuery {
    /// Only deliveries in this state.
    #[param(pattern = "^(pending|succeeded|failed)$")]
    state: Option<String>,
}

#[utoipa::path(get, path = "/webhook-endpoints/{id}/deliveries", tag = "webhooks", params(("id" = String, Path, description = "Endpoint id"), DeliveriesQuery, PageParams),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "One page of the endpoint's deliveries, newest first (admin+)", body = ListEnvelope<DeliveryOut>), E400, E401, E403, E404))]
pub async fn list_deliveries(
    State(st): State<AppState>,
    h: HeaderMap,
    V1Path(id): V1Path<String>,
    V1Query(q): V1Query<DeliveriesQuery>,
    V1Query(pq): V1Query<PageParams>,
) -> Page<DeliveryOut> {
    let a = actor(&st, &h).await?;
    let state = webhooks::state_filter(q.state.as_deref())?;
    let req = pq.parse::<(i64, String)>()?;
    let limit = req.limit;
    let (before, fetch) = req.split();
    let items = st.read(async |c| webhooks::deliveries(c, &a, &id, state, before, fetch).await).await?;
    page("Webhook deliveries", limit, items, |d| (d.created_at, d.id.clone()), DeliveryOut::from)
}

#[utoipa::path(get, path = "/webhook-endpoints/{id}/deliveries/{delivery_id}", tag = "webhooks",
    params(("id" = String, Path, description = "Endpoint id"), ("delivery_id" = String, Path, description = "Delivery id")),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "A delivery with its attempts and body (admin+)", body = Envelope<DeliveryDetailOut>), E400, E401, E403, E404))]
pub async fn get_delivery(State(st): State<AppState>, h: HeaderMap, V1Path((id, delivery_id)): V1Path<(String, String)>) -> One<DeliveryDetailOut> {
    let a = actor(&st, &h).await?;
    let d = st.read(async |c| webhooks::delivery(c, &a, &id, &delivery_id).await).await?;
    ok("Webhook delivery", DeliveryDetailOut { delivery: d.delivery.into(), attempts: d.attempts.into_iter().map(AttemptOut::from).collect(), body: d.body })
}

#[utoipa::path(post, path = "/webhook-endpoints/{id}/deliveries/{delivery_id}/replay", tag = "webhooks",
    params(("id" = String, Path, description = "Endpoint id"), ("delivery_id" = String, Path, description = "Delivery id")),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 202, description = "Sent again with the same id and body (admin+)", body = Envelope<DeliveryOut>), E400, E401, E403, E404, E409))]
pub async fn replay_delivery(
    State(st): State<AppState>,
    h: HeaderMap,
    V1Path((id, delivery_id)): V1Path<(String, String)>,
) -> V1Result<(StatusCode, Json<Envelope<DeliveryOut>>)> {
    let a = actor(&st, &h).await?;
    let d = st.write(async |tx| webhooks::replay(&st, tx, &a, &id, &delivery_id).await).await?;
    Ok((StatusCode::ACCEPTED, Json(Envelope { success: true, message: "Delivery queued again".into(), data: d.into() })))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReplaySince {
    /// RFC 3339: failed deliveries created at or after this time are sent again.
    since: Option<String>,
}

#[utoipa::path(post, path = "/webhook-endpoints/{id}/replay", tag = "webhooks", params(("id" = String, Path, description = "Endpoint id")), request_body = ReplaySince,
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 202, description = "Every failed delivery since the time is sent again, up to 1,000 (admin+)", body = Envelope<Replayed>),
        E400, E401, E403, E404, E409, E413, E415))]
pub async fn replay_failed(
    State(st): State<AppState>,
    h: HeaderMap,
    V1Path(id): V1Path<String>,
    V1Json(b): V1Json<ReplaySince>,
) -> V1Result<(StatusCode, Json<Envelope<Replayed>>)> {
    let a = actor(&st, &h).await?;
    let since = crate::server::services::call_history::time_filter("since", b.since.as_deref())?.ok_or_else(|| V1Error(AppError::missing_field("since")))?;
    let n = st.write(async |tx| webhooks::replay_failed_since(&st, tx, &a, &id, since).await).await?;
    Ok((StatusCode::ACCEPTED, Json(Envelope { success: true, message: format!("{n} failed deliveries queued again"), data: Replayed { replayed: n } })))
}
