//! Faults between the tool and the API server: deploy, upgrade and teardown
//! of the agent example through a proxy (`polyaxon_e2e::fault_proxy`) that
//! answers 429 and 503, drops connections, cuts answers short every few
//! requests and ends watches as expired. Each operation either completes or
//! fails saying why, in a sentence; run again without faults it converges,
//! and nothing is lost: the records of every revision, the release's
//! Secret, the user's claim. The tool's waits (a CRD Established, an object
//! gone) outlive watches that end: kube's own wait does not.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};
use k8s_openapi::ByteString;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::ConfigMap;
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Secret};
use kube::Client;
use kube::api::{Api, DeleteParams, ListParams, PostParams};
use kube::runtime::wait::conditions::is_deleted;
use polyaxon_e2e::cli::run_with;
use polyaxon_e2e::fault_proxy::{FaultProxy, Injected, Schedule};
use polyaxon_e2e::{
    client, delete_namespace, ensure_namespace, scratch_dir, unique_namespace, user_claim,
};
use serde_json::Value;

/// About one request in three meets a fault; a retried request is
/// numbered anew, so it meets the next fault only by the same odds. The
/// first watch of each operation expires, then every third (the first
/// watch of a first deploy is the wait for its CRDs, when they are not
/// Established at once).
const FAULTS: Schedule = Schedule {
    too_many: 7,
    unavailable: 11,
    dropped: 13,
    cut: 17,
    expired: 3,
};

/// What an error may say when the faults above made an operation fail.
const REASONS: [&str; 3] = [
    "the API server is overloaded",
    "the API server failed",
    "the connection to the API server failed",
];

/// What must never reach a user: kube's and Rust's own wording.
const RAW: [&str; 5] = [
    "Status {",
    "ApiError",
    "ServiceError",
    "HyperError",
    "Some(",
];

/// How one operation went under faults.
struct Outcome {
    op: &'static str,
    injected: Injected,
    /// `None` when it completed; else its exit code and error line.
    failed: Option<(Option<i32>, String)>,
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.failed {
            None => write!(f, "{}: {}; completed", self.op, self.injected),
            Some((code, error)) => write!(
                f,
                "{}: {}; failed (exit {code:?}: {error}), then completed without faults",
                self.op, self.injected
            ),
        }
    }
}

/// Runs `polyaxon <args>` through the proxy with faults. If it fails, its
/// error must name one of the faults' reasons in a sentence; then it runs
/// again without faults and must succeed.
fn under_faults(
    proxy: &FaultProxy,
    kubeconfig: &Path,
    op: &'static str,
    args: &[&str],
) -> Result<Outcome> {
    proxy.take_injected();
    proxy.set_schedule(FAULTS);
    let first = run_with(kubeconfig, args);
    proxy.set_schedule(Schedule::NONE);
    let first = first?;
    let injected = proxy.take_injected();
    assert!(
        injected.faults() > 0,
        "{op}: the proxy injected no fault ({injected})"
    );
    if first.status.success() {
        return Ok(Outcome {
            op,
            injected,
            failed: None,
        });
    }
    let stderr = String::from_utf8_lossy(&first.stderr).into_owned();
    for raw in RAW {
        assert!(
            !stderr.contains(raw),
            "{op} under faults printed {raw:?}:\n{stderr}"
        );
    }
    let error = stderr
        .lines()
        .find(|l| l.starts_with("error: "))
        .with_context(|| format!("{op} under faults failed without an error line:\n{stderr}"))?
        .to_string();
    assert!(
        REASONS.iter().any(|r| stderr.contains(r)),
        "{op} under faults failed for another reason than the faults:\n{stderr}"
    );
    let again = run_with(kubeconfig, args)?;
    if !again.status.success() {
        bail!(
            "{op} run again without faults failed: {}",
            String::from_utf8_lossy(&again.stderr)
        );
    }
    Ok(Outcome {
        op,
        injected,
        failed: Some((first.status.code(), error)),
    })
}

