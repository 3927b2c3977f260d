//! Wall time of an API read of a Service with N endpoints against the
//! stand-in API over HTTPS (connection warm; best of 20), and of the first
//! read on a new client (TLS handshake included):
//! `cargo run --release -p hsvc-api --example read_timing -- 3 1000`.

use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use hsvc_api::client::ApiClient;
use hsvc_api::config::{self, Environment, Source};
use hsvc_cluster::{Cluster, LiveCluster, Pod, Port, Service};

fn cluster(n: usize) -> Cluster {
    let mut c = Cluster::new("cluster.local");
    c.services.push(Service::headless_selecting(
        "big",
        "pool",
        vec![Port::tcp("http", 8080)],
        &[("app", "pool")],
    ));
    for i in 0..n {
        let ip = IpAddr::V4(Ipv4Addr::from(
            u32::from(Ipv4Addr::new(127, 50, 0, 1)) + i as u32,
        ));
        c.pods.push(
            Pod::new("big", &format!("pool-{i}"), &[("app", "pool")], vec![ip]).stateful("pool"),
        );
    }
    c
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let dir = std::env::temp_dir().join(format!("hsvc-read-timing-{}", std::process::id()));
    for n in if sizes.is_empty() {
        vec![3, 1000]
    } else {
        sizes
    } {
        let live = LiveCluster::start(cluster(n)).expect("stand-in");
        let kc = live.write_kubeconfig(&dir).expect("kubeconfig");
        let env = Environment {
            home: Some(dir.join("no-home")),
            service_account_dir: dir.join("no-sa"),
            ..Environment::default()
        };
        let opts = config::Options {
            source: Source::Kubeconfig {
                path: Some(kc),
                context: None,
            },
            namespace: None,
            timeout: Duration::from_secs(10),
            attempts: 1,
        };
        let t0 = Instant::now();
        let c = ApiClient::new(config::load(&opts, &env).await.expect("config")).expect("client");
        let v = c.service_view("big", "pool").await.expect("read");
        let cold = t0.elapsed();
        assert_eq!(v.endpoints.len(), n);
        let mut best = Duration::MAX;
        for _ in 0..20 {
            let t = Instant::now();
            let v = c.service_view("big", "pool").await.expect("read");
            best = best.min(t.elapsed());
            assert_eq!(v.endpoints.len(), n);
        }
        println!(
            "{n} endpoints ({} slices): first read {:.2} ms (config, TLS), warm read {:.2} ms",
            v.slices.len(),
            cold.as_secs_f64() * 1e3,
            best.as_secs_f64() * 1e3
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
