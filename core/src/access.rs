//! Before deploying: is the cluster recent enough, and may the current user
//! create every kind of object the chart needs? Asked of the API server with
//! SelfSubjectAccessReview, which answers for whoever the kubeconfig names;
//! [`review`] is the one way every permission question is asked (the
//! port-forward asks it too).

use std::fmt;

use futures::future::try_join_all;
use k8s_openapi::api::authentication::v1::SelfSubjectReview;
use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
};
use k8s_openapi::api::core::v1::Namespace;
use kube::Client;
use kube::api::{Api, PostParams};

use crate::config::Deployment;
use crate::render::{self, Manifest, ReleaseState, RenderError, RenderedObject};

/// The oldest Kubernetes this tool deploys to: 1.23 is the first release with
/// every API the charts use at GA (`networking.k8s.io/v1` Ingress,
/// `autoscaling/v2` HorizontalPodAutoscaler, `batch/v1` Jobs and CronJobs).
pub const MIN_SERVER: (u32, u32) = (1, 23);

/// A kind of object, as RBAC names it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ResourceKind {
    /// API group (`""` for core, `apps`, `rbac.authorization.k8s.io`, …).
    pub group: String,
    /// Plural resource name (`deployments`).
    pub resource: String,
    /// Namespaced (checked in the release namespace) or cluster-wide.
    pub namespaced: bool,
}

impl ResourceKind {
    /// The kind of a rendered object.
    pub fn of(object: &RenderedObject) -> Self {
        ResourceKind {
            group: object.resource.group.clone(),
            resource: object.resource.plural.clone(),
            namespaced: object.namespaced,
        }
    }

    /// Namespaces: asked for only when the release's namespace is missing.
    fn namespaces() -> Self {
        ResourceKind {
            group: String::new(),
            resource: "namespaces".into(),
            namespaced: false,
        }
    }
}

impl fmt::Display for ResourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.group.is_empty() {
            f.write_str(&self.resource)
        } else {
            write!(f, "{}.{}", self.resource, self.group)
        }
    }
}

/// The kinds of the objects in `manifest`, hook Jobs included, each once,
/// in apply order. The Namespace is left out: a deploy creates it only
/// when it is missing, and [`check_access`] asks for it then.
pub fn kinds_in(manifest: &Manifest) -> Vec<ResourceKind> {
    let mut kinds: Vec<ResourceKind> = Vec::new();
    for object in &manifest.objects {
        let kind = ResourceKind::of(object);
        if object.kind() != "Namespace" && !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    kinds
}

/// The kinds `deployment` renders to: exactly what a deploy of it creates
/// (RBAC only with `rbac.enabled`, cluster-wide roles only when the agent
/// watches beyond its namespace, …). Rendered with placeholder generated
/// values, which change no kind.
pub fn kinds_for(deployment: &Deployment) -> Result<Vec<ResourceKind>, RenderError> {
    let state = ReleaseState::placeholder(&deployment.release_name);
    Ok(kinds_in(&render::render(deployment, &state)?))
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

/// A permission question: may the current user `verb` the `resource` (its
/// `subresource`, in API `group`), in `namespace` or cluster-wide?
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    /// The verb (`create`, `patch`, `get`).
    pub verb: String,
    /// The API group (`""` for core).
    pub group: String,
    /// The plural resource (`pods`).
    pub resource: String,
    /// The subresource (`portforward`), if any.
    pub subresource: Option<String>,
    /// The namespace; `None` asks cluster-wide.
    pub namespace: Option<String>,
}

/// The API server's answer to a [`Question`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// Whether it is allowed.
    pub allowed: bool,
    /// Why, in the API server's words, when it says (the reason, else the
    /// evaluation error).
    pub reason: Option<String>,
}

/// Asks the API server one permission question, with a
/// SelfSubjectAccessReview for whoever the client is.
pub async fn review(client: &Client, question: &Question) -> Result<Answer, kube::Error> {
    let review = SelfSubjectAccessReview {
        spec: SelfSubjectAccessReviewSpec {
            resource_attributes: Some(ResourceAttributes {
                group: Some(question.group.clone()),
                resource: Some(question.resource.clone()),
                subresource: question.subresource.clone(),
                verb: Some(question.verb.clone()),
                namespace: question.namespace.clone(),
                ..ResourceAttributes::default()
            }),
            ..SelfSubjectAccessReviewSpec::default()
        },
        ..SelfSubjectAccessReview::default()
    };
    let reviews: Api<SelfSubjectAccessReview> = Api::all(client.clone());
    let status = reviews
        .create(&PostParams::default(), &review)
        .await?
        .status
        .unwrap_or_default();
    let said = |text: Option<String>| text.filter(|t| !t.is_empty());
    Ok(Answer {
        allowed: status.allowed,
        reason: said(status.reason).or(said(status.evaluation_error)),
    })
}

