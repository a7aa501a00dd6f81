//! `/api/v1` batch calls: create a batch from a CSV/Excel file or from JSON rows and get its
//! validation report (stored as a draft, or `validate_only`), start it with options, pause,
//! resume, cancel, list and read batches with their progress, list a batch's rows, export the
//! results as CSV; and the project's do-not-call list.
//!
//! The file upload is `multipart/form-data` (fields `agent_id`, `name`, `file`, optional
//! `project_id` and `validate_only`), the one v1 body that is not JSON; the same route takes
//! JSON rows, and alone accepts bodies up to [`UPLOAD_MAX_BYTES`].

use super::envelope::{created, done, ok, page, PageParams, V1Error, V1Json, V1Path, V1Query, V1Result};
use super::openapi::{E400, E401, E403, E404, E409, E413, E415};
use super::types::{Done, Envelope, ListEnvelope, Timestamp};
use crate::model::{
    AppError, BatchOptions, BatchProgress, BatchReport, BatchRowState, BatchRowView, BatchStatus, BatchView, CallingWindowSpec, DoNotCallView, ErrorCode, RetryPolicy,
    RowProblem,
};
use crate::server::http::actor;
use crate::server::rest::json::Json;
use crate::server::services::batches::{self, StartWhen, Upload};
use crate::server::services::do_not_call;
use crate::server::state::AppState;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// The largest upload body (a 100,000-row spreadsheet is a few MB; 20 MiB leaves room).
pub const UPLOAD_MAX_BYTES: usize = 20 * 1024 * 1024;

type Page<T> = V1Result<Json<ListEnvelope<T>>>;
type One<T> = V1Result<Json<Envelope<T>>>;

// ---- wire types --------------------------------------------------------------------------------

#[derive(Debug, Serialize, ToSchema)]
pub struct BatchOut {
    id: String,
    project_id: String,
    agent_id: String,
    name: String,
    status: BatchStatus,
    file_name: String,
    /// Phone number ids the batch calls from, rotated.
    caller_numbers: Vec<String>,
    concurrency: i64,
    /// When the batch may call; null: any time.
    window: Option<CallingWindowSpec>,
    retry: RetryPolicy,
    start_at: Option<Timestamp>,
    paused_reason: Option<String>,
    /// Non-blank data rows in the file.
    total_rows: i64,
    /// Rows that will be called.
    valid_rows: i64,
    created_by: Option<String>,
    created_at: Timestamp,
    updated_at: Timestamp,
    /// Bumped by every change (optimistic locking).
    version: i64,
    /// When it started running; null before.
    started_at: Option<Timestamp>,
    /// When it completed, was canceled or failed; null before.
    finished_at: Option<Timestamp>,
    /// While the calling window is closed (a scheduled, running or paused batch): when it
    /// opens next. Null when it is open, when there is no window, and once the batch ended.
    window_opens_at: Option<Timestamp>,
    /// The validation report: on the answer to an upload only.
    #[serde(skip_serializing_if = "Option::is_none")]
    report: Option<BatchReport>,
    /// How many rows are in each state.
    progress: BatchProgress,
}

