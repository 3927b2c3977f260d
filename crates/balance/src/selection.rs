//! From resolved endpoints to picks: identity, weights, ports and the
//! running state of a picking policy. Pure: no I/O, no clock; the algorithms
//! themselves live in [`crate::pick`].
//!
//! A [`Pool`] is the canonical member set of [`crate::pick::MemberSet`]
//! plus, index for index, what to print for each member (address, hostname,
//! port). A [`Selector`] turns requests into member indices; request number
//! `i` gets the same member whatever the DNS answer order was.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};

use crate::pick::{
    self, round_robin, BuildPicker, Maglev, Member, MemberSet, PickError, Picker, Policy,
    Rendezvous, SmoothWeighted, SplitMix64, Stats, WeightedRandom,
};
use hsvc_resolve::endpoints::{Endpoint, EndpointSet};

/// What identifies an endpoint to the pickers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdentityRule {
    /// [`Endpoint::identity`]: the hostname unless it is the dashed IP, else the IP.
    Auto,
    /// The IP address text.
    Ip,
    /// The SRV target's first label (the dashed IP for pods without hostname);
    /// the IP for an endpoint that came without SRV.
    Hostname,
}

impl IdentityRule {
    /// The `--identity` value and JSON name: `auto`, `ip` or `hostname`.
    pub fn as_str(self) -> &'static str {
        match self {
            IdentityRule::Auto => "auto",
            IdentityRule::Ip => "ip",
            IdentityRule::Hostname => "hostname",
        }
    }

    fn of(self, e: &Endpoint) -> String {
        match self {
            IdentityRule::Auto => e.identity(),
            IdentityRule::Ip => e.ip.to_string(),
            IdentityRule::Hostname => e.hostname.clone().unwrap_or_else(|| e.ip.to_string()),
        }
    }
}

/// Which port is printed with a pick.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PortChoice {
    /// `--port N`.
    Number(u16),
    /// `--port-name NAME`: endpoints without that port are left out.
    Named(String),
    /// The only SRV port of the Service, if it has exactly one.
    Only,
}

/// Where weights come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WeightSource {
    /// SRV weights of the printed port, normalised
    /// ([`pick::normalize_srv_weights`]); 1 without SRV.
    Srv,
    /// `--weight ID=W`; identities not listed weigh 1.
    Explicit(Vec<(String, u32)>),
}

/// What is printed for one member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slot {
    /// The member's identity (its id in the [`MemberSet`]).
    pub id: String,
    /// The address printed: the lowest IP of the member (IPv4 before IPv6).
    pub ip: IpAddr,
    /// Every address of the member (a dual-stack pod with a hostname has two).
    pub addresses: Vec<IpAddr>,
    /// SRV target's first label, escaped presentation form.
    pub hostname: Option<String>,
    /// The port printed with the address: the [`PortChoice`]'s port, or
    /// `None` when there is none to print (no SRV, several ports with
    /// [`PortChoice::Only`]).
    pub port: Option<u16>,
    /// The member's weight in the [`MemberSet`] (at least 1).
    pub weight: u32,
}

impl Slot {
    /// `ip:port` (`[v6]:port`), or the bare IP without a port.
    pub fn address(&self) -> String {
        match self.port {
            Some(p) => SocketAddr::new(self.ip, p).to_string(),
            None => self.ip.to_string(),
        }
    }
}

/// The canonical member set and what to print for each member.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Pool {
    /// The members the pickers are built over; picks index into it.
    pub set: MemberSet,
    /// `slots[i]` belongs to `set.members()[i]`.
    pub slots: Vec<Slot>,
    /// Notes for stderr (unknown `--weight` identities, ambiguous ports…).
    pub warnings: Vec<String>,
}

