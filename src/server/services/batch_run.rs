//! Running batch calls: starting a draft with its options, pausing, resuming and canceling, the
//! dispatcher job that dials rows, what a row's call ending means for the row (retry, done,
//! failed), the circuit breaker, and the results export.
//!
//! Decisions:
//! - Members and above start, pause, resume and cancel (the role that places calls); viewers read.
//! - One `batch.tick` job at a time does the dialling, under the batch's row lock
//!   (`db::batches::lock`), in one transaction: it places a call per due waiting row while the
//!   batch has fewer rows `calling` than its concurrency, and moves each row to `calling` with
//!   its attempt count. Call and row commit together, and the unique (row, attempt) index on
//!   calls means no retry or second process can place a second call for one attempt. A crash
//!   loses nothing: the tick's job is durable and runs again.
//! - Rows `calling` include calls still queued for a line, so the batch never has more calls
//!   placed than its concurrency; the project's live-call limit applies on top (admission in
//!   `services::calls`).
//! - A row's call ending (`call_ended`, in the call's final transition) settles the row: done
//!   when someone or a voicemail answered (unless voicemail is retried), a retry after the
//!   cooldown for the outcomes the batch retries while attempts remain, otherwise failed (or
//!   canceled). Then a tick is enqueued: a line came free.
//! - The do-not-call list is read again just before each dial; a listed row is `skipped`.
//! - Calling windows and cooldowns read `AppState::clock`; a tick outside the window schedules
//!   the next one when the window opens (converted to the job clock, which is the system time).
//! - Circuit breaker: when at least half of the batch's last 20 finished calls (since it started
//!   or was last resumed) failed at the carrier, the batch is paused and says why.
//! - Pause stops dialling at once (the tick checks the status under the lock); calls under way
//!   finish and settle their rows. Cancel also ends waiting rows and cancels calls not yet
//!   started; answered calls finish.
//! - A batch goes `failed` when it cannot go on: its agent is gone or none of its caller numbers
//!   is still the agent's.

use super::access::{self, Need};
use super::audit;
use crate::model::{
    AgentView, AppError, BatchOptions, BatchRowState, BatchStatus, BatchView, CallStatus, CallingWindowSpec, EndReason, ErrorCode, EventType, RetryPolicy, RowProblem,
};
use crate::server::auth::Actor;
use crate::server::batch::CallingWindow;
use crate::server::db::batches::{self as db, BatchRow, BatchRowRow};
use crate::server::db::calls::CallRow;
use crate::server::db::{now_ms, Tx};
use crate::server::domain::AuditAction;
use crate::server::feed::{self, Change};
use crate::server::jobs::{self, JobContext, JobError, NewJob};
use crate::server::state::AppState;
use serde::Deserialize;
use sqlx::AnyConnection;
use std::collections::BTreeMap;

pub const TICK: &str = "batch.tick";
/// The outcomes a batch may retry.
pub const RETRYABLE: [&str; 3] = ["busy", "no-answer", "voicemail"];
pub const MAX_RETRIES: i64 = 10;
pub const COOLDOWN_MIN_SECS: i64 = 1;
pub const COOLDOWN_MAX_SECS: i64 = 7 * 24 * 3600;
/// The circuit breaker looks at this many latest finished calls ...
const BREAKER_WINDOW: i64 = 20;
/// ... and trips when this many of them failed at the carrier.
const BREAKER_FAILURES: usize = 10;

use super::batches::{batch_not_found, load as load_for, view_of};

/// Registers the batch jobs.
pub fn register(r: &mut jobs::Registry) {
    r.register(TICK, tick);
}

fn tick_job(b: &BatchRow, run_at: i64) -> NewJob {
    // A tick is cheap and safe to repeat; many may be pending (one per call that ended). Ticks
    // for a later time carry a key, so rescheduling the same time twice enqueues one job.
    let job = NewJob::new(TICK, serde_json::json!({ "project_id": b.project_id, "batch_id": b.id })).max_attempts(20);
    if run_at > now_ms() {
        job.run_at(run_at).key(format!("{TICK}:{}:{run_at}", b.id))
    } else {
        job
    }
}

