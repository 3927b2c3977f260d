//! The command line, and only that: clap definitions shared by the binary
//! and the generators of completions and man pages.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

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

/// Options that every command takes.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// DNS server to ask: IP, IP:PORT or [IPv6]:PORT; repeatable.
    ///
    /// Replaces only the nameservers of resolv.conf: its search list and
    /// ndots still apply. Without it, the nameservers of --resolv-conf are
    /// asked in order.
    #[arg(
        long = "server",
        short = 's',
        global = true,
        value_name = "ADDR",
        env = "HSVC_SERVER",
        value_delimiter = ','
    )]
    pub servers: Vec<String>,

    /// resolv.conf to read nameservers, search list and ndots from.
    #[arg(
        long,
        global = true,
        value_name = "PATH",
        default_value = "/etc/resolv.conf"
    )]
    pub resolv_conf: PathBuf,

    /// Use TCP only (what `kubectl port-forward` carries).
    #[arg(long, global = true)]
    pub tcp: bool,

    /// Time to wait for each try, e.g. 500ms, 2s.
    #[arg(long, global = true, value_name = "DUR", default_value = "2s", value_parser = parse_duration)]
    pub timeout: Duration,

    /// Tries per server before giving up.
    #[arg(long, global = true, value_name = "N", default_value_t = 2,
          value_parser = clap::value_parser!(u32).range(1..=10))]
    pub attempts: u32,

    /// EDNS0 UDP payload size to advertise; 0 sends no EDNS0 (512-byte UDP).
    #[arg(long, global = true, value_name = "BYTES", default_value_t = crate::dns::DEFAULT_EDNS_SIZE)]
    pub edns_size: u16,

    /// Cluster domain [default: from the resolv.conf search list, else cluster.local].
    #[arg(long, global = true, value_name = "DOMAIN")]
    pub cluster_domain: Option<String>,

    /// Namespace of short names [default: from the resolv.conf search list, else default].
    #[arg(
        short = 'n',
        long,
        global = true,
        value_name = "NS",
        env = "HSVC_NAMESPACE",
        value_delimiter = ','
    )]
    pub namespace: Vec<String>,

    /// Output format.
    #[arg(short = 'o', long, global = true, value_enum, default_value_t = Format::Table)]
    pub output: Format,
}

/// How results are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns for people.
    Table,
    /// The table with more columns.
    Wide,
    /// One item per line, for `$(…)` and pipes (like `dig +short`).
    Plain,
    /// One JSON document.
    Json,
    /// One JSON object per line (streaming commands).
    Jsonl,
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    let d = humantime::parse_duration(s).map_err(|e| e.to_string())?;
    if d.is_zero() {
        return Err("must be greater than zero".into());
    }
    Ok(d)
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Resolve a Service (or pod, SRV name, IP) into its pods.
    ///
    /// NAME forms: SVC, SVC.NS, SVC.NS.svc, SVC.NS.svc.ZONE, POD.SVC.NS,
    /// _PORT._PROTO.SVC.NS, an IPv4/IPv6 address (PTR), or any name with a
    /// trailing dot (absolute). A, AAAA and SRV are asked concurrently.
    Resolve(ResolveArgs),
    /// Compare the pods of names, namespaces or DNS servers.
    ///
    /// Sources are every NAME × every -n namespace × every server: several
    /// names (`diff web.awx web.default`), one short name across
    /// namespaces (`diff web -n awx -n staging`), or one name across DNS
    /// servers (`--server A --server B diff web.awx` asks each server on
    /// its own, as one would ask each CoreDNS replica). NXDOMAIN is an empty
    /// set. Exit 0 identical, 1 different, 2 usage, 3 a source failed.
    Diff(DiffArgs),
    /// Re-resolve names and report pods as they come and go.
    ///
    /// Prints the initial set of each source, then one event per change
    /// (added, removed, changed, nxdomain, error, recovered) with an RFC 3339
    /// time and the resulting count. Re-resolves every TTL (at least 1 s)
    /// unless --interval; stops after --count resolutions, after
    /// --duration, or on Ctrl-C, with a summary. DNS failures are events,
    /// not exits.
    Watch(WatchArgs),
    /// Run an embedded cluster DNS for an example cluster.
    #[cfg(feature = "server")]
    Demo(DemoArgs),
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Only serve (until Ctrl-C).
    #[arg(long)]
    pub serve: bool,

    /// Address to serve on (UDP and TCP).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:5353")]
    pub listen: std::net::SocketAddr,
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
    /// Names to compare (or one name with several -n or --server).
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
    /// Names to watch (several names, -n namespaces and --server multiply).
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
    #[arg(long, value_name = "DUR", value_parser = parse_duration)]
    pub duration: Option<Duration>,

    /// What makes two endpoints the same one.
    #[arg(long, value_enum, default_value_t = DiffBy::Ip)]
    pub by: DiffBy,

    /// Do not report TTL changes (e.g. behind a cache that counts down).
    #[arg(long)]
    pub ignore_ttl: bool,
}

/// Shortest `watch --interval`: a watch must stay cheap for the server.
pub const MIN_INTERVAL: Duration = Duration::from_millis(100);

fn parse_interval(s: &str) -> Result<Duration, String> {
    let d = parse_duration(s)?;
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
    Glibc,
    Musl,
}

#[derive(Debug, Args)]
pub struct ResolveArgs {
    /// The name to resolve.
    pub name: String,

    /// Walk the resolv.conf search list with its ndots as a pod's resolver
    /// would, asking each candidate (A+AAAA), and stop where it stops.
    #[arg(long)]
    pub search: bool,

    /// Search rules to replay with --search.
    #[arg(long, value_enum, default_value_t = ResolverKind::Glibc, requires = "search")]
    pub resolver: ResolverKind,

    /// List every query sent: name, type, server, transport, rcode, answers, latency.
    #[arg(long)]
    pub explain: bool,

    /// Also ask _NAME._PROTO.SVC… to label the ports with their name and protocol.
    #[arg(long, value_name = "NAME")]
    pub port_name: Option<String>,

    /// Protocol of --port-name.
    #[arg(long, value_name = "PROTO", default_value = "tcp", value_parser = ["tcp", "udp", "sctp"])]
    pub protocol: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
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
