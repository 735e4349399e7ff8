//! helm's manifest text (the `manifest` of a release record, and each hook's
//! `manifest`): `---`-separated YAML documents, read as objects and resolved
//! to references through the API server's discovery.

use std::collections::BTreeMap;

use kube::Client;
use kube::api::{DynamicObject, GroupVersionKind};
use kube::discovery::{ApiResource, Scope, pinned_kind};

use crate::release::ObjectRef;
use crate::render::{Hook, RenderedObject, Stage};

/// Why helm's manifest could not be read.
#[derive(Debug, thiserror::Error)]
#[error("helm's manifest of revision {revision} is not YAML objects: {reason}")]
pub struct ManifestError {
    /// The helm revision.
    pub revision: u32,
    /// What is wrong.
    pub reason: String,
}

/// The objects of a manifest text, in order; empty documents are skipped.
pub fn documents(text: &str, revision: u32) -> Result<Vec<DynamicObject>, ManifestError> {
    let fail = |reason: String| ManifestError { revision, reason };
    let mut out = Vec::new();
    for document in serde_yaml::Deserializer::from_str(text) {
        let value: serde_json::Value = serde::Deserialize::deserialize(document)
            .map_err(|e: serde_yaml::Error| fail(e.to_string()))?;
        if value.is_null() {
            continue;
        }
        let object: DynamicObject =
            serde_json::from_value(value).map_err(|e| fail(e.to_string()))?;
        out.push(object);
    }
    Ok(out)
}

/// The stage an object of `kind` is applied in, as this tool's renderers
/// place it (deletion runs the stages in reverse).
pub fn stage_of(kind: &str) -> Stage {
    match kind {
        "CustomResourceDefinition" | "Namespace" => Stage::Crds,
        "ServiceAccount" | "Role" | "RoleBinding" | "ClusterRole" | "ClusterRoleBinding" => {
            Stage::Rbac
        }
        "ConfigMap" | "Secret" | "PersistentVolumeClaim" => Stage::Config,
        "Service" => Stage::Services,
        "Ingress" => Stage::Ingress,
        _ => Stage::Workloads,
    }
}

/// Resolves kinds to API resources once per kind, through discovery.
#[derive(Default)]
pub struct Resolver {
    known: BTreeMap<(String, String), Option<(ApiResource, bool)>>,
}

impl Resolver {
    /// The API resource of `object`'s kind and whether it is namespaced;
    /// `None` when the cluster does not serve the kind (its CRD is gone).
    pub async fn resource(
        &mut self,
        client: &Client,
        object: &DynamicObject,
    ) -> Result<Option<(ApiResource, bool)>, kube::Error> {
        let Some(types) = &object.types else {
            return Ok(None);
        };
        let key = (types.api_version.clone(), types.kind.clone());
        if let Some(known) = self.known.get(&key) {
            return Ok(known.clone());
        }
        let (group, version) = match types.api_version.split_once('/') {
            Some((g, v)) => (g.to_string(), v.to_string()),
            None => (String::new(), types.api_version.clone()),
        };
        let gvk = GroupVersionKind::gvk(&group, &version, &types.kind);
        let found = match pinned_kind(client, &gvk).await {
            Ok((resource, caps)) => Some((resource, caps.scope == Scope::Namespaced)),
            Err(kube::Error::Api(status)) if status.code == 404 => None,
            Err(kube::Error::Discovery(_)) => None,
            Err(e) => return Err(e),
        };
        self.known.insert(key, found.clone());
        Ok(found)
    }

    /// The reference of one manifest object; namespaced objects without a
    /// namespace are in the release's `namespace` (as helm applies them).
    pub async fn reference(
        &mut self,
        client: &Client,
        object: &DynamicObject,
        namespace: &str,
    ) -> Result<Option<ObjectRef>, kube::Error> {
        let Some((resource, namespaced)) = self.resource(client, object).await? else {
            return Ok(None);
        };
        let Some(name) = object.metadata.name.clone() else {
            return Ok(None);
        };
        Ok(Some(ObjectRef {
            stage: stage_of(&resource.kind),
            api_version: resource.api_version.clone(),
            kind: resource.kind.clone(),
            plural: resource.plural.clone(),
            namespace: namespaced.then(|| {
                object
                    .metadata
                    .namespace
                    .clone()
                    .unwrap_or_else(|| namespace.to_string())
            }),
            name,
        }))
    }

    /// A hook object of helm's record as a rendered hook of this tool, to
    /// run at `hook` in `namespace`.
    pub async fn hook(
        &mut self,
        client: &Client,
        mut object: DynamicObject,
        namespace: &str,
        hook: Hook,
    ) -> Result<Option<RenderedObject>, kube::Error> {
        let Some((resource, namespaced)) = self.resource(client, &object).await? else {
            return Ok(None);
        };
        if namespaced && object.metadata.namespace.is_none() {
            object.metadata.namespace = Some(namespace.to_string());
        }
        Ok(Some(RenderedObject {
            stage: stage_of(&resource.kind),
            hook: Some(hook),
            resource,
            namespaced,
            object,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_is_read_document_by_document() {
        let text = "---\n# Source: agent/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: agent-config\ndata:\n  a: b\n---\n# Source: empty.yaml\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: agent\n  namespace: team\n";
        let objects = documents(text, 2).unwrap();
        assert_eq!(objects.len(), 2);
        assert_eq!(objects[0].metadata.name.as_deref(), Some("agent-config"));
        assert_eq!(
            objects[1].types.as_ref().map(|t| t.kind.as_str()),
            Some("Deployment")
        );
        assert_eq!(objects[1].metadata.namespace.as_deref(), Some("team"));
        let broken = documents("kind: [", 3).unwrap_err();
        assert_eq!(broken.revision, 3);
    }

    #[test]
    fn kinds_land_in_the_stages_the_renderers_use() {
        assert_eq!(stage_of("CustomResourceDefinition"), Stage::Crds);
        assert_eq!(stage_of("ClusterRoleBinding"), Stage::Rbac);
        assert_eq!(stage_of("PersistentVolumeClaim"), Stage::Config);
        assert_eq!(stage_of("StatefulSet"), Stage::Workloads);
    }
}
