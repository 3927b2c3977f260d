//! Writes master files for the benchmark and interop cluster: the worked example's (docs/cluster-dns.md §7)
//! worked example plus StatefulSets `web.sN` of 3, 100, 1000 and 3000 pods
//! (from 10.100.0.1, 10.101.0.1, … ; port http 8080, none for 3000; SRV
//! targets are hostnames) and Deployments `web.dN` of 100 and 1000 pods
//! (from 10.110.0.1, 10.111.0.1; port http 8080; SRV targets are dashed IPs,
//! which name their address themselves).
//!
//! Usage: cargo run --release --example gen_zones -- DIR
//! Writes DIR/db.cluster.local, DIR/db.in-addr.arpa, DIR/db.ip6.arpa.

use std::net::Ipv4Addr;

use hsvc_cluster::{Cluster, Service};

fn main() -> std::io::Result<()> {
    let dir = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    std::fs::create_dir_all(&dir)?;
    let mut cluster = Cluster::example();
    for (i, n) in [3usize, 100, 1000, 3000].into_iter().enumerate() {
        let mut svc = Service::statefulset(
            &format!("s{n}"),
            "web",
            n,
            Ipv4Addr::new(10, 100 + i as u8, 0, 1),
            ("http", 8080),
        );
        if n > 1000 {
            // BIND cannot load an RRset above 64 KiB ("ran out of space"):
            // 3000 SRV records are about 135 KB, so this Service has no
            // ports (a headless Service may have none: no SRV, docs/cluster-dns.md R6.6).
            svc.ports.clear();
        }
        cluster = cluster.with_service(svc);
    }
    for (i, n) in [100usize, 1000].into_iter().enumerate() {
        cluster = cluster.with_service(Service::deployment(
            &format!("d{n}"),
            "web",
            n,
            Ipv4Addr::new(10, 110 + i as u8, 0, 1),
            ("http", 8080),
        ));
    }
    for (origin, text) in cluster.zone_files() {
        let path = format!("{dir}/db.{}", origin.trim_end_matches('.'));
        std::fs::write(&path, text)?;
        eprintln!("wrote {path}");
    }
    Ok(())
}
