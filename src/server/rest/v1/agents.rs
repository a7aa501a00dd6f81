//! `/api/v1` agents (with Talkover's calling settings, seed 004), the active agent, voices,
//! phone numbers and a project's Twilio account.

use super::envelope::{created, done, ok, page, PageParams, V1Error, V1Json, V1Path, V1Query, V1Result};
use super::openapi::{E400, E401, E403, E404, E409, E413, E415, E502};
use super::types::{AgentOut, CallingOut, Done, Envelope, ImportReportOut, ListEnvelope, NumberOut, ProjectOut, RenderOut, TwilioOut};
use crate::model::{AgentSort, AppError, ErrorCode, MachineDetection, VoiceFacets, VoiceFilter, VoiceView};
use crate::server::auth::Actor;
use crate::server::db::agents::AgentAfter;
use crate::server::http::actor;
use crate::server::rest::bodies::AgentFields;
use crate::server::rest::json::Json;
use crate::server::services::{agents, numbers, projects, twilio, voices};
use crate::server::state::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

type Page<T> = V1Result<Json<ListEnvelope<T>>>;
type One<T> = V1Result<Json<Envelope<T>>>;
type Created<T> = V1Result<(StatusCode, Json<Envelope<T>>)>;

/// The project a request is about (see `services::projects::resolve`).
pub(super) fn project_for(a: &Actor, given: Option<String>) -> Result<String, V1Error> {
    projects::resolve(a, given.as_deref()).ok_or_else(|| V1Error(AppError::field("project_id", "Pass project_id, or set an active project first.")))
}

