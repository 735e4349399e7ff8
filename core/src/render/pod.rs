//! The shape every core workload shares: scheduling (the service's own
//! nodeSelector/affinity/tolerations, else the global ones), security
//! contexts, pull secrets, labels and checksums, requests always and limits
//! only with `limitResources` (as the charts).

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
use k8s_openapi::api::core::v1::{
    Affinity, Container, ContainerPort, EnvFromSource, EnvVar, EnvVarSource, LocalObjectReference,
    ObjectFieldSelector, PersistentVolumeClaimSpec, PodSecurityContext, PodSpec, PodTemplateSpec,
    Probe, ResourceRequirements, SecretKeySelector, SecurityContext, Toleration, Volume,
    VolumeMount, VolumeResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::ctx::Ctx;
use super::labels::{self, Role};
use super::values::{Values, pull_policy};
use crate::config::schema::ServiceSettings;

/// Where a pod may run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scheduling {
    /// nodeSelector.
    pub node_selector: Option<BTreeMap<String, String>>,
    /// affinity.
    pub affinity: Option<Affinity>,
    /// tolerations.
    pub tolerations: Option<Vec<Toleration>>,
}

impl Scheduling {
    /// A service's scheduling: its own values where given, the global core
    /// ones otherwise (the charts' `config.<service>.scheduling`).
    pub fn core(
        values: &Values<'_>,
        node_selector: Option<&BTreeMap<String, String>>,
        affinity: Option<&Affinity>,
        tolerations: Option<&Vec<Toleration>>,
    ) -> Self {
        Scheduling {
            node_selector: node_selector
                .filter(|m| !m.is_empty())
                .cloned()
                .or_else(|| values.node_selector()),
            affinity: affinity
                .filter(|a| **a != Affinity::default())
                .cloned()
                .or_else(|| values.affinity()),
            tolerations: tolerations
                .filter(|t| !t.is_empty())
                .cloned()
                .or_else(|| values.tolerations()),
        }
    }

    /// The scheduling of a service from its section ([`Scheduling::core`]).
    pub fn of(values: &Values<'_>, service: &impl ServiceSettings) -> Self {
        Scheduling::core(
            values,
            service.node_selector(),
            service.affinity(),
            service.tolerations(),
        )
    }

    /// As JSON for the agent config (`POLYAXON_AGENT_DEFAULT_SCHEDULING`).
    pub fn to_json(&self) -> serde_json::Value {
        let mut map = serde_json::Map::new();
        if let Some(v) = &self.node_selector {
            map.insert("nodeSelector".into(), serde_json::json!(v));
        }
        if let Some(v) = &self.affinity {
            map.insert(
                "affinity".into(),
                serde_json::to_value(v).unwrap_or_default(),
            );
        }
        if let Some(v) = &self.tolerations {
            map.insert(
                "tolerations".into(),
                serde_json::to_value(v).unwrap_or_default(),
            );
        }
        serde_json::Value::Object(map)
    }
}

/// The pod security context of core pods when `securityContext.enabled`.
pub fn pod_security(values: &Values<'_>) -> Option<PodSecurityContext> {
    if !values.security_context() {
        return None;
    }
    let sc = values.config.security_context.clone().unwrap_or_default();
    Some(PodSecurityContext {
        run_as_user: Some(values.run_as_user()),
        run_as_group: Some(values.run_as_group()),
        fs_group: Some(sc.fs_group.unwrap_or_else(|| values.run_as_group())),
        fs_group_change_policy: sc.fs_group_change_policy.filter(|p| !p.is_empty()),
        ..PodSecurityContext::default()
    })
}

/// The container security context of core containers when `securityContext.enabled`.
pub fn container_security(values: &Values<'_>) -> Option<SecurityContext> {
    if !values.security_context() {
        return None;
    }
    let sc = values.config.security_context.clone().unwrap_or_default();
    Some(SecurityContext {
        allow_privilege_escalation: Some(sc.allow_privilege_escalation.unwrap_or(false)),
        run_as_non_root: Some(sc.run_as_non_root.unwrap_or(true)),
        ..SecurityContext::default()
    })
}

