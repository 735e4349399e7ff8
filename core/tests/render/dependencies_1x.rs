//! The 1.x charts' own dependencies: bitnami Redis 10.7.16, `stable`
//! RabbitMQ-HA 1.34.0 and PgBouncer in front of an external PostgreSQL, at
//! 1.14.0 and 1.20.0. What a user relies on: the names and selectors (a
//! Redis or RabbitMQ installed by helm is taken over in place only if they
//! are the chart's), the claim templates, where each server finds its peers
//! and its secrets, and where the platform connects.

use polyaxon_core::render::Manifest;
use serde_json::{Value, json};

use crate::support::*;

const VERSIONS: [&str; 2] = ["1.14.0", "1.20.0"];

fn at(version: &str, yaml: &str) -> Manifest {
    try_render_with(yaml, version).unwrap_or_else(|e| panic!("config renders at {version}: {e}"))
}

fn spec(m: &Manifest, kind: &str, name: &str) -> Value {
    get(m, kind, name)["spec"].clone()
}

fn secret_ref(container: &Value, var: &str) -> Value {
    env(container, var).unwrap_or_else(|| panic!("{var} is set"))["valueFrom"]["secretKeyRef"]
        .clone()
}

#[test]
fn redis_at_1_x_is_a_master_and_two_slaves_selected_by_role() {
    for version in VERSIONS {
        let m = at(version, "redis: {enabled: true, nonBroker: true}\n");
        let redis = format!("{RELEASE}-redis");
        for role in ["master", "slave"] {
            let set = format!("{redis}-{role}");
            let s = spec(&m, "StatefulSet", &set);
            assert_eq!(
                s["selector"]["matchLabels"],
                json!({"app": "redis", "release": RELEASE, "role": role}),
                "{version} {set}"
            );
            assert_eq!(s["serviceName"], format!("{redis}-headless"));
            // Claim templates are immutable: the chart's, label for label.
            assert_eq!(
                s["volumeClaimTemplates"][0]["metadata"],
                json!({"name": "redis-data", "labels": {"app": "redis", "component": role, "heritage": "Helm", "release": RELEASE}})
            );
            assert_eq!(
                s["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"],
                "8Gi"
            );
            assert_eq!(s["template"]["spec"]["serviceAccountName"], "default");
            let c = container(&m, "StatefulSet", &set);
            assert_eq!(c["image"], "docker.io/bitnami/redis:5.0.4");
            assert_eq!(env(&c, "REDIS_REPLICATION_MODE").unwrap()["value"], role);
            assert_eq!(env(&c, "ALLOW_EMPTY_PASSWORD").unwrap()["value"], "yes");
            assert_eq!(mount(&c, "/data").unwrap()["name"], "redis-data");
            assert_eq!(
                spec(&m, "Service", &set)["selector"],
                json!({"app": "redis", "release": RELEASE, "role": role})
            );
        }
        assert_eq!(
            spec(&m, "StatefulSet", &format!("{redis}-slave"))["replicas"],
            2
        );
        let slave = container(&m, "StatefulSet", &format!("{redis}-slave"));
        assert_eq!(
            env(&slave, "REDIS_MASTER_HOST").unwrap()["value"],
            format!("{redis}-master-0.{redis}-headless.{NAMESPACE}.svc.cluster.local")
        );
        let start = slave["command"][2].as_str().unwrap();
        assert!(start.contains("--slaveof"), "{start}");
        assert!(start.contains("--protected-mode"), "{start}");
        let readiness = cm(&m, &format!("{redis}-health"), "ping_readiness_local.sh").unwrap();
        assert!(readiness.contains("-h localhost"), "{readiness}");
        assert!(!readiness.contains("-a $REDIS_PASSWORD"), "{readiness}");
        assert_eq!(
            cm(&m, &redis, "replica.conf").unwrap(),
            "dir /data\nslave-read-only yes\nrename-command FLUSHDB \"\"\nrename-command FLUSHALL \"\""
        );
        // No password unless asked, so no Secret.
        assert!(!has(&m, "Secret", &redis));
    }
}

