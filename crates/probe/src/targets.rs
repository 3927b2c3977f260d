//! From resolved endpoints to probe targets (`hsvc check`): which
//! `ip:port` pairs to probe. Pure: endpoints in, targets or an error out.

use std::fmt;

use crate::Target;
use hsvc_resolve::endpoints::EndpointSet;

/// Which port of each endpoint to probe.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PortChoice {
    /// `--port N`: this port on every endpoint, whatever SRV says.
    Number(u16),
    /// `--port-name NAME`: the SRV port labelled `NAME` (from the
    /// `_NAME._tcp` query), matched case-insensitively.
    Named(String),
    /// Neither: every SRV port of each endpoint.
    AllSrv,
}

/// Endpoints for which no port is known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoPort {
    /// How the port was asked for.
    pub choice: PortChoice,
    /// Identities of the endpoints without a port (hostname or IP), in order.
    pub endpoints: Vec<String>,
    /// Endpoints in total.
    pub total: usize,
}

impl fmt::Display for NoPort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.endpoints.len();
        let shown: Vec<&str> = self.endpoints.iter().take(3).map(String::as_str).collect();
        let more = if n > 3 {
            format!(", … ({} more)", n - 3)
        } else {
            String::new()
        };
        let what = match &self.choice {
            PortChoice::Named(p) => format!("no port named '{p}' in SRV"),
            _ => "no port known from SRV".to_string(),
        };
        write!(
            f,
            "{n} of {} endpoint{} ha{} {what} ({}{more}); pass --port N",
            self.total,
            if self.total == 1 { "" } else { "s" },
            if n == 1 { "s" } else { "ve" },
            shown.join(", "),
        )
    }
}

impl std::error::Error for NoPort {}

/// The targets to probe, endpoint by endpoint (in the set's IP order), then
/// port by port (ascending, each port once). `Target::index` is the
/// endpoint's position in `endpoints`. Every endpoint must have at least one
/// port, else the whole plan is rejected with [`NoPort`].
pub fn plan(endpoints: &EndpointSet, choice: &PortChoice) -> Result<Vec<Target>, NoPort> {
    let mut targets = Vec::new();
    let mut missing = Vec::new();
    for (i, e) in endpoints.iter().enumerate() {
        let mut ports: Vec<u16> = match choice {
            PortChoice::Number(p) => vec![*p],
            PortChoice::Named(name) => e
                .ports
                .iter()
                .filter(|p| {
                    p.name
                        .as_deref()
                        .is_some_and(|n| n.eq_ignore_ascii_case(name))
                })
                .map(|p| p.port)
                .collect(),
            PortChoice::AllSrv => e.ports.iter().map(|p| p.port).collect(),
        };
        ports.sort_unstable();
        ports.dedup();
        if ports.is_empty() {
            missing.push(e.identity());
        }
        targets.extend(ports.into_iter().map(|p| Target::new(e.ip, p, i)));
    }
    if missing.is_empty() {
        Ok(targets)
    } else {
        Err(NoPort {
            choice: choice.clone(),
            endpoints: missing,
            total: endpoints.len(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hsvc_resolve::endpoints::{Endpoint, PortInfo};

    fn port(port: u16, name: Option<&str>) -> PortInfo {
        PortInfo {
            port,
            protocol: name.map(|_| "tcp".into()),
            name: name.map(Into::into),
            weight: 1,
            priority: 0,
        }
    }

    fn ep(last: u8, host: Option<&str>, ports: Vec<PortInfo>) -> Endpoint {
        let mut e = Endpoint::new([127, 0, 0, last].into(), 30);
        e.hostname = host.map(Into::into);
        e.ports = ports;
        e
    }

    fn pairs(ts: &[Target]) -> Vec<(String, u16, usize)> {
        ts.iter()
            .map(|t| (t.ip.to_string(), t.port, t.index))
            .collect()
    }

    #[test]
    fn number_applies_to_every_endpoint() {
        let set =
            EndpointSet::from_vec(vec![ep(2, None, vec![]), ep(1, None, vec![port(80, None)])]);
        let ts = plan(&set, &PortChoice::Number(9000)).unwrap();
        assert_eq!(
            pairs(&ts),
            vec![("127.0.0.1".into(), 9000, 0), ("127.0.0.2".into(), 9000, 1)]
        );
    }

    #[test]
    fn all_srv_ports_sorted_and_deduplicated() {
        let set = EndpointSet::from_vec(vec![ep(
            1,
            Some("web-0"),
            vec![
                port(8080, None),
                port(80, Some("http")),
                port(8080, Some("alt")),
            ],
        )]);
        let ts = plan(&set, &PortChoice::AllSrv).unwrap();
        assert_eq!(
            pairs(&ts),
            vec![("127.0.0.1".into(), 80, 0), ("127.0.0.1".into(), 8080, 0)]
        );
    }

    #[test]
    fn named_port_matches_case_insensitively() {
        let set = EndpointSet::from_vec(vec![ep(
            1,
            None,
            vec![
                port(80, Some("http")),
                port(9090, Some("metrics")),
                port(81, None),
            ],
        )]);
        let ts = plan(&set, &PortChoice::Named("HTTP".into())).unwrap();
        assert_eq!(pairs(&ts), vec![("127.0.0.1".into(), 80, 0)]);
    }

    #[test]
    fn endpoints_without_port_are_rejected_with_advice() {
        let set = EndpointSet::from_vec(vec![
            ep(1, Some("web-0"), vec![port(80, Some("http"))]),
            ep(2, Some("web-1"), vec![]),
            ep(3, None, vec![port(81, Some("admin"))]),
        ]);
        let e = plan(&set, &PortChoice::AllSrv).unwrap_err();
        assert_eq!(e.endpoints, vec!["web-1"]);
        assert_eq!(
            e.to_string(),
            "1 of 3 endpoints has no port known from SRV (web-1); pass --port N"
        );
        let e = plan(&set, &PortChoice::Named("http".into())).unwrap_err();
        assert_eq!(e.endpoints, vec!["web-1", "127.0.0.3"]);
        assert!(e
            .to_string()
            .starts_with("2 of 3 endpoints have no port named 'http' in SRV"));
        assert!(e.to_string().ends_with("pass --port N"));
    }

    #[test]
    fn long_lists_are_shortened() {
        let set = EndpointSet::from_vec((1..=5).map(|i| ep(i, None, vec![])).collect());
        let e = plan(&set, &PortChoice::AllSrv).unwrap_err();
        assert_eq!(
            e.to_string(),
            "5 of 5 endpoints have no port known from SRV (127.0.0.1, 127.0.0.2, 127.0.0.3, … (2 more)); pass --port N"
        );
    }

    #[test]
    fn empty_set_plans_nothing() {
        assert!(plan(&EndpointSet::default(), &PortChoice::AllSrv)
            .unwrap()
            .is_empty());
    }
}
