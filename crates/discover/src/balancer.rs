//! hsvc-balance's pickers over the discovery stream: round-robin, smooth
//! weighted round-robin, seeded random, rendezvous and Maglev by key.
//!
//! The pickers are built over the canonical member set (sorted ids), so two
//! clients with the same pods pick alike, and a picker is rebuilt only when
//! the members change: a re-resolution that finds the same pods (or the
//! same pods at other addresses) moves no key. With [`Policy::Hash`]
//! (weighted rendezvous) a key moves only off a removed pod or onto an
//! added one; Maglev moves somewhat more than that on a change (see
//! `hsvc_balance::pick`).

use std::collections::BTreeMap;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::Poll;

use futures_core::Stream;
use hsvc_balance::pick::{Member, MemberSet, PickError, Policy, DEFAULT_TABLE_SIZE};
use hsvc_balance::selection::{PolicyInputs, Selector};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::endpoint::{Change, Endpoint, Key};

/// A picker over a changing set of endpoints.
///
/// ```
/// use hsvc_discover::{Balancer, Change, Endpoint, Key, Policy};
///
/// let ep = |ip: &str| Endpoint {
///     addresses: vec![ip.parse().unwrap()],
///     port: Some(8080),
///     ports: vec![],
///     weight: 1,
///     ready: true,
/// };
/// let mut b = Balancer::new(Policy::Hash);
/// b.apply(Change::Added(Key::new("api-0"), ep("10.244.0.1")));
/// b.apply(Change::Added(Key::new("api-1"), ep("10.244.0.2")));
/// let (owner, _) = b.pick(b"user-42").unwrap();
/// let owner = owner.clone();
/// // A new pod takes some keys; the others stay where they were.
/// b.apply(Change::Added(Key::new("api-2"), ep("10.244.0.3")));
/// let (now, _) = b.pick(b"user-42").unwrap();
/// assert!(now == &owner || now.id == "api-2");
/// ```
pub struct Balancer {
    inputs: PolicyInputs,
    endpoints: BTreeMap<Key, Endpoint>,
    /// Keys in the member set's canonical order (its indices).
    keys: Vec<Key>,
    members: MemberSet,
    selector: Option<Selector>,
    served: u64,
    rebuilds: u64,
    zone: Option<String>,
}

impl std::fmt::Debug for Balancer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Balancer")
            .field("policy", &self.inputs.policy)
            .field("endpoints", &self.keys)
            .finish()
    }
}

impl Balancer {
    /// An empty balancer (round-robin from the first member, random with
    /// seed 0, Maglev with the 65 537-entry table).
    pub fn new(policy: Policy) -> Balancer {
        Self::with_inputs(PolicyInputs {
            policy,
            offset: 0,
            seed: 0,
            table_size: DEFAULT_TABLE_SIZE,
        })
    }

    /// An empty balancer with every input of the policy given.
    pub fn with_inputs(inputs: PolicyInputs) -> Balancer {
        Balancer {
            inputs,
            endpoints: BTreeMap::new(),
            keys: Vec::new(),
            members: MemberSet::default(),
            selector: None,
            served: 0,
            rebuilds: 0,
            zone: None,
        }
    }

    /// The policy.
    pub fn policy(&self) -> Policy {
        self.inputs.policy
    }

    /// Endpoints in use.
    pub fn len(&self) -> usize {
        self.endpoints.len()
    }

    /// Whether there is no endpoint to pick.
    pub fn is_empty(&self) -> bool {
        self.endpoints.is_empty()
    }

    /// The endpoints, in key order.
    pub fn endpoints(&self) -> &BTreeMap<Key, Endpoint> {
        &self.endpoints
    }

    /// How many times the picker was rebuilt (once per membership change).
    pub fn rebuilds(&self) -> u64 {
        self.rebuilds
    }

    /// Applies one change; returns whether the members (ids or weights)
    /// changed, and so the picker was rebuilt. Errors only when the policy
    /// cannot be built over the new set (a Maglev table smaller than the
    /// set); the previous picker is then kept.
    pub fn apply(&mut self, change: Change) -> Result<bool, PickError> {
        self.apply_all(std::iter::once(change))
    }

    /// Applies several changes (one resolution's) and rebuilds the picker
    /// once if the members changed: 1,000 pods added at start are one
    /// Maglev build, not 1,000.
    pub fn apply_all(
        &mut self,
        changes: impl IntoIterator<Item = Change>,
    ) -> Result<bool, PickError> {
        for c in changes {
            match c {
                Change::Added(k, e) | Change::Changed(k, e) => {
                    // Replace the key too: its topology fields may have changed.
                    self.endpoints.remove(&k);
                    self.endpoints.insert(k, e);
                }
                Change::Removed(k) => {
                    self.endpoints.remove(&k);
                }
            }
        }
        let eligible = self.eligible();
        let same = eligible.len() == self.members.len()
            && eligible
                .iter()
                .zip(self.members.members())
                .all(|((k, e), m)| k.id == m.id && e.weight.max(1) == m.weight);
        if same {
            // Same members in the same order: the keys' other fields may
            // have changed.
            self.keys = eligible.into_iter().map(|(k, _)| k.clone()).collect();
            return Ok(false);
        }
        self.rebuild()?;
        Ok(true)
    }

