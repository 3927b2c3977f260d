//! A tonic channel fed by the discovery stream: `Channel::balance_channel`
//! takes tonic's `Change<Key, Endpoint>` (insert/remove, the shape of
//! tower's): an added or changed pod is inserted (replacing the old
//! endpoint of its key), a removed one removed. tonic then balances with
//! power-of-two-choices over the pods it is given.
//!
//! The pods are gRPC servers (the standard `grpc.health.v1.Health`
//! service, from tonic-health: no protoc) on their own loopback addresses
//! (`127.244.60.10-15`), counting the calls they serve; the Service scales
//! 3 → 6 → 2 in the embedded cluster (DNS with a 1 s TTL).
//!
//! `cargo run -p hsvc-discover --example tonic_balance` prints what happened;
//! `cargo test -p hsvc-discover --example tonic_balance` asserts it.

#[path = "support/pods.rs"]
mod pods;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use hsvc_discover::testkit::LiveCluster;
use hsvc_discover::{Change, Health, Key};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tonic::transport::channel::Change as TonicChange;
use tonic::transport::{Channel, Endpoint};
use tonic_health::pb::health_client::HealthClient;
use tonic_health::pb::HealthCheckRequest;
use tower::ServiceExt;

const SERVICE: &str = "grpc";
const BLOCK: u8 = 60;
/// Calls to make before giving up on a pod being reached (bounded loops).
const MAX_CALLS: usize = 3000;
const PATIENCE: Duration = Duration::from_secs(20);

/// One pod: the gRPC health service over HTTP/2, counting calls.
async fn serve(_pod: String, listener: TcpListener, hits: Arc<AtomicU64>) {
    let (_reporter, health) = tonic_health::server::health_reporter();
    let mut conns = tokio::task::JoinSet::new();
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            return;
        };
        let hits = hits.clone();
        let svc = health.clone().map_request(move |req: http::Request<_>| {
            hits.fetch_add(1, Ordering::SeqCst);
            req
        });
        conns.spawn(async move {
            let _ = hyper::server::conn::http2::Builder::new(TokioExecutor::new())
                .serve_connection(TokioIo::new(stream), TowerToHyperService::new(svc))
                .await;
        });
    }
}

/// Feeds the channel: every change of the stream, as tonic's. Counts the
/// changes handed over, so that the run knows when the channel has them.
fn feed(
    mut discovery: hsvc_discover::Discovery,
    tx: tokio::sync::mpsc::Sender<TonicChange<Key, Endpoint>>,
) -> (
    watch::Receiver<BTreeMap<String, bool>>,
    tokio::task::JoinHandle<()>,
) {
    let (set_tx, set_rx) = watch::channel(BTreeMap::new());
    let task = tokio::spawn(async move {
        while let Some(change) = discovery.next_change().await {
            let (id, present) = (
                change.key().id.clone(),
                !matches!(change, Change::Removed(_)),
            );
            let c = match change {
                Change::Added(k, ep) | Change::Changed(k, ep) => {
                    let Some(addr) = ep.socket_addr() else {
                        continue;
                    };
                    match Endpoint::from_shared(format!("http://{addr}")) {
                        Ok(e) => TonicChange::Insert(k, e),
                        Err(_) => continue,
                    }
                }
                Change::Removed(k) => TonicChange::Remove(k),
            };
            if tx.send(c).await.is_err() {
                return;
            }
            set_tx.send_modify(|s| {
                if present {
                    s.insert(id, true);
                } else {
                    s.remove(&id);
                }
            });
        }
    });
    (set_rx, task)
}

/// One scaling step as observed.
#[derive(Debug)]
pub struct Step {
    /// Pods after the step.
    pub pods: usize,
    /// Resolutions started before the model changed.
    pub resolutions_before: u64,
    /// The resolution whose answer brought the change.
    pub changed_at: u64,
    /// Calls until every pod of the step had served one (new pods
    /// included), or all calls made when that never happened.
    pub calls: usize,
    /// Calls each pod served during the step.
    pub hits: BTreeMap<String, u64>,
    /// Calls that failed.
    pub failed: usize,
}

