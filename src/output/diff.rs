//! `hsvc diff` output and its JSON schema (`hsvc.diff/v1`).

use std::io::{self, Write};

use super::Table;
use serde::Serialize;

use super::{ErrorDoc, Format};
use hsvc_resolve::diff::{By, Comparison, Entry, Field, Row};
use hsvc_resolve::escape::term;
use hsvc_resolve::lookup::{Answer, Status};

pub const SCHEMA: &str = "hsvc.diff/v1";

/// A source and what it answered.
pub struct Sourced<'a> {
    /// What tells this source apart from the others.
    pub label: &'a str,
    /// The one server it was asked.
    pub server: std::net::SocketAddr,
    /// Its answer.
    pub resolution: &'a Answer,
}

/// The JSON document of `hsvc diff -o json`.
#[derive(Serialize)]
pub struct DiffDoc<'a> {
    pub schema: &'static str,
    /// `ip`, `hostname` or `endpoint`.
    pub by: By,
    /// No endpoint missing anywhere and no change (failed sources aside).
    pub identical: bool,
    pub sources: Vec<SourceDoc<'a>>,
    /// Entries in every source (as the first source has them).
    pub common: Vec<&'a Entry>,
    /// Per source, in the order of `sources`: entries only that source has.
    pub only_in: Vec<Vec<&'a Entry>>,
    /// Entries whose hostname, IP, ports or TTL differ between sources.
    pub changed: Vec<ChangedDoc<'a>>,
    /// The matrix: every entry of any source, in key order.
    pub rows: Vec<RowDoc<'a>>,
    pub summary: SummaryDoc,
}

#[derive(Serialize)]
pub struct SourceDoc<'a> {
    pub label: &'a str,
    /// The name as the user typed it.
    pub name: &'a str,
    pub fqdn: String,
    pub namespace: Option<&'a str>,
    /// The one server this source was asked.
    pub server: String,
    /// `ok`, `nxdomain` (an empty set, not a failure), `nodata`, `error`.
    pub status: Status,
    pub rcode: Option<String>,
    /// Smallest TTL of the endpoints, seconds.
    pub ttl: Option<u32>,
    /// Endpoints this source has.
    pub count: usize,
    pub latency_ms: f64,
    pub error: Option<ErrorDoc>,
}

#[derive(Serialize)]
pub struct ChangedDoc<'a> {
    pub key: &'a str,
    pub fields: &'a [Field],
    /// Per source: its entry, `null` where absent.
    pub values: Vec<Option<&'a Entry>>,
}

#[derive(Serialize)]
pub struct RowDoc<'a> {
    pub key: &'a str,
    pub ip: std::net::IpAddr,
    pub hostname: Option<&'a str>,
    /// Per source: present or not; `null` for a source that failed.
    pub present: Vec<Option<bool>>,
    pub changed: &'a [Field],
}

#[derive(Serialize)]
pub struct SummaryDoc {
    pub common: usize,
    pub only_in: Vec<usize>,
    /// Entries in more than one source but not all (three or more sources).
    pub partial: usize,
    pub changed: usize,
}

impl<'a> DiffDoc<'a> {
    pub fn new(sources: &'a [Sourced<'a>], c: &'a Comparison) -> Self {
        let n = sources.len();
        DiffDoc {
            schema: SCHEMA,
            by: c.by,
            identical: c.identical(),
            sources: sources.iter().zip(&c.available).map(source_doc).collect(),
            common: c.common().map(Row::first).collect(),
            only_in: (0..n)
                .map(|i| c.only(i).map(Row::first).collect())
                .collect(),
            changed: c
                .changed()
                .map(|r| ChangedDoc {
                    key: &r.first().key,
                    fields: &r.changed,
                    values: r.cells.iter().map(Option::as_ref).collect(),
                })
                .collect(),
            rows: c
                .rows
                .iter()
                .map(|r| {
                    let e = r.first();
                    RowDoc {
                        key: &e.key,
                        ip: e.ip,
                        hostname: e.hostname.as_deref(),
                        present: r
                            .cells
                            .iter()
                            .zip(&c.available)
                            .map(|(cell, ok)| ok.then_some(cell.is_some()))
                            .collect(),
                        changed: &r.changed,
                    }
                })
                .collect(),
            summary: SummaryDoc {
                common: c.common().count(),
                only_in: (0..n).map(|i| c.only(i).count()).collect(),
                partial: c.partial().count(),
                changed: c.changed().count(),
            },
        }
    }
}

