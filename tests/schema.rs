//! JSON Schemas of every `-o json` / `-o jsonl` document, checked in under
//! docs/schema/: generated with schemars from the strict serde types the
//! tests read documents with (tests/support/schema.rs); a test fails when
//! the checked-in files drift (`HSVC_BLESS=1 cargo test --test schema`
//! rewrites them), and real outputs of each command are validated against
//! them.

mod support;

use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde_json::Value;

use support::bin::{hsvc, Cmd};
use support::cluster::{pod_resolv_conf, Dns};
use support::schema::*;

/// `hsvc resolve -o json`: a resolution, or a name refused before any query.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code, clippy::large_enum_variant)] // never built: it only describes
enum ResolveOutput {
    Doc(ResolveDoc),
    Rejected(ResolveRejected),
}

/// `hsvc resolve --source api -o json`: the API's endpoints, or why the API could not be read.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code, clippy::large_enum_variant)] // never built: it only describes
enum EndpointsOutput {
    Doc(EndpointsDoc),
    Error(ApiErrorDoc),
}

/// `hsvc ls -o json`: the headless Services, or why the API could not be read.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code, clippy::large_enum_variant)] // never built: it only describes
enum LsOutput {
    Doc(LsDoc),
    Error(ApiErrorDoc),
}

/// `hsvc verify -o json`: DNS against the API, or why the API could not be read.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code, clippy::large_enum_variant)] // never built: it only describes
enum VerifyOutput {
    Doc(VerifyDoc),
    Error(ApiErrorDoc),
}

/// A line of `hsvc pick -o jsonl`; with `--simulate`, the one line is the
/// whole document, as with `-o json`.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code, clippy::large_enum_variant)] // never built: it only describes
enum PickJsonl {
    Line(PickLine),
    Simulation(PickDoc),
}

/// Every schema: its file under docs/schema/ and the schema itself.
fn schemas() -> Vec<(&'static str, Value)> {
    // `$id` is the file's name (a relative URI: where it lives is the reader's).
    fn of<T: JsonSchema>(id: &str) -> Value {
        let mut s = schemars::generate::SchemaSettings::draft2020_12()
            .into_generator()
            .into_root_schema_for::<T>();
        s.insert("$id".into(), id.into());
        s.to_value()
    }
    vec![
        (
            "hsvc.resolve.v1.json",
            of::<ResolveOutput>("hsvc.resolve.v1.json"),
        ),
        ("hsvc.diff.v1.json", of::<DiffDoc>("hsvc.diff.v1.json")),
        (
            "hsvc.watch.v1.line.json",
            of::<WatchLine>("hsvc.watch.v1.line.json"),
        ),
        ("hsvc.pick.v1.json", of::<PickDoc>("hsvc.pick.v1.json")),
        (
            "hsvc.pick.v1.line.json",
            of::<PickJsonl>("hsvc.pick.v1.line.json"),
        ),
        ("hsvc.check.v1.json", of::<CheckDoc>("hsvc.check.v1.json")),
        (
            "hsvc.check.v1.line.json",
            of::<CheckLine>("hsvc.check.v1.line.json"),
        ),
        (
            "hsvc.endpoints.v1.json",
            of::<EndpointsOutput>("hsvc.endpoints.v1.json"),
        ),
        ("hsvc.ls.v1.json", of::<LsOutput>("hsvc.ls.v1.json")),
        (
            "hsvc.verify.v1.json",
            of::<VerifyOutput>("hsvc.verify.v1.json"),
        ),
    ]
}

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/schema")
}

fn text(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap() + "\n"
}

#[test]
fn checked_in_schemas_are_up_to_date() {
    let dir = dir();
    let bless = std::env::var_os("HSVC_BLESS").is_some();
    if bless {
        std::fs::create_dir_all(&dir).unwrap();
    }
    let want = schemas();
    for (file, schema) in &want {
        let path = dir.join(file);
        if bless {
            std::fs::write(&path, text(schema)).unwrap();
            continue;
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            have == text(schema),
            "docs/schema/{file} is out of date: run `HSVC_BLESS=1 cargo test --test schema`"
        );
    }
    // Nothing else lives there.
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let mut names: Vec<String> = want.iter().map(|(f, _)| f.to_string()).collect();
    names.sort();
    assert_eq!(files, names, "docs/schema/ holds a file no type generates");
}

