//! Waiting until workloads are ready: Deployments available and rolled out,
//! StatefulSets and DaemonSets ready and updated, Jobs complete. Polls once a
//! second and reports progress; on timeout it says why each is not ready.

use std::collections::BTreeMap;
use std::time::Duration;

use k8s_openapi::NamespaceResourceScope;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use k8s_openapi::api::batch::v1::Job;
use kube::api::Api;
use kube::{Client, Resource};
use serde::de::DeserializeOwned;
use tokio::time::Instant;

use super::{ApplyError, diagnose, is_not_found};
use crate::event::{Event, Reporter};
use crate::release::ObjectRef;
use crate::retry::retry;

const POLL: Duration = Duration::from_secs(1);

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
        let state = retry(|| readiness(client, object)).await?;
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

/// Waits until every workload among `objects` is ready, or `timeout` passes.
pub async fn wait_ready(
    client: &Client,
    objects: &[ObjectRef],
    timeout: Duration,
    reporter: &Reporter,
) -> Result<(), ApplyError> {
    let deadline = Instant::now() + timeout;
    let mut pending: BTreeMap<String, &ObjectRef> = objects
        .iter()
        .filter(|o| is_workload(&o.kind))
        .map(|o| (o.id(), o))
        .collect();
    let mut last: BTreeMap<String, (i32, i32)> = BTreeMap::new();
    loop {
        let mut still = BTreeMap::new();
        for (id, object) in pending {
            let state = match retry(|| readiness(client, object)).await {
                Ok(state) => state,
                Err(e) if is_not_found(&e) => None,
                Err(source) => {
                    return Err(ApplyError::Api {
                        action: "read",
                        object: object.to_string(),
                        source: Box::new(source),
                    });
                }
            };
            let Some(state) = state else {
                return Err(ApplyError::Failed {
                    object: object.to_string(),
                    details: "it disappeared while waiting for it".into(),
                });
            };
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
            } else {
                still.insert(id, object);
            }
        }
        pending = still;
        if pending.is_empty() {
            return Ok(());
        }
        if Instant::now() >= deadline {
            let mut details = String::new();
            for object in pending.values() {
                details.push_str(&diagnose(client, object).await);
            }
            return Err(ApplyError::NotReady {
                seconds: timeout.as_secs(),
                objects: pending.keys().cloned().collect(),
                details,
            });
        }
        tokio::time::sleep(POLL).await;
    }
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
