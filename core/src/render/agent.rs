//! The `agent` chart: the Polyaxon agent connecting this cluster to a
//! control plane (`externalServices.api`), with its gateway, operator and
//! CRD, RBAC, config and token Secret, the Ingress, and the clean-up hook.
//! The agent and operator Deployments and the clean-up hook are the same
//! templates in the platform chart, which renders them from here too.

use k8s_openapi::api::core::v1::{
    Container, EnvFromSource, EnvVar, Namespace, SecretVolumeSource, Volume, VolumeMount,
};

use super::RenderError;
use super::common::{self, Names};
use super::connections::{self, Mounts};
use super::crds;
use super::ctx::Ctx;
use super::hooks;
use super::labels::Role;
use super::manifest::{Hook, Stage};
use super::network;
use super::pod::{self, Defaults, ProbeTiming, Scheduling, Workload};
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

/// Whether the agent Deployment runs (`agent.enabled`, default true; false
/// in the 1.x platform chart, whose API schedules runs itself).
pub fn agent_enabled(values: &Values<'_>) -> bool {
    let default = !(values.chart == Chart::Platform && values.generation == Generation::V1);
    values
        .config
        .agent
        .as_ref()
        .and_then(|a| a.enabled)
        .unwrap_or(default)
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

/// Whether the agent's config and account exist: unless the agent is off on
/// a platform that has an `organizationKey` (the charts' condition).
pub fn agent_config_rendered(values: &Values<'_>) -> bool {
    agent_enabled(values)
        || values
            .config
            .organization_key
            .as_deref()
            .is_none_or(str::is_empty)
}

/// The ServiceAccount of the pods that act for the agent (the agent, the
/// gateway/streams, the clean-up hook): the agent's, with RBAC on, when it
/// exists (the charts' `config.agent.sa`).
pub fn agent_service_account(ctx: &Ctx<'_>, values: &Values<'_>) -> Option<String> {
    (values.rbac() && agent_config_rendered(values)).then(|| rbac::agent_sa(ctx.release))
}

/// The CRDs, when the operator runs and `operator.skipCRD` is not set.
pub fn render_crds(ctx: &mut Ctx<'_>, values: &Values<'_>) -> Result<(), RenderError> {
    let skip = values
        .config
        .operator
        .as_ref()
        .and_then(|o| o.skip_crd)
        .unwrap_or(false);
    // The 1.x charts install the CRD unless `skipCRD`, operator or not.
    if (operator_enabled(values) || values.generation == Generation::V1) && !skip {
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
/// `target` in the service's `scheme`, `timing`, with the `Host` header
/// `allowedHosts` needs.
pub fn http_probes_timed(
    container: &mut Container,
    values: &Values<'_>,
    service: &ApiService,
    target: i32,
    timing: ProbeTiming,
    host: &str,
) {
    let scheme = service
        .scheme
        .clone()
        .unwrap_or_else(|| "HTTP".into())
        .to_uppercase();
    let probe = pod::http_probe(target, &scheme, timing, probe_host(values, host));
    container.liveness_probe = Some(probe.clone());
    container.readiness_probe = Some(probe);
}

/// [`http_probes_timed`] every 30 s with a 2 s timeout, after
/// `initial_delay` (the 1.x charts' and 2.0.0's timing).
pub fn http_probes(
    container: &mut Container,
    values: &Values<'_>,
    service: &ApiService,
    target: i32,
    initial_delay: i32,
    host: &str,
) {
    let timing = ProbeTiming {
        initial_delay,
        period: 30,
        timeout: 2,
    };
    http_probes_timed(container, values, service, target, timing, host);
}

/// The certificate volume and mount of a gateway that serves TLS itself
/// ([`common::gateway_serves_tls`]).
pub fn ssl_mounts(values: &Values<'_>) -> Mounts {
    let mut out = Mounts::default();
    if !common::gateway_serves_tls(values) {
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
        Some(true) => vec![pod::env("POLYAXON_DEBUG", "true")],
        _ => Vec::new(),
    }
}

/// What the 0.x seed keys add to the core pods: the notification
/// connections' secrets and the `persistence` volumes (none without them).
pub fn seed_mounts(values: &Values<'_>) -> Mounts {
    let mut out = connections::notification_mounts(values);
    out.extend(connections::persistence_mounts(values));
    out
}

/// What the data-serving pods (the API, streams) mount: the connections
/// named in `mountConnections`, and the seed's ([`seed_mounts`]).
pub fn data_mounts(values: &Values<'_>) -> Mounts {
    let mut out = connections::mounted_connections(values);
    out.extend(seed_mounts(values));
    out
}

/// The `envFrom` and `env` of a pod that acts for the agent: the common,
/// agent and proxies configs, `extra`, then what its `mounts` bring, and
/// `POLYAXON_DEBUG` with `debugMode` (the charts' order).
pub fn agent_env(
    values: &Values<'_>,
    n: &Names,
    extra: Vec<EnvFromSource>,
    mounts: &Mounts,
) -> (Vec<EnvFromSource>, Vec<EnvVar>) {
    let mut env_from = common::env_common(values, n);
    env_from.extend(common::env_agent(values, n));
    env_from.push(common::from_config_map(&n.proxies));
    env_from.extend(extra);
    env_from.extend(mounts.env_from.clone());
    let mut env = debug_env(values);
    env.extend(mounts.env.clone());
    (env_from, env)
}

/// The agent Deployment (`<fullname>-agent`, both charts'
/// `agent-deployment.yaml`).
pub fn agent_deployment(
    ctx: &mut Ctx<'_>,
    values: &Values<'_>,
    n: &Names,
    extra_env_from: Vec<EnvFromSource>,
) -> Result<Scheduling, RenderError> {
    let agent: AgentService = values.config.agent.clone().unwrap_or_default();
    let scheduling = Scheduling::of(values, &agent);
    let mounts = seed_mounts(values);
    let (env_from, env) = agent_env(values, n, extra_env_from, &mounts);
    let defaults = Defaults {
        image: "polyaxon/polyaxon-agent",
        tag: &ctx.version,
        requests: ("100m", "100Mi"),
        limits: ("500m", "2000Mi"),
    };
    let mut container = pod::service_container(
        values,
        &values.container_name("agent"),
        &agent,
        defaults,
        env_from,
        env,
        mounts.mounts.clone(),
    );
    container.args = Some(vec!["start".into()]);
    // The 2.x charts probe the agent only with `agent.enableHealthChecks`,
    // which no config sets; the 1.x charts always do.
    if values.generation == Generation::V1 {
        container.liveness_probe = Some(pod::exec_probe());
        container.readiness_probe = Some(pod::exec_probe());
    }
    let name = super::names::component(ctx.release, "agent");
    let workload = Workload {
        name,
        role: Some(Role::Worker),
        replicas: 1,
        container,
        volumes: mounts.volumes,
        service_account: agent_service_account(ctx, values),
        scheduling: scheduling.clone(),
        pull_secrets: pod::pull_secrets_of(values, &agent),
        ..Workload::default()
    };
    ctx.push(Stage::Workloads, &pod::deployment(ctx, values, &workload))?;
    Ok(scheduling)
}

/// The operator Deployment (`<fullname>-operator`, both charts'
/// `operator-deployment.yaml`).
pub fn operator_deployment(
    ctx: &mut Ctx<'_>,
    values: &Values<'_>,
    n: &Names,
) -> Result<(), RenderError> {
    let op = values.config.operator.clone().unwrap_or_default();
    let mut env_from = common::env_agent(values, n);
    env_from.extend(common::env_common(values, n));
    env_from.push(common::from_config_map(&n.proxies));
    let defaults = Defaults {
        image: "polyaxon/polyaxon-operator",
        tag: &ctx.version,
        requests: ("100m", "50Mi"),
        limits: ("200m", "256Mi"),
    };
    let mut container = pod::service_container(
        values,
        &values.container_name("operator"),
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

/// The pre-delete hook that cleans the runs of the namespace (both charts'
/// `hooks/clean-runs.yaml`): `polyaxon admin clean-ops` from chart 1.18.0
/// (the 2.x CLI has no top-level `clean-ops`), `polyaxon clean-ops` before;
/// in the agent's pod settings, without resources unless `cleanHooks` sets
/// some.
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
        common::env_common(values, n),
        Vec::new(),
        Vec::new(),
    );
    container.resources = hooks_cfg.resources.clone();
    container.command = Some(vec!["polyaxon".into()]);
    let mut args = Vec::new();
    if values.chart_version.at_least(1, 18, 0) {
        args.push("admin".to_string());
    }
    args.extend([
        "clean-ops".into(),
        format!("--namespace={}", ctx.namespace),
        "--in-cluster".into(),
        "--delete".into(),
    ]);
    container.args = Some(args);
    let agent = values.config.agent.clone().unwrap_or_default();
    let workload = Workload {
        name: hooks::name(ctx.release, "clean-runs"),
        role: Some(Role::Hooks),
        replicas: 1,
        container,
        service_account: agent_service_account(ctx, values),
        scheduling: Scheduling::of(values, &agent),
        pull_secrets: pod::pull_secrets_of(values, &agent),
        ..Workload::default()
    };
    let job = hooks::job_of(ctx, values, &workload, 360);
    ctx.push_hook(Hook::PreDelete, &job)
}

/// The 2.x agent chart's gateway: the streams server
/// (`polyaxon/polyaxon-streams`) as Deployment `<fullname>-streams`, its
/// pods named `<fullname>-gateway` for the gateway Service
/// (`streams-deployment.yaml`). It reads and writes the artifacts store (when
/// the agent runs) and mounts the connections named in `mountConnections`.
fn streams_gateway(ctx: &mut Ctx<'_>, values: &Values<'_>, n: &Names) -> Result<(), RenderError> {
    let gateway: ApiService = values.gateway();
    let target = common::gateway_target_port(values);
    let mut mounts = Mounts::default();
    if agent_enabled(values) {
        mounts.extend(connections::artifacts_store_mounts(values));
    }
    mounts.extend(data_mounts(values));
    let (env_from, env) = agent_env(values, n, Vec::new(), &mounts);
    let defaults = Defaults {
        image: "polyaxon/polyaxon-streams",
        tag: &ctx.version,
        requests: ("1000m", "2000Mi"),
        limits: ("6000m", "8000Mi"),
    };
    let mut container = pod::service_container(
        values,
        &values.container_name("streams"),
        &gateway,
        defaults,
        env_from,
        env,
        mounts.mounts.clone(),
    );
    container.ports = Some(vec![pod::port(target)]);
    // Every 20 s from chart 2.0.1, every 30 s in 2.0.0.
    let timing = ProbeTiming {
        initial_delay: 20,
        period: if values.chart_version.at_least(2, 0, 1) {
            20
        } else {
            30
        },
        timeout: 2,
    };
    http_probes_timed(&mut container, values, &gateway, target, timing, &n.streams);
    let workload = Workload {
        name: n.streams.clone(),
        app: Some(n.gateway.clone()),
        role: Some(Role::Api),
        replicas: replicas(gateway.replicas),
        container,
        volumes: mounts.volumes,
        service_account: agent_service_account(ctx, values),
        scheduling: Scheduling::of(values, &gateway),
        pull_secrets: pod::pull_secrets_of(values, &gateway),
        ..Workload::default()
    };
    ctx.push(Stage::Workloads, &pod::deployment(ctx, values, &workload))?;
    super::autoscale::render_for(ctx, &n.gateway, &n.streams, gateway.hpa.as_ref())
}

/// The 1.x agent chart's nginx gateway (`polyaxon/polyaxon-gateway`,
/// Deployment `<fullname>-gateway`) in front of a separate streams.
fn nginx_gateway(ctx: &mut Ctx<'_>, values: &Values<'_>, n: &Names) -> Result<(), RenderError> {
    let gateway: ApiService = values.gateway();
    let target = common::gateway_target_port(values);
    let mounts = ssl_mounts(values);
    let mut env_from = common::env_common(values, n);
    env_from.push(common::from_config_map(&n.proxies));
    env_from.extend(mounts.env_from.clone());
    let mut env = debug_env(values);
    env.extend(mounts.env.clone());
    let defaults = Defaults {
        image: "polyaxon/polyaxon-gateway",
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
    container.ports = Some(pod::serving_ports(
        target,
        common::gateway_serves_tls(values),
    ));
    http_probes(
        &mut container,
        values,
        &gateway,
        target,
        v1_probe_delay(values),
        &n.gateway,
    );
    let workload = Workload {
        name: n.gateway.clone(),
        role: Some(Role::Api),
        replicas: replicas(gateway.replicas),
        container,
        volumes: mounts.volumes,
        scheduling: Scheduling::of(values, &gateway),
        pull_secrets: pod::pull_secrets_of(values, &gateway),
        ..Workload::default()
    };
    ctx.push(Stage::Workloads, &pod::deployment(ctx, values, &workload))
}

/// The 1.x streams Deployment and Service (`<fullname>-streams`), reading
/// `extra_env_from` too (the platform's config on the platform).
pub fn streams(
    ctx: &mut Ctx<'_>,
    values: &Values<'_>,
    n: &Names,
    extra_env_from: Vec<k8s_openapi::api::core::v1::EnvFromSource>,
) -> Result<(), RenderError> {
    let streams: ApiService = values.config.streams.clone().unwrap_or_default();
    let name = n.streams.clone();
    let spec = streams.service.clone().unwrap_or_default();
    let port = common::service_port(spec.port, 80);
    let target = common::service_port(spec.target_port, common::SERVER_PORT);
    let mut mounts = connections::artifacts_store_mounts(values);
    mounts.extend(data_mounts(values));
    let (mut env_from, env) = agent_env(values, n, extra_env_from, &mounts);
    // Streams reads the proxies config from chart 1.15.0.
    if !values.chart_version.at_least(1, 15, 0) {
        env_from.retain(|e| {
            e.config_map_ref
                .as_ref()
                .is_none_or(|c| c.name != n.proxies)
        });
    }
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
    http_probes(
        &mut container,
        values,
        &streams,
        target,
        v1_probe_delay(values),
        &name,
    );
    let workload = Workload {
        name: name.clone(),
        role: Some(Role::Api),
        replicas: replicas(streams.replicas),
        container,
        volumes: mounts.volumes,
        service_account: agent_service_account(ctx, values),
        scheduling: Scheduling::of(values, &streams),
        pull_secrets: pod::pull_secrets_of(values, &streams),
        ..Workload::default()
    };
    let service = network::component_service(ctx, &name, Role::Api, spec, "streams", port, target);
    ctx.push(Stage::Services, &service)?;
    ctx.push(Stage::Workloads, &pod::deployment(ctx, values, &workload))
}

/// When the 1.x gateway's and streams' probes start: after 60 s, after 20 s
/// from chart 1.18.0 (as every 2.x chart).
pub fn v1_probe_delay(values: &Values<'_>) -> i32 {
    if values.chart_version.at_least(1, 18, 0) {
        20
    } else {
        60
    }
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
    common::render_proxies(ctx, values, &n)?;
    let agent_cfg = values.config.agent.clone().unwrap_or_default();
    let scheduling = Scheduling::of(values, &agent_cfg);
    common::render_agent_config(ctx, values, &n, &scheduling)?;

    ctx.push(
        Stage::Services,
        &network::gateway_service(ctx, values, &n, &n.gateway),
    )?;
    match values.generation {
        Generation::V1 => {
            nginx_gateway(ctx, values, &n)?;
            streams(ctx, values, &n, Vec::new())?;
        }
        Generation::V2 => streams_gateway(ctx, values, &n)?,
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
