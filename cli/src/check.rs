//! `polyaxon deploy --check` (and `polyaxon admin deploy --check`): validate
//! the config, and when a cluster answers, its version and the current
//! user's permissions. Nothing is created.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

use polyaxon_core::access;
use polyaxon_core::cluster::ClusterOptions;
use polyaxon_core::config::{self, Deployment, LoadOptions};

use crate::args::{DeployArgs, GlobalArgs};

/// Exit code: the operation failed (e.g. the cluster is too old).
const EXIT_FAILED: u8 = 1;
/// Exit code: invalid config.
const EXIT_INVALID: u8 = 2;
/// Exit code: access forbidden.
const EXIT_FORBIDDEN: u8 = 3;

/// How long to wait for the API server before skipping the cluster checks.
const CLUSTER_TIMEOUT: Duration = Duration::from_secs(10);

/// Runs the check and says what it found. Exit 0 when the config is valid
/// (and, with a cluster, the user may create everything); 2 with every error
/// for an invalid config; 3 when permissions are missing.
pub async fn run(global: &GlobalArgs, args: &DeployArgs) -> ExitCode {
    let out = Paint::new(global, std::io::stdout().is_terminal());
    let err = Paint::new(global, std::io::stderr().is_terminal());
    let options = LoadOptions {
        files: args.config.config_files.clone(),
        set: args.config.set.clone(),
        deployment_version: args.config.deployment_version.clone(),
        namespace: global.namespace.clone(),
        release_name: args.config.release_name.clone(),
        deployment_type: args.config.deployment_type.clone(),
    };
    let deployment = match config::load(&options) {
        Ok(deployment) => deployment,
        Err(errors) => {
            eprint!("{} {errors}", err.red("error:"));
            return ExitCode::from(EXIT_INVALID);
        }
    };
    if !global.quiet {
        print_summary(&out, &deployment, &options);
    }
    cluster_checks(global, &deployment, &out, &err).await
}

fn print_summary(out: &Paint, d: &Deployment, options: &LoadOptions) {
    let files = if options.files.is_empty() {
        "none (an empty config)".to_string()
    } else {
        options
            .files
            .iter()
            .map(|f| f.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(
        stdout,
        "{} the deployment config is valid",
        out.green("ok:")
    );
    let _ = writeln!(stdout, "  chart      {}", d.chart);
    let _ = writeln!(stdout, "  release    {}", d.release_name);
    let _ = writeln!(stdout, "  namespace  {}", d.namespace);
    let _ = writeln!(
        stdout,
        "  version    {} (from {}; {} rules)",
        d.version.version, d.version.source, d.generation
    );
    let _ = writeln!(stdout, "  files      {files}");
}

async fn cluster_checks(
    global: &GlobalArgs,
    deployment: &Deployment,
    out: &Paint,
    err: &Paint,
) -> ExitCode {
    let say_skipped = |why: String| {
        if !global.quiet {
            println!("{} {why}", out.yellow("cluster checks skipped:"));
        }
        ExitCode::SUCCESS
    };
    let options = ClusterOptions {
        kubeconfig: global.kubeconfig.clone(),
        context: global.context.clone(),
    };
    let client = match options.client().await {
        Ok(client) => client,
        Err(error) => return say_skipped(error.to_string()),
    };
    let version = match tokio::time::timeout(CLUSTER_TIMEOUT, access::server_version(&client)).await
    {
        Ok(Ok(version)) => version,
        Ok(Err(error)) => return say_skipped(format!("the cluster did not answer: {error}")),
        Err(_) => {
            return say_skipped(format!(
                "the cluster did not answer within {}s",
                CLUSTER_TIMEOUT.as_secs()
            ));
        }
    };
    if !version.supported() {
        let (major, minor) = access::MIN_SERVER;
        eprintln!(
            "{} Kubernetes {} is older than {major}.{minor}, the oldest this tool deploys to",
            err.red("error:"),
            version.git_version
        );
        return ExitCode::from(EXIT_FAILED);
    }
    if !global.quiet {
        println!("  cluster    Kubernetes {}", version.git_version);
    }
    let kinds = access::kinds_for(deployment);
    let missing = match tokio::time::timeout(
        CLUSTER_TIMEOUT,
        access::check_access(&client, &deployment.namespace, &kinds),
    )
    .await
    {
        Ok(Ok(missing)) => missing,
        Ok(Err(error)) => {
            eprintln!("{} cannot check permissions: {error}", err.red("error:"));
            return ExitCode::from(EXIT_FORBIDDEN);
        }
        Err(_) => {
            eprintln!(
                "{} the permission checks did not finish within {}s",
                err.red("error:"),
                CLUSTER_TIMEOUT.as_secs()
            );
            return ExitCode::from(EXIT_FAILED);
        }
    };
    if missing.is_empty() {
        if !global.quiet {
            println!(
                "  access     may create and update all {} kinds the {} chart needs",
                kinds.len(),
                deployment.chart
            );
        }
        return ExitCode::SUCCESS;
    }
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(
        stderr,
        "{} the current user may not do {} thing{} the {} chart needs:",
        err.red("error:"),
        missing.len(),
        if missing.len() == 1 { "" } else { "s" },
        deployment.chart
    );
    for m in &missing {
        let _ = writeln!(stderr, "  {m}");
    }
    ExitCode::from(EXIT_FORBIDDEN)
}

/// Colours only on a terminal, never with NO_COLOR or --no-color.
struct Paint {
    enabled: bool,
}

impl Paint {
    fn new(global: &GlobalArgs, terminal: bool) -> Self {
        let no_color =
            global.no_color || std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Self {
            enabled: terminal && !no_color,
        }
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.enabled {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn red(&self, text: &str) -> String {
        self.paint("1;31", text)
    }

    fn green(&self, text: &str) -> String {
        self.paint("1;32", text)
    }

    fn yellow(&self, text: &str) -> String {
        self.paint("1;33", text)
    }
}
