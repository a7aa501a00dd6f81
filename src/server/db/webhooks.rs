//! Queries on webhook endpoints, events, deliveries and attempts. Every query filters by project
//! id, or by an endpoint id the caller read from its project's rows (the delivery lane), except
//! the start-up backfill and pruning, which go over every project.

use super::{typed_all, typed_opt, Flag};
use sqlx::AnyConnection;

const ENDPOINTS: &str = "webhook_endpoints";
const DELIVERIES: &str = "webhook_deliveries";
const ATTEMPTS: &str = "webhook_attempts";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EndpointRow {
    pub id: String,
    pub project_id: String,
    pub url: String,
    pub description: String,
    /// JSON array of event types; empty: every event.
    pub events: String,
    pub secret_sealed: String,
    pub previous_secret_sealed: Option<String>,
    pub previous_expires_at: Option<i64>,
    #[sqlx(try_from = "Flag")]
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    pub failing_since: Option<i64>,
    pub last_failure_at: Option<i64>,
    #[sqlx(try_from = "Flag")]
    pub is_status: bool,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
}

const ENDPOINT_COLS: &str = "id, project_id, url, description, events, secret_sealed, previous_secret_sealed, previous_expires_at, \
     enabled, disabled_reason, failing_since, last_failure_at, is_status, created_at, updated_at, version";

pub async fn insert_endpoint(c: &mut AnyConnection, r: &EndpointRow) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO webhook_endpoints (id, project_id, url, description, events, secret_sealed, enabled, is_status, created_at, updated_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, 1)",
    )
    .bind(&r.id)
    .bind(&r.project_id)
    .bind(&r.url)
    .bind(&r.description)
    .bind(&r.events)
    .bind(&r.secret_sealed)
    .bind(r.enabled as i64)
    .bind(r.is_status as i64)
    .bind(r.created_at)
    .execute(c)
    .await?;
    Ok(())
}

pub async fn find_endpoint(c: &mut AnyConnection, project_id: &str, id: &str) -> Result<Option<EndpointRow>, sqlx::Error> {
    let sql = format!("SELECT {ENDPOINT_COLS} FROM webhook_endpoints WHERE project_id = $1 AND id = $2");
    typed_opt(ENDPOINTS, "id", sqlx::query(&sql).bind(project_id).bind(id).fetch_optional(c).await?)
}

/// The project an endpoint belongs to (for requests that name only the endpoint).
pub async fn project_of_endpoint(c: &mut AnyConnection, id: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT project_id FROM webhook_endpoints WHERE id = $1").bind(id).fetch_optional(c).await
}

pub async fn status_endpoint(c: &mut AnyConnection, project_id: &str) -> Result<Option<EndpointRow>, sqlx::Error> {
    let sql = format!("SELECT {ENDPOINT_COLS} FROM webhook_endpoints WHERE project_id = $1 AND is_status = 1");
    typed_opt(ENDPOINTS, "id", sqlx::query(&sql).bind(project_id).fetch_optional(c).await?)
}

/// Every endpoint of the project, oldest first (a project has a handful).
pub async fn endpoints(c: &mut AnyConnection, project_id: &str) -> Result<Vec<EndpointRow>, sqlx::Error> {
    let sql = format!("SELECT {ENDPOINT_COLS} FROM webhook_endpoints WHERE project_id = $1 ORDER BY created_at, id");
    typed_all(ENDPOINTS, "id", sqlx::query(&sql).bind(project_id).fetch_all(c).await?)
}

/// Writes the editable fields if the endpoint is still at `version`; `false` when it moved.
pub async fn update_endpoint(c: &mut AnyConnection, r: &EndpointRow, version: i64, now: i64) -> Result<bool, sqlx::Error> {
    let res = sqlx::query(
        "UPDATE webhook_endpoints SET url = $1, description = $2, events = $3, enabled = $4, disabled_reason = $5, failing_since = $6, \
         secret_sealed = $7, previous_secret_sealed = $8, previous_expires_at = $9, updated_at = $10, version = version + 1 \
         WHERE project_id = $11 AND id = $12 AND version = $13",
    )
    .bind(&r.url)
    .bind(&r.description)
    .bind(&r.events)
    .bind(r.enabled as i64)
    .bind(&r.disabled_reason)
    .bind(r.failing_since)
    .bind(&r.secret_sealed)
    .bind(&r.previous_secret_sealed)
    .bind(r.previous_expires_at)
    .bind(now)
    .bind(&r.project_id)
    .bind(&r.id)
    .bind(version)
    .execute(c)
    .await?;
    Ok(res.rows_affected() == 1)
}

