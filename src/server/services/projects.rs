//! Projects (the tenant) and the user's active project.
//!
//! Decisions: a name is unique among the live projects its owner created (case-insensitive);
//! deletion is soft and, without `cascade`, refused (409) while the project still holds agents or
//! numbers; with `cascade` they are deleted with it; creating the
//! user's first project makes it their active one.

use crate::server::domain::AuditAction;
use super::access::{self, Need};
use crate::model::{AppError, ErrorCode, ProjectView, Role, UserView};
use crate::server::auth::Principal;
use crate::server::db::projects::{self, ProjectRow};
use crate::server::db::{new_id, users};
use crate::server::domain::{Description, ProjectName, WebhookUrl};
use crate::server::error::OnUnique;
use crate::server::services::accounts::user_view;
use crate::server::state::AppState;

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

pub async fn create(st: &AppState, p: &Principal, name: &str, description: &str) -> Result<ProjectView, AppError> {
    access::require_unscoped(p)?;
    let name = ProjectName::parse(name)?;
    let description = Description::parse(description)?;
    let mut tx = st.db.begin_write().await?;
    if projects::name_taken(&mut tx, p.user_id(), name.as_str(), None).await? {
        return Err(duplicate_name());
    }
    let id = new_id();
    // The unique index decides races between concurrent creations; the loser gets the same answer.
    projects::insert(&mut tx, &id, p.user_id(), name.as_str(), description.as_str()).await.on_unique(duplicate_name)?;
    projects::add_member(&mut tx, &id, p.user_id(), Role::Owner).await?;
    if p.user.active_project_id.is_none() {
        projects::set_active_project(&mut tx, p.user_id(), Some(&id)).await?;
    }
    projects::audit(&mut tx, &id, Some(p.user_id()), AuditAction::ProjectCreated, Some(&id), None).await?;
    let row = projects::find(&mut tx, &id).await?.ok_or_else(AppError::internal)?;
    tx.commit().await?;
    Ok(view(&row, Role::Owner))
}

pub async fn list(st: &AppState, p: &Principal) -> Result<Vec<ProjectView>, AppError> {
    let mut c = st.db.pool().acquire().await?;
    let all = projects::list_for_user(&mut c, p.user_id()).await?;
    Ok(all
        .iter()
        .filter(|(row, _)| p.project_scope().is_none_or(|s| s == row.id))
        .map(|(row, role)| view(row, *role))
        .collect())
}

pub async fn get(st: &AppState, p: &Principal, id: &str) -> Result<ProjectView, AppError> {
    let mut c = st.db.pool().acquire().await?;
    let a = access::project(&mut c, p, id, Need::Read).await?;
    Ok(view(&a.project, a.role))
}

/// Fields to change; `None` leaves a field as it is. `webhook: Some("")` clears the webhook.
#[derive(Debug, Default)]
pub struct ProjectUpdate {
    pub name: Option<String>,
    pub description: Option<String>,
    pub webhook: Option<String>,
}

pub async fn update(st: &AppState, p: &Principal, id: &str, u: ProjectUpdate) -> Result<ProjectView, AppError> {
    let name = u.name.as_deref().map(ProjectName::parse).transpose()?;
    let description = u.description.as_deref().map(Description::parse).transpose()?;
    let webhook = match u.webhook.as_deref().map(str::trim) {
        None => None,
        Some("") => Some(None),
        Some(w) => Some(Some(WebhookUrl::parse(w, "webhookUrl")?)),
    };
    let mut tx = st.db.begin_write().await?;
    let a = access::project(&mut tx, p, id, Need::Manage).await?;
    let cur = a.project;
    let new_name = name.as_ref().map(ProjectName::as_str).unwrap_or(&cur.name).to_string();
    if projects::name_taken(&mut tx, &cur.owner_id, &new_name, Some(id)).await? {
        return Err(duplicate_name());
    }
    let new_desc = description.as_ref().map(Description::as_str).unwrap_or(&cur.description).to_string();
    let new_hook = match &webhook {
        None => cur.call_status_webhook.clone(),
        Some(w) => w.as_ref().map(|w| w.as_str().to_string()),
    };
    projects::update(&mut tx, id, &new_name, &new_desc, new_hook.as_deref()).await.on_unique(duplicate_name)?;
    if webhook.is_some() && new_hook != cur.call_status_webhook {
        projects::audit(&mut tx, id, Some(p.user_id()), AuditAction::ProjectWebhookChanged, None, new_hook.as_deref()).await?;
    }
    let row = projects::find(&mut tx, id).await?.ok_or_else(AppError::internal)?;
    tx.commit().await?;
    Ok(view(&row, a.role))
}

