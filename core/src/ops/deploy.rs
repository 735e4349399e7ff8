//! `polyaxon deploy`: a new release. Refused if the release is deployed
//! already; otherwise: namespace, lock, render, plan (ownership checked before
//! any write), record `pending`, apply stage by stage, wait, post-install
//! hooks, record `deployed` — or `failed`, with the reason, on any error.

use kube::Client;

use super::{
    Deployable, OpError, ReleaseRef, WaitOptions, ensure_namespace, pending_record, with_lock,
};
use crate::apply::{apply_plan, plan, run_hooks, wait_ready};
use crate::event::Reporter;
use crate::release::{RecordStore, ReleaseRecord, Status, store_manifest};
use crate::render::{Hook, ReleaseState};

/// Options of a deploy.
#[derive(Debug, Clone)]
pub struct DeployOptions {
    /// Which release, where.
    pub target: ReleaseRef,
    /// Whether and how long to wait.
    pub wait: WaitOptions,
}

/// Deploys `source` as a new release.
pub async fn deploy(
    client: &Client,
    op: &DeployOptions,
    source: &Deployable<'_>,
    reporter: &Reporter,
) -> Result<ReleaseRecord, OpError> {
    ensure_namespace(client, &op.target.namespace).await?;
    let work = deploy_locked(client, op, source, reporter);
    with_lock(client, &op.target, "deploy", work).await
}

async fn deploy_locked(
    client: &Client,
    op: &DeployOptions,
    source: &Deployable<'_>,
    reporter: &Reporter,
) -> Result<ReleaseRecord, OpError> {
    let target = &op.target;
    let store = RecordStore::new(client.clone(), &target.namespace, &target.release);
    let history = store.history().await?;
    if let Some(current) = history.iter().rev().find(|r| r.status == Status::Deployed) {
        return Err(OpError::ReleaseExists {
            release: target.release.clone(),
            namespace: target.namespace.clone(),
            revision: current.revision,
            status: current.status.to_string(),
        });
    }
    // A release whose every revision failed is deployed again as the next
    // revision, keeping its generated values (its volumes may hold data).
    let (revision, state) = match history.last() {
        Some(last) => {
            let mut state = last.state.clone();
            state.complete();
            (last.revision + 1, state)
        }
        None => (1, ReleaseState::new_for(&target.release)),
    };
    let manifest = (source.render)(&state)?;
    let planned = plan(client, &manifest, &target.release, &[]).await?;
    let mut record = pending_record(
        target,
        revision,
        &source.chart,
        &source.version,
        source.config.clone(),
        state,
        "deploy in progress",
    );
    record.inventory = planned.inventory();
    record.manifest = store_manifest(&manifest);
    store.create(&record).await?;

    let outcome = async {
        apply_plan(client, &planned, op.wait.concurrency, reporter).await?;
        if op.wait.wait {
            wait_ready(client, &record.inventory, op.wait.timeout, reporter).await?;
        }
        run_hooks(
            client,
            &manifest,
            Hook::PostInstall,
            &target.release,
            op.wait.timeout,
            reporter,
        )
        .await?;
        Ok::<(), OpError>(())
    }
    .await;
    finish(&store, record, outcome, "deployed").await
}

/// Writes the outcome into the pending record and returns it.
pub(crate) async fn finish(
    store: &RecordStore,
    mut record: ReleaseRecord,
    outcome: Result<(), OpError>,
    done: &str,
) -> Result<ReleaseRecord, OpError> {
    record.updated = super::now();
    match outcome {
        Ok(()) => {
            record.status = Status::Deployed;
            record.description = done.to_string();
            store.update(&record).await?;
            Ok(record)
        }
        Err(e) => {
            record.status = Status::Failed;
            record.description = first_line(&e.to_string());
            let _ = store.update(&record).await;
            Err(e)
        }
    }
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().to_string()
}
