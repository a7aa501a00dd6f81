//! Real calls through Twilio: placing them, Twilio's signed callbacks (status, the TwiML
//! conversation, recordings, inbound calls), and the background work around them (creating the
//! call at Twilio, its price, its recording, numbers' voice URLs, hanging up).
//!
//! Decisions:
//! - A call whose caller number is a Twilio number runs on Twilio ([`route`]); placing one needs a
//!   model (`LLM_*`) and Twilio credentials (the project's, else the server's). The agent
//!   settings a Twilio call needs are snapshotted in `twilio_calls` when it is placed.
//! - Every callback is verified first ([`verify`]): `X-Twilio-Signature` over `PUBLIC_URL` plus
//!   the request's path and query, keyed by the project's auth token, and the `AccountSid` must be
//!   the project's. Anything else is 403 and changes nothing.
//! - The conversation is a chain of steps on the call's `step` counter: each Gather's action
//!   names the step it answers. A step runs once (the guarded write of `calls::transition`); the
//!   TwiML it answered is stored in `twilio_turns`, so a callback delivered twice, or a loser of
//!   a race, answers the same TwiML. The model is asked outside any transaction, within
//!   `llm_turn_timeout` (Twilio waits 15 s for a webhook): a failure apologises and redirects to
//!   one retry; a second failure ends the call (`internal_error`). Nothing ever answers silence.
//! - Status callbacks only move a call forward; duplicates and late ones change nothing. A call
//!   we ended ourselves (our `<Hangup/>`) takes Twilio's duration from its `completed` callback.
//! - Calls to Twilio happen in durable jobs, outside transactions. `twilio.create` may create a
//!   second Twilio call if the process dies between Twilio's answer and storing its SID (Twilio
//!   has no idempotency key); the window is one database write.

use super::calls;
use super::twilio::credentials;
use crate::model::{AgentView, AnsweredBy, AppError, CallStatus, Direction, EndReason, ErrorCode, MachineDetection, NumberProvider, Speaker, TranscriptSegment};
use crate::server::auth::Actor;
use crate::server::db::calls::{self as calls_db, CallRow};
use crate::server::db::twilio::{self as db, TwilioCallRow};
use crate::server::db::{now_ms, numbers as numbers_db, Tx};
use crate::server::domain::E164;
use crate::server::jobs::{self, JobContext, JobError, NewJob};
use crate::server::state::AppState;
use crate::server::twilio::twiml::{self, Verb};
use crate::server::twilio::{signature, status, Client, Failure};
use serde::Deserialize;
use sqlx::AnyConnection;
use std::collections::HashMap;

/// `calls.provider` of a Twilio call.
pub const PROVIDER: &str = "twilio";
pub const CREATE: &str = "twilio.create";
pub const PRICE: &str = "twilio.price";
pub const RECORDING: &str = "twilio.recording";
pub const START_RECORDING: &str = "twilio.start_recording";
pub const NUMBERS: &str = "twilio.numbers";
pub const HANGUP: &str = "twilio.hangup";
pub const RELEASE: &str = "twilio.release_number";
pub const RECORDING_CHECK: &str = "twilio.recording_check";
/// How long after a recorded call ends its recording may still arrive.
const RECORDING_WAIT_MS: i64 = 2 * 60 * 60 * 1000;
/// The step a call is at when Twilio first asks for TwiML (admission sets it).
const OPENING_STEP: i64 = 1;

const STILL_THERE: &str = "Are you still there?";
const SILENT_GOODBYE: &str = "I can't hear anything, so I'll let you go. Goodbye.";
const MOMENT: &str = "Sorry, give me a moment.";
const TROUBLE: &str = "I'm sorry, I'm having technical trouble. Please call again later. Goodbye.";
const TIME_UP: &str = "We've reached the time limit for this call. Thank you, goodbye.";
const NOT_ASSIGNED: &str = "Sorry, nobody can take your call on this number right now. Goodbye.";
const LINES_BUSY: &str = "All our lines are busy right now. Please call again later. Goodbye.";

pub fn register(r: &mut jobs::Registry) {
    r.register(CREATE, create);
    r.register(PRICE, price);
    r.register(RECORDING, download_recording);
    r.register(START_RECORDING, start_recording);
    r.register(NUMBERS, sync_numbers);
    r.register(HANGUP, hang_up);
    r.register(RELEASE, release_number);
    r.register(RECORDING_CHECK, recording_check);
}

fn no_credentials() -> AppError {
    AppError::new(
        ErrorCode::Conflict,
        "This number is a Twilio number, but the project has no Twilio account: add the account SID and auth token in Settings → Twilio (or set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN on the server).",
    )
}

// ---- URLs ---------------------------------------------------------------------------------------

fn base(st: &AppState) -> String {
    st.config.public_url.as_str().trim_end_matches('/').to_string()
}

fn voice_url(st: &AppState, call_id: &str) -> String {
    format!("{}/hooks/twilio/voice/{call_id}", base(st))
}

fn status_url(st: &AppState, call_id: Option<&str>) -> String {
    match call_id {
        Some(id) => format!("{}/hooks/twilio/status/{id}", base(st)),
        None => format!("{}/hooks/twilio/status", base(st)),
    }
}

fn turn_url(st: &AppState, call_id: &str, step: i64, retry: bool) -> String {
    format!("{}/hooks/twilio/turn/{call_id}?step={step}{}", base(st), if retry { "&retry=1" } else { "" })
}

fn recording_url(st: &AppState, call_id: &str) -> String {
    format!("{}/hooks/twilio/recording/{call_id}", base(st))
}

fn inbound_url(st: &AppState) -> String {
    format!("{}/hooks/twilio/inbound", base(st))
}

// ---- placing ------------------------------------------------------------------------------------

/// Makes `row` (a call about to be queued) a Twilio call when its caller number is one of the
/// project's Twilio numbers: the snapshot to store with it. Refused without a model or Twilio
/// credentials, with what to set.
pub async fn route(st: &AppState, c: &mut AnyConnection, agent: &AgentView, row: &mut CallRow, now: i64) -> Result<Option<TwilioCallRow>, AppError> {
    let Some(number) = numbers_db::find_by_e164(&mut *c, &row.from_number).await? else { return Ok(None) };
    if number.project_id != row.project_id || number.provider != NumberProvider::Twilio {
        return Ok(None);
    }
    if st.config.llm.is_none() {
        return Err(AppError::new(
            ErrorCode::Conflict,
            "Calls through Twilio need a language model for the agent's side of the conversation: set LLM_BASE_URL and LLM_MODEL (and LLM_API_KEY if your endpoint needs one) on the server and restart it.",
        ));
    }
    let (account_sid, _) = credentials(st, &mut *c, &row.project_id).await?.ok_or_else(no_credentials)?;
    row.provider = PROVIDER.into();
    row.is_test = false;
    Ok(Some(snapshot(&mut *c, agent, &row.id, &account_sid, now).await?))
}

