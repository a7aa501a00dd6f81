//! Calls: placing them, their lifecycle, cancelling, reading them back, and the background work
//! that moves them (admission under the project's concurrency limit, the simulator's script, the
//! reconciler, post-call analysis).
//!
//! Decisions:
//! - Members and above place and cancel calls; viewers read them.
//! - A call is stored `queued` with a snapshot of its agent (version, rendered prompt and first
//!   message), then admitted by a `call.dispatch` job: under the project's row lock it counts the
//!   live calls and starts queued ones while there is room, so the limit holds across processes.
//! - Every status change is a guarded write (`WHERE status = $read AND step = $read`) plus a call
//!   event and a change-feed entry, in one transaction; a step that lost a race does nothing.
//! - A `call.reconcile` job, scheduled when the call starts, ends it past its maximum duration
//!   plus a margin (`internal_error`), so no call stays live after a crash.
//! - `Idempotency-Key`: same key and same request give the first call back; another request
//!   under the key is refused (422). Keys are per project and kept 24 hours.

use super::access::{self, Need};
use crate::model::{
    AgentView, AnalysisResult, AppError, CallAnalysisView, CallEventView, CallListItem, CallStatus, CallView, Direction, EndReason, ErrorCode, EventType,
    TranscriptSegment,
};
use crate::server::auth::Actor;
use crate::server::db::calls::{self as db, CallRow};
use crate::server::db::native::Reader;
use crate::server::db::twilio::TwilioCallRow;
use crate::server::db::{new_id, now_ms, Tx};
use crate::server::domain::E164;
use crate::server::feed::{self, Change};
use crate::server::jobs::{self, JobContext, JobError, NewJob};
use crate::server::simulator::replay::Line;
use crate::server::state::AppState;
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;
use std::collections::{BTreeMap, HashMap};

pub const DISPATCH: &str = "call.dispatch";
pub const STEP: &str = "call.step";
pub const RECONCILE: &str = "call.reconcile";
pub const ANALYZE: &str = "call.analyze";
/// How long past its maximum duration a started call may stay unfinished before the reconciler
/// ends it.
const RECONCILE_MARGIN_MS: i64 = 60_000;
/// What a simulated minute costs, in micro-units of the currency (shown, never charged).
const SIMULATED_MICROS_PER_MINUTE: i64 = 70_000;

pub fn call_not_found() -> AppError {
    AppError::not_found("Call")
}

/// A placement request, as the entry points received it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PlaceCall {
    /// Default: the project's active agent.
    pub agent_id: Option<String>,
    /// The project, when no agent is named (default: the caller's active project).
    pub project_id: Option<String>,
    pub to: String,
    /// Default: the agent's first outbound number.
    pub from: Option<String>,
    pub variables: BTreeMap<String, String>,
    pub metadata: serde_json::Value,
    /// Start after this many seconds (0 or none: now). Kept relative so that a retry with the
    /// same idempotency key is the same request.
    pub delay_secs: Option<i64>,
}

/// A placed call, and whether it was placed by an earlier request with the same idempotency key.
pub struct Placed {
    pub call: CallView,
    pub replayed: bool,
}

fn request_hash(agent_id: &str, req: &PlaceCall) -> String {
    let canonical = serde_json::json!({
        "agent_id": agent_id, "to": req.to.trim(), "from": req.from.as_deref().map(str::trim),
        "variables": req.variables, "metadata": req.metadata, "delay_secs": req.delay_secs,
    });
    crate::server::auth::secrets::sha256_hex(&canonical.to_string())
}

/// Places a call (members and up). See the module documentation for what happens next.
pub async fn place(st: &AppState, tx: &mut Tx, actor: &Actor, req: PlaceCall, idempotency_key: Option<&str>) -> Result<Placed, AppError> {
    let named_project = req.project_id.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let agent = match req.agent_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        // Talkstack names both: an agent of another project is not found.
        Some(id) => match named_project {
            Some(pid) => super::agents::get_in(&mut *tx, actor, pid, id).await?,
            None => super::agents::get(&mut *tx, actor, id).await?,
        },
        None => {
            let pid = super::projects::resolve(actor, req.project_id.as_deref())
                .ok_or_else(|| AppError::field("agent_id", "Name the agent to call with, or set an active project first."))?;
            super::agents::get_active(&mut *tx, actor, &pid)
                .await?
                .ok_or_else(|| AppError::field("agent_id", "Name the agent to call with: this project has no active agent."))?
        }
    };
    access::project(&mut *tx, actor, &agent.project_id, Need::Edit).await?;
    let key = idempotency_key.map(str::trim).filter(|k| !k.is_empty());
    if let Some(k) = key {
        if k.len() > 255 {
            return Err(AppError::field("Idempotency-Key", "Keep the idempotency key under 256 characters."));
        }
    }
    let hash = request_hash(&agent.id, &req);
    let now = now_ms();
    if let Some(k) = key {
        if let Some(placed) = replay(&mut *tx, &agent.project_id, k, &hash, now).await? {
            return Ok(placed);
        }
    }
    let mut row = new_call(actor, &agent, &req, now)?;
    let twilio = super::twilio_calls::route(st, &mut *tx, &agent, &mut row, now).await?;
    if let Some(k) = key {
        // The primary key decides between concurrent requests with one key: on PostgreSQL the
        // loser's insert waits for the winner's commit, fails, and the loser answers with the
        // winner's call (SQLite's single writer has the loser see the key in `replay` above).
        let mut sp = sqlx::Connection::begin(&mut **tx).await?;
        let r = db::remember_key(&mut sp, &agent.project_id, k, &hash, &row.id, now).await;
        if let Err(e) = crate::server::db::settle(sp, r).await {
            if crate::server::error::is_unique_violation(&e) {
                return replay(&mut *tx, &agent.project_id, k, &hash, now).await?.ok_or_else(AppError::internal);
            }
            return Err(e.into());
        }
    }
    store_queued(st, tx, &row, twilio.as_ref(), "", row.scheduled_at.unwrap_or(now)).await?;
    Ok(Placed { call: view(&row, None)?, replayed: false })
}

