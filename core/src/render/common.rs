//! What the agent and platform charts share: the common config and secret
//! (`<fullname>-config`, `<fullname>-secret`), the proxies config the gateway
//! routes by, the agent config and its token Secret, and the `envFrom`
//! lists that read them.

use std::collections::BTreeMap;

use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::{
    ConfigMap, ConfigMapEnvSource, EnvFromSource, Secret, SecretEnvSource,
};
use serde_json::{Value, json};

use super::RenderError;
use super::connections;
use super::ctx::Ctx;
use super::labels::Role;
use super::names;
use super::pod::Scheduling;
use super::values::{GATEWAY_NODE_PORT, Values};
use crate::config::Generation;
use crate::config::schema::{Chart, ServiceType};

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
    /// `<fullname>-gateway`.
    pub gateway: String,
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
    Secret {
        metadata: ctx.meta(name, Role::Config),
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

/// The common `envFrom` (common Secret and ConfigMap).
pub fn env_common(n: &Names) -> Vec<EnvFromSource> {
    vec![from_secret(&n.secret), from_config_map(&n.config)]
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

fn agent_token<'v>(values: &Values<'v>) -> Option<&'v str> {
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
/// (2.x, the API/streams server) or 80 (the 1.x nginx gateway).
pub fn gateway_target_port(values: &Values<'_>) -> i32 {
    let default = match values.generation {
        Generation::V1 => 80,
        Generation::V2 => 8000,
    };
    service_port(
        values
            .gateway()
            .service
            .as_ref()
            .and_then(|s| s.target_port),
        default,
    )
}

/// The gateway's node port when it is a NodePort service (default 31833).
pub fn gateway_node_port(values: &Values<'_>) -> i32 {
    service_port(
        values.gateway().service.as_ref().and_then(|s| s.node_port),
        GATEWAY_NODE_PORT,
    )
}

/// A port from the config, or the default when absent or out of range.
pub fn service_port(given: Option<i64>, default: i32) -> i32 {
    given
        .and_then(|p| i32::try_from(p).ok())
        .filter(|p| (1..=65535).contains(p))
        .unwrap_or(default)
}

/// Whether the gateway serves TLS itself (`ssl.enabled` with a `secretName`).
pub fn ssl_enabled(values: &Values<'_>) -> bool {
    values.config.ssl.as_ref().is_some_and(|s| {
        s.enabled == Some(true) && s.secret_name.as_deref().is_some_and(|n| !n.is_empty())
    })
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
/// gateway Service (`config.platformHost` in the charts).
pub fn platform_host(values: &Values<'_>, n: &Names) -> String {
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
    format!("http://{}:{port}", n.gateway)
}

/// The common ConfigMap and Secret.
pub fn render_common(ctx: &mut Ctx<'_>, values: &Values<'_>, n: &Names) -> Result<(), RenderError> {
    let mut data = BTreeMap::from([
        (
            "POLYAXON_DEPLOYMENT_TYPE".to_string(),
            values.deployment_type_str().to_string(),
        ),
        (
            "POLYAXON_PLATFORM_HOST".to_string(),
            platform_host(values, n),
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
    if values.chart == Chart::Platform {
        let secret_name = values
            .config
            .platform_secret
            .clone()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| n.platform_secret.clone());
        data.insert("POLYAXON_K8S_APP_SECRET_NAME".into(), secret_name);
    }
    if values.config.debug_mode == Some(true) {
        data.insert("POLYAXON_DEBUG".into(), "true".into());
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
    let data = BTreeMap::from([
        ("POLYAXON_SECRET_KEY".to_string(), secret_key),
        ("POLYAXON_SECRET_INTERNAL_TOKEN".to_string(), token),
    ]);
    ctx.push(super::Stage::Config, &secret(ctx, &n.secret, data))
}

/// The DNS prefix: `dns.prefix`, else `<dns.backend>.kube-system`.
pub fn dns_prefix(values: &Values<'_>) -> String {
    let dns = values.config.dns.clone().unwrap_or_default();
    dns.prefix.filter(|p| !p.is_empty()).unwrap_or_else(|| {
        format!(
            "{}.kube-system",
            dns.backend
                .filter(|b| !b.is_empty())
                .unwrap_or_else(|| "kube-dns".into())
        )
    })
}

/// Where the API the gateway proxies to lives: `(host, port, use resolver)`.
pub struct Upstream {
    /// Host name or URL.
    pub host: String,
    /// Port.
    pub port: i32,
    /// Container port behind it.
    pub target_port: i32,
    /// Whether the gateway resolves it through the cluster DNS.
    pub use_resolver: bool,
}

/// The proxies ConfigMap: how the gateway reaches the gateway itself, the
/// API and streams, and the auth, DNS, SSL, UI and proxy settings.
pub fn render_proxies(
    ctx: &mut Ctx<'_>,
    values: &Values<'_>,
    n: &Names,
    api: &Upstream,
    streams: &Upstream,
) -> Result<(), RenderError> {
    let b = |v: bool| v.to_string();
    let auth = values.config.auth.clone().unwrap_or_default();
    let dns = values.config.dns.clone().unwrap_or_default();
    let gateway = values.gateway();
    let mut data = BTreeMap::from([
        ("POLYAXON_PROXY_GATEWAY_HOST".to_string(), n.gateway.clone()),
        (
            "POLYAXON_PROXY_GATEWAY_PORT".to_string(),
            gateway_port(values).to_string(),
        ),
        (
            "POLYAXON_PROXY_GATEWAY_TARGET_PORT".to_string(),
            gateway_target_port(values).to_string(),
        ),
        ("POLYAXON_PROXY_GATEWAY_USE_RESOLVER".to_string(), b(false)),
        ("POLYAXON_PROXY_API_HOST".to_string(), api.host.clone()),
        ("POLYAXON_PROXY_API_PORT".to_string(), api.port.to_string()),
        (
            "POLYAXON_PROXY_API_TARGET_PORT".to_string(),
            api.target_port.to_string(),
        ),
        (
            "POLYAXON_PROXY_API_USE_RESOLVER".to_string(),
            b(api.use_resolver),
        ),
        (
            "POLYAXON_PROXY_STREAMS_HOST".to_string(),
            streams.host.clone(),
        ),
        (
            "POLYAXON_PROXY_STREAMS_PORT".to_string(),
            streams.port.to_string(),
        ),
        (
            "POLYAXON_PROXY_STREAMS_TARGET_PORT".to_string(),
            streams.target_port.to_string(),
        ),
        (
            "POLYAXON_PROXY_STREAMS_USE_RESOLVER".to_string(),
            b(streams.use_resolver),
        ),
        ("POLYAXON_DNS_USE_RESOLVER".to_string(), b(true)),
        (
            "POLYAXON_DNS_BACKEND".to_string(),
            dns.backend
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| "kube-dns".into()),
        ),
        (
            "POLYAXON_DNS_CUSTOM_CLUSTER".to_string(),
            dns.custom_cluster
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| "cluster.local".into()),
        ),
        ("POLYAXON_DNS_PREFIX".to_string(), dns_prefix(values)),
        ("POLYAXON_SSL_ENABLED".to_string(), b(ssl_enabled(values))),
    ]);
    if let Some(c) = gateway.concurrency {
        data.insert("POLYAXON_PROXY_GATEWAY_CONCURRENCY".into(), c.to_string());
    }
    if gateway.per_core == Some(true) {
        data.insert("POLYAXON_PROXY_GATEWAY_PER_CORE".into(), b(true));
    }
    // auth.enabled and auth.useResolver default to true (agent seed).
    let auth_enabled = auth.enabled.unwrap_or(true);
    data.insert("POLYAXON_PROXY_AUTH_ENABLED".into(), b(auth_enabled));
    if auth_enabled {
        data.insert(
            "POLYAXON_PROXY_AUTH_USE_RESOLVER".into(),
            b(auth.use_resolver.unwrap_or(true)),
        );
        if let Some(external) = auth.external.filter(|e| !e.is_empty()) {
            data.insert("POLYAXON_PROXY_AUTH_EXTERNAL".into(), external);
        }
    }
    if ssl_enabled(values) {
        data.insert("POLYAXON_SSL_PATH".into(), ssl_path(values));
    }
    if let Some(ui) = &values.config.ui {
        let mut set = |key: &str, v: Option<String>| {
            if let Some(v) = v {
                data.insert(key.into(), v);
            }
        };
        set("POLYAXON_UI_ENABLED", ui.enabled.map(b));
        set("POLYAXON_UI_ADMIN_ENABLED", ui.admin_enabled.map(b));
        set("POLYAXON_UI_OFFLINE", ui.offline.map(b));
        set("POLYAXON_UI_ASSETS_VERSION", ui.assets_version.clone());
        set("POLYAXON_UI_BASE_URL", ui.base_url.clone());
        set("POLYAXON_STATIC_URL", ui.static_url.clone());
        set("POLYAXON_UI_SINGLE_URL", ui.single_url.map(b));
        set(
            "POLYAXON_UI_DEFAULT_STREAMS_URL",
            ui.default_streams_url.clone(),
        );
    }
    if let Some(istio) = &values.config.istio {
        if istio.get("enabled").and_then(Value::as_bool) == Some(true) {
            data.insert("POLYAXON_ISTIO_ENABLED".into(), b(true));
        }
        for (key, env) in [
            ("gateway", "POLYAXON_ISTIO_GATEWAY"),
            ("tlsMode", "POLYAXON_ISTIO_TLS_MODE"),
            ("prefix", "POLYAXON_ISTIO_PREFIX"),
            ("timeout", "POLYAXON_ISTIO_TIMEOUT"),
        ] {
            match istio.get(key) {
                Some(Value::String(v)) if !v.is_empty() => {
                    data.insert(env.into(), v.clone());
                }
                Some(Value::Number(n)) => {
                    data.insert(env.into(), n.to_string());
                }
                _ => {}
            }
        }
    }
    if let Some(proxy) = values
        .config
        .proxy
        .as_ref()
        .filter(|p| p.enabled == Some(true))
    {
        data.insert("POLYAXON_PROXY_HAS_FORWARD_PROXY".into(), b(true));
        let mut set = |keys: &[&str], v: Option<String>| {
            if let Some(v) = v.filter(|v| !v.is_empty()) {
                for key in keys {
                    data.insert((*key).into(), v.clone());
                }
            }
        };
        set(
            &["POLYAXON_PROXY_FORWARD_PROXY_PORT"],
            proxy.port.map(|p| p.to_string()),
        );
        set(&["POLYAXON_PROXY_FORWARD_PROXY_HOST"], proxy.host.clone());
        set(&["POLYAXON_PROXY_FORWARD_PROXY_KIND"], proxy.kind.clone());
        set(
            &["POLYAXON_PROXY_FORWARD_PROXY_PROTOCOL"],
            proxy.protocol.clone(),
        );
        set(&["HTTPS_PROXY", "https_proxy"], proxy.https_proxy.clone());
        set(&["HTTP_PROXY", "http_proxy"], proxy.http_proxy.clone());
        set(&["NO_PROXY", "no_proxy"], proxy.no_proxy.clone());
    }
    ctx.push(super::Stage::Config, &config_map(ctx, &n.proxies, data))
}

/// A helper image setting (`init`, `sidecar`, `notifier`, `cleaner`) as the
/// agent config hands it to runs, its tag defaulting to the pinned version.
fn helper_json(value: Value, default_image: &str, version: &str) -> Value {
    let mut map = match value {
        Value::Object(map) => map,
        _ => serde_json::Map::new(),
    };
    map.retain(|_, v| !v.is_null());
    map.entry("image").or_insert_with(|| default_image.into());
    map.entry("imageTag").or_insert_with(|| version.into());
    map.entry("imagePullPolicy")
        .or_insert_with(|| "IfNotPresent".into());
    Value::Object(map)
}

/// The agent ConfigMap (`<fullname>-agent-config`) and, with a token, the
/// agent Secret: the token is only ever in the Secret.
pub fn render_agent_config(
    ctx: &mut Ctx<'_>,
    values: &Values<'_>,
    n: &Names,
    scheduling: &Scheduling,
) -> Result<(), RenderError> {
    let cfg = values.config;
    let agent = cfg.agent.clone().unwrap_or_default();
    let json = |v: &Value| v.to_string();
    let mut data = BTreeMap::from([
        ("POLYAXON_K8S_IN_CLUSTER".to_string(), "true".to_string()),
        ("POLYAXON_SET_AGENT".to_string(), "true".to_string()),
        (
            "POLYAXON_AGENT_ARTIFACTS_STORE".to_string(),
            json(&connections::to_json(&connections::artifacts_store(values))),
        ),
        (
            "POLYAXON_AGENT_DEFAULT_SCHEDULING".to_string(),
            json(&run_scheduling(values, scheduling)),
        ),
    ]);
    for (key, setting, default_image) in [
        (
            "POLYAXON_AGENT_SIDECAR",
            serde_json::to_value(&cfg.sidecar),
            "polyaxon/polyaxon-sidecar",
        ),
        (
            "POLYAXON_AGENT_INIT",
            serde_json::to_value(&cfg.init),
            "polyaxon/polyaxon-init",
        ),
        (
            "POLYAXON_AGENT_CLEANER",
            serde_json::to_value(&cfg.cleaner),
            "polyaxon/polyaxon-init",
        ),
        (
            "POLYAXON_AGENT_NOTIFIER",
            serde_json::to_value(&cfg.notifier),
            "polyaxon/polyaxon-events-handlers",
        ),
    ] {
        let setting = helper_json(setting.unwrap_or_default(), default_image, &ctx.version);
        data.insert(key.into(), json(&setting));
    }
    if let Some(instance) = agent.instance.filter(|i| !i.is_empty()) {
        data.insert("POLYAXON_AGENT_INSTANCE".into(), instance);
    }
    let connections: Vec<Value> = connections::connections(values)
        .iter()
        .map(connections::to_json)
        .collect();
    if !connections.is_empty() {
        data.insert(
            "POLYAXON_AGENT_CONNECTIONS".into(),
            json(&Value::Array(connections)),
        );
    }
    let notifiers: Vec<Value> = cfg
        .notification_connections
        .iter()
        .flatten()
        .map(connections::to_json)
        .collect();
    if !notifiers.is_empty() {
        data.insert(
            "POLYAXON_AGENT_NOTIFICATION_CONNECTIONS".into(),
            json(&Value::Array(notifiers)),
        );
    }
    let pull_secrets = cfg
        .default_image_pull_secrets
        .clone()
        .or_else(|| agent.image_pull_secrets.clone())
        .or_else(|| cfg.image_pull_secrets.clone())
        .unwrap_or_default();
    if !pull_secrets.is_empty() {
        data.insert(
            "POLYAXON_AGENT_DEFAULT_IMAGE_PULL_SECRETS".into(),
            json(&json!(pull_secrets)),
        );
    }
    if values.rbac() {
        data.insert(
            "POLYAXON_AGENT_RUNS_SA".into(),
            names::component(ctx.release, "runs-sa"),
        );
    }
    if let Some(name) = agent_secret_name(values, n) {
        data.insert("POLYAXON_AGENT_SECRET_NAME".into(), name);
    }
    if let Some(v) = agent.is_replica {
        data.insert("POLYAXON_AGENT_IS_REPLICA".into(), v.to_string());
    }
    if let Some(v) = agent.compressed_logs {
        data.insert("POLYAXON_AGENT_COMPRESSED_LOGS".into(), v.to_string());
    }
    if agent.enable_status_finalizers == Some(true) {
        data.insert(
            "POLYAXON_AGENT_ENABLE_STATUS_FINALIZERS".into(),
            "true".into(),
        );
    }
    if agent.enable_logs_finalizers == Some(true) {
        data.insert(
            "POLYAXON_AGENT_ENABLE_LOGS_FINALIZERS".into(),
            "true".into(),
        );
    }
    if let Some(ops) = &cfg.operators {
        for (flag, key) in [
            (ops.tfjob, "POLYAXON_TFJOB_ENABLED"),
            (ops.pytorchjob, "POLYAXON_PYTORCH_JOB_ENABLED"),
            (ops.paddlejob, "POLYAXON_PADDLE_JOB_ENABLED"),
            (ops.xgbjob, "POLYAXON_XGBOOST_JOB_ENABLED"),
            (ops.mxjob, "POLYAXON_MXJOB_ENABLED"),
            (ops.mpijob, "POLYAXON_MPIJOB_ENABLED"),
            (ops.daskjob, "POLYAXON_DASK_JOB_ENABLED"),
            (ops.rayjob, "POLYAXON_RAY_JOB_ENABLED"),
            (ops.sparkjob, "POLYAXON_SPARK_JOB_ENABLED"),
            (ops.daskcluster, "POLYAXON_DASK_CLUSTER_ENABLED"),
            (ops.raycluster, "POLYAXON_RAY_CLUSTER_ENABLED"),
        ] {
            if flag == Some(true) {
                data.insert(key.into(), "true".into());
            }
        }
    }
    if let Some(proxy) = cfg.proxy.as_ref().filter(|p| p.enabled == Some(true)) {
        data.insert(
            "POLYAXON_AGENT_USE_PROXY_ENV_VARS_IN_OPS".into(),
            proxy.use_in_ops.unwrap_or(false).to_string(),
        );
    }
    if values.chart != Chart::Platform {
        data.extend(refs(values));
    }
    ctx.push(
        super::Stage::Config,
        &config_map(ctx, &n.agent_config, data),
    )?;

    if cfg.agent_secret.as_deref().is_none_or(str::is_empty)
        && let Some(token) = agent_token(values)
    {
        let data = BTreeMap::from([("POLYAXON_AUTH_TOKEN".to_string(), token.to_string())]);
        ctx.push(super::Stage::Config, &secret(ctx, &n.agent_secret, data))?;
    }
    Ok(())
}

/// 0.x seed `secretRefs`/`configmapRefs`: names of Secrets and ConfigMaps
/// handed to runs (the platform config for the platform, the agent config otherwise).
pub fn refs(values: &Values<'_>) -> BTreeMap<String, String> {
    let mut data = BTreeMap::new();
    if let Some(refs) = values.config.secret_refs.as_ref().filter(|r| !r.is_empty()) {
        data.insert("POLYAXON_REFS_SECRETS".into(), json!(refs).to_string());
    }
    if let Some(refs) = values
        .config
        .configmap_refs
        .as_ref()
        .filter(|r| !r.is_empty())
    {
        data.insert("POLYAXON_REFS_CONFIG_MAPS".into(), json!(refs).to_string());
    }
    data
}

/// The scheduling handed to runs: `defaultScheduling` if given, else the
/// agent's own (as the charts), plus the 0.x per-role split
/// (`experiments`, `jobs`, `builds`, `tensorboards`) under those keys.
fn run_scheduling(values: &Values<'_>, agent: &Scheduling) -> Value {
    use crate::config::schema::{AffinitySetting, TolerationsSetting};
    let cfg = values.config;
    let mut out = match &cfg.default_scheduling {
        Some(d) => serde_json::to_value(d)
            .map(|v| match v {
                Value::Object(m) => {
                    Value::Object(m.into_iter().filter(|(_, v)| !v.is_null()).collect())
                }
                other => other,
            })
            .unwrap_or_default(),
        None => agent.to_json(),
    };
    let Value::Object(map) = &mut out else {
        return out;
    };
    let mut roles: BTreeMap<&str, serde_json::Map<String, Value>> = BTreeMap::new();
    // Each by-role setting (`nodeSelectors`, `tolerations`, `affinity`) has
    // the same four run roles.
    macro_rules! by_role {
        ($by:expr, $key:literal) => {
            for (role, v) in [
                ("experiments", &$by.experiments),
                ("jobs", &$by.jobs),
                ("builds", &$by.builds),
                ("tensorboards", &$by.tensorboards),
            ] {
                if let Some(v) = v {
                    roles
                        .entry(role)
                        .or_default()
                        .insert($key.into(), serde_json::to_value(v).unwrap_or_default());
                }
            }
        };
    }
    if let Some(by) = &cfg.node_selectors {
        by_role!(by, "nodeSelector");
    }
    if let Some(TolerationsSetting::ByRole(by)) = &cfg.tolerations {
        by_role!(by, "tolerations");
    }
    if let Some(AffinitySetting::ByRole(by)) = &cfg.affinity {
        by_role!(by, "affinity");
    }
    for (role, scheduling) in roles {
        map.insert(role.into(), Value::Object(scheduling));
    }
    out
}
