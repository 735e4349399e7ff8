//! The CLI's reading of core's errors: for each kind, its exit code (see
//! `exit.rs`), its wording where the error's own is not the right one, and
//! the advice a person sees (`hint:`). Core errors carry the facts; the
//! advice names this tool's commands and flags, which only the CLI knows.

use polyaxon_core::api_error::{Refuser, explain, refusal};
use polyaxon_core::apply::ApplyError;
use polyaxon_core::cluster::ClusterError;
use polyaxon_core::config::ConfigErrors;
use polyaxon_core::discover::DiscoverError;
use polyaxon_core::forward::client_config::ClientConfigError;
use polyaxon_core::forward::{ConnectError, ForwardError};
use polyaxon_core::ops::{HelmError, OpError};
use polyaxon_core::preflight::PreflightError;
use polyaxon_core::release::{LEASE_SECONDS, LockError, StoreError};
use polyaxon_core::render::RenderError;

use crate::exit::{CLUSTER_HINT, Classify, Exit, REFUSED_HINT};

/// The hint when no kubeconfig was found and this is not inside a cluster.
pub const NOT_CONFIGURED_HINT: &str = "set KUBECONFIG, pass --kubeconfig, or run inside a cluster";

/// The hint when the kubeconfig named cannot be read.
pub const KUBECONFIG_HINT: &str = "check the file given with --kubeconfig or in KUBECONFIG";

/// Whether the cluster answered but refused who is asking (401, or a 403
/// of RBAC), as opposed to what is asked (a quota, a webhook, a policy) or
/// not answering at all.
pub fn is_refusal(error: &kube::Error) -> bool {
    refusal(error).is_some_and(|r| {
        matches!(r.code, 401 | 403)
            && matches!(
                r.by,
                Refuser::Rbac { .. } | Refuser::Credentials | Refuser::ApiServer
            )
    })
}

impl Classify for kube::Error {
    fn exit(&self) -> Exit {
        use kube::Error as E;
        match self {
            error if is_refusal(error) => Exit::Cluster,
            E::Api(_) => Exit::Failed,
            E::HyperError(_)
            | E::Service(_)
            | E::RustlsTls(_)
            | E::Auth(_)
            | E::TlsRequired
            | E::ProxyProtocolUnsupported { .. }
            | E::ProxyProtocolDisabled { .. }
            | E::InferConfig(_) => Exit::Cluster,
            E::InferKubeconfig(_) => Exit::Usage,
            _ => Exit::Failed,
        }
    }

    /// kube's own wording names its variants (`ServiceError: …`) and prints
    /// API statuses as Rust debug output; say who refused what instead.
    fn describe(&self) -> Option<String> {
        use kube::Error as E;
        match self {
            E::Api(_) | E::HyperError(_) | E::Service(_) => Some(explain(self)),
            _ => None,
        }
    }

    /// The fix the refusal names (the grant RBAC lacks, the quota to raise),
    /// else the general advice for its exit.
    fn hint(&self) -> Option<String> {
        if let Some(fix) = refusal(self).and_then(|r| r.fix()) {
            return Some(fix);
        }
        if is_refusal(self) {
            Some(REFUSED_HINT.to_string())
        } else {
            (self.exit() == Exit::Cluster).then(|| CLUSTER_HINT.to_string())
        }
    }
}

impl Classify for ClusterError {
    fn exit(&self) -> Exit {
        match self {
            // Every way of not having a cluster to talk to is one code, as
            // scripts need to tell "no cluster" from "bad config".
            ClusterError::Kubeconfig { .. }
            | ClusterError::UnknownContext { .. }
            | ClusterError::NotConfigured(_) => Exit::Cluster,
            ClusterError::Client(error) => error.exit(),
        }
    }

    fn describe(&self) -> Option<String> {
        match self {
            ClusterError::Client(error) => error.describe(),
            _ => None,
        }
    }

