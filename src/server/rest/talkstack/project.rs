//! `/api/project/*` and the project parts of `/api/user/*` (Talkstack-compatible).

use super::auth::iso_ms;
use super::TsPath;
use super::{ok, TsError};
use crate::model::{AppError, ErrorCode, ProjectView};
use crate::server::http::actor;
use crate::server::rest::extract::json_body;
use crate::server::services::{api_keys, projects};
use crate::server::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{json, Value};

/// Talkstack's project object.
pub fn project_json(p: &ProjectView) -> Value {
    json!({
        "id": p.id,
        "name": p.name,
        "user_id": p.owner_id,
        "status": p.status,
        "description": p.description,
        "call_status_webhook": p.call_status_webhook,
        "active_agent": p.active_agent,
        "is_deleted": false,
        "role": p.role.as_str(),
        "created_at": iso_ms(p.created_at),
        "updated_at": iso_ms(p.updated_at),
    })
}

/// The absent fields of `fields` (name, present?) as the shared missing-field error.
fn missing(fields: &[(&str, bool)]) -> TsError {
    let absent: Vec<&str> = fields.iter().filter(|(_, present)| !present).map(|(f, _)| *f).collect();
    AppError::missing_fields(&absent).into()
}

/// Talkstack answers a duplicate name (and any invalid input) with 400.
fn as_400(e: AppError) -> TsError {
    let mut e = e;
    if e.code == ErrorCode::Conflict && e.field_message("name").is_some() {
        e.code = ErrorCode::InvalidInput;
        e.message = "A project with this name already exists.".into();
    }
    e.into()
}

#[derive(Deserialize, Default)]
pub struct CreateBody {
    name: Option<String>,
    description: Option<String>,
}

/// Seed 002: the response carries exactly Talkstack's fields, with `created_at`/`updated_at`
/// null as in their documentation (GET returns the real timestamps).
pub async fn create(State(st): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Response, TsError> {
    let p = actor(&st, &headers).await?;
    let b: CreateBody = json_body(&body)?;
    let (Some(name), Some(description)) = (b.name.clone(), b.description.clone()) else {
        return Err(missing(&[("name", b.name.is_some()), ("description", b.description.is_some())]));
    };
    let project = st.write(async |tx| projects::create(tx, &p, &name, &description).await).await.map_err(as_400)?;
    Ok(ok(
        "successfully created project.",
        json!({"data": {
            "name": project.name,
            "user_id": project.owner_id,
            "status": project.status,
            "description": project.description,
            "call_status_webhook": project.call_status_webhook,
            "id": project.id,
            "active_agent": project.active_agent,
            "created_at": null,
            "updated_at": null,
        }}),
    ))
}

pub async fn list(State(st): State<AppState>, headers: HeaderMap) -> Result<Response, TsError> {
    let p = actor(&st, &headers).await?;
    let all = st.read(async |c| projects::list(c, &p).await).await?;
    Ok(ok("projects fetched.", json!({"data": all.iter().map(project_json).collect::<Vec<_>>()})))
}

pub async fn get(State(st): State<AppState>, headers: HeaderMap, TsPath(id): TsPath<String>) -> Result<Response, TsError> {
    let p = actor(&st, &headers).await?;
    let project = st.read(async |c| projects::get(c, &p, &id).await).await?;
    Ok(ok("project fetched.", json!({"data": project_json(&project)})))
}

#[derive(Deserialize, Default)]
pub struct UpdateBody {
    name: Option<String>,
    description: Option<String>,
    #[serde(rename = "webhookUrl", alias = "webhookURL")]
    webhook_url: Option<String>,
}

pub async fn update(State(st): State<AppState>, headers: HeaderMap, TsPath(id): TsPath<String>, body: Bytes) -> Result<Response, TsError> {
    let p = actor(&st, &headers).await?;
    let b: UpdateBody = json_body(&body)?;
    let u = projects::ProjectUpdate { name: b.name, description: b.description, webhook: b.webhook_url, max_concurrent_calls: None };
    let project = st.write(async |tx| projects::update(&st, tx, &p, &id, u).await).await.map_err(as_400)?;
    Ok(ok("project updated.", json!({"data": project_json(&project)})))
}

#[derive(Deserialize, Default)]
pub struct DeleteBody {
    #[serde(default)]
    cascade: bool,
}

pub async fn delete(State(st): State<AppState>, headers: HeaderMap, TsPath(id): TsPath<String>, body: Bytes) -> Result<Response, TsError> {
    let p = actor(&st, &headers).await?;
    let b: DeleteBody = json_body(&body)?;
    st.write(async |tx| projects::delete(tx, &p, &id, b.cascade).await).await?;
    Ok(ok("project deleted.", json!({})))
}

#[derive(Deserialize, Default)]
pub struct WebhookBody {
    #[serde(rename = "projectId")]
    project_id: Option<String>,
    #[serde(rename = "webhookURL", alias = "webhookUrl")]
    webhook_url: Option<String>,
}

pub async fn add_webhook(State(st): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Response, TsError> {
    let p = actor(&st, &headers).await?;
    let b: WebhookBody = json_body(&body)?;
    let (Some(pid), Some(url)) = (b.project_id.clone(), b.webhook_url.clone()) else {
        return Err(missing(&[("projectId", b.project_id.is_some()), ("webhookURL", b.webhook_url.is_some())]));
    };
    let project = st.write(async |tx| projects::set_webhook(&st, tx, &p, &pid, &url).await).await?;
    Ok(ok("added webhook url.", json!({"data": project_json(&project)})))
}

#[derive(Deserialize, Default)]
pub struct ActiveBody {
    #[serde(rename = "projectId")]
    project_id: Option<String>,
}

pub async fn set_active_project(State(st): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Response, TsError> {
    let p = actor(&st, &headers).await?;
    let b: ActiveBody = json_body(&body)?;
    let Some(pid) = b.project_id else { return Err(missing(&[("projectId", false)])) };
    let (user, project) = st.write(async |tx| projects::set_active(tx, &p, &pid).await).await?;
    Ok(ok("active project set successfully.", json!({"userData": super::auth::user_json(&user), "projectData": project_json(&project)})))
}

pub async fn get_active_project(State(st): State<AppState>, headers: HeaderMap) -> Result<Response, TsError> {
    let p = actor(&st, &headers).await?;
    let project = st.read(async |c| projects::get_active(c, &p).await).await?;
    Ok(ok("active project fetched.", json!({"projectData": project_json(&project)})))
}

/// A GET that changes state (as Talkstack defines it): bearer credentials only, see
/// [`principal_without_cookie`](crate::server::http::principal_without_cookie).
pub async fn generate_api_key(State(st): State<AppState>, headers: HeaderMap) -> Result<Response, TsError> {
    let p = crate::server::auth::Actor::from(crate::server::http::principal_without_cookie(&st, &headers).await?);
    let key = st.write(async |tx| api_keys::regenerate_legacy(tx, &p).await).await?;
    Ok(ok("API key generated. Store it now: it is shown only once.", json!({"apiKey": key})))
}
