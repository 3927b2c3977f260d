//! `hsvc resolve --search` against the real resolvers (issue 19): for every
//! cell of a matrix of resolv.conf shapes × names × server answers ×
//! libcs, the `getaddrinfo()` of glibc (the machine's, 2.36 on Debian 12),
//! musl 1.2.3 (Debian's musl-tools) and a newer musl (the one zig bundles)
//! runs in private namespaces against a logging DNS server, and so does
//! `hsvc --search --resolver …` against the same server. The cell matches
//! when hsvc lists exactly the questions the libc sent, in order, and
//! predicts what `getaddrinfo()` returned (the name found and its
//! addresses, or the EAI_ error, or glibc's abort).
//!
//! Needs root, unshare, ip, gcc; a libc whose toolchain is missing
//! (musl-gcc from musl-tools, zig from the ziglang wheel) is skipped with a
//! line saying so, and without root or namespaces the whole suite is.

mod support;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::time::Instant;

use support::bin::temp_dir;
use support::libc::*;
use support::schema::{Document, ResolveDoc};

/// Workers (namespaces) running cells side by side: cells mostly wait on
/// resolver timeouts, so more workers than cores keeps the suite short.
const WORKERS: usize = 48;

/// Shapes whose cells hsvc does not match yet (issue 19 in progress; `*`:
/// all of them, as hsvc's JSON does not yet say which types each step asks
/// nor what getaddrinfo() returns). Must be empty when the issue is done.
const KNOWN_FAILING: &[&str] = &[];