async fn snapshot(c: &mut AnyConnection, agent: &AgentView, call_id: &str, account_sid: &str, now: i64) -> Result<TwilioCallRow, AppError> {
    let voice = match agent.voice_id.as_deref() {
        Some(id) => crate::server::db::voices::find(&mut *c, id).await?,
        None => None,
    };
    let say_voice = crate::model::twilio::say_voice(
        voice.as_ref().map(|v| v.provider.as_str()),
        agent.voice_id.as_deref(),
        voice.as_ref().map(|v| v.gender.as_str()),
        &agent.language,
    );
    Ok(TwilioCallRow {
        call_id: call_id.to_string(),
        project_id: agent.project_id.clone(),
        account_sid: account_sid.to_string(),
        say_voice,
        language: crate::model::twilio::say_language(&agent.language),
        llm_model: agent.llm_model.clone(),
        temperature: agent.temperature,
        machine_detection: agent.machine_detection,
        recording_sid: None,
        created_at: now,
    })
}

#[derive(Deserialize)]
struct CallRef {
    project_id: String,
    call_id: String,
}

fn call_ref(row: &CallRow) -> serde_json::Value {
    serde_json::json!({ "project_id": row.project_id, "call_id": row.id })
}

/// The job that creates an admitted call at Twilio.
pub fn create_job(row: &CallRow) -> NewJob {
    NewJob::new(CREATE, call_ref(row)).key(format!("twilio-create:{}", row.id)).max_attempts(4)
}

/// In the transaction that ends a Twilio call: fetch its price, hang up at Twilio when it was
/// canceled here, and give up on a recording Twilio never sends.
pub async fn on_ended(c: &mut AnyConnection, row: &CallRow) -> Result<(), AppError> {
    if row.provider_call_id.is_none() {
        return Ok(());
    }
    jobs::enqueue(&mut *c, NewJob::new(PRICE, call_ref(row)).key(format!("twilio-price:{}", row.id)).max_attempts(10)).await?;
    if row.end_reason == Some(EndReason::Canceled) {
        hang_up_at_twilio(&mut *c, row).await?;
    }
    if row.recording_enabled && row.answered_at.is_some() {
        let at = now_ms() + RECORDING_WAIT_MS;
        jobs::enqueue(&mut *c, NewJob::new(RECORDING_CHECK, call_ref(row)).run_at(at).key(format!("twilio-recording-check:{}", row.id))).await?;
    }
    Ok(())
}

/// Ends the call at Twilio too (we ended it here while Twilio may still be connected). Not for
/// calls our TwiML hangs up: that would cut off the last words.
pub async fn hang_up_at_twilio(c: &mut AnyConnection, row: &CallRow) -> Result<(), AppError> {
    jobs::enqueue(c, NewJob::new(HANGUP, call_ref(row)).max_attempts(5)).await?;
    Ok(())
}

/// In the transaction that releases a number: a Twilio number we pointed at us is cleared.
pub async fn number_released(c: &mut AnyConnection, project_id: &str, number_id: &str) -> Result<(), AppError> {
    if let Some(sid) = db::our_voice_number(&mut *c, project_id, number_id).await? {
        jobs::enqueue(c, NewJob::new(RELEASE, serde_json::json!({ "project_id": project_id, "number_sid": sid })).max_attempts(8)).await?;
    }
    Ok(())
}

/// In the transaction that changed which agents answer the project's numbers: sync the voice
/// URLs of its Twilio numbers (when it has any).
pub async fn numbers_changed(c: &mut AnyConnection, project_id: &str) -> Result<(), AppError> {
    if db::has_twilio_numbers(&mut *c, project_id).await? {
        jobs::enqueue(c, NewJob::new(NUMBERS, serde_json::json!({ "project_id": project_id })).max_attempts(8)).await?;
    }
    Ok(())
}

/// A job's Twilio request done: retried when Twilio was unavailable; a refusal is final (logged).
fn final_unless_retry(r: Result<(), Failure>, subject: &str, what: &str) -> Result<(), JobError> {
    match r {
        Ok(()) => Ok(()),
        Err(Failure::Refused { status, message, .. }) => {
            tracing::warn!(subject, status, message = %message, "Twilio refused to {what}");
            Ok(())
        }
        Err(e) => Err(JobError::new(e.to_string())),
    }
}

fn client(st: &AppState, sid: &str, token: &str) -> Result<Client, JobError> {
    Client::new(&st.config.twilio_api_base, sid, token).map_err(|e| JobError::new(e.to_string()))
}

