//! The release lock: a Lease named `polyaxon.lock.<release>` in the release's
//! namespace. Whoever creates it holds the release; a second operation finds
//! it and is refused with the holder's name, unless the Lease expired or its
//! holder's process is known dead (it ran on this machine and is gone), in
//! which case it is taken over with an optimistic-concurrency update so that
//! two takers cannot both win.
//!
//! The holder renews the Lease only while it still names this very operation
//! (compare-and-swap on the resourceVersion it read), and gives it back the
//! same way. When the Lease names someone else, or cannot be renewed for most
//! of its duration (so someone else may take it), the lock is lost:
//! [`ReleaseLock::lost`] resolves, and the operation stops writing.

use std::time::{Duration, Instant};

use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime;
use k8s_openapi::jiff::Timestamp;
use kube::Client;
use kube::api::{Api, DeleteParams, ObjectMeta, PostParams, Preconditions};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::holder::LockHolder;
use crate::render::labels::{MANAGED_BY, MANAGER};

/// How long a lock lasts without renewal: a lock its holder stopped
/// renewing (it died) can be taken over after this many seconds.
pub const LEASE_SECONDS: i32 = 60;

/// How many times a lock given back while we tried to take it is taken again.
const TAKE_ATTEMPTS: u32 = 5;

/// Why the lock could not be taken, or was lost.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Someone else holds it.
    #[error(
        "release {release} is locked by {holder}{}: another operation is running on it",
        since(holder)
    )]
    Held {
        /// The release.
        release: String,
        /// Who holds it (operation, user, host, process).
        holder: Box<LockHolder>,
    },
    /// The lock was lost while the operation ran: it stopped writing.
    #[error(
        "lost the lock of release {release} while working ({reason}); stopped writing so as not to interfere"
    )]
    Lost {
        /// The release.
        release: String,
        /// Why: who holds it now, or for how long it could not be renewed.
        reason: String,
    },
    /// The API server refused or failed.
    #[error(
        "cannot take the lock of release {release}: {}",
        crate::api_error::explain(source)
    )]
    Api {
        /// The release.
        release: String,
        /// The API error.
        source: Box<kube::Error>,
    },
}

fn since(holder: &LockHolder) -> String {
    holder
        .since
        .as_ref()
        .map(|s| format!(" since {s}"))
        .unwrap_or_default()
}

/// A held release lock; renewed in the background until [`ReleaseLock::release`].
pub struct ReleaseLock {
    leases: Api<Lease>,
    name: String,
    release: String,
    holder: LockHolder,
    lost: watch::Receiver<Option<String>>,
    renewer: JoinHandle<()>,
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

/// Who a Lease names as its holder.
fn holder_of(lease: &Lease) -> LockHolder {
    let spec = lease.spec.as_ref();
    let mut holder = LockHolder::of(
        spec.and_then(|s| s.holder_identity.as_deref()),
        lease.metadata.annotations.as_ref(),
        spec.and_then(|s| s.acquire_time.as_ref())
            .map(|t| t.0.to_string()),
    );
    holder.expired = expired(lease);
    holder
}

fn held_by(lease: &Lease, holder: &LockHolder) -> bool {
    lease
        .spec
        .as_ref()
        .and_then(|s| s.holder_identity.as_deref())
        == Some(&holder.identity)
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
        Self::acquire_for(client, namespace, release, operation, LEASE_SECONDS).await
    }

