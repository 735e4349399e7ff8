//! In-cluster RabbitMQ: the bitnami `rabbitmq` subchart 11.7.0, which every
//! 2.x Polyaxon chart ships (the 1.x charts' `rabbitmq-ha` is
//! [`super::rabbitmq_ha`]).
//!
//! Its keys are the section's own (`rabbitmq:`):
//! `auth.username`, `auth.password`, `auth.erlangCookie`,
//! `auth.securePassword`, `replicaCount` (or our `replicas`), `resources`,
//! `nodeSelector`, `affinity`, `tolerations`, `persistence.*`,
//! `service.ports.amqp`, `image` (the repository), `imageTag`,
//! `imagePullPolicy`, `imagePullSecrets`, `nameOverride`,
//! `fullnameOverride`, and the 1.x `rabbitmqUsername`/`rabbitmqPassword`.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    PodSpec, ProjectedVolumeSource, SecretProjection, Volume, VolumeProjection,
};
use k8s_openapi::api::rbac::v1::{PolicyRule, Role, RoleBinding, RoleRef, Subject};

use super::super::RenderError;
use super::super::ctx::{Ctx, checksum};
use super::super::manifest::Stage;
use super::super::pod::{Scheduling, env, field_env, secret_env};
use super::super::values::{self, Values};
use super::Endpoint;
use super::bitnami::{
    self, ContainerSecurity, Image, Persistence, Section, Subchart, Workload, WorkloadExtras, mount,
};
use crate::config::Generation;
use crate::config::schema::{RabbitmqService, ServiceSettings};

/// Where the data lives in the bitnami image (`persistence.mountPath`).
const DATA_PATH: &str = "/bitnami/rabbitmq/mnesia";

/// The ports: name in the Service, port, name of the pod's port.
const PORTS: [(&str, i32, &str); 4] = [
    ("amqp", 5672, "amqp"),
    ("epmd", 4369, "epmd"),
    ("dist", 25672, "dist"),
    ("http-stats", 15672, "stats"),
];

/// Who connects, and the secrets of the node.
struct Auth {
    user: String,
    password: String,
    erlang_cookie: String,
    /// `auth.securePassword`: the password is set by the image, not written
    /// in the configuration file.
    secure: bool,
}

/// Renders the subchart and returns how the platform reaches it.
pub fn render(ctx: &mut Ctx<'_>, values: &Values<'_>) -> Result<Endpoint, RenderError> {
    let r = values.config.rabbitmq.clone().unwrap_or_default();
    let section = Section::new(Some(&r.extra), "rabbitmq");
    let auth_section = Section::new(r.auth.as_ref(), "rabbitmq.auth");
    let auth = Auth {
        user: auth_section
            .text(&["username"])
            .or_else(|| r.rabbitmq_username.clone().filter(|u| !u.is_empty()))
            .unwrap_or_else(|| "polyaxon".into()),
        password: auth_section
            .text(&["password"])
            .or_else(|| r.rabbitmq_password.clone().filter(|p| !p.is_empty()))
            .unwrap_or_else(|| ctx.state.rabbitmq_password.clone()),
        erlang_cookie: auth_section
            .text(&["erlangCookie"])
            .unwrap_or_else(|| ctx.state.rabbitmq_erlang_cookie.clone()),
        secure: auth_section.flag(&["securePassword"]).unwrap_or(true),
    };
    // rabbitmq 11.7.0's own labels carry no version; helm's named templates
    // are global, so from chart 2.5.0 the newer PostgreSQL and Redis
    // subcharts' `common.labels.standard` (which adds it) labels it too.
    let labelled = values.generation == Generation::V2 && values.chart_version.at_least(2, 5, 0);
    let sub = Subchart::new(ctx, "rabbitmq", &section, labelled.then_some("3.11.8"));
    let headless = sub.named("headless");
    let reader = sub.named("endpoint-reader");

    ctx.push(
        Stage::Rbac,
        &sub.service_account(&sub.fullname, true, std::slice::from_ref(&sub.fullname)),
    )?;
    let config = BTreeMap::from([(
        "rabbitmq.conf".to_string(),
        configuration(&auth, sub.namespace),
    )]);
    let secrets = BTreeMap::from([
        ("rabbitmq-password".to_string(), auth.password.clone()),
        (
            "rabbitmq-erlang-cookie".to_string(),
            auth.erlang_cookie.clone(),
        ),
    ]);
    let checksums = BTreeMap::from([
        ("config".to_string(), checksum(&config)),
        ("secret".to_string(), checksum(&secrets)),
    ]);
    ctx.push(Stage::Config, &sub.secret(&sub.named("config"), config))?;
    ctx.push(Stage::Config, &sub.secret(&sub.fullname, secrets))?;
    ctx.push(Stage::Rbac, &endpoint_reader(&sub, &reader))?;
    ctx.push(Stage::Rbac, &endpoint_reader_binding(&sub, &reader))?;

    let amqp = section
        .get(&["service", "ports", "amqp"])
        .and_then(serde_json::Value::as_i64)
        .and_then(|p| i32::try_from(p).ok())
        .unwrap_or(5672);
    let ports = |service: bool| {
        PORTS
            .iter()
            .map(|(name, port, target)| {
                let port = if service && *name == "amqp" {
                    amqp
                } else {
                    *port
                };
                bitnami::service_port(name, port, target)
            })
            .collect::<Vec<_>>()
    };
    let mut headless_ports = ports(false);
    // The headless Service lists epmd first.
    headless_ports.swap(0, 1);
    ctx.push(
        Stage::Services,
        &sub.headless_service(&headless, None, headless_ports, true),
    )?;
    ctx.push(
        Stage::Services,
        &sub.service(&sub.fullname, None, ports(true), false),
    )?;
    let mut workload = workload(&r, &sub, &auth, headless)?;
    workload.checksums = checksums;
    ctx.push(Stage::Workloads, &workload.build(&sub))?;
    Ok(Endpoint {
        host: sub.fullname.clone(),
        port: amqp,
        user: Some(auth.user),
        password_ref: Some((sub.fullname.clone(), "rabbitmq-password".into())),
    })
}

