//! `polyaxon upgrade` and `polyaxon rollback`. An upgrade compares the
//! deployed and requested versions before touching anything (older is refused
//! unless allowed), plans against the deployed inventory (a major jump then
//! needs a yes, and is told what the plan adds, removes and replaces, see
//! [`super::major`]; workloads that cannot change in place are deleted and
//! created again, their claims kept), applies only what changes, waits,
//! prunes what is gone, runs the post-upgrade hooks and records revision N+1
//! (N becomes superseded). A rollback re-applies a stored revision's
//! manifest the same way.

use kube::Client;

use super::decide::{check_versions, deployed_in, is_major_jump, rollback_to, unchanged};
use super::helm_release::{self, HelmError, HelmFound};
use super::major::{self, MajorUpgrade};
use super::query::refuse_if_running;
use super::records::{finish, next_revision, supersede_others};
use super::replace::{Replaced, delete_replaced, plan_replacing};
use super::takeover;
use super::{Deployable, OpError, WaitOptions, with_lock};
use crate::apply::{
    DeleteOptions, Plan, apply_registered, delete_release_objects, run_hooks, wait_ready,
};
use crate::event::{Event, Reporter};
use crate::release::{
    ClusterStore, Redactor, ReleaseRecord, ReleaseRef, ReleaseStore, RevisionContent,
    restore_manifest, store_manifest,
};
use crate::render::{Hook, Manifest, ReleaseState};

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

/// The deployed revision; when there is none yet because the first deploy
/// is still running, that deploy, named (who, where, since when), rather
/// than "not deployed".
async fn deployed_or_running(
    client: &Client,
    store: &impl ReleaseStore,
    target: &ReleaseRef,
) -> Result<ReleaseRecord, OpError> {
    match deployed_record(store, target).await {
        Err(error @ (OpError::NotFound { .. } | OpError::NotDeployed { .. })) => {
            refuse_if_running(client, target).await?;
            Err(error)
        }
        other => other,
    }
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
    let current = deployed_or_running(client, &store, target).await?;
    let prepared = prepare(client, &current, source).await?;
    Ok(Diff {
        from: Box::new(current),
        plan: prepared.plan,
    })
}

/// An upgrade worked out from the deployed revision, before anything is
/// written.
struct Prepared {
    /// The generated values, the database password carried over on a major
    /// jump.
    state: ReleaseState,
    /// What is rendered.
    manifest: Manifest,
    /// The plan from the deployed revision's inventory.
    plan: Plan,
    /// Workloads deleted and created again.
    replaced: Vec<Replaced>,
    /// On a major jump: what the person confirming it is told.
    major: Option<MajorUpgrade>,
}

