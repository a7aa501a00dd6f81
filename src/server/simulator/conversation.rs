//! Who says what: the [`Conversation`] trait the script engine drives turn by turn, and
//! [`Scripted`], the built-in deterministic implementation (a caller persona chosen from the call
//! id, agent lines drawn from the prompt). An LLM-backed implementation can come later behind the
//! same trait; the engine owns timing, the opening line and the magic-number flows.

use super::prompt::{self, bare, capitalize, decapitalize, finish, mine, Material, Question, Slot};
use super::rng::{stable_hash, Rng};
use super::ScriptInput;
use crate::model::call::{Speaker, TranscriptSegment};
use std::collections::VecDeque;

/// What a conversation sees when asked for its next line.
#[derive(Debug, Clone, Copy)]
pub struct Turn<'a> {
    /// Everything said so far, in order.
    pub transcript: &'a [TranscriptSegment],
    /// Call time since the answer, in milliseconds.
    pub elapsed_ms: i64,
    /// The agent's maximum duration, in milliseconds of call time.
    pub limit_ms: i64,
}

/// A source of lines for both sides of a call. The engine alternates `caller_turn` and
/// `agent_turn` (strictly) after the opening; `None` means that side hangs up now, without
/// speaking. An implementation never sees the clock: timing is the engine's.
pub trait Conversation {
    /// The agent's next line. The engine says the rendered first message itself; this is asked for
    /// the opening only when the first message is empty.
    fn agent_turn(&mut self, turn: &Turn) -> Option<String>;
    /// The caller's next line; asked first (with an empty transcript) when the caller speaks first.
    fn caller_turn(&mut self, turn: &Turn) -> Option<String>;
    /// Whether the side whose line was just said hangs up right after it (a model's "goodbye"
    /// that ends the call). The built-in conversation hangs up by returning `None` instead.
    fn hangs_up_after_line(&mut self) -> bool {
        false
    }
}

/// The kind of person who picks up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Persona {
    /// Friendly, answers every question with concrete numbers and dates, asks a question back.
    Interested,
    /// Wants to know who is calling and what it costs; answers grudgingly, wants it in writing.
    Skeptical,
    /// Does not follow; asks what things mean and to repeat.
    Confused,
    /// Short answers, asks to be called back.
    Busy,
    /// Refuses: "Please don't call me again."
    NotInterested,
}

impl Persona {
    pub const ALL: [Persona; 5] = [Persona::Interested, Persona::Skeptical, Persona::Confused, Persona::Busy, Persona::NotInterested];

    /// Weights out of 10: interested callers are the most common, so prompts get exercised.
    const WEIGHTS: [u64; 5] = [4, 2, 2, 1, 1];

    pub fn as_str(self) -> &'static str {
        match self {
            Persona::Interested => "interested",
            Persona::Skeptical => "skeptical",
            Persona::Confused => "confused",
            Persona::Busy => "busy",
            Persona::NotInterested => "not_interested",
        }
    }

    /// The persona of a call: a stable hash of its id (the same id always gets the same caller).
    pub fn for_call(call_id: &str) -> Persona {
        let total: u64 = Self::WEIGHTS.iter().sum();
        let mut x = stable_hash(&format!("persona\0{call_id}")) % total;
        for (p, w) in Self::ALL.iter().zip(Self::WEIGHTS) {
            if x < w {
                return *p;
            }
            x -= w;
        }
        Persona::Interested
    }
}

/// Something the agent brings up.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    Ask(Question),
    Tell(String),
    Offer(String),
}

impl Item {
    fn text(&self) -> &str {
        match self {
            Item::Ask(q) => &q.text,
            Item::Tell(t) | Item::Offer(t) => t,
        }
    }
}

/// The caller's made-up identity, so answers agree with each other.
#[derive(Debug, Clone)]
struct CallerId {
    first: &'static str,
    last: &'static str,
}

const NAMES: &[(&str, &str)] =
    &[("Alex", "Morgan"), ("Jordan", "Lee"), ("Sam", "Rivera"), ("Taylor", "Brooks"), ("Casey", "Nguyen"), ("Riley", "Patel"), ("Jamie", "Fischer"), ("Morgan", "Diaz")];

