//! The command-line surface: every command, flag and default, in one place,
//! so that help, completion and the man page come from the same definitions.
//! This file holds the command tree and the global flags; [`groups`] the
//! flags several commands share, [`commands`] each command's own.
//!
//! Flags follow the Python CLI (`polyaxon admin deploy|upgrade|teardown`,
//! `polyaxon port-forward`) where it has them, so its users' habits carry over.

mod commands;
mod groups;

use std::path::PathBuf;

use clap::{Args, ColorChoice, CommandFactory, FromArgMatches, Parser, Subcommand, ValueHint};
use clap_complete::engine::ArgValueCompleter;
use polyaxon_core::cluster::ClusterOptions;
use polyaxon_core::config::DEFAULT_NAMESPACE;

pub use commands::{
    CompletionArgs, DeployArgs, DiffArgs, PortForwardArgs, ReleaseQueryArgs, RollbackArgs,
    StatusArgs, TeardownArgs, UnlockArgs, UpgradeArgs, VersionArgs,
};
pub use groups::{
    CheckArg, ConfigArgs, FileArgs, Format, ManagerPathArg, ReleaseArg, ReleaseNameArg,
    TableFormat, WaitArgs,
};

use crate::complete::{contexts, namespaces};

/// The exit-code table as a literal, so it can be spliced into other help texts.
macro_rules! exit_codes {
    () => {
        "\
Exit codes:
  0    success
  1    the operation failed
  2    usage error or invalid config
  3    no cluster: kubeconfig unreadable, unknown context, unreachable, or access forbidden
  130  interrupted (Ctrl-C)"
    };
}

/// One install line per shell, each working without extra packages; shown
/// in `polyaxon completion --help` and README (a test checks both).
macro_rules! completion_install {
    () => {
        "\
  bash        echo 'source <(polyaxon completion bash)' >> ~/.bashrc
  zsh         echo 'autoload -Uz compinit && compinit && source <(polyaxon completion zsh)' >> ~/.zshrc
  fish        mkdir -p ~/.config/fish/completions && polyaxon completion fish > ~/.config/fish/completions/polyaxon.fish
  powershell  polyaxon completion powershell >> $PROFILE
  elvish      mkdir -p ~/.config/elvish && polyaxon completion elvish >> ~/.config/elvish/rc.elv"
    };
}

/// The install lines of `polyaxon completion --help`, one per shell.
pub const COMPLETION_INSTALL: &str = completion_install!();

/// Exit codes, shown in `--help`, the man page and README.
pub const EXIT_CODES: &str = exit_codes!();

const ROOT_AFTER_HELP: &str = concat!(
    "\
Examples:
  polyaxon deploy -f config.yml
  polyaxon status -o yaml
  polyaxon port-forward
  echo 'source <(polyaxon completion bash)' >> ~/.bashrc

",
    exit_codes!(),
    "

Colours are used only on a terminal, never with NO_COLOR or --no-color."
);

/// Deploy, upgrade, tear down and reach Polyaxon on Kubernetes, without helm or kubectl.
#[derive(Debug, Parser)]
#[command(name = "polyaxon", version, after_help = ROOT_AFTER_HELP)]
pub struct Cli {
    /// Flags every command takes.
    #[command(flatten)]
    pub global: GlobalArgs,

    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The whole command tree as a [`clap::Command`] (for completion and the man page).
pub fn command() -> clap::Command {
    Cli::command()
}

/// Parses the process's arguments; prints help or a usage error and exits
/// (0 or 2) when that is what they ask for.
///
/// Clap colours its own help and errors by itself (on a terminal, not with
/// `NO_COLOR`); `--no-color` is looked for before parsing so that it applies
/// to them too.
pub fn parse() -> Cli {
    let no_color = std::env::args_os()
        .take_while(|arg| arg != "--")
        .any(|arg| arg == "--no-color");
    let mut command = command();
    if no_color {
        command = command.color(ColorChoice::Never);
    }
    let matches = command.get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|error| error.exit())
}

/// The heading global flags are listed under in every command's help.
const GLOBAL: &str = "Global options";

