//! Queries on the HubSpot call mapping and the sync log. Every query filters by project id.

use super::typed_all;
use sqlx::AnyConnection;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LoggedCall {
    pub hubspot_call_id: String,
    pub contact_id: Option<String>,
}

/// The HubSpot call (and contact) logging a Talkdeck call; an empty `hubspot_call_id` is a
/// claim: another sync is creating it.
pub async fn logged_call(c: &mut AnyConnection, project_id: &str, call_id: &str) -> Result<Option<LoggedCall>, sqlx::Error> {
    let row = sqlx::query("SELECT call_id, hubspot_call_id, contact_id FROM hubspot_calls WHERE project_id = $1 AND call_id = $2")
        .bind(project_id)
        .bind(call_id)
        .fetch_optional(c)
        .await?;
    super::typed_opt("hubspot_calls", "call_id", row)
}

/// A claim older than this is taken over (its job died while creating the HubSpot call).
pub const CLAIM_TIMEOUT_MS: i64 = 2 * 60 * 1000;

/// Claims the right to create the HubSpot call for `call_id`: a placeholder row (empty
/// `hubspot_call_id`) that concurrent syncs of the same call see and wait for. `true` when this
/// caller holds it (new, or taken over after [`CLAIM_TIMEOUT_MS`]).
pub async fn claim_creation(c: &mut AnyConnection, project_id: &str, call_id: &str, now: i64) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "INSERT INTO hubspot_calls (project_id, call_id, hubspot_call_id, contact_id, created_at, updated_at) VALUES ($1, $2, '', NULL, $3, $3) \
         ON CONFLICT (project_id, call_id) DO NOTHING",
    )
    .bind(project_id)
    .bind(call_id)
    .bind(now)
    .execute(&mut *c)
    .await?;
    if r.rows_affected() == 1 {
        return Ok(true);
    }
    let r = sqlx::query("UPDATE hubspot_calls SET updated_at = $1 WHERE project_id = $2 AND call_id = $3 AND hubspot_call_id = '' AND updated_at < $4")
        .bind(now)
        .bind(project_id)
        .bind(call_id)
        .bind(now - CLAIM_TIMEOUT_MS)
        .execute(c)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Records the HubSpot call (and contact) created under a claim.
pub async fn set_created(c: &mut AnyConnection, project_id: &str, call_id: &str, hubspot_call_id: &str, contact_id: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE hubspot_calls SET hubspot_call_id = $1, contact_id = $2, updated_at = $3 WHERE project_id = $4 AND call_id = $5")
        .bind(hubspot_call_id)
        .bind(contact_id)
        .bind(now)
        .bind(project_id)
        .bind(call_id)
        .execute(c)
        .await?;
    Ok(())
}

/// Gives a claim up (creating the HubSpot call failed, or there is no contact): the row stays
/// with the contact found so far and can be claimed again at once.
pub async fn release_claim(c: &mut AnyConnection, project_id: &str, call_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE hubspot_calls SET updated_at = 0 WHERE project_id = $1 AND call_id = $2 AND hubspot_call_id = ''")
        .bind(project_id)
        .bind(call_id)
        .execute(c)
        .await?;
    Ok(())
}

/// The contact found or created under a claim.
pub async fn set_contact(c: &mut AnyConnection, project_id: &str, call_id: &str, contact_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE hubspot_calls SET contact_id = $1 WHERE project_id = $2 AND call_id = $3 AND hubspot_call_id = ''")
        .bind(contact_id)
        .bind(project_id)
        .bind(call_id)
        .execute(c)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SyncRow {
    pub id: String,
    pub project_id: String,
    pub call_id: String,
    pub event: String,
    pub attempt: i64,
    pub outcome: String,
    pub message: String,
    pub status_code: Option<i64>,
    pub hubspot_call_id: Option<String>,
    pub contact_id: Option<String>,
    pub created_at: i64,
}

const COLS: &str = "id, project_id, call_id, event, attempt, outcome, message, status_code, hubspot_call_id, contact_id, created_at";

pub async fn insert_log(c: &mut AnyConnection, r: &SyncRow) -> Result<(), sqlx::Error> {
    sqlx::query(&format!("INSERT INTO hubspot_sync_log ({COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"))
        .bind(&r.id)
        .bind(&r.project_id)
        .bind(&r.call_id)
        .bind(&r.event)
        .bind(r.attempt)
        .bind(&r.outcome)
        .bind(&r.message)
        .bind(r.status_code)
        .bind(&r.hubspot_call_id)
        .bind(&r.contact_id)
        .bind(r.created_at)
        .execute(c)
        .await?;
    Ok(())
}

pub async fn find_log(c: &mut AnyConnection, project_id: &str, id: &str) -> Result<Option<SyncRow>, sqlx::Error> {
    let row = sqlx::query(&format!("SELECT {COLS} FROM hubspot_sync_log WHERE project_id = $1 AND id = $2"))
        .bind(project_id)
        .bind(id)
        .fetch_optional(c)
        .await?;
    super::typed_opt("hubspot_sync_log", "id", row)
}

/// One keyset page of the project's sync log, newest first.
pub async fn log_page(c: &mut AnyConnection, project_id: &str, before: Option<(i64, String)>, limit: i64) -> Result<Vec<SyncRow>, sqlx::Error> {
    let rows = match before {
        None => {
            sqlx::query(&format!("SELECT {COLS} FROM hubspot_sync_log WHERE project_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2"))
                .bind(project_id)
                .bind(limit)
                .fetch_all(c)
                .await?
        }
        Some((at, id)) => {
            sqlx::query(&format!(
            "SELECT {COLS} FROM hubspot_sync_log WHERE project_id = $1 AND (created_at < $2 OR (created_at = $2 AND id < $3)) ORDER BY created_at DESC, id DESC LIMIT $4"
        ))
            .bind(project_id)
            .bind(at)
            .bind(id)
            .bind(limit)
            .fetch_all(c)
            .await?
        }
    };
    typed_all("hubspot_sync_log", "id", rows)
}

/// Deletes sync log entries created before `before`; returns how many.
pub async fn prune_log(c: &mut AnyConnection, before: i64) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query("DELETE FROM hubspot_sync_log WHERE created_at < $1").bind(before).execute(c).await?.rows_affected())
}
