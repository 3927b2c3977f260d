//! The DNS source: the Service's A/AAAA and SRV records as CoreDNS serves
//! them (hsvc-resolve: own sockets, no cache, no `/etc/hosts`, no fallback
//! resolver), asked again when the answer's TTL runs out.

use std::net::SocketAddr;
use std::path::Path;

use hsvc_resolve::dns::QueryOptions;
use hsvc_resolve::endpoints::EndpointSet;
use hsvc_resolve::lookup::{Answer, PortQuery, Resolver};
use hsvc_resolve::name::{Context, Target};
use hsvc_resolve::resolv_conf::ResolvConf;
use tokio::sync::mpsc;

use crate::endpoint::{Endpoint, Key, Port, PortSelect};
use crate::refresh::Refresh;
use crate::stream::{Discovery, Health, QUEUE};
use crate::tracker::{OnEmpty, Tracker};
use crate::DiscoverError;

/// A headless Service found through cluster DNS.
///
/// ```no_run
/// # async fn run() -> Result<(), hsvc_discover::DiscoverError> {
/// use futures_util::StreamExt;
/// use hsvc_discover::{Change, DnsSource, Refresh};
///
/// // The pod's own resolv.conf: its nameservers, namespace and cluster domain.
/// let mut changes = DnsSource::from_resolv_conf("api")?
///     .refresh(Refresh::default())
///     .start();
/// while let Some(change) = changes.next().await {
///     match change {
///         Change::Added(key, ep) => println!("+ {key} {:?}", ep.socket_addr()),
///         Change::Changed(key, ep) => println!("~ {key} {:?}", ep.socket_addr()),
///         Change::Removed(key) => println!("- {key}"),
///     }
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct DnsSource {
    resolver: Resolver,
    target: Target,
    refresh: Refresh,
    port: PortSelect,
    on_empty: OnEmpty,
    seed: u64,
}

fn parse_target(name: &str, ctx: &Context) -> Result<Target, DiscoverError> {
    let t = Target::parse(name, ctx).map_err(|e| DiscoverError::Name {
        name: hsvc_resolve::escape::term(name).into_owned(),
        reason: e.to_string(),
    })?;
    if t.service().is_none() {
        return Err(DiscoverError::Name {
            name: hsvc_resolve::escape::term(name).into_owned(),
            reason: "not a Service name (`svc`, `svc.ns` or `svc.ns.svc.<zone>`)".into(),
        });
    }
    Ok(t)
}

impl DnsSource {
    /// The Service `name` (`svc`, `svc.ns`, `svc.ns.svc.cluster.local`;
    /// a short name is in `namespace`), asked of `servers` in order.
    pub fn new(
        servers: Vec<SocketAddr>,
        namespace: &str,
        name: &str,
    ) -> Result<DnsSource, DiscoverError> {
        let ctx = Context::new(Some(namespace), None, &[]);
        Ok(Self::with_target(servers, parse_target(name, &ctx)?))
    }

    /// The Service `name` with the nameservers, namespace (`<ns>.svc.<zone>`
    /// in `search`) and cluster domain of `/etc/resolv.conf`, as a pod sees
    /// them.
    pub fn from_resolv_conf(name: &str) -> Result<DnsSource, DiscoverError> {
        Self::from_resolv_conf_at(Path::new("/etc/resolv.conf"), name)
    }

    /// [`DnsSource::from_resolv_conf`] with another file.
    pub fn from_resolv_conf_at(path: &Path, name: &str) -> Result<DnsSource, DiscoverError> {
        let rc = ResolvConf::read(path).map_err(|e| {
            DiscoverError::Config(format!(
                "{}: {e}",
                hsvc_resolve::escape::term(&path.display().to_string())
            ))
        })?;
        if rc.nameservers.is_empty() {
            return Err(DiscoverError::Config(format!(
                "{}: no nameserver",
                hsvc_resolve::escape::term(&path.display().to_string())
            )));
        }
        let ctx = Context::new(None, None, &rc.search);
        Ok(Self::with_target(rc.nameservers, parse_target(name, &ctx)?))
    }

    fn with_target(servers: Vec<SocketAddr>, target: Target) -> DnsSource {
        DnsSource {
            resolver: Resolver::new(servers, QueryOptions::default()),
            target,
            refresh: Refresh::default(),
            port: PortSelect::First,
            on_empty: OnEmpty::KeepLast,
            seed: seed(),
        }
    }

    /// Ask these servers instead (in order), e.g. a node-local cache.
    pub fn servers(mut self, servers: Vec<SocketAddr>) -> Self {
        self.resolver.servers = servers;
        self
    }

    /// The re-resolution schedule (default: [`Refresh::default`]).
    pub fn refresh(mut self, refresh: Refresh) -> Self {
        self.refresh = refresh;
        self
    }

