//! The command line, and only that: clap definitions shared by the binary
//! and the generators of completions and man pages.

// The doc comments here are clap's help text, written for a terminal:
// `[IPv6]:PORT` is notation there, not a rustdoc link.
#![allow(rustdoc::broken_intra_doc_links)]

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub use crate::diag::ColorChoice;

/// Resolve, diff, watch, pick and check the pods behind Kubernetes headless
/// Services, straight from cluster DNS.
///
/// hsvc asks cluster DNS directly (never /etc/hosts, never a cache, never a
/// public resolver) and always says which server answered.
#[derive(Debug, Parser)]
#[command(name = "hsvc", version, propagate_version = true, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Help heading of the options that say how DNS is asked.
pub const DNS_OPTIONS: &str = "DNS options";
/// Help heading of the options that say how results are printed.
pub const OUTPUT_OPTIONS: &str = "Output options";
/// Help heading of the options that say how the Kubernetes API is reached.
pub const API_OPTIONS: &str = "Kubernetes API options";

/// Options that every command takes, each under its help heading: the
/// command's own options come first in `--help`.
#[derive(Clone, Debug, Args)]
pub struct GlobalArgs {
    /// DNS server to ask: IP, IP:PORT or [IPv6]:PORT; repeatable. `kube`:
    /// every CoreDNS replica through the Kubernetes API server.
    ///
    /// Replaces only the nameservers of resolv.conf: its search list and
    /// ndots still apply. Without it, the nameservers of --resolv-conf are
    /// asked in order. `--server kube` (with --kubeconfig/--context) finds
    /// the pods behind kube-system/kube-dns (--dns-service) and asks each
    /// over TCP on a port-forward of its own (RBAC: create pods/portforward
    /// there): from a laptop, no pod IP needs to be routable. Each replica
    /// is a server named by its pod: diff and watch compare them. `@ADDR`
    /// after the command is the same, as in dig: `hsvc resolve web.awx
    /// @127.0.0.1:5353`.
    #[arg(
        help_heading = DNS_OPTIONS,
        long = "server",
        short = 's',
        global = true,
        value_name = "ADDR",
        env = "HSVC_SERVER",
        value_delimiter = ','
    )]
    pub servers: Vec<String>,

    /// resolv.conf to read nameservers, search list and ndots from [default: /etc/resolv.conf].
    #[arg(help_heading = DNS_OPTIONS, long, global = true, value_name = "PATH")]
    pub resolv_conf: Option<PathBuf>,

    /// Use TCP only (what `kubectl port-forward` carries).
    #[arg(help_heading = DNS_OPTIONS, long, global = true)]
    pub tcp: bool,

    /// Time to wait for each try, e.g. 500ms, 2s.
    #[arg(help_heading = DNS_OPTIONS, long, global = true, value_name = "DUR", default_value = "2s", value_parser = parse_duration)]
    pub timeout: Duration,

    /// Tries per server before giving up.
    #[arg(help_heading = DNS_OPTIONS, long, global = true, value_name = "N", default_value_t = 2,
          value_parser = clap::value_parser!(u32).range(1..=10))]
    pub attempts: u32,

    /// EDNS0 UDP payload size to advertise; 0 sends no EDNS0 (512-byte UDP).
    #[arg(help_heading = DNS_OPTIONS, long, global = true, value_name = "BYTES", default_value_t = hsvc_resolve::dns::DEFAULT_EDNS_SIZE)]
    pub edns_size: u16,

    /// Cluster domain [default: from the resolv.conf search list, else cluster.local].
    #[arg(help_heading = DNS_OPTIONS, long, global = true, value_name = "DOMAIN")]
    pub cluster_domain: Option<String>,

    /// The pod's ndots: replaces resolv.conf's `options ndots:N` (0..=15).
    #[arg(help_heading = DNS_OPTIONS, long, global = true, value_name = "N",
          value_parser = clap::value_parser!(u8).range(0..=15))]
    pub ndots: Option<u8>,

    /// A domain of the pod's search list, in order; repeatable. Replaces
    /// resolv.conf's `search` line, e.g. `--search-domain default.svc.cluster.local
    /// --search-domain svc.cluster.local --search-domain cluster.local`.
    #[arg(help_heading = DNS_OPTIONS, long = "search-domain", global = true, value_name = "DOMAIN")]
    pub search_domains: Vec<String>,

    /// Keep IPv4 addresses only (A records), in answers and in pick/check targets.
    #[arg(help_heading = DNS_OPTIONS, short = '4', long = "ipv4", global = true, conflicts_with = "ipv6")]
    pub ipv4: bool,

    /// Keep IPv6 addresses only (AAAA records), in answers and in pick/check targets.
    #[arg(help_heading = DNS_OPTIONS, short = '6', long = "ipv6", global = true)]
    pub ipv6: bool,

    /// Namespace of short names [default: from the resolv.conf search list, else default].
    #[arg(
        help_heading = DNS_OPTIONS,
        short = 'n',
        long,
        global = true,
        value_name = "NS",
        env = "HSVC_NAMESPACE",
        value_delimiter = ','
    )]
    pub namespace: Vec<String>,

    /// Output format.
    #[arg(help_heading = OUTPUT_OPTIONS, short = 'o', long, global = true, value_enum, default_value_t = Format::Table)]
    pub output: Format,

    /// Print tables without their header line (as kubectl's --no-headers).
    #[arg(help_heading = OUTPUT_OPTIONS, long, global = true)]
    pub no_headers: bool,

    /// When to use colour (NO_COLOR in the environment turns `auto` off).
    #[arg(help_heading = OUTPUT_OPTIONS, long, global = true, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Diagnostics on stderr: -v settings and every query, -vv every try.
    #[arg(help_heading = OUTPUT_OPTIONS, short = 'v', long = "verbose", global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// kubeconfig of the Kubernetes API (`--source api`, `ls`, `verify`)
    /// [default: $KUBECONFIG, else ~/.kube/config, else the pod's service account].
    #[cfg(feature = "api")]
    #[arg(help_heading = API_OPTIONS, long, global = true, value_name = "PATH")]
    pub kubeconfig: Option<PathBuf>,

    /// kubeconfig context to use [default: its current-context].
    #[cfg(feature = "api")]
    #[arg(help_heading = API_OPTIONS, long, global = true, value_name = "NAME")]
    pub context: Option<String>,

    /// A plain API URL instead of a kubeconfig, e.g. `kubectl proxy`'s
    /// http://127.0.0.1:8001 (no credentials are sent).
    #[cfg(feature = "api")]
    #[arg(help_heading = API_OPTIONS, long, global = true, value_name = "URL", conflicts_with_all = ["kubeconfig", "context"])]
    pub api_url: Option<String>,

    /// The cluster DNS Service whose pods `--server kube` asks, as NS/NAME
    /// [default: kube-system/kube-dns].
    #[cfg(feature = "api")]
    #[arg(help_heading = DNS_OPTIONS, long, global = true, value_name = "NS/NAME")]
    pub dns_service: Option<String>,
}

