use crate::model::AppError;

/// A normalised (trimmed, lower-cased) email address with a plausible shape. Deliverability is
/// proven by the verification mail, not here.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let bad = || AppError::field("email", "Enter a valid email address, like name@example.com.");
        let s = raw.trim().to_lowercase();
        if s.is_empty() {
            return Err(AppError::field("email", "Enter your email address."));
        }
        if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad());
        }
        let (local, domain) = s.rsplit_once('@').ok_or_else(bad)?;
        if local.is_empty() || local.len() > 64 || local.contains('@') {
            return Err(bad());
        }
        let labels: Vec<&str> = domain.split('.').collect();
        if labels.len() < 2
            || labels
                .iter()
                .any(|l| l.is_empty() || l.len() > 63 || l.starts_with('-') || l.ends_with('-') || !l.chars().all(|c| c.is_alphanumeric() || c == '-'))
        {
            return Err(bad());
        }
        if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
            return Err(bad());
        }
        Ok(Email(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Email {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_and_whitespace() {
        assert_eq!(Email::parse("  Ada@Example.COM ").unwrap().as_str(), "ada@example.com");
    }

    #[test]
    fn accepts_common_shapes() {
        for ok in ["a@b.co", "first.last+tag@sub.example.org", "x_y@ex-ample.io"] {
            assert!(Email::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn rejects_malformed() {
        for bad in ["", "plain", "@example.com", "a@", "a@b", "a b@c.com", "a@b..com", "a@-b.com", ".a@b.com", "a..b@c.com", "a@b\n.com", "a@@b.com"] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
        let long = format!("{}@example.com", "a".repeat(65));
        assert!(Email::parse(&long).is_err());
    }

    #[test]
    fn error_names_the_field() {
        assert!(Email::parse("nope").unwrap_err().field_message("email").is_some());
    }
}
