//! Queries on calls, their events, analyses and placement idempotency keys. Every query filters by
//! project id, except [`project_of`] (which project a call id belongs to, before access is checked).
//! A call's state changes through [`update_state`], which writes only if the call is still in the
//! status and at the script step the caller read: concurrent writers cannot both win.

use super::{typed_all, typed_opt, Flag};
use crate::model::{AnsweredBy, CallStatus, Direction, EndReason, SpeaksFirst};
use sqlx::{AnyConnection, Row};

const TABLE: &str = "calls";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CallRow {
    pub id: String,
    pub project_id: String,
    pub agent_id: Option<String>,
    pub agent_name: String,
    pub agent_version: i64,
    #[sqlx(try_from = "super::Stored<Direction>")]
    pub direction: Direction,
    pub from_number: String,
    pub to_number: String,
    #[sqlx(try_from = "super::Stored<CallStatus>")]
    pub status: CallStatus,
    #[sqlx(try_from = "super::StoredOpt<EndReason>")]
    pub end_reason: Option<EndReason>,
    #[sqlx(try_from = "super::StoredOpt<AnsweredBy>")]
    pub answered_by: Option<AnsweredBy>,
    pub provider: String,
    pub provider_call_id: Option<String>,
    #[sqlx(try_from = "Flag")]
    pub is_test: bool,
    pub prompt: String,
    pub first_message: String,
    #[sqlx(try_from = "super::Stored<SpeaksFirst>")]
    pub speaks_first: SpeaksFirst,
    pub max_duration_secs: i64,
    #[sqlx(try_from = "Flag")]
    pub recording_enabled: bool,
    pub recording_path: Option<String>,
    /// JSON object of the dynamic variables.
    pub variables: String,
    /// JSON object passed through from the request.
    pub metadata: String,
    /// JSON array of `model::TranscriptSegment`.
    pub transcript: String,
    pub step: i64,
    pub cost_micros: i64,
    pub currency: String,
    pub scheduled_at: Option<i64>,
    pub created_by: Option<String>,
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub answered_at: Option<i64>,
    pub ended_at: Option<i64>,
    pub duration_ms: Option<i64>,
    pub updated_at: i64,
}

const COLUMNS: &str = "id, project_id, agent_id, agent_name, agent_version, direction, from_number, to_number, status, end_reason, \
     answered_by, provider, provider_call_id, is_test, prompt, first_message, speaks_first, max_duration_secs, recording_enabled, \
     recording_path, variables, metadata, transcript, step, cost_micros, currency, scheduled_at, created_by, created_at, started_at, \
     answered_at, ended_at, duration_ms, updated_at";

pub async fn insert(c: &mut AnyConnection, r: &CallRow) -> Result<(), sqlx::Error> {
    let sql = format!(
        "INSERT INTO calls ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, \
         $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34)"
    );
    sqlx::query(&sql)
        .bind(&r.id)
        .bind(&r.project_id)
        .bind(&r.agent_id)
        .bind(&r.agent_name)
        .bind(r.agent_version)
        .bind(r.direction.as_str())
        .bind(&r.from_number)
        .bind(&r.to_number)
        .bind(r.status.as_str())
        .bind(r.end_reason.map(EndReason::as_str))
        .bind(r.answered_by.map(AnsweredBy::as_str))
        .bind(&r.provider)
        .bind(&r.provider_call_id)
        .bind(r.is_test as i64)
        .bind(&r.prompt)
        .bind(&r.first_message)
        .bind(r.speaks_first.as_str())
        .bind(r.max_duration_secs)
        .bind(r.recording_enabled as i64)
        .bind(&r.recording_path)
        .bind(&r.variables)
        .bind(&r.metadata)
        .bind(&r.transcript)
        .bind(r.step)
        .bind(r.cost_micros)
        .bind(&r.currency)
        .bind(r.scheduled_at)
        .bind(&r.created_by)
        .bind(r.created_at)
        .bind(r.started_at)
        .bind(r.answered_at)
        .bind(r.ended_at)
        .bind(r.duration_ms)
        .bind(r.updated_at)
        .execute(c)
        .await?;
    Ok(())
}

