//! What can go wrong reading the API, typed so that the CLI maps each to
//! its exit code ([`ErrorClass`]) and JSON error document ([`ErrorInfo`]).
//! Anything quoted from the server is escaped for a terminal.

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

/// How the CLI treats an error: exit 2, 1 and 3 respectively.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorClass {
    /// The user's configuration is wrong (no or bad kubeconfig, bad URL).
    Usage,
    /// The Service does not exist.
    NotFound,
    /// The API could not be read (credentials, RBAC, network, server).
    Failure,
}

/// A request, as an RBAC rule names it: `list endpointslices.discovery.k8s.io in awx`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Access {
    /// `get`, `list`, `watch`.
    pub verb: &'static str,
    /// `services`, `endpointslices.discovery.k8s.io`, `endpoints`.
    pub resource: &'static str,
    /// The namespace; `None` for all namespaces (a ClusterRole).
    pub namespace: Option<String>,
}

impl std::fmt::Display for Access {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.namespace {
            Some(ns) => write!(
                f,
                "{} {} in {}",
                self.verb,
                self.resource,
                hsvc_resolve::escape::term(ns)
            ),
            None => write!(f, "{} {} in all namespaces", self.verb, self.resource),
        }
    }
}

/// Reading the Kubernetes API failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No configuration at all: no kubeconfig and not in a pod.
    #[error("no kubeconfig: {detail}")]
    NoConfig {
        /// What was looked for.
        detail: String,
    },
    /// A kubeconfig that cannot be used.
    #[error("bad kubeconfig {}: {detail}", path.display())]
    BadConfig {
        /// The file (the first of `$KUBECONFIG` when several are merged).
        path: PathBuf,
        /// Why.
        detail: String,
    },
    /// The in-cluster configuration cannot be used.
    #[error("in-cluster configuration: {detail}")]
    BadInCluster {
        /// Why.
        detail: String,
    },
    /// `--api-url` is not a usable URL.
    #[error("bad API URL {url:?}: {detail}")]
    BadUrl {
        /// The URL as given (escaped).
        url: String,
        /// Why.
        detail: String,
    },
    /// 401.
    #[error("unauthorized ({credentials}) at {server}")]
    Unauthorized {
        /// Whose credentials: `credentials for context X`.
        credentials: String,
        /// The API server.
        server: String,
    },
    /// 403: names what the RBAC role must allow.
    #[error("forbidden: the RBAC role needs `{access}` ({credentials})")]
    Forbidden {
        /// The request refused.
        access: Access,
        /// Whose credentials.
        credentials: String,
        /// The server's message (escaped).
        message: String,
    },
    /// The Service does not exist.
    #[error("service {namespace}/{name} not found")]
    ServiceNotFound {
        /// Namespace.
        namespace: String,
        /// Name.
        name: String,
    },
    /// The credentials could not be obtained (exec plugin, token file).
    #[error("credentials for {credentials}: {detail}")]
    Credentials {
        /// Whose credentials.
        credentials: String,
        /// Why (escaped).
        detail: String,
    },
    /// Connection refused, reset, TLS handshake failure.
    #[error("cannot reach the API server {server}: {detail}")]
    Connect {
        /// The API server.
        server: String,
        /// Why (escaped).
        detail: String,
    },
    /// No answer within the bound.
    #[error("{access}: no answer from {server} within {}", humanize(*.after))]
    Timeout {
        /// The request.
        access: Access,
        /// The API server.
        server: String,
        /// The bound (timeout × attempts).
        after: Duration,
    },
    /// Any other error status.
    #[error("{access}: {server} answered {code}: {message}")]
    Server {
        /// The request.
        access: Access,
        /// The API server.
        server: String,
        /// HTTP status.
        code: u16,
        /// The server's message (escaped).
        message: String,
    },
    /// A reply hsvc cannot read.
    #[error("{access}: unreadable reply from {server}: {detail}")]
    Decode {
        /// The request.
        access: Access,
        /// The API server.
        server: String,
        /// Why (escaped).
        detail: String,
    },
}

