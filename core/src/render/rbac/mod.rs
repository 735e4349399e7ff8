//! Service accounts and RBAC of the agent, the operator and the runs. None of
//! the roles when `rbac.enabled: false`.
//!
//! Where they reach, by chart version (`docs/chart-history.md`):
//! - 2.0.x: Roles in the release namespace; `agent.watchCluster` adds a
//!   ClusterRole for the nodes beside the agent's Role.
//! - 2.1.0 on (d4dfabb): with `agent.additionalNamespaces`, ClusterRoles
//!   replace the three Roles (the agent's starting with the node rules when
//!   `agent.watchCluster`), and the runs get an account in each additional
//!   namespace; without, Roles only (`watchCluster` alone grants nothing more).

mod rules;

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

pub use rules::rule;

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

/// The namespaces beside the release's where runs go
/// (`agent.additionalNamespaces`, read from chart 2.1.0 on).
pub fn additional_namespaces(values: &Values<'_>) -> Vec<String> {
    if !values.chart_version.at_least(2, 1, 0) {
        return Vec::new();
    }
    super::agent_config::additional_namespaces(values)
}

/// Whether the release works in its namespace only: the chart's
/// `config.singleNamespace` (no additional namespaces); the roles are then
/// namespaced.
pub fn single_namespace(values: &Values<'_>) -> bool {
    additional_namespaces(values).is_empty()
}

fn watch_cluster(values: &Values<'_>) -> bool {
    values.config.agent.as_ref().and_then(|a| a.watch_cluster) == Some(true)
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

/// Where a role applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reach {
    /// A Role and RoleBinding in the release namespace.
    Namespace,
    /// A ClusterRole and ClusterRoleBinding.
    Cluster,
}

/// A role named `<release>-polyaxon-<base>-role` (or `-clusterrole`) with
/// `rules`, bound to `subjects`.
fn push_role(
    ctx: &mut Ctx<'_>,
    base: &str,
    rules: Vec<PolicyRule>,
    reach: Reach,
    subjects: Vec<Subject>,
) -> Result<(), RenderError> {
    match reach {
        Reach::Cluster => {
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
        }
        Reach::Namespace => {
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
}

/// A ServiceAccount of the release, in `namespace` (the release's if `None`).
fn service_account(
    ctx: &Ctx<'_>,
    name: &str,
    namespace: Option<&str>,
    annotations: Option<std::collections::BTreeMap<String, String>>,
    pull_secrets: &[String],
) -> ServiceAccount {
    let mut metadata = ctx.meta(name, Role::Config);
    if let Some(namespace) = namespace {
        metadata.namespace = Some(namespace.to_string());
    }
    metadata.annotations = annotations;
    ServiceAccount {
        metadata,
        image_pull_secrets: pod::pull_secrets(pull_secrets),
        ..ServiceAccount::default()
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
    let cv = values.chart_version;
    let reach = if single_namespace(values) {
        Reach::Namespace
    } else {
        Reach::Cluster
    };
    let agent_cfg = values.config.agent.clone().unwrap_or_default();
    // Chart 2.1.7 (c1361ab) annotates the agent's and the runs' accounts
    // (an IAM role, say); 2.10.0 (a90f193) gives the runs' pull secrets.
    let annotations = agent_cfg
        .service_account_annotations
        .clone()
        .filter(|a| !a.is_empty() && cv.at_least(2, 1, 7));
    let runs_pull_secrets = agent_cfg
        .service_account_image_pull_secrets
        .clone()
        .filter(|_| cv.at_least(2, 10, 0))
        .unwrap_or_default();

    // The chart keeps the agent's account when an organization key is unset,
    // even with the agent off.
    if agent || values.config.organization_key.is_none() {
        let sa = agent_sa(ctx.release);
        ctx.push(
            Stage::Rbac,
            &service_account(ctx, &sa, None, annotations.clone(), &[]),
        )?;
        let mut agent_rules = rules::agent(cv);
        if reach == Reach::Cluster && watch_cluster(values) {
            let mut all = rules::watch_cluster();
            all.append(&mut agent_rules);
            agent_rules = all;
        }
        let subjects = vec![subject(&sa, ctx.namespace)];
        push_role(ctx, "agent", agent_rules, reach, subjects.clone())?;
        if !cv.at_least(2, 1, 0) && watch_cluster(values) {
            push_role(
                ctx,
                "agent",
                rules::watch_cluster(),
                Reach::Cluster,
                subjects,
            )?;
        }
    }
    if operator {
        let sa = operator_sa(ctx.release);
        ctx.push(Stage::Rbac, &service_account(ctx, &sa, None, None, &[]))?;
        let subjects = vec![subject(&sa, ctx.namespace)];
        push_role(ctx, "operator", rules::operator(values), reach, subjects)?;
    }

    let runs = runs_sa(ctx.release);
    let others = additional_namespaces(values);
    ctx.push(
        Stage::Rbac,
        &service_account(ctx, &runs, None, annotations.clone(), &runs_pull_secrets),
    )?;
    // Runs in the additional namespaces use an account of the same name there.
    for namespace in &others {
        ctx.push(
            Stage::Rbac,
            &service_account(
                ctx,
                &runs,
                Some(namespace),
                annotations.clone(),
                &runs_pull_secrets,
            ),
        )?;
    }
    let mut subjects = vec![subject(&runs, ctx.namespace)];
    subjects.extend(others.iter().map(|ns| subject(&runs, ns)));
    push_role(ctx, "runs", rules::runs(cv), reach, subjects)
}
