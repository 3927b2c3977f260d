//! Process-wide presentation switches set once at start-up: colour,
//! `-v` diagnostics, table headers and the encoding of documents.
//! Diagnostics go to stderr only.
//!
//! Colour is decided by `anstream` (the crate clap itself uses), so hsvc
//! and clap's own help agree: `--color always|never` wins; with `auto`,
//! `NO_COLOR` turns colour off, `CLICOLOR_FORCE` turns it on,
//! `CLICOLOR=0` turns it off, and otherwise a terminal gets it when its
//! `TERM` is not `dumb` (or `CLICOLOR=1` or `CI` is set). Styles are
//! `anstyle` values.

use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

use anstyle::{AnsiColor, Style};

static VERBOSITY: AtomicU8 = AtomicU8::new(0);
static COLOR: AtomicBool = AtomicBool::new(false);
static COLOR_ERR: AtomicBool = AtomicBool::new(false);
static NO_HEADERS: AtomicBool = AtomicBool::new(false);
static YAML: AtomicBool = AtomicBool::new(false);

/// Table headers, demo headings, verdicts.
pub const BOLD: Style = Style::new().bold();
/// Summaries under a table.
pub const DIM: Style = Style::new().dimmed();
/// The `hsvc:` prefix of errors.
pub const RED: Style = AnsiColor::Red.on_default();
/// The prefix of warnings.
pub const YELLOW: Style = AnsiColor::Yellow.on_default();

/// How colour is decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour on a terminal (not TERM=dumb), unless NO_COLOR is set; CLICOLOR_FORCE forces it.
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// The same choice, as clap's help and errors take it.
    pub fn for_clap(self) -> clap::ColorChoice {
        match self {
            ColorChoice::Auto => clap::ColorChoice::Auto,
            ColorChoice::Always => clap::ColorChoice::Always,
            ColorChoice::Never => clap::ColorChoice::Never,
        }
    }

    /// The `--color` of a command line not parsed yet (for clap's own
    /// output, which is rendered while parsing); the last one wins, as
    /// clap's parse would have it. `None` when absent or not a value.
    pub fn from_args(args: &[std::ffi::OsString]) -> Option<ColorChoice> {
        use clap::ValueEnum;
        let mut found = None;
        let mut it = args.iter().skip(1).map(|a| a.to_str());
        while let Some(a) = it.next() {
            let value = match a {
                Some("--") => break,
                Some("--color") => it.next().flatten(),
                Some(a) => a.strip_prefix("--color="),
                None => None,
            };
            if let Some(v) = value {
                found = ColorChoice::from_str(v, false).ok().or(found);
            }
        }
        found
    }
}

/// Sets the switches from the flags and the environment.
pub fn init(verbosity: u8, color: ColorChoice) {
    VERBOSITY.store(verbosity, Ordering::Relaxed);
    anstream::ColorChoice::write_global(match color {
        ColorChoice::Auto => anstream::ColorChoice::Auto,
        ColorChoice::Always => anstream::ColorChoice::Always,
        ColorChoice::Never => anstream::ColorChoice::Never,
    });
    let on = |c: anstream::ColorChoice| c != anstream::ColorChoice::Never;
    COLOR.store(
        on(anstream::AutoStream::choice(&std::io::stdout())),
        Ordering::Relaxed,
    );
    COLOR_ERR.store(
        on(anstream::AutoStream::choice(&std::io::stderr())),
        Ordering::Relaxed,
    );
}

/// `--no-headers` and `-o yaml`, set once from the flags: renderers build
/// the same tables and documents either way; only the writers
/// ([`crate::output::write_table`], [`crate::output::write_json`]) differ.
pub fn init_output(no_headers: bool, yaml: bool) {
    NO_HEADERS.store(no_headers, Ordering::Relaxed);
    YAML.store(yaml, Ordering::Relaxed);
}

/// `--no-headers`.
pub fn no_headers() -> bool {
    NO_HEADERS.load(Ordering::Relaxed)
}

/// `-o yaml`: documents are written as YAML.
pub fn yaml() -> bool {
    YAML.load(Ordering::Relaxed)
}

/// The `-v` count.
pub fn verbosity() -> u8 {
    VERBOSITY.load(Ordering::Relaxed)
}

pub fn color() -> bool {
    COLOR.load(Ordering::Relaxed)
}

/// Wraps text in `style` when colour is on for stdout. The text must
/// already be escaped.
pub fn paint(style: Style, text: &str) -> String {
    paint_if(color(), style, text)
}

/// Wraps text in `style` when `on`.
pub fn paint_if(on: bool, style: Style, text: &str) -> String {
    if on {
        format!("{}{text}{}", style.render(), style.render_reset())
    } else {
        text.to_string()
    }
}

/// Whether text bound for stderr is coloured (for the [`crate::report::Reporter`]).
pub fn color_err() -> bool {
    COLOR_ERR.load(Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<std::ffi::OsString> {
        a.iter().map(Into::into).collect()
    }

    #[test]
    fn color_is_found_before_parsing() {
        assert_eq!(ColorChoice::from_args(&args(&["hsvc", "x"])), None);
        assert_eq!(
            ColorChoice::from_args(&args(&["hsvc", "--color", "never", "resolve"])),
            Some(ColorChoice::Never)
        );
        assert_eq!(
            ColorChoice::from_args(&args(&["hsvc", "--color=always", "x", "--color", "never"])),
            Some(ColorChoice::Never)
        );
        assert_eq!(
            ColorChoice::from_args(&args(&["hsvc", "--", "--color", "never"])),
            None
        );
        assert_eq!(
            ColorChoice::from_args(&args(&["hsvc", "--color", "purple"])),
            None
        );
    }

    #[test]
    fn paint_wraps_in_sgr() {
        assert_eq!(paint_if(true, BOLD, "x"), "\x1b[1mx\x1b[0m");
        assert_eq!(paint_if(true, RED, "x"), "\x1b[31mx\x1b[0m");
        assert_eq!(paint_if(false, RED, "x"), "x");
    }
}
