//! Where a release's records are kept, as the lifecycle sees it: one record
//! per revision, read and written only through [`ReleaseStore`], so that the
//! lifecycle's decisions run against the cluster ([`super::ClusterStore`])
//! and are tested against memory ([`super::MemoryStore`]) in milliseconds.

use std::future::Future;

use super::record::{ReleaseRecord, Status};

/// Why a record could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The API server refused or failed.
    #[error(
        "cannot {action} the records of release {release} in namespace {namespace}: {}",
        crate::api_error::explain(source)
    )]
    Api {
        /// What was attempted.
        action: &'static str,
        /// The release.
        release: String,
        /// Its namespace.
        namespace: String,
        /// The API error.
        source: Box<kube::Error>,
    },
    /// A record Secret holds something that is not a record.
    #[error("the record Secret {secret} is damaged: {reason}")]
    Damaged {
        /// The Secret's name.
        secret: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The revision was written already (by another operation).
    #[error("revision {revision} of release {release} exists already")]
    Exists {
        /// The release.
        release: String,
        /// The revision.
        revision: u32,
    },
    /// The revision to rewrite is gone (deleted meanwhile).
    #[error("revision {revision} of release {release} does not exist")]
    Missing {
        /// The release.
        release: String,
        /// The revision.
        revision: u32,
    },
}

impl StoreError {
    /// The API server's error, when that is what failed.
    pub fn api_error(&self) -> Option<&kube::Error> {
        match self {
            StoreError::Api { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// The records of one release.
pub trait ReleaseStore: Sync {
    /// Every revision of the release, oldest first; empty when it has none.
    fn history(&self) -> impl Future<Output = Result<Vec<ReleaseRecord>, StoreError>> + Send;

    /// Writes a new revision; fails with [`StoreError::Exists`] when that
    /// revision exists already, so two writers cannot both create it.
    fn create(&self, record: &ReleaseRecord)
    -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Rewrites an existing revision (its status, inventory, description).
    fn update(&self, record: &ReleaseRecord)
    -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Deletes every record of the release; returns how many there were.
    fn delete_all(&self) -> impl Future<Output = Result<usize, StoreError>> + Send;

    /// The newest revision number, whatever its status, counting records
    /// that cannot be read (so a new revision never reuses a number).
    fn newest_revision(&self) -> impl Future<Output = Result<Option<u32>, StoreError>> + Send {
        async { Ok(self.latest().await?.map(|r| r.revision)) }
    }

    /// The newest revision, whatever its status.
    fn latest(&self) -> impl Future<Output = Result<Option<ReleaseRecord>, StoreError>> + Send {
        async { Ok(self.history().await?.pop()) }
    }

    /// The revision that runs now: the newest `deployed` one.
    fn deployed(&self) -> impl Future<Output = Result<Option<ReleaseRecord>, StoreError>> + Send {
        async {
            let history = self.history().await?;
            Ok(history
                .into_iter()
                .rev()
                .find(|r| r.status == Status::Deployed))
        }
    }
}
