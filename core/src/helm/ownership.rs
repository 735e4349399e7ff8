//! Moving an object from helm to this tool, the way kubectl's
//! client-side-to-server-side upgrade (`csaupgrade`) does: the fields helm
//! owns (manager `helm`, operation `Update`) become this tool's applied
//! fields (manager `polyaxon`, operation `Apply`), so the next server-side
//! apply removes what helm set and this tool does not render (helm's labels
//! and annotations among them); and the object is labelled as the release's.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{FieldsV1, ManagedFieldsEntry};
use kube::Client;
use kube::api::{DynamicObject, Patch, PatchParams};
use serde_json::{Value, json};

use crate::apply::FIELD_MANAGER;
use crate::release::ObjectRef;
use crate::render::labels::{INSTANCE, MANAGED_BY, MANAGER};

/// The field manager helm 3 writes with.
pub const HELM_MANAGER: &str = "helm";
/// The value of `app.kubernetes.io/managed-by` on what helm installed.
pub const HELM_MANAGED_BY: &str = "Helm";
/// helm's annotation naming the release that owns an object.
pub const RELEASE_NAME_ANNOTATION: &str = "meta.helm.sh/release-name";
/// helm's annotation naming that release's namespace.
pub const RELEASE_NAMESPACE_ANNOTATION: &str = "meta.helm.sh/release-namespace";

/// Whether helm's release `release` in `namespace` owns `object`: helm's
/// ownership annotations name it (what helm itself checks), or, on objects
/// helm wrote without them (hooks), its labels do.
pub fn owned_by_helm(object: &DynamicObject, release: &str, namespace: &str) -> bool {
    let annotations = object.metadata.annotations.clone().unwrap_or_default();
    let labels = object.metadata.labels.clone().unwrap_or_default();
    let annotated = annotations.get(RELEASE_NAME_ANNOTATION).map(String::as_str) == Some(release)
        && annotations
            .get(RELEASE_NAMESPACE_ANNOTATION)
            .map(String::as_str)
            == Some(namespace);
    let labelled = labels.get(MANAGED_BY).map(String::as_str) == Some(HELM_MANAGED_BY)
        && labels.get(INSTANCE).map(String::as_str) == Some(release);
    annotated || labelled
}

/// The managed fields with every `Update` entry of helm merged into this
/// tool's `Apply` entry (created if missing). `None` when helm owns nothing.
pub fn take_fields(entries: &[ManagedFieldsEntry]) -> Option<Vec<ManagedFieldsEntry>> {
    let is_helm = |e: &ManagedFieldsEntry| {
        e.manager.as_deref() == Some(HELM_MANAGER)
            && e.operation.as_deref() == Some("Update")
            && e.subresource.as_deref().unwrap_or_default().is_empty()
    };
    let is_ours = |e: &ManagedFieldsEntry| {
        e.manager.as_deref() == Some(FIELD_MANAGER)
            && e.operation.as_deref() == Some("Apply")
            && e.subresource.as_deref().unwrap_or_default().is_empty()
    };
    let helm: Vec<&ManagedFieldsEntry> = entries.iter().filter(|e| is_helm(e)).collect();
    let first = helm.first()?;
    let mut ours = entries
        .iter()
        .find(|e| is_ours(e))
        .cloned()
        .unwrap_or_else(|| ManagedFieldsEntry {
            manager: Some(FIELD_MANAGER.to_string()),
            operation: Some("Apply".to_string()),
            api_version: first.api_version.clone(),
            fields_type: Some("FieldsV1".to_string()),
            fields_v1: Some(FieldsV1(json!({}))),
            time: first.time.clone(),
            subresource: None,
        });
    let mut fields = ours.fields_v1.take().map(|f| f.0).unwrap_or(json!({}));
    // Field sets are per API version; one written with another version stays
    // helm's (helm writes with the chart's version, so this is rare).
    let mut kept = Vec::new();
    for entry in &helm {
        if entry.api_version == ours.api_version {
            if let Some(FieldsV1(set)) = &entry.fields_v1 {
                union(&mut fields, set);
            }
        } else {
            kept.push((*entry).clone());
        }
    }
    ours.fields_v1 = Some(FieldsV1(fields));
    let mut out: Vec<ManagedFieldsEntry> = entries
        .iter()
        .filter(|e| !is_helm(e) && !is_ours(e))
        .cloned()
        .collect();
    out.push(ours);
    out.extend(kept);
    Some(out)
}

/// Merges the field set `from` into `into` (field sets are nested maps).
fn union(into: &mut Value, from: &Value) {
    match (into, from) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in b {
                union(a.entry(key.clone()).or_insert(json!({})), value);
            }
        }
        (slot, value) => {
            if slot.as_object().is_none_or(|m| m.is_empty()) {
                *slot = value.clone();
            }
        }
    }
}

