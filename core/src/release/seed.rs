//! Generated values a release left in its namespace, read back.
//!
//! A release's passwords and keys live in its record. When there is no
//! record but the release's Secrets are there (a release helm installed, or
//! one torn down with its volumes and credentials kept), a fresh password
//! would lock the release out of its own database. So before the first
//! revision, every Secret key that carries a generated value is read from
//! the cluster and kept; only what is not there is generated.
//!
//! Which key carries which value comes from the chart itself: rendered with
//! [`ReleaseState::markers`], each generated value shows up as a marker in
//! exactly the Secret keys that hold it, whatever the config and chart
//! version.

use base64::Engine;
use k8s_openapi::api::core::v1::Secret;
use kube::Client;
use kube::api::Api;

use super::ObjectRef;
use crate::render::{Manifest, ReleaseState, RenderedObject};

/// A Secret key that holds a generated value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedKey {
    /// The Secret's namespace.
    pub namespace: String,
    /// The Secret's name.
    pub secret: String,
    /// The key in its data.
    pub key: String,
    /// The generated value it holds, as the release record names it
    /// (`postgresPassword`, ...).
    pub field: &'static str,
}

impl GeneratedKey {
    /// `Secret/<name> key <key>`, the way a person names it.
    pub fn describe(&self) -> String {
        format!("Secret/{} key {}", self.secret, self.key)
    }
}

/// The Secret keys of a manifest rendered with [`ReleaseState::markers`]
/// that carry a generated value, in manifest order.
pub fn generated_keys(markers_manifest: &Manifest) -> Vec<GeneratedKey> {
    let mut keys = Vec::new();
    for object in secrets(markers_manifest) {
        let namespace = object.namespace().unwrap_or_default();
        for (key, value) in secret_entries(object) {
            if let Some(field) = ReleaseState::marker_field(&value) {
                keys.push(GeneratedKey {
                    namespace: namespace.to_string(),
                    secret: object.name().to_string(),
                    key,
                    field,
                });
            }
        }
    }
    keys
}

/// The Secrets of `manifest` that hold a generated value of `state`: the
/// credentials of the data a teardown keeps, to be kept with it.
pub fn credential_secrets(manifest: &Manifest, state: &ReleaseState) -> Vec<ObjectRef> {
    let values: Vec<&str> = state
        .values()
        .into_iter()
        .filter(|v| !v.is_empty())
        .collect();
    secrets(manifest)
        .filter(|object| {
            secret_entries(object)
                .iter()
                .any(|(_, text)| values.iter().any(|v| text.contains(v)))
        })
        .map(ObjectRef::of)
        .collect()
}

fn secrets(manifest: &Manifest) -> impl Iterator<Item = &RenderedObject> {
    manifest.resources().filter(|o| o.kind() == "Secret")
}

/// A rendered Secret's keys with their text: `data` decoded, `stringData`
/// as given.
pub(super) fn secret_entries(object: &RenderedObject) -> Vec<(String, String)> {
    let encoded = object.object.data.get("data").and_then(|d| d.as_object());
    let plain = object
        .object
        .data
        .get("stringData")
        .and_then(|d| d.as_object());
    let decoded = encoded.into_iter().flatten().filter_map(|(key, value)| {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(value.as_str()?)
            .ok()?;
        Some((key.clone(), String::from_utf8(bytes).ok()?))
    });
    let given = plain
        .into_iter()
        .flatten()
        .filter_map(|(key, value)| Some((key.clone(), value.as_str()?.to_string())));
    decoded.chain(given).collect()
}

/// What [`read_generated`] found.
#[derive(Debug, Clone)]
pub struct Seeded {
    /// The values found, completed with fresh ones for what was not found.
    pub state: ReleaseState,
    /// The keys whose values were found and kept.
    pub kept: Vec<GeneratedKey>,
}

