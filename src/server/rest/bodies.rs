//! Request bodies shared by the two REST surfaces. Agent settings are accepted under our
//! snake_case names and under Talkstack's camelCase names, so both APIs map to one patch.

use crate::model::{AnalysisConfig, VoiceFilter};
use crate::server::services::agents::AgentPatch;
use serde::Deserialize;

#[derive(Debug, Deserialize, Default, utoipa::ToSchema)]
pub struct AgentFields {
    pub name: Option<String>,
    #[serde(alias = "systemInstruction", alias = "prompt")]
    pub system_prompt: Option<String>,
    #[serde(alias = "initialMessage", alias = "firstMessage")]
    pub first_message: Option<String>,
    #[serde(alias = "voiceId")]
    pub voice_id: Option<String>,
    pub language: Option<String>,
    #[serde(alias = "llmModel", alias = "model")]
    pub llm_model: Option<String>,
    pub temperature: Option<f64>,
    #[serde(alias = "speaksFirst")]
    pub speaks_first: Option<String>,
    #[serde(alias = "maxDurationSecs", alias = "max_call_duration")]
    pub max_duration_secs: Option<i64>,
    pub recording: Option<bool>,
    pub direction: Option<String>,
    #[serde(alias = "current_status")]
    pub status: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub analysis: Option<AnalysisConfig>,
}

impl From<AgentFields> for AgentPatch {
    fn from(f: AgentFields) -> Self {
        AgentPatch {
            name: f.name,
            system_prompt: f.system_prompt,
            first_message: f.first_message,
            voice_id: f.voice_id.map(Some),
            language: f.language,
            llm_model: f.llm_model,
            temperature: f.temperature,
            speaks_first: f.speaks_first,
            // Not a Talkstack setting: v1 adds it to its own bodies (`rest::v1::agents`), and a
            // Talkstack save leaves it as it is.
            machine_detection: None,
            max_duration_secs: f.max_duration_secs,
            recording: f.recording,
            direction: f.direction,
            status: f.status,
            analysis: f.analysis,
        }
    }
}

/// Voice list filters as query parameters (Talkstack's `/api/voices`).
#[derive(Debug, Deserialize, Default)]
pub struct VoiceQuery {
    pub provider: Option<String>,
    pub language: Option<String>,
    pub gender: Option<String>,
    pub accent: Option<String>,
    #[serde(alias = "search")]
    pub q: Option<String>,
}

impl VoiceQuery {
    pub fn filter(&self) -> VoiceFilter {
        VoiceFilter {
            provider: self.provider.clone(),
            language: self.language.clone(),
            gender: self.gender.clone(),
            accent: self.accent.clone(),
            q: self.q.clone(),
        }
    }
}