/// Renders `source` with `current`'s generated values (on a major jump, with
/// the database password read from the deployed Secret) and plans it
/// against `current`'s inventory.
async fn prepare(
    client: &Client,
    current: &ReleaseRecord,
    source: &Deployable<'_>,
) -> Result<Prepared, OpError> {
    let mut state = current.state.clone();
    state.complete();
    let major = is_major_jump(&current.version, &source.version)?;
    let password = if major {
        major::stable_postgres_password(client, current).await?
    } else {
        None
    };
    major::carry_password(&mut state, password.as_ref());
    let manifest = (source.render)(&state)?;
    let target = ReleaseRef {
        release: current.name.clone(),
        namespace: current.namespace.clone(),
    };
    let (plan, replaced) =
        plan_replacing(client, &manifest, &target, &current.inventory, &|_| false).await?;
    let major = major.then(|| MajorUpgrade::of(&plan, &replaced, password, &manifest));
    Ok(Prepared {
        state,
        manifest,
        plan,
        replaced,
        major,
    })
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
    if !op.dry_run {
        // Named before any planning: the operation running now.
        refuse_if_running(client, target).await?;
    }
    let store =
        ClusterStore::new(client.clone(), &target.namespace, &target.release).reporting(reporter);
    if let Some(found) = helm_only(client, &store, target).await? {
        return takeover::takeover(client, op, source, found, reporter).await;
    }
    let current = deployed_or_running(client, &store, target).await?;
    // A downgrade is refused here; a major jump is asked about once its
    // plan is known.
    let planning = UpgradeOptions {
        confirmed: true,
        ..op.clone()
    };
    check_versions(&planning, &current.version, &source.version)?;
    // Planning reads and dry-runs only: no lock is needed, and a no-op
    // upgrade ends here having written nothing.
    let prepared = prepare(client, &current, source).await?;
    if op.dry_run {
        return Ok(UpgradeOutcome::Planned(Diff {
            from: Box::new(current),
            plan: prepared.plan,
        }));
    }
    if unchanged(&current, &prepared.plan, source) {
        return Ok(UpgradeOutcome::Unchanged {
            record: Box::new(current),
        });
    }
    confirmed(op, &current, source, &prepared)?;
    let work = async {
        // Read again under the lock: another upgrade may have finished meanwhile.
        let current = deployed_record(&store, target).await?;
        check_versions(&planning, &current.version, &source.version)?;
        let prepared = prepare(client, &current, source).await?;
        confirmed(op, &current, source, &prepared)?;
        let mut wait = op.wait;
        // What the old major version had and the new one lacks goes only
        // once the new one is ready: a major jump always waits.
        wait.wait |= prepared.major.is_some();
        let description = match &prepared.major {
            Some(major) => {
                reporter(Event::MajorUpgrade(Box::new(major.clone())));
                format!("upgraded from {} (new major version)", current.version)
            }
            None => "upgraded".to_string(),
        };
        let revision = RevisionInput {
            content: source.content(prepared.state),
            manifest: &prepared.manifest,
            description: &description,
        };
        match apply_revision(client, &store, &current, revision, wait, reporter).await {
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

/// Refuses, unless the person said yes, a major jump (saying what it would
/// do) and the deletion of workloads that cannot change in place.
fn confirmed(
    op: &UpgradeOptions,
    current: &ReleaseRecord,
    source: &Deployable<'_>,
    prepared: &Prepared,
) -> Result<(), OpError> {
    if op.confirmed {
        return Ok(());
    }
    if let Some(major) = prepared.major.clone() {
        return Err(OpError::NeedsConfirmation {
            release: op.target.release.clone(),
            deployed: current.version.clone(),
            requested: source.version.clone(),
            upgrade: Some(Box::new(major)),
        });
    }
    if !prepared.replaced.is_empty() {
        return Err(OpError::MustReplace {
            objects: prepared.replaced.iter().map(|r| r.object.id()).collect(),
        });
    }
    Ok(())
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

/// Plans, records pending, replaces the workloads that cannot change in
/// place, applies, waits, prunes, runs the hook, and records the outcome as
/// the revision after the newest one; `from` is the revision
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
    let (plan, replaced) =
        plan_replacing(client, input.manifest, &target, &from.inventory, &|_| false).await?;
    reporter(Event::Plan(plan.clone()));
    let revision = next_revision(store, from.revision).await?;
    let redactor = Redactor::of(input.manifest, &input.content.state);
    let mut record =
        ReleaseRecord::pending(&target, revision, input.content, "upgrade in progress");
    record.inventory = plan.inventory();
    record.manifest = store_manifest(input.manifest);
    store.create(&record).await?;

    let outcome = async {
        // Asked about before (an upgrade's yes, a rollback's request).
        delete_replaced(client, &replaced, wait.timeout, reporter).await?;
        apply_registered(
            client,
            &plan,
            &target,
            wait.concurrency,
            wait.timeout,
            reporter,
        )
        .await?;
        if wait.wait {
            wait_ready(client, &record.inventory, wait.timeout, reporter).await?;
        }
        // What the revision no longer renders goes once its replacement is
        // ready (an old version's hooks, CRDs and components stay until the
        // new one runs). Claims hold data: a revision that stops rendering
        // one keeps it.
        let options = DeleteOptions {
            keep_volumes: true,
            timeout: wait.timeout,
        };
        delete_release_objects(client, &plan.deletions(), &target, &options, reporter).await?;
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
    let record = finish(store, record, outcome, input.description, &redactor).await?;
    supersede_others(store, &record).await?;
    Ok((record, plan))
}
