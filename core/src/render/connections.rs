//! Connections (`artifactsStore`, `connections`, `mountConnections`,
//! `notificationConnections`) and the 0.x `persistence` stores: the JSON the
//! agent hands to runs, and the volumes, mounts and environment of the core
//! pods that must reach them (as the charts' `_connections.tpl`/`_stores.tpl`).

use std::collections::BTreeSet;

use k8s_openapi::api::core::v1::{
    ConfigMapVolumeSource, EnvFromSource, EnvVar, HostPathVolumeSource,
    PersistentVolumeClaimVolumeSource, SecretVolumeSource, Volume, VolumeMount,
};
use serde_json::{Value, json};

use crate::config::schema::{Connection, PersistenceVolume, VolumeEntry};

use super::common;
use super::values::{Values, as_text, strip_nulls};

/// Volumes, mounts and environment that a set of connections adds to a pod.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Mounts {
    /// Pod volumes (unique by name).
    pub volumes: Vec<Volume>,
    /// Container mounts.
    pub mounts: Vec<VolumeMount>,
    /// Container `envFrom`.
    pub env_from: Vec<EnvFromSource>,
    /// Container `env`.
    pub env: Vec<EnvVar>,
}

impl Mounts {
    /// Adds another set, skipping volumes and mounts already present.
    pub fn extend(&mut self, other: Mounts) {
        let names: BTreeSet<String> = self.volumes.iter().map(|v| v.name.clone()).collect();
        self.volumes.extend(
            other
                .volumes
                .into_iter()
                .filter(|v| !names.contains(&v.name)),
        );
        let paths: BTreeSet<String> = self.mounts.iter().map(|m| m.mount_path.clone()).collect();
        self.mounts.extend(
            other
                .mounts
                .into_iter()
                .filter(|m| !paths.contains(&m.mount_path)),
        );
        self.env_from.extend(other.env_from);
        self.env.extend(other.env);
    }

    fn volume(&mut self, volume: Volume) {
        if !self.volumes.iter().any(|v| v.name == volume.name) {
            self.volumes.push(volume);
        }
    }
}

/// The fallback artifacts store of the charts (`defaultArtifactsStore`).
pub fn default_artifacts_store() -> Connection {
    let schema = json!({"hostPath": "/tmp/artifactsStore", "mountPath": "/artifactsStore"});
    Connection {
        name: Some("default-artifacts-store".into()),
        kind: Some("host_path".into()),
        schema: schema.as_object().cloned(),
        ..Connection::default()
    }
}

/// The artifacts store: `artifactsStore`, else the first 0.x
/// `persistence.outputs` entry, else the charts' default host path.
pub fn artifacts_store(values: &Values<'_>) -> Connection {
    if let Some(store) = &values.config.artifacts_store {
        return store.clone();
    }
    if let Some((name, entry)) = persistence_outputs(values).into_iter().next() {
        return entry_connection(&name, &entry);
    }
    default_artifacts_store()
}

/// The connections handed to runs: `connections`, then every 0.x
/// `persistence.data` entry and the `persistence.outputs` entries after the
/// first (which is the artifacts store).
pub fn connections(values: &Values<'_>) -> Vec<Connection> {
    let mut list = values.config.connections.clone().unwrap_or_default();
    for (name, entry) in persistence_data(values) {
        list.push(entry_connection(&name, &entry));
    }
    let outputs = persistence_outputs(values);
    let skip = usize::from(values.config.artifacts_store.is_none());
    for (name, entry) in outputs.into_iter().skip(skip) {
        list.push(entry_connection(&name, &entry));
    }
    list
}

/// A connection as the agent config lists it (its JSON form).
pub fn to_json(connection: &Connection) -> Value {
    serde_json::to_value(connection)
        .map(strip_nulls)
        .unwrap_or(Value::Null)
}