/// `rabbitmq.conf`: the default user, peer discovery through the
/// Kubernetes API, the subchart's commented-out extras.
fn configuration(auth: &Auth, namespace: &str) -> String {
    let password = if auth.secure {
        String::new()
    } else {
        format!("\ndefault_pass = {}", auth.password)
    };
    format!(
        "## Username and password\n##\ndefault_user = {user}{password}\n## Clustering\n##\n\
         cluster_formation.peer_discovery_backend  = rabbit_peer_discovery_k8s\n\
         cluster_formation.k8s.host = kubernetes.default\n\
         cluster_formation.node_cleanup.interval = 10\n\
         cluster_formation.node_cleanup.only_log_warning = true\n\
         cluster_partition_handling = autoheal\n\
         # queue master locator\nqueue_master_locator = min-masters\n\
         # enable loopback user\nloopback_users.{user} = false\n\
         #default_vhost = {namespace}-vhost\n#disk_free_limit.absolute = 50MB",
        user = auth.user,
    )
}

/// The Role that lets the nodes find each other (endpoints) and report.
fn endpoint_reader(sub: &Subchart<'_>, name: &str) -> Role {
    let rule = |resource: &str, verb: &str| PolicyRule {
        api_groups: Some(vec![String::new()]),
        resources: Some(vec![resource.into()]),
        verbs: vec![verb.into()],
        ..PolicyRule::default()
    };
    Role {
        metadata: sub.meta(name, None),
        rules: Some(vec![rule("endpoints", "get"), rule("events", "create")]),
    }
}

/// Binds [`endpoint_reader`] to the pods' ServiceAccount.
fn endpoint_reader_binding(sub: &Subchart<'_>, name: &str) -> RoleBinding {
    RoleBinding {
        metadata: sub.meta(name, None),
        role_ref: RoleRef {
            api_group: Some("rbac.authorization.k8s.io".into()),
            kind: "Role".into(),
            name: name.into(),
        },
        subjects: Some(vec![Subject {
            kind: "ServiceAccount".into(),
            name: sub.fullname.clone(),
            ..Subject::default()
        }]),
    }
}

