//! Propagation lag: how long after the Kubernetes API changed what CoreDNS
//! should answer each DNS server answered it. Pure: the addresses CoreDNS
//! should publish (from [`crate::predict`]) and each server's answers go in,
//! with their times as offsets from the start of the watch; events come out.
//!
//! A lag is measured from the moment the API change was *seen* (the watch
//! event) to the first answer of the server that matches it, so it is as
//! precise as the polling interval of DNS (and includes the API watch's own
//! delivery delay, usually milliseconds). The state DNS had before the watch
//! started has no known age: for the first expectation a server is only said
//! to be in step, without a figure.

use std::collections::BTreeSet;
use std::net::IpAddr;
use std::time::Duration;

use serde::Serialize;

/// What changed in how one server relates to the API.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LagEvent {
    /// The server now answers what the API says it should.
    InStep {
        /// Index of the server (a line of output names the server itself).
        #[serde(skip)]
        server: usize,
        /// Which expectation (1 = the first list of the watch).
        version: u64,
        /// Time from the API change to this answer; `None` for the first
        /// expectation (the server's state predates the watch) and when the
        /// server was already answering it before the API change was seen.
        #[serde(with = "opt_ms", rename = "lag_ms")]
        lag: Option<Duration>,
        /// The server answered this before the API change was seen.
        ahead: bool,
    },
    /// The server's answer no longer matches the API although the API did
    /// not change: a replica serving an older or a different state.
    Diverged {
        /// Index of the server (a line of output names the server itself).
        #[serde(skip)]
        server: usize,
        /// The expectation it left.
        version: u64,
    },
}

mod opt_ms {
    use serde::Serializer;
    use std::time::Duration;

    pub fn serialize<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_some(&(d.as_secs_f64() * 1000.0)),
            None => s.serialize_none(),
        }
    }
}

#[derive(Clone, Debug)]
struct Expected {
    set: BTreeSet<IpAddr>,
    since: Duration,
    version: u64,
}

#[derive(Clone, Debug, Default)]
struct Server {
    seen: Option<BTreeSet<IpAddr>>,
    in_step: Option<u64>,
    lags: Vec<Duration>,
}

/// Per-server totals at the end of a watch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ServerSummary {
    /// Index of the server (the end line names the server itself).
    #[serde(skip)]
    pub server: usize,
    /// API changes the server followed with a measured lag.
    pub followed: usize,
    /// Longest measured lag.
    #[serde(with = "opt_ms", rename = "max_lag_ms")]
    pub max_lag: Option<Duration>,
    /// How long the server has not answered the current expectation, when
    /// it does not (a replica still behind at the end).
    #[serde(with = "opt_ms", rename = "behind_ms")]
    pub behind: Option<Duration>,
}

/// The lag tracker of one Service across several DNS servers.
#[derive(Clone, Debug)]
pub struct Propagation {
    expected: Option<Expected>,
    servers: Vec<Server>,
}

impl Propagation {
    /// A tracker for `servers` DNS servers.
    pub fn new(servers: usize) -> Self {
        Propagation {
            expected: None,
            servers: vec![Server::default(); servers],
        }
    }

    /// The current expectation's version (0 before the first).
    pub fn version(&self) -> u64 {
        self.expected.as_ref().map_or(0, |e| e.version)
    }

    /// The API now says DNS should answer `set` (seen at `at`). Nothing
    /// happens when that is what it already said.
    pub fn api(&mut self, set: BTreeSet<IpAddr>, at: Duration) -> Vec<LagEvent> {
        if self.expected.as_ref().is_some_and(|e| e.set == set) {
            return Vec::new();
        }
        let version = self.version() + 1;
        let mut events = Vec::new();
        for (i, s) in self.servers.iter_mut().enumerate() {
            s.in_step = None;
            if s.seen.as_ref() == Some(&set) {
                s.in_step = Some(version);
                events.push(LagEvent::InStep {
                    server: i,
                    version,
                    lag: None,
                    ahead: version > 1,
                });
            }
        }
        self.expected = Some(Expected {
            set,
            since: at,
            version,
        });
        events
    }

