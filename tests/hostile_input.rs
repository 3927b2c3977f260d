//! Files and flags a script may hand hsvc that must cost a bounded amount:
//! every case ends with one clear line and exit 2, at once.

mod support;

use std::process::Command;
use std::time::Duration;

use support::bin::{hsvc, temp_dir};
use support::cluster::Dns;

fn usage_error(args: &[&str], says: &str) {
    let o = hsvc(args);
    let err = &o.stderr;
    assert_eq!(o.code, 2, "{args:?}: {err}");
    assert!(err.contains(says), "{args:?}: {err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    // Not a timing assertion: a hang or a 2 GB read is what this catches.
    let took = o.elapsed;
    assert!(took < Duration::from_secs(20), "{args:?} took {took:?}");
}

#[test]
fn resolv_conf_is_read_bounded_and_only_if_it_is_a_file() {
    let dir = temp_dir();
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
    let dns = Dns::with(hsvc_cluster::Cluster::example());
    let server = dns.addr().to_string();
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
    let o = hsvc(&with(&["pick", name, "-c", "200000", "-o", "plain"]));
    assert_eq!(o.code, 0);
    assert_eq!(o.stdout.matches('\n').count(), 200_000);
}
