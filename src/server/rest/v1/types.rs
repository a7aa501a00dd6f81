//! The typed v1 wire format: every response body is one of these structs, so the OpenAPI
//! document (derived from the same types) cannot drift from what is sent.
//!
//! Times: every v1 timestamp is a [`Timestamp`], written as RFC 3339 in UTC with exactly three
//! fractional digits (`2026-11-29T15:04:05.123Z`). The dashboard and the Talkstack surface keep
//! their own formats; only v1 goes through this type.

use crate::model::{
    AgentRef, AgentStatus, AgentView, AnalysisConfig, ApiKeyCreated, ApiKeyView, AppError, AuditEntryView, Direction, ImportReport, InvitationView, MachineDetection,
    MemberView, NumberBrief, PhoneNumberView, ProjectView, Role, SkippedNumber, SpeaksFirst, TwilioSettingsView,
};
use serde::{Serialize, Serializer};
use std::borrow::Cow;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

/// A stored Unix-millisecond time, serialized as RFC 3339 UTC with milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp(pub i64);

/// The one v1 time formatter: `YYYY-MM-DDTHH:MM:SS.mmmZ`, always three fractional digits so
/// that clients can compare and parse without caring about precision. Written out by hand: a
/// page of calls formats a few hundred times, and `time`'s format descriptions cost ten times
/// as much (`rfc3339_matches_the_time_crate` checks it against `time`).
pub fn rfc3339_ms(ms: i64) -> String {
    String::from_utf8_lossy(&rfc3339_bytes(ms)).into_owned()
}

/// [`rfc3339_ms`] into a buffer on the stack (ASCII only).
fn rfc3339_bytes(ms: i64) -> [u8; 24] {
    // Years 0000-9999 (what four digits hold); only out-of-range values (not produced by
    // `now_ms`) fall back, to the epoch: well-formed rather than an empty string that breaks
    // the schema.
    const MIN: i64 = -62_167_219_200_000; // 0000-01-01T00:00:00Z
    const MAX: i64 = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z
    if !(MIN..=MAX).contains(&ms) {
        return *b"1970-01-01T00:00:00.000Z";
    }
    let days = ms.div_euclid(86_400_000);
    let in_day = ms.rem_euclid(86_400_000);
    // Days to a civil date (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms").
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let (h, m, s, milli) = (in_day / 3_600_000, in_day / 60_000 % 60, in_day / 1000 % 60, in_day % 1000);
    let mut out = [0u8; 24];
    let mut put = |at: usize, v: i64, width: usize| {
        let mut v = v;
        for i in (0..width).rev() {
            out[at + i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    put(0, year, 4);
    put(5, month, 2);
    put(8, day, 2);
    put(11, h, 2);
    put(14, m, 2);
    put(17, s, 2);
    put(20, milli, 3);
    for (at, c) in [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':'), (19, b'.'), (23, b'Z')] {
        out[at] = c;
    }
    out
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let buf = rfc3339_bytes(self.0);
        // Always ASCII; the lossy conversion borrows without copying.
        s.serialize_str(&String::from_utf8_lossy(&buf))
    }
}

impl PartialSchema for Timestamp {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
            .description(Some("RFC 3339, UTC, with milliseconds"))
            .examples([serde_json::json!("2026-11-29T15:04:05.123Z")])
            .into()
    }
}

impl ToSchema for Timestamp {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Timestamp")
    }
}

// ---- envelopes ---------------------------------------------------------------------------------

/// `{success: true, message, data}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Envelope<T> {
    /// Always true.
    pub success: bool,
    pub message: String,
    pub data: T,
}

/// One page of a list: `{success: true, message, data[], next_cursor}`. Pass `next_cursor` back
/// as `cursor` for the next page; it is null on the last page.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListEnvelope<T> {
    /// Always true.
    pub success: bool,
    pub message: String,
    pub data: Vec<T>,
    /// Opaque; null when there are no more items.
    pub next_cursor: Option<String>,
}