async fn step(
    live: &LiveCluster,
    pods: &mut pods::Pods,
    set: &mut watch::Receiver<BTreeMap<String, bool>>,
    client: &mut HealthClient<Channel>,
    health: &Health,
    n: usize,
) -> Result<Step, String> {
    let resolutions_before = if n != 3 {
        pods.scale_then(live, n, || health.resolutions()).await
    } else {
        health.resolutions()
    };
    tokio::time::timeout(PATIENCE, set.wait_for(|s| s.len() == n))
        .await
        .map_err(|_| format!("the channel did not get {n} pods: {:?}", health.get()))?
        .map_err(|_| "the feed stopped".to_string())?;
    let changed_at = health.get().changed_at;
    let want = pods.names(0..n);
    let before = pods.hits();
    let mut failed = 0;
    let mut calls = 0;
    while calls < MAX_CALLS {
        calls += 1;
        let r = client
            .check(HealthCheckRequest {
                service: String::new(),
            })
            .await;
        if r.is_err() {
            failed += 1;
        }
        let now = pods.hits();
        if want
            .iter()
            .all(|p| now.get(p).copied().unwrap_or(0) > before.get(p).copied().unwrap_or(0))
        {
            break;
        }
    }
    // A few more calls, to see that no removed pod is called.
    for _ in 0..100 {
        if client
            .check(HealthCheckRequest {
                service: String::new(),
            })
            .await
            .is_err()
        {
            failed += 1;
        }
    }
    let after = pods.hits();
    let hits = after
        .iter()
        .map(|(k, v)| (k.clone(), v - before.get(k).copied().unwrap_or(0)))
        .collect();
    Ok(Step {
        pods: n,
        resolutions_before,
        changed_at,
        calls,
        hits,
        failed,
    })
}

/// Runs the scenario: 3 pods, then 6, then 2.
pub async fn run() -> Result<(Vec<Step>, hsvc_discover::HealthState), String> {
    let port = pods::free_port(pods::pod_ip(BLOCK, 0));
    let live = LiveCluster::start(pods::model(SERVICE, BLOCK, port, 1))
        .map_err(|e| format!("cluster: {e}"))?;
    let mut pods = pods::Pods::start(SERVICE, BLOCK, port, serve).await;
    let discovery = pods::dns_source(&live, SERVICE)?;
    let health = discovery.health();
    let (channel, tx) = Channel::balance_channel::<Key>(64);
    let (mut set, _feeder) = feed(discovery, tx);
    let mut client = HealthClient::new(channel);
    let mut steps = Vec::new();
    for n in [3, 6, 2] {
        steps.push(step(&live, &mut pods, &mut set, &mut client, &health, n).await?);
    }
    Ok((steps, health.get()))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    match run().await {
        Ok((steps, health)) => {
            for s in &steps {
                println!(
                    "{} pods: set from resolution {} (before: {}); every pod reached within {} calls; calls per pod {:?}; {} failed",
                    s.pods, s.changed_at, s.resolutions_before, s.calls, s.hits, s.failed
                );
            }
            println!("health: {health:?}");
        }
        Err(e) => {
            eprintln!("tonic_balance: {e}");
            std::process::exit(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_channel_follows_the_service_as_it_scales_3_6_2() {
        let (steps, health) = run().await.unwrap();
        for s in &steps {
            assert_eq!(s.failed, 0, "{s:?}");
            assert!(s.calls < MAX_CALLS, "some pod never reached: {s:?}");
        }
        let up = &steps[1];
        assert!(
            up.changed_at <= up.resolutions_before + 1,
            "new pods seen at resolution {} after scaling at {}",
            up.changed_at,
            up.resolutions_before
        );
        for p in ["grpc-3", "grpc-4", "grpc-5"] {
            assert!(up.hits[p] > 0, "{p}: {:?}", up.hits);
        }
        let down = &steps[2];
        assert!(down.changed_at <= down.resolutions_before + 1);
        for p in ["grpc-2", "grpc-3", "grpc-4", "grpc-5"] {
            assert_eq!(down.hits[p], 0, "{p} is gone: {:?}", down.hits);
        }
        assert!(down.hits["grpc-0"] > 0 && down.hits["grpc-1"] > 0);
        assert_eq!(health.total_failures, 0);
    }
}
