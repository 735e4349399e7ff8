//! In-cluster PostgreSQL: the bitnami `postgresql` subchart as the Polyaxon
//! chart renders it (12.1.14 up to chart 2.4.x, 15.5.35 from chart 2.5.0).
//!
//! Keys read, besides our own (`image`, `imageTag`, `imagePullPolicy`,
//! `resources`, `nodeSelector`, `affinity`, `tolerations`,
//! `imagePullSecrets`, `persistence.size`/`storageClass`, the 1.x
//! `postgresUser`/`postgresPassword`/`postgresDatabase`): `auth.*`
//! (`username`, `password`, `postgresPassword`, `database`,
//! `enablePostgresUser`, `existingSecret`, `secretKeys.*`),
//! `service.ports.postgresql`, `architecture`, `primary.persistence.*`,
//! `primary.resources`, `primary.resourcesPreset`, `primary.nodeSelector`,
//! `primary.affinity`, `primary.tolerations`, `nameOverride`,
//! `fullnameOverride`.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Container, EmptyDirVolumeSource, PodSpec, Volume, VolumeMount};

use super::super::RenderError;
use super::super::ctx::{Ctx, checksum};
use super::super::manifest::Stage;
use super::super::pod::{Scheduling, env, secret_env};
use super::super::values::Values;
use super::Database;
use super::bitnami::{
    self, ContainerSecurity, Image, Persistence, Section, Subchart, Workload, WorkloadExtras, mount,
};
use crate::config::Generation;
use crate::config::schema::{PostgresqlService, ServiceSettings};

/// Where the data lives in the bitnami image (`primary.persistence.mountPath`).
const DATA_PATH: &str = "/bitnami/postgresql";
/// The server's port in the pod (`containerPorts.postgresql`).
const PORT: i32 = 5432;

/// Who connects, with which passwords, kept where.
struct Auth {
    user: String,
    database: String,
    /// The Secret holding the passwords (ours, or `auth.existingSecret`).
    secret: String,
    /// Whether we render that Secret.
    render_secret: bool,
    /// `postgres-password`: the superuser's, when it is enabled.
    admin: Option<(String, String)>,
    /// `password`: the user's, when the user is not `postgres`.
    user_password: Option<(String, String)>,
}

impl Auth {
    fn read(ctx: &Ctx<'_>, pg: &PostgresqlService, sub: &Subchart<'_>) -> Self {
        let auth = Section::new(pg.auth.as_ref(), "postgresql.auth");
        let extra = Section::new(Some(&pg.extra), "postgresql");
        let user = auth
            .text(&["username"])
            .or_else(|| pg.postgres_user.clone().filter(|u| !u.is_empty()))
            .or_else(|| extra.text(&["postgresqlUsername"]))
            .unwrap_or_else(|| "polyaxon".into());
        let database = auth
            .text(&["database"])
            .or_else(|| pg.postgres_database.clone().filter(|d| !d.is_empty()))
            .or_else(|| extra.text(&["postgresqlDatabase"]))
            .unwrap_or_else(|| "polyaxon".into());
        // The chart's defaults are `polyaxon` for both; ours are generated
        // and kept in the release state, and each password defaults to the
        // other so that the platform (which reads `postgres-password` as
        // the user's) connects with either given alone.
        let given_user = auth
            .text(&["password"])
            .or_else(|| pg.postgres_password.clone().filter(|p| !p.is_empty()))
            .or_else(|| extra.text(&["postgresqlPassword"]));
        let given_admin = auth.text(&["postgresPassword"]);
        let user_password = given_user
            .clone()
            .or_else(|| given_admin.clone())
            .unwrap_or_else(|| ctx.state.postgres_password.clone());
        let admin_password = given_admin
            .or(given_user)
            .unwrap_or_else(|| user_password.clone());
        let superuser = user == "postgres";
        let admin_key = auth
            .text(&["secretKeys", "adminPasswordKey"])
            .unwrap_or_else(|| "postgres-password".into());
        let user_key = auth
            .text(&["secretKeys", "userPasswordKey"])
            .unwrap_or_else(|| "password".into());
        let existing = auth.text(&["existingSecret"]);
        let enable_admin = auth.flag(&["enablePostgresUser"]).unwrap_or(true);
        Auth {
            secret: existing.clone().unwrap_or_else(|| sub.fullname.clone()),
            render_secret: existing.is_none(),
            admin: (enable_admin || superuser).then(|| {
                let password = if superuser {
                    user_password.clone()
                } else {
                    admin_password.clone()
                };
                (admin_key, password)
            }),
            user_password: (!superuser).then_some((user_key, user_password)),
            user,
            database,
        }
    }