impl Pool {
    /// Builds the pool of `endpoints`. Endpoints sharing an identity (the
    /// two addresses of a dual-stack pod) become one member.
    pub fn build(
        endpoints: &EndpointSet,
        identity: IdentityRule,
        weights: &WeightSource,
        port: &PortChoice,
    ) -> Pool {
        let mut warnings = Vec::new();
        let common_port = match port {
            PortChoice::Number(n) => Some(*n),
            PortChoice::Named(_) => None,
            PortChoice::Only => {
                let mut ports: Vec<u16> = endpoints
                    .iter()
                    .flat_map(|e| e.ports.iter().map(|p| p.port))
                    .collect();
                ports.sort_unstable();
                ports.dedup();
                if ports.len() > 1 {
                    warnings.push(format!(
                        "the Service has {} ports ({}); printing addresses without a port \
                         (choose one with --port or --port-name)",
                        ports.len(),
                        ports
                            .iter()
                            .map(u16::to_string)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                    None
                } else {
                    ports.first().copied()
                }
            }
        };

        // Group by identity; the endpoint set is sorted by IP, so the first
        // endpoint of a group has its lowest address.
        let mut groups: BTreeMap<String, Vec<&Endpoint>> = BTreeMap::new();
        let mut missing_port = 0usize;
        for e in endpoints {
            if let PortChoice::Named(name) = port {
                if !e.ports.iter().any(|p| p.name.as_deref() == Some(name)) {
                    missing_port += 1;
                    continue;
                }
            }
            groups.entry(identity.of(e)).or_default().push(e);
        }
        if missing_port > 0 {
            if let PortChoice::Named(name) = port {
                warnings.push(format!(
                    "{missing_port} endpoint(s) have no port named '{}' and are left out",
                    hsvc_resolve::escape::term(name)
                ));
            }
        }

        let mut slots: Vec<Slot> = Vec::with_capacity(groups.len());
        let mut srv_weights: Vec<u16> = Vec::with_capacity(groups.len());
        let mut any_srv = false;
        for (id, group) in groups {
            let first = group[0];
            let port_info = match port {
                PortChoice::Named(name) => first
                    .ports
                    .iter()
                    .find(|p| p.name.as_deref() == Some(name.as_str())),
                _ => match common_port {
                    Some(n) => first.ports.iter().find(|p| p.port == n),
                    None => first.ports.first(),
                },
            };
            any_srv |= port_info.is_some();
            srv_weights.push(port_info.map_or(0, |p| p.weight));
            slots.push(Slot {
                id,
                ip: first.ip,
                addresses: group.iter().map(|e| e.ip).collect(),
                hostname: first.hostname.clone(),
                port: match port {
                    PortChoice::Named(_) => port_info.map(|p| p.port),
                    _ => common_port,
                },
                weight: 1,
            });
        }

        match weights {
            WeightSource::Srv if any_srv => {
                for (slot, w) in slots
                    .iter_mut()
                    .zip(pick::normalize_srv_weights(&srv_weights))
                {
                    slot.weight = w;
                }
            }
            WeightSource::Srv => {}
            WeightSource::Explicit(list) => {
                for (id, w) in list {
                    match slots.binary_search_by(|s| s.id.as_str().cmp(id)) {
                        Ok(i) => slots[i].weight = *w,
                        Err(_) => warnings.push(format!(
                            "--weight {}: no endpoint has this identity",
                            hsvc_resolve::escape::term(id)
                        )),
                    }
                }
            }
        }

        let set = MemberSet::new(
            slots
                .iter()
                .map(|s| Member::new(s.id.clone(), s.weight))
                .collect(),
        );
        debug_assert!(set.members().iter().zip(&slots).all(|(m, s)| m.id == s.id));
        Pool {
            set,
            slots,
            warnings,
        }
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether there is no member (every pick is then `None`).
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Same members, addresses, ports and weights (warnings aside).
    pub(crate) fn same_members(&self, other: &Pool) -> bool {
        self.slots == other.slots
    }

    /// Identities in `self` but not in `other`.
    pub(crate) fn ids_not_in<'a>(&'a self, other: &Pool) -> Vec<&'a str> {
        self.slots
            .iter()
            .filter(|s| other.set.index_of(&s.id).is_none())
            .map(|s| s.id.as_str())
            .collect()
    }
}

/// The inputs of a policy besides the set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PolicyInputs {
    /// The picking policy.
    pub policy: Policy,
    /// Round-robin and weighted: picks already made.
    pub offset: u64,
    /// Random: the seed of the stream.
    pub seed: u64,
    /// Maglev table size.
    pub table_size: u64,
}

impl PolicyInputs {
    /// The key-based picker of a hash policy over `set`.
    pub fn keyed(&self, set: &MemberSet) -> Result<Box<dyn Picker>, PickError> {
        match self.policy {
            Policy::Hash => Ok(Box::new(Rendezvous::new(set))),
            Policy::Maglev => Ok(Box::new(Maglev::with_table_size(set, self.table_size)?)),
            other => Err(PickError::NotKeyed(other)),
        }
    }
}

/// A policy's running state over one set: the pick sequence of the
/// sequence policies, or the built picker of a hash policy.
pub struct Selector(State);

