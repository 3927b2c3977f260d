//! A hyper client that balances requests over a headless Service by key:
//! each request's key (a tenant, a user, a cache key) goes to the pod that
//! rendezvous hashing gives it, over the pods the discovery stream follows.
//!
//! Against the embedded cluster (DNS with a 1 s TTL) while the Service
//! scales 3 → 6 → 2; every pod is a real HTTP/1.1 server on its own
//! loopback address (`127.244.50.10-15`) that answers with its name.
//!
//! `cargo run -p hsvc-discover --example hyper_by_key` prints what happened;
//! `cargo test -p hsvc-discover --example hyper_by_key` asserts it.

#[path = "support/http.rs"]
mod http;
#[path = "support/pods.rs"]
mod pods;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use hsvc_discover::testkit::LiveCluster;
use hsvc_discover::{Balancer, Health, Policy, SharedBalancer};

const SERVICE: &str = "echo";
const BLOCK: u8 = 50;
const KEYS: usize = 300;
/// Bounds every wait: a broken stream fails the run instead of hanging it.
const PATIENCE: Duration = Duration::from_secs(20);

/// The client side: one GET to the pod that owns `key`; returns the pod
/// the balancer chose and the pod that answered.
async fn get(
    client: &http::Client,
    lb: &SharedBalancer,
    key: &str,
) -> Result<(String, String), String> {
    let (pod, ep) = lb.pick(key.as_bytes()).ok_or("no endpoint")?;
    let addr = ep.socket_addr().ok_or("endpoint without a port")?;
    let host = format!("{SERVICE}.{}", pods::NS);
    let answered = http::get(client, addr, &host, &format!("/{key}"))
        .await
        .map_err(|e| format!("{pod}: {e}"))?;
    Ok((pod.id, answered))
}

/// Every key once: key → the pod that answered (checked to be the one
/// the balancer chose).
async fn round(
    client: &http::Client,
    lb: &SharedBalancer,
) -> Result<BTreeMap<String, String>, String> {
    let mut owners = BTreeMap::new();
    for k in 0..KEYS {
        let key = format!("tenant-{k}");
        let (chosen, answered) = get(client, lb, &key).await?;
        if chosen != answered {
            return Err(format!("{key}: chose {chosen}, answered by {answered}"));
        }
        owners.insert(key, answered);
    }
    Ok(owners)
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
    /// From the model change to the balancer having the new set (measured).
    pub took: Duration,
    /// Key → pod after the step.
    pub owners: BTreeMap<String, String>,
    /// Requests each pod served during the step's round.
    pub hits: BTreeMap<String, u64>,
}

/// What a run observed.
#[derive(Debug)]
pub struct Report {
    /// Key → pod with the first three pods.
    pub initial: BTreeMap<String, String>,
    /// 3 → 6, then 6 → 2.
    pub steps: Vec<Step>,
    /// The source's health at the end.
    pub health: hsvc_discover::HealthState,
    /// TTL of the answers.
    pub ttl: u32,
    /// Times the picker was rebuilt (once per resolution that changed the
    /// members, however many pods it added or removed).
    pub rebuilds: u64,
}

fn delta(before: &BTreeMap<String, u64>, after: &BTreeMap<String, u64>) -> BTreeMap<String, u64> {
    after
        .iter()
        .map(|(k, v)| (k.clone(), v - before.get(k).copied().unwrap_or(0)))
        .collect()
}

async fn scale_step(
    client: &http::Client,
    live: &LiveCluster,
    pods: &mut pods::Pods,
    lb: &SharedBalancer,
    health: &Health,
    n: usize,
) -> Result<Step, String> {
    let (resolutions_before, t0) = pods
        .scale_then(live, n, || (health.resolutions(), Instant::now()))
        .await;
    tokio::time::timeout(PATIENCE, lb.wait_until(|b| b.len() == n))
        .await
        .map_err(|_| format!("the balancer did not reach {n} pods: {:?}", health.get()))?;
    let took = t0.elapsed();
    let changed_at = health.get().changed_at;
    let before = pods.hits();
    let owners = round(client, lb).await?;
    Ok(Step {
        pods: n,
        resolutions_before,
        changed_at,
        took,
        owners,
        hits: delta(&before, &pods.hits()),
    })
}

