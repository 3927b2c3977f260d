//! Cluster DNS through the API server, every CoreDNS replica on its own:
//! what `kubectl port-forward pod/…` does, to each pod behind the DNS
//! Service at once, so that a laptop whose route to pod IPs does not exist
//! can still ask (and compare) each replica.
//!
//! - [`dns_replicas`] (pure): the replicas of a [`ServiceView`] of
//!   `kube-system/kube-dns` (or another DNS Service): one per pod, keyed by
//!   its pod IP and DNS port, which is what the DNS layer reports as the
//!   server that answered (`Via.server` stays truthful; nothing is ever sent
//!   to that address).
//! - [`PortForwardDns`]: a [`Link`] that opens one port-forward stream
//!   (`GET …/pods/NAME/portforward?ports=53`, WebSocket `v4.channel.k8s.io`)
//!   per replica per command and sends DNS-over-TCP frames pipelined on it,
//!   on the resolve crate's TCP engine ([`send_tcp`]). A stream that breaks
//!   is retried once on a fresh one; a refused forward (403, 404) is not
//!   retried within a round; every wait is bounded by the query timeout.
//!
//! The streams' client has no read timeout: kube's read timeout would cut
//! a stream that is idle between two `watch` polls. Each DNS try is bounded
//! by its own deadline instead.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Instant;

use hsvc_resolve::dns::{
    send_tcp, Ask, Broken, Dialer, Failure, Idle, Link, Malformed, QueryOptions, Sink, Transport,
    Tried,
};
use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use serde::Serialize;
use tokio::io::{AsyncRead, AsyncWrite, DuplexStream, ReadBuf};

use crate::client::ApiClient;
use crate::error::{esc, from_kube, Access, ApiError};
use crate::model::ServiceView;

/// The DNS Service of a kubeadm (and most other) clusters.
pub const DNS_SERVICE: (&str, &str) = ("kube-system", "kube-dns");

/// RBAC resource name of the subresource.
pub const PORTFORWARD: &str = "pods/portforward";

/// Fresh streams a replica gets in a row without an answer before its
/// failure is reported without opening more: the first and one retry.
const STREAMS_WITHOUT_ANSWER: u32 = 2;

/// Said of a replica whose streams broke twice in a row.
const RETRIED: &str = " (retried once on a fresh stream)";

/// One CoreDNS replica behind the DNS Service.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DnsReplica {
    /// The pod's namespace (the Service's).
    pub namespace: String,
    /// The pod (`coredns-5d78c9869d-abcde`).
    pub pod: String,
    /// Pod IP and DNS port: how the DNS layer names this server. Never
    /// dialled: the queries go through the API server.
    pub addr: SocketAddr,
    /// Whether its endpoint is ready (published): a replica that is not
    /// is still asked, after the ready ones.
    pub ready: bool,
}

/// The replicas of `view`: one per pod (its first address, IPv4 before
/// IPv6), the port of the slice's TCP port named `dns-tcp`, else any TCP
/// port 53, else 53. Ready replicas first, then by pod name. Addresses with
/// no pod behind them cannot be port-forwarded and are left out.
pub fn dns_replicas(view: &ServiceView) -> Vec<DnsReplica> {
    let mut out: Vec<DnsReplica> = Vec::new();
    for e in &view.endpoints {
        let Some(pod) = &e.pod else { continue };
        if out.iter().any(|r| &r.pod == pod) {
            continue; // the endpoints are sorted by IP: IPv4 came first
        }
        let tcp = |p: &&crate::model::SlicePort| p.protocol.eq_ignore_ascii_case("TCP");
        let port = e
            .ports
            .iter()
            .filter(tcp)
            .find(|p| p.name.as_deref() == Some("dns-tcp"))
            .or_else(|| e.ports.iter().filter(tcp).find(|p| p.port == Some(53)))
            .and_then(|p| p.port)
            .and_then(|p| u16::try_from(p).ok())
            .filter(|p| *p > 0)
            .unwrap_or(53);
        out.push(DnsReplica {
            namespace: view.namespace.clone(),
            pod: pod.clone(),
            addr: SocketAddr::new(e.ip, port),
            ready: e.published,
        });
    }
    out.sort_by(|a, b| b.ready.cmp(&a.ready).then_with(|| a.pod.cmp(&b.pod)));
    out
}

impl ApiClient {
    /// The replicas behind the DNS Service `namespace/name`
    /// ([`ApiError::ServiceNotFound`] when it does not exist).
    pub async fn dns_replicas(
        &self,
        namespace: &str,
        name: &str,
    ) -> Result<Vec<DnsReplica>, ApiError> {
        Ok(dns_replicas(&self.service_view(namespace, name).await?))
    }
}

