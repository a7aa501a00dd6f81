//! `/api/v1` projects, members, invitations, API keys, active project and audit log.

use super::envelope::{created, done, ok, page, PageParams, V1Json, V1Path, V1Query, V1Result};
use super::openapi::{E400, E401, E403, E404, E409, E413, E415};
use super::types::{ApiKeyCreatedOut, ApiKeyOut, AuditEntryOut, Done, Envelope, InvitationOut, ListEnvelope, MemberOut, ProjectOut};
use crate::server::http::actor;
use crate::server::rest::json::Json;
use crate::server::services::{api_keys, audit, projects, team};
use crate::server::state::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct CreateProject {
    #[schema(min_length = 1, max_length = 100, pattern = "^[^\\u0000-\\u001f\\u007f]*\\S[^\\u0000-\\u001f\\u007f]*$")]
    pub name: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
pub struct UpdateProject {
    #[schema(min_length = 1, max_length = 100, pattern = "^[^\\u0000-\\u001f\\u007f]*\\S[^\\u0000-\\u001f\\u007f]*$")]
    pub name: Option<String>,
    pub description: Option<String>,
    /// Empty string clears it.
    pub call_status_webhook: Option<String>,
    /// Calls that may be live at once; more wait queued (1 to 1000, default 10).
    #[schema(minimum = 1, maximum = 1000)]
    pub max_concurrent_calls: Option<i64>,
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
pub struct DeleteProject {
    /// Also delete the project's agents and numbers (without it, a project holding any is refused with 409).
    #[serde(default)]
    pub cascade: bool,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct RoleBody {
    /// viewer, member or admin (ownership moves by transfer).
    #[schema(pattern = "^(viewer|member|admin)$")]
    pub role: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct TransferBody {
    pub user_id: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct InviteBody {
    #[schema(format = Email)]
    pub email: String,
    /// viewer, member or admin.
    #[schema(pattern = "^(viewer|member|admin)$")]
    pub role: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct TokenBody {
    #[schema(pattern = "\\S")]
    pub token: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct CreateKey {
    #[schema(pattern = "\\S", max_length = 100)]
    pub name: String,
    /// Limits the key to this project.
    pub project_id: Option<String>,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ActiveProject {
    pub project_id: String,
}

type Page<T> = V1Result<Json<ListEnvelope<T>>>;
type One<T> = V1Result<Json<Envelope<T>>>;
type Created<T> = V1Result<(StatusCode, Json<Envelope<T>>)>;

#[utoipa::path(get, path = "/projects", tag = "projects", params(PageParams), security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "One page of the caller's projects by name (an API key sees its own project)", body = ListEnvelope<ProjectOut>), E400, E401))]
pub async fn list(State(st): State<AppState>, h: HeaderMap, V1Query(q): V1Query<PageParams>) -> Page<ProjectOut> {
    let p = actor(&st, &h).await?;
    let req = q.parse::<(String, String)>()?;
    let limit = req.limit;
    let (after, fetch) = req.split();
    let items = st.read(async |c| projects::page(c, &p, after, fetch).await).await?;
    page("Projects", limit, items, |p| (p.name.clone(), p.id.clone()), ProjectOut::from)
}

#[utoipa::path(post, path = "/projects", tag = "projects", request_body = CreateProject, security(("bearer" = []), ("api_key" = [])),
    responses((status = 201, description = "Created; the caller is its owner", body = Envelope<ProjectOut>), E400, E401, E403, E409, E413, E415))]
pub async fn create(State(st): State<AppState>, h: HeaderMap, V1Json(b): V1Json<CreateProject>) -> Created<ProjectOut> {
    let p = actor(&st, &h).await?;
    created("Project created", st.write(async |tx| projects::create(tx, &p, &b.name, &b.description).await).await?.into())
}

#[utoipa::path(get, path = "/projects/{id}", tag = "projects", params(("id" = String, Path, description = "Project id")), security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "A project, with the caller's role", body = Envelope<ProjectOut>), E400, E401, E404))]
pub async fn get(State(st): State<AppState>, h: HeaderMap, V1Path(id): V1Path<String>) -> One<ProjectOut> {
    let p = actor(&st, &h).await?;
    ok("Project", st.read(async |c| projects::get(c, &p, &id).await).await?.into())
}

#[utoipa::path(put, path = "/projects/{id}", tag = "projects", params(("id" = String, Path, description = "Project id")), request_body = UpdateProject,
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "Updated (admin+)", body = Envelope<ProjectOut>), E400, E401, E403, E404, E409, E413, E415))]
pub async fn update(State(st): State<AppState>, h: HeaderMap, V1Path(id): V1Path<String>, V1Json(b): V1Json<UpdateProject>) -> One<ProjectOut> {
    let p = actor(&st, &h).await?;
    let u = projects::ProjectUpdate {
        name: b.name,
        description: b.description,
        webhook: b.call_status_webhook,
        max_concurrent_calls: b.max_concurrent_calls,
    };
    ok("Project updated", st.write(async |tx| projects::update(&st, tx, &p, &id, u).await).await?.into())
}

#[utoipa::path(delete, path = "/projects/{id}", tag = "projects", params(("id" = String, Path, description = "Project id")), request_body = DeleteProject,
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "Deleted (owner)", body = Done), E400, E401, E403, E404, E409, E413, E415))]
pub async fn delete(State(st): State<AppState>, h: HeaderMap, V1Path(id): V1Path<String>, V1Json(b): V1Json<DeleteProject>) -> V1Result<Json<Done>> {
    let p = actor(&st, &h).await?;
    st.write(async |tx| projects::delete(tx, &p, &id, b.cascade).await).await?;
    done("Project deleted")
}

