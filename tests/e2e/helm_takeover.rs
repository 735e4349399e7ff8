//! Releases the Python CLI installed with helm, taken over by this tool: a
//! real helm installs the official packages with the Python CLI's command
//! line, then `polyaxon` upgrades (takes over), rolls back and tears down.
//! One test per done-criterion of the takeover.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Secret};
use kube::api::{Api, DynamicObject, ListParams};
use kube::discovery::ApiResource;
use kube::{Client, ResourceExt};
use polyaxon_core::apply::{api_for, users};
use polyaxon_core::release::{ClusterStore, ObjectRef, ReleaseStore};
use polyaxon_e2e::cli::{run, run_ok};
use polyaxon_e2e::{client, delete_namespace, helm as real_helm, unique_namespace, user_claim};
use serde_json::Value;

/// helm gives each CRD of the charts to the release that installed it and
/// refuses it to a second one: the tests of this file take turns.
static ONE_HELM_RELEASE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The agent's config as a Python CLI user has it (`polyaxon admin deploy -f`
/// passes it to helm as values; helm ignores the keys it does not know).
fn agent_config(version: &str, extra: &str) -> String {
    format!(
        "deploymentChart: agent\ndeploymentVersion: {version}\n\
         agent:\n  instance: acme.agents.0b1f2c3d4e5f\n  token: a-token\n\
         externalServices:\n  api:\n    host: cloud.polyaxon.com\n    port: 443\n\
         artifactsStore:\n  name: artifacts\n  kind: volume_claim\n  schema:\n    volumeClaim: polyaxon-artifacts\n    mountPath: /artifacts\n{extra}"
    )
}

/// The platform with in-cluster PostgreSQL and Redis.
fn platform_config(version: &str, extra: &str) -> String {
    format!(
        "deploymentChart: platform\ndeploymentVersion: {version}\n\
         postgresql:\n  enabled: true\n  persistence:\n    enabled: true\n\
         redis:\n  enabled: true\n  nonBroker: true\n\
         artifactsStore:\n  name: artifacts\n  kind: host_path\n  schema:\n    hostPath: /tmp/polyaxon/artifacts\n    mountPath: /artifacts\n{extra}"
    )
}

fn write(ns: &str, name: &str, text: &str) -> Result<String> {
    let path = std::env::temp_dir().join(format!("{ns}-{name}.yml"));
    std::fs::write(&path, text)?;
    Ok(path.to_string_lossy().into_owned())
}

fn helm_install(release: &str, package: &str, ns: &str, config: &str) -> Result<()> {
    real_helm::install(release, package, ns, config)?;
    Ok(())
}

/// The platform installed by helm as the Python CLI does, as release
/// `polyaxon` (the namespace is created: the platform needs no user claim).
async fn install_platform(client: &Client, ns: &str, config: &str) -> Result<()> {
    let namespaces: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(client.clone());
    if namespaces.get_opt(ns).await?.is_none() {
        let namespace = serde_json::from_value(serde_json::json!({"metadata": {"name": ns}}))?;
        namespaces.create(&Default::default(), &namespace).await?;
    }
    helm_install("polyaxon", "polyaxon-2.15.1", ns, config)
}

/// What `helm list -A` lists.
fn helm_list() -> Result<Vec<Value>> {
    let listed = real_helm::run(&["list", "-A", "--all", "--output", "json"], &[])?;
    Ok(serde_json::from_str::<Value>(&listed)?
        .as_array()
        .cloned()
        .unwrap_or_default())
}

fn helm_lists(release: &str, ns: &str) -> Result<bool> {
    Ok(helm_list()?
        .iter()
        .any(|r| r["name"] == release && r["namespace"] == ns))
}