    fn hint(&self) -> Option<String> {
        match self {
            ClusterError::Kubeconfig { .. } => Some(KUBECONFIG_HINT.to_string()),
            ClusterError::UnknownContext { available, .. } if !available.is_empty() => Some(
                "pass one of them with --context, or leave --context out for the current one"
                    .to_string(),
            ),
            ClusterError::UnknownContext { .. } | ClusterError::NotConfigured(_) => {
                Some(NOT_CONFIGURED_HINT.to_string())
            }
            ClusterError::Client(error) => error.hint(),
        }
    }
}

impl Classify for DiscoverError {
    fn exit(&self) -> Exit {
        self.api_error().map_or(Exit::Failed, Classify::exit)
    }

    fn describe(&self) -> Option<String> {
        self.api_error().and_then(Classify::describe)
    }

    fn hint(&self) -> Option<String> {
        self.api_error().and_then(Classify::hint)
    }
}

/// A port-forward that cannot start: refused access is a cluster exit, a
/// local address that is not this machine's a usage error.
impl Classify for ForwardError {
    fn exit(&self) -> Exit {
        match self {
            ForwardError::Forbidden { .. } => Exit::Cluster,
            ForwardError::Api { source, .. } => source.exit(),
            ForwardError::PortForward { source, .. } => match source.as_ref() {
                ConnectError::Upgrade(error) => error.exit(),
                _ => Exit::Failed,
            },
            ForwardError::Address { .. } => Exit::Usage,
            _ => Exit::Failed,
        }
    }

    fn describe(&self) -> Option<String> {
        match self {
            ForwardError::Api { access, source } => source
                .describe()
                .map(|said| format!("cannot {access}: {said}")),
            _ => None,
        }
    }

    fn hint(&self) -> Option<String> {
        match self {
            ForwardError::ServiceNotFound {
                existing,
                namespace,
                ..
            } => Some(match existing.first() {
                None => "is Polyaxon deployed in that namespace? name its namespace with -n".into(),
                Some(found) if found.namespace == *namespace => {
                    format!("name the release with -r, e.g. -r {}", found.release)
                }
                Some(found) => format!(
                    "name the release and its namespace, e.g. -r {} -n {}",
                    found.release, found.namespace
                ),
            }),
            ForwardError::PortInUse { .. } => {
                Some("stop what uses it or pick another port with -p/--port".into())
            }
            ForwardError::Forbidden { .. } => {
                Some("ask a cluster admin for a Role granting it".into())
            }
            ForwardError::Api { source, .. } => source.hint(),
            _ => None,
        }
    }
}

/// The Polyaxon client config could not be pointed at the forward.
impl Classify for ClientConfigError {
    fn exit(&self) -> Exit {
        Exit::Failed
    }

    fn hint(&self) -> Option<String> {
        matches!(self, ClientConfigError::Unreadable { .. }).then(|| {
            "fix or delete the file (`polyaxon config purge` in the Python CLI)".to_string()
        })
    }
}

/// An invalid deployment config: nothing was tried.
impl Classify for ConfigErrors {
    fn exit(&self) -> Exit {
        Exit::Usage
    }

    /// Every error, one per line; the last line ends without a newline, as
    /// every message does.
    fn describe(&self) -> Option<String> {
        Some(self.to_string().trim_end().to_string())
    }
}

/// A config that loads but cannot be rendered: nothing was tried.
impl Classify for RenderError {
    fn exit(&self) -> Exit {
        Exit::Usage
    }
}

impl Classify for std::io::Error {
    fn exit(&self) -> Exit {
        match self.kind() {
            // The reader went away (`polyaxon … | head`): not worth a word.
            std::io::ErrorKind::BrokenPipe => Exit::Success,
            _ => Exit::Failed,
        }
    }
}

impl Classify for serde_json::Error {
    fn exit(&self) -> Exit {
        Exit::Failed
    }
}

impl Classify for serde_yaml::Error {
    fn exit(&self) -> Exit {
        Exit::Failed
    }
}

/// A lifecycle operation that failed: its kind says the exit and the advice;
/// an API error underneath decides both where there is one.
impl Classify for OpError {
    fn exit(&self) -> Exit {
        match self {
            OpError::Version(_) | OpError::Render(_) => Exit::Usage,
            OpError::Lock(error) => error.exit(),
            OpError::Store(error) => error.exit(),
            OpError::Apply(error) => error.exit(),
            OpError::Api { source, .. } => source.exit(),
            OpError::RolledBack { cause, .. } => cause.exit(),
            _ => Exit::Failed,
        }
    }

