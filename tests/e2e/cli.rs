//! The `polyaxon` binary against the test cluster: what `version` and shell
//! completion find there, and the exits that need a real API server
//! (1: reached but no release; 3: access forbidden by RBAC).
//!
//! Release records are written through `polyaxon_core::release::ClusterStore`,
//! as the lifecycle writes them, in a namespace of the test's own that is
//! deleted at the end.

use std::path::Path;
use std::process::{Command, Output};

use anyhow::{Context, Result, bail};
use k8s_openapi::api::core::v1::Namespace;
use kube::Client;
use kube::api::{Api, DeleteParams, ObjectMeta, PostParams};
use kube::config::Kubeconfig;
use polyaxon_core::release::{ClusterStore, ReleaseRecord, ReleaseStore, Status};
use polyaxon_core::render::ReleaseState;

/// Runs the binary against the test cluster (or the given kubeconfig).
fn polyaxon(kubeconfig: &Path, args: &[&str]) -> Result<Output> {
    let mut command = Command::new(polyaxon_e2e::polyaxon_binary()?);
    command
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(args)
        .env_remove("KUBECONFIG")
        .env_remove("COMPLETE")
        .env("NO_COLOR", "1");
    command.output().context("running polyaxon")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A namespace of the test's own, deleted by [`Scratch::delete`].
struct Scratch {
    client: Client,
    name: String,
}

impl Scratch {
    async fn new(prefix: &str) -> Result<Self> {
        let client = polyaxon_e2e::client().await?;
        let name = polyaxon_e2e::unique_namespace(prefix);
        let namespace = Namespace {
            metadata: ObjectMeta {
                name: Some(name.clone()),
                ..ObjectMeta::default()
            },
            ..Namespace::default()
        };
        Api::<Namespace>::all(client.clone())
            .create(&PostParams::default(), &namespace)
            .await
            .with_context(|| format!("creating namespace {name}"))?;
        Ok(Scratch { client, name })
    }

    /// Stores a release record through the record store, as the lifecycle does.
    async fn record(
        &self,
        release: &str,
        revision: u32,
        status: Status,
        version: &str,
    ) -> Result<()> {
        let record = ReleaseRecord {
            name: release.to_string(),
            namespace: self.name.clone(),
            revision,
            status,
            chart: "platform".to_string(),
            version: version.to_string(),
            config: serde_json::json!({"deploymentVersion": version}),
            state: ReleaseState::placeholder(release),
            inventory: Vec::new(),
            manifest: Vec::new(),
            tool_version: "0.1.0".to_string(),
            description: format!("written by the cli e2e test as revision {revision}"),
            created: "2026-01-01T00:00:00Z".to_string(),
            updated: "2026-01-01T00:00:00Z".to_string(),
            helm: None,
            writer: None,
            reason: None,
        };
        ClusterStore::new(self.client.clone(), &self.name, release)
            .create(&record)
            .await
            .with_context(|| format!("creating the record of {release} v{revision}"))?;
        Ok(())
    }

    async fn delete(self) -> Result<()> {
        Api::<Namespace>::all(self.client)
            .delete(&self.name, &DeleteParams::default())
            .await
            .with_context(|| format!("deleting namespace {}", self.name))?;
        Ok(())
    }
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn version_reports_the_deployed_release_and_notes_that_it_is_older() -> Result<()> {
    let scratch = Scratch::new("cli-version").await?;
    scratch
        .record("polyaxon", 1, Status::Superseded, "2.16.0")
        .await?;
    scratch
        .record("polyaxon", 2, Status::Deployed, "2.17.0")
        .await?;
    // A failed upgrade does not change what runs.
    scratch
        .record("polyaxon", 3, Status::Failed, "2.18.0")
        .await?;
    scratch
        .record("agent", 1, Status::Deployed, "99.0.0")
        .await?;
    let kubeconfig = polyaxon_e2e::kubeconfig();

    let output = polyaxon(
        &kubeconfig,
        &["-n", &scratch.name, "version", "--check", "-o", "json"],
    )?;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    assert_eq!(report["cluster"]["reached"], true);
    let releases = report["cluster"]["releases"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let found = releases.iter().find(|r| r["name"] == "polyaxon");
    let Some(found) = found else {
        bail!("release polyaxon not reported: {report}")
    };
    assert_eq!(found["revision"], 2, "the deployed revision is reported");
    assert_eq!(found["status"], "deployed");
    assert_eq!(found["deployedVersion"], "2.17.0");
    assert_eq!(found["comparedToNewest"], "older");
    let agent = releases.iter().find(|r| r["name"] == "agent");
    assert_eq!(
        agent.map(|a| a["comparedToNewest"].clone()),
        Some("newer".into())
    );

    let output = polyaxon(
        &kubeconfig,
        &["-n", &scratch.name, "version", "-r", "polyaxon"],
    )?;
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let line = stdout.lines().find(|l| l.starts_with("Release polyaxon "));
    let Some(line) = line else {
        bail!("no line for the release:\n{stdout}")
    };
    assert!(
        line.contains("Polyaxon 2.17.0 (platform revision 2), older than 2."),
        "{line}"
    );
    assert!(
        !stdout.contains("agent"),
        "-r polyaxon reported other releases:\n{stdout}"
    );

    scratch.delete().await
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn version_check_exits_1_when_the_cluster_answers_but_has_no_release() -> Result<()> {
    let scratch = Scratch::new("cli-empty").await?;
    let kubeconfig = polyaxon_e2e::kubeconfig();
    let output = polyaxon(&kubeconfig, &["-n", &scratch.name, "version", "--check"])?;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("no release in namespace `{}`", scratch.name)),
        "{stderr}"
    );
    assert!(text(&output.stdout).contains(&format!(
        "Cluster: no release in namespace {}",
        scratch.name
    )));
    scratch.delete().await
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn access_forbidden_by_rbac_exits_3() -> Result<()> {
    let scratch = Scratch::new("cli-forbidden").await?;
    scratch
        .record("polyaxon", 1, Status::Deployed, "2.18.0")
        .await?;
    // The same cluster and credentials, acting as a service account no role names.
    let mut config = Kubeconfig::read_from(polyaxon_e2e::kubeconfig())?;
    for named in &mut config.auth_infos {
        if let Some(auth) = named.auth_info.as_mut() {
            auth.impersonate = Some(format!("system:serviceaccount:{}:nobody", scratch.name));
        }
    }
    let dir = std::env::temp_dir().join(&scratch.name);
    std::fs::create_dir_all(&dir)?;
    let forbidden = dir.join("kubeconfig");
    // JSON is YAML: any kubeconfig reader takes it.
    std::fs::write(&forbidden, serde_json::to_vec(&config)?)?;

    let output = polyaxon(&forbidden, &["-n", &scratch.name, "version", "--check"])?;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    // Who refused (RBAC), whom (the service account), what (verb, resource,
    // namespace), and the grant that would let it through.
    let user = format!("system:serviceaccount:{}:nobody", scratch.name);
    assert!(
        stderr.starts_with(&format!(
            "error: forbidden by RBAC: user {user} may not list secrets in namespace {}",
            scratch.name
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "hint: a cluster admin can grant it with a Role in namespace {} allowing \"list\" on secrets, bound to {user}",
            scratch.name
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("Status {"), "{stderr}");
    // Without --check, version still answers, and says access was refused.
    let output = polyaxon(&forbidden, &["-n", &scratch.name, "version", "-o", "json"])?;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    assert_eq!(report["cluster"]["reached"], true, "{report}");
    let error = report["cluster"]["error"].as_str().unwrap_or_default();
    assert!(error.contains("forbidden"), "{report}");
    let output = polyaxon(&forbidden, &["-n", &scratch.name, "version"])?;
    assert!(text(&output.stdout).contains("Cluster: access refused"));

    let _ = std::fs::remove_dir_all(&dir);
    scratch.delete().await
}

/// Asks the binary for completions of `line` (ending at the cursor) as the
/// dynamic bash script would; returns the candidates.
fn complete(kubeconfig: &Path, words: &[&str]) -> Result<Vec<String>> {
    let mut args = vec!["--", "polyaxon", "--kubeconfig"];
    let kubeconfig = kubeconfig.to_string_lossy().into_owned();
    args.push(&kubeconfig);
    args.extend_from_slice(words);
    let index = (args.len() - 2).to_string(); // index in the words after `--`
    let output = Command::new(polyaxon_e2e::polyaxon_binary()?)
        .args(&args)
        .env("COMPLETE", "bash")
        .env("_CLAP_COMPLETE_INDEX", &index)
        .env_remove("KUBECONFIG")
        .output()?;
    if !output.status.success() {
        bail!("completion failed: {}", text(&output.stderr));
    }
    Ok(text(&output.stdout).lines().map(str::to_string).collect())
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn shell_completion_offers_release_names_and_namespaces_from_the_cluster() -> Result<()> {
    let scratch = Scratch::new("cli-complete").await?;
    scratch
        .record("polyaxon", 1, Status::Superseded, "2.18.0")
        .await?;
    scratch
        .record("polyaxon", 2, Status::Deployed, "2.18.0")
        .await?;
    scratch
        .record("pipelines", 1, Status::Deployed, "2.18.0")
        .await?;
    let kubeconfig = polyaxon_e2e::kubeconfig();

    let releases = complete(&kubeconfig, &["status", "-n", &scratch.name, "-r", ""])?;
    assert_eq!(releases, ["pipelines", "polyaxon"], "each release once");
    let releases = complete(
        &kubeconfig,
        &["teardown", "-n", &scratch.name, "--release-name", "po"],
    )?;
    assert_eq!(releases, ["polyaxon"]);
    // Without -n, releases of every namespace.
    let everywhere = complete(&kubeconfig, &["status", "-r", "pi"])?;
    assert!(
        everywhere.contains(&"pipelines".to_string()),
        "{everywhere:?}"
    );

    let prefix = &scratch.name[..scratch.name.len() - 3];
    let namespaces = complete(&kubeconfig, &["status", "-n", prefix])?;
    assert!(namespaces.contains(&scratch.name), "{namespaces:?}");
    assert!(
        namespaces.iter().all(|n| n.starts_with(prefix)),
        "{namespaces:?}"
    );

    scratch.delete().await
}
