//! The deployment config: schema, loading and merging, `--set`, validation.
//!
//! [`load`] reads the `-f` files in order and deep-merges them (mappings
//! merge, scalars and lists from later files win), applies `--set` overrides
//! and then the flags, pins the Polyaxon version, and validates the result
//! under the rules of the pinned generation. Every error is collected, each
//! with its key path, file, line and column, and what would be valid.
//!
//! [`schema`] is the typed model the renderers read.

mod error;
mod generation;
mod k8s;
mod key_index;
mod keys;
pub mod limits;
mod rules;
pub mod schema;
mod set;
mod tree;
mod validate;

use std::path::{Path, PathBuf};

pub use error::{ConfigError, ConfigErrors, Location, Problem, Source};
pub use generation::Generation;
pub use schema::{Chart, DeploymentConfig};

use crate::version::{self, PinnedVersion, VersionSource};
use key_index::KeyIndex;
use tree::{Node, Value};

/// Where the config comes from: the CLI's `-f`, `--set` and flags.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Config files, merged in order (later files win).
    pub files: Vec<PathBuf>,
    /// `--set` arguments, applied in order after the files.
    pub set: Vec<String>,
    /// `--deployment-version`: wins over the config's `deploymentVersion`.
    pub deployment_version: Option<String>,
    /// `--namespace`: wins over the config's `namespace`.
    pub namespace: Option<String>,
    /// `--release-name`: wins over the config's `releaseName`.
    pub release_name: Option<String>,
    /// `--deployment-type`: wins over the config's `deploymentType`.
    pub deployment_type: Option<String>,
}

/// A loaded, pinned and validated deployment.
#[derive(Debug, Clone)]
pub struct Deployment {
    /// The typed config (alternative spellings folded; defaults not applied).
    pub config: DeploymentConfig,
    /// The chart to render.
    pub chart: Chart,
    /// The release name (`releaseName`/`--release-name`, else the chart's
    /// default, [`default_release_name`]).
    pub release_name: String,
    /// The namespace (`namespace`/`--namespace`, else `polyaxon`).
    pub namespace: String,
    /// The pinned version and where it came from.
    pub version: PinnedVersion,
    /// Which generation's rules the config follows.
    pub generation: Generation,
    /// The merged config as given (files, `--set`, flags), for the release record.
    pub values: serde_json::Value,
}

/// The release name when none is given and no chart is known (the platform's).
pub const DEFAULT_RELEASE_NAME: &str = "polyaxon";

/// The release name of a chart when none is given: what the Python CLI
/// installs it as (`polyaxon` for the platform, `agent` for the agent chart),
/// and for ponos `ponos`, which names its objects as the Ponos guide does
/// (`ponos-agent`, `ponos-config`, `ponos-rights`).
pub fn default_release_name(chart: Chart) -> &'static str {
    match chart {
        Chart::Platform => DEFAULT_RELEASE_NAME,
        Chart::Agent => "agent",
        Chart::Ponos => "ponos",
    }
}
/// The namespace when none is given.
pub const DEFAULT_NAMESPACE: &str = "polyaxon";

/// Loads, merges, pins and validates the config. Returns every error found.
pub fn load(options: &LoadOptions) -> Result<Deployment, ConfigErrors> {
    load_documents(options.files.iter().map(|path| read_file(path)), options)
}

/// [`load`] with config texts read before the files: each `(name, text)` is
/// a config file named `name` in errors. For callers that hold the config
/// in memory (tests, generated configs).
pub fn load_texts(
    texts: &[(&str, &str)],
    options: &LoadOptions,
) -> Result<Deployment, ConfigErrors> {
    let texts = texts
        .iter()
        .map(|(name, text)| tree::parse(text, Path::new(name)));
    load_documents(
        texts.chain(options.files.iter().map(|path| read_file(path))),
        options,
    )
}