impl From<BatchView> for BatchOut {
    fn from(b: BatchView) -> Self {
        BatchOut {
            id: b.id,
            project_id: b.project_id,
            agent_id: b.agent_id,
            name: b.name,
            status: b.status,
            file_name: b.file_name,
            caller_numbers: b.caller_numbers,
            concurrency: b.concurrency,
            window: b.window,
            retry: b.retry,
            start_at: b.start_at.map(Timestamp),
            paused_reason: b.paused_reason,
            total_rows: b.total_rows,
            valid_rows: b.valid_rows,
            created_by: b.created_by,
            created_at: Timestamp(b.created_at),
            updated_at: Timestamp(b.updated_at),
            version: b.version,
            started_at: b.started_at.map(Timestamp),
            finished_at: b.finished_at.map(Timestamp),
            window_opens_at: b.window_opens_at.map(Timestamp),
            report: b.report,
            progress: b.progress,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BatchRowOut {
    id: String,
    /// The row number a spreadsheet program shows for this row of the file.
    row: i64,
    /// E.164 for valid rows, as typed for invalid ones.
    number: String,
    #[schema(value_type = Object)]
    variables: BTreeMap<String, String>,
    state: BatchRowState,
    /// Why an `invalid` (or `skipped`) row is not called.
    problems: Vec<RowProblem>,
    attempts: i64,
    next_attempt_at: Option<Timestamp>,
    last_call_id: Option<String>,
    /// The final call status / end reason, once the row is finished.
    outcome: Option<String>,
    updated_at: Timestamp,
}

impl From<BatchRowView> for BatchRowOut {
    fn from(r: BatchRowView) -> Self {
        BatchRowOut {
            id: r.id,
            row: r.row,
            number: r.number,
            variables: r.variables,
            state: r.state,
            problems: r.problems,
            attempts: r.attempts,
            next_attempt_at: r.next_attempt_at.map(Timestamp),
            last_call_id: r.last_call_id,
            outcome: r.outcome,
            updated_at: Timestamp(r.updated_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DoNotCallOut {
    id: String,
    project_id: String,
    /// E.164.
    number: String,
    note: String,
    created_by: Option<String>,
    created_at: Timestamp,
}

impl From<DoNotCallView> for DoNotCallOut {
    fn from(d: DoNotCallView) -> Self {
        DoNotCallOut {
            id: d.id,
            project_id: d.project_id,
            number: d.number,
            note: d.note,
            created_by: d.created_by,
            created_at: Timestamp(d.created_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DoNotCallAdded {
    /// The entries this request created.
    added: Vec<DoNotCallOut>,
    /// Numbers (E.164) already on the list or repeated in the request: ignored.
    already_listed: Vec<String>,
}

/// The upload form (`multipart/form-data`).
#[allow(dead_code)]
#[derive(ToSchema)]
pub struct BatchUploadForm {
    /// Default: the API key's project, else the caller's active project (the query's
    /// `project_id` works too).
    project_id: Option<String>,
    /// The outbound agent that will make the calls.
    agent_id: String,
    name: String,
    /// CSV (any common delimiter and encoding), xlsx, xls or ods (first sheet), up to 100,000
    /// rows. Columns: `number` (or `phone_number`, `phone`), optional `dynamicVariables` (JSON
    /// object), every other column a variable of that name.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// `true`: validate and return the report, store nothing.
    validate_only: Option<bool>,
}

// ---- batches -----------------------------------------------------------------------------------

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BatchProjectQuery {
    /// Default: the API key's project, else the caller's active project.
    project_id: Option<String>,
    /// Upload only: `true` validates and stores nothing.
    validate_only: Option<bool>,
}

fn upload_error(e: axum::extract::multipart::MultipartError) -> V1Error {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        V1Error(AppError::new(ErrorCode::PayloadTooLarge, format!("The upload is larger than {} MiB.", UPLOAD_MAX_BYTES / (1024 * 1024))))
    } else {
        V1Error(AppError::new(ErrorCode::InvalidInput, format!("The upload could not be read as multipart/form-data ({}).", e.body_text())))
    }
}

fn bool_field(field: &str, v: &str) -> Result<bool, V1Error> {
    match v.trim().to_ascii_lowercase().as_str() {
        "" | "false" | "0" => Ok(false),
        "true" | "1" => Ok(true),
        _ => Err(V1Error(AppError::field(field, format!("{field} must be true or false.")))),
    }
}

/// An upload read from `multipart/form-data`. Field names are v1's (`agent_id`) or Talkstack's
/// (`agentId`); unknown fields are ignored, like unknown JSON fields.
#[derive(Default)]
pub struct Form {
    pub project_id: Option<String>,
    pub agent_id: Option<String>,
    pub name: Option<String>,
    pub file: Option<(String, Vec<u8>)>,
    pub validate_only: Option<bool>,
    pub start_with_valid_rows: Option<bool>,
}

pub async fn read_form(st: &AppState, req: Request) -> Result<Form, AppError> {
    let ct = req.headers().get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
    if !ct.starts_with("multipart/form-data") {
        return Err(AppError::new(ErrorCode::UnsupportedMediaType, "Send the upload as multipart/form-data with the fields agent_id, name and file."));
    }
    let mut mp = Multipart::from_request(req, st)
        .await
        .map_err(|e| AppError::new(ErrorCode::InvalidInput, format!("The upload could not be read ({}).", e.body_text())))?;
    let mut f = Form::default();
    let err = |e| upload_error(e).0;
    while let Some(field) = mp.next_field().await.map_err(err)? {
        let name = field.name().unwrap_or("").to_string();
        match name.as_str() {
            "file" => {
                let file_name = field.file_name().unwrap_or("").to_string();
                let bytes = field.bytes().await.map_err(err)?;
                f.file = Some((file_name, bytes.to_vec()));
            }
            "project_id" | "projectId" | "agent_id" | "agentId" | "name" | "validate_only" | "start_with_valid_rows" | "startWithValidRows" => {
                let text = field.text().await.map_err(err)?;
                if text.contains('\0') {
                    return Err(crate::server::http::nul_refused());
                }
                match name.as_str() {
                    "project_id" | "projectId" => f.project_id = Some(text),
                    "agent_id" | "agentId" => f.agent_id = Some(text),
                    "name" => f.name = Some(text),
                    "validate_only" => f.validate_only = Some(bool_field("validate_only", &text).map_err(|e| e.0)?),
                    _ => f.start_with_valid_rows = Some(bool_field("startWithValidRows", &text).map_err(|e| e.0)?),
                }
            }
            _ => {}
        }
    }
    Ok(f)
}

/// Reads an uploaded file on a blocking thread (CPU work, outside any transaction).
pub async fn read_upload(file_name: String, bytes: Vec<u8>) -> Result<crate::server::batch::Sheet, AppError> {
    tokio::task::spawn_blocking(move || batches::read_file(&file_name, &bytes)).await.map_err(|e| {
        tracing::error!(error = %e, "reading an uploaded batch file failed");
        AppError::internal()
    })?
}

/// One row of a JSON batch.
#[derive(Debug, Deserialize, ToSchema)]
pub struct JsonBatchRow {
    /// The number to call, E.164 or with its country code.
    #[serde(default, alias = "phone_number", alias = "phone")]
    number: String,
    /// The row's `{{variables}}`: text, numbers or true/false.
    #[serde(default, alias = "dynamicVariables")]
    #[schema(value_type = Object)]
    variables: BTreeMap<String, serde_json::Value>,
}

/// A batch given as JSON rows instead of a file.
#[derive(Debug, Deserialize, ToSchema)]
pub struct JsonBatchBody {
    /// Default: the API key's project, else the caller's active project.
    project_id: Option<String>,
    /// The outbound agent that will make the calls.
    #[serde(default)]
    agent_id: String,
    #[serde(default)]
    name: String,
    /// Up to 100,000 rows, numbered from 1 in the report.
    #[serde(default)]
    rows: Vec<JsonBatchRow>,
    /// `true`: validate and return the report, store nothing.
    validate_only: Option<bool>,
}

#[utoipa::path(post, path = "/batches", tag = "batches", params(BatchProjectQuery),
    request_body(content(
        (BatchUploadForm = "multipart/form-data"),
        (JsonBatchBody = "application/json"))),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 201, description = "A draft batch (member+) holding every row, with its validation report: the count of good rows and each bad row \
        with its row number, the number as typed and its problems (`invalid_number`, `duplicate`, `missing_variables`, `bad_json`, `do_not_call`). \
        Start it with `POST /batches/{id}/start`.", body = Envelope<BatchOut>),
        (status = 200, description = "`validate_only=true`: the report only; nothing is stored", body = Envelope<BatchReport>),
        E400, E401, E403, E404, E413, E415))]
pub async fn create_batch(State(st): State<AppState>, h: HeaderMap, V1Query(q): V1Query<BatchProjectQuery>, req: Request) -> V1Result<axum::response::Response> {
    use axum::response::IntoResponse;
    let a = actor(&st, &h).await?;
    let ct = req.headers().get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
    let (project, agent_id, name, file_name, validate_only, source) = if ct.starts_with("application/json") || ct.ends_with("+json") {
        let b: JsonBatchBody = crate::server::rest::extract::json_request(req).await?;
        let mut rows = Vec::with_capacity(b.rows.len());
        for r in b.rows {
            let vars = crate::server::rest::talkstack::call::variables(r.variables).map_err(|e| V1Error(AppError::field("rows", e.message)))?;
            rows.push((r.number, vars));
        }
        (b.project_id, b.agent_id, b.name, "rows.json".to_string(), b.validate_only, Err(rows))
    } else {
        let form = read_form(&st, req).await?;
        let Some((file_name, bytes)) = form.file else {
            return Err(V1Error(AppError::missing_field("file")));
        };
        (form.project_id, form.agent_id.unwrap_or_default(), form.name.unwrap_or_default(), file_name, form.validate_only, Ok(bytes))
    };
    let pid = super::agents::project_for(&a, project.filter(|p| !p.trim().is_empty()).or(q.project_id.clone()))?;
    let validate_only = validate_only.or(q.validate_only).unwrap_or(false);
    // Cheap checks first (403/404 before any parsing), then the file on a blocking thread.
    st.read(async |c| batches::may_upload(c, &a, &pid).await).await?;
    let sheet = match source {
        Ok(bytes) => read_upload(file_name.clone(), bytes).await?,
        Err(rows) => batches::sheet_from_rows(rows)?,
    };
    let up = Upload { project_id: &pid, agent_id: &agent_id, name: &name, file_name: &file_name, sheet: &sheet };
    if validate_only {
        let report = st.read(async |c| batches::validate_only(c, &a, &up).await).await?;
        return Ok(ok("Validated; nothing was stored", report)?.into_response());
    }
    let b = st.write(async |tx| batches::create(&st, tx, &a, &up, StartWhen::Never).await).await?;
    Ok(created("Batch created as a draft", BatchOut::from(b))?.into_response())
}

#[utoipa::path(get, path = "/batches", tag = "batches", params(BatchProjectQuery, PageParams), security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "One page of the project's batches, newest first", body = ListEnvelope<BatchOut>), E400, E401, E404))]
pub async fn list_batches(State(st): State<AppState>, h: HeaderMap, V1Query(q): V1Query<BatchProjectQuery>, V1Query(pq): V1Query<PageParams>) -> Page<BatchOut> {
    let a = actor(&st, &h).await?;
    let pid = super::agents::project_for(&a, q.project_id)?;
    let req = pq.parse::<(i64, String)>()?;
    let limit = req.limit;
    let (after, fetch) = req.split();
    let items = st.read(async |c| batches::list(c, &a, &pid, after, fetch).await).await?;
    page("Batches", limit, items, |b| (b.created_at, b.id.clone()), BatchOut::from)
}

#[utoipa::path(get, path = "/batches/{id}", tag = "batches", params(("id" = String, Path, description = "Batch id")), security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "A batch", body = Envelope<BatchOut>), E400, E401, E404))]
pub async fn get_batch(State(st): State<AppState>, h: HeaderMap, V1Path(id): V1Path<String>) -> One<BatchOut> {
    let a = actor(&st, &h).await?;
    ok("Batch", st.read(async |c| batches::get(c, &a, &id).await).await?.into())
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RowsQuery {
    /// Only rows in this state.
    #[param(pattern = "^(invalid|waiting|calling|done|failed|skipped|canceled)$")]
    state: Option<String>,
}

#[utoipa::path(get, path = "/batches/{id}/rows", tag = "batches", params(("id" = String, Path, description = "Batch id"), RowsQuery, PageParams),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "One page of the batch's rows in file order", body = ListEnvelope<BatchRowOut>), E400, E401, E404))]
pub async fn batch_rows(
    State(st): State<AppState>,
    h: HeaderMap,
    V1Path(id): V1Path<String>,
    V1Query(q): V1Query<RowsQuery>,
    V1Query(pq): V1Query<PageParams>,
) -> Page<BatchRowOut> {
    let a = actor(&st, &h).await?;
    let state = batches::state_filter(q.state.as_deref())?;
    let req = pq.parse::<i64>()?;
    let limit = req.limit;
    let (after, fetch) = req.split();
    let items = st.read(async |c| batches::rows(c, &a, &id, state, after, fetch).await).await?;
    page("Batch rows", limit, items, |r| r.row, BatchRowOut::from)
}

/// The options a batch starts with; each one left out keeps the draft's value (every number of
/// the agent, concurrency `min(5, project limit)`, any time, no retries, now).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct StartBody {
    name: Option<String>,
    /// Phone number ids, each one of the agent's numbers; rotated row by row.
    caller_numbers: Option<Vec<String>>,
    /// Calls at once, 1 up to the project's live-call limit.
    concurrency: Option<i64>,
    /// When calls may be placed: IANA zone, days (`mon`..`sun`), ranges (`09:00-17:00`).
    window: Option<CallingWindowSpec>,
    /// Retries for `busy`, `no-answer`, `voicemail`: at most 10, cooldown 1 s to 7 days.
    retry: Option<RetryPolicy>,
    /// RFC 3339; left out or past: now.
    start_at: Option<String>,
}

#[utoipa::path(post, path = "/batches/{id}/start", tag = "batches", params(("id" = String, Path, description = "Batch id")), request_body = StartBody,
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "Started (member+): `running`, or `scheduled` for its start time", body = Envelope<BatchOut>),
        E409, E400, E401, E403, E404, E413, E415))]
pub async fn start_batch(State(st): State<AppState>, h: HeaderMap, V1Path(id): V1Path<String>, V1Json(b): V1Json<StartBody>) -> One<BatchOut> {
    let a = actor(&st, &h).await?;
    let opts = BatchOptions {
        name: b.name,
        caller_numbers: b.caller_numbers,
        concurrency: b.concurrency,
        window: b.window,
        retry: b.retry,
        start_at: crate::server::services::call_history::time_filter("start_at", b.start_at.as_deref())?,
    };
    ok("Batch started", st.write(async |tx| batches::start(&st, tx, &a, &id, opts).await).await?.into())
}

#[utoipa::path(post, path = "/batches/{id}/pause", tag = "batches", params(("id" = String, Path, description = "Batch id")), security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "Paused (member+): nothing more is dialled; calls under way finish", body = Envelope<BatchOut>),
        E409, E400, E401, E403, E404))]
