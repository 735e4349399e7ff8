//! The platform chart's parameters (seed `002_…`, `004_…`, and the 1.x/2.x keys).

use polyaxon_core::render::state::PLACEHOLDER as PLACEHOLDER_FOR_TESTS;
use polyaxon_core::render::{Hook, Manifest};
use serde_json::{Value, json};

use crate::support::*;

fn platform_config(m: &Manifest, key: &str) -> Option<String> {
    cm(m, &name("platform-config"), key)
}

#[test]
fn the_platform_resource_set() {
    let m = render("");
    for (kind, n) in [
        ("Deployment", name("api")),
        ("Deployment", name("agent")),
        ("Deployment", name("operator")),
        ("Service", name("gateway")),
        ("ConfigMap", name("platform-config")),
        ("Secret", name("platform-secret")),
        ("StatefulSet", format!("{RELEASE}-postgresql")),
        ("Service", format!("{RELEASE}-postgresql")),
        ("Secret", format!("{RELEASE}-postgresql")),
        ("CustomResourceDefinition", "jobs.polyaxon.com".to_string()),
    ] {
        assert!(has(&m, kind, &n), "{kind}/{n} missing");
    }
    assert_eq!(
        container(&m, "Deployment", &name("api"))["image"],
        "polyaxon/polyaxon-api:2.18.0"
    );
    assert!(!has(&m, "Deployment", &name("gateway")));
    // Redis, RabbitMQ and the scheduler are off by default.
    assert!(!has(&m, "StatefulSet", &format!("{RELEASE}-redis-master")));
    assert!(!has(&m, "Deployment", &name("scheduler")));
}

#[test]
fn deployment_type_is_written_and_the_service_type_is_the_configs() {
    // As the charts (and the Python CLI, which installs them as they are):
    // `deploymentType` is written to the config and changes no Service; the
    // charts' own CI sets `type: NodePort` beside `deploymentType: minikube`.
    for kind in ["kubernetes", "minikube", "microk8s"] {
        let m = render(&format!("deploymentType: {kind}\n"));
        let svc = get(&m, "Service", &name("gateway"));
        assert_eq!(svc["spec"]["type"], "ClusterIP", "{kind}");
        assert_eq!(
            cm(&m, &name("config"), "POLYAXON_DEPLOYMENT_TYPE").as_deref(),
            Some(kind)
        );
    }
    // NodePort on the 2.x platform chart's node port, which the platform
    // host names.
    let m = render("deploymentType: minikube\ngateway: {service: {type: NodePort}}\n");
    let svc = get(&m, "Service", &name("gateway"));
    assert_eq!(svc["spec"]["type"], "NodePort");
    assert_eq!(svc["spec"]["ports"][0]["nodePort"], 31811);
    assert_eq!(
        cm(&m, &name("config"), "POLYAXON_PLATFORM_HOST"),
        Some(format!(
            "http://{}.polyaxon.svc.cluster.local:31811",
            name("gateway")
        ))
    );
}

#[test]
fn rbac_enabled_false_renders_no_roles_or_accounts() {
    let m = render("");
    assert!(all(&m, "Role").count() >= 3);
    let m = render("rbac: {enabled: false}\n");
    // The PostgreSQL subchart keeps its own ServiceAccount, as in the chart.
    let polyaxon_own = |o: &&polyaxon_core::render::RenderedObject| {
        json(o)["metadata"]["labels"]["app.kubernetes.io/name"] != "postgresql"
    };
    for kind in [
        "Role",
        "RoleBinding",
        "ClusterRole",
        "ClusterRoleBinding",
        "ServiceAccount",
    ] {
        assert_eq!(all(&m, kind).filter(polyaxon_own).count(), 0, "{kind}");
    }
    assert!(has(&m, "ServiceAccount", &format!("{RELEASE}-postgresql")));
    let agent = get(&m, "Deployment", &name("agent"));
    assert!(
        agent
            .pointer("/spec/template/spec/serviceAccountName")
            .is_none()
    );
    assert!(cm(&m, &name("agent-config"), "POLYAXON_AGENT_RUNS_SA").is_none());
}

#[test]
fn api_service_annotations() {
    // 2.x: the gateway is the API, its Service carries them.
    let m = render("api:\n  service:\n    annotations: {domainName: polyaxon.my.domain.com}\n");
    assert_eq!(
        get(&m, "Service", &name("gateway"))["metadata"]["annotations"]["domainName"],
        "polyaxon.my.domain.com"
    );
    // 1.x: the API Service.
    let m = render_v1("api:\n  service:\n    annotations: {domainName: polyaxon.my.domain.com}\n");
    assert_eq!(
        get(&m, "Service", &name("api"))["metadata"]["annotations"]["domainName"],
        "polyaxon.my.domain.com"
    );
}

