//! The command-line surface: every command, flag and default, in one place,
//! so that help, completion and the man page come from the same definitions.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Exit codes, shown in `--help` and README.
pub const EXIT_CODES: &str = "\
Exit codes:
  0    success
  1    the operation failed
  2    usage error or invalid config
  3    cluster unreachable or access forbidden
  130  interrupted (Ctrl-C)";

/// Deploy, upgrade, tear down and reach Polyaxon on Kubernetes, without helm or kubectl.
#[derive(Debug, Parser)]
#[command(name = "polyaxon", version, about, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// Flags every command takes.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster).
    #[arg(long, global = true, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,

    /// Kubeconfig context to use (default: the current context).
    #[arg(long, global = true, value_name = "NAME")]
    pub context: Option<String>,

    /// Namespace of the release (default: the config's `namespace`, else `polyaxon`).
    #[arg(short = 'n', long, global = true, value_name = "NAMESPACE")]
    pub namespace: Option<String>,

    /// Say more (repeat for more detail).
    #[arg(short = 'v', long, global = true, action = clap::ArgAction::Count, conflicts_with = "quiet")]
    pub verbose: u8,

    /// Say only errors.
    #[arg(short = 'q', long, global = true)]
    pub quiet: bool,

    /// No colours (also when NO_COLOR is set or the output is not a terminal).
    #[arg(long, global = true)]
    pub no_color: bool,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Deploy a new release from a Polyaxon deployment config.
    #[command(
        after_help = "Example:\n  polyaxon deploy -f config.yml\n  polyaxon deploy -f config.yml --check\n  polyaxon deploy -f config.yml --dry-run -o json"
    )]
    Deploy(DeployArgs),

    /// Upgrade a deployed release to a new config or version.
    #[command(
        after_help = "Example:\n  polyaxon upgrade -f config.yml --dry-run\n  polyaxon upgrade -f config.yml --atomic"
    )]
    Upgrade(UpgradeArgs),

    /// Delete everything a release owns.
    #[command(after_help = "Example:\n  polyaxon teardown -r polyaxon -n polyaxon --yes")]
    Teardown(TeardownArgs),

    /// Forward a local port to the release's gateway.
    #[command(
        after_help = "Example:\n  polyaxon port-forward -r agent\n  polyaxon port-forward -p 9000 --address 0.0.0.0"
    )]
    PortForward(PortForwardArgs),

    /// Show the release's current revision and the state of its workloads.
    #[command(after_help = "Example:\n  polyaxon status -r polyaxon -o yaml")]
    Status(ReleaseQueryArgs),

    /// List the release's revisions.
    #[command(after_help = "Example:\n  polyaxon history -r polyaxon")]
    History(ReleaseQueryArgs),

    /// Roll the release back to an earlier revision (default: the previous one).
    #[command(after_help = "Example:\n  polyaxon rollback 2 -r polyaxon")]
    Rollback(RollbackArgs),

    /// Show what an upgrade would create, change and delete, without applying.
    #[command(after_help = "Example:\n  polyaxon diff -f config.yml")]
    Diff(ConfigArgs),

    /// Print the shell completion script.
    #[command(
        after_help = "Example:\n  polyaxon completion bash > ~/.local/share/bash-completion/completions/polyaxon"
    )]
    Completion(CompletionArgs),

    /// Print the tool's version, the newest Polyaxon it deploys, and the deployed one.
    #[command(after_help = "Example:\n  polyaxon version -o json")]
    Version(VersionArgs),

    /// The Python CLI's `admin` group: deploy, upgrade, teardown.
    #[command(subcommand)]
    Admin(AdminCommand),
}

/// `polyaxon admin …`, as in the Python CLI.
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Same as `polyaxon deploy`.
    Deploy(DeployArgs),
    /// Same as `polyaxon upgrade`.
    Upgrade(UpgradeArgs),
    /// Same as `polyaxon teardown`.
    Teardown(TeardownArgs),
}

/// Where the deployment config comes from.
#[derive(Debug, Clone, Args)]
pub struct ConfigArgs {
    /// Deployment config file; repeat to merge several (later files win).
    #[arg(short = 'f', long = "config-file", value_name = "FILE")]
    pub config_files: Vec<PathBuf>,

    /// Override a config value, Helm style (`gateway.replicas=2`, `a.b[0].c=v`, `x=1,y=2`).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,

    /// Polyaxon version to deploy (default: the config's `deploymentVersion`, else the newest).
    #[arg(long, value_name = "VERSION")]
    pub deployment_version: Option<String>,

    /// Release name (default: the config's `releaseName`, else `polyaxon`).
    #[arg(short = 'r', long, value_name = "NAME")]
    pub release_name: Option<String>,

