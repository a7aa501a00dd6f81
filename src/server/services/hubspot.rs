//! The HubSpot integration: a project's connection (a private-app token, sealed; whether to
//! create missing contacts; analysis answers mapped to contact properties), and the sync job
//! that logs every finished call on the right contact.
//!
//! Decisions:
//! - Admins connect, change and disconnect. The token is checked against HubSpot before it is
//!   stored (outside any transaction: a slow HubSpot never holds the database).
//! - When a call ends, and again when its analysis is stored, a `hubspot.sync` job is enqueued
//!   in that transaction (only for connected projects). The job finds the contact by the other
//!   party's number (`phone` or `mobilephone`, E.164 and national forms), creates it when the
//!   setting says so, and logs the call through the CRM calls object associated with the contact
//!   (type 194). The HubSpot call's id is stored at once, so the analysis (and any retry)
//!   updates that call instead of creating a second one. On `analyzed`, mapped answers are
//!   written to the contact.
//! - Every attempt is a row of the sync log. HubSpot's 429 and 5xx are retried (after its
//!   `Retry-After`, else with backoff) up to [`MAX_ATTEMPTS`]; other refusals fail at once. A
//!   failed sync can be retried by hand from the log.

use super::access::{self, Need};
use super::audit;
use crate::model::{AppError, CallAnalysisView, ErrorCode, HubSpotSettingsView, HubSpotSyncView, PropertyMapping, SyncOutcome};
use crate::server::auth::{sealed, Actor};
use crate::server::db::calls::CallRow;
use crate::server::db::hubspot::{self as db, SyncRow};
use crate::server::db::{integrations, new_id, now_ms, Tx};
use crate::server::domain::{AuditAction, E164};
use crate::server::hubspot::{Failure, HubSpot};
use crate::server::jobs::{self, JobContext, JobError, NewJob, Registry};
use crate::server::state::AppState;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sqlx::AnyConnection;
use std::time::Duration;

const KIND: &str = "hubspot";
pub const SYNC: &str = "hubspot.sync";
/// Attempts of one sync before it is given up (then retried by hand).
pub const MAX_ATTEMPTS: i64 = 6;
const MAX_MAPPINGS: usize = 50;

pub fn register(r: &mut Registry) {
    r.register(SYNC, sync);
}

fn context(project_id: &str) -> String {
    format!("hubspot:{project_id}")
}

use crate::server::auth::secrets::hint;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct PublicConfig {
    token_hint: String,
    create_contacts: bool,
    #[serde(default)]
    mappings: Vec<PropertyMapping>,
}

fn config_of(project_id: &str, text: &str) -> Result<PublicConfig, AppError> {
    super::batches::stored_json("integrations", project_id, "public_config", text)
}

fn view(cfg: PublicConfig, updated_at: i64) -> HubSpotSettingsView {
    HubSpotSettingsView { token_hint: cfg.token_hint, create_contacts: cfg.create_contacts, mappings: cfg.mappings, updated_at }
}

/// The connection, or `None` when the project has none (admins).
pub async fn settings(c: &mut AnyConnection, actor: &Actor, project_id: &str) -> Result<Option<HubSpotSettingsView>, AppError> {
    access::project(&mut *c, actor, project_id, Need::Manage).await?;
    let Some(row) = integrations::get(&mut *c, project_id, KIND).await? else { return Ok(None) };
    Ok(Some(view(config_of(project_id, &row.public_config)?, row.updated_at)))
}

/// What an admin sets. A connected project may leave `token` out to keep its token.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Connect {
    pub token: Option<String>,
    pub create_contacts: bool,
    pub mappings: Vec<PropertyMapping>,
}

fn check_mappings(m: &[PropertyMapping]) -> Result<Vec<PropertyMapping>, AppError> {
    if m.len() > MAX_MAPPINGS {
        return Err(AppError::field("mappings", format!("Map at most {MAX_MAPPINGS} answers.")));
    }
    let mut out = Vec::new();
    for (i, p) in m.iter().enumerate() {
        let (q, prop) = (p.question.trim(), p.property.trim());
        if q.is_empty() || q.len() > 200 {
            return Err(AppError::field(&format!("mappings[{i}].question"), "Name the analysis answer (summary, sentiment, successful, or a question's name)."));
        }
        let valid = !prop.is_empty() && prop.len() <= 100 && prop.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid {
            return Err(AppError::field(&format!("mappings[{i}].property"), "Use the property's internal name: lowercase letters, digits and underscores."));
        }
        out.push(PropertyMapping { question: q.to_string(), property: prop.to_string() });
    }
    Ok(out)
}

