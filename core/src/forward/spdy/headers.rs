//! SPDY/3 header blocks: the name/value pairs of SYN_STREAM, SYN_REPLY and
//! HEADERS frames, zlib-compressed with the SPDY dictionary. Each direction
//! of a session has ONE compression context for all of its blocks (a block
//! refers back to earlier ones), each block ending in a sync flush, so the
//! compressor and the decompressor here live as long as their session.
//!
//! A block, before compression: the number of pairs, then for each the
//! name's length, the name, the value's length and the value (lengths 4
//! bytes, big-endian); several values of one name are joined by NUL.

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

use super::dictionary::dictionary;
use super::error::FrameError;

/// A header block's pairs, in order; names are lowercase.
pub type Headers = Vec<(String, String)>;

/// The largest inflated header block taken: port-forward's are ~60 bytes.
const MAX_BLOCK: usize = 256 * 1024;

/// The compressor of one direction of a session.
pub struct HeaderCompressor {
    deflate: Compress,
}

impl std::fmt::Debug for HeaderCompressor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HeaderCompressor").finish_non_exhaustive()
    }
}

impl HeaderCompressor {
    /// A context primed with the SPDY dictionary.
    pub fn new() -> Result<Self, FrameError> {
        let mut deflate = Compress::new(Compression::best(), true);
        deflate
            .set_dictionary(dictionary())
            .map_err(|e| FrameError::Deflate(e.to_string()))?;
        Ok(Self { deflate })
    }

    /// Appends the compressed block of `headers` to `out`.
    pub fn compress(
        &mut self,
        headers: &[(String, String)],
        out: &mut Vec<u8>,
    ) -> Result<(), FrameError> {
        let block = encode_block(headers)?;
        let mut input = block.as_slice();
        loop {
            out.reserve(input.len() + 64);
            let before = self.deflate.total_in();
            self.deflate
                .compress_vec(input, out, FlushCompress::Sync)
                .map_err(|e| FrameError::Deflate(e.to_string()))?;
            let consumed = usize::try_from(self.deflate.total_in() - before).unwrap_or(input.len());
            input = &input[consumed.min(input.len())..];
            // Done when all is in and the flush had room to finish.
            if input.is_empty() && out.len() < out.capacity() {
                return Ok(());
            }
        }
    }
}

/// The decompressor of one direction of a session.
pub struct HeaderDecompressor {
    inflate: Decompress,
}

impl std::fmt::Debug for HeaderDecompressor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HeaderDecompressor").finish_non_exhaustive()
    }
}

impl Default for HeaderDecompressor {
    fn default() -> Self {
        Self::new()
    }
}

impl HeaderDecompressor {
    /// A context that takes the SPDY dictionary when the stream asks for it.
    pub fn new() -> Self {
        Self {
            inflate: Decompress::new(true),
        }
    }

    /// The pairs of one compressed block.
    pub fn decompress(&mut self, compressed: &[u8]) -> Result<Headers, FrameError> {
        let mut out = Vec::with_capacity(compressed.len() * 4 + 64);
        let mut input = compressed;
        loop {
            let (in_before, out_before) = (self.inflate.total_in(), out.len());
            let result = self
                .inflate
                .decompress_vec(input, &mut out, FlushDecompress::Sync);
            let consumed =
                usize::try_from(self.inflate.total_in() - in_before).unwrap_or(input.len());
            input = &input[consumed.min(input.len())..];
            match result {
                Ok(Status::Ok | Status::BufError | Status::StreamEnd) => {}
                // The stream names the dictionary it was primed with.
                Err(e) if e.needs_dictionary().is_some() => {
                    self.inflate
                        .set_dictionary(dictionary())
                        .map_err(|e| FrameError::Inflate(e.to_string()))?;
                    continue;
                }
                Err(e) => return Err(FrameError::Inflate(e.to_string())),
            }
            if input.is_empty() && out.len() < out.capacity() {
                break;
            }
            if out.len() >= MAX_BLOCK {
                return Err(FrameError::HeaderBlockTooLarge { limit: MAX_BLOCK });
            }
            if out.len() == out.capacity() {
                out.reserve(out.capacity());
            } else if consumed == 0 && out.len() == out_before {
                // No progress with input left: the block is cut short.
                return Err(FrameError::HeaderBlock);
            }
        }
        decode_block(&out)
    }
}

/// The uncompressed block of `headers`.
pub fn encode_block(headers: &[(String, String)]) -> Result<Vec<u8>, FrameError> {
    let size = 4 + headers
        .iter()
        .map(|(name, value)| 8 + name.len() + value.len())
        .sum::<usize>();
    let mut block = Vec::with_capacity(size);
    push_length(&mut block, headers.len())?;
    for (name, value) in headers {
        push_length(&mut block, name.len())?;
        block.extend_from_slice(name.as_bytes());
        push_length(&mut block, value.len())?;
        block.extend_from_slice(value.as_bytes());
    }
    Ok(block)
}

fn push_length(block: &mut Vec<u8>, length: usize) -> Result<(), FrameError> {
    let length = u32::try_from(length).map_err(|_| FrameError::TooLong(length))?;
    block.extend_from_slice(&length.to_be_bytes());
    Ok(())
}