#[utoipa::path(get, path = "/projects/{id}/members", tag = "team", params(("id" = String, Path, description = "Project id"), PageParams),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "One page of members, oldest first", body = ListEnvelope<MemberOut>), E400, E401, E404))]
pub async fn members(State(st): State<AppState>, h: HeaderMap, V1Path(id): V1Path<String>, V1Query(q): V1Query<PageParams>) -> Page<MemberOut> {
    let p = actor(&st, &h).await?;
    let req = q.parse::<(i64, String)>()?;
    let limit = req.limit;
    let (after, fetch) = req.split();
    let items = st.read(async |c| team::members_page(c, &p, &id, after, fetch).await).await?;
    page("Members", limit, items, |m| (m.joined_at, m.user_id.clone()), MemberOut::from)
}

#[utoipa::path(put, path = "/projects/{id}/members/{user_id}", tag = "team",
    params(("id" = String, Path, description = "Project id"), ("user_id" = String, Path, description = "Member's user id")), request_body = RoleBody,
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "Role changed (admin+)", body = Envelope<MemberOut>), E400, E401, E403, E404, E409, E413, E415))]
pub async fn change_role(State(st): State<AppState>, h: HeaderMap, V1Path((id, user)): V1Path<(String, String)>, V1Json(b): V1Json<RoleBody>) -> One<MemberOut> {
    let p = actor(&st, &h).await?;
    ok("Role changed", st.write(async |tx| team::change_role(tx, &p, &id, &user, &b.role).await).await?.into())
}

#[utoipa::path(delete, path = "/projects/{id}/members/{user_id}", tag = "team",
    params(("id" = String, Path, description = "Project id"), ("user_id" = String, Path, description = "Member's user id")),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "Member removed (admin+; the last owner cannot be removed)", body = Done), E400, E401, E403, E404, E409))]
pub async fn remove_member(State(st): State<AppState>, h: HeaderMap, V1Path((id, user)): V1Path<(String, String)>) -> V1Result<Json<Done>> {
    let p = actor(&st, &h).await?;
    st.write(async |tx| team::remove(tx, &p, &id, &user).await).await?;
    done("Member removed")
}