/// Straight to the process's stderr: libtest captures eprintln! of a
/// passing test, and these lines must be seen in a plain `cargo test`.
fn say(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// Runs inside a worker's namespaces (started by `libc_walk_matrix`).
#[test]
#[ignore = "helper of libc_walk_matrix: runs inside the namespaces it makes"]
fn libc_walk_worker() {
    match std::env::var_os("HSVC_LIBC_JOB") {
        Some(job) => worker_main(&PathBuf::from(job)),
        None => say("libc_walk_worker: nothing to do outside libc_walk_matrix"),
    }
}

#[test]
fn libc_walk_matrix() {
    if let Some(why) = cannot_run() {
        say(&format!("skipped: libc_walk_matrix: {why}"));
        return;
    }
    let started = Instant::now();
    let dir = temp_dir();
    let (built, missing) = build_programs(dir.path());
    for m in &missing {
        say(&format!("skipped: libc_walk_matrix for {m}"));
    }
    if built.is_empty() {
        return;
    }
    let versions: BTreeMap<Libc, String> =
        built.iter().map(|b| (b.libc, b.version.clone())).collect();
    assert_eq!(
        versions
            .get(&Libc::Glibc)
            .map(String::as_str)
            .unwrap_or("glibc 2.36"),
        "glibc 2.36",
        "the replay follows glibc 2.36"
    );
    assert_eq!(
        versions
            .get(&Libc::Musl123)
            .map(String::as_str)
            .unwrap_or("musl 1.2.3"),
        "musl 1.2.3"
    );
    if let Some(v) = versions.get(&Libc::MuslNew) {
        let minor: Vec<u32> = v
            .trim_start_matches("musl ")
            .split('.')
            .filter_map(|p| p.parse().ok())
            .collect();
        assert!(
            minor >= vec![1, 2, 4],
            "the newer musl must be ≥ 1.2.4: {v}"
        );
    }
    let programs: BTreeMap<String, PathBuf> = built
        .iter()
        .map(|b| (b.libc.as_str().to_string(), b.path.clone()))
        .collect();
    let cells: Vec<Cell> = matrix()
        .into_iter()
        .filter(|c| versions.contains_key(&c.libc))
        .collect();
    let by_id: BTreeMap<String, &Cell> = cells.iter().map(|c| (c.id.clone(), c)).collect();
    assert_eq!(by_id.len(), cells.len(), "cell ids are unique");

    // Deal the cells out round-robin so that the slow ones spread.
    let mut jobs: Vec<Job> = (0..WORKERS)
        .map(|w| Job {
            cells: Vec::new(),
            programs: programs.clone(),
            hsvc: PathBuf::from(env!("CARGO_BIN_EXE_hsvc")),
            resolv_conf: dir.path().join(format!("w{w}")).join("resolv.conf"),
            out: dir.path().join(format!("w{w}")).join("out.jsonl"),
        })
        .collect();
    for (i, c) in cells.iter().enumerate() {
        jobs[i % WORKERS].cells.push(c.clone());
    }
    let children: Vec<_> = jobs
        .iter()
        .enumerate()
        .map(|(w, job)| {
            let wdir = dir.path().join(format!("w{w}"));
            std::fs::create_dir_all(&wdir).unwrap();
            spawn_worker(&wdir, job)
        })
        .collect();
    for (w, child) in children.into_iter().enumerate() {
        let o = child.wait_with_output().unwrap();
        assert!(
            o.status.success(),
            "worker {w} failed: {}\n{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let mut results: Vec<CellResult> = Vec::new();
    for job in &jobs {
        let text = std::fs::read_to_string(&job.out).unwrap();
        for line in text.lines() {
            results.push(serde_json::from_str(line).unwrap());
        }
    }
    assert_eq!(results.len(), cells.len(), "every cell ran");

    let mut per_libc: BTreeMap<Libc, (usize, usize)> = BTreeMap::new();
    let mut failures: Vec<String> = Vec::new();
    let mut known = 0;
    let mut slowest = (0, String::new());
    // HSVC_LIBC_SHOW=PATTERN prints the cells whose id contains it.
    let show = std::env::var("HSVC_LIBC_SHOW").ok();
    for r in &results {
        let cell = by_id[&r.id];
        if show.as_deref().is_some_and(|p| r.id.contains(p)) {
            say(&format!(
                "{}: {:?} → {} ({} ms)",
                r.id,
                libc_tokens(&r.libc_log),
                libc_outcome(&r.libc_out),
                r.ms
            ));
        }
        let e = per_libc.entry(cell.libc).or_default();
        e.0 += 1;
        if r.ms > slowest.0 {
            slowest = (r.ms, r.id.clone());
        }
        match compare(cell, r) {
            None => e.1 += 1,
            Some(why) => {
                let shape = r.id.split('/').next().unwrap();
                if KNOWN_FAILING.contains(&shape) || KNOWN_FAILING == ["*"] {
                    known += 1;
                } else {
                    failures.push(why);
                }
            }
        }
    }
    let mut summary = format!("libc_walk_matrix: {} cells", results.len());
    for (libc, (n, ok)) in &per_libc {
        let _ = write!(summary, "; {}: {ok}/{n} match", versions[libc]);
    }
    let _ = write!(
        summary,
        "; {known} in known-failing shapes; {:.1} s (slowest cell {} ms: {})",
        started.elapsed().as_secs_f64(),
        slowest.0,
        slowest.1
    );
    say(&summary);
    if !failures.is_empty() {
        failures.sort();
        for f in failures.iter().take(40) {
            say(f);
        }
        panic!(
            "{} cells where hsvc's replay differs from the real libc (first 40 above)",
            failures.len()
        );
    }
}

// ---------------------------------------------------------------- compare

/// The questions a libc sent, in order, retries removed: a retry repeats
/// the same packet (same ID), a new question gets a new ID.
fn libc_tokens(log: &[Logged]) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for l in log {
        if seen.insert(l.clone()) {
            out.push(match l {
                Logged::Query { name, qtype, .. } => format!("{name} {qtype}"),
                Logged::Malformed { prefix, .. } => format!("malformed {prefix}"),
            });
        }
    }
    out
}

/// The questions hsvc says the pod sends, from its search steps: each
/// step lists the types it asks; musl 1.2.3's malformed questions are
/// listed, not sent.
fn hsvc_tokens(doc: &ResolveDoc) -> Result<Vec<String>, String> {
    let steps = &doc.search.as_ref().ok_or("no search in the JSON")?.steps;
    let mut out = Vec::new();
    for s in steps {
        let cand = s.candidate.as_str();
        for t in &s.asked {
            if s.result == "malformed_query" {
                // musl 1.2.3 encodes `NAME..` as NAME's labels followed by
                // an unencoded dot: the server reads the labels of NAME.
                let base = cand.strip_suffix('.').unwrap_or(cand);
                out.push(format!("malformed {}", text_escaped(base)));
            } else {
                out.push(format!("{} {t}", text_escaped(cand)));
            }
        }
    }
    Ok(out)
}

/// hsvc's name (presentation form: `\\DDD` and `\\X` escapes) in the
/// server log's text form: the raw labels, escaped by [`label_text`].
fn text_escaped(name: &str) -> String {
    if name == "." {
        return ".".into();
    }
    let mut labels: Vec<Vec<u8>> = vec![Vec::new()];
    let b = name.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' if i + 3 < b.len() && b[i + 1..i + 4].iter().all(u8::is_ascii_digit) => {
                let v = std::str::from_utf8(&b[i + 1..i + 4])
                    .unwrap()
                    .parse::<u16>()
                    .unwrap();
                labels.last_mut().unwrap().push(v as u8);
                i += 4;
            }
            b'\\' if i + 1 < b.len() => {
                labels.last_mut().unwrap().push(b[i + 1]);
                i += 2;
            }
            b'.' => {
                labels.push(Vec::new());
                i += 1;
            }
            c => {
                labels.last_mut().unwrap().push(c);
                i += 1;
            }
        }
    }
    if labels.last().is_some_and(Vec::is_empty) {
        labels.pop();
    }
    let refs: Vec<&[u8]> = labels.iter().map(Vec::as_slice).collect();
    name_text(&refs)
}

