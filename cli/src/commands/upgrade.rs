//! `polyaxon upgrade` (and `polyaxon admin upgrade`): load the config,
//! connect, upgrade the deployed release (asking before a major version
//! jump when there is a terminal to ask on), or only plan it.

use polyaxon_core::ops::{self, Deployable, UpgradeOutcome};
use polyaxon_core::release::ReleaseRef;
use polyaxon_core::render::{self, ReleaseState};

use crate::args::{GlobalArgs, UpgradeArgs};
use crate::exit::Outcome;
use crate::load;
use crate::operation::{interruptible, requests, wait_options};
use crate::output::Output;
use crate::show::{diff_text, reporter};

/// Runs `polyaxon upgrade`.
pub async fn run(global: &GlobalArgs, args: &UpgradeArgs, out: &Output) -> Outcome {
    let deployment = load::load(global, &args.config)?;
    let client = global.cluster().client().await?;
    let target = ReleaseRef::of(&deployment);
    let render = |state: &ReleaseState| render::render(&deployment, state);
    let source = Deployable::of(&deployment, &render);
    let mut op = ops::UpgradeOptions {
        target: target.clone(),
        wait: wait_options(&args.wait),
        allow_downgrade: args.allow_downgrade,
        confirmed: args.yes,
        dry_run: args.dry_run,
        atomic: args.atomic,
    };
    let reporter = reporter(out);
    let first = interruptible(
        &client,
        &target,
        ops::upgrade(&client, &op, &source, &reporter),
    )
    .await?;
    let outcome = match first {
        Err(question) if question.needs_confirmation() && out.ask(&question.to_string()) => {
            op.confirmed = true;
            interruptible(
                &client,
                &target,
                ops::upgrade(&client, &op, &source, &reporter),
            )
            .await??
        }
        other => other?,
    };
    requests(out);
    match outcome {
        UpgradeOutcome::Planned(diff) => out.result(diff_text(&diff, &source, out))?,
        UpgradeOutcome::Unchanged { record } => out.success(format!(
            "release {} is up to date: nothing changed, it stays at revision {}",
            record.name, record.revision
        )),
        UpgradeOutcome::Upgraded { record, .. } => out.success(format!(
            "release {} upgraded: revision {}, {} {}",
            record.name, record.revision, record.chart, record.version
        )),
    }
    Ok(())
}
