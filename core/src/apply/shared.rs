//! Cluster-scoped objects (CRDs, ClusterRoles, ClusterRoleBindings) that
//! several releases use at once.
//!
//! The charts name their CRDs alike for every release, so one cluster with
//! an agent per team namespace shares them. Each such object records which
//! releases use it in the annotation [`RELEASES_ANNOTATION`]
//! (`namespace/release`, comma-separated). Deploy, upgrade and rollback add
//! their release; teardown and prune remove it and delete the object only
//! when no release of ours, no helm-installed Polyaxon release and no
//! remaining custom resource of its kind still needs it. Both sides run
//! under one cluster-wide Lease, so a teardown never deletes what a deploy
//! is registering at the same moment.
//!
//! Names the chart derives from the release name alone (the ClusterRoles of
//! an agent with additional namespaces) collide when one release name is
//! used in two namespaces: the second deploy is refused before anything is
//! written, unless its objects would be identical.

use std::collections::BTreeSet;
use std::time::Duration;

use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, DeleteParams, DynamicObject, ListParams, Patch, PatchParams};
use kube::discovery::ApiResource;
use kube::{Client, ResourceExt};
use serde_json::json;
use tokio::time::Instant;

use super::plan::changed_paths_of;
use super::{
    ApplyError, FIELD_MANAGER, Plan, api_for, delete_live, dynamic_api, is_not_found, read_live,
};
use crate::chart_version::ChartVersion;
use crate::event::{Event, Reporter};
use crate::helm::decode;
use crate::helm::store::OWNER_LABEL;
use crate::release::{LockError, ObjectRef, ReleaseLock, ReleaseRef};
use crate::render::labels::{INSTANCE, MANAGED_BY, MANAGER};
use crate::render::{RenderedObject, crd_definitions};

/// Annotation listing the releases (`namespace/release`) that use a
/// cluster-scoped object.
pub const RELEASES_ANNOTATION: &str = "polyaxon.com/releases";
/// Namespace of the cluster-wide Lease guarding [`RELEASES_ANNOTATION`].
pub const CLUSTER_LOCK_NAMESPACE: &str = "default";
/// The cluster-wide lock's name; its Lease is `polyaxon.lock.<this>`.
pub const CLUSTER_LOCK_NAME: &str = "cluster-scoped-objects";
/// The field manager of the annotation: not [`FIELD_MANAGER`], so that a
/// server-side apply of the rendered object (which never sets it) does not
/// remove it.
const RELEASES_MANAGER: &str = "polyaxon-releases";
/// helm's annotations naming the release that installed an object.
const HELM_RELEASE_NAME: &str = "meta.helm.sh/release-name";
const HELM_RELEASE_NAMESPACE: &str = "meta.helm.sh/release-namespace";
/// helm's value of the managed-by label.
const HELM_MANAGER: &str = "Helm";
/// The charts that install Polyaxon's operator with helm.
const HELM_POLYAXON_CHARTS: [&str; 2] = ["polyaxon", "agent"];
const POLL: Duration = Duration::from_millis(500);

/// How a release names itself in [`RELEASES_ANNOTATION`].
pub fn user_id(target: &ReleaseRef) -> String {
    format!("{}/{}", target.namespace, target.release)
}

/// The releases an object records as its users. An object written before
/// the annotation existed names its release by label only: `*/<release>`.
pub fn users(object: &DynamicObject) -> BTreeSet<String> {
    let annotations = object.metadata.annotations.clone().unwrap_or_default();
    if let Some(list) = annotations.get(RELEASES_ANNOTATION) {
        return list
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
    }
    let labels = object.metadata.labels.clone().unwrap_or_default();
    match (labels.get(MANAGED_BY), labels.get(INSTANCE)) {
        (Some(m), Some(release)) if m == MANAGER => [format!("*/{release}")].into(),
        _ => BTreeSet::new(),
    }
}

/// Whether `users` names `target` (or, for an object from before the
/// annotation, its release name).
fn names(users: &BTreeSet<String>, target: &ReleaseRef) -> bool {
    users.contains(&user_id(target)) || users.contains(&format!("*/{}", target.release))
}

/// Whether `live` records `target` as a user.
pub(crate) fn uses(live: &DynamicObject, target: &ReleaseRef) -> bool {
    names(&users(live), target)
}