/// Flags every command takes.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster).
    #[arg(long, global = true, help_heading = GLOBAL, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub kubeconfig: Option<PathBuf>,

    /// Kubeconfig context to use (default: the current context).
    #[arg(long, global = true, help_heading = GLOBAL, value_name = "NAME", add = ArgValueCompleter::new(contexts))]
    pub context: Option<String>,

    /// Namespace of the release (default: the config's `namespace`, else `polyaxon`).
    #[arg(
        short = 'n',
        long,
        global = true, help_heading = GLOBAL,
        value_name = "NAMESPACE",
        add = ArgValueCompleter::new(namespaces)
    )]
    pub namespace: Option<String>,

    /// Say more (repeat for more detail).
    #[arg(short = 'v', long, global = true, help_heading = GLOBAL, action = clap::ArgAction::Count, conflicts_with = "quiet")]
    pub verbose: u8,

    /// Say only errors (results asked for still go to stdout).
    #[arg(short = 'q', long, global = true, help_heading = GLOBAL)]
    pub quiet: bool,

    /// No colours (also when NO_COLOR is set or the output is not a terminal).
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub no_color: bool,
}

impl GlobalArgs {
    /// Where to find the cluster, as `--kubeconfig` and `--context` say.
    pub fn cluster(&self) -> ClusterOptions {
        ClusterOptions {
            kubeconfig: self.kubeconfig.clone(),
            context: self.context.clone(),
        }
    }

    /// `-n`, else [`DEFAULT_NAMESPACE`]; for commands that read no config.
    pub fn namespace_or_default(&self) -> &str {
        self.namespace.as_deref().unwrap_or(DEFAULT_NAMESPACE)
    }
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Deploy a new release from a Polyaxon deployment config.
    #[command(
        after_help = "Examples:\n  polyaxon deploy -f config.yml\n  polyaxon deploy -f base.yml -f prod.yml --set gateway.replicas=2\n  polyaxon deploy -f config.yml --check\n  polyaxon deploy -f config.yml --dry-run -o json"
    )]
    Deploy(DeployArgs),

    /// Upgrade a deployed release to a new config or version.
    #[command(
        after_help = "Examples:\n  polyaxon upgrade -f config.yml --dry-run\n  polyaxon upgrade -f config.yml --deployment-version 2.18.0 --atomic"
    )]
    Upgrade(UpgradeArgs),

    /// Delete everything a release owns (volumes are kept unless asked).
    #[command(
        after_help = "Examples:\n  polyaxon teardown -r polyaxon -n polyaxon --yes\n  polyaxon teardown -f config.yml --no-hooks --delete-volumes"
    )]
    Teardown(TeardownArgs),

    /// Forward a local port to the release's gateway (until Ctrl-C).
    #[command(
        after_help = "Examples:\n  polyaxon port-forward\n  polyaxon port-forward -r agent -n polyaxon-agent\n  polyaxon port-forward -p 9000 --address 0.0.0.0"
    )]
    PortForward(PortForwardArgs),

    /// List the releases, or show one (-r) with the state of its workloads.
    #[command(
        after_help = "Examples:\n  polyaxon status                    # the releases in the namespace, a table\n  polyaxon status -o yaml            # the same as YAML\n  polyaxon status -A -o json         # in every namespace, as JSON\n  polyaxon status -r agent -n polyaxon-agent\n\nA pending revision says who runs it (operation, user, host, pid, since when), or\nthat it was interrupted; a failed one says why."
    )]
    Status(StatusArgs),

    /// List the release's revisions.
    #[command(after_help = "Examples:\n  polyaxon history\n  polyaxon history -r agent -o json")]
    History(ReleaseQueryArgs),

    /// Roll the release back to an earlier revision (default: the previous one).
    #[command(after_help = "Examples:\n  polyaxon rollback\n  polyaxon rollback 2 -r polyaxon")]
    Rollback(RollbackArgs),

    /// Show what an upgrade would create, change and delete, without applying.
    #[command(
        after_help = "Examples:\n  polyaxon diff -f config.yml\n  polyaxon diff -f config.yml --set api.replicas=3"
    )]
    Diff(DiffArgs),

    /// Remove the release's lock, left by an operation that died on another machine.
    #[command(
        after_help = "Examples:\n  polyaxon unlock -r polyaxon\n  polyaxon unlock -r agent -n polyaxon-agent --yes\n\nA lock left by a process that died on this machine is taken over by the next\noperation without this; one left on another machine expires after 60s."
    )]
    Unlock(UnlockArgs),

    /// Print the shell completion script.
    #[command(after_help = COMPLETION_AFTER_HELP)]
    Completion(CompletionArgs),

    /// Print the tool's version, the newest Polyaxon it deploys, and the deployed one.
    #[command(
        after_help = "Examples:\n  polyaxon version\n  polyaxon version -n polyaxon -r polyaxon -o json\n  polyaxon version --check   # exit 3 if the cluster cannot be reached"
    )]
    Version(VersionArgs),

    /// The Python CLI's `admin` group: deploy, upgrade, teardown.
    #[command(
        subcommand,
        after_help = "Examples:\n  polyaxon admin deploy -f config.yml\n  polyaxon admin upgrade -f config.yml --check\n  polyaxon admin teardown -f config.yml --yes"
    )]
    Admin(AdminCommand),
}

