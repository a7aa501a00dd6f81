//! Queries on calls, their events, analyses and placement idempotency keys. Every query filters by
//! project id, except [`project_of`] (which project a call id belongs to, before access is checked).
//! A call's state changes through [`update_state`], which writes only if the call is still in the
//! status and at the script step the caller read: concurrent writers cannot both win.
//!
//! Text search over numbers and transcripts is the one place where SQL differs by backend:
//! [`index_search`] writes a call's search document and [`page`] reads it, through SQLite FTS5
//! (`calls_fts`, keyed by `calls.search_key`) or a PostgreSQL `tsvector` (`calls.search_doc`).
//!
//! [`page`], the call lists, reads through the backend's own driver (`db::native`), every other
//! query through `Any`.

use super::native::{select_list, Cols, Native, RowReader};
use super::{typed_all, typed_opt, Flag};
use crate::model::{AnsweredBy, CallStatus, Direction, EndReason, Sentiment, SpeaksFirst, TranscriptSegment};
use sqlx::{AnyConnection, Row};
use std::sync::LazyLock;

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
    /// The latest analysis's, set by [`set_outcome`] (never by [`insert`] or [`update_state`]).
    #[sqlx(try_from = "super::StoredOpt<Sentiment>")]
    pub sentiment: Option<Sentiment>,
    #[sqlx(try_from = "super::OptFlag")]
    pub success: Option<bool>,
    /// A batch call's batch, row and attempt (1 for the first); unique per row and attempt.
    pub batch_id: Option<String>,
    pub batch_row_id: Option<String>,
    pub batch_attempt: Option<i64>,
}

/// The columns [`insert`] writes.
const INSERT_COLUMNS: &str = "id, project_id, agent_id, agent_name, agent_version, direction, from_number, to_number, status, end_reason, \
     answered_by, provider, provider_call_id, is_test, prompt, first_message, speaks_first, max_duration_secs, recording_enabled, \
     recording_path, variables, metadata, transcript, step, cost_micros, currency, scheduled_at, created_by, created_at, started_at, \
     answered_at, ended_at, duration_ms, updated_at, batch_id, batch_row_id, batch_attempt";

/// The columns a list reads unless it asks for transcripts: what a list shows. A list of 50
/// reads no column it does not show (a quarter fewer values than a whole [`CallRow`], and none of
/// the long texts). [`list_row`] reads them in this order.
const LIST_NAMES: &[&str] = &[
    "id",
    "project_id",
    "agent_id",
    "agent_name",
    "agent_version",
    "direction",
    "from_number",
    "to_number",
    "status",
    "end_reason",
    "answered_by",
    "is_test",
    "recording_enabled",
    "recording_path",
    "variables",
    "metadata",
    "cost_micros",
    "currency",
    "scheduled_at",
    "created_at",
    "started_at",
    "answered_at",
    "ended_at",
    "duration_ms",
    "sentiment",
    "success",
];

/// The columns of a whole [`CallRow`] ([`COLUMNS`]), in the order [`full_row`] reads them.
const FULL_NAMES: &[&str] = &[
    "id",
    "project_id",
    "agent_id",
    "agent_name",
    "agent_version",
    "direction",
    "from_number",
    "to_number",
    "status",
    "end_reason",
    "answered_by",
    "provider",
    "provider_call_id",
    "is_test",
    "prompt",
    "first_message",
    "speaks_first",
    "max_duration_secs",
    "recording_enabled",
    "recording_path",
    "variables",
    "metadata",
    "transcript",
    "step",
    "cost_micros",
    "currency",
    "scheduled_at",
    "created_by",
    "created_at",
    "started_at",
    "answered_at",
    "ended_at",
    "duration_ms",
    "updated_at",
    "sentiment",
    "success",
    "batch_id",
    "batch_row_id",
    "batch_attempt",
];