/// One attempt of a batch row: what the dispatcher asks for.
pub struct BatchAttempt<'a> {
    pub batch_id: &'a str,
    pub row_id: &'a str,
    pub row_no: i64,
    /// 1 for the first attempt.
    pub attempt: i64,
    pub from: &'a str,
    pub to: &'a str,
    pub variables: &'a BTreeMap<String, String>,
}

/// Places one attempt of a batch row as the system (the batch dispatcher checked access when
/// the batch was started): queued like any call, with its batch, row and attempt stored. The
/// unique (row, attempt) index refuses a second call for the same attempt, whatever retries.
pub async fn place_for_batch(st: &AppState, tx: &mut Tx, agent: &AgentView, a: &BatchAttempt<'_>, now: i64) -> Result<CallView, AppError> {
    let req = PlaceCall {
        agent_id: Some(agent.id.clone()),
        to: a.to.to_string(),
        from: Some(a.from.to_string()),
        variables: a.variables.clone(),
        metadata: serde_json::json!({ "batch_id": a.batch_id, "batch_row": a.row_no, "batch_attempt": a.attempt }),
        ..Default::default()
    };
    let mut row = new_call(&Actor::System, agent, &req, now)?;
    row.batch_id = Some(a.batch_id.to_string());
    row.batch_row_id = Some(a.row_id.to_string());
    row.batch_attempt = Some(a.attempt);
    let twilio = super::twilio_calls::route(st, &mut *tx, agent, &mut row, now).await?;
    store_queued(st, tx, &row, twilio.as_ref(), "batch call", now).await?;
    view(&row, None)
}

/// Cancels a call that has not been answered, as the system (a batch being canceled). `false`
/// when the call had already moved on.
pub async fn cancel_as_system(st: &AppState, tx: &mut Tx, project_id: &str, call_id: &str, detail: &str) -> Result<bool, AppError> {
    let Some(row) = db::find(&mut *tx, project_id, call_id).await? else { return Ok(false) };
    if !row.status.can_become(CallStatus::Canceled) {
        return Ok(false);
    }
    let now = now_ms();
    let mut next = row.clone();
    end(&mut next, CallStatus::Canceled, EndReason::Canceled, now);
    transition(st, tx, &row, next, detail, now).await
}

/// The caller number of a test inbound call when none is given (its last four digits pick an
/// ordinary conversation).
const TEST_CALLER: &str = "+14155550142";

/// Places a test inbound call to one of the project's numbers (members and up): it reaches the
/// number's inbound agent, as a real caller would. `from` (default a test caller) picks the
/// simulator's outcome by its last four digits, like a destination does for outbound calls.
pub async fn test_inbound(
    st: &AppState,
    tx: &mut Tx,
    actor: &Actor,
    number_id: &str,
    from: Option<&str>,
    variables: BTreeMap<String, String>,
) -> Result<CallView, AppError> {
    let not_found = || AppError::not_found("Phone number");
    let project_id = crate::server::db::numbers::project_of(&mut *tx, number_id).await?.ok_or_else(not_found)?;
    access::project(&mut *tx, actor, &project_id, Need::Edit)
        .await
        .map_err(|e| if e.code == ErrorCode::NotFound { not_found() } else { e })?;
    let number = crate::server::db::numbers::find(&mut *tx, &project_id, number_id).await?.ok_or_else(not_found)?;
    let links = crate::server::db::agents::links(&mut *tx, &project_id).await?;
    let Some(link) = links.iter().find(|l| l.phone_number_id == number.id && l.direction == Direction::Inbound) else {
        return Err(AppError::new(ErrorCode::Conflict, format!("No agent answers inbound calls on {}: assign an inbound agent to it first.", number.e164)));
    };
    let agent = super::agents::get(&mut *tx, actor, &link.agent_id).await?;
    let caller = E164::parse(from.map(str::trim).filter(|s| !s.is_empty()).unwrap_or(TEST_CALLER), None, "from")?;
    let values: HashMap<String, String> = variables.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    let (prompt, first_message) = super::agents::render(&agent, &values)?;
    let now = now_ms();
    let row = CallRow {
        direction: Direction::Inbound,
        from_number: caller.as_str().to_string(),
        to_number: number.e164.clone(),
        prompt,
        first_message,
        variables: serde_json::to_string(&variables).map_err(|_| AppError::internal())?,
        ..queued_row(actor, &agent, now)
    };
    store_queued(st, tx, &row, None, "test inbound call", now).await?;
    view(&row, None)
}

async fn replay(c: &mut AnyConnection, project_id: &str, key: &str, hash: &str, now: i64) -> Result<Option<Placed>, AppError> {
    let Some((stored_hash, call_id)) = db::idempotent_call(&mut *c, project_id, key, now).await? else { return Ok(None) };
    if stored_hash != hash {
        return Err(AppError::new(ErrorCode::IdempotencyKeyReused, "This Idempotency-Key was already used with a different request. Use a new key for a new call."));
    }
    let row = db::find(&mut *c, project_id, &call_id).await?.ok_or_else(call_not_found)?;
    Ok(Some(Placed { call: view(&row, None)?, replayed: true }))
}

