//! The typed deployment config: Polyaxon's own key names (camelCase, plus
//! `rabbitmq-ha` and `docker-registry`), covering the 2.x `DeploymentConfig`
//! of the Polyaxon CLI (`polyaxon/_deploy/schemas/deployment.py`), the 1.x one
//! (`polyaxon/deploy/schemas/deployment.py`), the parameters of the seed
//! documents (`shared/design/parameters.md`) and this tool's `ponos:` section.
//!
//! Every field is optional: defaults belong to the renderer. Which keys a
//! generation accepts is decided by [`super::rules`], not here; this model is
//! the union, filled from a config that already passed validation. Alternative
//! spellings (`timeZone`, `DeploymentType`, `securityContext.user`, …) are
//! folded into one field by the loader before this model is built.

mod connection;
mod external;
mod persistence;
mod ponos;
mod scheduling;
mod services;
mod spelled;

use std::collections::BTreeMap;

use k8s_openapi::api::networking::v1::IngressTLS;
use serde::{Deserialize, Serialize};

use spelled::spelled_enum;

pub use connection::{Connection, ConnectionResource};
pub use external::{AuthServices, ExternalBackend, ExternalService, ExternalServices};
pub use persistence::{NvidiaPaths, PathsConfig, Persistence, PersistenceVolume, VolumeEntry};
pub use ponos::{PonosConfig, PonosExtraVolume, PonosKubernetes};
pub use scheduling::{
    AffinityByRole, AffinitySetting, NodeSelectorsByRole, TolerationsByRole, TolerationsSetting,
};
pub use services::{
    AgentService, ApiService, BaseService, CeleryConfig, DeploymentService, DockerRegistryService,
    HelperContainer, HooksService, OperatorService, PostgresqlService, PullPolicy, RabbitmqService,
    RedisService, ResourcesDaemon, ServiceSettings, ServiceSpec, ServiceType, SidecarContainer,
    WorkerService,
};

/// A free-form map, kept as given (`ldap`, `metrics`, `istio`, `hpa`, …).
pub type Dict = serde_json::Map<String, serde_json::Value>;

spelled_enum! {
    /// Which set of resources is rendered (`deploymentChart`).
    pub enum Chart {
        /// Polyaxon CE: API, gateway, scheduler, … and their dependencies (the default).
        Platform = "platform",
        /// The Polyaxon agent connecting a cluster to a control plane.
        Agent = "agent",
        /// This tool's own chart: the Ponos agent of Arkindex (seed `003_…`).
        Ponos = "ponos",
    }
}

spelled_enum! {
    /// Where Polyaxon runs (`deploymentType`). Polyaxon accepts all of these;
    /// `minikube` and `microk8s` make the gateway a NodePort service.
    pub enum DeploymentType {
        /// Any Kubernetes cluster (the default).
        Kubernetes = "kubernetes",
        /// Minikube: gateway as NodePort.
        Minikube = "minikube",
        /// MicroK8s: gateway as NodePort.
        Microk8s = "microk8s",
        /// Docker Compose (a Polyaxon value; this tool still deploys to Kubernetes).
        DockerCompose = "docker-compose",
        /// Docker (a Polyaxon value; this tool still deploys to Kubernetes).
        Docker = "docker",
        /// Heroku (a Polyaxon value; this tool still deploys to Kubernetes).
        Heroku = "heroku",
    }
}

spelled_enum! {
    /// The Celery broker (`broker`). 2.x (2.18) accepts only `redis`;
    /// `rabbitmq` is 1.x only.
    pub enum Broker {
        /// Redis is the broker.
        Redis = "redis",
        /// RabbitMQ is the broker (1.x; the default broker in 1.x when unset).
        Rabbitmq = "rabbitmq",
    }
}

