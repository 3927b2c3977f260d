//! `hsvc check` end to end: the real binary against the in-process cluster
//! DNS, whose pods are 127.66.K.x addresses where these tests bind real
//! listeners (each test its own K, so tests running in parallel never share
//! an address). Nothing here leaves loopback; nothing asserts wall times.

mod support;

use std::net::{IpAddr, Ipv4Addr};
use std::process::{Command, Stdio};

use hsvc_cluster::{Cluster, Endpoint, Port, Service};
use support::bin::{bin, hsvc, temp_file, Cmd, Run};
use support::cluster::Dns;
use support::pods::{nth, Pod, Pods};
use support::schema::{self, CheckDoc, CheckLine, Document, Outcome, Probe, State};

/// The cluster: `web.chk`, a StatefulSet whose pods are the `Pods`, with the
/// Service port named `http`.
fn cluster_for(pods: &Pods, n: usize) -> Cluster {
    Cluster::new("cluster.local").with_service(Service::statefulset(
        "chk",
        "web",
        n,
        pods.base,
        ("http", pods.port),
    ))
}

fn setup(k: u8, kinds: &[Pod]) -> (Pods, Dns) {
    let pods = Pods::start(Ipv4Addr::new(127, 66, k, 1), kinds);
    let dns = Dns::with(cluster_for(&pods, kinds.len()));
    (pods, dns)
}

fn check(dns: &Dns, extra: &[&str]) -> Run {
    let mut args = vec!["check", "web.chk"];
    args.extend_from_slice(extra);
    dns.hsvc(&args)
}

/// `(ip, result text, healthy)` of a JSON document's results.
fn outcomes(doc: &CheckDoc) -> Vec<(String, String, bool)> {
    doc.results
        .iter()
        .map(|r| (r.ip.clone(), r.outcome.text().to_string(), r.healthy))
        .collect()
}

/// The keys of a JSON object, sorted.
fn keys(v: &serde_json::Value) -> Vec<&str> {
    let mut k: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    k.sort_unstable();
    k
}

#[test]
fn tcp_table_reports_each_pod_and_the_summary() {
    let (p, dns) = setup(1, &[Pod::Open, Pod::Refused, Pod::Blackhole, Pod::Silent]);
    let r = check(&dns, &["--connect-timeout", "300ms"]);
    assert_eq!(r.code, 1, "{r:?}");
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["IP", "HOSTNAME", "PORT", "RESULT", "LATENCY"],
        "{r:?}"
    );
    let row = |i: usize| lines[i + 1].split_whitespace().collect::<Vec<_>>();
    let port = p.port.to_string();
    assert_eq!(
        row(0)[..4],
        [p.ip(0).as_str(), "web-0", port.as_str(), "open"]
    );
    assert_eq!(
        row(1)[..4],
        [p.ip(1).as_str(), "web-1", port.as_str(), "refused"]
    );
    assert_eq!(
        row(2)[..4],
        [p.ip(2).as_str(), "web-2", port.as_str(), "timeout"]
    );
    assert_eq!(
        row(3)[..4],
        [p.ip(3).as_str(), "web-3", port.as_str(), "open"]
    );
    assert!(
        lines[5].starts_with("2 of 4 healthy (need 4) · tcp connect · 4 pods of web.chk.svc.cluster.local. from 127.0.0.1:"),
        "{r:?}"
    );
    assert_eq!(lines.len(), 6, "{r:?}");
    // Not a terminal: no progress line, nothing else on stderr.
    assert_eq!(r.stderr, "", "{r:?}");
}

#[test]
fn all_healthy_exits_0() {
    let (_p, dns) = setup(2, &[Pod::Open, Pod::Open, Pod::Http(503)]);
    let r = check(&dns, &[]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("3 of 3 healthy (need 3)"), "{r:?}");
}