pub async fn pause_batch(State(st): State<AppState>, h: HeaderMap, V1Path(id): V1Path<String>) -> One<BatchOut> {
    let a = actor(&st, &h).await?;
    ok("Batch paused", st.write(async |tx| batches::pause(&st, tx, &a, &id).await).await?.into())
}

#[utoipa::path(post, path = "/batches/{id}/resume", tag = "batches", params(("id" = String, Path, description = "Batch id")), security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "Resumed (member+)", body = Envelope<BatchOut>),
        E409, E400, E401, E403, E404))]
pub async fn resume_batch(State(st): State<AppState>, h: HeaderMap, V1Path(id): V1Path<String>) -> One<BatchOut> {
    let a = actor(&st, &h).await?;
    ok("Batch resumed", st.write(async |tx| batches::resume(&st, tx, &a, &id).await).await?.into())
}

#[utoipa::path(post, path = "/batches/{id}/cancel", tag = "batches", params(("id" = String, Path, description = "Batch id")), security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "Canceled (member+): waiting rows end `canceled`, calls not yet started are canceled, answered calls finish", body = Envelope<BatchOut>),
        E409, E400, E401, E403, E404))]
pub async fn cancel_batch(State(st): State<AppState>, h: HeaderMap, V1Path(id): V1Path<String>) -> One<BatchOut> {
    let a = actor(&st, &h).await?;
    ok("Batch canceled", st.write(async |tx| batches::cancel(&st, tx, &a, &id).await).await?.into())
}

