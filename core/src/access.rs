//! Before deploying: is the cluster recent enough, and may the current user
//! create every kind of object the chart needs? Asked of the API server with
//! SelfSubjectAccessReview, which answers for whoever the kubeconfig names.

use std::fmt;

use futures::future::try_join_all;
use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
};
use k8s_openapi::api::core::v1::Namespace;
use kube::Client;
use kube::api::{Api, PostParams};

use crate::config::{Chart, Deployment};

/// The oldest Kubernetes this tool deploys to: 1.23 is the first release with
/// every API the charts use at GA (`networking.k8s.io/v1` Ingress,
/// `autoscaling/v2` HorizontalPodAutoscaler, `batch/v1` Jobs and CronJobs).
pub const MIN_SERVER: (u32, u32) = (1, 23);

/// A kind of object, as RBAC names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ResourceKind {
    /// API group (`""` for core, `apps`, `rbac.authorization.k8s.io`, …).
    pub group: &'static str,
    /// Plural resource name (`deployments`).
    pub resource: &'static str,
    /// Namespaced (checked in the release namespace) or cluster-wide.
    pub namespaced: bool,
}

impl fmt::Display for ResourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.group.is_empty() {
            f.write_str(self.resource)
        } else {
            write!(f, "{}.{}", self.resource, self.group)
        }
    }
}

const fn namespaced(group: &'static str, resource: &'static str) -> ResourceKind {
    ResourceKind {
        group,
        resource,
        namespaced: true,
    }
}

const fn cluster(group: &'static str, resource: &'static str) -> ResourceKind {
    ResourceKind {
        group,
        resource,
        namespaced: false,
    }
}

const SERVICE_ACCOUNTS: ResourceKind = namespaced("", "serviceaccounts");
const SECRETS: ResourceKind = namespaced("", "secrets");
const CONFIG_MAPS: ResourceKind = namespaced("", "configmaps");
const SERVICES: ResourceKind = namespaced("", "services");
const PVCS: ResourceKind = namespaced("", "persistentvolumeclaims");
const DEPLOYMENTS: ResourceKind = namespaced("apps", "deployments");
const STATEFUL_SETS: ResourceKind = namespaced("apps", "statefulsets");
const DAEMON_SETS: ResourceKind = namespaced("apps", "daemonsets");
const JOBS: ResourceKind = namespaced("batch", "jobs");
const INGRESSES: ResourceKind = namespaced("networking.k8s.io", "ingresses");
const ROLES: ResourceKind = namespaced("rbac.authorization.k8s.io", "roles");
const ROLE_BINDINGS: ResourceKind = namespaced("rbac.authorization.k8s.io", "rolebindings");
const CLUSTER_ROLES: ResourceKind = cluster("rbac.authorization.k8s.io", "clusterroles");
const CLUSTER_ROLE_BINDINGS: ResourceKind =
    cluster("rbac.authorization.k8s.io", "clusterrolebindings");
const CRDS: ResourceKind = cluster("apiextensions.k8s.io", "customresourcedefinitions");
const NAMESPACES: ResourceKind = cluster("", "namespaces");

/// The kinds a chart creates. A static list per chart for now; the renderer
/// will supply the exact list of a rendered release. RBAC kinds are left out
/// with `rbac.enabled: false`, Ingress unless `ingress.enabled: true`.
pub fn kinds_for(deployment: &Deployment) -> Vec<ResourceKind> {
    let config = &deployment.config;
    let rbac = config.rbac.as_ref().and_then(|r| r.enabled) != Some(false);
    let ingress = config.ingress.as_ref().and_then(|i| i.enabled) == Some(true);
    let mut kinds = match deployment.chart {
        Chart::Platform => vec![
            SERVICE_ACCOUNTS,
            SECRETS,
            CONFIG_MAPS,
            SERVICES,
            PVCS,
            DEPLOYMENTS,
            STATEFUL_SETS,
            DAEMON_SETS,
            JOBS,
            CRDS,
        ],
        Chart::Agent => vec![
            SERVICE_ACCOUNTS,
            SECRETS,
            CONFIG_MAPS,
            SERVICES,
            DEPLOYMENTS,
            JOBS,
            CRDS,
        ],
        // The seed: a ServiceAccount with a ClusterRole, the config Secret,
        // the data PVC and one Deployment.
        Chart::Ponos => vec![SERVICE_ACCOUNTS, SECRETS, PVCS, DEPLOYMENTS],
    };
    if ingress && deployment.chart != Chart::Ponos {
        kinds.push(INGRESSES);
    }
    if rbac {
        if deployment.chart != Chart::Ponos {
            kinds.extend([ROLES, ROLE_BINDINGS]);
        }
        kinds.extend([CLUSTER_ROLES, CLUSTER_ROLE_BINDINGS]);
    }
    kinds
}

/// A permission the current user lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    /// The verb (`create`, `patch`).
    pub verb: &'static str,
    /// The kind.
    pub kind: ResourceKind,
    /// The namespace, for namespaced kinds.
    pub namespace: Option<String>,
    /// What the API server said, when it said something.
    pub reason: Option<String>,
}

impl fmt::Display for Missing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.verb, self.kind)?;
        match &self.namespace {
            Some(ns) => write!(f, " in namespace {ns}")?,
            None => f.write_str(" (cluster-wide)")?,
        }
        if let Some(reason) = &self.reason {
            write!(f, ": {reason}")?;
        }
        Ok(())
    }
}

/// The verbs a deploy needs on each kind: `create`, and `patch` because
/// objects are written with server-side apply.
pub const VERBS: &[&str] = &["create", "patch"];

