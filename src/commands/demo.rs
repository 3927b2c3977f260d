//! `hsvc demo`: an embedded cluster served from one model — cluster DNS as
//! CoreDNS answers it (the kube-dns Service address and one server per
//! CoreDNS replica), the Kubernetes API (HTTPS with a kubeconfig, plain HTTP
//! like `kubectl proxy`) and stand-in pods listening on their loopback
//! addresses — and a guided tour that runs the real commands against it.
//!
//! Every address the demo hands out is on this machine (127/8, ::1): a
//! command run against it, `hsvc check` included, sends nothing elsewhere.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::cli::Cli;
use crate::exit::{Exit, Fail};
use crate::plan::DemoPlan;
use crate::report::Reporter;
use hsvc_cluster::{
    self, Cluster, LiveCluster, LiveOptions, Pod, PodBehaviour, PodServers, SharedZone,
};

/// The namespace of the written kubeconfig's context and of the pod whose
/// resolv.conf the demo writes.
const NAMESPACE: &str = "default";

/// The CoreDNS replica the tour freezes to show a lagging one.
#[cfg(feature = "api")]
const LAGGING: &str = "coredns-5d78c9869d-fghij";

pub async fn run(
    args: &DemoPlan,
    out: &mut dyn Write,
    rep: &mut Reporter<'_>,
) -> Result<Exit, Fail> {
    if let Some(path) = &args.zone {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Fail::usage(format!("cannot read {}: {e}", path.display())))?;
        let z = hsvc_cluster::Zone::parse(&text)
            .map_err(|e| Fail::usage(format!("{}: {e}", path.display())))?;
        return serve_zone(args.listen, SharedZone::new(z), out, rep).await;
    }
    if args.serve {
        return serve(args, out, rep).await;
    }
    tour(args, out).await
}

/// How a stand-in pod answers: ready pods 200, not-ready or terminating ones
/// 503; in `shop/api`, api-1 answers 503 and api-2 refuses connections, so
/// `hsvc check api.shop` has something to find.
fn behaviour(p: &Pod) -> PodBehaviour {
    match (p.namespace.as_str(), p.name.as_str()) {
        ("shop", "api-1") => PodBehaviour::Unhealthy,
        ("shop", "api-2") => PodBehaviour::Refuse,
        _ if !p.ready || p.terminating => PodBehaviour::Unhealthy,
        _ => PodBehaviour::Healthy,
    }
}

/// The files the demo writes for the user's own commands.
struct Files {
    dir: PathBuf,
    kubeconfig: PathBuf,
    resolv_conf: PathBuf,
    created_dir: bool,
}

impl Files {
    /// Writes the kubeconfig and a pod's resolv.conf to `dir` (created with
    /// mode 0700 when missing; a symlink or a non-folder is refused, since
    /// the default lives in a shared temporary folder).
    fn write(dir: &Path, live: &LiveCluster) -> std::io::Result<Files> {
        let created_dir = match std::fs::symlink_metadata(dir) {
            Ok(m) if m.is_dir() => false,
            Ok(_) => {
                return Err(std::io::Error::other(format!(
                    "{} exists and is not a folder",
                    dir.display()
                )))
            }
            Err(_) => {
                let mut b = std::fs::DirBuilder::new();
                #[cfg(unix)]
                std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
                b.create(dir)?;
                true
            }
        };
        let kubeconfig = live.write_kubeconfig(dir)?;
        let resolv_conf = dir.join("pod-resolv.conf");
        std::fs::write(&resolv_conf, pod_resolv_conf(NAMESPACE, &live.cluster()))?;
        Ok(Files {
            dir: dir.to_path_buf(),
            kubeconfig,
            resolv_conf,
            created_dir,
        })
    }

    fn remove(&self) {
        let _ = std::fs::remove_file(&self.kubeconfig);
        let _ = std::fs::remove_file(&self.resolv_conf);
        if self.created_dir {
            let _ = std::fs::remove_dir(&self.dir);
        }
    }
}

/// The resolv.conf kubelet writes into a pod of `ns` (ClusterFirst): the
/// search list of the namespace, the kube-dns ClusterIP (a loopback address
/// in the demo), ndots 5.
fn pod_resolv_conf(ns: &str, c: &Cluster) -> String {
    format!(
        "# The resolv.conf of a pod in namespace {ns} (dnsPolicy ClusterFirst), as\n\
         # `hsvc demo` writes it. The nameserver is the demo's kube-dns ClusterIP;\n\
         # give --server (or HSVC_SERVER) to ask the demo's DNS port instead.\n\
         search {ns}.svc.cluster.local svc.cluster.local cluster.local\n\
         nameserver {}\noptions ndots:5\n",
        c.dns_ip
    )
}

