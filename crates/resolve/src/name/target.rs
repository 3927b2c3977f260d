//! What a name means in cluster DNS: a Service, a pod of it, an SRV name,
//! a reverse lookup, or another name; the namespace and cluster domain a
//! short name is completed with.

use std::net::IpAddr;

use super::fqdn::{split_validated, Fqdn, NameError, MAX_NAME};

/// What a name means in cluster DNS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `<svc>.<ns>.svc.<zone>`: every ready pod of the Service.
    Service,
    /// `<ep>.<svc>.<ns>.svc.<zone>`: one pod (StatefulSet hostname or dashed IP).
    Endpoint,
    /// `_<port>._<proto>.<svc>.<ns>.svc.<zone>`: one named port.
    Srv,
    /// An IP literal: PTR lookup of the pod's names.
    Reverse,
    /// Any other name, queried as given.
    Other,
}

impl Kind {
    /// The JSON `kind` name: `service`, `endpoint`, `srv`, `reverse` or
    /// `other`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Kind::Service => "service",
            Kind::Endpoint => "endpoint",
            Kind::Srv => "srv",
            Kind::Reverse => "reverse",
            Kind::Other => "other",
        }
    }
}

/// Where the namespace of a short name came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NsSource {
    /// The caller gave one (the CLI's `-n`/`--namespace` or `HSVC_NAMESPACE`).
    Flag,
    /// The pod's search list had `<ns>.svc.<zone>` for the cluster domain
    /// in use.
    ResolvConf,
    /// Neither: the namespace `default`, as kubectl and CoreDNS assume.
    Default,
}

/// Everything a short name is completed with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Context {
    /// The namespace of names that do not carry one (`web`, `_http._tcp.web`).
    pub namespace: String,
    /// Where [`Context::namespace`] came from (for `-v` diagnostics).
    pub namespace_source: NsSource,
    /// The cluster's DNS zone, `cluster.local` unless configured otherwise;
    /// names under `svc.<zone>` are the cluster's.
    pub cluster_domain: Fqdn,
}

impl Context {
    /// Namespace: flag, else the search list's `<ns>.svc.<zone>`, else
    /// `default`. Cluster domain: flag, else inferred from the search
    /// list, else `cluster.local`.
    pub fn new(
        namespace_flag: Option<&str>,
        cluster_domain_flag: Option<&Fqdn>,
        search: &[Fqdn],
    ) -> Self {
        let inferred = infer_from_search(search);
        let cluster_domain = cluster_domain_flag
            .cloned()
            .or_else(|| inferred.as_ref().map(|(_, z)| z.clone()))
            .unwrap_or_else(|| Fqdn::from_labels(["cluster", "local"]));
        let (namespace, namespace_source) = match (namespace_flag, &inferred) {
            (Some(ns), _) => (ns.to_string(), NsSource::Flag),
            (None, Some((Some(ns), zone))) if zone == &cluster_domain => {
                (ns.clone(), NsSource::ResolvConf)
            }
            _ => ("default".to_string(), NsSource::Default),
        };
        Context {
            namespace,
            namespace_source,
            cluster_domain,
        }
    }
}

/// Finds `<ns>.svc.<zone>` (namespace and zone) or `svc.<zone>` (zone only)
/// in a pod's search list (docs/cluster-dns.md R-RC2).
fn infer_from_search(search: &[Fqdn]) -> Option<(Option<String>, Fqdn)> {
    let with_ns = search.iter().find_map(|d| {
        let l = d.labels();
        (l.len() >= 3 && l[1].eq_ignore_ascii_case("svc")).then(|| {
            (
                Some(l[0].to_ascii_lowercase()),
                Fqdn::from_labels(l[2..].to_vec()),
            )
        })
    });
    with_ns.or_else(|| {
        search.iter().find_map(|d| {
            let l = d.labels();
            (l.len() >= 2 && l[0].eq_ignore_ascii_case("svc"))
                .then(|| (None, Fqdn::from_labels(l[1..].to_vec())))
        })
    })
}

