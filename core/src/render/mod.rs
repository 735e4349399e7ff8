//! Renderers: the platform, agent and ponos charts as Kubernetes objects.
//!
//! Every object is built as a typed k8s-openapi value (the compiler checks
//! the field names) and type-erased once, in [`manifest::erase`], into a
//! [`RenderedObject`] that knows its stage, hook moment, API resource and
//! scope. No text templates.

mod agent;
mod agent_config;
mod autoscale;
mod common;
mod connections;
mod crds;
mod ctx;
mod deps;
mod hooks;
pub mod labels;
pub mod manifest;
pub mod names;
mod network;
pub mod output;
mod platform;
mod pod;
mod ponos;
mod proxies;
mod rbac;
pub mod state;
mod values;

pub use crds::{Definitions, definitions as crd_definitions};
pub use labels::release_selector;
pub use manifest::{Hook, Manifest, RenderedObject, Stage};
pub use state::ReleaseState;

use crate::chart_version::ChartVersion;
use crate::config::schema::{Chart, DeploymentConfig};
use crate::config::{Deployment, Generation};
use crate::version::PolyaxonVersion;

/// What to render: a loaded config with its chart, release, namespace,
/// pinned version and generation resolved.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// The typed config.
    pub config: &'a DeploymentConfig,
    /// The merged config as written (an explicit `null` differs from an
    /// absent key there); `Value::Null` when unknown.
    pub raw: &'a serde_json::Value,
    /// The chart to render.
    pub chart: Chart,
    /// The release name.
    pub release: &'a str,
    /// The namespace of every namespaced object.
    pub namespace: &'a str,
    /// The pinned version: image tags and the version label.
    pub version: &'a str,
    /// The generation of the charts (1.x or 2.x).
    pub generation: Generation,
    /// The published chart whose templates this version gets: every fact
    /// that changed between chart versions is chosen from it, in
    /// [`ChartVersion::at_least`] tests next to the fact.
    pub chart_version: &'a ChartVersion,
}

/// Renders a loaded deployment with the release's generated values `state`
/// (stable across renders: seed it once with [`ReleaseState::new_for`] and
/// keep it with the release): every object of its chart, in apply order.
pub fn render(deployment: &Deployment, state: &ReleaseState) -> Result<Manifest, RenderError> {
    let version = deployment.version.version.image_tag();
    let chart_version = chart_version_of(deployment.chart, &deployment.version.version);
    render_target(
        &Target {
            config: &deployment.config,
            raw: &deployment.values,
            chart: deployment.chart,
            release: &deployment.release_name,
            namespace: &deployment.namespace,
            version: &version,
            generation: deployment.generation,
            chart_version: &chart_version,
        },
        state,
    )
}

/// The chart templates `pinned` renders with: those of the newest published
/// chart not newer than it; the pinned version itself when no chart is
/// published for it (ponos, or a version older than every chart).
pub fn chart_version_of(chart: Chart, pinned: &PolyaxonVersion) -> ChartVersion {
    ChartVersion::for_release(chart, pinned).unwrap_or_else(|| ChartVersion {
        version: pinned.semver.clone(),
    })
}

/// Renders `target` with the release's generated values `state`: every
/// object of its chart, in apply order.
pub fn render_target(target: &Target<'_>, state: &ReleaseState) -> Result<Manifest, RenderError> {
    let mut ctx = ctx::Ctx::new(
        target.release,
        target.namespace,
        target.version.to_string(),
        state,
    );
    let values = values::Values {
        config: target.config,
        chart: target.chart,
        generation: target.generation,
        chart_version: target.chart_version,
        raw: target.raw,
    };
    match target.chart {
        Chart::Agent => agent::render(&mut ctx, &values)?,
        Chart::Platform => platform::render(&mut ctx, &values)?,
        Chart::Ponos => {
            let spec = ponos::spec(target.config)?;
            ponos::render(&mut ctx, &spec)?;
        }
    }
    Ok(ctx.finish())
}

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
