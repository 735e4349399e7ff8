//! Connecting to a Kubernetes cluster with the usual kubeconfig rules:
//! `--kubeconfig`, else `KUBECONFIG`, else `~/.kube/config`, else the
//! in-cluster service account; `--context` picks a context.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use kube::config::{KubeConfigOptions, Kubeconfig, KubeconfigError};
use kube::{Client, Config};
use tower::util::MapRequestLayer;

/// API requests this process has sent (every client made by [`ClusterOptions::client`]).
static API_REQUESTS: AtomicU64 = AtomicU64::new(0);
/// Of those, the ones that change the cluster (not reads, not dry runs).
static API_WRITES: AtomicU64 = AtomicU64::new(0);

/// How many API requests this process has sent so far; `-v` prints it and the
/// benchmarks compare it.
pub fn api_requests() -> u64 {
    API_REQUESTS.load(Ordering::Relaxed)
}

/// How many of [`api_requests`] could change the cluster: every method but
/// GET, except server-side dry runs.
pub fn api_writes() -> u64 {
    API_WRITES.load(Ordering::Relaxed)
}

/// Where to find the cluster; empty means "the usual rules".
#[derive(Debug, Clone, Default)]
pub struct ClusterOptions {
    /// An explicit kubeconfig file (`--kubeconfig`); wins over `KUBECONFIG`.
    pub kubeconfig: Option<PathBuf>,
    /// A context of the kubeconfig (`--context`); the current one otherwise.
    pub context: Option<String>,
}

/// Why no client could be made for the cluster.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// The kubeconfig file named could not be read or parsed.
    #[error("cannot read kubeconfig {path}: {source}")]
    Kubeconfig {
        /// The file that was read.
        path: PathBuf,
        /// What went wrong.
        source: KubeconfigError,
    },
    /// No configuration at all: no kubeconfig and not inside a cluster.
    #[error("no cluster configured: {0}")]
    NotConfigured(String),
    /// The configuration was found but a client could not be built from it.
    #[error("cannot connect to the cluster: {0}")]
    Client(#[from] kube::Error),
}

impl ClusterOptions {
    /// Builds the client configuration these options describe.
    pub async fn config(&self) -> Result<Config, ClusterError> {
        let options = KubeConfigOptions {
            context: self.context.clone(),
            ..KubeConfigOptions::default()
        };
        match &self.kubeconfig {
            Some(path) => {
                let kubeconfig =
                    Kubeconfig::read_from(path).map_err(|source| ClusterError::Kubeconfig {
                        path: path.clone(),
                        source,
                    })?;
                Config::from_custom_kubeconfig(kubeconfig, &options)
                    .await
                    .map_err(|source| ClusterError::Kubeconfig {
                        path: path.clone(),
                        source,
                    })
            }
            None if self.context.is_some() => Config::from_kubeconfig(&options)
                .await
                .map_err(|e| ClusterError::NotConfigured(e.to_string())),
            None => Config::infer()
                .await
                .map_err(|e| ClusterError::NotConfigured(e.to_string())),
        }
    }

    /// Connects: builds a [`Client`] for the configured cluster. This does not
    /// contact the API server yet.
    pub async fn client(&self) -> Result<Client, ClusterError> {
        let config = self.config().await?;
        let counter = MapRequestLayer::new(|request: http::Request<kube::client::Body>| {
            API_REQUESTS.fetch_add(1, Ordering::Relaxed);
            let dry_run = request.uri().query().is_some_and(|q| q.contains("dryRun="));
            if request.method() != http::Method::GET && !dry_run {
                API_WRITES.fetch_add(1, Ordering::Relaxed);
            }
            request
        });
        Ok(crate::transport::client_builder(config)?
            .with_layer(&counter)
            .build())
    }
}