/// What a parsed name stands for, by kind: each kind carries exactly the
/// parts it has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Meaning {
    /// `<svc>.<ns>.svc.<zone>`: every ready pod of the Service.
    Service {
        /// Namespace.
        namespace: String,
        /// Service name.
        service: String,
    },
    /// `<ep>.<svc>.<ns>.svc.<zone>`: one pod.
    Endpoint {
        /// Namespace.
        namespace: String,
        /// Service name.
        service: String,
        /// The pod's label: StatefulSet hostname or dashed IP.
        endpoint: String,
    },
    /// `_<port>._<proto>.<svc>.<ns>.svc.<zone>`: one named port.
    Srv {
        /// Namespace.
        namespace: String,
        /// Service name.
        service: String,
        /// `_port` label without the underscore.
        port_name: String,
        /// `_proto` label without the underscore.
        protocol: String,
    },
    /// An IP literal: PTR lookup of the pod's names.
    Reverse {
        /// The address.
        ip: IpAddr,
    },
    /// Any other name, queried as given.
    Other,
}

/// A parsed user name: what to query and what it means.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// What the user typed.
    pub input: String,
    /// The absolute name queried.
    pub fqdn: Fqdn,
    /// What it stands for.
    pub meaning: Meaning,
}

impl Target {
    fn other(input: &str, fqdn: Fqdn) -> Self {
        Target {
            input: input.to_string(),
            fqdn,
            meaning: Meaning::Other,
        }
    }

    /// The kind of name.
    pub fn kind(&self) -> Kind {
        match self.meaning {
            Meaning::Service { .. } => Kind::Service,
            Meaning::Endpoint { .. } => Kind::Endpoint,
            Meaning::Srv { .. } => Kind::Srv,
            Meaning::Reverse { .. } => Kind::Reverse,
            Meaning::Other => Kind::Other,
        }
    }

    /// The namespace, for names under `.svc`.
    pub fn namespace(&self) -> Option<&str> {
        match &self.meaning {
            Meaning::Service { namespace, .. }
            | Meaning::Endpoint { namespace, .. }
            | Meaning::Srv { namespace, .. } => Some(namespace),
            _ => None,
        }
    }

    /// The Service name, for names under `.svc`.
    pub fn service(&self) -> Option<&str> {
        match &self.meaning {
            Meaning::Service { service, .. }
            | Meaning::Endpoint { service, .. }
            | Meaning::Srv { service, .. } => Some(service),
            _ => None,
        }
    }

    /// Parses what the user typed into a target; the namespace and cluster
    /// domain of short names come from `ctx`.
    pub fn parse(input: &str, ctx: &Context) -> Result<Target, NameError> {
        if let Ok(ip) = input.parse::<IpAddr>() {
            return Ok(Target {
                input: input.to_string(),
                fqdn: reverse_name(ip),
                meaning: Meaning::Reverse { ip },
            });
        }
        let (labels, absolute) = split_validated(input)?;
        let fq = Fqdn::from_labels(labels.clone());
        Ok(Self::classify(input, &fq, absolute, ctx))
    }

    /// Classifies an absolute name found by a search walk.
    pub(crate) fn from_fqdn(input: &str, fqdn: &Fqdn, ctx: &Context) -> Target {
        Self::classify(input, fqdn, true, ctx)
    }

