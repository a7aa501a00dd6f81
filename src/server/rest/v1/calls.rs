//! `/api/v1` calls: place one with an agent (Talkover's `POST /agents/{id}/call`), list, read,
//! follow its events, cancel, and re-run its analysis.

use super::envelope::{created, ok, page, PageParams, V1Error, V1Json, V1Path, V1Query, V1Result};
use super::openapi::{E400, E401, E403, E404, E409, E413, E415, E422};
use super::types::{CallAnalysisOut, CallEventOut, CallOut, Envelope, ListEnvelope};
use crate::model::{AppError, CustomQuestion};
use crate::server::db::calls::CallFilter;
use crate::server::http::actor;
use crate::server::rest::json::Json;
use crate::server::services::call_history::{direction_filter, end_reason_filter, number_filter, search_filter, sentiment_filter, status_filter, time_filter};
use crate::server::services::calls::{self, PlaceCall};
use crate::server::state::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::collections::BTreeMap;

type Page<T> = V1Result<Json<ListEnvelope<T>>>;
type One<T> = V1Result<Json<Envelope<T>>>;

/// The longest delay a call may be scheduled with (30 days).
const MAX_DELAY_SECS: i64 = 30 * 24 * 60 * 60;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct PlaceCallBody {
    /// The destination, E.164 or as typed (`+1 415 555 2671`).
    to: String,
    /// The caller number: one of the agent's numbers (default: its first outbound number).
    from: Option<String>,
    /// Values of the prompt's `{{variables}}`; every variable must be given.
    #[serde(default, alias = "dynamic_variables")]
    #[schema(value_type = Object)]
    payload: BTreeMap<String, serde_json::Value>,
    /// Passed through with the call (and to webhooks), e.g. your own ids.
    #[serde(default, alias = "metadata")]
    #[schema(value_type = Object)]
    context: serde_json::Value,
    /// Start the call after this many seconds (0 to 2592000).
    #[schema(minimum = 0, maximum = 2592000)]
    delay_seconds: Option<i64>,
    /// Accepted for Talkover compatibility; every simulated call is a test call.
    #[allow(dead_code)]
    is_testing: Option<bool>,
}

#[utoipa::path(post, path = "/agents/{agent_id}/call", tag = "calls", params(("agent_id" = String, Path, description = "Agent id"),
    ("Idempotency-Key" = Option<String>, Header, description = "Retry safely: the same key and body return the first call; another body is 422")),
    request_body = PlaceCallBody, security(("bearer" = []), ("api_key" = [])),
    responses((status = 201, description = "Placed (member+): queued, then started as the project's concurrency limit allows", body = Envelope<CallOut>),
        (status = 200, description = "The call an earlier request with this Idempotency-Key placed", body = Envelope<CallOut>),
        E400, E401, E403, E404, E409, E413, E415, E422))]
