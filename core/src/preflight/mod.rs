//! Cluster preflight: before anything is applied, what the rendered release
//! needs from the cluster and does not bring itself. The claims, Secrets and
//! ConfigMaps its pods reference exist in the namespace; the StorageClass of
//! each claim it creates exists (or a default one does); every workload's
//! nodeSelector and tolerations let it onto some node; the namespace's
//! ResourceQuotas leave room for its pods. Each finding names what is
//! missing and the command that would create it.
//!
//! A check the user may not read (403) is skipped, not failed: preflight
//! only reports what it could see.

mod quota;
mod refs;
mod scheduling;

use std::fmt;

use k8s_openapi::api::core::v1::{ConfigMap, Node, PersistentVolumeClaim, ResourceQuota, Secret};
use k8s_openapi::api::storage::v1::StorageClass;
use kube::api::{Api, ListParams};
use kube::{Client, Resource};

use crate::render::Manifest;
pub use quota::quantity;
use refs::RefKind;

/// Something the release needs that the cluster does not have.
#[derive(Debug, Clone, PartialEq)]
pub enum Finding {
    /// An object the pods reference that neither exists nor is rendered.
    Missing {
        /// `PersistentVolumeClaim`, `Secret`, `ConfigMap`, `StorageClass`.
        kind: &'static str,
        /// Its name.
        name: String,
        /// Who needs it (`Deployment/x`, `PersistentVolumeClaim/y`).
        used_by: Vec<String>,
        /// The command that would create it.
        create: String,
    },
    /// No node takes a workload's pods.
    NoNode {
        /// `Kind/name`.
        workload: String,
        /// Why.
        reason: String,
    },
    /// A quota of the namespace leaves no room.
    Quota {
        /// The ResourceQuota.
        quota: String,
        /// The resource.
        resource: String,
        /// Used now.
        used: String,
        /// Its limit.
        hard: String,
        /// What the release adds.
        needed: String,
    },
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Finding::Missing {
                kind,
                name,
                used_by,
                create,
            } => write!(
                f,
                "{kind} {name} does not exist (needed by {}); create it: {create}",
                used_by.join(", ")
            ),
            Finding::NoNode { workload, reason } => {
                write!(f, "{workload} cannot be scheduled: {reason}")
            }
            Finding::Quota {
                quota,
                resource,
                used,
                hard,
                needed,
            } => write!(
                f,
                "ResourceQuota {quota} leaves no room: {resource} is {used} of {hard}, the release adds {needed}"
            ),
        }
    }
}

/// What preflight found wrong, all of it.
#[derive(Debug, thiserror::Error)]
#[error("the cluster lacks what release {release} needs in namespace {namespace}:\n{}", list(.findings))]
pub struct PreflightError {
    /// The release.
    pub release: String,
    /// The namespace.
    pub namespace: String,
    /// Each problem.
    pub findings: Vec<Finding>,
}

