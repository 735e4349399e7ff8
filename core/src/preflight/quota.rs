//! Whether a namespace's ResourceQuotas leave room for the pods a release
//! adds. Pure: quotas and workloads in, the resources that do not fit out.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::ResourceQuota;

use super::refs::Workload;

/// A quota resource the release's pods would exceed.
#[derive(Debug, Clone, PartialEq)]
pub struct Overrun {
    /// The ResourceQuota.
    pub quota: String,
    /// The resource (`requests.cpu`, `pods`, …).
    pub resource: String,
    /// What is used already.
    pub used: String,
    /// The quota's limit.
    pub hard: String,
    /// What the release's pods add.
    pub needed: String,
}

/// The resources of the quotas the workloads would exceed.
pub fn overruns(quotas: &[ResourceQuota], workloads: &[Workload]) -> Vec<Overrun> {
    let needed = needs(workloads);
    let mut found = Vec::new();
    for quota in quotas {
        let Some(status) = &quota.status else {
            continue;
        };
        let hard = status.hard.clone().unwrap_or_default();
        let used = status.used.clone().unwrap_or_default();
        for (resource, limit) in &hard {
            let Some(&add) = needed.get(resource.as_str()) else {
                continue;
            };
            let (Some(limit_value), Some(used_value)) = (
                quantity(&limit.0),
                used.get(resource).map_or(Some(0.0), |u| quantity(&u.0)),
            ) else {
                continue;
            };
            if add > 0.0 && used_value + add > limit_value + 1e-9 {
                found.push(Overrun {
                    quota: quota.metadata.name.clone().unwrap_or_default(),
                    resource: resource.clone(),
                    used: used.get(resource).map_or("0".to_string(), |u| u.0.clone()),
                    hard: limit.0.clone(),
                    needed: show(resource, add),
                });
            }
        }
    }
    found
}

/// What the workloads' pods need, by quota resource name.
fn needs(workloads: &[Workload]) -> BTreeMap<&'static str, f64> {
    let mut total: BTreeMap<&'static str, f64> = BTreeMap::new();
    for w in workloads {
        let replicas = w.replicas.max(0) as f64;
        *total.entry("pods").or_default() += replicas;
        for container in &w.pod.containers {
            let resources = container.resources.clone().unwrap_or_default();
            for (which, list) in [
                ("requests", resources.requests),
                ("limits", resources.limits),
            ] {
                for (name, value) in list.unwrap_or_default() {
                    let Some(amount) = quantity(&value.0) else {
                        continue;
                    };
                    let key: &'static str = match (which, name.as_str()) {
                        ("requests", "cpu") => "requests.cpu",
                        ("requests", "memory") => "requests.memory",
                        ("limits", "cpu") => "limits.cpu",
                        ("limits", "memory") => "limits.memory",
                        _ => continue,
                    };
                    *total.entry(key).or_default() += amount * replicas;
                    // `cpu` and `memory` in a quota mean the requests.
                    if which == "requests" {
                        *total
                            .entry(if name == "cpu" { "cpu" } else { "memory" })
                            .or_default() += amount * replicas;
                    }
                }
            }
        }
    }
    total
}

fn show(resource: &str, amount: f64) -> String {
    if resource.ends_with("cpu") {
        format!("{}m", (amount * 1000.0).round())
    } else if resource.ends_with("memory") {
        format!("{}Mi", (amount / (1024.0 * 1024.0)).ceil())
    } else {
        format!("{amount}")
    }
}

/// A Kubernetes quantity as a number (`500m` = 0.5, `2Gi` = 2^31).
pub fn quantity(text: &str) -> Option<f64> {
    let text = text.trim();
    let split = text
        .find(|c: char| c.is_ascii_alphabetic() && c != 'e' && c != 'E')
        .unwrap_or(text.len());
    let (number, suffix) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    let factor = match suffix {
        "" => 1.0,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024.0,
        "Mi" => 1024.0_f64.powi(2),
        "Gi" => 1024.0_f64.powi(3),
        "Ti" => 1024.0_f64.powi(4),
        "Pi" => 1024.0_f64.powi(5),
        "Ei" => 1024.0_f64.powi(6),
        _ => return None,
    };
    Some(number * factor)
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{
        Container, PodSpec, ResourceQuotaStatus, ResourceRequirements,
    };
    use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
    use kube::api::ObjectMeta;

    fn q(pairs: &[(&str, &str)]) -> BTreeMap<String, Quantity> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), Quantity(v.to_string())))
            .collect()
    }

    #[test]
    fn quantities_parse() {
        assert_eq!(quantity("500m"), Some(0.5));
        assert_eq!(quantity("2"), Some(2.0));
        assert_eq!(quantity("1Gi"), Some(1073741824.0));
        assert_eq!(quantity("1e3"), Some(1000.0));
        assert_eq!(quantity("lots"), None);
    }

    #[test]
    fn a_quota_without_room_is_reported_with_what_is_used_and_needed() {
        let quota = ResourceQuota {
            metadata: ObjectMeta {
                name: Some("team".into()),
                ..ObjectMeta::default()
            },
            status: Some(ResourceQuotaStatus {
                hard: Some(q(&[("requests.cpu", "2"), ("pods", "10")])),
                used: Some(q(&[("requests.cpu", "1500m"), ("pods", "3")])),
            }),
            ..ResourceQuota::default()
        };
        let workload = Workload {
            id: "Deployment/api".into(),
            replicas: 2,
            pod: PodSpec {
                containers: vec![Container {
                    resources: Some(ResourceRequirements {
                        requests: Some(q(&[("cpu", "300m")])),
                        ..Default::default()
                    }),
                    ..Container::default()
                }],
                ..PodSpec::default()
            },
        };
        let found = overruns(&[quota], &[workload]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            (
                found[0].resource.as_str(),
                found[0].used.as_str(),
                found[0].hard.as_str(),
                found[0].needed.as_str()
            ),
            ("requests.cpu", "1500m", "2", "600m")
        );
    }
}
