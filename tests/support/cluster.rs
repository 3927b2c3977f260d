//! The test cluster and its in-process cluster DNS on loopback
//! ([`hsvc_cluster`]), which the real binary is pointed at.

use std::net::{Ipv4Addr, SocketAddr};

use hsvc_cluster::{spawn_background, Cluster, Endpoint, Port, ServerHandle, Service, SharedZone};

use super::bin::{hsvc, temp_file, Run, TempFile};

/// The worked example (docs/cluster-dns.md §7) plus Services the tests need: `web.mid`, a
/// 20-pod StatefulSet (10.2.0.1 upwards, port http 8080), and `svc.evil`,
/// whose pod hostname carries terminal control sequences.
pub fn cluster() -> Cluster {
    Cluster::example()
        .with_service(Service::statefulset(
            "mid",
            "web",
            20,
            Ipv4Addr::new(10, 2, 0, 1),
            ("http", 8080),
        ))
        .with_service(Service::headless(
            "evil",
            "svc",
            vec![Port::tcp("http", 80)],
            vec![Endpoint::named(
                "\u{1b}[31mred\u{1b}]0;pwned\u{7}",
                vec!["10.9.9.9".parse().unwrap()],
            )],
        ))
}

/// [`cluster`] plus a 3000-pod StatefulSet `web.big` (10.1.0.1 upwards,
/// port http 8080).
pub fn big_cluster() -> Cluster {
    cluster().with_service(Service::statefulset(
        "big",
        "web",
        3000,
        Ipv4Addr::new(10, 1, 0, 1),
        ("http", 8080),
    ))
}

/// A cluster DNS server on 127.0.0.1 (a free port), stopped when dropped.
pub struct Dns {
    pub handle: ServerHandle,
}

impl Dns {
    /// Serving [`cluster`].
    pub fn start() -> Dns {
        Self::with(cluster())
    }

    /// Serving `c`.
    pub fn with(c: Cluster) -> Dns {
        let zone = SharedZone::from_cluster(&c);
        let handle = spawn_background("127.0.0.1:0".parse().unwrap(), zone).expect("server");
        Dns { handle }
    }

    pub fn addr(&self) -> SocketAddr {
        self.handle.addr
    }

    /// The zone it serves: change it, inject faults, read the query log.
    pub fn zone(&self) -> &SharedZone {
        &self.handle.zone
    }

    /// `hsvc --server ADDR ARGS…` (see [`hsvc`]).
    pub fn hsvc(&self, args: &[&str]) -> Run {
        at(&[self], args)
    }
}

/// `hsvc --server A --server B … ARGS…`: every server asked (by `diff` and
/// `watch`, each on its own).
pub fn at(servers: &[&Dns], args: &[&str]) -> Run {
    let mut all: Vec<String> = Vec::new();
    for s in servers {
        all.extend(["--server".to_string(), s.addr().to_string()]);
    }
    all.extend(args.iter().map(|s| s.to_string()));
    hsvc(&all)
}

/// A pod's resolv.conf in namespace `ns` (docs/cluster-dns.md §5); its nameserver is a
/// loopback address that nothing listens on, so only `--server` is asked.
pub fn pod_resolv_conf(ns: &str) -> TempFile {
    temp_file(
        &format!("resolv.{ns}"),
        format!(
            "search {ns}.svc.cluster.local svc.cluster.local cluster.local\n\
             nameserver 127.0.0.1\noptions ndots:5\n"
        ),
    )
}