enum State {
    RoundRobin { set: MemberSet, next: u64 },
    Weighted(SmoothWeighted),
    Random(WeightedRandom),
    Keyed(Box<dyn Picker>),
}

impl Selector {
    /// The state after `served` requests: request number `served` (counted
    /// from 0) is the next to be answered. So after a set change in
    /// `--follow`, the sequence policies go on as if the new set had been
    /// there from the start.
    pub fn new(inputs: &PolicyInputs, set: &MemberSet, served: u64) -> Result<Selector, PickError> {
        let at = inputs.offset.wrapping_add(served);
        Ok(Selector(match inputs.policy {
            Policy::RoundRobin => State::RoundRobin {
                set: set.clone(),
                next: at,
            },
            Policy::Weighted => {
                let period = SmoothWeighted::new(set).period();
                let into = if period == 0 { 0 } else { at % period };
                let members = set.members().len();
                if into.saturating_mul(members as u64) > crate::pick::MAX_REPLAY {
                    return Err(PickError::OffsetTooDeep {
                        into,
                        period,
                        members,
                    });
                }
                State::Weighted(SmoothWeighted::with_offset(set, at))
            }
            Policy::Random => {
                let mut r = WeightedRandom::new(set, inputs.seed);
                for _ in 0..served {
                    r.next_index();
                }
                State::Random(r)
            }
            Policy::Hash | Policy::Maglev => State::Keyed(inputs.keyed(set)?),
        }))
    }

    /// The member index for the next request with `key` (ignored by the
    /// sequence policies); `None` only for an empty set.
    pub fn next(&mut self, key: &[u8]) -> Option<usize> {
        match &mut self.0 {
            State::RoundRobin { set, next } => {
                let i = round_robin(set, *next, 1).first().copied();
                *next = next.wrapping_add(1);
                i
            }
            State::Weighted(s) => s.next_index(),
            State::Random(r) => r.next_index(),
            State::Keyed(p) => p.pick_key(key),
        }
    }
}

/// Keys for a simulation.
pub enum SimKeys<'a> {
    /// `n` keys drawn like [`pick::sample_keys`]`(n, seed)` (8 bytes each),
    /// streamed rather than held in memory.
    Sampled {
        /// How many keys.
        n: u64,
        /// The [`SplitMix64`] seed they are drawn from.
        seed: u64,
    },
    /// Given keys (`--key`, `--keys-from`).
    Given(&'a [Vec<u8>]),
}

/// At most this many keys are used for the movement figures.
pub const MOVEMENT_KEYS: usize = 10_000;
/// Movement on removal is computed for every member only up to this many
/// members (it rebuilds the picker once per member).
pub const MOVEMENT_MAX_MEMBERS: usize = 256;

/// The outcome of `--simulate`.
#[derive(Clone, Debug, PartialEq)]
pub struct Simulation {
    /// Picks made (keys for the hash policies, requests otherwise).
    pub picks: u64,
    /// Picks per member, index for index with the pool.
    pub counts: Vec<u64>,
    /// Shares and evenness of `counts` relative to the weights.
    pub stats: Stats,
    /// Keys the movement figures were computed over (0 for sequence policies).
    pub movement_keys: usize,
    /// For each member, the fraction of keys that move when it is removed
    /// (hash policies with at most [`MOVEMENT_MAX_MEMBERS`] members).
    pub on_remove: Option<Vec<f64>>,
    /// Fraction of keys that move when one member of mean weight is added
    /// (hash policies).
    pub on_add: Option<f64>,
    /// Why a movement figure is missing, if one is.
    pub notes: Vec<String>,
}

