//! Waiting until workloads are ready: Deployments available and rolled out,
//! StatefulSets and DaemonSets ready and updated, Jobs complete. Watches the
//! workloads and reports progress; on timeout it says why each is not ready.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::NamespaceResourceScope;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use k8s_openapi::api::batch::v1::Job;
use kube::api::Api;
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Client, Resource, ResourceExt};
use serde::de::DeserializeOwned;
use tokio::time::Instant;

use super::{ApplyError, diagnose};
use crate::event::{Event, Reporter};
use crate::release::ObjectRef;

/// How far a workload is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Readiness {
    pub ready: i32,
    pub desired: i32,
    pub done: bool,
    pub failed: bool,
}

fn deployment(d: &Deployment) -> Readiness {
    let desired = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
    let generation = d.metadata.generation.unwrap_or(0);
    let status = d.status.clone().unwrap_or_default();
    let observed = status.observed_generation.unwrap_or(0) >= generation;
    let available = status.available_replicas.unwrap_or(0);
    let updated = status.updated_replicas.unwrap_or(0);
    let total = status.replicas.unwrap_or(0);
    Readiness {
        ready: available.min(updated),
        desired,
        done: observed && updated >= desired && available >= desired && total <= desired,
        failed: false,
    }
}

fn stateful_set(s: &StatefulSet) -> Readiness {
    let desired = s.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
    let generation = s.metadata.generation.unwrap_or(0);
    let status = s.status.clone().unwrap_or_default();
    let observed = status.observed_generation.unwrap_or(0) >= generation;
    let ready = status.ready_replicas.unwrap_or(0);
    let rolled =
        status.update_revision.is_none() || status.current_revision == status.update_revision;
    Readiness {
        ready,
        desired,
        done: observed && ready >= desired && rolled,
        failed: false,
    }
}

fn daemon_set(d: &DaemonSet) -> Readiness {
    let generation = d.metadata.generation.unwrap_or(0);
    let status = d.status.clone().unwrap_or_default();
    let observed = status.observed_generation.unwrap_or(0) >= generation;
    let desired = status.desired_number_scheduled;
    let ready = status.number_ready;
    let updated = status.updated_number_scheduled.unwrap_or(0);
    Readiness {
        ready,
        desired,
        done: observed && ready >= desired && updated >= desired,
        failed: false,
    }
}

pub(crate) fn job(j: &Job) -> Readiness {
    let desired = j.spec.as_ref().and_then(|s| s.completions).unwrap_or(1);
    let status = j.status.clone().unwrap_or_default();
    let conditions = status.conditions.unwrap_or_default();
    let has = |t: &str| {
        conditions
            .iter()
            .any(|c| c.type_ == t && c.status == "True")
    };
    Readiness {
        ready: status.succeeded.unwrap_or(0),
        desired,
        done: has("Complete"),
        failed: has("Failed"),
    }
}

/// A workload's state as `status` shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct WorkloadState {
    /// `Kind/name`.
    pub workload: String,
    /// Ready replicas (or completed pods).
    pub ready: i32,
    /// Wanted replicas.
    pub desired: i32,
    /// Ready and rolled out (or complete).
    pub done: bool,
}

/// The state of every workload among `objects`, in their order; a workload
/// that is gone shows 0 ready.
pub async fn workload_states(
    client: &Client,
    objects: &[ObjectRef],
) -> Result<Vec<WorkloadState>, kube::Error> {
    let mut states = Vec::new();
    for object in objects.iter().filter(|o| is_workload(&o.kind)) {
        let state = readiness(client, object).await?;
        states.push(match state {
            Some(r) => WorkloadState {
                workload: object.id(),
                ready: r.ready,
                desired: r.desired,
                done: r.done,
            },
            None => WorkloadState {
                workload: object.id(),
                ready: 0,
                desired: 0,
                done: false,
            },
        });
    }
    Ok(states)
}

/// Whether this kind is waited for.
pub(crate) fn is_workload(kind: &str) -> bool {
    matches!(kind, "Deployment" | "StatefulSet" | "DaemonSet" | "Job")
}