    /// Deployment type: kubernetes, minikube, microk8s, … (minikube/microk8s use a NodePort gateway).
    #[arg(short = 't', long, value_name = "TYPE")]
    pub deployment_type: Option<String>,

    /// Accepted for compatibility with the Python CLI (a helm binary); this tool needs none.
    #[arg(long, value_name = "PATH")]
    pub manager_path: Option<PathBuf>,
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
}

/// `polyaxon deploy`.
#[derive(Debug, Clone, Args)]
pub struct DeployArgs {
    #[command(flatten)]
    pub config: ConfigArgs,

    /// Validate the config (and, with a cluster, the permissions) and stop.
    #[arg(long, conflicts_with = "dry_run")]
    pub check: bool,

    /// Print the objects that would be applied, and stop. Needs no cluster.
    #[arg(long)]
    pub dry_run: bool,

    /// With --dry-run: print Secret data instead of `<redacted>`.
    #[arg(long, requires = "dry_run")]
    pub show_secrets: bool,

    /// Output format of --dry-run.
    #[arg(short = 'o', long, value_enum, default_value_t = Format::Yaml)]
    pub output: Format,

    #[command(flatten)]
    pub wait: WaitArgs,
}

/// `polyaxon upgrade`.
#[derive(Debug, Clone, Args)]
pub struct UpgradeArgs {
    #[command(flatten)]
    pub config: ConfigArgs,

    /// Validate the config and stop.
    #[arg(long, conflicts_with = "dry_run")]
    pub check: bool,

    /// Print the plan (create, change, delete) and stop.
    #[arg(long)]
    pub dry_run: bool,

    /// Allow deploying a version older than the deployed one.
    #[arg(long)]
    pub allow_downgrade: bool,

    /// On failure, roll back to the previous revision.
    #[arg(long)]
    pub atomic: bool,

    /// Do not ask for confirmation (a major version jump asks otherwise).
    #[arg(short = 'y', long)]
    pub yes: bool,

    #[command(flatten)]
    pub wait: WaitArgs,
}

/// `polyaxon teardown`.
#[derive(Debug, Clone, Args)]
pub struct TeardownArgs {
    /// Deployment config file, to read the release name and namespace from.
    #[arg(short = 'f', long = "config-file", value_name = "FILE")]
    pub config_files: Vec<PathBuf>,

    /// Release name (default: from the config, else `polyaxon`).
    #[arg(short = 'r', long, value_name = "NAME")]
    pub release_name: Option<String>,

    /// Skip the pre-delete hooks.
    #[arg(long)]
    pub no_hooks: bool,

    /// Also delete the release's PersistentVolumeClaims (kept by default).
    #[arg(long)]
    pub delete_volumes: bool,

    /// Do not ask for confirmation.
    #[arg(short = 'y', long)]
    pub yes: bool,

    /// Accepted for compatibility with the Python CLI; this tool needs no helm.
    #[arg(long, value_name = "PATH")]
    pub manager_path: Option<PathBuf>,

    /// How long to wait for hooks and deletions (e.g. 90s, 10m).
    #[arg(long, value_name = "DURATION", default_value = "10m", value_parser = humantime::parse_duration)]
    pub timeout: Duration,
}

/// `polyaxon port-forward`.
#[derive(Debug, Clone, Args)]
pub struct PortForwardArgs {
    /// Deployment config file, to read the release name and namespace from.
    #[arg(short = 'f', long = "config-file", value_name = "FILE")]
    pub config_files: Vec<PathBuf>,

    /// Release name (default: the config's `releaseName`, else `polyaxon`).
    #[arg(short = 'r', long, value_name = "NAME")]
    pub release_name: Option<String>,

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

/// `polyaxon status` and `polyaxon history`.
#[derive(Debug, Clone, Args)]
pub struct ReleaseQueryArgs {
    /// Release name.
    #[arg(short = 'r', long, value_name = "NAME", default_value = "polyaxon")]
    pub release_name: String,

    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t = Format::Text)]
    pub output: Format,
}

/// `polyaxon rollback`.
#[derive(Debug, Clone, Args)]
pub struct RollbackArgs {
    /// Revision to roll back to (default: the one before the current).
    pub revision: Option<u32>,

    /// Release name.
    #[arg(short = 'r', long, value_name = "NAME", default_value = "polyaxon")]
    pub release_name: String,

    #[command(flatten)]
    pub wait: WaitArgs,
}

/// `polyaxon completion`.
#[derive(Debug, Clone, Args)]
pub struct CompletionArgs {
    /// The shell to print the script for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `polyaxon version`.
#[derive(Debug, Clone, Args)]
pub struct VersionArgs {
    /// Release name to look up the deployed version of.
    #[arg(short = 'r', long, value_name = "NAME", default_value = "polyaxon")]
    pub release_name: String,

    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t = Format::Text)]
    pub output: Format,
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
