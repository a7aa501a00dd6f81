//! When a failed delivery is tried again: the Standard Webhooks / Svix schedule (5 s, 5 min,
//! 30 min, 2 h, 5 h, 10 h, 10 h), extended by 24 h and 20 h so that retries span about three
//! days (71 h 35 min after the first attempt), each delay jittered by up to ±10 % so endpoints
//! coming back up are not hit by every sender at once.

use std::time::Duration;

/// Delays before retry 1, 2, … (seconds).
pub const DELAYS_SECS: [u64; 9] = [5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600, 24 * 3600, 20 * 3600];

/// The wait before retry `retry` (1-based), with `jitter` in [0, 1) from the caller's random
/// source (0.5 means none); `None` once the schedule is exhausted.
pub fn delay(retry: u32, jitter: f64) -> Option<Duration> {
    let base = *DELAYS_SECS.get(retry.checked_sub(1)? as usize)? as f64;
    let factor = 0.9 + 0.2 * jitter.clamp(0.0, 1.0);
    Some(Duration::from_secs_f64(base * factor))
}

/// How many attempts a delivery gets in all (the first and every retry).
pub const MAX_ATTEMPTS: u32 = DELAYS_SECS.len() as u32 + 1;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schedule_spans_about_three_days() {
        assert_eq!(delay(1, 0.5), Some(Duration::from_secs(5)));
        assert_eq!(delay(2, 0.5), Some(Duration::from_secs(300)));
        assert_eq!(delay(9, 0.5), Some(Duration::from_secs(20 * 3600)));
        assert_eq!(delay(10, 0.5), None);
        assert_eq!(delay(0, 0.5), None);
        let total: u64 = DELAYS_SECS.iter().sum();
        assert_eq!(total, 71 * 3600 + 35 * 60 + 5);
        assert_eq!(MAX_ATTEMPTS, 10);
    }

    #[test]
    fn jitter_stays_within_ten_percent() {
        let lo = delay(4, 0.0).unwrap().as_secs_f64();
        let hi = delay(4, 0.999_999).unwrap().as_secs_f64();
        assert!((lo - 7200.0 * 0.9).abs() < 1e-6, "{lo}");
        assert!(hi < 7200.0 * 1.1 && hi > 7200.0 * 1.09, "{hi}");
        assert_eq!(delay(4, 5.0), delay(4, 1.0), "out-of-range jitter is clamped");
    }
}
