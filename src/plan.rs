//! The plan step: clap's flags, the environment and resolv.conf turned
//! into the typed values commands take ([`Settings`] for every DNS command,
//! source lists, comparison options, what to ask DNS for). Commands and
//! renderers never parse flags themselves.

use std::net::SocketAddr;

use hsvc_resolve::name::Fqdn;
use hsvc_resolve::resolv_conf::{parse_server, ResolvConf};

/// The one-line message for a name rejected before any query.
pub fn invalid_name(input: &str, e: &hsvc_resolve::name::NameError) -> String {
    format!("invalid name '{}': {e}", hsvc_resolve::escape::term(input))
}

/// The resolv.conf read when `--resolv-conf` is not given.
pub const DEFAULT_RESOLV_CONF: &str = "/etc/resolv.conf";

/// What a replayed glibc reads besides resolv.conf: the pod's values from
/// `--localdomain` / `--res-options`; when the file replayed is this
/// machine's own /etc/resolv.conf, this process's `LOCALDOMAIN`,
/// `RES_OPTIONS` and host name stand in for those not given. musl reads
/// none of them.
pub fn libc_env(
    resolv_conf: &std::path::Path,
    rules: hsvc_resolve::name::ResolverRules,
    localdomain: Option<&str>,
    res_options: Option<&str>,
) -> Result<hsvc_resolve::name::LibcEnv, crate::exit::Fail> {
    if rules.is_musl() {
        if localdomain.is_some() || res_options.is_some() {
            return Err(crate::exit::Fail::usage(
                "--localdomain and --res-options are glibc's: musl reads neither",
            ));
        }
        return Ok(hsvc_resolve::name::LibcEnv::default());
    }
    let own = resolv_conf == std::path::Path::new(DEFAULT_RESOLV_CONF);
    let var = |k: &str| {
        own.then(|| std::env::var_os(k))
            .flatten()
            .map(|v| v.to_string_lossy().into_owned())
    };
    Ok(hsvc_resolve::name::LibcEnv {
        localdomain: localdomain
            .map(str::to_string)
            .or_else(|| var("LOCALDOMAIN")),
        res_options: res_options
            .map(str::to_string)
            .or_else(|| var("RES_OPTIONS")),
        hostname: own
            .then(|| std::fs::read_to_string("/proc/sys/kernel/hostname").ok())
            .flatten()
            .map(|h| h.trim_end_matches('\n').to_string()),
    })
}

/// `-4` / `-6`: the one address family kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    V4,
    V6,
}

/// Splits the positional arguments of a command into names and dig-style
/// `@SERVER` arguments (the `@` taken off), in their order.
pub fn split_at<'a>(args: impl IntoIterator<Item = &'a String>) -> (Vec<String>, Vec<String>) {
    let mut names = Vec::new();
    let mut servers = Vec::new();
    for a in args {
        match a.strip_prefix('@') {
            Some(server) => servers.push(server.to_string()),
            None => names.push(a.clone()),
        }
    }
    (names, servers)
}

/// The one NAME of `command` among its positional arguments (the others
/// being `@SERVER`s).
pub fn one_name(command: &str, names: Vec<String>) -> Result<String, crate::exit::Fail> {
    let mut it = names.into_iter();
    match (it.next(), it.next()) {
        (Some(n), None) => Ok(n),
        (None, _) => Err(crate::exit::Fail::usage(format!(
            "{command} needs a NAME besides @SERVER"
        ))),
        (Some(a), Some(b)) => Err(crate::exit::Fail::usage(format!(
            "{command} takes one NAME, not '{}' and '{}' (a server is @SERVER)",
            hsvc_resolve::escape::term(&a),
            hsvc_resolve::escape::term(&b)
        ))),
    }
}

/// `--ndots` and `--search-domain` applied to the resolv.conf read: they
/// are written as the lines a pod's resolv.conf would have (`search …`,
/// `options ndots:N`) after the file's own, and the whole is parsed again,
/// so that the settings, and the search walk that reads the text under
/// each libc's rules, are exactly those of such a file.
pub fn with_pod_overrides(
    rc: ResolvConf,
    ndots: Option<u8>,
    search: &[String],
) -> Result<ResolvConf, crate::exit::Fail> {
    if ndots.is_none() && search.is_empty() {
        return Ok(rc);
    }
    for d in search {
        if d.is_empty() || d.contains(char::is_whitespace) || Fqdn::parse(d).is_err() {
            return Err(crate::exit::Fail::usage(format!(
                "--search-domain '{}' is not a domain name",
                hsvc_resolve::escape::term(d)
            )));
        }
    }
    let mut text = rc.text.clone();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    if !search.is_empty() {
        text.push_str("search ");
        text.push_str(&search.join(" "));
        text.push('\n');
    }
    if let Some(n) = ndots {
        text.push_str(&format!("options ndots:{n}\n"));
    }
    let mut out = ResolvConf::parse(&text);
    // Another path than the file's: a replay with these flags is a pod's,
    // not this machine's (no LOCALDOMAIN of this process, see libc_env).
    out.path = std::path::PathBuf::from(format!(
        "{} with{}{}",
        rc.path.display(),
        if search.is_empty() {
            ""
        } else {
            " --search-domain"
        },
        if ndots.is_some() { " --ndots" } else { "" }
    ));
    let mut warnings = rc.warnings;
    for w in std::mem::take(&mut out.warnings) {
        if !warnings.contains(&w) {
            warnings.push(w);
        }
    }
    out.warnings = warnings;
    Ok(out)
}

