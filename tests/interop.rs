//! Interop and fault suite (issue 7): the real `hsvc` binary against real
//! DNS servers on loopback — BIND 9 serving zones generated from the same
//! `Cluster` model as the expected answers, Knot serving a lagging copy,
//! dnsdist in front of BIND injecting faults by name, and nsupdate scaling
//! a Service while hsvc asks.
//!
//! Each test checks that the servers it needs are installed and otherwise
//! prints a `skipped:` line and passes, so a plain `cargo test` works on a
//! machine without them; CI installs them (bind9 knot dnsdist
//! bind9-dnsutils).

mod common;
mod interop_support;

use std::time::Instant;

use common::{hsvc, Run};
use interop_support::*;

/// The three ways hsvc can ask: UDP with EDNS0 (TC → TCP), UDP without
/// EDNS0 (512-byte answers, TC → TCP), and TCP only.
const TRANSPORTS: &[(&str, &[&str])] = &[
    ("udp", &[]),
    ("udp-no-edns", &["--edns-size", "0"]),
    ("tcp", &["--tcp"]),
];

fn run(server: &Proc, transport: &[&str], args: &[&str]) -> (Run, f64) {
    // Generous per-try timeout: the answers are what is under test here,
    // and the machine may be busy (fault tests set their own).
    let mut all = vec!["--server".to_string(), server.server_arg()];
    if !transport.contains(&"--timeout") && !args.contains(&"--timeout") {
        all.extend(["--timeout".to_string(), "10s".to_string()]);
    }
    all.extend(transport.iter().map(|s| s.to_string()));
    all.extend(args.iter().map(|s| s.to_string()));
    let t0 = Instant::now();
    let r = hsvc(&all);
    (r, t0.elapsed().as_secs_f64() * 1000.0)
}

fn fqdn(name: &str) -> String {
    format!("{name}.svc.cluster.local.")
}

