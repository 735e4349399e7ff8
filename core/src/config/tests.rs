//! Tests of loading and validation: every rule with a failing and a passing
//! case, and Polyaxon's own fixtures with their documented verdicts.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::*;

/// Writes `text` to a fresh temporary file named `name`.
fn file(name: &str, text: &str) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("polyaxon-config-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("temp file");
    path
}

fn check(yaml: &str) -> Result<Deployment, ConfigErrors> {
    load(&LoadOptions {
        files: vec![file("config.yml", yaml)],
        ..LoadOptions::default()
    })
}

fn errors(yaml: &str) -> ConfigErrors {
    match check(yaml) {
        Ok(d) => panic!("expected errors, the config was accepted: {:?}", d.values),
        Err(e) => e,
    }
}

fn ok(yaml: &str) -> Deployment {
    match check(yaml) {
        Ok(d) => d,
        Err(e) => panic!("expected a valid config, got:\n{e}"),
    }
}

/// The one error of a config, checked to be alone.
fn single(yaml: &str) -> ConfigError {
    let all = errors(yaml);
    assert_eq!(all.len(), 1, "expected one error, got:\n{all}");
    all.into_iter().next().expect("one error")
}

fn paths(errors: &ConfigErrors) -> Vec<String> {
    errors.iter().map(|e| e.path.clone()).collect()
}

const PIN_1X: &str = "deploymentVersion: 1.14.0\n";

// --- loading: files, merge, --set, flags ---------------------------------------

#[test]
fn an_empty_file_is_a_valid_empty_config() {
    let d = ok("");
    assert_eq!(d.chart, Chart::Platform);
    assert_eq!(d.release_name, "polyaxon");
    assert_eq!(d.namespace, "polyaxon");
    assert_eq!(d.config, DeploymentConfig::default());
    assert_eq!(d.values, serde_json::json!({}));
}

#[test]
fn each_chart_has_its_default_release_name() {
    // The Python CLI installs the agent chart as `agent`; ponos takes the
    // names of the Ponos guide (`ponos-agent`, ...).
    let agent = "deploymentChart: agent\nagent:\n  instance: a.agents.1\n  token: t\n";
    assert_eq!(ok(agent).release_name, "agent");
    assert_eq!(
        ok(&format!("{agent}releaseName: mine\n")).release_name,
        "mine"
    );
    assert_eq!(ok("deploymentChart: platform\n").release_name, "polyaxon");
}

#[test]
fn no_file_at_all_is_an_empty_config() {
    let d = load(&LoadOptions::default()).expect("valid");
    assert_eq!(d.version.version.to_string(), "2.18.0");
}

#[test]
fn files_merge_in_order_maps_merge_and_later_scalars_and_lists_win() {
    let a = file(
        "a.yml",
        "namespace: first\ngateway:\n  replicas: 1\n  image: custom/gateway\nallowedHosts: [a, b]\n",
    );
    let b = file(
        "b.yml",
        "namespace: second\ngateway:\n  replicas: 3\nallowedHosts: [c]\n",
    );
    let d = load(&LoadOptions {
        files: vec![a, b],
        ..LoadOptions::default()
    })
    .expect("valid");
    assert_eq!(d.namespace, "second");
    let gateway = d.config.gateway.expect("gateway");
    assert_eq!(gateway.replicas, Some(3));
    assert_eq!(gateway.image.as_deref(), Some("custom/gateway"));
    assert_eq!(d.config.allowed_hosts, Some(vec!["c".to_string()]));
}

#[test]
fn set_overrides_files_and_flags_override_both() {
    let a = file("a.yml", "namespace: from-file\ngateway:\n  replicas: 1\n");
    let d = load(&LoadOptions {
        files: vec![a],
        set: vec![
            "gateway.replicas=4,namespace=from-set".into(),
            "connections[0].name=data,connections[0].kind=host_path".into(),
        ],
        namespace: Some("from-flag".into()),
        release_name: Some("plx".into()),
        deployment_type: Some("minikube".into()),
        deployment_version: Some("2.16.2.post1".into()),
    })
    .expect("valid");
    assert_eq!(d.namespace, "from-flag");
    assert_eq!(d.release_name, "plx");
    assert_eq!(d.config.gateway.and_then(|g| g.replicas), Some(4));
    assert_eq!(
        d.config.deployment_type,
        Some(schema::DeploymentType::Minikube)
    );
    let connections = d.config.connections.expect("connections");
    assert_eq!(connections[0].name.as_deref(), Some("data"));
    assert_eq!(d.version.version.to_string(), "2.16.2.post1");
    assert_eq!(d.version.source, VersionSource::Flag);
    assert_eq!(d.values["namespace"], "from-flag");
}

#[test]
fn the_deployment_type_flag_replaces_the_seed_spelling_too() {
    let a = file("a.yml", "DeploymentType: kubernetes\n");
    let d = load(&LoadOptions {
        files: vec![a],
        deployment_type: Some("microk8s".into()),
        ..LoadOptions::default()
    })
    .expect("valid");
    assert_eq!(
        d.config.deployment_type,
        Some(schema::DeploymentType::Microk8s)
    );
    let e = single("deploymentType: kubernetes\nDeploymentType: minikube\n");
    assert!(matches!(e.problem, Problem::TwoSpellings { .. }), "{e}");
}

#[test]
fn a_set_error_names_the_argument() {
    let all = load(&LoadOptions {
        set: vec!["gateway.replicas=three".into()],
        ..LoadOptions::default()
    })
    .expect_err("invalid");
    let e = all.iter().next().expect("an error");
    assert_eq!(e.path, "gateway.replicas");
    assert_eq!(
        e.to_string()
            .lines()
            .next()
            .map(|l| l.starts_with("--set gateway.replicas=…: ")),
        Some(true),
        "{e}"
    );
}

#[test]
fn a_malformed_set_is_an_error() {
    let all = load(&LoadOptions {
        set: vec!["gateway.replicas".into()],
        ..LoadOptions::default()
    })
    .expect_err("invalid");
    assert!(matches!(
        all.iter().next().expect("an error").problem,
        Problem::BadSet(_)
    ));
}

#[test]
fn a_missing_file_is_an_error_naming_it() {
    let all = load(&LoadOptions {
        files: vec!["/nonexistent/config.yml".into()],
        ..LoadOptions::default()
    })
    .expect_err("invalid");
    assert!(matches!(
        all.iter().next().expect("an error").problem,
        Problem::Unreadable(_)
    ));
    assert!(all.to_string().contains("/nonexistent/config.yml"));
}

#[test]
fn an_error_in_the_second_file_points_to_the_second_file() {
    let a = file("a.yml", "gateway:\n  replicas: 2\n");
    let b = file("b.yml", "# override\ngateway:\n  replicas: three\n");
    let all = load(&LoadOptions {
        files: vec![a, b.clone()],
        ..LoadOptions::default()
    })
    .expect_err("invalid");
    let at = all
        .iter()
        .next()
        .expect("an error")
        .location
        .clone()
        .expect("located");
    assert_eq!(at, Location::file(&b, 3, 13));
}

// --- pinning ---------------------------------------------------------------------

