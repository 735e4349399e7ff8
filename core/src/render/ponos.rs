//! The `ponos` chart: the Ponos agent of Arkindex exactly as its Kubernetes
//! setup guide (seed `003_…`) lays it out, with the weaknesses it admits
//! fixed: the agent config (which holds the farm seed) is mounted from a
//! Secret, never a ConfigMap; one replica with the `Recreate` strategy, so two
//! agents never run at once.

use std::collections::BTreeMap;

use k8s_openapi::ByteString;
use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec, DeploymentStrategy};
use k8s_openapi::api::core::v1::{
    Container, Namespace, PersistentVolumeClaim, PersistentVolumeClaimVolumeSource, PodSpec,
    PodTemplateSpec, Secret, SecretVolumeSource, ServiceAccount, Volume, VolumeMount,
};
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, PolicyRule};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use serde::Serialize;

use super::RenderError;
use super::ctx::Ctx;
use super::labels::Role;
use super::manifest::Stage;
use super::names;
use super::pod;
use super::rbac;
use crate::config::schema::DeploymentConfig;

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

/// Resolves the `ponos:` section: the required keys checked, the defaults
/// filled, the tool's own keys (`image`, `kubernetes.storage_class`,
/// `kubernetes.storage_size`) kept out of the agent's `agent.yml`.
pub fn spec(config: &DeploymentConfig) -> Result<PonosSpec, RenderError> {
    let missing = |key: &str, why: &str| RenderError::Missing {
        key: key.into(),
        chart: "ponos",
        why: why.into(),
    };
    let ponos = config.ponos.clone().ok_or_else(|| {
        missing(
            "ponos",
            "the Ponos agent's settings (url, farm_id, seed, kubernetes.pvc_name)",
        )
    })?;
    if ponos.url.as_deref().is_none_or(str::is_empty) {
        return Err(missing(
            "ponos.url",
            "the Arkindex instance the agent serves",
        ));
    }
    if ponos.farm_id.as_deref().is_none_or(str::is_empty) {
        return Err(missing(
            "ponos.farm_id",
            "the Ponos farm the agent belongs to",
        ));
    }
    if ponos.seed.as_deref().is_none_or(str::is_empty) {
        return Err(missing(
            "ponos.seed",
            "the farm seed the agent authenticates with",
        ));
    }
    let kubernetes = ponos.kubernetes.clone().unwrap_or_default();
    let pvc_name = kubernetes
        .pvc_name
        .clone()
        .filter(|p| !p.is_empty())
        .ok_or_else(|| {
            missing(
                "ponos.kubernetes.pvc_name",
                "the ReadWriteMany data volume claim",
            )
        })?;
    let data_dir = ponos
        .data_dir
        .clone()
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| DEFAULT_DATA_DIR.into());
    let mut extra_volumes = Vec::new();
    for (i, v) in kubernetes.extra_volumes.iter().flatten().enumerate() {
        let field = |name: &Option<String>, key: &str| {
            name.clone().filter(|s| !s.is_empty()).ok_or_else(|| {
                missing(
                    &format!("ponos.kubernetes.extra_volumes[{i}].{key}"),
                    "each extra volume needs a name, a pvc_name and a mount_path",
                )
            })
        };
        extra_volumes.push(ExtraVolume {
            name: field(&v.name, "name")?,
            pvc_name: field(&v.pvc_name, "pvc_name")?,
            mount_path: field(&v.mount_path, "mount_path")?,
            read_only: v.read_only.unwrap_or(false),
        });
    }

    // agent.yml: the agent's own keys only, as the seed writes them.
    let mut agent_config = serde_json::Map::new();
    let mut put = |key: &str, value: serde_json::Value| {
        agent_config.insert(key.into(), value);
    };
    put("url", ponos.url.clone().into());
    put("farm_id", ponos.farm_id.clone().into());
    put("seed", ponos.seed.clone().into());
    put("data_dir", data_dir.clone().into());
    let mut k8s = serde_json::Map::new();
    k8s.insert("pvc_name".into(), pvc_name.clone().into());
    if !extra_volumes.is_empty() {
        k8s.insert(
            "extra_volumes".into(),
            serde_json::to_value(&extra_volumes).unwrap_or_default(),
        );
    }
    if let Some(env) = kubernetes
        .extra_environment
        .as_ref()
        .filter(|e| !e.is_empty())
    {
        k8s.insert("extra_environment".into(), serde_json::json!(env));
    }
    put("kubernetes", k8s.into());

    Ok(PonosSpec {
        agent_config,
        data_dir,
        pvc_name,
        storage_class: kubernetes.storage_class.clone().filter(|s| !s.is_empty()),
        storage_size: kubernetes
            .storage_size
            .clone()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| DEFAULT_STORAGE.into()),
        extra_volumes,
        image: ponos
            .image
            .clone()
            .filter(|i| !i.is_empty())
            .unwrap_or_else(|| IMAGE.into()),
    })
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
            metadata: ctx.cluster_meta(&rights, Role::Ponos),
            rules: Some(rules()),
            ..ClusterRole::default()
        },
    )?;
    ctx.push(
        Stage::Rbac,
        &ServiceAccount {
            metadata: ctx.meta(&agent, Role::Ponos),
            ..ServiceAccount::default()
        },
    )?;
    ctx.push(
        Stage::Rbac,
        &ClusterRoleBinding {
            metadata: ctx.cluster_meta(&agent, Role::Ponos),
            role_ref: rbac::role_ref("ClusterRole", &rights),
            subjects: Some(vec![rbac::subject(&agent, ctx.namespace)]),
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
            metadata: ctx.meta(&config, Role::Ponos),
            type_: Some("Opaque".into()),
            data: Some(BTreeMap::from([(
                CONFIG_FILE.to_string(),
                ByteString(agent_yml.into_bytes()),
            )])),
            ..Secret::default()
        },
    )?;

    ctx.push(
        Stage::Config,
        &PersistentVolumeClaim {
            metadata: ctx.meta(&spec.pvc_name, Role::Ponos),
            spec: Some(pod::claim_spec(
                "ReadWriteMany",
                spec.storage_class.clone(),
                &spec.storage_size,
            )),
            ..PersistentVolumeClaim::default()
        },
    )?;

    ctx.push(Stage::Workloads, &deployment(ctx, spec, &agent, &config))?;
    Ok(())
}

