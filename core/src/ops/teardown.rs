//! `polyaxon teardown`, in an order that cannot hang: the pre-delete hooks
//! (unless told not to); the run objects of Polyaxon's CRDs in the release's
//! namespaces, deleted while the operator still runs to finalize them, our
//! finalizers removed from those it did not finalize in time; then the
//! inventory in reverse stage order (workloads before the rest); whatever
//! still carries the release's labels; the cluster-scoped objects nobody
//! else uses; the release records. Every wait is bounded by the one
//! timeout. Volume claims, and the generated credentials that open their
//! data (when the release has claims), are kept unless asked; so are the leftovers of runs, unless asked;
//! objects not owned by the release are never touched.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use k8s_openapi::api::core::v1::PersistentVolumeClaim;
use kube::api::{Api, ListParams};
use kube::{Client, ResourceExt};
use tokio::time::Instant;

use super::decide::teardown_inventory;
use super::query::refuse_if_running;
use super::{OpError, with_lock};
use crate::apply::{
    DeleteOptions, FinalizersRemoved, Released, count_by_kind, delete_found,
    delete_release_objects, delete_run_objects, run_hooks, run_leftovers, sweep_leftovers,
};
use crate::event::{Event, Reporter};
use crate::release::{
    ClusterStore, ObjectRef, ReleaseRef, ReleaseStore, credential_secrets, restore_manifest,
};
use crate::render::{Hook, Manifest, release_selector};

/// What [`crate::apply::RUNS_SELECTOR`] finds, in progress lines.
pub(super) const RUN_LEFTOVERS: &str = "run leftover(s)";

/// The longest the operator gets to finalize the run objects.
pub(super) const RUNS_WAIT: Duration = Duration::from_secs(60);

/// Options of a teardown.
#[derive(Debug, Clone)]
pub struct TeardownOptions {
    /// Which release, where.
    pub target: ReleaseRef,
    /// Run the pre-delete hooks first.
    pub hooks: bool,
    /// What to delete and how long to wait (for all of the teardown).
    pub delete: DeleteOptions,
    /// Delete what runs left behind ([`crate::apply::RUNS_SELECTOR`]).
    pub delete_runs: bool,
}

/// What a teardown did.
#[derive(Debug, Clone, Default)]
pub struct TeardownSummary {
    /// How many objects the inventory listed.
    pub objects: usize,
    /// What happened to the cluster-scoped objects the release used.
    pub shared: Vec<Released>,
    /// Finalizers removed from run objects the operator did not finalize.
    pub finalizers_removed: Vec<FinalizersRemoved>,
    /// What runs left behind, by kind: deleted when `run_leftovers_deleted`,
    /// else kept.
    pub run_leftovers: BTreeMap<String, usize>,
    /// Whether the run leftovers were deleted.
    pub run_leftovers_deleted: bool,
    /// The Secrets with generated credentials kept with the kept claims
    /// (`Secret/<name>`).
    pub credentials_kept: Vec<String>,
}

/// What a teardown would find before it starts, for the confirmation.
#[derive(Debug, Clone, Default)]
pub struct TeardownPreview {
    /// The namespaces the release uses (its own first).
    pub namespaces: Vec<String>,
    /// What runs left behind in them, by kind.
    pub run_leftovers: BTreeMap<String, usize>,
}

/// The release's namespaces: its own, then those its objects are in
/// (`agent.additionalNamespaces`).
fn namespaces(target: &ReleaseRef, manifest: &Manifest) -> Vec<String> {
    let others: BTreeSet<String> = manifest
        .objects
        .iter()
        .filter_map(|o| o.namespace().map(str::to_string))
        .filter(|ns| *ns != target.namespace)
        .collect();
    std::iter::once(target.namespace.clone())
        .chain(others)
        .collect()
}

