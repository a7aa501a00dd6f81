//! `/api/call*` (Talkstack-compatible): place a call (seed 003 fixes its request and answer) and
//! read a call's data, with the transcript added.

use super::auth::required;
use super::{ok, TsError};
use crate::model::{AppError, CallView};
use crate::server::http::actor;
use crate::server::rest::extract::json_body;
use crate::server::services::calls::{self, PlaceCall};
use crate::server::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

#[derive(Deserialize)]
struct MakeCallBody {
    number: Option<String>,
    #[serde(rename = "projectId", alias = "project_id")]
    project_id: Option<String>,
    #[serde(rename = "agentId", alias = "agent_id")]
    agent_id: Option<String>,
    #[serde(rename = "dynamicVariables", alias = "dynamic_variables", default)]
    dynamic_variables: BTreeMap<String, Value>,
    #[serde(default)]
    metadata: Value,
}

/// Variables arrive as JSON values; numbers and booleans are spoken as written.
pub fn variables(raw: BTreeMap<String, Value>) -> Result<BTreeMap<String, String>, AppError> {
    raw.into_iter()
        .map(|(k, v)| match v {
            Value::String(s) => Ok((k, s)),
            Value::Number(n) => Ok((k, n.to_string())),
            Value::Bool(b) => Ok((k, b.to_string())),
            _ => Err(AppError::field("dynamicVariables", format!("The variable {k} must be text, a number or true/false."))),
        })
        .collect()
}

/// Seed 003: `{number, projectId, agentId, dynamicVariables}` → `{message, status, call{call_id, to, from}}`.
pub async fn make_call(State(st): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Response, TsError> {
    let a = actor(&st, &headers).await?;
    let b: MakeCallBody = json_body(&body)?;
    required(&[("number", &b.number), ("projectId", &b.project_id), ("agentId", &b.agent_id)])?;
    let req = PlaceCall {
        agent_id: b.agent_id,
        project_id: b.project_id,
        to: b.number.unwrap_or_default(),
        from: None,
        variables: variables(b.dynamic_variables)?,
        metadata: b.metadata,
        scheduled_at: None,
    };
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::to_string);
    let placed = st.write(async |tx| calls::place(&st, tx, &a, req, key.as_deref()).await).await?;
    let c = placed.call;
    Ok(ok("call made successfully.", json!({"call": {"call_id": c.id, "to": c.to, "from": c.from}})))
}

#[derive(Deserialize)]
struct CallBody {
    sid: Option<String>,
    #[serde(rename = "projectId", alias = "project_id")]
    project_id: Option<String>,
}

fn rfc2822(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc2822).ok())
        .unwrap_or_default()
}

/// Talkstack's call data (`seconds, cost, status, from, to, date, recordingUrls, phoneNumber,
/// callSid, data`) plus our `transcript`, `endReason` and `analysis`.
pub fn call_json(c: &CallView) -> Value {
    json!({
        "callSid": c.id,
        "seconds": c.duration_ms.map(|d| (d + 999) / 1000).unwrap_or(0),
        "cost": c.cost,
        "currency": c.currency,
        "status": c.status,
        "from": c.from,
        "to": c.to,
        "phoneNumber": c.to,
        "date": rfc2822(c.created_at),
        "recordingUrls": if c.has_recording { vec![format!("/api/v1/calls/{}/recording", c.id)] } else { Vec::new() },
        "data": c.analysis.as_ref().map(|a| json!(a.result.answers)).unwrap_or(json!([])),
        "endReason": c.end_reason,
        "answeredBy": c.answered_by,
        "agentId": c.agent_id,
        "transcript": c.transcript,
        "analysis": c.analysis,
        "variables": c.variables,
        "metadata": c.metadata,
    })
}

/// `{sid, projectId}` → the call's data.
pub async fn get_call(State(st): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Response, TsError> {
    let a = actor(&st, &headers).await?;
    let b: CallBody = json_body(&body)?;
    required(&[("sid", &b.sid), ("projectId", &b.project_id)])?;
    let (sid, pid) = (b.sid.unwrap_or_default(), b.project_id.unwrap_or_default());
    let call = st.read(async |c| calls::get(c, &a, &sid).await).await?;
    if call.project_id != pid {
        return Err(calls::call_not_found().into());
    }
    Ok(ok("call data fetched successfully.", json!({"data": call_json(&call)})))
}
