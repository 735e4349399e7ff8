//! `polyaxon version`: the tool's version, the newest Polyaxon it can deploy,
//! and the version each release in the namespace runs, with a note when that
//! is older. The cluster part is best effort: when no cluster answers the
//! rest is still printed, and the exit is 0 unless `--check` asks for it.

use std::time::Duration;

use polyaxon_core::discover;
use polyaxon_core::release::{ReleaseRecord, Status};
use polyaxon_core::version::{self as catalogue, PolyaxonVersion};
use serde::Serialize;

use crate::args::{GlobalArgs, VersionArgs};
use crate::classify::is_refusal;
use crate::exit::{CLUSTER_HINT, Exit, Failure, Outcome};
use crate::output::{Output, Paint, Stream};

/// How long `version` waits for the cluster before saying it was not reached.
const LOOKUP_DEADLINE: Duration = Duration::from_secs(5);

/// The chart whose version is not a Polyaxon version.
const PONOS_CHART: &str = "ponos";

/// What `version` reports, also its JSON/YAML shape.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Report {
    /// This build of the tool.
    tool_version: String,
    /// The newest Polyaxon version this build deploys.
    newest_deployable: Option<String>,
    cluster: ClusterReport,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ClusterReport {
    /// Whether the API server answered (it may still have refused access).
    reached: bool,
    namespace: String,
    /// Why no releases could be read: not reached, or access refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    releases: Vec<ReleaseReport>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ReleaseReport {
    name: String,
    namespace: String,
    /// `platform`, `agent` or `ponos`.
    chart: String,
    /// The revision described: the deployed one, else the newest.
    revision: u32,
    /// That revision's status.
    status: String,
    /// The version that revision deployed.
    deployed_version: String,
    /// How it compares with the newest Polyaxon this build deploys.
    compared_to_newest: Comparison,
}

/// A deployed version against the newest deployable one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
enum Comparison {
    Older,
    Current,
    Newer,
    /// Not comparable: unparsable, no catalogue, or a Ponos version.
    Unknown,
}

/// How the version a `chart` release deployed compares with the newest, by
/// the rule upgrades follow ([`catalogue::compare`]): moving from the
/// deployed version to the newest is an upgrade when the deployed one is older.
fn compare(chart: &str, version: &str, newest: Option<&PolyaxonVersion>) -> Comparison {
    if chart == PONOS_CHART {
        return Comparison::Unknown;
    }
    match (PolyaxonVersion::parse(version), newest) {
        (Some(deployed), Some(newest)) => match catalogue::compare(&deployed, newest) {
            catalogue::VersionChange::Same => Comparison::Current,
            catalogue::VersionChange::Newer | catalogue::VersionChange::MajorJump => {
                Comparison::Older
            }
            catalogue::VersionChange::Older => Comparison::Newer,
        },
        _ => Comparison::Unknown,
    }
}

/// Runs `polyaxon version`.
pub async fn run(args: &VersionArgs, global: &GlobalArgs, out: &Output) -> Outcome {
    let newest = catalogue::latest();
    let namespace = global.namespace_or_default().to_string();
    // Up to LOOKUP_DEADLINE with a cluster that does not answer: show it is waiting.
    let mut waiting = out.progress("cluster");
    waiting.set_state(format!("looking for releases in namespace {namespace}"));
    let found = look_up(global, &namespace, args.release_name.as_deref()).await;
    waiting.finish();
    let report = Report {
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        newest_deployable: newest.map(PolyaxonVersion::to_string),
        cluster: match &found {
            Ok(releases) => ClusterReport {
                reached: true,
                namespace: namespace.clone(),
                error: None,
                releases: releases
                    .iter()
                    .map(|release| ReleaseReport {
                        name: release.name.clone(),
                        namespace: release.namespace.clone(),
                        chart: release.chart.clone(),
                        revision: release.revision,
                        status: release.status.as_str().to_string(),
                        deployed_version: release.version.clone(),
                        compared_to_newest: compare(&release.chart, &release.version, newest),
                    })
                    .collect(),
            },
            Err(unanswered) => ClusterReport {
                reached: unanswered.refused,
                namespace: namespace.clone(),
                error: Some(unanswered.failure.message.clone()),
                releases: Vec::new(),
            },
        },
    };

    out.result_as(&report, args.output, |report| {
        text(report, args.release_name.as_deref(), out)
    })?;

    if !args.check {
        if let Err(Unanswered { refused, failure }) = &found {
            if *refused {
                out.warn(failure);
            } else {
                out.warn(format!("the cluster was not reached: {failure}"));
            }
            if let Some(hint) = &failure.hint {
                out.hint(hint);
            }
        }
        return Ok(());
    }
    match found {
        Err(unanswered) => Err(unanswered.failure),
        Ok(releases) if releases.is_empty() => Err(Failure::new(
            Exit::Failed,
            match &args.release_name {
                Some(name) => format!("no release `{name}` in namespace `{namespace}`"),
                None => format!("no release in namespace `{namespace}`"),
            },
        )
        .with_hint("name the namespace with -n, or deploy with `polyaxon deploy -f config.yml`")),
        Ok(_) => Ok(()),
    }
}

