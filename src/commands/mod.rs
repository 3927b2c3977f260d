//! One file per subcommand: glue between settings, lookups and renderers.
//! No algorithm lives here.

#[cfg(feature = "server")]
pub mod demo;
pub mod diff;
pub mod resolve;
pub mod watch;

use std::io::Write;

use crate::cli::{Cli, Command};
use crate::exit::{Exit, Fail};
use crate::settings::Settings;

/// Runs the parsed command line; returns the exit code.
pub async fn run(cli: Cli, out: &mut dyn Write, err: &mut dyn Write) -> Result<Exit, Fail> {
    match cli.command {
        Command::Resolve(args) => {
            let settings = Settings::from_args(&cli.global)?;
            resolve::run(&settings, &args, out, err).await
        }
        Command::Diff(args) => {
            let settings = Settings::from_args(&cli.global)?;
            diff::run(&settings, &args, out, err).await
        }
        Command::Watch(args) => {
            let settings = Settings::from_args(&cli.global)?;
            watch::run(&settings, &args, out, err).await
        }
        #[cfg(feature = "server")]
        Command::Demo(args) => demo::run(&args, out, err).await,
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
