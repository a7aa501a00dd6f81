//! Batch calls (campaigns): creating a batch from an uploaded CSV/Excel file or JSON rows with
//! its validation report, and reading batches and their rows back. Running them (start, pause,
//! resume, cancel, the dispatcher, the export) is `services::batch_run`.
//!
//! Decisions:
//! - Members and above upload (the same role that places calls); viewers read. Another
//!   project's batch answers 404.
//! - The agent must be in the project, outbound, and have at least one number to call from
//!   (the rule `services::calls` applies to a single call). Its required variables are the
//!   `{{placeholders}}` of its prompt and first message (`AgentView::variables`, from
//!   `PromptTemplate`), so a row that validates renders exactly as a single call would.
//! - Numbers are normalised with the E.164 parser calls use (no default country: a number
//!   without `+` and country code is invalid, as for a single call).
//! - The file is read by [`read_file`] (pure CPU work: the adapter runs it on a blocking thread,
//!   outside the transaction, after [`may_upload`] said the caller may upload), at most
//!   [`MAX_ROWS`] data rows. Text with NUL is refused, as everywhere. Validation then runs in
//!   the transaction, against the do-not-call list as it is there.
//! - A draft stores every row in one transaction: valid rows `waiting` with their E.164 number
//!   and variables, bad rows `invalid` with the number as typed and their problems, through
//!   multi-row INSERTs (`db::bulk`), so 10,000 rows take well under a second.
//! - Draft options until the batch is started: every outbound number of the agent as caller
//!   numbers, concurrency `min(5, project limit)`, no window (any time), no retries.

use super::access::{self, Need};
use crate::model::{
    AppError, BadRowView, BatchProgress, BatchReport, BatchRowState, BatchRowView, BatchStatus, BatchView, CallingWindowSpec, Direction, ErrorCode, RetryPolicy,
    RowProblem,
};
use crate::server::auth::Actor;
use crate::server::batch::{self, FileError, Problem, Report, Rules, Sheet};
use crate::server::db::batches::{self as db, BatchRow, BatchRowRow, NewRow};
use crate::server::db::{new_id, now_ms, Tx};
use crate::server::domain::E164;
use sqlx::AnyConnection;
use std::collections::{BTreeMap, HashMap};

pub use super::batch_run::{cancel, export_csv, pause, resume, start};

/// The most data rows one file may hold.
pub const MAX_ROWS: usize = 100_000;
/// The default concurrency of a new batch (never above the project's live-call limit).
pub const DEFAULT_CONCURRENCY: i64 = 5;
const NAME_MAX: usize = 200;
const FILE_NAME_MAX: usize = 255;

pub fn batch_not_found() -> AppError {
    AppError::not_found("Batch")
}

/// An upload as the entry points received it.
pub struct Upload<'a> {
    pub project_id: &'a str,
    pub agent_id: &'a str,
    pub name: &'a str,
    pub file_name: &'a str,
    /// The file, read by [`read_file`].
    pub sheet: &'a Sheet,
}

pub(super) fn clean_name(name: &str) -> Result<String, AppError> {
    let n = name.trim();
    if n.is_empty() {
        return Err(AppError::missing_field("name"));
    }
    if n.chars().count() > NAME_MAX || n.chars().any(char::is_control) {
        return Err(AppError::field("name", format!("Keep the batch name under {NAME_MAX} characters, on one line.")));
    }
    Ok(n.to_string())
}

fn clean_file_name(name: &str) -> Result<String, AppError> {
    let n = name.trim();
    if n.chars().any(|c| c == '\0') {
        return Err(crate::server::http::nul_refused());
    }
    // Keep the last path segment only (some clients send a full path) and bound it.
    let base = n.rsplit(['/', '\\']).next().unwrap_or(n);
    Ok(base.chars().filter(|c| !c.is_control()).take(FILE_NAME_MAX).collect())
}

fn file_error(e: FileError) -> AppError {
    let text = e.to_string();
    let mut chars = text.chars();
    let msg = match chars.next() {
        Some(first) => first.to_uppercase().collect::<String>() + chars.as_str() + ".",
        None => "The file could not be read.".to_string(),
    };
    AppError::field("file", msg)
}

/// The message of a problem as shown to people: its text with a capital letter.
fn problem_view(p: &Problem) -> RowProblem {
    let text = p.to_string();
    let mut chars = text.chars();
    let message = match chars.next() {
        Some(first) => first.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    };
    RowProblem { code: p.code().to_string(), message }
}

