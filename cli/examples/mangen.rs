//! Writes the man pages, from the same definitions as `--help`:
//! `polyaxon.1` and one page per subcommand (`polyaxon-deploy.1`, …).
//!
//! ```text
//! cargo run -p polyaxon-cli --example mangen            # into man/
//! cargo run -p polyaxon-cli --example mangen -- DIR     # into DIR
//! man -l man/polyaxon.1
//! ```
//!
//! `man/` is checked in; `cargo test -p polyaxon-cli --test generated` fails
//! when it is stale (and `UPDATE_GENERATED=1` rewrites it).

#![expect(
    clippy::print_stderr,
    reason = "a command-line tool: it says where it wrote"
)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    let out_dir = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("man"));
    let written = std::fs::create_dir_all(&out_dir)
        .and_then(|()| clap_mangen::generate_to(polyaxon_cli::args::command(), &out_dir));
    match written {
        Ok(()) => {
            eprintln!("man pages written to {}", out_dir.display());
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!(
                "error: cannot write the man pages to {}: {error}",
                out_dir.display()
            );
            ExitCode::FAILURE
        }
    }
}

/// The workspace root: the parent of this crate's folder.
fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}
