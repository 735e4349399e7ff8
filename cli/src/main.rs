//! The `polyaxon` binary: parses the command line, runs the command from
//! `polyaxon-core`, and decides what a person sees.
//!
//! Each command lives in its own module with a `run` returning
//! `Result<(), Failure>`; this file only wires them up, races them with
//! Ctrl-C, and turns the outcome into an exit code (see `exit.rs`).

use std::process::ExitCode;

// Imported at the root so that command modules added here can say
// `crate::args::…`, `crate::output::…` as if they were local.
use polyaxon_cli::{args, complete, exit, output, version};

use args::{Cli, Command};
use exit::{Exit, Failure};
use output::Output;

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
        return complete::run(args, out);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|error| Failure::from(error).context("cannot start the async runtime"))?;
    let result = runtime.block_on(async {
        tokio::select! {
            // Polled first, so the handler is installed before the command starts.
            biased;
            () = interrupted() => Err(Failure::interrupted()),
            result = dispatch(cli, out) => result,
        }
    });
    // Do not wait for requests still in flight after Ctrl-C.
    runtime.shutdown_background();
    result
}

async fn dispatch(cli: Cli, out: &Output) -> Result<(), Failure> {
    match cli.command {
        Command::Version(args) => version::run(&args, &cli.global, out).await,
        Command::Completion(args) => complete::run(&args, out),
        other => {
            let name = format!("{other:?}");
            let name = name
                .split('(')
                .next()
                .unwrap_or("this command")
                .to_lowercase();
            Err(Failure::new(
                Exit::Failed,
                format!("`{name}` is not implemented yet in this build"),
            ))
        }
    }
}

/// Resolves on Ctrl-C; never, when the handler cannot be installed.
async fn interrupted() {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}
