//! Reading an agent's (rendered) system prompt for the built-in conversation: the prompt is split
//! into sentences and each one becomes spoken material, or nothing.
//!
//! - Instructions become lines in the agent's voice: "Ask for their budget" → "Could you tell me
//!   your budget?", "Ask if they have a pet" → "Do you have a pet?", "Offer to schedule a demo" →
//!   "Would you like me to schedule a demo?", "Tell them that we open at nine" → "We open at nine."
//! - Quoted lines ("Say: \"...\"") and questions written out are used as they are.
//! - Conditionals become reactions: "If they ask about parking, tell them it is free" is a question a
//!   caller can ask (with its answer); "If they are busy, offer to call back" is what the agent
//!   says to a busy caller.
//! - Statements of fact ("We are open Tuesday to Sunday") are things the agent can tell.
//! - Style and meta instructions ("Be concise", "Never discuss pricing", "You are an AI") are
//!   dropped; "You are Sam from Acme" and "Your goal is to ..." give the agent's name, company
//!   and purpose.
//!
//! Everything here is heuristic English: it aims at lines that sound plausible for the prompts
//! people actually write, and drops what it does not understand rather than saying it wrongly.

use super::conversation::Persona;

/// What a question asks for, which decides how a caller answers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Slot {
    Count,
    Money,
    When,
    Email,
    Name,
    Phone,
    Place,
    YesNo,
    Open,
}

/// A question the agent asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    /// The spoken line, e.g. "Could you tell me your budget?".
    pub text: String,
    pub slot: Slot,
    /// What it asks about, in the agent's words ("your budget"), when known.
    pub about: Option<String>,
}

/// A question a caller may ask, with the agent's answer (from "If they ask about X, say Y").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Faq {
    /// In the caller's words: "parking", "my order status", "what the price is".
    pub topic: String,
    pub answer: String,
}

/// Everything the built-in conversation can say, read from one prompt.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Material {
    pub questions: Vec<Question>,
    pub facts: Vec<String>,
    /// Yes/no proposals: "Would you like me to schedule a demo?".
    pub offers: Vec<String>,
    pub faqs: Vec<Faq>,
    /// What the prompt says to do with a kind of caller ("If they are not interested, ...").
    pub reactions: Vec<(Persona, String)>,
    /// "Thank you for your time." when the prompt says how to end.
    pub closing: Option<String>,
    /// "I'm calling to confirm your appointment."
    pub purpose: Option<String>,
    /// The agent's persona name ("You are Sam").
    pub name: Option<String>,
    /// Who the agent works for ("... at Bella's Bistro").
    pub company: Option<String>,
    /// Things the conversation is about, for callers to mention: "parking", "budget".
    pub topics: Vec<String>,
}

impl Material {
    pub fn reaction(&self, persona: Persona) -> Option<&str> {
        self.reactions.iter().find(|(p, _)| *p == persona).map(|(_, s)| s.as_str())
    }
}

/// Lines longer than this are not spoken (they are rarely meant to be).
const MAX_LINE_WORDS: usize = 35;
const MAX_TOPICS: usize = 10;

/// Reads a prompt. Deterministic; never fails (an empty prompt gives empty material).
pub fn read(prompt: &str) -> Material {
    let mut m = Material::default();
    for s in sentences(prompt) {
        classify(&s, &mut m);
    }
    collect_topics(prompt, &mut m);
    m
}

// ---- sentences -------------------------------------------------------------------------------

fn sentences(prompt: &str) -> Vec<String> {
    let mut out = Vec::new();
    for raw in prompt.lines() {
        let line = clean_line(raw);
        if line.is_empty() || line.ends_with(':') && line.split_whitespace().count() <= 6 {
            continue; // a heading ("## Goals", "Questions to ask:")
        }
        // "Hours: We're open nine to five" reads as its value; short key/value pairs are skipped.
        let line = match line.split_once(": ") {
            Some((k, v)) if k.split_whitespace().count() <= 3 && !k.contains('"') && !k.contains('“') => {
                if v.split_whitespace().count() >= 3 || v.starts_with('"') || v.starts_with('“') {
                    v.to_string()
                } else {
                    continue;
                }
            }
            _ => line,
        };
        split_sentences(&line, &mut out);
    }
    out
}

/// Strips list markers, markdown emphasis and parentheticals; collapses whitespace.
fn clean_line(raw: &str) -> String {
    let mut s = raw.trim();
    loop {
        let before = s;
        for m in ["- ", "* ", "• ", "– ", "> "] {
            s = s.strip_prefix(m).unwrap_or(s).trim_start();
        }
        s = s.trim_start_matches('#').trim_start();
        let digits = s.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && digits < 3 {
            let rest = &s[digits..];
            if let Some(r) = rest.strip_prefix(". ").or_else(|| rest.strip_prefix(") ")) {
                s = r.trim_start();
            }
        }
        if s == before {
            break;
        }
    }
    let mut out = String::with_capacity(s.len());
    let mut depth = 0usize;
    for c in s.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            '*' | '`' | '_' if depth == 0 => {}
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ").replace(" ,", ",").replace(" .", ".")
}

const ABBREVIATIONS: &[&str] = &["e.g", "i.e", "mr", "mrs", "ms", "dr", "st", "vs", "a.m", "p.m", "no", "approx", "inc", "ltd", "jr", "sr", "u.s"];

fn split_sentences(line: &str, out: &mut Vec<String>) {
    let chars: Vec<char> = line.chars().collect();
    let mut start = 0;
    let mut quoted = false;
    for i in 0..chars.len() {
        match chars[i] {
            '"' => quoted = !quoted,
            '“' => quoted = true,
            '”' => quoted = false,
            '.' | '!' | '?' if !quoted && chars.get(i + 1).is_none_or(|c| c.is_whitespace()) => {
                let sentence: String = chars[start..=i].iter().collect();
                if chars[i] == '.' {
                    let last = sentence[..sentence.len() - 1].rsplit(' ').next().unwrap_or("").to_ascii_lowercase();
                    if ABBREVIATIONS.contains(&last.as_str()) {
                        continue;
                    }
                }
                push_sentence(sentence, out);
                start = i + 1;
            }
            _ => {}
        }
    }
    push_sentence(chars[start..].iter().collect(), out);
}

fn push_sentence(s: String, out: &mut Vec<String>) {
    let s = s.trim();
    if s.split_whitespace().count() >= 2 {
        out.push(s.to_string());
    }
}

// ---- classification --------------------------------------------------------------------------

/// Words and phrases that mark a sentence as being about the model or the call itself, not the
/// business (matched as whole words).
const META: &[&str] = &[
    "assistant",
    "ai",
    "a.i",
    "language model",
    "llm",
    "prompt",
    "instruction",
    "instructions",
    "persona",
    "script",
    "markdown",
    "emoji",
    "emojis",
    "tone",
    "conversation",
    "respond",
    "response",
    "responses",
    "bullet",
    "format",
    "this call",
    "the call",
    "roleplay",
    "role-play",
    "character",
    "system",
    "agent",
    "bot",
    "transcript",
    "should",
    "must",
    "make sure",
    "ensure",
    "function",
    "tool",
];

