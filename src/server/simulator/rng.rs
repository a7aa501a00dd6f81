//! A small deterministic random stream, seeded from the call id.
//!
//! Not `rand`'s `StdRng` (its algorithm may change between releases) and not `DefaultHasher`
//! (not stable across Rust releases): a call's script must stay the same across upgrades, so the
//! seed is SHA-256 and the generator is SplitMix64, both fixed forever.

use sha2::{Digest, Sha256};

#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A stream for one purpose (`salt`: "persona", "timing", ...) of one call.
    pub fn new(call_id: &str, salt: &str) -> Rng {
        Rng(stable_hash(&format!("{salt}\0{call_id}")))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi` (`lo` when the range is empty).
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        let span = (hi - lo) as u64 + 1;
        lo + (self.next_u64() % span) as i64
    }

    /// True with probability `num / den`.
    pub fn chance(&mut self, num: u64, den: u64) -> bool {
        self.next_u64() % den.max(1) < num
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[(self.next_u64() % xs.len() as u64) as usize]
    }
}

/// The first eight bytes of SHA-256, as a number.
pub fn stable_hash(s: &str) -> u64 {
    let digest = Sha256::digest(s.as_bytes());
    u64::from_be_bytes(digest[..8].try_into().expect("a SHA-256 digest has 32 bytes"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_stable_and_distinct() {
        // Pinned: a change here changes every simulated call.
        assert_eq!(stable_hash("abc"), 0xba78_16bf_8f01_cfea);
        let (mut a, mut b, mut c) = (Rng::new("call-1", "x"), Rng::new("call-1", "x"), Rng::new("call-1", "y"));
        let xs: Vec<u64> = (0..5).map(|_| a.next_u64()).collect();
        assert_eq!(xs, (0..5).map(|_| b.next_u64()).collect::<Vec<_>>());
        assert_ne!(xs, (0..5).map(|_| c.next_u64()).collect::<Vec<_>>());
        for _ in 0..1000 {
            let r = a.range(3, 7);
            assert!((3..=7).contains(&r));
        }
    }
}
