//! The `platform` chart: Polyaxon CE. In 2.x the gateway runs the API
//! (`polyaxon/polyaxon-api`); in 1.x an nginx gateway fronts separate API and
//! streams. Around it: the agent and operator, the optional Celery services,
//! the in-cluster dependencies or the external ones, the install hooks
//! (database sync, admin user) and the clean-up hook, and the 0.x seed keys
//! (persistence, NVIDIA paths, per-role scheduling, resources daemon, refs).

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{DaemonSet, DaemonSetSpec};
use k8s_openapi::api::core::v1::{EnvFromSource, EnvVar};
use serde_json::{Value, json};

use super::RenderError;
use super::agent::{self as agent_chart, http_probes, replicas};
use super::common::{self, Names};
use super::connections::{self, Mounts};
use super::ctx::Ctx;
use super::deps::{self, Database, Endpoint, Registry};
use super::hooks;
use super::labels::Role;
use super::manifest::{Hook, Stage};
use super::names;
use super::network;
use super::pod::{self, Defaults, Scheduling, Workload, image};
use super::rbac;
use super::values::{Values, as_text, pull_policy};
use crate::config::Generation;
use crate::config::schema::{
    ApiService, Broker, DeploymentService, ExternalBackend, ExternalServices, TolerationsSetting,
    WorkerService,
};

/// The platform's `envFrom`: its config, the agent config (when the agent
/// runs), its Secret (or `platformSecret`) and `encryptionSecret`.
pub fn env_platform(values: &Values<'_>, n: &Names) -> Vec<EnvFromSource> {
    let mut list = vec![common::from_config_map(&n.platform_config)];
    if agent_chart::agent_enabled(values) {
        list.push(common::from_config_map(&n.agent_config));
    }
    match values
        .config
        .platform_secret
        .as_ref()
        .filter(|s| !s.is_empty())
    {
        Some(secret) => list.push(common::from_secret(secret)),
        None => {
            list.push(common::from_secret(&n.platform_secret));
            if let Some(secret) = values
                .config
                .encryption_secret
                .as_ref()
                .filter(|s| !s.is_empty())
            {
                list.push(common::from_secret(secret));
            }
        }
    }
    list
}

/// What the platform's services read beyond their config maps: the
/// passwords of the database, Redis, RabbitMQ and registry, from their Secrets.
struct Backends {
    db: Database,
    redis: Option<Endpoint>,
    rabbitmq: Option<Endpoint>,
    registry: Option<Registry>,
}

impl Backends {
    fn env(&self) -> Vec<EnvVar> {
        let mut env = vec![pod::secret_env(
            "POLYAXON_DB_PASSWORD",
            &self.db.password_ref.0,
            &self.db.password_ref.1,
        )];
        if let Some((secret, key)) = self.redis.as_ref().and_then(|r| r.password_ref.as_ref()) {
            env.push(pod::secret_env("POLYAXON_REDIS_PASSWORD", secret, key));
        }
        if let Some((secret, key)) = self.rabbitmq.as_ref().and_then(|r| r.password_ref.as_ref()) {
            env.push(pod::secret_env("POLYAXON_RABBITMQ_PASSWORD", secret, key));
        }
        if let Some(secret) = self.registry.as_ref().and_then(|r| r.secret.as_ref()) {
            env.push(pod::secret_env(
                "POLYAXON_REGISTRY_USER",
                secret,
                "registry-user",
            ));
            env.push(pod::secret_env(
                "POLYAXON_REGISTRY_PASSWORD",
                secret,
                "registry-password",
            ));
        }
        env
    }
}

fn worker_enabled(service: &Option<WorkerService>) -> bool {
    service.as_ref().and_then(|s| s.enabled).unwrap_or(false)
}

fn insert_json(data: &mut BTreeMap<String, String>, key: &str, value: &impl serde::Serialize) {
    if let Ok(value) = serde_json::to_value(value) {
        data.insert(key.into(), strip(value).to_string());
    }
}

fn strip(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, strip(v)))
                .collect(),
        ),
        other => other,
    }
}

/// The admin password: `user.password`; the seed's default `rootpassword`
/// when absent; a generated one (kept with the release) when `null`.
fn admin_password(ctx: &Ctx<'_>, values: &Values<'_>) -> String {
    if values.is_explicit_null(&["user", "password"]) {
        return ctx.state.admin_password.clone();
    }
    values
        .config
        .user
        .as_ref()
        .and_then(|u| u.password.clone())
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| "rootpassword".into())
}