/// `users` without `target`.
fn others(users: &BTreeSet<String>, target: &ReleaseRef) -> BTreeSet<String> {
    let legacy = format!("*/{}", target.release);
    users
        .iter()
        .filter(|u| **u != user_id(target) && **u != legacy)
        .cloned()
        .collect()
}

fn managed_by(object: &DynamicObject) -> Option<String> {
    object.labels().get(MANAGED_BY).cloned()
}

fn is_crd(kind: &str) -> bool {
    kind == "CustomResourceDefinition"
}

/// What the plan does with an existing cluster-scoped object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Admission {
    /// Compare and apply it as usual.
    Apply,
    /// Use it as it is and never write it (a CRD helm installed).
    UseAsIs,
}

/// Whether `target` may use the existing cluster-scoped object `live` in
/// place of the rendered `object`; `after` is the rendered object applied
/// in a dry run (to tell identical objects from different ones).
pub(crate) fn admit(
    object: &RenderedObject,
    live: &DynamicObject,
    after: &DynamicObject,
    target: &ReleaseRef,
) -> Result<Admission, ApplyError> {
    let reference = ObjectRef::of(object);
    match managed_by(live).as_deref() {
        Some(MANAGER) => {}
        Some(HELM_MANAGER) if is_crd(object.kind()) => return Ok(Admission::UseAsIs),
        other => {
            return Err(ApplyError::NotOwned {
                object: reference.to_string(),
                release: target.release.clone(),
                owner: match other {
                    Some(m) => format!("it is managed by {m}"),
                    None => "it has no app.kubernetes.io/managed-by=polyaxon label".into(),
                },
            });
        }
    }
    let holders = others(&users(live), target);
    // The charts name CRDs alike for every release: they are shared.
    if holders.is_empty() || is_crd(object.kind()) {
        return Ok(Admission::Apply);
    }
    let differences = changed_paths_of(live, after);
    if differences.is_empty() {
        return Ok(Admission::Apply);
    }
    Err(ApplyError::NameTaken {
        object: reference.to_string(),
        release: user_id(target),
        holders: holders.into_iter().collect(),
        differences,
    })
}

/// How a failed `action` (read, apply, ...) on `object` reaches the user.
fn api_failure(object: &RenderedObject) -> impl Fn(&'static str, kube::Error) -> ApplyError {
    let reference = ObjectRef::of(object).to_string();
    move |action, source| ApplyError::Api {
        action,
        object: reference.clone(),
        source: Box::new(source),
    }
}

