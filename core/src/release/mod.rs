//! Release records and the release lock.
//!
//! Each revision of a release is one record, written before an operation
//! (`pending`) and after it (`deployed` / `failed`), so an interrupted run is
//! visible. Records are kept in a [`ReleaseStore`]: on the cluster one
//! Secret per revision ([`ClusterStore`]), in tests [`MemoryStore`]. A Lease
//! per release makes a second concurrent operation fail with the holder's name.

mod holder;
pub mod inflate;
mod lock;
mod memory;
mod record;
mod redact;
mod secrets;
mod seed;
mod store;

use crate::config::Deployment;

pub use holder::{LockHolder, Process};
pub use lock::{LEASE_SECONDS, LockError, ReleaseLock, lock_holder, release_if_mine, unlock};
pub use memory::MemoryStore;
pub(crate) use record::now;
#[cfg(test)]
pub(crate) use record::test_record;
pub use record::{
    HelmOrigin, ObjectRef, ReleaseRecord, RevisionContent, Status, StoredObject, restore_manifest,
    store_manifest,
};
pub use redact::{REDACTED, Redactor};
pub(crate) use secrets::decode as decode_record;
pub use secrets::{
    ClusterStore, RELEASE_LABEL, REVISION_LABEL, RecordError, SECRET_TYPE, STATUS_LABEL,
    decode_bytes,
};
pub use seed::{GeneratedKey, Seeded, credential_secrets, generated_keys, read_generated};
pub use store::{ReleaseStore, StoreError};

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
