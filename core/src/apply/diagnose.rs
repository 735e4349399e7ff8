//! Why a workload is not ready: its pods' phases, scheduling problems,
//! container waiting and termination reasons, and the latest events.

use std::fmt::Write;

use k8s_openapi::api::core::v1::{Event as KubeEvent, Pod};
use kube::Client;
use kube::api::{Api, DynamicObject, ListParams};

use super::api_for;
use crate::release::ObjectRef;

/// Events shown per object.
const EVENTS: usize = 3;

/// A few lines on why `object` is not ready; never fails (what cannot be read
/// is said).
pub async fn diagnose(client: &Client, object: &ObjectRef) -> String {
    let mut out = format!("  {}:\n", object.id());
    let ns = object.namespace.clone().unwrap_or_else(|| "default".into());
    let selector = match selector_of(client, object).await {
        Some(selector) => selector,
        None => {
            let _ = writeln!(out, "    (cannot read its pod selector)");
            return out;
        }
    };
    let pods: Api<Pod> = Api::namespaced(client.clone(), &ns);
    let list = match pods.list(&ListParams::default().labels(&selector)).await {
        Ok(list) => list.items,
        Err(e) => {
            let _ = writeln!(
                out,
                "    cannot list its pods: {}",
                crate::api_error::explain(&e)
            );
            return out;
        }
    };
    if list.is_empty() {
        let _ = writeln!(out, "    no pods (selector {selector})");
    }
    for pod in &list {
        let name = pod.metadata.name.clone().unwrap_or_default();
        let status = pod.status.clone().unwrap_or_default();
        let _ = writeln!(
            out,
            "    pod {name}: {}",
            status.phase.as_deref().unwrap_or("Unknown")
        );
        for condition in status.conditions.unwrap_or_default() {
            if condition.status != "True"
                && let Some(message) = condition.message.filter(|m| !m.is_empty())
            {
                let _ = writeln!(out, "      {} is False: {message}", condition.type_);
            }
        }
        let containers = status
            .init_container_statuses
            .unwrap_or_default()
            .into_iter()
            .chain(status.container_statuses.unwrap_or_default());
        for c in containers {
            let state = c.state.unwrap_or_default();
            if let Some(w) = state.waiting {
                let _ = writeln!(
                    out,
                    "      container {} waiting: {} {}",
                    c.name,
                    w.reason.unwrap_or_default(),
                    w.message.unwrap_or_default()
                );
            }
            if let Some(t) = state.terminated.filter(|t| t.exit_code != 0) {
                let _ = writeln!(
                    out,
                    "      container {} exited {}: {} {}",
                    c.name,
                    t.exit_code,
                    t.reason.unwrap_or_default(),
                    t.message.unwrap_or_default()
                );
            }
        }
        write_events(client, &ns, &name, &mut out).await;
    }
    write_events(client, &ns, &object.name, &mut out).await;
    out
}

async fn write_events(client: &Client, ns: &str, name: &str, out: &mut String) {
    let events: Api<KubeEvent> = Api::namespaced(client.clone(), ns);
    let params = ListParams::default().fields(&format!("involvedObject.name={name}"));
    let Ok(list) = events.list(&params).await else {
        return;
    };
    let mut items = list.items;
    items.sort_by_key(|e| e.last_timestamp.clone().map(|t| t.0));
    for e in items.iter().rev().take(EVENTS) {
        let _ = writeln!(
            out,
            "      event {} {}: {}",
            e.type_.as_deref().unwrap_or(""),
            e.reason.as_deref().unwrap_or(""),
            e.message.as_deref().unwrap_or("")
        );
    }
}

/// The label selector of a workload's pods.
async fn selector_of(client: &Client, object: &ObjectRef) -> Option<String> {
    if object.kind == "Job" {
        return Some(format!("batch.kubernetes.io/job-name={}", object.name));
    }
    let live: DynamicObject = api_for(client, object).get(&object.name).await.ok()?;
    let labels = live
        .data
        .pointer("/spec/selector/matchLabels")?
        .as_object()?;
    let selector: Vec<String> = labels
        .iter()
        .filter_map(|(k, v)| v.as_str().map(|v| format!("{k}={v}")))
        .collect();
    (!selector.is_empty()).then(|| selector.join(","))
}
