//! Config generations: a config pinned to 1.x follows the 1.x rules; one
//! pinned to 2.x, or not pinned, follows the 2.x rules. The seed parameters
//! are accepted in both.

use std::fmt;

use super::keys::Gen;
use crate::version::{self, PinnedVersion, VersionSource};

/// Which generation's rules a config follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Generation {
    /// Polyaxon 1.x.
    V1,
    /// Polyaxon 2.x (and later).
    V2,
}

impl Generation {
    /// The generation of a version.
    pub fn of(version: &version::PolyaxonVersion) -> Self {
        if version.major() <= 1 {
            Generation::V1
        } else {
            Generation::V2
        }
    }

    /// `1.x` or `2.x`.
    pub fn label(self) -> &'static str {
        match self {
            Generation::V1 => "1.x",
            Generation::V2 => "2.x",
        }
    }

    /// Whether a key of generation `key` is accepted under these rules.
    pub fn accepts(self, key: Gen) -> bool {
        matches!(
            (self, key),
            (_, Gen::Both) | (_, Gen::Seed) | (Generation::V1, Gen::V1) | (Generation::V2, Gen::V2)
        )
    }
}

impl fmt::Display for Generation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The rules in force and how to explain them.
#[derive(Debug, Clone)]
pub struct Rules {
    /// The generation.
    pub generation: Generation,
    /// Why: "not pinned, …" or "pinned to 1.14.0 by …".
    pub why: String,
}

impl Rules {
    /// The rules for a pinned version.
    pub fn for_pin(pinned: &PinnedVersion) -> Self {
        let generation = Generation::of(&pinned.version);
        let why = match &pinned.source {
            VersionSource::Latest => format!(
                "not pinned, so the newest release {} and its rules apply",
                pinned.version
            ),
            source => format!("pinned to {} by {source}", pinned.version),
        };
        Self { generation, why }
    }

    /// How to follow the other generation's rules instead.
    pub fn how_to_pin(key_generation: Gen) -> String {
        let (major, label) = match key_generation {
            Gen::V1 => (1, "1.x"),
            _ => (2, "2.x"),
        };
        match version::latest_of_major(major) {
            Some(v) => format!(
                "remove it, or pin {label} to keep it: `deploymentVersion: {v}` in the config (or --deployment-version {v})"
            ),
            None => "remove it".to_string(),
        }
    }
}
