//! Teardown on a cluster with more than one release, as a user with an agent
//! per team namespace and a platform would run it: shared CRDs stay while
//! another release uses them, a release whose operator is gone still tears
//! down in time, run leftovers are listed and removed when asked, kept
//! claims keep their credentials, and concurrent deploys of two releases
//! both record themselves on the shared objects.
//!
//! The tests share the cluster's CRDs, so they run one at a time; releases
//! other test binaries deploy or leave on the cluster use those CRDs too, so
//! every check is about this test's own releases (listed or not, kept or
//! not), never about the exact list of users.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Namespace, PersistentVolumeClaim, Pod, Secret, Service};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, DeleteParams, DynamicObject, Patch, PatchParams};
use kube::discovery::ApiResource;
use kube::{Client, ResourceExt};
use polyaxon_core::apply::{DeleteOptions, Released, api_for, users};
use polyaxon_core::event::{Event, Reporter, silent};
use polyaxon_core::ops::{self, TeardownOptions, TeardownSummary};
use polyaxon_core::release::{ClusterStore, ReleaseRef, ReleaseStore, Status};
use polyaxon_e2e::{
    client, delete_namespace, deploy_example, kubeconfig, polyaxon_binary, recorder,
    unique_namespace, user_claim,
};
use serde_json::json;

/// The tests share the CRDs: one at a time.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The CRDs of charts 2.12.0 and newer.
const CRDS: [&str; 4] = [
    "clusters.polyaxon.com",
    "jobs.polyaxon.com",
    "kfjobs.polyaxon.com",
    "services.polyaxon.com",
];
const JOBS_CRD: &str = "jobs.polyaxon.com";
const OUR_FINALIZER: &str = "job.finalizers.polyaxon.com";

/// Deploys an example into `namespace` as `polyaxon deploy` does, under
/// `release` when given.
async fn deploy(
    client: &Client,
    file: &str,
    namespace: &str,
    release: Option<&str>,
    set: &[&str],
    reporter: &Reporter,
) -> Result<ReleaseRef> {
    deploy_example(client, file, namespace, release, set, reporter).await
}

/// An agent named `release` in `namespace`, with the claim its example needs.
async fn agent(client: &Client, namespace: &str, release: &str) -> Result<ReleaseRef> {
    user_claim(client, namespace, "polyaxon-artifacts").await?;
    deploy(
        client,
        "agent.yml",
        namespace,
        Some(release),
        &[],
        &silent(),
    )
    .await
}

async fn teardown(
    client: &Client,
    target: &ReleaseRef,
    keep_volumes: bool,
    timeout: Duration,
    reporter: &Reporter,
) -> Result<TeardownSummary> {
    let op = TeardownOptions {
        target: target.clone(),
        hooks: true,
        delete: DeleteOptions {
            keep_volumes,
            timeout,
        },
        delete_runs: false,
    };
    // Boxed: the teardown future is too large for a test thread's stack.
    Ok(Box::pin(ops::teardown(client, &op, reporter)).await?)
}

/// The releases a CRD lists as its users; `None` when the CRD is gone.
async fn crd_users(client: &Client, name: &str) -> Result<Option<BTreeSet<String>>> {
    let crds: Api<DynamicObject> = Api::all_with(
        client.clone(),
        &ApiResource::erase::<CustomResourceDefinition>(&()),
    );
    Ok(crds.get_opt(name).await?.map(|crd| users(&crd)))
}

fn jobs_api(client: &Client, namespace: &str) -> Api<DynamicObject> {
    let resource = ApiResource {
        group: "polyaxon.com".into(),
        version: "v1".into(),
        api_version: "polyaxon.com/v1".into(),
        kind: "Job".into(),
        plural: "jobs".into(),
    };
    Api::namespaced_with(client.clone(), namespace, &resource)
}