/// The running demo: DNS, API and pods.
struct Running {
    live: LiveCluster,
    pods: PodServers,
    dns: SocketAddr,
}

fn start_live(p: &DemoPlan, any_port: bool) -> std::io::Result<LiveCluster> {
    let port = |n: u16| if any_port { 0 } else { n };
    let listen = SocketAddr::new(p.listen.ip(), port(p.listen.port()));
    LiveCluster::start_with(
        Cluster::demo(),
        LiveOptions {
            listen: p.listen.ip(),
            https_port: port(p.api_port),
            http_port: port(p.proxy_port),
            namespace: NAMESPACE.into(),
            dns_port: listen.port(),
            service_dns: Some(listen),
            ..LiveOptions::default()
        },
    )
}

async fn start(p: &DemoPlan, fall_back_to_free_ports: bool) -> Result<Running, Fail> {
    let live = match start_live(p, false) {
        Ok(l) => l,
        // A port is taken (another demo?): for the tour any free port will do.
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse && fall_back_to_free_ports => {
            start_live(p, true).map_err(|e| listen_fail(p, e))?
        }
        Err(e) => return Err(listen_fail(p, e)),
    };
    let pods = PodServers::start(&live.cluster(), behaviour).await;
    let dns = live
        .service_dns_addr()
        .ok_or_else(|| Fail::usage("the demo cluster has no DNS address"))?;
    Ok(Running { live, pods, dns })
}

fn listen_fail(p: &DemoPlan, e: std::io::Error) -> Fail {
    Fail::usage(format!(
        "cannot listen on {} (DNS), ports {} and {} (API) or a replica's address: {e}{}",
        p.listen,
        p.api_port,
        p.proxy_port,
        if e.kind() == std::io::ErrorKind::AddrInUse {
            " (another hsvc demo --serve? give --listen, --api-port, --proxy-port)"
        } else {
            ""
        }
    ))
}

/// One line on the pods that could not be given a listener (a system where
/// only 127.0.0.1 is local, a port another program holds).
fn pods_note(pods: &PodServers) -> Option<String> {
    let (addr, e) = pods.failed.first()?;
    Some(format!(
        "{} of {} pod listeners could not start (first: {addr}: {e}); `hsvc check` sees those pods refuse",
        pods.failed.len(),
        pods.failed.len() + pods.bound.len()
    ))
}

async fn serve(p: &DemoPlan, out: &mut dyn Write, rep: &mut Reporter<'_>) -> Result<Exit, Fail> {
    let mut running = start(p, false).await?;
    let dir = p
        .dir
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join("hsvc-demo"));
    let files = Files::write(&dir, &running.live).map_err(|e| {
        Fail::usage(format!(
            "cannot write the demo's files to {}: {e}",
            dir.display()
        ))
    })?;
    if let Some(note) = pods_note(&running.pods) {
        rep.warning(&note);
    }
    let dns = running.dns;
    let replicas: Vec<String> = running
        .live
        .replicas()
        .iter()
        .map(|r| format!("{} {}", r.pod, r.addr))
        .collect();
    let kubeconfig = files.kubeconfig.display().to_string();
    let written = writeln!(
        out,
        "cluster DNS on {dns} (UDP and TCP), answering as the kube-dns Service would\n  \
         CoreDNS replicas: {}\n\
         Kubernetes API on {} (kubeconfig {kubeconfig}, context namespace {NAMESPACE}); \
         plain HTTP on {} (like kubectl proxy)\n\
         {} pod listeners on their loopback addresses (127.244.x.y, 127.77.0.x, ::1)\n\
         a pod's resolv.conf (namespace {NAMESPACE}): {}\n\
         In another terminal:\n  \
         export HSVC_SERVER={dns} KUBECONFIG={kubeconfig}\n  \
         hsvc resolve web-headless.awx\n  \
         hsvc ls -A\n  \
         hsvc verify web-headless.awx --server {}\n\
         Ctrl-C stops it.",
        replicas.join(", "),
        running.live.https_url(),
        running.live.http_url(),
        running.pods.bound.len(),
        files.resolv_conf.display(),
        running
            .live
            .replicas()
            .iter()
            .map(|r| r.addr.to_string())
            .collect::<Vec<_>>()
            .join(" --server "),
    )
    .and_then(|_| out.flush());
    if let Err(e) = written {
        files.remove();
        return Err(super::io_fail(e));
    }
    stopped().await;
    let _ = writeln!(rep.writer(), "stopping");
    running.pods.stop();
    files.remove();
    // Joins the servers' thread: nothing is left listening when hsvc exits.
    drop(running.live);
    Ok(Exit::Ok)
}

