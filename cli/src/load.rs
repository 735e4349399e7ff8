//! The deployment config the command line describes: the `-f` files, the
//! `--set` pairs, and the flags that win over both. Every command that reads
//! a config (`deploy`, `--check`, `--dry-run`, `upgrade`, `diff`, and
//! `teardown -f`, `port-forward -f`) loads it here, and every command that
//! names a release finds it here.

use std::path::PathBuf;

use polyaxon_core::config::{
    self, DEFAULT_NAMESPACE, DEFAULT_RELEASE_NAME, Deployment, LoadOptions,
};
use polyaxon_core::release::ReleaseRef;

use crate::args::{ConfigArgs, GlobalArgs};
use crate::exit::Failure;

/// The load options the flags describe.
pub fn options(global: &GlobalArgs, args: &ConfigArgs) -> LoadOptions {
    LoadOptions {
        files: args.files.config_files.clone(),
        set: args.set.clone(),
        deployment_version: args.deployment_version.clone(),
        namespace: global.namespace.clone(),
        release_name: args.release.release_name.clone(),
        deployment_type: args.deployment_type.clone(),
    }
}

/// Loads, merges, pins and validates the config (exit 2 with every error).
pub fn load(global: &GlobalArgs, args: &ConfigArgs) -> Result<Deployment, Failure> {
    Ok(config::load(&options(global, args))?)
}

/// The release a command acts on, and its namespace: `-r` and `-n`, else
/// what the `-f` config files say (read and validated by the same loader as
/// `deploy`), else the defaults.
pub fn release(
    global: &GlobalArgs,
    files: &[PathBuf],
    release: Option<&str>,
) -> Result<ReleaseRef, Failure> {
    let from_config = if files.is_empty() {
        None
    } else {
        let options = LoadOptions {
            files: files.to_vec(),
            release_name: release.map(str::to_string),
            namespace: global.namespace.clone(),
            ..LoadOptions::default()
        };
        Some(config::load(&options)?)
    };
    Ok(ReleaseRef {
        release: release
            .map(str::to_string)
            .or_else(|| from_config.as_ref().map(|d| d.release_name.clone()))
            .unwrap_or_else(|| DEFAULT_RELEASE_NAME.into()),
        namespace: global
            .namespace
            .clone()
            .or_else(|| from_config.as_ref().map(|d| d.namespace.clone()))
            .unwrap_or_else(|| DEFAULT_NAMESPACE.into()),
    })
}
