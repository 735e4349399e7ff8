//! The manifest as text: multi-document YAML (hooks marked with a comment
//! line) or a JSON list, Secret data redacted unless asked. Deterministic:
//! the same manifest gives the same bytes.

use serde_json::Value;

use super::RenderError;
use super::manifest::{Manifest, RenderedObject};

/// What Secret values read in the output unless secrets are shown.
pub const REDACTED: &str = "<redacted>";

/// The manifest as multi-document YAML in apply order. A hook object is
/// preceded by a `# hook: <moment>` line.
pub fn to_yaml(manifest: &Manifest, show_secrets: bool) -> Result<String, RenderError> {
    let mut out = String::new();
    for object in &manifest.objects {
        out.push_str("---\n");
        if let Some(hook) = object.hook {
            out.push_str("# hook: ");
            out.push_str(hook.as_str());
            out.push('\n');
        }
        let value = ordered(printable(object, show_secrets)?);
        let text = serde_yaml::to_string(&value).map_err(|e| RenderError::Output(e.to_string()))?;
        out.push_str(&quote_yaml11_words(text));
    }
    Ok(out)
}

/// The manifest as a JSON list in apply order (hook objects carry their
/// moment in the `polyaxon.com/hook` annotation), ending with a newline.
pub fn to_json(manifest: &Manifest, show_secrets: bool) -> Result<String, RenderError> {
    let list = manifest
        .objects
        .iter()
        .map(|o| printable(o, show_secrets))
        .collect::<Result<Vec<_>, _>>()?;
    let mut text = serde_json::to_string_pretty(&Value::Array(list))
        .map_err(|e| RenderError::Output(e.to_string()))?;
    text.push('\n');
    Ok(text)
}

/// One object as JSON, its Secret values redacted unless `show_secrets`.
pub fn printable(object: &RenderedObject, show_secrets: bool) -> Result<Value, RenderError> {
    let mut value =
        serde_json::to_value(&object.object).map_err(|e| RenderError::Output(e.to_string()))?;
    if !show_secrets && object.resource.kind == "Secret" && object.resource.group.is_empty() {
        redact(&mut value);
    }
    Ok(value)
}

fn redact(secret: &mut Value) {
    for field in ["data", "stringData"] {
        if let Some(Value::Object(entries)) = secret.get_mut(field) {
            for value in entries.values_mut() {
                *value = Value::String(REDACTED.to_string());
            }
        }
    }
}

/// Strings that YAML 1.2 (serde_yaml) writes bare but YAML 1.1 parsers
/// (kubectl's, PyYAML) read as booleans: `value: no` would reach the API as
/// `false`. They are marked while serializing and quoted afterwards.
const YAML11_WORDS: [&str; 16] = [
    "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off",
    "OFF",
];
const QUOTE_OPEN: &str = "POLYAXONQUOTE_";
const QUOTE_CLOSE: &str = "_POLYAXONQUOTE";

/// Quotes the marked [`YAML11_WORDS`]: a marker is a whole scalar, so no
/// other text (block scalars included) can hold one.
fn quote_yaml11_words(mut text: String) -> String {
    for word in YAML11_WORDS {
        text = text.replace(
            &format!("{QUOTE_OPEN}{word}{QUOTE_CLOSE}"),
            &format!("'{word}'"),
        );
    }
    text
}

/// apiVersion, kind and metadata first, the rest after, as people write them.
fn ordered(value: Value) -> serde_yaml::Value {
    let Value::Object(map) = value else {
        return to_yaml_value(value);
    };
    let mut out = serde_yaml::Mapping::new();
    for key in ["apiVersion", "kind", "metadata"] {
        if let Some(v) = map.get(key) {
            out.insert(key.into(), to_yaml_value(v.clone()));
        }
    }
    for (key, v) in map {
        if !matches!(key.as_str(), "apiVersion" | "kind" | "metadata") {
            out.insert(key.into(), to_yaml_value(v));
        }
    }
    serde_yaml::Value::Mapping(out)
}

fn to_yaml_value(value: Value) -> serde_yaml::Value {
    match value {
        Value::Null => serde_yaml::Value::Null,
        Value::Bool(b) => serde_yaml::Value::Bool(b),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                serde_yaml::Value::Number(i.into())
            } else if let Some(u) = n.as_u64() {
                serde_yaml::Value::Number(u.into())
            } else {
                serde_yaml::Value::Number(n.as_f64().unwrap_or_default().into())
            }
        }
        Value::String(s) if YAML11_WORDS.contains(&s.as_str()) => {
            serde_yaml::Value::String(format!("{QUOTE_OPEN}{s}{QUOTE_CLOSE}"))
        }
        Value::String(s) => serde_yaml::Value::String(s),
        Value::Array(items) => {
            serde_yaml::Value::Sequence(items.into_iter().map(to_yaml_value).collect())
        }
        Value::Object(map) => serde_yaml::Value::Mapping(
            map.into_iter()
                .map(|(k, v)| (serde_yaml::Value::String(k), to_yaml_value(v)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use k8s_openapi::api::core::v1::ConfigMap;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    use super::*;
    use crate::render::manifest::{Stage, erase};

    #[test]
    fn yaml11_booleans_are_quoted_and_nothing_else_is() {
        let config = ConfigMap {
            metadata: ObjectMeta {
                name: Some("c".into()),
                ..ObjectMeta::default()
            },
            data: Some(BTreeMap::from([
                ("tls".to_string(), "no".to_string()),
                ("debug".to_string(), "off".to_string()),
                ("word".to_string(), "noon".to_string()),
                ("script".to_string(), "a: no\nno\n".to_string()),
            ])),
            ..ConfigMap::default()
        };
        let manifest = Manifest {
            objects: vec![erase(Stage::Config, None, &config).unwrap()],
        };
        let text = to_yaml(&manifest, true).unwrap();
        assert!(text.contains("tls: 'no'"), "{text}");
        assert!(text.contains("debug: 'off'"), "{text}");
        assert!(text.contains("word: noon"), "{text}");
        let back: serde_yaml::Value =
            serde_yaml::from_str(text.trim_start_matches("---\n")).unwrap();
        assert_eq!(back["data"]["tls"], "no");
        assert_eq!(back["data"]["script"], "a: no\nno\n");
    }
}
