use crate::model::AppError;

/// Minimum and maximum lengths in characters. No truncation anywhere: argon2 sees every byte.
pub const MIN_LEN: usize = crate::model::limits::account::PASSWORD_MIN;
pub const MAX_LEN: usize = crate::model::limits::account::PASSWORD_MAX;

/// A new password that meets the policy. Wraps the secret so that `Debug` never prints it.
#[derive(Clone)]
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

// The list holds widely leaked passwords of 8+ characters (shorter ones fail the length rule).
const COMMON: &str = include_str!("common_passwords.txt");

fn is_common(candidate: &str) -> bool {
    let lower = candidate.to_lowercase();
    COMMON.lines().map(str::trim).any(|l| !l.is_empty() && l == lower)
}

impl Password {
    /// Checks a *new* password against the policy (`field` names the form field for errors).
    pub fn parse_new(raw: &str, field: &str) -> Result<Self, AppError> {
        let n = raw.chars().count();
        if n < MIN_LEN {
            return Err(AppError::field(field, crate::model::limits::at_least(MIN_LEN)));
        }
        if n > MAX_LEN {
            return Err(AppError::field(field, crate::model::limits::at_most(MAX_LEN)));
        }
        if raw.trim().is_empty() {
            return Err(AppError::field(field, "The password cannot be only spaces."));
        }
        if is_common(raw) {
            return Err(AppError::field(field, "This password is too common and easy to guess. Choose another."));
        }
        Ok(Password(raw.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_bounds() {
        assert!(Password::parse_new("short1!", "password").is_err());
        assert!(Password::parse_new("eightch!", "password").is_ok());
        assert!(Password::parse_new(&"x".repeat(MAX_LEN), "password").is_ok());
        assert!(Password::parse_new(&"x".repeat(MAX_LEN + 1), "password").is_err());
        // 64 characters must always be allowed.
        assert!(Password::parse_new(&"qz".repeat(32), "password").is_ok());
    }

    #[test]
    fn counts_characters_not_bytes() {
        // 8 characters, 24 bytes.
        assert!(Password::parse_new("ぱすわーどです!", "password").is_ok());
    }

    #[test]
    fn rejects_common_passwords_case_insensitively() {
        for p in ["password", "Password1", "12345678", "qwertyuiop", "iloveyou"] {
            assert!(Password::parse_new(p, "password").is_err(), "{p}");
        }
    }

    #[test]
    fn rejects_blank() {
        assert!(Password::parse_new("          ", "password").is_err());
    }

    #[test]
    fn debug_is_redacted() {
        let p = Password::parse_new("correct horse battery", "password").unwrap();
        assert!(!format!("{p:?}").contains("horse"));
    }
}
