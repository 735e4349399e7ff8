//! The `agent` chart: the Polyaxon agent connecting this cluster to a
//! control plane (`externalServices.api`), with its gateway, operator and
//! CRD, RBAC, config and token Secret, the Ingress, and the clean-up hook.

use k8s_openapi::api::core::v1::{
    Container, EnvVar, Namespace, SecretVolumeSource, Volume, VolumeMount,
};

use super::RenderError;
use super::common::{self, Names, Upstream};
use super::connections::{self, Mounts};
use super::crds;
use super::ctx::Ctx;
use super::hooks;
use super::labels::Role;
use super::manifest::{Hook, Stage};
use super::network;
use super::pod::{self, Defaults, Scheduling, Workload};
use super::rbac;
use super::values::Values;
use crate::config::Generation;
use crate::config::schema::{AgentService, ApiService, Chart};

/// The Namespace object (stage `crds`, created if missing).
pub fn namespace(ctx: &Ctx<'_>) -> Namespace {
    Namespace {
        metadata: ctx.cluster_meta(ctx.namespace, Role::Config),
        ..Namespace::default()
    }
}

/// Whether the agent Deployment runs (`agent.enabled`, default true).
pub fn agent_enabled(values: &Values<'_>) -> bool {
    values
        .config
        .agent
        .as_ref()
        .and_then(|a| a.enabled)
        .unwrap_or(true)
}

/// Whether the operator runs (`operator.enabled`, default true).
pub fn operator_enabled(values: &Values<'_>) -> bool {
    values
        .config
        .operator
        .as_ref()
        .and_then(|o| o.enabled)
        .unwrap_or(true)
}

/// The CRDs, when the operator runs and `operator.skipCRD` is not set.
pub fn render_crds(ctx: &mut Ctx<'_>, values: &Values<'_>) -> Result<(), RenderError> {
    let skip = values
        .config
        .operator
        .as_ref()
        .and_then(|o| o.skip_crd)
        .unwrap_or(false);
    if operator_enabled(values) && !skip {
        for crd in crds::render(ctx, values.chart_version) {
            ctx.push(Stage::Crds, &crd)?;
        }
    }
    Ok(())
}

/// The `Host` header the probes send when `allowedHosts` restricts hosts.
pub fn probe_host<'a>(values: &Values<'_>, host: &'a str) -> Option<&'a str> {
    values
        .config
        .allowed_hosts
        .as_ref()
        .filter(|h| !h.is_empty())
        .map(|_| host)
}

/// Sets the liveness and readiness probes of an HTTP server: `/healthz/` on
/// `target` in the service's `scheme`, with the `Host` header `allowedHosts`
/// needs.
pub fn http_probes(
    container: &mut Container,
    values: &Values<'_>,
    service: &ApiService,
    target: i32,
    initial_delay: i32,
    host: &str,
) {
    let scheme = service
        .scheme
        .clone()
        .unwrap_or_else(|| "HTTP".into())
        .to_uppercase();
    let probe = pod::http_probe(target, &scheme, initial_delay, probe_host(values, host));
    container.liveness_probe = Some(probe.clone());
    container.readiness_probe = Some(probe);
}

/// The gateway's TLS volume and mount, when `ssl` is enabled.
pub fn ssl_mounts(values: &Values<'_>) -> Mounts {
    let mut out = Mounts::default();
    if !common::ssl_enabled(values) {
        return out;
    }
    let secret = values
        .config
        .ssl
        .as_ref()
        .and_then(|s| s.secret_name.clone())
        .unwrap_or_default();
    out.volumes.push(Volume {
        name: "ssl".into(),
        secret: Some(SecretVolumeSource {
            secret_name: Some(secret),
            ..SecretVolumeSource::default()
        }),
        ..Volume::default()
    });
    out.mounts.push(VolumeMount {
        name: "ssl".into(),
        mount_path: common::ssl_path(values),
        read_only: Some(true),
        ..VolumeMount::default()
    });
    out
}

/// `POLYAXON_DEBUG` in the containers' env when `debugMode` is set.
pub fn debug_env(values: &Values<'_>) -> Vec<EnvVar> {
    match values.config.debug_mode {
        Some(debug) => vec![pod::env("POLYAXON_DEBUG", &debug.to_string())],
        None => Vec::new(),
    }
}

