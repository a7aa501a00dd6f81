//! Outgoing webhooks: a project's endpoints (admins manage them), the events its changes emit,
//! and the delivery job that signs and sends them (Standard Webhooks).
//!
//! Decisions:
//! - **Events commit with their change.** [`emit`] runs in the transaction of the change it
//!   reports (a call transition, an analysis, a batch starting or completing): it stores the
//!   event's body once, one pending delivery per subscribed endpoint, and a `webhook.deliver`
//!   job per delivery. A rolled-back change leaves nothing; a committed one always delivers. A
//!   project without a subscribed endpoint writes nothing at all.
//! - **At least once, the same id.** The body and its `webhook-id` (the event id) are fixed at
//!   emit time; every attempt re-signs them with its own `webhook-timestamp`. The job sends
//!   outside any transaction, then records the attempt under a check of the delivery's attempt
//!   count, so a job that lost its lease and ran twice records one outcome (and may have sent
//!   twice, which at-least-once allows).
//! - **In order per subject.** A delivery waits while an earlier delivery of the same call (or
//!   batch) to the same endpoint is pending: its job looks again when that one is next due.
//! - **Retries** follow [`schedule`](crate::server::webhooks::schedule) for about three days;
//!   then the delivery is `failed`. A 410 answer disables the endpoint at once; an endpoint whose
//!   attempts have all failed for three days is disabled and its admins are mailed. Deliveries
//!   pending for a disabled endpoint end `failed` ("the endpoint is disabled") and can be
//!   replayed once it is enabled again.
//! - **Secrets** are `whsec_` keys sealed under `SECRET_KEY` (admins can reveal them). A rotation
//!   keeps the old secret signing beside the new one for 24 hours.
//! - **The project's `call_status_webhook`** (Talkstack's one URL) is an endpoint like the others,
//!   flagged `is_status`, created, changed and removed with that setting by
//!   [`sync_status_endpoint`].
//! - Times stored here read [`AppState::clock`] (tests move it); job run times are system time.

use super::access::{self, Need};
use super::audit;
use crate::model::{
    AppError, CallAnalysisView, DeliveryState, ErrorCode, EventType, WebhookAttemptView, WebhookDeliveryDetail, WebhookDeliveryView, WebhookEndpointView,
};
use crate::server::auth::{sealed, Actor};
use crate::server::db::calls::CallRow;
use crate::server::db::webhooks::{self as db, AttemptRow, DeliveryRow, EndpointRow};
use crate::server::db::{new_id, now_ms, Tx};
use crate::server::domain::{AuditAction, WebhookUrl};
use crate::server::feed::{self, Change};
use crate::server::jobs::{self, JobContext, JobError, NewJob, Registry};
use crate::server::state::AppState;
use crate::server::webhooks::{schedule, sender::Sender, signing::Secret};
use serde::Deserialize;
use sqlx::AnyConnection;
use std::sync::OnceLock;

pub const DELIVER: &str = "webhook.deliver";
const SEAL_CONTEXT: &str = "webhook-secret";
/// How long the secret before a rotation keeps signing.
pub const ROTATION_OVERLAP_MS: i64 = 24 * 3600 * 1000;
/// An endpoint failing this long is disabled.
pub const FAILING_LIMIT_MS: i64 = 3 * 24 * 3600 * 1000;
/// ... or this long when a delivery's whole retry schedule (about three days) failed.
const EXHAUSTED_LIMIT_MS: i64 = 60 * 3600 * 1000;
/// A project's endpoints (the status one included).
pub const MAX_ENDPOINTS: usize = 20;
const DESCRIPTION_MAX: usize = 500;
/// Replays of one "replay failed since" request.
pub const MAX_REPLAY: i64 = 1000;

pub fn register(r: &mut Registry) {
    r.register(DELIVER, deliver);
}

fn endpoint_not_found() -> AppError {
    AppError::not_found("Webhook endpoint")
}

fn delivery_not_found() -> AppError {
    AppError::not_found("Webhook delivery")
}

fn corrupt(table: &str, id: &str, column: &str, e: impl std::fmt::Display) -> AppError {
    tracing::error!(table, id, column, error = %e, "corrupt stored value");
    AppError::internal()
}

/// An endpoint's events filter (an unknown name is a corrupt row).
fn stored_events(r: &EndpointRow) -> Result<Vec<EventType>, AppError> {
    super::batches::stored_json("webhook_endpoints", &r.id, "events", &r.events)
}

