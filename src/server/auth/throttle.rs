//! Throttling of the credential endpoints, per account (keyed by the normalised email, whether or
//! not it exists, so throttling reveals nothing) and per client address.
//!
//! The counters live in the database (`throttle_buckets`), so every server process of one
//! database shares them: spreading guesses over instances does not multiply the budget. Each
//! bucket is a GCRA (generic cell rate algorithm) state, one number: the theoretical arrival time.
//! A check is one upsert whose `WHERE` admits the attempt or leaves the row alone, atomic on both
//! databases, so concurrent attempts cannot overdraw a bucket.
//!
//! Log-in follows OWASP's "device cookies": a browser that logged in to an account before holds
//! a signed device token for it ([`device_token`]); its attempts count against a bucket of that
//! device instead of the account's, so a stranger who keeps the account's bucket empty with wrong
//! passwords slows untrusted clients only, never the owner's browser.

use crate::model::AppError;
use crate::server::auth::secrets;
use crate::server::db::{now_ms, Database};
use sqlx::Row;
use std::net::IpAddr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Login,
    Signup,
    Resend,
    Verify,
    Forgot,
    Reset,
}

impl Action {
    fn as_str(self) -> &'static str {
        match self {
            Action::Login => "login",
            Action::Signup => "signup",
            Action::Resend => "resend",
            Action::Verify => "verify",
            Action::Forgot => "forgot",
            Action::Reset => "reset",
        }
    }

    /// (burst, seconds per replenished attempt) per account, then per client address.
    fn quotas(self) -> (Quota, Quota) {
        let q = |burst: i64, secs: i64| Quota { burst, period_ms: secs * 1000 };
        match self {
            Action::Login => (q(10, 30), q(60, 2)),
            Action::Signup => (q(5, 60), q(20, 30)),
            Action::Resend => (q(3, 60), q(20, 10)),
            Action::Verify => (q(10, 30), q(60, 2)),
            Action::Forgot => (q(3, 60), q(20, 10)),
            Action::Reset => (q(10, 30), q(20, 10)),
        }
    }
}

/// `burst` attempts at once, then one more every `period_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    pub burst: i64,
    pub period_ms: i64,
}

impl Quota {
    /// How far ahead of now the theoretical arrival time may run.
    fn tolerance_ms(self) -> i64 {
        self.period_ms * self.burst.max(1)
    }

    /// The wait, in whole seconds rounded up, before an attempt would be admitted by a bucket
    /// whose arrival time is `tat`: waiting the advertised time is always enough.
    fn wait_secs(self, tat: i64, now: i64) -> u64 {
        let wait_ms = (tat.max(now) + self.period_ms - now - self.tolerance_ms()).max(1);
        ((wait_ms + 999) / 1000) as u64
    }
}

/// Shared throttle counters in the application database.
#[derive(Clone)]
pub struct Throttle {
    db: Database,
}

impl Throttle {
    pub fn new(db: Database) -> Self {
        Throttle { db }
    }

    /// Counts one attempt; `RateLimited` with the wait in seconds when over quota.
    pub async fn check(&self, action: Action, account: Option<&str>, client: IpAddr) -> Result<(), AppError> {
        let (per_account, per_client) = action.quotas();
        self.take(&format!("{}:ip:{client}", action.as_str()), per_client).await?;
        if let Some(acc) = account {
            self.take(&format!("{}:acct:{}", action.as_str(), acc.to_lowercase()), per_account).await?;
        }
        Ok(())
    }

    /// [`check`](Self::check) for a log-in: a browser holding a valid device token for this
    /// account is counted on its own bucket instead of the account's.
    pub async fn check_login(&self, key: &[u8; 32], account: &str, device: Option<&str>, client: IpAddr) -> Result<(), AppError> {
        let account = account.to_lowercase();
        match device.and_then(|d| trusted_device(key, &account, d)) {
            Some(nonce) => {
                let (per_account, per_client) = Action::Login.quotas();
                self.take(&format!("login:ip:{client}"), per_client).await?;
                self.take(&format!("login:device:{nonce}"), per_account).await
            }
            None => self.check(Action::Login, Some(&account), client).await,
        }
    }

