//! `polyaxon deploy`: a new release. Refused if the release is deployed
//! already; otherwise: namespace, lock, render, plan (ownership checked before
//! any write), record `pending`, apply stage by stage, wait, post-install
//! hooks, record `deployed` — or `failed`, with the reason, on any error.

use kube::Client;

use super::decide::deploy_revision;
use super::records::{finish, next_revision};
use super::{Deployable, OpError, WaitOptions, ensure_namespace, preflight, with_lock};
use crate::apply::{apply_registered, check_names, plan, run_hooks, wait_ready};
use crate::event::{Event, Reporter};
use crate::preflight::Checks;
use crate::release::{
    ClusterStore, Redactor, ReleaseRecord, ReleaseRef, ReleaseStore, generated_keys,
    read_generated, store_manifest,
};
use crate::render::{Hook, ReleaseState};

/// Options of a deploy.
#[derive(Debug, Clone)]
pub struct DeployOptions {
    /// Which release, where.
    pub target: ReleaseRef,
    /// Whether and how long to wait.
    pub wait: WaitOptions,
}

/// Deploys `source` as a new release.
pub async fn deploy(
    client: &Client,
    op: &DeployOptions,
    source: &Deployable<'_>,
    reporter: &Reporter,
) -> Result<ReleaseRecord, OpError> {
    // Boxed: see "Boxed operations" in the module documentation.
    Box::pin(deploy_unboxed(client, op, source, reporter)).await
}

/// The body of [`deploy`].
async fn deploy_unboxed(
    client: &Client,
    op: &DeployOptions,
    source: &Deployable<'_>,
    reporter: &Reporter,
) -> Result<ReleaseRecord, OpError> {
    // Cluster-scoped names another release uses differently are refused
    // before anything is written, the namespace included.
    let markers = (source.render)(&ReleaseState::markers(&op.target.release))?;
    check_names(client, markers.resources(), &op.target).await?;
    ensure_namespace(client, &op.target.namespace).await?;
    let work = deploy_locked(client, op, source, reporter);
    with_lock(client, &op.target, "deploy", reporter, work).await
}

async fn deploy_locked(
    client: &Client,
    op: &DeployOptions,
    source: &Deployable<'_>,
    reporter: &Reporter,
) -> Result<ReleaseRecord, OpError> {
    let target = &op.target;
    let store =
        ClusterStore::new(client.clone(), &target.namespace, &target.release).reporting(reporter);
    let history = store.history().await?;
    if history.is_empty()
        && let Some(found) = super::helm_release::find(client, target).await?
    {
        return Err(found.installed(target).into());
    }
    let (revision, mut state) = deploy_revision(&history, target)?;
    // Unreadable records keep their numbers.
    let revision = revision.max(next_revision(&store, 0).await?);
    if history.is_empty() {
        state = kept_generated_values(client, target, source, reporter).await?;
    }
    let manifest = (source.render)(&state)?;
    preflight(client, &manifest, target, Checks { quota: true }).await?;
    let planned = plan(client, &manifest, target, &[]).await?;
    let redactor = Redactor::of(&manifest, &state);
    let mut record = ReleaseRecord::pending(
        target,
        revision,
        source.content(state),
        "deploy in progress",
    );
    record.inventory = planned.inventory();
    record.manifest = store_manifest(&manifest);
    store.create(&record).await?;

    let outcome = async {
        apply_registered(
            client,
            &planned,
            target,
            op.wait.concurrency,
            op.wait.timeout,
            reporter,
        )
        .await?;
        if op.wait.wait {
            wait_ready(client, &record.inventory, op.wait.timeout, reporter).await?;
        }
        run_hooks(
            client,
            &manifest,
            Hook::PostInstall,
            &target.release,
            op.wait.timeout,
            reporter,
        )
        .await?;
        Ok::<(), OpError>(())
    }
    .await;
    finish(&store, record, outcome, "deployed", &redactor).await
}

/// The generated values of a release's first revision: those its Secrets
/// already hold in the namespace (left by a teardown that kept the volumes,
/// or by helm), so a kept database still accepts its password; fresh ones
/// for the rest.
pub(crate) async fn kept_generated_values(
    client: &Client,
    target: &ReleaseRef,
    source: &Deployable<'_>,
    reporter: &Reporter,
) -> Result<ReleaseState, OpError> {
    let markers = (source.render)(&ReleaseState::markers(&target.release))?;
    let keys = generated_keys(&markers);
    let seeded = read_generated(client, &target.release, &keys)
        .await
        .map_err(|source| OpError::Api {
            action: format!(
                "read the release's existing Secrets in namespace {}",
                target.namespace
            ),
            source: Box::new(source),
        })?;
    if !seeded.kept.is_empty() {
        reporter(Event::GeneratedValuesKept(
            seeded.kept.iter().map(|k| k.describe()).collect(),
        ));
    }
    Ok(seeded.state)
}
