//! The release lock: a Lease named `polyaxon.lock.<release>` in the release's
//! namespace. Whoever creates it holds the release; a second operation finds
//! it and is refused with the holder's name, unless the Lease expired (its
//! holder died without releasing), in which case it is taken over with an
//! optimistic-concurrency update so that two takers cannot both win.

use std::time::Duration;

use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime;
use k8s_openapi::jiff::Timestamp;
use kube::Client;
use kube::api::{Api, DeleteParams, ObjectMeta, PostParams, Preconditions};
use tokio::task::JoinHandle;

use crate::render::labels::{MANAGED_BY, MANAGER};

/// How long a lock lasts without renewal: a lock its holder stopped
/// renewing (it died) can be taken over after this many seconds.
pub const LEASE_SECONDS: i32 = 60;
/// How often a held lock is renewed.
const RENEW_EVERY: Duration = Duration::from_secs(15);

/// Why the lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Someone else holds it.
    #[error(
        "release {release} is locked by {holder} since {since}: another operation is running on it"
    )]
    Held {
        /// The release.
        release: String,
        /// Who holds it (user, host, process, operation).
        holder: String,
        /// Since when (RFC 3339).
        since: String,
    },
    /// The API server refused or failed.
    #[error("cannot take the lock of release {release}: {source}")]
    Api {
        /// The release.
        release: String,
        /// The API error.
        source: Box<kube::Error>,
    },
}

/// A held release lock; renewed in the background until [`ReleaseLock::release`].
pub struct ReleaseLock {
    leases: Api<Lease>,
    name: String,
    uid: Option<String>,
    renewer: JoinHandle<()>,
}

/// The name that identifies this process as a lock holder.
fn holder_identity(operation: &str) -> String {
    let user = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
    let host = std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "localhost".into());
    format!(
        "polyaxon {operation} by {user}@{host} (pid {})",
        std::process::id()
    )
}

fn now() -> MicroTime {
    MicroTime(Timestamp::now())
}

fn expired(lease: &Lease) -> bool {
    let Some(spec) = &lease.spec else { return true };
    let Some(renewed) = spec.renew_time.as_ref().or(spec.acquire_time.as_ref()) else {
        return true;
    };
    let seconds = i64::from(spec.lease_duration_seconds.unwrap_or(LEASE_SECONDS));
    Timestamp::now().as_second() > renewed.0.as_second() + seconds
}

impl ReleaseLock {
    /// The Lease name of a release's lock.
    pub fn lease_name(release: &str) -> String {
        format!("polyaxon.lock.{release}")
    }

    /// Takes the lock of `release` for `operation` (`deploy`, `upgrade`, ...).
    pub async fn acquire(
        client: Client,
        namespace: &str,
        release: &str,
        operation: &str,
    ) -> Result<Self, LockError> {
        let leases: Api<Lease> = Api::namespaced(client, namespace);
        let name = Self::lease_name(release);
        let identity = holder_identity(operation);
        let api_err = |source| LockError::Api {
            release: release.to_string(),
            source: Box::new(source),
        };
        let spec = LeaseSpec {
            holder_identity: Some(identity.clone()),
            lease_duration_seconds: Some(LEASE_SECONDS),
            acquire_time: Some(now()),
            renew_time: Some(now()),
            ..LeaseSpec::default()
        };
        let lease = Lease {
            metadata: ObjectMeta {
                name: Some(name.clone()),
                labels: Some([(MANAGED_BY.to_string(), MANAGER.to_string())].into()),
                ..ObjectMeta::default()
            },
            spec: Some(spec.clone()),
        };
        let created = match leases.create(&PostParams::default(), &lease).await {
            Ok(created) => created,
            Err(kube::Error::Api(status)) if status.code == 409 => {
                let existing = leases.get(&name).await.map_err(api_err)?;
                if !expired(&existing) {
                    let holder_spec = existing.spec.clone().unwrap_or_default();
                    return Err(LockError::Held {
                        release: release.to_string(),
                        holder: holder_spec
                            .holder_identity
                            .unwrap_or_else(|| "someone".into()),
                        since: holder_spec
                            .acquire_time
                            .map(|t| t.0.to_string())
                            .unwrap_or_else(|| "an unknown time".into()),
                    });
                }
                // Expired: take it over. The replace carries the resourceVersion
                // we read, so of two takers only one succeeds.
                let mut taken = existing;
                taken.spec = Some(spec);
                match leases.replace(&name, &PostParams::default(), &taken).await {
                    Ok(taken) => taken,
                    Err(kube::Error::Api(status)) if status.code == 409 => {
                        return Err(LockError::Held {
                            release: release.to_string(),
                            holder: "another operation that took the expired lock first".into(),
                            since: Timestamp::now().to_string(),
                        });
                    }
                    Err(e) => return Err(api_err(e)),
                }
            }
            Err(e) => return Err(api_err(e)),
        };
        let renewer = tokio::spawn(renew(leases.clone(), name.clone()));
        Ok(ReleaseLock {
            leases,
            name,
            uid: created.metadata.uid,
            renewer,
        })
    }

    /// Gives the lock back. Deletes the Lease only if it is still ours.
    pub async fn release(self) -> Result<(), kube::Error> {
        self.renewer.abort();
        let params = DeleteParams {
            preconditions: Some(Preconditions {
                uid: self.uid.clone(),
                resource_version: None,
            }),
            ..DeleteParams::default()
        };
        match self.leases.delete(&self.name, &params).await {
            Ok(_) => Ok(()),
            Err(kube::Error::Api(status)) if status.code == 404 || status.code == 409 => Ok(()),
            Err(e) => Err(e),
        }
    }
}

async fn renew(leases: Api<Lease>, name: String) {
    loop {
        tokio::time::sleep(RENEW_EVERY).await;
        let Ok(mut lease) = leases.get(&name).await else {
            continue;
        };
        if let Some(spec) = lease.spec.as_mut() {
            spec.renew_time = Some(now());
        }
        // A failed renewal is retried at the next tick; the lease lasts 4 ticks.
        let _ = leases.replace(&name, &PostParams::default(), &lease).await;
    }
}

/// Removes a lock left by a process of this machine that was interrupted
/// (used on Ctrl-C, where the holder is this very process).
pub async fn release_if_mine(client: Client, namespace: &str, release: &str) {
    let leases: Api<Lease> = Api::namespaced(client, namespace);
    let name = ReleaseLock::lease_name(release);
    let pid = format!("(pid {})", std::process::id());
    if let Ok(lease) = leases.get(&name).await {
        let mine = lease
            .spec
            .and_then(|s| s.holder_identity)
            .is_some_and(|h| h.ends_with(&pid));
        if mine {
            let _ = leases.delete(&name, &DeleteParams::default()).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lease_renewed_long_ago_is_expired_and_a_fresh_one_is_not() {
        let fresh = Lease {
            spec: Some(LeaseSpec {
                renew_time: Some(now()),
                lease_duration_seconds: Some(60),
                ..LeaseSpec::default()
            }),
            ..Lease::default()
        };
        assert!(!expired(&fresh));
        let old = Lease {
            spec: Some(LeaseSpec {
                renew_time: Some(MicroTime(Timestamp::from_second(1_000_000).unwrap())),
                lease_duration_seconds: Some(60),
                ..LeaseSpec::default()
            }),
            ..Lease::default()
        };
        assert!(expired(&old));
    }
}
