//! The API objects of a [`Cluster`]: Namespaces, Services, Pods, v1 Endpoints and
//! EndpointSlices as the API server (and the controllers behind it) would store them,
//! plus the server-side `Table` rendering kubectl asks for.

use std::collections::hash_map::DefaultHasher;
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::net::IpAddr;
use std::sync::Arc;

use serde_json::{json, Map, Value};

use crate::cluster::{Cluster, Endpoint, IpFamily, Pod, PodPhase, Port, Service};

/// The resources the stand-in serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// `v1 Namespace`.
    Namespace,
    /// `v1 Service`.
    Service,
    /// `v1 Pod`.
    Pod,
    /// `v1 Endpoints` (deprecated from 1.33).
    Endpoints,
    /// `discovery.k8s.io/v1 EndpointSlice`.
    EndpointSlice,
}

impl Kind {
    /// Every kind.
    pub const ALL: [Kind; 5] = [
        Kind::Namespace,
        Kind::Service,
        Kind::Pod,
        Kind::Endpoints,
        Kind::EndpointSlice,
    ];

    /// Plural resource name in URLs and RBAC messages.
    pub fn resource(self) -> &'static str {
        match self {
            Kind::Namespace => "namespaces",
            Kind::Service => "services",
            Kind::Pod => "pods",
            Kind::Endpoints => "endpoints",
            Kind::EndpointSlice => "endpointslices",
        }
    }

    /// From the plural resource name.
    pub fn from_resource(group: &str, r: &str) -> Option<Kind> {
        Kind::ALL
            .into_iter()
            .find(|k| k.resource() == r && k.group() == group)
    }

    /// API group (`""` for core).
    pub fn group(self) -> &'static str {
        match self {
            Kind::EndpointSlice => "discovery.k8s.io",
            _ => "",
        }
    }

    /// `apiVersion` of the objects.
    pub fn api_version(self) -> &'static str {
        match self {
            Kind::EndpointSlice => "discovery.k8s.io/v1",
            _ => "v1",
        }
    }

    /// `kind` of the objects.
    pub fn kind(self) -> &'static str {
        match self {
            Kind::Namespace => "Namespace",
            Kind::Service => "Service",
            Kind::Pod => "Pod",
            Kind::Endpoints => "Endpoints",
            Kind::EndpointSlice => "EndpointSlice",
        }
    }

    /// Whether objects live in a namespace.
    pub fn namespaced(self) -> bool {
        self != Kind::Namespace
    }

    /// `resource.group` as RBAC messages spell it (`endpointslices.discovery.k8s.io`).
    pub fn qualified(self) -> String {
        match self.group() {
            "" => self.resource().to_string(),
            g => format!("{}.{g}", self.resource()),
        }
    }

    /// Field labels a `fieldSelector` may use.
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            Kind::Service => &[
                "metadata.name",
                "metadata.namespace",
                "spec.clusterIP",
                "spec.type",
            ],
            Kind::Pod => &[
                "metadata.name",
                "metadata.namespace",
                "spec.nodeName",
                "status.phase",
            ],
            Kind::EndpointSlice => &["metadata.name", "metadata.namespace", "addressType"],
            Kind::Endpoints | Kind::Namespace => &["metadata.name", "metadata.namespace"],
        }
    }
}

/// Key of a stored object; the order is that of an API list (namespace, then name).
pub type Key = (Kind, String, String);

/// One object, without `metadata.resourceVersion` (the store adds it).
#[derive(Debug, Clone, PartialEq)]
pub struct Obj {
    /// Its kind.
    pub kind: Kind,
    /// Namespace (`""` for Namespaces).
    pub namespace: String,
    /// Name.
    pub name: String,
    /// `metadata.labels`.
    pub labels: BTreeMap<String, String>,
    /// Values of the field labels of [`Kind::fields`] beyond name and namespace.
    pub fields: BTreeMap<&'static str, String>,
    /// The whole object as JSON.
    pub body: Value,
}

impl Obj {
    /// Its store key.
    pub fn key(&self) -> Key {
        (self.kind, self.namespace.clone(), self.name.clone())
    }

