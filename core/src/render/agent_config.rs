//! The agent config (`<fullname>-agent-config`, both charts'
//! `agent-cm.yaml`): what the agent and operator run with and hand to runs;
//! and the agent token's Secret (`<fullname>-agent-secret`), copied into each
//! additional namespace the agent manages.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::RenderError;
use super::common::{Names, agent_secret_name, agent_token, config_map, secret};
use super::connections;
use super::ctx::Ctx;
use super::names;
use super::pod::Scheduling;
use super::values::{Values, merge_values};
use crate::config::Generation;
use crate::config::schema::Chart;

/// What runs use when `resources` of a helper container says nothing: the
/// same for `init`, `sidecar`, `cleaner` and `notifier` in every chart.
fn helper_resources() -> Value {
    json!({
        "limits": {"cpu": "1000m", "memory": "2000Mi"},
        "requests": {"cpu": "100m", "memory": "100Mi"},
    })
}

/// A helper container setting (`init`, `sidecar`, `notifier`, `cleaner`)
/// as the agent config hands it to runs: the config over the chart's values
/// (image, the pinned version as tag, `IfNotPresent`, the resources, and
/// for the sidecar its 10 s sleep and sync intervals).
fn helper_json(given: Value, default_image: &str, version: &str, sidecar: bool) -> Value {
    let mut defaults = json!({
        "image": default_image,
        "imageTag": version,
        "imagePullPolicy": "IfNotPresent",
        "resources": helper_resources(),
    });
    if sidecar && let Some(map) = defaults.as_object_mut() {
        map.insert("sleepInterval".into(), 10.into());
        map.insert("syncInterval".into(), 10.into());
    }
    merge_values(defaults, given)
}

/// The operators whose switches the agent config always writes (`"false"`
/// unless on), from chart 2.1.0: Kubeflow's and Dask/Ray jobs; from 2.12.0
/// Dask and Ray clusters instead of jobs, and no Paddle, XGBoost, MXNet or
/// Spark. Before 2.1.0 only the switches turned on are written.
fn operator_switches(values: &Values<'_>) -> Vec<(&'static str, Option<bool>)> {
    let ops = values.config.operators.clone().unwrap_or_default();
    if values.chart_version.at_least(2, 12, 0) {
        return vec![
            ("POLYAXON_TFJOB_ENABLED", ops.tfjob),
            ("POLYAXON_PYTORCH_JOB_ENABLED", ops.pytorchjob),
            ("POLYAXON_MPIJOB_ENABLED", ops.mpijob),
            ("POLYAXON_DASK_CLUSTER_ENABLED", ops.daskcluster),
            ("POLYAXON_RAY_CLUSTER_ENABLED", ops.raycluster),
        ];
    }
    vec![
        ("POLYAXON_TFJOB_ENABLED", ops.tfjob),
        ("POLYAXON_PYTORCH_JOB_ENABLED", ops.pytorchjob),
        ("POLYAXON_PADDLE_JOB_ENABLED", ops.paddlejob),
        ("POLYAXON_XGBOOST_JOB_ENABLED", ops.xgbjob),
        ("POLYAXON_MXJOB_ENABLED", ops.mxjob),
        ("POLYAXON_MPIJOB_ENABLED", ops.mpijob),
        ("POLYAXON_SPARK_JOB_ENABLED", ops.sparkjob),
        ("POLYAXON_DASK_JOB_ENABLED", ops.daskjob),
        ("POLYAXON_RAY_JOB_ENABLED", ops.rayjob),
    ]
}

/// The agent ConfigMap and, with a token, the agent Secret (the token is
/// only ever in a Secret), each as the charts render them.
pub fn render_agent_config(
    ctx: &mut Ctx<'_>,
    values: &Values<'_>,
    n: &Names,
    scheduling: &Scheduling,
) -> Result<(), RenderError> {
    if !super::agent::agent_config_rendered(values) {
        return Ok(());
    }
    let data = agent_config(ctx, values, n, scheduling);
    ctx.push(
        super::Stage::Config,
        &config_map(ctx, &n.agent_config, data),
    )?;
    render_agent_secret(ctx, values, n)
}

/// The agent token's Secret, when the config has a token and names no
/// `agentSecret`: in the release's namespace and, from chart 2.1.0, in each
/// of `agent.additionalNamespaces`, where the agent runs too.
fn render_agent_secret(
    ctx: &mut Ctx<'_>,
    values: &Values<'_>,
    n: &Names,
) -> Result<(), RenderError> {
    if values
        .config
        .agent_secret
        .as_deref()
        .is_some_and(|s| !s.is_empty())
    {
        return Ok(());
    }
    let Some(token) = agent_token(values) else {
        return Ok(());
    };
    let data = BTreeMap::from([("POLYAXON_AUTH_TOKEN".to_string(), token.to_string())]);
    let object = secret(ctx, &n.agent_secret, data);
    ctx.push(super::Stage::Config, &object)?;
    if values.chart_version.at_least(2, 1, 0) {
        for namespace in additional_namespaces(values) {
            let mut copy = object.clone();
            copy.metadata.namespace = Some(namespace);
            ctx.push(super::Stage::Config, &copy)?;
        }
    }
    Ok(())
}

