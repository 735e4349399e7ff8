//! A release helm installed (the Python CLI's `polyaxon admin deploy`), as
//! every command finds it when this tool has no record of the release: what
//! it is, whether helm left it pending, its history as this tool's records,
//! the objects helm's manifests list, and retiring helm's records once this
//! tool has taken it over.

use std::time::Duration;

use k8s_openapi::api::core::v1::{ConfigMap, PersistentVolumeClaim, Secret};
use k8s_openapi::jiff::Timestamp;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams};
use kube::{Client, ResourceExt};

use super::OpError;
use crate::apply::FIELD_MANAGER;
use crate::config::{self, LoadOptions};
use crate::helm::manifest::{Resolver, documents};
use crate::helm::ownership::HELM_MANAGED_BY;
use crate::helm::{HelmRelease, HelmStatus, Storage, StoredRevision, revisions};
use crate::release::{
    HelmOrigin, ObjectRef, ReleaseRecord, ReleaseRef, RevisionContent, Status, store_manifest,
};
use crate::render::labels::{INSTANCE, MANAGED_BY, MANAGER};
use crate::render::{self, ReleaseState};

/// Why a release helm installed cannot be acted on as asked.
#[derive(Debug, thiserror::Error)]
pub enum HelmError {
    /// `deploy` of a release helm installed.
    #[error(
        "release {release} in namespace {namespace} was installed by helm ({chart} {version}, helm revision {revision}, {status}); `polyaxon upgrade -f <config>` takes it over from helm"
    )]
    InstalledByHelm {
        /// The release.
        release: String,
        /// Its namespace.
        namespace: String,
        /// helm's chart name.
        chart: String,
        /// The chart version.
        version: String,
        /// helm's revision.
        revision: u32,
        /// helm's status.
        status: String,
    },
    /// helm left the release in the middle of an operation.
    #[error(
        "helm left release {release} {status} (helm revision {revision}, {age}); another helm operation may still be running: confirm (--yes) to proceed anyway"
    )]
    Pending {
        /// The release.
        release: String,
        /// `pending-install`, `pending-upgrade`, `pending-rollback`.
        status: String,
        /// helm's revision.
        revision: u32,
        /// How long ago helm started it.
        age: String,
    },
    /// helm's records cannot be read.
    #[error("helm's record {object} cannot be read: {reason}")]
    Unreadable {
        /// The record object.
        object: String,
        /// Why.
        reason: String,
    },
    /// The config deploys another chart than helm's release runs.
    #[error(
        "release {release} runs helm's chart {helm_chart}; the config deploys the {chart} chart (set deploymentChart to {expected})"
    )]
    OtherChart {
        /// The release.
        release: String,
        /// helm's chart.
        helm_chart: String,
        /// The config's chart.
        chart: String,
        /// The chart the config should name.
        expected: String,
    },
    /// Workloads whose selectors differ from helm's: they must be recreated.
    #[error(
        "these workloads must be deleted and created again (their selectors changed, and selectors cannot be changed in place): {}; confirm (--yes) to proceed",
        objects.join(", ")
    )]
    Recreate {
        /// The workloads.
        objects: Vec<String>,
    },
    /// A revision helm made whose config this tool cannot render.
    #[error(
        "revision {revision} was made by helm and its config does not render with this tool: {reason}"
    )]
    NotRenderable {
        /// The revision.
        revision: u32,
        /// Why.
        reason: String,
    },
}

/// A release helm installed: its readable revisions, oldest first, and the
/// record objects helm keeps them in.
#[derive(Debug)]
pub struct HelmFound {
    /// Every record, oldest first.
    pub stored: Vec<StoredRevision>,
    /// The revision that describes the release now (helm's `status`): the
    /// newest readable one.
    pub current: HelmRelease,
}

impl HelmFound {
    /// The readable revisions, oldest first.
    pub fn readable(&self) -> Vec<&HelmRelease> {
        self.stored
            .iter()
            .filter_map(|s| s.release.as_ref().ok())
            .collect()
    }

