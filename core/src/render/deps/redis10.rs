//! In-cluster Redis of the 1.x charts: bitnami's `redis` 10.7.16, which
//! every 1.x package ships, with the Polyaxon 1.x values (`image.tag:
//! 5.0.4`, no password). A master StatefulSet and, with the subchart's
//! default `cluster.enabled`, a slave StatefulSet of two replicas; Services
//! `-master`, `-slave` and `-headless`; the configuration (`<fullname>`) and
//! health-check (`-health`) ConfigMaps. Its objects are labelled and select
//! their pods by `app`, `release` and `role`, and its pods run as the
//! namespace's `default` ServiceAccount.
//!
//! Keys read (the subchart's, under `redis`): `image.*`, `usePassword`,
//! `password`, `existingSecret`, `existingSecretPasswordKey`,
//! `cluster.enabled`, `cluster.slaveCount`, `master|slave.persistence.*`,
//! `master|slave.resources`, `master|slave.nodeSelector`,
//! `master|slave.affinity`, `master|slave.tolerations`, `nameOverride`,
//! `fullnameOverride`; and ours (`imageTag`, `imagePullPolicy`,
//! `imagePullSecrets`, `persistence.size`/`storageClass`).

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{EnvVar, PodSpec};

use super::super::RenderError;
use super::super::ctx::{Ctx, checksum};
use super::super::manifest::Stage;
use super::super::pod::{Scheduling, env, secret_env};
use super::super::values::Values;
use super::Endpoint;
use super::bitnami::{
    self, ContainerSecurity, Image, Persistence, Section, Subchart, Workload, WorkloadExtras, mount,
};
use super::{redis, redis_scripts};
use crate::config::schema::RedisService;

/// The chart label of the subchart.
const CHART: &str = "redis-10.7.16";
/// The server's port.
const PORT: i32 = 6379;
/// The key of the password in its Secret.
const PASSWORD_KEY: &str = "redis-password";

/// The master or the slaves.
#[derive(Clone, Copy, PartialEq)]
enum Role {
    Master,
    Slave,
}

impl Role {
    /// The subchart's values section, the pods' `role` label and the
    /// name suffix of the StatefulSet and Service.
    fn key(self) -> &'static str {
        match self {
            Role::Master => "master",
            Role::Slave => "slave",
        }
    }
}

/// What both StatefulSets share.
struct Shared<'a> {
    sub: Subchart<'a>,
    image: Image,
    /// The Secret and key of the password, when the servers require one.
    password: Option<(String, String)>,
    headless: String,
    checksums: BTreeMap<String, String>,
}

/// Renders the subchart and returns how the platform reaches the master.
pub fn render(ctx: &mut Ctx<'_>, values: &Values<'_>) -> Result<Endpoint, RenderError> {
    let r = values.config.redis.clone().unwrap_or_default();
    let section = Section::new(Some(&r.extra), "redis");
    let sub = Subchart::stable(ctx, "redis", &section, CHART);

    let mut secret_data = BTreeMap::new();
    let password = if r.use_password == Some(true) {
        match section.text(&["existingSecret"]) {
            Some(existing) => Some((
                existing,
                section
                    .text(&["existingSecretPasswordKey"])
                    .unwrap_or_else(|| PASSWORD_KEY.into()),
            )),
            None => {
                let value = r
                    .password
                    .clone()
                    .filter(|p| !p.is_empty())
                    .unwrap_or_else(|| ctx.state.redis_password.clone());
                secret_data.insert(PASSWORD_KEY.to_string(), value);
                ctx.push(
                    Stage::Config,
                    &sub.secret(&sub.fullname, secret_data.clone()),
                )?;
                Some((sub.fullname.clone(), PASSWORD_KEY.into()))
            }
        }
    } else {
        None
    };

    let configuration = configuration();
    let health = health(password.is_some());
    let checksums = BTreeMap::from([
        ("configmap".to_string(), checksum(&configuration)),
        ("health".to_string(), checksum(&health)),
        ("secret".to_string(), checksum(&secret_data)),
    ]);
    ctx.push(Stage::Config, &sub.config_map(&sub.fullname, configuration))?;
    ctx.push(Stage::Config, &sub.config_map(&sub.named("health"), health))?;

    let port = || vec![bitnami::service_port("redis", PORT, "redis")];
    let headless = sub.named("headless");
    ctx.push(
        Stage::Services,
        &sub.headless_service(&headless, None, port(), false),
    )?;
    let cluster = section.flag(&["cluster", "enabled"]).unwrap_or(true);
    let mut roles = vec![Role::Master];
    if cluster {
        roles.push(Role::Slave);
    }
    for role in &roles {
        ctx.push(
            Stage::Services,
            &sub.service(&sub.named(role.key()), Some(role.key()), port(), false),
        )?;
    }

    let image = redis::image(&r, Image::new("bitnami/redis", "5.0.4"));
    let shared = Shared {
        sub,
        image,
        password,
        headless,
        checksums,
    };
    for role in roles {
        let set = statefulset(&r, &section, &shared, role)?;
        ctx.push(Stage::Workloads, &set)?;
    }
    Ok(Endpoint {
        host: shared.sub.named("master"),
        port: PORT,
        user: None,
        password_ref: shared.password.clone(),
    })
}