/// Why the cluster could not tell which releases it has.
#[derive(Debug)]
struct Unanswered {
    /// It answered, but refused the credentials.
    refused: bool,
    failure: Failure,
}

/// The releases in `namespace` (only `release` when named), or why the
/// cluster could not tell.
async fn look_up(
    global: &GlobalArgs,
    namespace: &str,
    release: Option<&str>,
) -> Result<Vec<ReleaseRecord>, Unanswered> {
    let options = global.cluster();
    let query = async {
        let client = options.client().await.map_err(|error| Unanswered {
            refused: false,
            failure: error.into(),
        })?;
        discover::releases(&client, namespace, release)
            .await
            .map_err(|error| Unanswered {
                refused: error.api_error().is_some_and(is_refusal),
                failure: error.into(),
            })
    };
    let deadline = LOOKUP_DEADLINE.as_secs();
    tokio::time::timeout(LOOKUP_DEADLINE, query)
        .await
        .map_err(|_| Unanswered {
            refused: false,
            failure: Failure::new(
                Exit::Cluster,
                format!("the cluster did not answer within {deadline}s"),
            )
            .with_hint(CLUSTER_HINT),
        })?
}

/// The report for people.
fn text(report: &Report, release: Option<&str>, out: &Output) -> String {
    let bold = |text: &str| out.paint(Stream::Stdout, Paint::Bold, text);
    let mut lines = vec![format!("polyaxon {}", bold(&report.tool_version))];
    lines.push(match &report.newest_deployable {
        Some(newest) => format!("Deploys Polyaxon up to {}", bold(newest)),
        None => "Deploys Polyaxon: no release list in this build".to_string(),
    });
    let cluster = &report.cluster;
    if cluster.error.is_some() {
        // Why is said on stderr, as a warning (see `run`).
        let what = if cluster.reached {
            "access refused"
        } else {
            "not reached"
        };
        let what = out.paint(Stream::Stdout, Paint::Yellow, what);
        lines.push(format!("Cluster: {what}"));
    } else if cluster.releases.is_empty() {
        let what = match release {
            Some(name) => format!("no release `{name}`"),
            None => "no release".to_string(),
        };
        lines.push(format!(
            "Cluster: {what} in namespace {}",
            cluster.namespace
        ));
    }
    for found in &cluster.releases {
        let product = if found.chart == PONOS_CHART {
            "Ponos"
        } else {
            "Polyaxon"
        };
        let status = if found.status == Status::Deployed.as_str() {
            String::new()
        } else {
            format!(
                ", {}",
                out.paint(Stream::Stdout, Paint::Yellow, &found.status)
            )
        };
        let note = match (found.compared_to_newest, &report.newest_deployable) {
            (Comparison::Older, Some(newest)) => out.paint(
                Stream::Stdout,
                Paint::Yellow,
                format!(", older than {newest}, the newest this tool deploys"),
            ),
            (Comparison::Newer, _) => out.paint(
                Stream::Stdout,
                Paint::Yellow,
                ", newer than this tool knows: upgrade the tool before changing the release",
            ),
            _ => String::new(),
        };
        lines.push(format!(
            "Release {} in namespace {}: {product} {} ({} revision {}{status}){note}",
            bold(&found.name),
            found.namespace,
            bold(&found.deployed_version),
            found.chart,
            found.revision,
        ));
    }
    let mut text = lines.join("\n");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deployed_versions_compare_with_the_newest() {
        let newest = PolyaxonVersion::parse("2.18.0");
        let newest = newest.as_ref();
        let compared = |chart, version| compare(chart, version, newest);
        assert_eq!(compared("platform", "2.16.4"), Comparison::Older);
        assert_eq!(compared("platform", "1.14.0"), Comparison::Older);
        assert_eq!(compared("agent", "v2.18.0"), Comparison::Current);
        assert_eq!(compared("platform", "2.17.0.post1"), Comparison::Older);
        // A rebuild this build's catalogue does not list: a newer tool deployed it.
        assert_eq!(compared("platform", "2.18.0.post1"), Comparison::Newer);
        assert_eq!(compared("platform", "2.19.0"), Comparison::Newer);
        assert_eq!(compared("platform", "1.14"), Comparison::Unknown);
        assert_eq!(
            compared("ponos", "0.1.0"),
            Comparison::Unknown,
            "Ponos has its own versions"
        );
        assert_eq!(compare("platform", "2.16.4", None), Comparison::Unknown);
    }
}
