//! The `polyaxon` binary: parses the command line, runs the command from
//! `polyaxon-core`, and decides what a person sees.

mod args;
mod port_forward;

use std::io::Write;
use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use args::{Cli, Command};

/// Exit code: the operation failed.
const EXIT_FAILED: u8 = 1;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Completion(args) => {
            let mut command = Cli::command();
            let mut out = std::io::stdout().lock();
            clap_complete::generate(args.shell, &mut command, "polyaxon", &mut out);
            let _ = out.flush();
            ExitCode::SUCCESS
        }
        Command::PortForward(args) => port_forward::run(&cli.global, &args),
        other => {
            let name = format!("{other:?}");
            let name = name
                .split('(')
                .next()
                .unwrap_or("this command")
                .to_lowercase();
            eprintln!("error: `{name}` is not implemented yet in this build");
            ExitCode::from(EXIT_FAILED)
        }
    }
}
