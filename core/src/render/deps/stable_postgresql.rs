//! In-cluster PostgreSQL of the 1.x charts: helm's `stable/postgresql`
//! 8.2.1 (`bitnami/postgresql:11.6.0-debian-10-r5`), which every 1.x
//! package from 1.0 to 1.20 ships. Its objects are named as the newer
//! subcharts' (`<release>-postgresql`, `-headless`), but it selects its pods
//! by `app`, `release` and `role: master`, keeps the password under
//! `postgresql-password`, and the Polyaxon 1.x values turn its persistence
//! off (`postgresql.persistence.enabled: false`, `size: 2Gi`).
//!
//! Keys read (the subchart's, under `postgresql`): `postgresqlUsername`,
//! `postgresqlPassword`, `postgresqlPostgresPassword`, `postgresqlDatabase`,
//! `connMaxAge`, `image.*`, `resources`, `persistence.*`, `master.affinity`,
//! `master.nodeSelector`, `master.tolerations`, `service.port`,
//! `nameOverride`, `fullnameOverride`; and ours (`image`, `imageTag`,
//! `imagePullPolicy`, `imagePullSecrets`).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Container, EmptyDirVolumeSource, PodSecurityContext, PodSpec, SecurityContext, Volume,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use super::super::RenderError;
use super::super::ctx::{Ctx, checksum};
use super::super::manifest::Stage;
use super::super::pod::{Scheduling, env, secret_env};
use super::super::values::{self, Values};
use super::Database;
use super::bitnami::{
    self, ContainerSecurity, Image, Persistence, Section, Subchart, Workload, WorkloadExtras, mount,
};
use super::postgresql;
use crate::config::schema::ServiceSettings;

/// The chart label of the subchart.
const CHART: &str = "postgresql-8.2.1";
/// `persistence.mountPath`.
const DATA_PATH: &str = "/bitnami/postgresql";
/// The key of the user's password in the Secret.
pub const PASSWORD_KEY: &str = "postgresql-password";
/// The superuser's, when it has its own.
const POSTGRES_PASSWORD_KEY: &str = "postgresql-postgres-password";
/// The pods' role label.
const ROLE: &str = "master";

