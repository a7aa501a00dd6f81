//! Per-project integration settings: a public JSON part and a sealed secret (see
//! `auth::sealed`). Filtered by project id.

use super::now_ms;
use sqlx::{AnyConnection, Row};

pub struct IntegrationRow {
    pub public_config: String,
    pub secret_sealed: String,
    pub updated_at: i64,
}

pub async fn get(c: &mut AnyConnection, project_id: &str, kind: &str) -> Result<Option<IntegrationRow>, sqlx::Error> {
    let row = sqlx::query("SELECT public_config, secret_sealed, updated_at FROM integrations WHERE project_id = $1 AND kind = $2")
        .bind(project_id)
        .bind(kind)
        .fetch_optional(c)
        .await?;
    row.map(|r| {
        Ok(IntegrationRow {
            public_config: r.try_get("public_config")?,
            secret_sealed: r.try_get("secret_sealed")?,
            updated_at: r.try_get("updated_at")?,
        })
    })
    .transpose()
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
    let r = sqlx::query("DELETE FROM integrations WHERE project_id = $1 AND kind = $2")
        .bind(project_id)
        .bind(kind)
        .execute(c)
        .await?;
    Ok(r.rows_affected() > 0)
}
