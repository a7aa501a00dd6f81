//! Where a webhook may be delivered. A URL must be http(s) with a host; every address it
//! resolves to is checked at connect time (after DNS, so a name rebinding to 127.0.0.1 gains
//! nothing) against the ranges a server must never reach on a customer's behalf: loopback,
//! private, shared (CGNAT), link-local, unique-local, unspecified, multicast, broadcast and
//! reserved space, and IPv6 forms that carry an IPv4 address (mapped, translated, compatible,
//! NAT64 including local-use, 6to4, Teredo).
//! `WEBHOOK_ALLOW_PRIVATE_TARGETS=true` lifts the address rules (local development and tests).
//!
//! Hosts written as numbers in other forms (`2130706433`, `0177.0.0.1`, `0x7f.1`) are read as
//! the WHATWG URL standard reads them, which is what the `url` crate does, so they are checked as
//! the addresses they are.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use url::{Host, Url};

/// Why an address may not be reached.
pub fn refused(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => refused_v4(v4),
        IpAddr::V6(v6) => refused_v6(v6),
    }
}

fn refused_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    Some(match () {
        _ if a == 0 => "an unspecified address (0.0.0.0/8)",
        _ if ip.is_loopback() => "a loopback address",
        _ if ip.is_private() => "a private address",
        _ if a == 100 && (64..128).contains(&b) => "a shared (carrier-grade NAT) address",
        _ if ip.is_link_local() => "a link-local address",
        _ if ip.is_multicast() => "a multicast address",
        _ if ip.is_broadcast() => "the broadcast address",
        _ if a >= 240 => "a reserved address",
        _ if a == 192 && b == 0 && c == 0 => "an IETF protocol address (192.0.0.0/24)",
        _ if a == 198 && (b == 18 || b == 19) => "a benchmarking address (198.18.0.0/15)",
        _ if (a, b, c) == (192, 0, 2) || (a, b, c) == (198, 51, 100) || (a, b, c) == (203, 0, 113) => "a documentation address",
        _ => return None,
    })
}

fn refused_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let seg = ip.segments();
    Some(match () {
        _ if ip.is_unspecified() => "the unspecified address",
        _ if ip.is_loopback() => "a loopback address",
        _ if ip.to_ipv4_mapped().is_some() => "an IPv4-mapped address",
        // ::ffff:0:a.b.c.d (SIIT, IPv4-translated) reaches IPv4 hosts through a translator.
        _ if seg[..4] == [0; 4] && seg[4] == 0xffff && seg[5] == 0 => "an IPv4-translated address",
        // ::a.b.c.d (IPv4-compatible, deprecated) and NAT64 (64:ff9b::/96) reach IPv4 hosts.
        _ if seg[..6] == [0; 6] => "an IPv4-compatible address",
        _ if seg[0] == 0x64 && seg[1] == 0xff9b && seg[2..6] == [0; 4] => "a NAT64 address",
        _ if seg[0] == 0x64 && seg[1] == 0xff9b && seg[2] == 1 => "a local-use NAT64 address",
        _ if seg[0] == 0x2001 && seg[1] == 0 => "a Teredo address",
        _ if seg[0] == 0x2002 => "a 6to4 address",
        _ if seg[0] & 0xfe00 == 0xfc00 => "a unique-local address",
        _ if seg[0] & 0xffc0 == 0xfe80 => "a link-local address",
        _ if seg[0] & 0xffc0 == 0xfec0 => "a site-local address",
        _ if ip.is_multicast() => "a multicast address",
        _ if seg[0] == 0x2001 && seg[1] == 0x0db8 => "a documentation address",
        _ => return None,
    })
}

/// Why a webhook URL cannot be used, as shown to the admin who enters it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    #[error("enter a full URL, such as https://example.com/hooks/talkdeck")]
    Unparsable,
    #[error("use an http:// or https:// URL")]
    Scheme,
    #[error("the URL needs a host name")]
    NoHost,
    #[error("the URL must not carry a user name or password")]
    Credentials,
    #[error("{0} cannot receive webhooks: it is {1}")]
    Address(String, &'static str),
}

