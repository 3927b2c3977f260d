//! Weighted rendezvous (highest random weight, HRW) hashing.

use super::hash::{key_hash, mix64};
use super::{MemberSet, Picker};

/// 2⁻⁵²
const TWO_POW_MINUS_52: f64 = 1.0 / (1u64 << 52) as f64;

/// Weighted rendezvous hashing (Thaler & Ravishankar's HRW with the "logarithmic method"
/// of Schindelhauer & Schomaker, *Weighted Distributed Hash Tables*, SPAA 2005; the
/// same scoring as Envoy's `rendezvous_hash` policy, but with an exact `ln`).
///
/// # Exact construction (part of the output contract)
///
/// ```text
/// hᵢ    = XXH64(idᵢ, seed 0)                     precomputed per member
/// k     = XXH64(key, seed 0)                     once per pick
/// xᵢ    = mix64(k XOR hᵢ)                        SplitMix64 finaliser
/// uᵢ    = ((xᵢ >> 12) + 0.5) · 2⁻⁵²              in (0, 1), never 0 or 1, exact in f64
/// scoreᵢ = −wᵢ / ln(uᵢ)
/// pick  = argmax over i of (scoreᵢ, uᵢ); a full tie goes to the lowest index
/// ```
///
/// # Guarantees
///
/// * Member *i* wins a fraction `wᵢ/Σw` of keys in expectation (`−w/ln U` is an
///   exponential race: the `i` with the smallest `Exp(wᵢ)` variable wins).
/// * Each member's score for a key depends only on (key, its id, its weight), so
///   removing a member moves **exactly** the keys it owned, and adding one moves only
///   the keys the newcomer wins (≈ `w_new / Σw`, i.e. `1/(N+1)` with equal weights);
///   this holds for any member, not just the last, and for any input order.
///
/// # Cost
///
/// Per pick: one XXH64 of the key, then per member an XOR, a `mix64` and an integer
/// compare. `ln` is evaluated once per *distinct weight*, not per member: members are
/// grouped by weight, and within a group the score is monotone in `u`, so the group's
/// winner is simply its largest `u` (lowest index on a tie). This gives the same
/// result as scoring every member (verified by tests) and keeps the common
/// equal-weight case free of floating point.
///
/// # Portability note
///
/// With unequal weights the comparison goes through `f64::ln`, which a platform's libm
/// may round differently in the last bit; two groups' scores would have to agree to
/// within ~1 ulp (probability ≈ 2⁻⁵⁰ per key) for that to change a pick. Equal-weight
/// sets use integers only.
#[derive(Debug, Clone)]
pub struct Rendezvous {
    groups: Vec<WeightGroup>,
}

/// Members sharing one weight, in canonical (ascending index) order.
#[derive(Debug, Clone)]
struct WeightGroup {
    weight: f64,
    hashes: Vec<u64>,
    indices: Vec<usize>,
}

impl Rendezvous {
    /// Precompute member hashes and weight groups. O(N log N).
    pub fn new(set: &MemberSet) -> Self {
        let mut order: Vec<usize> = (0..set.len()).collect();
        let members = set.members();
        // Stable sort keeps ascending index order inside each weight group.
        order.sort_by_key(|&i| members[i].weight);
        let mut groups: Vec<WeightGroup> = Vec::new();
        for i in order {
            let w = f64::from(members[i].weight);
            let h = key_hash(members[i].id.as_bytes());
            match groups.last_mut() {
                Some(g) if g.weight == w => {
                    g.hashes.push(h);
                    g.indices.push(i);
                }
                _ => groups.push(WeightGroup {
                    weight: w,
                    hashes: vec![h],
                    indices: vec![i],
                }),
            }
        }
        Rendezvous { groups }
    }

    /// `uᵢ` as the 52-bit integer `xᵢ >> 12` (monotone with `uᵢ`).
    #[inline]
    fn u_bits(key: u64, member: u64) -> u64 {
        mix64(key ^ member) >> 12
    }

    #[inline]
    fn score(weight: f64, u_bits: u64) -> f64 {
        let u = (u_bits as f64 + 0.5) * TWO_POW_MINUS_52;
        -weight / u.ln()
    }

    /// Pick for an already computed key hash `k = XXH64(key, 0)`.
    pub(crate) fn pick_hash(&self, k: u64) -> Option<usize> {
        // (score, u_bits, index) of the best so far.
        let mut best: Option<(f64, u64, usize)> = None;
        for g in &self.groups {
            // Group winner: largest u, lowest position on a tie (strict '>'). Positions
            // follow ascending member index, so this is the lowest index.
            let mut gu = Self::u_bits(k, g.hashes[0]);
            let mut gp = 0usize;
            for (p, &h) in g.hashes.iter().enumerate().skip(1) {
                let u = Self::u_bits(k, h);
                if u > gu {
                    gu = u;
                    gp = p;
                }
            }
            let gi = g.indices[gp];
            if self.groups.len() == 1 {
                return Some(gi);
            }
            let s = Self::score(g.weight, gu);
            let better = match best {
                None => true,
                Some((bs, bu, bi)) => s > bs || (s == bs && (gu > bu || (gu == bu && gi < bi))),
            };
            if better {
                best = Some((s, gu, gi));
            }
        }
        best.map(|(_, _, i)| i)
    }

    /// Reference implementation: score every member, no grouping (used by tests to
    /// prove the grouped fast path is exact).
    #[cfg(test)]
    pub(crate) fn pick_hash_reference(set: &MemberSet, k: u64) -> Option<usize> {
        let mut best: Option<(f64, u64, usize)> = None;
        for (i, m) in set.members().iter().enumerate() {
            let u = Self::u_bits(k, key_hash(m.id.as_bytes()));
            let s = Self::score(f64::from(m.weight), u);
            let better = match best {
                None => true,
                Some((bs, bu, _)) => s > bs || (s == bs && u > bu),
            };
            if better {
                best = Some((s, u, i));
            }
        }
        best.map(|(_, _, i)| i)
    }
}

impl Picker for Rendezvous {
    fn pick_key(&self, key: &[u8]) -> Option<usize> {
        self.pick_hash(key_hash(key))
    }
}