/// The whole deployment config, one field per top-level key.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentConfig {
    // --- identity and version -------------------------------------------------
    /// Which chart to render: `platform` (default), `agent`, or `ponos`.
    pub deployment_chart: Option<Chart>,
    /// Where Polyaxon runs; the seed's `DeploymentType` spelling is folded in here.
    pub deployment_type: Option<DeploymentType>,
    /// Polyaxon version to deploy (image tags, release pin); `latest` or absent means
    /// the newest catalogued release. Required for `ponos`.
    pub deployment_version: Option<String>,
    /// Release name (default `polyaxon`); a DNS-1123 label.
    pub release_name: Option<String>,
    /// Namespace of every namespaced object (default `polyaxon`); a DNS-1123 label.
    pub namespace: Option<String>,

    // --- secrets and auth -----------------------------------------------------
    /// Secret key of the platform (1.x).
    pub polyaxon_secret: Option<String>,
    /// Internal token used between Polyaxon services (1.x).
    pub internal_token: Option<String>,
    /// Length of generated passwords (platform only).
    pub password_length: Option<i64>,
    /// Whether password authentication is enabled (2.x, platform only).
    pub password_auth: Option<bool>,
    /// Encryption secret used to encrypt connection secrets (platform only).
    pub encryption_secret: Option<String>,
    /// Platform secret (platform only).
    pub platform_secret: Option<String>,
    /// Name of an existing Secret holding the agent token; replaces `agent.token`.
    pub agent_secret: Option<String>,
    /// The root user created by the admin-user hook (platform only).
    pub user: Option<RootUser>,
    /// Auth settings in the agent/gateway config (seed: `enabled`, `useResolver`).
    pub auth: Option<AuthConfig>,
    /// Organization key (platform only; EE).
    pub organization_key: Option<String>,

    // --- cluster-level switches -------------------------------------------------
    /// Role/ClusterRole and bindings for the service accounts.
    pub rbac: Option<RbacConfig>,
    /// Serve TLS from the gateway with a certificate Secret.
    pub ssl: Option<SslConfig>,
    /// Ingress to the gateway service.
    pub ingress: Option<IngressConfig>,
    /// DNS backend and cluster domain used in the gateway/proxy config.
    pub dns: Option<DnsConfig>,
    /// Time zone of the common config (`timezone`; the 0.x `timeZone` is folded in).
    pub timezone: Option<String>,
    /// Free-form environment name (`staging` lets 1.x platforms carry an `agent` key).
    pub environment: Option<String>,
    /// Log level of the Polyaxon services.
    pub log_level: Option<String>,
    /// Debug mode of the Polyaxon services.
    pub debug_mode: Option<bool>,
    /// Whether to apply the resource limits of the services.
    pub limit_resources: Option<bool>,
    /// Replicas of every core service unless set per service (platform only).
    pub global_replicas: Option<i64>,
    /// Concurrency of every worker unless set per service (platform only).
    pub global_concurrency: Option<i64>,
    /// Extra labels on every object (2.x).
    pub labels: Option<BTreeMap<String, String>>,
    /// Extra annotations on every object (2.x).
    pub annotations: Option<BTreeMap<String, String>>,
    /// PriorityClass of the core pods (2.x).
    pub priority_class_name: Option<String>,
    /// Include the chart revision in the pod annotations (forces a rollout on upgrade).
    pub include_chart_revision: Option<bool>,
    /// Egress proxy settings handed to the services and, with `useInOps`, to runs.
    pub proxy: Option<ProxyConfig>,
    /// UI settings (platform).
    pub ui: Option<UiConfig>,
    /// Which training operators (Kubeflow, Ray, Dask) the agent watches.
    pub operators: Option<OperatorsConfig>,
    /// Istio settings, as given.
    pub istio: Option<Dict>,

    // --- scheduling -----------------------------------------------------------
    /// nodeSelector of every core pod.
    pub node_selector: Option<BTreeMap<String, String>>,
    /// Tolerations of every core pod: a list (1.x/2.x), or per role (0.x seed:
    /// `core`, `experiments`, `jobs`, `builds`, `tensorboards`, `resourcesDaemon`).
    pub tolerations: Option<TolerationsSetting>,
    /// Affinity of every core pod: an Affinity (1.x/2.x), or per role (0.x seed).
    pub affinity: Option<AffinitySetting>,
    /// 0.x seed: nodeSelector per role (`core` for the core pods; the rest for runs).
    pub node_selectors: Option<NodeSelectorsByRole>,
    /// nodeSelector of the Celery workers (scheduler, worker, beat).
    pub celery_node_selector: Option<BTreeMap<String, String>>,
    /// Tolerations of the Celery workers.
    pub celery_tolerations: Option<Vec<k8s_openapi::api::core::v1::Toleration>>,
    /// Affinity of the Celery workers.
    pub celery_affinity: Option<k8s_openapi::api::core::v1::Affinity>,
    /// Scheduling defaults handed to runs (nodeSelector, affinity, tolerations, pull secrets).
    pub default_scheduling: Option<DefaultScheduling>,
    /// Pull secrets of the core pods.
    pub image_pull_secrets: Option<Vec<String>>,
    /// Pull secrets handed to runs by default.
    pub default_image_pull_secrets: Option<Vec<String>>,
    /// Pod and container security contexts of the core pods.
    pub security_context: Option<SecurityContextConfig>,

    // --- services -------------------------------------------------------------
    /// The gateway (nginx) in front of the API and streams: Deployment + Service.
    pub gateway: Option<ApiService>,
    /// 1.x: the API service. In 2.x only the seed's `api.service.annotations` remains.
    pub api: Option<ApiService>,
    /// 1.x: the streams service (logs, artifacts).
    pub streams: Option<ApiService>,
    /// Celery scheduler (platform).
    pub scheduler: Option<WorkerService>,
    /// Celery compiler (platform).
    pub compiler: Option<WorkerService>,
    /// Celery worker (platform).
    pub worker: Option<WorkerService>,
    /// Celery beat (platform).
    pub beat: Option<DeploymentService>,
    /// Flower, the Celery monitor (platform).
    pub flower: Option<DeploymentService>,
    /// The agent: required (instance and token, or `agentSecret`) for the agent chart.
    pub agent: Option<AgentService>,
    /// The Polyaxon operator (CRD controller).
    pub operator: Option<OperatorService>,
    /// Init container injected into runs.
    pub init: Option<HelperContainer>,
    /// Sidecar container injected into runs.
    pub sidecar: Option<SidecarContainer>,
    /// Notifier job settings.
    pub notifier: Option<BaseService>,
    /// Cleaner job settings.
    pub cleaner: Option<BaseService>,
    /// 1.x: the migration/admin hook (`polyaxon-manage`).
    pub hooks: Option<HooksService>,
    /// 1.x: the tables hook.
    pub tables_hook: Option<HooksService>,
    /// Clean hooks (pre-delete).
    pub clean_hooks: Option<HooksService>,
    /// API hooks (migrations, admin user, default org).
    pub api_hooks: Option<HooksService>,
    /// 0.x seed: the resources DaemonSet on every node.
    pub resources_daemon: Option<ResourcesDaemon>,

    // --- dependencies -----------------------------------------------------------
    /// In-cluster PostgreSQL; when disabled, `externalServices.postgresql` is required.
    pub postgresql: Option<PostgresqlService>,
    /// In-cluster Redis; not together with `externalServices.redis`.
    pub redis: Option<RedisService>,
    /// In-cluster RabbitMQ: `rabbitmq-ha` (1.x and 0.x seed); the short `rabbitmq`
    /// spelling of early 2.x is folded in. Rejected by 2.18: 1.x only.
    #[serde(rename = "rabbitmq-ha")]
    pub rabbitmq: Option<RabbitmqService>,
    /// Celery broker: `redis` or (1.x) `rabbitmq`.
    pub broker: Option<Broker>,
    /// 0.x seed: in-cluster docker registry (`docker-registry`; `registry` folded in).
    #[serde(rename = "docker-registry")]
    pub docker_registry: Option<DockerRegistryService>,
    /// External services used instead of the in-cluster ones, and the control
    /// plane (`api`) an agent connects to.
    pub external_services: Option<ExternalServices>,

    // --- platform settings -----------------------------------------------------
    /// Outgoing email settings; credentials go into a Secret.
    pub email: Option<EmailConfig>,
    /// LDAP settings, as given.
    pub ldap: Option<Dict>,
    /// Metrics (statsd exporter) settings, as given.
    pub metrics: Option<Dict>,
    /// Host name of the platform.
    pub host_name: Option<String>,
    /// Allowed hosts of the platform.
    pub allowed_hosts: Option<Vec<String>>,
    /// Add the node IPs to the allowed hosts.
    pub include_host_ips: Option<bool>,
    /// Scheduler intervals, in seconds.
    pub intervals: Option<IntervalsConfig>,
    /// Cleaning intervals, as given (2.x).
    pub cleaning_intervals: Option<Dict>,
    /// 0.x seed: admin view flag in the platform config.
    pub admin_view_enabled: Option<bool>,
    /// 0.x seed: Secrets handed to runs by name.
    pub secret_refs: Option<Vec<String>>,
    /// 0.x seed: ConfigMaps handed to runs by name.
    pub configmap_refs: Option<Vec<String>>,
    /// 0.x seed: host paths of the NVIDIA libraries.
    pub dirs: Option<PathsConfig>,
    /// 0.x seed: where the NVIDIA libraries are mounted in job pods.
    pub mount_paths: Option<PathsConfig>,
    /// 0.x seed: logs/repos/upload volumes, data and outputs stores.
    pub persistence: Option<Persistence>,

    // --- connections -------------------------------------------------------------
    /// The artifacts store connection (its name counts among the connection names).
    pub artifacts_store: Option<Connection>,
    /// Connections available to runs.
    pub connections: Option<Vec<Connection>>,
    /// Names of connections also mounted in the core pods.
    pub mount_connections: Option<Vec<String>>,
    /// Notifier connections (agent seed), secrets mounted.
    pub notification_connections: Option<Vec<Connection>>,

    // --- ponos ---------------------------------------------------------------
    /// `deploymentChart: ponos`: the Ponos agent's `agent.yml` keys.
    pub ponos: Option<PonosConfig>,
}

