//! Server-side apply of a plan, stage by stage, the objects of one stage in
//! parallel. Objects the plan found unchanged are not written at all.

use std::time::Duration;

use futures::stream::{self, StreamExt, TryStreamExt};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::Client;
use kube::api::{Api, Patch, PatchParams};
use kube::runtime::wait::conditions;

use super::plan::{Action, Plan, PlannedObject};
use super::{ApplyError, FIELD_MANAGER, dynamic_api};
use crate::api_error::explain_watch;
use crate::event::{Event, Reporter};
use crate::render::Stage;
use crate::retry::await_condition;

/// Requests in flight within one stage, by default. 1 applies object by
/// object (the benchmark's baseline).
pub const DEFAULT_CONCURRENCY: usize = 8;

/// How long a new CRD may take to be served.
const CRD_ESTABLISHED: Duration = Duration::from_secs(60);

/// Applies every creation and change of `plan`, stage after stage.
pub async fn apply_plan(
    client: &Client,
    plan: &Plan,
    concurrency: usize,
    reporter: &Reporter,
) -> Result<(), ApplyError> {
    let mut stages: Vec<Stage> = plan
        .items
        .iter()
        .filter_map(|i| i.rendered.as_ref().map(|r| r.stage))
        .collect();
    stages.dedup();
    for stage in stages {
        let writes: Vec<&PlannedObject> = plan
            .items
            .iter()
            .filter(|i| i.rendered.as_ref().is_some_and(|r| r.stage == stage))
            .filter(|i| matches!(i.action, Action::Create | Action::Change(_)))
            .collect();
        if writes.is_empty() {
            continue;
        }
        reporter(Event::Stage {
            stage,
            count: writes.len(),
        });
        stream::iter(writes)
            .map(|item| apply_one(client, item, reporter))
            .buffer_unordered(concurrency.max(1))
            .try_collect::<Vec<()>>()
            .await?;
        if stage == Stage::Crds {
            wait_crds_established(client, plan).await?;
        }
    }
    Ok(())
}

async fn apply_one(
    client: &Client,
    item: &PlannedObject,
    reporter: &Reporter,
) -> Result<(), ApplyError> {
    let Some(object) = &item.rendered else {
        return Ok(());
    };
    let api = dynamic_api(client, &object.resource, object.namespace());
    // force: the release owns every field it renders; another manager's
    // change to one of them (kubectl edit) is taken back, as helm would.
    let params = PatchParams::apply(FIELD_MANAGER).force();
    let patch = Patch::Apply(&object.object);
    api.patch(object.name(), &params, &patch)
        .await
        .map_err(|source| ApplyError::Api {
            action: "apply",
            object: item.object.to_string(),
            source: Box::new(source),
        })?;
    reporter(match item.action {
        Action::Create => Event::Created(item.object.id()),
        _ => Event::Changed(item.object.id()),
    });
    Ok(())
}

/// Waits for every CRD of the plan to be Established, all at once (each
/// wait is a list and a watch: one after the other they added up).
async fn wait_crds_established(client: &Client, plan: &Plan) -> Result<(), ApplyError> {
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    let waits = plan
        .items
        .iter()
        .filter(|item| item.object.kind == "CustomResourceDefinition")
        .map(|item| {
            let established = await_condition(
                crds.clone(),
                &item.object.name,
                conditions::is_crd_established(),
            );
            async move {
                match tokio::time::timeout(CRD_ESTABLISHED, established).await {
                    Ok(Ok(_)) => Ok(()),
                    Ok(Err(e)) => Err(ApplyError::Failed {
                        object: item.object.to_string(),
                        details: format!("watching it failed: {}", explain_watch(&e)),
                    }),
                    Err(_) => Err(ApplyError::NotReady {
                        seconds: CRD_ESTABLISHED.as_secs(),
                        objects: vec![item.object.id()],
                        details: "the API server did not report the CRD Established".into(),
                    }),
                }
            }
        });
    futures::future::try_join_all(waits).await.map(|_| ())
}
