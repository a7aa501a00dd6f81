//! The built-in telephony simulator's script engine: given a call (its id, destination, the agent's
//! rendered first message and prompt, who speaks first, the maximum duration), [`script`] writes the
//! whole call in advance as a timeline of [`Step`]s (initiated, ringing, answered, transcript
//! segments, ended) in *call time*, plus its [`Outcome`].
//!
//! This module owns:
//! - the magic numbers ([`magic`]: the destination's last four digits choose busy, no answer,
//!   invalid destination, voicemail, max duration, caller hangs up, or a conversation);
//! - the timeline: realistic call-time offsets (ringing 2–8 s, 150 words a minute, pauses between
//!   turns), the maximum duration enforced (an utterance crossing it is cut off);
//! - the [`Conversation`] trait the timeline asks for lines, and its built-in deterministic
//!   implementation [`Scripted`] (caller personas, agent lines read from the prompt by [`prompt`]).
//!
//! It is pure: no I/O, no clock, no global randomness. The same input always gives the same script
//! (randomness comes from SHA-256 of the call id, see `rng`). Playing a script (dividing offsets by
//! a time scale, writing events, marking the call as a test call) is the runner's job, not this
//! module's.

pub mod conversation;
pub mod magic;
pub mod prompt;
pub mod replay;
mod rng;

pub use conversation::{Conversation, Persona, Scripted, Turn};
pub use magic::{outcome_for, Magic, MagicNumber, MAGIC_NUMBERS};

use crate::model::call::{AnsweredBy, CallStatus, EndReason, Speaker, TranscriptSegment};
use crate::model::limits::agent::{MAX_DURATION_MAX, MAX_DURATION_MIN};
use crate::model::SpeaksFirst;
use rng::Rng;

/// What a script is written from. Texts are already rendered (variables substituted).
#[derive(Debug, Clone, Copy)]
pub struct ScriptInput<'a> {
    /// Seeds everything random: the caller persona, the wording, the timing.
    pub call_id: &'a str,
    /// Its last four digits choose the outcome (see [`MAGIC_NUMBERS`]).
    pub to_e164: &'a str,
    /// The agent's first message, rendered; said verbatim as the agent's first turn.
    pub first_message: &'a str,
    /// The agent's system prompt, rendered; the agent's later lines are drawn from it.
    pub prompt: &'a str,
    pub speaks_first: SpeaksFirst,
    /// Clamped to the agent limits (1..=3600 s).
    pub max_duration_secs: i64,
    /// The agent's name in Talkdeck, used when the prompt gives the agent none.
    pub agent_name: &'a str,
}

/// One event of a simulated call.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Initiated,
    Ringing,
    Answered {
        by: AnsweredBy,
    },
    /// An utterance, emitted when it ends; its `start_ms`/`end_ms` are relative to the answer.
    Segment(TranscriptSegment),
    /// Always the last step.
    Ended {
        status: CallStatus,
        reason: EndReason,
    },
}

/// How the call ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub status: CallStatus,
    pub end_reason: EndReason,
    /// `None` when nobody picked up.
    pub answered_by: Option<AnsweredBy>,
    /// From the answer to the end, in call time; 0 when unanswered.
    pub duration_ms: i64,
}

/// A whole simulated call.
#[derive(Debug, Clone, PartialEq)]
pub struct Script {
    /// `(offset from dialing in ms of call time, step)`; offsets strictly increase; starts with
    /// [`Step::Initiated`] at 0 and ends with [`Step::Ended`].
    pub steps: Vec<(i64, Step)>,
    pub outcome: Outcome,
    /// The caller persona of a conversation (normal and max-duration calls), for the record.
    pub persona: Option<Persona>,
}

impl Script {
    /// The transcript, in order.
    pub fn segments(&self) -> impl Iterator<Item = &TranscriptSegment> {
        self.steps.iter().filter_map(|(_, s)| match s {
            Step::Segment(seg) => Some(seg),
            _ => None,
        })
    }

