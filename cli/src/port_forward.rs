//! `polyaxon port-forward`: the Python CLI's command, without kubectl.
//!
//! Order of work: resolve the release, namespace and local port from the
//! flags (and `-f` config files); prepare the forward (Service, Ready pod,
//! permission, local port), so that every error shows before anything
//! changes; point the Polyaxon client config at the local address and say
//! so, as the Python CLI does; then forward until Ctrl-C (or SIGTERM), which
//! ends the command cleanly with exit code 0.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use polyaxon_core::cluster::{ClusterError, ClusterOptions};
use polyaxon_core::config::{self, LoadOptions};
use polyaxon_core::forward::client_config::{PolyaxonHome, client_host};
use polyaxon_core::forward::{
    DEFAULT_LOCAL_PORT, Forward, ForwardError, ForwardEvent, ForwardOptions, NODE_PORT_LOCAL_PORT,
};

use crate::args::{GlobalArgs, PortForwardArgs};
use crate::exit::Exit;

/// Exit codes (see `args::EXIT_CODES`).
const EXIT_FAILED: Exit = Exit::Failed;
const EXIT_USAGE: Exit = Exit::Usage;
const EXIT_CLUSTER: Exit = Exit::Cluster;

/// The defaults of the Python CLI.
const DEFAULT_RELEASE: &str = "polyaxon";
const DEFAULT_NAMESPACE: &str = "polyaxon";

/// Runs the command to its end.
pub fn run(global: &GlobalArgs, args: &PortForwardArgs) -> Exit {
    let say = Say::new(global);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            return say.fail(
                EXIT_FAILED,
                &format!("cannot start the async runtime: {error}"),
            );
        }
    };
    let code = runtime.block_on(forward(global, args, &say));
    // Streams still closing after Ctrl-C are not waited for.
    runtime.shutdown_background();
    code
}

async fn forward(global: &GlobalArgs, args: &PortForwardArgs, say: &Say) -> Exit {
    let options = match options(global, args) {
        Ok(options) => options,
        Err(message) => return say.fail(EXIT_USAGE, &message),
    };
    let cluster = ClusterOptions {
        kubeconfig: global.kubeconfig.clone(),
        context: global.context.clone(),
    };
    let client = match cluster.client().await {
        Ok(client) => client,
        Err(error) => return say.fail(cluster_exit(&error), &error.to_string()),
    };
    let prepared = match Forward::prepare(&client, &options).await {
        Ok(prepared) => prepared,
        Err(error) => return say.fail(forward_exit(&error), &error.to_string()),
    };

    let host = client_host(args.address.as_deref(), options.local_port);
    let updated = PolyaxonHome::from_env().and_then(|home| home.point_client_at(&host));
    match updated {
        Ok(update) => {
            say.result_header("Client configuration is updated!");
            say.result_success(&format!("Polyaxon will be available at: {}", update.host));
            say.detail(1, &format!("wrote {}", update.client_file.display()));
        }
        Err(error) => return say.fail(EXIT_FAILED, &error.to_string()),
    }

    let gateway = prepared.gateway();
    let pod = prepared.pod();
    for local in prepared.local_addresses() {
        say.info(&format!(
            "Forwarding from {local} -> service {} port {} -> pod {} port {}",
            gateway.service, gateway.service_port, pod.name, pod.port
        ));
    }
    let (events, mut received) = tokio::sync::mpsc::unbounded_channel();
    let printer = {
        let say = say.clone();
        tokio::spawn(async move {
            while let Some(event) = received.recv().await {
                say.event(&event);
            }
        })
    };
    prepared.serve(events, stopped()).await;
    let _ = printer.await;
    say.info("Stopped forwarding.");
    Exit::Success
}

