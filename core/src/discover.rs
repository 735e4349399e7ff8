//! Read-only discovery of what is in the cluster, for `polyaxon version` and
//! shell completion: namespaces, the names of the releases this tool
//! deployed, and what each of them runs.
//!
//! Names come from the labels of the release records (metadata only, so
//! completion never reads Secret data); what a release runs comes from its
//! records, read through [`crate::release::ClusterStore`].

use std::collections::BTreeSet;

use k8s_openapi::api::core::v1::{Namespace, Secret};
use kube::Client;
use kube::api::{Api, ListParams};

use crate::release::{
    ClusterStore, RELEASE_LABEL, ReleaseRecord, ReleaseRef, ReleaseStore, SECRET_TYPE, Status,
    StoreError,
};
use crate::render::labels::{MANAGED_BY, MANAGER};

/// Why the releases of a namespace could not be described.
#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    /// The records could not be listed.
    #[error(
        "cannot list the releases in namespace {namespace}: {}",
        crate::api_error::explain(source)
    )]
    List {
        /// The namespace.
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
            namespace: namespace.to_string(),
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
