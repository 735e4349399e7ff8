//! The operator's CustomResourceDefinition (`operations.core.polyaxon.com`).
//!
//! The charts ship the full controller-gen schema (2 MB of YAML). This tool
//! keeps the names, scope, version and status subresource and lets the
//! operator own the shape of the spec (`x-kubernetes-preserve-unknown-fields`):
//! the API server accepts what the operator writes, and a 2 MB literal stays
//! out of the binary.

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::{
    CustomResourceDefinition, CustomResourceDefinitionNames, CustomResourceDefinitionSpec,
    CustomResourceDefinitionVersion, CustomResourceSubresourceStatus, CustomResourceSubresources,
    CustomResourceValidation, JSONSchemaProps,
};

use super::ctx::Ctx;
use super::labels::Role;

/// The CRD's name.
pub const OPERATIONS: &str = "operations.core.polyaxon.com";
/// The CRD's group.
pub const GROUP: &str = "core.polyaxon.com";

/// The Operation CRD.
pub fn operations(ctx: &Ctx<'_>) -> CustomResourceDefinition {
    let string = || JSONSchemaProps {
        type_: Some("string".into()),
        ..JSONSchemaProps::default()
    };
    let object = || JSONSchemaProps {
        type_: Some("object".into()),
        x_kubernetes_preserve_unknown_fields: Some(true),
        ..JSONSchemaProps::default()
    };
    let schema = JSONSchemaProps {
        type_: Some("object".into()),
        x_kubernetes_preserve_unknown_fields: Some(true),
        properties: Some(
            [
                ("apiVersion".to_string(), string()),
                ("kind".to_string(), string()),
                (
                    "metadata".to_string(),
                    JSONSchemaProps {
                        type_: Some("object".into()),
                        ..JSONSchemaProps::default()
                    },
                ),
                ("status".to_string(), object()),
            ]
            .into_iter()
            .collect(),
        ),
        ..JSONSchemaProps::default()
    };
    CustomResourceDefinition {
        metadata: ctx.cluster_meta(OPERATIONS, Role::Config),
        spec: CustomResourceDefinitionSpec {
            group: GROUP.into(),
            names: CustomResourceDefinitionNames {
                kind: "Operation".into(),
                list_kind: Some("OperationList".into()),
                plural: "operations".into(),
                singular: Some("operation".into()),
                short_names: Some(vec!["op".into()]),
                ..CustomResourceDefinitionNames::default()
            },
            scope: "Namespaced".into(),
            versions: vec![CustomResourceDefinitionVersion {
                name: "v1".into(),
                served: true,
                storage: true,
                schema: Some(CustomResourceValidation {
                    open_api_v3_schema: Some(schema),
                }),
                subresources: Some(CustomResourceSubresources {
                    status: Some(CustomResourceSubresourceStatus(serde_json::json!({}))),
                    ..CustomResourceSubresources::default()
                }),
                ..CustomResourceDefinitionVersion::default()
            }],
            ..CustomResourceDefinitionSpec::default()
        },
        ..CustomResourceDefinition::default()
    }
}
