//! Hook Jobs: run at their moment (post-install, post-upgrade, pre-delete)
//! by the deploy, upgrade and teardown operations, not with the stages.

use k8s_openapi::api::batch::v1::{Job, JobSpec};
use k8s_openapi::api::core::v1::Container;

use super::ctx::Ctx;
use super::labels::Role;
use super::names;
use super::pod::{self, Scheduling, Workload};
use super::values::Values;

/// The name of a hook Job: `<release>-<part>` as the charts, fitted in 63.
pub fn name(release: &str, part: &str) -> String {
    names::join(release, part)
}

/// A hook Job running `container` once (never restarted), given
/// `deadline` seconds, with the core pods' pull secrets.
pub fn job(
    ctx: &Ctx<'_>,
    values: &Values<'_>,
    name: &str,
    container: Container,
    service_account: Option<String>,
    scheduling: Scheduling,
    deadline: i64,
) -> Job {
    let workload = Workload {
        name: name.to_string(),
        role: Some(Role::Hooks),
        replicas: 1,
        container,
        service_account,
        scheduling,
        pull_secrets: values.image_pull_secrets(),
        ..Workload::default()
    };
    job_of(ctx, values, &workload, deadline)
}

/// A hook Job running the pod of `workload` once (never restarted; the
/// Job's retries left to Kubernetes, as the charts do), given `deadline`
/// seconds.
pub fn job_of(ctx: &Ctx<'_>, values: &Values<'_>, workload: &Workload, deadline: i64) -> Job {
    let mut template = pod::template(ctx, values, workload);
    if let Some(spec) = template.spec.as_mut() {
        spec.restart_policy = Some("Never".into());
        spec.active_deadline_seconds = Some(deadline);
    }
    Job {
        metadata: ctx.meta(&workload.name, Role::Hooks),
        spec: Some(JobSpec {
            template,
            ..JobSpec::default()
        }),
        ..Job::default()
    }
}