/// `rbac`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RbacConfig {
    /// Create Role/ClusterRole and bindings (default true).
    pub enabled: Option<bool>,
}

/// `ssl`: a certificate Secret mounted into the gateway, which then serves 443.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SslConfig {
    /// Serve TLS from the gateway.
    pub enabled: Option<bool>,
    /// Name of the TLS Secret.
    pub secret_name: Option<String>,
    /// Mount path of the certificate (default `/etc/ssl`).
    pub path: Option<String>,
}

/// `ingress`: a `networking.k8s.io/v1` Ingress to the gateway service.
/// Polyaxon ignores unknown keys here (extra = ignore).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IngressConfig {
    /// Create the Ingress.
    pub enabled: Option<bool>,
    /// Host of the Ingress rule.
    pub host_name: Option<String>,
    /// Path of the Ingress rule (default `/`).
    pub path: Option<String>,
    /// Ingress class name (`spec.ingressClassName`); a chart value.
    pub class_name: Option<String>,
    /// TLS entries (secretName, hosts).
    pub tls: Option<Vec<IngressTLS>>,
    /// Ingress annotations.
    pub annotations: Option<BTreeMap<String, String>>,
    /// Other keys, as given (Polyaxon ignores them; the renderer does too).
    #[serde(flatten)]
    pub extra: Dict,
}

