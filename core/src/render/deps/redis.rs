//! In-cluster Redis: the bitnami `redis` subchart as the Polyaxon chart
//! renders it (17.6.0 up to chart 2.4.x, 20.1.5 from chart 2.5.0): a master
//! and, with the subchart's default `architecture: replication`, three
//! replicas; the platform uses the master.
//!
//! Keys read, besides our own (`image` as `{registry, repository, tag,
//! pullPolicy}`, `imageTag`, `imagePullPolicy`, `resources`, `nodeSelector`,
//! `affinity`, `tolerations`, `imagePullSecrets`, `persistence.size`/
//! `storageClass`, `usePassword`, `password`): `auth.enabled`,
//! `auth.password`, `auth.existingSecret`, `auth.existingSecretPasswordKey`,
//! `architecture`, `master.count`, `replica.replicaCount`,
//! `master|replica.persistence.*`, `.resources`, `.resourcesPreset`,
//! `.nodeSelector`, `.affinity`, `.tolerations`, `nameOverride`,
//! `fullnameOverride`.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Container, EnvVar, PodSpec, TCPSocketAction, VolumeMount};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::super::RenderError;
use super::super::ctx::{Ctx, checksum};
use super::super::manifest::Stage;
use super::super::pod::{Scheduling, env, secret_env};
use super::super::values::Values;
use super::Endpoint;
use super::bitnami::{
    self, ContainerSecurity, Image, Persistence, Section, Subchart, Workload, WorkloadExtras, mount,
};
use super::redis_scripts;
use crate::config::Generation;
use crate::config::schema::RedisService;

/// The server's port (`master.containerPorts.redis`, the Services' port).
const PORT: i32 = 6379;

/// What the master and the replicas share.
struct Shared<'a> {
    sub: Subchart<'a>,
    image: Image,
    /// The Secret and key of the password, when the servers require one.
    password: Option<(String, String)>,
    /// 20.1.5 (chart 2.5.0 and later) rather than 17.6.0.
    newer: bool,
    headless: String,
}

/// Renders the subchart and returns how the platform reaches the master.
pub fn render(ctx: &mut Ctx<'_>, values: &Values<'_>) -> Result<Endpoint, RenderError> {
    let r = values.config.redis.clone().unwrap_or_default();
    let section = Section::new(Some(&r.extra), "redis");
    // Chart 2.5.0 moved from redis 17.6.0 to 20.1.5.
    let newer = values.generation == Generation::V2 && values.chart_version.at_least(2, 5, 0);
    if section.flag(&["sentinel", "enabled"]) == Some(true) {
        return Err(RenderError::Invalid {
            key: "redis.sentinel.enabled".into(),
            message: "sentinel is not rendered; the platform talks to the master".into(),
        });
    }
    let replication = section
        .text(&["architecture"])
        .is_none_or(|a| a == "replication");
    let sub = Subchart::new(ctx, "redis", &section, newer.then_some("7.4.0"));
    let headless = sub.named("headless");

    let auth = Section::new(r.auth.as_ref(), "redis.auth");
    // The subchart requires a password with `auth.enabled`; the Polyaxon
    // chart hands one to the platform with `usePassword`. Either one sets
    // up both here, so the two never disagree.
    let mut secret_sum = checksum(&BTreeMap::<String, String>::new());
    let password = if auth.flag(&["enabled"]) == Some(true) || r.use_password == Some(true) {
        match auth.text(&["existingSecret"]) {
            Some(existing) => Some((
                existing,
                auth.text(&["existingSecretPasswordKey"])
                    .unwrap_or_else(|| "redis-password".into()),
            )),
            None => {
                let value = auth
                    .text(&["password"])
                    .or_else(|| r.password.clone().filter(|p| !p.is_empty()))
                    .unwrap_or_else(|| ctx.state.redis_password.clone());
                let data = BTreeMap::from([("redis-password".to_string(), value)]);
                secret_sum = checksum(&data);
                ctx.push(Stage::Config, &sub.secret(&sub.fullname, data))?;
                Some((sub.fullname.clone(), "redis-password".into()))
            }
        }
    } else {
        None
    };

    let tag = if newer {
        "7.4.0-debian-12-r4"
    } else {
        "7.0.8-debian-11-r0"
    };
    let image = image(&r, Image::published(values.chart_version, "redis", tag));
    let shared = Shared {
        sub,
        image,
        password,
        newer,
        headless,
    };
    let sub = &shared.sub;

    if newer {
        ctx.push(Stage::Services, &sub.network_policy(None, PORT))?;
        ctx.push(
            Stage::Workloads,
            &sub.disruption_budget(&sub.named("master"), "master"),
        )?;
        ctx.push(
            Stage::Rbac,
            &sub.service_account(&sub.named("master"), false, &[]),
        )?;
        if replication {
            ctx.push(
                Stage::Workloads,
                &sub.disruption_budget(&sub.named("replicas"), "replica"),
            )?;
            ctx.push(
                Stage::Rbac,
                &sub.service_account(&sub.named("replica"), false, &[]),
            )?;
        }
    } else {
        ctx.push(Stage::Rbac, &sub.service_account(&sub.fullname, true, &[]))?;
    }
    let fqdn = format!("{}.{}.svc.cluster.local", shared.headless, sub.namespace);
    let config_maps = [
        ("configuration", redis_scripts::configuration()),
        ("health", redis_scripts::health(if newer { 15 } else { 3 })),
        (
            "scripts",
            redis_scripts::scripts(
                shared.password.is_some(),
                replication,
                newer.then_some(fqdn.as_str()),
            ),
        ),
    ];
    let mut checksums = BTreeMap::from([("secret".to_string(), secret_sum)]);
    for (part, data) in config_maps {
        // The chart names the configuration's checksum `configmap`.
        let sum = if part == "configuration" {
            "configmap"
        } else {
            part
        };
        checksums.insert(sum.to_string(), checksum(&data));
        ctx.push(Stage::Config, &sub.config_map(&sub.named(part), data))?;
    }
    let port = || vec![bitnami::service_port("tcp-redis", PORT, "redis")];
    ctx.push(
        Stage::Services,
        &sub.headless_service(&shared.headless, None, port(), false),
    )?;
    ctx.push(
        Stage::Services,
        &sub.service(&sub.named("master"), Some("master"), port(), true),
    )?;
    let master = workload(&r, &shared, Role::Master, &fqdn, &checksums)?;
    ctx.push(Stage::Workloads, &master.build(sub))?;
    if replication {
        ctx.push(
            Stage::Services,
            &sub.service(&sub.named("replicas"), Some("replica"), port(), true),
        )?;
        let replicas = workload(&r, &shared, Role::Replica, &fqdn, &checksums)?;
        ctx.push(Stage::Workloads, &replicas.build(sub))?;
    }
    Ok(Endpoint {
        host: sub.named("master"),
        port: PORT,
        user: None,
        password_ref: shared.password.clone(),
    })
}

