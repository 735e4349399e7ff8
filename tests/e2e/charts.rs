//! The three charts deployed for real on the local cluster from the repo's
//! examples, through the same path as `polyaxon deploy`/`teardown`: config
//! loading and pinning, rendering, staged server-side apply, waits, hooks.

use std::time::Duration;

use anyhow::{Context, Result, bail};
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::core::v1::PersistentVolumeClaim;
use kube::api::{Api, ListParams};
use kube::{Client, ResourceExt};
use polyaxon_core::apply::DeleteOptions;
use polyaxon_core::event::{Event, Reporter};
use polyaxon_core::ops::{self, TeardownOptions};
use polyaxon_core::release::ReleaseRef;
use polyaxon_core::render::Hook;
use polyaxon_core::render::labels::release_selector;
use polyaxon_e2e::{client, delete_namespace, recorder, unique_namespace, user_claim};

/// Loads an example into `namespace` and deploys it as `polyaxon deploy` does.
async fn deploy_example(
    client: &Client,
    file: &str,
    namespace: &str,
    set: &[&str],
    reporter: &Reporter,
) -> Result<ReleaseRef> {
    polyaxon_e2e::deploy_example(client, file, namespace, None, set, reporter).await
}

async fn teardown(
    client: &Client,
    target: &ReleaseRef,
    hooks: bool,
    keep_volumes: bool,
    reporter: &Reporter,
) -> Result<()> {
    let op = TeardownOptions {
        target: target.clone(),
        hooks,
        delete: DeleteOptions {
            keep_volumes,
            timeout: Duration::from_secs(120),
        },
        delete_runs: false,
    };
    ops::teardown(client, &op, reporter).await?;
    Ok(())
}

/// Every Deployment and StatefulSet of the release, with its ready count.
async fn workloads(client: &Client, target: &ReleaseRef) -> Result<Vec<(String, i32, i32)>> {
    let params = ListParams::default().labels(&release_selector(&target.release));
    let mut out = Vec::new();
    for d in Api::<Deployment>::namespaced(client.clone(), &target.namespace)
        .list(&params)
        .await?
    {
        let want = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
        let have = d
            .status
            .as_ref()
            .and_then(|s| s.available_replicas)
            .unwrap_or(0);
        out.push((format!("Deployment/{}", d.name_any()), have, want));
    }
    for s in Api::<StatefulSet>::namespaced(client.clone(), &target.namespace)
        .list(&params)
        .await?
    {
        let want = s.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
        let have = s
            .status
            .as_ref()
            .and_then(|s| s.ready_replicas)
            .unwrap_or(0);
        out.push((format!("StatefulSet/{}", s.name_any()), have, want));
    }
    Ok(out)
}

/// What still carries the release's labels, over the kinds a chart makes.
async fn labelled_left(client: &Client, target: &ReleaseRef) -> Result<Vec<String>> {
    use k8s_openapi::api::{batch::v1 as batch, core::v1 as core, rbac::v1 as rbac};
    let params = ListParams::default().labels(&release_selector(&target.release));
    let ns = &target.namespace;
    let mut left = Vec::new();
    macro_rules! collect {
        ($kind:ty, $api:expr) => {
            for o in $api.list(&params).await? {
                left.push(format!("{}/{}", stringify!($kind), o.name_any()));
            }
        };
    }
    collect!(
        Deployment,
        Api::<Deployment>::namespaced(client.clone(), ns)
    );
    collect!(
        StatefulSet,
        Api::<StatefulSet>::namespaced(client.clone(), ns)
    );
    collect!(Job, Api::<batch::Job>::namespaced(client.clone(), ns));
    collect!(Pod, Api::<core::Pod>::namespaced(client.clone(), ns));
    collect!(
        Service,
        Api::<core::Service>::namespaced(client.clone(), ns)
    );
    collect!(
        ConfigMap,
        Api::<core::ConfigMap>::namespaced(client.clone(), ns)
    );
    collect!(Secret, Api::<core::Secret>::namespaced(client.clone(), ns));
    collect!(
        ServiceAccount,
        Api::<core::ServiceAccount>::namespaced(client.clone(), ns)
    );
    collect!(Role, Api::<rbac::Role>::namespaced(client.clone(), ns));
    collect!(
        RoleBinding,
        Api::<rbac::RoleBinding>::namespaced(client.clone(), ns)
    );
    collect!(ClusterRole, Api::<rbac::ClusterRole>::all(client.clone()));
    collect!(
        ClusterRoleBinding,
        Api::<rbac::ClusterRoleBinding>::all(client.clone())
    );
    Ok(left)
}

