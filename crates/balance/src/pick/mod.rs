//! Endpoint pickers: what a client-side load balancer would choose, computed locally.
//!
//! Everything in this module is **pure and deterministic**: no I/O, no clock, no
//! process-global randomness, no `std::collections::hash_map::DefaultHasher`. Given the
//! same endpoint set, weights, key/offset/seed, every build of `hsvc` on every platform
//! prints the same picks.
//!
//! # The canonical set
//!
//! DNS servers (CoreDNS, Consul) deliberately randomise answer order, and every
//! order-sensitive structure (smooth WRR ties, Maglev's fill order, hash ties) would
//! otherwise differ between two runs. [`MemberSet::new`] therefore sorts members by
//! `id` (byte order) and de-duplicates them; every picker is built from a `MemberSet`
//! and returns an **index into [`MemberSet::members`]**.
//!
//! # Policies
//!
//! | [`Policy`] | construction | guarantee |
//! |---|---|---|
//! | `RoundRobin` | [`round_robin`] | canonical order from `offset`, wrapping |
//! | `Weighted` | [`SmoothWeighted`] (nginx smooth WRR) | exactly `wᵢ` picks of member *i* in every `Σw` picks, evenly interleaved |
//! | `Random` | [`WeightedRandom`] (SplitMix64, seeded) | independent draws with probability `wᵢ/Σw`, reproducible from the seed |
//! | `Hash` | [`Rendezvous`] (weighted HRW) | share `wᵢ/Σw`; removing a member moves only its keys, adding one moves ≈ `1/(N+1)` |
//! | `Maglev` | [`Maglev`] (prime table, default 65 537) | O(1) lookup, near-perfect evenness; moves somewhat more than the ideal on change |
//!
//! All key hashing uses **XXH64 with seed 0** (see [`key_hash`]), the function gRPC
//! (gRFC A42) and Envoy use, so the construction is portable and pinned by golden tests.

mod hash;
mod maglev;
mod rendezvous;
mod sequence;
mod sim;
mod srv;

use std::fmt;
use std::str::FromStr;

pub use hash::{key_hash, SplitMix64};
pub use maglev::{Maglev, DEFAULT_TABLE_SIZE, MAX_TABLE_SIZE};
pub use rendezvous::Rendezvous;
pub use sequence::{round_robin, SmoothWeighted, WeightedRandom};
pub use sim::{
    distribution, movement_on_add, movement_on_add_with, movement_on_remove,
    movement_on_remove_with, sample_keys, stats, BuildPicker, Stats, SYNTHETIC_MEMBER_ID,
};
pub use srv::normalize_srv_weights;

/// One candidate endpoint.
///
/// `id` is the endpoint's identity as chosen by the caller (pod hostname, or the IP
/// string): it is what the hash policies hash, so it should be stable across restarts
/// where possible. `weight` should be `>= 1`; [`MemberSet::new`] raises 0 to 1.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Member {
    /// The identity the hash policies hash and the canonical order sorts by.
    pub id: String,
    /// Relative weight: a member of weight 2 gets twice the picks (or keys)
    /// of one of weight 1. Only ratios matter.
    pub weight: u32,
}

impl Member {
    /// Convenience constructor.
    pub fn new(id: impl Into<String>, weight: u32) -> Self {
        Member {
            id: id.into(),
            weight,
        }
    }
}

/// The canonical member set every picker is built from.
///
/// Invariants established by [`MemberSet::new`]:
/// * members are sorted by `id` in byte order (`str`'s `Ord`);
/// * ids are unique: duplicates are merged, keeping the **largest** weight (a rule
///   that does not depend on input order);
/// * every weight is `>= 1` (a weight of 0 becomes 1, so no member silently vanishes).
///
/// Hence any permutation of the same input yields an identical set, and identical picks.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MemberSet {
    members: Vec<Member>,
}

impl MemberSet {
    /// Canonicalise `members` (sort by id, merge duplicate ids, clamp weights to >= 1).
    pub fn new(mut members: Vec<Member>) -> Self {
        // Sort by id, then by weight descending, so the first of each run of equal ids
        // carries the largest weight; dedup keeps that first element.
        members.sort_unstable_by(|a, b| a.id.cmp(&b.id).then(b.weight.cmp(&a.weight)));
        members.dedup_by(|later, first| later.id == first.id);
        for m in &mut members {
            m.weight = m.weight.max(1);
        }
        MemberSet { members }
    }

    /// The members in canonical order; picker results index into this slice.
    pub fn members(&self) -> &[Member] {
        &self.members
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// True when there is no member (every picker then returns `None` / nothing).
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// Index of the member with this id, if present (binary search on the canonical order).
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.members
            .binary_search_by(|m| m.id.as_str().cmp(id))
            .ok()
    }

    /// Sum of all weights.
    pub fn total_weight(&self) -> u64 {
        self.members.iter().map(|m| u64::from(m.weight)).sum()
    }

    /// A copy of this set without the member at `index` (canonical order is preserved).
    ///
    /// # Panics
    /// If `index >= self.len()`.
    pub fn without(&self, index: usize) -> MemberSet {
        let mut members = self.members.clone();
        members.remove(index);
        MemberSet { members }
    }

