//! A model of a Kubernetes cluster (namespaces, Services, pods and the endpoints the
//! EndpointSlice controller derives from them) and the DNS records CoreDNS's *kubernetes*
//! plugin answers for it.
//!
//! One model, two views: [`Cluster::slice_endpoints`] is what the API's EndpointSlices
//! carry (every endpoint, with its `ready` / `serving` / `terminating` conditions), and
//! the DNS records are built from the same list filtered by CoreDNS's rule (published iff
//! `ready` is nil or true, [`Endpoint::published`]). A change to one pod therefore shows
//! in both views.
//!
//! A Service either has a `selector` — then its endpoints are derived from the
//! [`Cluster::pods`] it selects, exactly as the EndpointSlice controller does
//! (`podToEndpoint` in kubernetes `staging/src/k8s.io/endpointslice/utils.go`) — or has
//! none, and then its hand-written [`Service::endpoints`] are its slices' endpoints (a
//! selector-less Service whose slices a user or a mirroring controller wrote).
//!
//! Everything here is pure: no sockets, no clocks. The rules cited (R3–R12) are those of
//! `docs/k8s-dns-spec.md` (§3); [`Cluster::example`] is its §9.1 worked example,
//! [`Cluster::demo`] a cluster with pods in every state for `hsvc demo`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use hickory_proto::rr::rdata::{A, AAAA, NS, PTR, SOA, SRV, TXT};
use hickory_proto::rr::{Name, RData, Record, RecordType};

/// The SOA serial of the spec's worked example (§9.1).
pub const EXAMPLE_SERIAL: u32 = 1_767_225_600;

/// TTL CoreDNS hard-codes for `dns-version.<zone>. TXT` (R10.1).
pub const DNS_VERSION_TTL: u32 = 28800;

/// A cluster as far as DNS is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cluster {
    /// Cluster domain without trailing dot, normally `cluster.local`.
    pub domain: String,
    /// CoreDNS `ttl` option (kubeadm 30, plugin default 5).
    pub ttl: u32,
    /// Services in the cluster (headless or with a ClusterIP).
    pub services: Vec<Service>,
    /// ClusterIP of `kube-system/kube-dns`; answered at `ns.dns.<zone>` (R12.3).
    pub dns_ip: Ipv4Addr,
    /// SOA serial (CoreDNS uses the Unix time of the last change, R11.1).
    pub serial: u32,
    /// Emit `<dashed-ip>.<ns>.pod.<zone>` records for every endpoint address
    /// (`pods insecure|verified`, spec §9.2 \[F\]).
    pub pod_records: bool,
    /// Pods, the source of the endpoints of every Service that has a selector.
    pub pods: Vec<Pod>,
    /// Namespaces that exist even without a Service or pod in them (`default`,
    /// `kube-system`, … are always listed: see [`Cluster::namespaces`]).
    pub extra_namespaces: Vec<String>,
}

/// An IP family (`spec.ipFamilies`, EndpointSlice `addressType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IpFamily {
    /// IPv4.
    V4,
    /// IPv6.
    V6,
}

impl IpFamily {
    /// The family of an address.
    pub fn of(addr: IpAddr) -> IpFamily {
        if addr.is_ipv6() {
            IpFamily::V6
        } else {
            IpFamily::V4
        }
    }

    /// The API spelling: `IPv4` or `IPv6`.
    pub fn as_str(self) -> &'static str {
        match self {
            IpFamily::V4 => "IPv4",
            IpFamily::V6 => "IPv6",
        }
    }
}

/// Lifecycle phase of a pod (`status.phase`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PodPhase {
    /// Accepted but not all containers started (no sandbox to forward into).
    Pending,
    /// Bound to a node, containers started.
    Running,
    /// All containers exited with success; left out of EndpointSlices.
    Succeeded,
    /// All containers exited, one failed; left out of EndpointSlices.
    Failed,
}

impl PodPhase {
    /// The API spelling (`Running`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            PodPhase::Pending => "Pending",
            PodPhase::Running => "Running",
            PodPhase::Succeeded => "Succeeded",
            PodPhase::Failed => "Failed",
        }
    }
}

/// A pod, as far as the EndpointSlice controller, CoreDNS and port-forward care.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pod {
    /// Namespace.
    pub namespace: String,
    /// Pod name (the endpoint's `targetRef.name`).
    pub name: String,
    /// Labels, matched by Service selectors.
    pub labels: BTreeMap<String, String>,
    /// `status.podIPs`, primary first; a pod without an IP is left out of slices.
    pub ips: Vec<IpAddr>,
    /// `spec.hostname` (a StatefulSet sets it to the pod name).
    pub hostname: Option<String>,
    /// `spec.subdomain`; the endpoint gets `hostname` only when it equals the Service name.
    pub subdomain: Option<String>,
    /// `spec.nodeName`; `None` means not scheduled (port-forward is refused).
    pub node: Option<String>,
    /// The node's `topology.kubernetes.io/zone` (the endpoint's `zone`).
    pub zone: Option<String>,
    /// The pod's `Ready` condition (the endpoint's `serving`).
    pub ready: bool,
    /// `metadata.deletionTimestamp` is set (the endpoint's `terminating`).
    pub terminating: bool,
    /// `status.phase`.
    pub phase: PodPhase,
}

impl Pod {
    /// A running, ready pod with the given labels and addresses on node `node-a`.
    pub fn new(namespace: &str, name: &str, labels: &[(&str, &str)], ips: Vec<IpAddr>) -> Pod {
        Pod {
            namespace: namespace.to_string(),
            name: name.to_string(),
            labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ips,
            hostname: None,
            subdomain: None,
            node: Some("node-a".to_string()),
            zone: None,
            ready: true,
            terminating: false,
            phase: PodPhase::Running,
        }
    }

    /// Builder-style: `spec.hostname` = the pod name and `spec.subdomain` = `service`, as a
    /// StatefulSet with `serviceName: <service>` writes them.
    pub fn stateful(mut self, service: &str) -> Pod {
        self.hostname = Some(self.name.clone());
        self.subdomain = Some(service.to_string());
        self
    }

    /// Builder-style: node and zone.
    pub fn on_node(mut self, node: &str, zone: Option<&str>) -> Pod {
        self.node = Some(node.to_string());
        self.zone = zone.map(str::to_string);
        self
    }

    /// Builder-style: the `Ready` condition.
    pub fn with_ready(mut self, ready: bool) -> Pod {
        self.ready = ready;
        self
    }

    /// Builder-style: `deletionTimestamp` set (the pod is terminating).
    pub fn with_terminating(mut self, terminating: bool) -> Pod {
        self.terminating = terminating;
        self
    }

    /// The `app` label, if any.
    pub fn app(&self) -> Option<&str> {
        self.labels.get("app").map(String::as_str)
    }

    /// The controller's `ShouldPodBeInEndpoints(pod, includeTerminating)`: has an IP, is
    /// not Succeeded/Failed, and is not terminating unless `include_terminating`.
    pub fn in_endpoints(&self, include_terminating: bool) -> bool {
        !self.ips.is_empty()
            && !matches!(self.phase, PodPhase::Succeeded | PodPhase::Failed)
            && (include_terminating || !self.terminating)
    }