/// Flags, environment and resolv.conf merged into one value; commands take
/// this, never clap types.
#[derive(Clone, Debug)]
pub struct Settings {
    pub servers: Vec<SocketAddr>,
    /// `-4` / `-6`.
    pub family: Option<Family>,
    pub resolv: ResolvConf,
    pub namespaces: Vec<String>,
    pub cluster_domain: Option<Fqdn>,
    pub query: hsvc_resolve::dns::QueryOptions,
    pub format: crate::output::Format,
    /// Sockets, or the replicas through the API (`--server kube`).
    pub link: crate::link::AnyLink,
}

impl Settings {
    pub fn from_args(g: &crate::cli::GlobalArgs) -> Result<Settings, crate::exit::Fail> {
        Self::build(g, true, None)
    }

    /// With `link` (`--server kube`): its replicas are the servers, asked
    /// over TCP.
    pub fn from_args_with(
        g: &crate::cli::GlobalArgs,
        link: Option<crate::link::AnyLink>,
    ) -> Result<Settings, crate::exit::Fail> {
        Self::build(g, true, link)
    }

    /// The settings of a command that asks no DNS server (`pick` or
    /// `check --source api`): no nameserver is needed, a missing default
    /// resolv.conf is no error; a named one must still be read.
    pub fn without_dns(g: &crate::cli::GlobalArgs) -> Result<Settings, crate::exit::Fail> {
        Self::build(g, false, None)
    }

    fn build(
        g: &crate::cli::GlobalArgs,
        dns: bool,
        link: Option<crate::link::AnyLink>,
    ) -> Result<Settings, crate::exit::Fail> {
        use crate::exit::Fail;
        let kube_servers = link.as_ref().and_then(crate::link::AnyLink::servers);
        let servers = match &kube_servers {
            Some(s) => s.clone(),
            // Asking no DNS server, the command has no use for the replicas.
            None if !dns && crate::link::wants_kube(g) => Vec::new(),
            None if crate::link::wants_kube(g) => {
                return Err(Fail::usage("--server kube: the replicas are not known yet"))
            }
            None => g
                .servers
                .iter()
                .filter(|s| !s.is_empty())
                .map(|s| parse_server(s))
                .collect::<Result<Vec<_>, _>>()
                .map_err(Fail::usage)?,
        };
        // The default file may be missing (a laptop, a scratch image) when
        // --server names the servers; a file the user named must be read.
        let explicit = g.resolv_conf.is_some();
        let path = g
            .resolv_conf
            .clone()
            .unwrap_or_else(|| std::path::PathBuf::from(DEFAULT_RESOLV_CONF));
        let resolv = match ResolvConf::read(&path) {
            Ok(rc) => rc,
            Err(e) if explicit => {
                return Err(Fail::usage(format!("cannot read {}: {e}", path.display())))
            }
            Err(e) if !servers.is_empty() || !dns => ResolvConf {
                path: path.clone(),
                ndots: 1,
                warnings: vec![format!("cannot read {}: {e}", path.display())],
                ..ResolvConf::default()
            },
            Err(e) => {
                return Err(Fail::usage(format!(
                    "cannot read {}: {e}; pass --server ADDR",
                    path.display()
                )))
            }
        };
        let resolv = with_pod_overrides(resolv, g.ndots, &g.search_domains)?;
        let servers = if servers.is_empty() {
            resolv.nameservers.clone()
        } else {
            servers
        };
        if servers.is_empty() && dns {
            return Err(Fail::usage(format!(
                "{} lists no usable nameserver; pass --server ADDR",
                path.display()
            )));
        }
        let cluster_domain = match &g.cluster_domain {
            Some(d) => {
                Some(Fqdn::parse(d).map_err(|e| Fail::usage(format!("--cluster-domain: {e}")))?)
            }
            None => None,
        };
        for ns in &g.namespace {
            hsvc_resolve::name::Fqdn::parse(ns)
                .ok()
                .filter(|f| f.labels().len() == 1)
                .ok_or_else(|| {
                    Fail::usage(format!(
                        "namespace '{}' is not a single DNS label",
                        hsvc_resolve::escape::term(ns)
                    ))
                })?;
        }
        Ok(Settings {
            servers,
            family: match (g.ipv4, g.ipv6) {
                (true, _) => Some(Family::V4),
                (_, true) => Some(Family::V6),
                _ => None,
            },
            resolv,
            // -n, else with --server kube the kubeconfig context's namespace
            // (a laptop's resolv.conf knows nothing of the cluster).
            namespaces: match (
                g.namespace.is_empty(),
                link.as_ref().and_then(|l| l.namespace()),
            ) {
                (true, Some(ns)) => vec![ns.to_string()],
                _ => g.namespace.clone(),
            },
            cluster_domain,
            query: hsvc_resolve::dns::QueryOptions {
                timeout: g.timeout,
                attempts: g.attempts,
                // A port-forward carries no UDP.
                tcp: g.tcp || kube_servers.is_some(),
                edns: (g.edns_size != 0).then_some(g.edns_size),
                deadline: None,
            },
            format: g.output,
            link: link.unwrap_or_default(),
        })
    }

