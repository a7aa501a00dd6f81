//! The built-in analyzer: deterministic rules over the words of the transcript, used when no model
//! is configured. Same input, same result.
//!
//! How the transcript is read: consecutive segments of one speaker form a turn; turns are split
//! into sentences, sentences into lowercase words (contractions expanded, so "don't" is "do not")
//! with the clause each word is in (commas, semicolons and "but" start a new clause). Terms are
//! compared through a crude stem (plural s, -ing, -ed and a final e dropped) and a few synonym
//! groups ("car" / "vehicle", "employee" / "staff", ...). The key terms of a question or of the
//! success criteria are its words minus stop words.
//!
//! Rules, in short:
//! - Negation: a negator ("no", "not", "never", "n't", ...) up to four words before a term, in
//!   the same clause, negates it ("I don't have a car", but not "No, I have a car").
//! - A reply: the caller's turn right after an agent turn, answering that turn's last question
//!   (or last sentence): "Great, you're booked. Do you have insurance?" / "Yes" is about the
//!   insurance. Its polarity comes from its first two sentences (a question is no answer): "not sure" / "maybe" are no answer; refusal phrases ("not interested", "of course
//!   not") say no; agreement phrases ("sounds good", "no problem", "book it") and a leading
//!   "yes" / "sure" say yes; a leading "no" or any negator says no; "I do" / "I have" say yes.
//! - Sentiment: the caller's words only, against a small lexicon with phrases; a negated positive
//!   word counts negative ("not happy"), a negated negative word slightly positive ("not bad",
//!   "no problem"). No caller words, or voicemail: unknown.
//! - Success: the last piece of evidence wins (the call's outcome is how it ended): an agent
//!   confirmation mentioning the criteria ("you're booked for Tuesday"), the caller's reply to an
//!   agent turn about the criteria, the caller's own sentence about them, and refusals anywhere
//!   ("not interested", "don't call me"). No evidence: not successful.
//! - Boolean: explicit evidence (a negated mention, a mention with "yes", a reply to the agent
//!   asking about the terms) beats a plain mention; among explicit ones the caller's last word
//!   wins, so a correction counts.
//! - Number: numbers in digits or words near the key terms, or in the caller's reply to an agent
//!   turn about them; the caller's numbers first, then the closest to a term, then the latest.
//! - Selector: the options the caller named, whole words with plural tolerance, skipping negated
//!   mentions ("not the basic one"); "yes" to an agent turn naming exactly one option names it.
//!   Several options: the last one wins only when a choice or correction marker ("actually",
//!   "instead", "make it", "go with", "but", ...) comes before it in its sentence (after the
//!   other option when both are in one sentence, so "basic or premium" is no choice); otherwise
//!   no answer, with the options in the reason.
//! - Text: the caller's sentence sharing the most key terms (then the longer, then the earlier),
//!   or the caller's reply to the agent turn about them.

use super::Input;
use crate::model::{AnalysisResult, AnsweredBy, CustomQuestion, QuestionAnswer, QuestionKind, Sentiment, Speaker, TranscriptSegment};
use serde_json::Value;
use std::collections::HashMap;

/// Analyses a finished call; see the module documentation for the rules.
pub fn analyze(input: &Input) -> AnalysisResult {
    let turns = turns(input.transcript);
    let voicemail = detect_voicemail(&turns, input.answered_by);
    // A machine's greeting has no sentiment.
    let user_sentiment = if voicemail.is_some() { Sentiment::Unknown } else { sentiment(&turns) };
    let (call_successful, success_reason) = success(&turns, &input.config.success_criteria, voicemail.is_some());
    let answers: Vec<QuestionAnswer> = input.config.questions.iter().chain(input.extra_questions).map(|q| answer(&turns, q)).collect();
    let summary = input.config.summary.then(|| summarize(&turns, voicemail.as_deref(), &answers));
    AnalysisResult { summary, user_sentiment, call_successful, success_reason, voicemail_detected: voicemail.is_some(), answers }
}

// ---------------------------------------------------------------------------------------------
// Reading the transcript

struct Sentence {
    /// The sentence as said, trimmed.
    text: String,
    words: Vec<String>,
    stems: Vec<String>,
    /// The clause of each word.
    clause: Vec<u16>,
    /// Whether each word was capitalised inside the sentence (names, brands).
    proper: Vec<bool>,
    question: bool,
}

impl Sentence {
    fn new(text: &str) -> Option<Sentence> {
        let text = text.trim();
        let (words, clause, mut proper) = tokenize(text);
        if words.is_empty() {
            return None;
        }
        proper[0] = false;
        let stems = words.iter().map(|w| stem(w)).collect();
        Some(Sentence { text: text.to_string(), words, stems, clause, proper, question: text.ends_with('?') })
    }
}

struct Turn {
    role: Speaker,
    sentences: Vec<Sentence>,
}

/// Where a sentence is: turn, then sentence within the turn.
type Pos = (usize, usize);

fn turns(transcript: &[TranscriptSegment]) -> Vec<Turn> {
    let mut out: Vec<Turn> = Vec::new();
    for seg in transcript {
        let sentences: Vec<Sentence> = split_sentences(&seg.text).iter().filter_map(|s| Sentence::new(s)).collect();
        if sentences.is_empty() {
            continue;
        }
        match out.last_mut() {
            Some(t) if t.role == seg.role => t.sentences.extend(sentences),
            _ => out.push(Turn { role: seg.role, sentences }),
        }
    }
    out
}

/// The caller's turn right after an agent turn: (the agent turn, the reply).
fn replies(turns: &[Turn]) -> impl Iterator<Item = (usize, usize)> + '_ {
    (1..turns.len()).filter(move |&t| turns[t].role == Speaker::User && turns[t - 1].role == Speaker::Agent).map(|t| (t - 1, t))
}

fn split_sentences(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        cur.push(c);
        let boundary = matches!(c, '.' | '?' | '!' | '\n') && chars.get(i + 1).is_none_or(|n| n.is_whitespace() || matches!(*n, '"' | '\''));
        if boundary && !cur.trim().is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur);
    }
    out
}

const CONTRACTIONS: &[(&str, &str)] = &[
    ("can't", "can not"),
    ("cannot", "can not"),
    ("won't", "will not"),
    ("shan't", "shall not"),
    ("ain't", "is not"),
    ("dont", "do not"),
    ("doesnt", "does not"),
    ("didnt", "did not"),
    ("isnt", "is not"),
    ("arent", "are not"),
    ("wasnt", "was not"),
    ("werent", "were not"),
    ("havent", "have not"),
    ("hasnt", "has not"),
    ("wouldnt", "would not"),
    ("couldnt", "could not"),
    ("shouldnt", "should not"),
    ("cant", "can not"),
    ("im", "i am"),
    ("let's", "let us"),
    ("it's", "it is"),
    ("that's", "that is"),
    ("what's", "what is"),
    ("there's", "there is"),
    ("here's", "here is"),
    ("he's", "he is"),
    ("she's", "she is"),
    ("who's", "who is"),
];

struct Tokens {
    words: Vec<String>,
    clauses: Vec<u16>,
    caps: Vec<bool>,
}

fn push_word(out: &mut Tokens, w: &str, clause: u16, cap: bool) {
    let mut push = |s: &str| {
        out.words.push(s.to_string());
        out.clauses.push(clause);
        out.caps.push(cap);
    };
    if let Some((_, full)) = CONTRACTIONS.iter().find(|(c, _)| *c == w) {
        full.split(' ').for_each(push);
    } else if let Some(base) = w.strip_suffix("n't") {
        push(base);
        push("not");
    } else if let Some((base, full)) = [("'m", "am"), ("'re", "are"), ("'ve", "have"), ("'ll", "will"), ("'d", "would"), ("'s", "")]
        .iter()
        .find_map(|(suf, full)| w.strip_suffix(suf).map(|b| (b, *full)))
    {
        push(base);
        if !full.is_empty() {
            push(full);
        }
    } else {
        push(w);
    }
}

/// Lowercase words (digits keep their `.`, `,` and `:`: "3.5", "1,200", "3:30"), the clause
/// each word is in and whether it was capitalised.
fn tokenize(s: &str) -> (Vec<String>, Vec<u16>, Vec<bool>) {
    let chars: Vec<char> = s.chars().map(|c| if matches!(c, '\u{2019}' | '\u{2018}' | '`') { '\'' } else { c }).collect();
    let mut out = Tokens { words: Vec::new(), clauses: Vec::new(), caps: Vec::new() };
    let mut cur = String::new();
    let mut cap = false;
    let mut clause = 0u16;
    for (i, &c) in chars.iter().enumerate() {
        let next = chars.get(i + 1).copied();
        let in_number = cur.starts_with(|f: char| f.is_ascii_digit()) && cur.ends_with(|l: char| l.is_ascii_digit());
        let keep = c.is_alphanumeric()
            || (c == '\'' && !cur.is_empty() && next.is_some_and(char::is_alphabetic))
            || (matches!(c, '.' | ',' | ':') && in_number && next.is_some_and(|n| n.is_ascii_digit()));
        if keep {
            if cur.is_empty() {
                cap = c.is_uppercase();
            }
            cur.extend(c.to_lowercase());
            continue;
        }
        if !cur.is_empty() {
            if cur == "but" {
                clause += 1;
            }
            push_word(&mut out, &std::mem::take(&mut cur), clause, cap);
        }
        if matches!(c, ',' | ';' | ':' | '(' | ')' | '\u{2014}' | '\u{2013}') || (c == '-' && next == Some(' ')) {
            clause += 1;
        }
    }
    if !cur.is_empty() {
        push_word(&mut out, &cur, clause, cap);
    }
    (out.words, out.clauses, out.caps)
}

