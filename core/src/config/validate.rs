//! The validating walk: checks the merged tree against [`super::keys`] under
//! the rules of one generation, collects every error with its place, and
//! returns the normalised value the typed model is built from (alternative
//! spellings folded, quantities as strings, `"true"` strings as booleans).

use serde_json::{Map, Value as J};

use super::error::{ConfigError, Problem};
use super::generation::Rules;
use super::k8s;
use super::keys::{self, AFFINITY_ROLES, Gen, Key, TOLERATION_ROLES, Ty};
use super::limits::MAX_ERRORS_KEPT;
use super::tree::{Entry, Node, Value};

/// What the walk found: the normalised value, the errors kept in full, and
/// how many more were only counted.
pub struct Walked {
    /// The normalised value the typed model is built from.
    pub value: J,
    /// The first [`MAX_ERRORS_KEPT`] errors.
    pub errors: Vec<ConfigError>,
    /// How many errors were found past those.
    pub uncounted: usize,
}

/// Walks the whole config. Time and memory are linear in the config:
/// past [`MAX_ERRORS_KEPT`] errors are only counted, without building their
/// message or looking for the nearest key.
pub fn walk(root: &Node, rules: &Rules) -> Walked {
    let mut walker = Walker {
        rules,
        errors: Vec::new(),
        uncounted: 0,
    };
    let value = walker
        .value(root, &Ty::Struct(keys::ROOT), "")
        .unwrap_or(J::Object(Map::new()));
    Walked {
        value,
        errors: walker.errors,
        uncounted: walker.uncounted,
    }
}

struct Walker<'a> {
    rules: &'a Rules,
    errors: Vec<ConfigError>,
    uncounted: usize,
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