fn humanize(d: Duration) -> String {
    let ms = d.as_millis();
    if ms.is_multiple_of(1000) {
        format!("{} s", ms / 1000)
    } else {
        format!("{ms} ms")
    }
}

/// The error as a JSON error document carries it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ErrorInfo {
    /// Machine name: see [`ApiError::kind`].
    pub kind: &'static str,
    /// The one line shown on stderr.
    pub message: String,
    /// How the CLI treats it.
    pub class: ErrorClass,
    /// For `forbidden`: the RBAC access needed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access: Option<Access>,
}

impl ApiError {
    /// Usage, not found or failure.
    pub fn class(&self) -> ErrorClass {
        match self {
            ApiError::NoConfig { .. }
            | ApiError::BadConfig { .. }
            | ApiError::BadInCluster { .. }
            | ApiError::BadUrl { .. } => ErrorClass::Usage,
            ApiError::ServiceNotFound { .. } => ErrorClass::NotFound,
            _ => ErrorClass::Failure,
        }
    }

    /// Short machine name: `no_kubeconfig`, `bad_kubeconfig`,
    /// `bad_in_cluster`, `bad_url`, `unauthorized`, `forbidden`,
    /// `not_found`, `credentials`, `connect`, `timeout`, `server`, `decode`.
    pub fn kind(&self) -> &'static str {
        match self {
            ApiError::NoConfig { .. } => "no_kubeconfig",
            ApiError::BadConfig { .. } => "bad_kubeconfig",
            ApiError::BadInCluster { .. } => "bad_in_cluster",
            ApiError::BadUrl { .. } => "bad_url",
            ApiError::Unauthorized { .. } => "unauthorized",
            ApiError::Forbidden { .. } => "forbidden",
            ApiError::ServiceNotFound { .. } => "not_found",
            ApiError::Credentials { .. } => "credentials",
            ApiError::Connect { .. } => "connect",
            ApiError::Timeout { .. } => "timeout",
            ApiError::Server { .. } => "server",
            ApiError::Decode { .. } => "decode",
        }
    }

    /// The JSON form.
    pub fn info(&self) -> ErrorInfo {
        ErrorInfo {
            kind: self.kind(),
            message: self.to_string(),
            class: self.class(),
            access: match self {
                ApiError::Forbidden { access, .. } => Some(access.clone()),
                _ => None,
            },
        }
    }
}

/// Escapes text from the network or a file for one terminal line.
pub(crate) fn esc(s: &str) -> String {
    hsvc_resolve::escape::term(s.trim()).into_owned()
}

/// Maps a kube client error of request `access` to an [`ApiError`].
pub(crate) fn from_kube(
    e: kube::Error,
    access: &Access,
    server: &str,
    credentials: &str,
) -> ApiError {
    match e {
        kube::Error::Api(status) => from_status(&status, access, server, credentials),
        kube::Error::Auth(a) => ApiError::Credentials {
            credentials: credentials.to_string(),
            detail: esc(&chain(&a)),
        },
        kube::Error::SerdeError(s) => ApiError::Decode {
            access: access.clone(),
            server: server.to_string(),
            detail: esc(&s.to_string()),
        },
        kube::Error::FromUtf8(s) => ApiError::Decode {
            access: access.clone(),
            server: server.to_string(),
            detail: esc(&s.to_string()),
        },
        other => {
            let text = chain(&other);
            if is_timeout(&other) {
                ApiError::Timeout {
                    access: access.clone(),
                    server: server.to_string(),
                    after: Duration::ZERO,
                }
            } else {
                ApiError::Connect {
                    server: server.to_string(),
                    detail: esc(&connect_detail(&other, &text)),
                }
            }
        }
    }
}

