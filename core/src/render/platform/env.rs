//! What the platform's pods read: the chart's `config.envFrom.*` lists, the
//! host IPs (`config.hostIps`) and the management switch of the hooks.

use k8s_openapi::api::core::v1::{EnvFromSource, EnvVar};

use crate::render::agent;
use crate::render::common::{self, Names};
use crate::render::pod;
use crate::render::values::Values;

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
    // The agent config, when the chart renders it.
    if agent::agent_config_rendered(values) {
        list.push(common::from_config_map(&n.agent_config));
    }
    list
}

/// What a platform pod reads (`envFrom`): the common Secret and config and
/// the platform's own; and the proxies config when `proxies`.
pub fn sources(values: &Values<'_>, n: &Names, proxies: bool) -> Vec<EnvFromSource> {
    let mut list = common::env_common(values, n);
    list.extend(platform(values, n));
    if proxies {
        list.push(common::from_config_map(&n.proxies));
    }
    list
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