/// A run object (a Polyaxon `Job`) as the agent creates one.
async fn run_object(
    client: &Client,
    namespace: &str,
    name: &str,
    finalizers: &[&str],
) -> Result<()> {
    let object = json!({
        "apiVersion": "polyaxon.com/v1", "kind": "Job",
        "metadata": {"name": name, "finalizers": finalizers},
        "batchJobSpec": {}
    });
    jobs_api(client, namespace)
        .patch(
            name,
            &PatchParams::apply("polyaxon-operator").force(),
            &Patch::Apply(object),
        )
        .await
        .with_context(|| format!("creating the run {name} in {namespace}"))?;
    Ok(())
}

/// Whether the run is there; not when its kind is gone with its CRD.
async fn run_exists(client: &Client, namespace: &str, name: &str) -> Result<bool> {
    match jobs_api(client, namespace).get(name).await {
        Ok(_) => Ok(true),
        Err(kube::Error::Api(status)) if status.code == 404 => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// The UID of every object the release's latest record lists, cluster-scoped
/// ones (its CRDs) included; an object that is missing has none.
async fn objects_of(client: &Client, target: &ReleaseRef) -> Result<BTreeMap<String, String>> {
    let record = ClusterStore::new(client.clone(), &target.namespace, &target.release)
        .latest()
        .await?
        .with_context(|| format!("a record of {target:?}"))?;
    let mut out = BTreeMap::new();
    for object in record.inventory {
        let live = api_for(client, &object).get_opt(&object.name).await?;
        let uid = live.and_then(|l| l.uid()).unwrap_or_default();
        out.insert(object.to_string(), uid);
    }
    Ok(out)
}

/// The CRD's users, which must list every one of `present` and none of
/// `absent`.
async fn check_users(client: &Client, crd: &str, present: &[&str], absent: &[&str]) -> Result<()> {
    let listed = crd_users(client, crd)
        .await?
        .with_context(|| format!("{crd} is kept"))?;
    for user in present {
        assert!(listed.contains(*user), "{crd} lists {user}: {listed:?}");
    }
    for user in absent {
        assert!(
            !listed.contains(*user),
            "{crd} no longer lists {user}: {listed:?}"
        );
    }
    Ok(())
}

/// The release's ClusterRoles and ClusterRoleBindings: their
/// resourceVersion (changed by any write) and the releases they list.
async fn cluster_scoped_of(
    client: &Client,
    target: &ReleaseRef,
) -> Result<BTreeMap<String, (String, BTreeSet<String>)>> {
    let record = ClusterStore::new(client.clone(), &target.namespace, &target.release)
        .latest()
        .await?
        .context("a record of the first release")?;
    let mut out = BTreeMap::new();
    for object in record.inventory {
        if object.namespace.is_some() || object.kind == "CustomResourceDefinition" {
            continue;
        }
        let live = api_for(client, &object)
            .get(&object.name)
            .await
            .with_context(|| format!("reading {object}"))?;
        let version = live.resource_version().unwrap_or_default();
        out.insert(object.id(), (version, users(&live)));
    }
    Ok(out)
}

async fn create_namespace(client: &Client, name: &str) -> Result<()> {
    Api::<Namespace>::all(client.clone())
        .patch(
            name,
            &PatchParams::apply("polyaxon-e2e").force(),
            &Patch::Apply(
                json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}),
            ),
        )
        .await?;
    Ok(())
}

