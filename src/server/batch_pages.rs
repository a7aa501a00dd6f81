//! The batch pages' plain HTTP routes, for what a server function cannot do well:
//!
//! - `POST /batches/upload`: the "New batch" form (`multipart/form-data`: `project_id`,
//!   `agent_id`, `name`, `file`), posted by the browser itself so it works without JavaScript.
//!   Success answers 303 to the new draft (`/batches/{id}`); a refused upload sends the browser
//!   back to the form with the message (`/batches/new?error=…&field=…`, plus the agent and name
//!   it had), so nothing typed but the file is lost. Callers that do not ask for HTML (tests,
//!   scripts) get the error's status and JSON body instead. Bodies up to
//!   [`UPLOAD_MAX_BYTES`]. Cross-site posts are refused by `http::refuse_cross_site` like every
//!   cookie-authenticated post.
//! - `GET /batches/{id}/export.csv`: the batch's results as a CSV download.
//! - `GET /batches/events?project_id=…`: the project's batch changes as server-sent events
//!   (event `batch`, data `{"id", "status", "progress"}`; `lagged` when changes were missed),
//!   for the Batches pages. With `&kind=webhook` (admins), the webhook delivery log's changes
//!   instead (event `webhook`, data `{"id": endpoint id, "delivery_id"}`), for the Webhooks
//!   settings. `/api/v1/calls/stream` carries call changes only.
//!
//! - `POST /do-not-call/upload`: numbers from a file (`multipart/form-data`: `project_id`,
//!   `note`, `file`) onto the project's do-not-call list; 303 back to `/settings/do-not-call`
//!   with `?added=N&already=M` or `?error=…`.
//!
//! All of them authenticate as the REST API does (API key, bearer token or the session cookie);
//! the pages use the cookie. Every rule is the service's (`services::batches`).

use crate::model::{AppError, ErrorCode};
use crate::server::http::{self, actor, edge_error};
use crate::server::services::batches::{self, Upload};
use crate::server::services::do_not_call;
use crate::server::state::AppState;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

/// The largest upload (the v1 upload's limit).
pub const UPLOAD_MAX_BYTES: usize = crate::server::rest::v1::batches::UPLOAD_MAX_BYTES;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/batches/upload", post(upload).layer(DefaultBodyLimit::max(UPLOAD_MAX_BYTES)))
        .route("/batches/events", get(events))
        .route("/batches/{id}/export.csv", get(export))
        .route("/do-not-call/upload", post(dnc_upload).layer(DefaultBodyLimit::max(UPLOAD_MAX_BYTES)))
}

fn wants_html(h: &HeaderMap) -> bool {
    h.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"))
}

#[derive(Default)]
struct Form {
    project_id: String,
    agent_id: String,
    name: String,
    note: String,
    file: Option<(String, Vec<u8>)>,
}

async fn read_form(st: &AppState, req: Request) -> Result<Form, AppError> {
    let ct = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
    if !ct.starts_with("multipart/form-data") {
        return Err(AppError::new(ErrorCode::UnsupportedMediaType, "Send the form as multipart/form-data."));
    }
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::field("file", format!("The file is larger than {} MiB.", UPLOAD_MAX_BYTES / (1024 * 1024)))
        } else {
            AppError::new(ErrorCode::InvalidInput, "The form could not be read: try again.")
        }
    };
    let mut mp = Multipart::from_request(req, st)
        .await
        .map_err(|_| AppError::new(ErrorCode::InvalidInput, "The form could not be read: try again."))?;
    let mut f = Form::default();
    while let Some(field) = mp.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or("").to_string();
        match name.as_str() {
            "file" => {
                let file_name = field.file_name().unwrap_or("").to_string();
                let bytes = field.bytes().await.map_err(unreadable)?;
                // A file input left empty still sends a part, without a name or bytes.
                if !(file_name.is_empty() && bytes.is_empty()) {
                    f.file = Some((file_name, bytes.to_vec()));
                }
            }
            "project_id" | "agent_id" | "name" | "note" => {
                let text = field.text().await.map_err(unreadable)?;
                if text.contains('\0') {
                    return Err(http::nul_refused());
                }
                match name.as_str() {
                    "project_id" => f.project_id = text,
                    "agent_id" => f.agent_id = text,
                    "note" => f.note = text,
                    _ => f.name = text,
                }
            }
            _ => {}
        }
    }
    Ok(f)
}