fn load_documents(
    documents: impl Iterator<Item = Result<Node, Box<ConfigError>>>,
    options: &LoadOptions,
) -> Result<Deployment, ConfigErrors> {
    let mut errors: Vec<ConfigError> = Vec::new();

    // Files, merged in order; a broken file is reported and skipped so that
    // the others are still checked.
    // One index of the tree's keys serves every file and `--set` pair: each
    // mapping is indexed once, so loading stays linear in the input.
    let mut root = Node::empty_map(Location::argument(Source::Flag("(no config file)")));
    let mut index = KeyIndex::default();
    for document in documents {
        match document {
            Ok(node) => tree::merge_into(&mut root, node, &mut index),
            Err(error) => errors.push(*error),
        }
    }
    let mut budget = limits::MAX_SET_PAIRS;
    for (position, argument) in options.set.iter().enumerate() {
        if let Err(error) = set::apply(&mut root, &mut index, argument, position, &mut budget) {
            errors.push(*error);
        }
    }
    apply_flags(&mut root, options);
    let values = root.value.to_json();

    // Pin, then pick the rules: 1.x pins follow 1.x rules, the rest 2.x.
    let chart_text = root
        .get("deploymentChart")
        .and_then(|e| e.value.value.as_str());
    let checked = chart_text != Some("ponos");
    let (pinned, rules) = pin(&root, checked, &mut errors);

    let walked = validate::walk(&root, &rules);
    let normalised = walked.value;
    let walked_clean = walked.errors.is_empty() && walked.uncounted == 0;
    let mut uncounted = walked.uncounted;
    errors.extend(walked.errors);

    let config = match build(normalised, &root) {
        Ok(config) => Some(config),
        Err(error) => {
            // Only report a model error when the walk found nothing: the walk's
            // errors explain the same problem better.
            if walked_clean {
                errors.push(*error);
            }
            None
        }
    };
    if let Some(config) = &config {
        errors.extend(rules::check(config, &root, &rules));
    }

    match (config, pinned) {
        (Some(config), Some(version)) if errors.is_empty() => {
            let chart = config.deployment_chart.unwrap_or(Chart::Platform);
            Ok(Deployment {
                chart,
                release_name: config
                    .release_name
                    .clone()
                    .unwrap_or_else(|| default_release_name(chart).to_string()),
                namespace: config
                    .namespace
                    .clone()
                    .unwrap_or_else(|| DEFAULT_NAMESPACE.to_string()),
                generation: rules.generation,
                version,
                config,
                values,
            })
        }
        _ => {
            // One error per key: the first found says the most (a key of the
            // other generation that is also platform-only is reported for its
            // generation; an invalid required value is not also "missing").
            let mut seen = std::collections::HashSet::new();
            errors.retain(|e| e.path.is_empty() || seen.insert(e.path.clone()));
            sort(&mut errors, options);
            if errors.len() > limits::MAX_ERRORS_KEPT {
                uncounted += errors.len() - limits::MAX_ERRORS_KEPT;
                errors.truncate(limits::MAX_ERRORS_KEPT);
            }
            Err(ConfigErrors::new(errors, uncounted))
        }
    }
}

fn read_file(path: &Path) -> Result<Node, Box<ConfigError>> {
    let text = limits::read_config_file(path)?;
    tree::parse(&text, path)
}

fn apply_flags(root: &mut Node, options: &LoadOptions) {
    let flags = [
        (
            &options.deployment_version,
            "deploymentVersion",
            "--deployment-version",
        ),
        (&options.namespace, "namespace", "--namespace"),
        (&options.release_name, "releaseName", "--release-name"),
        (
            &options.deployment_type,
            "deploymentType",
            "--deployment-type",
        ),
    ];
    for (value, key, flag) in flags {
        if let Some(value) = value {
            if key == "deploymentType" {
                // The flag replaces the seed's `DeploymentType` spelling too.
                if let Value::Map(entries) = &mut root.value {
                    entries.retain(|e| e.key != "DeploymentType");
                }
            }
            set::set_flag(root, key, value, flag);
        }
    }
}

