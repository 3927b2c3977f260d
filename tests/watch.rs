//! `hsvc watch` end to end: the real binary runs as a child process while
//! the in-process cluster DNS changes under it (scaling, an outage,
//! NXDOMAIN). Its JSON Lines are read as they come.
//!
//! No assertion is about time: a long receive timeout only keeps a broken
//! build from hanging, and "several rounds passed" is judged from the
//! server's query log.

mod support;

use std::net::Ipv4Addr;
use std::time::Duration;

use hsvc_cluster::{Cluster, Service};
use support::bin::{Cmd, Spawned, PATIENCE};
use support::cluster::{at, cluster, Dns};
use support::schema::{self, WatchEnd, WatchEvent};

const FQDN: &str = "app.scale.svc.cluster.local";

/// An event line, read strictly (see `support::schema`).
fn event(line: &str) -> WatchEvent {
    let e: WatchEvent = schema::parse(line);
    // RFC 3339 UTC with milliseconds: 2026-01-01T00:00:00.000Z
    assert!(
        e.time.len() == 24 && e.time.ends_with('Z') && humantime::parse_rfc3339(&e.time).is_ok(),
        "{}",
        e.time
    );
    e
}

/// The end line, read strictly.
fn end(line: &str) -> WatchEnd {
    let e: WatchEnd = schema::parse(line);
    assert_eq!(e.event, "end", "{line}");
    assert!(humantime::parse_rfc3339(&e.time).is_ok());
    e
}

fn scale_cluster(replicas: usize) -> Cluster {
    let mut c = cluster();
    if replicas > 0 {
        c = c.with_service(Service::deployment(
            "scale",
            "app",
            replicas,
            Ipv4Addr::new(10, 3, 0, 1),
            ("http", 8080),
        ));
    }
    c
}

/// A running `hsvc watch` child with its stdout read line by line.
struct Watch {
    s: Spawned,
}

impl Watch {
    fn start(dns: &Dns, args: &[&str]) -> Watch {
        let mut all = vec!["--server".to_string(), dns.addr().to_string()];
        all.extend(args.iter().map(|a| a.to_string()));
        Watch {
            s: Cmd::new(&all).spawn(),
        }
    }

    fn next(&mut self) -> WatchEvent {
        let l = self.s.line();
        event(&l)
    }

    /// Events until `n` of kind `kind` have come; all of them.
    fn until(&mut self, kind: &str, n: usize) -> Vec<WatchEvent> {
        let mut got = Vec::new();
        while got.iter().filter(|e: &&WatchEvent| e.event == kind).count() < n {
            got.push(self.next());
        }
        got
    }

    /// Ctrl-C; returns the exit code and the end object.
    fn interrupt(mut self) -> (i32, WatchEnd) {
        self.s.interrupt();
        // Nothing changed since the last event, so the next line is the end.
        let last = self.s.line();
        let (code, _) = self.s.wait();
        (code, end(&last))
    }
}

