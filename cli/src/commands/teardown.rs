//! `polyaxon teardown` (and `polyaxon admin teardown`): confirm, then delete
//! everything the release owns.

use polyaxon_core::apply::DeleteOptions;
use polyaxon_core::ops;

use crate::args::{GlobalArgs, TeardownArgs};
use crate::exit::{Exit, Failure, Outcome};
use crate::load;
use crate::operation::{interruptible, requests};
use crate::output::Output;
use crate::show::reporter;

/// Runs `polyaxon teardown`.
pub async fn run(global: &GlobalArgs, args: &TeardownArgs, out: &Output) -> Outcome {
    let target = load::release(
        global,
        &args.files.config_files,
        args.release.release_name.as_deref(),
    )?;
    if !args.yes {
        let question = format!(
            "Tear down release {} in namespace {}{}?",
            target.release,
            target.namespace,
            if args.delete_volumes {
                ", its volumes included"
            } else {
                ""
            }
        );
        if !out.can_ask() {
            return Err(Failure::new(Exit::Usage, "teardown needs a confirmation")
                .with_hint("pass --yes to tear down without asking"));
        }
        if !out.ask(&question) {
            return Err(Failure::new(Exit::Failed, "teardown cancelled"));
        }
    }
    let client = global.cluster().client().await?;
    let op = ops::TeardownOptions {
        target: target.clone(),
        hooks: !args.no_hooks,
        delete: DeleteOptions {
            keep_volumes: !args.delete_volumes,
            timeout: args.timeout,
        },
    };
    let reporter = reporter(out);
    let count = interruptible(&client, &target, ops::teardown(&client, &op, &reporter)).await??;
    requests(out);
    out.success(format!(
        "release {} torn down: {count} object(s) deleted{}",
        target.release,
        if args.delete_volumes {
            ""
        } else {
            " (volume claims kept; --delete-volumes removes them)"
        }
    ));
    Ok(())
}