#[test]
fn redis_at_1_x_with_a_password_requires_it_everywhere() {
    let m =
        render_v1("redis: {enabled: true, nonBroker: true, usePassword: true, password: s3cret}\n");
    let redis = format!("{RELEASE}-redis");
    assert_eq!(
        secret(&m, &redis, "redis-password").as_deref(),
        Some("s3cret")
    );
    let slave = container(&m, "StatefulSet", &format!("{redis}-slave"));
    assert!(env(&slave, "ALLOW_EMPTY_PASSWORD").is_none());
    for var in ["REDIS_PASSWORD", "REDIS_MASTER_PASSWORD"] {
        assert_eq!(
            secret_ref(&slave, var),
            json!({"name": redis, "key": "redis-password"})
        );
    }
    let start = slave["command"][2].as_str().unwrap();
    assert!(start.contains("--requirepass"), "{start}");
    assert!(start.contains("--masterauth"), "{start}");
    assert!(!start.contains("--protected-mode"), "{start}");
    let health = |key: &str| cm(&m, &format!("{redis}-health"), key).unwrap();
    assert!(health("ping_liveness_local.sh").contains("-a $REDIS_PASSWORD"));
    assert!(health("ping_readiness_master.sh").contains("-a $REDIS_MASTER_PASSWORD"));
    // The platform reads the same password.
    let api = container(&m, "Deployment", &name("api"));
    assert_eq!(
        secret_ref(&api, "POLYAXON_REDIS_PASSWORD"),
        json!({"name": redis, "key": "redis-password"})
    );
}

#[test]
fn rabbitmq_ha_at_1_x_finds_its_peers_and_loads_its_users() {
    for version in VERSIONS {
        let m = at(
            version,
            "rabbitmq-ha: {enabled: true}\nbroker: rabbitmq\nscheduler: {enabled: true}\n",
        );
        let rabbit = format!("{RELEASE}-rabbitmq-ha");
        let discovery = format!("{rabbit}-discovery");
        let s = spec(&m, "StatefulSet", &rabbit);
        assert_eq!(
            s["selector"]["matchLabels"],
            json!({"app": "rabbitmq-ha", "release": RELEASE})
        );
        assert_eq!(s["serviceName"], discovery);
        assert_eq!(s["updateStrategy"], json!({"type": "OnDelete"}));
        // No claim unless asked: the data lives in the pod.
        assert!(s.get("volumeClaimTemplates").is_none());
        assert_eq!(
            volume(&get(&m, "StatefulSet", &rabbit), "data").unwrap()["emptyDir"],
            json!({})
        );
        let d = spec(&m, "Service", &discovery);
        assert_eq!(d["publishNotReadyAddresses"], true);
        assert_eq!(d["clusterIP"], "None");
        let c = container(&m, "StatefulSet", &rabbit);
        assert_eq!(c["image"], "rabbitmq:3.7.19-alpine");
        assert_eq!(
            env(&c, "RABBITMQ_NODENAME").unwrap()["value"],
            format!("rabbit@$(MY_POD_NAME).{discovery}.{NAMESPACE}.svc.cluster.local")
        );
        assert_eq!(
            secret_ref(&c, "RABBITMQ_ERLANG_COOKIE"),
            json!({"name": rabbit, "key": "rabbitmq-erlang-cookie"})
        );
        // The nodes may read the endpoints, through their own account.
        let role = get(&m, "Role", &rabbit);
        assert_eq!(role["rules"][0]["resources"], json!(["endpoints"]));
        let binding = get(&m, "RoleBinding", &rabbit);
        assert_eq!(binding["subjects"][0]["name"], rabbit);
        assert_eq!(s["template"]["spec"]["serviceAccountName"], rabbit);
        // The users the server loads are the Secret's.
        let definitions = parse(&secret(&m, &rabbit, "definitions.json").unwrap());
        let password = secret(&m, &rabbit, "rabbitmq-password").unwrap();
        let management = secret(&m, &rabbit, "rabbitmq-management-password").unwrap();
        assert_eq!(
            definitions["users"],
            json!([
                {"name": "management", "password": management, "tags": "management"},
                {"name": "polyaxon", "password": password, "tags": "administrator"},
            ])
        );
        assert_eq!(definitions["permissions"][0]["user"], "polyaxon");
        let conf = cm(&m, &rabbit, "rabbitmq.conf").unwrap();
        assert!(conf.contains("management.load_definitions = /etc/definitions/definitions.json"));
        // The platform (its Celery broker) connects to the Service with the
        // application's user.
        assert_eq!(
            cm(&m, &name("platform-config"), "POLYAXON_AMQP_URL"),
            Some(format!("{rabbit}:5672"))
        );
        let api = container(&m, "Deployment", &name("api"));
        assert_eq!(
            secret_ref(&api, "POLYAXON_RABBITMQ_PASSWORD"),
            json!({"name": rabbit, "key": "rabbitmq-password"})
        );
    }
}