    /// Offset of the answer from dialing, when answered.
    pub fn answered_at(&self) -> Option<i64> {
        self.steps.iter().find(|(_, s)| matches!(s, Step::Answered { .. })).map(|(at, _)| *at)
    }

    /// Offset of the end from dialing.
    pub fn ended_at(&self) -> i64 {
        self.steps.last().map_or(0, |(at, _)| *at)
    }
}

/// Speaking rate: 150 words a minute.
pub const MS_PER_WORD: i64 = 400;
/// A script holds at most this many segments; a max-duration call that runs out of them stays
/// silent until its limit.
pub const MAX_SEGMENTS: usize = 600;
/// How long an unanswered call rings before giving up (plus up to a second).
pub const NO_ANSWER_RING_MS: i64 = 30_000;

/// Pauses before an utterance, `(min, max)` ms.
const FIRST_WORDS: (i64, i64) = (300, 900);
const AGENT_PAUSE: (i64, i64) = (500, 1_200);
const CALLER_PAUSE: (i64, i64) = (250, 900);
/// After the voicemail beep.
const BEEP: (i64, i64) = (1_500, 2_500);
/// Between the last word and the click.
const HANG_UP: (i64, i64) = (300, 900);

/// The script of a call, with the built-in [`Scripted`] conversation. Deterministic.
pub fn script(input: &ScriptInput) -> Script {
    let magic = outcome_for(input.to_e164);
    let mut conversation = Scripted::new(input, magic == Magic::MaxDuration);
    let persona = matches!(magic, Magic::Conversation | Magic::MaxDuration).then(|| conversation.persona());
    Script { persona, ..script_with(input, &mut conversation) }
}

/// The script of a call whose lines come from `conversation` (the engine still owns the magic
/// numbers, the timing, the first message and the maximum duration).
pub fn script_with(input: &ScriptInput, conversation: &mut dyn Conversation) -> Script {
    let magic = outcome_for(input.to_e164);
    let mut rng = Rng::new(input.call_id, "timing");
    let mut steps = vec![(0, Step::Initiated)];
    let unanswered = |mut steps: Vec<(i64, Step)>, at: i64, status: CallStatus, reason: EndReason| {
        steps.push((at, Step::Ended { status, reason }));
        Script { steps, outcome: Outcome { status, end_reason: reason, answered_by: None, duration_ms: 0 }, persona: None }
    };
    let ringing_at = rng.range(300, 900);
    match magic {
        Magic::InvalidDestination => return unanswered(steps, rng.range(600, 1_500), CallStatus::Failed, EndReason::InvalidDestination),
        Magic::Busy => {
            steps.push((ringing_at, Step::Ringing));
            return unanswered(steps, ringing_at + rng.range(1_500, 3_500), CallStatus::Busy, EndReason::DialBusy);
        }
        Magic::NoAnswer => {
            steps.push((ringing_at, Step::Ringing));
            return unanswered(steps, ringing_at + NO_ANSWER_RING_MS + rng.range(0, 1_000), CallStatus::NoAnswer, EndReason::DialNoAnswer);
        }
        _ => {}
    }
    steps.push((ringing_at, Step::Ringing));
    // A voicemail picks up after several rings; a person within a few.
    let answer_at = ringing_at + if magic == Magic::Voicemail { rng.range(15_000, 25_000) } else { rng.range(2_000, 8_000) };
    let by = if magic == Magic::Voicemail { AnsweredBy::Machine } else { AnsweredBy::Human };
    steps.push((answer_at, Step::Answered { by }));

    let limit_ms = input.max_duration_secs.clamp(MAX_DURATION_MIN, MAX_DURATION_MAX) * 1000;
    let mut call = Answered { rng, segments: Vec::new(), limit_ms };
    let reason = match magic {
        Magic::Voicemail => call.voicemail(input, conversation),
        Magic::CallerHangsUp => call.caller_hangs_up(input, conversation),
        _ => call.converse(input, conversation),
    };
    let (duration_ms, reason) = match reason {
        EndReason::MaxDurationReached => (limit_ms, reason),
        _ => {
            let end = call.last_end() + call.rng.range(HANG_UP.0, HANG_UP.1);
            if end >= limit_ms {
                (limit_ms, EndReason::MaxDurationReached)
            } else {
                (end, reason)
            }
        }
    };
    steps.extend(call.segments.into_iter().map(|s| (answer_at + s.end_ms, Step::Segment(s))));
    steps.push((answer_at + duration_ms, Step::Ended { status: CallStatus::Completed, reason }));
    Script {
        steps,
        outcome: Outcome { status: CallStatus::Completed, end_reason: reason, answered_by: Some(by), duration_ms },
        persona: None,
    }
}