async fn cleanup(client: &Client, namespaces: &[&str]) {
    for ns in namespaces {
        delete_namespace(client, ns).await;
    }
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn agents_of_one_name_and_a_platform_share_the_crds_until_the_last_one_goes() -> Result<()> {
    let _serial = SERIAL.lock().await;
    let client = client().await?;
    let (a, b, c) = (
        unique_namespace("team-a"),
        unique_namespace("team-b"),
        unique_namespace("platform-c"),
    );
    let agent_a = agent(&client, &a, "agent").await?;
    let agent_b = agent(&client, &b, "agent").await?;
    // The platform at an older version than the agents: the same CRD kinds.
    let platform = deploy(
        &client,
        "platform.yml",
        &c,
        None,
        &["deploymentVersion=2.15.1"],
        &silent(),
    )
    .await?;
    let (ua, ub, uc) = (
        format!("{a}/agent"),
        format!("{b}/agent"),
        format!("{c}/{}", platform.release),
    );
    for crd in CRDS {
        check_users(&client, crd, &[&ua, &ub, &uc], &[]).await?;
    }
    for ns in [&a, &b, &c] {
        run_object(&client, ns, "run-1", &[]).await?;
    }
    let b_objects = objects_of(&client, &agent_b).await?;
    let c_objects = objects_of(&client, &platform).await?;
    for (object, uid) in b_objects.iter().chain(&c_objects) {
        assert!(!uid.is_empty(), "{object} is deployed");
    }

    let summary = teardown(&client, &agent_a, true, Duration::from_secs(120), &silent()).await?;
    assert!(!run_exists(&client, &a, "run-1").await?, "a's run is gone");
    assert!(run_exists(&client, &b, "run-1").await?, "b's run is kept");
    assert!(run_exists(&client, &c, "run-1").await?, "c's run is kept");
    assert_eq!(
        objects_of(&client, &agent_b).await?,
        b_objects,
        "every object of b, the CRDs included, is the same object"
    );
    assert_eq!(objects_of(&client, &platform).await?, c_objects);
    for crd in CRDS {
        check_users(&client, crd, &[&ub, &uc], &[&ua]).await?;
        // A helm-installed Polyaxon whose CRDs these releases use as they
        // are (another test's) is named first.
        let kept = summary.shared.iter().any(|r| {
            matches!(r, Released::Kept { id, holder } if id.ends_with(crd)
                && (holder.contains(&ub) || holder.contains("helm release")))
        });
        assert!(
            kept,
            "the summary says who holds {crd}: {:?}",
            summary.shared
        );
    }
    let store = ClusterStore::new(client.clone(), &b, "agent");
    assert_eq!(
        store.latest().await?.map(|r| r.status),
        Some(Status::Deployed),
        "b is still deployed"
    );

    teardown(&client, &agent_b, true, Duration::from_secs(120), &silent()).await?;
    assert!(run_exists(&client, &c, "run-1").await?, "c's run is kept");
    assert_eq!(objects_of(&client, &platform).await?, c_objects);
    check_users(&client, JOBS_CRD, &[&uc], &[&ub]).await?;

    let summary = teardown(
        &client,
        &platform,
        false,
        Duration::from_secs(120),
        &silent(),
    )
    .await?;
    for crd in CRDS {
        let released = summary.shared.iter().find(|r| match r {
            Released::Deleted(id) | Released::Kept { id, .. } => id.ends_with(crd),
        });
        match (released, crd_users(&client, crd).await?) {
            // The last of ours, and nobody else's: deleted.
            (Some(Released::Deleted(_)), None) => {}
            // Deleted, and created again by a release of another test since.
            (Some(Released::Deleted(_)), Some(now)) => {
                assert!(!now.contains(&uc), "{crd}: {now:?}")
            }
            // Kept only for someone other than these three releases.
            (Some(Released::Kept { holder, .. }), Some(now)) => {
                for ours in [&ua, &ub, &uc] {
                    assert!(!holder.contains(ours.as_str()), "{crd}: {holder}");
                    assert!(!now.contains(ours), "{crd}: {now:?}");
                }
                assert!(
                    !now.is_empty() || holder.contains("helm") || holder.contains("remain"),
                    "{crd} is kept for nobody: {holder}"
                );
            }
            other => bail!("{crd} after its last user went: {other:?}"),
        }
    }
    cleanup(&client, &[&a, &b, &c]).await;
    Ok(())
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn a_release_whose_operator_is_gone_tears_down_in_time_removing_our_finalizers() -> Result<()>
{
    let _serial = SERIAL.lock().await;
    let client = client().await?;
    let ns = unique_namespace("no-operator");
    let target = agent(&client, &ns, "agent").await?;
    run_object(&client, &ns, "run-1", &[OUR_FINALIZER]).await?;
    run_object(&client, &ns, "run-2", &[OUR_FINALIZER]).await?;
    // The operator is gone: nothing will ever finalize the runs.
    let operator = "agent-polyaxon-operator";
    Api::<Deployment>::namespaced(client.clone(), &ns)
        .delete(operator, &DeleteParams::foreground())
        .await?;

    let timeout = Duration::from_secs(60);
    let (reporter, events) = recorder();
    let started = Instant::now();
    let summary = teardown(&client, &target, true, timeout, &reporter).await?;
    let took = started.elapsed();
    assert!(took < timeout, "tore down in {took:?}, within {timeout:?}");
    let removed: Vec<(String, Vec<String>)> = summary
        .finalizers_removed
        .iter()
        .map(|r| (r.object.clone(), r.finalizers.clone()))
        .collect();
    assert_eq!(removed.len(), 2, "{removed:?}");
    for (object, finalizers) in &removed {
        assert!(object.starts_with("Job/run-"), "{object}");
        assert_eq!(finalizers, &vec![OUR_FINALIZER.to_string()]);
    }
    let events = events.lock().unwrap().clone();
    assert!(
        events.iter().any(|e| matches!(e, Event::FinalizersRemoved { finalizers, .. } if finalizers.contains(&OUR_FINALIZER.to_string()))),
        "the removal is reported"
    );
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::Waiting { what, .. } if what.contains("run object"))),
        "the wait for the runs says what it waits for"
    );
    assert!(!run_exists(&client, &ns, "run-1").await?);
    assert!(!run_exists(&client, &ns, "run-2").await?);
    cleanup(&client, &[&ns]).await;
    Ok(())
}

