//! argon2id password hashing at OWASP's minimum cost (19 MiB, t=2, p=1), always on a blocking
//! thread so a login never stalls the async runtime.

use crate::model::AppError;
use crate::server::error::OrInternal;
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

const M_COST_KIB: u32 = 19 * 1024;
const T_COST: u32 = 2;
const P_COST: u32 = 1;

fn hasher() -> Argon2<'static> {
    // Static parameters known valid; `Params::new` only fails on out-of-range values.
    let params = Params::new(M_COST_KIB, T_COST, P_COST, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password into a PHC string.
pub async fn hash(password: &str) -> Result<String, AppError> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        hasher().hash_password(password.as_bytes(), &salt).map(|h| h.to_string())
    })
    .await
    .or_internal("password hashing task failed")?
    .or_internal("password hashing failed")
}

/// Checks a password against a stored PHC string. A malformed stored hash counts as no match.
pub async fn verify(password: &str, stored: &str) -> Result<bool, AppError> {
    let password = password.to_owned();
    let stored = stored.to_owned();
    tokio::task::spawn_blocking(move || match PasswordHash::new(&stored) {
        Ok(parsed) => hasher().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    })
    .await
    .or_internal("password verification task failed")
}

/// Spends the same time as a real verification, so that unknown emails cannot be told apart
/// from wrong passwords by timing.
pub async fn verify_dummy(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let stored = match DUMMY.get() {
        Some(h) => h.clone(),
        None => match hash("dummy password for timing").await {
            Ok(h) => DUMMY.get_or_init(|| h).clone(),
            Err(_) => return,
        },
    };
    let _ = verify(password, &stored).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_with_argon2id_at_owasp_cost() {
        let h = hash("correct horse battery staple").await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify("correct horse battery staple", &h).await.unwrap());
        assert!(!verify("correct horse battery stapl", &h).await.unwrap());
    }

    #[tokio::test]
    async fn salts_differ_and_long_passwords_are_not_truncated() {
        let a = "x".repeat(100);
        let b = format!("{}y", "x".repeat(99));
        let h1 = hash(&a).await.unwrap();
        let h2 = hash(&a).await.unwrap();
        assert_ne!(h1, h2);
        assert!(!verify(&b, &h1).await.unwrap());
    }

    #[tokio::test]
    async fn malformed_stored_hash_never_matches() {
        assert!(!verify("anything", "not-a-phc-string").await.unwrap());
    }
}
