//! Output of the Kubernetes API source and its JSON schemas:
//! `hsvc resolve --source api` (`hsvc.endpoints/v1`), `hsvc ls`
//! (`hsvc.ls/v1`), `hsvc verify` (`hsvc.verify/v1`). Everything from the
//! API is escaped before it is written.

use std::io::{self, Write};
use std::time::Duration;

use serde::Serialize;

use super::{ErrorDoc, Format};
use hsvc_api::client::HeadlessList;
use hsvc_api::compare::{Comparison, Verdict};
use hsvc_api::config::{ApiConfig, Credentials, NsSource};
use hsvc_api::error::ApiError;
use hsvc_api::model::{ApiEndpoint, Origin, ServiceInfo, ServicePort, ServiceView, SlicePort};
use hsvc_api::predict::{AbsentReason, Prediction, PublishReason};
use hsvc_resolve::escape::term;

pub const VIEW_SCHEMA: &str = "hsvc.endpoints/v1";
pub const LS_SCHEMA: &str = "hsvc.ls/v1";
pub const VERIFY_SCHEMA: &str = "hsvc.verify/v1";

/// Where the API was read: server, credentials, namespace rule.
#[derive(Serialize)]
pub struct ApiDoc<'a> {
    pub server: String,
    pub credentials: &'a Credentials,
    pub namespace_source: &'a NsSource,
}

impl<'a> ApiDoc<'a> {
    fn new(c: &'a ApiConfig) -> Self {
        ApiDoc {
            server: c.server(),
            credentials: &c.credentials,
            namespace_source: &c.namespace_source,
        }
    }
}

/// The JSON document when the API could not be read.
#[derive(Serialize)]
pub struct ErrorOnly<'a> {
    pub schema: &'static str,
    pub name: &'a str,
    pub status: &'static str,
    pub error: ErrorDoc,
}

impl<'a> ErrorOnly<'a> {
    pub fn new(schema: &'static str, name: &'a str, e: &ApiError) -> Self {
        ErrorOnly {
            schema,
            name,
            status: "error",
            error: ErrorDoc {
                kind: e.kind().to_string(),
                message: e.to_string(),
                server: None,
            },
        }
    }
}

/// The warning for a Service that is not headless.
pub fn not_headless(s: &ServiceInfo) -> String {
    format!(
        "{}/{} is not headless (clusterIP {}): DNS answers kube-proxy's virtual IP, not these pods",
        term(&s.namespace),
        term(&s.name),
        term(&s.cluster_ips.join(","))
    )
}

/// The document of `hsvc resolve --source api -o json`.
#[derive(Serialize)]
pub struct ViewDoc<'a> {
    pub schema: &'static str,
    pub name: &'a str,
    pub namespace: &'a str,
    pub service_name: &'a str,
    /// `ok` (some endpoint ready) or `empty`.
    pub status: &'static str,
    pub api: ApiDoc<'a>,
    /// `endpoint_slice` or `endpoints` (the v1 fallback).
    pub origin: Origin,
    pub headless: bool,
    pub service: Option<&'a ServiceInfo>,
    pub ready: usize,
    pub total: usize,
    pub endpoints: &'a [ApiEndpoint],
    pub slices: &'a [hsvc_api::model::Slice],
    pub latency_ms: f64,
    pub warnings: Vec<String>,
    pub error: Option<ErrorDoc>,
}

fn cond(c: Option<bool>) -> &'static str {
    match c {
        Some(true) => "true",
        Some(false) => "false",
        None => "-",
    }
}

