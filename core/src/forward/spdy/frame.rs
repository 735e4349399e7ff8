//! SPDY/3.1 frames, encoded and decoded as pure functions.
//!
//! Every frame starts with 8 bytes. A control frame: the control bit and
//! the version (`0x8003`), its type (2 bytes), its flags (1 byte) and its
//! payload's length (3 bytes). A data frame: its stream id (31 bits, the
//! control bit clear), flags and length likewise. Header blocks go through
//! the session's compression contexts ([`super::headers`]).

use tokio_tungstenite::tungstenite::Bytes;

use super::error::FrameError;
use super::headers::{HeaderCompressor, HeaderDecompressor, Headers};

/// The SPDY version spoken.
pub const VERSION: u16 = 3;
/// The largest payload a frame can have (24-bit length).
pub const MAX_PAYLOAD: usize = (1 << 24) - 1;
/// FLAG_FIN: the sender's last frame on the stream.
const FLAG_FIN: u8 = 0x01;
/// FLAG_UNIDIRECTIONAL on SYN_STREAM: the receiver will not send.
const FLAG_UNIDIRECTIONAL: u8 = 0x02;

/// RST_STREAM status: the stream is no longer needed.
pub const CANCEL: u32 = 5;
/// RST_STREAM status: the stream is refused (we accept none from the server).
pub const REFUSED_STREAM: u32 = 3;

const SYN_STREAM: u16 = 1;
const SYN_REPLY: u16 = 2;
const RST_STREAM: u16 = 3;
const SETTINGS: u16 = 4;
const PING: u16 = 6;
const GOAWAY: u16 = 7;
const HEADERS: u16 = 8;
const WINDOW_UPDATE: u16 = 9;

/// One SPDY frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// Opens a stream.
    SynStream {
        /// The new stream's id (odd from the client).
        stream: u32,
        /// The stream it belongs to (0: none).
        associated: u32,
        /// 0 (highest) to 7.
        priority: u8,
        /// The opener sends nothing more on it.
        fin: bool,
        /// The receiver sends nothing on it.
        unidirectional: bool,
        /// Its headers.
        headers: Headers,
    },
    /// Accepts a stream.
    SynReply {
        /// The stream.
        stream: u32,
        /// The replier sends nothing more on it.
        fin: bool,
        /// Its headers.
        headers: Headers,
    },
    /// Ends a stream abruptly.
    RstStream {
        /// The stream.
        stream: u32,
        /// Why ([`CANCEL`], …).
        status: u32,
    },
    /// Session settings (ignored here: port-forward's servers send none).
    Settings {
        /// (flags, id, value) of each setting.
        entries: Vec<(u8, u32, u32)>,
    },
    /// A ping, or the answer to one (same id).
    Ping {
        /// Odd from the client, even from the server.
        id: u32,
    },
    /// The sender takes no new streams.
    GoAway {
        /// The last stream it accepted.
        last_good: u32,
        /// Why (0: OK).
        status: u32,
    },
    /// More headers on a stream.
    Headers {
        /// The stream.
        stream: u32,
        /// The sender's last frame on it.
        fin: bool,
        /// The headers.
        headers: Headers,
    },
    /// Flow control (not enforced by the Go implementation port-forward uses).
    WindowUpdate {
        /// The stream.
        stream: u32,
        /// Bytes added to the window.
        delta: u32,
    },
    /// Bytes on a stream.
    Data {
        /// The stream.
        stream: u32,
        /// The sender's last frame on it.
        fin: bool,
        /// The bytes.
        data: Bytes,
    },
    /// A control frame of a type not known here: the spec says to ignore it.
    Unknown {
        /// Its type.
        kind: u16,
    },
}