pub async fn place_call(
    State(st): State<AppState>,
    h: HeaderMap,
    V1Path(agent_id): V1Path<String>,
    V1Json(b): V1Json<PlaceCallBody>,
) -> V1Result<(StatusCode, Json<Envelope<CallOut>>)> {
    let a = actor(&st, &h).await?;
    let delay = b.delay_seconds.unwrap_or(0);
    if !(0..=MAX_DELAY_SECS).contains(&delay) {
        return Err(V1Error(AppError::field("delay_seconds", format!("delay_seconds must be between 0 and {MAX_DELAY_SECS}."))));
    }
    let req = PlaceCall {
        agent_id: Some(agent_id),
        project_id: None,
        to: b.to,
        from: b.from,
        variables: crate::server::rest::talkstack::call::variables(b.payload)?,
        metadata: b.context,
        delay_secs: Some(delay),
    };
    let key = h.get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::to_string);
    let placed = st.write(async |tx| calls::place(&st, tx, &a, req, key.as_deref()).await).await?;
    if placed.replayed {
        return Ok((StatusCode::OK, Json(Envelope { success: true, message: "Call placed earlier with this Idempotency-Key".into(), data: placed.call.into() })));
    }
    created("Call placed", placed.call.into())
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CallListQuery {
    /// Default: the API key's project, else the caller's active project.
    project_id: Option<String>,
    /// Only calls in this status.
    #[param(pattern = "^(queued|initiated|ringing|in-progress|completed|busy|no-answer|failed|canceled)$")]
    status: Option<String>,
    /// `inbound` or `outbound`.
    #[param(pattern = "^(inbound|outbound)$")]
    direction: Option<String>,
    agent_id: Option<String>,
    /// One of the end reasons, e.g. `user_hangup`.
    end_reason: Option<String>,
    /// The destination (E.164 or as typed).
    to: Option<String>,
    /// The caller number (E.164 or as typed).
    from: Option<String>,
    /// Calls created at or after this time (RFC 3339).
    created_after: Option<String>,
    /// Calls created before this time (RFC 3339).
    created_before: Option<String>,
    #[param(minimum = 0)]
    min_duration_ms: Option<i64>,
    #[param(minimum = 0)]
    max_duration_ms: Option<i64>,
    /// Only test calls (`true`) or only live ones (`false`).
    is_test: Option<bool>,
    /// The latest analysis's caller sentiment.
    #[param(pattern = "^(positive|neutral|negative|unknown)$")]
    sentiment: Option<String>,
    /// Whether the latest analysis judged the call successful (`true` or `false`).
    #[param(pattern = "^(true|false)$")]
    success: Option<String>,
    /// Text search over the numbers (any run of 4+ digits, e.g. `5550006` or `+1 415 555`; a number
    /// search of fewer digits is a 400) and the transcript (every word must appear; words match
    /// their other forms, `budgets` finds `budget`).
    #[param(max_length = 200)]
    q: Option<String>,
    /// Include each call's `transcript` (default `false`: lists carry the call's facts and its
    /// outcome; the transcript, most of a call's bytes, comes with `GET /calls/{id}`).
    transcripts: Option<bool>,
}

impl CallListQuery {
    fn filter(&self) -> Result<CallFilter, AppError> {
        let status = status_filter(self.status.as_deref())?;
        let direction = direction_filter(self.direction.as_deref())?;
        let end_reason = end_reason_filter(self.end_reason.as_deref())?;
        let sentiment = sentiment_filter(self.sentiment.as_deref())?;
        let success = match self.success.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some("true") => Some(true),
            Some("false") => Some(false),
            Some(_) => return Err(AppError::field("success", "success must be true or false.")),
        };
        let q = search_filter(self.q.as_deref())?;
        for (field, v) in [("min_duration_ms", self.min_duration_ms), ("max_duration_ms", self.max_duration_ms)] {
            if v.is_some_and(|d| d < 0) {
                return Err(AppError::field(field, format!("{field} cannot be negative.")));
            }
        }
        Ok(CallFilter {
            status,
            direction,
            agent_id: self.agent_id.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string),
            end_reason,
            to: number_filter("to", self.to.as_deref())?,
            from: number_filter("from", self.from.as_deref())?,
            created_from: time_filter("created_after", self.created_after.as_deref())?,
            created_before: time_filter("created_before", self.created_before.as_deref())?,
            min_duration_ms: self.min_duration_ms,
            max_duration_ms: self.max_duration_ms,
            is_test: self.is_test,
            sentiment,
            success,
            q,
            transcripts: self.transcripts.unwrap_or(false),
            ..Default::default()
        })
    }
}

#[utoipa::path(get, path = "/calls", tag = "calls", params(CallListQuery, PageParams), security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "One page of the project's calls, newest first (without transcripts unless `transcripts=true`)", body = ListEnvelope<CallOut>), E400, E401, E404))]
pub async fn list_calls(State(st): State<AppState>, h: HeaderMap, V1Query(q): V1Query<CallListQuery>, V1Query(pq): V1Query<PageParams>) -> Page<CallOut> {
    let a = actor(&st, &h).await?;
    let pid = super::agents::project_for(&a, q.project_id.clone())?;
    let filter = q.filter()?;
    let req = pq.parse::<(i64, String)>()?;
    let limit = req.limit;
    let (after, fetch) = req.split();
    let items = st.reader(async |r| calls::page(r, &a, &pid, &filter, after, fetch).await).await?;
    let with_transcripts = filter.transcripts;
    page(
        "Calls",
        limit,
        items,
        |c| (c.created_at, c.id.clone()),
        |c| {
            let mut out = CallOut::from(c);
            if !with_transcripts {
                out.transcript = None;
            }
            out
        },
    )
}