/// A list row ([`LIST_NAMES`]) as a [`CallRow`]. What a list did not read is blank: no prompt,
/// first message or transcript, no provider details, step or batch. Views of list rows show none
/// of these.
fn list_row(row: &dyn Cols) -> Result<CallRow, sqlx::Error> {
    let mut r = RowReader::new(row, TABLE, LIST_NAMES);
    let id = r.text()?;
    let project_id = r.text()?;
    let agent_id = r.opt_text()?;
    let agent_name = r.text()?;
    let agent_version = r.int()?;
    let direction = r.stored()?;
    let from_number = r.text()?;
    let to_number = r.text()?;
    let status = r.stored()?;
    let end_reason = r.stored_opt()?;
    let answered_by = r.stored_opt()?;
    let is_test = r.flag()?;
    let recording_enabled = r.flag()?;
    let recording_path = r.opt_text()?;
    let variables = r.text()?;
    let metadata = r.text()?;
    let cost_micros = r.int()?;
    let currency = r.text()?;
    let scheduled_at = r.opt_int()?;
    let created_at = r.int()?;
    let started_at = r.opt_int()?;
    let answered_at = r.opt_int()?;
    let ended_at = r.opt_int()?;
    let duration_ms = r.opt_int()?;
    let sentiment = r.stored_opt()?;
    let success = r.opt_flag()?;
    r.done()?;
    Ok(CallRow {
        id,
        project_id,
        agent_id,
        agent_name,
        agent_version,
        direction,
        from_number,
        to_number,
        status,
        end_reason,
        answered_by,
        provider: String::new(),
        provider_call_id: None,
        is_test,
        prompt: String::new(),
        first_message: String::new(),
        speaks_first: SpeaksFirst::default(),
        max_duration_secs: 0,
        recording_enabled,
        recording_path,
        variables,
        metadata,
        transcript: "[]".into(),
        step: 0,
        cost_micros,
        currency,
        scheduled_at,
        created_by: None,
        created_at,
        started_at,
        answered_at,
        ended_at,
        duration_ms,
        updated_at: created_at,
        sentiment,
        success,
        batch_id: None,
        batch_row_id: None,
        batch_attempt: None,
    })
}

/// A whole [`CallRow`] ([`FULL_NAMES`]), read by position.
fn full_row(row: &dyn Cols) -> Result<CallRow, sqlx::Error> {
    let mut r = RowReader::new(row, TABLE, FULL_NAMES);
    let c = CallRow {
        id: r.text()?,
        project_id: r.text()?,
        agent_id: r.opt_text()?,
        agent_name: r.text()?,
        agent_version: r.int()?,
        direction: r.stored()?,
        from_number: r.text()?,
        to_number: r.text()?,
        status: r.stored()?,
        end_reason: r.stored_opt()?,
        answered_by: r.stored_opt()?,
        provider: r.text()?,
        provider_call_id: r.opt_text()?,
        is_test: r.flag()?,
        prompt: r.text()?,
        first_message: r.text()?,
        speaks_first: r.stored()?,
        max_duration_secs: r.int()?,
        recording_enabled: r.flag()?,
        recording_path: r.opt_text()?,
        variables: r.text()?,
        metadata: r.text()?,
        transcript: r.text()?,
        step: r.int()?,
        cost_micros: r.int()?,
        currency: r.text()?,
        scheduled_at: r.opt_int()?,
        created_by: r.opt_text()?,
        created_at: r.int()?,
        started_at: r.opt_int()?,
        answered_at: r.opt_int()?,
        ended_at: r.opt_int()?,
        duration_ms: r.opt_int()?,
        updated_at: r.int()?,
        sentiment: r.stored_opt()?,
        success: r.opt_flag()?,
        batch_id: r.opt_text()?,
        batch_row_id: r.opt_text()?,
        batch_attempt: r.opt_int()?,
    };
    r.done()?;
    Ok(c)
}

/// Turns one native row into a [`CallRow`].
type DecodeRow = fn(&dyn Cols) -> Result<CallRow, sqlx::Error>;

/// The select list of a list query and its row reader: whole calls when the filter asks for
/// transcripts, else list rows.
fn list_shape(f: &CallFilter) -> (&'static str, DecodeRow) {
    static LIST: LazyLock<String> = LazyLock::new(|| select_list(LIST_NAMES));
    static FULL: LazyLock<String> = LazyLock::new(|| select_list(FULL_NAMES));
    if f.transcripts {
        (FULL.as_str(), full_row)
    } else {
        (LIST.as_str(), list_row)
    }
}

/// The columns a [`CallRow`] reads.
const COLUMNS: &str = "id, project_id, agent_id, agent_name, agent_version, direction, from_number, to_number, status, end_reason, \
     answered_by, provider, provider_call_id, is_test, prompt, first_message, speaks_first, max_duration_secs, recording_enabled, \
     recording_path, variables, metadata, transcript, step, cost_micros, currency, scheduled_at, created_by, created_at, started_at, \
     answered_at, ended_at, duration_ms, updated_at, sentiment, success, batch_id, batch_row_id, batch_attempt";

