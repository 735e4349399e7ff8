//! `polyaxon status`: the release's newest revision, from its records, and
//! the state of its workloads now.

use std::fmt::Write as _;

use polyaxon_core::apply::{WorkloadState, workload_states};
use polyaxon_core::ops;
use serde::Serialize;

use crate::args::{GlobalArgs, ReleaseQueryArgs};
use crate::exit::Outcome;
use crate::load;
use crate::output::Output;
use crate::revision::RevisionView;
use crate::show::reporter;

/// What `status` shows: the current revision and its workloads now.
#[derive(Serialize)]
struct StatusView {
    #[serde(flatten)]
    revision: RevisionView,
    workloads: Vec<WorkloadState>,
}

/// Runs `polyaxon status`.
pub async fn run(global: &GlobalArgs, args: &ReleaseQueryArgs, out: &Output) -> Outcome {
    let target = load::release(global, &[], Some(&args.release.release_name))?;
    let client = global.cluster().client().await?;
    let record = ops::status(&client, &target, &reporter(out)).await?;
    let view = StatusView {
        revision: RevisionView::of(&record),
        workloads: workload_states(&client, &record.inventory).await?,
    };
    out.result_as(&view, args.output, text)
}

/// The status for people.
fn text(view: &StatusView) -> String {
    let v = &view.revision;
    let mut text = format!(
        "release:   {}\nnamespace: {}\nrevision:  {}\nstatus:    {}\nchart:     {} {}\nupdated:   {}\nnote:      {}\nobjects:   {}\n",
        v.release,
        v.namespace,
        v.revision,
        v.status,
        v.chart,
        v.version,
        v.updated,
        v.description,
        v.objects.len()
    );
    if let Some(helm) = &v.helm {
        // Writing to a String cannot fail.
        let _ = writeln!(text, "helm:      {helm}");
    }
    if !view.workloads.is_empty() {
        text.push_str("workloads:\n");
    }
    for w in &view.workloads {
        let state = if w.done { "ready" } else { "not ready" };
        // Writing to a String cannot fail.
        let _ = writeln!(
            text,
            "  {:<50} {}/{} {state}",
            w.workload, w.ready, w.desired
        );
    }
    text
}
