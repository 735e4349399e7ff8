//! The cluster's release store: one Secret per revision in the release's
//! namespace (as helm's storage driver does), named
//! `polyaxon.release.<release>.v<revision>`, labelled so that a release's
//! records are found with one list call.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::sync::{Arc, Mutex};

use flate2::Compression;
use flate2::write::GzEncoder;
use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;
use kube::Client;
use kube::api::{Api, DeleteParams, ListParams, ObjectMeta, PostParams};

use super::inflate;
use super::record::ReleaseRecord;
use super::store::{ReleaseStore, StoreError};
use crate::event::{Event, Reporter};
use crate::render::labels::{MANAGED_BY, MANAGER};

/// Label on record Secrets naming the release.
pub const RELEASE_LABEL: &str = "polyaxon.dev/release";
/// Label on record Secrets with the revision number.
pub const REVISION_LABEL: &str = "polyaxon.dev/revision";
/// Label on record Secrets with the revision's status.
pub const STATUS_LABEL: &str = "polyaxon.dev/status";
/// The Secret type of release records.
pub const SECRET_TYPE: &str = "polyaxon.dev/release.v1";
/// The data key holding the record (JSON).
const DATA_KEY: &str = "release";
/// How many times a create whose answer was lost (and whose Secret is not
/// there) is sent again.
const CREATE_ATTEMPTS: u32 = 3;
/// The most a record may hold compressed: a Secret holds at most 1 MiB.
pub const MAX_COMPRESSED: usize = 1 << 20;
/// The most a record may hold once decompressed. A platform release's record
/// is a few hundred KiB; more is damage (or a gzip bomb), not a record.
pub const MAX_DECOMPRESSED: u64 = 16 << 20;

/// The records of one release, in Secrets of its namespace.
#[derive(Clone)]
pub struct ClusterStore {
    secrets: Api<Secret>,
    release: String,
    namespace: String,
    /// Where a record that cannot be read is reported (once per Secret).
    reporter: Option<Reporter>,
    reported: Arc<Mutex<BTreeSet<String>>>,
}

impl ClusterStore {
    /// The store of `release` in `namespace`.
    pub fn new(client: Client, namespace: &str, release: &str) -> Self {
        ClusterStore {
            secrets: Api::namespaced(client, namespace),
            release: release.to_string(),
            namespace: namespace.to_string(),
            reporter: None,
            reported: Arc::default(),
        }
    }

    /// This store, reporting to `reporter` each record it cannot read (and
    /// so skips), once per record.
    pub fn reporting(mut self, reporter: &Reporter) -> Self {
        self.reporter = Some(reporter.clone());
        self
    }

    /// Every record Secret of the release, readable or not.
    async fn secrets(&self) -> Result<Vec<Secret>, StoreError> {
        let selector = format!("{RELEASE_LABEL}={},{MANAGED_BY}={MANAGER}", self.release);
        let list = self
            .secrets
            .list(&ListParams::default().labels(&selector))
            .await
            .map_err(self.api_error("list"))?;
        Ok(list
            .items
            .into_iter()
            .filter(|s| s.type_.as_deref() == Some(SECRET_TYPE))
            .collect())
    }

    /// Whether the release has record Secrets, readable or not (a release
    /// whose every record is damaged still exists, and can be torn down).
    pub async fn exists(&self) -> Result<bool, StoreError> {
        Ok(!self.secrets().await?.is_empty())
    }

    fn skip(&self, error: &StoreError) {
        let Some(reporter) = &self.reporter else {
            return;
        };
        let StoreError::Damaged { secret, reason } = error else {
            return;
        };
        let first = self
            .reported
            .lock()
            .map(|mut seen| seen.insert(secret.clone()))
            .unwrap_or(false);
        if first {
            reporter(Event::RecordUnreadable {
                secret: secret.clone(),
                reason: reason.clone(),
            });
        }
    }

    /// The Secret name of a revision.
    pub fn secret_name(release: &str, revision: u32) -> String {
        format!("polyaxon.release.{release}.v{revision}")
    }

    fn api_error(&self, action: &'static str) -> impl FnOnce(kube::Error) -> StoreError + '_ {
        move |source| StoreError::Api {
            action,
            release: self.release.clone(),
            namespace: self.namespace.clone(),
            source: Box::new(source),
        }
    }
}

impl ReleaseStore for ClusterStore {
    /// Every revision of the release, oldest first. Empty when the release
    /// does not exist (also when its namespace does not).
    /// A record Secret that cannot be read is skipped (and reported), so one
    /// damaged revision does not block the release.
    async fn history(&self) -> Result<Vec<ReleaseRecord>, StoreError> {
        let mut records = Vec::new();
        for secret in self.secrets().await? {
            match decode(&secret) {
                Ok(record) => records.push(record),
                Err(error) => self.skip(&error),
            }
        }
        records.sort_by_key(|r| r.revision);
        Ok(records)
    }

