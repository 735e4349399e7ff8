//! What the bitnami subcharts (PostgreSQL, Redis, RabbitMQ) render alike:
//! their names and labels, the subchart keys read from a section, images,
//! data volumes, resource presets, security contexts, probes, and one
//! builder each for their StatefulSets, Services, ServiceAccounts,
//! NetworkPolicies and PodDisruptionBudgets.
//!
//! Names, selectors and claim templates are the subcharts' to the letter:
//! they are immutable on a StatefulSet, so a database installed by helm keeps
//! its claim and data only if ours equal them.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{StatefulSet, StatefulSetSpec, StatefulSetUpdateStrategy};
use k8s_openapi::api::core::v1::{
    Affinity, Capabilities, ConfigMap, ConfigMapVolumeSource, Container, ContainerPort,
    EmptyDirVolumeSource, ExecAction, Lifecycle, LifecycleHandler, PersistentVolumeClaim,
    PersistentVolumeClaimSpec, PersistentVolumeClaimVolumeSource, PodAffinityTerm, PodAntiAffinity,
    PodSecurityContext, PodSpec, PodTemplateSpec, Probe, ResourceRequirements, SELinuxOptions,
    SeccompProfile, Secret, SecurityContext, Service, ServiceAccount, ServicePort, ServiceSpec,
    Volume, VolumeMount, VolumeResourceRequirements, WeightedPodAffinityTerm,
};
use k8s_openapi::api::networking::v1::{
    NetworkPolicy, NetworkPolicyEgressRule, NetworkPolicyIngressRule, NetworkPolicyPort,
    NetworkPolicySpec,
};
use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetSpec};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::super::RenderError;
use super::super::ctx::Ctx;
use super::super::labels;
use super::super::names;
use super::super::pod::{self, Scheduling};
use crate::chart_version::ChartVersion;
use crate::config::schema::{Dict, PullPolicy};

/// The uid and gid every bitnami image runs as.
const BITNAMI_USER: i64 = 1001;

/// One section of a dependency as written (`postgresql:`, `postgresql.auth:`,
/// ...), read by key path. `key` is its path in the config, for errors.
#[derive(Clone)]
pub struct Section<'a> {
    dict: Option<&'a Dict>,
    key: String,
}

impl<'a> Section<'a> {
    /// The section `dict` found at config path `key` (absent: every read is `None`).
    pub fn new(dict: Option<&'a Dict>, key: &str) -> Self {
        Section {
            dict,
            key: key.to_string(),
        }
    }

    /// The value at `path`, `null` read as absent.
    pub fn get(&self, path: &[&str]) -> Option<&'a Value> {
        let (first, rest) = path.split_first()?;
        let mut value = self.dict?.get(*first)?;
        for part in rest {
            value = value.get(part)?;
        }
        (!value.is_null()).then_some(value)
    }

    /// A non-empty string (or a number, as YAML writes `tag: 16`) at `path`.
    pub fn text(&self, path: &[&str]) -> Option<String> {
        match self.get(path)? {
            Value::String(s) if !s.is_empty() => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }

    /// A boolean at `path`.
    pub fn flag(&self, path: &[&str]) -> Option<bool> {
        self.get(path).and_then(Value::as_bool)
    }

    /// A Kubernetes type (resources, affinity, ...) at `path`; an error
    /// naming the key when it does not parse as one.
    pub fn typed<T: DeserializeOwned>(&self, path: &[&str]) -> Result<Option<T>, RenderError> {
        let Some(value) = self.get(path) else {
            return Ok(None);
        };
        serde_json::from_value(value.clone())
            .map(Some)
            .map_err(|e| RenderError::Invalid {
                key: self.path(path),
                message: e.to_string(),
            })
    }

    /// The section at `path` inside this one.
    pub fn at(&self, path: &str) -> Section<'a> {
        Section {
            dict: self.get(&[path]).and_then(Value::as_object),
            key: self.path(&[path]),
        }
    }

    /// `<section>.<path>` as the user wrote it, for error messages.
    pub fn path(&self, path: &[&str]) -> String {
        format!("{}.{}", self.key, path.join("."))
    }
}