/// A required text value: absent or blank answers the shared missing-field error.
fn required(field: &str, v: Option<String>) -> Result<String, V1Error> {
    v.filter(|s| !s.trim().is_empty()).ok_or_else(|| V1Error(AppError::missing_field(field)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AgentListQuery {
    /// Default: the API key's project, else the caller's active project.
    project_id: Option<String>,
    /// Case-insensitive substring of the name.
    #[serde(alias = "search")]
    q: Option<String>,
    /// `updated_at` (newest first, the default) or `name`.
    #[param(pattern = "^(name|updated|updated_at|-updated_at|last_update)$")]
    sort: Option<String>,
}

/// The agent cursor's key: the sort value of the list's order and the id.
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum AgentKey {
    Updated(i64, String),
    Name(String, String),
}

#[utoipa::path(get, path = "/agents", tag = "agents", params(AgentListQuery, PageParams), security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "One page of the project's agents", body = ListEnvelope<AgentOut>), E400, E401, E404))]
pub async fn list_agents(State(st): State<AppState>, h: HeaderMap, V1Query(q): V1Query<AgentListQuery>, V1Query(pq): V1Query<PageParams>) -> Page<AgentOut> {
    let p = actor(&st, &h).await?;
    let pid = project_for(&p, q.project_id)?;
    let sort = match q.sort.as_deref() {
        None => AgentSort::Updated,
        Some(s) => AgentSort::parse(s).ok_or_else(|| V1Error(AppError::field("sort", "Sort by name or updated_at.")))?,
    };
    let req = pq.parse::<AgentKey>()?;
    let limit = req.limit;
    let (after, fetch) = req.split();
    let after = after.map(|k| match k {
        AgentKey::Updated(t, id) => AgentAfter::Updated(t, id),
        AgentKey::Name(n, id) => AgentAfter::Name(n, id),
    });
    let items = st.read(async |c| agents::page(c, &p, &pid, q.q.as_deref(), sort, after, fetch).await).await?;
    let key = move |a: &crate::model::AgentView| match sort {
        AgentSort::Name => AgentKey::Name(a.name.clone(), a.id.clone()),
        AgentSort::Updated => AgentKey::Updated(a.updated_at, a.id.clone()),
    };
    page("Agents", limit, items, key, AgentOut::from)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct CreateAgent {
    /// Default: the API key's project, else the caller's active project.
    project_id: Option<String>,
    /// What a Twilio call does when an answering machine picks up; `off` when omitted.
    // Read as text (documented as the enum) so that a bad value is the service's field error,
    // like the other settings, rather than a body that fails to parse.
    #[schema(value_type = Option<MachineDetection>)]
    machine_detection: Option<String>,
    #[serde(flatten)]
    fields: AgentFields,
}

/// v1's settings: the shared ones plus `machine_detection`, which lives here rather than in
/// [`AgentFields`] because Talkstack's agent bodies (which share those) do not have it.
fn v1_patch(fields: AgentFields, machine_detection: Option<String>) -> agents::AgentPatch {
    agents::AgentPatch { machine_detection, ..fields.into() }
}

#[utoipa::path(post, path = "/agents", tag = "agents", request_body = CreateAgent, security(("bearer" = []), ("api_key" = [])),
    responses((status = 201, description = "Created (member+); `name` is required", body = Envelope<AgentOut>), E400, E401, E403, E404, E409, E413, E415))]
pub async fn create_agent(State(st): State<AppState>, h: HeaderMap, V1Json(b): V1Json<CreateAgent>) -> Created<AgentOut> {
    let p = actor(&st, &h).await?;
    let pid = project_for(&p, b.project_id)?;
    let patch = v1_patch(b.fields, b.machine_detection);
    created("Agent created", st.write(async |tx| agents::create(tx, &p, &pid, patch).await).await?.into())
}

#[utoipa::path(get, path = "/agents/{id}", tag = "agents", params(("id" = String, Path, description = "Agent id")), security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "An agent with its variables, numbers and version", body = Envelope<AgentOut>), E400, E401, E404))]
pub async fn get_agent(State(st): State<AppState>, h: HeaderMap, V1Path(id): V1Path<String>) -> One<AgentOut> {
    let p = actor(&st, &h).await?;
    ok("Agent", st.read(async |c| agents::get(c, &p, &id).await).await?.into())
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct UpdateAgent {
    /// When given, the update is refused (409) unless this is the agent's current version.
    expected_version: Option<i64>,
    /// What a Twilio call does when an answering machine picks up; omitted leaves it as it is.
    #[schema(value_type = Option<MachineDetection>)]
    machine_detection: Option<String>,
    #[serde(flatten)]
    fields: AgentFields,
}

#[utoipa::path(put, path = "/agents/{id}", tag = "agents", params(("id" = String, Path, description = "Agent id")), request_body = UpdateAgent,
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "Partial update (member+)", body = Envelope<AgentOut>), E400, E401, E403, E404, E409, E413, E415))]
pub async fn update_agent(State(st): State<AppState>, h: HeaderMap, V1Path(id): V1Path<String>, V1Json(b): V1Json<UpdateAgent>) -> One<AgentOut> {
    let p = actor(&st, &h).await?;
    let patch = v1_patch(b.fields, b.machine_detection);
    ok("Agent updated", st.write(async |tx| agents::update(tx, &p, &id, patch, b.expected_version).await).await?.into())
}

#[utoipa::path(delete, path = "/agents/{id}", tag = "agents", params(("id" = String, Path, description = "Agent id")), security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "Deleted; its numbers are released (member+)", body = Done), E400, E401, E403, E404))]
pub async fn delete_agent(State(st): State<AppState>, h: HeaderMap, V1Path(id): V1Path<String>) -> V1Result<Json<Done>> {
    let p = actor(&st, &h).await?;
    st.write(async |tx| agents::delete(tx, &p, &id).await).await?;
    done("Agent deleted")
}

#[utoipa::path(post, path = "/agents/{id}/duplicate", tag = "agents", params(("id" = String, Path, description = "Agent id")), security(("bearer" = []), ("api_key" = [])),
    responses((status = 201, description = "A draft copy without numbers", body = Envelope<AgentOut>), E400, E401, E403, E404, E409))]
