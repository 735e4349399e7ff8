//! `polyaxon teardown` of a release helm installed and this tool never took
//! over: what `helm uninstall` does, without its known failures. The chart's
//! pre-delete hooks run from helm's record (unless told not to; a hook Job
//! an earlier run left is replaced, not an error), every object helm's
//! manifests list is deleted (claims kept unless asked), then whatever still
//! carries the release's labels, then helm's records. A release helm left
//! pending is torn down too: the command confirmed it first.

use kube::Client;

use super::helm_release::{self, HelmFound};
use super::teardown::TeardownOptions;
use super::{OpError, with_lock};
use crate::apply::{delete_objects, run_hooks, sweep_leftovers};
use crate::event::{Event, Reporter};
use crate::helm::manifest::{Resolver, documents};
use crate::helm::ownership::take_over;
use crate::release::{ObjectRef, ReleaseRef};
use crate::render::labels::{INSTANCE, MANAGED_BY, MANAGER};
use crate::render::{Hook, Manifest};

/// Tears down the release helm installed as `op.target`. Returns how many
/// objects helm's manifests listed.
pub(crate) async fn teardown(
    client: &Client,
    op: &TeardownOptions,
    reporter: &Reporter,
) -> Result<usize, OpError> {
    let target = &op.target;
    let Some(found) = helm_release::find(client, target).await? else {
        return Err(OpError::not_found(target));
    };
    let (release, namespace, delete) = (&target.release, &target.namespace, &op.delete);
    let work = async {
        let hooks = if op.hooks {
            pre_delete_hooks(client, &found, target).await?
        } else {
            reporter(Event::HooksSkipped(Hook::PreDelete));
            Manifest::default()
        };
        let timeout = delete.timeout;
        run_hooks(client, &hooks, Hook::PreDelete, release, timeout, reporter).await?;
        let mut objects: Vec<ObjectRef> = found
            .inventory(client, true)
            .await?
            .into_iter()
            .filter(|o| !(op.delete.keep_volumes && o.kind == "PersistentVolumeClaim"))
            .collect();
        if !op.delete.keep_volumes {
            objects.extend(helm_release::label_claims(client, target).await?);
        }
        // Labelled as the release's, they are deleted as this tool deletes
        // its own (what is not helm's release is left alone).
        for object in &objects {
            take(client, object, target).await?;
        }
        delete_objects(client, &objects, release, delete, reporter).await?;
        sweep_leftovers(client, namespace, release, delete, &[], reporter).await?;
        found.retire(client, namespace).await?;
        Ok(objects.len())
    };
    with_lock(client, target, "teardown", reporter, work).await
}

async fn take(client: &Client, object: &ObjectRef, target: &ReleaseRef) -> Result<bool, OpError> {
    take_over(client, object, &target.release, &target.namespace)
        .await
        .map_err(|source| OpError::Api {
            action: format!("take {object} over from helm"),
            source: Box::new(source),
        })
}

/// The chart's pre-delete hooks as helm recorded them, by weight, labelled
/// as the release's; a Job of the same name an earlier run left is taken
/// over so that it is replaced.
async fn pre_delete_hooks(
    client: &Client,
    found: &HelmFound,
    target: &ReleaseRef,
) -> Result<Manifest, OpError> {
    let mut hooks: Vec<_> = found
        .current
        .hooks
        .iter()
        .filter(|h| h.events.iter().any(|e| e == Hook::PreDelete.as_str()))
        .collect();
    hooks.sort_by_key(|h| h.weight);
    let mut resolver = Resolver::default();
    let mut manifest = Manifest::default();
    for hook in hooks {
        let objects = documents(&hook.manifest, found.current.revision).map_err(|e| {
            OpError::from(helm_release::HelmError::Unreadable {
                object: format!("pre-delete hook {}", hook.name),
                reason: e.reason,
            })
        })?;
        for mut object in objects {
            let labels = object.metadata.labels.get_or_insert_default();
            labels.insert(MANAGED_BY.to_string(), MANAGER.to_string());
            labels.insert(INSTANCE.to_string(), target.release.clone());
            let rendered = resolver
                .hook(client, object, &target.namespace, Hook::PreDelete)
                .await
                .map_err(|source| OpError::Api {
                    action: format!("discover the kind of hook {}", hook.name),
                    source: Box::new(source),
                })?;
            if let Some(rendered) = rendered {
                take(client, &ObjectRef::of(&rendered), target).await?;
                manifest.objects.push(rendered);
            }
        }
    }
    Ok(manifest)
}
