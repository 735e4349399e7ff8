//! A real helm (built by `tests/cluster/helm` from the Go module proxy) to
//! install the official chart packages the way the Python CLI does.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::{kubeconfig, workspace_root};

/// The helm binary: `$POLYAXON_E2E_HELM` (tests/run sets it), else built or
/// found by `tests/cluster/helm`.
pub fn binary() -> Result<PathBuf> {
    if let Some(path) = std::env::var_os("POLYAXON_E2E_HELM") {
        return Ok(PathBuf::from(path));
    }
    let out = Command::new(workspace_root().join("tests/cluster/helm"))
        .output()
        .context("running tests/cluster/helm")?;
    if !out.status.success() {
        bail!(
            "tests/cluster/helm failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(PathBuf::from(
        String::from_utf8_lossy(&out.stdout).trim().to_string(),
    ))
}

/// An official chart package from `shared/reference/charts/` (`agent-2.15.1`,
/// `polyaxon-2.11.1`, …).
pub fn package(name: &str) -> PathBuf {
    let shared = workspace_root().join("../shared");
    let shared = if shared.exists() {
        shared
    } else {
        PathBuf::from("/work/shared")
    };
    shared.join("reference/charts").join(format!("{name}.tgz"))
}

/// Runs helm against the test cluster with `args` and extra environment
/// (e.g. `HELM_DRIVER=configmap`); returns stdout, fails with helm's stderr.
pub fn run(args: &[&str], env: &[(&str, &str)]) -> Result<String> {
    let mut command = Command::new(binary()?);
    command
        .args(args)
        .env("KUBECONFIG", kubeconfig())
        .env(
            "HELM_CACHE_HOME",
            std::env::temp_dir().join("polyaxon-e2e-helm/cache"),
        )
        .env(
            "HELM_CONFIG_HOME",
            std::env::temp_dir().join("polyaxon-e2e-helm/config"),
        )
        .env(
            "HELM_DATA_HOME",
            std::env::temp_dir().join("polyaxon-e2e-helm/data"),
        );
    for (key, value) in env {
        command.env(key, value);
    }
    let out = command
        .output()
        .with_context(|| format!("running helm {}", args.join(" ")))?;
    if !out.status.success() {
        bail!(
            "helm {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// `helm install <release> <package> --namespace <ns> -f <config>`: the
/// Python CLI's command line for `polyaxon admin deploy`.
pub fn install(release: &str, package: &str, namespace: &str, config: &str) -> Result<String> {
    run(
        &[
            "install",
            release,
            &self::package(package).to_string_lossy(),
            "--namespace",
            namespace,
            "-f",
            config,
        ],
        &[],
    )
}
