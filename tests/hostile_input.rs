//! Files and flags a script may hand hsvc that must cost a bounded amount:
//! every case ends with one clear line and exit 2, at once.

use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn hsvc(args: &[&str]) -> (Output, Duration) {
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_hsvc"))
        .args(args)
        .env_remove("HSVC_SERVER")
        .env_remove("HSVC_NAMESPACE")
        .output()
        .expect("run hsvc");
    (out, started.elapsed())
}

fn usage_error(args: &[&str], says: &str) {
    let (o, took) = hsvc(args);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    assert!(err.contains(says), "{args:?}: {err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    // Not a timing assertion: a hang or a 2 GB read is what this catches.
    assert!(took < Duration::from_secs(20), "{args:?} took {took:?}");
}

#[test]
fn resolv_conf_is_read_bounded_and_only_if_it_is_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let fifo = fifo.to_str().unwrap();
    let server = ["--server", "127.0.0.1:9"];
    for (path, says) in [
        ("/dev/zero", "larger than 64 KiB"),
        (fifo, "not a regular file"),
        (
            "/nonexistent/resolv.conf",
            "cannot read /nonexistent/resolv.conf",
        ),
        ("/", "not a regular file"),
    ] {
        let mut args = vec!["--resolv-conf", path];
        args.extend(server);
        args.extend(["resolve", "web.awx"]);
        usage_error(&args, says);
    }
}

#[test]
fn keys_are_bounded_and_held_documents_too() {
    let zone = hsvc_cluster::SharedZone::from_cluster(&hsvc_cluster::Cluster::example());
    let dns = hsvc_cluster::spawn_background("127.0.0.1:0".parse().unwrap(), zone).unwrap();
    let server = dns.addr.to_string();
    let base = ["--server", server.as_str(), "--resolv-conf", "/dev/null"];
    let with = |rest: &[&'static str]| -> Vec<&str> {
        base.iter().copied().chain(rest.iter().copied()).collect()
    };
    let name = "web-headless.awx";
    usage_error(
        &with(&["pick", name, "--keys-from", "/dev/zero"]),
        "longer than 64 KiB",
    );
    usage_error(
        &with(&["pick", name, "--keys-from", "/dev/zero", "-o", "jsonl"]),
        "longer than 64 KiB",
    );
    usage_error(
        &with(&["pick", name, "-c", "200000"]),
        "use -o jsonl or -o plain",
    );
    // A stream holds nothing: the same count prints every pick.
    let (o, _) = hsvc(&with(&["pick", name, "-c", "200000", "-o", "plain"]));
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(o.stdout.iter().filter(|&&b| b == b'\n').count(), 200_000);
}
