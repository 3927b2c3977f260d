#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    hsvc::main_with_args(std::env::args_os())
}
