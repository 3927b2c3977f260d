//! The documentation is true: every `$ hsvc …` example in README.md and
//! docs/*.md (```console blocks) runs as printed against the real
//! `hsvc demo --serve` and prints what the page shows, with the exit code a
//! following `$ echo $?` shows; and every relative link of those pages
//! resolves.
//!
//! A page shows the demo's DNS servers on port 5353 (its default
//! `--listen`: the kube-dns address 127.0.0.1, the replicas 127.244.0.2 and
//! 127.244.0.3); the test serves on free ports and swaps them. Latencies
//! (`0.61 ms`), times (`2026-11-27T06:42:56.506Z`) and the stand-in API's
//! port are masked. An output line `…` stands for any number of lines. An
//! example may be `printf '…' | hsvc …` (the printf text is stdin). Each
//! example runs with the demo's kubeconfig (`KUBECONFIG`), with
//! `HSVC_SERVER` set to its DNS server (as the README's `export` says) and
//! with an empty resolv.conf unless it names one (a machine that is not a
//! pod), from the repository's root (so `examples/pod-resolv.conf` is found).
//!
//! `HSVC_BLESS_DOCS=1 cargo test --test readme` writes what the commands
//! printed into the pages (for examples without `…`), to review with
//! `git diff` after the demo changed.

mod support;

use std::net::IpAddr;

use std::path::{Path, PathBuf};

use support::bin::{Cmd, Spawned};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// README.md and every docs/*.md, in a fixed order.
fn pages() -> Vec<PathBuf> {
    let mut pages = vec![Path::new(ROOT).join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(Path::new(ROOT).join("docs"))
        .expect("docs/")
        .map(|e| e.expect("docs/ entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    pages.extend(docs);
    pages
}

fn rel(p: &Path) -> String {
    p.strip_prefix(ROOT).unwrap_or(p).display().to_string()
}

/// One `$ hsvc …` of a page.
#[derive(Debug)]
struct Example {
    line: usize,
    cmd: String,
    stdin: Option<String>,
    /// The page's output lines, and where they are (for blessing).
    expected: Vec<String>,
    out: (usize, usize),
    /// The exit code a following `$ echo $?` shows, and its line.
    exit: Option<(i32, usize)>,
}

/// The examples of one page's ```console blocks.
fn examples(text: &str) -> Vec<Example> {
    let lines: Vec<&str> = text.lines().collect();
    let mut all: Vec<Example> = Vec::new();
    let mut in_console = false;
    let mut open: Option<Example> = None;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if line.starts_with("```") {
            all.extend(open.take());
            in_console = line == "```console";
            i += 1;
            continue;
        }
        if !in_console {
            i += 1;
            continue;
        }
        if let Some(cmd) = line.strip_prefix("$ ") {
            if cmd == "echo $?" {
                let ex = open
                    .as_mut()
                    .or(all.last_mut())
                    .unwrap_or_else(|| panic!("line {}: `echo $?` without a command", i + 1));
                let code = lines.get(i + 1).and_then(|l| l.trim().parse().ok());
                let code =
                    code.unwrap_or_else(|| panic!("line {}: `echo $?` without a code", i + 1));
                ex.exit = Some((code, i + 1));
                all.extend(open.take());
                i += 2;
                continue;
            }
            all.extend(open.take());
            let (stdin, cmd) = split_printf(cmd);
            // A comment after two spaces is the reader's, not the shell's.
            let cmd = cmd.split("  #").next().unwrap_or(&cmd).trim().to_string();
            open = Some(Example {
                line: i + 1,
                cmd,
                stdin,
                expected: Vec::new(),
                out: (i + 1, i + 1),
                exit: None,
            });
        } else if let Some(ex) = open.as_mut() {
            ex.expected.push(line.to_string());
            ex.out.1 = i + 1;
        }
        i += 1;
    }
    all.extend(open);
    // Blank lines between examples of one block are the page's, not output.
    for ex in &mut all {
        while ex.expected.last().is_some_and(|l| l.is_empty()) {
            ex.expected.pop();
            ex.out.1 -= 1;
        }
    }
    all
}

/// `printf 'a\nb\n' | hsvc …` → (stdin, `hsvc …`).
fn split_printf(cmd: &str) -> (Option<String>, String) {
    let Some(rest) = cmd.strip_prefix("printf '") else {
        return (None, cmd.to_string());
    };
    let (text, after) = rest.split_once('\'').expect("printf '…' closed");
    let after = after
        .trim_start()
        .strip_prefix('|')
        .expect("printf '…' | hsvc");
    (
        Some(text.replace("\\n", "\n")),
        after.trim_start().to_string(),
    )
}

/// The words of a command line: split on blanks, with '…' and "…" quoting.
fn words(cmd: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut has = false;
    for c in cmd.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => cur.push(c),
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                has = true;
            }
            None if c.is_whitespace() => {
                if has || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                has = false;
            }
            None => cur.push(c),
        }
    }
    if has || !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Masks what changes from run to run.
