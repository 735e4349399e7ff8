//! `polyaxon upgrade` of a release helm installed: the takeover. The version
//! guard compares with helm's chart version; the plan starts from helm's
//! manifest; then, under the release's lock: helm's revisions are written
//! into this tool's history (helm's records kept in them), every object
//! helm's manifest lists moves to this tool (fields and labels, see
//! [`crate::helm::ownership`]), workloads whose selectors changed are
//! deleted (only after a yes), and the upgrade applies, prunes what helm had
//! and this chart lacks (never claims), waits, runs the hooks and records
//! revision N+1. helm's records are deleted only once that revision is
//! recorded deployed. Generated passwords are read from helm's Secrets and
//! kept.

use kube::Client;
use kube::api::DynamicObject;

use super::decide::check_versions;
use super::deploy::kept_generated_values;
use super::helm_release::{HelmError, HelmFound};
use super::replace::{Replaced, plan_replacing};
use super::upgrade::{RevisionInput, apply_revision};
use super::{Deployable, Diff, OpError, UpgradeOptions, UpgradeOutcome, with_lock};
use crate::event::{Reporter, silent};
use crate::helm::ownership::{owned_by_helm, take_over};
use crate::release::{ClusterStore, ObjectRef, ReleaseRecord, ReleaseRef, ReleaseStore, Status};
use crate::render::{Manifest, ReleaseState};

/// What a takeover would do, computed without writing anything.
struct Takeover {
    /// helm's current revision, as a record.
    from: ReleaseRecord,
    /// The generated values: helm's, read from its Secrets.
    state: ReleaseState,
    /// What this tool renders.
    manifest: Manifest,
    /// The objects helm's manifest lists, claims included.
    helm_objects: Vec<ObjectRef>,
    /// The plan, against helm's manifest.
    plan: crate::apply::Plan,
    /// Workloads that cannot change in place: deleted and created again.
    recreate: Vec<Replaced>,
}

/// The plan of taking `found` over with `source` (what `diff` shows).
pub(crate) async fn diff(
    client: &Client,
    target: &ReleaseRef,
    source: &Deployable<'_>,
    found: &HelmFound,
) -> Result<Diff, OpError> {
    let takeover = prepare(client, target, source, found, &silent()).await?;
    Ok(Diff {
        from: Box::new(takeover.from),
        plan: takeover.plan,
    })
}

async fn prepare(
    client: &Client,
    target: &ReleaseRef,
    source: &Deployable<'_>,
    found: &HelmFound,
    reporter: &Reporter,
) -> Result<Takeover, OpError> {
    found.check_chart(target, &source.chart)?;
    let state = kept_generated_values(client, target, source, reporter).await?;
    let manifest = (source.render)(&state)?;
    let helm_objects = found.inventory(client, false).await?;
    // Claims hold data: the takeover never prunes one.
    let previous: Vec<ObjectRef> = helm_objects
        .iter()
        .filter(|o| o.kind != "PersistentVolumeClaim")
        .cloned()
        .collect();
    let (release, namespace) = (target.release.clone(), target.namespace.clone());
    let adopt = move |o: &DynamicObject| owned_by_helm(o, &release, &namespace);
    let (plan, recreate) = plan_replacing(client, &manifest, target, &previous, &adopt).await?;
    let mut from = found
        .records(&state)
        .pop()
        .ok_or_else(|| OpError::not_found(target))?;
    from.inventory = previous;
    Ok(Takeover {
        from,
        state,
        manifest,
        helm_objects,
        plan,
        recreate,
    })
}

/// Takes the release helm installed over, upgrading it to `source`.
pub(crate) async fn takeover(
    client: &Client,
    op: &UpgradeOptions,
    source: &Deployable<'_>,
    found: HelmFound,
    reporter: &Reporter,
) -> Result<UpgradeOutcome, OpError> {
    let target = &op.target;
    found.check_pending(op.confirmed)?;
    check_versions(op, &found.current.chart_version, &source.version)?;
    let takeover = prepare(client, target, source, &found, reporter).await?;
    if op.dry_run {
        return Ok(UpgradeOutcome::Planned(Diff {
            from: Box::new(takeover.from),
            plan: takeover.plan,
        }));
    }
    if !takeover.recreate.is_empty() && !op.confirmed {
        return Err(HelmError::Recreate {
            objects: takeover.recreate.iter().map(|r| r.object.id()).collect(),
        }
        .into());
    }
    let work = async {
        let store = ClusterStore::new(client.clone(), &target.namespace, &target.release);
        for mut record in found.import(client, target, &takeover.state).await? {
            // A revision helm left pending will never finish.
            if record.status == Status::Pending {
                record.status = Status::Failed;
            }
            store.create(&record).await?;
        }
        for object in &takeover.helm_objects {
            take_over(client, object, &target.release, &target.namespace)
                .await
                .map_err(|source| OpError::Api {
                    action: format!("take {object} over from helm"),
                    source: Box::new(source),
                })?;
        }
        super::helm_release::label_claims(client, target).await?;
        let description = format!(
            "taken over from helm (helm revision {}) and upgraded",
            found.current.revision
        );
        let revision = RevisionInput {
            content: source.content(takeover.state.clone()),
            manifest: &takeover.manifest,
            description: &description,
        };
        let (record, plan) =
            apply_revision(client, &store, &takeover.from, revision, op.wait, reporter).await?;
        found.retire(client, &target.namespace).await?;
        Ok(UpgradeOutcome::Upgraded {
            record: Box::new(record),
            plan,
        })
    };
    with_lock(client, target, "upgrade", reporter, work).await
}
