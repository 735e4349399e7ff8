//! What a new user meets in the first hour, through the `polyaxon` binary:
//! preflight names what the cluster lacks before anything is applied.

use std::process::Output;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use k8s_openapi::api::apps::v1::Deployment;
use kube::api::Api;
use polyaxon_e2e::cli::run;
use polyaxon_e2e::{client, delete_namespace, unique_namespace};

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn preflight_names_what_the_cluster_lacks_before_anything_is_applied() -> Result<()> {
    use k8s_openapi::api::core::v1::{Namespace, ResourceQuota};
    use kube::api::{Patch, PatchParams};

    let client = client().await?;
    let ns = unique_namespace("preflight");
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let params = PatchParams::apply("polyaxon-e2e").force();
    namespaces
        .patch(&ns, &params, &Patch::Apply(serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})))
        .await?;
    // Room for one pod; the agent runs three.
    Api::<ResourceQuota>::namespaced(client.clone(), &ns)
        .patch(
            "small",
            &params,
            &Patch::Apply(serde_json::json!({"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "small"}, "spec": {"hard": {"pods": "1"}}})),
        )
        .await?;
    let quotas: Api<ResourceQuota> = Api::namespaced(client.clone(), &ns);
    let started = Instant::now();
    while quotas
        .get("small")
        .await?
        .status
        .and_then(|s| s.used)
        .is_none()
    {
        if started.elapsed() > Duration::from_secs(60) {
            bail!("the quota controller never filled in the quota's usage");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let lacking = [
        "-f",
        "examples/agent.yml",
        "-n",
        &ns,
        "--set",
        "agentSecret=agent-token,nodeSelector.gpu=a100",
    ];

    for verb in [&["deploy"][..], &["deploy", "--check"][..]] {
        let args: Vec<&str> = verb.iter().chain(lacking.iter()).copied().collect();
        let refused = run(&args)?;
        let text = stderr(&refused);
        assert_eq!(
            refused.status.code(),
            Some(1),
            "polyaxon {args:?}: {text}{}",
            stdout(&refused)
        );
        for expected in [
            "the cluster lacks what release agent needs in namespace",
            "PersistentVolumeClaim polyaxon-artifacts does not exist (needed by Deployment/",
            &format!("create it: kubectl apply -n {ns} -f -"),
            "Secret agent-token does not exist",
            &format!("kubectl create secret generic agent-token -n {ns}"),
            "cannot be scheduled: no node has the labels of its nodeSelector (gpu=a100)",
            "ResourceQuota small leaves no room: pods is 0 of 1, the release adds",
        ] {
            assert!(
                text.contains(expected),
                "polyaxon {args:?} does not say {expected:?}:\n{text}"
            );
        }
    }
    // Nothing was applied: no workloads, no release records.
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), &ns);
    assert!(
        deployments
            .list(&Default::default())
            .await?
            .items
            .is_empty()
    );
    let status = run(&["status", "-r", "agent", "-n", &ns])?;
    assert!(
        stderr(&status).contains("release agent is not deployed"),
        "{}",
        stderr(&status)
    );
    delete_namespace(&client, &ns).await;
    Ok(())
}
