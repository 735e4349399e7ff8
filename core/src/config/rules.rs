//! Polyaxon's own rules across keys (`deployment.py`: `validate_deployment_chart`,
//! `validate_platform_deployment`, `wrong_agent_deployment_keys`,
//! `validate_connections`, `validate_security_context`), plus what this tool
//! needs per chart (agent credentials, the `ponos:` section).

use std::collections::HashMap;

use super::error::{ConfigError, Location, Problem};
use super::generation::{Generation, Rules};
use super::keys::{PLATFORM_ONLY, PONOS_KEYS};
use super::schema::{Chart, DeploymentConfig};
use super::tree::Node;

/// Checks the rules; every violation is reported.
pub fn check(config: &DeploymentConfig, root: &Node, rules: &Rules) -> Vec<ConfigError> {
    let mut out = Checks {
        root,
        errors: Vec::new(),
    };
    let chart = config.deployment_chart.unwrap_or(Chart::Platform);
    match chart {
        Chart::Platform => {
            out.platform(config);
            if rules.generation == Generation::V1 {
                out.no_agent_on_v1_platform(config);
            }
        }
        Chart::Agent => out.agent(config),
        Chart::Ponos => out.ponos(config),
    }
    if chart != Chart::Ponos && config.ponos.is_some() {
        out.push(
            &["ponos"],
            Problem::Rule("the `ponos` section is only used by `deploymentChart: ponos`".into()),
            "remove it, or set `deploymentChart: ponos`",
        );
    }
    out.connections(config);
    out.security_context(config);
    out.errors
}

struct Checks<'a> {
    root: &'a Node,
    errors: Vec<ConfigError>,
}

