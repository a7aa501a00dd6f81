//! `/api/v1` agents (with Talkover's calling settings, seed 004), the active agent, voices,
//! phone numbers and a project's Twilio account.

use super::envelope::{body, created, ok, page, PageQuery, V1Error, V1Result};
use crate::model::{AgentSort, AgentView, AppError, ErrorCode, PhoneNumberView};
use crate::server::auth::Principal;
use crate::server::http::principal;
use crate::server::rest::bodies::{AgentFields, VoiceQuery};
use crate::server::rest::talkstack::auth::iso_ms;
use crate::server::services::{agents, numbers, twilio, voices};
use crate::server::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;

/// RFC 3339 to the second, as Talkover writes timestamps (`2024-01-15T10:45:00Z`).
fn iso_secs(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

/// The v1 agent: every setting, Talkover's `current_status`, RFC 3339 timestamps.
fn agent_json(a: &AgentView) -> Value {
    let mut v = serde_json::to_value(a).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut v {
        m.insert("current_status".into(), json!(a.status.as_str()));
        m.insert("created_at".into(), json!(iso_secs(a.created_at)));
        m.insert("updated_at".into(), json!(iso_secs(a.updated_at)));
    }
    v
}

fn number_json(n: &PhoneNumberView) -> Value {
    let mut v = serde_json::to_value(n).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut v {
        m.insert("current_status".into(), json!(n.status));
        m.insert("created_at".into(), json!(iso_ms(n.created_at)));
        m.insert("updated_at".into(), json!(iso_ms(n.updated_at)));
    }
    v
}

/// The project a request is about: given explicitly, else the API key's project, else the
/// caller's active project.
fn project_for(p: &Principal, given: Option<String>) -> Result<String, V1Error> {
    given
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .or_else(|| p.project_scope().map(str::to_string))
        .or_else(|| p.user.active_project_id.clone())
        .ok_or_else(|| V1Error(AppError::field("project_id", "Pass project_id, or set an active project first.")))
}

#[derive(Deserialize)]
pub struct AgentListQuery {
    project_id: Option<String>,
    #[serde(alias = "search")]
    q: Option<String>,
    sort: Option<String>,
    page: Option<u64>,
    per_page: Option<u64>,
}

pub async fn list_agents(State(st): State<AppState>, h: HeaderMap, Query(q): Query<AgentListQuery>) -> V1Result {
    let p = principal(&st, &h).await?;
    let pid = project_for(&p, q.project_id)?;
    let sort = match q.sort.as_deref() {
        None => AgentSort::Updated,
        Some(s) => AgentSort::parse(s).ok_or_else(|| V1Error(AppError::field("sort", "Sort by name or updated_at.")))?,
    };
    let all = agents::list(&st, &p, &pid, q.q.as_deref(), sort).await?;
    page("Agents", all.iter().map(agent_json).collect(), &PageQuery { page: q.page, per_page: q.per_page })
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct CreateAgent {
    project_id: Option<String>,
    #[serde(flatten)]
    fields: AgentFields,
}

pub async fn create_agent(State(st): State<AppState>, h: HeaderMap, b: Bytes) -> V1Result {
    let p = principal(&st, &h).await?;
    let b: CreateAgent = body(&b)?;
    let pid = project_for(&p, b.project_id)?;
    created("Agent created", agent_json(&agents::create(&st, &p, &pid, b.fields.into()).await?))
}

pub async fn get_agent(State(st): State<AppState>, h: HeaderMap, Path(id): Path<String>) -> V1Result {
    let p = principal(&st, &h).await?;
    ok("Agent", agent_json(&agents::get(&st, &p, &id).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct UpdateAgent {
    /// When given, the update is refused (409) unless this is the agent's current version.
    expected_version: Option<i64>,
    #[serde(flatten)]
    fields: AgentFields,
}

pub async fn update_agent(State(st): State<AppState>, h: HeaderMap, Path(id): Path<String>, b: Bytes) -> V1Result {
    let p = principal(&st, &h).await?;
    let b: UpdateAgent = body(&b)?;
    ok("Agent updated", agent_json(&agents::update(&st, &p, &id, b.fields.into(), b.expected_version).await?))
}

pub async fn delete_agent(State(st): State<AppState>, h: HeaderMap, Path(id): Path<String>) -> V1Result {
    let p = principal(&st, &h).await?;
    agents::delete(&st, &p, &id).await?;
    ok("Agent deleted", Value::Null)
}

pub async fn duplicate_agent(State(st): State<AppState>, h: HeaderMap, Path(id): Path<String>) -> V1Result {
    let p = principal(&st, &h).await?;
    created("Agent duplicated", agent_json(&agents::duplicate(&st, &p, &id).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct CallingBody {
    /// `inbound` or `outbound`.
    direction: Option<String>,
    /// The exact set of the project's numbers the agent uses; omitted leaves them as they are.
    phone_number_ids: Option<Vec<String>>,
}

/// Seed 004: the response `data` has exactly Talkover's fields.
pub async fn set_calling(State(st): State<AppState>, h: HeaderMap, Path(id): Path<String>, b: Bytes) -> V1Result {
    let p = principal(&st, &h).await?;
    let b: CallingBody = body(&b)?;
    let Some(direction) = b.direction.filter(|d| !d.trim().is_empty()) else {
        return Err(V1Error(AppError::field("direction", "Direction is required: inbound or outbound.")));
    };
    let a = agents::set_calling(&st, &p, &id, &direction, b.phone_number_ids).await?;
    ok(
        "Agent calling settings updated successfully",
        json!({
            "id": a.id,
            "name": a.name,
            "direction": a.direction.as_str(),
            "current_status": a.status.as_str(),
            "phone_numbers": a.phone_numbers.iter().map(|n| json!({
                "id": n.id,
                "number": n.number,
                "country_code": n.country_code,
                "formatted_number": n.formatted_number,
                "current_status": n.current_status,
            })).collect::<Vec<_>>(),
            "updated_at": iso_secs(a.updated_at),
        }),
    )
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct VoiceBody {
    voice_id: Option<String>,
}

pub async fn set_voice(State(st): State<AppState>, h: HeaderMap, Path(id): Path<String>, b: Bytes) -> V1Result {
    let p = principal(&st, &h).await?;
    let b: VoiceBody = body(&b)?;
    let Some(voice) = b.voice_id.filter(|v| !v.trim().is_empty()) else {
        return Err(V1Error(AppError::field("voice_id", "voice_id is required.")));
    };
    let patch = agents::AgentPatch { voice_id: Some(Some(voice)), ..Default::default() };
    ok("Agent voice updated", agent_json(&agents::update(&st, &p, &id, patch, None).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct RenderBody {
    #[serde(default, alias = "payload", alias = "dynamicVariables")]
    variables: HashMap<String, String>,
}

/// The prompt and first message with variables filled in (400 naming any missing variable).
pub async fn render(State(st): State<AppState>, h: HeaderMap, Path(id): Path<String>, b: Bytes) -> V1Result {
    let p = principal(&st, &h).await?;
    let b: RenderBody = body(&b)?;
    let a = agents::get(&st, &p, &id).await?;
    let (prompt, first) = agents::render(&a, &b.variables)?;
    ok("Rendered", json!({"system_prompt": prompt, "first_message": first, "variables": a.variables}))
}

pub async fn get_active_agent(State(st): State<AppState>, h: HeaderMap, Path(id): Path<String>) -> V1Result {
    let p = principal(&st, &h).await?;
    ok("Active agent", agents::get_active(&st, &p, &id).await?.as_ref().map(agent_json))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ActiveAgentBody {
    agent_id: Option<String>,
}

pub async fn set_active_agent(State(st): State<AppState>, h: HeaderMap, Path(id): Path<String>, b: Bytes) -> V1Result {
    let p = principal(&st, &h).await?;
    let b: ActiveAgentBody = body(&b)?;
    let Some(agent) = b.agent_id.filter(|a| !a.trim().is_empty()) else {
        return Err(V1Error(AppError::field("agent_id", "agent_id is required.")));
    };
    ok("Active agent set", agents::set_active(&st, &p, &id, &agent).await?)
}

pub async fn clear_active_agent(State(st): State<AppState>, h: HeaderMap, Path(id): Path<String>) -> V1Result {
    let p = principal(&st, &h).await?;
    ok("Active agent cleared", agents::clear_active(&st, &p, &id, None).await?)
}

pub async fn list_voices(State(st): State<AppState>, h: HeaderMap, Query(q): Query<VoiceQuery>) -> V1Result {
    let p = principal(&st, &h).await?;
    page("Voices", voices::list(&st, &p, &q.filter()).await?, &PageQuery { page: q.page, per_page: q.per_page })
}

pub async fn get_voice(State(st): State<AppState>, h: HeaderMap, Path(id): Path<String>) -> V1Result {
    let p = principal(&st, &h).await?;
    ok("Voice", voices::get(&st, &p, &id).await?)
}

pub async fn voice_facets(State(st): State<AppState>, h: HeaderMap) -> V1Result {
    let p = principal(&st, &h).await?;
    ok("Voice filters", voices::facets(&st, &p).await?)
}

#[derive(Deserialize)]
pub struct NumberListQuery {
    project_id: Option<String>,
    page: Option<u64>,
    per_page: Option<u64>,
}

pub async fn list_numbers(State(st): State<AppState>, h: HeaderMap, Query(q): Query<NumberListQuery>) -> V1Result {
    let p = principal(&st, &h).await?;
    let pid = project_for(&p, q.project_id)?;
    let all = numbers::list(&st, &p, &pid).await?;
    page("Phone numbers", all.iter().map(number_json).collect(), &PageQuery { page: q.page, per_page: q.per_page })
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct AddNumber {
    project_id: Option<String>,
    /// As typed: international (`+1 415 555 2671`) or national with `country`.
    number: Option<String>,
    /// ISO 3166 alpha-2 of national input, e.g. `US`.
    country: Option<String>,
    #[serde(default)]
    label: String,
}

pub async fn add_number(State(st): State<AppState>, h: HeaderMap, b: Bytes) -> V1Result {
    let p = principal(&st, &h).await?;
    let b: AddNumber = body(&b)?;
    let pid = project_for(&p, b.project_id)?;
    let new = numbers::NewNumber { number: b.number.unwrap_or_default(), country: b.country, label: b.label, twilio_sid: None };
    created("Phone number added", number_json(&numbers::add(&st, &p, &pid, new).await?))
}

pub async fn get_number(State(st): State<AppState>, h: HeaderMap, Path(id): Path<String>) -> V1Result {
    let p = principal(&st, &h).await?;
    ok("Phone number", number_json(&numbers::get(&st, &p, &id).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct LabelBody {
    label: Option<String>,
}

pub async fn update_number(State(st): State<AppState>, h: HeaderMap, Path(id): Path<String>, b: Bytes) -> V1Result {
    let p = principal(&st, &h).await?;
    let b: LabelBody = body(&b)?;
    let Some(label) = b.label else { return Err(V1Error(AppError::field("label", "label is required."))) };
    ok("Phone number updated", number_json(&numbers::set_label(&st, &p, &id, &label).await?))
}

pub async fn release_number(State(st): State<AppState>, h: HeaderMap, Path(id): Path<String>) -> V1Result {
    let p = principal(&st, &h).await?;
    numbers::release(&st, &p, &id).await?;
    ok("Phone number released", Value::Null)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct AgentRefBody {
    agent_id: Option<String>,
}

fn agent_id(b: AgentRefBody) -> Result<String, V1Error> {
    b.agent_id.filter(|a| !a.trim().is_empty()).ok_or_else(|| V1Error(AppError::field("agent_id", "agent_id is required.")))
}

pub async fn assign_number(State(st): State<AppState>, h: HeaderMap, Path(id): Path<String>, b: Bytes) -> V1Result {
    let p = principal(&st, &h).await?;
    let agent = agent_id(body(&b)?)?;
    ok("Phone number assigned", number_json(&numbers::assign(&st, &p, &id, &agent).await?))
}

pub async fn unassign_number(State(st): State<AppState>, h: HeaderMap, Path(id): Path<String>, b: Bytes) -> V1Result {
    let p = principal(&st, &h).await?;
    let agent = agent_id(body(&b)?)?;
    ok("Phone number unassigned", number_json(&numbers::unassign(&st, &p, &id, &agent).await?))
}

pub async fn get_twilio(State(st): State<AppState>, h: HeaderMap, Path(id): Path<String>) -> V1Result {
    let p = principal(&st, &h).await?;
    match twilio::settings(&st, &p, &id).await? {
        Some(s) => ok("Twilio account", s),
        None => Err(V1Error(AppError::new(ErrorCode::NotFound, "No Twilio account is set for this project."))),
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct TwilioBody {
    account_sid: Option<String>,
    auth_token: Option<String>,
}

pub async fn put_twilio(State(st): State<AppState>, h: HeaderMap, Path(id): Path<String>, b: Bytes) -> V1Result {
    let p = principal(&st, &h).await?;
    let b: TwilioBody = body(&b)?;
    let s = twilio::save(&st, &p, &id, b.account_sid.as_deref().unwrap_or(""), b.auth_token.as_deref().unwrap_or("")).await?;
    ok("Twilio account saved", s)
}

pub async fn delete_twilio(State(st): State<AppState>, h: HeaderMap, Path(id): Path<String>) -> V1Result {
    let p = principal(&st, &h).await?;
    twilio::delete(&st, &p, &id).await?;
    ok("Twilio account removed", Value::Null)
}

pub async fn import_twilio(State(st): State<AppState>, h: HeaderMap, Path(id): Path<String>) -> V1Result {
    let p = principal(&st, &h).await?;
    ok("Twilio numbers imported", twilio::import_numbers(&st, &p, &id).await?)
}