pub fn endpoint_view(r: &EndpointRow) -> Result<WebhookEndpointView, AppError> {
    let events = stored_events(r)?;
    Ok(WebhookEndpointView {
        id: r.id.clone(),
        project_id: r.project_id.clone(),
        url: r.url.clone(),
        description: r.description.clone(),
        events,
        enabled: r.enabled,
        disabled_reason: r.disabled_reason.clone(),
        failing_since: r.failing_since,
        is_status: r.is_status,
        previous_secret_expires_at: r.previous_expires_at.filter(|_| r.previous_secret_sealed.is_some()),
        created_at: r.created_at,
        updated_at: r.updated_at,
        version: r.version,
    })
}

pub fn delivery_view(r: &DeliveryRow) -> Result<WebhookDeliveryView, AppError> {
    Ok(WebhookDeliveryView {
        id: r.id.clone(),
        endpoint_id: r.endpoint_id.clone(),
        event_id: r.event_id.clone(),
        event_type: EventType::try_from(r.event_type.clone()).map_err(|e| corrupt("webhook_deliveries", &r.id, "event_type", e))?,
        subject: r.subject.clone(),
        state: DeliveryState::try_from(r.state.clone()).map_err(|e| corrupt("webhook_deliveries", &r.id, "state", e))?,
        attempts: r.attempts,
        next_attempt_at: r.next_attempt_at,
        last_status: r.last_status,
        last_error: r.last_error.clone(),
        created_at: r.created_at,
        updated_at: r.updated_at,
    })
}

fn attempt_view(r: &AttemptRow) -> WebhookAttemptView {
    WebhookAttemptView {
        attempt: r.attempt,
        attempted_at: r.attempted_at,
        status_code: r.status_code,
        response_excerpt: r.response_excerpt.clone(),
        duration_ms: r.duration_ms,
        error: r.error.clone(),
    }
}

// ---- endpoints ------------------------------------------------------------------------------------

/// What an admin sets on an endpoint; on an update, fields left out keep their value.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct EndpointInput {
    pub url: Option<String>,
    pub description: Option<String>,
    /// Event type names; empty: every event.
    pub events: Option<Vec<String>>,
    pub enabled: Option<bool>,
}

/// The endpoint with the secret it signs with (shown once on create and rotate, and on reveal).
#[derive(Debug, Clone)]
pub struct WithSecret {
    pub endpoint: WebhookEndpointView,
    pub secret: String,
}

fn parse_events(names: &[String]) -> Result<String, AppError> {
    let mut out: Vec<&'static str> = Vec::new();
    for n in names {
        match EventType::parse(n).filter(|e| *e != EventType::Test) {
            Some(e) if !out.contains(&e.as_str()) => out.push(e.as_str()),
            Some(_) => {}
            None => {
                let known: Vec<&str> = EventType::subscribable().map(EventType::as_str).collect();
                return Err(AppError::field("events", format!("Unknown event type {n:?}. Choose from {}.", known.join(", "))));
            }
        }
    }
    serde_json::to_string(&out).map_err(|_| AppError::internal())
}

fn parse_description(d: &str) -> Result<String, AppError> {
    let d = d.trim();
    if d.chars().count() > DESCRIPTION_MAX {
        return Err(AppError::field("description", format!("Keep the description under {DESCRIPTION_MAX} characters.")));
    }
    Ok(d.to_string())
}

/// The address rules are checked where the URL is entered too (when they apply), so an admin
/// hears at once that `http://127.0.0.1/` can never receive anything.
pub fn parse_url(st: &AppState, raw: &str, field: &str) -> Result<String, AppError> {
    let u = WebhookUrl::parse(raw, field)?;
    crate::server::webhooks::ssrf::check_url(u.as_str(), st.config.webhook_allow_private_targets)
        .map_err(|e| AppError::field(field, format!("{}.", crate::server::simulator::prompt::capitalize(&e.to_string()))))?;
    Ok(u.as_str().to_string())
}

fn seal(st: &AppState, secret: &str) -> Result<String, AppError> {
    sealed::seal(&st.config.secret_key, SEAL_CONTEXT, secret)
}

/// An endpoint of a project the caller manages; another project's answers 404.
async fn load(c: &mut AnyConnection, actor: &Actor, id: &str) -> Result<EndpointRow, AppError> {
    let pid = db::project_of_endpoint(&mut *c, id).await?.ok_or_else(endpoint_not_found)?;
    access::project(&mut *c, actor, &pid, Need::Manage)
        .await
        .map_err(|e| if e.code == ErrorCode::NotFound { endpoint_not_found() } else { e })?;
    db::find_endpoint(&mut *c, &pid, id).await?.ok_or_else(endpoint_not_found)
}

/// One page of the project's endpoints, oldest first (admins).
pub async fn list(c: &mut AnyConnection, actor: &Actor, project_id: &str, after: Option<(i64, String)>, limit: i64) -> Result<Vec<WebhookEndpointView>, AppError> {
    access::project(&mut *c, actor, project_id, Need::Manage).await?;
    db::endpoints_page(c, project_id, after, limit).await?.iter().map(endpoint_view).collect()
}