fn mask(s: &str) -> String {
    let mut out = String::new();
    for line in s.lines() {
        let line = mask_json_ms(line);
        let words: Vec<&str> = line.split(' ').collect();
        let mut parts: Vec<String> = Vec::new();
        let mut i = 0;
        while i < words.len() {
            // "0.61 ms", "1520 ms", "7.00 ms:" -> "<ms>"
            if i + 1 < words.len()
                && words[i + 1].starts_with("ms")
                && words[i].parse::<f64>().is_ok()
            {
                parts.push(format!("<ms>{}", &words[i + 1][2..]));
                i += 2;
            } else {
                parts.push(mask_word(words[i]));
                i += 1;
            }
        }
        out.push_str(parts.join(" ").trim_end());
        out.push('\n');
    }
    out
}

/// JSON durations: `"latency_ms": 0.61` → `"latency_ms": <n>` (also
/// `elapsed_ms`, `wall_ms`).
fn mask_json_ms(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(at) = rest.find("_ms\":") {
        let (head, tail) = rest.split_at(at + "_ms\":".len());
        out.push_str(head);
        let spaces = tail.len() - tail.trim_start().len();
        out.push_str(&tail[..spaces]);
        let tail = &tail[spaces..];
        let n = tail
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(tail.len());
        if n > 0 {
            out.push_str("<n>");
        }
        rest = &tail[n..];
    }
    out.push_str(rest);
    out
}

/// One word: RFC 3339 times and loopback URL ports.
fn mask_word(w: &str) -> String {
    let mut w = w.to_string();
    // 2026-11-27T06:42:56.506Z
    if let Some(t) = w.find('T') {
        let (date, time) = (&w[..t], &w[t + 1..]);
        if date.len() >= 10
            && date[date.len() - 10..]
                .chars()
                .filter(|c| *c == '-')
                .count()
                == 2
            && time.contains('Z')
        {
            let end = t + 1 + time.find('Z').unwrap() + 1;
            w = format!("{}<time>{}", &w[..t - 10], &w[end..]);
        }
    }
    for scheme in ["https://127.0.0.1:", "http://127.0.0.1:"] {
        if let Some(at) = w.find(scheme) {
            let start = at + scheme.len();
            let digits = w[start..].chars().take_while(char::is_ascii_digit).count();
            w.replace_range(start..start + digits, "<port>");
        }
    }
    w
}

/// Whether `got` matches `want`, where a `…` line in `want` stands for
/// any number of lines.
fn matches(want: &[&str], got: &[&str]) -> bool {
    match want.split_first() {
        None => got.is_empty(),
        Some((&"…", rest)) => (0..=got.len()).any(|k| matches(rest, &got[k..])),
        Some((w, rest)) => got
            .split_first()
            .is_some_and(|(g, grest)| w == g && matches(rest, grest)),
    }
}

/// `hsvc demo --serve` on free ports, and what its banner says.
struct Demo {
    _child: Spawned,
    _dir: tempfile::TempDir,
    banner: Vec<String>,
    /// The port of its DNS servers (the kube-dns address and every
    /// replica), shown as 5353 on the pages.
    port: u16,
    /// Its API ports, shown as the defaults 6443 and 8001.
    api: (u16, u16),
    kubeconfig: String,
}