/// `dns`: how the gateway/proxy config builds service addresses.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DnsConfig {
    /// `kube-dns` (default) or `coredns`: prefix `<backend>.kube-system`.
    pub backend: Option<String>,
    /// Full DNS prefix override.
    pub prefix: Option<String>,
    /// Cluster domain (default `cluster.local`).
    pub custom_cluster: Option<String>,
    /// Other keys, as given (2.x types `dns` as a free mapping).
    #[serde(flatten)]
    pub extra: Dict,
}

/// `user`: the root user (platform).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RootUser {
    /// User name (default `root`); letters, digits, `-` and `_`.
    pub username: Option<String>,
    /// Email (default `root@polyaxon.local`).
    pub email: Option<String>,
    /// Password (default `rootpassword`; null means generate one); kept in a Secret.
    pub password: Option<String>,
}

/// `auth`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthConfig {
    /// Auth enabled (default true).
    pub enabled: Option<bool>,
    /// External auth service.
    pub external: Option<String>,
    /// Use the auth resolver in the gateway (default true).
    pub use_resolver: Option<bool>,
}

/// `proxy`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProxyConfig {
    /// Use the proxy.
    pub enabled: Option<bool>,
    /// Also hand the proxy to runs.
    pub use_in_ops: Option<bool>,
    /// HTTP_PROXY.
    pub http_proxy: Option<String>,
    /// HTTPS_PROXY.
    pub https_proxy: Option<String>,
    /// NO_PROXY.
    pub no_proxy: Option<String>,
    /// Proxy port.
    pub port: Option<i64>,
    /// Proxy host.
    pub host: Option<String>,
    /// Proxy kind.
    pub kind: Option<String>,
    /// Proxy protocol (2.x).
    pub protocol: Option<String>,
}

