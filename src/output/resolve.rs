//! `hsvc resolve` output and its JSON schema (`hsvc.resolve/v1`).

use std::io::{self, Write};

use serde::Serialize;

use super::{ErrorDoc, Format};
use crate::report::Reporter;
use hsvc_resolve::dns::Transport;
use hsvc_resolve::endpoints::EndpointSet;
use hsvc_resolve::escape::term;
use hsvc_resolve::lookup::{Answer, QueryRecord, SearchReport, Status};

pub const SCHEMA: &str = "hsvc.resolve/v1";

/// The JSON document of `hsvc resolve -o json`. Field order is the
/// documented order; fields are never removed within a schema version.
#[derive(Serialize)]
pub struct ResolveDoc<'a> {
    pub schema: &'static str,
    /// The name as the user typed it.
    pub name: &'a str,
    /// The absolute name queried.
    pub fqdn: String,
    /// `service`, `endpoint`, `srv`, `reverse`, `other`.
    pub kind: &'static str,
    pub namespace: Option<&'a str>,
    pub service: Option<&'a str>,
    /// `ok`, `nxdomain`, `nodata`, `error`.
    pub status: Status,
    /// Rcode of the main query (A, SRV or PTR), e.g. `NOERROR`.
    pub rcode: Option<String>,
    /// `ip:port` of the server that answered the main query.
    pub server: Option<String>,
    pub transport: Transport,
    /// A UDP reply was truncated (TC)…
    pub truncated: bool,
    /// …and the query was repeated over TCP.
    pub retried_tcp: bool,
    /// Every answer came back whole (false: truncated even over TCP).
    pub complete: bool,
    /// Smallest TTL of the endpoints, seconds.
    pub ttl: Option<u32>,
    /// Wall time of the whole resolution, milliseconds.
    pub latency_ms: f64,
    pub endpoints: &'a EndpointSet,
    /// Every query sent, in order.
    pub queries: &'a [QueryRecord],
    /// The search walk, with `--search`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub search: Option<&'a SearchReport>,
    pub warnings: Vec<String>,
    pub error: Option<ErrorDoc>,
}

impl<'a> ResolveDoc<'a> {
    pub fn new(r: &'a Answer) -> Self {
        ResolveDoc {
            schema: SCHEMA,
            name: &r.target.input,
            fqdn: r.target.fqdn.to_string(),
            kind: r.target.kind().as_str(),
            namespace: r.target.namespace(),
            service: r.target.service(),
            status: r.status(),
            rcode: r.via.rcode.map(hsvc_resolve::dns::rcode_str),
            server: Some(r.via.server.to_string()),
            transport: r.via.transport,
            truncated: r.truncated,
            retried_tcp: r.retried_tcp,
            complete: r.complete,
            ttl: r.endpoints.min_ttl(),
            latency_ms: hsvc_resolve::lookup::ms(r.latency),
            endpoints: &r.endpoints,
            queries: &r.trace,
            search: r.search.as_ref(),
            warnings: r.warnings.iter().map(ToString::to_string).collect(),
            error: r.error().map(ErrorDoc::from),
        }
    }
}

/// The JSON document when the input was rejected before any query.
#[derive(Serialize)]
pub struct UsageErrorDoc<'a> {
    pub schema: &'static str,
    pub name: &'a str,
    pub status: Status,
    pub endpoints: [(); 0],
    pub error: ErrorDoc,
}

/// One line describing the result, for people.
pub fn summary(r: &Answer) -> String {
    let n = r.endpoints.len();
    let mut s = format!(
        "{} endpoint{} for {}",
        n,
        if n == 1 { "" } else { "s" },
        r.target.fqdn
    );
    if let Some(rc) = r.via.rcode {
        s.push_str(&format!(
            " · {} from {} over {}",
            hsvc_resolve::dns::rcode_str(rc),
            r.via.server,
            r.via.transport.as_str()
        ));
    }
    s.push_str(&format!(
        " · {}",
        super::human_ms(hsvc_resolve::lookup::ms(r.latency))
    ));
    if r.retried_tcp {
        s.push_str(" · UDP answer truncated, retried over TCP");
    } else if r.truncated {
        s.push_str(" · answer truncated");
    }
    s
}

/// Why there is nothing to print, for the one stderr line.
pub fn negative_message(r: &Answer) -> String {
    let what = match r.target.kind() {
        hsvc_resolve::name::Kind::Reverse => "PTR",
        hsvc_resolve::name::Kind::Srv => "SRV",
        _ => "A/AAAA",
    };
    let server = format!(" (from {})", r.via.server);
    match r.status() {
        Status::Nxdomain => format!(
            "{}: NXDOMAIN: the name does not exist{server}",
            r.target.fqdn
        ),
        _ => format!(
            "{}: NODATA: the name exists but has no {what} records{server}",
            r.target.fqdn
        ),
    }
}