    fn classify(input: &str, fq: &Fqdn, absolute: bool, ctx: &Context) -> Target {
        let labels = fq.labels();
        let zone = ctx.cluster_domain.labels();
        let mut svc_zone: Vec<String> = vec!["svc".into()];
        svc_zone.extend(zone.iter().cloned());

        // Strip the `.svc.<zone>` or (relative names only) `.svc` suffix.
        let (rest, qualified): (&[String], bool) = if fq.ends_with(&svc_zone) {
            (&labels[..labels.len() - svc_zone.len()], true)
        } else if !absolute
            && labels.len() > 1
            && labels[labels.len() - 1].eq_ignore_ascii_case("svc")
        {
            (&labels[..labels.len() - 1], true)
        } else if absolute {
            return Target::other(input, fq.clone());
        } else {
            (labels, false)
        };

        let under = |l: &String| l.starts_with('_') && l.len() > 1;
        let strip = |l: &String| l.trim_start_matches('_').to_string();
        let (kind, port, proto, ep, svc, ns) = match rest {
            [svc] if !qualified => (Kind::Service, None, None, None, svc, ctx.namespace.clone()),
            [svc, ns] if !under(svc) => (Kind::Service, None, None, None, svc, ns.clone()),
            [p, pr, svc] if !qualified && under(p) && under(pr) => (
                Kind::Srv,
                Some(strip(p)),
                Some(strip(pr)),
                None,
                svc,
                ctx.namespace.clone(),
            ),
            [ep, svc, ns] if !under(ep) && !under(svc) => (
                Kind::Endpoint,
                None,
                None,
                Some(ep.clone()),
                svc,
                ns.clone(),
            ),
            [p, pr, svc, ns] if under(p) && under(pr) => (
                Kind::Srv,
                Some(strip(p)),
                Some(strip(pr)),
                None,
                svc,
                ns.clone(),
            ),
            _ => {
                let mut abs = fq.clone();
                if !absolute && qualified {
                    abs = fq.join(&Fqdn::from_labels(zone.to_vec())).unwrap_or(abs);
                }
                return Target::other(input, abs);
            }
        };
        let mut out: Vec<String> = Vec::new();
        if let (Some(p), Some(pr)) = (&port, &proto) {
            out.push(format!("_{p}"));
            out.push(format!("_{pr}"));
        }
        if let Some(e) = &ep {
            out.push(e.clone());
        }
        out.push(svc.clone());
        out.push(ns.clone());
        out.extend(svc_zone);
        let fqdn = Fqdn::from_labels(out);
        if fqdn.text_len() > MAX_NAME {
            // Completing a short name made it too long: query it as typed.
            return Target::other(input, fq.clone());
        }
        let (namespace, service) = (ns, svc.clone());
        let meaning = match (kind, ep, port, proto) {
            (Kind::Endpoint, Some(endpoint), _, _) => Meaning::Endpoint {
                namespace,
                service,
                endpoint,
            },
            (Kind::Srv, _, Some(port_name), Some(protocol)) => Meaning::Srv {
                namespace,
                service,
                port_name,
                protocol,
            },
            _ => Meaning::Service { namespace, service },
        };
        Target {
            input: input.to_string(),
            fqdn,
            meaning,
        }
    }
}

/// `in-addr.arpa` / `ip6.arpa` name of an address (nibble form for IPv6).
pub fn reverse_name(ip: IpAddr) -> Fqdn {
    let mut labels: Vec<String> = Vec::new();
    match ip {
        IpAddr::V4(v4) => {
            labels.extend(v4.octets().iter().rev().map(|o| o.to_string()));
            labels.push("in-addr".into());
        }
        IpAddr::V6(v6) => {
            for o in v6.octets().iter().rev() {
                labels.push(format!("{:x}", o & 0xf));
                labels.push(format!("{:x}", o >> 4));
            }
            labels.push("ip6".into());
        }
    }
    labels.push("arpa".into());
    Fqdn::from_labels(labels)
}

/// The address a CoreDNS dashed-IP endpoint label stands for (docs/cluster-dns.md R4.1):
/// `10-244-194-69` → 10.244.194.69, `fd00-10-244--13` → fd00:10:244::13
/// (a trailing `-0` added by CoreDNS ≥ 1.12.3 is accepted too).
pub fn dashed_ip(label: &str) -> Option<IpAddr> {
    dashed_ip_any(label).filter(|ip| match ip {
        // No pod has an unspecified address, and an IPv4-mapped or
        // -compatible IPv6 label would smuggle an IPv4 address (loopback
        // included) into the other family.
        IpAddr::V4(v4) => !v4.is_unspecified(),
        IpAddr::V6(v6) => {
            let ipv4_compatible = v6.segments()[..6].iter().all(|&s| s == 0);
            v6.is_loopback() || (!ipv4_compatible && v6.to_ipv4_mapped().is_none())
        }
    })
}

