//! `polyaxon-core`: everything the `polyaxon` tool knows about Polyaxon and
//! Kubernetes. It returns values and emits events; it never prints or prompts.
//! The `polyaxon` binary (crate `polyaxon-cli`) decides what a person sees.
//!
//! Data flow: config files → [`config`] (load, merge, validate) → [`version`]
//! (pin) → [`render`] (Kubernetes objects per chart) → [`apply`] (plan, apply,
//! wait) → [`release`] (records). [`forward`] is the port-forward path and
//! [`ops`] composes the rest into the user's verbs.

pub mod access;
pub mod api_error;
pub mod apply;
pub mod chart_version;
pub mod cluster;
pub mod config;
pub mod discover;
pub mod event;
pub mod forward;
pub mod helm;
pub mod ops;
pub mod preflight;
pub mod release;
pub mod render;
pub mod retry;
pub mod transport;
pub mod version;

/// The shared reference folder (`shared/` beside the repository): the
/// `POLYAXON_SHARED_DIR` environment variable, else `<workspace>/../shared`,
/// else `/work/shared`. `None` when none of them exists.
#[cfg(test)]
pub(crate) fn shared_dir() -> Option<std::path::PathBuf> {
    let workspace = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let candidates = [
        std::env::var_os("POLYAXON_SHARED_DIR").map(std::path::PathBuf::from),
        Some(workspace.join("../shared")),
        Some(std::path::PathBuf::from("/work/shared")),
    ];
    candidates.into_iter().flatten().find(|dir| dir.is_dir())
}
