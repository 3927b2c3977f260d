//! How soon new pods receive traffic after a scale-up: this crate's
//! TTL-driven DNS stream and API watch against a fixed 10 s DNS poll (what
//! ginepro does, ignoring TTLs), on the same scale-up of the same Service.
//!
//! Four clients follow `shop/scale` in the embedded cluster, each with
//! its own stream and a round-robin balancer, each sending a request every
//! 5 ms to real loopback pods (`127.244.70.10-15`). Each trial scales
//! 3 → 6 at a random moment (so the poll's phase is random too) and times,
//! per client, the first response from a new pod. A measurement, printed:
//!
//! ```text
//! cargo run -p hsvc-discover --example scaleup -- [--trials N] [--ttl SECONDS]
//! ```

#[path = "support/http.rs"]
mod http;
#[path = "support/pods.rs"]
mod pods;

use std::time::{Duration, Instant};

use hsvc_discover::testkit::{self, LiveCluster};
use hsvc_discover::{
    ApiSource, Balancer, Discovery, DnsSource, Health, Policy, Refresh, SharedBalancer,
};

const SERVICE: &str = "scale";
const BLOCK: u8 = 70;
/// No trial waits longer than this for anything.
const PATIENCE: Duration = Duration::from_secs(45);

struct Client {
    name: &'static str,
    lb: SharedBalancer,
    health: Health,
}

impl Client {
    fn new(name: &'static str, d: Discovery) -> Client {
        let health = d.health();
        Client {
            name,
            lb: SharedBalancer::follow(d, Balancer::new(Policy::RoundRobin)),
            health,
        }
    }

    /// Requests every 5 ms until one is answered by a new pod.
    async fn first_new(&self, new: &[String], t0: Instant) -> Option<Duration> {
        let host = format!("{SERVICE}.{}", pods::NS);
        let client = http::client();
        while t0.elapsed() < PATIENCE {
            if let Some(addr) = self.lb.pick(b"").and_then(|(_, e)| e.socket_addr()) {
                if let Ok(pod) = http::get(&client, addr, &host, "/").await {
                    if new.contains(&pod) {
                        return Some(t0.elapsed());
                    }
                }
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        None
    }
}

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn summary(v: &[Duration]) -> String {
    if v.is_empty() {
        return "no trial reached a new pod".into();
    }
    let mut s = v.to_vec();
    s.sort();
    let mean = s.iter().sum::<Duration>() / s.len() as u32;
    format!(
        "min {:>6.2} s  median {:>6.2} s  mean {:>6.2} s  max {:>6.2} s",
        s[0].as_secs_f64(),
        s[s.len() / 2].as_secs_f64(),
        mean.as_secs_f64(),
        s[s.len() - 1].as_secs_f64()
    )
}

async fn run() -> Result<(), String> {
    let trials = arg("--trials", 5) as usize;
    let ttl = arg("--ttl", 5) as u32;
    let port = pods::free_port(pods::pod_ip(BLOCK, 0));
    let live = LiveCluster::start(pods::model(SERVICE, BLOCK, port, ttl))
        .map_err(|e| format!("cluster: {e}"))?;
    let mut pods = pods::Pods::start(SERVICE, BLOCK, port, http::serve).await;
    let dns = || DnsSource::new(vec![live.dns_addr()], pods::NS, SERVICE);
    let clients = [
        Client::new(
            "DNS, TTL-driven (default)",
            dns().map_err(|e| e.to_string())?.start(),
        ),
        Client::new(
            "DNS, TTL only (max = TTL)",
            dns()
                .map_err(|e| e.to_string())?
                .refresh(Refresh {
                    max: Duration::from_secs(u64::from(ttl)),
                    ..Refresh::default()
                })
                .start(),
        ),
        Client::new(
            "DNS, fixed 10 s poll",
            dns()
                .map_err(|e| e.to_string())?
                .refresh(Refresh::fixed(Duration::from_secs(10)))
                .start(),
        ),
        Client::new(
            "API watch (this crate)",
            ApiSource::new(
                testkit::api_client(&live)
                    .await
                    .map_err(|e| e.to_string())?,
                pods::NS,
                SERVICE,
            )
            .start()
            .map_err(|e| e.to_string())?,
        ),
    ];
    let mut rng = hsvc_balance::pick::SplitMix64::new(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64),
    );
    let new = pods.names(3..6);
    let mut results: Vec<Vec<Duration>> = vec![Vec::new(); clients.len()];
    println!("TTL {ttl} s, {trials} trials, scale 3 -> 6 at a random moment of each");
    for t in 0..trials {
        pods.scale(&live, 3).await;
        for c in &clients {
            tokio::time::timeout(PATIENCE, c.lb.wait_until(|b| b.len() == 3))
                .await
                .map_err(|_| format!("{}: not back to 3 pods: {:?}", c.name, c.health.get()))?;
        }
        // A random moment over the longest period of any client (the 10 s
        // poll, or the TTL), so that no client's phase is favoured: each
        // client has just resolved when the wait for 3 pods ends.
        let period = 10_000.max(u64::from(ttl) * 1000);
        let wait = Duration::from_millis(rng.below(period));
        tokio::time::sleep(wait).await;
        let t0 = Instant::now();
        pods.scale(&live, 6).await;
        let firsts =
            futures_util::future::join_all(clients.iter().map(|c| c.first_new(&new, t0))).await;
        let line: Vec<String> = clients
            .iter()
            .zip(&firsts)
            .map(|(c, f)| {
                format!(
                    "{}: {}",
                    c.name,
                    f.map_or("-".into(), |d| format!("{:.2} s", d.as_secs_f64()))
                )
            })
            .collect();
        println!("trial {}: {}", t + 1, line.join("; "));
        for (r, f) in results.iter_mut().zip(firsts) {
            r.extend(f);
        }
    }
    println!("time from the scale-up to the first response from a new pod:");
    for (c, r) in clients.iter().zip(&results) {
        println!("  {:<30} {}", c.name, summary(r));
    }
    Ok(())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("scaleup: {e}");
        std::process::exit(1);
    }
}