/// A tick at clock time `at`, as a job time (the job queue runs on the system clock).
fn tick_at(st: &AppState, b: &BatchRow, at: i64) -> NewJob {
    let delay = at - st.clock.now_ms();
    tick_job(b, now_ms() + delay.max(0))
}

/// Publishes the batch's status and progress to pages following it.
pub(super) async fn publish(st: &AppState, c: &mut AnyConnection, b: &BatchRow) -> Result<BatchView, AppError> {
    let v = view_of(&mut *c, b).await?;
    let change = Change {
        project_id: b.project_id.clone(),
        kind: "batch".into(),
        id: b.id.clone(),
        data: serde_json::json!({ "status": v.status.as_str(), "progress": v.progress }),
    };
    feed::publish(c, st.db.backend(), &change).await?;
    Ok(v)
}

/// Writes `next` over `before` (same version) and publishes it; a lost race is a conflict.
async fn save(st: &AppState, tx: &mut Tx, before: &BatchRow, mut next: BatchRow, now: i64) -> Result<BatchView, AppError> {
    next.updated_at = now;
    if !db::update(&mut *tx, &next, before.version).await? {
        return Err(AppError::new(ErrorCode::Conflict, "The batch changed meanwhile. Reload it and try again."));
    }
    next.version = before.version + 1;
    let v = publish(st, &mut *tx, &next).await?;
    let event = if next.started_at.is_some() && before.started_at.is_none() {
        Some(EventType::BatchStarted)
    } else if next.status == BatchStatus::Completed && before.status != BatchStatus::Completed {
        Some(EventType::BatchCompleted)
    } else {
        None
    };
    if let Some(event) = event {
        let out = || serde_json::to_value(crate::server::rest::v1::batches::BatchOut::from(v.clone())).map_err(|_| AppError::internal());
        super::webhooks::emit(st, &mut *tx, &next.project_id, event, &next.id, out).await?;
    }
    Ok(v)
}

fn conflict(b: &BatchRow, what: &str) -> AppError {
    AppError::new(ErrorCode::Conflict, format!("This batch is {} and cannot be {what}.", b.status.as_str()))
}

fn to_json<T: serde::Serialize + ?Sized>(v: &T) -> Result<String, AppError> {
    serde_json::to_string(v).map_err(|_| AppError::internal())
}

/// A calling window as given, checked and normalised (canonical zone name, merged ranges).
pub fn parse_window(spec: &CallingWindowSpec) -> Result<(CallingWindow, CallingWindowSpec), AppError> {
    let w = CallingWindow::parse(&spec.tz, &spec.days, &spec.ranges).map_err(|e| {
        let text = e.to_string();
        let mut chars = text.chars();
        let msg = chars.next().map(|f| f.to_uppercase().collect::<String>() + chars.as_str() + ".").unwrap_or_default();
        AppError::field("window", msg)
    })?;
    const NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let days = w.days().iter().zip(NAMES).filter(|(on, _)| **on).map(|(_, n)| n.to_string()).collect();
    let normal = CallingWindowSpec { tz: w.tz_name().to_string(), days, ranges: w.ranges() };
    Ok((w, normal))
}

fn check_retry(r: &RetryPolicy) -> Result<RetryPolicy, AppError> {
    let mut on = Vec::new();
    for o in &r.on {
        let o = o.trim().to_ascii_lowercase().replace('_', "-");
        if !RETRYABLE.contains(&o.as_str()) {
            return Err(AppError::field("retry.on", format!("\"{o}\" cannot be retried: choose among busy, no-answer and voicemail.")));
        }
        if !on.contains(&o) {
            on.push(o);
        }
    }
    if !(0..=MAX_RETRIES).contains(&r.max_retries) {
        return Err(AppError::field("retry.max_retries", format!("Retry a row at most {MAX_RETRIES} times.")));
    }
    if !(COOLDOWN_MIN_SECS..=COOLDOWN_MAX_SECS).contains(&r.cooldown_seconds) {
        return Err(AppError::field("retry.cooldown_seconds", "Wait between 1 second and 7 days before calling a row again."));
    }
    Ok(RetryPolicy { on, max_retries: r.max_retries, cooldown_seconds: r.cooldown_seconds })
}

