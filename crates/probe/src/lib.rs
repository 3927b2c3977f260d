//! The probe engine behind `hsvc check`: is every pod of a Service reachable?
//!
//! A [`Target`] is one pod address (`ip:port`). A [`Check`] is either a bare
//! TCP connect or an HTTP/1.1 `GET` whose status is judged against an
//! [`Expect`] set. [`probe_one`] probes a single target; [`probe_all`] probes
//! many with bounded concurrency and returns the results in input order.
//!
//! Every probe is bounded in time: a TCP probe by
//! [`ProbeOptions::connect_timeout`], an HTTP probe by
//! [`ProbeOptions::http_timeout`] (which covers the connect too). So
//! `probe_all` never takes longer than about
//! `ceil(N / concurrency) × timeout`, and much less when most pods answer
//! quickly, because a finished probe immediately frees its slot.
//!
//! The helpers in [`repeat`] ([`state_changes`], [`MinHealthy`]) are pure and
//! serve `hsvc check --repeat` / `--min-healthy`.

#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod engine;
mod expect;
pub mod repeat;
pub mod targets;

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

pub use engine::{probe_all, probe_one};
pub use expect::{Expect, ExpectParseError};
pub use repeat::{state_changes, Change, ChangeKind, MinHealthy, MinHealthyParseError, State};

/// One address to probe.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Target {
    /// Pod IP.
    pub ip: IpAddr,
    /// Port to connect to.
    pub port: u16,
    /// Opaque tag for the caller to join results back to its own records
    /// (e.g. the position in the resolved pod list). Not interpreted here.
    pub index: usize,
    /// `Host` header for HTTP probes (e.g. the pod's hostname FQDN).
    /// `None` means `ip:port` (IPv6 in brackets).
    pub host: Option<String>,
}

impl Target {
    /// A target without a `Host` override.
    pub fn new(ip: IpAddr, port: u16, index: usize) -> Self {
        Target {
            ip,
            port,
            index,
            host: None,
        }
    }

    /// The socket address probed.
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::new(self.ip, self.port)
    }

    /// The `Host` header an HTTP probe sends.
    pub(crate) fn host_header(&self) -> String {
        match &self.host {
            Some(h) => h.clone(),
            None => self.addr().to_string(),
        }
    }
}

/// What a probe does once it has a target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Check {
    /// Healthy iff a TCP connection is established within the connect timeout.
    Tcp,
    /// `GET path HTTP/1.1`; healthy iff the status is in `expect`.
    Http {
        /// Request target in origin form, e.g. `/healthz`. A missing leading
        /// `/` is added; an empty path means `/`.
        path: String,
        /// Accepted status codes.
        expect: Expect,
    },
}

impl Check {
    /// An HTTP check of `path` expecting `2xx`.
    pub fn http(path: impl Into<String>) -> Self {
        Check::Http {
            path: path.into(),
            expect: Expect::default(),
        }
    }
}

/// Time and concurrency limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProbeOptions {
    /// Limit for establishing the TCP connection (default 1 s). For HTTP
    /// checks the connect is additionally bounded by `http_timeout`.
    pub connect_timeout: Duration,
    /// Limit for the whole HTTP exchange, connect included (default 2 s).
    pub http_timeout: Duration,
    /// Maximum number of probes in flight in [`probe_all`] (default 64;
    /// 0 is treated as 1).
    pub concurrency: usize,
}

impl Default for ProbeOptions {
    fn default() -> Self {
        ProbeOptions {
            connect_timeout: Duration::from_secs(1),
            http_timeout: Duration::from_secs(2),
            concurrency: 64,
        }
    }
}

