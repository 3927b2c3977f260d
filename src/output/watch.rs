//! `hsvc watch` output: one line (or one JSON object) per event, and its
//! JSON schema (`hsvc.watch/v1`).

use std::io::{self, Write};

use serde::Serialize;

use super::{ErrorDoc, Format};
use hsvc_resolve::diff::{Entry, Field};
use hsvc_resolve::escape::term;
use hsvc_resolve::lookup::Status;
use hsvc_resolve::watch::{Event, Kind};

pub const SCHEMA: &str = "hsvc.watch/v1";

/// Where an event came from.
pub struct Origin<'a> {
    pub label: &'a str,
    pub name: &'a str,
    pub fqdn: String,
    pub server: String,
    /// Rcode of the resolution that caused the event.
    pub rcode: Option<String>,
    /// Width of the longest label, to align table lines.
    pub width: usize,
}

/// One event as a JSON object (one line with `-o jsonl`).
#[derive(Serialize)]
pub struct EventDoc<'a> {
    pub schema: &'static str,
    /// `initial`, `added`, `removed`, `changed`, `nxdomain`, `error`, `recovered`.
    pub event: &'static str,
    /// RFC 3339, UTC, milliseconds.
    pub time: &'a str,
    pub source: &'a str,
    pub name: &'a str,
    pub fqdn: &'a str,
    /// The one server this source is asked.
    pub server: &'a str,
    /// Endpoints in the set after this event's resolution.
    pub count: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rcode: Option<&'a str>,
    /// added, removed: the endpoint; changed: the endpoint after.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<&'a Entry>,
    /// changed: the endpoint before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<&'a Entry>,
    /// changed: the fields that differ.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<&'a [Field]>,
    /// initial: the whole set; nxdomain: the endpoints that are gone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoints: Option<&'a [Entry]>,
    /// error: kind (`timeout`, `servfail`, `refused`, …), message, server.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorDoc>,
    /// recovered: failed resolutions during the outage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failures: Option<u64>,
}

/// The last object: why the watch stopped and what it saw.
#[derive(Serialize)]
pub struct EndDoc<'a> {
    pub schema: &'static str,
    /// Always `end`.
    pub event: &'static str,
    pub time: &'a str,
    /// `count`, `duration` or `interrupted` (Ctrl-C).
    pub reason: &'static str,
    pub elapsed_ms: u64,
    pub resolutions: u64,
    pub events: u64,
    pub sources: Vec<EndSourceDoc<'a>>,
}

#[derive(Serialize)]
pub struct EndSourceDoc<'a> {
    pub source: &'a str,
    pub fqdn: String,
    pub server: String,
    /// Status of the last answer (`null` if none came).
    pub status: Option<Status>,
    /// Endpoints in the last known set.
    pub count: usize,
    pub resolutions: u64,
    /// Resolutions that failed.
    pub failures: u64,
    pub events: u64,
    /// Whether the last resolution failed.
    pub failing: bool,
}

fn entry_text(e: &Entry, wide: bool) -> String {
    let ips = e
        .ips
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let mut s = format!("{ips}  {}", super::opt(&e.hostname));
    if wide {
        s.push_str(&format!(
            "  {}  ttl {}",
            super::ports(&e.ports, false),
            e.ttl
        ));
    }
    s
}

fn endpoints(n: usize) -> String {
    format!("{n} endpoint{}", if n == 1 { "" } else { "s" })
}

/// Writes one event; the caller flushes.
pub fn render_event(
    w: &mut dyn Write,
    format: Format,
    time: &str,
    o: &Origin,
    ev: &Event,
) -> io::Result<()> {
    match format {
        Format::Json | Format::Jsonl | Format::Yaml => {
            let doc = EventDoc {
                schema: SCHEMA,
                event: ev.kind.as_str(),
                time,
                source: o.label,
                name: o.name,
                fqdn: &o.fqdn,
                server: &o.server,
                count: ev.count,
                status: ev.status,
                rcode: if ev.kind == Kind::Error {
                    o.rcode.as_deref()
                } else {
                    ev.status.and(o.rcode.as_deref())
                },
                endpoint: ev.entry.as_ref(),
                before: ev.before.as_ref(),
                fields: (ev.kind == Kind::Changed).then_some(ev.fields.as_slice()),
                endpoints: matches!(ev.kind, Kind::Initial | Kind::Nxdomain)
                    .then_some(ev.entries.as_slice()),
                error: ev.error.as_ref().map(ErrorDoc::from),
                failures: (ev.kind == Kind::Recovered).then_some(ev.failures),
            };
            // One compact line per event, whatever -o json or jsonl.
            super::write_json(w, &doc, false)
        }
        Format::Plain => render_plain(w, time, o, ev),
        Format::Table | Format::Wide => render_line(w, format == Format::Wide, time, o, ev),
    }
}

