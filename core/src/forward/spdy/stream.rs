//! One forwarded connection on a SPDY session: its data stream as a byte
//! stream (read: what the pod sends; write: DATA frames), and its error
//! stream, where the kubelet writes why it could not forward (then resets
//! both streams).

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use futures::Sink;
use futures::channel::mpsc as queue;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::Bytes;

use super::frame::{CANCEL, Frame};
use super::session::{Outgoing, State};

/// The largest DATA frame sent.
const MAX_DATA: usize = 64 * 1024;

/// Which of a connection's two streams a frame is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The bytes of the connection.
    Data,
    /// Where the server reports a failure to forward.
    Error,
}

/// What the session's reader hands a connection.
#[derive(Debug)]
pub enum Incoming {
    /// Bytes on one of the streams.
    Data(Role, Bytes),
    /// The server's last frame on one of the streams (FIN).
    End(Role),
    /// The server reset one of the streams, with this status.
    Reset(Role, u32),
}

/// A byte stream to a pod's port over a SPDY session. Reading returns EOF
/// when the pod side ends; writing sends DATA frames. What the pod side
/// reports on its error stream comes out of [`SpdyStream::error`].
pub struct SpdyStream {
    state: Arc<State>,
    outgoing: queue::Sender<Outgoing>,
    inbound: mpsc::Receiver<Incoming>,
    error_id: u32,
    data_id: u32,
    /// Data received and not yet read.
    received: Bytes,
    data_ended: bool,
    /// The server reset the data stream: writing is pointless.
    data_reset: bool,
    error_ended: bool,
    sent_fin: bool,
    error_text: String,
    error_out: Option<oneshot::Sender<String>>,
    error_in: Option<oneshot::Receiver<String>>,
}

impl std::fmt::Debug for SpdyStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpdyStream")
            .field("error_id", &self.error_id)
            .field("data_id", &self.data_id)
            .finish_non_exhaustive()
    }
}

impl SpdyStream {
    pub(super) fn new(
        state: Arc<State>,
        outgoing: queue::Sender<Outgoing>,
        inbound: mpsc::Receiver<Incoming>,
        error_id: u32,
        data_id: u32,
    ) -> Self {
        let (error_out, error_in) = oneshot::channel();
        Self {
            state,
            outgoing,
            inbound,
            error_id,
            data_id,
            received: Bytes::new(),
            data_ended: false,
            data_reset: false,
            error_ended: false,
            sent_fin: false,
            error_text: String::new(),
            error_out: Some(error_out),
            error_in: Some(error_in),
        }
    }

