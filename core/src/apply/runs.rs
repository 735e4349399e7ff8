//! What Polyaxon's runs leave in a release's namespaces: the run objects
//! (custom resources of Polyaxon's CRDs, which the operator guards with
//! `*.finalizers.polyaxon.com` finalizers), and the pods and services the
//! operator created for them, labelled [`RUNS_SELECTOR`].
//!
//! A teardown deletes the run objects while the operator still runs, so it
//! can finalize them; what it did not finalize in time has our finalizers
//! removed (else the objects, and with them their CRD, would never go:
//! polyaxon issue 863).

use std::collections::BTreeMap;
use std::time::Duration;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, DeleteParams, DynamicObject, ListParams, Patch, PatchParams};
use kube::discovery::ApiResource;
use kube::{Client, ResourceExt};
use serde_json::json;
use tokio::time::Instant;

use super::delete::{sweep_kinds, wait_gone};
use super::shared::{crd_resource, is_polyaxon_group};
use super::{
    ApplyError, FIELD_MANAGER, api_for, delete_live, dynamic_api, is_not_found, read_live,
};
use crate::event::{Event, Reporter};
use crate::release::ObjectRef;
use crate::render::Stage;

/// The labels of what runs leave behind (pods, services of notebooks,
/// tensorboards and jobs).
pub const RUNS_SELECTOR: &str =
    "app.kubernetes.io/part-of=polyaxon-runs,app.kubernetes.io/managed-by=polyaxon";
/// Polyaxon's finalizers end with this.
const FINALIZER_DOMAIN: &str = "finalizers.polyaxon.com";
const POLL: Duration = Duration::from_millis(500);
/// How long the objects get to go once our finalizers are removed: only
/// foreign finalizers can hold them after that.
const AFTER_FINALIZERS: Duration = Duration::from_secs(15);

/// Whether a finalizer is one of Polyaxon's (`*.finalizers.polyaxon.com`).
pub fn is_polyaxon_finalizer(finalizer: &str) -> bool {
    finalizer == FINALIZER_DOMAIN
        || finalizer
            .strip_suffix(FINALIZER_DOMAIN)
            .is_some_and(|rest| rest.ends_with('.'))
}

/// The finalizers removed from one run object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinalizersRemoved {
    /// The object (`Kind/name (namespace ns)`).
    pub object: String,
    /// The finalizers removed.
    pub finalizers: Vec<String>,
}

/// Polyaxon's custom resource kinds the cluster serves now, whichever
/// release installed them.
async fn run_kinds(client: &Client) -> Result<Vec<ApiResource>, ApplyError> {
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    let all = ListParams::default();
    let list = crds.list(&all).await.map_err(|source| ApplyError::Api {
        action: "list",
        object: "customresourcedefinitions".into(),
        source: Box::new(source),
    })?;
    Ok(list
        .items
        .iter()
        .filter(|c| is_polyaxon_group(&c.spec.group))
        .filter_map(crd_resource)
        .collect())
}

fn reference(resource: &ApiResource, namespace: &str, name: String) -> ObjectRef {
    ObjectRef {
        stage: Stage::Workloads,
        api_version: resource.api_version.clone(),
        kind: resource.kind.clone(),
        plural: resource.plural.clone(),
        namespace: Some(namespace.to_string()),
        name,
    }
}

async fn list_in(
    client: &Client,
    resource: &ApiResource,
    namespaces: &[String],
    params: &ListParams,
) -> Result<Vec<ObjectRef>, ApplyError> {
    let mut found = Vec::new();
    for namespace in namespaces {
        let api: Api<DynamicObject> = dynamic_api(client, resource, Some(namespace));
        let list = match api.list(params).await {
            Ok(list) => list.items,
            // The kind or the namespace is gone already.
            Err(e) if is_not_found(&e) => continue,
            Err(source) => {
                return Err(ApplyError::Api {
                    action: "list",
                    object: format!("{} in namespace {namespace}", resource.plural),
                    source: Box::new(source),
                });
            }
        };
        found.extend(
            list.into_iter()
                .map(|o| reference(resource, namespace, o.name_any())),
        );
    }
    Ok(found)
}

