//! The real binary against the stand-in Kubernetes API and its DNS
//! replicas (`hsvc_cluster::LiveCluster`), over loopback sockets:
//! `resolve --source api`, `ls`, `verify`, and the exit code and one line
//! of every API error. HOME and KUBECONFIG point at temporary files, so no
//! real kubeconfig (and no real cluster) can be reached.

mod support;

use std::path::Path;
use std::process::Command;

use support::bin::{Cmd, Run};
use support::schema::{ApiErrorDoc, Credentials, EndpointsDoc, LsDoc, VerifyDoc};

use support::standin::{start, Standin as Env};

/// Runs hsvc with no kubeconfig of the user's, no in-cluster variables and
/// (support::bin's default) a resolv.conf without nameservers.
fn run(home: &Path, args: &[&str]) -> Run {
    Cmd::new(args)
        .env("HOME", home)
        .env_remove("KUBECONFIG")
        .env_remove("KUBERNETES_SERVICE_HOST")
        .run()
}

impl Env {
    fn hsvc(&self, args: &[&str]) -> Run {
        let mut all = vec!["--kubeconfig", self.kubeconfig.to_str().unwrap()];
        all.extend_from_slice(args);
        run(self.dir.path(), &all)
    }

    fn servers(&self) -> Vec<String> {
        self.live
            .replicas()
            .iter()
            .flat_map(|r| ["--server".to_string(), r.addr.to_string()])
            .collect()
    }

    fn pod_ip(&self, ns: &str, pod: &str) -> String {
        self.live
            .cluster()
            .pods
            .iter()
            .find(|p| p.namespace == ns && p.name == pod)
            .unwrap()
            .ips[0]
            .to_string()
    }
}

