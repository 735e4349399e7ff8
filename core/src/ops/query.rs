//! `polyaxon status` and `polyaxon history`: read from the release records.

use kube::Client;

use super::OpError;
use crate::release::{ClusterStore, ReleaseRecord, ReleaseRef, ReleaseStore};
use crate::render::ReleaseState;

/// Every revision of the release, oldest first.
pub async fn history(client: &Client, target: &ReleaseRef) -> Result<Vec<ReleaseRecord>, OpError> {
    let store = ClusterStore::new(client.clone(), &target.namespace, &target.release);
    let records = store.history().await?;
    if !records.is_empty() {
        return Ok(records);
    }
    // A release helm installed, not taken over yet: helm's revisions.
    match super::helm_release::find(client, target).await? {
        Some(found) => Ok(found.records(&ReleaseState::placeholder(&target.release))),
        None => Err(OpError::not_found(target)),
    }
}

/// The newest revision of the release.
pub async fn status(client: &Client, target: &ReleaseRef) -> Result<ReleaseRecord, OpError> {
    let mut records = history(client, target).await?;
    records.pop().ok_or_else(|| OpError::not_found(target))
}
