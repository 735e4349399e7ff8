//! The lifecycle's decisions, apart from the cluster: what a deploy may do
//! given the release's history, which revision an upgrade starts from and
//! whether its versions allow it, whether it would change anything, which
//! revision a rollback applies again, and what a teardown deletes.

use super::{Deployable, OpError, UpgradeOptions};
use crate::apply::Plan;
use crate::release::{ObjectRef, ReleaseRecord, ReleaseRef, Status};
use crate::render::ReleaseState;
use crate::version::{self, PolyaxonVersion, VersionChange};

/// The revision a deploy writes and the generated values it renders with:
/// refused while a revision is deployed; revision 1 with new values for a
/// new release; after failed revisions, the next one, keeping the last
/// one's values (its volumes may hold data written with them).
pub(crate) fn deploy_revision(
    history: &[ReleaseRecord],
    target: &ReleaseRef,
) -> Result<(u32, ReleaseState), OpError> {
    if let Some(current) = history.iter().rev().find(|r| r.status == Status::Deployed) {
        return Err(OpError::ReleaseExists {
            release: target.release.clone(),
            namespace: target.namespace.clone(),
            revision: current.revision,
            status: current.status.to_string(),
        });
    }
    Ok(match history.last() {
        Some(last) => {
            let mut state = last.state.clone();
            state.complete();
            (last.revision + 1, state)
        }
        None => (1, ReleaseState::new_for(&target.release)),
    })
}

/// The deployed revision of a history, or why there is none.
pub(crate) fn deployed_in(
    history: &[ReleaseRecord],
    target: &ReleaseRef,
) -> Result<ReleaseRecord, OpError> {
    if history.is_empty() {
        return Err(OpError::not_found(target));
    }
    let deployed = history.iter().rev().find(|r| r.status == Status::Deployed);
    deployed.cloned().ok_or_else(|| OpError::NotDeployed {
        release: target.release.clone(),
        namespace: target.namespace.clone(),
        revisions: history.len(),
    })
}

/// The upgrade guard: refuses a downgrade and an unconfirmed major jump, by
/// the one version rule, [`version::compare`].
pub(crate) fn check_versions(
    op: &UpgradeOptions,
    deployed: &str,
    requested: &str,
) -> Result<(), OpError> {
    let parse =
        |text: &str| PolyaxonVersion::parse(text).ok_or_else(|| OpError::Version(text.to_string()));
    let release = op.target.release.clone();
    match version::compare(&parse(deployed)?, &parse(requested)?) {
        VersionChange::Older if !op.allow_downgrade => Err(OpError::Downgrade {
            release,
            deployed: deployed.to_string(),
            requested: requested.to_string(),
        }),
        VersionChange::MajorJump if !op.confirmed => Err(OpError::NeedsConfirmation {
            release,
            deployed: deployed.to_string(),
            requested: requested.to_string(),
            upgrade: None,
        }),
        _ => Ok(()),
    }
}

/// Whether `requested` is a new major version of `deployed`.
pub(crate) fn is_major_jump(deployed: &str, requested: &str) -> Result<bool, OpError> {
    let parse =
        |text: &str| PolyaxonVersion::parse(text).ok_or_else(|| OpError::Version(text.to_string()));
    Ok(version::compare(&parse(deployed)?, &parse(requested)?) == VersionChange::MajorJump)
}

/// Whether upgrading `current` to `source` with `plan` changes nothing: the
/// same version and config, and the cluster already matches. Then not even
/// a new revision is written.
pub(crate) fn unchanged(current: &ReleaseRecord, plan: &Plan, source: &Deployable<'_>) -> bool {
    plan.is_noop() && current.version == source.version && current.config == source.config
}

/// The revision a rollback applies again: `revision` when given, else the
/// newest earlier one that was deployed.
pub(crate) fn rollback_to(
    history: &[ReleaseRecord],
    current: &ReleaseRecord,
    revision: Option<u32>,
) -> Result<ReleaseRecord, OpError> {
    let wanted = match revision {
        Some(n) => history.iter().find(|r| r.revision == n),
        None => history.iter().rev().find(|r| {
            r.revision < current.revision
                && matches!(r.status, Status::Superseded | Status::Deployed)
        }),
    };
    wanted.cloned().ok_or_else(|| OpError::NoSuchRevision {
        release: current.name.clone(),
        revision: revision.unwrap_or(current.revision.saturating_sub(1)),
        available: history
            .iter()
            .map(|r| r.revision.to_string())
            .collect::<Vec<_>>()
            .join(", "),
    })
}

