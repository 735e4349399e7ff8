//! Smoke tests of the local cluster kit, through kube-rs: they prove that the
//! API server, scheduler, controller-manager, kwok and the volume pool do
//! what the product relies on.

use std::time::Duration;

use anyhow::{Context, Result, bail};
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{Namespace, PersistentVolumeClaim, Pod};
use kube::api::{Api, DeleteParams, Patch, PatchParams};
use kube::runtime::wait::{await_condition, conditions};
use kube::{Client, ResourceExt};
use polyaxon_e2e::{client, unique_namespace};
use serde_json::json;

const WAIT: Duration = Duration::from_secs(90);

async fn apply<K>(api: &Api<K>, name: &str, object: serde_json::Value) -> Result<K>
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
{
    let params = PatchParams::apply("polyaxon-e2e").force();
    api.patch(name, &params, &Patch::Apply(&object))
        .await
        .with_context(|| format!("server-side apply of {name}"))
}

async fn create_namespace(client: &Client, name: &str) -> Result<()> {
    let namespaces: Api<Namespace> = Api::all(client.clone());
    apply(
        &namespaces,
        name,
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}),
    )
    .await?;
    Ok(())
}

/// Deletes the namespace and waits until it is gone, with everything in it.
async fn delete_namespace(client: &Client, name: &str) -> Result<()> {
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let uid = namespaces
        .get(name)
        .await?
        .uid()
        .context("namespace without uid")?;
    namespaces.delete(name, &DeleteParams::foreground()).await?;
    tokio::time::timeout(
        WAIT,
        await_condition(namespaces, name, conditions::is_deleted(&uid)),
    )
    .await
    .context("namespace was not deleted in time")??;
    Ok(())
}

fn is_deployment_available(deployment: Option<&Deployment>) -> bool {
    deployment
        .and_then(|d| d.status.as_ref())
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|conditions| {
            conditions
                .iter()
                .any(|c| c.type_ == "Available" && c.status == "True")
        })
}

fn is_pod_ready(pod: Option<&Pod>) -> bool {
    pod.and_then(|p| p.status.as_ref())
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|conditions| {
            conditions
                .iter()
                .any(|c| c.type_ == "Ready" && c.status == "True")
        })
}