fn namespace(ctx: &Ctx<'_>) -> Namespace {
    let mut metadata = ctx.cluster_meta(ctx.namespace, Role::Ponos);
    metadata.name = Some(ctx.namespace.to_string());
    Namespace {
        metadata,
        ..Namespace::default()
    }
}

/// The guide's ClusterRole rules, verbatim in meaning.
fn rules() -> Vec<PolicyRule> {
    vec![
        // Manage jobs.
        rbac::rule(
            &["batch"],
            &["jobs", "jobs/status"],
            &["get", "list", "watch", "create"],
        ),
        // List claims to validate the configuration; list pods to read their logs.
        rbac::rule(&[""], &["persistentvolumeclaims", "pods"], &["list"]),
        // Read the logs of a pod.
        rbac::rule(&[""], &["pods/log"], &["get"]),
    ]
}

fn deployment(ctx: &Ctx<'_>, spec: &PonosSpec, agent: &str, config: &str) -> Deployment {
    let selector = super::labels::release_scoped_selector(ctx.release, agent);
    let mut pod_labels = selector.clone();
    pod_labels.insert(POD_LABEL.0.into(), POD_LABEL.1.into());
    pod_labels.extend(ctx.labels(agent, Role::Ponos));

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

    let mut metadata = ctx.meta(agent, Role::Ponos);
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
            selector: LabelSelector {
                match_labels: Some(selector),
                ..LabelSelector::default()
            },
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(pod_labels),
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
                            pod::field_env("PONOS_NODE_NAME", "spec.nodeName"),
                            // Identifies this pod in singleton detection.
                            pod::field_env("PONOS_POD_ID", "metadata.uid"),
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
