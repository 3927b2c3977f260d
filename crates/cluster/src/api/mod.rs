//! A stand-in Kubernetes API server over the same [`Cluster`] model the DNS server
//! answers from, faithful enough for kubectl, kube-rs and the hsvc client:
//!
//! * discovery: `/version`, `/api`, `/apis`, `/api/v1`, `/apis/discovery.k8s.io/v1`;
//! * list / get / watch of Namespaces, Services, Pods, v1 Endpoints and EndpointSlices,
//!   namespaced and across namespaces, with `labelSelector`, `fieldSelector`
//!   (`spec.clusterIP=None` for Services, `metadata.name`, …), `limit` / `continue`,
//!   `resourceVersion` (one counter bumped on every object write), server-side `Table`s
//!   for kubectl;
//! * `?watch=true`: newline-delimited JSON events (ADDED, MODIFIED, DELETED, BOOKMARK with
//!   `allowWatchBookmarks`, an in-stream 410 ERROR for a version older than the kept
//!   history), `timeoutSeconds`;
//! * Kubernetes `Status` errors (NotFound, Forbidden, Unauthorized, Gone/Expired,
//!   BadRequest, InternalError, MethodNotAllowed);
//! * the pod `portforward` subresource over WebSocket ([`portforward`]);
//! * HTTPS with a bearer token ([`tls`]) and a plain-HTTP port without authentication
//!   (what `kubectl proxy` offers);
//! * fault injection through [`ApiFaults`].
//!
//! It is read-only: the model changes through [`crate::LiveCluster`], never through the
//! API.

pub mod http;
pub mod objects;
pub mod portforward;
pub mod selector;
pub mod store;
pub mod tls;

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

use self::http::{status, ApiBody};
use self::objects::{BuildOptions, Kind};
use self::store::Store;
use crate::cluster::Cluster;

/// How the API server behaves.
#[derive(Debug, Clone)]
pub struct ApiOptions {
    /// Bearer token the HTTPS port requires.
    pub token: String,
    /// User name the token authenticates as (in Forbidden messages).
    pub user: String,
    /// Kubernetes minor version served by `/version` (v1 Endpoints carries the
    /// deprecation `Warning` from 33 on).
    pub minor: u32,
    /// Serve `discovery.k8s.io/v1` (false: a cluster before 1.21, v1 Endpoints only).
    pub endpointslices: bool,
    /// The EndpointSlice controller's `--max-endpoints-per-slice` (100).
    pub max_endpoints_per_slice: usize,
    /// Store writes kept for watches and continue tokens.
    pub history: usize,
    /// Interval of BOOKMARK events on watches that allow them.
    pub bookmark_interval: Duration,
}

impl Default for ApiOptions {
    fn default() -> Self {
        ApiOptions {
            token: "hsvc-stand-in-token".into(),
            user: "system:serviceaccount:default:hsvc".into(),
            minor: 33,
            endpointslices: true,
            max_endpoints_per_slice: 100,
            history: 1000,
            bookmark_interval: Duration::from_secs(1),
        }
    }
}

#[derive(Debug, Default)]
struct Faults {
    /// (namespace or `*`, resource as in RBAC: `endpointslices`, `pods/portforward`, `*`).
    forbidden: HashSet<(String, String)>,
    /// Resources (or `*`) that answer 500.
    internal_error: HashSet<String>,
    reject_field_selectors: bool,
    cut_forwards: HashSet<(String, String)>,
    /// (namespace, pod) whose `pods/portforward` RBAC denies (a Role with
    /// `resourceNames` that leaves the pod out).
    forbidden_forwards: HashSet<(String, String)>,
}

