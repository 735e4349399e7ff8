//! In-cluster dependencies of the platform: PostgreSQL, Redis, RabbitMQ and
//! (0.x seed) a docker registry, each a StatefulSet (Deployment for the
//! registry) with its Service and its credentials in a Secret. The charts
//! pull bitnami subcharts; this tool renders the official images with the
//! names the charts give them (`<release>-postgresql`, `<release>-redis-master`,
//! `<release>-rabbitmq`), so the platform config reads the same.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec, StatefulSet, StatefulSetSpec};
use k8s_openapi::api::core::v1::{
    Container, EmptyDirVolumeSource, PersistentVolumeClaim, PersistentVolumeClaimSpec,
    PersistentVolumeClaimVolumeSource, PodSpec, PodTemplateSpec, ResourceRequirements, Volume,
    VolumeMount,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::Value;

use super::RenderError;
use super::common;
use super::ctx::Ctx;
use super::labels::{self, Role};
use super::manifest::Stage;
use super::names;
use super::network;
use super::pod::{self, Scheduling, env, secret_env};
use super::state::ReleaseState;
use super::values::Values;
use crate::config::Generation;
use crate::config::schema::{Broker, Dict};

/// A value at a key path of a free-form map.
fn at<'v>(dict: &'v Dict, path: &[&str]) -> Option<&'v Value> {
    let (first, rest) = path.split_first()?;
    let mut value = dict.get(*first)?;
    for key in rest {
        value = value.get(key)?;
    }
    Some(value)
}

fn text(dict: &Dict, path: &[&str]) -> Option<String> {
    at(dict, path).and_then(|v| match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

fn flag(dict: &Dict, path: &[&str]) -> Option<bool> {
    at(dict, path).and_then(Value::as_bool)
}

/// Persistence of a dependency: its own `persistence.enabled` (or the
/// bitnami `master.persistence.enabled`), else the 0.x top-level
/// `persistence.enabled`, else `default`.
fn persistence(values: &Values<'_>, own: Option<&Dict>, extra: &Dict, default: bool) -> Persist {
    let enabled = own
        .and_then(|p| p.get("enabled"))
        .and_then(Value::as_bool)
        .or_else(|| flag(extra, &["master", "persistence", "enabled"]))
        .or_else(|| values.config.persistence.as_ref().and_then(|p| p.enabled))
        .unwrap_or(default);
    let size = own
        .and_then(|p| p.get("size"))
        .and_then(Value::as_str)
        .map(String::from)
        .or_else(|| text(extra, &["master", "persistence", "size"]))
        .unwrap_or_else(|| "8Gi".into());
    let storage_class = own
        .and_then(|p| p.get("storageClass"))
        .and_then(Value::as_str)
        .map(String::from)
        .filter(|s| !s.is_empty());
    Persist {
        enabled,
        size,
        storage_class,
    }
}

struct Persist {
    enabled: bool,
    size: String,
    storage_class: Option<String>,
}

impl Persist {
    /// The data claim: one node at a time, as the charts' dependencies.
    fn claim_spec(&self) -> PersistentVolumeClaimSpec {
        pod::claim_spec("ReadWriteOnce", self.storage_class.clone(), &self.size)
    }
}

/// A dependency's image: the chart values' `image.repository` and
/// `image.tag`, else the defaults.
fn image(extra: &Dict, repository: &str, tag: &str) -> String {
    format!(
        "{}:{}",
        text(extra, &["image", "repository"]).unwrap_or_else(|| repository.into()),
        text(extra, &["image", "tag"]).unwrap_or_else(|| tag.into())
    )
}

/// Pushes a dependency's Service `name`: `port` in front of the pods' `target`.
fn push_service(
    ctx: &mut Ctx<'_>,
    name: &str,
    port_name: &str,
    port: i32,
    target: i32,
) -> Result<(), RenderError> {
    let ports = vec![network::port(port_name, port, target)];
    let service = network::service(ctx, name, name, Role::Dependency, ports);
    ctx.push(Stage::Services, &service)
}

/// Pushes the Secret `name` holding one password under `key`.
fn password_secret(
    ctx: &mut Ctx<'_>,
    name: &str,
    key: &str,
    password: String,
) -> Result<(), RenderError> {
    let data = BTreeMap::from([(key.to_string(), password)]);
    ctx.push(Stage::Config, &common::secret(ctx, name, data))
}

/// The Secret `<fullname>-<secret>` with an external service's password
/// under `key`: the one given, else the release's generated one. Returns
/// where the platform reads it.
fn external_password(
    ctx: &mut Ctx<'_>,
    secret: &str,
    key: &str,
    given: Option<&String>,
    generated: fn(&ReleaseState) -> &String,
) -> Result<(String, String), RenderError> {
    let secret = names::component(ctx.release, secret);
    let password = given
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| generated(ctx.state))
        .clone();
    password_secret(ctx, &secret, key, password)?;
    Ok((secret, key.to_string()))
}

/// One in-cluster dependency as a single-container StatefulSet.
struct Stateful {
    name: String,
    container: Container,
    data_path: &'static str,
    persist: Persist,
    replicas: i32,
    scheduling: Scheduling,
}

fn stateful_set(ctx: &Ctx<'_>, values: &Values<'_>, s: Stateful) -> StatefulSet {
    let mut container = s.container;
    container.volume_mounts = Some(vec![VolumeMount {
        name: "data".into(),
        mount_path: s.data_path.into(),
        ..VolumeMount::default()
    }]);
    let mut pod_labels = labels::selector(&s.name);
    pod_labels.extend(ctx.labels(&s.name, Role::Dependency));
    let claim_templates = s.persist.enabled.then(|| {
        vec![PersistentVolumeClaim {
            metadata: ObjectMeta {
                name: Some("data".into()),
                labels: Some(ctx.labels(&s.name, Role::Dependency)),
                ..ObjectMeta::default()
            },
            spec: Some(s.persist.claim_spec()),
            ..PersistentVolumeClaim::default()
        }]
    });
    let volumes = (!s.persist.enabled).then(|| {
        vec![Volume {
            name: "data".into(),
            empty_dir: Some(EmptyDirVolumeSource::default()),
            ..Volume::default()
        }]
    });
    StatefulSet {
        metadata: ctx.meta(&s.name, Role::Dependency),
        spec: Some(StatefulSetSpec {
            replicas: Some(s.replicas),
            service_name: Some(s.name.clone()),
            selector: ctx.selector(&s.name),
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(pod_labels),
                    ..ObjectMeta::default()
                }),
                spec: Some(PodSpec {
                    containers: vec![container],
                    volumes,
                    node_selector: s.scheduling.node_selector,
                    affinity: s.scheduling.affinity,
                    tolerations: s.scheduling.tolerations,
                    image_pull_secrets: pod::pull_secrets(&values.image_pull_secrets()),
                    ..PodSpec::default()
                }),
            },
            volume_claim_templates: claim_templates,
            ..StatefulSetSpec::default()
        }),
        ..StatefulSet::default()
    }
}

