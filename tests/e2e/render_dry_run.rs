//! Every rendered object of every valid reference config (and of the
//! examples) is accepted by the API server as a server-side dry run
//! (`dryRun=All`): field names, value formats, selectors, names and labels
//! are all checked by the real thing, nothing is stored.
//!
//! Namespaced objects need their namespace to exist even for a dry run, so
//! each config gets a unique namespace, created for real and deleted after.
//! The rendered manifests hold no custom resources (only the Operation CRD
//! itself, which is dry-run like the rest), so no CRD has to exist for real.

#![allow(
    clippy::print_stderr,
    reason = "the test says which configs it checked"
)]

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use k8s_openapi::api::core::v1::Namespace;
use kube::Client;
use kube::api::{Api, DeleteParams, DynamicObject, Patch, PatchParams, PostParams};
use polyaxon_core::config::{self, LoadOptions};
use polyaxon_core::render::{self, Manifest, ReleaseState};
use polyaxon_e2e::{client, unique_namespace, workspace_root};

/// The reference configs, pinned as `shared/reference/README.md` says: the
/// `polyaxon-1.14-*` files to 1.14.0 (1.x rules), the others as written.
fn reference_configs() -> Vec<(PathBuf, Option<String>)> {
    let dir = workspace_root().join("../shared/reference/polyaxon-configs");
    let dir = if dir.exists() {
        dir
    } else {
        PathBuf::from("/work/shared/reference/polyaxon-configs")
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            let pin = name
                .starts_with("polyaxon-1.14-")
                .then(|| "1.14.0".to_string());
            (path, pin)
        })
        .collect()
}

fn examples() -> Vec<(PathBuf, Option<String>)> {
    ["agent.yml", "platform.yml", "ponos.yml"]
        .iter()
        .map(|f| (workspace_root().join("examples").join(f), None))
        .collect()
}

/// Sends every object of `manifest` as a server-side apply dry run; returns
/// the objects the API server refused, with its reason.
async fn dry_run_all(client: &Client, manifest: &Manifest) -> Vec<String> {
    let params = PatchParams::apply("polyaxon").dry_run().force();
    let mut refused = Vec::new();
    for object in &manifest.objects {
        let api: Api<DynamicObject> = match object.namespace() {
            Some(ns) if object.namespaced => {
                Api::namespaced_with(client.clone(), ns, &object.resource)
            }
            _ => Api::all_with(client.clone(), &object.resource),
        };
        if let Err(e) = api
            .patch(object.name(), &params, &Patch::Apply(&object.object))
            .await
        {
            refused.push(format!("{}: {e}", object.id()));
        }
    }
    refused
}

/// Loads, renders with fresh random values, and dry-runs one config in its
/// own namespace. `Ok(None)` when the config does not load (not valid).
async fn check_config(
    client: &Client,
    path: &Path,
    pin: Option<String>,
) -> Result<Option<Vec<String>>> {
    let namespace = unique_namespace("render");
    let options = LoadOptions {
        files: vec![path.to_path_buf()],
        deployment_version: pin,
        namespace: Some(namespace.clone()),
        release_name: Some("e2e".into()),
        ..LoadOptions::default()
    };
    let deployment = match config::load(&options) {
        Ok(d) => d,
        Err(errors) => {
            let first = errors
                .to_string()
                .lines()
                .nth(1)
                .unwrap_or_default()
                .trim()
                .to_string();
            eprintln!("  {}: {first}", path.display());
            return Ok(None);
        }
    };
    let state = ReleaseState::new_for(&deployment.release_name);
    let manifest = render::render(&deployment, &state)
        .with_context(|| format!("rendering {}", path.display()))?;

    // The release's namespace, and the others its objects go to (an agent's
    // `additionalNamespaces` get a copy of its token), exist as they must
    // for a real deploy; a unique prefix keeps them this test's own.
    let mut wanted: Vec<String> = vec![namespace.clone()];
    for object in &manifest.objects {
        if let Some(ns) = object.namespace().filter(|_| object.namespaced)
            && !wanted.iter().any(|w| w == ns)
        {
            wanted.push(ns.to_string());
        }
    }
    let namespaces: Api<Namespace> = Api::all(client.clone());
    for name in &wanted {
        // A namespace that an earlier config's run is deleting cannot take
        // objects: wait until it is gone, then create it again.
        for _ in 0..120 {
            match namespaces.get_opt(name).await? {
                Some(ns) if ns.metadata.deletion_timestamp.is_some() => {
                    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                }
                _ => break,
            }
        }
        if namespaces.get_opt(name).await?.is_some() {
            continue;
        }
        let ns = Namespace {
            metadata: kube::api::ObjectMeta {
                name: Some(name.clone()),
                ..Default::default()
            },
            ..Default::default()
        };
        namespaces
            .create(&PostParams::default(), &ns)
            .await
            .with_context(|| format!("creating namespace {name}"))?;
    }
    let refused = dry_run_all(client, &manifest).await;
    // Only the release's own namespace is removed: the others (fixed names
    // from the configs) are shared by the configs checked after this one.
    namespaces
        .delete(&namespace, &DeleteParams::default())
        .await
        .with_context(|| format!("deleting namespace {namespace}"))?;
    Ok(Some(refused))
}

