//! `externalServices`: dependencies run outside the cluster, and the control
//! plane an agent connects to.

use serde::{Deserialize, Serialize};

use super::Dict;

/// `externalServices`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalServices {
    /// External Redis (then `redis.enabled` must not be true).
    pub redis: Option<ExternalService>,
    /// 1.x only (rejected by 2.18): external RabbitMQ.
    pub rabbitmq: Option<ExternalService>,
    /// External PostgreSQL (required when `postgresql.enabled: false`).
    pub postgresql: Option<ExternalService>,
    /// External gateway.
    pub gateway: Option<ExternalService>,
    /// The control plane the agent connects to (`host`, `port`), in the agent config.
    pub api: Option<ExternalService>,
    /// Transactions backend.
    pub transactions: Option<ExternalBackend>,
    /// Analytics backend.
    pub analytics: Option<ExternalBackend>,
    /// Metrics backend.
    pub metrics: Option<ExternalBackend>,
    /// Errors backend.
    pub errors: Option<ExternalBackend>,
    /// External auth providers.
    pub auth: Option<AuthServices>,
    /// Versions of the CLI the platform allows.
    pub allowed_versions: Option<Vec<String>>,
}

/// One external service.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalService {
    /// User name; kept in a Secret.
    pub user: Option<String>,
    /// Password; kept in a Secret.
    pub password: Option<String>,
    /// Host name or URL.
    pub host: Option<String>,
    /// Port (1–65535).
    pub port: Option<i64>,
    /// Database name (PostgreSQL).
    pub database: Option<String>,
    /// Use a password.
    pub use_password: Option<bool>,
    /// Django CONN_MAX_AGE.
    pub conn_max_age: Option<i64>,
    /// PgBouncer settings, as given.
    pub pgbouncer: Option<Dict>,
    /// Connection options, as given.
    pub options: Option<Dict>,
    /// Use the resolver.
    pub use_resolver: Option<bool>,
    /// Corporate proxy.
    pub corporate_proxy: Option<String>,
}

/// An external backend (`transactions`, `analytics`, …, and auth providers).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalBackend {
    /// Use it.
    pub enabled: Option<bool>,
    /// Backend name.
    pub backend: Option<String>,
    /// URL.
    pub url: Option<String>,
    /// Options, as given.
    pub options: Option<Dict>,
}

/// `externalServices.auth`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthServices {
    /// GitHub.
    pub github: Option<ExternalBackend>,
    /// GitLab.
    pub gitlab: Option<ExternalBackend>,
    /// Bitbucket.
    pub bitbucket: Option<ExternalBackend>,
    /// Google.
    pub google: Option<ExternalBackend>,
    /// SAML (1.x).
    pub saml: Option<ExternalBackend>,
    /// Okta (2.x).
    pub okta: Option<ExternalBackend>,
    /// OneLogin (2.x).
    pub onelogin: Option<ExternalBackend>,
    /// Azure AD (2.x).
    pub azuread: Option<ExternalBackend>,
}
