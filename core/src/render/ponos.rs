//! The `ponos` chart: the Ponos agent of Arkindex exactly as its Kubernetes
//! setup guide (seed `003_…`) lays it out, with the weaknesses it admits
//! fixed: the agent config (which holds the farm seed) is mounted from a
//! Secret, never a ConfigMap; one replica with the `Recreate` strategy, so two
//! agents never run at once.

use std::collections::BTreeMap;

use k8s_openapi::ByteString;
use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec, DeploymentStrategy};
use k8s_openapi::api::core::v1::{
    Container, EnvVar, EnvVarSource, Namespace, ObjectFieldSelector, PersistentVolumeClaim,
    PersistentVolumeClaimSpec, PersistentVolumeClaimVolumeSource, PodSpec, PodTemplateSpec, Secret,
    SecretVolumeSource, ServiceAccount, Volume, VolumeMount, VolumeResourceRequirements,
};
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, PolicyRule, RoleRef, Subject};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;

use super::RenderError;
use super::ctx::{Ctx, checksum};
use super::labels::Role;
use super::manifest::Stage;
use super::names;

/// The image of the agent; its tag is `deploymentVersion` (Teklia publishes
/// no catalogue, so the version is required).
pub const IMAGE: &str = "registry.gitlab.teklia.com/arkindex/ponos-agent";
/// Where the agent reads `agent.yml`.
pub const CONFIG_DIR: &str = "/etc/ponos/";
/// The config file's name inside [`CONFIG_DIR`].
pub const CONFIG_FILE: &str = "agent.yml";
/// The label the guide puts on the pods, so `kubectl logs -l name=ponos-agent` works.
pub const POD_LABEL: (&str, &str) = ("name", "ponos-agent");
/// Default data directory (`data_dir`).
pub const DEFAULT_DATA_DIR: &str = "/data";
/// Default size of the data claim (the guide's).
pub const DEFAULT_STORAGE: &str = "100Gi";

/// The Ponos section, defaults resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct PonosSpec {
    /// The agent config as the agent reads it (`url`, `farm_id`, `seed`,
    /// `data_dir`, `kubernetes`, and anything else given), already holding
    /// the resolved `data_dir` and `kubernetes.pvc_name`.
    pub agent_config: serde_json::Map<String, serde_json::Value>,
    /// `data_dir`: the data claim's mount path.
    pub data_dir: String,
    /// `kubernetes.pvc_name`: the ReadWriteMany claim rendered and mounted.
    pub pvc_name: String,
    /// Storage class of that claim (cluster default when absent).
    pub storage_class: Option<String>,
    /// Size of that claim.
    pub storage_size: String,
    /// `kubernetes.extra_volumes`: claims mounted on the agent too.
    pub extra_volumes: Vec<ExtraVolume>,
    /// Image repository (tag: the pinned version).
    pub image: String,
}

/// One `kubernetes.extra_volumes[]` entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExtraVolume {
    /// Volume name.
    pub name: String,
    /// Claim behind it.
    pub pvc_name: String,
    /// Where it is mounted.
    pub mount_path: String,
    /// Mounted read-only.
    pub read_only: bool,
}

/// Renders the Ponos agent into `ctx`.
pub fn render(ctx: &mut Ctx<'_>, spec: &PonosSpec) -> Result<(), RenderError> {
    let rights = names::join(ctx.release, "rights");
    let agent = names::join(ctx.release, "agent");
    let config = names::join(ctx.release, "config");

    ctx.push(Stage::Crds, &namespace(ctx))?;

    ctx.push(
        Stage::Rbac,
        &ClusterRole {
            metadata: ctx.cluster_meta(&rights, Role::Config),
            rules: Some(rules()),
            ..ClusterRole::default()
        },
    )?;
    ctx.push(
        Stage::Rbac,
        &ServiceAccount {
            metadata: ctx.meta(&agent, Role::Config),
            ..ServiceAccount::default()
        },
    )?;
    ctx.push(
        Stage::Rbac,
        &ClusterRoleBinding {
            metadata: ctx.cluster_meta(&agent, Role::Config),
            role_ref: RoleRef {
                api_group: Some("rbac.authorization.k8s.io".into()),
                kind: "ClusterRole".into(),
                name: rights.clone(),
            },
            subjects: Some(vec![Subject {
                kind: "ServiceAccount".into(),
                name: agent.clone(),
                namespace: Some(ctx.namespace.to_string()),
                ..Subject::default()
            }]),
        },
    )?;

    let agent_yml =
        serde_yaml::to_string(&spec.agent_config).map_err(|e| RenderError::Invalid {
            key: "ponos".into(),
            message: format!("cannot be written as agent.yml: {e}"),
        })?;
    ctx.push(
        Stage::Config,
        &Secret {
            metadata: ctx.meta(&config, Role::Config),
            type_: Some("Opaque".into()),
            data: Some(BTreeMap::from([(
                CONFIG_FILE.to_string(),
                ByteString(agent_yml.clone().into_bytes()),
            )])),
            ..Secret::default()
        },
    )?;

    let mut claim = BTreeMap::new();
    claim.insert("storage".to_string(), Quantity(spec.storage_size.clone()));
    ctx.push(
        Stage::Config,
        &PersistentVolumeClaim {
            metadata: ctx.meta(&spec.pvc_name, Role::Config),
            spec: Some(PersistentVolumeClaimSpec {
                access_modes: Some(vec!["ReadWriteMany".into()]),
                storage_class_name: spec.storage_class.clone(),
                resources: Some(VolumeResourceRequirements {
                    requests: Some(claim),
                    ..VolumeResourceRequirements::default()
                }),
                ..PersistentVolumeClaimSpec::default()
            }),
            ..PersistentVolumeClaim::default()
        },
    )?;

    ctx.push(
        Stage::Workloads,
        &deployment(ctx, spec, &agent, &config, &checksum(&agent_yml)),
    )?;
    Ok(())
}