async fn check_all(configs: Vec<(PathBuf, Option<String>)>) -> Result<(usize, Vec<String>)> {
    let client = client().await?;
    let mut checked = 0;
    let mut failures = Vec::new();
    for (path, pin) in configs {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let name = match &pin {
            Some(version) => format!("{name} at {version}"),
            None => name,
        };
        match check_config(&client, &path, pin).await? {
            None => eprintln!("skipped {name}: the config does not validate"),
            Some(refused) => {
                checked += 1;
                eprintln!("{name}: {} refused", refused.len());
                failures.extend(refused.into_iter().map(|r| format!("{name}: {r}")));
            }
        }
    }
    Ok((checked, failures))
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn every_valid_reference_config_is_accepted_by_the_api_server() -> Result<()> {
    let (checked, failures) = check_all(reference_configs()).await?;
    // The README lists 15 configs Polyaxon accepts under their pin; the
    // loader must let most of them through or this test proves little.
    assert!(checked >= 10, "only {checked} reference configs validated");
    assert!(
        failures.is_empty(),
        "refused by the API server:\n{}",
        failures.join("\n")
    );
    Ok(())
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn the_examples_are_accepted_by_the_api_server() -> Result<()> {
    let (checked, failures) = check_all(examples()).await?;
    assert_eq!(checked, 3, "every example must validate");
    assert!(
        failures.is_empty(),
        "refused by the API server:\n{}",
        failures.join("\n")
    );
    Ok(())
}

/// The chart versions whose templates differ in what the API server checks:
/// the first 2.x chart, the last with the `operations` CRD, the first with
/// the `*.polyaxon.com` CRDs, the newest chart, and a release newer than
/// every chart (it renders with the newest chart's templates).
const CHART_GENERATIONS: &[&str] = &["2.0.0", "2.11.1", "2.12.0", "2.15.1", "2.18.0"];

/// The configs of the official renders (the charts' CI values, the examples
/// as rendered, the feature configs), each pinned to every chart generation.
fn official_render_configs() -> Vec<(PathBuf, Option<String>)> {
    let dir = workspace_root().join("../shared/reference/official-renders/configs");
    let dir = if dir.exists() {
        dir
    } else {
        PathBuf::from("/work/shared/reference/official-renders/configs")
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yml"))
        .filter(|p| {
            // The 1.14 fixtures are pinned to 1.x; they are checked above.
            !p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("polyaxon-1.14-"))
        })
        .collect();
    files.sort();
    CHART_GENERATIONS
        .iter()
        .flat_map(|version| {
            files
                .iter()
                .map(move |path| (path.clone(), Some((*version).to_string())))
        })
        .collect()
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn every_chart_generation_renders_objects_the_api_server_accepts() -> Result<()> {
    let configs = official_render_configs();
    let total = configs.len();
    let (checked, failures) = check_all(configs).await?;
    assert_eq!(
        checked, total,
        "every config of the official renders validates at every 2.x chart generation"
    );
    assert!(
        failures.is_empty(),
        "refused by the API server:\n{}",
        failures.join("\n")
    );
    Ok(())
}

/// Configs that switch on what the reference configs leave off: TLS, the
/// Ingress, Redis and the Celery services, autoscalers, Flower, the 0.x
/// persistence and registry, the resources daemon, cluster-wide RBAC.
const FEATURE_CONFIGS: &[(&str, &str)] = &[
    (
        "platform-everything.yml",
        r#"
deploymentChart: platform
deploymentVersion: 2.18.0
ssl: {enabled: true, secretName: polyaxon-tls}
ingress: {enabled: true, hostName: polyaxon.acme.com, path: /, tls: [{secretName: polyaxon-tls, hosts: [polyaxon.acme.com]}], annotations: {a: b}}
gateway: {service: {type: LoadBalancer, annotations: {x: y}}, hpa: {enabled: true, cputhreshold: 60, minpods: 1, maxpods: 3}}
redis: {enabled: true, usePassword: true}
broker: redis
scheduler: {enabled: true}
worker: {enabled: true}
beat: {enabled: true}
flower: {enabled: true}
securityContext: {enabled: true, runAsUser: 1000, runAsGroup: 1000}
persistence:
  enabled: true
  logs: {existingClaim: logs-pvc}
  data: {d1: {mountPath: /data/1, hostPath: /mnt/d1, readOnly: true}, s3: {store: s3, bucket: "s3://b", secret: s3-secret, secretKey: key}}
  outputs: {o1: {mountPath: /outputs, existingClaim: outputs-pvc}}
docker-registry: {enabled: true}
resourcesDaemon: {enabled: true, tolerations: [{key: gpu, operator: Exists}]}
nodeSelectors: {core: {pool: core}, jobs: {pool: jobs}}
dirs: {nvidia: {lib: /usr/lib/nvidia, bin: /usr/bin/nvidia, libcuda: /usr/lib/libcuda.so.1}}
secretRefs: [a]
configmapRefs: [b]
allowedHosts: [localhost]
hostName: polyaxon.acme.com
adminViewEnabled: true
email: {host: smtp.acme.com, hostUser: u, hostPassword: p}
user: {password: null}
"#,
    ),
    (
        "agent-cluster-wide.yml",
        r#"
deploymentChart: agent
deploymentVersion: 2.18.0
agent: {instance: acme.agents.1, token: t, watchCluster: true}
externalServices: {api: {host: cloud.polyaxon.com, port: 443}}
gateway: {service: {type: NodePort}}
notificationConnections: [{name: slack, kind: slack, secret: {name: slack-secret}}]
connections: [{name: c1, kind: volume_claim, schema: {volumeClaim: c1-pvc, mountPath: /c1}, configMap: {name: c1-cm, mountPath: /etc/c1}}]
mountConnections: [c1]
"#,
    ),
    (
        "platform-1x-rabbitmq.yml",
        r#"
deploymentChart: platform
deploymentVersion: 1.14.0
rabbitmq-ha: {enabled: true}
scheduler: {enabled: true}
api: {service: {annotations: {domainName: polyaxon.acme.com}}}
"#,
    ),
];

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn every_feature_renders_objects_the_api_server_accepts() -> Result<()> {
    let dir = std::env::temp_dir().join(unique_namespace("render-features"));
    std::fs::create_dir_all(&dir)?;
    let mut configs = Vec::new();
    for (name, text) in FEATURE_CONFIGS {
        let path = dir.join(name);
        std::fs::write(&path, text)?;
        configs.push((path, None));
    }
    let result = check_all(configs).await;
    let _ = std::fs::remove_dir_all(&dir);
    let (checked, failures) = result?;
    assert_eq!(
        checked,
        FEATURE_CONFIGS.len(),
        "every feature config must validate"
    );
    assert!(
        failures.is_empty(),
        "refused by the API server:\n{}",
        failures.join("\n")
    );
    Ok(())
}
