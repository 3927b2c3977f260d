//! Endpoints: the pods behind a name, joined from A/AAAA, SRV and PTR
//! records. Pure: the records come in, a sorted set goes out.

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::net::IpAddr;

use serde::Serialize;

/// A port of an endpoint, from SRV.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PortInfo {
    /// The port number the pod listens on (SRV `port`).
    pub port: u16,
    /// `tcp`, `udp`, `sctp` when known from a `_port._proto` query.
    pub protocol: Option<String>,
    /// The port's name when known from a `_port._proto` query.
    pub name: Option<String>,
    /// SRV weight as served. CoreDNS derives it from the number of records
    /// (`max(1, 100 / N)`, docs/cluster-dns.md R6.3), so it says nothing about the pod.
    pub weight: u16,
    /// SRV priority as served (CoreDNS's kubernetes plugin serves 0).
    pub priority: u16,
}

/// One pod address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Endpoint {
    /// The pod's address; the set's sort and dedup key.
    pub ip: IpAddr,
    /// `ipv4` or `ipv6`.
    pub family: &'static str,
    /// First label of the SRV target or PTR name: the pod hostname for a
    /// StatefulSet, the dashed IP otherwise. Escaped presentation form.
    pub hostname: Option<String>,
    /// The SRV target (or first PTR name) in full. Escaped presentation form.
    pub fqdn: Option<String>,
    /// The ports SRV records give for this address, sorted by port then
    /// protocol; empty when no SRV record pointed here (or SRV was not
    /// asked, as with `-o plain`).
    pub ports: Vec<PortInfo>,
    /// Smallest TTL, in seconds, of the records this endpoint came from.
    pub ttl: u32,
    /// PTR names, for reverse lookups. Escaped presentation form.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ptr: Vec<String>,
}

impl Endpoint {
    /// An endpoint known only from an address record: no hostname, no
    /// ports, no PTR names; `family` follows from `ip`.
    pub fn new(ip: IpAddr, ttl: u32) -> Self {
        Endpoint {
            ip,
            family: if ip.is_ipv4() { "ipv4" } else { "ipv6" },
            hostname: None,
            fqdn: None,
            ports: Vec::new(),
            ttl,
            ptr: Vec::new(),
        }
    }

    /// The identity a client keeps across restarts: the hostname when DNS
    /// gives one that is not just the dashed IP, else the IP.
    pub fn identity(&self) -> String {
        match &self.hostname {
            Some(h) if crate::name::dashed_ip(h) != Some(self.ip) => h.clone(),
            _ => self.ip.to_string(),
        }
    }
}

/// An SRV record as the join needs it.
#[derive(Clone, Debug)]
pub struct SrvRecord {
    /// Target in escaped presentation form, lower-cased (the join key).
    pub target: String,
    /// First label of the target, escaped.
    pub target_label: String,
    /// SRV port.
    pub port: u16,
    /// SRV weight.
    pub weight: u16,
    /// SRV priority.
    pub priority: u16,
    /// The record's TTL, in seconds.
    pub ttl: u32,
    /// The port's name (without the `_`), set when the record came from a
    /// `_port._proto` query.
    pub port_name: Option<String>,
    /// The protocol (`tcp`, `udp`, `sctp`, without the `_`), set with
    /// `port_name`.
    pub protocol: Option<String>,
}

/// Endpoints sorted by IP, one per address.
///
/// The order is canonical (numeric, IPv4 before IPv6), so two sets with the
/// same endpoints compare equal whatever order DNS answered in. Serializes
/// as a JSON array of [`Endpoint`]s.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct EndpointSet {
    endpoints: Vec<Endpoint>,
}

impl EndpointSet {
    /// Sorts by IP and keeps the first endpoint of each address (the
    /// others are dropped, not merged).
    pub fn from_vec(mut endpoints: Vec<Endpoint>) -> Self {
        endpoints.sort_by_key(|e| e.ip);
        endpoints.dedup_by_key(|e| e.ip);
        EndpointSet { endpoints }
    }

    /// The endpoints in IP order.
    pub fn iter(&self) -> std::slice::Iter<'_, Endpoint> {
        self.endpoints.iter()
    }

    /// The endpoints in IP order, as a slice.
    pub fn as_slice(&self) -> &[Endpoint] {
        &self.endpoints
    }

    /// Number of endpoints (distinct addresses).
    pub fn len(&self) -> usize {
        self.endpoints.len()
    }

    /// Whether there is no endpoint.
    pub fn is_empty(&self) -> bool {
        self.endpoints.is_empty()
    }

    /// The smallest TTL in seconds: how long until the first record of the
    /// set expires from a cache. `None` for an empty set.
    pub fn min_ttl(&self) -> Option<u32> {
        self.endpoints.iter().map(|e| e.ttl).min()
    }

    /// The endpoint with this address (binary search).
    pub fn get(&self, ip: &IpAddr) -> Option<&Endpoint> {
        self.endpoints
            .binary_search_by_key(ip, |e| e.ip)
            .ok()
            .map(|i| &self.endpoints[i])
    }
}

