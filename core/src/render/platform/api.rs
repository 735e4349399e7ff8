//! The API. In 2.x it is one Deployment, `<fullname>-api`, behind the
//! gateway Service (which selects it by the gateway's name, as the chart);
//! in 1.x an nginx gateway (`<fullname>-gateway`) fronts a separate API
//! Deployment and Service (`<fullname>-api`).

use k8s_openapi::api::core::v1::Probe;
use serde_json::Value;

use super::Platform;
use super::env;
use super::workload::{self, ChartDefaults, PlatformPod, Reads};
use crate::config::Generation;
use crate::config::schema::ApiService;
use crate::render::RenderError;
use crate::render::agent;
use crate::render::autoscale;
use crate::render::common;
use crate::render::connections::{self, Mounts};
use crate::render::ctx::Ctx;
use crate::render::labels::Role;
use crate::render::manifest::Stage;
use crate::render::names;
use crate::render::network;
use crate::render::pod;
use crate::render::values::Values;

/// Renders the API (and in 1.x the nginx gateway), with their autoscalers.
pub fn render(ctx: &mut Ctx<'_>, values: &Values<'_>, p: &Platform) -> Result<(), RenderError> {
    match values.generation {
        Generation::V2 => api(ctx, values, p),
        Generation::V1 => {
            nginx_gateway(ctx, values, p)?;
            api_v1(ctx, values, p)
        }
    }
}

/// The liveness and readiness probe of an HTTP server: `/healthz/` on
/// `target` in the Service's scheme, with the `Host` header `allowedHosts`
/// needs. Chart 2.0.1 made the API's start sooner and run more often.
fn http_probe(values: &Values<'_>, service: &ApiService, target: i32, host: &str) -> Probe {
    let scheme = service
        .service
        .as_ref()
        .and_then(|s| s.extra.get("scheme"))
        .and_then(Value::as_str)
        .map(String::from)
        .or_else(|| service.scheme.clone())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "HTTP".into());
    let timing = if values.chart_version.at_least(2, 0, 1) {
        workload::timing(20, 20, 4)
    } else {
        workload::timing(60, 30, 4)
    };
    pod::http_probe(target, &scheme, timing, agent::probe_host(values, host))
}

/// The API's default resources; the 2.x charts raised them (the published
/// 2.0.0 package already requests 1000m and 2000Mi).
fn api_defaults(values: &Values<'_>) -> ChartDefaults {
    let (requests, limits) = if values.chart_version.at_least(2, 0, 0) {
        (("1000m", "2000Mi"), ("6000m", "8000Mi"))
    } else {
        (("128m", "300Mi"), ("1000m", "2000Mi"))
    };
    ChartDefaults {
        image: "polyaxon/polyaxon-api",
        requests,
        limits,
    }
}

/// An API pod (2.x `gateway.*`, 1.x `api.*` settings): it reads the
/// platform and proxies config, the backends' passwords and (through
/// `mounts`) the artifacts store and connections, and runs as the agent.
fn api_pod<'s>(
    ctx: &Ctx<'_>,
    values: &Values<'_>,
    service: &'s ApiService,
    target: i32,
    mounts: Mounts,
) -> PlatformPod<'s, ApiService> {
    let name = names::component(ctx.release, "api");
    let mut own_env = agent::debug_env(values);
    own_env.extend(env::host_ips(values));
    PlatformPod::new(ctx, values, "api", service, api_defaults(values), Role::Api)
        .env(own_env)
        .reads(Reads::PlatformAndProxies)
        .mounts(mounts)
        .probe(http_probe(values, service, target, &name))
        .replicas(workload::replicas(values, service.replicas))
        .agent_service_account(ctx, values)
}

/// The 2.x API (`gateway.*` settings): it reads the platform and proxies
/// config and the artifacts store and connections, and serves on
/// `gateway.service.targetPort` (and 443 when it terminates TLS itself).
fn api(ctx: &mut Ctx<'_>, values: &Values<'_>, p: &Platform) -> Result<(), RenderError> {
    let gateway = values.gateway();
    let target = common::gateway_target_port(values);
    let mut mounts = agent::ssl_mounts(values);
    mounts.extend(connections::artifacts_store_mounts(values));
    mounts.extend(agent::data_mounts(values));
    let workload = api_pod(ctx, values, &gateway, target, mounts)
        // The gateway Service selects the API's pods by the gateway's name.
        .named(&p.n.gateway)
        .ports(pod::serving_ports(target, common::ssl_enabled(values)))
        .build(ctx, values, p);
    let name = names::component(ctx.release, "api");
    let mut deployment = pod::deployment(ctx, values, &workload);
    deployment.metadata.name = Some(name.clone());
    ctx.push(Stage::Workloads, &deployment)?;
    autoscale::render_for(ctx, &p.n.gateway, &name, gateway.hpa.as_ref())
}

/// The 1.x nginx gateway (`polyaxon/polyaxon-gateway`): proxies only.
fn nginx_gateway(ctx: &mut Ctx<'_>, values: &Values<'_>, p: &Platform) -> Result<(), RenderError> {
    let gateway = values.gateway();
    let target = common::gateway_target_port(values);
    let defaults = ChartDefaults {
        image: "polyaxon/polyaxon-gateway",
        requests: ("100m", "50Mi"),
        limits: ("500m", "2000Mi"),
    };
    let timing = workload::timing(agent::v1_probe_delay(values), 30, 2);
    let probe = pod::http_probe(
        target,
        "HTTP",
        timing,
        agent::probe_host(values, &p.n.gateway),
    );
    let workload = PlatformPod::new(ctx, values, "gateway", &gateway, defaults, Role::Api)
        .env(agent::debug_env(values))
        .reads(Reads::Proxies)
        .mounts(agent::ssl_mounts(values))
        .ports(pod::serving_ports(target, common::ssl_enabled(values)))
        .probe(probe)
        .replicas(workload::replicas(values, gateway.replicas))
        .build(ctx, values, p);
    ctx.push(Stage::Workloads, &pod::deployment(ctx, values, &workload))?;
    autoscale::render(ctx, &p.n.gateway, gateway.hpa.as_ref())
}

/// The 1.x API (`api.*` settings) and its Service.
fn api_v1(ctx: &mut Ctx<'_>, values: &Values<'_>, p: &Platform) -> Result<(), RenderError> {
    let api = values.config.api.clone().unwrap_or_default();
    let spec = api.service.clone().unwrap_or_default();
    let name = names::component(ctx.release, "api");
    let target = common::service_port(spec.target_port, common::SERVER_PORT);
    let mut mounts = connections::artifacts_store_mounts(values);
    mounts.extend(agent::data_mounts(values));
    let workload = api_pod(ctx, values, &api, target, mounts)
        .ports(vec![pod::port(target)])
        .build(ctx, values, p);
    let port = common::service_port(spec.port, 80);
    let service = network::component_service(ctx, &name, Role::Api, spec, "api", port, target);
    ctx.push(Stage::Services, &service)?;
    ctx.push(Stage::Workloads, &pod::deployment(ctx, values, &workload))?;
    autoscale::render(ctx, &name, api.hpa.as_ref())
}