/// Requests always, limits only with `limitResources`, as the charts.
pub fn resources(
    values: &Values<'_>,
    given: Option<&ResourceRequirements>,
    default_requests: (&str, &str),
    default_limits: (&str, &str),
) -> ResourceRequirements {
    let quantities = |(cpu, memory): (&str, &str)| {
        BTreeMap::from([
            ("cpu".to_string(), Quantity(cpu.to_string())),
            ("memory".to_string(), Quantity(memory.to_string())),
        ])
    };
    let requests = given
        .and_then(|r| r.requests.clone())
        .unwrap_or_else(|| quantities(default_requests));
    let limits = values.limit_resources().then(|| {
        given
            .and_then(|r| r.limits.clone())
            .unwrap_or_else(|| quantities(default_limits))
    });
    ResourceRequirements {
        requests: Some(requests),
        limits,
        ..ResourceRequirements::default()
    }
}

/// One core workload (a Deployment with one main container).
#[derive(Debug, Clone, Default)]
pub struct Workload {
    /// Object name (`<release>-polyaxon-gateway`, ...).
    pub name: String,
    /// The `app.kubernetes.io/name` of the pods, which the selector and the
    /// Services select, when it is not [`Self::name`]: the charts label the
    /// pods behind the gateway Service `<fullname>-gateway` whichever
    /// Deployment runs them (`-streams` in the agent chart, `-api` in the
    /// platform's).
    pub app: Option<String>,
    /// The chart role of the workload.
    pub role: Option<Role>,
    /// Replicas.
    pub replicas: i32,
    /// The main container.
    pub container: Container,
    /// More containers (1.x API pod carries streams too).
    pub sidecars: Vec<Container>,
    /// Pod volumes.
    pub volumes: Vec<Volume>,
    /// ServiceAccount of the pods.
    pub service_account: Option<String>,
    /// Where the pods may run.
    pub scheduling: Scheduling,
    /// Pull secrets of the pods.
    pub pull_secrets: Vec<String>,
    /// Pod annotations (checksums of the config read).
    pub annotations: BTreeMap<String, String>,
    /// Pod termination grace period.
    pub termination_grace_period: Option<i64>,
}

/// `image:tag` of a service: its `image` or the default repository, its
/// `imageTag` or the pinned version.
pub fn image(image: Option<&String>, tag: Option<&String>, default: &str, version: &str) -> String {
    let repo = image
        .filter(|i| !i.is_empty())
        .map_or(default, String::as_str);
    let tag = tag
        .filter(|t| !t.is_empty())
        .map_or(version, String::as_str);
    format!("{repo}:{tag}")
}

/// The pull secrets of a service's pods: its own `imagePullSecrets`, else
/// the global ones.
pub fn pull_secrets_of(values: &Values<'_>, service: &impl ServiceSettings) -> Vec<String> {
    service
        .image_pull_secrets()
        .cloned()
        .unwrap_or_else(|| values.image_pull_secrets())
}

/// What the charts give a service's main container where its section says
/// nothing.
#[derive(Debug, Clone, Copy)]
pub struct Defaults<'a> {
    /// Image repository.
    pub image: &'a str,
    /// Image tag: the pinned version.
    pub tag: &'a str,
    /// CPU and memory requests.
    pub requests: (&'a str, &'a str),
    /// CPU and memory limits (with `limitResources`).
    pub limits: (&'a str, &'a str),
}

/// A service's main container ([`container`]): the image, pull policy and
/// resources its section sets, else `defaults`.
pub fn service_container(
    values: &Values<'_>,
    name: &str,
    service: &impl ServiceSettings,
    defaults: Defaults<'_>,
    env_from: Vec<EnvFromSource>,
    env: Vec<EnvVar>,
    mounts: Vec<VolumeMount>,
) -> Container {
    container(
        values,
        name,
        image(
            service.image(),
            service.image_tag(),
            defaults.image,
            defaults.tag,
        ),
        pull_policy(service.image_pull_policy()),
        env_from,
        env,
        mounts,
        resources(
            values,
            service.resources(),
            defaults.requests,
            defaults.limits,
        ),
    )
}

