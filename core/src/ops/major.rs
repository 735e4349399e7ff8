//! An upgrade to a new major version of Polyaxon (1.x to 2.x): what the
//! person asked to confirm it is told, and the in-cluster database carried
//! over. The 1.x charts ship helm's `stable/postgresql` 8.2.1 (PostgreSQL 11),
//! the 2.x charts the bitnami chart (PostgreSQL 16): both name the
//! StatefulSet `<release>-postgresql` and its claim template `data`, so the
//! 2.x StatefulSet mounts the 1.x claim `data-<release>-postgresql-0`, but
//! its selector differs and it must be replaced. The 1.x Secret keeps the
//! password under `postgresql-password`, the 2.x one under `password` and
//! `postgres-password`: the value read from the live 1.x Secret is what the
//! 2.x Secret carries. The data files of PostgreSQL 11 are not those of 16:
//! the summary says so, and `docs/upgrade-1x-to-2x.md` has the dump and
//! restore around the upgrade.

use std::fmt;

use base64::Engine;
use k8s_openapi::api::core::v1::Secret;
use kube::Api;
use kube::Client;
use serde_json::Value;

use super::OpError;
use super::replace::Replaced;
use crate::apply::{Action, Plan};
use crate::release::{ReleaseRecord, restore_manifest};
use crate::render::{Manifest, ReleaseState};

/// The key of the PostgreSQL password in the 1.x charts' `stable/postgresql`
/// Secret (a test renders a 1.x config to keep this true).
pub(crate) const STABLE_PASSWORD_KEY: &str = "postgresql-password";

/// Where the docs say how to move the database's data between PostgreSQL
/// major versions.
pub const DATA_DOC: &str = "docs/upgrade-1x-to-2x.md";

/// What an upgrade to a new major version does, as the person confirming it
/// needs to know it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MajorUpgrade {
    /// Objects created (`Kind/name`), replacements aside.
    pub added: Vec<String>,
    /// Objects deleted once the new release is ready (`Kind/name`).
    pub removed: Vec<String>,
    /// Workloads deleted and created again, their claims kept (`Kind/name`).
    pub replaced: Vec<String>,
    /// Claims a replaced StatefulSet mounts again (same claim, same volume).
    pub claims_kept: Vec<String>,
    /// Claims a replaced StatefulSet no longer mounts (kept, not deleted).
    pub claims_unmounted: Vec<String>,
    /// The database password carried from the old Secret into the new one.
    pub password: Option<PasswordCarry>,
    /// PostgreSQL's major version before and after, when it changes.
    pub postgres_versions: Option<(u32, u32)>,
}

/// The in-cluster PostgreSQL password, read from the deployed Secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordCarry {
    /// The Secret it was read from.
    pub secret: String,
    /// Its key there.
    pub key: String,
    /// The keys of the new Secret that carry the same value; empty when the
    /// new config sets a password of its own.
    pub into: Vec<String>,
}

impl MajorUpgrade {
    /// The summary of `plan`, whose `replaced` workloads are recreated, and
    /// the password carried (if any) into `manifest`.
    pub(crate) fn of(
        plan: &Plan,
        replaced: &[Replaced],
        password: Option<(String, String)>,
        manifest: &Manifest,
    ) -> Self {
        let is_replaced = |id: &str| replaced.iter().any(|r| r.object.id() == id);
        let ids = |action: fn(&Action) -> bool| -> Vec<String> {
            let mut ids: Vec<String> = plan
                .items
                .iter()
                .filter(|i| action(&i.action))
                .map(|i| i.object.id())
                .filter(|id| !is_replaced(id))
                .collect();
            ids.sort();
            ids
        };
        let mut summary = MajorUpgrade {
            added: ids(|a| *a == Action::Create),
            removed: ids(|a| *a == Action::Delete),
            replaced: replaced.iter().map(|r| r.object.id()).collect(),
            ..MajorUpgrade::default()
        };
        for item in replaced.iter().filter(|r| r.object.kind == "StatefulSet") {
            let (kept, unmounted) = claims(&item.object.name, &item.live, &item.rendered);
            summary.claims_kept.extend(kept);
            summary.claims_unmounted.extend(unmounted);
            let majors = (postgres_major(&item.live), postgres_major(&item.rendered));
            if let (Some(from), Some(to)) = majors
                && from != to
            {
                summary.postgres_versions = Some((from, to));
            }
        }
        summary.password = password.map(|(secret, value)| PasswordCarry {
            into: keys_holding(manifest, &secret, &value),
            key: STABLE_PASSWORD_KEY.into(),
            secret,
        });
        summary
    }
}

