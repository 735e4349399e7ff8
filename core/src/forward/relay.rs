//! One local connection: pick a pod, take a port-forward stream to it (a
//! stream pair on the pod's SPDY session; or, with a WebSocket per
//! connection, a spare opened ahead, else a new one), and move bytes both
//! ways until either side is done.
//!
//! Half-closes: when the local client stops sending (FIN), a SPDY data
//! stream gets a FIN too, as kubectl sends (the kubelet then stops reading
//! it, though it does not pass the half-close on to the pod's socket); a
//! WebSocket stream is left open, as the v4 protocol has no way to pass a
//! half-close on (shutting the stream down ends both directions). Either
//! way the reply keeps flowing back. When the
//! pod side ends, the local client gets a FIN and the connection closes. As
//! a closed client and a half-closed one look the same from here, and some
//! kubelets (kwok among them) never end the stream until the client side
//! does, a connection whose client stopped sending is also closed once the
//! pod has been silent for the `linger` time ([`super::ForwardOptions`]).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures::FutureExt;
use kube::Client;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{Instant, sleep_until};

use super::events::{EventSender, ForwardEvent};
use super::pod_stream::PodStream;
use super::pods::{PodProblem, PodTarget};
use super::spares::Spares;
use super::stream::ChannelStream;
use super::tracker::Tracker;
use super::transport::{Sessions, Via, is_forbidden};

/// How many pods one connection tries before giving up.
const ATTEMPTS: usize = 3;
/// Copy buffer from the local client to the pod: one read is one WebSocket
/// message, and fewer, larger messages cost the API server less per byte.
const UP_BUFFER: usize = 64 * 1024;
/// Copy buffer from the pod to the local client: it only moves bytes
/// already received into a local socket, so it can be smaller (with 200
/// connections open, every KiB here is 200 KiB of memory).
const DOWN_BUFFER: usize = 16 * 1024;
/// How long a finished stream gets to close its WebSocket politely.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// What every connection shares.
#[derive(Clone)]
pub struct Shared {
    /// The cluster.
    pub client: Client,
    /// The namespace of the pods.
    pub namespace: String,
    /// The pod choice.
    pub tracker: Tracker,
    /// The SPDY sessions, when the API server tunnels SPDY.
    pub sessions: Option<Arc<Sessions>>,
    /// Streams opened ahead, when each connection has its own WebSocket.
    pub spares: Arc<Spares>,
    /// How long to wait for a Ready pod.
    pub pod_wait: Duration,
    /// How long to keep a connection whose client stopped sending while the pod is silent.
    pub linger: Duration,
    /// Where events go.
    pub events: EventSender,
}

/// Serves one accepted local connection to its end, reporting on `events`.
pub async fn handle(local: TcpStream, peer: SocketAddr, shared: Shared) {
    let _ = local.set_nodelay(true);
    let events = &shared.events;
    let (target, mut stream, via) = match connect(&shared).await {
        Ok(connected) => connected,
        Err(error) => {
            let _ = events.send(ForwardEvent::ConnectionFailed { peer, error });
            return;
        }
    };
    let _ = events.send(ForwardEvent::ConnectionOpened {
        peer,
        pod: target.clone(),
        via,
    });
    let error = stream.error();
    let half_close = matches!(stream, PodStream::Spdy(_));
    let piped = pipe(local, &mut stream, error, shared.linger, half_close).await;
    let event = match piped.end {
        End::Done => ForwardEvent::ConnectionClosed {
            peer,
            sent: piped.sent,
            received: piped.received,
        },
        End::LocalBroke(reason) => ForwardEvent::ConnectionAborted { peer, reason },
        End::PodBroke(error) => {
            if piped.received == 0 {
                // Ready but not answering: prefer another pod for the next connection.
                shared.tracker.report_failed(&target.name);
            }
            ForwardEvent::ConnectionFailed {
                peer,
                error: format!("{target}: {error}"),
            }
        }
    };
    let _ = events.send(event);
    // Let the WebSocket close politely; a stuck close is left to the server.
    stream.close(CLOSE_GRACE).await;
}

/// A stream to a Ready pod, trying the next pod when one refuses (it may
/// have just gone away).
async fn connect(shared: &Shared) -> Result<(PodTarget, PodStream, Via), String> {
    let mut last_error = String::new();
    for _ in 0..ATTEMPTS {
        let target = shared
            .tracker
            .next_target(shared.pod_wait)
            .await
            .map_err(|problems| {
                let why = PodProblem::list(&problems, || {
                    "no pod matches the service's selector".to_string()
                });
                format!("no Ready pod within {}s: {why}", shared.pod_wait.as_secs())
            })?;
        let Some(sessions) = &shared.sessions else {
            match own_websocket(shared, &target).await {
                Ok(stream) => return Ok((target, PodStream::Channel(stream), Via::OwnWebSocket)),
                Err(Refused::Forbidden(message)) => return Err(message),
                Err(Refused::Failed(message)) => {
                    last_error = message;
                    continue;
                }
            }
        };
        match sessions.open(&target).await {
            Ok((stream, via)) => {
                shared.tracker.report_ok(&target.name);
                return Ok((target, PodStream::Spdy(stream), via));
            }
            Err(error) if error.is_forbidden() => return Err(forbidden(&target)),
            Err(error) => {
                shared.tracker.report_failed(&target.name);
                last_error = format!("{target}: {error}");
            }
        }
    }
    Err(last_error)
}