#[test]
fn user_goes_to_the_admin_hook_and_its_password_to_a_secret() {
    let m = render("");
    assert_eq!(
        platform_config(&m, "POLYAXON_ADMIN_NAME").as_deref(),
        Some("rootuser")
    );
    assert_eq!(
        platform_config(&m, "POLYAXON_ADMIN_MAIL").as_deref(),
        Some("rootuser@polyaxon.local")
    );
    assert_eq!(
        secret(&m, &name("platform-secret"), "POLYAXON_ADMIN_PASSWORD").as_deref(),
        Some("rootpassword")
    );

    let m = render(
        "user: {username: travis, email: travis@acme.com, password: s3cret}\napiHooks: {adminUser: true}\n",
    );
    assert_eq!(
        platform_config(&m, "POLYAXON_ADMIN_NAME").as_deref(),
        Some("travis")
    );
    assert_eq!(
        secret(&m, &name("platform-secret"), "POLYAXON_ADMIN_PASSWORD").as_deref(),
        Some("s3cret")
    );
    let hook = m
        .hooks(Hook::PostInstall)
        .find(|h| h.name().ends_with("admin-user"))
        .expect("admin hook");
    let args = json(hook)
        .pointer("/spec/template/spec/containers/0/args")
        .cloned()
        .unwrap();
    assert!(
        args.as_array()
            .unwrap()
            .contains(&json!("--username=travis"))
    );
    assert!(
        args.as_array()
            .unwrap()
            .contains(&json!("--email=travis@acme.com"))
    );
    assert!(
        !args.to_string().contains("s3cret"),
        "the password comes from the Secret"
    );
    for o in all(&m, "ConfigMap") {
        assert!(!json(o).to_string().contains("s3cret"), "{}", o.name());
    }

    // A null or empty password is generated (from the release state).
    for given in ["null", "''"] {
        let m = render(&format!("user: {{password: {given}}}\n"));
        assert_eq!(
            secret(&m, &name("platform-secret"), "POLYAXON_ADMIN_PASSWORD").as_deref(),
            Some(PLACEHOLDER_FOR_TESTS),
            "{given}"
        );
    }
}

#[test]
fn nvidia_dirs_and_mount_paths() {
    let m = render(
        "dirs:\n  nvidia: {lib: /usr/lib/nvidia-384, bin: /usr/lib/nvidia-384/bin, libcuda: /usr/lib/x86_64-linux-gnu/libcuda.so.1}\n",
    );
    let dirs = parse(&platform_config(&m, "POLYAXON_DIRS_NVIDIA").unwrap());
    assert_eq!(dirs["lib"], "/usr/lib/nvidia-384");
    assert_eq!(dirs["libcuda"], "/usr/lib/x86_64-linux-gnu/libcuda.so.1");
    // Mount paths default to the host paths.
    let mounts = parse(&platform_config(&m, "POLYAXON_MOUNT_PATHS_NVIDIA").unwrap());
    assert_eq!(mounts["bin"], "/usr/lib/nvidia-384/bin");
    let m = render(
        "dirs:\n  nvidia: {lib: /usr/lib/nvidia-384}\nmountPaths:\n  nvidia: {lib: /nvidia/lib}\n",
    );
    let mounts = parse(&platform_config(&m, "POLYAXON_MOUNT_PATHS_NVIDIA").unwrap());
    assert_eq!(mounts["lib"], "/nvidia/lib");
    assert!(platform_config(&render(""), "POLYAXON_DIRS_NVIDIA").is_none());
}

#[test]
fn persistence_logs_repos_upload_are_mounted_in_the_core_pods() {
    let m = render(
        "persistence:\n  logs: {existingClaim: logs-pvc}\n  repos: {hostPath: /mnt/repos, mountPath: /repos}\n  upload: {}\n",
    );
    let gw = get(&m, "Deployment", &name("api"));
    let c = &gw["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(
        volume(&gw, "logs").unwrap()["persistentVolumeClaim"]["claimName"],
        "logs-pvc"
    );
    assert!(mount(c, "/polyaxon-logs").is_some());
    assert_eq!(
        volume(&gw, "repos").unwrap()["hostPath"]["path"],
        "/mnt/repos"
    );
    assert!(mount(c, "/repos").is_some());
    assert_eq!(
        volume(&gw, "upload").unwrap()["hostPath"]["path"],
        "/tmp/upload"
    );
    assert!(mount(c, "/polyaxon-upload").is_some());
    // The agent mounts them too.
    assert!(
        mount(
            &container(&m, "Deployment", &name("agent")),
            "/polyaxon-logs"
        )
        .is_some()
    );
    // Without `persistence`, nothing of the sort.
    assert!(volume(&get(&render(""), "Deployment", &name("api")), "logs").is_none());
}

#[test]
fn persistence_data_entries_are_mounted_and_listed_as_connections() {
    let m = render(
        "persistence:\n  data:\n    data1: {mountPath: /data/1, hostPath: /path/to/data, readOnly: true}\n    data2: {mountPath: /data/2, existingClaim: data-2-pvc}\n    data-s3: {store: s3, bucket: 's3://data-bucket', secret: secret-name, secretKey: secret-key}\n",
    );
    let gw = get(&m, "Deployment", &name("api"));
    let c = &gw["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(mount(c, "/data/1").unwrap()["readOnly"], true);
    assert_eq!(
        volume(&gw, "data-data1").unwrap()["hostPath"]["path"],
        "/path/to/data"
    );
    assert_eq!(
        volume(&gw, "data-data2").unwrap()["persistentVolumeClaim"]["claimName"],
        "data-2-pvc"
    );
    let connections = parse(&cm(&m, &name("agent-config"), "POLYAXON_AGENT_CONNECTIONS").unwrap());
    let by_name = |n: &str| {
        connections
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == n)
            .cloned()
            .unwrap()
    };
    assert_eq!(by_name("data1")["kind"], "host_path");
    assert_eq!(by_name("data2")["schema"]["volumeClaim"], "data-2-pvc");
    assert_eq!(by_name("data-s3")["kind"], "s3");
    assert_eq!(by_name("data-s3")["schema"]["bucket"], "s3://data-bucket");
    assert_eq!(
        by_name("data-s3")["secret"],
        json!({"name": "secret-name", "items": ["secret-key"]})
    );
    // The default data entry is one host path `/data`.
    let m = render("persistence: {}\n");
    assert_eq!(
        volume(&get(&m, "Deployment", &name("api")), "data-default-data").unwrap()["hostPath"]["path"],
        "/data"
    );
}

