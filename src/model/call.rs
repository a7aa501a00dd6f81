//! Call DTOs and the call lifecycle: statuses that only move forward, end reasons (Retell's set),
//! who answered, transcript segments and post-call analysis. The transition rule lives here, beside
//! the status type, so the server and the dashboard agree on it; storing and deciding transitions
//! is `server::services::calls`.

use super::QuestionKind;
use serde::{Deserialize, Serialize};

str_enum!(
    /// Where a call is in its life. See [`CallStatus::can_become`].
    CallStatus ("call status") {
        Queued = "queued",
        Initiated = "initiated",
        Ringing = "ringing",
        InProgress = "in-progress",
        Completed = "completed",
        Busy = "busy",
        NoAnswer = "no-answer",
        Failed = "failed",
        Canceled = "canceled",
    } default Queued
);

impl CallStatus {
    /// A finished call: nothing follows.
    pub fn is_final(self) -> bool {
        matches!(self, CallStatus::Completed | CallStatus::Busy | CallStatus::NoAnswer | CallStatus::Failed | CallStatus::Canceled)
    }

    /// Live calls count against the project's concurrency limit (queued ones wait for a slot).
    pub fn is_live(self) -> bool {
        matches!(self, CallStatus::Initiated | CallStatus::Ringing | CallStatus::InProgress)
    }

    fn rank(self) -> u8 {
        match self {
            CallStatus::Queued => 0,
            CallStatus::Initiated => 1,
            CallStatus::Ringing => 2,
            CallStatus::InProgress => 3,
            _ => 4,
        }
    }

    /// Whether a call in `self` may move to `next`: only forward, never out of a final status;
    /// `completed` needs an answered call, `busy` and `no-answer` an unanswered one, and only a
    /// call that has not been answered can be canceled.
    pub fn can_become(self, next: CallStatus) -> bool {
        if self.is_final() || next.rank() <= self.rank() && !next.is_final() {
            return false;
        }
        match next {
            CallStatus::Completed => self == CallStatus::InProgress,
            CallStatus::Busy | CallStatus::NoAnswer => matches!(self, CallStatus::Initiated | CallStatus::Ringing),
            CallStatus::Canceled => matches!(self, CallStatus::Queued | CallStatus::Initiated | CallStatus::Ringing),
            CallStatus::Failed => true,
            _ => next.rank() > self.rank(),
        }
    }
}

str_enum!(
    /// Why a call ended (Retell's set).
    EndReason ("end reason") {
        UserHangup = "user_hangup",
        AgentHangup = "agent_hangup",
        MaxDurationReached = "max_duration_reached",
        Inactivity = "inactivity",
        VoicemailReached = "voicemail_reached",
        DialBusy = "dial_busy",
        DialNoAnswer = "dial_no_answer",
        DialFailed = "dial_failed",
        InvalidDestination = "invalid_destination",
        Canceled = "canceled",
        ConcurrencyLimitReached = "concurrency_limit_reached",
        CarrierError = "carrier_error",
        InternalError = "internal_error",
    } default InternalError
);

str_enum!(
    /// Who picked up.
    AnsweredBy ("answered by") { Human = "human", Machine = "machine", Unknown = "unknown" } default Unknown
);

str_enum!(
    /// Who speaks in a transcript segment.
    Speaker ("speaker") { Agent = "agent", User = "user" } default Agent
);

str_enum!(
    /// The caller's overall sentiment, as the analysis judged it.
    Sentiment ("sentiment") { Positive = "positive", Neutral = "neutral", Negative = "negative", Unknown = "unknown" } default Unknown
);

str_enum!(
    /// Where a call's recording stands. `none`: the agent does not record, or nothing was said;
    /// `pending`: being rendered; `ready`: playable; `unavailable`: it could not be made (see
    /// `recording_note`, e.g. espeak-ng is not installed on the server).
    RecordingStatus ("recording status") { None = "none", Pending = "pending", Ready = "ready", Unavailable = "unavailable" } default None
);

/// A playable recording of a call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RecordingView {
    /// A link that works without credentials until it expires (a signed link, about an hour), so
    /// an `<audio src>` can play it.
    pub url: String,
    pub duration_ms: i64,
    /// `audio/wav` (mono 16-bit PCM).
    pub content_type: String,
    pub size_bytes: i64,
}

/// One utterance: who said what, between which offsets from the answer (milliseconds).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TranscriptSegment {
    pub role: Speaker,
    pub text: String,
    pub start_ms: i64,
    pub end_ms: i64,
    /// How sure the speech recogniser was of a caller's words (0 to 1), when it said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
}

/// The answer to one custom analysis question: `answer` is a Boolean, a number, one of a
/// Selector's options or text, or `null` with a `reason` when the call does not tell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct QuestionAnswer {
    pub question: String,
    #[serde(rename = "type")]
    pub kind: QuestionKind,
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub answer: serde_json::Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// What an analysis found (one version of it; see [`CallAnalysisView`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AnalysisResult {
    pub summary: Option<String>,
    pub user_sentiment: Sentiment,
    /// Judged against the agent's success criteria; `None` when there are none to judge by.
    pub call_successful: Option<bool>,
    pub success_reason: String,
    pub voicemail_detected: bool,
    #[serde(default)]
    pub answers: Vec<QuestionAnswer>,
}

/// One analysis version of a call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CallAnalysisView {
    pub version: i64,
    /// `builtin`, or `llm:<model>` when an OpenAI-compatible model answered.
    pub source: String,
    pub created_at: i64,
    /// Why the built-in analyzer answered although a model is configured (it could not be reached
    /// or its answer did not validate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(flatten)]
    pub result: AnalysisResult,
}