/// What a teardown deletes: every revision's inventory, each object once (an
/// interrupted upgrade may have created objects the deployed revision does
/// not list).
pub(crate) fn teardown_inventory(history: &[ReleaseRecord]) -> Vec<ObjectRef> {
    let mut inventory: Vec<ObjectRef> = history.iter().flat_map(|r| r.inventory.clone()).collect();
    inventory.sort();
    inventory.dedup();
    inventory
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::apply::{Action, PlannedObject};
    use crate::ops::WaitOptions;
    use crate::release::test_record as record;
    use crate::render::Stage;

    fn target() -> ReleaseRef {
        ReleaseRef {
            namespace: "polyaxon".into(),
            release: "polyaxon".into(),
        }
    }

    fn op(allow_downgrade: bool, confirmed: bool) -> UpgradeOptions {
        UpgradeOptions {
            target: target(),
            wait: WaitOptions {
                wait: true,
                timeout: Duration::from_secs(1),
                concurrency: 1,
            },
            allow_downgrade,
            confirmed,
            dry_run: false,
            atomic: false,
        }
    }

    fn object(name: &str) -> ObjectRef {
        ObjectRef {
            stage: Stage::Workloads,
            api_version: "apps/v1".into(),
            kind: "Deployment".into(),
            plural: "deployments".into(),
            namespace: Some("polyaxon".into()),
            name: name.into(),
        }
    }

    #[test]
    fn a_deploy_is_refused_while_a_revision_is_deployed() {
        let history = [record(1, Status::Superseded), record(2, Status::Deployed)];
        assert!(matches!(
            deploy_revision(&history, &target()),
            Err(OpError::ReleaseExists { revision: 2, .. })
        ));
    }

    #[test]
    fn a_release_whose_revisions_all_failed_is_deployed_again_with_its_values() {
        let mut failed = record(2, Status::Failed);
        failed.state = ReleaseState::new_for("polyaxon");
        let history = [record(1, Status::Failed), failed.clone()];
        let (revision, state) = deploy_revision(&history, &target()).expect("allowed");
        assert_eq!(revision, 3);
        assert_eq!(state, failed.state);
        let (revision, _) = deploy_revision(&[], &target()).expect("allowed");
        assert_eq!(revision, 1);
    }

    #[test]
    fn an_upgrade_starts_from_the_deployed_revision_or_says_why_there_is_none() {
        let history = [
            record(1, Status::Superseded),
            record(2, Status::Deployed),
            record(3, Status::Failed),
        ];
        assert_eq!(
            deployed_in(&history, &target()).map(|r| r.revision).ok(),
            Some(2)
        );
        assert!(matches!(
            deployed_in(&[record(1, Status::Failed)], &target()),
            Err(OpError::NotDeployed { revisions: 1, .. })
        ));
        assert!(matches!(
            deployed_in(&[], &target()),
            Err(OpError::NotFound { .. })
        ));
    }

    #[test]
    fn the_guard_refuses_downgrades_unless_allowed() {
        assert!(matches!(
            check_versions(&op(false, false), "2.4.0", "2.3.9"),
            Err(OpError::Downgrade { .. })
        ));
        assert!(check_versions(&op(true, false), "2.4.0", "2.3.9").is_ok());
        assert!(check_versions(&op(false, false), "2.4.0", "2.4.0").is_ok());
        assert!(check_versions(&op(false, false), "2.4.0", "2.5.1").is_ok());
    }

    #[test]
    fn a_major_jump_needs_confirmation() {
        assert!(matches!(
            check_versions(&op(false, false), "1.14.0", "2.0.0"),
            Err(OpError::NeedsConfirmation { .. })
        ));
        assert!(check_versions(&op(false, true), "1.14.0", "2.0.0").is_ok());
        assert!(is_major_jump("1.14.0", "2.15.1").unwrap());
        assert!(!is_major_jump("2.14.0", "2.15.1").unwrap());
        assert!(!is_major_jump("2.15.1", "1.14.0").unwrap());
    }

    #[test]
    fn post_releases_compare_after_their_base_and_by_number() {
        assert!(check_versions(&op(false, false), "2.8.0", "2.8.0.post1").is_ok());
        assert!(check_versions(&op(false, false), "2.8.0.post9", "2.8.0.post10").is_ok());
        assert!(matches!(
            check_versions(&op(false, false), "2.8.0.post10", "2.8.0.post9"),
            Err(OpError::Downgrade { .. })
        ));
        assert!(matches!(
            check_versions(&op(false, false), "two", "2.8.0"),
            Err(OpError::Version(_))
        ));
    }

    #[test]
    fn an_upgrade_changes_nothing_only_with_the_same_version_config_and_cluster() {
        let current = record(1, Status::Deployed);
        let render = |_: &ReleaseState| Ok(crate::render::Manifest::default());
        let same = Deployable {
            chart: current.chart.clone(),
            version: current.version.clone(),
            config: current.config.clone(),
            render: &render,
        };
        let nothing = Plan::default();
        assert!(unchanged(&current, &nothing, &same));
        let newer = Deployable {
            version: "2.19.0".into(),
            ..same
        };
        assert!(!unchanged(&current, &nothing, &newer));
        let change = Plan {
            items: vec![PlannedObject {
                object: object("api"),
                action: Action::Change(vec!["spec.replicas".into()]),
                rendered: None,
            }],
        };
        let same = Deployable {
            version: current.version.clone(),
            ..newer
        };
        assert!(!unchanged(&current, &change, &same));
    }

    #[test]
    fn a_rollback_goes_to_the_newest_earlier_deployed_revision_or_the_one_named() {
        let history = [
            record(1, Status::Superseded),
            record(2, Status::Failed),
            record(3, Status::Superseded),
            record(4, Status::Failed),
            record(5, Status::Deployed),
        ];
        let current = &history[4];
        let to = |revision| rollback_to(&history, current, revision).map(|r| r.revision);
        assert_eq!(to(None).ok(), Some(3));
        assert_eq!(to(Some(1)).ok(), Some(1));
        match to(Some(9)) {
            Err(OpError::NoSuchRevision {
                revision,
                available,
                ..
            }) => assert_eq!((revision, available.as_str()), (9, "1, 2, 3, 4, 5")),
            other => panic!("expected NoSuchRevision, got {other:?}"),
        }
        let first = [record(1, Status::Deployed)];
        assert!(matches!(
            rollback_to(&first, &first[0], None),
            Err(OpError::NoSuchRevision { revision: 0, .. })
        ));
    }

    #[test]
    fn a_teardown_deletes_every_revisions_objects_once() {
        let mut first = record(1, Status::Superseded);
        first.inventory = vec![object("api"), object("old")];
        let mut second = record(2, Status::Deployed);
        second.inventory = vec![object("api"), object("new")];
        let names: Vec<String> = teardown_inventory(&[first, second])
            .into_iter()
            .map(|o| o.name)
            .collect();
        assert_eq!(names, ["api", "new", "old"]);
    }
}