    /// The completion context of short names in `namespace` (or the
    /// default namespace when `None`).
    pub fn context(&self, namespace: Option<&str>) -> hsvc_resolve::name::Context {
        hsvc_resolve::name::Context::new(
            namespace,
            self.cluster_domain.as_ref(),
            &self.resolv.search,
        )
    }

    /// With `-v`: where every setting came from, on stderr.
    pub fn diagnose(&self, rep: &mut crate::report::Reporter<'_>) {
        if !rep.verbose(1) {
            return; // nothing to print: skip building the strings
        }
        let servers: Vec<String> = self.servers.iter().map(ToString::to_string).collect();
        rep.diag(1, || {
            format!(
                "servers {} ({}); resolv.conf {}: search [{}] ndots:{}",
                servers.join(", "),
                if self.servers == self.resolv.nameservers {
                    "from resolv.conf"
                } else {
                    "from --server"
                },
                self.resolv.path.display(),
                self.resolv
                    .search
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(" "),
                self.resolv.ndots
            )
        });
        let ctx = self.context(self.namespaces.first().map(String::as_str));
        rep.diag(1, || {
            format!(
                "namespace {} ({:?}), cluster domain {}; timeout {:?} x {} attempts, {}, EDNS {}",
                ctx.namespace,
                ctx.namespace_source,
                ctx.cluster_domain,
                self.query.timeout,
                self.query.attempts,
                if self.query.tcp {
                    "TCP only"
                } else {
                    "UDP, TCP on TC"
                },
                self.query
                    .edns
                    .map_or("off".to_string(), |s| format!("{s} bytes"))
            )
        });
        for w in &self.resolv.warnings {
            rep.diag(1, || format!("resolv.conf: {w}"));
        }
    }

    /// What to ask DNS for besides addresses: SRV (ports, hostnames) and,
    /// with `--port-name`, `_<port>._<proto>`. `-o plain` prints addresses
    /// only, so the plan leaves SRV and its target lookups out, as
    /// `dig +short` would.
    pub fn port_query(
        &self,
        port_name: Option<String>,
        protocol: String,
    ) -> hsvc_resolve::lookup::PortQuery {
        hsvc_resolve::lookup::PortQuery {
            name: port_name,
            protocol,
            addresses_only: self.format == crate::output::Format::Plain,
        }
    }

    /// Parses the NAME of a command that resolves one name in one
    /// namespace (resolve, pick, check): rejected names are usage errors,
    /// before any query.
    pub fn single_target(
        &self,
        command: &str,
        name: &str,
    ) -> Result<hsvc_resolve::name::Target, crate::exit::Fail> {
        if self.namespaces.len() > 1 {
            return Err(crate::exit::Fail::usage(format!(
                "{command} takes one --namespace; use `hsvc diff` to compare namespaces"
            )));
        }
        let ctx = self.context(self.namespaces.first().map(String::as_str));
        hsvc_resolve::name::Target::parse(name, &ctx)
            .map_err(|e| crate::exit::Fail::usage(invalid_name(name, &e)))
    }

    /// `-4` / `-6`: drops the addresses of the other family from `a`; a
    /// name found with none of this family left is NODATA for it, as an
    /// AAAA question for an IPv4-only name is.
    /// `-4` / `-6` on an endpoint set that came from elsewhere than a
    /// lookup (`pick`/`check --source api`).
    pub fn keep_family_of(
        &self,
        set: hsvc_resolve::endpoints::EndpointSet,
    ) -> hsvc_resolve::endpoints::EndpointSet {
        let Some(family) = self.family else {
            return set;
        };
        hsvc_resolve::endpoints::EndpointSet::from_vec(
            set.iter()
                .filter(|e| match family {
                    Family::V4 => e.ip.is_ipv4(),
                    Family::V6 => e.ip.is_ipv6(),
                })
                .cloned()
                .collect(),
        )
    }

