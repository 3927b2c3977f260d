//! HTTP checks against tiny loopback responders.

mod support;

use std::time::Duration;

use hsvc_probe::{probe_one, Check, Expect, Outcome, ProbeOptions, Target};
use support::pods::*;

fn opts() -> ProbeOptions {
    ProbeOptions {
        connect_timeout: Duration::from_millis(300),
        http_timeout: Duration::from_millis(500),
        concurrency: 8,
    }
}

fn http(path: &str, expect: &str) -> Check {
    Check::Http {
        path: path.into(),
        expect: expect.parse::<Expect>().unwrap(),
    }
}

fn target(a: std::net::SocketAddr) -> Target {
    Target::new(a.ip(), a.port(), 0)
}

#[tokio::test]
async fn status_200_and_204_are_healthy_by_default() {
    for (n, status) in [200u16, 204].into_iter().enumerate() {
        let (a, _) = http_status(ip(&format!("127.0.2.{}", n + 1)), status).await;
        let r = probe_one(&target(a), &Check::http("/"), &opts()).await;
        assert_eq!(r.outcome, Outcome::Http { status, ok: true });
        assert!(r.healthy);
        assert_eq!(r.outcome.to_string(), format!("http {status}"));
    }
}

#[tokio::test]
async fn status_503_is_unhealthy_unless_expected() {
    let (a, _) = http_status(ip("127.0.2.3"), 503).await;
    let r = probe_one(&target(a), &Check::http("/"), &opts()).await;
    assert_eq!(
        r.outcome,
        Outcome::Http {
            status: 503,
            ok: false
        }
    );
    assert!(!r.healthy);
    assert_eq!(r.outcome.to_string(), "http 503");
    assert_eq!(r.outcome.kind(), "http");

    let r = probe_one(&target(a), &http("/", "2xx,503"), &opts()).await;
    assert_eq!(
        r.outcome,
        Outcome::Http {
            status: 503,
            ok: true
        }
    );
    assert!(r.healthy);
}

#[tokio::test]
async fn expect_excludes_other_2xx() {
    let (a, _) = http_status(ip("127.0.2.4"), 204).await;
    let r = probe_one(&target(a), &http("/", "200"), &opts()).await;
    assert_eq!(
        r.outcome,
        Outcome::Http {
            status: 204,
            ok: false
        }
    );
    assert!(!r.healthy);
}

#[tokio::test]
async fn request_line_and_headers() {
    let (a, seen) = http_status(ip("127.0.2.5"), 200).await;
    probe_one(&target(a), &http("/healthz?full=1", "2xx"), &opts()).await;
    let t = Target {
        host: Some("web-0.web.default.svc.cluster.local".into()),
        ..target(a)
    };
    probe_one(&t, &http("ready", "2xx"), &opts()).await;

    let heads = seen.heads();
    assert_eq!(heads.len(), 2);
    let lower: Vec<String> = heads.iter().map(|h| h.to_ascii_lowercase()).collect();
    assert!(
        heads[0].starts_with("GET /healthz?full=1 HTTP/1.1\r\n"),
        "{}",
        heads[0]
    );
    assert!(
        lower[0].contains(&format!("\r\nhost: {a}\r\n")),
        "{}",
        heads[0]
    );
    assert!(
        lower[0].contains("\r\nconnection: close\r\n"),
        "{}",
        heads[0]
    );
    let ua = format!("\r\nuser-agent: hsvc/{}\r\n", env!("CARGO_PKG_VERSION"));
    assert!(lower[0].contains(&ua), "{}", heads[0]);
    // Missing leading slash is added; Host override is used verbatim.
    assert!(
        heads[1].starts_with("GET /ready HTTP/1.1\r\n"),
        "{}",
        heads[1]
    );
    assert!(
        lower[1].contains("\r\nhost: web-0.web.default.svc.cluster.local\r\n"),
        "{}",
        heads[1]
    );
}

#[tokio::test]
async fn accepted_but_silent_is_http_timeout() {
    let a = silent(ip("127.0.2.6")).await;
    let r = probe_one(&target(a), &Check::http("/"), &opts()).await;
    assert_eq!(r.outcome, Outcome::HttpTimeout);
    assert_eq!(r.outcome.to_string(), "http timeout");
    assert_eq!(r.outcome.kind(), "http_timeout");
    assert!(!r.healthy);
}

