//! What holds for every manifest: the release labels, names that fit, apply
//! order, determinism, redaction and the output formats.

use polyaxon_core::config::Generation;
use polyaxon_core::render::{Hook, Manifest, Stage, output, release_selector};
use serde_json::Value;

use crate::support::*;

fn samples() -> Vec<(&'static str, Manifest)> {
    vec![
        (
            "platform",
            render("ingress: {enabled: true}\nredis: {enabled: true}\nbroker: redis\nscheduler: {enabled: true}\ngateway: {hpa: {enabled: true}}\nflower: {enabled: true}\n"),
        ),
        ("platform 1.x", render_v1("rabbitmq-ha: {enabled: true}\n")),
        ("agent", agent("ingress: {enabled: true}\n")),
        (
            "ponos",
            try_render_with(
                "deploymentChart: ponos\nponos: {url: 'https://a', farm_id: f, seed: s, kubernetes: {pvc_name: p}}\n",
                "0.9.1",
            )
            .unwrap(),
        ),
    ]
}

#[test]
fn every_object_carries_the_release_labels() {
    for (chart, m) in samples() {
        assert!(!m.objects.is_empty());
        for o in &m.objects {
            let labels = json(o)["metadata"]["labels"].clone();
            // The bitnami subcharts' objects carry their own labels: the
            // release's two, and name (and component), as the chart.
            let subchart = matches!(
                labels["app.kubernetes.io/name"].as_str(),
                Some("postgresql" | "redis" | "rabbitmq" | "rabbitmq-ha")
            );
            assert_eq!(
                labels["app.kubernetes.io/managed-by"],
                "polyaxon",
                "{chart} {}",
                o.id()
            );
            assert_eq!(
                labels["app.kubernetes.io/instance"],
                RELEASE,
                "{chart} {}",
                o.id()
            );
            // And the chart's own.
            assert!(
                labels["app.kubernetes.io/name"].is_string(),
                "{chart} {}",
                o.id()
            );
            if subchart {
                continue;
            }
            assert!(
                labels["app.kubernetes.io/version"].is_string(),
                "{chart} {}",
                o.id()
            );
            assert!(
                labels["app.kubernetes.io/part-of"].is_string(),
                "{chart} {}",
                o.id()
            );
        }
    }
}

#[test]
fn the_release_selector_matches_every_object() {
    let selector = release_selector(RELEASE);
    let pairs: Vec<(&str, &str)> = selector
        .split(',')
        .map(|kv| kv.split_once('=').expect("key=value"))
        .collect();
    for (chart, m) in samples() {
        for o in &m.objects {
            let labels = o.object.metadata.labels.clone().unwrap_or_default();
            for (k, v) in &pairs {
                assert_eq!(
                    labels.get(*k).map(String::as_str),
                    Some(*v),
                    "{chart} {}",
                    o.id()
                );
            }
        }
    }
}

#[test]
fn long_release_names_are_cut_to_63_as_the_charts_do() {
    // A valid release name (a DNS label, at most 63) that overflows every
    // derived name.
    let release = "a-release-name-long-enough-to-overflow-the-derived-names-60c";
    assert_eq!(release.len(), 60);
    let config = polyaxon_core::config::schema::DeploymentConfig::default();
    let raw = serde_json::json!({});
    let target = polyaxon_core::render::Target {
        config: &config,
        raw: &raw,
        chart: polyaxon_core::config::Chart::Platform,
        release,
        namespace: "polyaxon",
        version: VERSION,
        generation: Generation::V2,
        chart_version: &polyaxon_core::chart_version::ChartVersion::exactly(2, 15, 1),
    };
    let m = polyaxon_core::render::render_target(
        &target,
        &polyaxon_core::render::ReleaseState::placeholder(release),
    )
    .unwrap();
    for o in &m.objects {
        assert!(
            o.name().len() <= 63,
            "{} is {} long",
            o.id(),
            o.name().len()
        );
        for (k, v) in o.object.metadata.labels.clone().unwrap_or_default() {
            assert!(v.len() <= 63, "{} label {k}={v}", o.id());
        }
    }
    // The gateway keeps its part, distinct from the others.
    let gateway = m
        .objects
        .iter()
        .find(|o| o.kind() == "Service" && o.name().ends_with("-gateway"));
    assert!(gateway.is_some());
}

#[test]
fn objects_come_in_apply_order_with_hooks_last() {
    for (chart, m) in samples() {
        let mut seen_hook = false;
        let mut last = Stage::Crds;
        for o in &m.objects {
            match o.hook {
                None => {
                    assert!(!seen_hook, "{chart}: {} after a hook", o.id());
                    assert!(
                        o.stage >= last,
                        "{chart}: {} ({:?}) after {:?}",
                        o.id(),
                        o.stage,
                        last
                    );
                    last = o.stage;
                    let expected = match o.kind() {
                        "Namespace" | "CustomResourceDefinition" => Stage::Crds,
                        "ServiceAccount" | "Role" | "RoleBinding" | "ClusterRole"
                        | "ClusterRoleBinding" => Stage::Rbac,
                        "ConfigMap" | "Secret" | "PersistentVolumeClaim" => Stage::Config,
                        "Service" | "NetworkPolicy" => Stage::Services,
                        "Deployment"
                        | "StatefulSet"
                        | "DaemonSet"
                        | "HorizontalPodAutoscaler"
                        | "PodDisruptionBudget" => Stage::Workloads,
                        "Ingress" => Stage::Ingress,
                        other => panic!("{chart}: unexpected kind {other}"),
                    };
                    assert_eq!(o.stage, expected, "{chart} {}", o.id());
                }
                Some(_) => {
                    seen_hook = true;
                    assert_eq!(o.kind(), "Job", "{chart} {}", o.id());
                }
            }
        }
        assert_eq!(m.objects[0].kind(), "Namespace", "{chart}");
    }
}