fn create_form(st: &AppState, row: &CallRow, snap: &TwilioCallRow) -> Vec<(String, String)> {
    let mut f: Vec<(&str, String)> = vec![
        ("To", row.to_number.clone()),
        ("From", row.from_number.clone()),
        ("Url", voice_url(st, &row.id)),
        ("Method", "POST".into()),
        ("StatusCallback", status_url(st, Some(&row.id))),
        ("StatusCallbackMethod", "POST".into()),
    ];
    for event in ["initiated", "ringing", "answered", "completed"] {
        f.push(("StatusCallbackEvent", event.into()));
    }
    if row.max_duration_secs > 0 {
        f.push(("TimeLimit", row.max_duration_secs.to_string()));
    }
    if row.recording_enabled {
        f.push(("Record", "true".into()));
        f.push(("RecordingStatusCallback", recording_url(st, &row.id)));
        f.push(("RecordingStatusCallbackMethod", "POST".into()));
        f.push(("RecordingStatusCallbackEvent", "completed".into()));
    }
    match snap.machine_detection {
        MachineDetection::Off => {}
        MachineDetection::HangUp => f.push(("MachineDetection", "Enable".into())),
        // Waits for the greeting's end (the beep), so the message lands in the voicemail.
        MachineDetection::LeaveMessage => f.push(("MachineDetection", "DetectMessageEnd".into())),
    }
    f.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// Creates an admitted call at Twilio and stores Twilio's call SID; a refusal fails the call.
async fn create(st: AppState, job: JobContext) -> Result<(), JobError> {
    let p: CallRef = job.json()?;
    let found = st
        .read(async |c| {
            let Some(row) = calls_db::find(&mut *c, &p.project_id, &p.call_id).await? else { return Ok(None) };
            if row.status != CallStatus::Initiated || row.provider_call_id.is_some() {
                return Ok(None);
            }
            let Some(snap) = db::find_call(&mut *c, &p.project_id, &p.call_id).await? else { return Ok(None) };
            let creds = credentials(&st, c, &p.project_id).await?;
            Ok(Some((row, snap, creds)))
        })
        .await?;
    let Some((row, snap, creds)) = found else { return Ok(()) };
    let outcome = match creds {
        None => Err(Failure::Refused { status: 0, code: None, message: "the project's Twilio credentials were removed".into() }),
        Some((sid, token)) => client(&st, &sid, &token)?.create_call(&create_form(&st, &row, &snap)).await,
    };
    match outcome {
        Ok(call_sid) => {
            let stored = st
                .write(async |tx| {
                    calls_db::set_provider_call_id(&mut *tx, &row.project_id, &row.id, &call_sid).await?;
                    // Canceled while Twilio was being asked: end Twilio's call too.
                    if let Some(now) = calls_db::find(&mut *tx, &row.project_id, &row.id).await? {
                        if now.status.is_final() {
                            jobs::enqueue(&mut *tx, NewJob::new(HANGUP, call_ref(&now)).max_attempts(5)).await?;
                        }
                    }
                    Ok(())
                })
                .await;
            // Twilio has the call: never create it again, whatever happened to the write.
            stored.map_err(|e| JobError::permanent(format!("Twilio created call {call_sid} but it could not be stored: {}", e.message)))
        }
        // Only a request Twilio surely did not take is sent again: a second try after a timeout
        // could ring the callee twice.
        Err(Failure::Retry(m)) if job.attempt < job.max_attempts => Err(JobError::new(format!("Twilio: {m}"))),
        Err(e) => {
            let reason = match &e {
                Failure::Refused { code, .. } => status::refused_reason(*code),
                Failure::Retry(_) | Failure::Unknown(_) => EndReason::CarrierError,
            };
            tracing::warn!(call_id = %row.id, error = %e, "Twilio did not create the call");
            let detail = format!("Twilio: {}", e.message());
            st.write(async |tx| {
                let Some(current) = calls_db::find(&mut *tx, &row.project_id, &row.id).await? else { return Ok(()) };
                if current.status.is_final() {
                    return Ok(());
                }
                let now = now_ms();
                let mut next = current.clone();
                calls::end(&mut next, CallStatus::Failed, reason, now);
                calls::transition(&st, tx, &current, next, &detail, now).await?;
                Ok(())
            })
            .await?;
            Ok(())
        }
    }
}

// ---- callbacks ----------------------------------------------------------------------------------

/// A request from Twilio: the URL it was sent to (`PUBLIC_URL` plus path and query), its form
/// parameters and its `X-Twilio-Signature`.
#[derive(Debug, Clone)]
pub struct Callback {
    pub url: String,
    /// Other URLs the request may have been signed for (as addressed through the Host header).
    pub also_urls: Vec<String>,
    pub params: Vec<(String, String)>,
    pub signature: Option<String>,
}

impl Callback {
    /// A parameter's trimmed value; `None` when absent or blank.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim()).filter(|v| !v.is_empty())
    }
}

fn not_signed() -> AppError {
    AppError::forbidden("This request is not signed by the project's Twilio account.")
}

fn call_not_found() -> AppError {
    AppError::not_found("Call")
}

/// Checks that Twilio sent `cb` for the project's account.
async fn verify(st: &AppState, c: &mut AnyConnection, project_id: &str, cb: &Callback) -> Result<(), AppError> {
    let Some((sid, token)) = credentials(st, c, project_id).await? else { return Err(not_signed()) };
    let signed = cb
        .signature
        .as_deref()
        .is_some_and(|s| std::iter::once(&cb.url).chain(&cb.also_urls).any(|u| signature::valid(&token, u, &cb.params, s)));
    if !signed || cb.param("AccountSid").is_some_and(|a| a != sid) {
        tracing::warn!(project_id, signed, "Twilio callback refused: bad signature or another account");
        return Err(not_signed());
    }
    Ok(())
}

/// Verifies a callback about a call, in a read before any write transaction (a forged request
/// never takes the database's write lock): the call's project. A call we do not know cannot be
/// verified: 403, like any unsigned request.
async fn verified(st: &AppState, call_id: &str, cb: &Callback) -> Result<String, AppError> {
    st.read(async |c| {
        let project_id = calls_db::project_of(&mut *c, call_id).await?.ok_or_else(not_signed)?;
        verify(st, c, &project_id, cb).await?;
        Ok(project_id)
    })
    .await
}

/// A Twilio call of the project, with its snapshot.
async fn load(c: &mut AnyConnection, project_id: &str, call_id: &str) -> Result<(CallRow, TwilioCallRow), AppError> {
    let row = calls_db::find(&mut *c, project_id, call_id).await?.ok_or_else(call_not_found)?;
    let snap = db::find_call(&mut *c, project_id, call_id).await?.ok_or_else(call_not_found)?;
    Ok((row, snap))
}

fn say(snap: &TwilioCallRow, text: &str) -> Verb {
    Verb::Say { text: text.to_string(), voice: snap.say_voice.clone(), language: snap.language.clone() }
}

fn gather(st: &AppState, snap: &TwilioCallRow, step: i64) -> Verb {
    Verb::Gather { action: turn_url(st, &snap.call_id, step, false), language: snap.language.clone() }
}

fn hangup_only() -> String {
    twiml::response(&[Verb::Hangup])
}

/// Roughly how long a line takes to say, for transcript offsets (about 150 words a minute).
fn speech_ms(text: &str) -> i64 {
    (text.split_whitespace().count() as i64 * 400).max(600)
}

fn transcript_of(row: &CallRow) -> Result<Vec<TranscriptSegment>, AppError> {
    serde_json::from_str(&row.transcript).map_err(|e| {
        tracing::error!(table = "calls", id = %row.id, column = "transcript", error = %e, "corrupt stored value");
        AppError::internal()
    })
}

fn set_transcript(row: &mut CallRow, t: &[TranscriptSegment]) -> Result<(), AppError> {
    row.transcript = serde_json::to_string(t).map_err(|_| AppError::internal())?;
    Ok(())
}

/// The time into the call, in ms from its answer.
fn offset(row: &CallRow, now: i64) -> i64 {
    row.answered_at.map(|a| (now - a).max(0)).unwrap_or(0)
}