/// A status change of a call, with its time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CallEventView {
    pub status: CallStatus,
    pub detail: String,
    pub at: i64,
}

/// A call as the dashboard and the APIs show it. Times are Unix milliseconds (the APIs format
/// them); `transcript` offsets are from the answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallView {
    pub id: String,
    pub project_id: String,
    pub agent_id: Option<String>,
    pub agent_name: String,
    pub agent_version: i64,
    pub direction: super::Direction,
    pub from: String,
    pub to: String,
    pub status: CallStatus,
    pub end_reason: Option<EndReason>,
    pub answered_by: Option<AnsweredBy>,
    pub is_test: bool,
    pub variables: std::collections::BTreeMap<String, String>,
    pub metadata: serde_json::Value,
    pub transcript: Vec<TranscriptSegment>,
    /// Whether a recording is ready (see `recording_status`).
    pub has_recording: bool,
    pub recording_status: RecordingStatus,
    /// Why there is no recording, when `recording_status` is `unavailable`.
    pub recording_note: Option<String>,
    /// Set on a single call's view when the recording is ready (lists leave it out).
    pub recording: Option<RecordingView>,
    /// In `currency` units.
    pub cost: f64,
    pub currency: String,
    pub scheduled_at: Option<i64>,
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub answered_at: Option<i64>,
    pub ended_at: Option<i64>,
    pub duration_ms: Option<i64>,
    /// The latest analysis version, once there is one.
    pub analysis: Option<CallAnalysisView>,
    /// The latest analysis's caller sentiment and success, kept on the call so that lists show and
    /// filter them without loading analyses; `None` before the first analysis (success also when
    /// the agent has no success criteria).
    pub sentiment: Option<Sentiment>,
    pub success: Option<bool>,
}

/// One UTC day of the Overview: the calls created that day that have finished, by outcome.
/// `completed` excludes voicemail (`end_reason` `voicemail_reached`), counted apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OverviewDay {
    /// `YYYY-MM-DD`, UTC.
    pub day: String,
    pub completed: i64,
    pub voicemail: i64,
    pub busy: i64,
    pub no_answer: i64,
    pub failed: i64,
    pub canceled: i64,
}

/// A project's call statistics over the last `days` UTC days (today included), from the per-day
/// aggregates kept as calls finish and are analyzed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OverviewView {
    /// 7, 30 or 90.
    pub days: u32,
    /// First and last day of the period, `YYYY-MM-DD` UTC.
    pub from_day: String,
    pub to_day: String,
    /// Every day of the period, zeros included, oldest first.
    pub per_day: Vec<OverviewDay>,
    /// Finished calls.
    pub total: i64,
    /// Finished calls that were answered (by a person or a machine).
    pub answered: i64,
    /// `answered` over the finished calls that were dialled (all but canceled ones).
    pub answer_rate: Option<f64>,
    /// Mean duration of the answered calls.
    pub avg_duration_ms: Option<i64>,
    pub success_yes: i64,
    pub success_no: i64,
    /// `success_yes` over the calls judged (yes + no).
    pub success_rate: Option<f64>,
    pub sentiment_positive: i64,
    pub sentiment_neutral: i64,
    pub sentiment_negative: i64,
    pub sentiment_unknown: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use CallStatus::*;

    #[test]
    fn statuses_only_move_forward() {
        let path = [Queued, Initiated, Ringing, InProgress, Completed];
        for w in path.windows(2) {
            assert!(w[0].can_become(w[1]), "{:?} -> {:?}", w[0], w[1]);
        }
        // Skipping ahead is fine (a carrier may report in-progress without ringing).
        assert!(Queued.can_become(InProgress) && Initiated.can_become(InProgress));
        // Never back, never sideways, never out of a final status.
        for s in CallStatus::ALL {
            assert!(!s.can_become(*s), "{s:?} -> itself");
            assert!(!s.can_become(Queued), "{s:?} -> queued");
        }
        assert!(!InProgress.can_become(Ringing) && !Ringing.can_become(Initiated));
        for f in [Completed, Busy, NoAnswer, Failed, Canceled] {
            assert!(f.is_final());
            for n in CallStatus::ALL {
                assert!(!f.can_become(*n), "{f:?} -> {n:?}");
            }
        }
    }

    #[test]
    fn final_statuses_need_the_right_history() {
        assert!(!Ringing.can_become(Completed), "completed needs an answer");
        assert!(!InProgress.can_become(Busy) && !InProgress.can_become(NoAnswer));
        assert!(Ringing.can_become(Busy) && Initiated.can_become(NoAnswer));
        assert!(Queued.can_become(Canceled) && Ringing.can_become(Canceled));
        assert!(!InProgress.can_become(Canceled), "an answered call hangs up, it is not canceled");
        assert!(Queued.can_become(Failed) && InProgress.can_become(Failed));
        assert!(!Queued.can_become(Busy));
    }

    #[test]
    fn wire_spellings_round_trip() {
        assert_eq!(CallStatus::parse("in-progress"), Some(InProgress));
        assert_eq!(CallStatus::try_from("no-answer".to_string()), Ok(NoAnswer));
        assert!(CallStatus::try_from("ringing-ish".to_string()).unwrap_err().contains("ringing-ish"));
        assert_eq!(EndReason::parse("max_duration_reached"), Some(EndReason::MaxDurationReached));
        assert_eq!(EndReason::ALL.len(), 13);
        assert_eq!(serde_json::to_string(&AnsweredBy::Machine).unwrap(), "\"machine\"");
        assert!(Initiated.is_live() && !Queued.is_live() && !Completed.is_live());
    }
}