/// The queued call for a request: checks the destination, the caller number and the variables.
fn new_call(actor: &Actor, agent: &AgentView, req: &PlaceCall, now: i64) -> Result<CallRow, AppError> {
    if agent.direction == Direction::Inbound {
        return Err(AppError::field("agent_id", format!("\"{}\" only answers inbound calls: switch it to outbound to place calls.", agent.name)));
    }
    let to = E164::parse(&req.to, None, "to")?;
    let from = match req.from.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(raw) => {
            let f = E164::parse(raw, None, "from")?;
            if !agent.phone_numbers.iter().any(|n| n.number == f.as_str()) {
                return Err(AppError::field("from", format!("{} is not one of \"{}\"'s numbers.", f.as_str(), agent.name)));
            }
            f.as_str().to_string()
        }
        None => agent
            .phone_numbers
            .first()
            .map(|n| n.number.clone())
            .ok_or_else(|| AppError::field("from", format!("\"{}\" has no phone number to call from. Assign an outbound number to it first.", agent.name)))?,
    };
    if !req.metadata.is_null() && !req.metadata.is_object() {
        return Err(AppError::field("metadata", "metadata must be a JSON object."));
    }
    let values: HashMap<String, String> = req.variables.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    let (prompt, first_message) = super::agents::render(agent, &values)?;
    let metadata = if req.metadata.is_null() { serde_json::json!({}) } else { req.metadata.clone() };
    Ok(CallRow {
        from_number: from,
        to_number: to.as_str().to_string(),
        prompt,
        first_message,
        variables: serde_json::to_string(&req.variables).map_err(|_| AppError::internal())?,
        metadata: metadata.to_string(),
        scheduled_at: req.delay_secs.filter(|d| *d > 0).map(|d| now + d.saturating_mul(1000)),
        ..queued_row(actor, agent, now)
    })
}

/// A queued call of `agent` with everything but its numbers, rendered texts and variables.
pub(super) fn queued_row(actor: &Actor, agent: &AgentView, now: i64) -> CallRow {
    CallRow {
        agent_id: Some(agent.id.clone()),
        agent_name: agent.name.clone(),
        agent_version: agent.version,
        speaks_first: agent.speaks_first,
        max_duration_secs: agent.max_duration_secs,
        recording_enabled: agent.recording,
        ..blank_row(actor, &agent.project_id, now)
    }
}

/// A queued simulated call of the project with no agent, numbers or texts yet.
pub(super) fn blank_row(actor: &Actor, project_id: &str, now: i64) -> CallRow {
    CallRow {
        id: new_id(),
        project_id: project_id.to_string(),
        agent_id: None,
        agent_name: String::new(),
        agent_version: 0,
        direction: Direction::Outbound,
        from_number: String::new(),
        to_number: String::new(),
        status: CallStatus::Queued,
        end_reason: None,
        answered_by: None,
        // Every simulated call is a test call; `twilio_calls::route` makes Twilio calls live ones.
        provider: "simulator".into(),
        provider_call_id: None,
        is_test: true,
        prompt: String::new(),
        first_message: String::new(),
        speaks_first: crate::model::SpeaksFirst::Agent,
        max_duration_secs: crate::model::agent::defaults::MAX_DURATION_SECS,
        recording_enabled: false,
        recording_path: None,
        variables: "{}".into(),
        metadata: "{}".into(),
        transcript: "[]".into(),
        step: 0,
        cost_micros: 0,
        currency: "USD".into(),
        scheduled_at: None,
        created_by: actor.user_id().map(str::to_string),
        created_at: now,
        started_at: None,
        answered_at: None,
        ended_at: None,
        duration_ms: None,
        updated_at: now,
        sentiment: None,
        success: None,
        batch_id: None,
        batch_row_id: None,
        batch_attempt: None,
    }
}

/// Stores a new `queued` call (with its Twilio snapshot when it runs on Twilio), its first event,
/// its `call.queued` webhook event, a dispatch at `dispatch_at` and the live update.
async fn store_queued(st: &AppState, tx: &mut Tx, row: &CallRow, twilio: Option<&TwilioCallRow>, detail: &str, dispatch_at: i64) -> Result<(), AppError> {
    db::insert(&mut *tx, row).await?;
    if let Some(t) = twilio {
        crate::server::db::twilio::insert_call(&mut *tx, t).await?;
    }
    queued_follow_up(st, tx, row, detail, dispatch_at).await
}

/// What follows storing a queued call: its first event, its `call.queued` webhook event, a
/// dispatch at `dispatch_at` and the live update.
pub(super) async fn queued_follow_up(st: &AppState, tx: &mut Tx, row: &CallRow, detail: &str, dispatch_at: i64) -> Result<(), AppError> {
    db::insert_event(&mut *tx, &row.project_id, &row.id, CallStatus::Queued, detail, row.created_at).await?;
    super::webhooks::emit_call(st, &mut *tx, row, EventType::CallQueued, None).await?;
    jobs::enqueue(&mut *tx, dispatch_job(&row.project_id, dispatch_at)).await?;
    publish(st, &mut *tx, row).await
}

fn dispatch_job(project_id: &str, at: i64) -> NewJob {
    NewJob::new(DISPATCH, serde_json::json!({ "project_id": project_id })).run_at(at)
}

pub(super) async fn publish(st: &AppState, c: &mut AnyConnection, row: &CallRow) -> Result<(), AppError> {
    let change = Change {
        project_id: row.project_id.clone(),
        kind: "call".into(),
        id: row.id.clone(),
        data: serde_json::json!({ "status": row.status.as_str(), "step": row.step }),
    };
    feed::publish(c, st.db.backend(), &change).await?;
    Ok(())
}

/// A stored JSON column that does not decode is a corrupt row: an error, never a default.
fn stored_json<T: serde::de::DeserializeOwned>(row: &CallRow, column: &str, text: &str) -> Result<T, AppError> {
    serde_json::from_str(text).map_err(|e| {
        tracing::error!(table = "calls", id = %row.id, column, error = %e, "corrupt stored value");
        AppError::internal()
    })
}

