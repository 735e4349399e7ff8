//! The in-cluster PostgreSQL, Redis and RabbitMQ: the bitnami subcharts as
//! the Polyaxon package renders them at 2.0.0 and 2.15.1. What a user relies
//! on above all: the StatefulSet, Service and claim template names, the
//! selectors, where the data lives and the Secret keys, since these decide
//! whether a database installed by helm keeps its claim and data.

use polyaxon_core::chart_version::ChartVersion;
use polyaxon_core::config::schema::DeploymentConfig;
use polyaxon_core::config::{Chart, Generation};
use polyaxon_core::render::{Manifest, ReleaseState, Target, render_target};
use serde_json::{Value, json};

use crate::support::*;

fn at(version: &str, yaml: &str) -> Manifest {
    try_render_with(yaml, version).unwrap_or_else(|e| panic!("config renders: {e}"))
}

/// Renders a typed config straight through the renderer, past the config
/// rules (which refuse `rabbitmq` at 2.x until they follow the charts).
fn typed(config: Value, version: (u64, u64, u64), state: &ReleaseState) -> Manifest {
    let config: DeploymentConfig = serde_json::from_value(config).expect("a config");
    let (major, minor, patch) = version;
    let pinned = format!("{major}.{minor}.{patch}");
    render_target(
        &Target {
            config: &config,
            raw: &Value::Null,
            chart: Chart::Platform,
            release: RELEASE,
            namespace: NAMESPACE,
            version: &pinned,
            generation: Generation::V2,
            chart_version: &ChartVersion::exactly(major, minor, patch),
        },
        state,
    )
    .expect("renders")
}

fn selector(m: &Manifest, kind: &str, name: &str) -> Value {
    get(m, kind, name)["spec"]["selector"]["matchLabels"].clone()
}

fn claims(m: &Manifest, name: &str) -> Value {
    get(m, "StatefulSet", name)["spec"]["volumeClaimTemplates"].clone()
}

fn secret_ref(container: &Value, var: &str) -> (String, String) {
    let from = &env(container, var).unwrap_or_else(|| panic!("{var}"))["valueFrom"]["secretKeyRef"];
    (
        from["name"].as_str().unwrap().to_string(),
        from["key"].as_str().unwrap().to_string(),
    )
}

/// What both PostgreSQL subcharts keep: names, selector, claim, data path
/// and Secret keys.
fn assert_postgresql_keeps_its_data(m: &Manifest) {
    let pg = format!("{RELEASE}-postgresql");
    assert_eq!(
        selector(m, "StatefulSet", &pg),
        json!({"app.kubernetes.io/component": "primary", "app.kubernetes.io/instance": RELEASE, "app.kubernetes.io/name": "postgresql"})
    );
    let set = get(m, "StatefulSet", &pg);
    assert_eq!(set["spec"]["serviceName"], format!("{pg}-hl"));
    let claims = claims(m, &pg);
    assert_eq!(claims.as_array().map(Vec::len), Some(1));
    assert_eq!(claims[0]["metadata"]["name"], "data");
    assert!(claims[0]["metadata"].get("labels").is_none());
    assert_eq!(claims[0]["spec"]["resources"]["requests"]["storage"], "8Gi");
    let c = container(m, "StatefulSet", &pg);
    assert_eq!(mount(&c, "/bitnami/postgresql").unwrap()["name"], "data");
    assert_eq!(
        env(&c, "PGDATA").unwrap()["value"],
        "/bitnami/postgresql/data"
    );
    assert_eq!(env(&c, "POSTGRES_USER").unwrap()["value"], "polyaxon");
    assert_eq!(
        secret_ref(&c, "POSTGRES_PASSWORD"),
        (pg.clone(), "password".into())
    );
    assert_eq!(
        secret_ref(&c, "POSTGRES_POSTGRES_PASSWORD"),
        (pg.clone(), "postgres-password".into())
    );
    assert!(secret(m, &pg, "password").is_some());
    assert!(secret(m, &pg, "postgres-password").is_some());
    assert_eq!(c["securityContext"]["runAsUser"], 1001);
    assert_eq!(
        set["spec"]["template"]["spec"]["securityContext"]["fsGroup"],
        1001
    );
    assert_eq!(
        get(m, "Service", &format!("{pg}-hl"))["spec"]["clusterIP"],
        "None"
    );
    assert_eq!(get(m, "Service", &pg)["spec"]["ports"][0]["port"], 5432);
    // The platform reads the chart's key of the subchart's Secret.
    let api = container(m, "Deployment", &name("gateway"));
    assert_eq!(
        secret_ref(&api, "POLYAXON_DB_PASSWORD"),
        (pg.clone(), "postgres-password".into())
    );
    assert_eq!(
        cm(m, &name("platform-config"), "POLYAXON_DB_HOST"),
        Some(pg)
    );
}

