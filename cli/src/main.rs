//! The `polyaxon` binary: parses the command line, runs the command from
//! `polyaxon-core`, and decides what a person sees.

mod args;
mod check;
mod dry_run;

use std::io::Write;
use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use args::{AdminCommand, Cli, Command};

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
        Command::Deploy(args) | Command::Admin(AdminCommand::Deploy(args)) if args.dry_run => {
            dry_run::run(&args, &cli.global)
        }
        Command::Deploy(args) | Command::Admin(AdminCommand::Deploy(args)) if args.check => {
            run_async(check::run(&cli.global, &args))
        }
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

/// Runs an async command on a runtime built for it.
fn run_async(command: impl std::future::Future<Output = ExitCode>) -> ExitCode {
    match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(command),
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            ExitCode::from(EXIT_FAILED)
        }
    }
}