/// The E.164 normaliser for rows: calls' parser, its message in the lower case the report's
/// "invalid number: ..." wants.
fn normalize(raw: &str) -> Result<String, String> {
    E164::parse(raw, None, "number").map(|n| n.as_str().to_string()).map_err(|e| {
        let m = e.message.trim_end_matches('.');
        let mut chars = m.chars();
        match chars.next() {
            Some(first) => first.to_lowercase().collect::<String>() + chars.as_str(),
            None => "not a phone number".to_string(),
        }
    })
}

fn has_nul(sheet: &Sheet) -> bool {
    sheet.rows.iter().any(|r| {
        r.number.contains('\0') || r.dynamic_variables.as_deref().is_some_and(|d| d.contains('\0')) || r.columns.iter().any(|(k, v)| k.contains('\0') || v.contains('\0'))
    })
}

/// What checking an upload yields before anything is stored.
struct Checked {
    agent: crate::model::AgentView,
    concurrency: i64,
    name: String,
    file_name: String,
    report: Report,
}

/// Reads an uploaded file into rows: CPU work without I/O, meant for a blocking thread
/// (`tokio::task::spawn_blocking`) and done outside any transaction, so a large spreadsheet
/// neither stalls the async workers nor holds SQLite's write lock.
pub fn read_file(file_name: &str, bytes: &[u8]) -> Result<Sheet, AppError> {
    let file_name = clean_file_name(file_name)?;
    if bytes.is_empty() {
        return Err(AppError::field("file", "The file is empty."));
    }
    let sheet = batch::read_sheet(Some(file_name.as_str()).filter(|f| !f.is_empty()), bytes, MAX_ROWS).map_err(file_error)?;
    if has_nul(&sheet) {
        return Err(crate::server::http::nul_refused());
    }
    Ok(sheet)
}

/// Whether the caller may upload to the project (members and up): checked before the file is
/// read, so strangers cost no parsing. [`create_draft`] and [`validate_only`] check again.
pub async fn may_upload(c: &mut AnyConnection, actor: &Actor, project_id: &str) -> Result<(), AppError> {
    access::project(&mut *c, actor, project_id, Need::Edit).await.map(drop)
}

/// Access and agent checks, then validation of the rows (members and up).
async fn check(c: &mut AnyConnection, actor: &Actor, up: &Upload<'_>) -> Result<Checked, AppError> {
    let a = access::project(&mut *c, actor, up.project_id, Need::Edit).await?;
    let name = clean_name(up.name)?;
    let file_name = clean_file_name(up.file_name)?;
    let agent_id = up.agent_id.trim();
    if agent_id.is_empty() {
        return Err(AppError::missing_field("agent_id"));
    }
    let agent = super::agents::get_in(&mut *c, actor, up.project_id, agent_id).await?;
    if agent.direction == Direction::Inbound {
        return Err(AppError::field("agent_id", format!("\"{}\" only answers inbound calls: switch it to outbound to place calls.", agent.name)));
    }
    if agent.phone_numbers.is_empty() {
        return Err(AppError::field("agent_id", format!("\"{}\" has no phone number to call from. Assign an outbound number to it first.", agent.name)));
    }
    // The templates must parse for any row to render (an agent saved through the service
    // always does; this names the field if it somehow does not).
    super::agents::render(&agent, &agent.variables.iter().map(|v| (v.clone(), String::new())).collect())?;
    let dnc = crate::server::db::do_not_call::numbers(&mut *c, up.project_id).await?;
    let report = batch::validate(up.sheet, &Rules { normalize, required: &agent.variables, do_not_call: &dnc });
    let concurrency = DEFAULT_CONCURRENCY.min(a.project.max_concurrent_calls.max(1));
    Ok(Checked { agent, concurrency, name, file_name, report })
}

fn report_view(sheet: &Sheet, report: &Report) -> BatchReport {
    BatchReport {
        total_rows: report.total as i64,
        valid_rows: report.good.len() as i64,
        invalid_rows: report.bad.len() as i64,
        bad_rows: report
            .bad
            .iter()
            .map(|b| BadRowView { row: b.row as i64, number: b.number.clone(), problems: b.problems.iter().map(problem_view).collect() })
            .collect(),
        warnings: sheet.warnings.clone(),
    }
}