#[utoipa::path(get, path = "/batches/{id}/export", tag = "batches", params(("id" = String, Path, description = "Batch id")), security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "The results as CSV, one line per row of the file: row, number, state, outcome, attempts, call_id, duration_seconds, \
        ended_at, summary, sentiment, successful, then the row's variables and one column per analysis question", content_type = "text/csv", body = String),
        E400, E401, E404))]
pub async fn export_batch(State(st): State<AppState>, h: HeaderMap, V1Path(id): V1Path<String>) -> V1Result<axum::response::Response> {
    let a = actor(&st, &h).await?;
    let (file_name, text) = st.read(async |c| batches::export_csv(c, &a, &id).await).await?;
    Ok(crate::server::batch_pages::csv_download(&file_name, text))
}

// ---- do-not-call -------------------------------------------------------------------------------

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DncQuery {
    /// Default: the API key's project, else the caller's active project.
    project_id: Option<String>,
}

#[utoipa::path(get, path = "/do-not-call", tag = "do-not-call", params(DncQuery, PageParams), security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "One page of the project's do-not-call list, newest first (viewer+)", body = ListEnvelope<DoNotCallOut>), E400, E401, E404))]
pub async fn list_dnc(State(st): State<AppState>, h: HeaderMap, V1Query(q): V1Query<DncQuery>, V1Query(pq): V1Query<PageParams>) -> Page<DoNotCallOut> {
    let a = actor(&st, &h).await?;
    let pid = super::agents::project_for(&a, q.project_id)?;
    let req = pq.parse::<(i64, String)>()?;
    let limit = req.limit;
    let (after, fetch) = req.split();
    let items = st.read(async |c| do_not_call::list(c, &a, &pid, after, fetch).await).await?;
    page("Do-not-call list", limit, items, |d| (d.created_at, d.id.clone()), DoNotCallOut::from)
}