fn agent_says(t: &mut Vec<TranscriptSegment>, text: &str, at: i64) {
    let start = at.max(t.last().map(|s| s.end_ms).unwrap_or(0));
    t.push(TranscriptSegment {
        role: Speaker::Agent,
        text: text.to_string(),
        start_ms: start,
        end_ms: start + speech_ms(text),
        confidence: None,
    });
}

fn caller_said(t: &mut Vec<TranscriptSegment>, text: &str, confidence: Option<f64>, at: i64) {
    let floor = t.last().map(|s| s.end_ms).unwrap_or(0);
    let end = at.max(floor);
    let start = (end - speech_ms(text)).max(floor);
    t.push(TranscriptSegment { role: Speaker::User, text: text.to_string(), start_ms: start, end_ms: end, confidence });
}

/// Marks `row` answered (if it was not) at `at`, by whoever Twilio's `AnsweredBy` names.
fn mark_answered(row: &mut CallRow, answered_by: Option<&str>, at: i64) {
    if row.status.can_become(CallStatus::InProgress) {
        row.status = CallStatus::InProgress;
    }
    row.started_at = row.started_at.or(Some(at));
    row.answered_at = row.answered_at.or(Some(at));
    if let Some(by) = answered_by.and_then(status::answered_by) {
        // "unknown" never replaces what is known.
        if by != AnsweredBy::Unknown || row.answered_by.is_none() {
            row.answered_by = Some(by);
        }
    }
}

/// Writes `next` over `before` like `calls::transition`; a call completed before it was marked
/// answered (callbacks out of order) passes through in-progress, so its events tell the story.
async fn apply(st: &AppState, tx: &mut Tx, before: &CallRow, next: CallRow, detail: &str, now: i64) -> Result<bool, AppError> {
    if next.status == CallStatus::Completed && matches!(before.status, CallStatus::Initiated | CallStatus::Ringing) {
        let mut mid = next.clone();
        mid.status = CallStatus::InProgress;
        mid.end_reason = None;
        mid.ended_at = None;
        mid.duration_ms = None;
        if !calls::transition(st, tx, before, mid.clone(), "", now).await? {
            return Ok(false);
        }
        return calls::transition(st, tx, &mid, next, detail, now).await;
    }
    calls::transition(st, tx, before, next, detail, now).await
}

/// The TwiML already answered at `step`, for a callback that arrives again (or lost a race).
async fn answered(c: &mut AnyConnection, row: &CallRow, step: i64) -> Result<String, AppError> {
    Ok(db::turn(c, &row.project_id, &row.id, step).await?.map(|t| t.twiml).unwrap_or_else(hangup_only))
}

/// Twilio asks what to do now that an outbound call was answered.
pub async fn voice(st: &AppState, call_id: &str, cb: &Callback) -> Result<String, AppError> {
    let project_id = verified(st, call_id, cb).await?;
    st.write(async |tx| {
        let (row, snap) = load(&mut *tx, &project_id, call_id).await?;
        open(st, tx, row, &snap, cb).await
    })
    .await
}

/// The call's opening, at [`OPENING_STEP`]: answering-machine handling, else the agent's first
/// message (when it speaks first) and the first Gather.
async fn open(st: &AppState, tx: &mut Tx, mut row: CallRow, snap: &TwilioCallRow, cb: &Callback) -> Result<String, AppError> {
    for _ in 0..4 {
        if row.step != OPENING_STEP || row.status.is_final() {
            return answered(&mut *tx, &row, OPENING_STEP).await;
        }
        let now = now_ms();
        let mut next = row.clone();
        next.step = OPENING_STEP + 1;
        // Without machine detection Twilio does not say who answered; the first words heard
        // from the caller make it a person (see `turn`).
        let answered_by = cb.param("AnsweredBy").or(Some("unknown"));
        mark_answered(&mut next, answered_by, now);
        if next.provider_call_id.is_none() {
            next.provider_call_id = cb.param("CallSid").map(str::to_string);
        }
        let mut transcript = transcript_of(&row)?;
        let machine = answered_by.and_then(status::answered_by) == Some(AnsweredBy::Machine);
        let first = row.first_message.trim().to_string();
        let (verbs, kind, detail) = match (machine, snap.machine_detection) {
            (true, MachineDetection::HangUp) => {
                calls::end(&mut next, CallStatus::Completed, EndReason::VoicemailReached, now);
                (vec![Verb::Hangup], "machine", "answering machine: hung up")
            }
            (true, MachineDetection::LeaveMessage) => {
                let mut verbs = Vec::new();
                if !first.is_empty() {
                    agent_says(&mut transcript, &first, 0);
                    verbs.push(say(snap, &first));
                }
                verbs.push(Verb::Hangup);
                calls::end(&mut next, CallStatus::Completed, EndReason::VoicemailReached, now);
                (verbs, "voicemail", "answering machine: message left")
            }
            _ => {
                let mut verbs = Vec::new();
                if row.speaks_first == crate::model::SpeaksFirst::Agent && !first.is_empty() {
                    agent_says(&mut transcript, &first, 0);
                    verbs.push(say(snap, &first));
                }
                verbs.push(gather(st, snap, OPENING_STEP + 1));
                (verbs, "opening", "")
            }
        };
        set_transcript(&mut next, &transcript)?;
        let xml = twiml::response(&verbs);
        if apply(st, tx, &row, next, detail, now).await? {
            db::insert_turn(&mut *tx, &row.id, OPENING_STEP, kind, &xml, now).await?;
            return Ok(xml);
        }
        // A status callback moved the call meanwhile: look again.
        row = calls_db::find(&mut *tx, &row.project_id, &row.id).await?.ok_or_else(call_not_found)?;
    }
    Err(AppError::new(ErrorCode::Conflict, "The call kept changing; Twilio will ask again."))
}

