//! Queries on projects, members, invitations, API keys and the audit log. Every query on
//! project-owned rows filters by project id; authorization is decided in `services::access`.

use super::{new_id, now_ms, typed_all, typed_opt};
use crate::model::Role;
use crate::server::auth::ActorKind;
use crate::server::domain::AuditAction;
use sqlx::{AnyConnection, Row};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProjectRow {
    pub id: String,
    pub owner_id: String,
    pub owner_name: String,
    pub owner_email: String,
    pub name: String,
    pub description: String,
    pub status: String,
    pub call_status_webhook: Option<String>,
    pub active_agent_id: Option<String>,
    pub max_concurrent_calls: i64,
    #[sqlx(try_from = "super::Flag")]
    pub is_deleted: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

const PROJECT_SELECT: &str = "SELECT p.id, p.owner_id, u.name AS owner_name, u.email AS owner_email, p.name, \
     p.description, p.status, p.call_status_webhook, p.active_agent_id, p.max_concurrent_calls, p.is_deleted, p.created_at, p.updated_at \
     FROM projects p JOIN users u ON u.id = p.owner_id";

/// A project with the caller's role on it (`my_role`, from `project_members`).
#[derive(sqlx::FromRow)]
struct ProjectWithRole {
    #[sqlx(flatten)]
    project: ProjectRow,
    #[sqlx(rename = "my_role", try_from = "super::Stored<Role>")]
    role: Role,
}

/// Just a role column.
#[derive(sqlx::FromRow)]
struct RoleOnly {
    #[sqlx(try_from = "super::Stored<Role>")]
    role: Role,
}

/// A live (not deleted) project.
pub async fn find(c: &mut AnyConnection, id: &str) -> Result<Option<ProjectRow>, sqlx::Error> {
    let sql = format!("{PROJECT_SELECT} WHERE p.id = $1 AND p.is_deleted = 0");
    let row = sqlx::query(&sql).bind(id).fetch_optional(c).await?;
    typed_opt("projects", "id", row)
}

/// The caller's role on a live project, if a member.
pub async fn member_role(c: &mut AnyConnection, project_id: &str, user_id: &str) -> Result<Option<Role>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT m.user_id, m.role FROM project_members m JOIN projects p ON p.id = m.project_id \
         WHERE m.project_id = $1 AND m.user_id = $2 AND p.is_deleted = 0",
    )
    .bind(project_id)
    .bind(user_id)
    .fetch_optional(c)
    .await?;
    Ok(typed_opt::<RoleOnly>("project_members", "user_id", row)?.map(|r| r.role))
}

/// A live project with `user_id`'s role on it, in one query (the access check of every request).
pub async fn find_for_member(c: &mut AnyConnection, id: &str, user_id: &str) -> Result<Option<(ProjectRow, Role)>, sqlx::Error> {
    let sql = format!(
        "{PROJECT_SELECT} JOIN project_members m ON m.project_id = p.id AND m.user_id = $2 \
         WHERE p.id = $1 AND p.is_deleted = 0"
    );
    let sql = sql.replacen("SELECT p.id", "SELECT m.user_id, m.role, p.id", 1);
    let Some(row) = sqlx::query(&sql).bind(id).bind(user_id).fetch_optional(c).await? else {
        return Ok(None);
    };
    // Decoded in two parts so that a corrupt value is reported against its own table's row.
    let role = super::typed::<RoleOnly>("project_members", "user_id", &row)?.role;
    Ok(Some((super::typed::<ProjectRow>("projects", "id", &row)?, role)))
}

pub async fn list_for_user(c: &mut AnyConnection, user_id: &str) -> Result<Vec<(ProjectRow, Role)>, sqlx::Error> {
    let sql = format!(
        "{PROJECT_SELECT} JOIN project_members m ON m.project_id = p.id AND m.user_id = $1 \
         WHERE p.is_deleted = 0 ORDER BY lower(p.name), p.id"
    );
    let sql = sql.replacen("SELECT p.id", "SELECT m.role AS my_role, p.id", 1);
    let rows = sqlx::query(&sql).bind(user_id).fetch_all(c).await?;
    Ok(typed_all::<ProjectWithRole>("projects", "id", rows)?.into_iter().map(|r| (r.project, r.role)).collect())
}