/// A camelCase key as the platform's env var suffix: `serverUri` → `SERVER_URI`
/// (each capital starts a word, so `bindDN` → `BIND_D_N`).
fn upper_snake(key: &str) -> String {
    key.chars()
        .flat_map(|c| {
            if c.is_ascii_uppercase() {
                vec!['_', c]
            } else {
                vec![c.to_ascii_uppercase()]
            }
        })
        .collect()
}

/// The enabled external backends (`analytics`, `transactions`, `metrics`,
/// `errors`), each with the prefix of its env vars; the platform's config
/// says which and where, its Secret their options.
fn enabled_backends(
    ext: &ExternalServices,
) -> impl Iterator<Item = (&ExternalBackend, &'static str)> {
    [
        (&ext.analytics, "ANALYTICS"),
        (&ext.transactions, "TRANSACTIONS"),
        (&ext.metrics, "METRICS"),
        (&ext.errors, "ERRORS"),
    ]
    .into_iter()
    .filter_map(|(backend, prefix)| {
        backend
            .as_ref()
            .filter(|b| b.enabled == Some(true))
            .map(|b| (b, prefix))
    })
}

fn email_enabled(values: &Values<'_>) -> bool {
    values
        .config
        .email
        .as_ref()
        .is_some_and(|e| e.enabled.unwrap_or(e.host.is_some()))
}

