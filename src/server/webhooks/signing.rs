//! Standard Webhooks signing (<https://www.standardwebhooks.com/>): the secret format
//! (`whsec_` + base64 key), `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, and a header that
//! carries one signature per active secret, space-separated, while a secret is being rotated.
//!
//! Why not the `standardwebhooks` crate: it is one HMAC over RustCrypto crates the server already
//! uses, and the crate would add a second base64 major version; the spec's published example is
//! checked below.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

const PREFIX: &str = "whsec_";
/// Random bytes in a new secret (Svix and the spec's examples use 24).
const KEY_BYTES: usize = 24;

/// A signing secret. Its `Debug` never shows the key.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret {
    key: Vec<u8>,
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(redacted)")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error("a webhook secret starts with \"whsec_\"")]
    Prefix,
    #[error("a webhook secret is base64 after \"whsec_\"")]
    Base64,
    #[error("a webhook secret needs 24 to 64 bytes of key")]
    Length,
}

impl Secret {
    /// Reads `whsec_<base64>`.
    pub fn parse(text: &str) -> Result<Self, SecretError> {
        let b64 = text.trim().strip_prefix(PREFIX).ok_or(SecretError::Prefix)?;
        let key = B64.decode(b64).map_err(|_| SecretError::Base64)?;
        if !(KEY_BYTES..=64).contains(&key.len()) {
            return Err(SecretError::Length);
        }
        Ok(Secret { key })
    }

    /// A new random secret and its text (`whsec_…`), which is what gets stored and shown.
    pub fn generate() -> (Secret, String) {
        use rand::RngCore;
        let mut key = vec![0u8; KEY_BYTES];
        rand::rngs::OsRng.fill_bytes(&mut key);
        let text = format!("{PREFIX}{}", B64.encode(&key));
        (Secret { key }, text)
    }

    fn mac(&self, id: &str, timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
        // An HMAC key may have any length: `new_from_slice` cannot fail for HMAC.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key).unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        mac
    }

    /// `v1,<base64 signature>` of one message.
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        format!("v1,{}", B64.encode(self.mac(id, timestamp, body).finalize().into_bytes()))
    }

    /// Whether `signature` (`v1,<base64>`) is this secret's for the message, compared in
    /// constant time.
    pub fn verifies(&self, signature: &str, id: &str, timestamp: i64, body: &[u8]) -> bool {
        let Some(b64) = signature.strip_prefix("v1,") else { return false };
        let Ok(sig) = B64.decode(b64) else { return false };
        self.mac(id, timestamp, body).verify_slice(&sig).is_ok()
    }
}

/// The `webhook-signature` header: one signature per secret (the current one first; during a
/// rotation also the previous one), space-separated.
pub fn signature_header(secrets: &[&Secret], id: &str, timestamp: i64, body: &[u8]) -> String {
    secrets.iter().map(|s| s.sign(id, timestamp, body)).collect::<Vec<_>>().join(" ")
}

/// Whether any signature of a `webhook-signature` header is `secret`'s (a receiver's check).
pub fn header_verifies(secret: &Secret, header: &str, id: &str, timestamp: i64, body: &[u8]) -> bool {
    header.split(' ').any(|sig| secret.verifies(sig, id, timestamp, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    // The example published with the Standard Webhooks specification.
    const SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
    const ID: &str = "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk";
    const TS: i64 = 1649367553;
    const BODY: &[u8] = br#"{"email":"test@example.com","username":"test_user"}"#;
    const SIGNATURE: &str = "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=";

    #[test]
    fn signs_the_specs_example() {
        let s = Secret::parse(SECRET).unwrap();
        assert_eq!(s.sign(ID, TS, BODY), SIGNATURE);
        assert!(s.verifies(SIGNATURE, ID, TS, BODY));
    }

    #[test]
    fn any_change_breaks_the_signature() {
        let s = Secret::parse(SECRET).unwrap();
        assert!(!s.verifies(SIGNATURE, ID, TS + 1, BODY));
        assert!(!s.verifies(SIGNATURE, "msg_other", TS, BODY));
        assert!(!s.verifies(SIGNATURE, ID, TS, br#"{"email":"test@example.com","username":"test_user" }"#));
        assert!(!s.verifies("v2,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=", ID, TS, BODY));
        assert!(!s.verifies("v1,not base64!", ID, TS, BODY));
    }

    #[test]
    fn a_rotation_signs_with_both_secrets() {
        let old = Secret::parse(SECRET).unwrap();
        let (new, text) = Secret::generate();
        assert!(text.starts_with("whsec_"));
        assert_eq!(Secret::parse(&text).unwrap(), new);
        let header = signature_header(&[&new, &old], ID, TS, BODY);
        assert_eq!(header.split(' ').count(), 2);
        assert!(header.ends_with(SIGNATURE));
        assert!(header_verifies(&old, &header, ID, TS, BODY));
        assert!(header_verifies(&new, &header, ID, TS, BODY));
        let (stranger, _) = Secret::generate();
        assert!(!header_verifies(&stranger, &header, ID, TS, BODY));
    }

    #[test]
    fn secrets_are_checked_and_never_printed() {
        assert_eq!(Secret::parse("C2FVsBQIhrscChlQIMV+b5sSYspob7oD"), Err(SecretError::Prefix));
        assert_eq!(Secret::parse("whsec_%%%"), Err(SecretError::Base64));
        assert_eq!(Secret::parse("whsec_c2hvcnQ="), Err(SecretError::Length));
        let s = Secret::parse(SECRET).unwrap();
        assert_eq!(format!("{s:?}"), "Secret(redacted)");
    }
}
