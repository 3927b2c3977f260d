//! `hsvc check` output and its JSON schema (`hsvc.check/v1`).
//!
//! The command hands over plain data per round ([`Row`]s, [`Summary`],
//! changes); this module writes the table, wide, plain, JSON or JSON Lines
//! form of it, and draws the progress line on a terminal's stderr.

use std::collections::HashMap;
use std::io::{self, IsTerminal, Write};
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::{ErrorDoc, Format};
use crate::report::Reporter;
use hsvc_probe::{Change, ChangeKind, Check, MinHealthy, Outcome, ProbeResult, State};
use hsvc_resolve::dns::Transport;
use hsvc_resolve::endpoints::EndpointSet;
use hsvc_resolve::escape::term;
use hsvc_resolve::lookup::{Answer, Status};

pub const SCHEMA: &str = "hsvc.check/v1";

/// One probed target joined with what DNS said about its pod.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    pub ip: IpAddr,
    /// Pod hostname (first label of the SRV target), escaped presentation form.
    pub hostname: Option<String>,
    /// The SRV target in full, escaped presentation form.
    pub fqdn: Option<String>,
    pub port: u16,
    /// The port's Service name, when SRV labelled it (`--port-name`).
    pub port_name: Option<String>,
    pub healthy: bool,
    pub outcome: Outcome,
    /// Time until the outcome was known, milliseconds.
    pub latency_ms: f64,
}

impl Row {
    /// Joins each result with its endpoint (`target.index` is the position
    /// in `endpoints`).
    pub fn join(results: &[ProbeResult], endpoints: &EndpointSet) -> Vec<Row> {
        let eps = endpoints.as_slice();
        results
            .iter()
            .map(|r| {
                let e = eps.get(r.target.index);
                Row {
                    ip: r.target.ip,
                    hostname: e.and_then(|e| e.hostname.clone()),
                    fqdn: e.and_then(|e| e.fqdn.clone()),
                    port: r.target.port,
                    port_name: e.and_then(|e| {
                        e.ports
                            .iter()
                            .filter(|p| p.port == r.target.port)
                            .find_map(|p| p.name.clone())
                    }),
                    healthy: r.healthy,
                    outcome: r.outcome.clone(),
                    latency_ms: hsvc_resolve::lookup::ms(r.latency),
                }
            })
            .collect()
    }

    fn addr(&self) -> SocketAddr {
        SocketAddr::new(self.ip, self.port)
    }
}

pub use hsvc_probe::Verdict as Summary;

/// One state change after the first round.
#[derive(Clone, Debug, Serialize)]
pub struct ChangeRow {
    pub round: u32,
    pub ip: IpAddr,
    pub port: u16,
    pub hostname: Option<String>,
    /// `appeared`, `disappeared`, `recovered`, `failed`, `changed`.
    pub kind: ChangeKind,
    /// State in the previous round; null if the target appeared.
    pub before: Option<State>,
    /// State now; null if the target disappeared.
    pub after: Option<State>,
}

impl ChangeRow {
    /// Labels changes with the hostnames of the rows of both rounds.
    pub fn from_changes(round: u32, changes: Vec<Change>, prev: &[Row], next: &[Row]) -> Vec<Self> {
        let names: HashMap<(IpAddr, u16), &Option<String>> = prev
            .iter()
            .chain(next)
            .map(|r| ((r.ip, r.port), &r.hostname))
            .collect();
        changes
            .into_iter()
            .map(|c| ChangeRow {
                round,
                ip: c.target.ip,
                port: c.target.port,
                hostname: names
                    .get(&(c.target.ip, c.target.port))
                    .and_then(|h| (*h).clone()),
                kind: c.kind,
                before: c.before,
                after: c.after,
            })
            .collect()
    }
}

/// What DNS said, in the JSON document.
#[derive(Serialize)]
pub struct DnsInfo {
    /// `ok`, `nxdomain`, `nodata`, `error`.
    pub status: Status,
    pub rcode: Option<String>,
    /// The DNS server (`ip:port`), or the API server's URL (`--source api`).
    pub server: Option<String>,
    /// `udp` or `tcp`; absent when the endpoints came from the API.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transport: Option<Transport>,
    pub endpoints: usize,
    pub latency_ms: f64,
}

impl DnsInfo {
    pub fn new(r: &Answer) -> Self {
        DnsInfo {
            status: r.status(),
            rcode: r.via.rcode.map(hsvc_resolve::dns::rcode_str),
            server: Some(r.via.server.to_string()),
            transport: Some(r.via.transport),
            endpoints: r.endpoints.len(),
            latency_ms: hsvc_resolve::lookup::ms(r.latency),
        }
    }

