//! In-cluster RabbitMQ of the 1.x charts: helm's `stable/rabbitmq-ha`
//! 1.34.0 (`rabbitmq:3.7.19-alpine`), which every 1.x package ships, with
//! the Polyaxon 1.x values (one replica, user `polyaxon`, 300m CPU and
//! 256Mi requested). A StatefulSet whose nodes find each other through the
//! Kubernetes API (a ServiceAccount, a Role to read endpoints and its
//! binding) and the headless `-discovery` Service; the Service the platform
//! connects to; a ConfigMap with `rabbitmq.conf` and the plugins, and a
//! Secret with the users, the Erlang cookie and the definitions the server
//! loads at start (the application user and a `management` user).
//!
//! Keys read (the subchart's, under `rabbitmq-ha`): `rabbitmqUsername`,
//! `rabbitmqPassword`, `managementUsername`, `managementPassword`,
//! `rabbitmqErlangCookie`, `replicaCount` (or our `replicas`), `image.*`
//! (or our `image`, `imageTag`, `imagePullPolicy`), `resources`,
//! `nodeSelector`, `affinity`, `tolerations`, `imagePullSecrets`,
//! `persistentVolume.*` (off unless `enabled`), `rabbitmqMemoryHighWatermark`,
//! `nameOverride`, `fullnameOverride`.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::StatefulSetUpdateStrategy;
use k8s_openapi::api::core::v1::{
    Container, EnvVar, KeyToPath, PodSecurityContext, PodSpec, ResourceRequirements,
    SecretVolumeSource, ServicePort, Volume, VolumeMount,
};
use k8s_openapi::api::rbac::v1::{PolicyRule, Role, RoleBinding, RoleRef, Subject};

use super::super::RenderError;
use super::super::ctx::{Ctx, checksum};
use super::super::manifest::Stage;
use super::super::pod::{Scheduling, env, field_env, secret_env};
use super::super::values::Values;
use super::Endpoint;
use super::bitnami::{
    self, Image, Persistence, Section, Subchart, Workload, WorkloadExtras, mount,
};
use crate::config::schema::{RabbitmqService, ServiceSettings};

/// The chart label of the subchart.
const CHART: &str = "rabbitmq-ha";
/// Its version, in its `chart` label.
const CHART_LABEL: &str = "rabbitmq-ha-1.34.0";
/// Where the server keeps its data.
const DATA_PATH: &str = "/var/lib/rabbitmq";
/// The ports: name, number (the names are the pods' port names too).
const PORTS: [(&str, i32); 3] = [("http", 15672), ("amqp", 5672), ("epmd", 4369)];

/// Who connects: the application's user and the management user.
struct Users {
    user: String,
    password: String,
    management_user: String,
    management_password: String,
    erlang_cookie: String,
}

