//! What the loader accepts at most, so that no input (careless or hostile)
//! can exhaust memory or time: a config of any real deployment is far
//! below each limit. Each limit, when hit, is a config error naming the
//! file (line and column when there is one) and the limit.

use std::io::Read;
use std::path::Path;

use super::error::{ConfigError, Location, Problem};

/// The largest config file read (a real one is a few KiB).
pub const MAX_FILE_BYTES: u64 = 4 << 20;
/// The most values (keys not counted) a file may hold once its aliases are
/// expanded: a YAML alias bomb ("billion laughs") stops here instead of
/// expanding, well under 100 MB.
pub const MAX_NODES: usize = 200_000;
/// The deepest nesting of mappings and lists.
pub const MAX_DEPTH: usize = 64;
/// The largest list index `--set` accepts (`a[1000]=x`).
pub const MAX_SET_INDEX: usize = 1_000;
/// The most `KEY=VALUE` pairs all `--set` arguments may hold together.
pub const MAX_SET_PAIRS: usize = 1_000;
/// The most errors kept in full (sorted, then listed); past it they are only
/// counted, so that a config of many wrong keys is reported in linear time
/// and bounded memory.
pub const MAX_ERRORS_KEPT: usize = 1_000;
/// The most errors listed; the rest are counted ("… and 12 more").
pub const MAX_ERRORS_LISTED: usize = 50;
/// The longest one error message may be, in characters.
pub const MAX_ERROR_CHARS: usize = 400;

/// Reads a config file: a regular file (not a FIFO or a device, which may
/// block or never end) of at most [`MAX_FILE_BYTES`], in UTF-8 (an invalid
/// byte is reported at its line and column).
pub fn read_config_file(path: &Path) -> Result<String, Box<ConfigError>> {
    let unreadable = |why: String, valid: &str| {
        Box::new(
            ConfigError::new(
                "",
                Some(Location::file(path, 0, 0)),
                Problem::Unreadable(why),
            )
            .valid(valid.to_string()),
        )
    };
    let readable = "a readable YAML file (check the -f path)";
    // Opening a FIFO for reading blocks until a writer comes: look first.
    let meta = std::fs::metadata(path).map_err(|e| unreadable(e.to_string(), readable))?;
    if !meta.is_file() {
        let kind = if meta.is_dir() {
            "a directory"
        } else {
            "not a regular file (a pipe, socket or device)"
        };
        return Err(unreadable(
            format!("it is {kind}"),
            "a regular YAML file; to read a stream, save it to a file first",
        ));
    }
    let too_big = |size: u64| {
        unreadable(
            format!("it holds {size} bytes or more, over the limit of {MAX_FILE_BYTES}"),
            "a deployment config under 4 MiB",
        )
    };
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_big(meta.len()));
    }
    let file = std::fs::File::open(path).map_err(|e| unreadable(e.to_string(), readable))?;
    let mut bytes = Vec::new();
    // The file may grow between the look and the read: read at most the limit.
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| unreadable(e.to_string(), readable))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_big(bytes.len() as u64));
    }
    utf8(bytes, path)
}

/// The text of `bytes`, or an error at the line and column of the first
/// byte that is not UTF-8.
pub fn utf8(bytes: Vec<u8>, path: &Path) -> Result<String, Box<ConfigError>> {
    String::from_utf8(bytes).map_err(|error| {
        let valid_up_to = error.utf8_error().valid_up_to();
        let before = &error.as_bytes()[..valid_up_to];
        let line = before.iter().filter(|b| **b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count()
            + 1;
        Box::new(
            ConfigError::new(
                "",
                Some(Location::file(path, line, column)),
                Problem::Unreadable(format!("byte {} of the file is not UTF-8", valid_up_to + 1)),
            )
            .valid("a YAML file in UTF-8"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_and_a_directory_are_refused_without_reading() {
        for path in ["/dev/zero", "/tmp"] {
            let error = read_config_file(Path::new(path)).unwrap_err().to_string();
            assert!(error.starts_with(&format!("{path}: ")), "{error}");
            assert!(error.contains("it is "), "{error}");
        }
    }

    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = std::env::temp_dir().join(format!("plx-fifo-{}", std::process::id()));
        let _ = std::fs::remove_file(&dir);
        let made = std::process::Command::new("mkfifo").arg(&dir).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo");
        let error = read_config_file(&dir).unwrap_err().to_string();
        let _ = std::fs::remove_file(&dir);
        assert!(error.contains("not a regular file"), "{error}");
    }

    #[test]
    fn a_file_over_the_limit_is_refused() {
        let path = std::env::temp_dir().join(format!("plx-big-{}.yml", std::process::id()));
        let file = std::fs::File::create(&path).unwrap();
        file.set_len(MAX_FILE_BYTES + 1).unwrap();
        let error = read_config_file(&path).unwrap_err().to_string();
        let _ = std::fs::remove_file(&path);
        assert!(error.contains("over the limit of 4194304"), "{error}");
    }

    #[test]
    fn a_byte_that_is_not_utf8_is_placed_at_its_line_and_column() {
        let error = utf8(b"a: 1\nbb: \xff\n".to_vec(), Path::new("c.yml"))
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("c.yml:2:5: "), "{error}");
        assert!(
            error.contains("byte 10 of the file is not UTF-8"),
            "{error}"
        );
        // Column counts characters, not bytes: `é` is two bytes, one column.
        let error = utf8(b"\xc3\xa9: \xc3(\n".to_vec(), Path::new("c.yml"))
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("c.yml:1:4: "), "{error}");
        assert!(error.contains("byte 5 "), "{error}");
    }
}