/// Who a subchart is in this release: the names and labels of everything it renders.
pub struct Subchart<'a> {
    /// The namespace of every object.
    pub namespace: &'a str,
    release: &'a str,
    /// `app.kubernetes.io/name`: the chart's name, or its `nameOverride`.
    pub name: String,
    /// `common.names.fullname`: `fullnameOverride`, else `<release>-<name>`
    /// (the release alone when it already contains the name), cut to 63.
    pub fullname: String,
    /// The chart's appVersion, as its `app.kubernetes.io/version` label.
    app_version: Option<&'static str>,
    /// `Some("<chart>-<version>")` for the helm `stable` charts of the 1.x
    /// packages, which select by `app`, `release` and `role` instead.
    stable_chart: Option<&'static str>,
}

impl<'a> Subchart<'a> {
    /// The subchart `chart` of this release, with the `nameOverride` and
    /// `fullnameOverride` of its section.
    pub fn new(
        ctx: &Ctx<'a>,
        chart: &str,
        section: &Section<'_>,
        app_version: Option<&'static str>,
    ) -> Self {
        let name = section
            .text(&["nameOverride"])
            .unwrap_or_else(|| chart.to_string());
        let fullname = match section.text(&["fullnameOverride"]) {
            Some(given) => names::truncate(&given),
            None if ctx.release.contains(&name) => names::truncate(ctx.release),
            None => names::truncate(&format!("{}-{name}", ctx.release)),
        };
        Subchart {
            namespace: ctx.namespace,
            release: ctx.release,
            name,
            fullname,
            app_version,
            stable_chart: None,
        }
    }

    /// A subchart of the 1.x packages (helm's `stable` repository and the
    /// bitnami charts of its time) whose labels are `app`, `release`,
    /// `role` (the component) and `chart: <chart_label>`.
    pub fn stable(
        ctx: &Ctx<'a>,
        chart: &str,
        section: &Section<'_>,
        chart_label: &'static str,
    ) -> Self {
        Subchart {
            stable_chart: Some(chart_label),
            ..Subchart::new(ctx, chart, section, None)
        }
    }

    /// `<fullname>-<suffix>`, as the subcharts name their parts. The charts
    /// do not cut these, so past 63 characters theirs are invalid names no
    /// release can have; ours then shorten the prefix, as every name here.
    pub fn named(&self, suffix: &str) -> String {
        names::join(&self.fullname, suffix)
    }

    /// The labels selectors use: name, instance and (when given) component.
    pub fn match_labels(&self, component: Option<&str>) -> BTreeMap<String, String> {
        if self.stable_chart.is_some() {
            let mut labels = BTreeMap::from([
                ("app".to_string(), self.name.clone()),
                ("release".to_string(), self.release.to_string()),
            ]);
            if let Some(component) = component {
                labels.insert("role".into(), component.into());
            }
            return labels;
        }
        let mut labels = BTreeMap::from([
            (labels::NAME.to_string(), self.name.clone()),
            (labels::INSTANCE.to_string(), self.release.to_string()),
        ]);
        if let Some(component) = component {
            labels.insert(labels::COMPONENT.into(), component.into());
        }
        labels
    }

    /// The labels of an object: its selector labels, who manages it (this
    /// tool, so that teardown finds it) and the subchart's version.
    pub fn labels(&self, component: Option<&str>) -> BTreeMap<String, String> {
        let mut labels = self.match_labels(component);
        labels.insert(labels::MANAGED_BY.into(), labels::MANAGER.into());
        if let Some(chart) = self.stable_chart {
            // Who manages it, for this tool, besides the chart's own labels.
            labels.insert(labels::INSTANCE.into(), self.release.to_string());
            labels.insert(labels::NAME.into(), self.name.clone());
            labels.insert("chart".into(), chart.into());
        }
        if let Some(version) = self.app_version {
            labels.insert(labels::VERSION.into(), version.into());
        }
        labels
    }

