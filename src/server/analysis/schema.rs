//! The model's side of an LLM-backed analysis: the JSON schema it answers through (OpenAI
//! `response_format`, strict mode) and the check of its answer against the question types.
//!
//! Strict mode wants every property required and no additional properties, so optional values
//! are nullable rather than absent. The answers are an array with one object per question, in
//! the order of the configured questions then the extra ones; each item is `anyOf` one object
//! per question whose `question` is that question's text (a one-value enum) and whose `answer`
//! is `anyOf` the question's type and `null`. The schema cannot force the order, so
//! [`validate`] checks it.

use crate::model::{AnalysisConfig, AnalysisResult, CustomQuestion, QuestionAnswer, QuestionKind, Sentiment};
use serde_json::{json, Map, Value};

/// The `response_format` value for a chat completion request.
pub fn json_schema(config: &AnalysisConfig, extra: &[CustomQuestion]) -> Value {
    let questions: Vec<&CustomQuestion> = config.questions.iter().chain(extra).collect();
    let items = if questions.is_empty() {
        // No question: nothing may be answered (an item whose answer can only be null; the
        // validator wants the array empty).
        item_schema(None, json!({"type": "null"}))
    } else {
        let variants: Vec<Value> = questions.iter().map(|q| item_schema(Some(&q.question), answer_type(q))).collect();
        if variants.len() == 1 {
            variants.into_iter().next().unwrap_or_default()
        } else {
            json!({"anyOf": variants})
        }
    };
    let order: Vec<String> = questions.iter().enumerate().map(|(i, q)| format!("{}. {} ({})", i + 1, q.question, q.kind.as_str())).collect();
    let answers_doc = if order.is_empty() {
        "Leave empty: no question was asked.".to_string()
    } else {
        format!(
            "Exactly one entry per question, in this order: {}. Use null as the answer, with the reason, when the transcript does not support an answer.",
            order.join("; ")
        )
    };
    let criteria = config.success_criteria.trim();
    let success_doc =
        if criteria.is_empty() { "No success criteria are set: null.".to_string() } else { format!("Whether the call met the success criteria: {criteria}") };
    let summary_doc = if config.summary { "A summary of the call in 1 to 3 sentences." } else { "Not wanted: null." };
    json!({
        "type": "json_schema",
        "json_schema": {
            "name": "call_analysis",
            "strict": true,
            "schema": {
                "type": "object",
                "additionalProperties": false,
                "required": ["summary", "user_sentiment", "call_successful", "success_reason", "voicemail_detected", "answers"],
                "properties": {
                    "summary": {"type": ["string", "null"], "description": summary_doc},
                    "user_sentiment": {
                        "type": "string",
                        "enum": Sentiment::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
                        "description": "The caller's overall sentiment."
                    },
                    "call_successful": {"type": ["boolean", "null"], "description": success_doc},
                    "success_reason": {"type": "string", "description": "Why the call was or was not successful, quoting the transcript."},
                    "voicemail_detected": {"type": "boolean", "description": "Whether the call reached voicemail or an answering machine."},
                    "answers": {"type": "array", "description": answers_doc, "items": items}
                }
            }
        }
    })
}

fn answer_type(q: &CustomQuestion) -> Value {
    match q.kind {
        QuestionKind::Boolean => json!({"type": "boolean"}),
        QuestionKind::Number => json!({"type": "number"}),
        QuestionKind::Text => json!({"type": "string"}),
        QuestionKind::Selector => json!({"type": "string", "enum": q.options}),
    }
}

fn item_schema(question: Option<&str>, answer: Value) -> Value {
    let question = match question {
        Some(q) => json!({"type": "string", "enum": [q]}),
        None => json!({"type": "string"}),
    };
    let answer = if answer == json!({"type": "null"}) { answer } else { json!({"anyOf": [answer, {"type": "null"}]}) };
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["question", "answer", "reason"],
        "properties": {
            "question": question,
            "answer": answer,
            "reason": {"type": ["string", "null"], "description": "The evidence for the answer; required when the answer is null."}
        }
    })
}