/// What the data-handling pods mount: the mounted connections, the
/// notification connections' secrets, the 0.x persistence volumes.
pub fn data_mounts(values: &Values<'_>) -> Mounts {
    let mut out = connections::mounted_connections(values);
    out.extend(connections::notification_mounts(values));
    out.extend(connections::persistence_mounts(values));
    out
}

/// The agent Deployment (`<fullname>-agent`).
pub fn agent_deployment(
    ctx: &mut Ctx<'_>,
    values: &Values<'_>,
    n: &Names,
    extra_env_from: Vec<k8s_openapi::api::core::v1::EnvFromSource>,
) -> Result<Scheduling, RenderError> {
    let agent: AgentService = values.config.agent.clone().unwrap_or_default();
    let scheduling = Scheduling::of(values, &agent);
    let mounts = data_mounts(values);
    let mut env_from = common::env_common(n);
    env_from.extend(common::env_agent(values, n));
    env_from.push(common::from_config_map(&n.proxies));
    env_from.extend(extra_env_from);
    env_from.extend(mounts.env_from.clone());
    let mut env = debug_env(values);
    env.extend(mounts.env.clone());
    let defaults = Defaults {
        image: "polyaxon/polyaxon-agent",
        tag: &ctx.version,
        requests: ("100m", "100Mi"),
        limits: ("500m", "2000Mi"),
    };
    let mut container = pod::service_container(
        values,
        "polyaxon-agent",
        &agent,
        defaults,
        env_from,
        env,
        mounts.mounts.clone(),
    );
    container.args = Some(vec!["start".into()]);
    container.liveness_probe = Some(pod::exec_probe());
    container.readiness_probe = Some(pod::exec_probe());
    let name = super::names::component(ctx.release, "agent");
    let workload = Workload {
        name,
        role: Some(Role::Worker),
        replicas: 1,
        container,
        volumes: mounts.volumes,
        service_account: values.rbac().then(|| rbac::agent_sa(ctx.release)),
        scheduling: scheduling.clone(),
        pull_secrets: pod::pull_secrets_of(values, &agent),
        ..Workload::default()
    };
    ctx.push(Stage::Workloads, &pod::deployment(ctx, values, &workload))?;
    Ok(scheduling)
}

/// The operator Deployment (`<fullname>-operator`).
pub fn operator_deployment(
    ctx: &mut Ctx<'_>,
    values: &Values<'_>,
    n: &Names,
) -> Result<(), RenderError> {
    let op = values.config.operator.clone().unwrap_or_default();
    let mut env_from = common::env_agent(values, n);
    env_from.extend(common::env_common(n));
    env_from.push(common::from_config_map(&n.proxies));
    let defaults = Defaults {
        image: "polyaxon/polyaxon-operator",
        tag: &ctx.version,
        requests: ("100m", "50Mi"),
        limits: ("200m", "256Mi"),
    };
    let mut container = pod::service_container(
        values,
        "polyaxon-operator",
        &op,
        defaults,
        env_from,
        Vec::new(),
        Vec::new(),
    );
    container.command = Some(vec!["/manager".into()]);
    let workload = Workload {
        name: super::names::component(ctx.release, "operator"),
        role: Some(Role::Agent),
        replicas: 1,
        container,
        service_account: values.rbac().then(|| rbac::operator_sa(ctx.release)),
        scheduling: Scheduling::of(values, &op),
        pull_secrets: pod::pull_secrets_of(values, &op),
        termination_grace_period: Some(10),
        ..Workload::default()
    };
    ctx.push(Stage::Workloads, &pod::deployment(ctx, values, &workload))
}

/// The pre-delete hook that cleans the runs of the namespace.
pub fn clean_runs_hook(
    ctx: &mut Ctx<'_>,
    values: &Values<'_>,
    n: &Names,
) -> Result<(), RenderError> {
    let hooks_cfg = values.config.clean_hooks.clone().unwrap_or_default();
    if hooks_cfg.enabled == Some(false) {
        return Ok(());
    }
    let defaults = Defaults {
        image: "polyaxon/polyaxon-cli",
        tag: &ctx.version,
        requests: ("100m", "100Mi"),
        limits: ("1000m", "2000Mi"),
    };
    let mut container = pod::service_container(
        values,
        "clean-runs",
        &hooks_cfg,
        defaults,
        common::env_common(n),
        Vec::new(),
        Vec::new(),
    );
    container.command = Some(vec!["polyaxon".into()]);
    container.args = Some(vec![
        "clean-ops".into(),
        format!("--namespace={}", ctx.namespace),
        "--in-cluster".into(),
        "--delete".into(),
    ]);
    let name = hooks::name(ctx.release, "clean-runs");
    let job = hooks::job(
        ctx,
        values,
        &name,
        container,
        values.rbac().then(|| rbac::agent_sa(ctx.release)),
        Scheduling::core(values, None, None, None),
        360,
    );
    ctx.push_hook(Hook::PreDelete, &job)
}