fn render_plain(w: &mut dyn Write, time: &str, o: &Origin, ev: &Event) -> io::Result<()> {
    let head = format!("{time} {} {}", term(o.label), ev.kind.as_str());
    match ev.kind {
        Kind::Initial | Kind::Nxdomain if !ev.entries.is_empty() => {
            for e in &ev.entries {
                writeln!(w, "{head} {}", term(&e.key))?;
            }
            Ok(())
        }
        Kind::Initial | Kind::Nxdomain => writeln!(w, "{head} -"),
        Kind::Added | Kind::Removed | Kind::Changed => {
            let key = ev
                .entry
                .as_ref()
                .map_or("-".into(), |e| term(&e.key).into_owned());
            writeln!(w, "{head} {key}")
        }
        Kind::Error => writeln!(
            w,
            "{head} {}",
            ev.error.as_ref().map_or("error", |e| e.kind_str())
        ),
        Kind::Recovered => writeln!(w, "{head} {}", ev.count),
    }
}

fn render_line(
    w: &mut dyn Write,
    wide: bool,
    time: &str,
    o: &Origin,
    ev: &Event,
) -> io::Result<()> {
    let head = format!(
        "{time}  {:<width$}  {:<9}",
        term(o.label),
        ev.kind.as_str(),
        width = o.width
    );
    let at = if wide {
        format!(" @{}", o.server)
    } else {
        String::new()
    };
    match ev.kind {
        Kind::Initial => {
            let how = match ev.status {
                Some(Status::Nxdomain) => "NXDOMAIN, the name does not exist".to_string(),
                Some(Status::Nodata) => "NODATA, no addresses".to_string(),
                _ => o.rcode.as_deref().unwrap_or("answer").to_string(),
            };
            writeln!(
                w,
                "{head}  {} ({how} from {}){at}",
                endpoints(ev.count),
                o.server
            )?;
            for e in &ev.entries {
                writeln!(w, "    {}", entry_text(e, true))?;
            }
            Ok(())
        }
        Kind::Added | Kind::Removed => {
            let e = ev.entry.as_ref().expect("added/removed carry an entry");
            writeln!(
                w,
                "{head}  {}  → {}{at}",
                entry_text(e, wide),
                endpoints(ev.count)
            )
        }
        Kind::Changed => {
            let (b, a) = (
                ev.before.as_ref().expect("changed carries before"),
                ev.entry.as_ref().expect("changed carries after"),
            );
            let what: Vec<String> = ev
                .fields
                .iter()
                .map(|f| {
                    format!(
                        "{} {} → {}",
                        f.as_str(),
                        super::diff::field_value(b, *f),
                        super::diff::field_value(a, *f)
                    )
                })
                .collect();
            writeln!(
                w,
                "{head}  {}: {}  ({}){at}",
                entry_text(a, false),
                what.join(", "),
                endpoints(ev.count)
            )
        }
        Kind::Nxdomain => writeln!(
            w,
            "{head}  the name does not exist: {} gone → 0{at}",
            endpoints(ev.entries.len())
        ),
        Kind::Error => {
            let (kind, msg) = ev
                .error
                .as_ref()
                .map_or(("error", String::new()), |e| (e.kind_str(), e.to_string()));
            writeln!(
                w,
                "{head}  {kind}: {} (keeping {}){at}",
                term(&msg),
                endpoints(ev.count)
            )
        }
        Kind::Recovered => writeln!(
            w,
            "{head}  answering again after {} failed resolution{} → {}{at}",
            ev.failures,
            if ev.failures == 1 { "" } else { "s" },
            endpoints(ev.count)
        ),
    }
}

pub fn render_end(w: &mut dyn Write, format: Format, end: &EndDoc) -> io::Result<()> {
    match format {
        Format::Json | Format::Jsonl | Format::Yaml => super::write_json(w, end, false),
        Format::Plain => writeln!(w, "{} - end {}", end.time, end.reason),
        Format::Table | Format::Wide => {
            writeln!(
                w,
                "{}  end: {} after {}: {} resolution{}, {} event{}",
                end.time,
                match end.reason {
                    "interrupted" => "interrupted",
                    "duration" => "--duration reached",
                    _ => "--count reached",
                },
                super::human_ms(end.elapsed_ms as f64),
                end.resolutions,
                if end.resolutions == 1 { "" } else { "s" },
                end.events,
                if end.events == 1 { "" } else { "s" },
            )?;
            for s in &end.sources {
                let status = match (s.failing, s.status) {
                    (true, _) => "failing",
                    (false, Some(Status::Nxdomain)) => "NXDOMAIN",
                    (false, Some(Status::Nodata)) => "NODATA",
                    (false, Some(_)) => "answering",
                    (false, None) => "never answered",
                };
                writeln!(
                    w,
                    "    {}: {} ({status}, {} failed of {})",
                    term(s.source),
                    endpoints(s.count),
                    s.failures,
                    s.resolutions
                )?;
            }
            Ok(())
        }
    }
}
