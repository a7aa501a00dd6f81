//! Call statistics: the Overview of a project (calls per day by outcome, answer rate, average
//! duration, success rate, sentiment split over 7, 30 or 90 days) and the per-day aggregates it
//! reads, so it costs the same at a million calls as at ten.
//!
//! Decisions:
//! - A call counts on the UTC day it was created (the day the history lists it under), once it
//!   has finished. [`call_finished`] adds it in the transaction of its final transition;
//!   [`analysis_stored`] moves its sentiment and success from the previous latest analysis to the
//!   new one in the transaction that stores the analysis, so a re-run never counts twice.
//! - "completed" excludes voicemail (`voicemail_reached`), counted apart. Answered means picked
//!   up, by a person or a machine; the answer rate is over the calls that were dialled (finished
//!   and not canceled); the average duration is over the answered calls; the success rate is over
//!   the calls judged yes or no.

use super::access::{self, Need};
use crate::model::{AnalysisResult, AppError, CallStatus, EndReason, OverviewDay, OverviewView, Sentiment};
use crate::server::auth::Actor;
use crate::server::db::calls::{self as calls_db, CallRow};
use crate::server::db::stats::{self as db, Daily};
use sqlx::AnyConnection;

/// The periods the Overview offers, in days.
pub const PERIODS: [u32; 3] = [7, 30, 90];

const DAY_MS: i64 = 86_400_000;

/// `YYYY-MM-DD` (UTC) of a Unix-millisecond time.
pub fn day_of(ms: i64) -> String {
    let date = time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000)).map(|t| t.date()).unwrap_or(time::Date::MIN);
    format!("{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day())
}

/// The counters a finished call adds to its day.
pub fn finished_delta(row: &CallRow) -> Daily {
    let mut d = Daily { day: day_of(row.created_at), ..Default::default() };
    match row.status {
        CallStatus::Completed if row.end_reason == Some(EndReason::VoicemailReached) => d.voicemail = 1,
        CallStatus::Completed => d.completed = 1,
        CallStatus::Busy => d.busy = 1,
        CallStatus::NoAnswer => d.no_answer = 1,
        CallStatus::Failed => d.failed = 1,
        CallStatus::Canceled => d.canceled = 1,
        _ => return Daily { day: d.day, ..Default::default() },
    }
    if row.answered_at.is_some() {
        d.answered = 1;
        d.answered_duration_ms = row.duration_ms.unwrap_or(0);
    }
    d
}

/// Adds `sign` (+1 or -1) of an analysis outcome to `d`.
pub fn add_outcome(d: &mut Daily, sentiment: Option<Sentiment>, success: Option<bool>, sign: i64) {
    match sentiment {
        Some(Sentiment::Positive) => d.sentiment_positive += sign,
        Some(Sentiment::Neutral) => d.sentiment_neutral += sign,
        Some(Sentiment::Negative) => d.sentiment_negative += sign,
        Some(Sentiment::Unknown) => d.sentiment_unknown += sign,
        None => {}
    }
    match success {
        Some(true) => d.success_yes += sign,
        Some(false) => d.success_no += sign,
        None => {}
    }
}

/// Counts a call that just reached its final status (same transaction as the transition).
pub async fn call_finished(c: &mut AnyConnection, row: &CallRow) -> Result<(), AppError> {
    if !row.status.is_final() {
        return Ok(());
    }
    db::add(c, &row.project_id, &[finished_delta(row)]).await?;
    Ok(())
}

/// Makes `result` the call's latest outcome: on the call row (list filters) and in its day's
/// counters, replacing what the previous latest analysis counted.
pub async fn analysis_stored(c: &mut AnyConnection, project_id: &str, call_id: &str, result: &AnalysisResult) -> Result<(), AppError> {
    let Some((old_sentiment, old_success, created_at)) = calls_db::set_outcome(&mut *c, project_id, call_id, result.user_sentiment, result.call_successful).await? else {
        return Ok(());
    };
    let mut d = Daily { day: day_of(created_at), ..Default::default() };
    add_outcome(&mut d, old_sentiment, old_success, -1);
    add_outcome(&mut d, Some(result.user_sentiment), result.call_successful, 1);
    db::add(c, project_id, &[d]).await?;
    Ok(())
}