    /// The value of a field label.
    pub fn field(&self, f: &str) -> String {
        match f {
            "metadata.name" => self.name.clone(),
            "metadata.namespace" => self.namespace.clone(),
            other => self.fields.get(other).cloned().unwrap_or_default(),
        }
    }

    /// The object with `metadata.resourceVersion` = `rv`.
    pub fn with_rv(&self, rv: u64) -> Value {
        let mut v = self.body.clone();
        if let Some(m) = v.get_mut("metadata").and_then(Value::as_object_mut) {
            m.insert("resourceVersion".into(), Value::String(rv.to_string()));
        }
        v
    }
}

/// Options of the object builder.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The controller's `--max-endpoints-per-slice` (default 100).
    pub max_endpoints_per_slice: usize,
    /// v1 Endpoints keeps at most this many addresses (1000) and then says so.
    pub max_endpoints_addresses: usize,
    /// `creationTimestamp` of every object (RFC 3339).
    pub created: String,
}

/// A stable, UUID-shaped id for an object.
pub fn uid(parts: &[&str]) -> String {
    let mut out = String::new();
    for salt in 0u8..2 {
        let mut h = DefaultHasher::new();
        salt.hash(&mut h);
        parts.hash(&mut h);
        out.push_str(&format!("{:016x}", h.finish()));
    }
    format!(
        "{}-{}-{}-{}-{}",
        &out[0..8],
        &out[8..12],
        &out[12..16],
        &out[16..20],
        &out[20..32]
    )
}

/// The 5-character suffix `generateName` would add, made stable from `parts`.
fn suffix(parts: &[&str]) -> String {
    const ALPHA: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut h = DefaultHasher::new();
    parts.hash(&mut h);
    let mut n = h.finish();
    (0..5)
        .map(|_| {
            let c = ALPHA[(n % ALPHA.len() as u64) as usize] as char;
            n /= ALPHA.len() as u64;
            c
        })
        .collect()
}

fn labels_json(l: &BTreeMap<String, String>) -> Value {
    Value::Object(
        l.iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
    )
}

fn meta(
    kind: Kind,
    ns: &str,
    name: &str,
    labels: &BTreeMap<String, String>,
    o: &BuildOptions,
) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("name".into(), json!(name));
    if kind.namespaced() {
        m.insert("namespace".into(), json!(ns));
    }
    m.insert("uid".into(), json!(uid(&[kind.kind(), ns, name])));
    m.insert("creationTimestamp".into(), json!(o.created));
    if !labels.is_empty() {
        m.insert("labels".into(), labels_json(labels));
    }
    m
}

fn proto(p: &Port) -> String {
    p.protocol.to_ascii_uppercase()
}

fn ip_text(a: &IpAddr) -> String {
    a.to_string()
}

/// Every object of `cluster`, in list order.
pub fn build(cluster: &Cluster, o: &BuildOptions) -> Vec<Obj> {
    let mut out = Vec::new();
    for ns in cluster.namespaces() {
        let labels = BTreeMap::from([("kubernetes.io/metadata.name".to_string(), ns.clone())]);
        let mut m = meta(Kind::Namespace, "", &ns, &labels, o);
        m.remove("namespace");
        out.push(Obj {
            kind: Kind::Namespace,
            namespace: String::new(),
            name: ns.clone(),
            labels,
            fields: BTreeMap::new(),
            body: json!({
                "apiVersion": "v1", "kind": "Namespace", "metadata": m,
                "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"},
            }),
        });
    }
    for svc in &cluster.services {
        out.push(service(cluster, svc, o));
        out.extend(slices(cluster, svc, o));
        out.push(endpoints(cluster, svc, o));
    }
    for pod in &cluster.pods {
        out.push(pod_obj(pod, o));
    }
    out.sort_by_key(Obj::key);
    out.dedup_by(|a, b| a.key() == b.key());
    out
}