pub async fn delete_endpoint(c: &mut AnyConnection, project_id: &str, id: &str) -> Result<bool, sqlx::Error> {
    let res = sqlx::query("DELETE FROM webhook_endpoints WHERE project_id = $1 AND id = $2").bind(project_id).bind(id).execute(c).await?;
    Ok(res.rows_affected() == 1)
}

/// Failures further apart than this are separate runs (longer than the longest retry delay
/// with its jitter, so one delivery's retries always continue a run).
pub const STREAK_GAP_MS: i64 = 27 * 3600 * 1000;

/// Health after an attempt, whatever the endpoint's version (the delivery job does not compete
/// with edits): a success clears the run of failures; a failure continues it, or starts a new
/// one when the last failure is older than [`STREAK_GAP_MS`].
pub async fn mark_health(c: &mut AnyConnection, project_id: &str, id: &str, ok: bool, now: i64) -> Result<(), sqlx::Error> {
    if ok {
        sqlx::query("UPDATE webhook_endpoints SET failing_since = NULL, last_failure_at = NULL WHERE project_id = $1 AND id = $2 AND failing_since IS NOT NULL")
            .bind(project_id)
            .bind(id)
            .execute(c)
            .await?;
    } else {
        sqlx::query(
            "UPDATE webhook_endpoints SET failing_since = CASE WHEN failing_since IS NULL OR last_failure_at IS NULL OR last_failure_at < $4 THEN $3 \
             ELSE failing_since END, last_failure_at = $3 WHERE project_id = $1 AND id = $2",
        )
        .bind(project_id)
        .bind(id)
        .bind(now)
        .bind(now - STREAK_GAP_MS)
        .execute(c)
        .await?;
    }
    Ok(())
}

/// Disables an endpoint (410, or failing for too long); `false` when it was disabled already.
pub async fn disable(c: &mut AnyConnection, project_id: &str, id: &str, reason: &str, now: i64) -> Result<bool, sqlx::Error> {
    let res = sqlx::query(
        "UPDATE webhook_endpoints SET enabled = 0, disabled_reason = $1, updated_at = $2, version = version + 1 \
         WHERE project_id = $3 AND id = $4 AND enabled = 1",
    )
    .bind(reason)
    .bind(now)
    .bind(project_id)
    .bind(id)
    .execute(c)
    .await?;
    Ok(res.rows_affected() == 1)
}

// ---- events and deliveries ------------------------------------------------------------------------

pub async fn insert_event(c: &mut AnyConnection, id: &str, project_id: &str, event_type: &str, subject: &str, body: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO webhook_events (id, project_id, event_type, subject, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(id)
        .bind(project_id)
        .bind(event_type)
        .bind(subject)
        .bind(body)
        .bind(now)
        .execute(c)
        .await?;
    Ok(())
}

/// Inserts a pending delivery of an event to an endpoint, next in its subject's lane (`seq` one
/// past the lane's last). The lane's events are written by transactions that each first moved
/// the subject's own row under a version check, so they never compute a `seq` concurrently.
#[allow(clippy::too_many_arguments)]
pub async fn insert_delivery(
    c: &mut AnyConnection,
    id: &str,
    project_id: &str,
    endpoint_id: &str,
    event_id: &str,
    event_type: &str,
    subject: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO webhook_deliveries (id, project_id, endpoint_id, event_id, event_type, subject, seq, state, attempts, next_attempt_at, created_at, updated_at) \
         SELECT $1, $2, $3, $4, $5, $6, COALESCE(MAX(seq), 0) + 1, 'pending', 0, $7, $7, $7 \
         FROM webhook_deliveries WHERE endpoint_id = $3 AND subject = $6",
    )
    .bind(id)
    .bind(project_id)
    .bind(endpoint_id)
    .bind(event_id)
    .bind(event_type)
    .bind(subject)
    .bind(now)
    .execute(c)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DeliveryRow {
    pub id: String,
    pub project_id: String,
    pub endpoint_id: String,
    pub event_id: String,
    pub event_type: String,
    pub subject: String,
    pub seq: i64,
    pub state: String,
    pub attempts: i64,
    pub next_attempt_at: Option<i64>,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

const DELIVERY_COLS: &str =
    "id, project_id, endpoint_id, event_id, event_type, subject, seq, state, attempts, next_attempt_at, last_status, last_error, created_at, updated_at";

pub async fn find_delivery(c: &mut AnyConnection, project_id: &str, id: &str) -> Result<Option<DeliveryRow>, sqlx::Error> {
    let sql = format!("SELECT {DELIVERY_COLS} FROM webhook_deliveries WHERE project_id = $1 AND id = $2");
    typed_opt(DELIVERIES, "id", sqlx::query(&sql).bind(project_id).bind(id).fetch_optional(c).await?)
}

/// The event's body as sent.
pub async fn event_body(c: &mut AnyConnection, project_id: &str, event_id: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT body FROM webhook_events WHERE project_id = $1 AND id = $2")
        .bind(project_id)
        .bind(event_id)
        .fetch_optional(c)
        .await
}

/// The earliest delivery still pending ahead of `d` in its lane, if any.
pub async fn pending_ahead(c: &mut AnyConnection, d: &DeliveryRow) -> Result<Option<DeliveryRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {DELIVERY_COLS} FROM webhook_deliveries WHERE endpoint_id = $1 AND subject = $2 AND seq < $3 AND state = 'pending' \
         ORDER BY seq LIMIT 1"
    );
    typed_opt(DELIVERIES, "id", sqlx::query(&sql).bind(&d.endpoint_id).bind(&d.subject).bind(d.seq).fetch_optional(c).await?)
}

