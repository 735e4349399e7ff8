//! `polyaxon teardown` of a release helm installed and this tool never took
//! over: what `helm uninstall` does, without its known failures, in the
//! order of this tool's own teardown ([`super::teardown`]). The chart's
//! pre-delete hooks run from helm's record (unless told not to; a hook Job
//! an earlier run left is replaced, not an error); the run objects in the
//! release's namespaces are deleted while its operator still runs; every
//! object helm's manifests list is taken over and deleted (claims kept
//! unless asked), then whatever still carries the release's labels; the
//! cluster-scoped ones (the CRDs helm installed with the chart) only when no
//! other release uses them, as for a release of this tool
//! ([`crate::apply::delete_release_objects`]); then helm's records. A
//! release helm left pending is torn down too: the command confirmed it
//! first.

use std::collections::BTreeSet;

use kube::Client;
use tokio::time::Instant;

use super::helm_release::{self, HelmFound};
use super::teardown::{RUN_LEFTOVERS, RUNS_WAIT, TeardownOptions, TeardownSummary};
use super::{OpError, with_lock};
use crate::apply::{
    DeleteOptions, count_by_kind, delete_found, delete_release_objects, delete_run_objects,
    run_hooks, run_leftovers, sweep_leftovers,
};
use crate::event::{Event, Reporter};
use crate::helm::manifest::{Resolver, documents};
use crate::helm::ownership::take_over;
use crate::release::{ObjectRef, ReleaseRef};
use crate::render::labels::{INSTANCE, MANAGED_BY, MANAGER};
use crate::render::{Hook, Manifest};

/// The release's namespaces: its own, then those helm's manifests put
/// objects in (`agent.additionalNamespaces`).
fn namespaces(target: &ReleaseRef, objects: &[ObjectRef]) -> Vec<String> {
    let others: BTreeSet<&String> = objects
        .iter()
        .filter_map(|o| o.namespace.as_ref())
        .filter(|ns| **ns != target.namespace)
        .collect();
    std::iter::once(target.namespace.clone())
        .chain(others.into_iter().cloned())
        .collect()
}

/// Tears down the release helm installed as `op.target`.
pub(crate) async fn teardown(
    client: &Client,
    op: &TeardownOptions,
    reporter: &Reporter,
) -> Result<TeardownSummary, OpError> {
    let target = &op.target;
    let Some(found) = helm_release::find(client, target).await? else {
        return Err(OpError::not_found(target));
    };
    let deadline = Instant::now() + op.delete.timeout;
    let left = || deadline.saturating_duration_since(Instant::now());
    let options = || DeleteOptions {
        timeout: left(),
        ..op.delete.clone()
    };
    let (release, namespace) = (&target.release, &target.namespace);
    let work = async {
        let mut summary = TeardownSummary::default();
        let hooks = if op.hooks {
            pre_delete_hooks(client, &found, target).await?
        } else {
            reporter(Event::HooksSkipped(Hook::PreDelete));
            Manifest::default()
        };
        run_hooks(client, &hooks, Hook::PreDelete, release, left(), reporter).await?;
        let mut objects: Vec<ObjectRef> = found
            .inventory(client, true)
            .await?
            .into_iter()
            .filter(|o| !(op.delete.keep_volumes && o.kind == "PersistentVolumeClaim"))
            .collect();
        let namespaces = namespaces(target, &objects);
        // While the operator still runs: it finalizes what it can.
        let runs_wait = (left() / 4).min(RUNS_WAIT);
        summary.finalizers_removed =
            delete_run_objects(client, &namespaces, runs_wait, reporter).await?;
        if !op.delete.keep_volumes {
            objects.extend(helm_release::label_claims(client, target).await?);
        }
        // Labelled as the release's, they are deleted as this tool deletes
        // its own (what is not helm's release is left alone); a shared CRD
        // taken over and kept for another release is then this tool's, and
        // goes with the last release that uses it.
        for object in &objects {
            take(client, object, target).await?;
        }
        summary.objects = objects.len();
        let (namespaced, cluster): (Vec<_>, Vec<_>) =
            objects.into_iter().partition(|o| o.namespace.is_some());
        delete_release_objects(client, &namespaced, target, &options(), reporter).await?;
        sweep_leftovers(client, namespace, release, &options(), &[], reporter).await?;
        summary.shared =
            delete_release_objects(client, &cluster, target, &options(), reporter).await?;
        let leftovers = run_leftovers(client, &namespaces).await?;
        summary.run_leftovers = count_by_kind(&leftovers);
        if op.delete_runs {
            delete_found(client, &leftovers, RUN_LEFTOVERS, left(), reporter).await?;
            summary.run_leftovers_deleted = true;
        }
        found.retire(client, namespace).await?;
        Ok(summary)
    };
    with_lock(client, target, "teardown", reporter, work).await
}

async fn take(client: &Client, object: &ObjectRef, target: &ReleaseRef) -> Result<bool, OpError> {
    take_over(client, object, &target.release, &target.namespace)
        .await
        .map_err(|source| OpError::Api {
            action: format!("take {object} over from helm"),
            source: Box::new(source),
        })
}

/// The chart's pre-delete hooks as helm recorded them, by weight, labelled
/// as the release's; a Job of the same name an earlier run left is taken
/// over so that it is replaced.
async fn pre_delete_hooks(
    client: &Client,
    found: &HelmFound,
    target: &ReleaseRef,
) -> Result<Manifest, OpError> {
    let mut hooks: Vec<_> = found
        .current
        .hooks
        .iter()
        .filter(|h| h.events.iter().any(|e| e == Hook::PreDelete.as_str()))
        .collect();
    hooks.sort_by_key(|h| h.weight);
    let mut resolver = Resolver::default();
    let mut manifest = Manifest::default();
    for hook in hooks {
        let objects = documents(&hook.manifest, found.current.revision).map_err(|e| {
            OpError::from(helm_release::HelmError::Unreadable {
                object: format!("pre-delete hook {}", hook.name),
                reason: e.reason,
            })
        })?;
        for mut object in objects {
            let labels = object.metadata.labels.get_or_insert_default();
            labels.insert(MANAGED_BY.to_string(), MANAGER.to_string());
            labels.insert(INSTANCE.to_string(), target.release.clone());
            let rendered = resolver
                .hook(client, object, &target.namespace, Hook::PreDelete)
                .await
                .map_err(|source| OpError::Api {
                    action: format!("discover the kind of hook {}", hook.name),
                    source: Box::new(source),
                })?;
            if let Some(rendered) = rendered {
                take(client, &ObjectRef::of(&rendered), target).await?;
                manifest.objects.push(rendered);
            }
        }
    }
    Ok(manifest)
}