/// The server's shared state.
pub struct ApiState {
    store: Mutex<Store>,
    cluster: RwLock<Arc<Cluster>>,
    faults: Mutex<Faults>,
    /// Options it was started with.
    pub opts: ApiOptions,
    started: u64,
    kill_watches: tokio::sync::watch::Sender<u64>,
    forward_targets: Mutex<HashMap<(String, String, u16), SocketAddr>>,
    address: Mutex<String>,
    requests: AtomicU64,
    forwards: AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl ApiState {
    /// State serving `cluster`.
    pub fn new(cluster: &Cluster, opts: ApiOptions) -> Arc<ApiState> {
        let (kill_watches, _) = tokio::sync::watch::channel(0);
        let state = Arc::new(ApiState {
            store: Mutex::new(Store::new(opts.history)),
            cluster: RwLock::new(Arc::new(cluster.clone())),
            faults: Mutex::new(Faults::default()),
            opts,
            started: now_unix(),
            kill_watches,
            forward_targets: Mutex::new(HashMap::new()),
            address: Mutex::new(String::new()),
            requests: AtomicU64::new(0),
            forwards: AtomicU64::new(0),
        });
        state.set_cluster(cluster);
        state
    }

    fn build_options(&self) -> BuildOptions {
        BuildOptions {
            max_endpoints_per_slice: self.opts.max_endpoints_per_slice,
            max_endpoints_addresses: 1000,
            created: objects::rfc3339(self.started),
        }
    }

    /// Serve `cluster` from now on: every changed object is a write (new resourceVersion,
    /// one watch event). Returns the number of writes.
    pub fn set_cluster(&self, cluster: &Cluster) -> usize {
        let mut objs = objects::build(cluster, &self.build_options());
        if !self.opts.endpointslices {
            objs.retain(|o| o.kind != Kind::EndpointSlice);
        }
        let mut store = lock(&self.store);
        *self.cluster.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(cluster.clone());
        store.apply(objs)
    }

    /// The model currently served.
    pub fn cluster(&self) -> Arc<Cluster> {
        self.cluster
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        lock(&self.store)
    }

    /// The latest resourceVersion.
    pub fn resource_version(&self) -> u64 {
        lock(&self.store).rv()
    }

    /// Requests served so far (both ports).
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::SeqCst)
    }

    /// Port-forward upgrades accepted so far.
    pub fn forwards(&self) -> u64 {
        self.forwards.load(Ordering::SeqCst)
    }

    fn count_request(&self) {
        self.requests.fetch_add(1, Ordering::SeqCst);
    }

    fn count_forward(&self) {
        self.forwards.fetch_add(1, Ordering::SeqCst);
    }

    /// Send port `port` of pod `ns/pod` to `addr` (default: the pod's first IP, same port).
    pub fn set_forward_target(&self, ns: &str, pod: &str, port: u16, addr: SocketAddr) {
        lock(&self.forward_targets).insert((ns.into(), pod.into(), port), addr);
    }

    fn forward_target(&self, ns: &str, pod: &str, port: u16) -> Option<SocketAddr> {
        lock(&self.forward_targets)
            .get(&(ns.to_string(), pod.to_string(), port))
            .copied()
    }

    fn cuts_forward(&self, ns: &str, pod: &str) -> bool {
        lock(&self.faults)
            .cut_forwards
            .contains(&(ns.to_string(), pod.to_string()))
    }

    fn rejects_field_selectors(&self) -> bool {
        lock(&self.faults).reject_field_selectors
    }

    fn set_address(&self, a: String) {
        *lock(&self.address) = a;
    }

    fn server_address(&self) -> String {
        lock(&self.address).clone()
    }

    fn age(&self) -> String {
        objects::human_age(now_unix().saturating_sub(self.started))
    }

    fn version(&self) -> Value {
        let minor = self.opts.minor;
        json!({
            "major": "1", "minor": minor.to_string(),
            "gitVersion": format!("v1.{minor}.0"),
            "gitCommit": "0000000000000000000000000000000000000000",
            "gitTreeState": "clean", "buildDate": "2026-01-01T00:00:00Z",
            "goVersion": "go1.24.0", "compiler": "gc", "platform": "linux/amd64",
        })
    }

    /// The 403 a real API server gives when RBAC denies `verb` on `resource` (an RBAC
    /// resource name such as `endpointslices` or `pods/portforward`) of `group`.
    fn check_forbidden(
        &self,
        verb: &str,
        resource: &str,
        group: &str,
        ns: &str,
        name: Option<&str>,
    ) -> Option<::http::Response<ApiBody>> {
        let faults = lock(&self.faults);
        let top = resource.split('/').next().unwrap_or(resource);
        let hit = |n: &str| {
            faults
                .forbidden
                .contains(&(n.to_string(), resource.to_string()))
                || faults.forbidden.contains(&(n.to_string(), top.to_string()))
                || faults.forbidden.contains(&(n.to_string(), "*".to_string()))
        };
        let denied = if ns.is_empty() {
            hit("*")
        } else {
            hit(ns) || hit("*")
        } || (resource == "pods/portforward"
            && name.is_some_and(|n| {
                faults
                    .forbidden_forwards
                    .contains(&(ns.to_string(), n.to_string()))
            }));
        if !denied {
            return None;
        }
        let qualified = if group.is_empty() {
            top.to_string()
        } else {
            format!("{top}.{group}")
        };
        let subject = match name {
            Some(n) => format!("{qualified} \"{n}\""),
            None => qualified,
        };
        let scope = if ns.is_empty() {
            "at the cluster scope".to_string()
        } else {
            format!("in the namespace \"{ns}\"")
        };
        let msg = format!(
            "{subject} is forbidden: User \"{}\" cannot {verb} resource \"{resource}\" in API group \"{group}\" {scope}",
            self.opts.user
        );
        let mut details = json!({"group": group, "kind": top});
        if let Some(n) = name {
            details["name"] = json!(n);
        }
        Some(status(403, "Forbidden", &msg, Some(details)))
    }

    fn check_faults(
        &self,
        verb: &str,
        kind: Kind,
        ns: Option<&str>,
        name: Option<&str>,
    ) -> Option<::http::Response<ApiBody>> {
        if let Some(r) =
            self.check_forbidden(verb, kind.resource(), kind.group(), ns.unwrap_or(""), name)
        {
            return Some(r);
        }
        let faults = lock(&self.faults);
        if faults.internal_error.contains(kind.resource()) || faults.internal_error.contains("*") {
            return Some(status(
                500,
                "InternalError",
                "Internal error occurred: injected fault (etcdserver: request timed out)",
                Some(
                    json!({"causes": [{"message": "injected fault (etcdserver: request timed out)"}]}),
                ),
            ));
        }
        None
    }
}