#[utoipa::path(get, path = "/calls/{id}", tag = "calls", params(("id" = String, Path, description = "Call id")), security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "A call with its transcript and latest analysis", body = Envelope<CallOut>), E400, E401, E404))]
pub async fn get_call(State(st): State<AppState>, h: HeaderMap, V1Path(id): V1Path<String>) -> One<CallOut> {
    let a = actor(&st, &h).await?;
    ok("Call", st.read(async |c| calls::get(&st, c, &a, &id).await).await?.into())
}

#[utoipa::path(get, path = "/calls/{id}/events", tag = "calls", params(("id" = String, Path, description = "Call id")), security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "The call's status changes, oldest first", body = Envelope<Vec<CallEventOut>>), E400, E401, E404))]
pub async fn call_events(State(st): State<AppState>, h: HeaderMap, V1Path(id): V1Path<String>) -> One<Vec<CallEventOut>> {
    let a = actor(&st, &h).await?;
    ok("Call events", st.read(async |c| calls::events(c, &a, &id).await).await?.into_iter().map(CallEventOut::from).collect())
}

#[utoipa::path(post, path = "/calls/{id}/cancel", tag = "calls", params(("id" = String, Path, description = "Call id")), security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "Canceled (member+; only before it is answered)", body = Envelope<CallOut>), E400, E401, E403, E404, E409))]
pub async fn cancel_call(State(st): State<AppState>, h: HeaderMap, V1Path(id): V1Path<String>) -> One<CallOut> {
    let a = actor(&st, &h).await?;
    ok("Call canceled", st.write(async |tx| calls::cancel(&st, tx, &a, &id).await).await?.into())
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecordingQuery {
    /// Of a signed link (the call's `recording.url`): when it stops working, Unix seconds.
    expires: Option<i64>,
    /// Of a signed link: hex HMAC-SHA256 over the call id and `expires`, keyed by the server secret.
    signature: Option<String>,
}

#[utoipa::path(get, path = "/calls/{id}/recording", tag = "calls", params(("id" = String, Path, description = "Call id"), RecordingQuery,
    ("Range" = Option<String>, Header, description = "One byte range (`bytes=0-1023`), so players can seek")),
    security(("bearer" = []), ("api_key" = []), ()),
    responses((status = 200, description = "The recording (members of the call's project, viewer and up, or a signed link): \
        a mono 16-bit PCM WAV at 8 kHz for simulated calls, Twilio's MP3 for Twilio calls", content((Vec<u8> = "audio/wav"), (Vec<u8> = "audio/mpeg"))),
        (status = 206, description = "The requested byte range", content((Vec<u8> = "audio/wav"), (Vec<u8> = "audio/mpeg"))),
        (status = 403, description = "A signed link that expired or was altered (open the call again for a fresh one)", body = super::types::ErrorEnvelope),
        (status = 416, description = "A range outside the recording"),
        E400, E401, E404))]
pub async fn call_recording(State(st): State<AppState>, h: HeaderMap, V1Path(id): V1Path<String>, V1Query(q): V1Query<RecordingQuery>) -> V1Result<Response> {
    use crate::server::services::recordings;
    let audio = if q.expires.is_some() || q.signature.is_some() {
        recordings::verify(&st.config.secret_key, &id, q.expires, q.signature.as_deref(), crate::server::db::now_ms())?;
        st.read(async |c| recordings::audio_by_link(c, &id).await).await?
    } else {
        let a = actor(&st, &h).await?;
        st.read(async |c| recordings::audio(c, &a, &id).await).await?
    };
    Ok(ranged(&h, audio.content_type, audio.bytes))
}

