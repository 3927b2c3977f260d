//! One file per subcommand: glue between settings, lookups and renderers.
//! No algorithm lives here.

pub mod check;
#[cfg(feature = "demo")]
pub mod demo;
pub mod diff;
pub mod pick;
pub mod resolve;
pub mod watch;

use std::io::Write;

use crate::cli::{Cli, Command};
use crate::exit::{Exit, Fail};
use crate::plan::Settings;
use crate::report::Reporter;

/// Runs the parsed command line; returns the exit code.
pub async fn run(cli: Cli, out: &mut dyn Write, rep: &mut Reporter<'_>) -> Result<Exit, Fail> {
    // Commands that ask DNS share one way of reading their settings.
    let settings = |rep: &mut Reporter<'_>| {
        let s = Settings::from_args(&cli.global)?;
        s.diagnose(rep);
        Ok::<_, Fail>(s)
    };
    match &cli.command {
        Command::Completions(args) => {
            let mut cmd = crate::cli::command();
            let name = cmd.get_name().to_string();
            clap_complete::generate(args.shell, &mut cmd, name, out);
            Ok(Exit::Ok)
        }
        Command::Resolve(args) => resolve::run(&settings(rep)?, args, out, rep).await,
        Command::Pick(args) => pick::run(&settings(rep)?, args, out, rep).await,
        Command::Check(args) => check::run(&settings(rep)?, args, out, rep).await,
        Command::Diff(args) => diff::run(&settings(rep)?, args, out, rep).await,
        Command::Watch(args) => watch::run(&settings(rep)?, args, out, rep).await,
        #[cfg(feature = "demo")]
        Command::Demo(args) => demo::run(args, out, rep).await,
    }
}

/// Maps a write error to the outcome: a closed pipe (`| head`) is not an
/// error for a CLI.
pub fn io_fail(e: std::io::Error) -> Fail {
    Fail {
        exit: if e.kind() == std::io::ErrorKind::BrokenPipe {
            Exit::Ok
        } else {
            Exit::Usage
        },
        message: if e.kind() == std::io::ErrorKind::BrokenPipe {
            String::new()
        } else {
            format!("cannot write output: {e}")
        },
    }
}
