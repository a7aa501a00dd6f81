//! Provider callbacks under `/hooks/twilio`: Twilio's form posts, turned into a
//! [`twilio_calls::Callback`] (the URL Twilio signed, the form, the signature) and handed to the
//! service, which verifies and decides. TwiML answers are `text/xml`; errors are plain JSON
//! with a stable code (Twilio only looks at the status).

use crate::model::AppError;
use crate::server::services::twilio_calls::{self as svc, Callback};
use crate::server::state::AppState;
use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde::Deserialize;

pub fn twilio() -> Router<AppState> {
    Router::new()
        .route("/voice/{call_id}", post(voice))
        .route("/turn/{call_id}", post(turn))
        .route("/status/{call_id}", post(status_of_call))
        .route("/status", post(status_by_sid))
        .route("/recording/{call_id}", post(recording))
        .route("/inbound", post(inbound))
}

/// The request as Twilio signed it: `PUBLIC_URL` (where Twilio was told to send it) plus the path
/// and query it arrived with (the original URI: a nested router's `Uri` lacks the prefix).
fn callback(st: &AppState, uri: &axum::http::Uri, headers: &HeaderMap, body: &[u8]) -> Callback {
    let base = st.config.public_url.as_str().trim_end_matches('/');
    let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    // Also the URL as addressed (Host header, PUBLIC_URL's scheme), for setups where Twilio
    // reaches the server under another name than PUBLIC_URL: the signature still needs the
    // account's token.
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).filter(|h| h.chars().all(|c| c.is_ascii_graphic()));
    let scheme = st.config.public_url.scheme();
    let also = host.map(|h| vec![format!("{scheme}://{h}{path}")]).unwrap_or_default();
    Callback {
        url: format!("{base}{path}"),
        also_urls: also,
        params: url::form_urlencoded::parse(body).into_owned().collect(),
        signature: headers.get("x-twilio-signature").and_then(|v| v.to_str().ok()).map(str::to_string),
    }
}

fn xml(body: String) -> Response {
    // Twilio's documented type; the XML declaration names the encoding.
    ([(header::CONTENT_TYPE, "text/xml"), (header::CACHE_CONTROL, "no-store")], body).into_response()
}

fn error(e: AppError) -> Response {
    let status = StatusCode::from_u16(e.code.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
    (status, axum::Json(serde_json::json!({ "code": e.code.as_str(), "message": e.message }))).into_response()
}

fn twiml(r: Result<String, AppError>) -> Response {
    r.map(xml).unwrap_or_else(error)
}

/// An acknowledged notification: 200 with an empty TwiML document, which every Twilio webhook
/// accepts.
fn empty(r: Result<(), AppError>) -> Response {
    r.map(|()| xml(crate::server::twilio::twiml::response(&[]))).unwrap_or_else(error)
}

async fn voice(State(st): State<AppState>, Path(call_id): Path<String>, OriginalUri(uri): OriginalUri, headers: HeaderMap, body: Bytes) -> Response {
    let cb = callback(&st, &uri, &headers, &body);
    twiml(svc::voice(&st, &call_id, &cb).await)
}

#[derive(Deserialize)]
struct TurnQuery {
    step: i64,
    #[serde(default)]
    retry: Option<String>,
}

async fn turn(
    State(st): State<AppState>,
    Path(call_id): Path<String>,
    Query(q): Query<TurnQuery>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let cb = callback(&st, &uri, &headers, &body);
    let retry = q.retry.as_deref().is_some_and(|r| r == "1" || r.eq_ignore_ascii_case("true"));
    twiml(svc::turn(&st, &call_id, q.step, retry, &cb).await)
}

async fn status_of_call(State(st): State<AppState>, Path(call_id): Path<String>, OriginalUri(uri): OriginalUri, headers: HeaderMap, body: Bytes) -> Response {
    let cb = callback(&st, &uri, &headers, &body);
    empty(svc::status_callback(&st, Some(&call_id), &cb).await)
}

async fn status_by_sid(State(st): State<AppState>, OriginalUri(uri): OriginalUri, headers: HeaderMap, body: Bytes) -> Response {
    let cb = callback(&st, &uri, &headers, &body);
    empty(svc::status_callback(&st, None, &cb).await)
}

async fn recording(State(st): State<AppState>, Path(call_id): Path<String>, OriginalUri(uri): OriginalUri, headers: HeaderMap, body: Bytes) -> Response {
    let cb = callback(&st, &uri, &headers, &body);
    empty(svc::recording_callback(&st, &call_id, &cb).await)
}

async fn inbound(State(st): State<AppState>, OriginalUri(uri): OriginalUri, headers: HeaderMap, body: Bytes) -> Response {
    let cb = callback(&st, &uri, &headers, &body);
    twiml(svc::inbound(&st, &cb).await)
}