/// Renders the subchart and returns how the platform reaches it.
pub fn render(ctx: &mut Ctx<'_>, values: &Values<'_>) -> Result<Endpoint, RenderError> {
    let r = values.config.rabbitmq.clone().unwrap_or_default();
    let section = Section::new(Some(&r.extra), "rabbitmq-ha");
    let sub = Subchart::stable(ctx, CHART, &section, CHART_LABEL);
    let given = |key: &str, ours: Option<&String>| {
        section
            .text(&[key])
            .or_else(|| ours.filter(|v| !v.is_empty()).cloned())
    };
    let users = Users {
        user: given("rabbitmqUsername", r.rabbitmq_username.as_ref())
            .unwrap_or_else(|| "polyaxon".into()),
        // `rabbitmqPassword: polyaxon` in the 1.x values; ours is generated
        // and kept with the release unless given.
        password: given("rabbitmqPassword", r.rabbitmq_password.as_ref())
            .unwrap_or_else(|| ctx.state.rabbitmq_password.clone()),
        management_user: section
            .text(&["managementUsername"])
            .unwrap_or_else(|| "management".into()),
        management_password: section
            .text(&["managementPassword"])
            .unwrap_or_else(|| ctx.state.rabbitmq_management_password.clone()),
        erlang_cookie: section
            .text(&["rabbitmqErlangCookie"])
            .unwrap_or_else(|| ctx.state.rabbitmq_erlang_cookie.clone()),
    };
    let discovery = sub.named("discovery");

    let mut account = sub.service_account(&sub.fullname, true, &[]);
    // The subchart leaves the token's mounting to the cluster's default.
    account.automount_service_account_token = None;
    ctx.push(Stage::Rbac, &account)?;
    ctx.push(Stage::Rbac, &endpoint_reader(&sub))?;
    ctx.push(Stage::Rbac, &endpoint_reader_binding(&sub))?;

    let secret = BTreeMap::from([
        ("definitions.json".to_string(), definitions(&users)),
        (
            "rabbitmq-erlang-cookie".to_string(),
            users.erlang_cookie.clone(),
        ),
        (
            "rabbitmq-management-password".to_string(),
            users.management_password.clone(),
        ),
        (
            "rabbitmq-management-username".to_string(),
            users.management_user.clone(),
        ),
        ("rabbitmq-password".to_string(), users.password.clone()),
        ("rabbitmq-username".to_string(), users.user.clone()),
    ]);
    ctx.push(Stage::Config, &sub.secret(&sub.fullname, secret))?;
    let watermark = section
        .text(&["rabbitmqMemoryHighWatermark"])
        .unwrap_or_else(|| "256MB".into());
    let config = BTreeMap::from([
        ("enabled_plugins".to_string(), ENABLED_PLUGINS.to_string()),
        (
            "rabbitmq.conf".to_string(),
            RABBITMQ_CONF.replace("@WATERMARK@", &watermark),
        ),
    ]);
    let config_sum = checksum(&config);
    ctx.push(Stage::Config, &sub.config_map(&sub.fullname, config))?;

    let ports = || {
        PORTS
            .iter()
            .map(|(name, port)| ServicePort {
                protocol: Some("TCP".into()),
                ..bitnami::service_port(name, *port, name)
            })
            .collect::<Vec<_>>()
    };
    ctx.push(
        Stage::Services,
        &sub.headless_service(&discovery, None, ports(), true),
    )?;
    // The Service the platform connects to is headless too.
    ctx.push(
        Stage::Services,
        &sub.headless_service(&sub.fullname, None, ports(), false),
    )?;

    let mut workload = workload(&r, &section, &sub, discovery)?;
    workload.checksums = BTreeMap::from([("config".to_string(), config_sum)]);
    let mut set = workload.build(&sub);
    if let Some(spec) = set.spec.as_mut() {
        // Nodes are replaced one by one by hand, as the subchart says.
        spec.update_strategy = Some(StatefulSetUpdateStrategy {
            type_: Some("OnDelete".into()),
            rolling_update: None,
        });
    }
    ctx.push(Stage::Workloads, &set)?;
    Ok(Endpoint {
        host: sub.fullname.clone(),
        port: 5672,
        user: Some(users.user),
        password_ref: Some((sub.fullname.clone(), "rabbitmq-password".into())),
    })
}

/// The plugins the server starts with.
const ENABLED_PLUGINS: &str = "[\n  rabbitmq_shovel,\n  rabbitmq_shovel_management,\n  rabbitmq_federation,\n  rabbitmq_federation_management,\n  \n\n  rabbitmq_consistent_hash_exchange,\n  rabbitmq_management,\n  rabbitmq_peer_discovery_k8s\n  \n].\n";

/// `rabbitmq.conf`: peer discovery through the Kubernetes API by host
/// name, automatic partition healing, the definitions to load, the memory
/// watermark; the empty headings of the subchart's optional plugins.
const RABBITMQ_CONF: &str = "## RabbitMQ configuration
## Ref: https://github.com/rabbitmq/rabbitmq-server/blob/master/docs/rabbitmq.conf.example

## Authentification

## Clustering
cluster_formation.peer_discovery_backend  = rabbit_peer_discovery_k8s
cluster_formation.k8s.host = kubernetes.default.svc.cluster.local
cluster_formation.k8s.address_type = hostname
cluster_formation.node_cleanup.interval = 10
# Set to false if automatic cleanup of absent nodes is desired.
# This can be dangerous, see http://www.rabbitmq.com/cluster-formation.html#node-health-checks-and-cleanup.
cluster_formation.node_cleanup.only_log_warning = true
cluster_partition_handling = autoheal

## The default \"guest\" user is only permitted to access the server
## via a loopback interface (e.g. localhost)
loopback_users.guest = false

management.load_definitions = /etc/definitions/definitions.json

## Memory-based Flow Control threshold
vm_memory_high_watermark.absolute = @WATERMARK@

## Auth HTTP Backend Plugin

## LDAP Plugin

## MQTT Plugin

## Web MQTT Plugin

## STOMP Plugin

## Web STOMP Plugin

## Prometheus Plugin

## AMQPS support
";

