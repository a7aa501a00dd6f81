//! The browser session cookie: an opaque 256-bit id, `HttpOnly`, `SameSite=Lax`, `Secure` when the
//! public URL is https. The server stores only its SHA-256.

pub const SESSION_COOKIE: &str = "td_session";
/// Session lifetime: 30 days.
pub const SESSION_TTL_MS: i64 = 30 * 24 * 60 * 60 * 1000;

pub fn set_session(value: &str, secure: bool) -> String {
    let max_age = SESSION_TTL_MS / 1000;
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}

pub fn clear_session(secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}")
}

/// Finds the session cookie in a `Cookie` request header.
pub fn read_session(cookie_header: &str) -> Option<&str> {
    cookie_header.split(';').map(str::trim).find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k.trim() == SESSION_COOKIE && !v.trim().is_empty()).then(|| v.trim())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags() {
        let c = set_session("abc", false);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.contains("Path=/"));
        assert!(!c.contains("Secure"));
        assert!(set_session("abc", true).ends_with("; Secure"));
        assert!(clear_session(false).contains("Max-Age=0"));
    }

    #[test]
    fn reads_among_other_cookies() {
        assert_eq!(read_session("a=1; td_session=xyz; b=2"), Some("xyz"));
        assert_eq!(read_session("td_session_other=1"), None);
        assert_eq!(read_session("td_session="), None);
        assert_eq!(read_session(""), None);
    }
}
