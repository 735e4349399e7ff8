//! `polyaxon-core`: everything the `polyaxon` tool knows about Polyaxon and
//! Kubernetes. It returns values and emits events; it never prints or prompts.
//! The `polyaxon` binary (crate `polyaxon-cli`) decides what a person sees.
//!
//! Data flow: config files → [`config`] (load, merge, validate) → [`version`]
//! (pin) → [`render`] (Kubernetes objects per chart) → [`apply`] (plan, apply,
//! wait) → [`release`] (records). [`forward`] is the port-forward path and
//! [`ops`] composes the rest into the user's verbs.

pub mod apply;
pub mod cluster;
pub mod config;
pub mod discover;
pub mod event;
pub mod forward;
pub mod ops;
pub mod release;
pub mod render;
pub mod version;