/// Checks a model's answer (the parsed JSON of its message) against the configuration and turns
/// it into a result: answers in question order, Selector answers spelled as configured. The
/// error names the offending field or question. With no success criteria `call_successful` is
/// `None` whatever the model said; with `summary` off the summary is dropped.
pub fn validate(value: &Value, config: &AnalysisConfig, extra: &[CustomQuestion]) -> Result<AnalysisResult, String> {
    let obj = value.as_object().ok_or("the analysis must be a JSON object")?;
    let summary = match obj.get("summary") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Some(other) => return Err(format!("summary must be a string or null, not {}", kind_of(other))),
    };
    let sentiment_text = obj.get("user_sentiment").and_then(Value::as_str).ok_or("user_sentiment must be a string")?;
    let user_sentiment =
        Sentiment::parse(sentiment_text).ok_or_else(|| format!("user_sentiment must be one of positive, neutral, negative, unknown (got {sentiment_text:?})"))?;
    let call_successful = match obj.get("call_successful") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(other) => return Err(format!("call_successful must be a boolean or null, not {}", kind_of(other))),
    };
    let success_reason = match obj.get("success_reason") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.trim().to_string(),
        Some(other) => return Err(format!("success_reason must be a string, not {}", kind_of(other))),
    };
    let voicemail_detected = match obj.get("voicemail_detected") {
        Some(Value::Bool(b)) => *b,
        Some(other) => return Err(format!("voicemail_detected must be a boolean, not {}", kind_of(other))),
        None => return Err("voicemail_detected is missing".into()),
    };
    let questions: Vec<&CustomQuestion> = config.questions.iter().chain(extra).collect();
    let given = match obj.get("answers") {
        None | Some(Value::Null) => &[][..],
        Some(Value::Array(a)) => a.as_slice(),
        Some(other) => return Err(format!("answers must be an array, not {}", kind_of(other))),
    };
    if given.len() != questions.len() {
        return Err(format!("answers has {} entries for {} question{}", given.len(), questions.len(), if questions.len() == 1 { "" } else { "s" }));
    }
    let answers = questions.iter().zip(given).enumerate().map(|(i, (q, a))| check_answer(i + 1, q, a)).collect::<Result<Vec<_>, _>>()?;
    let (call_successful, success_reason) =
        if config.success_criteria.trim().is_empty() { (None, "No success criteria set.".to_string()) } else { (call_successful, success_reason) };
    Ok(AnalysisResult {
        summary: summary.filter(|_| config.summary),
        user_sentiment,
        call_successful,
        success_reason,
        voicemail_detected,
        answers,
    })
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn same_text(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    norm(a) == norm(b)
}

