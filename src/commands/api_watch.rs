//! `hsvc watch --source api` and `--source both`: the Service's endpoints
//! through a real watch of the Kubernetes API (list, then watch with
//! bookmarks; a 410 re-lists without phantom changes), and with `both`
//! every DNS server polled on the same timeline, each with the time it
//! took to answer what the API says it should (the propagation lag).

use std::collections::BTreeSet;
use std::io::Write;
use std::net::IpAddr;
use std::time::{Duration, SystemTime};

use futures::StreamExt;
use serde::Serialize;
use tokio::time::{sleep_until, Instant};

use hsvc_api::changes::{changes, ChangeKind, EndpointChange};
use hsvc_api::lag::{LagEvent, Propagation, ServerSummary};
use hsvc_api::model::{Conditions, ServiceView};
use hsvc_api::predict::{self, Answer as Predicted};
use hsvc_api::watch::WatchEvent;
use hsvc_resolve::escape::term;

use crate::exit::{Exit, Fail};
use crate::output::Format;
use crate::plan::{ApiPlan, ApiWatchPlan, Settings};
use crate::report::Reporter;
use crate::sources::Source;

/// The JSON lines' schema.
pub const SCHEMA: &str = "hsvc.watch-api/v1";

/// DNS is polled this often without `--interval`: the lag figures are as
/// precise as this.
const DNS_POLL: Duration = Duration::from_secs(1);

fn now_rfc3339() -> String {
    humantime::format_rfc3339_millis(SystemTime::now()).to_string()
}

async fn until(deadline: Option<Instant>) {
    match deadline {
        Some(d) => sleep_until(d).await,
        None => std::future::pending().await,
    }
}

/// Ctrl-C or SIGTERM: either ends the watch with its summary (exit 0). If
/// no handler can be installed, the watch runs on rather than stop at once.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                r = tokio::signal::ctrl_c() => if r.is_err() { std::future::pending::<()>().await },
                _ = term.recv() => {}
            }
            return;
        }
    }
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// One word for an endpoint's conditions, as `verify` shows them.
fn state(c: &Conditions) -> &'static str {
    if c.terminating == Some(true) {
        "terminating"
    } else if c.ready != Some(false) {
        "ready"
    } else {
        "not ready"
    }
}

/// What CoreDNS should answer at the Service name, by address.
fn expected(view: &ServiceView) -> BTreeSet<IpAddr> {
    let p = predict::predict(view);
    match p.answer {
        Predicted::Noerror => p.addresses.iter().map(|a| a.ip).collect(),
        _ => BTreeSet::new(),
    }
}

fn ms(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else {
        format!("{:.2} s", d.as_secs_f64())
    }
}

#[derive(Serialize)]
struct Line<'a> {
    schema: &'static str,
    time: &'a str,
    /// `api` or `dns`.
    source: &'static str,
    /// The DNS server, for `dns` lines.
    #[serde(skip_serializing_if = "Option::is_none")]
    server: Option<&'a str>,
    service: &'a str,
    #[serde(flatten)]
    body: Body<'a>,
}

#[derive(Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
enum Body<'a> {
    /// The API's endpoints changed (the first list is `initial`).
    Endpoints {
        initial: bool,
        changes: &'a [EndpointChange],
        published: usize,
        total: usize,
    },
    /// The watch listed again.
    Resync { reason: &'a str },
    /// A DNS server's answer changed.
    Answer {
        addresses: &'a BTreeSet<IpAddr>,
        added: Vec<IpAddr>,
        removed: Vec<IpAddr>,
    },
    /// A DNS server now matches, or left, what the API says.
    Lag(&'a LagEvent),
    /// A failed API request or DNS query; the watch goes on.
    Error { message: &'a str },
    /// The end.
    End {
        reason: &'a str,
        elapsed_ms: u64,
        snapshots: u64,
        servers: Vec<EndServer<'a>>,
    },
}

#[derive(Serialize)]
struct EndServer<'a> {
    server: &'a str,
    #[serde(flatten)]
    summary: &'a ServerSummary,
}

struct Printer<'a> {
    format: Format,
    service: String,
    servers: Vec<String>,
    out: &'a mut dyn Write,
}