/// The Redis image: the subchart's `default`, then the section's `image`
/// (ours for Redis is the subchart's own mapping), then our `imageTag` and
/// `imagePullPolicy`.
pub(super) fn image(r: &RedisService, default: Image) -> Image {
    default
        .with_subchart(&Section::new(r.image.as_ref(), "redis.image"))
        .with_ours(None, r.image_tag.as_ref(), r.image_pull_policy)
}

/// The master or the replicas.
#[derive(Clone, Copy, PartialEq)]
enum Role {
    Master,
    Replica,
}

impl Role {
    /// The subchart's values section and `app.kubernetes.io/component`.
    fn key(self) -> &'static str {
        match self {
            Role::Master => "master",
            Role::Replica => "replica",
        }
    }
}

/// The StatefulSet of the master or of the replicas.
fn workload(
    r: &RedisService,
    shared: &Shared<'_>,
    role: Role,
    headless_fqdn: &str,
    checksums: &BTreeMap<String, String>,
) -> Result<Workload, RenderError> {
    let sub = &shared.sub;
    let section = Section::new(Some(&r.extra), "redis");
    let part = section.at(role.key());
    let newer = shared.newer;
    let mut container = bitnami::container("redis", &shared.image);
    container.command = Some(vec!["/bin/bash".into()]);
    let script = match role {
        Role::Master => "start-master.sh",
        Role::Replica => "start-replica.sh",
    };
    container.args = Some(vec![
        "-c".into(),
        format!("/opt/bitnami/scripts/start-scripts/{script}"),
    ]);
    container.env = Some(env_vars(shared, role, headless_fqdn));
    container.ports = Some(vec![bitnami::container_port("redis", PORT)]);
    probes(&mut container, role);
    container.resources = if newer {
        bitnami::resources_or_preset(&part, r.resources.as_ref())?
    } else {
        Some(
            part.typed(&["resources"])?
                .or_else(|| r.resources.clone())
                .unwrap_or_else(|| bitnami::requests(&[])),
        )
    };
    container.security_context = Some(if newer {
        ContainerSecurity::Restricted {
            explicit_unprivileged: false,
        }
        .context()
    } else {
        ContainerSecurity::User.context()
    });
    // The master mounts its config directory with a trailing slash, the
    // replicas without; 17.6.0 gives only the master a /tmp.
    let etc = match role {
        Role::Master => "/opt/bitnami/redis/etc/",
        Role::Replica => "/opt/bitnami/redis/etc",
    };
    let mut mounts = vec![
        mount("start-scripts", "/opt/bitnami/scripts/start-scripts"),
        mount("health", "/health"),
        mount("redis-data", "/data"),
        mount("config", "/opt/bitnami/redis/mounted-etc"),
    ];
    let mut volumes = vec![
        bitnami::config_map_volume("start-scripts", &sub.named("scripts"), Some(0o755)),
        bitnami::config_map_volume("health", &sub.named("health"), Some(0o755)),
        bitnami::config_map_volume("config", &sub.named("configuration"), None),
    ];
    if newer {
        mounts.push(VolumeMount {
            sub_path: Some("app-conf-dir".into()),
            ..mount("empty-dir", etc)
        });
        mounts.push(VolumeMount {
            sub_path: Some("tmp-dir".into()),
            ..mount("empty-dir", "/tmp")
        });
        volumes.push(bitnami::empty_dir("empty-dir"));
    } else {
        mounts.push(mount("redis-tmp-conf", etc));
        volumes.push(bitnami::empty_dir("redis-tmp-conf"));
        if role == Role::Master {
            mounts.push(mount("tmp", "/tmp"));
            volumes.push(bitnami::empty_dir("tmp"));
        }
    }
    container.volume_mounts = Some(mounts);

    let service_account = if newer {
        sub.named(role.key())
    } else {
        sub.fullname.clone()
    };
    let ours = Scheduling {
        node_selector: r.node_selector.clone(),
        affinity: r.affinity.clone(),
        tolerations: r.tolerations.clone(),
    };
    let replicas = match role {
        Role::Master => part.get(&["count"]),
        Role::Replica => part.get(&["replicaCount"]),
    }
    .and_then(serde_json::Value::as_i64)
    .and_then(|n| i32::try_from(n).ok())
    .unwrap_or(if role == Role::Master { 1 } else { 3 });
    Ok(Workload {
        name: match role {
            Role::Master => sub.named("master"),
            Role::Replica => sub.named("replicas"),
        },
        component: Some(role.key()),
        replicas,
        service_name: shared.headless.clone(),
        pod: PodSpec {
            containers: vec![container],
            volumes: Some(volumes),
            security_context: Some(bitnami::pod_security(newer)),
            service_account_name: Some(service_account),
            automount_service_account_token: newer.then_some(false),
            enable_service_links: newer.then_some(true),
            termination_grace_period_seconds: Some(30),
            ..PodSpec::default()
        },
        scheduling: bitnami::scheduling(&part, &ours)?,
        pull_secrets: r.image_pull_secrets.clone().unwrap_or_default(),
        data_volume: "redis-data",
        persistence: Persistence::read(&part.at("persistence"), r.persistence.as_ref()),
        claim_labels: true,
        checksums: checksums.clone(),
        extras: WorkloadExtras {
            revision_history_limit: newer.then_some(10),
            ..WorkloadExtras::default()
        },
    })
}

