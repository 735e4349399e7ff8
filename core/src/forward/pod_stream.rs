//! A connection's byte stream to the pod, whichever transport carries it
//! ([`super::transport`]).

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures::future::Either;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::spdy::SpdyStream;
use super::stream::ChannelStream;

/// A byte stream to a pod's port.
pub enum PodStream {
    /// A stream pair on a SPDY session.
    Spdy(SpdyStream),
    /// A WebSocket of its own.
    Channel(ChannelStream),
}

impl PodStream {
    /// Resolves with the pod side's error message if it reports one before
    /// the stream ends, else with `None`. Can be taken once.
    pub fn error(&mut self) -> impl Future<Output = Option<String>> + Send + 'static + use<> {
        match self {
            PodStream::Spdy(stream) => Either::Left(stream.error()),
            PodStream::Channel(stream) => Either::Right(stream.error()),
        }
    }

    /// Ends the stream: a SPDY stream pair is reset at once; a WebSocket is
    /// closed politely, giving up after `grace`.
    pub async fn close(self, grace: Duration) {
        match self {
            PodStream::Spdy(stream) => drop(stream),
            PodStream::Channel(stream) => stream.close(grace).await,
        }
    }
}

impl AsyncRead for PodStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            PodStream::Spdy(stream) => Pin::new(stream).poll_read(cx, buf),
            PodStream::Channel(stream) => Pin::new(stream).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for PodStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            PodStream::Spdy(stream) => Pin::new(stream).poll_write(cx, data),
            PodStream::Channel(stream) => Pin::new(stream).poll_write(cx, data),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            PodStream::Spdy(stream) => Pin::new(stream).poll_flush(cx),
            PodStream::Channel(stream) => Pin::new(stream).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            PodStream::Spdy(stream) => Pin::new(stream).poll_shutdown(cx),
            PodStream::Channel(stream) => Pin::new(stream).poll_shutdown(cx),
        }
    }
}