/// The live copy of the cluster-scoped `object`, if there is one.
async fn read_cluster_scoped(
    api: &Api<DynamicObject>,
    object: &RenderedObject,
    err: &impl Fn(&'static str, kube::Error) -> ApplyError,
) -> Result<Option<DynamicObject>, ApplyError> {
    match api.get_opt(object.name()).await {
        Ok(live) => Ok(live),
        Err(e) if is_not_found(&e) => Ok(None),
        Err(e) => Err(err("read", e)),
    }
}

/// Refuses, before anything is written (the namespace included), a
/// manifest whose cluster-scoped names another release already uses with
/// different content. Reads and dry-runs only.
pub async fn check_names(
    client: &Client,
    objects: impl Iterator<Item = &RenderedObject>,
    target: &ReleaseRef,
) -> Result<(), ApplyError> {
    for object in objects.filter(|o| o.namespace().is_none() && o.kind() != "Namespace") {
        let api = dynamic_api(client, &object.resource, None);
        let err = api_failure(object);
        let Some(live) = read_cluster_scoped(&api, object, &err).await? else {
            continue;
        };
        let params = PatchParams::apply(FIELD_MANAGER).force().dry_run();
        let patch = Patch::Apply(&object.object);
        let after = api
            .patch(object.name(), &params, &patch)
            .await
            .map_err(|e| err("dry-run apply", e))?;
        admit(object, &live, &after, target)?;
    }
    Ok(())
}

/// The cluster-wide lock, waited for up to `timeout` (it is held for
/// seconds at a time: while a release applies or releases its shared
/// objects).
pub(crate) async fn cluster_lock(
    client: &Client,
    operation: &str,
    timeout: Duration,
    reporter: &Reporter,
) -> Result<ReleaseLock, ApplyError> {
    let deadline = Instant::now() + timeout;
    let mut told = false;
    loop {
        let taken = ReleaseLock::acquire(
            client.clone(),
            CLUSTER_LOCK_NAMESPACE,
            CLUSTER_LOCK_NAME,
            operation,
        )
        .await;
        match taken {
            Ok(lock) => return Ok(lock),
            Err(LockError::Held { holder, .. }) => {
                if Instant::now() >= deadline {
                    return Err(ApplyError::TimedOut {
                        seconds: timeout.as_secs(),
                        what: format!("the lock of cluster-scoped objects, held by {holder}"),
                    });
                }
                if !told {
                    reporter(Event::Waiting {
                        what: format!("the lock of cluster-scoped objects, held by {holder}"),
                        seconds: timeout.as_secs(),
                    });
                    told = true;
                }
                tokio::time::sleep(POLL).await;
            }
            Err(lost @ LockError::Lost { .. }) => {
                return Err(ApplyError::Failed {
                    object: format!(
                        "Lease/{} (namespace {CLUSTER_LOCK_NAMESPACE})",
                        ReleaseLock::lease_name(CLUSTER_LOCK_NAME)
                    ),
                    details: lost.to_string(),
                });
            }
            Err(LockError::Api { source, .. }) => {
                return Err(ApplyError::Api {
                    action: "take",
                    object: format!(
                        "Lease/{} (namespace {CLUSTER_LOCK_NAMESPACE})",
                        ReleaseLock::lease_name(CLUSTER_LOCK_NAME)
                    ),
                    source,
                });
            }
        }
    }
}

/// Runs `work` holding the cluster-wide lock (waited for up to `timeout`),
/// and gives it back whatever `work` returns.
async fn with_cluster_lock<T>(
    client: &Client,
    operation: &str,
    timeout: Duration,
    reporter: &Reporter,
    work: impl Future<Output = Result<T, ApplyError>>,
) -> Result<T, ApplyError> {
    let lock = cluster_lock(client, operation, timeout, reporter).await?;
    let result = work.await;
    let _ = lock.release().await;
    result
}

/// Applies `plan` holding the cluster-wide lock, and records `target` as a
/// user of every cluster-scoped object it renders.
pub async fn apply_registered(
    client: &Client,
    plan: &Plan,
    target: &ReleaseRef,
    concurrency: usize,
    timeout: Duration,
    reporter: &Reporter,
) -> Result<(), ApplyError> {
    let shared: Vec<&RenderedObject> = plan
        .items
        .iter()
        .filter_map(|i| i.rendered.as_ref())
        .filter(|o| o.namespace().is_none() && o.kind() != "Namespace")
        .collect();
    if shared.is_empty() {
        return super::apply_plan(client, plan, concurrency, reporter).await;
    }
    let operation = format!("apply of release {}", user_id(target));
    let work = async {
        super::apply_plan(client, plan, concurrency, reporter).await?;
        // Each object's list of users is its own: registered all at once.
        futures::future::try_join_all(
            shared
                .into_iter()
                .map(|object| register(client, object, target)),
        )
        .await?;
        Ok(())
    };
    with_cluster_lock(client, &operation, timeout, reporter, work).await
}

/// Adds `target` to the users of `object`; applies the object first if it
/// is gone (a teardown of its last other user removed it after the plan).
async fn register(
    client: &Client,
    object: &RenderedObject,
    target: &ReleaseRef,
) -> Result<(), ApplyError> {
    let api = dynamic_api(client, &object.resource, None);
    let err = api_failure(object);
    let live = match read_cluster_scoped(&api, object, &err).await? {
        Some(live) => live,
        None => {
            let params = PatchParams::apply(FIELD_MANAGER).force();
            let patch = Patch::Apply(&object.object);
            api.patch(object.name(), &params, &patch)
                .await
                .map_err(|e| err("apply", e))?
        }
    };
    let mut list: BTreeSet<String> = users(&live)
        .into_iter()
        .filter(|u| !u.starts_with("*/"))
        .collect();
    if !list.insert(user_id(target)) && live.annotations().contains_key(RELEASES_ANNOTATION) {
        return Ok(());
    }
    write_users(&api, &live, &list)
        .await
        .map_err(|e| err("annotate", e))
}

async fn write_users(
    api: &Api<DynamicObject>,
    live: &DynamicObject,
    list: &BTreeSet<String>,
) -> Result<(), kube::Error> {
    let value = list.iter().cloned().collect::<Vec<_>>().join(",");
    // The resourceVersion makes the write fail rather than overwrite a
    // change made since the read.
    let patch = json!({"metadata": {
        "resourceVersion": live.resource_version(),
        "annotations": {RELEASES_ANNOTATION: value},
    }});
    let params = PatchParams {
        field_manager: Some(RELEASES_MANAGER.into()),
        ..PatchParams::default()
    };
    api.patch(&live.name_any(), &params, &Patch::Merge(&patch))
        .await
        .map(|_| ())
}

/// What happened to one cluster-scoped object a release let go of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Released {
    /// Nobody else used it: deleted.
    Deleted(String),
    /// Kept: who still holds it.
    Kept {
        /// The object (`Kind/name`).
        id: String,
        /// Who holds it, as a person reads it.
        holder: String,
    },
}

