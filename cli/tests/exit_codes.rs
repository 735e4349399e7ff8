//! Every documented exit code, from the binary, as a script would see it.
//! None of these needs a cluster: "unreachable" is a closed loopback port,
//! "hung" is a loopback port that accepts connections and never answers.
//! (The cluster-backed cases — a release found, access forbidden — are in
//! `tests/e2e/cli.rs`.)

use std::io::ErrorKind;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_polyaxon");

fn tmp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("polyaxon-exit-{name}-{}", std::process::id()));
    if let Err(error) = std::fs::create_dir_all(&dir) {
        panic!("cannot create {}: {error}", dir.display());
    }
    dir
}

/// A kubeconfig whose only cluster is `server`.
fn kubeconfig(name: &str, server: &str) -> PathBuf {
    let path = tmp_dir(name).join("kubeconfig");
    let text = format!(
        "apiVersion: v1\nkind: Config\n\
         clusters:\n- name: test\n  cluster:\n    server: {server}\n    insecure-skip-tls-verify: true\n\
         users:\n- name: test\n  user:\n    token: not-a-real-token\n\
         contexts:\n- name: test\n  context:\n    cluster: test\n    user: test\n\
         current-context: test\n"
    );
    if let Err(error) = std::fs::write(&path, text) {
        panic!("cannot write {}: {error}", path.display());
    }
    path
}

/// A loopback port nothing listens on (bound, then released).
fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0");
    match listener.and_then(|l| l.local_addr()) {
        Ok(address) => address.port(),
        Err(error) => panic!("cannot pick a loopback port: {error}"),
    }
}

fn command(args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .env_remove("COMPLETE")
        .env_remove("KUBECONFIG")
        .env("NO_COLOR", "1");
    command
}

fn run(args: &[&str]) -> Output {
    match command(args).output() {
        Ok(output) => output,
        Err(error) => panic!("cannot run {BIN}: {error}"),
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn path(path: &Path) -> &str {
    path.to_str().unwrap_or_default()
}

#[test]
fn help_documents_every_exit_code() {
    let output = run(&["--help"]);
    assert_eq!(output.status.code(), Some(0));
    let help = text(&output.stdout);
    for line in [
        "0    success",
        "1    the operation failed",
        "2    usage error or invalid config",
        "3    no cluster: kubeconfig unreadable, unknown context, unreachable, or access forbidden",
        "130  interrupted (Ctrl-C)",
    ] {
        assert!(help.contains(line), "--help lacks `{line}`:\n{help}");
    }
}

#[test]
fn exit_0_version_prints_the_tool_part_when_the_cluster_is_unreachable() {
    let config = kubeconfig("zero", &format!("https://127.0.0.1:{}", closed_port()));
    let output = run(&["--kubeconfig", path(&config), "version"]);
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(0), "stderr: {stderr}");
    assert!(
        stdout.starts_with(&format!("polyaxon {}\n", env!("CARGO_PKG_VERSION"))),
        "{stdout}"
    );
    assert!(stdout.contains("Deploys Polyaxon up to 2."), "{stdout}");
    assert!(stdout.contains("Cluster: not reached"), "{stdout}");
    assert!(
        stderr.contains("warning: the cluster was not reached"),
        "{stderr}"
    );
}

#[test]
fn exit_0_quiet_keeps_the_result_and_drops_the_warning() {
    let config = kubeconfig("quiet", &format!("https://127.0.0.1:{}", closed_port()));
    let output = run(&["--kubeconfig", path(&config), "-q", "version", "-o", "json"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(text(&output.stderr), "");
    let stdout = text(&output.stdout);
    assert!(stdout.contains("\"reached\": false"), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "\"toolVersion\": \"{}\"",
            env!("CARGO_PKG_VERSION")
        )),
        "{stdout}"
    );
}

#[test]
fn exit_1_when_the_output_cannot_be_written() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        eprintln!("no /dev/full here: exit 1 on a failed write was NOT checked");
        return;
    };
    let output = command(&["completion", "bash"]).stdout(full).output();
    let Ok(output) = output else {
        panic!("cannot run {BIN}")
    };
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "stderr: {stderr}");
    assert!(
        stderr.starts_with("error: cannot write the completion script:"),
        "{stderr}"
    );
}