/// The UIDs of the namespace's Deployments, claims and Secrets (helm's
/// records and service-account tokens aside).
async fn uids(client: &Client, ns: &str) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    let kinds = [
        ApiResource::erase::<k8s_openapi::api::apps::v1::Deployment>(&()),
        ApiResource::erase::<k8s_openapi::api::apps::v1::StatefulSet>(&()),
        ApiResource::erase::<PersistentVolumeClaim>(&()),
        ApiResource::erase::<Secret>(&()),
    ];
    for kind in kinds {
        let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), ns, &kind);
        for object in api.list(&ListParams::default()).await?.items {
            let type_ = object.data.get("type").and_then(Value::as_str);
            if type_.is_some_and(|t| t.starts_with("helm.sh/")) {
                continue;
            }
            out.insert(
                format!("{}/{}", kind.kind, object.name_any()),
                object.uid().unwrap_or_default(),
            );
        }
    }
    Ok(out)
}

/// Every claim of `before` is still there, the same claim on the same
/// volume (a StatefulSet may have made more since).
fn kept_claims(before: &Claims, after: &Claims, what: &str) {
    for (claim, held) in before {
        assert_eq!(after.get(claim), Some(held), "{what}: {claim}");
    }
}

/// Every object of `before` is still there, the same object.
fn same_uids(before: &BTreeMap<String, String>, after: &BTreeMap<String, String>) {
    for (object, uid) in before {
        let now = after.get(object);
        assert_eq!(now, Some(uid), "{object} was recreated or deleted");
    }
}

/// What on `object` still says helm: `Helm` label values, `meta.helm.sh`
/// annotations, fields owned by manager `helm`.
fn helm_traces(object: &DynamicObject) -> Vec<String> {
    let mut traces = Vec::new();
    for (key, value) in object.labels() {
        if value == "Helm" || key.starts_with("helm.sh/") {
            traces.push(format!("label {key}={value}"));
        }
    }
    for key in object.annotations().keys() {
        if key.starts_with("meta.helm.sh/") {
            traces.push(format!("annotation {key}"));
        }
    }
    for entry in object.managed_fields() {
        if entry.manager.as_deref() == Some("helm") {
            traces.push("fields owned by manager helm".into());
        }
    }
    traces
}

/// The deployed revision's inventory, from this tool's records.
async fn inventory(client: &Client, ns: &str, release: &str) -> Result<Vec<ObjectRef>> {
    let history = ClusterStore::new(client.clone(), ns, release)
        .history()
        .await?;
    history
        .into_iter()
        .rev()
        .find(|r| r.status == polyaxon_core::release::Status::Deployed)
        .map(|r| r.inventory)
        .context("a deployed revision")
}

/// Every object of the inventory that still carries a trace of helm.
async fn helm_leftovers(client: &Client, ns: &str, release: &str) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for object in inventory(client, ns, release).await? {
        if let Some(live) = api_for(client, &object).get_opt(&object.name).await? {
            for trace in helm_traces(&live) {
                out.push(format!("{}: {trace}", object.id()));
            }
        }
    }
    Ok(out)
}

fn history(release: &str, ns: &str) -> Result<Vec<Value>> {
    let text = run_ok(&["history", "-r", release, "-n", ns, "-o", "json"])?;
    Ok(serde_json::from_str::<Value>(&text)?
        .as_array()
        .cloned()
        .unwrap_or_default())
}

async fn agent_image(client: &Client, ns: &str) -> Result<String> {
    let deployment: k8s_openapi::api::apps::v1::Deployment = Api::namespaced(client.clone(), ns)
        .get("agent-polyaxon-agent")
        .await?;
    Ok(deployment
        .spec
        .and_then(|s| s.template.spec)
        .and_then(|p| p.containers.first().and_then(|c| c.image.clone()))
        .unwrap_or_default())
}

/// Runs `polyaxon <args>`, which must fail saying each of `says`.
fn refused(args: &[&str], says: &[&str]) -> Result<()> {
    let output = run(args)?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "polyaxon {args:?} succeeded");
    for words in says {
        assert!(stderr.contains(words), "no {words:?} in: {stderr}");
    }
    Ok(())
}