/// The body, or the one byte range the request asks for (`bytes=a-b`, `bytes=a-`, `bytes=-n`);
/// anything else gets the whole body.
fn ranged(h: &HeaderMap, content_type: String, bytes: Vec<u8>) -> Response {
    use axum::http::header;
    let len = bytes.len() as u64;
    let range = h.get(header::RANGE).and_then(|v| v.to_str().ok()).and_then(|r| parse_range(r, len));
    let common = [(header::CONTENT_TYPE, content_type), (header::ACCEPT_RANGES, "bytes".to_string()), (header::CACHE_CONTROL, "private, max-age=300".to_string())];
    match range {
        Some(Some((start, end))) => {
            let body = bytes[start as usize..=end as usize].to_vec();
            let content_range = (header::CONTENT_RANGE, format!("bytes {start}-{end}/{len}"));
            (StatusCode::PARTIAL_CONTENT, common, [content_range], body).into_response()
        }
        Some(None) => (StatusCode::RANGE_NOT_SATISFIABLE, [(header::CONTENT_RANGE, format!("bytes */{len}"))]).into_response(),
        None => (StatusCode::OK, common, bytes).into_response(),
    }
}

/// `None`: no usable range header (serve everything); `Some(None)`: unsatisfiable.
fn parse_range(raw: &str, len: u64) -> Option<Option<(u64, u64)>> {
    let spec = raw.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (a, b) = spec.split_once('-')?;
    let (a, b) = (a.trim(), b.trim());
    let range = match (a.is_empty(), b.is_empty()) {
        (true, false) => {
            let n: u64 = b.parse().ok()?;
            if n == 0 || len == 0 {
                return Some(None);
            }
            (len.saturating_sub(n), len - 1)
        }
        (false, _) => {
            let start: u64 = a.parse().ok()?;
            let end: u64 = if b.is_empty() { len.saturating_sub(1) } else { b.parse::<u64>().ok()?.min(len.saturating_sub(1)) };
            if start >= len || end < start {
                return Some(None);
            }
            (start, end)
        }
        (true, true) => return None,
    };
    Some(Some(range))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct AnalysisBody {
    /// Ad-hoc questions answered after the agent's configured ones.
    #[serde(default)]
    questions: Vec<CustomQuestion>,
}

#[utoipa::path(post, path = "/calls/{id}/analysis", tag = "calls", params(("id" = String, Path, description = "Call id")), request_body = AnalysisBody,
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 201, description = "A new analysis version (member+; finished calls)", body = Envelope<CallAnalysisOut>), E400, E401, E403, E404, E409, E413, E415))]
pub async fn analyze_call(
    State(st): State<AppState>,
    h: HeaderMap,
    V1Path(id): V1Path<String>,
    V1Json(b): V1Json<AnalysisBody>,
) -> V1Result<(StatusCode, Json<Envelope<CallAnalysisOut>>)> {
    let a = actor(&st, &h).await?;
    let questions = crate::server::services::agents::clean_questions(b.questions)?;
    created("Analysis added", calls::reanalyze(&st, &a, &id, questions).await?.into())
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OverviewQuery {
    /// Default: the API key's project, else the caller's active project.
    project_id: Option<String>,
    /// The period: 7, 30 or 90 days up to today (UTC). Default 30.
    #[param(minimum = 7, maximum = 90)]
    days: Option<u32>,
}

#[utoipa::path(get, path = "/calls/overview", tag = "calls", params(OverviewQuery), security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "The project's call statistics over the period: finished calls per day by outcome (every day, oldest \
        first), answer rate, average duration, success rate and sentiment split. Calls count on the UTC day they were created.",
        body = Envelope<crate::model::OverviewView>), E400, E401, E404))]
