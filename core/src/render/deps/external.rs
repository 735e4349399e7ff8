//! External services (`externalServices.postgresql|redis|rabbitmq`): the
//! platform chart's Secret with each one's password
//! (`<fullname>-<service>-secret`), and where the platform reaches it.

use std::collections::BTreeMap;

use super::super::RenderError;
use super::super::common;
use super::super::ctx::Ctx;
use super::super::manifest::Stage;
use super::super::names;
use super::super::state::ReleaseState;
use super::super::values::Values;
use super::{Database, Endpoint};
use crate::config::Generation;

/// The Secret `<fullname>-<secret>` with an external service's password
/// under `key`: the one given, else the release's generated one. Returns
/// where the platform reads it.
fn password_secret(
    ctx: &mut Ctx<'_>,
    secret: &str,
    key: &str,
    given: Option<&String>,
    generated: fn(&ReleaseState) -> &String,
) -> Result<(String, String), RenderError> {
    let secret = names::component(ctx.release, secret);
    let password = given
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| generated(ctx.state))
        .clone();
    let data = BTreeMap::from([(key.to_string(), password)]);
    ctx.push(Stage::Config, &common::secret(ctx, &secret, data))?;
    Ok((secret, key.to_string()))
}

/// The external PostgreSQL (`externalServices.postgresql`).
pub fn postgres(ctx: &mut Ctx<'_>, values: &Values<'_>) -> Result<Database, RenderError> {
    let ext = values
        .config
        .external_services
        .as_ref()
        .and_then(|e| e.postgresql.clone())
        .unwrap_or_default();
    // The 1.x charts name the key as their postgresql subchart (8.2.1) does.
    let key = match values.generation {
        Generation::V1 => "postgresql-password",
        Generation::V2 => "postgres-password",
    };
    let password_ref = password_secret(
        ctx,
        "postgresql-secret",
        key,
        ext.password.as_ref(),
        |state| &state.postgres_password,
    )?;
    let or_polyaxon = |given: Option<String>| {
        given
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| "polyaxon".into())
    };
    Ok(Database {
        host: ext.host.clone().unwrap_or_default(),
        port: common::service_port(ext.port, 5432),
        user: or_polyaxon(ext.user.clone()),
        name: or_polyaxon(ext.database.clone()),
        // `externalServices.postgresql.connMaxAge: 60` in the 1.x values.
        conn_max_age: ext.conn_max_age.unwrap_or(match values.generation {
            Generation::V1 => 60,
            Generation::V2 => 0,
        }),
        password_ref,
        options: ext.options.clone(),
    })
}

/// The external Redis (`externalServices.redis`), when it has a host.
pub fn redis(ctx: &mut Ctx<'_>, values: &Values<'_>) -> Result<Option<Endpoint>, RenderError> {
    let Some(ext) = values
        .config
        .external_services
        .as_ref()
        .and_then(|e| e.redis.clone())
        .filter(|e| e.host.is_some())
    else {
        return Ok(None);
    };
    let mut password_ref = None;
    if ext.use_password == Some(true) {
        password_ref = Some(password_secret(
            ctx,
            "redis-secret",
            "redis-password",
            ext.password.as_ref(),
            |state| &state.redis_password,
        )?);
    }
    Ok(Some(Endpoint {
        host: ext.host.unwrap_or_default(),
        port: common::service_port(ext.port, 6379),
        user: None,
        password_ref,
    }))
}

/// The external RabbitMQ (`externalServices.rabbitmq`), when it has a host.
/// Its Secret is rendered as the chart does, whenever the scheduler runs
/// without an in-cluster RabbitMQ (whatever the broker), and whenever a
/// host is given.
pub fn rabbitmq(ctx: &mut Ctx<'_>, values: &Values<'_>) -> Result<Option<Endpoint>, RenderError> {
    let ext = values
        .config
        .external_services
        .as_ref()
        .and_then(|e| e.rabbitmq.clone())
        .unwrap_or_default();
    let scheduler = values
        .config
        .scheduler
        .as_ref()
        .and_then(|s| s.enabled)
        .unwrap_or(false);
    if !scheduler && ext.host.is_none() {
        return Ok(None);
    }
    let password_ref = password_secret(
        ctx,
        "rabbitmq-secret",
        "rabbitmq-password",
        ext.password.as_ref(),
        |state| &state.rabbitmq_password,
    )?;
    Ok(ext.host.map(|host| Endpoint {
        host,
        port: common::service_port(ext.port, 5672),
        user: Some(ext.user.unwrap_or_else(|| "polyaxon".into())),
        password_ref: Some(password_ref),
    }))
}