/// What happened to one probe.
///
/// [`Display`](fmt::Display) gives the stable short form used in tables
/// (`open`, `refused`, `timeout`, `unreachable`, `http 200`, `http timeout`,
/// `error: …`); [`Outcome::kind`] gives the machine string used in JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// TCP connection established.
    Open,
    /// The peer actively refused (`ECONNREFUSED`, i.e. a RST): host up, port closed.
    Refused,
    /// No answer to the connect within the connect timeout (or the OS gave
    /// up with `ETIMEDOUT`).
    Timeout,
    /// The network said no route: `EHOSTUNREACH`, `ENETUNREACH`,
    /// `EADDRNOTAVAIL`, `ENETDOWN`, `EHOSTDOWN`.
    Unreachable,
    /// Any other connect-level failure, with the OS message.
    Error(String),
    /// An HTTP response arrived; `ok` is whether `status` matched the `Expect`.
    Http {
        /// The response status code.
        status: u16,
        /// Whether the status was accepted.
        ok: bool,
    },
    /// Connected, but no complete response head within the HTTP timeout.
    HttpTimeout,
    /// Connected, but the HTTP exchange failed (peer closed early, not HTTP, …).
    HttpError(String),
}

impl Outcome {
    /// Machine-readable kind for JSON: `open`, `refused`, `timeout`,
    /// `unreachable`, `http`, `http_timeout` or `error` (both
    /// [`Outcome::Error`] and [`Outcome::HttpError`]).
    pub fn kind(&self) -> &'static str {
        match self {
            Outcome::Open => "open",
            Outcome::Refused => "refused",
            Outcome::Timeout => "timeout",
            Outcome::Unreachable => "unreachable",
            Outcome::Error(_) | Outcome::HttpError(_) => "error",
            Outcome::Http { .. } => "http",
            Outcome::HttpTimeout => "http_timeout",
        }
    }

    /// Whether this outcome counts as healthy: `Open`, or `Http` with `ok`.
    pub fn is_healthy(&self) -> bool {
        matches!(self, Outcome::Open | Outcome::Http { ok: true, .. })
    }

    /// The HTTP status, if a response arrived.
    pub fn status(&self) -> Option<u16> {
        match self {
            Outcome::Http { status, .. } => Some(*status),
            _ => None,
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Open => f.write_str("open"),
            Outcome::Refused => f.write_str("refused"),
            Outcome::Timeout => f.write_str("timeout"),
            Outcome::Unreachable => f.write_str("unreachable"),
            Outcome::Error(m) => write!(f, "error: {m}"),
            Outcome::Http { status, .. } => write!(f, "http {status}"),
            Outcome::HttpTimeout => f.write_str("http timeout"),
            Outcome::HttpError(m) => write!(f, "error: http: {m}"),
        }
    }
}

impl Serialize for Outcome {
    /// `{"kind": "http", "status": 503, "ok": false, "text": "http 503"}`;
    /// errors carry `"error": message` instead of `status`/`ok`.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("kind", self.kind())?;
        match self {
            Outcome::Http { status, ok } => {
                m.serialize_entry("status", status)?;
                m.serialize_entry("ok", ok)?;
            }
            Outcome::Error(e) | Outcome::HttpError(e) => m.serialize_entry("error", e)?,
            _ => {}
        }
        m.serialize_entry("text", &self.to_string())?;
        m.end()
    }
}

/// The result of probing one [`Target`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProbeResult {
    /// The target probed (as given).
    pub target: Target,
    /// What happened.
    pub outcome: Outcome,
    /// Time until the outcome was known: connect time for TCP, time to the
    /// response head for HTTP (body draining excluded), or time to failure.
    /// Serialized as fractional milliseconds under `latency_ms`.
    #[serde(rename = "latency_ms", serialize_with = "ser_ms")]
    pub latency: Duration,
    /// `outcome.is_healthy()`.
    pub healthy: bool,
}

fn ser_ms<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((d.as_secs_f64() * 1e6).round() / 1e3)
}