    /// The endpoints CoreDNS should publish, read from the API at `server`.
    pub fn from_api(server: &str, endpoints: usize, latency: std::time::Duration) -> Self {
        DnsInfo {
            status: Status::Ok,
            rcode: None,
            server: Some(format!("{server} (Kubernetes API)")),
            transport: None,
            endpoints,
            latency_ms: hsvc_resolve::lookup::ms(latency),
        }
    }
}

/// The fixed part of the run, the same in every round.
#[derive(Serialize)]
pub struct Plan<'a> {
    /// The name as typed.
    pub name: &'a str,
    /// The absolute name queried.
    pub fqdn: String,
    pub namespace: Option<String>,
    pub service: Option<String>,
    /// `{"type":"tcp"}` or `{"type":"http","path":…,"expect":…}`.
    pub check: &'a Check,
    /// `--port`, if given.
    pub port: Option<u16>,
    /// `--port-name`, if given. Both null: every SRV port.
    pub port_name: Option<&'a str>,
    pub concurrency: u32,
    pub connect_timeout_ms: f64,
    /// Only with `--http`.
    pub http_timeout_ms: Option<f64>,
    pub min_healthy: MinHealthy,
    pub rounds: u32,
}

/// `hsvc check -o json`: one document at the end of the run.
#[derive(Serialize)]
pub struct CheckDoc<'a> {
    pub schema: &'static str,
    #[serde(flatten)]
    pub plan: &'a Plan<'a>,
    /// DNS of the last round.
    pub dns: Option<DnsInfo>,
    /// Every target of the first round, in IP then port order.
    pub results: &'a [Row],
    /// State changes of the later rounds, in order.
    pub changes: &'a [ChangeRow],
    /// The last round's verdict.
    pub summary: Option<Summary>,
    pub warnings: &'a [String],
    pub error: Option<&'a ErrorDoc>,
}

/// `hsvc check -o jsonl`: one object per line, tagged by `type`.
#[derive(Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Line<'a> {
    /// First line: what is checked, how.
    Start {
        schema: &'static str,
        #[serde(flatten)]
        plan: &'a Plan<'a>,
    },
    /// One target of the first round.
    Result {
        schema: &'static str,
        round: u32,
        #[serde(flatten)]
        row: &'a Row,
    },
    /// One state change in a later round.
    Change {
        schema: &'static str,
        #[serde(flatten)]
        change: &'a ChangeRow,
    },
    /// After each round.
    Summary {
        schema: &'static str,
        #[serde(flatten)]
        summary: &'a Summary,
        dns: DnsInfo,
    },
    /// The run stopped on an error.
    Error {
        schema: &'static str,
        error: &'a ErrorDoc,
    },
}

/// Writes rounds as they finish, in one format.
pub struct Renderer<'a> {
    format: Format,
    plan: Plan<'a>,
    first: Vec<Row>,
    changes: Vec<ChangeRow>,
    last: Option<(Summary, DnsInfo)>,
    warnings: Vec<String>,
}

impl<'a> Renderer<'a> {
    pub fn new(format: Format, plan: Plan<'a>) -> Self {
        Renderer {
            format,
            plan,
            first: Vec::new(),
            changes: Vec::new(),
            last: None,
            warnings: Vec::new(),
        }
    }

    /// Before the first round.
    pub fn start(&mut self, w: &mut dyn Write) -> io::Result<()> {
        if self.format == Format::Jsonl {
            let line = Line::Start {
                schema: SCHEMA,
                plan: &self.plan,
            };
            super::write_json(w, &line, false)?;
            w.flush()?;
        }
        Ok(())
    }

    /// Warnings from DNS, once each.
    pub fn warnings(
        &mut self,
        rep: &mut Reporter<'_>,
        warnings: &[hsvc_resolve::lookup::Warning],
    ) -> io::Result<()> {
        for warning in warnings {
            let warning = warning.to_string();
            if !self.warnings.contains(&warning) {
                rep.warning(&warning);
                self.warnings.push(warning);
            }
        }
        Ok(())
    }

    /// The first round: every target.
    pub fn first_round(
        &mut self,
        w: &mut dyn Write,
        rep: &mut Reporter<'_>,
        rows: &[Row],
        summary: Summary,
        dns: DnsInfo,
    ) -> io::Result<()> {
        match self.format {
            Format::Json | Format::Yaml => {}
            Format::Jsonl => {
                for row in rows {
                    let line = Line::Result {
                        schema: SCHEMA,
                        round: summary.round,
                        row,
                    };
                    super::write_json(w, &line, false)?;
                }
                self.summary_line(w, &summary, dns)?;
                return w.flush();
            }
            Format::Plain => {
                for row in rows.iter().filter(|r| r.healthy) {
                    writeln!(w, "{}", row.addr())?;
                }
                rep.note(&summary.line());
            }
            Format::Table | Format::Wide => {
                if !rows.is_empty() {
                    self.write_rows(w, rows)?;
                }
                writeln!(w, "{}", self.summary_text(&summary, &dns))?;
            }
        }
        self.first = rows.to_vec();
        self.last = Some((summary, dns));
        w.flush()
    }

