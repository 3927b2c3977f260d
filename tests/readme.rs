//! Every `$ hsvc …` example in README.md's ```console blocks runs as
//! printed against the in-process cluster DNS (standing in for
//! `hsvc demo --serve` on 127.0.0.1:5353) and prints what the README shows.
//! Latencies are masked; a line `…` in the README ends the comparison.

mod support;

use support::bin::{temp_dir, Cmd};
use support::cluster::Dns;

fn mask(s: &str) -> String {
    // "0.61 ms", "12.3 ms", "1520 ms" -> "<ms>"
    let mut out = String::new();
    for line in s.lines() {
        let words: Vec<&str> = line.split(' ').collect();
        let mut i = 0;
        let mut parts = Vec::new();
        while i < words.len() {
            if i + 1 < words.len()
                && words[i + 1].starts_with("ms")
                && words[i].parse::<f64>().is_ok()
            {
                parts.push(format!("<ms>{}", &words[i + 1][2..]));
                i += 2;
            } else {
                parts.push(words[i].to_string());
                i += 1;
            }
        }
        out.push_str(parts.join(" ").trim_end());
        out.push('\n');
    }
    out
}

#[test]
fn readme_examples_run_as_printed() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let dns = Dns::start();
    let addr = dns.addr().to_string();
    let dir = temp_dir();
    std::fs::write(
        dir.path().join("pod-resolv.conf"),
        "search awx.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n",
    )
    .unwrap();

    let mut examples = 0;
    let mut in_console = false;
    let mut current: Option<(String, Vec<String>)> = None;
    let mut all = Vec::new();
    for line in readme.lines() {
        if line.starts_with("```") {
            if let Some(c) = current.take() {
                all.push(c);
            }
            in_console = line == "```console";
            continue;
        }
        if !in_console {
            continue;
        }
        if let Some(cmd) = line.strip_prefix("$ ") {
            if let Some(c) = current.take() {
                all.push(c);
            }
            current = Some((cmd.to_string(), Vec::new()));
        } else if let Some((_, out)) = current.as_mut() {
            out.push(line.to_string());
        }
    }
    for (cmd, expected) in all {
        let words: Vec<String> = cmd
            .split_whitespace()
            .map(|w| w.replace("127.0.0.1:5353", &addr))
            .collect();
        assert_eq!(
            words[0], "hsvc",
            "README example does not start with hsvc: {cmd}"
        );
        let mut args = vec!["--resolv-conf".to_string(), "/dev/null".to_string()];
        let rest: Vec<String> = words[1..].to_vec();
        if rest.iter().any(|w| w == "--resolv-conf") {
            args.clear();
        }
        args.extend(rest);
        let out = Cmd::new(&args)
            .current_dir(dir.path())
            .env("HSVC_SERVER", &addr)
            .run();
        let stdout = out.stdout.replace(&addr, "127.0.0.1:5353");
        let got = mask(&stdout);
        let mut want = String::new();
        let mut prefix_only = false;
        for l in &expected {
            if l.trim() == "…" {
                prefix_only = true;
                break;
            }
            want.push_str(l);
            want.push('\n');
        }
        let want = mask(&want);
        if prefix_only {
            assert!(
                got.starts_with(&want),
                "README example `{cmd}`:\n--- README\n{want}--- got\n{got}"
            );
        } else {
            assert_eq!(got, want, "README example `{cmd}`");
        }
        examples += 1;
    }
    assert!(examples >= 3, "only {examples} README examples found");
}