    /// Metadata of the object `name`.
    pub fn meta(&self, name: &str, component: Option<&str>) -> ObjectMeta {
        ObjectMeta {
            name: Some(name.to_string()),
            namespace: Some(self.namespace.to_string()),
            labels: Some(self.labels(component)),
            ..ObjectMeta::default()
        }
    }

    /// The label selector of `component`'s pods.
    pub fn selector(&self, component: Option<&str>) -> LabelSelector {
        LabelSelector {
            match_labels: Some(self.match_labels(component)),
            ..LabelSelector::default()
        }
    }

    /// An Opaque Secret `name` of string data.
    pub fn secret(&self, name: &str, data: BTreeMap<String, String>) -> Secret {
        super::super::common::opaque_secret(self.meta(name, None), data)
    }

    /// A ConfigMap `name` of string data.
    pub fn config_map(&self, name: &str, data: BTreeMap<String, String>) -> ConfigMap {
        ConfigMap {
            metadata: self.meta(name, None),
            data: Some(data),
            ..ConfigMap::default()
        }
    }

    /// The ServiceAccount `name` of the pods; `secrets` lists the Secrets it
    /// names (RabbitMQ's).
    pub fn service_account(
        &self,
        name: &str,
        automount_token: bool,
        secrets: &[String],
    ) -> ServiceAccount {
        ServiceAccount {
            metadata: self.meta(name, None),
            automount_service_account_token: Some(automount_token),
            secrets: (!secrets.is_empty()).then(|| {
                secrets
                    .iter()
                    .map(|s| k8s_openapi::api::core::v1::ObjectReference {
                        name: Some(s.clone()),
                        ..Default::default()
                    })
                    .collect()
            }),
            ..ServiceAccount::default()
        }
    }

    /// The ClusterIP Service `name` in front of `component`'s pods.
    /// `internal_traffic_policy` says `Cluster` explicitly, as Redis does.
    pub fn service(
        &self,
        name: &str,
        component: Option<&str>,
        ports: Vec<ServicePort>,
        internal_traffic_policy: bool,
    ) -> Service {
        Service {
            metadata: self.meta(name, component),
            spec: Some(ServiceSpec {
                type_: Some("ClusterIP".into()),
                // The `stable` charts leave it to the API server's default.
                session_affinity: self.stable_chart.is_none().then(|| "None".into()),
                internal_traffic_policy: internal_traffic_policy.then(|| "Cluster".into()),
                selector: Some(self.match_labels(component)),
                ports: Some(ports),
                ..ServiceSpec::default()
            }),
            ..Service::default()
        }
    }

    /// The headless Service `name` that gives `component`'s pods stable DNS
    /// names (the StatefulSet's `serviceName`).
    pub fn headless_service(
        &self,
        name: &str,
        component: Option<&str>,
        ports: Vec<ServicePort>,
        publish_not_ready: bool,
    ) -> Service {
        Service {
            metadata: self.meta(name, component),
            spec: Some(ServiceSpec {
                type_: Some("ClusterIP".into()),
                cluster_ip: Some("None".into()),
                publish_not_ready_addresses: publish_not_ready.then_some(true),
                selector: Some(self.match_labels(component)),
                ports: Some(ports),
                ..ServiceSpec::default()
            }),
            ..Service::default()
        }
    }

    /// The NetworkPolicy the newer subcharts ship: any egress, ingress to
    /// `port` from anywhere (`allowExternal`), for `component`'s pods.
    pub fn network_policy(&self, component: Option<&str>, port: i32) -> NetworkPolicy {
        NetworkPolicy {
            metadata: self.meta(&self.fullname, component),
            spec: Some(NetworkPolicySpec {
                pod_selector: Some(self.selector(component)),
                policy_types: Some(vec!["Ingress".into(), "Egress".into()]),
                egress: Some(vec![NetworkPolicyEgressRule::default()]),
                ingress: Some(vec![NetworkPolicyIngressRule {
                    ports: Some(vec![NetworkPolicyPort {
                        port: Some(IntOrString::Int(port)),
                        ..NetworkPolicyPort::default()
                    }]),
                    ..NetworkPolicyIngressRule::default()
                }]),
            }),
        }
    }

