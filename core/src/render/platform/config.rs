//! The platform ConfigMap (`<fullname>-platform-config`): the admin user,
//! email, the Celery broker, intervals, where the database is, the external
//! backends and LDAP, as the chart's `platform-cm.yaml` of the pinned chart
//! version writes them (and the 0.x seed's keys, from `seed.rs`).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::backends::Backends;
use super::workers;
use crate::config::schema::{Broker, ExternalBackend, ExternalServices};
use crate::render::deps;
use crate::render::names;
use crate::render::values::{Values, as_text};

/// The data of the platform ConfigMap.
pub fn data(release: &str, values: &Values<'_>, backends: &Backends) -> BTreeMap<String, String> {
    let cfg = values.config;
    let mut data = BTreeMap::new();
    if let Some(hosts) = cfg.allowed_hosts.as_ref().filter(|h| !h.is_empty()) {
        data.insert("POLYAXON_ALLOWED_HOSTS".into(), json!(hosts).to_string());
    }
    admin(values, &mut data);
    email(values, &mut data);
    if workers::scheduler_enabled(values) {
        celery(values, backends, &mut data);
    }
    intervals(values, &mut data);
    database(values, backends, &mut data);
    let none = ExternalServices::default();
    let ext = cfg.external_services.as_ref().unwrap_or(&none);
    external_backends(release, values, ext, &mut data);
    ldap(values, &mut data);
    super::seed::config_keys(values, backends, &mut data);
    data
}

/// `metrics.enabled`: the chart's statsd exporter receives the platform's metrics.
pub fn metrics_enabled(values: &Values<'_>) -> bool {
    values
        .config
        .metrics
        .as_ref()
        .and_then(|m| m.get("enabled"))
        .and_then(Value::as_bool)
        == Some(true)
}

/// The admin user's name and email (default `rootuser`,
/// `rootuser@polyaxon.local`) and the password policy.
fn admin(values: &Values<'_>, data: &mut BTreeMap<String, String>) {
    let (name, email) = admin_user(values);
    data.insert("POLYAXON_ADMIN_NAME".into(), name);
    data.insert("POLYAXON_ADMIN_MAIL".into(), email);
    // `passwordLength` (default 8) is the length of the passwords the
    // platform generates; the template falls back to 6 for a zero.
    let length = match values.config.password_length.unwrap_or(8) {
        0 => 6,
        n => n,
    }
    .to_string();
    // Chart 2.0.6 renamed the key and added `passwordAuth`.
    if values.chart_version.at_least(2, 0, 6) {
        data.insert("POLYAXON_AUTH_PASSWORD_LENGTH".into(), length);
        data.insert(
            "POLYAXON_AUTH_PASSWORD_ENABLED".into(),
            values.config.password_auth.unwrap_or(true).to_string(),
        );
    } else {
        data.insert("POLYAXON_PASSWORD_LENGTH".into(), length);
    }
}

/// The admin user's name and email: `user.username` and `user.email`, else
/// the chart's `rootuser` and `rootuser@polyaxon.local`.
pub fn admin_user(values: &Values<'_>) -> (String, String) {
    let user = values.config.user.clone().unwrap_or_default();
    (
        user.username
            .filter(|u| !u.is_empty())
            .unwrap_or_else(|| "rootuser".into()),
        user.email
            .filter(|e| !e.is_empty())
            .unwrap_or_else(|| "rootuser@polyaxon.local".into()),
    )
}

/// Whether the platform sends emails: `email.enabled` only, as the chart
/// (a host alone does not turn it on).
pub fn email_enabled(values: &Values<'_>) -> bool {
    values.config.email.as_ref().and_then(|e| e.enabled) == Some(true)
}

/// The SMTP server (its password is in the platform Secret).
fn email(values: &Values<'_>, data: &mut BTreeMap<String, String>) {
    if !email_enabled(values) {
        return;
    }
    let email = values.config.email.clone().unwrap_or_default();
    let given = |v: Option<String>| v.filter(|v| !v.is_empty());
    if let Some(from) = given(email.from) {
        data.insert("POLYAXON_EMAIL_FROM".into(), from);
    }
    data.insert(
        "POLYAXON_EMAIL_HOST".into(),
        given(email.host).unwrap_or_else(|| "smtp".into()),
    );
    data.insert(
        "POLYAXON_EMAIL_PORT".into(),
        email.port.unwrap_or(25).to_string(),
    );
    data.insert(
        "POLYAXON_EMAIL_USE_TLS".into(),
        email.use_tls.unwrap_or(false).to_string(),
    );
    if let Some(user) = given(email.host_user) {
        data.insert("POLYAXON_EMAIL_HOST_USER".into(), user);
    }
    if let Some(backend) = given(email.backend) {
        data.insert("POLYAXON_EMAIL_BACKEND".into(), backend);
    }
}