#[test]
fn rendering_is_deterministic_byte_for_byte() {
    let yaml = "ingress: {enabled: true, hostName: a.b}\nredis: {enabled: true, nonBroker: true}\nconnections: [{name: c, kind: host_path, schema: {hostPath: /a, mountPath: /b}}]\nmountConnections: [c]\n";
    let a = output::to_yaml(&render(yaml), true).unwrap();
    let b = output::to_yaml(&render(yaml), true).unwrap();
    assert_eq!(a, b);
    let a = output::to_json(&agent(""), false).unwrap();
    let b = output::to_json(&agent(""), false).unwrap();
    assert_eq!(a, b);
}

#[test]
fn secrets_are_redacted_unless_shown() {
    let m = agent("");
    let text = output::to_yaml(&m, false).unwrap();
    assert!(
        !text.contains("dG9rLTEyMw"),
        "base64 of the token must not show"
    );
    assert!(text.contains("POLYAXON_AUTH_TOKEN: <redacted>"));
    let shown = output::to_yaml(&m, true).unwrap();
    assert!(
        shown.contains("POLYAXON_AUTH_TOKEN: dG9rLTEyMw=="),
        "{shown}"
    );
    // JSON too.
    let json_text = output::to_json(&m, false).unwrap();
    let list: Value = serde_json::from_str(&json_text).unwrap();
    let secrets: Vec<&Value> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["kind"] == "Secret")
        .collect();
    assert!(!secrets.is_empty());
    for s in secrets {
        for v in s["data"].as_object().unwrap().values() {
            assert_eq!(v, "<redacted>");
        }
    }
}

#[test]
fn yaml_output_is_multi_document_in_order_with_hooks_marked() {
    let m = render("");
    let text = output::to_yaml(&m, false).unwrap();
    let docs: Vec<&str> = text.split("---\n").filter(|d| !d.is_empty()).collect();
    assert_eq!(docs.len(), m.objects.len());
    for (doc, o) in docs.iter().zip(&m.objects) {
        match o.hook {
            Some(hook) => assert!(doc.starts_with(&format!("# hook: {hook}\n")), "{doc}"),
            None => assert!(doc.starts_with("apiVersion: "), "{doc}"),
        }
        assert!(doc.contains(&format!("\nkind: {}\n", o.kind())));
        let parsed: serde_yaml::Value = serde_yaml::from_str(doc).expect("each document is YAML");
        assert_eq!(parsed["metadata"]["name"].as_str(), Some(o.name()));
    }
    assert!(text.contains("# hook: pre-delete\n"));
    assert!(text.contains("# hook: post-install\n"));
    // In JSON the moment is an annotation.
    let list: Value = serde_json::from_str(&output::to_json(&m, false).unwrap()).unwrap();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), m.objects.len());
    let hooks = list
        .iter()
        .filter(|o| o["metadata"]["annotations"]["polyaxon.com/hook"] == Hook::PreDelete.as_str())
        .count();
    assert_eq!(hooks, 1);
}

#[test]
fn pod_templates_carry_a_checksum_of_the_config() {
    let a = render("timezone: UTC\n");
    let b = render("timezone: Europe/Paris\n");
    let sum = |m: &Manifest| {
        container(m, "Deployment", &name("agent"));
        get(m, "Deployment", &name("gateway"))["spec"]["template"]["metadata"]["annotations"]["checksum/config"].clone()
    };
    assert!(sum(&a).is_string());
    assert_ne!(sum(&a), sum(&b), "a config change rolls the pods");
    assert_eq!(sum(&a), sum(&render("timezone: UTC\n")));
}

#[test]
fn generated_values_come_from_the_release_state() {
    use polyaxon_core::config::{LoadOptions, load};
    use polyaxon_core::render::{ReleaseState, render};
    let dir = std::env::temp_dir().join(format!("polyaxon-state-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("c.yml");
    std::fs::write(&path, "deploymentVersion: 2.18.0\nuser: {password: null}\n").unwrap();
    let deployment = load(&LoadOptions {
        files: vec![path],
        ..LoadOptions::default()
    })
    .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let pg = format!("{}-postgresql", deployment.release_name);
    let platform_secret = format!("{}-polyaxon-platform-secret", deployment.release_name);
    let common_secret = format!("{}-polyaxon-secret", deployment.release_name);
    let a = ReleaseState::new_for(&deployment.release_name);
    let b = ReleaseState::new_for(&deployment.release_name);
    let with = |state: &ReleaseState| render(&deployment, state).unwrap();
    // The same state renders the same secrets, upgrade after upgrade.
    assert_eq!(with(&a), with(&a));
    assert_eq!(
        secret(&with(&a), &pg, "postgres-password"),
        Some(a.postgres_password.clone())
    );
    assert_eq!(
        secret(&with(&a), &platform_secret, "POLYAXON_ADMIN_PASSWORD"),
        Some(a.admin_password.clone())
    );
    assert_eq!(
        secret(&with(&a), &common_secret, "POLYAXON_SECRET_KEY"),
        Some(a.secret_key.clone())
    );
    // Another release's state renders other values.
    assert_ne!(
        secret(&with(&a), &pg, "postgres-password"),
        secret(&with(&b), &pg, "postgres-password")
    );
}
