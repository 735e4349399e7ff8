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
use super::upgrade::{RevisionInput, apply_revision};
use super::{Deployable, Diff, OpError, UpgradeOptions, UpgradeOutcome, with_lock};
use std::time::Duration;

use kube::api::DeleteParams;
use kube::runtime::wait::{await_condition, conditions};

use crate::apply::{Action, ApplyError, PlannedObject, api_for, plan_adopting};
use crate::event::{Event, Reporter, silent};
use crate::helm::immutable::{Recreate, recreate};
use crate::helm::ownership::{owned_by_helm, take_over};
use crate::release::{ClusterStore, ObjectRef, ReleaseRecord, ReleaseRef, ReleaseStore, Status};
use crate::render::{Manifest, ReleaseState, RenderedObject};

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
    recreate: Vec<(ObjectRef, Recreate)>,
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
    let recreate = to_recreate(client, &manifest).await?;
    // What is recreated is planned as a creation (a dry run of the change
    // in place is refused: that is why it is recreated).
    let recreated = |o: &RenderedObject| recreate.iter().any(|(r, _)| *r == ObjectRef::of(o));
    let in_place = Manifest {
        objects: manifest
            .objects
            .iter()
            .filter(|o| !recreated(o))
            .cloned()
            .collect(),
    };
    let mut plan = plan_adopting(client, &in_place, target, &previous, &adopt).await?;
    plan.items.extend(
        manifest
            .resources()
            .filter(|o| recreated(o))
            .map(|o| PlannedObject {
                object: ObjectRef::of(o),
                action: Action::Create,
                rendered: Some(o.clone()),
            }),
    );
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
            objects: takeover.recreate.iter().map(|(o, _)| o.id()).collect(),
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
        for (object, how) in &takeover.recreate {
            delete_for_recreate(client, object, *how, op.wait.timeout, reporter).await?;
        }
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

/// The rendered workloads that cannot change in place, and how each is
/// recreated.
async fn to_recreate(
    client: &Client,
    manifest: &Manifest,
) -> Result<Vec<(ObjectRef, Recreate)>, OpError> {
    let mut out = Vec::new();
    for object in manifest.resources() {
        if !matches!(object.kind(), "Deployment" | "StatefulSet" | "DaemonSet") {
            continue;
        }
        let reference = ObjectRef::of(object);
        let live = api_for(client, &reference)
            .get_opt(object.name())
            .await
            .map_err(|source| OpError::Api {
                action: format!("read {reference}"),
                source: Box::new(source),
            })?;
        let Some(live) = live else { continue };
        match recreate(object.kind(), &live.data, &object.object.data) {
            Recreate::No => {}
            how => out.push((reference, how)),
        }
    }
    Ok(out)
}

/// Deletes a workload to be created again, and waits until it is gone: a
/// StatefulSet recreated [`Recreate::Alone`] leaves its pods and claims to
/// the new one.
async fn delete_for_recreate(
    client: &Client,
    object: &ObjectRef,
    how: Recreate,
    timeout: Duration,
    reporter: &Reporter,
) -> Result<(), OpError> {
    let api = api_for(client, object);
    let fail = |source| OpError::Api {
        action: format!("delete {object} to create it again"),
        source: Box::new(source),
    };
    let params = match how {
        Recreate::Alone => DeleteParams::orphan(),
        _ => DeleteParams::foreground(),
    };
    let Some(live) = api.get_opt(&object.name).await.map_err(fail)? else {
        return Ok(());
    };
    api.delete(&object.name, &params).await.map_err(fail)?;
    reporter(Event::Deleted(object.id()));
    let uid = live.metadata.uid.unwrap_or_default();
    let gone = await_condition(api, &object.name, conditions::is_deleted(&uid));
    match tokio::time::timeout(timeout, gone).await {
        Ok(Ok(_)) => Ok(()),
        _ => Err(ApplyError::NotDeleted {
            objects: vec![object.to_string()],
        }
        .into()),
    }
}