/// What getaddrinfo() returned, in one comparable line.
fn libc_outcome(out: &str) -> String {
    let mut lines = out.lines();
    match lines.next().unwrap_or("") {
        l if l.starts_with("ok ") => {
            let canon = l[3..].trim_end_matches('.').to_ascii_lowercase();
            let mut addrs: Vec<String> = lines
                .filter_map(|l| l.strip_prefix("addr "))
                .map(str::to_string)
                .collect();
            addrs.sort();
            addrs.dedup();
            format!("ok {canon} [{}]", addrs.join(" "))
        }
        l if l.starts_with("error ") => l[6..].trim().to_string(),
        other => other.to_string(),
    }
}

fn hsvc_outcome(doc: &ResolveDoc) -> String {
    let search = doc.search.as_ref();
    let gai = search.map_or("(none)", |s| s.getaddrinfo.as_str());
    if gai != "ok" {
        return gai.to_string();
    }
    let found = search
        .and_then(|s| s.found.as_deref())
        .unwrap_or("")
        .trim_end_matches('.')
        .to_ascii_lowercase();
    let mut addrs: Vec<String> = doc.ips();
    addrs.sort();
    format!("ok {found} [{}]", addrs.join(" "))
}

/// `None` when every hsvc run of the cell matches the libc.
fn compare(cell: &Cell, r: &CellResult) -> Option<String> {
    let want_q = libc_tokens(&r.libc_log);
    let want_o = libc_outcome(&r.libc_out);
    let mut why = String::new();
    for run in &r.hsvc {
        // Read strictly (support::schema): a field the tests do not know
        // fails the cell, with the reason.
        let doc = match serde_json::from_str::<ResolveDoc>(&run.stdout) {
            Ok(d) if d.schema() == ResolveDoc::SCHEMA => d,
            parsed => {
                let reason = match parsed {
                    Ok(d) => format!("schema {}", d.schema),
                    Err(e) => e.to_string(),
                };
                let _ = write!(
                    why,
                    "\n  hsvc ({}) exit {}: no {} document ({reason}); stderr: {}",
                    run.mode,
                    run.code,
                    ResolveDoc::SCHEMA,
                    run.stderr.trim()
                );
                continue;
            }
        };
        let got_q = hsvc_tokens(&doc);
        let got_o = hsvc_outcome(&doc);
        // What hsvc lists as sent must be what the server received.
        let mut listed: Vec<String> = doc
            .queries
            .iter()
            .map(|q| format!("{} {}", text_escaped(&q.name), q.rtype))
            .collect();
        let mut received: Vec<String> = libc_tokens(&run.sent);
        listed.sort();
        received.sort();
        if got_q.as_ref() != Ok(&want_q) || got_o != want_o || listed != received {
            let _ = write!(
                why,
                "\n  hsvc ({}): questions {:?}\n         outcome {got_o}",
                run.mode, got_q
            );
            if listed != received {
                let _ = write!(
                    why,
                    "\n         lists as sent {listed:?} but the server received {received:?}"
                );
            }
        }
    }
    if why.is_empty() {
        return None;
    }
    Some(format!(
        "{}: {} resolv.conf {:?} env {:?} name {:?}\n  libc: questions {want_q:?}\n        outcome {want_o}{why}",
        r.id,
        cell.libc.as_str(),
        cell.resolv_conf,
        cell.env,
        cell.name
    ))
}