fn slice_ports(ps: &[SlicePort]) -> String {
    if ps.is_empty() {
        return "-".into();
    }
    ps.iter()
        .map(|p| {
            let mut s = p.port.map_or("-".to_string(), |n| n.to_string());
            s.push('/');
            s.push_str(&p.protocol.to_ascii_lowercase());
            if let Some(n) = &p.name {
                s.push_str(&format!(" ({})", term(n)));
            }
            s
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn service_ports(ps: &[ServicePort]) -> String {
    if ps.is_empty() {
        return "-".into();
    }
    ps.iter()
        .map(|p| {
            let mut s = format!("{}/{}", p.port, p.protocol.to_ascii_lowercase());
            if let Some(n) = &p.name {
                s.push_str(&format!(" ({})", term(n)));
            }
            s
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn opt(s: &Option<String>) -> String {
    super::opt(s)
}

pub fn view(
    w: &mut dyn Write,
    name: &str,
    cfg: &ApiConfig,
    v: &ServiceView,
    elapsed: Duration,
    format: Format,
) -> io::Result<()> {
    let (ready, total) = hsvc_api::client::counts(v);
    let latency_ms = hsvc_resolve::lookup::ms(elapsed);
    match format {
        Format::Json | Format::Jsonl | Format::Yaml => {
            let doc = ViewDoc {
                schema: VIEW_SCHEMA,
                name,
                namespace: &v.namespace,
                service_name: &v.name,
                status: if v.ready_count() > 0 { "ok" } else { "empty" },
                api: ApiDoc::new(cfg),
                origin: v.origin,
                headless: v.service.as_ref().is_some_and(|s| s.headless),
                service: v.service.as_ref(),
                ready,
                total,
                endpoints: &v.endpoints,
                slices: &v.slices,
                latency_ms,
                warnings: v.warnings.iter().map(|w| w.message()).collect(),
                error: None,
            };
            return super::write_json(w, &doc, format == Format::Json);
        }
        Format::Plain => {
            // Like DNS's plain output: the addresses DNS should answer.
            for e in v.endpoints.iter().filter(|e| e.published) {
                writeln!(w, "{}", e.ip)?;
            }
            return Ok(());
        }
        Format::Table | Format::Wide => {}
    }
    let wide = format == Format::Wide;
    if !v.endpoints.is_empty() {
        let mut t = if wide {
            super::table([
                "IP",
                "HOSTNAME",
                "POD",
                "READY",
                "SERVING",
                "TERMINATING",
                "IN-DNS",
                "PORTS",
                "NODE",
                "ZONE",
                "SLICES",
            ])
        } else {
            super::table([
                "IP",
                "HOSTNAME",
                "POD",
                "READY",
                "SERVING",
                "TERMINATING",
                "PORTS",
            ])
        };
        for e in &v.endpoints {
            let mut row = vec![
                e.ip.to_string(),
                opt(&e.hostname),
                opt(&e.pod),
                cond(e.conditions.ready).to_string(),
                cond(e.conditions.serving).to_string(),
                cond(e.conditions.terminating).to_string(),
            ];
            if wide {
                row.push(if e.published { "yes" } else { "no" }.to_string());
            }
            row.push(slice_ports(&e.ports));
            if wide {
                row.push(opt(&e.node));
                row.push(opt(&e.zone));
                row.push(
                    e.slices
                        .iter()
                        .map(|s| term(s).into_owned())
                        .collect::<Vec<_>>()
                        .join(","),
                );
            }
            t.add_row(row);
        }
        super::write_table(w, &t)?;
    }
    let from = match v.origin {
        Origin::EndpointSlice => format!(
            "{} EndpointSlice{}",
            v.slices.len(),
            if v.slices.len() == 1 { "" } else { "s" }
        ),
        Origin::Endpoints => "v1 Endpoints".to_string(),
    };
    let summary = format!(
        "{ready} of {total} endpoint{} ready for {}/{} · {from} from {} · {}",
        if total == 1 { "" } else { "s" },
        term(&v.namespace),
        term(&v.name),
        cfg.server(),
        super::human_ms(latency_ms)
    );
    writeln!(w, "{}", crate::diag::paint(crate::diag::DIM, &summary))
}

/// The document of `hsvc ls -o json`.
#[derive(Serialize)]
pub struct LsDoc<'a> {
    pub schema: &'static str,
    #[serde(flatten)]
    pub list: &'a HeadlessList,
    pub error: Option<ErrorDoc>,
}

pub fn ls(w: &mut dyn Write, list: &HeadlessList, format: Format) -> io::Result<()> {
    match format {
        Format::Json | Format::Jsonl | Format::Yaml => {
            let doc = LsDoc {
                schema: LS_SCHEMA,
                list,
                error: None,
            };
            return super::write_json(w, &doc, format == Format::Json);
        }
        Format::Plain => {
            for s in &list.services {
                writeln!(w, "{}.{}", term(&s.name), term(&s.namespace))?;
            }
            return Ok(());
        }
        Format::Table | Format::Wide => {}
    }
    if list.services.is_empty() {
        return Ok(());
    }
    let mut t = super::table([
        "NAMESPACE",
        "NAME",
        "PORTS",
        "SELECTOR",
        "READY",
        "PUBLISH-NOT-READY",
    ]);
    for s in &list.services {
        let selector = if s.selector.is_empty() {
            "<none>".to_string()
        } else {
            s.selector
                .iter()
                .map(|(k, v)| format!("{}={}", term(k), term(v)))
                .collect::<Vec<_>>()
                .join(",")
        };
        t.add_row([
            term(&s.namespace).into_owned(),
            term(&s.name).into_owned(),
            service_ports(&s.ports),
            selector,
            format!("{}/{}", s.ready, s.total),
            s.publish_not_ready_addresses.to_string(),
        ]);
    }
    super::write_table(w, &t)
}

/// The document of `hsvc verify -o json`.
#[derive(Serialize)]
pub struct VerifyDoc<'a> {
    pub schema: &'static str,
    pub name: &'a str,
    pub namespace: &'a str,
    pub service_name: &'a str,
    pub api: ApiDoc<'a>,
    pub origin: Origin,
    pub service: Option<&'a ServiceInfo>,
    pub endpoints: &'a [ApiEndpoint],
    #[serde(flatten)]
    pub comparison: &'a Comparison,
    pub warnings: Vec<String>,
    pub error: Option<ErrorDoc>,
}

fn api_state(p: &Prediction, ip: &std::net::IpAddr) -> &'static str {
    if let Some(a) = p.address(ip) {
        return match a.reason {
            PublishReason::Ready => "ready",
            PublishReason::ReadyUnknown => "ready (unset)",
            PublishReason::PublishNotReady => "not ready, published",
            PublishReason::PublishTerminating => "terminating, published",
            PublishReason::ReadyByWriter => "ready (writer)",
            PublishReason::ClusterIp => "clusterIP",
        };
    }
    match p.absent_address(ip).map(|a| a.reason) {
        Some(AbsentReason::NotReady) => "not ready",
        Some(AbsentReason::Terminating) => "terminating",
        Some(AbsentReason::ReadyFalse) => "ready=false",
        Some(AbsentReason::NotHeadless) => "pod (not headless)",
        Some(AbsentReason::NoService) => "no Service",
        None => "-",
    }
}

pub fn verify(
    w: &mut dyn Write,
    name: &str,
    cfg: &ApiConfig,
    v: &ServiceView,
    c: &Comparison,
    format: Format,
) -> io::Result<()> {
    match format {
        Format::Json | Format::Jsonl | Format::Yaml => {
            let doc = VerifyDoc {
                schema: VERIFY_SCHEMA,
                name,
                namespace: &v.namespace,
                service_name: &v.name,
                api: ApiDoc::new(cfg),
                origin: v.origin,
                service: v.service.as_ref(),
                endpoints: &v.endpoints,
                comparison: c,
                warnings: v.warnings.iter().map(|w| w.message()).collect(),
                error: None,
            };
            return super::write_json(w, &doc, format == Format::Json);
        }
        Format::Plain => {
            for s in &c.servers {
                writeln!(w, "{} {}", s.server, verdict(s.verdict))?;
            }
            return Ok(());
        }
        Format::Table | Format::Wide => {}
    }
    let wide = format == Format::Wide;
    let p = &c.prediction;
    for (i, s) in c.servers.iter().enumerate() {
        if i > 0 {
            writeln!(w)?;
        }
        writeln!(
            w,
            "{}",
            crate::diag::paint(
                crate::diag::BOLD,
                &format!(
                    "{}/{} at {}: {}",
                    term(&v.namespace),
                    term(&v.name),
                    s.server,
                    verdict(s.verdict)
                )
            )
        )?;
        for cause in &s.causes {
            writeln!(w, "  {}", term(cause))?;
        }
        if s.rows.is_empty() {
            continue;
        }
        let mut t = if wide {
            super::table(["IP", "POD", "API", "DNS", "DNS-NAME", "OK", "WHY"])
        } else {
            super::table(["IP", "POD", "API", "DNS", "OK", "WHY"])
        };
        for r in &s.rows {
            let mut row = vec![
                r.ip.to_string(),
                opt(&r.pod),
                api_state(p, &r.ip).to_string(),
                if r.in_dns { "yes" } else { "no" }.to_string(),
            ];
            if wide {
                row.push(opt(&r.dns_name));
            }
            row.push(if r.agrees { "ok" } else { "DIFFERS" }.to_string());
            row.push(
                r.causes
                    .iter()
                    .map(|c| term(c).into_owned())
                    .collect::<Vec<_>>()
                    .join("; "),
            );
            t.add_row(row);
        }
        super::write_table(w, &t)?;
    }
    writeln!(
        w,
        "{}",
        crate::diag::paint(
            crate::diag::DIM,
            &format!(
                "{}: {} · {} published of {} in the API ({}) · {} DNS server{}",
                term(&format!("{}.{}", v.name, v.namespace)),
                verdict(c.verdict),
                p.addresses.len(),
                p.addresses.len() + p.absent.len(),
                cfg.server(),
                c.servers.len(),
                if c.servers.len() == 1 { "" } else { "s" }
            )
        )
    )
}

fn verdict(v: Verdict) -> &'static str {
    match v {
        Verdict::Match => "match",
        Verdict::Differs => "differs",
        Verdict::Failed => "failed",
    }
}