/// How results are printed: the renderers' own type, so the flag and the
/// output never drift apart.
pub use crate::output::Format;

/// The longest timeout (`--timeout`, `--connect-timeout`, `--http-timeout`):
/// past it a server is not slow but gone.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(3600);
/// The longest interval (`watch --interval`, `check --interval`) and run
/// (`watch --duration`): a year, far below what `Instant` arithmetic can
/// hold, so no value a user types can overflow a deadline.
pub const MAX_SPAN: Duration = Duration::from_secs(366 * 24 * 3600);

fn parse_span(s: &str, max: Duration) -> Result<Duration, String> {
    let d = humantime::parse_duration(s).map_err(|e| e.to_string())?;
    if d.is_zero() {
        return Err("must be greater than zero".into());
    }
    if d > max {
        return Err(format!(
            "must be at most {}",
            humantime::format_duration(max)
        ));
    }
    Ok(d)
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    parse_span(s, MAX_TIMEOUT)
}

fn parse_long_duration(s: &str) -> Result<Duration, String> {
    parse_span(s, MAX_SPAN)
}

/// The Examples section of each subcommand's help. Every line that starts
/// with `  hsvc ` runs as printed against `hsvc demo --serve` (which
/// listens on 127.0.0.1:5353): tests/conventions.rs runs them.
pub mod examples {
    /// `hsvc resolve`.
    pub const RESOLVE: &str = "\
Examples (against `hsvc demo --serve`, on 127.0.0.1:5353):
  hsvc resolve web-headless.awx @127.0.0.1:5353
  hsvc resolve web-headless.awx @127.0.0.1:5353 -o yaml
  hsvc resolve db.awx @127.0.0.1:5353 -6 --port-name postgres
  hsvc resolve web-0.web-headless.awx @127.0.0.1:5353 -o plain
  hsvc resolve web-headless @127.0.0.1:5353 --search --search-domain awx.svc.cluster.local
  hsvc resolve web-headless.awx @127.0.0.1:5353 --search --ndots 2 --search-domain svc.cluster.local
  hsvc resolve _http._tcp.web-headless.awx @127.0.0.1:5353
";
    /// `hsvc pick`.
    pub const PICK: &str = "\
Examples (against `hsvc demo --serve`, on 127.0.0.1:5353):
  hsvc pick web-headless.awx @127.0.0.1:5353 -c 6
  hsvc pick web-headless.awx @127.0.0.1:5353 --policy weighted --weight web-0=3 -c 5
  hsvc pick web-headless.awx @127.0.0.1:5353 -k alice -k bob --policy maglev
  hsvc pick web-headless.awx @127.0.0.1:5353 --simulate 10000
";
    /// `hsvc check`.
    pub const CHECK: &str = "\
Examples (against `hsvc demo --serve`, on 127.0.0.1:5353):
  hsvc check api.shop @127.0.0.1:5353 -p 8080
  hsvc check api.shop @127.0.0.1:5353 --http /healthz --min-healthy 1 -o json
";
    /// `hsvc diff`.
    pub const DIFF: &str = "\
Examples (against `hsvc demo --serve`, on 127.0.0.1:5353):
  hsvc diff web-headless -n awx -n default @127.0.0.1:5353
  hsvc diff web-headless.awx web-headless.default @127.0.0.1:5353 --by hostname -o yaml
";
    /// `hsvc watch`.
    pub const WATCH: &str = "\
Examples (against `hsvc demo --serve`, on 127.0.0.1:5353):
  hsvc watch web-headless.awx @127.0.0.1:5353 --interval 1s -c 3
  hsvc watch web-headless.awx db.awx @127.0.0.1:5353 -c 2 -o jsonl
";
    /// `hsvc completions`.
    pub const COMPLETIONS: &str = "\
Examples:
  hsvc completions bash
  hsvc completions zsh
";
    /// `hsvc demo`.
    pub const DEMO: &str = "\
Examples:
  hsvc demo
  hsvc demo --serve --listen 127.0.0.1:5353
";
    /// `hsvc ls`.
    pub const LS: &str = "\
Examples (against a cluster: `kubectl proxy` serves its API on 127.0.0.1:8001):
  hsvc ls -A --api-url http://127.0.0.1:8001
  hsvc ls -n awx -o yaml
";
    /// `hsvc verify`.
    pub const VERIFY: &str = "\
Examples (against a cluster: `kubectl proxy` serves its API on 127.0.0.1:8001):
  hsvc verify web-headless.awx --api-url http://127.0.0.1:8001
  hsvc verify web-headless.awx --server 10.96.0.10 -o json
";
}

