//! Global scheduling keys, which the 0.x seed splits per role
//! (`tolerations.core`, `affinity.jobs`, `nodeSelectors.builds`, …) while
//! 1.x/2.x give one value for the core pods.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Affinity, Toleration};
use serde::{Deserialize, Serialize};

/// `tolerations`: a list, or per role.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum TolerationsSetting {
    /// One list for every core pod (1.x/2.x).
    List(Vec<Toleration>),
    /// Per role (0.x seed).
    ByRole(TolerationsByRole),
}

/// `tolerations.<role>` (0.x seed).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TolerationsByRole {
    /// Core pods.
    pub core: Option<Vec<Toleration>>,
    /// Experiments (handed to runs).
    pub experiments: Option<Vec<Toleration>>,
    /// Jobs (handed to runs).
    pub jobs: Option<Vec<Toleration>>,
    /// Builds (handed to runs).
    pub builds: Option<Vec<Toleration>>,
    /// Tensorboards (handed to runs).
    pub tensorboards: Option<Vec<Toleration>>,
    /// The resources DaemonSet.
    pub resources_daemon: Option<Vec<Toleration>>,
}

/// `affinity`: an Affinity, or per role.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AffinitySetting {
    /// Per role (0.x seed); tried first because its keys are closed.
    ByRole(AffinityByRole),
    /// One Affinity for every core pod (1.x/2.x).
    Affinity(Affinity),
}

/// `affinity.<role>` (0.x seed).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AffinityByRole {
    /// Core pods.
    pub core: Option<Affinity>,
    /// Experiments (handed to runs).
    pub experiments: Option<Affinity>,
    /// Jobs (handed to runs).
    pub jobs: Option<Affinity>,
    /// Builds (handed to runs).
    pub builds: Option<Affinity>,
    /// Tensorboards (handed to runs).
    pub tensorboards: Option<Affinity>,
}

/// `nodeSelectors.<role>` (0.x seed).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeSelectorsByRole {
    /// Core pods.
    pub core: Option<BTreeMap<String, String>>,
    /// Experiments (handed to runs).
    pub experiments: Option<BTreeMap<String, String>>,
    /// Jobs (handed to runs).
    pub jobs: Option<BTreeMap<String, String>>,
    /// Builds (handed to runs).
    pub builds: Option<BTreeMap<String, String>>,
    /// Tensorboards (handed to runs).
    pub tensorboards: Option<BTreeMap<String, String>>,
}
