//! What CoreDNS's kubernetes plugin should answer for a Service, from the
//! API objects alone. Pure.
//!
//! Follows coredns/coredns v1.14.7 `plugin/kubernetes`:
//! - `object/endpoint.go` `endpointsliceReady`: an endpoint is published
//!   iff `conditions.ready` is nil or true; serving and terminating are
//!   ignored. A slice without ports gets the sentinel port -1 (addresses,
//!   no SRV).
//! - `kubernetes.go` `endpointHostname`: the record name is the endpoint's
//!   hostname, else the stored address with `.`/`:` turned into `-` (an
//!   IPv6 name ending in `-` gets a `0`).
//! - `kubernetes.go` `findServices`: every slice labelled with the Service
//!   name is joined; a headless Service with nothing published is NXDOMAIN;
//!   a Service with a ClusterIP answers its ClusterIPs, one SRV per
//!   Service port with the Service name as target.
//! - `backend_lookup.go`: A/AAAA deduplicated by IP, SRV by (target, port).

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde::Serialize;

use crate::model::{parse_address, Conditions, ServiceView, SlicePort};

/// What kind of Service the prediction is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceKind {
    /// `clusterIP: None`: DNS answers the pods.
    Headless,
    /// A ClusterIP (or NodePort/LoadBalancer) Service: DNS answers the
    /// virtual IP, not the pods.
    ClusterIp,
    /// An ExternalName Service: DNS answers a CNAME.
    ExternalName,
    /// No Service object: DNS answers NXDOMAIN whatever slices exist.
    Missing,
}

/// The answer CoreDNS should give at `<svc>.<ns>.svc.<zone>`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "rcode", rename_all = "lowercase")]
pub enum Answer {
    /// NOERROR with the predicted addresses.
    Noerror,
    /// NXDOMAIN: no Service, or a headless one with nothing published.
    Nxdomain,
    /// A CNAME to the ExternalName.
    Cname {
        /// The target.
        target: String,
    },
}

/// Why an address is in the answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PublishReason {
    /// `ready: true` and the pod is serving and not terminating.
    Ready,
    /// `ready` unset: CoreDNS reads nil as ready.
    ReadyUnknown,
    /// `ready: true` only because of `publishNotReadyAddresses`: the pod is
    /// not serving.
    PublishNotReady,
    /// `ready: true` only because of `publishNotReadyAddresses`: the pod is
    /// terminating.
    PublishTerminating,
    /// `ready: true` although not serving or terminating, without
    /// `publishNotReadyAddresses` (a hand-made slice or a mirrored Endpoints).
    ReadyByWriter,
    /// The Service's ClusterIP (not headless).
    ClusterIp,
}

/// Why an address of the API is not in the answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AbsentReason {
    /// `ready: false`, the pod is not serving.
    NotReady,
    /// `ready: false`, the pod is terminating.
    Terminating,
    /// `ready: false` with nothing else said.
    ReadyFalse,
    /// A pod of a Service that has a ClusterIP: DNS answers the ClusterIP.
    NotHeadless,
    /// The Service object does not exist: slices alone answer nothing.
    NoService,
}

/// A port of a predicted SRV record.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct PredictedPort {
    /// The port number.
    pub port: u16,
    /// The port name (`_<name>._<proto>`), if named.
    pub name: Option<String>,
    /// Lower-case protocol: `tcp`, `udp`, `sctp`.
    pub protocol: String,
}

/// An address CoreDNS should answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PredictedAddress {
    /// The address.
    pub ip: IpAddr,
    /// `ipv4` or `ipv6`.
    pub family: &'static str,
    /// The record name(s) (first label of the SRV target and PTR): the
    /// hostname, else the dashed IP; more than one when slices disagree.
    pub names: Vec<String>,
    /// SRV ports for this address (none when the slices have no ports).
    pub ports: Vec<PredictedPort>,
    /// Why it is published.
    pub reason: PublishReason,
    /// The pod, if the slice names one.
    pub pod: Option<String>,
    /// Set when the endpoint has no hostname while other endpoints of the
    /// Service do: the pod's `spec.subdomain` likely differs from the
    /// Service name (kubernetes#124207).
    pub hostname_missing: bool,
}

