//! HorizontalPodAutoscalers of the services that ask for one
//! (`<service>.hpa: {enabled, cputhreshold, minpods, maxpods}`), as the charts.

use k8s_openapi::api::autoscaling::v2::{
    CrossVersionObjectReference, HorizontalPodAutoscaler, HorizontalPodAutoscalerSpec, MetricSpec,
    MetricTarget, ResourceMetricSource,
};
use serde_json::Value;

use super::RenderError;
use super::ctx::Ctx;
use super::labels::Role;
use super::manifest::Stage;
use crate::config::schema::Dict;

fn number(hpa: &Dict, key: &str, default: i32) -> i32 {
    hpa.get(key)
        .and_then(Value::as_i64)
        .and_then(|n| i32::try_from(n).ok())
        .unwrap_or(default)
}

/// Adds an autoscaler for the Deployment `name` when `hpa.enabled`.
pub fn render(ctx: &mut Ctx<'_>, name: &str, hpa: Option<&Dict>) -> Result<(), RenderError> {
    render_for(ctx, name, name, hpa)
}

/// Adds an autoscaler named `name` for the Deployment `target` when
/// `hpa.enabled`. The charts name the gateway's `<fullname>-gateway`; they
/// point it at a Deployment of that name, which the 2.x charts no longer
/// have: ours scales the Deployment that runs the gateway's pods.
pub fn render_for(
    ctx: &mut Ctx<'_>,
    name: &str,
    target: &str,
    hpa: Option<&Dict>,
) -> Result<(), RenderError> {
    let Some(hpa) = hpa.filter(|h| h.get("enabled").and_then(Value::as_bool) == Some(true)) else {
        return Ok(());
    };
    let min = number(hpa, "minpods", 1);
    let max = number(hpa, "maxpods", 4).max(min);
    let autoscaler = HorizontalPodAutoscaler {
        metadata: ctx.meta(name, Role::Api),
        spec: HorizontalPodAutoscalerSpec {
            scale_target_ref: CrossVersionObjectReference {
                api_version: Some("apps/v1".into()),
                kind: "Deployment".into(),
                name: target.into(),
            },
            min_replicas: Some(min),
            max_replicas: max,
            metrics: Some(vec![MetricSpec {
                type_: "Resource".into(),
                resource: Some(ResourceMetricSource {
                    name: "cpu".into(),
                    target: MetricTarget {
                        type_: "Utilization".into(),
                        average_utilization: Some(number(hpa, "cputhreshold", 70)),
                        ..MetricTarget::default()
                    },
                }),
                ..MetricSpec::default()
            }]),
            ..HorizontalPodAutoscalerSpec::default()
        },
        ..HorizontalPodAutoscaler::default()
    };
    ctx.push(Stage::Workloads, &autoscaler)
}
