//! The conventions a Kubernetes (and dig) user expects, over the real
//! binary against the in-process cluster: `-o yaml`, `--no-headers`, one
//! meaning per short flag, `@SERVER`, `-4`/`-6`, `--ndots` and
//! `--search-domain`, SIGTERM ending `watch`, colour through anstream, and
//! the Examples of every `--help`, run as printed against `hsvc demo --serve`.

mod support;

use std::process::Command;

use support::bin::{bin, hsvc, Cmd};
use support::cluster::{pod_resolv_conf, Dns};
use support::schema::{ResolveDoc, WatchEnd, WatchLine};

fn yaml_docs(text: &str) -> Vec<serde_json::Value> {
    use serde::Deserialize;
    serde_yaml_ng::Deserializer::from_str(text)
        .map(|d| {
            serde_json::Value::deserialize(d).unwrap_or_else(|e| panic!("not YAML ({e}):\n{text}"))
        })
        .collect()
}

/// `v` without its timings (`*_ms`), which differ from run to run.
fn untimed(mut v: serde_json::Value) -> serde_json::Value {
    match &mut v {
        serde_json::Value::Object(o) => {
            o.retain(|k, _| !k.ends_with("_ms"));
            for x in o.values_mut() {
                *x = untimed(x.take());
            }
        }
        serde_json::Value::Array(a) => {
            for x in a.iter_mut() {
                *x = untimed(x.take());
            }
        }
        _ => {}
    }
    v
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

// ---------------------------------------------------------------- -o yaml

#[test]
fn yaml_is_the_json_document() {
    let dns = Dns::start();
    for args in [
        &["resolve", "web-headless.awx"][..],
        &["resolve", "db.awx", "--port-name", "postgres"],
        &["diff", "web-headless", "-n", "awx", "-n", "default"],
        &["pick", "web-headless.awx", "-k", "alice", "-k", "bob"],
    ] {
        let j = dns.hsvc(&[args, &["-o", "json"]].concat());
        let y = dns.hsvc(&[args, &["-o", "yaml"]].concat());
        assert_eq!(j.code, y.code, "{args:?}: {y:?}");
        assert!(y.stdout.starts_with("---\n"), "{args:?}: {y:?}");
        let docs = yaml_docs(&y.stdout);
        assert_eq!(docs.len(), 1, "{args:?}: {y:?}");
        let y_text = &y.stdout;
        let (j, y) = (untimed(json(&j.stdout)), &untimed(docs[0].clone()));
        assert_eq!(y["schema"], j["schema"], "{args:?}");
        // Everything but timings is the same document.
        for key in [
            "endpoints",
            "sources",
            "picks",
            "members",
            "entries",
            "status",
            "summary",
        ] {
            assert_eq!(y.get(key), j.get(key), "{args:?}: {key}");
        }
        // Fields keep the document's order: `schema` first.
        assert!(
            y_text.starts_with("---\nschema: hsvc."),
            "{args:?}: {y_text}"
        );
    }
}

#[test]
fn yaml_streams_one_document_per_event_and_is_terminal_safe() {
    let dns = Dns::start();
    let r = dns.hsvc(&[
        "watch",
        "web-headless.awx",
        "svc.evil",
        "-c",
        "2",
        "--interval",
        "100ms",
        "-o",
        "yaml",
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    let docs = yaml_docs(&r.stdout);
    assert!(docs.len() >= 3, "two initial sets and the end: {r:?}");
    assert!(docs.iter().all(|d| d["schema"] == "hsvc.watch/v1"), "{r:?}");
    assert_eq!(docs.last().unwrap()["event"], "end", "{r:?}");
    // svc.evil's pod hostname carries ESC and BEL: never raw on stdout.
    let evil = dns.hsvc(&["resolve", "svc.evil", "-o", "yaml"]);
    assert_eq!(evil.code, 0, "{evil:?}");
    assert!(evil.stdout.contains("red"), "{evil:?}");
    for out in [&r.stdout, &evil.stdout] {
        assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out}");
    }
}

// ---------------------------------------------------------------- --no-headers

#[test]
fn no_headers_drops_only_the_header_line() {
    let dns = Dns::start();
    for args in [
        &["resolve", "web-headless.awx"][..],
        &["resolve", "web-headless.awx", "-o", "wide"],
        &["diff", "web-headless", "-n", "awx", "-n", "default"],
        &["pick", "web-headless.awx", "-c", "3"],
    ] {
        let with = dns.hsvc(args);
        let without = dns.hsvc(&[args, &["--no-headers"]].concat());
        assert_eq!(with.code, without.code, "{args:?}");
        // The summary line carries a latency: not compared.
        let timed = |l: &&str| !l.contains(" ms");
        let w: Vec<&str> = with.stdout.lines().filter(timed).collect();
        let wo: Vec<&str> = without.stdout.lines().filter(timed).collect();
        let header = w
            .iter()
            .position(|l| l.starts_with("IP ") || l.starts_with("ENDPOINT") || l.starts_with('#'))
            .unwrap_or_else(|| panic!("{args:?}: no header in {with:?}"));
        let mut expected = w.clone();
        expected.remove(header);
        assert_eq!(wo, expected, "{args:?}");
    }
}

// ---------------------------------------------------------------- short flags

#[test]
fn short_flags_mean_one_thing_in_every_command() {
    let dns = Dns::start();
    // -p is --port and -c --count, in pick as elsewhere.
    let r = dns.hsvc(&[
        "pick",
        "web-headless.awx",
        "-p",
        "80",
        "-c",
        "2",
        "-o",
        "plain",
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.stdout.lines().count(), 2, "{r:?}");
    assert!(r.stdout.lines().all(|l| l.ends_with(":80")), "{r:?}");
    // -j is check's concurrency (api.shop's pods are loopback addresses).
    let r = dns.hsvc(&[
        "check",
        "api.shop",
        "-j",
        "2",
        "-p",
        "8080",
        "--connect-timeout",
        "300ms",
        "-o",
        "json",
    ]);
    assert!(r.code == 0 || r.code == 1, "{r:?}");
    assert_eq!(json(&r.stdout)["concurrency"], 2, "{r:?}");
    // The old meanings are gone, with a usage error rather than a surprise.
    for bad in [
        &["pick", "web-headless.awx", "-p", "maglev"][..],
        &["pick", "web-headless.awx", "-w", "web-0=5"],
        &["check", "api.shop", "-c", "8"],
    ] {
        let r = dns.hsvc(bad);
        assert_eq!(r.code, 2, "{bad:?}: {r:?}");
    }
    // The long flags are unchanged.
    let r = dns.hsvc(&[
        "pick",
        "web-headless.awx",
        "--policy",
        "weighted",
        "--weight",
        "web-0=3",
        "--count",
        "4",
        "-o",
        "plain",
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.stdout.lines().count(), 4, "{r:?}");
}

// ---------------------------------------------------------------- @SERVER, -4/-6

#[test]
fn at_server_is_server() {
    let dns = Dns::start();
    let addr = dns.addr().to_string();
    let at = format!("@{addr}");
    let by_flag: ResolveDoc = hsvc(&[
        "--server",
        &addr,
        "resolve",
        "web-headless.awx",
        "-o",
        "json",
    ])
    .json();
    for args in [
        vec!["resolve", "web-headless.awx", at.as_str(), "-o", "json"],
        vec!["resolve", at.as_str(), "web-headless.awx", "-o", "json"],
        vec!["-o", "json", "resolve", "web-headless.awx", at.as_str()],
    ] {
        let r = hsvc(&args);
        assert_eq!(r.code, 0, "{args:?}: {r:?}");
        let doc: ResolveDoc = r.json();
        assert_eq!(doc.ips(), by_flag.ips(), "{args:?}");
        assert_eq!(doc.server.as_deref(), Some(addr.as_str()), "{args:?}");
    }
    // pick and check take it too; diff and watch take several.
    let r = hsvc(&["pick", "web-headless.awx", &at, "-o", "plain"]);
    assert_eq!(r.code, 0, "{r:?}");
    let other = Dns::start();
    let at2 = format!("@{}", other.addr());
    let r = hsvc(&["diff", "web-headless.awx", &at, &at2, "-o", "json"]);
    assert_eq!(r.code, 0, "two servers of one cluster agree: {r:?}");
    assert_eq!(
        json(&r.stdout)["sources"].as_array().unwrap().len(),
        2,
        "{r:?}"
    );
    // @[v6]:port is a server, not a name (nothing listens there: exit 3,
    // the server named).
    let r = hsvc(&[
        "resolve",
        "web-headless.awx",
        "@[::1]:9",
        "--timeout",
        "200ms",
        "--attempts",
        "1",
    ]);
    assert_eq!(r.code, 3, "{r:?}");
    assert!(r.stderr.contains("[::1]:9"), "{r:?}");
    // Bad uses are usage errors.
    for bad in [
        &["resolve", "@not a server", "web-headless.awx"][..],
        &["resolve", &at],
        &["resolve", "a.awx", "b.awx", &at],
        &["diff", &at],
    ] {
        let r = hsvc(bad);
        assert_eq!(r.code, 2, "{bad:?}: {r:?}");
        assert_eq!(r.stderr.lines().count(), 1, "{bad:?}: {r:?}");
    }
}

#[test]
fn one_address_family() {
    let dns = Dns::start();
    let both: ResolveDoc = dns.hsvc(&["resolve", "db.awx", "-o", "json"]).json();
    let ips = both.ips();
    assert!(
        ips.iter().any(|i| i.contains(':')) && ips.iter().any(|i| i.contains('.')),
        "db.awx is dual-stack: {ips:?}"
    );
    for (flag, v6) in [
        ("-4", false),
        ("-6", true),
        ("--ipv4", false),
        ("--ipv6", true),
    ] {
        let r = dns.hsvc(&["resolve", "db.awx", flag, "-o", "json"]);
        assert_eq!(r.code, 0, "{r:?}");
        let doc: ResolveDoc = r.json();
        let want: Vec<String> = ips
            .iter()
            .filter(|i| i.contains(':') == v6)
            .cloned()
            .collect();
        assert_eq!(doc.ips(), want, "{flag}");
        let r = dns.hsvc(&["pick", "db.awx", flag, "-c", "4", "-o", "plain"]);
        assert_eq!(r.code, 0, "{r:?}");
        assert!(
            r.stdout.lines().all(|l| l.starts_with('[') == v6),
            "{flag}: {r:?}"
        );
    }
    // An IPv4-only Service under -6: nothing of that family, exit 1 (NODATA).
    let r = dns.hsvc(&["resolve", "web-headless.awx", "-6", "-o", "json"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert_eq!(r.json::<ResolveDoc>().status, "nodata", "{r:?}");
    // check probes no pod of the other family (api.shop's are IPv4 only).
    let r = dns.hsvc(&["check", "api.shop", "-6", "-o", "json"]);
    assert_eq!(r.code, 1, "{r:?}");
    let r = dns.hsvc(&["resolve", "db.awx", "-4", "-6"]);
    assert_eq!(r.code, 2, "{r:?}");
}

// ---------------------------------------------------------------- --ndots, --search-domain

#[test]
fn search_flags_replay_a_pods_resolv_conf() {
    let dns = Dns::start();
    let rc = pod_resolv_conf("awx");
    let server = dns.addr().to_string();
    let walk = |extra: &[&str]| -> serde_json::Value {
        let mut args = vec!["--server", server.as_str()];
        args.extend_from_slice(extra);
        args.extend(["resolve", "--search", "web-headless", "-o", "json"]);
        let r = hsvc(&args);
        assert_eq!(r.code, 0, "{args:?}: {r:?}");
        let mut v = json(&r.stdout);
        let steps: Vec<serde_json::Value> = v["search"]["steps"]
            .as_array()
            .unwrap_or_else(|| panic!("no search steps: {r:?}"))
            .iter()
            .map(|s| serde_json::json!({"candidate": s["candidate"], "replies": s["replies"]}))
            .collect();
        v["search"]["steps"] = steps.into();
        serde_json::json!({"steps": v["search"]["steps"], "ips": v["endpoints"], "fqdn": v["fqdn"]})
    };
    let from_file = walk(&["--resolv-conf", rc.as_str()]);
    let from_flags = walk(&[
        "--ndots",
        "5",
        "--search-domain",
        "awx.svc.cluster.local",
        "--search-domain",
        "svc.cluster.local",
        "--search-domain",
        "cluster.local",
    ]);
    assert_eq!(from_flags, from_file);
    assert_eq!(from_flags["fqdn"], "web-headless.awx.svc.cluster.local.");
    // ndots 0 asks the name as it is first: another walk, so the flags matter.
    let ndots0 = walk(&["--ndots", "0", "--search-domain", "awx.svc.cluster.local"]);
    assert_ne!(ndots0["steps"], from_file["steps"]);
    // The flags override the file's lines.
    let over = walk(&[
        "--resolv-conf",
        rc.as_str(),
        "--search-domain",
        "default.svc.cluster.local",
    ]);
    assert_eq!(over["fqdn"], "web-headless.default.svc.cluster.local.");
    for bad in [
        &["--search-domain", "not a domain", "resolve", "x"][..],
        &["--ndots", "16", "resolve", "x"],
        &["--resolv-conf", "/nonexistent/resolv.conf", "resolve", "x"],
    ] {
        let r = dns.hsvc(bad);
        assert_eq!(r.code, 2, "{bad:?}: {r:?}");
    }
}

// ---------------------------------------------------------------- SIGTERM

#[test]
fn sigterm_ends_watch_with_its_summary() {
    let dns = Dns::start();
    let server = dns.addr().to_string();
    let mut w = Cmd::new(&[
        "--server",
        &server,
        "watch",
        "web-headless.awx",
        "--interval",
        "100ms",
        "-o",
        "jsonl",
    ])
    .spawn();
    let first = w.line();
    assert!(first.contains("hsvc.watch/v1"), "{first}");
    let ok = Command::new("kill")
        .args(["-TERM", &w.pid().to_string()])
        .status()
        .expect("run kill");
    assert!(ok.success());
    let mut last = first;
    while let Some(l) = w.next_line() {
        last = l;
    }
    let (code, stderr) = w.wait();
    assert_eq!(code, 0, "{stderr}");
    let end: WatchLine = support::schema::parse(&last);
    let WatchLine::End(WatchEnd { reason, .. }) = end else {
        panic!("the last line is not the end: {last}")
    };
    assert_eq!(reason, "interrupted");
}

// ---------------------------------------------------------------- colour

fn colored(s: &str) -> bool {
    s.contains('\u{1b}')
}

#[test]
fn colour_follows_the_flag_and_the_environment() {
    let dns = Dns::start();
    let server = dns.addr().to_string();
    let table = |color: Option<&str>, env: &[(&str, &str)]| {
        let mut args = vec!["--server", server.as_str(), "resolve", "web-headless.awx"];
        if let Some(c) = color {
            args.extend(["--color", c]);
        }
        let mut cmd = Cmd::new(&args)
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE");
        for (k, v) in env {
            cmd = cmd.env(k, v);
        }
        let r = cmd.run();
        assert_eq!(r.code, 0, "{r:?}");
        r.stdout
    };
    assert!(colored(&table(Some("always"), &[])));
    assert!(!colored(&table(None, &[])), "a pipe gets no colour");
    assert!(colored(&table(None, &[("CLICOLOR_FORCE", "1")])));
    assert!(!colored(&table(
        None,
        &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]
    )));
    assert!(!colored(&table(Some("never"), &[("CLICOLOR_FORCE", "1")])));
    // clap's own help and errors get the same choice.
    let clap_out = |args: &[&str], env: &[(&str, &str)]| {
        let mut cmd = Cmd::new(args).env_remove("NO_COLOR");
        for (k, v) in env {
            cmd = cmd.env(k, v);
        }
        let r = cmd.run();
        format!("{}{}", r.stdout, r.stderr)
    };
    assert!(colored(&clap_out(
        &["--color", "always", "resolve", "--help"],
        &[]
    )));
    assert!(!colored(&clap_out(
        &["--color", "never", "resolve", "--help"],
        &[("CLICOLOR_FORCE", "1")]
    )));
    assert!(!colored(&clap_out(
        &["resolve", "--help", "--color=never"],
        &[("CLICOLOR_FORCE", "1")]
    )));
    assert!(!colored(&clap_out(
        &["--color", "never", "resolve", "--bogus"],
        &[("CLICOLOR_FORCE", "1")]
    )));
    // On a terminal (script(1) gives one), TERM=dumb turns `auto` off.
    let rc = support::bin::temp_file("resolv.conf", "# no nameserver\n");
    let tty = |term: &str, env: &[(&str, &str)]| {
        let line = format!(
            "{} --server {server} --resolv-conf {} resolve web-headless.awx",
            bin().display(),
            rc.as_str()
        );
        let out = Command::new("script")
            .args(["-qec", &line, "/dev/null"])
            .env("TERM", term)
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE")
            // anstream lets CLICOLOR=1 or a CI variable colour a dumb
            // terminal: the run's own environment must not decide.
            .env_remove("CLICOLOR")
            .env_remove("CI")
            .envs(env.iter().copied())
            .output()
            .expect("run script(1)");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let on_tty = tty("xterm", &[]);
    assert!(on_tty.contains("web-0"), "{on_tty}");
    assert!(colored(&on_tty), "{on_tty}");
    let dumb = tty("dumb", &[]);
    assert!(dumb.contains("web-0"), "{dumb}");
    assert!(!colored(&dumb), "{dumb}");
    // CLICOLOR=0 turns a capable terminal off; CI=true turns a dumb one on
    // (anstream's rule, which clap's help follows too).
    let off = tty("xterm", &[("CLICOLOR", "0")]);
    assert!(off.contains("web-0") && !colored(&off), "{off}");
    let ci = tty("dumb", &[("CI", "true")]);
    assert!(ci.contains("web-0") && colored(&ci), "{ci}");
}

// ---------------------------------------------------------------- --help

#[test]
fn help_has_headings_and_examples() {
    let r = hsvc(&["resolve", "--help"]);
    assert_eq!(r.code, 0);
    let h = &r.stdout;
    let own = h.find("--port-name <NAME>").expect("resolve's own options");
    let dns = h.find("DNS options:").expect("DNS options heading");
    let output = h.find("Output options:").expect("Output options heading");
    assert!(own < dns && own < output, "{h}");
    assert!(h[dns..].contains("--server"), "{h}");
    assert!(h.contains("Examples"), "{h}");
    for sub in ["demo", "completions"] {
        let r = hsvc(&[sub, "--help"]);
        assert_eq!(r.code, 0, "{r:?}");
        for hidden in [
            "--server",
            "--resolv-conf",
            "--timeout",
            "DNS options",
            "--kubeconfig",
        ] {
            assert!(
                !r.stdout.contains(hidden),
                "{sub} --help lists {hidden}:\n{}",
                r.stdout
            );
        }
        assert!(r.stdout.contains("Examples"), "{sub}");
    }
}

/// Every `  hsvc …` line of the Examples of resolve, pick, check, diff and
/// watch runs as printed against `hsvc demo --serve` (on a free port
/// instead of 5353), and ends 0 or 1: never a usage error or a failure.
#[cfg(feature = "demo")]
#[test]
fn every_example_runs_against_the_demo() {
    // Port 0: the demo says which port it got.
    let dir = support::bin::temp_dir();
    let state = dir.path().join("state");
    let mut demo = Cmd::new(&[
        "demo",
        "--serve",
        "--listen",
        "127.0.0.1:0",
        "--api-port",
        "0",
        "--proxy-port",
        "0",
        "--dir",
        state.to_str().unwrap(),
    ])
    .spawn();
    let banner = demo.line();
    let listen = banner
        .strip_prefix("cluster DNS on ")
        .and_then(|r| r.split_whitespace().next())
        .unwrap_or_else(|| panic!("{banner}"))
        .to_string();
    let mut ran = 0;
    for (sub, text) in [
        ("resolve", hsvc::cli::examples::RESOLVE),
        ("pick", hsvc::cli::examples::PICK),
        ("check", hsvc::cli::examples::CHECK),
        ("diff", hsvc::cli::examples::DIFF),
        ("watch", hsvc::cli::examples::WATCH),
    ] {
        let help = hsvc(&[sub, "--help"]).stdout;
        for line in text.lines().filter_map(|l| l.strip_prefix("  hsvc ")) {
            assert!(help.contains(line), "{sub} --help shows {line}");
            let line = line.replace("127.0.0.1:5353", &listen);
            let args: Vec<&str> = line.split_whitespace().collect();
            let r = hsvc(&args);
            assert!(r.code == 0 || r.code == 1, "hsvc {line}: {r:?}");
            ran += 1;
        }
    }
    assert!(ran >= 12, "{ran} examples");
}
