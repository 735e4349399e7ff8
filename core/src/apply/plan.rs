//! The plan: for every rendered object, whether applying it would create it,
//! change it (and which fields) or leave it as it is; and which objects of the
//! previous inventory would be deleted. Computed with server-side dry runs, so
//! that defaulting and admission are the cluster's own, and checked for
//! ownership before anything is written.

use std::collections::BTreeSet;

use futures::stream::{self, StreamExt, TryStreamExt};
use kube::Client;
use kube::api::{DynamicObject, Patch, PatchParams};
use serde_json::Value;

use super::shared::{Admission, admit, uses};
use super::{ApplyError, FIELD_MANAGER, api_for, dynamic_api, is_not_found};
use crate::release::{ObjectRef, ReleaseRef};
use crate::render::labels::{INSTANCE, MANAGED_BY, MANAGER};
use crate::render::{Manifest, RenderedObject};

/// Requests in flight while planning.
const CONCURRENCY: usize = 8;

/// What applying would do to one object.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// It does not exist yet.
    Create,
    /// It exists and these fields would change (JSON paths).
    Change(Vec<String>),
    /// It exists and would stay as it is: nothing is written.
    Unchanged,
    /// It was in the previous inventory and is not rendered any more.
    Delete,
}

/// One line of the plan.
#[derive(Debug, Clone)]
pub struct PlannedObject {
    /// The object.
    pub object: ObjectRef,
    /// What would happen to it.
    pub action: Action,
    /// The rendered object (absent for deletions).
    pub rendered: Option<RenderedObject>,
}

/// The whole plan, creations and changes in apply order, deletions last.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Every object.
    pub items: Vec<PlannedObject>,
}

impl Plan {
    /// How many objects get each action: (create, change, unchanged, delete).
    pub fn counts(&self) -> (usize, usize, usize, usize) {
        let mut counts = (0, 0, 0, 0);
        for item in &self.items {
            match item.action {
                Action::Create => counts.0 += 1,
                Action::Change(_) => counts.1 += 1,
                Action::Unchanged => counts.2 += 1,
                Action::Delete => counts.3 += 1,
            }
        }
        counts
    }

    /// Whether applying would write nothing.
    pub fn is_noop(&self) -> bool {
        let (create, change, _, delete) = self.counts();
        create + change + delete == 0
    }

    /// The objects applying deletes: in the previous inventory, not rendered
    /// any more (an upgrade's prune set).
    pub fn deletions(&self) -> Vec<ObjectRef> {
        self.items
            .iter()
            .filter(|i| i.action == Action::Delete)
            .map(|i| i.object.clone())
            .collect()
    }

    /// The inventory after applying: every rendered object.
    pub fn inventory(&self) -> Vec<ObjectRef> {
        self.items
            .iter()
            .filter(|i| i.action != Action::Delete)
            .map(|i| i.object.clone())
            .collect()
    }
}

/// Who owns an object, by its labels: `None` when `release` does.
pub(crate) fn foreign_owner(object: &DynamicObject, release: &str) -> Option<String> {
    let labels = object.metadata.labels.clone().unwrap_or_default();
    let manager = labels.get(MANAGED_BY).map(String::as_str);
    let instance = labels.get(INSTANCE).map(String::as_str);
    match (manager, instance) {
        (Some(MANAGER), Some(r)) if r == release => None,
        (Some(MANAGER), Some(other)) => Some(format!("it belongs to release {other}")),
        (Some(other), _) => Some(format!("it is managed by {other}")),
        (None, _) => Some("it has no app.kubernetes.io/managed-by=polyaxon label".into()),
    }
}

/// Whether an object another owner holds may be taken over (a release
/// helm installed, when this tool takes it over).
pub type Adopt = dyn Fn(&DynamicObject) -> bool + Sync;

/// Whether `target` may delete `live` when it prunes it: an object of its
/// own, or a cluster-scoped one it is a user of (the deletion then lets go
/// of it and deletes it only when nobody else uses it).
fn prunable(live: &DynamicObject, target: &ReleaseRef) -> bool {
    (live.metadata.namespace.is_none() && uses(live, target))
        || foreign_owner(live, &target.release).is_none()
}