/// The platform ConfigMap.
fn platform_config(
    ctx: &Ctx<'_>,
    values: &Values<'_>,
    backends: &Backends,
) -> BTreeMap<String, String> {
    let cfg = values.config;
    let user = cfg.user.clone().unwrap_or_default();
    let mut data = BTreeMap::from([
        (
            "POLYAXON_ADMIN_NAME".to_string(),
            user.username.unwrap_or_else(|| "root".into()),
        ),
        (
            "POLYAXON_ADMIN_MAIL".to_string(),
            user.email.unwrap_or_else(|| "root@polyaxon.local".into()),
        ),
        (
            "POLYAXON_AUTH_PASSWORD_LENGTH".to_string(),
            cfg.password_length.unwrap_or(6).to_string(),
        ),
        (
            "POLYAXON_AUTH_PASSWORD_ENABLED".to_string(),
            cfg.password_auth.unwrap_or(true).to_string(),
        ),
        ("POLYAXON_DB_ENGINE".to_string(), "pgsql".to_string()),
        ("POLYAXON_DB_HOST".to_string(), backends.db.host.clone()),
        ("POLYAXON_DB_PORT".to_string(), backends.db.port.to_string()),
        ("POLYAXON_DB_USER".to_string(), backends.db.user.clone()),
        ("POLYAXON_DB_NAME".to_string(), backends.db.name.clone()),
        (
            "POLYAXON_DB_CONN_MAX_AGE".to_string(),
            backends.db.conn_max_age.to_string(),
        ),
    ]);
    if let Some(options) = &backends.db.options {
        insert_json(&mut data, "POLYAXON_DB_OPTIONS", options);
    }
    if let Some(hosts) = cfg.allowed_hosts.as_ref().filter(|h| !h.is_empty()) {
        insert_json(&mut data, "POLYAXON_ALLOWED_HOSTS", hosts);
    }
    if let Some(host) = cfg.host_name.as_ref().filter(|h| !h.is_empty()) {
        data.insert("POLYAXON_API_HOST".into(), host.clone());
    }
    if let Some(admin_view) = cfg.admin_view_enabled {
        data.insert("POLYAXON_ADMIN_VIEW_ENABLED".into(), admin_view.to_string());
    }
    if email_enabled(values) {
        let email = cfg.email.clone().unwrap_or_default();
        data.insert(
            "POLYAXON_EMAIL_HOST".into(),
            email.host.unwrap_or_else(|| "smtp".into()),
        );
        data.insert(
            "POLYAXON_EMAIL_PORT".into(),
            email.port.unwrap_or(25).to_string(),
        );
        data.insert(
            "POLYAXON_EMAIL_USE_TLS".into(),
            email.use_tls.unwrap_or(false).to_string(),
        );
        if let Some(from) = email.from.filter(|f| !f.is_empty()) {
            data.insert("POLYAXON_EMAIL_FROM".into(), from);
        }
        if let Some(backend) = email.backend.filter(|b| !b.is_empty()) {
            data.insert("POLYAXON_EMAIL_BACKEND".into(), backend);
        }
    }
    if let Some(redis) = &backends.redis {
        let base = format!("{}:{}", redis.host, redis.port);
        data.insert("POLYAXON_REDIS_HOST".into(), redis.host.clone());
        data.insert("POLYAXON_REDIS_PORT".into(), redis.port.to_string());
        data.insert("POLYAXON_REDIS_SESSIONS_URL".into(), format!("{base}/2"));
        data.insert("POLYAXON_REDIS_HEARTBEAT_URL".into(), format!("{base}/3"));
    }
    if worker_enabled(&cfg.scheduler) {
        data.insert("POLYAXON_SCHEDULER_ENABLED".into(), "true".into());
        match deps::broker(values) {
            Broker::Redis => {
                if let Some(redis) = &backends.redis {
                    let base = format!("{}:{}", redis.host, redis.port);
                    data.insert("POLYAXON_BROKER_BACKEND".into(), "redis".into());
                    data.insert(
                        "POLYAXON_REDIS_CELERY_BROKER_URL".into(),
                        format!("{base}/0"),
                    );
                    data.insert(
                        "POLYAXON_REDIS_CELERY_RESULT_BACKEND_URL".into(),
                        format!("{base}/1"),
                    );
                }
            }
            Broker::Rabbitmq => {
                if let Some(rabbitmq) = &backends.rabbitmq {
                    data.insert("POLYAXON_BROKER_BACKEND".into(), "rabbitmq".into());
                    data.insert(
                        "POLYAXON_AMQP_URL".into(),
                        format!("{}:{}", rabbitmq.host, rabbitmq.port),
                    );
                    data.insert(
                        "POLYAXON_RABBITMQ_USER".into(),
                        rabbitmq.user.clone().unwrap_or_default(),
                    );
                }
            }
        }
    }
    if let Some(intervals) = &cfg.intervals {
        for (value, key) in [
            (
                intervals.runs_scheduler,
                "POLYAXON_INTERVALS_RUNS_SCHEDULER",
            ),
            (
                intervals.operations_default_retry_delay,
                "POLYAXON_INTERVALS_OPERATIONS_DEFAULT_RETRY_DELAY",
            ),
            (
                intervals.operations_max_retry_delay,
                "POLYAXON_INTERVALS_OPERATIONS_MAX_RETRY_DELAY",
            ),
            (
                intervals.compatibility_check,
                "POLYAXON_INTERVALS_COMPATIBILITY_CHECK",
            ),
        ] {
            if let Some(v) = value {
                data.insert(key.into(), v.to_string());
            }
        }
    }
    if let Some(cleaning) = &cfg.cleaning_intervals {
        for (key, value) in cleaning {
            data.insert(
                format!("POLYAXON_CLEANING_INTERVALS_{}", upper_snake(key)),
                as_text(value),
            );
        }
    }
    if let Some(ext) = &cfg.external_services {
        for (b, prefix) in enabled_backends(ext) {
            data.insert(
                format!("POLYAXON_{prefix}_BACKEND"),
                b.backend.clone().unwrap_or_else(|| "default".into()),
            );
            if let Some(url) = &b.url {
                data.insert(format!("POLYAXON_{prefix}_URL"), url.clone());
            }
        }
        if let Some(versions) = ext.allowed_versions.as_ref().filter(|v| !v.is_empty()) {
            insert_json(&mut data, "POLYAXON_ALLOWED_VERSIONS", versions);
        }
    }
    if let Some(ldap) = cfg
        .ldap
        .as_ref()
        .filter(|l| l.get("enabled") == Some(&json!(true)))
    {
        data.insert("POLYAXON_AUTH_LDAP".into(), "true".into());
        for (key, value) in ldap {
            if matches!(key.as_str(), "enabled" | "bindPassword") || value.is_null() {
                continue;
            }
            data.insert(
                format!("POLYAXON_AUTH_LDAP_{}", upper_snake(key)),
                as_text(value),
            );
        }
    }
    // 0.x seed: NVIDIA library paths on the hosts, and where runs mount them
    // (defaulting to the host paths).
    let dirs = cfg.dirs.as_ref().and_then(|d| d.nvidia.clone());
    if let Some(dirs) = &dirs {
        insert_json(&mut data, "POLYAXON_DIRS_NVIDIA", dirs);
    }
    let mounts = cfg.mount_paths.as_ref().and_then(|m| m.nvidia.clone());
    if dirs.is_some() || mounts.is_some() {
        let dirs = dirs.clone().unwrap_or_default();
        let given = mounts.unwrap_or_default();
        let resolved = crate::config::schema::NvidiaPaths {
            lib: given.lib.or(dirs.lib),
            bin: given.bin.or(dirs.bin),
            libcuda: given.libcuda.or(dirs.libcuda),
        };
        insert_json(&mut data, "POLYAXON_MOUNT_PATHS_NVIDIA", &resolved);
    }
    // 0.x seed: the persistence the core pods mount, for the platform to
    // hand on to runs.
    if let Some(persistence) = &cfg.persistence {
        for (value, key) in [
            (&persistence.logs, "POLYAXON_PERSISTENCE_LOGS"),
            (&persistence.repos, "POLYAXON_PERSISTENCE_REPOS"),
            (&persistence.upload, "POLYAXON_PERSISTENCE_UPLOAD"),
        ] {
            if let Some(v) = value {
                insert_json(&mut data, key, v);
            }
        }
        let data_entries: BTreeMap<_, _> =
            connections::persistence_data(values).into_iter().collect();
        insert_json(&mut data, "POLYAXON_PERSISTENCE_DATA", &data_entries);
        let outputs: BTreeMap<_, _> = connections::persistence_outputs(values)
            .into_iter()
            .collect();
        insert_json(&mut data, "POLYAXON_PERSISTENCE_OUTPUTS", &outputs);
    }
    if let Some(registry) = &backends.registry {
        data.insert("POLYAXON_REGISTRY_IN_CLUSTER".into(), "true".into());
        data.insert("POLYAXON_REGISTRY_HOST".into(), registry.address.clone());
    }
    data.extend(common::refs(values));
    let _ = ctx;
    data
}