fn service(cluster: &Cluster, svc: &Service, o: &BuildOptions) -> Obj {
    let families = cluster.ip_families(svc);
    let cluster_ip = svc
        .cluster_ip
        .map(|ip| ip.to_string())
        .unwrap_or_else(|| "None".into());
    let ports: Vec<Value> = svc
        .ports
        .iter()
        .map(|p| {
            let mut v = json!({"protocol": proto(p), "port": p.port, "targetPort": p.port});
            if let Some(n) = &p.name {
                v["name"] = json!(n);
            }
            v
        })
        .collect();
    let mut spec = json!({
        "clusterIP": cluster_ip,
        "clusterIPs": [cluster_ip],
        "type": "ClusterIP",
        "sessionAffinity": "None",
        "ipFamilies": families.iter().map(|f| f.as_str()).collect::<Vec<_>>(),
        "ipFamilyPolicy": if families.len() > 1 { "RequireDualStack" } else { "SingleStack" },
        "internalTrafficPolicy": "Cluster",
    });
    if !ports.is_empty() {
        spec["ports"] = Value::Array(ports);
    }
    if let Some(sel) = &svc.selector {
        spec["selector"] = labels_json(sel);
    }
    if svc.publish_not_ready_addresses {
        spec["publishNotReadyAddresses"] = json!(true);
    }
    Obj {
        kind: Kind::Service,
        namespace: svc.namespace.clone(),
        name: svc.name.clone(),
        labels: svc.labels.clone(),
        fields: BTreeMap::from([
            ("spec.clusterIP", cluster_ip),
            ("spec.type", "ClusterIP".into()),
        ]),
        body: json!({
            "apiVersion": "v1", "kind": "Service",
            "metadata": meta(Kind::Service, &svc.namespace, &svc.name, &svc.labels, o),
            "spec": spec, "status": {"loadBalancer": {}},
        }),
    }
}

fn target_ref(ns: &str, pod: &str) -> Value {
    json!({"kind": "Pod", "namespace": ns, "name": pod, "uid": uid(&["Pod", ns, pod])})
}

fn slice_endpoint(svc: &Service, ep: &Endpoint, family: IpFamily) -> Option<Value> {
    let addrs: Vec<String> = ep
        .addresses
        .iter()
        .filter(|a| IpFamily::of(**a) == family)
        .map(ip_text)
        .collect();
    if addrs.is_empty() {
        return None;
    }
    let mut cond = Map::new();
    for (k, v) in [
        ("ready", ep.conditions.ready),
        ("serving", ep.conditions.serving),
        ("terminating", ep.conditions.terminating),
    ] {
        if let Some(b) = v {
            cond.insert(k.into(), json!(b));
        }
    }
    let mut v = json!({"addresses": addrs, "conditions": cond});
    if let Some(h) = &ep.hostname {
        v["hostname"] = json!(h);
    }
    if let Some(p) = &ep.pod {
        v["targetRef"] = target_ref(&svc.namespace, p);
    }
    if let Some(n) = &ep.node {
        v["nodeName"] = json!(n);
    }
    if let Some(z) = &ep.zone {
        v["zone"] = json!(z);
    }
    Some(v)
}