/// Whether the release has volume claims (its own, or its StatefulSets'):
/// the data its generated credentials open.
async fn has_claims(
    client: &Client,
    target: &ReleaseRef,
    inventory: &[ObjectRef],
) -> Result<bool, OpError> {
    if inventory.iter().any(|o| o.kind == "PersistentVolumeClaim") {
        return Ok(true);
    }
    let claims: Api<PersistentVolumeClaim> = Api::namespaced(client.clone(), &target.namespace);
    let params = ListParams::default()
        .labels(&release_selector(&target.release))
        .limit(1);
    let found = claims
        .list(&params)
        .await
        .map_err(|source| claims_error(target, source))?;
    Ok(!found.items.is_empty())
}

/// The claims the release's StatefulSets made from their
/// volumeClaimTemplates (`<template>-<statefulset>-<ordinal>`): they carry
/// the chart's labels, not the release's, so only their names find them.
async fn statefulset_claims(
    client: &Client,
    target: &ReleaseRef,
    manifest: &Manifest,
) -> Result<Vec<ObjectRef>, OpError> {
    let prefixes: Vec<String> = manifest
        .resources()
        .filter(|o| o.kind() == "StatefulSet" && o.namespace() == Some(&target.namespace))
        .flat_map(|set| {
            let templates = set.object.data["spec"]["volumeClaimTemplates"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            templates
                .into_iter()
                .filter_map(|t| t["metadata"]["name"].as_str().map(str::to_string))
                .map(|t| format!("{t}-{}-", set.name()))
                .collect::<Vec<_>>()
        })
        .collect();
    if prefixes.is_empty() {
        return Ok(Vec::new());
    }
    let claims: Api<PersistentVolumeClaim> = Api::namespaced(client.clone(), &target.namespace);
    let found = claims
        .list(&ListParams::default())
        .await
        .map_err(|source| claims_error(target, source))?;
    let ordinal = |rest: &str| !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit());
    Ok(found
        .items
        .iter()
        .map(|c| c.name_any())
        .filter(|name| {
            prefixes
                .iter()
                .any(|p| name.strip_prefix(p.as_str()).is_some_and(ordinal))
        })
        .map(|name| ObjectRef::claim(&target.namespace, name))
        .collect())
}

fn claims_error(target: &ReleaseRef, source: kube::Error) -> OpError {
    OpError::Api {
        action: format!(
            "list the volume claims of release {} in namespace {}",
            target.release, target.namespace
        ),
        source: Box::new(source),
    }
}

/// Reads what a teardown of `target` would find: its namespaces and what
/// runs left in them. Reads only. Refuses, naming it, while an operation
/// runs on the release (there is nothing to confirm then).
pub async fn teardown_preview(
    client: &Client,
    target: &ReleaseRef,
) -> Result<TeardownPreview, OpError> {
    refuse_if_running(client, target).await?;
    let store = ClusterStore::new(client.clone(), &target.namespace, &target.release);
    let history = store.history().await?;
    let manifest = history
        .last()
        .map(|r| restore_manifest(&r.manifest))
        .unwrap_or_default();
    let namespaces = namespaces(target, &manifest);
    let leftovers = run_leftovers(client, &namespaces).await?;
    Ok(TeardownPreview {
        namespaces,
        run_leftovers: count_by_kind(&leftovers),
    })
}

/// After a teardown that kept them: deletes what runs left in the
/// release's namespace.
async fn delete_leftovers_only(
    client: &Client,
    target: &ReleaseRef,
    timeout: Duration,
    reporter: &Reporter,
) -> Result<TeardownSummary, OpError> {
    let leftovers = run_leftovers(client, std::slice::from_ref(&target.namespace)).await?;
    if leftovers.is_empty() {
        return Err(OpError::not_found(target));
    }
    delete_found(client, &leftovers, RUN_LEFTOVERS, timeout, reporter).await?;
    Ok(TeardownSummary {
        run_leftovers: count_by_kind(&leftovers),
        run_leftovers_deleted: true,
        ..TeardownSummary::default()
    })
}

/// Tears the release down. With `delete_runs`, a release already torn down
/// has what its runs left deleted.
pub async fn teardown(
    client: &Client,
    op: &TeardownOptions,
    reporter: &Reporter,
) -> Result<TeardownSummary, OpError> {
    // Boxed: see "Boxed operations" in the module documentation.
    Box::pin(teardown_unboxed(client, op, reporter)).await
}

