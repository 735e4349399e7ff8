//! `polyaxon status` and `polyaxon history`: read from the release records.

use kube::Client;

use super::OpError;
use crate::event::{Event, Reporter};
use crate::release::{ClusterStore, ReleaseRecord, ReleaseRef, ReleaseStore, Status, lock_holder};
use crate::render::ReleaseState;

/// Every readable revision of the release, oldest first (unreadable ones are
/// reported to `reporter` and skipped).
pub async fn history(
    client: &Client,
    target: &ReleaseRef,
    reporter: &Reporter,
) -> Result<Vec<ReleaseRecord>, OpError> {
    let store =
        ClusterStore::new(client.clone(), &target.namespace, &target.release).reporting(reporter);
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

/// The newest readable revision of the release. One left `pending` by an
/// operation that no longer runs (no live holder of the lock) is reported as
/// interrupted and described so; the next operation marks it failed.
pub async fn status(
    client: &Client,
    target: &ReleaseRef,
    reporter: &Reporter,
) -> Result<ReleaseRecord, OpError> {
    let mut records = history(client, target, reporter).await?;
    let mut latest = records.pop().ok_or_else(|| OpError::not_found(target))?;
    // A revision helm left pending is helm's to describe (with its age):
    // our lock says nothing of helm's operations.
    if latest.status == Status::Pending && latest.helm.is_none() {
        let holder = lock_holder(client.clone(), &target.namespace, &target.release).await?;
        if !holder.is_some_and(|h| h.may_run()) {
            let detail = latest.pending_detail();
            latest.description = format!("interrupted ({detail})");
            reporter(Event::Interrupted {
                revision: latest.revision,
                detail,
            });
        }
    }
    Ok(latest)
}