pub async fn name_taken(c: &mut AnyConnection, owner_id: &str, name: &str, except: Option<&str>) -> Result<bool, sqlx::Error> {
    let row = sqlx::query("SELECT 1 AS one FROM projects WHERE owner_id = $1 AND lower(name) = lower($2) AND is_deleted = 0 AND id <> $3")
        .bind(owner_id)
        .bind(name)
        .bind(except.unwrap_or(""))
        .fetch_optional(c)
        .await?;
    Ok(row.is_some())
}

pub async fn insert(c: &mut AnyConnection, id: &str, owner_id: &str, name: &str, description: &str) -> Result<(), sqlx::Error> {
    let now = now_ms();
    sqlx::query(
        "INSERT INTO projects (id, owner_id, name, description, status, call_status_webhook, active_agent_id, \
         is_deleted, deleted_at, created_at, updated_at) VALUES ($1, $2, $3, $4, 'ACTIVE', NULL, NULL, 0, NULL, $5, $5)",
    )
    .bind(id)
    .bind(owner_id)
    .bind(name)
    .bind(description)
    .bind(now)
    .execute(c)
    .await?;
    Ok(())
}

pub async fn update(c: &mut AnyConnection, id: &str, name: &str, description: &str, webhook: Option<&str>, max_concurrent_calls: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE projects SET name = $1, description = $2, call_status_webhook = $3, max_concurrent_calls = $6, updated_at = $4 WHERE id = $5")
        .bind(name)
        .bind(description)
        .bind(webhook)
        .bind(now_ms())
        .bind(id)
        .bind(max_concurrent_calls)
        .execute(c)
        .await?;
    Ok(())
}

pub async fn soft_delete(c: &mut AnyConnection, id: &str) -> Result<(), sqlx::Error> {
    let now = now_ms();
    sqlx::query("UPDATE projects SET is_deleted = 1, deleted_at = $1, updated_at = $1 WHERE id = $2")
        .bind(now)
        .bind(id)
        .execute(&mut *c)
        .await?;
    Ok(())
}

/// Clears a project as everyone's active project.
pub async fn clear_active_project_of_all(c: &mut AnyConnection, project_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET active_project_id = NULL WHERE active_project_id = $1").bind(project_id).execute(c).await?;
    Ok(())
}

pub async fn set_owner(c: &mut AnyConnection, id: &str, owner_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE projects SET owner_id = $1, updated_at = $2 WHERE id = $3")
        .bind(owner_id)
        .bind(now_ms())
        .bind(id)
        .execute(c)
        .await?;
    Ok(())
}

pub async fn set_active_project(c: &mut AnyConnection, user_id: &str, project_id: Option<&str>) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET active_project_id = $1, updated_at = $2 WHERE id = $3")
        .bind(project_id)
        .bind(now_ms())
        .bind(user_id)
        .execute(c)
        .await?;
    Ok(())
}

// ---- members -----------------------------------------------------------------------------------

#[derive(sqlx::FromRow)]
pub struct MemberRow {
    pub user_id: String,
    pub name: String,
    pub email: String,
    #[sqlx(try_from = "super::Stored<Role>")]
    pub role: Role,
    pub created_at: i64,
}

pub async fn members(c: &mut AnyConnection, project_id: &str) -> Result<Vec<MemberRow>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT m.user_id, u.name, u.email, m.role, m.created_at FROM project_members m \
         JOIN users u ON u.id = m.user_id WHERE m.project_id = $1 ORDER BY m.created_at, m.user_id",
    )
    .bind(project_id)
    .fetch_all(c)
    .await?;
    typed_all("project_members", "user_id", rows)
}