pub fn render(
    w: &mut dyn Write,
    r: &Answer,
    format: Format,
    explain: bool,
    rep: &mut Reporter,
) -> io::Result<()> {
    match format {
        Format::Json | Format::Jsonl | Format::Yaml => {
            return super::write_json(w, &ResolveDoc::new(r), format == Format::Json)
        }
        Format::Plain => {
            for e in &r.endpoints {
                if e.ptr.is_empty() {
                    writeln!(w, "{}", super::ip(e.ip))?;
                } else {
                    for p in &e.ptr {
                        writeln!(w, "{}", term(p))?;
                    }
                }
            }
            if explain {
                render_search(rep.writer(), r)?;
                render_queries(rep.writer(), r)?;
            }
            return Ok(());
        }
        Format::Table | Format::Wide => {}
    }
    let wide = format == Format::Wide;
    if r.search.is_some() {
        render_search(w, r)?;
    }
    if !r.endpoints.is_empty() {
        let reverse = r.target.kind() == hsvc_resolve::name::Kind::Reverse;
        let mut t = if reverse {
            super::table(["IP", "HOSTNAME", "PTR", "TTL"])
        } else if wide {
            super::table([
                "IP", "FAMILY", "HOSTNAME", "FQDN", "PORTS", "TTL", "SERVER", "LATENCY",
            ])
        } else {
            super::table(["IP", "HOSTNAME", "PORTS", "TTL"])
        };
        let server = r.via.server.to_string();
        let latency = super::human_ms(hsvc_resolve::lookup::ms(r.latency));
        for e in &r.endpoints {
            if !reverse {
                // Cells written in place: the common case, thousands of rows.
                let mut row = t.row();
                row.cell_with(|s| super::push_ip(s, e.ip));
                if wide {
                    row.cell(e.family);
                }
                row.cell_with(|s| super::push_opt(s, &e.hostname));
                if wide {
                    row.cell_with(|s| super::push_opt(s, &e.fqdn));
                }
                row.cell_with(|s| super::push_ports(s, &e.ports, wide));
                row.cell_with(|s| super::push_u32(s, e.ttl));
                if wide {
                    row.cell(&server).cell(&latency);
                }
                continue;
            }
            let row: Vec<String> = if reverse {
                vec![
                    super::ip(e.ip),
                    super::opt(&e.hostname),
                    e.ptr
                        .iter()
                        .map(|p| term(p).into_owned())
                        .collect::<Vec<_>>()
                        .join(", "),
                    e.ttl.to_string(),
                ]
            } else if wide {
                vec![
                    super::ip(e.ip),
                    e.family.to_string(),
                    super::opt(&e.hostname),
                    super::opt(&e.fqdn),
                    super::ports(&e.ports, true),
                    e.ttl.to_string(),
                    server.clone(),
                    latency.clone(),
                ]
            } else {
                vec![
                    super::ip(e.ip),
                    super::opt(&e.hostname),
                    super::ports(&e.ports, false),
                    e.ttl.to_string(),
                ]
            };
            t.add_row(row);
        }
        super::write_table(w, &t)?;
    }
    for warning in &r.warnings {
        rep.warning(&warning.to_string());
    }
    if r.status() == Status::Ok || !r.endpoints.is_empty() {
        writeln!(w, "{}", crate::diag::paint(crate::diag::DIM, &summary(r)))?;
    }
    if explain {
        render_queries(w, r)?;
    }
    Ok(())
}

fn render_search(w: &mut dyn Write, r: &Answer) -> io::Result<()> {
    let Some(s) = &r.search else { return Ok(()) };
    writeln!(
        w,
        "search walk ({} rules, ndots:{}, {} dot{} in the name): {}",
        s.follows,
        s.ndots,
        s.dots,
        if s.dots == 1 { "" } else { "s" },
        if s.search.is_empty() {
            "no search list".to_string()
        } else {
            s.search.join(" ")
        }
    )?;
    for n in &s.notes {
        writeln!(w, "  note: {}", term(n))?;
    }
    for (i, step) in s.steps.iter().enumerate() {
        let mut how = String::new();
        if step.asked == ["A"] {
            how.push_str(" (A only)");
        }
        if step.result == "malformed_query" {
            how.push_str(" (not sent by hsvc)");
        }
        if step.then == "end_search" {
            how.push_str(", search list ends");
        }
        writeln!(
            w,
            "  {}. {}{} → {}{}{how}",
            i + 1,
            step.candidate,
            if step.as_is { " (as is)" } else { "" },
            step.result,
            if step.addresses > 0 {
                format!(" ({} addresses)", step.addresses)
            } else {
                String::new()
            }
        )?;
    }
    match &s.found {
        Some(f) => writeln!(w, "  found after {} step(s): {f}", s.steps.len())?,
        None => writeln!(
            w,
            "  not found after {} step(s): getaddrinfo() {}",
            s.steps.len(),
            if s.getaddrinfo == "abort" {
                "aborts the process".to_string()
            } else {
                format!("returns {}", s.getaddrinfo)
            }
        )?,
    }
    Ok(())
}

fn render_queries(w: &mut dyn Write, r: &Answer) -> io::Result<()> {
    writeln!(
        w,
        "{} quer{} sent:",
        r.trace.len(),
        if r.trace.len() == 1 { "y" } else { "ies" }
    )?;
    let mut t = super::table([
        "#",
        "NAME",
        "TYPE",
        "SERVER",
        "TRANSPORT",
        "RCODE",
        "ANSWERS",
        "LATENCY",
        "PURPOSE",
    ]);
    for (i, q) in r.trace.iter().enumerate() {
        let rcode = match (&q.rcode, &q.error) {
            (Some(rc), _) if q.truncated => format!("{rc} (TC)"),
            (Some(rc), _) => rc.clone(),
            (None, Some(e)) => term(e).into_owned(),
            (None, None) => "-".into(),
        };
        t.add_row(vec![
            (i + 1).to_string(),
            term(&q.name).into_owned(),
            q.rtype.to_string(),
            q.server.to_string(),
            q.transport.as_str().to_string(),
            rcode,
            q.answers.to_string(),
            super::human_ms(q.latency_ms),
            q.purpose.to_string(),
        ]);
    }
    super::write_table(w, &t)
}