/// Connects the project, or changes its settings (admins). A new token is checked first.
pub async fn connect(st: &AppState, actor: &Actor, project_id: &str, input: Connect) -> Result<HubSpotSettingsView, AppError> {
    let mappings = check_mappings(&input.mappings)?;
    let token = input.token.as_deref().map(str::trim).filter(|t| !t.is_empty());
    if let Some(t) = token {
        if t.len() > 200 || !t.chars().all(|c| c.is_ascii_graphic()) {
            return Err(AppError::field("token", "Paste the private app's access token (no spaces)."));
        }
    }
    st.read(async |c| access::project(c, actor, project_id, Need::Manage).await.map(drop)).await?;
    if let Some(t) = token {
        let hs = HubSpot::new(&st.config.hubspot_api_base, t).map_err(|_| AppError::internal())?;
        match hs.check().await {
            Ok(()) => {}
            Err(Failure::Auth { .. }) => return Err(AppError::field("token", "HubSpot refused this token. Check it, and that the app has the CRM contacts scopes.")),
            Err(f) => {
                tracing::warn!(status = ?f.status(), message = f.message(), "HubSpot token check failed");
                return Err(AppError::new(ErrorCode::Upstream, "HubSpot could not check the token right now. Try again in a moment."));
            }
        }
    }
    st.write(async |tx| {
        access::project(&mut *tx, actor, project_id, Need::Manage).await?;
        let current = integrations::get(&mut *tx, project_id, KIND).await?;
        let (sealed_token, token_hint) = match (token, &current) {
            (Some(t), _) => (sealed::seal(&st.config.secret_key, &context(project_id), t)?, hint(t)),
            (None, Some(row)) => (row.secret_sealed.clone(), config_of(project_id, &row.public_config)?.token_hint),
            (None, None) => return Err(AppError::field("token", "Paste the private app's access token to connect HubSpot.")),
        };
        let cfg = PublicConfig { token_hint, create_contacts: input.create_contacts, mappings: mappings.clone() };
        let public = serde_json::to_string(&cfg).map_err(|_| AppError::internal())?;
        integrations::put(&mut *tx, project_id, KIND, &public, &sealed_token).await?;
        audit::record(&mut *tx, actor, project_id, AuditAction::HubSpotConnected, None, None).await?;
        let row = integrations::get(&mut *tx, project_id, KIND).await?.ok_or_else(AppError::internal)?;
        Ok(view(cfg, row.updated_at))
    })
    .await
}

pub async fn disconnect(tx: &mut Tx, actor: &Actor, project_id: &str) -> Result<(), AppError> {
    access::project(&mut *tx, actor, project_id, Need::Manage).await?;
    if integrations::delete(&mut *tx, project_id, KIND).await? {
        audit::record(&mut *tx, actor, project_id, AuditAction::HubSpotDisconnected, None, None).await?;
    }
    Ok(())
}

fn log_view(r: &SyncRow) -> Result<HubSpotSyncView, AppError> {
    Ok(HubSpotSyncView {
        id: r.id.clone(),
        call_id: r.call_id.clone(),
        event: r.event.clone(),
        attempt: r.attempt,
        outcome: SyncOutcome::try_from(r.outcome.clone()).map_err(|e| {
            tracing::error!(table = "hubspot_sync_log", id = %r.id, column = "outcome", error = %e, "corrupt stored value");
            AppError::internal()
        })?,
        message: r.message.clone(),
        status_code: r.status_code,
        hubspot_call_id: r.hubspot_call_id.clone(),
        contact_id: r.contact_id.clone(),
        created_at: r.created_at,
    })
}

/// One page of the sync log, newest first (admins).
pub async fn sync_log(c: &mut AnyConnection, actor: &Actor, project_id: &str, before: Option<(i64, String)>, limit: i64) -> Result<Vec<HubSpotSyncView>, AppError> {
    access::project(&mut *c, actor, project_id, Need::Manage).await?;
    db::log_page(c, project_id, before, limit).await?.iter().map(log_view).collect()
}

