//! `polyaxon upgrade` and `polyaxon rollback`. An upgrade compares the
//! deployed and requested versions before touching anything (older is refused
//! unless allowed, a major jump needs a yes), plans against the deployed
//! inventory, applies only what changes, prunes what is gone, waits, runs the
//! post-upgrade hooks and records revision N+1 (N becomes superseded). A
//! rollback re-applies a stored revision's manifest the same way.

use kube::Client;

use super::decide::{check_versions, deployed_in, rollback_to, unchanged};
use super::helm_release::{self, HelmError, HelmFound};
use super::records::{finish, next_revision, supersede_others};
use super::takeover;
use super::{Deployable, OpError, WaitOptions, with_lock};
use crate::apply::{
    DeleteOptions, Plan, apply_registered, delete_release_objects, plan, run_hooks, wait_ready,
};
use crate::event::{Event, Reporter};
use crate::release::{
    ClusterStore, ReleaseRecord, ReleaseRef, ReleaseStore, RevisionContent, restore_manifest,
    store_manifest,
};
use crate::render::{Hook, Manifest};

/// Options of an upgrade.
#[derive(Debug, Clone)]
pub struct UpgradeOptions {
    /// Which release, where.
    pub target: ReleaseRef,
    /// Whether and how long to wait.
    pub wait: WaitOptions,
    /// Allow a version older than the deployed one.
    pub allow_downgrade: bool,
    /// The user confirmed (or passed --yes): a major jump may proceed.
    pub confirmed: bool,
    /// Only plan.
    pub dry_run: bool,
    /// On failure, roll back to the deployed revision.
    pub atomic: bool,
}

/// What an upgrade would change, from the deployed revision.
#[derive(Debug)]
pub struct Diff {
    /// The deployed revision the plan starts from.
    pub from: Box<ReleaseRecord>,
    /// The plan.
    pub plan: Plan,
}

/// What an upgrade did.
#[derive(Debug)]
pub enum UpgradeOutcome {
    /// Only planned, as asked: nothing applied.
    Planned(Diff),
    /// Same version, same config, and the cluster already matches: nothing
    /// was written, not even a new revision.
    Unchanged {
        /// The deployed revision, which stays.
        record: Box<ReleaseRecord>,
    },
    /// Applied and recorded.
    Upgraded {
        /// The new revision.
        record: Box<ReleaseRecord>,
        /// What was applied.
        plan: Plan,
    },
}

async fn deployed_record(
    store: &impl ReleaseStore,
    target: &ReleaseRef,
) -> Result<ReleaseRecord, OpError> {
    deployed_in(&store.history().await?, target)
}

/// What upgrading the release to `source` would create, change and delete,
/// whatever the versions (no guard): reads and dry-runs only.
pub async fn diff(
    client: &Client,
    target: &ReleaseRef,
    source: &Deployable<'_>,
    reporter: &Reporter,
) -> Result<Diff, OpError> {
    let store =
        ClusterStore::new(client.clone(), &target.namespace, &target.release).reporting(reporter);
    if let Some(found) = helm_only(client, &store, target).await? {
        return takeover::diff(client, target, source, &found).await;
    }
    let current = deployed_record(&store, target).await?;
    let plan = plan_from(client, &current, source).await?;
    Ok(Diff {
        from: Box::new(current),
        plan,
    })
}

/// The plan from the `current` revision to `source`, rendered with the
/// release's generated values.
async fn plan_from(
    client: &Client,
    current: &ReleaseRecord,
    source: &Deployable<'_>,
) -> Result<Plan, OpError> {
    let mut state = current.state.clone();
    state.complete();
    let manifest = (source.render)(&state)?;
    let target = ReleaseRef {
        release: current.name.clone(),
        namespace: current.namespace.clone(),
    };
    Ok(plan(client, &manifest, &target, &current.inventory).await?)
}

/// Upgrades the release to `source`.
pub async fn upgrade(
    client: &Client,
    op: &UpgradeOptions,
    source: &Deployable<'_>,
    reporter: &Reporter,
) -> Result<UpgradeOutcome, OpError> {
    // Boxed: see "Boxed operations" in the module documentation.
    Box::pin(upgrade_unboxed(client, op, source, reporter)).await
}

/// The body of [`upgrade`].
async fn upgrade_unboxed(
    client: &Client,
    op: &UpgradeOptions,
    source: &Deployable<'_>,
    reporter: &Reporter,
) -> Result<UpgradeOutcome, OpError> {
    let target = &op.target;
    let store =
        ClusterStore::new(client.clone(), &target.namespace, &target.release).reporting(reporter);
    if let Some(found) = helm_only(client, &store, target).await? {
        return takeover::takeover(client, op, source, found, reporter).await;
    }
    let current = deployed_record(&store, target).await?;
    check_versions(op, &current.version, &source.version)?;
    // Planning reads and dry-runs only: no lock is needed, and a no-op
    // upgrade ends here having written nothing.
    let planned = plan_from(client, &current, source).await?;
    if op.dry_run {
        return Ok(UpgradeOutcome::Planned(Diff {
            from: Box::new(current),
            plan: planned,
        }));
    }
    if unchanged(&current, &planned, source) {
        return Ok(UpgradeOutcome::Unchanged {
            record: Box::new(current),
        });
    }
    let work = async {
        // Read again under the lock: another upgrade may have finished meanwhile.
        let current = deployed_record(&store, target).await?;
        check_versions(op, &current.version, &source.version)?;
        let mut state = current.state.clone();
        state.complete();
        let manifest = (source.render)(&state)?;
        let revision = RevisionInput {
            content: source.content(state),
            manifest: &manifest,
            description: "upgraded",
        };
        match apply_revision(client, &store, &current, revision, op.wait, reporter).await {
            Ok((record, plan)) => {
                retire_helm_after(client, &current).await?;
                Ok(UpgradeOutcome::Upgraded {
                    record: Box::new(record),
                    plan,
                })
            }
            Err(cause) if op.atomic => {
                reporter(Event::RollingBack {
                    revision: current.revision,
                });
                let failed = store.latest().await?.unwrap_or_else(|| current.clone());
                restore(client, &store, &failed, &current, op.wait, reporter).await?;
                Err(OpError::RolledBack {
                    cause: Box::new(cause),
                    revision: current.revision,
                })
            }
            Err(cause) => Err(cause),
        }
    };
    with_lock(client, target, "upgrade", reporter, work).await
}