/// Stores a new call and indexes it for search.
pub async fn insert(c: &mut AnyConnection, r: &CallRow) -> Result<(), sqlx::Error> {
    let sql = format!(
        "INSERT INTO calls ({INSERT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, \
         $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35, $36, $37)"
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
        .bind(&r.batch_id)
        .bind(&r.batch_row_id)
        .bind(r.batch_attempt)
        .execute(&mut *c)
        .await?;
    index_search(c, r).await
}

/// Writes a call's changing state if it is still in `expected` status at script step
/// `expected_step`; `false` when another writer got there first. The provider's call id and the
/// recording path are set once by their own writers and never cleared, so a writer that read
/// the row before they were set does not erase them.
pub async fn update_state(c: &mut AnyConnection, r: &CallRow, expected: CallStatus, expected_step: i64) -> Result<bool, sqlx::Error> {
    let res = sqlx::query(
        "UPDATE calls SET status = $1, end_reason = $2, answered_by = $3, provider_call_id = COALESCE($4, provider_call_id), transcript = $5, step = $6, \
         cost_micros = $7, started_at = $8, answered_at = $9, ended_at = $10, duration_ms = $11, recording_path = COALESCE($12, recording_path), updated_at = $13 \
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

/// Sets the provider's id of a call that has none yet; `false` when it already had one.
pub async fn set_provider_call_id(c: &mut AnyConnection, project_id: &str, id: &str, provider_call_id: &str) -> Result<bool, sqlx::Error> {
    let res = sqlx::query("UPDATE calls SET provider_call_id = $1 WHERE project_id = $2 AND id = $3 AND provider_call_id IS NULL")
        .bind(provider_call_id)
        .bind(project_id)
        .bind(id)
        .execute(c)
        .await?;
    Ok(res.rows_affected() == 1)
}

/// Sets an ended call's duration as its provider measured it.
pub async fn set_duration(c: &mut AnyConnection, project_id: &str, id: &str, duration_ms: i64, now: i64) -> Result<bool, sqlx::Error> {
    let res = sqlx::query("UPDATE calls SET duration_ms = $1, updated_at = $2 WHERE project_id = $3 AND id = $4 AND (duration_ms IS NULL OR duration_ms <> $1)")
        .bind(duration_ms)
        .bind(now)
        .bind(project_id)
        .bind(id)
        .execute(c)
        .await?;
    Ok(res.rows_affected() == 1)
}

/// Sets a call's cost as its provider billed it.
pub async fn set_cost(c: &mut AnyConnection, project_id: &str, id: &str, cost_micros: i64, currency: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE calls SET cost_micros = $1, currency = $2, updated_at = $3 WHERE project_id = $4 AND id = $5")
        .bind(cost_micros)
        .bind(currency)
        .bind(now)
        .bind(project_id)
        .bind(id)
        .execute(c)
        .await?;
    Ok(())
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
    /// The latest analysis's caller sentiment / success.
    pub sentiment: Option<Sentiment>,
    pub success: Option<bool>,
    /// Text search over the numbers and the transcript (see [`search_terms`]): every word must
    /// appear (stemmed), and a run of digits matches anywhere in a number.
    pub q: Option<String>,
    /// Read the calls' transcripts and rendered prompts too. Lists leave them out by default: they
    /// are most of a call's bytes, and a list shows neither.
    pub transcripts: bool,
}

/// The filters of `f` as `AND ...` clauses over `calls` columns (every value bound).
fn conditions(f: &CallFilter, b: &mut super::page::Binds) -> String {
    let mut sql = String::new();
    let mut eq = |col: &str, v: Option<String>, b: &mut super::page::Binds| {
        if let Some(v) = v {
            sql.push_str(&format!(" AND {col} = {}", b.text(v)));
        }
    };
    eq("status", f.status.map(|s| s.as_str().to_string()), b);
    eq("direction", f.direction.map(|d| d.as_str().to_string()), b);
    eq("agent_id", f.agent_id.clone(), b);
    eq("end_reason", f.end_reason.map(|r| r.as_str().to_string()), b);
    eq("to_number", f.to.clone(), b);
    eq("from_number", f.from.clone(), b);
    eq("sentiment", f.sentiment.map(|s| s.as_str().to_string()), b);
    let ints = [
        ("created_at >=", f.created_from),
        ("created_at <", f.created_before),
        ("ended_at >=", f.ended_from),
        ("ended_at <", f.ended_before),
        ("duration_ms >=", f.min_duration_ms),
        ("duration_ms <=", f.max_duration_ms),
        ("is_test =", f.is_test.map(i64::from)),
        ("success =", f.success.map(i64::from)),
    ];
    for (cmp, v) in ints {
        if let Some(v) = v {
            sql.push_str(&format!(" AND {cmp} {}", b.int(v)));
        }
    }
    sql
}

/// `AND` the row comes after the cursor `(created_at, id)` in newest-first order. The plain
/// `created_at <=` bound is what lets the planner start the index range at the cursor: with the
/// `OR` alone, SQLite walks the index from the newest call down to the cursor (300 ms half-way
/// through a million calls, 0.3 ms with the bound).
fn after_cursor(before: &(i64, String), b: &mut super::page::Binds) -> String {
    let (t0, t1, i1) = (b.int(before.0), b.int(before.0), b.text(before.1.clone()));
    let t2 = b.int(before.0);
    format!(" AND created_at <= {t0} AND (created_at < {t1} OR (created_at = {t2} AND id < {i1}))")
}

/// Newest first; `before` is the previous page's last (created_at, id). Every filter is an
/// equality or range on an indexed prefix (project, created_at) and is bound, never spliced.
pub async fn page(c: &mut Native, project_id: &str, f: &CallFilter, before: Option<(i64, String)>, limit: i64) -> Result<Vec<CallRow>, sqlx::Error> {
    let terms = f.q.as_deref().map(search_terms).unwrap_or_default();
    if !terms.is_empty() && c.is_sqlite() {
        return sqlite_search_page(c, project_id, f, &terms, before, limit).await;
    }
    // PostgreSQL search, in up to three tries (see `pg_search_page`).
    if !terms.is_empty() {
        return pg_search_page(c, project_id, f, &terms, before, limit).await;
    }
    let (columns, decode) = list_shape(f);
    let mut b = super::page::Binds::default();
    let sql = format!("SELECT {columns} FROM calls WHERE project_id = {}{}", b.text(project_id), filtered(f, &before, &mut b));
    let sql = format!("{sql} ORDER BY created_at DESC, id DESC LIMIT {}", b.int(limit));
    b.fetch_native(c, &sql, decode).await
}

/// The cursor and the filters of a page, as `AND ...` clauses.
fn filtered(f: &CallFilter, before: &Option<(i64, String)>, b: &mut super::page::Binds) -> String {
    let mut sql = String::new();
    if let Some(cur) = before {
        sql.push_str(&after_cursor(cur, b));
    }
    sql.push_str(&conditions(f, b));
    sql
}

/// PostgreSQL search. Walking (project_id, created_at) newest first and checking each row's
/// tsvector is fastest for a query many calls match, the GIN index for a rare one (a customer's
/// number), and the planner often walks for both (reading the whole project for a rare one). So:
/// 1. the newest [`PG_WINDOW`] calls of the page's range are checked; if they hold a full page,
///    it is the page (common words: about a millisecond);
/// 2. if they hold fewer, but at least 1 in [`PG_DENSE`] of them matches, the walk goes on
///    without the next step's look (the look costs 30 to 270 ms for a term tens of thousands of
///    calls share, the walk a few ms at that density; see [`walk_at_once`]);
/// 3. else a bounded look at the GIN index counts the matches: rare ones are taken from the index
///    first and sorted (`OFFSET 0` keeps the planner from folding that back into the walk);
/// 4. else the walk, which finds them at some density.
async fn pg_search_page(
    c: &mut Native,
    project_id: &str,
    f: &CallFilter,
    terms: &[SearchTerm],
    before: Option<(i64, String)>,
    limit: i64,
) -> Result<Vec<CallRow>, sqlx::Error> {
    let (columns, decode) = list_shape(f);
    let tsquery = pg_tsquery(terms);
    let mut b = super::page::Binds::default();
    let inner = format!(
        "SELECT {columns}, search_doc FROM calls WHERE project_id = {}{} ORDER BY created_at DESC, id DESC LIMIT {}",
        b.text(project_id),
        filtered(f, &before, &mut b),
        b.int(PG_WINDOW)
    );
    let sql = format!(
        "SELECT {columns} FROM ({inner}) w WHERE w.search_doc @@ to_tsquery('english', {}) ORDER BY created_at DESC, id DESC LIMIT {}",
        b.text(tsquery.clone()),
        b.int(limit)
    );
    let rows = b.fetch_native(&mut *c, &sql, decode).await?;
    if rows.len() as i64 >= limit {
        return Ok(rows);
    }
    let rare = !walk_at_once(rows.len() as i64) && pg_rare(c, &tsquery).await?;
    let mut b = super::page::Binds::default();
    let mut sql = format!("SELECT {columns} FROM calls WHERE project_id = {}{}", b.text(project_id), filtered(f, &before, &mut b));
    let q = b.text(tsquery);
    if rare {
        sql.push_str(&format!(" AND id IN (SELECT id FROM calls WHERE search_doc @@ to_tsquery('english', {q}) OFFSET 0)"));
    } else {
        sql.push_str(&format!(" AND search_doc @@ to_tsquery('english', {q})"));
    }
    sql.push_str(&format!(" ORDER BY created_at DESC, id DESC LIMIT {}", b.int(limit)));
    b.fetch_native(c, &sql, decode).await
}

/// Whether a PostgreSQL search whose first [`PG_WINDOW`] calls held `found` matches (fewer than a
/// page) walks on at once: at 1 in [`PG_DENSE`] or more, a page is a few thousand rows away.
fn walk_at_once(found: i64) -> bool {
    found > 0 && found * PG_DENSE >= PG_WINDOW
}

/// The bounded look at the GIN index: whether fewer than [`PG_RARE_MATCHES`] calls (of all
/// projects) match.
async fn pg_rare(c: &mut Native, tsquery: &str) -> Result<bool, sqlx::Error> {
    let mut b = super::page::Binds::default();
    let probe = format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM calls WHERE search_doc @@ to_tsquery('english', {}) LIMIT {}) m",
        b.text(tsquery.to_string()),
        b.int(PG_RARE_MATCHES)
    );
    let matches = b.fetch_native(c, &probe, |r| r.int(0)).await?;
    Ok(matches.first().copied().unwrap_or(0) < PG_RARE_MATCHES)
}

// ---- text search (the one place where SQL differs by backend) --------------------------------

/// Fewer matches than this over all projects make a PostgreSQL search "rare" (see
/// [`pg_search_page`]).
const PG_RARE_MATCHES: i64 = 2000;
/// How many of the newest calls a PostgreSQL search checks first.
const PG_WINDOW: i64 = 500;
/// 1 match in this many of the window's calls is dense enough to walk on (see [`walk_at_once`]).
const PG_DENSE: i64 = 100;

/// `calls.search_key` = created_at * 2^SEARCH_KEY_SHIFT + a per-millisecond tie-breaker.
pub const SEARCH_KEY_SHIFT: u32 = 20;

fn is_sqlite(c: &AnyConnection) -> bool {
    c.backend_name().eq_ignore_ascii_case("sqlite")
}

/// The first search key of calls created at `created_at`.
pub fn search_key_base(created_at: i64) -> i64 {
    created_at.max(0).saturating_mul(1 << SEARCH_KEY_SHIFT)
}

/// One term of a search query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchTerm {
    /// A word (lower case, letters and digits): matches that word in the transcript, stemmed.
    Word(String),
    /// A run of digits: matches a word of the transcript that is this run and, when it has at
    /// least [`MIN_NUMBER_TOKEN`] digits, anywhere in a number.
    Digits(String),
}

