//! Every key the tool accepts, its type, and the generation it belongs to.
//!
//! This table drives validation (unknown keys, types, enums, generations);
//! [`super::schema`] is the typed model filled afterwards. A unit test walks
//! this table and checks the model accepts every key, so the two cannot drift.
//!
//! Facts: 2.x from the Polyaxon CLI's `_deploy/schemas/*.py` (pydantic:
//! extra keys forbidden except in third-party services, `*.service` and
//! `ingress`); 1.x from `polyaxon/deploy/schemas/*.py`; keys the 2.18 reader
//! rejects per `shared/reference/README.md` (`agent.isReplica`,
//! `agent.compressedLogs`, `celery.confirmPublish`) are 1.x only; the seed
//! parameters (`shared/design/parameters.md`) are accepted in both
//! generations. The 2.18 reader also rejects `rabbitmq`, `broker: rabbitmq`
//! and `externalServices.rabbitmq`, but every 2.x chart package (2.0.0 to
//! 2.15.1) ships the bitnami RabbitMQ subchart and renders all three (the
//! broker settings, the create-exchange hook, the RabbitMQ secret), so they
//! are accepted in both generations: the chart is what gets deployed.

/// Which generation a key belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gen {
    /// Both 1.x and 2.x.
    Both,
    /// 1.x only.
    V1,
    /// 2.x only.
    V2,
    /// Named by the seed documents: accepted in both.
    Seed,
}

