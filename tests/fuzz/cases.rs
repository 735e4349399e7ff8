//! One case of each target, and the properties every case must keep: it
//! returns (no panic), its errors are typed and bounded (one message at
//! most `MAX_ERROR_CHARS` characters, the list at most `MAX_ERRORS_LISTED`
//! errors), and no error prints a planted value.

use std::io::Write;
use std::path::Path;

use base64::Engine;
use flate2::Compression;
use flate2::write::GzEncoder;
use polyaxon_core::config::limits::{MAX_ERROR_CHARS, MAX_ERRORS_LISTED};
use polyaxon_core::config::{self, LoadOptions};
use polyaxon_core::helm;
use polyaxon_core::release;

use crate::mutate::Planted;

/// A property a case broke.
pub type Broken = String;

/// Loads `bytes` as the config file at `path` (written there first, so the
/// file limits apply as for `-f`) with `set` and flags.
pub fn loader(
    path: &Path,
    bytes: &[u8],
    set: Vec<String>,
    flags: (Option<String>, Option<String>),
    planted: &Planted,
) -> Result<(), Broken> {
    std::fs::write(path, bytes).map_err(|e| format!("cannot write the case: {e}"))?;
    let options = LoadOptions {
        files: vec![path.to_path_buf()],
        set,
        release_name: flags.0,
        namespace: flags.1,
        ..LoadOptions::default()
    };
    let Err(errors) = config::load(&options) else {
        return Ok(());
    };
    if errors.found() == 0 {
        return Err("an error result without errors".into());
    }
    for error in errors.iter() {
        let text = error.to_string();
        if text.chars().count() > MAX_ERROR_CHARS {
            return Err(format!(
                "a message of {} characters: {text:.200}",
                text.chars().count()
            ));
        }
        if error.location.is_none() && !error.path.is_empty() {
            return Err(format!("an error at a key without a place: {text:.200}"));
        }
    }
    let text = errors.to_string();
    let listed = text
        .lines()
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .count();
    if listed > MAX_ERRORS_LISTED + 1 {
        return Err(format!("{listed} errors listed"));
    }
    if let Some(token) = planted.found_in(&text) {
        return Err(format!(
            "a planted value ({token}) is printed:\n{text:.2000}"
        ));
    }
    Ok(())
}

/// Which decoder a record case goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decoder {
    /// This tool's records: gzip of JSON.
    Ours,
    /// helm's: base64 of gzip of JSON.
    Helm,
}

/// Decodes `bytes` with `decoder`; the error, if any, must not print a
/// planted value.
pub fn record(decoder: Decoder, bytes: &[u8], planted: &Planted) -> Result<(), Broken> {
    let error = match decoder {
        Decoder::Ours => release::decode_bytes(bytes).err().map(|e| e.to_string()),
        Decoder::Helm => helm::decode(bytes).err().map(|e| e.to_string()),
    };
    match error {
        Some(text) => match planted.found_in(&text) {
            Some(token) => Err(format!("a planted value ({token}) is printed: {text:.500}")),
            None => Ok(()),
        },
        None => Ok(()),
    }
}

/// Gzip of `bytes`.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
    // Writing to a Vec cannot fail.
    let _ = gz.write_all(bytes);
    gz.finish().unwrap_or_default()
}

/// Base64 of `bytes`, as helm stores its records.
pub fn base64(bytes: &[u8]) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .encode(bytes)
        .into_bytes()
}

/// Base64 decoded, or the bytes as they are.
pub fn unbase64(bytes: &[u8]) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(bytes.trim_ascii())
        .unwrap_or_else(|_| bytes.to_vec())
}
