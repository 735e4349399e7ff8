//! `polyaxon upgrade` and `polyaxon rollback`. An upgrade compares the
//! deployed and requested versions before touching anything (older is refused
//! unless allowed, a major jump needs a yes), plans against the deployed
//! inventory, applies only what changes, prunes what is gone, waits, runs the
//! post-upgrade hooks and records revision N+1 (N becomes superseded). A
//! rollback re-applies a stored revision's manifest the same way.

use kube::Client;

use super::deploy::finish;
use super::{Deployable, OpError, ReleaseRef, WaitOptions, pending_record, with_lock};
use crate::apply::{
    Action, DeleteOptions, Plan, apply_plan, delete_objects, plan, run_hooks, wait_ready,
};
use crate::event::{Event, Reporter};
use crate::release::{
    ObjectRef, RecordStore, ReleaseRecord, Status, restore_manifest, store_manifest,
};
use crate::render::{Hook, Manifest, ReleaseState};
use crate::version::{self, PolyaxonVersion};

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

/// The upgrade guard: refuses a downgrade and an unconfirmed major jump, by
/// the one version rule, [`version::compare`].
fn check_versions(op: &UpgradeOptions, deployed: &str, requested: &str) -> Result<(), OpError> {
    let parse =
        |text: &str| PolyaxonVersion::parse(text).ok_or_else(|| OpError::Version(text.to_string()));
    let release = op.target.release.clone();
    match version::compare(&parse(deployed)?, &parse(requested)?) {
        version::VersionChange::Older if !op.allow_downgrade => Err(OpError::Downgrade {
            release,
            deployed: deployed.to_string(),
            requested: requested.to_string(),
        }),
        version::VersionChange::MajorJump if !op.confirmed => Err(OpError::NeedsConfirmation {
            release,
            deployed: deployed.to_string(),
            requested: requested.to_string(),
        }),
        _ => Ok(()),
    }
}

async fn deployed_record(
    store: &RecordStore,
    target: &ReleaseRef,
) -> Result<ReleaseRecord, OpError> {
    deployed_in(&store.history().await?, target)
}

/// The deployed revision of a history, or why there is none.
fn deployed_in(history: &[ReleaseRecord], target: &ReleaseRef) -> Result<ReleaseRecord, OpError> {
    if history.is_empty() {
        return Err(OpError::not_found(target));
    }
    let deployed = history.iter().rev().find(|r| r.status == Status::Deployed);
    deployed.cloned().ok_or_else(|| OpError::NotDeployed {
        release: target.release.clone(),
        namespace: target.namespace.clone(),
        revisions: history.len(),
    })
}

/// What upgrading the release to `source` would create, change and delete,
/// whatever the versions (no guard): reads and dry-runs only.
pub async fn diff(
    client: &Client,
    target: &ReleaseRef,
    source: &Deployable<'_>,
) -> Result<Diff, OpError> {
    let store = RecordStore::new(client.clone(), &target.namespace, &target.release);
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
    Ok(plan(client, &manifest, &current.name, &current.inventory).await?)
}

