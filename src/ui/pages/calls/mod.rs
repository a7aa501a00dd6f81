//! The call pages: `/calls` (history with filters, search, live updates and the "New call"
//! dialog) and `/calls/:id` (detail: timeline, transcript, recording, analysis versions).

mod detail;
mod list;
pub mod live;
mod new_call;

pub use detail::CallDetailPage;
pub use list::CallsPage;

use crate::model::{CallStatus, EndReason, Sentiment};
use crate::ui::markup;
use crate::ui::util::encode_query_value;
use leptos::prelude::*;

/// "1:05" (minutes:seconds), "1:02:05" past an hour, "—" when unknown.
pub fn format_duration(ms: Option<i64>) -> String {
    let Some(ms) = ms else { return "—".into() };
    let s = (ms.max(0) + 500) / 1000;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, (s % 3600) / 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

/// An offset into the call as `m:ss`.
pub fn format_offset(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    format!("{}:{:02}", s / 60, s % 60)
}

pub fn status_label(s: CallStatus) -> &'static str {
    match s {
        CallStatus::Queued => "Queued",
        CallStatus::Initiated => "Dialling",
        CallStatus::Ringing => "Ringing",
        CallStatus::InProgress => "In progress",
        CallStatus::Completed => "Completed",
        CallStatus::Busy => "Busy",
        CallStatus::NoAnswer => "No answer",
        CallStatus::Failed => "Failed",
        CallStatus::Canceled => "Canceled",
    }
}

pub fn end_reason_label(r: EndReason) -> &'static str {
    match r {
        EndReason::UserHangup => "Caller hung up",
        EndReason::AgentHangup => "Agent hung up",
        EndReason::MaxDurationReached => "Maximum duration reached",
        EndReason::Inactivity => "Inactivity",
        EndReason::VoicemailReached => "Voicemail",
        EndReason::DialBusy => "Line busy",
        EndReason::DialNoAnswer => "No answer",
        EndReason::DialFailed => "Dial failed",
        EndReason::InvalidDestination => "Invalid destination",
        EndReason::Canceled => "Canceled",
        EndReason::ConcurrencyLimitReached => "Concurrency limit reached",
        EndReason::CarrierError => "Carrier error",
        EndReason::InternalError => "Internal error",
    }
}

pub fn sentiment_label(s: Sentiment) -> &'static str {
    match s {
        Sentiment::Positive => "Positive",
        Sentiment::Neutral => "Neutral",
        Sentiment::Negative => "Negative",
        Sentiment::Unknown => "Unknown",
    }
}

/// The status as a coloured pill; live statuses pulse.
#[component]
pub fn CallStatusBadge(status: CallStatus) -> impl IntoView {
    view! {
        <span class=format!("{BADGE} {}", badge_colour(status)) data-status=status.as_str()>
            {status.is_live().then(|| view! { <span class=BADGE_PULSE aria-hidden="true"></span> })}
            {status_label(status)}
        </span>
    }
}

const BADGE: &str = "inline-flex items-center gap-1.5 whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset";
const BADGE_PULSE: &str = "size-1.5 animate-pulse rounded-full bg-current";

fn badge_colour(status: CallStatus) -> &'static str {
    match status {
        CallStatus::Completed => "bg-emerald-50 text-emerald-700 ring-emerald-600/20",
        CallStatus::Busy | CallStatus::NoAnswer => "bg-amber-50 text-amber-800 ring-amber-600/20",
        CallStatus::Failed => "bg-red-50 text-red-700 ring-red-600/20",
        CallStatus::Canceled => "bg-slate-100 text-slate-600 ring-slate-500/20",
        _ => "bg-indigo-50 text-indigo-700 ring-indigo-600/20",
    }
}

/// [`CallStatusBadge`] as markup, for rows written as strings (`ui::markup`).
pub fn status_badge_html(out: &mut String, status: CallStatus) {
    for part in [r#"<span class=""#, BADGE, " ", badge_colour(status), r#"" data-status=""#, status.as_str(), r#"">"#] {
        out.push_str(part);
    }
    if status.is_live() {
        for part in [r#"<span class=""#, BADGE_PULSE, r#"" aria-hidden="true"></span>"#] {
            out.push_str(part);
        }
    }
    markup::text(out, status_label(status));
    out.push_str("</span>");
}

/// A link to a call's page with `label` as its text, for rows written as strings.
pub fn call_link_html(out: &mut String, call_id: &str, label: &str) {
    out.push_str(r#"<a href="/calls/"#);
    markup::attr(out, &encode_query_value(call_id));
    out.push_str(r#"" class=""#);
    out.push_str(super::TEXT_LINK);
    out.push_str(r#"">"#);
    markup::text(out, label);
    out.push_str("</a>");
}

/// The latest analysis' success, as the list shows it.
pub fn success_text(success: Option<bool>) -> &'static str {
    match success {
        Some(true) => "Yes",
        Some(false) => "No",
        None => "—",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_a_clock() {
        assert_eq!(format_duration(None), "—");
        assert_eq!(format_duration(Some(0)), "0:00");
        assert_eq!(format_duration(Some(65_400)), "1:05");
        assert_eq!(format_duration(Some(3_725_000)), "1:02:05");
        assert_eq!(format_offset(61_999), "1:01");
    }

    #[test]
    fn the_badge_markup_matches_the_component() {
        let mut live = String::new();
        status_badge_html(&mut live, CallStatus::Ringing);
        assert!(live.starts_with(r#"<span class="inline-flex "#) && live.contains(r#"data-status="ringing">"#), "{live}");
        assert!(live.contains(r#"<span class="size-1.5 animate-pulse rounded-full bg-current" aria-hidden="true"></span>Ringing</span>"#), "{live}");
        let mut done = String::new();
        status_badge_html(&mut done, CallStatus::Completed);
        assert!(!done.contains("animate-pulse") && done.ends_with(">Completed</span>"), "{done}");
    }

    #[test]
    fn call_links_escape_and_encode_the_id() {
        let mut s = String::new();
        call_link_html(&mut s, "a/b\"c", "<today>");
        assert!(s.starts_with(r#"<a href="/calls/a%2Fb%22c" class=""#) && s.ends_with(r#"">&lt;today&gt;</a>"#), "{s}");
    }
}
