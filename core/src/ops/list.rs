//! `polyaxon status` without `-r`: the releases of a namespace (or of every
//! namespace), each by its newest revision, as helm's `list` shows them.
//! Releases helm installed and this tool has not taken over are listed too,
//! marked as helm's: the Python CLI's users find theirs there.

use std::collections::BTreeSet;

use kube::Client;
use serde::Serialize;

use super::OpError;
use super::query::describe_pending;
use crate::discover::{DiscoverError, newest_records};
use crate::event::Reporter;
use crate::helm::HelmStatus;
use crate::helm::store::newest_in;
use crate::release::{LockHolder, ReleaseRecord, ReleaseRef};
use crate::render::ReleaseState;

/// Which tool's records a listed release comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Manager {
    /// This tool's release records.
    Polyaxon,
    /// helm's records: installed by helm (the Python CLI), not taken over.
    Helm,
}

/// One listed release: its newest revision and who keeps its records.
#[derive(Debug, Clone)]
pub struct ListedRelease {
    /// The newest readable revision (for a `pending` one of ours, its
    /// description says who runs it, or that it was interrupted).
    pub record: ReleaseRecord,
    /// Whose records these are.
    pub manager: Manager,
    /// The operation writing a `pending` revision, while it runs.
    pub running: Option<LockHolder>,
}

/// The releases in `namespace` (every namespace when `None`), sorted by
/// namespace then name. Records that cannot be read are reported to
/// `reporter` and skipped.
pub async fn list(
    client: &Client,
    namespace: Option<&str>,
    reporter: &Reporter,
) -> Result<Vec<ListedRelease>, OpError> {
    let ours = newest_records(client, namespace, reporter)
        .await
        .map_err(|error| match error {
            DiscoverError::List { namespace, source } => OpError::Api {
                action: format!("list the releases in {namespace}"),
                source: Box::new(source),
            },
            DiscoverError::Record(error) => OpError::Store(error),
        })?;
    let mut listed = Vec::new();
    for mut record in ours {
        let running = describe_pending(client, &mut record).await?;
        listed.push(ListedRelease {
            record,
            manager: Manager::Polyaxon,
            running,
        });
    }
    let known: BTreeSet<ReleaseRef> = listed.iter().map(|l| release_of(&l.record)).collect();
    let helm = newest_in(client, namespace)
        .await
        .map_err(|source| OpError::Api {
            action: match namespace {
                Some(namespace) => format!("list helm's releases in namespace {namespace}"),
                None => "list helm's releases in every namespace".to_string(),
            },
            source: Box::new(source),
        })?;
    for stored in &helm {
        // An unreadable newest record of helm's is left to helm to explain.
        let Ok(release) = &stored.release else {
            continue;
        };
        if release.status == HelmStatus::Uninstalled {
            continue;
        }
        let placeholder = ReleaseState::placeholder(&release.name);
        let record = super::helm_release::record(stored, release, &placeholder, false);
        if known.contains(&release_of(&record)) {
            continue;
        }
        listed.push(ListedRelease {
            record,
            manager: Manager::Helm,
            running: None,
        });
    }
    listed.sort_by_key(|a| release_of(&a.record));
    Ok(listed)
}

fn release_of(record: &ReleaseRecord) -> ReleaseRef {
    ReleaseRef {
        namespace: record.namespace.clone(),
        release: record.name.clone(),
    }
}
