//! How inputs are changed: bytes at random (flips, YAML tokens, cut,
//! repeated and spliced ranges), or, keeping the structure, every string
//! value replaced by a planted marker that no error may print.

use serde_yaml::Value;

use crate::rng::Rng;

/// YAML (and near-YAML) pieces worth inserting: anchors, aliases, merge
/// keys, flow collections, tags, documents, odd scalars and bytes.
const TOKENS: &[&[u8]] = &[
    b"&a ",
    b"*a",
    b"<<: *a\n",
    b"[",
    b"]",
    b"{",
    b"}",
    b": ",
    b"- ",
    b"\n",
    b"\n  ",
    b"\n    - ",
    b"!!str ",
    b"!!binary ",
    b"!!map ",
    b"---\n",
    b"...\n",
    b"\"",
    b"'",
    b"#",
    b"\t",
    b"\xff",
    b"\xc3",
    b"\xe2\x82",
    b"~",
    b"null",
    b"yes",
    b"0x1f",
    b"1e9999",
    b"-.inf",
    b"? ",
    b"|\n  ",
    b">-\n  ",
    b"%YAML 1.2\n",
    b"\\u0000",
    b",",
    b"\r\n",
    b"\0",
    b"platformSecret: ",
    b"namespace: ",
    b"releaseName: ",
    b"deploymentVersion: ",
    b"deploymentChart: agent\n",
    b"connections:\n  - name: ",
    b"labels:\n  ",
    b"nodeSelector:\n  ",
    b"volumeClaim: ",
];

/// `input` changed by one to six byte-level mutations; `other` is another
/// corpus entry to splice with. Stays under `max` bytes.
pub fn bytes(rng: &mut Rng, input: &[u8], other: &[u8], max: usize) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..=rng.below(6) {
        let at = rng.below(out.len() + 1);
        match rng.below(7) {
            0 if !out.is_empty() => {
                let i = rng.below(out.len());
                out[i] ^= 1 << rng.below(8);
            }
            1 if !out.is_empty() => {
                let i = rng.below(out.len());
                out[i] = rng.next() as u8;
            }
            2 => {
                let token = rng.pick(TOKENS);
                out.splice(at..at, token.iter().copied());
            }
            3 => {
                let end = (at + rng.below(64)).min(out.len());
                out.drain(at..end);
            }
            4 => {
                // A range repeated: long keys, long lines, many keys.
                let end = (at + 1 + rng.below(80)).min(out.len());
                let piece = out[at.min(end)..end].to_vec();
                let most = if rng.one_in(8) { 5_000 } else { 8 };
                let times = 1 + rng.below(most);
                for _ in 0..times {
                    if out.len() + piece.len() > max {
                        break;
                    }
                    out.splice(at..at, piece.iter().copied());
                }
            }
            5 => {
                let from = rng.below(other.len() + 1);
                out.truncate(at);
                out.extend_from_slice(&other[from..]);
            }
            _ => {
                let indent = b" ".repeat(rng.below(12));
                out.splice(at..at, indent);
            }
        }
    }
    out.truncate(max);
    out
}

/// The markers planted in one case: each a unique token, written in
/// shapes that break the rules of names, types and enums.
#[derive(Default)]
pub struct Planted {
    /// The tokens (lower case); none may appear in any error.
    pub tokens: Vec<String>,
}

impl Planted {
    /// A new marker value, remembered.
    pub fn value(&mut self, rng: &mut Rng) -> String {
        let token = format!("zq{}x", 100_000 + rng.below(900_000));
        let value = match rng.below(7) {
            0 => token.to_uppercase() + "_Pw",
            1 => format!("{token} secret"),
            2 => format!("-{token}"),
            3 => format!("9{token}"),
            4 => format!("{token}.."),
            5 => format!("{token}{}", "s".repeat(300)),
            _ => token.clone(),
        };
        self.tokens.push(token);
        value
    }