fn check_answer(n: usize, q: &CustomQuestion, a: &Value) -> Result<QuestionAnswer, String> {
    let name = format!("question {n} ({:?})", q.question);
    let empty = Map::new();
    let a = a.as_object().unwrap_or(&empty);
    if a.is_empty() {
        return Err(format!("{name}: the answer must be an object with question, answer and reason"));
    }
    match a.get("question").and_then(Value::as_str) {
        Some(text) if same_text(text, &q.question) => {}
        Some(text) => return Err(format!("{name}: the answer is for {text:?} (answers must follow the question order)")),
        None => return Err(format!("{name}: the answer does not say which question it answers")),
    }
    let reason = match a.get("reason") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Some(other) => return Err(format!("{name}: reason must be a string, not {}", kind_of(other))),
    };
    let value = a.get("answer").unwrap_or(&Value::Null);
    let answer = match (q.kind, value) {
        (_, Value::Null) => {
            if reason.is_none() {
                return Err(format!("{name}: a null answer needs a reason"));
            }
            Value::Null
        }
        (QuestionKind::Boolean, Value::Bool(_)) => value.clone(),
        (QuestionKind::Number, Value::Number(num)) if num.as_f64().is_some_and(f64::is_finite) => value.clone(),
        (QuestionKind::Text, Value::String(s)) if !s.trim().is_empty() => Value::String(s.trim().to_string()),
        (QuestionKind::Text, Value::String(_)) => return Err(format!("{name}: the text answer is empty (use null with a reason)")),
        (QuestionKind::Selector, Value::String(s)) => match q.options.iter().find(|o| same_text(o, s)) {
            Some(o) => Value::String(o.clone()),
            None => return Err(format!("{name}: {s:?} is not one of the options ({})", q.options.join(", "))),
        },
        (kind, other) => {
            let want = match kind {
                QuestionKind::Boolean => "a boolean",
                QuestionKind::Number => "a number",
                QuestionKind::Text | QuestionKind::Selector => "a string",
            };
            return Err(format!("{name}: a {} answer must be {want} or null, not {}", kind.as_str(), kind_of(other)));
        }
    };
    Ok(QuestionAnswer { question: q.question.clone(), kind: q.kind, answer, reason })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(question: &str, kind: QuestionKind, options: &[&str]) -> CustomQuestion {
        CustomQuestion { question: question.into(), kind, options: options.iter().map(|o| o.to_string()).collect() }
    }

    fn config() -> AnalysisConfig {
        AnalysisConfig {
            summary: true,
            success_criteria: "The caller books an appointment".into(),
            questions: vec![
                q("Does the caller have a car?", QuestionKind::Boolean, &[]),
                q("How many employees?", QuestionKind::Number, &[]),
                q("Which plan?", QuestionKind::Selector, &["Basic", "Premium Plus"]),
            ],
        }
    }

    fn good() -> Value {
        json!({
            "summary": "The caller booked a cleaning.",
            "user_sentiment": "positive",
            "call_successful": true,
            "success_reason": "Booked for Tuesday.",
            "voicemail_detected": false,
            "answers": [
                {"question": "Does the caller have a car?", "answer": false, "reason": "\"I don't have a car\""},
                {"question": "How many employees?", "answer": 25, "reason": null},
                {"question": "Which plan?", "answer": "premium plus", "reason": "said premium plus"},
                {"question": "What is the caller's email?", "answer": null, "reason": "Not given."}
            ]
        })
    }

    fn extra() -> Vec<CustomQuestion> {
        vec![q("What is the caller's email?", QuestionKind::Text, &[])]
    }

    #[test]
    fn schema_is_strict_and_typed_per_question() {
        let s = json_schema(&config(), &extra());
        assert_eq!(s["type"], "json_schema");
        assert_eq!(s["json_schema"]["strict"], true);
        let schema = &s["json_schema"]["schema"];
        assert_eq!(schema["additionalProperties"], false);
        let props = schema["properties"].as_object().unwrap();
        let required: Vec<&str> = schema["required"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        for k in props.keys() {
            assert!(required.contains(&k.as_str()), "{k} must be required in strict mode");
        }
        assert_eq!(schema["properties"]["user_sentiment"]["enum"], json!(["positive", "neutral", "negative", "unknown"]));
        assert_eq!(schema["properties"]["call_successful"]["type"], json!(["boolean", "null"]));
        let variants = schema["properties"]["answers"]["items"]["anyOf"].as_array().unwrap();
        assert_eq!(variants.len(), 4);
        assert_eq!(variants[0]["properties"]["question"]["enum"], json!(["Does the caller have a car?"]));
        assert_eq!(variants[0]["properties"]["answer"]["anyOf"], json!([{"type": "boolean"}, {"type": "null"}]));
        assert_eq!(variants[1]["properties"]["answer"]["anyOf"][0], json!({"type": "number"}));
        assert_eq!(variants[2]["properties"]["answer"]["anyOf"][0], json!({"type": "string", "enum": ["Basic", "Premium Plus"]}));
        assert_eq!(variants[3]["properties"]["answer"]["anyOf"][0], json!({"type": "string"}));
        for v in variants {
            assert_eq!(v["additionalProperties"], false);
            assert_eq!(v["required"], json!(["question", "answer", "reason"]));
        }
        let doc = schema["properties"]["answers"]["description"].as_str().unwrap();
        assert!(doc.contains("1. Does the caller have a car? (Boolean)") && doc.contains("4. What is the caller's email? (Text)"), "{doc}");
    }

    #[test]
    fn schema_without_questions_still_has_an_item_shape() {
        let s = json_schema(&AnalysisConfig::default(), &[]);
        let answers = &s["json_schema"]["schema"]["properties"]["answers"];
        assert_eq!(answers["items"]["properties"]["answer"], json!({"type": "null"}));
        assert!(answers["description"].as_str().unwrap().contains("no question"));
        assert!(s["json_schema"]["schema"]["properties"]["call_successful"]["description"].as_str().unwrap().contains("null"));
    }

    #[test]
    fn a_good_answer_is_accepted_and_normalised() {
        let r = validate(&good(), &config(), &extra()).unwrap();
        assert_eq!(r.summary.as_deref(), Some("The caller booked a cleaning."));
        assert_eq!(r.user_sentiment, Sentiment::Positive);
        assert_eq!(r.call_successful, Some(true));
        assert!(!r.voicemail_detected);
        assert_eq!(r.answers.len(), 4);
        assert_eq!(r.answers[0].answer, json!(false));
        assert_eq!(r.answers[1].answer, json!(25));
        assert_eq!(r.answers[1].reason, None);
        assert_eq!(r.answers[2].answer, json!("Premium Plus"), "normalised to the configured spelling");
        assert_eq!(r.answers[3].answer, Value::Null);
        assert_eq!(r.answers[3].reason.as_deref(), Some("Not given."));
        assert_eq!(r.answers[3].kind, QuestionKind::Text);
    }

    #[test]
    fn no_criteria_means_no_verdict_and_summary_off_drops_it() {
        let mut c = config();
        c.success_criteria = "  ".into();
        c.summary = false;
        let r = validate(&good(), &c, &extra()).unwrap();
        assert_eq!(r.call_successful, None);
        assert_eq!(r.success_reason, "No success criteria set.");
        assert_eq!(r.summary, None);
    }

    fn set(mut v: Value, path: &[&str], new: Value) -> Value {
        let mut cur = &mut v;
        for p in path {
            cur = match p.parse::<usize>() {
                Ok(i) => &mut cur[i],
                Err(_) => &mut cur[*p],
            };
        }
        *cur = new;
        v
    }

    #[test]
    fn wrong_types_and_unknown_options_are_refused_by_name() {
        let c = config();
        let x = extra();
        let err = |v: Value| validate(&v, &c, &x).unwrap_err();
        let e = err(set(good(), &["answers", "0", "answer"], json!("no")));
        assert!(e.contains("question 1") && e.contains("Does the caller have a car?") && e.contains("must be a boolean"), "{e}");
        let e = err(set(good(), &["answers", "1", "answer"], json!("twenty five")));
        assert!(e.contains("question 2") && e.contains("How many employees?") && e.contains("must be a number"), "{e}");
        let e = err(set(good(), &["answers", "2", "answer"], json!("Gold")));
        assert!(e.contains("Which plan?") && e.contains("\"Gold\" is not one of the options (Basic, Premium Plus)"), "{e}");
        let e = err(set(good(), &["answers", "3", "answer"], json!(42)));
        assert!(e.contains("What is the caller's email?") && e.contains("must be a string"), "{e}");
        let e = err(set(good(), &["answers", "3", "reason"], Value::Null));
        assert!(e.contains("a null answer needs a reason"), "{e}");
        let e = err(set(good(), &["answers", "0", "question"], json!("How many employees?")));
        assert!(e.contains("question 1") && e.contains("order"), "{e}");
        let e = err(set(good(), &["answers"], json!([])));
        assert!(e.contains("0 entries for 4 questions"), "{e}");
        let e = err(set(good(), &["user_sentiment"], json!("ecstatic")));
        assert!(e.contains("user_sentiment") && e.contains("ecstatic"), "{e}");
        let e = err(set(good(), &["call_successful"], json!("yes")));
        assert!(e.contains("call_successful"), "{e}");
        let e = err(set(good(), &["voicemail_detected"], Value::Null));
        assert!(e.contains("voicemail_detected"), "{e}");
        assert!(validate(&json!([1, 2]), &c, &x).unwrap_err().contains("JSON object"));
    }

    #[test]
    fn question_text_matches_loosely_and_text_is_trimmed() {
        let v = set(good(), &["answers", "0", "question"], json!("  does the caller HAVE a car? "));
        let v = set(v, &["answers", "3"], json!({"question": "What is the caller's email?", "answer": "  jo@example.com ", "reason": ""}));
        let r = validate(&v, &config(), &extra()).unwrap();
        assert_eq!(r.answers[0].question, "Does the caller have a car?", "the configured text is kept");
        assert_eq!(r.answers[3].answer, json!("jo@example.com"));
        assert_eq!(r.answers[3].reason, None);
    }
}