fn is_meta(lower: &str) -> bool {
    let words: String = lower.chars().map(|c| if c.is_alphanumeric() || c == '\'' || c == '-' || c == '.' { c } else { ' ' }).collect();
    let padded = format!(" {} ", words.split_whitespace().map(|w| w.trim_end_matches('.')).collect::<Vec<_>>().join(" "));
    META.iter().any(|m| padded.contains(&format!(" {m} ")))
}

/// Who the agent talks to, as prompts name them.
const PARTIES: &[&str] = &["caller", "customer", "user", "client", "patient", "lead", "prospect", "person", "contact", "recipient", "guest", "member", "buyer"];

fn classify(sentence: &str, m: &mut Material) {
    let s = sentence.trim().trim_end_matches(['.', '!', ';', ',']).trim();
    if let Some(q) = quoted(s) {
        if q.split_whitespace().count() >= 3 {
            let q = q.trim();
            if q.ends_with('?') {
                push_question(m, q.to_string(), None);
            } else {
                push_unique(&mut m.facts, finish(q, '.'));
            }
        }
        return;
    }
    let lower = s.to_ascii_lowercase();
    if s.split_whitespace().count() < 3 {
        return;
    }
    if ["if ", "when ", "in case ", "whenever ", "should they ", "should the "].iter().any(|p| lower.starts_with(p)) {
        conditional(s, m);
        return;
    }
    if identity(s, &lower, m) {
        return;
    }
    if s.ends_with('?') {
        if !is_meta(&lower) && s.split_whitespace().count() <= MAX_LINE_WORDS {
            push_question(m, voice(s, Voice::AgentVerbatim), None);
        }
        return;
    }
    let body = strip_lead_ins(s);
    let first = first_word(body);
    if is_verb(&first) || first == "always" || first == "don't" || first == "do" {
        match imperative(body) {
            Some(Spoken::Question(q, about)) => push_question(m, q, about),
            Some(Spoken::Statement(t)) => push_unique(&mut m.facts, t),
            Some(Spoken::Offer(t)) => push_unique(&mut m.offers, t),
            Some(Spoken::Closing(t)) => {
                m.closing.get_or_insert(t);
            }
            Some(Spoken::Reply(_)) | None => {}
        }
        return;
    }
    // A statement of fact, unless it is about the caller ("The customer ordered ...") or the call.
    let words = s.split_whitespace().count();
    let about_party = lower.starts_with("they ") || lower.starts_with("callers ") || {
        let mut w = lower.split_whitespace();
        w.next() == Some("the") && w.next().is_some_and(|p| PARTIES.contains(&p.trim_end_matches("'s")))
    };
    if (4..=MAX_LINE_WORDS).contains(&words) && !about_party && !is_meta(&lower) && !lower.starts_with("i ") && !lower.starts_with("note") {
        push_unique(&mut m.facts, finish(&voice(s, Voice::AgentVerbatim), '.'));
    }
}

/// "You are Sam, a receptionist at Bella's Bistro", "Your goal is to book tables": the agent's
/// name, company and purpose. True when the sentence was about the agent (and is used up).
fn identity(s: &str, lower: &str, m: &mut Material) -> bool {
    let about_agent = lower.starts_with("you ") || lower.starts_with("your ") || lower.starts_with("you're ");
    for key in ["job", "goal", "task", "role", "purpose", "mission", "objective", "aim"] {
        for det in ["your", "the", "our"] {
            let pat = format!("{det} {key} is to ");
            if let Some(i) = lower.find(&pat) {
                let what = &s[i + pat.len()..];
                // "qualify leads" is what the agent does, not what it tells the person it calls.
                let jargon = ["lead", "leads", "qualify", "prospect", "prospects", "upsell", "convert"]
                    .iter()
                    .any(|j| what.to_ascii_lowercase().split_whitespace().any(|w| w == *j));
                if m.purpose.is_none() && !what.is_empty() && !jargon {
                    m.purpose = Some(finish(&format!("I'm calling to {}", voice(what, Voice::Agent)), '.'));
                }
                return true;
            }
        }
    }
    if !about_agent {
        return false;
    }
    let words: Vec<&str> = s.split_whitespace().collect();
    // The name: "You are Sam", "You're Sam", "Your name is Sam".
    let name_at = if lower.starts_with("your name is ") {
        Some(3)
    } else if lower.starts_with("you are ") {
        Some(2)
    } else if lower.starts_with("you're ") {
        Some(1)
    } else {
        None
    };
    if let Some(w) = name_at.and_then(|i| words.get(i)) {
        let name = w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'' && c != '-');
        let starts_upper = name.chars().next().is_some_and(char::is_uppercase);
        if starts_upper && !["A", "An", "The", "AI", "I"].contains(&name) && m.name.is_none() {
            m.name = Some(name.to_string());
        }
    }
    // The company: after "at", "for", "from", "on behalf of", "with", when it is a proper noun.
    for pat in [" on behalf of ", " at ", " for ", " from ", " with "] {
        if let Some(i) = lower.find(pat) {
            let rest = &s[i + pat.len()..];
            let end = [",", ".", ";", " and ", " who ", " that ", " to ", " in ", " which "]
                .iter()
                .filter_map(|d| rest.find(d))
                .min()
                .unwrap_or(rest.len());
            let company = rest[..end].trim();
            if company.chars().next().is_some_and(char::is_uppercase) && company.split_whitespace().count() <= 5 && m.company.is_none() {
                m.company = Some(company.to_string());
                break;
            }
        }
    }
    // "You are calling (on behalf of Acme) to confirm appointments."
    if let Some(i) = lower.find("calling") {
        if let Some(j) = lower[i..].find(" to ") {
            let what = &s[i + j + 4..];
            if m.purpose.is_none() && what.split_whitespace().count() >= 2 {
                m.purpose = Some(finish(&format!("I'm calling to {}", voice(what, Voice::Agent)), '.'));
            }
        }
    }
    true
}

