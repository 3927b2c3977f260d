//! Real DNS servers for the interop suite: BIND 9, Knot and dnsdist started
//! on 127.0.0.1 and free unprivileged ports, each in its own temporary
//! directory, each process killed by its pid when its guard is dropped
//! (also when a test panics).
//!
//! The zones come from `hsvc_cluster::Cluster`, so the expected answers are
//! computed from the same model the servers load.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use hickory_proto::op::{Message, ResponseCode};
use hickory_proto::rr::rdata::SRV;
use hickory_proto::rr::{Name, RData, Record, RecordType};
use hsvc_cluster::cluster::{dashed_ip, rdata_text};
use hsvc_cluster::{Cluster, Endpoint, Port, Service};
use tempfile::TempDir;

use super::dns::{blocking_tcp_raw, blocking_udp_raw, query_bytes};
use super::schema::ResolveDoc;

pub const NAMED: &str = "/usr/sbin/named";
pub const KNOTD: &str = "/usr/sbin/knotd";
pub const DNSDIST: &str = "/usr/bin/dnsdist";
pub const NSUPDATE: &str = "/usr/bin/nsupdate";

const INSTALL: &str = "run .ci/run or apt-get install -y bind9 knot dnsdist bind9-dnsutils";

/// `true` when every binary in `tools` exists; otherwise prints one
/// `skipped:` line naming the test and what is missing.
pub fn have(test: &str, tools: &[&str]) -> bool {
    let missing: Vec<&str> = tools
        .iter()
        .copied()
        .filter(|t| !Path::new(t).exists())
        .collect();
    if missing.is_empty() {
        return true;
    }
    // Straight to the process's stderr: libtest captures eprintln! of a
    // passing test, and this line must be seen in a plain `cargo test`.
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "skipped: {test}: {} not installed ({INSTALL})",
        missing.join(", ")
    );
    false
}

// ---------------------------------------------------------------- cluster

/// The interop cluster: the worked example (docs/cluster-dns.md §7) plus, in namespace
/// `interop`, StatefulSets of 3, 100, 1000 and 3000 pods, a 100-pod
/// Deployment, and dual-stack StatefulSet and Deployment Services.
///
/// `web3000` has no ports: 3000 SRV records are one RRset of about 135 KB,
/// which BIND refuses to load ("ran out of space", an RRset must fit in
/// 64 KiB), so that Service is A-only (a headless Service may have no
/// ports, docs/cluster-dns.md R6.6). Its A RRset (48 KB) does load, and its answer needs
/// TCP.
pub fn interop_cluster() -> Cluster {
    let mut c = Cluster::example();
    for (i, n) in [3usize, 100, 1000, 3000].into_iter().enumerate() {
        let mut svc = Service::statefulset(
            "interop",
            &format!("web{n}"),
            n,
            Ipv4Addr::new(10, 100 + i as u8, 0, 1),
            ("http", 8080),
        );
        if n == 3000 {
            svc.ports.clear();
        }
        c = c.with_service(svc);
    }
    c = c.with_service(Service::deployment(
        "interop",
        "dep100",
        100,
        Ipv4Addr::new(10, 110, 0, 1),
        ("http", 8080),
    ));
    c = c.with_service(dual_stack("dual", true, 6));
    c.with_service(dual_stack("dualdep", false, 4))
}

/// A dual-stack Service in `interop`: `n` pods, each with 10.120.x.i and
/// fd00:120:x::i; with hostnames (StatefulSet) or without (Deployment:
/// each family gets its own dashed name, docs/cluster-dns.md R14.3).
pub fn dual_stack(name: &str, hostnames: bool, n: usize) -> Service {
    let x = if hostnames { 1 } else { 2 };
    let endpoints = (0..n)
        .map(|i| {
            let v4 = IpAddr::V4(Ipv4Addr::new(10, 120, x, i as u8 + 1));
            let v6 = IpAddr::V6(Ipv6Addr::new(
                0xfd00,
                0x120,
                x as u16,
                0,
                0,
                0,
                0,
                i as u16 + 1,
            ));
            if hostnames {
                Endpoint::named(&format!("{name}-{i}"), vec![v4, v6])
            } else {
                Endpoint::ips(vec![v4, v6])
            }
        })
        .collect();
    Service::headless("interop", name, vec![Port::tcp("grpc", 9000)], endpoints)
}

/// A cluster holding only `ns/name` as a StatefulSet of `replicas` pods
/// (10.130.0.1 upwards, port http 8080), for scaling scenarios.
pub fn scaled(ns: &str, name: &str, replicas: usize) -> Cluster {
    let mut c = Cluster::new("cluster.local");
    c.services.push(Service::statefulset(
        ns,
        name,
        replicas,
        Ipv4Addr::new(10, 130, 0, 1),
        ("http", 8080),
    ));
    c
}

