//! The distribution files name what the build produces: the krew plugin
//! manifest (plugins/hsvc.yaml) parses as krew's `Plugin` and points at
//! archives of the static binary for this version, and the Containerfile
//! copies the binary scripts/build-static.sh writes into a scratch image.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(ROOT).join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

// krew's Plugin (krew.googlecontainertools.github.com/v1alpha2), the fields
// krew reads; an unknown field is a typo krew would ignore.
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Plugin {
    api_version: String,
    kind: String,
    metadata: Metadata,
    spec: Spec,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct Metadata {
    name: String,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Spec {
    version: String,
    homepage: String,
    short_description: String,
    description: String,
    caveats: Option<String>,
    platforms: Vec<Platform>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct Platform {
    selector: Selector,
    uri: String,
    sha256: String,
    files: Vec<FileOp>,
    bin: String,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Selector {
    match_labels: BTreeMap<String, String>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct FileOp {
    from: String,
    to: String,
}

/// The binary scripts/build-static.sh builds on an `arch` machine: it
/// targets `$(uname -m)-unknown-linux-gnu` and prints the release binary.
fn static_binary(arch: &str) -> String {
    let script = read("scripts/build-static.sh");
    assert!(
        script.contains(r#"target="$(uname -m)-unknown-linux-gnu""#)
            && script.contains(r#"bin="${CARGO_TARGET_DIR:-target}/$target/release/hsvc""#),
        "scripts/build-static.sh no longer builds target/<arch>-unknown-linux-gnu/release/hsvc: \
         update this test, plugins/hsvc.yaml and Containerfile"
    );
    format!("target/{arch}-unknown-linux-gnu/release/hsvc")
}

#[test]
fn krew_manifest_names_the_static_binary_of_this_version() {
    let plugin: Plugin = serde_saphyr::from_str(&read("plugins/hsvc.yaml")).expect("manifest");
    assert_eq!(
        plugin.api_version,
        "krew.googlecontainertools.github.com/v1alpha2"
    );
    assert_eq!(plugin.kind, "Plugin");
    // `kubectl hsvc`: the binary answers to that name (tests/docs.rs).
    assert_eq!(plugin.metadata.name, "hsvc");
    let version = format!("v{}", env!("CARGO_PKG_VERSION"));
    assert_eq!(
        plugin.spec.version, version,
        "manifest version vs Cargo.toml"
    );
    assert!(plugin.spec.homepage.starts_with("https://"));
    assert!(!plugin.spec.short_description.is_empty() && plugin.spec.short_description.len() <= 80);
    assert!(!plugin.spec.description.trim().is_empty());
    assert!(plugin.spec.caveats.is_some());

    let mut seen = Vec::new();
    for p in &plugin.spec.platforms {
        let labels = &p.selector.match_labels;
        assert_eq!(labels.get("os").map(String::as_str), Some("linux"), "{p:?}");
        // The static build is Linux only; krew's arch names to uname -m's.
        let arch = match labels.get("arch").map(String::as_str) {
            Some("amd64") => "x86_64",
            Some("arm64") => "aarch64",
            other => {
                panic!("platform arch {other:?}: scripts/build-static.sh builds Linux amd64/arm64")
            }
        };
        assert!(!seen.contains(&arch), "{arch} listed twice");
        seen.push(arch);
        let target = format!("{arch}-unknown-linux-gnu");
        let archive = format!("hsvc-{version}-{target}.tar.gz");
        assert!(
            p.uri.starts_with("https://") && p.uri.ends_with(&format!("/{version}/{archive}")),
            "{}: expected the release archive {archive}",
            p.uri
        );
        assert_eq!(p.sha256.len(), 64, "{}", p.sha256);
        assert!(p.sha256.chars().all(|c| c.is_ascii_hexdigit()));
        // The archive holds the binary of static_binary(arch) as `hsvc`, installed as is.
        assert!(static_binary(arch).ends_with(&format!("/{}", p.files[0].from)));
        assert_eq!(p.files.len(), 1);
        assert_eq!(p.files[0].to, ".");
        assert_eq!(p.bin, "hsvc");
        // The manifest's own comment says how the archive is made; it must agree.
        let recipe = format!("tar -czf hsvc-{version}-x86_64-unknown-linux-gnu.tar.gz -C target/x86_64-unknown-linux-gnu/release hsvc");
        assert!(read("plugins/hsvc.yaml").contains(&recipe), "{recipe}");
    }
    assert!(seen.contains(&"x86_64"), "no linux/amd64 platform");
}

/// The instructions of the Containerfile's last stage, `${ARCH}` expanded
/// with the default of its global `ARG ARCH=…`.
fn final_stage(text: &str) -> (String, Vec<(String, String)>) {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let arch = lines
        .iter()
        .find_map(|l| l.strip_prefix("ARG ARCH="))
        .expect("ARG ARCH=<default>")
        .to_string();
    let last_from = lines
        .iter()
        .rposition(|l| l.starts_with("FROM "))
        .expect("a FROM");
    let base = lines[last_from]["FROM ".len()..].trim().to_string();
    let instructions = lines[last_from + 1..]
        .iter()
        .map(|l| {
            let (op, rest) = l.split_once(' ').unwrap_or((l, ""));
            (op.to_string(), rest.replace("${ARCH}", &arch))
        })
        .collect();
    (base, instructions)
}

#[test]
fn containerfile_puts_the_static_binary_and_ca_roots_in_a_scratch_image() {
    let text = read("Containerfile");
    let (base, instructions) = final_stage(&text);
    assert_eq!(base, "scratch");
    let copies: Vec<&str> = instructions
        .iter()
        .filter(|(op, _)| op == "COPY")
        .map(|(_, rest)| rest.as_str())
        .collect();
    let binary = static_binary("x86_64");
    assert!(
        copies.contains(&format!("{binary} /hsvc").as_str()),
        "the image must copy {binary} (scripts/build-static.sh's output) to /hsvc: {copies:?}"
    );
    // CA roots where rustls-native-certs (kube's rustls client) looks on Linux.
    assert!(
        copies
            .iter()
            .any(|c| c.ends_with(" /etc/ssl/certs/ca-certificates.crt") && c.starts_with("--from=")),
        "{copies:?}"
    );
    assert!(instructions.contains(&("ENTRYPOINT".to_string(), r#"["/hsvc"]"#.to_string())));
    // Not root, and nothing run in the final stage (scratch has no shell).
    assert!(instructions
        .iter()
        .any(|(op, rest)| op == "USER" && !rest.starts_with('0')));
    assert!(!instructions.iter().any(|(op, _)| op == "RUN"));
    // The build context is the binary only (target/ is gigabytes).
    let ignore = read(".dockerignore");
    assert!(ignore.lines().any(|l| l == "*"));
    assert!(ignore
        .lines()
        .any(|l| l == "!target/*-unknown-linux-gnu/release/hsvc"));
    // The README's recipe uses the image this way.
    let readme = read("README.md");
    assert!(readme.contains("--target=") && readme.contains("kubectl debug"));
    assert!(readme.contains("-f Containerfile"));
}

#[test]
fn final_stage_reads_the_last_from() {
    let (base, ins) = final_stage(
        "ARG ARCH=x86_64\nFROM debian AS a\nRUN x\n# c\nFROM scratch\nCOPY target/${ARCH}/hsvc /hsvc\n",
    );
    assert_eq!(base, "scratch");
    assert_eq!(
        ins,
        [("COPY".to_string(), "target/x86_64/hsvc /hsvc".to_string())]
    );
}