/// Writes a call's changing state if it is still in `expected` status at script step
/// `expected_step`; `false` when another writer got there first.
pub async fn update_state(c: &mut AnyConnection, r: &CallRow, expected: CallStatus, expected_step: i64) -> Result<bool, sqlx::Error> {
    let res = sqlx::query(
        "UPDATE calls SET status = $1, end_reason = $2, answered_by = $3, provider_call_id = $4, transcript = $5, step = $6, \
         cost_micros = $7, started_at = $8, answered_at = $9, ended_at = $10, duration_ms = $11, recording_path = $12, updated_at = $13 \
         WHERE project_id = $14 AND id = $15 AND status = $16 AND step = $17",
    )
    .bind(r.status.as_str())
    .bind(r.end_reason.map(EndReason::as_str))
    .bind(r.answered_by.map(AnsweredBy::as_str))
    .bind(&r.provider_call_id)
    .bind(&r.transcript)
    .bind(r.step)
    .bind(r.cost_micros)
    .bind(r.started_at)
    .bind(r.answered_at)
    .bind(r.ended_at)
    .bind(r.duration_ms)
    .bind(&r.recording_path)
    .bind(r.updated_at)
    .bind(&r.project_id)
    .bind(&r.id)
    .bind(expected.as_str())
    .bind(expected_step)
    .execute(c)
    .await?;
    Ok(res.rows_affected() == 1)
}

/// The project a call id belongs to (live projects only).
pub async fn project_of(c: &mut AnyConnection, id: &str) -> Result<Option<String>, sqlx::Error> {
    let row = sqlx::query("SELECT c.project_id FROM calls c JOIN projects p ON p.id = c.project_id WHERE c.id = $1 AND p.is_deleted = 0")
        .bind(id)
        .fetch_optional(c)
        .await?;
    row.map(|r| r.try_get("project_id")).transpose()
}

pub async fn find(c: &mut AnyConnection, project_id: &str, id: &str) -> Result<Option<CallRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM calls WHERE project_id = $1 AND id = $2");
    let row = sqlx::query(&sql).bind(project_id).bind(id).fetch_optional(c).await?;
    typed_opt(TABLE, "id", row)
}

/// Calls holding a line now (initiated, ringing or in progress).
pub async fn live_count(c: &mut AnyConnection, project_id: &str) -> Result<i64, sqlx::Error> {
    let r = sqlx::query("SELECT COUNT(*) AS n FROM calls WHERE project_id = $1 AND status IN ('initiated', 'ringing', 'in-progress')")
        .bind(project_id)
        .fetch_one(c)
        .await?;
    r.try_get("n")
}

/// Queued calls that are due (not scheduled for later), oldest first.
pub async fn due_queued(c: &mut AnyConnection, project_id: &str, now: i64, limit: i64) -> Result<Vec<CallRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM calls WHERE project_id = $1 AND status = 'queued' AND (scheduled_at IS NULL OR scheduled_at <= $2) \
         ORDER BY created_at, id LIMIT $3"
    );
    let rows = sqlx::query(&sql).bind(project_id).bind(now).bind(limit).fetch_all(c).await?;
    typed_all(TABLE, "id", rows)
}

/// Takes the project's row lock until the transaction ends, so admissions against its
/// concurrency limit happen one at a time (SQLite's write transaction already serialises them).
/// Returns the project's limit of live calls, `None` when the project is gone.
pub async fn lock_project(c: &mut AnyConnection, project_id: &str) -> Result<Option<i64>, sqlx::Error> {
    let r = sqlx::query("UPDATE projects SET max_concurrent_calls = max_concurrent_calls WHERE id = $1 RETURNING max_concurrent_calls")
        .bind(project_id)
        .fetch_optional(c)
        .await?;
    r.map(|r| r.try_get("max_concurrent_calls")).transpose()
}