impl<'a> IntoIterator for &'a EndpointSet {
    type Item = &'a Endpoint;
    type IntoIter = std::slice::Iter<'a, Endpoint>;
    fn into_iter(self) -> Self::IntoIter {
        self.endpoints.iter()
    }
}

/// Joins address records at the name, SRV records and the addresses of SRV
/// targets into one endpoint per IP.
///
/// `target_addrs` maps a lower-cased target (presentation form) to its
/// addresses, from the SRV reply's additional section or from lookups; a
/// target missing there is mapped through its dashed-IP label if it has one.
/// Named SRV records (from `_port._proto`) label the ports that the bare
/// name's SRV records carry.
pub fn join<S: BuildHasher>(
    addrs: &[(IpAddr, u32)],
    srvs: &[SrvRecord],
    target_addrs: &HashMap<String, Vec<(IpAddr, u32)>, S>,
) -> EndpointSet {
    join_with(addrs, srvs, target_addrs, true)
}

/// [`join`], with the dashed-IP reading of target labels only when
/// `dashed_labels`: that reading is CoreDNS's naming of a Service's pods, and
/// inventing an address from the label of any other name (an SRV record of a
/// name outside `.svc`) would trust whoever chose that label.
pub fn join_with<S: BuildHasher>(
    addrs: &[(IpAddr, u32)],
    srvs: &[SrvRecord],
    target_addrs: &HashMap<String, Vec<(IpAddr, u32)>, S>,
    dashed_labels: bool,
) -> EndpointSet {
    // Endpoints in a vector, found by address through an index and sorted
    // once at the end: a BTreeMap of 1000 endpoints moved each one through
    // its nodes (callgrind: the join took 4.0 M of a 1000-pod resolve).
    let mut endpoints: Vec<Endpoint> = Vec::with_capacity(addrs.len());
    let mut index: HashMap<IpAddr, usize, foldhash::fast::RandomState> =
        HashMap::with_capacity_and_hasher(addrs.len(), Default::default());
    let mut at = |ip: IpAddr, ttl: u32, endpoints: &mut Vec<Endpoint>| -> usize {
        *index.entry(ip).or_insert_with(|| {
            endpoints.push(Endpoint::new(ip, ttl));
            endpoints.len() - 1
        })
    };
    // In address order, so that the sort at the end finds them sorted:
    // each family sorted as plain integers (address, then TTL), which is
    // cheaper than sorting endpoints or `IpAddr`s (callgrind: 1.2 M for
    // 3000 addresses by `(ip_order, ttl)`).
    let mut v4: Vec<u64> = Vec::with_capacity(addrs.len());
    let mut v6: Vec<(u128, u32)> = Vec::new();
    for &(ip, ttl) in addrs {
        match ip {
            IpAddr::V4(a) => v4.push(u64::from(u32::from(a)) << 32 | u64::from(ttl)),
            IpAddr::V6(a) => v6.push((u128::from(a), ttl)),
        }
    }
    v4.sort_unstable();
    v6.sort_unstable();
    let sorted = v4
        .iter()
        .map(|&k| (IpAddr::V4(((k >> 32) as u32).into()), k as u32))
        .chain(v6.iter().map(|&(a, ttl)| (IpAddr::V6(a.into()), ttl)));
    for (ip, ttl) in sorted {
        let i = at(ip, ttl, &mut endpoints);
        let e = &mut endpoints[i];
        e.ttl = e.ttl.min(ttl);
    }
    // Named records first so that their names and protocols win.
    let mut ordered: Vec<&SrvRecord> = srvs.iter().collect();
    ordered.sort_by_key(|s| s.port_name.is_none());
    for srv in ordered {
        let glued = target_addrs.get(&srv.target);
        let dashed = match glued {
            Some(v) if !v.is_empty() || !dashed_labels => None,
            None if !dashed_labels => None,
            _ => crate::name::dashed_ip(&srv.target_label).map(|ip| (ip, srv.ttl)),
        };
        let ips = glued.into_iter().flatten().copied().chain(dashed);
        for (ip, ttl) in ips {
            let i = at(ip, ttl, &mut endpoints);
            let e = &mut endpoints[i];
            e.ttl = e.ttl.min(ttl).min(srv.ttl);
            if e.hostname.is_none() {
                e.hostname = Some(srv.target_label.clone());
                e.fqdn = Some(srv.target.clone());
            }
            add_port(&mut e.ports, srv);
        }
    }
    endpoints.sort_unstable_by_key(|e| ip_order(e.ip));
    for e in &mut endpoints {
        if e.ports.len() > 1 {
            e.ports
                .sort_by(|a, b| (a.port, &a.protocol).cmp(&(b.port, &b.protocol)));
        }
    }
    EndpointSet { endpoints }
}

