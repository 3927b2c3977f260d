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

/// Flags, environment and resolv.conf merged into one value; commands take
/// this, never clap types.
#[derive(Clone, Debug)]
pub struct Settings {
    pub servers: Vec<SocketAddr>,
    pub resolv: ResolvConf,
    pub namespaces: Vec<String>,
    pub cluster_domain: Option<Fqdn>,
    pub query: hsvc_resolve::dns::QueryOptions,
    pub format: crate::output::Format,
}

impl Settings {
    pub fn from_args(g: &crate::cli::GlobalArgs) -> Result<Settings, crate::exit::Fail> {
        use crate::exit::Fail;
        let servers = g
            .servers
            .iter()
            .filter(|s| !s.is_empty())
            .map(|s| parse_server(s))
            .collect::<Result<Vec<_>, _>>()
            .map_err(Fail::usage)?;
        let resolv = match ResolvConf::read(&g.resolv_conf) {
            Ok(rc) => rc,
            Err(e) if !servers.is_empty() => ResolvConf {
                path: g.resolv_conf.clone(),
                ndots: 1,
                warnings: vec![format!("cannot read {}: {e}", g.resolv_conf.display())],
                ..ResolvConf::default()
            },
            Err(e) => {
                return Err(Fail::usage(format!(
                    "cannot read {}: {e}; pass --server ADDR",
                    g.resolv_conf.display()
                )))
            }
        };
        let servers = if servers.is_empty() {
            resolv.nameservers.clone()
        } else {
            servers
        };
        if servers.is_empty() {
            return Err(Fail::usage(format!(
                "{} lists no usable nameserver; pass --server ADDR",
                g.resolv_conf.display()
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
            resolv,
            namespaces: g.namespace.clone(),
            cluster_domain,
            query: hsvc_resolve::dns::QueryOptions {
                timeout: g.timeout,
                attempts: g.attempts,
                tcp: g.tcp,
                edns: (g.edns_size != 0).then_some(g.edns_size),
            },
            format: output_format(g.output),
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

    pub fn resolver(&self) -> hsvc_resolve::lookup::Resolver {
        hsvc_resolve::lookup::Resolver::new(self.servers.clone(), self.query.clone())
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

/// `-o` as the renderers take it.
pub fn output_format(f: crate::cli::Format) -> crate::output::Format {
    use crate::cli::Format as F;
    use crate::output::Format as O;
    match f {
        F::Table => O::Table,
        F::Wide => O::Wide,
        F::Plain => O::Plain,
        F::Json => O::Json,
        F::Jsonl => O::Jsonl,
    }
}