/// The definitions the server loads at start: the two users, the default
/// virtual host, and every right on it for the application's user.
fn definitions(users: &Users) -> String {
    let empty = "[\n    \n  ]";
    format!(
        "{{\n  \"global_parameters\": {empty},\n  \"users\": [\n    {{\n      \"name\": {mu},\n      \"password\": {mp},\n      \"tags\": \"management\"\n    }},\n    {{\n      \"name\": {u},\n      \"password\": {p},\n      \"tags\": \"administrator\"\n    }}\n  ],\n  \"vhosts\": [\n    {{\n      \"name\": \"/\"\n    }}\n  ],\n  \"permissions\": [\n    {{\n      \"user\": {u},\n      \"vhost\": \"/\",\n      \"configure\": \".*\",\n      \"read\": \".*\",\n      \"write\": \".*\"\n    }}\n  ],\n  \"parameters\": {empty},\n  \"policies\": {empty},\n  \"queues\": {empty},\n  \"exchanges\": {empty},\n  \"bindings\": {empty}\n}}",
        mu = json_string(&users.management_user),
        mp = json_string(&users.management_password),
        u = json_string(&users.user),
        p = json_string(&users.password),
    )
}

/// `value` as a JSON string, quoted and escaped.
fn json_string(value: &str) -> String {
    serde_json::Value::String(value.to_string()).to_string()
}

/// The Role that lets the nodes find each other: read the endpoints.
fn endpoint_reader(sub: &Subchart<'_>) -> Role {
    Role {
        metadata: sub.meta(&sub.fullname, None),
        rules: Some(vec![PolicyRule {
            api_groups: Some(vec![String::new()]),
            resources: Some(vec!["endpoints".into()]),
            verbs: vec!["get".into()],
            ..PolicyRule::default()
        }]),
    }
}

/// Binds [`endpoint_reader`] to the nodes' ServiceAccount.
fn endpoint_reader_binding(sub: &Subchart<'_>) -> RoleBinding {
    RoleBinding {
        metadata: sub.meta(&sub.fullname, None),
        role_ref: RoleRef {
            api_group: Some("rbac.authorization.k8s.io".into()),
            kind: "Role".into(),
            name: sub.fullname.clone(),
        },
        subjects: Some(vec![Subject {
            kind: "ServiceAccount".into(),
            name: sub.fullname.clone(),
            namespace: Some(sub.namespace.to_string()),
            ..Subject::default()
        }]),
    }
}

/// A pod field read into an env var, with the API version the subchart names.
fn pod_field(name: &str, path: &str) -> EnvVar {
    let mut var = field_env(name, path);
    if let Some(field) = var
        .value_from
        .as_mut()
        .and_then(|from| from.field_ref.as_mut())
    {
        field.api_version = Some("v1".into());
    }
    var
}