/// The answered part of a call, being written.
struct Answered {
    rng: Rng,
    segments: Vec<TranscriptSegment>,
    limit_ms: i64,
}

impl Answered {
    fn last_end(&self) -> i64 {
        self.segments.last().map_or(0, |s| s.end_ms)
    }

    fn turn(&self) -> Turn<'_> {
        Turn { transcript: &self.segments, elapsed_ms: self.last_end(), limit_ms: self.limit_ms }
    }

    /// Says `text` after a pause. False when the maximum duration cut it off (the words that fit
    /// are kept, ending in a dash): the call is over.
    fn say(&mut self, role: Speaker, text: &str, pause: (i64, i64)) -> bool {
        let text = text.trim();
        if text.is_empty() {
            return true;
        }
        let start = self.last_end() + self.rng.range(pause.0, pause.1);
        let duration = utterance_ms(text, &mut self.rng);
        if start + duration < self.limit_ms {
            self.segments
                .push(TranscriptSegment { role, text: text.to_string(), start_ms: start, end_ms: start + duration, confidence: None });
            return true;
        }
        let words: Vec<&str> = text.split_whitespace().collect();
        let fit = ((self.limit_ms - 1 - start) / MS_PER_WORD).min(words.len() as i64 - 1);
        if fit >= 1 {
            let cut = format!("{}—", words[..fit as usize].join(" ").trim_end_matches([',', '.', ';', ':']));
            self.segments.push(TranscriptSegment { role, text: cut, start_ms: start, end_ms: start + fit * MS_PER_WORD, confidence: None });
        }
        false
    }

    /// The agent's opening: the rendered first message, or the conversation's greeting when empty.
    fn opening(&mut self, input: &ScriptInput, conversation: &mut dyn Conversation) -> Option<String> {
        match input.first_message.trim() {
            "" => conversation.agent_turn(&self.turn()),
            first => Some(first.to_string()),
        }
    }

    fn first_pause(&self, otherwise: (i64, i64)) -> (i64, i64) {
        if self.segments.is_empty() {
            FIRST_WORDS
        } else {
            otherwise
        }
    }

    /// A conversation: the opening, then caller and agent in turn until one hangs up.
    fn converse(&mut self, input: &ScriptInput, conversation: &mut dyn Conversation) -> EndReason {
        if input.speaks_first == SpeaksFirst::User {
            let Some(hello) = conversation.caller_turn(&self.turn()) else { return EndReason::UserHangup };
            if !self.say(Speaker::User, &hello, FIRST_WORDS) {
                return EndReason::MaxDurationReached;
            }
            if conversation.hangs_up_after_line() {
                return EndReason::UserHangup;
            }
        }
        let Some(opening) = self.opening(input, conversation) else { return EndReason::AgentHangup };
        if !self.say(Speaker::Agent, &opening, self.first_pause(AGENT_PAUSE)) {
            return EndReason::MaxDurationReached;
        }
        while self.segments.len() < MAX_SEGMENTS {
            let Some(line) = conversation.caller_turn(&self.turn()) else { return EndReason::UserHangup };
            if !self.say(Speaker::User, &line, CALLER_PAUSE) {
                return EndReason::MaxDurationReached;
            }
            if conversation.hangs_up_after_line() {
                return EndReason::UserHangup;
            }
            if self.segments.len() >= MAX_SEGMENTS {
                break;
            }
            let Some(line) = conversation.agent_turn(&self.turn()) else { return EndReason::AgentHangup };
            if !self.say(Speaker::Agent, &line, AGENT_PAUSE) {
                return EndReason::MaxDurationReached;
            }
            if conversation.hangs_up_after_line() {
                return EndReason::AgentHangup;
            }
        }
        EndReason::MaxDurationReached // out of segments: silence until the limit
    }

    /// A machine greeting, the beep, the agent's first message and a short sign-off.
    fn voicemail(&mut self, input: &ScriptInput, conversation: &mut dyn Conversation) -> EndReason {
        let name = *self.rng.pick(&["Chris", "Dana", "Pat", "Robin", "Lee"]);
        let greeting = match self.rng.range(0, 2) {
            0 => format!("Hi, you've reached {name}. I can't take your call right now, so please leave a message after the tone."),
            1 => "The person you are trying to reach is not available. At the tone, please record your message. When you have finished recording, you may hang up."
                .to_string(),
            _ => format!("Hey, this is {name}. Sorry I missed you! Leave your name and number after the beep and I'll get back to you as soon as I can."),
        };
        if !self.say(Speaker::User, &greeting, FIRST_WORDS) {
            return EndReason::MaxDurationReached;
        }
        if let Some(message) = self.opening(input, conversation) {
            if !self.say(Speaker::Agent, &message, BEEP) {
                return EndReason::MaxDurationReached;
            }
        }
        let sign_off = *self
            .rng
            .pick(&["Sorry I missed you, I'll try you again later. Goodbye!", "Please give us a call back when you have a moment. Thank you, bye!"]);
        if !self.say(Speaker::Agent, sign_off, (300, 600)) {
            return EndReason::MaxDurationReached;
        }
        EndReason::VoicemailReached
    }

    /// The agent greets; the caller says a few words and hangs up.
    fn caller_hangs_up(&mut self, input: &ScriptInput, conversation: &mut dyn Conversation) -> EndReason {
        if input.speaks_first == SpeaksFirst::User {
            let hello = conversation.caller_turn(&self.turn()).unwrap_or_else(|| "Hello?".into());
            if !self.say(Speaker::User, &hello, FIRST_WORDS) {
                return EndReason::MaxDurationReached;
            }
        }
        if let Some(opening) = self.opening(input, conversation) {
            if !self.say(Speaker::Agent, &opening, self.first_pause(AGENT_PAUSE)) {
                return EndReason::MaxDurationReached;
            }
        }
        let bye = *self
            .rng
            .pick(&["Sorry, I can't talk right now. Bye.", "Not interested, thanks. Bye.", "Oh, this isn't a good time. Goodbye.", "No thanks. Bye."]);
        if !self.say(Speaker::User, bye, CALLER_PAUSE) {
            return EndReason::MaxDurationReached;
        }
        EndReason::UserHangup
    }
}

