//! Encryption at rest for third-party secrets (Twilio auth tokens, later HubSpot and LLM keys).
//!
//! XChaCha20-Poly1305 with a random 192-bit nonce per value, keyed by a subkey derived from the
//! server's `SECRET_KEY` (so the signing key is never used directly as a cipher key). The stored
//! form is `v1.<base64url(nonce || ciphertext)>`; the associated data binds a value to its
//! purpose and owner, so a sealed secret copied to another project or field does not open.

use super::secrets::hmac;
use crate::model::AppError;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::{rngs::OsRng, RngCore};

fn cipher(secret_key: &[u8; 32]) -> XChaCha20Poly1305 {
    let sub = hmac(secret_key, &[b"talkdeck-seal-v1"]);
    XChaCha20Poly1305::new((&sub).into())
}

/// Encrypts `plain`; `context` (e.g. `twilio:<project id>`) must be given again to open it.
pub fn seal(secret_key: &[u8; 32], context: &str, plain: &str) -> Result<String, AppError> {
    let mut nonce = [0u8; 24];
    OsRng.fill_bytes(&mut nonce);
    let ct = cipher(secret_key).encrypt(XNonce::from_slice(&nonce), Payload { msg: plain.as_bytes(), aad: context.as_bytes() }).map_err(|_| {
        tracing::error!("sealing a secret failed");
        AppError::internal()
    })?;
    let mut out = nonce.to_vec();
    out.extend_from_slice(&ct);
    Ok(format!("v1.{}", URL_SAFE_NO_PAD.encode(out)))
}

/// Decrypts a value made by [`seal`] with the same key and context.
pub fn open(secret_key: &[u8; 32], context: &str, sealed: &str) -> Result<String, AppError> {
    let fail = || {
        // A changed SECRET_KEY is the usual cause; the value itself is never logged.
        tracing::error!(context, "a stored secret cannot be decrypted (was SECRET_KEY changed?)");
        AppError::internal()
    };
    let raw = sealed.strip_prefix("v1.").and_then(|b| URL_SAFE_NO_PAD.decode(b).ok()).ok_or_else(fail)?;
    if raw.len() < 24 {
        return Err(fail());
    }
    let (nonce, ct) = raw.split_at(24);
    let plain = cipher(secret_key).decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad: context.as_bytes() }).map_err(|_| fail())?;
    String::from_utf8(plain).map_err(|_| fail())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_binds_key_and_context() {
        let k = [3u8; 32];
        let s = seal(&k, "twilio:p1", "token-123").unwrap();
        assert!(!s.contains("token-123"));
        assert_eq!(open(&k, "twilio:p1", &s).unwrap(), "token-123");
        assert!(open(&k, "twilio:p2", &s).is_err());
        assert!(open(&[4u8; 32], "twilio:p1", &s).is_err());
        assert!(open(&k, "twilio:p1", "v1.garbage").is_err());
        // A fresh nonce each time.
        assert_ne!(seal(&k, "c", "x").unwrap(), seal(&k, "c", "x").unwrap());
    }
}