fn words(s: &str) -> Vec<String> {
    tokenize(s).0
}

/// A crude stem: lowercase, a plural s, -ing or -ed, then a final e dropped ("booking", "booked",
/// "books" and "book"; "schedule" and "scheduled" meet the same way).
fn stem(w: &str) -> String {
    let mut s = w.to_lowercase();
    let mut suffixed = false;
    for suf in ["ing", "ed"] {
        if s.len() > suf.len() + 2 && s.ends_with(suf) {
            s.truncate(s.len() - suf.len());
            suffixed = true;
            break;
        }
    }
    if !suffixed && s.len() > 3 && s.ends_with('s') && !s.ends_with("ss") {
        s.pop();
    }
    if suffixed {
        // "planned" -> "plan", but "called" stays "call".
        let b = s.as_bytes();
        if b.len() > 2 && b[b.len() - 1] == b[b.len() - 2] && !matches!(b[b.len() - 1], b'l' | b's' | b'z') {
            s.pop();
        }
    }
    if s.len() > 3 && s.ends_with('e') {
        s.pop();
    }
    s
}

/// Plural tolerance for Selector options: "plans" is "plan", "companies" is "company".
fn singular(w: &str) -> String {
    if let Some(b) = w.strip_suffix("ies").filter(|b| b.len() > 1) {
        format!("{b}y")
    } else if w.len() > 3 && w.ends_with('s') && !w.ends_with("ss") {
        w[..w.len() - 1].to_string()
    } else {
        w.to_string()
    }
}

const STOP: &[&str] = &[
    "a",
    "an",
    "the",
    "and",
    "or",
    "but",
    "if",
    "so",
    "of",
    "to",
    "in",
    "on",
    "at",
    "by",
    "for",
    "with",
    "about",
    "from",
    "into",
    "over",
    "under",
    "as",
    "is",
    "am",
    "are",
    "was",
    "were",
    "be",
    "been",
    "being",
    "do",
    "does",
    "did",
    "done",
    "doing",
    "have",
    "has",
    "had",
    "having",
    "will",
    "would",
    "shall",
    "should",
    "can",
    "could",
    "may",
    "might",
    "must",
    "i",
    "me",
    "my",
    "mine",
    "we",
    "us",
    "our",
    "ours",
    "you",
    "your",
    "yours",
    "he",
    "him",
    "his",
    "she",
    "her",
    "hers",
    "it",
    "its",
    "they",
    "them",
    "their",
    "this",
    "that",
    "these",
    "those",
    "there",
    "here",
    "what",
    "which",
    "who",
    "whom",
    "whose",
    "when",
    "where",
    "why",
    "how",
    "whether",
    "not",
    "no",
    "yes",
    "any",
    "some",
    "all",
    "each",
    "every",
    "than",
    "then",
    "too",
    "very",
    "just",
    "also",
    "only",
    "really",
    "caller",
    "customer",
    "user",
    "client",
    "agent",
    "person",
    "someone",
    "mention",
    "say",
    "said",
    "tell",
    "told",
    "ask",
    "asked",
    "question",
    "answer",
    "get",
    "got",
    "go",
    "going",
    "know",
    "think",
    "thing",
    "well",
    "oh",
    "um",
    "uh",
    "hmm",
    "like",
    "okay",
    "ok",
    "yeah",
    "yep",
    "sure",
    "please",
    "thanks",
    "thank",
    "hello",
    "hi",
    "hey",
    "bye",
    "goodbye",
    "right",
    "many",
    "much",
    "number",
    "amount",
    "kind",
    "type",
    "sort",
    "other",
    "else",
    "anything",
    "something",
    "nothing",
    "let",
    "make",
    "during",
    "conversation",
    "whatever",
    "maybe",
    "now",
    "again",
    "ever",
    "one",
    "any",
    "more",
    "most",
    "way",
    "actually",
    "great",
    "good",
];

const SYNONYMS: &[&[&str]] = &[
    &["appointment", "book", "booking", "schedule", "slot", "reservation", "reserve", "visit"],
    &["car", "vehicle", "auto", "automobile"],
    &["employee", "staff", "worker", "headcount", "team"],
    &["price", "cost", "pay", "budget", "quote", "fee", "charge", "spend", "dollar"],
    &["email", "mail", "inbox"],
    &["home", "house", "property"],
    &["kid", "child", "children"],
    &["callback", "back"],
    &["interest", "interested", "want", "need", "looking", "like"],
];

/// The key terms of a question or of success criteria, each with its synonyms (stems).
fn key_terms(text: &str) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = Vec::new();
    for w in words(text) {
        if w.len() < 2 || STOP.contains(&w.as_str()) || number_word(&w).is_some() {
            continue;
        }
        let s = stem(&w);
        if out.iter().any(|g| g[0] == s) {
            continue;
        }
        let mut group = vec![s.clone()];
        for syn in SYNONYMS.iter().filter(|g| g.iter().any(|x| stem(x) == s)) {
            group.extend(syn.iter().map(|x| stem(x)).filter(|x| *x != s));
        }
        out.push(group);
    }
    out
}

/// For each key term found in the sentence, (term, word index) of its first occurrence.
fn term_hits(s: &Sentence, terms: &[Vec<String>]) -> Vec<(usize, usize)> {
    terms.iter().enumerate().filter_map(|(ti, g)| s.stems.iter().position(|st| g.contains(st)).map(|wi| (ti, wi))).collect()
}

/// How many key terms a sentence or turn needs to be about them: one of up to three, then more.
fn needed(terms: &[Vec<String>]) -> usize {
    terms.len().div_ceil(3).max(1)
}

fn about(s: &Sentence, terms: &[Vec<String>]) -> bool {
    !terms.is_empty() && term_hits(s, terms).len() >= needed(terms)
}

/// What an agent turn asks, the part a reply answers: its last question, or its last sentence.
fn asked(t: &Turn) -> &Sentence {
    t.sentences.iter().rev().find(|s| s.question).or(t.sentences.last()).expect("a turn has a sentence")
}

/// Where the phrase's words occur in a row.
fn find_phrase(words: &[String], phrase: &str) -> Option<usize> {
    let p = self::words(phrase);
    if p.is_empty() || p.len() > words.len() {
        return None;
    }
    (0..=words.len() - p.len()).find(|&i| words[i..i + p.len()] == p[..])
}

fn first_phrase<'p>(words: &[String], phrases: &[&'p str]) -> Option<&'p str> {
    phrases.iter().find(|p| find_phrase(words, p).is_some()).copied()
}

const NEGATORS: &[&str] = &["no", "not", "never", "none", "nobody", "nothing", "neither", "nor", "without"];

/// Whether the word at `i` is negated: a negator up to four words before it in its clause.
fn negated(s: &Sentence, i: usize) -> bool {
    (i.saturating_sub(4)..i).any(|j| s.clause[j] == s.clause[i] && NEGATORS.contains(&s.words[j].as_str()))
}

/// A short quote of what was said: the first words, in quotes.
fn quote(text: &str) -> String {
    const MAX_WORDS: usize = 14;
    let text = text.trim().trim_end_matches('.');
    let ws: Vec<&str> = text.split_whitespace().collect();
    if ws.len() > MAX_WORDS {
        format!("\"{}…\"", ws[..MAX_WORDS].join(" ").trim_end_matches([',', ';', ':']))
    } else {
        format!("\"{}\"", ws.join(" "))
    }
}

/// "a", "a and b", "a, b and c".
fn join_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {}", init.join(", "), last),
    }
}

fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

fn num_value(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        Value::from(v as i64)
    } else {
        Value::from(v)
    }
}

// ---------------------------------------------------------------------------------------------
// Polarity

const UNSURE: &[&str] = &["not sure", "do not know", "no idea", "maybe", "perhaps", "not certain", "i guess", "let me think", "depends", "unsure", "might"];
const NO_PHRASES: &[&str] = &[
    "of course not",
    "not really",
    "not interested",
    "no thanks",
    "no thank you",
    "would rather not",
    "not at all",
    "absolutely not",
    "definitely not",
    "no way",
    "not right now",
    "not now",
    "not today",
    "do not think so",
];
const YES_PHRASES: &[&str] = &[
    "no problem",
    "not a problem",
    "why not",
    "of course",
    "sounds good",
    "sounds great",
    "sounds perfect",
    "that works",
    "works for me",
    "go ahead",
    "book it",
    "let us do it",
    "sign me up",
    "please do",
    "yes please",
    "would love",
    "would like that",
    "that would be great",
    "that is right",
    "that is correct",
    "for sure",
];
const YES_WORDS: &[&str] = &[
    "yes",
    "yeah",
    "yep",
    "yup",
    "yea",
    "sure",
    "absolutely",
    "definitely",
    "certainly",
    "correct",
    "right",
    "ok",
    "okay",
    "alright",
    "perfect",
    "exactly",
    "indeed",
    "mhm",
];
const NO_WORDS: &[&str] = &["no", "nope", "nah", "never"];
const YES_STARTS: &[&str] = &["i do", "i have", "i am", "i did", "i will", "we do", "we have", "we are", "we did", "i can", "it is", "i would"];