async fn readiness(client: &Client, object: &ObjectRef) -> Result<Option<Readiness>, kube::Error> {
    match object.kind.as_str() {
        "Deployment" => read(client, object, deployment).await,
        "StatefulSet" => read(client, object, stateful_set).await,
        "DaemonSet" => read(client, object, daemon_set).await,
        "Job" => read(client, object, job).await,
        _ => Ok(None),
    }
}

/// Reads a workload of kind `K` and how far it is; `None` when it is gone.
async fn read<K>(
    client: &Client,
    object: &ObjectRef,
    how_far: fn(&K) -> Readiness,
) -> Result<Option<Readiness>, kube::Error>
where
    K: Resource<Scope = NamespaceResourceScope> + Clone + DeserializeOwned + std::fmt::Debug,
    K::DynamicType: Default,
{
    let ns = object.namespace.as_deref().unwrap_or("default");
    let api = Api::<K>::namespaced(client.clone(), ns);
    Ok(api
        .get_opt(&object.name)
        .await?
        .map(|found| how_far(&found)))
}

/// What one watch says about one workload.
enum Change {
    /// The watch (re)starts listing: what it saw before no longer counts.
    Restart,
    /// The workload exists and is this far.
    Seen(String, Readiness),
    /// The workload was deleted.
    Gone(String),
    /// The list is complete: a workload not seen by now is not there.
    Listed,
}

/// One watch per kind and namespace: its changes, tagged with its index.
type Changes = futures::stream::BoxStream<'static, (usize, Result<Change, watcher::Error>)>;

/// Watches the objects of kind `K` in `namespace` (one list, then one
/// watch), as [`Change`]s tagged `group`.
fn watch_kind<K>(
    client: &Client,
    namespace: &str,
    group: usize,
    how_far: fn(&K) -> Readiness,
) -> Changes
where
    K: Resource<Scope = NamespaceResourceScope>
        + Clone
        + DeserializeOwned
        + std::fmt::Debug
        + Send
        + 'static,
    K::DynamicType: Default,
{
    let api = Api::<K>::namespaced(client.clone(), namespace);
    watcher(api, watcher::Config::default())
        .default_backoff()
        .filter_map(move |event| {
            let change = match event {
                Ok(watcher::Event::Init) => Some(Ok(Change::Restart)),
                Ok(watcher::Event::InitApply(o) | watcher::Event::Apply(o)) => {
                    Some(Ok(Change::Seen(o.name_any(), how_far(&o))))
                }
                Ok(watcher::Event::Delete(o)) => Some(Ok(Change::Gone(o.name_any()))),
                Ok(watcher::Event::InitDone) => Some(Ok(Change::Listed)),
                Err(e) => Some(Err(e)),
            };
            std::future::ready(change.map(|c| (group, c)))
        })
        .boxed()
}

/// The watch of one kind in one namespace.
fn watch_group(client: &Client, kind: &str, namespace: &str, group: usize) -> Option<Changes> {
    Some(match kind {
        "Deployment" => watch_kind(client, namespace, group, deployment),
        "StatefulSet" => watch_kind(client, namespace, group, stateful_set),
        "DaemonSet" => watch_kind(client, namespace, group, daemon_set),
        "Job" => watch_kind(client, namespace, group, job),
        _ => return None,
    })
}

/// The API error a watch failed with, when the server refused it (a
/// dropped connection is retried by the watch itself).
fn refusal(error: watcher::Error) -> Option<kube::Error> {
    match error {
        watcher::Error::InitialListFailed(e)
        | watcher::Error::WatchStartFailed(e)
        | watcher::Error::WatchFailed(e)
            if matches!(e, kube::Error::Api(_)) && !crate::retry::is_transient(&e) =>
        {
            Some(e)
        }
        _ => None,
    }
}

