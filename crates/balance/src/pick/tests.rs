//! Unit and property tests for `pick`.

use super::maglev::is_prime;
use super::*;
use proptest::prelude::*;

fn set(spec: &[(&str, u32)]) -> MemberSet {
    MemberSet::new(spec.iter().map(|&(id, w)| Member::new(id, w)).collect())
}

fn equal_set(n: usize) -> MemberSet {
    MemberSet::new(
        (0..n)
            .map(|i| {
                Member::new(
                    format!(
                        "10-244-{}-{}.web.default.svc.cluster.local",
                        i / 250,
                        i % 250
                    ),
                    1,
                )
            })
            .collect(),
    )
}

fn ids(set: &MemberSet, picks: &[usize]) -> Vec<String> {
    picks.iter().map(|&i| set.members()[i].id.clone()).collect()
}

// ---------------------------------------------------------------- hash pins

#[test]
fn xxh64_is_pinned() {
    // Reference vectors of XXH64 (xxHash spec / reference implementation).
    assert_eq!(key_hash(b""), 0xEF46_DB37_51D8_E999);
    assert_eq!(super::hash::xxh64_seeded(b"", 1), 0xD5AF_BA13_36A3_BE4B);
}

#[test]
fn splitmix64_reference_vector() {
    // First outputs of Vigna's splitmix64.c seeded with 0.
    let mut r = SplitMix64::new(0);
    assert_eq!(r.next_u64(), 0xE220_A839_7B1D_CDAF);
    assert_eq!(r.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    assert_eq!(r.next_u64(), 0x06C4_5D18_8009_454F);
}

#[test]
fn below_is_in_range_and_unbiased_enough() {
    let mut r = SplitMix64::new(7);
    let mut counts = [0u32; 3];
    for _ in 0..30_000 {
        counts[r.below(3) as usize] += 1;
    }
    for c in counts {
        assert!((9_400..10_600).contains(&c), "{counts:?}");
    }
}

// ---------------------------------------------------------------- member set

#[test]
fn member_set_is_canonical() {
    let s = set(&[("b", 2), ("a", 0), ("c", 1), ("b", 5), ("b", 3)]);
    assert_eq!(
        s.members(),
        &[
            Member::new("a", 1),
            Member::new("b", 5),
            Member::new("c", 1)
        ]
    );
    assert_eq!(s.len(), 3);
    assert!(!s.is_empty());
    assert_eq!(s.index_of("b"), Some(1));
    assert_eq!(s.index_of("zz"), None);
    assert_eq!(s.total_weight(), 7);
    assert_eq!(
        s.without(1).members(),
        &[Member::new("a", 1), Member::new("c", 1)]
    );
    assert_eq!(s.with_member(Member::new("0", 4)).index_of("0"), Some(0));
    assert!(MemberSet::new(vec![]).is_empty());
}

#[test]
fn policy_names_round_trip() {
    for p in Policy::ALL {
        assert_eq!(p.name().parse::<Policy>(), Ok(p));
        assert_eq!(p.to_string(), p.name());
    }
    assert_eq!("MAGLEV".parse::<Policy>(), Ok(Policy::Maglev));
    assert!(matches!(
        "ring".parse::<Policy>(),
        Err(PickError::UnknownPolicy(_))
    ));
    let s = equal_set(3);
    for p in [Policy::RoundRobin, Policy::Weighted, Policy::Random] {
        assert!(!p.is_keyed());
        assert_eq!(p.keyed_picker(&s).err(), Some(PickError::NotKeyed(p)));
    }
}

// ---------------------------------------------------------------- round-robin

#[test]
fn round_robin_offsets_and_wraps() {
    let s = set(&[("c", 1), ("a", 9), ("b", 1)]);
    assert_eq!(round_robin(&s, 0, 7), vec![0, 1, 2, 0, 1, 2, 0]);
    assert_eq!(round_robin(&s, 2, 4), vec![2, 0, 1, 2]);
    assert_eq!(round_robin(&s, 5, 3), vec![2, 0, 1]);
    assert_eq!(round_robin(&s, u64::MAX, 2), vec![0, 1]); // u64::MAX % 3 == 0
    assert_eq!(round_robin(&s, 1, 0), Vec::<usize>::new());
    assert_eq!(
        round_robin(&MemberSet::default(), 3, 5),
        Vec::<usize>::new()
    );
}

// ---------------------------------------------------------------- smooth WRR

#[test]
fn swrr_matches_nginx_example() {
    let s = set(&[("a", 5), ("b", 1), ("c", 1)]);
    let seq: Vec<usize> = SmoothWeighted::new(&s).take(14).collect();
    assert_eq!(ids(&s, &seq).concat(), "aabacaaaabacaa");
}

#[test]
fn swrr_ties_go_to_lowest_index() {
    let s = set(&[("x", 1), ("y", 1), ("z", 1)]);
    let seq: Vec<usize> = SmoothWeighted::new(&s).take(6).collect();
    assert_eq!(seq, vec![0, 1, 2, 0, 1, 2]);
}

#[test]
fn swrr_offset_and_gcd() {
    let s = set(&[("a", 50), ("b", 10), ("c", 10)]);
    let mut w = SmoothWeighted::new(&s);
    assert_eq!(w.period(), 7);
    let first: Vec<usize> = w.by_ref().take(10).collect();
    let mut off = SmoothWeighted::with_offset(&s, 3);
    assert_eq!(off.next_index(), Some(first[3]));
    let mut far = SmoothWeighted::with_offset(&s, 7 * 1000 + 2);
    assert_eq!(far.next_index(), Some(first[2]));
    assert_eq!(SmoothWeighted::new(&MemberSet::default()).next(), None);
}

// ---------------------------------------------------------------- weighted random

#[test]
fn weighted_random_is_reproducible_and_proportional() {
    let s = set(&[("a", 1), ("b", 2), ("c", 7)]);
    let a: Vec<usize> = WeightedRandom::new(&s, 42).take(1000).collect();
    let b: Vec<usize> = WeightedRandom::new(&s, 42).take(1000).collect();
    let c: Vec<usize> = WeightedRandom::new(&s, 43).take(1000).collect();
    assert_eq!(a, b);
    assert_ne!(a, c);
    let draws = 200_000;
    let mut counts = [0u64; 3];
    for i in WeightedRandom::new(&s, 1).take(draws) {
        counts[i] += 1;
    }
    let st = stats(&s, &counts);
    for (got, want) in st.shares.iter().zip(&st.expected) {
        // 5 sigma of a binomial with p ≤ 0.7 over 200k draws is < 0.006.
        assert!((got - want).abs() < 0.006, "{st:?}");
    }
    assert_eq!(WeightedRandom::new(&MemberSet::default(), 1).next(), None);
}

#[test]
fn weighted_random_golden() {
    let s = set(&[("a", 1), ("b", 2), ("c", 7)]);
    let seq: Vec<usize> = WeightedRandom::new(&s, 2024).take(12).collect();
    assert_eq!(ids(&s, &seq).concat(), GOLDEN_RANDOM);
}
const GOLDEN_RANDOM: &str = "cabbccbcbccc";

// ---------------------------------------------------------------- rendezvous

#[test]
fn rendezvous_golden() {
    let s = set(&[
        ("web-0", 1),
        ("web-1", 1),
        ("web-2", 1),
        ("web-3", 1),
        ("web-4", 1),
    ]);
    let r = Rendezvous::new(&s);
    let got: Vec<String> = GOLDEN_KEYS
        .iter()
        .map(|k| s.members()[r.pick_key(k.as_bytes()).unwrap()].id.clone())
        .collect();
    assert_eq!(got, GOLDEN_HASH);
    let w = set(&[
        ("web-0", 1),
        ("web-1", 3),
        ("web-2", 1),
        ("web-3", 2),
        ("web-4", 1),
    ]);
    let r = Rendezvous::new(&w);
    let got: Vec<String> = GOLDEN_KEYS
        .iter()
        .map(|k| w.members()[r.pick_key(k.as_bytes()).unwrap()].id.clone())
        .collect();
    assert_eq!(got, GOLDEN_HASH_WEIGHTED);
}
const GOLDEN_KEYS: [&str; 8] = [
    "",
    "a",
    "user-1",
    "user-2",
    "session:42",
    "GET /",
    "10.0.0.1",
    "x",
];
const GOLDEN_HASH: [&str; 8] = [
    "web-2", "web-3", "web-3", "web-2", "web-0", "web-0", "web-3", "web-4",
];
const GOLDEN_HASH_WEIGHTED: [&str; 8] = [
    "web-3", "web-3", "web-3", "web-2", "web-0", "web-0", "web-3", "web-1",
];

#[test]
fn rendezvous_add_moves_about_one_over_n_plus_one() {
    let keys = sample_keys(20_000, 3);
    for n in [3usize, 10, 50] {
        let s = equal_set(n);
        let moved = movement_on_add(&s, Policy::Hash, &keys).unwrap();
        let ideal = 1.0 / (n as f64 + 1.0);
        assert!(
            (moved - ideal).abs() < 0.015,
            "n={n} moved={moved} ideal={ideal}"
        );
    }
}

#[test]
fn rendezvous_remove_moves_one_over_n() {
    let keys = sample_keys(5_000, 4);
    let s = equal_set(10);
    let moved = movement_on_remove(&s, Policy::Hash, &keys).unwrap();
    for m in moved {
        assert!((m - 0.1).abs() < 0.02, "{m}");
    }
}

#[test]
fn rendezvous_equal_weight_evenness() {
    let keys = sample_keys(100_000, 5);
    let s = equal_set(10);
    let counts = distribution(&Rendezvous::new(&s), s.len(), &keys);
    assert_eq!(counts.iter().sum::<u64>(), 100_000);
    let st = stats(&s, &counts);
    assert!(st.max_over_mean < 1.03 && st.min_over_mean > 0.97, "{st:?}");
}

#[test]
fn rendezvous_weighted_shares() {
    let keys = sample_keys(100_000, 6);
    let s = set(&[("a", 1), ("b", 2), ("c", 3), ("d", 4)]);
    let counts = distribution(&Rendezvous::new(&s), s.len(), &keys);
    let st = stats(&s, &counts);
    assert!(st.max_over_mean < 1.04 && st.min_over_mean > 0.96, "{st:?}");
}

#[test]
fn empty_pickers_pick_nothing() {
    let e = MemberSet::default();
    assert_eq!(Rendezvous::new(&e).pick_key(b"k"), None);
    assert_eq!(Maglev::new(&e).unwrap().pick_key(b"k"), None);
}

// ---------------------------------------------------------------- maglev

#[test]
fn maglev_validates_table_size() {
    let s = equal_set(10);
    assert_eq!(
        Maglev::with_table_size(&s, 65_536).err(),
        Some(PickError::TableSizeNotPrime(65_536))
    );
    assert_eq!(
        Maglev::with_table_size(&s, 7).err(),
        Some(PickError::TableTooSmall {
            size: 7,
            members: 10
        })
    );
    assert_eq!(
        Maglev::with_table_size(&s, 5_000_087).err(),
        Some(PickError::TableTooLarge(5_000_087))
    );
    assert!(Maglev::with_table_size(&s, 11).is_ok());
    assert!(is_prime(65_537) && is_prime(MAX_TABLE_SIZE) && is_prime(2) && is_prime(3));
    assert!(!is_prime(0) && !is_prime(1) && !is_prime(9) && !is_prime(65_535));
}

#[test]
fn maglev_table_is_full_and_even() {
    for n in [1usize, 3, 10, 100] {
        let s = equal_set(n);
        let m = Maglev::new(&s).unwrap();
        assert_eq!(m.table_size(), DEFAULT_TABLE_SIZE);
        assert_eq!(m.table().len() as u64, DEFAULT_TABLE_SIZE);
        assert!(m.table().iter().all(|&i| (i as usize) < n));
        let counts = m.entries_per_member(n);
        let (lo, hi) = (counts.iter().min().unwrap(), counts.iter().max().unwrap());
        assert!(hi - lo <= 1, "n={n} {lo}..{hi}");
    }
}

#[test]
fn maglev_weighted_shares() {
    let s = set(&[("a", 1), ("b", 2), ("c", 3), ("d", 4)]);
    let m = Maglev::new(&s).unwrap();
    let st = stats(&s, &m.entries_per_member(4));
    assert!(st.max_over_mean < 1.01 && st.min_over_mean > 0.99, "{st:?}");
    // Envoy's documented example: weights 1:2 give 21 846 : 43 691 entries.
    let two = set(&[("h1", 1), ("h2", 2)]);
    let mut c = Maglev::new(&two).unwrap().entries_per_member(2);
    c.sort_unstable();
    assert!((c[0] as i64 - 21_846).abs() <= 1, "{c:?}");
}

#[test]
fn maglev_skewed_weights_still_give_everyone_a_slot() {
    // One heavy member (weight 199) among 199 of weight 1: it should own ~half.
    let mut members: Vec<Member> = (0..199)
        .map(|i| Member::new(format!("p{i:03}"), 1))
        .collect();
    members.push(Member::new("heavy", 199));
    let s = MemberSet::new(members);
    let m = Maglev::new(&s).unwrap();
    let counts = m.entries_per_member(s.len());
    assert!(counts.iter().all(|&c| c >= 1));
    let st = stats(&s, &counts);
    assert!(st.max_over_mean < 1.02 && st.min_over_mean > 0.95, "{st:?}");
}

/// Fraction of table slots whose member (by id) differs after removing member `j`.
fn maglev_slots_moved(s: &MemberSet, j: usize) -> f64 {
    let before = Maglev::new(s).unwrap();
    let after = Maglev::new(&s.without(j)).unwrap();
    let moved = before
        .table()
        .iter()
        .zip(after.table())
        .filter(|(&b, &a)| {
            let a = a as usize;
            a + usize::from(a >= j) != b as usize
        })
        .count();
    moved as f64 / DEFAULT_TABLE_SIZE as f64
}

#[test]
fn maglev_disruption_on_remove_is_bounded() {
    // Doc measurements (M = 65537): 0.102 at N = 10, 0.0154 at N = 100, 0.0069 at
    // N = 1000, versus the ideal 0.1 / 0.01 / 0.001. Allow ~2x the measured figure.
    let s = equal_set(10);
    for j in [0, 5, 9] {
        let f = maglev_slots_moved(&s, j);
        assert!((0.1..0.13).contains(&f), "N=10 j={j} {f}");
    }
    let s = equal_set(100);
    for j in [0, 50, 99] {
        let f = maglev_slots_moved(&s, j);
        assert!((0.01..0.03).contains(&f), "N=100 j={j} {f}");
    }
    let s = equal_set(1000);
    let f = maglev_slots_moved(&s, 500);
    assert!((0.001..0.014).contains(&f), "N=1000 {f}");
}

#[test]
fn maglev_movement_helpers_agree() {
    let keys = sample_keys(20_000, 8);
    let s = equal_set(20);
    let moved = movement_on_remove(&s, Policy::Maglev, &keys).unwrap();
    assert_eq!(moved.len(), 20);
    let mean = moved.iter().sum::<f64>() / 20.0;
    assert!((0.045..0.08).contains(&mean), "{mean}");
    let add = movement_on_add(&s, Policy::Maglev, &keys).unwrap();
    assert!((0.04..0.08).contains(&add), "{add}");
}

#[test]
fn maglev_golden() {
    let s = set(&[
        ("web-0", 1),
        ("web-1", 1),
        ("web-2", 1),
        ("web-3", 1),
        ("web-4", 1),
    ]);
    let m = Maglev::new(&s).unwrap();
    let got: Vec<String> = GOLDEN_KEYS
        .iter()
        .map(|k| s.members()[m.pick_key(k.as_bytes()).unwrap()].id.clone())
        .collect();
    assert_eq!(got, GOLDEN_MAGLEV);
}
const GOLDEN_MAGLEV: [&str; 8] = [
    "web-1", "web-0", "web-3", "web-3", "web-3", "web-2", "web-2", "web-4",
];

// ---------------------------------------------------------------- srv weights

#[test]
fn srv_weights_normalise() {
    assert_eq!(normalize_srv_weights(&[33, 33, 33]), vec![1, 1, 1]);
    assert_eq!(normalize_srv_weights(&[10, 30]), vec![1, 3]);
    assert_eq!(normalize_srv_weights(&[0, 0]), vec![1, 1]);
    assert_eq!(normalize_srv_weights(&[0, 100]), vec![1, 100]);
    assert_eq!(normalize_srv_weights(&[65_535]), vec![1]);
    assert_eq!(normalize_srv_weights(&[]), Vec::<u32>::new());
}

#[test]
fn stats_of_empty_distribution() {
    let s = equal_set(2);
    let st = stats(&s, &[0, 0]);
    assert_eq!(st.shares, vec![0.0, 0.0]);
    assert_eq!(st.expected, vec![0.5, 0.5]);
}

// ---------------------------------------------------------------- properties

fn arb_members(max: usize) -> impl Strategy<Value = Vec<Member>> {
    prop::collection::btree_map("[a-z0-9.-]{1,12}", 1u32..20, 2..max)
        .prop_map(|m| m.into_iter().map(|(id, w)| Member::new(id, w)).collect())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn any_permutation_gives_identical_picks(
        members in arb_members(40),
        perm_seed in any::<u64>(),
        seed in any::<u64>(),
    ) {
        let mut shuffled = members.clone();
        // Fisher-Yates with our own PRNG: an arbitrary permutation of the input.
        let mut rng = SplitMix64::new(perm_seed);
        for i in (1..shuffled.len()).rev() {
            shuffled.swap(i, rng.below(i as u64 + 1) as usize);
        }
        let (a, b) = (MemberSet::new(members), MemberSet::new(shuffled));
        prop_assert_eq!(&a, &b);
        let keys = sample_keys(64, seed);
        let ra = Rendezvous::new(&a);
        let rb = Rendezvous::new(&b);
        let ma = Maglev::with_table_size(&a, 1021).unwrap();
        let mb = Maglev::with_table_size(&b, 1021).unwrap();
        for k in &keys {
            prop_assert_eq!(ra.pick_key(k), rb.pick_key(k));
            prop_assert_eq!(ma.pick_key(k), mb.pick_key(k));
        }
        prop_assert_eq!(ma.table(), mb.table());
        let sa: Vec<usize> = SmoothWeighted::new(&a).take(50).collect();
        let sb: Vec<usize> = SmoothWeighted::new(&b).take(50).collect();
        prop_assert_eq!(sa, sb);
        let wa: Vec<usize> = WeightedRandom::new(&a, seed).take(50).collect();
        let wb: Vec<usize> = WeightedRandom::new(&b, seed).take(50).collect();
        prop_assert_eq!(wa, wb);
        prop_assert_eq!(round_robin(&a, seed, 9), round_robin(&b, seed, 9));
    }

    #[test]
    fn rendezvous_remove_moves_only_that_members_keys(
        members in arb_members(200),
        victim in any::<prop::sample::Index>(),
        seed in any::<u64>(),
    ) {
        let s = MemberSet::new(members);
        let j = victim.index(s.len());
        let smaller = s.without(j);
        let (before, after) = (Rendezvous::new(&s), Rendezvous::new(&smaller));
        for k in sample_keys(256, seed) {
            let b = before.pick_key(&k).unwrap();
            let a = after.pick_key(&k).unwrap();
            if b == j {
                prop_assert_ne!(&smaller.members()[a].id, &s.members()[j].id);
            } else {
                // Unchanged owner, by identity.
                prop_assert_eq!(&smaller.members()[a].id, &s.members()[b].id);
            }
        }
    }

    #[test]
    fn rendezvous_grouping_equals_scoring_every_member(
        members in arb_members(60),
        seed in any::<u64>(),
    ) {
        let s = MemberSet::new(members);
        let r = Rendezvous::new(&s);
        let mut rng = SplitMix64::new(seed);
        for _ in 0..256 {
            let k = rng.next_u64();
            prop_assert_eq!(r.pick_hash(k), Rendezvous::pick_hash_reference(&s, k));
        }
    }

    #[test]
    fn swrr_full_cycle_is_exactly_proportional(weights in prop::collection::vec(1u32..12, 1..12)) {
        let s = MemberSet::new(
            weights.iter().enumerate().map(|(i, &w)| Member::new(format!("m{i:02}"), w)).collect(),
        );
        let mut it = SmoothWeighted::new(&s);
        let period = it.period() as usize;
        let mut counts = vec![0u64; s.len()];
        let first: Vec<usize> = it.by_ref().take(period).collect();
        for &i in &first {
            counts[i] += 1;
        }
        let g = s.members().iter().fold(0u64, |g, m| gcd(g, u64::from(m.weight)));
        for (c, m) in counts.iter().zip(s.members()) {
            prop_assert_eq!(*c, u64::from(m.weight) / g);
        }
        // Periodic: the next cycle repeats the first.
        let second: Vec<usize> = it.take(period).collect();
        prop_assert_eq!(first, second);
    }

    #[test]
    fn maglev_small_tables_are_full(members in arb_members(50)) {
        let s = MemberSet::new(members);
        let m = Maglev::with_table_size(&s, 251).unwrap();
        let counts = m.entries_per_member(s.len());
        prop_assert_eq!(counts.iter().sum::<u64>(), 251);
        prop_assert!(counts.iter().all(|&c| c >= 1));
    }
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}