#[utoipa::path(post, path = "/projects/{id}/leave", tag = "team", params(("id" = String, Path, description = "Project id")),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "The caller left", body = Done), E400, E401, E403, E404, E409))]
pub async fn leave(State(st): State<AppState>, h: HeaderMap, V1Path(id): V1Path<String>) -> V1Result<Json<Done>> {
    let p = actor(&st, &h).await?;
    st.write(async |tx| team::leave(tx, &p, &id).await).await?;
    done("You left the project")
}

#[utoipa::path(post, path = "/projects/{id}/transfer", tag = "team", params(("id" = String, Path, description = "Project id")), request_body = TransferBody,
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "Ownership transferred to a member (owner)", body = Envelope<ProjectOut>), E400, E401, E403, E404, E409, E413, E415))]
pub async fn transfer(State(st): State<AppState>, h: HeaderMap, V1Path(id): V1Path<String>, V1Json(b): V1Json<TransferBody>) -> One<ProjectOut> {
    let p = actor(&st, &h).await?;
    ok("Ownership transferred", st.write(async |tx| team::transfer(tx, &p, &id, &b.user_id).await).await?.into())
}

#[utoipa::path(get, path = "/projects/{id}/invitations", tag = "team", params(("id" = String, Path, description = "Project id"), PageParams),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "One page of invitations, newest first (admin+)", body = ListEnvelope<InvitationOut>), E400, E401, E403, E404))]
pub async fn invitations(State(st): State<AppState>, h: HeaderMap, V1Path(id): V1Path<String>, V1Query(q): V1Query<PageParams>) -> Page<InvitationOut> {
    let p = actor(&st, &h).await?;
    let req = q.parse::<(i64, String)>()?;
    let limit = req.limit;
    let (after, fetch) = req.split();
    let items = st.read(async |c| team::invitations_page(c, &p, &id, after, fetch).await).await?;
    page("Invitations", limit, items, |i| (i.created_at, i.id.clone()), InvitationOut::from)
}

#[utoipa::path(post, path = "/projects/{id}/invitations", tag = "team", params(("id" = String, Path, description = "Project id")), request_body = InviteBody,
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 201, description = "Invitation mailed (admin+)", body = Envelope<InvitationOut>), E400, E401, E403, E404, E409, E413, E415))]
pub async fn invite(State(st): State<AppState>, h: HeaderMap, V1Path(id): V1Path<String>, V1Json(b): V1Json<InviteBody>) -> Created<InvitationOut> {
    let p = actor(&st, &h).await?;
    created("Invitation sent", st.write(async |tx| team::invite(&st, tx, &p, &id, &b.email, &b.role).await).await?.into())
}

#[utoipa::path(post, path = "/projects/{id}/invitations/{invitation_id}/resend", tag = "team",
    params(("id" = String, Path, description = "Project id"), ("invitation_id" = String, Path, description = "Invitation id")),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "Mailed again with a new link", body = Envelope<InvitationOut>), E400, E401, E403, E404, E409))]
pub async fn resend(State(st): State<AppState>, h: HeaderMap, V1Path((id, inv)): V1Path<(String, String)>) -> One<InvitationOut> {
    let p = actor(&st, &h).await?;
    ok("Invitation sent again", st.write(async |tx| team::resend(&st, tx, &p, &id, &inv).await).await?.into())
}

#[utoipa::path(delete, path = "/projects/{id}/invitations/{invitation_id}", tag = "team",
    params(("id" = String, Path, description = "Project id"), ("invitation_id" = String, Path, description = "Invitation id")),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "Revoked", body = Done), E400, E401, E403, E404, E409))]
pub async fn revoke(State(st): State<AppState>, h: HeaderMap, V1Path((id, inv)): V1Path<(String, String)>) -> V1Result<Json<Done>> {
    let p = actor(&st, &h).await?;
    st.write(async |tx| team::revoke(tx, &p, &id, &inv).await).await?;
    done("Invitation revoked")
}

#[utoipa::path(post, path = "/invitations/accept", tag = "team", request_body = TokenBody, security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "Accepted by the logged-in invitee", body = Envelope<ProjectOut>), E400, E401, E403, E404, E409, E413, E415))]
pub async fn accept(State(st): State<AppState>, h: HeaderMap, V1Json(b): V1Json<TokenBody>) -> One<ProjectOut> {
    let p = actor(&st, &h).await?;
    ok("Invitation accepted", st.write(async |tx| team::accept(tx, &p, &b.token).await).await?.into())
}

