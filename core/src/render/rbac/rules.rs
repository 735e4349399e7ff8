//! The RBAC rules of the agent, the operator and the runs, as the chart of
//! each version grants them (`templates/{agent,operator,runs}-sa*.yaml`;
//! where each fact changed: `docs/chart-history.md`).

use k8s_openapi::api::rbac::v1::PolicyRule;

use super::super::crds;
use super::super::values::Values;
use crate::chart_version::ChartVersion;

/// An RBAC rule: `verbs` on `resources` of the API `groups`.
pub fn rule(groups: &[&str], resources: &[&str], verbs: &[&str]) -> PolicyRule {
    PolicyRule {
        api_groups: Some(groups.iter().map(|s| s.to_string()).collect()),
        resources: Some(resources.iter().map(|s| s.to_string()).collect()),
        verbs: verbs.iter().map(|s| s.to_string()).collect(),
        ..PolicyRule::default()
    }
}

const MANAGE: &[&str] = &["get", "watch", "list", "create", "delete", "patch"];
const ALL: &[&str] = &[
    "create", "delete", "get", "list", "patch", "update", "watch",
];
const STATUS: &[&str] = &["get", "patch", "update"];
const READ: &[&str] = &["get", "watch", "list"];
const EDIT: &[&str] = &["get", "create", "patch", "delete", "list"];

