//! In-cluster dependencies of the platform, as the Polyaxon chart ships
//! them: the bitnami PostgreSQL, Redis and RabbitMQ subcharts of 2.x, the
//! `stable` PostgreSQL and RabbitMQ-HA and bitnami Redis 10 of 1.x, and the
//! 1.x PgBouncer in front of the database (rendered as the package renders
//! them by default, per chart version, so that a database installed by helm
//! keeps its claim and data under this tool), the 0.x seed's docker
//! registry, and the Secrets of external services.
//!
//! Each renderer returns what the platform reads to reach the service
//! ([`Database`], [`Endpoint`], [`Registry`]).

mod bitnami;
mod external;
mod pgbouncer;
mod postgresql;
mod rabbitmq;
mod rabbitmq_ha;
mod redis;
mod redis10;
mod redis_scripts;
mod registry;
mod stable_postgresql;

pub use registry::{Registry, registry};

use super::RenderError;
use super::ctx::Ctx;
use super::values::Values;
use crate::config::Generation;
use crate::config::schema::{Broker, Dict};

/// PostgreSQL: what the platform reads to reach it, in-cluster or external.
pub struct Database {
    /// Host name.
    pub host: String,
    /// Port.
    pub port: i32,
    /// User.
    pub user: String,
    /// Database name.
    pub name: String,
    /// Django CONN_MAX_AGE.
    pub conn_max_age: i64,
    /// The Secret and key holding the password.
    pub password_ref: (String, String),
    /// Connection options (external only).
    pub options: Option<Dict>,
}

/// Redis or RabbitMQ: what the platform reads to reach it.
pub struct Endpoint {
    /// Host name.
    pub host: String,
    /// Port.
    pub port: i32,
    /// User (RabbitMQ).
    pub user: Option<String>,
    /// The Secret and key holding the password, if there is one.
    pub password_ref: Option<(String, String)>,
}

/// Whether the chart renders every subchart whatever its `enabled` says:
/// the packages 2.0.0–2.0.3 are helm `apiVersion: v1` charts, whose
/// dependency conditions sit in `Chart.yaml` where v1 charts do not read
/// them; 2.0.4 is the first `apiVersion: v2` package. The platform still
/// reads the external services then; the subcharts just run beside them.
fn every_subchart(values: &Values<'_>) -> bool {
    values.generation == Generation::V2 && !values.chart_version.at_least(2, 0, 4)
}

/// Whether PostgreSQL runs in the cluster (`postgresql.enabled`, default true).
fn postgres_in_cluster(values: &Values<'_>) -> bool {
    values
        .config
        .postgresql
        .as_ref()
        .and_then(|p| p.enabled)
        .unwrap_or(true)
}

/// Whether Redis runs in the cluster (`redis.enabled`, default false).
fn redis_in_cluster(values: &Values<'_>) -> bool {
    values
        .config
        .redis
        .as_ref()
        .and_then(|r| r.enabled)
        .unwrap_or(false)
}

/// Whether RabbitMQ runs in the cluster (`rabbitmq.enabled`, default false).
pub fn rabbitmq_in_cluster(values: &Values<'_>) -> bool {
    values
        .config
        .rabbitmq
        .as_ref()
        .and_then(|r| r.enabled)
        .unwrap_or(false)
}

/// Renders PostgreSQL (in-cluster) or the external password Secret, and
/// returns how the platform reaches the database.
pub fn postgres(ctx: &mut Ctx<'_>, values: &Values<'_>) -> Result<Database, RenderError> {
    let in_cluster = postgres_in_cluster(values);
    let mut database = None;
    if in_cluster || every_subchart(values) {
        let rendered = match values.generation {
            Generation::V1 => stable_postgresql::render(ctx, values)?,
            Generation::V2 => postgresql::render(ctx, values)?,
        };
        database = in_cluster.then_some(rendered);
    }
    let mut database = match database {
        Some(database) => database,
        None => external::postgres(ctx, values)?,
    };
    // The 1.x charts put PgBouncer in front of the database when asked;
    // the platform then reaches an external database through it.
    if values.generation == Generation::V1
        && let Some(settings) = pgbouncer::settings(values)
    {
        let external_host = values
            .config
            .external_services
            .as_ref()
            .and_then(|e| e.postgresql.as_ref())
            .and_then(|p| p.host.clone())
            .unwrap_or_default();
        let host = pgbouncer::render(ctx, values, settings, &database, &external_host)?;
        if !in_cluster {
            database.host = host;
        }
    }
    Ok(database)
}

/// Renders Redis (in-cluster) or the external password Secret; `None` when
/// neither is configured.
pub fn redis(ctx: &mut Ctx<'_>, values: &Values<'_>) -> Result<Option<Endpoint>, RenderError> {
    let in_cluster = redis_in_cluster(values);
    if in_cluster || every_subchart(values) {
        let endpoint = match values.generation {
            Generation::V1 => redis10::render(ctx, values)?,
            Generation::V2 => redis::render(ctx, values)?,
        };
        if in_cluster {
            return Ok(Some(endpoint));
        }
    }
    external::redis(ctx, values)
}

/// Renders RabbitMQ (in-cluster) or the external password Secret; `None`
/// when neither is configured.
pub fn rabbitmq(ctx: &mut Ctx<'_>, values: &Values<'_>) -> Result<Option<Endpoint>, RenderError> {
    let in_cluster = rabbitmq_in_cluster(values);
    if in_cluster || every_subchart(values) {
        let endpoint = match values.generation {
            Generation::V1 => rabbitmq_ha::render(ctx, values)?,
            Generation::V2 => rabbitmq::render(ctx, values)?,
        };
        if in_cluster {
            return Ok(Some(endpoint));
        }
    }
    external::rabbitmq(ctx, values)
}

/// The Celery broker: `broker`, default redis (2.x) or rabbitmq (1.x).
pub fn broker(values: &Values<'_>) -> Broker {
    values.config.broker.unwrap_or(match values.generation {
        Generation::V1 => Broker::Rabbitmq,
        Generation::V2 => Broker::Redis,
    })
}