    /// The data stream's id on the session.
    pub fn id(&self) -> u32 {
        self.data_id
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

    fn take_in(&mut self, incoming: Option<Incoming>) {
        match incoming {
            Some(Incoming::Data(Role::Data, bytes)) => self.received = bytes,
            Some(Incoming::Data(Role::Error, bytes)) => {
                self.error_text.push_str(&String::from_utf8_lossy(&bytes));
            }
            Some(Incoming::End(Role::Data)) => self.end_data(),
            Some(Incoming::End(Role::Error)) => self.end_error(),
            Some(Incoming::Reset(Role::Data, status)) => {
                self.data_reset = true;
                // CANCEL is how the kubelet ends a stream after an error;
                // anything else is worth saying.
                if status != CANCEL && self.error_text.is_empty() {
                    self.error_text =
                        format!("the pod side reset the stream ({})", reset_reason(status));
                }
                self.end_data();
            }
            Some(Incoming::Reset(Role::Error, _)) => self.end_error(),
            // The session ended: its reader dropped every stream's queue.
            None => {
                if self.error_text.is_empty()
                    && let Some(reason) = self.state.ended()
                {
                    self.error_text = format!("the port-forward session ended: {reason}");
                }
                self.data_reset = true;
                self.end_error();
                self.end_data();
            }
        }
    }

    fn end_error(&mut self) {
        self.error_ended = true;
        // The kubelet writes its message, then ends the stream.
        if !self.error_text.is_empty()
            && let Some(out) = self.error_out.take()
        {
            let _ = out.send(self.error_text.clone());
        }
    }

    fn end_data(&mut self) {
        self.data_ended = true;
        if let Some(out) = self.error_out.take()
            && !self.error_text.is_empty()
        {
            let _ = out.send(std::mem::take(&mut self.error_text));
        }
    }

    fn closed(&self) -> io::Error {
        let why = self
            .state
            .ended()
            .unwrap_or_else(|| "the pod side reset the stream".to_string());
        io::Error::new(io::ErrorKind::BrokenPipe, why)
    }
}

/// RST_STREAM's status codes, in words.
fn reset_reason(status: u32) -> String {
    match status {
        1 => "protocol error".to_string(),
        2 => "invalid stream".to_string(),
        3 => "refused".to_string(),
        4 => "unsupported version".to_string(),
        6 => "internal error".to_string(),
        7 => "flow control error".to_string(),
        other => format!("status {other}"),
    }
}

impl AsyncRead for SpdyStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        loop {
            if !self.received.is_empty() {
                let n = self.received.len().min(buf.remaining());
                let chunk = self.received.split_to(n);
                buf.put_slice(&chunk);
                return Poll::Ready(Ok(()));
            }
            if self.data_ended {
                // EOF.
                return Poll::Ready(Ok(()));
            }
            let next = ready!(self.inbound.poll_recv(cx));
            self.take_in(next);
        }
    }
}

impl AsyncWrite for SpdyStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.data_reset || self.sent_fin {
            return Poll::Ready(Err(self.closed()));
        }
        if ready!(Pin::new(&mut self.outgoing).poll_ready(cx)).is_err() {
            return Poll::Ready(Err(self.closed()));
        }
        let n = data.len().min(MAX_DATA);
        let frame = Frame::Data {
            stream: self.data_id,
            fin: false,
            data: Bytes::copy_from_slice(&data[..n]),
        };
        if Pin::new(&mut self.outgoing)
            .start_send(Outgoing::One(frame))
            .is_err()
        {
            return Poll::Ready(Err(self.closed()));
        }
        Poll::Ready(Ok(n))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // Queued frames go out as soon as the writer gets to them.
        Poll::Ready(Ok(()))
    }

    /// Sends FIN: the pod side reads EOF, and can still answer.
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.sent_fin || self.data_reset {
            return Poll::Ready(Ok(()));
        }
        if ready!(Pin::new(&mut self.outgoing).poll_ready(cx)).is_err() {
            return Poll::Ready(Err(self.closed()));
        }
        let fin = Frame::Data {
            stream: self.data_id,
            fin: true,
            data: Bytes::new(),
        };
        self.sent_fin = true;
        if Pin::new(&mut self.outgoing)
            .start_send(Outgoing::One(fin))
            .is_err()
        {
            return Poll::Ready(Err(self.closed()));
        }
        Poll::Ready(Ok(()))
    }
}

impl Drop for SpdyStream {
    /// Resets what is still open (as kubectl does when a connection ends),
    /// so the kubelet lets go of its side, and forgets both streams.
    fn drop(&mut self) {
        self.state.forget(&[self.error_id, self.data_id]);
        if self.state.ended().is_some() {
            return;
        }
        let mut resets = Vec::with_capacity(2);
        if (!self.data_ended || !self.sent_fin) && !self.data_reset {
            resets.push(self.data_id);
        }
        if !self.error_ended {
            resets.push(self.error_id);
        }
        for stream in resets {
            // A fresh sender always has room for one message.
            let _ = self
                .outgoing
                .clone()
                .try_send(Outgoing::One(Frame::RstStream {
                    stream,
                    status: CANCEL,
                }));
        }
    }
}