/// Takes `object` over from helm's release `release` in `namespace`, if
/// helm's release owns it: its fields move to this tool and it gets the
/// release's labels, in one patch guarded by the resourceVersion read.
/// Returns whether it was helm's; an object that is gone is not.
pub async fn take_over(
    client: &Client,
    object: &ObjectRef,
    release: &str,
    namespace: &str,
) -> Result<bool, kube::Error> {
    let api = crate::apply::api_for(client, object);
    for _attempt in 0..5 {
        let Some(live) = api.get_opt(&object.name).await? else {
            return Ok(false);
        };
        if !owned_by_helm(&live, release, namespace) {
            return Ok(false);
        }
        let entries = live.metadata.managed_fields.clone().unwrap_or_default();
        let fields = take_fields(&entries).unwrap_or(entries);
        // resourceVersion in a merge patch makes it conditional: a change
        // meanwhile is a conflict, and the object is read again.
        let patch = json!({
            "metadata": {
                "resourceVersion": live.metadata.resource_version,
                "managedFields": fields,
                "labels": {MANAGED_BY: MANAGER, INSTANCE: release},
            }
        });
        match api
            .patch(
                &object.name,
                &PatchParams {
                    field_manager: Some(FIELD_MANAGER.to_string()),
                    ..PatchParams::default()
                },
                &Patch::Merge(&patch),
            )
            .await
        {
            Ok(_) => return Ok(true),
            Err(kube::Error::Api(status)) if status.code == 409 => {}
            Err(kube::Error::Api(status)) if status.code == 404 => return Ok(false),
            Err(e) => return Err(e),
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(manager: &str, operation: &str, fields: Value) -> ManagedFieldsEntry {
        ManagedFieldsEntry {
            manager: Some(manager.into()),
            operation: Some(operation.into()),
            api_version: Some("apps/v1".into()),
            fields_type: Some("FieldsV1".into()),
            fields_v1: Some(FieldsV1(fields)),
            time: None,
            subresource: None,
        }
    }

    #[test]
    fn helms_fields_become_this_tools_applied_fields() {
        let entries = vec![
            entry(
                "helm",
                "Update",
                json!({"f:metadata": {"f:annotations": {"f:meta.helm.sh/release-name": {}}}, "f:spec": {"f:replicas": {}}}),
            ),
            entry(
                "kube-controller-manager",
                "Update",
                json!({"f:metadata": {"f:annotations": {"f:deployment.kubernetes.io/revision": {}}}}),
            ),
        ];
        let out = take_fields(&entries).expect("helm owned fields");
        let managers: Vec<(&str, &str)> = out
            .iter()
            .map(|e| {
                (
                    e.manager.as_deref().unwrap_or_default(),
                    e.operation.as_deref().unwrap_or_default(),
                )
            })
            .collect();
        assert_eq!(
            managers,
            [("kube-controller-manager", "Update"), ("polyaxon", "Apply")]
        );
        let ours = &out[1].fields_v1.as_ref().unwrap().0;
        assert!(ours["f:metadata"]["f:annotations"]["f:meta.helm.sh/release-name"].is_object());
        assert!(ours["f:spec"]["f:replicas"].is_object());
        assert!(take_fields(&out).is_none(), "nothing of helm's is left");
    }

    #[test]
    fn an_existing_applied_entry_keeps_its_fields() {
        let entries = vec![
            entry("polyaxon", "Apply", json!({"f:data": {"f:a": {}}})),
            entry("helm", "Update", json!({"f:data": {"f:b": {}}})),
        ];
        let out = take_fields(&entries).unwrap();
        assert_eq!(out.len(), 1);
        let fields = &out[0].fields_v1.as_ref().unwrap().0;
        assert!(fields["f:data"]["f:a"].is_object() && fields["f:data"]["f:b"].is_object());
    }

    #[test]
    fn ownership_is_helms_annotations_or_labels() {
        let mut object = DynamicObject {
            types: None,
            metadata: Default::default(),
            data: json!({}),
        };
        assert!(!owned_by_helm(&object, "agent", "team"));
        object.metadata.annotations = Some(
            [
                (RELEASE_NAME_ANNOTATION.to_string(), "agent".to_string()),
                (RELEASE_NAMESPACE_ANNOTATION.to_string(), "team".to_string()),
            ]
            .into(),
        );
        assert!(owned_by_helm(&object, "agent", "team"));
        assert!(!owned_by_helm(&object, "agent", "other"));
    }
}
