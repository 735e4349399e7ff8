//! Where the platform's database, Redis and RabbitMQ are, and how its pods
//! get their passwords: the chart's `pgsql.*`, `redis.*`, `rabbitmq.*`
//! helpers and `config.envs`.

use k8s_openapi::api::core::v1::EnvVar;

use super::workers;
use crate::config::schema::Broker;
use crate::render::RenderError;
use crate::render::ctx::Ctx;
use crate::render::deps::{self, Database, Endpoint, Registry};
use crate::render::names;
use crate::render::pod;
use crate::render::values::Values;

/// The platform's backends, as the dependencies render them.
pub struct Backends {
    /// PostgreSQL.
    pub db: Database,
    /// Redis, in the cluster or external, when there is one.
    pub redis: Option<Endpoint>,
    /// RabbitMQ, in the cluster or external, when there is one.
    pub rabbitmq: Option<Endpoint>,
    /// The 0.x seed's docker registry.
    pub registry: Option<Registry>,
}

impl Backends {
    /// Renders the dependencies and returns where they are.
    pub fn render(ctx: &mut Ctx<'_>, values: &Values<'_>) -> Result<Self, RenderError> {
        Ok(Backends {
            db: deps::postgres(ctx, values)?,
            redis: deps::redis(ctx, values)?,
            rabbitmq: deps::rabbitmq(ctx, values)?,
            registry: deps::registry(ctx, values)?,
        })
    }

    /// The passwords every platform pod reads from the backends' Secrets
    /// (`config.envs`); none when `platformSecret` holds them.
    pub fn env(&self, ctx: &Ctx<'_>, values: &Values<'_>) -> Vec<EnvVar> {
        let mut env = Vec::new();
        if values
            .config
            .platform_secret
            .as_deref()
            .is_none_or(str::is_empty)
        {
            let secret =
                |name: &str, (secret, key): &(String, String)| pod::secret_env(name, secret, key);
            // RabbitMQ's password when it runs in the cluster, or when the
            // Celery services use an external one as their broker.
            let in_cluster = self
                .rabbitmq
                .as_ref()
                .filter(|_| deps::rabbitmq_in_cluster(values))
                .and_then(|r| r.password_ref.clone());
            let as_broker = (workers::scheduler_enabled(values)
                && deps::broker(values) == Broker::Rabbitmq)
                .then(|| {
                    self.rabbitmq
                        .as_ref()
                        .and_then(|r| r.password_ref.clone())
                        .unwrap_or_else(|| external_rabbitmq_secret(ctx))
                });
            if let Some(reference) = in_cluster.or(as_broker) {
                env.push(secret("POLYAXON_RABBITMQ_PASSWORD", &reference));
            }
            if let Some(reference) = self.redis.as_ref().and_then(|r| r.password_ref.as_ref()) {
                env.push(secret("POLYAXON_REDIS_PASSWORD", reference));
            }
            env.push(secret("POLYAXON_DB_PASSWORD", &self.db.password_ref));
        }
        if let Some(registry) = self.registry.as_ref().and_then(|r| r.secret.as_ref()) {
            // 0.x seed: the registry's credentials.
            env.push(pod::secret_env(
                "POLYAXON_REGISTRY_USER",
                registry,
                "registry-user",
            ));
            env.push(pod::secret_env(
                "POLYAXON_REGISTRY_PASSWORD",
                registry,
                "registry-password",
            ));
        }
        env
    }
}

/// `<fullname>-rabbitmq-secret` and its key: an external RabbitMQ's
/// password (the dependencies render it whenever the scheduler runs without
/// an in-cluster RabbitMQ, as the chart).
fn external_rabbitmq_secret(ctx: &Ctx<'_>) -> (String, String) {
    (
        names::component(ctx.release, "rabbitmq-secret"),
        "rabbitmq-password".to_string(),
    )
}