pub async fn set_webhook(st: &AppState, p: &Principal, id: &str, url: &str) -> Result<ProjectView, AppError> {
    if url.trim().is_empty() {
        return Err(AppError::field("webhookURL", "Enter the webhook URL."));
    }
    update(st, p, id, ProjectUpdate { webhook: Some(url.to_string()), ..Default::default() }).await
}

/// Soft-deletes a project (owners only).
pub async fn delete(st: &AppState, p: &Principal, id: &str, cascade: bool) -> Result<(), AppError> {
    let mut tx = st.db.begin_write().await?;
    access::project(&mut tx, p, id, Need::Own).await?;
    let agents = crate::server::db::agents::count(&mut tx, id).await?;
    let numbers = crate::server::db::numbers::count(&mut tx, id).await?;
    if (agents > 0 || numbers > 0) && !cascade {
        return Err(AppError::new(
            ErrorCode::Conflict,
            format!(
                "This project still has {agents} agent(s) and {numbers} phone number(s). Delete them first, or delete with cascade to remove them too."
            ),
        ));
    }
    // Cascade: agents and numbers go for good (the numbers become free for other projects), and
    // so do stored integration secrets; the project row itself is kept, marked deleted.
    crate::server::db::agents::delete_all(&mut tx, id).await?;
    crate::server::db::numbers::delete_all(&mut tx, id).await?;
    crate::server::db::integrations::delete(&mut tx, id, "twilio").await?;
    projects::soft_delete(&mut tx, id).await?;
    projects::audit(&mut tx, id, Some(p.user_id()), AuditAction::ProjectDeleted, Some(id), None).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn set_active(st: &AppState, p: &Principal, id: &str) -> Result<(UserView, ProjectView), AppError> {
    let mut tx = st.db.begin_write().await?;
    let a = access::project(&mut tx, p, id, Need::Read).await?;
    projects::set_active_project(&mut tx, p.user_id(), Some(id)).await?;
    let user = users::find_by_id(&mut tx, p.user_id()).await?.ok_or_else(AppError::internal)?;
    tx.commit().await?;
    Ok((user_view(&user), view(&a.project, a.role)))
}

/// The active project; 404 when none is set (or it is gone, in which case it is cleared).
pub async fn get_active(st: &AppState, p: &Principal) -> Result<ProjectView, AppError> {
    let none = || AppError::new(ErrorCode::NotFound, "No active project is set. Create or select a project first.");
    let Some(id) = p.user.active_project_id.clone() else { return Err(none()) };
    let mut c = st.db.pool().acquire().await?;
    match access::project(&mut c, p, &id, Need::Read).await {
        Ok(a) => Ok(view(&a.project, a.role)),
        Err(e) if e.code == ErrorCode::NotFound => {
            drop(c);
            if p.project_scope().is_none() {
                let mut tx = st.db.begin_write().await?;
                projects::set_active_project(&mut tx, p.user_id(), None).await?;
                tx.commit().await?;
            }
            Err(none())
        }
        Err(e) => Err(e),
    }
}

/// One keyset page of the caller's projects by (lower(name), id); `after` is the (name, id) of
/// the previous page's last project. An API key sees its own project only.
pub async fn page(st: &AppState, p: &Principal, after: Option<(String, String)>, limit: i64) -> Result<Vec<ProjectView>, AppError> {
    let mut c = st.db.pool().acquire().await?;
    let rows = projects::page_for_user(&mut c, p.user_id(), p.project_scope(), after, limit).await?;
    Ok(rows.iter().map(|(row, role)| view(row, *role)).collect())
}