/// The body of [`teardown`].
async fn teardown_unboxed(
    client: &Client,
    op: &TeardownOptions,
    reporter: &Reporter,
) -> Result<TeardownSummary, OpError> {
    let target = &op.target;
    // Named before anything is read or deleted: the operation running now
    // (the first deploy of the release included, which has no record yet).
    refuse_if_running(client, target).await?;
    let deadline = Instant::now() + op.delete.timeout;
    let left = || deadline.saturating_duration_since(Instant::now());
    let store =
        ClusterStore::new(client.clone(), &target.namespace, &target.release).reporting(reporter);
    let history = store.history().await?;
    // With no readable record but damaged ones, what the release owns is
    // still found by its labels: no hooks (their manifest is lost), then
    // the sweep. With no record of ours at all: a release helm installed;
    // else, after a teardown that kept them, what its runs left, when asked.
    let latest = history.last().cloned();
    if latest.is_none() && !store.exists().await? {
        return match super::helm_teardown::teardown(client, op, reporter).await {
            Ok(summary) => Ok(summary),
            Err(OpError::NotFound { .. }) if op.delete_runs => {
                delete_leftovers_only(client, target, op.delete.timeout, reporter).await
            }
            Err(e) => Err(e),
        };
    }
    let manifest = latest
        .as_ref()
        .map(|l| restore_manifest(&l.manifest))
        .unwrap_or_default();
    let namespaces = namespaces(target, &manifest);
    let work = async {
        let mut summary = TeardownSummary::default();
        if !op.hooks {
            reporter(Event::HooksSkipped(Hook::PreDelete));
        } else if latest.is_some() {
            run_hooks(
                client,
                &manifest,
                Hook::PreDelete,
                &target.release,
                left(),
                reporter,
            )
            .await?;
        }
        // While the operator still runs: it finalizes what it can.
        let runs_wait = (left() / 4).min(RUNS_WAIT);
        summary.finalizers_removed =
            delete_run_objects(client, &namespaces, runs_wait, reporter).await?;
        let history_inventory = teardown_inventory(&history);
        let set_claims = statefulset_claims(client, target, &manifest).await?;
        let kept = if op.delete.keep_volumes
            && (!set_claims.is_empty() || has_claims(client, target, &history_inventory).await?)
        {
            latest
                .as_ref()
                .map(|l| credential_secrets(&manifest, &l.state))
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        summary.credentials_kept = kept.iter().map(|o| o.id()).collect();
        let inventory: Vec<_> = history_inventory
            .into_iter()
            .filter(|o| {
                !kept
                    .iter()
                    .any(|k| k.kind == o.kind && k.namespace == o.namespace && k.name == o.name)
            })
            .collect();
        summary.objects = inventory.len();
        let options = DeleteOptions {
            timeout: left(),
            ..op.delete.clone()
        };
        // The namespaced objects first (workloads before the rest), the
        // cluster-scoped ones nobody else uses last.
        let (namespaced, cluster): (Vec<_>, Vec<_>) =
            inventory.into_iter().partition(|o| o.namespace.is_some());
        delete_release_objects(client, &namespaced, target, &options, reporter).await?;
        let options = DeleteOptions {
            timeout: left(),
            ..op.delete.clone()
        };
        sweep_leftovers(
            client,
            &target.namespace,
            &target.release,
            &options,
            &kept,
            reporter,
        )
        .await?;
        summary.shared =
            delete_release_objects(client, &cluster, target, &options, reporter).await?;
        if !op.delete.keep_volumes {
            let claims = "volume claim(s) of StatefulSets";
            delete_found(client, &set_claims, claims, left(), reporter).await?;
        }
        let leftovers = run_leftovers(client, &namespaces).await?;
        summary.run_leftovers = count_by_kind(&leftovers);
        if op.delete_runs {
            delete_found(client, &leftovers, RUN_LEFTOVERS, left(), reporter).await?;
            summary.run_leftovers_deleted = true;
        }
        store.delete_all().await?;
        Ok(summary)
    };
    with_lock(client, target, "teardown", reporter, work).await
}
