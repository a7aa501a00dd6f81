//! Per-project integration settings: a public JSON part and a sealed secret (see
//! `auth::sealed`). Filtered by project id.

use super::{now_ms, typed_opt};
use sqlx::AnyConnection;

#[derive(sqlx::FromRow)]
pub struct IntegrationRow {
    pub public_config: String,
    pub secret_sealed: String,
    pub updated_at: i64,
}

pub async fn get(c: &mut AnyConnection, project_id: &str, kind: &str) -> Result<Option<IntegrationRow>, sqlx::Error> {
    // The row's key is (project_id, kind); the project id names it in a decode error.
    let row = sqlx::query("SELECT project_id, public_config, secret_sealed, updated_at FROM integrations WHERE project_id = $1 AND kind = $2")
        .bind(project_id)
        .bind(kind)
        .fetch_optional(c)
        .await?;
    typed_opt("integrations", "project_id", row)
}

pub async fn put(c: &mut AnyConnection, project_id: &str, kind: &str, public_config: &str, secret_sealed: &str) -> Result<(), sqlx::Error> {
    let now = now_ms();
    sqlx::query(
        "INSERT INTO integrations (project_id, kind, public_config, secret_sealed, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (project_id, kind) \
         DO UPDATE SET public_config = $3, secret_sealed = $4, updated_at = $5",
    )
    .bind(project_id)
    .bind(kind)
    .bind(public_config)
    .bind(secret_sealed)
    .bind(now)
    .execute(c)
    .await?;
    Ok(())
}

pub async fn delete(c: &mut AnyConnection, project_id: &str, kind: &str) -> Result<bool, sqlx::Error> {
    let r = sqlx::query("DELETE FROM integrations WHERE project_id = $1 AND kind = $2").bind(project_id).bind(kind).execute(c).await?;
    Ok(r.rows_affected() > 0)
}