/// The EndpointSlices of a Service: per address family, chunks of at most
/// `max_endpoints_per_slice`; a Service with no endpoint still has one (empty) slice per
/// family, as the controller's placeholder.
fn slices(cluster: &Cluster, svc: &Service, o: &BuildOptions) -> Vec<Obj> {
    let eps = cluster.slice_endpoints(svc);
    let managed_by = if svc.selector.is_some() {
        "endpointslice-controller.k8s.io"
    } else {
        "hsvc-cluster"
    };
    let mut labels: BTreeMap<String, String> = svc.labels.clone();
    labels.insert("kubernetes.io/service-name".into(), svc.name.clone());
    labels.insert(
        "endpointslice.kubernetes.io/managed-by".into(),
        managed_by.into(),
    );
    if svc.is_headless() {
        labels.insert("service.kubernetes.io/headless".into(), String::new());
    }
    let ports: Vec<Value> = svc
        .ports
        .iter()
        .map(|p| {
            let mut v = json!({"protocol": proto(p), "port": p.port});
            v["name"] = json!(p.name.clone().unwrap_or_default());
            v
        })
        .collect();
    let per = o.max_endpoints_per_slice.max(1);
    let mut out = Vec::new();
    for family in cluster.ip_families(svc) {
        let fam_eps: Vec<Value> = eps
            .iter()
            .filter_map(|e| slice_endpoint(svc, e, family))
            .collect();
        let chunks: Vec<&[Value]> = if fam_eps.is_empty() {
            vec![&[]]
        } else {
            fam_eps.chunks(per).collect()
        };
        for (i, chunk) in chunks.into_iter().enumerate() {
            let idx = i.to_string();
            let name = format!(
                "{}-{}",
                svc.name,
                suffix(&[&svc.namespace, &svc.name, family.as_str(), &idx])
            );
            let mut m = meta(Kind::EndpointSlice, &svc.namespace, &name, &labels, o);
            m.insert("generateName".into(), json!(format!("{}-", svc.name)));
            m.insert(
                "ownerReferences".into(),
                json!([{
                    "apiVersion": "v1", "kind": "Service", "name": svc.name,
                    "uid": uid(&["Service", &svc.namespace, &svc.name]),
                    "controller": true, "blockOwnerDeletion": true,
                }]),
            );
            let endpoints = if chunk.is_empty() {
                // A stored empty list comes back as null from the real API server.
                Value::Null
            } else {
                Value::Array(chunk.to_vec())
            };
            out.push(Obj {
                kind: Kind::EndpointSlice,
                namespace: svc.namespace.clone(),
                name,
                labels: labels.clone(),
                fields: BTreeMap::from([("addressType", family.as_str().to_string())]),
                body: json!({
                    "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                    "metadata": m, "addressType": family.as_str(),
                    "endpoints": endpoints, "ports": ports,
                }),
            });
        }
    }
    out
}

/// The v1 Endpoints of a Service as the endpoints controller writes it: primary family
/// only, ready addresses in `addresses`, not-ready ones in `notReadyAddresses`,
/// terminating ones dropped (unless publishNotReadyAddresses), at most 1000 addresses
/// with the `over-capacity` annotation beyond.
fn endpoints(cluster: &Cluster, svc: &Service, o: &BuildOptions) -> Obj {
    let primary = cluster.ip_families(svc)[0];
    let mut ready = Vec::new();
    let mut not_ready = Vec::new();
    for ep in cluster.slice_endpoints(svc) {
        let terminating = ep.conditions.terminating == Some(true);
        let is_ready = ep.conditions.ready != Some(false);
        if terminating && !svc.publish_not_ready_addresses {
            continue;
        }
        for a in ep.addresses.iter().filter(|a| IpFamily::of(**a) == primary) {
            let mut v = json!({"ip": ip_text(a)});
            if let Some(h) = &ep.hostname {
                v["hostname"] = json!(h);
            }
            if let Some(n) = &ep.node {
                v["nodeName"] = json!(n);
            }
            if let Some(p) = &ep.pod {
                v["targetRef"] = target_ref(&svc.namespace, p);
            }
            if is_ready {
                ready.push(v);
            } else {
                not_ready.push(v);
            }
        }
    }
    let mut labels = svc.labels.clone();
    if svc.is_headless() {
        labels.insert("service.kubernetes.io/headless".into(), String::new());
    }
    let mut m = meta(Kind::Endpoints, &svc.namespace, &svc.name, &labels, o);
    let max = o.max_endpoints_addresses;
    if ready.len() + not_ready.len() > max {
        ready.truncate(max);
        not_ready.truncate(max - ready.len());
        m.insert(
            "annotations".into(),
            json!({"endpoints.kubernetes.io/over-capacity": "truncated"}),
        );
    }
    let mut body = json!({"apiVersion": "v1", "kind": "Endpoints", "metadata": m});
    if !ready.is_empty() || !not_ready.is_empty() {
        let mut subset = Map::new();
        if !ready.is_empty() {
            subset.insert("addresses".into(), Value::Array(ready));
        }
        if !not_ready.is_empty() {
            subset.insert("notReadyAddresses".into(), Value::Array(not_ready));
        }
        let ports: Vec<Value> = svc
            .ports
            .iter()
            .map(|p| {
                let mut v = json!({"port": p.port, "protocol": proto(p)});
                if let Some(n) = &p.name {
                    v["name"] = json!(n);
                }
                v
            })
            .collect();
        if !ports.is_empty() {
            subset.insert("ports".into(), Value::Array(ports));
        }
        body["subsets"] = json!([subset]);
    }
    Obj {
        kind: Kind::Endpoints,
        namespace: svc.namespace.clone(),
        name: svc.name.clone(),
        labels,
        fields: BTreeMap::new(),
        body,
    }
}

