//! Helpers for the end-to-end tests. They talk to the local cluster that
//! `tests/cluster/up` starts; `tests/run` brings it up and runs them.
//!
//! Every end-to-end test is marked
//! `#[ignore = "end-to-end: needs the test cluster, run tests/run"]`, so a plain
//! `cargo test` runs only the hermetic tests and lists these as ignored.
//! `tests/run` runs them with `--include-ignored`; once enabled, a cluster that
//! does not answer fails the test, it never skips it.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use kube::Client;
use polyaxon_core::cluster::ClusterOptions;

/// The kubeconfig the cluster kit writes, relative to the workspace root.
pub const KUBECONFIG_IN_WORKSPACE: &str = "target/testcluster/kubeconfig";

/// The workspace root (the folder with the top `Cargo.toml`).
pub fn workspace_root() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.parent().map(PathBuf::from).unwrap_or(here)
}

/// The test cluster's kubeconfig: `$POLYAXON_E2E_KUBECONFIG` if set (tests/run sets
/// it; a general `$KUBECONFIG` is never used, so tests cannot touch a real
/// cluster by accident), else
/// the file the kit writes.
pub fn kubeconfig() -> PathBuf {
    match std::env::var_os("POLYAXON_E2E_KUBECONFIG") {
        Some(path) => PathBuf::from(path),
        None => workspace_root().join(KUBECONFIG_IN_WORKSPACE),
    }
}

/// A client for the test cluster, checked to answer. Fails (never skips) when
/// the cluster is not up: start it with `tests/cluster/up`.
pub async fn client() -> Result<Client> {
    let path = kubeconfig();
    if !path.exists() {
        bail!(
            "end-to-end tests are enabled but {} does not exist: start the cluster with tests/cluster/up (or run tests/run)",
            path.display()
        );
    }
    let options = ClusterOptions {
        kubeconfig: Some(path.clone()),
        context: None,
    };
    let client = options
        .client()
        .await
        .with_context(|| format!("building a client from {}", path.display()))?;
    tokio::time::timeout(Duration::from_secs(10), client.apiserver_version())
        .await
        .context("the test cluster did not answer within 10s: is tests/cluster/up running?")?
        .context("the test cluster did not answer: is tests/cluster/up running?")?;
    Ok(client)
}

/// A namespace name unique to one test run, so tests never collide.
pub fn unique_namespace(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{prefix}-{}-{:x}", std::process::id(), nanos & 0xfffff)
}

/// Builds the binary once (tests of this crate cannot name another
/// package's binary) and returns its path.
pub fn polyaxon_bin() -> Result<&'static Path> {
    static BIN: OnceLock<std::result::Result<PathBuf, String>> = OnceLock::new();
    let built = BIN.get_or_init(|| {
        let output = Command::new(env!("CARGO"))
            .current_dir(workspace_root())
            .args([
                "build",
                "--quiet",
                "-p",
                "polyaxon-cli",
                "--bin",
                "polyaxon",
            ])
            .args(["--message-format=json-render-diagnostics"])
            .stderr(Stdio::inherit())
            .output()
            .map_err(|e| format!("cannot run cargo build: {e}"))?;
        if !output.status.success() {
            return Err("cargo build -p polyaxon-cli failed".into());
        }
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter(|message| message["target"]["name"] == "polyaxon")
            .find_map(|message| message["executable"].as_str().map(PathBuf::from))
            .ok_or_else(|| "cargo build did not report the polyaxon executable".to_string())
    });
    match built {
        Ok(path) => Ok(path.as_path()),
        Err(error) => bail!("{error}"),
    }
}
