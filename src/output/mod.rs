//! Renderers: they only render. Logic hands them data; they write table,
//! wide, plain or JSON to any `io::Write`. Text that came from DNS is
//! escaped before it is written (see [`crate::escape`]).

pub mod diff;
pub mod resolve;
pub mod watch;

use std::io::{self, Write};

use comfy_table::{presets, CellAlignment, ContentArrangement, Table};
use serde::Serialize;

use crate::endpoints::PortInfo;

/// A kubectl-style table: no borders, upper-case headers, two spaces
/// between columns.
pub fn table<I: IntoIterator<Item = &'static str>>(headers: I) -> Table {
    let mut t = Table::new();
    t.load_preset(presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(headers);
    // comfy-table pads one space on each side; trim the outer margin.
    for c in t.column_iter_mut() {
        c.set_padding((0, 2));
        c.set_cell_alignment(CellAlignment::Left);
    }
    t
}

/// Writes a table without trailing spaces on each line.
pub fn write_table(w: &mut dyn Write, t: &Table) -> io::Result<()> {
    for line in t.lines() {
        writeln!(w, "{}", line.trim_end())?;
    }
    Ok(())
}

/// Serializes a JSON document, safe for a terminal, followed by a newline.
pub fn write_json<T: Serialize>(w: &mut dyn Write, doc: &T, pretty: bool) -> io::Result<()> {
    let s = if pretty {
        serde_json::to_string_pretty(doc)
    } else {
        serde_json::to_string(doc)
    }
    .map_err(io::Error::other)?;
    writeln!(w, "{}", crate::escape::json(s))
}

/// `80/tcp (http)`, `80`, `5432/tcp`.
pub fn port(p: &PortInfo, weights: bool) -> String {
    let mut s = p.port.to_string();
    if let Some(proto) = &p.protocol {
        s.push('/');
        s.push_str(proto);
    }
    if let Some(name) = &p.name {
        s.push_str(&format!(" ({})", crate::escape::term(name)));
    }
    if weights {
        s.push_str(&format!(" w{}", p.weight));
    }
    s
}

pub fn ports(ps: &[PortInfo], weights: bool) -> String {
    if ps.is_empty() {
        return "-".into();
    }
    ps.iter()
        .map(|p| port(p, weights))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Milliseconds for people: `0.42 ms`, `12.3 ms`, `1520 ms`.
pub fn human_ms(ms: f64) -> String {
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else if ms < 100.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

/// An optional string from DNS, escaped, or `-`.
pub fn opt(s: &Option<String>) -> String {
    s.as_deref()
        .map_or_else(|| "-".into(), |s| crate::escape::term(s).into_owned())
}