    /// Whether every `key=value` of `selector` is among the pod's labels (an empty
    /// selector selects nothing, as for Services).
    pub fn matches(&self, selector: &BTreeMap<String, String>) -> bool {
        !selector.is_empty()
            && selector
                .iter()
                .all(|(k, v)| self.labels.get(k).is_some_and(|l| l == v))
    }
}

/// EndpointSlice endpoint conditions; `None` is "unknown" (the API says: interpret a nil
/// `ready` or `serving` as true, a nil `terminating` as false).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Conditions {
    /// `ready`: the only condition CoreDNS reads.
    pub ready: Option<bool>,
    /// `serving`: the pod's Ready condition.
    pub serving: Option<bool>,
    /// `terminating`: the pod has a deletionTimestamp.
    pub terminating: Option<bool>,
}

impl Conditions {
    /// What the controller writes for a ready, running pod.
    pub const READY: Conditions = Conditions {
        ready: Some(true),
        serving: Some(true),
        terminating: Some(false),
    };

    /// The controller's rule: `serving = PodReady`, `terminating = deletionTimestamp set`,
    /// `ready = publishNotReadyAddresses || (serving && !terminating)`.
    pub fn for_pod(pod_ready: bool, terminating: bool, publish_not_ready: bool) -> Conditions {
        Conditions {
            ready: Some(publish_not_ready || (pod_ready && !terminating)),
            serving: Some(pod_ready),
            terminating: Some(terminating),
        }
    }
}

/// A Service: its spec, and (without a selector) its slices' endpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    /// Namespace.
    pub namespace: String,
    /// Service name.
    pub name: String,
    /// `None` for a headless Service (`clusterIP: None`); `Some(ip)` for a ClusterIP Service,
    /// whose name then resolves to that IP and whose SRV records target the Service name.
    pub cluster_ip: Option<IpAddr>,
    /// EndpointSlice ports (port numbers are resolved targetPorts, R6.4).
    pub ports: Vec<Port>,
    /// Endpoints of a Service without selector, in slice order (with their conditions;
    /// only the published ones reach DNS). Ignored when `selector` is set: the endpoints
    /// are then derived from the pods ([`Cluster::slice_endpoints`]).
    pub endpoints: Vec<Endpoint>,
    /// `spec.selector`; `None` for a Service without selector.
    pub selector: Option<BTreeMap<String, String>>,
    /// `spec.publishNotReadyAddresses`: every selected pod is `ready` (R13).
    pub publish_not_ready_addresses: bool,
    /// `spec.ipFamilies`; empty means the family of the ClusterIP, or (headless) the
    /// families of the endpoints' addresses, IPv4 when there are none.
    pub ip_families: Vec<IpFamily>,
    /// `metadata.labels` (copied onto the Service's EndpointSlices and Endpoints).
    pub labels: BTreeMap<String, String>,
}

/// One EndpointSlice port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Port {
    /// Port name; unnamed ports get no `_<port>._<proto>` SRV (R6.6).
    pub name: Option<String>,
    /// Lower-case protocol: `tcp`, `udp` or `sctp`.
    pub protocol: String,
    /// Port number.
    pub port: u16,
}

/// One EndpointSlice endpoint (a pod): its addresses, conditions and topology.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// Addresses (a dual-stack pod with a hostname has one IPv4 and one IPv6; the API
    /// view puts each family in its own slice).
    pub addresses: Vec<IpAddr>,
    /// EndpointSlice `hostname` (StatefulSet pods); `None` → dashed IP name (R4.1).
    pub hostname: Option<String>,
    /// `conditions` (ready / serving / terminating).
    pub conditions: Conditions,
    /// `targetRef.name`: the pod.
    pub pod: Option<String>,
    /// `nodeName`.
    pub node: Option<String>,
    /// `zone`.
    pub zone: Option<String>,
}

impl Port {
    /// A named TCP port.
    pub fn tcp(name: &str, port: u16) -> Port {
        Port {
            name: Some(name.to_string()),
            protocol: "tcp".to_string(),
            port,
        }
    }

    /// A named UDP port.
    pub fn udp(name: &str, port: u16) -> Port {
        Port {
            name: Some(name.to_string()),
            protocol: "udp".to_string(),
            port,
        }
    }
}

impl Endpoint {
    /// A ready endpoint with one address and no hostname (Deployment pod).
    pub fn ip(addr: IpAddr) -> Endpoint {
        Endpoint {
            addresses: vec![addr],
            hostname: None,
            conditions: Conditions::READY,
            pod: None,
            node: None,
            zone: None,
        }
    }

    /// A ready endpoint with a hostname (StatefulSet pod).
    pub fn named(hostname: &str, addresses: Vec<IpAddr>) -> Endpoint {
        Endpoint {
            hostname: Some(hostname.to_string()),
            ..Endpoint::ip(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
        }
        .with_addresses(addresses)
    }

    /// A ready endpoint with several addresses and no hostname (a dual-stack Deployment
    /// pod written as one endpoint).
    pub fn ips(addresses: Vec<IpAddr>) -> Endpoint {
        Endpoint::ip(IpAddr::V4(Ipv4Addr::UNSPECIFIED)).with_addresses(addresses)
    }

    fn with_addresses(mut self, addresses: Vec<IpAddr>) -> Endpoint {
        self.addresses = addresses;
        self
    }

    /// Builder-style: replace the conditions.
    pub fn with_conditions(mut self, conditions: Conditions) -> Endpoint {
        self.conditions = conditions;
        self
    }

    /// CoreDNS's rule (`endpointsliceReady`, R2.3): published iff `ready` is nil or true;
    /// `serving` and `terminating` are ignored.
    pub fn published(&self) -> bool {
        self.conditions.ready != Some(false)
    }

    /// The `<ep>` label of one of this endpoint's addresses (R4.1).
    pub fn label_for(&self, addr: IpAddr) -> String {
        match &self.hostname {
            Some(h) => h.clone(),
            None => dashed_ip(addr),
        }
    }
}

/// `addr + n` (wrapping), for generated addresses.
fn add_to_ip(addr: IpAddr, n: usize) -> IpAddr {
    match addr {
        IpAddr::V4(v4) => IpAddr::V4(Ipv4Addr::from(u32::from(v4).wrapping_add(n as u32))),
        IpAddr::V6(v6) => IpAddr::V6(Ipv6Addr::from(u128::from(v6).wrapping_add(n as u128))),
    }
}

/// The `n`-th IPv4 address after `base` (wrapping), used by the generators.
fn nth_v4(base: Ipv4Addr, n: usize) -> IpAddr {
    IpAddr::V4(Ipv4Addr::from(u32::from(base).wrapping_add(n as u32)))
}

impl Service {
    /// A headless Service with the given ports and endpoints.
    pub fn headless(
        namespace: &str,
        name: &str,
        ports: Vec<Port>,
        endpoints: Vec<Endpoint>,
    ) -> Self {
        Service {
            namespace: namespace.to_string(),
            name: name.to_string(),
            cluster_ip: None,
            ports,
            endpoints,
            selector: None,
            publish_not_ready_addresses: false,
            ip_families: Vec::new(),
            labels: BTreeMap::new(),
        }
    }

    /// A headless Service selecting pods by `selector` (its endpoints come from the pods).
    pub fn headless_selecting(
        namespace: &str,
        name: &str,
        ports: Vec<Port>,
        selector: &[(&str, &str)],
    ) -> Self {
        Service {
            selector: Some(
                selector
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            ),
            ..Self::headless(namespace, name, ports, Vec::new())
        }
    }