/// The options from the flags, the config files and the Python CLI's defaults.
fn options(global: &GlobalArgs, args: &PortForwardArgs) -> Result<ForwardOptions, String> {
    let from_files = release_from_files(&args.config_files)?;
    let release = args
        .release_name
        .clone()
        .or(from_files.release)
        .unwrap_or_else(|| DEFAULT_RELEASE.to_string());
    let namespace = global
        .namespace
        .clone()
        .or(from_files.namespace)
        .unwrap_or_else(|| DEFAULT_NAMESPACE.to_string());
    let node_port_type = args
        .deployment_type
        .as_deref()
        .is_some_and(|t| matches!(t.to_ascii_lowercase().as_str(), "minikube" | "microk8s"));
    let mut options = ForwardOptions::new(release, namespace);
    options.service = args.service.clone();
    options.local_port = args.port.unwrap_or(if node_port_type {
        NODE_PORT_LOCAL_PORT
    } else {
        DEFAULT_LOCAL_PORT
    });
    if let Some(address) = &args.address {
        options.address = address.clone();
    }
    Ok(options)
}

/// `releaseName` and `namespace` as the config files give them (later files win).
#[derive(Debug, Default)]
struct FromFiles {
    release: Option<String>,
    namespace: Option<String>,
}

/// Release and namespace from the config files, read (and validated) by the
/// same loader as `deploy`.
fn release_from_files(files: &[PathBuf]) -> Result<FromFiles, String> {
    let options = LoadOptions {
        files: files.to_vec(),
        ..LoadOptions::default()
    };
    let deployment = config::load(&options).map_err(|errors| errors.to_string())?;
    Ok(FromFiles {
        release: Some(deployment.release_name),
        namespace: Some(deployment.namespace),
    })
}

fn cluster_exit(error: &ClusterError) -> Exit {
    match error {
        ClusterError::Kubeconfig { .. } => EXIT_USAGE,
        _ => EXIT_CLUSTER,
    }
}

fn forward_exit(error: &ForwardError) -> Exit {
    match error {
        ForwardError::Forbidden { .. } | ForwardError::Api { .. } => EXIT_CLUSTER,
        ForwardError::Address { .. } => EXIT_USAGE,
        _ => EXIT_FAILED,
    }
}

/// Resolves on Ctrl-C or SIGTERM.
async fn stopped() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// What a person sees: results on stdout, messages on stderr, colour only on
/// a terminal and never with NO_COLOR or --no-color, `-q` for errors only.
#[derive(Debug, Clone)]
struct Say {
    quiet: bool,
    verbose: u8,
    stdout_color: bool,
    stderr_color: bool,
}

impl Say {
    fn new(global: &GlobalArgs) -> Self {
        let allowed = !global.no_color && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        Self {
            quiet: global.quiet,
            verbose: global.verbose,
            stdout_color: allowed && std::io::stdout().is_terminal(),
            stderr_color: allowed && std::io::stderr().is_terminal(),
        }
    }