#[test]
fn unpinned_and_latest_resolve_to_the_newest_release() {
    for yaml in ["", "deploymentVersion: latest\n", "deploymentVersion:\n"] {
        let d = ok(yaml);
        assert_eq!(d.version.version.to_string(), "2.18.0", "{yaml}");
        assert_eq!(d.version.source, VersionSource::Latest);
        assert_eq!(d.generation, Generation::V2);
    }
}

#[test]
fn an_explicit_version_is_pinned_with_its_place() {
    let d = ok("namespace: x\ndeploymentVersion: 1.14.0\n");
    assert_eq!(d.version.version.to_string(), "1.14.0");
    assert_eq!(d.generation, Generation::V1);
    match &d.version.source {
        VersionSource::Config(at) => assert_eq!((at.line, at.column), (2, 20)),
        other => panic!("unexpected source {other:?}"),
    }
    let d = ok("deploymentVersion: 2.16.2.post1\n");
    assert_eq!(d.version.version.image_tag(), "2.16.2");
}

#[test]
fn an_unreleased_version_lists_the_nearest() {
    let e = single("deploymentVersion: 2.14.2\n");
    assert_eq!(e.path, "deploymentVersion");
    let valid = e.valid.expect("valid");
    assert!(
        valid.ends_with("nearest: 2.15.1, 2.15.0, 2.13.3, 2.13.2"),
        "{valid}"
    );
    assert!(
        ok("deploymentVersion: 2.15.0\n")
            .version
            .version
            .to_string()
            == "2.15.0"
    );
    // 2.14.0 has a published chart but no release: pinnable.
    assert_eq!(
        ok("deploymentVersion: 2.14.0\n")
            .version
            .version
            .to_string(),
        "2.14.0"
    );
}

#[test]
fn a_version_that_is_not_semver_is_refused() {
    let e = single("deploymentVersion: two\n");
    assert!(matches!(
        e.problem,
        Problem::Version(version::PinError::NotAVersion(_))
    ));
    // An unquoted `2.0` is a number in YAML: refused with a hint to quote it.
    let e = single("deploymentVersion: 2.0\n");
    assert!(matches!(e.problem, Problem::WrongType { .. }), "{e}");
    assert!(e.valid.expect("valid").contains("quote"));
}

// --- unknown keys and generations ----------------------------------------------------

#[test]
fn an_unknown_key_suggests_the_nearest() {
    let e = single("namespce: polyaxon\n");
    assert_eq!(
        e.problem,
        Problem::UnknownKey {
            key: "namespce".into()
        }
    );
    assert_eq!(e.valid.as_deref(), Some("did you mean `namespace`?"));
    assert_eq!(e.location, Some(Location::file(location_file(&e), 1, 1)));
    ok("namespace: polyaxon\n");
    let e = single("email:\n  useTLS: true\n");
    assert_eq!(e.valid.as_deref(), Some("did you mean `useTls`?"));
    ok("email:\n  useTls: true\n");
}

fn location_file(e: &ConfigError) -> PathBuf {
    match &e.location {
        Some(Location {
            source: Source::File(path),
            ..
        }) => path.clone(),
        other => panic!("not in a file: {other:?}"),
    }
}

#[test]
fn a_1x_key_in_an_unpinned_config_says_so_and_how_to_pin() {
    let e = single(
        "rabbitmq-ha:\n  enabled: true\nbroker: rabbitmq\n"
            .replace("broker: rabbitmq\n", "")
            .as_str(),
    );
    match &e.problem {
        Problem::OtherGeneration {
            key,
            key_generation,
            config_generation,
            why,
        } => {
            assert_eq!(key, "rabbitmq-ha");
            assert_eq!(*key_generation, "1.x");
            assert_eq!(*config_generation, "2.x");
            assert!(why.contains("not pinned"), "{why}");
        }
        other => panic!("unexpected {other:?}"),
    }
    let valid = e.valid.expect("valid");
    assert!(valid.contains("deploymentVersion: 1."), "{valid}");
    // Pinned to 1.x, the same key is accepted.
    ok("deploymentVersion: 1.14.0\nrabbitmq-ha:\n  enabled: true\n");
}

