//! probe_all: input order, progress reporting, concurrency bound.

mod support;

use std::sync::atomic::Ordering;
use std::sync::Mutex;
use std::time::Duration;

use hsvc_probe::{probe_all, Check, Outcome, ProbeOptions, Target};
use support::pods::*;

fn opts(concurrency: usize) -> ProbeOptions {
    ProbeOptions {
        connect_timeout: Duration::from_millis(300),
        http_timeout: Duration::from_millis(400),
        concurrency,
    }
}

#[tokio::test]
async fn results_in_input_order_with_mixed_outcomes() {
    // Completion order differs from input order: the first targets are the
    // slowest (delayed responses, timeouts), the last ones answer at once.
    let slow = http_responder(
        ip("127.0.3.1"),
        200,
        Duration::from_millis(200),
        b"ok".to_vec(),
    )
    .await
    .0;
    let quiet = silent(ip("127.0.3.2")).await;
    let s503 = http_status(ip("127.0.3.3"), 503).await.0;
    let refused = ip("127.0.3.4");
    let refused = std::net::SocketAddr::new(refused, refused_port(refused));
    let fast = http_status(ip("127.0.3.5"), 200).await.0;
    let s204 = http_status(ip("127.0.3.6"), 204).await.0;

    let plan = [
        (
            slow,
            Outcome::Http {
                status: 200,
                ok: true,
            },
        ),
        (quiet, Outcome::HttpTimeout),
        (
            s503,
            Outcome::Http {
                status: 503,
                ok: false,
            },
        ),
        (refused, Outcome::Refused),
        (
            fast,
            Outcome::Http {
                status: 200,
                ok: true,
            },
        ),
        (
            s204,
            Outcome::Http {
                status: 204,
                ok: true,
            },
        ),
    ];
    // Several rounds of the plan, with caller tags that are not positions.
    let targets: Vec<Target> = (0..24)
        .map(|i| {
            let (a, _) = plan[i % plan.len()];
            Target::new(a.ip(), a.port(), 1000 + i)
        })
        .collect();
    let results = probe_all(targets.clone(), &Check::http("/"), &opts(5), None).await;
    assert_eq!(results.len(), targets.len());
    for (i, r) in results.iter().enumerate() {
        assert_eq!(r.target, targets[i], "result {i} out of order");
        assert_eq!(r.outcome, plan[i % plan.len()].1, "result {i}");
        assert_eq!(r.healthy, r.outcome.is_healthy());
    }
}

#[tokio::test]
async fn progress_counts_every_result() {
    let open = accept_and_close(ip("127.0.3.10")).await;
    let targets: Vec<Target> = (0..17)
        .map(|i| Target::new(open.ip(), open.port(), i))
        .collect();
    let calls = Mutex::new(Vec::new());
    let cb = |done: usize, total: usize| calls.lock().unwrap().push((done, total));
    let results = probe_all(targets, &Check::Tcp, &opts(4), Some(&cb)).await;
    assert!(results.iter().all(|r| r.outcome == Outcome::Open));
    let calls = calls.into_inner().unwrap();
    assert_eq!(calls, (1..=17).map(|d| (d, 17)).collect::<Vec<_>>());
}

#[tokio::test]
async fn empty_input() {
    let cb = |_: usize, _: usize| panic!("no progress for no targets");
    assert!(probe_all(Vec::new(), &Check::Tcp, &opts(4), Some(&cb))
        .await
        .is_empty());
}

/// The gate holds connections unanswered until no new one arrives for a
/// while, so the largest batch it holds is how many probes the engine had in
/// flight at once.
async fn max_in_flight(ip_s: &str, n: usize, concurrency: usize) -> usize {
    let (a, max) = batching_gate(ip(ip_s), Duration::from_millis(150)).await;
    let targets: Vec<Target> = (0..n).map(|i| Target::new(a.ip(), a.port(), i)).collect();
    let o = ProbeOptions {
        http_timeout: Duration::from_secs(30),
        ..opts(concurrency)
    };
    let results = probe_all(targets, &Check::http("/"), &o, None).await;
    assert!(
        results.iter().all(|r| r.healthy),
        "{:?}",
        results
            .iter()
            .map(|r| r.outcome.to_string())
            .collect::<Vec<_>>()
    );
    max.load(Ordering::SeqCst)
}

#[tokio::test]
async fn concurrency_is_bounded() {
    let m = max_in_flight("127.0.3.20", 20, 4).await;
    assert!(m <= 4, "{m} probes in flight with concurrency 4");
    // And it really runs probes in parallel (not one by one).
    assert!(m >= 2, "only {m} probe(s) in flight with concurrency 4");
}

#[tokio::test]
async fn zero_concurrency_means_one() {
    let m = max_in_flight("127.0.3.21", 3, 0).await;
    assert_eq!(m, 1);
}
