//! From the API's wire types (`k8s-openapi`) to [`crate::model`]. Pure.

use k8s_openapi::api::core::v1::{Endpoints, ObjectReference, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::model::{Conditions, ServiceInfo, ServicePort, Slice, SliceEndpoint, SlicePort};

/// The annotation v1 Endpoints carries when it dropped addresses past 1000.
pub const OVER_CAPACITY: &str = "endpoints.kubernetes.io/over-capacity";

fn protocol(p: Option<&String>) -> String {
    p.cloned().unwrap_or_else(|| "TCP".to_string())
}

/// The Service as hsvc needs it.
pub fn service(svc: &Service) -> ServiceInfo {
    let spec = svc.spec.clone().unwrap_or_default();
    let cluster_ips = match (&spec.cluster_ips, &spec.cluster_ip) {
        (Some(ips), _) if !ips.is_empty() => ips.clone(),
        (_, Some(ip)) => vec![ip.clone()],
        _ => vec![String::new()],
    };
    let headless = cluster_ips.first().map(String::as_str) == Some("None");
    ServiceInfo {
        namespace: svc.metadata.namespace.clone().unwrap_or_default(),
        name: svc.metadata.name.clone().unwrap_or_default(),
        service_type: spec.type_.clone().unwrap_or_else(|| "ClusterIP".into()),
        cluster_ips,
        headless,
        publish_not_ready_addresses: spec.publish_not_ready_addresses.unwrap_or(false),
        ports: spec
            .ports
            .iter()
            .flatten()
            .map(|p| ServicePort {
                name: p.name.clone().filter(|n| !n.is_empty()),
                port: p.port,
                target_port: p.target_port.as_ref().map(|t| match t {
                    IntOrString::Int(i) => i.to_string(),
                    IntOrString::String(s) => s.clone(),
                }),
                protocol: protocol(p.protocol.as_ref()),
            })
            .collect(),
        selector: spec.selector.clone().unwrap_or_default(),
        external_name: spec.external_name.clone(),
    }
}

fn target(r: Option<&ObjectReference>) -> (Option<String>, Option<String>) {
    match r {
        None => (None, None),
        Some(r) => (
            r.name.clone(),
            r.kind.clone().filter(|k| k != "Pod" && !k.is_empty()),
        ),
    }
}

/// One EndpointSlice.
pub fn slice(s: &EndpointSlice) -> Slice {
    Slice {
        name: s.metadata.name.clone().unwrap_or_default(),
        address_type: s.address_type.clone(),
        ports: s
            .ports
            .iter()
            .flatten()
            .map(|p| SlicePort {
                name: p.name.clone().filter(|n| !n.is_empty()),
                port: p.port,
                protocol: protocol(p.protocol.as_ref()),
                app_protocol: p.app_protocol.clone(),
            })
            .collect(),
        endpoints: s
            .endpoints
            .iter()
            .map(|e| {
                let c = e.conditions.clone().unwrap_or_default();
                let (pod, target_kind) = target(e.target_ref.as_ref());
                SliceEndpoint {
                    addresses: e.addresses.clone(),
                    conditions: Conditions {
                        ready: c.ready,
                        serving: c.serving,
                        terminating: c.terminating,
                    },
                    hostname: e.hostname.clone().filter(|h| !h.is_empty()),
                    pod,
                    target_kind,
                    node: e.node_name.clone(),
                    zone: e.zone.clone(),
                }
            })
            .collect(),
    }
}

/// A v1 Endpoints object as pseudo-slices, one per subset (what the
/// EndpointSliceMirroring controller would write): `addresses` are
/// `ready: true`, `notReadyAddresses` `ready: false`; v1 Endpoints has no
/// `serving`, `terminating` or zone. Also says whether it was truncated.
pub fn endpoints(e: &Endpoints) -> (Vec<Slice>, bool) {
    let name = e.metadata.name.clone().unwrap_or_default();
    let truncated = e
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(OVER_CAPACITY))
        .is_some_and(|v| v == "truncated");
    let mut out = Vec::new();
    for (i, sub) in e.subsets.iter().flatten().enumerate() {
        let ports: Vec<SlicePort> = sub
            .ports
            .iter()
            .flatten()
            .map(|p| SlicePort {
                name: p.name.clone().filter(|n| !n.is_empty()),
                port: Some(p.port),
                protocol: protocol(p.protocol.as_ref()),
                app_protocol: p.app_protocol.clone(),
            })
            .collect();
        let mut eps = Vec::new();
        for (list, ready) in [(&sub.addresses, true), (&sub.not_ready_addresses, false)] {
            for a in list.iter().flatten() {
                let (pod, target_kind) = target(a.target_ref.as_ref());
                eps.push(SliceEndpoint {
                    addresses: vec![a.ip.clone()],
                    conditions: Conditions {
                        ready: Some(ready),
                        serving: None,
                        terminating: None,
                    },
                    hostname: a.hostname.clone().filter(|h| !h.is_empty()),
                    pod,
                    target_kind,
                    node: a.node_name.clone(),
                    zone: None,
                });
            }
        }
        let family = if eps.first().is_some_and(|e| e.addresses[0].contains(':')) {
            "IPv6"
        } else {
            "IPv4"
        };
        out.push(Slice {
            name: format!("{name}#{i}"),
            address_type: family.to_string(),
            ports,
            endpoints: eps,
        });
    }
    (out, truncated)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_from_json() {
        let svc: Service = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "web-headless", "namespace": "awx"},
            "spec": {
                "clusterIP": "None", "clusterIPs": ["None"],
                "publishNotReadyAddresses": true,
                "selector": {"app": "web"},
                "ports": [{"name": "http", "port": 80, "targetPort": "web"}, {"port": 9090, "protocol": "UDP"}]
            }
        }))
        .unwrap();
        let s = service(&svc);
        assert!(s.headless);
        assert!(s.publish_not_ready_addresses);
        assert_eq!(s.service_type, "ClusterIP");
        assert_eq!(s.selector["app"], "web");
        assert_eq!(s.ports[0].target_port.as_deref(), Some("web"));
        assert_eq!(s.ports[0].protocol, "TCP");
        assert_eq!(s.ports[1].protocol, "UDP");
        assert_eq!(s.ports[1].name, None);

        // Only clusterIP (older servers): still decided by the first IP.
        let svc: Service = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "kube-dns", "namespace": "kube-system"},
            "spec": {"clusterIP": "10.96.0.10"}
        }))
        .unwrap();
        let s = service(&svc);
        assert!(!s.headless);
        assert_eq!(s.cluster_ips, ["10.96.0.10"]);
    }

    #[test]
    fn slice_from_json() {
        let s: EndpointSlice = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "web-abc", "namespace": "awx",
                         "labels": {"kubernetes.io/service-name": "web"}},
            "addressType": "IPv4",
            "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}],
            "endpoints": [
                {"addresses": ["10.0.0.1"], "conditions": {"ready": true, "serving": true, "terminating": false},
                 "hostname": "web-0", "nodeName": "n1", "zone": "z1",
                 "targetRef": {"kind": "Pod", "name": "web-0", "namespace": "awx"}},
                {"addresses": ["10.0.0.2"]}
            ]
        }))
        .unwrap();
        let v = slice(&s);
        assert_eq!(v.ports[0].port, Some(8080));
        let e = &v.endpoints[0];
        assert_eq!(e.conditions, Conditions::for_pod(true, false, false));
        assert_eq!(e.pod.as_deref(), Some("web-0"));
        assert_eq!(e.target_kind, None);
        assert_eq!(e.node.as_deref(), Some("n1"));
        assert_eq!(e.zone.as_deref(), Some("z1"));
        assert_eq!(v.endpoints[1].conditions, Conditions::default());
    }

    #[test]
    fn endpoints_from_json() {
        let e: Endpoints = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "web", "namespace": "awx",
                         "annotations": {"endpoints.kubernetes.io/over-capacity": "truncated"}},
            "subsets": [{
                "addresses": [{"ip": "10.0.0.1", "hostname": "web-0", "targetRef": {"kind": "Pod", "name": "web-0"}}],
                "notReadyAddresses": [{"ip": "10.0.0.2"}],
                "ports": [{"name": "http", "port": 80}]
            }]
        }))
        .unwrap();
        let (slices, truncated) = endpoints(&e);
        assert!(truncated);
        assert_eq!(slices.len(), 1);
        assert_eq!(slices[0].endpoints[0].conditions.ready, Some(true));
        assert_eq!(slices[0].endpoints[1].conditions.ready, Some(false));
        assert_eq!(slices[0].endpoints[0].hostname.as_deref(), Some("web-0"));
        assert_eq!(slices[0].ports[0].port, Some(80));
    }
}