/// Syncs the call of a log entry again (admins).
pub async fn retry(tx: &mut Tx, actor: &Actor, project_id: &str, log_id: &str) -> Result<(), AppError> {
    access::project(&mut *tx, actor, project_id, Need::Manage).await?;
    let entry = db::find_log(&mut *tx, project_id, log_id).await?.ok_or_else(|| AppError::not_found("Sync log entry"))?;
    if integrations::get(&mut *tx, project_id, KIND).await?.is_none() {
        return Err(AppError::new(ErrorCode::Conflict, "HubSpot is not connected: connect it first."));
    }
    jobs::enqueue(&mut *tx, sync_job(project_id, &entry.call_id, "retry", 1, now_ms())).await?;
    Ok(())
}

fn sync_job(project_id: &str, call_id: &str, event: &str, attempt: i64, at: i64) -> NewJob {
    NewJob::new(SYNC, json!({ "project_id": project_id, "call_id": call_id, "event": event, "attempt": attempt }))
        .run_at(at)
        .max_attempts(3)
}

/// In the transaction that ends a call (`ended`) or stores its analysis (`analyzed`): asks for
/// a sync when the project is connected.
pub async fn on_call(c: &mut AnyConnection, row: &CallRow, event: &str) -> Result<(), AppError> {
    if integrations::get(&mut *c, &row.project_id, KIND).await?.is_some() {
        jobs::enqueue(c, sync_job(&row.project_id, &row.id, event, 1, now_ms())).await?;
    }
    Ok(())
}

// ---- the sync job ---------------------------------------------------------------------------------

#[derive(Deserialize)]
struct SyncPayload {
    project_id: String,
    call_id: String,
    event: String,
    attempt: i64,
}

/// What the job read before talking to HubSpot.
struct Input {
    token: String,
    cfg: PublicConfig,
    row: CallRow,
    analysis: Option<CallAnalysisView>,
    logged: Option<db::LoggedCall>,
}

/// The outcome of talking to HubSpot.
struct Done {
    hubspot_call_id: String,
    contact_id: String,
}

async fn sync(st: AppState, job: JobContext) -> Result<(), JobError> {
    let p: SyncPayload = job.json()?;
    let input = st
        .read(async |c| {
            let Some(integration) = integrations::get(&mut *c, &p.project_id, KIND).await? else { return Ok(None) };
            let Some(row) = crate::server::db::calls::find(&mut *c, &p.project_id, &p.call_id).await? else { return Ok(None) };
            let cfg = config_of(&p.project_id, &integration.public_config)?;
            let token = sealed::open(&st.config.secret_key, &context(&p.project_id), &integration.secret_sealed)?;
            let analysis = super::calls::latest_analysis(&mut *c, &row).await?;
            let logged = db::logged_call(&mut *c, &p.project_id, &p.call_id).await?;
            Ok(Some(Input { token, cfg, row, analysis, logged }))
        })
        .await?;
    let Some(input) = input else { return Ok(()) };
    let result = talk(&st, &input).await;
    let now = now_ms();
    if let Ok(Talked::Busy) = result {
        // Not an attempt: the sync creating the HubSpot call finishes within seconds (or its
        // claim expires), then this one updates that call.
        st.write(async |tx| jobs::enqueue(&mut *tx, sync_job(&p.project_id, &p.call_id, &p.event, p.attempt, now + 5000)).await.map(drop))
            .await?;
        return Ok(());
    }
    let mut entry = SyncRow {
        id: new_id(),
        project_id: p.project_id.clone(),
        call_id: p.call_id.clone(),
        event: p.event.clone(),
        attempt: p.attempt,
        outcome: String::new(),
        message: String::new(),
        status_code: None,
        hubspot_call_id: input.logged.as_ref().map(|l| l.hubspot_call_id.clone()).filter(|id| !id.is_empty()),
        contact_id: input.logged.as_ref().and_then(|l| l.contact_id.clone()).filter(|c| !c.is_empty()),
        created_at: now,
    };
    let mut again = None;
    match result {
        Ok(Talked::Done(done)) => {
            entry.outcome = SyncOutcome::Succeeded.as_str().into();
            let updated = input.logged.as_ref().is_some_and(|l| !l.hubspot_call_id.is_empty());
            entry.message = if updated { "Call updated in HubSpot." } else { "Call logged in HubSpot." }.into();
            entry.hubspot_call_id = Some(done.hubspot_call_id);
            entry.contact_id = Some(done.contact_id).filter(|c| !c.is_empty());
        }
        Ok(Talked::Busy) => {}
        Ok(Talked::NoContact) => {
            entry.outcome = SyncOutcome::Skipped.as_str().into();
            entry.message = "No HubSpot contact has this number, and creating contacts is off.".into();
        }
        Err(f) => {
            entry.status_code = f.status().map(i64::from);
            match f {
                Failure::Retry { after, message, .. } if p.attempt < MAX_ATTEMPTS => {
                    let wait = after.unwrap_or_else(|| Duration::from_secs(30 * (1u64 << (p.attempt - 1).clamp(0, 10))));
                    entry.outcome = SyncOutcome::Retrying.as_str().into();
                    entry.message = format!("{message}; trying again in {} s.", wait.as_secs());
                    again = Some(now + wait.as_millis() as i64);
                }
                other => {
                    entry.outcome = SyncOutcome::Failed.as_str().into();
                    entry.message = other.message().to_string();
                }
            }
        }
    }
    st.write(async |tx| {
        db::insert_log(&mut *tx, &entry).await?;
        if let Some(at) = again {
            jobs::enqueue(&mut *tx, sync_job(&p.project_id, &p.call_id, &p.event, p.attempt + 1, at)).await?;
        }
        Ok(())
    })
    .await?;
    Ok(())
}