/// The built-in conversation: deterministic for a call id and prompt.
#[derive(Debug, Clone)]
pub struct Scripted {
    rng: Rng,
    persona: Persona,
    m: Material,
    /// Runs until the engine cuts it (the max-duration magic number): never closes.
    endless: bool,
    /// After the agent's goodbye: the caller says bye and the agent hangs up (else the caller
    /// hangs up on the goodbye).
    agent_hangs_up: bool,
    caller: CallerId,
    agent_name: String,
    items: VecDeque<Item>,
    /// Everything the agent brought up, for the endless mode to come back to.
    said: Vec<Item>,
    /// The agent's last item (what the caller is answering).
    last: Option<Item>,
    stage: usize,
    /// The agent's reply to the caller's last line; `Some(None)`: the agent hangs up.
    pending: Option<Option<String>>,
    /// The agent has said goodbye.
    closed: bool,
    caller_said_bye: bool,
    /// What the caller told, for the agent's summary ("twenty five people, Tuesday at three").
    values: Vec<String>,
    /// The exchange at which an interested caller asks one of the prompt's FAQ questions.
    faq_at: usize,
    faq_next: usize,
    filler_next: usize,
    /// Past this much call time the agent wraps up (a demo call stays short).
    soft_budget_ms: i64,
}

impl Scripted {
    /// The built-in conversation for a call; `endless` for the max-duration magic number.
    pub fn new(input: &ScriptInput, endless: bool) -> Scripted {
        let mut rng = Rng::new(input.call_id, "conversation");
        let persona = if endless { Persona::Interested } else { Persona::for_call(input.call_id) };
        let m = prompt::read(input.prompt);
        let &(first, last) = rng.pick(NAMES);
        let agent_hangs_up = match persona {
            Persona::NotInterested => rng.chance(1, 4),
            Persona::Busy => rng.chance(1, 2),
            _ => rng.chance(3, 5),
        };
        // The agent's plan: the prompt's questions in order, a fact after the first one, offers last.
        let mut items: VecDeque<Item> = m.questions.iter().cloned().map(Item::Ask).collect();
        let facts: Vec<Item> = m.facts.iter().cloned().map(Item::Tell).collect();
        let mut facts = facts.into_iter();
        if let Some(f) = facts.next() {
            items.insert(items.len().min(1), f);
        }
        if let Some(f) = facts.next() {
            items.insert(items.len().min(3), f);
        }
        items.extend(m.offers.iter().cloned().map(Item::Offer));
        if !endless {
            let target = rng.range(3, 5) as usize;
            items.truncate(target);
        }
        if items.is_empty() {
            items.extend(GENERIC_QUESTIONS.iter().map(|q| Item::Ask(Question { text: q.to_string(), slot: prompt::slot_of(q), about: None })));
            items.truncate(2);
        }
        let faq_at = rng.range(1, 3) as usize;
        let soft_budget_ms = rng.range(50_000, 80_000);
        Scripted {
            rng,
            persona,
            m,
            endless,
            agent_hangs_up,
            caller: CallerId { first, last },
            agent_name: input.agent_name.trim().to_string(),
            items,
            said: Vec::new(),
            last: None,
            stage: 0,
            pending: None,
            closed: false,
            caller_said_bye: false,
            values: Vec::new(),
            faq_at,
            faq_next: 0,
            filler_next: 0,
            soft_budget_ms,
        }
    }

    pub fn persona(&self) -> Persona {
        self.persona
    }

    fn pick(&mut self, xs: &[&str]) -> String {
        self.rng.pick(xs).to_string()
    }

    fn topic(&mut self) -> Option<String> {
        if self.m.topics.is_empty() {
            return None;
        }
        Some(self.rng.pick(&self.m.topics).clone())
    }

    /// Who the agent is, for callers who ask: "This is Sam from Bella's Bistro."
    fn introduction(&mut self) -> String {
        let who = match (&self.m.name, &self.m.company) {
            (Some(n), Some(c)) => format!("This is {n} from {c}."),
            (Some(n), None) => format!("This is {n}."),
            (None, Some(c)) => format!("I'm calling from {c}."),
            (None, None) if !self.agent_name.is_empty() && self.agent_name.split_whitespace().count() <= 3 => format!("This is {}.", self.agent_name),
            (None, None) => String::new(),
        };
        let why = match (&self.m.purpose, self.m.facts.first()) {
            (Some(p), _) => p.clone(),
            (None, Some(f)) => {
                // Said now, so not again later.
                let f = f.clone();
                self.items.retain(|i| *i != Item::Tell(f.clone()));
                f
            }
            (None, None) => "I'll only take a minute of your time.".to_string(),
        };
        join(&[&who, &why])
    }

