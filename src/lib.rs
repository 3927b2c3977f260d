//! hsvc: Kubernetes headless Services from cluster DNS.
//!
//! The command line of hsvc, over the workspace's library crates. Data
//! flows one way: [`cli`] (clap only) → [`plan`] (flags, environment and
//! resolv.conf into typed per-command plans) → [`commands`] (thin: they
//! call hsvc-resolve, hsvc-balance, hsvc-probe, hsvc-api) → [`output`]
//! (renders what it is handed) and [`report`] (every stderr line), and an
//! [`exit::Exit`] code. No command imports another; output decides nothing.

#![forbid(unsafe_code)]

pub mod cli;
pub mod commands;
pub mod diag;
pub mod exit;
pub mod link;
pub mod output;
pub mod plan;
pub mod report;
pub mod sources;

use std::io::Write;

/// Parses `args`, runs the command on a single-threaded runtime and returns
/// the exit code. Everything `main` does.
pub fn main_with_args<I, T>(args: I) -> std::process::ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    use clap::FromArgMatches;
    let args: Vec<std::ffi::OsString> = args.into_iter().map(Into::into).collect();
    // Installed as `kubectl-hsvc`, the binary runs as `kubectl hsvc …`:
    // help and errors then speak of `kubectl hsvc`.
    let as_plugin = args
        .first()
        .and_then(|a| std::path::Path::new(a).file_stem())
        .is_some_and(|s| s == "kubectl-hsvc");
    // clap renders help and errors while it parses: it must be told the
    // --color of this command line before (NO_COLOR, CLICOLOR_FORCE and
    // TERM=dumb it reads itself, through anstream, as hsvc does).
    let color = diag::ColorChoice::from_args(&args).unwrap_or(diag::ColorChoice::Auto);
    let mut cmd = cli::command_with(|mut c| {
        if as_plugin {
            c = c.bin_name("kubectl hsvc").display_name("kubectl hsvc");
        }
        c.color(color.for_clap())
    });
    let parsed = cmd.try_get_matches_from_mut(args).and_then(|mut m| {
        // `_mut` takes the values out instead of reading a copy of all the
        // matches (`from_arg_matches` clones them first: 58 K instructions).
        let cli = cli::Cli::from_arg_matches_mut(&mut m);
        std::mem::forget(m);
        cli
    });
    // The command tree and the matches are not needed once parsed, and the
    // process ends soon: freeing them cost about 130 K instructions
    // (callgrind), a tenth of resolving a 3-pod Service.
    std::mem::forget(cmd);
    let cli = match parsed {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            if !e.use_stderr() {
                // --help, --version: hsvc's own text, printed as clap renders it.
                let _ = e.print();
                return std::process::ExitCode::from(code);
            }
            // A usage error quotes what was typed: escape it like every
            // other message, line by line, so an argument cannot drive the
            // terminal (hsvc --timeout $'\x1b]0;pwned\x07' …).
            let text = e.render().to_string();
            let mut err = std::io::stderr().lock();
            for line in text.lines() {
                let _ = writeln!(err, "{}", hsvc_resolve::escape::term(line));
            }
            return std::process::ExitCode::from(code);
        }
    };
    diag::init(cli.global.verbose, cli.global.color);
    diag::init_output(
        cli.global.no_headers,
        cli.global.output == output::Format::Yaml,
    );
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
    let mut rep = report::Reporter::new(&mut err, cli.global.verbose, diag::color_err());
    let result = runtime.block_on(commands::run(cli, &mut out, &mut rep));
    let flushed = out.flush();
    match result {
        Ok(code) => match flushed {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                rep.error(&format!("cannot write output: {e}"));
                exit::Exit::Usage.into()
            }
            _ => code.into(),
        },
        Err(fail) => {
            if !fail.message.is_empty() {
                rep.error(&fail.message);
            }
            fail.exit.into()
        }
    }
}