/// Asks the API server, for each kind and verb, whether the current user may
/// do it in `namespace` (cluster-wide kinds are asked without a namespace).
/// When the namespace does not exist yet, creating namespaces is checked too
/// (a user who may not read namespaces, typically one with rights in that
/// namespace only, is taken to deploy into an existing one).
/// Returns what is missing; an empty list means everything is allowed.
pub async fn check_access(
    client: &Client,
    namespace: &str,
    kinds: &[ResourceKind],
) -> Result<Vec<Missing>, kube::Error> {
    let mut kinds = kinds.to_vec();
    let namespaces: Api<Namespace> = Api::all(client.clone());
    match namespaces.get_opt(namespace).await {
        Ok(Some(_)) | Err(kube::Error::Api(_)) => {}
        Ok(None) => kinds.push(NAMESPACES),
        Err(other) => return Err(other),
    }
    let reviews: Api<SelfSubjectAccessReview> = Api::all(client.clone());
    let pairs: Vec<(ResourceKind, &'static str)> = kinds
        .iter()
        .flat_map(|kind| VERBS.iter().map(move |verb| (*kind, *verb)))
        .collect();
    let asks = pairs.into_iter().map(|(kind, verb)| {
        let reviews = reviews.clone();
        let ns = kind.namespaced.then(|| namespace.to_string());
        async move {
            let review = SelfSubjectAccessReview {
                spec: SelfSubjectAccessReviewSpec {
                    resource_attributes: Some(ResourceAttributes {
                        group: Some(kind.group.to_string()),
                        resource: Some(kind.resource.to_string()),
                        verb: Some(verb.to_string()),
                        namespace: ns.clone(),
                        ..ResourceAttributes::default()
                    }),
                    ..SelfSubjectAccessReviewSpec::default()
                },
                ..SelfSubjectAccessReview::default()
            };
            let answer = reviews.create(&PostParams::default(), &review).await?;
            let status = answer.status.unwrap_or_default();
            let missing = (!status.allowed).then(|| Missing {
                verb,
                kind,
                namespace: ns,
                reason: status
                    .reason
                    .filter(|r| !r.is_empty())
                    .or(status.evaluation_error.filter(|r| !r.is_empty())),
            });
            Ok::<_, kube::Error>(missing)
        }
    });
    Ok(try_join_all(asks).await?.into_iter().flatten().collect())
}

/// The API server's version, and whether this tool supports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerVersion {
    /// `v1.31.2`, as the server says.
    pub git_version: String,
    /// Major and minor, when they parse (`1`, `31`; a `+` suffix is dropped).
    pub major_minor: Option<(u32, u32)>,
}

impl ServerVersion {
    /// Whether the server is at least [`MIN_SERVER`]; unknown counts as supported.
    pub fn supported(&self) -> bool {
        self.major_minor.is_none_or(|v| v >= MIN_SERVER)
    }
}

/// Asks the API server for its version.
pub async fn server_version(client: &Client) -> Result<ServerVersion, kube::Error> {
    let info = client.apiserver_version().await?;
    let number = |s: &str| {
        s.trim_end_matches(|c: char| !c.is_ascii_digit())
            .parse::<u32>()
            .ok()
    };
    let major_minor = number(&info.major).zip(number(&info.minor));
    Ok(ServerVersion {
        git_version: info.git_version,
        major_minor,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{LoadOptions, load};

    fn deployment(set: &[&str]) -> Deployment {
        load(&LoadOptions {
            set: set.iter().map(|s| s.to_string()).collect(),
            ..LoadOptions::default()
        })
        .expect("valid")
    }

    #[test]
    fn kinds_follow_the_chart_rbac_and_ingress() {
        let platform = kinds_for(&deployment(&[]));
        assert!(platform.contains(&DEPLOYMENTS));
        assert!(platform.contains(&CLUSTER_ROLES));
        assert!(!platform.contains(&INGRESSES));
        let no_rbac = kinds_for(&deployment(&["rbac.enabled=false", "ingress.enabled=true"]));
        assert!(!no_rbac.contains(&ROLES) && !no_rbac.contains(&CLUSTER_ROLES));
        assert!(no_rbac.contains(&INGRESSES));
        let agent = kinds_for(&deployment(&[
            "deploymentChart=agent",
            "agent.instance=a.b",
            "agent.token=t",
        ]));
        assert!(!agent.contains(&STATEFUL_SETS));
    }

    #[test]
    fn missing_permissions_read_like_kubectl_auth_can_i() {
        let missing = Missing {
            verb: "create",
            kind: DEPLOYMENTS,
            namespace: Some("polyaxon".into()),
            reason: None,
        };
        assert_eq!(
            missing.to_string(),
            "create deployments.apps in namespace polyaxon"
        );
        let missing = Missing {
            verb: "patch",
            kind: CLUSTER_ROLES,
            namespace: None,
            reason: Some("no RBAC policy matched".into()),
        };
        assert_eq!(
            missing.to_string(),
            "patch clusterroles.rbac.authorization.k8s.io (cluster-wide): no RBAC policy matched"
        );
    }

    #[test]
    fn server_versions_below_the_minimum_are_unsupported() {
        let v = |mm| ServerVersion {
            git_version: String::new(),
            major_minor: mm,
        };
        assert!(v(Some((1, 31))).supported());
        assert!(v(Some((1, 23))).supported());
        assert!(!v(Some((1, 22))).supported());
        assert!(v(None).supported());
    }
}