fn namespace(ctx: &Ctx<'_>) -> Namespace {
    let mut metadata = ctx.cluster_meta(ctx.namespace, Role::Config);
    metadata.name = Some(ctx.namespace.to_string());
    Namespace {
        metadata,
        ..Namespace::default()
    }
}

/// The guide's ClusterRole rules, verbatim in meaning.
fn rules() -> Vec<PolicyRule> {
    let rule = |groups: &[&str], resources: &[&str], verbs: &[&str]| PolicyRule {
        api_groups: Some(groups.iter().map(|s| s.to_string()).collect()),
        resources: Some(resources.iter().map(|s| s.to_string()).collect()),
        verbs: verbs.iter().map(|s| s.to_string()).collect(),
        ..PolicyRule::default()
    };
    vec![
        // Manage jobs.
        rule(
            &["batch"],
            &["jobs", "jobs/status"],
            &["get", "list", "watch", "create"],
        ),
        // List claims to validate the configuration; list pods to read their logs.
        rule(&[""], &["persistentvolumeclaims", "pods"], &["list"]),
        // Read the logs of a pod.
        rule(&[""], &["pods/log"], &["get"]),
    ]
}

fn deployment(
    ctx: &Ctx<'_>,
    spec: &PonosSpec,
    agent: &str,
    config: &str,
    config_checksum: &str,
) -> Deployment {
    let mut pod_labels = super::labels::selector(ctx.release, agent);
    pod_labels.insert(POD_LABEL.0.into(), POD_LABEL.1.into());
    pod_labels.extend(ctx.labels(agent, Role::Worker));

    let mut volumes = vec![
        Volume {
            name: "config-volume".into(),
            secret: Some(SecretVolumeSource {
                secret_name: Some(config.to_string()),
                ..SecretVolumeSource::default()
            }),
            ..Volume::default()
        },
        claim_volume("data-volume", &spec.pvc_name, false),
    ];
    let mut mounts = vec![
        mount("config-volume", CONFIG_DIR, true),
        mount("data-volume", &spec.data_dir, false),
    ];
    for extra in &spec.extra_volumes {
        volumes.push(claim_volume(&extra.name, &extra.pvc_name, extra.read_only));
        mounts.push(mount(&extra.name, &extra.mount_path, extra.read_only));
    }

    let downward = |name: &str, path: &str| EnvVar {
        name: name.into(),
        value_from: Some(EnvVarSource {
            field_ref: Some(ObjectFieldSelector {
                field_path: path.into(),
                ..ObjectFieldSelector::default()
            }),
            ..EnvVarSource::default()
        }),
        ..EnvVar::default()
    };

    let mut metadata = ctx.meta(agent, Role::Worker);
    if let Some(labels) = metadata.labels.as_mut() {
        labels.insert("type".into(), "deployment".into());
    }
    Deployment {
        metadata,
        spec: Some(DeploymentSpec {
            replicas: Some(1),
            // The guide: "a single agent runs at any time to avoid conflicts".
            strategy: Some(DeploymentStrategy {
                type_: Some("Recreate".into()),
                ..DeploymentStrategy::default()
            }),
            selector: ctx.selector(agent),
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(pod_labels),
                    annotations: Some(BTreeMap::from([(
                        "checksum/config".to_string(),
                        config_checksum.to_string(),
                    )])),
                    ..ObjectMeta::default()
                }),
                spec: Some(PodSpec {
                    service_account_name: Some(agent.to_string()),
                    volumes: Some(volumes),
                    containers: vec![Container {
                        name: "ponos-agent".into(),
                        image: Some(format!("{}:{}", spec.image, ctx.version)),
                        volume_mounts: Some(mounts),
                        env: Some(vec![
                            // Identifies the node on the Arkindex instance.
                            downward("PONOS_NODE_NAME", "spec.nodeName"),
                            // Identifies this pod in singleton detection.
                            downward("PONOS_POD_ID", "metadata.uid"),
                        ]),
                        ..Container::default()
                    }],
                    ..PodSpec::default()
                }),
            },
            ..DeploymentSpec::default()
        }),
        ..Deployment::default()
    }
}

fn claim_volume(name: &str, claim: &str, read_only: bool) -> Volume {
    Volume {
        name: name.into(),
        persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
            claim_name: claim.into(),
            read_only: read_only.then_some(true),
        }),
        ..Volume::default()
    }
}

fn mount(name: &str, path: &str, read_only: bool) -> VolumeMount {
    VolumeMount {
        name: name.into(),
        mount_path: path.into(),
        read_only: read_only.then_some(true),
        ..VolumeMount::default()
    }
}