    /// The agent's opening when the first message is empty.
    fn greeting(&mut self) -> String {
        let intro = self.introduction();
        if intro.is_empty() {
            "Hi there! How are you today?".to_string()
        } else {
            format!("Hi there! {intro}")
        }
    }

    /// The next planned item, or (in endless mode) something to come back to.
    fn next_item(&mut self) -> Option<Item> {
        let item = self.items.pop_front()?;
        self.said.push(item.clone());
        self.last = Some(item.clone());
        Some(item)
    }

    fn should_close(&self, turn: &Turn) -> bool {
        !self.endless && (self.items.is_empty() || turn.elapsed_ms > self.soft_budget_ms)
    }

    /// How the caller answers `q`; records the value for the agent's summary.
    fn answer(&mut self, q: &Question) -> String {
        let (line, value): (String, Option<String>) = match q.slot {
            Slot::Count => {
                let (l, v) = *self.rng.pick(&[
                    ("We're about twenty five people.", "twenty five people"),
                    ("It would be six of us.", "six people"),
                    ("Around twelve, give or take.", "about twelve people"),
                    ("Probably forty or so.", "around forty people"),
                ]);
                (l.into(), Some(v.into()))
            }
            Slot::Money => {
                let (l, v) = *self.rng.pick(&[
                    ("Somewhere around five thousand dollars a month.", "a budget of about five thousand a month"),
                    ("We were thinking two to three thousand.", "a budget of two to three thousand"),
                    ("Ideally under ten thousand dollars.", "a budget under ten thousand"),
                ]);
                (l.into(), Some(v.into()))
            }
            Slot::When => {
                let (l, v) = *self.rng.pick(&[
                    ("Tuesday at three works for me.", "Tuesday at three"),
                    ("Thursday morning would be best.", "Thursday morning"),
                    ("How about next Monday around ten?", "Monday around ten"),
                    ("Friday afternoon works.", "Friday afternoon"),
                ]);
                (l.into(), Some(v.into()))
            }
            Slot::Email => {
                let email = format!("{}.{}@example.com", self.caller.first.to_ascii_lowercase(), self.caller.last.to_ascii_lowercase());
                (format!("Sure, it's {email}."), Some(email))
            }
            Slot::Name => {
                let name = format!("{} {}", self.caller.first, self.caller.last);
                (format!("It's {name}."), Some(name))
            }
            Slot::Phone => ("You can reach me at 555 0142.".into(), Some("555 0142".into())),
            Slot::Place => {
                let (l, v) = *self.rng.pick(&[("We're in Denver, near downtown.", "Denver"), ("It's 42 Harbor Street.", "42 Harbor Street")]);
                (l.into(), Some(v.into()))
            }
            Slot::YesNo if q.text.to_ascii_lowercase().contains("any ") => (self.pick(&["No, nothing in particular.", "Not that I know of, no."]), None),
            Slot::YesNo if q.text.starts_with("Would") || q.text.starts_with("Shall") => {
                (self.pick(&["Yes, that would be great.", "Sure, why not.", "Yes, please."]), None)
            }
            Slot::YesNo => (self.pick(&["Yes, that's right.", "Yes, I think so.", "Yes, that sounds good."]), None),
            Slot::Open => {
                let lower = q.text.to_ascii_lowercase();
                let line = match q.about.as_deref().map(mine) {
                    Some(t) => {
                        let t = decapitalize(&t);
                        let template = *self.rng.pick(&[
                            "Sure. When it comes to {t}, we're still figuring things out, honestly.",
                            "Well, {t} is one of the main things I wanted to sort out.",
                            "Good question. {T} has been a bit of a headache for us lately.",
                        ]);
                        template.replace("{t}", &t).replace("{T}", &capitalize(&t))
                    }
                    // What they use today, why they want it, or anything else.
                    None if ["use", "using", "tool", "software", "system", "provider", "platform", "currently"].iter().any(|w| lower.contains(w)) => {
                        self.pick(&["Right now we mostly use spreadsheets, and it's getting painful.", "We have an older system, but we're not very happy with it."])
                    }
                    None if ["why", "goal", "hoping", "looking for", "reason"].iter().any(|w| lower.contains(w)) => {
                        self.pick(&["Mostly we want to save time, to be honest.", "We're growing, and what we have now doesn't keep up."])
                    }
                    None => {
                        self.pick(&["Honestly, we just want something that works without much hassle.", "Good question. I'd have to check, but I think we're flexible."])
                    }
                };
                (line, None)
            }
        };
        if let Some(v) = value {
            if !self.values.contains(&v) {
                self.values.push(v);
            }
        }
        line
    }

