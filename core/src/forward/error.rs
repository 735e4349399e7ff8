//! Why a port-forward cannot start, in words a user can act on.

use std::fmt;

use super::pods::PodProblem;

/// An API access that was refused or failed: verb, resource, namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    /// The verb (`get`, `list`, `watch`, `create`).
    pub verb: &'static str,
    /// The resource, with its subresource (`services`, `pods/portforward`).
    pub resource: &'static str,
    /// The namespace.
    pub namespace: String,
}

impl Access {
    /// `get <resource>` in a namespace.
    pub fn get(resource: &'static str, namespace: &str) -> Self {
        Self::new("get", resource, namespace)
    }

    /// Any verb on a resource in a namespace.
    pub fn new(verb: &'static str, resource: &'static str, namespace: &str) -> Self {
        Self {
            verb,
            resource,
            namespace: namespace.to_string(),
        }
    }
}

impl fmt::Display for Access {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} in namespace {}",
            self.verb, self.resource, self.namespace
        )
    }
}

/// A `*-polyaxon-<service>` Service that exists, offered when the asked-for one does not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayService {
    /// The release it belongs to (the name's prefix).
    pub release: String,
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
}

/// Why the port-forward cannot start or go on.
#[derive(Debug, thiserror::Error)]
pub enum ForwardError {
    /// No Service `<release>-polyaxon-<service>` in the namespace.
    #[error(
        "release {release} has no {service} service in namespace {namespace} (no Service {name}); {}",
        existing_services(existing, namespace, service)
    )]
    ServiceNotFound {
        /// The release asked for.
        release: String,
        /// The service asked for (`gateway`).
        service: String,
        /// The Service name looked up.
        name: String,
        /// The namespace looked in.
        namespace: String,
        /// The Services of that kind that do exist.
        existing: Vec<GatewayService>,
    },

    /// The Service has no port to forward.
    #[error(
        "service {service} in namespace {namespace} has no port {port} (its ports: {})",
        join(available)
    )]
    ServicePortNotFound {
        /// The Service.
        service: String,
        /// Its namespace.
        namespace: String,
        /// The port looked for.
        port: u16,
        /// The ports it has.
        available: Vec<u16>,
    },

    /// The Service selects no pods (it has no selector).
    #[error(
        "service {service} in namespace {namespace} has no pod selector, so it has no pod to forward to"
    )]
    NoSelector {
        /// The Service.
        service: String,
        /// Its namespace.
        namespace: String,
    },

    /// No pod behind the Service is Ready.
    #[error(
        "no Ready pod behind service {service} in namespace {namespace}: {}",
        problems_text(problems, selector)
    )]
    NoReadyPod {
        /// The Service.
        service: String,
        /// Its namespace.
        namespace: String,
        /// Its pod selector.
        selector: String,
        /// Why each of its pods is not Ready (empty: no pod matches).
        problems: Vec<PodProblem>,
    },

    /// The local port is taken.
    #[error("local port {port} on {address} is already in use")]
    PortInUse {
        /// The local address.
        address: String,
        /// The local port.
        port: u16,
    },

    /// The local port cannot be listened on for another reason.
    #[error("cannot listen on {address} port {port}: {source}")]
    Listen {
        /// The local address.
        address: String,
        /// The local port.
        port: u16,
        /// What the system said.
        source: std::io::Error,
    },

    /// The local address does not name this machine.
    #[error("cannot listen on address {address}: {reason}")]
    Address {
        /// The address given.
        address: String,
        /// Why it cannot be used.
        reason: String,
    },

    /// The cluster refused an access the forward needs (RBAC).
    #[error("permission denied: {} cannot {access}{}", user.as_deref().unwrap_or("you"), detail(message))]
    Forbidden {
        /// What was refused.
        access: Access,
        /// Who asked, when the cluster says.
        user: Option<String>,
        /// The cluster's own words, if any.
        message: String,
    },

    /// An API call failed for another reason.
    #[error("cannot {access}: {}", crate::api_error::explain(source))]
    Api {
        /// What was attempted.
        access: Access,
        /// The error.
        source: kube::Error,
    },

    /// The first port-forward connection to the pod could not be opened.
    #[error("cannot {access} (pod {pod}): {source}")]
    PortForward {
        /// What was attempted.
        access: Access,
        /// The pod.
        pod: String,
        /// Why it failed (boxed: it holds a whole API error).
        source: Box<super::transport::ConnectError>,
    },
}