    /// [`ReleaseLock::acquire`] with a lease of `lease_seconds` (renewed every
    /// quarter of it); tests use short ones.
    pub async fn acquire_for(
        client: Client,
        namespace: &str,
        release: &str,
        operation: &str,
        lease_seconds: i32,
    ) -> Result<Self, LockError> {
        let leases: Api<Lease> = Api::namespaced(client, namespace);
        let name = Self::lease_name(release);
        let holder = LockHolder::new(operation);
        let api_err = |source| LockError::Api {
            release: release.to_string(),
            source: Box::new(source),
        };
        let spec = LeaseSpec {
            holder_identity: Some(holder.identity.clone()),
            lease_duration_seconds: Some(lease_seconds),
            acquire_time: Some(now()),
            renew_time: Some(now()),
            ..LeaseSpec::default()
        };
        let lease = Lease {
            metadata: ObjectMeta {
                name: Some(name.clone()),
                labels: Some([(MANAGED_BY.to_string(), MANAGER.to_string())].into()),
                annotations: Some(holder.annotations()),
                ..ObjectMeta::default()
            },
            spec: Some(spec.clone()),
        };
        // A holder may give the lock back between our create (409) and our
        // read (404): then the lock is free and taken again, a few times at
        // most (concurrent deploys meet this on the lock of cluster-scoped
        // objects).
        let mut attempts = 0;
        loop {
            attempts += 1;
            let mut created = leases.create(&PostParams::default(), &lease).await;
            let mut lost = 0;
            while let Err(error) = &created
                && crate::retry::is_transient(error)
                && lost < CREATE_ATTEMPTS
            {
                // The answer was lost, not necessarily the create: whose Lease is there?
                lost += 1;
                created = match leases.get_opt(&name).await.map_err(api_err)? {
                    Some(found) if held_by(&found, &holder) => Ok(found),
                    Some(_) => Err(exists(&name)),
                    None => leases.create(&PostParams::default(), &lease).await,
                };
            }
            match created {
                Ok(_) => break,
                Err(kube::Error::Api(status)) if status.code == 409 => {
                    let Some(existing) = leases.get_opt(&name).await.map_err(api_err)? else {
                        if attempts < TAKE_ATTEMPTS {
                            continue;
                        }
                        return Err(busy(release));
                    };
                    let current = holder_of(&existing);
                    if current.may_run() {
                        return Err(LockError::Held {
                            release: release.to_string(),
                            holder: Box::new(current),
                        });
                    }
                    // Expired, or its holder died on this machine: take it over.
                    // The replace carries the resourceVersion we read, so of two
                    // takers only one succeeds.
                    let mut taken = existing;
                    taken.spec = Some(spec.clone());
                    taken.metadata.annotations = Some(holder.annotations());
                    match leases.replace(&name, &PostParams::default(), &taken).await {
                        Ok(_) => break,
                        Err(kube::Error::Api(status))
                            if status.code == 404 && attempts < TAKE_ATTEMPTS => {}
                        Err(kube::Error::Api(status)) if status.code == 409 => {
                            match leases.get_opt(&name).await.map_err(api_err)? {
                                // A retried replace whose first copy took the
                                // lock meets its own write.
                                Some(now_held) if held_by(&now_held, &holder) => break,
                                Some(now_held) => {
                                    return Err(LockError::Held {
                                        release: release.to_string(),
                                        holder: Box::new(holder_of(&now_held)),
                                    });
                                }
                                None if attempts < TAKE_ATTEMPTS => {}
                                None => return Err(busy(release)),
                            }
                        }
                        Err(e) => return Err(api_err(e)),
                    }
                }
                Err(e) => return Err(api_err(e)),
            }
        }
        let (lost_tx, lost) = watch::channel(None);
        let lease_time = Duration::from_secs(u64::try_from(lease_seconds.max(1)).unwrap_or(60));
        let renewer = tokio::spawn(renew(
            leases.clone(),
            name.clone(),
            holder.clone(),
            lease_time,
            lost_tx,
        ));
        Ok(ReleaseLock {
            leases,
            name,
            release: release.to_string(),
            holder,
            lost,
            renewer,
        })
    }

    /// Who holds this lock: this operation.
    pub fn holder(&self) -> &LockHolder {
        &self.holder
    }

    /// Resolves when the lock is lost (someone else holds it, it was removed,
    /// or it could not be renewed for most of its duration); never otherwise.
    pub async fn lost(&self) -> LockError {
        let mut lost = self.lost.clone();
        loop {
            if let Some(reason) = lost.borrow_and_update().clone() {
                return LockError::Lost {
                    release: self.release.clone(),
                    reason,
                };
            }
            if lost.changed().await.is_err() {
                // The renewer ended without losing the lock: it never will.
                std::future::pending::<()>().await;
            }
        }
    }