fn position(events: &[Event], wanted: impl Fn(&Event) -> bool) -> Option<usize> {
    events.iter().position(wanted)
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn agent_deploys_every_deployment_available_and_tears_down_after_its_clean_up_hook()
-> Result<()> {
    let client = client().await?;
    let ns = unique_namespace("agent");
    user_claim(&client, &ns, "polyaxon-artifacts").await?;
    let silent = polyaxon_core::event::silent();
    // The newest published chart (the example itself pins a newer release,
    // which renders with these templates too).
    let target = deploy_example(
        &client,
        "agent.yml",
        &ns,
        &["deploymentVersion=2.15.1"],
        &silent,
    )
    .await?;

    let workloads = workloads(&client, &target).await?;
    assert!(
        workloads.len() >= 3,
        "gateway, agent and operator at least: {workloads:?}"
    );
    for (id, have, want) in &workloads {
        assert_eq!(have, want, "{id} is available");
    }

    let (reporter, events) = recorder();
    teardown(&client, &target, true, true, &reporter).await?;
    let events = events.lock().unwrap().clone();
    let hook = position(&events, |e| {
        matches!(
            e,
            Event::HookFinished {
                hook: Hook::PreDelete,
                succeeded: true,
                ..
            }
        )
    })
    .context("the agent's clean-up hook did not run")?;
    let deleted =
        position(&events, |e| matches!(e, Event::Deleted(_))).context("nothing deleted")?;
    assert!(hook < deleted, "the clean-up hook runs first");
    assert_eq!(labelled_left(&client, &target).await?, Vec::<String>::new());
    let claims: Api<PersistentVolumeClaim> = Api::namespaced(client.clone(), &ns);
    assert!(
        claims.get_opt("polyaxon-artifacts").await?.is_some(),
        "the user's claim is not the release's"
    );
    delete_namespace(&client, &ns).await;
    Ok(())
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn platform_with_in_cluster_postgresql_redis_and_rabbitmq_deploys_and_tears_down()
-> Result<()> {
    let client = client().await?;
    let ns = unique_namespace("platform");
    let silent = polyaxon_core::event::silent();
    let target = deploy_example(
        &client,
        "platform.yml",
        &ns,
        &[
            "deploymentVersion=2.15.1",
            "redis.enabled=true,redis.nonBroker=true,rabbitmq.enabled=true,broker=rabbitmq",
        ],
        &silent,
    )
    .await?;

    let workloads = workloads(&client, &target).await?;
    let names: Vec<&str> = workloads.iter().map(|(id, _, _)| id.as_str()).collect();
    assert!(
        names
            .iter()
            .any(|n| n.starts_with("StatefulSet/") && n.contains("postgres")),
        "{names:?}"
    );
    assert!(names.iter().any(|n| n.contains("redis")), "{names:?}");
    assert!(
        names
            .iter()
            .any(|n| n.starts_with("StatefulSet/") && n.contains("rabbitmq")),
        "{names:?}"
    );
    for (id, have, want) in &workloads {
        assert_eq!(have, want, "{id} is ready");
    }
    let claims: Api<PersistentVolumeClaim> = Api::namespaced(client.clone(), &ns);
    let bound: Vec<String> = claims
        .list(&ListParams::default())
        .await?
        .items
        .iter()
        .filter(|c| c.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Bound"))
        .map(|c| c.name_any())
        .collect();
    assert!(!bound.is_empty(), "PostgreSQL's claim is bound");

    teardown(&client, &target, true, false, &silent).await?;
    assert_eq!(labelled_left(&client, &target).await?, Vec::<String>::new());
    let left = claims
        .list(&ListParams::default().labels(&release_selector(&target.release)))
        .await?;
    assert!(
        left.items.is_empty(),
        "--delete-volumes removes the release's claims"
    );
    delete_namespace(&client, &ns).await;
    Ok(())
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn ponos_deploys_one_recreated_agent_and_tears_down() -> Result<()> {
    let client = client().await?;
    let ns = unique_namespace("ponos");
    user_claim(&client, &ns, "my-ca-bundle").await?;
    let silent = polyaxon_core::event::silent();
    let target = deploy_example(
        &client,
        "ponos.yml",
        &ns,
        &["ponos.kubernetes.storage_class=standard,ponos.kubernetes.storage_size=5Gi"],
        &silent,
    )
    .await?;
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), &ns);
    let list = deployments
        .list(&ListParams::default().labels(&release_selector(&target.release)))
        .await?;
    let [agent] = list.items.as_slice() else {
        bail!(
            "one ponos agent Deployment expected, got {}",
            list.items.len()
        );
    };
    let spec = agent.spec.clone().context("no spec")?;
    assert_eq!(spec.replicas, Some(1));
    assert_eq!(
        spec.strategy.and_then(|s| s.type_).as_deref(),
        Some("Recreate")
    );
    assert_eq!(
        agent.status.as_ref().and_then(|s| s.available_replicas),
        Some(1)
    );

    teardown(&client, &target, true, true, &silent).await?;
    assert_eq!(labelled_left(&client, &target).await?, Vec::<String>::new());
    delete_namespace(&client, &ns).await;
    Ok(())
}
