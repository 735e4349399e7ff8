//! One revision of a release: what was deployed, from what, and its outcome.

use serde::{Deserialize, Serialize};

use k8s_openapi::jiff::Timestamp;
use kube::api::DynamicObject;
use kube::discovery::ApiResource;

use super::ReleaseRef;
use super::holder::Process;
use crate::render::{Hook, Manifest, ReleaseState, RenderedObject, Stage};

/// The outcome of a revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// An operation is writing this revision (or was interrupted doing so).
    Pending,
    /// The revision is what runs now.
    Deployed,
    /// The operation that wrote this revision failed.
    Failed,
    /// A later revision replaced this one.
    Superseded,
}

impl Status {
    /// The status as shown and stored in labels.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Deployed => "deployed",
            Status::Failed => "failed",
            Status::Superseded => "superseded",
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The identity of one applied object: enough to find, compare and delete it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectRef {
    /// The stage it was applied in (teardown deletes in reverse).
    pub stage: Stage,
    /// `group/version` or `version` for the core group.
    pub api_version: String,
    /// The kind.
    pub kind: String,
    /// The resource's plural, for the dynamic API.
    pub plural: String,
    /// Namespace, for namespaced objects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// The name.
    pub name: String,
}

impl ObjectRef {
    /// The reference of a rendered object.
    pub fn of(object: &RenderedObject) -> Self {
        ObjectRef {
            stage: object.stage,
            api_version: object.resource.api_version.clone(),
            kind: object.resource.kind.clone(),
            plural: object.resource.plural.clone(),
            namespace: object.namespace().map(str::to_string),
            name: object.name().to_string(),
        }
    }

    /// The reference of the claim `name` in `namespace` (claims are kept
    /// with the config stage's objects).
    pub fn claim(namespace: &str, name: String) -> Self {
        ObjectRef {
            stage: Stage::Config,
            api_version: "v1".into(),
            kind: "PersistentVolumeClaim".into(),
            plural: "persistentvolumeclaims".into(),
            namespace: Some(namespace.to_string()),
            name,
        }
    }

    /// The API resource to reach this object through the dynamic API.
    pub fn api_resource(&self) -> kube::discovery::ApiResource {
        let (group, version) = match self.api_version.split_once('/') {
            Some((group, version)) => (group.to_string(), version.to_string()),
            None => (String::new(), self.api_version.clone()),
        };
        kube::discovery::ApiResource {
            group,
            version,
            api_version: self.api_version.clone(),
            kind: self.kind.clone(),
            plural: self.plural.clone(),
        }
    }

    /// `Kind/name`, the way people name an object.
    pub fn id(&self) -> String {
        format!("{}/{}", self.kind, self.name)
    }
}

impl std::fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{}/{} (namespace {ns})", self.kind, self.name),
            None => write!(f, "{}/{}", self.kind, self.name),
        }
    }
}

/// One revision of a release, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReleaseRecord {
    /// The release name.
    pub name: String,
    /// The release's namespace.
    pub namespace: String,
    /// 1 for the first deploy, +1 for every upgrade or rollback.
    pub revision: u32,
    /// The outcome.
    pub status: Status,
    /// `platform`, `agent` or `ponos`.
    pub chart: String,
    /// The pinned Polyaxon (or Ponos) version.
    pub version: String,
    /// The merged deployment config, as given (after `--set` and flags).
    pub config: serde_json::Value,
    /// Generated values (passwords, keys) every later render reuses.
    pub state: ReleaseState,
    /// Every object this revision applied (hooks not included: they are deleted after running).
    pub inventory: Vec<ObjectRef>,
    /// The rendered manifest, hooks included, so a rollback re-applies exactly this.
    #[serde(default)]
    pub manifest: Vec<StoredObject>,
    /// The version of this tool that wrote the record.
    pub tool_version: String,
    /// What the operation was and how it ended, in a sentence.
    pub description: String,
    /// When the revision was first written (RFC 3339).
    pub created: String,
    /// When the record was last written (RFC 3339).
    pub updated: String,
    /// For a revision helm made (before this tool took the release over):
    /// helm's record of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub helm: Option<HelmOrigin>,
    /// The process that wrote the revision, so an interrupted one says whose
    /// it was; absent in records of older versions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub writer: Option<Process>,
    /// Why a `failed` revision failed: the error in full, every value of
    /// the release's Secrets replaced by `<redacted>` (see
    /// [`super::Redactor`]); absent for other revisions and in records of
    /// older versions (whose description holds its first line).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A revision helm made, as helm recorded it: kept in this tool's history