#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum Command {
    /// Resolve a Service (or pod, SRV name, IP) into its pods.
    ///
    /// NAME forms: SVC, SVC.NS, SVC.NS.svc, SVC.NS.svc.ZONE, POD.SVC.NS,
    /// _PORT._PROTO.SVC.NS, an IPv4/IPv6 address (PTR), or any name with a
    /// trailing dot (absolute). A, AAAA and SRV are asked concurrently.
    #[command(after_help = examples::RESOLVE)]
    Resolve(ResolveArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    #[command(after_help = examples::COMPLETIONS)]
    Completions(CompletionsArgs),
    /// Pick endpoints as a client-side balancer would (round-robin, weighted, hash, maglev).
    ///
    /// Resolves NAME, sorts its pods into a canonical order (so DNS answer
    /// order never matters) and prints the selections of the chosen policy:
    /// `--count` picks for the sequence policies, one pick per key for the
    /// hash policies. With `--simulate N` it reports the distribution
    /// instead.
    #[command(after_help = examples::PICK)]
    Pick(PickArgs),
    /// Probe every pod behind a Service: which ones answer?
    ///
    /// Resolves NAME like `resolve`, then connects to each pod (TCP by
    /// default, or an HTTP GET with --http) with bounded concurrency, and
    /// reports each result and `k of n healthy`. Exit 0 when enough targets
    /// are healthy (--min-healthy, default all), 1 when fewer are (or the
    /// name has no pods), 2 on bad usage, 3 when DNS fails.
    #[command(after_help = examples::CHECK)]
    Check(CheckArgs),
    /// Compare the pods of names, namespaces or DNS servers.
    ///
    /// Sources are every NAME × every -n namespace × every server: several
    /// names (`diff web.awx web.default`), one short name across
    /// namespaces (`diff web -n awx -n staging`), or one name across DNS
    /// servers (`--server A --server B diff web.awx` asks each server on
    /// its own, as one would ask each CoreDNS replica). NXDOMAIN is an empty
    /// set. Exit 0 identical, 1 different, 2 usage, 3 a source failed.
    #[command(after_help = examples::DIFF)]
    Diff(DiffArgs),
    /// Re-resolve names and report pods as they come and go.
    ///
    /// Prints the initial set of each source, then one event per change
    /// (added, removed, changed, nxdomain, error, recovered) with an RFC 3339
    /// time and the resulting count. Re-resolves every TTL (at least 1 s)
    /// unless --interval; stops after --count resolutions, after
    /// --duration, or on Ctrl-C, with a summary. DNS failures are events,
    /// not exits.
    #[command(after_help = examples::WATCH)]
    Watch(WatchArgs),
    /// An embedded cluster DNS and a guided tour of every command.
    ///
    /// With no flags: starts a DNS server on --listen that answers as
    /// CoreDNS would for an example cluster, and runs resolve, the search
    /// walk, diff, pick, watch during a scale-up and check against it,
    /// printing each command before its output. --serve only serves (until
    /// Ctrl-C); --zone FILE serves your own zone file instead.
    #[cfg(feature = "demo")]
    #[command(after_help = examples::DEMO)]
    Demo(DemoArgs),
    /// List the headless Services of a namespace (-n) or of every one (-A), from the Kubernetes API.
    ///
    /// Like `kubectl get svc -A | grep None`, with ports, selector, ready
    /// and total endpoints (pods) and publishNotReadyAddresses. Asks
    /// fieldSelector=spec.clusterIP=None, filtering here on servers that
    /// refuse it.
    #[cfg(feature = "api")]
    #[command(after_help = examples::LS)]
    Ls(LsArgs),
    /// Check cluster DNS against the Kubernetes API: is every pod that
    /// should be in DNS there, and nothing else?
    ///
    /// Reads the Service and its EndpointSlices, predicts what CoreDNS's
    /// kubernetes plugin should answer (published iff ready is unset or
    /// true; hostname, else the dashed IP) and compares it with the answer
    /// of every DNS server, each asked on its own. Every difference is named
    /// with its likely cause. Exit 0 when every server matches, 1 when
    /// something differs, 2 usage, 3 when DNS or the API failed.
    #[cfg(feature = "api")]
    #[command(after_help = examples::VERIFY)]
    Verify(VerifyArgs),
}

#[cfg(feature = "api")]
#[derive(Debug, Args)]
pub struct LsArgs {
    /// Every namespace (a ClusterRole must allow listing Services and EndpointSlices).
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
}

#[cfg(feature = "api")]
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The Service: SVC, SVC.NS, SVC.NS.svc or SVC.NS.svc.ZONE.
    pub name: String,
}