    /// The revision helm last deployed successfully, if any.
    pub fn last_deployed(&self) -> Option<&HelmRelease> {
        self.readable()
            .into_iter()
            .rev()
            .find(|r| matches!(r.status, HelmStatus::Deployed | HelmStatus::Superseded))
    }

    /// `deploy` refuses: the release is helm's.
    pub fn installed(&self, target: &ReleaseRef) -> HelmError {
        let current = &self.current;
        HelmError::InstalledByHelm {
            release: target.release.clone(),
            namespace: target.namespace.clone(),
            chart: current.chart.clone(),
            version: current.chart_version.clone(),
            revision: current.revision,
            status: current.status.to_string(),
        }
    }

    /// Refuses a release helm left pending unless `confirmed`.
    pub fn check_pending(&self, confirmed: bool) -> Result<(), HelmError> {
        let current = &self.current;
        match &current.status {
            HelmStatus::Pending(status) if !confirmed => Err(HelmError::Pending {
                release: current.name.clone(),
                status: status.clone(),
                revision: current.revision,
                age: age_text(current.last_deployed.as_deref()),
            }),
            _ => Ok(()),
        }
    }

    /// The chart of this tool that helm's chart is.
    pub fn chart(&self) -> &'static str {
        our_chart(&self.current.chart)
    }

    /// Refuses a config of another chart than helm's release runs.
    pub fn check_chart(&self, target: &ReleaseRef, chart: &str) -> Result<(), HelmError> {
        if self.chart() == chart {
            return Ok(());
        }
        Err(HelmError::OtherChart {
            release: target.release.clone(),
            helm_chart: self.current.chart.clone(),
            chart: chart.to_string(),
            expected: self.chart().to_string(),
        })
    }

    /// The objects helm's manifests list that exist as kinds on the cluster:
    /// of the current revision and, when it is pending or failed, of the last
    /// deployed one too (an interrupted upgrade may have applied part of it).
    pub async fn inventory(&self, client: &Client, all: bool) -> Result<Vec<ObjectRef>, OpError> {
        let current = &self.current;
        let mut sources: Vec<&HelmRelease> = if all { self.readable() } else { vec![current] };
        if !all && current.status != HelmStatus::Deployed {
            sources.extend(self.last_deployed());
        }
        let mut resolver = Resolver::default();
        let mut out = Vec::new();
        for release in sources {
            out.extend(references(client, &mut resolver, release).await?);
        }
        out.sort();
        out.dedup();
        Ok(out)
    }

    /// helm's revisions as this tool's records, without rendering them (what
    /// `status` and `history` show of a release helm still holds).
    pub fn records(&self, state: &ReleaseState) -> Vec<ReleaseRecord> {
        self.stored
            .iter()
            .filter_map(|s| Some(record(s, s.release.as_ref().ok()?, state, false)))
            .collect()
    }

    /// Deletes helm's records of the release: helm no longer lists it.
    pub async fn retire(&self, client: &Client, namespace: &str) -> Result<(), OpError> {
        let secrets: Api<Secret> = Api::namespaced(client.clone(), namespace);
        let config_maps: Api<ConfigMap> = Api::namespaced(client.clone(), namespace);
        for stored in &self.stored {
            let deleted = match stored.storage {
                Storage::Secret => secrets
                    .delete(&stored.object, &DeleteParams::default())
                    .await
                    .map(|_| ()),
                Storage::ConfigMap => config_maps
                    .delete(&stored.object, &DeleteParams::default())
                    .await
                    .map(|_| ()),
            };
            match deleted {
                Ok(()) => {}
                Err(kube::Error::Api(status)) if status.code == 404 => {}
                Err(source) => {
                    return Err(OpError::Api {
                        action: format!(
                            "delete helm's record {} {}",
                            stored.storage.kind(),
                            stored.object
                        ),
                        source: Box::new(source),
                    });
                }
            }
        }
        Ok(())
    }

    /// helm's revisions as this tool's records, each rendered from its
    /// config with `state` (so a rollback to it applies what it describes)
    /// and listing the objects of helm's manifest; helm's record is kept in
    /// each. A config that does not render leaves the manifest empty.
    pub async fn import(
        &self,
        client: &Client,
        target: &ReleaseRef,
        state: &ReleaseState,
    ) -> Result<Vec<ReleaseRecord>, OpError> {
        let mut resolver = Resolver::default();
        let mut out = Vec::new();
        for stored in &self.stored {
            let Ok(release) = &stored.release else {
                continue;
            };
            let mut record = record(stored, release, state, true);
            record.inventory = references(client, &mut resolver, release).await?;
            if let Ok(manifest) = render_config(target, release, state) {
                record.manifest = store_manifest(&manifest);
            }
            out.push(record);
        }
        Ok(out)
    }
}

