//! The 0.x platform seed's volume keys (`persistence`, `dirs`, `mountPaths`),
//! accepted in both generations because the seed documents name them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// `persistence`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Persistence {
    /// Persistence of the in-cluster dependencies.
    pub enabled: Option<bool>,
    /// Logs volume (default hostPath `/tmp/logs`).
    pub logs: Option<PersistenceVolume>,
    /// Repos volume (default hostPath `/tmp/repos`).
    pub repos: Option<PersistenceVolume>,
    /// Upload volume (default hostPath `/tmp/upload`).
    pub upload: Option<PersistenceVolume>,
    /// Data stores by name (default one hostPath `/data`); each also a connection for runs.
    pub data: Option<BTreeMap<String, VolumeEntry>>,
    /// Outputs stores by name (default one hostPath `/outputs`); the first is the artifacts store.
    pub outputs: Option<BTreeMap<String, VolumeEntry>>,
}

/// `persistence.logs` / `.repos` / `.upload`: a PVC or a hostPath.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PersistenceVolume {
    /// Use this existing PVC.
    pub existing_claim: Option<String>,
    /// Where it is mounted in the core pods.
    pub mount_path: Option<String>,
    /// Use this host path instead of a PVC.
    pub host_path: Option<String>,
}

/// `persistence.data.<name>` / `persistence.outputs.<name>`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VolumeEntry {
    /// Use this existing PVC.
    pub existing_claim: Option<String>,
    /// Where it is mounted in the core pods.
    pub mount_path: Option<String>,
    /// Use this host path.
    pub host_path: Option<String>,
    /// Mount read-only.
    pub read_only: Option<bool>,
    /// A cloud store: `s3`, `gcs` or `azure`.
    pub store: Option<String>,
    /// Bucket of the cloud store.
    pub bucket: Option<String>,
    /// Secret holding the cloud credentials.
    pub secret: Option<String>,
    /// Key of the credentials in that Secret.
    pub secret_key: Option<String>,
}

/// `dirs` / `mountPaths`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PathsConfig {
    /// The NVIDIA library paths.
    pub nvidia: Option<NvidiaPaths>,
}

/// `dirs.nvidia` / `mountPaths.nvidia`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NvidiaPaths {
    /// Library directory.
    pub lib: Option<String>,
    /// Binaries directory.
    pub bin: Option<String>,
    /// libcuda directory.
    pub libcuda: Option<String>,
}
