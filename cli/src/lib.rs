//! The library behind the `polyaxon` binary: the command-line surface
//! ([`args`]), one file per command ([`commands`]), and what they share: the
//! output, exit-code and advice conventions, config loading and release
//! resolution, and how an operation is shown. `main.rs` only wires them up;
//! examples and tests use them from here.
//!
//! Everything that knows Polyaxon or Kubernetes is in `polyaxon-core`; this
//! crate decides what a person sees.

pub mod args;
pub mod classify;
pub mod commands;
pub mod complete;
pub mod exit;
pub mod load;
pub mod operation;
pub mod output;
pub mod revision;
pub mod show;
pub mod table;