/// Appends the encoding of `frame` to `out`, compressing header blocks with
/// the session's outgoing context.
pub fn encode(
    frame: &Frame,
    compressor: &mut HeaderCompressor,
    out: &mut Vec<u8>,
) -> Result<(), FrameError> {
    match frame {
        Frame::Data { stream, fin, data } => {
            let flags = if *fin { FLAG_FIN } else { 0 };
            push_head(out, stream & 0x7fff_ffff, flags, data.len())?;
            out.extend_from_slice(data);
        }
        Frame::SynStream {
            stream,
            associated,
            priority,
            fin,
            unidirectional,
            headers,
        } => {
            let mut payload = Vec::with_capacity(64);
            payload.extend_from_slice(&(stream & 0x7fff_ffff).to_be_bytes());
            payload.extend_from_slice(&(associated & 0x7fff_ffff).to_be_bytes());
            payload.push((priority & 0x07) << 5);
            payload.push(0); // credential slot
            compressor.compress(headers, &mut payload)?;
            let mut flags = if *fin { FLAG_FIN } else { 0 };
            if *unidirectional {
                flags |= FLAG_UNIDIRECTIONAL;
            }
            push_control(out, SYN_STREAM, flags, &payload)?;
        }
        Frame::SynReply {
            stream,
            fin,
            headers,
        }
        | Frame::Headers {
            stream,
            fin,
            headers,
        } => {
            let kind = if matches!(frame, Frame::SynReply { .. }) {
                SYN_REPLY
            } else {
                HEADERS
            };
            let mut payload = (stream & 0x7fff_ffff).to_be_bytes().to_vec();
            compressor.compress(headers, &mut payload)?;
            push_control(out, kind, if *fin { FLAG_FIN } else { 0 }, &payload)?;
        }
        Frame::RstStream { stream, status } => {
            push_control(
                out,
                RST_STREAM,
                0,
                &two_words(stream & 0x7fff_ffff, *status),
            )?;
        }
        Frame::Settings { entries } => {
            let mut payload = Vec::with_capacity(4 + 8 * entries.len());
            let count =
                u32::try_from(entries.len()).map_err(|_| FrameError::TooLong(entries.len()))?;
            payload.extend_from_slice(&count.to_be_bytes());
            for (flags, id, value) in entries {
                payload.extend_from_slice(
                    &((u32::from(*flags) << 24) | (id & 0x00ff_ffff)).to_be_bytes(),
                );
                payload.extend_from_slice(&value.to_be_bytes());
            }
            push_control(out, SETTINGS, 0, &payload)?;
        }
        Frame::Ping { id } => push_control(out, PING, 0, &id.to_be_bytes())?,
        Frame::GoAway { last_good, status } => {
            push_control(out, GOAWAY, 0, &two_words(last_good & 0x7fff_ffff, *status))?;
        }
        Frame::WindowUpdate { stream, delta } => {
            push_control(
                out,
                WINDOW_UPDATE,
                0,
                &two_words(stream & 0x7fff_ffff, delta & 0x7fff_ffff),
            )?;
        }
        Frame::Unknown { kind } => push_control(out, *kind, 0, &[])?,
    }
    Ok(())
}

fn two_words(first: u32, second: u32) -> [u8; 8] {
    let mut words = [0u8; 8];
    words[..4].copy_from_slice(&first.to_be_bytes());
    words[4..].copy_from_slice(&second.to_be_bytes());
    words
}

/// The 8 bytes that start every frame: `first` (the stream id of a data
/// frame, or control bit, version and type), then flags and length.
fn push_head(out: &mut Vec<u8>, first: u32, flags: u8, length: usize) -> Result<(), FrameError> {
    if length > MAX_PAYLOAD {
        return Err(FrameError::TooLong(length));
    }
    out.extend_from_slice(&first.to_be_bytes());
    // Fits: checked against the 24-bit limit above.
    let length = u32::try_from(length).map_err(|_| FrameError::TooLong(length))?;
    out.extend_from_slice(&((u32::from(flags) << 24) | length).to_be_bytes());
    Ok(())
}

fn push_control(out: &mut Vec<u8>, kind: u16, flags: u8, payload: &[u8]) -> Result<(), FrameError> {
    let first = 0x8000_0000 | (u32::from(VERSION) << 16) | u32::from(kind);
    push_head(out, first, flags, payload.len())?;
    out.extend_from_slice(payload);
    Ok(())
}