/// The nodes' StatefulSet.
fn workload(
    r: &RabbitmqService,
    sub: &Subchart<'_>,
    auth: &Auth,
    headless: String,
) -> Result<Workload, RenderError> {
    let image = Image::new("bitnami/rabbitmq", "3.11.8-debian-11-r0").with_ours(
        r.image(),
        r.image_tag(),
        r.image_pull_policy(),
    );
    let mut container = bitnami::container("rabbitmq", &image);
    let service = "$(K8S_SERVICE_NAME).$(MY_POD_NAMESPACE).svc.cluster.local";
    container.env = Some(vec![
        env("BITNAMI_DEBUG", "false"),
        field_env("MY_POD_IP", "status.podIP"),
        field_env("MY_POD_NAME", "metadata.name"),
        field_env("MY_POD_NAMESPACE", "metadata.namespace"),
        env("K8S_SERVICE_NAME", &headless),
        env("K8S_ADDRESS_TYPE", "hostname"),
        env("RABBITMQ_FORCE_BOOT", "no"),
        env(
            "RABBITMQ_NODE_NAME",
            &format!("rabbit@$(MY_POD_NAME).{service}"),
        ),
        env("K8S_HOSTNAME_SUFFIX", &format!(".{service}")),
        env(
            "RABBITMQ_MNESIA_DIR",
            &format!("{DATA_PATH}/$(RABBITMQ_NODE_NAME)"),
        ),
        env("RABBITMQ_LDAP_ENABLE", "no"),
        env("RABBITMQ_LOGS", "-"),
        env("RABBITMQ_ULIMIT_NOFILES", "65536"),
        env("RABBITMQ_USE_LONGNAME", "true"),
        secret_env(
            "RABBITMQ_ERL_COOKIE",
            &sub.fullname,
            "rabbitmq-erlang-cookie",
        ),
        env("RABBITMQ_LOAD_DEFINITIONS", "no"),
        env("RABBITMQ_DEFINITIONS_FILE", "/app/load_definition.json"),
        env(
            "RABBITMQ_SECURE_PASSWORD",
            if auth.secure { "yes" } else { "no" },
        ),
        env("RABBITMQ_USERNAME", &auth.user),
        secret_env("RABBITMQ_PASSWORD", &sub.fullname, "rabbitmq-password"),
        env(
            "RABBITMQ_PLUGINS",
            "rabbitmq_management, rabbitmq_peer_discovery_k8s, rabbitmq_auth_backend_ldap",
        ),
    ]);
    container.ports = Some(
        [
            ("amqp", 5672),
            ("dist", 25672),
            ("stats", 15672),
            ("epmd", 4369),
        ]
        .iter()
        .map(|(name, port)| bitnami::container_port(name, *port))
        .collect(),
    );
    container.lifecycle = Some(bitnami::pre_stop(&[
        "/bin/bash",
        "-ec",
        "if [[ -f /opt/bitnami/scripts/rabbitmq/nodeshutdown.sh ]]; then\n    /opt/bitnami/scripts/rabbitmq/nodeshutdown.sh -t \"120\" -d \"false\"\nelse\n    rabbitmqctl stop_app\nfi\n",
    ]));
    container.liveness_probe = Some(bitnami::exec_probe(
        &["/bin/bash", "-ec", "rabbitmq-diagnostics -q ping"],
        (120, 30, 20, 6),
    ));
    container.readiness_probe = Some(bitnami::exec_probe(
        &[
            "/bin/bash",
            "-ec",
            "rabbitmq-diagnostics -q check_running && rabbitmq-diagnostics -q check_local_alarms",
        ],
        (10, 30, 20, 3),
    ));
    // The Polyaxon chart's default requests; the subchart's empty limits.
    container.resources = Some(
        r.resources()
            .cloned()
            .unwrap_or_else(|| bitnami::requests(&[("cpu", "300m"), ("memory", "256Mi")])),
    );
    container.security_context = Some(ContainerSecurity::NonRoot.context());
    container.volume_mounts = Some(vec![
        mount("configuration", "/bitnami/rabbitmq/conf"),
        mount("data", DATA_PATH),
    ]);
    let replicas = Section::new(Some(&r.extra), "rabbitmq")
        .get(&["replicaCount"])
        .and_then(serde_json::Value::as_i64)
        .or(r.replicas)
        .and_then(|n| i32::try_from(n).ok())
        .unwrap_or(1);
    let configuration = Volume {
        name: "configuration".into(),
        projected: Some(ProjectedVolumeSource {
            sources: Some(vec![VolumeProjection {
                secret: Some(SecretProjection {
                    name: sub.named("config"),
                    ..SecretProjection::default()
                }),
                ..VolumeProjection::default()
            }]),
            ..ProjectedVolumeSource::default()
        }),
        ..Volume::default()
    };
    Ok(Workload {
        name: sub.fullname.clone(),
        component: None,
        replicas,
        service_name: headless,
        pod: PodSpec {
            containers: vec![container],
            volumes: Some(vec![configuration]),
            security_context: Some(bitnami::pod_security(false)),
            service_account_name: Some(sub.fullname.clone()),
            termination_grace_period_seconds: Some(120),
            ..PodSpec::default()
        },
        // The Polyaxon chart sets the affinity of the core pods; the
        // subchart's anti-affinity applies only when given `affinity: {}`.
        scheduling: Scheduling {
            node_selector: r.node_selector().cloned(),
            affinity: Some(
                r.affinity()
                    .cloned()
                    .unwrap_or_else(values::default_affinity),
            )
            .filter(|a| a != &k8s_openapi::api::core::v1::Affinity::default()),
            tolerations: r.tolerations().cloned(),
        },
        pull_secrets: r.image_pull_secrets().cloned().unwrap_or_default(),
        data_volume: "data",
        persistence: Persistence::read(
            &Section::new(r.persistence.as_ref(), "rabbitmq.persistence"),
            None,
        ),
        claim_labels: true,
        checksums: BTreeMap::new(),
        extras: WorkloadExtras {
            pod_management_policy: Some("OrderedReady"),
            ..WorkloadExtras::default()
        },
    })
}
