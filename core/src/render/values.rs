//! The config as the renderers read it: every default of the charts'
//! `values.yaml` resolved in one place, so a renderer never guesses.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Affinity;

use crate::chart_version::ChartVersion;
use crate::config::Generation;
use crate::config::schema::{
    AffinitySetting, ApiService, Chart, DeploymentConfig, DeploymentType, PullPolicy, ServiceType,
    TolerationsSetting,
};

/// The config with its chart, generation and defaults.
pub struct Values<'a> {
    /// The config as loaded.
    pub config: &'a DeploymentConfig,
    /// The chart rendered.
    pub chart: Chart,
    /// The generation rendered.
    pub generation: Generation,
    /// The published chart whose templates are rendered.
    pub chart_version: &'a ChartVersion,
    /// The merged config as written (before typing), where an explicit `null`
    /// differs from an absent key (`user.password: null` means "generate").
    pub raw: &'a serde_json::Value,
}

impl<'a> Values<'a> {
    /// `rbac.enabled`, default true.
    pub fn rbac(&self) -> bool {
        self.config
            .rbac
            .as_ref()
            .and_then(|r| r.enabled)
            .unwrap_or(true)
    }

    /// `ingress.enabled`. The charts' `values.yaml` (1.x and 2.x) default to
    /// false; the seed's table says true, which would render an Ingress with no
    /// host on every install, so the charts' default wins.
    pub fn ingress(&self) -> bool {
        self.config
            .ingress
            .as_ref()
            .and_then(|i| i.enabled)
            .unwrap_or(false)
    }

    /// `timezone` (the seed's `timeZone` is folded in by the loader), default UTC.
    pub fn timezone(&self) -> &str {
        self.config.timezone.as_deref().unwrap_or("UTC")
    }

    /// `deploymentType`, default `kubernetes`.
    pub fn deployment_type(&self) -> DeploymentType {
        self.config
            .deployment_type
            .unwrap_or(DeploymentType::Kubernetes)
    }

    /// The gateway's node port when the config gives none: 31833 in the 1.x
    /// charts; 31822 (agent) and 31811 (platform) in the 2.x charts.
    pub fn default_gateway_node_port(&self) -> i32 {
        match (self.generation, self.chart) {
            (Generation::V1, _) => 31833,
            (Generation::V2, Chart::Agent) => 31822,
            (Generation::V2, _) => 31811,
        }
    }

    /// The config spelling of [`Self::deployment_type`].
    pub fn deployment_type_str(&self) -> &'static str {
        self.deployment_type().as_str()
    }

    /// `limitResources`: apply the services' limits. The charts default to
    /// false, and to true from chart 2.13.3 (its `values.yaml`).
    pub fn limit_resources(&self) -> bool {
        self.config
            .limit_resources
            .unwrap_or_else(|| self.chart_version.at_least(2, 13, 3))
    }

    /// The chart's name as helm knows it (`.Chart.Name`): `agent`, or
    /// `polyaxon` for the platform; the core containers are named after it
    /// (`agent-streams`, `polyaxon-agent`).
    pub fn chart_name(&self) -> &'static str {
        match self.chart {
            Chart::Agent => "agent",
            Chart::Platform | Chart::Ponos => "polyaxon",
        }
    }

    /// `<chart name>-<part>`: the name of a core container.
    pub fn container_name(&self, part: &str) -> String {
        format!("{}-{part}", self.chart_name())
    }

    /// `includeChartRevision`, default true (both charts).
    pub fn include_chart_revision(&self) -> bool {
        self.config.include_chart_revision.unwrap_or(true)
    }

    /// The cluster's DNS domain: `dns.customCluster`, default `cluster.local`.
    pub fn cluster_domain(&self) -> String {
        self.config
            .dns
            .as_ref()
            .and_then(|d| d.custom_cluster.clone())
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| "cluster.local".into())
    }

    /// Whether in-cluster addresses are fully qualified
    /// (`<service>.<namespace>.svc.<cluster domain>`), as the charts write
    /// them from chart 2.1.0; short Service names before.
    pub fn qualified_hosts(&self) -> bool {
        self.chart_version.at_least(2, 1, 0)
    }

    /// The gateway section, or an empty one.
    pub fn gateway(&self) -> ApiService {
        self.config.gateway.clone().unwrap_or_default()
    }

    /// The gateway Service type: `gateway.service.type`, default ClusterIP.
    /// `deploymentType` does not change it: no chart (1.x or 2.x) and no
    /// Python CLI install does; the charts' own CI sets NodePort beside
    /// `deploymentType: minikube`.
    pub fn gateway_service_type(&self) -> ServiceType {
        self.config
            .gateway
            .as_ref()
            .and_then(|g| g.service.as_ref())
            .and_then(|s| s.service_type)
            .unwrap_or(ServiceType::ClusterIP)
    }

    /// `securityContext.enabled`, default false.
    pub fn security_context(&self) -> bool {
        self.config
            .security_context
            .as_ref()
            .and_then(|s| s.enabled)
            .unwrap_or(false)
    }

    /// `securityContext.runAsUser` (the seed's `user`), default 2222.
    pub fn run_as_user(&self) -> i64 {
        self.config
            .security_context
            .as_ref()
            .and_then(|s| s.run_as_user)
            .unwrap_or(2222)
    }

    /// `securityContext.runAsGroup` (the seed's `group`), default 2222.
    pub fn run_as_group(&self) -> i64 {
        self.config
            .security_context
            .as_ref()
            .and_then(|s| s.run_as_group)
            .unwrap_or(2222)
    }

    /// The core nodeSelector: `nodeSelector`, else the 0.x `nodeSelectors.core`.
    pub fn node_selector(&self) -> Option<BTreeMap<String, String>> {
        self.config
            .node_selector
            .clone()
            .filter(|m| !m.is_empty())
            .or_else(|| {
                self.config
                    .node_selectors
                    .as_ref()
                    .and_then(|n| n.core.clone())
                    .filter(|m| !m.is_empty())
            })
    }

    /// The core tolerations: `tolerations` as a list, or its 0.x `core` entry.
    pub fn tolerations(&self) -> Option<Vec<k8s_openapi::api::core::v1::Toleration>> {
        match &self.config.tolerations {
            Some(TolerationsSetting::List(list)) => Some(list.clone()),
            Some(TolerationsSetting::ByRole(roles)) => roles.core.clone(),
            None => None,
        }
        .filter(|l| !l.is_empty())
    }

    /// The core affinity: `affinity` over the charts' default (prefer the
    /// node of the other `type: polyaxon-core` pods), merged key by key as
    /// helm merges a config into `values.yaml` (a `nodeAffinity` keeps the
    /// default `podAffinity`; an empty mapping keeps the default); or the
    /// 0.x `core` entry as given, where an empty one means none.
    pub fn affinity(&self) -> Option<k8s_openapi::api::core::v1::Affinity> {
        let given = match &self.config.affinity {
            Some(AffinitySetting::Affinity(a)) if a != &Affinity::default() => {
                let merged = merge_values(
                    serde_json::to_value(default_affinity()).unwrap_or_default(),
                    serde_json::to_value(a).unwrap_or_default(),
                );
                return Some(serde_json::from_value(merged).unwrap_or_else(|_| a.clone()));
            }
            Some(AffinitySetting::Affinity(a)) => Some(a.clone()),
            Some(AffinitySetting::ByRole(roles)) => match &roles.core {
                Some(a) => Some(a.clone()),
                None => return Some(default_affinity()),
            },
            None => return Some(default_affinity()),
        };
        given.filter(|a| a != &Affinity::default())
    }

    /// Whether the raw config holds this key path with an explicit `null`.
    pub fn is_explicit_null(&self, path: &[&str]) -> bool {
        let mut value = self.raw;
        for key in path {
            match value.get(key) {
                Some(v) => value = v,
                None => return false,
            }
        }
        value.is_null()
    }

    /// `imagePullSecrets` of the core pods.
    pub fn image_pull_secrets(&self) -> Vec<String> {
        self.config.image_pull_secrets.clone().unwrap_or_default()
    }
}