    /// Whether the Service is headless (`clusterIP: None`).
    pub fn is_headless(&self) -> bool {
        self.cluster_ip.is_none()
    }

    /// A headless Service backed by a StatefulSet `name` with `replicas` pods named
    /// `<name>-0..` (hostname set), IPv4 addresses `base_ip`, `base_ip+1`, … and one TCP
    /// port named `port.0`.
    pub fn statefulset(
        namespace: &str,
        name: &str,
        replicas: usize,
        base_ip: Ipv4Addr,
        port: (&str, u16),
    ) -> Self {
        let endpoints = (0..replicas)
            .map(|i| Endpoint::named(&format!("{name}-{i}"), vec![nth_v4(base_ip, i)]))
            .collect();
        Self::headless(namespace, name, vec![Port::tcp(port.0, port.1)], endpoints)
    }

    /// A headless Service backed by a Deployment: `replicas` endpoints without hostname
    /// (dashed-IP names), IPv4 addresses from `base_ip` upwards, one TCP port.
    pub fn deployment(
        namespace: &str,
        name: &str,
        replicas: usize,
        base_ip: Ipv4Addr,
        port: (&str, u16),
    ) -> Self {
        let endpoints = (0..replicas)
            .map(|i| Endpoint::ip(nth_v4(base_ip, i)))
            .collect();
        Self::headless(namespace, name, vec![Port::tcp(port.0, port.1)], endpoints)
    }

    /// Number of addresses of the hand-written endpoints (over all endpoints, with
    /// repetitions; see [`Cluster::slice_endpoints`] for a Service with a selector).
    pub fn address_count(&self) -> usize {
        self.endpoints.iter().map(|e| e.addresses.len()).sum()
    }
}

/// The dashed-IP endpoint label of R4.1: IPv4 dots → `-`; IPv6 canonical text with `:` → `-`
/// and a `0` appended when the result ends in `-`.
pub fn dashed_ip(addr: IpAddr) -> String {
    match addr {
        IpAddr::V4(v4) => v4.to_string().replace('.', "-"),
        IpAddr::V6(v6) => {
            let mut s = v6.to_string().replace(':', "-");
            if s.ends_with('-') {
                s.push('0');
            }
            s
        }
    }
}

/// The reverse-lookup owner name of `addr` (`in-addr.arpa.` or nibble `ip6.arpa.`), absolute.
pub fn reverse_name(addr: IpAddr) -> String {
    // Written independently of the client's name model on purpose: a server
    // that shared the client's code could not catch the client's bugs. As
    // CoreDNS's `dnsutil.ExtractAddressFromReverse` inverse: octets reversed
    // for IPv4, the 32 nibbles of the full hex form reversed for IPv6.
    match addr {
        IpAddr::V4(v4) => {
            let [a, b, c, d] = v4.octets();
            format!("{d}.{c}.{b}.{a}.in-addr.arpa.")
        }
        IpAddr::V6(v6) => {
            let hex: String = v6.segments().iter().map(|s| format!("{s:04x}")).collect();
            let mut out = String::with_capacity(73);
            for nibble in hex.chars().rev() {
                out.push(nibble);
                out.push('.');
            }
            out.push_str("ip6.arpa.");
            out
        }
    }
}

/// An absolute name we built ourselves, from its labels' raw bytes.
fn name(s: &str) -> Name {
    // Raw label bytes, so hostile hostnames (control characters) survive
    // into the records for tests of output escaping.
    let mut n = Name::from_labels(s.split('.').filter(|l| !l.is_empty()).map(str::as_bytes))
        .expect("cluster names are at most 255 octets with labels of at most 63");
    n.set_fqdn(true);
    n
}

fn rec(owner: &str, ttl: u32, data: RData) -> Record {
    Record::from_rdata(name(owner), ttl, data)
}

fn addr_rdata(ip: IpAddr) -> RData {
    match ip {
        IpAddr::V4(v4) => RData::A(A(v4)),
        IpAddr::V6(v6) => RData::AAAA(AAAA(v6)),
    }
}

/// SRV weight of R6.3: `max(1, floor(100 / n))`.
pub fn srv_weight(n: usize) -> u16 {
    if n == 0 {
        return 100;
    }
    (100 / n).max(1) as u16
}

/// Build SRV records from (target, port) tuples: weight counted over all tuples, then
/// duplicates (same target and port) dropped (R6.3, R6.5).
fn srv_records(owner: &str, ttl: u32, tuples: &[(String, u16)]) -> Vec<Record> {
    let weight = srv_weight(tuples.len());
    let mut seen = HashSet::new();
    tuples
        .iter()
        .filter(|t| seen.insert((*t).clone()))
        .map(|(target, port)| {
            rec(
                owner,
                ttl,
                RData::SRV(SRV::new(0, weight, *port, name(target))),
            )
        })
        .collect()
}

fn push_unique(out: &mut Vec<Record>, seen: &mut HashSet<(Name, RData)>, r: Record) {
    if seen.insert((r.name.to_lowercase(), r.data.clone())) {
        out.push(r);
    }
}

impl Cluster {
    /// An empty cluster with kubeadm defaults: TTL 30, DNS IP 10.96.0.10, the example serial,
    /// no pod records.
    pub fn new(domain: &str) -> Cluster {
        Cluster {
            domain: domain.trim_end_matches('.').to_string(),
            ttl: 30,
            services: Vec::new(),
            dns_ip: Ipv4Addr::new(10, 96, 0, 10),
            serial: EXAMPLE_SERIAL,
            pod_records: false,
            pods: Vec::new(),
            extra_namespaces: Vec::new(),
        }
    }

    /// The endpoints of `svc` as its EndpointSlices carry them: for a Service with a
    /// selector, one endpoint per selected pod and address family of the Service, with
    /// the conditions, hostname, targetRef, node and zone the EndpointSlice controller
    /// writes (`podToEndpoint`; terminating pods are kept, pods without IP or in phase
    /// Succeeded/Failed are not); for a Service without selector, its own endpoints.
    pub fn slice_endpoints(&self, svc: &Service) -> Vec<Endpoint> {
        let Some(selector) = &svc.selector else {
            return svc.endpoints.clone();
        };
        let families = self.ip_families(svc);
        let mut out = Vec::new();
        for family in families {
            for pod in self.selected_pods(svc, selector) {
                let addresses: Vec<IpAddr> = pod
                    .ips
                    .iter()
                    .copied()
                    .filter(|a| IpFamily::of(*a) == family)
                    .collect();
                if addresses.is_empty() {
                    continue;
                }
                // ShouldSetHostname: spec.hostname set and spec.subdomain == Service name
                // (same namespace, which selection already guarantees).
                let hostname = match (&pod.hostname, &pod.subdomain) {
                    (Some(h), Some(sub)) if !h.is_empty() && *sub == svc.name => Some(h.clone()),
                    _ => None,
                };
                out.push(Endpoint {
                    addresses,
                    hostname,
                    conditions: Conditions::for_pod(
                        pod.ready,
                        pod.terminating,
                        svc.publish_not_ready_addresses,
                    ),
                    pod: Some(pod.name.clone()),
                    node: pod.node.clone(),
                    zone: pod.zone.clone(),
                });
            }
        }
        out
    }

