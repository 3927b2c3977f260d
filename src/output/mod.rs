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
    /// The JSON document as YAML (streaming commands: one YAML document per line of jsonl).
    Yaml,
}

impl Format {
    /// A machine-readable document: JSON, JSON lines or YAML (the same
    /// documents, see [`write_json`]).
    pub fn is_json(self) -> bool {
        matches!(self, Format::Json | Format::Jsonl | Format::Yaml)
    }

    /// One document for the whole run (`-o json`, `-o yaml`), rather than
    /// one per line.
    pub fn is_document(self) -> bool {
        matches!(self, Format::Json | Format::Yaml)
    }
}

/// The refusal of `pick` and `check` for a ClusterIP Service (exit 2):
/// `fqdn` as named by `server`; `from_api` when the API said so, else DNS
/// (an SRV record naming the Service itself).
pub fn not_headless_refusal(fqdn: &str, server: String, command: &str, from_api: bool) -> ErrorDoc {
    ErrorDoc {
        kind: "not_headless".into(),
        message: format!(
            "{fqdn} is a ClusterIP Service{}, not headless: DNS gives kube-proxy's virtual IP, so \
             {command} would work on that one address, not on pods (give --allow-cluster-ip to do it anyway)",
            if from_api { " in the API" } else { "" }
        ),
        server: Some(server),
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
/// path of a large resolve: laying out 3000 rows takes comfy-table 4.1 ms
/// (release build, `ContentArrangement::Disabled`) and this writer 0.18 ms,
/// and none of what comfy-table adds (borders, wrapping, per-cell styles)
/// is wanted here (README, "Dependencies"). Cells live in one text buffer (a `String` per cell and a
/// `Vec` per row cost about 2 M instructions of allocation and freeing at
/// 3000 rows, callgrind), each with its width computed once.
#[derive(Debug, Default)]
pub struct Table {
    header: Vec<String>,
    text: String,
    /// End offset in `text` and display width of each cell.
    cells: Vec<(usize, usize)>,
    /// Index in `cells` of each row's first cell.
    rows: Vec<usize>,
}

/// Display width of a cell: its characters (bytes, for ASCII).
fn width(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

impl Table {
    /// A table with headers computed at run time.
    pub fn with_header(header: Vec<String>) -> Self {
        Table {
            header,
            ..Table::default()
        }
    }

    pub fn add_row<I, S>(&mut self, row: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut r = self.row();
        for cell in row {
            r.cell(&cell.into());
        }
        self
    }

    /// Starts a row; its cells are written in place with [`Row::cell`] and
    /// [`Row::cell_with`].
    pub fn row(&mut self) -> Row<'_> {
        self.rows.push(self.cells.len());
        Row { t: self }
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The cells of row `i` as (text, width).
    fn row_cells(&self, i: usize) -> impl Iterator<Item = (&str, usize)> {
        let first = self.rows[i];
        let last = self.rows.get(i + 1).copied().unwrap_or(self.cells.len());
        let mut start = if first == 0 {
            0
        } else {
            self.cells[first - 1].0
        };
        self.cells[first..last].iter().map(move |&(end, w)| {
            let cell = &self.text[start..end];
            start = end;
            (cell, w)
        })
    }
}

/// A row being added to a [`Table`].
pub struct Row<'a> {
    t: &'a mut Table,
}

impl Row<'_> {
    /// Adds a cell with this text.
    pub fn cell(&mut self, text: &str) -> &mut Self {
        self.cell_with(|s| s.push_str(text))
    }

    /// Adds a cell whose text `f` appends to the buffer it is given.
    pub fn cell_with(&mut self, f: impl FnOnce(&mut String)) -> &mut Self {
        let start = self.t.text.len();
        f(&mut self.t.text);
        let w = width(&self.t.text[start..]);
        self.t.cells.push((self.t.text.len(), w));
        self
    }
}

/// A table with the given column headers.
pub fn table<I: IntoIterator<Item = &'static str>>(headers: I) -> Table {
    Table::with_header(headers.into_iter().map(str::to_string).collect())
}

