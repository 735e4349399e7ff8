//! Service accounts and RBAC: the agent's (namespaced, or cluster-wide with
//! `agent.watchCluster` / `agent.additionalNamespaces`), the operator's, and
//! the one runs use. None of the roles when `rbac.enabled: false`.

use k8s_openapi::api::core::v1::ServiceAccount;
use k8s_openapi::api::rbac::v1::{
    ClusterRole, ClusterRoleBinding, PolicyRule, Role as K8sRole, RoleBinding, RoleRef, Subject,
};

use super::RenderError;
use super::ctx::Ctx;
use super::labels::Role;
use super::manifest::Stage;
use super::names;
use super::pod;
use super::values::Values;

/// Name of the agent's ServiceAccount.
pub fn agent_sa(release: &str) -> String {
    names::component(release, "agent-sa")
}

/// Name of the operator's ServiceAccount.
pub fn operator_sa(release: &str) -> String {
    names::component(release, "operator-sa")
}

/// Name of the runs' ServiceAccount.
pub fn runs_sa(release: &str) -> String {
    names::component(release, "runs-sa")
}

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

/// Reading the pod and node metrics (the agent and the runs).
fn read_metrics() -> PolicyRule {
    rule(
        &["metrics.k8s.io"],
        &["pods", "nodes"],
        &["get", "list", "watch"],
    )
}

/// Reading pods' events, status and logs (the agent and namespaced runs).
fn read_pod_events() -> PolicyRule {
    rule(
        &[""],
        &["events", "pods/status", "pods/log"],
        &["watch", "get", "list"],
    )
}

fn agent_rules(cluster: bool) -> Vec<PolicyRule> {
    let mut rules = Vec::new();
    if cluster {
        rules.push(rule(&[""], &["nodes"], &["watch", "list", "patch"]));
        rules.push(rule(&["metrics.k8s.io"], &["nodes"], &["get", "list"]));
        rules.push(PolicyRule {
            non_resource_urls: Some(vec!["/version/".into()]),
            verbs: vec!["get".into()],
            ..PolicyRule::default()
        });
    }
    rules.extend([
        rule(&[""], &["pods"], MANAGE),
        rule(&["batch"], &["jobs"], MANAGE),
        rule(
            &[""],
            &["configmaps", "secrets"],
            &["get", "update", "patch", "create", "delete"],
        ),
        rule(
            &[""],
            &["services"],
            &["get", "create", "patch", "delete", "list"],
        ),
        rule(
            &["apps"],
            &["deployments"],
            &["get", "create", "patch", "delete", "list"],
        ),
        read_metrics(),
        read_pod_events(),
        rule(&[""], &["pods/exec"], &["get", "create"]),
        rule(&["core.polyaxon.com"], &["operations"], MANAGE),
    ]);
    rules
}

fn operator_rules(values: &Values<'_>) -> Vec<PolicyRule> {
    let mut rules = vec![
        rule(&["apps"], &["deployments"], ALL),
        rule(&["apps"], &["deployments/status"], STATUS),
        rule(&["batch"], &["jobs"], ALL),
        rule(&["batch"], &["jobs/status"], STATUS),
        rule(&[""], &["pods"], ALL),
        rule(&[""], &["pods/status"], STATUS),
        rule(&[""], &["services"], ALL),
        rule(&[""], &["services/status"], STATUS),
        rule(
            &["core.polyaxon.com"],
            &["operations", "operations/finalizers"],
            ALL,
        ),
        rule(
            &["core.polyaxon.com"],
            &["operations/finalizers"],
            &["update"],
        ),
        rule(&["core.polyaxon.com"], &["operations/status"], STATUS),
    ];
    if let Some(ops) = &values.config.operators {
        for (flag, group, plural) in [
            (ops.mpijob, "kubeflow.org", "mpijobs"),
            (ops.pytorchjob, "kubeflow.org", "pytorchjobs"),
            (ops.paddlejob, "kubeflow.org", "paddlejobs"),
            (ops.tfjob, "kubeflow.org", "tfjobs"),
            (ops.mxjob, "kubeflow.org", "mxjobs"),
            (ops.xgbjob, "kubeflow.org", "xgboostjobs"),
            (ops.rayjob, "ray.io", "rayjobs"),
            (ops.daskjob, "kubernetes.dask.org", "daskjobs"),
            (ops.daskcluster, "kubernetes.dask.org", "daskclusters"),
            (ops.raycluster, "ray.io", "rayclusters"),
            (ops.sparkjob, "sparkoperator.k8s.io", "sparkapplications"),
        ] {
            if flag == Some(true) {
                rules.push(rule(&[group], &[plural], ALL));
                rules.push(rule(&[group], &[&format!("{plural}/status")], STATUS));
            }
        }
    }
    rules
}