pub async fn add_member(c: &mut AnyConnection, project_id: &str, user_id: &str, role: Role) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO project_members (project_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)")
        .bind(project_id)
        .bind(user_id)
        .bind(role.as_str())
        .bind(now_ms())
        .execute(c)
        .await?;
    Ok(())
}

pub async fn set_role(c: &mut AnyConnection, project_id: &str, user_id: &str, role: Role) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE project_members SET role = $1 WHERE project_id = $2 AND user_id = $3")
        .bind(role.as_str())
        .bind(project_id)
        .bind(user_id)
        .execute(c)
        .await?;
    Ok(())
}

pub async fn remove_member(c: &mut AnyConnection, project_id: &str, user_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM project_members WHERE project_id = $1 AND user_id = $2")
        .bind(project_id)
        .bind(user_id)
        .execute(c)
        .await?;
    Ok(())
}

/// Clears `project_id` as `user_id`'s active project, if it is.
pub async fn clear_active_project_of(c: &mut AnyConnection, user_id: &str, project_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET active_project_id = NULL WHERE id = $1 AND active_project_id = $2")
        .bind(user_id)
        .bind(project_id)
        .execute(c)
        .await?;
    Ok(())
}

/// Revokes `user_id`'s keys scoped to `project_id`.
pub async fn revoke_project_keys(c: &mut AnyConnection, user_id: &str, project_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE user_id = $2 AND project_id = $3 AND revoked_at IS NULL")
        .bind(now_ms())
        .bind(user_id)
        .bind(project_id)
        .execute(c)
        .await?;
    Ok(())
}

pub async fn owner_count(c: &mut AnyConnection, project_id: &str) -> Result<i64, sqlx::Error> {
    let r = sqlx::query("SELECT COUNT(*) AS n FROM project_members WHERE project_id = $1 AND role = 'owner'")
        .bind(project_id)
        .fetch_one(c)
        .await?;
    r.try_get("n")
}

// ---- invitations -------------------------------------------------------------------------------

#[derive(sqlx::FromRow)]
pub struct InvitationRow {
    pub id: String,
    pub project_id: String,
    pub email: String,
    #[sqlx(try_from = "super::Stored<Role>")]
    pub role: Role,
    pub invited_by: String,
    pub inviter_name: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub accepted_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

const INV_SELECT: &str = "SELECT i.id, i.project_id, i.email, i.role, i.invited_by, u.name AS inviter_name, \
     i.created_at, i.expires_at, i.accepted_at, i.revoked_at FROM invitations i JOIN users u ON u.id = i.invited_by";

pub async fn insert_invitation(
    c: &mut AnyConnection,
    project_id: &str,
    email: &str,
    role: Role,
    token_hash: &str,
    invited_by: &str,
    expires_at: i64,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO invitations (id, project_id, email, role, token_hash, invited_by, created_at, expires_at, \
         accepted_at, accepted_by, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, NULL, NULL)",
    )
    .bind(&id)
    .bind(project_id)
    .bind(email)
    .bind(role.as_str())
    .bind(token_hash)
    .bind(invited_by)
    .bind(now_ms())
    .bind(expires_at)
    .execute(c)
    .await?;
    Ok(id)
}

pub async fn invitations(c: &mut AnyConnection, project_id: &str) -> Result<Vec<InvitationRow>, sqlx::Error> {
    let sql = format!("{INV_SELECT} WHERE i.project_id = $1 ORDER BY i.created_at DESC, i.id DESC");
    let rows = sqlx::query(&sql).bind(project_id).fetch_all(c).await?;
    typed_all("invitations", "id", rows)
}

pub async fn invitation(c: &mut AnyConnection, project_id: &str, id: &str) -> Result<Option<InvitationRow>, sqlx::Error> {
    let sql = format!("{INV_SELECT} WHERE i.project_id = $1 AND i.id = $2");
    let row = sqlx::query(&sql).bind(project_id).bind(id).fetch_optional(c).await?;
    typed_opt("invitations", "id", row)
}

