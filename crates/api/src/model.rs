//! The API objects of one Service as hsvc needs them: the Service, the
//! EndpointSlices (or v1 Endpoints) carrying its name, and the merged
//! per-address view a user reads. Plain data, independent of the wire types
//! (see [`crate::convert`]), so that the prediction and the tests need no
//! API server.

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde::Serialize;

/// The label that ties an EndpointSlice to its Service. CoreDNS indexes
/// slices by it alone (`object/endpoint.go`), with no managed-by filter.
pub const SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";

/// A Service port (`spec.ports[]`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ServicePort {
    /// Port name; `None` for an unnamed port.
    pub name: Option<String>,
    /// The Service port (what a ClusterIP Service's SRV records carry).
    pub port: i32,
    /// `targetPort` as written (a number or a container port name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_port: Option<String>,
    /// `TCP`, `UDP` or `SCTP` (the API's spelling; `TCP` when unset).
    pub protocol: String,
}

/// What hsvc needs of a Service object.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ServiceInfo {
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// `spec.type` (`ClusterIP` when unset).
    #[serde(rename = "type")]
    pub service_type: String,
    /// `spec.clusterIPs` (else `[spec.clusterIP]`); `["None"]` when headless.
    pub cluster_ips: Vec<String>,
    /// `spec.clusterIPs[0] == "None"`, as CoreDNS decides (`object/service.go`).
    pub headless: bool,
    /// `spec.publishNotReadyAddresses`.
    pub publish_not_ready_addresses: bool,
    /// `spec.ports`.
    pub ports: Vec<ServicePort>,
    /// `spec.selector`; empty for a Service without selector.
    pub selector: BTreeMap<String, String>,
    /// `spec.externalName` of an ExternalName Service.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_name: Option<String>,
}

impl ServiceInfo {
    /// A headless Service with the given ports (test and demo helper).
    pub fn headless(namespace: &str, name: &str, ports: Vec<ServicePort>) -> Self {
        ServiceInfo {
            namespace: namespace.to_string(),
            name: name.to_string(),
            service_type: "ClusterIP".to_string(),
            cluster_ips: vec!["None".to_string()],
            headless: true,
            publish_not_ready_addresses: false,
            ports,
            selector: BTreeMap::new(),
            external_name: None,
        }
    }

    /// Whether this is an ExternalName Service (a CNAME in DNS).
    pub fn is_external_name(&self) -> bool {
        self.service_type == "ExternalName"
    }
}

/// `conditions` of an endpoint. `None` is "unknown", which consumers (and
/// CoreDNS for `ready`) read as true.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Conditions {
    /// `ready`: what CoreDNS publishes by (nil or true).
    pub ready: Option<bool>,
    /// `serving`: the pod's Ready condition, also while terminating.
    pub serving: Option<bool>,
    /// `terminating`: the pod has a deletionTimestamp.
    pub terminating: Option<bool>,
}

impl Conditions {
    /// What the controller writes for a ready, running pod.
    pub const READY: Conditions = Conditions::for_pod(true, false, false);
    /// A running pod that is not ready.
    pub const NOT_READY: Conditions = Conditions::for_pod(false, false, false);
    /// A ready pod being deleted: serving, terminating, not ready.
    pub const TERMINATING: Conditions = Conditions::for_pod(true, true, false);

    /// Conditions as the EndpointSlice controller writes them for a pod
    /// (`podToEndpoint`): `ready = publishNotReadyAddresses || (serving &&
    /// !terminating)`.
    pub const fn for_pod(pod_ready: bool, terminating: bool, publish_not_ready: bool) -> Self {
        Conditions {
            ready: Some(publish_not_ready || (pod_ready && !terminating)),
            serving: Some(pod_ready),
            terminating: Some(terminating),
        }
    }

    /// CoreDNS's rule (`endpointsliceReady`): published iff `ready` is nil
    /// or true; serving and terminating are ignored.
    pub fn published(&self) -> bool {
        self.ready.unwrap_or(true)
    }
}

/// A port of an EndpointSlice (or an Endpoints subset).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct SlicePort {
    /// The port name (the `_<name>` of `_<name>._<proto>` SRV names).
    pub name: Option<String>,
    /// The port number (the resolved targetPort); `None` when the slice
    /// leaves it unset, which CoreDNS turns into port -1 (no SRV).
    pub port: Option<i32>,
    /// `TCP`, `UDP`, `SCTP` as the API spells it (`TCP` when unset).
    pub protocol: String,
    /// `appProtocol`, when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_protocol: Option<String>,
}

