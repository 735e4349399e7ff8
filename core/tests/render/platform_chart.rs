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
        ("Deployment", name("gateway")),
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
        container(&m, "Deployment", &name("gateway"))["image"],
        "polyaxon/polyaxon-api:2.18.0"
    );
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
        Some("root")
    );
    assert_eq!(
        platform_config(&m, "POLYAXON_ADMIN_MAIL").as_deref(),
        Some("root@polyaxon.local")
    );
    assert_eq!(
        secret(&m, &name("platform-secret"), "POLYAXON_ADMIN_PASSWORD").as_deref(),
        Some("rootpassword")
    );

    let m = render("user: {username: travis, email: travis@acme.com, password: s3cret}\n");
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

    // A null password is generated (from the release state).
    let m = render("user: {password: null}\n");
    assert_eq!(
        secret(&m, &name("platform-secret"), "POLYAXON_ADMIN_PASSWORD").as_deref(),
        Some(PLACEHOLDER_FOR_TESTS)
    );
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
    let gw = get(&m, "Deployment", &name("gateway"));
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
    assert!(volume(&get(&render(""), "Deployment", &name("gateway")), "logs").is_none());
}

#[test]
fn persistence_data_entries_are_mounted_and_listed_as_connections() {
    let m = render(
        "persistence:\n  data:\n    data1: {mountPath: /data/1, hostPath: /path/to/data, readOnly: true}\n    data2: {mountPath: /data/2, existingClaim: data-2-pvc}\n    data-s3: {store: s3, bucket: 's3://data-bucket', secret: secret-name, secretKey: secret-key}\n",
    );
    let gw = get(&m, "Deployment", &name("gateway"));
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
        volume(
            &get(&m, "Deployment", &name("gateway")),
            "data-default-data"
        )
        .unwrap()["hostPath"]["path"],
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
    let gw = container(&m, "Deployment", &name("gateway"));
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
    let gw = container(&m, "Deployment", &name("gateway"));
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
    assert_eq!(
        platform_config(&m, "POLYAXON_API_HOST").as_deref(),
        Some("polyaxon.foo.com")
    );
    assert_eq!(
        cm(&m, &name("config"), "POLYAXON_PLATFORM_HOST").as_deref(),
        Some("polyaxon.foo.com")
    );
    assert_eq!(
        platform_config(&m, "POLYAXON_ADMIN_VIEW_ENABLED").as_deref(),
        Some("true")
    );
    // Probes name a host the allowed hosts accept.
    let probe = &container(&m, "Deployment", &name("gateway"))["readinessProbe"]["httpGet"]["httpHeaders"]
        [0];
    assert_eq!(probe["value"], Value::from(name("gateway")));
    let m = render("");
    assert!(platform_config(&m, "POLYAXON_ALLOWED_HOSTS").is_none());
    assert!(platform_config(&m, "POLYAXON_ADMIN_VIEW_ENABLED").is_none());
}

#[test]
fn email_settings_with_credentials_in_the_secret() {
    let m = render(
        "email: {host: smtp.acme.com, port: 587, useTls: true, hostUser: mailer, hostPassword: mailpw, from: plx@acme.com}\n",
    );
    assert_eq!(
        platform_config(&m, "POLYAXON_EMAIL_HOST").as_deref(),
        Some("smtp.acme.com")
    );
    assert_eq!(
        platform_config(&m, "POLYAXON_EMAIL_PORT").as_deref(),
        Some("587")
    );
    assert_eq!(
        platform_config(&m, "POLYAXON_EMAIL_USE_TLS").as_deref(),
        Some("true")
    );
    assert_eq!(
        platform_config(&m, "POLYAXON_EMAIL_FROM").as_deref(),
        Some("plx@acme.com")
    );
    assert_eq!(
        secret(&m, &name("platform-secret"), "POLYAXON_EMAIL_HOST_USER").as_deref(),
        Some("mailer")
    );
    assert_eq!(
        secret(&m, &name("platform-secret"), "POLYAXON_EMAIL_HOST_PASSWORD").as_deref(),
        Some("mailpw")
    );
    assert!(platform_config(&m, "POLYAXON_EMAIL_HOST_PASSWORD").is_none());
    assert!(
        platform_config(
            &render("email: {enabled: false, host: smtp}\n"),
            "POLYAXON_EMAIL_HOST"
        )
        .is_none()
    );
}

#[test]
fn install_hooks_sync_the_database_and_create_the_admin() {
    let m = render("");
    let sync = m
        .hooks(Hook::PostInstall)
        .find(|h| h.name() == format!("{RELEASE}-sync-db"))
        .expect("sync-db");
    assert_eq!(
        json(sync).pointer("/spec/template/spec/containers/0/args"),
        Some(&json!(["migrate"]))
    );
    assert!(
        m.hooks(Hook::PostUpgrade)
            .any(|h| h.name() == format!("{RELEASE}-sync-db"))
    );
    assert!(
        !m.hooks(Hook::PostUpgrade)
            .any(|h| h.name().ends_with("admin-user"))
    );
    let m = render("apiHooks: {syncdb: false, adminUser: false}\n");
    assert_eq!(m.hooks(Hook::PostInstall).count(), 0);
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
    assert_eq!(
        get(&m, "Service", &name("gateway"))["spec"]["ports"][0]["targetPort"],
        80
    );
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
    assert_eq!(
        hpa["spec"]["scaleTargetRef"]["name"],
        Value::from(name("gateway"))
    );
    assert_eq!(
        container(&m, "Deployment", &name("flower"))["image"],
        "mher/flower:latest"
    );
    assert_eq!(
        get(&m, "Service", &name("flower"))["spec"]["ports"][0]["nodePort"],
        30679
    );
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
    let worker = container(&m, "Deployment", &name("worker"));
    assert_eq!(
        env(&worker, "POLYAXON_CELERY_CONCURRENCY").unwrap()["value"],
        "4"
    );
    assert_eq!(
        get(&m, "HorizontalPodAutoscaler", &name("scheduler"))["spec"]["maxReplicas"],
        3
    );
    assert!(!has(&m, "HorizontalPodAutoscaler", &name("worker")));
}
