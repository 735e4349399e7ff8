//! The deployment config the command line describes: the `-f` files, the
//! `--set` pairs, and the flags that win over both. Every command that reads
//! a config (`deploy`, `--check`, `--dry-run`, `upgrade`, `diff`, and
//! `teardown -f`) loads it here.

use polyaxon_core::config::{self, Deployment, LoadOptions};

use crate::args::{ConfigArgs, GlobalArgs};
use crate::exit::Failure;

/// The load options the flags describe.
pub fn options(global: &GlobalArgs, args: &ConfigArgs) -> LoadOptions {
    LoadOptions {
        files: args.config_files.clone(),
        set: args.set.clone(),
        deployment_version: args.deployment_version.clone(),
        namespace: global.namespace.clone(),
        release_name: args.release_name.clone(),
        deployment_type: args.deployment_type.clone(),
    }
}

/// Loads, merges, pins and validates the config (exit 2 with every error).
pub fn load(global: &GlobalArgs, args: &ConfigArgs) -> Result<Deployment, Failure> {
    Ok(config::load(&options(global, args))?)
}