impl Walker<'_> {
    /// Whether one more error is kept in full; counts it when not.
    fn room(&mut self) -> bool {
        if self.errors.len() < MAX_ERRORS_KEPT {
            return true;
        }
        self.uncounted += 1;
        false
    }

    fn error(&mut self, path: &str, node: &Node, problem: Problem, valid: Option<String>) {
        if !self.room() {
            return;
        }
        let mut error = ConfigError::new(path, Some(node.at.clone()), problem);
        error.valid = valid;
        self.errors.push(error);
    }

    fn wrong_type(&mut self, path: &str, node: &Node, expected: &str) {
        let hint = match (&node.value, expected) {
            (Value::Int(_) | Value::Float(_) | Value::Bool(_), "a string") => {
                Some("a string: quote the value".to_string())
            }
            (_, "an integer") => Some("an integer, e.g. 2".to_string()),
            _ => Some(expected.to_string()),
        };
        self.error(
            path,
            node,
            Problem::WrongType {
                expected: expected.to_string(),
                found: node.value.describe(),
            },
            hint,
        );
    }

    /// Checks one value; `None` when it is invalid (left out of the result).
    fn value(&mut self, node: &Node, ty: &Ty, path: &str) -> Option<J> {
        if matches!(node.value, Value::Null) {
            return Some(J::Null);
        }
        match ty {
            Ty::Str => match &node.value {
                Value::Str(s) => Some(J::String(s.clone())),
                _ => {
                    self.wrong_type(path, node, "a string");
                    None
                }
            },
            Ty::Int => match node.value {
                Value::Int(i) => Some(J::from(i)),
                _ => {
                    self.wrong_type(path, node, "an integer");
                    None
                }
            },
            Ty::Bool => match bool_of(&node.value) {
                Some(b) => Some(J::Bool(b)),
                None => {
                    self.wrong_type(path, node, "true or false");
                    None
                }
            },
            Ty::Port => match node.value {
                Value::Int(port) if (1..=65535).contains(&port) => Some(J::from(port)),
                Value::Int(port) => {
                    self.error(
                        path,
                        node,
                        Problem::Invalid(format!("port {port} is out of range")),
                        Some("a port number from 1 to 65535".into()),
                    );
                    None
                }
                _ => {
                    self.wrong_type(path, node, "a port number from 1 to 65535");
                    None
                }
            },
            Ty::Quantity => {
                let text = match &node.value {
                    Value::Str(s) => s.clone(),
                    Value::Int(_) | Value::Float(_) => scalar_text(&node.value),
                    _ => {
                        self.wrong_type(path, node, "a quantity such as 500m, 1 or 2Gi");
                        return None;
                    }
                };
                if k8s::is_quantity(&text) {
                    Some(J::String(text))
                } else {
                    self.error(
                        path,
                        node,
                        Problem::Invalid("not a Kubernetes quantity".into()),
                        Some("a quantity such as 500m, 0.5, 1, 256Mi or 2Gi".into()),
                    );
                    None
                }
            }
            Ty::Label | Ty::ReleaseName | Ty::Subdomain => self.name(node, ty, path),
            Ty::Enum(allowed) => self.one_of(node, allowed, path),
            Ty::Dict => match node.value {
                Value::Map(_) => Some(node.value.to_json()),
                _ => {
                    self.wrong_type(path, node, "a mapping");
                    None
                }
            },
            Ty::StrMap => self.str_map(node, path, false),
            Ty::LabelMap => self.str_map(node, path, true),
            Ty::List(item) => match &node.value {
                Value::Seq(items) => {
                    let mut out = Vec::with_capacity(items.len());
                    for (i, child) in items.iter().enumerate() {
                        let child_path = format!("{path}[{i}]");
                        out.push(self.value(child, item, &child_path).unwrap_or(J::Null));
                    }
                    Some(J::Array(out))
                }
                _ => {
                    self.wrong_type(path, node, "a list");
                    None
                }
            },
            Ty::Struct(fields) => self.mapping(node, fields, false, path),
            Ty::Open(fields) => self.mapping(node, fields, true, path),
            Ty::MapOf(item) => match &node.value {
                Value::Map(entries) => {
                    let mut out = Map::new();
                    for entry in entries {
                        let child_path = join(path, &entry.key);
                        if let Some(v) = self.value(&entry.value, item, &child_path) {
                            out.insert(entry.key.clone(), v);
                        }
                    }
                    Some(J::Object(out))
                }
                _ => {
                    self.wrong_type(path, node, "a mapping of names");
                    None
                }
            },
            Ty::Resources => self.mapping(node, RESOURCES, false, path),
            Ty::TolerationsSetting => match &node.value {
                Value::Seq(_) => self.value(node, &Ty::List(&Ty::Struct(keys::TOLERATION)), path),
                Value::Map(_) => self.mapping(node, TOLERATION_ROLES, false, path),
                _ => {
                    self.wrong_type(
                        path,
                        node,
                        "a list of tolerations (or, 0.x style, a mapping per role)",
                    );
                    None
                }
            },
            Ty::AffinitySetting => {
                let by_role = node.value.as_map().is_some_and(|entries| {
                    entries
                        .iter()
                        .any(|e| keys::find(AFFINITY_ROLES, &e.key).is_some())
                });
                let fields = if by_role {
                    AFFINITY_ROLES
                } else {
                    keys::AFFINITY
                };
                self.value(node, &Ty::Struct(fields), path)
            }
        }
    }

    fn name(&mut self, node: &Node, ty: &Ty, path: &str) -> Option<J> {
        let Value::Str(name) = &node.value else {
            self.wrong_type(path, node, "a string");
            return None;
        };
        // An empty reference is "none", as the charts read `secretName: ""`.
        if name.is_empty() && matches!(ty, Ty::Subdomain) {
            return Some(J::String(String::new()));
        }
        let (problem, rule) = match ty {
            Ty::ReleaseName => (
                k8s::release_problem(name),
                "a DNS-1123 label that starts with a letter: lower-case letters, digits and `-`, ending with a letter or digit, at most 53 characters, e.g. `polyaxon`",
            ),
            Ty::Subdomain => (
                k8s::subdomain_problem(name),
                "a DNS-1123 subdomain, as the names of Secrets, ConfigMaps and claims are: lower-case letters, digits, `-` and `.`, each part between dots starting and ending with a letter or digit, at most 253 characters, e.g. `polyaxon-data`",
            ),
            _ => (
                k8s::label_problem(name, 63),
                "a DNS-1123 label: lower-case letters, digits and `-`, starting and ending with a letter or digit, at most 63 characters, e.g. `polyaxon`",
            ),
        };
        let Some(problem) = problem else {
            return Some(J::String(name.clone()));
        };
        // The name itself is not repeated: a secret given under a name's key
        // by mistake must not reach a terminal or a CI log.
        self.error(
            path,
            node,
            Problem::Invalid(format!("not a name Kubernetes accepts: {problem}")),
            Some(rule.to_string()),
        );
        None
    }

    fn one_of(&mut self, node: &Node, allowed: &[&str], path: &str) -> Option<J> {
        let Value::Str(value) = &node.value else {
            self.wrong_type(path, node, &format!("one of {}", allowed.join(", ")));
            return None;
        };
        if !allowed.contains(&value.as_str()) {
            let mut valid = format!("one of {}", allowed.join(", "));
            if path == "deploymentChart" && value == "gateway" {
                valid.push_str(" (Polyaxon's `gateway` chart is not rendered by this tool)");
            } else if let Some(near) = nearest(value, allowed.iter().copied()) {
                valid = format!("did you mean `{near}`? ({valid})");
            }
            self.error(
                path,
                node,
                Problem::NotOneOf {
                    value: value.clone(),
                },
                Some(valid),
            );
            return None;
        }
        Some(J::String(value.clone()))
    }

    /// A mapping of strings; `labels` also checks each key and value as
    /// the API server checks labels (and a pod's node selector).
    fn str_map(&mut self, node: &Node, path: &str, labels: bool) -> Option<J> {
        let Value::Map(entries) = &node.value else {
            self.wrong_type(path, node, "a mapping of strings");
            return None;
        };
        let mut out = Map::new();
        for entry in entries {
            let child_path = join(path, &entry.key);
            let Value::Str(s) = &entry.value.value else {
                self.wrong_type(&child_path, &entry.value, "a string");
                continue;
            };
            if labels {
                if let Some(problem) = k8s::qualified_name_problem(&entry.key) {
                    let at = Node {
                        value: Value::Null,
                        at: entry.key_at.clone(),
                    };
                    self.error(
                        &child_path,
                        &at,
                        Problem::Invalid(format!("not a label key Kubernetes accepts: {problem}")),
                        Some(LABEL_KEY_RULE.into()),
                    );
                    continue;
                }
                if let Some(problem) = k8s::label_value_problem(s) {
                    self.error(
                        &child_path,
                        &entry.value,
                        Problem::Invalid(format!(
                            "not a label value Kubernetes accepts: {problem}"
                        )),
                        Some(LABEL_VALUE_RULE.into()),
                    );
                    continue;
                }
            }
            out.insert(entry.key.clone(), J::String(s.clone()));
        }
        Some(J::Object(out))
    }

    fn mapping(&mut self, node: &Node, fields: &[Key], open: bool, path: &str) -> Option<J> {
        let Value::Map(entries) = &node.value else {
            self.wrong_type(path, node, "a mapping");
            return None;
        };
        let mut out = Map::new();
        // Canonical name → the spelling that set it, to refuse two spellings.
        let mut spellings: Vec<(&str, &str)> = Vec::new();
        for entry in entries {
            let child_path = join(path, &entry.key);
            let Some(key) = keys::find(fields, &entry.key) else {
                if open {
                    out.insert(entry.key.clone(), entry.value.value.to_json());
                } else {
                    self.unknown(entry, fields, &child_path);
                }
                continue;
            };
            if !self.rules.generation.accepts(key.generation) {
                let outside_seed = outside_seed(&entry.value, &key.ty, &child_path);
                if !outside_seed.is_empty() {
                    self.other_generation(entry, key, &child_path, &outside_seed);
                    continue;
                }
            }
            let canonical = key.alias_of.unwrap_or(key.name);
            if let Some((_, first)) = spellings.iter().find(|(c, _)| *c == canonical) {
                let other = join(path, first);
                self.error(
                    &child_path,
                    &Node {
                        value: Value::Null,
                        at: entry.key_at.clone(),
                    },
                    Problem::TwoSpellings {
                        key: child_path.clone(),
                        other,
                    },
                    Some(format!("keep `{}`", join(path, canonical))),
                );
                continue;
            }
            spellings.push((canonical, key.name));
            if let Some(v) = self.value(&entry.value, &key.ty, &child_path) {
                out.insert(canonical.to_string(), v);
            }
        }
        Some(J::Object(out))
    }

    fn unknown(&mut self, entry: &Entry, fields: &[Key], path: &str) {
        if !self.room() {
            return;
        }
        let generation = self.rules.generation;
        let candidates = fields
            .iter()
            .filter(|k| generation.accepts(k.generation))
            .map(|k| k.name);
        let valid = match nearest(&entry.key, candidates.clone()) {
            Some(near) => format!("did you mean `{near}`?"),
            None => {
                let names: Vec<&str> = candidates.collect();
                if names.len() <= 16 {
                    format!("known keys here: {}", names.join(", "))
                } else {
                    "see the keys of the Polyaxon deployment config".to_string()
                }
            }
        };
        self.errors.push(
            ConfigError::new(
                path,
                Some(entry.key_at.clone()),
                Problem::UnknownKey {
                    key: entry.key.clone(),
                },
            )
            .valid(valid),
        );
    }

    fn other_generation(&mut self, entry: &Entry, key: &Key, path: &str, outside: &[String]) {
        if !self.room() {
            return;
        }
        let key_generation = match key.generation {
            Gen::V1 => "1.x",
            _ => "2.x",
        };
        let mut valid = Rules::how_to_pin(key.generation);
        if has_seed(&key.ty) {
            const SHOWN: usize = 4;
            let mut listed: Vec<String> = outside
                .iter()
                .take(SHOWN)
                .map(|p| format!("`{p}`"))
                .collect();
            if outside.len() > SHOWN {
                listed.push(format!("{} more", outside.len() - SHOWN));
            }
            valid = format!(
                "{valid}; under {} rules only its seed parameters are accepted, not {}",
                self.rules.generation,
                listed.join(", ")
            );
        }
        self.errors.push(
            ConfigError::new(
                path,
                Some(entry.key_at.clone()),
                Problem::OtherGeneration {
                    key: path.to_string(),
                    key_generation,
                    config_generation: self.rules.generation.label(),
                    why: self.rules.why.clone(),
                },
            )
            .valid(valid),
        );
    }
}

