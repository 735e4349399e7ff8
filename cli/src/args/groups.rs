//! Flags several commands share, each group declared once: which config
//! files, which release, how long to wait, how to print.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum, ValueHint};
use clap_complete::engine::ArgValueCompleter;
use polyaxon_core::config::DEFAULT_RELEASE_NAME;

use crate::complete::release_names;

/// `-f`: the deployment config files.
#[derive(Debug, Clone, Default, Args)]
pub struct FileArgs {
    /// Deployment config file; repeat to merge several (later files win).
    #[arg(
        short = 'f',
        long = "file",
        visible_alias = "config-file",
        value_name = "FILE",
        value_hint = ValueHint::FilePath
    )]
    pub config_files: Vec<PathBuf>,
}

/// `-r` for a command that also reads the release name from the config.
#[derive(Debug, Clone, Default, Args)]
pub struct ReleaseNameArg {
    /// Release name (default: the config's `releaseName`, else `polyaxon`).
    #[arg(short = 'r', long, value_name = "NAME", add = ArgValueCompleter::new(release_names))]
    pub release_name: Option<String>,
}

/// `-r` for a command that reads no config.
#[derive(Debug, Clone, Args)]
pub struct ReleaseArg {
    /// Release name.
    #[arg(
        short = 'r',
        long,
        value_name = "NAME",
        default_value = DEFAULT_RELEASE_NAME,
        add = ArgValueCompleter::new(release_names)
    )]
    pub release_name: String,
}

/// `--manager-path`, which the Python CLI's users pass out of habit.
#[derive(Debug, Clone, Default, Args)]
pub struct ManagerPathArg {
    /// Accepted for compatibility with the Python CLI (a helm chart path); this tool needs none.
    #[arg(long, value_name = "PATH", value_hint = ValueHint::AnyPath)]
    pub manager_path: Option<PathBuf>,
}

/// Where the deployment config comes from.
#[derive(Debug, Clone, Default, Args)]
pub struct ConfigArgs {
    /// The `-f` config files.
    #[command(flatten)]
    pub files: FileArgs,

    /// Override a config value, Helm style (`gateway.replicas=2`, `a.b[0].c=v`, `x=1,y=2`).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,

    /// Polyaxon version to deploy (default: the config's `deploymentVersion`, else the newest).
    #[arg(long, value_name = "VERSION")]
    pub deployment_version: Option<String>,

    /// `-r`, else the config's `releaseName`.
    #[command(flatten)]
    pub release: ReleaseNameArg,

    /// Deployment type: kubernetes, minikube, microk8s, … (minikube/microk8s use a NodePort gateway).
    #[arg(short = 't', long, value_name = "TYPE")]
    pub deployment_type: Option<String>,

    /// `--manager-path`, accepted and ignored.
    #[command(flatten)]
    pub manager: ManagerPathArg,
}

/// `--check`: validate instead of doing (the command's `--dry-run` excludes it).
#[derive(Debug, Clone, Copy, Default, Args)]
pub struct CheckArg {
    /// Check the config (and, with a cluster, the permissions) and stop.
    #[arg(long, conflicts_with = "dry_run")]
    pub check: bool,
}

/// How long to wait for readiness.
#[derive(Debug, Clone, Args)]
pub struct WaitArgs {
    /// Do not wait for workloads to become ready.
    #[arg(long)]
    pub no_wait: bool,

    /// How long to wait for readiness before failing (e.g. 90s, 10m).
    #[arg(long, value_name = "DURATION", default_value = "10m", value_parser = humantime::parse_duration)]
    pub timeout: Duration,

    /// Objects of one stage applied at once (1 = one by one; for benchmarks).
    #[arg(long, value_name = "N", hide = true)]
    pub apply_concurrency: Option<usize>,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people.
    Text,
    /// YAML.
    Yaml,
    /// JSON.
    Json,
}

/// Output formats of what lists or shows releases (`status`, `history`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TableFormat {
    /// An aligned table, for people.
    #[value(alias = "text")]
    Table,
    /// YAML, for programs (the same fields, in the same order, every time).
    Yaml,
    /// JSON, for programs (the same fields, in the same order, every time).
    Json,
}

impl From<TableFormat> for Format {
    fn from(format: TableFormat) -> Self {
        match format {
            TableFormat::Table => Format::Text,
            TableFormat::Yaml => Format::Yaml,
            TableFormat::Json => Format::Json,
        }
    }
}