/// The platform Secret: admin password, email credentials, LDAP bind
/// password, organization key, external backends' and auth providers' options.
fn platform_secret(ctx: &Ctx<'_>, values: &Values<'_>) -> BTreeMap<String, String> {
    let cfg = values.config;
    let mut data = BTreeMap::from([(
        "POLYAXON_ADMIN_PASSWORD".to_string(),
        admin_password(ctx, values),
    )]);
    if email_enabled(values) {
        let email = cfg.email.clone().unwrap_or_default();
        if let Some(user) = email.host_user.filter(|u| !u.is_empty()) {
            data.insert("POLYAXON_EMAIL_HOST_USER".into(), user);
        }
        if let Some(password) = email.host_password.filter(|p| !p.is_empty()) {
            data.insert("POLYAXON_EMAIL_HOST_PASSWORD".into(), password);
        }
    }
    if let Some(ldap) = cfg
        .ldap
        .as_ref()
        .filter(|l| l.get("enabled") == Some(&json!(true)))
    {
        data.insert(
            "POLYAXON_AUTH_LDAP_BIND_PASSWORD".into(),
            ldap.get("bindPassword")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
        );
    }
    if let Some(key) = cfg.organization_key.as_ref().filter(|k| !k.is_empty()) {
        data.insert("POLYAXON_ORGANIZATION_KEY".into(), key.clone());
    }
    if let Some(ext) = &cfg.external_services {
        for (b, prefix) in enabled_backends(ext) {
            insert_json(
                &mut data,
                &format!("POLYAXON_{prefix}_OPTIONS"),
                &b.options.clone().unwrap_or_default(),
            );
        }
        if let Some(auth) = &ext.auth {
            for (provider, prefix) in [
                (&auth.github, "GITHUB"),
                (&auth.gitlab, "GITLAB"),
                (&auth.bitbucket, "BITBUCKET"),
                (&auth.google, "GOOGLE"),
                (&auth.saml, "SAML"),
                (&auth.okta, "OKTA"),
                (&auth.onelogin, "ONELOGIN"),
                (&auth.azuread, "AZUREAD"),
            ] {
                if let Some(p) = provider.as_ref().filter(|p| p.enabled == Some(true)) {
                    insert_json(
                        &mut data,
                        &format!("POLYAXON_AUTH_{prefix}_OPTIONS"),
                        &p.options.clone().unwrap_or_default(),
                    );
                }
            }
        }
    }
    data
}

/// Includes the pod and host IPs in the env (`includeHostIps`).
fn host_ip_env(values: &Values<'_>) -> Vec<EnvVar> {
    if values.config.include_host_ips != Some(true) {
        return Vec::new();
    }
    vec![
        pod::field_env("POLYAXON_POD_IP", "status.podIP"),
        pod::field_env("POLYAXON_HOST_IP", "status.hostIP"),
    ]
}

