//! `polyaxon diff`: what an upgrade to the config would create, change and
//! delete, whatever the versions; nothing is applied.

use polyaxon_core::ops::{self, Deployable};
use polyaxon_core::release::ReleaseRef;
use polyaxon_core::render::{self, ReleaseState};

use crate::args::{DiffArgs, GlobalArgs};
use crate::exit::Outcome;
use crate::load;
use crate::operation::requests;
use crate::output::Output;
use crate::show::{diff_text, reporter};

/// Runs `polyaxon diff`.
pub async fn run(global: &GlobalArgs, args: &DiffArgs, out: &Output) -> Outcome {
    let deployment = load::load(global, &args.config)?;
    let client = global.cluster().client().await?;
    let render = |state: &ReleaseState| render::render(&deployment, state);
    let source = Deployable::of(&deployment, &render);
    let diff = ops::diff(
        &client,
        &ReleaseRef::of(&deployment),
        &source,
        &reporter(out),
    )
    .await?;
    requests(out);
    out.result(diff_text(&diff, &source, out))?;
    Ok(())
}
