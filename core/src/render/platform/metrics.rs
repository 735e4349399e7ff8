//! The statsd exporter the platform sends its metrics to, when
//! `metrics.enabled`: a Deployment (`prom/statsd-exporter`, statsd on UDP
//! 9125, Prometheus metrics on 9102) and its Service, as the chart's
//! `metrics/` templates. (The chart's optional Prometheus `ServiceMonitor` is
//! not rendered.)

use k8s_openapi::api::core::v1::{Container, ContainerPort, Probe, ResourceRequirements};
use serde::de::DeserializeOwned;

use super::config::metrics_enabled;
use super::workload;
use crate::config::schema::Dict;
use crate::render::RenderError;
use crate::render::ctx::Ctx;
use crate::render::labels::Role;
use crate::render::manifest::Stage;
use crate::render::names;
use crate::render::network;
use crate::render::pod::{self, Scheduling, Workload};
use crate::render::values::Values;

/// The statsd port (UDP) and the Prometheus metrics port.
const STATSD: i32 = 9125;
const METRICS: i32 = 9102;

/// A setting of the `metrics` section, when given and of the right shape.
fn setting<T: DeserializeOwned>(metrics: &Dict, path: &[&str]) -> Option<T> {
    let (first, rest) = path.split_first()?;
    let mut value = metrics.get(*first)?;
    for key in rest {
        value = value.get(key)?;
    }
    serde_json::from_value(value.clone()).ok()
}

/// The `/metrics` probe `metrics.<which>` (on unless disabled), with the
/// chart's timings unless given; chart 2.0.1 made it start sooner.
fn probe(values: &Values<'_>, metrics: &Dict, which: &str) -> Option<Probe> {
    let number = |key: &str, default: i32| setting(metrics, &[which, key]).unwrap_or(default);
    if !setting(metrics, &[which, "enabled"]).unwrap_or(true) {
        return None;
    }
    let initial = if values.chart_version.at_least(2, 0, 1) {
        20
    } else {
        30
    };
    let timing = workload::timing(
        number("initialDelaySeconds", initial),
        number("periodSeconds", 5),
        number("timeoutSeconds", 2),
    );
    let mut probe = pod::http_probe(METRICS, "HTTP", timing, None);
    if let Some(get) = probe.http_get.as_mut() {
        get.path = Some("/metrics".into());
    }
    probe.failure_threshold = Some(number("failureThreshold", 3));
    probe.success_threshold = Some(number("successThreshold", 1));
    Some(probe)
}

fn named_port(name: &str, number: i32) -> ContainerPort {
    ContainerPort {
        name: Some(name.into()),
        ..pod::port(number)
    }
}

/// Renders the exporter when `metrics.enabled`.
pub fn render(ctx: &mut Ctx<'_>, values: &Values<'_>) -> Result<(), RenderError> {
    if !metrics_enabled(values) {
        return Ok(());
    }
    let metrics = values.config.metrics.clone().unwrap_or_default();
    let text = |path: &[&str], default: &str| {
        setting::<String>(&metrics, path)
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| default.into())
    };
    let name = names::component(ctx.release, "metrics");
    let container = Container {
        name: "polyaxon-metrics".into(),
        args: Some(vec![
            format!("--statsd.listen-udp=:{STATSD}"),
            format!("--web.listen-address=:{METRICS}"),
        ]),
        image: Some(format!(
            "{}:{}",
            text(&["image", "repository"], "prom/statsd-exporter"),
            text(&["image", "tag"], "v0.10.5")
        )),
        image_pull_policy: Some(text(&["image", "pullPolicy"], "IfNotPresent")),
        ports: Some(vec![
            named_port("statsd", STATSD),
            named_port("metrics", METRICS),
        ]),
        liveness_probe: probe(values, &metrics, "livenessProbe"),
        readiness_probe: probe(values, &metrics, "readinessProbe"),
        resources: Some(
            setting::<ResourceRequirements>(&metrics, &["resources"]).unwrap_or_default(),
        ),
        ..Container::default()
    };
    // Only its own placement: the chart gives it no core default.
    let workload = Workload {
        name: name.clone(),
        role: Some(Role::Helpers),
        replicas: 1,
        container,
        scheduling: Scheduling {
            node_selector: setting(&metrics, &["nodeSelector"]),
            affinity: setting(&metrics, &["affinity"]),
            tolerations: setting(&metrics, &["tolerations"]),
        },
        ..Workload::default()
    };
    let mut deployment = pod::deployment(ctx, values, &workload);
    let scheduler: Option<String> = setting(&metrics, &["schedulerName"]);
    if let Some(spec) = deployment
        .spec
        .as_mut()
        .and_then(|s| s.template.spec.as_mut())
    {
        spec.scheduler_name = scheduler.filter(|s| !s.is_empty());
    }
    let mut statsd = network::port("statsd", STATSD, STATSD);
    statsd.protocol = Some("UDP".into());
    let mut service = network::service(
        ctx,
        &name,
        &name,
        Role::Helpers,
        vec![network::port("metrics", METRICS, METRICS), statsd],
    );
    if let Some(spec) = service.spec.as_mut() {
        spec.type_ = Some(text(&["service", "type"], "ClusterIP"));
    }
    if let Some(extra) =
        setting::<std::collections::BTreeMap<String, String>>(&metrics, &["service", "labels"])
    {
        service
            .metadata
            .labels
            .get_or_insert_with(Default::default)
            .extend(extra);
    }
    ctx.push(Stage::Services, &service)?;
    ctx.push(Stage::Workloads, &deployment)
}