pub fn view(row: &CallRow, analysis: Option<CallAnalysisView>) -> Result<CallView, AppError> {
    into_view(row.clone(), analysis)
}

/// [`view`] of a row the caller no longer needs: its strings move into the view.
pub fn into_view(row: CallRow, analysis: Option<CallAnalysisView>) -> Result<CallView, AppError> {
    let variables = stored_json(&row, "variables", &row.variables)?;
    let metadata = stored_json(&row, "metadata", &row.metadata)?;
    let transcript = stored_json(&row, "transcript", &row.transcript)?;
    let recording_status = super::recordings::status_of(&row);
    Ok(CallView {
        has_recording: row.recording_path.is_some(),
        id: row.id,
        project_id: row.project_id,
        agent_id: row.agent_id,
        agent_name: row.agent_name,
        agent_version: row.agent_version,
        direction: row.direction,
        from: row.from_number,
        to: row.to_number,
        status: row.status,
        end_reason: row.end_reason,
        answered_by: row.answered_by,
        is_test: row.is_test,
        variables,
        metadata,
        transcript,
        recording_status,
        recording_note: None,
        recording: None,
        cost: row.cost_micros as f64 / 1_000_000.0,
        currency: row.currency,
        scheduled_at: row.scheduled_at,
        created_at: row.created_at,
        started_at: row.started_at,
        answered_at: row.answered_at,
        ended_at: row.ended_at,
        duration_ms: row.duration_ms,
        analysis,
        sentiment: row.sentiment,
        success: row.success,
    })
}

fn analysis_view(r: &db::AnalysisRow) -> Result<CallAnalysisView, AppError> {
    let result: AnalysisResult = serde_json::from_str(&r.result).map_err(|e| {
        tracing::error!(table = "call_analyses", id = %r.id, error = %e, "corrupt stored value");
        AppError::internal()
    })?;
    let note = serde_json::from_str::<serde_json::Value>(&r.result).ok().and_then(|v| v.get("note").and_then(|n| n.as_str()).map(str::to_string));
    Ok(CallAnalysisView { version: r.version, source: r.source.clone(), created_at: r.created_at, note, result })
}

/// Finds a call the caller may act on with `need`; invisible or unknown calls are 404.
async fn load(c: &mut AnyConnection, actor: &Actor, call_id: &str, need: Need) -> Result<CallRow, AppError> {
    let project_id = db::project_of(&mut *c, call_id).await?.ok_or_else(call_not_found)?;
    access::project(&mut *c, actor, &project_id, need)
        .await
        .map_err(|e| if e.code == ErrorCode::NotFound { call_not_found() } else { e })?;
    db::find(&mut *c, &project_id, call_id).await?.ok_or_else(call_not_found)
}

/// A call with its latest analysis and its recording (status, and a signed link when ready).
pub async fn get(st: &AppState, c: &mut AnyConnection, actor: &Actor, call_id: &str) -> Result<CallView, AppError> {
    let row = load(&mut *c, actor, call_id, Need::Read).await?;
    let latest = db::analyses(&mut *c, &row.project_id, &row.id).await?.last().map(analysis_view).transpose()?;
    let mut v = view(&row, latest)?;
    (v.recording_status, v.recording_note, v.recording) = super::recordings::describe(&mut *c, &st.config.secret_key, &row).await?;
    v.has_recording = v.recording.is_some();
    Ok(v)
}

/// The latest analysis of a call (background work: no access check).
pub async fn latest_analysis(c: &mut AnyConnection, row: &CallRow) -> Result<Option<CallAnalysisView>, AppError> {
    db::analyses(&mut *c, &row.project_id, &row.id).await?.last().map(analysis_view).transpose()
}

/// Every analysis version of a call, oldest first.
pub async fn analyses(c: &mut AnyConnection, actor: &Actor, call_id: &str) -> Result<Vec<CallAnalysisView>, AppError> {
    let row = load(&mut *c, actor, call_id, Need::Read).await?;
    db::analyses(&mut *c, &row.project_id, &row.id).await?.iter().map(analysis_view).collect()
}

pub async fn events(c: &mut AnyConnection, actor: &Actor, call_id: &str) -> Result<Vec<CallEventView>, AppError> {
    let row = load(&mut *c, actor, call_id, Need::Read).await?;
    Ok(db::events(&mut *c, &row.project_id, &row.id)
        .await?
        .into_iter()
        .map(|e| CallEventView { status: e.status, detail: e.detail, at: e.created_at })
        .collect())
}

/// Checks that the caller may follow the project's calls live.
pub async fn watch(c: &mut AnyConnection, actor: &Actor, project_id: &str) -> Result<(), AppError> {
    access::project(&mut *c, actor, project_id, Need::Read).await.map(drop)
}

/// One keyset page of a project's calls, newest first.
pub async fn page(
    r: &mut Reader<'_>,
    actor: &Actor,
    project_id: &str,
    filter: &db::CallFilter,
    before: Option<(i64, String)>,
    limit: i64,
) -> Result<Vec<CallView>, AppError> {
    page_of(r, actor, project_id, filter, before, limit, |row| into_view(row, None)).await
}

