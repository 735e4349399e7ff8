//! The Celery services, each when enabled: the scheduler, compiler and
//! worker (`<part> --concurrency=N`) and beat, with their autoscalers.

use k8s_openapi::api::core::v1::EnvVar;

use super::Platform;
use super::workload::{self, ChartDefaults, PlatformPod, Reads};
use crate::config::schema::{CeleryConfig, ServiceSettings, WorkerService};
use crate::render::RenderError;
use crate::render::autoscale;
use crate::render::ctx::Ctx;
use crate::render::labels::Role;
use crate::render::manifest::Stage;
use crate::render::pod::{self, Scheduling};
use crate::render::values::Values;

/// The image of the Celery services. The charts give one only to the
/// scheduler and leave the worker's, compiler's and beat's repository empty
/// (an image that cannot be pulled); they run the scheduler's.
const CELERY_IMAGE: &str = "polyaxon/polyaxon-scheduler";

/// Whether the scheduler runs (`scheduler.enabled`, default false): the
/// chart's switch for everything Celery (the broker in the platform config,
/// the RabbitMQ exchange hook).
pub fn scheduler_enabled(values: &Values<'_>) -> bool {
    values.config.scheduler.as_ref().and_then(|s| s.enabled) == Some(true)
}

/// The chart's default requests and limits of a Celery service.
fn default_resources(
    values: &Values<'_>,
    part: &str,
) -> ((&'static str, &'static str), (&'static str, &'static str)) {
    // Chart 2.13.3 raised the limits (and turned `limitResources` on).
    let raised = values.chart_version.at_least(2, 13, 3);
    match (part, raised) {
        ("scheduler", false) => (("150m", "200Mi"), ("350m", "350Mi")),
        ("scheduler", true) => (("150m", "200Mi"), ("1000m", "1Gi")),
        ("beat", false) => (("50m", "128Mi"), ("50m", "128Mi")),
        ("beat", true) => (("150m", "128Mi"), ("500m", "512Mi")),
        (_, false) => (("130m", "200Mi"), ("200m", "300Mi")),
        (_, true) => (("130m", "200Mi"), ("1000m", "1Gi")),
    }
}

/// The exec probe of the Celery services (`entrypoint.sh healthz`); chart
/// 2.0.1 made it start sooner and wait longer.
fn probe(values: &Values<'_>) -> k8s_openapi::api::core::v1::Probe {
    let timing = if values.chart_version.at_least(2, 0, 1) {
        workload::timing(20, 30, 30)
    } else {
        workload::timing(60, 60, 10)
    };
    workload::timed(pod::exec_probe(), timing)
}

/// The Celery settings as env vars (`config.<part>.celery`): only those set.
fn celery_env(celery: &CeleryConfig) -> Vec<EnvVar> {
    let flag = |v: Option<bool>| v.filter(|b| *b).map(|b| b.to_string());
    let number = |v: Option<i64>| v.filter(|n| *n != 0).map(|n| n.to_string());
    [
        (
            "POLYAXON_CELERY_TASK_TRACK_STARTED",
            flag(celery.task_track_started),
        ),
        (
            "POLYAXON_CELERY_BROKER_POOL_LIMIT",
            number(celery.broker_pool_limit),
        ),
        (
            "POLYAXON_CELERY_CONFIRM_PUBLISH",
            flag(celery.confirm_publish),
        ),
        (
            "POLYAXON_CELERY_WORKER_PREFETCH_MULTIPLIER",
            number(celery.worker_prefetch_multiplier),
        ),
        (
            "POLYAXON_CELERY_WORKER_MAX_TASKS_PER_CHILD",
            number(celery.worker_max_tasks_per_child),
        ),
        (
            "POLYAXON_CELERY_WORKER_MAX_MEMORY_PER_CHILD",
            number(celery.worker_max_memory_per_child),
        ),
        (
            "POLYAXON_CELERY_TASK_ALWAYS_EAGER",
            flag(celery.task_always_eager),
        ),
    ]
    .into_iter()
    .filter_map(|(key, value)| value.map(|v| pod::env(key, &v)))
    .collect()
}

/// Where Celery pods run: the service's own settings, else the seed's
/// `celeryNodeSelector`/`celeryAffinity`/`celeryTolerations`, else the
/// global ones.
fn scheduling(values: &Values<'_>, service: &impl ServiceSettings) -> Scheduling {
    let cfg = values.config;
    Scheduling::core(
        values,
        service
            .node_selector()
            .or(cfg.celery_node_selector.as_ref()),
        service.affinity().or(cfg.celery_affinity.as_ref()),
        service.tolerations().or(cfg.celery_tolerations.as_ref()),
    )
}

/// A Celery pod of `part` before what only some of them have.
fn celery_pod<'s, S: ServiceSettings>(
    ctx: &Ctx<'_>,
    values: &Values<'_>,
    part: &str,
    service: &'s S,
    replicas: Option<i64>,
) -> PlatformPod<'s, S> {
    let (requests, limits) = default_resources(values, part);
    let defaults = ChartDefaults {
        image: CELERY_IMAGE,
        requests,
        limits,
    };
    PlatformPod::new(ctx, values, part, service, defaults, Role::Worker)
        .probe(probe(values))
        .replicas(workload::replicas(values, replicas))
        .scheduling(scheduling(values, service))
}

/// Renders the enabled Celery services.
pub fn render(ctx: &mut Ctx<'_>, values: &Values<'_>, p: &Platform) -> Result<(), RenderError> {
    let cfg = values.config;
    for (part, service) in [
        ("scheduler", &cfg.scheduler),
        ("compiler", &cfg.compiler),
        ("worker", &cfg.worker),
    ] {
        let Some(service) = service.as_ref().filter(|s| s.enabled == Some(true)) else {
            continue;
        };
        worker(ctx, values, p, part, service)?;
    }
    if let Some(beat) = cfg.beat.as_ref().filter(|b| b.enabled == Some(true)) {
        let workload = celery_pod(ctx, values, "beat", beat, beat.replicas)
            .args(vec!["beat".into()])
            .env(vec![pod::env("POLYAXON_IS_BEAT", "true")])
            .build(ctx, values, p);
        ctx.push(Stage::Workloads, &pod::deployment(ctx, values, &workload))?;
    }
    Ok(())
}

/// The scheduler, compiler or worker, and its autoscaler.
fn worker(
    ctx: &mut Ctx<'_>,
    values: &Values<'_>,
    p: &Platform,
    part: &str,
    service: &WorkerService,
) -> Result<(), RenderError> {
    let concurrency = service
        .concurrency
        .or(values.config.global_concurrency)
        .unwrap_or(2);
    let mut celery = service.celery.clone().unwrap_or_default();
    if part == "worker" {
        // The chart's worker defaults to prefetching ten tasks.
        celery.worker_prefetch_multiplier = celery.worker_prefetch_multiplier.or(Some(10));
    }
    let workload = celery_pod(ctx, values, part, service, service.replicas)
        .args(vec![
            part.to_string(),
            format!("--concurrency={concurrency}"),
        ])
        .env(celery_env(&celery))
        .reads(Reads::PlatformAndProxies)
        .agent_service_account(ctx, values)
        .build(ctx, values, p);
    let name = workload.name.clone();
    ctx.push(Stage::Workloads, &pod::deployment(ctx, values, &workload))?;
    autoscale::render(ctx, &name, service.hpa.as_ref())
}