/// Fault switches of a running API server (cheap to clone).
#[derive(Clone)]
pub struct ApiFaults(pub(crate) Arc<ApiState>);

impl ApiFaults {
    /// Answer 403 to every request for `resource` (RBAC name: `endpointslices`,
    /// `services`, `pods/portforward`, or `*`) in `namespace` (`*`: every namespace and
    /// the cluster scope), with the message a real API server gives.
    pub fn forbid(&self, namespace: &str, resource: &str) {
        lock(&self.0.faults)
            .forbidden
            .insert((namespace.into(), resource.into()));
    }

    /// Undo [`ApiFaults::forbid`].
    pub fn allow(&self, namespace: &str, resource: &str) {
        lock(&self.0.faults)
            .forbidden
            .remove(&(namespace.to_string(), resource.to_string()));
    }

    /// Answer 500 InternalError to list/get/watch of `resource` (or `*`) while `on`.
    pub fn internal_error(&self, resource: &str, on: bool) {
        let mut f = lock(&self.0.faults);
        if on {
            f.internal_error.insert(resource.into());
        } else {
            f.internal_error.remove(resource);
        }
    }

    /// Answer 400 to `spec.*` field selectors (an API server before 1.31, where
    /// `spec.clusterIP` was not a selectable field for Services).
    pub fn reject_field_selectors(&self, on: bool) {
        lock(&self.0.faults).reject_field_selectors = on;
    }

    /// Cut every open watch stream now (the connection ends without the final chunk).
    pub fn drop_watches(&self) {
        self.0.kill_watches.send_modify(|g| *g += 1);
    }

    /// Forget the event history: watches from an older resourceVersion get an in-stream
    /// 410 ERROR, continue tokens a 410 Expired.
    pub fn expire_history(&self) {
        lock(&self.0.store).compact();
    }

    /// Port-forwards to `namespace/pod` relay half of the pod's first answer, then drop
    /// the connection.
    pub fn cut_forwards_mid_answer(&self, namespace: &str, pod: &str, on: bool) {
        let mut f = lock(&self.0.faults);
        let key = (namespace.to_string(), pod.to_string());
        if on {
            f.cut_forwards.insert(key);
        } else {
            f.cut_forwards.remove(&key);
        }
    }

    /// Answer 403 to port-forwards to `namespace/pod` alone while `on`, as
    /// RBAC does for a Role whose `resourceNames` leave the pod out.
    pub fn forbid_forward(&self, namespace: &str, pod: &str, on: bool) {
        let mut f = lock(&self.0.faults);
        let key = (namespace.to_string(), pod.to_string());
        if on {
            f.forbidden_forwards.insert(key);
        } else {
            f.forbidden_forwards.remove(&key);
        }
    }

    /// Remove every fault.
    pub fn clear(&self) {
        *lock(&self.0.faults) = Faults::default();
    }
}

/// Accept connections on `listener` forever (TLS first when `tls` is given); connection
/// tasks end when this task is aborted.
pub async fn serve(listener: TcpListener, state: Arc<ApiState>, tls: Option<TlsAcceptor>) {
    if tls.is_some() {
        if let Ok(a) = listener.local_addr() {
            state.set_address(a.to_string());
        }
    }
    let mut conns = JoinSet::new();
    loop {
        let (tcp, _) = match listener.accept().await {
            Ok(x) => x,
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let state = state.clone();
        let tls = tls.clone();
        conns.spawn(async move {
            let secure = tls.is_some();
            let svc = service_fn(move |req| http::handle(state.clone(), req, secure));
            let builder = hyper::server::conn::http1::Builder::new();
            match tls {
                Some(acceptor) => {
                    let Ok(Ok(stream)) =
                        tokio::time::timeout(Duration::from_secs(10), acceptor.accept(tcp)).await
                    else {
                        return;
                    };
                    let _ = builder
                        .serve_connection(TokioIo::new(stream), svc)
                        .with_upgrades()
                        .await;
                }
                None => {
                    let _ = builder
                        .serve_connection(TokioIo::new(tcp), svc)
                        .with_upgrades()
                        .await;
                }
            }
        });
        while conns.try_join_next().is_some() {}
    }
}
