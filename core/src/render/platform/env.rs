//! What the platform's pods read: the chart's `config.envFrom.*` lists, the
//! agent's ServiceAccount they run as (`config.agent.sa`) and the host IPs
//! (`config.hostIps`).

use k8s_openapi::api::core::v1::{EnvFromSource, EnvVar};

use crate::render::agent;
use crate::render::common::{self, Names};
use crate::render::ctx::Ctx;
use crate::render::pod;
use crate::render::rbac;
use crate::render::values::Values;

/// Whether the agent side of the platform is there: the agent runs, or the
/// platform is CE (no `organizationKey`). The chart then renders the agent
/// config and has the platform's pods read it and run as the agent's
/// ServiceAccount.
pub fn agent_side(values: &Values<'_>) -> bool {
    agent::agent_enabled(values)
        || values
            .config
            .organization_key
            .as_deref()
            .is_none_or(str::is_empty)
}

/// The platform's Secret (`config.envFrom.secret`): `platformSecret` when
/// given, else the release's own and `encryptionSecret`.
fn secret(values: &Values<'_>, n: &Names) -> Vec<EnvFromSource> {
    let given = |s: &Option<String>| s.as_ref().filter(|s| !s.is_empty()).cloned();
    match given(&values.config.platform_secret) {
        Some(name) => vec![common::from_secret(&name)],
        None => std::iter::once(n.platform_secret.clone())
            .chain(given(&values.config.encryption_secret))
            .map(|name| common::from_secret(&name))
            .collect(),
    }
}

/// The platform's own config (`envFrom`): its Secret, the platform config
/// and (on the agent side) the agent config.
pub fn platform(values: &Values<'_>, n: &Names) -> Vec<EnvFromSource> {
    let mut list = secret(values, n);
    list.push(common::from_config_map(&n.platform_config));
    if agent_side(values) {
        list.push(common::from_config_map(&n.agent_config));
    }
    list
}

/// What a platform pod reads (`envFrom`): the common Secret and config and
/// the platform's own; and the proxies config when `proxies`.
pub fn sources(values: &Values<'_>, n: &Names, proxies: bool) -> Vec<EnvFromSource> {
    let mut list = common::env_common(n);
    list.extend(platform(values, n));
    if proxies {
        list.push(common::from_config_map(&n.proxies));
    }
    list
}

/// The agent's ServiceAccount, which the API and the Celery workers run as
/// when RBAC is on and the agent side is there (`config.agent.sa`).
pub fn service_account(ctx: &Ctx<'_>, values: &Values<'_>) -> Option<String> {
    (values.rbac() && agent_side(values)).then(|| rbac::agent_sa(ctx.release))
}

/// The pod and host IPs (`includeHostIps`).
pub fn host_ips(values: &Values<'_>) -> Vec<EnvVar> {
    if values.config.include_host_ips != Some(true) {
        return Vec::new();
    }
    vec![
        pod::field_env("POLYAXON_POD_IP", "status.podIP"),
        pod::field_env("POLYAXON_HOST_IP", "status.hostIP"),
    ]
}

/// `POLYAXON_MANAGE`: the install hooks run the API image's management commands.
pub fn manage() -> EnvVar {
    pod::env("POLYAXON_MANAGE", "true")
}
