//! Running the `polyaxon` binary against the test cluster, as a user does:
//! no terminal (so nothing is asked), no colour.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use anyhow::{Context, Result, bail};

use crate::{kubeconfig, polyaxon_binary, workspace_root};

/// The `polyaxon` command with `args`, pointed at the test cluster.
pub fn command(args: &[&str]) -> Result<Command> {
    command_with(&kubeconfig(), args)
}

/// The `polyaxon` command with `args`, pointed at the cluster of
/// `kubeconfig` (a proxy in front of the test cluster, another user).
pub fn command_with(kubeconfig: &Path, args: &[&str]) -> Result<Command> {
    let mut command = Command::new(polyaxon_binary()?);
    command
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(args)
        .current_dir(workspace_root())
        .env_remove("KUBECONFIG")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    Ok(command)
}

/// Runs `polyaxon <args>` to its end.
pub fn run(args: &[&str]) -> Result<Output> {
    command(args)?.output().context("running polyaxon")
}

/// Runs `polyaxon <args>` to its end against the cluster of `kubeconfig`.
pub fn run_with(kubeconfig: &Path, args: &[&str]) -> Result<Output> {
    command_with(kubeconfig, args)?
        .output()
        .context("running polyaxon")
}

/// Runs `polyaxon <args>`; its stdout, or an error with its stderr.
pub fn run_ok(args: &[&str]) -> Result<String> {
    let output = run(args)?;
    if !output.status.success() {
        bail!(
            "polyaxon {} failed ({}): {}",
            args.join(" "),
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// What a finished command said on stderr.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Starts `polyaxon deploy` of the agent example into `ns` (with its
/// artifacts claim: preflight refuses a missing one up front) whose gateway
/// asks for more CPU than the node has, so that its pod stays Pending and the
/// deploy waits; returns once the deploy is applying workloads (stderr piped).
pub async fn deploy_waiting_for_workloads(
    client: &kube::Client,
    ns: &str,
) -> Result<std::process::Child> {
    use k8s_openapi::api::apps::v1::Deployment;
    crate::user_claim(client, ns, "polyaxon-artifacts").await?;
    let mut child = command(&[
        "deploy",
        "-f",
        "examples/agent.yml",
        "-n",
        ns,
        "--set",
        "gateway.resources.requests.cpu=1000,gateway.resources.limits.cpu=1000",
        "--timeout",
        "5m",
    ])?
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .spawn()?;
    let deployments: kube::Api<Deployment> = kube::Api::namespaced(client.clone(), ns);
    let started = std::time::Instant::now();
    while deployments
        .get_opt("agent-polyaxon-streams")
        .await
        .ok()
        .flatten()
        .is_none()
    {
        if started.elapsed() > std::time::Duration::from_secs(60) {
            let _ = child.kill();
            bail!("the deploy never reached the workloads stage");
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    Ok(child)
}