#[utoipa::path(get, path = "/api-keys", tag = "api-keys", params(PageParams), security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "One page of the caller's live keys, newest first (no secrets)", body = ListEnvelope<ApiKeyOut>), E400, E401, E403))]
pub async fn list_keys(State(st): State<AppState>, h: HeaderMap, V1Query(q): V1Query<PageParams>) -> Page<ApiKeyOut> {
    let p = actor(&st, &h).await?;
    let req = q.parse::<(i64, String)>()?;
    let limit = req.limit;
    let (after, fetch) = req.split();
    let items = st.read(async |c| api_keys::page(c, &p, after, fetch).await).await?;
    page("API keys", limit, items, |k| (k.created_at, k.id.clone()), ApiKeyOut::from)
}

#[utoipa::path(post, path = "/api-keys", tag = "api-keys", request_body = CreateKey, security(("bearer" = []), ("api_key" = [])),
    responses((status = 201, description = "Created; the secret is in data.secret, shown once", body = Envelope<ApiKeyCreatedOut>), E400, E401, E403, E404, E413, E415))]
pub async fn create_key(State(st): State<AppState>, h: HeaderMap, V1Json(b): V1Json<CreateKey>) -> Created<ApiKeyCreatedOut> {
    let p = actor(&st, &h).await?;
    let k = st.write(async |tx| api_keys::create(tx, &p, &b.name, b.project_id.as_deref()).await).await?;
    created("API key created. Store the secret now: it is shown only once.", k.into())
}

#[utoipa::path(delete, path = "/api-keys/{id}", tag = "api-keys", params(("id" = String, Path, description = "API key id")), security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "Revoked with immediate effect", body = Done), E400, E401, E403, E404))]
pub async fn revoke_key(State(st): State<AppState>, h: HeaderMap, V1Path(id): V1Path<String>) -> V1Result<Json<Done>> {
    let p = actor(&st, &h).await?;
    st.write(async |tx| api_keys::revoke(tx, &p, &id).await).await?;
    done("API key revoked")
}

#[utoipa::path(get, path = "/me/active-project", tag = "projects", security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "The active project", body = Envelope<ProjectOut>), E401, E404))]
pub async fn get_active(State(st): State<AppState>, h: HeaderMap) -> One<ProjectOut> {
    let p = actor(&st, &h).await?;
    ok("Active project", st.read(async |c| projects::get_active(c, &p).await).await?.into())
}

#[utoipa::path(put, path = "/me/active-project", tag = "projects", request_body = ActiveProject, security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "Set", body = Envelope<ProjectOut>), E400, E401, E404, E413, E415))]
pub async fn set_active(State(st): State<AppState>, h: HeaderMap, V1Json(b): V1Json<ActiveProject>) -> One<ProjectOut> {
    let p = actor(&st, &h).await?;
    ok("Active project set", st.write(async |tx| projects::set_active(tx, &p, &b.project_id).await).await?.1.into())
}

#[utoipa::path(get, path = "/projects/{id}/audit-log", tag = "projects", params(("id" = String, Path, description = "Project id"), PageParams),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "One page of the audit log, newest first (admin+)", body = ListEnvelope<AuditEntryOut>), E400, E401, E403, E404))]
pub async fn audit_log(State(st): State<AppState>, h: HeaderMap, V1Path(id): V1Path<String>, V1Query(q): V1Query<PageParams>) -> Page<AuditEntryOut> {
    let p = actor(&st, &h).await?;
    let req = q.parse::<(i64, String)>()?;
    let limit = req.limit;
    let (after, fetch) = req.split();
    let items = st.read(async |c| audit::page(c, &p, &id, after, fetch).await).await?;
    page("Audit log", limit, items, |e| (e.created_at, e.id.clone()), AuditEntryOut::from)
}