/// Pins the version and chooses the rules. A version that cannot be pinned
/// is an error; validation then goes on under the rules it most likely meant.
fn pin(
    root: &Node,
    checked: bool,
    errors: &mut Vec<ConfigError>,
) -> (Option<PinnedVersion>, generation::Rules) {
    let entry = root.get("deploymentVersion");
    let (requested, source, location) = match entry {
        Some(entry) => {
            let location = entry.value.at.clone();
            let source = match &location.source {
                Source::Flag(_) => VersionSource::Flag,
                _ => VersionSource::Config(location.clone()),
            };
            match &entry.value.value {
                Value::Str(text) => (Some(text.as_str()), source, Some(location)),
                // Null is "not given"; other types are reported by the walk.
                Value::Null => (None, VersionSource::Latest, None),
                _ => (None, VersionSource::Latest, None),
            }
        }
        None => (None, VersionSource::Latest, None),
    };
    let mistyped = entry.is_some_and(|e| !matches!(e.value.value, Value::Str(_) | Value::Null));
    // A mistyped version is reported by the walk; pin `latest` meanwhile.
    let checked = checked || mistyped;
    match version::pin(requested, source, checked) {
        Ok(pinned) if !checked => {
            // A ponos version is Ponos's own, not Polyaxon's: its keys follow
            // the current (2.x) rules whatever the number.
            let rules = generation::Rules {
                generation: Generation::V2,
                why: "the ponos chart follows the current key rules".into(),
            };
            (Some(pinned), rules)
        }
        Ok(pinned) => {
            let rules = generation::Rules::for_pin(&pinned);
            (Some(pinned), rules)
        }
        Err(problem) => {
            let valid = match &problem {
                version::PinError::NotReleased { nearest, .. } => {
                    format!("a released version; nearest: {}", nearest.join(", "))
                }
                version::PinError::PonosNeedsVersion => {
                    "`deploymentVersion: X.Y.Z`, the ponos-agent image tag Teklia provides".into()
                }
                _ => "a released version such as 2.18.0 or 1.14.0, or `latest`".into(),
            };
            let path = if location.is_some() || !checked {
                "deploymentVersion"
            } else {
                ""
            };
            let location =
                location.or_else(|| root.get("deploymentChart").map(|e| e.key_at.clone()));
            errors.push(ConfigError::new(path, location, Problem::Version(problem)).valid(valid));
            let parsed = requested.and_then(version::PolyaxonVersion::parse);
            let generation = parsed.as_ref().map_or(Generation::V2, Generation::of);
            // A version that parses is named; other text is not repeated (it
            // may be anything, a secret included).
            let why = match (&parsed, requested) {
                (Some(v), _) => format!("following {generation} rules for `{v}`"),
                (None, Some(_)) => {
                    format!("following {generation} rules, as `deploymentVersion` is not a version")
                }
                (None, None) => format!("following {generation} rules for `latest`"),
            };
            (None, generation::Rules { generation, why })
        }
    }
}

/// Builds the typed model; a shape the walk let through but the model refuses
/// (a rare case, e.g. an affinity term of the wrong type) is reported at its path.
fn build(normalised: serde_json::Value, root: &Node) -> Result<DeploymentConfig, Box<ConfigError>> {
    serde_path_to_error::deserialize(normalised).map_err(|error| {
        let path = error.path().to_string();
        let keys: Vec<String> = path
            .split('.')
            .map(|part| part.split('[').next().unwrap_or(part).to_string())
            .filter(|p| !p.is_empty() && p != "?")
            .collect();
        let key_refs: Vec<&str> = keys.iter().map(String::as_str).collect();
        let location = (1..=key_refs.len())
            .rev()
            .find_map(|len| root.entry_at(&key_refs[..len]).map(|e| e.value.at.clone()));
        Box::new(ConfigError::new(
            path,
            location,
            Problem::Invalid(without_value(&error.into_inner().to_string())),
        ))
    })
}

/// serde's message without the value it quotes (`invalid type: string
/// "hunter2", expected u32` names the value, which may be a secret): what
/// was expected, or that the shape is not an accepted one.
fn without_value(message: &str) -> String {
    if let Some((_, expected)) = message.split_once(", expected ") {
        return format!("expected {expected}");
    }
    if message.starts_with("missing field ") || message.starts_with("duplicate field ") {
        return message.to_string();
    }
    "the value does not have a shape this setting accepts".to_string()
}

/// Orders errors as the sources were given: files in `-f` order, then
/// `--set`, then flags; by line and column within each.
fn sort(errors: &mut [ConfigError], options: &LoadOptions) {
    let rank = |error: &ConfigError| match &error.location {
        Some(location) => {
            let source = match &location.source {
                Source::File(path) => options
                    .files
                    .iter()
                    .position(|f| f == path)
                    .unwrap_or(options.files.len()),
                Source::Set { position, .. } => options.files.len() + position,
                Source::Flag(_) => options.files.len() + options.set.len() + 1,
            };
            (source, location.line, location.column)
        }
        None => (usize::MAX, 0, 0),
    };
    // The rank is computed once per error, not once per comparison.
    errors.sort_by_cached_key(rank);
}

#[cfg(test)]
mod tests;