    /// The caller's reply to the agent's last item.
    fn respond(&mut self) -> String {
        match self.last.clone() {
            Some(Item::Ask(q)) => self.answer(&q),
            Some(Item::Tell(_)) => self.pick(&["Oh, that's good to know.", "Oh, nice.", "I see, that makes sense."]),
            Some(Item::Offer(_)) => self.pick(&["Yes, that would be great.", "Sure, why not.", "Yes, please."]),
            None => self.pick(&["Sure, go ahead.", "Okay."]),
        }
    }

    /// The agent's acknowledgement of the caller's last line.
    fn ack(&mut self) -> String {
        let answered = matches!(self.last, Some(Item::Ask(_)));
        match self.persona {
            Persona::Skeptical => self.pick(&["I understand.", "Fair enough.", "Thanks."]),
            Persona::Confused => self.pick(&["No problem.", "Great, thank you.", "Perfect."]),
            _ if answered => self.pick(&["Great.", "Perfect, thank you.", "Got it.", "Wonderful.", "Thanks, that's helpful."]),
            _ => self.pick(&["Great.", "Wonderful.", "Good."]),
        }
    }

    /// The agent's goodbye, with a summary of what the caller said.
    fn closing(&mut self) -> String {
        let summary = match self.values.len() {
            0 => String::new(),
            _ => format!("Perfect, so I have {}.", list(&self.values)),
        };
        let bye = match &self.m.closing {
            Some(c) => format!("{c} Have a great day!"),
            None => self.pick(&["Thank you so much for your time today. Have a great day!", "That's everything I needed. Thanks so much, and have a wonderful day!"]),
        };
        self.closed = true;
        join(&[&summary, &bye])
    }

    /// A question from the prompt's FAQ, in the caller's words, with the agent's answer.
    fn next_faq(&mut self) -> Option<(String, String)> {
        if self.faq_next >= self.m.faqs.len() {
            if !self.endless || self.m.faqs.is_empty() {
                return None;
            }
            self.faq_next = 0;
        }
        let f = self.m.faqs[self.faq_next].clone();
        self.faq_next += 1;
        let wh = ["what", "how", "when", "where", "which", "who", "why", "whether", "if"]
            .contains(&f.topic.split_whitespace().next().unwrap_or("").to_ascii_lowercase().as_str());
        let q = if wh {
            format!("Could you tell me {}?", f.topic)
        } else {
            let template = *self.rng.pick(&["Can you tell me about {t}?", "What about {t}?", "Oh, and what about {t}?", "I was also wondering about {t}."]);
            template.replace("{t}", &f.topic)
        };
        Some((q, f.answer))
    }

    /// The agent's line after an answer: an acknowledgement and the next item, or the goodbye.
    fn agent_next(&mut self, turn: &Turn) -> String {
        let ack = self.ack();
        self.agent_next_with(turn, &ack)
    }

    fn agent_next_with(&mut self, turn: &Turn, ack: &str) -> String {
        if self.should_close(turn) {
            return self.closing();
        }
        match self.next_item() {
            Some(item) => join(&[ack, item.text()]),
            None if self.endless => self.filler_agent(),
            None => self.closing(),
        }
    }

    /// Endless mode, once the plan is used up: the caller keeps asking and the agent keeps
    /// answering from the prompt.
    fn filler(&mut self) -> (String, String) {
        if let Some((q, a)) = self.next_faq() {
            return (q, a);
        }
        self.filler_next += 1;
        let topic = self.topic();
        let caller = match (self.filler_next % 4, topic) {
            (0, Some(t)) => format!("Can you tell me more about the {}?", decapitalize(&t)),
            (1, _) => "And how does that work, exactly?".to_string(),
            (2, _) => "Sorry, could you go over that once more?".to_string(),
            _ => "What would the next steps be?".to_string(),
        };
        (caller, self.filler_agent())
    }

