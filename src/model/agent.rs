//! Agent, voice and phone number DTOs and the small enums they use. Validation of the values
//! lives in `server::services::agents` (the one place rules are decided); these types only carry
//! them between the server, the dashboard and the API.

use serde::{Deserialize, Serialize};

str_enum!(
    /// Whether the agent answers calls on its numbers or places calls from them.
    Direction ("direction") { Inbound = "inbound", Outbound = "outbound" } default Outbound
);
str_enum!(
    /// Drafts can be tested; published agents are the ones meant for real traffic.
    AgentStatus ("agent status") { Draft = "draft", Published = "published" } default Draft
);
str_enum!(
    /// Who talks first when the call connects.
    SpeaksFirst ("speaks_first") { Agent = "agent", User = "user" } default Agent
);
str_enum!(
    /// What a Twilio call does when an answering machine picks up: keep talking as if a person
    /// answered (no detection, so no detection delay either), hang up, or wait for the beep and
    /// leave the first message as a voicemail.
    MachineDetection ("machine_detection") { Off = "off", HangUp = "hang_up", LeaveMessage = "leave_message" } default Off
);
str_enum!(
    /// The answer type of a custom post-call analysis question (Talkstack's spelling).
    QuestionKind ("question kind") { Boolean = "Boolean", Text = "Text", Number = "Number", Selector = "Selector" } default Text
);

str_enum!(
    /// Who carries a number's calls (stored in `phone_numbers.provider`).
    NumberProvider ("number provider") { Simulator = "simulator", Twilio = "twilio" } default Simulator
);
str_enum!(
    /// A number's state (stored in `phone_numbers.status`); every number is active for now.
    NumberStatus ("number status") { Active = "active" } default Active
);

/// One custom post-call analysis question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CustomQuestion {
    pub question: String,
    #[serde(rename = "type")]
    pub kind: QuestionKind,
    /// The choices of a Selector question; empty for the other kinds.
    #[serde(default)]
    pub options: Vec<String>,
}

/// What the post-call analysis extracts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AnalysisConfig {
    #[serde(default = "yes")]
    pub summary: bool,
    #[serde(default)]
    pub success_criteria: String,
    #[serde(default)]
    pub questions: Vec<CustomQuestion>,
}

fn yes() -> bool {
    true
}

/// The stored JSON of an agent's analysis settings: JSON that does not parse is an error, never an
/// empty configuration.
impl TryFrom<String> for AnalysisConfig {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        serde_json::from_str(&s).map_err(|e| format!("analysis is not valid JSON ({e})"))
    }
}

impl Default for AnalysisConfig {
    fn default() -> Self {
        AnalysisConfig { summary: true, success_criteria: String::new(), questions: Vec::new() }
    }
}

/// Defaults of a new agent, shared so the editor and the API agree.
pub mod defaults {
    pub const LANGUAGE: &str = "en-US";
    pub const LLM_MODEL: &str = "gpt-4o-mini";
    pub const TEMPERATURE: f64 = 0.7;
    pub const MAX_DURATION_SECS: i64 = 600;
    /// Rachel (ElevenLabs), the first voice of the shipped catalog.
    pub const VOICE_ID: &str = "21m00Tcm4TlvDq8ikWAM";
    /// Suggestions for the model field (any OpenAI-compatible model name is accepted).
    pub const LLM_MODELS: &[&str] = &["gpt-4o-mini", "gpt-4o", "gpt-4.1", "gpt-4.1-mini", "claude-3-5-haiku", "claude-sonnet-4", "llama-3.1-70b"];
}

/// Every editable setting of an agent, as the editor submits it (a full replacement).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentInput {
    pub name: String,
    pub system_prompt: String,
    pub first_message: String,
    pub voice_id: Option<String>,
    pub language: String,
    pub llm_model: String,
    pub temperature: f64,
    pub speaks_first: SpeaksFirst,
    /// Defaults to off when omitted: a dashboard loaded before the setting existed still saves.
    #[serde(default)]
    pub machine_detection: MachineDetection,
    pub max_duration_secs: i64,
    pub recording: bool,
    pub direction: Direction,
    pub status: AgentStatus,
    pub analysis: AnalysisConfig,
}