    pub fn keep_family(&self, mut a: hsvc_resolve::lookup::Answer) -> hsvc_resolve::lookup::Answer {
        let Some(family) = self.family else {
            return a;
        };
        let keep = |ip: &std::net::IpAddr| match family {
            Family::V4 => ip.is_ipv4(),
            Family::V6 => ip.is_ipv6(),
        };
        if a.endpoints.iter().all(|e| keep(&e.ip)) {
            return a;
        }
        let kept: Vec<_> = a
            .endpoints
            .iter()
            .filter(|e| keep(&e.ip))
            .cloned()
            .collect();
        a.endpoints = hsvc_resolve::endpoints::EndpointSet::from_vec(kept);
        if a.endpoints.is_empty() && a.outcome == Ok(hsvc_resolve::lookup::Outcome::Found) {
            a.outcome = Ok(hsvc_resolve::lookup::Outcome::NoData);
        }
        a
    }

    pub fn resolver(&self) -> hsvc_resolve::lookup::Resolver<crate::link::AnyLink> {
        hsvc_resolve::lookup::Resolver {
            servers: self.servers.clone(),
            opts: self.query.clone(),
            link: self.link.for_resolver(),
        }
    }

    /// How a server is named in labels and events: its pod with `--server
    /// kube`, else its address.
    pub fn server_label(&self, server: SocketAddr) -> String {
        match self.link.name_of(server) {
            Some(pod) => hsvc_resolve::escape::term(pod).into_owned(),
            None => server.to_string(),
        }
    }
}

/// Plans the sources of `diff` and `watch`; a bad name or a duplicate
/// source is a usage error before any query.
pub fn sources(
    s: &Settings,
    names: &[String],
) -> Result<Vec<crate::sources::Source>, crate::exit::Fail> {
    crate::sources::plan(s, names).map_err(|e| crate::exit::Fail::usage(e.to_string()))
}

/// The `--by` flag as the comparison takes it.
pub fn diff_by(b: crate::cli::DiffBy) -> hsvc_resolve::diff::By {
    use hsvc_resolve::diff::By;
    match b {
        crate::cli::DiffBy::Ip => By::Ip,
        crate::cli::DiffBy::Hostname => By::Hostname,
        crate::cli::DiffBy::Endpoint => By::Endpoint,
    }
}

/// What `hsvc resolve` was asked: typed, no clap types.
#[derive(Clone, Debug)]
pub struct ResolvePlan {
    /// NAME as typed.
    pub name: String,
    /// `--search`: replay this libc's walk of resolv.conf.
    pub search: Option<hsvc_resolve::name::ResolverRules>,
    /// What that libc reads besides resolv.conf (glibc: LOCALDOMAIN,
    /// RES_OPTIONS, the host name).
    pub libc_env: hsvc_resolve::name::LibcEnv,
    /// `--explain`.
    pub explain: bool,
    /// What to ask besides addresses.
    pub ports: hsvc_resolve::lookup::PortQuery,
    /// `--all-replicas`: each server on its own.
    pub all_replicas: bool,
}

/// What `hsvc diff` compares.
#[derive(Clone, Debug)]
pub struct DiffPlan {
    /// Every name × namespace × server.
    pub sources: Vec<crate::sources::Source>,
    /// How entries are matched and compared.
    pub opts: hsvc_resolve::diff::Options,
}

/// What `hsvc watch` follows, and when it stops.
#[derive(Clone, Debug)]
pub struct WatchPlan {
    /// Every name × namespace × server.
    pub sources: Vec<crate::sources::Source>,
    /// How consecutive answers are compared.
    pub opts: hsvc_resolve::diff::Options,
    /// `--interval`; else the answer's TTL.
    pub interval: Option<std::time::Duration>,
    /// `--count`.
    pub count: Option<u64>,
    /// `--duration`.
    pub duration: Option<std::time::Duration>,
}

/// What `hsvc check` probes, and how.
#[derive(Clone, Debug)]
pub struct CheckPlan {
    /// NAME as typed.
    pub name: String,
    /// `--allow-cluster-ip`.
    pub allow_cluster_ip: bool,
    /// `--source api`: the API, not DNS.
    #[cfg(feature = "api")]
    pub api: Option<ApiPlan>,
    /// NAME parsed.
    pub target: hsvc_resolve::name::Target,
    /// Which ports of each pod.
    pub choice: hsvc_probe::targets::PortChoice,
    /// `--port`, for the JSON plan.
    pub port: Option<u16>,
    /// `--port-name`.
    pub port_name: Option<String>,
    /// TCP connect or HTTP GET.
    pub check: hsvc_probe::Check,
    /// Timeouts and concurrency.
    pub probe: hsvc_probe::ProbeOptions,
    /// Whether `--http-timeout` applies (only with `--http`).
    pub http: bool,
    /// `--min-healthy`.
    pub min: hsvc_probe::MinHealthy,
    /// What to ask DNS (SRV always: ports).
    pub ports: hsvc_resolve::lookup::PortQuery,
    /// `--repeat`.
    pub repeat: u32,
    /// `--interval`.
    pub interval: std::time::Duration,
}

/// Where `hsvc pick` takes its keys from.
#[derive(Clone, Debug)]
pub enum Keys {
    /// None: the sequence policies pick `count` times.
    None,
    /// `--key`, repeated.
    Given(Vec<String>),
    /// `--keys-from FILE` (`-` is stdin).
    From(std::path::PathBuf),
}

