//! The render context: who the release is, where it goes, what version, the
//! generated values it keeps; and the one place objects get their metadata
//! and enter the manifest.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::RenderError;
use super::labels::{self, Role};
use super::manifest::{self, Hook, Manifest, RenderedObject, Scope, Stage};
use super::state::ReleaseState;

/// Everything a chart renderer needs besides its config section.
pub struct Ctx<'a> {
    /// The release name.
    pub release: &'a str,
    /// The namespace of every namespaced object.
    pub namespace: &'a str,
    /// The pinned version (image tags, version label).
    pub version: String,
    /// Generated values that stay across renders.
    pub state: &'a ReleaseState,
    objects: Vec<RenderedObject>,
}

impl<'a> Ctx<'a> {
    /// A context for one render.
    pub fn new(
        release: &'a str,
        namespace: &'a str,
        version: String,
        state: &'a ReleaseState,
    ) -> Self {
        Ctx {
            release,
            namespace,
            version,
            state,
            objects: Vec::new(),
        }
    }

    /// The labels of an object named `name` playing `role`: the release's
    /// three, the chart's `app.kubernetes.io/name`, `part-of`, `component`,
    /// `release` and `heritage`.
    pub fn labels(&self, name: &str, role: Role) -> BTreeMap<String, String> {
        let mut labels = labels::common(self.release, &self.version);
        let (part_of, component) = role.values();
        labels.insert(labels::NAME.into(), name.into());
        labels.insert(labels::PART_OF.into(), part_of.into());
        labels.insert(labels::COMPONENT.into(), component.into());
        labels.insert("release".into(), self.release.into());
        labels.insert("heritage".into(), labels::MANAGER.into());
        labels
    }

    /// Metadata of a namespaced object.
    pub fn meta(&self, name: &str, role: Role) -> ObjectMeta {
        ObjectMeta {
            name: Some(name.to_string()),
            namespace: Some(self.namespace.to_string()),
            labels: Some(self.labels(name, role)),
            ..ObjectMeta::default()
        }
    }

    /// Metadata of a cluster-scoped object (no namespace).
    pub fn cluster_meta(&self, name: &str, role: Role) -> ObjectMeta {
        ObjectMeta {
            name: Some(name.to_string()),
            labels: Some(self.labels(name, role)),
            ..ObjectMeta::default()
        }
    }

    /// The selector of a chart workload whose pods are named `name`
    /// ([`labels::selector`]).
    pub fn selector(&self, name: &str) -> LabelSelector {
        LabelSelector {
            match_labels: Some(labels::selector(name)),
            ..LabelSelector::default()
        }
    }

    /// Adds a normal object at `stage`.
    pub fn push<K>(&mut self, stage: Stage, object: &K) -> Result<(), RenderError>
    where
        K: kube::Resource<DynamicType = ()> + k8s_openapi::Resource + Serialize,
        <K as k8s_openapi::Resource>::Scope: Scope,
    {
        self.objects.push(manifest::erase(stage, None, object)?);
        Ok(())
    }

    /// Adds a hook object that runs at `hook`; it is annotated with its moment.
    pub fn push_hook<K>(&mut self, hook: Hook, object: &K) -> Result<(), RenderError>
    where
        K: kube::Resource<DynamicType = ()> + k8s_openapi::Resource + Serialize,
        <K as k8s_openapi::Resource>::Scope: Scope,
    {
        let mut erased = manifest::erase(Stage::Workloads, Some(hook), object)?;
        erased
            .object
            .metadata
            .annotations
            .get_or_insert_with(BTreeMap::new)
            .insert(labels::HOOK_ANNOTATION.into(), hook.as_str().into());
        self.objects.push(erased);
        Ok(())
    }

    /// The manifest, in apply order. Every pod template gets the checksum
    /// of the release's ConfigMaps and Secrets (`checksum/config`), as the
    /// charts do, so a config change rolls the pods that read it; those
    /// that carry checksums of their own (the in-cluster databases, which
    /// a platform change must not restart) keep only theirs.
    pub fn finish(self) -> Manifest {
        let mut manifest = Manifest {
            objects: self.objects,
        };
        manifest.sort();
        let config: Vec<(&str, &str, &serde_json::Value)> = manifest
            .objects
            .iter()
            .filter(|o| o.hook.is_none() && matches!(o.kind(), "ConfigMap" | "Secret"))
            .map(|o| (o.kind(), o.name(), &o.object.data))
            .collect();
        let digest = checksum(&config);
        for object in &mut manifest.objects {
            if !matches!(
                object.kind(),
                "Deployment" | "StatefulSet" | "DaemonSet" | "Job"
            ) {
                continue;
            }
            let template = object
                .object
                .data
                .pointer_mut("/spec/template")
                .and_then(serde_json::Value::as_object_mut);
            if let Some(template) = template {
                let metadata = template
                    .entry("metadata")
                    .or_insert_with(|| serde_json::json!({}));
                if let Some(metadata) = metadata.as_object_mut() {
                    let annotations = metadata
                        .entry("annotations")
                        .or_insert_with(|| serde_json::json!({}));
                    if let Some(annotations) = annotations
                        .as_object_mut()
                        .filter(|a| !a.keys().any(|k| k.starts_with("checksum/")))
                    {
                        annotations.insert("checksum/config".into(), digest.clone().into());
                    }
                }
            }
        }
        manifest
    }
}

/// A sha256 of some rendered data, hex: pod templates carry the checksums of
/// the config they read (as the charts do), so a config change rolls the pods.
pub fn checksum<T: Serialize>(data: &T) -> String {
    let bytes = serde_json::to_vec(data).unwrap_or_default();
    let digest = Sha256::digest(&bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