/// The answer of an operation that returns nothing: `data` is always null.
#[derive(Debug, Serialize, ToSchema)]
pub struct Done {
    /// Always true.
    pub success: bool,
    pub message: String,
    #[schema(value_type = Option<Object>)]
    pub data: Option<()>,
}

/// Every v1 error: `{success: false, error{code, message, details}}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorEnvelope {
    /// Always false.
    pub success: bool,
    pub error: ErrorBody,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable machine code: invalid_input, unauthenticated, invalid_credentials, email_not_verified,
    /// forbidden, not_found, conflict, invalid_code, code_expired, rate_limited, cross_site,
    /// payload_too_large, unsupported_media_type, method_not_allowed, idempotency_key_reused, upstream_error, internal.
    #[schema(example = "invalid_input")]
    pub code: String,
    pub message: String,
    /// Per-field problems (empty when the error is not about a field).
    pub details: Vec<FieldErrorOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FieldErrorOut {
    pub field: String,
    pub message: String,
}

impl From<&AppError> for ErrorEnvelope {
    fn from(e: &AppError) -> Self {
        ErrorEnvelope {
            success: false,
            error: ErrorBody {
                code: e.code.as_str().to_string(),
                message: e.message.clone(),
                details: e.details.iter().map(|d| FieldErrorOut { field: d.field.clone(), message: d.message.clone() }).collect(),
            },
        }
    }
}

// ---- projects and teams ------------------------------------------------------------------------