    /// A later round: only what changed, and the summary if anything did.
    pub fn later_round(
        &mut self,
        w: &mut dyn Write,
        changes: Vec<ChangeRow>,
        summary: Summary,
        dns: DnsInfo,
    ) -> io::Result<()> {
        match self.format {
            Format::Json | Format::Yaml => {}
            Format::Jsonl => {
                for change in &changes {
                    let line = Line::Change {
                        schema: SCHEMA,
                        change,
                    };
                    super::write_json(w, &line, false)?;
                }
                self.summary_line(w, &summary, dns)?;
                return w.flush();
            }
            Format::Plain | Format::Table | Format::Wide => {
                for c in &changes {
                    writeln!(w, "{}", change_text(c))?;
                }
                if !changes.is_empty() {
                    writeln!(w, "round {}: {}", summary.round, summary.line())?;
                }
            }
        }
        self.changes.extend(changes);
        self.last = Some((summary, dns));
        w.flush()
    }

    /// After the last round (or on an error that ends the run): the JSON
    /// document, or the JSONL error line.
    pub fn finish(
        &mut self,
        w: &mut dyn Write,
        dns: Option<DnsInfo>,
        error: Option<&ErrorDoc>,
    ) -> io::Result<()> {
        match self.format {
            Format::Json | Format::Yaml => {
                let (summary, last_dns) = match self.last.take() {
                    Some((s, d)) => (Some(s), Some(d)),
                    None => (None, None),
                };
                let doc = CheckDoc {
                    schema: SCHEMA,
                    plan: &self.plan,
                    dns: dns.or(last_dns),
                    results: &self.first,
                    changes: &self.changes,
                    summary,
                    warnings: &self.warnings,
                    error,
                };
                super::write_json(w, &doc, true)
            }
            Format::Jsonl => match error {
                Some(error) => super::write_json(
                    w,
                    &Line::Error {
                        schema: SCHEMA,
                        error,
                    },
                    false,
                ),
                None => Ok(()),
            },
            _ => Ok(()),
        }
    }

    fn summary_line(&self, w: &mut dyn Write, summary: &Summary, dns: DnsInfo) -> io::Result<()> {
        let line = Line::Summary {
            schema: SCHEMA,
            summary,
            dns,
        };
        super::write_json(w, &line, false)
    }

    fn summary_text(&self, s: &Summary, dns: &DnsInfo) -> String {
        let what = match self.plan.check {
            Check::Tcp => "tcp connect".to_string(),
            Check::Http { path, expect } => {
                format!("http GET {} expect {expect}", term(path))
            }
        };
        let mut line = format!(
            "{} · {what} · {} pod{} of {}",
            s.line(),
            dns.endpoints,
            if dns.endpoints == 1 { "" } else { "s" },
            self.plan.fqdn
        );
        if let Some(server) = &dns.server {
            line.push_str(&format!(" from {server}"));
        }
        line.push_str(&format!(" · {}", super::human_ms(s.wall_ms)));
        line
    }

    fn write_rows(&self, w: &mut dyn Write, rows: &[Row]) -> io::Result<()> {
        let wide = self.format == Format::Wide;
        let mut t = if wide {
            super::table([
                "IP", "HOSTNAME", "FQDN", "PORT", "RESULT", "HEALTHY", "LATENCY",
            ])
        } else {
            super::table(["IP", "HOSTNAME", "PORT", "RESULT", "LATENCY"])
        };
        for r in rows {
            let port = match &r.port_name {
                Some(n) => format!("{} ({})", r.port, term(n)),
                None => r.port.to_string(),
            };
            let result = term(&r.outcome.to_string()).into_owned();
            let latency = super::human_ms(r.latency_ms);
            t.add_row(if wide {
                vec![
                    r.ip.to_string(),
                    super::opt(&r.hostname),
                    super::opt(&r.fqdn),
                    port,
                    result,
                    if r.healthy { "yes" } else { "no" }.to_string(),
                    latency,
                ]
            } else {
                vec![
                    r.ip.to_string(),
                    super::opt(&r.hostname),
                    port,
                    result,
                    latency,
                ]
            });
        }
        super::write_table(w, &t)
    }
}

fn state_text(s: &Option<State>) -> String {
    s.as_ref()
        .map_or_else(|| "-".into(), |s| term(&s.outcome.to_string()).into_owned())
}

