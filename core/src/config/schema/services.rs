//! Service sections (`gateway`, `scheduler`, `agent`, `postgresql`, …): the
//! fields of Polyaxon's `BaseServiceConfig` + `DeploymentService`, and what
//! each kind of service adds.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Affinity, ResourceRequirements, Toleration};
use serde::{Deserialize, Serialize};

use super::Dict;
use super::spelled::spelled_enum;

spelled_enum! {
    /// Kubernetes image pull policy.
    pub enum PullPolicy {
        /// Always pull.
        Always = "Always",
        /// Pull when absent.
        IfNotPresent = "IfNotPresent",
        /// Never pull.
        Never = "Never",
    }
}

spelled_enum! {
    /// Kubernetes Service type (`gateway.service.type`).
    pub enum ServiceType {
        /// Cluster-internal (default).
        ClusterIP = "ClusterIP",
        /// A port on every node (31833 for the gateway by default).
        NodePort = "NodePort",
        /// A cloud load balancer.
        LoadBalancer = "LoadBalancer",
    }
}

/// What every service section declared with `service_struct!` says of its
/// pods, for code that handles any of them alike.
pub trait ServiceSettings {
    /// `image`: the image repository.
    fn image(&self) -> Option<&String>;
    /// `imageTag`.
    fn image_tag(&self) -> Option<&String>;
    /// `imagePullPolicy`.
    fn image_pull_policy(&self) -> Option<PullPolicy>;
    /// `resources` of the main container.
    fn resources(&self) -> Option<&ResourceRequirements>;
    /// `nodeSelector` of the pods.
    fn node_selector(&self) -> Option<&BTreeMap<String, String>>;
    /// `affinity` of the pods.
    fn affinity(&self) -> Option<&Affinity>;
    /// `tolerations` of the pods.
    fn tolerations(&self) -> Option<&Vec<Toleration>>;
    /// `imagePullSecrets` of the pods.
    fn image_pull_secrets(&self) -> Option<&Vec<String>>;
}