#[test]
fn a_1x_key_in_a_config_pinned_to_2x_names_the_pin() {
    let e = single("deploymentVersion: 2.17.0\nstreams:\n  replicas: 2\n");
    match &e.problem {
        Problem::OtherGeneration { why, .. } => assert!(why.contains("pinned to 2.17.0"), "{why}"),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn a_2x_key_in_a_config_pinned_to_1x_says_so() {
    let e = single("deploymentVersion: 1.14.0\npasswordAuth: true\n");
    match &e.problem {
        Problem::OtherGeneration {
            key_generation,
            config_generation,
            ..
        } => assert_eq!((*key_generation, *config_generation), ("2.x", "1.x")),
        other => panic!("unexpected {other:?}"),
    }
    assert!(e.valid.expect("valid").contains("deploymentVersion: 2."));
    ok("passwordAuth: true\n");
}

#[test]
fn seed_parameters_are_accepted_in_both_generations() {
    let seed = "persistence:\n  logs:\n    hostPath: /tmp/logs\n  data:\n    d1:\n      mountPath: /data\n      readOnly: true\nnodeSelectors:\n  core: {polyaxon: core}\ntimeZone: Europe/Paris\nDeploymentType: minikube\nsecurityContext:\n  enabled: true\n  user: 1000\n  group: 1000\napi:\n  service:\n    annotations: {a: b}\nsecretRefs: [s1]\nadminViewEnabled: true\ndns:\n  backend: coredns\n";
    for pin in ["", PIN_1X] {
        let d = ok(&format!("{pin}{seed}"));
        assert_eq!(d.config.timezone.as_deref(), Some("Europe/Paris"));
        assert_eq!(
            d.config.deployment_type,
            Some(schema::DeploymentType::Minikube)
        );
        let sc = d.config.security_context.clone().expect("security context");
        assert_eq!((sc.run_as_user, sc.run_as_group), (Some(1000), Some(1000)));
        let persistence = d.config.persistence.clone().expect("persistence");
        assert_eq!(persistence.data.expect("data")["d1"].read_only, Some(true));
    }
    // Under 2.x, `api` holds nothing but its seed parameter.
    let e = single("api:\n  replicas: 2\n  service:\n    annotations: {a: b}\n");
    assert!(e.valid.expect("valid").contains("`api.replicas`"));
}

#[test]
fn two_spellings_of_one_setting_are_refused() {
    let e = single("timezone: UTC\ntimeZone: UTC\n");
    assert!(matches!(e.problem, Problem::TwoSpellings { .. }), "{e}");
    let e = single("securityContext:\n  runAsUser: 1\n  user: 1\n  runAsGroup: 1\n");
    assert!(matches!(e.problem, Problem::TwoSpellings { .. }), "{e}");
    ok("timeZone: UTC\n");
}

// --- types and values ----------------------------------------------------------------

#[test]
fn a_wrong_type_is_refused_with_what_is_expected() {
    let e = single("gateway:\n  replicas: three\n");
    assert_eq!(e.path, "gateway.replicas");
    assert_eq!(
        e.problem,
        Problem::WrongType {
            expected: "an integer".into(),
            found: "a string".into()
        }
    );
    assert_eq!(e.location.map(|l| (l.line, l.column)), Some((2, 13)));
    assert_eq!(
        ok("gateway:\n  replicas: 3\n")
            .config
            .gateway
            .and_then(|g| g.replicas),
        Some(3)
    );
    let e = single("gateway:\n  image: 12\n");
    assert!(e.valid.expect("valid").contains("quote the value"));
    let e = single("ingress: [a]\n");
    assert!(matches!(e.problem, Problem::WrongType { .. }));
}

#[test]
fn booleans_are_read_as_polyaxon_reads_them() {
    let d = ok("rbac:\n  enabled: \"false\"\ningress:\n  enabled: yes\n");
    assert_eq!(d.config.rbac.and_then(|r| r.enabled), Some(false));
    assert_eq!(d.config.ingress.and_then(|i| i.enabled), Some(true));
    let e = single("rbac:\n  enabled: maybe\n");
    assert!(matches!(e.problem, Problem::WrongType { .. }));
}

#[test]
fn enum_values_are_checked() {
    for (yaml, path) in [
        ("deploymentChart: operator\n", "deploymentChart"),
        ("deploymentChart: gateway\n", "deploymentChart"),
        ("deploymentType: kubernetess\n", "deploymentType"),
        (
            "gateway:\n  service:\n    type: Ingress\n",
            "gateway.service.type",
        ),
        ("broker: kafka\n", "broker"),
        (
            "gateway:\n  imagePullPolicy: always\n",
            "gateway.imagePullPolicy",
        ),
    ] {
        let e = single(yaml);
        assert_eq!(e.path, path, "{yaml}");
        assert!(matches!(e.problem, Problem::NotOneOf { .. }), "{yaml}: {e}");
        assert!(e.valid.is_some());
    }
    let e = single("gateway:\n  service:\n    type: NodePrt\n");
    assert!(
        e.valid
            .expect("valid")
            .starts_with("did you mean `NodePort`?")
    );
    let d = ok(
        "deploymentType: microk8s\ngateway:\n  service:\n    type: LoadBalancer\nbroker: redis\nredis:\n  enabled: true\n",
    );
    assert_eq!(
        d.config
            .gateway
            .and_then(|g| g.service)
            .and_then(|s| s.service_type),
        Some(schema::ServiceType::LoadBalancer)
    );
}

/// Every 2.x chart package (2.0.0 to 2.15.1) ships the RabbitMQ subchart and
/// renders `broker: rabbitmq` with its `rabbitmq` section (or an external
/// RabbitMQ): valid at every 2.x pin, as in 1.x.
#[test]
fn broker_rabbitmq_is_valid_for_every_chart_that_renders_it() {
    let rabbit = "broker: rabbitmq\nrabbitmq:\n  enabled: true\nscheduler:\n  enabled: true\n";
    for pin in [
        "", "1.14.0", "2.0.0", "2.8.1", "2.11.1", "2.12.0", "2.14.0", "2.15.1", "2.18.0",
    ] {
        let pinned = if pin.is_empty() {
            String::new()
        } else {
            format!("deploymentVersion: {pin}\n")
        };
        let d = ok(&format!("{pinned}{rabbit}"));
        assert_eq!(
            d.config.rabbitmq.and_then(|r| r.enabled),
            Some(true),
            "`rabbitmq` is the in-cluster RabbitMQ at {pin:?}"
        );
        assert_eq!(d.config.broker, Some(schema::Broker::Rabbitmq), "{pin:?}");
        ok(&format!(
            "{pinned}broker: rabbitmq\nexternalServices:\n  rabbitmq:\n    host: mq\n    port: 5672\n"
        ));
    }
    // The 1.x chart's own spelling stays 1.x only.
    let e = single("deploymentVersion: 2.15.1\nrabbitmq-ha:\n  enabled: true\nbroker: rabbitmq\n");
    assert_eq!(e.path, "rabbitmq-ha");
    assert!(matches!(e.problem, Problem::OtherGeneration { .. }), "{e}");
    // The rules across keys still hold.
    let e = single("deploymentVersion: 2.15.1\nbroker: redis\nrabbitmq:\n  enabled: true\n");
    assert_eq!(e.path, "broker");
}

#[test]
fn the_charts_ci_rabbitmq_config_is_valid_at_every_2x_version() {
    for pin in ["2.0.0", "2.8.1", "2.11.1", "2.12.0", "2.14.1", "2.15.1"] {
        let pinned = format!("deploymentVersion: {pin}\n");
        accepted("charts-2.15-ci-test-config3.yml", &[pinned.as_str()]);
    }
}

#[test]
fn ports_must_be_in_range() {
    for port in ["0", "70000", "-1"] {
        let e = single(&format!("gateway:\n  service:\n    port: {port}\n"));
        assert_eq!(e.path, "gateway.service.port");
        assert!(e.valid.expect("valid").contains("1 to 65535"));
    }
    ok("gateway:\n  service:\n    port: 8080\n    nodePort: 31833\n");
    let e = single("externalServices:\n  postgresql:\n    port: 99999\n");
    assert_eq!(e.path, "externalServices.postgresql.port");
}

#[test]
fn quantities_must_parse() {
    let e = single("gateway:\n  resources:\n    limits:\n      cpu: lots\n");
    assert_eq!(e.path, "gateway.resources.limits.cpu");
    assert!(matches!(e.problem, Problem::Invalid(_)));
    let d = ok(
        "gateway:\n  resources:\n    limits:\n      cpu: 1\n      memory: 2Gi\n    requests:\n      cpu: 500m\n",
    );
    let resources = d
        .config
        .gateway
        .and_then(|g| g.resources)
        .expect("resources");
    let limits = resources.limits.expect("limits");
    assert_eq!(limits["cpu"].0, "1");
    assert_eq!(limits["memory"].0, "2Gi");
    let e = single("gateway:\n  resources:\n    limit:\n      cpu: 1\n");
    assert_eq!(e.valid.as_deref(), Some("did you mean `limits`?"));
}

#[test]
fn kubernetes_names_must_be_dns_labels() {
    let e = single("releaseName: plxAgent\n");
    assert_eq!(e.path, "releaseName");
    assert!(e.to_string().contains("upper-case"), "{e}");
    assert_eq!(ok("releaseName: plxagent\n").release_name, "plxagent");
    let e = single("namespace: My_Namespace\n");
    assert!(e.valid.expect("valid").contains("DNS-1123 label"));
    let e = single(&format!("releaseName: {}\n", "a".repeat(54)));
    assert!(matches!(e.problem, Problem::Invalid(_)));
    let e = single("connections:\n  - name: My.Store\n    kind: s3\n");
    assert_eq!(e.path, "connections[0].name");
    ok("connections:\n  - name: my-store\n    kind: s3\n");
    // A flag is checked too, and the error names the flag.
    let all = load(&LoadOptions {
        release_name: Some("Bad_Name".into()),
        ..LoadOptions::default()
    })
    .expect_err("invalid");
    assert!(
        all.to_string().contains("--release-name: releaseName"),
        "{all}"
    );
}

/// The one error of `yaml`: at `path`, on `line`, never quoting `secret`.
fn name_error(yaml: &str, path: &str, line: usize, secret: &str) -> ConfigError {
    let e = single(yaml);
    assert_eq!(e.path, path, "{e}");
    assert_eq!(e.location.as_ref().map(|l| l.line), Some(line), "{e}");
    let text = e.to_string();
    assert!(!text.contains(secret), "the value is printed: {text}");
    assert!(text.contains("valid: "), "{text}");
    e
}

#[test]
fn secret_and_config_map_names_are_dns_subdomains() {
    for key in ["platformSecret", "agentSecret", "encryptionSecret"] {
        let e = name_error(&format!("{key}: Hunter2_Pw\n"), key, 1, "Hunter2");
        assert!(e.to_string().contains("DNS-1123 subdomain"), "{e}");
        ok(&format!("{key}: polyaxon-secret.v1\n"));
    }
    name_error(
        "connections:\n  - name: s3\n    kind: s3\n    secret:\n      name: AWS Keys\n",
        "connections[0].secret.name",
        5,
        "AWS Keys",
    );
    name_error(
        "connections:\n  - name: s3\n    kind: s3\n    configMap:\n      name: -settings\n",
        "connections[0].configMap.name",
        5,
        "-settings",
    );
    name_error(
        "ssl:\n  secretName: My_TLS\n",
        "ssl.secretName",
        2,
        "My_TLS",
    );
    name_error(
        "imagePullSecrets:\n  - Reg_Cred\n",
        "imagePullSecrets[0]",
        2,
        "Reg_Cred",
    );
    ok("ssl:\n  secretName: polyaxon-tls\nimagePullSecrets:\n  - regcred\n");
}

#[test]
fn claim_names_are_dns_subdomains() {
    name_error(
        "artifactsStore:\n  name: store\n  kind: volume_claim\n  schema:\n    volumeClaim: My Claim\n    mountPath: /plx\n",
        "artifactsStore.schema.volumeClaim",
        5,
        "My Claim",
    );
    name_error(
        "connections:\n  - name: data\n    kind: volume_claim\n    schema:\n      volumeClaim: Data_Claim\n",
        "connections[0].schema.volumeClaim",
        5,
        "Data_Claim",
    );
    name_error(
        "persistence:\n  logs:\n    existingClaim: Logs_Claim\n",
        "persistence.logs.existingClaim",
        3,
        "Logs_Claim",
    );
    // Other schema keys are kept as given.
    let d = ok(
        "artifactsStore:\n  name: store\n  kind: volume_claim\n  schema:\n    volumeClaim: polyaxon-artifacts\n    mountPath: /plx\n    readOnly: true\n",
    );
    let schema = d
        .config
        .artifacts_store
        .and_then(|s| s.schema)
        .expect("schema");
    assert_eq!(schema["mountPath"], serde_json::json!("/plx"));
    assert_eq!(schema["readOnly"], serde_json::json!(true));
}

#[test]
fn namespaces_and_the_release_name_are_checked_from_files_and_flags() {
    name_error("namespace: Team_A\n", "namespace", 1, "Team_A");
    name_error(
        "agent:\n  additionalNamespaces:\n    - ok-ns\n    - Bad NS\n",
        "agent.additionalNamespaces[1]",
        4,
        "Bad NS",
    );
    // A Service is named after the release: it must start with a letter.
    let e = name_error("releaseName: 1plx\n", "releaseName", 1, "1plx");
    assert!(e.to_string().contains("starts with a digit"), "{e}");
    for (options, flag) in [
        (
            LoadOptions {
                release_name: Some("9lives".into()),
                ..LoadOptions::default()
            },
            "--release-name: releaseName",
        ),
        (
            LoadOptions {
                namespace: Some("Prod_NS".into()),
                ..LoadOptions::default()
            },
            "--namespace: namespace",
        ),
    ] {
        let all = load(&options).expect_err("invalid");
        let text = all.to_string();
        assert!(text.contains(flag), "{text}");
        assert!(
            !text.contains("9lives") && !text.contains("Prod_NS"),
            "{text}"
        );
    }
}

#[test]
fn labels_and_node_selectors_are_checked_as_kubernetes_checks_labels() {
    name_error(
        "labels:\n  team: Research Lab\n",
        "labels.team",
        2,
        "Research Lab",
    );
    let e = name_error("labels:\n  bad key: x\n", "labels.bad key", 2, "xx");
    assert!(e.to_string().contains("label key"), "{e}");
    name_error(
        "gateway:\n  nodeSelector:\n    pool: -gpu\n",
        "gateway.nodeSelector.pool",
        3,
        "-gpu",
    );
    name_error(
        "nodeSelector:\n  pool: a b\n",
        "nodeSelector.pool",
        2,
        "a b",
    );
    name_error(
        "priorityClassName: High_Priority\n",
        "priorityClassName",
        1,
        "High_Priority",
    );
    ok(
        "labels:\n  team: research\n  example.com/cost-center: A_1\nnodeSelector:\n  kubernetes.io/os: linux\npriorityClassName: high\n",
    );
}

#[test]
fn a_wide_list_of_duplicate_connections_is_reported_without_names() {
    let mut text = String::from("connections:\n");
    for _ in 0..3 {
        text.push_str("  - name: same-name\n    kind: s3\n");
    }
    let all = errors(&text);
    assert_eq!(
        paths(&all),
        vec!["connections[1].name", "connections[2].name"]
    );
    for e in all.iter() {
        assert!(e.to_string().contains("connections[0].name"), "{e}");
        assert!(!e.to_string().contains("same-name"), "{e}");
    }
}

#[test]
fn thousands_of_errors_list_the_first_and_count_the_rest() {
    let keys = limits::MAX_ERRORS_KEPT * 3;
    let text: String = (0..keys).map(|i| format!("unknown{i}: {i}\n")).collect();
    let all = errors(&text);
    assert_eq!(all.found(), keys);
    assert_eq!(all.len(), limits::MAX_ERRORS_KEPT);
    let shown = all.to_string();
    // One line per error listed (its `valid:` line indented under it), and the count.
    let listed = shown
        .lines()
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .count();
    assert_eq!(listed, limits::MAX_ERRORS_LISTED + 1);
    assert!(
        shown.contains(&format!("… and {} more", keys - limits::MAX_ERRORS_LISTED)),
        "{}",
        shown.lines().last().unwrap_or_default()
    );
    // The first listed are the first written.
    assert!(
        shown.contains(":1:1: unknown0: unknown key"),
        "{shown:.300}"
    );
}

#[test]
fn tolerations_and_affinity_are_checked() {
    let e = single("tolerations:\n  - key: a\n    operator: Exist\n");
    assert_eq!(e.path, "tolerations[0].operator");
    let e = single("affinity:\n  podAfinity: {}\n");
    assert_eq!(e.valid.as_deref(), Some("did you mean `podAffinity`?"));
    let d = ok(
        "tolerations:\n  - key: a\n    operator: Exists\n    effect: NoSchedule\naffinity:\n  podAffinity:\n    preferredDuringSchedulingIgnoredDuringExecution:\n      - weight: 100\n        podAffinityTerm:\n          topologyKey: kubernetes.io/hostname\n",
    );
    assert!(
        matches!(d.config.tolerations, Some(schema::TolerationsSetting::List(ref l)) if l.len() == 1)
    );
    assert!(matches!(
        d.config.affinity,
        Some(schema::AffinitySetting::Affinity(_))
    ));
    // 0.x style, per role.
    let d = ok(
        "tolerations:\n  core:\n    - key: a\n      operator: Exists\naffinity:\n  core:\n    podAffinity: {}\n",
    );
    assert!(matches!(
        d.config.tolerations,
        Some(schema::TolerationsSetting::ByRole(_))
    ));
    assert!(matches!(
        d.config.affinity,
        Some(schema::AffinitySetting::ByRole(_))
    ));
}

#[test]
fn yaml_syntax_errors_have_line_and_column() {
    let e = single("gateway:\n  replicas: 1\n   image: x\n");
    assert!(matches!(e.problem, Problem::Syntax(_)), "{e}");
    let at = e.location.expect("located");
    assert!(at.line >= 2 && at.column >= 1, "{at}");
    ok("gateway:\n  replicas: 1\n  image: x\n");
}

#[test]
fn every_error_is_collected_and_printed() {
    let all = errors(
        "namespce: x\ngateway:\n  replicas: three\n  service:\n    type: Foo\nreleaseName: Bad\nrabbitmq-ha:\n  enabled: true\n",
    );
    assert_eq!(
        paths(&all),
        vec![
            "namespce",
            "gateway.replicas",
            "gateway.service.type",
            "releaseName",
            "rabbitmq-ha"
        ]
    );
    let text = all.to_string();
    assert!(
        text.starts_with("the deployment config has 5 errors:"),
        "{text}"
    );
    for line in [
        ":1:1: namespce",
        ":3:13: gateway.replicas",
        ":5:11: gateway.service.type",
    ] {
        assert!(text.contains(line), "missing {line} in\n{text}");
    }
}

// --- Polyaxon's rules ----------------------------------------------------------------

#[test]
fn the_agent_chart_needs_agent_credentials() {
    let e = single("deploymentChart: agent\n");
    assert_eq!(e.path, "deploymentChart");
    let all = errors("deploymentChart: agent\nagent:\n  enabled: true\n");
    assert_eq!(paths(&all), vec!["agent.instance", "agent.token"]);
    let d = ok("deploymentChart: agent\nagent:\n  instance: acme.agents.1234\n  token: secret\n");
    assert_eq!(d.chart, Chart::Agent);
    ok("deploymentChart: agent\nagentSecret: agent-token\nagent:\n  instance: acme.agents.1234\n");
}

#[test]
fn platform_keys_under_the_agent_chart_are_listed() {
    let all = errors(
        "deploymentChart: agent\nagent:\n  instance: a.b\n  token: t\nuser:\n  password: x\npostgresql:\n  enabled: true\npersistence:\n  logs: {hostPath: /tmp}\nemail: ~\n",
    );
    assert_eq!(paths(&all), vec!["user", "postgresql", "persistence"]);
    assert!(
        all.iter()
            .all(|e| e.to_string().contains("agent chart does not use it"))
    );
}

#[test]
fn postgresql_disabled_needs_an_external_one() {
    let e = single("postgresql:\n  enabled: false\n");
    assert_eq!(e.path, "postgresql.enabled");
    assert_eq!(e.location.map(|l| l.line), Some(2));
    ok(
        "postgresql:\n  enabled: false\nexternalServices:\n  postgresql:\n    host: db\n    port: 5432\n",
    );
}

#[test]
fn redis_in_cluster_and_external_not_both() {
    let e = single(
        "broker: redis\nredis:\n  enabled: true\nexternalServices:\n  redis:\n    host: r\n",
    );
    assert_eq!(e.path, "redis.enabled");
    ok("broker: redis\nexternalServices:\n  redis:\n    host: r\n");
    ok("broker: redis\nredis:\n  enabled: true\n");
}

#[test]
fn rabbitmq_in_cluster_and_external_not_both() {
    let e = single(
        "deploymentVersion: 1.14.0\nrabbitmq-ha:\n  enabled: true\nexternalServices:\n  rabbitmq:\n    host: r\n",
    );
    assert_eq!(e.path, "rabbitmq-ha.enabled");
    ok("deploymentVersion: 1.14.0\nexternalServices:\n  rabbitmq:\n    host: r\n");
}

#[test]
fn redis_must_be_the_broker_or_marked_non_broker() {
    let e = single("redis:\n  enabled: true\n");
    assert_eq!(e.path, "redis");
    ok("redis:\n  enabled: true\n  nonBroker: true\n");
    let e = single("deploymentVersion: 1.14.0\nbroker: redis\nrabbitmq-ha:\n  enabled: true\n");
    assert_eq!(e.path, "broker");
}

#[test]
fn a_rule_about_an_external_service_is_placed_at_it() {
    let e = single("externalServices:\n  redis:\n    host: redis.example.com\n");
    assert_eq!(e.path, "externalServices.redis");
    assert_eq!(e.location.as_ref().map(|l| l.line), Some(2), "{e}");
}

#[test]
fn services_needing_a_broker_need_one() {
    let e = single("scheduler:\n  enabled: true\nworker:\n  enabled: true\n");
    assert_eq!(e.path, "scheduler.enabled");
    assert!(
        e.to_string()
            .contains("`scheduler`, `worker` need a broker"),
        "{e}"
    );
    ok("scheduler:\n  enabled: true\nbroker: redis\nredis:\n  enabled: true\n");
    ok("deploymentVersion: 1.14.0\nscheduler:\n  enabled: true\nrabbitmq-ha:\n  enabled: true\n");
}

#[test]
fn connection_names_are_unique_including_the_artifacts_store() {
    let e = single(
        "artifactsStore:\n  name: store\n  kind: host_path\nconnections:\n  - name: a\n    kind: s3\n  - name: store\n    kind: s3\n",
    );
    assert_eq!(e.path, "connections[1].name");
    assert_eq!(e.location.as_ref().map(|l| l.line), Some(7));
    assert!(e.to_string().contains("artifactsStore.name"));
    let e = single("connections:\n  - name: a\n  - name: a\n");
    assert_eq!(e.path, "connections[1].name");
    ok("artifactsStore:\n  name: store\nconnections:\n  - name: a\n  - name: b\n");
}

#[test]
fn security_context_needs_user_and_group_or_neither() {
    for yaml in [
        "securityContext:\n  enabled: true\n  runAsUser: 2222\n",
        "securityContext:\n  enabled: true\n  group: 2222\n",
    ] {
        let e = single(yaml);
        assert!(e.path.starts_with("securityContext."), "{e}");
        assert!(matches!(e.problem, Problem::Rule(_)));
    }
    ok("securityContext:\n  enabled: true\n  runAsUser: 2222\n  runAsGroup: 2222\n");
    ok("securityContext:\n  enabled: true\n  user: 2222\n  group: 2222\n");
    ok("securityContext:\n  enabled: false\n");
}

#[test]
fn a_1x_platform_refuses_an_agent_section_unless_staging() {
    let e = single("deploymentVersion: 1.14.0\nagent:\n  enabled: false\n");
    assert_eq!(e.path, "agent");
    ok("deploymentVersion: 1.14.0\nenvironment: staging\nagent:\n  enabled: false\n");
    ok("agent:\n  enabled: false\n");
}

// --- ponos ---------------------------------------------------------------------

const PONOS: &str = "deploymentChart: ponos\ndeploymentVersion: 0.3.1\nnamespace: arkindex\nponos:\n  url: https://arkindex.example.com\n  farm_id: 6f2c\n  seed: s3cr3t\n  data_dir: /data\n  kubernetes:\n    pvc_name: ponos-data\n    storage_size: 100Gi\n    extra_volumes:\n      - name: company-ca\n        pvc_name: my-ca-bundle\n        mount_path: /ssl\n        read_only: true\n    extra_environment:\n      REQUESTS_CA_BUNDLE: /ssl/ca-bundle.crt\n";

#[test]
fn the_ponos_chart_reads_its_section() {
    let d = ok(PONOS);
    assert_eq!(d.chart, Chart::Ponos);
    assert_eq!(d.version.version.to_string(), "0.3.1");
    let ponos = d.config.ponos.expect("ponos");
    assert_eq!(ponos.farm_id.as_deref(), Some("6f2c"));
    let k = ponos.kubernetes.expect("kubernetes");
    assert_eq!(k.pvc_name.as_deref(), Some("ponos-data"));
    assert_eq!(k.extra_volumes.expect("volumes")[0].read_only, Some(true));
}

#[test]
fn the_ponos_chart_needs_an_explicit_version_and_its_settings() {
    let e = single(&PONOS.replace("deploymentVersion: 0.3.1\n", ""));
    assert!(
        matches!(
            e.problem,
            Problem::Version(version::PinError::PonosNeedsVersion)
        ),
        "{e}"
    );
    let all =
        errors("deploymentChart: ponos\ndeploymentVersion: 0.3.1\nponos:\n  url: https://a\n");
    assert_eq!(
        paths(&all),
        vec!["ponos.farm_id", "ponos.seed", "ponos.kubernetes.pvc_name"]
    );
    let e = single(&format!("{PONOS}gateway:\n  replicas: 2\n"));
    assert_eq!(e.path, "gateway");
    assert!(e.to_string().contains("not used by the ponos chart"));
    let e = single(&PONOS.replace("pvc_name: ponos-data", "pvc_name: Ponos_Data"));
    assert_eq!(e.path, "ponos.kubernetes.pvc_name");
}

#[test]
fn a_ponos_section_needs_the_ponos_chart() {
    let e = single("ponos:\n  url: https://a\n");
    assert_eq!(e.path, "ponos");
}

// --- the key table and the typed model agree -----------------------------------------

/// A sample value for a type, canonical spellings only.
fn sample(ty: &keys::Ty) -> serde_json::Value {
    use keys::Ty;
    use serde_json::json;
    match ty {
        Ty::Str => json!("x"),
        Ty::Int => json!(1),
        Ty::Bool => json!(true),
        Ty::Port => json!(80),
        Ty::Quantity => json!("1"),
        Ty::Label | Ty::ReleaseName | Ty::Subdomain => json!("abc"),
        Ty::Enum(values) => json!(values[0]),
        Ty::Dict => json!({"a": 1}),
        Ty::StrMap | Ty::LabelMap => json!({"a": "b"}),
        Ty::List(item) => json!([sample(item)]),
        Ty::Struct(fields) | Ty::Open(fields) => serde_json::Value::Object(
            fields
                .iter()
                .filter(|k| k.alias_of.is_none())
                .map(|k| (k.name.to_string(), sample(&k.ty)))
                .collect(),
        ),
        Ty::MapOf(item) => json!({"n": sample(item)}),
        Ty::Resources => json!({"limits": {"cpu": "1"}}),
        Ty::TolerationsSetting => json!([{"key": "a", "operator": "Exists"}]),
        Ty::AffinitySetting => json!({"podAffinity": {}}),
    }
}

fn assert_present(fields: &[keys::Key], built: &serde_json::Value, path: &str) {
    use keys::Ty;
    // The other way round: a model field the table lacks is serialised as
    // `null` (the sample never fills it), and no config could ever set it.
    if let Some(object) = built.as_object() {
        for name in object.keys() {
            assert!(
                keys::find(fields, name).is_some(),
                "the key table lacks `{path}.{name}` that config::schema declares: add it to config::keys"
            );
        }
    }
    for key in fields.iter().filter(|k| k.alias_of.is_none()) {
        let here = format!("{path}.{}", key.name);
        let value = match built.get(key.name) {
            Some(serde_json::Value::Null) | None => {
                panic!("the typed model drops `{here}`: add the field to config::schema")
            }
            Some(value) => value,
        };
        match &key.ty {
            Ty::Struct(inner) | Ty::Open(inner) => assert_present(inner, value, &here),
            Ty::List(Ty::Struct(inner)) => assert_present(inner, &value[0], &format!("{here}[0]")),
            Ty::MapOf(Ty::Struct(inner)) => {
                assert_present(inner, &value["n"], &format!("{here}.n"))
            }
            _ => {}
        }
    }
}

#[test]
fn the_typed_model_and_the_key_table_declare_the_same_keys() {
    let sampled = sample(&keys::Ty::Struct(keys::ROOT));
    let config: DeploymentConfig = serde_path_to_error::deserialize(sampled.clone())
        .unwrap_or_else(|e| panic!("the model refuses {}: {e}", e.path()));
    let built = serde_json::to_value(&config).expect("serialises");
    assert_present(keys::ROOT, &built, "");
}

// --- Polyaxon's own fixtures -------------------------------------------------------------

fn fixtures_dir() -> PathBuf {
    let dir = crate::shared_dir()
        .map(|d| d.join("reference/polyaxon-configs"))
        .filter(|d| d.is_dir());
    dir.expect(
        "the shared fixtures are missing: set POLYAXON_SHARED_DIR, or put shared/ beside the repository",
    )
}

fn load_fixture(name: &str, extra: &[&str]) -> Result<Deployment, ConfigErrors> {
    let mut files = vec![fixtures_dir().join(name)];
    for (i, text) in extra.iter().enumerate() {
        files.push(file(&format!("overlay{i}.yml"), text));
    }
    load(&LoadOptions {
        files,
        ..LoadOptions::default()
    })
}

/// Errors this tool reports beyond Polyaxon's own rules, on purpose: the
/// release name `plxAgent` is refused by Kubernetes, and an agent without
/// instance and token cannot connect. Fixtures hitting only these are checked
/// again with an overlay that fixes them.
const TOOL_RULES: &[&str] = &["releaseName", "agent.instance", "agent.token"];
const TOOL_FIX: &str = "releaseName: plxagent\nagent:\n  instance: acme.agents.1\n  token: t0k3n\n";

fn accepted(name: &str, extra: &[&str]) {
    match load_fixture(name, extra) {
        Ok(_) => {}
        Err(all) => {
            assert!(
                all.iter().all(|e| TOOL_RULES.contains(&e.path.as_str())),
                "{name} must be accepted, got:\n{all}"
            );
            let mut fixed = extra.to_vec();
            fixed.push(TOOL_FIX);
            if let Err(all) = load_fixture(name, &fixed) {
                panic!("{name} must be accepted once the tool's own rules are met, got:\n{all}");
            }
        }
    }
}

/// Rejected, naming every key in `named` (a path or its parent), and nothing
/// but those, the tool's own rules and `also`.
fn rejected(name: &str, extra: &[&str], named: &[&str], also: &[&str]) {
    let all = match load_fixture(name, extra) {
        Ok(_) => panic!("{name} must be rejected"),
        Err(all) => all,
    };
    let matches = |path: &str, key: &str| {
        path == key || path.starts_with(&format!("{key}.")) || path.ends_with(&format!(".{key}"))
    };
    for key in named {
        assert!(
            all.iter().any(|e| matches(&e.path, key)),
            "{name}: no error names `{key}`:\n{all}"
        );
    }
    for error in all.iter() {
        let expected = named
            .iter()
            .chain(also)
            .chain(TOOL_RULES)
            .any(|k| matches(&error.path, k));
        assert!(expected, "{name}: unexpected error {error}");
        assert!(
            error.location.is_some(),
            "{name}: error without a place: {error}"
        );
    }
}

#[test]
fn fixtures_pinned_to_1x_follow_the_1_14_verdicts() {
    for name in [
        "polyaxon-1.14-all_agent_values.yml",
        "polyaxon-1.14-all_platform_values.yml",
        "polyaxon-1.14-external_pgsql_values.yml",
        "polyaxon-1.14-external_rabbitmq_values.yml",
        "polyaxon-1.14-external_redis_values.yml",
        "polyaxon-1.14-internal_redis_rabbitmq_values.yml",
        "polyaxon-1.14-monitoring_values.yml",
        "polyaxon-1.14-values1.yml",
        "polyaxon-1.14-values2.yml",
        "polyaxon-1.14-values3.yml",
        "polyaxon-1.14-values4.yml",
        "polyaxon-1.14-values5.yml",
        "polyaxon-1.14-values6.yml",
        // Untested by the 1.14 suite (it read wrong_values2 by mistake); valid here.
        "polyaxon-1.14-wrong_values1.yml",
    ] {
        accepted(name, &[PIN_1X]);
    }
    let pin = &[PIN_1X];
    rejected(
        "polyaxon-1.14-wrong_values2.yml",
        pin,
        &["api.replicas", "nodeSelectors"],
        &[],
    );
    rejected("polyaxon-1.14-wrong_values3.yml", pin, &["scheduler"], &[]);
    rejected(
        "polyaxon-1.14-wrong_values4.yml",
        pin,
        &["deploymentChart", "user", "scheduler", "rabbitmq-ha"],
        &[],
    );
    rejected(
        "polyaxon-1.14-wrong_values5.yml",
        pin,
        &["postgresql.enabled"],
        &[],
    );
    rejected("polyaxon-1.14-wrong_values6.yml", pin, &["scheduler"], &[]);
    rejected(
        "polyaxon-1.14-wrong_values7.yml",
        pin,
        &["postgresql.enabled"],
        &[],
    );
    rejected(
        "polyaxon-1.14-wrong_values8.yml",
        pin,
        &["redis", "rabbitmq-ha"],
        &[],
    );
    rejected(
        "polyaxon-1.14-wrong_values9.yml",
        pin,
        &["email.useTLS"],
        &[],
    );
}

#[test]
fn unpinned_fixtures_follow_the_2_18_verdicts_except_seed_parameters() {
    // The 2.18 reader refuses `broker: rabbitmq` and `rabbitmq` (config3);
    // every 2.x chart renders them, so they are accepted here.
    for name in [
        "charts-2.15-ci-default.yml",
        "charts-2.15-ci-test-config1.yml",
        "charts-2.15-ci-test-config2.yml",
        "charts-2.15-ci-test-config3.yml",
        "polyaxon-1.14-external_pgsql_values.yml",
        "polyaxon-1.14-external_redis_values.yml",
        "polyaxon-1.14-monitoring_values.yml",
        "polyaxon-1.14-values1.yml",
        "polyaxon-1.14-wrong_values1.yml",
    ] {
        accepted(name, &[]);
    }
    let none: &[&str] = &[];
    rejected(
        "charts-2.15-ci-validate-values1.yml",
        none,
        &["serviceType"],
        &[],
    );
    // `persistence` is a seed parameter: accepted here although 2.18 refuses it.
    rejected(
        "charts-2.15-ci-validate-values2.yml",
        none,
        &[
            "serviceType",
            "api",
            "hpsearch",
            "eventsHandlers",
            "k8sEventsHandlers",
            "eventMonitors",
        ],
        &[],
    );
    rejected(
        "charts-2.15-ci-validate-values3.yml",
        none,
        &[
            "serviceType",
            "nodeSelectors",
            "api",
            "hpsearch",
            "eventsHandlers",
            "k8sEventsHandlers",
            "eventMonitors",
        ],
        &["postgresql.enabled"],
    );
    rejected(
        "polyaxon-1.14-all_agent_values.yml",
        none,
        &["agent.isReplica", "agent.compressedLogs", "streams"],
        &[],
    );
    // The README's "1.x keys (…, ...)": the 2.18 reader names these eleven,
    // and `externalServices.rabbitmq`, which every 2.x chart renders.
    rejected(
        "polyaxon-1.14-all_platform_values.yml",
        none,
        &[
            "agent.isReplica",
            "agent.compressedLogs",
            "intervals.runsScheduler",
            "intervals.operationsDefaultRetryDelay",
            "intervals.operationsMaxRetryDelay",
            "api",
            "streams",
            "hooks",
            "tablesHook",
            "rabbitmq-ha",
        ],
        &[],
    );
    // The 2.18 reader also names `externalServices.rabbitmq` and `broker`
    // here; the 2.x charts render both.
    rejected(
        "polyaxon-1.14-external_rabbitmq_values.yml",
        none,
        &["rabbitmq-ha"],
        &[],
    );
    rejected(
        "polyaxon-1.14-internal_redis_rabbitmq_values.yml",
        none,
        &["rabbitmq-ha"],
        &[],
    );
    // The 1.x keys the 2.18 reader names in each (README: "rejected for 1.x keys").
    for (name, named) in [
        ("polyaxon-1.14-values2.yml", &["api"][..]),
        ("polyaxon-1.14-values3.yml", &["api", "rabbitmq-ha"][..]),
        (
            "polyaxon-1.14-values4.yml",
            &["api", "hooks", "tablesHook"][..],
        ),
        (
            "polyaxon-1.14-values5.yml",
            &[
                "scheduler.celery.confirmPublish",
                "worker.celery.confirmPublish",
                "api",
                "hooks",
                "tablesHook",
                "rabbitmq-ha",
            ][..],
        ),
        ("polyaxon-1.14-values6.yml", &["streams"][..]),
    ] {
        rejected(name, none, named, &[]);
        let all = load_fixture(name, &[]).expect_err(name);
        assert!(
            all.iter()
                .filter(|e| !TOOL_RULES.contains(&e.path.as_str()))
                .all(|e| matches!(
                    e.problem,
                    Problem::OtherGeneration {
                        key_generation: "1.x",
                        ..
                    }
                )),
            "{name}: every error is a 1.x key:\n{all}"
        );
    }
    for (name, key) in [
        ("polyaxon-1.14-wrong_values2.yml", "api"),
        ("polyaxon-1.14-wrong_values3.yml", "scheduler.enabled"),
        ("polyaxon-1.14-wrong_values4.yml", "deploymentChart"),
        ("polyaxon-1.14-wrong_values5.yml", "postgresql.enabled"),
        ("polyaxon-1.14-wrong_values6.yml", "rabbitmq-ha"),
        ("polyaxon-1.14-wrong_values7.yml", "postgresql.enabled"),
        ("polyaxon-1.14-wrong_values8.yml", "rabbitmq-ha"),
        ("polyaxon-1.14-wrong_values9.yml", "email.useTLS"),
    ] {
        let all = load_fixture(name, &[]).expect_err(name);
        assert!(
            all.iter().any(|e| e.path == key),
            "{name}: {key} not named:\n{all}"
        );
    }
}

#[test]
fn unpinned_1x_keys_in_fixtures_explain_how_to_pin() {
    let all =
        load_fixture("polyaxon-1.14-external_rabbitmq_values.yml", &[]).expect_err("rejected");
    for error in all.iter() {
        assert!(
            matches!(
                error.problem,
                Problem::OtherGeneration {
                    key_generation: "1.x",
                    ..
                }
            ),
            "{error}"
        );
        let valid = error.valid.as_deref().unwrap_or("");
        assert!(valid.contains("deploymentVersion: 1."), "{valid}");
    }
}

// --- every parameter of shared/design/parameters.md ------------------------------------

/// The agent seed (`000_…`, `001_…`): every parameter of its table.
const SEED_AGENT: &str = "deploymentChart: agent
namespace: polyaxon
ingress:
  enabled: true
  path: /
  hostName: plx.example.com
  tls:
    - secretName: plx-tls
      hosts: [plx.example.com]
  annotations: {nginx.ingress.kubernetes.io/proxy-body-size: 4G}
gateway:
  service:
    type: NodePort
    annotations: {a: b}
ssl: {enabled: true, secretName: plx-tls, path: /etc/ssl}
dns: {backend: coredns, prefix: coredns.kube-system, customCluster: cluster.local}
auth: {enabled: true, useResolver: true}
timeZone: Europe/Paris
nodeSelector: {polyaxon: core}
tolerations:
  - {key: dedicated, operator: Equal, value: polyaxon, effect: NoSchedule}
affinity:
  podAffinity:
    preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 100
        podAffinityTerm:
          labelSelector:
            matchExpressions:
              - {key: type, operator: In, values: [polyaxon-core]}
          topologyKey: kubernetes.io/hostname
externalServices:
  api: {host: https://cloud.polyaxon.com, port: 443}
agent: {instance: acme.agents.1234, token: t0k3n}
securityContext: {enabled: true, user: 2222, group: 2222}
artifactsStore:
  name: store
  kind: s3
  schema: {bucket: s3://store}
  secret: {name: s3-secret}
connections:
  - {name: data, kind: volume_claim, schema: {volumeClaim: data, mountPath: /data}}
mountConnections: [data]
notificationConnections:
  - {name: slack, kind: slack, secret: {name: slack-secret}}
";

/// The 0.x platform seed (`002_…`, `004_…`): every parameter of its table
/// except `rabbitmq-ha` (1.x only, see the issue) and the per-role forms.
const SEED_PLATFORM: &str = "DeploymentType: minikube
namespace: polyaxon
rbac: {enabled: true}
ingress: {enabled: true, hostName: plx.example.com, annotations: {a: b}}
api:
  service:
    annotations: {a: b}
ssl: {enabled: false}
dns: {customCluster: cluster.local}
timeZone: UTC
user: {username: root, email: root@polyaxon.local, password: rootpassword}
dirs:
  nvidia: {lib: /usr/lib/nvidia, bin: /usr/bin, libcuda: /usr/lib/x86_64-linux-gnu}
mountPaths:
  nvidia: {lib: /usr/lib/nvidia, bin: /usr/bin, libcuda: /usr/lib/x86_64-linux-gnu}
persistence:
  enabled: true
  logs: {existingClaim: logs-pvc, mountPath: /logs}
  repos: {hostPath: /tmp/repos, mountPath: /repos}
  upload: {hostPath: /tmp/upload, mountPath: /upload}
  data:
    data1: {existingClaim: data-1-pvc, mountPath: /data/1, readOnly: true}
    data2: {store: s3, bucket: s3://data, secret: s3-secret, secretKey: key.json, mountPath: /data/2}
  outputs:
    outputs1: {hostPath: /tmp/outputs, mountPath: /outputs}
nodeSelectors:
  core: {polyaxon: core}
  experiments: {polyaxon: experiments}
  jobs: {polyaxon: jobs}
  builds: {polyaxon: builds}
  tensorboards: {polyaxon: tensorboards}
postgresql: {enabled: true, persistence: {enabled: true, size: 10Gi}}
broker: redis
redis: {enabled: true}
docker-registry: {enabled: true}
resourcesDaemon:
  enabled: true
  tolerations:
    - {operator: Exists}
secretRefs: [s1]
configmapRefs: [c1]
allowedHosts: [127.0.0.1]
hostName: plx.example.com
adminViewEnabled: true
email: {host: smtp.example.com, port: 587, useTls: true, hostUser: u, hostPassword: p}
";

/// The 0.x per-role scheduling forms, and the seed's `registry` spelling.
const SEED_PER_ROLE: &str = "tolerations:
  core: [{key: a, operator: Exists}]
  experiments: [{key: a, operator: Exists}]
  jobs: []
  builds: []
  tensorboards: []
  resourcesDaemon: [{operator: Exists}]
affinity:
  core: {podAffinity: {}}
  experiments: {}
  jobs: {}
  builds: {}
  tensorboards: {}
registry: {enabled: false}
timezone: UTC
";

#[test]
fn every_seed_parameter_is_accepted_in_both_generations() {
    for pin in ["", PIN_1X] {
        for (name, config) in [
            ("agent", SEED_AGENT),
            ("platform", SEED_PLATFORM),
            ("per role", SEED_PER_ROLE),
        ] {
            // 1.x refuses `mountConnections` (a 2.x key the agent seed does not name).
            let config = if pin.is_empty() {
                config.to_string()
            } else {
                config.replace("mountConnections: [data]\n", "")
            };
            if let Err(all) = check(&format!("{pin}{config}")) {
                panic!(
                    "seed {name} ({}) refused:\n{all}",
                    if pin.is_empty() { "2.x" } else { "1.x" }
                );
            }
        }
    }
    // Ponos versions are Ponos's own: 0.3.1 does not bring the 1.x rules.
    let d = ok(&format!("{PONOS}labels: {{team: ocr}}\n"));
    assert_eq!(d.generation, Generation::V2);
    let d = ok(SEED_AGENT);
    assert_eq!(d.config.timezone.as_deref(), Some("Europe/Paris"));
    assert_eq!(d.config.notification_connections.map(|c| c.len()), Some(1));
    let d = ok(SEED_PLATFORM);
    assert_eq!(
        d.config.deployment_type,
        Some(schema::DeploymentType::Minikube)
    );
    let registry = ok(SEED_PER_ROLE)
        .config
        .docker_registry
        .expect("registry spelling folded");
    assert_eq!(registry.enabled, Some(false));
}
