//! One file per subcommand: glue between settings, lookups and renderers.
//! No algorithm lives here.

#[cfg(feature = "api")]
pub mod api;
#[cfg(feature = "api")]
pub mod api_watch;
pub mod check;
#[cfg(feature = "demo")]
pub mod demo;
pub mod diff;
pub mod pick;
pub mod resolve;
pub mod watch;

use std::io::Write;

use crate::cli::Cli;
use crate::exit::{Exit, Fail};
use crate::plan::Plan;
use crate::report::Reporter;

/// Runs the parsed command line; returns the exit code. The plan step
/// turns clap's values into typed plans first: no command sees clap types.
pub async fn run(cli: Cli, out: &mut dyn Write, rep: &mut Reporter<'_>) -> Result<Exit, Fail> {
    let link = crate::link::for_args(&cli, rep).await?;
    match Plan::build_with(&cli, link, rep)? {
        Plan::Completions(shell) => {
            let mut cmd = crate::cli::command();
            let name = cmd.get_name().to_string();
            clap_complete::generate(shell, &mut cmd, name, out);
            Ok(Exit::Ok)
        }
        Plan::Resolve(s, p) => resolve::run(&s, &p, out, rep).await,
        Plan::Pick(s, p) => pick::run(&s, *p, out, rep).await,
        Plan::Check(s, p) => check::run(&s, &p, out, rep).await,
        Plan::Diff(s, p) => diff::run(&s, &p, out, rep).await,
        Plan::Watch(s, p) => watch::run(&s, &p, out, rep).await,
        #[cfg(feature = "demo")]
        Plan::Demo(p) => demo::run(&p, out, rep).await,
        #[cfg(not(feature = "demo"))]
        Plan::Demo(_) => Err(Fail::usage("this hsvc was built without the demo")),
        #[cfg(feature = "api")]
        Plan::ApiResolve(p, name) => api::resolve(&p, &name, out, rep).await,
        #[cfg(feature = "api")]
        Plan::Ls(p, all) => api::ls(&p, all, out, rep).await,
        #[cfg(feature = "api")]
        Plan::Verify(s, p, name) => api::verify(&s, &p, &name, out, rep).await,
        #[cfg(feature = "api")]
        Plan::ApiWatch(s, p, w) => api_watch::run(s.as_ref(), &p, &w, out, rep).await,
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