/// The container ports of a server: `target`, and 443 when it serves TLS itself.
pub fn serving_ports(target: i32, tls: bool) -> Vec<ContainerPort> {
    let mut ports = vec![port(target)];
    if tls {
        ports.push(port(443));
    }
    ports
}

/// A main container with the fields every core container sets.
#[allow(clippy::too_many_arguments)]
pub fn container(
    values: &Values<'_>,
    name: &str,
    image: String,
    pull_policy: String,
    env_from: Vec<EnvFromSource>,
    env: Vec<EnvVar>,
    mounts: Vec<VolumeMount>,
    resources: ResourceRequirements,
) -> Container {
    Container {
        name: name.to_string(),
        image: Some(image),
        image_pull_policy: Some(pull_policy),
        security_context: container_security(values),
        env_from: (!env_from.is_empty()).then_some(env_from),
        env: (!env.is_empty()).then_some(env),
        volume_mounts: (!mounts.is_empty()).then_some(mounts),
        resources: Some(resources),
        ..Container::default()
    }
}

/// An env var with a value.
pub fn env(name: &str, value: &str) -> EnvVar {
    EnvVar {
        name: name.into(),
        value: Some(value.into()),
        ..EnvVar::default()
    }
}

/// An env var read from a Secret key.
pub fn secret_env(name: &str, secret: &str, key: &str) -> EnvVar {
    EnvVar {
        name: name.into(),
        value_from: Some(EnvVarSource {
            secret_key_ref: Some(SecretKeySelector {
                name: secret.into(),
                key: key.into(),
                ..SecretKeySelector::default()
            }),
            ..EnvVarSource::default()
        }),
        ..EnvVar::default()
    }
}

/// An env var read from a field of the pod (`status.podIP`, `spec.nodeName`).
pub fn field_env(name: &str, path: &str) -> EnvVar {
    EnvVar {
        name: name.into(),
        value_from: Some(EnvVarSource {
            field_ref: Some(ObjectFieldSelector {
                field_path: path.into(),
                ..ObjectFieldSelector::default()
            }),
            ..EnvVarSource::default()
        }),
        ..EnvVar::default()
    }
}

/// A container port.
pub fn port(number: i32) -> ContainerPort {
    ContainerPort {
        container_port: number,
        ..ContainerPort::default()
    }
}

/// When a probe starts and how often and how long it checks, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProbeTiming {
    /// `initialDelaySeconds`.
    pub initial_delay: i32,
    /// `periodSeconds`.
    pub period: i32,
    /// `timeoutSeconds`.
    pub timeout: i32,
}

/// An HTTP probe on `/healthz/`, as the charts' gateway/API/streams probes
/// (one success to pass, ten failures to fail).
pub fn http_probe(
    port: i32,
    scheme: &str,
    timing: ProbeTiming,
    host_header: Option<&str>,
) -> Probe {
    use k8s_openapi::api::core::v1::{HTTPGetAction, HTTPHeader};
    use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
    Probe {
        http_get: Some(HTTPGetAction {
            path: Some("/healthz/".into()),
            port: IntOrString::Int(port),
            scheme: Some(scheme.to_string()),
            http_headers: host_header.map(|host| {
                vec![HTTPHeader {
                    name: "Host".into(),
                    value: host.into(),
                }]
            }),
            ..HTTPGetAction::default()
        }),
        initial_delay_seconds: Some(timing.initial_delay),
        period_seconds: Some(timing.period),
        success_threshold: Some(1),
        failure_threshold: Some(10),
        timeout_seconds: Some(timing.timeout),
        ..Probe::default()
    }
}

/// An exec probe running the image's `entrypoint.sh healthz` (agent).
pub fn exec_probe() -> Probe {
    use k8s_openapi::api::core::v1::ExecAction;
    Probe {
        exec: Some(ExecAction {
            command: Some(vec![
                "/bin/bash".into(),
                "./entrypoint.sh".into(),
                "healthz".into(),
            ]),
        }),
        initial_delay_seconds: Some(30),
        period_seconds: Some(30),
        success_threshold: Some(1),
        failure_threshold: Some(10),
        timeout_seconds: Some(10),
        ..Probe::default()
    }
}

