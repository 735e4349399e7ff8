//! Read-only discovery of what is in the cluster: namespaces, and the releases
//! this tool deployed with their latest revision and Polyaxon version, read
//! from the labels of the release records (Secrets).
//!
//! Used where a quick look is enough (`polyaxon version`, shell completion);
//! the release lifecycle reads whole records through [`crate::release`].
//!
//! The labels below are the contract with the release records: a record is a
//! Secret labelled `app.kubernetes.io/managed-by=polyaxon` that carries
//! [`RELEASE_LABEL`], [`REVISION_LABEL`] and [`VERSION_LABEL`]. Only the
//! metadata is listed, so no Secret data ever leaves the cluster here.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Namespace, Secret};
use kube::Client;
use kube::api::{Api, ListParams};

/// Label every object this tool owns carries.
pub const MANAGED_BY_LABEL: &str = "app.kubernetes.io/managed-by";
/// Value of [`MANAGED_BY_LABEL`] on objects this tool owns.
pub const MANAGED_BY_VALUE: &str = "polyaxon";
/// Label of a release record: the release's name.
pub const RELEASE_LABEL: &str = "polyaxon.dev/release";
/// Label of a release record: its revision number (1, 2, …).
pub const REVISION_LABEL: &str = "polyaxon.dev/revision";
/// Label of a release record: the Polyaxon version that revision deployed.
pub const VERSION_LABEL: &str = "polyaxon.dev/version";

/// The label selector matching every release record.
pub fn record_selector() -> String {
    format!("{MANAGED_BY_LABEL}={MANAGED_BY_VALUE},{RELEASE_LABEL}")
}

/// What the newest record of one release says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseSummary {
    /// The release's name.
    pub name: String,
    /// The namespace the release lives in.
    pub namespace: String,
    /// The newest revision found (None when no record carries a number).
    pub revision: Option<u32>,
    /// The Polyaxon version of that revision, as recorded.
    pub version: Option<String>,
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

/// The releases in `namespace` (every namespace when `None`), one summary per
/// release from its newest record, sorted by namespace then name.
pub async fn releases(
    client: &Client,
    namespace: Option<&str>,
) -> Result<Vec<ReleaseSummary>, kube::Error> {
    let api: Api<Secret> = match namespace {
        Some(namespace) => Api::namespaced(client.clone(), namespace),
        None => Api::all(client.clone()),
    };
    let params = ListParams::default().labels(&record_selector());
    let list = api.list_metadata(&params).await?;
    let records = list.items.into_iter().filter_map(|record| {
        let labels = record.metadata.labels.unwrap_or_default();
        let name = labels.get(RELEASE_LABEL)?.clone();
        let namespace = record.metadata.namespace?;
        Some(ReleaseSummary {
            name,
            namespace,
            revision: labels.get(REVISION_LABEL).and_then(|r| r.parse().ok()),
            version: labels.get(VERSION_LABEL).cloned(),
        })
    });
    Ok(newest_per_release(records))
}

/// Keeps, for each (namespace, release), the record with the highest revision.
fn newest_per_release(records: impl IntoIterator<Item = ReleaseSummary>) -> Vec<ReleaseSummary> {
    let mut newest: BTreeMap<(String, String), ReleaseSummary> = BTreeMap::new();
    for record in records {
        let key = (record.namespace.clone(), record.name.clone());
        match newest.get(&key) {
            Some(kept) if kept.revision >= record.revision => {}
            _ => {
                newest.insert(key, record);
            }
        }
    }
    newest.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(ns: &str, name: &str, revision: Option<u32>, version: &str) -> ReleaseSummary {
        ReleaseSummary {
            name: name.into(),
            namespace: ns.into(),
            revision,
            version: Some(version.into()),
        }
    }

    #[test]
    fn the_newest_revision_of_each_release_wins_whatever_the_order() {
        let found = newest_per_release([
            record("a", "polyaxon", Some(2), "2.17.0"),
            record("a", "polyaxon", Some(10), "2.18.0"),
            record("a", "polyaxon", Some(9), "2.16.0"),
            record("b", "polyaxon", Some(1), "2.1.0"),
            record("a", "agent", None, "2.0.0"),
        ]);
        let summary: Vec<(&str, &str, Option<u32>)> = found
            .iter()
            .map(|r| (r.namespace.as_str(), r.name.as_str(), r.revision))
            .collect();
        assert_eq!(
            summary,
            [
                ("a", "agent", None),
                ("a", "polyaxon", Some(10)),
                ("b", "polyaxon", Some(1))
            ]
        );
        assert_eq!(found[1].version.as_deref(), Some("2.18.0"));
    }
}
