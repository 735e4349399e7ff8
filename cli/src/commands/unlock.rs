//! `polyaxon unlock`: remove a release's lock that its holder left behind
//! (it died on another machine; one that died on this machine is taken over
//! by the next operation without asking). Asks first: removing the lock of
//! an operation that still runs lets a second one run beside it.

use polyaxon_core::release::{lock_holder, unlock};

use crate::args::{GlobalArgs, UnlockArgs};
use crate::exit::{Exit, Failure, Outcome};
use crate::load;
use crate::output::Output;

/// Runs `polyaxon unlock`.
pub async fn run(global: &GlobalArgs, args: &UnlockArgs, out: &Output) -> Outcome {
    let target = load::release(global, &[], Some(&args.release.release_name))?;
    let client = global.cluster().client().await?;
    let holder = lock_holder(client.clone(), &target.namespace, &target.release).await?;
    let Some(holder) = holder else {
        out.success(format!(
            "release {} in namespace {} is not locked",
            target.release, target.namespace
        ));
        return Ok(());
    };
    if !args.yes {
        let question = format!(
            "Release {} is locked by {holder}. Remove the lock? Only do so if that operation no longer runs",
            target.release
        );
        if !out.can_ask() {
            return Err(Failure::new(Exit::Usage, "unlock needs a confirmation")
                .with_hint("pass --yes to remove the lock without asking"));
        }
        if !out.ask(&question) {
            return Err(Failure::new(Exit::Failed, "unlock cancelled"));
        }
    }
    let removed = unlock(client, &target.namespace, &target.release).await?;
    match removed {
        Some(holder) => out.success(format!(
            "removed the lock of release {} (held by {holder})",
            target.release
        )),
        None => out.success(format!("release {} was not locked", target.release)),
    }
    Ok(())
}