/// Whether a sentence says yes or no, and nothing when it does not tell (see the module doc).
fn polarity(s: &Sentence) -> Option<bool> {
    let w = &s.words;
    if first_phrase(w, UNSURE).is_some() || first_phrase(w, CONFUSION).is_some() {
        return None;
    }
    // A question is no answer, unless it starts with one ("No? Fine.").
    if s.question && !w.first().is_some_and(|f| YES_WORDS.contains(&f.as_str()) || NO_WORDS.contains(&f.as_str())) {
        return None;
    }
    if first_phrase(w, NO_PHRASES).is_some() {
        return Some(false);
    }
    if first_phrase(w, YES_PHRASES).is_some() {
        return Some(true);
    }
    // Fillers before the answer: "well, yes", "oh no", "um, sure".
    let first = w.iter().find(|x| !matches!(x.as_str(), "well" | "oh" | "um" | "uh" | "hmm" | "so" | "erm" | "ah"))?;
    if YES_WORDS.contains(&first.as_str()) {
        return Some(true);
    }
    if NO_WORDS.contains(&first.as_str()) || w.iter().any(|x| NEGATORS.contains(&x.as_str())) {
        return Some(false);
    }
    if YES_STARTS.iter().any(|p| find_phrase(w, p) == Some(0)) {
        return Some(true);
    }
    None
}

/// A plain yes or no: a yes / no word first, or a yes / no phrase (no "I have ..." inference).
fn explicit_yes_no(s: &Sentence) -> Option<bool> {
    let w = &s.words;
    if first_phrase(w, NO_PHRASES).is_some() {
        return Some(false);
    }
    if first_phrase(w, YES_PHRASES).is_some() {
        return Some(true);
    }
    let first = w.first()?.as_str();
    if YES_WORDS.contains(&first) {
        Some(true)
    } else if NO_WORDS.contains(&first) {
        Some(false)
    } else {
        None
    }
}

/// The polarity of a reply: its first sentence that tells, among the first two.
fn reply_polarity(t: &Turn) -> Option<(bool, &Sentence)> {
    t.sentences.iter().take(2).find_map(|s| polarity(s).map(|p| (p, s)))
}

// ---------------------------------------------------------------------------------------------
// Voicemail, sentiment, success

const VOICEMAIL_PHRASES: &[&str] = &[
    "leave a message",
    "leave your message",
    "leave me a message",
    "after the tone",
    "after the beep",
    "voicemail",
    "voice mail",
    "mailbox",
    "not available to take",
    "unavailable to take",
    "can not take your call",
    "can not come to the phone",
    "is not available right now",
    "am not available right now",
    "record your message",
];

/// Voicemail: answered by a machine, or a voicemail greeting in what the other side said (the
/// agent's own words do not count: an inbound agent may offer to take a message). Returns the
/// greeting's quote, or an empty string for a machine without one.
fn detect_voicemail(turns: &[Turn], answered_by: AnsweredBy) -> Option<String> {
    let greeting = turns
        .iter()
        .filter(|t| t.role == Speaker::User)
        .flat_map(|t| &t.sentences)
        .find(|s| first_phrase(&s.words, VOICEMAIL_PHRASES).is_some())
        .map(|s| quote(&s.text));
    match (greeting, answered_by) {
        (Some(g), _) => Some(g),
        (None, AnsweredBy::Machine) => Some(String::new()),
        (None, _) => None,
    }
}

const POSITIVE: &[&str] = &[
    "good",
    "great",
    "excellent",
    "perfect",
    "wonderful",
    "amazing",
    "awesome",
    "fantastic",
    "happy",
    "glad",
    "love",
    "like",
    "appreciate",
    "helpful",
    "nice",
    "pleased",
    "satisfied",
    "excited",
    "interested",
    "lovely",
    "brilliant",
    "cool",
    "best",
    "easy",
    "thrilled",
    "delighted",
];
const NEGATIVE: &[&str] = &[
    "bad",
    "terrible",
    "awful",
    "horrible",
    "angry",
    "annoyed",
    "annoying",
    "frustrated",
    "frustrating",
    "upset",
    "hate",
    "worst",
    "disappointed",
    "disappointing",
    "unhappy",
    "ridiculous",
    "useless",
    "scam",
    "complaint",
    "complain",
    "problem",
    "issue",
    "wrong",
    "rude",
    "waste",
    "spam",
    "expensive",
    "stupid",
    "sick",
    "tired",
    "broken",
    "unacceptable",
    "furious",
];
/// Phrases scored as a whole, before single words.
const SENTIMENT_PHRASES: &[(&str, f64)] = &[
    ("sounds good", 1.0),
    ("sounds great", 1.0),
    ("works for me", 1.0),
    ("no problem", 0.5),
    ("not a problem", 0.5),
    ("not bad", 0.5),
    ("no worries", 0.5),
    ("thank you", 0.5),
    ("thanks", 0.5),
    ("no thanks", 0.0),
    ("no thank you", 0.0),
    ("not interested", -1.0),
    ("do not call", -1.0),
    ("stop calling", -1.5),
    ("leave me alone", -1.5),
    ("waste of time", -1.5),
    ("take me off", -1.0),
    ("remove me", -1.0),
    ("wrong number", 0.0),
];

fn sentiment(turns: &[Turn]) -> Sentiment {
    let pos: Vec<String> = POSITIVE.iter().map(|w| stem(w)).collect();
    let neg: Vec<String> = NEGATIVE.iter().map(|w| stem(w)).collect();
    let phrases: Vec<(Vec<String>, f64)> = SENTIMENT_PHRASES.iter().map(|(p, v)| (words(p), *v)).collect();
    let mut any = false;
    let mut score = 0.0;
    for s in turns.iter().filter(|t| t.role == Speaker::User).flat_map(|t| &t.sentences) {
        any = true;
        let mut i = 0;
        while i < s.words.len() {
            // The longest phrase starting here.
            let phrase = phrases.iter().filter(|(p, _)| s.words[i..].starts_with(p)).max_by_key(|(p, _)| p.len());
            if let Some((p, v)) = phrase {
                score += v;
                i += p.len();
                continue;
            }
            let st = &s.stems[i];
            // "like" only as a verb after a subject or an auxiliary, not as a filler.
            let is_like = st == "lik";
            let like_ok = !is_like || (i > 0 && matches!(s.words[i - 1].as_str(), "i" | "we" | "really" | "do" | "not" | "they" | "you" | "just"));
            if pos.contains(st) && like_ok && s.words[i] != "please" {
                score += if negated(s, i) { -1.0 } else { 1.0 };
            } else if neg.contains(st) {
                score += if negated(s, i) { 0.5 } else { -1.0 };
            }
            i += 1;
        }
    }
    if !any {
        Sentiment::Unknown
    } else if score >= 1.0 {
        Sentiment::Positive
    } else if score <= -1.0 {
        Sentiment::Negative
    } else {
        Sentiment::Neutral
    }
}

const REFUSALS: &[&str] =
    &["not interested", "do not call", "stop calling", "remove me", "take me off", "leave me alone", "never mind", "forget it", "cancel it", "cancel that"];
const CONFIRMATIONS: &[&str] = &[
    "booked",
    "confirmed",
    "scheduled",
    "all set",
    "set up",
    "signed up",
    "registered",
    "see you",
    "have you down",
    "put you down",
    "i have noted",
    "will send",
    "sent",
    "reserved",
];
const DESIRE: &[&str] = &["want", "would like", "need", "looking", "love to", "interested"];

/// Judged against the criteria; the last piece of evidence wins (see the module doc).
fn success(turns: &[Turn], criteria: &str, voicemail: bool) -> (Option<bool>, String) {
    let criteria = criteria.trim();
    if criteria.is_empty() {
        return (None, "No success criteria set.".into());
    }
    if turns.is_empty() {
        return (Some(false), "No conversation took place, so the criteria could not be met.".into());
    }
    let terms = key_terms(criteria);
    if voicemail {
        let agent_spoke = turns.iter().any(|t| t.role == Speaker::Agent);
        let wants_message = terms.iter().any(|g| g.iter().any(|s| matches!(s.as_str(), "voicemail" | "messag")));
        return if wants_message && agent_spoke {
            (Some(true), "The call reached voicemail and the agent left a message.".into())
        } else {
            (Some(false), "The call reached voicemail; nobody took part in the conversation.".into())
        };
    }
    let mut verdict: Option<(Pos, bool, String)> = None;
    // The caller's last words for it, to quote beside an agent's confirmation.
    let mut caller_yes: Option<String> = None;
    let mut note = |pos: Pos, yes: bool, why: String| {
        if verdict.as_ref().is_none_or(|(p, _, _)| *p <= pos) {
            verdict = Some((pos, yes, why));
        }
    };
    let topic = join_list(&terms.iter().map(|g| g[0].clone()).collect::<Vec<_>>());
    for (ti, t) in turns.iter().enumerate() {
        for (si, s) in t.sentences.iter().enumerate() {
            let hits = term_hits(s, &terms);
            let on_topic = hits.len() >= needed(&terms) && !terms.is_empty();
            match t.role {
                Speaker::Agent => {
                    let confirmed = first_phrase(&s.words, CONFIRMATIONS)
                        .and_then(|p| find_phrase(&s.words, p))
                        .is_some_and(|i| !negated(s, i) && (i == 0 || !s.words[..i].iter().any(|w| NEGATORS.contains(&w.as_str()))));
                    if on_topic && confirmed && !s.question {
                        let why = match &caller_yes {
                            Some(c) => format!("The caller said {c} and the agent confirmed: {}.", quote(&s.text)),
                            None => format!("The agent confirmed it: {}.", quote(&s.text)),
                        };
                        note((ti, si), true, why);
                    }
                }
                Speaker::User => {
                    if first_phrase(&s.words, REFUSALS).is_some() {
                        note((ti, si), false, format!("The caller declined: {}.", quote(&s.text)));
                    } else if on_topic && !s.question {
                        let neg = hits.iter().any(|&(_, wi)| negated(s, wi));
                        if neg {
                            note((ti, si), false, format!("The caller said {}.", quote(&s.text)));
                        } else if polarity(s) == Some(true) || first_phrase(&s.words, DESIRE).is_some() {
                            caller_yes = Some(quote(&s.text));
                            note((ti, si), true, format!("The caller said {}.", quote(&s.text)));
                        }
                    }
                }
            }
        }
    }
    // Replies to agent turns about the criteria, placed at the reply's first sentence (a refusal
    // or statement later in the same turn still comes after).
    for (a, u) in replies(turns) {
        if !about(asked(&turns[a]), &terms) {
            continue;
        }
        if let Some((yes, s)) = reply_polarity(&turns[u]) {
            let si = turns[u].sentences.iter().position(|x| std::ptr::eq(x, s)).unwrap_or(0);
            let why = format!("The caller answered {} when the agent asked about {}.", quote(&s.text), topic);
            // An earlier sentence's verdict in this very position is replaced only if it was not
            // more specific: keep the statement if one was noted at the same place.
            if verdict.as_ref().is_none_or(|(p, _, _)| *p < (u, si)) {
                verdict = Some(((u, si), yes, why));
            }
        }
    }
    match verdict {
        Some((_, yes, why)) => (Some(yes), why),
        None => (Some(false), format!("Nothing in the transcript shows the criteria were met (nothing agreed about {topic}).")),
    }
}