    /// Which port [`Endpoint::port`] is (default: the lowest SRV port). A
    /// named port is asked as `_<name>._tcp.<service>`.
    pub fn port(mut self, port: PortSelect) -> Self {
        self.port = port;
        self
    }

    /// What an empty answer does (default: [`OnEmpty::KeepLast`]).
    pub fn on_empty(mut self, on_empty: OnEmpty) -> Self {
        self.on_empty = on_empty;
        self
    }

    /// Timeout, attempts and transport of each query (default: 2 s, 2
    /// attempts, UDP with TCP on truncation).
    pub fn query_options(mut self, opts: QueryOptions) -> Self {
        self.resolver.opts = opts;
        self
    }

    /// The seed of the jitter (default: from the clock), for reproducible
    /// schedules in tests.
    pub fn jitter_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    fn ports(&self) -> PortQuery {
        match &self.port {
            PortSelect::Named(n) => PortQuery {
                name: Some(n.clone()),
                protocol: "tcp".into(),
                addresses_only: false,
            },
            _ => PortQuery::default(),
        }
    }

    /// Resolves once: the endpoints as keys and endpoints, or why not.
    pub async fn resolve_once(&self) -> Result<Resolved, String> {
        let answer = self
            .resolver
            .resolve(self.target.clone(), &self.ports())
            .await;
        resolved(&answer, &self.port)
    }

    /// Starts resolving on the current tokio runtime (first resolution at
    /// once) and returns the stream of changes.
    ///
    /// # Panics
    /// Outside a tokio runtime.
    pub fn start(self) -> Discovery {
        let (tx, rx) = mpsc::channel(QUEUE);
        let health = Health::default();
        let task = tokio::spawn(run(self, tx, health.clone()));
        Discovery::new(rx, task, health)
    }
}

/// One successful resolution.
#[derive(Clone, Debug)]
pub struct Resolved {
    /// The endpoints (one entry per address; [`crate::Tracker`] merges
    /// those of one key).
    pub entries: Vec<(Key, Endpoint)>,
    /// The smallest TTL of the answer's endpoints (`None`: no endpoint).
    pub ttl: Option<u32>,
    /// The server that answered.
    pub server: SocketAddr,
}

/// The keys and endpoints of a DNS answer; `Err` with the error and the
/// server when the lookup failed.
pub fn resolved(answer: &Answer, port: &PortSelect) -> Result<Resolved, String> {
    if let Some(e) = answer.error() {
        return Err(format!(
            "{} ({} asking {})",
            e.kind_str(),
            e.server,
            e.question
        ));
    }
    Ok(Resolved {
        entries: entries(&answer.endpoints, port),
        ttl: answer.endpoints.min_ttl(),
        server: answer.via.server,
    })
}

/// Keys and endpoints of an endpoint set.
pub fn entries(set: &EndpointSet, port: &PortSelect) -> Vec<(Key, Endpoint)> {
    set.iter()
        .map(|e| {
            let mut ports: Vec<Port> = e
                .ports
                .iter()
                .map(|p| Port {
                    name: p.name.clone(),
                    port: p.port,
                })
                .collect();
            ports.sort();
            ports.dedup();
            let key = Key {
                id: e.identity(),
                pod: None,
                hostname: e.hostname.clone(),
                node: None,
                zone: None,
            };
            let ep = Endpoint {
                addresses: vec![e.ip],
                port: port.choose(&ports),
                ports,
                weight: 1,
                ready: true,
            };
            (key, ep)
        })
        .collect()
}

fn seed() -> u64 {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

async fn run(src: DnsSource, tx: mpsc::Sender<Change>, health: Health) {
    let mut tracker = Tracker::new(src.on_empty);
    let mut rng = hsvc_balance::pick::SplitMix64::new(src.seed);
    let mut failures = 0u32;
    let mut ttl = None;
    loop {
        let n = {
            let mut n = 0;
            health.update(|h| {
                h.resolutions += 1;
                n = h.resolutions;
            });
            n
        };
        match src.resolve_once().await {
            Ok(r) => {
                failures = 0;
                ttl = r.ttl;
                let changes = tracker.apply(r.entries);
                let count = tracker.current().len();
                health.update(|h| {
                    h.failures = 0;
                    h.last_error = None;
                    h.answered_by = Some(r.server.to_string());
                    h.ttl = r.ttl;
                    h.endpoints = count;
                    if !changes.is_empty() {
                        h.changed_at = n;
                    }
                });
                for c in changes {
                    if tx.send(c).await.is_err() {
                        return;
                    }
                }
            }
            Err(why) => {
                failures = failures.saturating_add(1);
                health.update(|h| {
                    h.failures = failures;
                    h.total_failures += 1;
                    h.last_error = Some(why);
                });
            }
        }
        let delay = src.refresh.delay(ttl, failures, rng.next_u64());
        health.update(|h| h.next_in = Some(delay));
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = tx.closed() => return,
        }
    }
}

use crate::endpoint::Change;
