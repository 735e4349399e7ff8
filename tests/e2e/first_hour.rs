//! What a new user meets in the first hour, through the `polyaxon` binary:
//! preflight names what the cluster lacks before anything is applied;
//! `status` lists the releases; a running operation is named by the commands
//! it blocks; pending and failed revisions say why.

use std::process::Output;

use anyhow::{Context, Result};
use k8s_openapi::api::apps::v1::Deployment;
use kube::api::Api;
use polyaxon_core::release::{ClusterStore, ReleaseLock, ReleaseStore};
use polyaxon_e2e::cli::{deploy_waiting_for_workloads, run, run_ok};
use polyaxon_e2e::{
    client, delete_namespace, ensure_namespace, quota_usage_filled_in, unique_namespace, user_claim,
};
use serde_json::Value;

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
    quota_usage_filled_in(&client, &ns, "small").await?;
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

/// Writes a record of release `release` as helm stores it (a Secret of type
/// `helm.sh/release.v1`; plain JSON under the base64, which helm 3 reads
/// too): a release the Python CLI installed.
async fn helm_record(client: &kube::Client, ns: &str, release: &str) -> Result<()> {
    use k8s_openapi::ByteString;
    use k8s_openapi::api::core::v1::Secret;
    use kube::api::{ObjectMeta, PostParams};
    let json = serde_json::json!({
        "name": release, "namespace": ns, "version": 2,
        "info": {"status": "deployed", "last_deployed": "2026-11-30T10:00:00Z", "description": "Upgrade complete"},
        "chart": {"metadata": {"name": "agent", "version": "2.11.1", "appVersion": "2.11.1"}},
        "config": {}, "manifest": ""
    });
    let encoded = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD
            .encode(serde_json::to_vec(&json)?)
            .into_bytes()
    };
    let secret = Secret {
        metadata: ObjectMeta {
            name: Some(format!("sh.helm.release.v1.{release}.v2")),
            labels: Some(
                [
                    ("owner", "helm"),
                    ("name", release),
                    ("status", "deployed"),
                    ("version", "2"),
                ]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ),
            ..ObjectMeta::default()
        },
        type_: Some("helm.sh/release.v1".into()),
        data: Some([("release".to_string(), ByteString(encoded))].into()),
        ..Secret::default()
    };
    Api::<Secret>::namespaced(client.clone(), ns)
        .create(&PostParams::default(), &secret)
        .await?;
    Ok(())
}

