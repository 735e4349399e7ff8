//! Labels: the three this tool puts on every object (who manages it, which
//! release, which version), and the charts' own (`app.kubernetes.io/name`,
//! `part-of`, `component`, `release`, `heritage`).

use std::collections::BTreeMap;

/// Label naming the tool that manages the object.
pub const MANAGED_BY: &str = "app.kubernetes.io/managed-by";
/// Label naming the release the object belongs to.
pub const INSTANCE: &str = "app.kubernetes.io/instance";
/// Label carrying the release's pinned Polyaxon version.
pub const VERSION: &str = "app.kubernetes.io/version";
/// The charts' per-object name label; part of every workload selector.
pub const NAME: &str = "app.kubernetes.io/name";
/// The charts' "which system" label.
pub const PART_OF: &str = "app.kubernetes.io/part-of";
/// The charts' "which role in the system" label.
pub const COMPONENT: &str = "app.kubernetes.io/component";
/// The value of [`MANAGED_BY`].
pub const MANAGER: &str = "polyaxon";
/// Annotation on hook objects naming their moment (`pre-delete`, ...), so that
/// the moment shows in every output format and on the cluster.
pub const HOOK_ANNOTATION: &str = "polyaxon.com/hook";
/// The label the default core affinity of the seed documents matches on
/// (`type In [polyaxon-core]`); core pods carry it so the affinity has meaning.
pub const CORE_TYPE: &str = "type";
/// The value of [`CORE_TYPE`] on core pods.
pub const CORE_TYPE_VALUE: &str = "polyaxon-core";

/// The label selector that finds every object of a release, for teardown and
/// prune: `app.kubernetes.io/managed-by=polyaxon,app.kubernetes.io/instance=<release>`.
pub fn release_selector(release: &str) -> String {
    format!("{MANAGED_BY}={MANAGER},{INSTANCE}={release}")
}

/// The labels every object of a release carries.
pub fn common(release: &str, version: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        (MANAGED_BY.to_string(), MANAGER.to_string()),
        (INSTANCE.to_string(), release.to_string()),
        (VERSION.to_string(), version.to_string()),
    ])
}

/// The charts' roles (`config.labels.roles.*`): what part of Polyaxon an
/// object plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Gateway, API, streams and the ingress (`polyaxon-api`).
    Api,
    /// The agent and workers (`polyaxon-workers`).
    Worker,
    /// Helpers such as the resources daemon (`polyaxon-helpers`).
    Helpers,
    /// The operator (`polyaxon-agent`, as the charts name it).
    Agent,
    /// Config maps, secrets, service accounts, roles (`polyaxon-config`).
    Config,
    /// Hook Jobs (`polyaxon-hooks`).
    Hooks,
    /// In-cluster dependencies (PostgreSQL, Redis, RabbitMQ, registry).
    Dependency,
    /// The Ponos agent and what it needs (this tool's `ponos` chart).
    Ponos,
}

impl Role {
    /// `(part-of, component)` label values of the role.
    pub fn values(self) -> (&'static str, &'static str) {
        match self {
            Role::Api => ("polyaxon-core", "polyaxon-api"),
            Role::Worker => ("polyaxon-core", "polyaxon-workers"),
            Role::Helpers => ("polyaxon-core", "polyaxon-helpers"),
            Role::Agent => ("polyaxon-core", "polyaxon-agent"),
            Role::Config => ("polyaxon-core", "polyaxon-config"),
            Role::Hooks => ("polyaxon-core", "polyaxon-hooks"),
            Role::Dependency => ("polyaxon-dependencies", "polyaxon-dependency"),
            Role::Ponos => ("ponos", "ponos-agent"),
        }
    }
}

/// The selector of a chart workload and of the Service in front of it, as
/// the charts write it: `app.kubernetes.io/name` alone. Selectors are
/// immutable, so this must equal the chart's for a helm-installed release to
/// be taken over in place (and the name already holds the release).
pub fn selector(name: &str) -> BTreeMap<String, String> {
    BTreeMap::from([(NAME.to_string(), name.to_string())])
}

/// The selector of a workload of this tool's own charts (ponos): its name
/// and its release, as it has always been (selectors are immutable).
pub fn release_scoped_selector(release: &str, name: &str) -> BTreeMap<String, String> {
    let mut labels = selector(name);
    labels.insert(INSTANCE.to_string(), release.to_string());
    labels
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_selector_names_manager_and_release() {
        assert_eq!(
            release_selector("plx"),
            "app.kubernetes.io/managed-by=polyaxon,app.kubernetes.io/instance=plx"
        );
    }

    #[test]
    fn chart_selectors_hold_the_name_only_and_ponos_also_the_release() {
        assert_eq!(
            selector("agent-polyaxon-gateway"),
            BTreeMap::from([(NAME.to_string(), "agent-polyaxon-gateway".to_string())])
        );
        let ponos = release_scoped_selector("ponos", "ponos-agent");
        assert_eq!(ponos[NAME], "ponos-agent");
        assert_eq!(ponos[INSTANCE], "ponos");
    }

    #[test]
    fn common_labels_carry_release_and_version() {
        let labels = common("agent", "2.18.0");
        assert_eq!(labels[MANAGED_BY], "polyaxon");
        assert_eq!(labels[INSTANCE], "agent");
        assert_eq!(labels[VERSION], "2.18.0");
    }
}
