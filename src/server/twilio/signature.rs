//! Twilio's request signature (`X-Twilio-Signature`): base64 of HMAC-SHA1, keyed by the
//! account's auth token, over the full URL Twilio requested followed by every form parameter's
//! name and value, sorted by name.

use base64::Engine;
use hmac::{Hmac, Mac};
use sha1::Sha1;

/// The signature Twilio sends for a POST of `params` to `url`.
pub fn sign(token: &str, url: &str, params: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    // By name, then value: a repeated name is signed in value order, as Twilio's libraries do.
    sorted.sort();
    let mut data = String::from(url);
    for (k, v) in sorted {
        data.push_str(k);
        data.push_str(v);
    }
    // HMAC takes a key of any length.
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(token.as_bytes()) else { return String::new() };
    mac.update(data.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Whether `signature` is Twilio's for this request. The URL is tried as given and with its
/// default port added or removed: Twilio signs the URL as configured, and some proxies and
/// libraries add or drop `:443`.
pub fn valid(token: &str, url: &str, params: &[(String, String)], signature: &str) -> bool {
    if signature.is_empty() || token.is_empty() {
        return false;
    }
    variants(url).iter().any(|u| crate::server::auth::secrets::digests_equal(&sign(token, u, params), signature))
}

fn variants(url: &str) -> Vec<String> {
    let mut out = vec![url.to_string()];
    // Worked on the string: `Url` would normalise the default port away.
    let Some((scheme, rest)) = url.split_once("://") else { return out };
    let default = match scheme.to_ascii_lowercase().as_str() {
        "https" => "443",
        "http" => "80",
        _ => return out,
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let other = match authority.rsplit_once(':') {
        Some((host, port)) if port == default => host.to_string(),
        Some((_, port)) if port.chars().all(|c| c.is_ascii_digit()) && !authority.ends_with(']') => return out,
        _ => format!("{authority}:{default}"),
    };
    out.push(format!("{scheme}://{other}{tail}"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> Vec<(String, String)> {
        [("CallSid", "CA1234567890ABCDE"), ("Caller", "+14158675309"), ("Digits", "1234"), ("From", "+14158675309"), ("To", "+18005551212")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// twilio-python's request validator test vector.
    #[test]
    fn matches_twilios_published_vector() {
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        assert_eq!(sign("12345", url, &params()), "RSOYDt4T1cUTdK1PDd93/VVr8B8=");
        let mut shuffled = params();
        shuffled.reverse();
        assert!(valid("12345", url, &shuffled, "RSOYDt4T1cUTdK1PDd93/VVr8B8="));
    }

    #[test]
    fn refuses_changed_requests() {
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        let good = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";
        assert!(!valid("54321", url, &params(), good), "another token");
        assert!(!valid("12345", "https://mycompany.com/myapp.php?foo=1&bar=3", &params(), good), "another URL");
        let mut tampered = params();
        tampered[2].1 = "9999".into();
        assert!(!valid("12345", url, &tampered, good), "a changed parameter");
        let mut extra = params();
        extra.push(("SpeechResult".into(), "yes".into()));
        assert!(!valid("12345", url, &extra, good), "an added parameter");
        assert!(!valid("12345", url, &params(), ""), "no signature");
        assert!(!valid("", url, &params(), &sign("", url, &params())), "no token");
    }

    #[test]
    fn default_ports_are_tolerated_both_ways() {
        let p = params();
        let with_port = sign("12345", "https://mycompany.com:443/myapp.php?foo=1&bar=2", &p);
        assert!(valid("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", &p, &with_port));
        let without = sign("12345", "https://mycompany.com/myapp.php", &p);
        assert!(valid("12345", "https://mycompany.com:443/myapp.php", &p, &without));
        // Another port is another URL.
        let other = sign("12345", "https://mycompany.com:8443/myapp.php", &p);
        assert!(!valid("12345", "https://mycompany.com/myapp.php", &p, &other));
    }
}