/// The Celery broker the scheduler uses, and (before chart 2.3.0, which
/// moved them to `cronIntervals`) the scheduler's intervals.
fn celery(values: &Values<'_>, backends: &Backends, data: &mut BTreeMap<String, String>) {
    data.insert("POLYAXON_SCHEDULER_ENABLED".into(), "true".into());
    match deps::broker(values) {
        Broker::Redis => {
            if let Some(redis) = &backends.redis {
                let base = format!("{}:{}", redis.host, redis.port);
                data.insert("POLYAXON_BROKER_BACKEND".into(), "redis".into());
                for (key, db) in [
                    ("POLYAXON_REDIS_CELERY_BROKER_URL", 0),
                    ("POLYAXON_REDIS_CELERY_RESULT_BACKEND_URL", 1),
                    ("POLYAXON_REDIS_SESSIONS_URL", 2),
                    ("POLYAXON_REDIS_HEARTBEAT_URL", 3),
                ] {
                    data.insert(key.into(), format!("{base}/{db}"));
                }
                data.insert("POLYAXON_REDIS_HOST".into(), redis.host.clone());
                data.insert("POLYAXON_REDIS_PORT".into(), redis.port.to_string());
            }
        }
        Broker::Rabbitmq => {
            if let Some(rabbitmq) = &backends.rabbitmq {
                // The 1.x charts name no backend for RabbitMQ, their default.
                if values.chart_version.at_least(2, 0, 0) {
                    data.insert("POLYAXON_BROKER_BACKEND".into(), "rabbitmq".into());
                }
                data.insert(
                    "POLYAXON_AMQP_URL".into(),
                    format!("{}:{}", rabbitmq.host, rabbitmq.port),
                );
                data.insert(
                    "POLYAXON_RABBITMQ_USER".into(),
                    rabbitmq.user.clone().unwrap_or_default(),
                );
            }
        }
    }
    if !values.chart_version.at_least(2, 3, 0) {
        let intervals = values.config.intervals.clone().unwrap_or_default();
        for (key, value, default) in [
            (
                "POLYAXON_INTERVALS_RUNS_SCHEDULER",
                intervals.runs_scheduler,
                15,
            ),
            (
                "POLYAXON_INTERVALS_OPERATIONS_DEFAULT_RETRY_DELAY",
                intervals.operations_default_retry_delay,
                60,
            ),
            (
                "POLYAXON_INTERVALS_OPERATIONS_MAX_RETRY_DELAY",
                intervals.operations_max_retry_delay,
                3600,
            ),
        ] {
            data.insert(key.into(), value.unwrap_or(default).to_string());
        }
    }
}

/// The compatibility check interval (default 1800 seconds; from chart 2.3.0
/// a zero leaves it out) and, from 2.3.0, the cleaning intervals.
fn intervals(values: &Values<'_>, data: &mut BTreeMap<String, String>) {
    let check = values
        .config
        .intervals
        .as_ref()
        .and_then(|i| i.compatibility_check)
        .unwrap_or(1800);
    if check != 0 || !values.chart_version.at_least(2, 3, 0) {
        data.insert(
            "POLYAXON_INTERVALS_COMPATIBILITY_CHECK".into(),
            check.to_string(),
        );
    }
    if !values.chart_version.at_least(2, 3, 0) {
        return;
    }
    let Some(cleaning) = &values.config.cleaning_intervals else {
        return;
    };
    for (key, env) in [
        ("activityLogs", "POLYAXON_CLEANING_INTERVALS_ACTIVITY_LOGS"),
        ("notifications", "POLYAXON_CLEANING_INTERVALS_NOTIFICATIONS"),
        ("archives", "POLYAXON_CLEANING_INTERVALS_ARCHIVES"),
        ("deletion", "POLYAXON_CLEANING_INTERVALS_DELETION"),
    ] {
        if let Some(value) = cleaning.get(key).filter(|v| truthy(v)) {
            data.insert(env.into(), as_text(value));
        }
    }
}

/// Where the database is; its password is read from its Secret.
fn database(values: &Values<'_>, backends: &Backends, data: &mut BTreeMap<String, String>) {
    let db = &backends.db;
    for (key, value) in [
        ("POLYAXON_DB_USER", db.user.clone()),
        ("POLYAXON_DB_NAME", db.name.clone()),
        ("POLYAXON_DB_PORT", db.port.to_string()),
        ("POLYAXON_DB_CONN_MAX_AGE", db.conn_max_age.to_string()),
        ("POLYAXON_DB_ENGINE", "pgsql".to_string()),
        ("POLYAXON_DB_HOST", db.host.clone()),
    ] {
        data.insert(key.into(), value);
    }
    // The external database's options; the chart writes them even with
    // the in-cluster database.
    let options = db
        .options
        .as_ref()
        .or_else(|| {
            values
                .config
                .external_services
                .as_ref()
                .and_then(|e| e.postgresql.as_ref())
                .and_then(|p| p.options.as_ref())
        })
        .filter(|o| !o.is_empty());
    if let Some(options) = options {
        data.insert("POLYAXON_DB_OPTIONS".into(), json!(options).to_string());
    }
}