/// `round 2: 127.0.0.3:8080 (web-2) failed: open → refused`.
pub fn change_text(c: &ChangeRow) -> String {
    let host = c
        .hostname
        .as_ref()
        .map(|h| format!(" ({})", term(h)))
        .unwrap_or_default();
    let kind = serde_json::to_value(c.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let what = match c.kind {
        ChangeKind::Appeared => state_text(&c.after),
        ChangeKind::Disappeared => format!("was {}", state_text(&c.before)),
        _ => format!("{} → {}", state_text(&c.before), state_text(&c.after)),
    };
    format!(
        "round {}: {}{host} {kind}: {what}",
        c.round,
        SocketAddr::new(c.ip, c.port)
    )
}

/// A `\r` progress line on stderr, drawn only when stderr is a terminal
/// and the round has run for a while; cleared when the round ends.
pub struct Progress {
    enabled: bool,
    start: Instant,
    drawn: AtomicBool,
    last: Mutex<Option<Instant>>,
}

impl Progress {
    /// How long a round runs before the line appears.
    pub const DELAY: Duration = Duration::from_millis(500);
    /// Redraw at most this often.
    const EVERY: Duration = Duration::from_millis(100);

    /// Enabled iff stderr is a terminal.
    pub fn for_stderr() -> Self {
        Progress {
            enabled: io::stderr().is_terminal(),
            start: Instant::now(),
            drawn: AtomicBool::new(false),
            last: Mutex::new(None),
        }
    }

    /// Called as `(done, total)` after each probe.
    pub fn update(&self, done: usize, total: usize) {
        if !self.enabled {
            return;
        }
        let now = Instant::now();
        if now.duration_since(self.start) < Self::DELAY {
            return;
        }
        let Ok(mut last) = self.last.lock() else {
            return;
        };
        if done < total && last.is_some_and(|l| now.duration_since(l) < Self::EVERY) {
            return;
        }
        *last = Some(now);
        let width = 30;
        let filled = done * width / total.max(1);
        let bar = format!("{}{}", "#".repeat(filled), ".".repeat(width - filled));
        let mut e = io::stderr();
        let _ = write!(e, "\r\x1b[Kchecking [{bar}] {done}/{total}");
        let _ = e.flush();
        self.drawn.store(true, Ordering::Relaxed);
    }

    /// Erases the line if it was drawn.
    pub fn clear(&self) {
        if self.drawn.swap(false, Ordering::Relaxed) {
            let mut e = io::stderr();
            let _ = write!(e, "\r\x1b[K");
            let _ = e.flush();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hsvc_probe::Target;

    fn result(last: u8, port: u16, outcome: Outcome) -> ProbeResult {
        ProbeResult {
            target: Target::new([127, 0, 0, last].into(), port, 0),
            healthy: outcome.is_healthy(),
            outcome,
            latency: Duration::from_millis(2),
        }
    }

    #[test]
    fn summary_counts_and_requires() {
        let rs = vec![
            result(1, 80, Outcome::Open),
            result(2, 80, Outcome::Refused),
            result(3, 80, Outcome::Open),
        ];
        let s = Summary::new(1, &rs, MinHealthy::ALL, Duration::ZERO);
        assert_eq!(
            (s.total, s.healthy, s.unhealthy, s.required, s.ok),
            (3, 2, 1, 3, false)
        );
        assert_eq!(s.line(), "2 of 3 healthy (need 3)");
        let s = Summary::new(1, &rs, MinHealthy::Count(2), Duration::ZERO);
        assert!(s.ok);
        let s = Summary::new(1, &rs, MinHealthy::Percent(6000), Duration::ZERO);
        assert_eq!((s.required, s.ok), (2, true));
        // No targets is never healthy, whatever the threshold.
        let s = Summary::new(1, &[], MinHealthy::Count(0), Duration::ZERO);
        assert!(!s.ok);
    }

    #[test]
    fn change_lines_name_target_and_states() {
        let c = ChangeRow {
            round: 2,
            ip: [127, 0, 0, 3].into(),
            port: 8080,
            hostname: Some("web-2".into()),
            kind: ChangeKind::Failed,
            before: Some(State {
                healthy: true,
                outcome: Outcome::Open,
            }),
            after: Some(State {
                healthy: false,
                outcome: Outcome::Refused,
            }),
        };
        assert_eq!(
            change_text(&c),
            "round 2: 127.0.0.3:8080 (web-2) failed: open → refused"
        );
        let gone = ChangeRow {
            kind: ChangeKind::Disappeared,
            after: None,
            hostname: Some("\u{1b}[31m".into()),
            ..c.clone()
        };
        let t = change_text(&gone);
        assert!(t.ends_with("disappeared: was open"), "{t}");
        assert!(!t.contains('\u{1b}'), "{t:?}");
    }
}