/// Per replica, for one command.
#[derive(Default)]
struct Slot {
    /// The stream between batches.
    idle: Option<Idle<ForwardStream>>,
    /// Streams opened since the last answer.
    fruitless: u32,
    /// The last failure of a try at this replica.
    last: Option<Failure>,
    /// The forward was refused (403, 404, 400): not asked again this round.
    refused: Option<Failure>,
    /// [`PortForwardDns::rearm`] generation this state belongs to.
    round: u64,
}

/// Cluster DNS through the API server: a [`Link`] whose servers are the
/// [`DnsReplica`]s, each reached over its own port-forward stream.
pub struct PortForwardDns {
    pods: Api<Pod>,
    replicas: Vec<DnsReplica>,
    slots: Vec<tokio::sync::Mutex<Slot>>,
    server: String,
    credentials: String,
    opened: AtomicU64,
    round: AtomicU64,
}

impl std::fmt::Debug for PortForwardDns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PortForwardDns")
            .field("server", &self.server)
            .field("replicas", &self.replicas)
            .finish()
    }
}

impl PortForwardDns {
    /// Streams to `replicas` (all in one namespace) through the API server
    /// of `client`. Call from within a tokio runtime.
    pub fn new(client: &ApiClient, replicas: Vec<DnsReplica>) -> Result<Self, ApiError> {
        let cfg = client.config();
        let mut kube_cfg = cfg.kube.clone();
        // See the module documentation: an idle stream must survive.
        kube_cfg.read_timeout = None;
        kube_cfg.write_timeout = None;
        let server = cfg.server();
        let kube = kube::Client::try_from(kube_cfg).map_err(|e| ApiError::Connect {
            server: server.clone(),
            detail: esc(&e.to_string()),
        })?;
        let namespace = replicas
            .first()
            .map_or(DNS_SERVICE.0.to_string(), |r| r.namespace.clone());
        Ok(PortForwardDns {
            pods: Api::namespaced(kube, &namespace),
            slots: replicas.iter().map(|_| Default::default()).collect(),
            replicas,
            server,
            credentials: cfg.credentials.describe(),
            opened: AtomicU64::new(0),
            round: AtomicU64::new(0),
        })
    }

    /// The replicas, in the order they are asked.
    pub fn replicas(&self) -> &[DnsReplica] {
        &self.replicas
    }

    /// The replica known by `addr`.
    pub fn replica(&self, addr: SocketAddr) -> Option<&DnsReplica> {
        self.replicas.iter().find(|r| r.addr == addr)
    }

    /// Port-forward streams opened so far (upgrades the API server accepted).
    pub fn streams_opened(&self) -> u64 {
        self.opened.load(Ordering::SeqCst)
    }

    /// A new round (a `watch` poll): replicas whose forward was refused or
    /// whose streams broke get one fresh try again. Open streams stay.
    pub fn rearm(&self) {
        self.round.fetch_add(1, Ordering::SeqCst);
    }
}

fn fail_all(asks: &[Ask<'_>], failure: &Failure, sink: &mut Sink<'_>) {
    let now = Instant::now();
    for k in 0..asks.len() {
        sink(
            k,
            Tried {
                sent: now,
                latency: std::time::Duration::ZERO,
                result: Err(failure.clone()),
                question_owned: 0,
            },
        );
    }
}

impl Link for PortForwardDns {
    async fn send<'a>(
        &'a self,
        server: SocketAddr,
        transport: Transport,
        asks: &'a [Ask<'a>],
        opts: &'a QueryOptions,
        sink: &'a mut Sink<'_>,
    ) {
        if asks.is_empty() {
            return;
        }
        let Some(i) = self.replicas.iter().position(|r| r.addr == server) else {
            let f = Failure::Network(format!("{server} is not a replica of the DNS Service"));
            return fail_all(asks, &f, sink);
        };
        if transport == Transport::Udp {
            let f = Failure::Network("a port-forward carries TCP only (use --tcp)".into());
            return fail_all(asks, &f, sink);
        }
        let replica = &self.replicas[i];
        // Another batch may be using this replica's stream: wait for it,
        // as long as a try of ours may last, rather than open a second.
        let mut until = Instant::now() + opts.timeout;
        if let Some(d) = opts.deadline {
            until = until.min(d);
        }
        let Ok(mut slot) = tokio::time::timeout_at(until.into(), self.slots[i].lock()).await else {
            return fail_all(asks, &Failure::Timeout, sink);
        };
        let round = self.round.load(Ordering::SeqCst);
        if slot.round != round {
            slot.round = round;
            slot.fruitless = 0;
            slot.refused = None;
        }
        let mut answered = false;
        let mut last = None;
        {
            let mut dialer = ReplicaDialer {
                link: self,
                replica,
                slot: &mut slot,
            };
            let mut watch = |k: usize, mut t: Tried| {
                match &t.result {
                    Ok(_) => answered = true,
                    Err(f) => {
                        let f = explain(f, replica);
                        if !matches!(&f, Failure::Network(m) if m.ends_with(RETRIED)) {
                            last = Some(f.clone());
                        }
                        t.result = Err(f);
                    }
                }
                sink(k, t);
            };
            send_tcp(&mut dialer, server, asks, opts, &mut watch).await;
        }
        if answered {
            slot.fruitless = 0;
        }
        if last.is_some() {
            slot.last = last;
        }
    }
}