#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectOut {
    pub id: String,
    pub name: String,
    pub description: String,
    #[schema(example = "ACTIVE")]
    pub status: String,
    pub owner_id: String,
    pub owner_name: String,
    pub owner_email: String,
    pub call_status_webhook: Option<String>,
    pub active_agent: Option<String>,
    /// Calls that may be live at once; more wait queued.
    pub max_concurrent_calls: i64,
    /// The caller's role on this project.
    pub role: Role,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<ProjectView> for ProjectOut {
    fn from(p: ProjectView) -> Self {
        ProjectOut {
            id: p.id,
            name: p.name,
            description: p.description,
            status: p.status,
            owner_id: p.owner_id,
            owner_name: p.owner_name,
            owner_email: p.owner_email,
            call_status_webhook: p.call_status_webhook,
            active_agent: p.active_agent,
            max_concurrent_calls: p.max_concurrent_calls,
            role: p.role,
            created_at: Timestamp(p.created_at),
            updated_at: Timestamp(p.updated_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberOut {
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub joined_at: Timestamp,
}

impl From<MemberView> for MemberOut {
    fn from(m: MemberView) -> Self {
        MemberOut { user_id: m.user_id, name: m.name, email: m.email, role: m.role, joined_at: Timestamp(m.joined_at) }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationOut {
    pub id: String,
    pub project_id: String,
    pub email: String,
    pub role: Role,
    /// The inviter's name.
    pub invited_by: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    /// pending, accepted, revoked or expired.
    pub state: String,
}

impl From<InvitationView> for InvitationOut {
    fn from(i: InvitationView) -> Self {
        InvitationOut {
            id: i.id,
            project_id: i.project_id,
            email: i.email,
            role: i.role,
            invited_by: i.invited_by,
            created_at: Timestamp(i.created_at),
            expires_at: Timestamp(i.expires_at),
            state: i.state,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyOut {
    pub id: String,
    pub name: String,
    /// The first characters of the key, enough to recognise it.
    pub prefix: String,
    pub project_id: Option<String>,
    pub project_name: Option<String>,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
}

impl From<ApiKeyView> for ApiKeyOut {
    fn from(k: ApiKeyView) -> Self {
        ApiKeyOut {
            id: k.id,
            name: k.name,
            prefix: k.prefix,
            project_id: k.project_id,
            project_name: k.project_name,
            created_at: Timestamp(k.created_at),
            last_used_at: k.last_used_at.map(Timestamp),
        }
    }
}

/// A key right after creation: the only time the secret is shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyCreatedOut {
    pub key: ApiKeyOut,
    pub secret: String,
}

impl From<ApiKeyCreated> for ApiKeyCreatedOut {
    fn from(k: ApiKeyCreated) -> Self {
        ApiKeyCreatedOut { key: k.key.into(), secret: k.secret }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryOut {
    pub id: String,
    /// `user`, `api_key` (acting for `actor_id`, its creator) or `system` (jobs, provider callbacks).
    #[schema(pattern = "^(user|api_key|system)$")]
    pub actor_kind: String,
    pub actor_id: Option<String>,
    pub actor_email: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub details: Option<String>,
    pub created_at: Timestamp,
}

impl From<AuditEntryView> for AuditEntryOut {
    fn from(a: AuditEntryView) -> Self {
        AuditEntryOut {
            id: a.id,
            actor_kind: a.actor_kind,
            actor_id: a.actor_id,
            actor_email: a.actor_email,
            action: a.action,
            target: a.target,
            details: a.details,
            created_at: Timestamp(a.created_at),
        }
    }
}

// ---- agents, numbers, voices -------------------------------------------------------------------

/// The v1 agent: every setting plus Talkover's `current_status` (same value as `status`).
#[derive(Debug, Serialize, ToSchema)]
pub struct AgentOut {
    pub id: String,
    pub project_id: String,
    pub name: String,
    pub system_prompt: String,
    pub first_message: String,
    pub voice_id: Option<String>,
    /// The voice's display name, when the voice is in the catalog.
    pub voice_name: Option<String>,
    pub language: String,
    pub llm_model: String,
    pub temperature: f64,
    pub speaks_first: SpeaksFirst,
    /// What a Twilio call does when an answering machine picks up.
    pub machine_detection: MachineDetection,
    pub max_duration_secs: i64,
    pub recording: bool,
    pub direction: Direction,
    pub status: AgentStatus,
    pub current_status: AgentStatus,
    pub analysis: AnalysisConfig,
    /// `{{variables}}` of the prompt and first message, each once, in order of first use.
    pub variables: Vec<String>,
    pub phone_numbers: Vec<NumberBrief>,
    /// Bumped by every change.
    pub version: i64,
    /// Whether this is the project's active agent.
    pub is_active: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<AgentView> for AgentOut {
    fn from(a: AgentView) -> Self {
        AgentOut {
            id: a.id,
            project_id: a.project_id,
            name: a.name,
            system_prompt: a.system_prompt,
            first_message: a.first_message,
            voice_id: a.voice_id,
            voice_name: a.voice_name,
            language: a.language,
            llm_model: a.llm_model,
            temperature: a.temperature,
            speaks_first: a.speaks_first,
            machine_detection: a.machine_detection,
            max_duration_secs: a.max_duration_secs,
            recording: a.recording,
            direction: a.direction,
            status: a.status,
            current_status: a.status,
            analysis: a.analysis,
            variables: a.variables,
            phone_numbers: a.phone_numbers,
            version: a.version,
            is_active: a.is_active,
            created_at: Timestamp(a.created_at),
            updated_at: Timestamp(a.updated_at),
        }
    }
}

/// Seed 004: exactly Talkover's fields.
#[derive(Debug, Serialize, ToSchema)]
pub struct CallingOut {
    pub id: String,
    pub name: String,
    pub direction: Direction,
    pub current_status: AgentStatus,
    pub phone_numbers: Vec<NumberBrief>,
    pub updated_at: Timestamp,
}

impl From<AgentView> for CallingOut {
    fn from(a: AgentView) -> Self {
        CallingOut {
            id: a.id,
            name: a.name,
            direction: a.direction,
            current_status: a.status,
            phone_numbers: a.phone_numbers,
            updated_at: Timestamp(a.updated_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RenderOut {
    pub system_prompt: String,
    pub first_message: String,
    /// The variables the agent's texts use.
    pub variables: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NumberOut {
    pub id: String,
    pub project_id: String,
    /// E.164.
    pub number: String,
    pub country_code: Option<String>,
    /// National format.
    pub formatted_number: String,
    pub international_number: String,
    /// `simulator` or `twilio`.
    pub provider: String,
    /// `active`.
    pub status: String,
    /// Talkover's name for `status`.
    pub current_status: String,
    pub label: String,
    /// The inbound agent answering the number if there is one, else the first outbound agent
    /// calling from it.
    pub agent_id: Option<String>,
    /// Every agent using the number (one inbound agent at most).
    pub agents: Vec<AgentRef>,
    pub twilio_sid: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<PhoneNumberView> for NumberOut {
    fn from(n: PhoneNumberView) -> Self {
        NumberOut {
            id: n.id,
            project_id: n.project_id,
            number: n.number,
            country_code: n.country_code,
            formatted_number: n.formatted_number,
            international_number: n.international_number,
            provider: n.provider,
            current_status: n.status.clone(),
            status: n.status,
            label: n.label,
            agent_id: n.agent_id,
            agents: n.agents,
            twilio_sid: n.twilio_sid,
            created_at: Timestamp(n.created_at),
            updated_at: Timestamp(n.updated_at),
        }
    }
}

/// A project's Twilio account, without the secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct TwilioOut {
    pub account_sid: String,
    /// The last four characters of the auth token.
    pub auth_token_hint: String,
    pub updated_at: Timestamp,
}

impl From<TwilioSettingsView> for TwilioOut {
    fn from(t: TwilioSettingsView) -> Self {
        TwilioOut { account_sid: t.account_sid, auth_token_hint: t.auth_token_hint, updated_at: Timestamp(t.updated_at) }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReportOut {
    pub imported: Vec<NumberOut>,
    /// Numbers already in this project (their Twilio SID and provider are refreshed).
    pub already_present: usize,
    pub skipped: Vec<SkippedNumber>,
}

impl From<ImportReport> for ImportReportOut {
    fn from(r: ImportReport) -> Self {
        ImportReportOut {
            imported: r.imported.into_iter().map(Into::into).collect(),
            already_present: r.already_present,
            skipped: r.skipped,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_always_carry_milliseconds() {
        assert_eq!(rfc3339_ms(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339_ms(1_700_000_000_123), "2023-11-14T22:13:20.123Z");
        assert_eq!(rfc3339_ms(1_700_000_000_000), "2023-11-14T22:13:20.000Z");
        assert_eq!(serde_json::to_string(&Timestamp(5)).unwrap(), "\"1970-01-01T00:00:00.005Z\"");
    }

    /// The reference the hand-written formatter replaced.
    fn with_time_crate(ms: i64) -> String {
        const FMT: &[time::format_description::FormatItem<'static>] =
            time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
        time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000).expect("in range").format(FMT).expect("formats")
    }

    #[test]
    fn rfc3339_matches_the_time_crate() {
        // Edges (epoch, leap days, century rules, before 1970, the first and last instants
        // four digits hold), then a walk over the whole range with an odd stride.
        let edges = [
            0,
            -1,
            1,
            951_782_400_000,     // 2000-02-29
            4_107_542_399_999,   // 2100-02-28T23:59:59.999
            4_107_542_400_000,   // 2100-03-01
            -2_203_977_600_001,  // 1900-02-28T23:59:59.999
            -62_167_219_200_000, // 0000-01-01
            253_402_300_799_999, // 9999-12-31T23:59:59.999
        ];
        for ms in edges {
            assert_eq!(rfc3339_ms(ms), with_time_crate(ms), "{ms}");
        }
        let mut ms = -62_167_219_200_000i64;
        while ms <= 253_402_300_799_999 {
            assert_eq!(rfc3339_ms(ms), with_time_crate(ms), "{ms}");
            ms += 3_141_592_653_589; // about 99.6 years and some odd milliseconds
        }
        let mut ms = 1_600_000_000_000i64;
        while ms < 1_900_000_000_000 {
            assert_eq!(rfc3339_ms(ms), with_time_crate(ms), "{ms}");
            ms += 86_399_937; // a day less 63 ms: every day and time of day drifts through
        }
    }

    #[test]
    fn out_of_range_times_fall_back_to_the_epoch() {
        assert_eq!(rfc3339_ms(-62_167_219_200_001), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339_ms(253_402_300_800_000), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339_ms(i64::MIN), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339_ms(i64::MAX), "1970-01-01T00:00:00.000Z");
    }
}

// ---- calls ---------------------------------------------------------------------------------------

/// A call: its agent (and the version it ran with), numbers, lifecycle times, outcome,
/// transcript and latest analysis. Statuses: queued, initiated, ringing, in-progress, completed,
/// busy, no-answer, failed, canceled.
#[derive(Debug, Serialize, ToSchema)]
pub struct CallOut {
    pub id: String,
    pub project_id: String,
    pub agent_id: Option<String>,
    pub agent_name: String,
    pub agent_version: i64,
    pub direction: Direction,
    pub from: String,
    pub to: String,
    pub status: crate::model::CallStatus,
    pub end_reason: Option<crate::model::EndReason>,
    pub answered_by: Option<crate::model::AnsweredBy>,
    pub is_test: bool,
    pub variables: std::collections::BTreeMap<String, String>,
    #[schema(value_type = Object)]
    pub metadata: serde_json::Value,
    /// Left out of lists unless they ask for it (`transcripts=true`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transcript: Option<Vec<crate::model::TranscriptSegment>>,
    /// Whether a recording is ready to play.
    pub has_recording: bool,
    pub recording_status: crate::model::RecordingStatus,
    /// Why there is no recording, when `recording_status` is `unavailable`.
    pub recording_note: Option<String>,
    /// On a single call, when ready: a signed link (about an hour) that plays without credentials.
    pub recording: Option<crate::model::RecordingView>,
    pub cost: f64,
    pub currency: String,
    pub scheduled_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub started_at: Option<Timestamp>,
    pub answered_at: Option<Timestamp>,
    pub ended_at: Option<Timestamp>,
    pub duration_ms: Option<i64>,
    pub analysis: Option<CallAnalysisOut>,
    /// The latest analysis's caller sentiment (null before the first analysis).
    pub sentiment: Option<crate::model::Sentiment>,
    /// Whether the latest analysis judged the call successful (null before it, or without
    /// success criteria).
    pub success: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CallAnalysisOut {
    pub version: i64,
    /// `builtin`, or `llm:<model>`.
    pub source: String,
    pub created_at: Timestamp,
    /// Why the built-in analyzer answered although a model is configured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(flatten)]
    pub result: crate::model::AnalysisResult,
}

impl From<crate::model::CallAnalysisView> for CallAnalysisOut {
    fn from(a: crate::model::CallAnalysisView) -> Self {
        CallAnalysisOut { version: a.version, source: a.source, created_at: Timestamp(a.created_at), note: a.note, result: a.result }
    }
}

impl From<crate::model::CallView> for CallOut {
    fn from(c: crate::model::CallView) -> Self {
        CallOut {
            id: c.id,
            project_id: c.project_id,
            agent_id: c.agent_id,
            agent_name: c.agent_name,
            agent_version: c.agent_version,
            direction: c.direction,
            from: c.from,
            to: c.to,
            status: c.status,
            end_reason: c.end_reason,
            answered_by: c.answered_by,
            is_test: c.is_test,
            variables: c.variables,
            metadata: c.metadata,
            transcript: Some(c.transcript),
            has_recording: c.has_recording,
            recording_status: c.recording_status,
            recording_note: c.recording_note,
            recording: c.recording,
            cost: c.cost,
            currency: c.currency,
            scheduled_at: c.scheduled_at.map(Timestamp),
            created_at: Timestamp(c.created_at),
            started_at: c.started_at.map(Timestamp),
            answered_at: c.answered_at.map(Timestamp),
            ended_at: c.ended_at.map(Timestamp),
            duration_ms: c.duration_ms,
            analysis: c.analysis.map(CallAnalysisOut::from),
            sentiment: c.sentiment,
            success: c.success,
        }
    }
}

/// A status change of a call.
#[derive(Debug, Serialize, ToSchema)]
pub struct CallEventOut {
    pub status: crate::model::CallStatus,
    pub detail: String,
    pub at: Timestamp,
}

impl From<crate::model::CallEventView> for CallEventOut {
    fn from(e: crate::model::CallEventView) -> Self {
        CallEventOut { status: e.status, detail: e.detail, at: Timestamp(e.at) }
    }
}