/// Applies `opts` to a draft's options, checking each against the agent and the project.
async fn apply_options(c: &mut AnyConnection, b: &mut BatchRow, opts: &BatchOptions, project_limit: i64, now: i64) -> Result<(), AppError> {
    if let Some(name) = &opts.name {
        b.name = super::batches::clean_name(name)?;
    }
    let agent = super::agents::get_in(&mut *c, &Actor::System, &b.project_id, &b.agent_id).await.map_err(|e| {
        if e.code == ErrorCode::NotFound {
            AppError::new(ErrorCode::Conflict, "The batch's agent was deleted: upload the file again for another agent.")
        } else {
            e
        }
    })?;
    if let Some(ids) = &opts.caller_numbers {
        if ids.is_empty() {
            return Err(AppError::field("caller_numbers", "Choose at least one number to call from."));
        }
        let mut chosen = Vec::new();
        for id in ids {
            let id = id.trim();
            if !agent.phone_numbers.iter().any(|n| n.id == id) {
                return Err(AppError::field("caller_numbers", format!("\"{id}\" is not one of \"{}\"'s numbers.", agent.name)));
            }
            if !chosen.iter().any(|c: &String| c == id) {
                chosen.push(id.to_string());
            }
        }
        b.caller_numbers = to_json(&chosen)?;
    }
    if let Some(n) = opts.concurrency {
        if n < 1 || n > project_limit {
            return Err(AppError::field("concurrency", format!("Place between 1 and {project_limit} calls at once (the project's live-call limit).")));
        }
        b.concurrency = n;
    }
    b.concurrency = b.concurrency.min(project_limit.max(1));
    if let Some(spec) = &opts.window {
        let (_, normal) = parse_window(spec)?;
        b.calling_window = Some(to_json(&normal)?);
    }
    if let Some(r) = &opts.retry {
        b.retry = to_json(&check_retry(r)?)?;
    }
    if let Some(at) = opts.start_at {
        if at < 0 {
            return Err(AppError::field("start_at", "Give the start time as a date and time."));
        }
        b.start_at = (at > now).then_some(at);
    }
    Ok(())
}

/// Starts a draft with `opts` (members and up): running now, or scheduled for its start time.
pub async fn start(st: &AppState, tx: &mut Tx, actor: &Actor, batch_id: &str, opts: BatchOptions) -> Result<BatchView, AppError> {
    let found = load_for(&mut *tx, actor, batch_id, Need::Edit).await?;
    let limit = access::project(&mut *tx, actor, &found.project_id, Need::Edit).await?.project.max_concurrent_calls;
    let b = db::lock(&mut *tx, &found.project_id, &found.id).await?.ok_or_else(batch_not_found)?;
    if b.status != BatchStatus::Draft {
        return Err(conflict(&b, "started again"));
    }
    if b.valid_rows == 0 {
        return Err(AppError::new(ErrorCode::Conflict, "No row of this batch is valid: fix the file and upload it again."));
    }
    // The agent's row lock: a concurrent delete of the agent either happened (no agent) or waits
    // and then sees this batch (see `services::agents`).
    if !crate::server::db::agents::lock(&mut *tx, &b.project_id, &b.agent_id).await? {
        return Err(AppError::new(ErrorCode::Conflict, "The batch's agent was deleted: upload the file again for another agent."));
    }
    let now = st.clock.now_ms();
    let mut next = b.clone();
    apply_options(&mut *tx, &mut next, &opts, limit, now).await?;
    next.status = if next.start_at.is_some() { BatchStatus::Scheduled } else { BatchStatus::Running };
    if next.status == BatchStatus::Running {
        next.started_at = Some(now);
    }
    next.breaker_since = Some(now);
    let v = save(st, tx, &b, next.clone(), now).await?;
    jobs::enqueue(&mut *tx, tick_at(st, &next, next.start_at.unwrap_or(now))).await?;
    audit::record(&mut *tx, actor, &b.project_id, AuditAction::BatchStarted, Some(&b.id), Some(&b.name)).await?;
    Ok(v)
}

