//! What the commands that change a release do around core's operation: the
//! wait options their flags give, Ctrl-C while it runs, and how many API
//! requests it took (said with `-v`).

use kube::Client;
use polyaxon_core::apply::DEFAULT_CONCURRENCY;
use polyaxon_core::cluster::{api_requests, api_writes};
use polyaxon_core::ops::{self, OpError, WaitOptions};
use polyaxon_core::release::ReleaseRef;

use crate::args::WaitArgs;
use crate::exit::{Exit, Failure};
use crate::output::Output;

/// The wait options `--no-wait`, `--timeout` and `--apply-concurrency` give.
pub fn wait_options(wait: &WaitArgs) -> WaitOptions {
    WaitOptions {
        wait: !wait.no_wait,
        timeout: wait.timeout,
        concurrency: wait.apply_concurrency.unwrap_or(DEFAULT_CONCURRENCY),
    }
}

/// Runs `operation` to its own result; on Ctrl-C, marks the release's
/// pending revision failed and gives its lock back, and fails with exit 130.
pub async fn interruptible<T>(
    client: &Client,
    target: &ReleaseRef,
    operation: impl Future<Output = Result<T, OpError>>,
) -> Result<Result<T, OpError>, Failure> {
    tokio::select! {
        result = operation => Ok(result),
        _ = tokio::signal::ctrl_c() => {
            let _ = ops::interrupted(client, target).await;
            Err(Failure::interrupted().with_hint(format!(
                "release {} was marked failed; run the command again, or `polyaxon status -r {}`",
                target.release, target.release
            )))
        }
    }
}

/// Says, with `-v`, how many API requests the command sent.
pub fn requests(out: &Output) {
    out.detail(
        1,
        format!("{} API requests ({} writes)", api_requests(), api_writes()),
    );
}

/// Asks `question` unless `yes`; without a terminal to ask on, refuses with
/// exit 2 ("`what` needs a confirmation") and `hint`; a "no" is exit 1.
pub fn confirm(
    out: &Output,
    yes: bool,
    question: &str,
    what: &str,
    hint: &str,
) -> Result<(), Failure> {
    if yes {
        return Ok(());
    }
    if !out.can_ask() {
        return Err(
            Failure::new(Exit::Usage, format!("{what} needs a confirmation")).with_hint(hint),
        );
    }
    if !out.ask(question) {
        return Err(Failure::new(Exit::Failed, format!("{what} cancelled")));
    }
    Ok(())
}