/// A frame's 8-byte head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Head([u8; 8]);

impl Head {
    /// The head in these 8 bytes.
    pub fn new(bytes: [u8; 8]) -> Self {
        Self(bytes)
    }

    /// The payload's length.
    pub fn length(self) -> usize {
        (usize::from(self.0[5]) << 16) | (usize::from(self.0[6]) << 8) | usize::from(self.0[7])
    }

    fn flags(self) -> u8 {
        self.0[4]
    }

    fn first(self) -> u32 {
        u32::from_be_bytes([self.0[0], self.0[1], self.0[2], self.0[3]])
    }
}

/// Decodes one frame: its head and its whole payload, inflating header
/// blocks with the session's incoming context.
pub fn decode(
    head: Head,
    payload: Bytes,
    decompressor: &mut HeaderDecompressor,
) -> Result<Frame, FrameError> {
    let first = head.first();
    let fin = head.flags() & FLAG_FIN != 0;
    if first & 0x8000_0000 == 0 {
        return Ok(Frame::Data {
            stream: first,
            fin,
            data: payload,
        });
    }
    let version = u16::try_from((first >> 16) & 0x7fff).unwrap_or(u16::MAX);
    if version != VERSION {
        return Err(FrameError::Version(version));
    }
    let kind = u16::try_from(first & 0xffff).unwrap_or(u16::MAX);
    let need = |name: &'static str, needed: usize| {
        if payload.len() < needed {
            Err(FrameError::Short {
                kind: name,
                length: payload.len(),
                needed,
            })
        } else {
            Ok(())
        }
    };
    let word = |at: usize| {
        u32::from_be_bytes([
            payload[at],
            payload[at + 1],
            payload[at + 2],
            payload[at + 3],
        ])
    };
    Ok(match kind {
        SYN_STREAM => {
            need("SYN_STREAM", 10)?;
            Frame::SynStream {
                stream: word(0) & 0x7fff_ffff,
                associated: word(4) & 0x7fff_ffff,
                priority: payload[8] >> 5,
                fin,
                unidirectional: head.flags() & FLAG_UNIDIRECTIONAL != 0,
                headers: decompressor.decompress(&payload[10..])?,
            }
        }
        SYN_REPLY | HEADERS => {
            need(
                if kind == SYN_REPLY {
                    "SYN_REPLY"
                } else {
                    "HEADERS"
                },
                4,
            )?;
            let stream = word(0) & 0x7fff_ffff;
            let headers = decompressor.decompress(&payload[4..])?;
            if kind == SYN_REPLY {
                Frame::SynReply {
                    stream,
                    fin,
                    headers,
                }
            } else {
                Frame::Headers {
                    stream,
                    fin,
                    headers,
                }
            }
        }
        RST_STREAM => {
            need("RST_STREAM", 8)?;
            Frame::RstStream {
                stream: word(0) & 0x7fff_ffff,
                status: word(4),
            }
        }
        SETTINGS => {
            need("SETTINGS", 4)?;
            let count = usize::try_from(word(0)).unwrap_or(usize::MAX);
            need("SETTINGS", 4usize.saturating_add(count.saturating_mul(8)))?;
            Frame::Settings {
                entries: (0..count)
                    .map(|i| {
                        let at = 4 + 8 * i;
                        let flags_id = word(at);
                        (
                            u8::try_from(flags_id >> 24).unwrap_or(0),
                            flags_id & 0x00ff_ffff,
                            word(at + 4),
                        )
                    })
                    .collect(),
            }
        }
        PING => {
            need("PING", 4)?;
            Frame::Ping { id: word(0) }
        }
        GOAWAY => {
            // SPDY/2 had no status: take a GOAWAY of 4 bytes too.
            need("GOAWAY", 4)?;
            Frame::GoAway {
                last_good: word(0) & 0x7fff_ffff,
                status: if payload.len() >= 8 { word(4) } else { 0 },
            }
        }
        WINDOW_UPDATE => {
            need("WINDOW_UPDATE", 8)?;
            Frame::WindowUpdate {
                stream: word(0) & 0x7fff_ffff,
                delta: word(4) & 0x7fff_ffff,
            }
        }
        other => Frame::Unknown { kind: other },
    })
}