/// A port that nothing on 127.0.0.1 uses right now, over UDP and TCP.
fn free_port() -> u16 {
    loop {
        let udp = std::net::UdpSocket::bind("127.0.0.1:0").expect("udp");
        let port = udp.local_addr().expect("addr").port();
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

impl Demo {
    fn start() -> Demo {
        let dir = tempfile::tempdir().expect("temp dir");
        let port = free_port();
        let (api, proxy) = (free_port(), free_port());
        let args = [
            "demo".to_string(),
            "--serve".into(),
            "--listen".into(),
            format!("127.0.0.1:{port}"),
            "--api-port".into(),
            api.to_string(),
            "--proxy-port".into(),
            proxy.to_string(),
            "--dir".into(),
            dir.path().display().to_string(),
        ];
        let mut child = Cmd::new(&args).spawn();
        let mut banner = Vec::new();
        loop {
            let l = child.line();
            let done = l.contains("Ctrl-C");
            banner.push(l);
            if done || banner.len() > 40 {
                break;
            }
        }
        let all = banner.join("\n");
        let after = |marker: &str| -> Option<String> {
            let at = all.find(marker)? + marker.len();
            let w = all[at..].split(|c: char| c.is_whitespace() || c == ')' || c == ',');
            w.into_iter().next().map(str::to_string)
        };
        let dns = after("cluster DNS on ")
            .unwrap_or_else(|| panic!("no DNS address in the demo's banner:\n{all}"));
        assert_eq!(dns, format!("127.0.0.1:{port}"), "{all}");
        let kubeconfig = after("(kubeconfig ")
            .unwrap_or_else(|| panic!("no kubeconfig in the demo's banner:\n{all}"));
        Demo {
            _child: child,
            _dir: dir,
            banner,
            port,
            api: (api, proxy),
            kubeconfig,
        }
    }

    /// The pages' `:5353` (the demo's default port) is this demo's port.
    fn to_run(&self, s: &str) -> String {
        s.replace(":5353", &format!(":{}", self.port))
    }

    fn to_page(&self, s: &str) -> String {
        let mut s = s.to_string();
        for host in ["127.0.0.1", "127.244.0.2", "127.244.0.3"] {
            s = s.replace(&format!("{host}:{}", self.port), &format!("{host}:5353"));
        }
        s.replace(&format!("127.0.0.1:{}", self.api.0), "127.0.0.1:6443")
            .replace(&format!("127.0.0.1:{}", self.api.1), "127.0.0.1:8001")
    }

    fn run(&self, ex: &Example) -> (String, i32) {
        let words: Vec<String> = words(&ex.cmd).iter().map(|w| self.to_run(w)).collect();
        let cmd = Cmd::new(&words[1..])
            .current_dir(ROOT)
            .env("HSVC_SERVER", format!("127.0.0.1:{}", self.port))
            .env("KUBECONFIG", &self.kubeconfig)
            .env("COLUMNS", "100");
        let r = match &ex.stdin {
            Some(input) => cmd.run_with_stdin(input.as_bytes()),
            None => cmd.run(),
        };
        (self.to_page(&r.stdout), r.code)
    }
}

/// Every IP literal in an example's command is a loopback address: no
/// example may send a packet off the machine.
fn assert_loopback_only(page: &str, ex: &Example) {
    for w in words(&ex.cmd) {
        for part in w.split(['=', ',', '@']) {
            let host = part
                .strip_prefix('[')
                .and_then(|p| p.split_once(']'))
                .map(|(h, _)| h)
                .unwrap_or_else(|| part.rsplit_once(':').map_or(part, |(h, _)| h));
            let ip = host.parse::<IpAddr>().or_else(|_| part.parse::<IpAddr>());
            if let Ok(ip) = ip {
                assert!(
                    ip.is_loopback(),
                    "{page}:{}: `{}` names {ip}, which is not on this machine",
                    ex.line,
                    ex.cmd
                );
            }
        }
    }
}

#[test]
fn every_example_runs_as_printed_against_the_demo() {
    let demo = Demo::start();
    let bless = std::env::var_os("HSVC_BLESS_DOCS").is_some();
    let mut failures = Vec::new();
    let mut count = 0;
    for page in pages() {
        let text = std::fs::read_to_string(&page).expect("page");
        let name = rel(&page);
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        let exs = examples(&text);
        for ex in exs.iter().rev() {
            assert_eq!(
                words(&ex.cmd).first().map(String::as_str),
                Some("hsvc"),
                "{name}:{}: an example runs hsvc: `{}`",
                ex.line,
                ex.cmd
            );
            assert_loopback_only(&name, ex);
            // An example that shows nothing must at least show its exit code.
            if !bless && ex.expected.is_empty() && ex.exit.is_none() {
                failures.push(format!(
                    "{name}:{}: `{}` shows neither output nor an exit code",
                    ex.line, ex.cmd
                ));
            }
            let (stdout, code) = demo.run(ex);
            count += 1;
            let got = mask(&stdout);
            let want = mask(&ex.expected.join("\n"));
            let want_lines: Vec<&str> = want.lines().collect();
            let got_lines: Vec<&str> = got.lines().collect();
            let same = matches(&want_lines, &got_lines);
            let exit_ok = ex.exit.is_none_or(|(c, _)| c == code);
            if bless && (!same || !exit_ok) && !ex.expected.iter().any(|l| l.trim() == "…") {
                if let Some((_, at)) = ex.exit {
                    lines[at] = code.to_string();
                }
                lines.splice(ex.out.0..ex.out.1, stdout.lines().map(str::to_string));
                continue;
            }
            if !same {
                failures.push(format!(
                    "{name}:{}: `{}`\n--- the page shows\n{want}--- it printed (exit {code})\n{got}",
                    ex.line, ex.cmd
                ));
            } else if !exit_ok {
                failures.push(format!(
                    "{name}:{}: `{}` exits {code}, the page shows {}",
                    ex.line,
                    ex.cmd,
                    ex.exit.unwrap().0
                ));
            }
        }
        if bless {
            let mut new = lines.join("\n");
            new.push('\n');
            if new != text {
                std::fs::write(&page, new).expect("bless");
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {count} examples differ (demo banner:\n{})\n\n{}",
        failures.len(),
        demo.banner.join("\n"),
        failures.join("\n\n")
    );
    assert!(count >= 30, "only {count} examples found");
}

/// The commands of the README's debugging table are inline, not examples
/// with output; each still runs against the demo and succeeds (a `watch`
/// stops after one round).
#[test]
fn the_debugging_table_runs_against_the_demo() {
    let readme = std::fs::read_to_string(Path::new(ROOT).join("README.md")).expect("README");
    let table = readme
        .split("\n## A debugging session, the hsvc way\n")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("the debugging table");
    let demo = Demo::start();
    let mut ran = 0;
    for row in table.lines().filter(|l| l.starts_with("| ")).skip(2) {
        let hsvc_cell = row.split(" | ").nth(1).unwrap_or_default();
        for (k, span) in hsvc_cell.split('`').enumerate() {
            if k % 2 == 0 || !span.starts_with("hsvc ") {
                continue;
            }
            let mut cmd = span.to_string();
            if cmd.contains(" watch ") {
                cmd.push_str(" --count 1");
            }
            let ex = Example {
                line: 0,
                cmd: cmd.clone(),
                stdin: None,
                expected: Vec::new(),
                out: (0, 0),
                exit: None,
            };
            assert_loopback_only("README.md", &ex);
            let (stdout, code) = demo.run(&ex);
            assert_eq!(code, 0, "README debugging table: `{cmd}`:\n{stdout}");
            ran += 1;
        }
    }
    assert!(ran >= 10, "only {ran} commands in the debugging table");
}

/// The README's two set-up commands, which `.ci/run` runs and a newcomer
/// types first, are there as they are.
#[test]
fn the_readme_gives_the_two_set_up_commands() {
    let readme = std::fs::read_to_string(Path::new(ROOT).join("README.md")).expect("README");
    let setup = readme
        .split("\n## Set-up\n")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("a Set-up section");
    assert!(
        setup.contains("```sh\ncargo run --release -- demo\n```"),
        "{setup}"
    );
    assert!(setup.contains("```sh\ncargo test\n```"), "{setup}");
    let ci = std::fs::read_to_string(Path::new(ROOT).join(".ci/run")).expect(".ci/run");
    assert_eq!(
        ci.lines().last(),
        Some("cargo test"),
        "`.ci/run` ends with the README's test command"
    );
}

/// A command shown with a `$` prompt outside a ```console block would not
/// be run by the test above.
#[test]
fn every_prompted_hsvc_command_is_in_a_console_block() {
    for page in pages() {
        let text = std::fs::read_to_string(&page).expect("page");
        let mut fence: Option<&str> = None;
        for (i, line) in text.lines().enumerate() {
            if line.starts_with("```") {
                fence = if fence.is_some() { None } else { Some(line) };
                continue;
            }
            if let Some(f) = fence {
                let prompted = line.starts_with("$ hsvc") || line.contains("| hsvc");
                assert!(
                    f == "```console" || !(prompted && line.starts_with('$')),
                    "{}:{}: `{line}` is shown as run but its block is {f}, not ```console",
                    rel(&page),
                    i + 1
                );
            }
        }
    }
}

/// GitHub's anchor of a heading: lower case, punctuation dropped, spaces
/// to `-`.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

fn anchors(text: &str) -> Vec<String> {
    let mut in_fence = false;
    let mut out = Vec::new();
    for line in text.lines() {
        if line.starts_with("```") {
            in_fence = !in_fence;
        } else if !in_fence && line.starts_with('#') {
            out.push(slug(line.trim_start_matches('#')));
        }
    }
    out
}

/// The targets of `[text](target)` and `[label]: target` outside code.
fn links(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut in_fence = false;
    for (i, line) in text.lines().enumerate() {
        if line.starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            continue;
        }
        // Inline code is not a link.
        let plain: String = line
            .split('`')
            .enumerate()
            .filter(|(k, _)| k % 2 == 0)
            .map(|(_, s)| s)
            .collect::<Vec<_>>()
            .join("``");
        let mut rest = plain.as_str();
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let end = after.find(')').unwrap_or(after.len());
            out.push((i + 1, after[..end].to_string()));
            rest = &after[end..];
        }
        if let Some(def) = plain.strip_prefix('[') {
            if let Some((_, target)) = def.split_once("]: ") {
                out.push((i + 1, target.trim().to_string()));
            }
        }
    }
    out
}

#[test]
fn every_relative_link_resolves() {
    let mut checked = 0;
    let mut broken = Vec::new();
    let mut pages = pages();
    pages.push(Path::new(ROOT).join("CHANGELOG.md"));
    for page in pages {
        let text = std::fs::read_to_string(&page).expect("page");
        for (line, target) in links(&text) {
            let target = target.split_whitespace().next().unwrap_or("").to_string();
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let (path, anchor) = match target.split_once('#') {
                Some((p, a)) => (p, Some(a)),
                None => (target.as_str(), None),
            };
            let file = if path.is_empty() {
                page.clone()
            } else {
                page.parent().unwrap().join(path)
            };
            let here = format!("{}:{line}: `{target}`", rel(&page));
            checked += 1;
            if !file.exists() {
                broken.push(format!("{here}: {} does not exist", rel(&file)));
                continue;
            }
            if let Some(a) = anchor {
                let body = std::fs::read_to_string(&file).unwrap_or_default();
                if !anchors(&body).iter().any(|h| h == a) {
                    broken.push(format!("{here}: no heading #{a} in {}", rel(&file)));
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
    assert!(checked >= 20, "only {checked} relative links found");
}

#[test]
fn the_helpers_read_pages_as_a_reader_does() {
    let page = "```console\n$ hsvc resolve a.b\nX\n…\n$ echo $?\n1\n$ printf 'k\\n' | hsvc pick a.b --keys-from -  # note\n```\n```text\n$ hsvc not run\n```\n";
    let exs = examples(page);
    assert_eq!(exs.len(), 2, "{exs:?}");
    assert_eq!(exs[0].cmd, "hsvc resolve a.b");
    assert_eq!(exs[0].expected, ["X", "…"]);
    assert_eq!(exs[0].exit.map(|e| e.0), Some(1));
    assert_eq!(exs[1].stdin.as_deref(), Some("k\n"));
    assert_eq!(exs[1].cmd, "hsvc pick a.b --keys-from -");
    assert!(matches(&["a", "…", "d"], &["a", "b", "c", "d"]));
    assert!(!matches(&["a", "…", "d"], &["a", "b"]));
    assert_eq!(
        mask("2026-11-27T06:42:56.506Z  web  added · 0.61 ms · https://127.0.0.1:41691"),
        "<time>  web  added · <ms> · https://127.0.0.1:<port>\n"
    );
    assert_eq!(
        mask(r#"{"latency_ms": 0.61, "x":{"elapsed_ms":3,"wall_ms":1.5}}"#),
        "{\"latency_ms\": <n>, \"x\":{\"elapsed_ms\":<n>,\"wall_ms\":<n>}}\n"
    );
    let two = examples("```console\n$ hsvc a\nA\n\n$ hsvc b\n```\n");
    assert_eq!((two[0].expected.len(), two[0].out), (1, (2, 3)));
    assert_eq!(words("hsvc a 'b c' \"\""), ["hsvc", "a", "b c", ""]);
    assert_eq!(
        slug("Replaying a pod's search walk"),
        "replaying-a-pods-search-walk"
    );
    assert_eq!(slug("`hsvc resolve`"), "hsvc-resolve");
    assert_eq!(
        links("see [a](docs/a.md#x) and `[b](no)`\n[c]: ../c.md\n"),
        [(1, "docs/a.md#x".to_string()), (2, "../c.md".to_string())]
    );
}