#[test]
fn ls_lists_the_headless_services_of_every_namespace() {
    let e = start();
    let r = e.hsvc(&["ls", "-A", "-o", "json"]);
    assert_eq!(r.code, 0, "{r:?}");
    let doc: LsDoc = r.json();
    assert_eq!(doc.schema, "hsvc.ls/v1");
    let got: Vec<String> = doc
        .services
        .iter()
        .map(|s| format!("{}/{}", s.namespace, s.name))
        .collect();
    let mut want: Vec<String> = e
        .live
        .cluster()
        .services
        .iter()
        .filter(|s| s.is_headless())
        .map(|s| format!("{}/{}", s.namespace, s.name))
        .collect();
    want.sort();
    assert_eq!(got, want);

    // The context's namespace without -A; a table with the counts.
    let r = e.hsvc(&["ls"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.starts_with("NAMESPACE  NAME"), "{r:?}");
    assert!(
        r.stdout.lines().skip(1).all(|l| l.starts_with("awx ")),
        "{r:?}"
    );
    // web-headless: web-0 and web-1 ready, web-2 not ready, web-3 terminating.
    let line = r
        .stdout
        .lines()
        .find(|l| l.contains(" web-headless "))
        .unwrap();
    assert!(line.contains(" 2/4 "), "{line}");

    // Plain HTTP, like kubectl proxy, with a server that refuses the field selector.
    e.live.faults().reject_field_selectors(true);
    let url = e.live.http_url();
    let r = run(
        e.dir.path(),
        &["--api-url", &url, "ls", "-n", "shop", "-o", "plain"],
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.stdout, "api.shop\njobs.shop\n");
}

#[test]
fn resolve_from_the_api() {
    let e = start();
    let r = e.hsvc(&["resolve", "web-headless", "--source", "api", "-o", "json"]);
    assert_eq!(r.code, 0, "{r:?}");
    let doc: EndpointsDoc = r.json();
    assert_eq!(doc.schema, "hsvc.endpoints/v1");
    assert_eq!(doc.namespace, "awx");
    assert_eq!(doc.api.namespace_source.tag(), "context");
    assert_eq!(doc.origin, "endpoint_slice");
    let eps = &doc.endpoints;
    let model = e.live.cluster();
    for ep in eps {
        let pod = model
            .pods
            .iter()
            .find(|p| Some(p.name.as_str()) == ep.pod.as_deref())
            .unwrap();
        assert_eq!(ep.ip, pod.ips[0].to_string());
        assert_eq!(ep.conditions.serving, Some(pod.ready), "{}", pod.name);
        assert_eq!(
            ep.conditions.terminating,
            Some(pod.terminating),
            "{}",
            pod.name
        );
        assert_eq!(ep.published, pod.ready && !pod.terminating, "{}", pod.name);
        assert_eq!(ep.node.as_deref(), pod.node.as_deref());
        assert_eq!(ep.ports[0].name.as_deref(), Some("http"));
    }
    assert_eq!(eps.len(), 4);

    // Plain: what DNS should answer, one address a line.
    let r = e.hsvc(&[
        "resolve",
        "web-headless.awx",
        "--source",
        "api",
        "-o",
        "plain",
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    let mut want = vec![e.pod_ip("awx", "web-0"), e.pod_ip("awx", "web-1")];
    want.sort_by_key(|s| s.parse::<std::net::IpAddr>().unwrap());
    assert_eq!(r.stdout.lines().collect::<Vec<_>>(), want);

    // A Service with a ClusterIP is said to be one.
    let r = e.hsvc(&["resolve", "web.awx", "--source", "api"]);
    assert!(r.stderr.contains("awx/web is not headless"), "{r:?}");
    assert!(r.stdout.contains("TERMINATING"), "{r:?}");

    // No Service: exit 1.
    let r = e.hsvc(&["resolve", "nope.awx", "--source", "api"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert_eq!(r.stderr, "hsvc: service awx/nope not found\n");
    // Not a Service name: usage.
    let r = e.hsvc(&["resolve", "web-0.web-headless.awx", "--source", "api"]);
    assert_eq!(r.code, 2, "{r:?}");
}

#[test]
fn verify_names_the_stale_replica() {
    let e = start();
    let servers = e.servers();
    let mut args: Vec<&str> = servers.iter().map(String::as_str).collect();
    args.extend(["verify", "web-headless.awx"]);
    let r = e.hsvc(&args);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("not ready: correctly absent"), "{r:?}");
    assert!(r.stdout.contains("terminating: correctly absent"), "{r:?}");

    // One replica freezes, then web-0 starts terminating.
    let lagging = e.live.replicas()[1].clone();
    e.live.lag_replica(&lagging.pod, true);
    e.live.set_terminating("awx", "web-0", true);
    let mut json = args.clone();
    json.extend(["-o", "json"]);
    let r = e.hsvc(&json);
    assert_eq!(r.code, 1, "{r:?}");
    let doc: VerifyDoc = r.json();
    assert_eq!(doc.schema, "hsvc.verify/v1");
    assert_eq!(doc.verdict, "differs");
    let servers = &doc.servers;
    assert_eq!(servers[0].verdict, "match");
    assert_eq!(servers[1].server, lagging.addr.to_string());
    assert_eq!(servers[1].verdict, "differs");
    let web0 = e.pod_ip("awx", "web-0");
    let row = servers[1].rows.iter().find(|r| r.ip == web0).unwrap();
    assert_eq!(row.findings[0].kind(), "stale_in_dns");
    assert!(row.causes[0].starts_with("in DNS but terminating in the API"));

    // No such Service: DNS is still compared, and the exit is 1.
    let srv = e.servers();
    let mut missing: Vec<&str> = srv.iter().map(String::as_str).collect();
    missing.extend(["verify", "nope.awx"]);
    let r = e.hsvc(&missing);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stderr.contains("service awx/nope not found in the API"),
        "{r:?}"
    );
    assert!(r.stdout.contains("NXDOMAIN, as predicted"), "{r:?}");

    // A DNS server that does not answer: exit 3.
    let silent = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = silent.local_addr().unwrap().to_string();
    let r = e.hsvc(&[
        "--server",
        &addr,
        "--timeout",
        "200ms",
        "--attempts",
        "1",
        "verify",
        "web-headless",
    ]);
    assert_eq!(r.code, 3, "{r:?}");
}

#[test]
fn api_errors_have_their_exit_codes() {
    let e = start();
    // No kubeconfig at all: usage.
    let r = run(e.dir.path(), &["ls"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.starts_with("hsvc: no kubeconfig: "), "{r:?}");
    // A bad kubeconfig is named.
    let bad = e.dir.path().join("broken");
    std::fs::write(&bad, "clusters: [\n").unwrap();
    let r = run(e.dir.path(), &["--kubeconfig", bad.to_str().unwrap(), "ls"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(
        r.stderr
            .starts_with(&format!("hsvc: bad kubeconfig {}: ", bad.display())),
        "{r:?}"
    );
    // 401 names the context.
    let wrong = e.dir.path().join("wrong-token");
    std::fs::write(&wrong, e.live.kubeconfig().replace(e.live.token(), "nope")).unwrap();
    let r = run(
        e.dir.path(),
        &["--kubeconfig", wrong.to_str().unwrap(), "ls"],
    );
    assert_eq!(r.code, 3, "{r:?}");
    assert!(
        r.stderr
            .contains("unauthorized (credentials for context hsvc-standin)"),
        "{r:?}"
    );
    // 403 names the RBAC access, also in the JSON error document.
    e.live.faults().forbid("awx", "endpointslices");
    let r = e.hsvc(&["resolve", "web-headless", "--source", "api", "-o", "json"]);
    assert_eq!(r.code, 3, "{r:?}");
    assert!(
        r.stderr
            .contains("`list endpointslices.discovery.k8s.io in awx`"),
        "{r:?}"
    );
    let doc: ApiErrorDoc = r.json();
    assert_eq!(doc.error.kind, "forbidden");
    // Nothing listening: a failure, quickly.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let t0 = std::time::Instant::now();
    let r = run(
        e.dir.path(),
        &["--api-url", &url, "--timeout", "500ms", "ls"],
    );
    assert_eq!(r.code, 3, "{r:?}");
    assert!(r.stderr.contains("connection refused"), "{r:?}");
    assert!(t0.elapsed() < std::time::Duration::from_secs(3));
    // --api-url replaces the kubeconfig: both is a usage error.
    let r = e.hsvc(&["--api-url", &url, "ls"]);
    assert_eq!(r.code, 2, "{r:?}");
}

/// hsvc through a real `kubectl proxy` in front of the stand-in (the
/// proxy holds the credentials, hsvc sends none). Skipped, with one line,
/// where kubectl is not installed.
#[test]
fn through_a_real_kubectl_proxy() {
    use std::io::{BufRead, BufReader};
    let Some(kubectl) = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|d| d.join("kubectl"))
        .find(|p| p.is_file())
    else {
        eprintln!("skipping: kubectl not found on PATH");
        return;
    };
    let e = start();
    let mut child = Command::new(kubectl)
        .args(["proxy", "--port=0", "--address=127.0.0.1", "--kubeconfig"])
        .arg(&e.kubeconfig)
        .env("HOME", e.dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .trim_start_matches("Starting to serve on ")
        .to_string();
    assert!(addr.parse::<std::net::SocketAddr>().is_ok(), "{line:?}");
    let url = format!("http://{addr}");
    let before = e.live.api().requests();
    let r = run(
        e.dir.path(),
        &[
            "--api-url",
            &url,
            "-n",
            "awx",
            "resolve",
            "web-headless",
            "--source",
            "api",
            "-o",
            "json",
        ],
    );
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        e.live.api().requests() > before,
        "the requests reached the stand-in"
    );
    let doc: EndpointsDoc = r.json();
    assert_eq!(doc.api.credentials, Credentials::Anonymous);
    assert_eq!(doc.endpoints.len(), 4);
    assert_eq!(doc.ready, 2);
}

/// Reads JSON lines until one satisfies `want`; panics (with what was seen)
/// when the watch ends or stays silent.
fn until_line(
    w: &mut support::bin::Spawned,
    want: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    loop {
        let l = w.line();
        let v: serde_json::Value = serde_json::from_str(&l).unwrap_or_else(|e| panic!("{e}: {l}"));
        assert_eq!(v["schema"], "hsvc.watch-api/v1", "{l}");
        if want(&v) {
            return v;
        }
    }
}

fn in_step(v: &serde_json::Value, server: &str, version: u64) -> bool {
    v["event"] == "lag"
        && v["kind"] == "in_step"
        && v["server"] == server
        && v["version"] == version
}

#[test]
fn watch_both_names_the_lag_of_each_replica() {
    let e = start();
    let (a, b) = (
        e.live.replicas()[0].addr.to_string(),
        e.live.replicas()[1].addr.to_string(),
    );
    let k = e.kubeconfig.to_str().unwrap().to_string();
    let mut w = Cmd::new(&[
        "--kubeconfig",
        &k,
        "--server",
        &a,
        "--server",
        &b,
        "watch",
        "web-headless.awx",
        "--source",
        "both",
        "--interval",
        "100ms",
        "-o",
        "jsonl",
    ])
    .env("HOME", e.dir.path())
    .env_remove("KUBECONFIG")
    .spawn();
    let first = until_line(&mut w, |v| v["event"] == "endpoints");
    assert_eq!(first["initial"], true);
    assert_eq!(first["published"], 2);
    assert_eq!(first["total"], 4);
    // Both replicas answer the first list; its age is unknown: no figure.
    for s in [&a, &b] {
        let v = until_line(&mut w, |v| in_step(v, s, 1));
        assert!(v["lag_ms"].is_null(), "{v}");
    }
    // web-2 becomes ready while replica B is frozen.
    assert!(e.live.lag_replica(&e.live.replicas()[1].pod.clone(), true));
    assert!(e.live.set_pod_ready("awx", "web-2", true));
    let change = until_line(&mut w, |v| v["event"] == "endpoints");
    assert_eq!(change["published"], 3);
    let c = &change["changes"][0];
    assert_eq!(c["pod"], "web-2");
    assert_eq!(c["kind"], "conditions");
    assert_eq!(
        (c["was_published"].clone(), c["published"].clone()),
        (false.into(), true.into())
    );
    let fast = until_line(&mut w, |v| in_step(v, &a, 2));
    let fast_ms = fast["lag_ms"].as_f64().unwrap();
    // B is released only after A followed, so its lag is the longer one.
    assert!(e.live.lag_replica(&e.live.replicas()[1].pod.clone(), false));
    let slow = until_line(&mut w, |v| in_step(v, &b, 2));
    let slow_ms = slow["lag_ms"].as_f64().unwrap();
    assert!(slow_ms > fast_ms, "{fast_ms} vs {slow_ms}");
    // SIGTERM ends it with a summary per server, exit 0.
    w.terminate();
    let end = until_line(&mut w, |v| v["event"] == "end");
    assert_eq!(end["reason"], "interrupted");
    let servers = end["servers"].as_array().unwrap();
    assert_eq!(servers.len(), 2);
    assert!(
        servers
            .iter()
            .all(|s| s["followed"] == 1 && s["behind_ms"].is_null()),
        "{end}"
    );
    assert_eq!(servers[1]["max_lag_ms"].as_f64(), Some(slow_ms));
    let (code, _) = w.wait();
    assert_eq!(code, 0);
}

#[test]
fn watch_api_reports_changes_and_fails_like_resolve_before_the_first_list() {
    let e = start();
    let k = e.kubeconfig.to_str().unwrap().to_string();
    let mut w = Cmd::new(&[
        "--kubeconfig",
        &k,
        "watch",
        "web-headless.awx",
        "--source",
        "api",
        "--count",
        "2",
    ])
    .env("HOME", e.dir.path())
    .env_remove("KUBECONFIG")
    .spawn();
    let first = w.line();
    assert!(
        first.contains("awx/web-headless") && first.contains("initial"),
        "{first}"
    );
    e.live.set_terminating("awx", "web-0", true);
    let mut text = String::new();
    while let Some(l) = w.next_line() {
        text.push_str(&l);
        text.push('\n');
    }
    assert!(
        text.contains("ready → terminating  (now out of DNS)"),
        "{text}"
    );
    assert!(text.contains("end: count"), "{text}");
    let (code, _) = w.wait();
    assert_eq!(code, 0);

    // No access: the first list fails, one line, exit 3, no endless retry.
    e.live.faults().forbid("awx", "endpointslices");
    let r = e.hsvc(&["watch", "web-headless.awx", "--source", "api"]);
    assert_eq!(r.code, 3, "{r:?}");
    assert!(r.stderr.contains("endpointslices"), "{r:?}");
}

#[test]
fn pick_and_check_refuse_a_cluster_ip_service_found_through_dns() {
    let e = start();
    let dns = e.live.replicas()[0].addr.to_string();
    let run = |args: &[&str]| {
        let mut all = vec!["--server", dns.as_str()];
        all.extend_from_slice(args);
        e.hsvc(&all)
    };
    // resolve answers (it shows what DNS says) and says what the address is.
    let r = run(&["resolve", "web.awx"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains("is not headless"), "{r:?}");
    for cmd in ["pick", "check"] {
        let r = run(&[cmd, "web.awx"]);
        assert_eq!(r.code, 2, "{r:?}");
        assert!(
            r.stderr.contains("ClusterIP Service") && r.stderr.contains("--allow-cluster-ip"),
            "{r:?}"
        );
        let r = run(&[cmd, "web.awx", "-o", "json"]);
        assert_eq!(r.code, 2, "{r:?}");
        assert_eq!(r.value()["error"]["kind"], "not_headless", "{r:?}");
    }
    let r = run(&["pick", "web.awx", "--allow-cluster-ip", "-o", "plain"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.stdout.trim(), "127.96.1.20:8080");
    // The headless Service over the same pods is not refused.
    let r = run(&["pick", "web-headless.awx", "-o", "plain"]);
    assert_eq!(r.code, 0, "{r:?}");
}

#[test]
fn pick_and_check_from_the_api_need_no_dns_server() {
    let e = start();
    // No --server and a resolv.conf without nameservers: the API alone.
    let r = e.hsvc(&[
        "pick",
        "web-headless.awx",
        "--source",
        "api",
        "--key",
        "alice",
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    let doc = r.value();
    assert_eq!(doc["server"], e.live.https_url());
    assert!(doc.get("transport").is_none(), "{doc}");
    // What CoreDNS should publish: web-0 and web-1 (web-2 not ready, web-3 terminating).
    let ids: Vec<&str> = doc["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["web-0", "web-1"]);
    // The same pick as from DNS.
    let dns = e.live.replicas()[0].addr.to_string();
    let from_dns = e.hsvc(&[
        "--server",
        &dns,
        "pick",
        "web-headless.awx",
        "--key",
        "alice",
        "-o",
        "plain",
    ]);
    let from_api = e.hsvc(&[
        "pick",
        "web-headless.awx",
        "--source",
        "api",
        "--key",
        "alice",
        "-o",
        "plain",
    ]);
    assert_eq!(
        from_dns.stdout, from_api.stdout,
        "{from_dns:?} {from_api:?}"
    );

    // check probes the api.shop pods the API lists; they are stand-ins here.
    let _pods = hsvc_cluster_pods(&e);
    let r = e.hsvc(&["check", "api.shop", "--source", "api", "--http", "/healthz"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stdout.contains("1 of 3 healthy"), "{r:?}");
    assert!(r.stdout.contains("(Kubernetes API)"), "{r:?}");

    // A ClusterIP Service is refused from the API side too.
    let r = e.hsvc(&["pick", "web.awx", "--source", "api"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("ClusterIP Service in the API"), "{r:?}");
    // -6 keeps the one IPv6 address of the dual-stack db.
    let r = e.hsvc(&["-6", "pick", "db.awx", "--source", "api", "-o", "plain"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.stdout, "[::1]:5432\n");
    // A missing Service: exit 1.
    let r = e.hsvc(&["check", "nope.awx", "--source", "api"]);
    assert_eq!(r.code, 1, "{r:?}");
}

/// Stand-in pods for api.shop: api-0 healthy, api-1 503, api-2 refusing.
fn hsvc_cluster_pods(e: &Env) -> (tokio::runtime::Runtime, hsvc_cluster::PodServers) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let cluster = e.live.cluster();
    let pods = rt.block_on(hsvc_cluster::PodServers::start(&cluster, |p| {
        match p.name.as_str() {
            "api-1" => hsvc_cluster::PodBehaviour::Unhealthy,
            "api-2" => hsvc_cluster::PodBehaviour::Refuse,
            _ => hsvc_cluster::PodBehaviour::Healthy,
        }
    }));
    (rt, pods)
}
