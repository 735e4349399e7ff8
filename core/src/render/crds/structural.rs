//! The CRD schema: a structural subset of the chart's.
//!
//! The charts ship controller-gen's full schema, about 550 kB of JSON per
//! CRD (1.8 MB of YAML per chart version). Ours declares the chart's
//! top-level fields with their types and keeps every object whole
//! (`x-kubernetes-preserve-unknown-fields`). What the API server then
//! accepts: the agent writes a run's compiled Kubernetes specs (pod
//! templates, replica specs, termination, notifications) into these fields
//! and the operator writes `status` through the status subresource and
//! finalizers into `metadata`; all of it is accepted and kept, nothing
//! pruned. The full schema's only defaults are Kubernetes' own Pod defaults
//! (`protocol: TCP`, volume source defaults), which the API server applies
//! again to the Pods the operator creates. A malformed custom resource, which
//! the chart's schema refuses at creation, fails when the operator creates
//! its Pods instead. Rendering the full schema would make every render and
//! dry run carry 1.8 MB (the render going from milliseconds to about half a
//! second in a debug build), for validation of objects only Polyaxon writes.

use std::collections::BTreeMap;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::{
    CustomResourceDefinitionNames, CustomResourceDefinitionSpec, CustomResourceDefinitionVersion,
    CustomResourceSubresourceStatus, CustomResourceSubresources, CustomResourceValidation,
    JSONSchemaProps, JSONSchemaPropsOrArray,
};

use super::{Field, Resource};

fn schema_of(field: Field) -> JSONSchemaProps {
    let kept_object = || JSONSchemaProps {
        type_: Some("object".into()),
        x_kubernetes_preserve_unknown_fields: Some(true),
        ..JSONSchemaProps::default()
    };
    let typed = |name: &str| JSONSchemaProps {
        type_: Some(name.into()),
        ..JSONSchemaProps::default()
    };
    match field {
        Field::Str => typed("string"),
        Field::Bool => typed("boolean"),
        Field::Object => kept_object(),
        Field::Objects => JSONSchemaProps {
            type_: Some("array".into()),
            items: Some(JSONSchemaPropsOrArray::Schema(Box::new(kept_object()))),
            ..JSONSchemaProps::default()
        },
    }
}

/// The top-level fields of `resource` with their types, objects kept whole.
fn schema(resource: &Resource) -> JSONSchemaProps {
    let mut properties: BTreeMap<String, JSONSchemaProps> = [
        ("apiVersion".to_string(), schema_of(Field::Str)),
        ("kind".to_string(), schema_of(Field::Str)),
        // A CRD schema may only say that metadata is an object: the API
        // server validates it as ObjectMeta.
        (
            "metadata".to_string(),
            JSONSchemaProps {
                type_: Some("object".into()),
                ..JSONSchemaProps::default()
            },
        ),
    ]
    .into_iter()
    .collect();
    for (name, field) in resource.fields {
        properties.insert(name.to_string(), schema_of(*field));
    }
    JSONSchemaProps {
        type_: Some("object".into()),
        x_kubernetes_preserve_unknown_fields: Some(true),
        properties: Some(properties),
        ..JSONSchemaProps::default()
    }
}

/// The spec of `resource`'s CRD in `group`: the chart's names, scope,
/// version and status subresource, with the structural schema.
pub fn spec(group: &str, resource: &Resource) -> CustomResourceDefinitionSpec {
    let short_names = (!resource.short_names.is_empty())
        .then(|| resource.short_names.iter().map(|s| s.to_string()).collect());
    CustomResourceDefinitionSpec {
        group: group.into(),
        names: CustomResourceDefinitionNames {
            kind: resource.kind.into(),
            list_kind: Some(format!("{}List", resource.kind)),
            plural: resource.plural.into(),
            singular: Some(resource.kind.to_lowercase()),
            short_names,
            ..CustomResourceDefinitionNames::default()
        },
        scope: "Namespaced".into(),
        versions: vec![CustomResourceDefinitionVersion {
            name: "v1".into(),
            served: true,
            storage: true,
            schema: Some(CustomResourceValidation {
                open_api_v3_schema: Some(schema(resource)),
            }),
            subresources: Some(CustomResourceSubresources {
                status: Some(CustomResourceSubresourceStatus(serde_json::json!({}))),
                ..CustomResourceSubresources::default()
            }),
            ..CustomResourceDefinitionVersion::default()
        }],
        ..CustomResourceDefinitionSpec::default()
    }
}

#[cfg(test)]
mod tests {
    use super::super::{OPERATIONS, POLYAXON_COM};
    use super::*;

    #[test]
    fn the_schema_is_structural_and_keeps_what_the_operator_writes() {
        let s = schema(&POLYAXON_COM.resources[1]);
        assert_eq!(s.type_.as_deref(), Some("object"));
        assert_eq!(s.x_kubernetes_preserve_unknown_fields, Some(true));
        let props = s.properties.unwrap_or_default();
        let batch = &props["batchJobSpec"];
        assert_eq!(batch.type_.as_deref(), Some("object"));
        assert_eq!(batch.x_kubernetes_preserve_unknown_fields, Some(true));
        assert_eq!(props["collectLogs"].type_.as_deref(), Some("boolean"));
        assert!(
            props["metadata"]
                .x_kubernetes_preserve_unknown_fields
                .is_none()
        );
        let ops = schema(&OPERATIONS.resources[0]);
        let notifications = &ops.properties.unwrap_or_default()["notifications"];
        assert_eq!(notifications.type_.as_deref(), Some("array"));
        assert!(matches!(
            &notifications.items,
            Some(JSONSchemaPropsOrArray::Schema(item)) if item.type_.as_deref() == Some("object")
        ));
    }

    #[test]
    fn names_follow_the_kind() {
        let s = spec("polyaxon.com", &POLYAXON_COM.resources[3]);
        assert_eq!(s.names.kind, "Service");
        assert_eq!(s.names.list_kind.as_deref(), Some("ServiceList"));
        assert_eq!(s.names.singular.as_deref(), Some("service"));
        assert_eq!(s.names.short_names, Some(vec!["svc".to_string()]));
        let s = spec("polyaxon.com", &POLYAXON_COM.resources[2]);
        assert_eq!(s.names.singular.as_deref(), Some("kfjob"));
        assert_eq!(s.names.short_names, None);
    }
}
