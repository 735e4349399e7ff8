//! Port-forward as kubectl 1.30+ does it: SPDY/3.1 tunnelled over ONE
//! WebSocket (subprotocol [`PROTOCOL`]; the API server passes the bytes on
//! to the kubelet's SPDY server), with a pair of SPDY streams per forwarded
//! connection (headers `streamtype` = `error` | `data`, `port`, and a shared
//! `requestid`). A new connection then costs one SYN_STREAM pair on the
//! open session instead of a TLS handshake and a WebSocket upgrade, and the
//! API server copies one WebSocket's bytes instead of framing many.
//!
//! - [`frame`]: frames as bytes and back (pure functions);
//! - [`headers`]: header blocks and their zlib contexts;
//! - [`dictionary`]: the SPDY/3 zlib dictionary;
//! - [`session`]: the session's reader and writer;
//! - [`stream`]: one connection's stream pair as a byte stream.

mod dictionary;
mod error;
mod frame;
mod headers;
mod session;
mod stream;

pub use error::{FrameError, SessionError};
pub use session::Session;
pub use stream::SpdyStream;

/// The WebSocket subprotocol of SPDY tunnelling for port-forward.
pub const PROTOCOL: &str = "SPDY/3.1+portforward.k8s.io";
