//! Socket work: TCP connects, HTTP/1.1 exchanges via hyper, bounded fan-out.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Empty};
use hyper::body::{Bytes, Incoming};
use hyper::header::{CONNECTION, HOST, USER_AGENT};
use hyper::{Method, Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::{timeout, timeout_at, Instant};

use super::{Check, Expect, Outcome, ProbeOptions, ProbeResult, Target};

/// `User-Agent` of HTTP probes.
const USER_AGENT_VALUE: &str = concat!("hsvc/", env!("CARGO_PKG_VERSION"));

/// At most this much response body is read (and discarded) after the status
/// is known, so that small responses are consumed cleanly while a huge or
/// endless body cannot hold the probe.
const BODY_DRAIN_LIMIT: usize = 64 * 1024;

/// Probes one target.
///
/// * [`Check::Tcp`]: connect under `connect_timeout`, then close at once.
/// * [`Check::Http`]: connect under `min(connect_timeout, http_timeout)`
///   (connect failures keep their TCP outcome: `refused`, `timeout`, …), then
///   send `GET path HTTP/1.1` with `Host`, `User-Agent: hsvc/<version>` and
///   `Connection: close`, judge the status against `expect`, and drain up to
///   64 KiB of body. Everything, connect included, ends by `http_timeout`
///   after the start; a missing response head by then is `HttpTimeout`.
///   A path or `Host` that cannot form a valid request is an `HttpError`
///   reported before any connection is made.
///
/// Never panics on network errors; every failure is an [`Outcome`].
pub async fn probe_one(t: &Target, check: &Check, opts: &ProbeOptions) -> ProbeResult {
    let start = Instant::now();
    let (outcome, latency) = match check {
        Check::Tcp => {
            let o = match connect(t.addr(), opts.connect_timeout).await {
                Ok(_stream) => Outcome::Open,
                Err(o) => o,
            };
            (o, start.elapsed())
        }
        Check::Http { path, expect } => http_probe(t, path, expect, opts, start).await,
    };
    ProbeResult {
        target: t.clone(),
        healthy: outcome.is_healthy(),
        outcome,
        latency,
    }
}

/// Connects to `addr`, mapping failures to connect-level outcomes.
async fn connect(addr: SocketAddr, limit: Duration) -> Result<TcpStream, Outcome> {
    match timeout(limit, TcpStream::connect(addr)).await {
        Err(_elapsed) => Err(Outcome::Timeout),
        Ok(Err(e)) => Err(classify_connect_error(&e)),
        Ok(Ok(s)) => Ok(s),
    }
}

/// Maps a connect error to an outcome kind.
///
/// Uses the portable [`io::ErrorKind`]s, plus raw `EHOSTDOWN` on Linux,
/// which std leaves uncategorized.
pub(crate) fn classify_connect_error(e: &io::Error) -> Outcome {
    use io::ErrorKind as K;
    match e.kind() {
        K::ConnectionRefused => Outcome::Refused,
        K::TimedOut => Outcome::Timeout,
        K::HostUnreachable | K::NetworkUnreachable | K::AddrNotAvailable | K::NetworkDown => {
            Outcome::Unreachable
        }
        #[cfg(target_os = "linux")]
        _ if e.raw_os_error() == Some(112) /* EHOSTDOWN */ => Outcome::Unreachable,
        _ => Outcome::Error(e.to_string()),
    }
}

/// Aborts the hyper connection task when the probe ends, however it ends
/// (success, error or timeout), so no socket outlives its probe.
struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Renders a hyper error with its cause (hyper keeps the io error as source).
fn hyper_message(e: &hyper::Error) -> String {
    match std::error::Error::source(e) {
        Some(src) => format!("{e}: {src}"),
        None => e.to_string(),
    }
}

/// Normalizes a configured path to origin form.
fn origin_form(path: &str) -> String {
    if path.starts_with('/') {
        path.to_owned()
    } else {
        format!("/{path}")
    }
}

async fn http_probe(
    t: &Target,
    path: &str,
    expect: &Expect,
    opts: &ProbeOptions,
    start: Instant,
) -> (Outcome, Duration) {
    let deadline = start + opts.http_timeout;
    // A bad path or Host is a configuration error: fail without connecting.
    let req = match build_request(t, path) {
        Ok(r) => r,
        Err(msg) => return (Outcome::HttpError(msg), start.elapsed()),
    };
    let stream = match connect(t.addr(), opts.connect_timeout.min(opts.http_timeout)).await {
        Ok(s) => s,
        Err(o) => return (o, start.elapsed()),
    };
    // Best effort: the request is one small write anyway.
    let _ = stream.set_nodelay(true);

    let (response, conn_guard) = match timeout_at(deadline, request(stream, req)).await {
        Err(_elapsed) => return (Outcome::HttpTimeout, start.elapsed()),
        Ok(Err(msg)) => return (Outcome::HttpError(msg), start.elapsed()),
        Ok(Ok(r)) => r,
    };
    let latency = start.elapsed();
    let status = response.status().as_u16();
    // The verdict is already known: a slow or broken body does not change it.
    let _ = timeout_at(deadline, drain(response.into_body())).await;
    drop(conn_guard);
    let ok = expect.matches(status);
    (Outcome::Http { status, ok }, latency)
}

/// `GET path` with `Host`, `User-Agent` and `Connection: close`.
fn build_request(t: &Target, path: &str) -> Result<Request<Empty<Bytes>>, String> {
    Request::builder()
        .method(Method::GET)
        .uri(origin_form(path))
        .header(HOST, t.host_header())
        .header(USER_AGENT, USER_AGENT_VALUE)
        .header(CONNECTION, "close")
        .body(Empty::<Bytes>::new())
        .map_err(|e| format!("invalid request: {e}"))
}

/// Handshakes, sends the request and waits for the response head.
async fn request(
    stream: TcpStream,
    req: Request<Empty<Bytes>>,
) -> Result<(Response<Incoming>, AbortOnDrop), String> {
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| hyper_message(&e))?;
    let guard = AbortOnDrop(tokio::spawn(async move {
        // Errors surface through `send_request`; nothing to add here.
        let _ = conn.await;
    }));
    let resp = sender
        .send_request(req)
        .await
        .map_err(|e| hyper_message(&e))?;
    Ok((resp, guard))
}