    fn selected_pods<'a>(
        &'a self,
        svc: &'a Service,
        selector: &'a BTreeMap<String, String>,
    ) -> impl Iterator<Item = &'a Pod> + 'a {
        self.pods
            .iter()
            .filter(move |p| p.namespace == svc.namespace && p.matches(selector))
            .filter(|p| p.in_endpoints(true))
    }

    /// The endpoints of `svc` that CoreDNS publishes (`ready` nil or true, R2.3).
    pub fn published_endpoints(&self, svc: &Service) -> Vec<Endpoint> {
        let mut eps = self.slice_endpoints(svc);
        eps.retain(Endpoint::published);
        eps
    }

    /// `spec.ipFamilies` of `svc`: as set, else the family of its ClusterIP, else the
    /// families its endpoints' addresses use (IPv4 first), else IPv4.
    pub fn ip_families(&self, svc: &Service) -> Vec<IpFamily> {
        if !svc.ip_families.is_empty() {
            return svc.ip_families.clone();
        }
        if let Some(ip) = svc.cluster_ip {
            return vec![IpFamily::of(ip)];
        }
        let mut fams: Vec<IpFamily> = match &svc.selector {
            // A headless Service with selector defaults to SingleStack (R14.2).
            Some(_) => vec![IpFamily::V4],
            None => svc
                .endpoints
                .iter()
                .flat_map(|e| e.addresses.iter().map(|a| IpFamily::of(*a)))
                .collect(),
        };
        fams.sort();
        fams.dedup();
        if fams.is_empty() {
            fams.push(IpFamily::V4);
        }
        fams
    }

    /// Every namespace: `default`, `kube-node-lease`, `kube-public`, `kube-system`, the
    /// extra ones, and those of Services and pods; sorted, without duplicates.
    pub fn namespaces(&self) -> Vec<String> {
        let mut v: Vec<String> = ["default", "kube-node-lease", "kube-public", "kube-system"]
            .iter()
            .map(|s| s.to_string())
            .chain(self.extra_namespaces.iter().cloned())
            .chain(self.services.iter().map(|s| s.namespace.clone()))
            .chain(self.pods.iter().map(|p| p.namespace.clone()))
            .collect();
        v.sort();
        v.dedup();
        v
    }

    /// Find a pod by namespace and name.
    pub fn pod_mut(&mut self, namespace: &str, name: &str) -> Option<&mut Pod> {
        self.pods
            .iter_mut()
            .find(|p| p.namespace == namespace && p.name == name)
    }

    /// Find a pod by namespace and name.
    pub fn pod(&self, namespace: &str, name: &str) -> Option<&Pod> {
        self.pods
            .iter()
            .find(|p| p.namespace == namespace && p.name == name)
    }

    /// Find a Service by namespace and name.
    pub fn service(&self, namespace: &str, name: &str) -> Option<&Service> {
        self.services
            .iter()
            .find(|s| s.namespace == namespace && s.name == name)
    }

    /// The pods a Service's selector selects (any state; empty without selector).
    pub fn pods_of(&self, svc: &Service) -> Vec<&Pod> {
        match &svc.selector {
            Some(sel) => self
                .pods
                .iter()
                .filter(|p| p.namespace == svc.namespace && p.matches(sel))
                .collect(),
            None => Vec::new(),
        }
    }

    /// Scale a StatefulSet-style set of pods `<prefix>-0..` in `namespace` to `replicas`:
    /// pods above the count are removed, missing ones are cloned from the highest existing
    /// ordinal, with the next addresses after its own that no pod of the cluster holds.
    /// Returns `false` when no `<prefix>-N` pod exists to clone from.
    pub fn scale(&mut self, namespace: &str, prefix: &str, replicas: usize) -> bool {
        let ordinal = |p: &Pod| -> Option<usize> {
            (p.namespace == namespace)
                .then(|| p.name.strip_prefix(prefix)?.strip_prefix('-')?.parse().ok())
                .flatten()
        };
        let Some(template) = self
            .pods
            .iter()
            .filter_map(|p| ordinal(p).map(|o| (o, p)))
            .max_by_key(|(o, _)| *o)
            .map(|(o, p)| (o, p.clone()))
        else {
            return false;
        };
        self.pods
            .retain(|p| ordinal(p).is_none_or(|o| o < replicas));
        let (top, tpl) = template;
        let mut used: std::collections::BTreeSet<IpAddr> = self
            .pods
            .iter()
            .flat_map(|p| p.ips.iter().copied())
            .collect();
        let mut next = tpl.ips.clone();
        for o in (top + 1)..replicas {
            let mut p = tpl.clone();
            p.name = format!("{prefix}-{o}");
            if p.hostname.is_some() {
                p.hostname = Some(p.name.clone());
            }
            // The next address after the last one handed out that no pod holds (a
            // scaled-down set may have left room that another workload now uses).
            for a in next.iter_mut() {
                *a = add_to_ip(*a, 1);
                while used.contains(a) {
                    *a = add_to_ip(*a, 1);
                }
                used.insert(*a);
            }
            p.ips = next.clone();
            p.ready = true;
            p.terminating = false;
            p.phase = PodPhase::Running;
            self.pods.push(p);
        }
        true
    }

    /// The `kube-system/kube-dns` ClusterIP Service of a kubeadm cluster (ports `dns` 53/UDP,
    /// `dns-tcp` 53/TCP, `metrics` 9153/TCP), at `dns_ip`, with no endpoints modelled.
    pub fn kube_dns(dns_ip: Ipv4Addr) -> Service {
        Service {
            namespace: "kube-system".into(),
            name: "kube-dns".into(),
            cluster_ip: Some(IpAddr::V4(dns_ip)),
            ports: vec![
                Port::udp("dns", 53),
                Port::tcp("dns-tcp", 53),
                Port::tcp("metrics", 9153),
            ],
            endpoints: Vec::new(),
            selector: None,
            publish_not_ready_addresses: false,
            ip_families: vec![IpFamily::V4],
            labels: BTreeMap::new(),
        }
    }

    /// The worked example of spec §9.1 (serial 1767225600, TTL 30, pod records on).
    pub fn example() -> Cluster {
        let v4 = |s: &str| -> IpAddr { IpAddr::V4(s.parse().unwrap_or(Ipv4Addr::UNSPECIFIED)) };
        let v6 = |s: &str| -> IpAddr { IpAddr::V6(s.parse().unwrap_or(Ipv6Addr::UNSPECIFIED)) };
        let mut c = Cluster::new("cluster.local");
        c.pod_records = true;
        let web_port = || vec![Port::tcp("nginx-web-headless", 80)];
        c.services = vec![
            Cluster::kube_dns(c.dns_ip),
            Service::headless(
                "awx",
                "web-headless",
                web_port(),
                vec![
                    Endpoint::named("web-0", vec![v4("10.244.217.10")]),
                    Endpoint::named("web-1", vec![v4("10.244.194.67")]),
                    Endpoint::named("web-2", vec![v4("10.244.217.11")]),
                ],
            ),
            Service::headless(
                "default",
                "web-headless",
                web_port(),
                vec![
                    Endpoint::ip(v4("10.244.194.69")),
                    Endpoint::ip(v4("10.244.194.70")),
                    Endpoint::ip(v4("10.244.217.12")),
                ],
            ),
            Service::headless(
                "awx",
                "db",
                vec![Port::tcp("postgres", 5432)],
                vec![
                    Endpoint::named("db-0", vec![v4("10.244.217.13"), v6("fd00:10:244::13")]),
                    Endpoint::named("db-1", vec![v4("10.244.194.71"), v6("fd00:10:244::71")]),
                ],
            ),
        ];
        c
    }

