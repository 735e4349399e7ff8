//! The gateway Service and the Ingress in front of it.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Service, ServicePort, ServiceSpec};
use k8s_openapi::api::networking::v1::{
    HTTPIngressPath, HTTPIngressRuleValue, Ingress, IngressBackend, IngressRule,
    IngressServiceBackend, IngressSpec, ServiceBackendPort,
};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::common::{self, Names};
use super::ctx::Ctx;
use super::labels::{self, Role};
use super::values::{self, Values};
use crate::config::schema::ServiceType;

/// A ClusterIP Service in front of the workload `name` (its pods are
/// selected by the workload's selector labels).
pub fn service(
    ctx: &Ctx<'_>,
    name: &str,
    selector_of: &str,
    role: Role,
    ports: Vec<ServicePort>,
) -> Service {
    Service {
        metadata: ctx.meta(name, role),
        spec: Some(ServiceSpec {
            type_: Some("ClusterIP".into()),
            selector: Some(labels::selector(ctx.release, selector_of)),
            ports: Some(ports),
            ..ServiceSpec::default()
        }),
        ..Service::default()
    }
}

/// A named TCP service port.
pub fn port(name: &str, port: i32, target: i32) -> ServicePort {
    ServicePort {
        name: Some(name.into()),
        port,
        target_port: Some(IntOrString::Int(target)),
        protocol: Some("TCP".into()),
        ..ServicePort::default()
    }
}

/// The gateway Service (`<fullname>-gateway`): `gateway.service.type`
/// (NodePort for minikube/microk8s, with node port 31833 unless set),
/// `gateway.service.annotations`, port 80 to the target port, and 443 when
/// the gateway serves TLS itself.
pub fn gateway_service(ctx: &Ctx<'_>, values: &Values<'_>, n: &Names, workload: &str) -> Service {
    let kind = values.gateway_service_type();
    let gateway = values.gateway();
    let spec = gateway.service.clone().unwrap_or_default();
    let mut http = port(
        spec.name.as_deref().unwrap_or("gateway"),
        common::gateway_port(values),
        common::gateway_target_port(values),
    );
    if kind == ServiceType::NodePort {
        http.node_port = Some(common::gateway_node_port(values));
    }
    let mut ports = vec![http];
    if common::ssl_enabled(values) {
        ports.push(port("https", 443, 443));
    }
    let mut metadata = ctx.meta(&n.gateway, Role::Api);
    metadata.annotations = spec.annotations.filter(|a| !a.is_empty());
    Service {
        metadata,
        spec: Some(ServiceSpec {
            type_: Some(values::service_type(kind)),
            selector: Some(labels::selector(ctx.release, workload)),
            ports: Some(ports),
            ..ServiceSpec::default()
        }),
        ..Service::default()
    }
}

/// The Ingress (`<fullname>-ingress`) to the gateway Service: `ingress.hostName`,
/// `ingress.path` (default `/`), `ingress.tls`, `ingress.annotations`,
/// `ingress.className`.
pub fn ingress(ctx: &Ctx<'_>, values: &Values<'_>, n: &Names) -> Ingress {
    let config = values.config.ingress.clone().unwrap_or_default();
    let name = super::names::component(ctx.release, "ingress");
    let mut metadata = ctx.meta(&name, Role::Api);
    metadata.annotations = config
        .annotations
        .clone()
        .filter(|a| !a.is_empty())
        .map(|a| a.into_iter().collect::<BTreeMap<_, _>>());
    let path = config
        .path
        .clone()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| "/".into());
    // `Prefix` paths may not hold wildcards (`/*`, as some GKE/ALB configs
    // write): those are sent as ImplementationSpecific, left to the controller.
    let path_type = if path.contains('*') {
        "ImplementationSpecific"
    } else {
        "Prefix"
    };
    Ingress {
        metadata,
        spec: Some(IngressSpec {
            ingress_class_name: config.class_name.clone().filter(|c| !c.is_empty()),
            rules: Some(vec![IngressRule {
                host: config.host_name.clone().filter(|h| !h.is_empty()),
                http: Some(HTTPIngressRuleValue {
                    paths: vec![HTTPIngressPath {
                        path: Some(path),
                        path_type: path_type.into(),
                        backend: IngressBackend {
                            service: Some(IngressServiceBackend {
                                name: n.gateway.clone(),
                                port: Some(ServiceBackendPort {
                                    number: Some(common::gateway_port(values)),
                                    ..ServiceBackendPort::default()
                                }),
                            }),
                            ..IngressBackend::default()
                        },
                    }],
                }),
            }]),
            tls: config.tls.clone().filter(|t| !t.is_empty()),
            ..IngressSpec::default()
        }),
        ..Ingress::default()
    }
}
