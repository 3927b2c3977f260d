//! What the examples share: a model with one headless StatefulSet Service
//! whose pods are real loopback listeners, started and stopped as the model
//! scales (a pod listens before it is in the model, and stops once it is
//! out of it, as a real pod does around its readiness).

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use hsvc_discover::testkit::{Cluster, LiveCluster, Pod, Port, Service};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// The Service's namespace.
pub const NS: &str = "shop";

/// A free port on `ip` (the pods all listen on it, as a StatefulSet's do).
pub fn free_port(ip: IpAddr) -> u16 {
    std::net::TcpListener::bind((ip, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// The address of pod `i` (`127.244.<block>.<10 + i>`).
pub fn pod_ip(block: u8, i: usize) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(127, 244, block, 10 + i as u8))
}

/// `Cluster::demo()` with TTL `ttl` and the headless Service `shop/<name>`
/// (port `http` = `port`) over three ready StatefulSet pods `<name>-0..2`
/// at `127.244.<block>.10-12`, alternating between two nodes and zones.
pub fn model(name: &str, block: u8, port: u16, ttl: u32) -> Cluster {
    let mut c = Cluster::demo();
    c.ttl = ttl;
    c.services.push(Service::headless_selecting(
        NS,
        name,
        vec![Port::tcp("http", port)],
        &[("app", name)],
    ));
    for i in 0..3 {
        let (node, zone) = if i % 2 == 0 {
            ("node-a", "zone-a")
        } else {
            ("node-b", "zone-b")
        };
        c.pods.push(
            Pod::new(
                NS,
                &format!("{name}-{i}"),
                &[("app", name)],
                vec![pod_ip(block, i)],
            )
            .stateful(name)
            .on_node(node, Some(zone)),
        );
    }
    c
}

/// The cluster's first DNS replica as a source of `shop/<name>`, asked
/// again on the TTL but at least every 100 ms (the test model's TTL is
/// short).
pub fn dns_source(live: &LiveCluster, name: &str) -> Result<hsvc_discover::Discovery, String> {
    Ok(
        hsvc_discover::DnsSource::new(vec![live.dns_addr()], NS, name)
            .map_err(|e| e.to_string())?
            .refresh(hsvc_discover::Refresh {
                min: std::time::Duration::from_millis(100),
                max: std::time::Duration::from_secs(5),
                jitter: 0.1,
            })
            .start(),
    )
}

type Serve = Arc<dyn Fn(String, TcpListener, Arc<AtomicU64>) -> JoinHandle<()> + Send + Sync>;

/// The pods' listeners and what each has served.
pub struct Pods {
    name: String,
    block: u8,
    port: u16,
    serve: Serve,
    running: BTreeMap<usize, JoinHandle<()>>,
    hits: BTreeMap<String, Arc<AtomicU64>>,
}

impl Pods {
    /// Pods `0..3` listening; `serve(pod, listener, hits)` runs one pod's
    /// server (aborting its task must close every connection).
    pub async fn start<F, Fut>(name: &str, block: u8, port: u16, serve: F) -> Pods
    where
        F: Fn(String, TcpListener, Arc<AtomicU64>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let serve: Serve = Arc::new(move |pod, l, hits| tokio::spawn(serve(pod, l, hits)));
        let mut pods = Pods {
            name: name.to_string(),
            block,
            port,
            serve,
            running: BTreeMap::new(),
            hits: BTreeMap::new(),
        };
        for i in 0..3 {
            pods.listen(i).await;
        }
        pods
    }

    fn pod(&self, i: usize) -> String {
        format!("{}-{i}", self.name)
    }

    async fn listen(&mut self, i: usize) {
        let addr = SocketAddr::new(pod_ip(self.block, i), self.port);
        let l = TcpListener::bind(addr)
            .await
            .expect("bind a pod's loopback address");
        let hits = self
            .hits
            .entry(self.pod(i))
            .or_insert_with(|| Arc::new(AtomicU64::new(0)))
            .clone();
        self.running.insert(i, (self.serve)(self.pod(i), l, hits));
    }

    /// Scales to `n` pods: new pods listen first, then the model changes,
    /// then removed pods stop (closing their connections).
    pub async fn scale(&mut self, live: &LiveCluster, n: usize) {
        self.scale_then(live, n, || ()).await;
    }

    /// [`Pods::scale`], calling `just_before` right before the model
    /// changes (with nothing awaited in between) and returning its value.
    pub async fn scale_then<R>(
        &mut self,
        live: &LiveCluster,
        n: usize,
        just_before: impl FnOnce() -> R,
    ) -> R {
        let have: Vec<usize> = self.running.keys().copied().collect();
        for i in 0..n {
            if !self.running.contains_key(&i) {
                self.listen(i).await;
            }
        }
        let r = just_before();
        assert!(
            live.scale(NS, &self.name, n),
            "the model has {}-0",
            self.name
        );
        let model = live.cluster();
        for i in 0..n {
            let ips = model.pod(NS, &self.pod(i)).map(|p| p.ips.clone());
            assert_eq!(
                ips,
                Some(vec![pod_ip(self.block, i)]),
                "the model put {} where no listener is",
                self.pod(i)
            );
        }
        for i in have.into_iter().filter(|i| *i >= n) {
            if let Some(t) = self.running.remove(&i) {
                t.abort();
                let _ = t.await;
            }
        }
        r
    }

    /// Requests each pod has served, by pod name.
    pub fn hits(&self) -> BTreeMap<String, u64> {
        self.hits
            .iter()
            .map(|(k, v)| (k.clone(), v.load(Ordering::SeqCst)))
            .collect()
    }

    /// Names of pods `range`.
    pub fn names(&self, range: std::ops::Range<usize>) -> Vec<String> {
        range.map(|i| self.pod(i)).collect()
    }
}
