//! Port-forward from a local listener to the release's gateway, natively:
//! release + namespace → the Service `<release>-polyaxon-<service>` → its
//! port 80's target port → a Ready pod behind its selector → one WebSocket
//! to its `pods/portforward` subresource carrying a SPDY session, and a
//! stream pair on it per accepted local connection (see [`transport`] and
//! [`spdy`]); or, where the API server does not tunnel SPDY, a WebSocket per
//! connection (see [`stream`]) with a few opened ahead so that a new
//! connection does not wait for one.
//!
//! Unlike `kubectl port-forward`, the forward outlives its pod: the pods are
//! watched, and when the chosen one goes away new connections go to the next
//! Ready pod ([`ForwardEvent::PodSwitched`]), or wait for one.
//!
//! [`Forward::prepare`] does everything that can fail up front (Service,
//! permission, a Ready pod, the local port), so that the caller can report a
//! clear error before touching the user's client config;
//! [`Forward::serve`] then runs until the shutdown future resolves.

mod access;
pub mod client_config;
mod error;
mod events;
mod gateway;
mod listen;
mod pod_stream;
mod pods;
mod relay;
mod spares;
mod spdy;
mod stream;
mod tracker;
mod transport;
mod websocket;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use futures::future::select_all;
use k8s_openapi::api::core::v1::Pod;
use kube::api::ListParams;
use kube::{Api, Client};
use tokio::net::TcpListener;
use tokio::task::JoinSet;

use crate::config::schema::DeploymentType;

pub use error::{Access, ForwardError, GatewayService};
pub use events::{EventSender, ForwardEvent, PodLeft};
pub use gateway::{Gateway, TargetPort, service_name};
pub use pods::{PodProblem, PodTarget};
pub use transport::{ConnectError, Transport, Via};

use pods::{Selection, choose};
use spares::Spares;
use tracker::Tracker;
use transport::{First, Sessions};

/// The Python CLI's default local port.
pub const DEFAULT_LOCAL_PORT: u16 = 8000;
/// The Python CLI's local port for minikube and microk8s deployments.
pub const NODE_PORT_LOCAL_PORT: u16 = 31833;
/// The gateway Service port the Python CLI forwards to.
pub const GATEWAY_SERVICE_PORT: u16 = 80;

/// The local port when none is given, as the Python CLI picks it:
/// [`NODE_PORT_LOCAL_PORT`] where the gateway is a NodePort service
/// (minikube, microk8s), else [`DEFAULT_LOCAL_PORT`].
pub fn default_local_port(deployment_type: Option<DeploymentType>) -> u16 {
    match deployment_type {
        Some(DeploymentType::Minikube | DeploymentType::Microk8s) => NODE_PORT_LOCAL_PORT,
        _ => DEFAULT_LOCAL_PORT,
    }
}

/// What to forward where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForwardOptions {
    /// The release (`polyaxon` by default).
    pub release: String,
    /// The namespace of the release (`polyaxon` by default).
    pub namespace: String,
    /// The service, resolved as `<release>-polyaxon-<service>` (`gateway`).
    pub service: String,
    /// The Service port to forward to (80).
    pub service_port: u16,
    /// The local address to listen on (`127.0.0.1`; `localhost` adds ::1).
    pub address: String,
    /// The local port (8000).
    pub local_port: u16,
    /// How long a new connection waits for a Ready pod when there is none.
    pub pod_wait: Duration,
    /// How long a connection whose local client stopped sending stays open
    /// while the pod sends nothing (a half-close cannot be passed on to the
    /// pod, and a closed client looks the same as a half-closed one).
    pub linger: Duration,
    /// How many streams to keep open ahead of new connections (0: none),
    /// when each connection has its own WebSocket.
    pub spare_streams: usize,
    /// How long a spare stream is kept before it is replaced.
    pub spare_max_age: Duration,
}

impl ForwardOptions {
    /// The Python CLI's defaults for a release in a namespace.
    pub fn new(release: impl Into<String>, namespace: impl Into<String>) -> Self {
        Self {
            release: release.into(),
            namespace: namespace.into(),
            service: "gateway".to_string(),
            service_port: GATEWAY_SERVICE_PORT,
            address: "127.0.0.1".to_string(),
            local_port: DEFAULT_LOCAL_PORT,
            pod_wait: Duration::from_secs(60),
            linger: Duration::from_secs(5),
            // A browser opens up to 6 connections to one host at once.
            spare_streams: 6,
            spare_max_age: Duration::from_secs(15),
        }
    }
}

/// A forward ready to serve: the Service is resolved, a pod is Ready, the
/// user may port-forward, and the local port is listened on.
pub struct Forward {
    client: Client,
    gateway: Gateway,
    pods: Vec<Pod>,
    first: PodTarget,
    listeners: Vec<TcpListener>,
    pod_wait: Duration,
    linger: Duration,
    transport: Transport,
    sessions: Option<Arc<Sessions>>,
    spares: Arc<Spares>,
}

impl std::fmt::Debug for Forward {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Forward")
            .field("gateway", &self.gateway)
            .field("first", &self.first)
            .field("transport", &self.transport)
            .field("local", &self.local_addresses())
            .finish()
    }
}

