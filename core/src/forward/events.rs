//! What happens while the forward runs, for the CLI to show.

use std::net::SocketAddr;

use super::pods::{PodProblem, PodTarget};
use super::transport::Via;

/// Where events go; a dropped receiver only means nobody is listening.
pub type EventSender = tokio::sync::mpsc::UnboundedSender<ForwardEvent>;

/// A pod that stopped taking new connections, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodLeft {
    /// The pod's name.
    pub pod: String,
    /// Why it left, e.g. `was deleted`, `is being deleted`, `is not Ready: …`.
    pub why: String,
}

/// Something the user may want to know while the forward runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForwardEvent {
    /// New connections now go to another pod.
    PodSwitched {
        /// The pod that left (none when no pod was Ready before).
        from: Option<PodLeft>,
        /// The pod that takes new connections.
        to: PodTarget,
    },
    /// The pod left and no other is Ready; new connections wait for one.
    PodLost {
        /// The pod that left.
        left: PodLeft,
        /// Why the other pods are not Ready (empty: there are none).
        problems: Vec<PodProblem>,
    },
    /// A local connection was accepted and forwarded to a pod.
    ConnectionOpened {
        /// The local client.
        peer: SocketAddr,
        /// The pod serving it.
        pod: PodTarget,
        /// Which way it goes there.
        via: Via,
    },
    /// A forwarded connection ended normally.
    ConnectionClosed {
        /// The local client.
        peer: SocketAddr,
        /// Bytes sent to the pod.
        sent: u64,
        /// Bytes received from the pod.
        received: u64,
    },
    /// The local client went away abruptly (e.g. reset); normal for browsers.
    ConnectionAborted {
        /// The local client.
        peer: SocketAddr,
        /// What the system said.
        reason: String,
    },
    /// A local connection could not be forwarded, or the pod side broke.
    ConnectionFailed {
        /// The local client.
        peer: SocketAddr,
        /// What went wrong.
        error: String,
    },
    /// Accepting a local connection failed (e.g. too many open files).
    AcceptFailed {
        /// What the system said.
        error: String,
    },
    /// Watching the pods failed; it is retried with backoff.
    WatchFailed {
        /// What went wrong.
        message: String,
    },
    /// Watching the pods works again after a failure.
    WatchRecovered,
}
