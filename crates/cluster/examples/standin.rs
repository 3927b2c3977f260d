//! Run the demo cluster's DNS replicas and stand-in API until killed:
//! `cargo run -p hsvc-cluster --example standin -- DIR` writes `DIR/kubeconfig`.

use hsvc_cluster::{Cluster, LiveCluster};

fn main() -> std::io::Result<()> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "/tmp/hsvc-standin".into());
    let live = LiveCluster::start(Cluster::demo())?;
    let kc = live.write_kubeconfig(std::path::Path::new(&dir))?;
    println!("kubeconfig {}", kc.display());
    println!("https {}", live.https_url());
    println!("http {}", live.http_url());
    for r in live.replicas() {
        println!("dns {} {}", r.pod, r.addr);
    }
    loop {
        std::thread::sleep(std::time::Duration::from_secs(3600));
    }
}
