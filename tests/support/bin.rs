//! The real `hsvc` binary: run once and collected ([`hsvc`], [`Cmd::run`]),
//! or spawned and read line by line ([`Cmd::spawn`]); and the temporary
//! files its arguments point at, removed when dropped.
//!
//! Unless the arguments name a `--resolv-conf`, the binary gets one that
//! lists no nameserver, so nothing can reach a real server; `HSVC_SERVER`
//! and `HSVC_NAMESPACE` are removed from its environment and `NO_COLOR` is
//! set (a test may change either with [`Cmd::env`] / [`Cmd::env_remove`]).
//! A run that outlives [`HANG`] is killed and fails the test.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Read, Write};
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tempfile::TempDir;

use super::schema::{self, Document};

/// Fail-safe only: how long [`Spawned::line`] waits for a line before it
/// gives up (a hang, not a performance assertion).
pub const PATIENCE: Duration = Duration::from_secs(30);

/// Fail-safe only: a run still going after this long is killed as hung.
pub const HANG: Duration = Duration::from_secs(300);

/// The binary under test.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_hsvc"))
}

// ---------------------------------------------------------------- temp files

/// A fresh temporary directory (`hsvc-test-…` under the system's), removed
/// with everything in it when dropped.
pub fn temp_dir() -> TempDir {
    tempfile::Builder::new()
        .prefix("hsvc-test-")
        .tempdir()
        .expect("temporary directory")
}

/// A file in its own temporary directory, removed when dropped: keep it
/// alive for as long as the binary may read it.
pub struct TempFile {
    path: PathBuf,
    _dir: TempDir,
}

/// Writes `content` to a new temporary file called `name`.
pub fn temp_file(name: &str, content: impl AsRef<[u8]>) -> TempFile {
    let dir = temp_dir();
    let path = dir.path().join(name);
    std::fs::write(&path, content).expect("write temporary file");
    TempFile { path, _dir: dir }
}

impl TempFile {
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The path as an argument (temporary paths are UTF-8).
    pub fn as_str(&self) -> &str {
        self.path.to_str().expect("UTF-8 temporary path")
    }
}

impl Deref for TempFile {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.path
    }
}

impl AsRef<Path> for TempFile {
    fn as_ref(&self) -> &Path {
        &self.path
    }
}

impl AsRef<OsStr> for TempFile {
    fn as_ref(&self) -> &OsStr {
        self.path.as_os_str()
    }
}

/// A resolv.conf without nameserver.
fn empty_resolv_conf() -> TempFile {
    temp_file("resolv.empty", "# no nameserver\n")
}

// ---------------------------------------------------------------- one run

/// What one run printed, its exit code and how long it took.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    /// Wall time from spawn to exit.
    pub elapsed: Duration,
    /// Peak resident set size, KiB, when measured ([`Cmd::measure_rss`]).
    pub max_rss_kib: Option<i64>,
}

impl Run {
    /// stdout as one JSON document of type `T` (its `schema` checked).
    pub fn json<T: Document>(&self) -> T {
        schema::parse_or(&self.stdout, || format!("stderr: {}", self.stderr))
    }

    /// stdout as JSON Lines, each line of type `T`.
    pub fn jsonl<T: Document>(&self) -> Vec<T> {
        self.stdout
            .lines()
            .map(|l| schema::parse_or(l, || format!("stderr: {}", self.stderr)))
            .collect()
    }

    /// stdout as an untyped JSON value, for assertions about the document's
    /// shape itself (which keys it has).
    pub fn value(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr: {}",
                self.stdout, self.stderr
            )
        })
    }
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit {} after {:?}", self.code, self.elapsed)?;
        if let Some(kib) = self.max_rss_kib {
            write!(f, ", peak RSS {kib} KiB")?;
        }
        // Huge outputs are cut (at a character boundary) to keep failure
        // messages readable.
        const SHOWN: usize = 8000;
        let mut end = self.stdout.len().min(SHOWN);
        while !self.stdout.is_char_boundary(end) {
            end -= 1;
        }
        let cut = self.stdout.len() - end;
        write!(f, "\n--- stdout\n{}", &self.stdout[..end])?;
        if cut > 0 {
            write!(f, "\n… {cut} more bytes\n")?;
        }
        write!(f, "--- stderr\n{}", self.stderr)
    }
}

