//! The embedded cluster for applications' own tests (the `testkit`
//! feature): hsvc-cluster's model of Services and pods, served as
//! CoreDNS-faithful DNS and as a stand-in Kubernetes API on loopback, and
//! changed while the test runs ([`LiveCluster::scale`],
//! [`LiveCluster::set_pod_ready`], …).
//!
//! ```no_run
//! use hsvc_discover::testkit::{Cluster, LiveCluster};
//! use hsvc_discover::{DnsSource, Refresh};
//! # async fn run() {
//! let mut model = Cluster::demo();
//! model.ttl = 1; // answers live 1 s: the stream follows within a second
//! let live = LiveCluster::start(model).unwrap();
//! let changes = DnsSource::new(vec![live.dns_addr()], "shop", "api")
//!     .unwrap()
//!     .refresh(Refresh { min: std::time::Duration::from_millis(200), ..Refresh::default() })
//!     .start();
//! live.scale("shop", "api", 6); // api-3..5 join at 127.77.0.4-6
//! # drop(changes);
//! # }
//! ```

pub use hsvc_cluster::*;

/// A client of the cluster's stand-in API over its plain-HTTP port (as
/// through `kubectl proxy`: no credentials), reading nothing of this
/// machine's kubeconfig or service account. For [`crate::ApiSource`] in
/// tests (features `testkit` and `api`).
#[cfg(feature = "api")]
pub async fn api_client(
    live: &LiveCluster,
) -> Result<hsvc_api::client::ApiClient, hsvc_api::error::ApiError> {
    use hsvc_api::config::{self, Environment, Source};
    let env = Environment {
        kubeconfig: None,
        home: None,
        service_host: None,
        service_account_dir: "/nonexistent/hsvc-testkit".into(),
    };
    let opts = config::Options {
        source: Source::Url(live.http_url()),
        namespace: None,
        timeout: std::time::Duration::from_secs(5),
        attempts: 1,
    };
    hsvc_api::client::ApiClient::new(config::load(&opts, &env).await?)
}