/// The release's records: revision → status, from their Secrets' labels.
async fn records(client: &Client, ns: &str) -> Result<BTreeMap<u32, String>> {
    let secrets: Api<Secret> = Api::namespaced(client.clone(), ns);
    let listed = secrets
        .list(&ListParams::default().labels("polyaxon.dev/release=agent"))
        .await?;
    let mut found = BTreeMap::new();
    for secret in listed.items {
        let labels = secret.metadata.labels.unwrap_or_default();
        let revision = labels
            .get("polyaxon.dev/revision")
            .and_then(|r| r.parse().ok())
            .context("a record without a revision label")?;
        let status = labels
            .get("polyaxon.dev/status")
            .cloned()
            .unwrap_or_default();
        found.insert(revision, status);
    }
    Ok(found)
}

/// Every revision from 1 to the newest has its record, the newest is
/// deployed, none is left pending; returns the newest.
fn converged(records: &BTreeMap<u32, String>, after: &str) -> u32 {
    let newest = records.keys().max().copied().unwrap_or(0);
    assert_eq!(
        records.keys().copied().collect::<Vec<_>>(),
        (1..=newest).collect::<Vec<_>>(),
        "after {after}: a revision's record is missing: {records:?}"
    );
    assert_eq!(
        records.get(&newest).map(String::as_str),
        Some("deployed"),
        "after {after}: {records:?}"
    );
    assert!(
        records.values().all(|s| s != "pending"),
        "after {after}: a revision is left pending: {records:?}"
    );
    newest
}

async fn agent_secret(client: &Client, ns: &str) -> Result<BTreeMap<String, ByteString>> {
    let secrets: Api<Secret> = Api::namespaced(client.clone(), ns);
    Ok(secrets
        .get("agent-polyaxon-agent-secret")
        .await?
        .data
        .unwrap_or_default())
}

async fn workloads(client: &Client, ns: &str) -> Result<BTreeMap<String, Option<i32>>> {
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), ns);
    Ok(deployments
        .list(&ListParams::default().labels("app.kubernetes.io/instance=agent"))
        .await?
        .items
        .into_iter()
        .map(|d| {
            (
                d.metadata.name.unwrap_or_default(),
                d.spec.and_then(|s| s.replicas),
            )
        })
        .collect())
}

// Multi-threaded: the proxy serves on the runtime's workers while the test
// waits for the binary on its own thread.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn deploy_upgrade_and_teardown_through_429s_503s_and_dropped_connections() -> Result<()> {
    let client = client().await?;
    let ns = unique_namespace("faults");
    user_claim(&client, &ns, "polyaxon-artifacts").await?;
    let claims: Api<PersistentVolumeClaim> = Api::namespaced(client.clone(), &ns);
    let claim_uid = claims.get("polyaxon-artifacts").await?.metadata.uid;
    let proxy = FaultProxy::start().await?;
    let kubeconfig = scratch_dir(&ns)?.join("kubeconfig");
    proxy.write_kubeconfig(&kubeconfig)?;
    // The proxy answers as the API server would, before any fault.
    let status = run_with(&kubeconfig, &["status", "-r", "agent", "-n", &ns])?;
    assert!(
        String::from_utf8_lossy(&status.stderr).contains("release agent is not deployed"),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let mut outcomes = Vec::new();

    let agent = "examples/agent.yml";
    outcomes.push(under_faults(
        &proxy,
        &kubeconfig,
        "deploy",
        &["deploy", "-f", agent, "-n", &ns, "--timeout", "3m"],
    )?);
    let deployed = converged(&records(&client, &ns).await?, "deploy");
    let secret = agent_secret(&client, &ns).await?;
    assert!(!secret.is_empty(), "the agent's Secret holds its token");
    let before = workloads(&client, &ns).await?;
    assert_eq!(
        before.get("agent-polyaxon-streams"),
        Some(&Some(1)),
        "{before:?}"
    );

    outcomes.push(under_faults(
        &proxy,
        &kubeconfig,
        "upgrade",
        &[
            "upgrade",
            "-f",
            agent,
            "-n",
            &ns,
            "--set",
            "gateway.replicas=2",
            "--timeout",
            "3m",
        ],
    )?);
    let upgraded = converged(&records(&client, &ns).await?, "upgrade");
    assert!(upgraded > deployed, "upgrade made a new revision");
    let after = workloads(&client, &ns).await?;
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>(),
        "the same workloads"
    );
    assert_eq!(after.get("agent-polyaxon-streams"), Some(&Some(2)));
    assert_eq!(
        agent_secret(&client, &ns).await?,
        secret,
        "the agent's Secret is intact"
    );
    let shown: Value = serde_json::from_slice(
        &run_with(
            &kubeconfig,
            &["status", "-r", "agent", "-n", &ns, "-o", "json"],
        )?
        .stdout,
    )?;
    assert_eq!(shown["revision"], upgraded, "{shown}");

    outcomes.push(under_faults(
        &proxy,
        &kubeconfig,
        "teardown",
        &["teardown", "-r", "agent", "-n", &ns, "--yes"],
    )?);
    assert!(
        records(&client, &ns).await?.is_empty(),
        "teardown deletes the records"
    );
    assert!(workloads(&client, &ns).await?.is_empty());
    assert_eq!(
        claims.get("polyaxon-artifacts").await?.metadata.uid,
        claim_uid,
        "the user's claim is kept"
    );

    for outcome in &outcomes {
        eprintln!("fault run: {outcome}");
    }
    delete_namespace(&client, &ns).await;
    Ok(())
}