/// Where `resolve` reads the pods from.
#[cfg(feature = "api")]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum SourceKind {
    /// Cluster DNS.
    #[default]
    Dns,
    /// The Kubernetes API: the Service's EndpointSlices, with conditions, pods, nodes, zones and named ports.
    Api,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Only serve (until Ctrl-C).
    #[arg(long)]
    pub serve: bool,

    /// Address of the cluster DNS (UDP and TCP), answering as the kube-dns
    /// Service would; each CoreDNS replica listens on the same port at its
    /// pod address (127.244.0.2, 127.244.0.3).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:5353")]
    pub listen: std::net::SocketAddr,

    /// Port of the Kubernetes API (HTTPS with a bearer token, at the
    /// address of --listen; the written kubeconfig points at it).
    #[arg(long, value_name = "PORT", default_value_t = 6443)]
    pub api_port: u16,

    /// Port of the plain-HTTP API, as `kubectl proxy` would serve it.
    #[arg(long, value_name = "PORT", default_value_t = 8001)]
    pub proxy_port: u16,

    /// Folder for the kubeconfig and a pod's resolv.conf that --serve
    /// writes (and removes when it stops) [default: TMPDIR/hsvc-demo].
    #[arg(long, value_name = "DIR")]
    pub dir: Option<std::path::PathBuf>,

    /// Serve this RFC 1035 zone file (or several zones, each with its
    /// $ORIGIN and SOA) instead of the example cluster; implies --serve.
    #[arg(long, value_name = "FILE")]
    pub zone: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The Service (or pod, or _PORT._PROTO SRV name) whose pods to probe.
    pub name: String,

    /// DNS server to ask, as --server: `@IP`, `@IP:PORT`, `@[IPv6]:PORT` (dig's habit).
    #[arg(value_name = "@SERVER")]
    pub at: Vec<String>,

    /// Go on even when NAME is a ClusterIP Service (DNS then gives
    /// kube-proxy's virtual IP, not pods: there is nothing to balance over).
    #[arg(long)]
    pub allow_cluster_ip: bool,

    /// Read the pods from cluster DNS, or from the Kubernetes API: the
    /// endpoints CoreDNS should publish (ready, or ready unset), with the
    /// named ports of the EndpointSlices.
    #[cfg(feature = "api")]
    #[arg(long, value_enum, default_value_t = SourceKind::Dns)]
    pub source: SourceKind,

    /// Port to probe on every pod [default: every port from SRV].
    #[arg(long, short = 'p', value_name = "N", conflicts_with = "port_name",
          value_parser = clap::value_parser!(u16).range(1..))]
    pub port: Option<u16>,

    /// Probe only the Service port with this name (asks _NAME._tcp.SVC…).
    #[arg(long, value_name = "NAME")]
    pub port_name: Option<String>,

    /// Send `GET PATH HTTP/1.1` and judge the status instead of a bare TCP connect.
    #[arg(long, value_name = "PATH")]
    pub http: Option<String>,

    /// Healthy HTTP statuses with --http: classes, codes and ranges, e.g. 2xx,301 or 200-399.
    #[arg(long, value_name = "CODES", default_value = "2xx", requires = "http")]
    pub expect: hsvc_probe::Expect,

    /// Probes in flight at once (`-j` as make's jobs: `-c` is a count everywhere).
    #[arg(long, short = 'j', value_name = "N", default_value_t = 64,
          value_parser = clap::value_parser!(u32).range(1..=65536))]
    pub concurrency: u32,

    /// Time to wait for each TCP connect, e.g. 1s, 300ms.
    #[arg(long, value_name = "DUR", default_value = "1s", value_parser = parse_duration)]
    pub connect_timeout: Duration,

    /// Time for each whole HTTP exchange (connect included) with --http.
    #[arg(long, value_name = "DUR", default_value = "2s", value_parser = parse_duration)]
    pub http_timeout: Duration,

    /// Rounds to run; after the first, only state changes are reported.
    #[arg(long, value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub repeat: u32,

    /// Pause between the starts of two rounds with --repeat.
    #[arg(long, value_name = "DUR", default_value = "5s", value_parser = parse_long_duration)]
    pub interval: Duration,

    /// Healthy targets needed for exit 0: a count N or a share P% [default: 100%].
    #[arg(long, value_name = "N|P%")]
    pub min_healthy: Option<hsvc_probe::MinHealthy>,
}

/// What makes two endpoints the same one in `diff` and `watch`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum DiffBy {
    /// The IP address.
    #[default]
    Ip,
    /// The pod hostname (StatefulSet), else the IP: a pod on a new IP is a change.
    Hostname,
    /// IP, hostname and ports together: only TTL differences remain changes.
    Endpoint,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// Names to compare (or one name with several -n or --server); an
    /// `@SERVER` argument is a --server, as in dig.
    #[arg(required = true, value_name = "NAME")]
    pub names: Vec<String>,

    /// What makes two endpoints the same one.
    #[arg(long, value_enum, default_value_t = DiffBy::Ip)]
    pub by: DiffBy,

    /// Do not report TTL differences (e.g. behind a cache).
    #[arg(long)]
    pub ignore_ttl: bool,
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Names to watch (several names, -n namespaces and --server multiply);
    /// an `@SERVER` argument is a --server, as in dig.
    #[arg(required = true, value_name = "NAME")]
    pub names: Vec<String>,

    /// Time between resolutions of a source [default: the answer's TTL, at least 1s; 5s without one].
    #[arg(long, value_name = "DUR", value_parser = parse_interval)]
    pub interval: Option<Duration>,

    /// Stop after N resolutions of every source.
    #[arg(long, short = 'c', value_name = "N",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub count: Option<u64>,

    /// Stop after this long, e.g. 90s, 1h.
    #[arg(long, value_name = "DUR", value_parser = parse_long_duration)]
    pub duration: Option<Duration>,

    /// What makes two endpoints the same one.
    #[arg(long, value_enum, default_value_t = DiffBy::Ip)]
    pub by: DiffBy,

    /// Do not report TTL changes (e.g. behind a cache that counts down).
    #[arg(long)]
    pub ignore_ttl: bool,

    /// Watch cluster DNS (polled at the TTL), the Kubernetes API (a real
    /// watch: list, then events), or both on one timeline: every DNS server
    /// polled (each --interval, default 1s) with how long after the API
    /// change it answered what the API says it should (the propagation lag).
    #[cfg(feature = "api")]
    #[arg(long, value_enum, default_value_t = WatchSource::Dns)]
    pub source: WatchSource,
}