/// Waits until the server has answered `rounds` more resolutions of `name`
/// (A + AAAA + SRV each) than `since` queries: proof that the watch has
/// looked again, without relying on time.
fn wait_rounds(dns: &Dns, name: &str, since: usize, rounds: usize) -> usize {
    let want = since + 3 * rounds;
    let started = std::time::Instant::now();
    loop {
        let n = dns.zone().queries_for(name).len();
        if n >= want {
            return n;
        }
        assert!(
            started.elapsed() < PATIENCE,
            "the watch stopped asking ({n} < {want})"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn keys(events: &[WatchEvent]) -> Vec<String> {
    events
        .iter()
        .map(|e| e.endpoint.as_ref().unwrap().key.clone())
        .collect()
}

#[test]
fn scaling_3_to_6_to_2_reports_each_change_exactly_once() {
    let dns = Dns::with(scale_cluster(3));
    let mut w = Watch::start(
        &dns,
        &["watch", "app.scale", "-o", "jsonl", "--interval", "200ms"],
    );
    let first = w.next();
    assert_eq!((first.event.as_str(), first.count), ("initial", 3));
    assert_eq!(
        (first.status.as_deref(), first.rcode.as_deref()),
        (Some("ok"), Some("NOERROR"))
    );
    assert_eq!(first.source, "app.scale");
    assert_eq!(first.name, "app.scale");
    assert_eq!(first.fqdn, format!("{FQDN}."));
    assert_eq!(first.server, dns.addr().to_string());
    let initial = first.endpoints.unwrap();
    assert_eq!(
        initial.iter().map(|e| e.ip.as_str()).collect::<Vec<_>>(),
        ["10.3.0.1", "10.3.0.2", "10.3.0.3"]
    );
    assert_eq!(initial[0].hostname.as_deref(), Some("10-3-0-1"));
    let seen = wait_rounds(&dns, FQDN, 0, 3);

    dns.zone().set_cluster(&scale_cluster(6));
    let up = w.until("added", 3);
    assert_eq!(
        up.len(),
        3,
        "only the three new pods, no change to the old ones (SRV weight 33→16 is not a change)"
    );
    assert_eq!(keys(&up), ["10.3.0.4", "10.3.0.5", "10.3.0.6"]);
    assert!(up.iter().all(|e| e.count == 6));
    assert_eq!(up[0].endpoint.as_ref().unwrap().ttl, 30);
    let seen = wait_rounds(&dns, FQDN, seen, 3);

    dns.zone().set_cluster(&scale_cluster(2));
    let down = w.until("removed", 4);
    assert_eq!(
        down.len(),
        4,
        "the rounds in between reported nothing again"
    );
    assert_eq!(
        keys(&down),
        ["10.3.0.3", "10.3.0.4", "10.3.0.5", "10.3.0.6"]
    );
    assert!(down.iter().all(|e| e.count == 2));
    let seen = wait_rounds(&dns, FQDN, seen, 3);

    dns.zone().set_cluster(&scale_cluster(3));
    let again = w.until("added", 1);
    assert_eq!(keys(&again), ["10.3.0.3"]);
    wait_rounds(&dns, FQDN, seen, 2);

    let (code, e) = w.interrupt();
    assert_eq!(code, 0, "Ctrl-C stops cleanly");
    assert_eq!(e.reason, "interrupted");
    assert_eq!(e.events, 1 + 3 + 4 + 1);
    assert!(e.resolutions >= 11);
    assert!(e.elapsed_ms > 0);
    let s = &e.sources[0];
    assert_eq!(
        (s.source.as_str(), s.count, s.failures, s.failing),
        ("app.scale", 3, 0, false)
    );
    assert_eq!(s.status.as_deref(), Some("ok"));
    assert_eq!(s.events, 9);
    assert_eq!(s.resolutions, e.resolutions);
    assert_eq!(
        (s.fqdn.as_str(), s.server.clone()),
        (format!("{FQDN}.").as_str(), dns.addr().to_string())
    );
}

#[test]
fn an_outage_is_one_error_and_recovery_reports_only_real_changes() {
    let dns = Dns::with(scale_cluster(3));
    let mut w = Watch::start(
        &dns,
        &[
            "watch",
            "app.scale",
            "-o",
            "jsonl",
            "--interval",
            "200ms",
            "--timeout",
            "300ms",
            "--attempts",
            "1",
        ],
    );
    assert_eq!(w.next().event, "initial");
    let seen = dns.zone().queries_for(FQDN).len();

    dns.zone().set_drop_all(true);
    let err = w.next();
    assert_eq!(err.event, "error");
    assert_eq!(err.count, 3, "the set a client keeps using");
    let info = err.error.unwrap();
    assert_eq!(info.kind, "timeout");
    assert!(info.message.contains("no answer"), "{}", info.message);
    assert_eq!(info.server, Some(dns.addr().to_string()));
    // Several failed rounds (the server still logs what it drops)…
    wait_rounds(&dns, FQDN, seen, 4);
    // …and a pod added while the server is down.
    dns.zone().set_cluster(&scale_cluster(4));
    dns.zone().set_drop_all(false);

    let back = w.next();
    assert_eq!(back.event, "recovered", "no second error event: {back:?}");
    assert!(back.failures.unwrap() >= 3, "{back:?}");
    assert_eq!(back.count, 4);
    let added = w.next();
    assert_eq!(added.event, "added");
    assert_eq!(added.endpoint.unwrap().ip, "10.3.0.4");
    let seen = dns.zone().queries_for(FQDN).len();
    wait_rounds(&dns, FQDN, seen, 3);

    let (code, e) = w.interrupt();
    assert_eq!(code, 0);
    assert_eq!(e.events, 4, "initial, error, recovered, added");
    assert!(e.sources[0].failures >= 3);
    assert!(!e.sources[0].failing);
}

#[test]
fn nxdomain_empties_the_set_once_and_pods_can_return() {
    let dns = Dns::with(scale_cluster(3));
    let mut w = Watch::start(
        &dns,
        &["watch", "app.scale", "-o", "jsonl", "--interval", "200ms"],
    );
    assert_eq!(w.next().count, 3);

    dns.zone().set_cluster(&scale_cluster(0));
    let gone = w.next();
    assert_eq!(gone.event, "nxdomain");
    assert_eq!((gone.count, gone.status.as_deref()), (0, Some("nxdomain")));
    assert_eq!(gone.rcode.as_deref(), Some("NXDOMAIN"));
    assert_eq!(
        gone.endpoints.unwrap().len(),
        3,
        "the endpoints that are gone"
    );
    let seen = wait_rounds(&dns, FQDN, dns.zone().queries_for(FQDN).len(), 3);

    dns.zone().set_cluster(&scale_cluster(2));
    let back = w.until("added", 2);
    assert_eq!(back.len(), 2, "nothing between: NXDOMAIN was reported once");
    assert_eq!(keys(&back), ["10.3.0.1", "10.3.0.2"]);
    wait_rounds(&dns, FQDN, seen, 1);
    let (code, e) = w.interrupt();
    assert_eq!((code, e.events), (0, 4));
}

#[test]
fn changed_events_name_the_fields_and_by_hostname_follows_a_pod() {
    let dns = Dns::start();
    let name = "web-headless.awx.svc.cluster.local";
    let mut w = Watch::start(
        &dns,
        &[
            "watch",
            "web-headless.awx",
            "-o",
            "jsonl",
            "--interval",
            "200ms",
            "--by",
            "hostname",
        ],
    );
    assert_eq!(w.next().event, "initial");
    let seen = wait_rounds(&dns, name, 0, 2);
    let mut c = cluster();
    c.ttl = 5;
    c.service_mut("awx", "web-headless").unwrap().endpoints[1].addresses =
        vec!["10.244.194.99".parse().unwrap()];
    dns.zone().set_cluster(&c);
    // web-1 moved (and its TTL fell); the others only changed TTL.
    let ch = w.until("changed", 3);
    assert_eq!(ch.len(), 3, "{ch:?}");
    let web1 = ch
        .iter()
        .find(|e| e.endpoint.as_ref().unwrap().key == "web-1")
        .unwrap();
    assert_eq!(web1.fields.as_deref().unwrap(), ["ip", "ttl"]);
    assert_eq!(web1.before.as_ref().unwrap().ip, "10.244.194.67");
    assert_eq!(web1.endpoint.as_ref().unwrap().ip, "10.244.194.99");
    let web0 = ch
        .iter()
        .find(|e| e.endpoint.as_ref().unwrap().key == "web-0")
        .unwrap();
    assert_eq!(web0.fields.as_deref().unwrap(), ["ttl"]);
    assert_eq!(
        (
            web0.before.as_ref().unwrap().ttl,
            web0.endpoint.as_ref().unwrap().ttl
        ),
        (30, 5)
    );
    wait_rounds(&dns, name, seen, 2);
    let (_, e) = w.interrupt();
    assert_eq!(e.events, 4);
}

#[test]
fn several_namespaces_at_once_one_resolution_per_round_each() {
    let dns = Dns::start();
    let r = dns.hsvc(&[
        "watch",
        "web-headless",
        "-n",
        "awx",
        "-n",
        "default",
        "-n",
        "staging",
        "--count",
        "2",
        "--interval",
        "200ms",
        "-o",
        "jsonl",
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{r:?}");
    let initial: Vec<WatchEvent> = lines[..3].iter().map(|l| event(l)).collect();
    let labels: Vec<&str> = initial.iter().map(|e| e.source.as_str()).collect();
    assert_eq!(
        labels,
        [
            "web-headless.awx",
            "web-headless.default",
            "web-headless.staging"
        ]
    );
    assert!(initial.iter().all(|e| e.event == "initial"));
    assert_eq!(
        initial[2].status.as_deref(),
        Some("nxdomain"),
        "NXDOMAIN in one source"
    );
    assert_eq!(initial[2].count, 0);
    let e = end(lines[3]);
    assert_eq!(
        (e.reason.as_str(), e.resolutions, e.events),
        ("count", 6, 3)
    );
    for ns in ["awx", "default", "staging"] {
        let q = dns
            .zone()
            .queries_for(&format!("web-headless.{ns}.svc.cluster.local"));
        assert_eq!(q.len(), 2 * 3, "{ns}: two rounds of A, AAAA, SRV");
    }
}

#[test]
fn two_servers_are_watched_separately() {
    let a = Dns::start();
    let mut lag = cluster();
    lag.service_mut("awx", "web-headless")
        .unwrap()
        .endpoints
        .truncate(2);
    let b = Dns::with(lag);
    let r = at(
        &[&a, &b],
        &["watch", "web-headless.awx", "-c", "1", "-o", "jsonl"],
    );
    assert_eq!(r.code, 0, "{r:?}");
    let ev: Vec<WatchEvent> = r.stdout.lines().take(2).map(event).collect();
    assert_eq!(
        (ev[0].source.clone(), ev[0].count),
        (a.addr().to_string(), 3)
    );
    assert_eq!(
        (ev[1].source.clone(), ev[1].count),
        (b.addr().to_string(), 2)
    );
    assert_eq!(ev[1].server, b.addr().to_string());
}

#[test]
fn table_and_plain_are_lines_for_people_and_pipes() {
    let dns = Dns::start();
    let t = dns.hsvc(&["watch", "web-headless.awx", "svc.evil", "-c", "1"]);
    assert_eq!(t.code, 0, "{t:?}");
    assert!(
        !t.stdout.contains('\u{1b}') && !t.stdout.contains('\u{7}'),
        "{t:?}"
    );
    assert!(t.stdout.contains("\\027[31mred"), "{t:?}");
    let first = t.stdout.lines().next().unwrap();
    assert!(
        first.contains("  web-headless.awx  initial    3 endpoints (NOERROR from"),
        "{t:?}"
    );
    assert!(
        t.stdout.contains("    10.244.194.67  web-1  80  ttl 30"),
        "{t:?}"
    );
    assert!(t.stdout.contains("end: --count reached"), "{t:?}");

    let p = dns.hsvc(&[
        "watch",
        "web-headless.awx",
        "-o",
        "plain",
        "--interval",
        "200ms",
        "--duration",
        "700ms",
    ]);
    assert_eq!(p.code, 0, "{p:?}");
    let lines: Vec<&str> = p.stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{p:?}");
    assert!(
        lines[0].ends_with(" web-headless.awx initial 10.244.194.67"),
        "{p:?}"
    );
    assert!(lines[3].ends_with(" - end duration"), "{p:?}");
}

#[test]
fn usage_errors_exit_2_before_any_query() {
    let dns = Dns::start();
    for (args, says) in [
        (vec!["watch", "x", "--interval", "10ms"], "at least 100ms"),
        (vec!["watch", "bad..name"], "invalid name"),
        (vec!["watch", "x", "--count", "0"], "invalid value"),
    ] {
        let r = dns.hsvc(&args);
        assert_eq!(r.code, 2, "{args:?}: {r:?}");
        assert!(r.stderr.contains(says), "{args:?}: {r:?}");
    }
    assert!(dns.zone().query_log().is_empty());
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap()
}

/// Watches `name` every 100 ms and prints the resident memory after
/// `early` and `late` rounds and the cost of a round.
fn measure(dns: &Dns, name: &str, early: usize, late: usize) {
    let fqdn = format!("{name}.svc.cluster.local");
    let mut w = Watch::start(dns, &["watch", name, "-o", "jsonl", "--interval", "100ms"]);
    let initial = w.next().count;
    let pid = w.s.pid();
    // One AAAA query per round (never truncated: these Services are IPv4).
    let wait = |n: usize| {
        while dns
            .zone()
            .queries_for(&fqdn)
            .iter()
            .filter(|q| q.qtype == hickory_proto::rr::RecordType::AAAA)
            .count()
            < n
        {
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    wait(early);
    let rss_early = rss_kib(pid);
    wait(late);
    let rss_late = rss_kib(pid);
    let (code, e) = w.interrupt();
    assert_eq!(code, 0);
    eprintln!(
        "watch {name} ({initial} endpoints): RSS {rss_early} KiB after {early} rounds, \
         {rss_late} KiB after {late}; {} resolutions in {} ms ({:.1} ms per round incl. the \
         100 ms interval), {} queries sent",
        e.resolutions,
        e.elapsed_ms,
        e.elapsed_ms as f64 / e.resolutions as f64,
        dns.zone().query_log().len()
    );
}

/// Measurement, not a test: `cargo test --test watch -- --ignored --nocapture`.
#[test]
#[ignore]
fn measure_watch_memory_and_cost() {
    let dns = Dns::start();
    measure(&dns, "web.mid", 50, 1000);
}