    /// The cluster of `hsvc demo` and the API tests: [`Cluster::example`]'s Services with
    /// pods behind them, in every state a headless Service meets, and two CoreDNS replicas.
    ///
    /// Every pod and ClusterIP is a loopback address (`127.244.x.y` pods, `127.96.x.y`
    /// ClusterIPs, `127.77.0.1-3` for `shop/api`), so anything that connects to an address
    /// the demo hands out (`hsvc check`, a probe, a client under test) stays on this
    /// machine; on Linux every 127/8 address is local and can be listened on. IPv6 has
    /// only one loopback address, so only `db-0` is dual-stack (`::1`): `db-1` has IPv4
    /// alone, which keeps every AAAA record of the demo on this machine too.
    ///
    /// * `kube-system/kube-dns`: ClusterIP 127.96.0.10, selector `k8s-app=kube-dns`, pods
    ///   `coredns-5d78c9869d-abcde` (127.244.0.2, node-a, zone-a) and
    ///   `coredns-5d78c9869d-fghij` (127.244.0.3, node-b, zone-b).
    /// * `awx/web-headless`: StatefulSet `web` (hostnames): web-0, web-1 ready, web-2 not
    ///   ready, web-3 terminating; port `http` 8080/TCP (so `_http._tcp.web-headless.awx`;
    ///   above 1024, so a demo run by any user can listen on it).
    /// * `awx/web`: a ClusterIP Service (127.96.1.20) over the same pods: not headless, and
    ///   no hostnames (their subdomain is `web-headless`).
    /// * `awx/db`: dual-stack headless (`RequireDualStack`), db-0 (127.244.217.13 and
    ///   `::1`) and db-1 (127.244.194.71), with hostnames.
    /// * `awx/cache`: cache-0 whose `spec.subdomain` (`redis`) differs from the Service
    ///   name, so its endpoint has no hostname (dashed-IP name).
    /// * `default/web-headless`: three Deployment pods (dashed-IP names) at
    ///   127.244.100.1-3, clear of the addresses `scale` gives new `awx/web-N` pods.
    /// * `shop/api`: api-0..2 at 127.77.0.1-3, port `http` 8080, hostnames.
    /// * `shop/jobs`: `publishNotReadyAddresses: true` with one ready and one not-ready
    ///   pod (both published).
    pub fn demo() -> Cluster {
        let v4 = |s: &str| -> IpAddr { IpAddr::V4(s.parse().unwrap_or(Ipv4Addr::UNSPECIFIED)) };
        let v6 = |s: &str| -> IpAddr { IpAddr::V6(s.parse().unwrap_or(Ipv6Addr::UNSPECIFIED)) };
        let mut c = Cluster::new("cluster.local");
        c.pod_records = true;
        c.dns_ip = Ipv4Addr::new(127, 96, 0, 10);
        let mut kube_dns = Cluster::kube_dns(c.dns_ip);
        kube_dns.selector = Some(BTreeMap::from([("k8s-app".into(), "kube-dns".into())]));
        kube_dns.labels = BTreeMap::from([("k8s-app".into(), "kube-dns".into())]);
        let mut web = Service::headless_selecting(
            "awx",
            "web",
            vec![Port::tcp("http", 8080)],
            &[("app", "web")],
        );
        web.cluster_ip = Some(v4("127.96.1.20"));
        let mut db = Service::headless_selecting(
            "awx",
            "db",
            vec![Port::tcp("postgres", 5432)],
            &[("app", "db")],
        );
        db.ip_families = vec![IpFamily::V4, IpFamily::V6];
        let mut jobs = Service::headless_selecting(
            "shop",
            "jobs",
            vec![Port::tcp("http", 9000)],
            &[("app", "jobs")],
        );
        jobs.publish_not_ready_addresses = true;
        c.services = vec![
            kube_dns,
            Service::headless_selecting(
                "awx",
                "web-headless",
                vec![Port::tcp("http", 8080)],
                &[("app", "web")],
            ),
            web,
            db,
            Service::headless_selecting(
                "awx",
                "cache",
                vec![Port::tcp("redis", 6379)],
                &[("app", "cache")],
            ),
            Service::headless_selecting(
                "default",
                "web-headless",
                vec![Port::tcp("http", 8080)],
                &[("app", "web")],
            ),
            Service::headless_selecting(
                "shop",
                "api",
                vec![Port::tcp("http", 8080)],
                &[("app", "api")],
            ),
            jobs,
        ];
        let dns = [("k8s-app", "kube-dns")];
        let webl = [("app", "web")];
        c.pods = vec![
            Pod::new(
                "kube-system",
                "coredns-5d78c9869d-abcde",
                &dns,
                vec![v4("127.244.0.2")],
            )
            .on_node("node-a", Some("zone-a")),
            Pod::new(
                "kube-system",
                "coredns-5d78c9869d-fghij",
                &dns,
                vec![v4("127.244.0.3")],
            )
            .on_node("node-b", Some("zone-b")),
            Pod::new("awx", "web-0", &webl, vec![v4("127.244.217.10")])
                .stateful("web-headless")
                .on_node("node-a", Some("zone-a")),
            Pod::new("awx", "web-1", &webl, vec![v4("127.244.194.67")])
                .stateful("web-headless")
                .on_node("node-b", Some("zone-b")),
            Pod::new("awx", "web-2", &webl, vec![v4("127.244.217.11")])
                .stateful("web-headless")
                .on_node("node-a", Some("zone-a"))
                .with_ready(false),
            Pod::new("awx", "web-3", &webl, vec![v4("127.244.194.68")])
                .stateful("web-headless")
                .on_node("node-b", Some("zone-b"))
                .with_terminating(true),
            Pod::new(
                "awx",
                "db-0",
                &[("app", "db")],
                vec![v4("127.244.217.13"), v6("::1")],
            )
            .stateful("db")
            .on_node("node-a", Some("zone-a")),
            Pod::new("awx", "db-1", &[("app", "db")], vec![v4("127.244.194.71")])
                .stateful("db")
                .on_node("node-b", Some("zone-b")),
            Pod::new(
                "awx",
                "cache-0",
                &[("app", "cache")],
                vec![v4("127.244.217.20")],
            )
            .stateful("redis")
            .on_node("node-a", Some("zone-a")),
            Pod::new(
                "default",
                "web-5f6b7d9c4-2xkqp",
                &webl,
                vec![v4("127.244.100.1")],
            )
            .on_node("node-b", Some("zone-b")),
            Pod::new(
                "default",
                "web-5f6b7d9c4-8mzvt",
                &webl,
                vec![v4("127.244.100.2")],
            )
            .on_node("node-b", Some("zone-b")),
            Pod::new(
                "default",
                "web-5f6b7d9c4-q7wtn",
                &webl,
                vec![v4("127.244.100.3")],
            )
            .on_node("node-a", Some("zone-a")),
            Pod::new("shop", "api-0", &[("app", "api")], vec![v4("127.77.0.1")])
                .stateful("api")
                .on_node("node-a", Some("zone-a")),
            Pod::new("shop", "api-1", &[("app", "api")], vec![v4("127.77.0.2")])
                .stateful("api")
                .on_node("node-b", Some("zone-b")),
            Pod::new("shop", "api-2", &[("app", "api")], vec![v4("127.77.0.3")])
                .stateful("api")
                .on_node("node-a", Some("zone-a")),
            Pod::new(
                "shop",
                "jobs-7d4b9-kx2lp",
                &[("app", "jobs")],
                vec![v4("127.244.1.10")],
            )
            .on_node("node-a", Some("zone-a")),
            Pod::new(
                "shop",
                "jobs-7d4b9-w9cfz",
                &[("app", "jobs")],
                vec![v4("127.244.1.11")],
            )
            .on_node("node-b", Some("zone-b"))
            .with_ready(false),
        ];
        c
    }