/// when it takes a release over, so helm's revisions stay listed, can be
/// rolled back to, and helm's record can be written back (docs/helm.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HelmOrigin {
    /// helm's revision number.
    pub revision: u32,
    /// helm's status of it (`deployed`, `superseded`, `pending-upgrade`, ...).
    pub status: String,
    /// helm's chart name (`polyaxon`, `agent`).
    pub chart: String,
    /// The chart version.
    pub chart_version: String,
    /// What helm stored it in: `Secret` or `ConfigMap`.
    pub storage: String,
    /// The name of helm's record object (`sh.helm.release.v1.<release>.v<N>`).
    pub object: String,
    /// helm's `release` entry as helm stored it (base64 of gzipped JSON).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub record: String,
}

/// What a revision deploys: the chart, its version, the config as given,
/// and the generated values every render of it reuses.
#[derive(Debug, Clone, PartialEq)]
pub struct RevisionContent {
    /// `platform`, `agent` or `ponos`.
    pub chart: String,
    /// The pinned Polyaxon (or Ponos) version.
    pub version: String,
    /// The merged deployment config, as given.
    pub config: serde_json::Value,
    /// The generated values.
    pub state: ReleaseState,
}

impl ReleaseRecord {
    /// Revision `revision` of `release`, `pending`: what an operation writes
    /// before it acts, with nothing applied yet.
    pub fn pending(
        release: &ReleaseRef,
        revision: u32,
        content: RevisionContent,
        description: &str,
    ) -> Self {
        let now = now();
        ReleaseRecord {
            name: release.release.clone(),
            namespace: release.namespace.clone(),
            revision,
            status: Status::Pending,
            chart: content.chart,
            version: content.version,
            config: content.config,
            state: content.state,
            inventory: Vec::new(),
            manifest: Vec::new(),
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            description: description.to_string(),
            created: now.clone(),
            updated: now,
            helm: None,
            writer: Some(Process::current()),
            reason: None,
        }
    }

    /// How a `pending` revision was left: `pending since <time>, by pid
    /// <pid> on <host>` (its writer is unknown in records of older versions).
    pub fn pending_detail(&self) -> String {
        match &self.writer {
            Some(w) => format!(
                "pending since {}, by pid {} on {}",
                self.updated, w.pid, w.host
            ),
            None => format!("pending since {}", self.updated),
        }
    }

    /// What this revision deployed, to deploy it again.
    pub fn content(&self) -> RevisionContent {
        RevisionContent {
            chart: self.chart.clone(),
            version: self.version.clone(),
            config: self.config.clone(),
            state: self.state.clone(),
        }
    }
}

/// A record for tests: revision `revision` of release `polyaxon` in
/// namespace `polyaxon`, platform 2.18.0, with placeholder generated values.
#[cfg(test)]
pub(crate) fn test_record(revision: u32, status: Status) -> ReleaseRecord {
    let release = ReleaseRef {
        namespace: "polyaxon".into(),
        release: "polyaxon".into(),
    };
    let content = RevisionContent {
        chart: "platform".into(),
        version: "2.18.0".into(),
        config: serde_json::Value::Null,
        state: ReleaseState::placeholder("polyaxon"),
    };
    let mut record = ReleaseRecord::pending(&release, revision, content, "");
    record.status = status;
    record
}

/// Now, as records write it (RFC 3339, seconds).
pub(crate) fn now() -> String {
    Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A rendered object as stored in a record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredObject {
    /// Its stage.
    pub stage: Stage,
    /// Its hook moment, for hook Jobs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hook: Option<Hook>,
    /// Its API resource.
    pub resource: ApiResource,
    /// Whether it is namespaced.
    pub namespaced: bool,
    /// The object.
    pub object: DynamicObject,
}

/// Stores a manifest in a record.
pub fn store_manifest(manifest: &Manifest) -> Vec<StoredObject> {
    manifest
        .objects
        .iter()
        .map(|o| StoredObject {
            stage: o.stage,
            hook: o.hook,
            resource: o.resource.clone(),
            namespaced: o.namespaced,
            object: o.object.clone(),
        })
        .collect()
}

/// The manifest a record stored.
pub fn restore_manifest(stored: &[StoredObject]) -> Manifest {
    Manifest {
        objects: stored
            .iter()
            .map(|o| RenderedObject {
                stage: o.stage,
                hook: o.hook,
                resource: o.resource.clone(),
                namespaced: o.namespaced,
                object: o.object.clone(),
            })
            .collect(),
    }
}
