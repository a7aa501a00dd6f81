//! Queries on batches and their rows. Every query filters by project id, except [`project_of`]
//! (which project a batch id belongs to, before access is checked).

use super::bulk::{self, Val};
use super::{typed_all, typed_opt};
use crate::model::{BatchRowState, BatchStatus};
use sqlx::{AnyConnection, Row};

const TABLE: &str = "batches";
const ROWS_TABLE: &str = "batch_rows";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BatchRow {
    pub id: String,
    pub project_id: String,
    pub agent_id: String,
    pub name: String,
    #[sqlx(try_from = "super::Stored<BatchStatus>")]
    pub status: BatchStatus,
    pub file_name: String,
    /// JSON array of phone number ids.
    pub caller_numbers: String,
    pub concurrency: i64,
    /// JSON `{tz, days, ranges}`; NULL: any time.
    pub calling_window: Option<String>,
    /// JSON `{on, max_retries, cooldown_seconds}`.
    pub retry: String,
    pub start_at: Option<i64>,
    pub paused_reason: Option<String>,
    pub total_rows: i64,
    pub valid_rows: i64,
    pub created_by: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
}

const COLUMNS: &str = "id, project_id, agent_id, name, status, file_name, caller_numbers, concurrency, calling_window, retry, start_at, \
     paused_reason, total_rows, valid_rows, created_by, created_at, updated_at, version";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BatchRowRow {
    pub id: String,
    pub batch_id: String,
    pub project_id: String,
    pub row_no: i64,
    pub number: String,
    /// JSON object of text values.
    pub variables: String,
    #[sqlx(try_from = "super::Stored<BatchRowState>")]
    pub state: BatchRowState,
    /// JSON array of `{code, message}`.
    pub problems: String,
    pub attempts: i64,
    pub next_attempt_at: Option<i64>,
    pub last_call_id: Option<String>,
    pub outcome: Option<String>,
    pub updated_at: i64,
}

const ROW_COLUMNS: &str = "id, batch_id, project_id, row_no, number, variables, state, problems, attempts, next_attempt_at, last_call_id, outcome, updated_at";

pub async fn insert(c: &mut AnyConnection, b: &BatchRow) -> Result<(), sqlx::Error> {
    let sql = format!("INSERT INTO batches ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)");
    sqlx::query(&sql)
        .bind(&b.id)
        .bind(&b.project_id)
        .bind(&b.agent_id)
        .bind(&b.name)
        .bind(b.status.as_str())
        .bind(&b.file_name)
        .bind(&b.caller_numbers)
        .bind(b.concurrency)
        .bind(&b.calling_window)
        .bind(&b.retry)
        .bind(b.start_at)
        .bind(&b.paused_reason)
        .bind(b.total_rows)
        .bind(b.valid_rows)
        .bind(&b.created_by)
        .bind(b.created_at)
        .bind(b.updated_at)
        .bind(b.version)
        .execute(c)
        .await?;
    Ok(())
}

/// A new row of a batch, as [`insert_rows`] stores it (no attempts yet).
pub struct NewRow {
    pub id: String,
    pub row_no: i64,
    pub number: String,
    pub variables: String,
    pub state: BatchRowState,
    pub problems: String,
}

/// Stores a batch's rows with multi-row `INSERT`s (see `db::bulk`).
pub async fn insert_rows(c: &mut AnyConnection, project_id: &str, batch_id: &str, now: i64, rows: Vec<NewRow>) -> Result<(), sqlx::Error> {
    let columns = [
        ("id", "?"),
        ("batch_id", "?"),
        ("project_id", "?"),
        ("row_no", "?"),
        ("number", "?"),
        ("variables", "?"),
        ("state", "?"),
        ("problems", "?"),
        ("updated_at", "?"),
    ];
    let values = rows
        .into_iter()
        .map(|r| {
            vec![
                Val::from(r.id),
                Val::from(batch_id),
                Val::from(project_id),
                Val::from(r.row_no),
                Val::from(r.number),
                Val::from(r.variables),
                Val::from(r.state.as_str()),
                Val::from(r.problems),
                Val::from(now),
            ]
        })
        .collect();
    bulk::insert(c, "batch_rows", &columns, values).await
}