/// Waits for Ctrl-C or SIGTERM.
async fn stopped() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// `hsvc demo --zone FILE`: DNS only, from a zone file.
async fn serve_zone(
    listen: SocketAddr,
    zone: SharedZone,
    out: &mut dyn Write,
    rep: &mut Reporter<'_>,
) -> Result<Exit, Fail> {
    let mut running = hsvc_cluster::serve(listen, zone)
        .await
        .map_err(|e| Fail::usage(format!("cannot listen on {listen}: {e}")))?;
    let addr = running.addr;
    writeln!(
        out,
        "cluster DNS on {addr} (UDP and TCP), serving the zone file. In another terminal:\n  \
         export HSVC_SERVER={addr}   # then every hsvc command asks it\n\
         Ctrl-C stops it."
    )
    .and_then(|_| out.flush())
    .map_err(super::io_fail)?;
    tokio::select! {
        r = running.block_until_done() => {
            r.map_err(|e| Fail::usage(format!("server stopped: {e}")))?;
        }
        _ = stopped() => {
            let _ = writeln!(rep.writer(), "stopping");
            let _ = running.shutdown().await;
        }
    }
    Ok(Exit::Ok)
}

/// One step of the tour: prints the command as a user would type it (with
/// HSVC_SERVER and KUBECONFIG set, as after `hsvc demo --serve`), runs it in
/// this process against the embedded cluster, and prints its exit code.
struct Tour<'a> {
    /// `--server DNS --kubeconfig FILE`: what the environment would give.
    globals: Vec<String>,
    out: &'a mut dyn Write,
    failures: Vec<String>,
}

impl Tour<'_> {
    fn say(&mut self, text: &str) -> Result<(), Fail> {
        writeln!(
            self.out,
            "\n{}",
            crate::diag::paint(crate::diag::BOLD, &format!("## {text}"))
        )
        .map_err(super::io_fail)
    }

    fn argv<'s>(&'s self, args: &[&'s str]) -> Vec<&'s str> {
        let own_server = args.iter().any(|a| *a == "--server" || *a == "-s");
        let mut argv = vec!["hsvc"];
        let mut globals = self.globals.iter().map(String::as_str);
        while let Some(flag) = globals.next() {
            let value = globals.next().unwrap_or_default();
            if !(own_server && flag == "--server") {
                argv.extend([flag, value]);
            }
        }
        argv.extend_from_slice(args);
        argv
    }

    /// Runs `hsvc <args>`; `expect` is the exit code the step should end
    /// with (a step that ends otherwise is reported at the end).
    async fn step(&mut self, args: &[&str], expect: Exit) -> Result<Vec<u8>, Fail> {
        let argv: Vec<String> = self.argv(args).into_iter().map(String::from).collect();
        writeln!(self.out, "$ hsvc {}", args.join(" ")).map_err(super::io_fail)?;
        let mut captured = Vec::new();
        let refs: Vec<&str> = argv.iter().map(String::as_str).collect();
        let code = run_captured(&refs, &mut captured).await;
        self.out.write_all(&captured).map_err(super::io_fail)?;
        writeln!(self.out, "(exit {})", code as u8).map_err(super::io_fail)?;
        if code != expect {
            self.failures.push(format!(
                "`hsvc {}` exited {} (expected {})",
                args.join(" "),
                code as u8,
                expect as u8
            ));
        }
        Ok(captured)
    }
}