#[derive(Deserialize, ToSchema)]
pub struct AddDncBody {
    /// Default: the API key's project, else the caller's active project.
    project_id: Option<String>,
    /// One number, E.164 or as typed with its country code.
    number: Option<String>,
    /// Several numbers (up to 10,000).
    #[serde(default)]
    numbers: Vec<String>,
    /// Why they are on the list (optional).
    #[serde(default)]
    note: String,
}

#[utoipa::path(post, path = "/do-not-call", tag = "do-not-call", request_body = AddDncBody, security(("bearer" = []), ("api_key" = [])),
    responses((status = 201, description = "Added (admin+); numbers already listed are ignored and reported", body = Envelope<DoNotCallAdded>),
        (status = 200, description = "Every number was on the list already: nothing changed", body = Envelope<DoNotCallAdded>),
        E400, E401, E403, E404, E413, E415))]
pub async fn add_dnc(State(st): State<AppState>, h: HeaderMap, V1Json(b): V1Json<AddDncBody>) -> V1Result<(StatusCode, Json<Envelope<DoNotCallAdded>>)> {
    let a = actor(&st, &h).await?;
    let pid = super::agents::project_for(&a, b.project_id)?;
    let mut numbers = b.numbers;
    if let Some(n) = b.number {
        numbers.insert(0, n);
    }
    let r = st.write(async |tx| do_not_call::add(tx, &a, &pid, &numbers, &b.note).await).await?;
    let out = DoNotCallAdded { added: r.added.into_iter().map(DoNotCallOut::from).collect(), already_listed: r.already_listed };
    if out.added.is_empty() {
        return Ok((StatusCode::OK, Json(Envelope { success: true, message: "Already on the do-not-call list".into(), data: out })));
    }
    created("Added to the do-not-call list", out)
}

#[utoipa::path(delete, path = "/do-not-call/{id}", tag = "do-not-call", params(("id" = String, Path, description = "Entry id")), security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "Removed from the list (admin+)", body = Done), E400, E401, E403, E404))]
pub async fn remove_dnc(State(st): State<AppState>, h: HeaderMap, V1Path(id): V1Path<String>) -> V1Result<Json<Done>> {
    let a = actor(&st, &h).await?;
    st.write(async |tx| do_not_call::remove(tx, &a, &id).await).await?;
    done("Removed from the do-not-call list")
}