/// [`page`] as the dashboard's list rows, which show neither variables nor metadata (so they are
/// not parsed).
pub async fn page_items(
    r: &mut Reader<'_>,
    actor: &Actor,
    project_id: &str,
    filter: &db::CallFilter,
    before: Option<(i64, String)>,
    limit: i64,
) -> Result<Vec<CallListItem>, AppError> {
    page_of(r, actor, project_id, filter, before, limit, |c| {
        Ok(CallListItem {
            id: c.id,
            direction: c.direction,
            from: c.from_number,
            to: c.to_number,
            agent_name: c.agent_name,
            status: c.status,
            end_reason: c.end_reason,
            is_test: c.is_test,
            created_at: c.created_at,
            started_at: c.started_at,
            duration_ms: c.duration_ms,
            sentiment: c.sentiment,
            success: c.success,
        })
    })
    .await
}

async fn page_of<T>(
    r: &mut Reader<'_>,
    actor: &Actor,
    project_id: &str,
    filter: &db::CallFilter,
    before: Option<(i64, String)>,
    limit: i64,
    out: impl Fn(CallRow) -> Result<T, AppError>,
) -> Result<Vec<T>, AppError> {
    access::check_read(r, actor, project_id, Need::Read).await?;
    db::page(r.native().await?, project_id, filter, before, limit).await?.into_iter().map(out).collect()
}

/// Cancels a call that has not been answered (members and up).
pub async fn cancel(st: &AppState, tx: &mut Tx, actor: &Actor, call_id: &str) -> Result<CallView, AppError> {
    let row = load(&mut *tx, actor, call_id, Need::Edit).await?;
    if !row.status.can_become(CallStatus::Canceled) {
        return Err(AppError::new(ErrorCode::Conflict, format!("This call is {} and can no longer be canceled.", row.status.as_str())));
    }
    let now = now_ms();
    let mut next = row.clone();
    end(&mut next, CallStatus::Canceled, EndReason::Canceled, now);
    if !transition(st, tx, &row, next.clone(), "canceled by request", now).await? {
        let current = db::find(&mut *tx, &row.project_id, &row.id).await?.ok_or_else(call_not_found)?;
        return Err(AppError::new(ErrorCode::Conflict, format!("This call is {} and can no longer be canceled.", current.status.as_str())));
    }
    view(&next, None)
}

pub(super) fn end(row: &mut CallRow, status: CallStatus, reason: EndReason, now: i64) {
    row.status = status;
    row.end_reason = Some(reason);
    row.ended_at = Some(now);
    if let Some(answered) = row.answered_at {
        let d = (now - answered).max(0);
        row.duration_ms = Some(d);
    } else {
        row.duration_ms = Some(0);
    }
}

/// `row` ended by us rather than by its script: an answered call completes, any other fails,
/// both with `internal_error`.
fn cut_short(row: &CallRow, now: i64) -> CallRow {
    let mut next = row.clone();
    let status = if row.status == CallStatus::InProgress { CallStatus::Completed } else { CallStatus::Failed };
    end(&mut next, status, EndReason::InternalError, now);
    next
}

/// Writes `next` over `before` if nobody moved the call meanwhile; records the event, publishes
/// the change and, when the call ended, enqueues its analysis and a dispatch (a line came free).
pub(super) async fn transition(st: &AppState, tx: &mut Tx, before: &CallRow, mut next: CallRow, detail: &str, now: i64) -> Result<bool, AppError> {
    next.updated_at = now;
    if !db::update_state(&mut *tx, &next, before.status, before.step).await? {
        return Ok(false);
    }
    if next.status != before.status {
        db::insert_event(&mut *tx, &next.project_id, &next.id, next.status, detail, now).await?;
        let event = match next.status {
            CallStatus::Ringing => Some(EventType::CallRinging),
            CallStatus::InProgress => Some(EventType::CallAnswered),
            s if s.is_final() => Some(EventType::CallEnded),
            _ => None,
        };
        if let Some(event) = event {
            super::webhooks::emit_call(st, &mut *tx, &next, event, None).await?;
        }
    }
    if next.transcript != before.transcript {
        db::index_search(&mut *tx, &next).await?;
    }
    if next.status.is_final() && !before.status.is_final() {
        super::stats::call_finished(&mut *tx, &next).await?;
        super::hubspot::on_call(&mut *tx, &next, "ended").await?;
        if next.batch_row_id.is_some() {
            super::batch_run::call_ended(st, tx, &next).await?;
        }
        if next.provider == super::twilio_calls::PROVIDER {
            super::twilio_calls::on_ended(&mut *tx, &next).await?;
        }
    }
    if next.status.is_final() {
        super::recordings::on_call_ended(&mut *tx, &next, now).await?;
        if next.answered_at.is_some() {
            let payload = serde_json::json!({ "project_id": next.project_id, "call_id": next.id });
            jobs::enqueue(&mut *tx, NewJob::new(ANALYZE, payload)).await?;
        }
        if before.status.is_live() {
            jobs::enqueue(&mut *tx, dispatch_job(&next.project_id, now)).await?;
        }
    }
    publish(st, &mut *tx, &next).await?;
    Ok(true)
}

// ---- background work ----------------------------------------------------------------------------

#[derive(Deserialize)]
struct ProjectPayload {
    project_id: String,
}

#[derive(Deserialize)]
struct CallPayload {
    project_id: String,
    call_id: String,
}

#[derive(Deserialize)]
struct StepPayload {
    project_id: String,
    call_id: String,
    step: i64,
}

/// Registers the call jobs.
pub fn register(r: &mut jobs::Registry) {
    r.register(DISPATCH, dispatch);
    r.register(STEP, step);
    r.register(RECONCILE, reconcile);
    r.register(ANALYZE, analyze);
    super::recordings::register(r);
    super::twilio_calls::register(r);
}

/// Starts the project's due queued calls while it has free lines.
async fn dispatch(st: AppState, job: JobContext) -> Result<(), JobError> {
    let p: ProjectPayload = job.json()?;
    let state = st.clone();
    st.write(async |tx| admit(&state, tx, &p.project_id).await).await?;
    Ok(())
}

