//! The operator's CustomResourceDefinitions, per chart generation.
//!
//! Charts 2.0.0–2.11.1 ship one CRD, `operations.core.polyaxon.com`; from
//! chart 2.12.0 (polyaxon/charts ebc74a6) the operator reconciles four kinds
//! in group `polyaxon.com`: `clusters`, `jobs`, `kfjobs` and `services`
//! (see `docs/chart-history.md`). Group, version, scope, names and the status
//! subresource are the chart's; no chart version has printer columns.
//!
//! The schema is a structural subset of the chart's controller-gen schema
//! ([`structural`]); `docs/chart-differences.md` (D100) says why.

mod structural;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;

use super::ctx::Ctx;
use super::labels::Role;
use crate::chart_version::ChartVersion;

/// The type of a top-level field of a custom resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    /// A string (`apiVersion`, `kind`).
    Str,
    /// A boolean flag (`collectLogs`, `syncStatuses`).
    Bool,
    /// A mapping, kept whole.
    Object,
    /// A list of mappings, kept whole (`notifications`).
    Objects,
}

/// One custom resource kind the operator reconciles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resource {
    /// The kind (`Job`).
    pub kind: &'static str,
    /// The plural, also the name of its RBAC resource (`jobs`).
    pub plural: &'static str,
    /// The short names `kubectl` accepts.
    short_names: &'static [&'static str],
    /// The top-level fields besides `apiVersion`, `kind` and `metadata`.
    fields: &'static [(&'static str, Field)],
}

/// The custom resources of one chart generation, all in one group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Definitions {
    /// The API group.
    pub group: &'static str,
    /// The kinds, in the order the chart renders them.
    pub resources: &'static [Resource],
}

impl Definitions {
    /// The plurals of the kinds, as RBAC resources.
    pub fn plurals(&self) -> Vec<&'static str> {
        self.resources.iter().map(|r| r.plural).collect()
    }
}

use Field::{Bool, Object, Objects};

/// Charts 2.0.0–2.11.1 (and 1.x): one `Operation` kind.
const OPERATIONS: Definitions = Definitions {
    group: "core.polyaxon.com",
    resources: &[Resource {
        kind: "Operation",
        plural: "operations",
        short_names: &["op"],
        fields: &[
            ("batchJobSpec", Object),
            ("collectLogs", Bool),
            ("daskJobSpec", Object),
            ("mpiJobSpec", Object),
            ("mxJobSpec", Object),
            ("notifications", Objects),
            ("paddleJobSpec", Object),
            ("pytorchJobSpec", Object),
            ("rayJobSpec", Object),
            ("serviceSpec", Object),
            ("status", Object),
            ("syncStatuses", Bool),
            ("termination", Object),
            ("tfJobSpec", Object),
            ("xgboostJobSpec", Object),
        ],
    }],
};

/// Charts 2.12.0 and newer: a kind per workload shape.
const POLYAXON_COM: Definitions = Definitions {
    group: "polyaxon.com",
    resources: &[
        Resource {
            kind: "Cluster",
            plural: "clusters",
            short_names: &[],
            fields: &[
                ("collectLogs", Bool),
                ("daskClusterSpec", Object),
                ("rayClusterSpec", Object),
                ("status", Object),
                ("syncStatuses", Bool),
                ("termination", Object),
            ],
        },
        Resource {
            kind: "Job",
            plural: "jobs",
            short_names: &[],
            fields: &[
                ("batchJobSpec", Object),
                ("collectLogs", Bool),
                ("status", Object),
                ("syncStatuses", Bool),
                ("termination", Object),
            ],
        },
        Resource {
            kind: "KfJob",
            plural: "kfjobs",
            short_names: &[],
            fields: &[
                ("collectLogs", Bool),
                ("mpiJobSpec", Object),
                ("pytorchJobSpec", Object),
                ("status", Object),
                ("syncStatuses", Bool),
                ("termination", Object),
                ("tfJobSpec", Object),
            ],
        },
        Resource {
            kind: "Service",
            plural: "services",
            short_names: &["svc"],
            fields: &[
                ("batchJobSpec", Object),
                ("collectLogs", Bool),
                ("serviceSpec", Object),
                ("status", Object),
                ("syncStatuses", Bool),
                ("termination", Object),
            ],
        },
    ],
};