/// What mounting one connection adds to a pod: its host path or claim (for
/// `host_path`/`volume_claim`), its Secret and ConfigMap (as a volume when
/// they have a `mountPath`, else as `envFrom`), and its `env`.
pub fn connection_mounts(connection: &Connection) -> Mounts {
    let mut out = Mounts::default();
    let name = connection.name.clone().unwrap_or_default();
    let schema = connection.schema.clone().unwrap_or_default();
    let text = |key: &str| schema.get(key).and_then(Value::as_str).map(String::from);
    let kind = connection.kind.as_deref().unwrap_or_default();
    if let (true, Some(mount_path)) = (
        matches!(kind, "host_path" | "volume_claim") && !name.is_empty(),
        text("mountPath"),
    ) {
        let read_only = schema.get("readOnly").and_then(Value::as_bool);
        let volume = if kind == "volume_claim" {
            Volume {
                name: name.clone(),
                persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
                    claim_name: text("volumeClaim").unwrap_or_default(),
                    read_only,
                }),
                ..Volume::default()
            }
        } else {
            Volume {
                name: name.clone(),
                host_path: Some(HostPathVolumeSource {
                    path: text("hostPath").unwrap_or_default(),
                    ..HostPathVolumeSource::default()
                }),
                ..Volume::default()
            }
        };
        out.volume(volume);
        out.mounts.push(VolumeMount {
            name,
            mount_path,
            sub_path: text("subPath"),
            read_only,
            ..VolumeMount::default()
        });
    }
    if let Some(secret) = &connection.secret
        && let Some(secret_name) = &secret.name
    {
        match &secret.mount_path {
            Some(path) => {
                let volume_name = volume_name("secret", secret_name);
                out.volume(Volume {
                    name: volume_name.clone(),
                    secret: Some(SecretVolumeSource {
                        secret_name: Some(secret_name.clone()),
                        ..SecretVolumeSource::default()
                    }),
                    ..Volume::default()
                });
                out.mounts.push(read_only_mount(&volume_name, path));
            }
            None => out.env_from.push(common::from_secret(secret_name)),
        }
    }
    if let Some(config_map) = &connection.config_map
        && let Some(cm_name) = &config_map.name
    {
        match &config_map.mount_path {
            Some(path) => {
                let volume_name = volume_name("config", cm_name);
                out.volume(Volume {
                    name: volume_name.clone(),
                    config_map: Some(ConfigMapVolumeSource {
                        name: cm_name.clone(),
                        ..ConfigMapVolumeSource::default()
                    }),
                    ..Volume::default()
                });
                out.mounts.push(read_only_mount(&volume_name, path));
            }
            None => out.env_from.push(common::from_config_map(cm_name)),
        }
    }
    for item in connection.env.iter().flatten() {
        if let Some(name) = item.get("name").and_then(Value::as_str) {
            out.env.push(EnvVar {
                name: name.to_string(),
                value: item.get("value").map(as_text),
                ..EnvVar::default()
            });
        }
    }
    out
}

/// The connections named in `mountConnections`, mounted (as the charts).
pub fn mounted_connections(values: &Values<'_>) -> Mounts {
    let wanted: BTreeSet<&str> = values
        .config
        .mount_connections
        .iter()
        .flatten()
        .map(String::as_str)
        .collect();
    let mut out = Mounts::default();
    for connection in connections(values) {
        // Aliases name another connection's resources: never mounted twice.
        if connection.is_alias != Some(true)
            && connection
                .name
                .as_deref()
                .is_some_and(|n| wanted.contains(n))
        {
            out.extend(connection_mounts(&connection));
        }
    }
    out
}

/// The artifacts store, mounted (streams/gateway read and write artifacts).
pub fn artifacts_store_mounts(values: &Values<'_>) -> Mounts {
    connection_mounts(&artifacts_store(values))
}

/// The Secrets and ConfigMaps of `notificationConnections`, mounted where
/// they name a path and exposed as environment otherwise.
pub fn notification_mounts(values: &Values<'_>) -> Mounts {
    let mut out = Mounts::default();
    for connection in values.config.notification_connections.iter().flatten() {
        let only_resources = Connection {
            kind: None,
            env: None,
            ..connection.clone()
        };
        out.extend(connection_mounts(&only_resources));
    }
    out
}

/// The 0.x `persistence.logs`/`repos`/`upload` volumes and the data/outputs
/// stores that are volumes, mounted in the core pods. Only when the config
/// has a `persistence` section: the 1.x/2.x charts have none.
pub fn persistence_mounts(values: &Values<'_>) -> Mounts {
    let mut out = Mounts::default();
    let Some(persistence) = &values.config.persistence else {
        return out;
    };
    let fixed = [
        ("logs", &persistence.logs, "/polyaxon-logs", "/tmp/logs"),
        ("repos", &persistence.repos, "/polyaxon-repos", "/tmp/repos"),
        (
            "upload",
            &persistence.upload,
            "/polyaxon-upload",
            "/tmp/upload",
        ),
    ];
    for (name, given, mount_path, host_path) in fixed {
        let given = given.clone().unwrap_or_default();
        out.volume(fixed_volume(name, &given, host_path));
        out.mounts.push(VolumeMount {
            name: name.into(),
            mount_path: given.mount_path.unwrap_or_else(|| mount_path.into()),
            ..VolumeMount::default()
        });
    }
    for (prefix, entries) in [
        ("data", persistence_data(values)),
        ("outputs", persistence_outputs(values)),
    ] {
        for (name, entry) in entries {
            if entry.existing_claim.is_none() && entry.host_path.is_none() {
                continue; // a cloud store: reached with its secret, not mounted
            }
            let volume_name = volume_name(prefix, &name);
            let read_only = entry.read_only.filter(|r| *r);
            out.volume(Volume {
                name: volume_name.clone(),
                persistent_volume_claim: entry.existing_claim.as_ref().map(|claim| {
                    PersistentVolumeClaimVolumeSource {
                        claim_name: claim.clone(),
                        read_only,
                    }
                }),
                host_path: match (&entry.existing_claim, &entry.host_path) {
                    (None, Some(path)) => Some(HostPathVolumeSource {
                        path: path.clone(),
                        ..HostPathVolumeSource::default()
                    }),
                    _ => None,
                },
                ..Volume::default()
            });
            out.mounts.push(VolumeMount {
                name: volume_name,
                mount_path: entry
                    .mount_path
                    .clone()
                    .unwrap_or_else(|| format!("/{prefix}/{name}")),
                read_only,
                ..VolumeMount::default()
            });
        }
    }
    out
}

