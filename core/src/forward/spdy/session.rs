//! One SPDY/3.1 session over one WebSocket to a pod's port-forward (the
//! API server tunnels the WebSocket's bytes to the kubelet's SPDY server):
//! many local connections, each a pair of streams on it, so that a new
//! connection costs one SYN_STREAM pair and no TLS handshake or upgrade.
//!
//! Two tasks own the WebSocket. The writer encodes frames in the order they
//! are queued (stream ids must rise in the order SYN_STREAMs are sent, and
//! the header compression context follows that order too), packing what is
//! queued into one WebSocket message, and pings the server. The reader cuts
//! the incoming bytes into frames and hands each stream its data. A stream
//! whose reader is slow holds up the reader (and so the session's other
//! streams), as kubectl's SPDY implementation does: the Go server does not
//! do SPDY flow control, so nothing else bounds the memory.
//!
//! The session ends when every handle to it and every stream on it is gone
//! (the writer then sends GOAWAY and closes the WebSocket), when the
//! WebSocket closes or breaks, or when the server stops answering pings.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use futures::channel::mpsc as queue;
use futures::{SinkExt, StreamExt};
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::{Bytes, Message};

use super::error::SessionError;
use super::frame::{self, Assembler, Frame, REFUSED_STREAM};
use super::headers::{HeaderCompressor, HeaderDecompressor};
use super::stream::{Incoming, Role, SpdyStream};
use crate::forward::websocket::Socket;

/// How often the server is pinged (kubectl pings every 10 s too).
const PING_EVERY: Duration = Duration::from_secs(10);
/// A session that has heard nothing for this long is taken as dead.
const SILENT_LIMIT: Duration = Duration::from_secs(35);
/// What the writer packs into one WebSocket message at most.
const MAX_MESSAGE: usize = 256 * 1024;
/// Frames queued for the writer beyond one per stream.
const QUEUE: usize = 64;
/// Frames of data held for a stream before its reader is waited for.
const INBOUND: usize = 8;
/// How long the writer's polite end (GOAWAY, Close) may take.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// What the writer sends: one frame, or a stream pair's two SYN_STREAMs at
/// once (queued together, so that nothing else comes between their ids).
#[derive(Debug)]
pub(super) enum Outgoing {
    One(Frame),
    Two(Frame, Frame),
}

/// A stream's slot in the session: who gets its frames.
struct Slot {
    role: Role,
    inbound: mpsc::Sender<Incoming>,
}

/// What the handles, the streams and the two tasks share.
pub(super) struct State {
    streams: Mutex<Streams>,
    /// Why the session ended (`None` while it runs).
    ended: watch::Sender<Option<String>>,
    /// When the session started, and when the server was last heard (ms after).
    started: Instant,
    last_heard_ms: AtomicU64,
}

struct Streams {
    slots: HashMap<u32, Slot>,
    /// The next error stream's id (its data stream's is 2 more).
    next_id: u32,
    next_request: u64,
    going_away: bool,
}

impl State {
    fn lock(&self) -> MutexGuard<'_, Streams> {
        // Slots are inserted and removed whole: a panic elsewhere cannot
        // leave the map half-updated.
        self.streams.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Why the session ended, if it has.
    pub(super) fn ended(&self) -> Option<String> {
        self.ended.borrow().clone()
    }

    /// Ends the session (the first reason given stays) and lets every
    /// stream see it: their inbound queues close.
    fn end(&self, reason: String) {
        self.ended.send_if_modified(|ended| {
            if ended.is_none() {
                *ended = Some(reason);
                true
            } else {
                false
            }
        });
        self.lock().slots.clear();
    }

    /// Forgets a stream: its frames are dropped from now on.
    pub(super) fn forget(&self, ids: &[u32]) {
        let mut streams = self.lock();
        for id in ids {
            streams.slots.remove(id);
        }
    }

    fn heard(&self) {
        let ms = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_heard_ms.store(ms, Ordering::Relaxed);
    }

    fn silent_for(&self) -> Duration {
        self.started.elapsed().saturating_sub(Duration::from_millis(
            self.last_heard_ms.load(Ordering::Relaxed),
        ))
    }
}

/// A handle to a session; clones share it. The session ends when the last
/// handle and the last stream on it are dropped.
#[derive(Clone)]
pub struct Session {
    state: Arc<State>,
    outgoing: queue::Sender<Outgoing>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("ended", &self.state.ended())
            .finish_non_exhaustive()
    }
}

