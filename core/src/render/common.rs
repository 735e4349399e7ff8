//! What the agent and platform charts share: the names of the shared
//! objects, the common config and secret (`<fullname>-config`,
//! `<fullname>-secret`), the gateway's ports and address, and the `envFrom`
//! lists that read the shared config. The proxies config is in
//! [`super::proxies`], the agent config and token in [`super::agent_config`].

use std::collections::BTreeMap;

use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::{
    ConfigMap, ConfigMapEnvSource, EnvFromSource, Secret, SecretEnvSource,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::RenderError;
use super::ctx::Ctx;
use super::labels::Role;
use super::names;
use super::values::Values;
use crate::config::Generation;
use crate::config::schema::ServiceType;

pub use super::agent_config::{refs, render_agent_config};
pub use super::proxies::render_proxies;

/// Names of the shared objects of a release.
pub struct Names {
    /// `<fullname>-config`: the common ConfigMap.
    pub config: String,
    /// `<fullname>-secret`: the common Secret.
    pub secret: String,
    /// `<fullname>-proxies-config`.
    pub proxies: String,
    /// `<fullname>-agent-config`.
    pub agent_config: String,
    /// `<fullname>-agent-secret`: the agent token.
    pub agent_secret: String,
    /// `<fullname>-platform-config`.
    pub platform_config: String,
    /// `<fullname>-platform-secret`.
    pub platform_secret: String,
    /// `<fullname>-gateway`: the gateway Service, and the
    /// `app.kubernetes.io/name` of the pods behind it.
    pub gateway: String,
    /// `<fullname>-streams`: the 2.x agent chart's gateway Deployment (the
    /// streams server), and the 1.x streams Deployment and Service.
    pub streams: String,
}

impl Names {
    /// The names for `release`.
    pub fn new(release: &str) -> Self {
        let c = |part: &str| names::component(release, part);
        Names {
            config: c("config"),
            secret: c("secret"),
            proxies: c("proxies-config"),
            agent_config: c("agent-config"),
            agent_secret: c("agent-secret"),
            platform_config: c("platform-config"),
            platform_secret: c("platform-secret"),
            gateway: c("gateway"),
            streams: c("streams"),
        }
    }
}

/// A ConfigMap of string data.
pub fn config_map(ctx: &Ctx<'_>, name: &str, data: BTreeMap<String, String>) -> ConfigMap {
    ConfigMap {
        metadata: ctx.meta(name, Role::Config),
        data: Some(data),
        ..ConfigMap::default()
    }
}

/// An Opaque Secret of string data.
pub fn secret(ctx: &Ctx<'_>, name: &str, data: BTreeMap<String, String>) -> Secret {
    opaque_secret(ctx.meta(name, Role::Config), data)
}

/// An Opaque Secret with `metadata` holding string `data` (the charts' own
/// Secrets and the bitnami subcharts' share this shape).
pub fn opaque_secret(metadata: ObjectMeta, data: BTreeMap<String, String>) -> Secret {
    Secret {
        metadata,
        type_: Some("Opaque".into()),
        data: Some(
            data.into_iter()
                .map(|(k, v)| (k, ByteString(v.into_bytes())))
                .collect(),
        ),
        ..Secret::default()
    }
}

/// `envFrom` of a ConfigMap.
pub fn from_config_map(name: &str) -> EnvFromSource {
    EnvFromSource {
        config_map_ref: Some(ConfigMapEnvSource {
            name: name.into(),
            ..ConfigMapEnvSource::default()
        }),
        ..EnvFromSource::default()
    }
}

/// `envFrom` of a Secret.
pub fn from_secret(name: &str) -> EnvFromSource {
    EnvFromSource {
        secret_ref: Some(SecretEnvSource {
            name: name.into(),
            ..SecretEnvSource::default()
        }),
        ..EnvFromSource::default()
    }
}

/// The common `envFrom`: the common Secret (2.x; the 1.x charts keep its
/// keys in the platform Secret and have none) and ConfigMap.
pub fn env_common(values: &Values<'_>, n: &Names) -> Vec<EnvFromSource> {
    match values.generation {
        Generation::V1 => vec![from_config_map(&n.config)],
        Generation::V2 => vec![from_secret(&n.secret), from_config_map(&n.config)],
    }
}

/// The agent's `envFrom`: its config, and its token Secret (or `agentSecret`).
pub fn env_agent(values: &Values<'_>, n: &Names) -> Vec<EnvFromSource> {
    let mut list = vec![from_config_map(&n.agent_config)];
    if let Some(name) = agent_secret_name(values, n) {
        list.push(from_secret(&name));
    }
    list
}

/// The Secret holding the agent token: `agentSecret` if given, else the
/// release's own when there is a token.
pub fn agent_secret_name(values: &Values<'_>, n: &Names) -> Option<String> {
    if let Some(name) = values
        .config
        .agent_secret
        .as_ref()
        .filter(|s| !s.is_empty())
    {
        return Some(name.clone());
    }
    agent_token(values).map(|_| n.agent_secret.clone())
}

/// The agent token given in the config (`agent.token`), if any.
pub fn agent_token<'v>(values: &Values<'v>) -> Option<&'v str> {
    values
        .config
        .agent
        .as_ref()
        .and_then(|a| a.token.as_deref())
        .filter(|t| !t.is_empty())
}