fn fixed_volume(name: &str, given: &PersistenceVolume, default_host_path: &str) -> Volume {
    match &given.existing_claim {
        Some(claim) => Volume {
            name: name.into(),
            persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
                claim_name: claim.clone(),
                read_only: None,
            }),
            ..Volume::default()
        },
        None => Volume {
            name: name.into(),
            host_path: Some(HostPathVolumeSource {
                path: given
                    .host_path
                    .clone()
                    .unwrap_or_else(|| default_host_path.into()),
                ..HostPathVolumeSource::default()
            }),
            ..Volume::default()
        },
    }
}

/// The 0.x `persistence.data` entries (default: one host path `/data`).
pub fn persistence_data(values: &Values<'_>) -> Vec<(String, VolumeEntry)> {
    entries(values, |p| p.data.clone(), "default-data", "/data")
}

/// The 0.x `persistence.outputs` entries (default: one host path `/outputs`).
pub fn persistence_outputs(values: &Values<'_>) -> Vec<(String, VolumeEntry)> {
    entries(values, |p| p.outputs.clone(), "default-outputs", "/outputs")
}

fn entries(
    values: &Values<'_>,
    pick: impl Fn(
        &crate::config::schema::Persistence,
    ) -> Option<std::collections::BTreeMap<String, VolumeEntry>>,
    default_name: &str,
    default_path: &str,
) -> Vec<(String, VolumeEntry)> {
    let Some(persistence) = &values.config.persistence else {
        return Vec::new();
    };
    match pick(persistence) {
        Some(map) => map.into_iter().collect(),
        None => vec![(
            default_name.to_string(),
            VolumeEntry {
                mount_path: Some(default_path.into()),
                host_path: Some(default_path.into()),
                ..VolumeEntry::default()
            },
        )],
    }
}

/// A 0.x store entry as a connection: a claim, a host path, or a bucket with
/// its secret (`azure` is Polyaxon's `wasb`).
pub fn entry_connection(name: &str, entry: &VolumeEntry) -> Connection {
    use crate::config::schema::ConnectionResource;
    let mut schema = serde_json::Map::new();
    let kind = if let Some(store) = &entry.store {
        if let Some(bucket) = &entry.bucket {
            schema.insert("bucket".into(), bucket.clone().into());
        }
        match store.as_str() {
            "azure" => "wasb".to_string(),
            other => other.to_string(),
        }
    } else if let Some(claim) = &entry.existing_claim {
        schema.insert("volumeClaim".into(), claim.clone().into());
        "volume_claim".to_string()
    } else {
        schema.insert(
            "hostPath".into(),
            entry.host_path.clone().unwrap_or_default().into(),
        );
        "host_path".to_string()
    };
    if entry.store.is_none() {
        if let Some(path) = &entry.mount_path {
            schema.insert("mountPath".into(), path.clone().into());
        }
        if entry.read_only == Some(true) {
            schema.insert("readOnly".into(), true.into());
        }
    }
    Connection {
        name: Some(name.to_string()),
        kind: Some(kind),
        schema: Some(schema),
        secret: entry.secret.as_ref().map(|secret| ConnectionResource {
            name: Some(secret.clone()),
            items: entry.secret_key.clone().map(|k| vec![k]),
            mount_path: None,
            ..ConnectionResource::default()
        }),
        ..Connection::default()
    }
}

fn read_only_mount(name: &str, path: &str) -> VolumeMount {
    VolumeMount {
        name: name.into(),
        mount_path: path.into(),
        read_only: Some(true),
        ..VolumeMount::default()
    }
}

/// A volume name (a DNS-1123 label) for a Secret, ConfigMap or store:
/// dots and underscores become dashes, cut to 63.
fn volume_name(prefix: &str, name: &str) -> String {
    let clean: String = name
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    super::names::truncate(&format!("{prefix}-{}", clean.trim_matches('-')))
}