/// What `hsvc pick` picks, and by which rule.
#[derive(Clone, Debug)]
pub struct PickPlan {
    /// NAME as typed.
    pub name: String,
    /// `--allow-cluster-ip`.
    pub allow_cluster_ip: bool,
    /// `--source api`: the API, not DNS.
    #[cfg(feature = "api")]
    pub api: Option<ApiPlan>,
    /// NAME parsed.
    pub target: hsvc_resolve::name::Target,
    /// Policy, offset, seed, table size.
    pub inputs: hsvc_balance::selection::PolicyInputs,
    /// What identifies a pod.
    pub identity: hsvc_balance::selection::IdentityRule,
    /// SRV weights or `--weight`.
    pub weights: hsvc_balance::selection::WeightSource,
    /// Which port a pick names.
    pub port: hsvc_balance::selection::PortChoice,
    /// What to ask DNS.
    pub ports: hsvc_resolve::lookup::PortQuery,
    /// `--offset`, for the header (sequence policies only).
    pub offset: Option<u64>,
    /// `--seed`, for the header (random and --simulate only).
    pub seed: Option<u64>,
    /// `--table-size`, for the header (maglev only).
    pub table_size: Option<u64>,
    /// The keys.
    pub keys: Keys,
    /// `--count`.
    pub count: u64,
    /// `--simulate N`.
    pub simulate: Option<u64>,
    /// `--follow`.
    pub follow: bool,
}

/// What `hsvc demo` serves.
#[derive(Clone, Debug)]
pub struct DemoPlan {
    /// `--serve`: serve until Ctrl-C instead of the tour.
    pub serve: bool,
    /// `--listen`.
    pub listen: SocketAddr,
    /// `--api-port`.
    pub api_port: u16,
    /// `--proxy-port`.
    pub proxy_port: u16,
    /// `--dir`.
    pub dir: Option<std::path::PathBuf>,
    /// `--zone FILE`.
    pub zone: Option<std::path::PathBuf>,
}

/// A whole command line, planned: the one value commands run from.
pub enum Plan {
    /// `hsvc completions SHELL`.
    Completions(clap_complete::Shell),
    /// `hsvc resolve`.
    Resolve(Settings, ResolvePlan),
    /// `hsvc pick`.
    Pick(Settings, Box<PickPlan>),
    /// `hsvc check`.
    Check(Settings, Box<CheckPlan>),
    /// `hsvc diff`.
    Diff(Settings, DiffPlan),
    /// `hsvc watch`.
    Watch(Settings, WatchPlan),
    /// `hsvc demo`.
    Demo(DemoPlan),
    /// `hsvc resolve NAME --source api`.
    #[cfg(feature = "api")]
    ApiResolve(ApiPlan, String),
    /// `hsvc ls`: all namespaces when `true`.
    #[cfg(feature = "api")]
    Ls(ApiPlan, bool),
    /// `hsvc verify NAME`.
    #[cfg(feature = "api")]
    Verify(Settings, ApiPlan, String),
    /// `hsvc watch NAME --source api|both`.
    #[cfg(feature = "api")]
    ApiWatch(Option<Settings>, ApiPlan, ApiWatchPlan),
}

/// `hsvc watch NAME --source api|both`.
#[cfg(feature = "api")]
#[derive(Clone, Debug)]
pub struct ApiWatchPlan {
    /// The one Service name.
    pub name: String,
    /// `--source both`: DNS too, with the propagation lag.
    pub both: bool,
    /// `--interval`: how often DNS is asked.
    pub interval: Option<std::time::Duration>,
    /// `--count`: API snapshots (the first list included).
    pub count: Option<u64>,
    /// `--duration`.
    pub duration: Option<std::time::Duration>,
}

/// How to reach the Kubernetes API, from the global flags.
#[cfg(feature = "api")]
#[derive(Clone, Debug)]
pub struct ApiPlan {
    pub source: hsvc_api::config::Source,
    /// `-n`, at most one.
    pub namespace: Option<String>,
    pub timeout: std::time::Duration,
    pub attempts: u32,
    pub cluster_domain: Option<Fqdn>,
    pub format: crate::output::Format,
}

/// The settings of `pick`/`check` and, with `--source api`, how to reach
/// the API: that source asks no DNS server, so it needs no nameserver.
#[cfg(feature = "api")]
fn source_settings(
    g: &crate::cli::GlobalArgs,
    source: crate::cli::SourceKind,
    command: &str,
    dns: impl FnOnce() -> Result<Settings, crate::exit::Fail>,
) -> Result<(Settings, Option<ApiPlan>), crate::exit::Fail> {
    match source {
        crate::cli::SourceKind::Api => Ok((Settings::without_dns(g)?, Some(api_plan(g, command)?))),
        crate::cli::SourceKind::Dns => Ok((dns()?, None)),
    }
}

