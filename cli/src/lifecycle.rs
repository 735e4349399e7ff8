//! `deploy`, `upgrade`, `diff`, `teardown`, `rollback`, `status`, `history`
//! (and their `admin` spellings): load the config, connect, run the operation
//! from `polyaxon_core::ops`, and show its events as progress lines.

use std::collections::BTreeMap;
use std::io::{BufRead, IsTerminal};
use std::sync::{Arc, Mutex};

use kube::Client;
use polyaxon_core::apply::{
    Action, DEFAULT_CONCURRENCY, DeleteOptions, Plan, WorkloadState, workload_states,
};
use polyaxon_core::cluster::{api_requests, api_writes};
use polyaxon_core::config::Deployment;
use polyaxon_core::event::{Event, Reporter};
use polyaxon_core::ops::{self, OpError, Source, Target, UpgradeOutcome, WaitOptions};
use polyaxon_core::release::ReleaseRecord;
use polyaxon_core::render::{self, ReleaseState};
use serde::Serialize;

use crate::args::{
    DeployArgs, Format, GlobalArgs, ReleaseQueryArgs, RollbackArgs, TeardownArgs, UpgradeArgs,
    WaitArgs,
};
use crate::exit::{Exit, Failure};
use crate::load::{self, load};
use crate::output::{Output, Paint, ProgressLine, Stream};

/// A client for the cluster the global flags name.
pub async fn connect(global: &GlobalArgs) -> Result<Client, Failure> {
    Ok(global.cluster().client().await?)
}

fn wait_options(wait: &WaitArgs) -> WaitOptions {
    WaitOptions {
        wait: !wait.no_wait,
        timeout: wait.timeout,
        concurrency: wait.apply_concurrency.unwrap_or(DEFAULT_CONCURRENCY),
    }
}

fn target_of(deployment: &Deployment) -> Target {
    Target {
        release: deployment.release_name.clone(),
        namespace: deployment.namespace.clone(),
    }
}

/// Shows events: a progress line per workload and hook, stage summaries,
/// object-level lines with `-v`.
fn reporter(out: &Output) -> Reporter {
    let out = out.clone();
    let lines: Mutex<BTreeMap<String, ProgressLine>> = Mutex::new(BTreeMap::new());
    Arc::new(move |event| {
        let Ok(mut lines) = lines.lock() else { return };
        match event {
            Event::Plan(plan) => out.info(plan_text(&plan, &out).trim_end()),
            Event::Stage { stage, count } => {
                out.info(format!("applying {}: {count} object(s)", stage.as_str()))
            }
            Event::Created(id) => out.detail(1, format!("created {id}")),
            Event::Changed(id) => out.detail(1, format!("changed {id}")),
            Event::Deleted(id) => out.detail(1, format!("deleted {id}")),
            Event::Skipped { id, reason } => out.warn(format!("left {id} alone: {reason}")),
            Event::Progress { id, ready, desired } => lines
                .entry(id.clone())
                .or_insert_with(|| out.progress(id))
                .set_state(format!("{ready}/{desired} ready")),
            Event::Ready(id) => {
                let line = lines.remove(&id).unwrap_or_else(|| out.progress(id));
                line.done("ready");
            }
            Event::HookStarted { hook, id } => {
                let mut line = out.progress(format!("{hook} hook {id}"));
                line.set_state("running");
                lines.insert(format!("hook {id}"), line);
            }
            Event::HookFinished {
                hook,
                id,
                succeeded,
            } => {
                let line = lines
                    .remove(&format!("hook {id}"))
                    .unwrap_or_else(|| out.progress(format!("{hook} hook {id}")));
                if succeeded {
                    line.done("succeeded (deleted)");
                } else {
                    line.failed("failed (deleted)");
                }
            }
            Event::HooksSkipped(hook) => {
                out.info(format!("skipping the {hook} hooks (--no-hooks)"))
            }
            Event::RollingBack { revision } => out.info(format!(
                "upgrade failed; rolling back to revision {revision} (--atomic)"
            )),
        }
    })
}

