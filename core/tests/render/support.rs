//! Rendering helpers for the tests: a config written as YAML, rendered with
//! deterministic generated values, looked at as JSON.

#![allow(dead_code)]

use polyaxon_core::config::schema::{Chart, DeploymentConfig};
use polyaxon_core::render::{
    Gen, Manifest, ReleaseState, RenderError, RenderedObject, Target, render_target,
};
use serde_json::Value;

/// The release every test renders.
pub const RELEASE: &str = "plx";
/// The namespace every test renders into, unless the config says otherwise.
pub const NAMESPACE: &str = "polyaxon";
/// The pinned version every test renders, unless it says otherwise.
pub const VERSION: &str = "2.18.0";

/// Renders a YAML config (2.x rules), or says why not.
pub fn try_render_with(
    yaml: &str,
    generation: Gen,
    version: &str,
) -> Result<Manifest, RenderError> {
    let raw: Value = serde_yaml::from_str(yaml).expect("test config is YAML");
    let raw = if raw.is_null() {
        serde_json::json!({})
    } else {
        raw
    };
    let config: DeploymentConfig =
        serde_json::from_value(raw.clone()).expect("test config fits the schema");
    let chart = config.deployment_chart.unwrap_or(Chart::Platform);
    let namespace = config
        .namespace
        .clone()
        .unwrap_or_else(|| NAMESPACE.to_string());
    let target = Target {
        config: &config,
        raw: &raw,
        chart,
        release: RELEASE,
        namespace: &namespace,
        version,
        generation,
    };
    render_target(&target, &ReleaseState::placeholder(RELEASE))
}

/// Renders a YAML config with 2.x rules at [`VERSION`].
pub fn render(yaml: &str) -> Manifest {
    try_render_with(yaml, Gen::V2, VERSION).expect("config renders")
}

/// Renders a YAML config with 1.x rules at 1.14.0.
pub fn render_v1(yaml: &str) -> Manifest {
    try_render_with(yaml, Gen::V1, "1.14.0").expect("config renders")
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
