//! Real resolvers for the libc_walk suite: a small `getaddrinfo` program
//! built against glibc and two musl versions, run in private mount, network
//! and UTS namespaces (`unshare -mnu`) whose /etc/resolv.conf, /etc/hosts
//! and /etc/nsswitch.conf are files of the test, against a logging DNS
//! server on 127.0.0.1:53 inside the namespace. `hsvc` runs in the same
//! namespace against the same server, so both see the same answers.
//!
//! The namespace has only its own loopback interface: nothing sent there
//! can leave the machine.
//!
//! A worker is this test binary started again inside a namespace (the
//! ignored test `libc_walk_worker`); it reads a job file of cells and
//! writes what the libc and hsvc did in each. It runs hsvc itself, with a
//! cleared environment, not through `support::bin`: the cells set the
//! environment and the resolv.conf the libc and hsvc both read.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::UdpSocket;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

pub const GAI_C: &str = include_str!("gai.c");

/// The resolvers under test.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Libc {
    /// Debian 12's glibc (2.36), the machine's own.
    Glibc,
    /// Debian 12's musl (musl-tools, 1.2.3), as in Alpine ≤ 3.17.
    Musl123,
    /// The musl that zig bundles (1.2.5 in zig 0.14–0.17), as in Alpine ≥ 3.18.
    MuslNew,
}

impl Libc {
    pub const ALL: [Libc; 3] = [Libc::Glibc, Libc::Musl123, Libc::MuslNew];

    pub fn as_str(self) -> &'static str {
        match self {
            Libc::Glibc => "glibc",
            Libc::Musl123 => "musl-1.2.3",
            Libc::MuslNew => "musl",
        }
    }

    pub fn is_musl(self) -> bool {
        self != Libc::Glibc
    }
}

/// How the server answers one question.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Action {
    /// NOERROR with one address (192.0.2.1 or 2001:db8::1).
    Answer,
    /// NOERROR, no records (AA and RA set, as CoreDNS answers).
    NoData,
    NxDomain,
    ServFail,
    Refused,
    /// No reply at all.
    Silence,
}

/// Answers `action` to questions for `name` (case-insensitive, with the
/// trailing dot) of `qtype` (`A`, `AAAA`, or any type when `None`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Rule {
    pub name: String,
    pub qtype: Option<String>,
    pub action: Action,
}

/// One run of hsvc in a cell.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct HsvcCall {
    /// `file` (a pod's resolv.conf and values passed as flags) or `env`
    /// (this process's own resolver: /etc/resolv.conf and the environment).
    pub mode: String,
    /// `{rc}` stands for the path of the cell's resolv.conf.
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Cell {
    pub id: String,
    pub libc: Libc,
    pub resolv_conf: String,
    pub hostname: String,
    pub env: Vec<(String, String)>,
    pub name: String,
    /// First match wins; anything else is NXDOMAIN.
    pub rules: Vec<Rule>,
    pub hsvc: Vec<HsvcCall>,
}

