//! How connections reach the pod, decided once when the forward starts.
//!
//! The first WebSocket offers two subprotocols, SPDY tunnelling first
//! ([`spdy::PROTOCOL`], kubectl's since 1.30) and one WebSocket per
//! connection second ([`stream::PROTOCOL`], `v4.channel.k8s.io`). An API
//! server that tunnels SPDY (1.31+, or 1.30 with PortForwardWebsockets on)
//! takes the first; an older one passes the request on to the kubelet,
//! which takes the second; offering both in one request costs no extra
//! round trip, and keeps an old kubelet's refusal of SPDY alone (a 403)
//! from looking like a refusal by RBAC. A proxy in between that answers the
//! offer with 400 or 5xx is asked again with v4 alone.
//!
//! With SPDY, [`Sessions`] keeps one session per pod: each new connection is
//! a stream pair on the current pod's session, which is (re)opened when the
//! pod changes or the session ends.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use kube::Client;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use super::pods::{PodTarget, Selection};
use super::spdy::{self, FrameError, Session, SessionError, SpdyStream};
use super::stream::{self, ChannelStream};
use super::tracker::Tracker;
use super::websocket;

/// How connections reach the pod.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// SPDY/3.1 tunnelled over one WebSocket per pod, a stream pair per
    /// connection (as kubectl 1.30+).
    SpdyOverWebSocket,
    /// A WebSocket per connection (`v4.channel.k8s.io`): the API server does
    /// not tunnel SPDY.
    WebSocketPerConnection,
}

impl std::fmt::Display for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Transport::SpdyOverWebSocket => write!(
                f,
                "SPDY/3.1 over one WebSocket to the pod ({}), a stream pair per connection",
                spdy::PROTOCOL
            ),
            Transport::WebSocketPerConnection => write!(
                f,
                "a WebSocket per connection ({}): the API server does not tunnel SPDY",
                stream::PROTOCOL
            ),
        }
    }
}

/// Which way a connection was forwarded, for the CLI to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// A stream pair on a SPDY session.
    Session {
        /// The session's number in this forward (1 for the first).
        session: u64,
        /// The data stream's id on it.
        stream: u32,
    },
    /// Its own WebSocket.
    OwnWebSocket,
}

impl std::fmt::Display for Via {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Via::Session { session, stream } => {
                write!(f, "SPDY session {session}, stream {stream}")
            }
            Via::OwnWebSocket => write!(f, "its own WebSocket"),
        }
    }
}