/// The container's environment: its role, where the master is (replicas),
/// the password when one is required.
fn env_vars(shared: &Shared<'_>, role: Role, headless_fqdn: &str) -> Vec<EnvVar> {
    let mut vars = vec![
        env("BITNAMI_DEBUG", "false"),
        env("REDIS_REPLICATION_MODE", role.key()),
    ];
    if role == Role::Replica {
        vars.push(env(
            "REDIS_MASTER_HOST",
            &format!("{}-0.{headless_fqdn}", shared.sub.named("master")),
        ));
        vars.push(env("REDIS_MASTER_PORT_NUMBER", &PORT.to_string()));
    }
    vars.push(env(
        "ALLOW_EMPTY_PASSWORD",
        if shared.password.is_some() {
            "no"
        } else {
            "yes"
        },
    ));
    if let Some((secret, key)) = &shared.password {
        vars.push(secret_env("REDIS_PASSWORD", secret, key));
        if role == Role::Replica {
            vars.push(secret_env("REDIS_MASTER_PASSWORD", secret, key));
        }
    }
    vars.push(env("REDIS_TLS_ENABLED", "no"));
    vars.push(env("REDIS_PORT", &PORT.to_string()));
    vars
}

/// The health-script probes; replicas also check their master, and wait
/// for it at start.
fn probes(container: &mut Container, role: Role) {
    let scope = match role {
        Role::Master => "local",
        Role::Replica => "local_and_master",
    };
    let liveness = format!("/health/ping_liveness_{scope}.sh 5");
    let readiness = format!("/health/ping_readiness_{scope}.sh 1");
    container.liveness_probe = Some(bitnami::exec_probe(&["sh", "-c", &liveness], (20, 5, 6, 5)));
    container.readiness_probe = Some(bitnami::exec_probe(
        &["sh", "-c", &readiness],
        (20, 5, 2, 5),
    ));
    if role == Role::Replica {
        container.startup_probe = Some(k8s_openapi::api::core::v1::Probe {
            tcp_socket: Some(TCPSocketAction {
                port: IntOrString::String("redis".into()),
                ..TCPSocketAction::default()
            }),
            initial_delay_seconds: Some(10),
            period_seconds: Some(10),
            timeout_seconds: Some(5),
            success_threshold: Some(1),
            failure_threshold: Some(22),
            ..k8s_openapi::api::core::v1::Probe::default()
        });
    }
}