/// `resources` with `/suffix` appended (`jobs/status`).
fn sub(resources: &[&str], suffix: &str) -> Vec<String> {
    resources.iter().map(|r| format!("{r}/{suffix}")).collect()
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// Reading the pod and node metrics (the agent and the runs).
fn read_metrics() -> PolicyRule {
    rule(
        &["metrics.k8s.io"],
        &["pods", "nodes"],
        &["get", "list", "watch"],
    )
}

/// Reading pods' events, status and logs.
fn read_pod_events() -> PolicyRule {
    rule(
        &[""],
        &["events", "pods/status", "pods/log"],
        &["watch", "get", "list"],
    )
}

/// What `agent.watchCluster` adds: the nodes, their metrics and the server
/// version (chart 2.0.x: a ClusterRole of its own; 2.1.0 on: the head of the
/// agent's ClusterRole).
pub fn watch_cluster() -> Vec<PolicyRule> {
    vec![
        rule(&[""], &["nodes"], &["watch", "list", "patch"]),
        rule(&["metrics.k8s.io"], &["nodes"], &["get", "list"]),
        PolicyRule {
            non_resource_urls: Some(vec!["/version/".into()]),
            verbs: vec!["get".into()],
            ..PolicyRule::default()
        },
    ]
}

/// The agent's rules on its namespace (or, in a ClusterRole, every namespace).
pub fn agent(chart_version: &ChartVersion) -> Vec<PolicyRule> {
    let crds = crds::definitions(chart_version);
    let mut pods = MANAGE.to_vec();
    // Chart 2.12.0 (db9f99f) lets the agent delete pods by label. Its
    // ClusterRole template missed the verb; ours grants it there too, so the
    // agent works alike in one namespace and in several.
    if chart_version.at_least(2, 12, 0) {
        pods.insert(5, "deletecollection");
    }
    vec![
        rule(&[""], &["pods"], &pods),
        rule(&["batch"], &["jobs"], MANAGE),
        rule(
            &[""],
            &["configmaps", "secrets"],
            &["get", "update", "patch", "create", "delete"],
        ),
        rule(&[""], &["services"], EDIT),
        rule(&["apps"], &["deployments"], EDIT),
        read_metrics(),
        read_pod_events(),
        rule(&[""], &["pods/exec"], &["get", "create"]),
        rule(&[crds.group], &crds.plurals(), MANAGE),
    ]
}

/// The training operators' resources the operator may manage: (switch,
/// group, plural), for the switches of `operators` the chart reads.
fn training_operators(values: &Values<'_>) -> Vec<(bool, &'static str, &'static str)> {
    let ops = values.config.operators.clone().unwrap_or_default();
    let on = |flag: Option<bool>| flag == Some(true);
    let kubeflow = "kubeflow.org";
    let mut list = vec![
        (on(ops.mpijob), kubeflow, "mpijobs"),
        (on(ops.pytorchjob), kubeflow, "pytorchjobs"),
    ];
    // Chart 2.12.0 (ebc74a6) drops the Paddle, MX and XGBoost jobs and turns
    // the Ray and Dask jobs into clusters.
    if values.chart_version.at_least(2, 12, 0) {
        list.extend([
            (on(ops.tfjob), kubeflow, "tfjobs"),
            (on(ops.raycluster), "ray.io", "rayclusters"),
            (on(ops.daskcluster), "kubernetes.dask.org", "daskclusters"),
        ]);
    } else {
        list.extend([
            (on(ops.paddlejob), kubeflow, "paddlejobs"),
            (on(ops.tfjob), kubeflow, "tfjobs"),
            (on(ops.mxjob), kubeflow, "mxjobs"),
            (on(ops.xgbjob), kubeflow, "xgboostjobs"),
            (on(ops.rayjob), "ray.io", "rayjobs"),
            (on(ops.daskjob), "kubernetes.dask.org", "daskjobs"),
        ]);
    }
    list
}

/// `istio.enabled`, default false.
fn istio(values: &Values<'_>) -> bool {
    values
        .config
        .istio
        .as_ref()
        .and_then(|i| i.get("enabled"))
        .and_then(serde_json::Value::as_bool)
        .unwrap_or(false)
}

/// The operator's rules.
pub fn operator(values: &Values<'_>) -> Vec<PolicyRule> {
    let crds = crds::definitions(values.chart_version);
    let plurals = crds.plurals();
    let group = &[crds.group];
    // Chart 2.12.0 (ebc74a6) reorders the core rules, adds reading events and
    // stops granting every verb on the finalizers.
    let mut rules = if values.chart_version.at_least(2, 12, 0) {
        vec![
            rule(&[""], &["events"], &["get", "list", "watch"]),
            rule(&[""], &["pods", "services"], ALL),
            rule(&[""], &["pods/status", "services/status"], STATUS),
            rule(&["apps"], &["deployments"], ALL),
            rule(&["apps"], &["deployments/status"], STATUS),
            rule(&["batch"], &["jobs"], ALL),
            rule(&["batch"], &["jobs/status"], STATUS),
            rule(group, &plurals, ALL),
            rule(group, &strs(&sub(&plurals, "finalizers")), &["update"]),
            rule(group, &strs(&sub(&plurals, "status")), STATUS),
        ]
    } else {
        let mut managed = plurals.clone();
        let finalizers = sub(&plurals, "finalizers");
        // Chart 1.14.3 grants every verb on the finalizers too.
        if values.chart_version.at_least(1, 14, 3) {
            managed.extend(strs(&finalizers));
        }
        vec![
            rule(&["apps"], &["deployments"], ALL),
            rule(&["apps"], &["deployments/status"], STATUS),
            rule(&["batch"], &["jobs"], ALL),
            rule(&["batch"], &["jobs/status"], STATUS),
            rule(&[""], &["pods"], ALL),
            rule(&[""], &["pods/status"], STATUS),
            rule(&[""], &["services"], ALL),
            rule(&[""], &["services/status"], STATUS),
            rule(group, &managed, ALL),
            rule(group, &strs(&finalizers), &["update"]),
            rule(group, &strs(&sub(&plurals, "status")), STATUS),
        ]
    };
    for (on, group, plural) in training_operators(values) {
        if on {
            rules.push(rule(&[group], &[plural], ALL));
            rules.push(rule(&[group], &[&format!("{plural}/status")], STATUS));
        }
    }
    if istio(values) {
        // The 2.12+ ClusterRole template lists `networking.istio.io` where
        // `virtualservices/status` belongs; both roles here grant the status
        // of both kinds, as the namespaced Role does.
        let kinds = ["destinationrules", "virtualservices"];
        let statuses = sub(&kinds, "status");
        rules.push(rule(&["networking.istio.io"], &kinds, ALL));
        rules.push(rule(&["networking.istio.io"], &strs(&statuses), STATUS));
    }
    rules
}

/// The runs' rules: read their pods, services and custom resources.
pub fn runs(chart_version: &ChartVersion) -> Vec<PolicyRule> {
    let crds = crds::definitions(chart_version);
    // Chart 2.1.0 (a6ab637) lets runs read services too, in one rule.
    let core = if chart_version.at_least(2, 1, 0) {
        vec![
            rule(
                &[""],
                &["pods", "services", "events", "pods/status", "pods/log"],
                READ,
            ),
            read_metrics(),
        ]
    } else {
        vec![
            rule(&[""], &["pods"], READ),
            read_metrics(),
            read_pod_events(),
        ]
    };
    let mut rules = core;
    rules.push(rule(&[crds.group], &crds.plurals(), READ));
    rules
}