/// The gateway's Service port (default 80).
pub fn gateway_port(values: &Values<'_>) -> i32 {
    service_port(values.gateway().service.as_ref().and_then(|s| s.port), 80)
}

/// The gateway container's port: `gateway.service.targetPort`, default 8000
/// (the 2.x API/streams server and the 1.x gateway alike).
pub fn gateway_target_port(values: &Values<'_>) -> i32 {
    service_port(
        values
            .gateway()
            .service
            .as_ref()
            .and_then(|s| s.target_port),
        SERVER_PORT,
    )
}

/// The port Polyaxon's servers (API, streams, gateway) listen on unless a
/// `service.targetPort` says otherwise, in every chart.
pub const SERVER_PORT: i32 = 8000;

/// The gateway's node port when it is a NodePort service:
/// `gateway.service.nodePort`, else the chart's
/// ([`Values::default_gateway_node_port`]).
pub fn gateway_node_port(values: &Values<'_>) -> i32 {
    service_port(
        values.gateway().service.as_ref().and_then(|s| s.node_port),
        values.default_gateway_node_port(),
    )
}

/// The address of the release's Service `service` inside the cluster:
/// `<service>.<namespace>.svc.<cluster domain>` from chart 2.1.0, the bare
/// Service name before ([`Values::qualified_hosts`]).
pub fn in_cluster_host(ctx: &Ctx<'_>, values: &Values<'_>, service: &str) -> String {
    if values.qualified_hosts() {
        format!(
            "{service}.{}.svc.{}",
            ctx.namespace,
            values.cluster_domain()
        )
    } else {
        service.to_string()
    }
}

/// A port from the config, or the default when absent or out of range.
pub fn service_port(given: Option<i64>, default: i32) -> i32 {
    given
        .and_then(|p| i32::try_from(p).ok())
        .filter(|p| (1..=65535).contains(p))
        .unwrap_or(default)
}

/// Whether a certificate is given (`ssl.enabled` with a `secretName`): the
/// charts' `ssl.redirect.enabled`.
pub fn ssl_enabled(values: &Values<'_>) -> bool {
    values.config.ssl.as_ref().is_some_and(|s| {
        s.enabled == Some(true) && s.secret_name.as_deref().is_some_and(|n| !n.is_empty())
    })
}

/// Whether the gateway serves TLS itself, mounting the certificate and
/// listening on 443: the 1.x nginx gateway does; no 2.x chart mounts the
/// certificate or opens 443 (TLS ends at the Ingress or in front of it).
pub fn gateway_serves_tls(values: &Values<'_>) -> bool {
    ssl_enabled(values) && values.generation == Generation::V1
}

/// Where the certificate is mounted in the gateway (`ssl.path`, default `/etc/ssl`).
pub fn ssl_path(values: &Values<'_>) -> String {
    values
        .config
        .ssl
        .as_ref()
        .and_then(|s| s.path.clone())
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| "/etc/ssl".into())
}

