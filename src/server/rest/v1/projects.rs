//! `/api/v1` projects, members, invitations, API keys, active project and audit log.

use super::envelope::{body, created, ok, page, PageQuery, V1Result};
use crate::server::http::principal;
use crate::server::services::{api_keys, audit, projects, team};
use crate::server::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use serde::Deserialize;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct CreateProject {
    pub name: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
pub struct UpdateProject {
    pub name: Option<String>,
    pub description: Option<String>,
    /// Empty string clears it.
    pub call_status_webhook: Option<String>,
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
pub struct DeleteProject {
    #[serde(default)]
    pub cascade: bool,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct RoleBody {
    pub role: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct TransferBody {
    pub user_id: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct InviteBody {
    pub email: String,
    pub role: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct TokenBody {
    pub token: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct CreateKey {
    pub name: String,
    pub project_id: Option<String>,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ActiveProject {
    pub project_id: String,
}

#[derive(Deserialize)]
pub struct AuditQuery {
    pub before: Option<String>,
    pub limit: Option<i64>,
}

pub async fn list(State(st): State<AppState>, h: HeaderMap, Query(q): Query<PageQuery>) -> V1Result {
    let p = principal(&st, &h).await?;
    page("Projects", projects::list(&st, &p).await?, &q)
}

pub async fn create(State(st): State<AppState>, h: HeaderMap, b: Bytes) -> V1Result {
    let p = principal(&st, &h).await?;
    let b: CreateProject = body(&b)?;
    created("Project created", projects::create(&st, &p, &b.name, &b.description).await?)
}

pub async fn get(State(st): State<AppState>, h: HeaderMap, Path(id): Path<String>) -> V1Result {
    let p = principal(&st, &h).await?;
    ok("Project", projects::get(&st, &p, &id).await?)
}

pub async fn update(State(st): State<AppState>, h: HeaderMap, Path(id): Path<String>, b: Bytes) -> V1Result {
    let p = principal(&st, &h).await?;
    let b: UpdateProject = body(&b)?;
    let u = projects::ProjectUpdate { name: b.name, description: b.description, webhook: b.call_status_webhook };
    ok("Project updated", projects::update(&st, &p, &id, u).await?)
}

pub async fn delete(State(st): State<AppState>, h: HeaderMap, Path(id): Path<String>, b: Bytes) -> V1Result {
    let p = principal(&st, &h).await?;
    let b: DeleteProject = body(&b)?;
    projects::delete(&st, &p, &id, b.cascade).await?;
    ok("Project deleted", serde_json::Value::Null)
}

pub async fn members(State(st): State<AppState>, h: HeaderMap, Path(id): Path<String>, Query(q): Query<PageQuery>) -> V1Result {
    let p = principal(&st, &h).await?;
    page("Members", team::members(&st, &p, &id).await?, &q)
}

pub async fn change_role(State(st): State<AppState>, h: HeaderMap, Path((id, user)): Path<(String, String)>, b: Bytes) -> V1Result {
    let p = principal(&st, &h).await?;
    let b: RoleBody = body(&b)?;
    ok("Role changed", team::change_role(&st, &p, &id, &user, &b.role).await?)
}

pub async fn remove_member(State(st): State<AppState>, h: HeaderMap, Path((id, user)): Path<(String, String)>) -> V1Result {
    let p = principal(&st, &h).await?;
    team::remove(&st, &p, &id, &user).await?;
    ok("Member removed", serde_json::Value::Null)
}

pub async fn leave(State(st): State<AppState>, h: HeaderMap, Path(id): Path<String>) -> V1Result {
    let p = principal(&st, &h).await?;
    team::leave(&st, &p, &id).await?;
    ok("You left the project", serde_json::Value::Null)
}

pub async fn transfer(State(st): State<AppState>, h: HeaderMap, Path(id): Path<String>, b: Bytes) -> V1Result {
    let p = principal(&st, &h).await?;
    let b: TransferBody = body(&b)?;
    ok("Ownership transferred", team::transfer(&st, &p, &id, &b.user_id).await?)
}

pub async fn invitations(State(st): State<AppState>, h: HeaderMap, Path(id): Path<String>, Query(q): Query<PageQuery>) -> V1Result {
    let p = principal(&st, &h).await?;
    page("Invitations", team::invitations(&st, &p, &id).await?, &q)
}

pub async fn invite(State(st): State<AppState>, h: HeaderMap, Path(id): Path<String>, b: Bytes) -> V1Result {
    let p = principal(&st, &h).await?;
    let b: InviteBody = body(&b)?;
    created("Invitation sent", team::invite(&st, &p, &id, &b.email, &b.role).await?)
}

pub async fn resend(State(st): State<AppState>, h: HeaderMap, Path((id, inv)): Path<(String, String)>) -> V1Result {
    let p = principal(&st, &h).await?;
    ok("Invitation sent again", team::resend(&st, &p, &id, &inv).await?)
}

pub async fn revoke(State(st): State<AppState>, h: HeaderMap, Path((id, inv)): Path<(String, String)>) -> V1Result {
    let p = principal(&st, &h).await?;
    team::revoke(&st, &p, &id, &inv).await?;
    ok("Invitation revoked", serde_json::Value::Null)
}

pub async fn accept(State(st): State<AppState>, h: HeaderMap, b: Bytes) -> V1Result {
    let p = principal(&st, &h).await?;
    let b: TokenBody = body(&b)?;
    ok("Invitation accepted", team::accept(&st, &p, &b.token).await?)
}

pub async fn list_keys(State(st): State<AppState>, h: HeaderMap, Query(q): Query<PageQuery>) -> V1Result {
    let p = principal(&st, &h).await?;
    page("API keys", api_keys::list(&st, &p).await?, &q)
}

pub async fn create_key(State(st): State<AppState>, h: HeaderMap, b: Bytes) -> V1Result {
    let p = principal(&st, &h).await?;
    let b: CreateKey = body(&b)?;
    created("API key created. Store the secret now: it is shown only once.", api_keys::create(&st, &p, &b.name, b.project_id.as_deref()).await?)
}

pub async fn revoke_key(State(st): State<AppState>, h: HeaderMap, Path(id): Path<String>) -> V1Result {
    let p = principal(&st, &h).await?;
    api_keys::revoke(&st, &p, &id).await?;
    ok("API key revoked", serde_json::Value::Null)
}

pub async fn get_active(State(st): State<AppState>, h: HeaderMap) -> V1Result {
    let p = principal(&st, &h).await?;
    ok("Active project", projects::get_active(&st, &p).await?)
}

pub async fn set_active(State(st): State<AppState>, h: HeaderMap, b: Bytes) -> V1Result {
    let p = principal(&st, &h).await?;
    let b: ActiveProject = body(&b)?;
    ok("Active project set", projects::set_active(&st, &p, &b.project_id).await?.1)
}

/// Keyset pagination, newest first: pass `meta.next_before` back as `before` for the next page.
pub async fn audit_log(State(st): State<AppState>, h: HeaderMap, Path(id): Path<String>, Query(q): Query<AuditQuery>) -> V1Result {
    let p = principal(&st, &h).await?;
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let before = q
        .before
        .as_deref()
        .and_then(|b| b.split_once('_'))
        .and_then(|(t, id)| Some((t.parse::<i64>().ok()?, id.to_string())));
    let items = audit::page(&st, &p, &id, before, limit).await?;
    let next = (items.len() as i64 == limit).then(|| items.last().map(|e| format!("{}_{}", e.created_at, e.id))).flatten();
    let body = serde_json::json!({"success": true, "message": "Audit log", "data": items, "meta": {"next_before": next}});
    Ok(axum::response::IntoResponse::into_response(axum::Json(body)))
}