    /// Builder-style: add a Service.
    pub fn with_service(mut self, svc: Service) -> Cluster {
        self.services.push(svc);
        self
    }

    /// Find a Service by namespace and name.
    pub fn service_mut(&mut self, namespace: &str, name: &str) -> Option<&mut Service> {
        self.services
            .iter_mut()
            .find(|s| s.namespace == namespace && s.name == name)
    }

    fn zone(&self) -> &str {
        &self.domain
    }

    /// The SOA record of `origin` (absolute): TTL min(T,300), MINIMUM T (R10.2, R11.1).
    fn soa(&self, origin: &str) -> Record {
        let apex = origin.trim_end_matches('.');
        rec(
            &format!("{apex}."),
            self.ttl.min(300),
            RData::SOA(SOA::new(
                name(&format!("ns.dns.{apex}.")),
                name(&format!("hostmaster.{apex}.")),
                self.serial,
                7200,
                1800,
                86400,
                self.ttl,
            )),
        )
    }

    fn has_kube_dns(&self) -> bool {
        self.services
            .iter()
            .any(|s| s.namespace == "kube-system" && s.name == "kube-dns")
    }

    /// Records of the forward zone `<domain>.` in a stable order.
    pub fn forward_records(&self) -> Vec<Record> {
        let z = self.zone();
        let t = self.ttl;
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        out.push(self.soa(z));
        let ns_target = if self.has_kube_dns() {
            format!("kube-dns.kube-system.svc.{z}.")
        } else {
            format!("ns.dns.{z}.")
        };
        out.push(rec(&format!("{z}."), t, RData::NS(NS(name(&ns_target)))));
        out.push(rec(
            &format!("ns.dns.{z}."),
            t,
            addr_rdata(IpAddr::V4(self.dns_ip)),
        ));
        out.push(rec(
            &format!("dns-version.{z}."),
            DNS_VERSION_TTL,
            RData::TXT(TXT::new(vec!["1.1.0".to_string()])),
        ));
        for svc in &self.services {
            self.service_records(svc, &mut out, &mut seen);
        }
        if self.pod_records {
            let pod_addrs = self
                .pods
                .iter()
                .filter(|p| !p.terminating)
                .flat_map(|p| p.ips.iter().map(move |&a| (p.namespace.clone(), a)));
            let ep_addrs: Vec<(String, IpAddr)> = self
                .services
                .iter()
                .flat_map(|svc| {
                    self.published_endpoints(svc)
                        .into_iter()
                        .flat_map(|ep| ep.addresses)
                        .map(move |a| (svc.namespace.clone(), a))
                })
                .collect();
            for (ns, a) in ep_addrs.into_iter().chain(pod_addrs) {
                let owner = format!("{}.{}.pod.{z}.", dashed_ip(a), ns);
                push_unique(&mut out, &mut seen, rec(&owner, t, addr_rdata(a)));
            }
        }
        out
    }

    fn service_records(
        &self,
        svc: &Service,
        out: &mut Vec<Record>,
        seen: &mut HashSet<(Name, RData)>,
    ) {
        let z = self.zone();
        let t = self.ttl;
        let base = format!("{}.{}.svc.{z}.", svc.name, svc.namespace);
        let eps = self.published_endpoints(svc);
        // Addresses answered at the Service name (R3.1; ClusterIP for non-headless).
        let mut svc_addrs: Vec<IpAddr> = Vec::new();
        match svc.cluster_ip {
            Some(ip) => svc_addrs.push(ip),
            None => {
                for ep in &eps {
                    for &a in &ep.addresses {
                        if !svc_addrs.contains(&a) {
                            svc_addrs.push(a);
                        }
                    }
                }
            }
        }
        if svc_addrs.is_empty() && eps.iter().all(|e| e.addresses.is_empty()) {
            return; // R3.2: no published endpoint → NXDOMAIN for everything
        }
        for &a in &svc_addrs {
            push_unique(out, seen, rec(&base, t, addr_rdata(a)));
        }
        // Endpoint names (R5).
        for ep in &eps {
            for &a in &ep.addresses {
                let owner = format!("{}.{base}", ep.label_for(a));
                push_unique(out, seen, rec(&owner, t, addr_rdata(a)));
            }
        }
        // (target, port) tuples for all ports, in port order then endpoint order.
        let tuples_for = |port: &Port| -> Vec<(String, u16)> {
            match svc.cluster_ip {
                Some(_) => vec![(base.clone(), port.port)],
                None => eps
                    .iter()
                    .flat_map(|ep| {
                        ep.addresses
                            .iter()
                            .map(|&a| (format!("{}.{base}", ep.label_for(a)), port.port))
                    })
                    .collect(),
            }
        };
        // R6: per named port.
        for port in &svc.ports {
            let Some(pname) = &port.name else { continue };
            let owner = format!("_{}._{}.{base}", pname, port.protocol.to_ascii_lowercase());
            for r in srv_records(&owner, t, &tuples_for(port)) {
                push_unique(out, seen, r);
            }
            // R7.4: address records at the _port._proto owner.
            for &a in &svc_addrs {
                push_unique(out, seen, rec(&owner, t, addr_rdata(a)));
            }
        }
        // R7.1: bare name, all ports.
        let all: Vec<(String, u16)> = svc.ports.iter().flat_map(&tuples_for).collect();
        for r in srv_records(&base, t, &all) {
            push_unique(out, seen, r);
        }
        // R7.2: each endpoint name, that endpoint's tuples (R4.3: a name may be shared).
        let mut by_label: HashMap<String, usize> = HashMap::new();
        let mut labels: Vec<String> = Vec::new();
        for ep in &eps {
            for &a in &ep.addresses {
                let l = ep.label_for(a);
                *by_label.entry(l.clone()).or_insert_with(|| {
                    labels.push(l);
                    0
                }) += 1;
            }
        }
        let port_numbers: Vec<u16> = svc.ports.iter().map(|p| p.port).collect();
        for l in labels {
            let target = format!("{l}.{base}");
            let addrs = by_label[&l];
            let tuples: Vec<(String, u16)> = port_numbers
                .iter()
                .flat_map(|&p| std::iter::repeat_n((target.clone(), p), addrs))
                .collect();
            for r in srv_records(&target, t, &tuples) {
                push_unique(out, seen, r);
            }
        }
    }

