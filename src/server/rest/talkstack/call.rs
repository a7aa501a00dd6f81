//! `/api/call*` (Talkstack-compatible): place a call (seed 003 fixes its request and answer),
//! read a call's data, with the transcript added, and create a batch call from a file.

use super::auth::required;
use super::{ok, TsError, TsQuery};
use crate::model::{AppError, CallView, CustomQuestion, QuestionKind};
use crate::server::db::calls::CallFilter;
use crate::server::http::actor;
use crate::server::rest::extract::json_body;
use crate::server::services::calls::{self, PlaceCall};
use crate::server::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

#[derive(Deserialize)]
struct MakeCallBody {
    number: Option<String>,
    #[serde(rename = "projectId", alias = "project_id")]
    project_id: Option<String>,
    #[serde(rename = "agentId", alias = "agent_id")]
    agent_id: Option<String>,
    #[serde(rename = "dynamicVariables", alias = "dynamic_variables", default)]
    dynamic_variables: BTreeMap<String, Value>,
    #[serde(default)]
    metadata: Value,
}

/// Variables arrive as JSON values; numbers and booleans are spoken as written.
pub fn variables(raw: BTreeMap<String, Value>) -> Result<BTreeMap<String, String>, AppError> {
    raw.into_iter()
        .map(|(k, v)| match v {
            Value::String(s) => Ok((k, s)),
            Value::Number(n) => Ok((k, n.to_string())),
            Value::Bool(b) => Ok((k, b.to_string())),
            _ => Err(AppError::field("dynamicVariables", format!("The variable {k} must be text, a number or true/false."))),
        })
        .collect()
}

/// Seed 003: `{number, projectId, agentId, dynamicVariables}` → `{message, status, call{call_id, to, from}}`.
pub async fn make_call(State(st): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Response, TsError> {
    let a = actor(&st, &headers).await?;
    let b: MakeCallBody = json_body(&body)?;
    required(&[("number", &b.number), ("projectId", &b.project_id), ("agentId", &b.agent_id)])?;
    let req = PlaceCall {
        agent_id: b.agent_id,
        project_id: b.project_id,
        to: b.number.unwrap_or_default(),
        from: None,
        variables: variables(b.dynamic_variables)?,
        metadata: b.metadata,
        delay_secs: None,
    };
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::to_string);
    let placed = st.write(async |tx| calls::place(&st, tx, &a, req, key.as_deref()).await).await?;
    let c = placed.call;
    Ok(ok("call made successfully.", json!({"call": {"call_id": c.id, "to": c.to, "from": c.from}})))
}

#[derive(Deserialize)]
struct CallBody {
    sid: Option<String>,
    #[serde(rename = "projectId", alias = "project_id")]
    project_id: Option<String>,
}

fn rfc2822(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc2822).ok())
        .unwrap_or_default()
}

/// Talkstack's call data (`seconds, cost, status, from, to, date, recordingUrls, phoneNumber,
/// callSid, data`) plus our `transcript`, `endReason` and `analysis`.
pub fn call_json(c: &CallView) -> Value {
    json!({
        "callSid": c.id,
        "seconds": c.duration_ms.map(|d| (d + 999) / 1000).unwrap_or(0),
        "cost": c.cost,
        "currency": c.currency,
        "status": c.status,
        "from": c.from,
        "to": c.to,
        "phoneNumber": c.to,
        "date": rfc2822(c.created_at),
        // A single call carries a signed link; history items the plain path (it needs credentials).
        "recordingUrls": match (&c.recording, c.has_recording) {
            (Some(r), _) => vec![r.url.clone()],
            (None, true) => vec![crate::server::services::recordings::path(&c.id)],
            (None, false) => Vec::new(),
        },
        "data": c.analysis.as_ref().map(|a| json!(a.result.answers)).unwrap_or(json!([])),
        "endReason": c.end_reason,
        "answeredBy": c.answered_by,
        "agentId": c.agent_id,
        "transcript": c.transcript,
        "analysis": c.analysis,
        "variables": c.variables,
        "metadata": c.metadata,
    })
}