/// One API-serving workload: the 2.x gateway or the 1.x API.
#[allow(clippy::too_many_arguments)]
fn api_workload(
    ctx: &Ctx<'_>,
    values: &Values<'_>,
    n: &Names,
    backends: &Backends,
    service: &ApiService,
    name: &str,
    container_name: &str,
    target: i32,
    mounts: Mounts,
) -> Workload {
    let mut env_from = common::env_common(n);
    env_from.extend(env_platform(values, n));
    env_from.push(common::from_config_map(&n.proxies));
    env_from.extend(mounts.env_from.clone());
    let mut env = backends.env();
    env.extend(agent_chart::debug_env(values));
    env.extend(host_ip_env(values));
    env.extend(mounts.env.clone());
    let defaults = Defaults {
        image: "polyaxon/polyaxon-api",
        tag: &ctx.version,
        requests: ("1000m", "2000Mi"),
        limits: ("6000m", "8000Mi"),
    };
    let mut container = pod::service_container(
        values,
        container_name,
        service,
        defaults,
        env_from,
        env,
        mounts.mounts.clone(),
    );
    let tls = common::ssl_enabled(values) && name == n.gateway;
    container.ports = Some(pod::serving_ports(target, tls));
    http_probes(&mut container, values, service, target, 60, name);
    Workload {
        name: name.to_string(),
        role: Some(Role::Api),
        replicas: replicas(service.replicas.or(values.config.global_replicas)),
        container,
        volumes: mounts.volumes,
        service_account: (values.rbac() && agent_chart::agent_enabled(values))
            .then(|| rbac::agent_sa(ctx.release)),
        scheduling: Scheduling::of(values, service),
        pull_secrets: pod::pull_secrets_of(values, service),
        ..Workload::default()
    }
}

/// The 1.x nginx gateway (`polyaxon/polyaxon-gateway`): proxies only.
fn nginx_gateway(ctx: &Ctx<'_>, values: &Values<'_>, n: &Names) -> Workload {
    let gateway = values.gateway();
    let target = common::gateway_target_port(values);
    let mounts = agent_chart::ssl_mounts(values);
    let mut env_from = common::env_common(n);
    env_from.push(common::from_config_map(&n.proxies));
    let defaults = Defaults {
        image: "polyaxon/polyaxon-gateway",
        tag: &ctx.version,
        requests: ("128m", "300Mi"),
        limits: ("1000m", "2000Mi"),
    };
    let mut container = pod::service_container(
        values,
        "polyaxon-gateway",
        &gateway,
        defaults,
        env_from,
        agent_chart::debug_env(values),
        mounts.mounts.clone(),
    );
    container.ports = Some(pod::serving_ports(target, common::ssl_enabled(values)));
    http_probes(&mut container, values, &gateway, target, 60, &n.gateway);
    Workload {
        name: n.gateway.clone(),
        role: Some(Role::Api),
        replicas: replicas(gateway.replicas.or(values.config.global_replicas)),
        container,
        volumes: mounts.volumes,
        scheduling: Scheduling::of(values, &gateway),
        pull_secrets: pod::pull_secrets_of(values, &gateway),
        ..Workload::default()
    }
}

/// A Celery service (`scheduler`, `compiler`, `worker`) or `beat`.
#[allow(clippy::too_many_arguments)]
fn celery(
    ctx: &mut Ctx<'_>,
    values: &Values<'_>,
    n: &Names,
    backends: &Backends,
    part: &str,
    service: &DeploymentService,
    concurrency: Option<i64>,
    default_image: &str,
) -> Result<(), RenderError> {
    let cfg = values.config;
    let mounts = agent_chart::data_mounts(values);
    let mut env_from = common::env_common(n);
    env_from.extend(env_platform(values, n));
    env_from.push(common::from_config_map(&n.proxies));
    env_from.extend(mounts.env_from.clone());
    let mut env = backends.env();
    env.extend(agent_chart::debug_env(values));
    if let Some(c) = concurrency.or(cfg.global_concurrency) {
        env.push(pod::env("POLYAXON_CELERY_CONCURRENCY", &c.to_string()));
    }
    env.extend(mounts.env.clone());
    let defaults = Defaults {
        image: default_image,
        tag: &ctx.version,
        requests: ("130m", "200Mi"),
        limits: ("200m", "300Mi"),
    };
    let container = pod::service_container(
        values,
        &format!("polyaxon-{part}"),
        service,
        defaults,
        env_from,
        env,
        mounts.mounts.clone(),
    );
    // Celery pods: `celeryNodeSelector`/`celeryTolerations`/`celeryAffinity`
    // before the global core values.
    let workload = Workload {
        name: names::component(ctx.release, part),
        role: Some(Role::Worker),
        replicas: replicas(service.replicas.or(cfg.global_replicas)),
        container,
        volumes: mounts.volumes,
        scheduling: Scheduling::core(
            values,
            service
                .node_selector
                .as_ref()
                .or(cfg.celery_node_selector.as_ref()),
            service.affinity.as_ref().or(cfg.celery_affinity.as_ref()),
            service
                .tolerations
                .as_ref()
                .or(cfg.celery_tolerations.as_ref()),
        ),
        pull_secrets: pod::pull_secrets_of(values, service),
        ..Workload::default()
    };
    ctx.push(Stage::Workloads, &pod::deployment(ctx, values, &workload))
}