pub async fn duplicate_agent(State(st): State<AppState>, h: HeaderMap, V1Path(id): V1Path<String>) -> Created<AgentOut> {
    let p = actor(&st, &h).await?;
    created("Agent duplicated", st.write(async |tx| agents::duplicate(tx, &p, &id).await).await?.into())
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct CallingBody {
    /// `inbound` or `outbound`.
    #[schema(pattern = "^(inbound|outbound)$")]
    direction: String,
    /// The exact set of the project's numbers the agent uses; omitted leaves them as they are.
    phone_number_ids: Option<Vec<String>>,
}

#[utoipa::path(put, path = "/agents/{agent_id}/calling", tag = "agents", params(("agent_id" = String, Path, description = "Agent id")), request_body = CallingBody,
    security(("bearer" = []), ("api_key" = [])),
    description = "403: changing numbers needs admin+. 404: the agent is not visible, or a phone_number_ids entry is not in the agent's project (nothing changes). 409: a number already answers for another inbound agent.",
    responses((status = 200, description = "Seed 004: exactly Talkover's fields", body = Envelope<CallingOut>), E400, E401, E403, E404, E409, E413, E415))]
pub async fn set_calling(State(st): State<AppState>, h: HeaderMap, V1Path(id): V1Path<String>, V1Json(b): V1Json<CallingBody>) -> One<CallingOut> {
    let p = actor(&st, &h).await?;
    let direction = required("direction", Some(b.direction))?;
    let a = st.write(async |tx| agents::set_calling(tx, &p, &id, &direction, b.phone_number_ids).await).await?;
    ok("Agent calling settings updated successfully", a.into())
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct VoiceBody {
    #[schema(pattern = "\\S")]
    voice_id: String,
}

#[utoipa::path(put, path = "/agents/{id}/voice", tag = "agents", params(("id" = String, Path, description = "Agent id")), request_body = VoiceBody,
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "Voice set (member+)", body = Envelope<AgentOut>), E400, E401, E403, E404, E409, E413, E415))]
pub async fn set_voice(State(st): State<AppState>, h: HeaderMap, V1Path(id): V1Path<String>, V1Json(b): V1Json<VoiceBody>) -> One<AgentOut> {
    let p = actor(&st, &h).await?;
    let voice = required("voice_id", Some(b.voice_id))?;
    let patch = agents::AgentPatch { voice_id: Some(Some(voice)), ..Default::default() };
    ok("Agent voice updated", st.write(async |tx| agents::update(tx, &p, &id, patch, None).await).await?.into())
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct RenderBody {
    /// Values for the `{{variables}}` (also accepted as `payload` or `dynamicVariables`).
    #[serde(default, alias = "payload", alias = "dynamicVariables")]
    variables: HashMap<String, String>,
}

#[utoipa::path(post, path = "/agents/{id}/render", tag = "agents", params(("id" = String, Path, description = "Agent id")), request_body = RenderBody,
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "The prompt and first message with variables filled in; 400 names missing variables", body = Envelope<RenderOut>),
              E400, E401, E404, E413, E415))]
pub async fn render(State(st): State<AppState>, h: HeaderMap, V1Path(id): V1Path<String>, V1Json(b): V1Json<RenderBody>) -> One<RenderOut> {
    let p = actor(&st, &h).await?;
    let a = st.read(async |c| agents::get(c, &p, &id).await).await?;
    let (system_prompt, first_message) = agents::render(&a, &b.variables)?;
    ok("Rendered", RenderOut { system_prompt, first_message, variables: a.variables })
}

#[utoipa::path(get, path = "/projects/{id}/active-agent", tag = "agents", params(("id" = String, Path, description = "Project id")),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "The active agent, or null", body = Envelope<Option<AgentOut>>), E400, E401, E404))]
pub async fn get_active_agent(State(st): State<AppState>, h: HeaderMap, V1Path(id): V1Path<String>) -> One<Option<AgentOut>> {
    let p = actor(&st, &h).await?;
    ok("Active agent", st.read(async |c| agents::get_active(c, &p, &id).await).await?.map(AgentOut::from))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ActiveAgentBody {
    #[schema(pattern = "\\S")]
    agent_id: String,
}

#[utoipa::path(put, path = "/projects/{id}/active-agent", tag = "agents", params(("id" = String, Path, description = "Project id")), request_body = ActiveAgentBody,
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "Set (member+)", body = Envelope<ProjectOut>), E400, E401, E403, E404, E413, E415))]
pub async fn set_active_agent(State(st): State<AppState>, h: HeaderMap, V1Path(id): V1Path<String>, V1Json(b): V1Json<ActiveAgentBody>) -> One<ProjectOut> {
    let p = actor(&st, &h).await?;
    let agent = required("agent_id", Some(b.agent_id))?;
    ok("Active agent set", st.write(async |tx| agents::set_active(tx, &p, &id, &agent).await).await?.into())
}

