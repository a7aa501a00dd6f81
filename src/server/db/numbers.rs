//! Queries on phone numbers. Every query filters by project id, except [`project_of`] (which
//! project an id belongs to, before access is checked) and [`find_by_e164`] (a number may be in
//! one project only, across all projects).

use super::{now_ms, typed_all, typed_opt};
use crate::model::{NumberProvider, NumberStatus};
use sqlx::{AnyConnection, Row};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NumberRow {
    pub id: String,
    pub project_id: String,
    pub e164: String,
    pub country_code: Option<String>,
    pub national_format: String,
    pub international_format: String,
    #[sqlx(try_from = "super::Stored<NumberProvider>")]
    pub provider: NumberProvider,
    #[sqlx(try_from = "super::Stored<NumberStatus>")]
    pub status: NumberStatus,
    pub label: String,
    pub twilio_sid: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str = "id, project_id, e164, country_code, national_format, international_format, provider, status, label, \
     twilio_sid, created_at, updated_at";

const TABLE: &str = "phone_numbers";

pub async fn project_of(c: &mut AnyConnection, id: &str) -> Result<Option<String>, sqlx::Error> {
    let row = sqlx::query("SELECT n.project_id FROM phone_numbers n JOIN projects p ON p.id = n.project_id WHERE n.id = $1 AND p.is_deleted = 0")
        .bind(id)
        .fetch_optional(c)
        .await?;
    row.map(|r| r.try_get("project_id")).transpose()
}

pub async fn find(c: &mut AnyConnection, project_id: &str, id: &str) -> Result<Option<NumberRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM phone_numbers WHERE project_id = $1 AND id = $2");
    let row = sqlx::query(&sql).bind(project_id).bind(id).fetch_optional(c).await?;
    typed_opt(TABLE, "id", row)
}

/// The number with this E.164 in any project.
pub async fn find_by_e164(c: &mut AnyConnection, e164: &str) -> Result<Option<NumberRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM phone_numbers WHERE e164 = $1");
    let row = sqlx::query(&sql).bind(e164).fetch_optional(c).await?;
    typed_opt(TABLE, "id", row)
}

pub async fn list(c: &mut AnyConnection, project_id: &str) -> Result<Vec<NumberRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM phone_numbers WHERE project_id = $1 ORDER BY created_at, id");
    let rows = sqlx::query(&sql).bind(project_id).fetch_all(c).await?;
    typed_all(TABLE, "id", rows)
}

pub async fn insert(c: &mut AnyConnection, n: &NumberRow) -> Result<(), sqlx::Error> {
    let sql = format!("INSERT INTO phone_numbers ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)");
    sqlx::query(&sql)
        .bind(&n.id)
        .bind(&n.project_id)
        .bind(&n.e164)
        .bind(&n.country_code)
        .bind(&n.national_format)
        .bind(&n.international_format)
        .bind(n.provider.as_str())
        .bind(n.status.as_str())
        .bind(&n.label)
        .bind(&n.twilio_sid)
        .bind(n.created_at)
        .bind(n.updated_at)
        .execute(c)
        .await?;
    Ok(())
}

pub async fn set_label(c: &mut AnyConnection, project_id: &str, id: &str, label: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE phone_numbers SET label = $1, updated_at = $2 WHERE project_id = $3 AND id = $4")
        .bind(label)
        .bind(now_ms())
        .bind(project_id)
        .bind(id)
        .execute(c)
        .await?;
    Ok(())
}

/// Records that the number is a Twilio number with this SID.
pub async fn set_twilio(c: &mut AnyConnection, project_id: &str, id: &str, sid: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE phone_numbers SET provider = 'twilio', twilio_sid = $1, updated_at = $2 WHERE project_id = $3 AND id = $4")
        .bind(sid)
        .bind(now_ms())
        .bind(project_id)
        .bind(id)
        .execute(c)
        .await?;
    Ok(())
}

/// Removes a number from its project; its agent links go with it.
pub async fn delete(c: &mut AnyConnection, project_id: &str, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM agent_numbers WHERE project_id = $1 AND phone_number_id = $2")
        .bind(project_id)
        .bind(id)
        .execute(&mut *c)
        .await?;
    sqlx::query("DELETE FROM phone_numbers WHERE project_id = $1 AND id = $2").bind(project_id).bind(id).execute(c).await?;
    Ok(())
}

pub async fn count(c: &mut AnyConnection, project_id: &str) -> Result<i64, sqlx::Error> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM phone_numbers WHERE project_id = $1").bind(project_id).fetch_one(c).await?;
    row.try_get("n")
}

pub async fn delete_all(c: &mut AnyConnection, project_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM agent_numbers WHERE project_id = $1").bind(project_id).execute(&mut *c).await?;
    sqlx::query("DELETE FROM phone_numbers WHERE project_id = $1").bind(project_id).execute(c).await?;
    Ok(())
}

/// A project's numbers oldest first by (created_at, id), after the previous page's last row.
pub async fn page(c: &mut AnyConnection, project_id: &str, after: Option<(i64, String)>, limit: i64) -> Result<Vec<NumberRow>, sqlx::Error> {
    let mut b = super::page::Binds::default();
    let mut sql = format!("SELECT {COLUMNS} FROM phone_numbers WHERE project_id = {}", b.text(project_id));
    if let Some((t, id)) = after {
        let (t, i) = (b.int(t), b.text(id));
        sql.push_str(&format!(" AND (created_at > {t} OR (created_at = {t} AND id > {i}))"));
    }
    sql.push_str(&format!(" ORDER BY created_at, id LIMIT {}", b.int(limit)));
    let rows = b.fetch_all(c, &sql).await?;
    typed_all(TABLE, "id", rows)
}