#[test]
fn min_healthy_sets_the_bar() {
    let (_p, dns) = setup(3, &[Pod::Open, Pod::Open, Pod::Refused]);
    for (min, code) in [
        ("2", 0),
        ("3", 1),
        ("66%", 0), // ceil(3 × 0.66) = 2
        ("67%", 1), // ceil(3 × 0.67) = 3
        ("0", 0),
    ] {
        assert_eq!(check(&dns, &["--min-healthy", min]).code, code, "{min}");
    }
    let r = check(&dns, &["--min-healthy", "50%", "-o", "json"]);
    let doc: CheckDoc = r.json();
    assert_eq!(doc.summary.unwrap().required, 2);
    assert_eq!(doc.min_healthy, "50%");
}

#[test]
fn http_judges_the_status() {
    let (p, dns) = setup(
        4,
        &[
            Pod::Http(200),
            Pod::Http(503),
            Pod::Silent,
            Pod::Refused,
            Pod::Http(204),
        ],
    );
    let r = check(
        &dns,
        &[
            "--http",
            "/healthz",
            "--http-timeout",
            "300ms",
            "-o",
            "json",
        ],
    );
    assert_eq!(r.code, 1, "{r:?}");
    let doc: CheckDoc = r.json();
    let want = [
        (p.ip(0), "http 200", true),
        (p.ip(1), "http 503", false),
        (p.ip(2), "http timeout", false),
        (p.ip(3), "refused", false),
        (p.ip(4), "http 204", true),
    ];
    let got = outcomes(&doc);
    assert_eq!(
        got,
        want.iter()
            .map(|(ip, t, h)| (ip.clone(), t.to_string(), *h))
            .collect::<Vec<_>>()
    );
    assert_eq!(
        doc.check,
        Probe::Http {
            path: "/healthz".into(),
            expect: "2xx".into()
        }
    );
    assert_eq!(doc.summary.unwrap().healthy, 2);

    // A status list: 503 becomes healthy, 204 not.
    let r = check(
        &dns,
        &[
            "--http",
            "/healthz",
            "--http-timeout",
            "300ms",
            "--expect",
            "200,503",
            "-o",
            "json",
        ],
    );
    let healthy: Vec<bool> = outcomes(&r.json()).into_iter().map(|o| o.2).collect();
    assert_eq!(healthy, [true, true, false, false, false], "{r:?}");

    // The table says `http 503`.
    let r = check(&dns, &["--http", "/", "--http-timeout", "300ms"]);
    assert!(r.stdout.contains("http 503"), "{r:?}");
    assert!(r.stdout.contains("http timeout"), "{r:?}");
    assert!(
        r.stdout
            .contains("2 of 5 healthy (need 5) · http GET / expect 2xx"),
        "{r:?}"
    );
}

