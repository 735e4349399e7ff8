//! `polyaxon port-forward`: the Python CLI's command, without kubectl.
//!
//! Order of work: resolve the release, namespace and local port from the
//! flags (and `-f` config files) as every command does; prepare the forward
//! (Service, Ready pod, permission, local port), so that every error shows
//! before anything changes; point the Polyaxon client config at the local
//! address and say so, as the Python CLI does; then forward until Ctrl-C (or
//! SIGTERM), which ends the command cleanly with exit code 0.

use polyaxon_core::config::schema::DeploymentType;
use polyaxon_core::forward::client_config::{PolyaxonHome, client_host, is_wildcard};
use polyaxon_core::forward::{
    Forward, ForwardEvent, ForwardOptions, PodProblem, default_local_port,
};

use crate::args::{GlobalArgs, PortForwardArgs};
use crate::exit::{Failure, Outcome};
use crate::load;
use crate::output::{Output, Paint, Stream};

/// Runs the command to its end: Ctrl-C or SIGTERM is its normal end.
pub async fn run(global: &GlobalArgs, args: &PortForwardArgs, out: &Output) -> Outcome {
    let options = options(global, args)?;
    let client = global.cluster().client().await?;
    let prepared = Forward::prepare(&client, &options).await?;

    let host = client_host(args.address.as_deref(), options.local_port);
    let update = PolyaxonHome::from_env().and_then(|home| home.point_client_at(&host))?;
    out.report(format!(
        "{}\n{}\n",
        out.paint(
            Stream::Stdout,
            Paint::Bold,
            "Client configuration is updated!"
        ),
        out.paint(
            Stream::Stdout,
            Paint::Green,
            format!("Polyaxon will be available at: {}", update.host)
        )
    ))?;
    out.detail(1, format!("wrote {}", update.client_file.display()));
    if let Some(address) = args.address.as_deref().filter(|a| is_wildcard(a)) {
        out.info(format!(
            "Listening on every interface ({address}); the client config points at {} (other machines use this machine's address)",
            update.host
        ));
    }

    let gateway = prepared.gateway();
    let pod = prepared.pod();
    for local in prepared.local_addresses() {
        out.info(format!(
            "Forwarding from {local} -> service {} port {} -> pod {} port {}",
            gateway.service, gateway.service_port, pod.name, pod.port
        ));
    }
    out.detail(
        1,
        format!("port-forward transport: {}", prepared.transport()),
    );
    let (events, mut received) = tokio::sync::mpsc::unbounded_channel();
    let printer = {
        let out = out.clone();
        tokio::spawn(async move {
            while let Some(event) = received.recv().await {
                show(&out, &event);
            }
        })
    };
    prepared.serve(events, stopped()).await;
    let _ = printer.await;
    out.info("Stopped forwarding.");
    Ok(())
}

/// The options from the flags, the config files and the Python CLI's defaults.
fn options(global: &GlobalArgs, args: &PortForwardArgs) -> Result<ForwardOptions, Failure> {
    let target = load::release(
        global,
        &args.files.config_files,
        args.release.release_name.as_deref(),
    )?;
    let deployment_type = args
        .deployment_type
        .as_deref()
        .and_then(|t| DeploymentType::parse(&t.to_ascii_lowercase()));
    let mut options = ForwardOptions::new(target.release, target.namespace);
    options.service = args.service.clone();
    options.local_port = args.port.unwrap_or(default_local_port(deployment_type));
    if let Some(address) = &args.address {
        options.address = address.clone();
    }
    Ok(options)
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

/// Says what happened to the forward while it runs.
fn show(out: &Output, event: &ForwardEvent) {
    match event {
        ForwardEvent::PodSwitched {
            from: Some(left),
            to,
        } => out.warn(format!(
            "pod {} {}; forwarding new connections to pod {} port {}",
            left.pod, left.why, to.name, to.port
        )),
        ForwardEvent::PodSwitched { from: None, to } => out.info(format!(
            "a pod is Ready again: forwarding new connections to pod {} port {}",
            to.name, to.port
        )),
        ForwardEvent::PodLost { left, problems } => {
            let others = PodProblem::list(problems, || "no other pod exists".to_string());
            out.warn(format!(
                "pod {} {}; no Ready pod now ({others}); new connections wait for one",
                left.pod, left.why
            ));
        }
        ForwardEvent::ConnectionOpened { peer, pod, via } => out.detail(
            1,
            format!(
                "connection from {peer} -> pod {} port {} ({via})",
                pod.name, pod.port
            ),
        ),
        ForwardEvent::ConnectionClosed {
            peer,
            sent,
            received,
        } => out.detail(
            2,
            format!("connection from {peer} closed: {sent} bytes sent, {received} received"),
        ),
        ForwardEvent::ConnectionAborted { peer, reason } => out.detail(
            1,
            format!("connection from {peer} aborted by the client: {reason}"),
        ),
        ForwardEvent::ConnectionFailed { peer, error } => {
            out.error(format!("connection from {peer}: {error}"));
        }
        ForwardEvent::AcceptFailed { error } => {
            out.error(format!("cannot accept a connection: {error}"));
        }
        ForwardEvent::WatchFailed { message } => out.warn(format!(
            "watching the gateway pods failed, retrying: {message}"
        )),
        ForwardEvent::WatchRecovered => out.info("watching the gateway pods works again"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;
    use std::path::PathBuf;

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
        let (global, args) = parse(&["port-forward", "-t", "MicroK8s"]);
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
        let failure = options(&global, &args).unwrap_err();
        assert_eq!(failure.exit, crate::exit::Exit::Usage);
        assert!(
            failure
                .message
                .contains(&format!("{}:1:14: YAML syntax error", broken.display())),
            "the loader names the file, line and column: {failure}"
        );
        for file in [first, second, broken] {
            let _ = std::fs::remove_file(file);
        }
    }
}
