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
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    /// Calls that ended before this time do not count toward the circuit breaker.
    pub breaker_since: Option<i64>,
}

const COLUMNS: &str = "id, project_id, agent_id, name, status, file_name, caller_numbers, concurrency, calling_window, retry, start_at, \
     paused_reason, total_rows, valid_rows, created_by, created_at, updated_at, version, started_at, finished_at, breaker_since";

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
    let sql = format!("INSERT INTO batches ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)");
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
        .bind(b.started_at)
        .bind(b.finished_at)
        .bind(b.breaker_since)
        .execute(c)
        .await?;
    Ok(())
}

/// Takes the batch's row lock until the transaction ends and returns the batch: the dispatcher
/// and every status change of one batch run one at a time, across processes too (SQLite's write
/// transaction already serialises them).
pub async fn lock(c: &mut AnyConnection, project_id: &str, id: &str) -> Result<Option<BatchRow>, sqlx::Error> {
    let sql = format!("UPDATE batches SET version = version WHERE project_id = $1 AND id = $2 RETURNING {COLUMNS}");
    let row = sqlx::query(&sql).bind(project_id).bind(id).fetch_optional(c).await?;
    typed_opt(TABLE, "id", row)
}

/// Writes every changeable column of `b` if the batch is still at `expected_version`, and bumps
/// the version; `false` when another writer changed it first.
pub async fn update(c: &mut AnyConnection, b: &BatchRow, expected_version: i64) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "UPDATE batches SET name = $1, status = $2, caller_numbers = $3, concurrency = $4, calling_window = $5, retry = $6, start_at = $7, \
         paused_reason = $8, updated_at = $9, started_at = $10, finished_at = $11, breaker_since = $12, version = version + 1 \
         WHERE project_id = $13 AND id = $14 AND version = $15",
    )
    .bind(&b.name)
    .bind(b.status.as_str())
    .bind(&b.caller_numbers)
    .bind(b.concurrency)
    .bind(&b.calling_window)
    .bind(&b.retry)
    .bind(b.start_at)
    .bind(&b.paused_reason)
    .bind(b.updated_at)
    .bind(b.started_at)
    .bind(b.finished_at)
    .bind(b.breaker_since)
    .bind(&b.project_id)
    .bind(&b.id)
    .bind(expected_version)
    .execute(c)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// How many of a batch's rows are in `state`.
pub async fn count_state(c: &mut AnyConnection, project_id: &str, batch_id: &str, state: BatchRowState) -> Result<i64, sqlx::Error> {
    let r = sqlx::query("SELECT COUNT(*) AS n FROM batch_rows WHERE batch_id = $1 AND state = $2 AND project_id = $3")
        .bind(batch_id)
        .bind(state.as_str())
        .bind(project_id)
        .fetch_one(c)
        .await?;
    r.try_get("n")
}

/// A batch's waiting rows that are due at `now`, in file order.
pub async fn due_rows(c: &mut AnyConnection, project_id: &str, batch_id: &str, now: i64, limit: i64) -> Result<Vec<BatchRowRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {ROW_COLUMNS} FROM batch_rows WHERE batch_id = $1 AND state = 'waiting' AND (next_attempt_at IS NULL OR next_attempt_at <= $2) \
         AND project_id = $3 ORDER BY row_no LIMIT $4"
    );
    let rows = sqlx::query(&sql).bind(batch_id).bind(now).bind(project_id).bind(limit).fetch_all(c).await?;
    typed_all(ROWS_TABLE, "id", rows)
}

/// When the next waiting row of a batch that waits for a retry falls due.
pub async fn next_due(c: &mut AnyConnection, project_id: &str, batch_id: &str) -> Result<Option<i64>, sqlx::Error> {
    let r = sqlx::query("SELECT MIN(next_attempt_at) AS t FROM batch_rows WHERE batch_id = $1 AND state = 'waiting' AND project_id = $2")
        .bind(batch_id)
        .bind(project_id)
        .fetch_one(c)
        .await?;
    r.try_get("t")
}

pub async fn find_row(c: &mut AnyConnection, project_id: &str, id: &str) -> Result<Option<BatchRowRow>, sqlx::Error> {
    let sql = format!("SELECT {ROW_COLUMNS} FROM batch_rows WHERE project_id = $1 AND id = $2");
    let row = sqlx::query(&sql).bind(project_id).bind(id).fetch_optional(c).await?;
    typed_opt(ROWS_TABLE, "id", row)
}