/// A failure said in the terms of a port-forward: the engine's words for a
/// TCP peer that closed are about the stream here. (The engine reads only
/// while questions are in flight, so an end of stream is always one that
/// cut answers off; kube's client may drop the part of a frame that came
/// with a reset, so a cut frame can look like a clean end.)
fn explain(f: &Failure, r: &DnsReplica) -> Failure {
    match f {
        Failure::Malformed(Malformed::ShortFrame) => Failure::Network(format!(
            "port-forward stream to {} closed mid-answer (reply cut short)",
            esc(&r.pod)
        )),
        Failure::Network(m) if m.starts_with("server closed the TCP connection") => {
            Failure::Network(format!(
                "port-forward stream to {} closed mid-answer",
                esc(&r.pod)
            ))
        }
        other => other.clone(),
    }
}

struct ReplicaDialer<'a> {
    link: &'a PortForwardDns,
    replica: &'a DnsReplica,
    slot: &'a mut Slot,
}

impl ReplicaDialer<'_> {
    fn access(&self) -> Access {
        Access {
            verb: "create",
            resource: PORTFORWARD,
            namespace: Some(self.replica.namespace.clone()),
        }
    }
}

impl Dialer for ReplicaDialer<'_> {
    type Stream = ForwardStream;

    fn take_idle(&mut self, _server: SocketAddr) -> Option<Idle<ForwardStream>> {
        // A stream the far end closed is found out by the first read; the
        // engine then redials once (`redial`, `reused`).
        self.slot.idle.take()
    }

    fn put_idle(&mut self, _server: SocketAddr, idle: Idle<ForwardStream>) {
        self.slot.idle = Some(idle);
    }

    async fn dial(
        &mut self,
        _server: SocketAddr,
        until: Instant,
    ) -> Result<ForwardStream, Failure> {
        if let Some(f) = &self.slot.refused {
            return Err(f.clone());
        }
        let r = self.replica;
        if self.slot.fruitless >= STREAMS_WITHOUT_ANSWER {
            let last = match &self.slot.last {
                Some(Failure::Network(m)) => m.clone(),
                Some(f) => format!("port-forward to {}: {f}", esc(&r.pod)),
                None => format!("port-forward to {}: no answer", esc(&r.pod)),
            };
            return Err(Failure::Network(format!("{last}{RETRIED}")));
        }
        self.slot.fruitless += 1;
        let port = r.addr.port();
        let pf = match tokio::time::timeout_at(
            until.into(),
            self.link.pods.portforward(&r.pod, &[port]),
        )
        .await
        {
            Err(_) => return Err(Failure::Timeout),
            Ok(Ok(pf)) => pf,
            Ok(Err(e)) => {
                let e = from_kube(e, &self.access(), &self.link.server, &self.link.credentials);
                let refused = matches!(
                    &e,
                    ApiError::Forbidden { .. }
                        | ApiError::Unauthorized { .. }
                        | ApiError::Server {
                            code: 400..=499,
                            ..
                        }
                );
                let f = match e {
                    ApiError::Timeout { .. } => Failure::Timeout,
                    e => Failure::Network(format!(
                        "port-forward to {}/{}: {e}",
                        esc(&r.namespace),
                        esc(&r.pod)
                    )),
                };
                if refused {
                    self.slot.refused = Some(f.clone());
                }
                return Err(f);
            }
        };
        let mut pf = pf;
        let io = pf
            .take_stream(port)
            .ok_or_else(|| Failure::Network("port-forward without its stream".into()))?;
        let error = pf.take_error(port).map(|e| {
            let e: Pin<Box<dyn Future<Output = Option<String>> + Send>> = Box::pin(e);
            e
        });
        self.link.opened.fetch_add(1, Ordering::SeqCst);
        Ok(ForwardStream { io, error })
    }

    /// Once after a stream broke without an answer on it (then the failure
    /// is reported); again whenever answers came in between.
    fn redial(&mut self, failure: &Failure, how: Broken) -> bool {
        if how.answered > 0 {
            self.slot.fruitless = 0;
        }
        let broke = matches!(
            failure,
            Failure::Network(_) | Failure::ConnRefused | Failure::Malformed(Malformed::ShortFrame)
        );
        broke && (how.reused || how.answered > 0 || how.redials == 0)
    }
}