/// Whether the caller may follow the project's delivery logs live (admins).
pub async fn watch(c: &mut AnyConnection, actor: &Actor, project_id: &str) -> Result<(), AppError> {
    access::project(c, actor, project_id, Need::Manage).await.map(drop)
}

pub async fn get(c: &mut AnyConnection, actor: &Actor, id: &str) -> Result<WebhookEndpointView, AppError> {
    endpoint_view(&load(c, actor, id).await?)
}

pub async fn create(st: &AppState, tx: &mut Tx, actor: &Actor, project_id: &str, input: EndpointInput) -> Result<WithSecret, AppError> {
    let url = parse_url(st, input.url.as_deref().unwrap_or(""), "url")?;
    let description = parse_description(input.description.as_deref().unwrap_or(""))?;
    let events = parse_events(input.events.as_deref().unwrap_or(&[]))?;
    access::project(&mut *tx, actor, project_id, Need::Manage).await?;
    if db::endpoints(&mut *tx, project_id).await?.len() >= MAX_ENDPOINTS {
        return Err(AppError::new(ErrorCode::Conflict, format!("A project has at most {MAX_ENDPOINTS} webhook endpoints. Delete one first.")));
    }
    let (_, secret) = Secret::generate();
    let now = st.clock.now_ms();
    let row = EndpointRow {
        id: new_id(),
        project_id: project_id.to_string(),
        url,
        description,
        events,
        secret_sealed: seal(st, &secret)?,
        previous_secret_sealed: None,
        previous_expires_at: None,
        enabled: input.enabled.unwrap_or(true),
        disabled_reason: input.enabled.is_some_and(|e| !e).then(|| "Disabled by an admin.".to_string()),
        failing_since: None,
        last_failure_at: None,
        is_status: false,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    db::insert_endpoint(&mut *tx, &row).await?;
    audit::record(&mut *tx, actor, project_id, AuditAction::WebhookEndpointCreated, Some(&row.id), Some(&row.url)).await?;
    Ok(WithSecret { endpoint: endpoint_view(&row)?, secret })
}

/// Changes an endpoint (admins). `expected_version`, when given, refuses a stale edit with 409.
pub async fn update(st: &AppState, tx: &mut Tx, actor: &Actor, id: &str, input: EndpointInput, expected_version: Option<i64>) -> Result<WebhookEndpointView, AppError> {
    let url = input.url.as_deref().map(|u| parse_url(st, u, "url")).transpose()?;
    let description = input.description.as_deref().map(parse_description).transpose()?;
    let events = input.events.as_deref().map(parse_events).transpose()?;
    let cur = load(&mut *tx, actor, id).await?;
    if expected_version.is_some_and(|v| v != cur.version) {
        return Err(stale());
    }
    if cur.is_status && url.as_ref().is_some_and(|u| *u != cur.url) {
        return Err(AppError::field("url", "This endpoint follows the project's call status webhook: change that setting instead."));
    }
    let mut next = cur.clone();
    if let Some(u) = url {
        next.url = u;
    }
    if let Some(d) = description {
        next.description = d;
    }
    if let Some(e) = events {
        next.events = e;
    }
    match input.enabled {
        Some(true) if !cur.enabled => {
            next.enabled = true;
            next.disabled_reason = None;
            next.failing_since = None;
        }
        Some(false) if cur.enabled => {
            next.enabled = false;
            next.disabled_reason = Some("Disabled by an admin.".into());
        }
        _ => {}
    }
    if !db::update_endpoint(&mut *tx, &next, cur.version, st.clock.now_ms()).await? {
        return Err(stale());
    }
    audit::record(&mut *tx, actor, &cur.project_id, AuditAction::WebhookEndpointUpdated, Some(id), Some(&next.url)).await?;
    endpoint_view(&db::find_endpoint(&mut *tx, &cur.project_id, id).await?.ok_or_else(AppError::internal)?)
}

fn stale() -> AppError {
    AppError::new(ErrorCode::Conflict, "This endpoint was changed meanwhile. Reload it and try again.")
}

pub async fn delete(tx: &mut Tx, actor: &Actor, id: &str) -> Result<(), AppError> {
    let cur = load(&mut *tx, actor, id).await?;
    if cur.is_status {
        return Err(AppError::new(ErrorCode::Conflict, "This endpoint follows the project's call status webhook: clear that setting to remove it."));
    }
    db::delete_endpoint(&mut *tx, &cur.project_id, id).await?;
    audit::record(&mut *tx, actor, &cur.project_id, AuditAction::WebhookEndpointDeleted, Some(id), Some(&cur.url)).await?;
    Ok(())
}

/// The endpoint's current secret (admins).
pub async fn secret(st: &AppState, c: &mut AnyConnection, actor: &Actor, id: &str) -> Result<WithSecret, AppError> {
    let row = load(c, actor, id).await?;
    let secret = sealed::open(&st.config.secret_key, SEAL_CONTEXT, &row.secret_sealed)?;
    Ok(WithSecret { endpoint: endpoint_view(&row)?, secret })
}

/// A new secret; the old one keeps signing for [`ROTATION_OVERLAP_MS`].
pub async fn rotate_secret(st: &AppState, tx: &mut Tx, actor: &Actor, id: &str) -> Result<WithSecret, AppError> {
    let cur = load(&mut *tx, actor, id).await?;
    let (_, secret) = Secret::generate();
    let now = st.clock.now_ms();
    let mut next = cur.clone();
    next.previous_secret_sealed = Some(cur.secret_sealed.clone());
    next.previous_expires_at = Some(now + ROTATION_OVERLAP_MS);
    next.secret_sealed = seal(st, &secret)?;
    if !db::update_endpoint(&mut *tx, &next, cur.version, now).await? {
        return Err(stale());
    }
    audit::record(&mut *tx, actor, &cur.project_id, AuditAction::WebhookSecretRotated, Some(id), None).await?;
    let row = db::find_endpoint(&mut *tx, &cur.project_id, id).await?.ok_or_else(AppError::internal)?;
    Ok(WithSecret { endpoint: endpoint_view(&row)?, secret })
}

/// Keeps the project's status endpoint in step with its `call_status_webhook` (in the
/// transaction that changes the setting): created with a new secret, pointed at the new URL
/// (re-enabled: a changed URL deserves a fresh start), or removed.
pub async fn sync_status_endpoint(st: &AppState, tx: &mut Tx, project_id: &str, url: Option<&str>) -> Result<(), AppError> {
    let cur = db::status_endpoint(&mut *tx, project_id).await?;
    let now = st.clock.now_ms();
    match (cur, url) {
        (None, None) => {}
        (Some(c), None) => {
            db::delete_endpoint(&mut *tx, project_id, &c.id).await?;
        }
        (None, Some(u)) => {
            let (_, secret) = Secret::generate();
            let row = EndpointRow {
                id: new_id(),
                project_id: project_id.to_string(),
                url: u.to_string(),
                description: "Call status webhook (project setting)".into(),
                events: "[]".into(),
                secret_sealed: seal(st, &secret)?,
                previous_secret_sealed: None,
                previous_expires_at: None,
                enabled: true,
                disabled_reason: None,
                failing_since: None,
                last_failure_at: None,
                is_status: true,
                created_at: now,
                updated_at: now,
                version: 1,
            };
            db::insert_endpoint(&mut *tx, &row).await?;
        }
        (Some(c), Some(u)) if c.url != u || !c.enabled => {
            let mut next = c.clone();
            next.url = u.to_string();
            next.enabled = true;
            next.disabled_reason = None;
            next.failing_since = None;
            if !db::update_endpoint(&mut *tx, &next, c.version, now).await? {
                return Err(stale());
            }
        }
        (Some(_), Some(_)) => {}
    }
    Ok(())
}

/// Creates the status endpoint of every project whose `call_status_webhook` has none (set
/// before webhooks were delivered); returns how many. Each project in its own transaction; a
/// concurrent start doing the same loses on the unique index and is skipped.
pub async fn backfill_status_endpoints(st: &AppState) -> Result<usize, AppError> {
    let missing = st.read(async |c| db::projects_missing_status_endpoint(c).await.map_err(AppError::from)).await?;
    let mut made = 0;
    for (project_id, url) in missing {
        match st.write(async |tx| sync_status_endpoint(st, tx, &project_id, Some(&url)).await).await {
            Ok(()) => made += 1,
            Err(e) => tracing::warn!(project_id = %project_id, error = %e, "status webhook endpoint not created"),
        }
    }
    Ok(made)
}

/// How long finished deliveries (and the HubSpot sync log) are kept.
pub const KEEP_LOG_MS: i64 = 30 * 24 * 3600 * 1000;

/// Deletes delivery logs older than [`KEEP_LOG_MS`] whose deliveries all finished, and the
/// HubSpot sync log of the same age (run by the job worker with its own pruning); returns how
/// many events and log entries went.
pub async fn prune(st: &AppState, now: i64) -> Result<(u64, u64), AppError> {
    let mut c = st.db.pool().acquire().await?;
    let events = db::prune(&mut c, now - KEEP_LOG_MS).await?;
    let syncs = crate::server::db::hubspot::prune_log(&mut c, now - KEEP_LOG_MS).await?;
    Ok((events, syncs))
}

// ---- the delivery log -------------------------------------------------------------------------------

pub fn state_filter(raw: Option<&str>) -> Result<Option<DeliveryState>, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => DeliveryState::parse(s).map(Some).ok_or_else(|| AppError::field("state", "Filter by pending, succeeded or failed.")),
    }
}