/// Removes `target` from the users of the cluster-scoped `objects` and
/// deletes those nobody else needs, holding the cluster-wide lock; waits up
/// to `timeout` for the deletions. Objects not managed by this tool are left
/// alone.
pub async fn release_shared(
    client: &Client,
    objects: &[ObjectRef],
    target: &ReleaseRef,
    timeout: Duration,
    reporter: &Reporter,
) -> Result<Vec<Released>, ApplyError> {
    let shared: Vec<&ObjectRef> = objects.iter().filter(|o| o.namespace.is_none()).collect();
    if shared.is_empty() {
        return Ok(Vec::new());
    }
    let operation = format!("teardown of release {}", user_id(target));
    let work = async {
        let mut outcome = Vec::new();
        let mut waits = Vec::new();
        for object in shared {
            match release_one(client, object, target).await? {
                Some(Ok(uid)) => {
                    reporter(Event::Deleted(object.id()));
                    outcome.push(Released::Deleted(object.id()));
                    waits.push((object, uid));
                }
                Some(Err(holder)) => {
                    reporter(Event::Skipped {
                        id: object.id(),
                        reason: format!("kept: {holder}"),
                    });
                    outcome.push(Released::Kept {
                        id: object.id(),
                        holder,
                    });
                }
                None => {}
            }
        }
        if !waits.is_empty() {
            reporter(Event::Waiting {
                what: format!("{} cluster-scoped object(s) to be deleted", waits.len()),
                seconds: timeout.as_secs(),
            });
        }
        let mut left = Vec::new();
        for (object, uid) in waits {
            if let Some(id) = super::delete::wait_gone(client, object, uid, timeout).await {
                left.push(id);
            }
        }
        if !left.is_empty() {
            return Err(ApplyError::NotDeleted { objects: left });
        }
        Ok(outcome)
    };
    with_cluster_lock(client, &operation, timeout, reporter, work).await
}

/// Lets go of one object: `None` when it is gone or not ours to touch,
/// `Some(Ok(uid))` when deleted, `Some(Err(holder))` when kept.
async fn release_one(
    client: &Client,
    object: &ObjectRef,
    target: &ReleaseRef,
) -> Result<Option<Result<String, String>>, ApplyError> {
    let api = api_for(client, object);
    let err = |action, source| ApplyError::Api {
        action,
        object: object.to_string(),
        source: Box::new(source),
    };
    let Some(live) = read_live(client, object).await? else {
        return Ok(None);
    };
    let users = users(&live);
    let remaining = others(&users, target);
    if let Some(holder) = helm_holder(client, &live, target)
        .await
        .map_err(|e| err("read", e))?
    {
        if live.annotations().contains_key(RELEASES_ANNOTATION) && names(&users, target) {
            write_users(&api, &live, &remaining)
                .await
                .map_err(|e| err("annotate", e))?;
        }
        return Ok(Some(Err(holder)));
    }
    if managed_by(&live).as_deref() != Some(MANAGER) {
        return Ok(None);
    }
    if !remaining.is_empty() {
        if names(&users, target) {
            write_users(&api, &live, &remaining)
                .await
                .map_err(|e| err("annotate", e))?;
        }
        let list: Vec<String> = remaining.into_iter().collect();
        return Ok(Some(Err(format!("used by release {}", list.join(", ")))));
    }
    if is_crd(&object.kind)
        && let Some(holder) = custom_objects_left(client, &live)
            .await
            .map_err(|e| err("list objects of", e))?
    {
        return Ok(Some(Err(holder)));
    }
    let deleted = delete_live(client, object, &live, &DeleteParams::background()).await?;
    Ok(deleted.map(Ok))
}