/// The custom resources the charts of `chart_version` ship (their group and
/// kinds; the RBAC rules name them).
pub fn definitions(chart_version: &ChartVersion) -> &'static Definitions {
    // The CRD split: polyaxon/charts ebc74a6, first published in 2.12.0.
    if chart_version.at_least(2, 12, 0) {
        &POLYAXON_COM
    } else {
        &OPERATIONS
    }
}

/// The CRDs the chart of `chart_version` ships, in the chart's order.
pub fn render(ctx: &Ctx<'_>, chart_version: &ChartVersion) -> Vec<CustomResourceDefinition> {
    let defs = definitions(chart_version);
    defs.resources
        .iter()
        .map(|resource| CustomResourceDefinition {
            metadata: ctx
                .cluster_meta(&format!("{}.{}", resource.plural, defs.group), Role::Config),
            spec: structural::spec(defs.group, resource),
            ..CustomResourceDefinition::default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[test]
    fn charts_before_2_12_ship_the_operation_crd_and_later_ones_four_kinds() {
        for (version, group, plurals) in [
            ((2, 0, 0), "core.polyaxon.com", vec!["operations"]),
            ((2, 11, 1), "core.polyaxon.com", vec!["operations"]),
            (
                (2, 12, 0),
                "polyaxon.com",
                vec!["clusters", "jobs", "kfjobs", "services"],
            ),
            (
                (2, 15, 1),
                "polyaxon.com",
                vec!["clusters", "jobs", "kfjobs", "services"],
            ),
        ] {
            let version = ChartVersion::exactly(version.0, version.1, version.2);
            let defs = definitions(&version);
            assert_eq!(defs.group, group, "{version}");
            assert_eq!(defs.plurals(), plurals, "{version}");
        }
    }

    /// Names, group, scope, versions and subresources equal the official
    /// renders' (`crds.yaml` of each reference version), and every top-level
    /// field of the chart's schema is declared with its type, when the shared
    /// folder is there.
    #[test]
    fn everything_but_the_schema_depth_equals_the_official_renders() {
        let Some(dir) = crate::shared_dir() else {
            return;
        };
        for version in ["2.0.0", "2.8.1", "2.11.1", "2.12.0", "2.15.1"] {
            let path = dir.join(format!(
                "reference/official-renders/agent-{version}/crds.yaml"
            ));
            let Ok(text) = std::fs::read_to_string(&path) else {
                return;
            };
            let theirs: Vec<serde_json::Value> = serde_yaml::Deserializer::from_str(&text)
                .filter_map(|doc| serde_json::Value::deserialize(doc).ok())
                .filter(|doc| !doc.is_null())
                .map(|doc| doc["spec"].clone())
                .collect();
            let parsed = semver::Version::parse(version).expect("a version");
            let chart = ChartVersion { version: parsed };
            let defs = definitions(&chart);
            assert_eq!(theirs.len(), defs.resources.len(), "{version}");
            for (resource, theirs) in defs.resources.iter().zip(&theirs) {
                let mut ours =
                    serde_json::to_value(structural::spec(defs.group, resource)).expect("json");
                let mut theirs = theirs.clone();
                let take_schema = |spec: &mut serde_json::Value| {
                    spec["versions"][0]
                        .as_object_mut()
                        .and_then(|v| v.remove("schema"))
                        .unwrap_or_default()
                };
                let (our_schema, their_schema) = (take_schema(&mut ours), take_schema(&mut theirs));
                assert_eq!(ours, theirs, "chart {version}, {}", resource.plural);
                let props = |s: &serde_json::Value| -> Vec<(String, serde_json::Value)> {
                    s["openAPIV3Schema"]["properties"]
                        .as_object()
                        .map(|p| {
                            p.iter()
                                .map(|(k, v)| (k.clone(), v["type"].clone()))
                                .collect()
                        })
                        .unwrap_or_default()
                };
                assert_eq!(props(&our_schema), props(&their_schema), "chart {version}");
            }
        }
    }
}