/// Writes a table, columns padded to their widest cell.
pub fn write_table(w: &mut dyn Write, t: &Table) -> io::Result<()> {
    let mut widths: Vec<usize> = t.header.iter().map(|h| width(h)).collect();
    for i in 0..t.rows.len() {
        for (c, (_, cw)) in t.row_cells(i).enumerate() {
            match widths.get_mut(c) {
                Some(w) => *w = (*w).max(cw),
                None => widths.push(cw),
            }
        }
    }
    let header = t.header.iter().map(|h| (h.as_str(), width(h)));
    let pad = |buf: &mut String, c: usize, cw: usize| {
        // Spaces by the slice, not one `char` at a time.
        const SPACES: &str = "                                ";
        let mut n = widths[c] - cw + 2;
        while n > 0 {
            let k = n.min(SPACES.len());
            buf.push_str(&SPACES[..k]);
            n -= k;
        }
    };
    // --no-headers: the header line is not written, but its widths still
    // count, so columns line up the same with or without it.
    if !crate::diag::no_headers() {
        let mut line = String::new();
        let cells: Vec<(&str, usize)> = header.collect();
        for (c, &(cell, cw)) in cells.iter().enumerate() {
            line.push_str(cell);
            if c + 1 < cells.len() {
                pad(&mut line, c, cw);
            }
        }
        writeln!(
            w,
            "{}",
            crate::diag::paint(crate::diag::BOLD, line.trim_end())
        )?;
    }
    // Rows are laid out in one buffer and written at once: `writeln!` per
    // row was a tenth of the rendering of 3000 rows, and a line buffer
    // copied into the output another (callgrind).
    let mut out = String::with_capacity(t.text.len() + t.rows.len() * 16);
    for i in 0..t.rows.len() {
        let start = out.len();
        let n = t.row_cells(i).count();
        for (c, (cell, cw)) in t.row_cells(i).enumerate() {
            out.push_str(cell);
            if c + 1 < n {
                pad(&mut out, c, cw);
            }
        }
        let end = start + out[start..].trim_end().len();
        out.truncate(end);
        out.push('\n');
    }
    w.write_all(out.as_bytes())
}

/// Serializes a JSON document, safe for a terminal, followed by a newline;
/// with `-o yaml` ([`crate::diag::yaml`]), the same document as YAML
/// instead, each starting with `---` so that streams of them parse.
pub fn write_json<T: Serialize>(w: &mut dyn Write, doc: &T, pretty: bool) -> io::Result<()> {
    if crate::diag::yaml() {
        return write_yaml(w, doc);
    }
    let s = if pretty {
        serde_json::to_string_pretty(doc)
    } else {
        serde_json::to_string(doc)
    }
    .map_err(io::Error::other)?;
    writeln!(w, "{}", hsvc_resolve::escape::json(s))
}

/// Writes `doc` as one YAML document (`---` first). Strings are escaped
/// for a terminal ([`hsvc_resolve::escape::term`]) before they reach the
/// emitter: YAML's emitter escapes C0 controls itself, but would print
/// bidirectional overrides and the like as they are.
pub fn write_yaml<T: Serialize>(w: &mut dyn Write, doc: &T) -> io::Result<()> {
    use serde_yaml_ng::Value;
    fn safe(v: &mut Value) {
        match v {
            Value::String(s) => {
                if let std::borrow::Cow::Owned(e) = hsvc_resolve::escape::term(s) {
                    *s = e;
                }
            }
            Value::Sequence(a) => a.iter_mut().for_each(safe),
            // Keys are hsvc's field names, never text from the network.
            Value::Mapping(m) => m.values_mut().for_each(safe),
            Value::Tagged(t) => safe(&mut t.value),
            _ => {}
        }
    }
    // A YAML value keeps the fields in the order the document has them.
    let mut v = serde_yaml_ng::to_value(doc).map_err(io::Error::other)?;
    safe(&mut v);
    let text = serde_yaml_ng::to_string(&v).map_err(io::Error::other)?;
    w.write_all(b"---\n")?;
    w.write_all(text.as_bytes())
}

