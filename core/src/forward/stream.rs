//! One port-forward connection over its own WebSocket, for API servers that
//! do not tunnel SPDY (see [`super::transport`]): [`super::websocket`] opens
//! the WebSocket to the API server's `pods/portforward` subresource, and
//! this speaks the port-forward protocol on it (`v4.channel.k8s.io`: each
//! binary message starts with its channel, 0 for data and 1 for errors; the
//! first message on each channel is the port) as a plain byte stream.
//!
//! Why not kube-rs's `Api::portforward` (`Portforwarder`), which speaks the
//! same protocol: it sends at most 4 KiB per message, passes every message
//! through a 1-slot channel and a 1 MiB in-memory pipe, and runs a task per
//! stream. Measured on the test cluster (tests/bench), that made a
//! connection 0.6× as fast as kubectl's and the process 2× as large; this
//! sends up to 64 KiB per message straight from the copy buffer.

use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use futures::SinkExt;
use kube::Client;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::oneshot;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Bytes, Error as WsError, Message};

use super::websocket::{self, Socket};

/// The largest data message sent (plus its channel byte).
const MAX_MESSAGE: usize = 64 * 1024;
/// The port-forward protocol: binary messages, the channel in the first byte.
pub const PROTOCOL: &str = "v4.channel.k8s.io";
/// Channels of the first (only) port.
const DATA: u8 = 0;
const ERROR: u8 = 1;

/// A byte stream to a pod's port. Reading returns EOF when the pod side
/// ends; writing sends data messages (flush after writing). What the pod
/// side reports on its error channel comes out of [`ChannelStream::error`].
pub struct ChannelStream {
    socket: Pin<Box<dyn Socket>>,
    /// Data received and not yet read.
    received: VecDeque<Bytes>,
    data_started: bool,
    error_started: bool,
    error_text: String,
    error_out: Option<oneshot::Sender<String>>,
    error_in: Option<oneshot::Receiver<String>>,
    ended: bool,
}

impl ChannelStream {
    /// Opens a stream to `port` of the pod.
    pub async fn open(
        client: &Client,
        namespace: &str,
        pod: &str,
        port: u16,
    ) -> Result<Self, kube::Error> {
        let (socket, _) =
            websocket::open(client, namespace, pod, port, &[PROTOCOL], socket_config()).await?;
        Ok(Self::new(Box::pin(socket)))
    }

    /// The stream on a WebSocket that negotiated [`PROTOCOL`].
    pub fn new(socket: Pin<Box<dyn Socket>>) -> Self {
        let (error_out, error_in) = oneshot::channel();
        Self {
            socket,
            received: VecDeque::new(),
            data_started: false,
            error_started: false,
            error_text: String::new(),
            error_out: Some(error_out),
            error_in: Some(error_in),
            ended: false,
        }
    }