#[test]
fn json_document_has_every_documented_field() {
    let (p, dns) = setup(5, &[Pod::Open, Pod::Refused]);
    let r = check(&dns, &["-o", "json", "--port-name", "http"]);
    assert_eq!(r.code, 1, "{r:?}");
    // The keys themselves, then the values, read strictly.
    let v = r.value();
    assert_eq!(
        keys(&v),
        [
            "changes",
            "check",
            "concurrency",
            "connect_timeout_ms",
            "dns",
            "error",
            "fqdn",
            "http_timeout_ms",
            "min_healthy",
            "name",
            "namespace",
            "port",
            "port_name",
            "results",
            "rounds",
            "schema",
            "service",
            "summary",
            "warnings"
        ]
    );
    let doc: CheckDoc = r.json();
    assert_eq!(doc.schema, "hsvc.check/v1");
    assert_eq!(doc.name, "web.chk");
    assert_eq!(doc.fqdn, "web.chk.svc.cluster.local.");
    assert_eq!(doc.namespace.as_deref(), Some("chk"));
    assert_eq!(doc.service.as_deref(), Some("web"));
    assert_eq!(doc.check, Probe::Tcp);
    assert_eq!(doc.port, None);
    assert_eq!(doc.port_name.as_deref(), Some("http"));
    assert_eq!(doc.concurrency, 64);
    assert_eq!(doc.connect_timeout_ms, 1000.0);
    assert_eq!(doc.http_timeout_ms, None);
    assert_eq!(doc.min_healthy, "100%");
    assert_eq!(doc.rounds, 1);
    assert!(doc.changes.is_empty());
    assert!(doc.warnings.is_empty());
    assert_eq!(doc.error, None);
    assert_eq!(
        keys(&v["dns"]),
        [
            "endpoints",
            "latency_ms",
            "rcode",
            "server",
            "status",
            "transport"
        ]
    );
    let dns_info = doc.dns.as_ref().unwrap();
    assert_eq!(dns_info.status, "ok");
    assert_eq!(dns_info.rcode.as_deref(), Some("NOERROR"));
    assert_eq!(dns_info.endpoints, 2);
    assert_eq!(dns_info.server, Some(dns.addr().to_string()));
    assert_eq!(
        keys(&v["results"][0]),
        [
            "fqdn",
            "healthy",
            "hostname",
            "ip",
            "latency_ms",
            "outcome",
            "port",
            "port_name"
        ]
    );
    let r0 = &doc.results[0];
    assert_eq!(r0.ip, p.ip(0));
    assert_eq!(r0.hostname.as_deref(), Some("web-0"));
    assert_eq!(r0.fqdn.as_deref(), Some("web-0.web.chk.svc.cluster.local."));
    assert_eq!(r0.port, p.port);
    assert_eq!(r0.port_name.as_deref(), Some("http"));
    assert_eq!(
        r0.outcome,
        Outcome::Open {
            text: "open".into()
        }
    );
    assert!(r0.latency_ms >= 0.0);
    assert_eq!(
        doc.results[1].outcome,
        Outcome::Refused {
            text: "refused".into()
        }
    );
    assert_eq!(
        keys(&v["summary"]),
        [
            "healthy",
            "ok",
            "required",
            "round",
            "total",
            "unhealthy",
            "wall_ms"
        ]
    );
    let summary = doc.summary.unwrap();
    assert_eq!(summary.round, 1);
    assert_eq!(summary.total, 2);
    assert_eq!(summary.healthy, 1);
    assert_eq!(summary.unhealthy, 1);
    assert_eq!(summary.required, 2);
    assert!(!summary.ok);
}

#[test]
fn jsonl_streams_start_results_and_summary() {
    let (p, dns) = setup(6, &[Pod::Open, Pod::Refused, Pod::Open]);
    let r = check(&dns, &["-o", "jsonl", "--port", &p.port.to_string()]);
    assert_eq!(r.code, 1, "{r:?}");
    let lines: Vec<CheckLine> = r.jsonl();
    let types: Vec<&str> = lines.iter().map(CheckLine::kind).collect();
    assert_eq!(types, ["start", "result", "result", "result", "summary"]);
    assert!(lines.iter().all(|l| l.schema() == "hsvc.check/v1"));
    assert_eq!(lines[0].start().port, Some(p.port));
    assert_eq!(lines[0].start().check, Probe::Tcp);
    assert_eq!(lines[2].result().round, 1);
    assert_eq!(lines[2].result().ip, p.ip(1));
    assert_eq!(lines[2].result().outcome.kind(), "refused");
    assert_eq!(lines[4].summary().healthy, 2);
    assert_eq!(lines[4].summary().total, 3);
    assert_eq!(lines[4].summary().dns.status, "ok");
}

