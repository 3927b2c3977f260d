//! `hsvc resolve` end to end: the real binary against the in-process
//! cluster DNS on loopback.

mod support;

use std::collections::BTreeSet;

use hsvc_cluster::{Behaviour, Fault, Transport};
use support::bin::{hsvc, temp_file};
use support::cluster::{big_cluster, cluster, pod_resolv_conf, Dns};
use support::schema::{ResolveDoc, ResolveRejected};

fn web_awx() -> Vec<String> {
    vec![
        "10.244.194.67".into(),
        "10.244.217.10".into(),
        "10.244.217.11".into(),
    ]
}

#[test]
fn json_lists_the_statefulset_pods_with_their_port() {
    let dns = Dns::start();
    let r = dns.hsvc(&["resolve", "web-headless.awx", "-o", "json"]);
    assert_eq!(r.code, 0, "{r:?}");
    let doc: ResolveDoc = r.json();
    assert_eq!(doc.schema, "hsvc.resolve/v1");
    assert_eq!(doc.name, "web-headless.awx");
    assert_eq!(doc.fqdn, "web-headless.awx.svc.cluster.local.");
    assert_eq!(doc.kind, "service");
    assert_eq!(doc.status, "ok");
    assert_eq!(doc.rcode.as_deref(), Some("NOERROR"));
    assert_eq!(doc.server, Some(dns.addr().to_string()));
    assert_eq!(doc.transport, "udp");
    assert_eq!(doc.ttl, Some(30));
    assert!(doc.latency_ms > 0.0);
    assert_eq!(doc.ips(), web_awx(), "sorted by IP");
    let hosts: Vec<&str> = doc
        .endpoints
        .iter()
        .map(|e| e.hostname.as_deref().unwrap())
        .collect();
    assert_eq!(hosts, ["web-1", "web-0", "web-2"]);
    for e in &doc.endpoints {
        assert_eq!(e.ports[0].port, 80);
        assert_eq!(e.ports[0].weight, 33);
        assert_eq!(e.family, "ipv4");
        assert_eq!(e.ttl, 30);
    }
    // A, AAAA and SRV, each once.
    let types: BTreeSet<String> = doc.queries.iter().map(|q| q.rtype.clone()).collect();
    assert_eq!(
        types,
        ["A", "AAAA", "SRV"].iter().map(|s| s.to_string()).collect()
    );
    assert_eq!(dns.zone().query_log().len(), 3);
}

#[test]
fn every_service_name_form_reaches_the_same_fqdn() {
    let dns = Dns::start();
    for (args, ns) in [
        (vec!["resolve", "web-headless", "-n", "awx"], "awx"),
        (vec!["resolve", "web-headless.awx"], "awx"),
        (vec!["resolve", "web-headless.awx.svc"], "awx"),
        (vec!["resolve", "web-headless.awx.svc.cluster.local"], "awx"),
        (
            vec!["resolve", "web-headless.awx.svc.cluster.local."],
            "awx",
        ),
        (vec!["resolve", "web-headless"], "default"),
    ] {
        let mut a = args.clone();
        a.extend(["-o", "json"]);
        let r = dns.hsvc(&a);
        assert_eq!(r.code, 0, "{args:?}: {r:?}");
        let doc: ResolveDoc = r.json();
        assert_eq!(
            doc.fqdn,
            format!("web-headless.{ns}.svc.cluster.local."),
            "{args:?}"
        );
        assert_eq!(doc.endpoints.len(), 3);
    }
}