    /// Gives the lock back: deletes the Lease only while it still names this
    /// operation (a precondition on the resourceVersion read), so a lock
    /// someone else took over is left to them.
    pub async fn release(self) -> Result<(), kube::Error> {
        self.renewer.abort();
        let lease = match self.leases.get_opt(&self.name).await? {
            Some(lease) if held_by(&lease, &self.holder) => lease,
            _ => return Ok(()),
        };
        let params = DeleteParams {
            preconditions: Some(Preconditions {
                uid: lease.metadata.uid.clone(),
                resource_version: lease.metadata.resource_version.clone(),
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

impl Drop for ReleaseLock {
    /// A lock dropped without [`ReleaseLock::release`] (the operation was
    /// cancelled) stops being renewed, so it expires.
    fn drop(&mut self) {
        self.renewer.abort();
    }
}

/// One renewal's outcome when it did not renew.
enum Renewal {
    /// The lock is someone else's now, or gone: say why.
    Lost(String),
    /// The API did not answer or refused for now; try again.
    Failed,
}

/// Renews the lease every quarter of its duration while it names `holder`;
/// says on `lost` why it stopped when it is lost.
async fn renew(
    leases: Api<Lease>,
    name: String,
    holder: LockHolder,
    lease_time: Duration,
    lost: watch::Sender<Option<String>>,
) {
    let every = lease_time / 4;
    let mut renewed = Instant::now();
    loop {
        tokio::time::sleep(every).await;
        let attempt = Instant::now();
        let outcome = tokio::time::timeout(every, renew_once(&leases, &name, &holder)).await;
        match outcome {
            Ok(Ok(())) => renewed = attempt,
            Ok(Err(Renewal::Lost(reason))) => {
                let _ = lost.send(Some(reason));
                return;
            }
            Ok(Err(Renewal::Failed)) | Err(_) => {
                // Someone may take an unrenewed lease once it expires; stop
                // a quarter of its duration before that can happen.
                if renewed.elapsed() + every >= lease_time {
                    let _ = lost.send(Some(format!(
                        "it could not be renewed for {}s",
                        renewed.elapsed().as_secs()
                    )));
                    return;
                }
            }
        }
    }
}

async fn renew_once(leases: &Api<Lease>, name: &str, holder: &LockHolder) -> Result<(), Renewal> {
    let mut lease = match leases.get_opt(name).await {
        Ok(Some(lease)) => lease,
        Ok(None) => return Err(Renewal::Lost("the lock was removed".into())),
        Err(_) => return Err(Renewal::Failed),
    };
    if !held_by(&lease, holder) {
        return Err(Renewal::Lost(format!(
            "it is held by {} now",
            holder_of(&lease)
        )));
    }
    if let Some(spec) = lease.spec.as_mut() {
        spec.renew_time = Some(now());
    }
    // The replace carries the resourceVersion just read: a lease changed
    // meanwhile is not overwritten (the next tick reads it again).
    match leases.replace(name, &PostParams::default(), &lease).await {
        Ok(_) => Ok(()),
        Err(_) => Err(Renewal::Failed),
    }
}

/// How many times a create of the Lease whose answer was lost (and that is
/// not there) is sent again.
const CREATE_ATTEMPTS: u32 = 3;

/// The refusal a create of Lease `name` meets when another one holds it.
fn exists(name: &str) -> kube::Error {
    let message = format!("leases.coordination.k8s.io \"{name}\" already exists");
    kube::Error::Api(
        kube::core::Status::failure(&message, "AlreadyExists")
            .with_code(409)
            .boxed(),
    )
}

/// The lock of `release` was taken and given back faster than we could read
/// it, again and again: busy, so the caller waits as for any holder.
fn busy(release: &str) -> LockError {
    LockError::Held {
        release: release.to_string(),
        holder: Box::new(LockHolder {
            identity: "operations taking and giving back the lock".into(),
            operation: "unknown".into(),
            process: None,
            since: None,
            expired: false,
        }),
    }
}

/// Who holds the lock of `release`, if anyone (an expired lock included).
pub async fn lock_holder(
    client: Client,
    namespace: &str,
    release: &str,
) -> Result<Option<LockHolder>, LockError> {
    let leases: Api<Lease> = Api::namespaced(client, namespace);
    let lease = leases
        .get_opt(&ReleaseLock::lease_name(release))
        .await
        .map_err(|source| LockError::Api {
            release: release.to_string(),
            source: Box::new(source),
        })?;
    Ok(lease.as_ref().map(holder_of))
}

/// Removes the lock of `release` whoever holds it (`polyaxon unlock`);
/// returns who held it, `None` when it was not locked.
pub async fn unlock(
    client: Client,
    namespace: &str,
    release: &str,
) -> Result<Option<LockHolder>, LockError> {
    let leases: Api<Lease> = Api::namespaced(client, namespace);
    let name = ReleaseLock::lease_name(release);
    let api_err = |source| LockError::Api {
        release: release.to_string(),
        source: Box::new(source),
    };
    let Some(lease) = leases.get_opt(&name).await.map_err(api_err)? else {
        return Ok(None);
    };
    match leases.delete(&name, &DeleteParams::default()).await {
        Ok(_) => Ok(Some(holder_of(&lease))),
        Err(kube::Error::Api(status)) if status.code == 404 => Ok(None),
        Err(e) => Err(api_err(e)),
    }
}

/// Removes a lock held by this process (used on Ctrl-C, where the holder is
/// an operation of this very process, cancelled).
pub async fn release_if_mine(client: Client, namespace: &str, release: &str) {
    let leases: Api<Lease> = Api::namespaced(client, namespace);
    let name = ReleaseLock::lease_name(release);
    let me = super::holder::Process::current();
    if let Ok(lease) = leases.get(&name).await {
        let mine = holder_of(&lease)
            .process
            .is_some_and(|p| p.host == me.host && p.pid == me.pid);
        if mine {
            let params = DeleteParams {
                preconditions: Some(Preconditions {
                    uid: lease.metadata.uid.clone(),
                    resource_version: lease.metadata.resource_version.clone(),
                }),
                ..DeleteParams::default()
            };
            let _ = leases.delete(&name, &params).await;
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