    fn paint(on: bool, code: &str, text: &str) -> String {
        if on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn stdout(&self, line: &str) {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    }

    fn result_header(&self, text: &str) {
        if !self.quiet {
            self.stdout(&Self::paint(self.stdout_color, "1", text));
        }
    }

    fn result_success(&self, text: &str) {
        if !self.quiet {
            self.stdout(&Self::paint(self.stdout_color, "32", text));
        }
    }

    fn info(&self, text: &str) {
        if !self.quiet {
            eprintln!("{text}");
        }
    }

    fn detail(&self, level: u8, text: &str) {
        if !self.quiet && self.verbose >= level {
            eprintln!("{}", Self::paint(self.stderr_color, "2", text));
        }
    }

    fn warn(&self, text: &str) {
        if !self.quiet {
            eprintln!(
                "{} {text}",
                Self::paint(self.stderr_color, "33", "warning:")
            );
        }
    }

    fn error(&self, text: &str) {
        eprintln!(
            "{} {text}",
            Self::paint(self.stderr_color, "31;1", "error:")
        );
    }

    fn fail(&self, code: Exit, text: &str) -> Exit {
        self.error(text);
        code
    }

    fn event(&self, event: &ForwardEvent) {
        match event {
            ForwardEvent::PodSwitched {
                from: Some(left),
                to,
            } => self.warn(&format!(
                "pod {} {}; forwarding new connections to pod {} port {}",
                left.pod, left.why, to.name, to.port
            )),
            ForwardEvent::PodSwitched { from: None, to } => self.info(&format!(
                "a pod is Ready again: forwarding new connections to pod {} port {}",
                to.name, to.port
            )),
            ForwardEvent::PodLost { left, problems } => {
                let others = if problems.is_empty() {
                    "no other pod exists".to_string()
                } else {
                    problems
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("; ")
                };
                self.warn(&format!(
                    "pod {} {}; no Ready pod now ({others}); new connections wait for one",
                    left.pod, left.why
                ));
            }
            ForwardEvent::ConnectionOpened { peer, pod } => {
                self.detail(
                    1,
                    &format!(
                        "connection from {peer} -> pod {} port {}",
                        pod.name, pod.port
                    ),
                );
            }
            ForwardEvent::ConnectionClosed {
                peer,
                sent,
                received,
            } => self.detail(
                2,
                &format!("connection from {peer} closed: {sent} bytes sent, {received} received"),
            ),
            ForwardEvent::ConnectionAborted { peer, reason } => {
                self.detail(
                    1,
                    &format!("connection from {peer} aborted by the client: {reason}"),
                );
            }
            ForwardEvent::ConnectionFailed { peer, error } => {
                self.error(&format!("connection from {peer}: {error}"));
            }
            ForwardEvent::AcceptFailed { error } => {
                self.error(&format!("cannot accept a connection: {error}"));
            }
            ForwardEvent::WatchFailed { message } => {
                self.warn(&format!(
                    "watching the gateway pods failed, retrying: {message}"
                ));
            }
            ForwardEvent::WatchRecovered => self.info("watching the gateway pods works again"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn parse(args: &[&str]) -> (GlobalArgs, PortForwardArgs) {
        let cli =
            crate::args::Cli::parse_from(std::iter::once("polyaxon").chain(args.iter().copied()));
        match cli.command {
            crate::args::Command::PortForward(pf) => (cli.global, pf),
            other => panic!("parsed {other:?}"),
        }
    }

    fn config_file(name: &str, text: &str) -> PathBuf {
        let path =
            std::env::temp_dir().join(format!("polyaxon-pf-{name}-{}.yml", std::process::id()));
        std::fs::write(&path, text).expect("write config");
        path
    }

    #[test]
    fn the_python_clis_defaults_apply() {
        let (global, args) = parse(&["port-forward"]);
        let resolved = options(&global, &args).expect("options");
        assert_eq!(
            (
                resolved.release.as_str(),
                resolved.namespace.as_str(),
                resolved.local_port
            ),
            ("polyaxon", "polyaxon", 8000)
        );
        assert_eq!(
            (resolved.service.as_str(), resolved.service_port),
            ("gateway", 80)
        );
        assert_eq!(resolved.address, "127.0.0.1");
        let (global, args) = parse(&["port-forward", "-t", "minikube"]);
        assert_eq!(options_port(&global, &args), 31833);
        let (global, args) = parse(&["port-forward", "-t", "microk8s", "-p", "9000"]);
        assert_eq!(options_port(&global, &args), 9000);
    }

    fn options_port(global: &GlobalArgs, args: &PortForwardArgs) -> u16 {
        options(global, args).expect("options").local_port
    }

    #[test]
    fn the_config_file_names_release_and_namespace_and_flags_win() {
        let first = config_file("a", "releaseName: agent\nnamespace: plx\n");
        let second = config_file("b", "namespace: plx-2\ngateway:\n  replicas: 2\n");
        let first_arg = first.to_str().unwrap();
        let second_arg = second.to_str().unwrap();

        let (global, args) = parse(&["port-forward", "-f", first_arg, "-f", second_arg]);
        let resolved = options(&global, &args).expect("options");
        assert_eq!(
            (resolved.release.as_str(), resolved.namespace.as_str()),
            ("agent", "plx-2")
        );

        let (global, args) = parse(&["-n", "other", "port-forward", "-f", first_arg, "-r", "mine"]);
        let resolved = options(&global, &args).expect("options");
        assert_eq!(
            (resolved.release.as_str(), resolved.namespace.as_str()),
            ("mine", "other")
        );

        let broken = config_file("c", "releaseName: [\n");
        let (global, args) = parse(&["port-forward", "-f", broken.to_str().unwrap()]);
        let error = options(&global, &args).unwrap_err();
        assert!(
            error.contains(&format!("{}:1:14: YAML syntax error", broken.display())),
            "the loader names the file, line and column: {error}"
        );
        for file in [first, second, broken] {
            let _ = std::fs::remove_file(file);
        }
    }
}