/// What a call list keeps; `None` keeps everything.
#[derive(Debug, Clone, Default)]
pub struct CallFilter {
    pub status: Option<CallStatus>,
    pub direction: Option<Direction>,
    pub agent_id: Option<String>,
    pub end_reason: Option<EndReason>,
    /// E.164, exact.
    pub to: Option<String>,
    pub from: Option<String>,
    /// Unix ms, inclusive / exclusive.
    pub created_from: Option<i64>,
    pub created_before: Option<i64>,
    pub ended_from: Option<i64>,
    pub ended_before: Option<i64>,
    pub min_duration_ms: Option<i64>,
    pub max_duration_ms: Option<i64>,
    pub is_test: Option<bool>,
}

/// Newest first; `before` is the previous page's last (created_at, id). Every filter is an
/// equality or range on an indexed prefix (project, created_at) and is bound, never spliced.
pub async fn page(c: &mut AnyConnection, project_id: &str, f: &CallFilter, before: Option<(i64, String)>, limit: i64) -> Result<Vec<CallRow>, sqlx::Error> {
    let mut b = super::page::Binds::default();
    let mut sql = format!("SELECT {COLUMNS} FROM calls WHERE project_id = {}", b.text(project_id));
    if let Some((t, id)) = before {
        let (t1, i1) = (b.int(t), b.text(id));
        let t2 = b.int(t);
        sql.push_str(&format!(" AND (created_at < {t1} OR (created_at = {t2} AND id < {i1}))"));
    }
    let eq = |col: &str, v: Option<String>, b: &mut super::page::Binds, sql: &mut String| {
        if let Some(v) = v {
            sql.push_str(&format!(" AND {col} = {}", b.text(v)));
        }
    };
    eq("status", f.status.map(|s| s.as_str().to_string()), &mut b, &mut sql);
    eq("direction", f.direction.map(|d| d.as_str().to_string()), &mut b, &mut sql);
    eq("agent_id", f.agent_id.clone(), &mut b, &mut sql);
    eq("end_reason", f.end_reason.map(|r| r.as_str().to_string()), &mut b, &mut sql);
    eq("to_number", f.to.clone(), &mut b, &mut sql);
    eq("from_number", f.from.clone(), &mut b, &mut sql);
    if let Some(t) = f.created_from {
        sql.push_str(&format!(" AND created_at >= {}", b.int(t)));
    }
    if let Some(t) = f.created_before {
        sql.push_str(&format!(" AND created_at < {}", b.int(t)));
    }
    if let Some(t) = f.ended_from {
        sql.push_str(&format!(" AND ended_at >= {}", b.int(t)));
    }
    if let Some(t) = f.ended_before {
        sql.push_str(&format!(" AND ended_at < {}", b.int(t)));
    }
    if let Some(d) = f.min_duration_ms {
        sql.push_str(&format!(" AND duration_ms >= {}", b.int(d)));
    }
    if let Some(d) = f.max_duration_ms {
        sql.push_str(&format!(" AND duration_ms <= {}", b.int(d)));
    }
    if let Some(t) = f.is_test {
        sql.push_str(&format!(" AND is_test = {}", b.int(t as i64)));
    }
    sql.push_str(&format!(" ORDER BY created_at DESC, id DESC LIMIT {}", b.int(limit)));
    typed_all(TABLE, "id", b.fetch_all(c, &sql).await?)
}

// ---- events ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    pub id: String,
    pub call_id: String,
    #[sqlx(try_from = "super::Stored<CallStatus>")]
    pub status: CallStatus,
    pub detail: String,
    pub created_at: i64,
}

pub async fn insert_event(c: &mut AnyConnection, project_id: &str, call_id: &str, status: CallStatus, detail: &str, at: i64) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO call_events (id, call_id, project_id, status, detail, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(super::new_id())
        .bind(call_id)
        .bind(project_id)
        .bind(status.as_str())
        .bind(detail)
        .bind(at)
        .execute(c)
        .await?;
    Ok(())
}

