//! [`LiveCluster`]: one shared [`Cluster`] model served as cluster DNS (one server per
//! CoreDNS replica pod, each of which may lag) and as the Kubernetes API (HTTPS with a
//! token, plus plain HTTP), changed while it runs.

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use tokio::sync::oneshot;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

use crate::api::{self, tls, ApiFaults, ApiOptions, ApiState};
use crate::cluster::Cluster;
use crate::shared::SharedZone;

/// Options of [`LiveCluster::start_with`].
#[derive(Debug, Clone)]
pub struct LiveOptions {
    /// Address the API ports bind (loopback only in tests).
    pub listen: IpAddr,
    /// Port of the HTTPS API (0: any free port).
    pub https_port: u16,
    /// Port of the plain-HTTP API (0: any free port).
    pub http_port: u16,
    /// Namespace of the kubeconfig's context.
    pub namespace: String,
    /// The API server's behaviour.
    pub api: ApiOptions,
    /// Port every CoreDNS replica listens on at its pod address (0: any free port each).
    pub dns_port: u16,
    /// An address answering as the `kube-dns` Service would (always the current model,
    /// whatever replica lags), e.g. `127.0.0.1:5353` for `hsvc demo --serve`.
    pub service_dns: Option<SocketAddr>,
}

impl Default for LiveOptions {
    fn default() -> Self {
        LiveOptions {
            listen: IpAddr::V4(Ipv4Addr::LOCALHOST),
            https_port: 0,
            http_port: 0,
            namespace: "awx".into(),
            api: ApiOptions::default(),
            dns_port: 0,
            service_dns: None,
        }
    }
}

/// One DNS server: a CoreDNS replica pod (or the only server of a cluster without
/// CoreDNS pods, `pod` empty).
#[derive(Debug, Clone)]
pub struct Replica {
    /// Namespace of the pod (`kube-system`).
    pub namespace: String,
    /// Pod name (`coredns-5d78c9869d-abcde`), empty when the model has no CoreDNS pods.
    pub pod: String,
    /// UDP and TCP address of its DNS server.
    pub addr: SocketAddr,
    /// The zone it answers from (faults, query log).
    pub zone: SharedZone,
    lagging: Arc<AtomicBool>,
}

impl Replica {
    /// Whether it is frozen on an old state.
    pub fn is_lagging(&self) -> bool {
        self.lagging.load(Ordering::SeqCst)
    }
}

/// A running cluster: DNS replicas and the API over one model, on a background thread.
/// Dropping it (or [`LiveCluster::shutdown`]) stops every server.
///
/// ```no_run
/// use hsvc_cluster::{Cluster, LiveCluster};
/// let live = LiveCluster::start(Cluster::demo()).unwrap();
/// let kubeconfig = live.write_kubeconfig(std::path::Path::new("/tmp/standin")).unwrap();
/// println!("KUBECONFIG={} ({})", kubeconfig.display(), live.https_url());
/// // web-2 becomes ready: its EndpointSlice endpoint and the DNS answers change together
/// live.set_pod_ready("awx", "web-2", true);
/// // one CoreDNS replica stops following the model
/// live.lag_replica("coredns-5d78c9869d-fghij", true);
/// live.delete_pod("awx", "web-0");
/// live.faults().forbid("awx", "endpointslices");
/// ```
pub struct LiveCluster {
    model: Mutex<Cluster>,
    api: Arc<ApiState>,
    replicas: Vec<Replica>,
    service: Option<(SocketAddr, SharedZone)>,
    https: SocketAddr,
    http: SocketAddr,
    ca_pem: String,
    namespace: String,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

/// CoreDNS replica pods: those `kube-system/kube-dns` selects.
fn dns_pods(c: &Cluster) -> Vec<(String, String, Option<IpAddr>)> {
    let Some(svc) = c.service("kube-system", "kube-dns") else {
        return Vec::new();
    };
    c.pods_of(svc)
        .into_iter()
        .map(|p| (p.namespace.clone(), p.name.clone(), p.ips.first().copied()))
        .collect()
}

impl LiveCluster {
    /// Start with default options (loopback, free ports, context namespace `awx`).
    pub fn start(cluster: Cluster) -> io::Result<LiveCluster> {
        Self::start_with(cluster, LiveOptions::default())
    }