impl fmt::Display for MajorUpgrade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |f: &mut fmt::Formatter<'_>, what: &str, ids: &[String]| {
            if ids.is_empty() {
                return Ok(());
            }
            writeln!(f, "  {what} ({}):", ids.len())?;
            ids.iter().try_for_each(|id| writeln!(f, "    {id}"))
        };
        list(f, "added", &self.added)?;
        list(f, "removed once the new version is ready", &self.removed)?;
        list(
            f,
            "replaced (deleted, then created again: their selectors or claim templates cannot change in place)",
            &self.replaced,
        )?;
        for claim in &self.claims_kept {
            writeln!(
                f,
                "  claim {claim} is kept and mounted again (same claim, same volume)"
            )?;
        }
        for claim in &self.claims_unmounted {
            writeln!(
                f,
                "  claim {claim} is kept but no longer mounted (the new StatefulSet names its claims otherwise)"
            )?;
        }
        if let Some(carry) = &self.password {
            if carry.into.is_empty() {
                writeln!(
                    f,
                    "  the new config sets its own PostgreSQL password: the database still has the one in Secret/{} key {} until it is changed there",
                    carry.secret, carry.key
                )?;
            } else {
                writeln!(
                    f,
                    "  the PostgreSQL password is carried over: Secret/{} key {} into key(s) {}",
                    carry.secret,
                    carry.key,
                    carry.into.join(", ")
                )?;
            }
        }
        if let Some((from, to)) = self.postgres_versions {
            writeln!(
                f,
                "  PostgreSQL {from} -> {to}: the claim is kept, but PostgreSQL {to} cannot read the data files of PostgreSQL {from}; dump the database before and restore it after ({DATA_DOC})"
            )?;
        }
        Ok(())
    }
}

/// The claims the live StatefulSet `name` has (claim template × ordinal)
/// that the rendered one mounts again, and those it does not.
fn claims(name: &str, live: &Value, rendered: &Value) -> (Vec<String>, Vec<String>) {
    let templates = |o: &Value| -> Vec<String> {
        o.pointer("/spec/volumeClaimTemplates")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|t| t.pointer("/metadata/name").and_then(Value::as_str))
            .map(str::to_string)
            .collect()
    };
    let replicas = |o: &Value| {
        o.pointer("/spec/replicas")
            .and_then(Value::as_i64)
            .unwrap_or(1)
    };
    let (after, after_replicas) = (templates(rendered), replicas(rendered));
    let mut kept = Vec::new();
    let mut unmounted = Vec::new();
    for template in templates(live) {
        for ordinal in 0..replicas(live) {
            let claim = format!("{template}-{name}-{ordinal}");
            if after.contains(&template) && ordinal < after_replicas {
                kept.push(claim);
            } else {
                unmounted.push(claim);
            }
        }
    }
    (kept, unmounted)
}

/// The major version of PostgreSQL a workload runs: its first container's
/// image, when that is a `postgresql` image with a numeric tag.
fn postgres_major(workload: &Value) -> Option<u32> {
    let image = workload
        .pointer("/spec/template/spec/containers/0/image")
        .and_then(Value::as_str)?;
    let (repository, tag) = image.rsplit_once(':')?;
    if !repository.ends_with("postgresql") || tag.contains('/') {
        return None;
    }
    let digits: String = tag.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// The keys of the Secret `secret` in `manifest` that hold `value`.
fn keys_holding(manifest: &Manifest, secret: &str, value: &str) -> Vec<String> {
    let Some(object) = manifest
        .resources()
        .find(|o| o.kind() == "Secret" && o.name() == secret)
    else {
        return Vec::new();
    };
    let entries = |field: &str| -> Vec<(String, String)> {
        object
            .object
            .data
            .get(field)
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
            .collect()
    };
    let decoded = entries("data").into_iter().filter_map(|(k, v)| {
        let bytes = base64::engine::general_purpose::STANDARD.decode(v).ok()?;
        Some((k, String::from_utf8(bytes).ok()?))
    });
    let mut keys: Vec<String> = decoded
        .chain(entries("stringData"))
        .filter(|(_, v)| v == value)
        .map(|(k, _)| k)
        .collect();
    keys.sort();
    keys
}

/// The in-cluster PostgreSQL password of a 1.x revision, read from the live
/// Secret its manifest rendered (the `stable/postgresql` Secret): its name
/// and value, or `None` when that revision had no such Secret or it is gone.
pub(crate) async fn stable_postgres_password(
    client: &Client,
    current: &ReleaseRecord,
) -> Result<Option<(String, String)>, OpError> {
    let manifest = restore_manifest(&current.manifest);
    let Some(name) = manifest
        .resources()
        .find(|o| {
            o.kind() == "Secret"
                && o.object
                    .data
                    .get("data")
                    .and_then(|d| d.get(STABLE_PASSWORD_KEY))
                    .is_some()
        })
        .map(|o| o.name().to_string())
    else {
        return Ok(None);
    };
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &current.namespace);
    let live = secrets
        .get_opt(&name)
        .await
        .map_err(|source| OpError::Api {
            action: format!(
                "read Secret/{name} in namespace {} (the database password to carry over)",
                current.namespace
            ),
            source: Box::new(source),
        })?;
    let value = live
        .and_then(|s| s.data)
        .and_then(|d| d.get(STABLE_PASSWORD_KEY).cloned())
        .and_then(|v| String::from_utf8(v.0).ok())
        .filter(|v| !v.is_empty());
    Ok(value.map(|v| (name, v)))
}