fn dep_resources(given: Option<&ResourceRequirements>) -> Option<ResourceRequirements> {
    given.cloned()
}

fn dep_scheduling(
    values: &Values<'_>,
    extra: &Dict,
    section: &super::pod::Scheduling,
) -> Scheduling {
    // The bitnami subcharts' `master.affinity` / `affinity` win over the core default.
    let affinity = at(extra, &["master", "affinity"])
        .or_else(|| at(extra, &["affinity"]))
        .and_then(|v| serde_json::from_value(v.clone()).ok());
    Scheduling {
        node_selector: section
            .node_selector
            .clone()
            .or_else(|| values.node_selector()),
        affinity: section
            .affinity
            .clone()
            .or(affinity)
            .or_else(|| values.affinity()),
        tolerations: section.tolerations.clone().or_else(|| values.tolerations()),
    }
}

/// PostgreSQL: what the platform reads to reach it, in-cluster or external.
pub struct Database {
    /// Host name.
    pub host: String,
    /// Port.
    pub port: i32,
    /// User.
    pub user: String,
    /// Database name.
    pub name: String,
    /// Django CONN_MAX_AGE.
    pub conn_max_age: i64,
    /// The Secret and key holding the password.
    pub password_ref: (String, String),
    /// Connection options (external only).
    pub options: Option<Dict>,
}

/// Whether PostgreSQL runs in the cluster (`postgresql.enabled`, default true).
pub fn postgres_in_cluster(values: &Values<'_>) -> bool {
    values
        .config
        .postgresql
        .as_ref()
        .and_then(|p| p.enabled)
        .unwrap_or(true)
}