fn pod_obj(pod: &Pod, o: &BuildOptions) -> Obj {
    let mut m = meta(Kind::Pod, &pod.namespace, &pod.name, &pod.labels, o);
    if pod.terminating {
        m.insert("deletionTimestamp".into(), json!(o.created));
        m.insert("deletionGracePeriodSeconds".into(), json!(30));
    }
    let mut spec = json!({"containers": [{"name": "main", "image": "registry.k8s.io/pause:3.10"}]});
    if let Some(n) = &pod.node {
        spec["nodeName"] = json!(n);
    }
    if let Some(h) = &pod.hostname {
        spec["hostname"] = json!(h);
    }
    if let Some(s) = &pod.subdomain {
        spec["subdomain"] = json!(s);
    }
    let ready = if pod.ready && pod.phase == PodPhase::Running {
        "True"
    } else {
        "False"
    };
    let mut status = json!({
        "phase": pod.phase.as_str(),
        "conditions": [{"type": "Ready", "status": ready}],
    });
    if let Some(first) = pod.ips.first() {
        status["podIP"] = json!(ip_text(first));
        status["podIPs"] =
            Value::Array(pod.ips.iter().map(|a| json!({"ip": ip_text(a)})).collect());
    }
    Obj {
        kind: Kind::Pod,
        namespace: pod.namespace.clone(),
        name: pod.name.clone(),
        labels: pod.labels.clone(),
        fields: BTreeMap::from([
            ("spec.nodeName", pod.node.clone().unwrap_or_default()),
            ("status.phase", pod.phase.as_str().to_string()),
        ]),
        body: json!({"apiVersion": "v1", "kind": "Pod", "metadata": m, "spec": spec, "status": status}),
    }
}

/// kubectl's short duration (`5s`, `3m2s`, `45m`, `5h3m`, `12h`, `3d`).
pub fn human_age(secs: u64) -> String {
    let (m, h, d) = (secs / 60, secs / 3600, secs / 86400);
    if secs < 120 {
        format!("{secs}s")
    } else if m < 10 {
        format!("{m}m{}s", secs % 60)
    } else if h < 3 {
        format!("{m}m")
    } else if h < 8 {
        format!("{h}h{}m", m % 60)
    } else if h < 48 {
        format!("{h}h")
    } else {
        format!("{d}d")
    }
}

fn col(name: &str, ty: &str, priority: u8, description: &str) -> Value {
    let mut v = json!({"name": name, "type": ty, "format": "", "description": description, "priority": priority});
    if name == "Name" {
        v["format"] = json!("name");
    }
    v
}