/// Pauses a scheduled or running batch (members and up): nothing more is dialled until it is
/// resumed; calls under way finish.
pub async fn pause(st: &AppState, tx: &mut Tx, actor: &Actor, batch_id: &str) -> Result<BatchView, AppError> {
    let found = load_for(&mut *tx, actor, batch_id, Need::Edit).await?;
    let b = db::lock(&mut *tx, &found.project_id, &found.id).await?.ok_or_else(batch_not_found)?;
    if !matches!(b.status, BatchStatus::Scheduled | BatchStatus::Running) {
        return Err(conflict(&b, "paused"));
    }
    let mut next = b.clone();
    next.status = BatchStatus::Paused;
    next.paused_reason = Some("Paused by request.".into());
    let v = save(st, tx, &b, next, st.clock.now_ms()).await?;
    audit::record(&mut *tx, actor, &b.project_id, AuditAction::BatchPaused, Some(&b.id), Some(&b.name)).await?;
    Ok(v)
}

/// Resumes a paused batch (members and up); the circuit breaker counts from now.
pub async fn resume(st: &AppState, tx: &mut Tx, actor: &Actor, batch_id: &str) -> Result<BatchView, AppError> {
    let found = load_for(&mut *tx, actor, batch_id, Need::Edit).await?;
    let b = db::lock(&mut *tx, &found.project_id, &found.id).await?.ok_or_else(batch_not_found)?;
    if b.status != BatchStatus::Paused {
        return Err(conflict(&b, "resumed"));
    }
    let now = st.clock.now_ms();
    let mut next = b.clone();
    let later = b.start_at.filter(|at| *at > now && b.started_at.is_none());
    next.status = if later.is_some() { BatchStatus::Scheduled } else { BatchStatus::Running };
    if next.status == BatchStatus::Running && next.started_at.is_none() {
        next.started_at = Some(now);
    }
    next.paused_reason = None;
    next.breaker_since = Some(now);
    let v = save(st, tx, &b, next.clone(), now).await?;
    jobs::enqueue(&mut *tx, tick_at(st, &next, later.unwrap_or(now))).await?;
    audit::record(&mut *tx, actor, &b.project_id, AuditAction::BatchResumed, Some(&b.id), Some(&b.name)).await?;
    Ok(v)
}

/// Cancels a batch that has not ended (members and up): waiting rows end `canceled`, calls not
/// yet started are canceled, answered calls finish.
pub async fn cancel(st: &AppState, tx: &mut Tx, actor: &Actor, batch_id: &str) -> Result<BatchView, AppError> {
    let found = load_for(&mut *tx, actor, batch_id, Need::Edit).await?;
    let b = db::lock(&mut *tx, &found.project_id, &found.id).await?.ok_or_else(batch_not_found)?;
    if b.status.is_final() {
        return Err(conflict(&b, "canceled"));
    }
    let now = st.clock.now_ms();
    let mut next = b.clone();
    next.status = BatchStatus::Canceled;
    next.paused_reason = None;
    next.finished_at = Some(now);
    if !db::update(&mut *tx, &next, b.version).await? {
        return Err(AppError::new(ErrorCode::Conflict, "The batch changed meanwhile. Reload it and try again."));
    }
    next.version = b.version + 1;
    db::cancel_waiting(&mut *tx, &b.project_id, &b.id, now_ms()).await?;
    for call_id in db::queued_calls(&mut *tx, &b.project_id, &b.id).await? {
        super::calls::cancel_as_system(st, tx, &b.project_id, &call_id, "batch canceled").await?;
    }
    let v = publish(st, &mut *tx, &next).await?;
    audit::record(&mut *tx, actor, &b.project_id, AuditAction::BatchCanceled, Some(&b.id), Some(&b.name)).await?;
    Ok(v)
}

// ---- the dispatcher ---------------------------------------------------------------------------

#[derive(Deserialize)]
struct TickPayload {
    project_id: String,
    batch_id: String,
}

async fn tick(st: AppState, job: JobContext) -> Result<(), JobError> {
    let p: TickPayload = job.json()?;
    let state = st.clone();
    st.write(async |tx| dispatch(&state, tx, &p.project_id, &p.batch_id).await).await?;
    Ok(())
}

/// Ends a batch that cannot go on: `failed`, with the reason shown where a pause reason is.
async fn fail(st: &AppState, tx: &mut Tx, b: &BatchRow, reason: &str, now: i64) -> Result<(), AppError> {
    tracing::warn!(batch_id = %b.id, reason, "batch failed");
    let mut next = b.clone();
    next.status = BatchStatus::Failed;
    next.paused_reason = Some(reason.to_string());
    next.finished_at = Some(now);
    db::cancel_waiting(&mut *tx, &b.project_id, &b.id, now_ms()).await?;
    save(st, tx, b, next, now).await.map(drop)
}

