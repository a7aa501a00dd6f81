//! A conversation whose lines were written elsewhere (by a model, see `server::llm`) and stored:
//! [`Replay`] hands them to the script engine in the order it asks, so every step of a call plays
//! the same script. When the lines run out it records what the engine asked for next ([`Need`])
//! and hangs up; the writer adds that line and runs the engine again, until nothing is missing.
//!
//! A call that must run to its maximum duration (the `0005` magic number) never hangs up: once the
//! model hangs up or [`MAX_MODEL_LINES`] are written, the built-in [`Scripted`] lines fill the rest.

use super::conversation::{Conversation, Scripted, Turn};
use super::ScriptInput;
use crate::model::call::{Speaker, TranscriptSegment};
use serde::{Deserialize, Serialize};

/// A model writes at most this many lines of one call; past them, the side asked hangs up.
pub const MAX_MODEL_LINES: usize = 40;

/// One stored line: who was asked and what they said (`None`: they hung up without a word), and
/// whether they hung up right after saying it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub role: Speaker,
    pub text: Option<String>,
    #[serde(default)]
    pub hangs_up: bool,
}

/// The next line the engine asked for and the stored lines did not have.
#[derive(Debug, Clone, PartialEq)]
pub struct Need {
    pub role: Speaker,
    /// Everything said before it.
    pub transcript: Vec<TranscriptSegment>,
}

pub struct Replay<'a> {
    lines: &'a [Line],
    next: usize,
    need: Option<Need>,
    /// For a call that runs to its maximum duration.
    fallback: Option<Scripted>,
    fallback_on: bool,
    /// The line just handed out ends with a hang-up.
    hung_up: bool,
}

impl<'a> Replay<'a> {
    /// `endless` for the max-duration magic number.
    pub fn new(input: &ScriptInput, lines: &'a [Line], endless: bool) -> Replay<'a> {
        Replay {
            lines,
            next: 0,
            need: None,
            fallback: endless.then(|| Scripted::new(input, true)),
            fallback_on: false,
            hung_up: false,
        }
    }

    /// What the engine asked for past the stored lines, if anything.
    pub fn need(&self) -> Option<&Need> {
        self.need.as_ref()
    }

    fn take(&mut self, role: Speaker, turn: &Turn) -> Option<String> {
        self.hung_up = false;
        if !self.fallback_on {
            if let Some(line) = self.lines.get(self.next) {
                self.next += 1;
                if self.fallback.is_none() {
                    self.hung_up = line.hangs_up;
                    return line.text.clone();
                }
                // A call that must run on: a hang-up hands over to the built-in lines.
                if line.hangs_up {
                    self.fallback_on = true;
                }
                if line.text.is_some() {
                    return line.text.clone();
                }
                self.fallback_on = true;
            } else if self.fallback.is_some() && self.lines.len() >= MAX_MODEL_LINES {
                self.fallback_on = true;
            } else {
                if self.need.is_none() {
                    self.need = Some(Need { role, transcript: turn.transcript.to_vec() });
                }
                return None;
            }
        }
        let fb = self.fallback.as_mut()?;
        match role {
            Speaker::Agent => fb.agent_turn(turn),
            Speaker::User => fb.caller_turn(turn),
        }
    }
}

impl Conversation for Replay<'_> {
    fn agent_turn(&mut self, turn: &Turn) -> Option<String> {
        self.take(Speaker::Agent, turn)
    }

    fn caller_turn(&mut self, turn: &Turn) -> Option<String> {
        self.take(Speaker::User, turn)
    }

    fn hangs_up_after_line(&mut self) -> bool {
        std::mem::take(&mut self.hung_up)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{script_with, Step};
    use super::*;
    use crate::model::{CallStatus, EndReason, SpeaksFirst};

    fn input(to: &str) -> ScriptInput<'_> {
        ScriptInput {
            call_id: "call_replay",
            to_e164: to,
            first_message: "Hi, this is Ava.",
            prompt: "You are Ava. Ask about their budget.",
            speaks_first: SpeaksFirst::Agent,
            max_duration_secs: 120,
            agent_name: "Ava",
        }
    }

    #[test]
    fn asks_for_each_missing_line_then_replays_them() {
        let input = input("+14155550199");
        let mut lines: Vec<Line> = Vec::new();
        let said = ["Hello, who is this?", "I wanted to ask about your budget.", "About a thousand.", "Thanks, goodbye!"];
        let mut asked = Vec::new();
        loop {
            let mut r = Replay::new(&input, &lines, false);
            let _ = script_with(&input, &mut r);
            let Some(need) = r.need().cloned() else { break };
            asked.push(need.role);
            let text = said.get(lines.len()).map(|s| s.to_string());
            lines.push(Line { role: need.role, text, hangs_up: false });
        }
        assert_eq!(asked, [Speaker::User, Speaker::Agent, Speaker::User, Speaker::Agent, Speaker::User]);
        let s = script_with(&input, &mut Replay::new(&input, &lines, false));
        let texts: Vec<&str> = s.segments().map(|x| x.text.as_str()).collect();
        assert_eq!(texts, ["Hi, this is Ava.", said[0], said[1], said[2], said[3]]);
        assert_eq!(s.outcome.end_reason, EndReason::UserHangup);
        // The same lines give the same script.
        assert_eq!(script_with(&input, &mut Replay::new(&input, &lines, false)), s);
        // A goodbye that hangs up ends the call at once, as that side's hang-up.
        let mut bye = lines[..3].to_vec();
        bye[2].hangs_up = true;
        let s = script_with(&input, &mut Replay::new(&input, &bye, false));
        assert_eq!(s.segments().last().map(|x| x.text.as_str()), Some(said[2]));
        assert_eq!(s.outcome.end_reason, EndReason::UserHangup);
    }

    #[test]
    fn magic_outcomes_hold_and_max_duration_runs_on() {
        let busy = input("+14155550001");
        let mut r = Replay::new(&busy, &[], false);
        let s = script_with(&busy, &mut r);
        assert!(r.need().is_none());
        assert_eq!(s.outcome.status, CallStatus::Busy);
        // The model hangs up on a call that must run to its limit: built-in lines carry on.
        let max = input("+14155550005");
        let lines = vec![Line { role: Speaker::User, text: Some("Hello?".into()), hangs_up: false }, Line { role: Speaker::Agent, text: None, hangs_up: false }];
        let mut r = Replay::new(&max, &lines, true);
        let s = script_with(&max, &mut r);
        assert!(r.need().is_none());
        assert_eq!(s.outcome.end_reason, EndReason::MaxDurationReached);
        assert!(matches!(s.steps.last(), Some((_, Step::Ended { .. }))));
        assert!(s.segments().count() > 3);
    }
}