/// Runs the scenario: 3 pods, then 6, then 2.
pub async fn run() -> Result<Report, String> {
    let ttl = 1;
    let port = pods::free_port(pods::pod_ip(BLOCK, 0));
    let live = LiveCluster::start(pods::model(SERVICE, BLOCK, port, ttl))
        .map_err(|e| format!("cluster: {e}"))?;
    let mut pods = pods::Pods::start(SERVICE, BLOCK, port, http::serve).await;

    let discovery = pods::dns_source(&live, SERVICE)?;
    let health = discovery.health();
    let lb = SharedBalancer::follow(discovery, Balancer::new(Policy::Hash));
    tokio::time::timeout(PATIENCE, lb.wait_for(3))
        .await
        .map_err(|_| format!("no first answer: {:?}", health.get()))?;
    // One pooled client for the run: connections to a pod are kept alive
    // and reused while the pod lives.
    let client = http::client();
    let initial = round(&client, &lb).await?;
    let mut steps = Vec::new();
    for n in [6, 2] {
        steps.push(scale_step(&client, &live, &mut pods, &lb, &health, n).await?);
    }
    Ok(Report {
        initial,
        steps,
        health: health.get(),
        ttl,
        rebuilds: lb.rebuilds(),
    })
}

fn moved(a: &BTreeMap<String, String>, b: &BTreeMap<String, String>) -> usize {
    a.iter().filter(|(k, v)| b.get(*k) != Some(*v)).count()
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    match run().await {
        Ok(r) => {
            println!("TTL {} s; {} keys", r.ttl, KEYS);
            let mut prev = &r.initial;
            for s in &r.steps {
                println!(
                    "-> {} pods: new set from resolution {} (scaled after {}), in {:?}; {} keys moved; requests per pod {:?}",
                    s.pods,
                    s.changed_at,
                    s.resolutions_before,
                    s.took,
                    moved(prev, &s.owners),
                    s.hits
                );
                prev = &s.owners;
            }
            println!(
                "picker rebuilt {} times; health: {:?}",
                r.rebuilds, r.health
            );
        }
        Err(e) => {
            eprintln!("hyper_by_key: {e}");
            std::process::exit(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pods_of(owners: &BTreeMap<String, String>) -> std::collections::BTreeSet<&str> {
        owners.values().map(String::as_str).collect()
    }

    #[tokio::test(flavor = "current_thread")]
    async fn keys_follow_the_service_as_it_scales_3_6_2() {
        let r = run().await.unwrap();
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            pods_of(&r.initial).into_iter().collect::<Vec<_>>(),
            ["echo-0", "echo-1", "echo-2"]
        );

        // 3 -> 6: the set changes at the first resolution after the model
        // did (or the one in flight then), i.e. within one TTL; the new pods
        // get requests; a key moves only onto a new pod.
        let up = &r.steps[0];
        assert!(
            up.changed_at <= up.resolutions_before + 1,
            "seen at resolution {} after scaling at {}",
            up.changed_at,
            up.resolutions_before
        );
        for p in names(&["echo-3", "echo-4", "echo-5"]) {
            assert!(up.hits[&p] > 0, "{p} served nothing: {:?}", up.hits);
        }
        for (k, before) in &r.initial {
            let after = &up.owners[k];
            assert!(
                after == before || ["echo-3", "echo-4", "echo-5"].contains(&after.as_str()),
                "{k} moved from {before} to {after}, an old pod"
            );
        }
        let moved_up = moved(&r.initial, &up.owners);
        assert!((KEYS / 4..KEYS * 3 / 4).contains(&moved_up), "{moved_up}");

        // 6 -> 2: only the keys of removed pods move; the removed pods
        // (stopped) serve nothing.
        let down = &r.steps[1];
        assert!(down.changed_at <= down.resolutions_before + 1);
        assert_eq!(
            pods_of(&down.owners).into_iter().collect::<Vec<_>>(),
            ["echo-0", "echo-1"]
        );
        for (k, before) in &up.owners {
            if before == "echo-0" || before == "echo-1" {
                assert_eq!(&down.owners[k], before, "{k} left a pod that stayed");
            }
        }
        for p in names(&["echo-2", "echo-3", "echo-4", "echo-5"]) {
            assert_eq!(down.hits[&p], 0, "{p} is gone");
        }
        assert_eq!(r.health.total_failures, 0, "{:?}", r.health);
        assert_eq!(r.health.ttl, Some(r.ttl));
        // Resolutions are spaced by the TTL (never more): so "the next
        // resolution" above is "within one TTL".
        let next = r.health.next_in.expect("a next resolution is scheduled");
        assert!(next <= Duration::from_secs(u64::from(r.ttl)), "{next:?}");
    }
}
