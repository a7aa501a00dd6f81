//! Reading the per-project audit log (admins and owners). Entries are written by the services
//! that perform the audited actions, inside their transactions.

use super::access::{self, Need};
use crate::model::{AppError, AuditEntryView};
use crate::server::auth::Principal;
use crate::server::db::projects;
use crate::server::state::AppState;

/// Newest first; `before` is the (created_at, id) of the last entry of the previous page.
pub async fn page(
    st: &AppState,
    p: &Principal,
    project_id: &str,
    before: Option<(i64, String)>,
    limit: i64,
) -> Result<Vec<AuditEntryView>, AppError> {
    let mut c = st.db.pool().acquire().await?;
    access::project(&mut c, p, project_id, Need::Manage).await?;
    let rows = projects::audit_page(&mut c, project_id, before, limit.clamp(1, 200)).await?;
    Ok(rows
        .into_iter()
        .map(|r| AuditEntryView {
            id: r.id,
            actor_id: r.actor_id,
            actor_email: r.actor_email,
            action: r.action.as_str().to_string(),
            target: r.target,
            details: r.details,
            created_at: r.created_at,
        })
        .collect())
}