    fn filler_agent(&mut self) -> String {
        let pool: Vec<String> = self.m.facts.iter().cloned().chain(self.m.purpose.clone()).chain(self.said.iter().map(|i| i.text().to_string())).collect();
        if pool.is_empty() {
            return self.pick(&[
                "Good question. We'd tailor everything to what you need, and I can walk you through it step by step.",
                "Of course. I'd be happy to go over anything you'd like.",
            ]);
        }
        let line = self.rng.pick(&pool).clone();
        let lead = self.pick(&["Sure.", "Of course.", "Good question.", "Absolutely."]);
        format!("{lead} {line}")
    }

    // ---- personas: one exchange each (the caller's line, then the agent's reply) ----------------

    /// `(caller line or None to hang up, agent reply or None to hang up)`.
    fn exchange(&mut self, turn: &Turn) -> (Option<String>, Option<String>) {
        let k = self.stage;
        self.stage += 1;
        match self.persona {
            Persona::Interested => self.interested(k, turn),
            Persona::Skeptical => self.skeptical(k, turn),
            Persona::Confused => self.confused(k, turn),
            Persona::Busy => self.busy(k),
            Persona::NotInterested => self.not_interested(k),
        }
    }

    fn interested(&mut self, k: usize, turn: &Turn) -> (Option<String>, Option<String>) {
        if self.endless && self.items.is_empty() && k > 0 {
            let answer = self.respond();
            let (q, a) = self.filler();
            self.last = None;
            return (Some(join(&[&answer, &q])), Some(a));
        }
        let mut asked_faq = false;
        let mut caller = if k == 0 {
            let hello = self.pick(&["Hi! Yes, I have a few minutes.", "Oh hi, sure, go ahead.", "Yes, hello! Good timing, actually."]);
            // An interested caller may already have something on their mind from the prompt's FAQ.
            match self.m.faqs.first().map(|f| f.topic.clone()).filter(|t| !t.contains(' ') && self.rng.chance(1, 2)) {
                Some(t) => {
                    asked_faq = true;
                    format!("{hello} I was actually going to ask about {t}.")
                }
                None => hello,
            }
        } else {
            self.respond()
        };
        if k == self.faq_at || asked_faq {
            if let Some((q, a)) = self.next_faq() {
                if k > 0 {
                    caller = format!("{caller} {q}");
                }
                let next = self.agent_next_with(turn, "");
                return (Some(caller), Some(join(&[&a, &next])));
            }
        }
        if k == 0 {
            if let Some(r) = self.m.reaction(Persona::Interested).map(str::to_string) {
                return (Some(caller), Some(r));
            }
            let ack = self.pick(&["Great!", "Wonderful, thank you.", "Lovely, thanks."]);
            let reply = self.agent_next_with(turn, &ack);
            return (Some(caller), Some(reply));
        }
        let reply = self.agent_next(turn);
        (Some(caller), Some(reply))
    }

    fn skeptical(&mut self, k: usize, turn: &Turn) -> (Option<String>, Option<String>) {
        match k {
            0 => {
                let caller = self.pick(&["Okay... what is this about?", "Who is this, and how did you get my number?", "Is this a sales call?"]);
                let reply = match self.m.reaction(Persona::Skeptical) {
                    Some(r) => r.to_string(),
                    None => format!("Of course. {}", self.introduction()),
                };
                (Some(caller), Some(reply))
            }
            1 => {
                if let Some((q, a)) = self.next_faq() {
                    return (Some(format!("Hm. {q}")), Some(format!("That's a fair question. {a}")));
                }
                let caller = self.pick(&["How much is this going to cost me?", "What's the catch?", "And why would I need that?"]);
                let reply = match self.m.facts.get(1).or(self.m.facts.first()) {
                    Some(f) => format!("That's a fair question. {f}"),
                    None => "That's a fair question. There's no obligation at all, I promise.".to_string(),
                };
                (Some(caller), Some(reply))
            }
            2 => {
                let caller = self.pick(&["Hm. Okay, I'm listening.", "Fine. Go on.", "Alright, what do you need from me?"]);
                let reply = match self.next_item() {
                    Some(item) => item.text().to_string(),
                    None => self.closing(),
                };
                (Some(caller), Some(reply))
            }
            _ if k < 5 && !self.items.is_empty() && !self.should_close(turn) => {
                let caller = self.grudging();
                let reply = self.agent_next(turn);
                (Some(caller), Some(reply))
            }
            _ => {
                let answer = self.grudging();
                let caller = format!("{answer} Look, I'll have to think about it. Can you send me something in writing?");
                self.closed = true;
                (
                    Some(caller),
                    Some("Of course, I'll send the details over so you can take a look in your own time. Thanks for hearing me out, and have a good day.".into()),
                )
            }
        }
    }