/// Where a refused form post goes: back to the form with the message and what was typed.
fn back_to_form(e: &AppError, agent_id: &str, name: &str) -> String {
    let field = e.details.first().map(|d| d.field.as_str()).unwrap_or("");
    let message = e
        .details
        .first()
        .filter(|d| e.details.len() == 1 && d.message == e.message)
        .map(|d| d.message.as_str())
        .unwrap_or(e.message.as_str());
    let mut q = vec![("error", message), ("field", field), ("agent_id", agent_id), ("name", name)];
    q.retain(|(_, v)| !v.is_empty());
    let q: Vec<String> = q.into_iter().map(|(k, v)| format!("{k}={}", urlencoding::encode(v))).collect();
    format!("/batches/new?{}", q.join("&"))
}

async fn upload(State(st): State<AppState>, h: HeaderMap, req: Request) -> Response {
    let html = wants_html(&h);
    let a = match actor(&st, &h).await {
        Ok(a) => a,
        Err(_) if html => return Redirect::to("/login?next=%2Fbatches%2Fnew").into_response(),
        Err(e) => return edge_error("/batches/upload", e),
    };
    let form = match read_form(&st, req).await {
        Ok(f) => f,
        Err(e) if html => return Redirect::to(&back_to_form(&e, "", "")).into_response(),
        Err(e) => return edge_error("/batches/upload", e),
    };
    match create(&st, &a, &form).await {
        Ok(id) => Redirect::to(&format!("/batches/{id}")).into_response(),
        Err(e) if html => Redirect::to(&back_to_form(&e, &form.agent_id, &form.name)).into_response(),
        Err(e) => edge_error("/batches/upload", e),
    }
}

async fn create(st: &AppState, a: &crate::server::auth::Actor, form: &Form) -> Result<String, AppError> {
    let pid = form.project_id.trim();
    if pid.is_empty() {
        return Err(AppError::missing_field("project_id"));
    }
    // The cheap checks first: strangers and viewers cost no parsing.
    st.read(async |c| batches::may_upload(c, a, pid).await).await?;
    if form.agent_id.trim().is_empty() {
        return Err(AppError::field("agent_id", "Pick the agent that will make the calls."));
    }
    let Some((file_name, bytes)) = form.file.clone() else {
        return Err(AppError::field("file", "Choose a CSV or spreadsheet file (CSV, xlsx, xls or ods)."));
    };
    let fname = file_name.clone();
    let sheet = tokio::task::spawn_blocking(move || batches::read_file(&fname, &bytes)).await.map_err(|e| {
        tracing::error!(error = %e, "reading an uploaded batch file failed");
        AppError::internal()
    })??;
    let up = Upload { project_id: pid, agent_id: form.agent_id.trim(), name: &form.name, file_name: &file_name, sheet: &sheet };
    let b = st.write(async |tx| batches::create_draft(tx, a, &up).await).await?;
    Ok(b.id)
}

const DNC_PAGE: &str = "/settings/do-not-call";

/// The do-not-call page with a refused upload's message.
fn back_to_dnc(e: &AppError) -> String {
    let message = e.details.first().filter(|_| e.details.len() == 1).map(|d| d.message.as_str()).unwrap_or(e.message.as_str());
    format!("{DNC_PAGE}?error={}", urlencoding::encode(message))
}

/// `POST /do-not-call/upload`: numbers from a file's number column onto the project's list.
async fn dnc_upload(State(st): State<AppState>, h: HeaderMap, req: Request) -> Response {
    let html = wants_html(&h);
    let a = match actor(&st, &h).await {
        Ok(a) => a,
        Err(_) if html => return Redirect::to("/login?next=%2Fsettings%2Fdo-not-call").into_response(),
        Err(e) => return edge_error("/do-not-call/upload", e),
    };
    let added = async {
        let form = read_form(&st, req).await?;
        let pid = form.project_id.trim().to_string();
        if pid.is_empty() {
            return Err(AppError::missing_field("project_id"));
        }
        st.read(async |c| do_not_call::may_change(c, &a, &pid).await).await?;
        let Some((file_name, bytes)) = form.file else {
            return Err(AppError::field("file", "Choose a CSV or spreadsheet file with a \"number\" column."));
        };
        let numbers = tokio::task::spawn_blocking(move || do_not_call::numbers_from_file(&file_name, &bytes)).await.map_err(|e| {
            tracing::error!(error = %e, "reading an uploaded do-not-call file failed");
            AppError::internal()
        })??;
        st.write(async |tx| do_not_call::add(tx, &a, &pid, &numbers, &form.note).await).await
    }
    .await;
    match added {
        Ok(r) if html => Redirect::to(&format!("{DNC_PAGE}?added={}&already={}", r.added.len(), r.already_listed.len())).into_response(),
        Ok(r) => axum::Json(serde_json::json!({"added": r.added.len(), "already_listed": r.already_listed.len()})).into_response(),
        Err(e) if html => Redirect::to(&back_to_dnc(&e)).into_response(),
        Err(e) => edge_error("/do-not-call/upload", e),
    }
}