    /// The PodDisruptionBudget `name` the newer subcharts ship: one pod of
    /// `component` down at a time.
    pub fn disruption_budget(&self, name: &str, component: &str) -> PodDisruptionBudget {
        PodDisruptionBudget {
            metadata: self.meta(name, Some(component)),
            spec: Some(PodDisruptionBudgetSpec {
                max_unavailable: Some(IntOrString::Int(1)),
                selector: Some(self.selector(Some(component))),
                ..PodDisruptionBudgetSpec::default()
            }),
            ..PodDisruptionBudget::default()
        }
    }
}

/// A subchart image: `<registry>/<repository>:<tag>`, as bitnami composes it.
pub struct Image {
    /// `image.registry`.
    pub registry: String,
    /// `image.repository`.
    pub repository: String,
    /// `image.tag`.
    pub tag: String,
    /// `image.pullPolicy`.
    pub pull_policy: String,
}

impl Image {
    /// The subchart's default image `docker.io/<repository>:<tag>`.
    pub fn new(repository: &str, tag: &str) -> Self {
        Image {
            registry: "docker.io".into(),
            repository: repository.into(),
            tag: tag.into(),
            pull_policy: "IfNotPresent".into(),
        }
    }

    /// The default image of bitnami's `name` (`postgresql`, `redis`) that
    /// the chart of `chart_version` pulls: from the republished chart 2.11.1
    /// the `bitnamilegacy` repository (bitnami stopped publishing its free
    /// images), before it `bitnami`.
    pub fn published(chart_version: &ChartVersion, name: &str, tag: &str) -> Self {
        let owner = if chart_version.at_least(2, 11, 1) {
            "bitnamilegacy"
        } else {
            "bitnami"
        };
        Image::new(&format!("{owner}/{name}"), tag)
    }

    /// The subchart's own image keys (`registry`, `repository`, `tag`,
    /// `pullPolicy`) of the section `image`.
    pub fn with_subchart(mut self, image: &Section<'_>) -> Self {
        if let Some(registry) = image.text(&["registry"]) {
            self.registry = registry;
        }
        if let Some(repository) = image.text(&["repository"]) {
            self.repository = repository;
        }
        if let Some(tag) = image.text(&["tag"]) {
            self.tag = tag;
        }
        if let Some(policy) = image.text(&["pullPolicy"]) {
            self.pull_policy = policy;
        }
        self
    }

    /// Our `image` (the repository), `imageTag` and `imagePullPolicy` keys,
    /// which win over the subchart's.
    pub fn with_ours(
        mut self,
        repository: Option<&String>,
        tag: Option<&String>,
        pull_policy: Option<PullPolicy>,
    ) -> Self {
        if let Some(repository) = repository.filter(|r| !r.is_empty()) {
            self.repository = repository.clone();
        }
        if let Some(tag) = tag.filter(|t| !t.is_empty()) {
            self.tag = tag.clone();
        }
        if let Some(policy) = pull_policy {
            self.pull_policy = format!("{policy:?}");
        }
        self
    }

    /// The image reference.
    pub fn reference(&self) -> String {
        if self.registry.is_empty() {
            format!("{}:{}", self.repository, self.tag)
        } else {
            format!("{}/{}:{}", self.registry, self.repository, self.tag)
        }
    }
}

/// The data volume of a subchart's pods: a claim per pod (the default), an
/// existing claim, or an emptyDir.
pub struct Persistence {
    /// A volume that outlives the pod.
    pub enabled: bool,
    /// Requested size.
    pub size: String,
    /// Storage class; `Some("")` asks for no class (bitnami's `-`).
    pub storage_class: Option<String>,
    /// Access modes of the claim.
    pub access_modes: Vec<String>,
    /// A claim made beforehand, used instead of a claim template.
    pub existing_claim: Option<String>,
}

