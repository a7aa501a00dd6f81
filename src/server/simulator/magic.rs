//! The magic numbers: how a simulated call ends is chosen by the last four digits of the
//! destination, so that every outcome can be tried on purpose from the dashboard or the API.

use crate::model::call::{AnsweredBy, CallStatus, EndReason};

/// What the simulator does with a destination (see [`MAGIC_NUMBERS`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Magic {
    Busy,
    NoAnswer,
    InvalidDestination,
    Voicemail,
    MaxDuration,
    CallerHangsUp,
    /// Not a magic number: a persona-driven conversation that either side ends.
    Conversation,
}

/// One row of [`MAGIC_NUMBERS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MagicNumber {
    /// The destination's last four digits.
    pub last_four: &'static str,
    pub magic: Magic,
    pub status: CallStatus,
    pub end_reason: EndReason,
    /// `None`: nobody answered.
    pub answered_by: Option<AnsweredBy>,
    /// What the call sounds like, for people (README, tooltips).
    pub description: &'static str,
}

/// The magic numbers, by the destination's last four digits (any country, any prefix):
///
/// | Last four | What happens | Status | End reason | Answered by |
/// |-----------|--------------|--------|------------|-------------|
/// | `0001` | The line is busy | `busy` | `dial_busy` | — |
/// | `0002` | It rings for about 30 s, nobody answers | `no-answer` | `dial_no_answer` | — |
/// | `0003` | The number does not exist | `failed` | `invalid_destination` | — |
/// | `0004` | Voicemail: a machine greeting, the agent leaves its first message | `completed` | `voicemail_reached` | `machine` |
/// | `0005` | The conversation runs until the agent's maximum duration | `completed` | `max_duration_reached` | `human` |
/// | `0006` | The caller hangs up right after the agent's greeting | `completed` | `user_hangup` | `human` |
/// | anything else | A conversation with a caller persona chosen from the call id; either side hangs up | `completed` | `agent_hangup` or `user_hangup` | `human` |
///
/// Any answered call that reaches the agent's maximum duration ends `max_duration_reached`.
pub const MAGIC_NUMBERS: [MagicNumber; 6] = [
    MagicNumber {
        last_four: "0001",
        magic: Magic::Busy,
        status: CallStatus::Busy,
        end_reason: EndReason::DialBusy,
        answered_by: None,
        description: "The line is busy",
    },
    MagicNumber {
        last_four: "0002",
        magic: Magic::NoAnswer,
        status: CallStatus::NoAnswer,
        end_reason: EndReason::DialNoAnswer,
        answered_by: None,
        description: "It rings for about 30 s, nobody answers",
    },
    MagicNumber {
        last_four: "0003",
        magic: Magic::InvalidDestination,
        status: CallStatus::Failed,
        end_reason: EndReason::InvalidDestination,
        answered_by: None,
        description: "The number does not exist",
    },
    MagicNumber {
        last_four: "0004",
        magic: Magic::Voicemail,
        status: CallStatus::Completed,
        end_reason: EndReason::VoicemailReached,
        answered_by: Some(AnsweredBy::Machine),
        description: "Voicemail: a machine greeting, the agent leaves its first message",
    },
    MagicNumber {
        last_four: "0005",
        magic: Magic::MaxDuration,
        status: CallStatus::Completed,
        end_reason: EndReason::MaxDurationReached,
        answered_by: Some(AnsweredBy::Human),
        description: "The conversation runs until the agent's maximum duration",
    },
    MagicNumber {
        last_four: "0006",
        magic: Magic::CallerHangsUp,
        status: CallStatus::Completed,
        end_reason: EndReason::UserHangup,
        answered_by: Some(AnsweredBy::Human),
        description: "The caller hangs up right after the agent's greeting",
    },
];

/// What the simulator does when dialing `to_e164`: the row of [`MAGIC_NUMBERS`] matching its last
/// four digits (non-digits are ignored), else [`Magic::Conversation`].
pub fn outcome_for(to_e164: &str) -> Magic {
    let digits: Vec<u8> = to_e164.bytes().filter(u8::is_ascii_digit).collect();
    if digits.len() < 4 {
        return Magic::Conversation;
    }
    let last_four = &digits[digits.len() - 4..];
    MAGIC_NUMBERS.iter().find(|m| m.last_four.as_bytes() == last_four).map_or(Magic::Conversation, |m| m.magic)
}

impl Magic {
    /// This outcome's row of [`MAGIC_NUMBERS`]; `None` for [`Magic::Conversation`].
    pub fn row(self) -> Option<&'static MagicNumber> {
        MAGIC_NUMBERS.iter().find(|m| m.magic == self)
    }

    /// Whether anybody (or anything) picks up.
    pub fn is_answered(self) -> bool {
        !matches!(self, Magic::Busy | Magic::NoAnswer | Magic::InvalidDestination)
    }
}
