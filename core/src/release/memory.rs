//! A release store in memory: what the lifecycle's unit tests run against,
//! with the cluster store's rules (a revision is created once, only an
//! existing one is rewritten).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use super::record::ReleaseRecord;
use super::store::{ReleaseStore, StoreError};

/// The records of one release, kept in memory; clones share them.
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    records: Arc<Mutex<BTreeMap<u32, ReleaseRecord>>>,
}

impl MemoryStore {
    /// A store holding `records`, keyed by their revision.
    pub fn with(records: impl IntoIterator<Item = ReleaseRecord>) -> Self {
        let records = records.into_iter().map(|r| (r.revision, r)).collect();
        MemoryStore {
            records: Arc::new(Mutex::new(records)),
        }
    }

    /// The records, oldest first.
    pub fn records(&self) -> Vec<ReleaseRecord> {
        self.lock().values().cloned().collect()
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<u32, ReleaseRecord>> {
        // A test that panicked while holding the lock left whole records.
        self.records
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl ReleaseStore for MemoryStore {
    async fn history(&self) -> Result<Vec<ReleaseRecord>, StoreError> {
        Ok(self.records())
    }

    async fn create(&self, record: &ReleaseRecord) -> Result<(), StoreError> {
        let mut records = self.lock();
        if records.contains_key(&record.revision) {
            return Err(StoreError::Exists {
                release: record.name.clone(),
                revision: record.revision,
            });
        }
        records.insert(record.revision, record.clone());
        Ok(())
    }

    async fn update(&self, record: &ReleaseRecord) -> Result<(), StoreError> {
        let mut records = self.lock();
        let Some(stored) = records.get_mut(&record.revision) else {
            return Err(StoreError::Missing {
                release: record.name.clone(),
                revision: record.revision,
            });
        };
        *stored = record.clone();
        Ok(())
    }

    async fn delete_all(&self) -> Result<usize, StoreError> {
        let mut records = self.lock();
        let count = records.len();
        records.clear();
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::release::{Status, test_record};

    #[tokio::test]
    async fn a_revision_is_created_once_and_only_an_existing_one_rewritten() {
        let store = MemoryStore::default();
        assert!(store.create(&test_record(1, Status::Pending)).await.is_ok());
        assert!(matches!(
            store.create(&test_record(1, Status::Pending)).await,
            Err(StoreError::Exists { revision: 1, .. })
        ));
        assert!(matches!(
            store.update(&test_record(2, Status::Deployed)).await,
            Err(StoreError::Missing { revision: 2, .. })
        ));
        assert!(
            store
                .update(&test_record(1, Status::Deployed))
                .await
                .is_ok()
        );
        let deployed = store.deployed().await.ok().flatten();
        assert_eq!(deployed.map(|r| r.revision), Some(1));
        assert_eq!(store.delete_all().await.ok(), Some(1));
        assert!(store.records().is_empty());
    }
}