const LABEL_KEY_RULE: &str = "a label key: a name of at most 63 letters, digits, `-`, `_` and `.` starting and ending with a letter or digit, optionally after a DNS-1123 subdomain and `/`, e.g. `team` or `example.com/team`";
const LABEL_VALUE_RULE: &str = "a label value: at most 63 letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit (or empty), e.g. `research`";

/// The keys of `Resources`.
const RESOURCES: &[Key] = &[
    Key {
        name: "limits",
        ty: Ty::MapOf(&Ty::Quantity),
        generation: Gen::Both,
        alias_of: None,
    },
    Key {
        name: "requests",
        ty: Ty::MapOf(&Ty::Quantity),
        generation: Gen::Both,
        alias_of: None,
    },
    Key {
        name: "claims",
        ty: Ty::List(&Ty::Dict),
        generation: Gen::Both,
        alias_of: None,
    },
];

/// The paths under a key of the other generation that are not seed
/// parameters. Empty when every given leaf is a seed parameter (then the key
/// is accepted); the key itself when it holds no seed parameter at all.
fn outside_seed(node: &Node, ty: &Ty, path: &str) -> Vec<String> {
    let fields = match ty {
        Ty::Struct(fields) | Ty::Open(fields) => *fields,
        _ => return vec![path.to_string()],
    };
    let Value::Map(entries) = &node.value else {
        return vec![path.to_string()];
    };
    if entries.is_empty() {
        return vec![path.to_string()];
    }
    let mut outside = Vec::new();
    for entry in entries {
        let child_path = join(path, &entry.key);
        match keys::find(fields, &entry.key) {
            Some(key) if key.generation == Gen::Seed => {}
            Some(key) if matches!(key.ty, Ty::Struct(_) | Ty::Open(_)) => {
                outside.extend(outside_seed(&entry.value, &key.ty, &child_path));
            }
            _ => outside.push(child_path),
        }
    }
    outside
}