/// "If they ask about X, say Y" / "If the caller is busy, offer to call back later".
fn conditional(s: &str, m: &mut Material) {
    let lower = s.to_ascii_lowercase();
    let split = lower.find(", ").map(|i| (i, 2)).or_else(|| lower.find(" then ").map(|i| (i, 6)));
    let Some((at, len)) = split else { return };
    let cond = &s[..at];
    let cond = cond.split_once(' ').map_or(cond, |(_, rest)| rest); // drop "if"/"when"
    let cond = cond.strip_prefix("case ").unwrap_or(cond);
    let action = s[at + len..].trim();
    let action = action.strip_prefix("then ").unwrap_or(action);
    let Some(reply) = spoken_actions(action) else { return };
    let cl = format!(" {} ", cond.to_ascii_lowercase());
    let has = |ws: &[&str]| ws.iter().any(|w| cl.contains(w));
    let persona = if has(&[
        "not interested",
        "no interest",
        "says no",
        " declines",
        " decline ",
        " refuse",
        " object",
        " rude",
        " angry",
        " hostile",
        "stop calling",
        " upset",
        "don't want",
        "do not want",
        "doesn't want",
    ]) {
        Some(Persona::NotInterested)
    } else if has(&[" busy", "call back", "callback", "not a good time", "bad time", " driving", " in a meeting", " later"]) {
        Some(Persona::Busy)
    } else if has(&["confused", "understand", "unclear", "who you are", "who is calling", "why you are calling", "what this is about"]) {
        Some(Persona::Confused)
    } else if has(&["skeptical", "suspicious", " scam", " trust", "how you got", "how did you get"]) {
        Some(Persona::Skeptical)
    } else {
        None
    };
    if let Some(p) = persona {
        if m.reaction(p).is_none() {
            m.reactions.push((p, reply));
        }
        return;
    }
    if let Some(topic) = faq_topic(cond) {
        if !m.faqs.iter().any(|f| f.topic == topic) {
            m.faqs.push(Faq { topic, answer: reply });
        }
    } else if has(&[" interested", " agree", " says yes", " yes ", " ready", " wants to ", " would like to "]) && m.reaction(Persona::Interested).is_none() {
        m.reactions.push((Persona::Interested, reply));
    }
}

/// The subject of a caller's question in a condition, in the caller's words.
fn faq_topic(cond: &str) -> Option<String> {
    let lower = cond.to_ascii_lowercase();
    const PATTERNS: &[&str] = &[
        "ask about ",
        "asks about ",
        "asked about ",
        "inquire about ",
        "inquires about ",
        "want to know about ",
        "wants to know about ",
        "want to know ",
        "wants to know ",
        "ask for ",
        "asks for ",
        "ask ",
        "asks ",
        "mention ",
        "mentions ",
        "bring up ",
        "brings up ",
        "are interested in ",
        "is interested in ",
        "need ",
        "needs ",
        "have questions about ",
        "has questions about ",
        "have a question about ",
        "has a question about ",
        "complain about ",
        "complains about ",
    ];
    let (i, pat) = PATTERNS.iter().filter_map(|p| lower.find(p).map(|i| (i, *p))).min_by_key(|(i, p)| (*i, usize::MAX - p.len()))?;
    let topic = cond[i + pat.len()..].trim().trim_end_matches(['.', ',', '?']);
    let topic = voice(topic, Voice::Caller);
    (!topic.is_empty() && topic.split_whitespace().count() <= 10).then_some(topic)
}

/// The text between the first pair of quotes, if any.
fn quoted(s: &str) -> Option<&str> {
    for (open, close) in [('"', '"'), ('“', '”')] {
        if let Some(i) = s.find(open) {
            let rest = &s[i + open.len_utf8()..];
            if let Some(j) = rest.find(close) {
                return Some(&rest[..j]);
            }
        }
    }
    None
}

fn push_unique(v: &mut Vec<String>, s: String) {
    if !s.is_empty() && !v.contains(&s) {
        v.push(s);
    }
}

fn push_question(m: &mut Material, text: String, about: Option<String>) {
    let text = finish(&text, '?');
    if text.split_whitespace().count() > MAX_LINE_WORDS || m.questions.iter().any(|q| q.text == text) {
        return;
    }
    let slot = slot_of(&text);
    m.questions.push(Question { text, slot, about });
}

/// How a caller would answer `q`.
pub fn slot_of(q: &str) -> Slot {
    let l = format!(" {} ", q.to_ascii_lowercase().replace(['?', ',', '.', '!'], " "));
    let has = |ws: &[&str]| ws.iter().any(|w| l.contains(w));
    if has(&[" email", " e-mail"]) {
        Slot::Email
    } else if has(&[" phone", " cell ", " mobile", "callback number", "best number", "number to reach", "contact number"]) {
        Slot::Phone
    } else if has(&[" name "]) && !has(&["company name", "business name"]) {
        Slot::Name
    } else if has(&[" budget", " price", " cost", " spend", " afford", " pay ", "how much"]) {
        Slot::Money
    } else if has(&["how many", "number of", " people", " guests", " employees", " staff", " headcount", " seats", " attendees", "team size", "size of", " party size"]) {
        Slot::Count
    } else if has(&[
        " date",
        " time ",
        " times ",
        " when ",
        " day ",
        " days ",
        " availability",
        " available",
        " schedule",
        " appointment",
        " timeline",
        "timeframe",
        "time frame",
        " start ",
    ]) {
        Slot::When
    } else if has(&[" address", " where ", " location", " located", " city", " zip ", " postcode", " postal"]) {
        Slot::Place
    } else if ["are ", "is ", "do ", "does ", "did ", "would ", "will ", "have ", "has ", "shall ", "should ", "can i ", "can we ", "may i ask if", "may i ask whether"]
        .iter()
        .any(|p| l.trim_start().starts_with(p))
        || has(&["could you confirm", "would you like", "interested in", " whether "])
    {
        Slot::YesNo
    } else {
        Slot::Open
    }
}

// ---- instructions -> spoken lines ------------------------------------------------------------

/// A spoken line made from an instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Spoken {
    /// A question, and what it is about (agent's words) when known.
    Question(String, Option<String>),
    Statement(String),
    Offer(String),
    Closing(String),
    /// Only sensible as a reaction ("Apologize for the inconvenience").
    Reply(String),
}

impl Spoken {
    fn text(&self) -> &str {
        match self {
            Spoken::Question(t, _) | Spoken::Statement(t) | Spoken::Offer(t) | Spoken::Closing(t) | Spoken::Reply(t) => t,
        }
    }
}

/// Verbs the reader knows, whether it speaks them or drops them (meta verbs like "be", "use").
const VERBS: &[&str] = &[
    "ask",
    "inquire",
    "find",
    "determine",
    "learn",
    "discover",
    "identify",
    "understand",
    "establish",
    "clarify",
    "figure",
    "collect",
    "get",
    "gather",
    "obtain",
    "capture",
    "request",
    "confirm",
    "verify",
    "check",
    "double-check",
    "tell",
    "inform",
    "remind",
    "let",
    "explain",
    "describe",
    "say",
    "state",
    "mention",
    "share",
    "highlight",
    "emphasize",
    "emphasise",
    "note",
    "point",
    "offer",
    "schedule",
    "book",
    "arrange",
    "set",
    "reschedule",
    "thank",
    "apologize",
    "apologise",
    "recommend",
    "suggest",
    "encourage",
    "invite",
    "end",
    "close",
    "wrap",
    "greet",
    "introduce",
    "answer",
    "respond",
    "reply",
    "handle",
    "address",
    "listen",
    "be",
    "keep",
    "stay",
    "use",
    "avoid",
    "never",
    "speak",
    "talk",
    "follow",
    "act",
    "maintain",
    "remain",
    "sound",
    "refer",
    "transfer",
    "log",
    "record",
    "update",
    "tag",
    "hang",
    "disconnect",
    "wait",
    "pause",
    "repeat",
    "start",
    "begin",
    "try",
    "make",
    "ensure",
    "focus",
    "treat",
    "match",
    "adapt",
    "mirror",
    "personalize",
    "call",
    "qualify",
    "walk",
    "guide",
    "help",
    "assist",
    "provide",
    "give",
    "send",
    "email",
    "text",
    "escalate",
    "probe",
    "determine",
    "politely",
    "gently",
    "briefly",
    "quickly",
    "kindly",
];