#[utoipa::path(delete, path = "/projects/{id}/active-agent", tag = "agents", params(("id" = String, Path, description = "Project id")),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "Cleared (member+)", body = Envelope<ProjectOut>), E400, E401, E403, E404))]
pub async fn clear_active_agent(State(st): State<AppState>, h: HeaderMap, V1Path(id): V1Path<String>) -> One<ProjectOut> {
    let p = actor(&st, &h).await?;
    ok("Active agent cleared", st.write(async |tx| agents::clear_active(tx, &p, &id, None).await).await?.into())
}

/// Voice list filters; empty values mean any.
#[derive(Debug, Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VoiceListQuery {
    /// e.g. `elevenlabs`.
    provider: Option<String>,
    /// `en` (any English) or `en-GB` exactly.
    language: Option<String>,
    gender: Option<String>,
    accent: Option<String>,
    /// Searches name, description, accent, use case, id and provider (also accepted as `search`).
    #[serde(alias = "search")]
    q: Option<String>,
}

/// A voice cursor: the catalog position, the name and the id of the previous page's last voice.
type VoiceKey = (i64, String, String);

#[utoipa::path(get, path = "/voices", tag = "voices", params(VoiceListQuery, PageParams), security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "One page of the voice catalog, in catalog order", body = ListEnvelope<VoiceView>), E400, E401))]
pub async fn list_voices(State(st): State<AppState>, h: HeaderMap, V1Query(q): V1Query<VoiceListQuery>, V1Query(pq): V1Query<PageParams>) -> Page<VoiceView> {
    let p = actor(&st, &h).await?;
    let req = pq.parse::<VoiceKey>()?;
    let limit = req.limit;
    let (after, fetch) = req.split();
    let f = VoiceFilter { provider: q.provider, language: q.language, gender: q.gender, accent: q.accent, q: q.q };
    let items = st.read(async |c| voices::page(&st, c, &p, &f, after, fetch).await).await?;
    page("Voices", limit, items, |(v, order)| (*order, v.name.clone(), v.voice_id.clone()), |(v, _)| v)
}

#[utoipa::path(get, path = "/voices/{id}", tag = "voices", params(("id" = String, Path, description = "Voice id")), security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "A voice", body = Envelope<VoiceView>), E400, E401, E404))]
pub async fn get_voice(State(st): State<AppState>, h: HeaderMap, V1Path(id): V1Path<String>) -> One<VoiceView> {
    let p = actor(&st, &h).await?;
    ok("Voice", st.read(async |c| voices::get(&st, c, &p, &id).await).await?)
}