#[test]
fn postgresql_at_2_0_0_is_the_12_1_14_subchart() {
    let m = at("2.0.0", "");
    assert_postgresql_keeps_its_data(&m);
    let pg = format!("{RELEASE}-postgresql");
    let c = container(&m, "StatefulSet", &pg);
    assert_eq!(
        c["image"],
        "docker.io/bitnami/postgresql:15.1.0-debian-11-r31"
    );
    assert_eq!(env(&c, "POSTGRES_DB").unwrap()["value"], "polyaxon");
    assert_eq!(
        get(&m, "StatefulSet", &pg)["spec"]["template"]["spec"]["serviceAccountName"],
        "default"
    );
    assert_eq!(
        c["resources"]["requests"],
        json!({"cpu": "250m", "memory": "256Mi"})
    );
    // 12.1.14 ships no ServiceAccount, NetworkPolicy or PodDisruptionBudget.
    for kind in ["ServiceAccount", "NetworkPolicy", "PodDisruptionBudget"] {
        assert!(!has(&m, kind, &pg), "{kind}");
    }
}

#[test]
fn postgresql_at_2_15_1_is_the_15_5_35_subchart() {
    let m = at("2.15.1", "");
    assert_postgresql_keeps_its_data(&m);
    let pg = format!("{RELEASE}-postgresql");
    let c = container(&m, "StatefulSet", &pg);
    assert_eq!(
        c["image"],
        "docker.io/bitnamilegacy/postgresql:16.4.0-debian-12-r11"
    );
    assert_eq!(env(&c, "POSTGRES_DATABASE").unwrap()["value"], "polyaxon");
    assert_eq!(c["securityContext"]["readOnlyRootFilesystem"], true);
    assert_eq!(c["resources"]["limits"]["memory"], "192Mi");
    let pod = &get(&m, "StatefulSet", &pg)["spec"]["template"]["spec"];
    assert_eq!(pod["serviceAccountName"], pg);
    assert!(has(&m, "ServiceAccount", &pg));
    let policy = get(&m, "NetworkPolicy", &pg);
    assert_eq!(policy["spec"]["ingress"][0]["ports"][0]["port"], 5432);
    assert_eq!(
        get(&m, "PodDisruptionBudget", &pg)["spec"]["selector"]["matchLabels"],
        selector(&m, "StatefulSet", &pg)
    );
    // Redis and RabbitMQ stay off, as their `enabled` says.
    assert!(!has(&m, "StatefulSet", &format!("{RELEASE}-redis-master")));
    assert!(!has(&m, "StatefulSet", &format!("{RELEASE}-rabbitmq")));
}

