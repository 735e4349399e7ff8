//! Releases the Python CLI installed with helm: the official packages are
//! installed by a real helm, and the tool reads helm's records of them.

use anyhow::Result;
use polyaxon_core::helm::{self, HelmStatus, Storage};
use polyaxon_e2e::{client, delete_namespace, helm as real_helm, unique_namespace, user_claim};

/// The charts ship their CRDs as templates, so helm gives each one to the
/// release that installed it and refuses a second release the same CRD: the
/// tests of this file take turns.
static ONE_HELM_RELEASE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The agent's config as a Python CLI user has it.
const AGENT_CONFIG: &str = r#"
agent:
  instance: acme.agents.0b1f2c3d4e5f
  token: a-token
externalServices:
  api:
    host: cloud.polyaxon.com
    port: 443
"#;

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn an_agent_installed_by_helm_is_read_from_its_release_secrets() -> Result<()> {
    let _turn = ONE_HELM_RELEASE_AT_A_TIME.lock().await;
    let client = client().await?;
    let ns = unique_namespace("helm-agent");
    user_claim(&client, &ns, "polyaxon-artifacts").await?;
    let config = std::env::temp_dir().join(format!("{ns}.yml"));
    std::fs::write(&config, AGENT_CONFIG)?;
    let config = config.to_string_lossy().to_string();

    real_helm::install("agent", "agent-2.11.1", &ns, &config)?;
    real_helm::run(
        &[
            "upgrade",
            "agent",
            &real_helm::package("agent-2.15.1").to_string_lossy(),
            "--namespace",
            &ns,
            "-f",
            &config,
        ],
        &[],
    )?;

    let revisions = helm::revisions(&client, &ns, "agent").await?;
    assert_eq!(revisions.len(), 2, "one record per helm revision");
    assert!(revisions.iter().all(|r| r.storage == Storage::Secret));
    assert_eq!(revisions[0].object, "sh.helm.release.v1.agent.v1");
    let first = revisions[0]
        .release
        .as_ref()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    assert_eq!(first.status, HelmStatus::Superseded);
    assert_eq!(first.chart_version, "2.11.1");
    let current = helm::current(&revisions).expect("a readable revision");
    assert_eq!(current.revision, 2);
    assert_eq!(current.status, HelmStatus::Deployed);
    assert_eq!(
        (current.chart.as_str(), current.chart_version.as_str()),
        ("agent", "2.15.1")
    );
    assert_eq!(current.namespace, ns);
    assert_eq!(
        current.config["agent"]["instance"],
        "acme.agents.0b1f2c3d4e5f"
    );
    assert!(
        current.manifest.contains("name: agent-polyaxon-agent\n"),
        "the manifest lists the agent Deployment"
    );
    assert!(
        current
            .hooks
            .iter()
            .any(|h| h.kind == "Job" && h.events.iter().any(|e| e == "pre-delete")),
        "the clean-runs pre-delete hook is recorded: {:?}",
        current.hooks
    );
    // What helm itself says about the release agrees.
    let listed = real_helm::run(&["list", "--namespace", &ns, "--output", "json"], &[])?;
    let listed: serde_json::Value = serde_json::from_str(&listed)?;
    assert_eq!(listed[0]["revision"], "2");
    assert_eq!(listed[0]["chart"], "agent-2.15.1");

    real_helm::run(
        &[
            "uninstall",
            "agent",
            "--namespace",
            &ns,
            "--no-hooks",
            "--wait",
        ],
        &[],
    )?;
    delete_namespace(&client, &ns).await;
    Ok(())
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn a_release_helm_stored_in_config_maps_is_read_too() -> Result<()> {
    let _turn = ONE_HELM_RELEASE_AT_A_TIME.lock().await;
    let client = client().await?;
    let ns = unique_namespace("helm-cm");
    user_claim(&client, &ns, "polyaxon-artifacts").await?;
    let config = std::env::temp_dir().join(format!("{ns}.yml"));
    std::fs::write(&config, AGENT_CONFIG)?;
    real_helm::run(
        &[
            "install",
            "team-agent",
            &real_helm::package("agent-2.15.1").to_string_lossy(),
            "--namespace",
            &ns,
            "-f",
            &config.to_string_lossy(),
        ],
        &[("HELM_DRIVER", "configmap")],
    )?;
    let revisions = helm::revisions(&client, &ns, "team-agent").await?;
    assert_eq!(revisions.len(), 1);
    assert_eq!(revisions[0].storage, Storage::ConfigMap);
    let current = helm::current(&revisions).expect("a readable revision");
    assert_eq!(current.status, HelmStatus::Deployed);
    assert_eq!(current.chart_version, "2.15.1");
    assert!(helm::revisions(&client, &ns, "agent").await?.is_empty());

    real_helm::run(
        &[
            "uninstall",
            "team-agent",
            "--namespace",
            &ns,
            "--no-hooks",
            "--wait",
        ],
        &[("HELM_DRIVER", "configmap")],
    )?;
    delete_namespace(&client, &ns).await;
    Ok(())
}