/// What talking to HubSpot came to.
enum Talked {
    Done(Done),
    /// No contact has the number, and creating contacts is off.
    NoContact,
    /// Another sync of this call is creating its HubSpot call: look again shortly.
    Busy,
}

/// Updates the call's HubSpot call, or (one sync at a time, under the claim row) finds or
/// creates the contact and logs the call; then writes the mapped answers to the contact.
async fn talk(st: &AppState, input: &Input) -> Result<Talked, Failure> {
    let hs = HubSpot::new(&st.config.hubspot_api_base, &input.token)?;
    let row = &input.row;
    let props = call_properties(st, row, input.analysis.as_ref());
    if let Some(l) = input.logged.as_ref().filter(|l| !l.hubspot_call_id.is_empty()) {
        hs.update_call(&l.hubspot_call_id, &props).await?;
        let contact = l.contact_id.clone().unwrap_or_default();
        map_answers(&hs, input, &contact).await?;
        return Ok(Talked::Done(Done { hubspot_call_id: l.hubspot_call_id.clone(), contact_id: contact }));
    }
    let (pid, cid) = (row.project_id.as_str(), row.id.as_str());
    let db_down = |_| Failure::Retry { status: None, after: None, message: "The database was not available".into() };
    // The claim comes first, so that concurrent syncs neither log the call twice nor create
    // the contact twice.
    if !st.write(async |tx| db::claim_creation(&mut *tx, pid, cid, now_ms()).await.map_err(AppError::from)).await.map_err(db_down)? {
        return Ok(Talked::Busy);
    }
    let created = async {
        let known = input.logged.as_ref().and_then(|l| l.contact_id.clone()).filter(|c| !c.is_empty());
        let contact = match known {
            Some(c) => c,
            None => {
                let other = if row.direction == crate::model::Direction::Inbound { &row.from_number } else { &row.to_number };
                let mut forms = vec![other.clone()];
                if let Ok(n) = E164::parse(other, None, "number") {
                    forms.push(n.national().to_string());
                    forms.push(n.national().chars().filter(char::is_ascii_digit).collect());
                }
                forms.dedup();
                let c = match hs.find_contact(&forms).await? {
                    Some(c) => c,
                    None if input.cfg.create_contacts => hs.create_contact(other).await?,
                    None => return Ok(None),
                };
                // Kept with the claim: a retry after a failure below reuses this contact.
                st.write(async |tx| db::set_contact(&mut *tx, pid, cid, &c).await.map_err(AppError::from)).await.map_err(db_down)?;
                c
            }
        };
        let id = hs.create_call(&props, &contact).await?;
        // Stored at once, so that whatever happens next updates this call rather than logging a
        // second one (tried a few times: the call exists in HubSpot now).
        let mut stored = Err(AppError::internal());
        for _ in 0..3 {
            stored = st.write(async |tx| db::set_created(&mut *tx, pid, cid, &id, &contact, now_ms()).await.map_err(AppError::from)).await;
            if stored.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        if let Err(e) = stored {
            tracing::error!(call_id = %row.id, hubspot_call_id = %id, error = %e, "the HubSpot call id could not be stored");
        }
        Ok(Some(Done { hubspot_call_id: id, contact_id: contact }))
    }
    .await;
    match created {
        Ok(Some(done)) => {
            map_answers(&hs, input, &done.contact_id).await?;
            Ok(Talked::Done(done))
        }
        other => {
            if let Err(e) = st.write(async |tx| db::release_claim(&mut *tx, pid, cid).await.map_err(AppError::from)).await {
                tracing::error!(call_id = %row.id, error = %e, "a HubSpot claim could not be released; it expires by itself");
            }
            other.map(|_| Talked::NoContact)
        }
    }
}

/// Writes the mapped analysis answers to the contact, once there is an analysis.
async fn map_answers(hs: &HubSpot, input: &Input, contact: &str) -> Result<(), Failure> {
    if let (Some(a), false) = (&input.analysis, contact.is_empty()) {
        let mapped = mapped_properties(&input.cfg.mappings, a);
        if mapped.as_object().is_some_and(|o| !o.is_empty()) {
            hs.update_contact(contact, &mapped).await?;
        }
    }
    Ok(())
}

/// HubSpot's status for a call.
fn hs_status(row: &CallRow) -> &'static str {
    use crate::model::CallStatus as S;
    match row.status {
        S::Completed => "COMPLETED",
        S::Busy => "BUSY",
        S::NoAnswer => "NO_ANSWER",
        S::Failed => "FAILED",
        S::Canceled => "CANCELED",
        S::Queued => "QUEUED",
        S::Initiated | S::Ringing => "RINGING",
        S::InProgress => "IN_PROGRESS",
    }
}