/// `columnDefinitions` of a kind's Table (the columns kubectl's server-side printers use).
pub fn columns(kind: Kind) -> Value {
    let name = col(
        "Name",
        "string",
        0,
        "Name must be unique within a namespace.",
    );
    let age = col("Age", "string", 0, "CreationTimestamp is a timestamp representing the server time when this object was created.");
    let cols = match kind {
        Kind::Namespace => vec![
            name,
            col("Status", "string", 0, "The status of the namespace"),
            age,
        ],
        Kind::Service => vec![
            name,
            col("Type", "string", 0, "The type of the service."),
            col("Cluster-IP", "string", 0, "The cluster IP of the service."),
            col(
                "External-IP",
                "string",
                0,
                "The external IP of the service.",
            ),
            col("Port(s)", "string", 0, "The ports of the service."),
            age,
            col("Selector", "string", 1, "The selector of the service."),
        ],
        Kind::Pod => vec![
            name,
            col(
                "Ready",
                "string",
                0,
                "The aggregate readiness state of this pod for accepting traffic.",
            ),
            col(
                "Status",
                "string",
                0,
                "The aggregate status of the containers in this pod.",
            ),
            col(
                "Restarts",
                "string",
                0,
                "The number of times the containers in this pod have been restarted.",
            ),
            age,
            col("IP", "string", 1, "The IP address assigned to the pod."),
            col(
                "Node",
                "string",
                1,
                "The name of the node the pod is assigned to.",
            ),
        ],
        Kind::Endpoints => vec![
            name,
            col("Endpoints", "string", 0, "Endpoints of the service."),
            age,
        ],
        Kind::EndpointSlice => vec![
            name,
            col(
                "AddressType",
                "string",
                0,
                "The IP protocol for this slice.",
            ),
            col("Ports", "string", 0, "The ports for this slice."),
            col(
                "Endpoints",
                "string",
                0,
                "The addresses of the endpoints in this slice.",
            ),
            age,
        ],
    };
    Value::Array(cols)
}

fn join_some(items: Vec<String>, none: &str) -> String {
    if items.is_empty() {
        return none.to_string();
    }
    let n = items.len();
    let mut s = items[..n.min(3)].join(",");
    if n > 3 {
        s.push_str(&format!(" + {} more...", n - 3));
    }
    s
}

fn strs(v: &Value) -> Vec<&Value> {
    v.as_array().map(|a| a.iter().collect()).unwrap_or_default()
}

/// The cells of one object's Table row.
pub fn cells(obj: &Obj, age: &str) -> Value {
    let b = &obj.body;
    let s = |v: &Value| v.as_str().unwrap_or("").to_string();
    match obj.kind {
        Kind::Namespace => json!([obj.name, s(&b["status"]["phase"]), age]),
        Kind::Service => {
            let ports: Vec<String> = strs(&b["spec"]["ports"])
                .iter()
                .map(|p| format!("{}/{}", p["port"], s(&p["protocol"])))
                .collect();
            let sel: Vec<String> = b["spec"]["selector"]
                .as_object()
                .map(|m| m.iter().map(|(k, v)| format!("{k}={}", s(v))).collect())
                .unwrap_or_default();
            json!([
                obj.name,
                s(&b["spec"]["type"]),
                s(&b["spec"]["clusterIP"]),
                "<none>",
                if ports.is_empty() {
                    "<none>".to_string()
                } else {
                    ports.join(",")
                },
                age,
                if sel.is_empty() {
                    "<none>".to_string()
                } else {
                    sel.join(",")
                },
            ])
        }
        Kind::Pod => {
            let phase = s(&b["status"]["phase"]);
            let ready = b["status"]["conditions"][0]["status"] == "True";
            let status = if b["metadata"]["deletionTimestamp"].is_string() {
                "Terminating".to_string()
            } else {
                phase
            };
            json!([
                obj.name,
                if ready { "1/1" } else { "0/1" },
                status,
                "0",
                age,
                b["status"]["podIP"].as_str().unwrap_or("<none>"),
                b["spec"]["nodeName"].as_str().unwrap_or("<none>"),
            ])
        }
        Kind::Endpoints => {
            let mut items = Vec::new();
            for sub in strs(&b["subsets"]) {
                let ports: Vec<String> = strs(&sub["ports"])
                    .iter()
                    .map(|p| p["port"].to_string())
                    .collect();
                for a in strs(&sub["addresses"]) {
                    if ports.is_empty() {
                        items.push(s(&a["ip"]));
                    }
                    for p in &ports {
                        items.push(format!("{}:{p}", s(&a["ip"])));
                    }
                }
            }
            json!([obj.name, join_some(items, "<none>"), age])
        }
        Kind::EndpointSlice => {
            let ports: Vec<String> = strs(&b["ports"])
                .iter()
                .map(|p| p["port"].to_string())
                .collect();
            let addrs: Vec<String> = strs(&b["endpoints"])
                .iter()
                .flat_map(|e| strs(&e["addresses"]).into_iter().map(s))
                .collect();
            json!([
                obj.name,
                s(&b["addressType"]),
                join_some(ports, "<unset>"),
                join_some(addrs, "<unset>"),
                age,
            ])
        }
    }
}