/// One endpoint of a slice, as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SliceEndpoint {
    /// The addresses as the API stores them (CoreDNS dashes this very
    /// string for the record name).
    pub addresses: Vec<String>,
    /// The conditions.
    pub conditions: Conditions,
    /// `hostname` (set by the controller when the pod's `spec.subdomain`
    /// equals the Service name).
    pub hostname: Option<String>,
    /// `targetRef.name` (the pod).
    pub pod: Option<String>,
    /// `targetRef.kind` when not `Pod`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_kind: Option<String>,
    /// `nodeName`.
    pub node: Option<String>,
    /// `zone`.
    pub zone: Option<String>,
}

/// Where endpoints were read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// `discovery.k8s.io/v1` EndpointSlices (what CoreDNS ≥ 1.11 reads).
    EndpointSlice,
    /// `v1` Endpoints: the fallback for clusters without EndpointSlices.
    Endpoints,
}

/// One EndpointSlice, or the one pseudo-slice per subset of a v1 Endpoints.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Slice {
    /// The object's name (`<endpoints name>#<subset>` for v1 Endpoints).
    pub name: String,
    /// `IPv4`, `IPv6` or `FQDN`.
    pub address_type: String,
    /// The slice's ports; empty when the Service has none (CoreDNS uses a
    /// sentinel port -1 then: A/AAAA but no SRV).
    pub ports: Vec<SlicePort>,
    /// The endpoints, in order.
    pub endpoints: Vec<SliceEndpoint>,
}

/// One address of the Service, merged across every slice that lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ApiEndpoint {
    /// The address.
    pub ip: IpAddr,
    /// `ipv4` or `ipv6`.
    pub family: &'static str,
    /// Merged conditions: true if any slice says true, else unknown if any
    /// slice leaves it unset, else false (`terminating`: true if any says so).
    pub conditions: Conditions,
    /// Whether CoreDNS publishes this address (ready nil or true in at
    /// least one slice).
    pub published: bool,
    /// The slice's hostname, if any slice sets one.
    pub hostname: Option<String>,
    /// The pod (`targetRef.name`).
    pub pod: Option<String>,
    /// The node.
    pub node: Option<String>,
    /// The zone.
    pub zone: Option<String>,
    /// Ports of every slice listing this address, sorted, deduplicated.
    pub ports: Vec<SlicePort>,
    /// The slices this address appears in (more than one: a duplicate).
    pub slices: Vec<String>,
}

/// A warning about how the view was obtained.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ViewWarning {
    /// The cluster does not serve `discovery.k8s.io/v1`: endpoints were
    /// read from v1 Endpoints instead (deprecated from Kubernetes 1.33),
    /// which drop terminating pods and know no `serving`/`terminating`.
    EndpointsFallback {
        /// A sentence to show.
        message: String,
    },
    /// v1 Endpoints is truncated at 1000 addresses
    /// (`endpoints.kubernetes.io/over-capacity: truncated`).
    EndpointsTruncated {
        /// A sentence to show.
        message: String,
    },
    /// An address that is not an IP (an `FQDN` slice, or garbage) was left out.
    NotAnAddress {
        /// The slice.
        slice: String,
        /// The address as stored (escaped for display).
        address: String,
    },
    /// The same address has different hostnames in different slices.
    ConflictingHostnames {
        /// The address.
        ip: IpAddr,
        /// The hostnames seen.
        hostnames: Vec<String>,
    },
}

impl ViewWarning {
    /// One line for a terminal or a JSON `message` field.
    pub fn message(&self) -> String {
        match self {
            ViewWarning::EndpointsFallback { message }
            | ViewWarning::EndpointsTruncated { message } => message.clone(),
            ViewWarning::NotAnAddress { slice, address } => format!(
                "slice {}: {address:?} is not an IP address; left out",
                hsvc_resolve::escape::term(slice)
            ),
            ViewWarning::ConflictingHostnames { ip, hostnames } => format!(
                "{ip} has different hostnames in different slices: {}",
                hsvc_resolve::escape::term(&hostnames.join(", "))
            ),
        }
    }
}