/// The gateway workload of the agent chart. In 2.x it is the streams server
/// (`polyaxon/polyaxon-streams`) behind the gateway Service; in 1.x an nginx
/// gateway (`polyaxon/polyaxon-gateway`) in front of a separate streams.
fn gateway_deployment(
    ctx: &mut Ctx<'_>,
    values: &Values<'_>,
    n: &Names,
) -> Result<(), RenderError> {
    let gateway: ApiService = values.gateway();
    let target = common::gateway_target_port(values);
    let default_image = match values.generation {
        Generation::V1 => "polyaxon/polyaxon-gateway",
        Generation::V2 => "polyaxon/polyaxon-streams",
    };
    let mut mounts = ssl_mounts(values);
    let mut env_from = common::env_common(n);
    if values.generation == Generation::V2 {
        // The 2.x gateway is the streams server: it reads and writes artifacts.
        env_from.extend(common::env_agent(values, n));
        mounts.extend(connections::artifacts_store_mounts(values));
        mounts.extend(data_mounts(values));
    }
    env_from.push(common::from_config_map(&n.proxies));
    env_from.extend(mounts.env_from.clone());
    let mut env = debug_env(values);
    env.extend(mounts.env.clone());
    let defaults = Defaults {
        image: default_image,
        tag: &ctx.version,
        requests: ("1000m", "2000Mi"),
        limits: ("6000m", "8000Mi"),
    };
    let mut container = pod::service_container(
        values,
        "polyaxon-gateway",
        &gateway,
        defaults,
        env_from,
        env,
        mounts.mounts.clone(),
    );
    container.ports = Some(pod::serving_ports(target, common::ssl_enabled(values)));
    http_probes(&mut container, values, &gateway, target, 60, &n.gateway);
    let workload = Workload {
        name: n.gateway.clone(),
        role: Some(Role::Api),
        replicas: replicas(gateway.replicas),
        container,
        volumes: mounts.volumes,
        service_account: (values.rbac()
            && values.generation == Generation::V2
            && agent_enabled(values))
        .then(|| rbac::agent_sa(ctx.release)),
        scheduling: Scheduling::of(values, &gateway),
        pull_secrets: pod::pull_secrets_of(values, &gateway),
        ..Workload::default()
    };
    ctx.push(Stage::Workloads, &pod::deployment(ctx, values, &workload))
}

/// The 1.x streams Deployment and Service (`<fullname>-streams`).
pub fn streams(ctx: &mut Ctx<'_>, values: &Values<'_>, n: &Names) -> Result<(), RenderError> {
    let streams: ApiService = values.config.streams.clone().unwrap_or_default();
    let name = super::names::component(ctx.release, "streams");
    let spec = streams.service.clone().unwrap_or_default();
    let port = common::service_port(spec.port, 80);
    let target = common::service_port(spec.target_port, 80);
    let mut mounts = connections::artifacts_store_mounts(values);
    mounts.extend(data_mounts(values));
    let mut env_from = common::env_common(n);
    env_from.extend(common::env_agent(values, n));
    env_from.push(common::from_config_map(&n.proxies));
    if values.chart == Chart::Platform {
        env_from.extend(super::platform::env_platform(values, n));
    }
    env_from.extend(mounts.env_from.clone());
    let mut env = debug_env(values);
    env.extend(mounts.env.clone());
    let defaults = Defaults {
        image: "polyaxon/polyaxon-streams",
        tag: &ctx.version,
        requests: ("128m", "300Mi"),
        limits: ("1000m", "2000Mi"),
    };
    let mut container = pod::service_container(
        values,
        "polyaxon-streams",
        &streams,
        defaults,
        env_from,
        env,
        mounts.mounts.clone(),
    );
    container.ports = Some(vec![pod::port(target)]);
    http_probes(&mut container, values, &streams, target, 20, &name);
    let workload = Workload {
        name: name.clone(),
        role: Some(Role::Api),
        replicas: replicas(streams.replicas),
        container,
        volumes: mounts.volumes,
        service_account: (values.rbac() && agent_enabled(values))
            .then(|| rbac::agent_sa(ctx.release)),
        scheduling: Scheduling::of(values, &streams),
        pull_secrets: pod::pull_secrets_of(values, &streams),
        ..Workload::default()
    };
    let mut service = network::service(
        ctx,
        &name,
        &name,
        Role::Api,
        vec![network::port(
            spec.name.as_deref().unwrap_or("streams"),
            port,
            target,
        )],
    );
    if let Some(meta_annotations) = spec.annotations.filter(|a| !a.is_empty()) {
        service.metadata.annotations = Some(meta_annotations);
    }
    ctx.push(Stage::Services, &service)?;
    ctx.push(Stage::Workloads, &pod::deployment(ctx, values, &workload))
}