#[test]
fn persistence_outputs_first_entry_is_the_artifacts_store() {
    let m = render(
        "persistence:\n  outputs:\n    outputs1: {mountPath: /outputs/1, existingClaim: outputs-pvc}\n    outputs2: {mountPath: /outputs/2, hostPath: /mnt/out2}\n",
    );
    let store = parse(&cm(&m, &name("agent-config"), "POLYAXON_AGENT_ARTIFACTS_STORE").unwrap());
    assert_eq!(store["name"], "outputs1");
    assert_eq!(store["kind"], "volume_claim");
    let connections = parse(&cm(&m, &name("agent-config"), "POLYAXON_AGENT_CONNECTIONS").unwrap());
    assert!(
        connections
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["name"] == "outputs2")
    );
    let gw = container(&m, "Deployment", &name("api"));
    assert!(mount(&gw, "/outputs/1").is_some());
    assert!(mount(&gw, "/outputs/2").is_some());
}

#[test]
fn per_role_node_selectors_tolerations_and_affinity() {
    let m = render(
        "nodeSelectors: {core: {pool: core}, experiments: {pool: gpu}, jobs: {pool: cpu}, builds: {pool: build}, tensorboards: {pool: tb}}\n\
         tolerations:\n  core: [{key: core, operator: Exists}]\n  jobs: [{key: jobs, operator: Exists}]\n  resourcesDaemon: [{key: daemon, operator: Exists}]\n\
         affinity:\n  core: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: core, operator: Exists}]}]}}}\n  builds: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: build, operator: Exists}]}]}}}\n\
         resourcesDaemon: {enabled: true}\n",
    );
    for (id, spec) in core_pods(&m) {
        if id.contains("resources") {
            continue;
        }
        assert_eq!(spec["nodeSelector"], json!({"pool": "core"}), "{id}");
        assert_eq!(spec["tolerations"][0]["key"], "core", "{id}");
        assert!(spec["affinity"]["nodeAffinity"].is_object(), "{id}");
    }
    let runs = parse(
        &cm(
            &m,
            &name("agent-config"),
            "POLYAXON_AGENT_DEFAULT_SCHEDULING",
        )
        .unwrap(),
    );
    assert_eq!(runs["experiments"]["nodeSelector"], json!({"pool": "gpu"}));
    assert_eq!(runs["jobs"]["nodeSelector"], json!({"pool": "cpu"}));
    assert_eq!(runs["tensorboards"]["nodeSelector"], json!({"pool": "tb"}));
    assert_eq!(runs["jobs"]["tolerations"][0]["key"], "jobs");
    assert!(runs["builds"]["affinity"]["nodeAffinity"].is_object());
    let daemon = get(&m, "DaemonSet", &name("resources"));
    assert_eq!(
        daemon["spec"]["template"]["spec"]["tolerations"][0]["key"],
        "daemon"
    );
}

#[test]
fn resources_daemon_is_a_daemon_set_with_its_tolerations() {
    assert!(!has(&render(""), "DaemonSet", &name("resources")));
    assert!(!has(
        &render("resourcesDaemon: {enabled: false}\n"),
        "DaemonSet",
        &name("resources")
    ));
    let m = render(
        "resourcesDaemon:\n  enabled: true\n  tolerations: [{key: gpu, operator: Exists, effect: NoSchedule}]\n",
    );
    let daemon = get(&m, "DaemonSet", &name("resources"));
    assert_eq!(
        daemon["spec"]["template"]["spec"]["tolerations"][0]["key"],
        "gpu"
    );
    assert!(
        daemon["spec"]["template"]["spec"].get("affinity").is_none(),
        "on every node"
    );
}

#[test]
fn dependencies_in_cluster_or_external() {
    // PostgreSQL in the cluster by default, with a generated password.
    let m = render("");
    let pg = format!("{RELEASE}-postgresql");
    assert_eq!(platform_config(&m, "POLYAXON_DB_HOST"), Some(pg.clone()));
    assert_eq!(
        secret(&m, &pg, "postgres-password").as_deref(),
        Some(PLACEHOLDER_FOR_TESTS)
    );
    let gw = container(&m, "Deployment", &name("api"));
    assert_eq!(
        env(&gw, "POLYAXON_DB_PASSWORD").unwrap()["valueFrom"]["secretKeyRef"]["name"],
        pg
    );

    // External PostgreSQL.
    let m = render(
        "postgresql: {enabled: false}\nexternalServices:\n  postgresql: {host: db.acme.com, port: 5433, user: plx, password: pw, database: plxdb}\n",
    );
    assert!(!has(&m, "StatefulSet", &pg));
    assert_eq!(
        platform_config(&m, "POLYAXON_DB_HOST").as_deref(),
        Some("db.acme.com")
    );
    assert_eq!(
        platform_config(&m, "POLYAXON_DB_PORT").as_deref(),
        Some("5433")
    );
    assert_eq!(
        platform_config(&m, "POLYAXON_DB_NAME").as_deref(),
        Some("plxdb")
    );
    assert_eq!(
        secret(&m, &name("postgresql-secret"), "postgres-password").as_deref(),
        Some("pw")
    );

    // Redis in the cluster, with a password.
    let m = render(
        "redis: {enabled: true, usePassword: true}\nscheduler: {enabled: true}\nbroker: redis\n",
    );
    let redis = format!("{RELEASE}-redis-master");
    assert!(has(&m, "StatefulSet", &redis));
    assert!(has(&m, "Service", &redis));
    assert_eq!(
        platform_config(&m, "POLYAXON_REDIS_CELERY_BROKER_URL"),
        Some(format!("{redis}:6379/0"))
    );
    assert!(has(&m, "Deployment", &name("scheduler")));
    let scheduler = container(&m, "Deployment", &name("scheduler"));
    assert!(env(&scheduler, "POLYAXON_REDIS_PASSWORD").is_some());

    // RabbitMQ (1.x `rabbitmq-ha`).
    let m = render_v1(
        "rabbitmq-ha: {enabled: true, rabbitmqUsername: plx}\nscheduler: {enabled: true}\n",
    );
    let rabbit = format!("{RELEASE}-rabbitmq-ha");
    assert!(has(&m, "StatefulSet", &rabbit));
    assert_eq!(
        platform_config(&m, "POLYAXON_RABBITMQ_USER").as_deref(),
        Some("plx")
    );
    assert_eq!(
        platform_config(&m, "POLYAXON_AMQP_URL"),
        Some(format!("{rabbit}:5672"))
    );

    // The 0.x docker registry.
    let m = render("docker-registry: {enabled: true}\n");
    let registry = format!("{RELEASE}-docker-registry");
    assert!(has(&m, "Deployment", &registry));
    assert!(has(&m, "Service", &registry));
    assert_eq!(
        platform_config(&m, "POLYAXON_REGISTRY_HOST"),
        Some(format!("{registry}:5000"))
    );
}