// ---------------------------------------------------------------- oracle

/// (port, weight, priority) of an endpoint's SRV records.
pub type Ports = Vec<(u16, u16, u16)>;

/// What hsvc must report for one endpoint, derived from the zone records.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Expected {
    pub ip: IpAddr,
    pub hostname: Option<String>,
    /// (port, weight, priority), sorted.
    pub ports: Vec<(u16, u16, u16)>,
    pub ttl: u32,
}

fn lower(n: &Name) -> String {
    let mut s = n.to_ascii().to_ascii_lowercase();
    if !s.ends_with('.') {
        s.push('.');
    }
    s
}

/// The zone of a cluster indexed by owner name: what the expected
/// answers are computed from (built once; owner names are lower case,
/// absolute).
pub struct Oracle {
    addrs_at: HashMap<String, Vec<(IpAddr, u32)>>,
    srv_at: HashMap<String, Vec<SRV>>,
    ptr_at: HashMap<String, Vec<String>>,
}

impl Oracle {
    pub fn new(cluster: &Cluster) -> Oracle {
        let mut o = Oracle {
            addrs_at: HashMap::new(),
            srv_at: HashMap::new(),
            ptr_at: HashMap::new(),
        };
        for r in cluster.records() {
            let owner = lower(&r.name);
            match &r.data {
                RData::A(a) => o
                    .addrs_at
                    .entry(owner)
                    .or_default()
                    .push((IpAddr::V4(a.0), r.ttl)),
                RData::AAAA(a) => o
                    .addrs_at
                    .entry(owner)
                    .or_default()
                    .push((IpAddr::V6(a.0), r.ttl)),
                RData::SRV(srv) => o.srv_at.entry(owner).or_default().push(srv.clone()),
                RData::PTR(p) => o.ptr_at.entry(owner).or_default().push(lower(&p.0)),
                _ => {}
            }
        }
        o
    }

    /// The endpoints of `fqdn` as the zone defines them: addresses at the
    /// name, joined with the SRV records at the name through the SRV
    /// targets' addresses (or their dashed-IP label).
    pub fn expected(&self, fqdn: &str) -> Vec<Expected> {
        // Per address: the first SRV target's label and every SRV port.
        let at: &[(IpAddr, u32)] = self
            .addrs_at
            .get(fqdn)
            .map(Vec::as_slice)
            .unwrap_or_default();
        // Dashed-IP labels (Deployment pods) name their address (docs/cluster-dns.md R4.1).
        let dashed: HashMap<String, IpAddr> =
            at.iter().map(|(ip, _)| (dashed_ip(*ip), *ip)).collect();
        let mut by_ip: HashMap<IpAddr, (String, Ports)> = HashMap::new();
        for s in self.srv_at.get(fqdn).map(Vec::as_slice).unwrap_or_default() {
            let target = lower(&s.target);
            let label = target.split('.').next().unwrap_or_default().to_string();
            let mut ips: Vec<IpAddr> = self
                .addrs_at
                .get(&target)
                .map(|v| v.iter().map(|(ip, _)| *ip).collect())
                .unwrap_or_default();
            ips.extend(dashed.get(&label));
            for ip in ips {
                let e = by_ip
                    .entry(ip)
                    .or_insert_with(|| (label.clone(), Vec::new()));
                e.1.push((s.port, s.weight, s.priority));
            }
        }
        let mut out: Vec<Expected> = at
            .iter()
            .map(|&(ip, ttl)| {
                let (hostname, mut ports) = match by_ip.get(&ip) {
                    Some((l, p)) => (Some(l.clone()), p.clone()),
                    None => (None, Vec::new()),
                };
                ports.sort();
                ports.dedup();
                Expected {
                    ip,
                    hostname,
                    ports,
                    ttl,
                }
            })
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// PTR targets of `ip` in the zone, sorted.
    pub fn ptr(&self, ip: IpAddr) -> Vec<String> {
        let owner = hsvc_cluster::cluster::reverse_name(ip);
        let mut v = self.ptr_at.get(&owner).cloned().unwrap_or_default();
        v.sort();
        v
    }
}

/// The same shape read back from an `hsvc resolve -o json` document.
pub fn reported(doc: &ResolveDoc) -> Vec<Expected> {
    let mut out: Vec<Expected> = doc
        .endpoints
        .iter()
        .map(|e| {
            let mut ports: Vec<(u16, u16, u16)> = e
                .ports
                .iter()
                .map(|p| (p.port, p.weight, p.priority))
                .collect();
            ports.sort();
            Expected {
                ip: e.ip.parse().unwrap(),
                hostname: e.hostname.clone(),
                ports,
                ttl: e.ttl,
            }
        })
        .collect();
    out.sort();
    out
}

// ---------------------------------------------------------------- processes

/// A server process, killed by its pid when dropped, with its temporary
/// directory (removed then, unless `HSVC_INTEROP_KEEP` is set).
pub struct Proc {
    pub what: &'static str,
    pub addr: SocketAddr,
    pub dir: PathBuf,
    temp: Option<TempDir>,
    child: Child,
}

impl Proc {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The server's log so far (stderr/stdout), for failure messages.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
    }