/// The data channel of one forwarded port, with its error channel: when
/// the data ends because the kubelet could not forward (a pod that is not
/// running, nothing listening), the read fails with the kubelet's message
/// instead of a bare end of stream.
pub struct ForwardStream {
    io: DuplexStream,
    error: Option<Pin<Box<dyn Future<Output = Option<String>> + Send>>>,
}

impl std::fmt::Debug for ForwardStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ForwardStream").finish_non_exhaustive()
    }
}

impl AsyncRead for ForwardStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.io).poll_read(cx, buf);
        let eof = matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() == before;
        if eof && buf.remaining() > 0 {
            // kube forwards the error frame before it ends the data.
            if let Some(e) = self.error.as_mut() {
                if let Poll::Ready(msg) = e.as_mut().poll(cx) {
                    self.error = None;
                    if let Some(msg) = msg.filter(|m| !m.trim().is_empty()) {
                        return Poll::Ready(Err(std::io::Error::other(esc(&msg))));
                    }
                }
            }
        }
        polled
    }
}

impl AsyncWrite for ForwardStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Conditions, Origin, Slice, SliceEndpoint, SlicePort};

    fn ep(addr: &str, pod: Option<&str>, ready: bool) -> SliceEndpoint {
        SliceEndpoint {
            addresses: vec![addr.into()],
            conditions: Conditions::for_pod(ready, false, false),
            hostname: None,
            pod: pod.map(str::to_string),
            target_kind: None,
            node: None,
            zone: None,
        }
    }

    fn port(name: &str, port: i32, protocol: &str) -> SlicePort {
        SlicePort {
            name: Some(name.into()),
            port: Some(port),
            protocol: protocol.into(),
            app_protocol: None,
        }
    }

    #[test]
    fn one_replica_per_pod_ready_first_on_the_dns_tcp_port() {
        let slices = vec![
            Slice {
                name: "kube-dns-v4".into(),
                address_type: "IPv4".into(),
                ports: vec![
                    port("dns", 53, "UDP"),
                    port("dns-tcp", 5353, "TCP"),
                    port("metrics", 9153, "TCP"),
                ],
                endpoints: vec![
                    ep("10.244.0.3", Some("coredns-b"), false),
                    ep("10.244.0.2", Some("coredns-a"), true),
                    ep("10.244.0.9", None, true),
                ],
            },
            Slice {
                name: "kube-dns-v6".into(),
                address_type: "IPv6".into(),
                ports: vec![port("dns-tcp", 5353, "TCP")],
                endpoints: vec![ep("fd00::2", Some("coredns-a"), true)],
            },
        ];
        let view = ServiceView::new(
            "kube-system",
            "kube-dns",
            None,
            Origin::EndpointSlice,
            slices,
            vec![],
        );
        let r = dns_replicas(&view);
        let got: Vec<(&str, String, bool)> = r
            .iter()
            .map(|r| (r.pod.as_str(), r.addr.to_string(), r.ready))
            .collect();
        assert_eq!(
            got,
            [
                ("coredns-a", "10.244.0.2:5353".to_string(), true),
                ("coredns-b", "10.244.0.3:5353".to_string(), false),
            ]
        );
        assert!(r.iter().all(|r| r.namespace == "kube-system"));
    }

    #[test]
    fn without_a_tcp_dns_port_it_is_53() {
        let slices = vec![Slice {
            name: "s".into(),
            address_type: "IPv4".into(),
            ports: vec![port("dns", 53, "UDP")],
            endpoints: vec![ep("10.0.0.1", Some("p"), true)],
        }];
        let view = ServiceView::new("ns", "dns", None, Origin::EndpointSlice, slices, vec![]);
        assert_eq!(dns_replicas(&view)[0].addr.port(), 53);
    }

    #[test]
    fn failures_are_told_in_port_forward_terms() {
        let r = DnsReplica {
            namespace: "kube-system".into(),
            pod: "coredns-a".into(),
            addr: "10.0.0.1:53".parse().unwrap(),
            ready: true,
        };
        assert_eq!(
            explain(&Failure::Malformed(Malformed::ShortFrame), &r).to_string(),
            "network error: port-forward stream to coredns-a closed mid-answer (reply cut short)"
        );
        assert_eq!(explain(&Failure::Timeout, &r), Failure::Timeout);
    }
}
