//! Helpers for the end-to-end tests. They talk to the local cluster that
//! `tests/cluster/up` starts; `tests/run` brings it up and runs them.
//!
//! Every end-to-end test is marked
//! `#[ignore = "end-to-end: needs the test cluster, run tests/run"]`, so a plain
//! `cargo test` runs only the hermetic tests and lists these as ignored.
//! `tests/run` runs them with `--include-ignored`; once enabled, a cluster that
//! does not answer fails the test, it never skips it.

use std::path::PathBuf;
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

pub mod cli;
pub mod fault_proxy;
pub mod forward;
pub mod helm;

/// The `polyaxon` binary to drive: `$POLYAXON_BIN` if set (the benchmark
/// points it at a release build), else a debug build made (or brought up to
/// date) once per test process with `cargo build -p polyaxon-cli` into
/// `target/e2e-cli`.
pub fn polyaxon_binary() -> Result<PathBuf> {
    static BUILT: std::sync::OnceLock<Result<PathBuf, String>> = std::sync::OnceLock::new();
    if let Some(path) = std::env::var_os("POLYAXON_BIN") {
        return Ok(PathBuf::from(path));
    }
    BUILT
        .get_or_init(|| {
            let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
            // A target folder of its own: building only the CLI resolves
            // dependency features differently from the test build, and in a
            // shared folder each build would undo the other's.
            let target = std::env::var_os("CARGO_TARGET_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| workspace_root().join("target"))
                .join("e2e-cli");
            let status = std::process::Command::new(cargo)
                .args([
                    "build",
                    "--quiet",
                    "-p",
                    "polyaxon-cli",
                    "--bin",
                    "polyaxon",
                    "--target-dir",
                ])
                .arg(&target)
                .current_dir(workspace_root())
                .status()
                .map_err(|e| format!("cannot run cargo build: {e}"))?;
            if !status.success() {
                return Err(format!("cargo build -p polyaxon-cli failed: {status}"));
            }
            let binary = target.join("debug").join("polyaxon");
            if binary.exists() {
                Ok(binary)
            } else {
                Err(format!("{} was not built", binary.display()))
            }
        })
        .clone()
        .map_err(anyhow::Error::msg)
}

/// A running command whose output is collected as it comes, for tests that
/// wait for a line, talk to it, and stop it. Killed on drop if still running.
pub struct Running {
    child: std::process::Child,
    stdout: std::sync::Arc<std::sync::Mutex<String>>,
    stderr: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Running {
    /// Starts `program args…` with extra environment variables.
    pub fn spawn(
        program: &std::path::Path,
        args: &[&str],
        env: &[(&str, &std::ffi::OsStr)],
    ) -> Result<Self> {
        use std::process::{Command, Stdio};
        let mut command = Command::new(program);
        command
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command
            .spawn()
            .with_context(|| format!("starting {}", program.display()))?;
        let stdout = collect(child.stdout.take());
        let stderr = collect(child.stderr.take());
        Ok(Self {
            child,
            stdout,
            stderr,
        })
    }

    /// The process id.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// What it printed on stdout so far.
    pub fn stdout(&self) -> String {
        self.stdout.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// What it printed on stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Waits until stderr contains `needle`; fails if the process exits or
    /// the time runs out first, showing what it printed.
    pub async fn wait_for_stderr(&mut self, needle: &str, timeout: Duration) -> Result<()> {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            if self.stderr().contains(needle) {
                return Ok(());
            }
            if let Some(status) = self.child.try_wait()? {
                // Let the reader threads drain what is left.
                tokio::time::sleep(Duration::from_millis(100)).await;
                bail!(
                    "exited ({status}) before printing {needle:?}\nstdout:\n{}\nstderr:\n{}",
                    self.stdout(),
                    self.stderr()
                );
            }
            if std::time::Instant::now() > deadline {
                bail!(
                    "did not print {needle:?} within {timeout:?}\nstdout:\n{}\nstderr:\n{}",
                    self.stdout(),
                    self.stderr()
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Has it not exited yet?
    pub fn is_running(&mut self) -> Result<bool> {
        Ok(self.child.try_wait()?.is_none())
    }

    /// Sends a signal by name (`INT`, `TERM`) with the system's `kill`.
    pub fn signal(&self, name: &str) -> Result<()> {
        let status = std::process::Command::new("kill")
            .args([format!("-{name}"), self.id().to_string()])
            .status()
            .context("running kill")?;
        if !status.success() {
            bail!("kill -{name} {} failed", self.id());
        }
        Ok(())
    }

    /// Waits for the process to exit, up to `timeout`.
    pub async fn wait_exit(&mut self, timeout: Duration) -> Result<std::process::ExitStatus> {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait()? {
                tokio::time::sleep(Duration::from_millis(100)).await;
                return Ok(status);
            }
            if std::time::Instant::now() > deadline {
                bail!(
                    "still running after {timeout:?}\nstderr:\n{}",
                    self.stderr()
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn collect<R: std::io::Read + Send + 'static>(
    source: Option<R>,
) -> std::sync::Arc<std::sync::Mutex<String>> {
    let text = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    if let Some(mut source) = source {
        let sink = text.clone();
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(n) = source.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                if let Ok(mut s) = sink.lock() {
                    s.push_str(&String::from_utf8_lossy(&buffer[..n]));
                }
            }
        });
    }
    text
}

/// A local TCP port that was free a moment ago.
pub fn free_port() -> Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// A fresh, empty folder under the system's temporary folder.
pub fn scratch_dir(name: &str) -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(unique_namespace(name));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

/// A reporter that keeps every event of an operation, to check what happened
/// in which order.
pub fn recorder() -> (
    polyaxon_core::event::Reporter,
    std::sync::Arc<std::sync::Mutex<Vec<polyaxon_core::event::Event>>>,
) {
    let events = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = events.clone();
    let reporter: polyaxon_core::event::Reporter = std::sync::Arc::new(move |e| {
        if let Ok(mut events) = sink.lock() {
            events.push(e);
        }
    });
    (reporter, events)
}

/// Deletes a test's namespace without waiting (the tests check their own
/// objects are gone first).
pub async fn delete_namespace(client: &Client, namespace: &str) {
    let namespaces: kube::Api<k8s_openapi::api::core::v1::Namespace> =
        kube::Api::all(client.clone());
    let _ = namespaces.delete(namespace, &Default::default()).await;
}

/// Creates (or keeps) `namespace`.
pub async fn ensure_namespace(client: &Client, namespace: &str) -> Result<()> {
    use kube::api::{Patch, PatchParams};
    let params = PatchParams::apply("polyaxon-e2e").force();
    let namespaces: kube::Api<k8s_openapi::api::core::v1::Namespace> =
        kube::Api::all(client.clone());
    namespaces
        .patch(
            namespace,
            &params,
            &Patch::Apply(serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})),
        )
        .await?;
    Ok(())
}

/// Waits (a minute at most) until the quota controller has filled in the
/// usage of ResourceQuota `name` in `namespace`: before that, the API server
/// admits anything and a test of a quota refusal would test nothing.
pub async fn quota_usage_filled_in(client: &Client, namespace: &str, name: &str) -> Result<()> {
    let quotas: kube::Api<k8s_openapi::api::core::v1::ResourceQuota> =
        kube::Api::namespaced(client.clone(), namespace);
    let started = std::time::Instant::now();
    while quotas
        .get(name)
        .await?
        .status
        .and_then(|s| s.used)
        .is_none()
    {
        if started.elapsed() > Duration::from_secs(60) {
            bail!("the quota controller never filled in the quota's usage");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Ok(())
}

/// Creates (or keeps) `namespace` and a 1Gi ReadWriteMany claim `name` in it:
/// a volume the user provides, such as the agent's artifacts store.
pub async fn user_claim(client: &Client, namespace: &str, name: &str) -> Result<()> {
    use kube::api::{Patch, PatchParams};
    let params = PatchParams::apply("polyaxon-e2e").force();
    ensure_namespace(client, namespace).await?;
    let claims: kube::Api<k8s_openapi::api::core::v1::PersistentVolumeClaim> =
        kube::Api::namespaced(client.clone(), namespace);
    claims
        .patch(
            name,
            &params,
            &Patch::Apply(serde_json::json!({
                "apiVersion": "v1", "kind": "PersistentVolumeClaim",
                "metadata": {"name": name},
                "spec": {"accessModes": ["ReadWriteMany"], "resources": {"requests": {"storage": "1Gi"}}}
            })),
        )
        .await?;
    Ok(())
}

/// Loads the repository's example `file` into `namespace` (as release
/// `release` when given, with `--set` overrides `set`) and deploys it as
/// `polyaxon deploy` does, waiting up to 2 minutes.
pub async fn deploy_example(
    client: &Client,
    file: &str,
    namespace: &str,
    release: Option<&str>,
    set: &[&str],
    reporter: &polyaxon_core::event::Reporter,
) -> Result<polyaxon_core::release::ReleaseRef> {
    use polyaxon_core::ops::{DeployOptions, Deployable, WaitOptions};
    let options = polyaxon_core::config::LoadOptions {
        files: vec![workspace_root().join("examples").join(file)],
        set: set.iter().map(|s| s.to_string()).collect(),
        namespace: Some(namespace.to_string()),
        release_name: release.map(str::to_string),
        ..polyaxon_core::config::LoadOptions::default()
    };
    let deployment = polyaxon_core::config::load(&options).map_err(|e| anyhow::anyhow!("{e}"))?;
    let target = polyaxon_core::release::ReleaseRef::of(&deployment);
    let render = |state: &polyaxon_core::render::ReleaseState| {
        polyaxon_core::render::render(&deployment, state)
    };
    let op = DeployOptions {
        target: target.clone(),
        wait: WaitOptions {
            wait: true,
            timeout: Duration::from_secs(120),
            concurrency: polyaxon_core::apply::DEFAULT_CONCURRENCY,
        },
    };
    let source = Deployable::of(&deployment, &render);
    // Boxed: the deploy future is too large for a test thread's stack.
    Box::pin(polyaxon_core::ops::deploy(client, &op, &source, reporter)).await?;
    Ok(target)
}