/// Renders PostgreSQL (in-cluster) or the external password Secret, and
/// returns how the platform reaches the database.
pub fn postgres(ctx: &mut Ctx<'_>, values: &Values<'_>) -> Result<Database, RenderError> {
    let pg = values.config.postgresql.clone().unwrap_or_default();
    let extra = &pg.extra;
    let auth = pg.auth.clone().unwrap_or_default();
    if !postgres_in_cluster(values) {
        let ext = values
            .config
            .external_services
            .as_ref()
            .and_then(|e| e.postgresql.clone())
            .unwrap_or_default();
        let password_ref = external_password(
            ctx,
            "postgresql-secret",
            "postgres-password",
            ext.password.as_ref(),
            |state| &state.postgres_password,
        )?;
        return Ok(Database {
            host: ext.host.clone().unwrap_or_default(),
            port: common::service_port(ext.port, 5432),
            user: ext
                .user
                .clone()
                .filter(|u| !u.is_empty())
                .unwrap_or_else(|| "polyaxon".into()),
            name: ext
                .database
                .clone()
                .filter(|d| !d.is_empty())
                .unwrap_or_else(|| "polyaxon".into()),
            conn_max_age: ext.conn_max_age.unwrap_or(0),
            password_ref,
            options: ext.options.clone(),
        });
    }
    let name = names::truncate(&format!("{}-postgresql", ctx.release));
    let user = text(&auth, &["username"])
        .or_else(|| pg.postgres_user.clone())
        .or_else(|| text(extra, &["postgresqlUsername"]))
        .unwrap_or_else(|| "polyaxon".into());
    let database = text(&auth, &["database"])
        .or_else(|| pg.postgres_database.clone())
        .or_else(|| text(extra, &["postgresqlDatabase"]))
        .unwrap_or_else(|| "polyaxon".into());
    let password = text(&auth, &["password"])
        .or_else(|| pg.postgres_password.clone())
        .or_else(|| text(extra, &["postgresqlPassword"]))
        .unwrap_or_else(|| ctx.state.postgres_password.clone());
    let port = common::service_port(
        at(extra, &["service", "ports", "postgresql"]).and_then(Value::as_i64),
        5432,
    );
    ctx.push(
        Stage::Config,
        &common::secret(
            ctx,
            &name,
            BTreeMap::from([
                ("postgres-password".to_string(), password.clone()),
                ("password".to_string(), password),
            ]),
        ),
    )?;
    push_service(ctx, &name, "tcp-postgresql", port, 5432)?;
    let container = Container {
        name: "postgresql".into(),
        image: Some(image(extra, "postgres", "16")),
        ports: Some(vec![pod::port(5432)]),
        env: Some(vec![
            env("POSTGRES_USER", &user),
            env("POSTGRES_DB", &database),
            secret_env("POSTGRES_PASSWORD", &name, "postgres-password"),
            env("PGDATA", "/var/lib/postgresql/data/pgdata"),
        ]),
        resources: dep_resources(pg.resources.as_ref()),
        ..Container::default()
    };
    let section = Scheduling {
        node_selector: pg.node_selector.clone(),
        affinity: pg.affinity.clone(),
        tolerations: pg.tolerations.clone(),
    };
    let set = Stateful {
        name: name.clone(),
        container,
        data_path: "/var/lib/postgresql/data",
        persist: persistence(values, pg.persistence.as_ref(), extra, false),
        replicas: 1,
        scheduling: dep_scheduling(values, extra, &section),
    };
    ctx.push(Stage::Workloads, &stateful_set(ctx, values, set))?;
    Ok(Database {
        host: name.clone(),
        port,
        user,
        name: database,
        conn_max_age: pg.conn_max_age.unwrap_or(0),
        password_ref: (name, "postgres-password".into()),
        options: None,
    })
}

/// Redis or RabbitMQ: what the platform reads to reach it.
pub struct Endpoint {
    /// Host name.
    pub host: String,
    /// Port.
    pub port: i32,
    /// User (RabbitMQ).
    pub user: Option<String>,
    /// The Secret and key holding the password, if there is one.
    pub password_ref: Option<(String, String)>,
}

/// Whether Redis runs in the cluster (`redis.enabled`, default false).
pub fn redis_in_cluster(values: &Values<'_>) -> bool {
    values
        .config
        .redis
        .as_ref()
        .and_then(|r| r.enabled)
        .unwrap_or(false)
}