#[cfg(feature = "api")]
fn api_plan(g: &crate::cli::GlobalArgs, command: &str) -> Result<ApiPlan, crate::exit::Fail> {
    use crate::exit::Fail;
    let namespace = match g.namespace.as_slice() {
        [] => None,
        [ns] => Some(ns.clone()),
        _ => return Err(Fail::usage(format!("{command} takes one --namespace"))),
    };
    if let Some(ns) = &namespace {
        // The same rule as the DNS commands: a namespace is one DNS label.
        Fqdn::parse(ns)
            .ok()
            .filter(|f| f.labels().len() == 1)
            .ok_or_else(|| {
                Fail::usage(format!(
                    "namespace '{}' is not a single DNS label",
                    hsvc_resolve::escape::term(ns)
                ))
            })?;
    }
    let cluster_domain = match &g.cluster_domain {
        Some(d) => Some(Fqdn::parse(d).map_err(|e| Fail::usage(format!("--cluster-domain: {e}")))?),
        None => None,
    };
    Ok(ApiPlan {
        source: match &g.api_url {
            Some(url) => hsvc_api::config::Source::Url(url.clone()),
            None => hsvc_api::config::Source::Kubeconfig {
                path: g.kubeconfig.clone(),
                context: g.context.clone(),
            },
        },
        namespace,
        timeout: g.timeout,
        attempts: g.attempts,
        cluster_domain,
        format: g.output,
    })
}

impl Plan {
    /// Plans `cli`; with `-v`, says where each setting came from. Errors are
    /// usage errors (exit 2) found before any query.
    pub fn build(
        cli: &crate::cli::Cli,
        rep: &mut crate::report::Reporter<'_>,
    ) -> Result<Plan, crate::exit::Fail> {
        Self::build_with(cli, None, rep)
    }

    /// [`Plan::build`] over `link` (`--server kube`: its replicas are the
    /// servers, found before planning).
    pub fn build_with(
        cli: &crate::cli::Cli,
        link: Option<crate::link::AnyLink>,
        rep: &mut crate::report::Reporter<'_>,
    ) -> Result<Plan, crate::exit::Fail> {
        use crate::cli::Command;
        // `@SERVER` arguments are --server; given, they stand in for the
        // servers of HSVC_SERVER as --server does.
        let settings = |rep: &mut crate::report::Reporter<'_>, at: &[String]| {
            let s = if at.is_empty() {
                Settings::from_args_with(&cli.global, link.clone())?
            } else {
                let mut g = cli.global.clone();
                let from_env = std::env::var("HSVC_SERVER").ok().is_some_and(|v| {
                    v.split(',').map(str::to_string).collect::<Vec<_>>() == g.servers
                });
                if from_env {
                    g.servers.clear();
                }
                g.servers.extend(at.iter().cloned());
                Settings::from_args_with(&g, link.clone())?
            };
            s.diagnose(rep);
            Ok::<_, crate::exit::Fail>(s)
        };
        Ok(match &cli.command {
            Command::Completions(a) => Plan::Completions(a.shell),
            #[cfg(feature = "api")]
            Command::Resolve(a) if a.source == crate::cli::SourceKind::Api => {
                if a.search || a.explain || a.port_name.is_some() {
                    return Err(crate::exit::Fail::usage(
                        "--search, --explain and --port-name ask DNS; the API source gives named ports itself",
                    ));
                }
                Plan::ApiResolve(api_plan(&cli.global, "resolve")?, a.name.clone())
            }
            #[cfg(feature = "api")]
            Command::Ls(a) => {
                let p = api_plan(&cli.global, "ls")?;
                if a.all_namespaces && p.namespace.is_some() {
                    return Err(crate::exit::Fail::usage("give -n NS or -A, not both"));
                }
                Plan::Ls(p, a.all_namespaces)
            }
            #[cfg(feature = "api")]
            Command::Verify(a) => {
                let p = api_plan(&cli.global, "verify")?;
                Plan::Verify(settings(rep, &[])?, p, a.name.clone())
            }
            Command::Resolve(a) => {
                let (names, at) = split_at(std::iter::once(&a.name).chain(&a.at));
                let s = settings(rep, &at)?;
                let p = resolve_plan(&s, a, one_name("resolve", names)?)?;
                Plan::Resolve(s, p)
            }
            Command::Pick(a) => {
                let (names, at) = split_at(std::iter::once(&a.name).chain(&a.at));
                #[cfg(feature = "api")]
                let (s, api) =
                    source_settings(&cli.global, a.source, "pick", || settings(rep, &at))?;
                #[cfg(not(feature = "api"))]
                let s = settings(rep, &at)?;
                #[allow(unused_mut)]
                let mut p = pick_plan(&s, a, one_name("pick", names)?)?;
                #[cfg(feature = "api")]
                {
                    if api.is_some() && a.follow {
                        return Err(crate::exit::Fail::usage(
                            "--follow re-resolves DNS at the TTL; to follow the API, use hsvc watch NAME --source api",
                        ));
                    }
                    p.api = api;
                }
                Plan::Pick(s, Box::new(p))
            }
            Command::Check(a) => {
                let (names, at) = split_at(std::iter::once(&a.name).chain(&a.at));
                #[cfg(feature = "api")]
                let (s, api) =
                    source_settings(&cli.global, a.source, "check", || settings(rep, &at))?;
                #[cfg(not(feature = "api"))]
                let s = settings(rep, &at)?;
                #[allow(unused_mut)]
                let mut p = check_plan(&s, a, one_name("check", names)?)?;
                #[cfg(feature = "api")]
                {
                    p.api = api;
                }
                Plan::Check(s, Box::new(p))
            }
            Command::Diff(a) => {
                let (names, at) = split_at(&a.names);
                let s = settings(rep, &at)?;
                if names.is_empty() {
                    return Err(crate::exit::Fail::usage(
                        "diff needs a NAME besides @SERVER",
                    ));
                }
                let p = DiffPlan {
                    sources: sources(&s, &names)?,
                    opts: hsvc_resolve::diff::Options {
                        by: diff_by(a.by),
                        ignore_ttl: a.ignore_ttl,
                    },
                };
                Plan::Diff(s, p)
            }
            #[cfg(feature = "api")]
            Command::Watch(a) if a.source != crate::cli::WatchSource::Dns => {
                let (names, at) = split_at(&a.names);
                let [name] = names.as_slice() else {
                    return Err(crate::exit::Fail::usage(
                        "watch --source api|both takes one Service name",
                    ));
                };
                let p = api_plan(&cli.global, "watch --source api")?;
                let both = a.source == crate::cli::WatchSource::Both;
                // The API alone needs no DNS server (nor a resolv.conf).
                Plan::ApiWatch(
                    if both {
                        Some(settings(rep, &at)?)
                    } else {
                        None
                    },
                    p,
                    ApiWatchPlan {
                        name: name.clone(),
                        both,
                        interval: a.interval,
                        count: a.count,
                        duration: a.duration,
                    },
                )
            }
            Command::Watch(a) => {
                let (names, at) = split_at(&a.names);
                let s = settings(rep, &at)?;
                if names.is_empty() {
                    return Err(crate::exit::Fail::usage(
                        "watch needs a NAME besides @SERVER",
                    ));
                }
                let p = WatchPlan {
                    sources: sources(&s, &names)?,
                    opts: hsvc_resolve::diff::Options {
                        by: diff_by(a.by),
                        ignore_ttl: a.ignore_ttl,
                    },
                    interval: a.interval,
                    count: a.count,
                    duration: a.duration,
                };
                Plan::Watch(s, p)
            }
            #[cfg(feature = "demo")]
            Command::Demo(a) => Plan::Demo(DemoPlan {
                serve: a.serve,
                listen: a.listen,
                api_port: a.api_port,
                proxy_port: a.proxy_port,
                dir: a.dir.clone(),
                zone: a.zone.clone(),
            }),
        })
    }
}

