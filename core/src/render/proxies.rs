//! The proxies ConfigMap (`<fullname>-proxies-config`, both charts'
//! `proxies-cm.yaml`): where the gateway, the API and streams are, how the
//! services reach them (`POLYAXON_HOST`), and the auth, DNS, SSL, UI, Istio
//! and forward-proxy settings.

use std::collections::BTreeMap;

use serde_json::Value;

use super::RenderError;
use super::common::{
    Names, SERVER_PORT, config_map, gateway_port, gateway_target_port, in_cluster_host,
    service_port, ssl_enabled,
};
use super::ctx::Ctx;
use super::names;
use super::values::Values;
use crate::config::Generation;
use crate::config::schema::{Chart, ExternalService};

/// Where the gateway routes one kind of traffic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upstream {
    /// Host name (or URL of an external service).
    pub host: String,
    /// Service port.
    pub port: i32,
    /// Container port behind it.
    pub target_port: i32,
    /// Whether the gateway resolves the host through the cluster DNS.
    pub use_resolver: bool,
}

impl Upstream {
    /// `http(s)://host:port`: https exactly when the port is 443, as the charts.
    fn url(&self) -> String {
        let scheme = if self.port == 443 { "https" } else { "http" };
        format!("{scheme}://{}:{}", self.host, self.port)
    }
}

/// The gateway, API and streams upstreams of a release.
struct Upstreams {
    gateway: Upstream,
    api: Upstream,
    streams: Upstream,
}

/// The release's own gateway Service, as the 2.x charts address it. The
/// platform chart resolves it through the cluster DNS (`gateway.useResolver:
/// true` in its values), the agent chart does not.
fn own_gateway(ctx: &Ctx<'_>, values: &Values<'_>, n: &Names) -> Upstream {
    Upstream {
        host: in_cluster_host(ctx, values, &n.gateway),
        port: gateway_port(values),
        target_port: gateway_target_port(values),
        use_resolver: values.chart == Chart::Platform,
    }
}

/// In 2.x every route goes to `externalServices.<route>` when it has a
/// host (port default 443, for both the port and the target), else to the
/// release's gateway.
fn routed(
    ctx: &Ctx<'_>,
    values: &Values<'_>,
    n: &Names,
    external: Option<&ExternalService>,
) -> Upstream {
    match external.and_then(|e| e.host.clone().filter(|h| !h.is_empty()).map(|h| (e, h))) {
        Some((external, host)) => {
            let port = service_port(external.port, 443);
            Upstream {
                host,
                port,
                target_port: port,
                use_resolver: external.use_resolver.unwrap_or(false),
            }
        }
        None => own_gateway(ctx, values, n),
    }
}

/// The 1.x topology: an nginx gateway in front of the API (the control
/// plane for the agent, `<fullname>-api` for the platform) and streams.
fn v1_upstreams(ctx: &Ctx<'_>, values: &Values<'_>, n: &Names) -> Upstreams {
    let cfg = values.config;
    let spec_of = |service: &Option<crate::config::schema::ApiService>| {
        service
            .as_ref()
            .and_then(|s| s.service.clone())
            .unwrap_or_default()
    };
    let api = match values.chart {
        Chart::Agent => {
            let api = cfg
                .external_services
                .as_ref()
                .and_then(|e| e.api.clone())
                .unwrap_or_default();
            let port = service_port(api.port, 443);
            Upstream {
                host: api.host.unwrap_or_default(),
                port,
                target_port: port,
                use_resolver: api.use_resolver.unwrap_or(false),
            }
        }
        _ => {
            let spec = spec_of(&cfg.api);
            // `api.useResolver: true` in the 1.x charts' values.
            let use_resolver = values
                .raw
                .pointer("/api/useResolver")
                .and_then(Value::as_bool)
                .unwrap_or(true);
            Upstream {
                host: names::component(ctx.release, "api"),
                port: service_port(spec.port, 80),
                target_port: service_port(spec.target_port, SERVER_PORT),
                use_resolver,
            }
        }
    };
    let streams = spec_of(&cfg.streams);
    Upstreams {
        gateway: Upstream {
            use_resolver: false,
            ..own_gateway(ctx, values, n)
        },
        api,
        streams: Upstream {
            host: n.streams.clone(),
            port: service_port(streams.port, 80),
            target_port: service_port(streams.target_port, SERVER_PORT),
            use_resolver: false,
        },
    }
}