/// `IpAddr`'s order (IPv4 first, then numeric) as two integers: sorting
/// 1000 addresses by `IpAddr` itself took 0.9 M instructions, its `Ord`
/// comparing octet arrays (callgrind).
fn ip_order(ip: IpAddr) -> (bool, u128) {
    match ip {
        IpAddr::V4(a) => (false, u128::from(u32::from(a))),
        IpAddr::V6(a) => (true, u128::from(a)),
    }
}

fn add_port(ports: &mut Vec<PortInfo>, srv: &SrvRecord) {
    let p = PortInfo {
        port: srv.port,
        protocol: srv.protocol.clone(),
        name: srv.port_name.clone(),
        weight: srv.weight,
        priority: srv.priority,
    };
    // A bare-name record for a port a named record already described adds
    // nothing; the same named port twice (duplicate records) neither.
    if ports
        .iter()
        .any(|q| q.port == p.port && (p.name.is_none() || q.name == p.name))
    {
        return;
    }
    ports.push(p);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn srv(target: &str, port: u16, weight: u16, name: Option<&str>) -> SrvRecord {
        SrvRecord {
            target: target.to_string(),
            target_label: target.split('.').next().unwrap().to_string(),
            port,
            weight,
            priority: 0,
            ttl: 30,
            port_name: name.map(str::to_string),
            protocol: name.map(|_| "tcp".to_string()),
        }
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn ip_order_is_ipaddr_order() {
        let mut ips: Vec<IpAddr> = [
            "10.0.0.2",
            "::1",
            "10.0.0.10",
            "fd00::1",
            "1.2.3.4",
            "::",
            "0.0.0.0",
            "255.255.255.255",
            "::ffff:1.2.3.4",
            "ffff::",
        ]
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
        let mut by_key = ips.clone();
        ips.sort();
        by_key.sort_by_key(|&ip| ip_order(ip));
        assert_eq!(ips, by_key);
    }

    #[test]
    fn statefulset_join_through_additional_section() {
        let addrs = vec![
            (ip("10.244.217.11"), 30),
            (ip("10.244.194.67"), 30),
            (ip("10.244.217.10"), 30),
        ];
        let srvs = vec![
            srv("web-1.web-headless.awx.svc.cluster.local.", 80, 33, None),
            srv("web-0.web-headless.awx.svc.cluster.local.", 80, 33, None),
            srv("web-2.web-headless.awx.svc.cluster.local.", 80, 33, None),
        ];
        let mut add = HashMap::new();
        add.insert(srvs[0].target.clone(), vec![(ip("10.244.194.67"), 30)]);
        add.insert(srvs[1].target.clone(), vec![(ip("10.244.217.10"), 30)]);
        add.insert(srvs[2].target.clone(), vec![(ip("10.244.217.11"), 30)]);
        let set = join(&addrs, &srvs, &add);
        let got: Vec<(String, String)> = set
            .iter()
            .map(|e| (e.ip.to_string(), e.hostname.clone().unwrap()))
            .collect();
        assert_eq!(
            got,
            [
                ("10.244.194.67".into(), "web-1".into()),
                ("10.244.217.10".into(), "web-0".into()),
                ("10.244.217.11".into(), "web-2".into())
            ]
        );
        assert!(set
            .iter()
            .all(|e| e.ports.len() == 1 && e.ports[0].port == 80));
        assert_eq!(set.iter().next().unwrap().identity(), "web-1");
    }

    #[test]
    fn dashed_targets_need_no_additional_section() {
        let addrs = vec![(ip("10.244.194.69"), 30)];
        let srvs = vec![srv(
            "10-244-194-69.web-headless.default.svc.cluster.local.",
            80,
            100,
            None,
        )];
        let set = join(&addrs, &srvs, &HashMap::new());
        assert_eq!(set.len(), 1);
        let e = set.iter().next().unwrap();
        assert_eq!(e.hostname.as_deref(), Some("10-244-194-69"));
        assert_eq!(e.identity(), "10.244.194.69");
    }

    #[test]
    fn dual_stack_pod_gets_ports_on_both_addresses() {
        let addrs = vec![(ip("10.244.217.13"), 30), (ip("fd00:10:244::13"), 30)];
        let srvs = vec![srv("db-0.db.awx.svc.cluster.local.", 5432, 25, None)];
        let mut add = HashMap::new();
        add.insert(
            srvs[0].target.clone(),
            vec![(ip("10.244.217.13"), 30), (ip("fd00:10:244::13"), 30)],
        );
        let set = join(&addrs, &srvs, &add);
        assert_eq!(set.len(), 2);
        assert!(set.iter().all(|e| e.hostname.as_deref() == Some("db-0")));
        assert_eq!(set.as_slice()[1].family, "ipv6");
    }

    #[test]
    fn named_ports_label_bare_ones_and_order_never_matters() {
        let addrs = vec![(ip("10.0.0.1"), 30)];
        let t = "10-0-0-1.s.ns.svc.cluster.local.";
        let a = vec![
            srv(t, 80, 50, None),
            srv(t, 9090, 50, None),
            srv(t, 80, 100, Some("http")),
        ];
        let mut b = a.clone();
        b.reverse();
        let sa = join(&addrs, &a, &HashMap::new());
        let sb = join(&addrs, &b, &HashMap::new());
        assert_eq!(sa, sb);
        let ports = &sa.as_slice()[0].ports;
        assert_eq!(ports.len(), 2);
        assert_eq!(ports[0].name.as_deref(), Some("http"));
        assert_eq!(ports[0].protocol.as_deref(), Some("tcp"));
        assert_eq!(ports[1].port, 9090);
        assert_eq!(ports[1].name, None);
    }

    #[test]
    fn ttl_is_the_smallest_seen() {
        let addrs = vec![(ip("10.0.0.1"), 30), (ip("10.0.0.1"), 5)];
        let set = join(&addrs, &[], &HashMap::new());
        assert_eq!(set.len(), 1);
        assert_eq!(set.min_ttl(), Some(5));
    }
}

/// The join over arbitrary inputs: whatever a server's records say, it
/// never panics, makes one endpoint per IP, and invents no address: every
/// endpoint's IP is an answer address, a target's address, or (only when
/// dashed labels are trusted) the address its target's label spells.
#[cfg(test)]
mod join_fuzz {
    use super::*;
    use proptest::prelude::*;

    fn ip() -> impl Strategy<Value = IpAddr> {
        prop_oneof![
            (0u8..4).prop_map(|d| IpAddr::from([10, 0, 0, d])),
            (0u16..4).prop_map(|s| IpAddr::from([0xfd00, 0, 0, 0, 0, 0, 0, s])),
        ]
    }

    fn label() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("web-0".to_string()),
            Just("web-1".to_string()),
            Just("10-0-0-9".to_string()),
            Just("0-0-0-0".to_string()),
            Just("fd00--7".to_string()),
            "[a-z0-9-]{0,12}",
        ]
    }

    fn srv() -> impl Strategy<Value = SrvRecord> {
        (
            label(),
            any::<u16>(),
            any::<u16>(),
            any::<u32>(),
            any::<bool>(),
        )
            .prop_map(|(l, port, weight, ttl, named)| SrvRecord {
                target: format!("{l}.web.awx.svc.cluster.local."),
                target_label: l,
                port,
                weight,
                priority: 0,
                ttl,
                port_name: named.then(|| "http".to_string()),
                protocol: named.then(|| "tcp".to_string()),
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn the_join_invents_no_address(
            addrs in prop::collection::vec((ip(), any::<u32>()), 0..8),
            srvs in prop::collection::vec(srv(), 0..8),
            glue in prop::collection::vec((0usize..8, ip(), any::<u32>()), 0..8),
            dashed in any::<bool>(),
        ) {
            let mut targets: HashMap<String, Vec<(IpAddr, u32)>> = HashMap::new();
            for (k, ip, ttl) in &glue {
                if let Some(s) = srvs.get(*k) {
                    targets.entry(s.target.clone()).or_default().push((*ip, *ttl));
                }
            }
            let set = join_with(&addrs, &srvs, &targets, dashed);
            let mut seen = std::collections::HashSet::new();
            for e in set.iter() {
                prop_assert!(seen.insert(e.ip), "one endpoint per IP");
                let from_answer = addrs.iter().any(|(a, _)| *a == e.ip);
                let from_target = targets.values().flatten().any(|(a, _)| *a == e.ip);
                let from_label = dashed
                    && srvs.iter().any(|s| crate::name::dashed_ip(&s.target_label) == Some(e.ip));
                prop_assert!(from_answer || from_target || from_label, "{} was invented", e.ip);
                prop_assert!(!e.ip.is_unspecified());
            }
        }
    }
}