fn is_verb(w: &str) -> bool {
    VERBS.contains(&w) || VERBS.contains(&ungerund(w).as_str())
}

/// "asking" → "ask", "scheduling" → "schedule", "letting" → "let".
fn ungerund(w: &str) -> String {
    let Some(stem) = w.strip_suffix("ing").filter(|s| s.len() >= 2) else { return w.to_string() };
    for cand in [stem.to_string(), format!("{stem}e"), stem[..stem.len() - 1].to_string()] {
        if VERBS.contains(&cand.as_str()) {
            return cand;
        }
    }
    w.to_string()
}

fn first_word(s: &str) -> String {
    s.split_whitespace().next().unwrap_or("").trim_end_matches([',', ':', ';']).to_ascii_lowercase()
}

/// Drops "Always", "First,", "Make sure to", "Start by" ... in front of an instruction.
fn strip_lead_ins(s: &str) -> &str {
    const LEAD_INS: &[&str] = &[
        "always ",
        "first, ",
        "first ",
        "then, ",
        "then ",
        "next, ",
        "next ",
        "finally, ",
        "finally ",
        "also, ",
        "also ",
        "please ",
        "make sure to ",
        "make sure you ",
        "be sure to ",
        "try to ",
        "remember to ",
        "don't forget to ",
        "do not forget to ",
        "you should ",
        "you must ",
        "you need to ",
        "you will ",
        "you'll ",
        "you can ",
        "start by ",
        "begin by ",
        "afterwards, ",
        "after that, ",
        "politely ",
        "gently ",
        "briefly ",
        "quickly ",
        "kindly ",
        "and ",
    ];
    let mut s = s.trim();
    loop {
        let lower = s.to_ascii_lowercase();
        match LEAD_INS.iter().find(|p| lower.starts_with(**p)) {
            Some(p) => s = s[p.len()..].trim_start(),
            None => return s,
        }
    }
}

/// Drops the person addressed: "them ", "the caller ", "the customer's " is kept (a possessive).
fn strip_object(s: &str) -> &str {
    let lower = s.to_ascii_lowercase();
    for o in ["him or her ", "him/her ", "them ", "everyone ", "people ", "callers ", "customers "] {
        if lower.starts_with(o) {
            return s[o.len()..].trim_start();
        }
    }
    if let Some(rest) = lower.strip_prefix("the ") {
        for p in PARTIES {
            if rest.starts_with(p) && rest[p.len()..].starts_with(' ') {
                return s[4 + p.len()..].trim_start();
            }
        }
    }
    s
}

/// `s` without the leading word(s) `prefix` (case-insensitive, whole words only).
fn strip_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let matches = s.len() >= prefix.len() && s.is_char_boundary(prefix.len()) && s[..prefix.len()].eq_ignore_ascii_case(prefix);
    let whole_word = s[prefix.len().min(s.len())..].chars().next().is_none_or(char::is_whitespace);
    (matches && whole_word).then(|| s[prefix.len()..].trim_start())
}

const WH: &[&str] = &["what", "when", "where", "which", "who", "whom", "whose", "how", "why"];

/// One instruction ("Ask for their budget") as a spoken line, or `None` when it is not something
/// the agent says ("Be concise", "Transfer the call").
pub fn imperative(instruction: &str) -> Option<Spoken> {
    let body = strip_lead_ins(instruction).trim_end_matches(['.', '!', ';', ',']).trim();
    let verb_raw = body.split_whitespace().next()?;
    let verb = ungerund(&first_word(body));
    let rest = body[verb_raw.len()..].trim();
    let spoken = match verb.as_str() {
        "ask" | "inquire" => ask(strip_object(rest)),
        "find" => learn(strip_ci(rest, "out")?),
        "figure" => learn(strip_ci(rest, "out")?),
        "determine" | "learn" | "discover" | "identify" | "understand" | "establish" | "clarify" | "probe" => {
            learn(strip_ci(rest, "about").or_else(|| strip_ci(rest, "for")).unwrap_or(rest))
        }
        "collect" | "get" | "gather" | "obtain" | "capture" | "request" => {
            let x = strip_object(rest);
            let x = strip_ci(x, "for").unwrap_or(x);
            let about = voice(x, Voice::Agent);
            Some(Spoken::Question(format!("Could I get {about}?"), Some(about)))
        }
        "confirm" | "verify" | "check" | "double-check" => {
            let x = drop_party_tail(rest);
            if let Some(c) = strip_ci(x, "that") {
                Some(Spoken::Question(format!("Just to confirm, {}, is that right?", voice(c, Voice::Agent)), None))
            } else if let Some(c) = strip_ci(x, "if").or_else(|| strip_ci(x, "whether")) {
                Some(Spoken::Question(format!("Could you confirm whether {}?", voice(c, Voice::Agent)), None))
            } else {
                let about = voice(strip_object(x), Voice::Agent);
                Some(Spoken::Question(format!("Could you confirm {about} for me?"), Some(about)))
            }
        }
        "tell" | "inform" | "remind" | "let" | "say" | "state" | "answer" | "reply" | "respond" => {
            let mut x = strip_object(rest);
            if verb == "let" {
                x = strip_ci(x, "know")?;
            }
            if matches!(verb.as_str(), "answer" | "reply" | "respond") {
                x = strip_ci(x, "that")?; // "Answer politely" is style; "Answer that ..." is content
            }
            x = strip_ci(x, "that").unwrap_or(x);
            if let Some(about) = strip_ci(x, "about") {
                Some(Spoken::Statement(finish(&format!("Let me tell you about {}", voice(about, Voice::Agent)), '.')))
            } else if let Some(todo) = strip_ci(x, "to") {
                Some(Spoken::Statement(finish(&format!("Please {}", voice(todo, Voice::Agent)), '.')))
            } else {
                Some(Spoken::Statement(finish(&capitalize(&voice(x, Voice::Agent)), '.')))
            }
        }
        "explain" | "describe" | "mention" | "share" | "highlight" | "emphasize" | "emphasise" | "note" | "point" => {
            let mut x = strip_object(rest);
            if verb == "point" {
                x = strip_ci(x, "out")?;
            }
            x = strip_ci(x, "to them").unwrap_or(x);
            if let Some(c) = strip_ci(x, "that") {
                Some(Spoken::Statement(finish(&capitalize(&voice(c, Voice::Agent)), '.')))
            } else if matches!(verb.as_str(), "explain" | "describe") {
                Some(Spoken::Statement(finish(&format!("Let me explain {}", voice(x, Voice::Agent)), '.')))
            } else {
                Some(Spoken::Statement(finish(&format!("I should also mention {}", voice(x, Voice::Agent)), '.')))
            }
        }
        "offer" => {
            let x = strip_object(rest);
            if let Some(todo) = strip_ci(x, "to") {
                Some(Spoken::Offer(finish(&format!("Would you like me to {}", voice(todo, Voice::Agent)), '?')))
            } else {
                Some(Spoken::Offer(finish(&format!("Would you be interested in {}", voice(x, Voice::Agent)), '?')))
            }
        }
        "schedule" | "book" | "arrange" | "set" | "reschedule" => {
            let (verb, x) = if verb == "set" { ("set up", strip_ci(rest, "up")?) } else { (verb.as_str(), rest) };
            let x = drop_party_tail(x);
            Some(Spoken::Offer(finish(&format!("Would you like to {verb} {}", voice(x, Voice::Agent)), '?')))
        }
        "recommend" | "suggest" => Some(Spoken::Statement(finish(&format!("I'd {verb} {}", voice(strip_object(rest), Voice::Agent)), '.'))),
        "encourage" => Some(Spoken::Statement(finish(&format!("I'd encourage you {}", voice(strip_object(rest), Voice::Agent)), '.'))),
        "invite" => {
            let todo = strip_ci(strip_object(rest), "to")?;
            Some(Spoken::Offer(finish(&format!("Would you like to {}", voice(todo, Voice::Agent)), '?')))
        }
        "thank" => {
            let x = strip_object(rest);
            let line = match strip_ci(x, "for") {
                Some(f) if !f.is_empty() => format!("Thank you for {}", voice(drop_tail(f), Voice::Agent)),
                _ => "Thank you for your time".to_string(),
            };
            Some(Spoken::Closing(finish(&line, '.')))
        }
        "apologize" | "apologise" => {
            let x = strip_ci(rest, "to them").unwrap_or(rest);
            Some(Spoken::Reply(match strip_ci(x, "for") {
                Some(f) if !f.is_empty() => finish(&format!("I'm so sorry for {}", voice(f, Voice::Agent)), '.'),
                _ => "I'm so sorry about that.".to_string(),
            }))
        }
        "end" | "close" | "wrap" => {
            let lower = rest.to_ascii_lowercase();
            let by = lower.find("by ")?;
            match imperative(&rest[by + 3..])? {
                Spoken::Closing(t) | Spoken::Statement(t) | Spoken::Reply(t) => Some(Spoken::Closing(t)),
                _ => None,
            }
        }
        _ => None,
    }?;
    (!spoken.text().trim_end_matches(['.', '?']).trim().is_empty() && spoken.text().split_whitespace().count() >= 2).then_some(spoken)
}