const COMPLETION_AFTER_HELP: &str = concat!(
    "Examples: install it (each line works on a stock shell, no extra packages):\n",
    completion_install!(),
    "

Where each shell looks:
  bash        ~/.bashrc, at start; with the bash-completion package, also
              ~/.local/share/bash-completion/completions/polyaxon, at the first <TAB>
  zsh         ~/.zshrc, at start; after compinit, files named _polyaxon in the $fpath folders
  fish        ~/.config/fish/completions/polyaxon.fish, at the first <TAB>
  powershell  the $PROFILE script, at start
  elvish      ~/.config/elvish/rc.elv, at start

With --dynamic the script asks `polyaxon` at each <TAB>, which also completes
release names, namespaces and contexts from the cluster:
  echo 'source <(polyaxon completion bash --dynamic)' >> ~/.bashrc"
);

/// `polyaxon admin …`, as in the Python CLI.
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Same as `polyaxon deploy`.
    #[command(after_help = "Example:\n  polyaxon admin deploy -f config.yml --check")]
    Deploy(DeployArgs),
    /// Same as `polyaxon upgrade`.
    #[command(after_help = "Example:\n  polyaxon admin upgrade -f config.yml --dry-run")]
    Upgrade(UpgradeArgs),
    /// Same as `polyaxon teardown`.
    #[command(after_help = "Example:\n  polyaxon admin teardown -f config.yml --yes")]
    Teardown(TeardownArgs),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_tree_is_consistent() {
        command().debug_assert();
    }

    #[test]
    fn every_command_has_an_example_in_its_help() {
        fn walk(command: &clap::Command, path: &str, missing: &mut Vec<String>) {
            let path = format!("{path} {}", command.get_name()).trim().to_string();
            let help = command
                .get_after_help()
                .map(|h| h.to_string())
                .unwrap_or_default();
            let invocation = format!("{path} ");
            if !help.contains("Example") || !help.contains(&invocation) {
                missing.push(path.clone());
            }
            for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
                walk(sub, &path, missing);
            }
        }
        let mut missing = Vec::new();
        walk(&command(), "", &mut missing);
        assert!(
            missing.is_empty(),
            "no example invoking the command in: {missing:?}"
        );
    }

    #[test]
    fn python_cli_spellings_parse() {
        // `polyaxon admin deploy -f FILE -t TYPE --manager-path P --check`
        let cli = Cli::try_parse_from([
            "polyaxon",
            "admin",
            "deploy",
            "--file",
            "a.yml",
            "-t",
            "minikube",
            "--manager-path",
            "chart",
            "--check",
        ])
        .map_err(|e| e.to_string());
        let Ok(Cli {
            command: Command::Admin(AdminCommand::Deploy(deploy)),
            ..
        }) = cli
        else {
            panic!("admin deploy did not parse: {cli:?}");
        };
        assert_eq!(deploy.config.files.config_files, [PathBuf::from("a.yml")]);
        assert_eq!(deploy.config.deployment_type.as_deref(), Some("minikube"));
        assert!(deploy.check.check);

        // `polyaxon port-forward -p 9000 -n ns -t minikube -r agent -s api --address 0.0.0.0`
        let cli = Cli::try_parse_from([
            "polyaxon",
            "port-forward",
            "-p",
            "9000",
            "-n",
            "ns",
            "-t",
            "minikube",
            "-r",
            "agent",
            "-s",
            "api",
            "--address",
            "0.0.0.0",
        ])
        .map_err(|e| e.to_string());
        let Ok(Cli {
            command: Command::PortForward(forward),
            global,
        }) = cli
        else {
            panic!("port-forward did not parse: {cli:?}");
        };
        assert_eq!(global.namespace.as_deref(), Some("ns"));
        assert_eq!(forward.port, Some(9000));
        assert_eq!(forward.release.release_name.as_deref(), Some("agent"));
        assert_eq!(forward.service, "api");
        assert_eq!(forward.address.as_deref(), Some("0.0.0.0"));

        // `polyaxon admin teardown -f FILE -y`
        let cli = Cli::try_parse_from(["polyaxon", "admin", "teardown", "-f", "a.yml", "-y"])
            .map_err(|e| e.to_string());
        let Ok(Cli {
            command: Command::Admin(AdminCommand::Teardown(teardown)),
            ..
        }) = cli
        else {
            panic!("admin teardown did not parse: {cli:?}");
        };
        assert!(teardown.yes);
    }

    #[test]
    fn the_older_config_file_spelling_still_parses() {
        let cli =
            Cli::try_parse_from(["polyaxon", "diff", "--config-file", "a.yml", "-f", "b.yml"])
                .map_err(|e| e.to_string());
        let Ok(Cli {
            command: Command::Diff(diff),
            ..
        }) = cli
        else {
            panic!("diff did not parse: {cli:?}");
        };
        assert_eq!(
            diff.config.files.config_files,
            [PathBuf::from("a.yml"), PathBuf::from("b.yml")]
        );
    }

    #[test]
    fn global_flags_are_accepted_after_the_subcommand() {
        let cli = Cli::try_parse_from([
            "polyaxon",
            "status",
            "--kubeconfig",
            "k",
            "--context",
            "c",
            "-n",
            "ns",
            "-vv",
            "--no-color",
        ])
        .map_err(|e| e.to_string());
        let Ok(Cli { global, .. }) = cli else {
            panic!("status did not parse: {cli:?}")
        };
        assert_eq!(global.kubeconfig, Some(PathBuf::from("k")));
        assert_eq!(global.context.as_deref(), Some("c"));
        assert_eq!(global.namespace_or_default(), "ns");
        assert_eq!(global.verbose, 2);
        assert!(global.no_color);
    }

    #[test]
    fn status_lists_without_r_and_takes_table_yaml_json() {
        let parse = |args: &[&str]| {
            let mut full = vec!["polyaxon", "status"];
            full.extend_from_slice(args);
            match Cli::try_parse_from(full) {
                Ok(Cli {
                    command: Command::Status(status),
                    ..
                }) => Ok(status),
                Ok(other) => panic!("not status: {other:?}"),
                Err(error) => Err(error.kind()),
            }
        };
        let listing = parse(&[]).expect("plain status parses");
        assert_eq!(listing.release_name, None, "no release: a list");
        assert_eq!(listing.output, TableFormat::Table);
        assert!(!listing.all_namespaces);
        for (flag, format) in [
            ("table", TableFormat::Table),
            ("text", TableFormat::Table),
            ("yaml", TableFormat::Yaml),
            ("json", TableFormat::Json),
        ] {
            assert_eq!(
                parse(&["-o", flag]).map(|s| s.output),
                Ok(format),
                "-o {flag}"
            );
        }
        assert!(parse(&["-A"]).is_ok_and(|s| s.all_namespaces));
        assert!(parse(&["--all-namespaces", "-o", "yaml"]).is_ok_and(|s| s.all_namespaces));
        assert_eq!(
            parse(&["-A", "-r", "agent"]).map(|_| ()),
            Err(clap::error::ErrorKind::ArgumentConflict)
        );
        assert_eq!(
            parse(&["-r", "agent"]).map(|s| s.release_name),
            Ok(Some("agent".to_string()))
        );
    }

    #[test]
    fn quiet_and_verbose_exclude_each_other() {
        let error = Cli::try_parse_from(["polyaxon", "-q", "-v", "version"])
            .map(|_| ())
            .unwrap_err();
        assert_eq!(error.kind(), clap::error::ErrorKind::ArgumentConflict);
    }
}