#[test]
fn plain_lists_healthy_addresses_and_wide_adds_columns() {
    let (p, dns) = setup(7, &[Pod::Open, Pod::Refused, Pod::Open]);
    let r = check(&dns, &["-o", "plain"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert_eq!(
        r.stdout,
        format!("{}:{}\n{}:{}\n", p.ip(0), p.port, p.ip(2), p.port)
    );
    assert_eq!(r.stderr, "hsvc: 2 of 3 healthy (need 3)\n");

    let r = check(&dns, &["-o", "wide", "--port-name", "http"]);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["IP", "HOSTNAME", "FQDN", "PORT", "RESULT", "HEALTHY", "LATENCY"]
    );
    let row: Vec<&str> = lines[2].split_whitespace().collect();
    let port = format!("{}", p.port);
    assert_eq!(
        row[..6],
        [
            p.ip(1).as_str(),
            "web-1",
            "web-1.web.chk.svc.cluster.local.",
            port.as_str(),
            "(http)",
            "refused"
        ]
    );
    assert_eq!(row[6], "no");
}

#[test]
fn every_srv_port_is_probed_without_port_flags() {
    let pods = Pods::start(Ipv4Addr::new(127, 66, 8, 1), &[Pod::Open, Pod::Open]);
    let closed = {
        let l = std::net::TcpListener::bind((pods.ip(0).as_str(), 0)).unwrap();
        l.local_addr().unwrap().port()
    };
    let svc = Service::headless(
        "chk",
        "web",
        vec![Port::tcp("http", pods.port), Port::tcp("admin", closed)],
        vec![
            Endpoint::named("web-0", vec![pods.ip(0).parse().unwrap()]),
            Endpoint::named("web-1", vec![pods.ip(1).parse().unwrap()]),
        ],
    );
    let dns = Dns::with(Cluster::new("cluster.local").with_service(svc));
    let doc: CheckDoc = check(&dns, &["-o", "json"]).json();
    let got: Vec<(String, u64, String)> = doc
        .results
        .iter()
        .map(|r| (r.ip.clone(), r.port as u64, r.outcome.kind().into()))
        .collect();
    let (lo, hi) = (pods.port.min(closed), pods.port.max(closed));
    let kind = |port: u16| if port == pods.port { "open" } else { "refused" };
    assert_eq!(
        got,
        [
            (pods.ip(0), lo as u64, kind(lo).to_string()),
            (pods.ip(0), hi as u64, kind(hi).to_string()),
            (pods.ip(1), lo as u64, kind(lo).to_string()),
            (pods.ip(1), hi as u64, kind(hi).to_string()),
        ]
    );
    assert_eq!(doc.summary.unwrap().total, 4);
    // Only the named port.
    let doc: CheckDoc = check(&dns, &["-o", "json", "--port-name", "admin"]).json();
    assert_eq!(doc.summary.unwrap().total, 2);
    assert_eq!(doc.results[0].port, closed);
    assert_eq!(doc.results[0].port_name.as_deref(), Some("admin"));
}

#[test]
fn no_known_port_asks_for_port() {
    let pods = Pods::start(Ipv4Addr::new(127, 66, 9, 1), &[Pod::Open]);
    // A Service without ports: A records but no SRV.
    let svc = Service::headless(
        "chk",
        "web",
        vec![],
        vec![Endpoint::named("web-0", vec![pods.ip(0).parse().unwrap()])],
    );
    let dns = Dns::with(Cluster::new("cluster.local").with_service(svc));
    let r = check(&dns, &[]);
    assert_eq!(r.code, 2, "{r:?}");
    assert_eq!(r.stdout, "");
    assert_eq!(
        r.stderr,
        format!(
            "hsvc: 1 of 1 endpoint has no port known from SRV ({}); pass --port N\n",
            pods.ip(0)
        )
    );
    let r = check(&dns, &["-o", "json"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert_eq!(r.json::<CheckDoc>().error.unwrap().kind, "no_port");
    let r = check(&dns, &["--port", &pods.port.to_string()]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("1 of 1 healthy"), "{r:?}");
    // A port name the Service does not have.
    let (_p, dns) = setup(10, &[Pod::Open]);
    let r = check(&dns, &["--port-name", "grpc"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(
        r.stderr
            .contains("no port named 'grpc' in SRV (web-0); pass --port N"),
        "{r:?}"
    );
    assert!(r.stderr.contains("has no port by that name"), "{r:?}");
}

#[test]
fn dns_failure_exits_3() {
    let dead = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = dead.local_addr().unwrap().to_string();
    drop(dead);
    let base = [
        "--server",
        &addr,
        "--timeout",
        "300ms",
        "--attempts",
        "1",
        "check",
        "web.chk",
    ];
    let r = hsvc(&base);
    assert_eq!(r.code, 3, "{r:?}");
    assert_eq!(r.stdout, "");
    assert!(r.stderr.starts_with("hsvc: "), "{r:?}");
    let mut json = base.to_vec();
    json.extend(["-o", "json"]);
    let r = hsvc(&json);
    assert_eq!(r.code, 3, "{r:?}");
    let doc: CheckDoc = r.json();
    assert_eq!(doc.dns.unwrap().status, "error");
    assert!(doc.error.is_some());
    assert!(doc.results.is_empty());
    assert!(doc.summary.is_none());
    let mut jsonl = base.to_vec();
    jsonl.extend(["-o", "jsonl"]);
    let r = hsvc(&jsonl);
    assert_eq!(r.code, 3, "{r:?}");
    let types: Vec<&str> = r.jsonl::<CheckLine>().iter().map(CheckLine::kind).collect();
    assert_eq!(types, ["start", "error"]);
}

#[test]
fn no_pods_exits_1() {
    let (_p, dns) = setup(11, &[Pod::Open]);
    let r = dns.hsvc(&["check", "nope.chk"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("NXDOMAIN"), "{r:?}");
    assert!(r.stdout.contains("0 of 0 healthy"), "{r:?}");
    // Even when no minimum is asked for: nothing answered.
    assert_eq!(
        dns.hsvc(&["check", "nope.chk", "--min-healthy", "0"]).code,
        1
    );
}

#[test]
fn usage_errors_exit_2_before_any_query() {
    let (_p, dns) = setup(12, &[Pod::Open]);
    for args in [
        &["check", "web..chk"][..],
        &["check", "web.chk", "--expect", "200"],
        &["check", "web.chk", "--port", "1", "--port-name", "http"],
        &["check", "web.chk", "--http", "/", "--expect", "2x"],
        &["check", "web.chk", "--min-healthy", "x"],
        &["check", "web.chk", "--concurrency", "0"],
        &["check", "web.chk", "-n", "a", "-n", "b"],
    ] {
        let r = dns.hsvc(args);
        assert_eq!(r.code, 2, "{args:?}: {r:?}");
        assert_eq!(r.stdout, "", "{args:?}");
        assert!(
            r.stderr.starts_with("error:") || r.stderr.starts_with("hsvc: "),
            "{r:?}"
        );
    }
    assert_eq!(dns.zone().query_log().len(), 0, "no DNS query was sent");
}

#[test]
fn dns_text_is_escaped() {
    let pods = Pods::start(Ipv4Addr::new(127, 66, 13, 1), &[Pod::Open]);
    let svc = Service::headless(
        "chk",
        "web",
        vec![Port::tcp("http", pods.port)],
        vec![Endpoint::named(
            "\u{1b}[31mred\u{1b}]0;pwned\u{7}",
            vec![pods.ip(0).parse().unwrap()],
        )],
    );
    let dns = Dns::with(Cluster::new("cluster.local").with_service(svc));
    for fmt in ["table", "wide", "json", "jsonl"] {
        let r = check(&dns, &["-o", fmt]);
        assert_eq!(r.code, 0, "{r:?}");
        assert!(!r.stdout.contains('\u{1b}'), "{fmt}: {r:?}");
        assert!(!r.stdout.contains('\u{7}'), "{fmt}: {r:?}");
    }
}

#[test]
fn progress_line_only_on_a_terminal() {
    // A round that takes about a second: one pod never answers HTTP.
    let (_p, dns) = setup(14, &[Pod::Http(200), Pod::Silent]);
    let args = ["--http", "/", "--http-timeout", "1s"];
    let r = check(&dns, &args);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(!r.stderr.contains('\r'), "{r:?}");
    assert!(!r.stderr.contains("checking"), "{r:?}");
    assert!(!r.stdout.contains('\r'), "{r:?}");

    // Under a pseudo-terminal (util-linux `script`), the line appears.
    let Ok(script) = which("script") else {
        eprintln!("no `script` binary: the terminal half is not run");
        return;
    };
    let resolv = temp_file("resolv.check-tty", "# no nameserver\n");
    let cmd = format!(
        "{} --resolv-conf {} --server {} check web.chk {} 2>&1",
        bin().display(),
        resolv.display(),
        dns.addr(),
        args.join(" ")
    );
    let out = Command::new(script)
        .args(["-qec", &cmd, "/dev/null"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("\r\u{1b}[Kchecking ["), "{text:?}");
    assert!(text.contains("] 2/2"), "{text:?}");
    assert!(
        text.contains("2 of 2") || text.contains("1 of 2 healthy"),
        "{text:?}"
    );
}

fn which(name: &str) -> Result<std::path::PathBuf, ()> {
    std::env::var_os("PATH")
        .and_then(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join(name))
                .find(|p| p.is_file())
        })
        .ok_or(())
}

/// Runs `hsvc check` with `--repeat`, streaming stdout line by line, and
/// calls `between` once the first round's summary line is out.
fn run_repeat(dns: &Dns, extra: &[&str], between: impl FnOnce()) -> (i32, Vec<String>) {
    let addr = dns.addr().to_string();
    let mut args = vec!["--server", addr.as_str(), "check", "web.chk"];
    args.extend_from_slice(extra);
    let mut child = Cmd::new(&args).spawn();
    let mut lines = Vec::new();
    let mut between = Some(between);
    while let Some(line) = child.next_line() {
        let first_done = line.contains("healthy (need") || line.contains("\"type\":\"summary\"");
        lines.push(line);
        if first_done {
            if let Some(f) = between.take() {
                f();
            }
        }
    }
    let (code, _) = child.wait();
    (code, lines)
}

#[test]
fn repeat_reports_only_state_changes() {
    // Pod 4 listens but joins the Service only in round 2.
    let mut p = Pods::start(
        Ipv4Addr::new(127, 66, 15, 1),
        &[Pod::Open, Pod::Refused, Pod::Open, Pod::Open, Pod::Open],
    );
    let dns = Dns::with(cluster_for(&p, 4));
    let (port, base) = (p.port, p.base);
    let zone = dns.zone().clone();
    let (code, lines) = run_repeat(&dns, &["--repeat", "3", "--interval", "1500ms"], || {
        // Pod 0 dies, web-3 leaves the Service, web-4 joins.
        p.close(0);
        let mut c = cluster_for(&p, 3);
        let svc = c.service_mut("chk", "web").unwrap();
        svc.endpoints
            .push(Endpoint::named("web-4", vec![IpAddr::V4(nth(base, 4))]));
        zone.set_cluster(&c);
    });
    // The first round in full (header, 4 rows, summary), then only round
    // 2's changes and summary; round 3 changes nothing and prints nothing.
    let a = |i: usize| format!("{}:{}", nth(base, i), port);
    assert_eq!(
        lines[6..],
        [
            format!("round 2: {} (web-0) failed: open → refused", a(0)),
            format!("round 2: {} (web-4) appeared: open", a(4)),
            format!("round 2: {} (web-3) disappeared: was open", a(3)),
            "round 2: 2 of 4 healthy (need 4)".to_string(),
        ],
        "{lines:#?}"
    );
    assert!(
        lines[5].starts_with("3 of 4 healthy (need 4)"),
        "{lines:#?}"
    );
    assert_eq!(code, 1);
}

#[test]
fn repeat_in_json_collects_changes_and_exits_on_the_last_round() {
    let (mut p, dns) = setup(16, &[Pod::Open, Pod::Open]);
    let (code, lines) = run_repeat(
        &dns,
        &["--repeat", "2", "--interval", "1500ms", "-o", "jsonl"],
        || p.close(1),
    );
    assert_eq!(code, 1);
    let docs: Vec<CheckLine> = lines.iter().map(|l| schema::parse(l)).collect();
    let types: Vec<&str> = docs.iter().map(CheckLine::kind).collect();
    assert_eq!(
        types,
        ["start", "result", "result", "summary", "change", "summary"]
    );
    assert_eq!(docs[0].start().rounds, 2);
    let change = docs[4].change();
    assert_eq!(change.round, 2);
    assert_eq!(change.kind, "failed");
    assert_eq!(change.ip, p.ip(1));
    assert_eq!(change.hostname.as_deref(), Some("web-1"));
    assert_eq!(
        change.before,
        Some(State {
            healthy: true,
            outcome: Outcome::Open {
                text: "open".into()
            }
        })
    );
    assert_eq!(change.after.as_ref().unwrap().outcome.kind(), "refused");
    assert_eq!(docs[5].summary().round, 2);
    assert_eq!(docs[5].summary().healthy, 1);

    // Nothing changes: -o json has the first round and no changes; exit 0.
    let (_q, dns) = setup(17, &[Pod::Open]);
    let r = check(
        &dns,
        &["--repeat", "2", "--interval", "100ms", "-o", "json"],
    );
    assert_eq!(r.code, 0, "{r:?}");
    let doc: CheckDoc = r.json();
    assert_eq!(doc.rounds, 2);
    assert_eq!(doc.results.len(), 1);
    assert!(doc.changes.is_empty());
    assert_eq!(doc.summary.unwrap().round, 2);
    let r = check(&dns, &["--repeat", "2", "--interval", "100ms"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(!r.stdout.contains("round 2"), "{r:?}");
}

/// One-off wall-time measurement, not a test of timing (nothing is asserted
/// about time). Run in release:
///
/// ```text
/// cargo test --release --test check -- --ignored --nocapture measure
/// ```
///
/// 1000 pods on 127.67.0.1 upwards behind one Service, checked end to end
/// through the binary (DNS over TCP after truncation, then the probes).
#[test]
#[ignore = "measurement, run by hand"]
fn measure_1000_endpoints() {
    const N: usize = 1000;
    type Case<'a> = (&'a str, fn(usize) -> Pod, &'a [&'a str]);
    let cases: [Case; 4] = [
        (
            "http, 10% silent",
            |i| {
                if i % 10 == 0 {
                    Pod::Silent
                } else {
                    Pod::Http(200)
                }
            },
            &["--http", "/healthz", "--http-timeout", "1s"],
        ),
        (
            "http, all silent",
            |_| Pod::Silent,
            &["--http", "/healthz", "--http-timeout", "1s"],
        ),
        (
            "tcp, 10% blackholed",
            |i| {
                if i % 10 == 0 {
                    Pod::Blackhole
                } else {
                    Pod::Open
                }
            },
            &["--connect-timeout", "1s"],
        ),
        (
            "tcp, 10% blackholed, -c 256",
            |i| {
                if i % 10 == 0 {
                    Pod::Blackhole
                } else {
                    Pod::Open
                }
            },
            &["--connect-timeout", "1s", "-j", "256"],
        ),
    ];
    for (k, (label, kind, args)) in cases.into_iter().enumerate() {
        let kinds: Vec<Pod> = (0..N).map(kind).collect();
        let pods = Pods::start(Ipv4Addr::new(127, 67 + k as u8, 0, 1), &kinds);
        let dns = Dns::with(cluster_for(&pods, N));
        // 1000 SRV records with glue overflow a 64 KiB DNS message, so SRV
        // names the port of only some pods: give it.
        let port = pods.port.to_string();
        let mut all = vec!["check", "web.chk", "-o", "json", "--port", &port];
        all.extend_from_slice(args);
        let t0 = std::time::Instant::now();
        let r = dns.hsvc(&all);
        let wall = t0.elapsed().as_secs_f64();
        let doc: CheckDoc = r.json();
        let summary = doc
            .summary
            .as_ref()
            .unwrap_or_else(|| panic!("{label}: {}", r.stderr));
        let c = doc.concurrency as usize;
        let bound = N.div_ceil(c);
        let mut kinds: std::collections::BTreeMap<String, usize> = Default::default();
        for r in &doc.results {
            *kinds.entry(r.outcome.text().to_string()).or_default() += 1;
        }
        println!(
            "{label}: exit {}, {} targets {kinds:?}; process wall {wall:.3} s \
             (round {:.3} s, DNS {:.1} ms); ceil({N}/{c}) x 1 s = {bound} s, N x 1 s = {N} s",
            r.code,
            summary.total,
            summary.wall_ms / 1000.0,
            doc.dns.as_ref().unwrap().latency_ms,
        );
    }
}
