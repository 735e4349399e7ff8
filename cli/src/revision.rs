//! What `status` and `history` show of a release record.

use polyaxon_core::release::{LockHolder, ReleaseRecord};
use serde::Serialize;

/// The operation writing a `pending` revision, while it runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunningView {
    /// `deploy`, `upgrade`, `teardown`, `rollback`.
    pub operation: String,
    /// Who runs it, when this tool wrote the lock.
    pub user: Option<String>,
    /// On which machine.
    pub host: Option<String>,
    /// Its process id.
    pub pid: Option<u32>,
    /// Since when it holds the release's lock (RFC 3339).
    pub since: Option<String>,
    /// All of it in a sentence.
    pub holder: String,
}

impl RunningView {
    /// The view of a lock's holder.
    pub fn of(holder: &LockHolder) -> Self {
        let process = holder.process.as_ref();
        RunningView {
            operation: holder.operation.clone(),
            user: process.map(|p| p.user.clone()),
            host: process.map(|p| p.host.clone()),
            pid: process.map(|p| p.pid),
            since: holder.since.clone(),
            holder: holder.running_since(),
        }
    }
}

/// A revision as shown: never its generated secrets, nor the config (it may
/// hold passwords).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RevisionView {
    /// The release.
    pub release: String,
    /// Its namespace.
    pub namespace: String,
    /// The revision number.
    pub revision: u32,
    /// `deployed`, `superseded`, `failed`, `pending`.
    pub status: String,
    /// The chart.
    pub chart: String,
    /// The Polyaxon version.
    pub version: String,
    /// What happened in it.
    pub description: String,
    /// When it was made.
    pub created: String,
    /// When it last changed.
    pub updated: String,
    /// The tool version that made it.
    pub tool_version: String,
    /// Its objects, `Kind/name`.
    pub objects: Vec<String>,
    /// For a revision helm made: helm's revision, status and chart.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub helm: Option<String>,
    /// Why a failed revision failed (secret values redacted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl RevisionView {
    /// The view of a record.
    pub fn of(record: &ReleaseRecord) -> Self {
        RevisionView {
            release: record.name.clone(),
            namespace: record.namespace.clone(),
            revision: record.revision,
            status: record.status.to_string(),
            chart: record.chart.clone(),
            version: record.version.clone(),
            description: record.description.clone(),
            created: record.created.clone(),
            updated: record.updated.clone(),
            tool_version: record.tool_version.clone(),
            objects: record.inventory.iter().map(|o| o.id()).collect(),
            helm: record.helm.as_ref().map(|h| {
                format!(
                    "helm revision {} ({}), chart {} {}",
                    h.revision, h.status, h.chart, h.chart_version
                )
            }),
            reason: record.reason.clone(),
        }
    }
}
