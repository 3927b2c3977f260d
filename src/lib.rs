//! hsvc: Kubernetes headless Services from cluster DNS.
//!
//! Data flows one way: `cli` → `settings` → `name` (what the user means) →
//! `lookup` over `dns` (what cluster DNS says) → `endpoints` (the pods) →
//! `commands` → `output`, and an [`exit::Exit`] code.

pub mod cli;
pub mod commands;
pub mod diff;
pub mod dns;
pub mod endpoints;
pub mod escape;
pub mod exit;
pub mod lookup;
pub mod name;
pub mod output;
pub mod pick;
pub mod probe;
#[cfg(feature = "server")]
pub mod server;
pub mod settings;
pub mod sources;
pub mod watch;

use std::io::Write;

/// Parses `args`, runs the command on a single-threaded runtime and returns
/// the exit code. Everything `main` does.
pub fn main_with_args<I, T>(args: I) -> std::process::ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    use clap::Parser;
    let cli = match cli::Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return std::process::ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("hsvc: cannot start the runtime: {e}");
            return exit::Exit::Usage.into();
        }
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut err = std::io::stderr().lock();
    let result = runtime.block_on(commands::run(cli, &mut out, &mut err));
    let flushed = out.flush();
    match result {
        Ok(code) => match flushed {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                let _ = writeln!(err, "hsvc: cannot write output: {e}");
                exit::Exit::Usage.into()
            }
            _ => code.into(),
        },
        Err(fail) => {
            if !fail.message.is_empty() {
                let _ = writeln!(err, "hsvc: {}", escape::term(&fail.message));
            }
            fail.exit.into()
        }
    }
}
