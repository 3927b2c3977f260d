//! The one reporter for stderr: errors, warnings, notes and `-v`
//! diagnostics, each with the `hsvc:` prefix, escaped for a terminal.
//! Built once from the settings; commands and renderers write through it,
//! and the library crates never print.

use std::io::Write;

use hsvc_resolve::escape::term;
use hsvc_resolve::lookup::QueryRecord;

/// Writes hsvc's messages to stderr (or any writer, in tests).
pub struct Reporter<'a> {
    err: &'a mut dyn Write,
    verbosity: u8,
    color: bool,
}

impl<'a> Reporter<'a> {
    /// A reporter writing to `err`, printing diagnostics up to `verbosity`
    /// (`-v` count), colouring its prefixes when `color`.
    pub fn new(err: &'a mut dyn Write, verbosity: u8, color: bool) -> Self {
        Reporter {
            err,
            verbosity,
            color,
        }
    }

    fn paint(&self, style: anstyle::Style, text: &str) -> String {
        crate::diag::paint_if(self.color, style, text)
    }

    fn line(&mut self, prefix: &str, message: &str) {
        // stderr that cannot be written has nowhere to report to.
        let _ = writeln!(self.err, "{prefix} {}", term(message));
    }

    /// `hsvc: MESSAGE` in red: what made the command fail.
    pub fn error(&mut self, message: &str) {
        let p = self.paint(crate::diag::RED, "hsvc:");
        self.line(&p, message);
    }

    /// `hsvc: warning: MESSAGE` in yellow.
    pub fn warning(&mut self, message: &str) {
        let p = self.paint(crate::diag::YELLOW, "hsvc: warning:");
        self.line(&p, message);
    }

    /// `hsvc: MESSAGE`, plain: an outcome worth a line that is not an
    /// error of hsvc's (NXDOMAIN, a changed set, a summary).
    pub fn note(&mut self, message: &str) {
        self.line("hsvc:", message);
    }

    /// Whether `-v` was given at least `level` times.
    pub fn verbose(&self, level: u8) -> bool {
        self.verbosity >= level
    }

    /// A `-v` diagnostic at `level`.
    pub fn diag(&mut self, level: u8, message: impl FnOnce() -> String) {
        if self.verbose(level) {
            let m = message();
            self.line("hsvc:", &m);
        }
    }

    /// With `-v`: one line per query a lookup sent.
    pub fn trace(&mut self, queries: &[QueryRecord]) {
        if !self.verbose(1) {
            return;
        }
        for q in queries {
            let m = format!(
                "{}: {} {} @{} {} → {} ({} answers{}) in {:.2} ms",
                q.purpose,
                q.name,
                q.rtype,
                q.server,
                q.transport.as_str(),
                q.rcode
                    .as_deref()
                    .or(q.error.as_deref())
                    .unwrap_or_default(),
                q.answers,
                if q.truncated { ", TC" } else { "" },
                q.latency_ms
            );
            self.line("hsvc:", &m);
        }
    }

    /// The raw writer, for renderers that print blocks to stderr
    /// (`--explain` in plain mode, progress lines).
    pub fn writer(&mut self) -> &mut dyn Write {
        self.err
    }
}