/// `hsvc ARGS…`, run to the end (see the module docs for what it is given).
pub fn hsvc<S: AsRef<str>>(args: &[S]) -> Run {
    Cmd::new(args).run()
}

// ---------------------------------------------------------------- commands

/// A command line for the binary, with the defaults of the module docs.
pub struct Cmd {
    cmd: Command,
    /// The arguments, for failure messages.
    args: Vec<String>,
    rss: bool,
    _resolv: Option<TempFile>,
}

impl Cmd {
    pub fn new<S: AsRef<str>>(args: &[S]) -> Cmd {
        let args: Vec<&str> = args.iter().map(AsRef::as_ref).collect();
        let mut cmd = Command::new(bin());
        let resolv = (!args.contains(&"--resolv-conf")).then(empty_resolv_conf);
        if let Some(r) = &resolv {
            cmd.arg("--resolv-conf").arg(r);
        }
        cmd.args(&args)
            .env_remove("HSVC_SERVER")
            .env_remove("HSVC_NAMESPACE")
            .env("NO_COLOR", "1");
        Cmd {
            cmd,
            args: args.iter().map(|a| a.to_string()).collect(),
            rss: false,
            _resolv: resolv,
        }
    }

    /// Samples the run's peak resident set every millisecond from
    /// `/proc/PID/status` (`VmHWM`, which a program starts afresh at
    /// exec) into [`Run::max_rss_kib`]. (`ru_maxrss` from wait4 is no use
    /// here: Linux carries the forking process's high-water mark across
    /// exec, so every child would report at least the test's own RSS.)
    pub fn measure_rss(mut self) -> Cmd {
        self.rss = true;
        self
    }

    pub fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Cmd {
        self.cmd.env(key, value);
        self
    }

    pub fn env_remove(mut self, key: &str) -> Cmd {
        self.cmd.env_remove(key);
        self
    }

    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Cmd {
        self.cmd.current_dir(dir);
        self
    }

    /// Runs to the end with nothing on stdin.
    pub fn run(self) -> Run {
        self.run_with_stdin(b"")
    }

    /// Runs to the end with `input` on stdin.
    pub fn run_with_stdin(mut self, input: &[u8]) -> Run {
        let started = Instant::now();
        let mut child = self
            .cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run hsvc");
        let mut stdin = child.stdin.take().unwrap();
        let input = input.to_vec();
        // Threads of their own: the child may fill stdout before it has
        // read all of its input, or fill stderr before stdout is read.
        let writer = std::thread::spawn(move || {
            let _ = stdin.write_all(&input);
        });
        let stdout = read_all(child.stdout.take().unwrap());
        let stderr = read_all(child.stderr.take().unwrap());
        let pid = child.id();
        let mut peak = None;
        let status = loop {
            if self.rss {
                if let Some(kib) = vm_hwm_kib(pid) {
                    peak = Some(peak.map_or(kib, |p: i64| p.max(kib)));
                }
            }
            if let Some(status) = child.try_wait().expect("wait for hsvc") {
                break status;
            }
            if started.elapsed() > HANG {
                let _ = child.kill();
                let _ = child.wait();
                panic!("hsvc hangs: killed after {HANG:?}: {:?}", self.args);
            }
            std::thread::sleep(Duration::from_millis(if self.rss { 1 } else { 2 }));
        };
        let elapsed = started.elapsed();
        let _ = writer.join();
        Run {
            code: status.code().unwrap_or(-1),
            stdout: String::from_utf8(stdout.join().unwrap()).expect("stdout is UTF-8"),
            stderr: String::from_utf8(stderr.join().unwrap()).expect("stderr is UTF-8"),
            elapsed,
            max_rss_kib: peak,
        }
    }

    /// Starts the binary with stdin, stdout and stderr piped; stdout is read
    /// line by line as it comes ([`Spawned::line`]).
    pub fn spawn(self) -> Spawned {
        let mut s = self.spawn_unread();
        let stdout = s.child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        s.lines = Some(rx);
        s
    }