impl Session {
    /// Starts a session on a WebSocket that negotiated SPDY tunnelling.
    pub fn start(socket: impl Socket) -> Result<Self, super::error::FrameError> {
        let compressor = HeaderCompressor::new()?;
        let (sink, incoming) = socket.split();
        let (outgoing, queued) = queue::channel(QUEUE);
        let (replies, replies_in) = mpsc::unbounded_channel();
        let (ended, _) = watch::channel(None);
        let state = Arc::new(State {
            streams: Mutex::new(Streams {
                slots: HashMap::new(),
                next_id: 1,
                next_request: 0,
                going_away: false,
            }),
            ended,
            started: Instant::now(),
            last_heard_ms: AtomicU64::new(0),
        });
        let reading = tokio::spawn(read_frames(incoming, state.clone(), replies));
        tokio::spawn(write_frames(
            sink,
            queued,
            replies_in,
            compressor,
            state.clone(),
            reading.abort_handle(),
        ));
        Ok(Self { state, outgoing })
    }

    /// Is the session still open to new streams?
    pub fn is_open(&self) -> bool {
        self.state.ended().is_none() && !self.state.lock().going_away
    }

    /// Opens a stream pair to `port`: an error stream (the server writes a
    /// failure to forward there) and a data stream, as kubectl does; the
    /// data can be written at once (the server replies to a SYN_STREAM
    /// before it reads the stream's data).
    pub fn open(&self, port: u16) -> Result<SpdyStream, SessionError> {
        let mut streams = self.state.lock();
        if let Some(reason) = self.state.ended() {
            return Err(SessionError::Ended(reason));
        }
        if streams.going_away {
            return Err(SessionError::GoingAway);
        }
        let error_id = streams.next_id;
        let data_id = error_id
            .checked_add(2)
            .filter(|id| *id < 1 << 31)
            .ok_or(SessionError::Exhausted)?;
        streams.next_id = data_id + 2;
        let request = streams.next_request;
        streams.next_request += 1;
        let (inbound, receiver) = mpsc::channel(INBOUND);
        let headers = |kind: &str| {
            vec![
                ("port".to_string(), port.to_string()),
                ("requestid".to_string(), request.to_string()),
                ("streamtype".to_string(), kind.to_string()),
            ]
        };
        let pair = Outgoing::Two(
            // Nothing is ever written to the error stream: FIN at once.
            Frame::SynStream {
                stream: error_id,
                associated: 0,
                priority: 0,
                fin: true,
                unidirectional: false,
                headers: headers("error"),
            },
            Frame::SynStream {
                stream: data_id,
                associated: 0,
                priority: 0,
                fin: false,
                unidirectional: false,
                headers: headers("data"),
            },
        );
        // A fresh sender always has room for one message, so this queues
        // while the lock keeps the ids in order.
        self.outgoing
            .clone()
            .try_send(pair)
            .map_err(|_| SessionError::Ended("the session's writer stopped".to_string()))?;
        streams.slots.insert(
            error_id,
            Slot {
                role: Role::Error,
                inbound: inbound.clone(),
            },
        );
        streams.slots.insert(
            data_id,
            Slot {
                role: Role::Data,
                inbound,
            },
        );
        drop(streams);
        Ok(SpdyStream::new(
            self.state.clone(),
            self.outgoing.clone(),
            receiver,
            error_id,
            data_id,
        ))
    }
}

/// Reads frames until the WebSocket ends, handing each stream its own.
async fn read_frames(
    mut incoming: futures::stream::SplitStream<impl Socket>,
    state: Arc<State>,
    replies: mpsc::UnboundedSender<Frame>,
) {
    let mut assembler = Assembler::default();
    let mut decompressor = HeaderDecompressor::new();
    let mut raw = Vec::new();
    let reason = loop {
        let message = match incoming.next().await {
            Some(Ok(Message::Binary(bytes))) => bytes,
            Some(Ok(Message::Close(_))) | None => {
                break "the API server closed the port-forward connection".to_string();
            }
            Some(Err(error)) => break format!("the WebSocket broke: {error}"),
            // Pings are answered by tungstenite; nothing else is expected.
            Some(Ok(_)) => continue,
        };
        state.heard();
        assembler.push(message, &mut raw);
        let mut failed = None;
        for (head, payload) in raw.drain(..) {
            match frame::decode(head, payload, &mut decompressor) {
                Ok(frame) => take_in(frame, &state, &replies).await,
                Err(error) => {
                    failed = Some(error.to_string());
                    break;
                }
            }
        }
        if let Some(reason) = failed {
            break reason;
        }
    };
    state.end(reason);
}