/// The user name the cluster knows the client as, when it says.
pub async fn whoami(client: &Client) -> Option<String> {
    let reviews: Api<SelfSubjectReview> = Api::all(client.clone());
    reviews
        .create(&PostParams::default(), &SelfSubjectReview::default())
        .await
        .ok()?
        .status?
        .user_info?
        .username
}

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
        Ok(None) => kinds.push(ResourceKind::namespaces()),
        Err(other) => return Err(other),
    }
    let pairs: Vec<(ResourceKind, &'static str)> = kinds
        .iter()
        .flat_map(|kind| VERBS.iter().map(move |verb| (kind.clone(), *verb)))
        .collect();
    let asks = pairs.into_iter().map(|(kind, verb)| {
        let question = Question {
            verb: verb.to_string(),
            group: kind.group.clone(),
            resource: kind.resource.clone(),
            subresource: None,
            namespace: kind.namespaced.then(|| namespace.to_string()),
        };
        async move {
            let answer = review(client, &question).await?;
            let missing = (!answer.allowed).then_some(Missing {
                verb,
                kind,
                namespace: question.namespace,
                reason: answer.reason,
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

    fn kinds(set: &[&str]) -> Vec<String> {
        kinds_for(&deployment(set))
            .expect("renders")
            .iter()
            .map(ResourceKind::to_string)
            .collect()
    }

    #[test]
    fn kinds_follow_the_chart_rbac_and_ingress() {
        let platform = kinds(&[]);
        for needed in [
            "deployments.apps",
            "statefulsets.apps",
            "jobs.batch",
            "customresourcedefinitions.apiextensions.k8s.io",
            "roles.rbac.authorization.k8s.io",
        ] {
            assert!(
                platform.iter().any(|k| k == needed),
                "{needed}: {platform:?}"
            );
        }
        // Only what the chart renders: no ClusterRole unless the agent works
        // in additional namespaces, no Ingress unless enabled, no DaemonSet ever.
        for absent in [
            "clusterroles.rbac.authorization.k8s.io",
            "ingresses.networking.k8s.io",
            "daemonsets.apps",
        ] {
            assert!(
                !platform.iter().any(|k| k == absent),
                "{absent}: {platform:?}"
            );
        }
        let cluster_wide = kinds(&["agent.additionalNamespaces[0]=runs"]);
        assert!(
            cluster_wide.contains(&"clusterroles.rbac.authorization.k8s.io".to_string()),
            "{cluster_wide:?}"
        );
        let no_rbac = kinds(&["rbac.enabled=false", "ingress.enabled=true"]);
        assert!(
            !no_rbac.iter().any(|k| k.contains("rbac.authorization")),
            "{no_rbac:?}"
        );
        assert!(no_rbac.contains(&"ingresses.networking.k8s.io".to_string()));
        let agent = kinds(&[
            "deploymentChart=agent",
            "agent.instance=a.b",
            "agent.token=t",
        ]);
        assert!(agent.contains(&"deployments.apps".to_string()));
        assert!(!agent.contains(&"statefulsets.apps".to_string()));
    }

    #[test]
    fn each_rendered_kind_is_asked_once_and_the_namespace_never() {
        let deployment = deployment(&[]);
        let manifest =
            render::render(&deployment, &ReleaseState::placeholder("polyaxon")).expect("renders");
        let kinds = kinds_in(&manifest);
        for object in &manifest.objects {
            let kind = ResourceKind::of(object);
            let asked = kinds.iter().filter(|k| **k == kind).count();
            let want = usize::from(object.kind() != "Namespace");
            assert_eq!(asked, want, "{} asked {asked} times", object.id());
        }
        let secrets = kinds
            .iter()
            .find(|k| k.resource == "secrets")
            .expect("secrets");
        assert!(secrets.namespaced && secrets.group.is_empty());
        let crds = kinds
            .iter()
            .find(|k| k.resource == "customresourcedefinitions")
            .expect("CRDs");
        assert!(!crds.namespaced);
    }

    #[test]
    fn missing_permissions_read_like_kubectl_auth_can_i() {
        let missing = Missing {
            verb: "create",
            kind: ResourceKind {
                group: "apps".into(),
                resource: "deployments".into(),
                namespaced: true,
            },
            namespace: Some("polyaxon".into()),
            reason: None,
        };
        assert_eq!(
            missing.to_string(),
            "create deployments.apps in namespace polyaxon"
        );
        let missing = Missing {
            verb: "patch",
            kind: ResourceKind {
                group: "rbac.authorization.k8s.io".into(),
                resource: "clusterroles".into(),
                namespaced: false,
            },
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