impl Persistence {
    /// The subchart's `persistence` section `subchart` (`primary.persistence`,
    /// `master.persistence`, `persistence`), then our `persistence` section
    /// `ours` for what the subchart's leaves unset.
    ///
    /// Our `enabled` never turns a claim off: the Polyaxon chart's own
    /// values.yaml ships `postgresql.persistence.enabled: false`, which the
    /// subchart never reads, so copies of it carry a `false` that has never
    /// meant "no volume" for any installed database; only the subchart's
    /// `enabled: false` gives an emptyDir.
    pub fn read(subchart: &Section<'_>, ours: Option<&Dict>) -> Self {
        let ours = Section::new(ours, "persistence");
        let size = subchart
            .text(&["size"])
            .or_else(|| ours.text(&["size"]))
            .unwrap_or_else(|| "8Gi".into());
        let storage_class = subchart
            .text(&["storageClass"])
            .or_else(|| ours.text(&["storageClass"]))
            .map(|class| if class == "-" { String::new() } else { class });
        let access_modes = subchart
            .get(&["accessModes"])
            .and_then(Value::as_array)
            .map(|modes| {
                modes
                    .iter()
                    .filter_map(Value::as_str)
                    .map(String::from)
                    .collect::<Vec<_>>()
            })
            .filter(|modes| !modes.is_empty())
            .unwrap_or_else(|| vec!["ReadWriteOnce".into()]);
        Persistence {
            enabled: subchart.flag(&["enabled"]).unwrap_or(true),
            size,
            storage_class,
            access_modes,
            existing_claim: subchart.text(&["existingClaim"]),
        }
    }

    /// The claim template `name` with `labels` (the subcharts differ:
    /// none, or the selector labels), or `None` when the pods use a volume.
    fn claim_template(
        &self,
        name: &str,
        labels: Option<BTreeMap<String, String>>,
    ) -> Option<PersistentVolumeClaim> {
        (self.enabled && self.existing_claim.is_none()).then(|| PersistentVolumeClaim {
            metadata: ObjectMeta {
                name: Some(name.into()),
                labels,
                ..ObjectMeta::default()
            },
            spec: Some(PersistentVolumeClaimSpec {
                access_modes: Some(self.access_modes.clone()),
                storage_class_name: self.storage_class.clone(),
                resources: Some(VolumeResourceRequirements {
                    requests: Some(BTreeMap::from([(
                        "storage".to_string(),
                        Quantity(self.size.clone()),
                    )])),
                    ..VolumeResourceRequirements::default()
                }),
                ..PersistentVolumeClaimSpec::default()
            }),
            ..PersistentVolumeClaim::default()
        })
    }

    /// The pod volume `name`, when there is no claim template.
    fn volume(&self, name: &str) -> Option<Volume> {
        if !self.enabled {
            return Some(empty_dir(name));
        }
        self.existing_claim.as_ref().map(|claim| Volume {
            name: name.into(),
            persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
                claim_name: claim.clone(),
                read_only: None,
            }),
            ..Volume::default()
        })
    }
}

/// A pod volume `name` of the ConfigMap `config_map`, its files of `mode`
/// when given (scripts are executable).
pub fn config_map_volume(name: &str, config_map: &str, mode: Option<i32>) -> Volume {
    Volume {
        name: name.into(),
        config_map: Some(ConfigMapVolumeSource {
            name: config_map.into(),
            default_mode: mode,
            ..ConfigMapVolumeSource::default()
        }),
        ..Volume::default()
    }
}

/// An emptyDir volume `name`.
pub fn empty_dir(name: &str) -> Volume {
    Volume {
        name: name.into(),
        empty_dir: Some(EmptyDirVolumeSource::default()),
        ..Volume::default()
    }
}

