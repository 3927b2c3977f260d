//! One-off wall-time measurement, not a test of timing (nothing is asserted
//! about time). Run with:
//!
//! ```text
//! cargo test --release --test probe_measure -- --ignored --nocapture
//! ```
//!
//! 1000 HTTP targets on 127.0.0.1..=250 (4 ports each). Every 10th target
//! accepts but never answers; the rest answer 200. `http_timeout` 1 s,
//! concurrency 64. A second run makes every target silent (worst case).
//! The servers run on their own thread and runtime so they do not share the
//! prober's executor.

mod support;

use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use hsvc_probe::{probe_all, Check, Outcome, ProbeOptions, Target};
use support::pods::*;

const N: usize = 1000;

/// Starts the servers on a background thread; returns one address per target.
fn start_servers(silent_every: usize) -> Vec<SocketAddr> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let mut addrs = Vec::with_capacity(N);
            for i in 0..N {
                let ip = Ipv4Addr::new(127, 0, 0, (i % 250 + 1) as u8).into();
                let a = if i % silent_every == 0 {
                    silent(ip).await
                } else {
                    http_status(ip, 200).await.0
                };
                addrs.push(a);
            }
            tx.send(addrs).unwrap();
            std::future::pending::<()>().await;
        });
    });
    rx.recv().unwrap()
}

async fn run(label: &str, silent_every: usize) {
    let addrs = start_servers(silent_every);
    let targets: Vec<Target> = addrs
        .iter()
        .enumerate()
        .map(|(i, a)| Target::new(a.ip(), a.port(), i))
        .collect();
    let opts = ProbeOptions {
        connect_timeout: Duration::from_secs(1),
        http_timeout: Duration::from_secs(1),
        concurrency: 64,
    };
    let t0 = Instant::now();
    let results = probe_all(targets, &Check::http("/healthz"), &opts, None).await;
    let wall = t0.elapsed();
    let healthy = results.iter().filter(|r| r.healthy).count();
    let timeouts = results
        .iter()
        .filter(|r| r.outcome == Outcome::HttpTimeout)
        .count();
    let other = results.len() - healthy - timeouts;
    let bound = N.div_ceil(opts.concurrency) as f64 * opts.http_timeout.as_secs_f64();
    let slow = N.div_ceil(silent_every);
    let expected = slow.div_ceil(opts.concurrency) as f64 * opts.http_timeout.as_secs_f64();
    println!(
        "{label}: {N} targets, {healthy} healthy, {timeouts} http timeouts, {other} other; \
         wall {:.3} s; ceil({N}/64) x 1 s = {bound:.0} s; ceil({slow}/64) x 1 s = {expected:.0} s",
        wall.as_secs_f64()
    );
}

#[tokio::test]
#[ignore = "measurement, run by hand"]
async fn measure_1000_targets_10pct_silent() {
    run("10% silent", 10).await;
}

#[tokio::test]
#[ignore = "measurement, run by hand"]
async fn measure_1000_targets_all_silent() {
    run("all silent", 1).await;
}
