//! The per-project audit log: written by the services that perform the audited actions, inside
//! their transactions ([`record`]), and read by admins and owners ([`page`]).

use super::access::{self, Need};
use crate::model::{AppError, AuditEntryView};
use crate::server::auth::Actor;
use crate::server::db::projects;
use crate::server::domain::AuditAction;
use sqlx::AnyConnection;

/// Records `action` by `actor` on a project (an API key is recorded as its creator acting through
/// a key; the system with no user).
pub async fn record(c: &mut AnyConnection, actor: &Actor, project_id: &str, action: AuditAction, target: Option<&str>, details: Option<&str>) -> Result<(), AppError> {
    projects::audit(c, project_id, actor.kind().as_str(), actor.user_id(), action, target, details).await?;
    Ok(())
}

/// Newest first; `before` is the (created_at, id) of the last entry of the previous page.
pub async fn page(c: &mut AnyConnection, actor: &Actor, project_id: &str, before: Option<(i64, String)>, limit: i64) -> Result<Vec<AuditEntryView>, AppError> {
    access::project(&mut *c, actor, project_id, Need::Manage).await?;
    let rows = projects::audit_page(&mut *c, project_id, before, limit.clamp(1, 200)).await?;
    Ok(rows
        .into_iter()
        .map(|r| AuditEntryView {
            id: r.id,
            actor_kind: r.actor_kind.as_str().to_string(),
            actor_id: r.actor_id,
            actor_email: r.actor_email,
            action: r.action.as_str().to_string(),
            target: r.target,
            details: r.details,
            created_at: r.created_at,
        })
        .collect())
}
