//! Flower, the Celery monitor, when `flower.enabled`: a Deployment pointed
//! at the broker and a NodePort Service (8888, node port 30679), as the chart.

use super::Platform;
use super::backends::Backends;
use super::workload::{ChartDefaults, PlatformPod};
use crate::config::schema::Broker;
use crate::render::RenderError;
use crate::render::ctx::Ctx;
use crate::render::deps;
use crate::render::labels::Role;
use crate::render::manifest::Stage;
use crate::render::network;
use crate::render::pod;
use crate::render::values::Values;

/// Flower's port and node port.
const PORT: i32 = 8888;
const NODE_PORT: i32 = 30679;

/// The broker URL Flower watches. The chart gives RabbitMQ the default
/// `polyaxon:polyaxon` credentials.
fn broker_url(values: &Values<'_>, backends: &Backends) -> Option<String> {
    match deps::broker(values) {
        Broker::Redis => backends
            .redis
            .as_ref()
            .map(|r| format!("redis://{}:{}/0", r.host, r.port)),
        Broker::Rabbitmq => backends
            .rabbitmq
            .as_ref()
            .map(|r| format!("amqp://polyaxon:polyaxon@{}:{}", r.host, r.port)),
    }
}

/// Renders Flower when enabled.
pub fn render(ctx: &mut Ctx<'_>, values: &Values<'_>, p: &Platform) -> Result<(), RenderError> {
    let Some(flower) = values
        .config
        .flower
        .clone()
        .filter(|f| f.enabled == Some(true))
    else {
        return Ok(());
    };
    let mut flower = flower;
    // The chart's image is `mher/flower:latest`, not the pinned version.
    flower.image_tag = flower.image_tag.or_else(|| Some("latest".into()));
    let defaults = ChartDefaults {
        image: "mher/flower",
        requests: ("130m", "200Mi"),
        limits: ("200m", "300Mi"),
    };
    let mut env = Vec::new();
    if let Some(url) = broker_url(values, &p.backends) {
        env.push(pod::env("CELERY_BROKER_URL", &url));
    }
    env.push(pod::env("FLOWER_PORT", &PORT.to_string()));
    let workload = PlatformPod::new(ctx, values, "flower", &flower, defaults, Role::Helpers)
        .env(env)
        .ports(vec![pod::port(PORT)])
        .replicas(crate::render::agent::replicas(flower.replicas))
        .resources_when_given()
        .build(ctx, values, p);
    let mut service = network::service(
        ctx,
        &workload.name,
        &workload.name,
        Role::Helpers,
        vec![network::port("flower", PORT, PORT)],
    );
    if let Some(spec) = service.spec.as_mut() {
        spec.type_ = Some("NodePort".into());
        if let Some(port) = spec.ports.as_mut().and_then(|p| p.first_mut()) {
            port.node_port = Some(NODE_PORT);
        }
    }
    ctx.push(Stage::Services, &service)?;
    ctx.push(Stage::Workloads, &pod::deployment(ctx, values, &workload))
}