#[test]
fn exit_2_on_usage_errors() {
    for args in [
        &["deploy", "--no-such-flag"][..],
        &[][..],
        &["completion", "tcsh"][..],
        &["-q", "-v", "version"][..],
        &["deploy", "--check", "--dry-run"][..],
        &["version", "-o", "xml"][..],
    ] {
        let output = run(args);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "polyaxon {args:?}: {stderr}");
        assert!(
            stderr.starts_with("error:") || stderr.contains("\nUsage: polyaxon"),
            "polyaxon {args:?} says neither what is wrong nor how to use it: {stderr}"
        );
        assert_eq!(
            text(&output.stdout),
            "",
            "polyaxon {args:?}: usage errors go to stderr"
        );
    }
}

#[test]
fn exit_3_when_the_kubeconfig_cannot_be_read_however_it_is_named() {
    let missing = tmp_dir("three-kubeconfig").join("no-such-kubeconfig");
    let by_flag = run(&["--kubeconfig", path(&missing), "version", "--check"]);
    let by_env = command(&["version", "--check"])
        .env("KUBECONFIG", &missing)
        .output()
        .unwrap_or_else(|error| panic!("cannot run {BIN}: {error}"));
    for (how, output) in [("--kubeconfig", by_flag), ("KUBECONFIG", by_env)] {
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(3), "{how}: {stderr}");
        assert!(stderr.contains("cannot read kubeconfig"), "{how}: {stderr}");
        assert!(stderr.contains("no-such-kubeconfig"), "{how}: {stderr}");
    }
}

#[test]
fn exit_3_for_an_unknown_context_listing_the_contexts_there_are() {
    let config = kubeconfig(
        "three-context",
        &format!("https://127.0.0.1:{}", closed_port()),
    );
    let output = run(&[
        "--kubeconfig",
        path(&config),
        "--context",
        "prod",
        "status",
        "-r",
        "x",
    ]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("error: context \"prod\" does not exist in")
            && stderr.contains("the contexts there are: test"),
        "{stderr}"
    );
    assert!(
        stderr.contains("hint: pass one of them with --context"),
        "{stderr}"
    );
}

#[test]
fn exit_2_for_an_invalid_deployment_config() {
    let config = tmp_dir("invalid").join("config.yml");
    if let Err(error) = std::fs::write(&config, "noSuchKey: 1\ngateway:\n  replicas: x\n") {
        panic!("cannot write {}: {error}", config.display());
    }
    for args in [
        &["deploy", "--dry-run", "-f", path(&config)][..],
        &["deploy", "--check", "-f", path(&config)][..],
        &["admin", "upgrade", "-f", path(&config)][..],
    ] {
        let output = run(args);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "polyaxon {args:?}: {stderr}");
        assert!(
            stderr.contains("noSuchKey"),
            "polyaxon {args:?} does not name the key: {stderr}"
        );
    }
}

#[test]
fn exit_3_from_every_cluster_command_when_the_cluster_is_unreachable() {
    let server = format!("https://127.0.0.1:{}", closed_port());
    let kubeconfig = kubeconfig("three-all", &server);
    let config = tmp_dir("three-all").join("config.yml");
    if let Err(error) = std::fs::write(&config, "{}\n") {
        panic!("cannot write {}: {error}", config.display());
    }
    let (kubeconfig, config) = (path(&kubeconfig), path(&config));
    for args in [
        &["status"][..],
        &["history"][..],
        &["rollback"][..],
        &["teardown", "--yes"][..],
        &["deploy", "-f", config, "--no-wait"][..],
        &["diff", "-f", config][..],
    ] {
        let mut full = vec!["--kubeconfig", kubeconfig];
        full.extend_from_slice(args);
        let output = run(&full);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(3), "polyaxon {args:?}: {stderr}");
        assert!(stderr.contains("error: "), "polyaxon {args:?}: {stderr}");
    }
}

