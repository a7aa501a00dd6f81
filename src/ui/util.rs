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

/// `navigator.clipboard.writeText(text)`, looked up dynamically; false when unavailable (or on the
/// server).
pub fn write_clipboard(text: &str) -> bool {
    use leptos::wasm_bindgen::JsCast;
    use leptos::web_sys::js_sys::{Function, Reflect};
    let Some(win) = leptos::web_sys::window() else { return false };
    let Ok(nav) = Reflect::get(&win, &"navigator".into()) else { return false };
    let Ok(clipboard) = Reflect::get(&nav, &"clipboard".into()) else { return false };
    if clipboard.is_undefined() || clipboard.is_null() {
        return false;
    }
    let Ok(write) = Reflect::get(&clipboard, &"writeText".into()) else { return false };
    match write.dyn_into::<Function>() {
        Ok(f) => f.call1(&clipboard, &text.into()).is_ok(),
        Err(_) => false,
    }
}

/// A Unix time in milliseconds as `YYYY-MM-DD HH:MM UTC` (the same on the server and in the
/// browser, so hydration matches).
pub fn format_time(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02} UTC", rem / 3600, (rem % 3600) / 60)
}

/// Days since 1970-01-01 to a (year, month, day) date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
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
    fn formats_times() {
        assert_eq!(format_time(0), "1970-01-01 00:00 UTC");
        assert_eq!(format_time(1_709_210_096_000), "2024-02-29 12:34 UTC");
    }

    #[test]
    fn builds_verify_links() {
        assert_eq!(verify_href("", None), "/verify");
        assert_eq!(verify_href("a@b.co", None), "/verify?email=a%40b.co");
        assert_eq!(verify_href("a@b.co", Some("/agents")), "/verify?email=a%40b.co&next=%2Fagents");
        assert_eq!(verify_href("", Some("/agents")), "/verify?next=%2Fagents");
    }
}