/// The StatefulSet of the master or of the slaves.
fn statefulset(
    r: &RedisService,
    section: &Section<'_>,
    shared: &Shared<'_>,
    role: Role,
) -> Result<StatefulSet, RenderError> {
    let sub = &shared.sub;
    let part = section.at(role.key());
    let mut container = bitnami::container("redis", &shared.image);
    container.command = Some(vec![
        "/bin/bash".into(),
        "-c".into(),
        start_script(role, shared.password.is_some()),
    ]);
    container.env = Some(env_vars(shared, role));
    container.ports = Some(vec![bitnami::container_port("redis", PORT)]);
    let (liveness, readiness) = match role {
        Role::Master => ((5, 5, 5, 5), (5, 5, 1, 5)),
        Role::Slave => ((30, 10, 5, 5), (5, 10, 10, 5)),
    };
    let scripts = match role {
        Role::Master => "local",
        Role::Slave => "local_and_master",
    };
    let probe = |kind: &str, timings| {
        let command = format!("/health/ping_{kind}_{scripts}.sh 5");
        bitnami::exec_probe(&["sh", "-c", &command], timings)
    };
    container.liveness_probe = Some(probe("liveness", liveness));
    container.readiness_probe = Some(probe("readiness", readiness));
    container.resources = part.typed(&["resources"])?.or_else(|| r.resources.clone());
    container.security_context = Some(ContainerSecurity::User.context());
    // The master's config directory is mounted with a trailing slash.
    let etc = match role {
        Role::Master => "/opt/bitnami/redis/etc/",
        Role::Slave => "/opt/bitnami/redis/etc",
    };
    container.volume_mounts = Some(vec![
        mount("health", "/health"),
        mount("redis-data", "/data"),
        mount("config", "/opt/bitnami/redis/mounted-etc"),
        mount("redis-tmp-conf", etc),
    ]);
    let mut volumes = vec![
        bitnami::config_map_volume("health", &sub.named("health"), Some(0o755)),
        bitnami::config_map_volume("config", &sub.fullname, None),
    ];
    if role == Role::Slave {
        // Declared by the subchart for its sentinel, mounted by nobody.
        volumes.push(bitnami::empty_dir("sentinel-tmp-conf"));
    }
    volumes.push(bitnami::empty_dir("redis-tmp-conf"));

    let replicas = match role {
        Role::Master => 1,
        Role::Slave => section
            .get(&["cluster", "slaveCount"])
            .and_then(serde_json::Value::as_i64)
            .and_then(|n| i32::try_from(n).ok())
            .unwrap_or(2),
    };
    let scheduling = bitnami::scheduling(
        &part,
        &Scheduling {
            node_selector: r.node_selector.clone(),
            affinity: None,
            tolerations: r.tolerations.clone(),
        },
    )?;
    // The subchart sets no affinity unless given one.
    let affinity = scheduling.affinity.clone();
    let workload = Workload {
        name: sub.named(role.key()),
        component: Some(role.key()),
        replicas,
        service_name: shared.headless.clone(),
        pod: PodSpec {
            containers: vec![container],
            volumes: Some(volumes),
            security_context: Some(bitnami::pod_security(false)),
            service_account_name: Some("default".into()),
            ..PodSpec::default()
        },
        scheduling,
        pull_secrets: r.image_pull_secrets.clone().unwrap_or_default(),
        data_volume: "redis-data",
        persistence: Persistence::read(&part.at("persistence"), r.persistence.as_ref()),
        claim_labels: false,
        checksums: shared.checksums.clone(),
        extras: WorkloadExtras::default(),
    };
    let mut set = workload.build(sub);
    if let Some(spec) = set.spec.as_mut() {
        if let Some(pod) = spec.template.spec.as_mut() {
            pod.affinity = affinity;
        }
        // Claim templates are immutable: theirs, label for label, so that
        // a Redis installed by helm keeps its volumes.
        for claim in spec.volume_claim_templates.iter_mut().flatten() {
            claim.metadata.labels = Some(claim_labels(sub, role));
        }
    }
    Ok(set)
}

