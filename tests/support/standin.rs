//! The stand-in Kubernetes API and its DNS replicas for the binary
//! (`hsvc_cluster::LiveCluster` over `Cluster::demo()`), with a kubeconfig
//! written to a temporary HOME, so no real kubeconfig (and no real cluster)
//! can be reached.

use std::path::PathBuf;

use hsvc_cluster::{Cluster, LiveCluster};
use tempfile::TempDir;

use super::bin::{temp_dir, Cmd};

/// A running stand-in and the kubeconfig written for it.
pub struct Standin {
    pub live: LiveCluster,
    /// The HOME of every command (and where the kubeconfig is).
    pub dir: TempDir,
    pub kubeconfig: PathBuf,
}

/// Starts the demo model's stand-in on free loopback ports.
pub fn start() -> Standin {
    let live = LiveCluster::start(Cluster::demo()).unwrap();
    let dir = temp_dir();
    let kubeconfig = live.write_kubeconfig(dir.path()).unwrap();
    Standin {
        live,
        dir,
        kubeconfig,
    }
}

impl Standin {
    /// `hsvc ARGS…` with HOME at the temporary folder, no KUBECONFIG, no
    /// in-cluster variables and (support::bin's default) a resolv.conf
    /// without nameservers.
    pub fn cmd(&self, args: &[&str]) -> Cmd {
        Cmd::new(args)
            .env("HOME", self.dir.path())
            .env_remove("KUBECONFIG")
            .env_remove("KUBERNETES_SERVICE_HOST")
    }
}
