//! Bearer access tokens: short-lived HS256 JWTs naming the user and the token family. A valid
//! signature is not enough: the family is checked against the database on every request, so
//! logout, refresh-token replay and password reset take effect at once.

use super::secrets::hmac;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

/// Lifetime of an access token: Talkstack's documented two hours.
pub const ACCESS_TTL_SECS: i64 = 2 * 60 * 60;

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub fam: String,
    pub iat: i64,
    pub exp: i64,
    pub typ: String,
}

#[derive(Clone)]
pub struct AccessKeys {
    enc: EncodingKey,
    dec: DecodingKey,
}

impl AccessKeys {
    pub fn new(secret: &[u8; 32]) -> Self {
        // A key of its own, derived from the server key, so no other use of it can forge tokens.
        let k = hmac(secret, &[b"talkdeck access token signing v1"]);
        AccessKeys { enc: EncodingKey::from_secret(&k), dec: DecodingKey::from_secret(&k) }
    }

    /// Signs a token; returns it with its expiry (Unix seconds).
    pub fn sign(&self, user_id: &str, family_id: &str, now_secs: i64) -> Result<(String, i64), jsonwebtoken::errors::Error> {
        let exp = now_secs + ACCESS_TTL_SECS;
        let claims = Claims { sub: user_id.into(), fam: family_id.into(), iat: now_secs, exp, typ: "access".into() };
        Ok((encode(&Header::new(Algorithm::HS256), &claims, &self.enc)?, exp))
    }

    /// Checks signature, algorithm, expiry and type. `None` for anything invalid.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        let mut v = Validation::new(Algorithm::HS256);
        v.leeway = 0;
        v.set_required_spec_claims(&["exp", "sub"]);
        let data = decode::<Claims>(token, &self.dec, &v).ok()?;
        (data.claims.typ == "access").then_some(data.claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> i64 {
        time::OffsetDateTime::now_utc().unix_timestamp()
    }

    #[test]
    fn round_trip() {
        let k = AccessKeys::new(&[3u8; 32]);
        let (t, exp) = k.sign("u1", "f1", now()).unwrap();
        let c = k.verify(&t).unwrap();
        assert_eq!((c.sub.as_str(), c.fam.as_str(), c.exp), ("u1", "f1", exp));
    }

    #[test]
    fn rejects_other_keys_expired_and_tampered_tokens() {
        let k = AccessKeys::new(&[3u8; 32]);
        let other = AccessKeys::new(&[4u8; 32]);
        let (t, _) = k.sign("u1", "f1", now()).unwrap();
        assert!(other.verify(&t).is_none());
        let (old, _) = k.sign("u1", "f1", now() - ACCESS_TTL_SECS - 10).unwrap();
        assert!(k.verify(&old).is_none());
        let mut bad = t.clone();
        bad.pop();
        assert!(k.verify(&bad).is_none());
        assert!(k.verify("garbage").is_none());
    }
}
