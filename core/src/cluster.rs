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
    /// The kubeconfig file named (by `--kubeconfig` or `KUBECONFIG`) could
    /// not be read or parsed.
    #[error("cannot read kubeconfig {path}: {source}")]
    Kubeconfig {
        /// The file that was read (for `KUBECONFIG`, its value).
        path: PathBuf,
        /// What went wrong.
        source: KubeconfigError,
    },
    /// `--context` names a context the kubeconfig does not have.
    #[error("context \"{context}\" does not exist in {kubeconfig}; {}", contexts_there(.available))]
    UnknownContext {
        /// The context asked for.
        context: String,
        /// Where the kubeconfig came from (a file, `KUBECONFIG=…`).
        kubeconfig: String,
        /// The contexts it has, in its order.
        available: Vec<String>,
    },
    /// No configuration at all: no kubeconfig and not inside a cluster.
    #[error("no cluster configured: {0}")]
    NotConfigured(String),
    /// The configuration was found but a client could not be built from it.
    #[error("cannot connect to the cluster: {}", crate::api_error::explain(.0))]
    Client(#[from] kube::Error),
}

fn contexts_there(available: &[String]) -> String {
    if available.is_empty() {
        "it has no contexts".to_string()
    } else {
        format!("the contexts there are: {}", available.join(", "))
    }
}

/// A kubeconfig as found by the usual rules, and where it came from.
struct Found {
    kubeconfig: Kubeconfig,
    origin: String,
    path: PathBuf,
}

impl ClusterOptions {
    /// The kubeconfig kubectl would use: `--kubeconfig`, else the files of
    /// `KUBECONFIG` (merged), else `~/.kube/config` when it exists; `None`
    /// when there is none (then only the in-cluster service account is left).
    /// A file named explicitly that cannot be read is an error, whichever way
    /// it was named.
    fn find_kubeconfig(&self) -> Result<Option<Found>, ClusterError> {
        let unreadable = |path: PathBuf| move |source| ClusterError::Kubeconfig { path, source };
        if let Some(path) = &self.kubeconfig {
            let kubeconfig = Kubeconfig::read_from(path).map_err(unreadable(path.clone()))?;
            return Ok(Some(Found {
                kubeconfig,
                origin: path.display().to_string(),
                path: path.clone(),
            }));
        }
        if let Some(value) = std::env::var_os("KUBECONFIG").filter(|v| !v.is_empty()) {
            let path = PathBuf::from(&value);
            if let Some(kubeconfig) = Kubeconfig::from_env().map_err(unreadable(path.clone()))? {
                return Ok(Some(Found {
                    kubeconfig,
                    origin: format!("KUBECONFIG={}", path.display()),
                    path,
                }));
            }
        }
        let Some(path) = std::env::home_dir().map(|h| h.join(".kube").join("config")) else {
            return Ok(None);
        };
        if !path.exists() {
            return Ok(None);
        }
        let kubeconfig = Kubeconfig::read_from(&path).map_err(unreadable(path.clone()))?;
        Ok(Some(Found {
            kubeconfig,
            origin: path.display().to_string(),
            path,
        }))
    }

    /// Builds the client configuration these options describe.
    pub async fn config(&self) -> Result<Config, ClusterError> {
        let Some(found) = self.find_kubeconfig()? else {
            if let Some(context) = &self.context {
                return Err(ClusterError::UnknownContext {
                    context: context.clone(),
                    kubeconfig: "no kubeconfig (no --kubeconfig, KUBECONFIG or ~/.kube/config)"
                        .to_string(),
                    available: Vec::new(),
                });
            }
            return Config::incluster().map_err(|e| {
                ClusterError::NotConfigured(format!(
                    "no kubeconfig (no --kubeconfig, KUBECONFIG or ~/.kube/config) and not inside a cluster: {e}"
                ))
            });
        };
        if let Some(context) = &self.context {
            let available: Vec<String> = found
                .kubeconfig
                .contexts
                .iter()
                .map(|c| c.name.clone())
                .collect();
            if !available.contains(context) {
                return Err(ClusterError::UnknownContext {
                    context: context.clone(),
                    kubeconfig: found.origin,
                    available,
                });
            }
        }
        let options = KubeConfigOptions {
            context: self.context.clone(),
            ..KubeConfigOptions::default()
        };
        Config::from_custom_kubeconfig(found.kubeconfig, &options)
            .await
            .map_err(|source| ClusterError::Kubeconfig {
                path: found.path,
                source,
            })
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