/// One dispatcher pass over a batch; see the module documentation.
pub async fn dispatch(st: &AppState, tx: &mut Tx, project_id: &str, batch_id: &str) -> Result<(), AppError> {
    let Some(b) = db::lock(&mut *tx, project_id, batch_id).await? else { return Ok(()) };
    let now = st.clock.now_ms();
    let b = match b.status {
        BatchStatus::Scheduled => {
            if let Some(at) = b.start_at.filter(|at| *at > now) {
                jobs::enqueue(&mut *tx, tick_at(st, &b, at)).await?;
                return Ok(());
            }
            let mut next = b.clone();
            next.status = BatchStatus::Running;
            next.started_at = Some(now);
            next.breaker_since = Some(now);
            save(st, tx, &b, next.clone(), now).await?;
            next.version = b.version + 1;
            next
        }
        BatchStatus::Running => b,
        // Paused, not started or ended: nothing to dial.
        _ => return Ok(()),
    };
    if let Some(text) = &b.calling_window {
        let spec: CallingWindowSpec = super::batches::stored_json("batches", &b.id, "calling_window", text)?;
        let (window, _) = parse_window(&spec)?;
        let at = jiff::Timestamp::from_millisecond(now).map_err(|_| AppError::internal())?;
        if !window.contains(at) {
            match window.next_open(at) {
                Some(open) => jobs::enqueue(&mut *tx, tick_at(st, &b, open.as_millisecond())).await.map(drop)?,
                None => fail(st, tx, &b, "The calling window never opens (its ranges fall into clock changes).", now).await?,
            }
            return Ok(());
        }
    }
    let agent = match super::agents::get_in(&mut *tx, &Actor::System, project_id, &b.agent_id).await {
        Ok(a) => a,
        Err(e) if e.code == ErrorCode::NotFound => return fail(st, tx, &b, "The batch's agent was deleted.", now).await,
        Err(e) => return Err(e),
    };
    let ids: Vec<String> = super::batches::stored_json("batches", &b.id, "caller_numbers", &b.caller_numbers)?;
    let numbers: Vec<&str> = ids.iter().filter_map(|id| agent.phone_numbers.iter().find(|n| n.id == *id)).map(|n| n.number.as_str()).collect();
    if numbers.is_empty() {
        let reason = format!("None of the batch's numbers to call from is still \"{}\"'s: assign one and start a new batch.", agent.name);
        return fail(st, tx, &b, &reason, now).await;
    }
    let calling = db::count_state(&mut *tx, project_id, batch_id, BatchRowState::Calling).await?;
    let room = b.concurrency - calling;
    let (mut placed, mut skipped) = (0, 0);
    if room > 0 {
        let due = db::due_rows(&mut *tx, project_id, batch_id, now, room).await?;
        let wanted: Vec<&str> = due.iter().map(|r| r.number.as_str()).collect();
        let listed = crate::server::db::do_not_call::listed_among(&mut *tx, project_id, &wanted).await?;
        for row in &due {
            if listed.contains(&row.number) {
                skip(tx, row).await?;
                skipped += 1;
                continue;
            }
            dial(st, tx, &agent, &b, row, &numbers).await?;
            placed += 1;
        }
    }
    let waiting = db::count_state(&mut *tx, project_id, batch_id, BatchRowState::Waiting).await?;
    if waiting == 0 && calling + placed == 0 {
        let mut next = b.clone();
        next.status = BatchStatus::Completed;
        next.finished_at = Some(now);
        save(st, tx, &b, next, now).await?;
        return Ok(());
    }
    if skipped > 0 && placed == 0 && waiting > 0 {
        // Every due row was skipped: look again at once (no call will end to wake us).
        jobs::enqueue(&mut *tx, tick_job(&b, now_ms())).await?;
    } else if placed == 0 && waiting > 0 && calling < b.concurrency {
        // Rows wait for a cooldown: come back when the first is due (calls ending also tick).
        if let Some(at) = db::next_due(&mut *tx, project_id, batch_id).await?.filter(|at| *at > now) {
            jobs::enqueue(&mut *tx, tick_at(st, &b, at)).await?;
        }
    }
    publish(st, &mut *tx, &b).await?;
    Ok(())
}

