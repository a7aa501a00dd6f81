use crate::model::limits::{
    account::{COMPANY_NAME_MAX, PERSON_NAME_MAX},
    at_most,
};
use crate::model::AppError;

fn clean(raw: &str) -> String {
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A person's display name: 1 to 100 characters, no control characters, inner spaces collapsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let s = clean(raw);
        if s.is_empty() {
            return Err(AppError::field("name", "Enter your name."));
        }
        if s.chars().count() > PERSON_NAME_MAX {
            return Err(AppError::field("name", at_most(PERSON_NAME_MAX)));
        }
        if s.chars().any(char::is_control) {
            return Err(AppError::field("name", "The name contains characters we cannot store."));
        }
        Ok(PersonName(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An optional company name: empty means none; otherwise up to 120 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanyName(Option<String>);

impl CompanyName {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let s = clean(raw);
        if s.is_empty() {
            return Ok(CompanyName(None));
        }
        if s.chars().count() > COMPANY_NAME_MAX {
            return Err(AppError::field("company_name", at_most(COMPANY_NAME_MAX)));
        }
        if s.chars().any(char::is_control) {
            return Err(AppError::field("company_name", "The name contains characters we cannot store."));
        }
        Ok(CompanyName(Some(s)))
    }

    pub fn as_option(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

/// A 6-digit email verification code as typed (spaces and dashes ignored).
#[derive(Clone, PartialEq, Eq)]
pub struct VerificationCode(String);

impl std::fmt::Debug for VerificationCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VerificationCode(<redacted>)")
    }
}

impl VerificationCode {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let digits: String = raw.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
        if digits.is_empty() {
            return Err(AppError::field("code", "Enter the 6-digit code from the email."));
        }
        if digits.len() != 6 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(AppError::field("code", "The code is 6 digits."));
        }
        Ok(VerificationCode(digits))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_collapsed() {
        assert_eq!(PersonName::parse("  Ada   Lovelace ").unwrap().as_str(), "Ada Lovelace");
        assert!(PersonName::parse("   ").is_err());
        assert!(PersonName::parse(&"a".repeat(101)).is_err());
        assert!(PersonName::parse("a\u{0007}b").is_err());
    }

    #[test]
    fn company_is_optional() {
        assert_eq!(CompanyName::parse("  ").unwrap().as_option(), None);
        assert_eq!(CompanyName::parse(" Acme  Inc ").unwrap().as_option(), Some("Acme Inc"));
        assert!(CompanyName::parse(&"a".repeat(121)).is_err());
    }

    #[test]
    fn codes_are_six_digits() {
        assert_eq!(VerificationCode::parse("123 456").unwrap().expose(), "123456");
        assert_eq!(VerificationCode::parse("123-456").unwrap().expose(), "123456");
        for bad in ["", "12345", "1234567", "12a456", "１２３４５６"] {
            assert!(VerificationCode::parse(bad).is_err(), "{bad}");
        }
        assert!(!format!("{:?}", VerificationCode::parse("123456").unwrap()).contains("123"));
    }
}
