//! Config errors: each with the key path, where it was written, what is wrong
//! and what would be valid. Loading collects all of them.

use std::fmt;
use std::path::PathBuf;

use super::limits::{MAX_ERROR_CHARS, MAX_ERRORS_LISTED};

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Source {
    /// A `-f` config file.
    File(PathBuf),
    /// A `--set` argument: which one (from 0) and the key of the pair (never
    /// its value, which may be a secret); the key is empty for the whole
    /// argument.
    Set {
        /// Its position among the `--set` arguments.
        position: usize,
        /// The key of the pair.
        key: String,
    },
    /// A flag such as `--namespace`.
    Flag(&'static str),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::File(path) => write!(f, "{}", path.display()),
            Source::Set { position, key } if key.is_empty() => {
                write!(f, "--set argument {}", position + 1)
            }
            Source::Set { key, .. } => write!(f, "--set {key}=…"),
            Source::Flag(flag) => f.write_str(flag),
        }
    }
}

/// A place in a source: file, line and column (both 1-based). Flags and
/// `--set` arguments have no lines; they print as the argument.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Location {
    /// The file or argument.
    pub source: Source,
    /// Line, 1-based (0 for flags and `--set`).
    pub line: usize,
    /// Column, 1-based (0 for flags and `--set`).
    pub column: usize,
}

impl Location {
    /// A place in a file.
    pub fn file(path: impl Into<PathBuf>, line: usize, column: usize) -> Self {
        Self {
            source: Source::File(path.into()),
            line,
            column,
        }
    }

    /// A flag or `--set` argument.
    pub fn argument(source: Source) -> Self {
        Self {
            source,
            line: 0,
            column: 0,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            Source::File(path) if self.line > 0 => {
                write!(f, "{}:{}:{}", path.display(), self.line, self.column)
            }
            other => write!(f, "{other}"),
        }
    }
}

/// What is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// The file could not be read.
    #[error("cannot read the file: {0}")]
    Unreadable(String),
    /// YAML syntax error.
    #[error("YAML syntax error: {0}")]
    Syntax(String),
    /// A `--set` argument that does not parse.
    #[error("cannot parse --set: {0}")]
    BadSet(String),
    /// The top of a config file is not a mapping.
    #[error("a deployment config must be a mapping of keys, found {found}")]
    NotAMapping {
        /// What was found instead.
        found: String,
    },
    /// The same key twice in one mapping.
    #[error("key `{key}` is given twice in the same mapping (first at line {first_line})")]
    DuplicateKey {
        /// The key.
        key: String,
        /// Line of the first occurrence.
        first_line: usize,
    },
    /// A key the schema does not know.
    #[error("unknown key `{key}`")]
    UnknownKey {
        /// The key as written.
        key: String,
    },
    /// A key of the other generation.
    #[error(
        "`{key}` is a Polyaxon {key_generation} key, but this config follows {config_generation} rules ({why})"
    )]
    OtherGeneration {
        /// The key path.
        key: String,
        /// `1.x` or `2.x`: where the key belongs.
        key_generation: &'static str,
        /// `1.x` or `2.x`: the rules in force.
        config_generation: &'static str,
        /// Why these rules are in force (pinned where, or unpinned).
        why: String,
    },
    /// Two spellings of the same key.
    #[error("`{key}` and `{other}` are two spellings of the same setting; give only one")]
    TwoSpellings {
        /// One spelling.
        key: String,
        /// The other.
        other: String,
    },
    /// Wrong type.
    #[error("expected {expected}, found {found}")]
    WrongType {
        /// What the schema wants.
        expected: String,
        /// What was given.
        found: String,
    },
    /// A value outside a fixed set.
    #[error("the value given is not an accepted one")]
    NotOneOf {
        /// The value given.
        value: String,
    },
    /// A value Kubernetes would refuse, or out of range.
    #[error("{0}")]
    Invalid(String),
    /// A version that cannot be pinned.
    #[error("{0}")]
    Version(#[from] crate::version::PinError),
    /// One of Polyaxon's own rules.
    #[error("{0}")]
    Rule(String),
}

/// One error in a config, with everything a person needs to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The key path (`gateway.service.type`, `connections[1].name`); empty for
    /// the whole file.
    pub path: String,
    /// Where the offending key or value was written, when known.
    pub location: Option<Location>,
    /// What is wrong.
    pub problem: Problem,
    /// What would be valid (a suggestion, the accepted values, how to pin).
    pub valid: Option<String>,
}