/// Renders Redis (in-cluster) or the external password Secret; `None` when
/// neither is configured.
pub fn redis(ctx: &mut Ctx<'_>, values: &Values<'_>) -> Result<Option<Endpoint>, RenderError> {
    let r = values.config.redis.clone().unwrap_or_default();
    let extra = &r.extra;
    if !redis_in_cluster(values) {
        let Some(ext) = values
            .config
            .external_services
            .as_ref()
            .and_then(|e| e.redis.clone())
            .filter(|e| e.host.is_some())
        else {
            return Ok(None);
        };
        let mut password_ref = None;
        if ext.use_password == Some(true) {
            password_ref = Some(external_password(
                ctx,
                "redis-secret",
                "redis-password",
                ext.password.as_ref(),
                |state| &state.redis_password,
            )?);
        }
        return Ok(Some(Endpoint {
            host: ext.host.unwrap_or_default(),
            port: common::service_port(ext.port, 6379),
            user: None,
            password_ref,
        }));
    }
    let base = names::truncate(&format!("{}-redis", ctx.release));
    let name = names::join(&base, "master");
    let use_password = r.use_password == Some(true)
        || r.auth
            .as_ref()
            .and_then(|a| a.get("enabled"))
            .and_then(Value::as_bool)
            == Some(true);
    let port = common::service_port(at(extra, &["port"]).and_then(Value::as_i64), 6379);
    let mut container = Container {
        name: "redis".into(),
        image: Some(image(extra, "redis", "7")),
        ports: Some(vec![pod::port(6379)]),
        resources: dep_resources(r.resources.as_ref()).or_else(|| {
            at(extra, &["master", "resources"]).and_then(|v| serde_json::from_value(v.clone()).ok())
        }),
        ..Container::default()
    };
    let mut password_ref = None;
    if use_password {
        let password = r
            .password
            .clone()
            .or_else(|| r.auth.as_ref().and_then(|a| text(a, &["password"])))
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| ctx.state.redis_password.clone());
        password_secret(ctx, &base, "redis-password", password)?;
        container.env = Some(vec![secret_env("REDIS_PASSWORD", &base, "redis-password")]);
        container.args = Some(vec!["--requirepass".into(), "$(REDIS_PASSWORD)".into()]);
        password_ref = Some((base.clone(), "redis-password".to_string()));
    }
    push_service(ctx, &name, "tcp-redis", port, 6379)?;
    let section = Scheduling {
        node_selector: r.node_selector.clone(),
        affinity: r.affinity.clone(),
        tolerations: r.tolerations.clone(),
    };
    let set = Stateful {
        name: name.clone(),
        container,
        data_path: "/data",
        // The charts' redis values default to master persistence on.
        persist: persistence(values, r.persistence.as_ref(), extra, true),
        replicas: 1,
        scheduling: dep_scheduling(values, extra, &section),
    };
    ctx.push(Stage::Workloads, &stateful_set(ctx, values, set))?;
    Ok(Some(Endpoint {
        host: name,
        port,
        user: None,
        password_ref,
    }))
}

/// Whether RabbitMQ runs in the cluster (`rabbitmq-ha.enabled`, default false).
pub fn rabbitmq_in_cluster(values: &Values<'_>) -> bool {
    values
        .config
        .rabbitmq
        .as_ref()
        .and_then(|r| r.enabled)
        .unwrap_or(false)
}