/// Marks a due row `skipped`: its number went on the do-not-call list after the upload.
async fn skip(tx: &mut Tx, row: &BatchRowRow) -> Result<(), AppError> {
    let mut next = row.clone();
    next.state = BatchRowState::Skipped;
    next.outcome = Some("do_not_call".into());
    next.next_attempt_at = None;
    let problem = RowProblem { code: "do_not_call".into(), message: "On the do-not-call list: not called.".into() };
    next.problems = to_json(&[problem])?;
    next.updated_at = now_ms();
    if !db::update_row(&mut *tx, &next, row.state, row.attempts).await? {
        return Err(AppError::internal());
    }
    Ok(())
}

/// Places the next attempt of a due row and marks it `calling`.
async fn dial(st: &AppState, tx: &mut Tx, agent: &AgentView, b: &BatchRow, row: &BatchRowRow, numbers: &[&str]) -> Result<(), AppError> {
    let attempt = row.attempts + 1;
    // Rotate the caller numbers over rows, and move on to the next number on a retry.
    let from = numbers[((row.row_no.max(0) as usize) + row.attempts.max(0) as usize) % numbers.len()];
    let variables: BTreeMap<String, String> = super::batches::stored_json("batch_rows", &row.id, "variables", &row.variables)?;
    let a = super::calls::BatchAttempt { batch_id: &b.id, row_id: &row.id, row_no: row.row_no, attempt, from, to: &row.number, variables: &variables };
    let call = super::calls::place_for_batch(st, tx, agent, &a, now_ms()).await?;
    let mut next = row.clone();
    next.state = BatchRowState::Calling;
    next.attempts = attempt;
    next.next_attempt_at = None;
    next.last_call_id = Some(call.id);
    next.updated_at = now_ms();
    // Under the batch lock nobody else moves a waiting row; a miss means a bug, and failing
    // rolls the call back with it.
    if !db::update_row(&mut *tx, &next, row.state, row.attempts).await? {
        tracing::error!(row_id = %row.id, "batch row moved under the dispatcher");
        return Err(AppError::internal());
    }
    Ok(())
}

/// How a batch call ended, as the row's outcome: `completed`, `voicemail`, `busy`, `no-answer`,
/// `failed` or `canceled`.
fn outcome_of(call: &CallRow) -> &'static str {
    match call.status {
        CallStatus::Completed if call.answered_by == Some(crate::model::AnsweredBy::Machine) || call.end_reason == Some(EndReason::VoicemailReached) => "voicemail",
        CallStatus::Completed => "completed",
        CallStatus::Busy => "busy",
        CallStatus::NoAnswer => "no-answer",
        CallStatus::Canceled => "canceled",
        _ => "failed",
    }
}

/// A failure at the carrier (what the circuit breaker counts).
fn carrier_failure(status: &str, reason: Option<&str>) -> bool {
    status == CallStatus::Failed.as_str()
        && matches!(reason, Some(r) if r == EndReason::DialFailed.as_str() || r == EndReason::InvalidDestination.as_str() || r == EndReason::CarrierError.as_str())
}