async fn admit(st: &AppState, tx: &mut Tx, project_id: &str) -> Result<(), AppError> {
    let Some(limit) = db::lock_project(&mut *tx, project_id).await? else { return Ok(()) };
    let live = db::live_count(&mut *tx, project_id).await?;
    let room = (limit - live).max(0);
    if room == 0 {
        return Ok(());
    }
    let now = now_ms();
    for row in db::due_queued(&mut *tx, project_id, now, room).await? {
        let mut next = row.clone();
        next.status = CallStatus::Initiated;
        next.started_at = Some(now);
        next.step = 1;
        if transition(st, tx, &row, next.clone(), "", now).await? {
            if next.provider == super::twilio_calls::PROVIDER {
                jobs::enqueue(&mut *tx, super::twilio_calls::create_job(&next)).await?;
            } else {
                jobs::enqueue(&mut *tx, step_job(&next, now)).await?;
            }
            jobs::enqueue(&mut *tx, reconcile_job(&next, now)).await?;
        }
    }
    Ok(())
}

/// When the reconciler ends a call whose time started at `from` if it is still live.
fn reconcile_deadline(row: &CallRow, from: i64) -> i64 {
    from + row.max_duration_secs * 1000 + RECONCILE_MARGIN_MS
}

/// The reconciler's check of a call whose time started at `from`.
pub(super) fn reconcile_job(row: &CallRow, from: i64) -> NewJob {
    NewJob::new(RECONCILE, serde_json::json!({ "project_id": row.project_id, "call_id": row.id })).run_at(reconcile_deadline(row, from))
}

fn step_job(row: &CallRow, at: i64) -> NewJob {
    NewJob::new(STEP, serde_json::json!({ "project_id": row.project_id, "call_id": row.id, "step": row.step })).run_at(at)
}

/// Plays the next step of a simulated call's script. With a model configured, the call's
/// conversation is written by the model first (outside any transaction), once, and stored.
async fn step(st: AppState, job: JobContext) -> Result<(), JobError> {
    let p: StepPayload = job.json()?;
    let lines = match &st.config.llm {
        Some(cfg) => model_lines(&st, cfg, &p).await?,
        None => None,
    };
    let state = st.clone();
    st.write(async |tx| play_step(&state, tx, &p.project_id, &p.call_id, p.step, lines.as_deref()).await).await?;
    Ok(())
}

fn script_input(row: &CallRow) -> crate::server::simulator::ScriptInput<'_> {
    crate::server::simulator::ScriptInput {
        call_id: &row.id,
        // The other party's number picks the outcome: the destination, or an inbound caller.
        to_e164: if row.direction == Direction::Inbound { &row.from_number } else { &row.to_number },
        first_message: &row.first_message,
        prompt: &row.prompt,
        speaks_first: row.speaks_first,
        max_duration_secs: row.max_duration_secs,
        agent_name: &row.agent_name,
    }
}

/// The model-written lines of a call's conversation: read from the database, or written now
/// (the model asked for each line the script engine needs, see `simulator::replay`) and stored
/// (the first stored version wins). `None` when the step has nothing to play.
async fn model_lines(st: &AppState, cfg: &crate::server::config::LlmConfig, p: &StepPayload) -> Result<Option<Vec<Line>>, JobError> {
    use crate::server::db::recordings as conv;
    let found = st
        .read(async |c| {
            let Some(row) = db::find(&mut *c, &p.project_id, &p.call_id).await? else { return Ok(None) };
            let stored = conv::conversation(&mut *c, &p.project_id, &p.call_id).await?;
            Ok(Some((row, stored)))
        })
        .await?;
    let Some((row, stored)) = found else { return Ok(None) };
    if row.status.is_final() || row.step != p.step {
        return Ok(None);
    }
    if let Some(text) = stored {
        return Ok(Some(serde_json::from_str(&text).map_err(|e| JobError::permanent(format!("corrupt stored conversation: {e}")))?));
    }
    let input = script_input(&row);
    let endless = crate::server::simulator::outcome_for(input.to_e164) == crate::server::simulator::Magic::MaxDuration;
    let ctx = crate::server::llm::CallContext {
        prompt: &row.prompt,
        first_message: &row.first_message,
        // As the built-in script: a call that runs to its limit has an interested caller.
        persona: if endless { crate::server::simulator::Persona::Interested } else { crate::server::simulator::Persona::for_call(&row.id) },
        inbound: row.direction == Direction::Inbound,
        endless,
    };
    let llm = crate::server::llm::Llm::new(cfg);
    let mut lines: Vec<Line> = Vec::new();
    loop {
        let mut replay = crate::server::simulator::replay::Replay::new(&input, &lines, endless);
        let _ = crate::server::simulator::script_with(&input, &mut replay);
        let Some(need) = replay.need().cloned() else { break };
        let line = if lines.len() >= crate::server::simulator::replay::MAX_MODEL_LINES {
            Line { role: need.role, text: None, hangs_up: true }
        } else {
            let (text, hangs_up) = llm.line(need.role, &ctx, &need.transcript).await.map_err(|e| JobError::new(e.to_string()))?;
            Line { role: need.role, text, hangs_up }
        };
        lines.push(line);
    }
    let text = serde_json::to_string(&lines).map_err(|e| JobError::new(e.to_string()))?;
    let model = cfg.model.clone();
    let stored = st.write(async |tx| Ok(conv::save_conversation(&mut *tx, &row.project_id, &row.id, &model, &text, now_ms()).await?)).await?;
    Ok(Some(serde_json::from_str(&stored).map_err(|e| JobError::permanent(format!("corrupt stored conversation: {e}")))?))
}