    /// Like [`Cmd::spawn`], but stdout is left to the caller in
    /// `child.stdout` (to close it early, say).
    pub fn spawn_unread(mut self) -> Spawned {
        let mut child = self
            .cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start hsvc");
        let stdin = child.stdin.take();
        let stderr = read_all(child.stderr.take().unwrap());
        Spawned {
            child,
            lines: None,
            stdin,
            stderr: Some(stderr),
            seen: Vec::new(),
            _resolv: self._resolv.take(),
        }
    }
}

/// Reads `r` to the end on a thread of its own.
fn read_all(mut r: impl Read + Send + 'static) -> JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = r.read_to_end(&mut v);
        v
    })
}

/// The peak resident set of a live process, KiB (`VmHWM`).
fn vm_hwm_kib(pid: u32) -> Option<i64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

// ---------------------------------------------------------------- children

/// A running `hsvc`, killed (by its pid, through [`Child::kill`]) and
/// reaped when dropped, also when the test panics.
pub struct Spawned {
    pub child: Child,
    lines: Option<Receiver<String>>,
    stdin: Option<ChildStdin>,
    stderr: Option<JoinHandle<Vec<u8>>>,
    /// Every stdout line read so far, for failure messages.
    seen: Vec<String>,
    _resolv: Option<TempFile>,
}

impl Spawned {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The next stdout line; panics after [`PATIENCE`] or when stdout ends.
    pub fn line(&mut self) -> String {
        match self.recv(PATIENCE) {
            Ok(l) => l,
            Err(RecvTimeoutError::Timeout) => panic!(
                "no line from hsvc within {PATIENCE:?}; so far:\n{}",
                self.seen.join("\n")
            ),
            Err(RecvTimeoutError::Disconnected) => {
                panic!("hsvc closed its stdout; so far:\n{}", self.seen.join("\n"))
            }
        }
    }

    /// The next stdout line of type `T` (its `schema` checked).
    pub fn json<T: Document>(&mut self) -> T {
        let l = self.line();
        schema::parse(&l)
    }

    /// The next stdout line if one comes within `wait` (zero: only one
    /// already there); panics when stdout ends.
    pub fn try_line(&mut self, wait: Duration) -> Option<String> {
        match self.recv(wait) {
            Ok(l) => Some(l),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => {
                panic!("hsvc closed its stdout; so far:\n{}", self.seen.join("\n"))
            }
        }
    }

    /// The next stdout line, or `None` at the end of stdout; panics after
    /// [`PATIENCE`].
    pub fn next_line(&mut self) -> Option<String> {
        match self.recv(PATIENCE) {
            Ok(l) => Some(l),
            Err(RecvTimeoutError::Disconnected) => None,
            Err(RecvTimeoutError::Timeout) => panic!(
                "no line from hsvc within {PATIENCE:?}; so far:\n{}",
                self.seen.join("\n")
            ),
        }
    }

    fn recv(&mut self, wait: Duration) -> Result<String, RecvTimeoutError> {
        let rx = self.lines.as_ref().expect("stdout is read by Spawned");
        let l = rx.recv_timeout(wait)?;
        self.seen.push(l.clone());
        Ok(l)
    }

    /// Writes `line` and a newline to stdin, flushed.
    pub fn send(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin still open");
        writeln!(stdin, "{line}").expect("write to hsvc's stdin");
        stdin.flush().expect("flush hsvc's stdin");
    }

    /// Closes stdin (end of input).
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// Ctrl-C: SIGINT to this pid.
    pub fn interrupt(&self) {
        let ok = Command::new("kill")
            .args(["-INT", &self.pid().to_string()])
            .status()
            .expect("run kill");
        assert!(ok.success(), "kill -INT {}", self.pid());
    }

    /// SIGTERM to this pid (what `kubectl delete pod` or systemd sends).
    pub fn terminate(&self) {
        let ok = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status()
            .expect("run kill");
        assert!(ok.success(), "kill -TERM {}", self.pid());
    }

    /// Closes stdin, waits for the exit; the exit code and all of stderr.
    pub fn wait(mut self) -> (i32, String) {
        self.stdin = None;
        let status = self.child.wait().expect("wait for hsvc");
        let stderr = self
            .stderr
            .take()
            .map(|t| t.join().unwrap_or_default())
            .unwrap_or_default();
        (
            status.code().unwrap_or(-1),
            String::from_utf8_lossy(&stderr).into_owned(),
        )
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
