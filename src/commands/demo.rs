//! `hsvc demo`: an embedded cluster DNS (the same server the test suite
//! uses) and a guided tour that runs the real commands against it.

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use crate::cli::Cli;
use crate::exit::{Exit, Fail};
use crate::plan::DemoPlan;
use crate::report::Reporter;
use hsvc_cluster::{self, Cluster, Endpoint, Port, Service, SharedZone};

/// The demo's pods for `hsvc check`: loopback addresses the tour listens on.
const SHOP_PODS: [Ipv4Addr; 3] = [
    Ipv4Addr::new(127, 77, 0, 1),
    Ipv4Addr::new(127, 77, 0, 2),
    Ipv4Addr::new(127, 77, 0, 3),
];
const SHOP_PORT: u16 = 8080;

/// The example cluster of the spec (§9) plus `api.shop`, whose pods are
/// 127.77.0.1-3 so that `hsvc check` can reach local stand-ins.
pub fn demo_cluster() -> Cluster {
    Cluster::example().with_service(Service::headless(
        "shop",
        "api",
        vec![Port::tcp("http", SHOP_PORT)],
        SHOP_PODS
            .iter()
            .enumerate()
            .map(|(i, ip)| Endpoint::named(&format!("api-{i}"), vec![(*ip).into()]))
            .collect(),
    ))
}

/// `web-headless.awx` scaled to `replicas` pods (web-0 … web-N), as the
/// StatefulSet controller would name and address them.
fn scaled(replicas: usize) -> Cluster {
    let mut c = demo_cluster();
    let svc = c
        .service_mut("awx", "web-headless")
        .expect("the example has awx/web-headless");
    let ips = [
        "10.244.217.10",
        "10.244.194.67",
        "10.244.217.11",
        "10.244.194.72",
        "10.244.217.14",
        "10.244.194.73",
    ];
    svc.endpoints = (0..replicas)
        .map(|i| Endpoint::named(&format!("web-{i}"), vec![ips[i].parse().expect("literal")]))
        .collect();
    c
}

pub async fn run(
    args: &DemoPlan,
    out: &mut dyn Write,
    rep: &mut Reporter<'_>,
) -> Result<Exit, Fail> {
    let zone = match &args.zone {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| Fail::usage(format!("cannot read {}: {e}", path.display())))?;
            let z = hsvc_cluster::Zone::parse(&text)
                .map_err(|e| Fail::usage(format!("{}: {e}", path.display())))?;
            SharedZone::new(z)
        }
        None => SharedZone::from_cluster(&demo_cluster()),
    };
    if args.serve || args.zone.is_some() {
        return serve(args.listen, zone, out, rep).await;
    }
    tour(args.listen, zone, out).await
}

async fn serve(
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
        "cluster DNS on {addr} (UDP and TCP). In another terminal:\n  \
         hsvc --server {addr} resolve web-headless.awx\n  \
         export HSVC_SERVER={addr}   # then every hsvc command asks it\n\
         Ctrl-C stops it."
    )
    .and_then(|_| out.flush())
    .map_err(super::io_fail)?;
    tokio::select! {
        r = running.block_until_done() => {
            r.map_err(|e| Fail::usage(format!("server stopped: {e}")))?;
        }
        _ = tokio::signal::ctrl_c() => {
            let _ = writeln!(rep.writer(), "stopping");
            let _ = running.shutdown().await;
        }
    }
    Ok(Exit::Ok)
}