fn list(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| format!("  - {f}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Which checks to run: the quota only fits a first deploy (an upgrade's
/// pods are already counted as used).
#[derive(Debug, Clone, Copy)]
pub struct Checks {
    /// Check the namespace's ResourceQuotas.
    pub quota: bool,
}

/// Checks `manifest` against the cluster; an empty list means nothing is
/// missing (of what could be read).
pub async fn check(
    client: &Client,
    manifest: &Manifest,
    namespace: &str,
    checks: Checks,
) -> Result<Vec<Finding>, kube::Error> {
    let mut findings = Vec::new();
    for ((kind, name), used_by) in refs::external_refs(manifest) {
        let exists = match kind {
            RefKind::Claim => exists::<PersistentVolumeClaim>(client, namespace, &name).await?,
            RefKind::Secret => exists::<Secret>(client, namespace, &name).await?,
            RefKind::ConfigMap => exists::<ConfigMap>(client, namespace, &name).await?,
        };
        if exists == Some(false) {
            findings.push(Finding::Missing {
                kind: kind.kind(),
                create: create_command(kind, &name, namespace),
                name,
                used_by,
            });
        }
    }
    findings.extend(storage_classes(client, manifest).await?);
    let workloads = refs::workloads(manifest);
    if let Some(nodes) = readable(
        Api::<Node>::all(client.clone())
            .list(&ListParams::default())
            .await,
    )? {
        for w in &workloads {
            if let Some(reason) = scheduling::no_node_for(&w.pod, &nodes.items) {
                findings.push(Finding::NoNode {
                    workload: w.id.clone(),
                    reason,
                });
            }
        }
    }
    if checks.quota {
        let quotas = Api::<ResourceQuota>::namespaced(client.clone(), namespace);
        if let Some(quotas) = readable(quotas.list(&ListParams::default()).await)? {
            for o in quota::overruns(&quotas.items, &workloads) {
                findings.push(Finding::Quota {
                    quota: o.quota,
                    resource: o.resource,
                    used: o.used,
                    hard: o.hard,
                    needed: o.needed,
                });
            }
        }
    }
    Ok(findings)
}

/// The claims the manifest creates whose StorageClass does not exist (or,
/// for a claim naming none, when the cluster has no default StorageClass).
async fn storage_classes(
    client: &Client,
    manifest: &Manifest,
) -> Result<Vec<Finding>, kube::Error> {
    let api = Api::<StorageClass>::all(client.clone());
    let Some(classes) = readable(api.list(&ListParams::default()).await)? else {
        return Ok(Vec::new());
    };
    let names: Vec<String> = classes
        .items
        .iter()
        .filter_map(|c| c.metadata.name.clone())
        .collect();
    let has_default = classes.items.iter().any(|c| {
        c.metadata.annotations.as_ref().is_some_and(|a| {
            a.get("storageclass.kubernetes.io/is-default-class")
                .map(String::as_str)
                == Some("true")
        })
    });
    let mut findings = Vec::new();
    for claim in manifest
        .objects
        .iter()
        .filter(|o| o.kind() == "PersistentVolumeClaim")
    {
        let class = claim
            .object
            .data
            .pointer("/spec/storageClassName")
            .and_then(|c| c.as_str())
            .map(str::to_string);
        let choose = if names.is_empty() {
            "the cluster has no StorageClass: install a storage provisioner".to_string()
        } else {
            format!(
                "set the claim's storage class to one of: {}",
                names.join(", ")
            )
        };
        match class {
            Some(class) if !class.is_empty() && !names.contains(&class) => findings.push(Finding::Missing {
                kind: "StorageClass",
                name: class,
                used_by: vec![claim.id()],
                create: choose,
            }),
            None if !has_default => findings.push(Finding::Missing {
                kind: "StorageClass",
                name: "(default)".to_string(),
                used_by: vec![claim.id()],
                create: format!("mark one default (annotation storageclass.kubernetes.io/is-default-class=true), or {choose}"),
            }),
            _ => {}
        }
    }
    Ok(findings)
}

/// Whether the object exists; `None` when the user may not read it.
async fn exists<K>(
    client: &Client,
    namespace: &str,
    name: &str,
) -> Result<Option<bool>, kube::Error>
where
    K: Resource<Scope = k8s_openapi::NamespaceResourceScope, DynamicType = ()>
        + Clone
        + serde::de::DeserializeOwned
        + fmt::Debug,
{
    let api: Api<K> = Api::namespaced(client.clone(), namespace);
    Ok(readable(api.get_metadata_opt(name).await)?.map(|found| found.is_some()))
}

/// A read the user is not allowed (403) is `None`: that check is skipped.
fn readable<T>(result: Result<T, kube::Error>) -> Result<Option<T>, kube::Error> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(kube::Error::Api(status)) if status.code == 403 => Ok(None),
        Err(error) => Err(error),
    }
}

/// The command that creates a missing object the user provides.
fn create_command(kind: RefKind, name: &str, namespace: &str) -> String {
    match kind {
        RefKind::Claim => format!(
            "kubectl apply -n {namespace} -f - <<< '{{\"apiVersion\": \"v1\", \"kind\": \"PersistentVolumeClaim\", \"metadata\": {{\"name\": \"{name}\"}}, \"spec\": {{\"accessModes\": [\"ReadWriteMany\"], \"resources\": {{\"requests\": {{\"storage\": \"10Gi\"}}}}}}}}'"
        ),
        RefKind::Secret => {
            format!(
                "kubectl create secret generic {name} -n {namespace} --from-literal=<key>=<value>"
            )
        }
        RefKind::ConfigMap => {
            format!("kubectl create configmap {name} -n {namespace} --from-file=<file>")
        }
    }
}
