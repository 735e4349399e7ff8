//! What changes with the pinned version's chart: the operator's CRDs and the
//! RBAC of the agent, the operator and the runs (`docs/chart-history.md`).

use serde_json::{Value, json};

use crate::support::*;

const AGENT: &str = "deploymentChart: agent\nagent: {instance: a.b.c, token: t}\n";

fn at(version: &str, yaml: &str) -> polyaxon_core::render::Manifest {
    try_render_with(yaml, version).unwrap_or_else(|e| panic!("renders at {version}: {e}"))
}

fn crds(m: &polyaxon_core::render::Manifest) -> Vec<String> {
    all(m, "CustomResourceDefinition")
        .map(|o| o.name().to_string())
        .collect()
}

/// Every (group, resource, verb) a role grants.
fn grants(role: &Value) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for rule in role["rules"].as_array().into_iter().flatten() {
        let strings = |key: &str| -> Vec<String> {
            rule[key]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        };
        for group in strings("apiGroups") {
            for resource in strings("resources") {
                for verb in strings("verbs") {
                    out.push((group.clone(), resource.clone(), verb));
                }
            }
        }
    }
    out
}

fn grants_verb(role: &Value, group: &str, resource: &str, verb: &str) -> bool {
    grants(role)
        .iter()
        .any(|(g, r, v)| g == group && r == resource && v == verb)
}

#[test]
fn the_crds_split_at_chart_2_12() {
    for version in ["2.0.0", "2.8.1", "2.11.1"] {
        assert_eq!(crds(&at(version, AGENT)), ["operations.core.polyaxon.com"]);
        assert_eq!(crds(&at(version, "")), ["operations.core.polyaxon.com"]);
    }
    let split = [
        "clusters.polyaxon.com",
        "jobs.polyaxon.com",
        "kfjobs.polyaxon.com",
        "services.polyaxon.com",
    ];
    // 2.14.0 is a chart without a release; 2.16–2.18 have no chart of their own.
    for version in ["2.12.0", "2.14.0", "2.15.1", "2.16.0", "2.18.0"] {
        assert_eq!(crds(&at(version, AGENT)), split, "{version}");
    }
    let job = get(
        &at("2.15.1", AGENT),
        "CustomResourceDefinition",
        "jobs.polyaxon.com",
    );
    assert_eq!(job["spec"]["group"], "polyaxon.com");
    assert_eq!(job["spec"]["scope"], "Namespaced");
    assert_eq!(job["spec"]["names"]["kind"], "Job");
    assert_eq!(job["spec"]["versions"][0]["name"], "v1");
    assert_eq!(
        job["spec"]["versions"][0]["subresources"],
        json!({"status": {}})
    );
    // `operator.skipCRD` leaves them out at every version.
    let skip =
        "deploymentChart: agent\nagent: {instance: a.b.c, token: t}\noperator: {skipCRD: true}\n";
    assert!(crds(&at("2.15.1", skip)).is_empty());
}

#[test]
fn roles_name_the_crds_of_their_chart() {
    let old = at("2.11.1", AGENT);
    let new = at("2.12.0", AGENT);
    for (role, verb) in [
        ("agent-role", "create"),
        ("runs-role", "list"),
        ("operator-role", "update"),
    ] {
        let old_role = get(&old, "Role", &name(role));
        let new_role = get(&new, "Role", &name(role));
        assert!(
            grants_verb(&old_role, "core.polyaxon.com", "operations", verb),
            "{role}"
        );
        assert!(
            !grants(&old_role).iter().any(|(g, ..)| g == "polyaxon.com"),
            "{role}"
        );
        for plural in ["clusters", "jobs", "kfjobs", "services"] {
            assert!(
                grants_verb(&new_role, "polyaxon.com", plural, verb),
                "{role} {plural}"
            );
        }
        assert!(
            !grants(&new_role)
                .iter()
                .any(|(g, ..)| g == "core.polyaxon.com"),
            "{role}"
        );
    }
    let operator = get(&new, "Role", &name("operator-role"));
    for plural in ["clusters", "jobs", "kfjobs", "services"] {
        assert!(grants_verb(
            &operator,
            "polyaxon.com",
            &format!("{plural}/status"),
            "patch"
        ));
        assert!(grants_verb(
            &operator,
            "polyaxon.com",
            &format!("{plural}/finalizers"),
            "update"
        ));
    }
}

#[test]
fn verbs_follow_the_chart_version() {
    let at_2_0 = at("2.0.0", AGENT);
    let at_2_8 = at("2.8.1", AGENT);
    let at_2_15 = at("2.15.1", AGENT);
    let role = |m, part: &str| get(m, "Role", &name(part));
    // Runs read services from chart 2.1.0.
    assert!(!grants_verb(
        &role(&at_2_0, "runs-role"),
        "",
        "services",
        "get"
    ));
    assert!(grants_verb(
        &role(&at_2_8, "runs-role"),
        "",
        "services",
        "watch"
    ));
    // The agent deletes pods by collection and the operator reads events from 2.12.0.
    assert!(!grants_verb(
        &role(&at_2_8, "agent-role"),
        "",
        "pods",
        "deletecollection"
    ));
    assert!(grants_verb(
        &role(&at_2_15, "agent-role"),
        "",
        "pods",
        "deletecollection"
    ));
    assert!(!grants_verb(
        &role(&at_2_8, "operator-role"),
        "",
        "events",
        "list"
    ));
    for verb in ["get", "list", "watch"] {
        assert!(grants_verb(
            &role(&at_2_15, "operator-role"),
            "",
            "events",
            verb
        ));
    }
}

