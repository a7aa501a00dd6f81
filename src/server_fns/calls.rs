//! Call server functions for the dashboard: the history page, the detail page, placing,
//! cancelling and re-analyzing. Adapters only: the rules live in `services::calls` and
//! `services::call_history`.

use crate::model::{AppError, CallAnalysisView, CallDetailView, CallListItem, CallPageView, CallQuery, CallView};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use std::collections::BTreeMap;

#[cfg(feature = "ssr")]
use crate::server::{http::sf, services};

/// Rows per page of the Calls list.
pub const PAGE_SIZE: i64 = 50;

/// One page of the project's calls, newest first, filtered as the Calls page URL says.
#[server(prefix = "/rpc", endpoint = "list_calls", input = Json)]
pub async fn list_calls(project_id: String, query: CallQuery) -> Result<CallPageView, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        let filter = services::call_history::filter_of(&query)?;
        let before = sf::page_after(Some(&query.cursor))?;
        let mut calls = st.reader(async |r| services::calls::page_items(r, &a, &project_id, &filter, before, PAGE_SIZE + 1).await).await?;
        let next_cursor = sf::next_page(&mut calls, PAGE_SIZE, |c| (c.created_at, c.id.clone()));
        Ok(CallPageView { calls, next_cursor })
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "call_detail")]
pub async fn call_detail(call_id: String) -> Result<CallDetailView, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        st.read(async |c| services::call_history::detail(&st, c, &a, &call_id).await).await
    })
    .await
}

/// Places a call from the "New call" dialog. `variables[name]` fields carry the agent's
/// variables; `scheduled_at` is a UTC `YYYY-MM-DDTHH:MM` (a `datetime-local` input) or empty for
/// now; `metadata` is a JSON object or empty. Without JS the browser goes to the new call.
#[server(prefix = "/rpc", endpoint = "place_call")]
pub async fn place_call(
    project_id: String,
    agent_id: String,
    to: String,
    from: Option<String>,
    variables: Option<BTreeMap<String, String>>,
    metadata: Option<String>,
    scheduled_at: Option<String>,
) -> Result<CallView, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        let metadata = match metadata.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
            None => serde_json::Value::Object(Default::default()),
            Some(m) => match serde_json::from_str::<serde_json::Value>(m) {
                Ok(v @ serde_json::Value::Object(_)) => v,
                _ => return Err(AppError::field("metadata", "Metadata must be a JSON object, like {\"order\": \"A-1042\"}.")),
            },
        };
        let delay_secs = match scheduled_at.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => Some(delay_until(s)?),
        };
        let req = services::calls::PlaceCall {
            agent_id: Some(agent_id).filter(|s| !s.trim().is_empty()),
            project_id: Some(project_id),
            to,
            from: from.filter(|s| !s.trim().is_empty()),
            // An empty field is a value not given (the service then names it as missing).
            variables: variables.unwrap_or_default().into_iter().filter(|(_, v)| !v.trim().is_empty()).collect(),
            metadata,
            delay_secs,
        };
        let placed = st.write(async |tx| services::calls::place(&st, tx, &a, req, None).await).await?;
        sf::done_without_js(&format!("/calls/{}", placed.call.id));
        Ok(placed.call)
    })
    .await
}

/// Seconds from now until a `datetime-local` value read as UTC; the past is refused.
#[cfg(feature = "ssr")]
fn delay_until(s: &str) -> Result<i64, AppError> {
    let bad = || AppError::field("scheduled_at", "Pick a date and time (UTC), or leave it empty to call now.");
    let fmt = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    let fmt_secs = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    let t = time::PrimitiveDateTime::parse(s, &fmt).or_else(|_| time::PrimitiveDateTime::parse(s, &fmt_secs)).map_err(|_| bad())?.assume_utc();
    let delay = t.unix_timestamp() - time::OffsetDateTime::now_utc().unix_timestamp();
    if delay < -60 {
        return Err(AppError::field("scheduled_at", "That time has passed: pick a later one, or leave it empty to call now."));
    }
    if delay > 30 * 24 * 3600 {
        return Err(AppError::field("scheduled_at", "Calls can be scheduled up to 30 days ahead."));
    }
    Ok(delay.max(0))
}

#[server(prefix = "/rpc", endpoint = "cancel_call")]
pub async fn cancel_call(call_id: String) -> Result<CallView, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        let call = st.write(async |tx| services::calls::cancel(&st, tx, &a, &call_id).await).await?;
        sf::done_without_js(&format!("/calls/{}", call.id));
        Ok(call)
    })
    .await
}

/// Re-runs the analysis with the agent's current configuration, plus one ad-hoc question when
/// `question` is given (`options`: a Selector's choices, comma-separated).
#[server(prefix = "/rpc", endpoint = "rerun_analysis")]
pub async fn rerun_analysis(call_id: String, question: Option<String>, kind: Option<String>, options: Option<String>) -> Result<CallAnalysisView, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        use crate::model::{CustomQuestion, QuestionKind};
        let mut extra = Vec::new();
        if let Some(q) = question.map(|q| q.trim().to_string()).filter(|q| !q.is_empty()) {
            let kind = match kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
                None => QuestionKind::Text,
                Some(k) => QuestionKind::parse(k).ok_or_else(|| AppError::field("kind", "Pick Boolean, Number, Selector or Text."))?,
            };
            let options = options.unwrap_or_default().split([',', '\n']).map(|o| o.trim().to_string()).filter(|o| !o.is_empty()).collect();
            extra.push(CustomQuestion { question: q, kind, options });
        }
        let extra = services::agents::clean_questions(extra)?;
        let analysis = services::calls::reanalyze(&st, &a, &call_id, extra).await?;
        sf::done_without_js(&format!("/calls/{call_id}?analyzed={}", analysis.version));
        Ok(analysis)
    })
    .await
}

/// The project's five latest calls (the Overview).
#[server(prefix = "/rpc", endpoint = "recent_calls")]
pub async fn recent_calls(project_id: String) -> Result<Vec<CallListItem>, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        st.reader(async |r| services::calls::page_items(r, &a, &project_id, &Default::default(), None, 5).await).await
    })
    .await
}

/// The Overview's call statistics for the last `days` (7, 30 or 90) days.
#[server(prefix = "/rpc", endpoint = "call_overview")]
pub async fn call_overview(project_id: String, days: u32) -> Result<crate::model::OverviewView, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        let now = crate::server::db::now_ms();
        st.read(async |c| services::stats::overview(c, &a, &project_id, days, now).await).await
    })
    .await
}