/// The requests and limits of a bitnami `resourcesPreset` (`nano`, ...;
/// the newer subcharts' default when no resources are given). `key` names
/// the preset's key for the error on an unknown one.
pub fn preset(name: &str, key: &str) -> Result<ResourceRequirements, RenderError> {
    let (cpu, memory, cpu_limit, memory_limit) = match name {
        "nano" => ("100m", "128Mi", "150m", "192Mi"),
        "micro" => ("250m", "256Mi", "375m", "384Mi"),
        "small" => ("500m", "512Mi", "750m", "768Mi"),
        "medium" => ("500m", "1024Mi", "750m", "1536Mi"),
        "large" => ("1.0", "2048Mi", "1.5", "3072Mi"),
        "xlarge" => ("1.0", "3072Mi", "3.0", "6144Mi"),
        "2xlarge" => ("1.0", "3072Mi", "6.0", "12288Mi"),
        other => {
            return Err(RenderError::Invalid {
                key: key.into(),
                message: format!(
                    "unknown preset `{other}`: one of none, nano, micro, small, medium, large, xlarge, 2xlarge"
                ),
            });
        }
    };
    let quantities = |cpu: &str, memory: &str, storage: &str| {
        BTreeMap::from([
            ("cpu".to_string(), Quantity(cpu.into())),
            ("memory".to_string(), Quantity(memory.into())),
            ("ephemeral-storage".to_string(), Quantity(storage.into())),
        ])
    };
    Ok(ResourceRequirements {
        requests: Some(quantities(cpu, memory, "50Mi")),
        limits: Some(quantities(cpu_limit, memory_limit, "2Gi")),
        ..ResourceRequirements::default()
    })
}

/// The resources of a newer subchart's container: the subchart's
/// `<component>.resources`, else ours, else its `resourcesPreset` (`nano`
/// unless set; `none` for no resources).
pub fn resources_or_preset(
    component: &Section<'_>,
    ours: Option<&ResourceRequirements>,
) -> Result<Option<ResourceRequirements>, RenderError> {
    if let Some(given) = component.typed::<ResourceRequirements>(&["resources"])? {
        return Ok(Some(given));
    }
    if let Some(given) = ours {
        return Ok(Some(given.clone()));
    }
    match component.text(&["resourcesPreset"]).as_deref() {
        Some("none") => Ok(None),
        name => preset(
            name.unwrap_or("nano"),
            &component.path(&["resourcesPreset"]),
        )
        .map(Some),
    }
}

/// Where a subchart's pods may run: the subchart's keys of `component`
/// (`primary.*`, `master.*`, or the section itself), else ours.
pub fn scheduling(component: &Section<'_>, ours: &Scheduling) -> Result<Scheduling, RenderError> {
    Ok(Scheduling {
        node_selector: component
            .typed(&["nodeSelector"])?
            .or_else(|| ours.node_selector.clone()),
        affinity: component
            .typed(&["affinity"])?
            .or_else(|| ours.affinity.clone()),
        tolerations: component
            .typed(&["tolerations"])?
            .or_else(|| ours.tolerations.clone()),
    })
}

/// The subcharts' default affinity (`podAntiAffinityPreset: soft`): rather
/// not two pods of `match_labels` on one node.
pub fn soft_anti_affinity(match_labels: BTreeMap<String, String>) -> Affinity {
    Affinity {
        pod_anti_affinity: Some(PodAntiAffinity {
            preferred_during_scheduling_ignored_during_execution: Some(vec![
                WeightedPodAffinityTerm {
                    weight: 1,
                    pod_affinity_term: PodAffinityTerm {
                        label_selector: Some(LabelSelector {
                            match_labels: Some(match_labels),
                            ..LabelSelector::default()
                        }),
                        topology_key: "kubernetes.io/hostname".into(),
                        ..PodAffinityTerm::default()
                    },
                },
            ]),
            ..PodAntiAffinity::default()
        }),
        ..Affinity::default()
    }
}

/// The container security context a subchart sets.
#[derive(Clone, Copy)]
pub enum ContainerSecurity {
    /// The older subcharts: only the bitnami user.
    User,
    /// RabbitMQ: the bitnami user, not root.
    NonRoot,
    /// The newer subcharts: read-only root, no privilege, no capability,
    /// the runtime's seccomp profile; `privileged: false` said explicitly
    /// when `explicit_unprivileged` (PostgreSQL does, Redis does not).
    Restricted {
        /// Whether `privileged: false` is written out.
        explicit_unprivileged: bool,
    },
}