#[test]
fn exit_3_when_the_cluster_is_unreachable_and_required() {
    let port = closed_port();
    let config = kubeconfig("three", &format!("https://127.0.0.1:{port}"));
    let started = Instant::now();
    let output = run(&["--kubeconfig", path(&config), "version", "--check"]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(
        stderr.contains("hint: check that the cluster is up"),
        "{stderr}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
    // The tool's part is still printed before the error.
    assert!(text(&output.stdout).contains("Cluster: not reached"));
}

fn wait_with_deadline(child: &mut Child, deadline: Duration) -> Option<ExitStatus> {
    let started = Instant::now();
    while started.elapsed() < deadline {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(error) => panic!("cannot wait for {BIN}: {error}"),
        }
    }
    let _ = child.kill();
    None
}

/// Waits until the command connects to `listener` (so it is running, with
/// its Ctrl-C handler, and waiting on the cluster); returns the connection,
/// to be held open (and never answered) until the command ends.
fn accept_while_running(listener: &TcpListener, child: &mut Child) -> TcpStream {
    if let Err(error) = listener.set_nonblocking(true) {
        panic!("cannot poll the listener: {error}");
    }
    let started = Instant::now();
    loop {
        match listener.accept() {
            Ok((connection, _)) => return connection,
            Err(error) if error.kind() == ErrorKind::WouldBlock => {}
            Err(error) => panic!("accept failed: {error}"),
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("polyaxon ended ({status}) before it connected to the cluster");
        }
        if started.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("polyaxon did not connect to the cluster within 20s");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[cfg(unix)]
#[test]
fn exit_130_when_interrupted_while_waiting_for_the_cluster() {
    let Ok(listener) = TcpListener::bind("127.0.0.1:0") else {
        panic!("cannot bind a loopback port");
    };
    let Ok(address) = listener.local_addr() else {
        panic!("no local address")
    };
    let config = kubeconfig("interrupt", &format!("http://{address}"));
    let spawned = command(&["--kubeconfig", path(&config), "version", "--check"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let Ok(mut child) = spawned else {
        panic!("cannot start {BIN}")
    };
    let _hung = accept_while_running(&listener, &mut child);

    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    assert!(sent.is_ok_and(|s| s.success()), "cannot send SIGINT");
    let started = Instant::now();
    let Some(status) = wait_with_deadline(&mut child, Duration::from_secs(10)) else {
        panic!("polyaxon did not stop within 10s of SIGINT");
    };
    assert_eq!(status.code(), Some(130), "{status}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "took {:?}",
        started.elapsed()
    );
    let output = child.wait_with_output();
    let Ok(output) = output else {
        panic!("cannot read the output")
    };
    assert_eq!(text(&output.stderr), "interrupted\n");
}

#[test]
fn exit_2_deploy_without_f_asks_and_refuses_when_not_on_a_terminal() {
    // An unreachable cluster: reaching it would exit 3, so exit 2 shows the
    // refusal came first.
    let config = kubeconfig(
        "deploy-defaults",
        &format!("https://127.0.0.1:{}", closed_port()),
    );
    let output = command(&["--kubeconfig", path(&config), "deploy"])
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|error| panic!("cannot run {BIN}: {error}"));
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("error: deploy without -f needs a confirmation"),
        "{stderr}"
    );
    assert!(
        stderr.contains("or --yes to deploy the defaults"),
        "{stderr}"
    );
    // With --yes it goes on to the cluster (which is unreachable here).
    let output = command(&[
        "--kubeconfig",
        path(&config),
        "deploy",
        "--yes",
        "--timeout",
        "1s",
    ])
    .stdin(Stdio::null())
    .output()
    .unwrap_or_else(|error| panic!("cannot run {BIN}: {error}"));
    assert_eq!(output.status.code(), Some(3), "{}", text(&output.stderr));
}
