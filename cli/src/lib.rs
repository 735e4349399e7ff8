//! The library behind the `polyaxon` binary: the command-line surface, the
//! output and exit-code conventions, and the commands that are pure CLI
//! (completion, version). `main.rs` only wires them up; examples and tests
//! use them from here.
//!
//! Everything that knows Polyaxon or Kubernetes is in `polyaxon-core`; this
//! crate decides what a person sees.

pub mod args;
pub mod check;
pub mod classify;
pub mod complete;
pub mod dry_run;
pub mod exit;
pub mod lifecycle;
pub mod load;
pub mod output;
pub mod port_forward;
pub mod version;