// ---------------------------------------------------------------------------------------------
// Numbers

fn number_word(w: &str) -> Option<f64> {
    const UNITS: &[&str] = &[
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    const TENS: &[&str] = &["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];
    if let Some(i) = UNITS.iter().position(|u| *u == w) {
        return Some(i as f64);
    }
    if let Some(i) = TENS.iter().position(|u| *u == w) {
        return Some((i as f64 + 2.0) * 10.0);
    }
    match w {
        "hundred" => Some(100.0),
        "thousand" => Some(1e3),
        "million" => Some(1e6),
        "dozen" => Some(12.0),
        "half" => Some(0.5),
        _ => None,
    }
}

fn digits(w: &str) -> Option<f64> {
    if !w.starts_with(|c: char| c.is_ascii_digit()) || w.contains(':') {
        return None;
    }
    // "1,200" but not "1,5" (read as a list).
    let plain = if w.split(',').skip(1).all(|g| g.len() == 3) { w.replace(',', "") } else { return None };
    plain.parse::<f64>().ok().filter(|v| v.is_finite())
}

fn multiplier(w: &str) -> Option<f64> {
    match w {
        "hundred" => Some(100.0),
        "thousand" => Some(1e3),
        "million" => Some(1e6),
        "dozen" => Some(12.0),
        _ => None,
    }
}

/// A number starting at word `i`: (value, words used). Digits ("25", "3.5", "1,200", "2
/// thousand") and words ("twenty five", "a hundred", "two hundred and fifty", "a dozen", "half",
/// "two and a half").
fn number_at(w: &[String], i: usize) -> Option<(f64, usize)> {
    let at = |k: usize| w.get(k).map(String::as_str);
    if let Some(v) = digits(&w[i]) {
        let mut v = v;
        let mut k = i + 1;
        while let Some(m) = at(k).and_then(multiplier) {
            v *= m;
            k += 1;
        }
        return Some((v, k - i));
    }
    let mut k = i;
    let (mut total, mut current, mut any) = (0.0f64, 0.0f64, false);
    // "a hundred", "a dozen", "a thousand", "half a dozen".
    if matches!(at(k), Some("a" | "an")) && at(k + 1).and_then(multiplier).is_some() {
        current = 1.0;
        k += 1;
    } else if at(k) == Some("half") {
        if matches!(at(k + 1), Some("a" | "an")) && at(k + 2).and_then(multiplier).is_some() {
            let m = multiplier(at(k + 2)?)?;
            return Some((m / 2.0, 3));
        }
        return Some((0.5, 1));
    }
    let mut last_small = false; // the last word was a unit or a teen
    while let Some(word) = at(k) {
        match word {
            "hundred" => {
                current = current.max(1.0) * 100.0;
                last_small = false;
            }
            "thousand" | "million" => {
                total += current.max(1.0) * multiplier(word)?;
                current = 0.0;
                last_small = false;
            }
            "dozen" => {
                current = current.max(1.0) * 12.0;
                last_small = false;
            }
            "and" if any => {
                // "two hundred and fifty", "two and a half"; not "two and three".
                if at(k + 1) == Some("a") && at(k + 2) == Some("half") {
                    current += 0.5;
                    k += 3;
                    break;
                }
                let round = (total + current) > 0.0 && current % 100.0 == 0.0;
                if !(round && at(k + 1).and_then(number_word).is_some_and(|v| (1.0..100.0).contains(&v))) {
                    break;
                }
            }
            _ => {
                let Some(v) = number_word(word).filter(|v| *v < 100.0 && *v != 0.5) else { break };
                let under = current % 100.0;
                if v >= 20.0 {
                    if under != 0.0 {
                        break;
                    }
                } else if last_small || (under != 0.0 && under < 20.0) {
                    break;
                }
                current += v;
                last_small = v < 20.0;
            }
        }
        any = true;
        k += 1;
    }
    if !any {
        return None;
    }
    Some((total + current, k - i))
}

/// The numbers of a sentence: (word index, words used, value).
fn numbers(s: &Sentence) -> Vec<(usize, usize, f64)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < s.words.len() {
        match number_at(&s.words, i) {
            Some((v, n)) => {
                out.push((i, n, v));
                i += n;
            }
            None => i += 1,
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Questions

fn answer(turns: &[Turn], q: &CustomQuestion) -> QuestionAnswer {
    let terms = key_terms(&q.question);
    let (answer, reason) = match q.kind {
        QuestionKind::Boolean => boolean(turns, &terms),
        QuestionKind::Number => number(turns, &terms),
        QuestionKind::Selector => selector(turns, &q.options),
        QuestionKind::Text => text(turns, &terms),
    };
    QuestionAnswer { question: q.question.clone(), kind: q.kind, answer, reason: Some(reason) }
}

fn terms_list(terms: &[Vec<String>]) -> String {
    if terms.is_empty() {
        "it".into()
    } else {
        join_list(&terms.iter().map(|g| format!("\"{}\"", g[0])).collect::<Vec<_>>())
    }
}

fn no_caller(turns: &[Turn]) -> Option<(Value, String)> {
    (!turns.iter().any(|t| t.role == Speaker::User)).then(|| (Value::Null, "The caller said nothing.".to_string()))
}

/// Caller questions that are requests ("can you call me back?") and so count as statements.
const REQUESTS: &[&str] = &["can you", "could you", "would you", "will you", "can i", "could i", "please"];

fn boolean(turns: &[Turn], terms: &[Vec<String>]) -> (Value, String) {
    if let Some(none) = no_caller(turns) {
        return none;
    }
    if terms.is_empty() {
        return (Value::Null, "The question has no terms to look for in the transcript.".into());
    }
    // (explicit, position, answer, reason); explicit evidence first, then the latest.
    let mut best: Option<(bool, Pos, bool, String)> = None;
    let mut note = |explicit: bool, pos: Pos, yes: bool, why: String| {
        if best.as_ref().is_none_or(|(e, p, _, _)| (explicit, pos) >= (*e, *p)) {
            best = Some((explicit, pos, yes, why));
        }
    };
    for (ti, t) in turns.iter().enumerate().filter(|(_, t)| t.role == Speaker::User) {
        for (si, s) in t.sentences.iter().enumerate() {
            let hits = term_hits(s, terms);
            let request = REQUESTS.iter().any(|r| find_phrase(&s.words, r) == Some(0));
            if hits.len() < needed(terms) || (s.question && !request) {
                continue;
            }
            if hits.iter().any(|&(_, wi)| negated(s, wi)) {
                note(true, (ti, si), false, format!("The caller said {}.", quote(&s.text)));
            } else {
                let explicit = polarity(s) == Some(true);
                note(explicit, (ti, si), true, format!("The caller said {}.", quote(&s.text)));
            }
        }
    }
    for (a, u) in replies(turns) {
        if !about(asked(&turns[a]), terms) {
            continue;
        }
        if let Some((yes, s)) = reply_polarity(&turns[u]) {
            let asked = quote(&asked(&turns[a]).text);
            let si = turns[u].sentences.iter().position(|x| std::ptr::eq(x, s)).unwrap_or(0);
            note(true, (u, si), yes, format!("Asked {asked}, the caller answered {}.", quote(&s.text)));
        }
    }
    match best {
        Some((_, _, yes, why)) => (Value::Bool(yes), why),
        None => (Value::Null, format!("The caller gave no yes or no about {}.", terms_list(terms))),
    }
}

fn number(turns: &[Turn], terms: &[Vec<String>]) -> (Value, String) {
    // (score, position, value, reason); the highest score, then the latest.
    type Candidate = (i64, (usize, usize, usize), f64, String);
    let mut best: Option<Candidate> = None;
    let reply_to: HashMap<usize, usize> = replies(turns).map(|(a, u)| (u, a)).collect();
    for (ti, t) in turns.iter().enumerate() {
        let in_reply = reply_to.get(&ti).is_some_and(|&a| about(asked(&turns[a]), terms));
        for (si, s) in t.sentences.iter().enumerate() {
            let hits = term_hits(s, terms);
            let near = hits.len() >= needed(terms);
            for (wi, n, v) in numbers(s) {
                let mut score = if near {
                    let dist = hits.iter().map(|&(_, h)| if h >= wi + n { h - (wi + n) } else { wi.abs_diff(h) }).min().unwrap_or(0);
                    10 - dist.min(8) as i64
                } else if in_reply && si < 2 {
                    6
                } else if terms.is_empty() {
                    1
                } else {
                    continue;
                };
                if t.role == Speaker::User {
                    score += 5;
                }
                let who = if t.role == Speaker::User { "The caller" } else { "The agent" };
                let cand = (score, (ti, si, wi), v, format!("{who} said {}.", quote(&s.text)));
                if best.as_ref().is_none_or(|b| (cand.0, cand.1) >= (b.0, b.1)) {
                    best = Some(cand);
                }
            }
        }
    }
    match best {
        Some((_, _, v, why)) => (num_value(v), why),
        None if turns.is_empty() => (Value::Null, "No conversation took place.".into()),
        None => (Value::Null, format!("No number was given about {}.", terms_list(terms))),
    }
}

const CHOICE_MARKERS: &[&str] = &[
    "actually",
    "instead",
    "rather",
    "make it",
    "change it",
    "change to",
    "switch",
    "i mean",
    "wait",
    "on second thought",
    "go with",
    "take",
    "prefer",
    "choose",
    "pick",
    "let us do",
    "i will do",
    "but",
    "want",
    "would like",
];

/// Where an option's words occur in a row in the sentence, plural-tolerant.
fn find_option(s: &Sentence, option: &[String]) -> Vec<usize> {
    if option.is_empty() || option.len() > s.words.len() {
        return Vec::new();
    }
    (0..=s.words.len() - option.len()).filter(|&i| option.iter().enumerate().all(|(k, o)| singular(&s.words[i + k]) == *o)).collect()
}

struct Mention<'t> {
    pos: (usize, usize, usize),
    option: usize,
    why: String,
    /// The sentence and the option's words in it; `None` for a "yes" to the agent naming it.
    at: Option<(&'t Sentence, usize)>,
}

fn selector(turns: &[Turn], options: &[String]) -> (Value, String) {
    if options.is_empty() {
        return (Value::Null, "The question has no options.".into());
    }
    if let Some(none) = no_caller(turns) {
        return none;
    }
    let opts: Vec<Vec<String>> = options.iter().map(|o| words(o).iter().map(|w| singular(w)).collect()).collect();
    let mut mentions: Vec<Mention> = Vec::new();
    for (ti, t) in turns.iter().enumerate().filter(|(_, t)| t.role == Speaker::User) {
        for (si, s) in t.sentences.iter().enumerate() {
            for (oi, o) in opts.iter().enumerate() {
                for wi in find_option(s, o).into_iter().filter(|&wi| !negated(s, wi)) {
                    let why = format!("The caller said {}.", quote(&s.text));
                    mentions.push(Mention { pos: (ti, si, wi), option: oi, why, at: Some((s, wi)) });
                }
            }
        }
    }
    // "Yes" to an agent turn naming exactly one option.
    for (a, u) in replies(turns) {
        let s = asked(&turns[a]);
        let named: Vec<usize> = (0..opts.len()).filter(|&oi| find_option(s, &opts[oi]).iter().any(|&wi| !negated(s, wi))).collect();
        if let ([oi], Some((true, s))) = (named.as_slice(), reply_polarity(&turns[u])) {
            let si = turns[u].sentences.iter().position(|x| std::ptr::eq(x, s)).unwrap_or(0);
            let why = format!("The caller agreed to {} ({}).", options[*oi], quote(&s.text));
            mentions.push(Mention { pos: (u, si, 0), option: *oi, why, at: None });
        }
    }
    mentions.sort_by_key(|m| m.pos);
    let mut distinct: Vec<usize> = Vec::new();
    for m in &mentions {
        if !distinct.contains(&m.option) {
            distinct.push(m.option);
        }
    }
    let Some(last) = mentions.last() else {
        return (Value::Null, format!("The caller did not name any of the options ({}).", options.join(", ")));
    };
    if distinct.len() == 1 {
        return (Value::String(options[last.option].clone()), last.why.clone());
    }
    // Several: the last wins when a choice or correction marker comes before it, after the
    // previous other option if that was in the same sentence ("Basic or Premium" is no choice).
    let prev = mentions.iter().rev().find(|m| m.option != last.option);
    let marked = match last.at {
        None => true,
        Some((s, wi)) => {
            let from = match prev.and_then(|p| p.at) {
                Some((ps, pwi)) if std::ptr::eq(ps, s) && pwi < wi => pwi + opts[prev.map_or(0, |p| p.option)].len(),
                _ => 0,
            };
            CHOICE_MARKERS.iter().any(|m| find_phrase(&s.words[from..wi], m).is_some())
        }
    };
    let names: Vec<String> = distinct.iter().map(|&i| options[i].clone()).collect();
    if marked {
        let others: Vec<String> = distinct.iter().filter(|&&i| i != last.option).map(|&i| options[i].clone()).collect();
        let why = format!("{} The caller settled on {} after mentioning {}.", last.why, options[last.option], join_list(&others));
        (Value::String(options[last.option].clone()), why)
    } else {
        (Value::Null, format!("The caller mentioned several options ({}) without settling on one.", join_list(&names)))
    }
}

fn text(turns: &[Turn], terms: &[Vec<String>]) -> (Value, String) {
    if let Some(none) = no_caller(turns) {
        return none;
    }
    if terms.is_empty() {
        return (Value::Null, "The question has no terms to look for in the transcript.".into());
    }
    let reply_to: HashMap<usize, usize> = replies(turns).map(|(a, u)| (u, a)).collect();
    // (score, words, reversed position) -> the highest; ties go to the longer, then the earlier.
    type Key = (usize, usize, std::cmp::Reverse<Pos>);
    let mut best: Option<(Key, &Sentence)> = None;
    for (ti, t) in turns.iter().enumerate().filter(|(_, t)| t.role == Speaker::User) {
        let in_reply = reply_to.get(&ti).is_some_and(|&a| about(asked(&turns[a]), terms));
        for (si, s) in t.sentences.iter().enumerate() {
            let overlap = term_hits(s, terms).len();
            // A reply counts unless it is a bare yes / no, a refusal or unsure.
            let p = polarity(s);
            let unsure = first_phrase(&s.words, UNSURE).is_some() || first_phrase(&s.words, CONFUSION).is_some();
            let bare = s.words.len() < 3 && p.is_some();
            let usable = !(bare || p == Some(false) || unsure || s.question);
            let score = overlap * 10 + if in_reply && si < 2 && usable { 5 } else { 0 };
            if score == 0 || (overlap == 0 && s.words.len() < 2) {
                continue;
            }
            let key = (score, s.words.len().min(40), std::cmp::Reverse((ti, si)));
            if best.as_ref().is_none_or(|(k, _)| key > *k) {
                best = Some((key, s));
            }
        }
    }
    match best {
        Some((_, s)) => {
            let mut t = s.text.trim().trim_start_matches(|c: char| !c.is_alphanumeric()).to_string();
            for filler in ["um, ", "uh, ", "well, ", "so, ", "oh, "] {
                if t.to_lowercase().starts_with(filler) {
                    t = t[filler.len()..].to_string();
                }
            }
            if t.chars().count() > 300 {
                t = t.chars().take(300).collect::<String>() + "…";
            }
            (Value::String(t), "The caller's words most related to the question.".into())
        }
        None => (Value::Null, format!("The caller did not talk about {}.", terms_list(terms))),
    }
}

// ---------------------------------------------------------------------------------------------
// Summary

const TOPIC_SKIP: &[&str] = &[
    "want",
    "need",
    "looking",
    "wondering",
    "call",
    "calling",
    "today",
    "name",
    "sorry",
    "fine",
    "alright",
    "yes",
    "no",
    "nope",
    "perfect",
    "absolutely",
    "definitely",
    "certainly",
    "correct",
    "exactly",
    "interested",
    "sound",
    "sounds",
    "work",
    "works",
    "wait",
    "help",
    "speak",
    "speaking",
    "talk",
    "talking",
    "time",
    "great",
    "good",
    "nice",
    "day",
    "bit",
    "lot",
    "mean",
    "understand",
    "idea",
    "guess",
    "able",
    "anyway",
    "lately",
    "probably",
    "tops",
    "give",
    "take",
    "come",
    "see",
    "try",
    "put",
    "keep",
    "feel",
    "wrong",
    "out",
    "off",
    "back",
];
const CONFUSION: &[&str] = &[
    "what do you mean",
    "do not understand",
    "not understand",
    "confused",
    "confusing",
    "pardon",
    "who is this",
    "what is this about",
    "say that again",
    "come again",
    "what are you talking about",
];
const DAYS: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "tomorrow",
    "tonight",
    "january",
    "february",
    "march",
    "april",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// The most frequent content words of some turns (ties: the first said), spelled as said.
/// Words capitalised inside a sentence (names, brands) are left out, and so are words said fewer
/// than `min` times.
fn topics(turns: &[Turn], role: Speaker, skip: &[String], max: usize, min: usize) -> Vec<String> {
    let mut counts: Vec<(String, String, usize)> = Vec::new(); // stem, surface, count
    for s in turns.iter().filter(|t| t.role == role).flat_map(|t| &t.sentences) {
        for ((w, st), proper) in s.words.iter().zip(&s.stems).zip(&s.proper) {
            let content = w.len() >= 3
                && !proper
                && w.chars().all(char::is_alphabetic)
                && !STOP.contains(&w.as_str())
                && !TOPIC_SKIP.contains(&w.as_str())
                && !NEGATORS.contains(&w.as_str())
                && number_word(w).is_none()
                && !DAYS.contains(&w.as_str())
                && !skip.contains(st);
            if !content {
                continue;
            }
            match counts.iter_mut().find(|c| c.0 == *st) {
                Some(c) => c.2 += 1,
                None => counts.push((st.clone(), w.clone(), 1)),
            }
        }
    }
    // Stable sort: equal counts keep the order they were first said in.
    counts.sort_by_key(|c| std::cmp::Reverse(c.2));
    counts.into_iter().filter(|c| c.2 >= min).take(max).map(|c| display_word(&c.1)).collect()
}

fn display_word(w: &str) -> String {
    if DAYS.contains(&w) {
        let mut c = w.chars();
        c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
    } else {
        w.to_string()
    }
}

/// Numbers (with the word they count), times and days said in the call.
fn facts(turns: &[Turn]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |f: String| {
        if !out.contains(&f) && out.len() < 4 {
            out.push(f);
        }
    };
    let said = turns.iter().flat_map(|t| t.sentences.iter().map(move |s| (t.role, s)));
    // What the caller said, and what the agent confirmed (not what it merely offered).
    for s in said.filter(|(r, s)| *r == Speaker::User || (!s.question && first_phrase(&s.words, CONFIRMATIONS).is_some())).map(|(_, s)| s) {
        let nums = numbers(s);
        for &(wi, n, v) in &nums {
            let next = s.words.get(wi + n).map(String::as_str);
            let word_said = number_word(&s.words[wi]).is_some() && n == 1 && matches!(s.words[wi].as_str(), "one" | "half");
            let after_at = wi > 0 && s.words[wi - 1] == "at";
            match next {
                Some("am" | "pm" | "o'clock" | "oclock") => add(format!("{} {}", fmt_num(v), next.unwrap_or_default())),
                _ if after_at => {}
                Some(w) if !word_said && w.len() > 2 && !STOP.contains(&w) && w.chars().all(char::is_alphabetic) && !DAYS.contains(&w) => {
                    add(format!("{} {}", fmt_num(v), w))
                }
                _ if s.words[wi].starts_with(|c: char| c.is_ascii_digit()) && v >= 10.0 => add(fmt_num(v)),
                _ => {}
            }
        }
        for w in &s.words {
            if DAYS.contains(&w.as_str()) {
                add(display_word(w));
            } else if w.contains(':') || (w.starts_with(|c: char| c.is_ascii_digit()) && (w.ends_with("am") || w.ends_with("pm"))) {
                add(w.clone());
            }
        }
    }
    out
}

enum Outcome {
    Agreed(String),
    Confirmed(String),
    Declined(String),
    Confused(String),
    Undecided,
}

const PROPOSALS: &[&str] = &[
    "would you like",
    "shall i",
    "should i",
    "can i",
    "do you want",
    "are you interested",
    "would you be",
    "does that work",
    "how about",
    "is that ok",
    "is that okay",
    "would that work",
    "can we",
    "want me to",
];
const AGREEMENTS: &[&str] =
    &["sounds good", "sounds great", "book it", "let us do it", "sign me up", "works for me", "that works", "go ahead", "yes please", "i will take it", "deal"];

/// How the call ended for the caller: the last agreement or refusal wins.
fn outcome(turns: &[Turn]) -> Outcome {
    let mut result = Outcome::Undecided;
    let mut confused: Option<String> = None;
    // "Would you like ...?", but not "How can I help?".
    let proposal = |s: &Sentence| {
        s.question
            && PROPOSALS
                .iter()
                .any(|p| find_phrase(&s.words, p).is_some_and(|i| i == 0 || !matches!(s.words[i - 1].as_str(), "how" | "what" | "where" | "when" | "why" | "who")))
    };
    let proposal_before = |ti: usize| ti > 0 && turns[ti - 1].role == Speaker::Agent && proposal(asked(&turns[ti - 1]));
    for (ti, t) in turns.iter().enumerate() {
        for (si, s) in t.sentences.iter().enumerate() {
            if t.role == Speaker::Agent {
                let confirmed = !s.question && first_phrase(&s.words, CONFIRMATIONS).and_then(|p| find_phrase(&s.words, p)).is_some_and(|i| !negated(s, i));
                if confirmed {
                    result = Outcome::Confirmed(quote(&s.text));
                }
                continue;
            }
            if first_phrase(&s.words, REFUSALS).is_some() {
                result = Outcome::Declined(quote(&s.text));
            } else if first_phrase(&s.words, AGREEMENTS).is_some() {
                result = Outcome::Agreed(quote(&s.text));
            } else if si == 0 && proposal_before(ti) {
                match explicit_yes_no(s) {
                    Some(true) => result = Outcome::Agreed(quote(&s.text)),
                    Some(false) => result = Outcome::Declined(quote(&s.text)),
                    None => {}
                }
            }
            if confused.is_none() && first_phrase(&s.words, CONFUSION).is_some() {
                confused = Some(quote(&s.text));
            }
        }
    }
    match (result, confused) {
        (Outcome::Undecided, Some(q)) => Outcome::Confused(q),
        (r, _) => r,
    }
}

fn summarize(turns: &[Turn], voicemail: Option<&str>, answers: &[QuestionAnswer]) -> String {
    let agent_turns = turns.iter().filter(|t| t.role == Speaker::Agent).count();
    let caller_turns = turns.len() - agent_turns;
    let agent_topics = topics(turns, Speaker::Agent, &[], 3, 1);
    if let Some(greeting) = voicemail {
        let mut s = "The call reached voicemail".to_string();
        if !greeting.is_empty() {
            s += &format!(" ({greeting})");
        }
        if agent_turns == 0 {
            s += " and the agent left no message.";
        } else if agent_topics.is_empty() {
            s += " and the agent left a message.";
        } else {
            s += &format!(" and the agent left a message about {}.", join_list(&agent_topics));
        }
        return s;
    }
    if turns.is_empty() {
        return "No conversation took place: the transcript is empty.".into();
    }
    let caller_topics = topics(turns, Speaker::User, &[], 3, 1);
    let mut out = Vec::new();
    let about_list = |t: &[String]| if t.is_empty() { String::new() } else { format!(" about {}", join_list(t)) };
    if caller_turns == 0 {
        let agent_topics = topics(turns, Speaker::Agent, &[], 3, 2);
        out.push(format!("Only the agent spoke ({agent_turns} turn{}){}; the caller said nothing.", plural(agent_turns), about_list(&agent_topics)));
    } else if agent_turns == 0 {
        out.push(format!("Only the caller spoke{}.", about_list(&caller_topics)));
    } else {
        let caller_stems: Vec<String> = caller_topics.iter().map(|w| stem(&w.to_lowercase())).collect();
        let agent_only = topics(turns, Speaker::Agent, &caller_stems, 2, 2);
        let caller_part = if caller_topics.is_empty() {
            let first = turns.iter().find(|t| t.role == Speaker::User).and_then(|t| t.sentences.first()).map(|s| quote(&s.text)).unwrap_or_default();
            format!("the caller said little beyond {first}")
        } else {
            format!("the caller talked about {}", join_list(&caller_topics))
        };
        let agent_part = if agent_only.is_empty() { String::new() } else { format!(", and the agent brought up {}", join_list(&agent_only)) };
        out.push(format!("The agent and the caller spoke ({} turns): {caller_part}{agent_part}.", turns.len()));
    }
    let mut details = facts(turns);
    for a in answers.iter().filter(|a| a.kind == QuestionKind::Selector) {
        if let Value::String(o) = &a.answer {
            let f = format!("chose {o}");
            if !details.contains(&f) {
                details.push(f);
            }
        }
    }
    if !details.is_empty() {
        out.push(format!("Mentioned: {}.", join_list(&details)));
    }
    if caller_turns > 0 {
        out.push(match outcome(turns) {
            Outcome::Agreed(q) => format!("The caller agreed ({q})."),
            Outcome::Confirmed(q) => format!("It ended with the agent confirming: {q}."),
            Outcome::Declined(q) => format!("The caller declined ({q})."),
            Outcome::Confused(q) => format!("The caller seemed confused ({q}) and the call ended without a decision."),
            Outcome::Undecided => "The call ended without a clear decision.".into(),
        });
    }
    out.join(" ")
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::AnalysisConfig;
    use serde_json::json;

    fn call(lines: &[(&str, &str)]) -> Vec<TranscriptSegment> {
        lines
            .iter()
            .enumerate()
            .map(|(i, (who, text))| TranscriptSegment {
                role: if *who == "A" { Speaker::Agent } else { Speaker::User },
                text: text.to_string(),
                start_ms: i as i64 * 4000,
                end_ms: i as i64 * 4000 + 3500,
                confidence: None,
            })
            .collect()
    }

    fn q(question: &str, kind: QuestionKind, options: &[&str]) -> CustomQuestion {
        CustomQuestion { question: question.into(), kind, options: options.iter().map(|o| o.to_string()).collect() }
    }

    fn run(transcript: &[TranscriptSegment], criteria: &str, questions: Vec<CustomQuestion>) -> AnalysisResult {
        let config = AnalysisConfig { summary: true, success_criteria: criteria.into(), questions };
        analyze(&Input { transcript, config: &config, extra_questions: &[], answered_by: AnsweredBy::Human })
    }

    fn booking() -> Vec<TranscriptSegment> {
        call(&[
            ("A", "Hi, this is Ava from Bright Smile Dental. How can I help you today?"),
            ("U", "Hi, I'd like to book a teeth cleaning. I've had some sensitivity lately."),
            ("A", "Of course. We have openings on Tuesday at 3 pm or Wednesday at 10 am. Which works better?"),
            ("U", "Um, Tuesday at 3 works. Actually, wait, make it Wednesday morning."),
            ("A", "Great, you're booked for Wednesday at 10 am. Do you have dental insurance?"),
            ("U", "Yes, I have Delta Dental through work."),
            ("A", "Perfect. And how many people will be coming in, just you?"),
            ("U", "Me and my two kids, so three of us."),
            ("A", "Wonderful, see you Wednesday. Anything else?"),
            ("U", "No, that's all. Thank you so much, this was really helpful!"),
        ])
    }

    fn refusal() -> Vec<TranscriptSegment> {
        call(&[
            ("A", "Hi, is this Mark? This is Leo calling from SunBright Solar about lowering your electricity bill with solar panels."),
            ("U", "Yeah, this is Mark."),
            ("A", "Great! Would you be interested in a free quote for solar panels on your home?"),
            ("U", "No, I'm not interested. I rent my apartment anyway."),
            ("A", "I understand. Do you have a car? We also install chargers for electric vehicles."),
            ("U", "No, I don't have a car. Please don't call me again, this is really annoying."),
            ("A", "Sorry to bother you. I'll remove your number. Have a good day."),
        ])
    }

    fn confused() -> Vec<TranscriptSegment> {
        call(&[
            ("A", "Hello! This is Mia from Northwind Insurance. I'm calling about your policy renewal. Is now a good time?"),
            ("U", "Sorry, what? Who is this?"),
            ("A", "This is Mia from Northwind Insurance, about renewing your home policy. Would you like to go over the options?"),
            ("U", "I don't understand. What policy? I think you have the wrong number."),
            ("A", "I apologize for the confusion. Could you confirm your date of birth?"),
            ("U", "Um, I'm not sure I should give that out."),
        ])
    }

    fn payroll() -> Vec<TranscriptSegment> {
        call(&[
            ("A", "Thanks for calling Acme Payroll. How can I help?"),
            ("U", "Hi, we're a small bakery looking for payroll software. We have about twenty five employees."),
            ("A", "Great. And what's your monthly budget?"),
            ("U", "We could spend maybe two hundred and fifty dollars a month, tops."),
            ("A", "Which plan interests you: Basic, Standard or Premium?"),
            ("U", "Probably the Standard plan. Oh, and we pay our staff every week."),
        ])
    }

    fn voicemail() -> Vec<TranscriptSegment> {
        call(&[
            ("U", "Hi, you've reached Dana. I can't come to the phone right now. Please leave a message after the tone."),
            (
                "A",
                "Hi Dana, this is Ava from Bright Smile Dental calling to remind you about your cleaning appointment on Friday at 2 pm. Please call us back to confirm.",
            ),
        ])
    }

    fn num(text: &str) -> Option<f64> {
        let w = words(text);
        (0..w.len()).find_map(|i| number_at(&w, i)).map(|(v, _)| v)
    }

    #[test]
    fn numbers_in_digits_and_words() {
        assert_eq!(num("about twenty five employees"), Some(25.0));
        assert_eq!(num("twenty-five"), Some(25.0));
        assert_eq!(num("two hundred and fifty dollars"), Some(250.0));
        assert_eq!(num("a hundred"), Some(100.0));
        assert_eq!(num("two thousand three hundred"), Some(2300.0));
        assert_eq!(num("fifteen hundred"), Some(1500.0));
        assert_eq!(num("a dozen eggs"), Some(12.0));
        assert_eq!(num("half a dozen"), Some(6.0));
        assert_eq!(num("half"), Some(0.5));
        assert_eq!(num("two and a half years"), Some(2.5));
        assert_eq!(num("it costs $40 a month"), Some(40.0));
        assert_eq!(num("3.5 stars"), Some(3.5));
        assert_eq!(num("we have 1,200 customers"), Some(1200.0));
        assert_eq!(num("2 thousand"), Some(2000.0));
        assert_eq!(num("two and three"), Some(2.0), "\"and\" joins only after a round number");
        assert_eq!(num("five twenty"), Some(5.0));
        assert_eq!(num("an hour"), None);
        assert_eq!(num("no numbers here"), None);
    }

    #[test]
    fn tokens_expand_contractions_and_track_clauses() {
        let (w, c, _) = tokenize("No, I don't have a car but I can't drive.");
        assert_eq!(w, ["no", "i", "do", "not", "have", "a", "car", "but", "i", "can", "not", "drive"]);
        assert!(c[0] < c[1] && c[6] < c[7], "a comma and \"but\" start clauses: {c:?}");
        assert_eq!(stem("booking"), "book");
        assert_eq!(stem("booked"), stem("books"));
        assert_eq!(stem("scheduled"), stem("schedule"));
        assert_eq!(stem("planned"), "plan");
        assert_eq!(singular("companies"), "company");
    }

    #[test]
    fn booking_call() {
        let r = run(
            &booking(),
            "The caller books an appointment",
            vec![
                q("Does the caller have dental insurance?", QuestionKind::Boolean, &[]),
                q("How many people are coming?", QuestionKind::Number, &[]),
                q("Which day did the caller pick?", QuestionKind::Selector, &["Monday", "Tuesday", "Wednesday"]),
                q("What was the reason for the visit?", QuestionKind::Text, &[]),
            ],
        );
        assert_eq!(r.call_successful, Some(true), "{}", r.success_reason);
        assert!(r.success_reason.contains("booked for Wednesday"), "{}", r.success_reason);
        assert_eq!(r.user_sentiment, Sentiment::Positive);
        assert!(!r.voicemail_detected);
        assert_eq!(r.answers[0].answer, json!(true), "{:?}", r.answers[0]);
        assert_eq!(r.answers[0].kind, QuestionKind::Boolean);
        assert_eq!(r.answers[0].question, "Does the caller have dental insurance?");
        assert_eq!(r.answers[1].answer, json!(3), "\"two kids, so three of us\": the last said: {:?}", r.answers[1]);
        assert_eq!(r.answers[2].answer, json!("Wednesday"), "corrected from Tuesday: {:?}", r.answers[2]);
        assert!(r.answers[2].reason.as_deref().unwrap().contains("after mentioning Tuesday"), "{:?}", r.answers[2]);
        let text = r.answers[3].answer.as_str().unwrap();
        assert!(text.contains("book a teeth cleaning"), "{text}");
        let summary = r.summary.unwrap();
        assert!(summary.contains("teeth") && summary.contains("cleaning"), "{summary}");
        assert!(summary.contains("Wednesday") && summary.contains("10 am"), "{summary}");
        assert!(summary.contains("agent confirming"), "{summary}");
    }

    #[test]
    fn refusal_call() {
        let r = run(
            &refusal(),
            "The caller agrees to a free solar quote",
            vec![
                q("Is the caller interested in solar panels?", QuestionKind::Boolean, &[]),
                q("Does the caller have a car?", QuestionKind::Boolean, &[]),
                q("Did the caller ask for a callback?", QuestionKind::Boolean, &[]),
                q("How many solar panels does the caller want?", QuestionKind::Number, &[]),
            ],
        );
        assert_eq!(r.call_successful, Some(false));
        assert!(r.success_reason.contains("don't call me again"), "{}", r.success_reason);
        assert_eq!(r.user_sentiment, Sentiment::Negative);
        assert_eq!(r.answers[0].answer, json!(false), "\"I'm not interested\": {:?}", r.answers[0]);
        assert_eq!(r.answers[1].answer, json!(false), "\"no, I don't have a car\": {:?}", r.answers[1]);
        assert!(r.answers[1].reason.as_deref().unwrap().contains("don't have a car"), "{:?}", r.answers[1]);
        assert_eq!(r.answers[2].answer, Value::Null);
        assert!(r.answers[2].reason.as_deref().unwrap().contains("callback"), "{:?}", r.answers[2]);
        assert_eq!(r.answers[3].answer, Value::Null);
        assert!(r.answers[3].reason.as_deref().unwrap().starts_with("No number"), "{:?}", r.answers[3]);
        let summary = r.summary.unwrap();
        assert!(summary.contains("solar"), "{summary}");
        assert!(summary.contains("declined"), "{summary}");
        assert!(!summary.contains("Mark"), "names are not topics: {summary}");
    }

    #[test]
    fn confused_caller() {
        let r = run(
            &confused(),
            "The caller confirms the renewal",
            vec![
                q("Does the caller want to renew the policy?", QuestionKind::Boolean, &[]),
                q("What is the caller's date of birth?", QuestionKind::Text, &[]),
                q("Which coverage did the caller choose?", QuestionKind::Selector, &["Home", "Auto", "Life"]),
            ],
        );
        assert_eq!(r.call_successful, Some(false));
        assert!(r.success_reason.starts_with("Nothing in the transcript"), "{}", r.success_reason);
        assert_eq!(r.user_sentiment, Sentiment::Neutral);
        for a in &r.answers {
            assert_eq!(a.answer, Value::Null, "{a:?}");
            assert!(a.reason.as_deref().is_some_and(|r| !r.is_empty()), "{a:?}");
        }
        assert!(r.answers[2].reason.as_deref().unwrap().contains("Home, Auto, Life"));
        let summary = r.summary.unwrap();
        assert!(summary.contains("confused") && summary.contains("Who is this?"), "{summary}");
    }

    #[test]
    fn business_call_numbers_in_words_and_a_selector_in_a_sentence() {
        let r = run(
            &payroll(),
            "",
            vec![
                q("How many employees does the business have?", QuestionKind::Number, &[]),
                q("What is the monthly budget in dollars?", QuestionKind::Number, &[]),
                q("Which plan did the caller choose?", QuestionKind::Selector, &["Basic", "Standard", "Premium"]),
                q("What software is the caller looking for?", QuestionKind::Text, &[]),
            ],
        );
        assert_eq!(r.call_successful, None);
        assert_eq!(r.success_reason, "No success criteria set.");
        assert_eq!(r.answers[0].answer, json!(25), "{:?}", r.answers[0]);
        assert!(r.answers[0].reason.as_deref().unwrap().contains("twenty five employees"));
        assert_eq!(r.answers[1].answer, json!(250), "{:?}", r.answers[1]);
        assert_eq!(r.answers[2].answer, json!("Standard"), "{:?}", r.answers[2]);
        assert_eq!(r.answers[3].answer, json!("Hi, we're a small bakery looking for payroll software."));
        let summary = r.summary.unwrap();
        assert!(summary.contains("bakery") && summary.contains("payroll"), "{summary}");
        assert!(summary.contains("25 employees") && summary.contains("chose Standard"), "{summary}");
    }

    #[test]
    fn selector_rules() {
        let plans = || vec![q("Which plan?", QuestionKind::Selector, &["Basic", "Premium Plus"])];
        let pick = |lines: &[(&str, &str)]| run(&call(lines), "", plans()).answers.remove(0);
        let a = pick(&[("A", "Which plan would you like?"), ("U", "I'd like the premium plus plan, not the basic one.")]);
        assert_eq!(a.answer, json!("Premium Plus"), "a negated option does not count: {a:?}");
        let a = pick(&[("A", "Which plan?"), ("U", "Basic. No wait, actually Premium Plus.")]);
        assert_eq!(a.answer, json!("Premium Plus"), "{a:?}");
        let a = pick(&[("A", "Which plan?"), ("U", "I'm torn between basic and premium plus.")]);
        assert_eq!(a.answer, Value::Null, "{a:?}");
        assert!(a.reason.as_deref().unwrap().contains("several options"), "{a:?}");
        let a = pick(&[("A", "Which plan?"), ("U", "I would like basic or premium plus, I don't know.")]);
        assert_eq!(a.answer, Value::Null, "\"or\" is no choice: {a:?}");
        let a = pick(&[("A", "Shall I put you on the Premium Plus plan?"), ("U", "Yes, please.")]);
        assert_eq!(a.answer, json!("Premium Plus"), "yes to the one option the agent named: {a:?}");
        let a = pick(&[("A", "Which plan?"), ("U", "The BASICS, please.")]);
        assert_eq!(a.answer, json!("Basic"), "case and plural: {a:?}");
        let a = pick(&[("A", "Which plan?"), ("U", "Something cheap.")]);
        assert_eq!(a.answer, Value::Null);
        let no_opts = run(&booking(), "", vec![q("Which?", QuestionKind::Selector, &[])]);
        assert_eq!(no_opts.answers[0].reason.as_deref(), Some("The question has no options."));
    }

    #[test]
    fn boolean_replies_and_negations() {
        let ask = |lines: &[(&str, &str)], question: &str| run(&call(lines), "", vec![q(question, QuestionKind::Boolean, &[])]).answers.remove(0).answer;
        assert_eq!(ask(&[("A", "Do you have a car?"), ("U", "I do, a Honda.")], "Does the caller have a car?"), json!(true));
        assert_eq!(ask(&[("A", "Do you have a car?"), ("U", "Nope.")], "Does the caller have a car?"), json!(false));
        assert_eq!(ask(&[("A", "Do you own a vehicle?"), ("U", "I'm not sure, it's my wife's.")], "Does the caller have a car?"), Value::Null);
        assert_eq!(ask(&[("A", "Hello."), ("U", "My car broke down yesterday.")], "Does the caller have a car?"), json!(true));
        assert_eq!(ask(&[("A", "Hello."), ("U", "I have never owned a car.")], "Does the caller have a car?"), json!(false));
        assert_eq!(ask(&[("A", "Hello."), ("U", "No, but I have a car.")], "Does the caller have a car?"), json!(true), "the no is in another clause");
        assert_eq!(
            ask(
                &[("A", "Would you like a callback?"), ("U", "Yes please."), ("A", "Tomorrow?"), ("U", "Actually no, I don't want a callback.")],
                "Does the caller want a callback?"
            ),
            json!(false),
            "the caller's last word wins"
        );
        assert_eq!(ask(&[("A", "Hello."), ("U", "Can you call me back tomorrow?")], "Did the caller ask for a call back?"), json!(true), "a request");
        assert_eq!(ask(&[("A", "Hello."), ("U", "What are solar panels?")], "Is the caller interested in solar panels?"), Value::Null, "a question is no answer");
    }

    #[test]
    fn sentiment_with_negation() {
        let feel = |text: &str| run(&call(&[("A", "How was it?"), ("U", text)]), "", vec![]).user_sentiment;
        assert_eq!(feel("I'm not happy with the service at all."), Sentiment::Negative);
        assert_eq!(feel("I don't like it."), Sentiment::Negative);
        assert_eq!(feel("Honestly I love it, it's great."), Sentiment::Positive);
        assert_eq!(feel("Not bad."), Sentiment::Neutral);
        assert_eq!(feel("No problem, thanks, that sounds good."), Sentiment::Positive);
        assert_eq!(feel("It was okay I guess."), Sentiment::Neutral);
        assert_eq!(feel("This is terrible, a total waste of time."), Sentiment::Negative);
        assert_eq!(feel("It's like, fine."), Sentiment::Neutral, "\"like\" as a filler");
        let silent = run(&call(&[("A", "Hello? Anyone there?")]), "", vec![]);
        assert_eq!(silent.user_sentiment, Sentiment::Unknown);
    }

    #[test]
    fn voicemail_by_greeting_or_machine() {
        let r = run(&voicemail(), "The caller books an appointment", vec![q("Does the caller have insurance?", QuestionKind::Boolean, &[])]);
        assert!(r.voicemail_detected);
        assert_eq!(r.call_successful, Some(false));
        assert!(r.success_reason.contains("voicemail"), "{}", r.success_reason);
        assert_eq!(r.answers[0].answer, Value::Null);
        let summary = r.summary.unwrap();
        assert!(summary.starts_with("The call reached voicemail") && summary.contains("appointment"), "{summary}");

        let config = AnalysisConfig { summary: true, success_criteria: "Leave a voicemail".into(), questions: vec![] };
        let agent_only = call(&[("A", "Hi, this is Ava from Bright Smile Dental, please call us back about your appointment.")]);
        let r = analyze(&Input { transcript: &agent_only, config: &config, extra_questions: &[], answered_by: AnsweredBy::Machine });
        assert!(r.voicemail_detected);
        assert_eq!(r.call_successful, Some(true), "{}", r.success_reason);

        let human = call(&[("A", "Can we meet Tuesday?"), ("U", "I'm not available Tuesday, sorry.")]);
        assert!(!run(&human, "", vec![]).voicemail_detected, "a person being busy is no voicemail");
    }

    #[test]
    fn empty_transcript() {
        let extra = [q("How many employees?", QuestionKind::Number, &[]), q("Anything else?", QuestionKind::Text, &[])];
        let config = AnalysisConfig {
            summary: true,
            success_criteria: "Books a demo".into(),
            questions: vec![q("Interested?", QuestionKind::Boolean, &[])],
        };
        let r = analyze(&Input { transcript: &[], config: &config, extra_questions: &extra, answered_by: AnsweredBy::Human });
        assert_eq!(r.summary.as_deref(), Some("No conversation took place: the transcript is empty."));
        assert_eq!(r.user_sentiment, Sentiment::Unknown);
        assert_eq!(r.call_successful, Some(false));
        assert!(!r.voicemail_detected);
        assert_eq!(r.answers.len(), 3, "configured questions, then the extra ones");
        assert_eq!(r.answers[1].question, "How many employees?");
        for a in &r.answers {
            assert_eq!(a.answer, Value::Null);
            assert!(a.reason.is_some());
        }
        let off = AnalysisConfig { summary: false, ..AnalysisConfig::default() };
        let r = analyze(&Input { transcript: &booking(), config: &off, extra_questions: &[], answered_by: AnsweredBy::Human });
        assert_eq!(r.summary, None);
        assert_eq!(r.call_successful, None);
    }

    #[test]
    fn summaries_differ_with_the_content() {
        let a = run(&booking(), "", vec![]).summary.unwrap();
        let b = run(&payroll(), "", vec![]).summary.unwrap();
        assert_ne!(a, b);
        let sentences = a.matches(". ").count() + 1;
        assert!((1..=3).contains(&sentences), "{a}");
    }
}