    fn hint(&self) -> Option<String> {
        match self {
            OpError::ReleaseExists { .. } => Some("use `polyaxon upgrade` to change it".into()),
            OpError::NotFound { .. } => Some(
                "check the release name (-r) and namespace (-n); `polyaxon deploy` creates a release"
                    .into(),
            ),
            OpError::NotDeployed {
                release, namespace, ..
            } => Some(format!(
                "`polyaxon history -r {release} -n {namespace}` shows why its revisions failed; `polyaxon deploy` deploys it again"
            )),
            OpError::Downgrade { .. } => Some("pass --allow-downgrade to do it anyway".into()),
            error if error.needs_confirmation() => {
                Some("confirm on a terminal, or pass --yes".into())
            }
            OpError::Helm(helm) if matches!(**helm, HelmError::InstalledByHelm { .. }) => {
                Some("docs/helm.md says what the takeover changes and how to go back to helm".into())
            }
            OpError::Lock(error) => error.hint(),
            OpError::Preflight(error) => error.hint(),
            OpError::Store(error) => error.hint(),
            OpError::Apply(error) => error.hint(),
            OpError::Api { source, .. } => source.hint(),
            OpError::RolledBack { cause, .. } => cause.hint(),
            _ => None,
        }
    }
}

/// The cluster lacks what the release needs: the operation cannot succeed.
impl Classify for PreflightError {
    fn exit(&self) -> Exit {
        Exit::Failed
    }

    fn hint(&self) -> Option<String> {
        Some(
            "create what is missing (the commands above), or change the config, then run again"
                .to_string(),
        )
    }
}

impl Classify for LockError {
    fn exit(&self) -> Exit {
        match self {
            LockError::Held { .. } | LockError::Lost { .. } => Exit::Failed,
            LockError::Api { source, .. } => source.exit(),
        }
    }

    fn hint(&self) -> Option<String> {
        match self {
            LockError::Held { release, .. } => Some(format!(
                "wait for it to finish (the lock expires {LEASE_SECONDS}s after its holder stops renewing it, at once when its process ended on this machine); if you know it is dead, `polyaxon unlock -r {release}`"
            )),
            LockError::Lost { release, .. } => Some(format!(
                "see what the other operation did with `polyaxon status -r {release}`, then run the command again"
            )),
            LockError::Api { source, .. } => source.hint(),
        }
    }
}

impl Classify for StoreError {
    fn exit(&self) -> Exit {
        self.api_error().map_or(Exit::Failed, Classify::exit)
    }

    fn hint(&self) -> Option<String> {
        self.api_error().and_then(Classify::hint)
    }
}

impl Classify for ApplyError {
    fn exit(&self) -> Exit {
        self.api_error().map_or(Exit::Failed, Classify::exit)
    }