    /// Resolves with the pod side's error message if it reports one before
    /// the stream ends, else with `None`. Can be taken once.
    pub fn error(&mut self) -> impl Future<Output = Option<String>> + Send + 'static + use<> {
        let receiver = self.error_in.take();
        async move {
            match receiver {
                Some(receiver) => receiver.await.ok(),
                None => None,
            }
        }
    }

    /// Is the stream still usable? Takes in what already arrived (a greeting
    /// from the pod is kept for the reader) without waiting.
    pub fn is_alive(&mut self) -> bool {
        let waker = futures::task::noop_waker();
        let mut context = Context::from_waker(&waker);
        while !self.ended {
            match self.socket.as_mut().poll_next(&mut context) {
                Poll::Pending => break,
                Poll::Ready(next) => self.take_in(next),
            }
        }
        !self.ended && self.error_text.is_empty()
    }

    /// Closes the WebSocket politely, giving up after `grace`.
    pub async fn close(mut self, grace: Duration) {
        let _ = tokio::time::timeout(grace, self.socket.close()).await;
    }

    /// Handles one message (or the end) from the WebSocket.
    fn take_in(&mut self, next: Option<Result<Message, WsError>>) {
        match next {
            Some(Ok(Message::Binary(frame))) if !frame.is_empty() => {
                let channel = frame[0];
                let bytes = frame.slice(1..);
                match channel {
                    // The first message of a channel is its port number.
                    DATA if !self.data_started => self.data_started = true,
                    DATA if !bytes.is_empty() => self.received.push_back(bytes),
                    ERROR if !self.error_started => self.error_started = true,
                    ERROR => self.error_text.push_str(&String::from_utf8_lossy(&bytes)),
                    _ => {}
                }
            }
            Some(Ok(Message::Close(_))) | None => self.end(),
            Some(Err(error)) => {
                if self.error_text.is_empty() {
                    self.error_text = format!("the WebSocket broke: {error}");
                }
                self.end();
            }
            // Pings are answered by tungstenite; nothing else is expected.
            Some(Ok(_)) => {}
        }
    }

    fn end(&mut self) {
        self.ended = true;
        if let Some(out) = self.error_out.take()
            && !self.error_text.is_empty()
        {
            let _ = out.send(std::mem::take(&mut self.error_text));
        }
    }
}

/// The WebSocket's buffers: tungstenite's defaults (128 KiB to read into,
/// 128 KiB to write from) are per stream, and a forward with 200
/// connections holds 200 streams. Messages are at most 64 KiB either way
/// (the read buffer grows to fit a larger one).
pub fn socket_config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(0)
}

/// Bytes read from the API server at a time.
const READ_BUFFER: usize = 32 * 1024;

impl AsyncRead for ChannelStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        loop {
            if let Some(front) = self.received.front_mut() {
                let n = front.len().min(buf.remaining());
                buf.put_slice(&front[..n]);
                *front = front.slice(n..);
                if front.is_empty() {
                    self.received.pop_front();
                }
                return Poll::Ready(Ok(()));
            }
            if self.ended {
                // EOF.
                return Poll::Ready(Ok(()));
            }
            let next = ready!(self.socket.as_mut().poll_next(cx));
            self.take_in(next);
        }
    }
}