/// Where `hsvc watch` reads the endpoints.
#[cfg(feature = "api")]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum WatchSource {
    /// Cluster DNS, each server on its own.
    #[default]
    Dns,
    /// The Kubernetes API's EndpointSlices, through a watch.
    Api,
    /// The API watch and every DNS server, with the propagation lag of each.
    Both,
}

/// Shortest `watch --interval`: a watch must stay cheap for the server.
pub const MIN_INTERVAL: Duration = Duration::from_millis(100);

fn parse_interval(s: &str) -> Result<Duration, String> {
    let d = parse_long_duration(s)?;
    if d < MIN_INTERVAL {
        return Err(format!(
            "must be at least {}",
            humantime::format_duration(MIN_INTERVAL)
        ));
    }
    Ok(d)
}

/// Which libc's search rules `--search` replays.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ResolverKind {
    /// glibc 2.36 (Debian 12, distroless and most glibc images).
    Glibc,
    /// musl 1.2.4 and later (Alpine 3.18 and later); checked against 1.2.5.
    Musl,
    /// musl 1.2.3 (Alpine 3.16 and 3.17).
    #[value(name = "musl-1.2.3")]
    Musl123,
}

#[derive(Debug, Args)]
pub struct ResolveArgs {
    /// The name to resolve.
    pub name: String,

    /// DNS server to ask, as --server: `@IP`, `@IP:PORT`, `@[IPv6]:PORT` (dig's habit).
    #[arg(value_name = "@SERVER")]
    pub at: Vec<String>,

    /// Walk the resolv.conf search list with its ndots as a pod's resolver
    /// would, asking each candidate (A+AAAA), and stop where it stops.
    #[arg(long)]
    pub search: bool,

    /// Search rules to replay with --search.
    #[arg(long, value_enum, default_value_t = ResolverKind::Glibc, requires = "search")]
    pub resolver: ResolverKind,

    /// The pod's LOCALDOMAIN (glibc): replaces the search list of resolv.conf
    /// [default: $LOCALDOMAIN when replaying /etc/resolv.conf].
    #[arg(long, value_name = "DOMAINS", requires = "search")]
    pub localdomain: Option<String>,

    /// The pod's RES_OPTIONS (glibc): options applied after resolv.conf's
    /// [default: $RES_OPTIONS when replaying /etc/resolv.conf].
    #[arg(long, value_name = "OPTIONS", requires = "search")]
    pub res_options: Option<String>,

    /// List every query sent: name, type, server, transport, rcode, answers, latency.
    #[arg(long)]
    pub explain: bool,

    /// Also ask _NAME._PROTO.SVC… to label the ports with their name and protocol.
    #[arg(long, value_name = "NAME")]
    pub port_name: Option<String>,

    /// Protocol of --port-name.
    #[arg(long, value_name = "PROTO", default_value = "tcp", value_parser = ["tcp", "udp", "sctp"])]
    pub protocol: String,

    /// Read the pods from cluster DNS or from the Kubernetes API.
    #[cfg(feature = "api")]
    #[arg(long, value_enum, default_value_t = SourceKind::Dns)]
    pub source: SourceKind,

    /// Ask every server on its own (with `--server kube`: every CoreDNS
    /// replica) and print each answer, instead of the first healthy one.
    #[arg(long)]
    pub all_replicas: bool,
}

/// The picking policy of `hsvc pick`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PickPolicy {
    /// Canonical order from --offset, wrapping; weights ignored.
    RoundRobin,
    /// nginx smooth weighted round-robin (weights {5,1,1} → a a b a c a a).
    Weighted,
    /// Weighted random draws, reproducible with --seed.
    Random,
    /// Weighted rendezvous hashing of the key (default when a key is given).
    Hash,
    /// Maglev table lookup of the key (O(1); --table-size).
    Maglev,
}

/// What identifies an endpoint to the pickers (what the hash policies hash).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PickIdentity {
    /// The pod hostname when DNS gives one that is not the dashed IP, else the IP.
    Auto,
    /// Always the IP address.
    Ip,
    /// Always the SRV target's first label (the dashed IP for pods without hostname).
    Hostname,
}

#[derive(Debug, Args)]
pub struct PickArgs {
    /// The Service to pick from (any NAME form of `hsvc resolve`).
    pub name: String,

    /// DNS server to ask, as --server: `@IP`, `@IP:PORT`, `@[IPv6]:PORT` (dig's habit).
    #[arg(value_name = "@SERVER")]
    pub at: Vec<String>,

    /// Go on even when NAME is a ClusterIP Service (DNS then gives
    /// kube-proxy's virtual IP, not pods: there is nothing to balance over).
    #[arg(long)]
    pub allow_cluster_ip: bool,

