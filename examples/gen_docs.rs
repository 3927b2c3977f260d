//! Regenerates `completions/` and `man/` from the clap definitions:
//!
//!     cargo run --example gen_docs
//!
//! `tests/docs.rs` fails when the checked-in files are out of date.

#[path = "../tests/support/docs_gen.rs"]
mod docs_gen;

fn main() -> std::io::Result<()> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    docs_gen::generate(root)?;
    eprintln!("wrote completions/ and man/");
    Ok(())
}
