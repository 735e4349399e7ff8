//! PgBouncer in front of an external PostgreSQL, as the 1.x platform chart
//! renders it whenever `externalServices.postgresql.pgbouncer` is a
//! non-empty mapping: a Deployment `<fullname>-pgbouncer` (the pooler and a
//! Cloud SQL proxy beside it, which the pooler reaches on 127.0.0.1:5433)
//! and a Service of the same name on the database's port, which the
//! platform then uses as its database host.
//!
//! Keys read under `externalServices.postgresql.pgbouncer`: `image`,
//! `imageTag`, `imagePullPolicy`, `maxClientConn`, `defaultPoolSize`,
//! `proxyImage`, `proxyImageTag`, `proxyImagePullPolicy`, `nodeSelector`,
//! `affinity`, `tolerations`, `imagePullSecrets`.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{DeploymentStrategy, RollingUpdateDeployment};
use k8s_openapi::api::core::v1::{
    Capabilities, Container, Probe, ResourceRequirements, SecretVolumeSource, SecurityContext,
    TCPSocketAction, Volume, VolumeMount,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde_json::Value;

use super::super::RenderError;
use super::super::ctx::Ctx;
use super::super::labels::Role;
use super::super::manifest::Stage;
use super::super::names;
use super::super::network;
use super::super::pod::{self, Scheduling, env, secret_env};
use super::super::values::Values;
use super::Database;
use super::bitnami::{self, Section};
use crate::config::schema::Dict;

/// Where the Cloud SQL proxy listens for the pooler.
const PROXY_PORT: &str = "5433";

/// The `pgbouncer` mapping, when the chart renders PgBouncer for it (helm
/// reads an empty mapping as false).
pub fn settings<'a>(values: &'a Values<'_>) -> Option<&'a Dict> {
    values
        .config
        .external_services
        .as_ref()
        .and_then(|e| e.postgresql.as_ref())
        .and_then(|p| p.pgbouncer.as_ref())
        .filter(|d| !d.is_empty())
}

/// Renders PgBouncer for `db` and returns its Service's name (the host the
/// platform uses instead of the database's when the database is external).
pub fn render(
    ctx: &mut Ctx<'_>,
    values: &Values<'_>,
    settings: &Dict,
    db: &Database,
    external_host: &str,
) -> Result<String, RenderError> {
    let section = Section::new(Some(settings), "externalServices.postgresql.pgbouncer");
    let name = names::component(ctx.release, "pgbouncer");
    // The chart writes `<image>:<tag>` as given, without defaults.
    let text = |key: &str| section.text(&[key]).unwrap_or_default();
    let policy = |key: &str| {
        section
            .text(&[key])
            .unwrap_or_else(|| "IfNotPresent".into())
    };
    // With `platformSecret` the password is that Secret's; otherwise the
    // database's own Secret.
    let password = match values
        .config
        .platform_secret
        .as_deref()
        .filter(|s| !s.is_empty())
    {
        Some(secret) => secret_env("DB_PASSWORD", secret, "POLYAXON_DB_PASSWORD"),
        None => secret_env("DB_PASSWORD", &db.password_ref.0, &db.password_ref.1),
    };
    let setting = |key: &str, default: &str| section.text(&[key]).unwrap_or_else(|| default.into());
    let tcp_probe = |period: i32| Probe {
        tcp_socket: Some(TCPSocketAction {
            port: IntOrString::Int(db.port),
            ..TCPSocketAction::default()
        }),
        initial_delay_seconds: Some(5),
        period_seconds: Some(period),
        ..Probe::default()
    };
    let pooler = Container {
        name: "polyaxon-pgbouncer".into(),
        image: Some(format!("{}:{}", text("image"), text("imageTag"))),
        image_pull_policy: Some(policy("imagePullPolicy")),
        ports: Some(vec![pod::port(db.port)]),
        env: Some(vec![
            env("POOL_MODE", "session"),
            env("SERVER_RESET_QUERY", "DISCARD ALL"),
            env("DB_HOST", "127.0.0.1"),
            env("DB_PORT", PROXY_PORT),
            env("DB_USER", &db.user),
            password,
            env("MAX_CLIENT_CONN", &setting("maxClientConn", "500")),
            env("DEFAULT_POOL_SIZE", &setting("defaultPoolSize", "50")),
        ]),
        readiness_probe: Some(tcp_probe(30)),
        liveness_probe: Some(tcp_probe(60)),
        // Lets running queries finish before the pod goes.
        lifecycle: Some(bitnami::pre_stop(&[
            "/bin/sh",
            "-c",
            "killall -INT pgbouncer && sleep 120",
        ])),
        security_context: Some(SecurityContext {
            allow_privilege_escalation: Some(false),
            capabilities: Some(Capabilities {
                drop: Some(vec!["all".into()]),
                ..Capabilities::default()
            }),
            ..SecurityContext::default()
        }),
        resources: Some(ResourceRequirements {
            limits: Some(quantities("1000m", "800Mi")),
            ..bitnami::requests(&[("cpu", "150m"), ("memory", "200Mi")])
        }),
        ..Container::default()
    };
    let mut command = vec![
        "/cloud_sql_proxy".to_string(),
        "--dir=/cloudsql".into(),
        format!("-instances={external_host}"),
        "-credential_file=/secrets/cloudsql/credentials.json".into(),
    ];
    // Chart 1.18.0 quietened the proxy.
    if values.chart_version.at_least(1, 18, 0) {
        command.push("-verbose=false".into());
    }
    let proxy = Container {
        name: "cloudsql-proxy".into(),
        image: Some(format!("{}:{}", text("proxyImage"), text("proxyImageTag"))),
        image_pull_policy: Some(policy("proxyImagePullPolicy")),
        command: Some(command),
        volume_mounts: Some(vec![
            VolumeMount {
                read_only: Some(true),
                ..bitnami::mount("cloudsql-credentials", "/secrets/cloudsql")
            },
            bitnami::mount("cloudsql", "/cloudsql"),
        ]),
        ..Container::default()
    };
    let volumes = vec![
        Volume {
            name: "cloudsql-credentials".into(),
            secret: Some(SecretVolumeSource {
                secret_name: Some("cloudsql-credentials".into()),
                ..SecretVolumeSource::default()
            }),
            ..Volume::default()
        },
        bitnami::empty_dir("cloudsql"),
    ];
    let scheduling = Scheduling::core(
        values,
        section.typed(&["nodeSelector"])?.as_ref(),
        section.typed(&["affinity"])?.as_ref(),
        section.typed(&["tolerations"])?.as_ref(),
    );
    let pull_secrets = section
        .get(&["imagePullSecrets"])
        .and_then(Value::as_array)
        .filter(|l| !l.is_empty())
        .map(|l| {
            l.iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect()
        })
        .unwrap_or_else(|| values.image_pull_secrets());
    let workload = pod::Workload {
        name: name.clone(),
        role: Some(Role::Helpers),
        replicas: 1,
        container: pooler,
        sidecars: vec![proxy],
        volumes,
        scheduling,
        pull_secrets,
        ..pod::Workload::default()
    };
    let mut deployment = pod::deployment(ctx, values, &workload);
    if let Some(spec) = deployment.spec.as_mut() {
        // Never fewer poolers than asked while one is replaced.
        spec.strategy = Some(DeploymentStrategy {
            rolling_update: Some(RollingUpdateDeployment {
                max_unavailable: Some(IntOrString::Int(0)),
                ..RollingUpdateDeployment::default()
            }),
            ..DeploymentStrategy::default()
        });
    }
    let service = network::service(
        ctx,
        &name,
        &name,
        Role::Helpers,
        vec![network::port("postgres", db.port, db.port)],
    );
    ctx.push(Stage::Services, &service)?;
    ctx.push(Stage::Workloads, &deployment)?;
    Ok(name)
}

/// CPU and memory quantities.
fn quantities(cpu: &str, memory: &str) -> BTreeMap<String, Quantity> {
    BTreeMap::from([
        ("cpu".to_string(), Quantity(cpu.into())),
        ("memory".to_string(), Quantity(memory.into())),
    ])
}