fn as_deployment_service(w: &WorkerService) -> DeploymentService {
    DeploymentService {
        enabled: w.enabled,
        image: w.image.clone(),
        image_tag: w.image_tag.clone(),
        image_pull_policy: w.image_pull_policy,
        replicas: w.replicas,
        concurrency: w.concurrency,
        per_core: w.per_core,
        scheme: w.scheme.clone(),
        resources: w.resources.clone(),
        node_selector: w.node_selector.clone(),
        affinity: w.affinity.clone(),
        tolerations: w.tolerations.clone(),
        image_pull_secrets: w.image_pull_secrets.clone(),
        hpa: w.hpa.clone(),
    }
}

/// The 0.x seed's resources daemon: a DaemonSet on every node, when the
/// config has a `resourcesDaemon` section that is not disabled.
fn resources_daemon(
    ctx: &mut Ctx<'_>,
    values: &Values<'_>,
    n: &Names,
    backends: &Backends,
) -> Result<(), RenderError> {
    let Some(daemon) = values.config.resources_daemon.clone() else {
        return Ok(());
    };
    if daemon.enabled == Some(false) {
        return Ok(());
    }
    let tolerations = daemon
        .tolerations
        .clone()
        .or_else(|| match &values.config.tolerations {
            Some(TolerationsSetting::ByRole(by)) => by.resources_daemon.clone(),
            _ => None,
        });
    let mut env_from = common::env_common(n);
    env_from.extend(env_platform(values, n));
    let defaults = Defaults {
        image: "polyaxon/polyaxon-monitor-resources",
        tag: &ctx.version,
        requests: ("50m", "64Mi"),
        limits: ("200m", "256Mi"),
    };
    let container = pod::service_container(
        values,
        "polyaxon-resources",
        &daemon,
        defaults,
        env_from,
        backends.env(),
        Vec::new(),
    );
    let name = names::component(ctx.release, "resources");
    let workload = Workload {
        name: name.clone(),
        role: Some(Role::Helpers),
        replicas: 1,
        container,
        // On every node: only the daemon's own placement, never the core affinity.
        scheduling: Scheduling {
            node_selector: daemon.node_selector.clone(),
            affinity: daemon.affinity.clone(),
            tolerations: tolerations.filter(|t| !t.is_empty()),
        },
        pull_secrets: values.image_pull_secrets(),
        ..Workload::default()
    };
    let daemon_set = DaemonSet {
        metadata: ctx.meta(&name, Role::Helpers),
        spec: Some(DaemonSetSpec {
            selector: ctx.selector(&name),
            template: pod::template(ctx, values, &workload),
            ..DaemonSetSpec::default()
        }),
        ..DaemonSet::default()
    };
    ctx.push(Stage::Workloads, &daemon_set)
}

/// The install hooks: database sync (post-install and post-upgrade) and the
/// admin user (post-install), unless `apiHooks` (1.x `hooks`) turns them off.
fn install_hooks(
    ctx: &mut Ctx<'_>,
    values: &Values<'_>,
    n: &Names,
    backends: &Backends,
) -> Result<(), RenderError> {
    let cfg = values.config;
    let settings = match values.generation {
        Generation::V1 => cfg.hooks.clone().or_else(|| cfg.api_hooks.clone()),
        Generation::V2 => cfg.api_hooks.clone().or_else(|| cfg.hooks.clone()),
    }
    .unwrap_or_default();
    // The hooks run the API image unless told otherwise.
    let api = match values.generation {
        Generation::V1 => cfg.api.clone().unwrap_or_default(),
        Generation::V2 => values.gateway(),
    };
    let hook_image = image(
        settings.image.as_ref().or(api.image.as_ref()),
        settings.image_tag.as_ref().or(api.image_tag.as_ref()),
        "polyaxon/polyaxon-api",
        &ctx.version,
    );
    let policy = pull_policy(settings.image_pull_policy.or(api.image_pull_policy));
    let mut env_from = common::env_common(n);
    env_from.extend(env_platform(values, n));
    let scheduling = Scheduling::of(values, &api);
    let container = |name: &str, args: Vec<String>| {
        let mut c = pod::container(
            values,
            name,
            hook_image.clone(),
            policy.clone(),
            env_from.clone(),
            backends.env(),
            Vec::new(),
            pod::resources(
                values,
                settings.resources.as_ref(),
                ("100m", "100Mi"),
                ("1000m", "2000Mi"),
            ),
        );
        c.args = Some(args);
        c
    };
    if settings.sync_db != Some(false) {
        let name = hooks::name(ctx.release, "sync-db");
        let job = hooks::job(
            ctx,
            values,
            &name,
            container("sync-db-job", vec!["migrate".into()]),
            None,
            scheduling.clone(),
            900,
        );
        // The same Job at both moments: the operations run it after an
        // install and after every upgrade.
        ctx.push_hook(Hook::PostInstall, &job)?;
        ctx.push_hook(Hook::PostUpgrade, &job)?;
    }
    if settings.admin_user != Some(false) {
        let user = cfg.user.clone().unwrap_or_default();
        let name = hooks::name(ctx.release, "admin-user");
        let job = hooks::job(
            ctx,
            values,
            &name,
            container(
                "admin-user-job",
                vec![
                    "createuser".into(),
                    format!(
                        "--username={}",
                        user.username.unwrap_or_else(|| "root".into())
                    ),
                    format!(
                        "--email={}",
                        user.email.unwrap_or_else(|| "root@polyaxon.local".into())
                    ),
                    "--password=$(POLYAXON_ADMIN_PASSWORD)".into(),
                    "--superuser".into(),
                    "--force".into(),
                ],
            ),
            None,
            scheduling,
            360,
        );
        ctx.push_hook(Hook::PostInstall, &job)?;
    }
    Ok(())
}