/// `state` with the database password carried from the deployed Secret.
pub(crate) fn carry_password(state: &mut ReleaseState, password: Option<&(String, String)>) {
    if let Some((_, value)) = password {
        state.postgres_password = value.clone();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Deployment, LoadOptions, load_texts};
    use crate::render::render;
    use serde_json::json;

    const CONFIG: &str = "deploymentChart: platform\nnamespace: plx\n\
        postgresql:\n  enabled: true\n  persistence:\n    enabled: true\n    size: 10Gi\n";

    fn rendered(version: &str) -> Manifest {
        let text = format!("deploymentVersion: {version}\n{CONFIG}");
        let deployment: Deployment =
            load_texts(&[("config.yml", text.as_str())], &LoadOptions::default()).unwrap();
        let mut state = ReleaseState::new_for(&deployment.release_name);
        state.postgres_password = "carried".into();
        render(&deployment, &state).unwrap()
    }

    fn statefulset(manifest: &Manifest) -> Value {
        manifest
            .resources()
            .find(|o| o.kind() == "StatefulSet" && o.name() == "polyaxon-postgresql")
            .map(|o| o.object.data.clone())
            .unwrap()
    }

    #[test]
    fn the_2x_postgresql_mounts_the_claim_of_the_1x_one_and_must_be_replaced() {
        let (old, new) = (rendered("1.14.0"), rendered("2.15.1"));
        let (live, next) = (statefulset(&old), statefulset(&new));
        assert_eq!(
            claims("polyaxon-postgresql", &live, &next),
            (vec!["data-polyaxon-postgresql-0".to_string()], vec![])
        );
        assert_eq!(
            crate::helm::immutable::recreate("StatefulSet", &live, &next),
            crate::helm::immutable::Recreate::WithPods
        );
        assert_eq!(
            (postgres_major(&live), postgres_major(&next)),
            (Some(11), Some(16))
        );
    }

    #[test]
    fn the_1x_secret_keeps_the_password_under_the_key_carried_from() {
        let old = rendered("1.14.0");
        assert_eq!(
            keys_holding(&old, "polyaxon-postgresql", "carried"),
            [STABLE_PASSWORD_KEY]
        );
        let new = rendered("2.15.1");
        assert_eq!(
            keys_holding(&new, "polyaxon-postgresql", "carried"),
            ["password", "postgres-password"]
        );
    }

    #[test]
    fn the_summary_names_what_is_added_removed_replaced_and_the_database_steps() {
        let live = json!({"spec": {"replicas": 1,
            "volumeClaimTemplates": [{"metadata": {"name": "data"}}],
            "template": {"spec": {"containers": [{"image": "docker.io/bitnami/postgresql:11.6.0-debian-10-r5"}]}}}});
        let next = json!({"spec": {"replicas": 1,
            "volumeClaimTemplates": [{"metadata": {"name": "data"}}],
            "template": {"spec": {"containers": [{"image": "docker.io/bitnamilegacy/postgresql:16.4.0-debian-12-r11"}]}}}});
        let object = |kind: &str, name: &str| crate::release::ObjectRef {
            stage: crate::render::Stage::Workloads,
            api_version: "apps/v1".into(),
            kind: kind.into(),
            plural: format!("{}s", kind.to_lowercase()),
            namespace: Some("plx".into()),
            name: name.into(),
        };
        let item = |kind: &str, name: &str, action: Action| crate::apply::PlannedObject {
            object: object(kind, name),
            action,
            rendered: None,
        };
        let plan = Plan {
            items: vec![
                item("Deployment", "agent", Action::Create),
                item("StatefulSet", "polyaxon-postgresql", Action::Create),
                item("Deployment", "streams", Action::Delete),
                item("Deployment", "api", Action::Change(vec!["spec".into()])),
            ],
        };
        let replaced = [Replaced {
            object: object("StatefulSet", "polyaxon-postgresql"),
            how: crate::helm::immutable::Recreate::WithPods,
            live,
            rendered: next,
        }];
        let summary = MajorUpgrade::of(
            &plan,
            &replaced,
            Some(("polyaxon-postgresql".into(), "carried".into())),
            &rendered("2.15.1"),
        );
        assert_eq!(summary.added, ["Deployment/agent"]);
        assert_eq!(summary.removed, ["Deployment/streams"]);
        assert_eq!(summary.replaced, ["StatefulSet/polyaxon-postgresql"]);
        assert_eq!(summary.claims_kept, ["data-polyaxon-postgresql-0"]);
        assert_eq!(summary.postgres_versions, Some((11, 16)));
        let text = summary.to_string();
        for words in [
            "removed once the new version is ready (1)",
            "claim data-polyaxon-postgresql-0 is kept",
            "key postgresql-password into key(s) password, postgres-password",
            "PostgreSQL 11 -> 16",
            DATA_DOC,
        ] {
            assert!(text.contains(words), "no {words:?} in:\n{text}");
        }
    }
}