/// Deletes a release's `objects` within `options.timeout`: its namespaced
/// ones last stage first ([`super::delete_objects`]), then lets go of its
/// cluster-scoped ones ([`release_shared`]).
pub async fn delete_release_objects(
    client: &Client,
    objects: &[ObjectRef],
    target: &ReleaseRef,
    options: &super::DeleteOptions,
    reporter: &Reporter,
) -> Result<Vec<Released>, ApplyError> {
    let deadline = Instant::now() + options.timeout;
    let (namespaced, cluster): (Vec<ObjectRef>, Vec<ObjectRef>) =
        objects.iter().cloned().partition(|o| o.namespace.is_some());
    super::delete_objects(client, &namespaced, &target.release, options, reporter).await?;
    let left = deadline.saturating_duration_since(Instant::now());
    release_shared(client, &cluster, target, left, reporter).await
}

/// A helm release other than `target` that still uses `live`: the one its
/// helm annotations name, if helm still has records of it; for a Polyaxon
/// CRD, any deployed helm release of a Polyaxon chart (helm installs CRDs
/// from the chart's `crds/` folder without annotations). `target` itself
/// never holds what it lets go of: a teardown of a release helm installed
/// finds its own annotations and records until it retires them.
async fn helm_holder(
    client: &Client,
    live: &DynamicObject,
    target: &ReleaseRef,
) -> Result<Option<String>, kube::Error> {
    let is_target =
        |namespace: &str, name: &str| namespace == target.namespace && name == target.release;
    let annotations = live.annotations();
    if let (Some(name), Some(namespace)) = (
        annotations.get(HELM_RELEASE_NAME),
        annotations.get(HELM_RELEASE_NAMESPACE),
    ) && !is_target(namespace.as_str(), name.as_str())
    {
        let secrets: Api<Secret> = Api::namespaced(client.clone(), namespace);
        let records = secrets
            .list(&ListParams::default().labels(&format!("{OWNER_LABEL},name={name}")))
            .await?;
        if !records.items.is_empty() {
            return Ok(Some(format!("used by helm release {namespace}/{name}")));
        }
    }
    let Some(group) = crd_group(live) else {
        return Ok(None);
    };
    if !is_polyaxon_group(&group) {
        return Ok(None);
    }
    let secrets: Api<Secret> = Api::all(client.clone());
    let deployed = secrets
        .list(&ListParams::default().labels(&format!("{OWNER_LABEL},status=deployed")))
        .await?;
    for secret in deployed.items {
        let Some(data) = secret.data.as_ref().and_then(|d| d.get("release")) else {
            continue;
        };
        if let Ok(release) = decode(&data.0)
            && !is_target(release.namespace.as_str(), release.name.as_str())
            && uses_group(&release.chart, &release.chart_version, &group)
        {
            return Ok(Some(format!(
                "used by helm release {}/{} (chart {})",
                release.namespace, release.name, release.chart
            )));
        }
    }
    Ok(None)
}

/// Whether helm's release of `chart` at `chart_version` uses the Polyaxon
/// CRDs of `group`.
fn uses_group(chart: &str, chart_version: &str, group: &str) -> bool {
    HELM_POLYAXON_CHARTS.contains(&chart)
        && helm_chart_group(chart_version).is_none_or(|g| g == group)
}

/// The CRD group a Polyaxon chart version ships (`None` when its version
/// cannot be read: then it counts as using any).
fn helm_chart_group(chart_version: &str) -> Option<&'static str> {
    let version = semver::Version::parse(chart_version).ok()?;
    let chart = ChartVersion::exactly(version.major, version.minor, version.patch);
    Some(crd_definitions(&chart).group)
}

