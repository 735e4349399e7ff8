//! The lifecycle through the `polyaxon` binary, as a user runs it: history,
//! status and rollback from the release records, and Ctrl-C during a deploy
//! leaving the revision failed (not pending) and the lock released.

use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::coordination::v1::Lease;
use kube::Client;
use kube::api::Api;
use polyaxon_e2e::cli::{deploy_waiting_for_workloads, run, run_ok};
use polyaxon_e2e::{client, delete_namespace, unique_namespace, user_claim};
use serde_json::Value;

async fn gateway_replicas(client: &Client, ns: &str) -> Result<Option<i32>> {
    let gateway: Deployment = Api::namespaced(client.clone(), ns)
        .get("agent-polyaxon-streams")
        .await?;
    Ok(gateway.spec.and_then(|s| s.replicas))
}

fn statuses(history: &Value) -> Vec<(u64, String)> {
    history
        .as_array()
        .map(|revisions| {
            revisions
                .iter()
                .map(|r| {
                    (
                        r["revision"].as_u64().unwrap_or(0),
                        r["status"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn history_status_and_rollback_through_the_binary() -> Result<()> {
    let client = client().await?;
    let ns = unique_namespace("rollback");
    user_claim(&client, &ns, "polyaxon-artifacts").await?;
    let agent = "examples/agent.yml";
    run_ok(&["deploy", "-f", agent, "-n", &ns])?;
    run_ok(&[
        "upgrade",
        "-f",
        agent,
        "-n",
        &ns,
        "--set",
        "gateway.replicas=2",
    ])?;
    assert_eq!(gateway_replicas(&client, &ns).await?, Some(2));

    run_ok(&["rollback", "-r", "agent", "-n", &ns])?;
    assert_eq!(
        gateway_replicas(&client, &ns).await?,
        Some(1),
        "rolled back to revision 1's gateway"
    );
    let history: Value = serde_json::from_str(&run_ok(&[
        "history", "-r", "agent", "-n", &ns, "-o", "json",
    ])?)?;
    assert_eq!(
        statuses(&history),
        vec![
            (1, "superseded".to_string()),
            (2, "superseded".to_string()),
            (3, "deployed".to_string())
        ]
    );
    assert_eq!(history[2]["description"], "rolled back to revision 1");
    let status: Value = serde_json::from_str(&run_ok(&[
        "status", "-r", "agent", "-n", &ns, "-o", "json",
    ])?)?;
    assert_eq!(status["revision"], 3);
    assert_eq!(status["version"], "2.18.0");
    let gateway = status["workloads"]
        .as_array()
        .and_then(|w| {
            w.iter()
                .find(|w| w["workload"] == "Deployment/agent-polyaxon-streams")
        })
        .context("status lists the gateway's state")?;
    assert_eq!(
        (gateway["ready"].as_i64(), gateway["desired"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(gateway["done"], true);
    let shown = status.to_string();
    assert!(
        !shown.contains("REPLACE-WITH-THE-AGENT-TOKEN"),
        "status never shows the config's secrets"
    );

    // Rolling back to a revision that does not exist says which exist.
    let missing = run(&["rollback", "7", "-r", "agent", "-n", &ns])?;
    assert_eq!(missing.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(
        stderr.contains("has no revision 7") && stderr.contains("1, 2, 3"),
        "{stderr}"
    );

    run_ok(&["teardown", "-r", "agent", "-n", &ns, "--yes"])?;
    let gone = run(&["status", "-r", "agent", "-n", &ns])?;
    assert_eq!(
        gone.status.code(),
        Some(1),
        "no release left after teardown"
    );
    delete_namespace(&client, &ns).await;
    Ok(())
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn ctrl_c_during_a_deploy_marks_it_failed_and_releases_the_lock() -> Result<()> {
    let client = client().await?;
    let ns = unique_namespace("interrupt");
    // The gateway's pod stays Pending and deploy waits.
    let child = deploy_waiting_for_workloads(&client, &ns).await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()?;
    assert!(status.success());
    let output = child.wait_with_output()?;
    assert_eq!(
        output.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let history: Value = serde_json::from_str(&run_ok(&[
        "history", "-r", "agent", "-n", &ns, "-o", "json",
    ])?)?;
    assert_eq!(statuses(&history), vec![(1, "failed".to_string())]);
    assert!(
        history[0]["description"]
            .as_str()
            .unwrap_or("")
            .contains("interrupted"),
        "{history}"
    );
    let leases: Api<Lease> = Api::namespaced(client.clone(), &ns);
    assert!(
        leases.get_opt("polyaxon.lock.agent").await?.is_none(),
        "the lock is released"
    );

    // The next deploy is not blocked by the interrupted one.
    user_claim(&client, &ns, "polyaxon-artifacts").await?;
    run_ok(&["deploy", "-f", "examples/agent.yml", "-n", &ns])?;
    run_ok(&["teardown", "-r", "agent", "-n", &ns, "--yes", "--no-hooks"])?;
    delete_namespace(&client, &ns).await;
    Ok(())
}
