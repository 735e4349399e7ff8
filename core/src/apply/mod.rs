//! Getting rendered objects onto the cluster and off it again: the plan
//! (what would change), server-side apply stage by stage, readiness waits,
//! hook Jobs, and deletion by inventory.

mod delete;
mod diagnose;
mod hooks;
mod plan;
mod runs;
mod shared;
mod ssa;
mod wait;

pub use delete::{DeleteOptions, delete_objects, sweep_leftovers};
pub use diagnose::diagnose;
pub use hooks::run_hooks;
pub use plan::{Action, Adopt, Plan, PlannedObject, plan, plan_adopting};
pub use runs::{
    FinalizersRemoved, RUNS_SELECTOR, count_by_kind, delete_found, delete_run_objects,
    is_polyaxon_finalizer, run_leftovers,
};
pub use shared::{
    CLUSTER_LOCK_NAME, CLUSTER_LOCK_NAMESPACE, RELEASES_ANNOTATION, Released, apply_registered,
    check_names, delete_release_objects, is_polyaxon_group, release_shared, user_id, users,
};
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
    #[error("{action} {object}: {}", crate::api_error::explain(source))]
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
    /// A cluster-scoped name the chart derives from the release name is
    /// used by a release of that name in another namespace, with different
    /// content: nothing was changed.
    #[error(
        "{object} is used by release {} and would differ for release {release} ({}): cluster-scoped names come from the release name; deploy this one under another release name",
        holders.join(", "), differences.join(", ")
    )]
    NameTaken {
        /// The object.
        object: String,
        /// The release that wanted it (`namespace/name`).
        release: String,
        /// The releases using it (`namespace/name`).
        holders: Vec<String>,
        /// The fields that would differ.
        differences: Vec<String>,
    },
    /// A wait ran out of time.
    #[error("timed out after {seconds}s waiting for {what}")]
    TimedOut {
        /// How long it waited.
        seconds: u64,
        /// What for.
        what: String,
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

/// The live state of `object`: `None` when it, or its kind, is gone.
pub(crate) async fn read_live(
    client: &Client,
    object: &ObjectRef,
) -> Result<Option<DynamicObject>, ApplyError> {
    let api = api_for(client, object);
    match api.get_opt(&object.name).await {
        Ok(live) => Ok(live),
        Err(e) if is_not_found(&e) => Ok(None),
        Err(source) => Err(ApplyError::Api {
            action: "read",
            object: object.to_string(),
            source: Box::new(source),
        }),
    }
}

/// Deletes `object` (found live as `live`); returns its uid to wait on,
/// `None` when it was gone already.
pub(crate) async fn delete_live(
    client: &Client,
    object: &ObjectRef,
    live: &DynamicObject,
    params: &kube::api::DeleteParams,
) -> Result<Option<String>, ApplyError> {
    let api = api_for(client, object);
    match api.delete(&object.name, params).await {
        Ok(_) => Ok(Some(kube::ResourceExt::uid(live).unwrap_or_default())),
        Err(e) if is_not_found(&e) => Ok(None),
        Err(source) => Err(ApplyError::Api {
            action: "delete",
            object: object.to_string(),
            source: Box::new(source),
        }),
    }
}

/// Whether an API error is "not found".
pub(crate) fn is_not_found(error: &kube::Error) -> bool {
    matches!(error, kube::Error::Api(status) if status.code == 404)
}
