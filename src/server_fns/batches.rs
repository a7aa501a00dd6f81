//! Batch server functions for the dashboard: the Batches list, a batch's detail (with its bad
//! rows while it is a draft), its rows, and starting, pausing, resuming and cancelling it.
//! Adapters only: the rules live in `services::batches`. The upload itself is a plain multipart
//! form post (`server::batch_pages`), so it works before the WASM bundle has loaded.

// `start_batch` takes one argument per field of its form; the macro's generated client
// function carries them all.
#![allow(clippy::too_many_arguments)]

use crate::model::{AppError, BatchRowView, BatchView};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[cfg(feature = "ssr")]
use crate::server::{http::sf, services};

/// Batches per page of the Batches list.
pub const PAGE_SIZE: i64 = 25;
/// Rows per page of a batch's rows table.
pub const ROWS_PAGE_SIZE: i64 = 50;
/// Bad rows shown in a draft's validation report (the rows table, filtered on `invalid`, has
/// every one).
pub const REPORT_ROWS: i64 = 100;

/// A batch as the list shows it: the batch and its agent's name (`None`: the agent was deleted).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchListItem {
    pub batch: BatchView,
    pub agent_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchListPage {
    pub batches: Vec<BatchListItem>,
    /// The cursor of the next (older) page, if any.
    pub next_cursor: Option<String>,
}

/// A number the batch may call from (an outbound number of its agent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallerNumberOption {
    pub id: String,
    /// E.164.
    pub number: String,
    /// National format.
    pub formatted: String,
}

/// Everything the detail page shows above the rows table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchDetailData {
    pub batch: BatchView,
    /// `None`: the agent was deleted.
    pub agent_name: Option<String>,
    /// The agent's outbound numbers (the caller-number choices of a draft).
    pub numbers: Vec<CallerNumberOption>,
    /// The first [`REPORT_ROWS`] invalid rows, in file order (drafts only).
    pub bad_rows: Vec<BatchRowView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchRowsPage {
    pub rows: Vec<BatchRowView>,
    /// The row number to continue after, if there are more rows.
    pub next_after: Option<i64>,
}

/// One page of the project's batches, newest first.
#[server(prefix = "/rpc", endpoint = "list_batches")]
pub async fn list_batches(project_id: String, cursor: Option<String>) -> Result<BatchListPage, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        let before = sf::page_after(cursor.as_deref())?;
        let (mut batches, agents) = st
            .read(async |c| {
                let batches = services::batches::list(c, &a, &project_id, before, PAGE_SIZE + 1).await?;
                let agents = services::agents::list(c, &a, &project_id, None, Default::default()).await?;
                Ok((batches, agents))
            })
            .await?;
        let next_cursor = sf::next_page(&mut batches, PAGE_SIZE, |b| (b.created_at, b.id.clone()));
        let batches = batches
            .into_iter()
            .map(|b| {
                let agent_name = agents.iter().find(|x| x.id == b.agent_id).map(|x| x.name.clone());
                BatchListItem { batch: b, agent_name }
            })
            .collect();
        Ok(BatchListPage { batches, next_cursor })
    })
    .await
}

/// A batch with its agent's name and numbers, and (for a draft) its bad rows.
#[server(prefix = "/rpc", endpoint = "batch_detail")]
pub async fn batch_detail(batch_id: String) -> Result<BatchDetailData, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        st.read(async |c| {
            let batch = services::batches::get(c, &a, &batch_id).await?;
            // The agent may have been deleted since: the batch still shows.
            let agent = match services::agents::get_in(c, &a, &batch.project_id, &batch.agent_id).await {
                Ok(agent) => Some(agent),
                Err(e) if e.code == crate::model::ErrorCode::NotFound => None,
                Err(e) => return Err(e),
            };
            let numbers = match &agent {
                Some(ag) if ag.direction == crate::model::Direction::Outbound => ag
                    .phone_numbers
                    .iter()
                    .map(|n| CallerNumberOption { id: n.id.clone(), number: n.number.clone(), formatted: n.formatted_number.clone() })
                    .collect(),
                _ => Vec::new(),
            };
            let bad_rows = if batch.status == crate::model::BatchStatus::Draft && batch.progress.invalid > 0 {
                services::batches::rows(c, &a, &batch_id, Some(crate::model::BatchRowState::Invalid), None, REPORT_ROWS).await?
            } else {
                Vec::new()
            };
            Ok(BatchDetailData { agent_name: agent.map(|ag| ag.name), numbers, bad_rows, batch })
        })
        .await
    })
    .await
}

/// One page of a batch's rows in file order, after row number `after`, optionally in one state.
#[server(prefix = "/rpc", endpoint = "batch_rows")]
pub async fn batch_rows(batch_id: String, state: Option<String>, after: Option<i64>) -> Result<BatchRowsPage, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        let state = services::batches::state_filter(state.as_deref())?;
        let mut rows = st.read(async |c| services::batches::rows(c, &a, &batch_id, state, after, ROWS_PAGE_SIZE + 1).await).await?;
        let next_after = if rows.len() as i64 > ROWS_PAGE_SIZE {
            rows.truncate(ROWS_PAGE_SIZE as usize);
            rows.last().map(|r| r.row)
        } else {
            None
        };
        Ok(BatchRowsPage { rows, next_after })
    })
    .await
}