/// Runs the policy over `keys` (or `n` requests) and reports the
/// distribution and, for the hash policies, movement on change.
pub fn simulate(
    pool: &Pool,
    inputs: &PolicyInputs,
    keys: SimKeys<'_>,
) -> Result<Simulation, PickError> {
    let set = &pool.set;
    let mut counts = vec![0u64; set.len()];
    let mut picks = 0u64;
    let mut count = |i: Option<usize>| {
        if let Some(c) = i.and_then(|i| counts.get_mut(i)) {
            *c += 1;
        }
        picks += 1;
    };
    let mut selector = Selector::new(inputs, set, 0)?;
    let mut movement: Vec<Vec<u8>> = Vec::new();
    match &keys {
        SimKeys::Sampled { n, seed } => {
            let mut rng = SplitMix64::new(*seed);
            for _ in 0..*n {
                let k = rng.next_u64().to_le_bytes();
                if inputs.policy.is_keyed() && movement.len() < MOVEMENT_KEYS {
                    movement.push(k.to_vec());
                }
                count(selector.next(&k));
            }
        }
        SimKeys::Given(ks) => {
            for k in ks.iter() {
                count(selector.next(k));
            }
            if inputs.policy.is_keyed() {
                movement = ks.iter().take(MOVEMENT_KEYS).cloned().collect();
            }
        }
    }
    let stats = pick::stats(set, &counts);
    let mut notes = Vec::new();
    let (mut on_remove, mut on_add) = (None, None);
    if inputs.policy.is_keyed() && !set.is_empty() {
        let build: &BuildPicker<'_> = &|s: &MemberSet| inputs.keyed(s);
        if set.len() <= MOVEMENT_MAX_MEMBERS {
            on_remove = Some(pick::movement_on_remove_with(set, build, &movement)?);
        } else {
            notes.push(format!(
                "movement on removal is computed for at most {MOVEMENT_MAX_MEMBERS} endpoints"
            ));
        }
        match pick::movement_on_add_with(set, build, &movement) {
            Ok(f) => on_add = Some(f),
            // A Maglev table exactly as large as the set has no room for one more.
            Err(e) => notes.push(format!("movement on addition: {e}")),
        }
    }
    Ok(Simulation {
        picks,
        counts,
        stats,
        movement_keys: if inputs.policy.is_keyed() {
            movement.len()
        } else {
            0
        },
        on_remove,
        on_add,
        notes,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn weighted_offsets_skip_whole_cycles_and_refuse_what_they_cannot_replay() {
        use crate::pick::{Member, MemberSet, PickError, Policy, DEFAULT_TABLE_SIZE};
        let inputs = |offset| PolicyInputs {
            policy: Policy::Weighted,
            offset,
            seed: 0,
            table_size: DEFAULT_TABLE_SIZE,
        };
        // Equal weights: a cycle of N; any offset, u64::MAX included, is
        // a short replay.
        let equal = MemberSet::new((0..2561).map(|i| Member::new(format!("p{i}"), 7)).collect());
        let mut a = Selector::new(&inputs(u64::MAX), &equal, 0).unwrap();
        let mut b = Selector::new(&inputs(u64::MAX % 2561), &equal, 0).unwrap();
        assert_eq!(a.next(b""), b.next(b""));
        // Coprime weights: a cycle of ~84 million picks over 2,561 members.
        let skewed = MemberSet::new(
            (0..2561u32)
                .map(|i| Member::new(format!("p{i}"), 60000 + i))
                .collect(),
        );
        match Selector::new(&inputs(10_000_000), &skewed, 0) {
            Err(PickError::OffsetTooDeep { into, members, .. }) => {
                assert_eq!((into, members), (10_000_000, 2561))
            }
            other => panic!("{:?}", other.map(|_| ())),
        }
        assert!(Selector::new(&inputs(1_000), &skewed, 0).is_ok());
    }

    use super::*;
    use hsvc_resolve::endpoints::PortInfo;

    fn ep(ip: &str, host: Option<&str>, ports: &[(u16, u16, Option<&str>)]) -> Endpoint {
        let mut e = Endpoint::new(ip.parse().unwrap(), 30);
        e.hostname = host.map(str::to_string);
        e.ports = ports
            .iter()
            .map(|&(port, weight, name)| PortInfo {
                port,
                protocol: name.map(|_| "tcp".to_string()),
                name: name.map(str::to_string),
                weight,
                priority: 0,
            })
            .collect();
        e
    }

    fn sts() -> EndpointSet {
        EndpointSet::from_vec(vec![
            ep("10.0.0.3", Some("web-2"), &[(8080, 33, None)]),
            ep("10.0.0.1", Some("web-0"), &[(8080, 33, None)]),
            ep("10.0.0.2", Some("web-1"), &[(8080, 33, None)]),
        ])
    }

    fn inputs(policy: Policy) -> PolicyInputs {
        PolicyInputs {
            policy,
            offset: 0,
            seed: 0,
            table_size: pick::DEFAULT_TABLE_SIZE,
        }
    }

    #[test]
    fn identity_rules() {
        let set = EndpointSet::from_vec(vec![
            ep("10.0.0.9", Some("10-0-0-9"), &[(80, 50, None)]),
            ep("10.0.0.1", Some("db-0"), &[(80, 50, None)]),
        ]);
        let ids = |r| {
            Pool::build(&set, r, &WeightSource::Srv, &PortChoice::Only)
                .slots
                .into_iter()
                .map(|s| s.id)
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(IdentityRule::Auto), ["10.0.0.9", "db-0"]);
        assert_eq!(ids(IdentityRule::Ip), ["10.0.0.1", "10.0.0.9"]);
        assert_eq!(ids(IdentityRule::Hostname), ["10-0-0-9", "db-0"]);
    }

    #[test]
    fn srv_weights_are_normalised_and_the_only_port_is_printed() {
        let pool = Pool::build(
            &sts(),
            IdentityRule::Auto,
            &WeightSource::Srv,
            &PortChoice::Only,
        );
        assert!(pool.warnings.is_empty());
        assert!(pool
            .slots
            .iter()
            .all(|s| s.weight == 1 && s.port == Some(8080)));
        assert_eq!(pool.slots[0].address(), "10.0.0.1:8080");
        let skew = EndpointSet::from_vec(vec![
            ep("10.0.0.1", Some("a"), &[(80, 10, None)]),
            ep("10.0.0.2", Some("b"), &[(80, 30, None)]),
        ]);
        let pool = Pool::build(
            &skew,
            IdentityRule::Auto,
            &WeightSource::Srv,
            &PortChoice::Only,
        );
        assert_eq!(
            pool.slots.iter().map(|s| s.weight).collect::<Vec<_>>(),
            [1, 3]
        );
    }

    #[test]
    fn explicit_weights_and_unknown_identities() {
        let w = WeightSource::Explicit(vec![("web-1".into(), 5), ("web-9".into(), 2)]);
        let pool = Pool::build(&sts(), IdentityRule::Auto, &w, &PortChoice::Only);
        assert_eq!(
            pool.slots.iter().map(|s| s.weight).collect::<Vec<_>>(),
            [1, 5, 1]
        );
        assert_eq!(pool.warnings.len(), 1);
        assert!(pool.warnings[0].contains("web-9"));
    }

    #[test]
    fn ports_several_named_and_explicit() {
        let two = EndpointSet::from_vec(vec![
            ep(
                "10.0.0.1",
                Some("a"),
                &[(80, 50, Some("http")), (443, 50, Some("https"))],
            ),
            ep("10.0.0.2", Some("b"), &[(80, 50, Some("http"))]),
        ]);
        let pool = Pool::build(
            &two,
            IdentityRule::Auto,
            &WeightSource::Srv,
            &PortChoice::Only,
        );
        assert!(pool.slots.iter().all(|s| s.port.is_none()));
        assert_eq!(pool.slots[0].address(), "10.0.0.1");
        assert_eq!(pool.warnings.len(), 1);
        let named = PortChoice::Named("https".into());
        let pool = Pool::build(&two, IdentityRule::Auto, &WeightSource::Srv, &named);
        assert_eq!(pool.len(), 1, "b has no https port");
        assert_eq!(pool.slots[0].address(), "10.0.0.1:443");
        let pool = Pool::build(
            &two,
            IdentityRule::Auto,
            &WeightSource::Srv,
            &PortChoice::Number(9),
        );
        assert!(pool.slots.iter().all(|s| s.port == Some(9)));
        let v6 = EndpointSet::from_vec(vec![ep("fd00::1", None, &[(80, 1, None)])]);
        let pool = Pool::build(
            &v6,
            IdentityRule::Auto,
            &WeightSource::Srv,
            &PortChoice::Only,
        );
        assert_eq!(pool.slots[0].address(), "[fd00::1]:80");
    }

    #[test]
    fn a_dual_stack_pod_is_one_member_printed_with_its_ipv4() {
        let set = EndpointSet::from_vec(vec![
            ep("fd00::1", Some("web-0"), &[(80, 50, None)]),
            ep("10.0.0.1", Some("web-0"), &[(80, 50, None)]),
            ep("10.0.0.2", Some("web-1"), &[(80, 50, None)]),
        ]);
        let pool = Pool::build(
            &set,
            IdentityRule::Auto,
            &WeightSource::Srv,
            &PortChoice::Only,
        );
        assert_eq!(pool.len(), 2);
        assert_eq!(pool.slots[0].ip.to_string(), "10.0.0.1");
        assert_eq!(pool.slots[0].addresses.len(), 2);
        let by_ip = Pool::build(
            &set,
            IdentityRule::Ip,
            &WeightSource::Srv,
            &PortChoice::Only,
        );
        assert_eq!(by_ip.len(), 3);
    }

    #[test]
    fn selector_continues_the_sequence_after_a_rebuild() {
        let pool = Pool::build(
            &sts(),
            IdentityRule::Auto,
            &WeightSource::Srv,
            &PortChoice::Only,
        );
        for policy in [Policy::RoundRobin, Policy::Weighted, Policy::Random] {
            let mut one = Selector::new(&inputs(policy), &pool.set, 0).unwrap();
            let all: Vec<_> = (0..10).map(|_| one.next(b"")).collect();
            let mut resumed = Selector::new(&inputs(policy), &pool.set, 4).unwrap();
            let tail: Vec<_> = (0..6).map(|_| resumed.next(b"")).collect();
            assert_eq!(&all[4..], &tail[..], "{policy}");
        }
        let mut rr = Selector::new(
            &PolicyInputs {
                offset: 2,
                ..inputs(Policy::RoundRobin)
            },
            &pool.set,
            0,
        )
        .unwrap();
        assert_eq!(
            (0..4).map(|_| rr.next(b"").unwrap()).collect::<Vec<_>>(),
            [2, 0, 1, 2]
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// Whatever order the endpoints come in (and however the caller
        /// builds the set), the pool and every policy's picks are the same.
        #[test]
        fn pools_and_picks_ignore_input_order(
            n in 1usize..24,
            weights in proptest::collection::vec(0u16..200, 24),
            seed in 0u64..1000,
            shuffle in proptest::collection::vec(0usize..1000, 24),
        ) {
            let eps: Vec<Endpoint> = (0..n)
                .map(|i| {
                    let host = if i % 3 == 0 { None } else { Some(format!("pod-{i}")) };
                    ep(&format!("10.0.{}.{}", i / 7, i % 7 + 1), host.as_deref(), &[(80, weights[i], None)])
                })
                .collect();
            let mut shuffled = eps.clone();
            for (i, r) in shuffle.iter().enumerate().take(n) {
                shuffled.swap(i, r % n);
            }
            for rule in [IdentityRule::Auto, IdentityRule::Ip, IdentityRule::Hostname] {
                let a = Pool::build(&EndpointSet::from_vec(eps.clone()), rule, &WeightSource::Srv, &PortChoice::Only);
                let b = Pool::build(&EndpointSet::from_vec(shuffled.clone()), rule, &WeightSource::Srv, &PortChoice::Only);
                proptest::prop_assert_eq!(&a, &b);
                for policy in Policy::ALL {
                    let i = PolicyInputs { seed, offset: seed, table_size: 251, ..inputs(policy) };
                    let mut sa = Selector::new(&i, &a.set, 0).unwrap();
                    let mut sb = Selector::new(&i, &b.set, 0).unwrap();
                    for k in 0..20u32 {
                        let key = k.to_le_bytes();
                        proptest::prop_assert_eq!(sa.next(&key), sb.next(&key));
                    }
                }
            }
        }
    }

    #[test]
    fn simulation_reports_shares_and_movement() {
        let pool = Pool::build(
            &sts(),
            IdentityRule::Auto,
            &WeightSource::Srv,
            &PortChoice::Only,
        );
        let sim = simulate(
            &pool,
            &inputs(Policy::Hash),
            SimKeys::Sampled { n: 30_000, seed: 1 },
        )
        .unwrap();
        assert_eq!(sim.picks, 30_000);
        assert_eq!(sim.counts.iter().sum::<u64>(), 30_000);
        assert!(sim.stats.max_over_mean < 1.05, "{:?}", sim.stats);
        assert_eq!(sim.movement_keys, MOVEMENT_KEYS);
        let rm = sim.on_remove.unwrap();
        // Rendezvous: exactly the removed member's keys move; the keys used
        // for movement are the first MOVEMENT_KEYS of the same stream.
        let keys = pick::sample_keys(MOVEMENT_KEYS, 1);
        let picker = inputs(Policy::Hash).keyed(&pool.set).unwrap();
        let owned = pick::distribution(picker.as_ref(), 3, &keys);
        for (f, c) in rm.iter().zip(owned) {
            assert_eq!(*f, c as f64 / MOVEMENT_KEYS as f64);
        }
        assert!(sim.on_add.unwrap() > 0.2 && sim.on_add.unwrap() < 0.3);
        let rr = simulate(
            &pool,
            &inputs(Policy::RoundRobin),
            SimKeys::Sampled { n: 7, seed: 0 },
        )
        .unwrap();
        assert_eq!(rr.counts, [3, 2, 2]);
        assert_eq!((rr.on_remove, rr.on_add, rr.movement_keys), (None, None, 0));
    }
}