fn source_doc<'a>((s, _): (&'a Sourced<'a>, &bool)) -> SourceDoc<'a> {
    let r = s.resolution;
    SourceDoc {
        label: s.label,
        name: &r.target.input,
        fqdn: r.target.fqdn.to_string(),
        namespace: r.target.namespace(),
        server: s.server.to_string(),
        status: r.status(),
        rcode: r.via.rcode.map(hsvc_resolve::dns::rcode_str),
        ttl: r.endpoints.min_ttl(),
        count: r.endpoints.len(),
        latency_ms: hsvc_resolve::lookup::ms(r.latency),
        error: r.error().map(ErrorDoc::from),
    }
}

/// `80/tcp`, `8080`, comma-separated; `-` when none.
fn ports_short(e: &Entry) -> String {
    if e.ports.is_empty() {
        return "-".into();
    }
    e.ports
        .iter()
        .map(|p| match &p.protocol {
            Some(proto) => format!("{}/{proto}", p.port),
            None => p.port.to_string(),
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn ips(e: &Entry) -> String {
    e.ips
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// The value of one field of an entry, for a cell.
pub fn field_value(e: &Entry, f: Field) -> String {
    match f {
        Field::Ip => ips(e),
        Field::Hostname => crate::output::opt(&e.hostname),
        Field::Ports => ports_short(e),
        Field::Ttl => e.ttl.to_string(),
    }
}

/// A column header: the label, marked when the source is not a plain answer.
fn header(s: &Sourced) -> String {
    let mark = match s.resolution.status() {
        Status::Ok => "",
        Status::Nxdomain => " (NXDOMAIN)",
        Status::Nodata => " (NODATA)",
        Status::Error => " (FAILED)",
    };
    format!("{}{mark}", term(s.label))
}

fn matrix(headers: Vec<String>) -> Table {
    Table::with_header(headers)
}

/// `identical: …` or `different: …`, for people.
pub fn summary(sources: &[Sourced], c: &Comparison) -> String {
    let n = sources.len();
    let usable = c.available.iter().filter(|a| **a).count();
    let common = c.common().count();
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let failed = if usable < n {
        format!("incomplete, {} of {n} sources failed; ", n - usable)
    } else {
        String::new()
    };
    if c.identical() {
        return format!(
            "{}identical: {common} endpoint{} in all {usable} source{}{}",
            failed,
            plural(common),
            plural(usable),
            if usable < n { " that answered" } else { "" }
        );
    }
    let mut parts = vec![format!("{common} in all {usable} sources")];
    for (i, s) in sources.iter().enumerate() {
        if c.available[i] {
            parts.push(format!("{} only in {}", c.only(i).count(), term(s.label)));
        }
    }
    let partial = c.partial().count();
    if partial > 0 {
        parts.push(format!("{partial} in some"));
    }
    parts.push(format!("{} changed", c.changed().count()));
    format!("{failed}different: {}", parts.join(", "))
}

pub fn render(
    w: &mut dyn Write,
    sources: &[Sourced],
    c: &Comparison,
    format: Format,
) -> io::Result<()> {
    match format {
        Format::Json | Format::Jsonl | Format::Yaml => {
            super::write_json(w, &DiffDoc::new(sources, c), format == Format::Json)
        }
        Format::Plain => render_plain(w, sources, c),
        Format::Table | Format::Wide => render_table(w, sources, c, format == Format::Wide),
    }
}

fn render_table(
    w: &mut dyn Write,
    sources: &[Sourced],
    c: &Comparison,
    wide: bool,
) -> io::Result<()> {
    if !c.rows.is_empty() {
        let mut headers = vec!["IP".to_string(), "HOSTNAME".to_string()];
        if wide {
            headers.extend(["PORTS".to_string(), "TTL".to_string()]);
        }
        headers.extend(sources.iter().map(header));
        let mut t = matrix(headers);
        for r in &c.rows {
            let e = r.first();
            let mut row = vec![ips(e), crate::output::opt(&e.hostname)];
            if wide {
                row.extend([ports_short(e), e.ttl.to_string()]);
            }
            for (cell, ok) in r.cells.iter().zip(&c.available) {
                row.push(match (cell, ok) {
                    (_, false) => "?".into(),
                    (None, true) => "-".into(),
                    (Some(_), true) if r.changed.is_empty() => "yes".into(),
                    (Some(e), true) => r
                        .changed
                        .iter()
                        .map(|f| format!("{}={}", f.as_str(), field_value(e, *f)))
                        .collect::<Vec<_>>()
                        .join(" "),
                });
            }
            t.add_row(row);
        }
        super::write_table(w, &t)?;
    }
    for s in sources {
        let r = s.resolution;
        let show = wide || r.status() != Status::Ok;
        if !show {
            continue;
        }
        let what = match r.status() {
            Status::Ok => format!(
                "{} endpoint{}",
                r.endpoints.len(),
                if r.endpoints.len() == 1 { "" } else { "s" }
            ),
            Status::Nxdomain => "NXDOMAIN: the name does not exist (an empty set)".into(),
            Status::Nodata => "NODATA: the name has no addresses (an empty set)".into(),
            Status::Error => format!(
                "FAILED: {}",
                r.error().map(ToString::to_string).unwrap_or_default()
            ),
        };
        writeln!(
            w,
            "{}: {} · {} from {}",
            term(s.label),
            term(&what),
            r.target.fqdn,
            s.server
        )?;
    }
    writeln!(w, "{}", summary(sources, c))
}

fn plain_line(sign: &str, e: &Entry) -> String {
    format!(
        "{sign} {} {} {} {}",
        ips(e),
        crate::output::opt(&e.hostname),
        ports_short(e),
        e.ttl
    )
}

fn render_plain(w: &mut dyn Write, sources: &[Sourced], c: &Comparison) -> io::Result<()> {
    if sources.len() == 2 {
        // Like diff(1): `-` only in the first source, `+` only in the second,
        // a changed entry as `-` before and `+` after.
        for r in &c.rows {
            match (&r.cells[0], &r.cells[1]) {
                (Some(a), None) if c.available[1] => writeln!(w, "{}", plain_line("-", a))?,
                (None, Some(b)) if c.available[0] => writeln!(w, "{}", plain_line("+", b))?,
                (Some(a), Some(b)) if !r.changed.is_empty() => {
                    writeln!(w, "{}", plain_line("-", a))?;
                    writeln!(w, "{}", plain_line("+", b))?;
                }
                _ => {}
            }
        }
        return Ok(());
    }
    // More sources: each entry not in all of them (or changed), with the
    // labels of the sources that have it.
    for r in &c.rows {
        if c.is_common(r) && r.changed.is_empty() {
            continue;
        }
        let present: Vec<String> = r
            .cells
            .iter()
            .zip(sources)
            .filter(|(cell, _)| cell.is_some())
            .map(|(_, s)| term(s.label).into_owned())
            .collect();
        let mark = if r.changed.is_empty() { "" } else { " changed" };
        writeln!(w, "{} {}{mark}", term(&r.first().key), present.join(","))?;
    }
    Ok(())
}
