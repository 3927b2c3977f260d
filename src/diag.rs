//! Process-wide presentation switches set once at start-up: colour and
//! `-v` diagnostics. Diagnostics go to stderr only.

use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

static VERBOSITY: AtomicU8 = AtomicU8::new(0);
static COLOR: AtomicBool = AtomicBool::new(false);
static COLOR_ERR: AtomicBool = AtomicBool::new(false);

/// How colour is decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal and NO_COLOR is not set.
    Auto,
    Always,
    Never,
}

/// Sets the switches from the flags and the environment.
pub fn init(verbosity: u8, color: ColorChoice) {
    use std::io::IsTerminal;
    VERBOSITY.store(verbosity, Ordering::Relaxed);
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let on = |tty: bool| match color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => !no_color && tty,
    };
    COLOR.store(on(std::io::stdout().is_terminal()), Ordering::Relaxed);
    COLOR_ERR.store(on(std::io::stderr().is_terminal()), Ordering::Relaxed);
}

/// The `-v` count.
pub fn verbosity() -> u8 {
    VERBOSITY.load(Ordering::Relaxed)
}

pub fn color() -> bool {
    COLOR.load(Ordering::Relaxed)
}

/// Wraps text in an SGR sequence when colour is on (`1` bold, `2` dim,
/// `31` red, `32` green, `33` yellow). The text must already be escaped.
pub fn paint(sgr: &str, text: &str) -> String {
    if color() {
        format!("\x1b[{sgr}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

/// Whether text bound for stderr is coloured (for the [`crate::report::Reporter`]).
pub fn color_err() -> bool {
    COLOR_ERR.load(Ordering::Relaxed)
}