pub async fn call_overview(State(st): State<AppState>, h: HeaderMap, V1Query(q): V1Query<OverviewQuery>) -> One<crate::model::OverviewView> {
    let a = actor(&st, &h).await?;
    let pid = super::agents::project_for(&a, q.project_id.clone())?;
    let days = q.days.unwrap_or(30);
    let now = crate::server::db::now_ms();
    ok("Call overview", st.read(async |c| crate::server::services::stats::overview(c, &a, &pid, days, now).await).await?)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StreamQuery {
    /// Default: the API key's project, else the caller's active project.
    project_id: Option<String>,
}

#[utoipa::path(get, path = "/calls/stream", tag = "calls", params(StreamQuery), security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "Server-sent events: a `call` event (`{id, status, step}`) each time a call of the project changes; \
        `lagged` when this client fell behind and missed changes (re-read the list). Comments keep the connection alive.",
        content_type = "text/event-stream", body = String), E400, E401, E404))]
pub async fn stream_calls(
    State(st): State<AppState>,
    h: HeaderMap,
    V1Query(q): V1Query<StreamQuery>,
) -> V1Result<axum::response::sse::Sse<impl futures::Stream<Item = Result<axum::response::sse::Event, std::convert::Infallible>>>> {
    use axum::response::sse::{Event, KeepAlive, Sse};
    use tokio::sync::broadcast::error::RecvError;
    let a = actor(&st, &h).await?;
    let pid = super::agents::project_for(&a, q.project_id.clone())?;
    st.read(async |c| calls::watch(c, &a, &pid).await).await?;
    let rx = st.feed.subscribe();
    let events = futures::stream::unfold((rx, pid), |(mut rx, pid)| async move {
        loop {
            match rx.recv().await {
                Ok(ch) if ch.project_id == pid && ch.kind == "call" => {
                    let mut data = ch.data.clone();
                    if let Some(o) = data.as_object_mut() {
                        o.insert("id".into(), serde_json::Value::String(ch.id.clone()));
                    }
                    return Some((Ok(Event::default().event("call").data(data.to_string())), (rx, pid)));
                }
                Ok(_) => continue,
                Err(RecvError::Lagged(n)) => return Some((Ok(Event::default().event("lagged").data(n.to_string())), (rx, pid))),
                Err(RecvError::Closed) => return None,
            }
        }
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct TestCallBody {
    /// The caller's number (default a test caller); its last four digits pick the simulated
    /// outcome, as a destination's do for outbound calls.
    from: Option<String>,
    /// Values of the inbound agent's prompt `{{variables}}`.
    #[serde(default)]
    #[schema(value_type = Object)]
    payload: BTreeMap<String, serde_json::Value>,
}

#[utoipa::path(post, path = "/phone-numbers/{number_id}/test-call", tag = "calls", params(("number_id" = String, Path, description = "Phone number id")),
    request_body = TestCallBody, security(("bearer" = []), ("api_key" = [])),
    responses((status = 201, description = "A test inbound call to the number, answered by its inbound agent (member+)", body = Envelope<CallOut>),
        E400, E401, E403, E404, E409, E413, E415))]
pub async fn test_call(
    State(st): State<AppState>,
    h: HeaderMap,
    V1Path(number_id): V1Path<String>,
    V1Json(b): V1Json<TestCallBody>,
) -> V1Result<(StatusCode, Json<Envelope<CallOut>>)> {
    let a = actor(&st, &h).await?;
    let variables = crate::server::rest::talkstack::call::variables(b.payload)?;
    let call = st.write(async |tx| calls::test_inbound(&st, tx, &a, &number_id, b.from.as_deref(), variables).await).await?;
    created("Test call placed", call.into())
}

#[cfg(test)]
mod tests {
    #[test]
    fn byte_ranges() {
        use super::parse_range;
        assert_eq!(parse_range("bytes=0-9", 100), Some(Some((0, 9))));
        assert_eq!(parse_range("bytes=90-", 100), Some(Some((90, 99))));
        assert_eq!(parse_range("bytes=-10", 100), Some(Some((90, 99))));
        assert_eq!(parse_range("bytes=50-500", 100), Some(Some((50, 99))));
        assert_eq!(parse_range("bytes=100-", 100), Some(None));
        assert_eq!(parse_range("bytes=9-3", 100), Some(None));
        assert_eq!(parse_range("bytes=0-1,5-6", 100), None);
        assert_eq!(parse_range("items=0-1", 100), None);
        assert_eq!(parse_range("bytes=x-1", 100), None);
    }
}
