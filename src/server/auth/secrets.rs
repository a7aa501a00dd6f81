//! Random secrets and how they are stored. Tokens are 256-bit random values in base64url and
//! are kept only as SHA-256 digests. Email codes have only a million values, so their digest is
//! keyed (HMAC with the server key) to make a leaked table useless offline.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::{rngs::OsRng, Rng, RngCore};
use sha2::{Digest, Sha256};

/// A new random token of 256 bits, URL-safe.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A new random token of 128 bits (22 characters), for links that must stay short enough to
/// fit on one 7-bit mail line. Single-use and short-lived, so 128 bits is ample.
pub fn new_link_token() -> String {
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The stored form of a token.
pub fn sha256_hex(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A uniformly random 6-digit code.
pub fn new_code() -> String {
    format!("{:06}", OsRng.gen_range(0..1_000_000u32))
}

/// Keyed digest of a short code, bound to the user so equal codes hash differently.
pub fn code_digest(key: &[u8; 32], user_id: &str, code: &str) -> String {
    hex::encode(hmac(key, &[b"email-code", user_id.as_bytes(), code.as_bytes()]))
}

/// HMAC-SHA256 over the parts, separated so that ("ab","c") and ("a","bc") differ.
pub fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    // HMAC accepts keys of any length; `new_from_slice` cannot fail for it.
    let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    };
    for p in parts {
        mac.update(&(p.len() as u64).to_be_bytes());
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

/// Constant-time comparison of two hex digests.
pub fn digests_equal(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// What a settings page shows of a stored third-party token: its last four characters.
pub fn hint(token: &str) -> String {
    let tail: String = token.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
    format!("…{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_hints_show_the_last_four_characters() {
        assert_eq!(hint("pat-na1-1234-abcd"), "…abcd");
        assert_eq!(hint("ab"), "…ab");
    }

    #[test]
    fn tokens_have_256_bits_and_differ() {
        let a = new_token();
        assert_eq!(URL_SAFE_NO_PAD.decode(&a).unwrap().len(), 32);
        assert_ne!(a, new_token());
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    }

    #[test]
    fn link_tokens_have_128_bits() {
        let a = new_link_token();
        assert_eq!(URL_SAFE_NO_PAD.decode(&a).unwrap().len(), 16);
        assert_eq!(a.len(), 22);
        assert_ne!(a, new_link_token());
    }

    #[test]
    fn codes_are_six_digits() {
        for _ in 0..200 {
            let c = new_code();
            assert_eq!(c.len(), 6);
            assert!(c.chars().all(|d| d.is_ascii_digit()));
        }
    }

    #[test]
    fn code_digest_depends_on_key_user_and_code() {
        let k1 = [1u8; 32];
        let k2 = [2u8; 32];
        let d = code_digest(&k1, "u1", "123456");
        assert_eq!(d, code_digest(&k1, "u1", "123456"));
        assert_ne!(d, code_digest(&k2, "u1", "123456"));
        assert_ne!(d, code_digest(&k1, "u2", "123456"));
        assert_ne!(d, code_digest(&k1, "u1", "123457"));
    }

    #[test]
    fn hmac_parts_are_unambiguous() {
        assert_ne!(hmac(b"k", &[b"ab", b"c"]), hmac(b"k", &[b"a", b"bc"]));
    }

    #[test]
    fn sha256_is_hex_and_stable() {
        assert_eq!(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn digest_comparison() {
        assert!(digests_equal("abcd", "abcd"));
        assert!(!digests_equal("abcd", "abce"));
        assert!(!digests_equal("abcd", "abc"));
    }
}