/// The cell of a table `line` under `header` (the header line's column):
/// what starts there, up to the next two spaces.
fn cell<'a>(header_line: &str, line: &'a str, header: &str) -> Option<&'a str> {
    let start = header_line.find(header)?;
    line.get(start..)?.split("  ").next()
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn status_without_a_release_lists_the_releases_as_a_table_yaml_and_json() -> Result<()> {
    let client = client().await?;
    let ns = unique_namespace("listing");
    user_claim(&client, &ns, "polyaxon-artifacts").await?;
    run_ok(&["deploy", "-f", "examples/agent.yml", "-n", &ns])?;
    helm_record(&client, &ns, "legacy").await?;

    // A table: header and one aligned line per release, helm's marked.
    let table = run_ok(&["status", "-n", &ns])?;
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 3, "{table}");
    assert!(
        lines[0].starts_with("NAME ") && lines[0].contains("CHART") && lines[0].ends_with("NOTE"),
        "{table}"
    );
    let agent = lines
        .iter()
        .find(|l| l.starts_with("agent "))
        .context("no agent line")?;
    let legacy = lines
        .iter()
        .find(|l| l.starts_with("legacy "))
        .context("no legacy line")?;
    for (header, value, line) in [
        ("STATUS", "deployed", agent),
        ("VERSION", "2.18.0", agent),
        ("REVISION", "1", agent),
        ("VERSION", "2.11.1", legacy),
        ("NOTE", "installed by helm, not taken over", legacy),
    ] {
        assert!(
            cell(lines[0], line, header).is_some_and(|c| c.starts_with(value)),
            "{value} is not under {header}:\n{table}"
        );
    }

    // JSON and YAML: the same records, every field, the same every time.
    let json = run_ok(&["status", "-n", &ns, "-o", "json"])?;
    assert_eq!(json, run_ok(&["status", "-n", &ns, "-o", "json"])?);
    let listed: Value = serde_json::from_str(&json)?;
    let yaml: Value = serde_yaml::from_str(&run_ok(&["status", "-n", &ns, "-o", "yaml"])?)?;
    assert_eq!(listed, yaml);
    let releases = listed.as_array().context("a JSON list")?;
    assert_eq!(releases.len(), 2, "{json}");
    let by_name = |name: &str| releases.iter().find(|r| r["release"] == name).cloned();
    let agent = by_name("agent").context("agent listed")?;
    assert_eq!(
        (
            agent["namespace"].as_str(),
            agent["chart"].as_str(),
            agent["status"].as_str()
        ),
        (Some(ns.as_str()), Some("agent"), Some("deployed"))
    );
    assert_eq!(agent["managedBy"], "polyaxon");
    assert!(
        agent["running"].is_null() && agent["reason"].is_null(),
        "{agent}"
    );
    let legacy = by_name("legacy").context("legacy listed")?;
    assert_eq!(legacy["managedBy"], "helm");
    assert_eq!(legacy["revision"], 2);

    // -A: every namespace, with a NAMESPACE column.
    let everywhere: Value = serde_json::from_str(&run_ok(&["status", "-A", "-o", "json"])?)?;
    let ours = everywhere
        .as_array()
        .context("a JSON list")?
        .iter()
        .filter(|r| r["namespace"] == ns.as_str())
        .count();
    assert_eq!(ours, 2, "{everywhere}");
    let table = run_ok(&["status", "-A"])?;
    assert!(table.starts_with("NAMESPACE  "), "{table}");
    assert!(
        table
            .lines()
            .any(|l| l.starts_with(&format!("{ns}  ")) && l.contains(" agent ")),
        "{table}"
    );

    // A namespace without releases: nothing on stdout, a word on stderr.
    let empty = unique_namespace("listing-empty");
    ensure_namespace(&client, &empty).await?;
    let nothing = run(&["status", "-n", &empty])?;
    assert!(nothing.status.success(), "{}", stderr(&nothing));
    assert_eq!(stdout(&nothing), "");
    assert!(
        stderr(&nothing).contains(&format!("no releases in namespace {empty}")),
        "{}",
        stderr(&nothing)
    );
    assert_eq!(
        run_ok(&["status", "-n", &empty, "-o", "json"])?.trim(),
        "[]"
    );

    run_ok(&["teardown", "-r", "agent", "-n", &ns, "--yes", "--no-hooks"])?;
    delete_namespace(&client, &ns).await;
    delete_namespace(&client, &empty).await;
    Ok(())
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn a_running_deploy_is_named_by_upgrade_teardown_status_and_history() -> Result<()> {
    let client = client().await?;

    // Before its first record is written, a deploy holds only the lock:
    // upgrade names it instead of saying "not deployed".
    let early = unique_namespace("running-early");
    ensure_namespace(&client, &early).await?;
    let lock = ReleaseLock::acquire(client.clone(), &early, "agent", "deploy").await?;
    let me = std::process::id();
    for args in [
        &["upgrade", "-f", "examples/agent.yml", "-n", &early][..],
        &["teardown", "-r", "agent", "-n", &early, "--yes"][..],
    ] {
        let refused = run(args)?;
        let said = stderr(&refused);
        assert_eq!(refused.status.code(), Some(1), "polyaxon {args:?}: {said}");
        assert!(
            said.contains("release agent is locked by polyaxon deploy by ")
                && said.contains(&format!(" (pid {me}) since "))
                && !said.contains("not deployed"),
            "polyaxon {args:?}: {said}"
        );
    }
    lock.release().await?;

    // A deploy waiting for its workloads: revision 1 is pending.
    let ns = unique_namespace("running");
    let mut child = deploy_waiting_for_workloads(&client, &ns).await?;
    let pid = child.id();
    let holder = "polyaxon deploy by ";
    let by_pid = format!(" (pid {pid}) since ");
    for args in [
        &["upgrade", "-f", "examples/agent.yml", "-n", &ns][..],
        &["teardown", "-r", "agent", "-n", &ns, "--yes"][..],
    ] {
        let refused = run(args)?;
        let said = stderr(&refused);
        assert_eq!(refused.status.code(), Some(1), "polyaxon {args:?}: {said}");
        assert!(
            said.contains(&format!("release agent is locked by {holder}"))
                && said.contains(&by_pid)
                && said.contains("another operation is running on it"),
            "polyaxon {args:?}: {said}"
        );
        assert!(said.contains("hint: wait for it to finish"), "{said}");
    }
    // status, its listing and history say who runs the pending revision.
    let status = run_ok(&["status", "-r", "agent", "-n", &ns])?;
    assert!(
        status.contains("status:    pending")
            && status.contains(&format!("note:      in progress: {holder}"))
            && status.contains(&by_pid),
        "{status}"
    );
    let json: Value = serde_json::from_str(&run_ok(&[
        "status", "-r", "agent", "-n", &ns, "-o", "json",
    ])?)?;
    assert_eq!(json["running"]["pid"], pid);
    assert_eq!(json["running"]["operation"], "deploy");
    let listing = run_ok(&["status", "-n", &ns])?;
    assert!(
        listing
            .lines()
            .any(|l| l.starts_with("agent ") && l.contains(" pending ") && l.contains(&by_pid)),
        "{listing}"
    );
    let history = run_ok(&["history", "-r", "agent", "-n", &ns])?;
    assert!(
        history.contains("in progress: polyaxon deploy by ") && history.contains(&by_pid),
        "{history}"
    );

    // Killed, it is interrupted: said so with its pid.
    child.kill()?;
    child.wait()?;
    let listing = run_ok(&["status", "-n", &ns])?;
    assert!(
        listing.contains("interrupted (pending since ")
            && listing.contains(&format!("by pid {pid} on ")),
        "{listing}"
    );
    run_ok(&["teardown", "-r", "agent", "-n", &ns, "--yes", "--no-hooks"])?;
    delete_namespace(&client, &ns).await;
    delete_namespace(&client, &early).await;
    Ok(())
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn a_failed_deploy_records_why_and_status_and_history_say_it() -> Result<()> {
    let client = client().await?;
    let ns = unique_namespace("failed-why");
    user_claim(&client, &ns, "polyaxon-artifacts").await?;
    // The gateway asks for more CPU than the node has: its pod stays Pending
    // and the deploy times out.
    let failed = run(&[
        "deploy",
        "-f",
        "examples/agent.yml",
        "-n",
        &ns,
        "--set",
        "gateway.resources.requests.cpu=1000,gateway.resources.limits.cpu=1000",
        "--timeout",
        "5s",
    ])?;
    assert_eq!(failed.status.code(), Some(1), "{}", stderr(&failed));

    let status = run_ok(&["status", "-r", "agent", "-n", &ns])?;
    assert!(status.contains("status:    failed"), "{status}");
    assert!(
        status.contains("note:      timed out after 5s waiting for "),
        "{status}"
    );
    let reason_block = status
        .split("reason:\n")
        .nth(1)
        .context(format!("no reason block:\n{status}"))?;
    assert!(reason_block.starts_with("  timed out after 5s"), "{status}");
    assert!(
        reason_block.lines().count() > 1,
        "the whole reason, not one line: {status}"
    );

    let json: Value = serde_json::from_str(&run_ok(&[
        "status", "-r", "agent", "-n", &ns, "-o", "json",
    ])?)?;
    let reason = json["reason"]
        .as_str()
        .context("reason in JSON")?
        .to_string();
    assert!(reason.contains("agent-polyaxon-streams"), "{reason}");
    // Value-free: none of the release's generated secrets is in it.
    let record = ClusterStore::new(client.clone(), &ns, "agent")
        .latest()
        .await?
        .context("the failed record")?;
    assert_eq!(record.reason.as_deref(), Some(reason.as_str()));
    for secret in record.state.values() {
        assert!(
            !reason.contains(secret),
            "a generated value is in the reason"
        );
    }

    let history = run_ok(&["history", "-r", "agent", "-n", &ns])?;
    assert!(
        history.lines().any(|l| l.starts_with("1 ")
            && l.contains(" failed ")
            && l.contains("timed out after 5s")),
        "{history}"
    );
    let listing = run_ok(&["status", "-n", &ns])?;
    assert!(
        listing.contains(" failed ") && listing.contains("timed out after 5s"),
        "{listing}"
    );

    run_ok(&["teardown", "-r", "agent", "-n", &ns, "--yes", "--no-hooks"])?;
    delete_namespace(&client, &ns).await;
    Ok(())
}