/// How long saying `text` takes: 150 words a minute, a little longer at commas and between
/// sentences, ±10%.
fn utterance_ms(text: &str, rng: &mut Rng) -> i64 {
    let words = text.split_whitespace().count() as i64;
    let commas = text.matches([',', ';', ':', '—']).count() as i64;
    let stops = text.trim_end_matches(['.', '!', '?']).matches(['.', '!', '?']).count() as i64;
    let base = words * MS_PER_WORD + commas * 120 + stops * 300;
    (base * rng.range(90, 110) / 100).max(500)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    const PROMPT: &str = "You are Sam, a friendly booking assistant at Bella's Bistro. Your job is to book tables for groups and events.\n\
        ## Steps\n\
        1. Ask for the number of guests.\n\
        2. Ask for their preferred date and time.\n\
        3. Ask if they have any dietary requirements.\n\
        We offer a private dining room for groups of up to forty people.\n\
        Offer to send a confirmation by email.\n\
        If they ask about parking, tell them there is free parking behind the restaurant.\n\
        If they are not interested, thank them for their time and end the call.\n\
        Be warm and concise. Never discuss prices.";
    const FIRST: &str = "Hi, this is Sam from Bella's Bistro. I'm calling about your group booking, do you have a minute?";

    fn input<'a>(call_id: &'a str, to: &'a str) -> ScriptInput<'a> {
        ScriptInput {
            call_id,
            to_e164: to,
            first_message: FIRST,
            prompt: PROMPT,
            speaks_first: SpeaksFirst::Agent,
            max_duration_secs: 600,
            agent_name: "Bistro bookings",
        }
    }

    fn ids(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("call_{i:04}")).collect()
    }

    /// Every structural promise of a script.
    fn check(s: &Script, limit_ms: i64) {
        let what = format!("{s:#?}");
        assert_eq!(s.steps.first(), Some(&(0, Step::Initiated)), "{what}");
        for w in s.steps.windows(2) {
            assert!(w[0].0 < w[1].0, "offsets must strictly increase: {what}");
        }
        let Some((end_at, Step::Ended { status, reason })) = s.steps.last() else { panic!("no end: {what}") };
        assert_eq!((*status, *reason), (s.outcome.status, s.outcome.end_reason));
        assert_eq!(s.steps.iter().filter(|(_, st)| matches!(st, Step::Ended { .. })).count(), 1);
        match s.answered_at() {
            None => {
                assert_eq!(s.segments().count(), 0, "{what}");
                assert_eq!((s.outcome.answered_by, s.outcome.duration_ms), (None, 0));
            }
            Some(answer) => {
                assert_eq!(end_at - answer, s.outcome.duration_ms);
                assert!(s.outcome.duration_ms <= limit_ms, "{what}");
                let mut prev_end = 0;
                for (at, st) in &s.steps {
                    if let Step::Segment(seg) = st {
                        assert!(prev_end < seg.start_ms && seg.start_ms < seg.end_ms && seg.end_ms < limit_ms, "{seg:?} in {what}");
                        assert_eq!(*at, answer + seg.end_ms);
                        assert!(!seg.text.trim().is_empty());
                        prev_end = seg.end_ms;
                    }
                }
            }
        }
    }

    #[test]
    fn the_magic_table() {
        for row in MAGIC_NUMBERS {
            assert_eq!(outcome_for(&format!("+1415555{}", row.last_four)), row.magic);
            assert_eq!(row.magic.row(), Some(&row));
            let to = format!("+4420794{}", row.last_four);
            let s = script(&input("call_magic", &to));
            check(&s, 600_000);
            assert_eq!((s.outcome.status, s.outcome.end_reason, s.outcome.answered_by), (row.status, row.end_reason, row.answered_by), "{}", row.last_four);
            assert_eq!(s.answered_at().is_some(), row.answered_by.is_some());
            assert_eq!(row.magic.is_answered(), row.answered_by.is_some());
            if row.answered_by.is_none() {
                assert_eq!(s.segments().count(), 0);
                assert!(s.steps.iter().all(|(_, st)| !matches!(st, Step::Answered { .. } | Step::Segment(_))));
            } else {
                assert!(s.segments().count() >= 2, "{s:#?}");
            }
        }
        // No answer rings about 30 s; invalid destinations never ring.
        let s = script(&input("call_na", "+14155550002"));
        let ringing = s.steps.iter().find(|(_, st)| *st == Step::Ringing).unwrap().0;
        assert!((NO_ANSWER_RING_MS..=NO_ANSWER_RING_MS + 1_000).contains(&(s.ended_at() - ringing)));
        let s = script(&input("call_inv", "+14155550003"));
        assert!(!s.steps.iter().any(|(_, st)| *st == Step::Ringing));
        // Anything else is a conversation that either side ends; short or odd numbers too.
        for to in ["+14155550007", "+14155550010", "+10001555123", "+1000", "12", ""] {
            assert_eq!(outcome_for(to), Magic::Conversation, "{to}");
        }
        assert_eq!(outcome_for("+1 (415) 555-0004"), Magic::Voicemail);
        assert_eq!(Magic::Conversation.row(), None);
    }

    #[test]
    fn conversations_end_by_either_side_with_varied_personas() {
        let mut personas = HashSet::new();
        let mut reasons = HashSet::new();
        for id in ids(60) {
            let s = script(&input(&id, "+14155550123"));
            check(&s, 600_000);
            assert_eq!((s.outcome.status, s.outcome.answered_by), (CallStatus::Completed, Some(AnsweredBy::Human)));
            personas.insert(s.persona.expect("a conversation has a persona"));
            reasons.insert(s.outcome.end_reason);
        }
        assert_eq!(personas.len(), Persona::ALL.len(), "{personas:?}");
        assert_eq!(reasons, HashSet::from([EndReason::AgentHangup, EndReason::UserHangup]));
    }

    #[test]
    fn deterministic() {
        for id in ids(20) {
            for to in ["+14155550123", "+14155550004", "+14155550005", "+14155550006"] {
                assert_eq!(script(&input(&id, to)), script(&input(&id, to)));
            }
        }
        // Different calls differ.
        let texts: HashSet<Vec<String>> = ids(20).iter().map(|id| script(&input(id, "+14155550123")).segments().map(|s| s.text.clone()).collect()).collect();
        assert!(texts.len() >= 15, "{}", texts.len());
    }

    #[test]
    fn the_agent_opens_with_the_first_message() {
        for id in ids(30) {
            let s = script(&input(&id, "+14155550123"));
            let first = s.segments().next().unwrap();
            assert_eq!((first.role, first.text.as_str()), (Speaker::Agent, FIRST));
        }
    }

    #[test]
    fn the_caller_can_speak_first() {
        for id in ids(20) {
            for to in ["+14155550123", "+14155550006"] {
                let s = script(&ScriptInput { speaks_first: SpeaksFirst::User, ..input(&id, to) });
                check(&s, 600_000);
                let segs: Vec<&TranscriptSegment> = s.segments().collect();
                assert_eq!(segs[0].role, Speaker::User);
                assert_eq!((segs[1].role, segs[1].text.as_str()), (Speaker::Agent, FIRST));
            }
        }
    }

    #[test]
    fn a_default_call_is_short_and_multi_turn() {
        for id in ids(60) {
            let s = script(&input(&id, "+14155550123"));
            assert!(s.ended_at() < 120_000, "{} s: {s:#?}", s.ended_at() / 1000);
            let n = s.segments().count();
            let min = if s.persona == Some(Persona::NotInterested) { 3 } else { 5 };
            assert!(n >= min && n <= 20, "{n} segments: {s:#?}");
            if s.persona == Some(Persona::Interested) {
                assert!(s.outcome.duration_ms >= 25_000, "{s:#?}");
            }
            // Turns alternate after the opening.
            let roles: Vec<Speaker> = s.segments().map(|s| s.role).collect();
            assert!(roles.windows(2).all(|w| w[0] != w[1]), "{roles:?}");
        }
    }

    #[test]
    fn max_duration_ends_at_the_limit() {
        for (id, secs) in [("call_a", 120), ("call_b", 600), ("call_c", 3_600), ("call_d", 45)] {
            let s = script(&ScriptInput { max_duration_secs: secs, ..input(id, "+14155550005") });
            check(&s, secs * 1000);
            assert_eq!(s.outcome.end_reason, EndReason::MaxDurationReached);
            assert_eq!(s.outcome.duration_ms, secs * 1000, "ends exactly at the limit");
            let n = s.segments().count();
            assert!(n <= MAX_SEGMENTS && n as i64 >= secs / 15, "{n} segments in {secs} s");
            let agent: HashSet<&str> = s.segments().filter(|s| s.role == Speaker::Agent).map(|s| s.text.as_str()).collect();
            assert!(agent.len() >= 5.min(n / 2), "the agent keeps saying new things: {agent:?}");
        }
        // Any answered call is cut at the agent's limit, mid-sentence if need be.
        let s = script(&ScriptInput { max_duration_secs: 5, ..input("call_e", "+14155550123") });
        check(&s, 5_000);
        assert_eq!((s.outcome.end_reason, s.outcome.duration_ms), (EndReason::MaxDurationReached, 5_000));
        let first = s.segments().next().unwrap();
        assert!(first.text.ends_with('—') && FIRST.starts_with(first.text.trim_end_matches('—')), "{first:?}");
        // Out-of-range limits are clamped to the agent limits.
        let s = script(&ScriptInput { max_duration_secs: 0, ..input("call_f", "+14155550005") });
        assert_eq!(s.outcome.duration_ms, 1_000);
    }

    #[test]
    fn voicemail() {
        for id in ids(10) {
            let s = script(&input(&id, "+14155550004"));
            check(&s, 600_000);
            assert_eq!(s.outcome.answered_by, Some(AnsweredBy::Machine));
            let segs: Vec<&TranscriptSegment> = s.segments().collect();
            assert_eq!(segs.len(), 3);
            assert_eq!(segs[0].role, Speaker::User);
            assert!(["message", "tone", "beep"].iter().any(|w| segs[0].text.contains(w)), "{}", segs[0].text);
            assert_eq!((segs[1].role, segs[1].text.as_str()), (Speaker::Agent, FIRST));
            assert_eq!(segs[2].role, Speaker::Agent);
            assert!(segs[2].start_ms - segs[1].end_ms < 1_000 && segs[1].start_ms - segs[0].end_ms >= BEEP.0);
        }
    }

    #[test]
    fn the_caller_hangs_up_after_the_greeting() {
        let s = script(&input("call_x", "+14155550006"));
        let roles: Vec<(Speaker, &str)> = s.segments().map(|s| (s.role, s.text.as_str())).collect();
        assert_eq!(roles.len(), 2);
        assert_eq!(roles[0], (Speaker::Agent, FIRST));
        assert_eq!(roles[1].0, Speaker::User);
    }

    #[test]
    fn agent_lines_come_from_the_prompt() {
        let prompt_words: HashSet<String> = PROMPT.split(|c: char| !c.is_alphanumeric()).filter(|w| w.len() >= 5).map(str::to_ascii_lowercase).collect();
        let mut all_agent = String::new();
        let mut all_caller = String::new();
        let (mut total, mut drawn) = (0, 0);
        for id in ids(40) {
            let s = script(&input(&id, "+14155550123"));
            let later: Vec<&str> = s.segments().filter(|s| s.role == Speaker::Agent).skip(1).map(|s| s.text.as_str()).collect();
            let from_prompt = later.iter().filter(|t| t.split(|c: char| !c.is_alphanumeric()).any(|w| prompt_words.contains(&w.to_ascii_lowercase()))).count();
            assert!(from_prompt >= 1, "{later:#?}");
            (total, drawn) = (total + later.len(), drawn + from_prompt);
            // No line said twice in a normal call, except a confused caller's "say that again".
            if s.persona != Some(Persona::Confused) {
                let unique: HashSet<&&str> = later.iter().collect();
                assert_eq!(unique.len(), later.len(), "{later:#?}");
            }
            for seg in s.segments() {
                let all = if seg.role == Speaker::Agent { &mut all_agent } else { &mut all_caller };
                all.push_str(&seg.text);
                all.push('\n');
            }
        }
        assert!(drawn * 10 >= total * 6, "{drawn} of {total} agent lines use the prompt's words");
        for line in [
            "Could you tell me the number of guests?",
            "Could you tell me your preferred date and time?",
            "Do you have any dietary requirements?",
            "We offer a private dining room for groups of up to forty people.",
            "There is free parking behind the restaurant.",
        ] {
            assert!(all_agent.contains(line), "{line} not in {all_agent}");
        }
        // Callers mention what the prompt is about, and answer with concrete values.
        assert!(all_caller.contains("parking"), "{all_caller}");
        assert!(all_caller.contains("people") && all_caller.contains("day"), "{all_caller}");
    }

    #[test]
    fn empty_prompt_and_first_message_still_make_a_call() {
        for id in ids(20) {
            for to in ["+14155550123", "+14155550004", "+14155550005", "+14155550006"] {
                for speaks_first in [SpeaksFirst::Agent, SpeaksFirst::User] {
                    let inp = ScriptInput { first_message: "", prompt: "", speaks_first, max_duration_secs: 300, ..input(&id, to) };
                    let s = script(&inp);
                    check(&s, 300_000);
                    assert!(s.segments().any(|s| s.role == Speaker::Agent), "{s:#?}");
                }
            }
        }
    }

    #[test]
    fn odd_prompts_do_not_break_it() {
        let prompts = [
            "Ask",
            "If",
            "If they ask about",
            "Ask for.",
            "Say: \"unbalanced",
            "Tell them that",
            "Café Müller — ask for their préférence 🙂. If they ask about the crème brûlée, say it is très bon!",
            "**Ask** them (politely) for their [name]... and then?? 1) 2) - - *",
            "You are. Your. Your goal is to",
            ":::\n\n\n",
            "Ask if the customer's order arrived. Find out whether they were satisfied. Offer to. Let them know.",
        ];
        for (i, prompt) in prompts.iter().enumerate() {
            let id = format!("odd_{i}");
            for to in ["+14155550123", "+14155550005"] {
                let s = script(&ScriptInput { prompt, max_duration_secs: 90, ..input(&id, to) });
                check(&s, 90_000);
            }
        }
    }

    /// `cargo test --lib simulator::tests::print_samples -- --ignored --nocapture` prints a few
    /// calls, to read what the simulator sounds like.
    #[test]
    #[ignore]
    fn print_samples() {
        const SALES: &str = "You are Maya, an SDR for Acme Analytics. Your goal is to qualify inbound leads and book a demo.\n\
            - Find out what tool they currently use for reporting.\n- Ask how many people are on their team.\n\
            - Ask about their budget for this quarter.\n- Determine their timeline for making a decision.\n\
            Acme Analytics connects to over 200 data sources and sets up in a day.\nWe offer a free 14-day trial.\n\
            If they ask about pricing, explain that plans start at 49 dollars per user per month.\n\
            If they are busy, offer to call back at a better time.\nIf they're not interested, politely thank them and end the call.\n\
            Offer to book a 30-minute demo.\nDo not make promises about custom features.";
        let mut cases: Vec<(String, ScriptInput)> = Vec::new();
        let names = ids(16);
        for (i, id) in names.iter().enumerate() {
            let mut inp = input(id, "+14155550123");
            if i >= 8 {
                inp.prompt = SALES;
                inp.first_message = "Hi, this is Maya from Acme Analytics. You signed up on our website, do you have a minute?";
            }
            cases.push((id.clone(), inp));
        }
        cases.push(("max 60 s".into(), ScriptInput { max_duration_secs: 60, ..input("call_m", "+14155550005") }));
        cases.push(("voicemail".into(), input("call_v", "+14155550004")));
        cases.push(("hangs up, caller first".into(), ScriptInput { speaks_first: SpeaksFirst::User, ..input("call_h", "+14155550006") }));
        cases.push(("empty prompt".into(), ScriptInput { prompt: "", first_message: "", ..input("call_0006", "+14155550123") }));
        for (id, inp) in cases {
            let s = script(&inp);
            println!("--- {id}: {:?}, {:?}, {} s", s.persona, s.outcome.end_reason, s.outcome.duration_ms / 1000);
            for seg in s.segments() {
                println!("{:>6.1}s {:5} {}", seg.start_ms as f64 / 1000.0, seg.role.as_str(), seg.text);
            }
        }
    }
}
