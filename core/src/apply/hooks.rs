//! Hook Jobs (post-install, post-upgrade, pre-delete): each is created fresh —
//! a Job of the same name left by an earlier failed run is replaced, not an
//! `already exists` error — waited for, and deleted with its pods whatever its
//! outcome, so that a failed hook never blocks the next attempt.

use std::time::Duration;

use crate::retry::await_condition;
use k8s_openapi::api::batch::v1::Job;
use kube::Client;
use kube::ResourceExt;
use kube::api::{Api, DeleteParams, Patch, PatchParams};
use kube::runtime::wait::conditions;
use tokio::time::Instant;

use super::plan::foreign_owner;
use super::wait::job as job_readiness;
use super::{ApplyError, FIELD_MANAGER, diagnose, dynamic_api, is_not_found};
use crate::event::{Event, Reporter};
use crate::release::ObjectRef;
use crate::render::{Hook, Manifest};

const POLL: Duration = Duration::from_secs(1);

/// Runs the hooks of `manifest` for `hook`, one after another.
pub async fn run_hooks(
    client: &Client,
    manifest: &Manifest,
    hook: Hook,
    release: &str,
    timeout: Duration,
    reporter: &Reporter,
) -> Result<(), ApplyError> {
    for object in manifest.hooks(hook) {
        let reference = ObjectRef::of(object);
        let ns = object.namespace().unwrap_or("default").to_string();
        let jobs: Api<Job> = Api::namespaced(client.clone(), &ns);
        let err = |action, source| ApplyError::Api {
            action,
            object: reference.to_string(),
            source: Box::new(source),
        };
        let api = dynamic_api(client, &object.resource, object.namespace());
        if let Some(existing) = api
            .get_opt(object.name())
            .await
            .map_err(|e| err("read", e))?
        {
            if let Some(owner) = foreign_owner(&existing, release) {
                return Err(ApplyError::NotOwned {
                    object: reference.to_string(),
                    release: release.to_string(),
                    owner,
                });
            }
            delete_job(&jobs, object.name(), timeout)
                .await
                .map_err(|e| err("delete", e))?;
        }
        reporter(Event::HookStarted {
            hook,
            id: reference.id(),
        });
        api.patch(
            object.name(),
            &PatchParams::apply(FIELD_MANAGER).force(),
            &Patch::Apply(&object.object),
        )
        .await
        .map_err(|e| err("create", e))?;
        let outcome = wait_job(&jobs, object.name(), timeout)
            .await
            .map_err(|e| err("read", e))?;
        let details = match outcome {
            JobOutcome::Succeeded => None,
            JobOutcome::Failed => Some(diagnose(client, &reference).await),
            JobOutcome::TimedOut => Some(format!(
                "  not complete after {}s\n{}",
                timeout.as_secs(),
                diagnose(client, &reference).await
            )),
        };
        delete_job(&jobs, object.name(), timeout)
            .await
            .map_err(|e| err("delete", e))?;
        reporter(Event::HookFinished {
            hook,
            id: reference.id(),
            succeeded: details.is_none(),
        });
        if let Some(details) = details {
            return Err(ApplyError::HookFailed {
                hook,
                object: reference.id(),
                details,
            });
        }
    }
    Ok(())
}

enum JobOutcome {
    Succeeded,
    Failed,
    TimedOut,
}

async fn wait_job(
    jobs: &Api<Job>,
    name: &str,
    timeout: Duration,
) -> Result<JobOutcome, kube::Error> {
    let deadline = Instant::now() + timeout;
    loop {
        let state = job_readiness(&jobs.get(name).await?);
        if state.failed {
            return Ok(JobOutcome::Failed);
        }
        if state.done {
            return Ok(JobOutcome::Succeeded);
        }
        if Instant::now() >= deadline {
            return Ok(JobOutcome::TimedOut);
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Deletes a Job and its pods (foreground: the Job goes only after its pods)
/// and waits until it is gone.
async fn delete_job(jobs: &Api<Job>, name: &str, timeout: Duration) -> Result<(), kube::Error> {
    let uid = match jobs.get_opt(name).await? {
        Some(job) => job.uid(),
        None => return Ok(()),
    };
    match jobs.delete(name, &DeleteParams::foreground()).await {
        Ok(_) => {}
        Err(e) if is_not_found(&e) => return Ok(()),
        Err(e) => return Err(e),
    }
    if let Some(uid) = uid {
        let gone = await_condition(jobs.clone(), name, conditions::is_deleted(&uid));
        // A Job that outlives the timeout is reported by the caller's next read.
        let _ = tokio::time::timeout(timeout, gone).await;
    }
    Ok(())
}