#[test]
fn the_2_0_0_package_renders_every_subchart_whatever_enabled_says() {
    // 2.0.0–2.0.3 are helm v1 charts, blind to their dependency conditions.
    let yaml = "postgresql: {enabled: false}\nexternalServices:\n  postgresql: {host: db, port: 5432, user: u, password: p, database: d}\n";
    for (version, rendered) in [("2.0.0", true), ("2.0.4", false), ("2.15.1", false)] {
        let m = at(version, yaml);
        for (kind, part) in [
            ("StatefulSet", "postgresql"),
            ("StatefulSet", "redis-master"),
            ("StatefulSet", "redis-replicas"),
            ("StatefulSet", "rabbitmq"),
        ] {
            assert_eq!(
                has(&m, kind, &format!("{RELEASE}-{part}")),
                rendered,
                "{version} {part}"
            );
        }
        // The platform uses what the config says, in every case.
        assert_eq!(
            cm(&m, &name("platform-config"), "POLYAXON_DB_HOST").as_deref(),
            Some("db")
        );
    }
}

/// What both Redis subcharts keep: master and replicas, their claims and data.
fn assert_redis_keeps_its_data(m: &Manifest) {
    let base = format!("{RELEASE}-redis");
    for (set, component, replicas) in [("master", "master", 1), ("replicas", "replica", 3)] {
        let set = format!("{base}-{set}");
        assert_eq!(
            selector(m, "StatefulSet", &set),
            json!({"app.kubernetes.io/component": component, "app.kubernetes.io/instance": RELEASE, "app.kubernetes.io/name": "redis"})
        );
        let spec = &get(m, "StatefulSet", &set)["spec"];
        assert_eq!(spec["serviceName"], format!("{base}-headless"));
        assert_eq!(spec["replicas"], replicas);
        let claims = claims(m, &set);
        assert_eq!(claims[0]["metadata"]["name"], "redis-data");
        assert_eq!(
            claims[0]["metadata"]["labels"],
            selector(m, "StatefulSet", &set)
        );
        let c = container(m, "StatefulSet", &set);
        assert_eq!(mount(&c, "/data").unwrap()["name"], "redis-data");
        assert_eq!(c["ports"][0]["name"], "redis");
    }
    assert_eq!(
        cm(m, &name("platform-config"), "POLYAXON_REDIS_HOST"),
        Some(format!("{base}-master"))
    );
    for part in ["configuration", "health", "scripts"] {
        assert!(has(m, "ConfigMap", &format!("{base}-{part}")), "{part}");
    }
}

#[test]
fn redis_at_2_0_0_and_2_15_1() {
    let yaml = "redis: {enabled: true}\nbroker: redis\nscheduler: {enabled: true}\n";
    let old = at("2.0.0", yaml);
    assert_redis_keeps_its_data(&old);
    let master = format!("{RELEASE}-redis-master");
    assert_eq!(
        container(&old, "StatefulSet", &master)["image"],
        "docker.io/bitnami/redis:7.0.8-debian-11-r0"
    );
    assert!(has(&old, "ServiceAccount", &format!("{RELEASE}-redis")));

    let new = at("2.15.1", yaml);
    assert_redis_keeps_its_data(&new);
    assert_eq!(
        container(&new, "StatefulSet", &master)["image"],
        "docker.io/bitnamilegacy/redis:7.4.0-debian-12-r4"
    );
    for account in ["master", "replica"] {
        assert!(has(
            &new,
            "ServiceAccount",
            &format!("{RELEASE}-redis-{account}")
        ));
    }
    assert!(has(&new, "NetworkPolicy", &format!("{RELEASE}-redis")));
    let replica = container(&new, "StatefulSet", &format!("{RELEASE}-redis-replicas"));
    assert_eq!(
        env(&replica, "REDIS_MASTER_HOST").unwrap()["value"],
        format!("{master}-0.{RELEASE}-redis-headless.{NAMESPACE}.svc.cluster.local")
    );
    // No password unless asked, as the chart.
    assert!(!has(&new, "Secret", &format!("{RELEASE}-redis")));
    assert_eq!(
        env(
            &container(&new, "StatefulSet", &master),
            "ALLOW_EMPTY_PASSWORD"
        )
        .unwrap()["value"],
        "yes"
    );
}

