//! Reading call history: the filters of the API and the dashboard parsed into one
//! [`CallFilter`] (so both answer a bad value with the same message), and what the call detail
//! page shows in one read.

use super::access::{self, Need};
use super::calls;
use crate::model::{AppError, CallDetailView, CallQuery, CallStatus, Direction, EndReason, Sentiment};
use crate::server::auth::Actor;
use crate::server::db::calls::{self as search, CallFilter};
use crate::server::domain::E164;
use crate::server::state::AppState;
use sqlx::AnyConnection;

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

/// A number filter, E.164-normalised from what was typed.
pub fn number_filter(field: &str, raw: Option<&str>) -> Result<Option<String>, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => Ok(Some(E164::parse(s, None, field)?.as_str().to_string())),
    }
}

pub fn direction_filter(raw: Option<&str>) -> Result<Option<Direction>, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => Direction::parse(s).map(Some).ok_or_else(|| AppError::field("direction", "Direction must be inbound or outbound.")),
    }
}

pub fn end_reason_filter(raw: Option<&str>) -> Result<Option<EndReason>, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => EndReason::parse(s).map(Some).ok_or_else(|| AppError::field("end_reason", "Unknown end reason.")),
    }
}

pub fn sentiment_filter(raw: Option<&str>) -> Result<Option<Sentiment>, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => Sentiment::parse(s)
            .map(Some)
            .ok_or_else(|| AppError::field("sentiment", "Sentiment must be positive, neutral, negative or unknown.")),
    }
}

/// Longest text search accepted.
const MAX_Q_CHARS: usize = 200;

/// A text search over transcripts and numbers: blank is none.
pub fn search_filter(raw: Option<&str>) -> Result<Option<String>, AppError> {
    let q = raw.map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    if q.as_ref().is_some_and(|q| q.chars().count() > MAX_Q_CHARS || q.contains('\0')) {
        return Err(AppError::field("q", format!("Keep the search under {MAX_Q_CHARS} characters.")));
    }
    // A query that is one run of digits (a number, however typed) is a number search; shorter
    // runs are not indexed inside numbers, so say so rather than answer an empty page. (A query
    // with any letter has a word term, so it never splits into one digit run.)
    if let Some(q) = &q {
        if let [search::SearchTerm::Digits(d)] = search::search_terms(q).as_slice() {
            if d.len() < search::MIN_NUMBER_TOKEN {
                return Err(AppError::field("q", format!("Type at least {} digits to search by number.", search::MIN_NUMBER_TOKEN)));
            }
        }
    }
    Ok(q)
}

/// The dashboard's duration bound in whole seconds, as milliseconds.
fn seconds(field: &str, raw: &str) -> Result<Option<i64>, AppError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    match raw.parse::<i64>() {
        Ok(s) if (0..=86_400 * 365).contains(&s) => Ok(Some(s * 1000)),
        _ => Err(AppError::field(field, "Durations are whole seconds, 0 or more.")),
    }
}

/// The dashboard's filters (the Calls page URL) as a [`CallFilter`]. Dates are whole UTC days,
/// `until` included.
pub fn filter_of(q: &CallQuery) -> Result<CallFilter, AppError> {
    let opt = |s: &str| Some(s.to_string()).filter(|s| !s.trim().is_empty());
    let until = time_filter("until", opt(&q.until).as_deref())?.map(|t| t + 86_400_000);
    let (min, max) = (seconds("min_secs", &q.min_secs)?, seconds("max_secs", &q.max_secs)?);
    if let (Some(a), Some(b)) = (min, max) {
        if a > b {
            return Err(AppError::field("max_secs", "The longest duration must not be shorter than the shortest."));
        }
    }
    let success = match q.success.trim() {
        "" => None,
        s if s.eq_ignore_ascii_case("yes") || s.eq_ignore_ascii_case("true") => Some(true),
        s if s.eq_ignore_ascii_case("no") || s.eq_ignore_ascii_case("false") => Some(false),
        _ => return Err(AppError::field("success", "Success must be yes or no.")),
    };
    let is_test = match q.kind.trim() {
        "" => None,
        "test" => Some(true),
        "live" => Some(false),
        _ => return Err(AppError::field("kind", "Kind must be test or live.")),
    };
    Ok(CallFilter {
        status: status_filter(opt(&q.status).as_deref())?,
        direction: direction_filter(opt(&q.direction).as_deref())?,
        agent_id: opt(&q.agent),
        end_reason: end_reason_filter(opt(&q.end_reason).as_deref())?,
        to: number_filter("to", opt(&q.to).as_deref())?,
        from: number_filter("from", opt(&q.from).as_deref())?,
        created_from: time_filter("since", opt(&q.since).as_deref())?,
        created_before: until,
        min_duration_ms: min,
        max_duration_ms: max,
        is_test,
        sentiment: sentiment_filter(opt(&q.sentiment).as_deref())?,
        success,
        q: search_filter(opt(&q.q).as_deref())?,
        ..Default::default()
    })
}

/// A call with its events and every analysis version (newest first), and whether the caller may
/// act on it.
pub async fn detail(st: &AppState, c: &mut AnyConnection, actor: &Actor, call_id: &str) -> Result<CallDetailView, AppError> {
    let call = calls::get(st, &mut *c, actor, call_id).await?;
    let role = access::project(&mut *c, actor, &call.project_id, Need::Read).await?.role;
    let events = calls::events(&mut *c, actor, call_id).await?;
    let mut analyses = calls::analyses(&mut *c, actor, call_id).await?;
    analyses.reverse();
    Ok(CallDetailView { call, events, analyses, can_edit: role.can_edit() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_search_needs_four_digits() {
        for short in ["415", "+1 (4", "7"] {
            let e = search_filter(Some(short)).unwrap_err();
            assert!(e.field_message("q").is_some_and(|m| m.contains("4 digits")), "{short}");
        }
        for fine in ["4155", "+1 (415) 555-0006", "15 minutes", "solar", "  "] {
            assert!(search_filter(Some(fine)).is_ok(), "{fine}");
        }
    }

    #[test]
    fn dashboard_filters_parse_or_name_the_field() {
        let q = CallQuery {
            status: "completed".into(),
            kind: "test".into(),
            since: "2026-11-01".into(),
            until: "2026-11-01".into(),
            min_secs: "30".into(),
            ..Default::default()
        };
        let f = filter_of(&q).unwrap();
        assert_eq!(f.status, Some(CallStatus::Completed));
        assert_eq!(f.is_test, Some(true));
        assert_eq!(f.created_before.unwrap() - f.created_from.unwrap(), 86_400_000, "until includes its whole day");
        assert_eq!(f.min_duration_ms, Some(30_000));
        for (q, field) in [
            (CallQuery { status: "done".into(), ..Default::default() }, "status"),
            (CallQuery { min_secs: "-1".into(), ..Default::default() }, "min_secs"),
            (CallQuery { min_secs: "9".into(), max_secs: "3".into(), ..Default::default() }, "max_secs"),
            (CallQuery { success: "maybe".into(), ..Default::default() }, "success"),
            (CallQuery { since: "yesterday".into(), ..Default::default() }, "since"),
            (CallQuery { sentiment: "elated".into(), ..Default::default() }, "sentiment"),
        ] {
            let e = filter_of(&q).unwrap_err();
            assert!(e.details.iter().any(|f| f.field == field), "{field}: {e:?}");
        }
    }
}
