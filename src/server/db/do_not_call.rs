//! Queries on a project's do-not-call list. Every query filters by project id.

use super::{typed_all, typed_opt};
use sqlx::{AnyConnection, Row};
use std::collections::HashSet;

const TABLE: &str = "do_not_call";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DncRow {
    pub id: String,
    pub project_id: String,
    pub number: String,
    pub note: String,
    pub created_by: Option<String>,
    pub created_at: i64,
}

const COLUMNS: &str = "id, project_id, number, note, created_by, created_at";

/// Inserts an entry unless the project lists the number already; `true` when it was inserted.
/// `ON CONFLICT DO NOTHING` on the unique `(project_id, number)` index decides between
/// concurrent adds: the loser inserts nothing and gets `false`, never an error.
pub async fn insert_new(c: &mut AnyConnection, r: &DncRow) -> Result<bool, sqlx::Error> {
    let res = sqlx::query(
        "INSERT INTO do_not_call (id, project_id, number, note, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (project_id, number) DO NOTHING",
    )
    .bind(&r.id)
    .bind(&r.project_id)
    .bind(&r.number)
    .bind(&r.note)
    .bind(&r.created_by)
    .bind(r.created_at)
    .execute(c)
    .await?;
    Ok(res.rows_affected() == 1)
}

pub async fn find(c: &mut AnyConnection, project_id: &str, id: &str) -> Result<Option<DncRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM do_not_call WHERE project_id = $1 AND id = $2");
    let row = sqlx::query(&sql).bind(project_id).bind(id).fetch_optional(c).await?;
    typed_opt(TABLE, "id", row)
}

pub async fn find_number(c: &mut AnyConnection, project_id: &str, number: &str) -> Result<Option<DncRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM do_not_call WHERE project_id = $1 AND number = $2");
    let row = sqlx::query(&sql).bind(project_id).bind(number).fetch_optional(c).await?;
    typed_opt(TABLE, "id", row)
}

/// Deletes an entry; `false` when the project has no entry with this id.
pub async fn delete(c: &mut AnyConnection, project_id: &str, id: &str) -> Result<bool, sqlx::Error> {
    let res = sqlx::query("DELETE FROM do_not_call WHERE project_id = $1 AND id = $2").bind(project_id).bind(id).execute(c).await?;
    Ok(res.rows_affected() == 1)
}

/// One keyset page, newest first; `before` is the previous page's last `(created_at, id)`.
pub async fn page(c: &mut AnyConnection, project_id: &str, before: Option<(i64, String)>, limit: i64) -> Result<Vec<DncRow>, sqlx::Error> {
    let rows = match before {
        None => {
            let sql = format!("SELECT {COLUMNS} FROM do_not_call WHERE project_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2");
            sqlx::query(&sql).bind(project_id).bind(limit).fetch_all(c).await?
        }
        Some((at, id)) => {
            let sql = format!(
                "SELECT {COLUMNS} FROM do_not_call WHERE project_id = $1 AND (created_at < $2 OR (created_at = $2 AND id < $3)) \
                 ORDER BY created_at DESC, id DESC LIMIT $4"
            );
            sqlx::query(&sql).bind(project_id).bind(at).bind(id).bind(limit).fetch_all(c).await?
        }
    };
    typed_all(TABLE, "id", rows)
}

/// Every listed number of the project (E.164), for validating an upload against.
pub async fn numbers(c: &mut AnyConnection, project_id: &str) -> Result<HashSet<String>, sqlx::Error> {
    let rows = sqlx::query("SELECT number FROM do_not_call WHERE project_id = $1").bind(project_id).fetch_all(c).await?;
    rows.iter().map(|r| r.try_get::<String, _>("number")).collect()
}

/// The project an entry id belongs to (live projects only), before access is checked.
pub async fn project_of(c: &mut AnyConnection, id: &str) -> Result<Option<String>, sqlx::Error> {
    let row = sqlx::query("SELECT d.project_id FROM do_not_call d JOIN projects p ON p.id = d.project_id WHERE d.id = $1 AND p.is_deleted = 0")
        .bind(id)
        .fetch_optional(c)
        .await?;
    row.map(|r| r.try_get("project_id")).transpose()
}

/// Which of `numbers` (E.164) are on the project's list now.
pub async fn listed_among(c: &mut AnyConnection, project_id: &str, numbers: &[&str]) -> Result<HashSet<String>, sqlx::Error> {
    if numbers.is_empty() {
        return Ok(HashSet::new());
    }
    let mut b = super::page::Binds::default();
    let list: Vec<String> = numbers.iter().map(|n| b.text(*n)).collect();
    let sql = format!("SELECT number FROM do_not_call WHERE project_id = {} AND number IN ({})", b.text(project_id), list.join(", "));
    let rows = b.fetch_all(c, &sql).await?;
    rows.iter().map(|r| r.try_get::<String, _>("number")).collect()
}