fn enabled(backend: &Option<ExternalBackend>) -> Option<&ExternalBackend> {
    backend.as_ref().filter(|b| b.enabled == Some(true))
}

fn backend_name(backend: &ExternalBackend) -> String {
    backend
        .backend
        .clone()
        .filter(|b| !b.is_empty())
        .unwrap_or_else(|| "default".into())
}

/// The analytics, transactions, metrics and errors backends (their options
/// are in the platform Secret); `metrics.enabled` points the metrics at the
/// chart's statsd exporter; the allowed CLI versions.
fn external_backends(
    release: &str,
    values: &Values<'_>,
    ext: &ExternalServices,
    data: &mut BTreeMap<String, String>,
) {
    if let Some(analytics) = enabled(&ext.analytics) {
        data.insert("POLYAXON_ANALYTICS_BACKEND".into(), backend_name(analytics));
        // The URL joined the analytics settings in chart 2.1.3.
        if values.chart_version.at_least(2, 1, 3) {
            data.insert(
                "POLYAXON_ANALYTICS_URL".into(),
                analytics.url.clone().unwrap_or_default(),
            );
        }
    }
    if let Some(transactions) = enabled(&ext.transactions) {
        data.insert(
            "POLYAXON_TRANSACTIONS_BACKEND".into(),
            backend_name(transactions),
        );
    }
    if metrics_enabled(values) {
        data.insert("POLYAXON_METRICS_BACKEND".into(), "statsd".into());
        data.insert(
            "POLYAXON_METRICS_OPTIONS".into(),
            json!({"host": names::component(release, "metrics"), "port": 9125}).to_string(),
        );
    } else if let Some(metrics) = enabled(&ext.metrics) {
        data.insert("POLYAXON_METRICS_BACKEND".into(), backend_name(metrics));
    }
    if let Some(errors) = enabled(&ext.errors) {
        data.insert("POLYAXON_ERRORS_BACKEND".into(), backend_name(errors));
    }
    if let Some(versions) = ext.allowed_versions.as_ref().filter(|v| !v.is_empty()) {
        data.insert(
            "POLYAXON_ALLOWED_VERSIONS".into(),
            json!(versions).to_string(),
        );
    }
}

/// Whether a free-form value counts as set in a template (`if`): not null,
/// false, zero or empty.
fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// LDAP, when `ldap.enabled`: the chart's keys, each from its setting (the
/// maps as JSON); the bind password is in the platform Secret.
fn ldap(values: &Values<'_>, data: &mut BTreeMap<String, String>) {
    let Some(ldap) = values
        .config
        .ldap
        .as_ref()
        .filter(|l| l.get("enabled") == Some(&json!(true)))
    else {
        return;
    };
    data.insert("POLYAXON_AUTH_LDAP".into(), "true".into());
    let text = |key: &str| ldap.get(key).filter(|v| !v.is_null()).map(as_text);
    let map = |key: &str| {
        ldap.get(key)
            .filter(|v| !v.is_null())
            .cloned()
            .unwrap_or_else(|| json!({}))
            .to_string()
    };
    for (key, env) in [
        ("serverUri", "SERVER_URI"),
        ("bindDN", "BIND_DN"),
        ("userSearchBaseDN", "USER_SEARCH_BASE_DN"),
        ("userSearchFilterStr", "USER_SEARCH_FILTERSTR"),
        ("userDNTemplate", "USER_DN_TEMPLATE"),
        ("groupSearchBaseDN", "GROUP_SEARCH_BASE_DN"),
        ("groupSearchGroupType", "GROUP_SEARCH_GROUP_TYPE"),
    ] {
        data.insert(
            format!("POLYAXON_AUTH_LDAP_{env}"),
            text(key).unwrap_or_default(),
        );
    }
    for (key, env) in [
        ("globalOptions", "GLOBAL_OPTIONS"),
        ("connectionOptions", "CONNECTION_OPTIONS"),
        ("userAttrMap", "USER_ATTR_MAP"),
    ] {
        data.insert(format!("POLYAXON_AUTH_LDAP_{env}"), map(key));
    }
    data.insert(
        "POLYAXON_AUTH_LDAP_START_TLS".into(),
        text("startTLS").unwrap_or_else(|| "false".into()),
    );
    for (key, env) in [
        ("requireGroup", "REQUIRE_GROUP"),
        ("denyGroup", "DENY_GROUP"),
    ] {
        if let Some(value) = ldap.get(key).filter(|v| truthy(v)) {
            data.insert(format!("POLYAXON_AUTH_LDAP_{env}"), as_text(value));
        }
    }
}