/// Deletes every run object in `namespaces`, gives the operator up to
/// `timeout` to finalize them, then removes the Polyaxon finalizers still
/// on them. Returns which finalizers it removed. Fails, naming them, if
/// objects are still there after that (held by someone else's finalizers).
pub async fn delete_run_objects(
    client: &Client,
    namespaces: &[String],
    timeout: Duration,
    reporter: &Reporter,
) -> Result<Vec<FinalizersRemoved>, ApplyError> {
    let mut objects = Vec::new();
    for kind in run_kinds(client).await? {
        objects.extend(list_in(client, &kind, namespaces, &ListParams::default()).await?);
    }
    let mut waits = Vec::new();
    for object in &objects {
        if let Some(uid) = delete_any(client, object).await? {
            reporter(Event::Deleted(object.id()));
            waits.push((object, uid));
        }
    }
    if waits.is_empty() {
        return Ok(Vec::new());
    }
    reporter(Event::Waiting {
        what: format!(
            "{} run object(s) to be finalized by the operator",
            waits.len()
        ),
        seconds: timeout.as_secs(),
    });
    let left = wait_all_gone(client, &waits, timeout).await;
    let mut removed = Vec::new();
    for (object, _) in &left {
        if let Some(done) = remove_finalizers(client, object).await? {
            reporter(Event::FinalizersRemoved {
                id: done.object.clone(),
                finalizers: done.finalizers.clone(),
            });
            removed.push(done);
        }
    }
    if !left.is_empty() {
        reporter(Event::Waiting {
            what: format!(
                "{} run object(s) to be deleted once their finalizers are removed",
                left.len()
            ),
            seconds: AFTER_FINALIZERS.as_secs(),
        });
    }
    let stuck = wait_all_gone(client, &left, AFTER_FINALIZERS).await;
    if !stuck.is_empty() {
        let mut described = Vec::new();
        for (object, _) in stuck {
            let finalizers = api_for(client, object)
                .get_opt(&object.name)
                .await
                .ok()
                .flatten()
                .map(|o| o.finalizers().to_vec())
                .unwrap_or_default();
            described.push(format!(
                "{object} (finalizers: {})",
                if finalizers.is_empty() {
                    "none".to_string()
                } else {
                    finalizers.join(", ")
                }
            ));
        }
        return Err(ApplyError::NotDeleted { objects: described });
    }
    Ok(removed)
}

/// Deletes one object (whatever its labels: the caller found it by kind or
/// by the runs' labels); returns its uid to wait on.
async fn delete_any(client: &Client, object: &ObjectRef) -> Result<Option<String>, ApplyError> {
    match read_live(client, object).await? {
        Some(live) => delete_live(client, object, &live, &DeleteParams::background()).await,
        None => Ok(None),
    }
}

