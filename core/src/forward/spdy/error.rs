//! What can go wrong on a SPDY session, in words that say which side did it.

/// A frame that cannot be read or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// The peer speaks another SPDY version.
    #[error("the API server sent a SPDY/{0} frame; only SPDY/3 is spoken here")]
    Version(u16),
    /// A control frame shorter than its fixed fields.
    #[error("the API server sent a {kind} frame of {length} bytes; it needs at least {needed}")]
    Short {
        /// The frame type.
        kind: &'static str,
        /// Its length.
        length: usize,
        /// The length its fields need.
        needed: usize,
    },
    /// A header block that does not inflate with the session's context.
    #[error("the API server sent a header block that does not inflate: {0}")]
    Inflate(String),
    /// A header block whose pairs run past its end.
    #[error("the API server sent a header block cut short")]
    HeaderBlock,
    /// A header block larger than anything port-forward sends.
    #[error("the API server sent a header block of more than {limit} bytes")]
    HeaderBlockTooLarge {
        /// The limit.
        limit: usize,
    },
    /// A header name or value that is not text.
    #[error("the API server sent a header that is not UTF-8")]
    HeaderText,
    /// Our own header block could not be compressed.
    #[error("cannot compress a SPDY header block: {0}")]
    Deflate(String),
    /// A frame longer than SPDY's 24-bit length.
    #[error("a SPDY frame of {0} bytes; the most is 16 MiB - 1")]
    TooLong(usize),
}

/// Why a stream cannot be opened on a session.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    /// The session's WebSocket is closed.
    #[error("the port-forward session ended: {0}")]
    Ended(String),
    /// The server said it takes no new streams (GOAWAY).
    #[error("the pod's port-forward session takes no new connections (the server sent GOAWAY)")]
    GoingAway,
    /// Stream ids ran out (2^31 of them): a new session is needed.
    #[error("the port-forward session has used all of its stream ids")]
    Exhausted,
}