/// Validates `doc` against the checked-in `file`; panics with every error.
fn valid(file: &str, doc: &str, what: &str) {
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(dir().join(file)).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("a valid schema");
    let instance: Value =
        serde_json::from_str(doc).unwrap_or_else(|e| panic!("{what}: not JSON ({e}):\n{doc}"));
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} against {file}:\n{}\n{doc}",
        errors.join("\n")
    );
}

fn lines(file: &str, out: &str, what: &str) -> usize {
    let mut n = 0;
    for l in out.lines() {
        valid(file, l, what);
        n += 1;
    }
    n
}

#[test]
fn dns_outputs_follow_their_schemas() {
    let dns = Dns::start();
    let rc = pod_resolv_conf("awx");
    let run = |args: &[&str]| dns.hsvc(args);
    // resolve: found, negative, searched, rejected, hostile, failed.
    for args in [
        &["resolve", "web-headless.awx", "-o", "json"][..],
        &["resolve", "db.awx", "--port-name", "postgres", "-o", "json"],
        &["resolve", "web-9.web-headless.awx", "-o", "json"],
        &["resolve", "_http._tcp.web.mid", "-o", "json"],
        &["resolve", "svc.evil", "-o", "json"],
        &["resolve", "a..b", "-o", "json"],
        &[
            "--resolv-conf",
            rc.as_str(),
            "resolve",
            "--search",
            "web-headless",
            "-o",
            "json",
        ],
    ] {
        let r = run(args);
        valid("hsvc.resolve.v1.json", &r.stdout, &format!("{args:?}"));
    }
    let r = hsvc(&[
        "--server",
        "127.0.0.1:9",
        "--timeout",
        "200ms",
        "--attempts",
        "1",
        "resolve",
        "x.awx",
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 3, "{r:?}");
    valid("hsvc.resolve.v1.json", &r.stdout, "a failed resolution");
    // diff and watch.
    let r = run(&[
        "diff",
        "web-headless",
        "-n",
        "awx",
        "-n",
        "default",
        "-o",
        "json",
    ]);
    valid("hsvc.diff.v1.json", &r.stdout, "diff");
    let r = run(&[
        "watch",
        "web-headless.awx",
        "nope.awx",
        "-c",
        "2",
        "--interval",
        "100ms",
        "-o",
        "jsonl",
    ]);
    assert!(
        lines("hsvc.watch.v1.line.json", &r.stdout, "watch") >= 3,
        "{r:?}"
    );
    // pick: picks, keys, a simulation; json and jsonl.
    for args in [
        &["pick", "web-headless.awx", "-c", "3"][..],
        &["pick", "web-headless.awx", "-k", "alice", "-k", "bob"],
        &["pick", "web-headless.awx", "--simulate", "100"],
        &["pick", "nope.awx", "-c", "1"],
    ] {
        let r = run(&[args, &["-o", "json"]].concat());
        valid("hsvc.pick.v1.json", &r.stdout, &format!("{args:?}"));
        let r = run(&[args, &["-o", "jsonl"]].concat());
        assert!(
            lines("hsvc.pick.v1.line.json", &r.stdout, &format!("{args:?}")) >= 1,
            "{r:?}"
        );
    }
    let server = dns.addr().to_string();
    let r = Cmd::new(&[
        "--server",
        &server,
        "pick",
        "web-headless.awx",
        "--keys-from",
        "-",
        "-o",
        "jsonl",
    ])
    .run_with_stdin(b"alice\nbob\n");
    assert!(
        lines("hsvc.pick.v1.line.json", &r.stdout, "--keys-from") >= 3,
        "{r:?}"
    );
    // check (api.shop's pods are loopback addresses, refused here).
    for args in [
        &[
            "check",
            "api.shop",
            "-p",
            "8080",
            "--connect-timeout",
            "300ms",
        ][..],
        &[
            "check",
            "api.shop",
            "--http",
            "/healthz",
            "--connect-timeout",
            "300ms",
            "--repeat",
            "2",
            "--interval",
            "100ms",
        ],
        &["check", "nope.shop"],
    ] {
        let r = run(&[args, &["-o", "json"]].concat());
        valid("hsvc.check.v1.json", &r.stdout, &format!("{args:?}"));
        let r = run(&[args, &["-o", "jsonl"]].concat());
        assert!(
            lines("hsvc.check.v1.line.json", &r.stdout, &format!("{args:?}")) >= 1,
            "{r:?}"
        );
    }
}

#[cfg(feature = "api")]
#[test]
fn api_outputs_follow_their_schemas() {
    use hsvc_cluster::{Cluster, LiveCluster};
    let live = LiveCluster::start(Cluster::demo()).unwrap();
    let home = support::bin::temp_dir();
    let kubeconfig = live.write_kubeconfig(home.path()).unwrap();
    let kc = kubeconfig.to_str().unwrap().to_string();
    let run = |args: &[&str]| {
        let mut all = vec!["--kubeconfig", kc.as_str()];
        all.extend_from_slice(args);
        Cmd::new(&all)
            .env("HOME", home.path())
            .env_remove("KUBECONFIG")
            .env_remove("KUBERNETES_SERVICE_HOST")
            .run()
    };
    let r = run(&["ls", "-A", "-o", "json"]);
    assert_eq!(r.code, 0, "{r:?}");
    valid("hsvc.ls.v1.json", &r.stdout, "ls -A");
    let r = run(&[
        "resolve",
        "web-headless.awx",
        "--source",
        "api",
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    valid("hsvc.endpoints.v1.json", &r.stdout, "--source api");
    let r = run(&["resolve", "nope.awx", "--source", "api", "-o", "json"]);
    valid(
        "hsvc.endpoints.v1.json",
        &r.stdout,
        "--source api, no such Service",
    );
    let mut args: Vec<String> = live
        .replicas()
        .iter()
        .flat_map(|r| ["--server".to_string(), r.addr.to_string()])
        .collect();
    args.extend(["verify", "web-headless.awx", "-o", "json"].map(String::from));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = run(&args);
    assert!(r.code == 0 || r.code == 1, "{r:?}");
    valid("hsvc.verify.v1.json", &r.stdout, "verify");
    // An API that cannot be reached: the error document.
    let r = Cmd::new(&[
        "--api-url",
        "http://127.0.0.1:9",
        "--timeout",
        "300ms",
        "ls",
        "-o",
        "json",
    ])
    .env("HOME", home.path())
    .run();
    assert_eq!(r.code, 3, "{r:?}");
    valid("hsvc.ls.v1.json", &r.stdout, "an unreachable API");
}

/// The schemas are strict: a field added or dropped without them knowing
/// makes a document invalid.
#[test]
fn schemas_reject_unknown_and_missing_fields() {
    let dns = Dns::start();
    let r = dns.hsvc(&["resolve", "web-headless.awx", "-o", "json"]);
    valid("hsvc.resolve.v1.json", &r.stdout, "as printed");
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(dir().join("hsvc.resolve.v1.json")).unwrap())
            .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let doc: Value = serde_json::from_str(&r.stdout).unwrap();
    let mut extra = doc.clone();
    extra["bogus"] = 1.into();
    assert!(!validator.is_valid(&extra), "an unknown field");
    for field in ["namespace", "error", "endpoints"] {
        let mut missing = doc.clone();
        missing.as_object_mut().unwrap().remove(field);
        assert!(!validator.is_valid(&missing), "without {field}");
    }
    let mut wrong = doc;
    wrong["endpoints"][0]["ip"] = 7.into();
    assert!(!validator.is_valid(&wrong), "an IP that is a number");
}