fn ratio(num: i64, den: i64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

/// The project's Overview for the last `days` UTC days up to `now_ms`'s day (viewers and up).
pub async fn overview(c: &mut AnyConnection, actor: &Actor, project_id: &str, days: u32, now_ms: i64) -> Result<OverviewView, AppError> {
    if !PERIODS.contains(&days) {
        return Err(AppError::field("days", "Choose a period of 7, 30 or 90 days."));
    }
    access::project(&mut *c, actor, project_id, Need::Read).await?;
    let first = now_ms - (days as i64 - 1) * DAY_MS;
    let (from_day, to_day) = (day_of(first), day_of(now_ms));
    let stored = db::range(&mut *c, project_id, &from_day, &to_day).await?;
    let mut per_day = Vec::with_capacity(days as usize);
    let mut sum = Daily::default();
    let mut total = 0;
    let mut it = stored.iter().peekable();
    for i in 0..days as i64 {
        let day = day_of(first + i * DAY_MS);
        let mut out = OverviewDay { day: day.clone(), ..Default::default() };
        // Both lists are in day order; skip stored days that are not in the period's list.
        while it.peek().is_some_and(|d| d.day < day) {
            it.next();
        }
        if let Some(d) = it.next_if(|d| d.day == day) {
            out = OverviewDay {
                day,
                completed: d.completed,
                voicemail: d.voicemail,
                busy: d.busy,
                no_answer: d.no_answer,
                failed: d.failed,
                canceled: d.canceled,
            };
            for (s, v) in [
                (&mut sum.answered, d.answered),
                (&mut sum.answered_duration_ms, d.answered_duration_ms),
                (&mut sum.success_yes, d.success_yes),
                (&mut sum.success_no, d.success_no),
                (&mut sum.sentiment_positive, d.sentiment_positive),
                (&mut sum.sentiment_neutral, d.sentiment_neutral),
                (&mut sum.sentiment_negative, d.sentiment_negative),
                (&mut sum.sentiment_unknown, d.sentiment_unknown),
                (&mut sum.canceled, d.canceled),
            ] {
                *s += v;
            }
        }
        total += out.completed + out.voicemail + out.busy + out.no_answer + out.failed + out.canceled;
        per_day.push(out);
    }
    Ok(OverviewView {
        days,
        from_day,
        to_day,
        per_day,
        total,
        answered: sum.answered,
        answer_rate: ratio(sum.answered, total - sum.canceled),
        avg_duration_ms: (sum.answered > 0).then(|| sum.answered_duration_ms / sum.answered),
        success_yes: sum.success_yes,
        success_no: sum.success_no,
        success_rate: ratio(sum.success_yes, sum.success_yes + sum.success_no),
        sentiment_positive: sum.sentiment_positive,
        sentiment_neutral: sum.sentiment_neutral,
        sentiment_negative: sum.sentiment_negative,
        sentiment_unknown: sum.sentiment_unknown,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_utc_dates() {
        assert_eq!(day_of(0), "1970-01-01");
        assert_eq!(day_of(1_767_225_599_999), "2025-12-31");
        assert_eq!(day_of(1_767_225_600_000), "2026-01-01");
    }

    #[test]
    fn an_analysis_outcome_moves_between_buckets() {
        let mut d = Daily::default();
        add_outcome(&mut d, Some(Sentiment::Positive), Some(true), 1);
        add_outcome(&mut d, Some(Sentiment::Positive), Some(true), -1);
        add_outcome(&mut d, Some(Sentiment::Negative), Some(false), 1);
        assert_eq!((d.sentiment_positive, d.success_yes, d.sentiment_negative, d.success_no), (0, 0, 1, 1));
    }
}