fn resolve_plan(
    s: &Settings,
    a: &crate::cli::ResolveArgs,
    name: String,
) -> Result<ResolvePlan, crate::exit::Fail> {
    use crate::cli::ResolverKind;
    use hsvc_resolve::name::ResolverRules;
    if a.all_replicas && s.format == crate::output::Format::Json {
        return Err(crate::exit::Fail::usage(
            "--all-replicas prints one document per server: use -o jsonl",
        ));
    }
    let rules = match a.resolver {
        ResolverKind::Glibc => ResolverRules::Glibc,
        ResolverKind::Musl => ResolverRules::Musl,
        ResolverKind::Musl123 => ResolverRules::Musl123,
    };
    Ok(ResolvePlan {
        name,
        search: a.search.then_some(rules),
        libc_env: if a.search {
            libc_env(
                &s.resolv.path,
                rules,
                a.localdomain.as_deref(),
                a.res_options.as_deref(),
            )?
        } else {
            hsvc_resolve::name::LibcEnv::default()
        },
        explain: a.explain,
        ports: s.port_query(a.port_name.clone(), a.protocol.clone()),
        all_replicas: a.all_replicas,
    })
}

fn check_plan(
    s: &Settings,
    a: &crate::cli::CheckArgs,
    name: String,
) -> Result<CheckPlan, crate::exit::Fail> {
    use hsvc_probe::targets::PortChoice;
    use hsvc_probe::{Check, ProbeOptions};
    Ok(CheckPlan {
        allow_cluster_ip: a.allow_cluster_ip,
        #[cfg(feature = "api")]
        api: None,
        target: s.single_target("check", &name)?,
        name,
        choice: match (a.port, &a.port_name) {
            (Some(p), _) => PortChoice::Number(p),
            (None, Some(n)) => PortChoice::Named(n.clone()),
            (None, None) => PortChoice::AllSrv,
        },
        port: a.port,
        port_name: a.port_name.clone(),
        check: match &a.http {
            Some(path) => Check::Http {
                path: path.clone(),
                expect: a.expect.clone(),
            },
            None => Check::Tcp,
        },
        probe: ProbeOptions {
            connect_timeout: a.connect_timeout,
            http_timeout: a.http_timeout,
            concurrency: a.concurrency as usize,
        },
        http: a.http.is_some(),
        min: a.min_healthy.unwrap_or_default(),
        // SRV is always needed here (ports), whatever the output format.
        ports: hsvc_resolve::lookup::PortQuery {
            name: a.port_name.clone(),
            protocol: "tcp".into(),
            addresses_only: false,
        },
        repeat: a.repeat,
        interval: a.interval,
    })
}