/// Runs `operation` to its own result; on Ctrl-C, marks the release's
/// pending revision failed and gives its lock back, and fails with exit 130.
async fn interruptible<T>(
    client: &Client,
    target: &Target,
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

fn requests(out: &Output) {
    out.detail(
        1,
        format!("{} API requests ({} writes)", api_requests(), api_writes()),
    );
}

/// `polyaxon deploy` (without --check / --dry-run).
pub async fn deploy(global: &GlobalArgs, args: &DeployArgs, out: &Output) -> Result<(), Failure> {
    let deployment = load(global, &args.config)?;
    if args.config.manager_path.is_some() {
        out.warn(
            "--manager-path is ignored: this tool applies the objects itself and needs no helm",
        );
    }
    let client = connect(global).await?;
    let target = target_of(&deployment);
    let render = |state: &ReleaseState| render::render(&deployment, state);
    let source = Source::of(&deployment, &render);
    out.info(format!(
        "deploying {} {} as release {} in namespace {}",
        source.chart, source.version, target.release, target.namespace
    ));
    let op = ops::Deploy {
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

/// `polyaxon upgrade`, and `polyaxon diff` (`plan_only`).
pub async fn upgrade(
    global: &GlobalArgs,
    args: &UpgradeArgs,
    plan_only: bool,
    out: &Output,
) -> Result<(), Failure> {
    let deployment = load(global, &args.config)?;
    let client = connect(global).await?;
    let target = target_of(&deployment);
    let render = |state: &ReleaseState| render::render(&deployment, state);
    let source = Source::of(&deployment, &render);
    let mut op = ops::Upgrade {
        target: target.clone(),
        wait: wait_options(&args.wait),
        allow_downgrade: args.allow_downgrade || plan_only,
        confirmed: args.yes || plan_only,
        dry_run: args.dry_run || plan_only,
        atomic: args.atomic,
    };
    let reporter = reporter(out);
    let first = interruptible(
        &client,
        &target,
        ops::upgrade(&client, &op, &source, &reporter),
    )
    .await?;
    let outcome = match first {
        Err(question @ OpError::NeedsConfirmation { .. }) if ask(&question.to_string()) => {
            op.confirmed = true;
            interruptible(
                &client,
                &target,
                ops::upgrade(&client, &op, &source, &reporter),
            )
            .await??
        }
        other => other?,
    };
    requests(out);
    match outcome {
        UpgradeOutcome::Planned { from, plan } => {
            out.result(format!(
                "release {} revision {} ({} {}) → {} {}\n{}",
                from.name,
                from.revision,
                from.chart,
                from.version,
                source.chart,
                source.version,
                plan_text(&plan, out)
            ))?;
        }
        UpgradeOutcome::Unchanged { record } => out.success(format!(
            "release {} is up to date: nothing changed, it stays at revision {}",
            record.name, record.revision
        )),
        UpgradeOutcome::Upgraded { record, .. } => out.success(format!(
            "release {} upgraded: revision {}, {} {}",
            record.name, record.revision, record.chart, record.version
        )),
    }
    Ok(())
}

/// Asks yes/no on a terminal; false when there is no terminal to ask on.
fn ask(question: &str) -> bool {
    if !std::io::stdin().is_terminal() {
        return false;
    }
    eprint!("{question}\nProceed? [y/N] ");
    let mut answer = String::new();
    let _ = std::io::stdin().lock().read_line(&mut answer);
    matches!(answer.trim(), "y" | "Y" | "yes")
}

/// The plan as a person reads it.
fn plan_text(plan: &Plan, out: &Output) -> String {
    let mut text = String::new();
    for item in &plan.items {
        let line = match &item.action {
            Action::Create => out.paint(
                Stream::Stdout,
                Paint::Green,
                format!("+ create {}", item.object),
            ),
            Action::Change(paths) => out.paint(
                Stream::Stdout,
                Paint::Yellow,
                format!("~ change {}: {}", item.object, paths.join(", ")),
            ),
            Action::Delete => out.paint(
                Stream::Stdout,
                Paint::Red,
                format!("- delete {}", item.object),
            ),
            Action::Unchanged => continue,
        };
        text.push_str(&line);
        text.push('\n');
    }
    let (create, change, unchanged, delete) = plan.counts();
    text.push_str(&format!(
        "plan: {create} to create, {change} to change, {delete} to delete, {unchanged} unchanged\n"
    ));
    text
}

/// `polyaxon teardown`.
pub async fn teardown(
    global: &GlobalArgs,
    args: &TeardownArgs,
    out: &Output,
) -> Result<(), Failure> {
    let target = load::release(global, &args.config_files, args.release_name.as_deref())?;
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
        if !std::io::stdin().is_terminal() {
            return Err(Failure::new(Exit::Usage, "teardown needs a confirmation")
                .with_hint("pass --yes to tear down without asking"));
        }
        if !ask(&question) {
            return Err(Failure::new(Exit::Failed, "teardown cancelled"));
        }
    }
    let client = connect(global).await?;
    let op = ops::Teardown {
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

/// `polyaxon rollback`.
pub async fn rollback(
    global: &GlobalArgs,
    args: &RollbackArgs,
    out: &Output,
) -> Result<(), Failure> {
    let target = load::release(global, &[], Some(&args.release_name))?;
    let client = connect(global).await?;
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

/// What `status` and `history` show of a record: never its generated
/// secrets, nor the config (it may hold passwords).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RevisionView {
    release: String,
    namespace: String,
    revision: u32,
    status: String,
    chart: String,
    version: String,
    description: String,
    created: String,
    updated: String,
    tool_version: String,
    objects: Vec<String>,
}

impl RevisionView {
    fn of(record: &ReleaseRecord) -> Self {
        RevisionView {
            release: record.name.clone(),
            namespace: record.namespace.clone(),
            revision: record.revision,
            status: record.status.to_string(),
            chart: record.chart.clone(),
            version: record.version.clone(),
            description: record.description.clone(),
            created: record.created.clone(),
            updated: record.updated.clone(),
            tool_version: record.tool_version.clone(),
            objects: record.inventory.iter().map(|o| o.id()).collect(),
        }
    }
}

fn render_views<T: Serialize>(views: &T, format: Format) -> Result<String, Failure> {
    Ok(match format {
        Format::Json => serde_json::to_string_pretty(views)? + "\n",
        _ => serde_yaml::to_string(views)?,
    })
}

/// What `status` shows: the current revision and its workloads now.
#[derive(Serialize)]
struct StatusView {
    #[serde(flatten)]
    revision: RevisionView,
    workloads: Vec<WorkloadState>,
}

/// `polyaxon status`.
pub async fn status(
    global: &GlobalArgs,
    args: &ReleaseQueryArgs,
    out: &Output,
) -> Result<(), Failure> {
    let target = load::release(global, &[], Some(&args.release_name))?;
    let client = connect(global).await?;
    let record = ops::status(&client, &target).await?;
    let workloads = workload_states(&client, &record.inventory).await?;
    let view = StatusView {
        revision: RevisionView::of(&record),
        workloads,
    };
    let text = match args.output {
        Format::Text => {
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
            if !view.workloads.is_empty() {
                text.push_str("workloads:\n");
            }
            for w in &view.workloads {
                let state = if w.done { "ready" } else { "not ready" };
                text.push_str(&format!(
                    "  {:<50} {}/{} {state}\n",
                    w.workload, w.ready, w.desired
                ));
            }
            text
        }
        format => render_views(&view, format)?,
    };
    out.result(text)?;
    Ok(())
}

/// `polyaxon history`.
pub async fn history(
    global: &GlobalArgs,
    args: &ReleaseQueryArgs,
    out: &Output,
) -> Result<(), Failure> {
    let target = load::release(global, &[], Some(&args.release_name))?;
    let client = connect(global).await?;
    let records = ops::history(&client, &target).await?;
    let views: Vec<RevisionView> = records.iter().map(RevisionView::of).collect();
    let text = match args.output {
        Format::Text => {
            let mut text = format!(
                "{:<9} {:<26} {:<11} {:<9} {:<10} {}\n",
                "REVISION", "UPDATED", "STATUS", "CHART", "VERSION", "DESCRIPTION"
            );
            for v in &views {
                text.push_str(&format!(
                    "{:<9} {:<26} {:<11} {:<9} {:<10} {}\n",
                    v.revision, v.updated, v.status, v.chart, v.version, v.description
                ));
            }
            text
        }
        format => render_views(&views, format)?,
    };
    out.result(text)?;
    Ok(())
}