/// Pods and services a run left, as the operator labels them.
async fn run_leftovers(client: &Client, namespace: &str) -> Result<()> {
    let labels = json!({
        "app.kubernetes.io/part-of": "polyaxon-runs",
        "app.kubernetes.io/managed-by": "polyaxon",
    });
    let params = PatchParams::apply("polyaxon-operator").force();
    Api::<Pod>::namespaced(client.clone(), namespace)
        .patch(
            "plx-notebook-1",
            &params,
            &Patch::Apply(json!({
                "apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": "plx-notebook-1", "labels": labels},
                "spec": {"containers": [{"name": "notebook", "image": "polyaxon/polyaxon-init"}]}
            })),
        )
        .await?;
    Api::<Service>::namespaced(client.clone(), namespace)
        .patch(
            "plx-notebook-1",
            &params,
            &Patch::Apply(json!({
                "apiVersion": "v1", "kind": "Service",
                "metadata": {"name": "plx-notebook-1", "labels": labels},
                "spec": {"ports": [{"port": 80}]}
            })),
        )
        .await?;
    Ok(())
}

async fn leftovers_present(client: &Client, namespace: &str) -> Result<(bool, bool)> {
    Ok((
        Api::<Pod>::namespaced(client.clone(), namespace)
            .get_opt("plx-notebook-1")
            .await?
            .is_some(),
        Api::<Service>::namespaced(client.clone(), namespace)
            .get_opt("plx-notebook-1")
            .await?
            .is_some(),
    ))
}