/// Why a connection could not get a stream to the pod.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The WebSocket could not be opened.
    #[error("{}", crate::api_error::explain(.0))]
    Upgrade(kube::Error),
    /// The server took a subprotocol other than the one the forward uses.
    #[error("the API server answered the port-forward with subprotocol {}, not {expected}", .got.as_deref().unwrap_or("(none)"))]
    Protocol {
        /// The one asked for.
        expected: &'static str,
        /// The one taken.
        got: Option<String>,
    },
    /// The session cannot take the stream.
    #[error(transparent)]
    Session(#[from] SessionError),
    /// The session could not start.
    #[error(transparent)]
    Frame(#[from] FrameError),
}

impl ConnectError {
    /// Did the cluster refuse the user (RBAC)?
    pub fn is_forbidden(&self) -> bool {
        matches!(self, ConnectError::Upgrade(error) if is_forbidden(error))
    }
}

/// The HTTP status the API server answered an upgrade with, whether kube
/// reports it as an API error or as a refused protocol switch.
fn upgrade_status(error: &kube::Error) -> Option<u16> {
    match error {
        kube::Error::Api(status) => Some(status.code),
        kube::Error::UpgradeConnection(kube::client::UpgradeConnectionError::ProtocolSwitch(
            status,
        )) => Some(status.as_u16()),
        _ => None,
    }
}

/// Did the cluster refuse the user (RBAC) to open a stream?
pub fn is_forbidden(error: &kube::Error) -> bool {
    upgrade_status(error) == Some(403)
}

/// What the first WebSocket turned out to be.
pub enum First {
    /// A SPDY session to the pod.
    Session(Session),
    /// One connection's stream.
    Stream(ChannelStream),
}

/// The transport a subprotocol answer means (`None`: not one of ours).
pub fn transport_of(protocol: Option<&str>) -> Option<Transport> {
    match protocol {
        Some(p) if p.eq_ignore_ascii_case(spdy::PROTOCOL) => Some(Transport::SpdyOverWebSocket),
        Some(p) if p.eq_ignore_ascii_case(stream::PROTOCOL) => {
            Some(Transport::WebSocketPerConnection)
        }
        _ => None,
    }
}

/// Is this answer to the offer of SPDY a refusal of the offer (worth asking
/// again for v4 alone), rather than a refusal of the user or a missing pod?
pub fn refuses_the_offer(error: &kube::Error) -> bool {
    upgrade_status(error).is_some_and(|code| code == 400 || (500..=502).contains(&code))
}

/// Opens the first WebSocket to `target`, offering SPDY then v4, and says
/// which transport the forward uses from then on.
pub async fn negotiate(
    client: &Client,
    namespace: &str,
    target: &PodTarget,
) -> Result<(Transport, First), ConnectError> {
    let offer = [spdy::PROTOCOL, stream::PROTOCOL];
    let opened = websocket::open(
        client,
        namespace,
        &target.name,
        target.port,
        &offer,
        session_config(),
    )
    .await;
    let (socket, protocol) = match opened {
        Ok(opened) => opened,
        Err(error) if refuses_the_offer(&error) => {
            let (socket, _) = websocket::open(
                client,
                namespace,
                &target.name,
                target.port,
                &[stream::PROTOCOL],
                stream::socket_config(),
            )
            .await
            .map_err(ConnectError::Upgrade)?;
            let stream = ChannelStream::new(Box::pin(socket));
            return Ok((Transport::WebSocketPerConnection, First::Stream(stream)));
        }
        Err(error) => return Err(ConnectError::Upgrade(error)),
    };
    match transport_of(protocol.as_deref()) {
        Some(Transport::SpdyOverWebSocket) => Ok((
            Transport::SpdyOverWebSocket,
            First::Session(Session::start(socket)?),
        )),
        Some(Transport::WebSocketPerConnection) => Ok((
            Transport::WebSocketPerConnection,
            First::Stream(ChannelStream::new(Box::pin(socket))),
        )),
        None => Err(ConnectError::Protocol {
            expected: spdy::PROTOCOL,
            got: protocol,
        }),
    }
}

/// A session's WebSocket: one per pod, so tungstenite's default buffers.
fn session_config() -> WebSocketConfig {
    WebSocketConfig::default()
}

/// The SPDY sessions of a forward: one to the current pod at a time.
pub struct Sessions {
    client: Client,
    namespace: String,
    current: tokio::sync::Mutex<Option<Current>>,
    opened: AtomicU64,
}

struct Current {
    target: PodTarget,
    session: Session,
    number: u64,
}

impl Current {
    /// A stream pair to `port` on this session, and how the CLI names it.
    fn stream(&self, port: u16) -> Result<(SpdyStream, Via), SessionError> {
        let stream = self.session.open(port)?;
        let via = Via::Session {
            session: self.number,
            stream: stream.id(),
        };
        Ok((stream, via))
    }
}

impl Sessions {
    /// The sessions of a forward, starting with the negotiated one.
    pub fn new(client: Client, namespace: &str, first: PodTarget, session: Session) -> Arc<Self> {
        Arc::new(Self {
            client,
            namespace: namespace.to_string(),
            current: tokio::sync::Mutex::new(Some(Current {
                target: first,
                session,
                number: 1,
            })),
            opened: AtomicU64::new(1),
        })
    }

    /// A stream pair to `target` on its session, opening the session first
    /// when there is none to that pod or it ended (connections meanwhile
    /// wait for that one session).
    pub async fn open(&self, target: &PodTarget) -> Result<(SpdyStream, Via), ConnectError> {
        let mut current = self.current.lock().await;
        if let Some(open) = current.as_ref().filter(|c| c.target == *target) {
            match open.stream(target.port) {
                Ok(opened) => return Ok(opened),
                // Ended or going away: a new session below.
                Err(_) => *current = None,
            }
        }
        let fresh = self.numbered(target.clone(), self.start(target).await?);
        let opened = fresh.stream(target.port)?;
        *current = Some(fresh);
        Ok(opened)
    }

    /// A session just opened, with the next number of this forward.
    fn numbered(&self, target: PodTarget, session: Session) -> Current {
        Current {
            target,
            session,
            number: self.opened.fetch_add(1, Ordering::Relaxed) + 1,
        }
    }

    /// Opens a session to the tracker's pod whenever it changes, so that the
    /// first connection to a new pod does not wait for one. Runs until
    /// aborted.
    pub async fn follow(self: Arc<Self>, tracker: Tracker) {
        let mut selection = tracker.subscribe();
        loop {
            let target = match &*selection.borrow_and_update() {
                Selection::Ready(target) => Some(target.clone()),
                Selection::NoneReady(_) => None,
            };
            if let Some(target) = target {
                let mut current = self.current.lock().await;
                let fresh = current
                    .as_ref()
                    .is_some_and(|c| c.target == target && c.session.is_open());
                if !fresh && let Ok(session) = self.start(&target).await {
                    *current = Some(self.numbered(target, session));
                }
            }
            if selection.changed().await.is_err() {
                return;
            }
        }
    }

    async fn start(&self, target: &PodTarget) -> Result<Session, ConnectError> {
        let (socket, protocol) = websocket::open(
            &self.client,
            &self.namespace,
            &target.name,
            target.port,
            &[spdy::PROTOCOL],
            session_config(),
        )
        .await
        .map_err(ConnectError::Upgrade)?;
        if transport_of(protocol.as_deref()) != Some(Transport::SpdyOverWebSocket) {
            return Err(ConnectError::Protocol {
                expected: spdy::PROTOCOL,
                got: protocol,
            });
        }
        Ok(Session::start(socket)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_servers_answer_decides_the_transport() {
        assert_eq!(
            transport_of(Some("SPDY/3.1+portforward.k8s.io")),
            Some(Transport::SpdyOverWebSocket)
        );
        assert_eq!(
            transport_of(Some("v4.channel.k8s.io")),
            Some(Transport::WebSocketPerConnection)
        );
        assert_eq!(transport_of(Some("v5.channel.k8s.io")), None);
        assert_eq!(transport_of(None), None);
    }

    fn refusal(code: u16) -> kube::Error {
        kube::Error::Api(
            kube::core::Status::failure("refused", "Refused")
                .with_code(code)
                .boxed(),
        )
    }

    #[test]
    fn a_proxy_refusing_the_offer_is_asked_again_but_rbac_and_missing_pods_are_not() {
        assert!(refuses_the_offer(&refusal(400)));
        assert!(refuses_the_offer(&refusal(500)));
        assert!(!refuses_the_offer(&refusal(401)));
        assert!(!refuses_the_offer(&refusal(403)));
        assert!(!refuses_the_offer(&refusal(404)));
        assert!(ConnectError::Upgrade(refusal(403)).is_forbidden());
        assert!(!ConnectError::Upgrade(refusal(400)).is_forbidden());
    }
}