/// Writes a row's run state if it is still in `expected_state` after `expected_attempts`
/// attempts; `false` when another writer moved it first.
pub async fn update_row(c: &mut AnyConnection, r: &BatchRowRow, expected_state: BatchRowState, expected_attempts: i64) -> Result<bool, sqlx::Error> {
    let res = sqlx::query(
        "UPDATE batch_rows SET state = $1, attempts = $2, next_attempt_at = $3, last_call_id = $4, outcome = $5, problems = $6, updated_at = $7 \
         WHERE project_id = $8 AND id = $9 AND state = $10 AND attempts = $11",
    )
    .bind(r.state.as_str())
    .bind(r.attempts)
    .bind(r.next_attempt_at)
    .bind(&r.last_call_id)
    .bind(&r.outcome)
    .bind(&r.problems)
    .bind(r.updated_at)
    .bind(&r.project_id)
    .bind(&r.id)
    .bind(expected_state.as_str())
    .bind(expected_attempts)
    .execute(c)
    .await?;
    Ok(res.rows_affected() == 1)
}

/// Ends a batch's waiting rows as `canceled`; returns how many.
pub async fn cancel_waiting(c: &mut AnyConnection, project_id: &str, batch_id: &str, now: i64) -> Result<u64, sqlx::Error> {
    let r = sqlx::query(
        "UPDATE batch_rows SET state = 'canceled', outcome = 'canceled', next_attempt_at = NULL, updated_at = $1 \
         WHERE batch_id = $2 AND state = 'waiting' AND project_id = $3",
    )
    .bind(now)
    .bind(batch_id)
    .bind(project_id)
    .execute(c)
    .await?;
    Ok(r.rows_affected())
}

/// Batches of the project targeting `agent_id` that may still place calls (scheduled, running
/// or paused).
pub async fn active_for_agent(c: &mut AnyConnection, project_id: &str, agent_id: &str) -> Result<Vec<String>, sqlx::Error> {
    let rows = sqlx::query("SELECT name FROM batches WHERE project_id = $1 AND agent_id = $2 AND status IN ('scheduled', 'running', 'paused') ORDER BY created_at")
        .bind(project_id)
        .bind(agent_id)
        .fetch_all(c)
        .await?;
    rows.iter().map(|r| r.try_get("name")).collect()
}

/// The status and end reason of a batch's latest calls that ended at or after `since`, newest first.
pub async fn recent_endings(c: &mut AnyConnection, project_id: &str, batch_id: &str, since: i64, limit: i64) -> Result<Vec<(String, Option<String>)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT status, end_reason FROM calls WHERE batch_id = $1 AND ended_at IS NOT NULL AND ended_at >= $2 AND project_id = $3 \
         ORDER BY ended_at DESC LIMIT $4",
    )
    .bind(batch_id)
    .bind(since)
    .bind(project_id)
    .bind(limit)
    .fetch_all(c)
    .await?;
    rows.iter().map(|r| Ok((r.try_get("status")?, r.try_get("end_reason")?))).collect()
}

/// The ids of a batch's calls that have not started yet.
pub async fn queued_calls(c: &mut AnyConnection, project_id: &str, batch_id: &str) -> Result<Vec<String>, sqlx::Error> {
    let rows = sqlx::query("SELECT id FROM calls WHERE batch_id = $1 AND status = 'queued' AND project_id = $2")
        .bind(batch_id)
        .bind(project_id)
        .fetch_all(c)
        .await?;
    rows.iter().map(|r| r.try_get("id")).collect()
}

/// One line of a batch's export: the row and its last call's duration and latest analysis.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ExportLine {
    pub id: String,
    pub row_no: i64,
    pub number: String,
    pub state: String,
    pub outcome: Option<String>,
    pub attempts: i64,
    pub last_call_id: Option<String>,
    pub variables: String,
    pub duration_ms: Option<i64>,
    pub ended_at: Option<i64>,
    /// JSON of the latest analysis version.
    pub analysis: Option<String>,
}

/// One keyset page of export lines in file order, after row number `after`.
pub async fn export_page(c: &mut AnyConnection, project_id: &str, batch_id: &str, after: i64, limit: i64) -> Result<Vec<ExportLine>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT r.id, r.row_no, r.number, r.state, r.outcome, r.attempts, r.last_call_id, r.variables, c.duration_ms, c.ended_at, a.result AS analysis \
         FROM batch_rows r \
         LEFT JOIN calls c ON c.project_id = r.project_id AND c.id = r.last_call_id \
         LEFT JOIN call_analyses a ON a.project_id = r.project_id AND a.call_id = r.last_call_id \
           AND a.version = (SELECT MAX(x.version) FROM call_analyses x WHERE x.project_id = r.project_id AND x.call_id = r.last_call_id) \
         WHERE r.batch_id = $1 AND r.project_id = $2 AND r.row_no > $3 ORDER BY r.row_no LIMIT $4",
    )
    .bind(batch_id)
    .bind(project_id)
    .bind(after)
    .bind(limit)
    .fetch_all(c)
    .await?;
    typed_all(ROWS_TABLE, "id", rows)
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
            let parsed = BatchRowState::parse(&state)
                .ok_or_else(|| sqlx::Error::ColumnDecode { index: "state".into(), source: format!("batch_rows.state holds {state:?}, not a batch row state").into() })?;
            Ok((r.try_get("batch_id")?, parsed, r.try_get("n")?))
        })
        .collect()
}