/// Rolls the release back to `revision` (default: the newest earlier
/// revision that was deployed), as a new revision.
pub async fn rollback(
    client: &Client,
    target: &ReleaseRef,
    revision: Option<u32>,
    wait: WaitOptions,
    reporter: &Reporter,
) -> Result<ReleaseRecord, OpError> {
    // Boxed: see "Boxed operations" in the module documentation.
    Box::pin(rollback_unboxed(client, target, revision, wait, reporter)).await
}

/// The body of [`rollback`].
async fn rollback_unboxed(
    client: &Client,
    target: &ReleaseRef,
    revision: Option<u32>,
    wait: WaitOptions,
    reporter: &Reporter,
) -> Result<ReleaseRecord, OpError> {
    let store =
        ClusterStore::new(client.clone(), &target.namespace, &target.release).reporting(reporter);
    let work = async {
        let history = store.history().await?;
        let current = deployed_in(&history, target)?;
        let wanted = rollback_to(&history, &current, revision)?;
        if wanted.manifest.is_empty() {
            return Err(OpError::from(HelmError::NotRenderable {
                revision: wanted.revision,
                reason: "no manifest was stored with it".into(),
            }));
        }
        restore(client, &store, &current, &wanted, wait, reporter).await
    };
    with_lock(client, target, "rollback", reporter, work).await
}

/// Re-applies `wanted`'s stored manifest on top of `from`, as a new revision.
async fn restore(
    client: &Client,
    store: &impl ReleaseStore,
    from: &ReleaseRecord,
    wanted: &ReleaseRecord,
    wait: WaitOptions,
    reporter: &Reporter,
) -> Result<ReleaseRecord, OpError> {
    let manifest = restore_manifest(&wanted.manifest);
    let description = format!("rolled back to revision {}", wanted.revision);
    let revision = RevisionInput {
        content: wanted.content(),
        manifest: &manifest,
        description: &description,
    };
    let (record, _) = apply_revision(client, store, from, revision, wait, reporter).await?;
    Ok(record)
}

/// A revision an upgrade or rollback applies.
pub(super) struct RevisionInput<'a> {
    /// What it deploys.
    pub content: RevisionContent,
    /// Its objects, hooks included.
    pub manifest: &'a Manifest,
    /// Its description once deployed.
    pub description: &'a str,
}

/// The release helm installed as `target`, when this tool has no record of
/// it: the upgrade is then a takeover.
async fn helm_only(
    client: &Client,
    store: &ClusterStore,
    target: &ReleaseRef,
) -> Result<Option<HelmFound>, OpError> {
    if !store.history().await?.is_empty() {
        return Ok(None);
    }
    helm_release::find(client, target).await
}

/// After upgrading from a revision helm made (a takeover that failed once
/// and was run again), helm's records still left are retired.
async fn retire_helm_after(client: &Client, from: &ReleaseRecord) -> Result<(), OpError> {
    if from.helm.is_none() {
        return Ok(());
    }
    let target = ReleaseRef {
        release: from.name.clone(),
        namespace: from.namespace.clone(),
    };
    if let Some(found) = helm_release::find(client, &target).await? {
        found.retire(client, &target.namespace).await?;
    }
    Ok(())
}

/// Plans, records pending, applies, prunes, waits, runs the hook, and records
/// the outcome as the revision after the newest one; `from` is the revision
/// whose inventory is pruned against, and the deployed one is superseded.
pub(super) async fn apply_revision(
    client: &Client,
    store: &impl ReleaseStore,
    from: &ReleaseRecord,
    input: RevisionInput<'_>,
    wait: WaitOptions,
    reporter: &Reporter,
) -> Result<(ReleaseRecord, Plan), OpError> {
    let target = ReleaseRef {
        release: from.name.clone(),
        namespace: from.namespace.clone(),
    };
    let plan = plan(client, input.manifest, &target, &from.inventory).await?;
    reporter(Event::Plan(plan.clone()));
    let revision = next_revision(store, from.revision).await?;
    let mut record =
        ReleaseRecord::pending(&target, revision, input.content, "upgrade in progress");
    record.inventory = plan.inventory();
    record.manifest = store_manifest(input.manifest);
    store.create(&record).await?;

    let outcome = async {
        apply_registered(
            client,
            &plan,
            &target,
            wait.concurrency,
            wait.timeout,
            reporter,
        )
        .await?;
        // Claims hold data: a revision that stops rendering one keeps it.
        let options = DeleteOptions {
            keep_volumes: true,
            timeout: wait.timeout,
        };
        delete_release_objects(client, &plan.deletions(), &target, &options, reporter).await?;
        if wait.wait {
            wait_ready(client, &record.inventory, wait.timeout, reporter).await?;
        }
        run_hooks(
            client,
            input.manifest,
            Hook::PostUpgrade,
            &target.release,
            wait.timeout,
            reporter,
        )
        .await?;
        Ok::<(), OpError>(())
    }
    .await;
    let record = finish(store, record, outcome, input.description).await?;
    supersede_others(store, &record).await?;
    Ok((record, plan))
}