/// A Table row: cells plus the object (as `PartialObjectMetadata` unless `full`).
pub fn row(obj: &Arc<Obj>, rv: u64, age: &str, full: bool) -> Value {
    let object = if full {
        obj.with_rv(rv)
    } else {
        let with = obj.with_rv(rv);
        json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": with["metadata"]})
    };
    json!({"cells": cells(obj, age), "object": object})
}

/// RFC 3339 UTC timestamp of a Unix time (seconds), as Kubernetes writes them.
pub fn rfc3339(unix: u64) -> String {
    let days = (unix / 86400) as i64;
    let rem = unix % 86400;
    // civil_from_days (Howard Hinnant's algorithm)
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> BuildOptions {
        BuildOptions {
            max_endpoints_per_slice: 100,
            max_endpoints_addresses: 1000,
            created: rfc3339(0),
        }
    }

    #[test]
    fn timestamps() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_767_225_600), "2026-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400 + 3661), "2000-02-29T01:01:01Z");
    }

    #[test]
    fn ages() {
        assert_eq!(human_age(5), "5s");
        assert_eq!(human_age(185), "3m5s");
        assert_eq!(human_age(3600), "60m");
        assert_eq!(human_age(4 * 3600 + 120), "4h2m");
        assert_eq!(human_age(3 * 86400), "3d");
    }

    #[test]
    fn demo_objects() {
        let objs = build(&Cluster::demo(), &opts());
        let find = |k: Kind, ns: &str, prefix: &str| -> Vec<&Obj> {
            objs.iter()
                .filter(|o| o.kind == k && o.namespace == ns && o.name.starts_with(prefix))
                .collect()
        };
        let web = find(Kind::EndpointSlice, "awx", "web-headless-");
        assert_eq!(web.len(), 1);
        assert_eq!(web[0].body["endpoints"].as_array().unwrap().len(), 4);
        assert_eq!(web[0].labels["kubernetes.io/service-name"], "web-headless");
        let db = find(Kind::EndpointSlice, "awx", "db-");
        let fams: Vec<&str> = db
            .iter()
            .map(|o| o.body["addressType"].as_str().unwrap())
            .collect();
        assert_eq!(fams.len(), 2);
        assert!(fams.contains(&"IPv4") && fams.contains(&"IPv6"));
        let ep = &find(Kind::Endpoints, "awx", "web-headless")[0].body;
        assert_eq!(ep["subsets"][0]["addresses"].as_array().unwrap().len(), 2);
        // web-2 is not ready; web-3 (terminating) is dropped
        assert_eq!(
            ep["subsets"][0]["notReadyAddresses"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
        let svc = &find(Kind::Service, "awx", "db")[0].body;
        assert_eq!(svc["spec"]["ipFamilyPolicy"], "RequireDualStack");
        assert_eq!(svc["spec"]["clusterIP"], "None");
    }

    #[test]
    fn big_services_split_into_slices_and_endpoints_truncate() {
        let mut c = Cluster::new("cluster.local");
        c.services.push(Service::statefulset(
            "big",
            "s",
            1205,
            "10.1.0.0".parse().unwrap(),
            ("http", 80),
        ));
        let objs = build(&c, &opts());
        let slices: Vec<&Obj> = objs
            .iter()
            .filter(|o| o.kind == Kind::EndpointSlice)
            .collect();
        assert_eq!(slices.len(), 13);
        let total: usize = slices
            .iter()
            .map(|s| s.body["endpoints"].as_array().unwrap().len())
            .sum();
        assert_eq!(total, 1205);
        let ep = objs.iter().find(|o| o.kind == Kind::Endpoints).unwrap();
        assert_eq!(
            ep.body["subsets"][0]["addresses"].as_array().unwrap().len(),
            1000
        );
        assert_eq!(
            ep.body["metadata"]["annotations"]["endpoints.kubernetes.io/over-capacity"],
            "truncated"
        );
    }
}