// ---------------------------------------------------------------- matrix

const K8S: &str = "awx.svc.cluster.local svc.cluster.local cluster.local";
const SVC: &str = "web.awx.svc.cluster.local.";

/// The names every full shape is asked for, and the name that exists.
fn core_names() -> Vec<(&'static str, String)> {
    vec![
        ("web", SVC.into()),
        ("web.awx", SVC.into()),
        ("web.awx.svc.cluster.local", SVC.into()),
        ("web.awx.svc.cluster.local.", SVC.into()),
        (
            "web-0.web.awx.svc.cluster.local",
            "web-0.web.awx.svc.cluster.local.".into(),
        ),
    ]
}

fn few_names() -> Vec<(&'static str, String)> {
    vec![
        ("web", SVC.into()),
        ("web.awx.svc.cluster.local", SVC.into()),
    ]
}

/// Server behaviours: rules from the name asked, the first name the shape's
/// search list makes of it (`first`), and the name that exists (`target`).
#[derive(Clone, Copy, Debug)]
enum Scenario {
    Exists,
    V4Only,
    NodataTarget,
    None,
    AllServfail,
    Nodata1,
    Servfail1,
    Refused1,
    Silent1,
    ASilent1,
    AServfail1,
    AaaaServfail1,
    AaaaNxTarget,
    AaaaServfailTarget,
    AaaaSilentTarget,
    AsIsServfail,
}

const CORE: &[Scenario] = &[
    Scenario::Exists,
    Scenario::V4Only,
    Scenario::NodataTarget,
    Scenario::None,
    Scenario::AllServfail,
    Scenario::Nodata1,
    Scenario::Servfail1,
    Scenario::Refused1,
    Scenario::Silent1,
    Scenario::ASilent1,
    Scenario::AServfail1,
    Scenario::AaaaServfail1,
    Scenario::AaaaNxTarget,
    Scenario::AaaaServfailTarget,
    Scenario::AsIsServfail,
];

/// CORE, and the costly one: glibc waits out three timeouts when only the
/// AAAA question goes unanswered.
const CORE_AND_SILENT_AAAA: &[Scenario] = &[
    Scenario::Exists,
    Scenario::V4Only,
    Scenario::NodataTarget,
    Scenario::None,
    Scenario::AllServfail,
    Scenario::Nodata1,
    Scenario::Servfail1,
    Scenario::Refused1,
    Scenario::Silent1,
    Scenario::ASilent1,
    Scenario::AServfail1,
    Scenario::AaaaServfail1,
    Scenario::AaaaNxTarget,
    Scenario::AaaaServfailTarget,
    Scenario::AsIsServfail,
    Scenario::AaaaSilentTarget,
];