/// An address of the API that CoreDNS should not answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AbsentAddress {
    /// The address.
    pub ip: IpAddr,
    /// `ipv4` or `ipv6`.
    pub family: &'static str,
    /// Why it is absent.
    pub reason: AbsentReason,
    /// The pod, if the slice names one.
    pub pod: Option<String>,
    /// The record name it would have.
    pub name: String,
}

/// What CoreDNS should answer for one Service.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Prediction {
    /// Namespace.
    pub namespace: String,
    /// Service name.
    pub name: String,
    /// The kind of Service.
    pub kind: ServiceKind,
    /// The answer at the Service name.
    pub answer: Answer,
    /// Addresses in the answer, sorted by IP, one per IP.
    pub addresses: Vec<PredictedAddress>,
    /// Addresses of the API that are not in the answer, sorted by IP.
    pub absent: Vec<AbsentAddress>,
    /// Distinct SRV records at the bare name: (target label, port).
    pub srv: Vec<(String, u16)>,
}

impl Prediction {
    /// The predicted address for `ip`.
    pub fn address(&self, ip: &IpAddr) -> Option<&PredictedAddress> {
        self.addresses.iter().find(|a| &a.ip == ip)
    }

    /// The absent entry for `ip`.
    pub fn absent_address(&self, ip: &IpAddr) -> Option<&AbsentAddress> {
        self.absent.iter().find(|a| &a.ip == ip)
    }
}

/// What CoreDNS should answer, as the DNS side's endpoint set (what `pick`
/// and `check` work on): one endpoint per predicted address, its record
/// name as hostname, its SRV ports with the weight CoreDNS serves
/// (`max(1, 100 / records)`). TTLs are unknown here (0).
pub fn endpoint_set(p: &Prediction) -> hsvc_resolve::endpoints::EndpointSet {
    use hsvc_resolve::endpoints::{Endpoint, EndpointSet, PortInfo};
    let weight = (100 / p.srv.len().max(1)).max(1) as u16;
    EndpointSet::from_vec(
        p.addresses
            .iter()
            .map(|a| {
                let mut e = Endpoint::new(a.ip, 0);
                e.hostname = a.names.first().cloned();
                e.ports = a
                    .ports
                    .iter()
                    .map(|port| PortInfo {
                        port: port.port,
                        protocol: Some(port.protocol.clone()),
                        name: port.name.clone(),
                        weight,
                        priority: 0,
                    })
                    .collect();
                e.ports
                    .sort_by(|x, y| (x.port, &x.protocol).cmp(&(y.port, &y.protocol)));
                e
            })
            .collect(),
    )
}

/// CoreDNS's record name for an endpoint address (`endpointHostname`, with
/// `endpoint_pod_names` off).
pub fn record_name(hostname: Option<&str>, address: &str) -> String {
    if let Some(h) = hostname.filter(|h| !h.is_empty()) {
        return h.to_string();
    }
    if address.contains('.') {
        return address.replace('.', "-");
    }
    if address.contains(':') {
        let mut s = address.replace(':', "-");
        if s.ends_with('-') {
            s.push('0');
        }
        return s;
    }
    String::new()
}

fn family(ip: &IpAddr) -> &'static str {
    if ip.is_ipv4() {
        "ipv4"
    } else {
        "ipv6"
    }
}

fn predicted_ports(ports: &[SlicePort]) -> Vec<PredictedPort> {
    // A slice without ports is CoreDNS's sentinel -1, and so is a port with
    // no number: neither gives an SRV record.
    ports
        .iter()
        .filter_map(|p| {
            let port = u16::try_from(p.port?).ok()?;
            Some(PredictedPort {
                port,
                name: p.name.clone().filter(|n| !n.is_empty()),
                protocol: p.protocol.to_ascii_lowercase(),
            })
        })
        .collect()
}

fn publish_reason(c: &Conditions, publish_not_ready: bool) -> PublishReason {
    match c.ready {
        None => PublishReason::ReadyUnknown,
        Some(_) if c.terminating == Some(true) => {
            if publish_not_ready {
                PublishReason::PublishTerminating
            } else {
                PublishReason::ReadyByWriter
            }
        }
        Some(_) if c.serving == Some(false) => {
            if publish_not_ready {
                PublishReason::PublishNotReady
            } else {
                PublishReason::ReadyByWriter
            }
        }
        Some(_) => PublishReason::Ready,
    }
}