/// What a turn does, decided before the write.
enum Plan {
    /// Say this, then listen at the next step.
    Continue { line: String, kind: &'static str },
    /// Say this (if anything) and hang up, ending the call.
    End { line: Option<String>, reason: EndReason, kind: &'static str },
    /// Apologise and come back for one more try of the model.
    Retry,
}

/// The caller spoke (or stayed silent) at `step`: the agent's next turn.
pub async fn turn(st: &AppState, call_id: &str, step: i64, retry: bool, cb: &Callback) -> Result<String, AppError> {
    let project_id = verified(st, call_id, cb).await?;
    let (row, snap, last_kind) = st
        .read(async |c| {
            let (row, snap) = load(&mut *c, &project_id, call_id).await?;
            let last = db::turns_before(&mut *c, &row.project_id, &row.id, step, 1).await?.into_iter().next().map(|t| t.kind);
            Ok((row, snap, last))
        })
        .await?;
    if row.step != step || row.status.is_final() {
        return st.read(async |c| answered(c, &row, step).await).await;
    }
    let now = now_ms();
    let mut transcript = transcript_of(&row)?;
    let speech = if retry { None } else { cb.param("SpeechResult") };
    if let Some(words) = speech {
        let confidence = cb.param("Confidence").and_then(|c| c.parse::<f64>().ok()).filter(|c| c.is_finite());
        caller_said(&mut transcript, words, confidence, offset(&row, now));
    }
    let over_time = row.answered_at.is_some_and(|a| row.max_duration_secs > 0 && now - a >= row.max_duration_secs * 1000);
    let plan = if over_time {
        Plan::End { line: Some(TIME_UP.into()), reason: EndReason::MaxDurationReached, kind: "time_limit" }
    } else if !retry && speech.is_none() {
        if last_kind.as_deref() == Some("silence") {
            Plan::End { line: Some(SILENT_GOODBYE.into()), reason: EndReason::Inactivity, kind: "silence_end" }
        } else {
            Plan::Continue { line: STILL_THERE.into(), kind: "silence" }
        }
    } else {
        match ask_model(st, &row, &snap, &transcript).await {
            Ok((Some(line), false)) => Plan::Continue { line, kind: "speech" },
            Ok((line, true)) => Plan::End { line, reason: EndReason::AgentHangup, kind: "agent_hangup" },
            Ok((None, false)) | Err(_) if !retry => Plan::Retry,
            Ok((None, false)) | Err(_) => Plan::End { line: Some(TROUBLE.into()), reason: EndReason::InternalError, kind: "model_failed" },
        }
    };
    let heard_person = speech.is_some();
    st.write(async |tx| {
        let mut current = calls_db::find(&mut *tx, &row.project_id, &row.id).await?.ok_or_else(call_not_found)?;
        // A status callback may change the call between the read and the write: look again.
        for _ in 0..4 {
            if current.step != step || current.status.is_final() {
                return answered(&mut *tx, &current, step).await;
            }
            let now = now_ms();
            let at = offset(&current, now);
            let mut transcript = transcript.clone();
            let mut next = current.clone();
            next.step = step + 1;
            if heard_person && next.answered_by != Some(AnsweredBy::Machine) {
                next.answered_by = Some(AnsweredBy::Human);
            }
            let (verbs, kind, detail) = match &plan {
                Plan::Continue { line, kind } => {
                    agent_says(&mut transcript, line, at);
                    (vec![say(&snap, line), gather(st, &snap, step + 1)], *kind, "")
                }
                Plan::Retry => {
                    agent_says(&mut transcript, MOMENT, at);
                    (vec![say(&snap, MOMENT), Verb::Redirect { url: turn_url(st, &row.id, step + 1, true) }], "model_retry", "")
                }
                Plan::End { line, reason, kind } => {
                    let mut verbs = Vec::new();
                    if let Some(line) = line {
                        agent_says(&mut transcript, line, at);
                        verbs.push(say(&snap, line));
                    }
                    verbs.push(Verb::Hangup);
                    mark_answered(&mut next, None, now);
                    calls::end(&mut next, CallStatus::Completed, *reason, now);
                    (verbs, *kind, reason.as_str())
                }
            };
            set_transcript(&mut next, &transcript)?;
            let xml = twiml::response(&verbs);
            if apply(st, tx, &current, next, detail, now).await? {
                db::insert_turn(&mut *tx, &row.id, step, kind, &xml, now).await?;
                return Ok(xml);
            }
            // Another delivery of this step won (then its answer is returned above), or a status
            // callback moved the call.
            current = calls_db::find(&mut *tx, &row.project_id, &row.id).await?.ok_or_else(call_not_found)?;
        }
        Err(AppError::new(ErrorCode::Conflict, "The call kept changing; Twilio will ask again."))
    })
    .await
}

/// The agent's next line from the model, within the turn timeout.
async fn ask_model(st: &AppState, row: &CallRow, snap: &TwilioCallRow, transcript: &[TranscriptSegment]) -> Result<(Option<String>, bool), String> {
    let Some(cfg) = &st.config.llm else { return Err("no model is configured".into()) };
    let llm = crate::server::llm::Llm::new(cfg);
    // The apology before a retry is filler, not the agent's turn: the model answers the caller.
    let transcript = match transcript.split_last() {
        Some((last, rest)) if last.role == Speaker::Agent && last.text == MOMENT => rest,
        _ => transcript,
    };
    match tokio::time::timeout(st.config.llm_turn_timeout, llm.agent_turn(&row.prompt, transcript, &snap.llm_model, snap.temperature)).await {
        Ok(Ok(answer)) => Ok(answer),
        Ok(Err(e)) => {
            tracing::warn!(call_id = %row.id, error = %e, "the model did not give the agent's turn");
            Err(e.to_string())
        }
        Err(_) => {
            tracing::warn!(call_id = %row.id, timeout_ms = st.config.llm_turn_timeout.as_millis() as u64, "the model timed out on the agent's turn");
            Err("timed out".into())
        }
    }
}

/// A status callback: moves the call forward, never back. `call_id` is in the URL of outbound
/// calls; inbound calls are found by Twilio's call SID.
pub async fn status_callback(st: &AppState, call_id: Option<&str>, cb: &Callback) -> Result<(), AppError> {
    let id = match call_id {
        Some(id) => id.to_string(),
        None => {
            let sid = cb.param("CallSid").ok_or_else(not_signed)?;
            st.read(async |c| Ok(db::call_by_sid(c, sid).await?)).await?.ok_or_else(not_signed)?.1
        }
    };
    let project_id = verified(st, &id, cb).await?;
    st.write(async |tx| {
        let (mut row, _) = load(&mut *tx, &project_id, &id).await?;
        let sip = cb.param("SipResponseCode").and_then(|s| s.parse::<u16>().ok());
        let Some(reported) = status::reported(cb.param("CallStatus").unwrap_or_default(), sip) else {
            tracing::warn!(call_id = %row.id, "Twilio reported a status we do not know; ignored");
            return Ok(());
        };
        let duration_secs = cb.param("CallDuration").and_then(|d| d.parse::<i64>().ok()).filter(|d| *d >= 0);
        for _ in 0..4 {
            let now = now_ms();
            if row.status.is_final() {
                // Ended on our side first (our <Hangup/>): Twilio's duration is the call's.
                if let (Some(d), true) = (duration_secs, reported.status == CallStatus::Completed && row.answered_at.is_some()) {
                    if db::take_duration(&mut *tx, &row.project_id, &row.id, d).await?
                        && calls_db::set_duration(&mut *tx, &row.project_id, &row.id, d * 1000, now).await?
                    {
                        row.duration_ms = Some(d * 1000);
                        calls::publish(st, &mut *tx, &row).await?;
                    }
                }
                return Ok(());
            }
            let catch_up = reported.status == CallStatus::Completed && matches!(row.status, CallStatus::Initiated | CallStatus::Ringing);
            if reported.status == row.status || !(row.status.can_become(reported.status) || catch_up) {
                // A duplicate, or a late report of a step the call is past.
                return Ok(());
            }
            let mut next = row.clone();
            if next.provider_call_id.is_none() {
                next.provider_call_id = cb.param("CallSid").map(str::to_string);
            }
            let answered_by = cb.param("AnsweredBy");
            let detail = match reported.status {
                CallStatus::InProgress => {
                    mark_answered(&mut next, answered_by, now);
                    String::new()
                }
                CallStatus::Completed => {
                    mark_answered(&mut next, answered_by, now - duration_secs.unwrap_or(0) * 1000);
                    let reason = status::completed_reason(duration_secs, row.max_duration_secs);
                    calls::end(&mut next, CallStatus::Completed, reason, now);
                    if let Some(d) = duration_secs {
                        next.duration_ms = Some(d * 1000);
                    }
                    reason.as_str().to_string()
                }
                s if s.is_final() => {
                    let reason = reported.end_reason.unwrap_or(EndReason::DialFailed);
                    calls::end(&mut next, s, reason, now);
                    match sip {
                        Some(code) => format!("{} (SIP {code})", reason.as_str()),
                        None => reason.as_str().to_string(),
                    }
                }
                s => {
                    next.status = s;
                    String::new()
                }
            };
            if apply(st, tx, &row, next, &detail, now).await? {
                if let (Some(d), CallStatus::Completed) = (duration_secs, reported.status) {
                    db::take_duration(&mut *tx, &row.project_id, &row.id, d).await?;
                }
                return Ok(());
            }
            row = calls_db::find(&mut *tx, &row.project_id, &row.id).await?.ok_or_else(call_not_found)?;
        }
        Ok(())
    })
    .await
}

/// Twilio's recording callback: remembers the recording and fetches it in a job.
pub async fn recording_callback(st: &AppState, call_id: &str, cb: &Callback) -> Result<(), AppError> {
    let project_id = verified(st, call_id, cb).await?;
    st.write(async |tx| {
        let (row, _) = load(&mut *tx, &project_id, call_id).await?;
        if cb.param("RecordingStatus").is_some_and(|s| s != "completed") {
            return Ok(());
        }
        let Some(sid) = cb.param("RecordingSid") else { return Err(AppError::field("RecordingSid", "The recording SID is missing.")) };
        if !sid.starts_with("RE") || sid.len() > 64 || !sid.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(AppError::field("RecordingSid", "This is not a Twilio recording SID."));
        }
        let duration_ms = cb.param("RecordingDuration").and_then(|d| d.parse::<i64>().ok()).unwrap_or(0).max(0) * 1000;
        db::set_recording(&mut *tx, &row.project_id, &row.id, sid).await?;
        let payload = serde_json::json!({ "project_id": row.project_id, "call_id": row.id, "recording_sid": sid, "duration_ms": duration_ms });
        jobs::enqueue(&mut *tx, NewJob::new(RECORDING, payload).key(format!("twilio-recording:{}:{sid}", row.id)).max_attempts(6)).await?;
        Ok(())
    })
    .await
}

/// A call to one of our numbers: routed to the number's inbound agent.
pub async fn inbound(st: &AppState, cb: &Callback) -> Result<String, AppError> {
    let number_not_found = || AppError::not_found("Phone number");
    // A number we do not have cannot be verified: 403, like any unsigned request.
    let to = E164::parse(cb.param("To").unwrap_or_default(), None, "To").map_err(|_| not_signed())?;
    st.read(async |c| {
        let number = numbers_db::find_by_e164(&mut *c, to.as_str()).await?.ok_or_else(not_signed)?;
        verify(st, c, &number.project_id, cb).await
    })
    .await?;
    st.write(async |tx| {
        let number = numbers_db::find_by_e164(&mut *tx, to.as_str()).await?.ok_or_else(number_not_found)?;
        let call_sid = cb.param("CallSid").ok_or_else(|| AppError::field("CallSid", "The call SID is missing."))?;
        if let Some((project_id, id)) = db::call_by_sid(&mut *tx, call_sid).await? {
            // Twilio asked again for a call it already told us about.
            let row = calls_db::find(&mut *tx, &project_id, &id).await?.ok_or_else(call_not_found)?;
            return answered(&mut *tx, &row, OPENING_STEP).await;
        }
        let caller = match cb.param("From") {
            Some(f) => E164::parse(f, None, "From").map(|e| e.as_str().to_string()).unwrap_or_else(|_| f.chars().take(32).collect()),
            None => "anonymous".into(),
        };
        let now = now_ms();
        let links = crate::server::db::agents::links(&mut *tx, &number.project_id).await?;
        let agent_id = links.iter().find(|l| l.phone_number_id == number.id && l.direction == Direction::Inbound).map(|l| l.agent_id.clone());
        let agent = match agent_id {
            Some(id) => Some(super::agents::get_in(&mut *tx, &Actor::System, &number.project_id, &id).await?),
            None => None,
        };
        let mut row = match &agent {
            Some(a) => {
                let (prompt, first_message) = render_without_variables(a)?;
                CallRow { prompt, first_message, ..calls::queued_row(&Actor::System, a, now) }
            }
            None => calls::blank_row(&Actor::System, &number.project_id, now),
        };
        row.direction = Direction::Inbound;
        row.from_number = caller;
        row.to_number = number.e164.clone();
        row.provider = PROVIDER.into();
        row.provider_call_id = Some(call_sid.to_string());
        row.is_test = false;
        row.step = OPENING_STEP;
        // The unique (provider, call SID) index decides between two deliveries of one call.
        let mut sp = sqlx::Connection::begin(&mut **tx).await?;
        let inserted = calls_db::insert(&mut sp, &row).await;
        if let Err(e) = crate::server::db::settle(sp, inserted).await {
            if crate::server::error::is_unique_violation(&e) {
                let (project_id, id) = db::call_by_sid(&mut *tx, call_sid).await?.ok_or_else(call_not_found)?;
                let existing = calls_db::find(&mut *tx, &project_id, &id).await?.ok_or_else(call_not_found)?;
                return answered(&mut *tx, &existing, OPENING_STEP).await;
            }
            return Err(e.into());
        }
        calls::queued_follow_up(st, tx, &row, "inbound call", now).await?;
        let (sid, _) = credentials(st, &mut *tx, &number.project_id).await?.ok_or_else(not_signed)?;
        let snap = match &agent {
            Some(a) => snapshot(&mut *tx, a, &row.id, &sid, now).await?,
            None => TwilioCallRow {
                call_id: row.id.clone(),
                project_id: row.project_id.clone(),
                account_sid: sid,
                say_voice: crate::model::twilio::say_voice(None, None, None, ""),
                language: crate::model::twilio::say_language(""),
                llm_model: String::new(),
                temperature: 0.0,
                machine_detection: MachineDetection::Off,
                recording_sid: None,
                created_at: now,
            },
        };
        db::insert_call(&mut *tx, &snap).await?;
        let Some(agent) = agent else {
            return refuse_inbound(st, tx, &row, &snap, NOT_ASSIGNED, EndReason::DialFailed, "no inbound agent answers this number").await;
        };
        let limit = calls_db::lock_project(&mut *tx, &row.project_id).await?.ok_or_else(call_not_found)?;
        if calls_db::live_count(&mut *tx, &row.project_id).await? >= limit {
            return refuse_inbound(st, tx, &row, &snap, LINES_BUSY, EndReason::ConcurrencyLimitReached, "the project's concurrent call limit is reached").await;
        }
        let mut answered_row = row.clone();
        mark_answered(&mut answered_row, Some("human"), now);
        if !calls::transition(st, tx, &row, answered_row.clone(), "inbound call answered", now).await? {
            return Err(AppError::internal());
        }
        jobs::enqueue(&mut *tx, calls::reconcile_job(&answered_row, now)).await?;
        if agent.recording {
            jobs::enqueue(&mut *tx, NewJob::new(START_RECORDING, call_ref(&answered_row)).max_attempts(4)).await?;
        }
        open(st, tx, answered_row, &snap, cb).await
    })
    .await
}

/// An inbound call we cannot take: said so, hung up, and recorded as failed with `reason`.
async fn refuse_inbound(st: &AppState, tx: &mut Tx, row: &CallRow, snap: &TwilioCallRow, line: &str, reason: EndReason, detail: &str) -> Result<String, AppError> {
    let now = now_ms();
    let mut next = row.clone();
    next.step = OPENING_STEP + 1;
    calls::end(&mut next, CallStatus::Failed, reason, now);
    let xml = twiml::response(&[say(snap, line), Verb::Hangup]);
    if !calls::transition(st, tx, row, next, detail, now).await? {
        return Err(AppError::internal());
    }
    db::insert_turn(&mut *tx, &row.id, OPENING_STEP, "refused", &xml, now).await?;
    Ok(xml)
}

/// An inbound caller brings no variables: placeholders render empty rather than refuse the call.
fn render_without_variables(agent: &AgentView) -> Result<(String, String), AppError> {
    use crate::server::domain::PromptTemplate;
    let mut values = HashMap::new();
    for text in [&agent.system_prompt, &agent.first_message] {
        if let Ok(t) = PromptTemplate::parse(text, "prompt") {
            for v in t.variables() {
                values.insert(v, String::new());
            }
        }
    }
    super::agents::render(agent, &values)
}

// ---- background work ----------------------------------------------------------------------------

/// Fetches an ended call's price from Twilio and stores it as the call's cost. Twilio prices a
/// call some time after it ends: an unpriced call is asked again later (the job's backoff).
async fn price(st: AppState, job: JobContext) -> Result<(), JobError> {
    let p: CallRef = job.json()?;
    let found = st
        .read(async |c| {
            let Some(row) = calls_db::find(&mut *c, &p.project_id, &p.call_id).await? else { return Ok(None) };
            let creds = credentials(&st, c, &p.project_id).await?;
            Ok(row.provider_call_id.clone().zip(creds))
        })
        .await?;
    let Some((call_sid, (sid, token))) = found else { return Ok(()) };
    match client(&st, &sid, &token)?.price(&call_sid).await {
        Ok(Some((micros, currency))) => {
            st.write(async |tx| {
                calls_db::set_cost(&mut *tx, &p.project_id, &p.call_id, micros, &currency, now_ms()).await?;
                if let Some(row) = calls_db::find(&mut *tx, &p.project_id, &p.call_id).await? {
                    calls::publish(&st, &mut *tx, &row).await?;
                }
                Ok(())
            })
            .await?;
            Ok(())
        }
        Ok(None) if job.attempt < job.max_attempts => Err(JobError::new("Twilio has not priced the call yet")),
        Ok(None) => {
            tracing::warn!(call_id = %p.call_id, "Twilio never priced the call; its cost stays unknown (0)");
            Ok(())
        }
        Err(e) => final_unless_retry(Err(e), &p.call_id, "price the call"),
    }
}

#[derive(Deserialize)]
struct RecordingRef {
    project_id: String,
    call_id: String,
    recording_sid: String,
    duration_ms: i64,
}

/// Downloads a call's recording from Twilio (with the account's credentials, which never reach
/// the browser) and stores it, so members get it from us.
async fn download_recording(st: AppState, job: JobContext) -> Result<(), JobError> {
    let p: RecordingRef = job.json()?;
    let Some((sid, token)) = st.read(async |c| credentials(&st, c, &p.project_id).await).await? else { return Ok(()) };
    let (content_type, bytes) = match client(&st, &sid, &token)?.recording(&p.recording_sid).await {
        Ok(audio) => audio,
        Err(Failure::Refused { status, message, .. }) if job.attempt >= job.max_attempts => {
            tracing::warn!(call_id = %p.call_id, status, message = %message, "Twilio refused the recording");
            let note = format!("Twilio refused the recording ({status}).");
            st.write(async |tx| {
                crate::server::db::recordings::insert_pending(&mut *tx, &p.project_id, &p.call_id, now_ms()).await?;
                crate::server::db::recordings::fail(&mut *tx, &p.project_id, &p.call_id, &note, now_ms()).await?;
                Ok(())
            })
            .await?;
            return Ok(());
        }
        Err(e) => return Err(JobError::new(e.to_string())),
    };
    st.write(async |tx| {
        use crate::server::db::recordings as rec;
        let now = now_ms();
        // The recording may arrive before the call's end is known: its row is made here then.
        rec::insert_pending(&mut *tx, &p.project_id, &p.call_id, now).await?;
        let path = super::recordings::path(&p.call_id);
        let audio = rec::NewAudio { content_type: &content_type, bytes: &bytes, duration_ms: p.duration_ms, path: &path };
        if rec::complete(&mut *tx, &p.project_id, &p.call_id, &audio, now).await? {
            if let Some(row) = calls_db::find(&mut *tx, &p.project_id, &p.call_id).await? {
                super::recordings::changed(&st, &mut *tx, &row, crate::model::RecordingStatus::Ready).await?;
            }
        }
        Ok(())
    })
    .await?;
    Ok(())
}

/// Starts recording an inbound call (an outbound call is recorded from its creation).
async fn start_recording(st: AppState, job: JobContext) -> Result<(), JobError> {
    let p: CallRef = job.json()?;
    let found = st
        .read(async |c| {
            let Some(row) = calls_db::find(&mut *c, &p.project_id, &p.call_id).await? else { return Ok(None) };
            if row.status.is_final() {
                return Ok(None);
            }
            Ok(row.provider_call_id.clone().zip(credentials(&st, c, &p.project_id).await?))
        })
        .await?;
    let Some((call_sid, (sid, token))) = found else { return Ok(()) };
    // Refused: the call ended meanwhile, most likely.
    final_unless_retry(client(&st, &sid, &token)?.start_recording(&call_sid, &recording_url(&st, &p.call_id)).await, &p.call_id, "start the recording")
}

/// Ends a call at Twilio that we ended here (canceled, or ended by the reconciler).
async fn hang_up(st: AppState, job: JobContext) -> Result<(), JobError> {
    let p: CallRef = job.json()?;
    let found = st
        .read(async |c| {
            let Some(row) = calls_db::find(&mut *c, &p.project_id, &p.call_id).await? else { return Ok(None) };
            let creds = credentials(&st, c, &p.project_id).await?;
            Ok(row.provider_call_id.clone().zip(creds).map(|x| (x, row.answered_at.is_some())))
        })
        .await?;
    let Some(((call_sid, (sid, token)), answered)) = found else { return Ok(()) };
    // Twilio cancels a call that is still ringing, and completes one in progress.
    let form = vec![("Status".to_string(), if answered { "completed" } else { "canceled" }.to_string())];
    // Refused: already over at Twilio.
    final_unless_retry(client(&st, &sid, &token)?.update_call(&call_sid, &form).await, &p.call_id, "hang up the call")
}

#[derive(Deserialize)]
struct ReleasedNumber {
    project_id: String,
    number_sid: String,
}

/// Clears the voice URL of a released number we had pointed at us, so Twilio stops sending its
/// calls here.
async fn release_number(st: AppState, job: JobContext) -> Result<(), JobError> {
    let p: ReleasedNumber = job.json()?;
    let Some((sid, token)) = st.read(async |c| credentials(&st, c, &p.project_id).await).await? else { return Ok(()) };
    final_unless_retry(client(&st, &sid, &token)?.set_voice_url(&p.number_sid, "", "").await, &p.number_sid, "clear a released number's voice URL")
}

/// A recorded call whose recording never came (Twilio refused it, or the call ended before it
/// started): its recording becomes unavailable rather than pending for ever.
async fn recording_check(st: AppState, job: JobContext) -> Result<(), JobError> {
    let p: CallRef = job.json()?;
    st.write(async |tx| {
        use crate::server::db::recordings as rec;
        let pending = rec::find(&mut *tx, &p.project_id, &p.call_id).await?.is_some_and(|r| r.status == crate::model::RecordingStatus::Pending);
        if pending {
            rec::fail(&mut *tx, &p.project_id, &p.call_id, "Twilio sent no recording of this call.", now_ms()).await?;
            if let Some(row) = calls_db::find(&mut *tx, &p.project_id, &p.call_id).await? {
                super::recordings::changed(&st, &mut *tx, &row, crate::model::RecordingStatus::Unavailable).await?;
            }
        }
        Ok(())
    })
    .await?;
    Ok(())
}

#[derive(Deserialize)]
struct ProjectRef {
    project_id: String,
}

/// Points each Twilio number of the project that an inbound agent answers at our inbound
/// webhook, and clears the voice URL we set on numbers no inbound agent answers any more.
async fn sync_numbers(st: AppState, job: JobContext) -> Result<(), JobError> {
    let p: ProjectRef = job.json()?;
    let (creds, numbers) = st
        .read(async |c| {
            let creds = credentials(&st, &mut *c, &p.project_id).await?;
            let numbers = db::voice_numbers(&mut *c, &p.project_id).await?;
            Ok((creds, numbers))
        })
        .await?;
    let Some((sid, token)) = creds else { return Ok(()) };
    let ours = inbound_url(&st);
    let twilio = client(&st, &sid, &token)?;
    let mut retry = None;
    for n in numbers {
        let wanted = if n.inbound > 0 {
            ours.clone()
        } else if n.twilio_voice_url.as_deref() == Some(ours.as_str()) {
            String::new()
        } else {
            continue;
        };
        if n.twilio_voice_url.as_deref() == Some(wanted.as_str()) {
            continue;
        }
        let number_sid = match n.twilio_sid.clone() {
            Some(s) => Some(s),
            None => match twilio.number_sid(&n.e164).await {
                Ok(s) => s,
                Err(e) => {
                    retry = Some(e.to_string());
                    continue;
                }
            },
        };
        let Some(number_sid) = number_sid else {
            tracing::warn!(number = %n.e164, "this number is not in the project's Twilio account; its voice URL was not set");
            continue;
        };
        match twilio.set_voice_url(&number_sid, &wanted, &status_url(&st, None)).await {
            Ok(()) => {
                st.write(async |tx| Ok(db::set_voice_url(&mut *tx, &p.project_id, &n.id, &number_sid, &wanted).await?)).await?;
            }
            Err(Failure::Refused { status, message, .. }) => {
                tracing::warn!(number = %n.e164, status, message = %message, "Twilio refused to set the number's voice URL");
            }
            Err(e) => retry = Some(e.to_string()),
        }
    }
    match retry {
        Some(m) => Err(JobError::new(m)),
        None => Ok(()),
    }
}