/// Records the outcome of attempt `d.attempts + 1` if nobody recorded it meanwhile (a job that
/// lost its lease and ran again); `false` then. `state` is the delivery's new state.
#[allow(clippy::too_many_arguments)]
pub async fn record_attempt(
    c: &mut AnyConnection,
    d: &DeliveryRow,
    state: &str,
    next_attempt_at: Option<i64>,
    status: Option<i64>,
    error: Option<&str>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let res = sqlx::query(
        "UPDATE webhook_deliveries SET state = $1, attempts = attempts + 1, next_attempt_at = $2, last_status = $3, last_error = $4, updated_at = $5 \
         WHERE project_id = $6 AND id = $7 AND attempts = $8 AND state = 'pending'",
    )
    .bind(state)
    .bind(next_attempt_at)
    .bind(status)
    .bind(error)
    .bind(now)
    .bind(&d.project_id)
    .bind(&d.id)
    .bind(d.attempts)
    .execute(c)
    .await?;
    Ok(res.rows_affected() == 1)
}

/// Ends a pending delivery without an attempt (its endpoint was disabled or deleted).
pub async fn give_up(c: &mut AnyConnection, d: &DeliveryRow, why: &str, now: i64) -> Result<bool, sqlx::Error> {
    let res = sqlx::query(
        "UPDATE webhook_deliveries SET state = 'failed', next_attempt_at = NULL, last_error = $1, updated_at = $2 \
         WHERE project_id = $3 AND id = $4 AND attempts = $5 AND state = 'pending'",
    )
    .bind(why)
    .bind(now)
    .bind(&d.project_id)
    .bind(&d.id)
    .bind(d.attempts)
    .execute(c)
    .await?;
    Ok(res.rows_affected() == 1)
}

/// A pending delivery whose attempt was due this long ago has lost its job (a crash on its
/// last run): a replay may take it.
pub const STALE_PENDING_MS: i64 = 10 * 60 * 1000;

/// Makes a finished (or stale pending) delivery pending again, due now (a replay); `false` when
/// it is pending and alive.
pub async fn requeue(c: &mut AnyConnection, project_id: &str, id: &str, now: i64) -> Result<bool, sqlx::Error> {
    let res = sqlx::query(
        "UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = $1, updated_at = $1 WHERE project_id = $2 AND id = $3 \
         AND (state <> 'pending' OR next_attempt_at < $4)",
    )
    .bind(now)
    .bind(project_id)
    .bind(id)
    .bind(now - STALE_PENDING_MS)
    .execute(c)
    .await?;
    Ok(res.rows_affected() == 1)
}

/// Ids of an endpoint's failed deliveries created at or after `since`, oldest first (at most
/// `limit`).
pub async fn failed_since(c: &mut AnyConnection, project_id: &str, endpoint_id: &str, since: i64, limit: i64) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM webhook_deliveries WHERE project_id = $1 AND endpoint_id = $2 AND state = 'failed' AND created_at >= $3 \
         ORDER BY created_at, id LIMIT $4",
    )
    .bind(project_id)
    .bind(endpoint_id)
    .bind(since)
    .bind(limit)
    .fetch_all(c)
    .await
}

