//! The ponos chart: the seed's setup (`003_…`), with its weaknesses fixed.

use polyaxon_core::render::{Manifest, Stage};
use serde_json::{Value, json};

use crate::support::*;

const BASE: &str = "deploymentChart: ponos\nponos:\n  url: https://arkindex.acme.com\n  farm_id: farm-1\n  seed: s33d-value\n  kubernetes:\n    pvc_name: ponos-data\n";

fn ponos(extra_kubernetes: &str, extra_top: &str) -> Manifest {
    try_render_with(&format!("{BASE}{extra_kubernetes}{extra_top}"), "0.9.1").expect("renders")
}

fn agent_yml(m: &Manifest) -> Value {
    let text =
        secret(m, &format!("{RELEASE}-config"), "agent.yml").expect("agent.yml in the Secret");
    let yaml: serde_yaml::Value = serde_yaml::from_str(&text).expect("agent.yml is YAML");
    serde_json::to_value(yaml).unwrap()
}

fn agent_deployment(m: &Manifest) -> Value {
    get(m, "Deployment", &format!("{RELEASE}-agent"))
}

#[test]
fn url_farm_id_and_seed_go_to_the_agent_config_in_a_secret() {
    let m = ponos("", "");
    let config = agent_yml(&m);
    assert_eq!(config["url"], "https://arkindex.acme.com");
    assert_eq!(config["farm_id"], "farm-1");
    assert_eq!(config["seed"], "s33d-value");
    assert_eq!(config["kubernetes"]["pvc_name"], "ponos-data");
    // The seed is in no ConfigMap.
    assert_eq!(all(&m, "ConfigMap").count(), 0);
    for o in &m.objects {
        if o.kind() != "Secret" {
            assert!(!json(o).to_string().contains("s33d-value"), "{}", o.id());
        }
    }
    // Mounted at /etc/ponos/ from that Secret.
    let d = agent_deployment(&m);
    let c = &d["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(mount(c, "/etc/ponos/").unwrap()["readOnly"], true);
    let config_volume = volume(&d, "config-volume").unwrap();
    assert_eq!(
        config_volume["secret"]["secretName"],
        format!("{RELEASE}-config")
    );
}

#[test]
fn the_required_keys_are_named_when_missing() {
    for (drop, key) in [
        ("  url: https://arkindex.acme.com\n", "ponos.url"),
        ("  farm_id: farm-1\n", "ponos.farm_id"),
        ("  seed: s33d-value\n", "ponos.seed"),
        (
            "  kubernetes:\n    pvc_name: ponos-data\n",
            "ponos.kubernetes.pvc_name",
        ),
    ] {
        let yaml = BASE.replace(drop, "");
        let err = try_render_with(&yaml, "0.9.1").expect_err(key);
        assert!(err.contains(key), "{key}: {err}");
    }
}

#[test]
fn data_dir_sets_the_config_and_the_data_mount() {
    let c = container(&ponos("", ""), "Deployment", &format!("{RELEASE}-agent"));
    assert_eq!(mount(&c, "/data").unwrap()["name"], "data-volume");
    let yaml = BASE.replace(
        "  seed: s33d-value\n",
        "  seed: s33d-value\n  data_dir: /srv/ponos\n",
    );
    let m = try_render_with(&yaml, "0.9.1").unwrap();
    assert_eq!(agent_yml(&m)["data_dir"], "/srv/ponos");
    let c = container(&m, "Deployment", &format!("{RELEASE}-agent"));
    assert_eq!(mount(&c, "/srv/ponos").unwrap()["name"], "data-volume");
}

#[test]
fn pvc_name_is_a_read_write_many_claim_with_class_and_size() {
    let m = ponos("", "");
    let pvc = get(&m, "PersistentVolumeClaim", "ponos-data");
    assert_eq!(pvc["spec"]["accessModes"], json!(["ReadWriteMany"]));
    assert_eq!(pvc["spec"]["resources"]["requests"]["storage"], "100Gi");
    assert!(pvc["spec"].get("storageClassName").is_none());
    let d = agent_deployment(&m);
    assert_eq!(
        volume(&d, "data-volume").unwrap()["persistentVolumeClaim"]["claimName"],
        "ponos-data"
    );

    let m = ponos("    storage_class: nfs\n    storage_size: 20Gi\n", "");
    let pvc = get(&m, "PersistentVolumeClaim", "ponos-data");
    assert_eq!(pvc["spec"]["storageClassName"], "nfs");
    assert_eq!(pvc["spec"]["resources"]["requests"]["storage"], "20Gi");
    // The tool's own keys stay out of agent.yml.
    let k8s = &agent_yml(&m)["kubernetes"];
    assert!(k8s.get("storage_class").is_none() && k8s.get("storage_size").is_none());
}

#[test]
fn extra_volumes_and_environment_the_ca_bundle_case() {
    let m = ponos(
        "    extra_volumes:\n    - {name: company-ca, pvc_name: my-ca-bundle, mount_path: /ssl, read_only: true}\n    extra_environment:\n      AWS_CA_BUNDLE: /ssl/ca-bundle.crt\n      REQUESTS_CA_BUNDLE: /ssl/ca-bundle.crt\n",
        "",
    );
    let config = agent_yml(&m);
    assert_eq!(
        config["kubernetes"]["extra_volumes"][0],
        json!({"name": "company-ca", "pvc_name": "my-ca-bundle", "mount_path": "/ssl", "read_only": true})
    );
    assert_eq!(
        config["kubernetes"]["extra_environment"]["REQUESTS_CA_BUNDLE"],
        "/ssl/ca-bundle.crt"
    );
    let d = agent_deployment(&m);
    let c = &d["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(mount(c, "/ssl").unwrap()["readOnly"], true);
    assert_eq!(
        volume(&d, "company-ca").unwrap()["persistentVolumeClaim"]["claimName"],
        "my-ca-bundle"
    );
}

#[test]
fn the_image_tag_is_the_deployment_version() {
    let c = container(&ponos("", ""), "Deployment", &format!("{RELEASE}-agent"));
    assert_eq!(
        c["image"],
        "registry.gitlab.teklia.com/arkindex/ponos-agent:0.9.1"
    );
    let c = container(
        &ponos("", "  image: registry.acme.com/ponos-agent\n"),
        "Deployment",
        &format!("{RELEASE}-agent"),
    );
    // (`image` under `ponos:` — appended after the kubernetes block at the same depth.)
    assert_eq!(c["image"], "registry.acme.com/ponos-agent:0.9.1");
}

#[test]
fn the_seeds_fixed_setup() {
    let m = ponos("", "");
    let role = get(&m, "ClusterRole", &format!("{RELEASE}-rights"));
    assert_eq!(
        role["rules"],
        json!([
            {"apiGroups": ["batch"], "resources": ["jobs", "jobs/status"], "verbs": ["get", "list", "watch", "create"]},
            {"apiGroups": [""], "resources": ["persistentvolumeclaims", "pods"], "verbs": ["list"]},
            {"apiGroups": [""], "resources": ["pods/log"], "verbs": ["get"]}
        ])
    );
    let binding = get(&m, "ClusterRoleBinding", &format!("{RELEASE}-agent"));
    assert_eq!(binding["roleRef"]["name"], format!("{RELEASE}-rights"));
    assert_eq!(
        binding["subjects"][0],
        json!({"kind": "ServiceAccount", "name": format!("{RELEASE}-agent"), "namespace": NAMESPACE})
    );
    assert!(has(&m, "ServiceAccount", &format!("{RELEASE}-agent")));

    let d = agent_deployment(&m);
    assert_eq!(d["spec"]["replicas"], 1);
    assert_eq!(d["spec"]["strategy"]["type"], "Recreate");
    assert_eq!(
        d["spec"]["template"]["metadata"]["labels"]["name"],
        "ponos-agent"
    );
    assert_eq!(
        d["spec"]["template"]["spec"]["serviceAccountName"],
        format!("{RELEASE}-agent")
    );
    let c = &d["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(
        env(c, "PONOS_NODE_NAME").unwrap()["valueFrom"]["fieldRef"]["fieldPath"],
        "spec.nodeName"
    );
    assert_eq!(
        env(c, "PONOS_POD_ID").unwrap()["valueFrom"]["fieldRef"]["fieldPath"],
        "metadata.uid"
    );
    // Stages: namespace, then RBAC, then the Secret and claim, then the agent.
    let stages: Vec<(Stage, &str)> = m.objects.iter().map(|o| (o.stage, o.kind())).collect();
    assert_eq!(
        stages,
        [
            (Stage::Crds, "Namespace"),
            (Stage::Rbac, "ClusterRole"),
            (Stage::Rbac, "ServiceAccount"),
            (Stage::Rbac, "ClusterRoleBinding"),
            (Stage::Config, "Secret"),
            (Stage::Config, "PersistentVolumeClaim"),
            (Stage::Workloads, "Deployment"),
        ]
    );
}
