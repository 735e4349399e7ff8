//! `polyaxon completion <shell>`: the shell completion script, two ways from
//! the one command tree in `args`:
//!
//! - static scripts (checked in under `completions/`): commands, flags,
//!   value lists and file names;
//! - dynamic registration (`--dynamic`, the same as `COMPLETE=<shell>
//!   polyaxon`): a small script that calls `polyaxon` at each <TAB>, which
//!   answers through clap_complete's engine and the completers of `complete.rs`.

use std::io;
use std::path::PathBuf;

use clap_complete::Shell;
use clap_complete::env::Shells;

use crate::args::{self, CompletionArgs};
use crate::complete::COMPLETE_VAR;
use crate::exit::{Failure, Outcome};
use crate::output::Output;

/// The name of the binary the scripts complete.
const BIN: &str = "polyaxon";

/// Runs `polyaxon completion <shell> [--dynamic]`: prints the script.
pub fn run(args: &CompletionArgs, out: &Output) -> Outcome {
    let script = if args.dynamic {
        dynamic_script(args.shell)?
    } else {
        static_script(args.shell)
    };
    out.result(script)
        .map_err(|error| Failure::from(error).context("cannot write the completion script"))
}

/// The static completion script for `shell`.
pub fn static_script(shell: Shell) -> Vec<u8> {
    let mut command = args::command();
    let mut script = Vec::new();
    // Generated into memory: clap_complete panics on a failed write, and a
    // full disk or closed pipe must be an ordinary error.
    clap_complete::generate(shell, &mut command, BIN, &mut script);
    script
}

/// The dynamic registration script for `shell`, which calls back the binary
/// this process was started as.
pub fn dynamic_script(shell: Shell) -> io::Result<Vec<u8>> {
    let name = shell.to_string();
    let shells = Shells::builtins();
    let registrar = shells
        .completer(&name)
        .ok_or_else(|| io::Error::other(format!("no dynamic completion for {name}")))?;
    let mut script = Vec::new();
    registrar.write_registration(COMPLETE_VAR, BIN, BIN, &completer_path(), &mut script)?;
    Ok(script)
}

/// How the script should call this binary: as it was called, made absolute
/// when it was called by a relative path (as clap_complete does).
fn completer_path() -> String {
    let argv0 = std::env::args_os()
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(BIN));
    let path = if argv0.components().count() > 1 && argv0.is_relative() {
        std::env::current_dir()
            .map(|dir| dir.join(&argv0))
            .unwrap_or(argv0)
    } else {
        argv0
    };
    path.to_string_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shell_has_a_static_and_a_dynamic_script_naming_the_binary() {
        for shell in [
            Shell::Bash,
            Shell::Zsh,
            Shell::Fish,
            Shell::PowerShell,
            Shell::Elvish,
        ] {
            let script = String::from_utf8(static_script(shell)).unwrap_or_default();
            assert!(
                script.contains("polyaxon"),
                "{shell}: static script does not name polyaxon"
            );
            assert!(
                script.contains("port-forward"),
                "{shell}: static script lacks port-forward"
            );
            let dynamic = dynamic_script(shell).map(String::from_utf8);
            let Ok(Ok(dynamic)) = dynamic else {
                panic!("{shell}: no dynamic script");
            };
            assert!(
                dynamic.contains(COMPLETE_VAR),
                "{shell}: dynamic script does not set {COMPLETE_VAR}"
            );
        }
    }
}