fn absent_reason(c: &Conditions) -> AbsentReason {
    if c.terminating == Some(true) {
        AbsentReason::Terminating
    } else if c.serving == Some(false) {
        AbsentReason::NotReady
    } else if c.serving.is_none() && c.terminating.is_none() {
        // v1 Endpoints' notReadyAddresses (and mirrored slices) say only
        // ready=false: that is a pod that is not ready.
        AbsentReason::NotReady
    } else {
        AbsentReason::ReadyFalse
    }
}

/// Predicts CoreDNS's answer at the Service name from the API view.
pub fn predict(view: &ServiceView) -> Prediction {
    let mut p = Prediction {
        namespace: view.namespace.clone(),
        name: view.name.clone(),
        kind: ServiceKind::Missing,
        answer: Answer::Nxdomain,
        addresses: Vec::new(),
        absent: Vec::new(),
        srv: Vec::new(),
    };
    let Some(svc) = &view.service else {
        for e in &view.endpoints {
            p.absent.push(AbsentAddress {
                ip: e.ip,
                family: e.family,
                reason: AbsentReason::NoService,
                pod: e.pod.clone(),
                name: record_name(e.hostname.as_deref(), &e.ip.to_string()),
            });
        }
        return p;
    };
    if svc.is_external_name() {
        p.kind = ServiceKind::ExternalName;
        p.answer = Answer::Cname {
            target: svc.external_name.clone().unwrap_or_default(),
        };
        return p;
    }
    if !svc.headless {
        p.kind = ServiceKind::ClusterIp;
        // `findServices`: one entry per (Service port, ClusterIP); a
        // Service without ports gets the sentinel -1 (address, no SRV).
        let ports: Vec<PredictedPort> = svc
            .ports
            .iter()
            .filter_map(|sp| {
                Some(PredictedPort {
                    port: u16::try_from(sp.port).ok()?,
                    name: sp.name.clone().filter(|n| !n.is_empty()),
                    protocol: sp.protocol.to_ascii_lowercase(),
                })
            })
            .collect();
        for ip in svc.cluster_ips.iter().filter_map(|s| parse_address(s)) {
            if p.addresses.iter().any(|a| a.ip == ip) {
                continue;
            }
            p.addresses.push(PredictedAddress {
                ip,
                family: family(&ip),
                names: vec![svc.name.clone()],
                ports: ports.clone(),
                reason: PublishReason::ClusterIp,
                pod: None,
                hostname_missing: false,
            });
        }
        for port in &ports {
            let k = (svc.name.clone(), port.port);
            if !p.srv.contains(&k) {
                p.srv.push(k);
            }
        }
        if !p.addresses.is_empty() {
            p.answer = Answer::Noerror;
        }
        for e in &view.endpoints {
            p.absent.push(AbsentAddress {
                ip: e.ip,
                family: e.family,
                reason: AbsentReason::NotHeadless,
                pod: e.pod.clone(),
                name: record_name(e.hostname.as_deref(), &e.ip.to_string()),
            });
        }
        p.addresses.sort_by_key(|a| a.ip);
        p.absent.sort_by_key(|a| a.ip);
        return p;
    }

    p.kind = ServiceKind::Headless;
    let any_hostname = view.endpoints.iter().any(|e| e.hostname.is_some());
    let mut published: BTreeMap<IpAddr, PredictedAddress> = BTreeMap::new();
    let mut unpublished: BTreeMap<IpAddr, AbsentAddress> = BTreeMap::new();
    for slice in &view.slices {
        let ports = predicted_ports(&slice.ports);
        for ep in &slice.endpoints {
            for addr in &ep.addresses {
                let Some(ip) = parse_address(addr) else {
                    continue;
                };
                let name = record_name(ep.hostname.as_deref(), addr);
                if !ep.conditions.published() {
                    unpublished.entry(ip).or_insert_with(|| AbsentAddress {
                        ip,
                        family: family(&ip),
                        reason: absent_reason(&ep.conditions),
                        pod: ep.pod.clone(),
                        name,
                    });
                    continue;
                }
                let e = published.entry(ip).or_insert_with(|| PredictedAddress {
                    ip,
                    family: family(&ip),
                    names: Vec::new(),
                    ports: Vec::new(),
                    reason: publish_reason(&ep.conditions, svc.publish_not_ready_addresses),
                    pod: ep.pod.clone(),
                    hostname_missing: false,
                });
                if !e.names.contains(&name) {
                    e.names.push(name.clone());
                }
                if ep.hostname.is_none() && any_hostname {
                    e.hostname_missing = true;
                }
                for port in &ports {
                    if !e.ports.contains(port) {
                        e.ports.push(port.clone());
                    }
                    let k = (name.clone(), port.port);
                    if !p.srv.contains(&k) {
                        p.srv.push(k);
                    }
                }
            }
        }
    }
    // Published in one slice and not in another: CoreDNS answers it.
    unpublished.retain(|ip, _| !published.contains_key(ip));
    p.addresses = published.into_values().collect();
    for a in &mut p.addresses {
        a.ports.sort();
        // A hostname wins over a dashed name in hsvc's join; keep it first.
        a.names
            .sort_by_key(|n| hsvc_resolve::name::dashed_ip(n).is_some());
    }
    p.absent = unpublished.into_values().collect();
    if !p.addresses.is_empty() {
        p.answer = Answer::Noerror;
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Origin, ServiceInfo, ServicePort, Slice, SliceEndpoint};

    fn ep(addr: &str, c: Conditions, host: Option<&str>, pod: Option<&str>) -> SliceEndpoint {
        SliceEndpoint {
            addresses: vec![addr.to_string()],
            conditions: c,
            hostname: host.map(str::to_string),
            pod: pod.map(str::to_string),
            target_kind: None,
            node: None,
            zone: None,
        }
    }

    fn port(name: Option<&str>, n: Option<i32>) -> SlicePort {
        SlicePort {
            name: name.map(str::to_string),
            port: n,
            protocol: "TCP".into(),
            app_protocol: None,
        }
    }

    fn slice(name: &str, ports: Vec<SlicePort>, eps: Vec<SliceEndpoint>) -> Slice {
        Slice {
            name: name.into(),
            address_type: "IPv4".into(),
            ports,
            endpoints: eps,
        }
    }

    fn view(svc: Option<ServiceInfo>, slices: Vec<Slice>) -> ServiceView {
        ServiceView::new("awx", "web", svc, Origin::EndpointSlice, slices, vec![])
    }

    fn headless() -> ServiceInfo {
        ServiceInfo::headless(
            "awx",
            "web",
            vec![ServicePort {
                name: Some("http".into()),
                port: 80,
                target_port: None,
                protocol: "TCP".into(),
            }],
        )
    }

    const READY: Conditions = Conditions::READY;
    const NOT_READY: Conditions = Conditions::NOT_READY;
    const TERMINATING: Conditions = Conditions::TERMINATING;

    #[test]
    fn record_names() {
        let table = [
            (Some("web-0"), "10.244.217.10", "web-0"),
            (None, "10.244.194.69", "10-244-194-69"),
            (None, "fd00:10:244::13", "fd00-10-244--13"),
            (
                None,
                "2001:db8:3333:4444:5555:6666::",
                "2001-db8-3333-4444-5555-6666--0",
            ),
            (Some(""), "10.0.0.1", "10-0-0-1"),
            (None, "::", "--0"),
        ];
        for (h, a, want) in table {
            assert_eq!(record_name(h, a), want, "{h:?} {a}");
        }
    }

    #[test]
    fn published_iff_ready_nil_or_true() {
        // (conditions, publishNotReady, published?, reason)
        let unknown = Conditions::default();
        let ready_nil_rest = Conditions {
            ready: Some(true),
            serving: None,
            terminating: None,
        };
        let pnr_not_ready = Conditions::for_pod(false, false, true);
        let pnr_term = Conditions::for_pod(true, true, true);
        let hand_made = Conditions {
            ready: Some(true),
            serving: Some(false),
            terminating: Some(false),
        };
        let table: Vec<(Conditions, bool, Result<PublishReason, AbsentReason>)> = vec![
            (READY, false, Ok(PublishReason::Ready)),
            (unknown, false, Ok(PublishReason::ReadyUnknown)),
            (ready_nil_rest, false, Ok(PublishReason::Ready)),
            (NOT_READY, false, Err(AbsentReason::NotReady)),
            (TERMINATING, false, Err(AbsentReason::Terminating)),
            (pnr_not_ready, true, Ok(PublishReason::PublishNotReady)),
            (pnr_term, true, Ok(PublishReason::PublishTerminating)),
            (hand_made, false, Ok(PublishReason::ReadyByWriter)),
            (
                Conditions {
                    ready: Some(false),
                    serving: None,
                    terminating: None,
                },
                false,
                Err(AbsentReason::NotReady),
            ),
            (
                Conditions {
                    ready: Some(false),
                    serving: Some(true),
                    terminating: Some(false),
                },
                false,
                Err(AbsentReason::ReadyFalse),
            ),
        ];
        for (c, pnr, want) in table {
            let mut svc = headless();
            svc.publish_not_ready_addresses = pnr;
            let v = view(
                Some(svc),
                vec![slice(
                    "s",
                    vec![port(Some("http"), Some(80))],
                    vec![ep("10.0.0.1", c, None, None)],
                )],
            );
            let p = predict(&v);
            match want {
                Ok(reason) => {
                    assert_eq!(p.answer, Answer::Noerror, "{c:?}");
                    assert_eq!(p.addresses.len(), 1);
                    assert_eq!(p.addresses[0].reason, reason, "{c:?}");
                    assert!(p.absent.is_empty());
                }
                Err(reason) => {
                    assert_eq!(
                        p.answer,
                        Answer::Nxdomain,
                        "nothing published: NXDOMAIN {c:?}"
                    );
                    assert!(p.addresses.is_empty());
                    assert_eq!(p.absent[0].reason, reason, "{c:?}");
                }
            }
        }
    }

    #[test]
    fn statefulset_with_one_not_ready_and_one_terminating() {
        let v = view(
            Some(headless()),
            vec![slice(
                "web-abc",
                vec![port(Some("http"), Some(8080))],
                vec![
                    ep("10.244.217.10", READY, Some("web-0"), Some("web-0")),
                    ep("10.244.194.67", NOT_READY, Some("web-1"), Some("web-1")),
                    ep("10.244.217.11", TERMINATING, Some("web-2"), Some("web-2")),
                ],
            )],
        );
        let p = predict(&v);
        assert_eq!(p.kind, ServiceKind::Headless);
        assert_eq!(p.answer, Answer::Noerror);
        assert_eq!(p.addresses.len(), 1);
        let a = &p.addresses[0];
        assert_eq!(a.names, ["web-0"]);
        assert_eq!(a.pod.as_deref(), Some("web-0"));
        // The slice port (targetPort), not the Service port 80.
        assert_eq!(
            a.ports,
            [PredictedPort {
                port: 8080,
                name: Some("http".into()),
                protocol: "tcp".into()
            }]
        );
        assert_eq!(p.srv, [("web-0".to_string(), 8080)]);
        let absent: Vec<(String, AbsentReason)> = p
            .absent
            .iter()
            .map(|a| (a.name.clone(), a.reason))
            .collect();
        assert_eq!(
            absent,
            [
                ("web-1".to_string(), AbsentReason::NotReady),
                ("web-2".to_string(), AbsentReason::Terminating)
            ]
        );
    }

    #[test]
    fn multi_slice_dual_stack_dedup() {
        let mut v6 = slice(
            "db-v6",
            vec![port(Some("postgres"), Some(5432))],
            vec![ep("fd00:10:244::13", READY, Some("db-0"), Some("db-0"))],
        );
        v6.address_type = "IPv6".into();
        let v = view(
            Some(headless()),
            vec![
                slice(
                    "db-v4-a",
                    vec![port(Some("postgres"), Some(5432))],
                    vec![ep("10.244.217.13", READY, Some("db-0"), Some("db-0"))],
                ),
                // The same address again in a second (mirrored) slice.
                slice(
                    "db-v4-b",
                    vec![port(Some("postgres"), Some(5432))],
                    vec![
                        ep("10.244.217.13", READY, Some("db-0"), Some("db-0")),
                        ep("10.244.194.71", READY, None, None),
                    ],
                ),
                v6,
            ],
        );
        let p = predict(&v);
        let ips: Vec<String> = p.addresses.iter().map(|a| a.ip.to_string()).collect();
        assert_eq!(ips, ["10.244.194.71", "10.244.217.13", "fd00:10:244::13"]);
        assert_eq!(p.addresses[0].names, ["10-244-194-71"]);
        assert!(p.addresses[0].hostname_missing, "others have hostnames");
        assert!(!p.addresses[1].hostname_missing);
        // SRV dedup by (target, port): db-0 once for both families.
        assert_eq!(
            p.srv,
            [
                ("db-0".to_string(), 5432),
                ("10-244-194-71".to_string(), 5432)
            ]
        );
        assert_eq!(p.addresses[1].ports.len(), 1);
    }

    #[test]
    fn ready_in_one_slice_wins_over_not_ready_in_another() {
        let v = view(
            Some(headless()),
            vec![
                slice("a", vec![], vec![ep("10.0.0.1", NOT_READY, None, None)]),
                slice("b", vec![], vec![ep("10.0.0.1", READY, None, None)]),
            ],
        );
        let p = predict(&v);
        assert_eq!(p.addresses.len(), 1);
        assert!(p.absent.is_empty());
    }

    #[test]
    fn no_ports_means_addresses_without_srv() {
        let v = view(
            Some(headless()),
            vec![slice(
                "a",
                vec![],
                vec![
                    ep("10.0.0.1", READY, None, None),
                    ep("10.0.0.2", READY, None, None),
                ],
            )],
        );
        let p = predict(&v);
        assert_eq!(p.answer, Answer::Noerror);
        assert_eq!(p.addresses.len(), 2);
        assert!(p.srv.is_empty());
        assert!(p.addresses.iter().all(|a| a.ports.is_empty()));
        // A port with no number is the same sentinel.
        let v = view(
            Some(headless()),
            vec![slice(
                "a",
                vec![port(None, None)],
                vec![ep("10.0.0.1", READY, None, None)],
            )],
        );
        assert!(predict(&v).srv.is_empty());
    }

    #[test]
    fn unnamed_and_several_ports() {
        let v = view(
            Some(headless()),
            vec![slice(
                "a",
                vec![port(None, Some(80)), port(Some("metrics"), Some(9090))],
                vec![ep("10.0.0.1", READY, None, None)],
            )],
        );
        let p = predict(&v);
        let ports: Vec<(u16, Option<String>)> = p.addresses[0]
            .ports
            .iter()
            .map(|q| (q.port, q.name.clone()))
            .collect();
        assert_eq!(ports, [(80, None), (9090, Some("metrics".into()))]);
        assert_eq!(p.srv.len(), 2);
    }

    #[test]
    fn empty_headless_service_is_nxdomain() {
        let p = predict(&view(Some(headless()), vec![]));
        assert_eq!(p.answer, Answer::Nxdomain);
        assert!(p.addresses.is_empty() && p.absent.is_empty());
    }

    #[test]
    fn missing_service_is_nxdomain_even_with_slices() {
        let v = view(
            None,
            vec![slice("a", vec![], vec![ep("10.0.0.1", READY, None, None)])],
        );
        let p = predict(&v);
        assert_eq!(p.kind, ServiceKind::Missing);
        assert_eq!(p.answer, Answer::Nxdomain);
        assert_eq!(p.absent[0].reason, AbsentReason::NoService);
    }

    #[test]
    fn cluster_ip_service_answers_its_virtual_ips() {
        let mut svc = headless();
        svc.headless = false;
        svc.cluster_ips = vec!["10.96.0.10".into(), "fd00::10".into()];
        svc.ports.push(ServicePort {
            name: Some("http".into()),
            port: 80,
            target_port: Some("8080".into()),
            protocol: "TCP".into(),
        });
        let v = view(
            Some(svc),
            vec![slice(
                "a",
                vec![port(Some("http"), Some(8080))],
                vec![ep("10.0.0.1", READY, None, None)],
            )],
        );
        let p = predict(&v);
        assert_eq!(p.kind, ServiceKind::ClusterIp);
        assert_eq!(p.answer, Answer::Noerror);
        let ips: Vec<String> = p.addresses.iter().map(|a| a.ip.to_string()).collect();
        assert_eq!(ips, ["10.96.0.10", "fd00::10"]);
        assert!(p.addresses.iter().all(|a| a.names == ["web"]));
        assert!(p
            .addresses
            .iter()
            .all(|a| a.reason == PublishReason::ClusterIp));
        // The Service port, deduplicated by (target, port): one SRV.
        assert_eq!(p.srv, [("web".to_string(), 80)]);
        assert_eq!(p.absent[0].reason, AbsentReason::NotHeadless);
    }

    #[test]
    fn external_name_is_a_cname() {
        let mut svc = headless();
        svc.headless = false;
        svc.service_type = "ExternalName".into();
        svc.external_name = Some("db.example.org".into());
        let p = predict(&view(Some(svc), vec![]));
        assert_eq!(p.kind, ServiceKind::ExternalName);
        assert_eq!(
            p.answer,
            Answer::Cname {
                target: "db.example.org".into()
            }
        );
    }
}