fn dashed_ip_any(label: &str) -> Option<IpAddr> {
    // Only hex digits, dashes (and dots or colons, as before) can spell
    // an address: a hostname such as `web-0` is turned away at once, IPv4 is
    // read in place and IPv6 rewritten on the stack. Through `replace` and
    // `parse` this took about 1,800 instructions a label, 1.8 M of a
    // 1000-pod resolve (callgrind).
    if label.is_empty()
        || label.len() > 63
        || !label.contains('-')
        || !label
            .bytes()
            .all(|b| b.is_ascii_hexdigit() || matches!(b, b'-' | b'.' | b':'))
    {
        return None;
    }
    if let Some(v4) = dashed_v4(label) {
        return Some(IpAddr::V4(v4));
    }
    let mut buf = [0u8; 63];
    let colon = respell(&mut buf, label, b':');
    if let Ok(ip) = colon.parse::<std::net::Ipv6Addr>() {
        return Some(IpAddr::V6(ip));
    }
    // `2001-db8-…--0`: the `0` was appended to a name that ended in `-`.
    colon
        .strip_suffix('0')
        .and_then(|c| c.parse::<std::net::Ipv6Addr>().ok())
        .map(IpAddr::V6)
}

/// `a-b-c-d` as `Ipv4Addr::from_str` reads `a.b.c.d`: four decimal octets
/// of at most 255, no leading zeros.
fn dashed_v4(label: &str) -> Option<std::net::Ipv4Addr> {
    let bytes = label.as_bytes();
    let mut octets = [0u8; 4];
    let mut parts = 0;
    let mut start = 0;
    // One pass: each `-` (and the end) closes an octet.
    for i in 0..=bytes.len() {
        if i < bytes.len() && bytes[i] != b'-' {
            continue;
        }
        let part = &bytes[start..i];
        start = i + 1;
        if parts == 4 || part.is_empty() || part.len() > 3 || (part.len() > 1 && part[0] == b'0') {
            return None;
        }
        let mut v = 0u16;
        for &d in part {
            if !d.is_ascii_digit() {
                return None;
            }
            v = v * 10 + u16::from(d - b'0');
        }
        octets[parts] = u8::try_from(v).ok()?;
        parts += 1;
    }
    (parts == 4).then(|| octets.into())
}

/// `label` (ASCII, at most 63 bytes) with every `-` replaced by `sep`.
fn respell<'a>(buf: &'a mut [u8; 63], label: &str, sep: u8) -> &'a str {
    for (d, s) in buf.iter_mut().zip(label.bytes()) {
        *d = if s == b'-' { sep } else { s };
    }
    std::str::from_utf8(&buf[..label.len()]).expect("ASCII")
}

#[cfg(test)]
mod dashed_ip_tests {
    use super::*;
    use proptest::prelude::*;

    /// The allocating version `dashed_ip` replaced.
    fn reference(label: &str) -> Option<IpAddr> {
        if label.is_empty() || !label.contains('-') {
            return None;
        }
        if label.matches('-').count() == 3 && !label.contains("--") {
            if let Ok(ip) = label.replace('-', ".").parse::<std::net::Ipv4Addr>() {
                return Some(IpAddr::V4(ip));
            }
        }
        let colon = label.replace('-', ":");
        if let Ok(ip) = colon.parse::<std::net::Ipv6Addr>() {
            return Some(IpAddr::V6(ip));
        }
        colon
            .strip_suffix('0')
            .and_then(|c| c.parse::<std::net::Ipv6Addr>().ok())
            .map(IpAddr::V6)
    }

    proptest! {
        #[test]
        fn same_as_the_allocating_version(label in "[0-9a-fA-F.:x-]{0,63}") {
            prop_assert_eq!(dashed_ip_any(&label), reference(&label));
        }

        #[test]
        fn dashed_addresses_round_trip(v4 in any::<std::net::Ipv4Addr>(), v6 in any::<std::net::Ipv6Addr>()) {
            let l4 = v4.to_string().replace('.', "-");
            prop_assert_eq!(dashed_ip_any(&l4), Some(IpAddr::V4(v4)));
            let l6 = v6.to_string().replace(':', "-");
            prop_assert_eq!(dashed_ip_any(&l6), reference(&l6));
        }
    }
}
