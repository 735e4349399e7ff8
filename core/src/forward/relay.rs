//! One local connection: pick a pod, open its own port-forward stream over
//! the API server's WebSocket, and move bytes both ways until either side is
//! done.
//!
//! Half-closes: when the local client stops sending (FIN), the stream to the
//! pod is left open so the reply keeps flowing back; the WebSocket
//! port-forward protocol has no way to pass a half-close on to the pod, and
//! kube-rs ends both directions when its writer is shut down. When the pod
//! side ends, the local client gets a FIN and the connection closes.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures::FutureExt;
use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use kube::api::Portforwarder;
use kube::client::UpgradeConnectionError;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{Instant, sleep_until};

use super::events::{EventSender, ForwardEvent};
use super::pods::PodTarget;
use super::tracker::Tracker;

/// How many pods one connection tries before giving up.
const ATTEMPTS: usize = 3;
/// Copy buffer per direction.
const BUFFER: usize = 64 * 1024;
/// How long a finished stream gets to close its WebSocket politely.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// Serves one accepted local connection to its end, reporting on `events`.
pub async fn handle(
    local: TcpStream,
    peer: SocketAddr,
    pods: Api<Pod>,
    tracker: Tracker,
    pod_wait: Duration,
    linger: Duration,
    events: EventSender,
) {
    let _ = local.set_nodelay(true);
    let (target, mut forwarder) = match connect(&pods, &tracker, pod_wait).await {
        Ok(connected) => connected,
        Err(error) => {
            let _ = events.send(ForwardEvent::ConnectionFailed { peer, error });
            return;
        }
    };
    let (Some(remote), Some(error)) = (
        forwarder.take_stream(target.port),
        forwarder.take_error(target.port),
    ) else {
        // Portforwarder hands out exactly the ports it was asked for.
        let _ = events.send(ForwardEvent::ConnectionFailed {
            peer,
            error: format!("no stream for port {} of pod {}", target.port, target.name),
        });
        return;
    };
    let _ = events.send(ForwardEvent::ConnectionOpened {
        peer,
        pod: target.clone(),
    });
    let outcome = pipe(local, remote, error, linger).await;
    let _ = events.send(match outcome {
        Ok((sent, received)) => ForwardEvent::ConnectionClosed {
            peer,
            sent,
            received,
        },
        Err(error) => ForwardEvent::ConnectionFailed {
            peer,
            error: format!("{target}: {error}"),
        },
    });
    // Let the WebSocket close politely; a stuck close is left to the server.
    let _ = tokio::time::timeout(CLOSE_GRACE, forwarder.join()).await;
}

/// Opens a port-forward stream to a Ready pod, trying the next pod when one
/// refuses (it may have just gone away).
async fn connect(
    pods: &Api<Pod>,
    tracker: &Tracker,
    pod_wait: Duration,
) -> Result<(PodTarget, Portforwarder), String> {
    let mut last_error = String::new();
    for _ in 0..ATTEMPTS {
        let target = tracker.next_target(pod_wait).await.map_err(|problems| {
            let why = if problems.is_empty() {
                "no pod matches the service's selector".to_string()
            } else {
                problems
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            format!("no Ready pod within {}s: {why}", pod_wait.as_secs())
        })?;
        match pods.portforward(&target.name, &[target.port]).await {
            Ok(forwarder) => {
                tracker.report_ok(&target.name);
                return Ok((target, forwarder));
            }
            Err(kube::Error::UpgradeConnection(UpgradeConnectionError::ProtocolSwitch(status)))
                if status.as_u16() == 403 =>
            {
                return Err(format!(
                    "permission denied: the cluster refused create pods/portforward for pod {} (HTTP 403)",
                    target.name
                ));
            }
            Err(error) => {
                tracker.report_failed(&target.name);
                last_error = format!("{target}: {error}");
            }
        }
    }
    Err(last_error)
}

/// Moves bytes both ways; returns (bytes sent to the pod, bytes received).
/// After the local client stops sending, the pod's reply keeps flowing
/// until the pod ends the stream, a write to the client fails, or the pod has
/// been silent for `linger` (the client may be gone entirely: a close and a
/// half-close look the same from here).
async fn pipe<R, E>(
    local: TcpStream,
    remote: R,
    error: E,
    linger: Duration,
) -> Result<(u64, u64), String>
where
    R: AsyncRead + AsyncWrite + Unpin,
    E: Future<Output = Option<String>>,
{
    let (mut local_read, mut local_write) = local.into_split();
    let (mut remote_read, mut remote_write) = tokio::io::split(remote);
    // Shared by the two directions, which run in this one task.
    let sent = AtomicU64::new(0);
    let received = AtomicU64::new(0);
    let start = Instant::now();
    let last_from_pod_ms = AtomicU64::new(0);
    let last_from_pod = || start + Duration::from_millis(last_from_pod_ms.load(Ordering::Relaxed));
    let mut local_eof: Option<Instant> = None;
    let mut pod_error = None;
    let mut error_done = false;
    {
        // Local → pod. At local EOF it stops without shutting the pod
        // stream: see the module comment.
        let up = copy(&mut local_read, &mut remote_write, |n| {
            sent.fetch_add(n, Ordering::Relaxed);
        });
        // Pod → local. At pod EOF, pass the FIN on.
        let down = async {
            copy(&mut remote_read, &mut local_write, |n| {
                received.fetch_add(n, Ordering::Relaxed);
                let ms = u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX);
                last_from_pod_ms.store(ms, Ordering::Relaxed);
            })
            .await?;
            local_write.shutdown().await.map_err(|e| e.to_string())
        };
        let mut up = std::pin::pin!(up);
        let mut down = std::pin::pin!(down);
        let mut error = std::pin::pin!(error);
        loop {
            let quiet_since = local_eof.map(|eof| eof.max(last_from_pod()));
            let linger_end = quiet_since.map(|since| since + linger);
            tokio::select! {
                finished = &mut up, if local_eof.is_none() => match finished {
                    Ok(()) => local_eof = Some(Instant::now()),
                    Err(e) => return Err(format!("local connection broke: {e}")),
                },
                finished = &mut down => {
                    finished.map_err(|e| format!("stream from the pod broke: {e}"))?;
                    // An error message is sent before the stream ends.
                    if !error_done {
                        pod_error = error.as_mut().now_or_never().flatten();
                    }
                    break;
                }
                message = &mut error, if !error_done => {
                    error_done = true;
                    pod_error = message;
                }
                () = sleep_until(linger_end.unwrap_or_else(Instant::now)), if linger_end.is_some() => {
                    if linger_end.is_some_and(|end| Instant::now() >= end) {
                        break;
                    }
                }
            }
        }
    }
    match pod_error {
        Some(message) => Err(format!("the pod side reported: {message}")),
        None => Ok((sent.into_inner(), received.into_inner())),
    }
}

/// Copies until EOF, reporting each chunk written.
async fn copy<R, W>(from: &mut R, to: &mut W, mut written: impl FnMut(u64)) -> Result<(), String>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut buffer = vec![0u8; BUFFER];
    loop {
        let n = from.read(&mut buffer).await.map_err(|e| e.to_string())?;
        if n == 0 {
            return Ok(());
        }
        to.write_all(&buffer[..n])
            .await
            .map_err(|e| e.to_string())?;
        written(n as u64);
    }
}
