//! The checked-in completions and man pages match the CLI, and the
//! conventions every command shares (version, colour, kubectl plugin name).

#[path = "support/docs_gen.rs"]
mod docs_gen;

mod common;

use std::collections::BTreeMap;
use std::path::Path;

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
    let tmp = std::env::temp_dir().join(format!("hsvc-docs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    docs_gen::generate(&tmp).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in ["completions", "man"] {
        let want = files(&tmp.join(dir));
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
    let _ = std::fs::remove_dir_all(&tmp);
    // One page per subcommand.
    let man = files(&root.join("man"));
    for sub in hsvc::cli::command().get_subcommands() {
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
        let r = common::hsvc(&["completions", shell]);
        assert_eq!(r.code, 0, "{shell}: {r:?}");
        let want = std::fs::read_to_string(root.join("completions").join(file)).unwrap();
        assert_eq!(r.stdout, want, "{shell}");
    }
}

#[test]
fn version_and_plugin_name() {
    let r = common::hsvc(&["--version"]);
    assert_eq!(r.code, 0);
    assert_eq!(r.stdout, format!("hsvc {}\n", env!("CARGO_PKG_VERSION")));

    // Installed as kubectl-hsvc, help speaks of `kubectl hsvc`.
    let dir = std::env::temp_dir().join(format!("hsvc-plugin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let plugin = dir.join("kubectl-hsvc");
    let _ = std::fs::remove_file(&plugin);
    std::os::unix::fs::symlink(common::bin(), &plugin).unwrap();
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
    let dns = common::Dns::start();
    let addr = dns.addr().to_string();
    let run = |extra: &[&str], no_color: bool| {
        let mut cmd = std::process::Command::new(common::bin());
        cmd.args(["--resolv-conf", "/dev/null", "--server", &addr])
            .args(extra);
        cmd.args(["resolve", "web-headless.awx"]);
        if no_color {
            cmd.env("NO_COLOR", "1");
        } else {
            cmd.env_remove("NO_COLOR");
        }
        String::from_utf8(cmd.output().unwrap().stdout).unwrap()
    };
    assert!(run(&["--color", "always"], false).contains("\u{1b}[1mIP"));
    assert!(
        run(&["--color", "always"], true).contains("\u{1b}["),
        "always wins over NO_COLOR"
    );
    assert!(!run(&["--color", "never"], false).contains('\u{1b}'));
    // auto: stdout is a pipe here, so no colour.
    assert!(!run(&[], false).contains('\u{1b}'));
}

#[test]
fn env_defaults_and_verbose_diagnostics() {
    let dns = common::Dns::start();
    let out = std::process::Command::new(common::bin())
        .args([
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
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "10.244.194.67\n10.244.217.10\n10.244.217.11\n"
    );
    let err = String::from_utf8(out.stderr).unwrap();
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