/// Replicas from the config (at least 1 unless 0 is asked).
pub fn replicas(given: Option<i64>) -> i32 {
    given
        .and_then(|r| i32::try_from(r).ok())
        .filter(|r| *r >= 0)
        .unwrap_or(1)
}

/// Checks what the agent chart cannot do without.
fn check(values: &Values<'_>) -> Result<(), RenderError> {
    if !agent_enabled(values) {
        return Ok(());
    }
    let agent = values.config.agent.clone().unwrap_or_default();
    let missing = |key: &str, why: &str| RenderError::Missing {
        key: key.into(),
        chart: "agent",
        why: why.into(),
    };
    if agent.instance.as_deref().is_none_or(str::is_empty) {
        return Err(missing(
            "agent.instance",
            "the agent's instance (`<owner>.agents.<uuid>`) from the control plane",
        ));
    }
    let has_secret = values
        .config
        .agent_secret
        .as_deref()
        .is_some_and(|s| !s.is_empty());
    if agent.token.as_deref().is_none_or(str::is_empty) && !has_secret {
        return Err(missing(
            "agent.token",
            "the agent token from the control plane (or `agentSecret`, a Secret holding it)",
        ));
    }
    Ok(())
}

/// Renders the agent chart into `ctx`.
pub fn render(ctx: &mut Ctx<'_>, values: &Values<'_>) -> Result<(), RenderError> {
    check(values)?;
    let n = Names::new(ctx.release);
    ctx.push(Stage::Crds, &namespace(ctx))?;
    render_crds(ctx, values)?;
    rbac::render(ctx, values, agent_enabled(values), operator_enabled(values))?;

    common::render_common(ctx, values, &n)?;
    let api = values
        .config
        .external_services
        .as_ref()
        .and_then(|e| e.api.clone())
        .unwrap_or_default();
    let api = Upstream {
        host: api.host.unwrap_or_default(),
        port: common::service_port(api.port, 443),
        target_port: common::service_port(api.port, 443),
        use_resolver: api.use_resolver.unwrap_or(false),
    };
    let streams_up = match values.generation {
        Generation::V1 => {
            let spec = values
                .config
                .streams
                .as_ref()
                .and_then(|s| s.service.clone())
                .unwrap_or_default();
            Upstream {
                host: super::names::component(ctx.release, "streams"),
                port: common::service_port(spec.port, 80),
                target_port: common::service_port(spec.target_port, 80),
                use_resolver: false,
            }
        }
        Generation::V2 => Upstream {
            host: n.gateway.clone(),
            port: common::gateway_port(values),
            target_port: common::gateway_target_port(values),
            use_resolver: false,
        },
    };
    common::render_proxies(ctx, values, &n, &api, &streams_up)?;
    let agent_cfg = values.config.agent.clone().unwrap_or_default();
    let scheduling = Scheduling::of(values, &agent_cfg);
    common::render_agent_config(ctx, values, &n, &scheduling)?;

    ctx.push(
        Stage::Services,
        &network::gateway_service(ctx, values, &n, &n.gateway),
    )?;
    gateway_deployment(ctx, values, &n)?;
    if values.generation == Generation::V1 {
        streams(ctx, values, &n)?;
    }
    if agent_enabled(values) {
        agent_deployment(ctx, values, &n, Vec::new())?;
    }
    if operator_enabled(values) {
        operator_deployment(ctx, values, &n)?;
    }
    if values.ingress() {
        ctx.push(Stage::Ingress, &network::ingress(ctx, values, &n))?;
    }
    clean_runs_hook(ctx, values, &n)
}
