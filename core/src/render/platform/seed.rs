//! What the 0.x seed has and the charts do not, which this tool honours:
//! the resources daemon (a DaemonSet on every node reporting its resources,
//! when the config has a `resourcesDaemon` section that is not disabled) and
//! the platform config's keys for the NVIDIA paths, the persistence handed
//! to runs, the in-cluster registry and the refs.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{DaemonSet, DaemonSetSpec};
use serde_json::Value;

use super::Platform;
use super::backends::Backends;
use super::workload::{ChartDefaults, PlatformPod};
use crate::config::schema::{NvidiaPaths, TolerationsSetting};
use crate::render::RenderError;
use crate::render::common;
use crate::render::connections;
use crate::render::ctx::Ctx;
use crate::render::labels::Role;
use crate::render::manifest::Stage;
use crate::render::pod::{self, Scheduling};
use crate::render::values::{Values, strip_nulls};

/// Renders the resources daemon when asked for.
pub fn resources_daemon(
    ctx: &mut Ctx<'_>,
    values: &Values<'_>,
    p: &Platform,
) -> Result<(), RenderError> {
    let Some(daemon) = values
        .config
        .resources_daemon
        .clone()
        .filter(|d| d.enabled != Some(false))
    else {
        return Ok(());
    };
    let tolerations = daemon
        .tolerations
        .clone()
        .or_else(|| match &values.config.tolerations {
            Some(TolerationsSetting::ByRole(by)) => by.resources_daemon.clone(),
            _ => None,
        });
    let defaults = ChartDefaults {
        image: "polyaxon/polyaxon-monitor-resources",
        requests: ("50m", "64Mi"),
        limits: ("200m", "256Mi"),
    };
    // On every node: only the daemon's own placement, never the core affinity.
    let scheduling = Scheduling {
        node_selector: daemon.node_selector.clone(),
        affinity: daemon.affinity.clone(),
        tolerations: tolerations.filter(|t| !t.is_empty()),
    };
    let workload = PlatformPod::new(ctx, values, "resources", &daemon, defaults, Role::Helpers)
        .scheduling(scheduling)
        .build(ctx, values, p);
    let daemon_set = DaemonSet {
        metadata: ctx.meta(&workload.name, Role::Helpers),
        spec: Some(DaemonSetSpec {
            selector: ctx.selector(&workload.name),
            template: pod::template(ctx, values, &workload),
            ..DaemonSetSpec::default()
        }),
        ..DaemonSet::default()
    };
    ctx.push(Stage::Workloads, &daemon_set)
}

/// The seed's platform config keys: the admin view flag,
/// the NVIDIA library paths on the hosts and where runs mount them
/// (defaulting to the host paths), the persistence handed to runs, the
/// in-cluster registry, and the refs.
pub fn config_keys(values: &Values<'_>, backends: &Backends, data: &mut BTreeMap<String, String>) {
    let cfg = values.config;
    let mut json = |key: &str, value: Value| {
        data.insert(key.into(), value.to_string());
    };
    let dirs = cfg.dirs.as_ref().and_then(|d| d.nvidia.clone());
    let mounts = cfg.mount_paths.as_ref().and_then(|m| m.nvidia.clone());
    if let Some(dirs) = &dirs {
        json("POLYAXON_DIRS_NVIDIA", stripped(dirs));
    }
    if dirs.is_some() || mounts.is_some() {
        let dirs = dirs.unwrap_or_default();
        let given = mounts.unwrap_or_default();
        let resolved = NvidiaPaths {
            lib: given.lib.or(dirs.lib),
            bin: given.bin.or(dirs.bin),
            libcuda: given.libcuda.or(dirs.libcuda),
        };
        json("POLYAXON_MOUNT_PATHS_NVIDIA", stripped(&resolved));
    }
    if let Some(persistence) = &cfg.persistence {
        for (value, key) in [
            (&persistence.logs, "POLYAXON_PERSISTENCE_LOGS"),
            (&persistence.repos, "POLYAXON_PERSISTENCE_REPOS"),
            (&persistence.upload, "POLYAXON_PERSISTENCE_UPLOAD"),
        ] {
            if let Some(v) = value {
                json(key, stripped(v));
            }
        }
        let entries: BTreeMap<_, _> = connections::persistence_data(values).into_iter().collect();
        json("POLYAXON_PERSISTENCE_DATA", stripped(&entries));
        let outputs: BTreeMap<_, _> = connections::persistence_outputs(values)
            .into_iter()
            .collect();
        json("POLYAXON_PERSISTENCE_OUTPUTS", stripped(&outputs));
    }
    if let Some(admin_view) = cfg.admin_view_enabled {
        data.insert("POLYAXON_ADMIN_VIEW_ENABLED".into(), admin_view.to_string());
    }
    if let Some(registry) = &backends.registry {
        data.insert("POLYAXON_REGISTRY_IN_CLUSTER".into(), "true".into());
        data.insert("POLYAXON_REGISTRY_HOST".into(), registry.address.clone());
    }
    data.extend(common::refs(values));
}

/// A value as JSON without its null fields (the seed's structures are
/// written as given).
fn stripped(value: &impl serde::Serialize) -> Value {
    strip_nulls(serde_json::to_value(value).unwrap_or_default())
}