    fn confused(&mut self, k: usize, turn: &Turn) -> (Option<String>, Option<String>) {
        match k {
            0 => {
                let caller = self.pick(&["Sorry, who is this?", "Hello? Sorry, I didn't quite catch that.", "I'm sorry, what is this about?"]);
                let intro = match self.m.reaction(Persona::Confused) {
                    Some(r) => r.to_string(),
                    None => format!("No problem. {}", self.introduction()),
                };
                let reply = match self.next_item() {
                    Some(item) => format!("{intro} {}", item.text()),
                    None => intro,
                };
                (Some(caller), Some(reply))
            }
            1 | 3 => {
                let Some(last) = self.last.clone() else {
                    return (Some("Oh, okay.".into()), Some(self.closing()));
                };
                if k == 3 {
                    return (Some("Sorry, could you say that again?".into()), Some(format!("Of course. {}", last.text())));
                }
                let about = match &last {
                    Item::Ask(q) => q.about.as_deref().map(bare),
                    _ => None,
                };
                let caller = match about {
                    Some(a) => format!("I'm sorry, what do you mean by {}?", decapitalize(&a)),
                    None => self.pick(&["Sorry, I'm not sure I understand.", "I'm sorry, what do you mean?"]),
                };
                (Some(caller), Some(format!("No problem, let me put it another way. {}", rephrase(&last))))
            }
            _ => {
                let caller = match self.last.clone() {
                    Some(Item::Ask(q)) => format!("Oh, okay. Um... {}", self.answer(&q)),
                    _ => self.pick(&["Oh, okay, I see.", "Oh, I get it now."]),
                };
                if k >= 4 || self.should_close(turn) || self.items.is_empty() {
                    let bye = self.closing();
                    return (Some(caller), Some(format!("Thank you for bearing with me. {bye}")));
                }
                let reply = self.agent_next(turn);
                (Some(caller), Some(reply))
            }
        }
    }

    fn busy(&mut self, k: usize) -> (Option<String>, Option<String>) {
        const LATER: &[(&str, &str)] = &[
            ("Tomorrow after four.", "tomorrow after four"),
            ("Try me Thursday morning.", "on Thursday morning"),
            ("Monday around ten would be better.", "on Monday around ten"),
        ];
        match k {
            0 => {
                let caller = self.pick(&["I'm actually in the middle of something. Can you make it quick?", "Sorry, I'm driving right now.", "I've only got a minute."]);
                if let Some(r) = self.m.reaction(Persona::Busy) {
                    // The prompt's own answer to a busy caller (e.g. offering to call back); next: when.
                    self.stage = 2;
                    return (Some(caller), Some(r.to_string()));
                }
                let reply = match self.next_item() {
                    Some(item) => format!("Of course, I'll be quick. {}", item.text()),
                    None => "Of course, I'll be quick.".to_string(),
                };
                (Some(caller), Some(reply))
            }
            1 => {
                let answer = if matches!(self.last, Some(Item::Ask(_))) { self.respond() } else { String::new() };
                let caller = join(&[&answer, "Look, can you call me back later?"]);
                (Some(caller), Some("Absolutely. When would be a better time to reach you?".into()))
            }
            _ => {
                let &(line, when) = self.rng.pick(LATER);
                let caller = if self.m.reaction(Persona::Busy).is_some() { format!("Yes, please. {line}") } else { line.to_string() };
                self.closed = true;
                (Some(caller), Some(format!("Perfect, I'll call you back {when}. Thanks, and have a good day!")))
            }
        }
    }