/// One keyset page of an endpoint's deliveries, newest first, optionally in one state.
pub async fn deliveries(
    c: &mut AnyConnection,
    project_id: &str,
    endpoint_id: &str,
    state: Option<&str>,
    before: Option<(i64, String)>,
    limit: i64,
) -> Result<Vec<DeliveryRow>, sqlx::Error> {
    let mut b = super::page::Binds::default();
    let mut sql = format!("SELECT {DELIVERY_COLS} FROM webhook_deliveries WHERE project_id = {} AND endpoint_id = {}", b.text(project_id), b.text(endpoint_id));
    if let Some(s) = state {
        sql.push_str(&format!(" AND state = {}", b.text(s)));
    }
    if let Some((at, id)) = before {
        let (p_at, p_id) = (b.int(at), b.text(id));
        sql.push_str(&format!(" AND (created_at < {p_at} OR (created_at = {p_at} AND id < {p_id}))"));
    }
    sql.push_str(&format!(" ORDER BY created_at DESC, id DESC LIMIT {}", b.int(limit)));
    typed_all(DELIVERIES, "id", b.fetch_all(c, &sql).await?)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AttemptRow {
    pub id: String,
    pub delivery_id: String,
    pub attempt: i64,
    pub attempted_at: i64,
    pub status_code: Option<i64>,
    pub response_excerpt: String,
    pub duration_ms: i64,
    pub error: Option<String>,
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_attempt(
    c: &mut AnyConnection,
    id: &str,
    d: &DeliveryRow,
    attempted_at: i64,
    status: Option<i64>,
    excerpt: &str,
    duration_ms: i64,
    error: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO webhook_attempts (id, delivery_id, project_id, attempt, attempted_at, status_code, response_excerpt, duration_ms, error) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id)
    .bind(&d.id)
    .bind(&d.project_id)
    .bind(d.attempts + 1)
    .bind(attempted_at)
    .bind(status)
    .bind(excerpt)
    .bind(duration_ms)
    .bind(error)
    .execute(c)
    .await?;
    Ok(())
}

/// A delivery's attempts, first first.
pub async fn attempts(c: &mut AnyConnection, project_id: &str, delivery_id: &str) -> Result<Vec<AttemptRow>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, delivery_id, attempt, attempted_at, status_code, response_excerpt, duration_ms, error FROM webhook_attempts \
         WHERE project_id = $1 AND delivery_id = $2 ORDER BY attempt",
    )
    .bind(project_id)
    .bind(delivery_id)
    .fetch_all(c)
    .await?;
    typed_all(ATTEMPTS, "id", rows)
}

/// One keyset page of the project's endpoints, oldest first; `after` is the previous page's
/// last `(created_at, id)`.
pub async fn endpoints_page(c: &mut AnyConnection, project_id: &str, after: Option<(i64, String)>, limit: i64) -> Result<Vec<EndpointRow>, sqlx::Error> {
    let rows = match after {
        None => {
            let sql = format!("SELECT {ENDPOINT_COLS} FROM webhook_endpoints WHERE project_id = $1 ORDER BY created_at, id LIMIT $2");
            sqlx::query(&sql).bind(project_id).bind(limit).fetch_all(c).await?
        }
        Some((at, id)) => {
            let sql = format!(
                "SELECT {ENDPOINT_COLS} FROM webhook_endpoints WHERE project_id = $1 AND (created_at > $2 OR (created_at = $2 AND id > $3)) \
                 ORDER BY created_at, id LIMIT $4"
            );
            sqlx::query(&sql).bind(project_id).bind(at).bind(id).bind(limit).fetch_all(c).await?
        }
    };
    typed_all(ENDPOINTS, "id", rows)
}

/// Projects (not deleted) with a `call_status_webhook` but no status endpoint: `(id, url)`.
pub async fn projects_missing_status_endpoint(c: &mut AnyConnection) -> Result<Vec<(String, String)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT p.id, p.call_status_webhook FROM projects p WHERE p.call_status_webhook IS NOT NULL AND p.call_status_webhook <> '' AND p.is_deleted = 0 \
         AND NOT EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.project_id = p.id AND e.is_status = 1)",
    )
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| Ok((sqlx::Row::try_get::<String, _>(r, "id")?, sqlx::Row::try_get::<String, _>(r, "call_status_webhook")?)))
        .collect()
}

/// Deletes events created before `before` with every delivery finished (their deliveries and
/// attempts go with them); returns how many events.
pub async fn prune(c: &mut AnyConnection, before: i64) -> Result<u64, sqlx::Error> {
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT e.id FROM webhook_events e WHERE e.created_at < $1 \
         AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id AND d.state = 'pending') LIMIT 1000",
    )
    .bind(before)
    .fetch_all(&mut *c)
    .await?;
    for id in &ids {
        // Children first: the delete does not rest on the database enforcing the cascade.
        sqlx::query("DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM webhook_deliveries WHERE event_id = $1)")
            .bind(id)
            .execute(&mut *c)
            .await?;
        sqlx::query("DELETE FROM webhook_deliveries WHERE event_id = $1").bind(id).execute(&mut *c).await?;
        sqlx::query("DELETE FROM webhook_events WHERE id = $1").bind(id).execute(&mut *c).await?;
    }
    Ok(ids.len() as u64)
}