/// Checks a URL an admin entered: scheme, host, no credentials, and an address written in the
/// URL itself (any notation). Host names are checked again, address by address, at connect time.
pub fn check_url(text: &str, allow_private: bool) -> Result<Url, UrlError> {
    let url = Url::parse(text.trim()).map_err(|_| UrlError::Unparsable)?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(UrlError::Scheme);
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(UrlError::Credentials);
    }
    let ip = match url.host() {
        None => return Err(UrlError::NoHost),
        Some(Host::Domain("")) => return Err(UrlError::NoHost),
        Some(Host::Domain(_)) => None,
        Some(Host::Ipv4(v4)) => Some(IpAddr::V4(v4)),
        Some(Host::Ipv6(v6)) => Some(IpAddr::V6(v6)),
    };
    if let (Some(ip), false) = (ip, allow_private) {
        if let Some(why) = refused(ip) {
            return Err(UrlError::Address(ip.to_string(), why));
        }
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no(s: &str) -> bool {
        refused(s.parse().unwrap()).is_some()
    }

    #[test]
    fn ipv4_ranges() {
        for ip in [
            "0.0.0.0",
            "0.1.2.3",
            "127.0.0.1",
            "127.255.0.9",
            "10.0.0.1",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "100.64.0.1",
            "169.254.169.254",
            "224.0.0.1",
            "255.255.255.255",
            "240.0.0.1",
            "192.0.0.8",
            "198.18.0.1",
        ] {
            assert!(no(ip), "{ip} must be refused");
        }
        for ip in ["8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "93.184.216.34"] {
            assert!(!no(ip), "{ip} must be allowed");
        }
    }

    #[test]
    fn ipv6_ranges_and_embedded_ipv4() {
        for ip in [
            "::",
            "::1",
            "::ffff:127.0.0.1",
            "::ffff:8.8.8.8",
            "::127.0.0.1",
            "64:ff9b::a00:1",
            "2002:7f00:1::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "2001:db8::1",
        ] {
            assert!(no(ip), "{ip} must be refused");
        }
        for ip in ["2606:4700:4700::1111", "2001:4860:4860::8888"] {
            assert!(!no(ip), "{ip} must be allowed");
        }
    }

    #[test]
    fn ipv6_translation_forms() {
        for ip in ["::ffff:0:7f00:1", "64:ff9b:1::a00:1", "2001:0:4136:e378:8000:63bf:3fff:fdd2"] {
            assert!(no(ip), "{ip} must be refused");
        }
    }

    #[test]
    fn urls_with_addresses_in_any_notation() {
        for (url, ip) in [
            ("http://127.0.0.1/hook", "127.0.0.1"),
            ("http://2130706433/", "127.0.0.1"),
            ("http://0177.0.0.1/", "127.0.0.1"),
            ("http://0x7f.1/", "127.0.0.1"),
            ("http://017700000001/", "127.0.0.1"),
            ("http://10.1/", "10.0.0.1"),
            ("https://[::1]:8443/x", "::1"),
            ("http://[::ffff:7f00:1]/", "::ffff:127.0.0.1"),
            ("http://169.254.169.254/latest/meta-data", "169.254.169.254"),
        ] {
            match check_url(url, false) {
                Err(UrlError::Address(got, _)) => assert_eq!(got, ip, "{url}"),
                other => panic!("{url}: {other:?}"),
            }
            assert!(check_url(url, true).is_ok(), "{url} with private targets allowed");
        }
    }

    #[test]
    fn url_shapes() {
        assert!(check_url("https://hooks.example.com/talkdeck?x=1", false).is_ok());
        assert!(check_url("http://8.8.8.8:8080/", false).is_ok());
        assert_eq!(check_url("ftp://example.com/", false), Err(UrlError::Scheme));
        assert_eq!(check_url("file:///etc/passwd", false), Err(UrlError::Scheme));
        assert_eq!(check_url("example.com/hook", false), Err(UrlError::Unparsable));
        assert_eq!(check_url("https://user:pw@example.com/", false), Err(UrlError::Credentials));
    }
}