impl AsyncWrite for ChannelStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        ready!(self.socket.as_mut().poll_ready(cx)).map_err(io::Error::other)?;
        let n = data.len().min(MAX_MESSAGE);
        let mut message = Vec::with_capacity(n + 1);
        message.push(DATA);
        message.extend_from_slice(&data[..n]);
        self.socket
            .as_mut()
            .start_send(Message::Binary(Bytes::from(message)))
            .map_err(io::Error::other)?;
        Poll::Ready(Ok(n))
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.socket
            .as_mut()
            .poll_flush(cx)
            .map_err(io::Error::other)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // The protocol cannot half-close: shutting down ends the stream.
        self.socket
            .as_mut()
            .poll_close(cx)
            .map_err(io::Error::other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::channel::mpsc;
    use futures::{Sink, Stream, StreamExt};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// The far end of a socket: what the stream sends, and a way to send to it.
    struct FarEnd {
        sent: mpsc::UnboundedReceiver<Message>,
        send: mpsc::UnboundedSender<Result<Message, WsError>>,
    }

    /// An in-memory WebSocket pair, standing in for the API server's end.
    fn socket_pair() -> (ChannelStream, FarEnd) {
        let (to_far, sent) = mpsc::unbounded::<Message>();
        let (send, from_far) = mpsc::unbounded::<Result<Message, WsError>>();
        let sink = to_far.sink_map_err(|_| WsError::ConnectionClosed);
        let socket = Joined {
            sink,
            stream: from_far,
        };
        (ChannelStream::new(Box::pin(socket)), FarEnd { sent, send })
    }

    struct Joined<K, S> {
        sink: K,
        stream: S,
    }

    impl<K: Unpin, S: Stream + Unpin> Stream for Joined<K, S> {
        type Item = S::Item;
        fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<S::Item>> {
            self.stream.poll_next_unpin(cx)
        }
    }

    impl<K: Sink<Message> + Unpin, S: Unpin> Sink<Message> for Joined<K, S> {
        type Error = K::Error;
        fn poll_ready(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
        ) -> Poll<Result<(), K::Error>> {
            self.sink.poll_ready_unpin(cx)
        }
        fn start_send(mut self: Pin<&mut Self>, item: Message) -> Result<(), K::Error> {
            self.sink.start_send_unpin(item)
        }
        fn poll_flush(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
        ) -> Poll<Result<(), K::Error>> {
            self.sink.poll_flush_unpin(cx)
        }
        fn poll_close(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
        ) -> Poll<Result<(), K::Error>> {
            self.sink.poll_close_unpin(cx)
        }
    }

    fn binary(channel: u8, data: &[u8]) -> Result<Message, WsError> {
        let mut bytes = vec![channel];
        bytes.extend_from_slice(data);
        Ok(Message::Binary(Bytes::from(bytes)))
    }

    /// The first frame of each channel: the port number, as the API server sends it.
    fn send_port_frames(far: &FarEnd) {
        for channel in [DATA, ERROR] {
            far.send
                .unbounded_send(binary(channel, &8000u16.to_le_bytes()))
                .unwrap();
        }
    }

    #[tokio::test]
    async fn data_is_framed_on_channel_0_and_the_port_frames_are_skipped() {
        let (mut stream, mut far) = socket_pair();
        send_port_frames(&far);
        far.send.unbounded_send(binary(DATA, b"hello ")).unwrap();
        far.send.unbounded_send(binary(DATA, b"world")).unwrap();
        far.send.unbounded_send(Ok(Message::Close(None))).unwrap();
        let mut got = Vec::new();
        stream.read_to_end(&mut got).await.unwrap();
        assert_eq!(got, b"hello world");

        let big = vec![7u8; 100 * 1024];
        stream.write_all(&big).await.unwrap();
        stream.flush().await.unwrap();
        let mut frames = Vec::new();
        while let Ok(Message::Binary(frame)) = far.sent.try_recv() {
            frames.push(frame);
        }
        assert_eq!(
            frames.len(),
            2,
            "100 KiB go out as 64 KiB + 36 KiB messages"
        );
        assert!(frames.iter().all(|f| f[0] == DATA));
        assert_eq!(frames.iter().map(|f| f.len() - 1).sum::<usize>(), big.len());
    }

    #[tokio::test]
    async fn an_error_channel_message_comes_out_when_the_stream_ends() {
        let (mut stream, far) = socket_pair();
        let error = stream.error();
        send_port_frames(&far);
        far.send
            .unbounded_send(binary(
                ERROR,
                b"error forwarding port 8000: connection refused",
            ))
            .unwrap();
        drop(far);
        let mut got = Vec::new();
        stream.read_to_end(&mut got).await.unwrap();
        assert!(got.is_empty());
        assert_eq!(
            error.await.as_deref(),
            Some("error forwarding port 8000: connection refused")
        );
    }

    #[tokio::test]
    async fn a_spare_stream_knows_when_it_has_died_and_keeps_a_greeting() {
        let (mut stream, far) = socket_pair();
        far.send
            .unbounded_send(binary(DATA, &8000u16.to_le_bytes()))
            .unwrap();
        far.send
            .unbounded_send(binary(DATA, b"220 ready\r\n"))
            .unwrap();
        assert!(stream.is_alive());
        let mut greeting = [0u8; 11];
        stream.read_exact(&mut greeting).await.unwrap();
        assert_eq!(&greeting, b"220 ready\r\n");
        far.send.unbounded_send(Ok(Message::Close(None))).unwrap();
        assert!(!stream.is_alive());
    }
}
