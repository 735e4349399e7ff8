//! `polyaxon deploy --dry-run` as a person runs it: no cluster, the same
//! bytes every time, Secrets redacted unless asked, YAML or a JSON list.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test and its helpers report a failure by panicking"
)]

use std::path::PathBuf;
use std::process::{Command, Output};

fn example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(name)
}

fn polyaxon(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_polyaxon"))
        .args(args)
        // No cluster anywhere: the dry run must not need one.
        .env("KUBECONFIG", "/nonexistent/kubeconfig")
        .env_remove("KUBERNETES_SERVICE_HOST")
        .output()
        .expect("the binary runs")
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "exit {:?}: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

#[test]
fn dry_run_needs_no_cluster_and_is_byte_for_byte_deterministic() {
    for file in ["agent.yml", "platform.yml", "ponos.yml"] {
        let path = example(file);
        let args = ["deploy", "-f", path.to_str().unwrap(), "--dry-run"];
        let first = stdout(&polyaxon(&args));
        let second = stdout(&polyaxon(&args));
        assert!(
            first.starts_with("---\napiVersion: v1\nkind: Namespace\n"),
            "{file}"
        );
        assert_eq!(first, second, "{file}: two runs differ");
    }
}

#[test]
fn secrets_are_redacted_unless_show_secrets() {
    let path = example("agent.yml");
    let path = path.to_str().unwrap();
    let text = stdout(&polyaxon(&["deploy", "-f", path, "--dry-run"]));
    assert!(text.contains("POLYAXON_AUTH_TOKEN: <redacted>"));
    assert!(!text.contains("REPLACE-WITH-THE-AGENT-TOKEN"));
    let shown = stdout(&polyaxon(&[
        "deploy",
        "-f",
        path,
        "--dry-run",
        "--show-secrets",
    ]));
    // base64 of "REPLACE-WITH-THE-AGENT-TOKEN"
    assert!(
        shown.contains("UkVQTEFDRS1XSVRILVRIRS1BR0VOVC1UT0tFTg=="),
        "{shown}"
    );
    // Generated values are placeholders, never random.
    assert!(shown.contains("PGdlbmVyYXRlZD4="), "base64 of <generated>");
}

#[test]
fn hooks_are_marked_and_json_is_a_list() {
    let path = example("platform.yml");
    let path = path.to_str().unwrap();
    // The 2.x chart runs install hooks only when `apiHooks` asks for them.
    let hooks = ["--set", "apiHooks.syncdb=true"];
    let text = stdout(&polyaxon(
        &[&["deploy", "-f", path, "--dry-run"][..], &hooks].concat(),
    ));
    assert!(text.contains("---\n# hook: post-install\napiVersion: batch/v1\nkind: Job\n"));
    assert!(text.contains("---\n# hook: pre-delete\n"));
    let json = stdout(&polyaxon(
        &[
            &["deploy", "-f", path, "--dry-run", "-o", "json"][..],
            &hooks,
        ]
        .concat(),
    ));
    let list: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let list = list.as_array().expect("a JSON list");
    assert_eq!(list.len(), text.matches("---\n").count());
    assert_eq!(list[0]["kind"], "Namespace");
}

#[test]
fn flags_override_the_config() {
    let path = example("platform.yml");
    let path = path.to_str().unwrap();
    let text = stdout(&polyaxon(&[
        "deploy",
        "-f",
        path,
        "--dry-run",
        "-n",
        "ml",
        "-r",
        "lab",
        "-t",
        "minikube",
    ]));
    assert!(text.contains("name: lab-polyaxon-gateway\n  namespace: ml\n"));
    // The deployment type reaches the config; as in the charts, it changes
    // no Service type.
    assert!(text.contains("POLYAXON_DEPLOYMENT_TYPE: minikube"));
    let text = stdout(&polyaxon(&[
        "deploy",
        "-f",
        path,
        "--dry-run",
        "--set",
        "gateway.service.type=NodePort",
    ]));
    assert!(text.contains("type: NodePort"));
    assert!(
        text.contains("nodePort: 31811"),
        "the platform chart's node port"
    );
}

#[test]
fn an_invalid_config_exits_2_with_the_key_named() {
    let dir = std::env::temp_dir().join(format!("polyaxon-cli-dry-run-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bad.yml");
    std::fs::write(
        &path,
        "deploymentChart: ponos\ndeploymentVersion: 0.9.1\nponos: {url: 'https://a'}\n",
    )
    .unwrap();
    let output = polyaxon(&["deploy", "-f", path.to_str().unwrap(), "--dry-run"]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("ponos."), "{stderr}");
    assert!(output.stdout.is_empty());
}
