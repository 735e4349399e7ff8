//! Releases that helm 3 installed (how the Python CLI deploys Polyaxon):
//! reading helm's release records, so that every command can find such a
//! release and say what it is.

pub mod immutable;
pub mod manifest;
pub mod ownership;
pub mod release;
pub mod store;

pub use release::{DecodeError, HelmHook, HelmRelease, HelmStatus, decode};
pub use store::{ListError, Storage, StoredRevision, current, revisions};