/// Why a pod gave no stream.
enum Refused {
    /// The user may not port-forward: no use trying another pod.
    Forbidden(String),
    /// This pod failed; another may not.
    Failed(String),
}

fn forbidden(target: &PodTarget) -> String {
    format!(
        "permission denied: the cluster refused create pods/portforward for pod {} (HTTP 403)",
        target.name
    )
}

/// A WebSocket of the connection's own: a spare if one is in stock, else
/// whichever comes first of a spare being opened and a new one.
async fn own_websocket(shared: &Shared, target: &PodTarget) -> Result<ChannelStream, Refused> {
    if let Some(spare) = shared.spares.take(target) {
        return Ok(spare);
    }
    let own = ChannelStream::open(&shared.client, &shared.namespace, &target.name, target.port);
    let opened = tokio::select! {
        spare = shared.spares.next_arrival(target) => return Ok(spare),
        opened = own => opened,
    };
    match opened {
        Ok(stream) => {
            shared.tracker.report_ok(&target.name);
            Ok(stream)
        }
        Err(error) if is_forbidden(&error) => Err(Refused::Forbidden(forbidden(target))),
        Err(error) => {
            shared.tracker.report_failed(&target.name);
            Err(Refused::Failed(format!(
                "{target}: {}",
                crate::api_error::explain(&error)
            )))
        }
    }
}

/// How a piped connection ended.
enum End {
    /// Both sides done (or the pod silent past the linger after the client stopped).
    Done,
    /// The local client went away abruptly (reset); nothing wrong on the pod side.
    LocalBroke(String),
    /// The stream from the pod broke or the pod side reported an error.
    PodBroke(String),
}

/// What [`pipe`] did.
struct Piped {
    sent: u64,
    received: u64,
    end: End,
}

/// Moves bytes both ways until the connection is over.
/// After the local client stops sending, the pod's reply keeps flowing
/// until the pod ends the stream, a write to the client fails, or the pod has
/// been silent for `linger` (the client may be gone entirely: a close and a
/// half-close look the same from here). With `half_close`, the client's
/// FIN is passed on by shutting the pod stream's sending side.
async fn pipe<R, E>(
    local: TcpStream,
    remote: R,
    error: E,
    linger: Duration,
    half_close: bool,
) -> Piped
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
    let end = {
        // Local → pod. At local EOF it shuts the pod stream's sending
        // side only if that is a half-close: see the module comment.
        let up = async {
            copy(&mut local_read, &mut remote_write, UP_BUFFER, |n| {
                sent.fetch_add(n, Ordering::Relaxed);
            })
            .await?;
            if half_close {
                remote_write
                    .shutdown()
                    .await
                    .map_err(|e| Failed::Write(e.to_string()))?;
            }
            Ok(())
        };
        // Pod → local. At pod EOF, pass the FIN on. A failed write means the
        // client is gone, which ends the connection like a pod EOF does.
        let down = async {
            let copied = copy(&mut remote_read, &mut local_write, DOWN_BUFFER, |n| {
                received.fetch_add(n, Ordering::Relaxed);
                let ms = u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX);
                last_from_pod_ms.store(ms, Ordering::Relaxed);
            })
            .await;
            match copied {
                Ok(()) => {
                    let _ = local_write.shutdown().await;
                    Ok(())
                }
                Err(Failed::Write(e)) => Err(End::LocalBroke(e)),
                Err(Failed::Read(e)) => {
                    Err(End::PodBroke(format!("the stream from the pod broke: {e}")))
                }
            }
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
                    Err(Failed::Read(e)) => break End::LocalBroke(e),
                    Err(Failed::Write(e)) => break End::PodBroke(format!("the stream to the pod broke: {e}")),
                },
                finished = &mut down => {
                    // An error message is sent before the stream ends.
                    if !error_done {
                        pod_error = error.as_mut().now_or_never().flatten();
                    }
                    match finished {
                        Ok(()) => break End::Done,
                        Err(end) => break end,
                    }
                }
                message = &mut error, if !error_done => {
                    error_done = true;
                    pod_error = message;
                }
                () = sleep_until(linger_end.unwrap_or_else(Instant::now)), if linger_end.is_some() => {
                    // The pod may have sent something since this sleep began.
                    let fresh_end = local_eof.map(|eof| eof.max(last_from_pod()) + linger);
                    if fresh_end.is_some_and(|end| Instant::now() >= end) {
                        break End::Done;
                    }
                }
            }
        }
    };
    let end = match pod_error {
        Some(message) => End::PodBroke(format!("the pod side reported: {message}")),
        None => end,
    };
    Piped {
        sent: sent.into_inner(),
        received: received.into_inner(),
        end,
    }
}

/// Which side of a copy failed.
enum Failed {
    Read(String),
    Write(String),
}

