//! Release records and the release lock.
//!
//! Each revision of a release is one Secret in the release's namespace (as
//! helm's storage driver does), written before an operation (`pending`) and
//! after it (`deployed` / `failed`), so an interrupted run is visible. A Lease
//! per release makes a second concurrent operation fail with the holder's name.

mod lock;
mod record;
mod store;

use crate::config::Deployment;

pub use lock::{LEASE_SECONDS, LockError, ReleaseLock, release_if_mine};
pub use record::{
    ObjectRef, ReleaseRecord, Status, StoredObject, restore_manifest, store_manifest,
};
pub use store::{
    RELEASE_LABEL, REVISION_LABEL, RecordStore, SECRET_TYPE, STATUS_LABEL, StoreError,
};

/// A release: its name and the namespace it lives in. Ordered by namespace,
/// then name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReleaseRef {
    /// Its namespace.
    pub namespace: String,
    /// The release name.
    pub release: String,
}

impl ReleaseRef {
    /// The release a loaded deployment config names.
    pub fn of(deployment: &Deployment) -> Self {
        ReleaseRef {
            release: deployment.release_name.clone(),
            namespace: deployment.namespace.clone(),
        }
    }
}