async fn play_step(st: &AppState, tx: &mut Tx, project_id: &str, call_id: &str, step: i64, lines: Option<&[Line]>) -> Result<(), AppError> {
    let Some(row) = db::find(&mut *tx, project_id, call_id).await? else { return Ok(()) };
    if row.status.is_final() || row.step != step {
        // Already played, or the call ended (canceled, reconciled): nothing to do.
        return Ok(());
    }
    let input = script_input(&row);
    let script = match lines {
        None => crate::server::simulator::script(&input),
        Some(lines) => {
            let endless = crate::server::simulator::outcome_for(input.to_e164) == crate::server::simulator::Magic::MaxDuration;
            crate::server::simulator::script_with(&input, &mut crate::server::simulator::replay::Replay::new(&input, lines, endless))
        }
    };
    let Some((offset, action)) = script.steps.get(step as usize).cloned() else {
        // A script shorter than the steps played: end the call rather than leave it live.
        let now = now_ms();
        transition(st, tx, &row, cut_short(&row, now), "script ended early", now).await?;
        return Ok(());
    };
    let now = now_ms();
    let mut next = row.clone();
    next.step = step + 1;
    let mut detail = String::new();
    use crate::server::simulator::Step;
    match action {
        Step::Initiated => {}
        Step::Ringing => next.status = CallStatus::Ringing,
        Step::Answered { by } => {
            next.status = CallStatus::InProgress;
            next.answered_at = Some(now);
            next.answered_by = Some(by);
        }
        Step::Segment(seg) => {
            let mut transcript: Vec<TranscriptSegment> = stored_json(&row, "transcript", &row.transcript)?;
            transcript.push(seg);
            next.transcript = serde_json::to_string(&transcript).map_err(|_| AppError::internal())?;
        }
        Step::Ended { status, reason } => {
            end(&mut next, status, reason, now);
            // A simulated call lasts its script's call time, not the faster wall clock it played
            // on (the transcript's offsets, the recording and the cost agree with it).
            next.duration_ms = Some(script.outcome.duration_ms);
            next.answered_by = next.answered_by.or(script.outcome.answered_by);
            if let Some(d) = next.duration_ms {
                next.cost_micros = d * SIMULATED_MICROS_PER_MINUTE / 60_000;
            }
            detail = reason.as_str().to_string();
        }
    }
    if next.status != row.status && !row.status.can_become(next.status) {
        tracing::error!(call_id = %row.id, from = row.status.as_str(), to = next.status.as_str(), "simulator script moved a call backwards");
        return Err(AppError::internal());
    }
    if !transition(st, tx, &row, next.clone(), &detail, now).await? {
        return Ok(());
    }
    if !next.status.is_final() {
        if let Some((next_offset, _)) = script.steps.get(next.step as usize) {
            let wait = ((next_offset - offset).max(0) as f64 / st.config.simulator_time_scale) as i64;
            jobs::enqueue(&mut *tx, step_job(&next, now + wait)).await?;
        }
    }
    Ok(())
}

/// Ends a started call that outlived its maximum duration plus the margin.
async fn reconcile(st: AppState, job: JobContext) -> Result<(), JobError> {
    let p: CallPayload = job.json()?;
    let state = st.clone();
    st.write(async |tx| {
        let Some(row) = db::find(&mut *tx, &p.project_id, &p.call_id).await? else { return Ok(()) };
        if row.status.is_final() {
            return Ok(());
        }
        let now = now_ms();
        // A real call's time limit runs from its answer (Twilio rings for up to a minute first).
        if let Some(answered) = row.answered_at.filter(|_| row.provider == super::twilio_calls::PROVIDER) {
            if now < reconcile_deadline(&row, answered) {
                jobs::enqueue(&mut *tx, reconcile_job(&row, answered)).await?;
                return Ok(());
            }
        }
        let next = cut_short(&row, now);
        tracing::warn!(call_id = %row.id, status = row.status.as_str(), "call still live past its maximum duration; ended by the reconciler");
        if transition(&state, tx, &row, next.clone(), "ended by the reconciler", now).await? && next.provider == super::twilio_calls::PROVIDER {
            super::twilio_calls::hang_up_at_twilio(&mut *tx, &next).await?;
        }
        Ok(())
    })
    .await?;
    Ok(())
}

/// Post-call analysis, stored as the next version: by the model when one is configured (see
/// [`analysis_of`]), else by the built-in analyzer.
async fn analyze(st: AppState, job: JobContext) -> Result<(), JobError> {
    let p: CallPayload = job.json()?;
    let Some(input) = st.read(async |c| analysis_input(&mut *c, &p.project_id, &p.call_id, Vec::new()).await).await? else { return Ok(()) };
    let last_try = job.attempt >= job.max_attempts;
    let computed = match analysis_of(&st, &input, last_try).await {
        Ok(a) => a,
        // Retried by the job; its last attempt falls back instead of failing.
        Err(e) => return Err(JobError::new(e.to_string())),
    };
    st.write(async |tx| {
        store_analysis(&st, &mut *tx, &input.row, computed, None).await?;
        // Pages following the call show the analysis as soon as it is stored.
        publish(&st, &mut *tx, &input.row).await
    })
    .await?;
    Ok(())
}

/// What an analysis reads, before any model is asked.
struct AnalysisInput {
    row: CallRow,
    config: crate::model::AnalysisConfig,
    extra: Vec<crate::model::CustomQuestion>,
    transcript: Vec<TranscriptSegment>,
}