impl Forward {
    /// Resolves the Service, checks the permission to port-forward, finds a
    /// Ready pod, listens on the local port, and opens the first streams.
    pub async fn prepare(client: &Client, options: &ForwardOptions) -> Result<Self, ForwardError> {
        match Self::try_prepare(client, options).await {
            // Say who was refused: RBAC grants are per user.
            Err(ForwardError::Forbidden {
                access: refused,
                user: None,
                message,
            }) => Err(ForwardError::Forbidden {
                access: refused,
                user: crate::access::whoami(client).await,
                message,
            }),
            other => other,
        }
    }

    async fn try_prepare(client: &Client, options: &ForwardOptions) -> Result<Self, ForwardError> {
        let gateway = gateway::resolve(
            client,
            &options.namespace,
            &options.release,
            &options.service,
            options.service_port,
        )
        .await?;
        access::check_portforward(client, &options.namespace).await?;
        let api: Api<Pod> = Api::namespaced(client.clone(), &options.namespace);
        let pods = api
            .list(&ListParams::default().labels(&gateway.selector))
            .await
            .map_err(|e| error::api_error(e, Access::new("list", "pods", &options.namespace)))?
            .items;
        let first = match choose(
            &pods.iter().collect::<Vec<_>>(),
            &gateway.target_port,
            None,
            &[],
        ) {
            Selection::Ready(target) => target,
            Selection::NoneReady(problems) => {
                return Err(ForwardError::NoReadyPod {
                    service: gateway.service.clone(),
                    namespace: gateway.namespace.clone(),
                    selector: gateway.selector.clone(),
                    problems,
                });
            }
        };
        let listeners = listen::bind(&options.address, options.local_port).await?;
        // The first WebSocket settles the transport; a refusal to forward
        // shows here rather than on every connection.
        let portforward = Access::new("create", "pods/portforward", &options.namespace);
        let (transport, opened) = transport::negotiate(client, &options.namespace, &first)
            .await
            .map_err(|error| {
                if error.is_forbidden() {
                    ForwardError::Forbidden {
                        access: portforward.clone(),
                        user: None,
                        message: String::new(),
                    }
                } else {
                    ForwardError::PortForward {
                        access: portforward.clone(),
                        pod: first.name.clone(),
                        source: Box::new(error),
                    }
                }
            })?;
        let (sessions, spares) = match opened {
            First::Session(session) => (
                Some(Sessions::new(
                    client.clone(),
                    &options.namespace,
                    first.clone(),
                    session,
                )),
                Spares::new(client.clone(), &options.namespace, 0, options.spare_max_age),
            ),
            First::Stream(stream) => {
                let spares = Spares::new(
                    client.clone(),
                    &options.namespace,
                    options.spare_streams,
                    options.spare_max_age,
                );
                spares.put(&first, stream);
                // The first connections should not wait for a stream either.
                for failure in spares.fill(&first).await {
                    if transport::is_forbidden(&failure) {
                        return Err(ForwardError::Forbidden {
                            access: portforward,
                            user: None,
                            message: String::new(),
                        });
                    }
                }
                (None, spares)
            }
        };
        Ok(Self {
            client: client.clone(),
            gateway,
            pods,
            first,
            listeners,
            pod_wait: options.pod_wait,
            linger: options.linger,
            transport,
            sessions,
            spares,
        })
    }

    /// How connections reach the pod, as the API server's answer decided.
    pub fn transport(&self) -> Transport {
        self.transport
    }

    /// The resolved Service.
    pub fn gateway(&self) -> &Gateway {
        &self.gateway
    }

    /// The pod that takes the first connections.
    pub fn pod(&self) -> &PodTarget {
        &self.first
    }

    /// The local addresses listened on.
    pub fn local_addresses(&self) -> Vec<SocketAddr> {
        self.listeners
            .iter()
            .filter_map(|l| l.local_addr().ok())
            .collect()
    }

    /// Forwards every accepted connection, each over its own stream, until
    /// `shutdown` resolves; then stops listening and closes the connections
    /// still open.
    pub async fn serve(self, events: EventSender, shutdown: impl Future<Output = ()>) {
        let api: Api<Pod> = Api::namespaced(self.client.clone(), &self.gateway.namespace);
        let (tracker, watching) = Tracker::start(
            api,
            &self.gateway.selector,
            self.gateway.target_port.clone(),
            self.pods,
            self.first,
            events.clone(),
        );
        let spares = self.spares;
        let filling = match &self.sessions {
            Some(sessions) => tokio::spawn(sessions.clone().follow(tracker.clone())),
            None => tokio::spawn(spares.clone().keep_filled(tracker.clone())),
        };
        let shared = relay::Shared {
            client: self.client,
            namespace: self.gateway.namespace,
            tracker,
            sessions: self.sessions,
            spares,
            pod_wait: self.pod_wait,
            linger: self.linger,
            events: events.clone(),
        };
        let mut connections = JoinSet::new();
        let mut shutdown = std::pin::pin!(shutdown);
        loop {
            let accept = select_all(self.listeners.iter().map(|l| Box::pin(l.accept())));
            tokio::select! {
                () = &mut shutdown => break,
                (accepted, _, _) = accept => match accepted {
                    Ok((stream, peer)) => {
                        connections.spawn(relay::handle(stream, peer, shared.clone()));
                    }
                    Err(error) => {
                        let _ = events.send(ForwardEvent::AcceptFailed { error: error.to_string() });
                        // Out of file descriptors and the like: let connections finish.
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                },
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
            }
        }
        drop(self.listeners);
        filling.abort();
        watching.abort();
        let _ = filling.await;
        let _ = watching.await;
        connections.shutdown().await;
    }
}