#[utoipa::path(get, path = "/voices/filters", tag = "voices", security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "The values each voice filter can take", body = Envelope<VoiceFacets>), E401))]
pub async fn voice_facets(State(st): State<AppState>, h: HeaderMap) -> One<VoiceFacets> {
    let p = actor(&st, &h).await?;
    ok("Voice filters", st.read(async |c| voices::facets(c, &p).await).await?)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NumberListQuery {
    /// Default: the API key's project, else the caller's active project.
    project_id: Option<String>,
}

#[utoipa::path(get, path = "/phone-numbers", tag = "phone-numbers", params(NumberListQuery, PageParams), security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "One page of the project's numbers, oldest first", body = ListEnvelope<NumberOut>), E400, E401, E404))]
pub async fn list_numbers(State(st): State<AppState>, h: HeaderMap, V1Query(q): V1Query<NumberListQuery>, V1Query(pq): V1Query<PageParams>) -> Page<NumberOut> {
    let p = actor(&st, &h).await?;
    let pid = project_for(&p, q.project_id)?;
    let req = pq.parse::<(i64, String)>()?;
    let limit = req.limit;
    let (after, fetch) = req.split();
    let items = st.read(async |c| numbers::page(c, &p, &pid, after, fetch).await).await?;
    page("Phone numbers", limit, items, |n| (n.created_at, n.id.clone()), NumberOut::from)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct AddNumber {
    /// Default: the API key's project, else the caller's active project.
    project_id: Option<String>,
    /// As typed: international (`+1 415 555 2671`) or national with `country`.
    number: String,
    /// ISO 3166 alpha-2 of national input, e.g. `US`.
    country: Option<String>,
    #[serde(default)]
    label: String,
}

#[utoipa::path(post, path = "/phone-numbers", tag = "phone-numbers", request_body = AddNumber, security(("bearer" = []), ("api_key" = [])),
    responses((status = 201, description = "Added (admin+); 409 when in any project", body = Envelope<NumberOut>), E400, E401, E403, E404, E409, E413, E415))]
pub async fn add_number(State(st): State<AppState>, h: HeaderMap, V1Json(b): V1Json<AddNumber>) -> Created<NumberOut> {
    let p = actor(&st, &h).await?;
    let pid = project_for(&p, b.project_id)?;
    let new = numbers::NewNumber { number: b.number, country: b.country, label: b.label, twilio_sid: None };
    created("Phone number added", st.write(async |tx| numbers::add(&st, tx, &p, &pid, new).await).await?.into())
}

#[utoipa::path(get, path = "/phone-numbers/{id}", tag = "phone-numbers", params(("id" = String, Path, description = "Phone number id")), security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "A number with its formats and agents", body = Envelope<NumberOut>), E400, E401, E404))]
pub async fn get_number(State(st): State<AppState>, h: HeaderMap, V1Path(id): V1Path<String>) -> One<NumberOut> {
    let p = actor(&st, &h).await?;
    ok("Phone number", st.read(async |c| numbers::get(c, &p, &id).await).await?.into())
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct LabelBody {
    label: String,
}

#[utoipa::path(patch, path = "/phone-numbers/{id}", tag = "phone-numbers", params(("id" = String, Path, description = "Phone number id")), request_body = LabelBody,
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "Label set (admin+)", body = Envelope<NumberOut>), E400, E401, E403, E404, E413, E415))]
pub async fn update_number(State(st): State<AppState>, h: HeaderMap, V1Path(id): V1Path<String>, V1Json(b): V1Json<LabelBody>) -> One<NumberOut> {
    let p = actor(&st, &h).await?;
    ok("Phone number updated", st.write(async |tx| numbers::set_label(tx, &p, &id, &b.label).await).await?.into())
}

#[utoipa::path(delete, path = "/phone-numbers/{id}", tag = "phone-numbers", params(("id" = String, Path, description = "Phone number id")), security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "Released from the project (admin+)", body = Done), E400, E401, E403, E404))]
pub async fn release_number(State(st): State<AppState>, h: HeaderMap, V1Path(id): V1Path<String>) -> V1Result<Json<Done>> {
    let p = actor(&st, &h).await?;
    st.write(async |tx| numbers::release(tx, &p, &id).await).await?;
    done("Phone number released")
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct AgentRefBody {
    #[schema(pattern = "\\S")]
    agent_id: String,
}

#[utoipa::path(post, path = "/phone-numbers/{id}/assign", tag = "phone-numbers", params(("id" = String, Path, description = "Phone number id")), request_body = AgentRefBody,
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "Assigned (admin+); one inbound agent per number", body = Envelope<NumberOut>), E400, E401, E403, E404, E409, E413, E415))]
pub async fn assign_number(State(st): State<AppState>, h: HeaderMap, V1Path(id): V1Path<String>, V1Json(b): V1Json<AgentRefBody>) -> One<NumberOut> {
    let p = actor(&st, &h).await?;
    let agent = required("agent_id", Some(b.agent_id))?;
    ok("Phone number assigned", st.write(async |tx| numbers::assign(tx, &p, &id, &agent).await).await?.into())
}