/// "Ask" (the person already dropped): "for X", "about X", "if X", "to X", "what X", "X".
fn ask(rest: &str) -> Option<Spoken> {
    let lower = rest.to_ascii_lowercase();
    if lower.is_empty()
        || ["a few questions", "some questions", "questions", "follow-up questions", "one question", "clarifying questions"]
            .iter()
            .any(|q| lower.starts_with(q))
    {
        return None;
    }
    if let Some(x) = strip_ci(rest, "for") {
        let about = voice(x, Voice::Agent);
        return Some(Spoken::Question(format!("Could you tell me {about}?"), Some(about)));
    }
    if let Some(x) = strip_ci(rest, "about") {
        let about = voice(x, Voice::Agent);
        return Some(Spoken::Question(format!("Could you tell me a bit about {about}?"), Some(about)));
    }
    if let Some(x) = strip_ci(rest, "to") {
        return Some(Spoken::Question(format!("Could you {}?", voice(x, Voice::Agent)), None));
    }
    learn(rest)
}

/// "Find out" / "determine" X: a yes/no question, a wh-question, or "Could you tell me X?".
fn learn(rest: &str) -> Option<Spoken> {
    if rest.is_empty() {
        return None;
    }
    for conj in ["if", "whether"] {
        if let Some(x) = strip_ci(rest, conj) {
            let clause = voice(x, Voice::Agent);
            let q = invert(&clause).unwrap_or_else(|| format!("May I ask {conj} {clause}?"));
            return Some(Spoken::Question(q, None));
        }
    }
    if WH.contains(&first_word(rest).as_str()) {
        return Some(Spoken::Question(format!("May I ask {}?", voice(rest, Voice::Agent)), None));
    }
    let about = voice(rest, Voice::Agent);
    Some(Spoken::Question(format!("Could you tell me {about}?"), Some(about)))
}

/// "you have a dog" → "Do you have a dog?"; "you are the owner" → "Are you the owner?".
fn invert(clause: &str) -> Option<String> {
    let mut w = clause.split_whitespace();
    let subject = w.next()?.to_ascii_lowercase();
    let rest: Vec<&str> = w.collect();
    let q = match subject.as_str() {
        "you're" => format!("Are you {}", rest.join(" ")),
        "you" => {
            let verb = rest.first()?.to_ascii_lowercase();
            let tail = rest[1..].join(" ");
            const AUX: &[&str] = &["are", "were", "can", "could", "will", "would", "should", "shall", "might", "must"];
            const PARTICIPLES: &[&str] =
                &["been", "had", "used", "ever", "already", "tried", "heard", "seen", "spoken", "received", "made", "gotten", "got", "considered"];
            if AUX.contains(&verb.as_str()) {
                format!("{} you {tail}", capitalize(&verb))
            } else if verb == "have" && rest.get(1).is_some_and(|n| PARTICIPLES.contains(&n.to_ascii_lowercase().as_str())) {
                format!("Have you {tail}")
            } else if verb.ends_with("ed") && !verb.ends_with("eed") || verb.ends_with("n't") || ["do", "did", "does"].contains(&verb.as_str()) {
                return None;
            } else {
                format!("Do you {}", rest.join(" "))
            }
        }
        _ => return None,
    };
    Some(finish(q.trim(), '?'))
}

/// "a demo with them" → "a demo".
fn drop_party_tail(s: &str) -> &str {
    let lower = s.to_ascii_lowercase();
    for tail in [" with them", " for them", " with the caller", " for the caller", " with the customer", " for the customer"] {
        if let Some(i) = lower.find(tail) {
            return s[..i].trim_end();
        }
    }
    s
}

/// "their time and end the call" → "their time".
fn drop_tail(s: &str) -> &str {
    let lower = s.to_ascii_lowercase();
    [" and ", " before ", ", then", " then "].iter().filter_map(|d| lower.find(d)).min().map_or(s, |i| s[..i].trim_end())
}