    /// Read the pods from cluster DNS, or from the Kubernetes API: the
    /// endpoints CoreDNS should publish (ready, or ready unset), with the
    /// named ports of the EndpointSlices.
    #[cfg(feature = "api")]
    #[arg(long, value_enum, default_value_t = SourceKind::Dns)]
    pub source: SourceKind,

    /// Picking policy [default: hash with --key/--keys-from/--simulate, else round-robin].
    #[arg(long, value_enum)]
    pub policy: Option<PickPolicy>,

    /// A request key (hash, maglev) or a request (sequence policies); repeatable.
    #[arg(long = "key", short = 'k', value_name = "KEY")]
    pub keys: Vec<String>,

    /// Read keys from FILE (`-` for stdin), one per line, printing each pick as it goes.
    #[arg(long, value_name = "FILE", conflicts_with = "keys")]
    pub keys_from: Option<PathBuf>,

    /// Number of picks of a sequence policy when no key is given [default: 1].
    #[arg(long, short = 'c', value_name = "N",
          conflicts_with_all = ["keys", "keys_from", "simulate"],
          value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub count: Option<u64>,

    /// Start position of round-robin and weighted (picks already made).
    #[arg(long, value_name = "K")]
    pub offset: Option<u64>,

    /// Seed of the random policy and of the keys --simulate samples [default: 0].
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,

    /// Weight of one endpoint, IDENTITY=W (1..=65535); repeatable. Others weigh 1.
    ///
    /// Without --weight, SRV weights are used, normalised (0 → 1, divided by
    /// their gcd), so CoreDNS's equal weights mean equal shares.
    #[arg(long = "weight", value_name = "ID=W", value_parser = parse_weight)]
    pub weights: Vec<(String, u32)>,

    /// What identifies an endpoint: its hostname when it has one (auto), its IP, or its hostname.
    #[arg(long, value_enum, default_value_t = PickIdentity::Auto)]
    pub identity: PickIdentity,

    /// Port printed with each pick [default: the Service's only SRV port].
    #[arg(long, short = 'p', value_name = "N", conflicts_with = "port_name")]
    pub port: Option<u16>,

    /// Print the port with this name (asks _NAME._PROTO.SVC…).
    #[arg(long, value_name = "NAME")]
    pub port_name: Option<String>,

    /// Protocol of --port-name.
    #[arg(long, value_name = "PROTO", default_value = "tcp", value_parser = ["tcp", "udp", "sctp"])]
    pub protocol: String,

    /// Maglev table size, a prime (at least the number of endpoints).
    #[arg(long, value_name = "M")]
    pub table_size: Option<u64>,

    /// With --keys-from: keep running, re-resolve at the TTL in the background
    /// and apply set changes between keys (`-w`/`--watch` as in kubectl).
    #[arg(
        long,
        short = 'w',
        visible_alias = "watch",
        requires = "keys_from",
        conflicts_with = "simulate"
    )]
    pub follow: bool,

    /// Report the distribution of N picks (sampled keys for hash policies) instead of picks.
    #[arg(long, value_name = "N",
          value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    pub simulate: Option<u64>,
}

/// `--weight web-0=5`.
fn parse_weight(s: &str) -> Result<(String, u32), String> {
    let (id, w) = s
        .rsplit_once('=')
        .ok_or_else(|| "expected IDENTITY=WEIGHT, e.g. web-0=5".to_string())?;
    if id.is_empty() {
        return Err("empty identity before '='".into());
    }
    let w: u32 = w
        .parse()
        .map_err(|_| format!("weight '{w}' is not a whole number"))?;
    if !(1..=65535).contains(&w) {
        return Err(format!("weight {w} is outside 1..=65535"));
    }
    Ok((id.to_string(), w))
}

/// The clap command, built (every subcommand with its arguments and the
/// global options), as the completion and man page generators and the
/// tests walk it.
pub fn command() -> clap::Command {
    let mut cmd = command_with(|c| c);
    cmd.build();
    cmd
}

