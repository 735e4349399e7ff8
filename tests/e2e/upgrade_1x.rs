//! A Polyaxon 1.x platform upgraded to 2.x: the reference config
//! `polyaxon-1.14-values2.yml` (in-cluster PostgreSQL with a 10Gi claim) is
//! deployed at 1.14.0, as its user would (the Secrets it names created, the
//! node labelled as its nodeSelector asks), then upgraded to 2.15.1 with the
//! same config less the one key the 2.x rules refuse. The
//! claim (same object, same volume) and the database password carry over,
//! 1.x-only objects go only once 2.x is ready, and without a yes nothing
//! changes. The test cluster runs no containers: whether PostgreSQL 16 reads
//! the data is not what is checked here (it does not; see
//! docs/upgrade-1x-to-2x.md).

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{Node, PersistentVolumeClaim, Secret};
use kube::api::{Api, Patch, PatchParams};
use kube::{Client, ResourceExt};
use polyaxon_core::apply::{api_for, users};
use polyaxon_core::config::{self, LoadOptions};
use polyaxon_core::event::Event;
use polyaxon_core::ops::{self, Deployable, UpgradeOptions, UpgradeOutcome, WaitOptions};
use polyaxon_core::release::{ClusterStore, ObjectRef, ReleaseRef, ReleaseStore, Status};
use polyaxon_core::render::{self, ReleaseState};
use polyaxon_e2e::cli::{run, run_ok};
use polyaxon_e2e::{client, delete_namespace, ensure_namespace, recorder, unique_namespace};

/// The two tests take turns: each deploys the 1.x CRD, and deploys that
/// race for the cluster-scoped lock can fail (see the report of
/// `take Lease/polyaxon.lock.cluster-scoped-objects ... not found`).
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The release name the config leaves to the default.
const RELEASE: &str = "polyaxon";
/// The 1.x StatefulSet and the claim its `data` template makes.
const POSTGRES: &str = "polyaxon-postgresql";
const CLAIM: &str = "data-polyaxon-postgresql-0";

/// The reference config: 1.14's fixture with in-cluster PostgreSQL on a claim.
fn reference_config() -> PathBuf {
    let name = "reference/polyaxon-configs/polyaxon-1.14-values2.yml";
    let beside = polyaxon_e2e::workspace_root().join("../shared").join(name);
    if beside.exists() {
        beside
    } else {
        PathBuf::from("/work/shared").join(name)
    }
}

/// The reference config as the test runs it at `version`: its gateway a
/// ClusterIP Service (its fixed NodePort, 31833, would collide with the
/// other releases on the test cluster); at 2.x also without `api`, the one
/// key the 2.x rules refuse (`api.replicas` is 1.x's; the refusal names it),
/// as its user brings it to 2.x.
fn config(ns: &str, version: &str) -> Result<String> {
    let text = std::fs::read_to_string(reference_config())?;
    let mut config: serde_yaml::Mapping = serde_yaml::from_str(&text)?;
    let gateway: serde_yaml::Mapping = serde_yaml::from_str("service:\n  type: ClusterIP\n")?;
    config.insert("gateway".into(), gateway.into());
    if version.starts_with("2.") {
        config
            .remove("api")
            .context("the reference config has an `api` section")?;
    }
    let path = std::env::temp_dir().join(format!("{ns}-{version}.yml"));
    std::fs::write(&path, serde_yaml::to_string(&config)?)?;
    Ok(path.to_string_lossy().into_owned())
}

