//! The user's verbs, each composed from the other modules the way a person
//! would describe it (helm's `pkg/action` is the model: one file per verb, a
//! struct of options and a `run`).
//!
//! Boxed operations: `deploy`, `upgrade`, `teardown` and `rollback` are each a
//! large future (plan, apply, wait, hooks, records, helm discovery). Each
//! public function boxes its body, so that awaiting it does not weigh on the
//! caller's stack (a test's or a spawned task's thread has 2 MiB).

mod decide;
mod deploy;
mod helm_release;
mod helm_teardown;
mod list;
mod major;
mod query;
mod records;
mod replace;
mod takeover;
mod teardown;
mod upgrade;

pub use deploy::{DeployOptions, deploy};
pub use helm_release::{HelmError, HelmFound, find as find_helm_release};
pub use list::{ListedRelease, Manager, list};
pub use major::{DATA_DOC, MajorUpgrade, PasswordCarry};
pub use query::{ReleaseStatus, history, status};
pub use teardown::{TeardownOptions, TeardownPreview, TeardownSummary, teardown, teardown_preview};
pub use upgrade::{Diff, UpgradeOptions, UpgradeOutcome, diff, rollback, upgrade};

use std::time::Duration;

use k8s_openapi::api::core::v1::Namespace;
use kube::Client;
use kube::api::{Api, ObjectMeta, PostParams};

use crate::apply::ApplyError;
use crate::config::Deployment;
use crate::event::Reporter;
use crate::release::{
    ClusterStore, LockError, ReleaseLock, ReleaseRef, RevisionContent, StoreError, release_if_mine,
};
use crate::render::labels::{MANAGED_BY, MANAGER};
use crate::render::{Manifest, ReleaseState, RenderError};

/// Renders a chart with a release's generated values (borrowing what it
/// renders for `'a`).
pub type RenderFn<'a> = dyn Fn(&ReleaseState) -> Result<Manifest, RenderError> + Sync + 'a;

/// What is being deployed: the chart, its pinned version and the merged config
/// (kept in the record), and how to render it for a release state.
pub struct Deployable<'a> {
    /// `platform`, `agent` or `ponos`.
    pub chart: String,
    /// The pinned version.
    pub version: String,
    /// The merged config, as given.
    pub config: serde_json::Value,
    /// Renders the chart with the release's generated values.
    pub render: &'a RenderFn<'a>,
}

impl<'a> Deployable<'a> {
    /// What a revision of this deploys, rendered with the release's
    /// generated values `state`.
    pub fn content(&self, state: ReleaseState) -> RevisionContent {
        RevisionContent {
            chart: self.chart.clone(),
            version: self.version.clone(),
            config: self.config.clone(),
            state,
        }
    }

    /// A loaded deployment's chart, pinned version and merged config,
    /// rendered by `render` (usually `|state| render::render(&deployment, state)`,
    /// which borrows the deployment and so cannot be made here).
    pub fn of(deployment: &Deployment, render: &'a RenderFn<'a>) -> Self {
        Deployable {
            chart: deployment.chart.as_str().to_string(),
            version: deployment.version.version.to_string(),
            config: deployment.values.clone(),
            render,
        }
    }
}

/// How long to wait, and whether to; and how many writes at once.
#[derive(Debug, Clone, Copy)]
pub struct WaitOptions {
    /// Wait for workloads to be ready.
    pub wait: bool,
    /// For how long.
    pub timeout: Duration,
    /// Objects of one stage applied at once ([`crate::apply::DEFAULT_CONCURRENCY`]).
    pub concurrency: usize,
}