/// `{sid, projectId}` → the call's data.
pub async fn get_call(State(st): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Response, TsError> {
    let a = actor(&st, &headers).await?;
    let b: CallBody = json_body(&body)?;
    required(&[("sid", &b.sid), ("projectId", &b.project_id)])?;
    let (sid, pid) = (b.sid.unwrap_or_default(), b.project_id.unwrap_or_default());
    let call = st.read(async |c| calls::get(&st, c, &a, &sid).await).await?;
    if call.project_id != pid {
        return Err(calls::call_not_found().into());
    }
    Ok(ok("call data fetched successfully.", json!({"data": call_json(&call)})))
}

#[derive(Deserialize)]
struct HistoryBody {
    #[serde(rename = "projectId", alias = "project_id")]
    project_id: Option<String>,
    #[serde(rename = "pageSize", alias = "page_size")]
    page_size: Option<i64>,
    /// `nextCursor` of the previous page (our addition).
    cursor: Option<String>,
}

/// Talkstack's history filters, in the query string; dates are `YYYY-MM-DD` (UTC).
#[derive(Deserialize, Default)]
pub struct HistoryQuery {
    to: Option<String>,
    from: Option<String>,
    status: Option<String>,
    #[serde(rename = "startTime")]
    start_time: Option<String>,
    #[serde(rename = "startTimeBefore")]
    start_time_before: Option<String>,
    #[serde(rename = "startTimeAfter")]
    start_time_after: Option<String>,
    #[serde(rename = "endTime")]
    end_time: Option<String>,
    #[serde(rename = "endTimeBefore")]
    end_time_before: Option<String>,
    #[serde(rename = "endTimeAfter")]
    end_time_after: Option<String>,
}

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

impl HistoryQuery {
    fn filter(&self) -> Result<CallFilter, AppError> {
        use crate::server::services::call_history::{number_filter, status_filter, time_filter};
        let day = |field: &str, v: &Option<String>| time_filter(field, v.as_deref());
        let status = status_filter(self.status.as_deref())?;
        let mut f = CallFilter {
            // Talkstack's history items are whole call data, transcript included.
            transcripts: true,
            status,
            to: number_filter("to", self.to.as_deref())?,
            from: number_filter("from", self.from.as_deref())?,
            ..Default::default()
        };
        // `startTime` is one whole day; `...After` and `...Before` are exclusive days.
        if let Some(d) = day("startTime", &self.start_time)? {
            f.created_from = Some(d);
            f.created_before = Some(d + DAY_MS);
        }
        if let Some(d) = day("startTimeAfter", &self.start_time_after)? {
            f.created_from = Some(f.created_from.map_or(d + DAY_MS, |x| x.max(d + DAY_MS)));
        }
        if let Some(d) = day("startTimeBefore", &self.start_time_before)? {
            f.created_before = Some(f.created_before.map_or(d, |x| x.min(d)));
        }
        if let Some(d) = day("endTime", &self.end_time)? {
            f.ended_from = Some(d);
            f.ended_before = Some(d + DAY_MS);
        }
        if let Some(d) = day("endTimeAfter", &self.end_time_after)? {
            f.ended_from = Some(f.ended_from.map_or(d + DAY_MS, |x| x.max(d + DAY_MS)));
        }
        if let Some(d) = day("endTimeBefore", &self.end_time_before)? {
            f.ended_before = Some(f.ended_before.map_or(d, |x| x.min(d)));
        }
        Ok(f)
    }
}

/// `{projectId, pageSize=20, cursor?}` plus query filters → newest calls first, with `nextCursor`.
pub async fn history(State(st): State<AppState>, headers: HeaderMap, TsQuery(q): TsQuery<HistoryQuery>, body: Bytes) -> Result<Response, TsError> {
    let a = actor(&st, &headers).await?;
    let b: HistoryBody = json_body(&body)?;
    required(&[("projectId", &b.project_id)])?;
    let pid = b.project_id.unwrap_or_default();
    let size = b.page_size.unwrap_or(20);
    if !(1..=100).contains(&size) {
        return Err(AppError::field("pageSize", "pageSize must be between 1 and 100.").into());
    }
    let filter = q.filter()?;
    let after = match b.cursor.as_deref().filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => Some(
            crate::server::rest::v1::envelope::decode_cursor::<(i64, String)>(c)
                .ok_or_else(|| AppError::field("cursor", "cursor is not valid: pass nextCursor from the previous page unchanged."))?,
        ),
    };
    let mut items = st.reader(async |r| calls::page(r, &a, &pid, &filter, after, size + 1).await).await?;
    let more = items.len() as i64 > size;
    items.truncate(size as usize);
    let next = if more { items.last().map(|c| crate::server::rest::v1::envelope::encode_cursor(&(c.created_at, c.id.clone()))) } else { None };
    let data: Vec<Value> = items.iter().map(call_json).collect();
    Ok(ok("call history fetched successfully.", json!({"data": data, "pageSize": size, "nextCursor": next})))
}