    /// Records of the reverse zone `in-addr.arpa.` (`v6 == false`) or `ip6.arpa.` (R9, §9.3).
    pub fn reverse_records(&self, v6: bool) -> Vec<Record> {
        let z = self.zone();
        let t = self.ttl;
        let origin = if v6 { "ip6.arpa" } else { "in-addr.arpa" };
        let mut out = vec![self.soa(origin)];
        let mut seen = HashSet::new();
        let ns_host = if self.has_kube_dns() {
            format!("kube-dns.kube-system.svc.{origin}.")
        } else {
            format!("ns.dns.{origin}.")
        };
        out.push(rec(&format!("{origin}."), t, RData::NS(NS(name(&ns_host)))));
        out.push(rec(&ns_host, t, addr_rdata(IpAddr::V4(self.dns_ip))));
        let cluster_ips: HashSet<IpAddr> =
            self.services.iter().filter_map(|s| s.cluster_ip).collect();
        let mut push_ptr = |a: IpAddr, target: String, out: &mut Vec<Record>| {
            if a.is_ipv6() == v6 {
                push_unique(
                    out,
                    &mut seen,
                    rec(&reverse_name(a), t, RData::PTR(PTR(name(&target)))),
                );
            }
        };
        for svc in &self.services {
            let base = format!("{}.{}.svc.{z}.", svc.name, svc.namespace);
            if let Some(ip) = svc.cluster_ip {
                push_ptr(ip, base.clone(), &mut out);
            }
            for ep in &self.published_endpoints(svc) {
                for &a in &ep.addresses {
                    if !cluster_ips.contains(&a) {
                        push_ptr(a, format!("{}.{base}", ep.label_for(a)), &mut out);
                    }
                }
            }
        }
        out
    }

    /// All records: forward zone, then `in-addr.arpa.`, then `ip6.arpa.`.
    pub fn records(&self) -> Vec<Record> {
        let mut v = self.forward_records();
        v.extend(self.reverse_records(false));
        v.extend(self.reverse_records(true));
        v
    }

    /// One master file per zone: `(origin, text)` for `<domain>.`, `in-addr.arpa.`, `ip6.arpa.`
    /// (what BIND/Knot load as three zones).
    pub fn zone_files(&self) -> Vec<(String, String)> {
        let z = format!("{}.", self.zone());
        vec![
            (
                z.clone(),
                master_file(&z, self.ttl, &self.forward_records()),
            ),
            (
                "in-addr.arpa.".into(),
                master_file("in-addr.arpa.", self.ttl, &self.reverse_records(false)),
            ),
            (
                "ip6.arpa.".into(),
                master_file("ip6.arpa.", self.ttl, &self.reverse_records(true)),
            ),
        ]
    }

    /// RFC 1035 master-file text of all three zones, one `$ORIGIN` block each.
    pub fn zone_text(&self) -> String {
        self.zone_files()
            .into_iter()
            .map(|(_, text)| text)
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Render records as a master file for `origin` (absolute, with trailing dot).
pub fn master_file(origin: &str, default_ttl: u32, records: &[Record]) -> String {
    let mut s = format!("$ORIGIN {origin}\n$TTL {default_ttl}\n");
    let origin_name = name(origin);
    for r in records {
        let owner = relative_owner(&r.name, &origin_name);
        let _ = writeln!(
            s,
            "{owner} {} IN {} {}",
            r.ttl,
            r.record_type(),
            rdata_text(&r.data)
        );
    }
    s
}

fn relative_owner(owner: &Name, origin: &Name) -> String {
    if owner.eq_ignore_root(origin) {
        return "@".to_string();
    }
    if origin.zone_of(owner) {
        let keep = (owner.num_labels() - origin.num_labels()) as usize;
        let labels: Vec<String> = owner
            .iter()
            .take(keep)
            .map(|l| {
                Name::from_labels(vec![l])
                    .map(|n| n.to_ascii())
                    .unwrap_or_default()
            })
            .map(|l| l.trim_end_matches('.').to_string())
            .collect();
        return labels.join(".");
    }
    owner.to_ascii()
}

fn fqdn(n: &Name) -> String {
    let mut s = n.to_ascii();
    if !s.ends_with('.') {
        s.push('.');
    }
    s
}

/// Master-file presentation of the record data types the cluster produces.
pub fn rdata_text(data: &RData) -> String {
    match data {
        RData::A(a) => a.0.to_string(),
        RData::AAAA(a) => a.0.to_string(),
        RData::NS(n) => fqdn(&n.0),
        RData::PTR(n) => fqdn(&n.0),
        RData::CNAME(n) => fqdn(&n.0),
        RData::SRV(s) => format!("{} {} {} {}", s.priority, s.weight, s.port, fqdn(&s.target)),
        RData::SOA(s) => format!(
            "{} {} {} {} {} {} {}",
            fqdn(&s.mname),
            fqdn(&s.rname),
            s.serial,
            s.refresh,
            s.retry,
            s.expire,
            s.minimum
        ),
        RData::TXT(t) => t
            .txt_data
            .iter()
            .map(|d| {
                let mut q = String::from("\"");
                for &b in d.iter() {
                    match b {
                        b'"' | b'\\' => {
                            q.push('\\');
                            q.push(b as char);
                        }
                        0x20..=0x7e => q.push(b as char),
                        _ => {
                            let _ = write!(q, "\\{b:03}");
                        }
                    }
                }
                q.push('"');
                q
            })
            .collect::<Vec<_>>()
            .join(" "),
        other => other.to_string(),
    }
}

/// `true` for the record types this module generates (for documentation and tests).
pub fn generated_types() -> &'static [RecordType] {
    &[
        RecordType::SOA,
        RecordType::NS,
        RecordType::A,
        RecordType::AAAA,
        RecordType::TXT,
        RecordType::SRV,
        RecordType::PTR,
    ]
}

#[cfg(test)]
mod tests {
    #[test]
    fn reverse_names_of_both_families() {
        use super::reverse_name;
        assert_eq!(
            reverse_name("10.244.1.7".parse().unwrap()),
            "7.1.244.10.in-addr.arpa."
        );
        assert_eq!(
            reverse_name("fd00:10:244::13".parse().unwrap()),
            "3.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.4.4.2.0.0.1.0.0.0.0.d.f.ip6.arpa."
        );
    }

    use super::*;

    #[test]
    fn dashed_ip_rules() {
        assert_eq!(dashed_ip("10.244.194.69".parse().unwrap()), "10-244-194-69");
        assert_eq!(
            dashed_ip("fd00:10:244::13".parse().unwrap()),
            "fd00-10-244--13"
        );
        assert_eq!(
            dashed_ip("2001:db8:3333:4444:5555:6666::".parse().unwrap()),
            "2001-db8-3333-4444-5555-6666--0"
        );
    }

    #[test]
    fn weight_rule() {
        let w: Vec<u16> = [1, 2, 3, 4, 6, 100, 101, 3000]
            .iter()
            .map(|&n| srv_weight(n))
            .collect();
        assert_eq!(w, vec![100, 50, 33, 25, 16, 1, 1, 1]);
    }

    #[test]
    fn reverse_names() {
        assert_eq!(
            reverse_name("10.244.217.13".parse().unwrap()),
            "13.217.244.10.in-addr.arpa."
        );
        assert_eq!(
            reverse_name("fd00:10:244::13".parse().unwrap()),
            "3.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.4.4.2.0.0.1.0.0.0.0.d.f.ip6.arpa."
        );
    }