fn labels(app: &str) -> serde_json::Value {
    json!({"app": app})
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn deployment_job_and_stateful_volume_work_then_everything_is_deleted() -> Result<()> {
    let client = client().await?;
    let ns = unique_namespace("smoke");
    create_namespace(&client, &ns).await?;

    // A Deployment, server-side applied, reports Available.
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), &ns);
    apply(
        &deployments,
        "web",
        json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web"},
            "spec": {
                "replicas": 2,
                "selector": {"matchLabels": labels("web")},
                "template": {
                    "metadata": {"labels": labels("web")},
                    "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}
                }
            }
        }),
    )
    .await?;
    tokio::time::timeout(
        WAIT,
        await_condition(deployments.clone(), "web", is_deployment_available),
    )
    .await
    .context("deployment did not become Available")??;
    let web = deployments.get("web").await?;
    assert_eq!(
        web.status.and_then(|s| s.available_replicas),
        Some(2),
        "both replicas of the deployment are available"
    );

    // A Job runs to completion (kwok's pod-complete stage).
    let jobs: Api<Job> = Api::namespaced(client.clone(), &ns);
    apply(
        &jobs,
        "once",
        json!({
            "apiVersion": "batch/v1", "kind": "Job",
            "metadata": {"name": "once"},
            "spec": {
                "backoffLimit": 0,
                "template": {"spec": {
                    "restartPolicy": "Never",
                    "containers": [{"name": "once", "image": "busybox:1.36", "command": ["true"]}]
                }}
            }
        }),
    )
    .await?;
    tokio::time::timeout(
        WAIT,
        await_condition(jobs.clone(), "once", conditions::is_job_completed()),
    )
    .await
    .context("job did not complete")??;
    let job = jobs.get("once").await?;
    assert_eq!(job.status.and_then(|s| s.succeeded), Some(1));

    // A StatefulSet's claim binds to a volume of the pool and its pod is Ready.
    let statefulsets: Api<StatefulSet> = Api::namespaced(client.clone(), &ns);
    apply(
        &statefulsets,
        "db",
        json!({
            "apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": {"name": "db"},
            "spec": {
                "serviceName": "db",
                "replicas": 1,
                "selector": {"matchLabels": labels("db")},
                "template": {
                    "metadata": {"labels": labels("db")},
                    "spec": {"containers": [{
                        "name": "db", "image": "postgres:16",
                        "volumeMounts": [{"name": "data", "mountPath": "/var/lib/postgresql/data"}]
                    }]}
                },
                "volumeClaimTemplates": [{
                    "metadata": {"name": "data"},
                    "spec": {
                        "accessModes": ["ReadWriteOnce"],
                        "resources": {"requests": {"storage": "3Gi"}}
                    }
                }]
            }
        }),
    )
    .await?;
    let claims: Api<PersistentVolumeClaim> = Api::namespaced(client.clone(), &ns);
    tokio::time::timeout(
        WAIT,
        await_condition(
            claims.clone(),
            "data-db-0",
            |claim: Option<&PersistentVolumeClaim>| {
                claim
                    .and_then(|c| c.status.as_ref())
                    .and_then(|s| s.phase.as_deref())
                    == Some("Bound")
            },
        ),
    )
    .await
    .context("the StatefulSet's claim did not bind")??;
    let claim = claims.get("data-db-0").await?;
    let volume = claim
        .spec
        .as_ref()
        .and_then(|s| s.volume_name.clone())
        .context("bound claim without a volume")?;
    assert!(
        volume.starts_with("pool-5gi-rwo-"),
        "a 3Gi ReadWriteOnce claim binds the smallest fitting volume of the pool, got {volume}"
    );
    let pods: Api<Pod> = Api::namespaced(client.clone(), &ns);
    tokio::time::timeout(WAIT, await_condition(pods.clone(), "db-0", is_pod_ready))
        .await
        .context("the StatefulSet's pod did not become Ready")??;

    // Everything goes away with the namespace.
    delete_namespace(&client, &ns).await?;
    let left = deployments.list(&Default::default()).await;
    match left {
        Ok(list) if list.items.is_empty() => {}
        Ok(list) => bail!("{} deployments left after deletion", list.items.len()),
        // Listing in a deleted namespace returns an empty list; an error here is real.
        Err(e) => return Err(e.into()),
    }
    Ok(())
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn released_volumes_become_available_again() -> Result<()> {
    let client = client().await?;
    let ns = unique_namespace("reclaim");
    create_namespace(&client, &ns).await?;
    let claims: Api<PersistentVolumeClaim> = Api::namespaced(client.clone(), &ns);
    apply(
        &claims,
        "shared",
        json!({
            "apiVersion": "v1", "kind": "PersistentVolumeClaim",
            "metadata": {"name": "shared"},
            "spec": {
                "accessModes": ["ReadWriteMany"],
                "resources": {"requests": {"storage": "40Gi"}}
            }
        }),
    )
    .await?;
    tokio::time::timeout(
        WAIT,
        await_condition(
            claims.clone(),
            "shared",
            |claim: Option<&PersistentVolumeClaim>| {
                claim
                    .and_then(|c| c.spec.as_ref())
                    .and_then(|s| s.volume_name.as_ref())
                    .is_some()
                    && claim
                        .and_then(|c| c.status.as_ref())
                        .and_then(|s| s.phase.as_deref())
                        == Some("Bound")
            },
        ),
    )
    .await
    .context("the claim did not bind")??;
    let volume_name = claims
        .get("shared")
        .await?
        .spec
        .and_then(|s| s.volume_name)
        .context("bound claim without a volume")?;
    assert!(
        volume_name.starts_with("pool-50gi-rwm-"),
        "got {volume_name}"
    );

    delete_namespace(&client, &ns).await?;
    let volumes: Api<k8s_openapi::api::core::v1::PersistentVolume> = Api::all(client.clone());
    tokio::time::timeout(
        WAIT,
        await_condition(
            volumes,
            &volume_name,
            |pv: Option<&k8s_openapi::api::core::v1::PersistentVolume>| {
                pv.and_then(|v| v.status.as_ref())
                    .and_then(|s| s.phase.as_deref())
                    == Some("Available")
            },
        ),
    )
    .await
    .context("the released volume did not become Available again")??;
    Ok(())
}