/// The weekdays a calling window may name, in order, with their labels.
pub const DAYS: [(&str, &str); 7] = [("mon", "Mon"), ("tue", "Tue"), ("wed", "Wed"), ("thu", "Thu"), ("fri", "Fri"), ("sat", "Sat"), ("sun", "Sun")];
/// The outcomes a row may be retried for, with their labels.
pub const RETRY_OUTCOMES: [(&str, &str); 3] = [("busy", "Busy"), ("no-answer", "No answer"), ("voicemail", "Voicemail")];

/// Starts a draft with the options form's values. The caller numbers arrive as
/// `numbers[<index>]=<phone number id>` for each ticked one (a map keyed by ids would not do:
/// the form decoder takes keys starting with a digit for list indexes), the other checkbox groups
/// as maps (`days[mon]`, `retry_on[busy]`, `on` when ticked);
/// `any_time` set ignores the window fields; `cooldown_minutes` is minutes; `start_at` is a UTC
/// `YYYY-MM-DDTHH:MM` (a `datetime-local` input) or empty for now. Without JS the browser goes
/// back to the batch.
#[server(prefix = "/rpc", endpoint = "start_batch")]
pub async fn start_batch(
    batch_id: String,
    numbers: Option<Vec<String>>,
    concurrency: Option<String>,
    any_time: Option<String>,
    tz: Option<String>,
    days: Option<BTreeMap<String, String>>,
    ranges: Option<String>,
    retry_on: Option<BTreeMap<String, String>>,
    max_retries: Option<String>,
    cooldown_minutes: Option<String>,
    start_at: Option<String>,
) -> Result<BatchView, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        let opts = start_options(StartForm { numbers, concurrency, any_time, tz, days, ranges, retry_on, max_retries, cooldown_minutes, start_at })?;
        let b = st.write(async |tx| services::batches::start(&st, tx, &a, &batch_id, opts).await).await?;
        sf::done_without_js(&format!("/batches/{}", b.id));
        Ok(b)
    })
    .await
}

/// The options form as posted.
#[cfg(feature = "ssr")]
struct StartForm {
    numbers: Option<Vec<String>>,
    concurrency: Option<String>,
    any_time: Option<String>,
    tz: Option<String>,
    days: Option<BTreeMap<String, String>>,
    ranges: Option<String>,
    retry_on: Option<BTreeMap<String, String>>,
    max_retries: Option<String>,
    cooldown_minutes: Option<String>,
    start_at: Option<String>,
}

/// Reads the options form into [`crate::model::BatchOptions`]: only the shape of each value
/// (numbers are numbers, times parse); what is allowed is the service's to say.
#[cfg(feature = "ssr")]
fn start_options(f: StartForm) -> Result<crate::model::BatchOptions, AppError> {
    use crate::model::{BatchOptions, CallingWindowSpec, RetryPolicy};
    fn ticked(m: Option<BTreeMap<String, String>>) -> Vec<String> {
        m.unwrap_or_default().into_iter().filter(|(_, v)| !v.is_empty() && v != "off" && v != "false").map(|(k, _)| k).collect()
    }
    fn int(field: &str, v: Option<String>, what: &str) -> Result<Option<i64>, AppError> {
        match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(s) => s.parse::<i64>().map(Some).map_err(|_| AppError::field(field, format!("{what} must be a whole number."))),
        }
    }
    let on_days = ticked(f.days);
    // Keep the week's order whatever order the form sent.
    let days: Vec<String> = DAYS.iter().filter(|(d, _)| on_days.iter().any(|x| x == d)).map(|(d, _)| d.to_string()).collect();
    let window = if f.any_time.as_deref().is_some_and(|v| !v.is_empty() && v != "off" && v != "false") {
        None
    } else {
        let tz = f.tz.unwrap_or_default().trim().to_string();
        let ranges: Vec<String> = f.ranges.unwrap_or_default().split([',', ';', '\n']).map(|r| r.trim().replace(' ', "")).filter(|r| !r.is_empty()).collect();
        if tz.is_empty() && ranges.is_empty() && days.is_empty() {
            None
        } else {
            Some(CallingWindowSpec { tz, days, ranges })
        }
    };
    let on = ticked(f.retry_on);
    let on: Vec<String> = RETRY_OUTCOMES.iter().filter(|(o, _)| on.iter().any(|x| x == o)).map(|(o, _)| o.to_string()).collect();
    let max_retries = int("max_retries", f.max_retries, "Max retries")?.unwrap_or(if on.is_empty() { 0 } else { 1 });
    let cooldown_seconds = match int("cooldown_minutes", f.cooldown_minutes, "The cooldown")? {
        None => RetryPolicy::default().cooldown_seconds,
        Some(m) => m.saturating_mul(60),
    };
    let start_at = match f.start_at.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(utc_ms(s).ok_or_else(|| AppError::field("start_at", "Pick a date and time (UTC), or leave it empty to start now."))?),
    };
    Ok(BatchOptions {
        name: None,
        caller_numbers: Some(f.numbers.unwrap_or_default().into_iter().map(|n| n.trim().to_string()).filter(|n| !n.is_empty()).collect()),
        concurrency: int("concurrency", f.concurrency, "Concurrency")?,
        window,
        retry: Some(RetryPolicy { on, max_retries, cooldown_seconds }),
        start_at,
    })
}

