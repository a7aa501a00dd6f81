//! Small helpers shared by pages and layouts.

/// Percent-encodes a string for use as a URL query value (RFC 3986 unreserved characters kept).
pub fn encode_query_value(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(char::from(b)),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A link to the email verification page, prefilled with `email` and carrying `next` when given.
pub fn verify_href(email: &str, next: Option<&str>) -> String {
    let mut href = String::from("/verify");
    let mut sep = '?';
    if !email.trim().is_empty() {
        href.push(sep);
        href.push_str("email=");
        href.push_str(&encode_query_value(email.trim()));
        sep = '&';
    }
    if let Some(next) = next.filter(|n| !n.is_empty()) {
        href.push(sep);
        href.push_str("next=");
        href.push_str(&encode_query_value(next));
    }
    href
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_reserved_characters() {
        assert_eq!(encode_query_value("a+b@example.com"), "a%2Bb%40example.com");
        assert_eq!(encode_query_value("/calls?x=1"), "%2Fcalls%3Fx%3D1");
    }

    #[test]
    fn builds_verify_links() {
        assert_eq!(verify_href("", None), "/verify");
        assert_eq!(verify_href("a@b.co", None), "/verify?email=a%40b.co");
        assert_eq!(verify_href("a@b.co", Some("/agents")), "/verify?email=a%40b.co&next=%2Fagents");
        assert_eq!(verify_href("", Some("/agents")), "/verify?next=%2Fagents");
    }
}
