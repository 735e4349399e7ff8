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
    out.result_as(&views, args.output, |views| table(views))
}

/// The revisions as a table, for people.
fn table(views: &[RevisionView]) -> String {
    let row = |cells: [&str; 6]| {
        let [revision, updated, status, chart, version, description] = cells;
        format!("{revision:<9} {updated:<26} {status:<11} {chart:<9} {version:<10} {description}\n")
    };
    let mut text = row([
        "REVISION",
        "UPDATED",
        "STATUS",
        "CHART",
        "VERSION",
        "DESCRIPTION",
    ]);
    for v in views {
        text.push_str(&row([
            &v.revision.to_string(),
            &v.updated,
            &v.status,
            &v.chart,
            &v.version,
            &v.description,
        ]));
    }
    text
}
