//! Where the API is and who we are there, as kubectl decides it:
//! `--kubeconfig PATH`, else `$KUBECONFIG` (a list, merged), else
//! `~/.kube/config`, else the pod's service account; `--context NAME`; or a
//! plain URL such as `kubectl proxy`'s (`--api-url http://127.0.0.1:8001`).
//! Exec credential plugins (EKS, GKE, AKS) and token files are kube's.
//!
//! The namespace of a short name: explicit, else the context's namespace,
//! else (in-cluster or through a plain URL from a pod) the service
//! account's namespace, else `default` — and [`NsSource`] says which.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use kube::config::{KubeConfigOptions, Kubeconfig};
use serde::Serialize;

use crate::error::{esc, ApiError};

/// Where the service account's files are in a pod.
pub const SERVICE_ACCOUNT_DIR: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

/// How to find the API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// As kubectl: `path` (`--kubeconfig`), else `$KUBECONFIG`, else
    /// `~/.kube/config`, else in-cluster. `context` is `--context`.
    Kubeconfig {
        /// `--kubeconfig`.
        path: Option<PathBuf>,
        /// `--context`.
        context: Option<String>,
    },
    /// A plain URL (`kubectl proxy`): no credentials are sent.
    Url(String),
}

/// What the caller decides.
#[derive(Clone, Debug)]
pub struct Options {
    /// Where the API is.
    pub source: Source,
    /// `-n`.
    pub namespace: Option<String>,
    /// Per attempt: connect and read timeout of each request.
    pub timeout: Duration,
    /// Attempts of a request that timed out or could not connect.
    pub attempts: u32,
}

/// What the process environment says (a value so that tests can make one).
#[derive(Clone, Debug, Default)]
pub struct Environment {
    /// `$KUBECONFIG`.
    pub kubeconfig: Option<OsString>,
    /// `$HOME`.
    pub home: Option<PathBuf>,
    /// `$KUBERNETES_SERVICE_HOST` (set in every pod).
    pub service_host: Option<String>,
    /// The service account directory.
    pub service_account_dir: PathBuf,
}

impl Environment {
    /// The real environment.
    pub fn from_process() -> Self {
        Environment {
            kubeconfig: std::env::var_os("KUBECONFIG"),
            home: std::env::var_os("HOME").map(PathBuf::from),
            service_host: std::env::var("KUBERNETES_SERVICE_HOST")
                .ok()
                .filter(|s| !s.is_empty()),
            service_account_dir: PathBuf::from(SERVICE_ACCOUNT_DIR),
        }
    }

    fn service_account_namespace(&self) -> Option<String> {
        std::fs::read_to_string(self.service_account_dir.join("namespace"))
            .ok()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    }
}

/// Where the namespace came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum NsSource {
    /// `-n` (or the name itself, as the caller decides).
    Flag,
    /// The kubeconfig context's `namespace`.
    Context {
        /// The context.
        context: String,
    },
    /// The pod's service account (`…/serviceaccount/namespace`).
    ServiceAccount,
    /// Nothing said: `default`.
    Default,
}

impl NsSource {
    /// For `-v` and JSON: `flag`, `context X`, `service account`, `default`.
    pub fn describe(&self) -> String {
        match self {
            NsSource::Flag => "flag".into(),
            NsSource::Context { context } => format!("context {context}"),
            NsSource::ServiceAccount => "service account".into(),
            NsSource::Default => "default".into(),
        }
    }
}

/// Whose credentials requests carry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Credentials {
    /// A kubeconfig context.
    Context {
        /// The context's name.
        context: String,
        /// The kubeconfig file(s).
        files: Vec<PathBuf>,
    },
    /// The pod's service account token.
    InCluster,
    /// None: a plain URL.
    Anonymous,
}

impl Credentials {
    /// `credentials for context X`, for 401/403 messages.
    pub fn describe(&self) -> String {
        match self {
            Credentials::Context { context, .. } => format!("credentials for context {context}"),
            Credentials::InCluster => "the pod's service account token".into(),
            Credentials::Anonymous => "no credentials sent".into(),
        }
    }
}

/// Everything a client needs.
#[derive(Clone, Debug)]
pub struct ApiConfig {
    /// kube's configuration (URL, TLS, auth, timeouts).
    pub kube: kube::Config,
    /// The namespace of short names.
    pub namespace: String,
    /// Where it came from.
    pub namespace_source: NsSource,
    /// Whose credentials.
    pub credentials: Credentials,
    /// Per-attempt timeout.
    pub timeout: Duration,
    /// Attempts.
    pub attempts: u32,
}

impl ApiConfig {
    /// The API server URL, for messages.
    pub fn server(&self) -> String {
        esc(&self.kube.cluster_url.to_string())
            .trim_end_matches('/')
            .to_string()
    }