pub async fn invitation_by_token(c: &mut AnyConnection, token_hash: &str) -> Result<Option<InvitationRow>, sqlx::Error> {
    let sql = format!("{INV_SELECT} WHERE i.token_hash = $1");
    let row = sqlx::query(&sql).bind(token_hash).fetch_optional(c).await?;
    typed_opt("invitations", "id", row)
}

/// Pending invitations for this address on this project are superseded by a new one.
pub async fn revoke_pending_for(c: &mut AnyConnection, project_id: &str, email: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE invitations SET revoked_at = $1 WHERE project_id = $2 AND email = $3 \
         AND accepted_at IS NULL AND revoked_at IS NULL",
    )
    .bind(now_ms())
    .bind(project_id)
    .bind(email)
    .execute(c)
    .await?;
    Ok(())
}

pub async fn revoke_invitation(c: &mut AnyConnection, project_id: &str, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE invitations SET revoked_at = $1 WHERE project_id = $2 AND id = $3 AND revoked_at IS NULL")
        .bind(now_ms())
        .bind(project_id)
        .bind(id)
        .execute(c)
        .await?;
    Ok(())
}

/// Marks a pending, unexpired invitation accepted; false if it was not (a concurrent accept won).
pub async fn accept_invitation(c: &mut AnyConnection, id: &str, user_id: &str) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let r = sqlx::query(
        "UPDATE invitations SET accepted_at = $1, accepted_by = $2 WHERE id = $3 \
         AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $1",
    )
    .bind(now)
    .bind(user_id)
    .bind(id)
    .execute(c)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// A resend gives the invitation a new token and a new 7-day window.
pub async fn renew_invitation(c: &mut AnyConnection, project_id: &str, id: &str, token_hash: &str, expires_at: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE invitations SET token_hash = $1, expires_at = $2 WHERE project_id = $3 AND id = $4")
        .bind(token_hash)
        .bind(expires_at)
        .bind(project_id)
        .bind(id)
        .execute(c)
        .await?;
    Ok(())
}

// ---- API keys ----------------------------------------------------------------------------------

#[derive(sqlx::FromRow)]
pub struct ApiKeyRow {
    pub id: String,
    pub user_id: String,
    pub project_id: Option<String>,
    pub project_name: Option<String>,
    pub name: String,
    pub prefix: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

const KEY_SELECT: &str = "SELECT k.id, k.user_id, k.project_id, p.name AS project_name, k.name, k.prefix, \
     k.created_at, k.last_used_at FROM api_keys k LEFT JOIN projects p ON p.id = k.project_id";

#[allow(clippy::too_many_arguments)]
pub async fn insert_key(
    c: &mut AnyConnection,
    id: &str,
    user_id: &str,
    project_id: Option<&str>,
    name: &str,
    prefix: &str,
    key_hash: &str,
    legacy: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO api_keys (id, user_id, project_id, name, prefix, key_hash, legacy, created_at, last_used_at, revoked_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, NULL)",
    )
    .bind(id)
    .bind(user_id)
    .bind(project_id)
    .bind(name)
    .bind(prefix)
    .bind(key_hash)
    .bind(legacy as i64)
    .bind(now_ms())
    .execute(c)
    .await?;
    Ok(())
}

pub async fn keys_of(c: &mut AnyConnection, user_id: &str) -> Result<Vec<ApiKeyRow>, sqlx::Error> {
    let sql = format!("{KEY_SELECT} WHERE k.user_id = $1 AND k.revoked_at IS NULL ORDER BY k.created_at DESC, k.id DESC");
    let rows = sqlx::query(&sql).bind(user_id).fetch_all(c).await?;
    typed_all("api_keys", "id", rows)
}

/// A live API key with its owner, in one query (every API-key request authenticates with it).
#[derive(sqlx::FromRow)]
pub struct KeyOwner {
    #[sqlx(flatten)]
    pub user: super::users::UserRow,
    pub key_id: String,
    pub key_project_id: Option<String>,
    pub key_last_used_at: Option<i64>,
}