#[test]
fn training_operators_follow_the_chart_version() {
    let ops = "operators: {raycluster: true, daskcluster: true, tfjob: true}\n";
    let old = get(
        &at("2.11.1", &format!("{AGENT}{ops}")),
        "Role",
        &name("operator-role"),
    );
    let new = get(
        &at("2.15.1", &format!("{AGENT}{ops}")),
        "Role",
        &name("operator-role"),
    );
    // Ray and Dask clusters are operator kinds from chart 2.12.0 (before, jobs).
    for (group, plural) in [
        ("ray.io", "rayclusters"),
        ("kubernetes.dask.org", "daskclusters"),
    ] {
        assert!(!grants_verb(&old, group, plural, "create"), "{plural}");
        assert!(grants_verb(&new, group, plural, "create"), "{plural}");
        assert!(
            grants_verb(&new, group, &format!("{plural}/status"), "patch"),
            "{plural}"
        );
    }
    assert!(grants_verb(&old, "kubeflow.org", "tfjobs", "create"));
    assert!(grants_verb(&new, "kubeflow.org", "tfjobs", "create"));
    assert!(!grants_verb(&new, "kubeflow.org", "mpijobs", "create"));
    // Istio's kinds and their status, in the Role and the ClusterRole alike.
    let istio = "istio: {enabled: true}\nagent: {instance: a.b.c, token: t, additionalNamespaces: [runs]}\n";
    let m = at("2.15.1", &format!("deploymentChart: agent\n{istio}"));
    let cluster = get(&m, "ClusterRole", &name("operator-clusterrole"));
    for resource in ["destinationrules/status", "virtualservices/status"] {
        assert!(grants_verb(
            &cluster,
            "networking.istio.io",
            resource,
            "patch"
        ));
    }
}

#[test]
fn additional_namespaces_reach_the_cluster_from_chart_2_1() {
    let yaml = "deploymentChart: agent\nagent: {instance: a.b.c, token: t, additionalNamespaces: [runs-a]}\n";
    // 2.0.x has no additional namespaces: Roles, one runs account.
    let m = at("2.0.0", yaml);
    assert!(all(&m, "ClusterRole").next().is_none());
    assert_eq!(
        all(&m, "ServiceAccount")
            .filter(|o| o.name() == name("runs-sa"))
            .count(),
        1
    );
    let m = at("2.8.1", yaml);
    assert!(all(&m, "Role").next().is_none());
    let binding = get(&m, "ClusterRoleBinding", &name("runs-clusterrole-binding"));
    let subjects: Vec<_> = binding["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["namespace"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(subjects, [NAMESPACE, "runs-a"]);
    assert!(
        all(&m, "ServiceAccount")
            .any(|o| o.name() == name("runs-sa") && json(o)["metadata"]["namespace"] == "runs-a")
    );
}

#[test]
fn watch_cluster_in_2_0_adds_a_node_clusterrole_beside_the_role() {
    let yaml = "deploymentChart: agent\nagent: {instance: a.b.c, token: t, watchCluster: true}\n";
    let m = at("2.0.0", yaml);
    assert!(has(&m, "Role", &name("agent-role")));
    let nodes = get(&m, "ClusterRole", &name("agent-clusterrole"));
    assert!(grants_verb(&nodes, "", "nodes", "watch"));
    assert!(!grants_verb(&nodes, "", "pods", "create"));
    let binding = get(&m, "ClusterRoleBinding", &name("agent-clusterrole-binding"));
    assert_eq!(binding["subjects"][0]["name"], name("agent-sa"));
}

#[test]
fn service_account_settings_follow_the_chart_version() {
    let yaml = "deploymentChart: agent\nagent: {instance: a.b.c, token: t, serviceAccountAnnotations: {role: r}, serviceAccountImagePullSecrets: [reg]}\n";
    let sa = |version, part: &str| {
        let m = at(version, yaml);
        get(&m, "ServiceAccount", &name(part))
    };
    // Annotations from chart 2.1.7, the runs' pull secrets from 2.10.0.
    assert!(sa("2.1.6", "agent-sa")["metadata"]["annotations"].is_null());
    assert_eq!(
        sa("2.1.7", "agent-sa")["metadata"]["annotations"]["role"],
        "r"
    );
    assert_eq!(
        sa("2.1.7", "runs-sa")["metadata"]["annotations"]["role"],
        "r"
    );
    assert!(sa("2.9.4", "runs-sa")["imagePullSecrets"].is_null());
    assert_eq!(
        sa("2.10.0", "runs-sa")["imagePullSecrets"],
        json!([{"name": "reg"}])
    );
    assert!(sa("2.10.0", "agent-sa")["imagePullSecrets"].is_null());
}