/// Renders the subchart and returns how the platform reaches it.
pub fn render(ctx: &mut Ctx<'_>, values: &Values<'_>) -> Result<Database, RenderError> {
    let pg = values.config.postgresql.clone().unwrap_or_default();
    let section = Section::new(Some(&pg.extra), "postgresql");
    let sub = Subchart::stable(ctx, "postgresql", &section, CHART);
    let text = |key: &str, default: &str| section.text(&[key]).unwrap_or_else(|| default.into());
    let user = text("postgresqlUsername", "polyaxon");
    let database = text("postgresqlDatabase", "polyaxon");
    // `postgresqlPassword: polyaxon` in the chart's values; ours is
    // generated and kept with the release unless given.
    let password = section
        .text(&["postgresqlPassword"])
        .unwrap_or_else(|| ctx.state.postgres_password.clone());
    let superuser = section
        .text(&["postgresqlPostgresPassword"])
        .filter(|_| user != "postgres");
    let port = section
        .get(&["service", "port"])
        .and_then(serde_json::Value::as_i64)
        .and_then(|p| i32::try_from(p).ok())
        .unwrap_or(5432);

    let mut data = BTreeMap::from([(PASSWORD_KEY.to_string(), password)]);
    if let Some(superuser) = &superuser {
        data.insert(POSTGRES_PASSWORD_KEY.into(), superuser.clone());
    }
    let checksums = BTreeMap::from([("secret".to_string(), checksum(&data))]);
    ctx.push(Stage::Config, &sub.secret(&sub.fullname, data))?;
    let ports = || {
        vec![bitnami::service_port(
            "tcp-postgresql",
            port,
            "tcp-postgresql",
        )]
    };
    let headless = sub.named("headless");
    // The headless Service selects every pod of the release's chart, the
    // Service only the master.
    ctx.push(
        Stage::Services,
        &sub.headless_service(&headless, None, ports(), false),
    )?;
    ctx.push(
        Stage::Services,
        &sub.service(&sub.fullname, Some(ROLE), ports(), false),
    )?;

    let image = Image::new("bitnami/postgresql", "11.6.0-debian-10-r5")
        .with_subchart(&section.at("image"))
        .with_ours(pg.image(), pg.image_tag(), pg.image_pull_policy());
    let resources = match section.typed(&["resources"])? {
        Some(given) => given,
        None => pg
            .resources()
            .cloned()
            .unwrap_or_else(|| bitnami::requests(&[("cpu", "250m"), ("memory", "256Mi")])),
    };
    let persistence_section = Section::new(pg.persistence.as_ref(), "postgresql.persistence");
    let mut persistence = Persistence::read(&persistence_section, None);
    // The Polyaxon 1.x values: no claim and 2Gi unless asked.
    persistence.enabled = persistence_section.flag(&["enabled"]).unwrap_or(false);
    if persistence_section.text(&["size"]).is_none() {
        persistence.size = "2Gi".into();
    }

    let mut container = bitnami::container(&sub.fullname, &image);
    let mut vars = vec![
        env("BITNAMI_DEBUG", "false"),
        env("POSTGRESQL_PORT_NUMBER", &port.to_string()),
        env("POSTGRESQL_VOLUME_DIR", DATA_PATH),
        env("PGDATA", &format!("{DATA_PATH}/data")),
    ];
    if superuser.is_some() {
        vars.push(secret_env(
            "POSTGRES_POSTGRES_PASSWORD",
            &sub.fullname,
            POSTGRES_PASSWORD_KEY,
        ));
    }
    vars.push(env("POSTGRES_USER", &user));
    vars.push(secret_env("POSTGRES_PASSWORD", &sub.fullname, PASSWORD_KEY));
    vars.push(env("POSTGRES_DB", &database));
    vars.push(env("POSTGRESQL_ENABLE_LDAP", "no"));
    container.env = Some(vars);
    container.ports = Some(vec![bitnami::container_port("tcp-postgresql", port)]);
    let ready = format!("exec pg_isready -U \"{user}\" -d \"{database}\" -h 127.0.0.1 -p {port}");
    postgresql::set_probes(&mut container, &ready, &image);
    container.resources = Some(resources.clone());
    container.security_context = Some(ContainerSecurity::User.context());
    let mut mounts = vec![mount("dshm", "/dev/shm")];
    // The data volume is mounted only when it is a claim.
    if persistence.enabled {
        mounts.push(mount("data", DATA_PATH));
    }
    container.volume_mounts = Some(mounts);

    let primary = section.at("master");
    let ours = Scheduling {
        node_selector: pg.node_selector().cloned(),
        // `postgresql.master.affinity` in the 1.x values: near Polyaxon's core.
        affinity: pg
            .affinity()
            .cloned()
            .or_else(|| Some(values::default_affinity())),
        tolerations: pg.tolerations().cloned(),
    };
    let mut workload = Workload {
        name: sub.fullname.clone(),
        component: Some(ROLE),
        replicas: 1,
        service_name: headless,
        pod: PodSpec {
            init_containers: Some(vec![chmod_data(resources)]),
            containers: vec![container],
            volumes: Some(vec![Volume {
                name: "dshm".into(),
                empty_dir: Some(EmptyDirVolumeSource {
                    medium: Some("Memory".into()),
                    size_limit: Some(Quantity("1Gi".into())),
                }),
                ..Volume::default()
            }]),
            security_context: Some(PodSecurityContext {
                fs_group: Some(1001),
                ..PodSecurityContext::default()
            }),
            ..PodSpec::default()
        },
        scheduling: bitnami::scheduling(&primary, &ours)?,
        pull_secrets: pg.image_pull_secrets().cloned().unwrap_or_default(),
        data_volume: "data",
        persistence,
        claim_labels: false,
        checksums: BTreeMap::new(),
        extras: WorkloadExtras::default(),
    };
    workload.checksums = checksums;
    ctx.push(Stage::Workloads, &workload.build(&sub))?;
    Ok(Database {
        host: sub.fullname.clone(),
        port,
        user,
        name: database,
        conn_max_age: section
            .get(&["connMaxAge"])
            .and_then(serde_json::Value::as_i64)
            .or(pg.conn_max_age)
            .unwrap_or(60),
        password_ref: (sub.fullname.clone(), PASSWORD_KEY.into()),
        options: None,
    })
}

/// The init container that hands the data directory and `/dev/shm` to the
/// bitnami user (`volumePermissions`, `shmVolume`), as root.
fn chmod_data(resources: k8s_openapi::api::core::v1::ResourceRequirements) -> Container {
    let script = format!(
        "mkdir -p {DATA_PATH}/data\nchmod 700 {DATA_PATH}/data\nfind {DATA_PATH} -mindepth 0 -maxdepth 1 -not -name \".snapshot\" -not -name \"lost+found\" | \\\n  xargs chown -R 1001:1001\nchmod -R 777 /dev/shm\n"
    );
    Container {
        command: Some(vec!["/bin/sh".into(), "-c".into(), script]),
        resources: Some(resources),
        security_context: Some(SecurityContext {
            run_as_user: Some(0),
            ..SecurityContext::default()
        }),
        volume_mounts: Some(vec![mount("data", DATA_PATH), mount("dshm", "/dev/shm")]),
        ..bitnami::container(
            "init-chmod-data",
            &Image {
                pull_policy: "Always".into(),
                ..Image::new("bitnami/minideb", "stretch")
            },
        )
    }
}
