//! Projects (the tenant) and the user's active project.
//!
//! Decisions: a name is unique among the live projects its owner created (case-insensitive);
//! deletion is soft and, without `cascade`, refused (409) while the project still holds agents or
//! numbers; with `cascade` they are deleted with it; creating the
//! user's first project makes it their active one.

use super::access::{self, Need};
use super::audit;
use crate::model::{AppError, ErrorCode, ProjectView, Role, UserView};
use crate::server::auth::Actor;
use crate::server::db::projects::{self, ProjectRow};
use crate::server::db::{new_id, users, Tx};
use crate::server::domain::AuditAction;
use crate::server::domain::{Description, ProjectName, WebhookUrl};
use crate::server::error::OnUnique;
use crate::server::services::accounts::user_view;
use crate::server::state::AppState;
use sqlx::AnyConnection;

pub fn view(p: &ProjectRow, role: Role) -> ProjectView {
    ProjectView {
        id: p.id.clone(),
        name: p.name.clone(),
        description: p.description.clone(),
        status: p.status.clone(),
        owner_id: p.owner_id.clone(),
        owner_name: p.owner_name.clone(),
        owner_email: p.owner_email.clone(),
        call_status_webhook: p.call_status_webhook.clone(),
        active_agent: p.active_agent_id.clone(),
        max_concurrent_calls: p.max_concurrent_calls,
        role,
        created_at: p.created_at,
        updated_at: p.updated_at,
    }
}

fn duplicate_name() -> AppError {
    let mut e = AppError::field("name", "You already have a project with this name. Choose another name.");
    e.code = ErrorCode::Conflict;
    e
}

pub async fn create(tx: &mut Tx, actor: &Actor, name: &str, description: &str) -> Result<ProjectView, AppError> {
    access::require_unscoped(actor)?;
    let p = access::user(actor)?;
    let name = ProjectName::parse(name)?;
    let description = Description::parse(description)?;
    if projects::name_taken(&mut *tx, p.user_id(), name.as_str(), None).await? {
        return Err(duplicate_name());
    }
    let id = new_id();
    // The unique index decides races between concurrent creations; the loser gets the same answer.
    projects::insert(&mut *tx, &id, p.user_id(), name.as_str(), description.as_str()).await.on_unique(duplicate_name)?;
    projects::add_member(&mut *tx, &id, p.user_id(), Role::Owner).await?;
    if p.user.active_project_id.is_none() {
        projects::set_active_project(&mut *tx, p.user_id(), Some(&id)).await?;
    }
    audit::record(&mut *tx, actor, &id, AuditAction::ProjectCreated, Some(&id), None).await?;
    let row = projects::find(&mut *tx, &id).await?.ok_or_else(AppError::internal)?;
    Ok(view(&row, Role::Owner))
}

pub async fn list(c: &mut AnyConnection, actor: &Actor) -> Result<Vec<ProjectView>, AppError> {
    let p = access::user(actor)?;
    let all = projects::list_for_user(&mut *c, p.user_id()).await?;
    Ok(all.iter().filter(|(row, _)| p.project_scope().is_none_or(|s| s == row.id)).map(|(row, role)| view(row, *role)).collect())
}

pub async fn get(c: &mut AnyConnection, actor: &Actor, id: &str) -> Result<ProjectView, AppError> {
    let a = access::project(&mut *c, actor, id, Need::Read).await?;
    Ok(view(&a.project, a.role))
}

/// Fields to change; `None` leaves a field as it is. `webhook: Some("")` clears the webhook.
#[derive(Debug, Default)]
pub struct ProjectUpdate {
    pub name: Option<String>,
    pub description: Option<String>,
    pub webhook: Option<String>,
    /// Calls that may be live at once (1 to 1000).
    pub max_concurrent_calls: Option<i64>,
}

pub async fn update(st: &AppState, tx: &mut Tx, actor: &Actor, id: &str, u: ProjectUpdate) -> Result<ProjectView, AppError> {
    let name = u.name.as_deref().map(ProjectName::parse).transpose()?;
    let description = u.description.as_deref().map(Description::parse).transpose()?;
    let webhook = match u.webhook.as_deref().map(str::trim) {
        None => None,
        Some("") => Some(None),
        Some(w) => Some(Some(WebhookUrl::parse(&super::webhooks::parse_url(st, w, "webhookUrl")?, "webhookUrl")?)),
    };
    if let Some(n) = u.max_concurrent_calls {
        if !(1..=crate::model::limits::MAX_CONCURRENT_CALLS).contains(&n) {
            return Err(AppError::field("max_concurrent_calls", format!("Allow 1 to {} calls at once.", crate::model::limits::MAX_CONCURRENT_CALLS)));
        }
    }
    let a = access::project(&mut *tx, actor, id, Need::Manage).await?;
    let cur = a.project;
    let new_name = name.as_ref().map(ProjectName::as_str).unwrap_or(&cur.name).to_string();
    if projects::name_taken(&mut *tx, &cur.owner_id, &new_name, Some(id)).await? {
        return Err(duplicate_name());
    }
    let new_desc = description.as_ref().map(Description::as_str).unwrap_or(&cur.description).to_string();
    let new_hook = match &webhook {
        None => cur.call_status_webhook.clone(),
        Some(w) => w.as_ref().map(|w| w.as_str().to_string()),
    };
    let max_calls = u.max_concurrent_calls.unwrap_or(cur.max_concurrent_calls);
    projects::update(&mut *tx, id, &new_name, &new_desc, new_hook.as_deref(), max_calls).await.on_unique(duplicate_name)?;
    if webhook.is_some() && new_hook != cur.call_status_webhook {
        super::webhooks::sync_status_endpoint(st, tx, id, new_hook.as_deref()).await?;
        audit::record(&mut *tx, actor, id, AuditAction::ProjectWebhookChanged, None, new_hook.as_deref()).await?;
    }
    let row = projects::find(&mut *tx, id).await?.ok_or_else(AppError::internal)?;
    Ok(view(&row, a.role))
}

