//! Workloads that cannot change in place (a selector, a StatefulSet's claim
//! templates, service or pod policy differ from the live one): the plan
//! names them as created again, and after a yes they are deleted (their
//! claims kept: a StatefulSet's claims have no owner and outlive it) so that
//! the rendered one can be created and mount the same claims. A takeover of
//! helm's release and an upgrade across Polyaxon's major versions (the 1.x
//! `stable/postgresql` StatefulSet becomes the 2.x bitnami one) both need it.

use std::time::Duration;

use kube::Client;
use kube::api::DeleteParams;
use kube::runtime::wait::conditions;

use super::OpError;
use crate::api_error::explain_watch;
use crate::apply::{Action, Adopt, ApplyError, Plan, PlannedObject, api_for, plan_adopting};
use crate::event::{Event, Reporter};
use crate::helm::immutable::{Recreate, recreate};
use crate::release::{ObjectRef, ReleaseRef};
use crate::render::{Manifest, RenderedObject};
use crate::retry::await_condition;

/// A live workload the rendered one replaces, and how.
#[derive(Debug, Clone)]
pub(crate) struct Replaced {
    /// The workload (same kind and name before and after).
    pub object: ObjectRef,
    /// How it is deleted.
    pub how: Recreate,
    /// The live object, as it was when planned.
    pub live: serde_json::Value,
    /// The rendered object that replaces it.
    pub rendered: serde_json::Value,
}

/// The plan of applying `manifest` over `previous`, with the workloads that
/// must be replaced planned as creations (a dry run of the change in place is
/// refused: that is why they are replaced).
pub(crate) async fn plan_replacing(
    client: &Client,
    manifest: &Manifest,
    target: &ReleaseRef,
    previous: &[ObjectRef],
    adopt: &Adopt,
) -> Result<(Plan, Vec<Replaced>), OpError> {
    let replaced = to_replace(client, manifest).await?;
    let is_replaced = |o: &RenderedObject| replaced.iter().any(|r| r.object == ObjectRef::of(o));
    let in_place = Manifest {
        objects: manifest
            .objects
            .iter()
            .filter(|o| !is_replaced(o))
            .cloned()
            .collect(),
    };
    // A replaced workload is in the previous inventory and rendered again:
    // it is no deletion.
    let previous: Vec<ObjectRef> = previous
        .iter()
        .filter(|o| {
            !replaced.iter().any(|r| {
                (&r.object.kind, &r.object.namespace, &r.object.name)
                    == (&o.kind, &o.namespace, &o.name)
            })
        })
        .cloned()
        .collect();
    let mut plan = plan_adopting(client, &in_place, target, &previous, adopt).await?;
    plan.items.extend(
        manifest
            .resources()
            .filter(|o| is_replaced(o))
            .map(|o| PlannedObject {
                object: ObjectRef::of(o),
                action: Action::Create,
                rendered: Some(o.clone()),
            }),
    );
    Ok((plan, replaced))
}

/// The rendered workloads that cannot change in place, and how each is
/// replaced.
async fn to_replace(client: &Client, manifest: &Manifest) -> Result<Vec<Replaced>, OpError> {
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
            how => out.push(Replaced {
                object: reference,
                how,
                live: live.data,
                rendered: object.object.data.clone(),
            }),
        }
    }
    Ok(out)
}

/// Deletes each workload to be created again, and waits until it is gone.
/// A StatefulSet whose selector changed goes with its pods (the new one
/// would not adopt them, and a pod left with the same name blocks it); one
/// recreated [`Recreate::Alone`] leaves its pods to the new one. Claims are
/// never deleted: they belong to no workload.
pub(crate) async fn delete_replaced(
    client: &Client,
    replaced: &[Replaced],
    timeout: Duration,
    reporter: &Reporter,
) -> Result<(), OpError> {
    for item in replaced {
        delete_for_recreate(client, &item.object, item.how, timeout, reporter).await?;
    }
    Ok(())
}

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
        // Refused for good (a drop or a stale version resumes the watch).
        Ok(Err(e)) => Err(ApplyError::Failed {
            object: object.to_string(),
            details: format!("watching for its deletion failed: {}", explain_watch(&e)),
        }
        .into()),
        Err(_) => Err(ApplyError::NotDeleted {
            objects: vec![object.to_string()],
        }
        .into()),
    }
}