    fn hint(&self) -> Option<String> {
        match self {
            ApplyError::NotOwned { .. } => {
                Some("delete it, or deploy under another release name (-r)".into())
            }
            _ => self.api_error().and_then(Classify::hint),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exit::Failure;

    fn api_error(code: u16, reason: &str) -> kube::Error {
        let status = kube::core::Status {
            code,
            message: "denied".into(),
            reason: reason.into(),
            ..kube::core::Status::default()
        };
        kube::Error::Api(Box::new(status))
    }

    #[test]
    fn forbidden_and_unauthorized_are_cluster_exits_other_api_errors_failures() {
        assert_eq!(api_error(403, "Forbidden").exit(), Exit::Cluster);
        assert_eq!(api_error(401, "Unauthorized").exit(), Exit::Cluster);
        assert_eq!(api_error(404, "NotFound").exit(), Exit::Failed);
        assert_eq!(api_error(409, "Conflict").exit(), Exit::Failed);
        assert_eq!(api_error(500, "InternalError").exit(), Exit::Failed);
    }

    #[test]
    fn a_classified_error_keeps_its_sources_and_gets_a_hint_for_the_cluster() {
        let failure = Failure::from(ClusterError::Client(api_error(403, "Forbidden")));
        assert_eq!(failure.exit, Exit::Cluster);
        assert_eq!(
            failure.message,
            "the API server forbade it (403 Forbidden): denied"
        );
        assert_eq!(failure.hint.as_deref(), Some(REFUSED_HINT));
        let failure = Failure::from(ClusterError::NotConfigured("no kubeconfig".into()));
        assert_eq!(
            (failure.exit, failure.hint.as_deref()),
            (Exit::Cluster, Some(NOT_CONFIGURED_HINT))
        );
        let unreachable = kube::Error::Service("connection refused".into());
        assert_eq!(
            Failure::from(ClusterError::Client(unreachable))
                .hint
                .as_deref(),
            Some(CLUSTER_HINT)
        );

        let io = std::io::Error::new(std::io::ErrorKind::StorageFull, "no space left");
        let failure = Failure::from(io).context("writing the script");
        assert_eq!(failure.exit, Exit::Failed);
        assert_eq!(failure.message, "writing the script: no space left");
        assert_eq!(failure.hint, None);
    }

    #[test]
    fn other_api_errors_say_the_status_not_rust_debug_output() {
        let failure = Failure::from(api_error(404, "NotFound"));
        assert_eq!(failure.exit, Exit::Failed);
        assert_eq!(
            failure.message,
            "the API server has no such object (404 NotFound): denied"
        );
        assert_eq!(failure.hint, None);
    }

    fn refused(message: &str) -> kube::Error {
        kube::Error::Api(Box::new(kube::core::Status {
            code: 403,
            reason: "Forbidden".into(),
            message: message.into(),
            ..kube::core::Status::default()
        }))
    }

    #[test]
    fn rbac_is_a_cluster_exit_a_quota_a_failure_each_with_its_own_fix() {
        let rbac = refused(
            "secrets is forbidden: User \"system:serviceaccount:team:ci\" cannot list resource \"secrets\" in API group \"\" in the namespace \"team\"",
        );
        let failure = Failure::from(rbac);
        assert_eq!(failure.exit, Exit::Cluster);
        assert_eq!(
            failure.message,
            "forbidden by RBAC: user system:serviceaccount:team:ci may not list secrets in namespace team"
        );
        assert!(
            failure
                .hint
                .unwrap()
                .starts_with("a cluster admin can grant it with a Role in namespace team allowing \"list\" on secrets")
        );
        let quota = refused(
            "services \"agent\" is forbidden: exceeded quota: no-services, requested: services=1, used: services=0, limited: services=0",
        );
        let applying = OpError::Apply(ApplyError::Api {
            action: "apply",
            object: "Service team/agent".into(),
            source: Box::new(quota),
        });
        let failure = Failure::from(applying);
        assert_eq!(failure.exit, Exit::Failed);
        assert_eq!(
            failure.message,
            "apply Service team/agent: refused by ResourceQuota no-services: requested: services=1, used: services=0, limited: services=0"
        );
        assert!(!failure.message.contains("Status {"), "{}", failure.message);
        assert!(
            failure
                .hint
                .unwrap()
                .contains("raise the limit of ResourceQuota no-services")
        );
    }

    #[test]
    fn advice_is_the_clis_and_names_its_flags() {
        let downgrade = OpError::Downgrade {
            release: "agent".into(),
            deployed: "2.18.0".into(),
            requested: "2.16.0".into(),
        };
        let failure = Failure::from(downgrade);
        assert_eq!(
            (failure.exit, failure.message.as_str()),
            (
                Exit::Failed,
                "release agent runs 2.18.0; 2.16.0 is older: refusing to downgrade"
            )
        );
        assert_eq!(
            failure.hint.as_deref(),
            Some("pass --allow-downgrade to do it anyway")
        );
        let locked = OpError::Lock(LockError::Api {
            release: "agent".into(),
            source: Box::new(api_error(403, "Forbidden")),
        });
        assert_eq!(locked.exit(), Exit::Cluster);
        assert_eq!(locked.hint().as_deref(), Some(REFUSED_HINT));
    }
}
