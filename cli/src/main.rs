//! The `polyaxon` binary: parses the command line, runs the command from
//! `polyaxon-core`, and decides what a person sees.
//!
//! Each command lives in its own file under `commands/` with a `run`
//! returning `Result<(), Failure>`; this file only starts the runtime, races
//! the command with Ctrl-C, and turns the outcome into an exit code (see
//! `exit.rs`).

use std::process::ExitCode;

use polyaxon_cli::args::{self, AdminCommand, Cli, Command};
use polyaxon_cli::commands::{self, completion, dry_run};
use polyaxon_cli::complete;
use polyaxon_cli::exit::{Exit, Failure};
use polyaxon_cli::output::Output;

fn main() -> ExitCode {
    // Before anything else is printed: this process may be the shell asking
    // for completions (`COMPLETE=bash polyaxon -- …`).
    complete::answer_shell_if_asked();
    let cli = args::parse();
    let out = Output::from_args(&cli.global);
    let exit = match run(cli, &out) {
        Ok(()) => Exit::Success,
        Err(failure) => out.failure(&failure),
    };
    exit.into()
}

/// Runs the command; the ones that talk to the cluster run on a tokio
/// runtime, raced with Ctrl-C (exit 130).
fn run(cli: Cli, out: &Output) -> Result<(), Failure> {
    if let Command::Completion(args) = &cli.command {
        return completion::run(args, out);
    }
    // `deploy --dry-run` needs neither the cluster nor the runtime.
    if let Command::Deploy(args) | Command::Admin(AdminCommand::Deploy(args)) = &cli.command
        && args.dry_run
    {
        return dry_run::run(args, &cli.global, out);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|error| Failure::from(error).context("cannot start the async runtime"))?;
    // The lifecycle commands handle Ctrl-C themselves: they first mark the
    // release's pending revision failed and give its lock back. For
    // port-forward, Ctrl-C is the normal end (exit 0).
    let own_interrupt = matches!(
        cli.command,
        Command::Deploy(_)
            | Command::Upgrade(_)
            | Command::Teardown(_)
            | Command::Rollback(_)
            | Command::Admin(_)
            | Command::PortForward(_)
    );
    let result = runtime.block_on(async {
        if own_interrupt {
            return commands::run(cli, out).await;
        }
        tokio::select! {
            // Polled first, so the handler is installed before the command starts.
            biased;
            () = interrupted() => Err(Failure::interrupted()),
            result = commands::run(cli, out) => result,
        }
    });
    // Do not wait for requests still in flight after Ctrl-C.
    runtime.shutdown_background();
    result
}

/// Resolves on Ctrl-C; never, when the handler cannot be installed.
async fn interrupted() {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}