/// The project a batch id belongs to (live projects only).
pub async fn project_of(c: &mut AnyConnection, id: &str) -> Result<Option<String>, sqlx::Error> {
    let row = sqlx::query("SELECT b.project_id FROM batches b JOIN projects p ON p.id = b.project_id WHERE b.id = $1 AND p.is_deleted = 0")
        .bind(id)
        .fetch_optional(c)
        .await?;
    row.map(|r| r.try_get("project_id")).transpose()
}

pub async fn find(c: &mut AnyConnection, project_id: &str, id: &str) -> Result<Option<BatchRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM batches WHERE project_id = $1 AND id = $2");
    let row = sqlx::query(&sql).bind(project_id).bind(id).fetch_optional(c).await?;
    typed_opt(TABLE, "id", row)
}

/// One keyset page of a project's batches, newest first; `before` is the previous page's last
/// `(created_at, id)`.
pub async fn page(c: &mut AnyConnection, project_id: &str, before: Option<(i64, String)>, limit: i64) -> Result<Vec<BatchRow>, sqlx::Error> {
    let rows = match before {
        None => {
            let sql = format!("SELECT {COLUMNS} FROM batches WHERE project_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2");
            sqlx::query(&sql).bind(project_id).bind(limit).fetch_all(c).await?
        }
        Some((at, id)) => {
            let sql = format!(
                "SELECT {COLUMNS} FROM batches WHERE project_id = $1 AND (created_at < $2 OR (created_at = $2 AND id < $3)) \
                 ORDER BY created_at DESC, id DESC LIMIT $4"
            );
            sqlx::query(&sql).bind(project_id).bind(at).bind(id).bind(limit).fetch_all(c).await?
        }
    };
    typed_all(TABLE, "id", rows)
}

/// One keyset page of a batch's rows in file order, after row number `after`, optionally only
/// those in `state`.
pub async fn rows_page(
    c: &mut AnyConnection,
    project_id: &str,
    batch_id: &str,
    state: Option<BatchRowState>,
    after: Option<i64>,
    limit: i64,
) -> Result<Vec<BatchRowRow>, sqlx::Error> {
    let mut b = super::page::Binds::default();
    let mut sql = format!("SELECT {ROW_COLUMNS} FROM batch_rows WHERE batch_id = {} AND project_id = {}", b.text(batch_id), b.text(project_id));
    if let Some(s) = state {
        sql.push_str(&format!(" AND state = {}", b.text(s.as_str())));
    }
    if let Some(a) = after {
        sql.push_str(&format!(" AND row_no > {}", b.int(a)));
    }
    sql.push_str(&format!(" ORDER BY row_no LIMIT {}", b.int(limit)));
    let rows = b.fetch_all(c, &sql).await?;
    typed_all(ROWS_TABLE, "id", rows)
}

/// How many rows of a batch are stored (all states).
pub async fn row_count(c: &mut AnyConnection, project_id: &str, batch_id: &str) -> Result<i64, sqlx::Error> {
    let r = sqlx::query("SELECT COUNT(*) AS n FROM batch_rows WHERE project_id = $1 AND batch_id = $2")
        .bind(project_id)
        .bind(batch_id)
        .fetch_one(c)
        .await?;
    r.try_get("n")
}

/// How many rows of each state the given batches have, by batch id (batches without rows are
/// absent). A stored state that does not parse is a corrupt row: an error.
pub async fn progress(c: &mut AnyConnection, project_id: &str, batch_ids: &[&str]) -> Result<Vec<(String, BatchRowState, i64)>, sqlx::Error> {
    if batch_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut b = super::page::Binds::default();
    let ids: Vec<String> = batch_ids.iter().map(|id| b.text(*id)).collect();
    let sql = format!(
        "SELECT batch_id, state, COUNT(*) AS n FROM batch_rows WHERE project_id = {} AND batch_id IN ({}) GROUP BY batch_id, state",
        b.text(project_id),
        ids.join(", ")
    );
    let rows = b.fetch_all(c, &sql).await?;
    rows.iter()
        .map(|r| {
            let state: String = r.try_get("state")?;
            let parsed = BatchRowState::parse(&state).ok_or_else(|| sqlx::Error::ColumnDecode {
                index: "state".into(),
                source: format!("batch_rows.state holds {state:?}, not a batch row state").into(),
            })?;
            Ok((r.try_get("batch_id")?, parsed, r.try_get("n")?))
        })
        .collect()
}