impl ContainerSecurity {
    /// The security context.
    pub fn context(self) -> SecurityContext {
        let user = SecurityContext {
            run_as_user: Some(BITNAMI_USER),
            ..SecurityContext::default()
        };
        match self {
            ContainerSecurity::User => user,
            ContainerSecurity::NonRoot => SecurityContext {
                run_as_non_root: Some(true),
                ..user
            },
            ContainerSecurity::Restricted {
                explicit_unprivileged,
            } => SecurityContext {
                allow_privilege_escalation: Some(false),
                capabilities: Some(Capabilities {
                    drop: Some(vec!["ALL".into()]),
                    ..Capabilities::default()
                }),
                privileged: explicit_unprivileged.then_some(false),
                read_only_root_filesystem: Some(true),
                run_as_group: Some(BITNAMI_USER),
                run_as_non_root: Some(true),
                se_linux_options: Some(SELinuxOptions::default()),
                seccomp_profile: Some(SeccompProfile {
                    type_: "RuntimeDefault".into(),
                    ..SeccompProfile::default()
                }),
                ..user
            },
        }
    }
}

/// The pod security context: volumes owned by the bitnami group; the newer
/// subcharts also say how ownership changes and that no groups or sysctls
/// are added.
pub fn pod_security(newer: bool) -> PodSecurityContext {
    PodSecurityContext {
        fs_group: Some(BITNAMI_USER),
        fs_group_change_policy: newer.then(|| "Always".into()),
        supplemental_groups: newer.then(Vec::new),
        sysctls: newer.then(Vec::new),
        ..PodSecurityContext::default()
    }
}

/// A probe running `command` with its timings `(initial delay, period,
/// timeout, failure threshold)`; success after one pass, as the subcharts.
pub fn exec_probe(command: &[&str], timings: (i32, i32, i32, i32)) -> Probe {
    let (initial, period, timeout, failures) = timings;
    Probe {
        exec: Some(ExecAction {
            command: Some(command.iter().map(|s| s.to_string()).collect()),
        }),
        initial_delay_seconds: Some(initial),
        period_seconds: Some(period),
        timeout_seconds: Some(timeout),
        success_threshold: Some(1),
        failure_threshold: Some(failures),
        ..Probe::default()
    }
}

/// A container lifecycle that runs `command` before the container stops.
pub fn pre_stop(command: &[&str]) -> Lifecycle {
    Lifecycle {
        pre_stop: Some(LifecycleHandler {
            exec: Some(ExecAction {
                command: Some(command.iter().map(|s| s.to_string()).collect()),
            }),
            ..LifecycleHandler::default()
        }),
        ..Lifecycle::default()
    }
}

/// A named container port.
pub fn container_port(name: &str, port: i32) -> ContainerPort {
    ContainerPort {
        name: Some(name.into()),
        container_port: port,
        ..ContainerPort::default()
    }
}

/// A Service port `name`: `port` to the pods' port named `target`.
pub fn service_port(name: &str, port: i32, target: &str) -> ServicePort {
    ServicePort {
        name: Some(name.into()),
        port,
        target_port: Some(IntOrString::String(target.into())),
        ..ServicePort::default()
    }
}

/// One subchart StatefulSet, what differs between them; [`Self::build`]
/// adds what they share.
pub struct Workload {
    /// StatefulSet name.
    pub name: String,
    /// `app.kubernetes.io/component` of the pods (`primary`, `master`, ...).
    pub component: Option<&'static str>,
    /// Pods.
    pub replicas: i32,
    /// The headless Service giving the pods their DNS names.
    pub service_name: String,
    /// The pod spec without its data volume and default affinity.
    pub pod: PodSpec,
    /// Where the pods may run; the soft anti-affinity when no affinity is set.
    pub scheduling: Scheduling,
    /// Pull secrets of the pods.
    pub pull_secrets: Vec<String>,
    /// Name of the data volume (claim template or pod volume).
    pub data_volume: &'static str,
    /// The data volume.
    pub persistence: Persistence,
    /// Whether the claim template carries the selector labels (Redis, RabbitMQ).
    pub claim_labels: bool,
    /// Checksums of the subchart's own config (`checksum/<name>`), so that
    /// the pods roll when it changes, and only then.
    pub checksums: BTreeMap<String, String>,
    /// StatefulSet fields that only some subcharts set.
    pub extras: WorkloadExtras,
}