/// What the config needs from the cluster, as its user provides it: the
/// Secrets it names, and a node with the labels of its nodeSelector.
async fn provide(client: &Client, ns: &str) -> Result<()> {
    ensure_namespace(client, ns).await?;
    let params = PatchParams::apply("polyaxon-e2e").force();
    let secrets: Api<Secret> = Api::namespaced(client.clone(), ns);
    for name in [
        "az-secret",
        "az-s3",
        "ssh-key-secret",
        "slack-secret",
        "sll-secret",
    ] {
        let secret = serde_json::json!({
            "apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": name},
            "stringData": {"value": "provided by the user"}
        });
        secrets.patch(name, &params, &Patch::Apply(secret)).await?;
    }
    let nodes: Api<Node> = Api::all(client.clone());
    for node in nodes.list(&Default::default()).await?.items {
        let labels = serde_json::json!({"metadata": {"labels": {"polyaxon": "core"}}});
        nodes
            .patch(
                &node.name_any(),
                &PatchParams::default(),
                &Patch::Merge(labels),
            )
            .await?;
    }
    Ok(())
}

/// Deploys the reference config at 1.14.0 into `ns` with the CLI.
async fn deploy_1x(client: &Client, ns: &str) -> Result<()> {
    provide(client, ns).await?;
    let config = config(ns, "1.14.0")?;
    run_ok(&[
        "deploy",
        "-f",
        &config,
        "--deployment-version",
        "1.14.0",
        "-n",
        ns,
        "--timeout",
        "3m",
    ])?;
    Ok(())
}