    /// Picks only among the endpoints in `zone` while there is one
    /// (topology-aware routing as Kubernetes' `trafficDistribution:
    /// PreferClose` intends it), else among all. The zone comes from the
    /// API source; DNS carries none, so with it this has no effect.
    pub fn prefer_zone(&mut self, zone: Option<String>) -> Result<(), PickError> {
        self.zone = zone;
        self.rebuild()
    }

    /// The endpoints the picker is built over: those of the preferred zone
    /// if any, else all; in key order.
    fn eligible(&self) -> Vec<(&Key, &Endpoint)> {
        let all = self.endpoints.iter();
        match &self.zone {
            Some(z) if self.endpoints.keys().any(|k| k.zone.as_ref() == Some(z)) => {
                all.filter(|(k, _)| k.zone.as_ref() == Some(z)).collect()
            }
            _ => all.collect(),
        }
    }

    fn rebuild(&mut self) -> Result<(), PickError> {
        let eligible = self.eligible();
        let members = MemberSet::new(
            eligible
                .iter()
                .map(|(k, e)| Member::new(k.id.clone(), e.weight))
                .collect(),
        );
        let keys: Vec<Key> = eligible.into_iter().map(|(k, _)| k.clone()).collect();
        let selector = if members.is_empty() {
            None
        } else {
            // Round-robin and smooth weighted go on from the picks served
            // (O(1), and a bounded replay into one cycle). Random would
            // replay every draw so far: it starts a fresh stream instead,
            // seeded by the seed and the build number.
            let (inputs, served) = match self.inputs.policy {
                Policy::Random => (
                    PolicyInputs {
                        seed: self.inputs.seed.wrapping_add(self.rebuilds),
                        ..self.inputs
                    },
                    0,
                ),
                _ => (self.inputs, self.served),
            };
            Some(Selector::new(&inputs, &members, served)?)
        };
        // MemberSet sorts ids in byte order, as the BTreeMap of keys does.
        // (Set only here: after a failed build the keys stay those of the
        // picker in use, and a pick of a removed pod finds nothing.)
        self.keys = keys;
        debug_assert!(self
            .keys
            .iter()
            .zip(members.members())
            .all(|(k, m)| k.id == m.id));
        self.members = members;
        self.selector = selector;
        self.rebuilds += 1;
        Ok(())
    }

    /// The endpoint for the next request with `key` (the hash policies
    /// map the key; the sequence policies ignore it and advance).
    pub fn pick(&mut self, key: &[u8]) -> Option<(&Key, &Endpoint)> {
        let i = self.selector.as_mut()?.next(key)?;
        self.served = self.served.wrapping_add(1);
        let k = self.keys.get(i)?;
        self.endpoints.get_key_value(k)
    }
}

struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A [`Balancer`] kept in step with a discovery stream by a background
/// task, shared by every clone (the task stops when the last is dropped).
///
/// ```no_run
/// # async fn run() -> Result<(), hsvc_discover::DiscoverError> {
/// use hsvc_discover::{Balancer, DnsSource, Policy, SharedBalancer};
///
/// let changes = DnsSource::from_resolv_conf("api")?.start();
/// let lb = SharedBalancer::follow(changes, Balancer::new(Policy::Hash));
/// lb.wait_for(1).await;
/// if let Some((key, ep)) = lb.pick(b"customer-17") {
///     println!("customer-17 -> {key} at {:?}", ep.socket_addr());
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct SharedBalancer {
    inner: Arc<Mutex<Balancer>>,
    version: watch::Receiver<u64>,
    _task: Arc<AbortOnDrop>,
}

impl std::fmt::Debug for SharedBalancer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.lock().fmt(f)
    }
}