/// The release helm installed as `target`, when helm has a readable record
/// of it that is not uninstalled. `None` when helm never installed it.
pub async fn find(client: &Client, target: &ReleaseRef) -> Result<Option<HelmFound>, OpError> {
    let stored = revisions(client, &target.namespace, &target.release)
        .await
        .map_err(|e| OpError::Api {
            action: format!(
                "list helm's records of release {} in namespace {}",
                e.release, e.namespace
            ),
            source: Box::new(e.source),
        })?;
    if stored.is_empty() {
        return Ok(None);
    }
    let Some(current) = crate::helm::current(&stored).cloned() else {
        let broken = &stored[stored.len() - 1];
        return Err(OpError::from(HelmError::Unreadable {
            object: broken.object.clone(),
            reason: broken
                .release
                .as_ref()
                .err()
                .map(ToString::to_string)
                .unwrap_or_default(),
        }));
    };
    let found = HelmFound { stored, current };
    if found.current.status == HelmStatus::Uninstalled {
        return Ok(None);
    }
    Ok(Some(found))
}

/// The claims of `target`'s namespace that its StatefulSets made while helm
/// held the release (labelled with the release as instance, and as helm's
/// or no one's), labelled as the release's now, so that a teardown with
/// `--delete-volumes` finds them.
pub async fn label_claims(client: &Client, target: &ReleaseRef) -> Result<Vec<ObjectRef>, OpError> {
    let claims: Api<PersistentVolumeClaim> = Api::namespaced(client.clone(), &target.namespace);
    let fail = |action: String| {
        move |source| OpError::Api {
            action,
            source: Box::new(source),
        }
    };
    let selector = format!("{INSTANCE}={}", target.release);
    let listed = claims
        .list(&ListParams::default().labels(&selector))
        .await
        .map_err(fail(format!(
            "list the claims of release {}",
            target.release
        )))?;
    let mut out = Vec::new();
    for claim in listed.items {
        let manager = claim.labels().get(MANAGED_BY).map(String::as_str);
        if !matches!(manager, None | Some(HELM_MANAGED_BY)) {
            continue;
        }
        let name = claim.name_any();
        let patch = serde_json::json!({"metadata": {"labels": {MANAGED_BY: MANAGER}}});
        claims
            .patch(
                &name,
                &PatchParams {
                    field_manager: Some(FIELD_MANAGER.to_string()),
                    ..PatchParams::default()
                },
                &Patch::Merge(&patch),
            )
            .await
            .map_err(fail(format!("label claim {name} as the release's")))?;
        out.push(ObjectRef::claim(&target.namespace, name));
    }
    Ok(out)
}

/// This tool's chart for helm's chart name.
pub fn our_chart(helm_chart: &str) -> &'static str {
    match helm_chart {
        "agent" => "agent",
        "ponos" => "ponos",
        _ => "platform",
    }
}

/// How long ago `when` (RFC 3339) was, for people (`12m ago`).
pub fn age_text(when: Option<&str>) -> String {
    let Some(then) = when.and_then(|w| w.parse::<Timestamp>().ok()) else {
        return "started at an unknown time".into();
    };
    let seconds = Timestamp::now().as_second() - then.as_second();
    let age = Duration::from_secs(seconds.max(0) as u64);
    let text = match age.as_secs() {
        s if s < 120 => format!("{s}s"),
        s if s < 7200 => format!("{}m", s / 60),
        s if s < 172_800 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86_400),
    };
    format!("started {text} ago, at {then}")
}