/// The pairs of an uncompressed block.
pub fn decode_block(block: &[u8]) -> Result<Headers, FrameError> {
    let mut rest = block;
    let count = take_length(&mut rest)?;
    // Each pair takes at least 8 bytes: a count beyond that is a lie.
    let mut headers = Vec::with_capacity(count.min(rest.len() / 8));
    for _ in 0..count {
        let name = take_text(&mut rest)?;
        let value = take_text(&mut rest)?;
        headers.push((name.to_ascii_lowercase(), value));
    }
    Ok(headers)
}

fn take_length(rest: &mut &[u8]) -> Result<usize, FrameError> {
    let (length, tail) = rest
        .split_first_chunk::<4>()
        .ok_or(FrameError::HeaderBlock)?;
    *rest = tail;
    usize::try_from(u32::from_be_bytes(*length)).map_err(|_| FrameError::HeaderBlock)
}

fn take_text(rest: &mut &[u8]) -> Result<String, FrameError> {
    let length = take_length(rest)?;
    if rest.len() < length {
        return Err(FrameError::HeaderBlock);
    }
    let (text, tail) = rest.split_at(length);
    *rest = tail;
    String::from_utf8(text.to_vec()).map_err(|_| FrameError::HeaderText)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Headers {
        list.iter()
            .map(|(n, v)| ((*n).to_string(), (*v).to_string()))
            .collect()
    }

    fn hex(text: &str) -> Vec<u8> {
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
            .collect()
    }

    /// The error and data stream headers of a port-forward, as two blocks of
    /// one session compressed by C zlib (Python's `zlib.compressobj(level=9,
    /// zdict=<the SPDY dictionary>)`, each block ending in `Z_SYNC_FLUSH`), as
    /// Go's compress/zlib in kubectl and the kubelet writes them.
    const ERROR_BLOCK: &str = "78f9e3c6a7c202253a48f95b044eea16060606409ab308125f99a074cc68004e892545a989b9d0c2863515141500000000ffff";
    const DATA_BLOCK: &str = "225333a8a44a04000000ffff";

    #[test]
    fn blocks_compressed_by_zlib_inflate_in_one_context() {
        let mut decompressor = HeaderDecompressor::new();
        assert_eq!(
            decompressor.decompress(&hex(ERROR_BLOCK)).unwrap(),
            pairs(&[
                ("port", "8000"),
                ("requestid", "0"),
                ("streamtype", "error")
            ])
        );
        // The second block refers back to the first: it only inflates in
        // the same context.
        assert_eq!(
            decompressor.decompress(&hex(DATA_BLOCK)).unwrap(),
            pairs(&[("port", "8000"), ("requestid", "0"), ("streamtype", "data")])
        );
        assert!(
            HeaderDecompressor::new()
                .decompress(&hex(DATA_BLOCK))
                .is_err()
        );
    }

    #[test]
    fn the_first_block_names_the_spdy_dictionary() {
        let mut compressor = HeaderCompressor::new().unwrap();
        let mut out = Vec::new();
        compressor
            .compress(&pairs(&[("streamtype", "data")]), &mut out)
            .unwrap();
        // zlib header (deflate, 32 KiB window, FDICT) and the dictionary's id.
        assert_eq!(out[0], 0x78);
        assert_eq!(out[1] & 0x20, 0x20, "FDICT set");
        assert_eq!(&out[2..6], &[0xe3, 0xc6, 0xa7, 0xc2]);
        // A sync flush ends every block.
        assert_eq!(&out[out.len() - 4..], &[0x00, 0x00, 0xff, 0xff]);
    }

    #[test]
    fn blocks_round_trip_through_one_context_each_way() {
        let mut compressor = HeaderCompressor::new().unwrap();
        let mut decompressor = HeaderDecompressor::new();
        for request in 0..50 {
            for kind in ["error", "data"] {
                let headers = pairs(&[
                    ("port", "8000"),
                    ("requestid", &request.to_string()),
                    ("streamtype", kind),
                ]);
                let mut out = Vec::new();
                compressor.compress(&headers, &mut out).unwrap();
                assert_eq!(decompressor.decompress(&out).unwrap(), headers);
            }
        }
        let mut out = Vec::new();
        compressor.compress(&[], &mut out).unwrap();
        assert_eq!(decompressor.decompress(&out).unwrap(), Headers::new());
    }

    #[test]
    fn an_uncompressed_block_is_counted_pairs_of_lengths_and_bytes() {
        let block = encode_block(&pairs(&[("port", "80")])).unwrap();
        assert_eq!(block, b"\0\0\0\x01\0\0\0\x04port\0\0\0\x0280");
        assert_eq!(decode_block(&block).unwrap(), pairs(&[("port", "80")]));
        assert_eq!(
            decode_block(&block[..block.len() - 1]),
            Err(FrameError::HeaderBlock)
        );
        assert_eq!(decode_block(b"\0\0\0\x05"), Err(FrameError::HeaderBlock));
    }
}