/// The labels of the subchart's claim templates.
fn claim_labels(sub: &Subchart<'_>, role: Role) -> BTreeMap<String, String> {
    let mut labels = sub.match_labels(None);
    labels.insert("component".into(), role.key().into());
    labels.insert("heritage".into(), "Helm".into());
    labels
}

/// The container's environment: its role, where the master is (slaves),
/// the password when one is required.
fn env_vars(shared: &Shared<'_>, role: Role) -> Vec<EnvVar> {
    let mut vars = vec![env("REDIS_REPLICATION_MODE", role.key())];
    if role == Role::Slave {
        let fqdn = format!(
            "{}-0.{}.{}.svc.cluster.local",
            shared.sub.named("master"),
            shared.headless,
            shared.sub.namespace
        );
        vars.push(env("REDIS_MASTER_HOST", &fqdn));
        vars.push(env("REDIS_MASTER_PORT_NUMBER", &PORT.to_string()));
    }
    match &shared.password {
        Some((secret, key)) => {
            vars.push(secret_env("REDIS_PASSWORD", secret, key));
            if role == Role::Slave {
                vars.push(secret_env("REDIS_MASTER_PASSWORD", secret, key));
            }
        }
        None => vars.push(env("ALLOW_EMPTY_PASSWORD", "yes")),
    }
    vars.push(env("REDIS_TLS_ENABLED", "no"));
    vars.push(env("REDIS_PORT", &PORT.to_string()));
    vars
}

/// The server configuration (`<fullname>`): AOF persistence,
/// FLUSHDB/FLUSHALL disabled, slaves read-only.
fn configuration() -> BTreeMap<String, String> {
    let flush = "rename-command FLUSHDB \"\"\nrename-command FLUSHALL \"\"";
    BTreeMap::from([
        (
            "redis.conf".to_string(),
            "# User-supplied configuration:\n\
             # Enable AOF https://redis.io/topics/persistence#append-only-file\n\
             appendonly yes\n\
             # Disable RDB persistence, AOF persistence already enabled.\n\
             save \"\""
                .to_string(),
        ),
        ("master.conf".to_string(), format!("dir /data\n{flush}")),
        (
            "replica.conf".to_string(),
            format!("dir /data\nslave-read-only yes\n{flush}"),
        ),
    ])
}

