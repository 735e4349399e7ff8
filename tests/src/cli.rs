//! Running the `polyaxon` binary against the test cluster, as a user does:
//! no terminal (so nothing is asked), no colour.

use std::process::{Command, Output, Stdio};

use anyhow::{Context, Result, bail};

use crate::{kubeconfig, polyaxon_binary, workspace_root};

/// The `polyaxon` command with `args`, pointed at the test cluster.
pub fn command(args: &[&str]) -> Result<Command> {
    let mut command = Command::new(polyaxon_binary()?);
    command
        .arg("--kubeconfig")
        .arg(kubeconfig())
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
