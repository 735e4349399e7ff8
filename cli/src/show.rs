//! How a running operation and its plan look to a person: a progress line
//! per workload and hook, stage summaries, object-level lines with `-v`, and
//! the plan's create/change/delete lines.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use polyaxon_core::apply::{Action, Plan};
use polyaxon_core::event::{Event, Reporter};
use polyaxon_core::ops::{Deployable, Diff};

use crate::output::{Output, Paint, ProgressLine, Stream};

/// Shows an operation's events as they come.
pub fn reporter(out: &Output) -> Reporter {
    let out = out.clone();
    let lines: Mutex<BTreeMap<String, ProgressLine>> = Mutex::new(BTreeMap::new());
    Arc::new(move |event| {
        let Ok(mut lines) = lines.lock() else { return };
        match event {
            Event::Plan(plan) => out.info(plan_text(&plan, &out).trim_end()),
            Event::MajorUpgrade(upgrade) => out.warn(format!(
                "upgrading to a new major version:\n{}",
                upgrade.to_string().trim_end()
            )),
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
            Event::GeneratedValuesKept(places) => out.info(format!(
                "keeping {} generated value(s) the namespace already holds ({}), so kept volumes still accept them",
                places.len(),
                places.join(", ")
            )),
            Event::Waiting { what, seconds } => {
                out.info(format!("waiting up to {seconds}s for {what}"))
            }
            Event::FinalizersRemoved { id, finalizers } => out.warn(format!(
                "removed finalizer(s) {} from {id}: its operator did not finalize it in time",
                finalizers.join(", ")
            )),
            Event::RollingBack { revision } => out.info(format!(
                "upgrade failed; rolling back to revision {revision} (--atomic)"
            )),
            Event::RecordUnreadable { secret, reason } => out.warn(format!(
                "skipping the release record Secret {secret}, which cannot be read ({reason}); using the newest readable one"
            )),
            Event::Interrupted { revision, detail } => {
                out.warn(format!("revision {revision} was interrupted ({detail})"))
            }
        }
    })
}

/// The plan as a person reads it.
pub fn plan_text(plan: &Plan, out: &Output) -> String {
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
    // Writing to a String cannot fail.
    let _ = writeln!(
        text,
        "plan: {create} to create, {change} to change, {delete} to delete, {unchanged} unchanged"
    );
    text
}

/// An upgrade's plan with what it starts from and goes to.
pub fn diff_text(diff: &Diff, source: &Deployable<'_>, out: &Output) -> String {
    let from = &diff.from;
    format!(
        "release {} revision {} ({} {}) → {} {}\n{}",
        from.name,
        from.revision,
        from.chart,
        from.version,
        source.chart,
        source.version,
        plan_text(&diff.plan, out)
    )
}