    /// The newest revision number, unreadable records included (their
    /// number is in their label), so a new revision never reuses one.
    async fn newest_revision(&self) -> Result<Option<u32>, StoreError> {
        // One list serves both: the labels and the records read.
        let secrets = self.secrets().await?;
        let labelled = secrets
            .iter()
            .filter_map(|s| {
                s.metadata
                    .labels
                    .as_ref()?
                    .get(REVISION_LABEL)?
                    .parse()
                    .ok()
            })
            .max();
        let read = secrets
            .iter()
            .filter_map(|secret| match decode(secret) {
                Ok(record) => Some(record.revision),
                Err(error) => {
                    self.skip(&error);
                    None
                }
            })
            .max();
        Ok(labelled.max(read))
    }

    /// Writes a new revision; the API server refuses a second Secret of the
    /// same name, so two writers cannot both create revision N.
    ///
    /// A create whose answer was lost (the connection dropped, the server
    /// failed) may have happened all the same; it is not sent again blindly:
    /// the Secret is read back, and the revision counts as written when it
    /// holds this very record.
    async fn create(&self, record: &ReleaseRecord) -> Result<(), StoreError> {
        let secret = encode(record)?;
        let name = Self::secret_name(&record.name, record.revision);
        let exists = || StoreError::Exists {
            release: record.name.clone(),
            revision: record.revision,
        };
        let mut lost = 0;
        loop {
            let error = match self.secrets.create(&PostParams::default(), &secret).await {
                Ok(_) => return Ok(()),
                Err(error) => error,
            };
            let answer_lost = crate::retry::is_transient(&error);
            let conflict = matches!(&error, kube::Error::Api(status) if status.code == 409);
            if !answer_lost && !conflict {
                return Err(self.api_error("create")(error));
            }
            match self.secrets.get_opt(&name).await {
                Ok(Some(found)) if found.data == secret.data => return Ok(()),
                Ok(Some(_)) => return Err(exists()),
                // Lost and not there: the create did not happen; send it again.
                Ok(None) if answer_lost && lost < CREATE_ATTEMPTS => lost += 1,
                Ok(None) if conflict => return Err(exists()),
                Ok(None) => return Err(self.api_error("create")(error)),
                Err(read) => return Err(self.api_error("create")(read)),
            }
        }
    }

    /// Rewrites an existing revision (its status, inventory, description).
    async fn update(&self, record: &ReleaseRecord) -> Result<(), StoreError> {
        let secret = encode(record)?;
        let name = Self::secret_name(&record.name, record.revision);
        match self
            .secrets
            .replace(&name, &PostParams::default(), &secret)
            .await
        {
            Ok(_) => Ok(()),
            Err(kube::Error::Api(status)) if status.code == 404 => Err(StoreError::Missing {
                release: record.name.clone(),
                revision: record.revision,
            }),
            Err(error) => Err(self.api_error("update")(error)),
        }
    }