/// A ConfigMap named `name` in `ns`; its uid.
async fn config_map(client: &Client, ns: &str, name: &str) -> Result<String> {
    let maps: Api<ConfigMap> = Api::namespaced(client.clone(), ns);
    let map: ConfigMap = serde_json::from_value(serde_json::json!({
        "metadata": {"name": name},
        "data": {"a": "b"},
    }))?;
    maps.create(&PostParams::default(), &map)
        .await?
        .metadata
        .uid
        .context("a created ConfigMap has a uid")
}

/// A wait for an object to go, through watches that end expired (the API
/// server's answer when the version a watch starts from is too old): kube's
/// own `await_condition` (what the CRD and recreate waits used) ends in an
/// error at the first one; the tool's lists again, watches on and sees the
/// object go.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn a_wait_for_an_object_outlives_watches_that_expire() -> Result<()> {
    let client = client().await?;
    let ns = unique_namespace("watch-expired");
    ensure_namespace(&client, &ns).await?;
    let kept = config_map(&client, &ns, "kept").await?;
    let deleted = config_map(&client, &ns, "deleted").await?;
    let proxy = FaultProxy::start().await?;
    let through = proxy.client(&scratch_dir(&ns)?.join("kubeconfig")).await?;
    let maps: Api<ConfigMap> = Api::namespaced(through, &ns);
    let expiring = Schedule {
        expired: 2,
        ..Schedule::NONE
    };

    // Nothing happens to "kept": kube's wait ends anyway, with an error.
    proxy.set_schedule(expiring);
    let kube_wait = kube::runtime::wait::await_condition(maps.clone(), "kept", is_deleted(&kept));
    let ended = tokio::time::timeout(std::time::Duration::from_secs(20), kube_wait).await;
    assert!(
        matches!(ended, Ok(Err(_))),
        "kube's own wait should end at the first expired watch: {ended:?}"
    );
    assert_eq!(proxy.take_injected().expired, 1);

    // "deleted" goes a second after the wait starts: the tool's wait sees it.
    proxy.set_schedule(expiring);
    let direct: Api<ConfigMap> = Api::namespaced(client.clone(), &ns);
    let deleter = tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        direct.delete("deleted", &DeleteParams::default()).await
    });
    let ours = polyaxon_core::retry::await_condition(maps, "deleted", is_deleted(&deleted));
    let gone = tokio::time::timeout(std::time::Duration::from_secs(30), ours).await;
    deleter.await??;
    let injected = proxy.take_injected();
    proxy.set_schedule(Schedule::NONE);
    assert!(
        matches!(gone, Ok(Ok(None))),
        "the tool's wait should see the ConfigMap go ({injected}): {gone:?}"
    );
    assert!(injected.expired >= 1, "{injected}");

    delete_namespace(&client, &ns).await;
    Ok(())
}