/// Whether a type holds a seed parameter somewhere below it.
fn has_seed(ty: &Ty) -> bool {
    match ty {
        Ty::Struct(fields) | Ty::Open(fields) => fields
            .iter()
            .any(|k| k.generation == Gen::Seed || has_seed(&k.ty)),
        _ => false,
    }
}

/// Polyaxon reads booleans leniently (pydantic/marshmallow): true/false,
/// yes/no, on/off, 1/0, also as strings.
fn bool_of(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::Int(0) => Some(false),
        Value::Int(1) => Some(true),
        Value::Str(s) => match s.to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" | "1" => Some(true),
            "false" | "no" | "off" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::Int(i) => i.to_string(),
        Value::Float(x) => format!("{x:?}"),
        Value::Bool(b) => b.to_string(),
        Value::Str(s) => s.clone(),
        other => other.describe(),
    }
}

/// The candidate nearest to `word`, if it is near enough to be a typo.
/// Candidates whose length alone puts them too far are skipped, and the
/// distance is the restricted Damerau-Levenshtein (optimal string
/// alignment): no allocation per pair, so a thousand unknown keys cost
/// milliseconds.
pub fn nearest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase();
    let length = lower.chars().count();
    let allowed = (word.chars().count() / 3).max(1);
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        if candidate.len().abs_diff(length) > allowed {
            continue;
        }
        let distance = strsim::osa_distance(&lower, &candidate.to_ascii_lowercase());
        if best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    let (distance, candidate) = best?;
    (distance <= allowed).then_some(candidate)
}