#[utoipa::path(post, path = "/phone-numbers/{id}/unassign", tag = "phone-numbers", params(("id" = String, Path, description = "Phone number id")), request_body = AgentRefBody,
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "Unassigned (admin+)", body = Envelope<NumberOut>), E400, E401, E403, E404, E413, E415))]
pub async fn unassign_number(State(st): State<AppState>, h: HeaderMap, V1Path(id): V1Path<String>, V1Json(b): V1Json<AgentRefBody>) -> One<NumberOut> {
    let p = actor(&st, &h).await?;
    let agent = required("agent_id", Some(b.agent_id))?;
    ok("Phone number unassigned", st.write(async |tx| numbers::unassign(tx, &p, &id, &agent).await).await?.into())
}

#[utoipa::path(get, path = "/projects/{id}/twilio", tag = "twilio", params(("id" = String, Path, description = "Project id")), security(("bearer" = []), ("api_key" = [])),
    description = "404 also when no Twilio account is set.",
    responses((status = 200, description = "The account SID and the token's last 4 characters (admin+)", body = Envelope<TwilioOut>), E400, E401, E403, E404))]
pub async fn get_twilio(State(st): State<AppState>, h: HeaderMap, V1Path(id): V1Path<String>) -> One<TwilioOut> {
    let p = actor(&st, &h).await?;
    match st.read(async |c| twilio::settings(c, &p, &id).await).await? {
        Some(s) => ok("Twilio account", s.into()),
        None => Err(V1Error(AppError::new(ErrorCode::NotFound, "No Twilio account is set for this project."))),
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct TwilioBody {
    #[schema(pattern = "^AC[0-9a-fA-F]{32}$")]
    account_sid: Option<String>,
    /// 16 to 128 characters, no spaces.
    #[schema(pattern = "^\\S{16,128}$")]
    auth_token: Option<String>,
}

#[utoipa::path(put, path = "/projects/{id}/twilio", tag = "twilio", params(("id" = String, Path, description = "Project id")), request_body = TwilioBody,
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "Saved; the token is encrypted at rest (admin+)", body = Envelope<TwilioOut>), E400, E401, E403, E404, E413, E415))]
pub async fn put_twilio(State(st): State<AppState>, h: HeaderMap, V1Path(id): V1Path<String>, V1Json(b): V1Json<TwilioBody>) -> One<TwilioOut> {
    let p = actor(&st, &h).await?;
    let s = st
        .write(async |tx| twilio::save(&st, tx, &p, &id, b.account_sid.as_deref().unwrap_or(""), b.auth_token.as_deref().unwrap_or("")).await)
        .await?;
    ok("Twilio account saved", s.into())
}

#[utoipa::path(delete, path = "/projects/{id}/twilio", tag = "twilio", params(("id" = String, Path, description = "Project id")), security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "Removed (admin+)", body = Done), E400, E401, E403, E404))]
pub async fn delete_twilio(State(st): State<AppState>, h: HeaderMap, V1Path(id): V1Path<String>) -> V1Result<Json<Done>> {
    let p = actor(&st, &h).await?;
    st.write(async |tx| twilio::delete(tx, &p, &id).await).await?;
    done("Twilio account removed")
}

#[utoipa::path(post, path = "/projects/{id}/twilio/import", tag = "twilio", params(("id" = String, Path, description = "Project id")), security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "Imports the account's numbers (admin+); 409 before credentials are set", body = Envelope<ImportReportOut>), E400, E401, E403, E404, E409, E502))]
pub async fn import_twilio(State(st): State<AppState>, h: HeaderMap, V1Path(id): V1Path<String>) -> One<ImportReportOut> {
    let p = actor(&st, &h).await?;
    ok("Twilio numbers imported", twilio::import_numbers(&st, &p, &id).await?.into())
}