/// Services of 3, 100, 1000, 3000 endpoints, StatefulSet and Deployment,
/// dual-stack, and the spec's example: every endpoint, hostname, port,
/// weight and TTL hsvc reports equals the zone BIND serves, over UDP (with
/// TC then TCP), UDP without EDNS0, and TCP.
#[test]
fn bind_answers_match_the_zone_over_every_transport() {
    if !have("bind_answers_match_the_zone", &[NAMED]) {
        return;
    }
    let cluster = interop_cluster();
    let records = cluster.records();
    let bind = bind(&cluster);
    let names = [
        "web3.interop",
        "web100.interop",
        "web1000.interop",
        "web3000.interop",
        "dep100.interop",
        "dual.interop",
        "dualdep.interop",
        "web-headless.awx",
        "web-headless.default",
        "db.awx",
        "web100-42.web100.interop",
        "dual-3.dual.interop",
        "_http._tcp.web100.interop",
        "_grpc._tcp.dual.interop",
        "_grpc._tcp.dualdep.interop",
        "_postgres._tcp.db.awx",
    ];
    let mut failures = Vec::new();
    let mut figures = Vec::new();
    for (tname, flags) in TRANSPORTS {
        for name in names {
            let (r, ms) = run(&bind, flags, &["resolve", name, "-o", "json"]);
            figures.push(format!("{tname:12} {name:28} {ms:8.1} ms"));
            if r.code != 0 {
                failures.push(format!("{tname} {name}: {r:?}"));
                continue;
            }
            let doc = r.json();
            let want = expected(&records, &fqdn(name));
            assert!(!want.is_empty(), "the oracle knows {name}");
            let got = reported(&doc);
            if got != want {
                let missing: Vec<_> = want.iter().filter(|e| !got.contains(e)).take(3).collect();
                let extra: Vec<_> = got.iter().filter(|e| !want.contains(e)).take(3).collect();
                failures.push(format!(
                    "{tname} {name}: {} endpoints reported, {} in the zone; missing e.g. {missing:?}; unexpected e.g. {extra:?}",
                    got.len(),
                    want.len()
                ));
            }
            if doc["complete"] != true {
                failures.push(format!("{tname} {name}: complete is {}", doc["complete"]));
            }
            let want_transport = if *tname == "tcp" { "tcp" } else { "udp" };
            if *tname == "tcp" && (doc["truncated"] != false || doc["transport"] != want_transport)
            {
                failures.push(format!(
                    "{tname} {name}: truncated {} transport {}",
                    doc["truncated"], doc["transport"]
                ));
            }
        }
    }
    eprintln!(
        "hsvc resolve against BIND (wall time per run):\n{}",
        figures.join("\n")
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// TC handling against BIND: a small answer stays on UDP; a 100-address
/// answer comes back truncated over UDP and is asked again over TCP, with
/// and without EDNS0; `--tcp` never sees TC.
#[test]
fn bind_truncation_is_followed_by_tcp() {
    if !have("bind_truncation_is_followed_by_tcp", &[NAMED]) {
        return;
    }
    let bind = bind(&interop_cluster());
    let (small, _) = run(&bind, &[], &["resolve", "web3.interop", "-o", "json"]);
    let d = small.json();
    assert_eq!(d["truncated"], false, "{small:?}");
    assert_eq!(d["transport"], "udp");
    for flags in [&[][..], &["--edns-size", "0"][..]] {
        let (big, _) = run(&bind, flags, &["resolve", "web100.interop", "-o", "json"]);
        let d = big.json();
        assert_eq!(
            (d["truncated"].clone(), d["retried_tcp"].clone()),
            (true.into(), true.into()),
            "{flags:?} {big:?}"
        );
        assert_eq!(d["transport"], "tcp");
        let a_tries: Vec<&str> = d["queries"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|q| q["purpose"] == "address" && q["type"] == "A")
            .map(|q| q["transport"].as_str().unwrap())
            .collect();
        assert_eq!(
            a_tries,
            ["udp", "tcp"],
            "{flags:?}: the A query went UDP, then TCP"
        );
    }
    let (tcp, _) = run(
        &bind,
        &["--tcp"],
        &["resolve", "web100.interop", "-o", "json"],
    );
    let d = tcp.json();
    assert_eq!(d["truncated"], false);
    assert!(d["queries"]
        .as_array()
        .unwrap()
        .iter()
        .all(|q| q["transport"] == "tcp"));
}

/// PTR for IPv4 and IPv6 pods, StatefulSet and Deployment, and negative
/// answers, over every transport.
#[test]
fn bind_reverse_and_negative_answers() {
    if !have("bind_reverse_and_negative_answers", &[NAMED]) {
        return;
    }
    let cluster = interop_cluster();
    let records = cluster.records();
    let bind = bind(&cluster);
    let mut failures = Vec::new();
    for (tname, flags) in TRANSPORTS {
        for ip in [
            "10.101.0.8",
            "10.102.3.200",
            "10.110.0.5",
            "fd00:120:1::3",
            "fd00:120:2::2",
            "fd00:10:244::13",
        ] {
            let (r, _) = run(&bind, flags, &["resolve", ip, "-o", "json"]);
            let want = expected_ptr(&records, ip.parse().unwrap());
            assert!(!want.is_empty(), "the zone has a PTR for {ip}");
            let doc = r.json();
            let got: Vec<String> = doc["endpoints"][0]["ptr"]
                .as_array()
                .map(|v| v.iter().map(|p| p.as_str().unwrap().to_string()).collect())
                .unwrap_or_default();
            if r.code != 0 || got != want {
                failures.push(format!("{tname} {ip}: want {want:?}, {r:?}"));
            }
        }
        for (name, status) in [
            ("nosuch.interop", "nxdomain"),
            ("web3-3.web3.interop", "nxdomain"),
            ("_http._udp.web3.interop", "nxdomain"),
            ("interop.svc.cluster.local.", "nodata"),
            ("10.99.99.99", "nxdomain"),
        ] {
            let (r, _) = run(&bind, flags, &["resolve", name, "-o", "json"]);
            let doc = r.json();
            if r.code != 1 || doc["status"] != status || doc["rcode"].is_null() {
                failures.push(format!("{tname} {name}: want exit 1 {status}, {r:?}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Namespace `faults`: one 3-pod StatefulSet per fault dnsdist injects.
const FAULTS: &[&str] = &["drop", "slow", "slower", "servfail", "refused", "tc"];

fn fault_cluster() -> hsvc::server::Cluster {
    let mut c = hsvc::server::Cluster::example();
    for (i, name) in FAULTS.iter().enumerate() {
        c = c.with_service(hsvc::server::Service::statefulset(
            "faults",
            name,
            3,
            std::net::Ipv4Addr::new(10, 140, i as u8, 1),
            ("http", 8080),
        ));
    }
    c
}

/// dnsdist in front of BIND with one rule per fault, matched on the
/// Service name (where hsvc asks A, AAAA and SRV).
fn fault_proxy(bind: &Proc) -> Proc {
    let q = |n: &str| format!("{n}.faults.svc.cluster.local.");
    let names: Vec<String> = FAULTS.iter().map(|n| q(n)).collect();
    let actions = [
        "DropAction()",
        "DelayAction(100)",
        "DelayAction(1500)",
        "RCodeAction(DNSRCode.SERVFAIL)",
        "RCodeAction(DNSRCode.REFUSED)",
        "TCAction()",
    ];
    let rules: Vec<Rule<'_>> = names
        .iter()
        .zip(actions)
        .map(|(qname, action)| Rule { qname, action })
        .collect();
    dnsdist(bind, &rules)
}

/// Faults injected by dnsdist, over UDP and TCP: what hsvc answers, its
/// exit code and its JSON error kind.
#[test]
fn dnsdist_faults_give_the_documented_exit_codes() {
    if !have("dnsdist_faults", &[NAMED, DNSDIST]) {
        return;
    }
    let cluster = fault_cluster();
    let records = cluster.records();
    let bind = bind(&cluster);
    let proxy = fault_proxy(&bind);
    let fast = ["--timeout", "300ms", "--attempts", "2"];
    let mut failures = Vec::new();
    let mut figures = Vec::new();
    let mut check = |tname: &str,
                     flags: &[&str],
                     name: &str,
                     want_code: i32,
                     want_kind: Option<&str>| {
        let mut t = flags.to_vec();
        t.extend(fast);
        let (r, ms) = run(
            &proxy,
            &t,
            &["resolve", &format!("{name}.faults"), "-o", "json"],
        );
        figures.push(format!("{tname:4} {name:9} exit {} {ms:7.1} ms", r.code));
        let doc = r.json();
        let kind = doc["error"]["kind"].as_str();
        if r.code != want_code || kind != want_kind {
            failures.push(format!(
                "{tname} {name}: want exit {want_code} kind {want_kind:?}, got exit {} kind {kind:?}\n{r:?}",
                r.code
            ));
            return None;
        }
        if want_code == 0 {
            let want = expected(&records, &fqdn(&format!("{name}.faults")));
            if reported(&doc) != want {
                failures.push(format!(
                    "{tname} {name}: endpoints differ from the zone\n{r:?}"
                ));
            }
        }
        if want_code == 3 && doc["error"]["server"] != proxy.server_arg().as_str() {
            failures.push(format!(
                "{tname} {name}: the error does not name the server\n{r:?}"
            ));
        }
        Some(doc)
    };

    // UDP.
    if let Some(d) = check("udp", &[], "drop", 3, Some("timeout")) {
        let a: Vec<&serde_json::Value> = d["queries"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|q| q["type"] == "A")
            .collect();
        assert_eq!(a.len(), 2, "one try per attempt: {a:?}");
        assert!(a
            .iter()
            .all(|q| q["error"] == "timed out" && q["transport"] == "udp"));
    }
    check("udp", &[], "slow", 0, None);
    check("udp", &[], "slower", 3, Some("timeout"));
    check("udp", &[], "servfail", 3, Some("servfail"));
    check("udp", &[], "refused", 3, Some("refused"));
    if let Some(d) = check("udp", &[], "tc", 0, None) {
        assert_eq!(d["truncated"], true);
        assert_eq!(d["retried_tcp"], true);
        assert_eq!(d["transport"], "tcp");
    }

    // TCP: dnsdist 1.7's DelayAction and TCAction act on UDP only, and a
    // dropped TCP query closes the connection: a network error, not a
    // timeout.
    check("tcp", &["--tcp"], "drop", 3, Some("network"));
    check("tcp", &["--tcp"], "slow", 0, None);
    check("tcp", &["--tcp"], "slower", 0, None);
    check("tcp", &["--tcp"], "servfail", 3, Some("servfail"));
    check("tcp", &["--tcp"], "refused", 3, Some("refused"));
    if let Some(d) = check("tcp", &["--tcp"], "tc", 0, None) {
        assert_eq!(d["truncated"], false);
    }
    eprintln!(
        "hsvc through dnsdist (timeout 300ms x 2):\n{}",
        figures.join("\n")
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Text output of a DNS failure: exit 3 and one stderr line naming the
/// server, nothing on stdout.
#[test]
fn dnsdist_servfail_in_text_output() {
    if !have("dnsdist_servfail_in_text_output", &[NAMED, DNSDIST]) {
        return;
    }
    let bind = bind(&fault_cluster());
    let proxy = fault_proxy(&bind);
    let (r, _) = run(
        &proxy,
        &["--attempts", "1"],
        &["resolve", "servfail.faults"],
    );
    assert_eq!(r.code, 3, "{r:?}");
    assert!(r.stdout.is_empty(), "{r:?}");
    assert!(r.stderr.contains("SERVFAIL"), "{r:?}");
    assert!(r.stderr.contains(&proxy.server_arg()), "{r:?}");
}

/// With a second server, a fault at the first is answered by the second:
/// exit 0, and the document names the server that answered.
#[test]
fn dnsdist_fault_falls_over_to_the_next_server() {
    if !have("dnsdist_fault_falls_over", &[NAMED, DNSDIST]) {
        return;
    }
    let cluster = fault_cluster();
    let records = cluster.records();
    let bind = bind(&cluster);
    let proxy = fault_proxy(&bind);
    for name in ["drop", "servfail", "refused"] {
        let r = hsvc(&[
            "--server",
            &proxy.server_arg(),
            "--server",
            &bind.server_arg(),
            "--timeout",
            "300ms",
            "--attempts",
            "1",
            "resolve",
            &format!("{name}.faults"),
            "-o",
            "json",
        ]);
        assert_eq!(r.code, 0, "{name}: {r:?}");
        let doc = r.json();
        assert_eq!(doc["server"], bind.server_arg().as_str(), "{name}: {r:?}");
        assert_eq!(
            reported(&doc),
            expected(&records, &fqdn(&format!("{name}.faults")))
        );
    }
}