/// Unix ms of a `datetime-local` value read as UTC.
#[cfg(feature = "ssr")]
fn utc_ms(s: &str) -> Option<i64> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    let fmt_secs = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    let t = time::PrimitiveDateTime::parse(s, &fmt).or_else(|_| time::PrimitiveDateTime::parse(s, &fmt_secs)).ok()?.assume_utc();
    Some(t.unix_timestamp() * 1000)
}

#[server(prefix = "/rpc", endpoint = "pause_batch")]
pub async fn pause_batch(batch_id: String) -> Result<BatchView, AppError> {
    lifecycle(batch_id, Lifecycle::Pause).await
}

#[server(prefix = "/rpc", endpoint = "resume_batch")]
pub async fn resume_batch(batch_id: String) -> Result<BatchView, AppError> {
    lifecycle(batch_id, Lifecycle::Resume).await
}

#[server(prefix = "/rpc", endpoint = "cancel_batch")]
pub async fn cancel_batch(batch_id: String) -> Result<BatchView, AppError> {
    lifecycle(batch_id, Lifecycle::Cancel).await
}

#[cfg(feature = "ssr")]
#[derive(Clone, Copy)]
enum Lifecycle {
    Pause,
    Resume,
    Cancel,
}

/// Pauses, resumes or cancels a batch; without JS the browser goes back to the batch.
#[cfg(feature = "ssr")]
async fn lifecycle(batch_id: String, change: Lifecycle) -> Result<BatchView, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        let b = st
            .write(async |tx| match change {
                Lifecycle::Pause => services::batches::pause(&st, tx, &a, &batch_id).await,
                Lifecycle::Resume => services::batches::resume(&st, tx, &a, &batch_id).await,
                Lifecycle::Cancel => services::batches::cancel(&st, tx, &a, &batch_id).await,
            })
            .await?;
        sf::done_without_js(&format!("/batches/{}", b.id));
        Ok(b)
    })
    .await
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    fn form() -> StartForm {
        StartForm {
            numbers: None,
            concurrency: None,
            any_time: None,
            tz: None,
            days: None,
            ranges: None,
            retry_on: None,
            max_retries: None,
            cooldown_minutes: None,
            start_at: None,
        }
    }

    #[test]
    fn the_options_form_reads_into_options() {
        let o = start_options(StartForm {
            numbers: Some(vec!["n1".to_string()]),
            concurrency: Some(" 3 ".into()),
            tz: Some("Europe/Paris".into()),
            days: Some([("fri".to_string(), "on".to_string()), ("mon".to_string(), "on".to_string())].into()),
            ranges: Some("09:00-12:00, 14:00 - 17:00".into()),
            retry_on: Some([("voicemail".to_string(), "on".to_string()), ("busy".to_string(), "on".to_string())].into()),
            max_retries: Some("2".into()),
            cooldown_minutes: Some("15".into()),
            start_at: Some("2030-01-02T03:04".into()),
            ..form()
        })
        .unwrap();
        assert_eq!(o.caller_numbers, Some(vec!["n1".to_string()]));
        assert_eq!(o.concurrency, Some(3));
        let w = o.window.unwrap();
        assert_eq!(
            (w.tz.as_str(), w.days, w.ranges),
            ("Europe/Paris", vec!["mon".to_string(), "fri".to_string()], vec!["09:00-12:00".to_string(), "14:00-17:00".to_string()])
        );
        let r = o.retry.unwrap();
        assert_eq!((r.on, r.max_retries, r.cooldown_seconds), (vec!["busy".to_string(), "voicemail".to_string()], 2, 900));
        assert_eq!(o.start_at, Some(1_893_553_440_000));
    }

    #[test]
    fn any_time_and_bad_numbers() {
        let o = start_options(StartForm { any_time: Some("on".into()), tz: Some("Europe/Paris".into()), ranges: Some("09:00-17:00".into()), ..form() }).unwrap();
        assert_eq!(o.window, None);
        assert_eq!(o.caller_numbers, Some(vec![]));
        assert_eq!(o.retry.unwrap().max_retries, 0);
        let e = start_options(StartForm { concurrency: Some("many".into()), ..form() }).unwrap_err();
        assert!(e.field_message("concurrency").is_some());
        let e = start_options(StartForm { start_at: Some("tomorrow".into()), ..form() }).unwrap_err();
        assert!(e.field_message("start_at").is_some());
    }
}
