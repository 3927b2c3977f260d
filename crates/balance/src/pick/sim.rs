//! Pure simulation helpers: distribution of keys, evenness, disruption on change.

use super::hash::SplitMix64;
use super::{Member, MemberSet, PickError, Picker, Policy};

/// Id given to the synthetic member [`movement_on_add`] adds (suffixed with `-1`, `-2`, …
/// if the set already contains it).
pub const SYNTHETIC_MEMBER_ID: &str = "hsvc-simulated-new-member";

/// `count` reproducible 8-byte keys: the little-endian bytes of successive
/// [`SplitMix64`] outputs for `seed`.
pub fn sample_keys(count: usize, seed: u64) -> Vec<[u8; 8]> {
    let mut rng = SplitMix64::new(seed);
    (0..count).map(|_| rng.next_u64().to_le_bytes()).collect()
}

/// How many of `keys` each member gets: `counts[i]` for member index `i`, with
/// `members` the size of the set the picker was built from. Picks outside `0..members`
/// (a picker from another set) are ignored.
pub fn distribution<P, K>(picker: &P, members: usize, keys: &[K]) -> Vec<u64>
where
    P: Picker + ?Sized,
    K: AsRef<[u8]>,
{
    let mut counts = vec![0u64; members];
    for k in keys {
        if let Some(c) = picker.pick_key(k.as_ref()).and_then(|i| counts.get_mut(i)) {
            *c += 1;
        }
    }
    counts
}

/// Evenness of a distribution relative to the weights.
#[derive(Debug, Clone, PartialEq)]
pub struct Stats {
    /// Observed share of each member (`countᵢ / Σcount`; 0 when there are no picks).
    pub shares: Vec<f64>,
    /// Fair share of each member (`wᵢ / Σw`).
    pub expected: Vec<f64>,
    /// `max(sharesᵢ / expectedᵢ)`: with equal weights, the usual max/mean load (1.0 is
    /// perfect).
    pub max_over_mean: f64,
    /// `min(sharesᵢ / expectedᵢ)`.
    pub min_over_mean: f64,
}

/// Shares and max/mean (weight-relative) for `counts` over `set`.
///
/// # Panics
/// If `counts.len() != set.len()`.
pub fn stats(set: &MemberSet, counts: &[u64]) -> Stats {
    assert_eq!(counts.len(), set.len(), "one count per member");
    let total: u64 = counts.iter().sum();
    let total_w = set.total_weight() as f64;
    let shares: Vec<f64> = counts
        .iter()
        .map(|&c| {
            if total == 0 {
                0.0
            } else {
                c as f64 / total as f64
            }
        })
        .collect();
    let expected: Vec<f64> = set
        .members()
        .iter()
        .map(|m| f64::from(m.weight) / total_w)
        .collect();
    let ratios = shares.iter().zip(&expected).map(|(s, e)| s / e);
    let (min, max) = ratios.fold((f64::INFINITY, 0.0f64), |(lo, hi), r| {
        (lo.min(r), hi.max(r))
    });
    Stats {
        shares,
        expected,
        max_over_mean: max,
        min_over_mean: if set.is_empty() { 0.0 } else { min },
    }
}

fn picks<K: AsRef<[u8]>>(picker: &dyn Picker, keys: &[K]) -> Vec<Option<usize>> {
    keys.iter().map(|k| picker.pick_key(k.as_ref())).collect()
}

/// For each member `j`, the fraction of `keys` whose member (by id) changes when `j` is
/// removed from `set`: `result[j]`. The keys `j` owned always move, so the ideal is
/// `j`'s share (`1/N` with equal weights); [`Policy::Hash`] achieves it exactly.
///
/// Only for the keyed policies ([`Policy::Hash`], [`Policy::Maglev`] with the default
/// table); builds `N` pickers, so cost is `N × (build + keys × lookup)`.
pub fn movement_on_remove<K: AsRef<[u8]>>(
    set: &MemberSet,
    policy: Policy,
    keys: &[K],
) -> Result<Vec<f64>, PickError> {
    movement_on_remove_with(set, &|s| policy.keyed_picker(s), keys)
}

/// A way to build a key-based picker for a set (e.g. Maglev with a chosen table size).
pub type BuildPicker<'a> = dyn Fn(&MemberSet) -> Result<Box<dyn Picker>, PickError> + 'a;

/// [`movement_on_remove`] with pickers made by `build`.
pub fn movement_on_remove_with<K: AsRef<[u8]>>(
    set: &MemberSet,
    build: &BuildPicker<'_>,
    keys: &[K],
) -> Result<Vec<f64>, PickError> {
    let before = picks(build(set)?.as_ref(), keys);
    (0..set.len())
        .map(|j| {
            let after = picks(build(&set.without(j))?.as_ref(), keys);
            // Index `a` in the reduced set is index `a + (a >= j)` in the full set.
            let moved = before
                .iter()
                .zip(&after)
                .filter(|(b, a)| a.map(|a| a + usize::from(a >= j)) != **b)
                .count();
            Ok(fraction(moved, keys.len()))
        })
        .collect()
}

/// Fraction of `keys` whose member changes when one synthetic member (id
/// [`SYNTHETIC_MEMBER_ID`], weight = the set's mean weight rounded, at least 1) joins
/// `set`. The ideal is the newcomer's share, `1/(N+1)` with equal weights.
pub fn movement_on_add<K: AsRef<[u8]>>(
    set: &MemberSet,
    policy: Policy,
    keys: &[K],
) -> Result<f64, PickError> {
    movement_on_add_with(set, &|s| policy.keyed_picker(s), keys)
}

/// [`movement_on_add`] with pickers made by `build`.
pub fn movement_on_add_with<K: AsRef<[u8]>>(
    set: &MemberSet,
    build: &BuildPicker<'_>,
    keys: &[K],
) -> Result<f64, PickError> {
    let before = picks(build(set)?.as_ref(), keys);
    let mut id = SYNTHETIC_MEMBER_ID.to_string();
    let mut suffix = 0u32;
    while set.index_of(&id).is_some() {
        suffix += 1;
        id = format!("{SYNTHETIC_MEMBER_ID}-{suffix}");
    }
    let weight = if set.is_empty() {
        1
    } else {
        let mean = (set.total_weight() as f64 / set.len() as f64).round();
        (mean as u32).max(1)
    };
    let bigger = set.with_member(Member::new(id.clone(), weight));
    let new_index = bigger.index_of(&id).expect("just added");
    let after = picks(build(&bigger)?.as_ref(), keys);
    // Index `a` in the bigger set is index `a - (a > new)` in the old set; keys the
    // newcomer wins always count as moved.
    let moved = before
        .iter()
        .zip(&after)
        .filter(|(b, a)| match a {
            Some(a) if *a == new_index => true,
            Some(a) => Some(a - usize::from(*a > new_index)) != **b,
            None => b.is_some(),
        })
        .count();
    Ok(fraction(moved, keys.len()))
}

fn fraction(moved: usize, total: usize) -> f64 {
    if total == 0 {
        0.0
    } else {
        moved as f64 / total as f64
    }
}