    /// The bound on one request: timeout × attempts.
    pub fn bound(&self) -> Duration {
        self.timeout * self.attempts.max(1)
    }
}

/// The namespace rule, pure: explicit, else the context's, else the
/// service account's, else `default`.
pub fn namespace(
    explicit: Option<&str>,
    context: Option<(&str, Option<&str>)>,
    service_account: Option<&str>,
) -> (String, NsSource) {
    if let Some(ns) = explicit {
        return (ns.to_string(), NsSource::Flag);
    }
    if let Some((ctx, Some(ns))) = context {
        if !ns.is_empty() {
            return (
                ns.to_string(),
                NsSource::Context {
                    context: ctx.to_string(),
                },
            );
        }
    }
    if let Some(ns) = service_account {
        return (ns.to_string(), NsSource::ServiceAccount);
    }
    ("default".to_string(), NsSource::Default)
}

/// The kubeconfig files kubectl would read, in order, and whether they came
/// from `$KUBECONFIG`. Files of `$KUBECONFIG` that do not exist are skipped,
/// as client-go does.
pub fn kubeconfig_files(path: Option<&Path>, env: &Environment) -> (Vec<PathBuf>, &'static str) {
    if let Some(p) = path {
        return (vec![p.to_path_buf()], "--kubeconfig");
    }
    if let Some(v) = env.kubeconfig.as_ref().filter(|v| !v.is_empty()) {
        let files: Vec<PathBuf> = std::env::split_paths(v)
            .filter(|p| !p.as_os_str().is_empty() && p.exists())
            .collect();
        return (files, "$KUBECONFIG");
    }
    let files = env
        .home
        .as_ref()
        .map(|h| h.join(".kube").join("config"))
        .filter(|p| p.exists())
        .into_iter()
        .collect();
    (files, "~/.kube/config")
}

fn apply_timeouts(cfg: &mut kube::Config, timeout: Duration) {
    cfg.connect_timeout = Some(timeout);
    cfg.read_timeout = Some(timeout);
    cfg.write_timeout = Some(timeout);
    // The count of attempts is the caller's: no hidden retries on 429/503.
    cfg.default_retry = false;
}

/// Loads the configuration.
pub async fn load(opts: &Options, env: &Environment) -> Result<ApiConfig, ApiError> {
    let sa_ns = env.service_account_namespace();
    let (mut kube_cfg, credentials, ctx_ns) = match &opts.source {
        Source::Url(url) => {
            let uri: http::Uri =
                url.parse()
                    .map_err(|e: http::uri::InvalidUri| ApiError::BadUrl {
                        url: esc(url),
                        detail: e.to_string(),
                    })?;
            if !matches!(uri.scheme_str(), Some("http" | "https")) || uri.host().is_none() {
                return Err(ApiError::BadUrl {
                    url: esc(url),
                    detail: "expected http://HOST:PORT or https://HOST:PORT".into(),
                });
            }
            (kube::Config::new(uri), Credentials::Anonymous, None)
        }
        Source::Kubeconfig { path, context } => {
            let (files, from) = kubeconfig_files(path.as_deref(), env);
            if files.is_empty() {
                if env.service_host.is_some() && context.is_none() {
                    let cfg = kube::Config::incluster().map_err(|e| ApiError::BadInCluster {
                        detail: esc(&e.to_string()),
                    })?;
                    (cfg, Credentials::InCluster, None)
                } else {
                    let detail = match (from, context) {
                        (_, Some(c)) if env.service_host.is_some() => format!(
                            "--context {} needs a kubeconfig, and {from} has none",
                            esc(c)
                        ),
                        ("$KUBECONFIG", _) => format!(
                            "no file of $KUBECONFIG ({}) exists, and not in a pod",
                            esc(&env.kubeconfig.clone().unwrap_or_default().to_string_lossy())
                        ),
                        _ => "no ~/.kube/config, $KUBECONFIG unset, and not in a pod (KUBERNETES_SERVICE_HOST unset); give --kubeconfig PATH or --api-url URL".into(),
                    };
                    return Err(ApiError::NoConfig { detail });
                }
            } else {
                let first = files[0].clone();
                let bad = |p: &Path, d: String| ApiError::BadConfig {
                    path: p.to_path_buf(),
                    detail: esc(&d),
                };
                let mut merged = Kubeconfig::default();
                for f in &files {
                    if !f.exists() {
                        return Err(bad(f, "no such file".into()));
                    }
                    let kc = Kubeconfig::read_from(f).map_err(|e| bad(f, inner(&e)))?;
                    merged = merged.merge(kc).map_err(|e| bad(f, inner(&e)))?;
                }
                let ctx_name = context
                    .clone()
                    .or_else(|| merged.current_context.clone())
                    .ok_or_else(|| bad(&first, "no current-context; give --context NAME".into()))?;
                let ctx = merged
                    .contexts
                    .iter()
                    .find(|c| c.name == ctx_name)
                    .and_then(|c| c.context.clone())
                    .ok_or_else(|| {
                        let names: Vec<&str> =
                            merged.contexts.iter().map(|c| c.name.as_str()).collect();
                        bad(
                            &first,
                            format!(
                                "no context {ctx_name:?} (contexts: {})",
                                if names.is_empty() {
                                    "none".to_string()
                                } else {
                                    names.join(", ")
                                }
                            ),
                        )
                    })?;
                let kopts = KubeConfigOptions {
                    context: Some(ctx_name.clone()),
                    cluster: None,
                    user: None,
                };
                let cfg = kube::Config::from_custom_kubeconfig(merged, &kopts)
                    .await
                    .map_err(|e| bad(&first, format!("context {ctx_name}: {}", inner(&e))))?;
                (
                    cfg,
                    Credentials::Context {
                        context: ctx_name.clone(),
                        files,
                    },
                    Some((ctx_name, ctx.namespace)),
                )
            }
        }
    };
    apply_timeouts(&mut kube_cfg, opts.timeout);
    // The service account's namespace counts where kubectl would use it:
    // in-cluster, or through a plain URL (a proxy sidecar) from a pod.
    let sa = match &credentials {
        Credentials::Context { .. } => None,
        _ => sa_ns.as_deref(),
    };
    let (namespace, namespace_source) = namespace(
        opts.namespace.as_deref(),
        ctx_ns.as_ref().map(|(c, n)| (c.as_str(), n.as_deref())),
        sa,
    );
    Ok(ApiConfig {
        kube: kube_cfg,
        namespace,
        namespace_source,
        credentials,
        timeout: opts.timeout,
        attempts: opts.attempts.max(1),
    })
}

