//! Writes shell completions and man pages generated from the clap
//! definitions. Shared by `examples/gen_docs.rs` (which writes them into the
//! repository) and `tests/docs.rs` (which fails when the checked-in files no
//! longer match the CLI).

use std::path::Path;

use clap_complete::Shell;

/// Writes `completions/` and `man/` under `root`.
pub fn generate(root: &Path) -> std::io::Result<()> {
    let completions = root.join("completions");
    let man = root.join("man");
    std::fs::create_dir_all(&completions)?;
    std::fs::create_dir_all(&man)?;
    for shell in [
        Shell::Bash,
        Shell::Zsh,
        Shell::Fish,
        Shell::PowerShell,
        Shell::Elvish,
    ] {
        let mut cmd = hsvc::cli::command();
        clap_complete::generate_to(shell, &mut cmd, "hsvc", &completions)?;
    }
    clap_mangen::generate_to(hsvc::cli::command(), &man)?;
    // The command comes built (see `hsvc::cli::command_with`), with clap's
    // `help` subcommand in it: `hsvc help CMD` is `hsvc CMD --help`, and
    // needs no pages of its own.
    for e in std::fs::read_dir(&man)? {
        let e = e?;
        if e.file_name().to_string_lossy().starts_with("hsvc-help") {
            std::fs::remove_file(e.path())?;
        }
    }
    Ok(())
}
