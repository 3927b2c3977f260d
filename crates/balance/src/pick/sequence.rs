//! Sequence policies: round-robin, smooth weighted round-robin, weighted random.
//!
//! Real balancers randomise the starting point of these (gRPC, Envoy) to avoid herds.
//! A one-shot CLI cannot keep state between runs, so here the position is an explicit
//! input (`offset` or `seed`) and the output is a pure function of
//! (canonical set, weights, offset/seed).

use super::hash::SplitMix64;
use super::MemberSet;

/// Plain round-robin: `count` indices in canonical order starting at `offset % N`,
/// wrapping around. Weights are ignored. Empty for an empty set.
///
/// `round_robin(set, k, 1)[0]` is what the `k`-th request of an unweighted
/// round-robin balancer (that started at member 0) would get.
pub fn round_robin(set: &MemberSet, offset: u64, count: usize) -> Vec<usize> {
    let n = set.len();
    if n == 0 {
        return Vec::new();
    }
    let start = (offset % n as u64) as usize;
    (0..count).map(|i| (start + i % n) % n).collect()
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// nginx's smooth weighted round-robin (`ngx_http_upstream_get_peer`, nginx commit
/// 52327e06, 2012), without the failure handling (`effective_weight` == `weight`).
///
/// Each pick:
/// ```text
/// for each member i in canonical order: current[i] += w[i]
/// best = the i with the largest current[i]   (ties: lowest index, i.e. nginx's strict '>')
/// current[best] -= Σw
/// ```
/// Guarantees: in every window of `Σw` consecutive picks starting from the zero state,
/// member *i* is picked exactly `wᵢ` times and the state returns to all zeros, so the
/// sequence is periodic with period `Σw`; picks of a heavy member are spread out rather
/// than bunched (weights `{a:5, b:1, c:1}` give `a a b a c a a`). Weights are divided by
/// their gcd first, which leaves the sequence unchanged and shortens the period.
///
/// An infinite [`Iterator`] of member indices (none for an empty set).
#[derive(Debug, Clone)]
pub struct SmoothWeighted {
    weights: Vec<i64>,
    current: Vec<i64>,
    total: i64,
}

impl SmoothWeighted {
    /// Fresh state (all current weights 0), as an nginx worker after (re)configuration.
    pub fn new(set: &MemberSet) -> Self {
        let g = set
            .members()
            .iter()
            .fold(0u64, |g, m| gcd(g, u64::from(m.weight)))
            .max(1);
        let weights: Vec<i64> = set
            .members()
            .iter()
            .map(|m| (u64::from(m.weight) / g) as i64)
            .collect();
        let total = weights.iter().sum();
        SmoothWeighted {
            current: vec![0; weights.len()],
            weights,
            total,
        }
    }

    /// State after `offset` picks. Because the sequence is periodic, only
    /// `offset % period()` picks are simulated (each O(N)).
    pub fn with_offset(set: &MemberSet, offset: u64) -> Self {
        let mut s = SmoothWeighted::new(set);
        if s.total > 0 {
            for _ in 0..offset % s.total as u64 {
                s.next_index();
            }
        }
        s
    }

    /// Length of one full cycle: `Σw / gcd(w)` (0 for an empty set).
    pub fn period(&self) -> u64 {
        self.total as u64
    }

    /// Next pick; `None` only for an empty set.
    pub fn next_index(&mut self) -> Option<usize> {
        let mut best: Option<usize> = None;
        let mut best_weight = i64::MIN;
        for (i, (cur, w)) in self.current.iter_mut().zip(&self.weights).enumerate() {
            *cur += *w;
            if best.is_none() || *cur > best_weight {
                best = Some(i);
                best_weight = *cur;
            }
        }
        let b = best?;
        self.current[b] -= self.total;
        Some(b)
    }
}

impl Iterator for SmoothWeighted {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        self.next_index()
    }
}

/// Weighted random picks, reproducible from a seed.
///
/// Each pick draws `r = rng.below(Σw)` from [`SplitMix64`] (unbiased, see
/// [`SplitMix64::below`]) and returns the member whose cumulative-weight interval
/// `[w₀+…+wᵢ₋₁, w₀+…+wᵢ)` contains `r` (binary search over the canonical order). So
/// member *i* is picked with probability exactly `wᵢ/Σw`, draws are independent, and
/// the same (set, seed) yields the same infinite sequence everywhere.
#[derive(Debug, Clone)]
pub struct WeightedRandom {
    /// `cumulative[i] = w₀ + … + wᵢ`.
    cumulative: Vec<u64>,
    rng: SplitMix64,
}

impl WeightedRandom {
    /// A picker over `set` whose stream is determined by `seed`.
    pub fn new(set: &MemberSet, seed: u64) -> Self {
        let cumulative = set
            .members()
            .iter()
            .scan(0u64, |acc, m| {
                *acc += u64::from(m.weight);
                Some(*acc)
            })
            .collect();
        WeightedRandom {
            cumulative,
            rng: SplitMix64::new(seed),
        }
    }

    /// Next pick; `None` only for an empty set.
    pub fn next_index(&mut self) -> Option<usize> {
        let total = *self.cumulative.last()?;
        let r = self.rng.below(total);
        Some(self.cumulative.partition_point(|&c| c <= r))
    }
}

impl Iterator for WeightedRandom {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        self.next_index()
    }
}
