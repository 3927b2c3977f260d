//! `hsvc demo`: the guided tour (the README's first command) and the
//! serve-only modes, through the real binary.

mod support;

use hsvc_balance::pick::{Member, MemberSet, Picker, Rendezvous};
use support::bin::{hsvc, temp_file, Cmd, Spawned};
use support::schema::ResolveDoc;

/// The demo's pods listen on fixed addresses of the model (127.77.0.1:8080,
/// …): two demos at once would take each other's, so these tests take turns.
static ONE_DEMO: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_demo() -> std::sync::MutexGuard<'static, ()> {
    ONE_DEMO
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[test]
fn the_tour_runs_every_command_and_checks_itself() {
    let _one = one_demo();
    let r = hsvc(&["demo", "--listen", "127.0.0.1:0"]);
    assert_eq!(r.code, 0, "{r:?}");
    let out = &r.stdout;
    let mut steps = vec![
        "resolve web-headless.awx",
        "resolve --search web-headless.awx --explain",
        "resolve web-9.web-headless.awx",
        "diff web-headless -n awx -n default",
        "pick web-headless.awx --key alice",
        "watch web-headless.awx --interval 500ms --count 4",
        "check api.shop --http /healthz",
    ];
    if cfg!(feature = "api") {
        steps.extend([
            "ls -A",
            "resolve web-headless.awx --source api",
            "verify web-headless.awx",
        ]);
    }
    for cmd in steps {
        assert!(
            out.lines()
                .any(|l| l.starts_with("$ hsvc ") && l.contains(cmd)),
            "step `{cmd}` missing:\n{out}"
        );
    }
    // The environment every step runs with is printed once, and is loopback.
    assert!(out.contains("export HSVC_SERVER=127.0.0.1:"), "{out}");
    // web-2 is not ready and web-3 terminating: two endpoints.
    assert!(
        out.contains("2 endpoints for web-headless.awx.svc.cluster.local."),
        "{out}"
    );
    assert!(
        out.contains("found after 2 step(s): web-headless.awx.svc.cluster.local."),
        "{out}"
    );
    // The step about exit codes shows its exit code.
    let nx = out
        .find("NXDOMAIN: the name does not exist")
        .expect("NXDOMAIN step");
    assert!(out[nx..].lines().nth(1) == Some("(exit 1)"), "{out}");
    assert!(
        out.contains("2 only in web-headless.awx, 3 only in web-headless.default"),
        "{out}"
    );
    if cfg!(feature = "api") {
        assert!(out.contains("not ready: correctly absent"), "{out}");
        assert!(out.contains("terminating: correctly absent"), "{out}");
        // The frozen replica is named as the one that differs.
        assert!(
            out.contains("awx/web-headless at 127.244.0.3:") && out.contains(": differs"),
            "{out}"
        );
        assert!(
            out.contains("ready in the API but missing from DNS"),
            "{out}"
        );
    }
    // The watch saw the scale-up: two pods added, each once.
    let added: Vec<&str> = out.lines().filter(|l| l.contains(" added ")).collect();
    assert_eq!(added.len(), 2, "{out}");
    for host in ["web-4", "web-5"] {
        assert_eq!(
            added.iter().filter(|l| l.contains(host)).count(),
            1,
            "{host}: {out}"
        );
    }
    // The keys that moved are exactly those rendezvous hashing moves from
    // web-0..2 (web-2 made ready by the API steps) to web-0..2 + web-4, web-5
    // (web-3 is still terminating).
    let set = |names: &[&str]| {
        MemberSet::new(
            names
                .iter()
                .map(|n| Member::new(n.to_string(), 1))
                .collect(),
        )
    };
    let before_names: &[&str] = if cfg!(feature = "api") {
        &["web-0", "web-1", "web-2"]
    } else {
        &["web-0", "web-1"]
    };
    let mut after_names = before_names.to_vec();
    after_names.extend(["web-4", "web-5"]);
    let (before, after) = (set(before_names), set(&after_names));
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
    // Nothing but loopback addresses anywhere in the tour.
    for word in out.split(|c: char| c.is_whitespace() || c == ',' || c == '(' || c == ')') {
        let host = word.rsplit_once(':').map_or(word, |(h, _)| h);
        if let Ok(ip) = host.parse::<std::net::IpAddr>() {
            assert!(ip.is_loopback(), "{ip} in the tour:\n{out}");
        }
    }
    assert!(
        out.trim_end()
            .ends_with("Tour done: every step behaved as expected."),
        "{out}"
    );
}

/// Starts `hsvc demo ARGS` on free ports, returns the child (killed when
/// dropped), the DNS address and the whole banner.
fn serve(args: &[&str]) -> (Spawned, String, String) {
    let mut all = vec!["demo", "--listen", "127.0.0.1:0"];
    all.extend_from_slice(args);
    let mut child = Cmd::new(&all).spawn();
    let first = child.line();
    let addr = first
        .split_whitespace()
        .find(|w| w.starts_with("127.0.0.1:"))
        .unwrap_or_else(|| panic!("no address in {first:?}"))
        .to_string();
    let mut banner = first;
    while !banner.contains("Ctrl-C stops it.") {
        match child.try_line(std::time::Duration::from_secs(10)) {
            Some(l) => banner.push_str(&l),
            None => break,
        }
    }
    (child, addr, banner)
}

#[test]
fn serve_answers_until_stopped() {
    let _one = one_demo();
    let dir = support::bin::temp_dir();
    let d = dir.path().join("state");
    let (child, addr, banner) = serve(&[
        "--serve",
        "--api-port",
        "0",
        "--proxy-port",
        "0",
        "--dir",
        d.to_str().unwrap(),
    ]);
    let r = hsvc(&[
        "--server",
        &addr,
        "resolve",
        "web-headless.awx",
        "-o",
        "plain",
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.stdout, "127.244.194.67\n127.244.217.10\n");
    // The pods listen for the whole serve: check reaches both ready pods.
    let r = hsvc(&["--server", &addr, "check", "web-headless.awx"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("2 of 2 healthy"), "{r:?}");
    // The printed files exist and work: the kubeconfig for the API, the
    // resolv.conf for a pod's search walk.
    let kubeconfig = d.join("kubeconfig");
    let resolv = d.join("pod-resolv.conf");
    assert!(banner.contains(kubeconfig.to_str().unwrap()), "{banner}");
    assert!(banner.contains(resolv.to_str().unwrap()), "{banner}");
    let r = hsvc(&[
        "--server",
        &addr,
        "--resolv-conf",
        resolv.to_str().unwrap(),
        "resolve",
        "--search",
        "web-headless",
        "-o",
        "plain",
    ]);
    // The pod is in namespace default: its walk finds web-headless.default first.
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.stdout, "127.244.100.1\n127.244.100.2\n127.244.100.3\n");
    if cfg!(feature = "api") {
        let r = hsvc(&["--kubeconfig", kubeconfig.to_str().unwrap(), "ls", "-A"]);
        assert_eq!(r.code, 0, "{r:?}");
        assert!(r.stdout.contains("web-headless"), "{r:?}");
    }
    // SIGTERM stops it like Ctrl-C and removes what it wrote.
    child.terminate();
    let (code, _) = child.wait();
    assert_eq!(code, 0);
    assert!(!kubeconfig.exists() && !resolv.exists() && !d.exists());
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
    let (child, addr, _) = serve(&["--zone", zone.as_str()]);
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
