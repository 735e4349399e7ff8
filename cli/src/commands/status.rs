//! `polyaxon status`: with `-r`, the release's newest revision, from its
//! records, and the state of its workloads now; without, the releases of the
//! namespace (`-A`: of every namespace), one line each.

use std::fmt::Write as _;

use polyaxon_core::apply::{WorkloadState, workload_states};
use polyaxon_core::ops::{self, ListedRelease, Manager};
use serde::Serialize;

use crate::args::{GlobalArgs, StatusArgs};
use crate::exit::Outcome;
use crate::load;
use crate::output::Output;
use crate::revision::{RevisionView, RunningView};
use crate::show::reporter;
use crate::table::table;

/// What `status -r` shows: the current revision and its workloads.
#[derive(Serialize)]
struct StatusView {
    #[serde(flatten)]
    revision: RevisionView,
    /// The operation writing a `pending` revision, while it runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    running: Option<RunningView>,
    workloads: Vec<WorkloadState>,
}

/// One line of the listing; also its JSON/YAML shape, every field always
/// present (null when it does not apply) so that scripts can rely on it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListedView {
    /// The namespace.
    pub namespace: String,
    /// The release name.
    pub release: String,
    /// `platform`, `agent` or `ponos`.
    pub chart: String,
    /// The version its newest revision deploys.
    pub version: String,
    /// The newest revision.
    pub revision: u32,
    /// Its status: `deployed`, `failed`, `pending`, `superseded`.
    pub status: String,
    /// When it last changed (RFC 3339).
    pub updated: String,
    /// What happened in it; for a pending one who runs it or that it was
    /// interrupted; for a failed one the first line of why.
    pub description: String,
    /// Whose records these are: `polyaxon`, or `helm` for a release helm
    /// installed that this tool has not taken over.
    pub managed_by: Manager,
    /// The operation writing a pending revision, while it runs.
    pub running: Option<RunningView>,
    /// Why a failed revision failed, in full.
    pub reason: Option<String>,
}

impl ListedView {
    /// The view of a listed release.
    pub fn of(listed: &ListedRelease) -> Self {
        let record = &listed.record;
        ListedView {
            namespace: record.namespace.clone(),
            release: record.name.clone(),
            chart: record.chart.clone(),
            version: record.version.clone(),
            revision: record.revision,
            status: record.status.to_string(),
            updated: record.updated.clone(),
            description: record.description.clone(),
            managed_by: listed.manager,
            running: listed.running.as_ref().map(RunningView::of),
            reason: record.reason.clone(),
        }
    }
}

/// Runs `polyaxon status`.
pub async fn run(global: &GlobalArgs, args: &StatusArgs, out: &Output) -> Outcome {
    let Some(release) = &args.release_name else {
        return list(global, args, out).await;
    };
    let target = load::release(global, &[], Some(release))?;
    let client = global.cluster().client().await?;
    let status = ops::status(&client, &target, &reporter(out)).await?;
    let view = StatusView {
        revision: RevisionView::of(&status.record),
        running: status.running.as_ref().map(RunningView::of),
        workloads: workload_states(&client, &status.record.inventory).await?,
    };
    out.result_as(&view, args.output.into(), text)
}

/// `status` without `-r`: the releases, one line each.
async fn list(global: &GlobalArgs, args: &StatusArgs, out: &Output) -> Outcome {
    let namespace = (!args.all_namespaces).then(|| global.namespace_or_default());
    let client = global.cluster().client().await?;
    let listed = ops::list(&client, namespace, &reporter(out)).await?;
    let views: Vec<ListedView> = listed.iter().map(ListedView::of).collect();
    if views.is_empty() {
        out.info(match namespace {
            Some(namespace) => format!(
                "no releases in namespace {namespace} (-A lists every namespace; `polyaxon deploy` makes one)"
            ),
            None => "no releases in any namespace (`polyaxon deploy` makes one)".to_string(),
        });
    }
    let all = args.all_namespaces;
    out.result_as(&views, args.output.into(), |views| {
        if views.is_empty() {
            String::new()
        } else {
            list_table(views, all)
        }
    })
}

/// The listing as a table: NAMESPACE only with `-A`; the NOTE says what
/// happened, who runs a pending revision, and marks helm's releases.
pub fn list_table(views: &[ListedView], all_namespaces: bool) -> String {
    let mut header = vec![
        "NAME", "CHART", "VERSION", "REVISION", "STATUS", "UPDATED", "NOTE",
    ];
    if all_namespaces {
        header.insert(0, "NAMESPACE");
    }
    let rows: Vec<Vec<String>> = views
        .iter()
        .map(|v| {
            let note = match v.managed_by {
                Manager::Helm => format!(
                    "installed by helm, not taken over ({}); `polyaxon upgrade -f <config>` takes it over",
                    v.description
                ),
                Manager::Polyaxon => v.description.clone(),
            };
            let mut row = vec![
                v.release.clone(),
                v.chart.clone(),
                v.version.clone(),
                v.revision.to_string(),
                v.status.clone(),
                v.updated.clone(),
                note,
            ];
            if all_namespaces {
                row.insert(0, v.namespace.clone());
            }
            row
        })
        .collect();
    table(&header, &rows)
}

