//! Renderers: they only render. Logic hands them data; they write table,
//! wide, plain or JSON to any `io::Write`. Text that came from DNS is
//! escaped before it is written (see [`hsvc_resolve::escape`]).

#[cfg(feature = "api")]
pub mod api;
pub mod check;
pub mod diff;
pub mod pick;
pub mod resolve;
pub mod watch;

use std::io::{self, Write};

use serde::Serialize;

use hsvc_resolve::endpoints::PortInfo;
use hsvc_resolve::lookup::LookupError;

/// How results are printed (`-o`; the doc comments are its help text).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns for people.
    Table,
    /// The table with more columns.
    Wide,
    /// One item per line, for `$(…)` and pipes (like `dig +short`).
    Plain,
    /// One JSON document.
    Json,
    /// One JSON object per line (streaming commands).
    Jsonl,
}

impl Format {
    /// JSON or JSON lines.
    pub fn is_json(self) -> bool {
        matches!(self, Format::Json | Format::Jsonl)
    }
}

/// The `error` block shared by every JSON document: why, in a word and
/// in a sentence, and which server said so.
#[derive(Clone, Debug, Serialize)]
pub struct ErrorDoc {
    /// `timeout`, `servfail`, `refused`, `connection_refused`, `network`,
    /// `malformed`, `rcode`, `nxdomain`, `nodata`, `invalid_name`, …
    pub kind: String,
    /// The one-line message.
    pub message: String,
    /// `ip:port` of the server, when one is concerned.
    pub server: Option<String>,
}

impl From<&LookupError> for ErrorDoc {
    fn from(e: &LookupError) -> Self {
        ErrorDoc {
            kind: e.kind_str().to_string(),
            message: e.to_string(),
            server: Some(e.server.to_string()),
        }
    }
}

/// A kubectl-style table: no borders, upper-case headers, columns two
/// spaces apart, no trailing spaces. Hand-rolled because it is on the hot
/// path: laying out 3000 rows took comfy-table 16 ms, a third of a whole
/// `hsvc resolve`; this takes well under 1 ms.
#[derive(Debug, Default)]
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with headers computed at run time.
    pub fn with_header(header: Vec<String>) -> Self {
        Table {
            header,
            rows: Vec::new(),
        }
    }

    pub fn add_row<I, S>(&mut self, row: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.rows.push(row.into_iter().map(Into::into).collect());
        self
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// A table with the given column headers.
pub fn table<I: IntoIterator<Item = &'static str>>(headers: I) -> Table {
    Table {
        header: headers.into_iter().map(str::to_string).collect(),
        rows: Vec::new(),
    }
}

/// Writes a table, columns padded to their widest cell.
pub fn write_table(w: &mut dyn Write, t: &Table) -> io::Result<()> {
    let cols = t
        .rows
        .iter()
        .map(Vec::len)
        .chain([t.header.len()])
        .max()
        .unwrap_or(0);
    let mut widths = vec![0usize; cols];
    for row in std::iter::once(&t.header).chain(&t.rows) {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let mut line = String::new();
    for (n, row) in std::iter::once(&t.header).chain(&t.rows).enumerate() {
        line.clear();
        for (i, cell) in row.iter().enumerate() {
            line.push_str(cell);
            if i + 1 < row.len() {
                let pad = widths[i] - cell.chars().count() + 2;
                line.extend(std::iter::repeat_n(' ', pad));
            }
        }
        if n == 0 {
            writeln!(w, "{}", crate::diag::paint("1", line.trim_end()))?;
        } else {
            writeln!(w, "{}", line.trim_end())?;
        }
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
    writeln!(w, "{}", hsvc_resolve::escape::json(s))
}

/// `80/tcp (http)`, `80`, `5432/tcp`.
pub fn port(p: &PortInfo, weights: bool) -> String {
    let mut s = p.port.to_string();
    if let Some(proto) = &p.protocol {
        s.push('/');
        s.push_str(proto);
    }
    if let Some(name) = &p.name {
        s.push_str(&format!(" ({})", hsvc_resolve::escape::term(name)));
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

/// An address as `Display` writes it. IPv4 is written digit by digit:
/// through `to_string` it took about 1,400 instructions an address, 4.3 M
/// of the 22 M a 3000-endpoint `hsvc resolve` took (callgrind).
pub fn ip(ip: std::net::IpAddr) -> String {
    match ip {
        std::net::IpAddr::V4(v4) => {
            let mut s = String::with_capacity(15);
            for (i, octet) in v4.octets().into_iter().enumerate() {
                if i > 0 {
                    s.push('.');
                }
                if octet >= 100 {
                    s.push(char::from(b'0' + octet / 100));
                }
                if octet >= 10 {
                    s.push(char::from(b'0' + octet / 10 % 10));
                }
                s.push(char::from(b'0' + octet % 10));
            }
            s
        }
        std::net::IpAddr::V6(v6) => v6.to_string(),
    }
}

/// An optional string from DNS, escaped, or `-`.
pub fn opt(s: &Option<String>) -> String {
    s.as_deref().map_or_else(
        || "-".into(),
        |s| hsvc_resolve::escape::term(s).into_owned(),
    )
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn ip_is_display(v4 in any::<std::net::Ipv4Addr>(), v6 in any::<std::net::Ipv6Addr>()) {
            prop_assert_eq!(super::ip(v4.into()), v4.to_string());
            prop_assert_eq!(super::ip(v6.into()), v6.to_string());
        }
    }
}