#[tokio::test]
async fn response_slower_than_timeout_is_http_timeout() {
    let (a, _) = http_responder(ip("127.0.2.7"), 200, Duration::from_secs(5), Vec::new()).await;
    let r = probe_one(&target(a), &Check::http("/"), &opts()).await;
    assert_eq!(r.outcome, Outcome::HttpTimeout);
}

#[tokio::test]
async fn connect_failures_keep_their_tcp_kind() {
    let ip8 = ip("127.0.2.8");
    let r = probe_one(
        &Target::new(ip8, refused_port(ip8), 0),
        &Check::http("/"),
        &opts(),
    )
    .await;
    assert_eq!(r.outcome, Outcome::Refused);

    let bh = blackhole(ip("127.0.2.9")).await;
    let r = probe_one(&target(bh.addr), &Check::http("/"), &opts()).await;
    assert_eq!(r.outcome, Outcome::Timeout);
}

#[tokio::test]
async fn not_http_is_an_error() {
    let a = raw_responder(ip("127.0.2.10"), b"SSH-2.0-OpenSSH_9.6\r\n").await;
    let r = probe_one(&target(a), &Check::http("/"), &opts()).await;
    assert!(
        matches!(r.outcome, Outcome::HttpError(_)),
        "{:?}",
        r.outcome
    );
    assert_eq!(r.outcome.kind(), "error");
    assert!(r.outcome.to_string().starts_with("error: http: "));
    assert!(!r.healthy);
}

#[tokio::test]
async fn closed_without_response_is_an_error() {
    let a = raw_responder(ip("127.0.2.11"), b"").await;
    let r = probe_one(&target(a), &Check::http("/"), &opts()).await;
    match &r.outcome {
        Outcome::HttpError(m) => assert!(!m.is_empty()),
        o => panic!("expected HttpError, got {o:?}"),
    }
}

#[tokio::test]
async fn large_body_is_not_read_to_the_end() {
    // 8 MiB body: the probe reads a bounded prefix and returns the verdict.
    let (a, _) = http_responder(ip("127.0.2.12"), 200, Duration::ZERO, vec![b'x'; 8 << 20]).await;
    let r = probe_one(&target(a), &Check::http("/"), &opts()).await;
    assert_eq!(
        r.outcome,
        Outcome::Http {
            status: 200,
            ok: true
        }
    );
}

#[tokio::test]
async fn status_without_body_framing_still_counts() {
    // No Content-Length: body runs to EOF; status is what matters.
    let a = raw_responder(ip("127.0.2.13"), b"HTTP/1.1 200 OK\r\n\r\nhello").await;
    let r = probe_one(&target(a), &Check::http("/"), &opts()).await;
    assert_eq!(
        r.outcome,
        Outcome::Http {
            status: 200,
            ok: true
        }
    );
    // HTTP/1.0 responses are fine too.
    let a = raw_responder(
        ip("127.0.2.14"),
        b"HTTP/1.0 301 Moved\r\nLocation: /x\r\n\r\n",
    )
    .await;
    let r = probe_one(&target(a), &http("/", "2xx,301"), &opts()).await;
    assert_eq!(
        r.outcome,
        Outcome::Http {
            status: 301,
            ok: true
        }
    );
}

#[tokio::test]
async fn invalid_request_fails_without_connecting() {
    let (a, seen) = http_status(ip("127.0.2.15"), 200).await;
    let r = probe_one(&target(a), &Check::http("/a b"), &opts()).await;
    assert!(
        matches!(r.outcome, Outcome::HttpError(_)),
        "{:?}",
        r.outcome
    );
    let t = Target {
        host: Some("bad\nhost".into()),
        ..target(a)
    };
    let r = probe_one(&t, &Check::http("/"), &opts()).await;
    assert!(
        matches!(r.outcome, Outcome::HttpError(_)),
        "{:?}",
        r.outcome
    );
    // A later good probe is the first request the server sees.
    probe_one(&target(a), &Check::http("/ok"), &opts()).await;
    let heads = seen.heads();
    assert_eq!(heads.len(), 1);
    assert!(heads[0].starts_with("GET /ok "), "{}", heads[0]);
}
