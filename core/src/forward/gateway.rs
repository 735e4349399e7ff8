//! The release's Service (`<release>-polyaxon-<service>`, the gateway by
//! default, named as the renderer names it): its port to the pods' target
//! port, and its pod selector.

use std::collections::BTreeMap;
use std::fmt;

use k8s_openapi::api::core::v1::Service;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use kube::api::ListParams;
use kube::{Api, Client, ResourceExt};

use super::error::{Access, ForwardError, GatewayService, api_error};
use crate::render::labels::INSTANCE;
use crate::render::names;

/// What the Service's port points at in its pods.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetPort {
    /// A container port number.
    Number(u16),
    /// A container port name, resolved in each pod.
    Name(String),
}

impl fmt::Display for TargetPort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Number(n) => write!(f, "{n}"),
            Self::Name(name) => write!(f, "`{name}`"),
        }
    }
}

/// The resolved Service: where connections go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gateway {
    /// The Service's name.
    pub service: String,
    /// Its namespace.
    pub namespace: String,
    /// The Service port forwarded (80 for the gateway).
    pub service_port: u16,
    /// The pods' port behind it.
    pub target_port: TargetPort,
    /// The Service's pod selector, as a label selector string (`a=b,c=d`).
    pub selector: String,
}

/// The Service's name for a release, asked of the renderer's naming so that
/// the forward finds the Service a deploy created: `<release>-polyaxon-<service>`,
/// its prefix shortened to fit 63 characters for long release names.
pub fn service_name(release: &str, service: &str) -> String {
    names::component(release, service)
}

/// The release a `*-<service>` Service belongs to: the release its instance
/// label names, when the renderer gives that release this Service name;
/// else the prefix before `-polyaxon-<service>` (a Service made by hand or
/// by helm). `None` for any other Service.
fn release_of(found: &Service, service: &str) -> Option<String> {
    let name = found.name_any();
    if let Some(release) = found.labels().get(INSTANCE)
        && service_name(release, service) == name
    {
        return Some(release.clone());
    }
    name.strip_suffix(&format!("-polyaxon-{service}"))
        .map(str::to_string)
}

/// Reads the Service and resolves `service_port` to its target.
pub async fn resolve(
    client: &Client,
    namespace: &str,
    release: &str,
    service: &str,
    service_port: u16,
) -> Result<Gateway, ForwardError> {
    let name = service_name(release, service);
    let services: Api<Service> = Api::namespaced(client.clone(), namespace);
    let found = services
        .get_opt(&name)
        .await
        .map_err(|e| api_error(e, Access::get("services", namespace)))?;
    let Some(found) = found else {
        let existing = list_services_like(client, namespace, service).await;
        return Err(ForwardError::ServiceNotFound {
            release: release.to_string(),
            service: service.to_string(),
            name,
            namespace: namespace.to_string(),
            existing,
        });
    };
    from_service(&found, namespace, service_port)
}

/// The pure part of [`resolve`]: the port and selector of a Service object.
pub fn from_service(
    found: &Service,
    namespace: &str,
    service_port: u16,
) -> Result<Gateway, ForwardError> {
    let name = found.name_any();
    let spec = found.spec.clone().unwrap_or_default();
    let ports = spec.ports.unwrap_or_default();
    let Some(port) = ports.iter().find(|p| p.port == i32::from(service_port)) else {
        return Err(ForwardError::ServicePortNotFound {
            service: name,
            namespace: namespace.to_string(),
            port: service_port,
            available: ports
                .iter()
                .filter_map(|p| u16::try_from(p.port).ok())
                .collect(),
        });
    };
    let target_port = match &port.target_port {
        None => TargetPort::Number(service_port),
        Some(IntOrString::Int(n)) => match u16::try_from(*n) {
            Ok(n) if n > 0 => TargetPort::Number(n),
            _ => TargetPort::Number(service_port),
        },
        Some(IntOrString::String(s)) => match s.parse::<u16>() {
            Ok(n) => TargetPort::Number(n),
            Err(_) => TargetPort::Name(s.clone()),
        },
    };
    let selector = spec.selector.unwrap_or_default();
    if selector.is_empty() {
        return Err(ForwardError::NoSelector {
            service: name,
            namespace: namespace.to_string(),
        });
    }
    Ok(Gateway {
        service: name,
        namespace: namespace.to_string(),
        service_port,
        target_port,
        selector: selector_string(&selector),
    })
}

