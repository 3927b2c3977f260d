//! `hsvc diff` end to end: the real binary against one or two in-process
//! cluster DNS servers on loopback, whose data differs.

mod support;

use std::net::Ipv4Addr;

use hsvc_cluster::{Cluster, Fault, Port};
use support::bin::Run;
use support::cluster::{at, cluster, Dns};
use support::schema::{DiffDoc, Entry};

/// The `hsvc.diff/v1` document, read strictly: an unknown or missing field
/// fails the test.
fn doc(r: &Run) -> DiffDoc {
    r.json()
}

fn keys(v: &[Entry]) -> Vec<&str> {
    v.iter().map(|e| e.key.as_str()).collect()
}

const AWX: [&str; 3] = ["10.244.194.67", "10.244.217.10", "10.244.217.11"];
const DEFAULT: [&str; 3] = ["10.244.194.69", "10.244.194.70", "10.244.217.12"];

#[test]
fn namespaces_differ_and_each_pod_is_only_in_its_own() {
    let dns = Dns::start();
    let r = dns.hsvc(&[
        "diff",
        "web-headless",
        "-n",
        "awx",
        "-n",
        "default",
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 1, "different → 1: {r:?}");
    let d = doc(&r);
    assert_eq!(d.by, "ip");
    assert!(!d.identical);
    let labels: Vec<&str> = d.sources.iter().map(|s| s.label.as_str()).collect();
    assert_eq!(labels, ["web-headless.awx", "web-headless.default"]);
    assert_eq!(d.sources[1].fqdn, "web-headless.default.svc.cluster.local.");
    assert_eq!(d.sources[1].namespace.as_deref(), Some("default"));
    assert_eq!(d.sources[0].name, "web-headless");
    for s in &d.sources {
        assert_eq!(s.server, dns.addr().to_string());
        assert_eq!(
            (s.status.as_str(), s.rcode.as_deref()),
            ("ok", Some("NOERROR"))
        );
        assert_eq!((s.count, s.ttl), (3, Some(30)));
        assert!(s.latency_ms > 0.0 && s.error.is_none());
    }
    assert!(d.common.is_empty());
    assert_eq!(keys(&d.only_in[0]), AWX);
    assert_eq!(keys(&d.only_in[1]), DEFAULT);
    assert_eq!(d.only_in[0][0].hostname.as_deref(), Some("web-1"));
    assert_eq!(d.only_in[0][0].ports[0].port, 80);
    assert_eq!(d.summary.only_in, [3, 3]);
    assert_eq!(
        (d.summary.common, d.summary.partial, d.summary.changed),
        (0, 0, 0)
    );
    assert_eq!(d.rows.len(), 6);
    assert_eq!(d.rows[0].present, [Some(true), Some(false)]);
    assert_eq!(d.rows[1].present, [Some(false), Some(true)]);

    let t = dns.hsvc(&["diff", "web-headless", "-n", "awx", "-n", "default"]);
    assert_eq!(t.code, 1, "{t:?}");
    let header = t.stdout.lines().next().unwrap();
    assert!(
        header.contains("web-headless.awx") && header.contains("web-headless.default"),
        "{t:?}"
    );
    assert!(t.stdout.contains("10.244.194.67  web-1"), "{t:?}");
    assert!(
        t.stdout.lines().last().unwrap().starts_with(
            "different: 0 in all 2 sources, 3 only in web-headless.awx, 3 only in web-headless.default"
        ),
        "{t:?}"
    );
}

#[test]
fn two_replicas_with_the_same_data_are_identical_and_each_is_asked() {
    let (a, b) = (Dns::start(), Dns::start());
    let r = at(&[&a, &b], &["diff", "web-headless.awx", "-o", "json"]);
    assert_eq!(r.code, 0, "identical → 0: {r:?}");
    let d = doc(&r);
    assert!(d.identical);
    assert_eq!(d.sources[0].label, a.addr().to_string());
    assert_eq!(d.sources[1].server, b.addr().to_string());
    assert_eq!(keys(&d.common), AWX);
    assert!(d.only_in.iter().all(Vec::is_empty));
    // Each server got its own A, AAAA and SRV: not a pool.
    for s in [&a, &b] {
        let log = s.zone().queries_for("web-headless.awx.svc.cluster.local");
        assert_eq!(log.len(), 3, "{log:?}");
    }
    let t = at(&[&a, &b], &["diff", "web-headless.awx"]);
    assert_eq!(t.code, 0, "{t:?}");
    assert_eq!(
        t.stdout.lines().last().unwrap(),
        "identical: 3 endpoints in all 2 sources"
    );
}

#[test]
fn a_lagging_replica_is_different_and_plain_shows_minus_lines() {
    let a = Dns::start();
    let mut lag = cluster();
    lag.service_mut("mid", "web")
        .unwrap()
        .endpoints
        .truncate(18);
    let b = Dns::with(lag);
    let r = at(&[&a, &b], &["diff", "web.mid", "-o", "json"]);
    assert_eq!(r.code, 1, "{r:?}");
    let d = doc(&r);
    assert_eq!(d.common.len(), 18);
    assert_eq!(keys(&d.only_in[0]), ["10.2.0.19", "10.2.0.20"]);
    assert!(d.only_in[1].is_empty());
    // SRV weights differ (100/20 vs 100/18) but are not a change.
    assert_eq!(d.common[0].ports[0].weight, 5);
    assert!(d.changed.is_empty(), "{:?}", d.changed);

    let p = at(&[&a, &b], &["diff", "web.mid", "-o", "plain"]);
    assert_eq!(p.code, 1, "{p:?}");
    assert_eq!(
        p.stdout,
        "- 10.2.0.19 web-18 8080 30\n- 10.2.0.20 web-19 8080 30\n"
    );
}

#[test]
fn nxdomain_is_an_empty_set_not_a_failure() {
    let dns = Dns::start();
    let r = dns.hsvc(&["diff", "web-headless.awx", "gone.awx", "-o", "json"]);
    assert_eq!(r.code, 1, "{r:?}");
    let d = doc(&r);
    let gone = &d.sources[1];
    assert_eq!(gone.status, "nxdomain");
    assert_eq!(gone.rcode.as_deref(), Some("NXDOMAIN"));
    assert_eq!((gone.count, gone.ttl), (0, None));
    assert!(gone.error.is_none());
    assert_eq!(keys(&d.only_in[0]), AWX);
    assert_eq!(d.rows[0].present, [Some(true), Some(false)]);

    let t = dns.hsvc(&["diff", "web-headless.awx", "gone.awx"]);
    assert_eq!(t.code, 1, "{t:?}");
    assert!(
        t.stdout
            .lines()
            .next()
            .unwrap()
            .contains("gone.awx (NXDOMAIN)"),
        "{t:?}"
    );
    assert!(t.stdout.contains("gone.awx: NXDOMAIN"), "{t:?}");
    assert!(t.stderr.is_empty(), "{t:?}");

    // Two names that both do not exist: two empty sets, identical.
    let both = dns.hsvc(&["diff", "gone.awx", "gone.default"]);
    assert_eq!(both.code, 0, "{both:?}");
}

#[test]
fn a_source_that_cannot_be_resolved_exits_3_and_is_named() {
    let (a, b) = (Dns::start(), Dns::start());
    b.zone().set_drop_all(true);
    let r = at(
        &[&a, &b],
        &[
            "diff",
            "web-headless.awx",
            "--timeout",
            "300ms",
            "--attempts",
            "1",
            "-o",
            "json",
        ],
    );
    assert_eq!(r.code, 3, "{r:?}");
    let d = doc(&r);
    assert_eq!(d.sources[0].status, "ok");
    let failed = &d.sources[1];
    assert_eq!(failed.status, "error");
    let e = failed.error.as_ref().unwrap();
    assert_eq!(e.kind, "timeout");
    assert_eq!(e.server.as_deref(), Some(b.addr().to_string().as_str()));
    assert!(e.message.contains(&b.addr().to_string()));
    assert!(d.rows.iter().all(|row| row.present == [Some(true), None]));
    assert!(r.stderr.contains(&b.addr().to_string()), "{r:?}");

    // SERVFAIL from one name, table output.
    a.zone()
        .set_fault("web-headless.default.svc.cluster.local", Fault::ServFail);
    let t = a.hsvc(&["diff", "web-headless.awx", "web-headless.default"]);
    assert_eq!(t.code, 3, "{t:?}");
    assert!(t.stdout.contains("web-headless.default (FAILED)"), "{t:?}");
    assert!(t.stdout.contains("SERVFAIL"), "{t:?}");
    assert!(t.stderr.contains("web-headless.default"), "{t:?}");
}

#[test]
fn ports_and_ttl_differences_are_changes() {
    let a = Dns::start();
    let mut other = cluster();
    other.ttl = 5;
    other.service_mut("awx", "web-headless").unwrap().ports = vec![Port::tcp("http", 8080)];
    let b = Dns::with(other);

    let r = at(&[&a, &b], &["diff", "web-headless.awx", "-o", "json"]);
    assert_eq!(r.code, 1, "{r:?}");
    let d = doc(&r);
    assert_eq!(keys(&d.common), AWX, "same IPs: common, but changed");
    assert_eq!(d.changed.len(), 3);
    let c = &d.changed[0];
    assert_eq!(c.key, "10.244.194.67");
    assert_eq!(c.fields, ["ports", "ttl"]);
    let (x, y) = (c.values[0].as_ref().unwrap(), c.values[1].as_ref().unwrap());
    assert_eq!((x.ports[0].port, x.ttl), (80, 30));
    assert_eq!((y.ports[0].port, y.ttl), (8080, 5));
    assert_eq!(d.rows[0].changed, ["ports", "ttl"]);
    assert_eq!(d.summary.changed, 3);

    // Table cells show the differing values.
    let t = at(&[&a, &b], &["diff", "web-headless.awx"]);
    assert!(t.stdout.contains("ports=80 ttl=30"), "{t:?}");
    assert!(t.stdout.contains("ports=8080 ttl=5"), "{t:?}");
    assert!(t.stdout.contains("3 changed"), "{t:?}");

    // By endpoint, a port makes it another endpoint.
    let e = doc(&at(
        &[&a, &b],
        &["diff", "web-headless.awx", "--by", "endpoint", "-o", "json"],
    ));
    assert_eq!(e.by, "endpoint");
    assert!(e.common.is_empty() && e.changed.is_empty());
    assert_eq!(keys(&e.only_in[0])[0], "10.244.194.67 web-1 80");
    assert_eq!(keys(&e.only_in[1])[0], "10.244.194.67 web-1 8080");

    // TTL alone: a change unless --ignore-ttl.
    let mut ttl_only = cluster();
    ttl_only.ttl = 5;
    let c = Dns::with(ttl_only);
    let r = at(&[&a, &c], &["diff", "web-headless.awx", "-o", "json"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert_eq!(doc(&r).changed[0].fields, ["ttl"]);
    let r = at(&[&a, &c], &["diff", "web-headless.awx", "--ignore-ttl"]);
    assert_eq!(r.code, 0, "{r:?}");
}

#[test]
fn by_hostname_follows_a_rescheduled_statefulset_pod() {
    let a = Dns::start();
    let mut moved = cluster();
    let svc = moved.service_mut("awx", "web-headless").unwrap();
    svc.endpoints[1].addresses = vec!["10.244.194.99".parse().unwrap()];
    let b = Dns::with(moved);

    let by_ip = doc(&at(&[&a, &b], &["diff", "web-headless.awx", "-o", "json"]));
    assert_eq!(keys(&by_ip.only_in[0]), ["10.244.194.67"]);
    assert_eq!(keys(&by_ip.only_in[1]), ["10.244.194.99"]);

    let r = at(
        &[&a, &b],
        &["diff", "web-headless.awx", "--by", "hostname", "-o", "json"],
    );
    assert_eq!(r.code, 1, "{r:?}");
    let d = doc(&r);
    assert_eq!(keys(&d.common), ["web-0", "web-1", "web-2"]);
    assert_eq!(d.changed.len(), 1);
    assert_eq!(
        (d.changed[0].key.as_str(), d.changed[0].fields.as_slice()),
        ("web-1", &["ip".to_string()][..])
    );
    assert_eq!(d.changed[0].values[1].as_ref().unwrap().ip, "10.244.194.99");
    assert!(d.only_in.iter().all(Vec::is_empty));

    let t = at(&[&a, &b], &["diff", "web-headless.awx", "--by", "hostname"]);
    assert!(t.stdout.contains("ip=10.244.194.67"), "{t:?}");
    assert!(t.stdout.contains("ip=10.244.194.99"), "{t:?}");
}

#[test]
fn three_sources_in_plain_list_who_has_what() {
    let dns = Dns::start();
    let r = dns.hsvc(&[
        "diff",
        "web-headless",
        "-n",
        "awx",
        "-n",
        "default",
        "-n",
        "staging",
        "-o",
        "plain",
    ]);
    assert_eq!(r.code, 1, "{r:?}");
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 6, "{r:?}");
    assert_eq!(lines[0], "10.244.194.67 web-headless.awx");
    assert_eq!(lines[1], "10.244.194.69 web-headless.default");
}

#[test]
fn usage_errors_exit_2_before_any_query() {
    let dns = Dns::start();
    for (args, says) in [
        (vec!["diff", "web-headless.awx"], "two sources"),
        (
            vec!["diff", "web-headless.awx", "bad..name"],
            "invalid name",
        ),
        (
            vec!["diff", "web-headless.awx", "-n", "awx", "-n", "default"],
            "given twice",
        ),
        (vec!["diff", "a", "b", "--by", "pod"], "invalid value"),
    ] {
        let r = dns.hsvc(&args);
        assert_eq!(r.code, 2, "{args:?}: {r:?}");
        assert!(r.stderr.contains(says), "{args:?}: {r:?}");
    }
    assert!(dns.zone().query_log().is_empty());
}

#[test]
fn hostile_hostnames_are_escaped_in_every_format() {
    let dns = Dns::start();
    for format in ["table", "wide", "plain", "json"] {
        let r = dns.hsvc(&["diff", "svc.evil", "web-headless.awx", "-o", format]);
        assert_eq!(r.code, 1, "{r:?}");
        assert!(
            !r.stdout.contains('\u{1b}') && !r.stdout.contains('\u{7}'),
            "{format}: {r:?}"
        );
        if format != "json" {
            assert!(r.stdout.contains("\\027[31mred"), "{format}: {r:?}");
        }
    }
}

#[test]
fn a_deployment_pair_by_ip_is_sorted_numerically() {
    let c = Cluster::example()
        .with_service(hsvc_cluster::Service::deployment(
            "a",
            "app",
            12,
            Ipv4Addr::new(10, 5, 0, 1),
            ("http", 80),
        ))
        .with_service(hsvc_cluster::Service::deployment(
            "b",
            "app",
            10,
            Ipv4Addr::new(10, 5, 0, 3),
            ("http", 80),
        ));
    let dns = Dns::with(c);
    let d = doc(&dns.hsvc(&["diff", "app", "-n", "a", "-n", "b", "-o", "json"]));
    assert_eq!(keys(&d.only_in[0]), ["10.5.0.1", "10.5.0.2"]);
    assert!(d.only_in[1].is_empty());
    assert_eq!(d.common.first().unwrap().key, "10.5.0.3");
    assert_eq!(d.common.last().unwrap().key, "10.5.0.12");
    assert_eq!(d.common.len(), 10);
    assert_eq!(d.common[0].ips, ["10.5.0.3"]);
    assert!(d.common[0]
        .fqdn
        .as_deref()
        .unwrap()
        .starts_with("10-5-0-3.app.a.svc"));
    assert_eq!(d.common[0].ports[0].priority, 0);
    assert!(d.common[0].ports[0].protocol.is_none() && d.common[0].ports[0].name.is_none());
    assert_eq!(d.rows[0].hostname.as_deref(), Some("10-5-0-1"));
    assert_eq!(d.rows[0].ip, "10.5.0.1");
}
