//! `polyaxon status` and `polyaxon history`: read from the release records.

use kube::Client;

use super::OpError;
use crate::event::{Event, Reporter};
use crate::release::{
    ClusterStore, LockHolder, ReleaseRecord, ReleaseRef, ReleaseStore, Status, lock_holder,
};
use crate::render::ReleaseState;

/// A release's newest revision, and who is writing it when it is `pending`
/// and its operation still runs.
#[derive(Debug, Clone)]
pub struct ReleaseStatus {
    /// The newest readable revision.
    pub record: ReleaseRecord,
    /// The operation writing it, while it runs.
    pub running: Option<LockHolder>,
}

/// Every readable revision of the release, oldest first (unreadable ones are
/// reported to `reporter` and skipped). A newest revision left `pending` is
/// described as running (by whom, since when) or interrupted.
pub async fn history(
    client: &Client,
    target: &ReleaseRef,
    reporter: &Reporter,
) -> Result<Vec<ReleaseRecord>, OpError> {
    let mut records = records(client, target, reporter).await?;
    if let Some(latest) = records.last_mut() {
        describe_pending(client, latest).await?;
    }
    Ok(records)
}

/// The release's revisions as stored, or helm's when only helm has them.
async fn records(
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
/// interrupted and described so (the next operation marks it failed); one
/// whose operation still runs names it.
pub async fn status(
    client: &Client,
    target: &ReleaseRef,
    reporter: &Reporter,
) -> Result<ReleaseStatus, OpError> {
    let mut records = records(client, target, reporter).await?;
    let mut latest = records.pop().ok_or_else(|| OpError::not_found(target))?;
    let running = describe_pending(client, &mut latest).await?;
    if latest.status == Status::Pending && latest.helm.is_none() && running.is_none() {
        reporter(Event::Interrupted {
            revision: latest.revision,
            detail: latest.pending_detail(),
        });
    }
    Ok(ReleaseStatus {
        record: latest,
        running,
    })
}

/// For a revision of ours left `pending`: its description says who runs it
/// and since when (returned too), or that it was interrupted and whose it
/// was. A revision helm left pending is helm's to describe (with its age):
/// our lock says nothing of helm's operations.
pub(crate) async fn describe_pending(
    client: &Client,
    record: &mut ReleaseRecord,
) -> Result<Option<LockHolder>, OpError> {
    if record.status != Status::Pending || record.helm.is_some() {
        return Ok(None);
    }
    let holder = lock_holder(client.clone(), &record.namespace, &record.name).await?;
    match holder.filter(LockHolder::may_run) {
        Some(holder) => {
            record.description = format!("in progress: {}", holder.running_since());
            Ok(Some(holder))
        }
        None => {
            record.description = format!("interrupted ({})", record.pending_detail());
            Ok(None)
        }
    }
}

/// A live operation on `target` (its lock's holder, unless expired or known
/// dead): what `upgrade` and `teardown` refuse to run beside, naming it.
pub(crate) async fn refuse_if_running(client: &Client, target: &ReleaseRef) -> Result<(), OpError> {
    let holder = lock_holder(client.clone(), &target.namespace, &target.release).await?;
    match holder.filter(LockHolder::may_run) {
        Some(holder) => Err(OpError::Lock(crate::release::LockError::Held {
            release: target.release.clone(),
            holder: Box::new(holder),
        })),
        None => Ok(()),
    }
}
