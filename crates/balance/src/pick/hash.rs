//! The pinned hash and PRNG every picker is built on.
//!
//! Both are part of `hsvc`'s output contract: changing either changes which endpoint a
//! key maps to or which sequence a seed yields. Golden tests pin them.

/// Hash of a request key (or member id): **XXH64 with seed 0**.
///
/// This is the hash gRPC's `ring_hash` (gRFC A42) and Envoy use. Unlike
/// `DefaultHasher`, whose algorithm "should not be relied upon over releases", XXH64 is
/// a fixed, platform-independent function of the bytes.
#[inline]
pub fn key_hash(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh64::xxh64(bytes, 0)
}

/// XXH64 with an explicit seed (Maglev derives its skip from seed 1).
#[inline]
pub(crate) fn xxh64_seeded(bytes: &[u8], seed: u64) -> u64 {
    xxhash_rust::xxh64::xxh64(bytes, seed)
}

/// The SplitMix64 finaliser (Stafford's "Mix13" variant, as used by SplitMix64):
///
/// ```text
/// z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
/// z = (z ^ (z >> 27)) * 0x94D049BB133111EB
/// z ^ (z >> 31)
/// ```
///
/// A bijection on `u64` with full avalanche; used to combine a key hash with a member
/// hash in rendezvous hashing.
#[inline]
pub(crate) fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// SplitMix64 (Steele, Lea & Flood, "Fast splittable pseudorandom number generators",
/// OOPSLA 2014; the reference `splitmix64.c` by Sebastiano Vigna).
///
/// ```text
/// state += 0x9E3779B97F4A7C15
/// return mix64(state)          // see the finaliser constants above
/// ```
///
/// Chosen because it is tiny, has a 2⁶⁴ period, passes BigCrush, accepts any seed
/// (including 0) and is fully specified by the few lines above, so a seed reproduces
/// the same stream on every platform and in every version of `hsvc` (no `rand` crate
/// whose algorithms may change between releases). Not cryptographic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator whose first output is `mix64(seed + 0x9E3779B97F4A7C15)`.
    pub fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    /// Next 64 random bits.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix64(self.state)
    }

    /// Uniform integer in `0..n` without modulo bias (Lemire's multiply-shift with
    /// rejection, "Fast Random Integer Generation in an Interval", 2019): take the high
    /// 64 bits of `next_u64() * n`, redrawing while the low 64 bits are below
    /// `2⁶⁴ mod n`. Consumes one draw except with probability `< n / 2⁶⁴`.
    ///
    /// # Panics
    /// If `n == 0`.
    pub fn below(&mut self, n: u64) -> u64 {
        assert!(n > 0, "SplitMix64::below(0)");
        let mut m = u128::from(self.next_u64()) * u128::from(n);
        if (m as u64) < n {
            let threshold = n.wrapping_neg() % n;
            while (m as u64) < threshold {
                m = u128::from(self.next_u64()) * u128::from(n);
            }
        }
        (m >> 64) as u64
    }
}
