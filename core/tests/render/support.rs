//! Rendering helpers for the tests: a config written as YAML, rendered with
//! deterministic generated values, looked at as JSON.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use polyaxon_core::config::{LoadOptions, load};
use polyaxon_core::render::{Manifest, ReleaseState, RenderedObject, render as render_deployment};
use serde_json::Value;

/// The release every test renders.
pub const RELEASE: &str = "plx";
/// The namespace every test renders into, unless the config says otherwise.
pub const NAMESPACE: &str = "polyaxon";
/// The pinned version every test renders, unless it says otherwise.
pub const VERSION: &str = "2.18.0";

/// Writes a config where the loader reads it, as a user's `-f` file.
fn write_config(yaml: &str) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!("polyaxon-render-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(format!(
        "config-{}.yml",
        COUNTER.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::write(&path, yaml).expect("write config");
    path
}

/// Loads a YAML config as `polyaxon deploy -f` would (release `plx`, the
/// version pinned with `--deployment-version` unless the config pins one) and
/// renders it with deterministic generated values; or the error's text.
pub fn try_render_with(yaml: &str, version: &str) -> Result<Manifest, String> {
    let path = write_config(yaml);
    let pinned_in_file = yaml.lines().any(|l| l.starts_with("deploymentVersion:"));
    let options = LoadOptions {
        files: vec![path.clone()],
        release_name: Some(RELEASE.to_string()),
        deployment_version: (!pinned_in_file).then(|| version.to_string()),
        ..LoadOptions::default()
    };
    let loaded = load(&options);
    let _ = std::fs::remove_file(&path);
    let deployment = loaded.map_err(|e| e.to_string())?;
    render_deployment(&deployment, &ReleaseState::placeholder(RELEASE)).map_err(|e| e.to_string())
}

/// Renders a YAML config with 2.x rules at [`VERSION`].
pub fn render(yaml: &str) -> Manifest {
    try_render_with(yaml, VERSION).unwrap_or_else(|e| panic!("config renders: {e}"))
}

/// Renders a YAML config with 1.x rules at 1.14.0.
pub fn render_v1(yaml: &str) -> Manifest {
    try_render_with(yaml, "1.14.0").unwrap_or_else(|e| panic!("config renders: {e}"))
}

/// An agent config with what the agent chart requires.
pub fn agent(extra: &str) -> Manifest {
    render(&format!(
        "deploymentChart: agent\nagent:\n  instance: acme.agents.1234\n  token: tok-123\n{extra}"
    ))
}

/// `<release>-polyaxon-<part>`.
pub fn name(part: &str) -> String {
    format!("{RELEASE}-polyaxon-{part}")
}

/// The object of that kind and name, as JSON; panics with the list of what
/// was rendered when absent.
pub fn get(m: &Manifest, kind: &str, name: &str) -> Value {
    match m
        .objects
        .iter()
        .find(|o| o.kind() == kind && o.name() == name)
    {
        Some(o) => json(o),
        None => panic!(
            "no {kind}/{name}; rendered: {:?}",
            m.objects.iter().map(RenderedObject::id).collect::<Vec<_>>()
        ),
    }
}

/// Whether an object of that kind and name was rendered.
pub fn has(m: &Manifest, kind: &str, name: &str) -> bool {
    m.objects
        .iter()
        .any(|o| o.kind() == kind && o.name() == name)
}

/// The object as JSON (as it would be sent).
pub fn json(o: &RenderedObject) -> Value {
    serde_json::to_value(&o.object).expect("object serializes")
}

/// Objects of a kind.
pub fn all<'m>(m: &'m Manifest, kind: &'m str) -> impl Iterator<Item = &'m RenderedObject> + 'm {
    m.objects.iter().filter(move |o| o.kind() == kind)
}

/// The pod specs of every core workload (Deployments, StatefulSets,
/// DaemonSets and hook Jobs) labelled `type: polyaxon-core`.
pub fn core_pods(m: &Manifest) -> Vec<(String, Value)> {
    m.objects
        .iter()
        .filter(|o| matches!(o.kind(), "Deployment" | "DaemonSet" | "Job" | "StatefulSet"))
        .map(|o| (o.id(), json(o)))
        .filter(|(_, v)| {
            v.pointer("/spec/template/metadata/labels/type") == Some(&Value::from("polyaxon-core"))
        })
        .map(|(id, v)| {
            (
                id,
                v.pointer("/spec/template/spec")
                    .cloned()
                    .unwrap_or_default(),
            )
        })
        .collect()
}

/// A string field of a ConfigMap.
pub fn cm(m: &Manifest, name: &str, key: &str) -> Option<String> {
    get(m, "ConfigMap", name)
        .pointer(&format!("/data/{key}"))
        .and_then(Value::as_str)
        .map(String::from)
}

/// A decoded field of a Secret.
pub fn secret(m: &Manifest, name: &str, key: &str) -> Option<String> {
    get(m, "Secret", name)
        .pointer(&format!("/data/{key}"))
        .cloned()
        .map(|b64| {
            let bytes: k8s_openapi::ByteString =
                serde_json::from_value(b64).expect("secret data is base64");
            String::from_utf8(bytes.0).expect("secret data is UTF-8")
        })
}

/// The first container of a workload's pod.
pub fn container(m: &Manifest, kind: &str, name: &str) -> Value {
    get(m, kind, name)
        .pointer("/spec/template/spec/containers/0")
        .cloned()
        .expect("workload has a container")
}

/// The env var `key` of a container, as its literal value or source.
pub fn env<'c>(container: &'c Value, key: &str) -> Option<&'c Value> {
    container["env"]
        .as_array()?
        .iter()
        .find(|e| e["name"] == key)
}

/// The names in a container's `envFrom` (config maps and secrets).
pub fn env_from(container: &Value) -> Vec<String> {
    container["envFrom"]
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|e| {
                    e.pointer("/configMapRef/name")
                        .or_else(|| e.pointer("/secretRef/name"))
                        .and_then(Value::as_str)
                        .map(String::from)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The mount at `path` in a container, if any.
pub fn mount<'c>(container: &'c Value, path: &str) -> Option<&'c Value> {
    container["volumeMounts"]
        .as_array()?
        .iter()
        .find(|v| v["mountPath"] == path)
}

/// The pod volume named `name` of a workload.
pub fn volume(workload: &Value, name: &str) -> Option<Value> {
    workload
        .pointer("/spec/template/spec/volumes")?
        .as_array()?
        .iter()
        .find(|v| v["name"] == name)
        .cloned()
}

/// Parses a JSON string stored in a ConfigMap.
pub fn parse(text: &str) -> Value {
    serde_json::from_str(text).expect("config value is JSON")
}