/// The nodes' StatefulSet.
fn workload(
    r: &RabbitmqService,
    section: &Section<'_>,
    sub: &Subchart<'_>,
    discovery: String,
) -> Result<Workload, RenderError> {
    let image = Image {
        registry: String::new(),
        ..Image::new("rabbitmq", "3.7.19-alpine")
    }
    .with_subchart(&section.at("image"))
    .with_ours(r.image(), r.image_tag(), r.image_pull_policy());
    let suffix = format!(".{discovery}.{}.svc.cluster.local", sub.namespace);
    let cookie = || {
        secret_env(
            "RABBITMQ_ERLANG_COOKIE",
            &sub.fullname,
            "rabbitmq-erlang-cookie",
        )
    };
    let mut container = bitnami::container(CHART, &image);
    container.env = Some(vec![
        pod_field("MY_POD_NAME", "metadata.name"),
        env("RABBITMQ_USE_LONGNAME", "true"),
        env(
            "RABBITMQ_NODENAME",
            &format!("rabbit@$(MY_POD_NAME){suffix}"),
        ),
        env("K8S_HOSTNAME_SUFFIX", &suffix),
        env("K8S_SERVICE_NAME", &discovery),
        cookie(),
        secret_env(
            "RABBIT_MANAGEMENT_USER",
            &sub.fullname,
            "rabbitmq-management-username",
        ),
        secret_env(
            "RABBIT_MANAGEMENT_PASSWORD",
            &sub.fullname,
            "rabbitmq-management-password",
        ),
    ]);
    // The pods list epmd first.
    let ports: Vec<_> = PORTS
        .iter()
        .rev()
        .map(|(name, port)| k8s_openapi::api::core::v1::ContainerPort {
            protocol: Some("TCP".into()),
            ..bitnami::container_port(name, *port)
        })
        .collect();
    container.ports = Some(ports);
    // The node's health as its management API reports it.
    let check = "wget -O - -q --header \"Authorization: Basic `echo -n \\\"$RABBIT_MANAGEMENT_USER:$RABBIT_MANAGEMENT_PASSWORD\\\" | base64`\" http://localhost:15672/api/healthchecks/node | grep -qF \"{\\\"status\\\":\\\"ok\\\"}\"";
    let probe = |timings| {
        let mut probe = bitnami::exec_probe(&["/bin/sh", "-c", check], timings);
        probe.success_threshold = None;
        probe
    };
    container.liveness_probe = Some(probe((120, 10, 5, 6)));
    container.readiness_probe = Some(probe((20, 5, 3, 6)));
    container.resources = Some(match section.typed(&["resources"])? {
        Some(given) => given,
        None => r
            .resources()
            .cloned()
            .unwrap_or_else(|| ResourceRequirements {
                limits: None,
                ..bitnami::requests(&[("cpu", "300m"), ("memory", "256Mi")])
            }),
    });
    container.volume_mounts = Some(vec![
        mount("data", DATA_PATH),
        mount("config", "/etc/rabbitmq"),
        VolumeMount {
            read_only: Some(true),
            ..mount("definitions", "/etc/definitions")
        },
    ]);

    let bootstrap = Container {
        command: Some(vec!["sh".into()]),
        args: Some(vec![
            "-c".into(),
            "set -ex\ncp /configmap/* /etc/rabbitmq\necho \"${RABBITMQ_ERLANG_COOKIE}\" > /var/lib/rabbitmq/.erlang.cookie\n".into(),
        ]),
        env: Some(vec![
            pod_field("POD_NAME", "metadata.name"),
            env(
                "RABBITMQ_MNESIA_DIR",
                &format!("{DATA_PATH}/mnesia/rabbit@$(POD_NAME){suffix}"),
            ),
            cookie(),
        ]),
        resources: Some(ResourceRequirements::default()),
        volume_mounts: Some(vec![
            mount("configmap", "/configmap"),
            mount("config", "/etc/rabbitmq"),
            mount("data", DATA_PATH),
        ]),
        ..bitnami::container(
            "bootstrap",
            &Image {
                registry: String::new(),
                ..Image::new("busybox", "1.30.1")
            }
            .with_subchart(&section.at("busyboxImage")),
        )
    };

    let volumes = vec![
        bitnami::empty_dir("config"),
        bitnami::config_map_volume("configmap", &sub.fullname, None),
        Volume {
            name: "definitions".into(),
            secret: Some(SecretVolumeSource {
                secret_name: Some(sub.fullname.clone()),
                items: Some(vec![KeyToPath {
                    key: "definitions.json".into(),
                    path: "definitions.json".into(),
                    ..KeyToPath::default()
                }]),
                ..SecretVolumeSource::default()
            }),
            ..Volume::default()
        },
    ];
    let replicas = section
        .get(&["replicaCount"])
        .and_then(serde_json::Value::as_i64)
        .or(r.replicas)
        .and_then(|n| i32::try_from(n).ok())
        .unwrap_or(1);
    let volume_section = section.at("persistentVolume");
    let mut persistence = Persistence::read(&volume_section, r.persistence.as_ref());
    // rabbitmq-ha keeps its data in the pod unless asked.
    persistence.enabled = volume_section.flag(&["enabled"]).unwrap_or(false);
    let scheduling = bitnami::scheduling(
        section,
        &Scheduling {
            node_selector: r.node_selector().cloned(),
            affinity: r.affinity().cloned(),
            tolerations: r.tolerations().cloned(),
        },
    )?;
    Ok(Workload {
        name: sub.fullname.clone(),
        component: None,
        replicas,
        service_name: discovery,
        pod: PodSpec {
            init_containers: Some(vec![bootstrap]),
            containers: vec![container],
            volumes: Some(volumes),
            // The image's `rabbitmq` user and group.
            security_context: Some(PodSecurityContext {
                fs_group: Some(101),
                run_as_group: Some(101),
                run_as_non_root: Some(true),
                run_as_user: Some(100),
                ..PodSecurityContext::default()
            }),
            service_account_name: Some(sub.fullname.clone()),
            termination_grace_period_seconds: Some(10),
            ..PodSpec::default()
        },
        scheduling,
        pull_secrets: r.image_pull_secrets().cloned().unwrap_or_default(),
        data_volume: "data",
        persistence,
        claim_labels: false,
        checksums: BTreeMap::new(),
        extras: WorkloadExtras {
            pod_management_policy: Some("OrderedReady"),
            ..WorkloadExtras::default()
        },
    })
}