    /// The Secret key the platform reads its password from: the chart's
    /// `postgres-password`, unless that is not the user's password (the
    /// chart then hands the platform the wrong one; ours the right one).
    fn platform_key(&self) -> String {
        match (&self.admin, &self.user_password) {
            (Some((key, admin)), Some((_, user))) if admin == user => key.clone(),
            (_, Some((key, _))) => key.clone(),
            (Some((key, _)), None) => key.clone(),
            (None, None) => "postgres-password".into(),
        }
    }

    /// The container's credentials, in the order of the subchart's template.
    fn env(&self, newer: bool) -> Vec<k8s_openapi::api::core::v1::EnvVar> {
        let admin = self
            .admin
            .as_ref()
            .map(|(key, _)| secret_env("POSTGRES_POSTGRES_PASSWORD", &self.secret, key));
        let Some((user_key, _)) = &self.user_password else {
            return match &self.admin {
                Some((key, _)) => vec![secret_env("POSTGRES_PASSWORD", &self.secret, key)],
                None => vec![env("ALLOW_EMPTY_PASSWORD", "true")],
            };
        };
        let user = secret_env("POSTGRES_PASSWORD", &self.secret, user_key);
        let mut vars = vec![env("POSTGRES_USER", &self.user)];
        // 15.5.35 names the user's password first; 12.1.14 the superuser's.
        if newer {
            vars.push(user);
            vars.extend(admin);
        } else {
            vars.extend(admin);
            vars.push(user);
        }
        vars
    }
}