    /// A copy of this set with `member` added (or merged, as in [`MemberSet::new`]).
    pub fn with_member(&self, member: Member) -> MemberSet {
        let mut members = self.members.clone();
        members.push(member);
        MemberSet::new(members)
    }
}

/// The picking policies `hsvc pick` offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Policy {
    /// Plain round-robin over the canonical order: [`round_robin`].
    RoundRobin,
    /// nginx smooth weighted round-robin: [`SmoothWeighted`].
    Weighted,
    /// Weighted random with an explicit seed: [`WeightedRandom`].
    Random,
    /// Weighted rendezvous (highest random weight) hashing of a key: [`Rendezvous`].
    Hash,
    /// Maglev consistent hashing of a key: [`Maglev`].
    Maglev,
}

impl Policy {
    /// Every policy, in a stable order (for help texts and tests).
    pub const ALL: [Policy; 5] = [
        Policy::RoundRobin,
        Policy::Weighted,
        Policy::Random,
        Policy::Hash,
        Policy::Maglev,
    ];

    /// The policy's command-line name (`round-robin`, `weighted`, `random`, `hash`, `maglev`).
    pub fn name(self) -> &'static str {
        match self {
            Policy::RoundRobin => "round-robin",
            Policy::Weighted => "weighted",
            Policy::Random => "random",
            Policy::Hash => "hash",
            Policy::Maglev => "maglev",
        }
    }

    /// True for the policies that map a key to a member ([`Policy::Hash`], [`Policy::Maglev`]).
    pub fn is_keyed(self) -> bool {
        matches!(self, Policy::Hash | Policy::Maglev)
    }

    /// Build the key-based picker for this policy (Maglev with [`DEFAULT_TABLE_SIZE`]).
    ///
    /// Errors with [`PickError::NotKeyed`] for the sequence policies, and with the Maglev
    /// table errors when the set is larger than the default table.
    pub fn keyed_picker(self, set: &MemberSet) -> Result<Box<dyn Picker>, PickError> {
        crate::selection::PolicyInputs {
            policy: self,
            offset: 0,
            seed: 0,
            table_size: DEFAULT_TABLE_SIZE,
        }
        .keyed(set)
    }
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Policy {
    type Err = PickError;

    /// Parses the names of [`Policy::name`] (ASCII case-insensitive).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Policy::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| PickError::UnknownPolicy(s.to_string()))
    }
}

/// A built key-based picker. `Send + Sync` (the pickers are plain data), so
/// that a balancer holding one can be shared with a background task.
pub trait Picker: Send + Sync {
    /// The member (index into [`MemberSet::members`]) that owns `key`; `None` only for
    /// an empty set.
    fn pick_key(&self, key: &[u8]) -> Option<usize>;
}

/// Errors from building pickers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PickError {
    /// The policy is a sequence policy and has no key-based picker.
    NotKeyed(Policy),
    /// A policy name that [`Policy::from_str`] does not know.
    UnknownPolicy(String),
    /// Maglev table size is not prime.
    TableSizeNotPrime(u64),
    /// Maglev table smaller than the number of members (some would get no entry).
    TableTooSmall {
        /// The table size asked for.
        size: u64,
        /// The number of members.
        members: usize,
    },
    /// Maglev table larger than [`MAX_TABLE_SIZE`].
    TableTooLarge(u64),
    /// A smooth weighted offset that lands deeper into its cycle than
    /// [`MAX_REPLAY`] member steps replay.
    OffsetTooDeep {
        /// Picks into the cycle (the offset modulo the period).
        into: u64,
        /// The cycle's length in picks.
        period: u64,
        /// Members.
        members: usize,
    },
}

/// The most member steps a smooth weighted offset replays (picks into the
/// cycle × members): about a second of CPU. Whole cycles are skipped by
/// arithmetic (the sequence repeats every Σw/gcd picks); only the rest of
/// a cycle is replayed, one O(N) step per pick.
pub const MAX_REPLAY: u64 = 200_000_000;

impl fmt::Display for PickError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PickError::NotKeyed(p) => write!(f, "policy `{p}` does not pick by key"),
            PickError::UnknownPolicy(s) => write!(
                f,
                "unknown policy `{s}` (expected one of: round-robin, weighted, random, hash, maglev)"
            ),
            PickError::TableSizeNotPrime(m) => write!(f, "Maglev table size {m} is not prime"),
            PickError::OffsetTooDeep {
                into,
                period,
                members,
            } => write!(
                f,
                "the offset lands {into} picks into a weighted cycle of {period} over {members} members; hsvc replays at most {} picks of it (give an offset below that, modulo {period})",
                MAX_REPLAY / (*members).max(1) as u64
            ),
            PickError::TableTooSmall { size, members } => write!(
                f,
                "Maglev table size {size} is smaller than the number of members ({members})"
            ),
            PickError::TableTooLarge(m) => write!(
                f,
                "Maglev table size {m} exceeds the maximum of {MAX_TABLE_SIZE}"
            ),
        }
    }
}

impl std::error::Error for PickError {}

#[cfg(test)]
mod tests;
