//! The 0.x seed's in-cluster docker registry (`docker-registry`): a
//! Deployment with its Service, a claim when persistence is on, and a
//! Secret with its credentials when given.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
use k8s_openapi::api::core::v1::{
    Container, PersistentVolumeClaim, PersistentVolumeClaimVolumeSource, PodSpec, PodTemplateSpec,
    Volume,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::super::RenderError;
use super::super::common;
use super::super::ctx::Ctx;
use super::super::labels::{self, Role};
use super::super::manifest::Stage;
use super::super::names;
use super::super::network;
use super::super::pod;
use super::super::values::Values;
use super::bitnami::{self, Section, mount};

/// The in-cluster registry: its address and the Secret with its credentials.
pub struct Registry {
    /// `host:port` of the registry Service.
    pub address: String,
    /// Secret holding `registry-user` and `registry-password`, when given.
    pub secret: Option<String>,
}

/// Renders the 0.x seed's docker registry when `docker-registry` is given
/// and not disabled.
pub fn registry(ctx: &mut Ctx<'_>, values: &Values<'_>) -> Result<Option<Registry>, RenderError> {
    let Some(reg) = values.config.docker_registry.clone() else {
        return Ok(None);
    };
    if reg.enabled == Some(false) {
        return Ok(None);
    }
    let extra = Section::new(Some(&reg.extra), "docker-registry");
    let name = names::truncate(&format!("{}-docker-registry", ctx.release));
    let port = common::service_port(
        extra
            .get(&["service", "port"])
            .and_then(serde_json::Value::as_i64),
        5000,
    );
    let persistence = Section::new(reg.persistence.as_ref(), "docker-registry.persistence");
    // The seed's registry keeps its images only when asked, by its own
    // `persistence.enabled` or the seed's top-level one.
    let persist = persistence
        .flag(&["enabled"])
        .or_else(|| values.config.persistence.as_ref().and_then(|p| p.enabled))
        .unwrap_or(false);
    let mut volume = bitnami::empty_dir("data");
    if persist {
        let size = persistence.text(&["size"]).unwrap_or_else(|| "8Gi".into());
        ctx.push(
            Stage::Config,
            &PersistentVolumeClaim {
                metadata: ctx.meta(&name, Role::Dependency),
                spec: Some(pod::claim_spec(
                    "ReadWriteOnce",
                    persistence.text(&["storageClass"]),
                    &size,
                )),
                ..PersistentVolumeClaim::default()
            },
        )?;
        volume = Volume {
            name: "data".into(),
            persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
                claim_name: name.clone(),
                read_only: None,
            }),
            ..Volume::default()
        };
    }
    let mut credentials = None;
    if let (Some(user), Some(password)) = (&reg.registry_user, &reg.registry_password) {
        // Credentials for the platform to push and pull; only in a Secret.
        let secret = names::join(&name, "secret");
        ctx.push(
            Stage::Config,
            &common::secret(
                ctx,
                &secret,
                BTreeMap::from([
                    ("registry-user".to_string(), user.clone()),
                    ("registry-password".to_string(), password.clone()),
                ]),
            ),
        )?;
        credentials = Some(secret);
    }
    let ports = vec![network::port("registry", port, 5000)];
    let service = network::service(ctx, &name, &name, Role::Dependency, ports);
    ctx.push(Stage::Services, &service)?;
    let mut pod_labels = labels::selector(&name);
    pod_labels.extend(ctx.labels(&name, Role::Dependency));
    let deployment = Deployment {
        metadata: ctx.meta(&name, Role::Dependency),
        spec: Some(DeploymentSpec {
            replicas: Some(1),
            selector: ctx.selector(&name),
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(pod_labels),
                    ..ObjectMeta::default()
                }),
                spec: Some(PodSpec {
                    containers: vec![Container {
                        name: "registry".into(),
                        image: Some(format!(
                            "{}:{}",
                            reg.image.clone().unwrap_or_else(|| "registry".into()),
                            reg.image_tag.clone().unwrap_or_else(|| "2".into())
                        )),
                        ports: Some(vec![pod::port(5000)]),
                        volume_mounts: Some(vec![mount("data", "/var/lib/registry")]),
                        resources: reg.resources.clone(),
                        ..Container::default()
                    }],
                    volumes: Some(vec![volume]),
                    node_selector: reg.node_selector.clone().or_else(|| values.node_selector()),
                    affinity: reg.affinity.clone().or_else(|| values.affinity()),
                    tolerations: reg.tolerations.clone().or_else(|| values.tolerations()),
                    ..PodSpec::default()
                }),
            },
            ..DeploymentSpec::default()
        }),
        ..Deployment::default()
    };
    ctx.push(Stage::Workloads, &deployment)?;
    Ok(Some(Registry {
        address: format!("{name}:{port}"),
        secret: credentials,
    }))
}