#[derive(Deserialize)]
struct AnalysisBody {
    sid: Option<String>,
    #[serde(default)]
    questions: Vec<CustomQuestion>,
}

/// `{sid, questions}` → a new analysis version, answered in the response (Boolean answers as
/// Talkstack spells them: "Yes" or "No").
pub async fn analysis(State(st): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Response, TsError> {
    let a = actor(&st, &headers).await?;
    let b: AnalysisBody = json_body(&body)?;
    required(&[("sid", &b.sid)])?;
    let sid = b.sid.unwrap_or_default();
    let questions = crate::server::services::agents::clean_questions(b.questions)?;
    let v = calls::reanalyze(&st, &a, &sid, questions).await?;
    let answers: Vec<Value> = v
        .result
        .answers
        .iter()
        .map(|q| {
            let answer = match (&q.kind, &q.answer) {
                (QuestionKind::Boolean, Value::Bool(b)) => json!(if *b { "Yes" } else { "No" }),
                (_, other) => other.clone(),
            };
            json!({"question": q.question, "type": q.kind, "answer": answer, "reason": q.reason})
        })
        .collect();
    Ok(ok(
        "call analysis fetched successfully.",
        json!({"data": {
            "callSid": sid,
            "version": v.version,
            "summary": v.result.summary,
            "sentiment": v.result.user_sentiment,
            "status": if v.result.call_successful == Some(true) { "successful" } else if v.result.call_successful == Some(false) { "unsuccessful" } else { "unknown" },
            "successReason": v.result.success_reason,
            "voicemailDetected": v.result.voicemail_detected,
            "customAnalysisData": answers,
        }}),
    ))
}

/// `POST /api/call/batch-call`: multipart `projectId`, `agentId`, `file` (CSV or Excel), optional
/// `name` and `startWithValidRows`. Talkstack documents no answer; ours is the batch id and the
/// validation summary. The batch starts at once (default options) when every row is valid, or
/// with its valid rows when `startWithValidRows` is true; otherwise it stays a draft to fix.
pub async fn batch_call(State(st): State<AppState>, headers: HeaderMap, req: axum::extract::Request) -> Result<Response, TsError> {
    use crate::server::rest::v1::batches::{read_form, read_upload};
    use crate::server::services::batches::{self, StartWhen, Upload};
    let a = actor(&st, &headers).await?;
    let form = read_form(&st, req).await?;
    required(&[("projectId", &form.project_id), ("agentId", &form.agent_id)])?;
    let Some((file_name, bytes)) = form.file else { return Err(AppError::missing_field("file").into()) };
    let pid = form.project_id.unwrap_or_default();
    st.read(async |c| batches::may_upload(c, &a, &pid).await).await?;
    let sheet = read_upload(file_name.clone(), bytes).await?;
    let name = form.name.filter(|n| !n.trim().is_empty()).unwrap_or_else(|| {
        let base = file_name.rsplit(['/', '\\']).next().unwrap_or("").trim();
        if base.is_empty() {
            "Batch call".to_string()
        } else {
            base.chars().take(200).collect()
        }
    });
    let when = if form.start_with_valid_rows == Some(true) { StartWhen::WithValidRows } else { StartWhen::AllValid };
    let agent_id = form.agent_id.unwrap_or_default();
    let up = Upload { project_id: &pid, agent_id: &agent_id, name: &name, file_name: &file_name, sheet: &sheet };
    let b = st.write(async |tx| batches::create(&st, tx, &a, &up, when).await).await?;
    let started = b.status != crate::model::BatchStatus::Draft;
    let errors: Vec<Value> = b
        .report
        .iter()
        .flat_map(|r| r.bad_rows.iter())
        .map(|r| json!({"row": r.row, "number": r.number, "reason": r.problems.iter().map(|p| p.message.clone()).collect::<Vec<_>>().join("; ")}))
        .collect();
    let message = if started {
        "batch call started."
    } else if b.valid_rows == 0 {
        "batch call not started: no row is valid."
    } else {
        "batch call not started: some rows are invalid. Fix them and upload again, or send startWithValidRows=true."
    };
    Ok(ok(
        message,
        json!({"batch": {
            "batchId": b.id, "name": b.name, "status": b.status.as_str(), "started": started,
            "totalRows": b.total_rows, "validRows": b.valid_rows, "invalidRows": b.total_rows - b.valid_rows, "errors": errors,
        }}),
    ))
}
