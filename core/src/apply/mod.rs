//! Getting rendered objects onto the cluster and off it again: the plan
//! (what would change), server-side apply stage by stage, readiness waits,
//! hook Jobs, and deletion by inventory.

mod delete;
mod diagnose;
mod hooks;
mod plan;
mod ssa;
mod wait;

pub use delete::{DeleteOptions, delete_objects, sweep_leftovers};
pub use diagnose::diagnose;
pub use hooks::run_hooks;
pub use plan::{Action, Adopt, Plan, PlannedObject, plan, plan_adopting};
pub use ssa::{DEFAULT_CONCURRENCY, apply_plan};
pub use wait::{WorkloadState, wait_ready, workload_states};

use kube::Client;
use kube::api::{Api, DynamicObject};
use kube::discovery::ApiResource;

use crate::release::ObjectRef;

/// The field manager of every write (apply, dry-run plan, hook Jobs):
/// server-side apply records this tool as the owner of the fields it sets.
pub const FIELD_MANAGER: &str = "polyaxon";

/// Why applying, waiting or deleting failed.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// The API server refused or failed a request about one object.
    #[error("{action} {object}: {source}")]
    Api {
        /// What was attempted (`apply`, `read`, `delete`, ...).
        action: &'static str,
        /// The object.
        object: String,
        /// The API error.
        source: Box<kube::Error>,
    },
    /// An object exists that this release does not own; nothing was changed.
    #[error(
        "{object} exists but is not owned by release {release} ({owner}); refusing to overwrite it"
    )]
    NotOwned {
        /// The object.
        object: String,
        /// The release that wanted it.
        release: String,
        /// Who owns it, as far as its labels say.
        owner: String,
    },
    /// Workloads did not become ready in time.
    #[error("timed out after {seconds}s waiting for {}:\n{details}", objects.join(", "))]
    NotReady {
        /// How long it waited.
        seconds: u64,
        /// The workloads that are not ready.
        objects: Vec<String>,
        /// Why, per workload: pod states, container reasons, recent events.
        details: String,
    },
    /// A workload failed for good (a Job ran out of retries).
    #[error("{object} failed:\n{details}")]
    Failed {
        /// The workload.
        object: String,
        /// Why.
        details: String,
    },
    /// A hook Job failed or timed out; it was deleted with its pods.
    #[error("the {hook} hook {object} failed:\n{details}")]
    HookFailed {
        /// The moment.
        hook: crate::render::Hook,
        /// The Job.
        object: String,
        /// Why.
        details: String,
    },
    /// Deletions did not finish in time.
    #[error("timed out waiting for these to be deleted: {}", objects.join(", "))]
    NotDeleted {
        /// What is still there.
        objects: Vec<String>,
    },
}

impl ApplyError {
    /// The API error underneath, if any (for exit codes: 401/403 → forbidden).
    pub fn api_error(&self) -> Option<&kube::Error> {
        match self {
            ApplyError::Api { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// The dynamic API for one object.
pub(crate) fn dynamic_api(
    client: &Client,
    resource: &ApiResource,
    namespace: Option<&str>,
) -> Api<DynamicObject> {
    match namespace {
        Some(ns) => Api::namespaced_with(client.clone(), ns, resource),
        None => Api::all_with(client.clone(), resource),
    }
}

/// The dynamic API for an inventory entry.
pub fn api_for(client: &Client, object: &ObjectRef) -> Api<DynamicObject> {
    dynamic_api(client, &object.api_resource(), object.namespace.as_deref())
}

/// Whether an API error is "not found".
pub(crate) fn is_not_found(error: &kube::Error) -> bool {
    matches!(error, kube::Error::Api(status) if status.code == 404)
}
