//! `polyaxon rollback`: apply an earlier revision again, as a new revision.

use polyaxon_core::ops;

use crate::args::{GlobalArgs, RollbackArgs};
use crate::exit::Outcome;
use crate::load;
use crate::operation::{interruptible, wait_options};
use crate::output::Output;
use crate::show::reporter;

/// Runs `polyaxon rollback`.
pub async fn run(global: &GlobalArgs, args: &RollbackArgs, out: &Output) -> Outcome {
    let target = load::release(global, &[], Some(&args.release.release_name))?;
    let client = global.cluster().client().await?;
    let reporter = reporter(out);
    let record = interruptible(
        &client,
        &target,
        ops::rollback(
            &client,
            &target,
            args.revision,
            wait_options(&args.wait),
            &reporter,
        ),
    )
    .await??;
    out.success(format!(
        "release {} rolled back: revision {} ({})",
        record.name, record.revision, record.description
    ));
    Ok(())
}