/// An error for a browser download or stream: the message as text with the error's status.
fn plain_error(e: AppError) -> Response {
    let status = StatusCode::from_u16(e.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], e.message).into_response()
}

/// `attachment` with an ASCII `filename` and the exact one as `filename*` (RFC 6266).
fn attachment(file_name: &str) -> String {
    let ascii: String = file_name.chars().map(|c| if c.is_ascii_alphanumeric() || "._- ()".contains(c) { c } else { '_' }).collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{}", urlencoding::encode(file_name))
}

/// A CSV file as a download (the batch export, here and in the v1 API).
pub fn csv_download(file_name: &str, csv: String) -> Response {
    ([(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, attachment(file_name))], csv).into_response()
}

async fn export(State(st): State<AppState>, h: HeaderMap, Path(id): Path<String>) -> Response {
    let a = match actor(&st, &h).await {
        Ok(a) => a,
        Err(e) => return plain_error(e),
    };
    match st.read(async |c| batches::export_csv(c, &a, &id).await).await {
        Ok((file_name, csv)) => csv_download(&file_name, csv),
        Err(e) => plain_error(e),
    }
}

#[derive(Deserialize)]
struct EventsQuery {
    project_id: String,
    /// `batch` (default) or `webhook`.
    kind: Option<String>,
}

async fn events(State(st): State<AppState>, h: HeaderMap, Query(q): Query<EventsQuery>) -> Response {
    use axum::response::sse::{Event, KeepAlive, Sse};
    use tokio::sync::broadcast::error::RecvError;
    let a = match actor(&st, &h).await {
        Ok(a) => a,
        Err(e) => return plain_error(e),
    };
    let pid = q.project_id;
    let kind: &'static str = match q.kind.as_deref().unwrap_or("batch") {
        "batch" => "batch",
        "webhook" => "webhook",
        _ => return plain_error(AppError::field("kind", "Follow batch or webhook changes.")),
    };
    let allowed = st
        .read(async |c| match kind {
            "webhook" => crate::server::services::webhooks::watch(c, &a, &pid).await,
            _ => crate::server::services::calls::watch(c, &a, &pid).await,
        })
        .await;
    if let Err(e) = allowed {
        return plain_error(e);
    }
    let rx = st.feed.subscribe();
    let stream = futures::stream::unfold((rx, pid), move |(mut rx, pid)| async move {
        loop {
            match rx.recv().await {
                Ok(ch) if ch.project_id == pid && ch.kind == kind => {
                    let mut data = ch.data.clone();
                    if let Some(o) = data.as_object_mut() {
                        o.insert("id".into(), serde_json::Value::String(ch.id.clone()));
                    } else {
                        data = serde_json::json!({ "id": ch.id });
                    }
                    let ev = Event::default().event(kind).data(data.to_string());
                    return Some((Ok::<_, std::convert::Infallible>(ev), (rx, pid)));
                }
                Ok(_) => continue,
                Err(RecvError::Lagged(n)) => return Some((Ok(Event::default().event("lagged").data(n.to_string())), (rx, pid))),
                Err(RecvError::Closed) => return None,
            }
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::default()).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downloads_name_their_file_safely() {
        assert_eq!(attachment("b-1-results.csv"), "attachment; filename=\"b-1-results.csv\"; filename*=UTF-8''b-1-results.csv");
        assert!(attachment("Été \"x\".csv").starts_with("attachment; filename=\"_t_ _x_.csv\"; filename*=UTF-8''%C3%89t%C3%A9%20%22x%22.csv"));
    }

    #[test]
    fn refused_uploads_go_back_to_the_form_with_the_message() {
        let e = AppError::field("file", "The file is empty.");
        assert_eq!(back_to_form(&e, "a1", "Spring"), "/batches/new?error=The%20file%20is%20empty.&field=file&agent_id=a1&name=Spring");
        let e = AppError::forbidden("No.");
        assert_eq!(back_to_form(&e, "", ""), "/batches/new?error=No.");
    }
}