/// Reads and discards up to [`BODY_DRAIN_LIMIT`] bytes of body.
async fn drain(mut body: Incoming) {
    let mut read = 0usize;
    while read < BODY_DRAIN_LIMIT {
        match body.frame().await {
            Some(Ok(frame)) => read += frame.data_ref().map_or(0, |d| d.len()),
            Some(Err(_)) | None => break,
        }
    }
}

/// Probes all `targets` with at most `opts.concurrency` probes in flight.
///
/// Results come back in input order (`result[i].target == targets[i]`).
/// `progress`, if given, is called as `(done, total)` after each probe
/// completes (in completion order, from the calling task); it is not called
/// for an empty input.
///
/// A finished probe frees its slot at once, so the wall time is at most about
/// `ceil(N / concurrency) × timeout` (all probes hanging) and usually close
/// to `ceil(slow / concurrency) × timeout` where `slow` is the number of
/// targets that never answer.
///
/// Probes run as tasks on the current tokio runtime; dropping the returned
/// future aborts those in flight. A panic inside a probe is re-raised here.
pub async fn probe_all(
    targets: Vec<Target>,
    check: &Check,
    opts: &ProbeOptions,
    progress: Option<&(dyn Fn(usize, usize) + Sync)>,
) -> Vec<ProbeResult> {
    let total = targets.len();
    let limit = opts.concurrency.max(1);
    let check = Arc::new(check.clone());
    let opts = *opts;
    let mut results: Vec<Option<ProbeResult>> = vec![None; total];
    let mut pending = targets.into_iter().enumerate();
    let mut in_flight = JoinSet::new();
    let mut done = 0;
    loop {
        while in_flight.len() < limit {
            let Some((i, t)) = pending.next() else { break };
            let check = Arc::clone(&check);
            in_flight.spawn(async move { (i, probe_one(&t, &check, &opts).await) });
        }
        let Some(joined) = in_flight.join_next().await else {
            break;
        };
        match joined {
            Ok((i, r)) => results[i] = Some(r),
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            // Only possible while the runtime itself shuts down.
            Err(e) => panic!("probe task cancelled: {e}"),
        }
        done += 1;
        if let Some(p) = progress {
            p(done, total);
        }
    }
    results
        .into_iter()
        .map(|r| r.expect("every target was probed exactly once"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connect_errors_map_precisely() {
        use io::ErrorKind as K;
        let k = |kind: K| classify_connect_error(&io::Error::from(kind));
        assert_eq!(k(K::ConnectionRefused), Outcome::Refused);
        assert_eq!(k(K::TimedOut), Outcome::Timeout);
        assert_eq!(k(K::HostUnreachable), Outcome::Unreachable);
        assert_eq!(k(K::NetworkUnreachable), Outcome::Unreachable);
        assert_eq!(k(K::AddrNotAvailable), Outcome::Unreachable);
        assert_eq!(k(K::NetworkDown), Outcome::Unreachable);
        assert!(matches!(k(K::PermissionDenied), Outcome::Error(_)));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn linux_errnos_map_precisely() {
        let raw = |n| classify_connect_error(&io::Error::from_raw_os_error(n));
        assert_eq!(raw(111), Outcome::Refused); // ECONNREFUSED
        assert_eq!(raw(110), Outcome::Timeout); // ETIMEDOUT
        assert_eq!(raw(113), Outcome::Unreachable); // EHOSTUNREACH
        assert_eq!(raw(101), Outcome::Unreachable); // ENETUNREACH
        assert_eq!(raw(99), Outcome::Unreachable); // EADDRNOTAVAIL
        assert_eq!(raw(100), Outcome::Unreachable); // ENETDOWN
        assert_eq!(raw(112), Outcome::Unreachable); // EHOSTDOWN
        match raw(13) {
            Outcome::Error(m) => assert!(m.contains("ermission"), "{m}"),
            o => panic!("EACCES mapped to {o:?}"),
        }
    }

    #[test]
    fn paths_are_origin_form() {
        assert_eq!(origin_form("/healthz"), "/healthz");
        assert_eq!(origin_form("healthz"), "/healthz");
        assert_eq!(origin_form(""), "/");
        assert_eq!(origin_form("/a?b=c"), "/a?b=c");
    }

    #[test]
    fn user_agent_has_version() {
        assert_eq!(
            USER_AGENT_VALUE,
            format!("hsvc/{}", env!("CARGO_PKG_VERSION"))
        );
    }

    /// `probe_all` must be usable from spawned tasks.
    #[allow(dead_code)]
    fn probe_all_future_is_send(c: &Check, o: &ProbeOptions) {
        fn is_send<T: Send>(_: T) {}
        is_send(probe_all(Vec::new(), c, o, None));
    }
}