/// Cuts a byte stream, arriving in WebSocket messages of any size, into
/// frames. The Go server writes each frame in several small messages (its
/// framer writes field by field), and a message may also hold several
/// frames; a data payload that arrives whole in one message is taken
/// without a copy.
#[derive(Debug, Default)]
pub struct Assembler {
    /// The bytes of a frame begun and not yet complete.
    pending: Vec<u8>,
}

impl Assembler {
    /// Takes in one message; appends the frames it completes to `out`.
    pub fn push(&mut self, mut message: Bytes, out: &mut Vec<(Head, Bytes)>) {
        loop {
            if self.pending.len() < 8 {
                let take = (8 - self.pending.len()).min(message.len());
                self.pending.extend_from_slice(&message.split_to(take));
                if self.pending.len() < 8 {
                    return;
                }
            }
            let mut head = [0u8; 8];
            head.copy_from_slice(&self.pending[..8]);
            let head = Head::new(head);
            let length = head.length();
            let have = self.pending.len() - 8;
            if have == 0 && message.len() >= length {
                out.push((head, message.split_to(length)));
                self.pending.clear();
                continue;
            }
            let take = (length - have).min(message.len());
            self.pending.extend_from_slice(&message.split_to(take));
            if self.pending.len() < 8 + length {
                return;
            }
            let payload = Bytes::copy_from_slice(&self.pending[8..]);
            self.pending.clear();
            out.push((head, payload));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(list: &[(&str, &str)]) -> Headers {
        list.iter()
            .map(|(n, v)| ((*n).to_string(), (*v).to_string()))
            .collect()
    }

    fn all_kinds() -> Vec<Frame> {
        vec![
            Frame::SynStream {
                stream: 1,
                associated: 0,
                priority: 0,
                fin: true,
                unidirectional: false,
                headers: headers(&[
                    ("port", "8000"),
                    ("requestid", "0"),
                    ("streamtype", "error"),
                ]),
            },
            Frame::SynStream {
                stream: 3,
                associated: 0,
                priority: 7,
                fin: false,
                unidirectional: true,
                headers: headers(&[("port", "8000"), ("requestid", "0"), ("streamtype", "data")]),
            },
            Frame::SynReply {
                stream: 3,
                fin: false,
                headers: Headers::new(),
            },
            Frame::Headers {
                stream: 3,
                fin: true,
                headers: headers(&[("x", "y\0z")]),
            },
            Frame::Data {
                stream: 3,
                fin: false,
                data: Bytes::from_static(b"GET / HTTP/1.1\r\n\r\n"),
            },
            Frame::Data {
                stream: 0x7fff_ffff,
                fin: true,
                data: Bytes::new(),
            },
            Frame::RstStream {
                stream: 3,
                status: CANCEL,
            },
            Frame::Settings {
                entries: vec![(1, 7, 65536), (0, 4, 100)],
            },
            Frame::Ping { id: 1 },
            Frame::GoAway {
                last_good: 5,
                status: 0,
            },
            Frame::WindowUpdate {
                stream: 3,
                delta: 65536,
            },
            Frame::Unknown { kind: 0x0a },
        ]
    }

    fn encode_all(frames: &[Frame]) -> Vec<u8> {
        let mut compressor = HeaderCompressor::new().unwrap();
        let mut out = Vec::new();
        for frame in frames {
            encode(frame, &mut compressor, &mut out).unwrap();
        }
        out
    }

    #[test]
    fn every_kind_of_frame_round_trips() {
        let frames = all_kinds();
        let bytes = encode_all(&frames);
        let mut assembler = Assembler::default();
        let mut raw = Vec::new();
        assembler.push(Bytes::from(bytes), &mut raw);
        let mut decompressor = HeaderDecompressor::new();
        let decoded: Vec<Frame> = raw
            .into_iter()
            .map(|(head, payload)| decode(head, payload, &mut decompressor).unwrap())
            .collect();
        assert_eq!(decoded, frames);
    }

    #[test]
    fn frames_come_out_whole_however_the_messages_cut_the_bytes() {
        let frames = all_kinds();
        let bytes = encode_all(&frames);
        for size in [1, 2, 3, 4, 7, 8, 9, 13, 64] {
            let mut assembler = Assembler::default();
            let mut raw = Vec::new();
            for piece in bytes.chunks(size) {
                assembler.push(Bytes::copy_from_slice(piece), &mut raw);
            }
            let mut decompressor = HeaderDecompressor::new();
            let decoded: Vec<Frame> = raw
                .into_iter()
                .map(|(head, payload)| decode(head, payload, &mut decompressor).unwrap())
                .collect();
            assert_eq!(decoded, frames, "messages of {size} bytes");
        }
    }

    #[test]
    fn control_and_data_frames_have_the_spec_layout() {
        let mut compressor = HeaderCompressor::new().unwrap();
        let mut out = Vec::new();
        encode(&Frame::Ping { id: 7 }, &mut compressor, &mut out).unwrap();
        assert_eq!(out, [0x80, 0x03, 0x00, 0x06, 0, 0, 0, 4, 0, 0, 0, 7]);
        out.clear();
        encode(
            &Frame::Data {
                stream: 5,
                fin: true,
                data: Bytes::from_static(b"hi"),
            },
            &mut compressor,
            &mut out,
        )
        .unwrap();
        assert_eq!(out, [0, 0, 0, 5, 0x01, 0, 0, 2, b'h', b'i']);
        out.clear();
        encode(
            &Frame::RstStream {
                stream: 5,
                status: CANCEL,
            },
            &mut compressor,
            &mut out,
        )
        .unwrap();
        assert_eq!(
            out,
            [0x80, 0x03, 0x00, 0x03, 0, 0, 0, 8, 0, 0, 0, 5, 0, 0, 0, 5]
        );
    }

    #[test]
    fn a_syn_reply_as_the_go_server_writes_it_decodes() {
        // SYN_REPLY for stream 1 with no headers, its block compressed by C
        // zlib with the SPDY dictionary (the server's first block).
        let block = [
            0x78, 0xf9, 0xe3, 0xc6, 0xa7, 0xc2, 0x02, 0xa6, 0x23, 0x06, 0x00, 0x00, 0x00, 0x00,
            0xff, 0xff,
        ];
        let mut bytes = vec![0x80, 0x03, 0x00, 0x02, 0x00, 0x00, 0x00, 4 + 16, 0, 0, 0, 1];
        bytes.extend_from_slice(&block);
        let mut raw = Vec::new();
        Assembler::default().push(Bytes::from(bytes), &mut raw);
        let (head, payload) = raw.pop().unwrap();
        assert_eq!(
            decode(head, payload, &mut HeaderDecompressor::new()).unwrap(),
            Frame::SynReply {
                stream: 1,
                fin: false,
                headers: Headers::new()
            }
        );
    }

    #[test]
    fn wrong_versions_and_short_frames_are_refused() {
        let mut decompressor = HeaderDecompressor::new();
        let head = Head::new([0x80, 0x02, 0x00, 0x06, 0, 0, 0, 4]);
        assert_eq!(
            decode(head, Bytes::from_static(&[0, 0, 0, 1]), &mut decompressor),
            Err(FrameError::Version(2))
        );
        let head = Head::new([0x80, 0x03, 0x00, 0x03, 0, 0, 0, 4]);
        assert!(matches!(
            decode(head, Bytes::from_static(&[0, 0, 0, 1]), &mut decompressor),
            Err(FrameError::Short {
                kind: "RST_STREAM",
                ..
            })
        ));
    }
}