/// Plans applying `manifest` (its normal objects) for `target`, with
/// `previous` the inventory of the revision it replaces (empty for a deploy).
pub async fn plan(
    client: &Client,
    manifest: &Manifest,
    target: &ReleaseRef,
    previous: &[ObjectRef],
) -> Result<Plan, ApplyError> {
    plan_adopting(client, manifest, target, previous, &|_| false).await
}

/// [`plan`], where objects `adopt` accepts count as the release's.
pub async fn plan_adopting(
    client: &Client,
    manifest: &Manifest,
    target: &ReleaseRef,
    previous: &[ObjectRef],
    adopt: &Adopt,
) -> Result<Plan, ApplyError> {
    // The namespace is created by the operation before anything else and is
    // never the release's: a teardown keeps it, with the volumes it keeps.
    let rendered: Vec<RenderedObject> = manifest
        .resources()
        .filter(|o| o.kind() != "Namespace")
        .cloned()
        .collect();
    let mut items: Vec<PlannedObject> = stream::iter(rendered)
        .map(|object| plan_one(client, object, target, adopt))
        .buffered(CONCURRENCY)
        .try_collect()
        .await?;
    let kept: BTreeSet<(String, Option<String>, String)> =
        items.iter().map(|i| key(&i.object)).collect();
    for old in previous {
        if kept.contains(&key(old)) {
            continue;
        }
        let api = api_for(client, old);
        match api.get_opt(&old.name).await {
            Ok(Some(live)) if prunable(&live, target) || adopt(&live) => {
                items.push(PlannedObject {
                    object: old.clone(),
                    action: Action::Delete,
                    rendered: None,
                })
            }
            Ok(_) => {}
            // Its kind may be gone with a CRD the new version dropped.
            Err(e) if is_not_found(&e) => {}
            Err(source) => {
                return Err(ApplyError::Api {
                    action: "read",
                    object: old.to_string(),
                    source: Box::new(source),
                });
            }
        }
    }
    Ok(Plan { items })
}

fn key(object: &ObjectRef) -> (String, Option<String>, String) {
    (
        format!("{}/{}", object.api_version, object.kind),
        object.namespace.clone(),
        object.name.clone(),
    )
}

async fn plan_one(
    client: &Client,
    object: RenderedObject,
    target: &ReleaseRef,
    adopt: &Adopt,
) -> Result<PlannedObject, ApplyError> {
    let release = target.release.as_str();
    let reference = ObjectRef::of(&object);
    let api = dynamic_api(client, &object.resource, object.namespace());
    let err = |action, source| ApplyError::Api {
        action,
        object: reference.to_string(),
        source: Box::new(source),
    };
    let params = PatchParams::apply(FIELD_MANAGER).force().dry_run();
    let patch = Patch::Apply(&object.object);
    // The dry run comes first: for an object that does not exist yet (every
    // object of a first deploy) its answer says so, and no read is needed.
    // It lets the API server refuse an invalid object now, before anything
    // is written.
    let dry_run = api.patch(object.name(), &params, &patch).await;
    let after = match dry_run {
        Ok(after) if !existed(&after) => return Ok(created(reference, object)),
        Ok(after) => after,
        // The kind itself is unknown until its CRD (in this manifest) is
        // applied: it cannot be checked, and nothing of it exists.
        Err(e) if is_not_found(&e) => return Ok(created(reference, object)),
        // Refused: an object someone else owns is named as such.
        Err(e) => {
            if object.namespace().is_some()
                && let Ok(Some(live)) = api.get_opt(object.name()).await
                && !adopt(&live)
                && let Some(owner) = foreign_owner(&live, release)
            {
                return Err(ApplyError::NotOwned {
                    object: reference.to_string(),
                    release: release.to_string(),
                    owner,
                });
            }
            return Err(err("dry-run apply", e));
        }
    };
    let live = match api.get_opt(object.name()).await {
        Ok(Some(live)) => live,
        // Deleted between the dry run and the read: it will be created.
        Ok(None) => return Ok(created(reference, object)),
        Err(e) => return Err(err("read", e)),
    };
    let cluster_scoped = object.namespace().is_none();
    let foreign = foreign_owner(&live, release).filter(|_| !adopt(&live));
    if !cluster_scoped && let Some(owner) = foreign {
        return Err(ApplyError::NotOwned {
            object: reference.to_string(),
            release: release.to_string(),
            owner,
        });
    }
    // Cluster-scoped objects may be shared with other releases.
    if cluster_scoped
        && !adopt(&live)
        && admit(&object, &live, &after, target)? == Admission::UseAsIs
    {
        return Ok(PlannedObject {
            object: reference,
            action: Action::Unchanged,
            rendered: Some(object),
        });
    }
    let changes = changed_paths_of(&live, &after);
    let action = if changes.is_empty() {
        Action::Unchanged
    } else {
        Action::Change(changes)
    };
    Ok(PlannedObject {
        object: reference,
        action,
        rendered: Some(object),
    })
}

