//! The release lifecycle against the local cluster: deploy, upgrade (changes
//! only what changed, refuses downgrades, prunes, rolls back with --atomic),
//! concurrent operations, and teardown with and without hooks.
//!
//! The manifests here are small hand-built releases (a config map, a service,
//! a deployment, hook Jobs) so that every lifecycle rule is checked on its
//! own; the chart renderers are deployed by their own end-to-end tests.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
use k8s_openapi::api::batch::v1::{Job, JobSpec};
use k8s_openapi::api::core::v1::{
    ConfigMap, Container, PodSpec, PodTemplateSpec, Secret, Service, ServicePort, ServiceSpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use kube::api::{Api, ListParams, PostParams};
use kube::{Client, ResourceExt};
use polyaxon_core::apply::{Action, DeleteOptions};
use polyaxon_core::event::{Event, Reporter};
use polyaxon_core::ops::{
    self, DeployOptions, Deployable, Diff, OpError, TeardownOptions, UpgradeOptions,
    UpgradeOutcome, WaitOptions,
};
use polyaxon_core::release::ReleaseRef;
use polyaxon_core::release::{ClusterStore, ReleaseStore, Status};
use polyaxon_core::render::labels::release_selector;
use polyaxon_core::render::manifest::erase;
use polyaxon_core::render::{Hook, Manifest, ReleaseState, RenderError, Stage};
use polyaxon_e2e::{client, delete_namespace, recorder, unique_namespace};

/// A tiny release: what the renderers' output looks like, by hand.
#[derive(Clone)]
struct Chart {
    release: String,
    namespace: String,
    version: String,
    log_level: String,
    with_service: bool,
    node_selector: Option<(String, String)>,
}

impl Chart {
    fn new(release: &str, namespace: &str) -> Self {
        Chart {
            release: release.into(),
            namespace: namespace.into(),
            version: "2.4.0".into(),
            log_level: "info".into(),
            with_service: true,
            node_selector: None,
        }
    }

    fn meta(&self, name: &str) -> ObjectMeta {
        ObjectMeta {
            name: Some(name.into()),
            namespace: Some(self.namespace.clone()),
            labels: Some(self.labels(name)),
            ..ObjectMeta::default()
        }
    }

    fn labels(&self, name: &str) -> BTreeMap<String, String> {
        BTreeMap::from([
            ("app.kubernetes.io/managed-by".into(), "polyaxon".into()),
            ("app.kubernetes.io/instance".into(), self.release.clone()),
            ("app.kubernetes.io/version".into(), self.version.clone()),
            ("app.kubernetes.io/name".into(), name.into()),
        ])
    }

    fn job(&self, name: &str) -> Job {
        Job {
            metadata: self.meta(name),
            spec: Some(JobSpec {
                backoff_limit: Some(0),
                template: PodTemplateSpec {
                    metadata: Some(ObjectMeta {
                        labels: Some(self.labels(name)),
                        ..ObjectMeta::default()
                    }),
                    spec: Some(PodSpec {
                        restart_policy: Some("Never".into()),
                        containers: vec![Container {
                            name: "hook".into(),
                            image: Some("polyaxon/polyaxon-cli:2.4.0".into()),
                            ..Container::default()
                        }],
                        ..PodSpec::default()
                    }),
                },
                ..JobSpec::default()
            }),
            ..Job::default()
        }
    }

    fn render(&self, _state: &ReleaseState) -> Result<Manifest, RenderError> {
        let name = format!("{}-gateway", self.release);
        let config = ConfigMap {
            metadata: self.meta(&format!("{}-config", self.release)),
            data: Some(BTreeMap::from([(
                "POLYAXON_LOG_LEVEL".into(),
                self.log_level.clone(),
            )])),
            ..ConfigMap::default()
        };
        let selector = BTreeMap::from([("app.kubernetes.io/name".to_string(), name.clone())]);
        let deployment = Deployment {
            metadata: self.meta(&name),
            spec: Some(DeploymentSpec {
                replicas: Some(2),
                selector: LabelSelector {
                    match_labels: Some(selector.clone()),
                    ..LabelSelector::default()
                },
                template: PodTemplateSpec {
                    metadata: Some(ObjectMeta {
                        labels: Some(self.labels(&name)),
                        ..ObjectMeta::default()
                    }),
                    spec: Some(PodSpec {
                        node_selector: self
                            .node_selector
                            .clone()
                            .map(|(k, v)| BTreeMap::from([(k, v)])),
                        containers: vec![Container {
                            name: "gateway".into(),
                            image: Some(format!("polyaxon/polyaxon-gateway:{}", self.version)),
                            ..Container::default()
                        }],
                        ..PodSpec::default()
                    }),
                },
                ..DeploymentSpec::default()
            }),
            ..Deployment::default()
        };
        let mut objects = vec![
            erase(Stage::Config, None, &config)?,
            erase(Stage::Workloads, None, &deployment)?,
            erase(
                Stage::Workloads,
                Some(Hook::PostInstall),
                &self.job(&format!("{}-init", self.release)),
            )?,
            erase(
                Stage::Workloads,
                Some(Hook::PreDelete),
                &self.job(&format!("{}-clean", self.release)),
            )?,
        ];
        if self.with_service {
            let service = Service {
                metadata: self.meta(&name),
                spec: Some(ServiceSpec {
                    selector: Some(selector),
                    ports: Some(vec![ServicePort {
                        port: 80,
                        name: Some("http".into()),
                        ..ServicePort::default()
                    }]),
                    ..ServiceSpec::default()
                }),
                ..Service::default()
            };
            objects.insert(1, erase(Stage::Services, None, &service)?);
        }
        Ok(Manifest { objects })
    }
}

fn target(chart: &Chart) -> ReleaseRef {
    ReleaseRef {
        release: chart.release.clone(),
        namespace: chart.namespace.clone(),
    }
}

fn wait(seconds: u64) -> WaitOptions {
    WaitOptions {
        wait: true,
        timeout: Duration::from_secs(seconds),
        concurrency: polyaxon_core::apply::DEFAULT_CONCURRENCY,
    }
}

async fn deploy(client: &Client, chart: &Chart, reporter: &Reporter) -> Result<(), OpError> {
    let render = |s: &ReleaseState| chart.render(s);
    let source = Deployable {
        chart: "agent".into(),
        version: chart.version.clone(),
        config: serde_json::json!({"logLevel": chart.log_level}),
        render: &render,
    };
    let op = DeployOptions {
        target: target(chart),
        wait: wait(60),
    };
    ops::deploy(client, &op, &source, reporter)
        .await
        .map(|_| ())
}

async fn upgrade(
    client: &Client,
    chart: &Chart,
    dry_run: bool,
    atomic: bool,
    timeout: u64,
) -> Result<UpgradeOutcome, OpError> {
    let render = |s: &ReleaseState| chart.render(s);
    let source = Deployable {
        chart: "agent".into(),
        version: chart.version.clone(),
        config: serde_json::json!({"logLevel": chart.log_level}),
        render: &render,
    };
    let op = UpgradeOptions {
        target: target(chart),
        wait: wait(timeout),
        allow_downgrade: false,
        confirmed: false,
        dry_run,
        atomic,
    };
    ops::upgrade(client, &op, &source, &polyaxon_core::event::silent()).await
}

/// `Kind/name` → resourceVersion of the release's objects of kind `K`.
async fn labelled<K>(client: &Client, chart: &Chart) -> Result<BTreeMap<String, String>>
where
    K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope, DynamicType = ()>
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug,
{
    let params = ListParams::default().labels(&release_selector(&chart.release));
    let list = Api::<K>::namespaced(client.clone(), &chart.namespace)
        .list(&params)
        .await?;
    Ok(list
        .items
        .iter()
        .map(|o| {
            (
                format!("{}/{}", K::kind(&()), o.name_any()),
                o.resource_version().unwrap_or_default(),
            )
        })
        .collect())
}

/// resourceVersion of every object of the release, by kind/name.
async fn versions(client: &Client, chart: &Chart) -> Result<BTreeMap<String, String>> {
    let mut out = labelled::<ConfigMap>(client, chart).await?;
    out.extend(labelled::<Service>(client, chart).await?);
    out.extend(labelled::<Deployment>(client, chart).await?);
    Ok(out)
}

/// What still carries the release's labels, jobs and pods included.
async fn labelled_left(client: &Client, chart: &Chart) -> Result<Vec<String>> {
    let mut left = versions(client, chart).await?;
    left.extend(labelled::<Job>(client, chart).await?);
    left.extend(labelled::<k8s_openapi::api::core::v1::Pod>(client, chart).await?);
    Ok(left.into_keys().collect())
}

async fn create_namespace(client: &Client, ns: &str) -> Result<()> {
    let namespaces: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(client.clone());
    let mut object = k8s_openapi::api::core::v1::Namespace::default();
    object.metadata.name = Some(ns.into());
    namespaces.create(&PostParams::default(), &object).await?;
    Ok(())
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn deploy_upgrade_guard_prune_and_teardown_without_hooks() -> Result<()> {
    let client = client().await?;
    let ns = unique_namespace("life");
    let mut chart = Chart::new("plx", &ns);
    let (reporter, events) = recorder();

    // Deploy: every Deployment Available, post-install hook run and removed.
    deploy(&client, &chart, &reporter).await?;
    let gateway: Deployment = Api::namespaced(client.clone(), &ns)
        .get("plx-gateway")
        .await?;
    assert_eq!(gateway.status.and_then(|s| s.available_replicas), Some(2));
    let jobs: Api<Job> = Api::namespaced(client.clone(), &ns);
    assert!(
        jobs.get_opt("plx-init").await?.is_none(),
        "the hook Job is deleted after it ran"
    );
    assert!(
        events.lock().unwrap().iter().any(|e| matches!(
            e,
            Event::HookFinished {
                succeeded: true,
                ..
            }
        )),
        "the post-install hook ran"
    );
    let store = ClusterStore::new(client.clone(), &ns, "plx");
    let first = store.deployed().await?.context("no deployed record")?;
    assert_eq!((first.revision, first.status), (1, Status::Deployed));

    // A second deploy of the same release is refused.
    match deploy(&client, &chart, &polyaxon_core::event::silent()).await {
        Err(OpError::ReleaseExists { revision: 1, .. }) => {}
        other => bail!("a second deploy must be refused, got {other:?}"),
    }

    // A config change upgrades only the changed object.
    let before = versions(&client, &chart).await?;
    chart.log_level = "debug".into();
    let outcome = upgrade(&client, &chart, false, false, 60).await?;
    let UpgradeOutcome::Upgraded { plan, record } = outcome else {
        bail!("expected an upgrade");
    };
    assert_eq!(record.revision, 2);
    assert_eq!(plan.counts(), (0, 1, 2, 0), "one change, two unchanged");
    let after = versions(&client, &chart).await?;
    assert_ne!(
        before["ConfigMap/plx-config"],
        after["ConfigMap/plx-config"]
    );
    assert_eq!(
        before["Deployment/plx-gateway"],
        after["Deployment/plx-gateway"]
    );
    assert_eq!(before["Service/plx-gateway"], after["Service/plx-gateway"]);
    let history = store.history().await?;
    assert_eq!(
        history.iter().map(|r| r.status).collect::<Vec<_>>(),
        vec![Status::Superseded, Status::Deployed]
    );

    // A no-op upgrade plans nothing and writes nothing.
    let UpgradeOutcome::Planned(Diff { plan, .. }) =
        upgrade(&client, &chart, true, false, 60).await?
    else {
        bail!("expected a plan");
    };
    assert!(plan.is_noop(), "{:?}", plan.counts());

    // An older version is refused and nothing changes.
    let mut older = chart.clone();
    older.version = "2.3.0".into();
    match upgrade(&client, &older, false, false, 60).await {
        Err(OpError::Downgrade { .. }) => {}
        other => bail!("a downgrade must be refused, got {other:?}"),
    }
    assert_eq!(versions(&client, &chart).await?, after);
    assert_eq!(store.history().await?.len(), 2, "no revision recorded");

    // Dropping the service prunes it.
    chart.with_service = false;
    let UpgradeOutcome::Upgraded { plan, .. } = upgrade(&client, &chart, false, false, 60).await?
    else {
        bail!("expected an upgrade");
    };
    assert!(
        plan.items
            .iter()
            .any(|i| i.action == Action::Delete && i.object.kind == "Service")
    );
    let services: Api<Service> = Api::namespaced(client.clone(), &ns);
    assert!(services.get_opt("plx-gateway").await?.is_none(), "pruned");

    // Teardown without hooks: nothing labelled for the release is left, a
    // foreign object is untouched, records are gone.
    let foreign = ConfigMap {
        metadata: ObjectMeta {
            name: Some("not-ours".into()),
            ..ObjectMeta::default()
        },
        ..ConfigMap::default()
    };
    Api::<ConfigMap>::namespaced(client.clone(), &ns)
        .create(&PostParams::default(), &foreign)
        .await?;
    let (reporter, events) = recorder();
    let op = TeardownOptions {
        target: target(&chart),
        hooks: false,
        delete: DeleteOptions {
            keep_volumes: true,
            timeout: Duration::from_secs(60),
        },
        delete_runs: false,
    };
    ops::teardown(&client, &op, &reporter).await?;
    assert!(
        !events
            .lock()
            .unwrap()
            .iter()
            .any(|e| matches!(e, Event::HookStarted { .. }))
    );
    assert_eq!(labelled_left(&client, &chart).await?, Vec::<String>::new());
    assert!(
        Api::<ConfigMap>::namespaced(client.clone(), &ns)
            .get_opt("not-ours")
            .await?
            .is_some()
    );
    let records: Api<Secret> = Api::namespaced(client.clone(), &ns);
    let left = records
        .list(&ListParams::default().labels("polyaxon.dev/release=plx"))
        .await?;
    assert!(left.items.is_empty(), "release records are removed");
    delete_namespace(&client, &ns).await;
    Ok(())
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn atomic_upgrade_that_never_gets_ready_rolls_back() -> Result<()> {
    let client = client().await?;
    let ns = unique_namespace("atomic");
    let mut chart = Chart::new("plx", &ns);
    deploy(&client, &chart, &polyaxon_core::event::silent()).await?;

    // No node has this label: the new pods stay Pending.
    chart.node_selector = Some(("polyaxon.test/nowhere".into(), "true".into()));
    chart.log_level = "debug".into();
    match upgrade(&client, &chart, false, true, 5).await {
        Err(OpError::RolledBack { revision: 1, cause }) => {
            let text = cause.to_string();
            assert!(text.contains("Deployment/plx-gateway"), "{text}");
        }
        other => bail!("expected a rollback, got {other:?}"),
    }
    let store = ClusterStore::new(client.clone(), &ns, "plx");
    let history = store.history().await?;
    let statuses: Vec<_> = history.iter().map(|r| (r.revision, r.status)).collect();
    assert_eq!(
        statuses,
        vec![
            (1, Status::Superseded),
            (2, Status::Failed),
            (3, Status::Deployed)
        ]
    );
    let gateway: Deployment = Api::namespaced(client.clone(), &ns)
        .get("plx-gateway")
        .await?;
    let selector = gateway
        .spec
        .and_then(|s| s.template.spec)
        .and_then(|s| s.node_selector);
    assert_eq!(selector, None, "the deployment is back to revision 1");
    let config: ConfigMap = Api::namespaced(client.clone(), &ns)
        .get("plx-config")
        .await?;
    assert_eq!(config.data.unwrap()["POLYAXON_LOG_LEVEL"], "info");
    delete_namespace(&client, &ns).await;
    Ok(())
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn two_concurrent_deploys_exactly_one_proceeds() -> Result<()> {
    let client = client().await?;
    let ns = unique_namespace("race");
    create_namespace(&client, &ns).await?;
    let chart = Chart::new("plx", &ns);
    let silent = polyaxon_core::event::silent();
    let (a, b) = tokio::join!(
        deploy(&client, &chart, &silent),
        deploy(&client, &chart, &silent)
    );
    let failures: Vec<&OpError> = [&a, &b]
        .into_iter()
        .filter_map(|r| r.as_ref().err())
        .collect();
    assert_eq!(
        failures.len(),
        1,
        "exactly one deploy proceeds: {a:?} / {b:?}"
    );
    let message = failures[0].to_string();
    assert!(
        message.contains("is locked by polyaxon deploy") || message.contains("already exists"),
        "{message}"
    );
    let store = ClusterStore::new(client.clone(), &ns, "plx");
    assert_eq!(store.history().await?.len(), 1);
    delete_namespace(&client, &ns).await;
    Ok(())
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn teardown_runs_the_clean_up_hook_first_and_replaces_a_leftover_one() -> Result<()> {
    let client = client().await?;
    let ns = unique_namespace("hooks");
    let chart = Chart::new("plx", &ns);
    deploy(&client, &chart, &polyaxon_core::event::silent()).await?;

    // A clean-up Job left behind by an earlier failed teardown.
    let jobs: Api<Job> = Api::namespaced(client.clone(), &ns);
    jobs.create(&PostParams::default(), &chart.job("plx-clean"))
        .await?;

    let (reporter, events) = recorder();
    let op = TeardownOptions {
        target: target(&chart),
        hooks: true,
        delete: DeleteOptions {
            keep_volumes: true,
            timeout: Duration::from_secs(60),
        },
        delete_runs: false,
    };
    ops::teardown(&client, &op, &reporter).await?;
    let events = events.lock().unwrap().clone();
    let hook_done = events
        .iter()
        .position(|e| {
            matches!(
                e,
                Event::HookFinished {
                    hook: Hook::PreDelete,
                    succeeded: true,
                    ..
                }
            )
        })
        .context("the pre-delete hook did not finish")?;
    let first_delete = events
        .iter()
        .position(|e| matches!(e, Event::Deleted(_)))
        .context("nothing was deleted")?;
    assert!(
        hook_done < first_delete,
        "the clean-up hook runs before any deletion: {events:?}"
    );
    assert_eq!(labelled_left(&client, &chart).await?, Vec::<String>::new());
    delete_namespace(&client, &ns).await;
    Ok(())
}