/// Parses and runs a command line in this process; its stdout and stderr
/// both go to `buf` (as a terminal would show them).
async fn run_captured(argv: &[&str], buf: &mut Vec<u8>) -> Exit {
    use clap::Parser;
    let cli = match Cli::try_parse_from(argv) {
        Ok(c) => c,
        Err(e) => {
            let _ = writeln!(buf, "{e}");
            return Exit::Usage;
        }
    };
    let mut err = Vec::new();
    let mut rep = Reporter::new(&mut err, cli.global.verbose, false);
    // Boxed: `run` reaches this function again through `demo`.
    let r = Box::pin(super::run(cli, buf, &mut rep)).await;
    let code = match r {
        Ok(code) => code,
        Err(f) => {
            if !f.message.is_empty() {
                rep.error(&f.message);
            }
            f.exit
        }
    };
    buf.extend_from_slice(&err);
    code
}

async fn tour(p: &DemoPlan, out: &mut dyn Write) -> Result<Exit, Fail> {
    let mut running = start(p, true).await?;
    // The tour's own folder: a --serve running in another terminal keeps its files.
    let dir = p.dir.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("hsvc-demo-tour-{}", std::process::id()))
    });
    let files = Files::write(&dir, &running.live).map_err(|e| {
        Fail::usage(format!(
            "cannot write the demo's files to {}: {e}",
            dir.display()
        ))
    })?;
    let r = tour_steps(&mut running, &files, out).await;
    running.pods.stop();
    files.remove();
    drop(running.live);
    r
}

