//! Queries on Twilio calls: the per-call snapshot of the agent settings a Twilio call runs with,
//! and the TwiML answered at each step of its conversation. Every query filters by project id,
//! except [`call_by_sid`] (a status callback names Twilio's call SID only).

use super::{typed_all, typed_opt};
use sqlx::{AnyConnection, Row};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TwilioCallRow {
    pub call_id: String,
    pub project_id: String,
    pub account_sid: String,
    pub say_voice: String,
    pub language: String,
    pub llm_model: String,
    pub temperature: f64,
    #[sqlx(try_from = "super::Stored<crate::model::MachineDetection>")]
    pub machine_detection: crate::model::MachineDetection,
    pub recording_sid: Option<String>,
    pub created_at: i64,
}

const COLUMNS: &str = "call_id, project_id, account_sid, say_voice, language, llm_model, temperature, machine_detection, recording_sid, created_at";
const TABLE: &str = "twilio_calls";

pub async fn insert_call(c: &mut AnyConnection, r: &TwilioCallRow) -> Result<(), sqlx::Error> {
    sqlx::query(&format!("INSERT INTO twilio_calls ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"))
        .bind(&r.call_id)
        .bind(&r.project_id)
        .bind(&r.account_sid)
        .bind(&r.say_voice)
        .bind(&r.language)
        .bind(&r.llm_model)
        .bind(r.temperature)
        .bind(r.machine_detection.as_str())
        .bind(&r.recording_sid)
        .bind(r.created_at)
        .execute(c)
        .await?;
    Ok(())
}

pub async fn find_call(c: &mut AnyConnection, project_id: &str, call_id: &str) -> Result<Option<TwilioCallRow>, sqlx::Error> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM twilio_calls WHERE project_id = $1 AND call_id = $2"))
        .bind(project_id)
        .bind(call_id)
        .fetch_optional(c)
        .await?;
    typed_opt(TABLE, "call_id", row)
}

/// Remembers the recording Twilio made of a call.
pub async fn set_recording(c: &mut AnyConnection, project_id: &str, call_id: &str, recording_sid: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE twilio_calls SET recording_sid = $1 WHERE project_id = $2 AND call_id = $3")
        .bind(recording_sid)
        .bind(project_id)
        .bind(call_id)
        .execute(c)
        .await?;
    Ok(())
}

/// Takes Twilio's reported duration of a call, once: `false` when one was taken already.
pub async fn take_duration(c: &mut AnyConnection, project_id: &str, call_id: &str, secs: i64) -> Result<bool, sqlx::Error> {
    let r = sqlx::query("UPDATE twilio_calls SET twilio_duration_secs = $1 WHERE project_id = $2 AND call_id = $3 AND twilio_duration_secs IS NULL")
        .bind(secs)
        .bind(project_id)
        .bind(call_id)
        .execute(c)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// The project and id of the Twilio call with this call SID.
pub async fn call_by_sid(c: &mut AnyConnection, call_sid: &str) -> Result<Option<(String, String)>, sqlx::Error> {
    let row = sqlx::query("SELECT project_id, id FROM calls WHERE provider = 'twilio' AND provider_call_id = $1")
        .bind(call_sid)
        .fetch_optional(c)
        .await?;
    row.map(|r| Ok((r.try_get("project_id")?, r.try_get("id")?))).transpose()
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TurnRow {
    pub step: i64,
    pub kind: String,
    pub twiml: String,
}

/// What was answered at `step` of the call.
pub async fn turn(c: &mut AnyConnection, project_id: &str, call_id: &str, step: i64) -> Result<Option<TurnRow>, sqlx::Error> {
    let row =
        sqlx::query("SELECT t.step, t.kind, t.twiml FROM twilio_turns t JOIN calls c ON c.id = t.call_id WHERE c.project_id = $1 AND t.call_id = $2 AND t.step = $3")
            .bind(project_id)
            .bind(call_id)
            .bind(step)
            .fetch_optional(c)
            .await?;
    typed_opt("twilio_turns", "call_id", row)
}

/// The answers of the call's last `n` steps before `step`, latest first.
pub async fn turns_before(c: &mut AnyConnection, project_id: &str, call_id: &str, step: i64, n: i64) -> Result<Vec<TurnRow>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT t.step, t.kind, t.twiml FROM twilio_turns t JOIN calls c ON c.id = t.call_id \
         WHERE c.project_id = $1 AND t.call_id = $2 AND t.step < $3 ORDER BY t.step DESC LIMIT $4",
    )
    .bind(project_id)
    .bind(call_id)
    .bind(step)
    .bind(n)
    .fetch_all(c)
    .await?;
    typed_all("twilio_turns", "call_id", rows)
}

pub async fn insert_turn(c: &mut AnyConnection, call_id: &str, step: i64, kind: &str, twiml: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO twilio_turns (call_id, step, kind, twiml, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(call_id)
        .bind(step)
        .bind(kind)
        .bind(twiml)
        .bind(now)
        .execute(c)
        .await?;
    Ok(())
}

/// Twilio numbers of the project: id, E.164, SID, the voice URL last set at Twilio, and whether
/// an inbound agent answers it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VoiceNumber {
    pub id: String,
    pub e164: String,
    pub twilio_sid: Option<String>,
    pub twilio_voice_url: Option<String>,
    pub inbound: i64,
}

pub async fn voice_numbers(c: &mut AnyConnection, project_id: &str) -> Result<Vec<VoiceNumber>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT n.id, n.e164, n.twilio_sid, n.twilio_voice_url, \
         (SELECT COUNT(*) FROM agent_numbers l WHERE l.project_id = n.project_id AND l.phone_number_id = n.id AND l.inbound = 1) AS inbound \
         FROM phone_numbers n WHERE n.project_id = $1 AND n.provider = 'twilio' ORDER BY n.created_at, n.id",
    )
    .bind(project_id)
    .fetch_all(c)
    .await?;
    typed_all("phone_numbers", "id", rows)
}

pub async fn has_twilio_numbers(c: &mut AnyConnection, project_id: &str) -> Result<bool, sqlx::Error> {
    let row = sqlx::query("SELECT 1 AS one FROM phone_numbers WHERE project_id = $1 AND provider = 'twilio' LIMIT 1")
        .bind(project_id)
        .fetch_optional(c)
        .await?;
    Ok(row.is_some())
}

/// The SID of a Twilio number whose voice URL we set (it points at us).
pub async fn our_voice_number(c: &mut AnyConnection, project_id: &str, number_id: &str) -> Result<Option<String>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT twilio_sid FROM phone_numbers WHERE project_id = $1 AND id = $2 AND provider = 'twilio' AND twilio_sid IS NOT NULL \
         AND twilio_voice_url IS NOT NULL AND twilio_voice_url <> ''",
    )
    .bind(project_id)
    .bind(number_id)
    .fetch_optional(c)
    .await?;
    row.map(|r| r.try_get("twilio_sid")).transpose()
}

/// Records the voice URL set at Twilio (and the number's SID, when it was looked up).
pub async fn set_voice_url(c: &mut AnyConnection, project_id: &str, number_id: &str, sid: &str, voice_url: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE phone_numbers SET twilio_sid = $1, twilio_voice_url = $2 WHERE project_id = $3 AND id = $4")
        .bind(sid)
        .bind(voice_url)
        .bind(project_id)
        .bind(number_id)
        .execute(c)
        .await?;
    Ok(())
}
