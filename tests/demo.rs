//! `hsvc demo`: the guided tour (the README's first command) and the
//! serve-only modes, through the real binary.

mod support;

use hsvc_balance::pick::{Member, MemberSet, Picker, Rendezvous};
use support::bin::{hsvc, temp_file, Cmd, Spawned};
use support::schema::ResolveDoc;

#[test]
fn the_tour_runs_every_command_and_checks_itself() {
    let r = hsvc(&["demo", "--listen", "127.0.0.1:0"]);
    assert_eq!(r.code, 0, "{r:?}");
    let out = &r.stdout;
    for cmd in [
        "resolve web-headless.awx",
        "resolve --search web-headless.awx --explain",
        "resolve web-9.web-headless.awx",
        "diff web-headless -n awx -n default",
        "pick web-headless.awx --key alice",
        "watch web-headless.awx --interval 500ms --count 4",
        "check api.shop --http /healthz",
    ] {
        assert!(
            out.lines()
                .any(|l| l.starts_with("$ hsvc --server 127.0.0.1:") && l.contains(cmd)),
            "step `{cmd}` missing:\n{out}"
        );
    }
    assert!(
        out.contains("3 endpoints for web-headless.awx.svc.cluster.local."),
        "{out}"
    );
    assert!(
        out.contains("found after 2 step(s): web-headless.awx.svc.cluster.local."),
        "{out}"
    );
    assert!(out.contains("NXDOMAIN: the name does not exist"), "{out}");
    assert!(
        out.contains("3 only in web-headless.awx, 3 only in web-headless.default"),
        "{out}"
    );
    // The watch saw the scale-up: three pods added, each once.
    let added: Vec<&str> = out.lines().filter(|l| l.contains(" added ")).collect();
    assert_eq!(added.len(), 3, "{out}");
    for host in ["web-3", "web-4", "web-5"] {
        assert_eq!(
            added.iter().filter(|l| l.contains(host)).count(),
            1,
            "{host}: {out}"
        );
    }
    // The keys that moved are exactly those rendezvous hashing moves from
    // web-0..2 to web-0..5.
    let set =
        |n: usize| MemberSet::new((0..n).map(|i| Member::new(format!("web-{i}"), 1)).collect());
    let (before, after) = (set(3), set(6));
    let (rb, ra) = (Rendezvous::new(&before), Rendezvous::new(&after));
    let keys = ["alice", "bob", "carol", "dave", "erin", "frank"];
    let moved: Vec<String> = keys
        .iter()
        .filter_map(|k| {
            let b = &before.members()[rb.pick_key(k.as_bytes()).unwrap()].id;
            let a = &after.members()[ra.pick_key(k.as_bytes()).unwrap()].id;
            (a != b).then(|| format!("{k}: {b} → {a}"))
        })
        .collect();
    let line = format!(
        "moved {} of 6 keys{}{}",
        moved.len(),
        if moved.is_empty() { "" } else { ": " },
        moved.join(", ")
    );
    assert!(out.contains(&line), "expected `{line}`:\n{out}");
    assert!(out.contains("1 of 3 healthy (need 3)"), "{out}");
    // Through the stand-in API: each CoreDNS replica a column, the lagging one named.
    assert!(
        out.contains("--server kube diff web-headless.awx")
            && out.contains("1 only in coredns-5d78c9869d-abcde"),
        "{out}"
    );
    for result in ["http 200", "http 503", "refused"] {
        assert!(out.contains(result), "{result}: {out}");
    }
    assert!(
        out.trim_end()
            .ends_with("Tour done: every step behaved as expected."),
        "{out}"
    );
}

/// Starts `hsvc demo ARGS`, returns the child (killed when dropped) and
/// the address it serves on.
fn serve(args: &[&str]) -> (Spawned, String) {
    let mut all = vec!["demo", "--listen", "127.0.0.1:0"];
    all.extend_from_slice(args);
    let mut child = Cmd::new(&all).spawn();
    let first = child.line();
    let addr = first
        .split_whitespace()
        .find(|w| w.starts_with("127.0.0.1:"))
        .unwrap_or_else(|| panic!("no address in {first:?}"))
        .to_string();
    (child, addr)
}

#[test]
fn serve_answers_until_stopped() {
    let (child, addr) = serve(&["--serve"]);
    let r = hsvc(&[
        "--server",
        &addr,
        "resolve",
        "web-headless.awx",
        "-o",
        "plain",
    ]);
    drop(child);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.stdout, "10.244.194.67\n10.244.217.10\n10.244.217.11\n");
}

#[test]
fn serve_a_users_zone_file() {
    let zone = temp_file(
        "user.zone",
        "$ORIGIN cluster.local.\n$TTL 5\n\
         @ IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 1 7200 1800 86400 5\n\
         api.shop.svc IN A 10.1.2.3\napi.shop.svc IN A 10.1.2.4\n\
         api-0.api.shop.svc IN A 10.1.2.3\napi-1.api.shop.svc IN A 10.1.2.4\n\
         api.shop.svc IN SRV 0 50 8443 api-0.api.shop.svc.cluster.local.\n\
         api.shop.svc IN SRV 0 50 8443 api-1.api.shop.svc.cluster.local.\n",
    );
    let (child, addr) = serve(&["--zone", zone.as_str()]);
    let r = hsvc(&["--server", &addr, "resolve", "api.shop", "-o", "json"]);
    drop(child);
    assert_eq!(r.code, 0, "{r:?}");
    let doc: ResolveDoc = r.json();
    assert_eq!(doc.ips(), ["10.1.2.3", "10.1.2.4"]);
    assert_eq!(doc.endpoints[1].hostname.as_deref(), Some("api-1"));
    assert_eq!(doc.endpoints[1].ports[0].port, 8443);
    assert_eq!(doc.ttl, Some(5));

    let bad = temp_file("bad.zone", "this is not a zone\n");
    let r = hsvc(&[
        "demo",
        "--zone",
        bad.to_str().unwrap(),
        "--listen",
        "127.0.0.1:0",
    ]);
    assert_eq!(r.code, 2, "{r:?}");
}