impl Printer<'_> {
    fn emit(&mut self, server: Option<usize>, body: Body<'_>, text: &str) -> Result<(), Fail> {
        let time = now_rfc3339();
        let server_label = server.and_then(|i| self.servers.get(i)).map(String::as_str);
        let r = if self.format.is_json() {
            let source = if server.is_some() { "dns" } else { "api" };
            crate::output::write_json(
                self.out,
                &Line {
                    schema: SCHEMA,
                    time: &time,
                    source,
                    server: server_label,
                    service: &self.service,
                    body,
                },
                false,
            )
        } else {
            let who = match server_label {
                Some(s) => format!("dns {s}"),
                None => "api".to_string(),
            };
            let width = self
                .servers
                .iter()
                .map(|s| s.len() + 4)
                .max()
                .unwrap_or(3)
                .max(3);
            writeln!(
                self.out,
                "{time}  {who:<width$}  {}  {text}",
                term(&self.service)
            )
        };
        r.and_then(|()| self.out.flush()).map_err(super::io_fail)
    }

    fn endpoints(
        &mut self,
        initial: bool,
        view: &ServiceView,
        ch: &[EndpointChange],
    ) -> Result<(), Fail> {
        let published = view.ready_count();
        let total = view.endpoints.len();
        let mut text = if initial {
            format!("initial    {published} published of {total} in the API")
        } else {
            format!("changed    → {published} published of {total}")
        };
        if !self.format.is_json() {
            for c in ch {
                let who = c
                    .pod
                    .as_deref()
                    .or(c.hostname.as_deref())
                    .map(term)
                    .unwrap_or_default();
                let what = match (&c.kind, c.before, c.after) {
                    (ChangeKind::Added, _, Some(a)) => format!("added {}", state(&a)),
                    (ChangeKind::Removed, Some(b), _) => format!("removed (was {})", state(&b)),
                    (_, Some(b), Some(a)) => format!("{} → {}", state(&b), state(&a)),
                    _ => String::new(),
                };
                let dns = match (c.was_published, c.published) {
                    (false, true) => "now in DNS",
                    (true, false) => "now out of DNS",
                    (true, true) => "in DNS",
                    (false, false) => "not in DNS",
                };
                text.push_str(&format!(
                    "\n    {:<15} {who:<12} {what}  ({dns})",
                    c.ip.to_string()
                ));
            }
        }
        self.emit(
            None,
            Body::Endpoints {
                initial,
                changes: ch,
                published,
                total,
            },
            &text,
        )
    }

    fn lag(&mut self, ev: &LagEvent) -> Result<(), Fail> {
        let (server, text) = match ev {
            LagEvent::InStep {
                server,
                lag: Some(l),
                ..
            } => (*server, format!("in step   with the API after {}", ms(*l))),
            LagEvent::InStep {
                server,
                ahead: true,
                ..
            } => (
                *server,
                "in step   (answered it before the API change was seen)".to_string(),
            ),
            LagEvent::InStep { server, .. } => (*server, "in step   with the API".to_string()),
            LagEvent::Diverged { server, .. } => (
                *server,
                "diverged  its answer no longer matches the API, which did not change".to_string(),
            ),
        };
        self.emit(Some(server), Body::Lag(ev), &text)
    }
}