/// `80/tcp (http)`, `80`, `5432/tcp`.
pub fn port(p: &PortInfo, weights: bool) -> String {
    let mut s = String::new();
    push_port(&mut s, p, weights);
    s
}

/// Appends what [`port`] returns.
pub fn push_port(s: &mut String, p: &PortInfo, weights: bool) {
    push_u32(s, p.port.into());
    if let Some(proto) = &p.protocol {
        s.push('/');
        s.push_str(proto);
    }
    if let Some(name) = &p.name {
        s.push_str(" (");
        s.push_str(&hsvc_resolve::escape::term(name));
        s.push(')');
    }
    if weights {
        s.push_str(" w");
        push_u32(s, p.weight.into());
    }
}

pub fn ports(ps: &[PortInfo], weights: bool) -> String {
    let mut s = String::new();
    push_ports(&mut s, ps, weights);
    s
}

/// Appends what [`ports`] returns.
pub fn push_ports(s: &mut String, ps: &[PortInfo], weights: bool) {
    if ps.is_empty() {
        s.push('-');
    }
    for (i, p) in ps.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        push_port(s, p, weights);
    }
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

/// Appends an address as `Display` writes it. IPv4 is written digit by
/// digit: through `to_string` it took about 1,400 instructions an address,
/// 4.3 M of the 22 M a 3000-endpoint `hsvc resolve` took (callgrind).
pub fn push_ip(s: &mut String, ip: std::net::IpAddr) {
    match ip {
        std::net::IpAddr::V4(v4) => {
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
        }
        std::net::IpAddr::V6(v6) => {
            use std::fmt::Write as _;
            let _ = write!(s, "{v6}");
        }
    }
}

/// An address as `Display` writes it (see [`push_ip`]).
pub fn ip(ip: std::net::IpAddr) -> String {
    let mut s = String::with_capacity(15);
    push_ip(&mut s, ip);
    s
}

/// Appends a number as `Display` writes it, without the formatter.
pub fn push_u32(s: &mut String, n: u32) {
    let mut digits = [0u8; 10];
    let mut i = digits.len();
    let mut n = n;
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    s.push_str(std::str::from_utf8(&digits[i..]).expect("digits"));
}

/// Appends an optional string from DNS, escaped, or `-` (see [`opt`]).
pub fn push_opt(s: &mut String, v: &Option<String>) {
    match v {
        Some(v) => s.push_str(&hsvc_resolve::escape::term(v)),
        None => s.push('-'),
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

    #[test]
    fn table_pads_columns_and_trims() {
        let mut t = super::table(["IP", "HOSTNAME", "PORTS"]);
        t.add_row(["10.0.0.1", "web-0", "8080/tcp"]);
        t.row()
            .cell("10.0.0.10")
            .cell_with(|s| s.push('-'))
            .cell("");
        t.add_row(["::1", "é", "1"]);
        let mut out = Vec::new();
        super::write_table(&mut out, &t).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "IP         HOSTNAME  PORTS\n\
             10.0.0.1   web-0     8080/tcp\n\
             10.0.0.10  -\n\
             ::1        é         1\n"
        );
    }

    proptest! {
        #[test]
        fn ip_is_display(v4 in any::<std::net::Ipv4Addr>(), v6 in any::<std::net::Ipv6Addr>()) {
            prop_assert_eq!(super::ip(v4.into()), v4.to_string());
            prop_assert_eq!(super::ip(v6.into()), v6.to_string());
        }

        #[test]
        fn push_u32_is_display(n in any::<u32>()) {
            let mut s = String::new();
            super::push_u32(&mut s, n);
            prop_assert_eq!(s, n.to_string());
        }
    }
}