/// The command as the binary parses with it: `f` applied (a binary name,
/// the colour choice: what building bakes into every subcommand), not
/// built — clap builds the subcommand that runs, and only that one.
pub fn command_with(f: impl FnOnce(clap::Command) -> clap::Command) -> clap::Command {
    let mut cmd = f(<Cli as clap::CommandFactory>::command());
    // `completions` and `demo` ignore the DNS, API and output options: they
    // get hidden copies of them, which clap's propagation of global options
    // then leaves alone (it skips an id a subcommand already has), so they
    // are still accepted there but not listed in their help. Hiding them
    // after building the whole tree instead cost 0.59 M instructions at
    // every start (callgrind, release): a third of resolving a 3-pod
    // Service, and clap otherwise builds only the subcommand that runs.
    let hidden: Vec<clap::Arg> = cmd
        .get_arguments()
        .filter(|a| a.is_global_set())
        .filter(|a| {
            matches!(a.get_help_heading(), Some(DNS_OPTIONS | API_OPTIONS))
                || matches!(a.get_id().as_str(), "output" | "no_headers")
        })
        .map(|a| a.clone().hide(true))
        .collect();
    for sub in ["completions", "demo"] {
        if cmd.find_subcommand(sub).is_none() {
            continue; // demo: built without the feature
        }
        // The copies keep the display order they have at the top, and take
        // none from the subcommand's own options (added when it is built).
        cmd = cmd.mut_subcommand(sub, |sc| {
            sc.next_display_order(None)
                .args(hidden.iter().cloned())
                .next_display_order(0)
        });
    }
    cmd
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    /// One meaning per short flag, in every command that has it.
    #[test]
    fn short_flags_mean_one_thing() {
        let cmd = command();
        let mut seen: std::collections::BTreeMap<char, String> = Default::default();
        let mut walk = vec![&cmd];
        while let Some(c) = walk.pop() {
            for a in c.get_arguments() {
                if let (Some(short), Some(long)) = (a.get_short(), a.get_long()) {
                    let prev = seen.entry(short).or_insert_with(|| long.to_string());
                    assert_eq!(prev, long, "-{short} in {}", c.get_name());
                }
            }
            walk.extend(c.get_subcommands());
        }
        for (short, long) in [
            ('p', "port"),
            ('c', "count"),
            ('w', "follow"),
            ('j', "concurrency"),
            ('s', "server"),
            ('n', "namespace"),
            ('A', "all-namespaces"),
        ] {
            assert_eq!(seen.get(&short).map(String::as_str), Some(long), "-{short}");
        }
    }

    #[test]
    fn dns_options_have_their_own_heading_and_demo_hides_them() {
        let mut cmd = command();
        let resolve = cmd.find_subcommand_mut("resolve").unwrap();
        let help = resolve.render_long_help().to_string();
        let own = help
            .find("--port-name <NAME>")
            .expect("resolve's own option");
        let dns = help.find("DNS options:").expect("a DNS heading");
        assert!(own < dns, "the command's options come first:\n{help}");
        assert!(help[dns..].contains("--server"), "{help}");
        assert!(help.contains("Examples"), "{help}");
        for sub in ["demo", "completions"] {
            let sc = cmd.find_subcommand_mut(sub).unwrap();
            let help = sc.render_long_help().to_string();
            for hidden in [
                "--server",
                "--timeout",
                "DNS options",
                "--kubeconfig",
                "--output",
            ] {
                assert!(
                    !help.contains(hidden),
                    "{sub} --help lists {hidden}:\n{help}"
                );
            }
        }
    }

    #[test]
    fn globals_work_after_the_subcommand() {
        let cli = Cli::try_parse_from([
            "hsvc",
            "resolve",
            "web.awx",
            "--server",
            "127.0.0.1:5353",
            "--tcp",
            "-o",
            "json",
        ])
        .unwrap();
        assert!(cli.global.tcp);
        assert_eq!(cli.global.servers, ["127.0.0.1:5353"]);
        assert_eq!(cli.global.output, Format::Json);
    }

    #[test]
    fn durations_and_attempts_are_validated() {
        assert!(Cli::try_parse_from(["hsvc", "--timeout", "0s", "resolve", "x"]).is_err());
        assert!(Cli::try_parse_from(["hsvc", "--attempts", "0", "resolve", "x"]).is_err());
        let cli = Cli::try_parse_from(["hsvc", "--timeout", "250ms", "resolve", "x"]).unwrap();
        assert_eq!(cli.global.timeout, Duration::from_millis(250));
        assert!(Cli::try_parse_from(["hsvc", "resolve", "x", "--resolver", "musl"]).is_err());
        // Values past the documented maxima are usage errors, never an
        // overflowing deadline.
        for bad in [
            &["hsvc", "--timeout", "300000000000years", "resolve", "x"][..],
            &["hsvc", "--timeout", "2h", "resolve", "x"],
            &["hsvc", "watch", "x", "--interval", "18446744073709551615s"],
            &["hsvc", "watch", "x", "--duration", "300000000000years"],
            &[
                "hsvc",
                "check",
                "x",
                "--connect-timeout",
                "18446744073709551615s",
            ],
            &["hsvc", "check", "x", "--http-timeout", "9999999999h"],
            &["hsvc", "check", "x", "--interval", "18446744073709551615s"],
        ] {
            assert!(
                Cli::try_parse_from(bad).is_err(),
                "{bad:?} should be rejected"
            );
        }
        let cli = Cli::try_parse_from(["hsvc", "watch", "x", "--duration", "365d"]).unwrap();
        assert!(
            matches!(cli.command, Command::Watch(w) if w.duration == Some(Duration::from_secs(365 * 86400)))
        );
    }

    fn pick(args: &[&str]) -> Result<PickArgs, clap::Error> {
        let mut all = vec!["hsvc", "pick"];
        all.extend(args);
        Cli::try_parse_from(all).map(|c| match c.command {
            Command::Pick(p) => p,
            _ => unreachable!(),
        })
    }

    fn check(args: &[&str]) -> Result<CheckArgs, clap::Error> {
        let mut all = vec!["hsvc", "check"];
        all.extend_from_slice(args);
        Cli::try_parse_from(all).map(|c| match c.command {
            Command::Check(a) => a,
            other => panic!("parsed as {other:?}"),
        })
    }

    #[test]
    fn pick_flags_parse() {
        let p = pick(&["web", "--key", "a", "-k", "b", "--policy", "maglev"]).unwrap();
        assert_eq!(p.keys, ["a", "b"]);
        assert_eq!(p.policy, Some(PickPolicy::Maglev));
        let p = pick(&["web", "--weight", "web-0=5", "--weight", "10.0.0.1=2"]).unwrap();
        assert_eq!(p.weights, [("web-0".into(), 5), ("10.0.0.1".into(), 2)]);
        let p = pick(&["web", "--policy", "round-robin", "-c", "7", "--offset", "3"]).unwrap();
        assert_eq!((p.count, p.offset), (Some(7), Some(3)));
        let p = pick(&["web", "--identity", "ip", "--port-name", "http"]).unwrap();
        assert_eq!(p.identity, PickIdentity::Ip);
        assert_eq!(p.port_name.as_deref(), Some("http"));
        let p = pick(&["web", "--keys-from", "-", "--follow"]).unwrap();
        assert!(p.follow);
        let p = pick(&[
            "web",
            "--simulate",
            "1000",
            "--seed",
            "9",
            "--table-size",
            "251",
        ])
        .unwrap();
        assert_eq!(
            (p.simulate, p.seed, p.table_size),
            (Some(1000), Some(9), Some(251))
        );
        let p = pick(&["web", "--port", "8080"]).unwrap();
        assert_eq!(p.port, Some(8080));
    }

    #[test]
    fn pick_rejects_bad_combinations_and_values() {
        for bad in [
            &["web", "--weight", "web-0"][..],
            &["web", "--weight", "web-0=0"],
            &["web", "--weight", "=3"],
            &["web", "--weight", "web-0=70000"],
            // -w is kubectl's watch (pick --follow), no longer --weight.
            &["web", "-w", "web-0=5"],
            &["web", "--follow"],
            &["web", "--keys-from", "-", "--key", "a"],
            &["web", "--port", "80", "--port-name", "http"],
            &["web", "--count", "0"],
            &["web", "--keys-from", "-", "--follow", "--simulate", "5"],
            &["web", "--policy", "ketama"],
            &["web", "--key", "a", "--count", "2"],
        ] {
            assert!(pick(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn check_defaults() {
        let a = check(&["web"]).unwrap();
        assert_eq!(a.name, "web");
        assert_eq!(
            (a.port, a.port_name.as_deref(), a.http.as_deref()),
            (None, None, None)
        );
        assert_eq!(a.expect.to_string(), "2xx");
        assert_eq!(a.concurrency, 64);
        assert_eq!(a.connect_timeout, Duration::from_secs(1));
        assert_eq!(a.http_timeout, Duration::from_secs(2));
        assert_eq!((a.repeat, a.interval), (1, Duration::from_secs(5)));
        assert_eq!(a.min_healthy, None);
    }

    #[test]
    fn check_flags_parse() {
        let a = check(&[
            "web",
            "--port",
            "8080",
            "--http",
            "/healthz",
            "--expect",
            "200,204",
            "-j",
            "8",
            "--connect-timeout",
            "300ms",
            "--http-timeout",
            "1500ms",
            "--repeat",
            "3",
            "--interval",
            "2s",
            "--min-healthy",
            "50%",
        ])
        .unwrap();
        assert_eq!(a.port, Some(8080));
        assert_eq!(a.http.as_deref(), Some("/healthz"));
        assert!(a.expect.matches(204) && !a.expect.matches(201));
        assert_eq!(a.concurrency, 8);
        assert_eq!(a.connect_timeout, Duration::from_millis(300));
        assert_eq!(a.http_timeout, Duration::from_millis(1500));
        assert_eq!((a.repeat, a.interval), (3, Duration::from_secs(2)));
        assert_eq!(a.min_healthy, Some(hsvc_probe::MinHealthy::Percent(5000)));
        assert_eq!(
            check(&["web", "--port-name", "http"])
                .unwrap()
                .port_name
                .as_deref(),
            Some("http")
        );
        assert_eq!(
            check(&["web", "--min-healthy", "3"]).unwrap().min_healthy,
            Some(hsvc_probe::MinHealthy::Count(3))
        );
    }

    #[test]
    fn check_rejects_bad_usage() {
        for bad in [
            &["web", "--port", "80", "--port-name", "http"][..],
            &["web", "--expect", "200"],
            &["web", "--http", "/", "--expect", "2x"],
            &["web", "--port", "0"],
            &["web", "--port", "65536"],
            &["web", "-j", "0"],
            // -c is a count everywhere; check has none.
            &["web", "-c", "8"],
            &["web", "--connect-timeout", "0s"],
            &["web", "--repeat", "0"],
            &["web", "--min-healthy", "101%"],
            &["web", "--min-healthy", "-1"],
            &[],
        ] {
            assert!(check(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn diff_and_watch_flags() {
        let cli = Cli::try_parse_from(["hsvc", "diff", "a", "b", "--by", "hostname"]).unwrap();
        let Command::Diff(d) = cli.command else {
            panic!("not diff")
        };
        assert_eq!(d.names, ["a", "b"]);
        assert_eq!(d.by, DiffBy::Hostname);
        assert!(!d.ignore_ttl);
        assert!(Cli::try_parse_from(["hsvc", "diff"]).is_err());
        let cli = Cli::try_parse_from([
            "hsvc",
            "watch",
            "a",
            "--interval",
            "200ms",
            "-c",
            "3",
            "--duration",
            "1m",
            "--ignore-ttl",
        ])
        .unwrap();
        let Command::Watch(w) = cli.command else {
            panic!("not watch")
        };
        assert_eq!(w.interval, Some(Duration::from_millis(200)));
        assert_eq!(w.count, Some(3));
        assert_eq!(w.duration, Some(Duration::from_secs(60)));
        assert!(w.ignore_ttl);
        assert!(Cli::try_parse_from(["hsvc", "watch", "a", "--interval", "10ms"]).is_err());
        assert!(Cli::try_parse_from(["hsvc", "watch", "a", "--count", "0"]).is_err());
    }
}
