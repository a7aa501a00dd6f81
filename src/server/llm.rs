//! The OpenAI-compatible model (`LLM_BASE_URL`, `LLM_API_KEY`, `LLM_MODEL`): a small
//! chat-completions client ([`Llm`]), and the two things Talkdeck asks it:
//! - [`Llm::line`]: the next line of a simulated call, for the agent (given its rendered prompt) or
//!   the caller (playing the call's persona);
//! - [`Llm::analyze`]: a post-call analysis through the JSON schema of `analysis::schema`, checked
//!   with `analysis::schema::validate`.
//!
//! Every request has a deadline; failures are [`LlmError`]s, never panics. The key is sent as a
//! bearer token and never logged. Callers hold no database transaction while waiting.

use crate::model::{AnalysisConfig, AnalysisResult, AnsweredBy, CustomQuestion, Speaker, TranscriptSegment};
use crate::server::config::LlmConfig;
use crate::server::simulator::Persona;
use serde_json::{json, Value};
use std::sync::OnceLock;
use std::time::Duration;

/// A model request may take this long (models are slow; a job retries after a failure).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// What the model ends a line with to hang up.
pub const HANGUP: &str = "[hangup]";
/// The tool a model calls to end a real call.
pub const END_CALL: &str = "end_call";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LlmError {
    /// Unreachable, timed out, or an error status: worth retrying.
    #[error("the model could not be reached: {0}")]
    Unavailable(String),
    /// It answered, but not with what was asked (no content, not JSON, or invalid per the schema).
    #[error("the model's answer was not valid: {0}")]
    Invalid(String),
}

/// One HTTP client for every model request (connection reuse); built lazily.
fn http() -> Result<&'static reqwest::Client, LlmError> {
    static CLIENT: OnceLock<Result<reqwest::Client, String>> = OnceLock::new();
    CLIENT
        .get_or_init(|| reqwest::Client::builder().timeout(REQUEST_TIMEOUT).connect_timeout(CONNECT_TIMEOUT).build().map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| LlmError::Unavailable(format!("no HTTP client: {e}")))
}

/// A configured model.
pub struct Llm<'a> {
    cfg: &'a LlmConfig,
}

/// A chat message.
fn msg(role: &str, content: impl Into<String>) -> Value {
    json!({ "role": role, "content": content.into() })
}

impl<'a> Llm<'a> {
    pub fn new(cfg: &'a LlmConfig) -> Llm<'a> {
        Llm { cfg }
    }

    /// `llm:<model>`: the analyzer name stored with an analysis version.
    pub fn source(&self) -> String {
        format!("llm:{}", self.cfg.model)
    }

    /// One chat completion: the assistant message's text.
    pub async fn chat(&self, messages: Vec<Value>, response_format: Option<Value>, max_tokens: u32) -> Result<String, LlmError> {
        let mut body = json!({ "model": self.cfg.model, "messages": messages, "max_tokens": max_tokens, "temperature": 0.7 });
        if let Some(rf) = response_format {
            body["response_format"] = rf;
            body["temperature"] = json!(0);
        }
        self.complete(&body)
            .await?
            .get("content")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| LlmError::Invalid("the response has no choices[0].message.content".into()))
    }

    /// Sends a chat-completions request: the first choice's message.
    async fn complete(&self, body: &Value) -> Result<Value, LlmError> {
        let mut req = http()?.post(format!("{}/chat/completions", self.cfg.base_url)).json(body);
        if let Some(key) = &self.cfg.api_key {
            req = req.bearer_auth(key);
        }
        let res = req.send().await.map_err(|e| LlmError::Unavailable(describe(&e)))?;
        let status = res.status();
        if !status.is_success() {
            // The body may echo the request; only the status is kept.
            return Err(LlmError::Unavailable(format!("HTTP {status}")));
        }
        let v: Value = res.json().await.map_err(|e| LlmError::Invalid(format!("the response is not JSON: {}", describe(&e))))?;
        v.pointer("/choices/0/message").cloned().ok_or_else(|| LlmError::Invalid("the response has no choices[0].message".into()))
    }

    /// The agent's next turn on a real call: `model` and `temperature` are the agent's, the
    /// system prompt its rendered prompt. The model ends the call with the `end_call` tool or
    /// the [`HANGUP`] marker (never spoken). `None` text: it hung up without a word.
    pub async fn agent_turn(&self, prompt: &str, transcript: &[TranscriptSegment], model: &str, temperature: f64) -> Result<(Option<String>, bool), LlmError> {
        let mut system = prompt.trim().to_string();
        system.push_str(&format!(
            "\n\nYou are speaking on a phone call; your words are read aloud. Reply with your next spoken line only: one to three short \
             sentences, no stage directions, no markup. When the conversation is over, say goodbye and call the {END_CALL} tool (or end your \
             line with {HANGUP})."
        ));
        let mut messages = vec![msg("system", system)];
        for seg in transcript {
            messages.push(msg(if seg.role == Speaker::Agent { "assistant" } else { "user" }, seg.text.clone()));
        }
        if transcript.last().is_none_or(|s| s.role == Speaker::Agent) {
            messages.push(msg("user", "(Silence on the line. Continue.)"));
        }
        let body = json!({
            "model": model, "messages": messages, "max_tokens": 200, "temperature": temperature,
            "tools": [{ "type": "function", "function": {
                "name": END_CALL,
                "description": "End the phone call after your goodbye.",
                "parameters": { "type": "object", "properties": { "goodbye": { "type": "string", "description": "Your last words, if any." } } }
            } }],
        });
        let message = self.complete(&body).await?;
        Ok(turn_of(&message))
    }

