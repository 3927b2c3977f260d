//! resolv.conf and server addresses: the only place that reads resolv.conf.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use crate::name::Fqdn;

/// What hsvc takes from a resolv.conf file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResolvConf {
    pub path: PathBuf,
    pub nameservers: Vec<SocketAddr>,
    pub search: Vec<Fqdn>,
    /// Length of the `search`/`domain` line that set the list (musl ignores
    /// lines of 255 characters or more).
    pub search_line_len: usize,
    pub ndots: u8,
    /// Lines hsvc could not use, with the reason (reported with -v).
    pub warnings: Vec<String>,
}

impl ResolvConf {
    /// Reads and parses a resolv.conf file.
    pub fn read(path: &Path) -> std::io::Result<ResolvConf> {
        let text = std::fs::read_to_string(path)?;
        let mut rc = ResolvConf::parse(&text);
        rc.path = path.to_path_buf();
        Ok(rc)
    }

    /// Parses resolv.conf text the way glibc reads it: `nameserver` lines
    /// in order, the last `search`/`domain` line wins, `options ndots:N`.
    pub fn parse(text: &str) -> ResolvConf {
        let mut rc = ResolvConf {
            ndots: 1,
            ..ResolvConf::default()
        };
        for raw in text.lines() {
            let line = raw.split(['#', ';']).next().unwrap_or("").trim();
            let mut words = line.split_whitespace();
            match words.next() {
                Some("nameserver") => match words.next().map(parse_nameserver) {
                    Some(Some(addr)) => rc.nameservers.push(addr),
                    _ => rc
                        .warnings
                        .push(format!("unusable nameserver line: {line}")),
                },
                Some(kw @ ("search" | "domain")) => {
                    let list: Vec<&str> = if kw == "domain" {
                        words.take(1).collect()
                    } else {
                        words.collect()
                    };
                    rc.search = list
                        .iter()
                        .filter_map(|d| match Fqdn::parse(d) {
                            Ok(f) => Some(f),
                            Err(e) => {
                                rc.warnings.push(format!("search domain {d}: {e}"));
                                None
                            }
                        })
                        .collect();
                    rc.search_line_len = raw.len();
                }
                Some("options") => {
                    for opt in words {
                        if let Some(n) = opt.strip_prefix("ndots:") {
                            match n.parse::<u32>() {
                                Ok(n) => rc.ndots = n.min(15) as u8,
                                Err(_) => rc.warnings.push(format!("bad option {opt}")),
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        rc
    }
}

/// A nameserver line's address: an IP, port 53. A zone suffix
/// (`fe80::1%eth0`) cannot be honoured and makes the line unusable.
fn parse_nameserver(word: &str) -> Option<SocketAddr> {
    word.parse::<IpAddr>()
        .ok()
        .map(|ip| SocketAddr::new(ip, 53))
}

/// Parses `--server`: `ip`, `ip:port`, `[v6]:port` or a bare IPv6 address.
pub fn parse_server(s: &str) -> Result<SocketAddr, String> {
    if let Ok(sa) = s.parse::<SocketAddr>() {
        return Ok(sa);
    }
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Ok(SocketAddr::new(ip, 53));
    }
    if let Some(inner) = s.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
        if let Ok(ip) = inner.parse::<IpAddr>() {
            return Ok(SocketAddr::new(ip, 53));
        }
    }
    Err(format!(
        "'{}' is not a server address (use IP, IP:PORT or [IPv6]:PORT)",
        crate::escape::term(s)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_pod_resolv_conf() {
        let rc = ResolvConf::parse(
            "search awx.svc.cluster.local svc.cluster.local cluster.local\n\
             nameserver 10.96.0.10\n\
             options ndots:5 timeout:1 rotate\n",
        );
        assert_eq!(rc.nameservers, vec!["10.96.0.10:53".parse().unwrap()]);
        assert_eq!(rc.search.len(), 3);
        assert_eq!(rc.search[0].to_string(), "awx.svc.cluster.local.");
        assert_eq!(rc.ndots, 5);
        assert!(rc.warnings.is_empty());
    }

    #[test]
    fn last_search_or_domain_wins_and_comments_are_ignored() {
        let rc = ResolvConf::parse(
            "domain corp.example\n# comment\nsearch a.example b.example ; trailing\n\
             nameserver fd00::a\nnameserver fe80::1%eth0\noptions ndots:99\n",
        );
        assert_eq!(rc.search.len(), 2);
        assert_eq!(rc.nameservers, vec!["[fd00::a]:53".parse().unwrap()]);
        assert_eq!(rc.warnings.len(), 1);
        assert_eq!(rc.ndots, 15);
        let rc = ResolvConf::parse("search a.example\ndomain corp.example\n");
        assert_eq!(rc.search, vec![Fqdn::parse("corp.example").unwrap()]);
        assert_eq!(ResolvConf::parse("").ndots, 1);
    }

    #[test]
    fn server_forms() {
        assert_eq!(
            parse_server("10.96.0.10").unwrap(),
            "10.96.0.10:53".parse().unwrap()
        );
        assert_eq!(
            parse_server("127.0.0.1:5353").unwrap(),
            "127.0.0.1:5353".parse().unwrap()
        );
        assert_eq!(
            parse_server("[::1]:5353").unwrap(),
            "[::1]:5353".parse().unwrap()
        );
        assert_eq!(
            parse_server("fd00::a").unwrap(),
            "[fd00::a]:53".parse().unwrap()
        );
        assert_eq!(
            parse_server("[fd00::a]").unwrap(),
            "[fd00::a]:53".parse().unwrap()
        );
        assert!(parse_server("kube-dns").is_err());
        assert!(parse_server("1.2.3.4:99999").is_err());
    }
}

/// The one-line message for a name rejected before any query.
pub fn invalid_name(input: &str, e: &crate::name::NameError) -> String {
    format!("invalid name '{}': {e}", crate::escape::term(input))
}

/// Flags, environment and resolv.conf merged into one value; commands take
/// this, never clap types.
#[derive(Clone, Debug)]
pub struct Settings {
    pub servers: Vec<SocketAddr>,
    pub resolv: ResolvConf,
    pub namespaces: Vec<String>,
    pub cluster_domain: Option<Fqdn>,
    pub query: crate::dns::QueryOptions,
    pub format: crate::cli::Format,
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
            crate::name::Fqdn::parse(ns)
                .ok()
                .filter(|f| f.labels().len() == 1)
                .ok_or_else(|| {
                    Fail::usage(format!(
                        "namespace '{}' is not a single DNS label",
                        crate::escape::term(ns)
                    ))
                })?;
        }
        Ok(Settings {
            servers,
            resolv,
            namespaces: g.namespace.clone(),
            cluster_domain,
            query: crate::dns::QueryOptions {
                timeout: g.timeout,
                attempts: g.attempts,
                tcp: g.tcp,
                edns: (g.edns_size != 0).then_some(g.edns_size),
            },
            format: g.output,
        })
    }

    /// The completion context of short names in `namespace` (or the
    /// default namespace when `None`).
    pub fn context(&self, namespace: Option<&str>) -> crate::name::Context {
        crate::name::Context::new(namespace, self.cluster_domain.as_ref(), &self.resolv.search)
    }

    /// With `-v`: where every setting came from, on stderr.
    pub fn diagnose(&self) {
        if crate::diag::verbosity() == 0 {
            return; // nothing to print: skip building the strings
        }
        let servers: Vec<String> = self.servers.iter().map(ToString::to_string).collect();
        crate::diag!(
            1,
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
        );
        let ctx = self.context(self.namespaces.first().map(String::as_str));
        crate::diag!(
            1,
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
        );
        for w in &self.resolv.warnings {
            crate::diag!(1, "resolv.conf: {w}");
        }
    }

    /// Parses the NAME of a command that resolves one name in one
    /// namespace (resolve, pick, check): rejected names are usage errors,
    /// before any query.
    pub fn single_target(
        &self,
        command: &str,
        name: &str,
    ) -> Result<crate::name::Target, crate::exit::Fail> {
        if self.namespaces.len() > 1 {
            return Err(crate::exit::Fail::usage(format!(
                "{command} takes one --namespace; use `hsvc diff` to compare namespaces"
            )));
        }
        let ctx = self.context(self.namespaces.first().map(String::as_str));
        crate::name::Target::parse(name, &ctx)
            .map_err(|e| crate::exit::Fail::usage(invalid_name(name, &e)))
    }

    pub fn resolver(&self) -> crate::lookup::Resolver {
        crate::lookup::Resolver {
            servers: self.servers.clone(),
            opts: self.query.clone(),
        }
    }
}
