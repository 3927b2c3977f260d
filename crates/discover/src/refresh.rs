//! When to resolve again: on the answer's TTL, clamped to a minimum and a
//! maximum, a little early by a random jitter (never late), and with a
//! doubling backoff from the minimum while resolutions fail. Pure: the
//! caller supplies the random draw.

use std::time::Duration;

/// The re-resolution schedule of the DNS source.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Refresh {
    /// Never sooner than this after a resolution, whatever the TTL (a TTL
    /// of 0 would otherwise mean a loop).
    pub min: Duration,
    /// Never later than this, however long the TTL: how stale a set may
    /// get with a long TTL (kubeadm's CoreDNS serves 30 s).
    pub max: Duration,
    /// Up to this fraction of the interval is taken off at random (0.0 to
    /// 1.0), so that the clients of one Service, started together, do not
    /// ask together. Only ever earlier: a set is never kept past its TTL.
    pub jitter: f64,
}

impl Default for Refresh {
    /// 1 s to 10 s, 10 % jitter. The 10 s cap: with kubeadm's TTL of 30 s
    /// a TTL-driven client alone would see new pods up to 30 s late, three
    /// times later than the fixed 10 s poll it replaces (measured:
    /// `docs/library.md`); a query every 10 s is cheap. Set `max` to the
    /// TTL to follow it exactly.
    fn default() -> Refresh {
        Refresh {
            min: Duration::from_secs(1),
            max: Duration::from_secs(10),
            jitter: 0.1,
        }
    }
}

impl Refresh {
    /// A fixed interval (no TTL, no jitter): the blind polling this crate
    /// is an alternative to, for comparisons.
    pub fn fixed(every: Duration) -> Refresh {
        Refresh {
            min: every,
            max: every,
            jitter: 0.0,
        }
    }

    /// The delay before the next resolution. `ttl`: the smallest TTL of the
    /// last answer (`None` when it had no record: NXDOMAIN, NODATA);
    /// `failures`: resolutions failed in a row (0 after a success); `draw`:
    /// a uniform random number (any `u64`).
    pub fn delay(&self, ttl: Option<u32>, failures: u32, draw: u64) -> Duration {
        let (min, max) = (self.min, self.max.max(self.min));
        let base = if failures > 0 {
            // Backoff: min, 2·min, 4·min, … up to max.
            let shift = (failures - 1).min(20);
            min.saturating_mul(1u32 << shift).min(max)
        } else {
            match ttl {
                Some(t) => Duration::from_secs(u64::from(t)).clamp(min, max),
                None => min,
            }
        };
        let jitter = self.jitter.clamp(0.0, 1.0);
        // A fraction in [0, 1) from the top 53 bits of the draw.
        let u = (draw >> 11) as f64 / (1u64 << 53) as f64;
        let cut = base.mul_f64(jitter * u);
        base.saturating_sub(cut).max(min.min(base))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(secs: f64) -> Duration {
        Duration::from_secs_f64(secs)
    }

    #[test]
    fn the_ttl_drives_the_interval_within_min_and_max() {
        let r = Refresh {
            min: s(1.0),
            max: s(30.0),
            jitter: 0.0,
        };
        assert_eq!(r.delay(Some(5), 0, 0), s(5.0));
        assert_eq!(r.delay(Some(0), 0, 0), s(1.0), "TTL 0 is not a busy loop");
        assert_eq!(r.delay(Some(3600), 0, 0), s(30.0));
        assert_eq!(r.delay(None, 0, 0), s(1.0), "negative answers: min");
    }

    #[test]
    fn jitter_only_shortens_and_stays_within_its_fraction_and_min() {
        let r = Refresh {
            min: s(1.0),
            max: s(30.0),
            jitter: 0.2,
        };
        let mut lo = Duration::MAX;
        let mut hi = Duration::ZERO;
        let mut rng = hsvc_balance::pick::SplitMix64::new(7);
        for _ in 0..10_000 {
            let d = r.delay(Some(10), 0, rng.next_u64());
            lo = lo.min(d);
            hi = hi.max(d);
        }
        assert!(hi <= s(10.0), "never later than the TTL: {hi:?}");
        assert!(lo >= s(8.0), "at most 20 % earlier: {lo:?}");
        assert!(hi - lo > s(1.5), "the draws spread: {lo:?}..{hi:?}");
        // Near the minimum the jitter cannot go below it.
        assert!(r.delay(Some(1), 0, u64::MAX) >= s(1.0));
    }

    #[test]
    fn failures_back_off_from_min_to_max() {
        let r = Refresh {
            min: s(0.5),
            max: s(4.0),
            jitter: 0.0,
        };
        let d: Vec<_> = (1..=6).map(|f| r.delay(Some(30), f, 0)).collect();
        assert_eq!(d, [s(0.5), s(1.0), s(2.0), s(4.0), s(4.0), s(4.0)]);
        assert_eq!(r.delay(Some(30), u32::MAX, 0), s(4.0), "no overflow");
    }

    #[test]
    fn fixed_ignores_the_ttl() {
        let r = Refresh::fixed(s(10.0));
        assert_eq!(r.delay(Some(1), 0, 12345), s(10.0));
        assert_eq!(r.delay(Some(300), 0, 0), s(10.0));
    }
}