    /// Deletes every record of the release (the last step of a teardown),
    /// unreadable ones included.
    async fn delete_all(&self) -> Result<usize, StoreError> {
        let secrets = self.secrets().await?;
        for secret in &secrets {
            let name = secret.metadata.name.clone().unwrap_or_default();
            match self.secrets.delete(&name, &DeleteParams::default()).await {
                Ok(_) => {}
                Err(kube::Error::Api(status)) if status.code == 404 => {}
                Err(e) => return Err(self.api_error("delete")(e)),
            }
        }
        Ok(secrets.len())
    }
}

fn encode(record: &ReleaseRecord) -> Result<Secret, StoreError> {
    let name = ClusterStore::secret_name(&record.name, record.revision);
    let json = serde_json::to_vec(record).map_err(|e| StoreError::Damaged {
        secret: name.clone(),
        reason: format!("cannot encode: {e}"),
    })?;
    // Records carry the manifest; gzip keeps a platform release far below the
    // 1 MiB a Secret may hold.
    let mut gz = GzEncoder::new(Vec::new(), Compression::default());
    let compressed = gz
        .write_all(&json)
        .and_then(|()| gz.finish())
        .map_err(|e| StoreError::Damaged {
            secret: name.clone(),
            reason: format!("cannot compress: {e}"),
        })?;
    Ok(Secret {
        metadata: ObjectMeta {
            name: Some(name),
            namespace: Some(record.namespace.clone()),
            labels: Some(BTreeMap::from([
                (MANAGED_BY.to_string(), MANAGER.to_string()),
                (RELEASE_LABEL.to_string(), record.name.clone()),
                (REVISION_LABEL.to_string(), record.revision.to_string()),
                (STATUS_LABEL.to_string(), record.status.as_str().to_string()),
            ])),
            ..ObjectMeta::default()
        },
        type_: Some(SECRET_TYPE.to_string()),
        data: Some(BTreeMap::from([(
            DATA_KEY.to_string(),
            ByteString(compressed),
        )])),
        ..Secret::default()
    })
}

/// Reads a record from its Secret, refusing more than [`MAX_COMPRESSED`]
/// bytes stored or [`MAX_DECOMPRESSED`] bytes decompressed.
pub(crate) fn decode(secret: &Secret) -> Result<ReleaseRecord, StoreError> {
    let name = secret.metadata.name.clone().unwrap_or_default();
    let bytes = secret
        .data
        .as_ref()
        .and_then(|d| d.get(DATA_KEY))
        .ok_or_else(|| StoreError::Damaged {
            secret: name.clone(),
            reason: format!("no `{DATA_KEY}` key"),
        })?;
    decode_bytes(&bytes.0).map_err(|error| StoreError::Damaged {
        secret: name,
        reason: error.to_string(),
    })
}

/// The most JSON values a record may hold: a platform release's record
/// holds some tens of thousands; the ceiling keeps a parsed record (tens
/// of bytes per value) within tens of MB.
pub const MAX_VALUES: usize = 400_000;

/// Reads a record from its stored (gzipped JSON) bytes; says why not,
/// without quoting what it holds.
pub fn decode_bytes(bytes: &[u8]) -> Result<ReleaseRecord, RecordError> {
    if bytes.len() > MAX_COMPRESSED {
        return Err(RecordError::TooLarge { size: bytes.len() });
    }
    let json = inflate::inflate(bytes, MAX_DECOMPRESSED)?;
    Ok(inflate::parse(&json, MAX_VALUES)?)
}

/// Why a record's stored bytes could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// More than [`MAX_COMPRESSED`] bytes stored.
    #[error("it holds {size} bytes, more than a record may ({MAX_COMPRESSED})")]
    TooLarge {
        /// The stored size.
        size: usize,
    },
    /// Not gzip, too large inflated, or not a record.
    #[error(transparent)]
    Inflate(#[from] inflate::InflateError),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::release::Status;

    fn record() -> ReleaseRecord {
        let mut record = crate::release::test_record(3, Status::Deployed);
        record.config = serde_json::json!({"deploymentChart": "platform"});
        record
    }

    #[test]
    fn a_record_round_trips_through_its_secret() {
        let record = record();
        let secret = encode(&record).unwrap();
        assert_eq!(
            secret.metadata.name.as_deref(),
            Some("polyaxon.release.polyaxon.v3")
        );
        let labels = secret.metadata.labels.clone().unwrap();
        assert_eq!(labels[STATUS_LABEL], "deployed");
        assert_eq!(labels[REVISION_LABEL], "3");
        assert_eq!(decode(&secret).unwrap(), record);
    }

    #[test]
    fn a_damaged_secret_is_reported_by_name() {
        let mut secret = encode(&record()).unwrap();
        secret.data = Some(BTreeMap::from([(
            DATA_KEY.to_string(),
            ByteString(b"not json".to_vec()),
        )]));
        let err = decode(&secret).unwrap_err().to_string();
        assert!(err.contains("polyaxon.release.polyaxon.v3"), "{err}");
    }

    #[test]
    fn a_gzip_bomb_is_refused_without_inflating_it() {
        // 1 GiB of zeros compresses to about 1 MiB; 64 MiB to 64 KiB.
        let mut gz = GzEncoder::new(Vec::new(), Compression::best());
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..64 {
            gz.write_all(&zeros).unwrap();
        }
        let bomb = gz.finish().unwrap();
        assert!(bomb.len() < MAX_COMPRESSED);
        let err = decode_bytes(&bomb).unwrap_err().to_string();
        assert!(err.contains("inflates to more than"), "{err}");
        let big = vec![0u8; MAX_COMPRESSED + 1];
        assert!(
            decode_bytes(&big)
                .unwrap_err()
                .to_string()
                .contains("more than a record may")
        );
    }
}