const BASIC: &[Scenario] = &[
    Scenario::Exists,
    Scenario::None,
    Scenario::Servfail1,
    Scenario::Nodata1,
];

fn rules(s: Scenario, name: &str, first: &str, target: &str) -> Vec<Rule> {
    let r = |n: &str, t: Option<&str>, a: Action| Rule {
        name: n.to_string(),
        qtype: t.map(str::to_string),
        action: a,
    };
    let exists = vec![r(target, None, Action::Answer)];
    let mut asis = name.to_string();
    if !asis.ends_with('.') {
        asis.push('.');
    }
    let then = |mut v: Vec<Rule>| {
        v.extend(exists.clone());
        v
    };
    match s {
        Scenario::Exists => exists.clone(),
        Scenario::V4Only => vec![
            r(target, Some("A"), Action::Answer),
            r(target, Some("AAAA"), Action::NoData),
        ],
        Scenario::NodataTarget => vec![r(target, None, Action::NoData)],
        Scenario::None => vec![],
        Scenario::AllServfail => vec![r("*", None, Action::ServFail)],
        Scenario::Nodata1 => then(vec![r(first, None, Action::NoData)]),
        Scenario::Servfail1 => then(vec![r(first, None, Action::ServFail)]),
        Scenario::Refused1 => then(vec![r(first, None, Action::Refused)]),
        Scenario::Silent1 => then(vec![r(first, None, Action::Silence)]),
        Scenario::ASilent1 => then(vec![r(first, Some("A"), Action::Silence)]),
        Scenario::AServfail1 => then(vec![r(first, Some("A"), Action::ServFail)]),
        Scenario::AaaaServfail1 => then(vec![r(first, Some("AAAA"), Action::ServFail)]),
        Scenario::AaaaNxTarget => vec![
            r(target, Some("A"), Action::Answer),
            r(target, Some("AAAA"), Action::NxDomain),
        ],
        Scenario::AaaaServfailTarget => vec![
            r(target, Some("A"), Action::Answer),
            r(target, Some("AAAA"), Action::ServFail),
        ],
        Scenario::AaaaSilentTarget => vec![
            r(target, Some("A"), Action::Answer),
            r(target, Some("AAAA"), Action::Silence),
        ],
        Scenario::AsIsServfail => then(vec![r(&asis, None, Action::ServFail)]),
    }
}