/// Copies until EOF through a buffer of `size` bytes, reporting each chunk
/// written.
async fn copy<R, W>(
    from: &mut R,
    to: &mut W,
    size: usize,
    mut written: impl FnMut(u64),
) -> Result<(), Failed>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut buffer = vec![0u8; size];
    loop {
        let n = from
            .read(&mut buffer)
            .await
            .map_err(|e| Failed::Read(e.to_string()))?;
        if n == 0 {
            return Ok(());
        }
        to.write_all(&buffer[..n])
            .await
            .map_err(|e| Failed::Write(e.to_string()))?;
        // A WebSocket buffers messages until flushed; a socket does not mind.
        to.flush().await.map_err(|e| Failed::Write(e.to_string()))?;
        written(n as u64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::TcpListener;

    /// A connected local TCP pair: (the client's end, the forwarder's end).
    async fn local_pair() -> (TcpStream, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let client = TcpStream::connect(listener.local_addr().expect("addr"));
        let (client, accepted) = tokio::join!(client, listener.accept());
        (client.expect("connect"), accepted.expect("accept").0)
    }

    #[tokio::test]
    async fn after_the_client_half_closes_the_reply_still_arrives_then_the_connection_ends() {
        let (mut client, forwarded) = local_pair().await;
        let (stream, mut pod) = tokio::io::duplex(1024);
        let linger = Duration::from_millis(300);
        let piping = tokio::spawn(pipe(
            forwarded,
            stream,
            std::future::pending(),
            linger,
            false,
        ));

        client.write_all(b"request").await.unwrap();
        client.shutdown().await.unwrap();
        let mut request = [0u8; 7];
        pod.read_exact(&mut request).await.unwrap();
        assert_eq!(&request, b"request");
        // The pod answers after the client's FIN, and never closes (like kwok).
        tokio::time::sleep(Duration::from_millis(100)).await;
        pod.write_all(b"reply").await.unwrap();

        let started = Instant::now();
        let mut reply = Vec::new();
        client.read_to_end(&mut reply).await.unwrap();
        assert_eq!(reply, b"reply");
        assert!(
            started.elapsed() >= Duration::from_millis(200),
            "closed after the linger, not before"
        );
        let piped = piping.await.unwrap();
        assert!(matches!(piped.end, End::Done));
        assert_eq!((piped.sent, piped.received), (7, 5));
    }

    #[tokio::test]
    async fn a_stream_that_can_half_close_passes_the_clients_fin_on() {
        let (mut client, forwarded) = local_pair().await;
        let (stream, mut pod) = tokio::io::duplex(1024);
        let piping = tokio::spawn(pipe(
            forwarded,
            stream,
            std::future::pending(),
            Duration::from_secs(60),
            true,
        ));
        client.write_all(b"request").await.unwrap();
        client.shutdown().await.unwrap();
        // The pod reads the request, then EOF; its reply still arrives.
        let mut request = Vec::new();
        pod.read_to_end(&mut request).await.unwrap();
        assert_eq!(request, b"request");
        pod.write_all(b"reply").await.unwrap();
        drop(pod);
        let mut reply = Vec::new();
        client.read_to_end(&mut reply).await.unwrap();
        assert_eq!(reply, b"reply");
        let piped = piping.await.unwrap();
        assert!(matches!(piped.end, End::Done));
        assert_eq!((piped.sent, piped.received), (7, 5));
    }

    #[tokio::test]
    async fn when_the_pod_ends_the_stream_the_client_sees_eof() {
        let (mut client, forwarded) = local_pair().await;
        let (stream, mut pod) = tokio::io::duplex(1024);
        let piping = tokio::spawn(pipe(
            forwarded,
            stream,
            std::future::pending(),
            Duration::from_secs(60),
            false,
        ));
        pod.write_all(b"bye").await.unwrap();
        drop(pod);
        let mut got = Vec::new();
        client.read_to_end(&mut got).await.unwrap();
        assert_eq!(got, b"bye");
        assert!(matches!(piping.await.unwrap().end, End::Done));
    }

    #[tokio::test]
    async fn an_error_from_the_pod_side_is_reported() {
        let (_client, forwarded) = local_pair().await;
        let (stream, pod) = tokio::io::duplex(1024);
        let error = async { Some("error forwarding port 8000: connection refused".to_string()) };
        drop(pod);
        let piped = pipe(forwarded, stream, error, Duration::from_secs(60), false).await;
        match piped.end {
            End::PodBroke(message) => assert!(message.contains("connection refused"), "{message}"),
            _ => panic!("expected the pod's error"),
        }
    }

    #[tokio::test]
    async fn a_client_reset_is_an_abort_not_a_pod_failure() {
        let (client, forwarded) = local_pair().await;
        let (stream, _pod) = tokio::io::duplex(1024);
        // SO_LINGER 0: closing sends a reset instead of a FIN.
        client.set_zero_linger().unwrap();
        drop(client);
        let piped = pipe(
            forwarded,
            stream,
            std::future::pending(),
            Duration::from_secs(60),
            false,
        )
        .await;
        assert!(
            matches!(piped.end, End::LocalBroke(_)),
            "a reset is the client's doing"
        );
    }
}