/// The claim's uid and volume, once bound.
async fn claim(client: &Client, ns: &str) -> Result<(String, String)> {
    let claims: Api<PersistentVolumeClaim> = Api::namespaced(client.clone(), ns);
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(claim) = claims.get_opt(CLAIM).await? {
            let volume = claim.spec.as_ref().and_then(|s| s.volume_name.clone());
            if let Some(volume) = volume.filter(|v| !v.is_empty()) {
                return Ok((claim.uid().unwrap_or_default(), volume));
            }
        }
        if std::time::Instant::now() > deadline {
            bail!("claim {CLAIM} was not bound within 60s");
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// The value of `key` in Secret `name`.
async fn secret_value(client: &Client, ns: &str, name: &str, key: &str) -> Result<String> {
    let secret = Api::<Secret>::namespaced(client.clone(), ns)
        .get(name)
        .await?;
    let bytes = secret
        .data
        .and_then(|d| d.get(key).cloned())
        .with_context(|| format!("Secret/{name} has no key {key}"))?;
    Ok(String::from_utf8(bytes.0)?)
}

/// The statuses and versions of the release's revisions, oldest first.
async fn revisions(client: &Client, ns: &str) -> Result<Vec<(u32, Status, String)>> {
    let history = ClusterStore::new(client.clone(), ns, RELEASE)
        .history()
        .await?;
    Ok(history
        .into_iter()
        .map(|r| (r.revision, r.status, r.version))
        .collect())
}

/// The deployed revision's inventory.
async fn inventory(client: &Client, ns: &str) -> Result<Vec<ObjectRef>> {
    let history = ClusterStore::new(client.clone(), ns, RELEASE)
        .history()
        .await?;
    history
        .into_iter()
        .rev()
        .find(|r| r.status == Status::Deployed)
        .map(|r| r.inventory)
        .context("a deployed revision")
}

/// The uid of the live StatefulSet of PostgreSQL.
async fn statefulset_uid(client: &Client, ns: &str) -> Result<String> {
    let sts = Api::<StatefulSet>::namespaced(client.clone(), ns)
        .get(POSTGRES)
        .await?;
    Ok(sts.uid().unwrap_or_default())
}

async fn clean_up(client: &Client, ns: &str) {
    let _ = run(&[
        "teardown",
        "-r",
        RELEASE,
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
async fn without_a_yes_a_1x_platform_is_not_upgraded_to_2x_and_is_told_what_would_change()
-> Result<()> {
    let _turn = ONE_AT_A_TIME.lock().await;
    let client = client().await?;
    let ns = unique_namespace("up1x-no");
    deploy_1x(&client, &ns).await?;
    let config = config(&ns, "2.15.1")?;
    let before_claim = claim(&client, &ns).await?;
    let before_sts = statefulset_uid(&client, &ns).await?;
    let before_inventory = inventory(&client, &ns).await?;

    // No terminal (stdin is not one), no --yes: refused, and said why.
    let output = run(&[
        "upgrade",
        "-f",
        &config,
        "--deployment-version",
        "2.15.1",
        "-n",
        &ns,
    ])?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "upgraded without a yes: {stderr}");
    for words in [
        "runs 1.14.0; 2.15.1 is a new major version",
        "removed once the new version is ready",
        "Deployment/polyaxon-polyaxon-streams",
        "added",
        "StatefulSet/polyaxon-postgresql",
        "claim data-polyaxon-postgresql-0 is kept",
        "key postgresql-password into key(s) password, postgres-password",
        "PostgreSQL 11 -> 16",
        "docs/upgrade-1x-to-2x.md",
        "--yes",
    ] {
        assert!(stderr.contains(words), "no {words:?} in:\n{stderr}");
    }

    // Nothing changed: one revision, the same StatefulSet, claim and objects.
    assert_eq!(
        revisions(&client, &ns).await?,
        [(1, Status::Deployed, "1.14.0".to_string())]
    );
    assert_eq!(statefulset_uid(&client, &ns).await?, before_sts);
    assert_eq!(claim(&client, &ns).await?, before_claim);
    for object in &before_inventory {
        assert!(
            api_for(&client, object)
                .get_opt(&object.name)
                .await?
                .is_some(),
            "{object} is gone"
        );
    }
    let secret = Api::<Secret>::namespaced(client.clone(), &ns)
        .get(POSTGRES)
        .await?;
    let keys: BTreeSet<String> = secret.data.unwrap_or_default().into_keys().collect();
    assert_eq!(keys, BTreeSet::from(["postgresql-password".to_string()]));

    clean_up(&client, &ns).await;
    Ok(())
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn a_1x_platform_upgraded_to_2x_keeps_its_database_claim_and_password() -> Result<()> {
    let _turn = ONE_AT_A_TIME.lock().await;
    let client = client().await?;
    let ns = unique_namespace("up1x");
    deploy_1x(&client, &ns).await?;
    let config = config(&ns, "2.15.1")?;
    let (claim_uid, volume) = claim(&client, &ns).await?;
    let password = secret_value(&client, &ns, POSTGRES, "postgresql-password").await?;
    let old_sts = statefulset_uid(&client, &ns).await?;
    let old_inventory = inventory(&client, &ns).await?;

    // The upgrade as `polyaxon upgrade --yes` runs it, its events kept.
    let deployment = config::load(&LoadOptions {
        files: vec![PathBuf::from(&config)],
        deployment_version: Some("2.15.1".into()),
        namespace: Some(ns.clone()),
        ..LoadOptions::default()
    })
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let render = |state: &ReleaseState| render::render(&deployment, state);
    let source = Deployable::of(&deployment, &render);
    let op = UpgradeOptions {
        target: ReleaseRef {
            release: RELEASE.into(),
            namespace: ns.clone(),
        },
        wait: WaitOptions {
            // Asked not to wait: a major jump waits all the same.
            wait: false,
            timeout: Duration::from_secs(180),
            concurrency: polyaxon_core::apply::DEFAULT_CONCURRENCY,
        },
        allow_downgrade: false,
        confirmed: true,
        dry_run: false,
        atomic: false,
    };
    let (reporter, events) = recorder();
    let outcome = Box::pin(ops::upgrade(&client, &op, &source, &reporter)).await?;
    let UpgradeOutcome::Upgraded { record, plan } = outcome else {
        bail!("not upgraded: {outcome:?}");
    };
    assert_eq!((record.revision, record.version.as_str()), (2, "2.15.1"));

    // The claim is the same object on the same volume, mounted by the new
    // StatefulSet; the password is the one the 1.x Secret held.
    assert_eq!(claim(&client, &ns).await?, (claim_uid, volume));
    let sts = Api::<StatefulSet>::namespaced(client.clone(), &ns)
        .get(POSTGRES)
        .await?;
    assert_ne!(sts.uid().unwrap_or_default(), old_sts, "not replaced");
    let spec = sts.spec.clone().context("a spec")?;
    let templates: Vec<String> = spec
        .volume_claim_templates
        .unwrap_or_default()
        .iter()
        .map(|t| t.name_any())
        .collect();
    assert_eq!(templates, ["data"], "the template that names {CLAIM}");
    let selector = spec.selector.match_labels.unwrap_or_default();
    assert_eq!(
        selector
            .get("app.kubernetes.io/component")
            .map(String::as_str),
        Some("primary"),
        "the 2.x selector: {selector:?}"
    );
    for key in ["password", "postgres-password"] {
        assert_eq!(
            secret_value(&client, &ns, POSTGRES, key).await?,
            password,
            "Secret/{POSTGRES} key {key}"
        );
    }
    let image = spec
        .template
        .spec
        .and_then(|p| p.containers.first().and_then(|c| c.image.clone()))
        .unwrap_or_default();
    assert!(image.contains("postgresql:16."), "{image}");

    // 2.x is there and ready; what only 1.x had is gone.
    let status: serde_json::Value = serde_json::from_str(&run_ok(&[
        "status", "-r", RELEASE, "-n", &ns, "-o", "json",
    ])?)?;
    assert_eq!(status["version"], "2.15.1", "{status}");
    let workloads = status["workloads"].as_array().cloned().unwrap_or_default();
    assert!(!workloads.is_empty(), "{status}");
    for workload in &workloads {
        assert_eq!(workload["ready"], workload["desired"], "{workload}");
    }
    let removed = plan.deletions();
    let removed_ids: Vec<String> = removed.iter().map(ObjectRef::id).collect();
    for id in [
        "Deployment/polyaxon-polyaxon-streams",
        "CustomResourceDefinition/operations.core.polyaxon.com",
    ] {
        assert!(
            removed_ids.iter().any(|r| r == id),
            "{id} not in {removed_ids:?}"
        );
    }
    let new_inventory = inventory(&client, &ns).await?;
    let us = format!("{ns}/{RELEASE}");
    for object in old_inventory.iter().filter(|o| !new_inventory.contains(o)) {
        let live = api_for(&client, object)
            .get_opt(&object.name)
            .await
            .ok()
            .flatten();
        match (&object.namespace, live) {
            (_, None) => {}
            // A CRD another release still uses stays, without us.
            (None, Some(live)) => assert!(!users(&live).contains(&us), "{object} still ours"),
            (Some(_), Some(_)) => panic!("{object} is still there"),
        }
    }
    for object in &new_inventory {
        assert!(
            api_for(&client, object)
                .get_opt(&object.name)
                .await?
                .is_some(),
            "{object} is missing"
        );
    }

    // Pruned only once 2.x was ready: every workload reported ready before
    // the first 1.x-only object was deleted.
    let events = events.lock().map(|e| e.clone()).unwrap_or_default();
    let position = |wanted: &dyn Fn(&Event) -> bool| events.iter().position(wanted);
    let first_pruned = position(&|e| matches!(e, Event::Deleted(id) if removed_ids.contains(id)))
        .context("no 1.x-only object was deleted")?;
    let last_ready = events
        .iter()
        .rposition(|e| matches!(e, Event::Ready(_)))
        .context("nothing was reported ready")?;
    assert!(
        last_ready < first_pruned,
        "pruned before 2.x was ready: {events:#?}"
    );
    assert!(
        position(&|e| matches!(e, Event::MajorUpgrade(_))).is_some(),
        "the major upgrade was not reported"
    );

    // Recorded: revision 2 deployed at 2.15.1, revision 1 superseded.
    assert_eq!(
        revisions(&client, &ns).await?,
        [
            (1, Status::Superseded, "1.14.0".to_string()),
            (2, Status::Deployed, "2.15.1".to_string())
        ]
    );

    clean_up(&client, &ns).await;
    Ok(())
}