impl Default for AgentInput {
    fn default() -> Self {
        AgentInput {
            name: String::new(),
            system_prompt: String::new(),
            first_message: String::new(),
            voice_id: Some(defaults::VOICE_ID.into()),
            language: defaults::LANGUAGE.into(),
            llm_model: defaults::LLM_MODEL.into(),
            temperature: defaults::TEMPERATURE,
            speaks_first: SpeaksFirst::Agent,
            machine_detection: MachineDetection::Off,
            max_duration_secs: defaults::MAX_DURATION_SECS,
            recording: true,
            direction: Direction::Outbound,
            status: AgentStatus::Draft,
            analysis: AnalysisConfig::default(),
        }
    }
}

/// A number as it appears inside an agent (Talkover's calling-settings shape).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NumberBrief {
    pub id: String,
    /// E.164.
    pub number: String,
    /// ISO 3166 alpha-2 region of the number.
    pub country_code: Option<String>,
    /// National format, e.g. `(415) 555-2671`.
    pub formatted_number: String,
    pub current_status: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentView {
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
    /// Twilio calls only; defaults to off when omitted (a view cached before the setting existed).
    #[serde(default)]
    pub machine_detection: MachineDetection,
    pub max_duration_secs: i64,
    pub recording: bool,
    pub direction: Direction,
    pub status: AgentStatus,
    pub analysis: AnalysisConfig,
    /// `{{variables}}` of the prompt and first message, each once, in order of first use.
    pub variables: Vec<String>,
    pub phone_numbers: Vec<NumberBrief>,
    /// Bumped by every change.
    pub version: i64,
    /// Whether this is the project's active agent.
    pub is_active: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

impl AgentView {
    /// The editable part, to seed the editor.
    pub fn input(&self) -> AgentInput {
        AgentInput {
            name: self.name.clone(),
            system_prompt: self.system_prompt.clone(),
            first_message: self.first_message.clone(),
            voice_id: self.voice_id.clone(),
            language: self.language.clone(),
            llm_model: self.llm_model.clone(),
            temperature: self.temperature,
            speaks_first: self.speaks_first,
            machine_detection: self.machine_detection,
            max_duration_secs: self.max_duration_secs,
            recording: self.recording,
            direction: self.direction,
            status: self.status,
            analysis: self.analysis.clone(),
        }
    }
}

/// How to order an agent list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum AgentSort {
    /// Most recently updated first.
    #[default]
    Updated,
    Name,
}

impl AgentSort {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "updated" | "updated_at" | "-updated_at" | "last_update" => Some(AgentSort::Updated),
            "name" => Some(AgentSort::Name),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct VoiceView {
    pub voice_id: String,
    pub name: String,
    pub provider: String,
    /// BCP 47, e.g. `en-US`.
    pub language: String,
    pub accent: String,
    pub description: String,
    pub age: String,
    pub gender: String,
    pub use_case: String,
    pub preview_url: String,
}

/// Voice list filters; empty or `None` means any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct VoiceFilter {
    pub provider: Option<String>,
    /// Matches `en` (any English) or `en-GB` exactly.
    pub language: Option<String>,
    pub gender: Option<String>,
    pub accent: Option<String>,
    /// Searches name, description, accent and use case.
    pub q: Option<String>,
}

/// The values the filters can take, for the filter menus.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct VoiceFacets {
    pub providers: Vec<String>,
    pub languages: Vec<String>,
    pub genders: Vec<String>,
    pub accents: Vec<String>,
}

