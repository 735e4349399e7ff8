//! The validating walk: checks the merged tree against [`super::keys`] under
//! the rules of one generation, collects every error with its place, and
//! returns the normalised value the typed model is built from (alternative
//! spellings folded, quantities as strings, `"true"` strings as booleans).

use serde_json::{Map, Value as J};

use super::error::{ConfigError, Problem};
use super::generation::Rules;
use super::k8s;
use super::keys::{self, AFFINITY_ROLES, Gen, Key, TOLERATION_ROLES, Ty};
use super::tree::{Entry, Node, Value};

/// Walks the whole config. Returns the normalised value and the errors.
pub fn walk(root: &Node, rules: &Rules) -> (J, Vec<ConfigError>) {
    let mut walker = Walker {
        rules,
        errors: Vec::new(),
    };
    let value = walker
        .value(root, &Ty::Struct(keys::ROOT), "")
        .unwrap_or(J::Object(Map::new()));
    (value, walker.errors)
}

struct Walker<'a> {
    rules: &'a Rules,
    errors: Vec<ConfigError>,
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

impl Walker<'_> {
    fn error(&mut self, path: &str, node: &Node, problem: Problem, valid: Option<String>) {
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
                        Problem::Invalid(format!("`{text}` is not a Kubernetes quantity")),
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
            Ty::StrMap => self.str_map(node, path),
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
        let (problem, max) = match ty {
            Ty::ReleaseName => (k8s::label_problem(name, 53), 53),
            Ty::Subdomain => (k8s::subdomain_problem(name), 253),
            _ => (k8s::label_problem(name, 63), 63),
        };
        let Some(problem) = problem else {
            return Some(J::String(name.clone()));
        };
        let rule = match ty {
            Ty::Subdomain => {
                "a DNS-1123 subdomain: lower-case letters, digits, `-` and `.`".to_string()
            }
            _ => format!(
                "a DNS-1123 label: lower-case letters, digits and `-`, starting and ending with a letter or digit, at most {max} characters"
            ),
        };
        self.error(
            path,
            node,
            Problem::Invalid(format!(
                "`{name}` is not a name Kubernetes accepts: {problem}"
            )),
            Some(format!(
                "{rule}, e.g. `{}`",
                k8s::suggest_label(name, max.min(63))
            )),
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

    fn str_map(&mut self, node: &Node, path: &str) -> Option<J> {
        let Value::Map(entries) = &node.value else {
            self.wrong_type(path, node, "a mapping of strings");
            return None;
        };
        let mut out = Map::new();
        for entry in entries {
            let child_path = join(path, &entry.key);
            match &entry.value.value {
                Value::Str(s) => {
                    out.insert(entry.key.clone(), J::String(s.clone()));
                }
                _ => self.wrong_type(&child_path, &entry.value, "a string"),
            }
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
pub fn nearest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        let distance = strsim::damerau_levenshtein(&lower, &candidate.to_ascii_lowercase());
        if best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    let (distance, candidate) = best?;
    let allowed = (word.chars().count() / 3).max(1);
    (distance <= allowed).then_some(candidate)
}