fn pick_plan(
    s: &Settings,
    a: &crate::cli::PickArgs,
    name: String,
) -> Result<PickPlan, crate::exit::Fail> {
    use crate::cli::{PickIdentity, PickPolicy};
    use crate::exit::Fail;
    use hsvc_balance::pick::{Maglev, MemberSet, Policy, DEFAULT_TABLE_SIZE};
    use hsvc_balance::selection::{IdentityRule, PolicyInputs, PortChoice, WeightSource};
    let has_keys = !a.keys.is_empty() || a.keys_from.is_some();
    let policy = match a.policy {
        Some(PickPolicy::RoundRobin) => Policy::RoundRobin,
        Some(PickPolicy::Weighted) => Policy::Weighted,
        Some(PickPolicy::Random) => Policy::Random,
        Some(PickPolicy::Hash) => Policy::Hash,
        Some(PickPolicy::Maglev) => Policy::Maglev,
        None if has_keys || a.simulate.is_some() => Policy::Hash,
        None => Policy::RoundRobin,
    };
    if policy.is_keyed() && !has_keys && a.simulate.is_none() {
        return Err(Fail::usage(format!(
            "policy {policy} picks by key: give --key, --keys-from or --simulate"
        )));
    }
    if policy.is_keyed() && a.count.is_some() {
        return Err(Fail::usage(format!(
            "--count is for the sequence policies; policy {policy} makes one pick per key"
        )));
    }
    if a.offset.is_some() && !matches!(policy, Policy::RoundRobin | Policy::Weighted) {
        return Err(Fail::usage(format!(
            "--offset applies to round-robin and weighted, not to {policy}"
        )));
    }
    if a.seed.is_some() && policy != Policy::Random && a.simulate.is_none() {
        return Err(Fail::usage(format!(
            "--seed applies to random and to --simulate, not to {policy}"
        )));
    }
    if let Some(m) = a.table_size {
        if policy != Policy::Maglev {
            return Err(Fail::usage("--table-size applies to the maglev policy"));
        }
        // An empty set validates the size alone (prime, not too large).
        Maglev::with_table_size(&MemberSet::default(), m)
            .map_err(|e| Fail::usage(format!("--table-size: {e}")))?;
    }
    if a.follow && s.format.is_document() {
        return Err(Fail::usage(
            "--follow streams: use -o jsonl rather than -o json",
        ));
    }
    if s.namespaces.len() > 1 {
        return Err(Fail::usage("pick takes one --namespace"));
    }
    let target = s.single_target("pick", &name)?;
    Ok(PickPlan {
        name,
        allow_cluster_ip: a.allow_cluster_ip,
        #[cfg(feature = "api")]
        api: None,
        target,
        inputs: PolicyInputs {
            policy,
            offset: a.offset.unwrap_or(0),
            seed: a.seed.unwrap_or(0),
            table_size: a.table_size.unwrap_or(DEFAULT_TABLE_SIZE),
        },
        identity: match a.identity {
            PickIdentity::Auto => IdentityRule::Auto,
            PickIdentity::Ip => IdentityRule::Ip,
            PickIdentity::Hostname => IdentityRule::Hostname,
        },
        weights: if a.weights.is_empty() {
            WeightSource::Srv
        } else {
            WeightSource::Explicit(a.weights.clone())
        },
        port: match (&a.port, &a.port_name) {
            (Some(n), _) => PortChoice::Number(*n),
            (None, Some(name)) => PortChoice::Named(name.clone()),
            (None, None) => PortChoice::Only,
        },
        ports: hsvc_resolve::lookup::PortQuery {
            name: a.port_name.clone(),
            protocol: a.protocol.clone(),
            addresses_only: false,
        },
        offset: matches!(policy, Policy::RoundRobin | Policy::Weighted)
            .then_some(a.offset.unwrap_or(0)),
        seed: (policy == Policy::Random || a.simulate.is_some()).then_some(a.seed.unwrap_or(0)),
        table_size: (policy == Policy::Maglev)
            .then_some(a.table_size.unwrap_or(DEFAULT_TABLE_SIZE)),
        keys: match (&a.keys_from, a.keys.is_empty()) {
            (Some(path), _) => Keys::From(path.clone()),
            (None, false) => Keys::Given(a.keys.clone()),
            (None, true) => Keys::None,
        },
        count: a.count.unwrap_or(1),
        simulate: a.simulate,
        follow: a.follow,
    })
}