/// Waits until every workload among `objects` is ready, or `timeout` passes.
/// Watches rather than polls: one list and one watch per kind and
/// namespace, so a workload counts as ready the moment the API server says
/// so, whatever the number of workloads.
pub async fn wait_ready(
    client: &Client,
    objects: &[ObjectRef],
    timeout: Duration,
    reporter: &Reporter,
) -> Result<(), ApplyError> {
    let deadline = Instant::now() + timeout;
    // Workloads by (group, name); groups are (kind, namespace).
    let mut groups: Vec<(String, String)> = Vec::new();
    let mut pending: BTreeMap<(usize, String), &ObjectRef> = BTreeMap::new();
    for object in objects.iter().filter(|o| is_workload(&o.kind)) {
        let key = (
            object.kind.clone(),
            object.namespace.clone().unwrap_or_else(|| "default".into()),
        );
        let group = match groups.iter().position(|g| *g == key) {
            Some(i) => i,
            None => {
                groups.push(key);
                groups.len() - 1
            }
        };
        pending.insert((group, object.name.clone()), object);
    }
    if pending.is_empty() {
        return Ok(());
    }
    let mut changes = futures::stream::select_all(
        groups
            .iter()
            .enumerate()
            .filter_map(|(i, (kind, ns))| watch_group(client, kind, ns, i)),
    );
    let mut seen: BTreeSet<(usize, String)> = BTreeSet::new();
    let mut last: BTreeMap<String, (i32, i32)> = BTreeMap::new();
    while !pending.is_empty() {
        let next = match tokio::time::timeout_at(deadline, changes.next()).await {
            Ok(Some(next)) => next,
            // The watches never end on their own; time is up.
            Ok(None) | Err(_) => {
                tokio::time::sleep_until(deadline).await;
                let mut details = String::new();
                for object in pending.values() {
                    details.push_str(&diagnose(client, object).await);
                }
                return Err(ApplyError::NotReady {
                    seconds: timeout.as_secs(),
                    objects: pending.values().map(|o| o.id()).collect(),
                    details,
                });
            }
        };
        let (group, change) = match next {
            (group, Ok(change)) => (group, change),
            (group, Err(error)) => {
                let Some(source) = refusal(error) else {
                    continue;
                };
                let (kind, ns) = &groups[group];
                return Err(ApplyError::Api {
                    action: "watch",
                    object: format!("{kind} objects (namespace {ns})"),
                    source: Box::new(source),
                });
            }
        };
        match change {
            Change::Restart => seen.retain(|(g, _)| *g != group),
            Change::Listed | Change::Gone(_) => {
                let gone: Vec<&ObjectRef> = match &change {
                    Change::Gone(name) => pending
                        .get(&(group, name.clone()))
                        .copied()
                        .into_iter()
                        .collect(),
                    _ => pending
                        .iter()
                        .filter(|((g, name), _)| *g == group && !seen.contains(&(*g, name.clone())))
                        .map(|(_, o)| *o)
                        .collect(),
                };
                if let Some(object) = gone.first() {
                    return Err(ApplyError::Failed {
                        object: object.to_string(),
                        details: "it disappeared while waiting for it".into(),
                    });
                }
            }
            Change::Seen(name, state) => {
                let key = (group, name);
                seen.insert(key.clone());
                let Some(object) = pending.get(&key).copied() else {
                    continue;
                };
                let id = object.id();
                if last.get(&id) != Some(&(state.ready, state.desired)) {
                    last.insert(id.clone(), (state.ready, state.desired));
                    reporter(Event::Progress {
                        id: id.clone(),
                        ready: state.ready,
                        desired: state.desired,
                    });
                }
                if state.failed {
                    return Err(ApplyError::Failed {
                        object: object.to_string(),
                        details: diagnose(client, object).await,
                    });
                }
                if state.done {
                    reporter(Event::Ready(id));
                    pending.remove(&key);
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::apps::v1::{DeploymentSpec, DeploymentStatus};

    #[test]
    fn a_deployment_is_ready_only_when_its_new_replicas_are_available() {
        let mut d = Deployment {
            spec: Some(DeploymentSpec {
                replicas: Some(2),
                ..Default::default()
            }),
            ..Default::default()
        };
        d.metadata.generation = Some(3);
        d.status = Some(DeploymentStatus {
            observed_generation: Some(3),
            replicas: Some(3),
            updated_replicas: Some(2),
            available_replicas: Some(2),
            ..Default::default()
        });
        // An old replica is still around: the rollout is not finished.
        assert!(!deployment(&d).done);
        d.status.as_mut().unwrap().replicas = Some(2);
        assert!(deployment(&d).done);
        d.status.as_mut().unwrap().observed_generation = Some(2);
        assert!(
            !deployment(&d).done,
            "the controller has not seen generation 3 yet"
        );
    }
}
