//! `polyaxon teardown`: pre-delete hooks (unless told not to), then every
//! object of the release's inventory in reverse stage order, then whatever
//! still carries the release's labels, then the release records. Volume
//! claims are kept unless asked; objects not owned by the release are never
//! touched.

use kube::Client;

use super::decide::teardown_inventory;
use super::{OpError, with_lock};
use crate::apply::{DeleteOptions, delete_objects, run_hooks, sweep_leftovers};
use crate::event::{Event, Reporter};
use crate::release::{ClusterStore, ReleaseRef, ReleaseStore, restore_manifest};
use crate::render::Hook;

/// Options of a teardown.
#[derive(Debug, Clone)]
pub struct TeardownOptions {
    /// Which release, where.
    pub target: ReleaseRef,
    /// Run the pre-delete hooks first.
    pub hooks: bool,
    /// What to delete and how long to wait.
    pub delete: DeleteOptions,
}

/// Tears the release down. Returns how many objects the inventory listed.
pub async fn teardown(
    client: &Client,
    op: &TeardownOptions,
    reporter: &Reporter,
) -> Result<usize, OpError> {
    let target = &op.target;
    let store =
        ClusterStore::new(client.clone(), &target.namespace, &target.release).reporting(reporter);
    let history = store.history().await?;
    // With no readable record but damaged ones, what the release owns is
    // still found by its labels: no hooks (their manifest is lost), then
    // the sweep. With no record of ours at all: a release helm installed.
    let latest = history.last().cloned();
    if latest.is_none() && !store.exists().await? {
        return super::helm_teardown::teardown(client, op, reporter).await;
    }
    let work = async {
        if !op.hooks {
            reporter(Event::HooksSkipped(Hook::PreDelete));
        } else if let Some(latest) = &latest {
            let manifest = restore_manifest(&latest.manifest);
            run_hooks(
                client,
                &manifest,
                Hook::PreDelete,
                &target.release,
                op.delete.timeout,
                reporter,
            )
            .await?;
        }
        let inventory = teardown_inventory(&history);
        delete_objects(client, &inventory, &target.release, &op.delete, reporter).await?;
        sweep_leftovers(
            client,
            &target.namespace,
            &target.release,
            &op.delete,
            reporter,
        )
        .await?;
        store.delete_all().await?;
        Ok(inventory.len())
    };
    with_lock(client, target, "teardown", reporter, work).await
}