/// Declares a service struct with the fields every Polyaxon service shares
/// (`BaseServiceConfig` + `DeploymentService`), plus its own, and its
/// [`ServiceSettings`].
///
/// - `pub struct Name (base) { ... }`: `BaseServiceConfig` only (no
///   `enabled`, `replicas`, `concurrency`, `perCore`, `scheme`), as Polyaxon
///   types `notifier` and `cleaner`;
/// - `pub struct Name (image: Type) { ... }`: `image` of another type (Redis:
///   the dependency chart's mapping); it has no [`ServiceSettings`].
macro_rules! service_struct {
    (
        $(#[$meta:meta])*
        pub struct $name:ident (base) {}
    ) => {
        service_struct!(@define $(#[$meta])* $name, String,);
        service_struct!(@settings $name);
    };
    (
        $(#[$meta:meta])*
        pub struct $name:ident (image: $image:ty) {
            $(
                $(#[$fmeta:meta])*
                pub $field:ident : $ty:ty,
            )*
        }
    ) => {
        service_struct!(@deployed $(#[$meta])* $name, $image, $($(#[$fmeta])* $field: $ty,)*);
    };
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $(
                $(#[$fmeta:meta])*
                pub $field:ident : $ty:ty,
            )*
        }
    ) => {
        service_struct!(@deployed $(#[$meta])* $name, String, $($(#[$fmeta])* $field: $ty,)*);
        service_struct!(@settings $name);
    };
    (
        @deployed $(#[$meta:meta])* $name:ident, $image:ty,
        $( $(#[$fmeta:meta])* $field:ident : $ty:ty, )*
    ) => {
        service_struct!(
            @define $(#[$meta])* $name, $image,
            /// Deploy this service (where it is optional).
            enabled: Option<bool>,
            /// Replicas of the Deployment.
            replicas: Option<i64>,
            /// Worker concurrency.
            concurrency: Option<i64>,
            /// Concurrency per core (2.x).
            per_core: Option<bool>,
            /// URL scheme of the service (2.x).
            scheme: Option<String>,
            $($(#[$fmeta])* $field: $ty,)*
        );
    };
    (
        @define $(#[$meta:meta])* $name:ident, $image:ty,
        $( $(#[$fmeta:meta])* $field:ident : $ty:ty, )*
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            /// Image repository (the tag comes from `imageTag` or the pinned
            /// version); for Redis the dependency chart's `{repository, tag}`.
            pub image: Option<$image>,
            /// Image tag; default the pinned version.
            pub image_tag: Option<String>,
            /// Image pull policy.
            pub image_pull_policy: Option<PullPolicy>,
            /// Container resources; quantities must parse.
            pub resources: Option<ResourceRequirements>,
            /// nodeSelector of this service's pods (overrides the global one).
            pub node_selector: Option<BTreeMap<String, String>>,
            /// Affinity of this service's pods (overrides the global one).
            pub affinity: Option<Affinity>,
            /// Tolerations of this service's pods (override the global ones).
            pub tolerations: Option<Vec<Toleration>>,
            /// Pull secrets of this service's pods.
            pub image_pull_secrets: Option<Vec<String>>,
            /// HorizontalPodAutoscaler settings, as given (`enabled`, `cputhreshold`, …).
            pub hpa: Option<Dict>,
            $(
                $(#[$fmeta])*
                pub $field: $ty,
            )*
        }
    };
    (@settings $name:ident) => {
        impl ServiceSettings for $name {
            fn image(&self) -> Option<&String> {
                self.image.as_ref()
            }
            fn image_tag(&self) -> Option<&String> {
                self.image_tag.as_ref()
            }
            fn image_pull_policy(&self) -> Option<PullPolicy> {
                self.image_pull_policy
            }
            fn resources(&self) -> Option<&ResourceRequirements> {
                self.resources.as_ref()
            }
            fn node_selector(&self) -> Option<&BTreeMap<String, String>> {
                self.node_selector.as_ref()
            }
            fn affinity(&self) -> Option<&Affinity> {
                self.affinity.as_ref()
            }
            fn tolerations(&self) -> Option<&Vec<Toleration>> {
                self.tolerations.as_ref()
            }
            fn image_pull_secrets(&self) -> Option<&Vec<String>> {
                self.image_pull_secrets.as_ref()
            }
        }
    };
}

service_struct! {
    /// A plain service: `beat`, `flower`.
    pub struct DeploymentService {}
}

service_struct! {
    /// A helper service the agent hands to runs: `notifier`, `cleaner`.
    pub struct BaseService (base) {}
}

service_struct! {
    /// A service with a Kubernetes Service: `gateway` (and 1.x `api`, `streams`).
    pub struct ApiService {
        /// The Kubernetes Service in front of it.
        pub service: Option<ServiceSpec>,
    }
}

service_struct! {
    /// A Celery worker: `scheduler`, `compiler`, `worker`.
    pub struct WorkerService {
        /// Celery settings.
        pub celery: Option<CeleryConfig>,
    }
}

service_struct! {
    /// `agent`: required for the agent chart (instance and token, or `agentSecret`).
    pub struct AgentService {
        /// The agent instance (`<owner>.<agent uuid>`), written to the agent config.
        pub instance: Option<String>,
        /// The agent token; only ever written to a Secret.
        pub token: Option<String>,
        /// Watch the whole cluster instead of the namespace (2.x).
        pub watch_cluster: Option<bool>,
        /// Further namespaces the agent manages (2.x).
        pub additional_namespaces: Option<Vec<String>>,
        /// Annotations of the agent's ServiceAccount (2.x).
        pub service_account_annotations: Option<BTreeMap<String, String>>,
        /// Pull secrets of the agent's ServiceAccount (2.x).
        pub service_account_image_pull_secrets: Option<Vec<String>>,
        /// Status finalizers on runs (2.x).
        pub enable_status_finalizers: Option<bool>,
        /// Logs finalizers on runs (2.x).
        pub enable_logs_finalizers: Option<bool>,
        /// 1.x only (rejected by 2.18): the agent is a replica.
        pub is_replica: Option<bool>,
        /// 1.x only (rejected by 2.18): compress logs.
        pub compressed_logs: Option<bool>,
    }
}

service_struct! {
    /// `operator`.
    pub struct OperatorService {
        /// Do not install the CRDs.
        #[serde(rename = "skipCRD")]
        pub skip_crd: Option<bool>,
    }
}

service_struct! {
    /// Hooks: `cleanHooks`, `apiHooks` (and 1.x `hooks`, `tablesHook`).
    pub struct HooksService {
        /// Load fixtures.
        pub load_fixtures: Option<bool>,
        /// Create tables.
        pub tables: Option<bool>,
        /// Run the database migrations (`syncdb`).
        #[serde(rename = "syncdb")]
        pub sync_db: Option<bool>,
        /// Create the admin user.
        pub admin_user: Option<bool>,
        /// Create the default organization (2.x).
        pub default_org: Option<bool>,
    }
}

service_struct! {
    /// 0.x seed `resourcesDaemon`: a DaemonSet on every node.
    pub struct ResourcesDaemon {}
}

service_struct! {
    /// In-cluster PostgreSQL (`postgresql`). Other keys are passed to the
    /// dependency as given (Polyaxon allows extra keys here).
    pub struct PostgresqlService {
        /// Persistence settings of the dependency, as given.
        pub persistence: Option<Dict>,
        /// Auth settings (2.x bitnami chart), as given.
        pub auth: Option<Dict>,
        /// Django CONN_MAX_AGE.
        pub conn_max_age: Option<i64>,
        /// 1.x schema: database user.
        pub postgres_user: Option<String>,
        /// 1.x schema: database password.
        pub postgres_password: Option<String>,
        /// 1.x schema: database name.
        pub postgres_database: Option<String>,
        /// Every other key, as given (e.g. the chart's `postgresqlUsername`, `master`).
        #[serde(flatten)]
        pub extra: Dict,
    }
}

service_struct! {
    /// In-cluster Redis (`redis`). Other keys are passed on as given. Unlike
    /// the other services, `image` is the dependency chart's mapping
    /// (`{repository, tag}`), as in Polyaxon's schema.
    pub struct RedisService (image: Dict) {
        /// Persistence settings, as given.
        pub persistence: Option<Dict>,
        /// Redis is not the broker (only cache/heartbeats).
        pub non_broker: Option<bool>,
        /// Protect Redis with a password.
        pub use_password: Option<bool>,
        /// 1.x: the password.
        pub password: Option<String>,
        /// Auth settings (2.x), as given.
        pub auth: Option<Dict>,
        /// Every other key, as given (e.g. `master`, `port`).
        #[serde(flatten)]
        pub extra: Dict,
    }
}

service_struct! {
    /// In-cluster RabbitMQ (`rabbitmq-ha`, 1.x). Other keys are passed on as given.
    pub struct RabbitmqService {
        /// Persistence settings, as given.
        pub persistence: Option<Dict>,
        /// Auth settings, as given.
        pub auth: Option<Dict>,
        /// 1.x: user name.
        pub rabbitmq_username: Option<String>,
        /// 1.x: password.
        pub rabbitmq_password: Option<String>,
        /// Every other key, as given (e.g. `replicaCount`).
        #[serde(flatten)]
        pub extra: Dict,
    }
}

service_struct! {
    /// 0.x seed `docker-registry`: an in-cluster registry. Other keys as given.
    pub struct DockerRegistryService {
        /// Persistence settings, as given.
        pub persistence: Option<Dict>,
        /// Registry user.
        pub registry_user: Option<String>,
        /// Registry password.
        pub registry_password: Option<String>,
        /// Every other key, as given.
        #[serde(flatten)]
        pub extra: Dict,
    }
}

/// The Kubernetes Service of a service section (`gateway.service`).
/// Polyaxon allows extra keys here; they are kept in `extra`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceSpec {
    /// Service name suffix.
    pub name: Option<String>,
    /// ClusterIP (default), NodePort or LoadBalancer.
    #[serde(rename = "type")]
    pub service_type: Option<ServiceType>,
    /// Service port (1–65535).
    pub port: Option<i64>,
    /// Container port (1–65535).
    pub target_port: Option<i64>,
    /// Node port (1–65535; Kubernetes' default range is 30000–32767), for NodePort.
    pub node_port: Option<i64>,
    /// Service annotations.
    pub annotations: Option<BTreeMap<String, String>>,
    /// Every other key, as given.
    #[serde(flatten)]
    pub extra: Dict,
}

/// Celery settings of a worker.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CeleryConfig {
    /// Celery enabled.
    pub enabled: Option<bool>,
    /// task_track_started.
    pub task_track_started: Option<bool>,
    /// broker_pool_limit.
    pub broker_pool_limit: Option<i64>,
    /// 1.x only (rejected by 2.18): confirm_publish.
    pub confirm_publish: Option<bool>,
    /// worker_prefetch_multiplier.
    pub worker_prefetch_multiplier: Option<i64>,
    /// worker_max_tasks_per_child.
    pub worker_max_tasks_per_child: Option<i64>,
    /// worker_max_memory_per_child.
    pub worker_max_memory_per_child: Option<i64>,
    /// task_always_eager.
    pub task_always_eager: Option<bool>,
}

/// `init`: the init container injected into runs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HelperContainer {
    /// Image repository (default `polyaxon/polyaxon-init`).
    pub image: Option<String>,
    /// Image tag (default the pinned version).
    pub image_tag: Option<String>,
    /// Image pull policy.
    pub image_pull_policy: Option<PullPolicy>,
    /// Container resources.
    pub resources: Option<ResourceRequirements>,
    /// 1.x: accepted as for a service (no effect on an init container).
    pub enabled: Option<bool>,
    /// 1.x: accepted as for a service (no effect on an init container).
    pub replicas: Option<i64>,
    /// 1.x: accepted as for a service (no effect on an init container).
    pub concurrency: Option<i64>,
    /// 1.x: seconds between two checks.
    pub sleep_interval: Option<i64>,
    /// 1.x: seconds between two archiving checks.
    pub sync_interval: Option<i64>,
}

/// `sidecar`: the sidecar container injected into runs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SidecarContainer {
    /// Image repository (default `polyaxon/polyaxon-sidecar`).
    pub image: Option<String>,
    /// Image tag (default the pinned version).
    pub image_tag: Option<String>,
    /// Image pull policy.
    pub image_pull_policy: Option<PullPolicy>,
    /// Container resources.
    pub resources: Option<ResourceRequirements>,
    /// Seconds between two checks (default 10).
    pub sleep_interval: Option<i64>,
    /// Seconds between two archiving checks (default 10).
    pub sync_interval: Option<i64>,
    /// Monitor logs (2.x).
    pub monitor_logs: Option<bool>,
    /// Monitor the spec (2.x).
    pub monitor_spec: Option<bool>,
    /// Do not mount connections into sidecars (2.x).
    pub no_connections: Option<bool>,
    /// 1.x: accepted as for a service.
    pub enabled: Option<bool>,
    /// 1.x: accepted as for a service.
    pub replicas: Option<i64>,
    /// 1.x: accepted as for a service.
    pub concurrency: Option<i64>,
}
