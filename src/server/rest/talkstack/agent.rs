//! `/api/agent*`, `/api/project/active-agent*`, `/api/voices*` and `/api/phone-number*`
//! (Talkstack-compatible). Seeds 000 (set active agent) and 001 (add-number) fix their bodies.

use super::auth::{iso_ms, required};
use super::{ok, TsError};
use super::{TsPath, TsQuery};
use crate::model::{AgentView, AppError, PhoneNumberView, ProjectView, VoiceView};
use crate::server::http::actor;
use crate::server::rest::bodies::{AgentFields, VoiceQuery};
use crate::server::rest::extract::json_body;
use crate::server::services::{agents, numbers, voices};
use crate::server::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{json, Value};

/// Talkstack's agent object (their documented fields first) with our settings beside them.
pub fn agent_json(a: &AgentView) -> Value {
    json!({
        "id": a.id,
        "name": a.name,
        "projectId": a.project_id,
        "systemInstruction": a.system_prompt,
        "initialMessage": a.first_message,
        "voice_id": a.voice_id,
        "phoneNumber": a.phone_numbers.first().map(|n| n.number.clone()),
        "phoneNumbers": a.phone_numbers.iter().map(|n| n.number.clone()).collect::<Vec<_>>(),
        "language": a.language,
        "llm_model": a.llm_model,
        "temperature": a.temperature,
        "speaks_first": a.speaks_first.as_str(),
        "max_duration_secs": a.max_duration_secs,
        "recording": a.recording,
        "direction": a.direction.as_str(),
        "status": a.status.as_str(),
        "analysis": a.analysis,
        "variables": a.variables,
        "version": a.version,
        "created_at": iso_ms(a.created_at),
        "updated_at": iso_ms(a.updated_at),
    })
}

/// The project object of the active-agent answers (seed 000: exactly these fields).
fn active_agent_project(p: &ProjectView) -> Value {
    json!({
        "name": p.name,
        "description": p.description,
        "active_agent": p.active_agent,
        "created_at": iso_ms(p.created_at),
        "call_status_webhook": p.call_status_webhook,
        "user_id": p.owner_id,
    })
}

pub fn voice_json(v: &VoiceView) -> Value {
    json!({
        "voice_id": v.voice_id,
        "name": v.name,
        "provider": v.provider,
        "language": v.language,
        "labels": {"accent": v.accent, "description": v.description, "age": v.age, "gender": v.gender, "use_case": v.use_case},
        "preview_url": v.preview_url,
    })
}

/// Talkstack's phone number object (`status` is theirs: `AVAILABLE`) with our formats beside it.
pub fn number_json(n: &PhoneNumberView) -> Value {
    json!({
        "id": n.id,
        "e164": n.number,
        "status": if n.status == "active" { "AVAILABLE".to_string() } else { n.status.to_uppercase() },
        "projectId": n.project_id,
        "agentId": n.agent_id,
        "agentIds": n.agents.iter().map(|a| a.id.clone()).collect::<Vec<_>>(),
        "country_code": n.country_code,
        "formatted_number": n.formatted_number,
        "international_number": n.international_number,
        "provider": n.provider,
        "label": n.label,
    })
}

#[derive(Deserialize, Default)]
pub struct AgentBody {
    #[serde(rename = "projectId", alias = "project_id")]
    project_id: Option<String>,
    #[serde(rename = "agentId", alias = "agent_id")]
    agent_id: Option<String>,
    #[serde(rename = "phoneNumber", alias = "phone_number")]
    phone_number: Option<String>,
    #[serde(flatten)]
    fields: AgentFields,
}