/// Maps an error `Status` (also an in-stream watch ERROR).
pub(crate) fn from_status(
    status: &kube::core::Status,
    access: &Access,
    server: &str,
    credentials: &str,
) -> ApiError {
    match status.code {
        401 => ApiError::Unauthorized {
            credentials: credentials.to_string(),
            server: server.to_string(),
        },
        403 => ApiError::Forbidden {
            access: access.clone(),
            credentials: credentials.to_string(),
            message: esc(&status.message),
        },
        code => ApiError::Server {
            access: access.clone(),
            server: server.to_string(),
            code,
            message: esc(if status.message.is_empty() {
                &status.reason
            } else {
                &status.message
            }),
        },
    }
}

fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        let t = c.to_string();
        if !s.contains(&t) {
            s.push_str(": ");
            s.push_str(&t);
        }
        cur = c.source();
    }
    s
}

fn io_kinds(e: &(dyn std::error::Error + 'static)) -> Vec<std::io::ErrorKind> {
    let mut out = Vec::new();
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cur {
        if let Some(io) = c.downcast_ref::<std::io::Error>() {
            out.push(io.kind());
        }
        cur = c.source();
    }
    out
}

fn is_timeout(e: &kube::Error) -> bool {
    io_kinds(e).contains(&std::io::ErrorKind::TimedOut)
        || chain(e).to_ascii_lowercase().contains("timed out")
        || chain(e)
            .to_ascii_lowercase()
            .contains("deadline has elapsed")
}

fn connect_detail(e: &kube::Error, text: &str) -> String {
    let kinds = io_kinds(e);
    if kinds.contains(&std::io::ErrorKind::ConnectionRefused) {
        "connection refused".into()
    } else if kinds.contains(&std::io::ErrorKind::ConnectionReset) {
        "connection reset".into()
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn access() -> Access {
        Access {
            verb: "list",
            resource: "endpointslices.discovery.k8s.io",
            namespace: Some("awx".into()),
        }
    }

    #[test]
    fn messages_and_classes() {
        let s = |code: u16, msg: &str| kube::core::Status::failure(msg, "x").with_code(code);
        let e = from_status(
            &s(403, "nope"),
            &access(),
            "https://127.0.0.1:6443",
            "credentials for context kind-a",
        );
        assert_eq!(
            e.to_string(),
            "forbidden: the RBAC role needs `list endpointslices.discovery.k8s.io in awx` (credentials for context kind-a)"
        );
        assert_eq!(e.class(), ErrorClass::Failure);
        assert_eq!(e.info().access.unwrap().verb, "list");
        let e = from_status(
            &s(401, ""),
            &access(),
            "https://h",
            "credentials for context kind-a",
        );
        assert_eq!(
            e.to_string(),
            "unauthorized (credentials for context kind-a) at https://h"
        );
        let e = from_status(&s(500, "boom\x1b[31m"), &access(), "https://h", "c");
        assert_eq!(e.kind(), "server");
        assert!(!e.to_string().contains('\x1b'), "escaped: {e}");
        let all = Access {
            namespace: None,
            ..access()
        };
        assert_eq!(
            all.to_string(),
            "list endpointslices.discovery.k8s.io in all namespaces"
        );
        let nf = ApiError::ServiceNotFound {
            namespace: "awx".into(),
            name: "web".into(),
        };
        assert_eq!(nf.class(), ErrorClass::NotFound);
        let t = ApiError::Timeout {
            access: access(),
            server: "https://h".into(),
            after: Duration::from_millis(1500),
        };
        assert!(t.to_string().ends_with("within 1500 ms"), "{t}");
        let bad = ApiError::BadConfig {
            path: "/tmp/kc".into(),
            detail: "x".into(),
        };
        assert_eq!(bad.class(), ErrorClass::Usage);
        assert_eq!(bad.to_string(), "bad kubeconfig /tmp/kc: x");
    }
}
