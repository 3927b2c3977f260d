//! Sources for `hsvc diff` and `hsvc watch`: every name × every `-n`
//! namespace × every server. Each source is asked through exactly one
//! server, as one would ask each CoreDNS replica, never a pool where the
//! first answer wins. Pure: names and settings in, a list out.

use std::net::SocketAddr;

use crate::plan::Settings;
use hsvc_resolve::lookup::{Answer, PortQuery};
use hsvc_resolve::name::{Meaning, NameError, Target};

/// One thing to resolve: a name at one server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    /// Short label for headers and events: the parts that tell the sources
    /// apart (`web.awx`, `10.96.0.11:53`, `web.awx@10.96.0.11:53`).
    pub label: String,
    pub target: Target,
    pub server: SocketAddr,
}

/// Why the sources cannot be planned (exit 2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlanError {
    Name(String, NameError),
    /// Two sources would ask the same name at the same server; `true`
    /// when several namespaces were given.
    Duplicate(String, SocketAddr, bool),
}

impl std::fmt::Display for PlanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PlanError::Name(input, e) => f.write_str(&crate::plan::invalid_name(input, e)),
            PlanError::Duplicate(fqdn, server, namespaces) => {
                write!(f, "{fqdn} at {server} is given twice")?;
                if *namespaces {
                    f.write_str(" (a name with its own namespace ignores -n; give a short name)")?;
                }
                Ok(())
            }
        }
    }
}

/// `svc.ns` for a Service, `ep.svc.ns` for a pod, else the FQDN without
/// its trailing dot.
pub fn short_name(t: &Target) -> String {
    match &t.meaning {
        Meaning::Service { namespace, service } => format!("{service}.{namespace}"),
        Meaning::Endpoint {
            namespace,
            service,
            endpoint,
        } => format!("{endpoint}.{service}.{namespace}"),
        _ => t.fqdn.to_string().trim_end_matches('.').to_string(),
    }
}

/// Resolves every source concurrently, each through its one server; the
/// answers come back in the sources' order, each query traced with `-v`.
pub async fn resolve_all(
    s: &Settings,
    sources: &[&Source],
    rep: &mut crate::report::Reporter<'_>,
) -> Vec<Answer> {
    // One more round: a replica that failed through the API gets a fresh try.
    s.link.rearm();
    let mut set = tokio::task::JoinSet::new();
    for (i, src) in sources.iter().enumerate() {
        let mut resolver = s.resolver();
        resolver.servers = vec![src.server];
        let target = src.target.clone();
        set.spawn(async move { (i, resolver.resolve(target, &PortQuery::default()).await) });
    }
    let mut out: Vec<Option<Answer>> = (0..sources.len()).map(|_| None).collect();
    while let Some(joined) = set.join_next().await {
        // A resolution task has no panicking path, and with panic=abort a
        // panic would not reach here.
        if let Ok((i, r)) = joined {
            rep.trace(&r.trace);
            out[i] = Some(s.keep_family(r));
        }
    }
    out.into_iter().flatten().collect()
}

/// Plans the sources of `names` under the settings' namespaces (the
/// default one when none is given) and servers, in that nesting order.
pub fn plan(s: &Settings, names: &[String]) -> Result<Vec<Source>, PlanError> {
    let namespaces: Vec<Option<&str>> = if s.namespaces.is_empty() {
        vec![None]
    } else {
        s.namespaces.iter().map(|n| Some(n.as_str())).collect()
    };
    let by_name = names.len() > 1 || namespaces.len() > 1;
    let by_server = s.servers.len() > 1;
    let mut out: Vec<Source> = Vec::new();
    for input in names {
        for ns in &namespaces {
            let target = Target::parse(input, &s.context(*ns))
                .map_err(|e| PlanError::Name(input.clone(), e))?;
            for &server in &s.servers {
                if out
                    .iter()
                    .any(|o| o.server == server && o.target.fqdn == target.fqdn)
                {
                    return Err(PlanError::Duplicate(
                        target.fqdn.to_string(),
                        server,
                        namespaces.len() > 1,
                    ));
                }
                let label = match (by_name || !by_server, by_server) {
                    (true, true) => format!("{}@{}", short_name(&target), s.server_label(server)),
                    (true, false) => short_name(&target),
                    (false, _) => s.server_label(server),
                };
                out.push(Source {
                    label,
                    target: target.clone(),
                    server,
                });
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Cli;
    use clap::Parser;

    fn settings(args: &[&str]) -> Settings {
        let mut all = vec!["hsvc", "--resolv-conf", "/dev/null"];
        all.extend_from_slice(args);
        all.extend(["resolve", "x"]);
        Settings::from_args(&Cli::try_parse_from(all).unwrap().global).unwrap()
    }

    fn labels(v: &[Source]) -> Vec<&str> {
        v.iter().map(|s| s.label.as_str()).collect()
    }

    #[test]
    fn names_namespaces_and_servers_multiply() {
        let s = settings(&["--server", "127.0.0.1:53"]);
        let v = plan(&s, &["web.awx".into(), "web.default".into()]).unwrap();
        assert_eq!(labels(&v), ["web.awx", "web.default"]);

        let s = settings(&["--server", "127.0.0.1:53", "-n", "awx", "-n", "staging"]);
        let v = plan(&s, &["web".into()]).unwrap();
        assert_eq!(labels(&v), ["web.awx", "web.staging"]);
        assert_eq!(
            v[1].target.fqdn.to_string(),
            "web.staging.svc.cluster.local."
        );

        let s = settings(&["-s", "127.0.0.1:53", "-s", "127.0.0.2:53"]);
        let v = plan(&s, &["web.awx".into()]).unwrap();
        assert_eq!(labels(&v), ["127.0.0.1:53", "127.0.0.2:53"]);
        assert_eq!(v[1].server, "127.0.0.2:53".parse().unwrap());

        let s = settings(&[
            "-s",
            "127.0.0.1:53",
            "-s",
            "127.0.0.2:53",
            "-n",
            "a",
            "-n",
            "b",
        ]);
        let v = plan(&s, &["web".into()]).unwrap();
        assert_eq!(
            labels(&v),
            [
                "web.a@127.0.0.1:53",
                "web.a@127.0.0.2:53",
                "web.b@127.0.0.1:53",
                "web.b@127.0.0.2:53"
            ]
        );
    }

    #[test]
    fn one_name_one_server_is_labelled_by_name() {
        let s = settings(&["--server", "127.0.0.1:53"]);
        let v = plan(&s, &["web-0.web.awx".into()]).unwrap();
        assert_eq!(labels(&v), ["web-0.web.awx"]);
        let v = plan(&s, &["example.org.".into()]).unwrap();
        assert_eq!(labels(&v), ["example.org"]);
    }

    #[test]
    fn duplicates_and_bad_names_are_rejected() {
        let s = settings(&["--server", "127.0.0.1:53", "-n", "awx", "-n", "default"]);
        let e = plan(&s, &["web.awx".into()]).unwrap_err();
        assert!(matches!(e, PlanError::Duplicate(..)), "{e}");
        assert!(e.to_string().contains("given twice"));
        let s = settings(&["--server", "127.0.0.1:53"]);
        assert!(matches!(
            plan(&s, &["bad..name".into()]),
            Err(PlanError::Name(..))
        ));
    }
}