/// The status of one release for people.
fn text(view: &StatusView) -> String {
    let v = &view.revision;
    let mut text = format!(
        "release:   {}\nnamespace: {}\nrevision:  {}\nstatus:    {}\nchart:     {} {}\nupdated:   {}\nnote:      {}\nobjects:   {}\n",
        v.release,
        v.namespace,
        v.revision,
        v.status,
        v.chart,
        v.version,
        v.updated,
        v.description,
        v.objects.len()
    );
    if let Some(helm) = &v.helm {
        // Writing to a String cannot fail.
        let _ = writeln!(text, "helm:      {helm}");
    }
    if let Some(reason) = v.reason.as_deref().filter(|r| *r != v.description) {
        text.push_str("reason:\n");
        for line in reason.lines() {
            // Writing to a String cannot fail.
            let _ = writeln!(text, "  {line}");
        }
    }
    if !view.workloads.is_empty() {
        text.push_str("workloads:\n");
    }
    for w in &view.workloads {
        let state = if w.done { "ready" } else { "not ready" };
        // Writing to a String cannot fail.
        let _ = writeln!(
            text,
            "  {:<50} {}/{} {state}",
            w.workload, w.ready, w.desired
        );
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(release: &str, status: &str, description: &str, manager: Manager) -> ListedView {
        ListedView {
            namespace: "polyaxon".into(),
            release: release.into(),
            chart: "agent".into(),
            version: "2.18.0".into(),
            revision: 3,
            status: status.into(),
            updated: "2026-12-01T10:00:00Z".into(),
            description: description.into(),
            managed_by: manager,
            running: None,
            reason: None,
        }
    }

    #[test]
    fn the_listing_is_an_aligned_table_with_a_namespace_column_only_for_all_namespaces() {
        let views = [
            view("agent", "deployed", "upgraded", Manager::Polyaxon),
            view(
                "platform-long-name",
                "pending",
                "in progress: polyaxon upgrade by ann@laptop (pid 42) since 2026-12-01T10:00:00Z",
                Manager::Polyaxon,
            ),
        ];
        let text = list_table(&views, false);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(
            lines[0].starts_with("NAME                CHART  VERSION  REVISION  STATUS"),
            "{text}"
        );
        let column = |line: &str, word: &str| line.find(word);
        assert_eq!(
            column(lines[0], "STATUS"),
            column(lines[1], "deployed"),
            "{text}"
        );
        assert_eq!(
            column(lines[0], "STATUS"),
            column(lines[2], "pending"),
            "{text}"
        );
        assert_eq!(
            column(lines[0], "NOTE"),
            column(lines[2], "in progress"),
            "{text}"
        );
        assert!(!text.contains("NAMESPACE"));

        let everywhere = list_table(&views, true);
        assert!(everywhere.starts_with("NAMESPACE  NAME "), "{everywhere}");
        assert!(
            everywhere
                .lines()
                .nth(1)
                .is_some_and(|l| l.starts_with("polyaxon   agent "))
        );
    }

    #[test]
    fn a_release_helm_installed_is_marked_as_helms() {
        let views = [view(
            "old",
            "deployed",
            "helm revision 2 (deployed)",
            Manager::Helm,
        )];
        let text = list_table(&views, false);
        assert!(
            text.contains("installed by helm, not taken over (helm revision 2 (deployed))"),
            "{text}"
        );
    }

    #[test]
    fn the_machine_readable_listing_has_every_field_every_time_in_one_order() {
        let views = [view("agent", "deployed", "deployed", Manager::Polyaxon)];
        let text = serde_json::to_string(&views).expect("serializes");
        let order = [
            "namespace",
            "release",
            "chart",
            "version",
            "revision",
            "status",
            "updated",
            "description",
            "managedBy",
            "running",
            "reason",
        ];
        let at: Vec<Option<usize>> = order
            .iter()
            .map(|k| text.find(&format!("\"{k}\":")))
            .collect();
        assert!(at.iter().all(Option::is_some), "{text}");
        assert!(at.windows(2).all(|w| w[0] < w[1]), "{text}");
        let json: serde_json::Value = serde_json::from_str(&text).expect("parses");
        assert_eq!(json[0].as_object().map(|o| o.len()), Some(order.len()));
        assert_eq!(json[0]["managedBy"], "polyaxon");
        assert!(json[0]["running"].is_null());
    }
}
