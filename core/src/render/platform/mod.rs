//! The `platform` chart: Polyaxon CE. In 2.x the API (`polyaxon/polyaxon-api`)
//! runs behind the gateway Service; in 1.x an nginx gateway fronts separate
//! API and streams. Around it: the agent and operator, the optional Celery
//! services and Flower, the in-cluster dependencies or the external ones,
//! the install hooks and the clean-up hook, and the 0.x seed's keys
//! (persistence, NVIDIA paths, per-role scheduling, resources daemon, refs).
//!
//! Each file renders one part as the chart of the pinned version does;
//! facts that changed between chart versions are tests of
//! `values.chart_version` next to their use.

mod api;
mod backends;
mod config;
mod env;
mod flower;
mod hooks;
mod metrics;
mod secret;
mod seed;
mod workers;
mod workload;

use std::collections::BTreeMap;

use super::RenderError;
use super::agent;
use super::common::{self, Names};
use super::ctx::Ctx;
use super::manifest::Stage;
use super::network;
use super::pod::Scheduling;
use super::rbac;
use super::values::Values;
use crate::config::Generation;
use backends::Backends;

/// What every part of the platform reads once the dependencies are
/// rendered: the names of the release's objects and where its backends are.
pub struct Platform {
    /// The release's object names.
    pub n: Names,
    /// The database, Redis, RabbitMQ and registry.
    pub backends: Backends,
}

/// Renders the platform chart into `ctx`.
pub fn render(ctx: &mut Ctx<'_>, values: &Values<'_>) -> Result<(), RenderError> {
    let n = Names::new(ctx.release);
    ctx.push(Stage::Crds, &agent::namespace(ctx))?;
    agent::render_crds(ctx, values)?;
    rbac::render(
        ctx,
        values,
        agent::agent_enabled(values),
        agent::operator_enabled(values),
    )?;

    common::render_common(ctx, values, &n)?;
    let backends = Backends::render(ctx, values)?;
    let data = config::data(ctx.release, values, &backends);
    ctx.push(
        Stage::Config,
        &common::config_map(ctx, &n.platform_config, data),
    )?;
    // The 1.x charts render it whatever `platformSecret` says (it holds the
    // secret key and internal token there); the 2.x charts only without it.
    if values.generation == Generation::V1
        || values
            .config
            .platform_secret
            .as_deref()
            .is_none_or(str::is_empty)
    {
        let data = secret::data(ctx, values);
        ctx.push(
            Stage::Config,
            &common::secret(ctx, &n.platform_secret, data),
        )?;
    }
    common::render_proxies(ctx, values, &n)?;
    let agent_cfg = values.config.agent.clone().unwrap_or_default();
    common::render_agent_config(ctx, values, &n, &Scheduling::of(values, &agent_cfg))?;
    ctx.push(Stage::Services, &gateway_service(ctx, values, &n))?;

    let platform = Platform { n, backends };
    let n = &platform.n;
    api::render(ctx, values, &platform)?;
    if streams_enabled(values) {
        // The 1.x streams reads the agent's config only; a 2.x one the
        // platform's too.
        let extra = match values.generation {
            Generation::V1 => Vec::new(),
            Generation::V2 => env::platform(values, n),
        };
        agent::streams(ctx, values, n, extra)?;
    }
    if agent::agent_enabled(values) {
        agent::agent_deployment(ctx, values, n, Vec::new())?;
    }
    if agent::operator_enabled(values) {
        agent::operator_deployment(ctx, values, n)?;
    }
    workers::render(ctx, values, &platform)?;
    flower::render(ctx, values, &platform)?;
    metrics::render(ctx, values)?;
    seed::resources_daemon(ctx, values, &platform)?;
    if values.ingress() {
        ctx.push(Stage::Ingress, &network::ingress(ctx, values, n))?;
    }
    hooks::render(ctx, values, &platform)?;
    agent::clean_runs_hook(ctx, values, n)
}

/// Whether a separate streams server runs: always in 1.x (unless
/// disabled); in 2.x, where the API serves streams, only when asked for.
fn streams_enabled(values: &Values<'_>) -> bool {
    let given = values.config.streams.as_ref().and_then(|s| s.enabled);
    given.unwrap_or(values.generation == Generation::V1)
}

/// The gateway Service; in 2.x it fronts the API, so the seed's
/// `api.service.annotations` land on it too.
fn gateway_service(
    ctx: &Ctx<'_>,
    values: &Values<'_>,
    n: &Names,
) -> k8s_openapi::api::core::v1::Service {
    let mut service = network::gateway_service(ctx, values, n, &n.gateway);
    let seed_annotations = values
        .config
        .api
        .as_ref()
        .and_then(|a| a.service.as_ref())
        .and_then(|s| s.annotations.clone())
        .filter(|a| !a.is_empty());
    if values.generation == Generation::V2
        && let Some(extra) = seed_annotations
    {
        service
            .metadata
            .annotations
            .get_or_insert_with(BTreeMap::new)
            .extend(extra);
    }
    service
}
