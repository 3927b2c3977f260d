//! Cross-check with a real client: kubectl (v1.32 on the machine image) against the
//! stand-in, through its kubeconfig (HTTPS, CA, token) and through `kubectl proxy`.
//! Skipped, with one line, where kubectl is not installed.

mod support;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use hsvc_cluster::{Cluster, LiveCluster};
use support::Client;

fn kubectl_path() -> Option<PathBuf> {
    let out = Command::new("sh")
        .args(["-c", "command -v kubectl"])
        .output()
        .ok()?;
    let p = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !p.is_empty()).then(|| PathBuf::from(p))
}

macro_rules! kubectl_or_skip {
    () => {
        match kubectl_path() {
            Some(p) => p,
            None => {
                eprintln!("skipping: kubectl not found on PATH");
                return;
            }
        }
    };
}

struct Kubectl {
    bin: PathBuf,
    kubeconfig: PathBuf,
    cache: PathBuf,
    /// kubectl's HOME, cache and kubeconfig; removed with this value.
    _dir: tempfile::TempDir,
}

impl Kubectl {
    fn new(bin: PathBuf, live: &LiveCluster) -> Kubectl {
        let dir = tempfile::tempdir().unwrap();
        Kubectl {
            bin,
            kubeconfig: live.write_kubeconfig(dir.path()).unwrap(),
            cache: dir.path().join("cache"),
            _dir: dir,
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(&self.bin);
        c.arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .arg("--cache-dir")
            .arg(&self.cache)
            .args(args)
            .env_remove("KUBECONFIG")
            .env("HOME", self.cache.parent().unwrap());
        c
    }

    /// Run to completion (bounded): (exit ok, stdout, stderr).
    fn run(&self, args: &[&str]) -> (bool, String, String) {
        let mut child = self
            .command(args)
            .arg("--request-timeout=20s")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("kubectl runs");
        let t0 = Instant::now();
        loop {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            if t0.elapsed() > Duration::from_secs(30) {
                let _ = child.kill();
                panic!("kubectl {args:?} did not finish in 30 s");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let out = child.wait_with_output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

/// Lines of a running child's stdout, with a deadline.
struct Running {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Running {
    fn spawn(mut cmd: Command) -> Running {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("kubectl runs");
        let out = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for l in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(l).is_err() {
                    return;
                }
            }
        });
        Running { child, lines: rx }
    }

    fn line_matching(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(l) if pred(&l) => return l,
                Ok(_) => {}
                Err(_) => panic!("kubectl printed no line with {what} in 20 s"),
            }
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn kubectl_gets_endpointslices_services_and_pods() {
    let bin = kubectl_or_skip!();
    let live = LiveCluster::start(Cluster::demo()).unwrap();
    let k = Kubectl::new(bin, &live);
    let (ok, out, err) = k.run(&["get", "endpointslices", "-n", "awx"]);
    assert!(ok, "{err}");
    let header: Vec<&str> = out.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(header, ["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"]);
    let v6 = out
        .lines()
        .find(|l| l.starts_with("db-") && l.contains("IPv6"))
        .unwrap();
    assert!(v6.contains(" ::1 "), "{out}");
    assert_eq!(
        out.lines()
            .filter(|l| l.starts_with("web-headless-"))
            .count(),
        1,
        "{out}"
    );

    let (ok, out, err) = k.run(&[
        "get",
        "svc",
        "-A",
        "--field-selector",
        "spec.clusterIP=None",
    ]);
    assert!(ok, "{err}");
    let rows: Vec<Vec<&str>> = out
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert!(rows.iter().all(|r| r[3] == "None"), "{out}");
    assert!(
        rows.iter()
            .any(|r| r[0] == "default" && r[1] == "web-headless"),
        "{out}"
    );
    assert!(
        !rows.iter().any(|r| r[1] == "kube-dns" || r[1] == "web"),
        "{out}"
    );
    assert_eq!(rows.len(), 6, "{out}");

    // The context's namespace (awx) applies without -n.
    let (ok, out, _) = k.run(&["get", "pods"]);
    assert!(ok);
    let web3 = out.lines().find(|l| l.starts_with("web-3 ")).unwrap();
    assert!(web3.contains("Terminating"), "{out}");
    assert!(out
        .lines()
        .find(|l| l.starts_with("web-2 "))
        .unwrap()
        .contains("0/1"));

    let (ok, out, err) = k.run(&["get", "endpoints", "web-headless"]);
    assert!(ok);
    assert!(
        err.contains("v1 Endpoints is deprecated in v1.33+"),
        "{err}"
    );
    assert!(out.contains("127.244.217.10:8080"), "{out}");

    let (ok, out, _) = k.run(&[
        "get",
        "endpointslices",
        "-n",
        "awx",
        "-l",
        "kubernetes.io/service-name=db",
        "-o",
        "json",
    ]);
    assert!(ok);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["items"].as_array().unwrap().len(), 2);

    // Errors come through as kubectl prints a real server's.
    live.faults().forbid("awx", "endpointslices");
    let (ok, _, err) = k.run(&["get", "endpointslices"]);
    assert!(!ok);
    assert!(err.contains("Error from server (Forbidden): endpointslices.discovery.k8s.io is forbidden: User \"system:serviceaccount:default:hsvc\" cannot list resource \"endpointslices\" in API group \"discovery.k8s.io\" in the namespace \"awx\""), "{err}");
    let (ok, _, err) = k.run(&["get", "svc", "nope"]);
    assert!(
        !ok && err.contains("Error from server (NotFound): services \"nope\" not found"),
        "{err}"
    );
}

#[test]
fn kubectl_watch_sees_a_change() {
    let bin = kubectl_or_skip!();
    let live = LiveCluster::start(Cluster::demo()).unwrap();
    let k = Kubectl::new(bin, &live);
    let w = Running::spawn(k.command(&[
        "get",
        "endpointslices",
        "-n",
        "awx",
        "-w",
        "-l",
        "kubernetes.io/service-name=web-headless",
    ]));
    let first = w.line_matching("the web-headless slice", |l| l.starts_with("web-headless-"));
    assert!(first.contains("127.244.217.10"), "{first}");
    live.delete_pod("awx", "web-0");
    let next = w.line_matching("the changed slice", |l| {
        l.starts_with("web-headless-") && !l.contains("127.244.217.10")
    });
    assert!(next.contains("127.244.194.67"), "{next}");
}

#[test]
fn kubectl_proxy_in_front_of_the_stand_in() {
    let bin = kubectl_or_skip!();
    let live = LiveCluster::start(Cluster::demo()).unwrap();
    let k = Kubectl::new(bin, &live);
    let p = Running::spawn(k.command(&["proxy", "--port=0", "--address=127.0.0.1"]));
    let line = p.line_matching("Starting to serve on", |l| {
        l.starts_with("Starting to serve on ")
    });
    let addr: std::net::SocketAddr = line
        .trim_start_matches("Starting to serve on ")
        .trim()
        .parse()
        .unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let through = Client { addr, tls: None, token: None };
        let before = live.api().requests();
        let (s, v) = through.get("/apis/discovery.k8s.io/v1/namespaces/awx/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dweb-headless").await;
        assert_eq!(s, 200, "{v}");
        assert!(live.api().requests() > before, "the request reached the stand-in");
        let eps = v["items"][0]["endpoints"].as_array().unwrap();
        assert_eq!(eps.len(), 4);
        let (s, h, _) = through.get_with("/api/v1/namespaces/awx/endpoints/web-headless", &[]).await;
        assert_eq!(s, 200);
        assert!(h.get("warning").is_some(), "the proxy passes the deprecation warning");
        // A watch through the proxy streams too.
        let rv = live.api().resource_version();
        let mut w = through.watch(&format!("/api/v1/namespaces/awx/pods?watch=true&resourceVersion={rv}")).await;
        live.set_pod_ready("awx", "web-2", true);
        let e = w.next().await.unwrap();
        assert_eq!((e["type"].as_str(), e["object"]["metadata"]["name"].as_str()), (Some("MODIFIED"), Some("web-2")));
    });
}

/// kubectl 1.32's port-forward speaks SPDY/3.1 only: first tunnelled in a WebSocket
/// (subprotocol `SPDY/3.1+portforward.k8s.io`), then, when that upgrade is refused, as a
/// plain `Upgrade: SPDY/3.1` POST. The stand-in implements the channel protocol kube-rs
/// uses (`v4.channel.k8s.io`), not SPDY, so both attempts get a 400 Status and kubectl
/// reports it: this checks that it got that far (and did not hang).
#[test]
fn kubectl_port_forward_needs_spdy_which_the_stand_in_refuses_clearly() {
    let bin = kubectl_or_skip!();
    let live = LiveCluster::start(Cluster::demo()).unwrap();
    let k = Kubectl::new(bin, &live);
    let (ok, out, err) = k.run(&[
        "port-forward",
        "-n",
        "kube-system",
        "pod/coredns-5d78c9869d-abcde",
        ":53",
    ]);
    assert!(!ok || out.is_empty(), "{out}");
    assert!(err.contains("SPDY/3.1 is not implemented"), "{err}");
    assert_eq!(live.api().forwards(), 0);
}