/// Why an operation failed.
#[derive(Debug, thiserror::Error)]
pub enum OpError {
    /// The release exists already.
    #[error(
        "release {release} already exists in namespace {namespace} (revision {revision}, {status})"
    )]
    ReleaseExists {
        /// The release.
        release: String,
        /// Its namespace.
        namespace: String,
        /// Its current revision.
        revision: u32,
        /// That revision's status.
        status: String,
    },
    /// No record of the release at all: nothing to upgrade, roll back,
    /// tear down or show.
    #[error(
        "release {release} is not deployed in namespace {namespace} (no release records found)"
    )]
    NotFound {
        /// The release.
        release: String,
        /// The namespace looked in.
        namespace: String,
    },
    /// The release has records, but none of its revisions is deployed
    /// (every one failed): nothing to upgrade or roll back from.
    #[error(
        "release {release} is not deployed in namespace {namespace} (none of its {revisions} revision(s) is deployed)"
    )]
    NotDeployed {
        /// The release.
        release: String,
        /// The namespace looked in.
        namespace: String,
        /// How many revisions it has.
        revisions: usize,
    },
    /// The requested version is older than the deployed one.
    #[error("release {release} runs {deployed}; {requested} is older: refusing to downgrade")]
    Downgrade {
        /// The release.
        release: String,
        /// The deployed version.
        deployed: String,
        /// The requested version.
        requested: String,
    },
    /// A major version jump needs a yes.
    #[error(
        "release {release} runs {deployed}; {requested} is a new major version{}",
        upgrade.as_ref().map(|u| format!(", and upgrading to it changes this:\n{u}")).unwrap_or_default().trim_end()
    )]
    NeedsConfirmation {
        /// The release.
        release: String,
        /// The deployed version.
        deployed: String,
        /// The requested version.
        requested: String,
        /// What the upgrade would do, when it was planned.
        upgrade: Option<Box<MajorUpgrade>>,
    },
    /// Workloads that cannot change in place must be deleted and created
    /// again: that needs a yes.
    #[error(
        "these workloads must be deleted and created again (their selectors or claim templates changed, which cannot change in place; claims are kept): {}",
        objects.join(", ")
    )]
    MustReplace {
        /// The workloads (`Kind/name`).
        objects: Vec<String>,
    },
    /// A version is not a Polyaxon version (`X.Y.Z`, `X.Y.Z.postN`).
    #[error("version {0:?} is not a semantic version")]
    Version(String),
    /// The revision asked for does not exist.
    #[error("release {release} has no revision {revision} (it has: {available})")]
    NoSuchRevision {
        /// The release.
        release: String,
        /// The revision asked for.
        revision: u32,
        /// The revisions it has.
        available: String,
    },
    /// Rendering failed.
    #[error(transparent)]
    Render(#[from] RenderError),
    /// Reading or writing records failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Another operation holds the release.
    #[error(transparent)]
    Lock(#[from] LockError),
    /// The cluster lacks what the release needs (nothing was applied).
    #[error(transparent)]
    Preflight(#[from] crate::preflight::PreflightError),
    /// Applying, waiting or deleting failed.
    #[error(transparent)]
    Apply(#[from] ApplyError),
    /// After a failed upgrade, the upgrade was undone (it was asked to be atomic).
    #[error("{cause}\nrolled back to revision {revision}")]
    RolledBack {
        /// Why the upgrade failed.
        cause: Box<OpError>,
        /// The revision now running again.
        revision: u32,
    },
    /// A release helm installed cannot be acted on as asked.
    #[error(transparent)]
    Helm(Box<HelmError>),
    /// Another API call failed.
    #[error("{action}: {}", crate::api_error::explain(source))]
    Api {
        /// What was attempted.
        action: String,
        /// The API error.
        source: Box<kube::Error>,
    },
}

impl From<HelmError> for OpError {
    fn from(error: HelmError) -> Self {
        OpError::Helm(Box::new(error))
    }
}

impl OpError {
    /// No record of `target` at all.
    pub(crate) fn not_found(target: &ReleaseRef) -> Self {
        OpError::NotFound {
            release: target.release.clone(),
            namespace: target.namespace.clone(),
        }
    }

    /// Whether a person's yes (or `--yes`) lets the operation proceed: a major
    /// version jump, a release helm left pending, workloads to recreate.
    pub fn needs_confirmation(&self) -> bool {
        match self {
            OpError::NeedsConfirmation { .. } | OpError::MustReplace { .. } => true,
            OpError::Helm(helm) => matches!(
                **helm,
                HelmError::Pending { .. } | HelmError::Recreate { .. }
            ),
            _ => false,
        }
    }

    /// The Kubernetes API error underneath, if any (for exit codes).
    pub fn api_error(&self) -> Option<&kube::Error> {
        match self {
            OpError::Api { source, .. } => Some(source),
            OpError::Apply(e) => e.api_error(),
            OpError::Lock(LockError::Api { source, .. }) => Some(source),
            OpError::Store(error) => error.api_error(),
            OpError::RolledBack { cause, .. } => cause.api_error(),
            _ => None,
        }
    }
}

/// Runs `work` holding the release's lock for `operation`, and gives the
/// lock back whatever `work` returns. `work` does not start before the lock
/// is held (a future runs only when awaited), and is dropped, so stops
/// writing, as soon as the lock is lost. A lock that cannot be given back
/// expires on its own.
///
/// Holding the lock, a revision left `pending` by an operation that no
/// longer runs is first reported and marked failed.
pub(crate) async fn with_lock<T>(
    client: &Client,
    target: &ReleaseRef,
    operation: &str,
    reporter: &Reporter,
    work: impl Future<Output = Result<T, OpError>>,
) -> Result<T, OpError> {
    let lock = ReleaseLock::acquire(
        client.clone(),
        &target.namespace,
        &target.release,
        operation,
    )
    .await?;
    let work = async {
        // Unreadable records are reported by the operation's own store.
        let store = ClusterStore::new(client.clone(), &target.namespace, &target.release);
        records::fail_interrupted(&store, reporter).await?;
        work.await
    };
    let result = tokio::select! {
        biased;
        lost = lock.lost() => Err(OpError::Lock(lost)),
        result = work => result,
    };
    let _ = lock.release().await;
    result
}

/// Refuses to apply a manifest the cluster lacks something for (see
/// [`crate::preflight`]).
pub(crate) async fn preflight(
    client: &Client,
    manifest: &crate::render::Manifest,
    target: &ReleaseRef,
    checks: crate::preflight::Checks,
) -> Result<(), OpError> {
    let findings = crate::preflight::check(client, manifest, &target.namespace, checks)
        .await
        .map_err(|source| OpError::Api {
            action: "check what the release needs from the cluster".to_string(),
            source: Box::new(source),
        })?;
    if findings.is_empty() {
        return Ok(());
    }
    Err(OpError::Preflight(crate::preflight::PreflightError {
        release: target.release.clone(),
        namespace: target.namespace.clone(),
        findings,
    }))
}

/// Creates the namespace if it is missing. A namespace this tool creates is
/// labelled as managed by polyaxon but belongs to no release: teardown keeps it
/// (it may hold kept volumes and things the release never owned).
pub(crate) async fn ensure_namespace(client: &Client, namespace: &str) -> Result<(), OpError> {
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let err = |source| OpError::Api {
        action: format!("create namespace {namespace}"),
        source: Box::new(source),
    };
    if namespaces.get_opt(namespace).await.map_err(err)?.is_some() {
        return Ok(());
    }
    let ns = Namespace {
        metadata: ObjectMeta {
            name: Some(namespace.to_string()),
            labels: Some([(MANAGED_BY.to_string(), MANAGER.to_string())].into()),
            ..ObjectMeta::default()
        },
        ..Namespace::default()
    };
    match namespaces.create(&PostParams::default(), &ns).await {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(status)) if status.code == 409 => Ok(()),
        // The answer was lost: the namespace may have been created all the
        // same (a create is not sent twice blindly), so look for it.
        Err(e) if crate::retry::is_transient(&e) => {
            match namespaces.get_opt(namespace).await.map_err(err)? {
                Some(_) => Ok(()),
                None => match namespaces.create(&PostParams::default(), &ns).await {
                    Ok(_) => Ok(()),
                    Err(kube::Error::Api(status)) if status.code == 409 => Ok(()),
                    Err(e) => Err(err(e)),
                },
            }
        }
        Err(e) => Err(err(e)),
    }
}

/// After Ctrl-C: the revision this process left `pending` is marked `failed`
/// (so it does not look in progress forever) and its lock is given back.
pub async fn interrupted(client: &Client, target: &ReleaseRef) -> Result<(), OpError> {
    let store = ClusterStore::new(client.clone(), &target.namespace, &target.release);
    records::mark_interrupted(&store).await?;
    release_if_mine(client.clone(), &target.namespace, &target.release).await;
    Ok(())
}
