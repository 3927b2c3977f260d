//! The checked-in completions and man pages match the CLI, and the
//! conventions every command shares (version, colour, kubectl plugin name).

mod support;

use std::collections::BTreeMap;
use std::path::Path;

use support::bin::{bin, hsvc, temp_dir, Cmd};
use support::cluster::Dns;
use support::docs_gen;

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap())
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

#[test]
fn completions_and_man_pages_are_up_to_date() {
    let tmp = temp_dir();
    docs_gen::generate(tmp.path()).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in ["completions", "man"] {
        let want = files(&tmp.path().join(dir));
        let have = files(&root.join(dir));
        assert_eq!(
            want.keys().collect::<Vec<_>>(),
            have.keys().collect::<Vec<_>>(),
            "{dir}/ differs from the CLI: run `cargo run --example gen_docs`"
        );
        for (name, bytes) in &want {
            assert!(
                have[name] == *bytes,
                "{dir}/{name} is out of date: run `cargo run --example gen_docs`"
            );
        }
    }
    drop(tmp);
    // One page per subcommand (but clap's `help`: `hsvc help CMD` is
    // `hsvc CMD --help`).
    let man = files(&root.join("man"));
    for sub in hsvc::cli::command()
        .get_subcommands()
        .filter(|s| s.get_name() != "help")
    {
        assert!(
            man.contains_key(&format!("hsvc-{}.1", sub.get_name())),
            "{}",
            sub.get_name()
        );
    }
}

#[test]
fn completions_command_prints_the_same_scripts() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (shell, file) in [
        ("bash", "hsvc.bash"),
        ("zsh", "_hsvc"),
        ("fish", "hsvc.fish"),
        ("powershell", "_hsvc.ps1"),
        ("elvish", "hsvc.elv"),
    ] {
        let r = hsvc(&["completions", shell]);
        assert_eq!(r.code, 0, "{shell}: {r:?}");
        let want = std::fs::read_to_string(root.join("completions").join(file)).unwrap();
        assert_eq!(r.stdout, want, "{shell}");
    }
}

#[test]
fn version_and_plugin_name() {
    let r = hsvc(&["--version"]);
    assert_eq!(r.code, 0);
    assert_eq!(r.stdout, format!("hsvc {}\n", env!("CARGO_PKG_VERSION")));

    // Installed as kubectl-hsvc, help speaks of `kubectl hsvc`.
    let dir = temp_dir();
    let plugin = dir.path().join("kubectl-hsvc");
    std::os::unix::fs::symlink(bin(), &plugin).unwrap();
    let out = std::process::Command::new(&plugin)
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    assert!(
        help.contains("Usage: kubectl hsvc [OPTIONS] <COMMAND>"),
        "{help}"
    );
    let out = std::process::Command::new(&plugin)
        .args(["resolve"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("kubectl hsvc resolve"));
}

#[test]
fn color_follows_the_flag_and_no_color() {
    let dns = Dns::start();
    let addr = dns.addr().to_string();
    // (flags, NO_COLOR set, the escape sequence stdout has, if any)
    let cases: [(&[&str], bool, Option<&str>, &str); 4] = [
        (&["--color", "always"], false, Some("\u{1b}[1mIP"), "always"),
        (
            &["--color", "always"],
            true,
            Some("\u{1b}["),
            "always wins over NO_COLOR",
        ),
        (&["--color", "never"], false, None, "never"),
        (
            &[],
            false,
            None,
            "auto: stdout is a pipe here, so no colour",
        ),
    ];
    for (extra, no_color, escape, why) in cases {
        let mut args = vec!["--resolv-conf", "/dev/null", "--server", &addr];
        args.extend_from_slice(extra);
        args.extend(["resolve", "web-headless.awx"]);
        let cmd = Cmd::new(&args);
        let cmd = if no_color {
            cmd.env("NO_COLOR", "1")
        } else {
            cmd.env_remove("NO_COLOR")
        };
        let out = cmd.run().stdout;
        match escape {
            Some(seq) => assert!(out.contains(seq), "{why}: {out:?}"),
            None => assert!(!out.contains('\u{1b}'), "{why}: {out:?}"),
        }
    }
}

#[test]
fn env_defaults_and_verbose_diagnostics() {
    let dns = Dns::start();
    let out = Cmd::new(&[
        "--resolv-conf",
        "/dev/null",
        "-v",
        "resolve",
        "web-headless",
        "-o",
        "plain",
    ])
    .env("HSVC_SERVER", dns.addr().to_string())
    .env("HSVC_NAMESPACE", "awx")
    .run();
    assert_eq!(out.code, 0);
    assert_eq!(out.stdout, "10.244.194.67\n10.244.217.10\n10.244.217.11\n");
    let err = out.stderr;
    assert!(
        err.contains(&format!("servers {} (from --server)", dns.addr())),
        "{err}"
    );
    assert!(err.contains("namespace awx (Flag)"), "{err}");
    assert!(
        err.contains("address: web-headless.awx.svc.cluster.local. A"),
        "{err}"
    );
}