    #[test]
    fn big_statefulset_weight_is_one() {
        let c = Cluster::new("cluster.local").with_service(Service::statefulset(
            "ns",
            "big",
            3000,
            Ipv4Addr::new(10, 1, 0, 0),
            ("http", 80),
        ));
        let recs = c.forward_records();
        let srv: Vec<_> = recs
            .iter()
            .filter(|r| r.name.to_ascii() == "_http._tcp.big.ns.svc.cluster.local.")
            .filter_map(|r| match &r.data {
                RData::SRV(s) => Some(s.weight),
                _ => None,
            })
            .collect();
        assert_eq!(srv.len(), 3000);
        assert!(srv.iter().all(|&w| w == 1));
    }

    #[test]
    fn no_endpoints_no_records() {
        let c = Cluster::new("cluster.local").with_service(Service::deployment(
            "ns",
            "empty",
            0,
            Ipv4Addr::new(10, 1, 0, 0),
            ("http", 80),
        ));
        assert!(c
            .forward_records()
            .iter()
            .all(|r| !r.name.to_ascii().contains("empty")));
    }

    #[test]
    fn portless_service_has_no_srv() {
        let mut svc = Service::deployment("ns", "np", 2, Ipv4Addr::new(10, 1, 0, 0), ("x", 1));
        svc.ports.clear();
        let c = Cluster::new("cluster.local").with_service(svc);
        let recs = c.forward_records();
        assert!(recs.iter().all(|r| r.record_type() != RecordType::SRV));
        assert_eq!(
            recs.iter()
                .filter(|r| r.name.to_ascii() == "np.ns.svc.cluster.local.")
                .count(),
            2
        );
    }
}

#[cfg(test)]
mod pod_model_tests {
    use super::*;

    fn a_records(c: &Cluster, owner: &str) -> Vec<String> {
        let mut v: Vec<String> = c
            .forward_records()
            .iter()
            .filter(|r| r.name.to_ascii() == owner)
            .filter_map(|r| match &r.data {
                RData::A(a) => Some(a.0.to_string()),
                RData::AAAA(a) => Some(a.0.to_string()),
                _ => None,
            })
            .collect();
        v.sort();
        v
    }

    #[test]
    fn controller_conditions() {
        assert_eq!(Conditions::for_pod(true, false, false), Conditions::READY);
        let not_ready = Conditions::for_pod(false, false, false);
        assert_eq!(
            (not_ready.ready, not_ready.serving, not_ready.terminating),
            (Some(false), Some(false), Some(false))
        );
        // terminating but still serving: not ready (KEP-1669)
        let term = Conditions::for_pod(true, true, false);
        assert_eq!(
            (term.ready, term.serving, term.terminating),
            (Some(false), Some(true), Some(true))
        );
        // publishNotReadyAddresses forces ready, even while terminating
        assert_eq!(Conditions::for_pod(false, true, true).ready, Some(true));
        // nil ready is published (R2.3)
        let nil = Endpoint::ip("10.0.0.1".parse().unwrap()).with_conditions(Conditions::default());
        assert!(nil.published());
    }

    #[test]
    fn demo_slices_and_dns_agree() {
        let c = Cluster::demo();
        let svc = c.service("awx", "web-headless").unwrap();
        let eps = c.slice_endpoints(svc);
        let by_pod = |n: &str| eps.iter().find(|e| e.pod.as_deref() == Some(n)).unwrap();
        assert_eq!(eps.len(), 4, "terminating pods stay in slices");
        assert_eq!(by_pod("web-2").conditions.ready, Some(false));
        assert_eq!(by_pod("web-3").conditions.terminating, Some(true));
        assert_eq!(by_pod("web-3").conditions.serving, Some(true));
        assert_eq!(by_pod("web-0").hostname.as_deref(), Some("web-0"));
        assert_eq!(by_pod("web-0").zone.as_deref(), Some("zone-a"));
        assert_eq!(
            a_records(&c, "web-headless.awx.svc.cluster.local."),
            vec!["127.244.194.67", "127.244.217.10"]
        );
        // The ClusterIP Service over the same pods: no hostnames (subdomain differs).
        let web = c.service("awx", "web").unwrap();
        assert!(c.slice_endpoints(web).iter().all(|e| e.hostname.is_none()));
        assert_eq!(
            a_records(&c, "web.awx.svc.cluster.local."),
            vec!["127.96.1.20"]
        );
        // subdomain mismatch: dashed-IP name
        assert_eq!(
            a_records(&c, "127-244-217-20.cache.awx.svc.cluster.local."),
            vec!["127.244.217.20"]
        );
        // dual stack: one endpoint per family, a name carrying both
        let db = c.service("awx", "db").unwrap();
        assert_eq!(c.slice_endpoints(db).len(), 3);
        assert_eq!(
            a_records(&c, "db-0.db.awx.svc.cluster.local."),
            vec!["127.244.217.13", "::1"]
        );
        // publishNotReadyAddresses publishes the not-ready pod
        assert_eq!(a_records(&c, "jobs.shop.svc.cluster.local.").len(), 2);
    }

    #[test]
    fn every_demo_address_is_on_this_machine() {
        let mut c = Cluster::demo();
        for n in [3, 6, 2] {
            assert!(c.scale("awx", "web", n));
            let mut pod_ips: Vec<IpAddr> = c.pods.iter().flat_map(|p| p.ips.clone()).collect();
            assert!(pod_ips.iter().all(|ip| ip.is_loopback()), "{pod_ips:?}");
            let all = pod_ips.len();
            pod_ips.sort();
            pod_ips.dedup();
            assert_eq!(
                pod_ips.len(),
                all,
                "two pods share an address at {n} replicas"
            );
        }
        assert!(c
            .services
            .iter()
            .all(|s| s.cluster_ip.is_none_or(|ip| ip.is_loopback())));
        assert!(IpAddr::V4(c.dns_ip).is_loopback());
    }

    #[test]
    fn one_pod_change_changes_dns() {
        let mut c = Cluster::demo();
        c.pod_mut("awx", "web-2").unwrap().ready = true;
        assert_eq!(
            a_records(&c, "web-headless.awx.svc.cluster.local.").len(),
            3
        );
        c.pod_mut("awx", "web-0").unwrap().terminating = true;
        assert_eq!(
            a_records(&c, "web-headless.awx.svc.cluster.local.").len(),
            2
        );
        c.pods
            .retain(|p| !(p.namespace == "awx" && p.app() == Some("web")));
        assert!(a_records(&c, "web-headless.awx.svc.cluster.local.").is_empty());
    }

    #[test]
    fn scale_clones_the_highest_ordinal() {
        let mut c = Cluster::demo();
        assert!(c.scale("awx", "web", 6));
        let p5 = c.pod("awx", "web-5").unwrap();
        assert_eq!(p5.ips, vec!["127.244.194.70".parse::<IpAddr>().unwrap()]);
        assert_eq!(p5.hostname.as_deref(), Some("web-5"));
        assert!(p5.ready && !p5.terminating);
        assert!(c.scale("awx", "web", 1));
        assert!(c.pod("awx", "web-1").is_none() && c.pod("awx", "web-0").is_some());
        assert!(!c.scale("awx", "nope", 3));
    }
}
