//! `ponos:`: the Ponos agent's `agent.yml` keys (seed `003_…`), snake_case as
//! in the seed, plus what this tool needs to create the data volume.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The `ponos:` section, for `deploymentChart: ponos`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PonosConfig {
    /// Arkindex URL (`url`), in the agent config. Required.
    pub url: Option<String>,
    /// Ponos farm id (`farm_id`), in the agent config. Required.
    pub farm_id: Option<String>,
    /// Farm seed (`seed`): the config file holding it is mounted from a Secret. Required.
    pub seed: Option<String>,
    /// Data directory (`data_dir`, default `/data`): config value and mount path of the data PVC.
    pub data_dir: Option<String>,
    /// Image repository (default `registry.gitlab.teklia.com/arkindex/ponos-agent`);
    /// the tag is `deploymentVersion`.
    pub image: Option<String>,
    /// Kubernetes settings of the agent.
    pub kubernetes: Option<PonosKubernetes>,
}

/// `ponos.kubernetes`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PonosKubernetes {
    /// Name of the ReadWriteMany PVC mounted at `data_dir`. Required.
    pub pvc_name: Option<String>,
    /// Storage class of that PVC when this tool creates it.
    pub storage_class: Option<String>,
    /// Size of that PVC when this tool creates it (a quantity, e.g. `100Gi`).
    pub storage_size: Option<String>,
    /// Extra volumes on the agent, passed on in its config for job pods.
    pub extra_volumes: Option<Vec<PonosExtraVolume>>,
    /// Extra environment for job pods (e.g. `REQUESTS_CA_BUNDLE`).
    pub extra_environment: Option<BTreeMap<String, String>>,
}

/// `ponos.kubernetes.extra_volumes[]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PonosExtraVolume {
    /// Volume name (a DNS-1123 label).
    pub name: Option<String>,
    /// PVC to mount.
    pub pvc_name: Option<String>,
    /// Where to mount it.
    pub mount_path: Option<String>,
    /// Mount read-only.
    pub read_only: Option<bool>,
}