/// One step of the tour: prints the command as a user would type it, then
/// runs it in this process against the embedded server.
struct Tour<'a> {
    server: SocketAddr,
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

    /// Runs `hsvc --server ADDR <args>`; `expect` is the exit code the step
    /// should end with (a tour step that ends otherwise is reported).
    async fn step(&mut self, args: &[&str], expect: Exit) -> Result<Vec<u8>, Fail> {
        let server = self.server.to_string();
        let mut argv = vec!["hsvc", "--server", server.as_str()];
        argv.extend_from_slice(args);
        writeln!(self.out, "$ {}", argv.join(" ")).map_err(super::io_fail)?;
        let mut captured = Vec::new();
        let code = run_captured(&argv, &mut captured).await;
        self.out.write_all(&captured).map_err(super::io_fail)?;
        if code != expect {
            self.failures.push(format!(
                "`{}` exited {} (expected {})",
                argv.join(" "),
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

async fn tour(listen: SocketAddr, zone: SharedZone, out: &mut dyn Write) -> Result<Exit, Fail> {
    let running = match hsvc_cluster::serve(listen, zone.clone()).await {
        Ok(r) => r,
        // The default port is taken (another demo?): any free port will do.
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse && listen.port() != 0 => {
            hsvc_cluster::serve(SocketAddr::new(listen.ip(), 0), zone.clone())
                .await
                .map_err(|e| Fail::usage(format!("cannot listen on {}: {e}", listen.ip())))?
        }
        Err(e) => return Err(Fail::usage(format!("cannot listen on {listen}: {e}"))),
    };
    let server = running.addr;
    writeln!(
        out,
        "hsvc demo: an embedded cluster DNS answering as CoreDNS would for an example \
         cluster is listening on {server}.\nEvery command below is the real command, run \
         against it. `hsvc demo --serve` keeps the server up for your own commands."
    )
    .map_err(super::io_fail)?;
    let mut t = Tour {
        server,
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

    t.say("How a pod in namespace default finds it: the resolv.conf search walk, query by query")?;
    let rc = pod_resolv_conf("default")
        .map_err(|e| Fail::usage(format!("cannot write a temporary resolv.conf: {e}")))?;
    let rc_s = rc.display().to_string();
    t.step(
        &[
            "--resolv-conf",
            &rc_s,
            "resolve",
            "--search",
            "web-headless.awx",
            "--explain",
        ],
        Exit::Ok,
    )
    .await?;
    t.say("A name that does not exist exits 1 (NXDOMAIN), unlike dig")?;
    t.step(&["resolve", "web-9.web-headless.awx"], Exit::Negative)
        .await?;

    t.say("The same Service name in two namespaces, compared pod by pod")?;
    t.step(
        &["diff", "web-headless", "-n", "awx", "-n", "default"],
        Exit::Negative,
    )
    .await?;

    let keys = [
        "--key", "alice", "--key", "bob", "--key", "carol", "--key", "dave", "--key", "erin",
        "--key", "frank",
    ];
    t.say("Which pod a consistent-hash client sends each user to (rendezvous hashing)")?;
    let mut pick: Vec<&str> = vec!["pick", "web-headless.awx"];
    pick.extend_from_slice(&keys);
    t.step(&pick, Exit::Ok).await?;
    let before = picks_by_key(&pick, server).await;

    t.say(
        "Scaling web from 3 to 6 replicas while a watch runs (what a client-side balancer sees)",
    )?;
    let scale = {
        let zone = zone.clone();
        async move {
            tokio::time::sleep(Duration::from_millis(700)).await;
            zone.set_cluster(&scaled(6));
        }
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
    let after = picks_by_key(&pick, server).await;
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

    t.say("Are the pods up? api.shop's pods are 127.77.0.1-3 here: one healthy, one answering 503, one refusing")?;
    let listeners = shop_listeners().await;
    t.step(&["check", "api.shop", "--http", "/healthz"], Exit::Negative)
        .await?;
    for l in listeners {
        l.abort();
    }

    let _ = std::fs::remove_file(&rc);
    let failures = std::mem::take(&mut t.failures);
    let _ = running.shutdown().await;
    if failures.is_empty() {
        writeln!(out, "\nTour done: every step behaved as expected.").map_err(super::io_fail)?;
        Ok(Exit::Ok)
    } else {
        Err(Fail::usage(format!(
            "tour steps misbehaved: {}",
            failures.join("; ")
        )))
    }
}

/// `key → pod` of a pick command, from its JSON.
async fn picks_by_key(pick: &[&str], server: SocketAddr) -> Vec<(String, String)> {
    let server = server.to_string();
    let mut argv = vec!["hsvc", "--server", server.as_str()];
    argv.extend_from_slice(pick);
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

fn pod_resolv_conf(ns: &str) -> std::io::Result<PathBuf> {
    let path = std::env::temp_dir().join(format!("hsvc-demo-resolv-{}.conf", std::process::id()));
    std::fs::write(
        &path,
        format!(
            "search {ns}.svc.cluster.local svc.cluster.local cluster.local\n\
             nameserver 10.96.0.10\noptions ndots:5\n"
        ),
    )?;
    Ok(path)
}

/// Stand-ins for api.shop's pods: 127.77.0.1 answers HTTP 200, 127.77.0.2
/// answers 503, 127.77.0.3 listens nowhere (refused). Abort the tasks to stop.
async fn shop_listeners() -> Vec<tokio::task::JoinHandle<()>> {
    let mut tasks = Vec::new();
    for (ip, status) in [
        (SHOP_PODS[0], "200 OK"),
        (SHOP_PODS[1], "503 Service Unavailable"),
    ] {
        let Ok(l) = tokio::net::TcpListener::bind((ip, SHOP_PORT)).await else {
            continue;
        };
        tasks.push(tokio::spawn(async move {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            while let Ok((mut s, _)) = l.accept().await {
                let mut buf = [0u8; 1024];
                let _ = s.read(&mut buf).await;
                let body = if status.starts_with("200") { "ok\n" } else { "draining\n" };
                let _ = s
                    .write_all(
                        format!(
                            "HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                            body.len()
                        )
                        .as_bytes(),
                    )
                    .await;
            }
        }));
    }
    tasks
}
