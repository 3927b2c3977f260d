//! Test harness: an in-process cluster DNS on loopback and the real `hsvc`
//! binary run against it.
#![allow(dead_code)]

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::{Command, Output};

use hsvc_cluster::{spawn_background, Cluster, Endpoint, Port, ServerHandle, Service, SharedZone};

/// The spec's worked example plus a 3000-pod StatefulSet `web.big`
/// (10.1.0.1 upwards, port http 8080).
pub fn big_cluster() -> Cluster {
    cluster().with_service(Service::statefulset(
        "big",
        "web",
        3000,
        Ipv4Addr::new(10, 1, 0, 1),
        ("http", 8080),
    ))
}

/// The spec's worked example plus Services the tests need: `web.mid`, a
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

pub struct Dns {
    pub handle: ServerHandle,
}

impl Dns {
    pub fn start() -> Dns {
        Self::with(cluster())
    }

    pub fn with(c: Cluster) -> Dns {
        let zone = SharedZone::from_cluster(&c);
        let handle = spawn_background("127.0.0.1:0".parse().unwrap(), zone).expect("server");
        Dns { handle }
    }

    pub fn addr(&self) -> SocketAddr {
        self.handle.addr
    }

    pub fn zone(&self) -> &SharedZone {
        &self.handle.zone
    }

    /// `hsvc --server ADDR --resolv-conf <empty> ARGS…`
    pub fn hsvc(&self, args: &[&str]) -> Run {
        let mut all = vec!["--server".to_string(), self.addr().to_string()];
        all.extend(args.iter().map(|s| s.to_string()));
        hsvc(&all)
    }
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr: {}",
                self.stdout, self.stderr
            )
        })
    }
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_hsvc"))
}

/// Runs the binary with a resolv.conf that lists no nameserver unless the
/// caller passes `--resolv-conf`, so nothing can reach a real server.
pub fn hsvc<S: AsRef<str>>(args: &[S]) -> Run {
    let mut cmd = Command::new(bin());
    let args: Vec<&str> = args.iter().map(|s| s.as_ref()).collect();
    if !args.contains(&"--resolv-conf") {
        cmd.arg("--resolv-conf").arg(empty_resolv_conf());
    }
    cmd.args(&args)
        .env_remove("HSVC_SERVER")
        .env_remove("HSVC_NAMESPACE")
        .env("NO_COLOR", "1");
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("run hsvc");
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8(stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(stderr).expect("stderr is UTF-8"),
    }
}

pub fn temp_file(name: &str, content: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hsvc-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, content).unwrap();
    p
}

fn empty_resolv_conf() -> PathBuf {
    temp_file("resolv.empty", "# no nameserver\n")
}

/// A pod's resolv.conf in namespace `ns` (spec §9.7); its nameserver is a
/// loopback address that nothing listens on, so only --server is asked.
pub fn pod_resolv_conf(ns: &str) -> PathBuf {
    temp_file(
        &format!("resolv.{ns}"),
        &format!(
            "search {ns}.svc.cluster.local svc.cluster.local cluster.local\n\
             nameserver 127.0.0.1\noptions ndots:5\n"
        ),
    )
}

/// IPs of a resolve JSON document.
pub fn ips(doc: &serde_json::Value) -> Vec<String> {
    doc["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["ip"].as_str().unwrap().to_string())
        .collect()
}