/// StatefulSet fields only some subcharts set.
#[derive(Default)]
pub struct WorkloadExtras {
    /// `revisionHistoryLimit` (Redis 20).
    pub revision_history_limit: Option<i32>,
    /// `podManagementPolicy` (RabbitMQ).
    pub pod_management_policy: Option<&'static str>,
    /// `updateStrategy.rollingUpdate: {}` (PostgreSQL).
    pub empty_rolling_update: bool,
}

impl Workload {
    /// The StatefulSet of `subchart`.
    pub fn build(self, subchart: &Subchart<'_>) -> StatefulSet {
        let match_labels = subchart.match_labels(self.component);
        let mut pod = self.pod;
        if let Some(volume) = self.persistence.volume(self.data_volume) {
            pod.volumes.get_or_insert_with(Vec::new).push(volume);
        }
        pod.affinity = Some(
            self.scheduling
                .affinity
                .unwrap_or_else(|| soft_anti_affinity(match_labels.clone())),
        );
        pod.node_selector = self.scheduling.node_selector;
        pod.tolerations = self.scheduling.tolerations;
        pod.image_pull_secrets = pod::pull_secrets(&self.pull_secrets);
        let claim = self
            .persistence
            .claim_template(self.data_volume, self.claim_labels.then_some(match_labels));
        StatefulSet {
            metadata: subchart.meta(&self.name, self.component),
            spec: Some(StatefulSetSpec {
                replicas: Some(self.replicas),
                revision_history_limit: self.extras.revision_history_limit,
                pod_management_policy: self.extras.pod_management_policy.map(String::from),
                selector: subchart.selector(self.component),
                service_name: Some(self.service_name),
                update_strategy: Some(StatefulSetUpdateStrategy {
                    type_: Some("RollingUpdate".into()),
                    rolling_update: self.extras.empty_rolling_update.then(Default::default),
                }),
                template: PodTemplateSpec {
                    metadata: Some(ObjectMeta {
                        labels: Some(subchart.labels(self.component)),
                        annotations: Some(
                            self.checksums
                                .into_iter()
                                .map(|(name, sum)| (format!("checksum/{name}"), sum))
                                .collect(),
                        ),
                        ..ObjectMeta::default()
                    }),
                    spec: Some(pod),
                },
                volume_claim_templates: claim.map(|c| vec![c]),
                ..StatefulSetSpec::default()
            }),
            ..StatefulSet::default()
        }
    }
}

/// A volume mount of `volume` at `path`.
pub fn mount(volume: &str, path: &str) -> VolumeMount {
    VolumeMount {
        name: volume.into(),
        mount_path: path.into(),
        ..VolumeMount::default()
    }
}

/// Resources with these requests and no limits (`limits: {}`), as the
/// older subcharts' and the Polyaxon chart's defaults.
pub fn requests(quantities: &[(&str, &str)]) -> ResourceRequirements {
    ResourceRequirements {
        requests: Some(
            quantities
                .iter()
                .map(|(name, value)| (name.to_string(), Quantity(value.to_string())))
                .collect(),
        ),
        limits: Some(BTreeMap::new()),
        ..ResourceRequirements::default()
    }
}

/// The one container of a subchart pod, with the fields every subchart sets.
pub fn container(name: &str, image: &Image) -> Container {
    Container {
        name: name.into(),
        image: Some(image.reference()),
        image_pull_policy: Some(image.pull_policy.clone()),
        ..Container::default()
    }
}