/// Reads `keys` from the cluster into a state for `release`: a value found
/// (non-empty UTF-8) is kept, anything else is generated. A Secret that is
/// not there is not an error. When two keys carry one value, the first found
/// wins.
pub async fn read_generated(
    client: &Client,
    release: &str,
    keys: &[GeneratedKey],
) -> Result<Seeded, kube::Error> {
    let mut state = ReleaseState::new_for(release);
    let mut found_fields: Vec<&'static str> = Vec::new();
    let mut kept = Vec::new();
    let mut cache: Vec<((String, String), Option<Secret>)> = Vec::new();
    for key in keys {
        if found_fields.contains(&key.field) {
            continue;
        }
        let id = (key.namespace.clone(), key.secret.clone());
        let secret = match cache.iter().find(|(k, _)| *k == id) {
            Some((_, secret)) => secret.clone(),
            None => {
                let api: Api<Secret> = Api::namespaced(client.clone(), &key.namespace);
                let secret = api.get_opt(&key.secret).await?;
                cache.push((id, secret.clone()));
                secret
            }
        };
        let value = secret
            .as_ref()
            .and_then(|s| s.data.as_ref())
            .and_then(|d| d.get(&key.key))
            .and_then(|v| String::from_utf8(v.0.clone()).ok())
            .filter(|v| !v.is_empty());
        if let Some(value) = value {
            state.set(key.field, value);
            found_fields.push(key.field);
            kept.push(key.clone());
        }
    }
    Ok(Seeded { state, kept })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Deployment, LoadOptions, load_texts};
    use crate::render::render;

    fn keys_of(config: &str) -> Vec<GeneratedKey> {
        let deployment: Deployment =
            load_texts(&[("config.yml", config)], &LoadOptions::default()).unwrap();
        generated_keys(
            &render(
                &deployment,
                &ReleaseState::markers(&deployment.release_name),
            )
            .unwrap(),
        )
    }

    #[test]
    fn a_platform_with_its_databases_names_every_generated_key() {
        let keys = keys_of(
            "deploymentChart: platform\ndeploymentVersion: 2.15.1\nnamespace: plx\n\
             postgresql:\n  enabled: true\nredis:\n  enabled: true\n  nonBroker: true\n  usePassword: true\n\
             rabbitmq:\n  enabled: true\nuser:\n  password: null\n",
        );
        let found: Vec<(String, String, &str)> = keys
            .iter()
            .map(|k| (k.secret.clone(), k.key.clone(), k.field))
            .collect();
        let has = |secret: &str, key: &str, field: &str| {
            assert!(
                found
                    .iter()
                    .any(|(s, k, f)| s == secret && k == key && *f == field),
                "{secret} {key} {field} not in {found:?}"
            );
        };
        has(
            "polyaxon-polyaxon-secret",
            "POLYAXON_SECRET_KEY",
            "secretKey",
        );
        has(
            "polyaxon-polyaxon-secret",
            "POLYAXON_SECRET_INTERNAL_TOKEN",
            "internalToken",
        );
        has("polyaxon-postgresql", "password", "postgresPassword");
        has("polyaxon-redis", "redis-password", "redisPassword");
        has("polyaxon-rabbitmq", "rabbitmq-password", "rabbitmqPassword");
        has(
            "polyaxon-rabbitmq",
            "rabbitmq-erlang-cookie",
            "rabbitmqErlangCookie",
        );
        assert!(keys.iter().all(|k| k.namespace == "plx"));
    }

    #[test]
    fn the_secrets_holding_generated_values_are_the_credentials() {
        let deployment: Deployment = load_texts(
            &[(
                "config.yml",
                "deploymentChart: platform\ndeploymentVersion: 2.15.1\nnamespace: plx\npostgresql:\n  enabled: true\n",
            )],
            &LoadOptions::default(),
        )
        .unwrap();
        let state = ReleaseState::new_for(&deployment.release_name);
        let manifest = render(&deployment, &state).unwrap();
        let kept: Vec<String> = credential_secrets(&manifest, &state)
            .iter()
            .map(|o| o.name.clone())
            .collect();
        assert!(
            kept.contains(&"polyaxon-postgresql".to_string()),
            "{kept:?}"
        );
        assert!(
            kept.contains(&"polyaxon-polyaxon-secret".to_string()),
            "{kept:?}"
        );
        let all_secrets = secrets(&manifest).count();
        assert!(kept.len() <= all_secrets);
    }

    #[test]
    fn given_passwords_are_not_generated_keys() {
        let keys = keys_of(
            "deploymentChart: platform\ndeploymentVersion: 2.15.1\n\
             postgresql:\n  enabled: true\n  auth:\n    password: given\n",
        );
        assert!(
            keys.iter().all(|k| k.field != "postgresPassword"),
            "{keys:?}"
        );
    }
}