impl Checks<'_> {
    /// The place of a key path (trying the alternative spellings of the first
    /// key), falling back to its nearest present parent.
    fn locate(&self, path: &[&str]) -> Option<Location> {
        let first_spellings: &[&str] = match path.first() {
            Some(&"rabbitmq-ha") => &["rabbitmq-ha", "rabbitmq"],
            Some(&"docker-registry") => &["docker-registry", "registry"],
            Some(first) => std::slice::from_ref(first),
            None => return None,
        };
        for first in first_spellings {
            let mut full = vec![*first];
            full.extend_from_slice(&path[1..]);
            for len in (1..=full.len()).rev() {
                if let Some(entry) = self.root.entry_at(&full[..len]) {
                    return Some(entry.key_at.clone());
                }
            }
        }
        None
    }

    fn push(&mut self, path: &[&str], problem: Problem, valid: &str) {
        let location = self.locate(path);
        let shown = match path.first() {
            Some(&"rabbitmq-ha") if self.root.get("rabbitmq").is_some() => {
                let mut p = vec!["rabbitmq"];
                p.extend_from_slice(&path[1..]);
                p.join(".")
            }
            _ => path.join("."),
        };
        self.errors
            .push(ConfigError::new(shown, location, problem).valid(valid));
    }

    /// `validate_platform_deployment`: PostgreSQL, Redis/RabbitMQ and the broker.
    fn platform(&mut self, c: &DeploymentConfig) {
        let external = c.external_services.as_ref();
        let postgres_disabled = c.postgresql.as_ref().and_then(|p| p.enabled) == Some(false);
        if postgres_disabled && external.and_then(|e| e.postgresql.as_ref()).is_none() {
            self.push(
                &["postgresql", "enabled"],
                Problem::Rule(
                    "a PostgreSQL instance is required: the in-cluster one is disabled and no external one is given".into(),
                ),
                "`postgresql.enabled: true`, or `externalServices.postgresql` with host, port, user, password and database",
            );
        }

        let broker = c.broker.map(super::schema::Broker::as_str);
        let redis_enabled = c.redis.as_ref().and_then(|r| r.enabled) == Some(true);
        let redis_non_broker = c.redis.as_ref().and_then(|r| r.non_broker) == Some(true);
        let external_redis = external.and_then(|e| e.redis.as_ref()).is_some();
        if redis_enabled && external_redis {
            self.push(
                &["redis", "enabled"],
                Problem::Rule(
                    "Redis is both enabled in-cluster and given as an external service".into(),
                ),
                "either `redis.enabled: true` or `externalServices.redis`, not both",
            );
        }
        let redis_used = redis_enabled || external_redis;
        // Placed where Redis is set up: in-cluster, else the external one.
        let redis_at: &[&str] = if redis_enabled {
            &["redis"]
        } else {
            &["externalServices", "redis"]
        };
        if redis_used && broker != Some("redis") && !redis_non_broker {
            self.push(
                redis_at,
                Problem::Rule(format!(
                    "Redis is enabled but the broker is {}",
                    broker.map_or("not set (RabbitMQ by default)".to_string(), |b| format!(
                        "`{b}`"
                    ))
                )),
                "`broker: redis`, or `redis.nonBroker: true` to use Redis only as a cache",
            );
        }

        let rabbitmq_enabled = c.rabbitmq.as_ref().and_then(|r| r.enabled) == Some(true);
        let external_rabbitmq = external.and_then(|e| e.rabbitmq.as_ref()).is_some();
        if rabbitmq_enabled && external_rabbitmq {
            self.push(
                &["rabbitmq-ha", "enabled"],
                Problem::Rule(
                    "RabbitMQ is both enabled in-cluster and given as an external service".into(),
                ),
                "either `rabbitmq-ha.enabled: true` or `externalServices.rabbitmq`, not both",
            );
        }
        let rabbitmq_used = rabbitmq_enabled || external_rabbitmq;
        if rabbitmq_used && broker == Some("redis") {
            self.push(
                &["broker"],
                Problem::Rule("RabbitMQ is enabled but the broker is `redis`".into()),
                "`broker: rabbitmq`, or disable RabbitMQ",
            );
        }
        if rabbitmq_used && redis_used && !redis_non_broker {
            let rabbitmq_at: &[&str] = if rabbitmq_enabled {
                &["rabbitmq-ha"]
            } else {
                &["externalServices", "rabbitmq"]
            };
            self.push(
                rabbitmq_at,
                Problem::Rule(
                    "both RabbitMQ and Redis are set up as the broker; one is enough".into(),
                ),
                "disable one of them, or set `redis.nonBroker: true`",
            );
        }
        let needing: Vec<&str> = [
            ("scheduler", c.scheduler.as_ref().and_then(|s| s.enabled)),
            ("compiler", c.compiler.as_ref().and_then(|s| s.enabled)),
            ("worker", c.worker.as_ref().and_then(|s| s.enabled)),
            ("beat", c.beat.as_ref().and_then(|s| s.enabled)),
        ]
        .into_iter()
        .filter(|(_, enabled)| *enabled == Some(true))
        .map(|(name, _)| name)
        .collect();
        if !(needing.is_empty() || rabbitmq_used || redis_used) {
            let first = needing[0];
            self.push(
                &[first, "enabled"],
                Problem::Rule(format!(
                    "{} {} a broker, and none is set up",
                    needing
                        .iter()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    if needing.len() == 1 { "needs" } else { "need" }
                )),
                "`redis.enabled: true` with `broker: redis` (or `externalServices.redis`)",
            );
        }
    }

    /// 1.x: a platform deployment refuses an `agent` key unless
    /// `environment: staging` (Polyaxon 1.x `validate_deployment_chart`).
    fn no_agent_on_v1_platform(&mut self, c: &DeploymentConfig) {
        if c.agent.is_some() && c.environment.as_deref() != Some("staging") {
            self.push(
                &["agent"],
                Problem::Rule("the 1.x platform chart does not take an `agent` section".into()),
                "remove `agent`, or set `deploymentChart: agent`",
            );
        }
    }

    /// The agent chart: `agent` with instance and token (or `agentSecret`),
    /// and none of the platform's keys.
    fn agent(&mut self, c: &DeploymentConfig) {
        match &c.agent {
            None => self.push(
                &["deploymentChart"],
                Problem::Rule("the agent chart needs an `agent` section".into()),
                "`agent:` with `instance` and `token` (or the name of a Secret holding the token in `agentSecret`)",
            ),
            // Without the agent (`agent.enabled: false`, streams only) the
            // chart needs neither, as the renderer.
            Some(agent) if agent.enabled == Some(false) => {}
            Some(agent) => {
                if agent.instance.as_deref().is_none_or(str::is_empty) {
                    self.push(
                        &["agent", "instance"],
                        Problem::Rule("the agent chart needs `agent.instance`".into()),
                        "the agent instance from Polyaxon, `<owner>.agents.<uuid>`",
                    );
                }
                let has_token = agent.token.as_deref().is_some_and(|t| !t.is_empty());
                let has_secret = c.agent_secret.as_deref().is_some_and(|t| !t.is_empty());
                if !has_token && !has_secret {
                    self.push(
                        &["agent", "token"],
                        Problem::Rule("the agent chart needs `agent.token` or `agentSecret`".into()),
                        "the agent token, or `agentSecret: <name of a Secret holding it>`",
                    );
                }
            }
        }
        self.unused_keys(
            |key| PLATFORM_ONLY.contains(&key),
            "a platform setting; the agent chart does not use it",
            "remove it, or deploy the platform chart",
        );
    }

    /// The ponos chart: the `ponos` section with what the agent needs, and
    /// nothing the ponos chart would not render.
    fn ponos(&mut self, c: &DeploymentConfig) {
        let Some(ponos) = &c.ponos else {
            self.push(
                &["deploymentChart"],
                Problem::Rule("the ponos chart needs a `ponos` section".into()),
                "`ponos:` with url, farm_id, seed and kubernetes.pvc_name",
            );
            return;
        };
        let missing = |v: &Option<String>| v.as_deref().is_none_or(str::is_empty);
        for (key, value, what) in [
            ("url", &ponos.url, "the Arkindex URL"),
            ("farm_id", &ponos.farm_id, "the Ponos farm id"),
            ("seed", &ponos.seed, "the Ponos farm seed"),
        ] {
            if missing(value) {
                self.push(
                    &["ponos", key],
                    Problem::Rule(format!("the ponos chart needs `ponos.{key}`")),
                    what,
                );
            }
        }
        if ponos
            .kubernetes
            .as_ref()
            .is_none_or(|k| missing(&k.pvc_name))
        {
            self.push(
                &["ponos", "kubernetes", "pvc_name"],
                Problem::Rule("the ponos chart needs `ponos.kubernetes.pvc_name`".into()),
                "the name of the ReadWriteMany PersistentVolumeClaim holding the agent's data",
            );
        }
        self.unused_keys(
            |key| !PONOS_KEYS.contains(&key),
            "not used by the ponos chart",
            "remove it",
        );
    }

    /// Reports each top-level key (with a non-null value) that `unused` picks.
    fn unused_keys(&mut self, unused: impl Fn(&str) -> bool, why: &str, valid: &str) {
        let Some(entries) = self.root.value.as_map() else {
            return;
        };
        let found: Vec<(String, Location)> = entries
            .iter()
            .filter(|e| unused(&e.key) && !matches!(e.value.value, super::tree::Value::Null))
            .map(|e| (e.key.clone(), e.key_at.clone()))
            .collect();
        for (key, at) in found {
            self.errors.push(
                ConfigError::new(
                    key.clone(),
                    Some(at),
                    Problem::Rule(format!("`{key}` is {why}")),
                )
                .valid(valid),
            );
        }
    }

    /// `validate_connections`: names unique, the artifacts store included
    /// (found through an index: a list of many connections stays linear).
    fn connections(&mut self, c: &DeploymentConfig) {
        let mut seen: HashMap<String, String> = HashMap::new();
        if let Some(name) = c.artifacts_store.as_ref().and_then(|s| s.name.clone()) {
            seen.insert(name, "artifactsStore.name".into());
        }
        for (list, items) in [
            ("connections", &c.connections),
            ("notificationConnections", &c.notification_connections),
        ] {
            let written = self.root.get(list);
            for (i, connection) in items.iter().flatten().enumerate() {
                let Some(name) = connection.name.clone() else {
                    continue;
                };
                let here = format!("{list}[{i}].name");
                if let Some(first) = seen.get(&name) {
                    // The name is not repeated: the first place is enough to find it.
                    let error = ConfigError::new(
                        here,
                        written.and_then(|entry| item_location(entry, i)),
                        Problem::Rule(format!("the same connection name as {first}")),
                    )
                    .valid("a name unique among the connections and the artifacts store");
                    self.errors.push(error);
                } else {
                    seen.insert(name, here);
                }
            }
        }
    }

    /// `validate_security_context`: user and group both or neither.
    fn security_context(&mut self, c: &DeploymentConfig) {
        let Some(sc) = &c.security_context else {
            return;
        };
        if sc.run_as_user.is_some() != sc.run_as_group.is_some() {
            let (given, missing) = if sc.run_as_user.is_some() {
                ("runAsUser", "runAsGroup")
            } else {
                ("runAsGroup", "runAsUser")
            };
            let seed_spelling = |k: &str| if k == "runAsUser" { "user" } else { "group" };
            let path = if self.root.entry_at(&["securityContext", given]).is_some() {
                given
            } else {
                seed_spelling(given)
            };
            self.push(
                &["securityContext", path],
                Problem::Rule(format!(
                    "the security context needs both user and group, or neither: `{missing}` is missing"
                )),
                &format!(
                    "add `securityContext.{missing}` (or `{}`), or remove `{path}`",
                    seed_spelling(missing)
                ),
            );
        }
    }
}

/// Where item `index` of a written list is: its `name` key, else the item,
/// else the list's key.
fn item_location(entry: &super::tree::Entry, index: usize) -> Option<Location> {
    match &entry.value.value {
        super::tree::Value::Seq(items) => {
            let item = items.get(index)?;
            item.get("name")
                .map(|e| e.key_at.clone())
                .or_else(|| Some(item.at.clone()))
        }
        _ => Some(entry.key_at.clone()),
    }
}
