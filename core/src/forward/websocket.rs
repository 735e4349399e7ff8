//! Opens a WebSocket to a pod's `pods/portforward` subresource as kube-rs's
//! `Client::connect` does, but offering the subprotocols we choose and with
//! buffers sized for what goes over it; says which subprotocol the server
//! took.
//!
//! Why not `Client::connect` itself: it opens the WebSocket with
//! tungstenite's default buffers (256 KiB), which a WebSocket per connection
//! cannot afford; and it does not tell the negotiated subprotocol.

use futures::{Sink, Stream};
use http::header::{
    CONNECTION, HeaderValue, SEC_WEBSOCKET_ACCEPT, SEC_WEBSOCKET_KEY, SEC_WEBSOCKET_PROTOCOL,
    SEC_WEBSOCKET_VERSION, UPGRADE,
};
use http_body_util::BodyExt;
use hyper_util::rt::TokioIo;
use k8s_openapi::api::core::v1::Pod;
use kube::client::UpgradeConnectionError;
use kube::core::Request;
use kube::{Client, Resource};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::client::generate_key;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

/// A WebSocket to the API server, whatever transport kube-rs gives it (the
/// tests give an in-memory one): what both transports speak over.
pub trait Socket:
    Stream<Item = Result<Message, WsError>> + Sink<Message, Error = WsError> + Send + Unpin + 'static
{
}

impl<T> Socket for T where
    T: Stream<Item = Result<Message, WsError>>
        + Sink<Message, Error = WsError>
        + Send
        + Unpin
        + 'static
{
}

/// An open WebSocket to the API server.
pub type Upgraded = WebSocketStream<TokioIo<hyper::upgrade::Upgraded>>;

/// Opens the WebSocket to `port` of the pod, offering `protocols` in order
/// of preference; returns it and the subprotocol the server took (`None`:
/// it named none).
pub async fn open(
    client: &Client,
    namespace: &str,
    pod: &str,
    port: u16,
    protocols: &[&str],
    config: WebSocketConfig,
) -> Result<(Upgraded, Option<String>), kube::Error> {
    // `ports` serves the v4 protocol; the SPDY streams name their port.
    let request = Request::new(Pod::url_path(&(), Some(namespace)))
        .portforward(pod, &[port])
        .map_err(kube::Error::BuildRequest)?;
    let (mut parts, body) = request.into_parts();
    let key = generate_key();
    let headers = &mut parts.headers;
    headers.insert(CONNECTION, HeaderValue::from_static("Upgrade"));
    headers.insert(UPGRADE, HeaderValue::from_static("websocket"));
    headers.insert(SEC_WEBSOCKET_VERSION, HeaderValue::from_static("13"));
    headers.insert(
        SEC_WEBSOCKET_KEY,
        HeaderValue::from_str(&key).map_err(|e| kube::Error::HttpError(e.into()))?,
    );
    headers.insert(
        SEC_WEBSOCKET_PROTOCOL,
        HeaderValue::from_str(&protocols.join(", "))
            .map_err(|e| kube::Error::HttpError(e.into()))?,
    );
    let response = client
        .send(http::Request::from_parts(
            parts,
            kube::client::Body::from(body),
        ))
        .await?;
    let status = response.status();
    if status.is_client_error() || status.is_server_error() {
        // The API server explains a refusal in a Status, as for any request.
        let text = response
            .into_body()
            .collect()
            .await
            .map(|b| String::from_utf8_lossy(&b.to_bytes()).into_owned())
            .unwrap_or_default();
        let refusal = serde_json::from_str::<kube::core::Status>(&text).unwrap_or_else(|_| {
            kube::core::Status::failure(text.trim(), "Failed to parse error data")
                .with_code(status.as_u16())
        });
        return Err(kube::Error::Api(refusal.boxed()));
    }
    if status != http::StatusCode::SWITCHING_PROTOCOLS {
        return Err(kube::Error::UpgradeConnection(
            UpgradeConnectionError::ProtocolSwitch(status),
        ));
    }
    let accepted = response
        .headers()
        .get(SEC_WEBSOCKET_ACCEPT)
        .is_some_and(|v| v.as_bytes() == derive_accept_key(key.as_bytes()).as_bytes());
    if !accepted {
        return Err(kube::Error::UpgradeConnection(
            UpgradeConnectionError::SecWebSocketAcceptKeyMismatch,
        ));
    }
    let protocol = response
        .headers()
        .get(SEC_WEBSOCKET_PROTOCOL)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_string());
    let upgraded = hyper::upgrade::on(response).await.map_err(|e| {
        kube::Error::UpgradeConnection(UpgradeConnectionError::GetPendingUpgrade(e))
    })?;
    let socket =
        WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Client, Some(config)).await;
    Ok((socket, protocol))
}
