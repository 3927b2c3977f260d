//! The command line, and only that: clap definitions shared by the binary
//! and the generators of completions and man pages.

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

    /// When to use colour (NO_COLOR in the environment turns `auto` off).
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Diagnostics on stderr: -v settings and every query, -vv every try.
    #[arg(short = 'v', long = "verbose", global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
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
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(CompletionsArgs),
    /// Run an embedded cluster DNS for an example cluster.
    #[cfg(feature = "server")]
    Demo(DemoArgs),
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

    /// Address to serve on (UDP and TCP).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:5353")]
    pub listen: std::net::SocketAddr,
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

/// The clap command, as the completion and man page generators see it.
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
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
}