pub async fn set_webhook(st: &AppState, tx: &mut Tx, actor: &Actor, id: &str, url: &str) -> Result<ProjectView, AppError> {
    if url.trim().is_empty() {
        return Err(AppError::field("webhookURL", "Enter the webhook URL."));
    }
    update(st, tx, actor, id, ProjectUpdate { webhook: Some(url.to_string()), ..Default::default() }).await
}

/// Soft-deletes a project (owners only).
pub async fn delete(tx: &mut Tx, actor: &Actor, id: &str, cascade: bool) -> Result<(), AppError> {
    access::project(&mut *tx, actor, id, Need::Own).await?;
    let agents = crate::server::db::agents::count(&mut *tx, id).await?;
    let numbers = crate::server::db::numbers::count(&mut *tx, id).await?;
    if (agents > 0 || numbers > 0) && !cascade {
        return Err(AppError::new(
            ErrorCode::Conflict,
            format!("This project still has {agents} agent(s) and {numbers} phone number(s). Delete them first, or delete with cascade to remove them too."),
        ));
    }
    // Cascade: agents and numbers go for good (the numbers become free for other projects), and
    // so do stored integration secrets; the project row itself is kept, marked deleted.
    crate::server::db::agents::delete_all(&mut *tx, id).await?;
    crate::server::db::numbers::delete_all(&mut *tx, id).await?;
    crate::server::db::integrations::delete(&mut *tx, id, "twilio").await?;
    projects::soft_delete(&mut *tx, id).await?;
    // Nobody keeps a deleted project active.
    projects::clear_active_project_of_all(&mut *tx, id).await?;
    audit::record(&mut *tx, actor, id, AuditAction::ProjectDeleted, Some(id), None).await?;
    Ok(())
}

pub async fn set_active(tx: &mut Tx, actor: &Actor, id: &str) -> Result<(UserView, ProjectView), AppError> {
    let p = access::user(actor)?;
    let a = access::project(&mut *tx, actor, id, Need::Read).await?;
    projects::set_active_project(&mut *tx, p.user_id(), Some(id)).await?;
    let user = users::find_by_id(&mut *tx, p.user_id()).await?.ok_or_else(AppError::internal)?;
    Ok((user_view(&user), view(&a.project, a.role)))
}

fn no_active_project() -> AppError {
    AppError::new(ErrorCode::NotFound, "No active project is set. Create or select a project first.")
}

/// The active project; 404 when none is set. (Deleting a project and leaving one clear it, so an
/// active project the caller cannot see is only a race with those; it answers 404 as well.)
pub async fn get_active(c: &mut AnyConnection, actor: &Actor) -> Result<ProjectView, AppError> {
    let id = resolve(actor, None).ok_or_else(no_active_project)?;
    match access::project(&mut *c, actor, &id, Need::Read).await {
        Ok(a) => Ok(view(&a.project, a.role)),
        Err(e) if e.code == ErrorCode::NotFound => Err(no_active_project()),
        Err(e) => Err(e),
    }
}

/// The project a request without an explicit one is about: `given` when present, else the API
/// key's project, else the caller's active project (v1 lists and creations use this default).
pub fn resolve(actor: &Actor, given: Option<&str>) -> Option<String> {
    let given = given.map(str::trim).filter(|s| !s.is_empty());
    given
        .map(str::to_string)
        .or_else(|| actor.project_scope().map(str::to_string))
        .or_else(|| actor.principal().and_then(|p| p.user.active_project_id.clone()))
}

/// One keyset page of the caller's projects by (lower(name), id); `after` is the (name, id) of
/// the previous page's last project. An API key sees its own project only.
pub async fn page(c: &mut AnyConnection, actor: &Actor, after: Option<(String, String)>, limit: i64) -> Result<Vec<ProjectView>, AppError> {
    let p = access::user(actor)?;
    let rows = projects::page_for_user(&mut *c, p.user_id(), p.project_scope(), after, limit).await?;
    Ok(rows.iter().map(|(row, role)| view(row, *role)).collect())
}