    /// The next line of a simulated call for `role`: `None` when that side hangs up without a
    /// word, and whether it hangs up after this line.
    pub async fn line(&self, role: Speaker, ctx: &CallContext<'_>, transcript: &[TranscriptSegment]) -> Result<(Option<String>, bool), LlmError> {
        let (system, me) = match role {
            Speaker::Agent => (agent_system(ctx), Speaker::Agent),
            Speaker::User => (caller_system(ctx), Speaker::User),
        };
        let mut messages = vec![msg("system", system)];
        for seg in transcript {
            messages.push(msg(if seg.role == me { "assistant" } else { "user" }, seg.text.clone()));
        }
        if transcript.last().is_none_or(|s| s.role == me) {
            // Chat models answer a user message: say what happened on the line.
            let cue = if transcript.is_empty() { "(The call connects. Speak first.)" } else { "(Silence on the line. Continue.)" };
            messages.push(msg("user", cue));
        }
        let text = self.chat(messages, None, 200).await?;
        Ok(spoken(&text))
    }

    /// A post-call analysis through the JSON schema, validated against the question types.
    pub async fn analyze(
        &self,
        transcript: &[TranscriptSegment],
        config: &AnalysisConfig,
        extra: &[CustomQuestion],
        answered_by: AnsweredBy,
    ) -> Result<AnalysisResult, LlmError> {
        let schema = crate::server::analysis::schema::json_schema(config, extra);
        let mut system = String::from(
            "You analyze the transcript of a phone call between an AI voice agent and a person. Answer only from what the transcript says, \
             through the JSON schema. When the transcript does not support an answer to a question, answer null and give the reason.",
        );
        if !config.success_criteria.trim().is_empty() {
            system.push_str(&format!("\nThe call is successful when: {}", config.success_criteria.trim()));
        }
        let mut text = format!("The call was answered by: {}.\nTranscript:\n", answered_by.as_str());
        for seg in transcript {
            let who = if seg.role == Speaker::Agent { "Agent" } else { "Caller" };
            text.push_str(&format!("[{:>6.1}s] {who}: {}\n", seg.start_ms as f64 / 1000.0, seg.text));
        }
        if transcript.is_empty() {
            text.push_str("(nothing was said)\n");
        }
        let answer = self.chat(vec![msg("system", system), msg("user", text)], Some(schema), 1_500).await?;
        let value: Value = serde_json::from_str(answer.trim()).map_err(|e| LlmError::Invalid(format!("not JSON ({e})")))?;
        crate::server::analysis::schema::validate(&value, config, extra).map_err(LlmError::Invalid)
    }
}

/// What both sides of a simulated call are told.
#[derive(Debug, Clone, Copy)]
pub struct CallContext<'a> {
    /// The agent's rendered system prompt.
    pub prompt: &'a str,
    pub first_message: &'a str,
    pub persona: Persona,
    /// The caller placed the call (an inbound call) rather than receiving it.
    pub inbound: bool,
    /// The call must go on until its time limit: nobody hangs up.
    pub endless: bool,
}

fn ending_rule(ctx: &CallContext) -> String {
    if ctx.endless {
        "Keep the conversation going; do not end the call.".into()
    } else {
        format!("When the conversation is over, say goodbye and end your line with {HANGUP}.")
    }
}

fn agent_system(ctx: &CallContext) -> String {
    let mut s = ctx.prompt.trim().to_string();
    if !ctx.first_message.trim().is_empty() {
        s.push_str(&format!("\n\nYou opened the call with: \"{}\"", ctx.first_message.trim()));
    }
    s.push_str(&format!(
        "\n\nYou are speaking on a phone call. Reply with your next spoken line only: one to three short sentences, no stage directions, \
         no markup. {}",
        ending_rule(ctx)
    ));
    s
}

/// How each persona behaves, for the model playing the caller.
pub fn persona_brief(p: Persona) -> &'static str {
    match p {
        Persona::Interested => "friendly and interested: you answer questions with concrete details (numbers, dates, names) and ask a question back",
        Persona::Skeptical => "skeptical: you want to know who is calling and what it costs, answer grudgingly and want things in writing",
        Persona::Confused => "confused: you do not follow easily, ask what things mean and ask them to repeat",
        Persona::Busy => "busy: you give short answers and ask to be called back later",
        Persona::NotInterested => "not interested: you refuse politely but firmly and ask not to be called again",
    }
}