/// One page of an endpoint's deliveries, newest first.
pub async fn deliveries(
    c: &mut AnyConnection,
    actor: &Actor,
    endpoint_id: &str,
    state: Option<DeliveryState>,
    before: Option<(i64, String)>,
    limit: i64,
) -> Result<Vec<WebhookDeliveryView>, AppError> {
    let ep = load(&mut *c, actor, endpoint_id).await?;
    db::deliveries(c, &ep.project_id, &ep.id, state.map(DeliveryState::as_str), before, limit)
        .await?
        .iter()
        .map(delivery_view)
        .collect()
}

/// A delivery with its attempts and body.
pub async fn delivery(c: &mut AnyConnection, actor: &Actor, endpoint_id: &str, delivery_id: &str) -> Result<WebhookDeliveryDetail, AppError> {
    let ep = load(&mut *c, actor, endpoint_id).await?;
    let d = db::find_delivery(&mut *c, &ep.project_id, delivery_id).await?.filter(|d| d.endpoint_id == ep.id).ok_or_else(delivery_not_found)?;
    let attempts = db::attempts(&mut *c, &ep.project_id, &d.id).await?.iter().map(attempt_view).collect();
    let body = db::event_body(&mut *c, &ep.project_id, &d.event_id).await?.ok_or_else(AppError::internal)?;
    Ok(WebhookDeliveryDetail { delivery: delivery_view(&d)?, attempts, body })
}