    /// Server `server` answered `set` at `at`.
    pub fn dns(&mut self, server: usize, set: BTreeSet<IpAddr>, at: Duration) -> Vec<LagEvent> {
        let Some(s) = self.servers.get_mut(server) else {
            return Vec::new();
        };
        s.seen = Some(set);
        let Some(e) = &self.expected else {
            return Vec::new();
        };
        let matches = s.seen.as_ref() == Some(&e.set);
        match (matches, s.in_step == Some(e.version)) {
            (true, false) => {
                s.in_step = Some(e.version);
                let lag = (e.version > 1).then(|| at.saturating_sub(e.since));
                if let Some(l) = lag {
                    s.lags.push(l);
                }
                vec![LagEvent::InStep {
                    server,
                    version: e.version,
                    lag,
                    ahead: false,
                }]
            }
            (false, true) => {
                s.in_step = None;
                vec![LagEvent::Diverged {
                    server,
                    version: e.version,
                }]
            }
            _ => Vec::new(),
        }
    }

    /// Totals per server at `now`.
    pub fn summary(&self, now: Duration) -> Vec<ServerSummary> {
        self.servers
            .iter()
            .enumerate()
            .map(|(i, s)| ServerSummary {
                server: i,
                followed: s.lags.len(),
                max_lag: s.lags.iter().max().copied(),
                behind: match &self.expected {
                    Some(e) if s.in_step != Some(e.version) => Some(now.saturating_sub(e.since)),
                    _ => None,
                },
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(ips: &[&str]) -> BTreeSet<IpAddr> {
        ips.iter().map(|s| s.parse().unwrap()).collect()
    }
    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn a_lagging_replica_is_measured_from_the_api_change() {
        let mut p = Propagation::new(2);
        // Before the first list, DNS answers are only remembered.
        assert!(p.dns(0, set(&["10.0.0.1"]), ms(5)).is_empty());
        // The first expectation: server 0 already matches, with no figure.
        assert_eq!(
            p.api(set(&["10.0.0.1"]), ms(10)),
            [LagEvent::InStep {
                server: 0,
                version: 1,
                lag: None,
                ahead: false
            }]
        );
        assert_eq!(
            p.dns(1, set(&["10.0.0.1"]), ms(20)),
            [LagEvent::InStep {
                server: 1,
                version: 1,
                lag: None,
                ahead: false
            }]
        );
        // The API publishes a second pod at 1 s.
        assert!(p.api(set(&["10.0.0.1", "10.0.0.2"]), ms(1000)).is_empty());
        // Server 0 follows at 1.2 s; server 1 still answers the old set.
        assert_eq!(
            p.dns(0, set(&["10.0.0.1", "10.0.0.2"]), ms(1200)),
            [LagEvent::InStep {
                server: 0,
                version: 2,
                lag: Some(ms(200)),
                ahead: false
            }]
        );
        assert!(p.dns(1, set(&["10.0.0.1"]), ms(1200)).is_empty());
        // Repeating the same answer reports nothing new.
        assert!(p
            .dns(0, set(&["10.0.0.1", "10.0.0.2"]), ms(1300))
            .is_empty());
        let s = p.summary(ms(6000));
        assert_eq!(s[0].followed, 1);
        assert_eq!(s[0].max_lag, Some(ms(200)));
        assert_eq!(s[0].behind, None);
        assert_eq!(s[1].behind, Some(ms(5000)));
        // Server 1 catches up at 6 s: a 5 s lag.
        assert_eq!(
            p.dns(1, set(&["10.0.0.1", "10.0.0.2"]), ms(6000)),
            [LagEvent::InStep {
                server: 1,
                version: 2,
                lag: Some(ms(5000)),
                ahead: false
            }]
        );
        assert_eq!(p.summary(ms(7000))[1].max_lag, Some(ms(5000)));
    }

    #[test]
    fn divergence_and_a_server_ahead_of_the_watch() {
        let mut p = Propagation::new(1);
        p.api(set(&["10.0.0.1", "10.0.0.2"]), ms(0));
        p.dns(0, set(&["10.0.0.1", "10.0.0.2"]), ms(10));
        // DNS drops a pod the API still publishes.
        assert_eq!(
            p.dns(0, set(&["10.0.0.1"]), ms(500)),
            [LagEvent::Diverged {
                server: 0,
                version: 1
            }]
        );
        // ...and then the API says the same: DNS was ahead of the watch.
        assert_eq!(
            p.api(set(&["10.0.0.1"]), ms(600)),
            [LagEvent::InStep {
                server: 0,
                version: 2,
                lag: None,
                ahead: true
            }]
        );
        // An API event that changes nothing DNS should answer is no change.
        assert!(p.api(set(&["10.0.0.1"]), ms(700)).is_empty());
        assert_eq!(p.version(), 2);
        // An unknown server index is ignored, not a panic.
        assert!(p.dns(7, set(&[]), ms(800)).is_empty());
    }
}