/// Validates an upload without storing anything (members and up): the report a draft would get.
pub async fn validate_only(c: &mut AnyConnection, actor: &Actor, up: &Upload<'_>) -> Result<BatchReport, AppError> {
    let ch = check(&mut *c, actor, up).await?;
    Ok(report_view(up.sheet, &ch.report))
}

/// Creates a draft batch from an upload (members and up): the batch and every row, valid or not,
/// in the caller's transaction. Returns the batch with its validation report.
pub async fn create_draft(tx: &mut Tx, actor: &Actor, up: &Upload<'_>) -> Result<BatchView, AppError> {
    let ch = check(&mut *tx, actor, up).await?;
    let now = now_ms();
    let caller_numbers: Vec<String> = ch.agent.phone_numbers.iter().map(|n| n.id.clone()).collect();
    let batch = BatchRow {
        id: new_id(),
        project_id: ch.agent.project_id.clone(),
        agent_id: ch.agent.id.clone(),
        name: ch.name.clone(),
        status: BatchStatus::Draft,
        file_name: ch.file_name.clone(),
        caller_numbers: to_json(&caller_numbers)?,
        concurrency: ch.concurrency,
        calling_window: None,
        retry: to_json(&RetryPolicy::default())?,
        start_at: None,
        paused_reason: None,
        total_rows: ch.report.total as i64,
        valid_rows: ch.report.good.len() as i64,
        created_by: actor.user_id().map(str::to_string),
        created_at: now,
        updated_at: now,
        version: 1,
        started_at: None,
        finished_at: None,
        breaker_since: None,
    };
    db::insert(&mut *tx, &batch).await?;
    let mut rows = Vec::with_capacity(ch.report.total);
    for g in &ch.report.good {
        rows.push((
            g.row,
            NewRow {
                id: new_id(),
                row_no: g.row as i64,
                number: g.number.clone(),
                variables: to_json(&g.variables)?,
                state: BatchRowState::Waiting,
                problems: "[]".into(),
            },
        ));
    }
    // A bad row keeps the variables its cells gave (not its JSON, which may be the problem),
    // for the user fixing it. Looked up by row number: a scan per bad row would be quadratic.
    let raw_by_row: HashMap<usize, &batch::RawRow> = up.sheet.rows.iter().map(|r| (r.row, r)).collect();
    for b in &ch.report.bad {
        let problems: Vec<RowProblem> = b.problems.iter().map(problem_view).collect();
        let variables: BTreeMap<String, String> = raw_by_row
            .get(&b.row)
            .map(|r| r.columns.iter().filter(|(_, v)| !v.trim().is_empty()).map(|(k, v)| (k.clone(), v.trim().to_string())).collect())
            .unwrap_or_default();
        rows.push((
            b.row,
            NewRow {
                id: new_id(),
                row_no: b.row as i64,
                number: b.number.clone(),
                variables: to_json(&variables)?,
                state: BatchRowState::Invalid,
                problems: to_json(&problems)?,
            },
        ));
    }
    // File order, so row ids (UUIDv7) follow row numbers.
    rows.sort_by_key(|(row, _)| *row);
    db::insert_rows(&mut *tx, &batch.project_id, &batch.id, now, rows.into_iter().map(|(_, r)| r).collect()).await?;
    super::audit::record(&mut *tx, actor, &batch.project_id, crate::server::domain::AuditAction::BatchCreated, Some(&batch.id), Some(&batch.name)).await?;
    let mut v = view_of(&mut *tx, &batch).await?;
    v.report = Some(report_view(up.sheet, &ch.report));
    Ok(v)
}

/// Whether a new batch starts at once (with its default options) once stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartWhen {
    /// A draft: the user reads the report, sets options and starts it.
    Never,
    /// Started only when every row is valid (Talkstack's `batch-call`).
    AllValid,
    /// Started with the valid rows, whatever the report says (`startWithValidRows`).
    WithValidRows,
}

/// Creates a batch from an upload (members and up) and, as `when` says, starts it in the same
/// transaction. The view carries the validation report.
pub async fn create(st: &crate::server::state::AppState, tx: &mut Tx, actor: &Actor, up: &Upload<'_>, when: StartWhen) -> Result<BatchView, AppError> {
    let draft = create_draft(&mut *tx, actor, up).await?;
    let start = match when {
        StartWhen::Never => false,
        StartWhen::AllValid => draft.progress.invalid == 0 && draft.valid_rows > 0,
        StartWhen::WithValidRows => draft.valid_rows > 0,
    };
    if !start {
        return Ok(draft);
    }
    let mut v = super::batch_run::start(st, tx, actor, &draft.id, crate::model::BatchOptions::default()).await?;
    v.report = draft.report;
    Ok(v)
}