/// The API's view of one Service: the object and its endpoints.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ServiceView {
    /// Namespace asked for.
    pub namespace: String,
    /// Service name asked for.
    pub name: String,
    /// The Service; `None` when it does not exist (slices may still).
    pub service: Option<ServiceInfo>,
    /// Where the endpoints came from.
    pub origin: Origin,
    /// The slices carrying the Service's name, sorted by name.
    pub slices: Vec<Slice>,
    /// One entry per address, sorted by IP.
    pub endpoints: Vec<ApiEndpoint>,
    /// How the view was obtained, when not plainly.
    pub warnings: Vec<ViewWarning>,
}

impl ServiceView {
    /// Builds the view, merging the slices' endpoints by address.
    pub fn new(
        namespace: &str,
        name: &str,
        service: Option<ServiceInfo>,
        origin: Origin,
        mut slices: Vec<Slice>,
        mut warnings: Vec<ViewWarning>,
    ) -> Self {
        slices.sort_by(|a, b| a.name.cmp(&b.name));
        let endpoints = merge(&slices, &mut warnings);
        ServiceView {
            namespace: namespace.to_string(),
            name: name.to_string(),
            service,
            origin,
            slices,
            endpoints,
            warnings,
        }
    }

    /// Endpoints CoreDNS publishes.
    pub fn ready_count(&self) -> usize {
        self.endpoints.iter().filter(|e| e.published).count()
    }
}

/// Parses an address as stored in a slice. IPv6 is accepted in any
/// spelling; the record name still dashes the stored string.
pub fn parse_address(s: &str) -> Option<IpAddr> {
    s.parse().ok()
}

fn family(ip: &IpAddr) -> &'static str {
    if ip.is_ipv4() {
        "ipv4"
    } else {
        "ipv6"
    }
}

fn or_bool(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (None, _) | (_, None) => None,
        _ => Some(false),
    }
}