fn upstreams(ctx: &Ctx<'_>, values: &Values<'_>, n: &Names) -> Upstreams {
    if values.generation == Generation::V1 {
        return v1_upstreams(ctx, values, n);
    }
    let external = values.config.external_services.as_ref();
    Upstreams {
        gateway: routed(ctx, values, n, external.and_then(|e| e.gateway.as_ref())),
        api: routed(ctx, values, n, external.and_then(|e| e.api.as_ref())),
        // `externalServices.streams` is no config key: streams are the gateway.
        streams: own_gateway(ctx, values, n),
    }
}

/// The proxies ConfigMap of the release.
pub fn render_proxies(
    ctx: &mut Ctx<'_>,
    values: &Values<'_>,
    n: &Names,
) -> Result<(), RenderError> {
    let b = |v: bool| v.to_string();
    let routes = upstreams(ctx, values, n);
    let mut data = BTreeMap::from([("POLYAXON_HOST".to_string(), routes.gateway.url())]);
    for (prefix, up) in [
        ("GATEWAY", &routes.gateway),
        ("API", &routes.api),
        ("STREAMS", &routes.streams),
    ] {
        data.insert(format!("POLYAXON_PROXY_{prefix}_HOST"), up.host.clone());
        data.insert(format!("POLYAXON_PROXY_{prefix}_PORT"), up.port.to_string());
        data.insert(
            format!("POLYAXON_PROXY_{prefix}_TARGET_PORT"),
            up.target_port.to_string(),
        );
        // The 1.x charts say it for the API only.
        if values.generation == Generation::V2 || prefix == "API" {
            data.insert(
                format!("POLYAXON_PROXY_{prefix}_USE_RESOLVER"),
                b(up.use_resolver),
            );
        }
    }
    data.extend(gateway_concurrency(values));
    data.extend(auth(values));
    data.extend(dns(values));
    data.extend(ssl(values));
    data.extend(ui(values));
    data.extend(istio(values));
    data.extend(forward_proxy(values));
    ctx.push(super::Stage::Config, &config_map(ctx, &n.proxies, data))
}

type Keys = BTreeMap<String, String>;

/// `gateway.concurrency` (default 2) and `gateway.perCore` (default true):
/// written by the charts from 2.0.6, ignored before.
fn gateway_concurrency(values: &Values<'_>) -> Keys {
    let mut data = Keys::new();
    if !values.chart_version.at_least(2, 0, 6) {
        return data;
    }
    let gateway = values.gateway();
    if let Some(c) = Some(gateway.concurrency.unwrap_or(2)).filter(|c| *c != 0) {
        data.insert("POLYAXON_PROXY_GATEWAY_CONCURRENCY".into(), c.to_string());
    }
    if gateway.per_core.unwrap_or(true) {
        data.insert("POLYAXON_PROXY_GATEWAY_PER_CORE".into(), "true".into());
    }
    data
}

/// `auth`: enabled by default in the agent chart only (the platform's
/// values have `auth: {}`); its keys only when enabled.
fn auth(values: &Values<'_>) -> Keys {
    let auth = values.config.auth.clone().unwrap_or_default();
    let mut data = Keys::new();
    if !auth.enabled.unwrap_or(values.chart == Chart::Agent) {
        return data;
    }
    data.insert("POLYAXON_PROXY_AUTH_ENABLED".into(), "true".into());
    if let Some(external) = auth.external.filter(|e| !e.is_empty()) {
        data.insert("POLYAXON_PROXY_AUTH_EXTERNAL".into(), external);
    }
    if auth.use_resolver == Some(true) {
        data.insert("POLYAXON_PROXY_AUTH_USE_RESOLVER".into(), "true".into());
    }
    data
}

/// `dns`: from chart 2.1.0 every key is written with the chart's defaults
/// (`kube-dns`, `cluster.local`, an empty prefix, from which Polyaxon derives
/// `<backend>.kube-system`); before, only the keys the config sets.
fn dns(values: &Values<'_>) -> Keys {
    let dns = values.config.dns.clone().unwrap_or_default();
    let defaults = values.qualified_hosts();
    let mut data = Keys::from([("POLYAXON_DNS_USE_RESOLVER".to_string(), "true".to_string())]);
    for (key, given, default) in [
        ("POLYAXON_DNS_BACKEND", dns.backend, "kube-dns"),
        (
            "POLYAXON_DNS_CUSTOM_CLUSTER",
            dns.custom_cluster,
            "cluster.local",
        ),
        ("POLYAXON_DNS_PREFIX", dns.prefix, ""),
    ] {
        match given.filter(|v| !v.is_empty()) {
            Some(v) => {
                data.insert(key.into(), v);
            }
            None if defaults => {
                data.insert(key.into(), default.into());
            }
            None => {}
        }
    }
    data
}