/// `hsvc watch NAME --source api|both`; `s` (the DNS settings) is there
/// with `both` only.
pub async fn run(
    s: Option<&Settings>,
    p: &ApiPlan,
    w: &ApiWatchPlan,
    out: &mut dyn Write,
    rep: &mut Reporter<'_>,
) -> Result<Exit, Fail> {
    let format = p.format;
    let client = super::api::connect(p)
        .await
        .map_err(|e| super::api::fail(&e, SCHEMA, &w.name, format, out))?;
    super::api::diagnose(&client, rep);
    let zone = s.map(|s| s.context(None).cluster_domain);
    let (target, namespace, service) = super::api::service_target(
        &w.name,
        &client.config().namespace,
        zone.as_ref().or(p.cluster_domain.as_ref()),
    )?;
    let mut stream = Box::pin(
        hsvc_api::watch::watch_service(&client, &namespace, &service)
            .map_err(|e| super::api::fail(&e, SCHEMA, &w.name, format, out))?,
    );
    let sources: Vec<Source> = match s {
        Some(s) => s
            .servers
            .iter()
            .map(|&server| Source {
                label: server.to_string(),
                target: target.clone(),
                server,
            })
            .collect(),
        None => Vec::new(),
    };
    let refs: Vec<&Source> = sources.iter().collect();
    let mut pr = Printer {
        format,
        service: format!("{namespace}/{service}"),
        servers: sources.iter().map(|s| s.label.clone()).collect(),
        out,
    };
    let mut prop = Propagation::new(sources.len());
    let mut seen: Vec<Option<BTreeSet<IpAddr>>> = vec![None; sources.len()];
    let mut failing: Vec<bool> = vec![false; sources.len()];
    let mut last: Option<ServiceView> = None;
    let mut snapshots = 0u64;
    let started = Instant::now();
    let deadline = w.duration.map(|d| started + d);
    let poll = w.interval.unwrap_or(DNS_POLL);
    let mut next_dns = started;
    let stop = stop_signal();
    tokio::pin!(stop);

    let reason = loop {
        let dns_due = async {
            if refs.is_empty() {
                std::future::pending::<()>().await;
            }
            sleep_until(next_dns).await;
        };
        tokio::select! {
            ev = stream.next() => match ev {
                None => break "ended",
                Some(WatchEvent::Snapshot { view, .. }) => {
                    let at = started.elapsed();
                    let ch = changes(last.as_ref(), &view);
                    if last.is_none() {
                        if let Some(svc) = view.service.as_ref().filter(|s| !s.headless) {
                            rep.warning(&crate::output::api::not_headless(svc));
                        }
                    }
                    pr.endpoints(last.is_none(), &view, &ch)?;
                    for ev in prop.api(expected(&view), at) {
                        pr.lag(&ev)?;
                    }
                    last = Some(view);
                    snapshots += 1;
                    if w.count.is_some_and(|c| snapshots >= c) {
                        break "count";
                    }
                }
                Some(WatchEvent::Resync { reason }) => {
                    pr.emit(None, Body::Resync { reason: &reason }, &format!("resync     {reason}"))?;
                }
                Some(WatchEvent::Error(e)) => {
                    // Before anything was listed an error is the answer (403,
                    // 401, nothing listening): fail as `resolve --source api`
                    // would. After it, the watch goes on with kube's backoff.
                    if last.is_none() {
                        return Err(super::api::fail(&e, SCHEMA, &w.name, format, pr.out));
                    }
                    let m = e.to_string();
                    pr.emit(None, Body::Error { message: &m }, &format!("error      {m}"))?;
                }
            },
            _ = dns_due => {
                let Some(s) = s else { continue };
                let answers = crate::sources::resolve_all(s, &refs, rep).await;
                let at = started.elapsed();
                next_dns = Instant::now() + poll;
                for (i, a) in answers.iter().enumerate() {
                    if let Some(e) = a.error() {
                        if !failing[i] {
                            failing[i] = true;
                            let m = e.to_string();
                            pr.emit(Some(i), Body::Error { message: &m }, &format!("error      {m}"))?;
                        }
                        continue;
                    }
                    failing[i] = false;
                    let set: BTreeSet<IpAddr> = a.endpoints.iter().map(|e| e.ip).collect();
                    if seen[i].as_ref() != Some(&set) {
                        let before = seen[i].clone().unwrap_or_default();
                        let added: Vec<IpAddr> = set.difference(&before).copied().collect();
                        let removed: Vec<IpAddr> = before.difference(&set).copied().collect();
                        let list = |v: &[IpAddr], sign: char| {
                            v.iter().map(|ip| format!("{sign}{ip}")).collect::<Vec<_>>().join(" ")
                        };
                        let text = if seen[i].is_none() {
                            format!("initial    {} addresses", set.len())
                        } else {
                            format!("answer     {} {} → {} addresses", list(&added, '+'), list(&removed, '-'), set.len())
                        };
                        pr.emit(Some(i), Body::Answer { addresses: &set, added, removed }, &text)?;
                        seen[i] = Some(set.clone());
                    }
                    for ev in prop.dns(i, set, at) {
                        pr.lag(&ev)?;
                    }
                }
            }
            _ = &mut stop => break "interrupted",
            _ = until(deadline) => break "duration",
        }
    };

    let elapsed = started.elapsed();
    let summaries = prop.summary(elapsed);
    let mut text = format!(
        "end: {reason} after {} ms: {snapshots} API snapshot(s)",
        elapsed.as_millis()
    );
    for (sum, label) in summaries.iter().zip(&pr.servers) {
        text.push_str(&format!(
            "\n    {label}: followed {} change(s)",
            sum.followed
        ));
        if let Some(m) = sum.max_lag {
            text.push_str(&format!(", longest lag {}", ms(m)));
        }
        if let Some(b) = sum.behind {
            text.push_str(&format!(
                "; still not answering what the API says, for {}",
                ms(b)
            ));
        }
    }
    let labels = pr.servers.clone();
    let servers_json: Vec<EndServer> = summaries
        .iter()
        .zip(&labels)
        .map(|(summary, server)| EndServer { server, summary })
        .collect();
    let body = Body::End {
        reason,
        elapsed_ms: elapsed.as_millis() as u64,
        snapshots,
        servers: servers_json,
    };
    // The end line has no server and is not an API event: print it plainly.
    if format.is_json() {
        pr.emit(None, body, "")?;
    } else {
        let t = now_rfc3339();
        writeln!(pr.out, "{t}  {text}")
            .and_then(|()| pr.out.flush())
            .map_err(super::io_fail)?;
    }
    Ok(Exit::Ok)
}