/// Waits up to `timeout` for all of `objects` to be gone, together; returns
/// those that are not.
async fn wait_all_gone<'a>(
    client: &Client,
    objects: &[(&'a ObjectRef, String)],
    timeout: Duration,
) -> Vec<(&'a ObjectRef, String)> {
    let deadline = Instant::now() + timeout;
    let mut left: Vec<(&ObjectRef, String)> = objects.to_vec();
    loop {
        let mut still = Vec::new();
        for (object, uid) in left {
            let live = api_for(client, object).get_opt(&object.name).await;
            match live {
                Ok(Some(o)) if o.uid().as_deref() == Some(uid.as_str()) => {
                    still.push((object, uid))
                }
                Ok(_) => {}
                Err(e) if is_not_found(&e) => {}
                // Unreadable: counted as there, and tried again.
                Err(_) => still.push((object, uid)),
            }
        }
        left = still;
        if left.is_empty() || Instant::now() >= deadline {
            return left;
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Removes Polyaxon's finalizers from `object`, keeping any other.
async fn remove_finalizers(
    client: &Client,
    object: &ObjectRef,
) -> Result<Option<FinalizersRemoved>, ApplyError> {
    let api = api_for(client, object);
    let err = |action, source| ApplyError::Api {
        action,
        object: object.to_string(),
        source: Box::new(source),
    };
    for _ in 0..5 {
        let live = match api.get_opt(&object.name).await {
            Ok(Some(live)) => live,
            Ok(None) => return Ok(None),
            Err(e) if is_not_found(&e) => return Ok(None),
            Err(e) => return Err(err("read", e)),
        };
        let (ours, kept): (Vec<String>, Vec<String>) = live
            .finalizers()
            .iter()
            .cloned()
            .partition(|f| is_polyaxon_finalizer(f));
        if ours.is_empty() {
            return Ok(None);
        }
        // The resourceVersion makes the write fail, not overwrite, when the
        // operator changed the object meanwhile; then it is read again.
        let patch = json!({"metadata": {
            "resourceVersion": live.resource_version(),
            "finalizers": kept,
        }});
        let params = PatchParams {
            field_manager: Some(FIELD_MANAGER.into()),
            ..PatchParams::default()
        };
        match api
            .patch(&object.name, &params, &Patch::Merge(&patch))
            .await
        {
            Ok(_) => {
                return Ok(Some(FinalizersRemoved {
                    object: object.to_string(),
                    finalizers: ours,
                }));
            }
            Err(e) if is_not_found(&e) => return Ok(None),
            Err(kube::Error::Api(status)) if status.code == 409 => {}
            Err(e) => return Err(err("remove finalizers of", e)),
        }
    }
    Err(ApplyError::TimedOut {
        seconds: 0,
        what: format!("{object} to stop changing so its finalizers can be removed"),
    })
}

/// What runs left in `namespaces` ([`RUNS_SELECTOR`]), by kind.
pub async fn run_leftovers(
    client: &Client,
    namespaces: &[String],
) -> Result<Vec<ObjectRef>, ApplyError> {
    let params = ListParams::default().labels(RUNS_SELECTOR);
    let mut found = Vec::new();
    for (resource, _) in sweep_kinds() {
        found.extend(list_in(client, &resource, namespaces, &params).await?);
    }
    Ok(found)
}

/// How many objects of each kind, e.g. `{"Pod": 2, "Service": 1}`.
pub fn count_by_kind(objects: &[ObjectRef]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for object in objects {
        *counts.entry(object.kind.clone()).or_insert(0) += 1;
    }
    counts
}

/// Deletes `objects`, found by the caller by their labels or names rather
/// than the release's labels (run leftovers, claims of StatefulSets), and
/// waits up to `timeout` for them; `what` names them in the progress line.
pub async fn delete_found(
    client: &Client,
    objects: &[ObjectRef],
    what: &str,
    timeout: Duration,
    reporter: &Reporter,
) -> Result<(), ApplyError> {
    let deadline = Instant::now() + timeout;
    let mut waits = Vec::new();
    for object in objects {
        if let Some(uid) = delete_any(client, object).await? {
            reporter(Event::Deleted(object.id()));
            waits.push((object, uid));
        }
    }
    if waits.is_empty() {
        return Ok(());
    }
    reporter(Event::Waiting {
        what: format!("{} {what} to be deleted", waits.len()),
        seconds: timeout.as_secs(),
    });
    let mut left = Vec::new();
    for (object, uid) in waits {
        let remaining = deadline.saturating_duration_since(Instant::now());
        if let Some(id) = wait_gone(client, object, uid, remaining).await {
            left.push(id);
        }
    }
    if left.is_empty() {
        Ok(())
    } else {
        Err(ApplyError::NotDeleted { objects: left })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_polyaxon_finalizers_are_ours() {
        assert!(is_polyaxon_finalizer("operation.finalizers.polyaxon.com"));
        assert!(is_polyaxon_finalizer("finalizers.polyaxon.com"));
        assert!(!is_polyaxon_finalizer("kubernetes"));
        assert!(!is_polyaxon_finalizer("evilfinalizers.polyaxon.com"));
        assert!(!is_polyaxon_finalizer("foregroundDeletion"));
    }

    #[test]
    fn leftovers_are_counted_by_kind() {
        let r = |kind: &str| ObjectRef {
            stage: Stage::Workloads,
            api_version: "v1".into(),
            kind: kind.into(),
            plural: "x".into(),
            namespace: Some("a".into()),
            name: "n".into(),
        };
        let counts = count_by_kind(&[r("Pod"), r("Service"), r("Pod")]);
        assert_eq!(
            counts,
            BTreeMap::from([("Pod".into(), 2), ("Service".into(), 1)])
        );
    }
}
