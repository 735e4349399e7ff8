//! What the rendered workloads need from the namespace: the claims, Secrets
//! and ConfigMaps their pods reference, and their pod specs (for scheduling
//! and quota). Pure: reads the manifest only.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Container, PodSpec};

use crate::render::Manifest;

/// A kind of object a pod can reference by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RefKind {
    /// A PersistentVolumeClaim (a volume).
    Claim,
    /// A Secret (a volume, env, envFrom, an image pull secret).
    Secret,
    /// A ConfigMap (a volume, env, envFrom).
    ConfigMap,
}

impl RefKind {
    /// The Kubernetes kind.
    pub fn kind(self) -> &'static str {
        match self {
            RefKind::Claim => "PersistentVolumeClaim",
            RefKind::Secret => "Secret",
            RefKind::ConfigMap => "ConfigMap",
        }
    }
}

/// One workload's pod template.
#[derive(Debug, Clone)]
pub struct Workload {
    /// `Kind/name`.
    pub id: String,
    /// How many pods it runs (1 for DaemonSets and Jobs).
    pub replicas: i64,
    /// Its pod spec.
    pub pod: PodSpec,
}

/// The workloads of a manifest, hook Jobs included.
pub fn workloads(manifest: &Manifest) -> Vec<Workload> {
    manifest
        .objects
        .iter()
        .filter(|o| matches!(o.kind(), "Deployment" | "StatefulSet" | "DaemonSet" | "Job"))
        .filter_map(|o| {
            let spec = o.object.data.get("spec")?;
            let pod = serde_json::from_value(spec.get("template")?.get("spec")?.clone()).ok()?;
            let replicas = match o.kind() {
                "Deployment" | "StatefulSet" => {
                    spec.get("replicas").and_then(|r| r.as_i64()).unwrap_or(1)
                }
                _ => 1,
            };
            Some(Workload {
                id: o.id(),
                replicas,
                pod,
            })
        })
        .collect()
}

/// Every object the pods reference and the manifest does not render itself,
/// with the workloads that use it (optional references left out).
pub fn external_refs(manifest: &Manifest) -> BTreeMap<(RefKind, String), Vec<String>> {
    let rendered = |kind: RefKind, name: &str| manifest.find(kind.kind(), name).is_some();
    let mut refs: BTreeMap<(RefKind, String), Vec<String>> = BTreeMap::new();
    for workload in workloads(manifest) {
        for (kind, name) in pod_refs(&workload.pod) {
            if rendered(kind, &name) {
                continue;
            }
            let users = refs.entry((kind, name)).or_default();
            if !users.contains(&workload.id) {
                users.push(workload.id.clone());
            }
        }
    }
    refs
}

/// The required references of one pod spec.
fn pod_refs(pod: &PodSpec) -> Vec<(RefKind, String)> {
    let mut refs = Vec::new();
    for volume in pod.volumes.iter().flatten() {
        if let Some(claim) = &volume.persistent_volume_claim {
            refs.push((RefKind::Claim, claim.claim_name.clone()));
        }
        if let Some(secret) = &volume.secret
            && secret.optional != Some(true)
            && let Some(name) = &secret.secret_name
        {
            refs.push((RefKind::Secret, name.clone()));
        }
        if let Some(map) = &volume.config_map
            && map.optional != Some(true)
        {
            refs.push((RefKind::ConfigMap, map.name.clone()));
        }
    }
    for secret in pod.image_pull_secrets.iter().flatten() {
        refs.push((RefKind::Secret, secret.name.clone()));
    }
    let containers = pod
        .containers
        .iter()
        .chain(pod.init_containers.iter().flatten());
    for container in containers {
        refs.extend(container_refs(container));
    }
    refs
}

fn container_refs(container: &Container) -> Vec<(RefKind, String)> {
    let mut refs = Vec::new();
    for from in container.env_from.iter().flatten() {
        if let Some(secret) = &from.secret_ref
            && secret.optional != Some(true)
        {
            refs.push((RefKind::Secret, secret.name.clone()));
        }
        if let Some(map) = &from.config_map_ref
            && map.optional != Some(true)
        {
            refs.push((RefKind::ConfigMap, map.name.clone()));
        }
    }
    for env in container.env.iter().flatten() {
        let Some(from) = &env.value_from else {
            continue;
        };
        if let Some(key) = &from.secret_key_ref
            && key.optional != Some(true)
        {
            refs.push((RefKind::Secret, key.name.clone()));
        }
        if let Some(key) = &from.config_map_key_ref
            && key.optional != Some(true)
        {
            refs.push((RefKind::ConfigMap, key.name.clone()));
        }
    }
    refs
}