    /// `--server ADDR` arguments for hsvc.
    pub fn server_arg(&self) -> String {
        self.addr.to_string()
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        // Child::kill sends SIGKILL to this pid and nothing else.
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(dir) = self.temp.take() {
            if std::env::var_os("HSVC_INTEROP_KEEP").is_some() {
                let kept = dir.keep();
                eprintln!("{}: kept {}", self.what, kept.display());
            }
        }
    }
}

/// A fresh temporary directory for one server.
pub fn temp_dir(what: &str) -> TempDir {
    tempfile::Builder::new()
        .prefix(&format!("hsvc-interop-{what}-"))
        .tempdir()
        .expect("temp dir")
}

/// A port on 127.0.0.1 that is free for both UDP and TCP right now. The
/// listeners are closed before the server binds it.
pub fn free_port() -> SocketAddr {
    for _ in 0..100 {
        let tcp = TcpListener::bind("127.0.0.1:0").expect("bind tcp");
        let addr = tcp.local_addr().unwrap();
        if UdpSocket::bind(addr).is_ok() {
            return addr;
        }
    }
    panic!("no free port on 127.0.0.1");
}

fn spawn(what: &'static str, temp: TempDir, addr: SocketAddr, cmd: &mut Command) -> Proc {
    let dir = temp.path().to_path_buf();
    let log = std::fs::File::create(dir.join("server.log")).unwrap();
    let child = cmd
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
    Proc {
        what,
        addr,
        dir,
        temp: Some(temp),
        child,
    }
}

fn write_zones(dir: &Path, cluster: &Cluster) {
    for (origin, text) in cluster.zone_files() {
        let file = dir.join(format!("db.{}", origin.trim_end_matches('.')));
        std::fs::write(file, text).unwrap();
    }
}

/// BIND 9 serving `cluster`'s three zones with the options of docs/cluster-dns.md §6
/// (plus `notify no`, so it never sends NOTIFY to the zone's NS address,
/// and `allow-update` from loopback for nsupdate scenarios).
pub fn bind(cluster: &Cluster) -> Proc {
    let temp = temp_dir("bind");
    let dir = temp.path().to_path_buf();
    write_zones(&dir, cluster);
    let addr = free_port();
    let d = dir.display();
    let mut conf = format!(
        r#"options {{
  directory "{d}";
  pid-file "{d}/named.pid";
  session-keyfile "{d}/session.key";
  listen-on port {port} {{ 127.0.0.1; }};
  listen-on-v6 {{ none; }};
  recursion no;
  dnssec-validation no;
  check-names primary ignore;
  minimal-responses no-auth;
  max-records-per-type 0;
  notify no;
  allow-update {{ 127.0.0.0/8; }};
}};
controls {{ }};
"#,
        port = addr.port()
    );
    for (origin, _) in cluster.zone_files() {
        let o = origin.trim_end_matches('.');
        let _ = writeln!(conf, "zone \"{o}\" {{ type primary; file \"db.{o}\"; }};");
    }
    std::fs::write(dir.join("named.conf"), conf).unwrap();
    let p = spawn(
        "named",
        temp,
        addr,
        Command::new(NAMED)
            .args(["-g", "-n", "1", "-u", "root", "-c"])
            .arg(dir.join("named.conf")),
    );
    wait_ready(&p);
    p
}

/// Knot serving `cluster`'s three zones (docs/cluster-dns.md §6, semantic checks off).
pub fn knot(cluster: &Cluster) -> Proc {
    let temp = temp_dir("knot");
    let dir = temp.path().to_path_buf();
    write_zones(&dir, cluster);
    std::fs::create_dir_all(dir.join("run")).unwrap();
    let addr = free_port();
    let d = dir.display();
    let mut conf = format!(
        r#"server:
    rundir: "{d}/run"
    listen: {ip}@{port}
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
database:
    storage: "{d}/run"
template:
  - id: default
    storage: "{d}"
    semantic-checks: off
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
zone:
"#,
        ip = addr.ip(),
        port = addr.port()
    );
    for (origin, _) in cluster.zone_files() {
        let o = origin.trim_end_matches('.');
        let _ = writeln!(conf, "  - domain: {o}\n    file: \"db.{o}\"");
    }
    std::fs::write(dir.join("knot.conf"), conf).unwrap();
    let p = spawn(
        "knotd",
        temp,
        addr,
        Command::new(KNOTD).arg("-c").arg(dir.join("knot.conf")),
    );
    wait_ready(&p);
    p
}