#[test]
fn rabbitmq_ha_users_a_config_gives() {
    let m = render_v1(
        "rabbitmq-ha: {enabled: true, rabbitmqUsername: plx, rabbitmqPassword: given, managementPassword: mgmt}\nbroker: rabbitmq\nscheduler: {enabled: true}\n",
    );
    let rabbit = format!("{RELEASE}-rabbitmq-ha");
    assert_eq!(
        secret(&m, &rabbit, "rabbitmq-username").as_deref(),
        Some("plx")
    );
    assert_eq!(
        secret(&m, &rabbit, "rabbitmq-password").as_deref(),
        Some("given")
    );
    assert_eq!(
        secret(&m, &rabbit, "rabbitmq-management-password").as_deref(),
        Some("mgmt")
    );
    let definitions = parse(&secret(&m, &rabbit, "definitions.json").unwrap());
    assert_eq!(definitions["users"][1]["name"], "plx");
    assert_eq!(definitions["permissions"][0]["user"], "plx");
    assert_eq!(
        cm(&m, &name("platform-config"), "POLYAXON_RABBITMQ_USER").as_deref(),
        Some("plx")
    );
}

const EXTERNAL: &str = "postgresql: {enabled: false}\nexternalServices:\n  postgresql:\n    host: 10.0.0.5\n    port: 6432\n    user: app\n    password: pw\n    pgbouncer:\n      image: edoburu/pgbouncer\n      imageTag: 1.9.0\n      proxyImage: gcr.io/cloudsql-docker/gce-proxy\n      proxyImageTag: '1.17'\n      maxClientConn: 100\n";

#[test]
fn pgbouncer_fronts_an_external_database_at_1_x() {
    for version in VERSIONS {
        let m = at(version, EXTERNAL);
        let bouncer = name("pgbouncer");
        // The platform connects to the pooler, on the database's port.
        let config = |key: &str| cm(&m, &name("platform-config"), key);
        assert_eq!(config("POLYAXON_DB_HOST"), Some(bouncer.clone()));
        assert_eq!(config("POLYAXON_DB_PORT").as_deref(), Some("6432"));
        let service = spec(&m, "Service", &bouncer);
        assert_eq!(service["ports"][0]["port"], 6432);
        assert_eq!(service["ports"][0]["targetPort"], 6432);
        assert_eq!(
            service["selector"],
            json!({"app.kubernetes.io/name": bouncer})
        );
        let pooler = container(&m, "Deployment", &bouncer);
        assert_eq!(pooler["image"], "edoburu/pgbouncer:1.9.0");
        assert_eq!(pooler["ports"][0]["containerPort"], 6432);
        assert_eq!(env(&pooler, "DB_USER").unwrap()["value"], "app");
        assert_eq!(env(&pooler, "MAX_CLIENT_CONN").unwrap()["value"], "100");
        assert_eq!(env(&pooler, "DEFAULT_POOL_SIZE").unwrap()["value"], "50");
        assert_eq!(
            secret_ref(&pooler, "DB_PASSWORD"),
            json!({"name": format!("{RELEASE}-polyaxon-postgresql-secret"), "key": "postgresql-password"})
        );
        let pod = &spec(&m, "Deployment", &bouncer)["template"]["spec"];
        let proxy = &pod["containers"][1];
        assert_eq!(proxy["image"], "gcr.io/cloudsql-docker/gce-proxy:1.17");
        assert_eq!(proxy["command"][2], "-instances=10.0.0.5");
        // 1.18.0 quietened the proxy.
        let quiet = proxy["command"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a == "-verbose=false");
        assert_eq!(quiet, version == "1.20.0", "{version}");
    }
}

#[test]
fn pgbouncer_reads_the_platform_secret_and_needs_settings() {
    let m = render_v1(&format!("platformSecret: mine\n{EXTERNAL}"));
    let pooler = container(&m, "Deployment", &name("pgbouncer"));
    assert_eq!(
        secret_ref(&pooler, "DB_PASSWORD"),
        json!({"name": "mine", "key": "POLYAXON_DB_PASSWORD"})
    );
    // An empty mapping renders no pooler, as helm reads it as false.
    let m = render_v1(
        "postgresql: {enabled: false}\nexternalServices:\n  postgresql:\n    host: db\n    pgbouncer: {}\n",
    );
    assert!(!has(&m, "Deployment", &name("pgbouncer")));
    assert_eq!(
        cm(&m, &name("platform-config"), "POLYAXON_DB_HOST").as_deref(),
        Some("db")
    );
}
