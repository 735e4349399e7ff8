//! The client's HTTP stack: kube-rs's own layers (base URI, authentication,
//! extra headers) over a TCP connector with Nagle's algorithm off, a
//! User-Agent naming this tool, and our retries around it all.
//!
//! Why not `ClientBuilder::try_from(config)`: its connector leaves Nagle's
//! algorithm on. Each new port-forward stream opens a TLS connection and a
//! WebSocket upgrade, and their small back-to-back writes then wait for the
//! API server's delayed ACK (up to 40 ms on Linux): a burst of new
//! connections paid that on each one, where kubectl's streams take a few
//! milliseconds. The User-Agent lets an API server's audit log (and the
//! benchmark that reads it) tell this tool's requests apart.
//!
//! Why our own retries (`transport/retry.rs`) instead of kube-rs's: its policy sends
//! every request again on 429, 503 and 504, creates included, waits as long
//! as a `Retry-After` asks, up to 15 times, and never retries a dropped
//! connection or an answer cut short. Ours repeats only what is safe to
//! repeat, within a budget of attempts and time (`policy.rs`).

pub mod policy;
mod retry;

pub use retry::RetryLayer;

use http::header::{HeaderValue, USER_AGENT};
use hyper_timeout::TimeoutConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use kube::Config;
use kube::client::{Body, ClientBuilder, ConfigExt, DynBody};
use tower::util::BoxService;
use tower::{BoxError, ServiceBuilder, ServiceExt as _};

/// The service stack a [`ClientBuilder`] gets from [`client_builder`].
pub type Stack = BoxService<http::Request<Body>, http::Response<Box<DynBody>>, BoxError>;

/// What the tool sends as its User-Agent: `polyaxon/<version>`.
pub fn user_agent() -> String {
    format!("polyaxon/{}", env!("CARGO_PKG_VERSION"))
}

/// A client builder for `config` whose connections send small writes at
/// once; the caller adds its layers and builds.
///
/// A kubeconfig with a proxy or an exec credential plugin keeps kube-rs's
/// own stack, which knows how to tunnel and when an exec certificate expires;
/// both get [`RetryLayer`] outermost, in place of kube-rs's retries.
pub fn client_builder(mut config: Config) -> Result<ClientBuilder<Stack>, kube::Error> {
    config.default_retry = false;
    let retries = RetryLayer::default();
    if !config.headers.iter().any(|(name, _)| name == USER_AGENT)
        && let Ok(agent) = HeaderValue::from_str(&user_agent())
    {
        config.headers.push((USER_AGENT, agent));
    }
    if config.proxy_url.is_some() || config.auth_info.exec.is_some() {
        return Ok(ClientBuilder::try_from(config)?.with_layer(&retries));
    }
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_nodelay(true);
    let https = config.rustls_https_connector_with_connector(http)?;
    let mut connector = TimeoutConnector::new(https);
    connector.set_connect_timeout(config.connect_timeout);
    connector.set_read_timeout(config.read_timeout);
    connector.set_write_timeout(config.write_timeout);
    let hyper_client: hyper_util::client::legacy::Client<_, Body> =
        hyper_util::client::legacy::Client::builder(TokioExecutor::new()).build(connector);
    let service = ServiceBuilder::new()
        .layer(config.base_uri_layer())
        .option_layer(config.auth_layer()?)
        .layer(config.extra_headers_layer()?)
        .map_err(BoxError::from)
        .service(hyper_client)
        .map_response(|response| {
            response.map(|body| {
                Box::new(http_body_util::BodyExt::map_err(body, BoxError::from)) as Box<DynBody>
            })
        })
        .boxed();
    Ok(ClientBuilder::new(service, config.default_namespace).with_layer(&retries))
}
