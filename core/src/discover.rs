//! Read-only discovery of what is in the cluster, for `polyaxon version` and
//! shell completion: namespaces, the names of the releases this tool
//! deployed, and what each of them runs.
//!
//! Names come from the labels of the release records (metadata only, so
//! completion never reads Secret data); what a release runs comes from its
//! records, read through [`crate::release::ClusterStore`].

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{Namespace, Secret};
use kube::Client;
use kube::api::{Api, ListParams};

use crate::event::Reporter;
use crate::release::{
    ClusterStore, RELEASE_LABEL, REVISION_LABEL, ReleaseRecord, ReleaseRef, ReleaseStore,
    SECRET_TYPE, Status, StoreError, decode_record,
};
use crate::render::labels::{MANAGED_BY, MANAGER};

/// Why the releases of a namespace could not be described.
#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    /// The records could not be listed.
    #[error(
        "cannot list the releases in {namespace}: {}",
        crate::api_error::explain(source)
    )]
    List {
        /// Where: `namespace <name>`, or `every namespace`.
        namespace: String,
        /// The API error.
        source: kube::Error,
    },
    /// A release's records could not be read.
    #[error(transparent)]
    Record(#[from] StoreError),
}

impl DiscoverError {
    /// The API server's error, when that is what failed.
    pub fn api_error(&self) -> Option<&kube::Error> {
        match self {
            DiscoverError::List { source, .. } => Some(source),
            DiscoverError::Record(error) => error.api_error(),
        }
    }
}

/// Names of all namespaces, sorted.
pub async fn namespaces(client: &Client) -> Result<Vec<String>, kube::Error> {
    let api: Api<Namespace> = Api::all(client.clone());
    let list = api.list_metadata(&ListParams::default()).await?;
    let mut names: Vec<String> = list
        .items
        .into_iter()
        .filter_map(|n| n.metadata.name)
        .collect();
    names.sort();
    Ok(names)
}

/// The releases in `namespace` (every namespace when `None`), sorted by
/// namespace then name. Reads only the records' metadata.
pub async fn release_names(
    client: &Client,
    namespace: Option<&str>,
) -> Result<Vec<ReleaseRef>, kube::Error> {
    let api: Api<Secret> = match namespace {
        Some(namespace) => Api::namespaced(client.clone(), namespace),
        None => Api::all(client.clone()),
    };
    let params = ListParams::default()
        .labels(&format!("{MANAGED_BY}={MANAGER},{RELEASE_LABEL}"))
        .fields(&format!("type={SECRET_TYPE}"));
    let list = api.list_metadata(&params).await?;
    let names: BTreeSet<ReleaseRef> = list
        .items
        .into_iter()
        .filter_map(|record| {
            let name = record.metadata.labels?.remove(RELEASE_LABEL)?;
            let namespace = record.metadata.namespace?;
            Some(ReleaseRef {
                namespace,
                release: name,
            })
        })
        .collect();
    Ok(names.into_iter().collect())
}

/// The newest readable revision of each release in `namespace` (every
/// namespace when `None`), sorted by namespace then name: what `status`
/// lists. Only the newest record of each release is fetched and read; when
/// it cannot be read, the newest readable one (`reporter` is told of the
/// others). A release with no readable record is left out, and reported.
pub async fn newest_records(
    client: &Client,
    namespace: Option<&str>,
    reporter: &Reporter,
) -> Result<Vec<ReleaseRecord>, DiscoverError> {
    let api: Api<Secret> = match namespace {
        Some(namespace) => Api::namespaced(client.clone(), namespace),
        None => Api::all(client.clone()),
    };
    let params = ListParams::default()
        .labels(&format!("{MANAGED_BY}={MANAGER},{RELEASE_LABEL}"))
        .fields(&format!("type={SECRET_TYPE}"));
    let list = api
        .list_metadata(&params)
        .await
        .map_err(|source| DiscoverError::List {
            namespace: namespace
                .map_or("every namespace".to_string(), |n| format!("namespace {n}")),
            source,
        })?;
    let mut newest: BTreeMap<ReleaseRef, u32> = BTreeMap::new();
    for record in list.items {
        let labels = record.metadata.labels.unwrap_or_default();
        let (Some(release), Some(namespace)) =
            (labels.get(RELEASE_LABEL), record.metadata.namespace)
        else {
            continue;
        };
        let revision = labels
            .get(REVISION_LABEL)
            .and_then(|r| r.parse().ok())
            .unwrap_or(0);
        let found = ReleaseRef {
            namespace,
            release: release.clone(),
        };
        let entry = newest.entry(found).or_insert(revision);
        *entry = (*entry).max(revision);
    }
    let mut records = Vec::new();
    for (found, revision) in newest {
        let secrets: Api<Secret> = Api::namespaced(client.clone(), &found.namespace);
        let name = ClusterStore::secret_name(&found.release, revision);
        let fetched = secrets.get_opt(&name).await.map_err(|source| {
            DiscoverError::Record(StoreError::Api {
                action: "read",
                release: found.release.clone(),
                namespace: found.namespace.clone(),
                source: Box::new(source),
            })
        })?;
        match fetched.as_ref().map(decode_record) {
            Some(Ok(record)) => records.push(record),
            // Damaged, or gone meanwhile: the store reads them all, skipping
            // (and reporting) what it cannot read.
            _ => {
                let store = ClusterStore::new(client.clone(), &found.namespace, &found.release)
                    .reporting(reporter);
                records.extend(store.history().await?.pop());
            }
        }
    }
    Ok(records)
}

/// What each release in `namespace` runs (only `only` when named): its
/// `deployed` revision's record, or its newest one's when none is deployed.
pub async fn releases(
    client: &Client,
    namespace: &str,
    only: Option<&str>,
) -> Result<Vec<ReleaseRecord>, DiscoverError> {
    let names = release_names(client, Some(namespace))
        .await
        .map_err(|source| DiscoverError::List {
            namespace: format!("namespace {namespace}"),
            source,
        })?;
    let mut releases = Vec::new();
    for found in names
        .iter()
        .filter(|n| only.is_none_or(|name| n.release == name))
    {
        let history = ClusterStore::new(client.clone(), namespace, &found.release)
            .history()
            .await?;
        releases.extend(current(history));
    }
    Ok(releases)
}

/// The revision that describes a release: the newest `deployed`, else the newest.
fn current(history: Vec<ReleaseRecord>) -> Option<ReleaseRecord> {
    let deployed = history.iter().rposition(|r| r.status == Status::Deployed);
    let mut history = history;
    match deployed {
        Some(index) => Some(history.swap_remove(index)),
        None => history.pop(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(revision: u32, status: Status, version: &str) -> ReleaseRecord {
        let mut record = crate::release::test_record(revision, status);
        record.version = version.into();
        record
    }

    #[test]
    fn the_deployed_revision_describes_the_release_even_when_a_newer_one_failed() {
        let history = vec![
            record(1, Status::Superseded, "2.16.0"),
            record(2, Status::Deployed, "2.17.0"),
            record(3, Status::Failed, "2.18.0"),
        ];
        let found = current(history).map(|r| (r.revision, r.version));
        assert_eq!(found, Some((2, "2.17.0".to_string())));
    }

    #[test]
    fn without_a_deployed_revision_the_newest_describes_the_release() {
        let history = vec![
            record(1, Status::Failed, "2.16.0"),
            record(2, Status::Pending, "2.17.0"),
        ];
        assert_eq!(current(history).map(|r| r.revision), Some(2));
        assert_eq!(current(Vec::new()), None);
    }
}