pub async fn key_owner_by_hash(c: &mut AnyConnection, key_hash: &str) -> Result<Option<KeyOwner>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT u.id, u.email, u.name, u.company_name, u.password_hash, u.email_verified_at, u.active_project_id, u.created_at, \
         u.updated_at, k.id AS key_id, k.project_id AS key_project_id, k.last_used_at AS key_last_used_at \
         FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.key_hash = $1 AND k.revoked_at IS NULL",
    )
    .bind(key_hash)
    .fetch_optional(c)
    .await?;
    typed_opt("api_keys", "key_id", row)
}

/// Revokes one of the user's keys; false if there was no such live key.
pub async fn revoke_key(c: &mut AnyConnection, user_id: &str, id: &str) -> Result<bool, sqlx::Error> {
    let r = sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE user_id = $2 AND id = $3 AND revoked_at IS NULL")
        .bind(now_ms())
        .bind(user_id)
        .bind(id)
        .execute(c)
        .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn revoke_legacy_keys(c: &mut AnyConnection, user_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE user_id = $2 AND legacy = 1 AND revoked_at IS NULL")
        .bind(now_ms())
        .bind(user_id)
        .execute(c)
        .await?;
    Ok(())
}

/// Records use at `now` unless the key was last used after `not_before`.
pub async fn touch_key(c: &mut AnyConnection, id: &str, now: i64, not_before: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE api_keys SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)")
        .bind(now)
        .bind(id)
        .bind(not_before)
        .execute(c)
        .await?;
    Ok(())
}

// ---- audit log ---------------------------------------------------------------------------------

