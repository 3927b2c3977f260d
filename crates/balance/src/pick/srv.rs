//! Turning DNS SRV weights into member weights.

fn gcd(mut a: u32, mut b: u32) -> u32 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// Normalise SRV record weights (RFC 2782, `0..=65535`) into member weights, index for
/// index.
///
/// 1. A weight of **0 becomes 1**: RFC 2782 says weight-0 targets should still have "a
///    very small chance of being selected", and a member must never vanish from the set
///    because of its weight (nginx does the same).
/// 2. All weights are divided by their greatest common divisor.
///
/// Consequences: Kubernetes/CoreDNS, which gives every endpoint the same weight
/// `floor(100/N)`, yields all 1s (equal shares), and a set whose absolute weights change
/// with N (33, 25, 20, …) does not churn structures sized by weight. Proportions are
/// otherwise kept exactly (`{10, 30}` → `{1, 3}`). Empty input gives empty output.
pub fn normalize_srv_weights(weights: &[u16]) -> Vec<u32> {
    let raised: Vec<u32> = weights.iter().map(|&w| u32::from(w.max(1))).collect();
    let g = raised.iter().fold(0, |g, &w| gcd(g, w)).max(1);
    raised.into_iter().map(|w| w / g).collect()
}