fn runs_rules(cluster: bool) -> Vec<PolicyRule> {
    let mut rules = if cluster {
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
    rules.push(rule(&["core.polyaxon.com"], &["operations"], READ));
    rules
}

/// Whether the agent works beyond its namespace.
pub fn cluster_wide(values: &Values<'_>) -> bool {
    let agent = values.config.agent.clone().unwrap_or_default();
    agent.watch_cluster == Some(true)
        || agent
            .additional_namespaces
            .as_ref()
            .is_some_and(|n| !n.is_empty())
}

/// A reference to the role (`Role` or `ClusterRole`) a binding grants.
pub fn role_ref(kind: &str, name: &str) -> RoleRef {
    RoleRef {
        api_group: Some("rbac.authorization.k8s.io".into()),
        kind: kind.into(),
        name: name.into(),
    }
}

/// The ServiceAccount `name` of `namespace`, as a binding's subject.
pub fn subject(name: &str, namespace: &str) -> Subject {
    Subject {
        kind: "ServiceAccount".into(),
        name: name.into(),
        namespace: Some(namespace.into()),
        ..Subject::default()
    }
}

/// A ServiceAccount with a Role (or ClusterRole) and its binding.
fn account(
    ctx: &mut Ctx<'_>,
    sa: &str,
    base: &str,
    rules: Vec<PolicyRule>,
    cluster: bool,
) -> Result<(), RenderError> {
    ctx.push(
        Stage::Rbac,
        &ServiceAccount {
            metadata: ctx.meta(sa, Role::Config),
            ..ServiceAccount::default()
        },
    )?;
    push_role(ctx, sa, base, rules, cluster, &[])
}

fn push_role(
    ctx: &mut Ctx<'_>,
    sa: &str,
    base: &str,
    rules: Vec<PolicyRule>,
    cluster: bool,
    more_subjects: &[Subject],
) -> Result<(), RenderError> {
    let mut subjects = vec![subject(sa, ctx.namespace)];
    subjects.extend(more_subjects.iter().cloned());
    if cluster {
        let role = names::component(ctx.release, &format!("{base}-clusterrole"));
        let binding = names::component(ctx.release, &format!("{base}-clusterrole-binding"));
        ctx.push(
            Stage::Rbac,
            &ClusterRole {
                metadata: ctx.cluster_meta(&role, Role::Config),
                rules: Some(rules),
                ..ClusterRole::default()
            },
        )?;
        ctx.push(
            Stage::Rbac,
            &ClusterRoleBinding {
                metadata: ctx.cluster_meta(&binding, Role::Config),
                role_ref: role_ref("ClusterRole", &role),
                subjects: Some(subjects),
            },
        )
    } else {
        let role = names::component(ctx.release, &format!("{base}-role"));
        let binding = names::component(ctx.release, &format!("{base}-role-binding"));
        ctx.push(
            Stage::Rbac,
            &K8sRole {
                metadata: ctx.meta(&role, Role::Config),
                rules: Some(rules),
            },
        )?;
        ctx.push(
            Stage::Rbac,
            &RoleBinding {
                metadata: ctx.meta(&binding, Role::Config),
                role_ref: role_ref("Role", &role),
                subjects: Some(subjects),
            },
        )
    }
}

/// The RBAC of the agent (if it runs), the operator (if it runs) and the runs.
pub fn render(
    ctx: &mut Ctx<'_>,
    values: &Values<'_>,
    agent: bool,
    operator: bool,
) -> Result<(), RenderError> {
    if !values.rbac() {
        return Ok(());
    }
    let cluster = cluster_wide(values);
    if agent {
        account(
            ctx,
            &agent_sa(ctx.release),
            "agent",
            agent_rules(cluster),
            cluster,
        )?;
    }
    if operator {
        account(
            ctx,
            &operator_sa(ctx.release),
            "operator",
            operator_rules(values),
            false,
        )?;
    }
    let agent_cfg = values.config.agent.clone().unwrap_or_default();
    let runs = runs_sa(ctx.release);
    let mut metadata = ctx.meta(&runs, Role::Config);
    metadata.annotations = agent_cfg
        .service_account_annotations
        .clone()
        .filter(|a| !a.is_empty());
    let pull_secrets = agent_cfg
        .service_account_image_pull_secrets
        .clone()
        .unwrap_or_default();
    let account = |metadata| ServiceAccount {
        metadata,
        image_pull_secrets: pod::pull_secrets(&pull_secrets),
        ..ServiceAccount::default()
    };
    ctx.push(Stage::Rbac, &account(metadata))?;
    // Runs in the additional namespaces use an account of the same name there.
    for namespace in agent_cfg.additional_namespaces.iter().flatten() {
        let mut metadata = ctx.meta(&runs, Role::Config);
        metadata.namespace = Some(namespace.clone());
        ctx.push(Stage::Rbac, &account(metadata))?;
    }
    let others: Vec<Subject> = agent_cfg
        .additional_namespaces
        .iter()
        .flatten()
        .map(|ns| subject(&runs, ns))
        .collect();
    push_role(ctx, &runs, "runs", runs_rules(cluster), cluster, &others)
}