/// Renders the subchart and returns how the platform reaches it.
pub fn render(ctx: &mut Ctx<'_>, values: &Values<'_>) -> Result<Database, RenderError> {
    let pg = values.config.postgresql.clone().unwrap_or_default();
    let section = Section::new(Some(&pg.extra), "postgresql");
    // Chart 2.5.0 moved from postgresql 12.1.14 to 15.5.35.
    let newer = values.generation == Generation::V2 && values.chart_version.at_least(2, 5, 0);
    if section
        .text(&["architecture"])
        .is_some_and(|a| a != "standalone")
    {
        return Err(RenderError::Invalid {
            key: "postgresql.architecture".into(),
            message: "only `standalone` is rendered (the Polyaxon chart's setting)".into(),
        });
    }
    let sub = Subchart::new(ctx, "postgresql", &section, newer.then_some("16.4.0"));
    let auth = Auth::read(ctx, &pg, &sub);
    let port = section
        .get(&["service", "ports", "postgresql"])
        .and_then(serde_json::Value::as_i64)
        .and_then(|p| i32::try_from(p).ok())
        .unwrap_or(PORT);
    let headless = sub.named("hl");

    let data: BTreeMap<String, String> = auth
        .admin
        .iter()
        .chain(auth.user_password.iter())
        .cloned()
        .collect();
    let checksums = BTreeMap::from([("secret".to_string(), checksum(&data))]);
    if auth.render_secret {
        ctx.push(Stage::Config, &sub.secret(&sub.fullname, data))?;
    }
    if newer {
        ctx.push(Stage::Rbac, &sub.service_account(&sub.fullname, false, &[]))?;
        ctx.push(Stage::Services, &sub.network_policy(Some("primary"), PORT))?;
        ctx.push(
            Stage::Workloads,
            &sub.disruption_budget(&sub.fullname, "primary"),
        )?;
    }
    let ports = || {
        vec![bitnami::service_port(
            "tcp-postgresql",
            port,
            "tcp-postgresql",
        )]
    };
    let mut headless_service = sub.headless_service(&headless, Some("primary"), ports(), true);
    if !newer {
        // 12.1.14 still labels it with the pre-1.11 spelling of publishNotReadyAddresses.
        headless_service
            .metadata
            .labels
            .get_or_insert_with(BTreeMap::new)
            .insert(
                "service.alpha.kubernetes.io/tolerate-unready-endpoints".into(),
                "true".into(),
            );
    }
    ctx.push(Stage::Services, &headless_service)?;
    ctx.push(
        Stage::Services,
        &sub.service(&sub.fullname, Some("primary"), ports(), false),
    )?;
    let mut workload = workload(values, &pg, &sub, &auth, newer, headless)?;
    workload.checksums = checksums;
    ctx.push(Stage::Workloads, &workload.build(&sub))?;
    Ok(Database {
        host: sub.fullname.clone(),
        port,
        user: auth.user.clone(),
        name: auth.database.clone(),
        // `postgresql.connMaxAge: 60` in the 1.x charts' values.
        conn_max_age: pg.conn_max_age.unwrap_or(match values.generation {
            Generation::V1 => 60,
            Generation::V2 => 0,
        }),
        password_ref: (auth.secret.clone(), auth.platform_key()),
        options: None,
    })
}