/// The seed documents' default core affinity: prefer (weight 100) the node
/// that runs pods labelled `type: polyaxon-core`.
pub fn default_affinity() -> k8s_openapi::api::core::v1::Affinity {
    use k8s_openapi::api::core::v1::{
        Affinity, PodAffinity, PodAffinityTerm, WeightedPodAffinityTerm,
    };
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, LabelSelectorRequirement};
    Affinity {
        pod_affinity: Some(PodAffinity {
            preferred_during_scheduling_ignored_during_execution: Some(vec![
                WeightedPodAffinityTerm {
                    weight: 100,
                    pod_affinity_term: PodAffinityTerm {
                        label_selector: Some(LabelSelector {
                            match_expressions: Some(vec![LabelSelectorRequirement {
                                key: super::labels::CORE_TYPE.into(),
                                operator: "In".into(),
                                values: Some(vec![super::labels::CORE_TYPE_VALUE.into()]),
                            }]),
                            ..LabelSelector::default()
                        }),
                        topology_key: "kubernetes.io/hostname".into(),
                        ..PodAffinityTerm::default()
                    },
                },
            ]),
            ..PodAffinity::default()
        }),
        ..Affinity::default()
    }
}

/// `given` over `defaults`, key by key at every depth, as helm merges a
/// config into a chart's `values.yaml`: mappings merge, anything else
/// (lists included) replaces; nulls in `given` are skipped.
pub fn merge_values(defaults: serde_json::Value, given: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match (defaults, given) {
        (base, Value::Null) => base,
        (Value::Object(mut base), Value::Object(over)) => {
            for (key, value) in over {
                let old = base.remove(&key).unwrap_or(Value::Null);
                let value = match (old, value) {
                    (old, Value::Null) => old,
                    (Value::Null, value) => strip_nulls(value),
                    (old, value) => merge_values(old, value),
                };
                if !value.is_null() {
                    base.insert(key, value);
                }
            }
            Value::Object(base)
        }
        (_, over) => strip_nulls(over),
    }
}

/// `value` without the null members of its mappings, at every depth.
pub fn strip_nulls(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, strip_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(strip_nulls).collect()),
        other => other,
    }
}

/// A free-form config value as an env var's text: a string as it is,
/// anything else as JSON (`30`, `true`, `["a"]`).
pub fn as_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The Kubernetes spelling of a pull policy.
pub fn pull_policy(policy: Option<PullPolicy>) -> String {
    policy.unwrap_or(PullPolicy::IfNotPresent).to_string()
}

/// The Kubernetes spelling of a Service type.
pub fn service_type(kind: ServiceType) -> String {
    kind.to_string()
}