/// The action part of a conditional: "thank them for their time and end the call" → "Thank you
/// for your time." Clauses that are not spoken are dropped; a plain statement is kept as is.
fn spoken_actions(action: &str) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    for clause in split_actions(action) {
        let first = first_word(strip_lead_ins(&clause));
        if is_verb(&first) {
            if let Some(sp) = imperative(&clause) {
                parts.push(sp.text().to_string());
            }
        } else if clause.split_whitespace().count() >= 3 && !is_meta(&clause.to_ascii_lowercase()) {
            parts.push(finish(&capitalize(&voice(&clause, Voice::AgentVerbatim)), '.'));
        }
    }
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// Splits "thank them and end the call" at " and " / ", then" only where a known verb follows.
fn split_actions(action: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    let tokens: Vec<&str> = action.split_whitespace().collect();
    let mut i = 0;
    while i < tokens.len() {
        let t = tokens[i];
        let lower = t.to_ascii_lowercase();
        let is_joint = lower == "and" || lower == "then" || lower == "then,";
        let next_is_verb = tokens.get(i + 1).is_some_and(|n| {
            let n = n.trim_end_matches(',').to_ascii_lowercase();
            is_verb(&n) || n == "then"
        });
        if is_joint && next_is_verb && !current.is_empty() {
            out.push(std::mem::take(&mut current).trim_end_matches(',').to_string());
        } else {
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(t);
        }
        i += 1;
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

// ---- voice -------------------------------------------------------------------------------------

/// Whose mouth an instruction's words go into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Voice {
    /// An instruction to the agent, said by the agent: "their budget" → "your budget", and the
    /// prompt's "you" is the agent: "your products" → "our products".
    Agent,
    /// Text already written to be said (a fact, a question): only the caller's third person
    /// changes ("they" → "you"); "you" already means the caller.
    AgentVerbatim,
    /// "their order" → "my order"; "your prices" stays.
    Caller,
}

/// What the verb after a replaced subject must agree with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Agree {
    /// Was third person singular ("the caller has"), now "you" ("you have").
    YouFromSingular,
    /// Now "I": "the caller is" / "they are" / "you are" → "I am".
    IFromSingular,
    IFromPlural,
}

/// Rewrites the people in `s` for the speaker `v`.
pub fn voice(s: &str, v: Voice) -> String {
    let toks: Vec<&str> = s.split_whitespace().collect();
    let mut out: Vec<String> = Vec::with_capacity(toks.len());
    let mut agree: Option<Agree> = None;
    let mut i = 0;
    while i < toks.len() {
        let (pre, core, post) = split_punct(toks[i]);
        let lc = core.to_ascii_lowercase();
        let prev = out.last().map(|p| p.trim_matches(|c: char| !c.is_alphanumeric()).to_ascii_lowercase());
        let subject_position = prev
            .as_deref()
            .is_none_or(|p| ["if", "whether", "that", "and", "but", "when", "because", "so", "once", "until", "unless", "while"].contains(&p));
        let mut post = post.to_string();
        let mut consumed = 1;
        let mut word: Option<String> = None;
        let mut next_agree: Option<Agree> = None;
        // "the caller('s)", "his or her", "he or she", "him or her", "his/her".
        let mut party: Option<bool> = None; // Some(possessive)
        if lc == "the" {
            if let Some(t2) = toks.get(i + 1) {
                let (_, c2, p2) = split_punct(t2);
                let l2 = c2.to_ascii_lowercase();
                let (base, poss) = match l2.strip_suffix("'s").or_else(|| l2.strip_suffix("’s")) {
                    Some(b) => (b.to_string(), true),
                    None => (l2.clone(), false),
                };
                if PARTIES.contains(&base.as_str()) {
                    party = Some(poss);
                    post = p2.to_string();
                    consumed = 2;
                }
            }
        } else if ["his", "he", "him"].contains(&lc.as_str()) && toks.get(i + 1).is_some_and(|t| t.eq_ignore_ascii_case("or")) {
            if let Some(t3) = toks.get(i + 2) {
                let (_, c3, p3) = split_punct(t3);
                if ["her", "she"].contains(&c3.to_ascii_lowercase().as_str()) {
                    party = Some(lc == "his");
                    post = p3.to_string();
                    consumed = 3;
                }
            }
        } else if ["his/her", "he/she", "him/her", "s/he"].contains(&lc.as_str()) {
            party = Some(lc == "his/her");
        }
        if let Some(poss) = party {
            word = Some(
                match (v, poss) {
                    (Voice::Agent | Voice::AgentVerbatim, true) => "your",
                    (Voice::Agent | Voice::AgentVerbatim, false) => "you",
                    (Voice::Caller, true) => "my",
                    (Voice::Caller, false) if subject_position => "I",
                    (Voice::Caller, false) => "me",
                }
                .to_string(),
            );
            if !poss && subject_position {
                next_agree = Some(if v == Voice::Caller { Agree::IFromSingular } else { Agree::YouFromSingular });
            }
        }
        if word.is_none() {
            let mapped = match (v, lc.as_str()) {
                (Voice::Agent | Voice::AgentVerbatim, "they" | "them") => Some("you"),
                (Voice::Agent | Voice::AgentVerbatim, "their") => Some("your"),
                (Voice::Agent | Voice::AgentVerbatim, "theirs") => Some("yours"),
                (Voice::Agent | Voice::AgentVerbatim, "themselves" | "themself") => Some("yourself"),
                (Voice::Agent | Voice::AgentVerbatim, "they're") => Some("you're"),
                (Voice::Agent | Voice::AgentVerbatim, "they've") => Some("you've"),
                (Voice::Agent | Voice::AgentVerbatim, "they'll") => Some("you'll"),
                (Voice::Agent | Voice::AgentVerbatim, "they'd") => Some("you'd"),
                (Voice::Agent, "you") if subject_position => {
                    next_agree = Some(Agree::IFromPlural);
                    Some("I")
                }
                (Voice::Agent, "you") => Some("me"),
                (Voice::Agent, "your") => Some("our"),
                (Voice::Agent, "yours") => Some("ours"),
                (Voice::Agent, "yourself") => Some("myself"),
                (Voice::Agent, "you're") => Some("I'm"),
                (Voice::Agent, "you've") => Some("I've"),
                (Voice::Agent, "you'll") => Some("I'll"),
                (Voice::Agent, "you'd") => Some("I'd"),
                (Voice::Caller, "they") => {
                    next_agree = Some(Agree::IFromPlural);
                    Some("I")
                }
                (Voice::Caller, "them") => Some("me"),
                (Voice::Caller, "their") => Some("my"),
                (Voice::Caller, "theirs") => Some("mine"),
                (Voice::Caller, "themselves" | "themself") => Some("myself"),
                (Voice::Caller, "they're") => Some("I'm"),
                (Voice::Caller, "they've") => Some("I've"),
                (Voice::Caller, "they'll") => Some("I'll"),
                (Voice::Caller, "they'd") => Some("I'd"),
                _ => None,
            };
            word = mapped.map(str::to_string);
        }
        let word = match (word, agree) {
            (Some(w), _) => {
                agree = next_agree;
                w
            }
            (None, Some(a)) => {
                const ADVERBS: &[&str] = &[
                    "already",
                    "still",
                    "also",
                    "really",
                    "just",
                    "never",
                    "always",
                    "currently",
                    "usually",
                    "often",
                    "actually",
                    "only",
                    "probably",
                    "even",
                    "ever",
                    "not",
                ];
                if ADVERBS.contains(&lc.as_str()) {
                    core.to_string()
                } else {
                    agree = None;
                    conjugate(core, &lc, a)
                }
            }
            (None, None) => core.to_string(),
        };
        // Keep a capital at the start of the text.
        let word = if i == 0 && core.chars().next().is_some_and(char::is_uppercase) { capitalize(&word) } else { word };
        out.push(format!("{pre}{word}{post}"));
        i += consumed;
    }
    out.join(" ")
}