async fn analysis_input(c: &mut AnyConnection, project_id: &str, call_id: &str, extra: Vec<crate::model::CustomQuestion>) -> Result<Option<AnalysisInput>, AppError> {
    let Some(row) = db::find(&mut *c, project_id, call_id).await? else { return Ok(None) };
    let config = match &row.agent_id {
        Some(id) => crate::server::db::agents::find(&mut *c, &row.project_id, id).await?.map(|a| a.analysis).unwrap_or_default(),
        None => Default::default(),
    };
    let transcript: Vec<TranscriptSegment> = stored_json(&row, "transcript", &row.transcript)?;
    Ok(Some(AnalysisInput { row, config, extra, transcript }))
}

/// An analysis computed, not yet stored: who made it, what it found, and a note when the model
/// was configured but the built-in analyzer answered.
struct Computed {
    source: String,
    result: AnalysisResult,
    note: Option<String>,
}

fn builtin(input: &AnalysisInput) -> AnalysisResult {
    crate::server::analysis::analyze(&crate::server::analysis::Input {
        transcript: &input.transcript,
        config: &input.config,
        extra_questions: &input.extra,
        answered_by: input.row.answered_by.unwrap_or_default(),
    })
}

/// The analysis of a call. Without a model: the built-in analyzer. With one: the model's answer
/// through the JSON schema, validated against the question types; a failure (unreachable, or an
/// answer that does not validate) is an error for the caller to retry, unless `fall_back`, when
/// the built-in analyzer answers instead and the version carries a note saying why.
async fn analysis_of(st: &AppState, input: &AnalysisInput, fall_back: bool) -> Result<Computed, crate::server::llm::LlmError> {
    let Some(cfg) = &st.config.llm else { return Ok(Computed { source: "builtin".into(), result: builtin(input), note: None }) };
    let llm = crate::server::llm::Llm::new(cfg);
    match llm.analyze(&input.transcript, &input.config, &input.extra, input.row.answered_by.unwrap_or_default()).await {
        Ok(result) => Ok(Computed { source: llm.source(), result, note: None }),
        Err(e) if fall_back => {
            tracing::warn!(call_id = %input.row.id, error = %e, "model analysis failed; the built-in analyzer answered");
            Ok(Computed {
                source: "builtin".into(),
                result: builtin(input),
                note: Some(format!("{} The built-in analyzer answered instead.", capitalize_first(&e.to_string()))),
            })
        }
        Err(e) => Err(e),
    }
}

fn capitalize_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect::<String>() + if s.ends_with('.') { "" } else { "." },
        None => String::new(),
    }
}

/// Stores an analysis as the call's next version. The version number comes from the stored ones;
/// a concurrent insert of the same number loses on the unique (call, version) index and tries
/// the next one.
async fn store_analysis(st: &AppState, tx: &mut Tx, row: &CallRow, computed: Computed, by: Option<&str>) -> Result<CallAnalysisView, AppError> {
    let mut stored = serde_json::to_value(&computed.result).map_err(|_| AppError::internal())?;
    if let (Some(note), Some(o)) = (&computed.note, stored.as_object_mut()) {
        o.insert("note".into(), serde_json::Value::String(note.clone()));
    }
    let text = stored.to_string();
    let now = now_ms();
    let mut tries = 0;
    let version = loop {
        let mut sp = sqlx::Connection::begin(&mut **tx).await?;
        let r = db::insert_analysis(&mut sp, &row.project_id, &row.id, &computed.source, &text, by, now).await;
        match crate::server::db::settle(sp, r).await {
            Ok(v) => break v,
            Err(e) if crate::server::error::is_unique_violation(&e) && tries < 3 => tries += 1,
            Err(e) => return Err(e.into()),
        }
    };
    // The call's sentiment and success (list filters) and the per-day counters follow the
    // latest version.
    super::stats::analysis_stored(tx, &row.project_id, &row.id, &computed.result).await?;
    let stored = CallAnalysisView { version, source: computed.source, created_at: now, note: computed.note, result: computed.result };
    // The row as it is now (the analysis moved its sentiment and success).
    let fresh = db::find(&mut *tx, &row.project_id, &row.id).await?.ok_or_else(call_not_found)?;
    super::webhooks::emit_call(st, &mut *tx, &fresh, EventType::CallAnalyzed, Some(stored.clone())).await?;
    super::hubspot::on_call(&mut *tx, &fresh, "analyzed").await?;
    Ok(stored)
}

/// Re-runs the analysis of a finished call (members and up) with the agent's current
/// configuration plus `extra` questions, adding a version. With a model configured it is asked
/// between two transactions (read, ask, write); if it fails, the built-in analyzer answers and the
/// version says why (a person is waiting, so there is no retry later).
pub async fn reanalyze(st: &AppState, actor: &Actor, call_id: &str, extra: Vec<crate::model::CustomQuestion>) -> Result<CallAnalysisView, AppError> {
    let input = st
        .read(async |c| {
            let row = load(&mut *c, actor, call_id, Need::Edit).await?;
            if !row.status.is_final() {
                return Err(AppError::new(ErrorCode::Conflict, "The call is still going: analyze it once it has ended."));
            }
            analysis_input(&mut *c, &row.project_id, &row.id, extra).await?.ok_or_else(call_not_found)
        })
        .await?;
    let computed = match analysis_of(st, &input, false).await {
        Ok(c) => c,
        // One more try for an answer that did not validate (models vary), then fall back.
        Err(crate::server::llm::LlmError::Invalid(_)) => analysis_of(st, &input, true).await.map_err(|_| AppError::internal())?,
        Err(e) => Computed {
            source: "builtin".into(),
            result: builtin(&input),
            note: Some(format!("{} The built-in analyzer answered instead.", capitalize_first(&e.to_string()))),
        },
    };
    st.write(async |tx| {
        // Access again: the caller may have lost it while the model thought.
        let row = load(&mut *tx, actor, call_id, Need::Edit).await?;
        store_analysis(st, tx, &row, computed, actor.user_id()).await
    })
    .await
}