fn merge(slices: &[Slice], warnings: &mut Vec<ViewWarning>) -> Vec<ApiEndpoint> {
    let mut by_ip: BTreeMap<IpAddr, ApiEndpoint> = BTreeMap::new();
    let mut hostnames: BTreeMap<IpAddr, Vec<String>> = BTreeMap::new();
    for slice in slices {
        for ep in &slice.endpoints {
            for addr in &ep.addresses {
                let Some(ip) = parse_address(addr) else {
                    warnings.push(ViewWarning::NotAnAddress {
                        slice: slice.name.clone(),
                        address: hsvc_resolve::escape::term(addr).into_owned(),
                    });
                    continue;
                };
                if let Some(h) = &ep.hostname {
                    let hs = hostnames.entry(ip).or_default();
                    if !hs.contains(h) {
                        hs.push(h.clone());
                    }
                }
                match by_ip.get_mut(&ip) {
                    None => {
                        by_ip.insert(
                            ip,
                            ApiEndpoint {
                                ip,
                                family: family(&ip),
                                conditions: ep.conditions,
                                published: ep.conditions.published(),
                                hostname: ep.hostname.clone(),
                                pod: ep.pod.clone(),
                                node: ep.node.clone(),
                                zone: ep.zone.clone(),
                                ports: slice.ports.clone(),
                                slices: vec![slice.name.clone()],
                            },
                        );
                    }
                    Some(e) => {
                        let c = &mut e.conditions;
                        c.ready = or_bool(c.ready, ep.conditions.ready);
                        c.serving = or_bool(c.serving, ep.conditions.serving);
                        c.terminating = or_bool(c.terminating, ep.conditions.terminating);
                        e.published |= ep.conditions.published();
                        e.hostname = e.hostname.take().or_else(|| ep.hostname.clone());
                        e.pod = e.pod.take().or_else(|| ep.pod.clone());
                        e.node = e.node.take().or_else(|| ep.node.clone());
                        e.zone = e.zone.take().or_else(|| ep.zone.clone());
                        e.ports.extend(slice.ports.iter().cloned());
                        if !e.slices.contains(&slice.name) {
                            e.slices.push(slice.name.clone());
                        }
                    }
                }
            }
        }
    }
    for (ip, hs) in hostnames {
        if hs.len() > 1 {
            warnings.push(ViewWarning::ConflictingHostnames { ip, hostnames: hs });
        }
    }
    let mut out: Vec<ApiEndpoint> = by_ip.into_values().collect();
    for e in &mut out {
        e.ports.sort();
        e.ports.dedup();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn ep(addr: &str, c: Conditions, host: Option<&str>) -> SliceEndpoint {
        SliceEndpoint {
            addresses: vec![addr.to_string()],
            conditions: c,
            hostname: host.map(str::to_string),
            pod: None,
            target_kind: None,
            node: None,
            zone: None,
        }
    }

    fn tcp(name: &str, port: i32) -> SlicePort {
        SlicePort {
            name: Some(name.to_string()),
            port: Some(port),
            protocol: "TCP".to_string(),
            app_protocol: None,
        }
    }

    #[test]
    fn controller_conditions() {
        // (pod ready, terminating, publishNotReady) -> ready
        let table = [
            (true, false, false, true),
            (false, false, false, false),
            (true, true, false, false),
            (false, true, false, false),
            (false, false, true, true),
            (true, true, true, true),
        ];
        for (ready, term, pnr, want) in table {
            let c = Conditions::for_pod(ready, term, pnr);
            assert_eq!(c.ready, Some(want), "{ready} {term} {pnr}");
            assert_eq!(c.published(), want);
            assert_eq!(c.serving, Some(ready));
            assert_eq!(c.terminating, Some(term));
        }
        assert!(Conditions::default().published(), "nil ready is ready");
    }

    #[test]
    fn duplicates_across_slices_are_merged() {
        let ready = Conditions::for_pod(true, false, false);
        let notready = Conditions::for_pod(false, false, false);
        let slices = vec![
            Slice {
                name: "web-b".into(),
                address_type: "IPv4".into(),
                ports: vec![tcp("http", 80)],
                endpoints: vec![ep("10.0.0.1", notready, None), ep("10.0.0.2", ready, None)],
            },
            Slice {
                name: "web-a".into(),
                address_type: "IPv4".into(),
                ports: vec![tcp("metrics", 9090), tcp("http", 80)],
                endpoints: vec![ep("10.0.0.1", ready, Some("web-0"))],
            },
            Slice {
                name: "web-v6".into(),
                address_type: "IPv6".into(),
                ports: vec![tcp("http", 80)],
                endpoints: vec![
                    ep("fd00::1", ready, Some("web-0")),
                    ep("not-an-ip", ready, None),
                ],
            },
        ];
        let v = ServiceView::new("ns", "web", None, Origin::EndpointSlice, slices, vec![]);
        assert_eq!(v.slices[0].name, "web-a", "slices sorted by name");
        let ips: Vec<String> = v.endpoints.iter().map(|e| e.ip.to_string()).collect();
        assert_eq!(ips, ["10.0.0.1", "10.0.0.2", "fd00::1"]);
        let first = &v.endpoints[0];
        assert!(first.published);
        assert_eq!(first.conditions.ready, Some(true));
        assert_eq!(first.hostname.as_deref(), Some("web-0"));
        assert_eq!(first.slices, ["web-a", "web-b"]);
        assert_eq!(first.ports, vec![tcp("http", 80), tcp("metrics", 9090)]);
        assert_eq!(v.endpoints[2].family, "ipv6");
        assert_eq!(v.ready_count(), 3);
        assert!(matches!(
            &v.warnings[..],
            [ViewWarning::NotAnAddress { slice, .. }] if slice == "web-v6"
        ));
    }

    #[test]
    fn merged_conditions() {
        let t = Some(true);
        let f = Some(false);
        let table = [
            (t, f, t),
            (f, f, f),
            (None, f, None),
            (f, None, None),
            (None, t, t),
        ];
        for (a, b, want) in table {
            assert_eq!(or_bool(a, b), want, "{a:?} {b:?}");
        }
    }

    #[test]
    fn conflicting_hostnames_are_reported() {
        let c = Conditions::default();
        let slices = vec![
            Slice {
                name: "a".into(),
                address_type: "IPv4".into(),
                ports: vec![],
                endpoints: vec![ep("10.0.0.1", c, Some("x"))],
            },
            Slice {
                name: "b".into(),
                address_type: "IPv4".into(),
                ports: vec![],
                endpoints: vec![ep("10.0.0.1", c, Some("y"))],
            },
        ];
        let v = ServiceView::new("ns", "s", None, Origin::EndpointSlice, slices, vec![]);
        assert_eq!(v.endpoints.len(), 1);
        assert!(v
            .warnings
            .iter()
            .any(|w| matches!(w, ViewWarning::ConflictingHostnames { hostnames, .. } if hostnames == &["x", "y"])));
    }
}
