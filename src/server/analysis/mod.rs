//! Post-call analysis, without I/O: this module owns turning a finished call's transcript and the
//! agent's [`AnalysisConfig`] into an [`AnalysisResult`] (summary, caller sentiment, success against
//! the agent's criteria, voicemail, and the custom typed questions).
//!
//! - [`builtin`]: the default analyzer, deterministic rules over the words of the transcript
//!   (keywords, negation, numbers in digits and words, Selector options, relevant sentences).
//! - [`schema`]: for an LLM-backed analysis, the JSON schema the model must answer through
//!   (OpenAI `response_format`, strict mode) and the validation of its answer against the
//!   question types.
//!
//! Running the analysis as a job when a call ends, storing its versions and calling a model are
//! not here: they belong to the jobs and services that use these functions.

pub mod builtin;
pub mod schema;

pub use builtin::analyze;

use crate::model::{AnalysisConfig, AnsweredBy, CustomQuestion, TranscriptSegment};

/// What an analysis looks at.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    pub transcript: &'a [TranscriptSegment],
    pub config: &'a AnalysisConfig,
    /// Ad-hoc questions asked on a re-run, answered after the configured ones.
    pub extra_questions: &'a [CustomQuestion],
    pub answered_by: AnsweredBy,
}