/// Settles the row of a batch call that just ended, in the call's transaction (see the module
/// documentation), then asks for a tick.
pub async fn call_ended(st: &AppState, tx: &mut Tx, call: &CallRow) -> Result<(), AppError> {
    let (Some(batch_id), Some(row_id)) = (&call.batch_id, &call.batch_row_id) else { return Ok(()) };
    let Some(row) = db::find_row(&mut *tx, &call.project_id, row_id).await? else { return Ok(()) };
    if row.state != BatchRowState::Calling || row.last_call_id.as_deref() != Some(call.id.as_str()) {
        return Ok(());
    }
    // The batch's lock: a cancel or pause either happened (and is seen here) or waits for this.
    let Some(b) = db::lock(&mut *tx, &call.project_id, batch_id).await? else { return Ok(()) };
    let retry: RetryPolicy = super::batches::stored_json("batches", &b.id, "retry", &b.retry)?;
    let outcome = outcome_of(call);
    let now = st.clock.now_ms();
    let mut next = row.clone();
    next.outcome = Some(outcome.to_string());
    next.updated_at = now_ms();
    let retries_left = row.attempts <= retry.max_retries;
    if retry.on.iter().any(|o| o == outcome) && retries_left && !b.status.is_final() {
        next.state = BatchRowState::Waiting;
        next.next_attempt_at = Some(now + retry.cooldown_seconds * 1000);
    } else {
        next.state = match outcome {
            "completed" | "voicemail" => BatchRowState::Done,
            "canceled" => BatchRowState::Canceled,
            _ => BatchRowState::Failed,
        };
    }
    if !db::update_row(&mut *tx, &next, row.state, row.attempts).await? {
        return Ok(());
    }
    if carrier_failure(call.status.as_str(), call.end_reason.map(EndReason::as_str)) && matches!(b.status, BatchStatus::Running | BatchStatus::Scheduled) {
        let since = b.breaker_since.or(b.started_at).unwrap_or(b.created_at);
        let recent = db::recent_endings(&mut *tx, &b.project_id, &b.id, since, BREAKER_WINDOW).await?;
        let failed = recent.iter().filter(|(s, r)| carrier_failure(s, r.as_deref())).count();
        if failed >= BREAKER_FAILURES {
            let mut paused = b.clone();
            paused.status = BatchStatus::Paused;
            paused.paused_reason = Some(format!(
                "Paused by the circuit breaker: {failed} of the last {} calls failed at the carrier. Check the numbers and the phone provider, then resume.",
                recent.len()
            ));
            tracing::warn!(batch_id = %b.id, failed, of = recent.len(), "batch paused by the circuit breaker");
            save(st, tx, &b, paused, now).await?;
            return Ok(());
        }
    }
    jobs::enqueue(&mut *tx, tick_job(&b, now_ms())).await?;
    Ok(())
}

/// A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first, other than a plain
/// number such as `+14155550100`) gets a leading apostrophe, which spreadsheets show as text.
fn spreadsheet_safe(v: String) -> String {
    let numeric = v.len() > 1 && v[1..].chars().all(|c| c.is_ascii_digit() || c == '.');
    if v.starts_with(['=', '@', '\t', '\r']) || (v.starts_with(['+', '-']) && !numeric) {
        format!("'{v}")
    } else {
        v
    }
}

// ---- export ---------------------------------------------------------------------------------------