/// Renders RabbitMQ (in-cluster) or the external password Secret; `None`
/// when neither is configured.
pub fn rabbitmq(ctx: &mut Ctx<'_>, values: &Values<'_>) -> Result<Option<Endpoint>, RenderError> {
    let r = values.config.rabbitmq.clone().unwrap_or_default();
    let extra = &r.extra;
    let auth = r.auth.clone().unwrap_or_default();
    if !rabbitmq_in_cluster(values) {
        let Some(ext) = values
            .config
            .external_services
            .as_ref()
            .and_then(|e| e.rabbitmq.clone())
            .filter(|e| e.host.is_some())
        else {
            return Ok(None);
        };
        let password_ref = external_password(
            ctx,
            "rabbitmq-secret",
            "rabbitmq-password",
            ext.password.as_ref(),
            |state| &state.rabbitmq_password,
        )?;
        return Ok(Some(Endpoint {
            host: ext.host.unwrap_or_default(),
            port: common::service_port(ext.port, 5672),
            user: Some(ext.user.unwrap_or_else(|| "polyaxon".into())),
            password_ref: Some(password_ref),
        }));
    }
    let suffix = match values.generation {
        Generation::V1 => "rabbitmq-ha",
        Generation::V2 => "rabbitmq",
    };
    let name = names::truncate(&format!("{}-{suffix}", ctx.release));
    let user = text(&auth, &["username"])
        .or_else(|| r.rabbitmq_username.clone())
        .unwrap_or_else(|| "polyaxon".into());
    let password = text(&auth, &["password"])
        .or_else(|| r.rabbitmq_password.clone())
        .unwrap_or_else(|| ctx.state.rabbitmq_password.clone());
    password_secret(ctx, &name, "rabbitmq-password", password)?;
    let port = common::service_port(
        at(extra, &["service", "port"]).and_then(Value::as_i64),
        5672,
    );
    push_service(ctx, &name, "amqp", port, 5672)?;
    let container = Container {
        name: "rabbitmq".into(),
        image: Some(image(extra, "rabbitmq", "3.13")),
        ports: Some(vec![pod::port(5672)]),
        env: Some(vec![
            env("RABBITMQ_DEFAULT_USER", &user),
            secret_env("RABBITMQ_DEFAULT_PASS", &name, "rabbitmq-password"),
        ]),
        resources: dep_resources(r.resources.as_ref()),
        ..Container::default()
    };
    let section = Scheduling {
        node_selector: r.node_selector.clone(),
        affinity: r.affinity.clone(),
        tolerations: r.tolerations.clone(),
    };
    let replicas = at(extra, &["replicaCount"])
        .and_then(Value::as_i64)
        .or(r.replicas)
        .and_then(|n| i32::try_from(n).ok())
        .unwrap_or(1);
    let set = Stateful {
        name: name.clone(),
        container,
        data_path: "/var/lib/rabbitmq",
        persist: persistence(values, r.persistence.as_ref(), extra, false),
        replicas,
        scheduling: dep_scheduling(values, extra, &section),
    };
    ctx.push(Stage::Workloads, &stateful_set(ctx, values, set))?;
    Ok(Some(Endpoint {
        host: name.clone(),
        port,
        user: Some(user),
        password_ref: Some((name, "rabbitmq-password".into())),
    }))
}

/// The Celery broker: `broker`, default redis (2.x) or rabbitmq (1.x).
pub fn broker(values: &Values<'_>) -> Broker {
    values.config.broker.unwrap_or(match values.generation {
        Generation::V1 => Broker::Rabbitmq,
        Generation::V2 => Broker::Redis,
    })
}

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
    let extra = &reg.extra;
    let name = names::truncate(&format!("{}-docker-registry", ctx.release));
    let port = common::service_port(
        at(extra, &["service", "port"]).and_then(Value::as_i64),
        5000,
    );
    let persist = persistence(values, reg.persistence.as_ref(), extra, false);
    let mut volume = Volume {
        name: "data".into(),
        empty_dir: Some(EmptyDirVolumeSource::default()),
        ..Volume::default()
    };
    if persist.enabled {
        ctx.push(
            Stage::Config,
            &PersistentVolumeClaim {
                metadata: ctx.meta(&name, Role::Dependency),
                spec: Some(persist.claim_spec()),
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
    push_service(ctx, &name, "registry", port, 5000)?;
    let mut pod_labels = labels::selector(&name);
    pod_labels.extend(ctx.labels(&name, Role::Dependency));
    let scheduling = dep_scheduling(
        values,
        extra,
        &Scheduling {
            node_selector: reg.node_selector.clone(),
            affinity: reg.affinity.clone(),
            tolerations: reg.tolerations.clone(),
        },
    );
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
                        volume_mounts: Some(vec![VolumeMount {
                            name: "data".into(),
                            mount_path: "/var/lib/registry".into(),
                            ..VolumeMount::default()
                        }]),
                        resources: reg.resources.clone(),
                        ..Container::default()
                    }],
                    volumes: Some(vec![volume]),
                    node_selector: scheduling.node_selector,
                    affinity: scheduling.affinity,
                    tolerations: scheduling.tolerations,
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