/// kube's kubeconfig errors, without its "failed to read kubeconfig from
/// PATH" prefix (we name the file ourselves).
fn inner(e: &kube::config::KubeconfigError) -> String {
    use kube::config::KubeconfigError as K;
    match e {
        K::ReadConfig(io, _) => io.to_string(),
        other => {
            let mut s = other.to_string();
            let mut cur = std::error::Error::source(other);
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KC: &str = r#"
apiVersion: v1
kind: Config
current-context: kind-a
clusters:
- name: a
  cluster:
    server: https://127.0.0.1:6443
    insecure-skip-tls-verify: true
- name: b
  cluster:
    server: https://127.0.0.2:6443
    insecure-skip-tls-verify: true
contexts:
- name: kind-a
  context: {cluster: a, user: u, namespace: awx}
- name: kind-b
  context: {cluster: b, user: u}
users:
- name: u
  user: {token: abc}
"#;

    fn env(dir: &Path) -> Environment {
        Environment {
            kubeconfig: None,
            home: Some(dir.join("home")),
            service_host: None,
            service_account_dir: dir.join("sa"),
        }
    }

    fn opts(source: Source, ns: Option<&str>) -> Options {
        Options {
            source,
            namespace: ns.map(str::to_string),
            timeout: Duration::from_secs(2),
            attempts: 2,
        }
    }

    fn kc(path: Option<&Path>, ctx: Option<&str>) -> Source {
        Source::Kubeconfig {
            path: path.map(Path::to_path_buf),
            context: ctx.map(str::to_string),
        }
    }

    #[test]
    fn namespace_rule() {
        let table = [
            (
                Some("x"),
                Some(("c", Some("awx"))),
                Some("sa"),
                "x",
                NsSource::Flag,
            ),
            (
                None,
                Some(("c", Some("awx"))),
                Some("sa"),
                "awx",
                NsSource::Context {
                    context: "c".into(),
                },
            ),
            (
                None,
                Some(("c", None)),
                Some("sa"),
                "sa",
                NsSource::ServiceAccount,
            ),
            (
                None,
                Some(("c", Some(""))),
                None,
                "default",
                NsSource::Default,
            ),
            (None, None, None, "default", NsSource::Default),
        ];
        for (e, c, sa, want, src) in table {
            assert_eq!(
                namespace(e, c, sa),
                (want.to_string(), src),
                "{e:?} {c:?} {sa:?}"
            );
        }
    }

    #[tokio::test]
    async fn kubeconfig_context_and_namespace() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("kc");
        std::fs::write(&f, KC).unwrap();
        let c = load(&opts(kc(Some(&f), None), None), &env(d.path()))
            .await
            .unwrap();
        assert_eq!(c.namespace, "awx");
        assert_eq!(
            c.namespace_source,
            NsSource::Context {
                context: "kind-a".into()
            }
        );
        assert_eq!(c.server(), "https://127.0.0.1:6443");
        assert_eq!(c.credentials.describe(), "credentials for context kind-a");
        assert_eq!(c.kube.connect_timeout, Some(Duration::from_secs(2)));
        assert_eq!(c.bound(), Duration::from_secs(4));

        // --context picks another cluster; no namespace there: default.
        let c = load(&opts(kc(Some(&f), Some("kind-b")), None), &env(d.path()))
            .await
            .unwrap();
        assert_eq!(c.server(), "https://127.0.0.2:6443");
        assert_eq!(c.namespace_source, NsSource::Default);
        // -n wins.
        let c = load(&opts(kc(Some(&f), None), Some("web")), &env(d.path()))
            .await
            .unwrap();
        assert_eq!(
            (c.namespace.as_str(), c.namespace_source),
            ("web", NsSource::Flag)
        );
    }

    #[tokio::test]
    async fn kubeconfig_env_list_and_home() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("kc");
        std::fs::write(&f, KC).unwrap();
        let mut e = env(d.path());
        // Missing files in the list are skipped.
        e.kubeconfig = Some(std::env::join_paths([d.path().join("missing"), f.clone()]).unwrap());
        let c = load(&opts(kc(None, None), None), &e).await.unwrap();
        assert_eq!(c.namespace, "awx");
        assert!(
            matches!(&c.credentials, Credentials::Context { files, .. } if files == std::slice::from_ref(&f))
        );

        let e = env(d.path());
        std::fs::create_dir_all(d.path().join("home/.kube")).unwrap();
        std::fs::copy(&f, d.path().join("home/.kube/config")).unwrap();
        let c = load(&opts(kc(None, Some("kind-b")), None), &e)
            .await
            .unwrap();
        assert_eq!(c.server(), "https://127.0.0.2:6443");
    }

    #[tokio::test]
    async fn errors_name_the_file() {
        let d = tempfile::tempdir().unwrap();
        let e = env(d.path());
        let missing = d.path().join("nope");
        let err = load(&opts(kc(Some(&missing), None), None), &e)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), "bad_kubeconfig");
        assert!(
            err.to_string().contains(&missing.display().to_string()),
            "{err}"
        );

        let bad = d.path().join("bad");
        std::fs::write(&bad, "clusters: [unclosed\n").unwrap();
        let err = load(&opts(kc(Some(&bad), None), None), &e)
            .await
            .unwrap_err();
        assert_eq!(err.class(), crate::error::ErrorClass::Usage);
        assert!(
            err.to_string()
                .starts_with(&format!("bad kubeconfig {}: ", bad.display())),
            "{err}"
        );

        let f = d.path().join("kc");
        std::fs::write(&f, KC).unwrap();
        let err = load(&opts(kc(Some(&f), Some("nosuch")), None), &e)
            .await
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("no context \"nosuch\" (contexts: kind-a, kind-b)"),
            "{err}"
        );

        let nocur = d.path().join("nocur");
        std::fs::write(&nocur, KC.replace("current-context: kind-a", "")).unwrap();
        let err = load(&opts(kc(Some(&nocur), None), None), &e)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("no current-context"), "{err}");

        let noserver = d.path().join("noserver");
        std::fs::write(&noserver, KC.replace("server: https://127.0.0.1:6443", "")).unwrap();
        let err = load(&opts(kc(Some(&noserver), None), None), &e)
            .await
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("context kind-a: cluster url is missing"),
            "{err}"
        );

        // Nothing at all, not in a pod.
        let err = load(&opts(kc(None, None), None), &e).await.unwrap_err();
        assert_eq!(err.kind(), "no_kubeconfig");
        assert!(err.to_string().contains("--api-url"), "{err}");
    }

    #[tokio::test]
    async fn plain_url() {
        let d = tempfile::tempdir().unwrap();
        let mut e = env(d.path());
        let c = load(
            &opts(Source::Url("http://127.0.0.1:30021".into()), None),
            &e,
        )
        .await
        .unwrap();
        assert_eq!(c.credentials, Credentials::Anonymous);
        assert_eq!(c.namespace_source, NsSource::Default);
        assert_eq!(c.server(), "http://127.0.0.1:30021");
        // A proxy sidecar in a pod: the service account's namespace.
        std::fs::create_dir_all(d.path().join("sa")).unwrap();
        std::fs::write(d.path().join("sa/namespace"), "awx\n").unwrap();
        e.service_host = Some("10.96.0.1".into());
        let c = load(
            &opts(Source::Url("http://127.0.0.1:30021".into()), None),
            &e,
        )
        .await
        .unwrap();
        assert_eq!(
            (c.namespace.as_str(), c.namespace_source),
            ("awx", NsSource::ServiceAccount)
        );
        for bad in ["127.0.0.1:30021", "ftp://x", "http://", "not a url"] {
            let err = load(&opts(Source::Url(bad.into()), None), &e)
                .await
                .unwrap_err();
            assert_eq!(err.kind(), "bad_url", "{bad}");
        }
    }
}
