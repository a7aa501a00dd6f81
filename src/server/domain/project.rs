use crate::model::limits::{
    at_most,
    project::{webhook_url_too_long, DESCRIPTION_MAX, NAME_MAX, WEBHOOK_URL_MAX},
};
use crate::model::AppError;

/// A project name: 1 to 100 characters after trimming, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectName(String);

impl ProjectName {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let s = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        if s.is_empty() {
            return Err(AppError::field("name", "Enter a project name."));
        }
        if s.chars().count() > NAME_MAX {
            return Err(AppError::field("name", at_most(NAME_MAX)));
        }
        if s.chars().any(char::is_control) {
            return Err(AppError::field("name", "The name contains characters we cannot store."));
        }
        Ok(ProjectName(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A free-text description of at most 2000 characters (may be empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Description(String);

impl Description {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let s = raw.trim();
        if s.chars().count() > DESCRIPTION_MAX {
            return Err(AppError::field("description", at_most(DESCRIPTION_MAX)));
        }
        Ok(Description(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An absolute http(s) URL that Talkdeck will call (webhooks). Reachability and address checks
/// happen at delivery time (SSRF guard), not here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl(String);

impl WebhookUrl {
    pub fn parse(raw: &str, field: &str) -> Result<Self, AppError> {
        let s = raw.trim();
        let bad = || AppError::field(field, "Enter a full http:// or https:// URL.");
        if s.len() > WEBHOOK_URL_MAX {
            return Err(AppError::field(field, webhook_url_too_long()));
        }
        let u = url::Url::parse(s).map_err(|_| bad())?;
        if !matches!(u.scheme(), "http" | "https") || u.host_str().is_none_or(str::is_empty) {
            return Err(bad());
        }
        if !u.username().is_empty() || u.password().is_some() {
            return Err(AppError::field(field, "Put credentials in a header, not in the URL."));
        }
        Ok(WebhookUrl(u.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_names() {
        assert_eq!(ProjectName::parse("  Demo   Project ").unwrap().as_str(), "Demo Project");
        assert!(ProjectName::parse("").is_err());
        assert!(ProjectName::parse(&"x".repeat(101)).is_err());
        assert!(ProjectName::parse("a\u{0}b").is_err());
    }

    #[test]
    fn descriptions() {
        assert_eq!(Description::parse("  hi ").unwrap().as_str(), "hi");
        assert!(Description::parse("").is_ok());
        assert!(Description::parse(&"x".repeat(2001)).is_err());
    }

    #[test]
    fn webhook_urls() {
        assert_eq!(WebhookUrl::parse("https://example.com/hook", "w").unwrap().as_str(), "https://example.com/hook");
        for bad in ["", "example.com", "ftp://x.com/", "https://user:pw@x.com/", "javascript:alert(1)"] {
            assert!(WebhookUrl::parse(bad, "w").is_err(), "{bad}");
        }
    }
}