    /// One GCRA step on `bucket`, in a single atomic upsert.
    async fn take(&self, bucket: &str, q: Quota) -> Result<(), AppError> {
        let now = now_ms();
        let admitted = sqlx::query(
            "INSERT INTO throttle_buckets (bucket, tat) VALUES ($1, $2 + $3) \
             ON CONFLICT (bucket) DO UPDATE \
             SET tat = (CASE WHEN throttle_buckets.tat > $2 THEN throttle_buckets.tat ELSE $2 END) + $3 \
             WHERE (CASE WHEN throttle_buckets.tat > $2 THEN throttle_buckets.tat ELSE $2 END) + $3 - $2 <= $4 \
             RETURNING tat",
        )
        .bind(bucket)
        .bind(now)
        .bind(q.period_ms)
        .bind(q.tolerance_ms())
        .fetch_optional(self.db.pool())
        .await?;
        if admitted.is_some() {
            return Ok(());
        }
        let tat: i64 = match sqlx::query("SELECT tat FROM throttle_buckets WHERE bucket = $1").bind(bucket).fetch_optional(self.db.pool()).await? {
            Some(r) => r.try_get("tat")?,
            None => now,
        };
        Err(AppError::rate_limited(q.wait_secs(tat, now)))
    }

    /// Drops buckets that are back at full quota; called periodically.
    pub async fn housekeeping(&self) -> Result<u64, sqlx::Error> {
        let r = sqlx::query("DELETE FROM throttle_buckets WHERE tat < $1").bind(now_ms()).execute(self.db.pool()).await?;
        Ok(r.rows_affected())
    }
}

/// The cookie holding a device token.
pub const DEVICE_COOKIE: &str = "td_device";
/// A device stays trusted for a year after its last successful log-in.
pub const DEVICE_TTL_SECS: i64 = 365 * 24 * 60 * 60;

fn device_sig(key: &[u8; 32], account: &str, nonce: &str) -> String {
    hex::encode(secrets::hmac(key, &[b"device|", account.as_bytes(), b"|", nonce.as_bytes()]))
}

/// A fresh device token for a browser that just logged in to `account` (an email): a random
/// nonce and its MAC, so it cannot be forged nor moved to another account.
pub fn device_token(key: &[u8; 32], account: &str) -> String {
    let nonce = hex::encode(rand::random::<[u8; 16]>());
    let sig = device_sig(key, &account.to_lowercase(), &nonce);
    format!("{nonce}.{sig}")
}

/// The token's nonce when it is a valid device token for `account`.
fn trusted_device<'a>(key: &[u8; 32], account: &str, token: &'a str) -> Option<&'a str> {
    let (nonce, sig) = token.split_once('.')?;
    (nonce.len() == 32 && secrets::digests_equal(&device_sig(key, account, nonce), sig)).then_some(nonce)
}

pub fn set_device_cookie(token: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{DEVICE_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={DEVICE_TTL_SECS}{secure}")
}

/// Finds the device cookie in a `Cookie` request header.
pub fn read_device_cookie(cookie_header: &str) -> Option<&str> {
    cookie_header.split(';').map(str::trim).find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k.trim() == DEVICE_COOKIE && !v.trim().is_empty()).then(|| v.trim())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_round_up_so_waiting_the_advertised_time_is_enough() {
        let q = Quota { burst: 3, period_ms: 10_000 };
        // Full bucket: tat is 30 s ahead; the next attempt fits after 10 s exactly.
        assert_eq!(q.wait_secs(30_000, 0), 10);
        // 1 ms into that wait: 9.999 s left, advertised as 10, never 9.
        assert_eq!(q.wait_secs(30_000, 1), 10);
        assert_eq!(q.wait_secs(30_000, 1_001), 9);
        // Never less than one second.
        assert_eq!(q.wait_secs(20_000, 0), 1);
    }

    #[test]
    fn device_tokens_are_bound_to_their_account() {
        let key = [7u8; 32];
        let t = device_token(&key, "Ada@Example.com");
        assert!(trusted_device(&key, "ada@example.com", &t).is_some());
        assert!(trusted_device(&key, "eve@example.com", &t).is_none());
        assert!(trusted_device(&[8u8; 32], "ada@example.com", &t).is_none());
        let (nonce, _) = t.split_once('.').unwrap();
        assert!(trusted_device(&key, "ada@example.com", &format!("{nonce}.{}", "0".repeat(64))).is_none());
        assert!(trusted_device(&key, "ada@example.com", "garbage").is_none());
    }

    #[test]
    fn device_cookie_is_read_among_others() {
        assert_eq!(read_device_cookie("a=1; td_device=n.s; td_session=x"), Some("n.s"));
        assert_eq!(read_device_cookie("td_session=x"), None);
        assert!(set_device_cookie("n.s", true).ends_with("; Secure"));
    }
}