/// Runs the CLI with `args`; returns (success, stderr). With `answer`, on a
/// terminal (through `script`), answering the confirmation with it.
fn cli(args: &[&str], answer: Option<&str>) -> Result<(bool, String)> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let binary = polyaxon_binary()?;
    let config = kubeconfig();
    let mut full: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    full.extend(["--kubeconfig".into(), config.display().to_string()]);
    let mut command = match answer {
        None => {
            let mut c = Command::new(&binary);
            c.args(&full);
            c
        }
        Some(_) => {
            let line = std::iter::once(binary.display().to_string())
                .chain(full)
                .collect::<Vec<_>>()
                .join(" ");
            let mut c = Command::new("script");
            c.args(["-qec", &line, "/dev/null"]);
            c
        }
    };
    let mut child = command
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("running the polyaxon binary")?;
    if let (Some(answer), Some(mut stdin)) = (answer, child.stdin.take()) {
        // The question comes first; the answer after it.
        std::thread::sleep(Duration::from_secs(3));
        stdin.write_all(answer.as_bytes())?;
    }
    let output = child.wait_with_output()?;
    // Through `script`, everything the terminal showed is on stdout.
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    Ok((output.status.success(), text))
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn run_leftovers_are_listed_in_the_prompt_kept_and_removed_with_delete_runs() -> Result<()> {
    let _serial = SERIAL.lock().await;
    let client = client().await?;
    let ns = unique_namespace("leftovers");
    let target = agent(&client, &ns, "agent").await?;
    run_leftovers(&client, &ns).await?;

    let preview = ops::teardown_preview(&client, &target).await?;
    assert_eq!(
        preview.run_leftovers.into_iter().collect::<Vec<_>>(),
        vec![("Pod".to_string(), 1), ("Service".to_string(), 1)]
    );
    let (ok, shown) = cli(&["teardown", "-r", "agent", "-n", &ns], Some("n\n"))?;
    assert!(!ok, "answered no: {shown}");
    assert!(
        shown.contains(&format!("Runs left behind in {ns}: 1 Pod, 1 Service")),
        "the prompt lists them: {shown}"
    );
    assert!(
        ClusterStore::new(client.clone(), &ns, "agent")
            .latest()
            .await?
            .is_some(),
        "cancelled: the release is still there"
    );

    let (ok, said) = cli(&["teardown", "-r", "agent", "-n", &ns, "--yes"], None)?;
    assert!(ok, "{said}");
    assert!(
        said.contains("kept what runs left behind: 1 Pod, 1 Service (2 object(s))"),
        "{said}"
    );
    assert!(
        said.contains("--delete-runs"),
        "says how to remove them: {said}"
    );
    assert_eq!(leftovers_present(&client, &ns).await?, (true, true));

    let (ok, said) = cli(
        &[
            "teardown",
            "-r",
            "agent",
            "-n",
            &ns,
            "--delete-runs",
            "--yes",
        ],
        None,
    )?;
    assert!(ok, "{said}");
    assert!(said.contains("deleted what runs left behind"), "{said}");
    assert_eq!(leftovers_present(&client, &ns).await?, (false, false));
    cleanup(&client, &[&ns]).await;
    Ok(())
}