fn caller_system(ctx: &CallContext) -> String {
    let situation = if ctx.inbound { "You called a company and an AI voice agent answered." } else { "You answered your phone; an AI voice agent is calling you." };
    format!(
        "You are a person on a phone call, not an assistant. {situation} Persona: {} ({}). Stay in character. Reply with your next spoken \
         line only: one or two short sentences, no stage directions, no markup. {}",
        ctx.persona.as_str(),
        persona_brief(ctx.persona),
        ending_rule(ctx)
    )
}

/// A model's line: the text without the hang-up marker (`None` when nothing else was said) and
/// whether it hangs up after it.
pub fn spoken(text: &str) -> (Option<String>, bool) {
    let lower = text.to_ascii_lowercase();
    let hangup = lower.contains(HANGUP) || lower.contains("[hang up]") || lower.contains("<hangup>");
    let mut clean = text.to_string();
    for marker in [HANGUP, "[hang up]", "<hangup>"] {
        while let Some(i) = clean.to_ascii_lowercase().find(marker) {
            clean.replace_range(i..i + marker.len(), "");
        }
    }
    let clean = clean.split_whitespace().collect::<Vec<_>>().join(" ");
    let clean = clean.trim_matches(|c: char| c == '"' || c.is_whitespace()).to_string();
    ((!clean.is_empty()).then_some(clean), hangup)
}

/// A chat message as an agent's turn: what it says and whether it ends the call (a tool call:
/// [`END_CALL`] is the only one offered, its `goodbye` argument spoken when the message has no
/// text; or the [`HANGUP`] marker).
fn turn_of(message: &Value) -> (Option<String>, bool) {
    let (text, marker) = spoken(message.get("content").and_then(Value::as_str).unwrap_or_default());
    // `end_call` is the only tool offered: any tool call ends the call.
    let tool = message.get("tool_calls").and_then(Value::as_array).and_then(|calls| calls.first());
    let Some(tool) = tool else { return (text, marker) };
    let goodbye = tool
        .pointer("/function/arguments")
        .and_then(Value::as_str)
        .and_then(|a| serde_json::from_str::<Value>(a).ok())
        .and_then(|a| a.get("goodbye").and_then(Value::as_str).map(str::to_string))
        .and_then(|g| spoken(&g).0);
    (text.or(goodbye), true)
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "connection failed".into()
    } else if e.is_decode() {
        "unreadable body".into()
    } else {
        // reqwest's messages may carry the URL, never the headers (so never the key).
        e.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_lose_their_markers() {
        assert_eq!(spoken("Thanks, bye! [hangup]"), (Some("Thanks, bye!".into()), true));
        assert_eq!(spoken("  [HANGUP] "), (None, true));
        assert_eq!(spoken("\"Sure, Tuesday works.\""), (Some("Sure, Tuesday works.".into()), false));
        assert_eq!(spoken(""), (None, false));
    }

    #[test]
    fn turns_end_by_tool_or_marker() {
        assert_eq!(turn_of(&json!({"content": "Sure, Tuesday works."})), (Some("Sure, Tuesday works.".into()), false));
        assert_eq!(turn_of(&json!({"content": "Bye now! [hangup]"})), (Some("Bye now!".into()), true));
        let tool = |content: Value, args: &str| json!({"content": content, "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "end_call", "arguments": args}}]});
        assert_eq!(turn_of(&tool(json!(null), "{}")), (None, true));
        assert_eq!(turn_of(&tool(json!("Thanks, goodbye."), "{}")), (Some("Thanks, goodbye.".into()), true));
        assert_eq!(turn_of(&tool(json!(null), r#"{"goodbye": "Have a nice day."}"#)), (Some("Have a nice day.".into()), true));
        let other = json!({"content": "Bye.", "tool_calls": [{"function": {"name": "hang_up", "arguments": "{}"}}]});
        assert_eq!(turn_of(&other), (Some("Bye.".into()), true));
        assert_eq!(turn_of(&json!({"content": "Hi.", "tool_calls": []})), (Some("Hi.".into()), false));
    }

    #[test]
    fn prompts_carry_the_prompt_and_the_persona() {
        let ctx = CallContext { prompt: "You are John.", first_message: "Hi!", persona: Persona::Busy, inbound: false, endless: false };
        assert!(agent_system(&ctx).starts_with("You are John.") && agent_system(&ctx).contains(HANGUP));
        assert!(caller_system(&ctx).contains("Persona: busy") && caller_system(&ctx).contains("short answers"));
        let endless = CallContext { endless: true, ..ctx };
        assert!(!caller_system(&endless).contains(HANGUP));
    }
}