/// The health checks the probes run (`-health`). The images run these
/// files, so they are the subchart's byte for byte, down to the space that
/// starts the master readiness check's second line.
fn health(password: bool) -> BTreeMap<String, String> {
    let ping = |host: &str, port: &str, secret: &str, lead: &str, loading: bool| {
        let (warning, auth) = if password {
            (
                "no_auth_warning=$([[ \"$(redis-cli --version)\" =~ (redis-cli 5.*) ]] && echo --no-auth-warning)\n",
                format!("    -a ${secret} $no_auth_warning \\\n"),
            )
        } else {
            ("", String::new())
        };
        let check = if loading {
            "if [ \"$response\" != \"PONG\" ] && [ \"$response\" != \"LOADING Redis is loading the dataset in memory\" ]; then"
        } else {
            "if [ \"$response\" != \"PONG\" ]; then"
        };
        format!(
            "#!/bin/bash\n{warning}{lead}response=$(\n  timeout -s 3 $1 \\\n  redis-cli \\\n{auth}    -h {host} \\\n    -p {port} \\\n    ping\n)\n{check}\n  echo \"$response\"\n  exit 1\nfi"
        )
    };
    let local = ("localhost", "$REDIS_PORT", "REDIS_PASSWORD");
    let master = (
        "$REDIS_MASTER_HOST",
        "$REDIS_MASTER_PORT_NUMBER",
        "REDIS_MASTER_PASSWORD",
    );
    BTreeMap::from([
        (
            "ping_liveness_local.sh".to_string(),
            ping(local.0, local.1, local.2, "", true),
        ),
        (
            "ping_readiness_local.sh".to_string(),
            ping(local.0, local.1, local.2, "", false),
        ),
        (
            "ping_liveness_master.sh".to_string(),
            ping(master.0, master.1, master.2, "", true),
        ),
        (
            "ping_readiness_master.sh".to_string(),
            ping(master.0, master.1, master.2, " ", false),
        ),
        (
            "ping_liveness_local_and_master.sh".to_string(),
            redis_scripts::local_and_master("liveness"),
        ),
        (
            "ping_readiness_local_and_master.sh".to_string(),
            redis_scripts::local_and_master("readiness"),
        ),
    ])
}

/// The command the container runs: copy the mounted configuration into
/// place once, then start the image's `/run.sh` as the master or as a
/// slave of the master; with a password, require it and use it towards
/// the master.
fn start_script(role: Role, password: bool) -> String {
    let (conf, master_file, slaveof, run) = match role {
        Role::Master => ("master.conf", "", "", "/run.sh ${ARGS[@]}"),
        Role::Slave => (
            "replica.conf",
            "if [[ -n $REDIS_MASTER_PASSWORD_FILE ]]; then\n  password_aux=`cat ${REDIS_MASTER_PASSWORD_FILE}`\n  export REDIS_MASTER_PASSWORD=$password_aux\nfi\n",
            "ARGS+=(\"--slaveof\" \"${REDIS_MASTER_HOST}\" \"${REDIS_MASTER_PORT_NUMBER}\")\n",
            "/run.sh \"${ARGS[@]}\"",
        ),
    };
    let copy = |file: &str| {
        format!(
            "if [[ ! -f /opt/bitnami/redis/etc/{file} ]];then\n  cp /opt/bitnami/redis/mounted-etc/{file} /opt/bitnami/redis/etc/{file}\nfi\n"
        )
    };
    let auth = if !password {
        "ARGS+=(\"--protected-mode\" \"no\")\n".to_string()
    } else {
        let master_password = match role {
            Role::Master => "${REDIS_PASSWORD}",
            Role::Slave => "${REDIS_MASTER_PASSWORD}",
        };
        format!(
            "ARGS+=(\"--requirepass\" \"${{REDIS_PASSWORD}}\")\nARGS+=(\"--masterauth\" \"{master_password}\")\n"
        )
    };
    format!(
        "if [[ -n $REDIS_PASSWORD_FILE ]]; then\n  password_aux=`cat ${{REDIS_PASSWORD_FILE}}`\n  export REDIS_PASSWORD=$password_aux\nfi\n\
         {master_file}{conf_copy}{redis_copy}ARGS=(\"--port\" \"${{REDIS_PORT}}\")\n{slaveof}{auth}\
         ARGS+=(\"--include\" \"/opt/bitnami/redis/etc/redis.conf\")\n\
         ARGS+=(\"--include\" \"/opt/bitnami/redis/etc/{conf}\")\n{run}\n",
        conf_copy = copy(conf),
        redis_copy = copy("redis.conf"),
    )
}