/// Tells pages following the endpoint's delivery log that a delivery changed (kind `webhook`,
/// id the endpoint).
async fn publish(st: &AppState, c: &mut AnyConnection, project_id: &str, endpoint_id: &str, delivery_id: &str) -> Result<(), AppError> {
    let change = Change {
        project_id: project_id.to_string(),
        kind: "webhook".into(),
        id: endpoint_id.to_string(),
        data: serde_json::json!({ "delivery_id": delivery_id }),
    };
    feed::publish(c, st.db.backend(), &change).await?;
    Ok(())
}

fn deliver_job(project_id: &str, delivery_id: &str, at: i64) -> NewJob {
    NewJob::new(DELIVER, serde_json::json!({ "project_id": project_id, "delivery_id": delivery_id })).run_at(at).max_attempts(5)
}

fn must_be_enabled(ep: &EndpointRow) -> Result<(), AppError> {
    if ep.enabled {
        Ok(())
    } else {
        Err(AppError::new(ErrorCode::Conflict, "This endpoint is disabled. Enable it first."))
    }
}

/// Sends a finished delivery again (same event id and body), as its next attempt.
pub async fn replay(st: &AppState, tx: &mut Tx, actor: &Actor, endpoint_id: &str, delivery_id: &str) -> Result<WebhookDeliveryView, AppError> {
    let ep = load(&mut *tx, actor, endpoint_id).await?;
    must_be_enabled(&ep)?;
    let d = db::find_delivery(&mut *tx, &ep.project_id, delivery_id)
        .await?
        .filter(|d| d.endpoint_id == ep.id)
        .ok_or_else(delivery_not_found)?;
    if !db::requeue(&mut *tx, &ep.project_id, &d.id, st.clock.now_ms()).await? {
        return Err(AppError::new(ErrorCode::Conflict, "This delivery is still pending: it will be sent on its own."));
    }
    jobs::enqueue(&mut *tx, deliver_job(&ep.project_id, &d.id, now_ms())).await?;
    publish(st, &mut *tx, &ep.project_id, &ep.id, &d.id).await?;
    audit::record(&mut *tx, actor, &ep.project_id, AuditAction::WebhookReplayed, Some(&d.id), None).await?;
    delivery_view(&db::find_delivery(&mut *tx, &ep.project_id, &d.id).await?.ok_or_else(AppError::internal)?)
}

/// Sends again every failed delivery created since `since` (Unix ms), up to [`MAX_REPLAY`];
/// returns how many.
pub async fn replay_failed_since(st: &AppState, tx: &mut Tx, actor: &Actor, endpoint_id: &str, since: i64) -> Result<usize, AppError> {
    let ep = load(&mut *tx, actor, endpoint_id).await?;
    must_be_enabled(&ep)?;
    let ids = db::failed_since(&mut *tx, &ep.project_id, &ep.id, since, MAX_REPLAY).await?;
    let now = st.clock.now_ms();
    let mut n = 0;
    for id in &ids {
        if db::requeue(&mut *tx, &ep.project_id, id, now).await? {
            jobs::enqueue(&mut *tx, deliver_job(&ep.project_id, id, now_ms())).await?;
            n += 1;
        }
    }
    if n > 0 {
        publish(st, &mut *tx, &ep.project_id, &ep.id, "").await?;
        audit::record(&mut *tx, actor, &ep.project_id, AuditAction::WebhookReplayed, Some(&ep.id), Some(&format!("{n} failed deliveries"))).await?;
    }
    Ok(n)
}