fn call_properties(st: &AppState, row: &CallRow, analysis: Option<&CallAnalysisView>) -> Value {
    let link = st.config.link(&format!("/calls/{}", row.id));
    let summary = analysis.and_then(|a| a.result.summary.clone()).unwrap_or_else(|| "Analysis pending.".to_string());
    let title = format!("{} call with {}", if row.direction == crate::model::Direction::Inbound { "Inbound" } else { "Outbound" }, row.agent_name);
    let recording = row.recording_path.is_some().then(|| st.config.link(&super::recordings::path(&row.id)));
    json!({
        "hs_timestamp": row.started_at.or(row.ended_at).unwrap_or(row.created_at),
        "hs_call_title": title,
        "hs_call_body": format!("{summary}\n\nTalkdeck: {link}"),
        "hs_call_direction": if row.direction == crate::model::Direction::Inbound { "INBOUND" } else { "OUTBOUND" },
        "hs_call_duration": row.duration_ms.unwrap_or(0),
        "hs_call_status": hs_status(row),
        "hs_call_from_number": row.from_number,
        "hs_call_to_number": row.to_number,
        "hs_call_recording_url": recording,
    })
}

/// The contact properties mapped from an analysis: `summary`, `sentiment`, `successful`, or a
/// custom question's answer (text as is, other values as JSON text).
pub fn mapped_properties(mappings: &[PropertyMapping], a: &CallAnalysisView) -> Value {
    let mut out = serde_json::Map::new();
    for m in mappings {
        let value = match m.question.as_str() {
            "summary" => a.result.summary.clone().map(Value::String),
            "sentiment" => Some(Value::String(a.result.user_sentiment.as_str().to_string())),
            "successful" => a.result.call_successful.map(|b| Value::String(b.to_string())),
            q => a.result.answers.iter().find(|x| x.question == q).map(|x| match &x.answer {
                Value::String(s) => Value::String(s.clone()),
                Value::Null => Value::String(String::new()),
                other => Value::String(other.to_string()),
            }),
        };
        if let Some(v) = value {
            out.insert(m.property.clone(), v);
        }
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mappings_must_name_an_answer_and_a_property() {
        let ok = check_mappings(&[PropertyMapping { question: " summary ".into(), property: "last_call_summary".into() }]).unwrap();
        assert_eq!(ok[0].question, "summary");
        let e = check_mappings(&[PropertyMapping { question: "summary".into(), property: "Last Call".into() }]).unwrap_err();
        assert_eq!(e.details[0].field, "mappings[0].property");
        let e = check_mappings(&[PropertyMapping { question: "".into(), property: "x".into() }]).unwrap_err();
        assert_eq!(e.details[0].field, "mappings[0].question");
    }
}