impl ConfigError {
    /// An error at `path`, written at `location`.
    pub fn new(path: impl Into<String>, location: Option<Location>, problem: Problem) -> Self {
        Self {
            path: path.into(),
            location,
            problem,
            valid: None,
        }
    }

    /// Adds what would be valid.
    pub fn valid(mut self, valid: impl Into<String>) -> Self {
        self.valid = Some(valid.into());
        self
    }
}

impl fmt::Display for ConfigError {
    /// At most [`MAX_ERROR_CHARS`] characters: a key or a parser message
    /// may be as long as the input, and one line must stay readable.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = String::new();
        if let Some(location) = &self.location {
            text.push_str(&location.to_string());
            text.push_str(": ");
        }
        if !self.path.is_empty() {
            text.push_str(&self.path);
            text.push_str(": ");
        }
        text.push_str(&self.problem.to_string());
        if let Some(valid) = &self.valid {
            text.push_str("\n    valid: ");
            text.push_str(valid);
        }
        f.write_str(&capped(&text, MAX_ERROR_CHARS))
    }
}

/// `text` cut to at most `max` characters (an ellipsis marks the cut).
pub(crate) fn capped(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let head: String = text.chars().take(max.saturating_sub(1)).collect();
    format!("{head}…")
}

/// Every error found in a config, in the order of the sources: the first
/// [`MAX_ERRORS_KEPT`](super::limits::MAX_ERRORS_KEPT) in full, the rest only counted (a config of
/// thousands of wrong keys costs neither time nor memory to report).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConfigErrors {
    errors: Vec<ConfigError>,
    uncounted: usize,
}

impl ConfigErrors {
    /// `errors` in full, and `more` errors found but not kept.
    pub fn new(errors: Vec<ConfigError>, more: usize) -> Self {
        Self {
            errors,
            uncounted: more,
        }
    }

    /// The errors kept in full.
    pub fn iter(&self) -> std::slice::Iter<'_, ConfigError> {
        self.errors.iter()
    }

    /// How many errors are kept in full.
    pub fn len(&self) -> usize {
        self.errors.len()
    }

    /// How many errors were found in all (kept or only counted).
    pub fn found(&self) -> usize {
        self.errors.len() + self.uncounted
    }

    /// None at all.
    pub fn is_empty(&self) -> bool {
        self.found() == 0
    }
}

impl fmt::Display for ConfigErrors {
    /// The first [`MAX_ERRORS_LISTED`] errors, then how many more there are.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.found();
        writeln!(
            f,
            "the deployment config has {count} error{}:",
            if count == 1 { "" } else { "s" }
        )?;
        for error in self.errors.iter().take(MAX_ERRORS_LISTED) {
            writeln!(f, "  {}", error.to_string().replace('\n', "\n  "))?;
        }
        let listed = self.errors.len().min(MAX_ERRORS_LISTED);
        if count > listed {
            writeln!(
                f,
                "  … and {} more (fix these first, then check again)",
                count - listed
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

impl IntoIterator for ConfigErrors {
    type Item = ConfigError;
    type IntoIter = std::vec::IntoIter<ConfigError>;
    fn into_iter(self) -> Self::IntoIter {
        self.errors.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(path: &str) -> ConfigError {
        ConfigError::new(
            path,
            Some(Location::file("c.yml", 1, 1)),
            Problem::UnknownKey { key: path.into() },
        )
    }

    #[test]
    fn one_message_is_cut_at_the_limit() {
        let long = "k".repeat(10 * MAX_ERROR_CHARS);
        let text = error(&long).to_string();
        assert_eq!(text.chars().count(), MAX_ERROR_CHARS);
        assert!(text.ends_with('…'), "{text}");
        let short = error("gateway").to_string();
        assert_eq!(short, "c.yml:1:1: gateway: unknown key `gateway`");
        assert_eq!(capped("abc", 3), "abc");
        assert_eq!(capped("abcd", 3), "ab…");
    }

    #[test]
    fn the_list_stops_at_the_limit_and_counts_the_rest() {
        let kept: Vec<ConfigError> = (0..MAX_ERRORS_LISTED + 5)
            .map(|i| error(&format!("k{i}")))
            .collect();
        let all = ConfigErrors::new(kept, 1000);
        let text = all.to_string();
        let total = MAX_ERRORS_LISTED + 1005;
        assert!(
            text.starts_with(&format!("the deployment config has {total} errors:")),
            "{text}"
        );
        assert_eq!(text.lines().count(), MAX_ERRORS_LISTED + 2, "{text}");
        assert!(text.contains("… and 1005 more"), "{text}");
        assert_eq!(all.found(), total);
    }
}