#[test]
fn namespace_and_cluster_domain_come_from_the_search_list() {
    let dns = Dns::start();
    let rc = pod_resolv_conf("awx");
    let r = dns.hsvc(&[
        "--resolv-conf",
        rc.to_str().unwrap(),
        "resolve",
        "web-headless",
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    let doc: ResolveDoc = r.json();
    assert_eq!(doc.fqdn, "web-headless.awx.svc.cluster.local.");
    // --server replaced the file's nameserver (nothing listens on 127.0.0.1:53).
    assert_eq!(doc.server, Some(dns.addr().to_string()));
}

#[test]
fn pod_name_srv_name_and_ip_literals() {
    let dns = Dns::start();
    let r = dns.hsvc(&["resolve", "web-0.web-headless.awx", "-o", "json"]);
    assert_eq!(r.code, 0, "{r:?}");
    let doc: ResolveDoc = r.json();
    assert_eq!(doc.kind, "endpoint");
    assert_eq!(doc.ips(), ["10.244.217.10"]);
    assert_eq!(doc.endpoints[0].ports[0].weight, 100);

    let r = dns.hsvc(&["resolve", "_postgres._tcp.db.awx", "-o", "json"]);
    assert_eq!(r.code, 0, "{r:?}");
    let doc: ResolveDoc = r.json();
    assert_eq!(doc.kind, "srv");
    assert_eq!(
        doc.ips(),
        [
            "10.244.194.71",
            "10.244.217.13",
            "fd00:10:244::13",
            "fd00:10:244::71"
        ]
    );
    for e in &doc.endpoints {
        assert_eq!(e.ports[0].name.as_deref(), Some("postgres"));
        assert_eq!(e.ports[0].protocol.as_deref(), Some("tcp"));
        assert_eq!(e.ports[0].port, 5432);
    }

    let r = dns.hsvc(&["resolve", "10.244.194.69", "-o", "json"]);
    assert_eq!(r.code, 0, "{r:?}");
    let doc: ResolveDoc = r.json();
    assert_eq!(doc.kind, "reverse");
    assert_eq!(doc.fqdn, "69.194.244.10.in-addr.arpa.");
    assert_eq!(
        doc.endpoints[0].ptr[0],
        "10-244-194-69.web-headless.default.svc.cluster.local."
    );

    let r = dns.hsvc(&["resolve", "fd00:10:244::71", "-o", "plain"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.stdout, "db-1.db.awx.svc.cluster.local.\n");
}

#[test]
fn port_name_labels_the_ports() {
    let dns = Dns::start();
    let r = dns.hsvc(&[
        "resolve",
        "web-headless.awx",
        "--port-name",
        "nginx-web-headless",
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    for e in r.json::<ResolveDoc>().endpoints {
        assert_eq!(e.ports.len(), 1, "{e:?}");
        assert_eq!(e.ports[0].name.as_deref(), Some("nginx-web-headless"));
        assert_eq!(e.ports[0].protocol.as_deref(), Some("tcp"));
    }
    let r = dns.hsvc(&["resolve", "web-headless.awx", "--port-name", "nope"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains("no port by that name"), "{r:?}");
}

#[test]
fn dual_stack_service() {
    let dns = Dns::start();
    let r = dns.hsvc(&["resolve", "db.awx", "-o", "json"]);
    assert_eq!(r.code, 0, "{r:?}");
    let doc: ResolveDoc = r.json();
    let fam: Vec<&str> = doc.endpoints.iter().map(|e| e.family.as_str()).collect();
    assert_eq!(fam, ["ipv4", "ipv4", "ipv6", "ipv6"]);
    // One SRV per pod covers both of its addresses.
    assert!(doc.endpoints.iter().all(|e| e.ports[0].weight == 25));
}

#[test]
fn nxdomain_and_nodata_are_told_apart() {
    let dns = Dns::start();
    for (name, status, rcode, says) in [
        ("web-9.web-headless.awx", "nxdomain", "NXDOMAIN", "NXDOMAIN"),
        // A namespace name exists (empty non-terminal) but has no address.
        ("awx.svc.cluster.local.", "nodata", "NOERROR", "NODATA"),
    ] {
        let r = dns.hsvc(&["resolve", name, "-o", "json"]);
        assert_eq!(r.code, 1, "{name}: {r:?}");
        let doc: ResolveDoc = r.json();
        assert_eq!(doc.status, status, "{name}");
        assert_eq!(doc.rcode.as_deref(), Some(rcode), "{name}");
        assert!(r.stderr.contains(says), "{name}: {r:?}");
    }

    let r = dns.hsvc(&["resolve", "nosuch.awx"]);
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout, "");
}

#[test]
fn truncated_udp_answer_is_retried_over_tcp_and_comes_back_whole() {
    let dns = Dns::with(big_cluster());
    let r = dns.hsvc(&["resolve", "web.big", "-o", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: ResolveDoc = r.json();
    assert!(doc.truncated);
    assert!(doc.retried_tcp);
    assert_eq!(doc.transport, "tcp");
    let eps = &doc.endpoints;
    assert_eq!(eps.len(), 3000);
    let want: BTreeSet<String> = (0..3000u32)
        .map(|i| {
            std::net::Ipv4Addr::from(u32::from(std::net::Ipv4Addr::new(10, 1, 0, 1)) + i)
                .to_string()
        })
        .collect();
    let got: BTreeSet<String> = doc.ips().into_iter().collect();
    assert_eq!(got, want);
    // 3000 SRV records (targets cannot be compressed) exceed 64 KiB even
    // over TCP: the SRV answer is partial and the output says so, but every
    // hostname it does carry belongs to the right pod.
    assert!(!doc.complete);
    assert!(
        doc.warnings[0].contains("truncated even over TCP"),
        "{:?}",
        doc.warnings
    );
    let base = u32::from(std::net::Ipv4Addr::new(10, 1, 0, 1));
    let mut named = 0;
    for e in eps {
        let ip: std::net::Ipv4Addr = e.ip.parse().unwrap();
        if let Some(h) = &e.hostname {
            assert_eq!(*h, format!("web-{}", u32::from(ip) - base));
            assert_eq!(e.ports[0].port, 8080);
            named += 1;
        }
    }
    assert!(named > 1000, "{named} endpoints with a hostname");
    let log = dns.zone().queries_for("web.big.svc.cluster.local.");
    assert!(log
        .iter()
        .any(|q| q.transport == Transport::Tcp && q.qtype.to_string() == "A"));
    // The human output says so too.
    let r = dns.hsvc(&["resolve", "web.big"]);
    assert!(
        r.stdout.contains("retried over TCP"),
        "{}",
        &r.stdout[r.stdout.len() - 200..]
    );
}

#[test]
fn tcp_flag_sends_nothing_over_udp() {
    let dns = Dns::start();
    let r = dns.hsvc(&["--tcp", "resolve", "web-headless.awx", "-o", "json"]);
    assert_eq!(r.code, 0, "{r:?}");
    let doc: ResolveDoc = r.json();
    assert_eq!(doc.transport, "tcp");
    assert_eq!(doc.ips(), web_awx());
    let log = dns.zone().query_log();
    assert_eq!(log.len(), 3);
    assert!(log.iter().all(|q| q.transport == Transport::Tcp));
}

#[test]
fn edns_size_is_advertised_and_can_be_turned_off() {
    let dns = Dns::start();
    dns.hsvc(&["resolve", "web-headless.awx"]);
    assert!(dns
        .zone()
        .query_log()
        .iter()
        .all(|q| q.edns_payload == Some(1232)));
    dns.zone().clear_query_log();
    // Without EDNS the 20-pod SRV answer no longer fits 512 bytes.
    let r = dns.hsvc(&["--edns-size", "0", "resolve", "web.mid", "-o", "json"]);
    assert_eq!(r.code, 0, "{r:?}");
    let doc: ResolveDoc = r.json();
    assert_eq!(doc.endpoints.len(), 20);
    assert!(doc.retried_tcp);
    assert!(dns
        .zone()
        .query_log()
        .iter()
        .all(|q| q.edns_payload.is_none()));
}

#[test]
fn missing_srv_glue_is_looked_up() {
    let dns = Dns::start();
    dns.zone().set_behaviour(Behaviour {
        srv_glue_limit: Some(13),
        ..Behaviour::default()
    });
    let r = dns.hsvc(&["resolve", "web.mid", "-o", "json"]);
    assert_eq!(r.code, 0, "{r:?}");
    let doc: ResolveDoc = r.json();
    let eps = &doc.endpoints;
    assert_eq!(eps.len(), 20);
    assert!(
        eps.iter()
            .all(|e| e.hostname.as_deref().unwrap().starts_with("web-") && e.ports[0].port == 8080),
        "{doc:?}"
    );
    let targets = doc.queries.iter().filter(|q| q.purpose == "target").count();
    assert_eq!(
        targets, 20,
        "A (the only family of the Service) of each of the 20 targets"
    );
}

#[test]
fn a_server_that_never_answers_is_a_dns_failure_after_all_attempts() {
    // A bound UDP socket that never reads: every query times out.
    let silent = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = silent.local_addr().unwrap().to_string();
    let r = hsvc(&[
        "--server",
        &addr,
        "--timeout",
        "200ms",
        "--attempts",
        "2",
        "resolve",
        "web.awx",
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 3, "{r:?}");
    let doc: ResolveDoc = r.json();
    assert_eq!(doc.status, "error");
    let error = doc.error.as_ref().unwrap();
    assert_eq!(error.kind, "timeout");
    assert_eq!(error.server.as_deref(), Some(addr.as_str()));
    let a_tries = doc.queries.iter().filter(|q| q.rtype == "A").count();
    assert_eq!(a_tries, 2, "one try per attempt");
    assert!(r.stderr.contains("no answer"), "{r:?}");
    // Text mode: one line on stderr, nothing on stdout.
    let r = hsvc(&[
        "--server",
        &addr,
        "--timeout",
        "100ms",
        "--attempts",
        "1",
        "resolve",
        "web.awx",
    ]);
    assert_eq!(r.code, 3);
    assert_eq!(r.stdout, "");
    assert_eq!(r.stderr.lines().count(), 1, "{r:?}");
}

#[test]
fn servfail_refused_and_malformed_are_dns_failures() {
    let dns = Dns::start();
    let name = "web-headless.awx.svc.cluster.local";
    for (fault, kind) in [
        (Fault::ServFail, "servfail"),
        (Fault::Refused, "refused"),
        (Fault::Malformed, "malformed"),
    ] {
        dns.zone().clear_faults();
        dns.zone().set_fault(name, fault);
        let r = dns.hsvc(&[
            "--timeout",
            "300ms",
            "--attempts",
            "1",
            "resolve",
            "web-headless.awx",
            "-o",
            "json",
        ]);
        assert_eq!(r.code, 3, "{fault:?}: {r:?}");
        let doc: ResolveDoc = r.json();
        assert_eq!(doc.error.unwrap().kind, kind, "{fault:?}");
    }
}

#[test]
fn the_next_server_is_asked_when_one_fails() {
    let dns = Dns::start();
    // A closed port: nothing listens there.
    let closed = {
        let s = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        s.local_addr().unwrap().to_string()
    };
    let r = hsvc(&[
        "--server",
        &closed,
        "--server",
        &dns.addr().to_string(),
        "resolve",
        "web-headless.awx",
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    let doc: ResolveDoc = r.json();
    assert_eq!(doc.server, Some(dns.addr().to_string()));
    assert!(doc
        .queries
        .iter()
        .any(|q| q.server == closed && q.error.as_deref() == Some("connection refused")));
}

#[test]
fn control_characters_from_dns_never_reach_the_terminal() {
    let dns = Dns::start();
    for fmt in ["table", "wide", "plain", "json"] {
        let r = dns.hsvc(&["resolve", "svc.evil", "-o", fmt]);
        assert_eq!(r.code, 0, "{fmt}: {r:?}");
        assert!(
            !r.stdout.contains('\u{1b}') && !r.stdout.contains('\u{7}'),
            "{fmt}: {r:?}"
        );
        assert!(!r.stderr.contains('\u{1b}'), "{fmt}: {r:?}");
    }
    let r = dns.hsvc(&["resolve", "svc.evil"]);
    assert!(r.stdout.contains("\\027[31mred"), "{r:?}");
    let r = dns.hsvc(&["resolve", "10.9.9.9", "-o", "plain"]);
    assert!(!r.stdout.contains('\u{1b}'), "{r:?}");
    assert!(r.stdout.starts_with("\\027[31mred"), "{r:?}");
}

#[test]
fn invalid_names_are_rejected_before_any_query() {
    let dns = Dns::start();
    let long = "a".repeat(64);
    let too_long = vec!["abcdefghi"; 26].join(".");
    for bad in [
        "web..awx",
        long.as_str(),
        too_long.as_str(),
        "we b",
        "web\u{1b}x",
        "*.web",
    ] {
        let r = dns.hsvc(&["resolve", bad]);
        assert_eq!(r.code, 2, "{bad:?}: {r:?}");
        assert_eq!(r.stderr.lines().count(), 1, "{bad:?}: {r:?}");
        assert!(r.stderr.starts_with("hsvc: invalid name"), "{r:?}");
        assert!(!r.stderr.contains('\u{1b}'));
    }
    let r = dns.hsvc(&["resolve", "web..awx", "-o", "json"]);
    assert_eq!(r.code, 2);
    let doc: ResolveRejected = r.json();
    assert_eq!(doc.status, "error");
    assert_eq!(doc.error.kind, "invalid_name");
    assert!(dns.zone().query_log().is_empty());
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        vec!["resolve"],
        vec!["--server", "not-an-ip", "resolve", "x"],
        vec!["--timeout", "fast", "resolve", "x"],
        vec!["resolve", "x", "-o", "yaml"],
    ] {
        let r = hsvc(&args);
        assert_eq!(r.code, 2, "{args:?}: {r:?}");
    }
    // No --server and a resolv.conf without nameserver: never a public resolver.
    let r = hsvc(&["resolve", "web.awx"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("no usable nameserver"), "{r:?}");
}

#[test]
fn table_wide_and_plain_outputs() {
    let dns = Dns::start();
    let r = dns.hsvc(&["resolve", "web-headless.awx"]);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["IP", "HOSTNAME", "PORTS", "TTL"]
    );
    assert_eq!(
        lines[1].split_whitespace().collect::<Vec<_>>(),
        ["10.244.194.67", "web-1", "80", "30"]
    );
    assert!(
        lines[4].starts_with("3 endpoints for web-headless.awx.svc.cluster.local."),
        "{r:?}"
    );
    assert!(lines[4].contains(&dns.addr().to_string()));

    let r = dns.hsvc(&["resolve", "web-headless.awx", "-o", "wide"]);
    let header: Vec<&str> = r
        .stdout
        .lines()
        .next()
        .unwrap()
        .split_whitespace()
        .collect();
    assert_eq!(
        header,
        ["IP", "FAMILY", "HOSTNAME", "FQDN", "PORTS", "TTL", "SERVER", "LATENCY"]
    );
    assert!(r
        .stdout
        .contains("web-0.web-headless.awx.svc.cluster.local."));

    let r = dns.hsvc(&["resolve", "web-headless.awx", "-o", "plain"]);
    assert_eq!(r.stdout, web_awx().join("\n") + "\n");
}

#[test]
fn explain_lists_every_query() {
    let dns = Dns::start();
    let r = dns.hsvc(&["resolve", "web-headless.awx", "--explain"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("3 queries sent:"), "{r:?}");
    for t in ["A", "AAAA", "SRV"] {
        assert!(
            r.stdout
                .lines()
                .any(|l| l.split_whitespace().nth(2) == Some(t)),
            "{t}: {r:?}"
        );
    }
}

/// (candidate, result) of each step of the search walk.
fn steps(doc: &ResolveDoc) -> Vec<(String, String)> {
    doc.search
        .as_ref()
        .unwrap()
        .steps
        .iter()
        .map(|s| (s.candidate.clone(), s.result.clone()))
        .collect()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn search_walk_from_another_namespace_finds_the_service() {
    let dns = Dns::start();
    let rc = pod_resolv_conf("default");
    let r = dns.hsvc(&[
        "--resolv-conf",
        rc.to_str().unwrap(),
        "resolve",
        "--search",
        "web-headless.awx",
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    let doc: ResolveDoc = r.json();
    let search = doc.search.as_ref().unwrap();
    assert_eq!(search.resolver, "glibc");
    assert_eq!(search.ndots, 5);
    assert_eq!(
        steps(&doc),
        pairs(&[
            ("web-headless.awx.default.svc.cluster.local.", "nxdomain"),
            ("web-headless.awx.svc.cluster.local.", "answer"),
        ])
    );
    assert_eq!(doc.fqdn, "web-headless.awx.svc.cluster.local.");
    assert_eq!(doc.kind, "service");
    assert_eq!(doc.ips(), web_awx());
    // What went on the wire: A+AAAA per candidate, SRV only for the winner.
    let log = dns.zone().query_log();
    let names: BTreeSet<String> = log.iter().map(|q| q.name.clone()).collect();
    assert_eq!(names.len(), 2);
    assert_eq!(log.len(), 5, "{log:?}");
}

#[test]
fn search_walk_nodata_glibc_continues_musl_stops() {
    let dns = Dns::start();
    let rc = pod_resolv_conf("default");
    let rc = rc.to_str().unwrap();
    // (--resolver, the steps walked); glibc is the default. The last,
    // as-is candidate `awx.` is outside every zone the test server serves:
    // it answers REFUSED, as an upstream might.
    let cases = [
        (
            None,
            &[
                ("awx.default.svc.cluster.local.", "nxdomain"),
                ("awx.svc.cluster.local.", "nodata"),
                ("awx.cluster.local.", "nxdomain"),
                ("awx.", "refused"),
            ][..],
        ),
        (
            Some("musl"),
            &[
                ("awx.default.svc.cluster.local.", "nxdomain"),
                ("awx.svc.cluster.local.", "nodata"),
            ][..],
        ),
    ];
    for (resolver, want) in cases {
        let mut args = vec!["--resolv-conf", rc, "resolve", "--search"];
        if let Some(resolver) = resolver {
            args.extend(["--resolver", resolver]);
        }
        args.extend(["awx", "-o", "json"]);
        let r = dns.hsvc(&args);
        assert_eq!(r.code, 1, "{resolver:?}: {r:?}");
        let doc: ResolveDoc = r.json();
        if let Some(resolver) = resolver {
            assert_eq!(doc.search.as_ref().unwrap().resolver, resolver);
        }
        assert_eq!(steps(&doc), pairs(want), "{resolver:?}");
        assert_eq!(
            doc.status, "nodata",
            "{resolver:?}: glibc reports NO_DATA when any candidate had it, musl stops there"
        );
    }
}

#[test]
fn search_walk_with_many_dots_glibc_vs_musl() {
    let dns = Dns::start();
    let rc = pod_resolv_conf("awx");
    let rc = rc.to_str().unwrap();
    let name = "web-9.web-headless.awx.svc.cluster.local";
    let r = dns.hsvc(&[
        "--resolv-conf",
        rc,
        "resolve",
        "--search",
        name,
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 1, "{r:?}");
    let doc: ResolveDoc = r.json();
    let s = steps(&doc);
    assert_eq!(s.len(), 4, "as is, then the three search domains: {s:?}");
    assert_eq!(s[0], (format!("{name}."), "nxdomain".to_string()));
    assert!(s.iter().all(|(_, r)| r == "nxdomain"));
    assert_eq!(doc.status, "nxdomain");

    let r = dns.hsvc(&[
        "--resolv-conf",
        rc,
        "resolve",
        "--search",
        "--resolver",
        "musl",
        name,
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 1);
    assert_eq!(
        steps(&r.json()),
        pairs(&[(&format!("{name}."), "nxdomain")])
    );

    // A 4-dot name that exists costs four pairs under ndots:5 with glibc…
    let r = dns.hsvc(&[
        "--resolv-conf",
        rc,
        "resolve",
        "--search",
        "web-headless.awx.svc.cluster.local",
        "--explain",
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("found after 4 step(s)"), "{r:?}");
    assert!(r.stdout.contains("9 queries sent:"), "{r:?}");
}

#[test]
fn search_walk_stops_on_a_timeout_then_tries_as_is() {
    let dns = Dns::start();
    dns.zone()
        .set_fault("web.awx.svc.cluster.local", Fault::Drop);
    let rc = pod_resolv_conf("awx");
    let r = dns.hsvc(&[
        "--resolv-conf",
        rc.to_str().unwrap(),
        "--timeout",
        "200ms",
        "--attempts",
        "1",
        "resolve",
        "--search",
        "web",
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 3, "{r:?}");
    let doc: ResolveDoc = r.json();
    assert_eq!(
        steps(&doc),
        pairs(&[
            ("web.awx.svc.cluster.local.", "timeout"),
            ("web.", "refused")
        ])
    );
    assert_eq!(doc.status, "error");
}

#[test]
fn a_pods_localdomain_and_res_options_replace_its_files_values() {
    let dns = Dns::start();
    let rc = pod_resolv_conf("default");
    let rc = rc.to_str().unwrap();
    let walk = |extra: &[&str]| {
        let mut args = vec!["--resolv-conf", rc, "resolve", "--search", "-o", "json"];
        args.extend_from_slice(extra);
        args.push("web-headless");
        dns.hsvc(&args)
    };
    // The pod's LOCALDOMAIN is its search list (glibc).
    let r = walk(&["--localdomain", "awx.svc.cluster.local"]);
    assert_eq!(r.code, 0, "{r:?}");
    let doc: ResolveDoc = r.json();
    let search = doc.search.as_ref().unwrap();
    assert_eq!(search.search, ["awx.svc.cluster.local"]);
    assert_eq!(
        steps(&doc),
        pairs(&[("web-headless.awx.svc.cluster.local.", "answer")])
    );
    assert_eq!(search.getaddrinfo, "ok");
    // RES_OPTIONS' ndots:0 asks the name as is first.
    let r = walk(&["--res-options", "ndots:0"]);
    let doc: ResolveDoc = r.json();
    assert_eq!(doc.search.as_ref().unwrap().ndots, 0);
    assert_eq!(steps(&doc)[0].0, "web-headless.");
    // musl reads neither: a usage error, one line, exit 2.
    let r = walk(&[
        "--resolver",
        "musl",
        "--localdomain",
        "awx.svc.cluster.local",
    ]);
    assert_eq!(r.code, 2, "{r:?}");
    assert_eq!(
        r.stderr.trim(),
        "hsvc: --localdomain and --res-options are glibc's: musl reads neither"
    );
}

#[test]
fn musl_1_2_3_rules_are_selectable() {
    let dns = Dns::start();
    let rc = temp_file(
        "resolv.root-first",
        "search . awx.svc.cluster.local\nnameserver 127.0.0.1\noptions ndots:5\n",
    );
    let rc = rc.to_str().unwrap();
    let run = |resolver: &str| {
        dns.hsvc(&[
            "--resolv-conf",
            rc,
            "resolve",
            "--search",
            "--resolver",
            resolver,
            "-o",
            "json",
            "web-headless",
        ])
    };
    // musl 1.2.3 gives up on the root entry (it never reaches the server).
    let r = run("musl-1.2.3");
    assert_eq!(r.code, 3, "{r:?}");
    let doc: ResolveDoc = r.json();
    let search = doc.search.as_ref().unwrap();
    assert_eq!(search.follows, "musl 1.2.3");
    assert_eq!(search.getaddrinfo, "EAI_AGAIN");
    assert_eq!(steps(&doc), pairs(&[("web-headless..", "malformed_query")]));
    assert!(doc.queries.is_empty());
    assert!(dns.zone().query_log().is_empty());
    // Later musls skip it and find the Service.
    let r = run("musl");
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(
        steps(&r.json()),
        pairs(&[
            ("web-headless..", "skipped"),
            ("web-headless.awx.svc.cluster.local.", "answer")
        ])
    );
}

#[test]
fn an_ipv6_server_over_udp_and_tcp() {
    // Skipped where the machine has no ::1 (IPv6 disabled).
    if std::net::UdpSocket::bind("[::1]:0").is_err() {
        eprintln!("skipped: no ::1 on this machine");
        return;
    }
    let zone = hsvc_cluster::SharedZone::from_cluster(&cluster());
    let srv = hsvc_cluster::spawn_background("[::1]:0".parse().unwrap(), zone).unwrap();
    let addr = srv.addr.to_string();
    assert!(addr.starts_with("[::1]:"), "{addr}");
    for extra in [&[][..], &["--tcp"][..]] {
        let mut args = vec!["--server", addr.as_str()];
        args.extend_from_slice(extra);
        args.extend(["resolve", "db.awx", "-o", "json"]);
        let r = hsvc(&args);
        assert_eq!(r.code, 0, "{extra:?}: {r:?}");
        let doc: ResolveDoc = r.json();
        assert_eq!(doc.server.as_deref(), Some(addr.as_str()));
        assert_eq!(doc.endpoints.len(), 4);
    }
}
