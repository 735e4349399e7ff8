//! Deleting a release's objects: by inventory in reverse stage order, each
//! stage gone before the next, then a sweep by the release's labels for what
//! the inventory cannot know (pods of Jobs, claims of StatefulSets). Objects
//! without the release's labels are never touched.

use std::time::Duration;

use crate::retry::await_condition;
use futures::future::join_all;
use kube::Client;
use kube::ResourceExt;
use kube::api::{Api, DeleteParams, DynamicObject, ListParams};
use kube::discovery::ApiResource;
use kube::runtime::wait::conditions;
use tokio::time::Instant;

use super::plan::foreign_owner;
use super::{ApplyError, api_for, delete_live, dynamic_api, read_live};
use crate::event::{Event, Reporter};
use crate::release::ObjectRef;
use crate::render::labels::release_selector;

/// What to delete and how long to wait.
#[derive(Debug, Clone)]
pub struct DeleteOptions {
    /// Keep PersistentVolumeClaims (the data) — the default of a teardown.
    pub keep_volumes: bool,
    /// How long to wait for everything to be gone.
    pub timeout: Duration,
}

fn is_volume_claim(kind: &str) -> bool {
    kind == "PersistentVolumeClaim"
}

/// Deletes `objects` of `release`, last stage first, waiting for each stage;
/// all of it within `options.timeout`.
pub async fn delete_objects(
    client: &Client,
    objects: &[ObjectRef],
    release: &str,
    options: &DeleteOptions,
    reporter: &Reporter,
) -> Result<(), ApplyError> {
    let deadline = Instant::now() + options.timeout;
    let mut stages: Vec<_> = objects.iter().map(|o| o.stage).collect();
    stages.sort();
    stages.dedup();
    for stage in stages.into_iter().rev() {
        let batch: Vec<&ObjectRef> = objects
            .iter()
            .filter(|o| o.stage == stage)
            .filter(|o| !(options.keep_volumes && is_volume_claim(&o.kind)))
            .collect();
        let results = join_all(
            batch
                .iter()
                .map(|o| delete_one(client, o, release, reporter)),
        )
        .await;
        let left = deadline.saturating_duration_since(Instant::now());
        let mut waits = Vec::new();
        for (object, result) in batch.iter().zip(results) {
            if let Some(uid) = result? {
                waits.push(wait_gone(client, object, uid, left));
            }
        }
        if !waits.is_empty() {
            reporter(Event::Waiting {
                what: format!(
                    "{} object(s) of stage {} to be deleted",
                    waits.len(),
                    stage.as_str()
                ),
                seconds: left.as_secs(),
            });
        }
        let left: Vec<String> = join_all(waits).await.into_iter().flatten().collect();
        if !left.is_empty() {
            return Err(ApplyError::NotDeleted { objects: left });
        }
    }
    Ok(())
}

/// Deletes one object if it is the release's; returns its uid to wait on.
async fn delete_one(
    client: &Client,
    object: &ObjectRef,
    release: &str,
    reporter: &Reporter,
) -> Result<Option<String>, ApplyError> {
    let Some(live) = read_live(client, object).await? else {
        return Ok(None);
    };
    if let Some(owner) = foreign_owner(&live, release) {
        reporter(Event::Skipped {
            id: object.id(),
            reason: owner,
        });
        return Ok(None);
    }
    let Some(uid) = delete_live(client, object, &live, &DeleteParams::foreground()).await? else {
        return Ok(None);
    };
    reporter(Event::Deleted(object.id()));
    Ok(Some(uid))
}

/// Waits until the object with `uid` is gone; returns its id if it is not.
pub(crate) async fn wait_gone(
    client: &Client,
    object: &ObjectRef,
    uid: String,
    timeout: Duration,
) -> Option<String> {
    let api = api_for(client, object);
    let gone = await_condition(api, &object.name, conditions::is_deleted(&uid));
    match tokio::time::timeout(timeout, gone).await {
        Ok(Ok(_)) => None,
        _ => Some(object.to_string()),
    }
}

/// The kinds swept by label after the inventory is deleted: what controllers
/// create on the release's behalf, and what an interrupted run may have left.
pub(crate) fn sweep_kinds() -> Vec<(ApiResource, bool)> {
    use k8s_openapi::api::{apps::v1 as apps, batch::v1 as batch, core::v1 as core};
    vec![
        (ApiResource::erase::<batch::Job>(&()), true),
        (ApiResource::erase::<apps::Deployment>(&()), true),
        (ApiResource::erase::<apps::StatefulSet>(&()), true),
        (ApiResource::erase::<apps::DaemonSet>(&()), true),
        (ApiResource::erase::<apps::ReplicaSet>(&()), true),
        (ApiResource::erase::<core::Pod>(&()), true),
        (ApiResource::erase::<core::Service>(&()), true),
        (ApiResource::erase::<core::ConfigMap>(&()), true),
        (ApiResource::erase::<core::Secret>(&()), true),
        (ApiResource::erase::<core::ServiceAccount>(&()), true),
        (ApiResource::erase::<core::PersistentVolumeClaim>(&()), true),
    ]
}

/// Deletes whatever still carries the release's labels in `namespace`
/// (claims only when `keep_volumes` is false), except `keep`, and waits
/// until it is gone.
pub async fn sweep_leftovers(
    client: &Client,
    namespace: &str,
    release: &str,
    options: &DeleteOptions,
    keep: &[ObjectRef],
    reporter: &Reporter,
) -> Result<(), ApplyError> {
    let selector = release_selector(release);
    let mut found = Vec::new();
    for (resource, _) in sweep_kinds() {
        if options.keep_volumes && is_volume_claim(&resource.kind) {
            continue;
        }
        let api: Api<DynamicObject> = dynamic_api(client, &resource, Some(namespace));
        let list = api
            .list(&ListParams::default().labels(&selector))
            .await
            .map_err(|source| ApplyError::Api {
                action: "list",
                object: format!("{} in namespace {namespace}", resource.plural),
                source: Box::new(source),
            })?;
        for item in list.items {
            if keep
                .iter()
                .any(|k| k.kind == resource.kind && k.name == item.name_any())
            {
                continue;
            }
            found.push(ObjectRef {
                stage: crate::render::Stage::Workloads,
                api_version: resource.api_version.clone(),
                kind: resource.kind.clone(),
                plural: resource.plural.clone(),
                namespace: Some(namespace.to_string()),
                name: item.name_any(),
            });
        }
    }
    delete_objects(client, &found, release, options, reporter).await
}