async fn tour_steps(
    running: &mut Running,
    files: &Files,
    out: &mut dyn Write,
) -> Result<Exit, Fail> {
    let dns = running.dns;
    let kubeconfig = files.kubeconfig.display().to_string();
    writeln!(
        out,
        "hsvc demo: an embedded cluster, answering DNS as CoreDNS would (kube-dns at {dns}, \
         replicas {}) and serving the Kubernetes API ({}), with stand-in pods on loopback \
         addresses. Every command below is the real command, run with\n  \
         export HSVC_SERVER={dns} KUBECONFIG={kubeconfig}\n\
         `hsvc demo --serve` keeps the same cluster up for your own commands.",
        running
            .live
            .replicas()
            .iter()
            .map(|r| r.addr.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        running.live.https_url(),
    )
    .map_err(super::io_fail)?;
    if let Some(note) = pods_note(&running.pods) {
        writeln!(out, "note: {note}").map_err(super::io_fail)?;
    }
    let mut t = Tour {
        globals: vec![
            "--server".into(),
            dns.to_string(),
            "--kubeconfig".into(),
            kubeconfig,
        ],
        out,
        failures: Vec::new(),
    };

    t.say("A headless Service: one A record per ready pod, SRV for its ports (StatefulSet web, namespace awx)")?;
    t.step(&["resolve", "web-headless.awx"], Exit::Ok).await?;

    t.say("The same Service name in namespace default is a Deployment: pods have no hostname, only dashed IPs")?;
    t.step(&["resolve", "web-headless.default", "-o", "wide"], Exit::Ok)
        .await?;

    t.say("A dual-stack StatefulSet, with the port's name asked for")?;
    t.step(&["resolve", "db.awx", "--port-name", "postgres"], Exit::Ok)
        .await?;

    t.say("How a pod in namespace default finds it: its resolv.conf search walk (ndots 5 and kubelet's search list), query by query")?;
    t.step(
        &[
            "resolve",
            "--search",
            "web-headless.awx",
            "--explain",
            "--ndots",
            "5",
            "--search-domain",
            "default.svc.cluster.local",
            "--search-domain",
            "svc.cluster.local",
            "--search-domain",
            "cluster.local",
        ],
        Exit::Ok,
    )
    .await?;

    t.say("A name that does not exist exits 1 (NXDOMAIN), unlike dig, which exits 0")?;
    t.step(&["resolve", "web-9.web-headless.awx"], Exit::Negative)
        .await?;

    t.say("The same Service name in two namespaces, compared pod by pod (exit 1: they differ)")?;
    t.step(
        &["diff", "web-headless", "-n", "awx", "-n", "default"],
        Exit::Negative,
    )
    .await?;

    #[cfg(feature = "api")]
    api_steps(&mut t, running).await?;

    let keys = [
        "--key", "alice", "--key", "bob", "--key", "carol", "--key", "dave", "--key", "erin",
        "--key", "frank",
    ];
    t.say("Which pod a consistent-hash client sends each user to (rendezvous hashing)")?;
    let mut pick: Vec<&str> = vec!["pick", "web-headless.awx"];
    pick.extend_from_slice(&keys);
    t.step(&pick, Exit::Ok).await?;
    let before = picks_by_key(&t, &pick).await;

    t.say(
        "Scaling the StatefulSet web to 6 replicas while a watch runs (what a client-side balancer sees)",
    )?;
    let live = &running.live;
    let scale = async {
        tokio::time::sleep(Duration::from_millis(700)).await;
        live.scale("awx", "web", 6);
    };
    let watch = t.step(
        &[
            "watch",
            "web-headless.awx",
            "--interval",
            "500ms",
            "--count",
            "4",
        ],
        Exit::Ok,
    );
    let (w, ()) = tokio::join!(watch, scale);
    w?;

    t.say("The same keys after the scale-up: only keys that now belong to a new pod moved")?;
    t.step(&pick, Exit::Ok).await?;
    let after = picks_by_key(&t, &pick).await;
    let moved: Vec<String> = before
        .iter()
        .filter_map(|(k, b)| {
            let a = after.iter().find(|(k2, _)| k2 == k).map(|(_, a)| a)?;
            (a != b).then(|| format!("{k}: {b} → {a}"))
        })
        .collect();
    writeln!(
        t.out,
        "moved {} of {} keys{}{}",
        moved.len(),
        before.len(),
        if moved.is_empty() { "" } else { ": " },
        moved.join(", ")
    )
    .map_err(super::io_fail)?;

    t.say(
        "Are the pods up? api.shop's pods: one healthy, one answering 503, one refusing (exit 1)",
    )?;
    t.step(&["check", "api.shop", "--http", "/healthz"], Exit::Negative)
        .await?;

    let failures = std::mem::take(&mut t.failures);
    if failures.is_empty() {
        writeln!(t.out, "\nTour done: every step behaved as expected.").map_err(super::io_fail)?;
        Ok(Exit::Ok)
    } else {
        Err(Fail::usage(format!(
            "tour steps misbehaved: {}",
            failures.join("; ")
        )))
    }
}

/// The Kubernetes API part of the tour: the headless Services, the API's
/// view of one, DNS checked against it, and a lagging CoreDNS replica.
#[cfg(feature = "api")]
async fn api_steps(t: &mut Tour<'_>, running: &Running) -> Result<(), Fail> {
    t.say("The headless Services of the cluster, from the Kubernetes API (like kubectl get svc -A | grep None)")?;
    t.step(&["ls", "-A"], Exit::Ok).await?;

    t.say("The API's view of web-headless.awx: web-2 is not ready, web-3 is terminating")?;
    t.step(
        &["resolve", "web-headless.awx", "--source", "api"],
        Exit::Ok,
    )
    .await?;

    t.say("DNS checked against the API: every pod is where CoreDNS should put it, and why")?;
    t.step(&["verify", "web-headless.awx"], Exit::Ok).await?;

    t.say(&format!(
        "web-2 becomes ready while CoreDNS replica {LAGGING} is stuck: each replica checked on its own (exit 1)"
    ))?;
    let live = &running.live;
    live.lag_replica(LAGGING, true);
    live.set_pod_ready("awx", "web-2", true);
    let servers: Vec<String> = live.replicas().iter().map(|r| r.addr.to_string()).collect();
    let mut verify = vec!["verify", "web-headless.awx"];
    for s in &servers {
        verify.extend(["--server", s.as_str()]);
    }
    let r = t.step(&verify, Exit::Negative).await;
    if r.is_ok() {
        t.say(
            "From a laptop, where pod IPs do not route: every replica through the API server's port-forward, one column per pod (exit 1)",
        )?;
    }
    let r = match r {
        Ok(_) => {
            t.step(
                &["--server", "kube", "diff", "web-headless.awx"],
                Exit::Negative,
            )
            .await
        }
        e => e,
    };
    live.lag_replica(LAGGING, false);
    r.map(|_| ())
}

/// `key → pod` of a pick command, from its JSON.
async fn picks_by_key(t: &Tour<'_>, pick: &[&str]) -> Vec<(String, String)> {
    let mut argv = t.argv(pick);
    argv.extend_from_slice(&["-o", "json"]);
    let mut buf = Vec::new();
    run_captured(&argv, &mut buf).await;
    let doc: serde_json::Value = serde_json::from_slice(&buf).unwrap_or_default();
    doc["picks"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|p| {
                    (
                        p["key"].as_str().unwrap_or_default().to_string(),
                        p["id"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}