/// At most this many terms of a query are used.
const MAX_TERMS: usize = 8;
/// Terms are cut to this many characters.
const MAX_TERM_CHARS: usize = 64;

/// Splits a search query into terms. Something that looks like a phone number (`+1 (415)
/// 555-0006`) is one run of its digits; otherwise the query is split on anything but letters and
/// digits. Only letters and digits reach the engines' query syntax, so a query cannot inject any.
pub fn search_terms(q: &str) -> Vec<SearchTerm> {
    let q = q.trim();
    let phone_like = q.chars().any(|c| c.is_ascii_digit()) && q.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c));
    if phone_like {
        let digits: String = q.chars().filter(char::is_ascii_digit).take(MAX_TERM_CHARS).collect();
        return vec![SearchTerm::Digits(digits)];
    }
    let mut out: Vec<SearchTerm> = Vec::new();
    for w in q.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
        let w: String = w.chars().take(MAX_TERM_CHARS).flat_map(char::to_lowercase).collect();
        let term = if w.chars().all(|c| c.is_ascii_digit()) { SearchTerm::Digits(w) } else { SearchTerm::Word(w) };
        if !out.contains(&term) {
            out.push(term);
        }
        if out.len() == MAX_TERMS {
            break;
        }
    }
    out
}

/// A digit run at least this long is found inside numbers: every run of this many digits or more
/// inside a number is indexed as a token (see [`number_tokens`]).
pub const MIN_NUMBER_TOKEN: usize = 4;

