//! Client-side form checks. They run after hydration, on blur and on submit, and only save a round
//! trip: the server checks everything again. Limits and their messages come from
//! `model::limits`, which the server's checks use too.

use crate::model::limits::{account, at_least, at_most};

/// Minimum password length (the server's policy; it also rejects common passwords).
pub const PASSWORD_MIN_LEN: usize = account::PASSWORD_MIN;

pub fn email(raw: &str) -> Option<String> {
    let s = raw.trim();
    if s.is_empty() {
        return Some("Enter your email address.".into());
    }
    let bad = || Some("Enter a valid email address, like name@example.com.".to_string());
    if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad();
    }
    let Some((local, domain)) = s.rsplit_once('@') else {
        return bad();
    };
    if local.is_empty() || local.len() > 64 || local.contains('@') {
        return bad();
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return bad();
    }
    let labels: Vec<&str> = domain.split('.').collect();
    let bad_label = |l: &&str| l.is_empty() || l.len() > 63 || l.starts_with('-') || l.ends_with('-') || !l.chars().all(|c| c.is_alphanumeric() || c == '-');
    if labels.len() < 2 || labels.iter().any(bad_label) {
        return bad();
    }
    None
}

/// A password being chosen (sign-up, reset, change).
pub fn new_password(raw: &str) -> Option<String> {
    let n = raw.chars().count();
    if n == 0 {
        return Some("Enter a password.".into());
    }
    if n < PASSWORD_MIN_LEN {
        return Some(at_least(PASSWORD_MIN_LEN));
    }
    if n > account::PASSWORD_MAX {
        return Some(at_most(account::PASSWORD_MAX));
    }
    if raw.trim().is_empty() {
        return Some("The password cannot be only spaces.".into());
    }
    None
}

/// An existing password (log-in, current password): only presence is checked.
pub fn present(raw: &str, message: &str) -> Option<String> {
    raw.is_empty().then(|| message.to_string())
}

pub fn confirm(password: &str, confirmation: &str) -> Option<String> {
    if confirmation.is_empty() {
        return Some("Repeat the new password.".into());
    }
    (password != confirmation).then(|| "The two passwords do not match.".to_string())
}

pub fn person_name(raw: &str) -> Option<String> {
    let n = raw.trim().chars().count();
    if n == 0 {
        return Some("Enter your name.".into());
    }
    (n > account::PERSON_NAME_MAX).then(|| at_most(account::PERSON_NAME_MAX))
}

pub fn company_name(raw: &str) -> Option<String> {
    (raw.trim().chars().count() > account::COMPANY_NAME_MAX).then(|| at_most(account::COMPANY_NAME_MAX))
}

pub fn verification_code(raw: &str) -> Option<String> {
    let digits: String = raw.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
    if digits.is_empty() {
        return Some("Enter the 6-digit code from the email.".into());
    }
    (digits.len() != 6 || !digits.chars().all(|c| c.is_ascii_digit())).then(|| "The code is 6 digits.".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert!(email("ada@example.com").is_none());
        assert!(email(" first.last+tag@sub.example.org ").is_none());
        for bad in ["", "plain", "@example.com", "a@", "a@b", "a b@c.com", "a@b..com", "a@-b.com", ".a@b.com"] {
            assert!(email(bad).is_some(), "{bad:?}");
        }
    }

    #[test]
    fn passwords() {
        assert!(new_password("short").is_some());
        assert!(new_password("eightch!").is_none());
        assert!(new_password("        ").is_some());
        assert!(confirm("abcdefgh", "abcdefgh").is_none());
        assert!(confirm("abcdefgh", "abcdefgX").is_some());
    }

    #[test]
    fn codes() {
        assert!(verification_code("123 456").is_none());
        assert!(verification_code("123-456").is_none());
        assert!(verification_code("12345").is_some());
        assert!(verification_code("").is_some());
    }
}