#[test]
fn the_database_keeps_its_data_on_a_claim_as_the_chart() {
    let pg = format!("{RELEASE}-postgresql");
    let claim = |m: &Manifest| get(m, "StatefulSet", &pg)["spec"]["volumeClaimTemplates"].clone();
    // A claim `data` of 8Gi by default, whatever `persistence.enabled` says
    // (the chart's values.yaml ships a `false` the subchart never reads).
    for yaml in [
        "",
        "persistence: {enabled: false}\n",
        "postgresql: {persistence: {enabled: false}}\n",
    ] {
        let claims = claim(&render(yaml));
        assert_eq!(claims[0]["metadata"]["name"], "data", "{yaml}");
        assert_eq!(claims[0]["spec"]["accessModes"], json!(["ReadWriteOnce"]));
        assert_eq!(claims[0]["spec"]["resources"]["requests"]["storage"], "8Gi");
    }
    // Our size and class, as the subchart's `primary.persistence` would.
    let m = render("postgresql: {persistence: {size: 20Gi, storageClass: fast}}\n");
    assert_eq!(
        claim(&m)[0]["spec"]["resources"]["requests"]["storage"],
        "20Gi"
    );
    assert_eq!(claim(&m)[0]["spec"]["storageClassName"], "fast");
    // The subchart's own keys win, and only they turn the claim off.
    let m =
        render("postgresql: {persistence: {size: 20Gi}, primary: {persistence: {size: 30Gi}}}\n");
    assert_eq!(
        claim(&m)[0]["spec"]["resources"]["requests"]["storage"],
        "30Gi"
    );
    let m = render("postgresql: {primary: {persistence: {enabled: false}}}\n");
    assert!(claim(&m).is_null());
    let data = volume(&get(&m, "StatefulSet", &pg), "data").unwrap();
    assert!(data.get("emptyDir").is_some());
}

#[test]
fn secret_refs_and_configmap_refs_go_to_the_platform_config() {
    let m = render("secretRefs: [aws-creds, gcs-creds]\nconfigmapRefs: [settings]\n");
    assert_eq!(
        parse(&platform_config(&m, "POLYAXON_REFS_SECRETS").unwrap()),
        json!(["aws-creds", "gcs-creds"])
    );
    assert_eq!(
        parse(&platform_config(&m, "POLYAXON_REFS_CONFIG_MAPS").unwrap()),
        json!(["settings"])
    );
}

#[test]
fn allowed_hosts_host_name_and_admin_view() {
    let m = render(
        "allowedHosts: [127.0.0.1, .mysite.com]\nhostName: polyaxon.foo.com\nadminViewEnabled: true\n",
    );
    assert_eq!(
        parse(&platform_config(&m, "POLYAXON_ALLOWED_HOSTS").unwrap()),
        json!(["127.0.0.1", ".mysite.com"])
    );
    // The host name is the platform's address, not a platform config key.
    assert!(platform_config(&m, "POLYAXON_API_HOST").is_none());
    assert_eq!(
        cm(&m, &name("config"), "POLYAXON_PLATFORM_HOST").as_deref(),
        Some("polyaxon.foo.com")
    );
    assert_eq!(
        platform_config(&m, "POLYAXON_ADMIN_VIEW_ENABLED").as_deref(),
        Some("true")
    );
    // Probes name a host the allowed hosts accept: the API's, as the chart.
    let probe =
        &container(&m, "Deployment", &name("api"))["readinessProbe"]["httpGet"]["httpHeaders"][0];
    assert_eq!(probe["value"], Value::from(name("api")));
    let m = render("");
    assert!(platform_config(&m, "POLYAXON_ALLOWED_HOSTS").is_none());
    assert!(platform_config(&m, "POLYAXON_ADMIN_VIEW_ENABLED").is_none());
}

#[test]
fn email_settings_with_the_password_in_the_secret() {
    let m = render(
        "email: {enabled: true, host: smtp.acme.com, port: 587, useTls: true, hostUser: mailer, hostPassword: mailpw, from: plx@acme.com}\n",
    );
    for (key, value) in [
        ("POLYAXON_EMAIL_HOST", "smtp.acme.com"),
        ("POLYAXON_EMAIL_PORT", "587"),
        ("POLYAXON_EMAIL_USE_TLS", "true"),
        ("POLYAXON_EMAIL_FROM", "plx@acme.com"),
        // The chart keeps the user in the config, only the password secret.
        ("POLYAXON_EMAIL_HOST_USER", "mailer"),
    ] {
        assert_eq!(platform_config(&m, key).as_deref(), Some(value), "{key}");
    }
    assert_eq!(
        secret(&m, &name("platform-secret"), "POLYAXON_EMAIL_HOST_PASSWORD").as_deref(),
        Some("mailpw")
    );
    assert!(platform_config(&m, "POLYAXON_EMAIL_HOST_PASSWORD").is_none());
    // Only `email.enabled` turns email on, as the chart: a host alone does not.
    for off in [
        "email: {enabled: false, host: smtp}\n",
        "email: {host: smtp.acme.com, hostPassword: mailpw}\n",
    ] {
        let m = render(off);
        assert!(
            platform_config(&m, "POLYAXON_EMAIL_HOST").is_none(),
            "{off}"
        );
        assert!(
            secret(&m, &name("platform-secret"), "POLYAXON_EMAIL_HOST_PASSWORD").is_none(),
            "{off}"
        );
    }
}