/// Whether a dry-run apply's answer is an object that exists: the API
/// server gives a dry-run creation no resourceVersion (nothing was stored).
fn existed(after: &DynamicObject) -> bool {
    after
        .metadata
        .resource_version
        .as_deref()
        .is_some_and(|v| !v.is_empty())
}

/// The plan's line for an object applying creates.
fn created(object: ObjectRef, rendered: RenderedObject) -> PlannedObject {
    PlannedObject {
        object,
        action: Action::Create,
        rendered: Some(rendered),
    }
}

/// The JSON paths where two states of one object differ, ignoring what the
/// server changes on every write.
pub(crate) fn changed_paths_of(before: &DynamicObject, after: &DynamicObject) -> Vec<String> {
    changed_paths(&normalize(before), &normalize(after))
}

/// The object without what the server changes on every write.
fn normalize(object: &DynamicObject) -> Value {
    let mut value = serde_json::to_value(object).unwrap_or(Value::Null);
    if let Some(map) = value.as_object_mut() {
        map.remove("status");
        if let Some(Value::Object(meta)) = map.get_mut("metadata") {
            for volatile in [
                "managedFields",
                "resourceVersion",
                "generation",
                "creationTimestamp",
                "uid",
                "selfLink",
            ] {
                meta.remove(volatile);
            }
        }
    }
    value
}

/// The JSON paths where `before` and `after` differ, e.g.
/// `spec.replicas`, `data.POLYAXON_LOG_LEVEL`.
pub(crate) fn changed_paths(before: &Value, after: &Value) -> Vec<String> {
    let mut paths = Vec::new();
    collect_changes(before, after, String::new(), &mut paths);
    paths
}

fn collect_changes(before: &Value, after: &Value, path: String, out: &mut Vec<String>) {
    match (before, after) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for k in keys {
                let child = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                match (a.get(k), b.get(k)) {
                    (Some(x), Some(y)) => collect_changes(x, y, child, out),
                    _ => out.push(child),
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                collect_changes(x, y, format!("{path}[{i}]"), out);
            }
        }
        (a, b) if a != b => out.push(if path.is_empty() { ".".into() } else { path }),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn changed_paths_name_every_differing_leaf_and_nothing_else() {
        let before = json!({"spec": {"replicas": 1, "template": {"c": [{"image": "a"}, {"image": "b"}]}}, "data": {"x": "1"}});
        let after = json!({"spec": {"replicas": 2, "template": {"c": [{"image": "a"}, {"image": "c"}]}}, "data": {"x": "1", "y": "2"}});
        assert_eq!(
            changed_paths(&before, &after),
            vec!["data.y", "spec.replicas", "spec.template.c[1].image"]
        );
        assert!(changed_paths(&before, &before).is_empty());
    }

    #[test]
    fn ownership_is_read_from_the_release_labels() {
        let mut object = DynamicObject {
            types: None,
            metadata: Default::default(),
            data: json!({}),
        };
        assert!(foreign_owner(&object, "plx").is_some());
        object.metadata.labels = Some(
            [
                (MANAGED_BY.to_string(), MANAGER.to_string()),
                (INSTANCE.to_string(), "plx".to_string()),
            ]
            .into(),
        );
        assert_eq!(foreign_owner(&object, "plx"), None);
        let other = foreign_owner(&object, "agent").unwrap();
        assert!(other.contains("release plx"), "{other}");
    }
}
