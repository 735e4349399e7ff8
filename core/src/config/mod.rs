//! The deployment config: schema, loading and merging, `--set`, validation.
//!
//! [`schema`] is the typed model the renderers read.

pub mod schema;

pub use schema::{Chart, DeploymentConfig};