/// Handles one frame from the server.
async fn take_in(frame: Frame, state: &State, replies: &mpsc::UnboundedSender<Frame>) {
    let slot = |stream: u32| {
        state
            .lock()
            .slots
            .get(&stream)
            .map(|slot| (slot.role, slot.inbound.clone()))
    };
    match frame {
        Frame::Data { stream, fin, data } => {
            let Some((role, inbound)) = slot(stream) else {
                return;
            };
            // A stream that is gone does not mind.
            if !data.is_empty() {
                let _ = inbound.send(Incoming::Data(role, data)).await;
            }
            if fin {
                let _ = inbound.send(Incoming::End(role)).await;
            }
        }
        Frame::RstStream { stream, status } => {
            if let Some((role, inbound)) = slot(stream) {
                state.forget(&[stream]);
                let _ = inbound.send(Incoming::Reset(role, status)).await;
            }
        }
        Frame::SynReply {
            stream, fin: true, ..
        }
        | Frame::Headers {
            stream, fin: true, ..
        } => {
            if let Some((role, inbound)) = slot(stream) {
                let _ = inbound.send(Incoming::End(role)).await;
            }
        }
        Frame::Ping { id } => {
            // Even ids are the server's own pings: answer. Odd ones answer ours.
            if id % 2 == 0 {
                let _ = replies.send(Frame::Ping { id });
            }
        }
        Frame::GoAway { .. } => state.lock().going_away = true,
        Frame::SynStream { stream, .. } => {
            let _ = replies.send(Frame::RstStream {
                stream,
                status: REFUSED_STREAM,
            });
        }
        Frame::SynReply { .. }
        | Frame::Headers { .. }
        | Frame::Settings { .. }
        | Frame::WindowUpdate { .. }
        | Frame::Unknown { .. } => {}
    }
}

/// Sends what is queued, in order, until every handle and stream is gone or
/// the WebSocket fails; pings the server meanwhile.
async fn write_frames(
    mut sink: futures::stream::SplitSink<impl Socket, Message>,
    mut queued: queue::Receiver<Outgoing>,
    mut replies: mpsc::UnboundedReceiver<Frame>,
    mut compressor: HeaderCompressor,
    state: Arc<State>,
    reading: tokio::task::AbortHandle,
) {
    let mut ended = state.ended.subscribe();
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.reset();
    let mut next_ping: u32 = 1;
    let mut buffer = Vec::new();
    let reason = loop {
        buffer.clear();
        let encoded = tokio::select! {
            biased;
            _ = ended.changed() => break None,
            Some(reply) = replies.recv() => frame::encode(&reply, &mut compressor, &mut buffer),
            next = queued.next() => match next {
                None => break None,
                Some(first) => {
                    let mut encoded = encode(first, &mut compressor, &mut buffer);
                    while encoded.is_ok() && buffer.len() < MAX_MESSAGE {
                        match queued.try_recv() {
                            Ok(more) => encoded = encode(more, &mut compressor, &mut buffer),
                            Err(_) => break,
                        }
                    }
                    encoded
                }
            },
            _ = ping.tick() => {
                if state.silent_for() > SILENT_LIMIT {
                    break Some(format!(
                        "the API server did not answer pings for {}s",
                        SILENT_LIMIT.as_secs()
                    ));
                }
                let id = next_ping;
                next_ping = next_ping.wrapping_add(2) & 0x7fff_ffff;
                frame::encode(&Frame::Ping { id }, &mut compressor, &mut buffer)
            }
        };
        if let Err(error) = encoded {
            break Some(error.to_string());
        }
        let message = Message::Binary(Bytes::from(std::mem::take(&mut buffer)));
        if let Err(error) = sink.send(message).await {
            break Some(format!("the WebSocket broke: {error}"));
        }
    };
    let polite = async {
        if reason.is_none() && state.ended().is_none() {
            let mut goodbye = Vec::new();
            let _ = frame::encode(
                &Frame::GoAway {
                    last_good: 0,
                    status: 0,
                },
                &mut compressor,
                &mut goodbye,
            );
            let _ = sink.send(Message::Binary(Bytes::from(goodbye))).await;
        }
        let _ = sink.close().await;
    };
    let _ = tokio::time::timeout(CLOSE_GRACE, polite).await;
    reading.abort();
    state.end(reason.unwrap_or_else(|| "the port-forward session was closed".to_string()));
}

fn encode(
    outgoing: Outgoing,
    compressor: &mut HeaderCompressor,
    buffer: &mut Vec<u8>,
) -> Result<(), super::error::FrameError> {
    match outgoing {
        Outgoing::One(frame) => frame::encode(&frame, compressor, buffer),
        Outgoing::Two(first, second) => {
            frame::encode(&first, compressor, buffer)?;
            frame::encode(&second, compressor, buffer)
        }
    }
}