async fn postgres_password(client: &Client, namespace: &str, release: &str) -> Result<Vec<u8>> {
    let secret = Api::<Secret>::namespaced(client.clone(), namespace)
        .get(&format!("{release}-postgresql"))
        .await?;
    secret
        .data
        .and_then(|d| d.get("password").map(|v| v.0.clone()))
        .context("the PostgreSQL Secret has a password")
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn a_platform_torn_down_with_its_claims_kept_comes_back_with_its_database_password()
-> Result<()> {
    let _serial = SERIAL.lock().await;
    let client = client().await?;
    let ns = unique_namespace("keep-data");
    let target = deploy(&client, "platform.yml", &ns, None, &[], &silent()).await?;
    let before = postgres_password(&client, &ns, &target.release).await?;

    let summary = teardown(&client, &target, true, Duration::from_secs(120), &silent()).await?;
    let claim = format!("data-{}-postgresql-0", target.release);
    assert!(
        Api::<PersistentVolumeClaim>::namespaced(client.clone(), &ns)
            .get_opt(&claim)
            .await?
            .is_some(),
        "the database's claim {claim} is kept"
    );
    let secret = format!("Secret/{}-postgresql", target.release);
    assert!(
        summary.credentials_kept.contains(&secret),
        "{:?}",
        summary.credentials_kept
    );

    let (reporter, events) = recorder();
    deploy(&client, "platform.yml", &ns, None, &[], &reporter).await?;
    assert_eq!(
        postgres_password(&client, &ns, &target.release).await?,
        before,
        "the kept database's password"
    );
    let events = events.lock().unwrap().clone();
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::GeneratedValuesKept(places) if places.iter().any(|p| p.contains("postgresql")))),
        "the deploy says it kept them"
    );

    let summary = teardown(&client, &target, false, Duration::from_secs(120), &silent()).await?;
    assert!(summary.credentials_kept.is_empty());
    assert!(
        Api::<Secret>::namespaced(client.clone(), &ns)
            .get_opt(&format!("{}-postgresql", target.release))
            .await?
            .is_none(),
        "--delete-volumes removes the credentials with the data"
    );
    let claim = format!("data-{}-postgresql-0", target.release);
    assert!(
        Api::<PersistentVolumeClaim>::namespaced(client.clone(), &ns)
            .get_opt(&claim)
            .await?
            .is_none(),
        "--delete-volumes removes the database's claim {claim}"
    );
    cleanup(&client, &[&ns]).await;
    Ok(())
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn two_releases_deployed_at_once_both_end_deployed_and_the_crds_list_both() -> Result<()> {
    let _serial = SERIAL.lock().await;
    let client = client().await?;
    let (g, h) = (unique_namespace("team-g"), unique_namespace("team-h"));
    user_claim(&client, &g, "polyaxon-artifacts").await?;
    user_claim(&client, &h, "polyaxon-artifacts").await?;
    let quiet = silent();
    let (one, two) = tokio::join!(
        deploy(&client, "agent.yml", &g, Some("agent-one"), &[], &quiet),
        deploy(&client, "agent.yml", &h, Some("agent-two"), &[], &quiet),
    );
    let (one, two) = (one?, two?);
    for target in [&one, &two] {
        let store = ClusterStore::new(client.clone(), &target.namespace, &target.release);
        assert_eq!(
            store.latest().await?.map(|r| r.status),
            Some(Status::Deployed),
            "{target:?}"
        );
    }
    for crd in CRDS {
        let listed = crd_users(&client, crd).await?.unwrap_or_default();
        for user in [format!("{g}/agent-one"), format!("{h}/agent-two")] {
            assert!(listed.contains(&user), "{crd} lists {user}: {listed:?}");
        }
    }
    teardown(&client, &one, true, Duration::from_secs(120), &quiet).await?;
    teardown(&client, &two, true, Duration::from_secs(120), &quiet).await?;
    cleanup(&client, &[&g, &h]).await;
    Ok(())
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn one_release_name_in_two_namespaces_with_different_cluster_roles_is_refused_first()
-> Result<()> {
    let _serial = SERIAL.lock().await;
    let client = client().await?;
    let (first, second) = (unique_namespace("roles-a"), unique_namespace("roles-b"));
    let runs_a = format!("{first}-runs");
    user_claim(&client, &first, "polyaxon-artifacts").await?;
    create_namespace(&client, &runs_a).await?;
    let additional = format!("agent.additionalNamespaces={{{runs_a}}}");
    let target = deploy(
        &client,
        "agent.yml",
        &first,
        Some("shared-name"),
        &[&additional],
        &silent(),
    )
    .await?;

    let first_cluster_objects = cluster_scoped_of(&client, &target).await?;
    assert!(
        first_cluster_objects
            .keys()
            .any(|o| o.starts_with("ClusterRoleBinding/")),
        "the first release binds ClusterRoles: {first_cluster_objects:?}"
    );

    let other = format!("agent.additionalNamespaces={{{second}-runs}}");
    let refused = deploy(
        &client,
        "agent.yml",
        &second,
        Some("shared-name"),
        &[&other],
        &silent(),
    )
    .await;
    let Err(error) = refused else {
        bail!("the second release of one name was deployed over the first's ClusterRoles");
    };
    let text = error.to_string();
    assert!(
        text.contains("ClusterRole")
            && text.contains(&format!("{first}/shared-name"))
            && text.contains("another release name"),
        "names the object, its holder and the way out: {text}"
    );
    // Nothing was written: no namespace (so nothing in it), the first
    // release's cluster-scoped objects untouched, the second listed nowhere.
    for ns in [&second, &format!("{second}-runs")] {
        assert!(
            Api::<Namespace>::all(client.clone())
                .get_opt(ns)
                .await?
                .is_none(),
            "refused before namespace {ns} was created"
        );
    }
    let unwanted = format!("{second}/shared-name");
    assert_eq!(
        cluster_scoped_of(&client, &target).await?,
        first_cluster_objects,
        "the first release's ClusterRoles and bindings are unchanged"
    );
    for crd in CRDS {
        check_users(
            &client,
            crd,
            &[&format!("{first}/shared-name")],
            &[&unwanted],
        )
        .await?;
    }
    teardown(&client, &target, true, Duration::from_secs(120), &silent()).await?;
    cleanup(&client, &[&first, &runs_a]).await;
    Ok(())
}
