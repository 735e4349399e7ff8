//! The commands, one file each; [`run`] sends the parsed command line to
//! the one asked for. Each returns an [`Outcome`]; `main` turns that into
//! what a person sees and an exit code.

pub mod check;
pub mod completion;
pub mod deploy;
pub mod diff;
pub mod dry_run;
pub mod history;
pub mod port_forward;
pub mod rollback;
pub mod status;
pub mod teardown;
pub mod unlock;
pub mod upgrade;
pub mod version;

use crate::args::{AdminCommand, Cli, Command};
use crate::exit::Outcome;
use crate::output::Output;

/// Runs the command the command line asks for (on the caller's runtime).
pub async fn run(cli: Cli, out: &Output) -> Outcome {
    let global = &cli.global;
    match cli.command {
        Command::Version(args) => version::run(&args, global, out).await,
        Command::Completion(args) => completion::run(&args, out),
        Command::Deploy(args) | Command::Admin(AdminCommand::Deploy(args)) if args.check.check => {
            check::run(global, &args.config, out).await
        }
        Command::Deploy(args) | Command::Admin(AdminCommand::Deploy(args)) if args.dry_run => {
            dry_run::run(&args, global, out)
        }
        Command::Deploy(args) | Command::Admin(AdminCommand::Deploy(args)) => {
            deploy::run(global, &args, out).await
        }
        Command::Upgrade(args) | Command::Admin(AdminCommand::Upgrade(args))
            if args.check.check =>
        {
            check::run(global, &args.config, out).await
        }
        Command::Upgrade(args) | Command::Admin(AdminCommand::Upgrade(args)) => {
            upgrade::run(global, &args, out).await
        }
        Command::Diff(args) => diff::run(global, &args, out).await,
        Command::Teardown(args) | Command::Admin(AdminCommand::Teardown(args)) => {
            teardown::run(global, &args, out).await
        }
        Command::Rollback(args) => rollback::run(global, &args, out).await,
        Command::Status(args) => status::run(global, &args, out).await,
        Command::History(args) => history::run(global, &args, out).await,
        Command::PortForward(args) => port_forward::run(global, &args, out).await,
        Command::Unlock(args) => unlock::run(global, &args, out).await,
    }
}