impl Workload {
    /// The `app.kubernetes.io/name` of the pods: [`Self::app`], else the name.
    pub fn app_name(&self) -> &str {
        self.app.as_deref().unwrap_or(&self.name)
    }
}

/// The pod template of a core workload: its pods carry the selector's
/// label, the chart's labels and `type: polyaxon-core` (which the default
/// core affinity matches), and the config's `labels` and `annotations`.
pub fn template(ctx: &Ctx<'_>, values: &Values<'_>, w: &Workload) -> PodTemplateSpec {
    let app = w.app_name();
    let mut pod_labels = labels::selector(app);
    if let Some(role) = w.role {
        pod_labels.extend(ctx.labels(app, role));
        // The seed's default core affinity matches this label.
        pod_labels.insert(labels::CORE_TYPE.into(), labels::CORE_TYPE_VALUE.into());
    }
    // `labels`/`annotations`: the charts' extras for every pod.
    if let Some(extra) = &values.config.labels {
        for (k, v) in extra {
            pod_labels.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
    let mut annotations = values.config.annotations.clone().unwrap_or_default();
    annotations.extend(w.annotations.clone());

    let mut containers = vec![w.container.clone()];
    containers.extend(w.sidecars.iter().cloned());
    PodTemplateSpec {
        metadata: Some(ObjectMeta {
            labels: Some(pod_labels),
            annotations: (!annotations.is_empty()).then_some(annotations),
            ..ObjectMeta::default()
        }),
        spec: Some(PodSpec {
            containers,
            volumes: (!w.volumes.is_empty()).then(|| w.volumes.clone()),
            service_account_name: w.service_account.clone(),
            node_selector: w.scheduling.node_selector.clone(),
            affinity: w.scheduling.affinity.clone(),
            tolerations: w.scheduling.tolerations.clone(),
            security_context: pod_security(values),
            image_pull_secrets: pull_secrets(&w.pull_secrets),
            priority_class_name: values
                .config
                .priority_class_name
                .clone()
                .filter(|p| !p.is_empty()),
            termination_grace_period_seconds: w.termination_grace_period,
            ..PodSpec::default()
        }),
    }
}

/// The Deployment of a core workload, selecting its pods by their
/// `app.kubernetes.io/name` alone, as the charts.
pub fn deployment(ctx: &Ctx<'_>, values: &Values<'_>, w: &Workload) -> Deployment {
    let mut metadata = ctx.meta(&w.name, w.role.unwrap_or(Role::Worker));
    if let Some(labels) = metadata.labels.as_mut() {
        labels.insert(labels::NAME.into(), w.app_name().into());
    }
    Deployment {
        metadata,
        spec: Some(DeploymentSpec {
            replicas: Some(w.replicas),
            selector: ctx.selector(w.app_name()),
            template: template(ctx, values, w),
            ..DeploymentSpec::default()
        }),
        ..Deployment::default()
    }
}

/// The spec of a volume claim: one access mode (`ReadWriteOnce`,
/// `ReadWriteMany`), a storage class (the cluster's default when `None`) and
/// a size.
pub fn claim_spec(
    access_mode: &str,
    storage_class: Option<String>,
    size: &str,
) -> PersistentVolumeClaimSpec {
    PersistentVolumeClaimSpec {
        access_modes: Some(vec![access_mode.into()]),
        storage_class_name: storage_class,
        resources: Some(VolumeResourceRequirements {
            requests: Some(BTreeMap::from([(
                "storage".to_string(),
                Quantity(size.into()),
            )])),
            ..VolumeResourceRequirements::default()
        }),
        ..PersistentVolumeClaimSpec::default()
    }
}

/// `imagePullSecrets` entries, or none.
pub fn pull_secrets(names: &[String]) -> Option<Vec<LocalObjectReference>> {
    (!names.is_empty()).then(|| {
        names
            .iter()
            .map(|n| LocalObjectReference { name: n.clone() })
            .collect()
    })
}
