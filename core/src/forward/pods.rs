//! Which pod behind the gateway Service gets the next connection, and, when
//! none can, why: plain functions over `Pod` objects, so that the rules are
//! tested without a cluster.

use std::fmt;

use k8s_openapi::api::core::v1::{ContainerStatus, Pod};
use kube::ResourceExt;

use super::gateway::TargetPort;

/// A pod that can take connections, and the pod port to forward to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodTarget {
    /// The pod's name.
    pub name: String,
    /// The container port the Service's target port resolves to in this pod.
    pub port: u16,
}

impl fmt::Display for PodTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "pod {} port {}", self.name, self.port)
    }
}

/// Why one pod cannot take connections, in words a user can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodProblem {
    /// The pod's name.
    pub pod: String,
    /// What is wrong with it.
    pub reason: String,
}

impl fmt::Display for PodProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "pod {}: {}", self.pod, self.reason)
    }
}

impl PodProblem {
    /// Each pod's problem, `; `-separated, or `none` when there is no pod
    /// (said differently where the absence of pods is read).
    pub fn list(problems: &[PodProblem], none: impl FnOnce() -> String) -> String {
        if problems.is_empty() {
            return none();
        }
        problems
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// The outcome of looking at the pods behind the Service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// This pod takes new connections.
    Ready(PodTarget),
    /// No pod can; one problem per pod (empty when no pod matches the selector).
    NoneReady(Vec<PodProblem>),
}

/// Is the pod Ready and not on its way out?
pub fn is_ready(pod: &Pod) -> bool {
    pod.metadata.deletion_timestamp.is_none()
        && pod
            .status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .is_some_and(|conditions| {
                conditions
                    .iter()
                    .any(|c| c.type_ == "Ready" && c.status == "True")
            })
}

/// The container port that `target` names in this pod.
pub fn resolve_port(pod: &Pod, target: &TargetPort) -> Result<u16, String> {
    match target {
        TargetPort::Number(port) => Ok(*port),
        TargetPort::Name(name) => pod
            .spec
            .iter()
            .flat_map(|spec| spec.containers.iter())
            .flat_map(|container| container.ports.iter().flatten())
            .find(|port| port.name.as_deref() == Some(name.as_str()))
            .ok_or_else(|| format!("has no container port named `{name}`"))
            .and_then(|port| {
                u16::try_from(port.container_port).map_err(|_| {
                    format!(
                        "container port `{name}` is {}, not a TCP port number",
                        port.container_port
                    )
                })
            }),
    }
}

/// Picks the pod for new connections: the current one while it stays Ready
/// (connections keep going to one pod, as kubectl does), otherwise the newest
/// Ready pod (during a rollout, the one that will stay). Pods named in
/// `avoid` just failed a connection and are passed over while others exist.
pub fn choose(
    pods: &[&Pod],
    target: &TargetPort,
    current: Option<&str>,
    avoid: &[String],
) -> Selection {
    let mut usable: Vec<(&Pod, u16)> = Vec::new();
    let mut problems = Vec::new();
    for pod in pods {
        match why_not_usable(pod, target) {
            Some(reason) => problems.push(PodProblem {
                pod: pod.name_any(),
                reason,
            }),
            None => {
                // A Ready pod whose port does not resolve is reported by why_not_usable.
                if let Ok(port) = resolve_port(pod, target) {
                    usable.push((pod, port));
                }
            }
        }
    }
    let to_target = |(pod, port): &(&Pod, u16)| PodTarget {
        name: pod.name_any(),
        port: *port,
    };
    if let Some(current) = current
        && let Some(kept) = usable.iter().find(|(pod, _)| pod.name_any() == current)
        && !avoid.iter().any(|a| a == current)
    {
        return Selection::Ready(to_target(kept));
    }
    let newest_first = |a: &(&Pod, u16), b: &(&Pod, u16)| {
        let created = |p: &Pod| p.metadata.creation_timestamp.clone();
        created(b.0)
            .cmp(&created(a.0))
            .then_with(|| a.0.name_any().cmp(&b.0.name_any()))
    };
    usable.sort_by(newest_first);
    let fresh = usable
        .iter()
        .find(|(pod, _)| !avoid.contains(&pod.name_any()));
    match fresh.or(usable.first()) {
        Some(chosen) => Selection::Ready(to_target(chosen)),
        None => Selection::NoneReady(problems),
    }
}

/// Why this pod cannot take connections, or `None` when it can.
pub fn why_not_usable(pod: &Pod, target: &TargetPort) -> Option<String> {
    if pod.metadata.deletion_timestamp.is_some() {
        return Some("is being deleted".to_string());
    }
    let status = pod.status.as_ref();
    let phase = status.and_then(|s| s.phase.as_deref()).unwrap_or("Unknown");
    if matches!(phase, "Succeeded" | "Failed") {
        let why = status
            .and_then(|s| s.reason.clone().or(s.message.clone()))
            .map(|r| format!(" ({r})"))
            .unwrap_or_default();
        return Some(format!("has finished with phase {phase}{why}"));
    }
    if is_ready(pod) {
        return resolve_port(pod, target).err();
    }
    let conditions = status.and_then(|s| s.conditions.as_deref()).unwrap_or(&[]);
    if let Some(unscheduled) = conditions
        .iter()
        .find(|c| c.type_ == "PodScheduled" && c.status == "False")
    {
        return Some(format!(
            "is not scheduled{}",
            reason_and_message(
                unscheduled.reason.as_deref(),
                unscheduled.message.as_deref()
            )
        ));
    }
    let containers = status
        .iter()
        .flat_map(|s| {
            s.init_container_statuses
                .iter()
                .flatten()
                .chain(s.container_statuses.iter().flatten())
        })
        .filter_map(container_problem)
        .collect::<Vec<_>>();
    if !containers.is_empty() {
        return Some(containers.join("; "));
    }
    let ready = conditions.iter().find(|c| c.type_ == "Ready");
    Some(match ready {
        Some(c) => format!(
            "is not Ready{}",
            reason_and_message(c.reason.as_deref(), c.message.as_deref())
        ),
        None => format!("is not Ready yet (phase {phase})"),
    })
}

fn container_problem(status: &ContainerStatus) -> Option<String> {
    let state = status.state.as_ref();
    if let Some(waiting) = state.and_then(|s| s.waiting.as_ref()) {
        return Some(format!(
            "container {} is waiting{}",
            status.name,
            reason_and_message(waiting.reason.as_deref(), waiting.message.as_deref())
        ));
    }
    if let Some(done) = state.and_then(|s| s.terminated.as_ref()) {
        return Some(format!(
            "container {} has terminated with exit code {}{}",
            status.name,
            done.exit_code,
            reason_and_message(done.reason.as_deref(), done.message.as_deref())
        ));
    }
    (!status.ready).then(|| format!("container {} is running but not ready", status.name))
}

fn reason_and_message(reason: Option<&str>, message: Option<&str>) -> String {
    match (
        reason.filter(|r| !r.is_empty()),
        message.filter(|m| !m.is_empty()),
    ) {
        (Some(r), Some(m)) => format!(": {r}: {m}"),
        (Some(r), None) => format!(": {r}"),
        (None, Some(m)) => format!(": {m}"),
        (None, None) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(value: serde_json::Value) -> Pod {
        serde_json::from_value(value).expect("test pod")
    }

    fn ready_pod(name: &str, created: &str) -> Pod {
        pod(json!({
            "metadata": {"name": name, "creationTimestamp": created},
            "spec": {"containers": [{"name": "gateway", "ports": [{"name": "http", "containerPort": 8000}]}]},
            "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}
        }))
    }

    fn named() -> TargetPort {
        TargetPort::Name("http".into())
    }

    #[test]
    fn a_named_target_port_resolves_to_the_containers_port() {
        let p = ready_pod("a", "2026-01-01T00:00:00Z");
        assert_eq!(resolve_port(&p, &named()), Ok(8000));
        assert_eq!(resolve_port(&p, &TargetPort::Number(9000)), Ok(9000));
        let missing = resolve_port(&p, &TargetPort::Name("grpc".into())).unwrap_err();
        assert!(
            missing.contains("no container port named `grpc`"),
            "{missing}"
        );
    }

    #[test]
    fn the_current_pod_is_kept_while_it_is_ready() {
        let old = ready_pod("old", "2026-01-01T00:00:00Z");
        let new = ready_pod("new", "2026-01-02T00:00:00Z");
        let chosen = choose(&[&old, &new], &named(), Some("old"), &[]);
        assert_eq!(
            chosen,
            Selection::Ready(PodTarget {
                name: "old".into(),
                port: 8000
            })
        );
    }

    #[test]
    fn without_a_current_pod_the_newest_ready_pod_is_chosen() {
        let old = ready_pod("old", "2026-01-01T00:00:00Z");
        let new = ready_pod("new", "2026-01-02T00:00:00Z");
        let Selection::Ready(chosen) = choose(&[&old, &new], &named(), Some("gone"), &[]) else {
            panic!("expected a ready pod");
        };
        assert_eq!(chosen.name, "new");
    }

    #[test]
    fn a_pod_that_just_failed_is_passed_over_when_another_is_ready() {
        let old = ready_pod("old", "2026-01-01T00:00:00Z");
        let new = ready_pod("new", "2026-01-02T00:00:00Z");
        let avoid = vec!["new".to_string()];
        let Selection::Ready(chosen) = choose(&[&old, &new], &named(), Some("new"), &avoid) else {
            panic!("expected a ready pod");
        };
        assert_eq!(chosen.name, "old");
        // With nothing else Ready, the failed pod is still tried again.
        let Selection::Ready(only) = choose(&[&new], &named(), None, &avoid) else {
            panic!("expected a ready pod");
        };
        assert_eq!(only.name, "new");
    }

    #[test]
    fn a_deleting_pod_is_not_chosen_and_says_so() {
        let mut leaving = ready_pod("leaving", "2026-01-01T00:00:00Z");
        leaving.metadata.deletion_timestamp = leaving.metadata.creation_timestamp.clone();
        assert_eq!(
            choose(&[&leaving], &named(), Some("leaving"), &[]),
            Selection::NoneReady(vec![PodProblem {
                pod: "leaving".into(),
                reason: "is being deleted".into()
            }])
        );
    }

    #[test]
    fn not_ready_pods_say_why() {
        let pulling = pod(json!({
            "metadata": {"name": "pulling"},
            "spec": {"containers": [{"name": "gateway"}]},
            "status": {"phase": "Pending",
                "conditions": [{"type": "Ready", "status": "False", "reason": "ContainersNotReady"}],
                "containerStatuses": [{"name": "gateway", "ready": false, "restartCount": 0, "image": "x", "imageID": "",
                    "state": {"waiting": {"reason": "ImagePullBackOff", "message": "Back-off pulling image \"polyaxon/gateway:9\""}}}]}
        }));
        let unscheduled = pod(json!({
            "metadata": {"name": "unscheduled"},
            "spec": {"containers": [{"name": "gateway"}]},
            "status": {"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False",
                "reason": "Unschedulable", "message": "0/1 nodes are available: 1 Insufficient cpu."}]}
        }));
        let probing = pod(json!({
            "metadata": {"name": "probing"},
            "spec": {"containers": [{"name": "gateway"}]},
            "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "False", "reason": "ContainersNotReady"}],
                "containerStatuses": [{"name": "gateway", "ready": false, "restartCount": 0, "image": "x", "imageID": "",
                    "state": {"running": {}}}]}
        }));
        let Selection::NoneReady(problems) =
            choose(&[&pulling, &unscheduled, &probing], &named(), None, &[])
        else {
            panic!("no pod is ready");
        };
        let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            vec![
                "pod pulling: container gateway is waiting: ImagePullBackOff: Back-off pulling image \"polyaxon/gateway:9\"",
                "pod unscheduled: is not scheduled: Unschedulable: 0/1 nodes are available: 1 Insufficient cpu.",
                "pod probing: container gateway is running but not ready",
            ]
        );
    }

    #[test]
    fn a_ready_pod_without_the_named_port_is_a_problem_not_a_target() {
        let other = pod(json!({
            "metadata": {"name": "other"},
            "spec": {"containers": [{"name": "gateway", "ports": [{"name": "metrics", "containerPort": 9090}]}]},
            "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}
        }));
        assert_eq!(
            choose(&[&other], &named(), None, &[]),
            Selection::NoneReady(vec![PodProblem {
                pod: "other".into(),
                reason: "has no container port named `http`".into()
            }])
        );
    }
}