/// Sends a `webhook.test` event to this endpoint only (whatever its filter).
pub async fn send_test(st: &AppState, tx: &mut Tx, actor: &Actor, endpoint_id: &str) -> Result<WebhookDeliveryView, AppError> {
    let ep = load(&mut *tx, actor, endpoint_id).await?;
    must_be_enabled(&ep)?;
    let data = serde_json::json!({
        "project_id": ep.project_id,
        "endpoint_id": ep.id,
        "message": "A test event from Talkdeck: your endpoint received and can verify it.",
    });
    let event_id = format!("msg_{}", new_id().replace('-', ""));
    let ids = store_event(st, tx, &ep.project_id, EventType::Test, &event_id, &event_id, data, std::slice::from_ref(&ep)).await?;
    let id = ids.first().ok_or_else(AppError::internal)?;
    delivery_view(&db::find_delivery(&mut *tx, &ep.project_id, id).await?.ok_or_else(AppError::internal)?)
}

// ---- emitting -------------------------------------------------------------------------------------

/// Emits an event about `subject` (a call or batch id) in the caller's transaction: stored with
/// one pending delivery (and its job) per enabled endpoint of the project subscribed to
/// `event_type`. `data` builds the object as the v1 API shows it; it is only called when some
/// endpoint wants the event.
pub async fn emit(
    st: &AppState,
    c: &mut AnyConnection,
    project_id: &str,
    event_type: EventType,
    subject: &str,
    data: impl FnOnce() -> Result<serde_json::Value, AppError>,
) -> Result<(), AppError> {
    let endpoints: Vec<EndpointRow> = db::endpoints(&mut *c, project_id).await?.into_iter().filter(|e| e.enabled && subscribed(e, event_type)).collect();
    if endpoints.is_empty() {
        return Ok(());
    }
    let event_id = format!("msg_{}", new_id().replace('-', ""));
    store_event(st, c, project_id, event_type, &event_id, subject, data()?, &endpoints).await?;
    Ok(())
}

/// Emits a call event: the call as `GET /api/v1/calls/{id}` shows it (transcript, end reason,
/// duration, cost, `metadata`, and `analysis` on `call.analyzed`), plus `recording_url`, the
/// recording's API address (with an API key; null when the call has no recording coming).
pub async fn emit_call(st: &AppState, c: &mut AnyConnection, row: &CallRow, event_type: EventType, analysis: Option<CallAnalysisView>) -> Result<(), AppError> {
    emit(st, c, &row.project_id, event_type, &row.id, || {
        let view = super::calls::view(row, analysis)?;
        let recording = view.recording_status != crate::model::RecordingStatus::None;
        let mut data = serde_json::to_value(crate::server::rest::v1::types::CallOut::from(view)).map_err(|_| AppError::internal())?;
        if let Some(o) = data.as_object_mut() {
            let url = recording.then(|| st.config.link(&super::recordings::path(&row.id)));
            o.insert("recording_url".into(), url.into());
        }
        Ok(data)
    })
    .await
}

fn subscribed(e: &EndpointRow, t: EventType) -> bool {
    // A filter that does not decode (logged) subscribes to nothing rather than to everything.
    stored_events(e).is_ok_and(|list| list.is_empty() || list.contains(&t))
}

#[allow(clippy::too_many_arguments)]
async fn store_event(
    st: &AppState,
    c: &mut AnyConnection,
    project_id: &str,
    event_type: EventType,
    event_id: &str,
    subject: &str,
    data: serde_json::Value,
    endpoints: &[EndpointRow],
) -> Result<Vec<String>, AppError> {
    let now = st.clock.now_ms();
    let body = serde_json::json!({
        "id": event_id,
        "type": event_type.as_str(),
        "timestamp": crate::server::rest::v1::types::rfc3339_ms(now),
        "data": data,
    })
    .to_string();
    db::insert_event(&mut *c, event_id, project_id, event_type.as_str(), subject, &body, now).await?;
    let mut out = Vec::with_capacity(endpoints.len());
    for ep in endpoints {
        let id = new_id();
        db::insert_delivery(&mut *c, &id, project_id, &ep.id, event_id, event_type.as_str(), subject, now).await?;
        jobs::enqueue(&mut *c, deliver_job(project_id, &id, now_ms())).await?;
        publish(st, &mut *c, project_id, &ep.id, &id).await?;
        out.push(id);
    }
    Ok(out)
}