/// A question the server received.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Logged {
    Query {
        id: u16,
        name: String,
        qtype: String,
    },
    /// A question that cannot be parsed: the labels read before the fault
    /// (and the packet, so that a retry is told from a second question).
    Malformed {
        id: u16,
        prefix: String,
        raw: Vec<u8>,
    },
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct HsvcRun {
    pub mode: String,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    /// What the server received while hsvc ran.
    pub sent: Vec<Logged>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CellResult {
    pub id: String,
    /// What the program printed, or `abort` / `signal N` / `exit N: …`.
    pub libc_out: String,
    pub libc_log: Vec<Logged>,
    pub hsvc: Vec<HsvcRun>,
    pub ms: u64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Job {
    pub cells: Vec<Cell>,
    pub programs: BTreeMap<String, PathBuf>,
    pub hsvc: PathBuf,
    pub resolv_conf: PathBuf,
    pub out: PathBuf,
}

// ------------------------------------------------------------ preparation

/// Why the suite cannot run here, if it cannot.
pub fn cannot_run() -> Option<String> {
    let uid = Command::new("id")
        .arg("-u")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    if uid.as_deref() != Some("0") {
        return Some("not root (unshare -mnu and bind mounts need root)".into());
    }
    for tool in ["unshare", "ip", "mount"] {
        if !on_path(tool) {
            return Some(format!("{tool} not found"));
        }
    }
    for f in ["/etc/resolv.conf", "/etc/hosts", "/etc/nsswitch.conf"] {
        if !Path::new(f).is_file() {
            return Some(format!("{f} is not a regular file to bind-mount over"));
        }
    }
    // Can this machine make the namespaces at all (a container may forbid it)?
    let ok = Command::new("unshare")
        .args(["-mnu", "--", "ip", "link", "set", "lo", "up"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !ok {
        return Some("unshare -mnu is not permitted here".into());
    }
    None
}

pub fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
        .unwrap_or(false)
}

/// A program built for one libc, and the version that was checked.
pub struct Built {
    pub libc: Libc,
    pub path: PathBuf,
    pub version: String,
}

/// Builds the program for every libc whose toolchain is installed; the
/// others come back as reasons.
pub fn build_programs(dir: &Path) -> (Vec<Built>, Vec<String>) {
    let src = dir.join("gai.c");
    std::fs::write(&src, GAI_C).unwrap();
    let mut built = Vec::new();
    let mut missing = Vec::new();
    for libc in Libc::ALL {
        match build_one(libc, &src, dir) {
            Ok(b) => built.push(b),
            Err(e) => missing.push(format!("{}: {e}", libc.as_str())),
        }
    }
    (built, missing)
}

fn build_one(libc: Libc, src: &Path, dir: &Path) -> Result<Built, String> {
    let out = dir.join(format!("gai-{}", libc.as_str()));
    let (mut cmd, version) = match libc {
        Libc::Glibc => {
            if !on_path("gcc") {
                return Err("gcc not installed".into());
            }
            let v = run_text(Command::new("getconf").arg("GNU_LIBC_VERSION"))?;
            let mut c = Command::new("gcc");
            c.arg("-O1");
            (c, v)
        }
        Libc::Musl123 => {
            if !on_path("musl-gcc") {
                return Err("musl-gcc not installed (apt-get install musl-tools)".into());
            }
            // The dynamic musl libc.so prints its version when run.
            let loader = Path::new("/usr/lib/x86_64-linux-musl/libc.so");
            let text = Command::new(loader)
                .output()
                .map(|o| String::from_utf8_lossy(&o.stderr).into_owned())
                .unwrap_or_default();
            let v = text
                .lines()
                .find_map(|l| l.strip_prefix("Version "))
                .map(|v| format!("musl {v}"))
                .ok_or("cannot tell the version of musl-tools' musl")?;
            let mut c = Command::new("musl-gcc");
            c.args(["-static", "-O1"]);
            (c, v)
        }
        Libc::MuslNew => {
            let mut c = zig().ok_or("zig not installed (pip install ziglang)")?;
            let mut env = zig().unwrap();
            // `zig env` prints JSON (older zig) or ZON (0.15+): either way
            // a `lib_dir` key followed by a quoted path.
            let env_text = run_text(env.arg("env"))?;
            let lib_dir = env_text
                .split("lib_dir")
                .nth(1)
                .and_then(|rest| rest.split('"').nth(1))
                .ok_or("zig env names no lib_dir")?
                .to_string();
            let vh = std::fs::read_to_string(
                Path::new(&lib_dir).join("libc/musl/src/internal/version.h"),
            )
            .map_err(|e| format!("zig's musl version.h: {e}"))?;
            let v = vh
                .split('"')
                .nth(1)
                .map(|v| format!("musl {v}"))
                .ok_or("cannot read zig's musl version")?;
            c.args(["cc", "-target", "x86_64-linux-musl", "-static", "-O1"]);
            (c, v)
        }
    };
    let o = cmd
        .arg("-o")
        .arg(&out)
        .arg(src)
        .output()
        .map_err(|e| format!("cannot run the compiler: {e}"))?;
    if !o.status.success() {
        return Err(format!(
            "build failed: {}",
            String::from_utf8_lossy(&o.stderr).trim()
        ));
    }
    Ok(Built {
        libc,
        path: out,
        version,
    })
}

/// `zig` on PATH, else the one the `ziglang` Python wheel ships.
fn zig() -> Option<Command> {
    if on_path("zig") {
        return Some(Command::new("zig"));
    }
    let ok = Command::new("python3")
        .args(["-m", "ziglang", "version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    ok.then(|| {
        let mut c = Command::new("python3");
        c.args(["-m", "ziglang"]);
        c
    })
}

fn run_text(cmd: &mut Command) -> Result<String, String> {
    let o = cmd.output().map_err(|e| e.to_string())?;
    if !o.status.success() {
        return Err(String::from_utf8_lossy(&o.stderr).trim().to_string());
    }
    Ok(String::from_utf8_lossy(&o.stdout).trim().to_string())
}

// ------------------------------------------------------------ namespaces

const SETUP: &str = r#"set -e
ip link set lo up
mount --bind "$HSVC_LIBC_RC" /etc/resolv.conf
mount --bind "$HSVC_LIBC_HOSTS" /etc/hosts
mount --bind "$HSVC_LIBC_NSS" /etc/nsswitch.conf
exec "$@"
"#;

/// Starts one worker in fresh namespaces; `dir` is its own directory.
pub fn spawn_worker(dir: &Path, job: &Job) -> std::process::Child {
    std::fs::write(dir.join("hosts"), "").unwrap();
    std::fs::write(dir.join("nsswitch.conf"), "hosts: dns\n").unwrap();
    std::fs::write(&job.resolv_conf, "").unwrap();
    let job_path = dir.join("job.json");
    std::fs::write(&job_path, serde_json::to_vec(job).unwrap()).unwrap();
    let exe = std::env::current_exe().unwrap();
    Command::new("unshare")
        .args(["--mount", "--net", "--uts", "--propagation", "private"])
        .args(["--", "sh", "-c", SETUP, "sh"])
        .arg(exe)
        .args([
            "libc_walk_worker",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env("HSVC_LIBC_RC", &job.resolv_conf)
        .env("HSVC_LIBC_HOSTS", dir.join("hosts"))
        .env("HSVC_LIBC_NSS", dir.join("nsswitch.conf"))
        .env("HSVC_LIBC_JOB", &job_path)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn unshare")
}

/// The worker's side, inside the namespaces.
pub fn worker_main(job_path: &Path) {
    let job: Job = serde_json::from_slice(&std::fs::read(job_path).unwrap()).unwrap();
    let server = Server::start();
    let mut out = std::fs::File::create(&job.out).unwrap();
    for cell in &job.cells {
        let r = run_cell(&job, &server, cell);
        serde_json::to_writer(&mut out, &r).unwrap();
        out.write_all(b"\n").unwrap();
    }
}

fn run_cell(job: &Job, server: &Server, cell: &Cell) -> CellResult {
    let started = Instant::now();
    std::fs::write("/proc/sys/kernel/hostname", &cell.hostname).unwrap();
    std::fs::write(&job.resolv_conf, &cell.resolv_conf).unwrap();
    server.reset(cell.rules.clone());
    let prog = &job.programs[cell.libc.as_str()];
    let mut cmd = Command::new(prog);
    cmd.arg(&cell.name)
        .env_clear()
        .envs(cell.env.iter().cloned());
    let (status, stdout, stderr) = run_bounded(cmd, Duration::from_secs(60));
    let libc_out = match status {
        Some(s) if s.signal() == Some(6) => "abort".to_string(),
        Some(s) if s.signal().is_some() => format!("signal {}", s.signal().unwrap()),
        Some(s) if s.success() => stdout,
        Some(s) => format!("exit {:?}: {stdout} {stderr}", s.code()),
        None => "hung".to_string(),
    };
    let libc_log = server.take_log();
    let rc = job.resolv_conf.to_string_lossy().into_owned();
    let mut hsvc = Vec::new();
    for call in &cell.hsvc {
        let mut cmd = Command::new(&job.hsvc);
        cmd.args(call.args.iter().map(|a| a.replace("{rc}", &rc)))
            .env_clear()
            .env("NO_COLOR", "1")
            .envs(call.env.iter().cloned());
        let (status, stdout, stderr) = run_bounded(cmd, Duration::from_secs(60));
        hsvc.push(HsvcRun {
            mode: call.mode.clone(),
            code: status.and_then(|s| s.code()).unwrap_or(-1),
            stdout,
            stderr,
            sent: server.take_log(),
        });
    }
    CellResult {
        id: cell.id.clone(),
        libc_out,
        libc_log,
        hsvc,
        ms: started.elapsed().as_millis() as u64,
    }
}

fn run_bounded(
    mut cmd: Command,
    limit: Duration,
) -> (Option<std::process::ExitStatus>, String, String) {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut so = child.stdout.take().unwrap();
    let mut se = child.stderr.take().unwrap();
    let t_out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = so.read_to_string(&mut s);
        s
    });
    let t_err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = se.read_to_string(&mut s);
        s
    });
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break Some(s);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    (status, t_out.join().unwrap(), t_err.join().unwrap())
}

// ------------------------------------------------------------ the server

const FLUSH: &str = "flush.harness.invalid.";

struct State {
    rules: Vec<Rule>,
    log: Vec<Logged>,
}

/// The logging DNS server on 127.0.0.1:53 (UDP) of a worker's namespace.
pub struct Server {
    state: Arc<Mutex<State>>,
    client: UdpSocket,
}

impl Server {
    fn start() -> Server {
        let sock = UdpSocket::bind("127.0.0.1:53").expect("bind 127.0.0.1:53 in the namespace");
        let state = Arc::new(Mutex::new(State {
            rules: Vec::new(),
            log: Vec::new(),
        }));
        let st = state.clone();
        std::thread::spawn(move || serve(sock, st));
        let client = UdpSocket::bind("127.0.0.1:0").unwrap();
        client
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        Server { state, client }
    }

    fn reset(&self, rules: Vec<Rule>) {
        let mut s = self.state.lock().unwrap();
        s.rules = rules;
        s.log.clear();
    }

    /// Everything received so far: a question of its own goes through the
    /// same socket queue, so once it is answered every earlier packet has
    /// been logged.
    fn take_log(&self) -> Vec<Logged> {
        let mut q = vec![0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
        for l in FLUSH.trim_end_matches('.').split('.') {
            q.push(l.len() as u8);
            q.extend_from_slice(l.as_bytes());
        }
        q.extend_from_slice(&[0, 0, 1, 0, 1]);
        self.client.send_to(&q, "127.0.0.1:53").unwrap();
        let mut buf = [0u8; 512];
        loop {
            let (n, _) = self.client.recv_from(&mut buf).expect("flush reply");
            if n >= 2 && buf[..2] == [0x12, 0x34] {
                break;
            }
        }
        std::mem::take(&mut self.state.lock().unwrap().log)
    }
}

fn serve(sock: UdpSocket, state: Arc<Mutex<State>>) {
    let mut buf = [0u8; 4096];
    loop {
        let Ok((n, from)) = sock.recv_from(&mut buf) else {
            continue;
        };
        let req = &buf[..n];
        if n < 12 {
            continue;
        }
        let id = u16::from_be_bytes([req[0], req[1]]);
        let reply = match parse_question(req) {
            Err(prefix) => {
                state.lock().unwrap().log.push(Logged::Malformed {
                    id,
                    prefix,
                    raw: req.to_vec(),
                });
                None
            }
            Ok((name, qtype, qend)) => {
                if name == FLUSH {
                    Some(reply(req, qend, qtype, Action::NoData))
                } else {
                    let mut s = state.lock().unwrap();
                    s.log.push(Logged::Query {
                        id,
                        name: name.clone(),
                        qtype: type_str(qtype),
                    });
                    let action = s
                        .rules
                        .iter()
                        .find(|r| {
                            (r.name == "*" || r.name.eq_ignore_ascii_case(&name))
                                && r.qtype.as_ref().is_none_or(|t| *t == type_str(qtype))
                        })
                        .map_or(Action::NxDomain, |r| r.action);
                    drop(s);
                    (action != Action::Silence).then(|| reply(req, qend, qtype, action))
                }
            }
        };
        if let Some(r) = reply {
            let _ = sock.send_to(&r, from);
        }
    }
}

fn type_str(t: u16) -> String {
    match t {
        1 => "A".into(),
        28 => "AAAA".into(),
        33 => "SRV".into(),
        12 => "PTR".into(),
        n => format!("TYPE{n}"),
    }
}

/// The question's name (text form, trailing dot), type and end offset; or
/// the labels read before the question turned out malformed.
fn parse_question(req: &[u8]) -> Result<(String, u16, usize), String> {
    let mut off = 12;
    let mut labels: Vec<&[u8]> = Vec::new();
    let prefix = |labels: &[&[u8]]| name_text(labels);
    if req[4..6] != [0, 1] {
        return Err(prefix(&labels));
    }
    loop {
        let Some(&len) = req.get(off) else {
            return Err(prefix(&labels));
        };
        let len = len as usize;
        if len == 0 {
            off += 1;
            break;
        }
        if len > 63 || off + 1 + len > req.len() {
            return Err(prefix(&labels));
        }
        labels.push(&req[off + 1..off + 1 + len]);
        off += 1 + len;
    }
    if off + 4 > req.len() {
        return Err(prefix(&labels));
    }
    let qtype = u16::from_be_bytes([req[off], req[off + 1]]);
    Ok((name_text(&labels), qtype, off + 4))
}

/// Labels in text form with a trailing dot: printable ASCII as is, `.` and
/// `\` escaped, anything else as `\DDD`.
pub fn name_text(labels: &[&[u8]]) -> String {
    if labels.is_empty() {
        return ".".into();
    }
    let mut s = String::new();
    for l in labels {
        s.push_str(&label_text(l));
        s.push('.');
    }
    s
}

pub fn label_text(l: &[u8]) -> String {
    let mut s = String::new();
    for &b in l {
        match b {
            b'.' | b'\\' => {
                s.push('\\');
                s.push(b as char);
            }
            0x21..=0x7e => s.push(b as char),
            _ => s.push_str(&format!("\\{b:03}")),
        }
    }
    s
}

fn reply(req: &[u8], qend: usize, qtype: u16, action: Action) -> Vec<u8> {
    let rcode = match action {
        Action::NxDomain => 3,
        Action::ServFail => 2,
        Action::Refused => 5,
        _ => 0,
    };
    let answer = action == Action::Answer && (qtype == 1 || qtype == 28);
    let mut r = Vec::with_capacity(qend + 32);
    r.extend_from_slice(&req[..2]);
    // QR, opcode as asked, AA, RD as asked; RA.
    r.push(0x80 | (req[2] & 0x78) | 0x04 | (req[2] & 0x01));
    r.push(0x80 | rcode);
    r.extend_from_slice(&[0, 1, 0, u8::from(answer), 0, 0, 0, 0]);
    r.extend_from_slice(&req[12..qend]);
    if answer {
        r.extend_from_slice(&[0xc0, 0x0c]);
        r.extend_from_slice(&qtype.to_be_bytes());
        r.extend_from_slice(&[0, 1, 0, 0, 0, 30]);
        if qtype == 1 {
            r.extend_from_slice(&[0, 4, 192, 0, 2, 1]);
        } else {
            r.extend_from_slice(&[0, 16, 0x20, 0x01, 0x0d, 0xb8]);
            r.extend_from_slice(&[0; 11]);
            r.push(1);
        }
    }
    r
}