/// The platform's address: the Ingress host, else `hostName`, else the
/// gateway Service's in-cluster address (`config.platformHost` in the
/// charts); an enabled Ingress without a host falls through to the next
/// (the charts would write an empty host).
pub fn platform_host(ctx: &Ctx<'_>, values: &Values<'_>, n: &Names) -> String {
    let ingress_host = values
        .config
        .ingress
        .as_ref()
        .and_then(|i| i.host_name.clone())
        .filter(|h| !h.is_empty());
    if values.ingress()
        && let Some(host) = ingress_host
    {
        return host;
    }
    if let Some(host) = values.config.host_name.clone().filter(|h| !h.is_empty()) {
        return host;
    }
    let port = match values.gateway_service_type() {
        ServiceType::NodePort => gateway_node_port(values),
        _ => gateway_port(values),
    };
    format!("http://{}:{port}", in_cluster_host(ctx, values, &n.gateway))
}

/// The common ConfigMap and Secret (both charts' `common-cm.yaml`,
/// `common-secrets.yaml`).
pub fn render_common(ctx: &mut Ctx<'_>, values: &Values<'_>, n: &Names) -> Result<(), RenderError> {
    let mut data = BTreeMap::from([
        (
            "POLYAXON_DEPLOYMENT_TYPE".to_string(),
            values.deployment_type_str().to_string(),
        ),
        (
            "POLYAXON_PLATFORM_HOST".to_string(),
            platform_host(ctx, values, n),
        ),
        (
            "POLYAXON_K8S_NAMESPACE".to_string(),
            ctx.namespace.to_string(),
        ),
        (
            "POLYAXON_LOG_LEVEL".to_string(),
            values
                .config
                .log_level
                .clone()
                .unwrap_or_else(|| "WARNING".into()),
        ),
        (
            "POLYAXON_ENVIRONMENT".to_string(),
            values
                .config
                .environment
                .clone()
                .unwrap_or_else(|| "production".into()),
        ),
        (
            "POLYAXON_TIME_ZONE".to_string(),
            values.timezone().to_string(),
        ),
        ("POLYAXON_CHART_VERSION".to_string(), ctx.version.clone()),
    ]);
    // Both charts name the platform's Secret here, the agent chart too.
    let secret_name = values
        .config
        .platform_secret
        .clone()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| n.platform_secret.clone());
    data.insert("POLYAXON_K8S_APP_SECRET_NAME".into(), secret_name);
    if values.include_chart_revision() {
        // helm writes `.Release.Revision`, which changes the config, hence
        // the pods' checksum, on every upgrade; ours stays at the release's
        // first revision so that an upgrade that changes nothing restarts
        // nothing (and is a no-op plan).
        data.insert("POLYAXON_CHART_REVISION".into(), "1".into());
    }
    if values.security_context() {
        data.insert(
            "POLYAXON_SECURITY_CONTEXT_USER".into(),
            values.run_as_user().to_string(),
        );
        data.insert(
            "POLYAXON_SECURITY_CONTEXT_GROUP".into(),
            values.run_as_group().to_string(),
        );
    }
    ctx.push(super::Stage::Config, &config_map(ctx, &n.config, data))?;
    // The 1.x charts keep these keys in the platform Secret.
    if values.generation == Generation::V2 {
        let data = secret_keys(ctx, values);
        ctx.push(super::Stage::Config, &secret(ctx, &n.secret, data))?;
    }
    Ok(())
}

/// `POLYAXON_SECRET_KEY` and `POLYAXON_SECRET_INTERNAL_TOKEN`: `polyaxonSecret`
/// and `internalToken` when given, else the release's generated ones.
pub fn secret_keys(ctx: &Ctx<'_>, values: &Values<'_>) -> BTreeMap<String, String> {
    let secret_key = values
        .config
        .polyaxon_secret
        .clone()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| ctx.state.secret_key.clone());
    let token = values
        .config
        .internal_token
        .clone()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| ctx.state.internal_token.clone());
    BTreeMap::from([
        ("POLYAXON_SECRET_KEY".to_string(), secret_key),
        ("POLYAXON_SECRET_INTERNAL_TOKEN".to_string(), token),
    ])
}
