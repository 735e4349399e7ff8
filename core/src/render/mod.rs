//! Renderers: the platform, agent and ponos charts as Kubernetes objects.
//!
//! Every object is built as a typed k8s-openapi value (the compiler checks
//! the field names) and type-erased once, in [`manifest::erase`], into a
//! [`RenderedObject`] that knows its stage, hook moment, API resource and
//! scope. No text templates.

mod ctx;
pub mod labels;
pub mod manifest;
pub mod names;
pub mod output;
mod ponos;
pub mod state;

pub use labels::release_selector;
pub use manifest::{Hook, Manifest, RenderedObject, Stage};
pub use state::ReleaseState;

/// Why a config could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// A value the chart needs is missing.
    #[error("`{key}` is required to render the {chart} chart: {why}")]
    Missing {
        /// Key path in the config.
        key: String,
        /// The chart being rendered.
        chart: &'static str,
        /// What the value is for.
        why: String,
    },
    /// A value is present but cannot be rendered.
    #[error("`{key}`: {message}")]
    Invalid {
        /// Key path in the config.
        key: String,
        /// What is wrong and what would be valid.
        message: String,
    },
    /// A typed object could not be converted (a bug, reported rather than hidden).
    #[error("cannot convert a {kind} into a Kubernetes object: {source}")]
    Serialize {
        /// The kind being converted.
        kind: String,
        /// The serializer's error.
        source: serde_json::Error,
    },
    /// The manifest could not be written as text.
    #[error("cannot write the manifest: {0}")]
    Output(String),
}