/// The verdict of one round of probes: how many targets are healthy and
/// whether that meets `--min-healthy`.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Verdict {
    /// 1 for the first round.
    pub round: u32,
    /// Targets probed (pods × ports).
    pub total: usize,
    /// Targets whose outcome [is healthy](Outcome::is_healthy).
    pub healthy: usize,
    /// `total - healthy`.
    pub unhealthy: usize,
    /// Healthy targets needed (from `--min-healthy`).
    pub required: usize,
    /// `healthy >= required` and at least one target.
    pub ok: bool,
    /// Wall time of the round (DNS and probes), milliseconds.
    pub wall_ms: f64,
}

impl Verdict {
    /// Judges one round's results against `min`.
    pub fn new(round: u32, results: &[ProbeResult], min: MinHealthy, wall: Duration) -> Self {
        let total = results.len();
        let healthy = results.iter().filter(|r| r.healthy).count();
        Verdict {
            round,
            total,
            healthy,
            unhealthy: total - healthy,
            required: min.required(total),
            ok: total > 0 && min.satisfied(healthy, total),
            wall_ms: (wall.as_micros() as f64) / 1000.0,
        }
    }

    /// `3 of 5 healthy (need 5)`.
    pub fn line(&self) -> String {
        format!(
            "{} of {} healthy (need {})",
            self.healthy, self.total, self.required
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcome_strings_are_stable() {
        let cases = [
            (Outcome::Open, "open", "open"),
            (Outcome::Refused, "refused", "refused"),
            (Outcome::Timeout, "timeout", "timeout"),
            (Outcome::Unreachable, "unreachable", "unreachable"),
            (Outcome::Error("boom".into()), "error: boom", "error"),
            (
                Outcome::Http {
                    status: 200,
                    ok: true,
                },
                "http 200",
                "http",
            ),
            (
                Outcome::Http {
                    status: 503,
                    ok: false,
                },
                "http 503",
                "http",
            ),
            (Outcome::HttpTimeout, "http timeout", "http_timeout"),
            (
                Outcome::HttpError("eof".into()),
                "error: http: eof",
                "error",
            ),
        ];
        for (o, text, kind) in cases {
            assert_eq!(o.to_string(), text);
            assert_eq!(o.kind(), kind);
        }
    }

    #[test]
    fn health() {
        assert!(Outcome::Open.is_healthy());
        assert!(Outcome::Http {
            status: 204,
            ok: true
        }
        .is_healthy());
        assert!(!Outcome::Http {
            status: 200,
            ok: false
        }
        .is_healthy());
        assert!(!Outcome::HttpTimeout.is_healthy());
        assert!(!Outcome::Refused.is_healthy());
    }

    #[test]
    fn host_header_defaults_to_addr() {
        let t = Target::new("127.0.0.1".parse().unwrap(), 8080, 0);
        assert_eq!(t.host_header(), "127.0.0.1:8080");
        let t = Target::new("::1".parse().unwrap(), 80, 0);
        assert_eq!(t.host_header(), "[::1]:80");
        let t = Target {
            host: Some("web-0.web.ns.svc.cluster.local".into()),
            ..t
        };
        assert_eq!(t.host_header(), "web-0.web.ns.svc.cluster.local");
    }

    #[test]
    fn json_shapes() {
        let r = ProbeResult {
            target: Target::new("127.0.0.2".parse().unwrap(), 80, 3),
            outcome: Outcome::Http {
                status: 503,
                ok: false,
            },
            latency: Duration::from_micros(1500),
            healthy: false,
        };
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(
            v,
            serde_json::json!({
                "target": {"ip": "127.0.0.2", "port": 80, "index": 3, "host": null},
                "outcome": {"kind": "http", "status": 503, "ok": false, "text": "http 503"},
                "latency_ms": 1.5,
                "healthy": false
            })
        );
        let v = serde_json::to_value(Outcome::HttpError("eof".into())).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"kind": "error", "error": "eof", "text": "error: http: eof"})
        );
        let v = serde_json::to_value(Check::http("/healthz")).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"type": "http", "path": "/healthz", "expect": "2xx"})
        );
    }
}