/// The objects of one helm revision's manifest, claims included.
async fn references(
    client: &Client,
    resolver: &mut Resolver,
    release: &HelmRelease,
) -> Result<Vec<ObjectRef>, OpError> {
    let objects = documents(&release.manifest, release.revision).map_err(|e| {
        OpError::from(HelmError::Unreadable {
            object: format!("manifest of helm revision {}", e.revision),
            reason: e.reason,
        })
    })?;
    let mut out = Vec::new();
    for object in &objects {
        let reference = resolver
            .reference(client, object, &release.namespace)
            .await
            .map_err(|source| OpError::Api {
                action: "discover the kinds of helm's manifest".into(),
                source: Box::new(source),
            })?;
        out.extend(reference);
    }
    Ok(out)
}

/// One helm revision as a record of this tool.
pub(super) fn record(
    stored: &StoredRevision,
    release: &HelmRelease,
    state: &ReleaseState,
    keep: bool,
) -> ReleaseRecord {
    let status = match release.status {
        HelmStatus::Deployed => Status::Deployed,
        HelmStatus::Superseded | HelmStatus::Uninstalled => Status::Superseded,
        HelmStatus::Pending(_) => Status::Pending,
        HelmStatus::Failed | HelmStatus::Other(_) => Status::Failed,
    };
    let target = ReleaseRef {
        release: release.name.clone(),
        namespace: release.namespace.clone(),
    };
    let content = RevisionContent {
        chart: our_chart(&release.chart).to_string(),
        version: release.chart_version.clone(),
        config: release.config.clone(),
        state: state.clone(),
    };
    let mut description = format!("helm revision {} ({})", release.revision, release.status);
    if !release.description.is_empty() {
        description.push_str(": ");
        description.push_str(&release.description);
    }
    if let HelmStatus::Pending(_) = release.status {
        description.push_str(" — ");
        description.push_str(&age_text(release.last_deployed.as_deref()));
    }
    let mut record = ReleaseRecord::pending(&target, release.revision, content, &description);
    record.status = status;
    record.tool_version = "helm".into();
    let when = release
        .last_deployed
        .clone()
        .or_else(|| stored.created.clone())
        .unwrap_or_default();
    record.created = stored.created.clone().unwrap_or_else(|| when.clone());
    record.updated = when;
    record.helm = Some(HelmOrigin {
        revision: release.revision,
        status: release.status.to_string(),
        chart: release.chart.clone(),
        chart_version: release.chart_version.clone(),
        storage: stored.storage.kind().to_string(),
        object: stored.object.clone(),
        record: if keep {
            stored.encoded.clone()
        } else {
            String::new()
        },
    });
    record
}

/// Renders a helm revision's config (the values the Python CLI gave helm)
/// with this tool, at the revision's chart version.
pub fn render_config(
    target: &ReleaseRef,
    release: &HelmRelease,
    state: &ReleaseState,
) -> Result<render::Manifest, HelmError> {
    let fail = |reason: String| HelmError::NotRenderable {
        revision: release.revision,
        reason,
    };
    let mut values = release.config.clone();
    if let Some(map) = values.as_object_mut() {
        map.entry("deploymentChart")
            .or_insert_with(|| our_chart(&release.chart).into());
    }
    // JSON is YAML: the loader reads it with its positions.
    let text = serde_json::to_string(&values).map_err(|e| fail(e.to_string()))?;
    let options = LoadOptions {
        deployment_version: Some(release.chart_version.clone()),
        namespace: Some(target.namespace.clone()),
        release_name: Some(target.release.clone()),
        ..LoadOptions::default()
    };
    let name = format!("helm revision {}", release.revision);
    let deployment =
        config::load_texts(&[(&name, &text)], &options).map_err(|e| fail(e.to_string()))?;
    render::render(&deployment, state).map_err(|e| fail(e.to_string()))
}
