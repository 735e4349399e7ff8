//! `polyaxon history`: every revision of the release, from its records.

use polyaxon_core::ops;

use crate::args::{GlobalArgs, ReleaseQueryArgs};
use crate::exit::Outcome;
use crate::load;
use crate::output::Output;
use crate::revision::RevisionView;
use crate::show::reporter;

/// Runs `polyaxon history`.
pub async fn run(global: &GlobalArgs, args: &ReleaseQueryArgs, out: &Output) -> Outcome {
    let target = load::release(global, &[], Some(&args.release.release_name))?;
    let client = global.cluster().client().await?;
    let records = ops::history(&client, &target, &reporter(out)).await?;
    let views: Vec<RevisionView> = records.iter().map(RevisionView::of).collect();
    out.result_as(&views, args.output.into(), |views| table(views))
}

/// The revisions as an aligned table, for people: a failed revision's
/// description is the first line of why it failed, a pending one's who runs
/// it or that it was interrupted.
fn table(views: &[RevisionView]) -> String {
    let rows: Vec<Vec<String>> = views
        .iter()
        .map(|v| {
            vec![
                v.revision.to_string(),
                v.updated.clone(),
                v.status.clone(),
                v.chart.clone(),
                v.version.clone(),
                v.description.clone(),
            ]
        })
        .collect();
    crate::table::table(
        &[
            "REVISION",
            "UPDATED",
            "STATUS",
            "CHART",
            "VERSION",
            "DESCRIPTION",
        ],
        &rows,
    )
}
