//! TCP checks against real loopback sockets.

mod support;

use std::time::Duration;

use hsvc_probe::{probe_one, Check, Outcome, ProbeOptions, Target};
use support::pods::*;

fn opts() -> ProbeOptions {
    ProbeOptions {
        connect_timeout: Duration::from_millis(300),
        ..ProbeOptions::default()
    }
}

#[tokio::test]
async fn open_port_is_open_and_healthy() {
    let a = accept_and_close(ip("127.0.1.1")).await;
    let t = Target::new(a.ip(), a.port(), 7);
    let r = probe_one(&t, &Check::Tcp, &opts()).await;
    assert_eq!(r.outcome, Outcome::Open);
    assert!(r.healthy);
    assert_eq!(r.target, t);
    assert_eq!(r.outcome.to_string(), "open");
}

#[tokio::test]
async fn closed_port_is_refused() {
    let ip = ip("127.0.1.2");
    let t = Target::new(ip, refused_port(ip), 0);
    let r = probe_one(&t, &Check::Tcp, &opts()).await;
    assert_eq!(r.outcome, Outcome::Refused);
    assert!(!r.healthy);
}

/// Loopback never drops SYNs on its own, so a listener with a full accept
/// queue (backlog 0, one queued connection, never accepted) stands in for a
/// blackholed pod.
#[tokio::test]
async fn full_backlog_is_connect_timeout() {
    let bh = blackhole(ip("127.0.1.3")).await;
    let t = Target::new(bh.addr.ip(), bh.addr.port(), 0);
    let r = probe_one(&t, &Check::Tcp, &opts()).await;
    assert_eq!(r.outcome, Outcome::Timeout);
    assert_eq!(r.outcome.kind(), "timeout");
    assert!(!r.healthy);
}

#[tokio::test]
async fn ipv6_loopback_when_available() {
    // Containers may lack ::1; skip rather than fail there.
    if std::net::TcpListener::bind("[::1]:0").is_err() {
        eprintln!("no ::1 here; skipping");
        return;
    }
    let a = accept_and_close(ip("::1")).await;
    let r = probe_one(&Target::new(a.ip(), a.port(), 0), &Check::Tcp, &opts()).await;
    assert_eq!(r.outcome, Outcome::Open);
    let r = probe_one(
        &Target::new(ip("::1"), refused_port(ip("::1")), 0),
        &Check::Tcp,
        &opts(),
    )
    .await;
    assert_eq!(r.outcome, Outcome::Refused);
}