#[test]
fn redis_subchart_keys_and_a_password() {
    // The CI config's bitnami keys: no master volume, master requests.
    let m = at(
        "2.15.1",
        "redis:\n  enabled: true\n  usePassword: true\n  master:\n    persistence: {enabled: false}\n    resources: {requests: {cpu: 10m, memory: 20Mi}}\nbroker: redis\nscheduler: {enabled: true}\n",
    );
    let base = format!("{RELEASE}-redis");
    let master = format!("{base}-master");
    assert!(claims(&m, &master).is_null());
    let set = get(&m, "StatefulSet", &master);
    assert!(
        volume(&set, "redis-data")
            .unwrap()
            .get("emptyDir")
            .is_some()
    );
    let c = container(&m, "StatefulSet", &master);
    assert_eq!(
        c["resources"],
        json!({"requests": {"cpu": "10m", "memory": "20Mi"}})
    );
    // A password asked for one way sets up both the servers and the platform.
    assert_eq!(
        secret_ref(&c, "REDIS_PASSWORD"),
        (base.clone(), "redis-password".into())
    );
    assert!(secret(&m, &base, "redis-password").is_some());
    assert!(
        cm(&m, &format!("{base}-scripts"), "start-master.sh")
            .unwrap()
            .contains("--requirepass")
    );
    let scheduler = container(&m, "Deployment", &name("scheduler"));
    assert_eq!(
        secret_ref(&scheduler, "POLYAXON_REDIS_PASSWORD"),
        (base, "redis-password".into())
    );
}

#[test]
fn rabbitmq_at_2_0_0_and_2_15_1() {
    let config = json!({
        "rabbitmq-ha": {"enabled": true, "resources": {"requests": {"cpu": "20m", "memory": "40Mi"}}},
        "broker": "rabbitmq",
        "scheduler": {"enabled": true},
    });
    let state = ReleaseState::new_for(RELEASE);
    for version in [(2, 0, 0), (2, 15, 1)] {
        let m = typed(config.clone(), version, &state);
        let rabbit = format!("{RELEASE}-rabbitmq");
        assert_eq!(
            selector(&m, "StatefulSet", &rabbit),
            json!({"app.kubernetes.io/instance": RELEASE, "app.kubernetes.io/name": "rabbitmq"})
        );
        let spec = &get(&m, "StatefulSet", &rabbit)["spec"];
        assert_eq!(spec["serviceName"], format!("{rabbit}-headless"));
        assert_eq!(spec["podManagementPolicy"], "OrderedReady");
        assert_eq!(claims(&m, &rabbit)[0]["metadata"]["name"], "data");
        let c = container(&m, "StatefulSet", &rabbit);
        assert_eq!(c["image"], "docker.io/bitnami/rabbitmq:3.11.8-debian-11-r0");
        assert_eq!(
            mount(&c, "/bitnami/rabbitmq/mnesia").unwrap()["name"],
            "data"
        );
        assert_eq!(
            c["resources"]["requests"],
            json!({"cpu": "20m", "memory": "40Mi"})
        );
        // Its passwords are the release's, kept across renders.
        assert_eq!(
            secret(&m, &rabbit, "rabbitmq-password"),
            Some(state.rabbitmq_password.clone())
        );
        assert_eq!(
            secret(&m, &rabbit, "rabbitmq-erlang-cookie"),
            Some(state.rabbitmq_erlang_cookie.clone())
        );
        assert_eq!(
            secret_ref(&c, "RABBITMQ_ERL_COOKIE"),
            (rabbit.clone(), "rabbitmq-erlang-cookie".into())
        );
        let conf = secret(&m, &format!("{rabbit}-config"), "rabbitmq.conf").unwrap();
        assert!(conf.starts_with("## Username and password\n##\ndefault_user = polyaxon\n"));
        assert!(has(&m, "Role", &format!("{rabbit}-endpoint-reader")));
        assert!(has(&m, "Service", &format!("{rabbit}-headless")));
        assert_eq!(
            cm(&m, &name("platform-config"), "POLYAXON_AMQP_URL"),
            Some(format!("{rabbit}:5672"))
        );
    }
}