pub async fn events(c: &mut AnyConnection, project_id: &str, call_id: &str) -> Result<Vec<EventRow>, sqlx::Error> {
    let rows = sqlx::query("SELECT id, call_id, status, detail, created_at FROM call_events WHERE project_id = $1 AND call_id = $2 ORDER BY created_at, id")
        .bind(project_id)
        .bind(call_id)
        .fetch_all(c)
        .await?;
    typed_all("call_events", "id", rows)
}

// ---- analyses -------------------------------------------------------------------------------------

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AnalysisRow {
    pub id: String,
    pub call_id: String,
    pub version: i64,
    pub source: String,
    /// JSON of `model::AnalysisResult`.
    pub result: String,
    pub created_by: Option<String>,
    pub created_at: i64,
}

/// Stores the next analysis version of a call (the unique (call, version) index decides races).
pub async fn insert_analysis(
    c: &mut AnyConnection,
    project_id: &str,
    call_id: &str,
    source: &str,
    result: &str,
    created_by: Option<&str>,
    at: i64,
) -> Result<i64, sqlx::Error> {
    let r = sqlx::query("SELECT COALESCE(MAX(version), 0) AS v FROM call_analyses WHERE project_id = $1 AND call_id = $2")
        .bind(project_id)
        .bind(call_id)
        .fetch_one(&mut *c)
        .await?;
    let version: i64 = r.try_get::<i64, _>("v")? + 1;
    sqlx::query("INSERT INTO call_analyses (id, call_id, project_id, version, source, result, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(super::new_id())
        .bind(call_id)
        .bind(project_id)
        .bind(version)
        .bind(source)
        .bind(result)
        .bind(created_by)
        .bind(at)
        .execute(c)
        .await?;
    Ok(version)
}

pub async fn analyses(c: &mut AnyConnection, project_id: &str, call_id: &str) -> Result<Vec<AnalysisRow>, sqlx::Error> {
    let rows =
        sqlx::query("SELECT id, call_id, version, source, result, created_by, created_at FROM call_analyses WHERE project_id = $1 AND call_id = $2 ORDER BY version")
            .bind(project_id)
            .bind(call_id)
            .fetch_all(c)
            .await?;
    typed_all("call_analyses", "id", rows)
}

// ---- idempotency ----------------------------------------------------------------------------------

/// How long a placement's idempotency key is remembered.
pub const IDEMPOTENCY_TTL_MS: i64 = 24 * 60 * 60 * 1000;

/// The call a live key placed, with the hash of the request that placed it.
pub async fn idempotent_call(c: &mut AnyConnection, project_id: &str, key: &str, now: i64) -> Result<Option<(String, String)>, sqlx::Error> {
    let row = sqlx::query("SELECT request_hash, call_id FROM call_idempotency WHERE project_id = $1 AND idem_key = $2 AND created_at > $3")
        .bind(project_id)
        .bind(key)
        .bind(now - IDEMPOTENCY_TTL_MS)
        .fetch_optional(c)
        .await?;
    row.map(|r| Ok((r.try_get("request_hash")?, r.try_get("call_id")?))).transpose()
}

/// Remembers a key; a concurrent request with the same key makes this fail on the primary key.
/// An expired row for the key is replaced.
pub async fn remember_key(c: &mut AnyConnection, project_id: &str, key: &str, hash: &str, call_id: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM call_idempotency WHERE project_id = $1 AND idem_key = $2 AND created_at <= $3")
        .bind(project_id)
        .bind(key)
        .bind(now - IDEMPOTENCY_TTL_MS)
        .execute(&mut *c)
        .await?;
    sqlx::query("INSERT INTO call_idempotency (project_id, idem_key, request_hash, call_id, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(project_id)
        .bind(key)
        .bind(hash)
        .bind(call_id)
        .bind(now)
        .execute(c)
        .await?;
    Ok(())
}
