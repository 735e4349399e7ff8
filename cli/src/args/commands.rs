//! Each command's own flags, built from the shared groups.

use std::time::Duration;

use clap::Args;
use clap_complete::engine::ArgValueCompleter;

use super::groups::{
    CheckArg, ConfigArgs, FileArgs, Format, ManagerPathArg, ReleaseArg, ReleaseNameArg,
    TableFormat, WaitArgs,
};
use crate::complete::release_names;

/// `polyaxon deploy`.
#[derive(Debug, Clone, Args)]
pub struct DeployArgs {
    /// Where the deployment config comes from.
    #[command(flatten)]
    pub config: ConfigArgs,

    /// `--check`.
    #[command(flatten)]
    pub check: CheckArg,

    /// Print the objects that would be applied, and stop. Needs no cluster.
    #[arg(long)]
    pub dry_run: bool,

    /// With --dry-run: print Secret data instead of `<redacted>`.
    #[arg(long, requires = "dry_run")]
    pub show_secrets: bool,

    /// Output format of --dry-run.
    #[arg(short = 'o', long, value_enum, default_value_t = Format::Yaml)]
    pub output: Format,

    /// Do not ask before deploying the defaults when no -f is given (needed when not on a terminal).
    #[arg(short = 'y', long)]
    pub yes: bool,

    /// How long to wait for readiness.
    #[command(flatten)]
    pub wait: WaitArgs,
}

/// `polyaxon upgrade`.
#[derive(Debug, Clone, Args)]
pub struct UpgradeArgs {
    /// Where the deployment config comes from.
    #[command(flatten)]
    pub config: ConfigArgs,

    /// Print the plan (create, change, delete) and stop.
    #[arg(long)]
    pub dry_run: bool,

    /// `--check`.
    #[command(flatten)]
    pub check: CheckArg,

    /// Allow deploying a version older than the deployed one.
    #[arg(long)]
    pub allow_downgrade: bool,

    /// On failure, roll back to the previous revision.
    #[arg(long)]
    pub atomic: bool,

    /// Do not ask for confirmation (a major version jump asks otherwise).
    #[arg(short = 'y', long)]
    pub yes: bool,

    /// How long to wait for readiness.
    #[command(flatten)]
    pub wait: WaitArgs,
}

/// `polyaxon diff`: an upgrade's plan, whatever the versions.
#[derive(Debug, Clone, Args)]
pub struct DiffArgs {
    /// Where the deployment config comes from.
    #[command(flatten)]
    pub config: ConfigArgs,
}

/// `polyaxon teardown`.
#[derive(Debug, Clone, Args)]
pub struct TeardownArgs {
    /// The `-f` config files.
    #[command(flatten)]
    pub files: FileArgs,

    /// `-r`, else the config's `releaseName`.
    #[command(flatten)]
    pub release: ReleaseNameArg,

    /// Skip the pre-delete hooks.
    #[arg(long)]
    pub no_hooks: bool,

    /// Also delete the release's PersistentVolumeClaims and the generated
    /// credentials of their data (kept by default).
    #[arg(long)]
    pub delete_volumes: bool,

    /// Also delete what runs left behind (objects labelled
    /// app.kubernetes.io/part-of=polyaxon-runs; kept by default).
    #[arg(long)]
    pub delete_runs: bool,

    /// Do not ask for confirmation (needed when not on a terminal).
    #[arg(short = 'y', long)]
    pub yes: bool,

    /// `--manager-path`, accepted and ignored.
    #[command(flatten)]
    pub manager: ManagerPathArg,

    /// How long to wait for hooks and deletions (e.g. 90s, 10m).
    #[arg(long, value_name = "DURATION", default_value = "10m", value_parser = humantime::parse_duration)]
    pub timeout: Duration,
}

/// `polyaxon port-forward`.
#[derive(Debug, Clone, Args)]
pub struct PortForwardArgs {
    /// The `-f` config files.
    #[command(flatten)]
    pub files: FileArgs,

    /// `-r`, else the config's `releaseName`.
    #[command(flatten)]
    pub release: ReleaseNameArg,

    /// Local port (default: 8000, or 31833 for minikube/microk8s).
    #[arg(short = 'p', long, value_name = "PORT")]
    pub port: Option<u16>,

    /// Service to reach, resolved as `<release>-polyaxon-<service>`.
    #[arg(short = 's', long, value_name = "SERVICE", default_value = "gateway")]
    pub service: String,

    /// Local address to listen on (default: 127.0.0.1; `localhost` also listens on ::1).
    #[arg(long, value_name = "ADDRESS")]
    pub address: Option<String>,

    /// Deployment type (minikube/microk8s change the default port).
    #[arg(short = 't', long, value_name = "TYPE")]
    pub deployment_type: Option<String>,
}

/// `polyaxon history`.
#[derive(Debug, Clone, Args)]
pub struct ReleaseQueryArgs {
    /// `-r`.
    #[command(flatten)]
    pub release: ReleaseArg,

    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t = TableFormat::Table)]
    pub output: TableFormat,
}

/// `polyaxon status`: one release with `-r`, else a list.
#[derive(Debug, Clone, Args)]
pub struct StatusArgs {
    /// Release to show; without it, every release in the namespace is listed.
    #[arg(short = 'r', long, value_name = "NAME", add = ArgValueCompleter::new(release_names))]
    pub release_name: Option<String>,

    /// List the releases in every namespace (instead of -n's).
    #[arg(short = 'A', long, conflicts_with = "release_name")]
    pub all_namespaces: bool,

    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t = TableFormat::Table)]
    pub output: TableFormat,
}

/// `polyaxon unlock`.
#[derive(Debug, Clone, Args)]
pub struct UnlockArgs {
    /// `-r`.
    #[command(flatten)]
    pub release: ReleaseArg,

    /// Do not ask for confirmation (needed when not on a terminal).
    #[arg(short = 'y', long)]
    pub yes: bool,
}

/// `polyaxon rollback`.
#[derive(Debug, Clone, Args)]
pub struct RollbackArgs {
    /// Revision to roll back to (default: the one before the current).
    pub revision: Option<u32>,

    /// `-r`.
    #[command(flatten)]
    pub release: ReleaseArg,

    /// How long to wait for readiness.
    #[command(flatten)]
    pub wait: WaitArgs,
}

/// `polyaxon completion`.
#[derive(Debug, Clone, Args)]
pub struct CompletionArgs {
    /// The shell to print the script for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,

    /// Print a small script that asks `polyaxon` at each <TAB> instead: it also
    /// completes release names, namespaces and contexts from the cluster.
    #[arg(long)]
    pub dynamic: bool,
}

/// `polyaxon version`.
#[derive(Debug, Clone, Args)]
pub struct VersionArgs {
    /// Release to report (default: every release in the namespace).
    #[arg(short = 'r', long, value_name = "NAME", add = ArgValueCompleter::new(release_names))]
    pub release_name: Option<String>,

    /// Require the cluster: exit 3 when it cannot be reached, 1 when no release is found.
    #[arg(long)]
    pub check: bool,

    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t = Format::Text)]
    pub output: Format,
}