fn selector_string(selector: &BTreeMap<String, String>) -> String {
    selector
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// The `<release>-polyaxon-<service>` Services a user may have meant: those
/// in the namespace, else (when the user may list them) those in other
/// namespaces. Best effort: a failure to list only means fewer hints.
async fn list_services_like(
    client: &Client,
    namespace: &str,
    service: &str,
) -> Vec<GatewayService> {
    let pick = |list: Vec<Service>| {
        let mut found: Vec<GatewayService> = list
            .iter()
            .filter_map(|s| {
                Some(GatewayService {
                    release: release_of(s, service)?,
                    namespace: s.namespace().unwrap_or_default(),
                    name: s.name_any(),
                })
            })
            .collect();
        found.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
        found
    };
    let here: Api<Service> = Api::namespaced(client.clone(), namespace);
    if let Ok(list) = here.list(&ListParams::default()).await {
        let found = pick(list.items);
        if !found.is_empty() {
            return found;
        }
    }
    let everywhere: Api<Service> = Api::all(client.clone());
    match everywhere.list(&ListParams::default()).await {
        Ok(list) => pick(list.items),
        Err(_) => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn service(ports: &serde_json::Value, selector: &serde_json::Value) -> Service {
        serde_json::from_value(json!({
            "metadata": {"name": "agent-polyaxon-gateway", "namespace": "polyaxon"},
            "spec": {"ports": ports, "selector": selector}
        }))
        .expect("test service")
    }

    #[test]
    fn the_service_port_resolves_to_a_named_or_numbered_target() {
        let selector =
            json!({"app.kubernetes.io/instance": "agent", "app.kubernetes.io/name": "gateway"});
        let named = service(&json!([{"port": 80, "targetPort": "http"}]), &selector);
        let gateway = from_service(&named, "polyaxon", 80).expect("resolves");
        assert_eq!(gateway.target_port, TargetPort::Name("http".into()));
        assert_eq!(
            gateway.selector,
            "app.kubernetes.io/instance=agent,app.kubernetes.io/name=gateway"
        );

        let numbered = service(
            &json!([{"port": 443, "targetPort": 8443}, {"port": 80, "targetPort": 8000}]),
            &selector,
        );
        assert_eq!(
            from_service(&numbered, "polyaxon", 80).unwrap().target_port,
            TargetPort::Number(8000)
        );

        let implicit = service(&json!([{"port": 80}]), &selector);
        assert_eq!(
            from_service(&implicit, "polyaxon", 80).unwrap().target_port,
            TargetPort::Number(80)
        );
    }

    #[test]
    fn a_service_without_port_80_lists_its_ports() {
        let svc = service(
            &json!([{"port": 8080}, {"port": 9090}]),
            &json!({"app": "gw"}),
        );
        let err = from_service(&svc, "polyaxon", 80).unwrap_err();
        assert_eq!(
            err.to_string(),
            "service agent-polyaxon-gateway in namespace polyaxon has no port 80 (its ports: 8080, 9090)"
        );
    }

    #[test]
    fn the_forward_looks_for_the_gateway_service_a_deploy_renders() {
        // 53 characters: the longest release name helm allows; its
        // `<release>-polyaxon-gateway` does not fit in 63 as is.
        let release = "a".repeat(53);
        let config = format!(
            "deploymentChart: agent\nreleaseName: {release}\n\
             agent:\n  instance: acme.agents.test\n  token: t\n"
        );
        let options = crate::config::LoadOptions::default();
        let deployment =
            crate::config::load_texts(&[("agent.yml", &config)], &options).expect("valid config");
        let state = crate::render::ReleaseState::placeholder(&release);
        let manifest = crate::render::render(&deployment, &state).expect("renders");
        let name = service_name(&release, "gateway");
        assert!(name.len() <= 63 && name.ends_with("-gateway"), "{name}");
        assert!(
            manifest.find("Service", &name).is_some(),
            "no Service {name} rendered"
        );
        assert_eq!(service_name("agent", "gateway"), "agent-polyaxon-gateway");
    }

    #[test]
    fn the_release_of_a_service_is_read_from_its_label_or_its_name() {
        let release = "r".repeat(53);
        let labelled: Service = serde_json::from_value(json!({
            "metadata": {"name": service_name(&release, "gateway"), "labels": {INSTANCE: release}}
        }))
        .expect("test service");
        assert_eq!(release_of(&labelled, "gateway"), Some(release));
        let by_hand: Service = serde_json::from_value(json!({
            "metadata": {"name": "agent-polyaxon-gateway"}
        }))
        .expect("test service");
        assert_eq!(release_of(&by_hand, "gateway").as_deref(), Some("agent"));
        assert_eq!(release_of(&by_hand, "api"), None);
    }

    #[test]
    fn a_service_without_selector_is_an_error() {
        let svc = service(&json!([{"port": 80}]), &json!({}));
        let err = from_service(&svc, "polyaxon", 80).unwrap_err();
        assert!(matches!(err, ForwardError::NoSelector { .. }), "{err}");
    }
}