/// The primary's StatefulSet.
fn workload(
    values: &Values<'_>,
    pg: &PostgresqlService,
    sub: &Subchart<'_>,
    auth: &Auth,
    newer: bool,
    headless: String,
) -> Result<Workload, RenderError> {
    let section = Section::new(Some(&pg.extra), "postgresql");
    let primary = section.at("primary");
    let tag = if newer {
        "16.4.0-debian-12-r11"
    } else {
        "15.1.0-debian-11-r31"
    };
    let image = Image::published(values.chart_version, "postgresql", tag).with_ours(
        pg.image(),
        pg.image_tag(),
        pg.image_pull_policy(),
    );

    let mut container = bitnami::container("postgresql", &image);
    let mut vars = vec![
        env("BITNAMI_DEBUG", "false"),
        env("POSTGRESQL_PORT_NUMBER", &PORT.to_string()),
        env("POSTGRESQL_VOLUME_DIR", DATA_PATH),
        env("PGDATA", &format!("{DATA_PATH}/data")),
    ];
    vars.extend(auth.env(newer));
    vars.push(env(
        if newer {
            "POSTGRES_DATABASE"
        } else {
            "POSTGRES_DB"
        },
        &auth.database,
    ));
    for (name, value) in [
        ("POSTGRESQL_ENABLE_LDAP", "no"),
        ("POSTGRESQL_ENABLE_TLS", "no"),
        ("POSTGRESQL_LOG_HOSTNAME", "false"),
        ("POSTGRESQL_LOG_CONNECTIONS", "false"),
        ("POSTGRESQL_LOG_DISCONNECTIONS", "false"),
        ("POSTGRESQL_PGAUDIT_LOG_CATALOG", "off"),
        ("POSTGRESQL_CLIENT_MIN_MESSAGES", "error"),
        ("POSTGRESQL_SHARED_PRELOAD_LIBRARIES", "pgaudit"),
    ] {
        vars.push(env(name, value));
    }
    container.env = Some(vars);
    container.ports = Some(vec![bitnami::container_port("tcp-postgresql", PORT)]);
    let ready = format!(
        "exec pg_isready -U \"{}\" -d \"dbname={}\" -h 127.0.0.1 -p {PORT}",
        auth.user, auth.database
    );
    set_probes(&mut container, &ready, &image);
    container.resources = if newer {
        bitnami::resources_or_preset(&primary, pg.resources())?
    } else {
        match primary.typed(&["resources"])? {
            Some(given) => Some(given),
            None => Some(
                pg.resources()
                    .cloned()
                    .unwrap_or_else(|| bitnami::requests(&[("cpu", "250m"), ("memory", "256Mi")])),
            ),
        }
    };
    container.security_context = Some(if newer {
        ContainerSecurity::Restricted {
            explicit_unprivileged: true,
        }
        .context()
    } else {
        ContainerSecurity::User.context()
    });
    let mut mounts = Vec::new();
    if newer {
        // 15.5.35 runs with a read-only root: its writable paths are parts
        // of one emptyDir.
        for (path, part) in [
            ("/tmp", "tmp-dir"),
            ("/opt/bitnami/postgresql/conf", "app-conf-dir"),
            ("/opt/bitnami/postgresql/tmp", "app-tmp-dir"),
        ] {
            mounts.push(VolumeMount {
                sub_path: Some(part.into()),
                ..mount("empty-dir", path)
            });
        }
    }
    mounts.push(mount("dshm", "/dev/shm"));
    mounts.push(mount("data", DATA_PATH));
    container.volume_mounts = Some(mounts);

    let mut volumes = Vec::new();
    if newer {
        volumes.push(bitnami::empty_dir("empty-dir"));
    }
    volumes.push(Volume {
        name: "dshm".into(),
        empty_dir: Some(EmptyDirVolumeSource {
            medium: Some("Memory".into()),
            ..EmptyDirVolumeSource::default()
        }),
        ..Volume::default()
    });
    let ours = Scheduling {
        node_selector: pg.node_selector().cloned(),
        affinity: pg.affinity().cloned(),
        tolerations: pg.tolerations().cloned(),
    };
    Ok(Workload {
        name: sub.fullname.clone(),
        component: Some("primary"),
        replicas: 1,
        service_name: headless,
        pod: PodSpec {
            containers: vec![container],
            volumes: Some(volumes),
            host_ipc: Some(false),
            host_network: Some(false),
            security_context: Some(bitnami::pod_security(newer)),
            // 12.1.14 creates no ServiceAccount and runs as `default`.
            service_account_name: Some(if newer {
                sub.fullname.clone()
            } else {
                "default".into()
            }),
            automount_service_account_token: newer.then_some(false),
            ..PodSpec::default()
        },
        scheduling: bitnami::scheduling(&primary, &ours)?,
        pull_secrets: pg.image_pull_secrets().cloned().unwrap_or_default(),
        data_volume: "data",
        persistence: Persistence::read(&primary.at("persistence"), pg.persistence.as_ref()),
        claim_labels: false,
        checksums: BTreeMap::new(),
        extras: WorkloadExtras {
            empty_rolling_update: true,
            ..WorkloadExtras::default()
        },
    })
}

/// The liveness probe `ready` (a `pg_isready` command) and the readiness
/// probe that also waits for the data directory's initialization, with
/// the timings every bitnami PostgreSQL chart uses.
pub fn set_probes(container: &mut Container, ready: &str, image: &Image) {
    let mut readiness = format!("{ready}\n");
    // Only for images whose repository says `bitnami/` (not `bitnamilegacy/`).
    if image.repository.contains("bitnami/") {
        readiness.push_str(
            "[ -f /opt/bitnami/postgresql/tmp/.initialized ] || [ -f /bitnami/postgresql/.initialized ]\n",
        );
    }
    container.liveness_probe = Some(bitnami::exec_probe(
        &["/bin/sh", "-c", ready],
        (30, 10, 5, 6),
    ));
    container.readiness_probe = Some(bitnami::exec_probe(
        &["/bin/sh", "-c", "-e", &readiness],
        (5, 10, 5, 6),
    ));
}