/// `ui`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UiConfig {
    /// Serve the UI.
    pub enabled: Option<bool>,
    /// Serve the UI assets offline.
    pub offline: Option<bool>,
    /// Static assets URL.
    pub static_url: Option<String>,
    /// Base URL of the UI.
    pub base_url: Option<String>,
    /// Assets version.
    pub assets_version: Option<String>,
    /// Enable the admin UI.
    pub admin_enabled: Option<bool>,
    /// Serve the UI, API and streams on one URL (2.x).
    pub single_url: Option<bool>,
    /// Default streams URL (2.x).
    pub default_streams_url: Option<String>,
}

/// `operators`: which training operators are enabled.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OperatorsConfig {
    /// Kubeflow TFJob.
    pub tfjob: Option<bool>,
    /// Kubeflow PyTorchJob.
    pub pytorchjob: Option<bool>,
    /// Kubeflow PaddleJob (before 2.18).
    pub paddlejob: Option<bool>,
    /// Kubeflow MPIJob.
    pub mpijob: Option<bool>,
    /// Spark jobs (1.x).
    pub sparkjob: Option<bool>,
    /// Kubeflow MXJob.
    pub mxjob: Option<bool>,
    /// Kubeflow XGBoostJob.
    pub xgbjob: Option<bool>,
    /// Dask jobs.
    pub daskjob: Option<bool>,
    /// Ray jobs.
    pub rayjob: Option<bool>,
    /// Dask clusters (2.18).
    pub daskcluster: Option<bool>,
    /// Ray clusters (2.18).
    pub raycluster: Option<bool>,
}

/// `defaultScheduling`: defaults handed to runs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DefaultScheduling {
    /// nodeSelector of runs.
    pub node_selector: Option<BTreeMap<String, String>>,
    /// Affinity of runs.
    pub affinity: Option<k8s_openapi::api::core::v1::Affinity>,
    /// Tolerations of runs.
    pub tolerations: Option<Vec<k8s_openapi::api::core::v1::Toleration>>,
    /// Pull secrets of runs.
    pub image_pull_secrets: Option<Vec<String>>,
}

/// `securityContext` of the core pods. User and group both or neither.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SecurityContextConfig {
    /// Set the security contexts (default false).
    pub enabled: Option<bool>,
    /// runAsUser (default 2222); the seed's `user` is folded in here.
    pub run_as_user: Option<i64>,
    /// runAsGroup (default 2222); the seed's `group` is folded in here.
    pub run_as_group: Option<i64>,
    /// fsGroup (default: the group).
    pub fs_group: Option<i64>,
    /// fsGroupChangePolicy (`Always` or `OnRootMismatch`).
    pub fs_group_change_policy: Option<String>,
    /// allowPrivilegeEscalation of the containers.
    pub allow_privilege_escalation: Option<bool>,
    /// runAsNonRoot.
    pub run_as_non_root: Option<bool>,
}

/// `email`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmailConfig {
    /// Send emails.
    pub enabled: Option<bool>,
    /// Sender address (`from`).
    pub from: Option<String>,
    /// SMTP host.
    pub host: Option<String>,
    /// SMTP port.
    pub port: Option<i64>,
    /// Use TLS (note the spelling: `useTls`, not `useTLS`).
    pub use_tls: Option<bool>,
    /// SMTP user; kept in a Secret.
    pub host_user: Option<String>,
    /// SMTP password; kept in a Secret.
    pub host_password: Option<String>,
    /// Email backend.
    pub backend: Option<String>,
}

/// `intervals`, in seconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IntervalsConfig {
    /// Runs scheduler interval.
    pub runs_scheduler: Option<i64>,
    /// Default retry delay of operations.
    pub operations_default_retry_delay: Option<i64>,
    /// Maximum retry delay of operations.
    pub operations_max_retry_delay: Option<i64>,
    /// Compatibility check interval.
    pub compatibility_check: Option<i64>,
}