/// Rows given as JSON (`number` and text variables each) as the sheet a file would give, row 1
/// being the first; at most [`MAX_ROWS`].
pub fn sheet_from_rows(rows: Vec<(String, BTreeMap<String, String>)>) -> Result<Sheet, AppError> {
    if rows.is_empty() {
        return Err(AppError::field("rows", "Give at least one row."));
    }
    if rows.len() > MAX_ROWS {
        return Err(AppError::field("rows", format!("A batch holds at most {MAX_ROWS} rows.")));
    }
    let mut headers = vec!["number".to_string()];
    let mut out = Vec::with_capacity(rows.len());
    for (i, (number, vars)) in rows.into_iter().enumerate() {
        for k in vars.keys() {
            if !headers.contains(k) {
                headers.push(k.clone());
            }
        }
        out.push(batch::RawRow { row: i + 1, number, dynamic_variables: None, columns: vars.into_iter().collect() });
    }
    let sheet = Sheet { headers, rows: out, warnings: Vec::new() };
    if has_nul(&sheet) {
        return Err(crate::server::http::nul_refused());
    }
    Ok(sheet)
}

/// `serde_json::to_string` as an `AppError` (only non-string map keys could fail, and there are none).
fn to_json<T: serde::Serialize + ?Sized>(v: &T) -> Result<String, AppError> {
    serde_json::to_string(v).map_err(|_| AppError::internal())
}

/// A stored JSON column that does not decode is a corrupt row: an error, never a default.
pub(super) fn stored_json<T: serde::de::DeserializeOwned>(table: &str, id: &str, column: &str, text: &str) -> Result<T, AppError> {
    serde_json::from_str(text).map_err(|e| {
        tracing::error!(table, id, column, error = %e, "corrupt stored value");
        AppError::internal()
    })
}

/// Adds up a batch's row counts by state.
fn tally(counts: impl IntoIterator<Item = (BatchRowState, i64)>) -> BatchProgress {
    let mut p = BatchProgress::default();
    for (state, n) in counts {
        let slot = match state {
            BatchRowState::Waiting => &mut p.waiting,
            BatchRowState::Calling => &mut p.calling,
            BatchRowState::Done => &mut p.done,
            BatchRowState::Failed => &mut p.failed,
            BatchRowState::Skipped => &mut p.skipped,
            BatchRowState::Canceled => &mut p.canceled,
            BatchRowState::Invalid => &mut p.invalid,
        };
        *slot += n;
    }
    p
}

/// Views of `batches` (one project's) with their progress, counted in one query.
async fn views(c: &mut AnyConnection, project_id: &str, batches: &[BatchRow]) -> Result<Vec<BatchView>, AppError> {
    let ids: Vec<&str> = batches.iter().map(|b| b.id.as_str()).collect();
    let counts = db::progress(&mut *c, project_id, &ids).await?;
    batches.iter().map(|b| view(b, tally(counts.iter().filter(|(id, _, _)| *id == b.id).map(|(_, s, n)| (*s, *n))))).collect()
}

/// A batch's view with its progress.
pub(super) async fn view_of(c: &mut AnyConnection, b: &BatchRow) -> Result<BatchView, AppError> {
    let mut v = views(&mut *c, &b.project_id, std::slice::from_ref(b)).await?;
    v.pop().ok_or_else(AppError::internal)
}

pub fn view(b: &BatchRow, progress: BatchProgress) -> Result<BatchView, AppError> {
    let window: Option<CallingWindowSpec> = match &b.calling_window {
        None => None,
        Some(w) => Some(stored_json("batches", &b.id, "calling_window", w)?),
    };
    Ok(BatchView {
        id: b.id.clone(),
        project_id: b.project_id.clone(),
        agent_id: b.agent_id.clone(),
        name: b.name.clone(),
        status: b.status,
        file_name: b.file_name.clone(),
        caller_numbers: stored_json("batches", &b.id, "caller_numbers", &b.caller_numbers)?,
        concurrency: b.concurrency,
        window: window.clone(),
        retry: stored_json("batches", &b.id, "retry", &b.retry)?,
        start_at: b.start_at,
        paused_reason: b.paused_reason.clone(),
        total_rows: b.total_rows,
        valid_rows: b.valid_rows,
        created_by: b.created_by.clone(),
        created_at: b.created_at,
        updated_at: b.updated_at,
        version: b.version,
        started_at: b.started_at,
        finished_at: b.finished_at,
        window_opens_at: window_opens_at(b, window.as_ref(), now_ms()),
        report: None,
        progress,
    })
}