/// The verb after a replaced subject, made to agree (only when it clearly needs to).
fn conjugate(core: &str, lc: &str, a: Agree) -> String {
    let fixed = match (a, lc) {
        (Agree::YouFromSingular, "is") => "are",
        (Agree::YouFromSingular, "was") => "were",
        (Agree::YouFromSingular, "isn't") => "aren't",
        (Agree::YouFromSingular, "wasn't") => "weren't",
        (Agree::IFromSingular, "is") | (Agree::IFromPlural, "are") => "am",
        (Agree::IFromPlural, "were") => "was",
        (Agree::IFromSingular, "isn't") | (Agree::IFromPlural, "aren't") => "am not",
        (Agree::IFromPlural, "weren't") => "wasn't",
        (Agree::YouFromSingular | Agree::IFromSingular, "has") => "have",
        (Agree::YouFromSingular | Agree::IFromSingular, "does") => "do",
        (Agree::YouFromSingular | Agree::IFromSingular, "doesn't") => "don't",
        (Agree::YouFromSingular | Agree::IFromSingular, "hasn't") => "haven't",
        (Agree::YouFromSingular | Agree::IFromSingular, _) => return singular_to_base(core),
        _ => return core.to_string(),
    };
    fixed.to_string()
}

/// "needs" → "need", "qualifies" → "qualify", "wishes" → "wish"; anything else unchanged.
fn singular_to_base(w: &str) -> String {
    let lc = w.to_ascii_lowercase();
    if lc.len() <= 3 || !lc.chars().all(|c| c.is_ascii_alphabetic()) {
        return w.to_string();
    }
    if let Some(stem) = lc.strip_suffix("ies") {
        return format!("{stem}y");
    }
    for es in ["sses", "shes", "ches", "xes", "zes", "oes"] {
        if lc.ends_with(es) {
            return lc[..lc.len() - 2].to_string();
        }
    }
    if lc.ends_with('s') && !lc.ends_with("ss") && !lc.ends_with("us") && !lc.ends_with("is") {
        return lc[..lc.len() - 1].to_string();
    }
    w.to_string()
}

/// Splits leading and trailing punctuation off a token: `"(their,"` → `("(", "their", ",")`.
fn split_punct(tok: &str) -> (&str, &str, &str) {
    let start = tok.find(|c: char| c.is_alphanumeric()).unwrap_or(tok.len());
    let end = tok.rfind(|c: char| c.is_alphanumeric()).map_or(start, |i| i + tok[i..].chars().next().map_or(1, char::len_utf8));
    let end = end.max(start);
    (&tok[..start], &tok[start..end], &tok[end..])
}

// ---- small text helpers ----------------------------------------------------------------------

