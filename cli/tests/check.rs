//! `polyaxon deploy --check`, run as a user runs it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test and its helpers report a failure by panicking"
)]

use std::path::PathBuf;
use std::process::{Command, Output};

fn fixtures() -> PathBuf {
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    [
        std::env::var_os("POLYAXON_SHARED_DIR").map(PathBuf::from),
        Some(workspace.join("../shared")),
        Some(PathBuf::from("/work/shared")),
    ]
    .into_iter()
    .flatten()
    .map(|dir| dir.join("reference/polyaxon-configs"))
    .find(|dir| dir.is_dir())
    .expect("the shared fixtures are missing: set POLYAXON_SHARED_DIR")
}

fn temp_file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("polyaxon-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("temp file");
    path
}

/// Runs `polyaxon <args>` with no cluster reachable: KUBECONFIG names a
/// missing file and HOME an empty folder.
fn polyaxon_without_cluster(args: &[&str]) -> Output {
    let home = std::env::temp_dir().join(format!("polyaxon-check-home-{}", std::process::id()));
    std::fs::create_dir_all(&home).expect("home");
    Command::new(env!("CARGO_BIN_EXE_polyaxon"))
        .args(args)
        .env("KUBECONFIG", home.join("no-such-kubeconfig"))
        .env("HOME", &home)
        .env_remove("KUBERNETES_SERVICE_HOST")
        .env("NO_COLOR", "1")
        .output()
        .expect("polyaxon runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_valid_config_exits_0_with_a_summary_and_skips_the_cluster() {
    let config = fixtures().join("polyaxon-1.14-all_platform_values.yml");
    let pin = temp_file("pin.yml", "deploymentVersion: 1.14.0\n");
    let out = polyaxon_without_cluster(&[
        "deploy",
        "--check",
        "-f",
        config.to_str().expect("utf-8"),
        "-f",
        pin.to_str().expect("utf-8"),
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout:\n{stdout}\nstderr:\n{}",
        text(&out.stderr)
    );
    assert!(stdout.contains("chart      platform"), "{stdout}");
    assert!(stdout.contains("release    plx"), "{stdout}");
    assert!(stdout.contains("namespace  polyaxon"), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "version    1.14.0 (from deploymentVersion at {}:1:20; Polyaxon 1.x rules)",
            pin.display()
        )),
        "{stdout}"
    );
    assert!(stdout.contains("cluster checks skipped:"), "{stdout}");
    assert!(
        !stdout.contains('\x1b'),
        "colours with NO_COLOR: {stdout:?}"
    );
}

#[test]
fn admin_deploy_check_is_the_same_command_and_flags_win() {
    let out = polyaxon_without_cluster(&[
        "admin",
        "deploy",
        "--check",
        "-n",
        "team-a",
        "-r",
        "plx",
        "--deployment-version",
        "2.17.0",
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("namespace  team-a"), "{stdout}");
    assert!(stdout.contains("release    plx"), "{stdout}");
    assert!(
        stdout.contains("version    2.17.0 (from --deployment-version; Polyaxon 2.x rules)"),
        "{stdout}"
    );
}

#[test]
fn an_invalid_config_exits_2_with_every_error() {
    let config = fixtures().join("polyaxon-1.14-wrong_values4.yml");
    let out = polyaxon_without_cluster(&[
        "deploy",
        "--check",
        "-f",
        config.to_str().expect("utf-8"),
        "--set",
        "namespce=x",
    ]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        out.stdout.is_empty(),
        "nothing on stdout for an invalid config"
    );
    let file = config.display().to_string();
    for expected in [
        format!("{file}:2:1: deploymentChart: the agent chart needs an `agent` section"),
        format!("{file}:13:1: user: `user` is a platform setting"),
        format!("{file}:16:1: scheduler: `scheduler` is a platform setting"),
        format!("{file}:19:1: rabbitmq-ha: `rabbitmq-ha` is a Polyaxon 1.x key"),
        "--set namespce=…: namespce: unknown key `namespce`".to_string(),
        "valid: did you mean `namespace`?".to_string(),
    ] {
        assert!(
            stderr.contains(&expected),
            "missing {expected:?} in\n{stderr}"
        );
    }
    assert!(
        stderr.starts_with("error: the deployment config has 5 errors:"),
        "{stderr}"
    );
}

#[test]
fn quiet_prints_nothing_for_a_valid_config() {
    let out = polyaxon_without_cluster(&["deploy", "--check", "-q"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
}

/// With the test cluster: the version and permission checks run.
#[test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
fn with_the_test_cluster_the_version_and_access_are_checked() {
    let kubeconfig = std::env::var_os("POLYAXON_E2E_KUBECONFIG")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/testcluster/kubeconfig")
        });
    assert!(
        kubeconfig.exists(),
        "{} is missing: start tests/cluster/up",
        kubeconfig.display()
    );
    let out = Command::new(env!("CARGO_BIN_EXE_polyaxon"))
        .args(["deploy", "--check", "--kubeconfig"])
        .arg(&kubeconfig)
        .env("NO_COLOR", "1")
        .output()
        .expect("polyaxon runs");
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("  cluster    Kubernetes v1."), "{stdout}");
    assert!(
        stdout.contains("  access     may create and update all"),
        "{stdout}"
    );
    assert!(
        stdout.contains("  preflight  the claims, secrets, config maps, storage classes, nodes and quota it needs are there"),
        "{stdout}"
    );
    assert!(!stdout.contains("skipped"), "{stdout}");
}

#[test]
fn a_ponos_check_names_the_ponos_chart_rules() {
    let example = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/ponos.yml");
    let out = polyaxon_without_cluster(&["deploy", "--check", "-f", &example.to_string_lossy()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("; ponos chart rules)"), "{stdout}");
    assert!(!stdout.contains("2.x rules"), "{stdout}");
}
