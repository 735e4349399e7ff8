//! `polyaxon teardown` (and `polyaxon admin teardown`): confirm (saying what
//! runs left behind), then delete everything the release owns, and say what
//! was kept and why.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use polyaxon_core::apply::{DeleteOptions, Released};
use polyaxon_core::ops::{self, TeardownSummary};
use polyaxon_core::release::ReleaseRef;

use crate::args::{GlobalArgs, TeardownArgs};
use crate::exit::{Exit, Failure, Outcome};
use crate::load;
use crate::operation::{interruptible, requests};
use crate::output::Output;
use crate::show::reporter;

/// `2 Pod, 1 Service`.
fn by_kind(counts: &BTreeMap<String, usize>) -> String {
    counts
        .iter()
        .map(|(kind, n)| format!("{n} {kind}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Runs `polyaxon teardown`.
pub async fn run(global: &GlobalArgs, args: &TeardownArgs, out: &Output) -> Outcome {
    let target = load::release(
        global,
        &args.files.config_files,
        args.release.release_name.as_deref(),
    )?;
    let client = global.cluster().client().await?;
    if !args.yes {
        if !out.can_ask() {
            return Err(Failure::new(Exit::Usage, "teardown needs a confirmation")
                .with_hint("pass --yes to tear down without asking"));
        }
        let preview = ops::teardown_preview(&client, &target).await?;
        let mut question = format!(
            "Tear down release {} in namespace {}{}?",
            target.release,
            target.namespace,
            if args.delete_volumes {
                ", its volumes and their credentials included"
            } else {
                ""
            }
        );
        if !preview.run_leftovers.is_empty() {
            let _ = write!(
                question,
                "\nRuns left behind in {}: {} ({}).",
                preview.namespaces.join(", "),
                by_kind(&preview.run_leftovers),
                if args.delete_runs {
                    "deleted too: --delete-runs"
                } else {
                    "kept; --delete-runs deletes them"
                }
            );
        }
        if !out.ask(&question) {
            return Err(Failure::new(Exit::Failed, "teardown cancelled"));
        }
    }
    let op = ops::TeardownOptions {
        target: target.clone(),
        hooks: !args.no_hooks,
        delete: DeleteOptions {
            keep_volumes: !args.delete_volumes,
            timeout: args.timeout,
        },
        delete_runs: args.delete_runs,
    };
    let reporter = reporter(out);
    let summary = interruptible(&client, &target, ops::teardown(&client, &op, &reporter)).await??;
    requests(out);
    say_kept(out, &target, &summary, args.delete_volumes);
    out.success(format!(
        "release {} torn down: {} object(s) deleted{}",
        target.release,
        summary.objects,
        if args.delete_volumes {
            " (volume claims and their generated credentials included)"
        } else {
            " (volume claims kept; --delete-volumes removes them)"
        }
    ));
    Ok(())
}

/// What the teardown kept, and how to remove it.
fn say_kept(out: &Output, target: &ReleaseRef, summary: &TeardownSummary, delete_volumes: bool) {
    for released in &summary.shared {
        if let Released::Kept { id, holder } = released {
            out.info(format!("kept {id}: {holder}"));
        }
    }
    if !delete_volumes && !summary.credentials_kept.is_empty() {
        out.info(format!(
            "kept the generated credentials of the kept volumes ({}); the next deploy of this release here reuses them",
            summary.credentials_kept.join(", ")
        ));
    }
    if !summary.run_leftovers.is_empty() {
        if summary.run_leftovers_deleted {
            out.info(format!(
                "deleted what runs left behind: {}",
                by_kind(&summary.run_leftovers)
            ));
        } else {
            out.warn(format!(
                "kept what runs left behind: {} ({} object(s))",
                by_kind(&summary.run_leftovers),
                summary.run_leftovers.values().sum::<usize>()
            ));
            out.hint(format!(
                "polyaxon teardown -r {} -n {} --delete-runs --yes removes them",
                target.release, target.namespace
            ));
        }
    }
}
