//! The `polyaxon` binary: parses the command line, runs the command from
//! `polyaxon-core`, and decides what a person sees.
//!
//! Each command lives in its own module with a `run` returning
//! `Result<(), Failure>`; this file only wires them up, races them with
//! Ctrl-C, and turns the outcome into an exit code (see `exit.rs`).

use std::process::ExitCode;

// Imported at the root so that command modules added here can say
// `crate::args::…`, `crate::output::…` as if they were local.
use polyaxon_cli::{
    args, check, complete, dry_run, exit, lifecycle, output, port_forward, version,
};

use args::{AdminCommand, Cli, Command, UpgradeArgs, WaitArgs};
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
            return dispatch(cli, out).await;
        }
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
    let global = &cli.global;
    match cli.command {
        Command::Version(args) => version::run(&args, global, out).await,
        Command::Completion(args) => complete::run(&args, out),
        Command::Deploy(args) | Command::Admin(AdminCommand::Deploy(args)) if args.check => {
            check::run(global, &args, out).await
        }
        Command::Deploy(args) | Command::Admin(AdminCommand::Deploy(args)) => {
            lifecycle::deploy(global, &args, out).await
        }
        Command::Upgrade(args) | Command::Admin(AdminCommand::Upgrade(args)) => {
            lifecycle::upgrade(global, &args, false, out).await
        }
        Command::Diff(config) => {
            let args = UpgradeArgs {
                config,
                check: false,
                dry_run: true,
                allow_downgrade: true,
                atomic: false,
                yes: true,
                wait: WaitArgs {
                    no_wait: true,
                    timeout: std::time::Duration::from_secs(600),
                    apply_concurrency: None,
                },
            };
            lifecycle::upgrade(global, &args, true, out).await
        }
        Command::Teardown(args) | Command::Admin(AdminCommand::Teardown(args)) => {
            lifecycle::teardown(global, &args, out).await
        }
        Command::Rollback(args) => lifecycle::rollback(global, &args, out).await,
        Command::Status(args) => lifecycle::status(global, &args, out).await,
        Command::History(args) => lifecycle::history(global, &args, out).await,
        Command::PortForward(args) => port_forward::run(global, &args, out).await,
    }
}

/// Resolves on Ctrl-C; never, when the handler cannot be installed.
async fn interrupted() {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}
