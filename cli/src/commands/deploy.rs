//! `polyaxon deploy` (and `polyaxon admin deploy`), without `--check` or
//! `--dry-run`: load the config, connect, deploy a new release.

use polyaxon_core::ops::{self, Deployable};
use polyaxon_core::release::ReleaseRef;
use polyaxon_core::render::{self, ReleaseState};

use crate::args::{DeployArgs, GlobalArgs};
use crate::exit::Outcome;
use crate::load;
use crate::operation::{confirm, interruptible, requests, wait_options};
use crate::output::Output;
use crate::show::reporter;

/// Runs `polyaxon deploy`.
pub async fn run(global: &GlobalArgs, args: &DeployArgs, out: &Output) -> Outcome {
    let deployment = load::load(global, &args.config)?;
    if args.config.manager.manager_path.is_some() {
        out.warn(
            "--manager-path is ignored: this tool applies the objects itself and needs no helm",
        );
    }
    if args.config.files.config_files.is_empty() {
        // Every default is a whole platform: not something to get by a
        // forgotten `-f`.
        let question = format!(
            "No -f config given: deploy a {} {} with every default, as release {} in namespace {}?",
            deployment.chart,
            deployment.version.version,
            deployment.release_name,
            deployment.namespace
        );
        confirm(
            out,
            args.yes,
            &question,
            "deploy without -f",
            "pass -f config.yml (examples/ has one per chart), or --yes to deploy the defaults",
        )?;
    }
    let client = global.cluster().client().await?;
    let target = ReleaseRef::of(&deployment);
    let render = |state: &ReleaseState| render::render(&deployment, state);
    let source = Deployable::of(&deployment, &render);
    out.info(format!(
        "deploying {} {} as release {} in namespace {}",
        source.chart, source.version, target.release, target.namespace
    ));
    let op = ops::DeployOptions {
        target: target.clone(),
        wait: wait_options(&args.wait),
    };
    let reporter = reporter(out);
    let record = interruptible(
        &client,
        &target,
        ops::deploy(&client, &op, &source, &reporter),
    )
    .await??;
    requests(out);
    out.success(format!(
        "release {} deployed: revision {}, {} {}, namespace {}",
        record.name, record.revision, record.chart, record.version, record.namespace
    ));
    Ok(())
}