/// When `window` is closed at `now` (or at its start time, for a batch scheduled later) for a
/// batch that may still call, when it opens next. `now` is the system clock, not the
/// dispatcher's test clock.
fn window_opens_at(b: &BatchRow, window: Option<&CallingWindowSpec>, now: i64) -> Option<i64> {
    let w = window?;
    if !matches!(b.status, BatchStatus::Scheduled | BatchStatus::Running | BatchStatus::Paused) {
        return None;
    }
    let parsed = match super::batch_run::parse_window(w) {
        Ok((parsed, _)) => parsed,
        // A window that parsed when stored and no longer does (a time-zone database change):
        // the batch still shows; the dispatcher reports it.
        Err(e) => {
            tracing::warn!(batch = %b.id, error = %e.message, "stored calling window no longer parses");
            return None;
        }
    };
    // A scheduled batch waits for its start first.
    let from = b.start_at.map_or(now, |s| s.max(now));
    let at = jiff::Timestamp::from_millisecond(from).ok()?;
    if parsed.contains(at) {
        return None;
    }
    parsed.next_open(at).map(|t| t.as_millisecond())
}

pub fn row_view(r: &BatchRowRow) -> Result<BatchRowView, AppError> {
    Ok(BatchRowView {
        id: r.id.clone(),
        row: r.row_no,
        number: r.number.clone(),
        variables: stored_json("batch_rows", &r.id, "variables", &r.variables)?,
        state: r.state,
        problems: stored_json("batch_rows", &r.id, "problems", &r.problems)?,
        attempts: r.attempts,
        next_attempt_at: r.next_attempt_at,
        last_call_id: r.last_call_id.clone(),
        outcome: r.outcome.clone(),
        updated_at: r.updated_at,
    })
}

/// Finds a batch the caller may act on with `need`; invisible or unknown batches are 404.
pub(super) async fn load(c: &mut AnyConnection, actor: &Actor, batch_id: &str, need: Need) -> Result<BatchRow, AppError> {
    let project_id = db::project_of(&mut *c, batch_id).await?.ok_or_else(batch_not_found)?;
    access::project(&mut *c, actor, &project_id, need)
        .await
        .map_err(|e| if e.code == ErrorCode::NotFound { batch_not_found() } else { e })?;
    db::find(&mut *c, &project_id, batch_id).await?.ok_or_else(batch_not_found)
}

/// A batch (viewers and up).
pub async fn get(c: &mut AnyConnection, actor: &Actor, batch_id: &str) -> Result<BatchView, AppError> {
    let b = load(&mut *c, actor, batch_id, Need::Read).await?;
    view_of(&mut *c, &b).await
}

/// One keyset page of a project's batches, newest first (viewers and up).
pub async fn list(c: &mut AnyConnection, actor: &Actor, project_id: &str, before: Option<(i64, String)>, limit: i64) -> Result<Vec<BatchView>, AppError> {
    access::project(&mut *c, actor, project_id, Need::Read).await?;
    let rows = db::page(&mut *c, project_id, before, limit).await?;
    views(&mut *c, project_id, &rows).await
}

/// The `state` filter of a rows list, as given (empty: every state).
pub fn state_filter(s: Option<&str>) -> Result<Option<BatchRowState>, AppError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => BatchRowState::parse(s).map(Some).ok_or_else(|| {
            let all: Vec<&str> = BatchRowState::ALL.iter().map(|s| s.as_str()).collect();
            AppError::field("state", format!("state must be one of {}.", all.join(", ")))
        }),
    }
}

/// One keyset page of a batch's rows in file order, after row number `after` (viewers and up).
pub async fn rows(
    c: &mut AnyConnection,
    actor: &Actor,
    batch_id: &str,
    state: Option<BatchRowState>,
    after: Option<i64>,
    limit: i64,
) -> Result<Vec<BatchRowView>, AppError> {
    let b = load(&mut *c, actor, batch_id, Need::Read).await?;
    db::rows_page(&mut *c, &b.project_id, &b.id, state, after, limit).await?.iter().map(row_view).collect()
}