struct Shape {
    id: &'static str,
    /// resolv.conf lines between `nameserver 127.0.0.1` and the
    /// `options timeout:1 attempts:1` line every cell ends with.
    body: String,
    /// The first search domain as written, to aim `*1` scenarios at.
    first: String,
    env: Vec<(&'static str, String)>,
    hostname: &'static str,
    names: Vec<(&'static str, String)>,
    scenarios: &'static [Scenario],
    /// Also (or only) replay this process's own resolver: no
    /// --resolv-conf, the environment as the libc had it.
    own: Own,
}

#[derive(Clone, Copy, PartialEq)]
enum Own {
    No,
    Also,
    Only,
}

fn shape(id: &'static str, body: &str, first: &str) -> Shape {
    Shape {
        id,
        body: body.to_string(),
        first: first.to_string(),
        env: Vec::new(),
        hostname: "pod-0",
        names: few_names(),
        scenarios: BASIC,
        own: Own::No,
    }
}

fn full(mut s: Shape) -> Shape {
    s.names = core_names();
    s.scenarios = CORE;
    s
}

/// `n` labels of `len` letters: a domain that is long but valid.
fn long_domain(labels: &[usize]) -> String {
    labels
        .iter()
        .enumerate()
        .map(|(i, &n)| std::iter::repeat_n((b'p' + i as u8) as char, n).collect::<String>())
        .collect::<Vec<_>>()
        .join(".")
}

fn shapes() -> Vec<Shape> {
    let k8s = format!("search {K8S}\noptions ndots:5");
    let mut k8s_shape = full(shape("k8s", &k8s, "awx.svc.cluster.local"));
    k8s_shape.scenarios = CORE_AND_SILENT_AAAA;
    let mut v = vec![
        k8s_shape,
        full(shape(
            "k8s-root",
            &format!("search {K8S} .\noptions ndots:5"),
            "awx.svc.cluster.local",
        )),
        full(shape(
            "single-request",
            &format!("{k8s}\noptions single-request"),
            "awx.svc.cluster.local",
        )),
        full(shape(
            "single-request-reopen",
            &format!("{k8s}\noptions single-request-reopen"),
            "awx.svc.cluster.local",
        )),
        shape(
            "k8s-host",
            &format!("search {K8S} corp.example\noptions ndots:5"),
            "awx.svc.cluster.local",
        ),
        shape(
            "root-first",
            "search . awx.svc.cluster.local\noptions ndots:5",
            ".",
        ),
        shape("root-only", "search .\noptions ndots:5", "."),
        shape(
            "root-in-middle",
            "search awx.svc.cluster.local . cluster.local\noptions ndots:5",
            "awx.svc.cluster.local",
        ),
        shape(
            "comment-hash",
            "search awx.svc.cluster.local svc.cluster.local # set by kubelet\noptions ndots:5",
            "awx.svc.cluster.local",
        ),
        shape(
            "comment-semicolon",
            "search awx.svc.cluster.local ; cluster.local\noptions ndots:5",
            "awx.svc.cluster.local",
        ),
        shape(
            "comment-lines",
            "# search x.example\nsearch awx.svc.cluster.local\n; search y.example\noptions ndots:5",
            "awx.svc.cluster.local",
        ),
        shape(
            "empty-search",
            &format!("search {K8S}\nsearch\noptions ndots:5"),
            "awx.svc.cluster.local",
        ),
        shape(
            "empty-search-space",
            &format!("search {K8S}\nsearch \noptions ndots:5"),
            "awx.svc.cluster.local",
        ),
        shape(
            "last-wins-domain",
            "search x.example\ndomain awx.svc.cluster.local\noptions ndots:5",
            "awx.svc.cluster.local",
        ),
        shape(
            "last-wins-search",
            "domain x.example\nsearch awx.svc.cluster.local cluster.local\noptions ndots:5",
            "awx.svc.cluster.local",
        ),
        shape(
            "domain-two-words",
            "domain x.example awx.svc.cluster.local\noptions ndots:5",
            "x.example",
        ),
        shape(
            "leading-space",
            &format!(" search {K8S}\noptions ndots:5"),
            "awx.svc.cluster.local",
        ),
        shape(
            "tabs",
            "search\tawx.svc.cluster.local\t\tcluster.local\noptions\tndots:5",
            "awx.svc.cluster.local",
        ),
        shape(
            "leading-dot",
            "search .awx.svc.cluster.local cluster.local\noptions ndots:5",
            ".awx.svc.cluster.local",
        ),
        shape(
            "trailing-dot",
            "search awx.svc.cluster.local. cluster.local.\noptions ndots:5",
            "awx.svc.cluster.local.",
        ),
        shape(
            "double-dot",
            "search awx..svc cluster.local awx.svc.cluster.local\noptions ndots:5",
            "awx..svc",
        ),
        shape(
            "dup-entries",
            "search cluster.local cluster.local awx.svc.cluster.local\noptions ndots:5",
            "cluster.local",
        ),
        shape(
            "rotate-edns0",
            &format!("{k8s}\noptions rotate edns0"),
            "awx.svc.cluster.local",
        ),
        shape(
            "no-aaaa",
            &format!("{k8s}\noptions no-aaaa"),
            "awx.svc.cluster.local",
        ),
        shape(
            "no-tld-query",
            &format!("{k8s}\noptions no-tld-query"),
            "awx.svc.cluster.local",
        ),
        shape("no-search", "options ndots:5", "."),
        shape(
            "ndots-twice",
            &format!("search {K8S}\noptions ndots:2 ndots:5"),
            "awx.svc.cluster.local",
        ),
        shape(
            "ndots-garbage",
            &format!("search {K8S}\noptions ndots:x"),
            "awx.svc.cluster.local",
        ),
        shape(
            "ndots-negative",
            &format!("search {K8S}\noptions ndots:-1"),
            "awx.svc.cluster.local",
        ),
        // A file saved with CRLF line ends: glibc keeps the CR in the last
        // search domain, musl reads it as a blank.
        shape(
            "crlf",
            "search awx.svc.cluster.local cluster.local\r\noptions ndots:5\r",
            "awx.svc.cluster.local",
        ),
        shape(
            "ndots-lines",
            &format!("search {K8S}\noptions ndots:5\noptions rotate"),
            "awx.svc.cluster.local",
        ),
    ];
    for n in [0u32, 1, 2, 3, 4, 15, 16, 99] {
        let id: &'static str = Box::leak(format!("ndots{n}").into_boxed_str());
        let mut s = shape(
            id,
            &format!("search {K8S}\noptions ndots:{n}"),
            "awx.svc.cluster.local",
        );
        s.names = core_names();
        s.names.push((
            "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p",
            "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.".into(),
        ));
        s.names.push((
            "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o",
            "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.".into(),
        ));
        s.scenarios = &[Scenario::Exists, Scenario::None];
        v.push(s);
    }
    // A search line of 255 characters or more (musl skips it and keeps the
    // earlier line); 254 is still read.
    for (id, len) in [("line-254", 254usize), ("line-255", 255), ("line-300", 300)] {
        let mut line = "search awx.svc.cluster.local".to_string();
        let mut i = 0;
        while line.len() < len {
            let room = len - line.len();
            if room <= 12 {
                line.push(' ');
                line.push_str(&"z".repeat(room - 1));
            } else {
                line.push_str(&format!(" f{i:02}.example"));
                i += 1;
            }
        }
        assert_eq!(line.len(), len);
        let mut s = shape(
            id,
            &format!("search corp.example svc.cluster.local\n{line}\noptions ndots:5"),
            "awx.svc.cluster.local",
        );
        s.names.push(("db", "db.corp.example.".into()));
        v.push(s);
    }
    // Candidates over 253 characters: names long enough that the first
    // search domain makes them too long (254) and far too long (257).
    for (id, last) in [("long-254", 40usize), ("long-257", 43)] {
        let name: &'static str = Box::leak(long_domain(&[63, 63, 63, last]).into_boxed_str());
        let mut s = full(shape(
            id,
            &format!("search {K8S}\noptions ndots:5"),
            "awx.svc.cluster.local",
        ));
        s.names = vec![(name, format!("{name}.svc.cluster.local."))];
        v.push(s);
    }
    // glibc 2.36 aborts (resolv_conf.c assertion) when the search list
    // overflows its 256-byte copy after fewer than 57 bytes of entries.
    let long = long_domain(&[63, 63, 63, 63]);
    v.push(shape(
        "crash-long-entry",
        &format!("search a.example b.example {long}\noptions ndots:5"),
        "a.example",
    ));
    v.push(shape(
        "no-crash-long-entry",
        &format!("search {K8S} corp.example {long}\noptions ndots:5"),
        "awx.svc.cluster.local",
    ));
    // The environment: glibc reads LOCALDOMAIN and RES_OPTIONS, musl neither.
    let mut s = full(shape("env-localdomain", &k8s, "corp.example"));
    s.env = vec![("LOCALDOMAIN", "corp.example awx.svc.cluster.local".into())];
    s.scenarios = BASIC;
    s.own = Own::Also;
    v.push(s);
    let mut s = shape("env-localdomain-empty", &k8s, ".");
    s.env = vec![("LOCALDOMAIN", String::new())];
    s.own = Own::Also;
    v.push(s);
    let mut s = shape("env-res-options", &k8s, "awx.svc.cluster.local");
    s.env = vec![("RES_OPTIONS", "ndots:1 single-request".into())];
    s.names = core_names();
    s.scenarios = &[Scenario::Exists, Scenario::AServfail1, Scenario::None];
    s.own = Own::Also;
    v.push(s);
    let mut s = shape("env-crash", "options ndots:5", "a.example");
    s.env = vec![("LOCALDOMAIN", format!("a.example {long}"))];
    s.own = Own::Also;
    v.push(s);
    // glibc refuses a first label that starts with '-' before any query.
    let mut s = shape("dash-name", &k8s, "awx.svc.cluster.local");
    s.names = vec![("-web", "-web.awx.svc.cluster.local.".into())];
    v.push(s);
    // An empty search list: glibc takes the domain of the host name.
    let mut s = shape(
        "hostname-domain",
        "options ndots:5",
        "awx.svc.cluster.local",
    );
    s.hostname = "web-0.awx.svc.cluster.local";
    s.own = Own::Only;
    v.push(s);
    v
}

fn matrix() -> Vec<Cell> {
    let mut cells = Vec::new();
    for sh in shapes() {
        let conf = format!(
            "nameserver 127.0.0.1\n{}\noptions timeout:1 attempts:1\n",
            sh.body
        );
        for (name, target) in &sh.names {
            let first = if sh.first == "." {
                format!("{name}.")
            } else {
                format!(
                    "{name}.{}.",
                    sh.first.trim_start_matches('.').trim_end_matches('.')
                )
            };
            for &sc in sh.scenarios {
                for libc in Libc::ALL {
                    let env: Vec<(String, String)> = sh
                        .env
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.clone()))
                        .collect();
                    // hsvc's timeout only decides what a silent server
                    // means; well above a loopback reply, even on a busy
                    // machine, and below the libcs' one second.
                    let base = vec![
                        "--timeout".to_string(),
                        "800ms".into(),
                        "--attempts".into(),
                        "1".into(),
                        "-o".into(),
                        "json".into(),
                        "resolve".into(),
                        "--search".into(),
                        "--resolver".into(),
                        libc.as_str().into(),
                    ];
                    // After `--`: a name may start with '-'.
                    let name_args = ["--".to_string(), name.to_string()];
                    let mut calls = Vec::new();
                    if sh.own != Own::Only {
                        let mut args = vec!["--resolv-conf".to_string(), "{rc}".into()];
                        args.extend(base.clone());
                        if !libc.is_musl() {
                            for (k, v) in &env {
                                let flag = match k.as_str() {
                                    "LOCALDOMAIN" => "--localdomain",
                                    _ => "--res-options",
                                };
                                args.push(format!("{flag}={v}"));
                            }
                        }
                        args.extend(name_args.clone());
                        calls.push(HsvcCall {
                            mode: "file".into(),
                            args,
                            env: Vec::new(),
                        });
                    }
                    if sh.own != Own::No {
                        let mut args = base.clone();
                        args.extend(name_args.clone());
                        calls.push(HsvcCall {
                            mode: "own".into(),
                            args,
                            env: env.clone(),
                        });
                    }
                    cells.push(Cell {
                        id: format!("{}/{name}/{sc:?}/{}", sh.id, libc.as_str()),
                        libc,
                        resolv_conf: conf.clone(),
                        hostname: sh.hostname.to_string(),
                        env,
                        name: name.to_string(),
                        rules: rules(sc, name, &first, target),
                        hsvc: calls,
                    });
                }
            }
        }
    }
    cells
}