pub fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Lowercases the first letter, unless the first word looks like a name or "I".
pub fn decapitalize(s: &str) -> String {
    let first = s.split_whitespace().next().unwrap_or("");
    let keep = first == "I" || first.starts_with("I'") || first.chars().skip(1).any(char::is_uppercase);
    if keep {
        return s.to_string();
    }
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Trims trailing punctuation and ends the text with `end`.
pub fn finish(s: &str, end: char) -> String {
    let t = s.trim().trim_end_matches(['.', '!', '?', ',', ';', ':']).trim_end();
    if t.is_empty() {
        return String::new();
    }
    format!("{}{end}", capitalize(t))
}

/// "your budget" → "my budget": an agent's phrase as the caller says it.
pub fn mine(s: &str) -> String {
    s.split_whitespace()
        .map(|t| {
            let (pre, core, post) = split_punct(t);
            let w = match core.to_ascii_lowercase().as_str() {
                "your" => "my".to_string(),
                "yours" => "mine".to_string(),
                "you" => "me".to_string(),
                "you're" => "I'm".to_string(),
                "yourself" => "myself".to_string(),
                "our" => "your".to_string(),
                _ => core.to_string(),
            };
            format!("{pre}{w}{post}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A phrase without its leading determiner: "my current provider" → "current provider".
pub fn bare(s: &str) -> String {
    let t = s.trim();
    ["my", "your", "our", "their", "the", "a", "an", "any", "some"]
        .iter()
        .find_map(|d| strip_ci(t, d).filter(|r| !r.is_empty()))
        .unwrap_or(t)
        .to_string()
}

const STOPWORDS: &[&str] = &[
    "about",
    "above",
    "after",
    "again",
    "against",
    "always",
    "another",
    "answer",
    "anything",
    "around",
    "assistant",
    "because",
    "before",
    "being",
    "below",
    "between",
    "brief",
    "briefly",
    "call",
    "caller",
    "callers",
    "calling",
    "calls",
    "could",
    "customer",
    "customers",
    "during",
    "each",
    "every",
    "everything",
    "first",
    "friendly",
    "from",
    "further",
    "goal",
    "great",
    "have",
    "having",
    "helpful",
    "their",
    "there",
    "these",
    "they",
    "thing",
    "things",
    "this",
    "those",
    "through",
    "under",
    "until",
    "very",
    "want",
    "what",
    "when",
    "where",
    "which",
    "while",
    "with",
    "within",
    "would",
    "your",
    "yours",
    "polite",
    "politely",
    "professional",
    "concise",
    "short",
    "clear",
    "should",
    "must",
    "never",
    "make",
    "sure",
    "ensure",
    "question",
    "questions",
    "conversation",
    "respond",
    "response",
    "responses",
    "person",
    "people",
    "speak",
    "speaking",
    "sound",
    "natural",
    "tone",
    "warm",
    "keep",
    "stay",
    "only",
    "other",
    "others",
    "over",
    "same",
    "some",
    "such",
    "than",
    "that",
    "them",
    "then",
    "will",
    "just",
    "like",
    "also",
    "more",
    "most",
    "much",
    "need",
    "needs",
    "name",
    "phone",
    "number",
    "user",
    "users",
    "client",
    "clients",
    "agent",
    "prompt",
    "tell",
    "tells",
    "confirm",
    "mention",
    "offer",
    "explain",
    "interested",
    "information",
    "details",
    "help",
    "helps",
    "available",
    "asking",
    "thank",
    "thanks",
    "end",
    "ending",
    "goodbye",
    "hello",
    "today",
    "please",
    "able",
    "know",
    "let",
    "using",
    "does",
    "doesn't",
    "don't",
    "into",
    "onto",
    "upon",
    "whether",
    "who",
    "whom",
    "whose",
    "why",
    "how",
    "were",
    "been",
    "here",
    "said",
    "says",
    "both",
    "either",
    "neither",
    "many",
    "several",
    "including",
    "include",
    "includes",
    "provide",
    "provides",
    "given",
    "give",
    "gives",
    "time",
    "times",
    "schedule",
    "booking",
    "book",
];

/// Topics: what questions ask about and callers may ask about, then frequent content words.
fn collect_topics(prompt: &str, m: &mut Material) {
    let mut topics: Vec<String> = Vec::new();
    let add = |t: String, topics: &mut Vec<String>| {
        let t = t.trim().trim_end_matches(['.', ',', '?']).to_string();
        if !t.is_empty() && t.split_whitespace().count() <= 4 && !topics.iter().any(|x| x.eq_ignore_ascii_case(&t)) {
            topics.push(t);
        }
    };
    for f in &m.faqs {
        if !WH.contains(&first_word(&f.topic).as_str()) {
            add(bare(&f.topic), &mut topics);
        }
    }
    for q in &m.questions {
        if let Some(a) = &q.about {
            add(bare(a), &mut topics);
        }
    }
    // Content words: the head of a short noun phrase ("the restaurant.", "a confirmation by"), a
    // rough stand-in for a noun without a tagger.
    const DETERMINERS: &[&str] = &["the", "our", "your", "their", "a", "an", "any", "free"];
    const AFTER_HEAD: &[&str] =
        &["of", "for", "by", "with", "to", "in", "on", "at", "behind", "and", "or", "is", "are", "was", "will", "can", "from", "that", "which", "before", "after"];
    let mut counts: Vec<(String, usize, usize)> = Vec::new(); // word, count, first position
    for (pos, sentence) in prompt.split(['.', '!', '?', '\n', ',', ';', ':']).enumerate() {
        let words: Vec<String> = sentence.split_whitespace().map(|w| w.to_ascii_lowercase()).collect();
        for i in 1..words.len() {
            let lw = &words[i];
            let head = words.get(i + 1).is_none_or(|n| AFTER_HEAD.contains(&n.as_str()));
            if !DETERMINERS.contains(&words[i - 1].as_str())
                || !head
                || lw.len() < 5
                || !lw.chars().all(|c| c.is_ascii_alphabetic() || c == '-')
                || STOPWORDS.contains(&lw.as_str())
                || is_verb(lw)
                || is_meta(lw)
            {
                continue;
            }
            match counts.iter_mut().find(|(x, _, _)| x == lw) {
                Some(e) => e.1 += 1,
                None => counts.push((lw.clone(), 1, pos * 100 + i)),
            }
        }
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(&b.2)));
    for (w, _, _) in counts {
        if topics.len() >= MAX_TOPICS {
            break;
        }
        if Some(w.as_str()) != m.name.as_deref().map(str::to_ascii_lowercase).as_deref() && !m.company.as_deref().is_some_and(|c| c.to_ascii_lowercase().contains(&w)) {
            add(w, &mut topics);
        }
    }
    topics.truncate(MAX_TOPICS);
    m.topics = topics;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spoken(s: &str) -> String {
        imperative(s).map(|s| s.text().to_string()).unwrap_or_default()
    }

    #[test]
    fn instructions_become_spoken_lines() {
        assert_eq!(spoken("Ask for their budget."), "Could you tell me your budget?");
        assert_eq!(spoken("Ask the caller about their current provider"), "Could you tell me a bit about your current provider?");
        assert_eq!(spoken("Ask if they have a pet."), "Do you have a pet?");
        assert_eq!(spoken("Ask whether the caller is the homeowner."), "Are you the homeowner?");
        assert_eq!(spoken("Find out if the customer needs a ride."), "Do you need a ride?");
        assert_eq!(spoken("Ask how many people are on their team."), "May I ask how many people are on your team?");
        assert_eq!(spoken("Ask them to confirm their email address"), "Could you confirm your email address?");
        assert_eq!(spoken("Collect their phone number."), "Could I get your phone number?");
        assert_eq!(spoken("Offer to schedule a demo."), "Would you like me to schedule a demo?");
        assert_eq!(spoken("Tell them that we offer free delivery."), "We offer free delivery.");
        assert_eq!(spoken("Always confirm the spelling of their name."), "Could you confirm the spelling of your name for me?");
        assert_eq!(spoken("Start by asking for their name"), "Could you tell me your name?");
        assert_eq!(spoken("Thank them for their time and end the call."), "Thank you for your time.");
        assert_eq!(spoken("Mention our summer discount."), "I should also mention our summer discount.");
        assert_eq!(spoken("Book an appointment with them."), "Would you like to book an appointment?");
        for meta in ["Be concise and friendly.", "Never discuss pricing.", "Keep answers short.", "Use a warm tone.", "Transfer the call to a human if needed."] {
            assert_eq!(imperative(meta), None, "{meta}");
        }
    }

    #[test]
    fn the_prompt_is_read_into_material() {
        let m = read(
            "You are Sam, a friendly booking assistant at Bella's Bistro. Your job is to book tables for groups.\n\
             ## Steps\n- Ask for the number of guests.\n- Ask for their preferred date and time.\n\
             We are open Tuesday to Sunday from 5pm to 11pm.\n\
             If they ask about parking, tell them there is free parking behind the restaurant.\n\
             If they are not interested, thank them for their time and end the call.\n\
             Be polite and concise. Never discuss pricing.",
        );
        assert_eq!(m.name.as_deref(), Some("Sam"));
        assert_eq!(m.company.as_deref(), Some("Bella's Bistro"));
        assert_eq!(m.purpose.as_deref(), Some("I'm calling to book tables for groups."));
        let qs: Vec<(&str, Slot)> = m.questions.iter().map(|q| (q.text.as_str(), q.slot)).collect();
        assert_eq!(qs, [("Could you tell me the number of guests?", Slot::Count), ("Could you tell me your preferred date and time?", Slot::When)]);
        assert_eq!(m.facts, ["We are open Tuesday to Sunday from 5pm to 11pm."]);
        assert_eq!(m.faqs, [Faq { topic: "parking".into(), answer: "There is free parking behind the restaurant.".into() }]);
        assert_eq!(m.reaction(Persona::NotInterested), Some("Thank you for your time."));
        assert_eq!(m.topics.first().map(String::as_str), Some("parking"));
    }

    #[test]
    fn voices() {
        assert_eq!(voice("the caller has a dog", Voice::Agent), "you have a dog");
        assert_eq!(voice("the caller's order status", Voice::Caller), "my order status");
        assert_eq!(voice("their order and your prices", Voice::Caller), "my order and your prices");
        assert_eq!(voice("you will send them a brochure", Voice::Agent), "I will send you a brochure");
        assert_eq!(voice("the customer already qualifies", Voice::Agent), "you already qualify");
        assert_eq!(mine("your current provider"), "my current provider");
        assert_eq!(bare("my current provider"), "current provider");
    }

    #[test]
    fn quoted_lines_and_written_questions_are_kept() {
        let m = read("Say: \"Would you like to hear about our loyalty program?\"\nHow many employees do they have?");
        let qs: Vec<&str> = m.questions.iter().map(|q| q.text.as_str()).collect();
        assert_eq!(qs, ["Would you like to hear about our loyalty program?", "How many employees do you have?"]);
        assert_eq!(m.questions[1].slot, Slot::Count);
    }
}