#[test]
fn postgresql_keys_a_user_sets() {
    let pg = format!("{RELEASE}-postgresql");
    // One password given: both keys carry it, the platform connects.
    let m = at("2.15.1", "postgresql: {auth: {password: s3cret}}\n");
    assert_eq!(secret(&m, &pg, "password").as_deref(), Some("s3cret"));
    assert_eq!(
        secret(&m, &pg, "postgres-password").as_deref(),
        Some("s3cret")
    );
    // Two different ones: the platform reads the user's, not the superuser's.
    let m = at(
        "2.15.1",
        "postgresql: {auth: {username: plx, password: mine, postgresPassword: admin}}\n",
    );
    assert_eq!(
        secret(&m, &pg, "postgres-password").as_deref(),
        Some("admin")
    );
    let api = container(&m, "Deployment", &name("gateway"));
    assert_eq!(
        secret_ref(&api, "POLYAXON_DB_PASSWORD"),
        (pg.clone(), "password".into())
    );
    // Image, resources and the subchart's preset.
    let m = at(
        "2.15.1",
        "postgresql: {image: acme/postgresql, imageTag: '16.9', resources: {requests: {cpu: 1}}}\n",
    );
    let c = container(&m, "StatefulSet", &pg);
    assert_eq!(c["image"], "docker.io/acme/postgresql:16.9");
    assert_eq!(c["resources"], json!({"requests": {"cpu": "1"}}));
    let m = at(
        "2.15.1",
        "postgresql: {primary: {resourcesPreset: small}}\n",
    );
    let c = container(&m, "StatefulSet", &pg);
    assert_eq!(c["resources"]["requests"]["memory"], "512Mi");
    assert!(
        try_render_with("postgresql: {primary: {resourcesPreset: huge}}\n", "2.15.1")
            .unwrap_err()
            .contains("postgresql.primary.resourcesPreset")
    );
}

#[test]
fn generated_database_passwords_stay_with_the_release() {
    let pg = format!("{RELEASE}-postgresql");
    let state = ReleaseState::new_for(RELEASE);
    let m = typed(json!({}), (2, 15, 1), &state);
    assert_eq!(
        secret(&m, &pg, "password"),
        Some(state.postgres_password.clone())
    );
    assert_eq!(
        secret(&m, &pg, "postgres-password"),
        Some(state.postgres_password.clone())
    );
    assert_eq!(typed(json!({}), (2, 15, 1), &state), m);
}

#[test]
fn a_platform_change_does_not_restart_the_databases() {
    let yaml = |zone: &str| {
        format!(
            "timezone: {zone}\nredis: {{enabled: true}}\nbroker: redis\nscheduler: {{enabled: true}}\n"
        )
    };
    let (a, b) = (
        at("2.15.1", &yaml("UTC")),
        at("2.15.1", &yaml("Europe/Paris")),
    );
    let annotations = |m: &Manifest, set: &str| {
        get(m, "StatefulSet", set)["spec"]["template"]["metadata"]["annotations"].clone()
    };
    for set in ["postgresql", "redis-master", "redis-replicas"] {
        let set = format!("{RELEASE}-{set}");
        assert!(
            annotations(&a, &set).get("checksum/config").is_none(),
            "{set}"
        );
        assert_eq!(annotations(&a, &set), annotations(&b, &set), "{set}");
    }
    // Their own config does roll them.
    let c = at(
        "2.15.1",
        "timezone: UTC\nredis: {enabled: true, usePassword: true}\nbroker: redis\nscheduler: {enabled: true}\n",
    );
    let master = format!("{RELEASE}-redis-master");
    assert_ne!(
        annotations(&a, &master)["checksum/secret"],
        annotations(&c, &master)["checksum/secret"]
    );
}
