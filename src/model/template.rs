//! `{{variable}}` templates for prompts and first messages. Shared with the browser so that the
//! agent editor lists variables and previews the prompt as the user types, with the same rules
//! the server applies when it places a call.

use crate::model::AppError;
use std::collections::HashMap;

/// A prompt or first message with `{{variable}}` placeholders.
///
/// Names are letters, digits and underscores, not starting with a digit; spaces inside the braces
/// are allowed (`{{ name }}`). `\{{` writes a literal `{{`. Rendering inserts values verbatim, so
/// a value that itself contains `{{x}}` is never expanded again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromptTemplate {
    source: String,
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Var(String),
}

fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_') && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl PromptTemplate {
    /// Parses a template; `field` names the form field for errors. Anything that is not a valid
    /// placeholder stays text, except an unclosed `{{`, which is almost always a typo.
    pub fn parse(raw: &str, field: &str) -> Result<Self, AppError> {
        let mut parts = Vec::new();
        let mut text = String::new();
        let mut rest = raw;
        while let Some(i) = rest.find("{{") {
            if rest[..i].ends_with('\\') {
                text.push_str(&rest[..i - 1]);
                text.push_str("{{");
                rest = &rest[i + 2..];
                continue;
            }
            text.push_str(&rest[..i]);
            let after = &rest[i + 2..];
            let Some(end) = after.find("}}") else {
                return Err(AppError::field(field, "A {{ is never closed with }}. Write \\{{ for a literal {{."));
            };
            let name = after[..end].trim();
            if is_name(name) {
                if !text.is_empty() {
                    parts.push(Part::Text(std::mem::take(&mut text)));
                }
                parts.push(Part::Var(name.to_string()));
            } else {
                text.push_str(&rest[i..i + 2 + end + 2]);
            }
            rest = &after[end + 2..];
        }
        text.push_str(rest);
        if !text.is_empty() {
            parts.push(Part::Text(text));
        }
        Ok(PromptTemplate { source: raw.to_string(), parts })
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// The variable names, each once, in order of first use.
    pub fn variables(&self) -> Vec<String> {
        let mut seen = Vec::new();
        for p in &self.parts {
            if let Part::Var(v) = p {
                if !seen.contains(v) {
                    seen.push(v.clone());
                }
            }
        }
        seen
    }

    /// Renders with `values`; every variable must have a value, and the error names those missing.
    pub fn render(&self, values: &HashMap<String, String>) -> Result<String, AppError> {
        let missing: Vec<String> = self.variables().into_iter().filter(|v| !values.contains_key(v)).collect();
        if !missing.is_empty() {
            return Err(missing_values(&missing));
        }
        let mut out = String::with_capacity(self.source.len());
        for p in &self.parts {
            match p {
                Part::Text(t) => out.push_str(t),
                Part::Var(v) => out.push_str(values.get(v).map(String::as_str).unwrap_or_default()),
            }
        }
        Ok(out)
    }
}

/// The error for variables without a value: one message naming them all, one detail each.
pub fn missing_values(missing: &[String]) -> AppError {
    let mut e = AppError::field("dynamicVariables", format!("Missing values for: {}.", missing.join(", ")));
    e.details = missing.iter().map(|m| crate::model::error::FieldError { field: m.clone(), message: "A value is required.".into() }).collect();
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vals(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn detects_variables_once_in_order() {
        let t = PromptTemplate::parse("Hi {{name}}, from {{ company }}. Bye {{name}}!", "p").unwrap();
        assert_eq!(t.variables(), ["name", "company"]);
    }

    #[test]
    fn renders_repeated_variables() {
        let t = PromptTemplate::parse("{{a}}-{{b}}-{{a}}", "p").unwrap();
        assert_eq!(t.render(&vals(&[("a", "1"), ("b", "2")])).unwrap(), "1-2-1");
    }

    #[test]
    fn missing_variables_are_named() {
        let t = PromptTemplate::parse("{{name}} at {{time}} on {{day}}", "p").unwrap();
        let e = t.render(&vals(&[("time", "9")])).unwrap_err();
        assert!(e.message.contains("name, day"), "{}", e.message);
        assert_eq!(e.details.len(), 2);
    }

    #[test]
    fn escapes_and_non_names_stay_text() {
        let t = PromptTemplate::parse(r"Use \{{name}} literally, {{ not a name }}, {{1x}}", "p").unwrap();
        assert!(t.variables().is_empty());
        assert_eq!(t.render(&HashMap::new()).unwrap(), "Use {{name}} literally, {{ not a name }}, {{1x}}");
    }

    #[test]
    fn values_are_not_expanded_again() {
        let t = PromptTemplate::parse("Hello {{name}}", "p").unwrap();
        assert_eq!(t.render(&vals(&[("name", "{{evil}}")])).unwrap(), "Hello {{evil}}");
    }

    #[test]
    fn unclosed_braces_are_an_error() {
        assert!(PromptTemplate::parse("Hi {{name", "p").is_err());
        assert!(PromptTemplate::parse("no vars", "p").unwrap().variables().is_empty());
        assert_eq!(PromptTemplate::parse("", "p").unwrap().render(&HashMap::new()).unwrap(), "");
    }

    #[test]
    fn unicode_text_survives() {
        let t = PromptTemplate::parse("Grüß {{ name }} — ☎", "p").unwrap();
        assert_eq!(t.render(&vals(&[("name", "Zoë")])).unwrap(), "Grüß Zoë — ☎");
    }
}