/// Maps an API error to [`ForwardError::Forbidden`] when the cluster said 403.
pub(crate) fn api_error(error: kube::Error, access: Access) -> ForwardError {
    match error {
        kube::Error::Api(status) if status.code == 403 => ForwardError::Forbidden {
            access,
            user: None,
            message: status.message,
        },
        source => ForwardError::Api { access, source },
    }
}

fn existing_services(existing: &[GatewayService], namespace: &str, service: &str) -> String {
    if existing.is_empty() {
        return format!("no {service} service of any release exists in namespace {namespace}");
    }
    let listed = existing
        .iter()
        .map(|s| {
            if s.namespace == namespace {
                format!("{} (release {})", s.name, s.release)
            } else {
                format!(
                    "{} in namespace {} (release {})",
                    s.name, s.namespace, s.release
                )
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    let place = if existing.iter().all(|s| s.namespace == namespace) {
        format!("in namespace {namespace}")
    } else {
        "in other namespaces".to_string()
    };
    format!("{service} services {place}: {listed}")
}

fn problems_text(problems: &[PodProblem], selector: &str) -> String {
    PodProblem::list(problems, || {
        format!("no pod matches its selector {selector}")
    })
}

fn join(ports: &[u16]) -> String {
    if ports.is_empty() {
        return "none".to_string();
    }
    ports
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn detail(message: &str) -> String {
    if message.is_empty() {
        String::new()
    } else {
        format!(" (the cluster said: {message})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_release_lists_the_gateway_services_that_exist() {
        let err = ForwardError::ServiceNotFound {
            release: "agent".into(),
            service: "gateway".into(),
            name: "agent-polyaxon-gateway".into(),
            namespace: "polyaxon".into(),
            existing: vec![GatewayService {
                release: "polyaxon".into(),
                namespace: "polyaxon".into(),
                name: "polyaxon-polyaxon-gateway".into(),
            }],
        };
        assert_eq!(
            err.to_string(),
            "release agent has no gateway service in namespace polyaxon (no Service agent-polyaxon-gateway); \
             gateway services in namespace polyaxon: polyaxon-polyaxon-gateway (release polyaxon)"
        );
    }

    #[test]
    fn a_missing_release_with_no_gateway_anywhere_says_so() {
        let err = ForwardError::ServiceNotFound {
            release: "agent".into(),
            service: "gateway".into(),
            name: "agent-polyaxon-gateway".into(),
            namespace: "polyaxon".into(),
            existing: vec![],
        };
        assert!(
            err.to_string()
                .ends_with("no gateway service of any release exists in namespace polyaxon"),
            "{err}"
        );
    }

    #[test]
    fn no_ready_pod_explains_each_pod() {
        let err = ForwardError::NoReadyPod {
            service: "agent-polyaxon-gateway".into(),
            namespace: "polyaxon".into(),
            selector: "app=gw".into(),
            problems: vec![PodProblem {
                pod: "gw-1".into(),
                reason: "container gateway is waiting: ImagePullBackOff".into(),
            }],
        };
        assert_eq!(
            err.to_string(),
            "no Ready pod behind service agent-polyaxon-gateway in namespace polyaxon: \
             pod gw-1: container gateway is waiting: ImagePullBackOff"
        );
        let none = ForwardError::NoReadyPod {
            service: "s".into(),
            namespace: "n".into(),
            selector: "app=gw".into(),
            problems: vec![],
        };
        assert!(
            none.to_string()
                .ends_with("no pod matches its selector app=gw")
        );
    }

    #[test]
    fn forbidden_names_who_and_what() {
        let err = ForwardError::Forbidden {
            access: Access::new("create", "pods/portforward", "polyaxon"),
            user: Some("system:serviceaccount:polyaxon:viewer".into()),
            message: String::new(),
        };
        assert_eq!(
            err.to_string(),
            "permission denied: system:serviceaccount:polyaxon:viewer cannot create pods/portforward in namespace polyaxon"
        );
    }
}