    /// The first token found in `text`, case-insensitively.
    pub fn found_in(&self, text: &str) -> Option<&str> {
        let lower = text.to_lowercase();
        self.tokens
            .iter()
            .find(|t| lower.contains(t.as_str()))
            .map(String::as_str)
    }
}

/// Keys whose values are names Kubernetes checks, planted at the top.
const NAME_KEYS: &[&str] = &[
    "platformSecret",
    "agentSecret",
    "encryptionSecret",
    "releaseName",
    "namespace",
    "priorityClassName",
    "deploymentVersion",
    "deploymentChart",
    "deploymentType",
    "broker",
];

/// `yaml` with string values (and some numbers and booleans) replaced by
/// planted values, a few name keys added, and a key now and then misspelt.
/// `None` when `yaml` does not parse as one mapping.
pub fn plant(rng: &mut Rng, yaml: &str, planted: &mut Planted) -> Option<String> {
    let mut value: Value = serde_yaml::from_str(yaml).ok()?;
    let Value::Mapping(root) = &mut value else {
        return None;
    };
    for _ in 0..rng.below(4) {
        let key = rng.pick(NAME_KEYS);
        root.insert(
            Value::String((*key).into()),
            Value::String(planted.value(rng)),
        );
    }
    if rng.one_in(3) {
        let mut labels = serde_yaml::Mapping::new();
        labels.insert(
            Value::String("team".into()),
            Value::String(planted.value(rng)),
        );
        root.insert(Value::String("labels".into()), Value::Mapping(labels));
    }
    replace(rng, &mut value, planted, 0);
    serde_yaml::to_string(&value).ok()
}

fn replace(rng: &mut Rng, value: &mut Value, planted: &mut Planted, depth: usize) {
    if depth > 40 {
        return;
    }
    match value {
        Value::String(_) if !rng.one_in(4) => *value = Value::String(planted.value(rng)),
        Value::Number(_) | Value::Bool(_) if rng.one_in(4) => {
            *value = Value::String(planted.value(rng));
        }
        Value::Sequence(items) => {
            for item in items {
                replace(rng, item, planted, depth + 1);
            }
        }
        Value::Mapping(map) => {
            let keys: Vec<Value> = map.keys().cloned().collect();
            for key in keys {
                let Some(mut child) = map.remove(&key) else {
                    continue;
                };
                replace(rng, &mut child, planted, depth + 1);
                let key = match key {
                    // A misspelt key is printed (keys are not secrets).
                    Value::String(k) if rng.one_in(20) && k.len() > 2 => {
                        Value::String(k.chars().skip(1).collect())
                    }
                    other => other,
                };
                map.insert(key, child);
            }
        }
        Value::Tagged(tagged) => replace(rng, &mut tagged.value, planted, depth + 1),
        _ => {}
    }
}

/// `--set` pairs: keys from the config's own, values planted or typed.
pub fn set_pairs(rng: &mut Rng, planted: &mut Planted) -> Vec<String> {
    const KEYS: &[&str] = &[
        "platformSecret",
        "gateway.replicas",
        "gateway.service.type",
        "connections[0].name",
        "connections[2].secret.name",
        "artifactsStore.schema.volumeClaim",
        "labels.team",
        "namespace",
        "ingress.annotations.kubernetes\\.io/class",
        "a[1001]",
        "agent.token",
        "user.password",
    ];
    let mut out = Vec::new();
    for _ in 0..rng.below(4) {
        let key = rng.pick(KEYS);
        let value = match rng.below(4) {
            0 => "2".to_string(),
            1 => format!("{{{},{}}}", planted.value(rng), planted.value(rng)),
            _ => planted.value(rng),
        };
        match rng.below(6) {
            // A value given without its key: never echoed either.
            0 => out.push(value),
            1 => out.push(format!("{key}={value},{}", planted.value(rng))),
            _ => out.push(format!("{key}={value}")),
        }
    }
    out
}
