//! Whether a pod's node selector and tolerations let it onto some node.
//! Pure: nodes and pod specs in, the reason none fits out.

use k8s_openapi::api::core::v1::{Node, PodSpec, Taint, Toleration};

/// Why no node takes the pod, or `None` when one does. Required node
/// affinity is not evaluated (only `nodeSelector` and taints).
pub fn no_node_for(pod: &PodSpec, nodes: &[Node]) -> Option<String> {
    if nodes.is_empty() {
        return Some("the cluster has no nodes".to_string());
    }
    let selector = pod.node_selector.clone().unwrap_or_default();
    let tolerations = pod.tolerations.clone().unwrap_or_default();
    let selected: Vec<&Node> = nodes
        .iter()
        .filter(|node| {
            let labels = node.metadata.labels.clone().unwrap_or_default();
            selector.iter().all(|(k, v)| labels.get(k) == Some(v))
        })
        .collect();
    if selected.is_empty() {
        let wanted: Vec<String> = selector.iter().map(|(k, v)| format!("{k}={v}")).collect();
        return Some(format!(
            "no node has the labels of its nodeSelector ({})",
            wanted.join(", ")
        ));
    }
    let untolerated: Vec<String> = selected
        .iter()
        .filter_map(|node| {
            let spec = node.spec.clone().unwrap_or_default();
            if spec.unschedulable == Some(true) {
                return Some("unschedulable (cordoned)".to_string());
            }
            let blocking: Vec<String> = spec
                .taints
                .unwrap_or_default()
                .iter()
                .filter(|t| matches!(t.effect.as_str(), "NoSchedule" | "NoExecute"))
                .filter(|t| !tolerations.iter().any(|tol| tolerates(tol, t)))
                .map(|t| {
                    format!(
                        "{}={}:{}",
                        t.key,
                        t.value.clone().unwrap_or_default(),
                        t.effect
                    )
                })
                .collect();
            (!blocking.is_empty()).then(|| format!("taint {}", blocking.join(", ")))
        })
        .collect();
    (untolerated.len() == selected.len()).then(|| {
        format!(
            "every node its nodeSelector picks has a taint it does not tolerate or is cordoned ({})",
            untolerated.join("; ")
        )
    })
}

/// Whether `toleration` tolerates `taint` (Kubernetes' rule).
fn tolerates(toleration: &Toleration, taint: &Taint) -> bool {
    let effect_ok = toleration
        .effect
        .as_deref()
        .is_none_or(|e| e.is_empty() || e == taint.effect);
    let key = toleration.key.as_deref().unwrap_or_default();
    let exists = toleration.operator.as_deref() == Some("Exists");
    let key_ok = if key.is_empty() {
        exists
    } else {
        key == taint.key
            && (exists
                || toleration.value.as_deref().unwrap_or_default()
                    == taint.value.as_deref().unwrap_or_default())
    };
    effect_ok && key_ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::NodeSpec;
    use kube::api::ObjectMeta;

    fn node(labels: &[(&str, &str)], taints: &[(&str, &str)]) -> Node {
        Node {
            metadata: ObjectMeta {
                labels: Some(
                    labels
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect(),
                ),
                ..ObjectMeta::default()
            },
            spec: Some(NodeSpec {
                taints: Some(
                    taints
                        .iter()
                        .map(|(k, e)| Taint {
                            key: k.to_string(),
                            effect: e.to_string(),
                            ..Taint::default()
                        })
                        .collect(),
                ),
                ..NodeSpec::default()
            }),
            ..Node::default()
        }
    }

    fn pod(selector: &[(&str, &str)], tolerate: Option<&str>) -> PodSpec {
        PodSpec {
            node_selector: Some(
                selector
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            ),
            tolerations: tolerate.map(|key| {
                vec![Toleration {
                    key: Some(key.into()),
                    operator: Some("Exists".into()),
                    ..Toleration::default()
                }]
            }),
            ..PodSpec::default()
        }
    }

    #[test]
    fn a_selector_no_node_has_is_named() {
        let nodes = [node(&[("type", "kwok")], &[])];
        assert_eq!(no_node_for(&pod(&[("type", "kwok")], None), &nodes), None);
        let why = no_node_for(&pod(&[("gpu", "a100")], None), &nodes).unwrap_or_default();
        assert!(why.contains("nodeSelector (gpu=a100)"), "{why}");
    }

    #[test]
    fn a_taint_needs_a_toleration() {
        let nodes = [node(
            &[("pool", "gpu")],
            &[("nvidia.com/gpu", "NoSchedule")],
        )];
        let why = no_node_for(&pod(&[("pool", "gpu")], None), &nodes).unwrap_or_default();
        assert!(why.contains("taint nvidia.com/gpu=:NoSchedule"), "{why}");
        assert_eq!(
            no_node_for(&pod(&[("pool", "gpu")], Some("nvidia.com/gpu")), &nodes),
            None
        );
        let soft = [node(&[], &[("spot", "PreferNoSchedule")])];
        assert_eq!(no_node_for(&pod(&[], None), &soft), None);
    }
}