/// Renders the platform chart into `ctx`.
pub fn render(ctx: &mut Ctx<'_>, values: &Values<'_>) -> Result<(), RenderError> {
    let cfg = values.config;
    let n = Names::new(ctx.release);
    let agent_on = agent_chart::agent_enabled(values);
    ctx.push(Stage::Crds, &agent_chart::namespace(ctx))?;
    agent_chart::render_crds(ctx, values)?;
    rbac::render(ctx, values, agent_on, agent_chart::operator_enabled(values))?;

    common::render_common(ctx, values, &n)?;
    let backends = Backends {
        db: deps::postgres(ctx, values)?,
        redis: deps::redis(ctx, values)?,
        rabbitmq: deps::rabbitmq(ctx, values)?,
        registry: deps::registry(ctx, values)?,
    };
    let data = platform_config(ctx, values, &backends);
    ctx.push(
        Stage::Config,
        &common::config_map(ctx, &n.platform_config, data),
    )?;
    if cfg.platform_secret.as_deref().is_none_or(str::is_empty) {
        let data = platform_secret(ctx, values);
        ctx.push(
            Stage::Config,
            &common::secret(ctx, &n.platform_secret, data),
        )?;
    }

    let streams_on = match values.generation {
        Generation::V1 => cfg.streams.as_ref().and_then(|s| s.enabled).unwrap_or(true),
        Generation::V2 => cfg
            .streams
            .as_ref()
            .and_then(|s| s.enabled)
            .unwrap_or(false),
    };
    common::render_proxies(ctx, values, &n)?;
    let agent_cfg = cfg.agent.clone().unwrap_or_default();
    let agent_scheduling = Scheduling::of(values, &agent_cfg);
    common::render_agent_config(ctx, values, &n, &agent_scheduling)?;

    // The gateway Service; in 2.x it fronts the API, so the seed's
    // `api.service.annotations` land on it too.
    let mut gateway_service = network::gateway_service(ctx, values, &n, &n.gateway);
    if values.generation == Generation::V2
        && let Some(extra) = cfg
            .api
            .as_ref()
            .and_then(|a| a.service.as_ref())
            .and_then(|s| s.annotations.clone())
            .filter(|a| !a.is_empty())
    {
        gateway_service
            .metadata
            .annotations
            .get_or_insert_with(BTreeMap::new)
            .extend(extra);
    }
    ctx.push(Stage::Services, &gateway_service)?;

    let mut data_mounts = agent_chart::ssl_mounts(values);
    data_mounts.extend(connections::artifacts_store_mounts(values));
    data_mounts.extend(agent_chart::data_mounts(values));
    match values.generation {
        Generation::V2 => {
            let gateway = values.gateway();
            let workload = api_workload(
                ctx,
                values,
                &n,
                &backends,
                &gateway,
                &n.gateway,
                "polyaxon-gateway",
                common::gateway_target_port(values),
                data_mounts,
            );
            ctx.push(Stage::Workloads, &pod::deployment(ctx, values, &workload))?;
            super::autoscale::render(ctx, &n.gateway, gateway.hpa.as_ref())?;
        }
        Generation::V1 => {
            let workload = nginx_gateway(ctx, values, &n);
            ctx.push(Stage::Workloads, &pod::deployment(ctx, values, &workload))?;
            super::autoscale::render(ctx, &n.gateway, values.gateway().hpa.as_ref())?;
            let api = cfg.api.clone().unwrap_or_default();
            let spec = api.service.clone().unwrap_or_default();
            let name = names::component(ctx.release, "api");
            let target = common::service_port(spec.target_port, 80);
            let mut mounts = connections::artifacts_store_mounts(values);
            mounts.extend(agent_chart::data_mounts(values));
            let workload = api_workload(
                ctx,
                values,
                &n,
                &backends,
                &api,
                &name,
                "polyaxon-api",
                target,
                mounts,
            );
            let mut service = network::service(
                ctx,
                &name,
                &name,
                Role::Api,
                vec![network::port(
                    spec.name.as_deref().unwrap_or("api"),
                    common::service_port(spec.port, 80),
                    target,
                )],
            );
            service.metadata.annotations = spec.annotations.filter(|a| !a.is_empty());
            ctx.push(Stage::Services, &service)?;
            ctx.push(Stage::Workloads, &pod::deployment(ctx, values, &workload))?;
            super::autoscale::render(ctx, &name, api.hpa.as_ref())?;
        }
    }
    if streams_on {
        agent_chart::streams(ctx, values, &n)?;
    }
    if agent_on {
        agent_chart::agent_deployment(ctx, values, &n, Vec::new())?;
    }
    if agent_chart::operator_enabled(values) {
        agent_chart::operator_deployment(ctx, values, &n)?;
    }
    for (part, service, default_image) in [
        ("scheduler", &cfg.scheduler, "polyaxon/polyaxon-scheduler"),
        ("compiler", &cfg.compiler, "polyaxon/polyaxon-scheduler"),
        ("worker", &cfg.worker, "polyaxon/polyaxon-scheduler"),
    ] {
        if worker_enabled(service)
            && let Some(s) = service
        {
            let plain = as_deployment_service(s);
            celery(
                ctx,
                values,
                &n,
                &backends,
                part,
                &plain,
                s.concurrency,
                default_image,
            )?;
            let name = names::component(ctx.release, part);
            super::autoscale::render(ctx, &name, s.hpa.as_ref())?;
        }
    }
    if let Some(beat) = cfg.beat.as_ref().filter(|b| b.enabled == Some(true)) {
        celery(
            ctx,
            values,
            &n,
            &backends,
            "beat",
            beat,
            None,
            "polyaxon/polyaxon-scheduler",
        )?;
    }
    flower(ctx, values, &n)?;
    resources_daemon(ctx, values, &n, &backends)?;
    if values.ingress() {
        ctx.push(Stage::Ingress, &network::ingress(ctx, values, &n))?;
    }
    install_hooks(ctx, values, &n, &backends)?;
    agent_chart::clean_runs_hook(ctx, values, &n)
}

