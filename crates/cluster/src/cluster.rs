//! A minimal model of a Kubernetes cluster (Services and their ready endpoints) and the
//! DNS records CoreDNS's *kubernetes* plugin answers for it.
//!
//! Everything here is pure: no sockets, no clocks. The rules cited (R3–R12) are those of
//! `docs/k8s-dns-spec.md` (§3); [`Cluster::example`] is its §9.1 worked example.

use std::collections::{HashMap, HashSet};
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
}

/// A Service and its published (ready) endpoints.
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
    /// Published endpoints, in slice order.
    pub endpoints: Vec<Endpoint>,
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

/// One published endpoint (a pod): its addresses and optional hostname.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// Addresses (a dual-stack pod with a hostname has one IPv4 and one IPv6).
    pub addresses: Vec<IpAddr>,
    /// EndpointSlice `hostname` (StatefulSet pods); `None` → dashed IP name (R4.1).
    pub hostname: Option<String>,
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
    /// An endpoint with one address and no hostname (Deployment pod).
    pub fn ip(addr: IpAddr) -> Endpoint {
        Endpoint {
            addresses: vec![addr],
            hostname: None,
        }
    }

    /// An endpoint with a hostname (StatefulSet pod).
    pub fn named(hostname: &str, addresses: Vec<IpAddr>) -> Endpoint {
        Endpoint {
            addresses,
            hostname: Some(hostname.to_string()),
        }
    }

    /// The `<ep>` label of one of this endpoint's addresses (R4.1).
    pub fn label_for(&self, addr: IpAddr) -> String {
        match &self.hostname {
            Some(h) => h.clone(),
            None => dashed_ip(addr),
        }
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
        }
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

    /// Number of published addresses (over all endpoints, with repetitions).
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
        }
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
            for svc in &self.services {
                for ep in &svc.endpoints {
                    for &a in &ep.addresses {
                        let owner = format!("{}.{}.pod.{z}.", dashed_ip(a), svc.namespace);
                        push_unique(&mut out, &mut seen, rec(&owner, t, addr_rdata(a)));
                    }
                }
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
        // Addresses answered at the Service name (R3.1; ClusterIP for non-headless).
        let mut svc_addrs: Vec<IpAddr> = Vec::new();
        match svc.cluster_ip {
            Some(ip) => svc_addrs.push(ip),
            None => {
                for ep in &svc.endpoints {
                    for &a in &ep.addresses {
                        if !svc_addrs.contains(&a) {
                            svc_addrs.push(a);
                        }
                    }
                }
            }
        }
        if svc_addrs.is_empty() && svc.endpoints.iter().all(|e| e.addresses.is_empty()) {
            return; // R3.2: no published endpoint → NXDOMAIN for everything
        }
        for &a in &svc_addrs {
            push_unique(out, seen, rec(&base, t, addr_rdata(a)));
        }
        // Endpoint names (R5).
        for ep in &svc.endpoints {
            for &a in &ep.addresses {
                let owner = format!("{}.{base}", ep.label_for(a));
                push_unique(out, seen, rec(&owner, t, addr_rdata(a)));
            }
        }
        // (target, port) tuples for all ports, in port order then endpoint order.
        let tuples_for = |port: &Port| -> Vec<(String, u16)> {
            match svc.cluster_ip {
                Some(_) => vec![(base.clone(), port.port)],
                None => svc
                    .endpoints
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
        for ep in &svc.endpoints {
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
            for ep in &svc.endpoints {
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