impl SharedBalancer {
    /// Applies every change of `changes` to `balancer`, on the current tokio
    /// runtime.
    ///
    /// # Panics
    /// Outside a tokio runtime.
    pub fn follow<S>(changes: S, balancer: Balancer) -> SharedBalancer
    where
        S: Stream<Item = Change> + Send + 'static,
    {
        let inner = Arc::new(Mutex::new(balancer));
        let (tx, version) = watch::channel(0u64);
        let b = inner.clone();
        let task = tokio::spawn(async move {
            let mut changes = Box::pin(changes);
            let mut ended = false;
            while let Some(batch) = next_batch(&mut changes, &mut ended).await {
                let n = batch.len() as u64;
                // A set the policy cannot be built over keeps the last picker.
                let _ = b
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .apply_all(batch);
                tx.send_modify(|v| *v += n);
            }
        });
        SharedBalancer {
            inner,
            version,
            _task: Arc::new(AbortOnDrop(task)),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Balancer> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The endpoint for the next request with `key` (cloned out).
    pub fn pick(&self, key: &[u8]) -> Option<(Key, Endpoint)> {
        self.lock().pick(key).map(|(k, e)| (k.clone(), e.clone()))
    }

    /// Endpoints in use.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether there is no endpoint yet.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// A copy of the endpoints in use.
    pub fn endpoints(&self) -> Vec<(Key, Endpoint)> {
        self.lock()
            .endpoints()
            .iter()
            .map(|(k, e)| (k.clone(), e.clone()))
            .collect()
    }

    /// How many times the picker was rebuilt (see [`Balancer::rebuilds`]).
    pub fn rebuilds(&self) -> u64 {
        self.lock().rebuilds()
    }

    /// Changes applied so far.
    pub fn version(&self) -> u64 {
        *self.version.borrow()
    }

    /// Waits until `pred` holds for the balancer (checked after every
    /// batch of changes, and at once). Returns early, with `pred` false, if
    /// the stream ended. Bound it with `tokio::time::timeout`.
    pub async fn wait_until(&self, mut pred: impl FnMut(&Balancer) -> bool) {
        let mut v = self.version.clone();
        loop {
            if pred(&self.lock()) {
                return;
            }
            if v.changed().await.is_err() {
                return;
            }
        }
    }

    /// Waits until there are at least `n` endpoints.
    pub async fn wait_for(&self, n: usize) {
        self.wait_until(|b| b.len() >= n).await;
    }
}

/// Every change ready now (at least one; `None` once the stream ended).
async fn next_batch<S: Stream<Item = Change>>(
    s: &mut Pin<Box<S>>,
    ended: &mut bool,
) -> Option<Vec<Change>> {
    std::future::poll_fn(|cx| {
        let mut batch = Vec::new();
        while !*ended {
            match s.as_mut().poll_next(cx) {
                Poll::Ready(Some(c)) => batch.push(c),
                Poll::Ready(None) => *ended = true,
                Poll::Pending if batch.is_empty() => return Poll::Pending,
                Poll::Pending => break,
            }
        }
        Poll::Ready((!batch.is_empty()).then_some(batch))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ep(last: u8) -> Endpoint {
        Endpoint {
            addresses: vec![std::net::IpAddr::from([10, 0, 0, last])],
            port: Some(80),
            ports: vec![],
            weight: 1,
            ready: true,
        }
    }

    fn owners(b: &mut Balancer, keys: u32) -> Vec<String> {
        (0..keys)
            .map(|k| b.pick(format!("k{k}").as_bytes()).unwrap().0.id.clone())
            .collect()
    }

    #[test]
    fn rendezvous_moves_keys_only_off_removed_and_onto_added_pods() {
        let mut b = Balancer::new(Policy::Hash);
        for i in 0..3 {
            b.apply(Change::Added(Key::new(format!("api-{i}")), ep(i)))
                .unwrap();
        }
        let three = owners(&mut b, 2000);
        for i in 3..6 {
            b.apply(Change::Added(Key::new(format!("api-{i}")), ep(i)))
                .unwrap();
        }
        let six = owners(&mut b, 2000);
        let moved = three.iter().zip(&six).filter(|(a, b)| a != b).count();
        assert!(three
            .iter()
            .zip(&six)
            .all(|(a, b)| a == b || ["api-3", "api-4", "api-5"].contains(&b.as_str())));
        assert!((800..1200).contains(&moved), "about half move: {moved}");
        for i in 2..6 {
            b.apply(Change::Removed(Key::new(format!("api-{i}"))))
                .unwrap();
        }
        let two = owners(&mut b, 2000);
        assert!(six
            .iter()
            .zip(&two)
            .all(|(a, b)| a == b || !["api-0", "api-1"].contains(&a.as_str())));
    }

    #[test]
    fn a_changed_address_moves_nothing_and_does_not_rebuild() {
        let mut b = Balancer::new(Policy::Maglev);
        for i in 0..4 {
            b.apply(Change::Added(Key::new(format!("db-{i}")), ep(i)))
                .unwrap();
        }
        let before = owners(&mut b, 500);
        let rebuilds = b.rebuilds();
        assert!(!b.apply(Change::Changed(Key::new("db-2"), ep(99))).unwrap());
        assert_eq!(b.rebuilds(), rebuilds);
        assert_eq!(owners(&mut b, 500), before);
        let (_, e) = b.pick(b"k0").unwrap();
        assert_eq!(e.addresses.len(), 1);
        assert!(
            b.endpoints()[&Key::new("db-2")].addresses[0] == std::net::IpAddr::from([10, 0, 0, 99])
        );
    }

    #[test]
    fn a_batch_is_one_rebuild() {
        let mut b = Balancer::new(Policy::Maglev);
        let adds = (0..50).map(|i| Change::Added(Key::new(format!("p{i}")), ep(i)));
        assert!(b.apply_all(adds).unwrap());
        assert_eq!((b.len(), b.rebuilds()), (50, 1));
        let mut k = Key::new("p7");
        k.zone = Some("zone-b".into());
        assert!(!b.apply_all([Change::Changed(k, ep(7))]).unwrap());
        assert_eq!(b.rebuilds(), 1, "same members: no rebuild");
        let (k7, _) = b.endpoints().get_key_value(&Key::new("p7")).unwrap();
        assert_eq!(
            k7.zone.as_deref(),
            Some("zone-b"),
            "the key's fields follow"
        );
        let churn = [
            Change::Removed(Key::new("p1")),
            Change::Added(Key::new("q1"), ep(201)),
        ];
        assert!(b.apply_all(churn).unwrap());
        assert_eq!((b.len(), b.rebuilds()), (50, 2));
    }

    #[test]
    fn round_robin_visits_every_pod_and_goes_on_after_a_change() {
        let mut b = Balancer::new(Policy::RoundRobin);
        assert!(b.pick(b"").is_none());
        for i in 0..3 {
            b.apply(Change::Added(Key::new(format!("p{i}")), ep(i)))
                .unwrap();
        }
        let seq: Vec<_> = (0..6).map(|_| b.pick(b"").unwrap().0.id.clone()).collect();
        assert_eq!(seq, ["p0", "p1", "p2", "p0", "p1", "p2"]);
        b.apply(Change::Added(Key::new("p3"), ep(3))).unwrap();
        let seq: Vec<_> = (0..4).map(|_| b.pick(b"").unwrap().0.id.clone()).collect();
        // Request 6 of a 4-member rotation is member 2.
        assert_eq!(seq, ["p2", "p3", "p0", "p1"]);
    }

    #[test]
    fn a_preferred_zone_is_used_while_it_has_a_pod() {
        let pod = |id: &str, zone: &str| {
            let mut k = Key::new(id);
            k.zone = Some(zone.into());
            k
        };
        let mut b = Balancer::new(Policy::Hash);
        b.prefer_zone(Some("zone-a".into())).unwrap();
        b.apply_all([
            Change::Added(pod("a0", "zone-a"), ep(1)),
            Change::Added(pod("b0", "zone-b"), ep(2)),
            Change::Added(pod("b1", "zone-b"), ep(3)),
        ])
        .unwrap();
        assert!(owners(&mut b, 200).iter().all(|o| o == "a0"));
        // a0 moves to zone-b: no pod left in zone-a, every pod is used.
        assert!(b
            .apply(Change::Changed(pod("a0", "zone-b"), ep(1)))
            .unwrap());
        let all: std::collections::BTreeSet<_> = owners(&mut b, 200).into_iter().collect();
        assert_eq!(all.len(), 3);
        b.apply(Change::Added(pod("a1", "zone-a"), ep(4))).unwrap();
        assert!(owners(&mut b, 200).iter().all(|o| o == "a1"));
        b.prefer_zone(None).unwrap();
        assert_eq!(
            owners(&mut b, 400)
                .into_iter()
                .collect::<std::collections::BTreeSet<_>>()
                .len(),
            4
        );
    }

    #[test]
    fn random_does_not_replay_its_history_on_a_change() {
        let mut b = Balancer::new(Policy::Random);
        b.apply(Change::Added(Key::new("a"), ep(1))).unwrap();
        b.apply(Change::Added(Key::new("b"), ep(2))).unwrap();
        for _ in 0..1_000_000 {
            b.pick(b"");
        }
        // A rebuild after a million picks is one fresh stream, not a
        // million draws replayed; both members are still drawn.
        b.apply(Change::Added(Key::new("c"), ep(3))).unwrap();
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..200 {
            seen.insert(b.pick(b"").unwrap().0.id.clone());
        }
        assert_eq!(seen.len(), 3);
    }

    #[test]
    fn smooth_weighted_follows_weights() {
        let mut b = Balancer::new(Policy::Weighted);
        let mut heavy = ep(1);
        heavy.weight = 3;
        b.apply(Change::Added(Key::new("a"), heavy)).unwrap();
        b.apply(Change::Added(Key::new("b"), ep(2))).unwrap();
        let seq: Vec<_> = (0..8).map(|_| b.pick(b"").unwrap().0.id.clone()).collect();
        assert_eq!(seq.iter().filter(|s| *s == "a").count(), 6);
    }
}