/// Every run of [`MIN_NUMBER_TOKEN`] digits or more inside a number, once each, so a digit query
/// is an exact-token lookup: `4155550` finds `+14155550006`. (A prefix query over fewer tokens
/// would find the same calls, but both engines then merge the posting lists of every matching
/// token in memory: over a million calls a common run cost SQLite ~12 MB and ~40M instructions
/// per query.) An E.164 number has at most 15 digits, so at most 78 tokens.
fn number_tokens(e164: &str, out: &mut String) {
    let digits: Vec<char> = e164.chars().filter(char::is_ascii_digit).take(15).collect();
    for len in (MIN_NUMBER_TOKEN..=digits.len()).rev() {
        // Only runs of one length can be equal.
        let mut seen: Vec<&[char]> = Vec::new();
        for run in digits.windows(len) {
            if seen.contains(&run) {
                continue;
            }
            seen.push(run);
            out.push(' ');
            out.extend(run);
        }
    }
}

/// The text a call is found by: its numbers (as [`number_tokens`]) and what was said.
pub fn search_document<'a>(from: &str, to: &str, said: impl IntoIterator<Item = &'a str>) -> String {
    let mut doc = String::new();
    number_tokens(from, &mut doc);
    number_tokens(to, &mut doc);
    for text in said {
        doc.push(' ');
        doc.push_str(text);
    }
    doc
}

