//! Release records that cannot wedge a release, through the binary: a
//! killed deploy's lock is taken over at once and its `pending` revision
//! reported as interrupted and failed by the next command; damaged records
//! (a gzip bomb, bytes that are not gzip) are skipped with a warning naming
//! them; and with no readable record at all, teardown still works from the
//! release's labels.

use std::io::Write;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use flate2::Compression;
use flate2::write::GzEncoder;
use k8s_openapi::ByteString;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Secret;
use kube::Client;
use kube::api::{Api, ListParams, PostParams};
use polyaxon_core::release::{ClusterStore, RELEASE_LABEL, REVISION_LABEL};
use polyaxon_e2e::cli::{deploy_waiting_for_workloads, run, run_ok, stderr};
use polyaxon_e2e::{client, delete_namespace, unique_namespace, user_claim};
use serde_json::Value;

fn statuses(history: &str) -> Result<Vec<(u64, String)>> {
    let history: Value = serde_json::from_str(history)?;
    Ok(history
        .as_array()
        .context("history -o json is a list")?
        .iter()
        .map(|r| {
            (
                r["revision"].as_u64().unwrap_or(0),
                r["status"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect())
}

/// 64 MiB of zeros, gzipped: about 64 KiB stored.
fn gzip_bomb() -> Result<Vec<u8>> {
    let mut gz = GzEncoder::new(Vec::new(), Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..64 {
        gz.write_all(&zeros)?;
    }
    Ok(gz.finish()?)
}

/// Writes record Secret `revision` of `release` holding `bytes` (created
/// from revision `from`'s Secret when it does not exist).
async fn write_record_bytes(
    client: &Client,
    ns: &str,
    release: &str,
    from: u32,
    revision: u32,
    bytes: Vec<u8>,
) -> Result<()> {
    let secrets: Api<Secret> = Api::namespaced(client.clone(), ns);
    let name = ClusterStore::secret_name(release, revision);
    let data = [("release".to_string(), ByteString(bytes))].into();
    match secrets.get_opt(&name).await? {
        Some(mut secret) => {
            secret.data = Some(data);
            secrets
                .replace(&name, &PostParams::default(), &secret)
                .await?;
        }
        None => {
            let mut secret = secrets
                .get(&ClusterStore::secret_name(release, from))
                .await?;
            secret.metadata.name = Some(name);
            secret.metadata.resource_version = None;
            secret.metadata.uid = None;
            if let Some(labels) = secret.metadata.labels.as_mut() {
                labels.insert(REVISION_LABEL.into(), revision.to_string());
            }
            secret.data = Some(data);
            secrets.create(&PostParams::default(), &secret).await?;
        }
    }
    Ok(())
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn a_killed_deploy_is_taken_over_at_once_and_reported_interrupted() -> Result<()> {
    let client = client().await?;
    let ns = unique_namespace("killed");
    // The gateway's pod stays Pending and deploy waits.
    let mut child = deploy_waiting_for_workloads(&client, &ns).await?;
    let killed_pid = child.id();
    child.kill()?; // SIGKILL: no chance to clean up
    child.wait()?;

    // `status` shows the revision interrupted, naming the dead process.
    let status = run(&["status", "-r", "agent", "-n", &ns])?;
    let said = stderr(&status) + &String::from_utf8_lossy(&status.stdout);
    assert!(
        said.contains("revision 1 was interrupted (pending since ")
            && said.contains(&format!("by pid {killed_pid} on ")),
        "{said}"
    );

    // The next deploy does not wait out the dead process's lock, reports the
    // interrupted revision, marks it failed and goes on.
    user_claim(&client, &ns, "polyaxon-artifacts").await?;
    let begun = Instant::now();
    let next = run(&["deploy", "-f", "examples/agent.yml", "-n", &ns])?;
    let said = stderr(&next);
    assert!(next.status.success(), "{said}");
    assert!(
        begun.elapsed() < Duration::from_secs(45),
        "the dead holder's lock was taken over at once ({:?})",
        begun.elapsed()
    );
    assert!(
        said.contains("revision 1 was interrupted (pending since ")
            && said.contains(&format!("by pid {killed_pid} on ")),
        "{said}"
    );
    let history = run_ok(&["history", "-r", "agent", "-n", &ns, "-o", "json"])?;
    assert_eq!(
        statuses(&history)?,
        [(1, "failed".to_string()), (2, "deployed".to_string())]
    );
    assert!(history.contains("interrupted (pending since "), "{history}");
    run_ok(&["teardown", "-r", "agent", "-n", &ns, "--yes", "--no-hooks"])?;
    delete_namespace(&client, &ns).await;
    Ok(())
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn unreadable_records_are_skipped_and_teardown_works_without_any() -> Result<()> {
    let client = client().await?;
    let ns = unique_namespace("damaged");
    user_claim(&client, &ns, "polyaxon-artifacts").await?;
    run_ok(&["deploy", "-f", "examples/agent.yml", "-n", &ns])?;
    write_record_bytes(&client, &ns, "agent", 1, 2, gzip_bomb()?).await?;
    write_record_bytes(&client, &ns, "agent", 1, 3, b"not gzip at all".to_vec()).await?;

    let status = run(&["status", "-r", "agent", "-n", &ns, "-o", "json"])?;
    let said = stderr(&status);
    assert!(status.status.success(), "{said}");
    let shown: Value = serde_json::from_slice(&status.stdout)?;
    assert_eq!(shown["revision"], 1, "the newest readable revision");
    assert!(
        said.contains("skipping the release record Secret polyaxon.release.agent.v2")
            && said.contains("inflates to more than")
            && said.contains("polyaxon.release.agent.v3"),
        "{said}"
    );

    // An upgrade goes on from the readable revision and numbers its own
    // after the unreadable ones.
    run_ok(&[
        "upgrade",
        "-f",
        "examples/agent.yml",
        "-n",
        &ns,
        "--set",
        "gateway.replicas=2",
    ])?;
    let history = run_ok(&["history", "-r", "agent", "-n", &ns, "-o", "json"])?;
    assert_eq!(
        statuses(&history)?,
        [(1, "superseded".to_string()), (4, "deployed".to_string())]
    );

    // Every record damaged: teardown still removes what the release owns.
    for revision in [1, 4] {
        write_record_bytes(&client, &ns, "agent", 1, revision, b"{}".to_vec()).await?;
    }
    let teardown = run(&["teardown", "-r", "agent", "-n", &ns, "--yes"])?;
    assert!(teardown.status.success(), "{}", stderr(&teardown));
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), &ns);
    let left = deployments.list(&ListParams::default()).await?;
    assert!(
        left.items.is_empty(),
        "teardown removed the release's workloads by their labels"
    );
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &ns);
    let records = secrets
        .list(&ListParams::default().labels(&format!("{RELEASE_LABEL}=agent")))
        .await?;
    assert!(
        records.items.is_empty(),
        "and its records, damaged ones too"
    );
    delete_namespace(&client, &ns).await;
    Ok(())
}