/// The results of a batch as CSV (viewers and up): one line per row of the file in file order,
/// with its final state, outcome, attempts, the last call's id, duration and end time, the row's
/// variables, the call's summary, sentiment and success, and one column per analysis question.
/// Returns the file name and the text.
pub async fn export_csv(c: &mut AnyConnection, actor: &Actor, batch_id: &str) -> Result<(String, String), AppError> {
    let b = load_for(&mut *c, actor, batch_id, Need::Read).await?;
    let mut lines = Vec::new();
    let mut after = 0;
    loop {
        let page = db::export_page(&mut *c, &b.project_id, &b.id, after, 2_000).await?;
        let Some(last) = page.last() else { break };
        after = last.row_no;
        let full = page.len() < 2_000;
        lines.extend(page);
        if full {
            break;
        }
    }
    let mut var_names: Vec<String> = Vec::new();
    let mut questions: Vec<String> = Vec::new();
    let mut parsed = Vec::with_capacity(lines.len());
    for l in &lines {
        let vars: BTreeMap<String, String> = super::batches::stored_json("batch_rows", &l.id, "variables", &l.variables)?;
        for k in vars.keys() {
            if !var_names.contains(k) {
                var_names.push(k.clone());
            }
        }
        let analysis: Option<crate::model::AnalysisResult> = match &l.analysis {
            Some(text) => Some(super::batches::stored_json("call_analyses", l.last_call_id.as_deref().unwrap_or(""), "result", text)?),
            None => None,
        };
        if let Some(a) = &analysis {
            for q in &a.answers {
                if !questions.contains(&q.question) {
                    questions.push(q.question.clone());
                }
            }
        }
        parsed.push((vars, analysis));
    }
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    let mut header: Vec<String> = ["row", "number", "state", "outcome", "attempts", "call_id", "duration_seconds", "ended_at", "summary", "sentiment", "successful"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    header.extend(var_names.iter().cloned());
    header.extend(questions.iter().cloned());
    let csv_err = |e: csv::Error| {
        tracing::error!(batch = %b.id, error = %e, "writing a batch export failed");
        AppError::internal()
    };
    w.write_record(&header).map_err(csv_err)?;
    for (l, (vars, analysis)) in lines.iter().zip(parsed) {
        let mut rec = vec![
            l.row_no.to_string(),
            l.number.clone(),
            l.state.clone(),
            l.outcome.clone().unwrap_or_default(),
            l.attempts.to_string(),
            l.last_call_id.clone().unwrap_or_default(),
            l.duration_ms.map(|d| format!("{:.1}", d as f64 / 1000.0)).unwrap_or_default(),
            l.ended_at.map(crate::server::rest::v1::types::rfc3339_ms).unwrap_or_default(),
            analysis.as_ref().and_then(|a| a.summary.clone()).unwrap_or_default(),
            analysis.as_ref().map(|a| a.user_sentiment.as_str().to_string()).unwrap_or_default(),
            analysis.as_ref().and_then(|a| a.call_successful).map(|s| s.to_string()).unwrap_or_default(),
        ];
        for k in &var_names {
            rec.push(vars.get(k).cloned().unwrap_or_default());
        }
        for q in &questions {
            let answer = analysis.as_ref().and_then(|a| a.answers.iter().find(|x| &x.question == q)).map(|x| match &x.answer {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Null => String::new(),
                v => v.to_string(),
            });
            rec.push(answer.unwrap_or_default());
        }
        let rec: Vec<String> = rec.into_iter().map(spreadsheet_safe).collect();
        w.write_record(&rec).map_err(csv_err)?;
    }
    let bytes = w.into_inner().map_err(|e| {
        tracing::error!(batch = %b.id, error = %e.error(), "finishing a batch export failed");
        AppError::internal()
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        tracing::error!(batch = %b.id, error = %e, "a batch export is not UTF-8");
        AppError::internal()
    })?;
    let stem: String = b.name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' }).collect();
    Ok((format!("batch-{}-results.csv", stem.trim_matches('-')), text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_but_numbers_are_not() {
        assert_eq!(spreadsheet_safe("+14155550100".into()), "+14155550100");
        assert_eq!(spreadsheet_safe("-12.5".into()), "-12.5");
        assert_eq!(spreadsheet_safe("=HYPERLINK(\"x\")".into()), "'=HYPERLINK(\"x\")");
        assert_eq!(spreadsheet_safe("+SUM(A1)".into()), "'+SUM(A1)");
        assert_eq!(spreadsheet_safe("@cmd".into()), "'@cmd");
        assert_eq!(spreadsheet_safe("plain".into()), "plain");
    }

    #[test]
    fn retry_policy_is_checked_and_normalised() {
        let r = check_retry(&RetryPolicy { on: vec!["Busy".into(), "no_answer".into(), "busy".into()], max_retries: 2, cooldown_seconds: 60 }).unwrap();
        assert_eq!(r.on, vec!["busy".to_string(), "no-answer".to_string()]);
        assert!(check_retry(&RetryPolicy { on: vec!["failed".into()], max_retries: 1, cooldown_seconds: 60 }).is_err());
        assert!(check_retry(&RetryPolicy { on: vec![], max_retries: MAX_RETRIES + 1, cooldown_seconds: 60 }).is_err());
        assert!(check_retry(&RetryPolicy { on: vec![], max_retries: 0, cooldown_seconds: 0 }).is_err());
    }

    #[test]
    fn windows_are_normalised() {
        let spec = CallingWindowSpec {
            tz: "europe/berlin".into(),
            days: vec!["Monday".into(), "tue".into()],
            ranges: vec!["09:00-12:00".into(), "11:00-13:00".into()],
        };
        let (_, n) = parse_window(&spec).unwrap();
        assert_eq!(n.days, vec!["mon".to_string(), "tue".to_string()]);
        assert_eq!(n.ranges, vec!["09:00-13:00".to_string()]);
        let bad = CallingWindowSpec { tz: "Mars/Base".into(), ..spec };
        assert_eq!(parse_window(&bad).unwrap_err().details[0].field, "window");
    }
}