/// Tears the release down with this tool and removes the namespace.
async fn clean_up(client: &Client, release: &str, ns: &str) {
    let _ = run(&[
        "teardown",
        "-r",
        release,
        "-n",
        ns,
        "--yes",
        "--delete-volumes",
        "--no-hooks",
    ]);
    delete_namespace(client, ns).await;
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn an_agent_helm_installed_is_taken_over_by_an_upgrade_and_rolls_back_to_helms_revision()
-> Result<()> {
    let _turn = ONE_HELM_RELEASE_AT_A_TIME.lock().await;
    let client = client().await?;
    let ns = unique_namespace("take-agent");
    user_claim(&client, &ns, "polyaxon-artifacts").await?;
    let old = write(&ns, "old", &agent_config("2.11.1", ""))?;
    let new = write(&ns, "new", &agent_config("2.15.1", ""))?;
    helm_install("agent", "agent-2.11.1", &ns, &old)?;
    let before = uids(&client, &ns).await?;
    assert!(
        before.contains_key("Deployment/agent-polyaxon-agent"),
        "{before:?}"
    );

    // Found before anything is done: status says helm's, deploy refuses.
    let status: Value = serde_json::from_str(&run_ok(&[
        "status", "-r", "agent", "-n", &ns, "-o", "json",
    ])?)?;
    assert_eq!(status["version"], "2.11.1");
    assert_eq!(
        status["helm"],
        "helm revision 1 (deployed), chart agent 2.11.1"
    );
    refused(
        &["deploy", "-f", &new, "-n", &ns],
        &["was installed by helm", "polyaxon upgrade"],
    )?;
    let diff = run_ok(&["diff", "-f", &new, "-n", &ns])?;
    assert!(
        diff.contains("helm") || diff.contains("revision 1"),
        "{diff}"
    );

    run_ok(&["upgrade", "-f", &new, "-n", &ns])?;

    let leftovers = helm_leftovers(&client, &ns, "agent").await?;
    assert!(leftovers.is_empty(), "helm is left on: {leftovers:#?}");
    same_uids(&before, &uids(&client, &ns).await?);
    assert!(helm_list()?.is_empty(), "helm list -A: {:?}", helm_list()?);
    assert!(agent_image(&client, &ns).await?.ends_with(":2.15.1"));

    let revisions = history("agent", &ns)?;
    let summary: Vec<(u64, &str, &str)> = revisions
        .iter()
        .map(|r| {
            (
                r["revision"].as_u64().unwrap_or(0),
                r["status"].as_str().unwrap_or(""),
                r["version"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [(1, "superseded", "2.11.1"), (2, "deployed", "2.15.1")]
    );
    assert!(revisions[0]["helm"].is_string(), "{:?}", revisions[0]);
    assert!(revisions[1].get("helm").is_none());

    run_ok(&["rollback", "1", "-r", "agent", "-n", &ns])?;
    assert!(
        agent_image(&client, &ns).await?.ends_with(":2.11.1"),
        "helm's revision rendered again"
    );
    let status: Value = serde_json::from_str(&run_ok(&[
        "status", "-r", "agent", "-n", &ns, "-o", "json",
    ])?)?;
    assert_eq!(
        (status["revision"].as_u64(), status["version"].as_str()),
        (Some(3), Some("2.11.1"))
    );
    assert!(!helm_lists("agent", &ns)?);

    clean_up(&client, "agent", &ns).await;
    Ok(())
}

/// The generated values the release's Secrets hold: every key whose name
/// says password or secret key.
async fn generated(client: &Client, ns: &str) -> Result<BTreeMap<String, Vec<u8>>> {
    let secrets: Api<Secret> = Api::namespaced(client.clone(), ns);
    let mut out = BTreeMap::new();
    for secret in secrets.list(&ListParams::default()).await?.items {
        if secret
            .type_
            .as_deref()
            .is_some_and(|t| t.contains("release"))
        {
            continue;
        }
        for (key, value) in secret.data.clone().unwrap_or_default() {
            let lower = key.to_lowercase();
            if lower.contains("password") || lower.contains("secret_key") {
                out.insert(format!("{}/{key}", secret.name_any()), value.0);
            }
        }
    }
    Ok(out)
}

/// The claims of the namespace: name → (uid, bound volume).
async fn claims(client: &Client, ns: &str) -> Result<Claims> {
    let api: Api<PersistentVolumeClaim> = Api::namespaced(client.clone(), ns);
    Ok(api
        .list(&ListParams::default())
        .await?
        .items
        .into_iter()
        .map(|c| {
            let volume = c
                .spec
                .as_ref()
                .and_then(|s| s.volume_name.clone())
                .unwrap_or_default();
            (c.name_any(), (c.uid().unwrap_or_default(), volume))
        })
        .collect())
}

/// Waits until the database claim is bound (the StatefulSet controller
/// creates it, the volume controller binds it).
async fn bound_claims(client: &Client, ns: &str) -> Result<Claims> {
    until(
        "the database claim to be bound",
        Duration::from_secs(2),
        || async {
            let found = claims(client, ns).await?;
            let bound = found.keys().any(|k| k.contains("postgresql"))
                && found.values().all(|(_, v)| !v.is_empty());
            Ok(bound.then_some(found))
        },
    )
    .await
}

/// A platform release helm installed in a new namespace: the client, the
/// namespace, the config file, and the claims once the database's is bound.
async fn platform_by_helm(prefix: &str, text: &str) -> Result<(Client, String, String, Claims)> {
    let client = client().await?;
    let ns = unique_namespace(prefix);
    let config = write(&ns, "platform", text)?;
    install_platform(&client, &ns, &config).await?;
    let claims = bound_claims(&client, &ns).await?;
    Ok((client, ns, config, claims))
}

/// Claims by name: (uid, bound volume).
type Claims = BTreeMap<String, (String, String)>;

/// Runs `check` every `every` until it returns something, for two minutes.
async fn until<T, F>(what: &str, every: Duration, mut check: impl FnMut() -> F) -> Result<T>
where
    F: std::future::Future<Output = Result<Option<T>>>,
{
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Some(found) = check().await? {
            return Ok(found);
        }
        if Instant::now() > deadline {
            bail!("waited two minutes for {what}");
        }
        tokio::time::sleep(every).await;
    }
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn a_platform_helm_installed_keeps_its_database_claim_volume_and_passwords() -> Result<()> {
    let _turn = ONE_HELM_RELEASE_AT_A_TIME.lock().await;
    let (client, ns, _, claims_before) =
        platform_by_helm("take-platform", &platform_config("2.15.1", "")).await?;
    let passwords_before = generated(&client, &ns).await?;
    assert!(
        passwords_before.keys().any(|k| k.contains("postgres")),
        "{:?}",
        passwords_before.keys()
    );
    let uids_before = uids(&client, &ns).await?;

    let changed = write(
        &ns,
        "changed",
        &platform_config("2.15.1", "timezone: Europe/Berlin\n"),
    )?;
    run_ok(&["upgrade", "-f", &changed, "-n", &ns])?;

    kept_claims(
        &claims_before,
        &claims(&client, &ns).await?,
        "claims and their volumes",
    );
    assert_eq!(
        generated(&client, &ns).await?,
        passwords_before,
        "generated passwords"
    );
    same_uids(&uids_before, &uids(&client, &ns).await?);
    let leftovers = helm_leftovers(&client, &ns, "polyaxon").await?;
    assert!(leftovers.is_empty(), "helm is left on: {leftovers:#?}");
    assert!(!helm_lists("polyaxon", &ns)?);

    clean_up(&client, "polyaxon", &ns).await;
    Ok(())
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn a_statefulset_whose_claim_template_differs_is_recreated_after_a_yes_keeping_its_claim()
-> Result<()> {
    let _turn = ONE_HELM_RELEASE_AT_A_TIME.lock().await;
    // helm's chart reads the size from `postgresql.primary.persistence`, this
    // tool from `postgresql.persistence` too: the claim templates differ,
    // and a StatefulSet's claim templates cannot change in place.
    let text = platform_config("2.15.1", "")
        .replace("    enabled: true\n", "    enabled: true\n    size: 10Gi\n");
    let (client, ns, config, claims_before) = platform_by_helm("take-sts", &text).await?;
    let passwords_before = generated(&client, &ns).await?;
    let mut uids_before = uids(&client, &ns).await?;
    let database = "StatefulSet/polyaxon-postgresql";

    refused(&["upgrade", "-f", &config, "-n", &ns], &[database, "--yes"])?;
    assert!(
        helm_lists("polyaxon", &ns)?,
        "nothing was touched without a yes"
    );
    run_ok(&["upgrade", "-f", &config, "-n", &ns, "--yes"])?;

    let uids_after = uids(&client, &ns).await?;
    let old = uids_before.remove(database);
    assert!(
        old.is_some() && uids_after.get(database) != old.as_ref(),
        "{database} recreated"
    );
    same_uids(&uids_before, &uids_after);
    kept_claims(
        &claims_before,
        &claims(&client, &ns).await?,
        "the same claims, bound to the same volumes",
    );
    assert_eq!(generated(&client, &ns).await?, passwords_before);
    assert!(!helm_lists("polyaxon", &ns)?);

    clean_up(&client, "polyaxon", &ns).await;
    Ok(())
}

/// Objects of the namespace labelled as the release's, by kind.
async fn labelled(client: &Client, ns: &str, release: &str) -> Result<Vec<String>> {
    use k8s_openapi::api::{
        apps::v1 as apps, batch::v1 as batch, core::v1 as core, rbac::v1 as rbac,
    };
    let kinds = [
        ApiResource::erase::<apps::Deployment>(&()),
        ApiResource::erase::<apps::StatefulSet>(&()),
        ApiResource::erase::<batch::Job>(&()),
        ApiResource::erase::<core::Pod>(&()),
        ApiResource::erase::<core::Service>(&()),
        ApiResource::erase::<core::ConfigMap>(&()),
        ApiResource::erase::<core::Secret>(&()),
        ApiResource::erase::<core::ServiceAccount>(&()),
        ApiResource::erase::<core::PersistentVolumeClaim>(&()),
        ApiResource::erase::<rbac::Role>(&()),
        ApiResource::erase::<rbac::RoleBinding>(&()),
    ];
    let selector = format!("app.kubernetes.io/instance={release}");
    let mut out = Vec::new();
    for kind in kinds {
        let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), ns, &kind);
        for object in api
            .list(&ListParams::default().labels(&selector))
            .await?
            .items
        {
            out.push(format!("{}/{}", kind.kind, object.name_any()));
        }
    }
    Ok(out)
}

fn helm_records(ns: &str) -> Result<usize> {
    let listed = real_helm::run(
        &["list", "--namespace", ns, "--all", "--output", "json"],
        &[],
    )?;
    Ok(serde_json::from_str::<Value>(&listed)?
        .as_array()
        .map_or(0, Vec::len))
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn a_platform_helm_installed_is_torn_down_claims_kept_unless_asked() -> Result<()> {
    let _turn = ONE_HELM_RELEASE_AT_A_TIME.lock().await;
    let (client, ns, config, claims_before) =
        platform_by_helm("helm-down", &platform_config("2.15.1", "")).await?;

    run_ok(&["teardown", "-r", "polyaxon", "-n", &ns, "--yes"])?;
    let left = labelled(&client, &ns, "polyaxon").await?;
    assert!(
        left.iter().all(|o| o.starts_with("PersistentVolumeClaim/")),
        "left behind: {left:?}"
    );
    assert_eq!(helm_records(&ns)?, 0, "helm's records are gone");
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &ns);
    let helm_secrets = secrets
        .list(&ListParams::default().labels("owner=helm"))
        .await?
        .items;
    assert!(helm_secrets.is_empty());
    kept_claims(
        &claims_before,
        &claims(&client, &ns).await?,
        "claims kept by default",
    );

    // Installed again on the kept claim, then torn down with its volumes.
    install_platform(&client, &ns, &config).await?;
    run_ok(&[
        "teardown",
        "-r",
        "polyaxon",
        "-n",
        &ns,
        "--yes",
        "--delete-volumes",
    ])?;
    let left = labelled(&client, &ns, "polyaxon").await?;
    assert!(left.is_empty(), "left behind: {left:?}");
    assert!(claims(&client, &ns).await?.is_empty());
    assert_eq!(helm_records(&ns)?, 0);
    delete_namespace(&client, &ns).await;
    Ok(())
}

/// Waits until helm's record of `revision` says pending-upgrade.
async fn wait_pending(client: &Client, ns: &str, revision: u32) -> Result<()> {
    let secrets: Api<Secret> = Api::namespaced(client.clone(), ns);
    let name = format!("sh.helm.release.v1.agent.v{revision}");
    until(
        "helm's record pending-upgrade",
        Duration::from_millis(200),
        || async {
            let secret = secrets.get_opt(&name).await?;
            let status = secret
                .as_ref()
                .and_then(|s| s.labels().get("status").cloned());
            Ok((status.as_deref() == Some("pending-upgrade")).then_some(()))
        },
    )
    .await
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn a_helm_release_left_pending_upgrade_is_taken_over_after_confirmation() -> Result<()> {
    let _turn = ONE_HELM_RELEASE_AT_A_TIME.lock().await;
    let client = client().await?;
    let ns = unique_namespace("take-pending");
    user_claim(&client, &ns, "polyaxon-artifacts").await?;
    let good = write(&ns, "good", &agent_config("2.15.1", ""))?;
    // Pods no node accepts: helm --wait never sees the upgrade ready.
    let stuck = write(
        &ns,
        "stuck",
        &agent_config(
            "2.15.1",
            "nodeSelector:\n  polyaxon-e2e/no-such-node: \"true\"\n",
        ),
    )?;
    helm_install("agent", "agent-2.15.1", &ns, &good)?;
    let package = real_helm::package("agent-2.15.1")
        .to_string_lossy()
        .into_owned();
    let upgrade = |config: &str| {
        let args = [
            "upgrade",
            "agent",
            &package,
            "--namespace",
            &ns,
            "-f",
            config,
        ];
        args.map(str::to_string).to_vec()
    };
    let mut stuck_upgrade = upgrade(&stuck);
    stuck_upgrade.extend(["--wait", "--timeout", "10m"].map(str::to_string));
    let mut helm = std::process::Command::new(real_helm::binary()?)
        .args(&stuck_upgrade)
        .env("KUBECONFIG", polyaxon_e2e::kubeconfig())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    wait_pending(&client, &ns, 2).await?;
    // Interrupted as a killed CI job or a closed laptop interrupts it.
    helm.kill()?;
    helm.wait()?;
    let good_upgrade = upgrade(&good);
    let args: Vec<&str> = good_upgrade.iter().map(String::as_str).collect();
    let blocked = real_helm::run(&args, &[]);
    assert!(
        blocked.is_err_and(|e| e.to_string().contains("another operation")),
        "helm itself is blocked"
    );

    let status = run_ok(&["status", "-r", "agent", "-n", &ns])?;
    assert!(
        status.contains("pending-upgrade") && status.contains("ago"),
        "{status}"
    );
    refused(
        &["upgrade", "-f", &good, "-n", &ns],
        &["pending-upgrade", "--yes"],
    )?;
    assert!(
        helm_lists("agent", &ns)?,
        "nothing was touched without a yes"
    );

    run_ok(&["upgrade", "-f", &good, "-n", &ns, "--yes"])?;
    assert!(!helm_lists("agent", &ns)?);
    let leftovers = helm_leftovers(&client, &ns, "agent").await?;
    assert!(leftovers.is_empty(), "helm is left on: {leftovers:#?}");
    let revisions = history("agent", &ns)?;
    let statuses: Vec<&str> = revisions
        .iter()
        .map(|r| r["status"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(statuses, ["superseded", "failed", "deployed"]);

    clean_up(&client, "agent", &ns).await;
    Ok(())
}

/// The CRD of the charts up to 2.11, whose run objects are Operations.
const OPERATIONS_CRD: &str = "operations.core.polyaxon.com";

fn crds(client: &Client) -> Api<DynamicObject> {
    Api::all_with(
        client.clone(),
        &ApiResource::erase::<
            k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition,
        >(&()),
    )
}

fn operations(client: &Client, ns: &str) -> Api<DynamicObject> {
    let resource = ApiResource {
        group: "core.polyaxon.com".into(),
        version: "v1".into(),
        api_version: "core.polyaxon.com/v1".into(),
        kind: "Operation".into(),
        plural: "operations".into(),
    };
    Api::namespaced_with(client.clone(), ns, &resource)
}

/// A run (an `Operation`) as the agent of a 2.11 chart creates one.
async fn operation(client: &Client, ns: &str, name: &str) -> Result<()> {
    let object = serde_json::json!({
        "apiVersion": "core.polyaxon.com/v1", "kind": "Operation",
        "metadata": {"name": name},
        "batchJobSpec": {"template": {}}
    });
    operations(client, ns)
        .patch(
            name,
            &kube::api::PatchParams::apply("polyaxon-operator").force(),
            &kube::api::Patch::Apply(object),
        )
        .await
        .with_context(|| format!("creating the run {name} in {ns}"))?;
    Ok(())
}

/// Whether the run is there; not when its kind is gone with its CRD.
async fn operation_exists(client: &Client, ns: &str, name: &str) -> Result<bool> {
    match operations(client, ns).get(name).await {
        Ok(_) => Ok(true),
        Err(kube::Error::Api(status)) if status.code == 404 => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// The releases the Operation CRD lists as its users, and its UID; `None`
/// when it is gone.
async fn operations_crd(client: &Client) -> Result<Option<(BTreeSet<String>, String)>> {
    Ok(crds(client)
        .get_opt(OPERATIONS_CRD)
        .await?
        .map(|crd| (users(&crd), crd.uid().unwrap_or_default())))
}

/// What the Operation CRD is now: its users and UID.
async fn operations_crd_now(client: &Client) -> Result<(BTreeSet<String>, String)> {
    operations_crd(client)
        .await?
        .with_context(|| format!("{OPERATIONS_CRD} is there"))
}

/// An agent helm installed as `agent` in one new namespace, and one of this
/// tool's, also `agent`, in another, from the same config: both 2.11.1, so
/// both use the Operation CRD helm installed. Each has a run. Returns
/// (helm's namespace, ours, the config file).
async fn helm_agent_beside_ours(client: &Client, prefix: &str) -> Result<(String, String, String)> {
    let (helms, ours) = (
        unique_namespace(&format!("{prefix}-helm")),
        unique_namespace(&format!("{prefix}-ours")),
    );
    user_claim(client, &helms, "polyaxon-artifacts").await?;
    user_claim(client, &ours, "polyaxon-artifacts").await?;
    let config = write(&helms, "agent", &agent_config("2.11.1", ""))?;
    helm_install("agent", "agent-2.11.1", &helms, &config).with_context(|| {
        format!("helm installs the agent ({OPERATIONS_CRD} must not be this tool's already)")
    })?;
    run_ok(&["deploy", "-f", &config, "-n", &ours])?;
    let (users_now, _) = operations_crd_now(client).await?;
    assert!(
        users_now.contains(&format!("{ours}/agent")),
        "our agent records itself on helm's CRD: {users_now:?}"
    );
    operation(client, &helms, "run-1").await?;
    operation(client, &ours, "run-1").await?;
    Ok((helms, ours, config))
}

/// Runs `polyaxon <args>`, which must succeed; all it said.
fn said(args: &[&str]) -> Result<String> {
    let output = run(args)?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "polyaxon {args:?}: {text}");
    Ok(text)
}

/// Tears our agent down last: the CRD goes with it unless a release of
/// another test uses it too.
async fn last_user_goes(client: &Client, ours: &str) -> Result<()> {
    let (before, _) = operations_crd_now(client).await?;
    said(&["teardown", "-r", "agent", "-n", ours, "--yes"])?;
    if before == BTreeSet::from([format!("{ours}/agent")]) {
        assert!(
            operations_crd(client).await?.is_none(),
            "{OPERATIONS_CRD} is deleted with its last user"
        );
    }
    Ok(())
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn a_helm_installed_agent_torn_down_keeps_the_crd_an_agent_of_ours_uses() -> Result<()> {
    let _turn = ONE_HELM_RELEASE_AT_A_TIME.lock().await;
    let client = client().await?;
    let (helms, ours, _) = helm_agent_beside_ours(&client, "crd-helm").await?;
    let (_, crd_uid) = operations_crd_now(&client).await?;
    let ours_before = uids(&client, &ours).await?;

    let text = said(&["teardown", "-r", "agent", "-n", &helms, "--yes"])?;
    assert!(
        text.contains(&format!(
            "kept CustomResourceDefinition/{OPERATIONS_CRD}: used by release {ours}/agent"
        )),
        "says who holds the CRD: {text}"
    );
    let (users_now, uid_now) = operations_crd_now(&client).await?;
    assert_eq!(uid_now, crd_uid, "the same CRD");
    assert!(
        users_now.contains(&format!("{ours}/agent")),
        "{users_now:?}"
    );
    assert!(
        !users_now.contains(&format!("{helms}/agent")),
        "{users_now:?}"
    );
    assert!(
        operation_exists(&client, &ours, "run-1").await?,
        "our agent's run survives"
    );
    assert!(
        !operation_exists(&client, &helms, "run-1").await?,
        "the helm release's run went with it"
    );
    same_uids(&ours_before, &uids(&client, &ours).await?);
    assert!(!helm_lists("agent", &helms)?);
    let left = labelled(&client, &helms, "agent").await?;
    assert!(left.is_empty(), "left behind: {left:?}");
    let status: Value = serde_json::from_str(&run_ok(&[
        "status", "-r", "agent", "-n", &ours, "-o", "json",
    ])?)?;
    assert_eq!(status["status"], "deployed", "{status}");

    last_user_goes(&client, &ours).await?;
    delete_namespace(&client, &helms).await;
    delete_namespace(&client, &ours).await;
    Ok(())
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn an_agent_taken_over_from_helm_is_listed_on_the_crd_it_shares_with_ours() -> Result<()> {
    let _turn = ONE_HELM_RELEASE_AT_A_TIME.lock().await;
    let client = client().await?;
    let (helms, ours, config) = helm_agent_beside_ours(&client, "crd-take").await?;

    run_ok(&["upgrade", "-f", &config, "-n", &helms])?;
    let (users_now, _) = operations_crd_now(&client).await?;
    for user in [format!("{helms}/agent"), format!("{ours}/agent")] {
        assert!(users_now.contains(&user), "lists {user}: {users_now:?}");
    }
    let crd = crds(&client).get(OPERATIONS_CRD).await?;
    assert!(
        helm_traces(&crd).is_empty(),
        "the CRD is this tool's now: {:?}",
        helm_traces(&crd)
    );

    let text = said(&["teardown", "-r", "agent", "-n", &helms, "--yes"])?;
    assert!(
        text.contains(&format!(
            "kept CustomResourceDefinition/{OPERATIONS_CRD}: used by release {ours}/agent"
        )),
        "says who holds the CRD: {text}"
    );
    assert!(operation_exists(&client, &ours, "run-1").await?);
    assert!(!operation_exists(&client, &helms, "run-1").await?);

    last_user_goes(&client, &ours).await?;
    delete_namespace(&client, &helms).await;
    delete_namespace(&client, &ours).await;
    Ok(())
}
