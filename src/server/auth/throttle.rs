//! Throttling of the credential endpoints, per account (keyed by the normalised email, whether or
//! not it exists, so throttling reveals nothing) and per client address. In-memory GCRA limiters
//! from `governor`: one process's view, which is what a single instance needs; a multi-instance
//! deployment would put the same quotas in Redis.

use crate::model::AppError;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Login,
    Signup,
    Resend,
    Verify,
    Forgot,
    Reset,
}

struct Pair {
    account: DefaultKeyedRateLimiter<String>,
    client: DefaultKeyedRateLimiter<IpAddr>,
}

fn quota(burst: u32, every: Duration) -> Quota {
    let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(every).map(|q| q.allow_burst(burst)).unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
}

fn pair(account: (u32, u64), client: (u32, u64)) -> Pair {
    Pair {
        account: RateLimiter::keyed(quota(account.0, Duration::from_secs(account.1))),
        client: RateLimiter::keyed(quota(client.0, Duration::from_secs(client.1))),
    }
}

pub struct Throttle {
    login: Pair,
    signup: Pair,
    resend: Pair,
    verify: Pair,
    forgot: Pair,
    reset: Pair,
    clock: DefaultClock,
}

impl Default for Throttle {
    fn default() -> Self {
        // (burst, seconds per replenished attempt)
        Throttle {
            login: pair((10, 30), (60, 2)),
            signup: pair((5, 60), (20, 30)),
            resend: pair((3, 60), (20, 10)),
            verify: pair((10, 30), (60, 2)),
            forgot: pair((3, 60), (20, 10)),
            reset: pair((10, 30), (20, 10)),
            clock: DefaultClock::default(),
        }
    }
}

impl Throttle {
    fn pair(&self, a: Action) -> &Pair {
        match a {
            Action::Login => &self.login,
            Action::Signup => &self.signup,
            Action::Resend => &self.resend,
            Action::Verify => &self.verify,
            Action::Forgot => &self.forgot,
            Action::Reset => &self.reset,
        }
    }

    /// Counts one attempt; `RateLimited` with the wait in seconds when over quota.
    pub fn check(&self, action: Action, account: Option<&str>, client: IpAddr) -> Result<(), AppError> {
        let p = self.pair(action);
        if let Err(nu) = p.client.check_key(&client) {
            return Err(self.limited(nu.wait_time_from(self.clock.now())));
        }
        if let Some(acc) = account {
            if let Err(nu) = p.account.check_key(&acc.to_lowercase()) {
                return Err(self.limited(nu.wait_time_from(self.clock.now())));
            }
        }
        Ok(())
    }

    fn limited(&self, wait: Duration) -> AppError {
        AppError::rate_limited(wait.as_secs().max(1))
    }

    /// Drops state for keys that are back at full quota; called periodically.
    pub fn housekeeping(&self) {
        for p in [&self.login, &self.signup, &self.resend, &self.verify, &self.forgot, &self.reset] {
            p.account.retain_recent();
            p.client.retain_recent();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ErrorCode;

    #[test]
    fn per_account_limit_applies_across_clients() {
        let t = Throttle::default();
        let mut limited = None;
        for i in 0..20u8 {
            let ip = IpAddr::from([10, 0, 0, i]);
            if let Err(e) = t.check(Action::Forgot, Some("a@b.co"), ip) {
                limited = Some((i, e));
                break;
            }
        }
        let (i, e) = limited.expect("should be limited");
        assert_eq!(i, 3);
        assert_eq!(e.code, ErrorCode::RateLimited);
        assert!(e.retry_after.unwrap() >= 1);
        // Another account from a fresh client is unaffected.
        assert!(t.check(Action::Forgot, Some("c@d.co"), IpAddr::from([10, 1, 0, 1])).is_ok());
    }

    #[test]
    fn account_keys_ignore_case() {
        let t = Throttle::default();
        let ip = |i| IpAddr::from([10, 2, 0, i]);
        for i in 0..3 {
            t.check(Action::Resend, Some("X@Y.co"), ip(i)).unwrap();
        }
        assert!(t.check(Action::Resend, Some("x@y.co"), ip(9)).is_err());
    }

    #[test]
    fn per_client_limit() {
        let t = Throttle::default();
        let ip = IpAddr::from([192, 168, 1, 1]);
        let mut n = 0;
        while t.check(Action::Signup, Some(&format!("u{n}@x.co")), ip).is_ok() {
            n += 1;
            assert!(n < 100);
        }
        assert_eq!(n, 20);
    }
}