fn row_document(r: &CallRow) -> String {
    // A transcript that does not parse is reported where the call is read; here it only loses
    // its words from the index.
    let segments: Vec<TranscriptSegment> = serde_json::from_str(&r.transcript).unwrap_or_default();
    search_document(&r.from_number, &r.to_number, segments.iter().map(|s| s.text.as_str()))
}

/// FTS5 query: every term as one exact (quoted) token. No prefix queries: the engine would merge
/// the posting lists of every matching token in memory (`"1"*` over a million calls: 6 s and a
/// 122 MB peak for one query).
pub fn fts5_query(terms: &[SearchTerm]) -> String {
    let parts: Vec<String> = terms
        .iter()
        .map(|t| match t {
            SearchTerm::Word(w) | SearchTerm::Digits(w) => format!("\"{w}\""),
        })
        .collect();
    parts.join(" ")
}

/// PostgreSQL `to_tsquery` text: every term, exact, as in [`fts5_query`].
pub fn pg_tsquery(terms: &[SearchTerm]) -> String {
    let parts: Vec<&str> = terms
        .iter()
        .map(|t| match t {
            SearchTerm::Word(w) | SearchTerm::Digits(w) => w.as_str(),
        })
        .collect();
    parts.join(" & ")
}

/// Writes a call's search document: after [`insert`], and whenever its transcript changes.
pub async fn index_search(c: &mut AnyConnection, r: &CallRow) -> Result<(), sqlx::Error> {
    let doc = row_document(r);
    if !is_sqlite(c) {
        sqlx::query("UPDATE calls SET search_doc = to_tsvector('english', $1) WHERE project_id = $2 AND id = $3")
            .bind(doc)
            .bind(&r.project_id)
            .bind(&r.id)
            .execute(c)
            .await?;
        return Ok(());
    }
    let row = sqlx::query("SELECT search_key FROM calls WHERE project_id = $1 AND id = $2")
        .bind(&r.project_id)
        .bind(&r.id)
        .fetch_optional(&mut *c)
        .await?;
    let existing: Option<i64> = row.map(|row| row.try_get::<Option<i64>, _>("search_key")).transpose()?.flatten();
    let key = match existing {
        Some(k) => k,
        None => {
            // The next free key of the call's millisecond (the unique index guards it too).
            let base = search_key_base(r.created_at);
            let top = sqlx::query("SELECT MAX(search_key) AS k FROM calls WHERE search_key >= $1 AND search_key < $2")
                .bind(base)
                .bind(base.saturating_add(1 << SEARCH_KEY_SHIFT))
                .fetch_one(&mut *c)
                .await?;
            let key = top.try_get::<Option<i64>, _>("k")?.map_or(base, |k| k + 1);
            sqlx::query("UPDATE calls SET search_key = $1 WHERE project_id = $2 AND id = $3")
                .bind(key)
                .bind(&r.project_id)
                .bind(&r.id)
                .execute(&mut *c)
                .await?;
            key
        }
    };
    sqlx::query("INSERT OR REPLACE INTO calls_fts (rowid, doc) VALUES ($1, $2)").bind(key).bind(doc).execute(c).await?;
    Ok(())
}

/// SQLite: the matches are walked in the FTS index's rowid order, which is `created_at` order,
/// newest first, joined to their calls and filtered; the page stops after `limit` rows. Rows of
/// one millisecond may sit in the index in another order than their ids, so the millisecond at
/// the page's edge is read whole and the page cut in exact (created_at, id) order.
async fn sqlite_search_page(
    c: &mut Native,
    project_id: &str,
    f: &CallFilter,
    terms: &[SearchTerm],
    before: Option<(i64, String)>,
    limit: i64,
) -> Result<Vec<CallRow>, sqlx::Error> {
    let (columns, decode) = list_shape(f);
    let query = |edge: Option<i64>| {
        let mut b = super::page::Binds::default();
        let mut sql = format!(
            "SELECT {columns} FROM calls_fts CROSS JOIN calls ON calls.search_key = calls_fts.rowid \
             WHERE calls_fts MATCH {} AND calls.project_id = {}",
            b.text(fts5_query(terms)),
            b.text(project_id)
        );
        if let Some(cur) = &before {
            sql.push_str(&format!(" AND calls_fts.rowid < {}", b.int(search_key_base(cur.0.saturating_add(1)))));
            sql.push_str(&after_cursor(cur, &mut b));
        }
        if let Some(t) = edge {
            let (lo, hi) = (b.int(search_key_base(t)), b.int(search_key_base(t.saturating_add(1))));
            sql.push_str(&format!(" AND calls_fts.rowid >= {lo} AND calls_fts.rowid < {hi}"));
        }
        sql.push_str(&conditions(f, &mut b));
        sql.push_str(" ORDER BY calls_fts.rowid DESC");
        if edge.is_none() {
            sql.push_str(&format!(" LIMIT {}", b.int(limit)));
        }
        (sql, b)
    };
    let (sql, b) = query(None);
    let mut rows = b.fetch_native(&mut *c, &sql, decode).await?;
    if let Some(last) = rows.last().filter(|_| rows.len() as i64 >= limit).map(|r| r.created_at) {
        let (sql, b) = query(Some(last));
        let edge = b.fetch_native(&mut *c, &sql, decode).await?;
        rows.retain(|r| r.created_at != last);
        rows.extend(edge);
    }
    rows.sort_by(|a, b| (b.created_at, &b.id).cmp(&(a.created_at, &a.id)));
    rows.truncate(limit.max(0) as usize);
    Ok(rows)
}