/// `agent.additionalNamespaces`, default none.
pub fn additional_namespaces(values: &Values<'_>) -> Vec<String> {
    values
        .config
        .agent
        .as_ref()
        .and_then(|a| a.additional_namespaces.clone())
        .unwrap_or_default()
}

/// The agent config's data.
fn agent_config(
    ctx: &Ctx<'_>,
    values: &Values<'_>,
    n: &Names,
    scheduling: &Scheduling,
) -> BTreeMap<String, String> {
    let cfg = values.config;
    let agent = cfg.agent.clone().unwrap_or_default();
    let json = |v: &Value| v.to_string();
    let b = |v: bool| v.to_string();
    let mut data = BTreeMap::from([
        ("POLYAXON_K8S_IN_CLUSTER".to_string(), b(true)),
        ("POLYAXON_SET_AGENT".to_string(), b(true)),
        (
            "POLYAXON_AGENT_ARTIFACTS_STORE".to_string(),
            json(&connections::to_json(&connections::artifacts_store(values))),
        ),
        // `operator.maxConcurrentReconciles: 8` in every chart's values.
        (
            "POLYAXON_MAX_CONCURRENT_RECONCILES".to_string(),
            "8".to_string(),
        ),
    ]);
    // Chart 1.14.3 adds the runs' default scheduling, cleaner and notifier.
    let runs_helpers = values.chart_version.at_least(1, 14, 3);
    if runs_helpers {
        data.insert(
            "POLYAXON_AGENT_DEFAULT_SCHEDULING".into(),
            json(&run_scheduling(values, scheduling)),
        );
    }
    if values.chart_version.at_least(2, 1, 0) {
        let namespaces = additional_namespaces(values);
        data.insert(
            "POLYAXON_WATCH_CLUSTER".into(),
            b(agent.watch_cluster.unwrap_or(false)),
        );
        data.insert("POLYAXON_SINGLE_NAMESPACE".into(), b(namespaces.is_empty()));
        data.insert(
            "POLYAXON_ADDITIONAL_NAMESPACES".into(),
            json(&json!(namespaces)),
        );
    }
    for (key, setting, default_image, sidecar) in [
        (
            "POLYAXON_AGENT_SIDECAR",
            serde_json::to_value(&cfg.sidecar),
            "polyaxon/polyaxon-sidecar",
            true,
        ),
        (
            "POLYAXON_AGENT_INIT",
            serde_json::to_value(&cfg.init),
            "polyaxon/polyaxon-init",
            false,
        ),
        (
            "POLYAXON_AGENT_CLEANER",
            serde_json::to_value(&cfg.cleaner),
            "polyaxon/polyaxon-init",
            false,
        ),
        (
            "POLYAXON_AGENT_NOTIFIER",
            serde_json::to_value(&cfg.notifier),
            "polyaxon/polyaxon-events-handlers",
            false,
        ),
    ] {
        if !runs_helpers && matches!(key, "POLYAXON_AGENT_CLEANER" | "POLYAXON_AGENT_NOTIFIER") {
            continue;
        }
        let setting = helper_json(
            setting.unwrap_or_default(),
            default_image,
            &ctx.version,
            sidecar,
        );
        data.insert(key.into(), json(&setting));
    }
    if let Some(instance) = agent.instance.clone().filter(|i| !i.is_empty()) {
        data.insert("POLYAXON_AGENT_INSTANCE".into(), instance);
    }
    let connections: Vec<Value> = connections::connections(values)
        .iter()
        .map(connections::to_json)
        .collect();
    if !connections.is_empty() {
        data.insert(
            "POLYAXON_AGENT_CONNECTIONS".into(),
            json(&Value::Array(connections)),
        );
    }
    let notifiers: Vec<Value> = cfg
        .notification_connections
        .iter()
        .flatten()
        .map(connections::to_json)
        .collect();
    if !notifiers.is_empty() {
        data.insert(
            "POLYAXON_AGENT_NOTIFICATION_CONNECTIONS".into(),
            json(&Value::Array(notifiers)),
        );
    }
    let pull_secrets = cfg
        .default_image_pull_secrets
        .clone()
        .or_else(|| agent.image_pull_secrets.clone())
        .or_else(|| cfg.image_pull_secrets.clone())
        .unwrap_or_default();
    if !pull_secrets.is_empty() {
        data.insert(
            "POLYAXON_AGENT_DEFAULT_IMAGE_PULL_SECRETS".into(),
            json(&json!(pull_secrets)),
        );
    }
    if values.rbac() {
        data.insert(
            "POLYAXON_AGENT_RUNS_SA".into(),
            names::component(ctx.release, "runs-sa"),
        );
    }
    if let Some(name) = agent_secret_name(values, n) {
        data.insert("POLYAXON_AGENT_SECRET_NAME".into(), name);
    }
    if agent.is_replica == Some(true) {
        data.insert("POLYAXON_AGENT_IS_REPLICA".into(), b(true));
    }
    // 1.x only: its charts always write it (`agent.compressedLogs: false`).
    if values.generation == Generation::V1 {
        data.insert(
            "POLYAXON_AGENT_COMPRESSED_LOGS".into(),
            b(agent.compressed_logs.unwrap_or(false)),
        );
    }
    if values.chart_version.at_least(2, 8, 1) {
        data.insert(
            "POLYAXON_ENABLE_STATUS_FINALIZERS".into(),
            b(agent.enable_status_finalizers.unwrap_or(true)),
        );
        data.insert(
            "POLYAXON_ENABLE_LOGS_FINALIZERS".into(),
            b(agent.enable_logs_finalizers.unwrap_or(false)),
        );
    }
    if values.chart == Chart::Agent && values.generation == Generation::V2 {
        // `agent.executorRefreshInterval: 300` in the 2.x agent chart's values.
        data.insert(
            "POLYAXON_AGENT_EXECUTOR_REFRESH_INTERVAL".into(),
            "300".into(),
        );
    }
    let always = values.chart_version.at_least(2, 1, 0);
    for (key, on) in operator_switches(values) {
        let on = on.unwrap_or(false);
        if on || always {
            data.insert(key.into(), b(on));
        }
    }
    if let Some(proxy) = cfg.proxy.as_ref().filter(|p| p.enabled == Some(true)) {
        data.insert(
            "POLYAXON_AGENT_USE_PROXY_ENV_VARS_IN_OPS".into(),
            b(proxy.use_in_ops.unwrap_or(false)),
        );
    }
    if values.chart != Chart::Platform {
        data.extend(refs(values));
    }
    data
}

