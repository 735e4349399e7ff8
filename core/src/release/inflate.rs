//! Reading a stored record (ours or helm's): gzip inflated with a ceiling,
//! then JSON parsed only when it holds a bounded number of values, so that
//! a damaged or hostile record (a gzip bomb, a million tiny values) costs
//! bounded memory and time, and its error never quotes what it holds (a
//! record carries generated passwords).

use std::io::Read;

use serde::de::DeserializeOwned;

/// Why stored bytes could not be read as a record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InflateError {
    /// Not a gzip stream (or a damaged one).
    #[error("not gzip: {0}")]
    NotGzip(String),
    /// Inflates past the ceiling.
    #[error("it inflates to more than {limit} bytes, more than a record may")]
    TooLarge {
        /// The ceiling, in bytes.
        limit: u64,
    },
    /// Holds more JSON values than a record may.
    #[error("it holds more than {limit} values, more than a record may")]
    TooManyValues {
        /// The ceiling.
        limit: usize,
    },
    /// Not the JSON expected: where, and what kind of fault (never the text
    /// found there).
    #[error("not a record: {fault} at line {line}, column {column}")]
    NotARecord {
        /// `a JSON syntax error`, `a value of the wrong type or shape`,
        /// `JSON that ends early`.
        fault: &'static str,
        /// Line in the inflated JSON.
        line: usize,
        /// Column in the inflated JSON.
        column: usize,
    },
}

/// Inflates `gzip` to at most `max_bytes` bytes. The stream is inflated
/// twice: once to measure it without keeping anything (a bomb stops there,
/// having allocated nothing), then into a buffer of exactly its size (no
/// doubling growth, so memory is the record's size, not twice it).
pub fn inflate(gzip: &[u8], max_bytes: u64) -> Result<Vec<u8>, InflateError> {
    let not_gzip = |e: std::io::Error| InflateError::NotGzip(e.to_string());
    let size = std::io::copy(
        &mut flate2::read::GzDecoder::new(gzip).take(max_bytes + 1),
        &mut std::io::sink(),
    )
    .map_err(not_gzip)?;
    if size > max_bytes {
        return Err(InflateError::TooLarge { limit: max_bytes });
    }
    let mut out = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    flate2::read::GzDecoder::new(gzip)
        .take(size)
        .read_to_end(&mut out)
        .map_err(not_gzip)?;
    Ok(out)
}

/// Parses `json` when it holds at most `max_values` values (its parsed
/// form is then bounded too: each value costs tens of bytes, whatever its
/// text's length).
pub fn parse<T: DeserializeOwned>(json: &[u8], max_values: usize) -> Result<T, InflateError> {
    if values(json) > max_values {
        return Err(InflateError::TooManyValues { limit: max_values });
    }
    serde_json::from_slice(json).map_err(|e| {
        use serde_json::error::Category;
        let fault = match e.classify() {
            Category::Syntax | Category::Io => "a JSON syntax error",
            Category::Data => "a value of the wrong type or shape",
            Category::Eof => "JSON that ends early",
        };
        InflateError::NotARecord {
            fault,
            line: e.line(),
            column: e.column(),
        }
    })
}

/// An upper bound of the values in a JSON text: one per `[`, `{`, `,` and
/// `:` outside strings, plus one. Linear, without allocating.
fn values(json: &[u8]) -> usize {
    let mut count = 1usize;
    let mut in_string = false;
    let mut escaped = false;
    for &b in json {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' | b',' | b':' => count += 1,
            _ => {}
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use std::io::Write;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut gz = GzEncoder::new(Vec::new(), Compression::best());
        gz.write_all(bytes).unwrap();
        gz.finish().unwrap()
    }

    #[test]
    fn values_are_counted_outside_strings_only() {
        assert_eq!(values(br#"{"a":[1,2],"b":"x,y:[{"}"#), 7);
        assert_eq!(values(br#""a\",b""#), 1);
    }

    #[test]
    fn a_record_of_many_tiny_values_is_refused_before_parsing() {
        let mut json = b"[0".to_vec();
        json.extend(b",0".repeat(1_000_000));
        json.push(b']');
        let inflated = inflate(&gzip(&json), 16 << 20).unwrap();
        let error = parse::<serde_json::Value>(&inflated, 400_000).unwrap_err();
        assert_eq!(error, InflateError::TooManyValues { limit: 400_000 });
    }

    #[test]
    fn a_bomb_stops_at_the_ceiling() {
        let zeros = vec![b' '; 4 << 20];
        assert_eq!(
            inflate(&gzip(&zeros), 1 << 20).unwrap_err(),
            InflateError::TooLarge { limit: 1 << 20 }
        );
        assert!(matches!(
            inflate(b"not gzip", 1 << 20).unwrap_err(),
            InflateError::NotGzip(_)
        ));
    }

    #[test]
    fn a_json_error_says_where_and_never_what() {
        type Record = std::collections::HashMap<String, u32>;
        let error = parse::<Record>(br#"{"revision": "hunter2"}"#, 100).unwrap_err();
        let text = error.to_string();
        assert!(text.contains("wrong type or shape at line 1"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
    }
}
