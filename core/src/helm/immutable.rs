//! Fields of a workload that cannot change in place: when what this tool
//! renders differs from what helm applied in one of them, the workload must
//! be deleted and created again (the takeover names it and asks first).

use serde_json::Value;

/// What must happen to a live workload for the rendered one to replace it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recreate {
    /// Nothing: it changes in place.
    No,
    /// Deleted with its pods (its selector changed: the new one would not
    /// adopt them).
    WithPods,
    /// A StatefulSet whose claim templates, service or pod policy changed:
    /// deleted alone (orphaning its pods and claims), the new one adopts the
    /// pods and mounts the same claims.
    Alone,
}

/// Whether the live workload `live` of `kind` can take the rendered
/// `rendered` in place.
pub fn recreate(kind: &str, live: &Value, rendered: &Value) -> Recreate {
    if !matches!(kind, "Deployment" | "StatefulSet" | "DaemonSet") {
        return Recreate::No;
    }
    let spec = |o: &Value| o.get("spec").cloned().unwrap_or(Value::Null);
    let (live, rendered) = (spec(live), spec(rendered));
    if live.get("selector") != rendered.get("selector") {
        return Recreate::WithPods;
    }
    if kind != "StatefulSet" {
        return Recreate::No;
    }
    let text = |s: &Value, key: &str, default: &str| {
        s.get(key)
            .and_then(Value::as_str)
            .unwrap_or(default)
            .to_string()
    };
    let same = text(&live, "serviceName", "") == text(&rendered, "serviceName", "")
        && text(&live, "podManagementPolicy", "OrderedReady")
            == text(&rendered, "podManagementPolicy", "OrderedReady")
        && claim_templates(&live) == claim_templates(&rendered);
    if same { Recreate::No } else { Recreate::Alone }
}

/// The claim templates as far as they are given (the API server fills in
/// `volumeMode` and a `status`): name, access modes, size, storage class.
fn claim_templates(spec: &Value) -> Vec<(Value, Value, Value, Value)> {
    let templates = spec
        .get("volumeClaimTemplates")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    templates
        .iter()
        .map(|t| {
            let spec = t.get("spec").cloned().unwrap_or(Value::Null);
            (
                t.pointer("/metadata/name").cloned().unwrap_or(Value::Null),
                spec.get("accessModes").cloned().unwrap_or(Value::Null),
                spec.pointer("/resources/requests/storage")
                    .cloned()
                    .unwrap_or(Value::Null),
                spec.get("storageClassName").cloned().unwrap_or(Value::Null),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn statefulset(size: &str, selector: &str) -> Value {
        json!({"spec": {
            "selector": {"matchLabels": {"app.kubernetes.io/name": selector}},
            "serviceName": "db-hl",
            "volumeClaimTemplates": [{"metadata": {"name": "data"},
                "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}}}}]
        }})
    }

    #[test]
    fn a_statefulset_with_another_claim_size_is_recreated_alone() {
        let mut live = statefulset("8Gi", "db");
        live["spec"]["podManagementPolicy"] = json!("OrderedReady");
        live["spec"]["volumeClaimTemplates"][0]["spec"]["volumeMode"] = json!("Filesystem");
        assert_eq!(
            recreate("StatefulSet", &live, &statefulset("8Gi", "db")),
            Recreate::No,
            "what the API server fills in is no difference"
        );
        assert_eq!(
            recreate("StatefulSet", &live, &statefulset("10Gi", "db")),
            Recreate::Alone
        );
        assert_eq!(
            recreate("StatefulSet", &live, &statefulset("8Gi", "postgresql")),
            Recreate::WithPods
        );
    }

    #[test]
    fn only_workload_selectors_matter() {
        let a = json!({"spec": {"selector": {"matchLabels": {"a": "1"}}}});
        let b = json!({"spec": {"selector": {"matchLabels": {"a": "2"}}}});
        assert_eq!(recreate("Deployment", &a, &b), Recreate::WithPods);
        assert_eq!(recreate("Deployment", &a, &a), Recreate::No);
        assert_eq!(recreate("Service", &a, &b), Recreate::No);
    }
}