/// The type of a value.
#[derive(Debug)]
pub enum Ty {
    /// A string (numbers and booleans are refused: quote them).
    Str,
    /// An integer.
    Int,
    /// A boolean (`"true"`/`"false"` strings accepted, as Polyaxon does).
    Bool,
    /// A port number, 1–65535.
    Port,
    /// A Kubernetes quantity (`500m`, `2Gi`, `1`).
    Quantity,
    /// A DNS-1123 label (namespace, connection names).
    Label,
    /// A release name: a DNS-1123 label of at most 53 characters (Helm's limit,
    /// leaving room for the `-polyaxon-<component>` suffixes).
    ReleaseName,
    /// A DNS-1123 subdomain: the name of a Secret, ConfigMap, claim,
    /// priority class or ingress class.
    Subdomain,
    /// One of these strings.
    Enum(&'static [&'static str]),
    /// Any mapping, kept as given.
    Dict,
    /// A mapping of strings to strings (annotations, environment).
    StrMap,
    /// Labels: keys and values as the API server accepts them in labels and
    /// node selectors.
    LabelMap,
    /// A list.
    List(&'static Ty),
    /// A mapping with these keys only.
    Struct(&'static [Key]),
    /// A mapping with these keys typed, and any other keys kept as given.
    Open(&'static [Key]),
    /// A mapping of user-chosen names to values of one type.
    MapOf(&'static Ty),
    /// Container resources: `limits`/`requests` of quantities.
    Resources,
    /// A list of tolerations, or (0.x seed) tolerations per role.
    TolerationsSetting,
    /// An Affinity, or (0.x seed) affinity per role.
    AffinitySetting,
}

/// One key.
#[derive(Debug)]
pub struct Key {
    /// The key as written.
    pub name: &'static str,
    /// Its type.
    pub ty: Ty,
    /// Its generation.
    pub generation: Gen,
    /// For another spelling of a key: the canonical name it folds into.
    pub alias_of: Option<&'static str>,
}

const fn both(name: &'static str, ty: Ty) -> Key {
    Key {
        name,
        ty,
        generation: Gen::Both,
        alias_of: None,
    }
}
const fn v1(name: &'static str, ty: Ty) -> Key {
    Key {
        name,
        ty,
        generation: Gen::V1,
        alias_of: None,
    }
}
const fn v2(name: &'static str, ty: Ty) -> Key {
    Key {
        name,
        ty,
        generation: Gen::V2,
        alias_of: None,
    }
}
const fn seed(name: &'static str, ty: Ty) -> Key {
    Key {
        name,
        ty,
        generation: Gen::Seed,
        alias_of: None,
    }
}
const fn alias(name: &'static str, of: &'static str, generation: Gen, ty: Ty) -> Key {
    Key {
        name,
        ty,
        generation,
        alias_of: Some(of),
    }
}

// The enums' spellings are declared once, with their variants.
const CHARTS: &[&str] = super::schema::Chart::VALUES;
const SERVICE_TYPES: &[&str] = super::schema::ServiceType::VALUES;
const PULL_POLICIES: &[&str] = super::schema::PullPolicy::VALUES;
const BROKERS: &[&str] = super::schema::Broker::VALUES;
const DEPLOYMENT_TYPES: &[&str] = super::schema::DeploymentType::VALUES;

/// Declares the keys of a kind of section, followed by its own.
/// - `container(image type)`: a container Polyaxon configures (image, resources);
/// - `pods(image type)`: that, and where its pods run;
/// - `service(image type)`: that, and how many run (`BaseServiceConfig` +
///   `DeploymentService`).
macro_rules! keys {
    (container($image:expr) $(, $extra:expr)* $(,)?) => {
        &[
            both("image", $image),
            both("imageTag", Ty::Str),
            both("imagePullPolicy", Ty::Enum(PULL_POLICIES)),
            both("resources", Ty::Resources),
            $($extra),*
        ]
    };
    (pods($image:expr) $(, $extra:expr)* $(,)?) => {
        keys!(
            container($image),
            both("nodeSelector", Ty::LabelMap),
            both("affinity", Ty::Struct(AFFINITY)),
            both("tolerations", Ty::List(&Ty::Struct(TOLERATION))),
            both("imagePullSecrets", Ty::List(&Ty::Subdomain)),
            both("hpa", Ty::Dict),
            $($extra),*
        )
    };
    (service($image:expr) $(, $extra:expr)* $(,)?) => {
        keys!(
            pods($image),
            both("enabled", Ty::Bool),
            both("replicas", Ty::Int),
            both("concurrency", Ty::Int),
            v2("perCore", Ty::Bool),
            v2("scheme", Ty::Str),
            $($extra),*
        )
    };
}

/// Declares one key per role of the 0.x seed (`nodeSelectors.<role>`, ...),
/// each of type `$ty`.
macro_rules! per_role {
    ($ty:expr $(, $extra:literal)*) => {
        &[
            seed("core", $ty),
            seed("experiments", $ty),
            seed("jobs", $ty),
            seed("builds", $ty),
            seed("tensorboards", $ty),
            $(seed($extra, $ty)),*
        ]
    };
}

/// A Kubernetes Toleration.
pub const TOLERATION: &[Key] = &[
    both("key", Ty::Str),
    both("operator", Ty::Enum(&["Exists", "Equal"])),
    both("value", Ty::Str),
    both(
        "effect",
        Ty::Enum(&["NoSchedule", "PreferNoSchedule", "NoExecute"]),
    ),
    both("tolerationSeconds", Ty::Int),
];

/// A Kubernetes Affinity (its three parts kept as given).
pub const AFFINITY: &[Key] = &[
    both("nodeAffinity", Ty::Dict),
    both("podAffinity", Ty::Dict),
    both("podAntiAffinity", Ty::Dict),
];

const SERVICE_SPEC: &[Key] = &[
    both("name", Ty::Str),
    both("type", Ty::Enum(SERVICE_TYPES)),
    both("port", Ty::Port),
    both("targetPort", Ty::Port),
    both("nodePort", Ty::Port),
    // The seed names `api.service.annotations` and `gateway.service.annotations`.
    seed("annotations", Ty::StrMap),
];

const DEPLOYMENT_SERVICE: &[Key] = keys!(service(Ty::Str));

/// `notifier` and `cleaner`: Polyaxon's `BaseServiceConfig`, without the
/// `enabled`/`replicas`/`concurrency` of deployed services.
const BASE_SERVICE: &[Key] = keys!(pods(Ty::Str));
const API_SERVICE: &[Key] = keys!(service(Ty::Str), both("service", Ty::Open(SERVICE_SPEC)));

const CELERY: &[Key] = &[
    both("enabled", Ty::Bool),
    both("taskTrackStarted", Ty::Bool),
    both("brokerPoolLimit", Ty::Int),
    v1("confirmPublish", Ty::Bool),
    both("workerPrefetchMultiplier", Ty::Int),
    both("workerMaxTasksPerChild", Ty::Int),
    both("workerMaxMemoryPerChild", Ty::Int),
    both("taskAlwaysEager", Ty::Bool),
];
const WORKER_SERVICE: &[Key] = keys!(service(Ty::Str), both("celery", Ty::Struct(CELERY)));

const AGENT_SERVICE: &[Key] = keys!(
    service(Ty::Str),
    seed("instance", Ty::Str),
    seed("token", Ty::Str),
    v2("watchCluster", Ty::Bool),
    v2("additionalNamespaces", Ty::List(&Ty::Label)),
    v2("serviceAccountAnnotations", Ty::StrMap),
    v2("serviceAccountImagePullSecrets", Ty::List(&Ty::Subdomain)),
    v2("enableStatusFinalizers", Ty::Bool),
    v2("enableLogsFinalizers", Ty::Bool),
    v1("isReplica", Ty::Bool),
    v1("compressedLogs", Ty::Bool),
);

const OPERATOR_SERVICE: &[Key] = keys!(service(Ty::Str), both("skipCRD", Ty::Bool));

const HOOKS_SERVICE: &[Key] = keys!(
    service(Ty::Str),
    both("loadFixtures", Ty::Bool),
    v2("tables", Ty::Bool),
    v2("syncdb", Ty::Bool),
    v2("adminUser", Ty::Bool),
    v2("defaultOrg", Ty::Bool),
);

const POSTGRESQL_SERVICE: &[Key] = keys!(
    service(Ty::Str),
    both("persistence", Ty::Dict),
    both("auth", Ty::Dict),
    both("connMaxAge", Ty::Int),
    both("postgresUser", Ty::Str),
    both("postgresPassword", Ty::Str),
    both("postgresDatabase", Ty::Str),
);
// Redis takes the bitnami chart's `image: {repository, tag}` mapping.
const REDIS_SERVICE: &[Key] = keys!(
    service(Ty::Dict),
    both("persistence", Ty::Dict),
    both("nonBroker", Ty::Bool),
    both("usePassword", Ty::Bool),
    both("password", Ty::Str),
    both("auth", Ty::Dict),
);
const RABBITMQ_SERVICE: &[Key] = keys!(
    service(Ty::Str),
    both("persistence", Ty::Dict),
    both("auth", Ty::Dict),
    both("rabbitmqUsername", Ty::Str),
    both("rabbitmqPassword", Ty::Str),
);
const DOCKER_REGISTRY_SERVICE: &[Key] = keys!(
    service(Ty::Str),
    both("persistence", Ty::Dict),
    both("registryUser", Ty::Str),
    both("registryPassword", Ty::Str),
);

const HELPER_CONTAINER: &[Key] = keys!(
    container(Ty::Str),
    // 1.x typed `init` like a service (`HelperServiceSchema`).
    v1("enabled", Ty::Bool),
    v1("replicas", Ty::Int),
    v1("concurrency", Ty::Int),
    v1("sleepInterval", Ty::Int),
    v1("syncInterval", Ty::Int),
);
const SIDECAR_CONTAINER: &[Key] = keys!(
    container(Ty::Str),
    both("sleepInterval", Ty::Int),
    both("syncInterval", Ty::Int),
    v2("monitorLogs", Ty::Bool),
    v2("monitorSpec", Ty::Bool),
    v2("noConnections", Ty::Bool),
    // 1.x typed `sidecar` like a service (`HelperServiceSchema`).
    v1("enabled", Ty::Bool),
    v1("replicas", Ty::Int),
    v1("concurrency", Ty::Int),
);

const EXTERNAL_SERVICE: &[Key] = &[
    both("user", Ty::Str),
    both("password", Ty::Str),
    // A URL is allowed here (`https://*.polyaxon.com`), so no label check.
    both("host", Ty::Str),
    both("port", Ty::Port),
    both("database", Ty::Str),
    both("usePassword", Ty::Bool),
    both("connMaxAge", Ty::Int),
    // The 1.14 fixtures use `pgbouncer` and `options`: these are not 2.x only.
    both("pgbouncer", Ty::Dict),
    both("options", Ty::Dict),
    both("useResolver", Ty::Bool),
    both("corporateProxy", Ty::Str),
];
const EXTERNAL_BACKEND: &[Key] = &[
    both("enabled", Ty::Bool),
    both("backend", Ty::Str),
    both("url", Ty::Str),
    both("options", Ty::Dict),
];
const AUTH_SERVICES: &[Key] = &[
    both("github", Ty::Struct(EXTERNAL_BACKEND)),
    both("gitlab", Ty::Struct(EXTERNAL_BACKEND)),
    both("bitbucket", Ty::Struct(EXTERNAL_BACKEND)),
    both("google", Ty::Struct(EXTERNAL_BACKEND)),
    v1("saml", Ty::Struct(EXTERNAL_BACKEND)),
    v2("okta", Ty::Struct(EXTERNAL_BACKEND)),
    v2("onelogin", Ty::Struct(EXTERNAL_BACKEND)),
    v2("azuread", Ty::Struct(EXTERNAL_BACKEND)),
];
const EXTERNAL_SERVICES: &[Key] = &[
    both("redis", Ty::Struct(EXTERNAL_SERVICE)),
    both("rabbitmq", Ty::Struct(EXTERNAL_SERVICE)),
    both("postgresql", Ty::Struct(EXTERNAL_SERVICE)),
    both("gateway", Ty::Struct(EXTERNAL_SERVICE)),
    both("api", Ty::Struct(EXTERNAL_SERVICE)),
    both("transactions", Ty::Struct(EXTERNAL_BACKEND)),
    both("analytics", Ty::Struct(EXTERNAL_BACKEND)),
    both("metrics", Ty::Struct(EXTERNAL_BACKEND)),
    both("errors", Ty::Struct(EXTERNAL_BACKEND)),
    both("auth", Ty::Struct(AUTH_SERVICES)),
    both("allowedVersions", Ty::List(&Ty::Str)),
];

const CONNECTION_RESOURCE: &[Key] = &[
    both("name", Ty::Subdomain),
    both("mountPath", Ty::Str),
    both("hostPath", Ty::Str),
    both("items", Ty::List(&Ty::Str)),
    both("defaultMode", Ty::Str),
    both("isRequested", Ty::Bool),
];
/// A connection's kind-specific schema: the claim of a `volume_claim`
/// connection is checked as a claim name; the rest is kept as given.
const CONNECTION_SCHEMA: &[Key] = &[both("volumeClaim", Ty::Subdomain)];
const CONNECTION: &[Key] = &[
    both("name", Ty::Label),
    both("kind", Ty::Str),
    both("isAlias", Ty::Bool),
    both("description", Ty::Str),
    both("tags", Ty::List(&Ty::Str)),
    both("schema", Ty::Open(CONNECTION_SCHEMA)),
    both("secret", Ty::Struct(CONNECTION_RESOURCE)),
    both("configMap", Ty::Struct(CONNECTION_RESOURCE)),
    both("env", Ty::List(&Ty::Dict)),
    both("annotations", Ty::StrMap),
];

const PERSISTENCE_VOLUME: &[Key] = &[
    seed("existingClaim", Ty::Subdomain),
    seed("mountPath", Ty::Str),
    seed("hostPath", Ty::Str),
];
const VOLUME_ENTRY: &[Key] = &[
    seed("existingClaim", Ty::Subdomain),
    seed("mountPath", Ty::Str),
    seed("hostPath", Ty::Str),
    seed("readOnly", Ty::Bool),
    seed("store", Ty::Enum(&["s3", "gcs", "azure"])),
    seed("bucket", Ty::Str),
    seed("secret", Ty::Subdomain),
    seed("secretKey", Ty::Str),
];
const PERSISTENCE: &[Key] = &[
    seed("enabled", Ty::Bool),
    seed("logs", Ty::Struct(PERSISTENCE_VOLUME)),
    seed("repos", Ty::Struct(PERSISTENCE_VOLUME)),
    seed("upload", Ty::Struct(PERSISTENCE_VOLUME)),
    seed("data", Ty::MapOf(&Ty::Struct(VOLUME_ENTRY))),
    seed("outputs", Ty::MapOf(&Ty::Struct(VOLUME_ENTRY))),
];
const NVIDIA_PATHS: &[Key] = &[
    seed("lib", Ty::Str),
    seed("bin", Ty::Str),
    seed("libcuda", Ty::Str),
];
const PATHS: &[Key] = &[seed("nvidia", Ty::Struct(NVIDIA_PATHS))];
const NODE_SELECTORS: &[Key] = per_role!(Ty::LabelMap);
/// Roles of the 0.x seed's `tolerations.<role>`.
pub const TOLERATION_ROLES: &[Key] =
    per_role!(Ty::List(&Ty::Struct(TOLERATION)), "resourcesDaemon");
/// Roles of the 0.x seed's `affinity.<role>`.
pub const AFFINITY_ROLES: &[Key] = per_role!(Ty::Struct(AFFINITY));

const PONOS_EXTRA_VOLUME: &[Key] = &[
    seed("name", Ty::Label),
    seed("pvc_name", Ty::Subdomain),
    seed("mount_path", Ty::Str),
    seed("read_only", Ty::Bool),
];
const PONOS_KUBERNETES: &[Key] = &[
    seed("pvc_name", Ty::Subdomain),
    seed("storage_class", Ty::Str),
    seed("storage_size", Ty::Quantity),
    seed("extra_volumes", Ty::List(&Ty::Struct(PONOS_EXTRA_VOLUME))),
    seed("extra_environment", Ty::StrMap),
];
const PONOS: &[Key] = &[
    seed("url", Ty::Str),
    seed("farm_id", Ty::Str),
    seed("seed", Ty::Str),
    seed("data_dir", Ty::Str),
    seed("image", Ty::Str),
    seed("kubernetes", Ty::Struct(PONOS_KUBERNETES)),
];

const RBAC: &[Key] = &[both("enabled", Ty::Bool)];
const SSL: &[Key] = &[
    both("enabled", Ty::Bool),
    both("secretName", Ty::Subdomain),
    both("path", Ty::Str),
];
const INGRESS: &[Key] = &[
    both("enabled", Ty::Bool),
    both("hostName", Ty::Str),
    both("path", Ty::Str),
    both("className", Ty::Subdomain),
    both("tls", Ty::List(&Ty::Dict)),
    both("annotations", Ty::StrMap),
];
const DNS: &[Key] = &[
    seed("backend", Ty::Enum(&["kube-dns", "coredns"])),
    seed("prefix", Ty::Str),
    seed("customCluster", Ty::Str),
];
const ROOT_USER: &[Key] = &[
    both("username", Ty::Str),
    both("email", Ty::Str),
    both("password", Ty::Str),
];
const AUTH: &[Key] = &[
    both("enabled", Ty::Bool),
    both("external", Ty::Str),
    both("useResolver", Ty::Bool),
];
const PROXY: &[Key] = &[
    both("enabled", Ty::Bool),
    both("useInOps", Ty::Bool),
    both("httpProxy", Ty::Str),
    both("httpsProxy", Ty::Str),
    both("noProxy", Ty::Str),
    both("port", Ty::Port),
    both("host", Ty::Str),
    both("kind", Ty::Str),
    v2("protocol", Ty::Str),
];
const UI: &[Key] = &[
    both("enabled", Ty::Bool),
    both("offline", Ty::Bool),
    both("staticUrl", Ty::Str),
    both("baseUrl", Ty::Str),
    both("assetsVersion", Ty::Str),
    both("adminEnabled", Ty::Bool),
    v2("singleUrl", Ty::Bool),
    v2("defaultStreamsUrl", Ty::Str),
];
const OPERATORS: &[Key] = &[
    both("tfjob", Ty::Bool),
    both("pytorchjob", Ty::Bool),
    both("mpijob", Ty::Bool),
    v1("sparkjob", Ty::Bool),
    // Keys of Polyaxon releases before 2.18 that its reader refuses: they
    // follow the older rules, as 1.x keys do.
    v1("paddlejob", Ty::Bool),
    v1("mxjob", Ty::Bool),
    v1("xgbjob", Ty::Bool),
    v1("daskjob", Ty::Bool),
    v1("rayjob", Ty::Bool),
    v2("daskcluster", Ty::Bool),
    v2("raycluster", Ty::Bool),
];
const DEFAULT_SCHEDULING: &[Key] = &[
    both("nodeSelector", Ty::LabelMap),
    both("affinity", Ty::Struct(AFFINITY)),
    both("tolerations", Ty::List(&Ty::Struct(TOLERATION))),
    both("imagePullSecrets", Ty::List(&Ty::Subdomain)),
];
const SECURITY_CONTEXT: &[Key] = &[
    both("enabled", Ty::Bool),
    both("runAsUser", Ty::Int),
    both("runAsGroup", Ty::Int),
    alias("user", "runAsUser", Gen::Seed, Ty::Int),
    alias("group", "runAsGroup", Gen::Seed, Ty::Int),
    both("fsGroup", Ty::Int),
    both(
        "fsGroupChangePolicy",
        Ty::Enum(&["Always", "OnRootMismatch"]),
    ),
    both("allowPrivilegeEscalation", Ty::Bool),
    both("runAsNonRoot", Ty::Bool),
];
const EMAIL: &[Key] = &[
    both("enabled", Ty::Bool),
    both("from", Ty::Str),
    both("host", Ty::Str),
    both("port", Ty::Port),
    both("useTls", Ty::Bool),
    both("hostUser", Ty::Str),
    both("hostPassword", Ty::Str),
    both("backend", Ty::Str),
];
const INTERVALS: &[Key] = &[
    // The 2.18 reader keeps only `compatibilityCheck`.
    v1("runsScheduler", Ty::Int),
    v1("operationsDefaultRetryDelay", Ty::Int),
    v1("operationsMaxRetryDelay", Ty::Int),
    both("compatibilityCheck", Ty::Int),
];

/// The top level of the deployment config.
pub const ROOT: &[Key] = &[
    both("deploymentChart", Ty::Enum(CHARTS)),
    both("deploymentType", Ty::Enum(DEPLOYMENT_TYPES)),
    alias(
        "DeploymentType",
        "deploymentType",
        Gen::Seed,
        Ty::Enum(DEPLOYMENT_TYPES),
    ),
    both("deploymentVersion", Ty::Str),
    both("releaseName", Ty::ReleaseName),
    both("namespace", Ty::Label),
    both("polyaxonSecret", Ty::Str),
    both("internalToken", Ty::Str),
    both("passwordLength", Ty::Int),
    v2("passwordAuth", Ty::Bool),
    both("encryptionSecret", Ty::Subdomain),
    both("platformSecret", Ty::Subdomain),
    both("agentSecret", Ty::Subdomain),
    both("user", Ty::Struct(ROOT_USER)),
    both("auth", Ty::Struct(AUTH)),
    both("organizationKey", Ty::Str),
    both("rbac", Ty::Struct(RBAC)),
    both("ssl", Ty::Struct(SSL)),
    both("ingress", Ty::Open(INGRESS)),
    both("dns", Ty::Open(DNS)),
    both("timezone", Ty::Str),
    alias("timeZone", "timezone", Gen::Seed, Ty::Str),
    both("environment", Ty::Str),
    both("logLevel", Ty::Str),
    both("debugMode", Ty::Bool),
    both("limitResources", Ty::Bool),
    both("globalReplicas", Ty::Int),
    both("globalConcurrency", Ty::Int),
    v2("labels", Ty::LabelMap),
    v2("annotations", Ty::StrMap),
    v2("priorityClassName", Ty::Subdomain),
    both("includeChartRevision", Ty::Bool),
    both("proxy", Ty::Struct(PROXY)),
    both("ui", Ty::Struct(UI)),
    both("operators", Ty::Struct(OPERATORS)),
    both("istio", Ty::Dict),
    both("nodeSelector", Ty::LabelMap),
    both("tolerations", Ty::TolerationsSetting),
    both("affinity", Ty::AffinitySetting),
    seed("nodeSelectors", Ty::Struct(NODE_SELECTORS)),
    both("celeryNodeSelector", Ty::LabelMap),
    both("celeryTolerations", Ty::List(&Ty::Struct(TOLERATION))),
    both("celeryAffinity", Ty::Struct(AFFINITY)),
    both("defaultScheduling", Ty::Struct(DEFAULT_SCHEDULING)),
    both("imagePullSecrets", Ty::List(&Ty::Subdomain)),
    both("defaultImagePullSecrets", Ty::List(&Ty::Subdomain)),
    both("securityContext", Ty::Struct(SECURITY_CONTEXT)),
    both("gateway", Ty::Struct(API_SERVICE)),
    v1("api", Ty::Struct(API_SERVICE)),
    v1("streams", Ty::Struct(API_SERVICE)),
    both("scheduler", Ty::Struct(WORKER_SERVICE)),
    both("compiler", Ty::Struct(WORKER_SERVICE)),
    both("worker", Ty::Struct(WORKER_SERVICE)),
    both("beat", Ty::Struct(DEPLOYMENT_SERVICE)),
    both("flower", Ty::Struct(DEPLOYMENT_SERVICE)),
    both("agent", Ty::Struct(AGENT_SERVICE)),
    both("operator", Ty::Struct(OPERATOR_SERVICE)),
    both("init", Ty::Struct(HELPER_CONTAINER)),
    both("sidecar", Ty::Struct(SIDECAR_CONTAINER)),
    both("notifier", Ty::Struct(BASE_SERVICE)),
    both("cleaner", Ty::Struct(BASE_SERVICE)),
    v1("hooks", Ty::Struct(HOOKS_SERVICE)),
    v1("tablesHook", Ty::Struct(HOOKS_SERVICE)),
    both("cleanHooks", Ty::Struct(HOOKS_SERVICE)),
    both("apiHooks", Ty::Struct(HOOKS_SERVICE)),
    seed("resourcesDaemon", Ty::Struct(DEPLOYMENT_SERVICE)),
    both("postgresql", Ty::Open(POSTGRESQL_SERVICE)),
    both("redis", Ty::Open(REDIS_SERVICE)),
    v1("rabbitmq-ha", Ty::Open(RABBITMQ_SERVICE)),
    // 1.x: another spelling of `rabbitmq-ha`; 2.x: the bitnami subchart's
    // section. Both read as the one in-cluster RabbitMQ.
    alias(
        "rabbitmq",
        "rabbitmq-ha",
        Gen::Both,
        Ty::Open(RABBITMQ_SERVICE),
    ),
    both("broker", Ty::Enum(BROKERS)),
    seed("docker-registry", Ty::Open(DOCKER_REGISTRY_SERVICE)),
    alias(
        "registry",
        "docker-registry",
        Gen::Seed,
        Ty::Open(DOCKER_REGISTRY_SERVICE),
    ),
    both("externalServices", Ty::Struct(EXTERNAL_SERVICES)),
    both("email", Ty::Struct(EMAIL)),
    both("ldap", Ty::Dict),
    both("metrics", Ty::Dict),
    both("hostName", Ty::Str),
    both("allowedHosts", Ty::List(&Ty::Str)),
    both("includeHostIps", Ty::Bool),
    both("intervals", Ty::Struct(INTERVALS)),
    v2("cleaningIntervals", Ty::Dict),
    seed("adminViewEnabled", Ty::Bool),
    seed("secretRefs", Ty::List(&Ty::Subdomain)),
    seed("configmapRefs", Ty::List(&Ty::Subdomain)),
    seed("dirs", Ty::Struct(PATHS)),
    seed("mountPaths", Ty::Struct(PATHS)),
    seed("persistence", Ty::Struct(PERSISTENCE)),
    both("artifactsStore", Ty::Struct(CONNECTION)),
    both("connections", Ty::List(&Ty::Struct(CONNECTION))),
    v2("mountConnections", Ty::List(&Ty::Str)),
    seed("notificationConnections", Ty::List(&Ty::Struct(CONNECTION))),
    seed("ponos", Ty::Struct(PONOS)),
];

/// Top-level keys the platform chart alone uses: under `deploymentChart:
/// agent` Polyaxon refuses them (`wrong_agent_deployment_keys`, 1.x and 2.x
/// lists), as do the 0.x seed's platform-only keys.
pub const PLATFORM_ONLY: &[&str] = &[
    "polyaxonSecret",
    "internalToken",
    "passwordLength",
    "passwordAuth",
    "platformSecret",
    "encryptionSecret",
    "user",
    "globalReplicas",
    "globalConcurrency",
    "api",
    "scheduler",
    "compiler",
    "worker",
    "beat",
    "hooks",
    "tablesHook",
    "apiHooks",
    "flower",
    "postgresql",
    "redis",
    "rabbitmq-ha",
    "rabbitmq",
    "broker",
    "email",
    "ldap",
    "intervals",
    "metrics",
    "organizationKey",
    "ui",
    // 0.x platform seed.
    "persistence",
    "dirs",
    "mountPaths",
    "docker-registry",
    "registry",
    "resourcesDaemon",
    "secretRefs",
    "configmapRefs",
    "adminViewEnabled",
];

/// Top-level keys the ponos chart uses; every other key is refused under it,
/// since nothing would render it.
pub const PONOS_KEYS: &[&str] = &[
    "deploymentChart",
    "deploymentType",
    "DeploymentType",
    "deploymentVersion",
    "releaseName",
    "namespace",
    "ponos",
    "nodeSelector",
    "tolerations",
    "affinity",
    "imagePullSecrets",
    "labels",
    "annotations",
];

/// Looks a key up in a key list.
pub fn find<'a>(keys: &'a [Key], name: &str) -> Option<&'a Key> {
    keys.iter().find(|k| k.name == name)
}
