//! Twilio's call statuses and answering-machine results, in Talkdeck's terms.

use crate::model::{AnsweredBy, CallStatus, EndReason};

/// What a status callback reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reported {
    pub status: CallStatus,
    /// For a final status: why the call ended (a completed call's reason depends on who ended
    /// it, which the callback does not say; see [`completed_reason`]).
    pub end_reason: Option<EndReason>,
}

/// Twilio's `CallStatus` (with the SIP response code of a failed call); `None` for a value
/// Twilio does not document.
pub fn reported(call_status: &str, sip_response_code: Option<u16>) -> Option<Reported> {
    let (status, end_reason) = match call_status.trim() {
        "queued" | "initiated" => (CallStatus::Initiated, None),
        "ringing" => (CallStatus::Ringing, None),
        "in-progress" | "answered" => (CallStatus::InProgress, None),
        "completed" => (CallStatus::Completed, Some(EndReason::UserHangup)),
        "busy" => (CallStatus::Busy, Some(EndReason::DialBusy)),
        "no-answer" => (CallStatus::NoAnswer, Some(EndReason::DialNoAnswer)),
        "canceled" => (CallStatus::Canceled, Some(EndReason::Canceled)),
        "failed" => (
            CallStatus::Failed,
            Some(match sip_response_code {
                // Not found, gone, address incomplete, does not exist anywhere.
                Some(404 | 410 | 484 | 604) => EndReason::InvalidDestination,
                Some(486 | 600) => EndReason::DialBusy,
                Some(500..=599) => EndReason::CarrierError,
                _ => EndReason::DialFailed,
            }),
        ),
        _ => return None,
    };
    Some(Reported { status, end_reason })
}

/// Why a completed call ended, when nothing on our side ended it: it ran into its time limit
/// (Twilio's `TimeLimit`), or the other party hung up.
pub fn completed_reason(duration_secs: Option<i64>, max_duration_secs: i64) -> EndReason {
    match duration_secs {
        Some(d) if max_duration_secs > 0 && d >= max_duration_secs => EndReason::MaxDurationReached,
        _ => EndReason::UserHangup,
    }
}

/// Twilio's `AnsweredBy` (answering-machine detection).
pub fn answered_by(value: &str) -> Option<AnsweredBy> {
    match value.trim() {
        "human" => Some(AnsweredBy::Human),
        "machine_start" | "machine_end_beep" | "machine_end_silence" | "machine_end_other" | "fax" => Some(AnsweredBy::Machine),
        "unknown" => Some(AnsweredBy::Unknown),
        _ => None,
    }
}

/// The end reason of a call Twilio refused to create, from Twilio's error code.
pub fn refused_reason(twilio_code: Option<i64>) -> EndReason {
    match twilio_code {
        // Invalid 'To', unreachable 'To', not a valid phone number, not a valid number.
        Some(21211 | 21214 | 21217 | 21401 | 21407 | 21614) => EndReason::InvalidDestination,
        _ => EndReason::DialFailed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_status_maps() {
        let r = |s, sip| reported(s, sip).map(|r| (r.status, r.end_reason));
        assert_eq!(r("queued", None), Some((CallStatus::Initiated, None)));
        assert_eq!(r("initiated", None), Some((CallStatus::Initiated, None)));
        assert_eq!(r("ringing", None), Some((CallStatus::Ringing, None)));
        assert_eq!(r("in-progress", None), Some((CallStatus::InProgress, None)));
        assert_eq!(r("completed", None), Some((CallStatus::Completed, Some(EndReason::UserHangup))));
        assert_eq!(r("busy", None), Some((CallStatus::Busy, Some(EndReason::DialBusy))));
        assert_eq!(r("no-answer", None), Some((CallStatus::NoAnswer, Some(EndReason::DialNoAnswer))));
        assert_eq!(r("canceled", None), Some((CallStatus::Canceled, Some(EndReason::Canceled))));
        assert_eq!(r("failed", None), Some((CallStatus::Failed, Some(EndReason::DialFailed))));
        assert_eq!(r("failed", Some(404)), Some((CallStatus::Failed, Some(EndReason::InvalidDestination))));
        assert_eq!(r("failed", Some(484)), Some((CallStatus::Failed, Some(EndReason::InvalidDestination))));
        assert_eq!(r("failed", Some(503)), Some((CallStatus::Failed, Some(EndReason::CarrierError))));
        assert_eq!(r("failed", Some(486)), Some((CallStatus::Failed, Some(EndReason::DialBusy))));
        assert_eq!(r("teleported", None), None);
    }

    #[test]
    fn completed_calls_that_hit_the_limit() {
        assert_eq!(completed_reason(Some(600), 600), EndReason::MaxDurationReached);
        assert_eq!(completed_reason(Some(42), 600), EndReason::UserHangup);
        assert_eq!(completed_reason(None, 600), EndReason::UserHangup);
    }

    #[test]
    fn machines_and_people() {
        assert_eq!(answered_by("human"), Some(AnsweredBy::Human));
        for m in ["machine_start", "machine_end_beep", "machine_end_silence", "machine_end_other", "fax"] {
            assert_eq!(answered_by(m), Some(AnsweredBy::Machine), "{m}");
        }
        assert_eq!(answered_by("unknown"), Some(AnsweredBy::Unknown));
        assert_eq!(answered_by(""), None);
    }

    #[test]
    fn refusals() {
        assert_eq!(refused_reason(Some(21211)), EndReason::InvalidDestination);
        assert_eq!(refused_reason(Some(21210)), EndReason::DialFailed);
        assert_eq!(refused_reason(None), EndReason::DialFailed);
    }
}
