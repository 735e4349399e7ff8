//! The gateway Service and the Ingress in front of it.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Service, ServicePort, ServiceSpec};
use k8s_openapi::api::networking::v1::{
    HTTPIngressPath, HTTPIngressRuleValue, Ingress, IngressBackend, IngressRule,
    IngressServiceBackend, IngressSpec, ServiceBackendPort,
};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde_json::Value;

use super::common::{self, Names};
use super::ctx::Ctx;
use super::labels::{self, Role};
use super::values::{self, Values};
use crate::config::schema::ServiceType;

/// A ClusterIP Service named `name` in front of the pods named
/// `selector_of` ([`labels::selector`]).
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
            selector: Some(labels::selector(selector_of)),
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

/// A component's ClusterIP Service with one port: named by its config's
/// `service.name` (else `default_port_name`), from `port` to `target`, and
/// annotated with `service.annotations` when there are any.
pub fn component_service(
    ctx: &Ctx<'_>,
    name: &str,
    role: Role,
    spec: crate::config::schema::ServiceSpec,
    default_port_name: &str,
    port: i32,
    target: i32,
) -> Service {
    let port = self::port(
        spec.name.as_deref().unwrap_or(default_port_name),
        port,
        target,
    );
    let mut service = self::service(ctx, name, name, role, vec![port]);
    service.metadata.annotations = spec.annotations.filter(|a| !a.is_empty());
    service
}

/// The gateway Service (`<fullname>-gateway`, both charts'
/// `gateway-svc.yaml`): `gateway.service.type` (with the chart's node port
/// unless `nodePort` is set), `gateway.service.annotations`, port 80 to the
/// target port, and 443 when the 1.x gateway serves TLS itself. It selects
/// the pods named `app`, `<fullname>-gateway` in every chart.
pub fn gateway_service(ctx: &Ctx<'_>, values: &Values<'_>, n: &Names, app: &str) -> Service {
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
    if common::gateway_serves_tls(values) {
        ports.push(port("https", 443, 443));
    }
    let mut metadata = ctx.meta(&n.gateway, Role::Api);
    metadata.annotations = spec.annotations.filter(|a| !a.is_empty());
    Service {
        metadata,
        spec: Some(ServiceSpec {
            type_: Some(values::service_type(kind)),
            selector: Some(labels::selector(app)),
            ports: Some(ports),
            ..ServiceSpec::default()
        }),
        ..Service::default()
    }
}

/// The Ingress (`<fullname>-ingress`, both charts' `ing.yaml`) to the
/// gateway Service: `ingress.hostName`, `ingress.path` (default `/`),
/// `ingress.pathType`, `ingress.extraPaths`, `ingress.tls`,
/// `ingress.annotations`, `ingress.className`.
pub fn ingress(ctx: &Ctx<'_>, values: &Values<'_>, n: &Names) -> Ingress {
    let config = values.config.ingress.clone().unwrap_or_default();
    let name = super::names::component(ctx.release, "ingress");
    let mut metadata = ctx.meta(&name, Role::Api);
    metadata.annotations = config
        .annotations
        .clone()
        .filter(|a| !a.is_empty())
        .map(|a| a.into_iter().collect::<BTreeMap<_, _>>());
    let given_type = config
        .extra
        .get("pathType")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .map(String::from);
    // `Prefix` paths may not hold wildcards (`/*`, as some GKE/ALB configs
    // write; the API server refuses them): with no `pathType` given those
    // are sent as ImplementationSpecific, left to the controller.
    let path_type = |path: &str| {
        given_type.clone().unwrap_or_else(|| {
            if path.contains('*') {
                "ImplementationSpecific".into()
            } else {
                "Prefix".into()
            }
        })
    };
    let backend = |service: String, number: i32| IngressBackend {
        service: Some(IngressServiceBackend {
            name: service,
            port: Some(ServiceBackendPort {
                number: Some(number),
                ..ServiceBackendPort::default()
            }),
        }),
        ..IngressBackend::default()
    };
    let path = config
        .path
        .clone()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| "/".into());
    let mut paths = vec![HTTPIngressPath {
        path_type: path_type(&path),
        path: Some(path),
        backend: backend(n.gateway.clone(), common::gateway_port(values)),
    }];
    for extra in extra_paths(&config.extra) {
        paths.push(HTTPIngressPath {
            path_type: path_type(&extra.path),
            path: Some(extra.path),
            backend: backend(extra.service, extra.port),
        });
    }
    Ingress {
        metadata,
        spec: Some(IngressSpec {
            ingress_class_name: config.class_name.clone().filter(|c| !c.is_empty()),
            rules: Some(vec![IngressRule {
                host: config.host_name.clone().filter(|h| !h.is_empty()),
                http: Some(HTTPIngressRuleValue { paths }),
            }]),
            tls: config.tls.clone().filter(|t| !t.is_empty()),
            ..IngressSpec::default()
        }),
        ..Ingress::default()
    }
}

/// One of `ingress.extraPaths`: a path to another Service of the namespace.
struct ExtraPath {
    path: String,
    service: String,
    port: i32,
}

/// `ingress.extraPaths` (`[{path, backend: {service: {name, port}}}]`, as
/// the charts read it); entries missing a part are skipped.
fn extra_paths(extra: &crate::config::schema::Dict) -> Vec<ExtraPath> {
    let Some(Value::Array(list)) = extra.get("extraPaths") else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|entry| {
            let service = entry.pointer("/backend/service")?;
            let port = service.get("port")?;
            let port = port
                .get("number")
                .and_then(Value::as_i64)
                .or_else(|| port.as_i64())?;
            Some(ExtraPath {
                path: entry.get("path")?.as_str()?.to_string(),
                service: service.get("name")?.as_str()?.to_string(),
                port: i32::try_from(port).ok()?,
            })
        })
        .collect()
}