    /// Start the DNS replicas (one per pod behind `kube-system/kube-dns`, bound to the
    /// pod's address when it is a loopback one, else to 127.0.0.1; one server when there
    /// is no such pod) and the API (HTTPS and plain HTTP). Every socket is bound when
    /// this returns.
    pub fn start_with(cluster: Cluster, opts: LiveOptions) -> io::Result<LiveCluster> {
        let api = ApiState::new(&cluster, opts.api.clone());
        let certs = tls::generate(&[opts.listen, IpAddr::V4(Ipv4Addr::LOCALHOST)])?;
        let https_l = std::net::TcpListener::bind(SocketAddr::new(opts.listen, opts.https_port))?;
        let http_l = std::net::TcpListener::bind(SocketAddr::new(opts.listen, opts.http_port))?;
        https_l.set_nonblocking(true)?;
        http_l.set_nonblocking(true)?;
        let (https, http) = (https_l.local_addr()?, http_l.local_addr()?);

        let mut pods = dns_pods(&cluster);
        if pods.is_empty() {
            pods.push((String::new(), String::new(), None));
        }
        let mut replicas = Vec::new();
        let mut sockets = Vec::new();
        for (ns, pod, ip) in pods {
            let ip = ip
                .filter(|ip| ip.is_loopback() && ip.is_ipv4())
                .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
            let (udp, tcp) = crate::bind_udp_tcp(SocketAddr::new(ip, opts.dns_port))?;
            let addr = udp.local_addr()?;
            if !pod.is_empty() {
                api.set_forward_target(&ns, &pod, 53, addr);
            }
            let zone = SharedZone::from_cluster(&cluster);
            sockets.push((udp, tcp, zone.clone()));
            replicas.push(Replica {
                namespace: ns,
                pod,
                addr,
                zone,
                lagging: Arc::new(AtomicBool::new(false)),
            });
        }

        let mut service = None;
        if let Some(listen) = opts.service_dns {
            let (udp, tcp) = crate::bind_udp_tcp(listen)?;
            let zone = SharedZone::from_cluster(&cluster);
            service = Some((udp.local_addr()?, zone.clone()));
            sockets.push((udp, tcp, zone));
        }

        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<io::Result<()>>();
        let thread_api = api.clone();
        let acceptor = TlsAcceptor::from(certs.server_config.clone());
        let thread = std::thread::Builder::new()
            .name(format!("hsvc-api-{https}"))
            .spawn(move || {
                rt.block_on(async move {
                    let mut tasks = JoinSet::new();
                    let mut dns = Vec::new();
                    let started = (|| -> io::Result<()> {
                        let https_l = tokio::net::TcpListener::from_std(https_l)?;
                        let http_l = tokio::net::TcpListener::from_std(http_l)?;
                        tasks.spawn(api::serve(https_l, thread_api.clone(), Some(acceptor)));
                        tasks.spawn(api::serve(http_l, thread_api, None));
                        for (udp, tcp, zone) in sockets {
                            dns.push(crate::start(udp, tcp, zone)?);
                        }
                        Ok(())
                    })();
                    let failed = started.is_err();
                    let _ = ready_tx.send(started);
                    if !failed {
                        let _ = stop_rx.await;
                    }
                    tasks.abort_all();
                    while tasks.join_next().await.is_some() {}
                    for d in dns {
                        let _ = d.shutdown().await;
                    }
                });
            })?;
        match ready_rx.recv() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                let _ = thread.join();
                return Err(e);
            }
            Err(_) => {
                let _ = thread.join();
                return Err(io::Error::other("server thread died during start"));
            }
        }
        Ok(LiveCluster {
            model: Mutex::new(cluster),
            api,
            replicas,
            service,
            https,
            http,
            ca_pem: certs.ca_pem,
            namespace: opts.namespace,
            stop: Some(stop_tx),
            thread: Some(thread),
        })
    }

    /// `https://127.0.0.1:PORT` (bearer token required).
    pub fn https_url(&self) -> String {
        format!("https://{}", self.https)
    }

    /// `http://127.0.0.1:PORT` (no authentication, like `kubectl proxy`).
    pub fn http_url(&self) -> String {
        format!("http://{}", self.http)
    }

    /// The HTTPS address.
    pub fn https_addr(&self) -> SocketAddr {
        self.https
    }

    /// The plain-HTTP address.
    pub fn http_addr(&self) -> SocketAddr {
        self.http
    }

    /// PEM of the CA that signed the server certificate.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// The bearer token.
    pub fn token(&self) -> &str {
        &self.api.opts.token
    }

    /// Kubeconfig text: cluster `hsvc-standin` with `certificate-authority-data`, a user
    /// with the token, and a current context with the namespace of the options.
    pub fn kubeconfig(&self) -> String {
        tls::kubeconfig(&tls::KubeconfigSpec {
            server: &self.https_url(),
            ca_pem: &self.ca_pem,
            token: self.token(),
            name: "hsvc-standin",
            namespace: &self.namespace,
        })
    }

    /// Write [`LiveCluster::kubeconfig`] to `dir/kubeconfig` (creating `dir`).
    pub fn write_kubeconfig(&self, dir: &Path) -> io::Result<PathBuf> {
        tls::write_kubeconfig(dir, &self.kubeconfig())
    }

    /// The DNS servers, CoreDNS pods in model order.
    pub fn replicas(&self) -> &[Replica] {
        &self.replicas
    }

    /// The replica of a CoreDNS pod.
    pub fn replica(&self, pod: &str) -> Option<&Replica> {
        self.replicas.iter().find(|r| r.pod == pod)
    }

    /// The first replica's address (what a single `--server` would point at).
    pub fn dns_addr(&self) -> SocketAddr {
        self.replicas[0].addr
    }

    /// The address answering as the `kube-dns` Service ([`LiveOptions::service_dns`]).
    pub fn service_dns_addr(&self) -> Option<SocketAddr> {
        self.service.as_ref().map(|(a, _)| *a)
    }

    /// Fault switches of the API.
    pub fn faults(&self) -> ApiFaults {
        ApiFaults(self.api.clone())
    }

    /// The API server state (resourceVersion, request counters).
    pub fn api(&self) -> &Arc<ApiState> {
        &self.api
    }

    /// A copy of the model.
    pub fn cluster(&self) -> Cluster {
        self.model
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Change the model; the API (new resourceVersions, watch events) and every replica
    /// that is not lagging follow before this returns. Returns `f`'s result.
    pub fn update<R>(&self, f: impl FnOnce(&mut Cluster) -> R) -> R {
        let mut model = self.model.lock().unwrap_or_else(PoisonError::into_inner);
        let r = f(&mut model);
        self.api.set_cluster(&model);
        if let Some((_, zone)) = &self.service {
            zone.set_cluster(&model);
        }
        for rep in &self.replicas {
            if !rep.is_lagging() {
                rep.zone.set_cluster(&model);
            }
        }
        r
    }

    /// Set a pod's Ready condition. `false` when there is no such pod.
    pub fn set_pod_ready(&self, ns: &str, pod: &str, ready: bool) -> bool {
        self.update(|c| c.pod_mut(ns, pod).map(|p| p.ready = ready).is_some())
    }

    /// Mark a pod terminating (deletionTimestamp set) or not.
    pub fn set_terminating(&self, ns: &str, pod: &str, terminating: bool) -> bool {
        self.update(|c| {
            c.pod_mut(ns, pod)
                .map(|p| p.terminating = terminating)
                .is_some()
        })
    }

    /// Set a pod's phase.
    pub fn set_phase(&self, ns: &str, pod: &str, phase: crate::cluster::PodPhase) -> bool {
        self.update(|c| c.pod_mut(ns, pod).map(|p| p.phase = phase).is_some())
    }

    /// Remove a pod.
    pub fn delete_pod(&self, ns: &str, pod: &str) -> bool {
        self.update(|c| {
            let before = c.pods.len();
            c.pods.retain(|p| !(p.namespace == ns && p.name == pod));
            c.pods.len() != before
        })
    }

    /// Scale the `<prefix>-N` pods of `ns` (see [`Cluster::scale`]).
    pub fn scale(&self, ns: &str, prefix: &str, replicas: usize) -> bool {
        self.update(|c| c.scale(ns, prefix, replicas))
    }

    /// Freeze a replica on the state it has (`true`), or let it catch up (`false`).
    /// `false` when there is no such replica.
    pub fn lag_replica(&self, pod: &str, lagging: bool) -> bool {
        let Some(rep) = self.replica(pod) else {
            return false;
        };
        rep.lagging.store(lagging, Ordering::SeqCst);
        if !lagging {
            rep.zone.set_cluster(&self.cluster());
        }
        true
    }

    /// Stop every server and wait for the thread.
    pub fn shutdown(mut self) {
        self.stop_and_join();
    }

    fn stop_and_join(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for LiveCluster {
    fn drop(&mut self) {
        self.stop_and_join();
    }
}