pub async fn create(State(st): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Response, TsError> {
    let p = actor(&st, &headers).await?;
    let b: AgentBody = json_body(&body)?;
    required(&[("projectId", &b.project_id), ("name", &b.fields.name), ("systemInstruction", &b.fields.system_prompt)])?;
    let project_id = b.project_id.unwrap_or_default();
    // A malformed number is refused before anything else is looked at.
    let phone = b.phone_number.filter(|n| !n.trim().is_empty());
    if let Some(n) = &phone {
        crate::server::domain::E164::parse(n, None, "phoneNumber")?;
    }
    // The agent and its number in one transaction: a refused number leaves no agent behind.
    let agent = st
        .write(async |tx| {
            let agent = agents::create(tx, &p, &project_id, b.fields.into()).await?;
            match phone {
                None => Ok(agent),
                Some(n) => {
                    numbers::add_and_assign(&st, tx, &p, &project_id, &agent.id, &n).await?;
                    agents::get(tx, &p, &agent.id).await
                }
            }
        })
        .await?;
    Ok(ok("Agent created successfully.", json!({"data": agent_json(&agent)})))
}

fn ids(b: &AgentBody) -> Result<(String, String), AppError> {
    required(&[("projectId", &b.project_id), ("agentId", &b.agent_id)])?;
    Ok((b.project_id.clone().unwrap_or_default(), b.agent_id.clone().unwrap_or_default()))
}

pub async fn get(State(st): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Response, TsError> {
    let p = actor(&st, &headers).await?;
    let b: AgentBody = json_body(&body)?;
    let (pid, aid) = ids(&b)?;
    let agent = st.read(async |c| agents::get_in(c, &p, &pid, &aid).await).await?;
    Ok(ok("Agent fetched successfully.", json!({"data": agent_json(&agent)})))
}

pub async fn update(State(st): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Response, TsError> {
    let p = actor(&st, &headers).await?;
    let b: AgentBody = json_body(&body)?;
    let (pid, aid) = ids(&b)?;
    let agent = st.write(async |tx| agents::update_in(tx, &p, &pid, &aid, b.fields.into()).await).await?;
    Ok(ok("Agent updated successfully.", json!({"data": agent_json(&agent)})))
}

pub async fn delete(State(st): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Response, TsError> {
    let p = actor(&st, &headers).await?;
    let b: AgentBody = json_body(&body)?;
    let (pid, aid) = ids(&b)?;
    st.write(async |tx| agents::delete_in(tx, &p, &pid, &aid).await).await?;
    Ok(ok("Agent deleted successfully.", json!({})))
}

pub async fn list(State(st): State<AppState>, headers: HeaderMap, TsPath(project_id): TsPath<String>) -> Result<Response, TsError> {
    let p = actor(&st, &headers).await?;
    let all = st.read(async |c| agents::list(c, &p, &project_id, None, crate::model::AgentSort::Updated).await).await?;
    Ok(ok("Agents fetched successfully.", json!({"data": all.iter().map(agent_json).collect::<Vec<_>>()})))
}

#[derive(Deserialize, Default)]
pub struct ActiveAgentBody {
    #[serde(rename = "projectId", alias = "project_id")]
    project_id: Option<String>,
    active_agent: Option<String>,
}

pub async fn get_active_agent(State(st): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Response, TsError> {
    let p = actor(&st, &headers).await?;
    let b: ActiveAgentBody = json_body(&body)?;
    required(&[("projectId", &b.project_id)])?;
    let agent = st.read(async |c| agents::get_active(c, &p, &b.project_id.unwrap_or_default()).await).await?;
    Ok(ok("active agent fetched successfully.", json!({"active_agent": agent.as_ref().map(|a| a.id.clone()), "agent": agent.as_ref().map(agent_json)})))
}

/// Seed 000.
pub async fn set_active_agent(State(st): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Response, TsError> {
    let p = actor(&st, &headers).await?;
    let b: ActiveAgentBody = json_body(&body)?;
    required(&[("projectId", &b.project_id), ("active_agent", &b.active_agent)])?;
    let project = st
        .write(async |tx| agents::set_active(tx, &p, &b.project_id.unwrap_or_default(), &b.active_agent.unwrap_or_default()).await)
        .await?;
    Ok(ok("updated active agent successfully.", json!({"project": active_agent_project(&project)})))
}

pub async fn remove_active_agent(State(st): State<AppState>, headers: HeaderMap, TsPath(agent_id): TsPath<String>) -> Result<Response, TsError> {
    let p = actor(&st, &headers).await?;
    let project = st.write(async |tx| agents::remove_active(tx, &p, &agent_id).await).await?;
    Ok(ok("removed active agent successfully.", json!({"project": active_agent_project(&project)})))
}

pub async fn list_voices(State(st): State<AppState>, headers: HeaderMap, TsQuery(q): TsQuery<VoiceQuery>) -> Result<Response, TsError> {
    let p = actor(&st, &headers).await?;
    let all = st.read(async |c| voices::list(&st, c, &p, &q.filter()).await).await?;
    Ok(ok("voices fetched successfully.", json!({"voices": all.iter().map(voice_json).collect::<Vec<_>>()})))
}

pub async fn get_voice(State(st): State<AppState>, headers: HeaderMap, TsPath(voice_id): TsPath<String>) -> Result<Response, TsError> {
    let p = actor(&st, &headers).await?;
    let v = st.read(async |c| voices::get(&st, c, &p, &voice_id).await).await?;
    Ok(ok("voice fetched successfully.", json!({"voice": voice_json(&v)})))
}

#[derive(Deserialize, Default)]
pub struct PhoneBody {
    #[serde(rename = "phoneNumberId", alias = "phone_number_id")]
    phone_number_id: Option<String>,
    #[serde(rename = "agentId", alias = "agent_id")]
    agent_id: Option<String>,
    #[serde(rename = "projectId", alias = "project_id")]
    project_id: Option<String>,
    e164: Option<String>,
}

fn given(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Looks up by `phoneNumberId`, else `agentId`, else `projectId` (in that order).
pub async fn get_number(State(st): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Response, TsError> {
    let p = actor(&st, &headers).await?;
    let b: PhoneBody = json_body(&body)?;
    let data = if let Some(id) = given(&b.phone_number_id) {
        number_json(&st.read(async |c| numbers::get(c, &p, id).await).await?)
    } else if let Some(id) = given(&b.agent_id) {
        Value::Array(st.read(async |c| numbers::of_agent(c, &p, id).await).await?.iter().map(number_json).collect())
    } else if let Some(id) = given(&b.project_id) {
        Value::Array(st.read(async |c| numbers::list(c, &p, id).await).await?.iter().map(number_json).collect())
    } else {
        return Err(AppError::new(crate::model::ErrorCode::InvalidInput, "One of phoneNumberId, agentId or projectId is required.").into());
    };
    Ok(ok("phone number data fetched successfully.", json!({"data": data})))
}

/// Seed 001: the number joins the project if new there, then is assigned to the agent.
pub async fn add_number(State(st): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Response, TsError> {
    let p = actor(&st, &headers).await?;
    let b: PhoneBody = json_body(&body)?;
    required(&[("e164", &b.e164), ("agentId", &b.agent_id), ("projectId", &b.project_id)])?;
    let (pid, aid, e164) = (b.project_id.unwrap_or_default(), b.agent_id.unwrap_or_default(), b.e164.unwrap_or_default());
    st.write(async |tx| numbers::add_and_assign(&st, tx, &p, &pid, &aid, &e164).await).await?;
    Ok(ok("PhoneNumber assigned successfully.", json!({})))
}
