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

#[test]
fn kubernetes_names_are_refused_before_apply_with_their_place_and_never_quoted() {
    let config = temp_file(
        "names.yml",
        "platformSecret: Hunter2_Pw\nartifactsStore:\n  name: store\n  kind: volume_claim\n  schema:\n    volumeClaim: Store Claim\nconnections:\n  - name: s3\n    kind: s3\n    secret:\n      name: AWS_Keys\n    configMap:\n      name: aws-settings\nlabels:\n  team: Research Lab\n",
    );
    let path = config.to_string_lossy().into_owned();
    let out = polyaxon_without_cluster(&[
        "deploy", "--check", "-f", &path, "-r", "1plx", "-n", "Team_NS",
    ]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    for line in [
        format!("{path}:1:17: platformSecret: not a name Kubernetes accepts"),
        format!("{path}:6:18: artifactsStore.schema.volumeClaim: not a name Kubernetes accepts"),
        format!("{path}:11:13: connections[0].secret.name: not a name Kubernetes accepts"),
        format!("{path}:15:9: labels.team: not a label value Kubernetes accepts"),
        "--release-name: releaseName: not a name Kubernetes accepts: it starts with a digit"
            .to_string(),
        "--namespace: namespace: not a name Kubernetes accepts: it has upper-case letters"
            .to_string(),
    ] {
        assert!(stderr.contains(&line), "missing {line} in\n{stderr}");
    }
    assert!(stderr.contains("valid: a DNS-1123 subdomain"), "{stderr}");
    for value in [
        "Hunter2",
        "Store Claim",
        "AWS_Keys",
        "Research Lab",
        "1plx",
        "Team_NS",
    ] {
        assert!(!stderr.contains(value), "{value} is printed:\n{stderr}");
    }
}

#[test]
fn a_config_of_many_wrong_keys_lists_the_first_and_counts_the_rest() {
    let keys: String = (0..5_000).map(|i| format!("wrongKey{i}: x\n")).collect();
    let config = temp_file("many.yml", &keys);
    let out = polyaxon_without_cluster(&["deploy", "--check", "-f", &config.to_string_lossy()]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr:.2000}");
    assert!(
        stderr.contains("the deployment config has 5000 errors:"),
        "{stderr:.2000}"
    );
    assert!(stderr.contains("… and 4950 more"), "{stderr:.2000}");
    assert!(stderr.len() < 20_000, "{} bytes of errors", stderr.len());
}

#[test]
fn a_byte_that_is_not_utf8_is_placed() {
    let dir = std::env::temp_dir().join(format!("polyaxon-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("latin1.yml");
    std::fs::write(&path, b"namespace: polyaxon\nreleaseName: caf\xe9\n").expect("write");
    let path = path.to_string_lossy().into_owned();
    let out = polyaxon_without_cluster(&["deploy", "--check", "-f", &path]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "{path}:2:17: cannot read the file: byte 37 of the file is not UTF-8"
        )),
        "{stderr}"
    );
}