/// Upgrades the release to `source`.
pub async fn upgrade(
    client: &Client,
    op: &UpgradeOptions,
    source: &Deployable<'_>,
    reporter: &Reporter,
) -> Result<UpgradeOutcome, OpError> {
    let target = &op.target;
    let store = RecordStore::new(client.clone(), &target.namespace, &target.release);
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
    if planned.is_noop() && current.version == source.version && current.config == source.config {
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
            chart: &source.chart,
            version: &source.version,
            config: source.config.clone(),
            state,
            manifest: &manifest,
            hook: Hook::PostUpgrade,
            description: "upgraded",
        };
        match apply_revision(client, &store, &current, revision, op.wait, reporter).await {
            Ok((record, plan)) => Ok(UpgradeOutcome::Upgraded {
                record: Box::new(record),
                plan,
            }),
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
    with_lock(client, target, "upgrade", work).await
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
    let store = RecordStore::new(client.clone(), &target.namespace, &target.release);
    let work = async {
        let history = store.history().await?;
        let current = deployed_in(&history, target)?;
        let wanted = match revision {
            Some(n) => history.iter().find(|r| r.revision == n),
            None => history.iter().rev().find(|r| {
                r.revision < current.revision
                    && matches!(r.status, Status::Superseded | Status::Deployed)
            }),
        };
        let Some(wanted) = wanted.cloned() else {
            return Err(OpError::NoSuchRevision {
                release: target.release.clone(),
                revision: revision.unwrap_or(current.revision.saturating_sub(1)),
                available: history
                    .iter()
                    .map(|r| r.revision.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        };
        restore(client, &store, &current, &wanted, wait, reporter).await
    };
    with_lock(client, target, "rollback", work).await
}

/// Re-applies `wanted`'s stored manifest on top of `from`, as a new revision.
async fn restore(
    client: &Client,
    store: &RecordStore,
    from: &ReleaseRecord,
    wanted: &ReleaseRecord,
    wait: WaitOptions,
    reporter: &Reporter,
) -> Result<ReleaseRecord, OpError> {
    let manifest = restore_manifest(&wanted.manifest);
    let description = format!("rolled back to revision {}", wanted.revision);
    let revision = RevisionInput {
        chart: &wanted.chart,
        version: &wanted.version,
        config: wanted.config.clone(),
        state: wanted.state.clone(),
        manifest: &manifest,
        hook: Hook::PostUpgrade,
        description: &description,
    };
    let (record, _) = apply_revision(client, store, from, revision, wait, reporter).await?;
    Ok(record)
}

struct RevisionInput<'a> {
    chart: &'a str,
    version: &'a str,
    config: serde_json::Value,
    state: ReleaseState,
    manifest: &'a Manifest,
    hook: Hook,
    description: &'a str,
}

/// Plans, records pending, applies, prunes, waits, runs the hook, and records
/// the outcome as the revision after the newest one; `from` is the revision
/// whose inventory is pruned against, and the deployed one is superseded.
async fn apply_revision(
    client: &Client,
    store: &RecordStore,
    from: &ReleaseRecord,
    input: RevisionInput<'_>,
    wait: WaitOptions,
    reporter: &Reporter,
) -> Result<(ReleaseRecord, Plan), OpError> {
    let target = ReleaseRef {
        release: from.name.clone(),
        namespace: from.namespace.clone(),
    };
    let plan = plan(client, input.manifest, &target.release, &from.inventory).await?;
    reporter(Event::Plan(plan.clone()));
    let newest = store.latest().await?.map_or(from.revision, |r| r.revision);
    let mut record = pending_record(
        &target,
        newest + 1,
        input.chart,
        input.version,
        input.config,
        input.state,
        "upgrade in progress",
    );
    record.inventory = plan.inventory();
    record.manifest = store_manifest(input.manifest);
    store.create(&record).await?;

    let outcome = async {
        apply_plan(client, &plan, wait.concurrency, reporter).await?;
        let pruned: Vec<ObjectRef> = plan
            .items
            .iter()
            .filter(|i| i.action == Action::Delete)
            .map(|i| i.object.clone())
            .collect();
        // Claims hold data: a revision that stops rendering one keeps it.
        let options = DeleteOptions {
            keep_volumes: true,
            timeout: wait.timeout,
        };
        delete_objects(client, &pruned, &target.release, &options, reporter).await?;
        if wait.wait {
            wait_ready(client, &record.inventory, wait.timeout, reporter).await?;
        }
        run_hooks(
            client,
            input.manifest,
            input.hook,
            &target.release,
            wait.timeout,
            reporter,
        )
        .await?;
        Ok::<(), OpError>(())
    }
    .await;
    let record = finish(store, record, outcome, input.description).await?;
    // Exactly one revision is deployed: the new one. Failed ones stay failed.
    for mut older in store.history().await? {
        if older.status == Status::Deployed && older.revision != record.revision {
            older.status = Status::Superseded;
            older.updated = super::now();
            store.update(&older).await?;
        }
    }
    Ok((record, plan))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn op(allow_downgrade: bool, confirmed: bool) -> UpgradeOptions {
        UpgradeOptions {
            target: ReleaseRef {
                release: "plx".into(),
                namespace: "polyaxon".into(),
            },
            wait: WaitOptions {
                wait: true,
                timeout: Duration::from_secs(1),
                concurrency: 1,
            },
            allow_downgrade,
            confirmed,
            dry_run: false,
            atomic: false,
        }
    }

    #[test]
    fn the_guard_refuses_downgrades_unless_allowed() {
        assert!(matches!(
            check_versions(&op(false, false), "2.4.0", "2.3.9"),
            Err(OpError::Downgrade { .. })
        ));
        assert!(check_versions(&op(true, false), "2.4.0", "2.3.9").is_ok());
        assert!(check_versions(&op(false, false), "2.4.0", "2.4.0").is_ok());
        assert!(check_versions(&op(false, false), "2.4.0", "2.5.1").is_ok());
    }

    #[test]
    fn a_major_jump_needs_confirmation() {
        assert!(matches!(
            check_versions(&op(false, false), "1.14.0", "2.0.0"),
            Err(OpError::NeedsConfirmation { .. })
        ));
        assert!(check_versions(&op(false, true), "1.14.0", "2.0.0").is_ok());
    }

    #[test]
    fn post_releases_compare_after_their_base_and_by_number() {
        assert!(check_versions(&op(false, false), "2.8.0", "2.8.0.post1").is_ok());
        assert!(check_versions(&op(false, false), "2.8.0.post9", "2.8.0.post10").is_ok());
        assert!(matches!(
            check_versions(&op(false, false), "2.8.0.post10", "2.8.0.post9"),
            Err(OpError::Downgrade { .. })
        ));
        assert!(matches!(
            check_versions(&op(false, false), "two", "2.8.0"),
            Err(OpError::Version(_))
        ));
    }
}