/// An agent using a number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AgentRef {
    pub id: String,
    pub name: String,
    pub direction: Direction,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneNumberView {
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
    pub label: String,
    /// The agent the number is assigned to: the inbound agent answering it if there is one,
    /// otherwise the first outbound agent calling from it.
    pub agent_id: Option<String>,
    /// Every agent using the number (one inbound agent at most).
    pub agents: Vec<AgentRef>,
    pub twilio_sid: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A project's Twilio account, without the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwilioSettingsView {
    pub account_sid: String,
    /// The last four characters of the auth token.
    pub auth_token_hint: String,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SkippedNumber {
    pub number: String,
    pub reason: String,
}

/// The outcome of importing a Twilio account's numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ImportReport {
    pub imported: Vec<PhoneNumberView>,
    /// Numbers already in this project (their Twilio SID and provider are refreshed).
    pub already_present: usize,
    pub skipped: Vec<SkippedNumber>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_round_trip_their_wire_spelling() {
        for d in Direction::ALL {
            assert_eq!(Direction::parse(d.as_str()), Some(*d));
        }
        assert_eq!(QuestionKind::parse("boolean"), Some(QuestionKind::Boolean));
        assert_eq!(serde_json::to_string(&QuestionKind::Selector).unwrap(), "\"Selector\"");
        assert_eq!(serde_json::to_string(&Direction::Inbound).unwrap(), "\"inbound\"");
        assert_eq!(Direction::parse("sideways"), None);
        assert_eq!(AgentSort::parse("name"), Some(AgentSort::Name));
    }

    #[test]
    fn stored_values_convert_or_name_the_bad_value() {
        assert_eq!(Direction::try_from("inbound".to_string()), Ok(Direction::Inbound));
        assert_eq!(Direction::try_from("outbound".to_string()), Ok(Direction::Outbound));
        assert_eq!(Direction::try_from("sideways".to_string()), Err("unknown direction \"sideways\"".to_string()));
        assert_eq!(AgentStatus::try_from("published".to_string()), Ok(AgentStatus::Published));
        assert_eq!(AgentStatus::try_from("".to_string()), Err("unknown agent status \"\"".to_string()));
        assert_eq!(SpeaksFirst::try_from("user".to_string()), Ok(SpeaksFirst::User));
        assert_eq!(SpeaksFirst::try_from("nobody".to_string()), Err("unknown speaks_first \"nobody\"".to_string()));
        assert_eq!(MachineDetection::try_from("leave_message".to_string()), Ok(MachineDetection::LeaveMessage));
        assert_eq!(MachineDetection::try_from("sometimes".to_string()), Err("unknown machine_detection \"sometimes\"".to_string()));
        assert_eq!(QuestionKind::try_from("Selector".to_string()), Ok(QuestionKind::Selector));
        assert_eq!(NumberProvider::try_from("twilio".to_string()), Ok(NumberProvider::Twilio));
        assert_eq!(NumberProvider::try_from("carrier pigeon".to_string()), Err("unknown number provider \"carrier pigeon\"".to_string()));
        assert_eq!(NumberStatus::try_from("active".to_string()), Ok(NumberStatus::Active));
        assert_eq!(NumberStatus::try_from("gone".to_string()), Err("unknown number status \"gone\"".to_string()));
    }

    #[test]
    fn machine_detection_parses_its_three_values_and_defaults_to_off() {
        for m in MachineDetection::ALL {
            assert_eq!(MachineDetection::parse(m.as_str()), Some(*m));
        }
        assert_eq!(MachineDetection::ALL.iter().map(|m| m.as_str()).collect::<Vec<_>>(), ["off", "hang_up", "leave_message"]);
        assert_eq!(MachineDetection::parse(" Hang_Up "), Some(MachineDetection::HangUp));
        assert_eq!(MachineDetection::parse("sometimes"), None);
        assert_eq!(MachineDetection::default(), MachineDetection::Off);
        assert_eq!(serde_json::to_string(&MachineDetection::LeaveMessage).unwrap(), "\"leave_message\"");
    }

    #[test]
    fn agent_input_without_machine_detection_still_parses() {
        let mut v = serde_json::to_value(AgentInput::default()).unwrap();
        v.as_object_mut().unwrap().remove("machine_detection");
        let i: AgentInput = serde_json::from_value(v).unwrap();
        assert_eq!(i.machine_detection, MachineDetection::Off);
    }

    #[test]
    fn stored_analysis_must_be_json() {
        let a = AnalysisConfig::try_from(r#"{"summary":false,"success_criteria":"booked","questions":[]}"#.to_string()).unwrap();
        assert!(!a.summary);
        assert_eq!(a.success_criteria, "booked");
        let e = AnalysisConfig::try_from("{not json".to_string()).unwrap_err();
        assert!(e.starts_with("analysis is not valid JSON"), "{e}");
    }

    #[test]
    fn analysis_defaults_to_a_summary() {
        let a: AnalysisConfig = serde_json::from_str("{}").unwrap();
        assert!(a.summary);
        assert!(a.questions.is_empty());
    }
}