/// The latest analysis's outcome on the call. Returns the previous values and the call's
/// creation time and status, read under the row's lock (the `UPDATE` takes it on PostgreSQL and
/// waits for a concurrent analysis to commit), so the caller can adjust aggregates by the
/// difference exactly once. `None` when the call is gone.
pub async fn set_outcome(
    c: &mut AnyConnection,
    project_id: &str,
    id: &str,
    sentiment: Sentiment,
    success: Option<bool>,
) -> Result<Option<(Option<Sentiment>, Option<bool>, i64)>, sqlx::Error> {
    let Some(prev) = sqlx::query("UPDATE calls SET sentiment = sentiment WHERE project_id = $1 AND id = $2 RETURNING sentiment, success, created_at")
        .bind(project_id)
        .bind(id)
        .fetch_optional(&mut *c)
        .await?
    else {
        return Ok(None);
    };
    #[derive(sqlx::FromRow)]
    struct Prev {
        #[sqlx(try_from = "super::StoredOpt<Sentiment>")]
        sentiment: Option<Sentiment>,
        #[sqlx(try_from = "super::OptFlag")]
        success: Option<bool>,
        created_at: i64,
    }
    let prev: Prev = super::typed(TABLE, "created_at", &prev)?;
    sqlx::query("UPDATE calls SET sentiment = $1, success = $2 WHERE project_id = $3 AND id = $4")
        .bind(sentiment.as_str())
        .bind(success.map(i64::from))
        .bind(project_id)
        .bind(id)
        .execute(c)
        .await?;
    Ok(Some((prev.sentiment, prev.success, prev.created_at)))
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

// ---- bulk loads (seed-demo) -----------------------------------------------------------------------

/// The columns of a bulk call insert ([`super::bulk::insert`]), search index included:
/// `search_key` on SQLite (its FTS rows go in with [`FTS_COLUMNS`]), `search_doc` on PostgreSQL.
pub fn bulk_columns(sqlite: bool) -> Vec<(&'static str, &'static str)> {
    let mut cols: Vec<(&'static str, &'static str)> = INSERT_COLUMNS.split(',').map(|c| (c.trim(), "?")).collect();
    cols.push(("sentiment", "?"));
    cols.push(("success", "?"));
    cols.push(if sqlite { ("search_key", "?") } else { ("search_doc", "to_tsvector('english', ?)") });
    cols
}

/// The FTS5 rows of a bulk load (SQLite).
pub const FTS_COLUMNS: [(&str, &str); 2] = [("rowid", "?"), ("doc", "?")];

/// The values of `r` for [`bulk_columns`]; `search` is the search key (SQLite) or the search
/// document (PostgreSQL).
pub fn bulk_values(r: CallRow, search: super::bulk::Val) -> Vec<super::bulk::Val> {
    use super::bulk::Val;
    vec![
        r.id.into(),
        r.project_id.into(),
        r.agent_id.into(),
        r.agent_name.into(),
        r.agent_version.into(),
        r.direction.as_str().into(),
        r.from_number.into(),
        r.to_number.into(),
        r.status.as_str().into(),
        Val::OptText(r.end_reason.map(|e| e.as_str().to_string())),
        Val::OptText(r.answered_by.map(|a| a.as_str().to_string())),
        r.provider.into(),
        r.provider_call_id.into(),
        i64::from(r.is_test).into(),
        r.prompt.into(),
        r.first_message.into(),
        r.speaks_first.as_str().into(),
        r.max_duration_secs.into(),
        i64::from(r.recording_enabled).into(),
        r.recording_path.into(),
        r.variables.into(),
        r.metadata.into(),
        r.transcript.into(),
        r.step.into(),
        r.cost_micros.into(),
        r.currency.into(),
        r.scheduled_at.into(),
        r.created_by.into(),
        r.created_at.into(),
        r.started_at.into(),
        r.answered_at.into(),
        r.ended_at.into(),
        r.duration_ms.into(),
        r.updated_at.into(),
        r.batch_id.into(),
        r.batch_row_id.into(),
        r.batch_attempt.into(),
        Val::OptText(r.sentiment.map(|s| s.as_str().to_string())),
        Val::OptInt(r.success.map(i64::from)),
        search,
    ]
}

/// The columns of bulk event and analysis inserts.
pub const EVENT_COLUMNS: [(&str, &str); 6] = [("id", "?"), ("call_id", "?"), ("project_id", "?"), ("status", "?"), ("detail", "?"), ("created_at", "?")];
pub const ANALYSIS_COLUMNS: [(&str, &str); 8] =
    [("id", "?"), ("call_id", "?"), ("project_id", "?"), ("version", "?"), ("source", "?"), ("result", "?"), ("created_by", "?"), ("created_at", "?")];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_walks_on_at_once_only_when_the_window_shows_density() {
        // None found in the newest 500: the count decides between the index and the walk.
        assert!(!walk_at_once(0));
        // 1 to 4 in 500 (under 1%): a page may be tens of thousands of rows away.
        assert!(!walk_at_once(1));
        assert!(!walk_at_once(4));
        // 5 in 500 (1%) and more: the walk finds a page within a few thousand rows.
        assert!(walk_at_once(5));
        assert!(walk_at_once(49));
    }
    use SearchTerm::*;

    #[test]
    fn queries_become_terms_of_letters_and_digits_only() {
        assert_eq!(search_terms("+1 (415) 555-0006"), vec![Digits("14155550006".into())]);
        assert_eq!(search_terms("5550006"), vec![Digits("5550006".into())]);
        assert_eq!(search_terms("Heat pumps, 20 heat"), vec![Word("heat".into()), Word("pumps".into()), Digits("20".into())]);
        assert_eq!(search_terms("\"x\" OR y* NEAR(z) -a & b | !c"), ["x", "or", "y", "near", "z", "a", "b", "c"].map(|w| Word(w.into())).to_vec());
        assert!(search_terms("  *** ").is_empty());
        assert_eq!(search_terms("Ünïcode"), vec![Word("ünïcode".into())]);
        assert_eq!(search_terms("a b c d e f g h i j").len(), MAX_TERMS);
    }

    #[test]
    fn engine_queries_quote_words_and_match_digit_runs_exactly() {
        let t = search_terms("solar 5550006");
        assert_eq!(fts5_query(&t), "\"solar\" \"5550006\"");
        assert_eq!(pg_tsquery(&t), "solar & 5550006");
        // Shorter than any indexed run: a word (`15 minutes`), never a prefix query.
        let t = search_terms("15 minutes");
        assert_eq!(fts5_query(&t), "\"15\" \"minutes\"");
        assert_eq!(pg_tsquery(&t), "15 & minutes");
    }

    #[test]
    fn numbers_are_indexed_with_every_run_of_four_digits_or_more() {
        let doc = search_document("+14155550006", "+44207", ["Hello there"]);
        let tokens: Vec<&str> = doc.split_whitespace().collect();
        for run in ["14155550006", "4155550006", "0006", "4155550", "1415", "5555", "5550"] {
            assert!(tokens.contains(&run), "{run} in {doc}");
        }
        assert!(!tokens.contains(&"006") && !tokens.contains(&"1"));
        assert!(tokens.contains(&"44207") && tokens.contains(&"4420") && tokens.contains(&"4207"));
        assert_eq!(tokens.last(), Some(&"there"));
        // Every run once: "15555555555" has two distinct runs of each length 4..=10 and one of 11.
        assert_eq!(search_document("+15555555555", "", []).split_whitespace().count(), 15);
        // A longest E.164 number (15 digits, no run repeated) gives 78; past 15 digits is cut.
        let long = search_document("+1234567890987654321", "", []);
        assert_eq!(long.split_whitespace().count(), 78);
        assert!(!long.contains("4321"));
    }

    #[test]
    fn the_lists_read_the_same_columns_as_a_whole_call() {
        // `full_row` reads a list with transcripts by position, `find` by name from COLUMNS.
        assert_eq!(select_list(FULL_NAMES), COLUMNS);
        for name in LIST_NAMES {
            assert!(FULL_NAMES.contains(name), "{name}");
        }
    }

    #[test]
    fn search_keys_order_by_creation_time() {
        assert!(search_key_base(1_700_000_000_001) > search_key_base(1_700_000_000_000) + (1 << SEARCH_KEY_SHIFT) - 2);
        assert_eq!(search_key_base(-5), 0);
        assert_eq!(search_key_base(i64::MAX), i64::MAX);
    }
}