fn crd_group(live: &DynamicObject) -> Option<String> {
    live.data
        .get("spec")?
        .get("group")?
        .as_str()
        .map(str::to_string)
}

/// Whether an API group is one of Polyaxon's (`polyaxon.com`,
/// `core.polyaxon.com`).
pub fn is_polyaxon_group(group: &str) -> bool {
    group == "polyaxon.com" || group.ends_with(".polyaxon.com")
}

/// The API resource of a CRD's kind, at its storage version.
pub(crate) fn crd_resource(crd: &CustomResourceDefinition) -> Option<ApiResource> {
    let spec = &crd.spec;
    let version = spec
        .versions
        .iter()
        .find(|v| v.storage)
        .or_else(|| spec.versions.first())?;
    Some(ApiResource {
        group: spec.group.clone(),
        version: version.name.clone(),
        api_version: format!("{}/{}", spec.group, version.name),
        kind: spec.names.kind.clone(),
        plural: spec.names.plural.clone(),
    })
}

/// Objects of the CRD's kind still in the cluster (anywhere: this release's
/// own were deleted before): deleting the CRD would delete them too.
async fn custom_objects_left(
    client: &Client,
    live: &DynamicObject,
) -> Result<Option<String>, kube::Error> {
    let Ok(crd) = serde_json::from_value::<CustomResourceDefinition>(
        serde_json::to_value(live).unwrap_or_default(),
    ) else {
        return Ok(None);
    };
    let Some(resource) = crd_resource(&crd) else {
        return Ok(None);
    };
    let api: Api<DynamicObject> = Api::all_with(client.clone(), &resource);
    let left = match api.list(&ListParams::default().limit(100)).await {
        Ok(list) => list.items,
        Err(e) if is_not_found(&e) => return Ok(None),
        Err(e) => return Err(e),
    };
    if left.is_empty() {
        return Ok(None);
    }
    let namespaces: BTreeSet<String> = left.iter().filter_map(|o| o.namespace()).collect();
    let namespaces: Vec<String> = namespaces.into_iter().collect();
    Ok(Some(format!(
        "{} {} object(s) remain in namespace(s) {}",
        left.len(),
        resource.kind,
        namespaces.join(", ")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(labels: &[(&str, &str)], annotation: Option<&str>) -> DynamicObject {
        let mut o = DynamicObject {
            types: None,
            metadata: Default::default(),
            data: json!({}),
        };
        o.metadata.labels = Some(
            labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        );
        if let Some(a) = annotation {
            o.metadata.annotations =
                Some([(RELEASES_ANNOTATION.to_string(), a.to_string())].into());
        }
        o
    }

    fn target(namespace: &str, release: &str) -> ReleaseRef {
        ReleaseRef {
            namespace: namespace.into(),
            release: release.into(),
        }
    }

    #[test]
    fn users_come_from_the_annotation_else_from_the_instance_label() {
        let annotated = object(
            &[(MANAGED_BY, MANAGER), (INSTANCE, "agent")],
            Some("a/agent, b/agent"),
        );
        assert_eq!(
            users(&annotated),
            BTreeSet::from(["a/agent".to_string(), "b/agent".to_string()])
        );
        let legacy = object(&[(MANAGED_BY, MANAGER), (INSTANCE, "agent")], None);
        assert_eq!(users(&legacy), BTreeSet::from(["*/agent".to_string()]));
        assert!(users(&object(&[], None)).is_empty());
    }

    #[test]
    fn the_same_release_name_in_another_namespace_is_another_user() {
        let list = BTreeSet::from(["a/agent".to_string(), "c/polyaxon".to_string()]);
        assert!(names(&list, &target("a", "agent")));
        assert!(!names(&list, &target("b", "agent")));
        assert_eq!(
            others(&list, &target("a", "agent")),
            BTreeSet::from(["c/polyaxon".to_string()])
        );
        let legacy = BTreeSet::from(["*/agent".to_string()]);
        assert!(others(&legacy, &target("b", "agent")).is_empty());
    }

    #[test]
    fn a_helm_chart_uses_the_crd_group_of_its_generation() {
        assert_eq!(helm_chart_group("2.11.1"), Some("core.polyaxon.com"));
        assert_eq!(helm_chart_group("2.12.0"), Some("polyaxon.com"));
        assert_eq!(helm_chart_group("not a version"), None);
    }

    /// A cluster-scoped object of `kind` as rendered, with `rules`.
    fn rendered(kind: &str, rules: &serde_json::Value) -> RenderedObject {
        let mut o = object(&[(MANAGED_BY, MANAGER), (INSTANCE, "agent")], None);
        o.metadata.name = Some("agent-polyaxon-agent-clusterrole".into());
        o.data = json!({ "rules": rules });
        RenderedObject {
            stage: crate::render::Stage::Rbac,
            hook: None,
            resource: ApiResource {
                group: "rbac.authorization.k8s.io".into(),
                version: "v1".into(),
                api_version: "rbac.authorization.k8s.io/v1".into(),
                kind: kind.into(),
                plural: format!("{}s", kind.to_lowercase()),
            },
            namespaced: false,
            object: o,
        }
    }

    /// The live object `rendered` as the release `holders` applied it.
    fn live(rendered: &RenderedObject, holders: &str) -> DynamicObject {
        let mut live = rendered.object.clone();
        live.metadata
            .annotations
            .get_or_insert_default()
            .insert(RELEASES_ANNOTATION.into(), holders.into());
        live
    }

    #[test]
    fn one_release_name_in_two_namespaces_shares_identical_objects_only() {
        let role = rendered("ClusterRole", &json!([{"verbs": ["get"]}]));
        let held = live(&role, "team-a/agent");
        let same = live(&role, "team-a/agent");
        assert_eq!(
            admit(&role, &held, &same, &target("team-b", "agent")).unwrap(),
            Admission::Apply,
            "identical: shared"
        );
        let other = rendered("ClusterRole", &json!([{"verbs": ["get", "list"]}]));
        let after = live(&other, "team-a/agent");
        let refused = admit(&other, &held, &after, &target("team-b", "agent"));
        let Err(ApplyError::NameTaken {
            holders,
            differences,
            ..
        }) = refused
        else {
            panic!("a different object under a taken name is refused: {refused:?}");
        };
        assert_eq!(holders, ["team-a/agent"]);
        assert!(
            differences.iter().any(|d| d.starts_with("rules")),
            "{differences:?}"
        );
        assert_eq!(
            admit(&other, &held, &after, &target("team-a", "agent")).unwrap(),
            Admission::Apply,
            "its own release changes it"
        );
    }

    #[test]
    fn crds_are_shared_and_helms_are_used_as_they_are() {
        let crd = rendered("CustomResourceDefinition", &json!([]));
        let held = live(&crd, "team-a/agent");
        let changed = live(
            &rendered("CustomResourceDefinition", &json!([1])),
            "team-a/agent",
        );
        assert_eq!(
            admit(&crd, &held, &changed, &target("team-b", "other")).unwrap(),
            Admission::Apply
        );
        let mut helms = held.clone();
        helms.metadata.labels = Some([(MANAGED_BY.to_string(), "Helm".to_string())].into());
        assert_eq!(
            admit(&crd, &helms, &changed, &target("team-b", "other")).unwrap(),
            Admission::UseAsIs
        );
        let role = rendered("ClusterRole", &json!([]));
        let mut foreign = live(&role, "");
        foreign.metadata.labels = None;
        assert!(matches!(
            admit(&role, &foreign, &foreign, &target("team-b", "agent")),
            Err(ApplyError::NotOwned { .. })
        ));
    }

    #[test]
    fn a_helm_release_uses_the_crds_of_its_chart_generation_only() {
        assert!(uses_group("agent", "2.15.1", "polyaxon.com"));
        assert!(uses_group("polyaxon", "2.11.1", "core.polyaxon.com"));
        assert!(!uses_group("agent", "2.11.1", "polyaxon.com"));
        assert!(!uses_group("ponos", "2.15.1", "polyaxon.com"));
        assert!(uses_group("agent", "unreadable", "polyaxon.com"));
    }

    #[test]
    fn polyaxon_groups_are_recognised() {
        assert!(is_polyaxon_group("polyaxon.com"));
        assert!(is_polyaxon_group("core.polyaxon.com"));
        assert!(!is_polyaxon_group("kwok.x-k8s.io"));
        assert!(!is_polyaxon_group("notpolyaxon.com"));
    }
}