// ---- delivering -------------------------------------------------------------------------------------

#[derive(Deserialize)]
struct DeliverPayload {
    project_id: String,
    delivery_id: String,
}

/// One sender per process and address policy (it holds the connection pool).
fn sender(allow_private: bool) -> Result<&'static Sender, JobError> {
    static OPEN: OnceLock<Result<Sender, String>> = OnceLock::new();
    static GUARDED: OnceLock<Result<Sender, String>> = OnceLock::new();
    let cell = if allow_private { &OPEN } else { &GUARDED };
    cell.get_or_init(|| Sender::new(allow_private))
        .as_ref()
        .map_err(|e| JobError::new(format!("the HTTP client could not be built: {e}")))
}

/// What the job needs to send, read in one go.
struct Due {
    delivery: DeliveryRow,
    endpoint: EndpointRow,
    body: String,
}

enum Next {
    Nothing,
    Wait(i64),
    GiveUp(Box<DeliveryRow>, &'static str),
    Send(Box<Due>),
}

async fn deliver(st: AppState, job: JobContext) -> Result<(), JobError> {
    let p: DeliverPayload = job.json()?;
    let r = deliver_once(&st, &p).await;
    if let Err(e) = &r {
        if e.permanent || job.attempt >= job.max_attempts {
            // This job ends here: a delivery left pending would hold back every later event of
            // its call to this endpoint, so it ends `failed` (and can be replayed).
            let why = format!("not sent: {}", e.message);
            let now = st.clock.now_ms();
            let ended = st
                .write(async |tx| {
                    if let Some(d) = db::find_delivery(&mut *tx, &p.project_id, &p.delivery_id).await? {
                        if d.state == DeliveryState::Pending.as_str() && db::give_up(&mut *tx, &d, &why, now).await? {
                            publish(&st, &mut *tx, &d.project_id, &d.endpoint_id, &d.id).await?;
                        }
                    }
                    Ok(())
                })
                .await;
            if let Err(e) = ended {
                tracing::error!(delivery_id = %p.delivery_id, error = %e, "a failed delivery could not be marked failed");
            }
        }
    }
    r
}

async fn deliver_once(st: &AppState, p: &DeliverPayload) -> Result<(), JobError> {
    let now = st.clock.now_ms();
    let next = st
        .read(async |c| {
            let Some(d) = db::find_delivery(&mut *c, &p.project_id, &p.delivery_id).await? else { return Ok(Next::Nothing) };
            if d.state != DeliveryState::Pending.as_str() {
                return Ok(Next::Nothing);
            }
            let Some(ep) = db::find_endpoint(&mut *c, &p.project_id, &d.endpoint_id).await? else { return Ok(Next::GiveUp(Box::new(d), "the endpoint was deleted")) };
            if !ep.enabled {
                return Ok(Next::GiveUp(Box::new(d), "the endpoint is disabled"));
            }
            if let Some(ahead) = db::pending_ahead(&mut *c, &d).await? {
                // Look again once the earlier event's next attempt is due (or soon, while it is
                // being sent).
                return Ok(Next::Wait(ahead.next_attempt_at.unwrap_or(now).max(now) + 1000));
            }
            if let Some(at) = d.next_attempt_at.filter(|at| *at > now) {
                return Ok(Next::Wait(at));
            }
            let body = db::event_body(&mut *c, &p.project_id, &d.event_id).await?.ok_or_else(AppError::internal)?;
            Ok(Next::Send(Box::new(Due { delivery: d, endpoint: ep, body })))
        })
        .await?;
    match next {
        Next::Nothing => Ok(()),
        Next::Wait(at) => {
            let delay = (at - now).max(0);
            st.write(async |tx| jobs::enqueue(&mut *tx, deliver_job(&p.project_id, &p.delivery_id, now_ms() + delay)).await.map(drop)).await?;
            Ok(())
        }
        Next::GiveUp(d, why) => {
            st.write(async |tx| {
                if db::give_up(&mut *tx, &d, why, now).await? {
                    publish(st, &mut *tx, &d.project_id, &d.endpoint_id, &d.id).await?;
                }
                Ok(())
            })
            .await?;
            Ok(())
        }
        Next::Send(due) => send(st, *due).await,
    }
}

async fn send(st: &AppState, due: Due) -> Result<(), JobError> {
    let Due { delivery: d, endpoint: ep, body } = due;
    let key = &st.config.secret_key;
    let open = |sealed_text: &str| -> Result<Secret, JobError> {
        let text =
            sealed::open(key, SEAL_CONTEXT, sealed_text).map_err(|_| JobError::permanent("the endpoint's secret cannot be decrypted (was SECRET_KEY changed?)"))?;
        Secret::parse(&text).map_err(|e| JobError::permanent(format!("the endpoint's secret is not valid: {e}")))
    };
    let started_at = st.clock.now_ms();
    let mut secrets = vec![open(&ep.secret_sealed)?];
    if let (Some(prev), Some(until)) = (&ep.previous_secret_sealed, ep.previous_expires_at) {
        if until > started_at {
            secrets.push(open(prev)?);
        }
    }
    let ts = started_at / 1000;
    let refs: Vec<&Secret> = secrets.iter().collect();
    let signature = crate::server::webhooks::signing::signature_header(&refs, &d.event_id, ts, body.as_bytes());
    let headers = [
        ("webhook-id", d.event_id.clone()),
        ("webhook-timestamp", ts.to_string()),
        ("webhook-signature", signature),
        ("user-agent", "Talkdeck-Webhooks/1.0".to_string()),
    ];
    let attempt = sender(st.config.webhook_allow_private_targets)?.send(&ep.url, &headers, body.into_bytes()).await;
    let now = st.clock.now_ms();
    let number = d.attempts + 1;
    let status = attempt.status.map(i64::from);
    let error = match (&attempt.error, attempt.status) {
        _ if attempt.succeeded() => None,
        (Some(e), _) => Some(e.clone()),
        (None, Some(s)) if !attempt.succeeded() => Some(format!("answered {s}")),
        _ => None,
    };
    st.write(async |tx| {
        let (state, next_at) = if attempt.succeeded() {
            (DeliveryState::Succeeded, None)
        } else if attempt.gone() {
            (DeliveryState::Failed, None)
        } else {
            let jitter = rand::random::<f64>();
            match schedule::delay(number as u32, jitter) {
                Some(wait) => (DeliveryState::Pending, Some(now + wait.as_millis() as i64)),
                None => (DeliveryState::Failed, None),
            }
        };
        if !db::record_attempt(&mut *tx, &d, state.as_str(), next_at, status, error.as_deref(), now).await? {
            // Another run of this job recorded this attempt already.
            return Ok(());
        }
        db::insert_attempt(&mut *tx, &new_id(), &d, started_at, status, &attempt.excerpt, attempt.duration_ms, error.as_deref()).await?;
        publish(st, &mut *tx, &d.project_id, &ep.id, &d.id).await?;
        if let Some(at) = next_at {
            jobs::enqueue(&mut *tx, deliver_job(&d.project_id, &d.id, now_ms() + (at - now))).await?;
        }
        db::mark_health(&mut *tx, &d.project_id, &ep.id, attempt.succeeded(), now).await?;
        // The run of failures this one belongs to (as `mark_health` just stored it).
        let run_since = match (ep.failing_since, ep.last_failure_at) {
            (Some(since), Some(last)) if last >= now - db::STREAK_GAP_MS => since,
            _ => now,
        };
        // A delivery whose retries ran out has failed for about three days (71.5 h ± jitter).
        let exhausted = state == DeliveryState::Failed;
        if attempt.gone() {
            disable(st, tx, &ep, "The endpoint answered 410 Gone.", now, false).await?;
        } else if !attempt.succeeded() && (now - run_since >= FAILING_LIMIT_MS || (exhausted && now - run_since >= EXHAUSTED_LIMIT_MS)) {
            disable(st, tx, &ep, "Every delivery to it failed for three days.", now, true).await?;
        }
        Ok(())
    })
    .await?;
    Ok(())
}

/// Disables an endpoint as the system and, when `mail`, tells the project's admins.
async fn disable(st: &AppState, tx: &mut Tx, ep: &EndpointRow, reason: &str, now: i64, mail: bool) -> Result<(), AppError> {
    if !db::disable(&mut *tx, &ep.project_id, &ep.id, reason, now).await? {
        return Ok(());
    }
    audit::record(&mut *tx, &Actor::System, &ep.project_id, AuditAction::WebhookEndpointDisabled, Some(&ep.id), Some(reason)).await?;
    if mail {
        let project = crate::server::db::projects::find(&mut *tx, &ep.project_id).await?.ok_or_else(AppError::internal)?;
        let link = st.config.link("/settings/webhooks");
        for m in crate::server::db::projects::members(&mut *tx, &ep.project_id).await? {
            if m.role.can_manage() {
                let mail = crate::server::mail::templates::webhook_disabled(&m.email, &project.name, &ep.url, reason, &link);
                jobs::mail::enqueue(&mut *tx, st, &mail).await?;
            }
        }
    }
    Ok(())
}