    fn not_interested(&mut self, k: usize) -> (Option<String>, Option<String>) {
        match k {
            0 => {
                let caller = self.pick(&["I'm not interested.", "How did you get this number? I'm not interested.", "Not interested, thanks."]);
                let reply = match self.m.facts.first() {
                    Some(f) => format!("I understand. Just one thing before I go: {} Would that be helpful at all?", decapitalize(f)),
                    None => "I understand. May I ask what's holding you back?".to_string(),
                };
                (Some(caller), Some(reply))
            }
            _ => {
                if self.rng.chance(1, 3) {
                    return (None, None); // hangs up without another word
                }
                self.closed = true;
                // The prompt's own way of letting a refusing caller go, if it has one.
                let sorry = self.m.reaction(Persona::NotInterested).unwrap_or("Understood, I'm sorry to have bothered you.");
                let reply = join(&[sorry, "I'll make sure you're not contacted again. Goodbye."]);
                (Some("No. Please don't call me again.".into()), Some(reply))
            }
        }
    }

    /// A skeptical caller's reply to the agent's last item.
    fn grudging(&mut self) -> String {
        match self.last.clone() {
            Some(Item::Ask(q)) => {
                let lead = self.pick(&["Fine.", "I suppose.", "Hm."]);
                format!("{lead} {}", self.answer(&q))
            }
            Some(Item::Tell(_)) => self.pick(&["Hm, okay.", "If you say so.", "Okay."]),
            Some(Item::Offer(_)) => self.pick(&["Maybe. Send me the details first.", "I'll think about it."]),
            None => "Okay.".to_string(),
        }
    }
}

impl Conversation for Scripted {
    fn agent_turn(&mut self, turn: &Turn) -> Option<String> {
        if !turn.transcript.iter().any(|s| s.role == Speaker::Agent) {
            return Some(self.greeting());
        }
        match self.pending.take() {
            Some(reply) => reply,
            // Not asked after a caller line (the engine always alternates): say the next thing.
            None => Some(self.agent_next(turn)),
        }
    }

    fn caller_turn(&mut self, turn: &Turn) -> Option<String> {
        if turn.transcript.is_empty() {
            let hello = format!("Hi, this is {}.", self.caller.first);
            return Some(self.pick(&["Hello?", "Hello, who's calling?", &hello]));
        }
        if self.closed {
            // An annoyed caller does not say goodbye back.
            if self.agent_hangs_up && !self.caller_said_bye && self.persona != Persona::NotInterested {
                self.caller_said_bye = true;
                self.pending = Some(None);
                return Some(self.pick(&["Thanks, bye!", "Okay, bye.", "Great, thank you. Bye!", "You too, bye."]));
            }
            return None;
        }
        let (caller, reply) = self.exchange(turn);
        self.pending = Some(reply);
        caller
    }
}

const GENERIC_QUESTIONS: &[&str] = &["Could you tell me a little about what you're looking for?", "What would be the best time to follow up with you?"];

/// A question said more simply, for a confused caller.
fn rephrase(item: &Item) -> String {
    let Item::Ask(q) = item else { return item.text().to_string() };
    match q.slot {
        Slot::Count => "I just need to know roughly how many people it would be for.".into(),
        Slot::Money => "I mean roughly how much you'd be looking to spend.".into(),
        Slot::When => "I mean what day and time would work best for you.".into(),
        Slot::Email => "I just need an email address where we can reach you.".into(),
        Slot::Name => "I just need your name for our records.".into(),
        Slot::Phone => "I just need the best number to reach you.".into(),
        Slot::Place => "I mean where you're located.".into(),
        Slot::Open if q.about.is_some() => finish(&format!("I just mean anything you can tell me about {}", q.about.as_deref().unwrap_or_default()), '.'),
        Slot::YesNo | Slot::Open => match q.text.strip_prefix("May I ask ") {
            Some(rest) => finish(&format!("I was just asking {rest}"), '.'),
            None => format!("What I meant was: {}", decapitalize(&q.text)),
        },
    }
}

/// "a", "a and b", "a, b and c".
fn list(xs: &[String]) -> String {
    match xs {
        [] => String::new(),
        [a] => a.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Joins non-empty sentences with a space.
fn join(parts: &[&str]) -> String {
    parts.iter().map(|p| p.trim()).filter(|p| !p.is_empty()).collect::<Vec<_>>().join(" ")
}