pub async fn audit(
    c: &mut AnyConnection,
    project_id: &str,
    actor_kind: &str,
    actor_id: Option<&str>,
    action: AuditAction,
    target: Option<&str>,
    details: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO audit_log (id, project_id, actor_kind, actor_id, action, target, details, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(new_id())
        .bind(project_id)
        .bind(actor_kind)
        .bind(actor_id)
        .bind(action.as_str())
        .bind(target)
        .bind(details)
        .bind(now_ms())
        .execute(c)
        .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
pub struct AuditRow {
    pub id: String,
    #[sqlx(try_from = "super::Stored<ActorKind>")]
    pub actor_kind: ActorKind,
    pub actor_id: Option<String>,
    pub actor_email: Option<String>,
    #[sqlx(try_from = "super::Stored<AuditAction>")]
    pub action: AuditAction,
    pub target: Option<String>,
    pub details: Option<String>,
    pub created_at: i64,
}

/// Newest first, keyset-paginated on (created_at, id).
pub async fn audit_page(c: &mut AnyConnection, project_id: &str, before: Option<(i64, String)>, limit: i64) -> Result<Vec<AuditRow>, sqlx::Error> {
    let (bt, bid) = before.unwrap_or((i64::MAX, String::new()));
    let rows = sqlx::query(
        "SELECT a.id, a.actor_kind, a.actor_id, u.email AS actor_email, a.action, a.target, a.details, a.created_at \
         FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id WHERE a.project_id = $1 \
         AND (a.created_at < $2 OR (a.created_at = $2 AND a.id < $3) OR $3 = '') \
         ORDER BY a.created_at DESC, a.id DESC LIMIT $4",
    )
    .bind(project_id)
    .bind(bt)
    .bind(bid)
    .bind(limit)
    .fetch_all(c)
    .await?;
    typed_all("audit_log", "id", rows)
}

/// Sets or clears a project's active agent (the caller checked that the agent is in the project).
pub async fn set_active_agent(c: &mut AnyConnection, project_id: &str, agent_id: Option<&str>) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE projects SET active_agent_id = $1, updated_at = $2 WHERE id = $3")
        .bind(agent_id)
        .bind(now_ms())
        .bind(project_id)
        .execute(c)
        .await?;
    Ok(())
}

// ---- keyset pages (v1 lists) -------------------------------------------------------------------

/// The user's live projects by (lower(name), id), after `after` = (name, id) of the previous
/// page's last row; `only` restricts to one project (an API key's scope).
pub async fn page_for_user(
    c: &mut AnyConnection,
    user_id: &str,
    only: Option<&str>,
    after: Option<(String, String)>,
    limit: i64,
) -> Result<Vec<(ProjectRow, Role)>, sqlx::Error> {
    let mut b = super::page::Binds::default();
    let mut sql = format!("{PROJECT_SELECT} JOIN project_members m ON m.project_id = p.id AND m.user_id = {} WHERE p.is_deleted = 0", b.text(user_id)).replacen(
        "SELECT p.id",
        "SELECT m.role AS my_role, p.id",
        1,
    );
    if let Some(only) = only {
        sql.push_str(&format!(" AND p.id = {}", b.text(only)));
    }
    if let Some((name, id)) = after {
        let (n, i) = (b.text(name), b.text(id));
        sql.push_str(&format!(" AND (lower(p.name) > lower({n}) OR (lower(p.name) = lower({n}) AND p.id > {i}))"));
    }
    sql.push_str(&format!(" ORDER BY lower(p.name), p.id LIMIT {}", b.int(limit)));
    let rows = b.fetch_all(c, &sql).await?;
    Ok(typed_all::<ProjectWithRole>("projects", "id", rows)?.into_iter().map(|r| (r.project, r.role)).collect())
}

/// Members oldest first by (joined, user id).
pub async fn members_page(c: &mut AnyConnection, project_id: &str, after: Option<(i64, String)>, limit: i64) -> Result<Vec<MemberRow>, sqlx::Error> {
    let mut b = super::page::Binds::default();
    let mut sql = format!(
        "SELECT m.user_id, u.name, u.email, m.role, m.created_at FROM project_members m \
         JOIN users u ON u.id = m.user_id WHERE m.project_id = {}",
        b.text(project_id)
    );
    if let Some((t, id)) = after {
        let (t, i) = (b.int(t), b.text(id));
        sql.push_str(&format!(" AND (m.created_at > {t} OR (m.created_at = {t} AND m.user_id > {i}))"));
    }
    sql.push_str(&format!(" ORDER BY m.created_at, m.user_id LIMIT {}", b.int(limit)));
    let rows = b.fetch_all(c, &sql).await?;
    typed_all("project_members", "user_id", rows)
}

/// Invitations newest first by (created_at, id).
pub async fn invitations_page(c: &mut AnyConnection, project_id: &str, after: Option<(i64, String)>, limit: i64) -> Result<Vec<InvitationRow>, sqlx::Error> {
    let mut b = super::page::Binds::default();
    let mut sql = format!("{INV_SELECT} WHERE i.project_id = {}", b.text(project_id));
    if let Some((t, id)) = after {
        let (t, i) = (b.int(t), b.text(id));
        sql.push_str(&format!(" AND (i.created_at < {t} OR (i.created_at = {t} AND i.id < {i}))"));
    }
    sql.push_str(&format!(" ORDER BY i.created_at DESC, i.id DESC LIMIT {}", b.int(limit)));
    let rows = b.fetch_all(c, &sql).await?;
    typed_all("invitations", "id", rows)
}

/// The user's live keys newest first by (created_at, id).
pub async fn keys_page(c: &mut AnyConnection, user_id: &str, after: Option<(i64, String)>, limit: i64) -> Result<Vec<ApiKeyRow>, sqlx::Error> {
    let mut b = super::page::Binds::default();
    let mut sql = format!("{KEY_SELECT} WHERE k.user_id = {} AND k.revoked_at IS NULL", b.text(user_id));
    if let Some((t, id)) = after {
        let (t, i) = (b.int(t), b.text(id));
        sql.push_str(&format!(" AND (k.created_at < {t} OR (k.created_at = {t} AND k.id < {i}))"));
    }
    sql.push_str(&format!(" ORDER BY k.created_at DESC, k.id DESC LIMIT {}", b.int(limit)));
    let rows = b.fetch_all(c, &sql).await?;
    typed_all("api_keys", "id", rows)
}