/// One dnsdist rule: a query name (absolute) and the Lua action for it.
pub struct Rule<'a> {
    pub qname: &'a str,
    pub action: &'a str,
}

/// dnsdist in front of `backend`, with `rules` applied by query name.
/// Security polling is switched off so dnsdist sends nothing beyond
/// loopback.
pub fn dnsdist(backend: &Proc, rules: &[Rule<'_>]) -> Proc {
    let temp = temp_dir("dnsdist");
    let dir = temp.path().to_path_buf();
    let addr = free_port();
    let mut conf = format!(
        "setSecurityPollSuffix(\"\")\n\
         setLocal(\"{addr}\")\n\
         newServer({{address=\"{backend}\", checkName=\"cluster.local.\", checkType=\"SOA\", checkInterval=1}})\n",
        backend = backend.addr
    );
    for r in rules {
        let _ = writeln!(conf, "addAction(QNameRule(\"{}\"), {})", r.qname, r.action);
    }
    std::fs::write(dir.join("dnsdist.conf"), conf).unwrap();
    let p = spawn(
        "dnsdist",
        temp,
        addr,
        Command::new(DNSDIST)
            .args(["--supervised", "--disable-syslog", "-C"])
            .arg(dir.join("dnsdist.conf")),
    );
    wait_ready(&p);
    p
}

/// Waits until `p` answers `cluster.local. SOA` over UDP and TCP (asked
/// with the tests' own DNS client).
pub fn wait_ready(p: &Proc) {
    let wait = Duration::from_millis(300);
    let started = Instant::now();
    loop {
        let ok = [blocking_udp_raw, blocking_tcp_raw].iter().all(|ask| {
            let q = query_bytes(0x5eed, "cluster.local.", RecordType::SOA, Some(1232));
            ask(p.addr, &q, wait)
                .and_then(|raw| Message::from_vec(&raw).ok())
                .is_some_and(|m| m.metadata.response_code == ResponseCode::NoError)
        });
        if ok {
            return;
        }
        if started.elapsed() > Duration::from_secs(30) {
            panic!(
                "{} (pid {}) did not answer on {} within 30 s; log:\n{}",
                p.what,
                p.pid(),
                p.addr,
                p.log()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

// ---------------------------------------------------------------- nsupdate

/// The nsupdate script that turns the zones of `from` into those of `to`:
/// per zone, delete the records only `from` has and add those only `to`
/// has, in one `send` (one atomic update, one SOA serial step).
pub fn update_script(server: SocketAddr, from: &Cluster, to: &Cluster) -> String {
    let text = |r: &Record| {
        format!(
            "{} {} IN {} {}",
            r.name.to_ascii(),
            r.ttl,
            r.record_type(),
            rdata_text(&r.data)
        )
    };
    // nsupdate checks names itself; A records at `_port._proto` owners
    // (docs/cluster-dns.md R7.4) fail that check.
    let mut s = format!(
        "server {} {}\ncheck-names off\n",
        server.ip(),
        server.port()
    );
    let zones: Vec<(String, Vec<Record>, Vec<Record>)> = vec![
        (
            format!("{}.", from.domain),
            from.forward_records(),
            to.forward_records(),
        ),
        (
            "in-addr.arpa.".into(),
            from.reverse_records(false),
            to.reverse_records(false),
        ),
    ];
    for (zone, old, new) in zones {
        let old_t: Vec<String> = old
            .iter()
            .filter(|r| r.record_type() != RecordType::SOA)
            .map(text)
            .collect();
        let new_t: Vec<String> = new
            .iter()
            .filter(|r| r.record_type() != RecordType::SOA)
            .map(text)
            .collect();
        let del: Vec<&String> = old_t.iter().filter(|r| !new_t.contains(r)).collect();
        let add: Vec<&String> = new_t.iter().filter(|r| !old_t.contains(r)).collect();
        if del.is_empty() && add.is_empty() {
            continue;
        }
        let _ = writeln!(s, "zone {zone}");
        for r in del {
            // `update delete NAME TYPE RDATA` (no TTL, no class).
            let mut f = r.splitn(4, ' ');
            let (owner, _ttl, _class) = (f.next().unwrap(), f.next(), f.next());
            let _ = writeln!(s, "update delete {owner} {}", f.next().unwrap());
        }
        for r in add {
            let _ = writeln!(s, "update add {r}");
        }
        s.push_str("send\n");
    }
    s
}

/// Runs nsupdate with `script` on stdin; panics with its output on failure.
pub fn nsupdate(script: &str) {
    use std::io::Write;
    let mut child = Command::new(NSUPDATE)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start nsupdate");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "nsupdate failed: {}\n{}\nscript:\n{script}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