/// 0.x seed `secretRefs`/`configmapRefs`: names of Secrets and ConfigMaps
/// handed to runs (the platform config for the platform, the agent config otherwise).
pub fn refs(values: &Values<'_>) -> BTreeMap<String, String> {
    let mut data = BTreeMap::new();
    if let Some(refs) = values.config.secret_refs.as_ref().filter(|r| !r.is_empty()) {
        data.insert("POLYAXON_REFS_SECRETS".into(), json!(refs).to_string());
    }
    if let Some(refs) = values
        .config
        .configmap_refs
        .as_ref()
        .filter(|r| !r.is_empty())
    {
        data.insert("POLYAXON_REFS_CONFIG_MAPS".into(), json!(refs).to_string());
    }
    data
}

/// The scheduling handed to runs: `defaultScheduling` if given, else the
/// agent's own (as the charts), plus the 0.x per-role split
/// (`experiments`, `jobs`, `builds`, `tensorboards`) under those keys.
fn run_scheduling(values: &Values<'_>, agent: &Scheduling) -> Value {
    use crate::config::schema::{AffinitySetting, TolerationsSetting};
    let cfg = values.config;
    let mut out = match &cfg.default_scheduling {
        Some(d) => serde_json::to_value(d)
            .map(|v| match v {
                Value::Object(m) => {
                    Value::Object(m.into_iter().filter(|(_, v)| !v.is_null()).collect())
                }
                other => other,
            })
            .unwrap_or_default(),
        None => agent.to_json(),
    };
    let Value::Object(map) = &mut out else {
        return out;
    };
    let mut roles: BTreeMap<&str, serde_json::Map<String, Value>> = BTreeMap::new();
    // Each by-role setting (`nodeSelectors`, `tolerations`, `affinity`) has
    // the same four run roles.
    macro_rules! by_role {
        ($by:expr, $key:literal) => {
            for (role, v) in [
                ("experiments", &$by.experiments),
                ("jobs", &$by.jobs),
                ("builds", &$by.builds),
                ("tensorboards", &$by.tensorboards),
            ] {
                if let Some(v) = v {
                    roles
                        .entry(role)
                        .or_default()
                        .insert($key.into(), serde_json::to_value(v).unwrap_or_default());
                }
            }
        };
    }
    if let Some(by) = &cfg.node_selectors {
        by_role!(by, "nodeSelector");
    }
    if let Some(TolerationsSetting::ByRole(by)) = &cfg.tolerations {
        by_role!(by, "tolerations");
    }
    if let Some(AffinitySetting::ByRole(by)) = &cfg.affinity {
        by_role!(by, "affinity");
    }
    for (role, scheduling) in roles {
        map.insert(role.into(), Value::Object(scheduling));
    }
    out
}