/// SSL: on with a certificate (`ssl.enabled` and `secretName`) or with
/// Ingress TLS entries; the redirect only with a certificate; the path only
/// when `ssl.path` is given.
fn ssl(values: &Values<'_>) -> Keys {
    let certificate = ssl_enabled(values);
    let ingress_tls = values
        .config
        .ingress
        .as_ref()
        .and_then(|i| i.tls.as_ref())
        .is_some_and(|t| !t.is_empty());
    let mut data = Keys::from([
        (
            "POLYAXON_SSL_ENABLED".to_string(),
            (certificate || ingress_tls).to_string(),
        ),
        (
            "POLYAXON_SSL_REDIRECT_ENABLED".to_string(),
            certificate.to_string(),
        ),
    ]);
    if let Some(path) = values
        .config
        .ssl
        .as_ref()
        .and_then(|s| s.path.clone())
        .filter(|p| certificate && !p.is_empty())
    {
        data.insert("POLYAXON_SSL_PATH".into(), path);
    }
    data
}

/// `ui`: each key the config sets.
fn ui(values: &Values<'_>) -> Keys {
    let mut data = Keys::new();
    let Some(ui) = &values.config.ui else {
        return data;
    };
    let b = |v: bool| v.to_string();
    for (key, value) in [
        ("POLYAXON_UI_ENABLED", ui.enabled.map(b)),
        ("POLYAXON_UI_ADMIN_ENABLED", ui.admin_enabled.map(b)),
        ("POLYAXON_UI_OFFLINE", ui.offline.map(b)),
        ("POLYAXON_UI_ASSETS_VERSION", ui.assets_version.clone()),
        ("POLYAXON_UI_BASE_URL", ui.base_url.clone()),
        ("POLYAXON_STATIC_URL", ui.static_url.clone()),
        ("POLYAXON_UI_SINGLE_URL", ui.single_url.map(b)),
        (
            "POLYAXON_UI_DEFAULT_STREAMS_URL",
            ui.default_streams_url.clone(),
        ),
    ] {
        if let Some(value) = value {
            data.insert(key.into(), value);
        }
    }
    data
}

/// `istio`: its switch and each setting given.
fn istio(values: &Values<'_>) -> Keys {
    let mut data = Keys::new();
    let Some(istio) = &values.config.istio else {
        return data;
    };
    if istio.get("enabled").and_then(Value::as_bool) == Some(true) {
        data.insert("POLYAXON_ISTIO_ENABLED".into(), "true".into());
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
    data
}

/// `proxy`: the forward proxy, when enabled, and the standard proxy
/// variables (both spellings).
fn forward_proxy(values: &Values<'_>) -> Keys {
    let mut data = Keys::new();
    let Some(proxy) = values
        .config
        .proxy
        .as_ref()
        .filter(|p| p.enabled == Some(true))
    else {
        return data;
    };
    data.insert("POLYAXON_PROXY_HAS_FORWARD_PROXY".into(), "true".into());
    for (keys, value) in [
        (
            &["POLYAXON_PROXY_FORWARD_PROXY_PORT"][..],
            proxy.port.map(|p| p.to_string()),
        ),
        (&["POLYAXON_PROXY_FORWARD_PROXY_HOST"], proxy.host.clone()),
        (&["POLYAXON_PROXY_FORWARD_PROXY_KIND"], proxy.kind.clone()),
        (
            &["POLYAXON_PROXY_FORWARD_PROXY_PROTOCOL"],
            proxy.protocol.clone(),
        ),
        (&["HTTPS_PROXY", "https_proxy"], proxy.https_proxy.clone()),
        (&["HTTP_PROXY", "http_proxy"], proxy.http_proxy.clone()),
        (&["NO_PROXY", "no_proxy"], proxy.no_proxy.clone()),
    ] {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            for key in keys {
                data.insert((*key).into(), value.clone());
            }
        }
    }
    data
}