/// Flower, the Celery monitor, when `flower.enabled`: a Deployment and a
/// NodePort Service (8888, node port 30679), as the charts.
fn flower(ctx: &mut Ctx<'_>, values: &Values<'_>, n: &Names) -> Result<(), RenderError> {
    let Some(flower) = values
        .config
        .flower
        .clone()
        .filter(|f| f.enabled == Some(true))
    else {
        return Ok(());
    };
    let name = names::component(ctx.release, "flower");
    let mut env_from = common::env_common(n);
    env_from.extend(env_platform(values, n));
    let tag = flower.image_tag.clone().unwrap_or_else(|| "latest".into());
    let mut container = pod::container(
        values,
        "polyaxon-flower",
        image(
            flower.image.as_ref(),
            Some(&tag),
            "mher/flower",
            &ctx.version,
        ),
        pull_policy(flower.image_pull_policy),
        env_from,
        Vec::new(),
        Vec::new(),
        pod::resources(
            values,
            flower.resources.as_ref(),
            ("130m", "200Mi"),
            ("200m", "300Mi"),
        ),
    );
    container.ports = Some(vec![pod::port(8888)]);
    let workload = Workload {
        name: name.clone(),
        role: Some(Role::Helpers),
        replicas: replicas(flower.replicas),
        container,
        scheduling: Scheduling::of(values, &flower),
        pull_secrets: values.image_pull_secrets(),
        ..Workload::default()
    };
    let mut service = network::service(
        ctx,
        &name,
        &name,
        Role::Helpers,
        vec![network::port("flower", 8888, 8888)],
    );
    if let Some(spec) = service.spec.as_mut() {
        spec.type_ = Some("NodePort".into());
        if let Some(port) = spec.ports.as_mut().and_then(|p| p.first_mut()) {
            port.node_port = Some(30679);
        }
    }
    ctx.push(Stage::Services, &service)?;
    ctx.push(Stage::Workloads, &pod::deployment(ctx, values, &workload))
}