/// The names of the hook Jobs that run at `hook`, in order.
fn hook_names(m: &Manifest, hook: Hook) -> Vec<String> {
    m.hooks(hook).map(|h| h.name().to_string()).collect()
}

#[test]
fn install_hooks_run_when_api_hooks_ask_for_them() {
    // The 2.x charts render no install hook by default.
    let m = render("");
    assert!(hook_names(&m, Hook::PostInstall).is_empty());
    assert!(hook_names(&m, Hook::PostUpgrade).is_empty());

    let m = render(
        "apiHooks: {syncdb: true, adminUser: true, tables: true, loadFixtures: true, defaultOrg: true}\n",
    );
    let job = |part: &str| format!("{RELEASE}-{part}");
    // In the chart's hook-weight order.
    assert_eq!(
        hook_names(&m, Hook::PostInstall),
        ["sync-db", "load-fixtures", "admin-user", "default-org"].map(job)
    );
    assert_eq!(
        hook_names(&m, Hook::PostUpgrade),
        ["tables", "sync-db"].map(job)
    );
    let sync = m
        .hooks(Hook::PostInstall)
        .find(|h| h.name() == job("sync-db"))
        .map(json)
        .expect("sync-db");
    let c = &sync["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(c["name"], "sync-db-job");
    assert_eq!(c["args"], json!(["migrate"]));
    assert_eq!(c["image"], "polyaxon/polyaxon-api:2.18.0");
    assert_eq!(env(c, "POLYAXON_MANAGE").unwrap()["value"], "true");
    assert_eq!(env(c, "POLYAXON_DB_NO_CHECK").unwrap()["value"], "true");
    assert!(env(c, "POLYAXON_DB_PASSWORD").is_some());
    assert_eq!(
        env_from(c),
        [
            name("secret"),
            name("config"),
            name("platform-secret"),
            name("platform-config"),
            name("agent-config")
        ]
    );
    // The chart sets no resources on its hooks.
    assert!(c.get("resources").is_none());
    assert_eq!(
        sync["spec"]["template"]["spec"]["activeDeadlineSeconds"],
        900
    );
    let tables = m
        .hooks(Hook::PostUpgrade)
        .find(|h| h.name() == job("tables"))
        .map(json)
        .expect("tables");
    assert_eq!(
        tables["spec"]["template"]["spec"]["containers"][0]["args"],
        json!(["tables"])
    );

    // The hooks run the gateway's image unless `apiHooks` names one.
    let m = render(
        "gateway: {image: acme/api, imageTag: v9}\napiHooks: {syncdb: true, adminUser: true, imageTag: v10}\n",
    );
    for h in m.hooks(Hook::PostInstall) {
        assert_eq!(
            json(h)["spec"]["template"]["spec"]["containers"][0]["image"],
            "acme/api:v10"
        );
    }

    // The 2.0.0 chart's tables hook still named the EE app.
    let m = try_render_with("apiHooks: {tables: true}\n", "2.0.0").unwrap();
    let tables = m.hooks(Hook::PostUpgrade).next().map(json).expect("tables");
    assert_eq!(
        tables["spec"]["template"]["spec"]["containers"][0]["args"],
        json!(["tables", "--app=eedb"])
    );
}

#[test]
fn v1_install_hooks_sync_create_the_admin_and_the_tables() {
    // The 1.x charts always sync the database and create the admin user.
    let m = render_v1("");
    let job = |part: &str| format!("{RELEASE}-{part}");
    assert_eq!(
        hook_names(&m, Hook::PostInstall),
        ["sync-db", "admin-user"].map(job)
    );
    assert_eq!(hook_names(&m, Hook::PostUpgrade), ["sync-db"].map(job));
    // The charts read `apiHooks`, never the seed's `hooks`.
    let fixtures = |config: &str| {
        hook_names(&render_v1(config), Hook::PostInstall).contains(&job("load-fixtures"))
    };
    assert!(fixtures("apiHooks: {loadFixtures: true}\n"));
    assert!(!fixtures("hooks: {loadFixtures: true}\n"));
    // `tablesHook` runs its own image after upgrades, before the sync.
    let m = render_v1("tablesHook: {enabled: true}\n");
    assert_eq!(
        hook_names(&m, Hook::PostUpgrade),
        ["tables", "sync-db"].map(job)
    );
    let tables = m
        .hooks(Hook::PostUpgrade)
        .find(|h| h.name() == job("tables"))
        .map(json)
        .expect("tables");
    let c = &tables["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(c["image"], "polyaxon/polyaxon-tables:0.4.4");
    assert_eq!(c["args"][0], "--db=$(POLYAXON_DB_NAME)");
    // The RabbitMQ exchange is created when the Celery services use it.
    let m =
        render_v1("rabbitmq-ha: {enabled: true}\nscheduler: {enabled: true}\nbroker: rabbitmq\n");
    assert_eq!(
        hook_names(&m, Hook::PostInstall),
        ["create-exchange", "sync-db", "admin-user"].map(job)
    );
}

#[test]
fn v1_platform_has_api_streams_and_an_nginx_gateway() {
    let m = render_v1("");
    assert_eq!(
        container(&m, "Deployment", &name("gateway"))["image"],
        "polyaxon/polyaxon-gateway:1.14.0"
    );
    assert_eq!(
        container(&m, "Deployment", &name("api"))["image"],
        "polyaxon/polyaxon-api:1.14.0"
    );
    assert!(has(&m, "Deployment", &name("streams")));
    assert!(has(&m, "Service", &name("api")));
    assert_eq!(
        cm(&m, &name("proxies-config"), "POLYAXON_PROXY_API_HOST"),
        Some(name("api"))
    );
    // Every 1.x server listens on 8000 behind port 80.
    for service in ["gateway", "api", "streams"] {
        assert_eq!(
            get(&m, "Service", &name(service))["spec"]["ports"][0]["targetPort"],
            8000,
            "{service}"
        );
    }
    // No agent in the 1.x platform; its secret key lives in the platform Secret.
    assert!(!has(&m, "Deployment", &name("agent")));
    assert!(!has(&m, "Secret", &name("secret")));
}

#[test]
fn v1_postgresql_is_the_stable_chart_selected_by_app_release_and_role() {
    let m = render_v1(
        "postgresql: {persistence: {enabled: true}}
",
    );
    let sts = get(&m, "StatefulSet", &format!("{RELEASE}-postgresql"));
    assert_eq!(
        sts["spec"]["selector"]["matchLabels"],
        json!({"app": "postgresql", "release": RELEASE, "role": "master"})
    );
    assert_eq!(
        sts["spec"]["template"]["spec"]["containers"][0]["image"],
        "docker.io/bitnami/postgresql:11.6.0-debian-10-r5"
    );
    assert_eq!(
        sts["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"],
        "2Gi"
    );
    assert!(has(
        &m,
        "Service",
        &format!("{RELEASE}-postgresql-headless")
    ));
    let api = container(&m, "Deployment", &name("api"));
    let password = api["env"]
        .as_array()
        .and_then(|e| e.iter().find(|v| v["name"] == "POLYAXON_DB_PASSWORD"))
        .cloned()
        .expect("the database password");
    assert_eq!(
        password["valueFrom"]["secretKeyRef"]["key"],
        "postgresql-password"
    );
    // Without persistence (the 1.x values) the data is an emptyDir.
    let m = render_v1("");
    let sts = get(&m, "StatefulSet", &format!("{RELEASE}-postgresql"));
    assert!(sts["spec"]["volumeClaimTemplates"].is_null());
}

#[test]
fn hpa_and_flower_when_enabled() {
    let m = render("");
    assert_eq!(all(&m, "HorizontalPodAutoscaler").count(), 0);
    assert!(!has(&m, "Deployment", &name("flower")));
    let m = render(
        "gateway: {hpa: {enabled: true, cputhreshold: 80, minpods: 2, maxpods: 5}}\nflower: {enabled: true}\n",
    );
    let hpa = get(&m, "HorizontalPodAutoscaler", &name("gateway"));
    assert_eq!(hpa["spec"]["minReplicas"], 2);
    assert_eq!(hpa["spec"]["maxReplicas"], 5);
    assert_eq!(
        hpa["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"],
        80
    );
    // The chart's gateway autoscaler, scaling the API.
    assert_eq!(
        hpa["spec"]["scaleTargetRef"]["name"],
        Value::from(name("api"))
    );
    assert_eq!(
        container(&m, "Deployment", &name("flower"))["image"],
        "mher/flower:latest"
    );
    assert_eq!(
        get(&m, "Service", &name("flower"))["spec"]["ports"][0]["nodePort"],
        30679
    );
    // Flower watches the broker; the chart sets it no resources.
    let m = render(
        "redis: {enabled: true}\nbroker: redis\nscheduler: {enabled: true}\nflower: {enabled: true}\n",
    );
    let flower = container(&m, "Deployment", &name("flower"));
    assert_eq!(
        env(&flower, "CELERY_BROKER_URL").unwrap()["value"],
        Value::from(format!("redis://{RELEASE}-redis-master:6379/0"))
    );
    assert_eq!(env(&flower, "FLOWER_PORT").unwrap()["value"], "8888");
    assert!(flower.get("resources").is_none());
    assert!(!env_from(&flower).contains(&name("proxies-config")));
}

#[test]
fn the_api_follows_the_chart_version() {
    let api = |version: &str| {
        let m = try_render_with("", version).unwrap();
        container(&m, "Deployment", &name("api"))
    };
    // Chart 2.0.1 made the API's probes start sooner and run more often.
    let old = api("2.0.0");
    assert_eq!(old["livenessProbe"]["initialDelaySeconds"], 60);
    assert_eq!(old["livenessProbe"]["periodSeconds"], 30);
    assert_eq!(old["livenessProbe"]["timeoutSeconds"], 4);
    assert_eq!(
        old["resources"],
        json!({"requests": {"cpu": "1000m", "memory": "2000Mi"}})
    );
    // From chart 2.13.3 the limits apply by default.
    let new = api("2.15.1");
    assert_eq!(new["livenessProbe"]["initialDelaySeconds"], 20);
    assert_eq!(
        new["resources"]["limits"],
        json!({"cpu": "6000m", "memory": "8000Mi"})
    );
    assert_eq!(new["image"], "polyaxon/polyaxon-api:2.15.1");
}

#[test]
fn the_seed_spellings_deployment_type_and_dependency_aliases() {
    let m = render("DeploymentType: microk8s\n");
    assert_eq!(
        cm(&m, &name("config"), "POLYAXON_DEPLOYMENT_TYPE").as_deref(),
        Some("microk8s")
    );
    let m = render("registry: {enabled: true}\n");
    assert!(has(&m, "Deployment", &format!("{RELEASE}-docker-registry")));
    let m = render_v1("rabbitmq: {enabled: true}\n");
    assert!(has(&m, "StatefulSet", &format!("{RELEASE}-rabbitmq-ha")));
}

#[test]
fn ui_settings_reach_the_proxies_config() {
    let m = render("ui: {enabled: false, adminEnabled: true, staticUrl: 'https://cdn.acme.com'}\n");
    let key = |k: &str| cm(&m, &name("proxies-config"), k);
    assert_eq!(key("POLYAXON_UI_ENABLED").as_deref(), Some("false"));
    assert_eq!(key("POLYAXON_UI_ADMIN_ENABLED").as_deref(), Some("true"));
    assert_eq!(
        key("POLYAXON_STATIC_URL").as_deref(),
        Some("https://cdn.acme.com")
    );
}

#[test]
fn celery_services_when_enabled_with_their_autoscalers() {
    let m = render(
        "redis: {enabled: true}\nbroker: redis\nscheduler: {enabled: true, hpa: {enabled: true, maxpods: 3}}\nworker: {enabled: true, replicas: 2, concurrency: 4}\ncompiler: {enabled: true}\nbeat: {enabled: true}\n",
    );
    for part in ["scheduler", "worker", "compiler", "beat"] {
        let c = container(&m, "Deployment", &name(part));
        assert!(env_from(&c).contains(&name("platform-config")), "{part}");
        assert!(env(&c, "POLYAXON_DB_PASSWORD").is_some(), "{part}");
    }
    assert_eq!(
        get(&m, "Deployment", &name("worker"))["spec"]["replicas"],
        2
    );
    // Each runs its part with its concurrency (default 2), as the chart.
    for (part, args) in [
        ("scheduler", json!(["scheduler", "--concurrency=2"])),
        ("worker", json!(["worker", "--concurrency=4"])),
        ("compiler", json!(["compiler", "--concurrency=2"])),
        ("beat", json!(["beat"])),
    ] {
        let c = container(&m, "Deployment", &name(part));
        assert_eq!(c["args"], args, "{part}");
        assert_eq!(
            c["livenessProbe"]["exec"]["command"],
            json!(["/bin/bash", "./entrypoint.sh", "healthz"]),
            "{part}"
        );
        // The workers read the proxies config and run as the agent; beat
        // does neither.
        let workers = part != "beat";
        assert_eq!(
            env_from(&c).contains(&name("proxies-config")),
            workers,
            "{part}"
        );
        let sa = get(&m, "Deployment", &name(part))
            .pointer("/spec/template/spec/serviceAccountName")
            .cloned();
        assert_eq!(sa.is_some(), workers, "{part}");
    }
    let worker = container(&m, "Deployment", &name("worker"));
    assert_eq!(
        env(&worker, "POLYAXON_CELERY_WORKER_PREFETCH_MULTIPLIER").unwrap()["value"],
        "10"
    );
    let beat = container(&m, "Deployment", &name("beat"));
    assert_eq!(env(&beat, "POLYAXON_IS_BEAT").unwrap()["value"], "true");
    assert_eq!(
        get(&m, "HorizontalPodAutoscaler", &name("scheduler"))["spec"]["maxReplicas"],
        3
    );
    assert!(!has(&m, "HorizontalPodAutoscaler", &name("worker")));
}

#[test]
fn celery_defaults_follow_the_chart_version() {
    let config = "redis: {enabled: true}\nbroker: redis\nscheduler: {enabled: true}\nbeat: {enabled: true}\n";
    let resources = |version: &str, part: &str| {
        let m = try_render_with(config, version).unwrap();
        container(&m, "Deployment", &name(part))["resources"].clone()
    };
    // Chart 2.13.3 turned `limitResources` on and raised the limits.
    assert!(resources("2.13.0", "scheduler").get("limits").is_none());
    assert_eq!(
        resources("2.15.1", "scheduler"),
        json!({"requests": {"cpu": "150m", "memory": "200Mi"}, "limits": {"cpu": "1000m", "memory": "1Gi"}})
    );
    assert_eq!(
        resources("2.15.1", "beat"),
        json!({"requests": {"cpu": "150m", "memory": "128Mi"}, "limits": {"cpu": "500m", "memory": "512Mi"}})
    );
    assert_eq!(
        resources("2.13.0", "beat")["requests"],
        json!({"cpu": "50m", "memory": "128Mi"})
    );
    // Chart 2.0.1 made the probes start sooner.
    let delay = |version: &str| {
        let m = try_render_with(config, version).unwrap();
        container(&m, "Deployment", &name("scheduler"))["livenessProbe"]["initialDelaySeconds"]
            .clone()
    };
    assert_eq!(delay("2.0.0"), 60);
    assert_eq!(delay("2.15.1"), 20);
}

#[test]
fn the_api_is_selected_by_the_gateway_name_whatever_gateway_enabled_says() {
    // `gateway.enabled` has no effect in the 2.x chart: the API always runs.
    for config in ["", "gateway: {enabled: false}\n"] {
        let m = render(config);
        let api = get(&m, "Deployment", &name("api"));
        let labels = &api["spec"]["template"]["metadata"]["labels"];
        assert_eq!(
            labels["app.kubernetes.io/name"],
            Value::from(name("gateway"))
        );
        assert_eq!(
            api["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"],
            Value::from(name("gateway"))
        );
        let service = get(&m, "Service", &name("gateway"));
        for (key, value) in service["spec"]["selector"].as_object().unwrap() {
            assert_eq!(&labels[key], value, "the gateway Service selects the API");
        }
        let c = container(&m, "Deployment", &name("api"));
        assert_eq!(c["name"], "polyaxon-api");
        assert_eq!(c["ports"], json!([{"containerPort": 8000}]));
        assert_eq!(c["readinessProbe"]["periodSeconds"], 20);
        assert_eq!(c["readinessProbe"]["timeoutSeconds"], 4);
        assert_eq!(
            api["spec"]["template"]["spec"]["serviceAccountName"],
            Value::from(format!("{RELEASE}-polyaxon-agent-sa"))
        );
    }
}

#[test]
fn the_platform_config_follows_the_chart_version() {
    // Chart 2.0.6 renamed the password length key and added `passwordAuth`.
    let m = try_render_with("passwordLength: 12\n", "2.0.0").unwrap();
    assert_eq!(
        platform_config(&m, "POLYAXON_PASSWORD_LENGTH").as_deref(),
        Some("12")
    );
    assert!(platform_config(&m, "POLYAXON_AUTH_PASSWORD_ENABLED").is_none());
    let m = render("");
    assert_eq!(
        platform_config(&m, "POLYAXON_AUTH_PASSWORD_LENGTH").as_deref(),
        Some("8")
    );
    assert_eq!(
        platform_config(&m, "POLYAXON_AUTH_PASSWORD_ENABLED").as_deref(),
        Some("true")
    );
    assert!(platform_config(&m, "POLYAXON_PASSWORD_LENGTH").is_none());
    assert_eq!(
        platform_config(&m, "POLYAXON_INTERVALS_COMPATIBILITY_CHECK").as_deref(),
        Some("1800")
    );
    // Before chart 2.3.0 the scheduler's intervals were in the platform config.
    let celery = "redis: {enabled: true}\nbroker: redis\nscheduler: {enabled: true}\n";
    let m = try_render_with(celery, "2.0.0").unwrap();
    assert_eq!(
        platform_config(&m, "POLYAXON_INTERVALS_RUNS_SCHEDULER").as_deref(),
        Some("15")
    );
    let m = render(celery);
    assert!(platform_config(&m, "POLYAXON_INTERVALS_RUNS_SCHEDULER").is_none());
    assert_eq!(
        platform_config(&m, "POLYAXON_REDIS_CELERY_BROKER_URL"),
        Some(format!("{RELEASE}-redis-master:6379/0"))
    );
    // Without the scheduler the broker is not in the platform config.
    let m = render("redis: {enabled: true}\nbroker: redis\n");
    assert!(platform_config(&m, "POLYAXON_REDIS_HOST").is_none());
    assert!(platform_config(&m, "POLYAXON_SCHEDULER_ENABLED").is_none());
}

#[test]
fn ldap_keys_are_the_charts() {
    let m = render(
        "ldap: {enabled: true, serverUri: 'ldap://ldap.acme.com', bindDN: 'cn=admin', bindPassword: pw, userSearchFilterStr: '(uid=%(user)s)'}\n",
    );
    for (key, value) in [
        ("POLYAXON_AUTH_LDAP", "true"),
        ("POLYAXON_AUTH_LDAP_SERVER_URI", "ldap://ldap.acme.com"),
        ("POLYAXON_AUTH_LDAP_BIND_DN", "cn=admin"),
        ("POLYAXON_AUTH_LDAP_USER_SEARCH_FILTERSTR", "(uid=%(user)s)"),
        ("POLYAXON_AUTH_LDAP_GLOBAL_OPTIONS", "{}"),
        ("POLYAXON_AUTH_LDAP_START_TLS", "false"),
    ] {
        assert_eq!(platform_config(&m, key).as_deref(), Some(value), "{key}");
    }
    assert!(platform_config(&m, "POLYAXON_AUTH_LDAP_BIND_PASSWORD").is_none());
    assert_eq!(
        secret(
            &m,
            &name("platform-secret"),
            "POLYAXON_AUTH_LDAP_BIND_PASSWORD"
        )
        .as_deref(),
        Some("pw")
    );
}

#[test]
fn backend_passwords_come_from_their_secrets_as_the_chart() {
    // With the Celery services and no RabbitMQ in the cluster, the chart
    // renders the external RabbitMQ's password Secret (whatever the broker).
    let m = render("redis: {enabled: true}\nbroker: redis\nscheduler: {enabled: true}\n");
    assert_eq!(
        secret(&m, &name("rabbitmq-secret"), "rabbitmq-password").as_deref(),
        Some(PLACEHOLDER_FOR_TESTS)
    );
    let c = container(&m, "Deployment", &name("api"));
    assert!(env(&c, "POLYAXON_RABBITMQ_PASSWORD").is_none());
    assert!(!has(&render(""), "Secret", &name("rabbitmq-secret")));
    // `platformSecret` holds every password: the pods read no other Secret.
    let m = render("platformSecret: my-secret\n");
    let c = container(&m, "Deployment", &name("api"));
    assert!(env(&c, "POLYAXON_DB_PASSWORD").is_none());
    assert!(env_from(&c).contains(&"my-secret".to_string()));
    assert!(!has(&m, "Secret", &name("platform-secret")));
}

#[test]
fn metrics_enabled_adds_the_statsd_exporter() {
    let m = render("");
    assert!(!has(&m, "Deployment", &name("metrics")));
    assert!(platform_config(&m, "POLYAXON_METRICS_BACKEND").is_none());
    let m = render("metrics: {enabled: true}\n");
    assert_eq!(
        platform_config(&m, "POLYAXON_METRICS_BACKEND").as_deref(),
        Some("statsd")
    );
    assert_eq!(
        parse(&platform_config(&m, "POLYAXON_METRICS_OPTIONS").unwrap()),
        json!({"host": name("metrics"), "port": 9125})
    );
    let c = container(&m, "Deployment", &name("metrics"));
    assert_eq!(c["image"], "prom/statsd-exporter:v0.10.5");
    assert_eq!(
        c["args"],
        json!(["--statsd.listen-udp=:9125", "--web.listen-address=:9102"])
    );
    assert_eq!(c["livenessProbe"]["httpGet"]["path"], "/metrics");
    let svc = get(&m, "Service", &name("metrics"));
    let ports = svc["spec"]["ports"].as_array().unwrap();
    assert!(
        ports
            .iter()
            .any(|p| p["name"] == "statsd" && p["protocol"] == "UDP" && p["port"] == 9125)
    );
    assert!(
        ports
            .iter()
            .any(|p| p["name"] == "metrics" && p["port"] == 9102)
    );
}
