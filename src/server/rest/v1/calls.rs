//! `/api/v1` calls: place one with an agent (Talkover's `POST /agents/{id}/call`), list, read,
//! follow its events, cancel, and re-run its analysis.

use super::envelope::{created, ok, page, PageParams, V1Error, V1Json, V1Path, V1Query, V1Result};
use super::openapi::{E400, E401, E403, E404, E409, E413, E415, E422};
use super::types::{CallAnalysisOut, CallEventOut, CallOut, Envelope, ListEnvelope};
use crate::model::{AppError, CallStatus, CustomQuestion, Direction, EndReason, Sentiment};
use crate::server::db::calls::CallFilter;
use crate::server::http::actor;
use crate::server::services::calls::{self, PlaceCall};
use crate::server::state::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
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
    /// Text search over the numbers (any run of 4+ digits, e.g. `5550006` or `+1 415 555`) and the
    /// transcript (every word must appear; words match their other forms, `budgets` finds `budget`).
    #[param(max_length = 200)]
    q: Option<String>,
    /// Include each call's `transcript` (default `false`: lists carry the call's facts and its
    /// outcome; the transcript, most of a call's bytes, comes with `GET /calls/{id}`).
    transcripts: Option<bool>,
}

/// Longest text search accepted.
const MAX_Q_CHARS: usize = 200;

/// A time filter: RFC 3339 (`2026-11-29T10:00:00Z`) or a date (`2026-11-29`, midnight UTC).
pub fn time_filter(field: &str, raw: Option<&str>) -> Result<Option<i64>, AppError> {
    let Some(s) = raw.map(str::trim).filter(|s| !s.is_empty()) else { return Ok(None) };
    let bad = || AppError::field(field, format!("{field} must be an RFC 3339 time (2026-11-29T10:00:00Z) or a date (2026-11-29)."));
    let t = match time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339) {
        Ok(t) => t,
        Err(_) => {
            let fmt = time::macros::format_description!("[year]-[month]-[day]");
            time::Date::parse(s, &fmt).map_err(|_| bad())?.midnight().assume_utc()
        }
    };
    Ok(Some((t.unix_timestamp_nanos() / 1_000_000) as i64))
}

/// A status filter: absent or blank keeps every status.
pub fn status_filter(raw: Option<&str>) -> Result<Option<CallStatus>, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => CallStatus::parse(s).map(Some).ok_or_else(|| AppError::field("status", "Unknown call status.")),
    }
}

pub fn number_filter(field: &str, raw: Option<&str>) -> Result<Option<String>, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => Ok(Some(crate::server::domain::E164::parse(s, None, field)?.as_str().to_string())),
    }
}

impl CallListQuery {
    fn filter(&self) -> Result<CallFilter, AppError> {
        let status = status_filter(self.status.as_deref())?;
        let direction = match self.direction.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => Some(Direction::parse(s).ok_or_else(|| AppError::field("direction", "Direction must be inbound or outbound."))?),
        };
        let end_reason = match self.end_reason.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => Some(EndReason::parse(s).ok_or_else(|| AppError::field("end_reason", "Unknown end reason."))?),
        };
        let sentiment = match self.sentiment.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => Some(Sentiment::parse(s).ok_or_else(|| AppError::field("sentiment", "Sentiment must be positive, neutral, negative or unknown."))?),
        };
        let success = match self.success.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some("true") => Some(true),
            Some("false") => Some(false),
            Some(_) => return Err(AppError::field("success", "success must be true or false.")),
        };
        let q = self.q.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        if q.as_ref().is_some_and(|q| q.chars().count() > MAX_Q_CHARS || q.contains('\0')) {
            return Err(AppError::field("q", format!("Keep the search under {MAX_Q_CHARS} characters.")));
        }
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
    let items = st.read(async |c| calls::page(c, &a, &pid, &filter, after, fetch).await).await?;
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
    ok("Call", st.read(async |c| calls::get(c, &a, &id).await).await?.into())
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
    created("Analysis added", st.write(async |tx| calls::reanalyze(tx, &a, &id, questions).await).await?.into())
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
