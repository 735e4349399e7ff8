//! Connections (`artifactsStore`, `connections[]`, `notificationConnections[]`):
//! Polyaxon's `V1Connection`.

use serde::{Deserialize, Serialize};

use super::Dict;

/// One connection. Its name must be a DNS-1123 label and unique among the
/// connections and the artifacts store.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Connection {
    /// Unique name, referenced by runs and by `mountConnections`.
    pub name: Option<String>,
    /// Kind: `host_path`, `volume_claim`, `gcs`, `s3`, `wasb`, `registry`, `git`,
    /// `slack`, … (Polyaxon's list; custom kinds are allowed).
    pub kind: Option<String>,
    /// The connection is an alias of another one.
    pub is_alias: Option<bool>,
    /// Short description.
    pub description: Option<String>,
    /// Tags.
    pub tags: Option<Vec<String>>,
    /// Kind-specific schema (`bucket`, `hostPath`/`mountPath`, `volumeClaim`, `url`, …), as given.
    pub schema: Option<Dict>,
    /// A Secret to mount or expose as environment.
    pub secret: Option<ConnectionResource>,
    /// A ConfigMap to mount or expose as environment.
    pub config_map: Option<ConnectionResource>,
    /// Environment variables always injected with the connection (`name`/`value` items), as given.
    pub env: Option<Vec<Dict>>,
    /// Annotations always used with the connection.
    pub annotations: Option<std::collections::BTreeMap<String, String>>,
}

/// The Secret or ConfigMap of a connection.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionResource {
    /// Name of the Secret/ConfigMap.
    pub name: Option<String>,
    /// Mount as a volume at this path instead of environment variables.
    pub mount_path: Option<String>,
    /// Host path of the resource.
    pub host_path: Option<String>,
    /// Only these items.
    pub items: Option<Vec<String>>,
    /// File mode of the mounted items (e.g. `"0644"`).
    pub default_mode: Option<String>,
    /// The resource is requested by the connection.
    pub is_requested: Option<bool>,
}
