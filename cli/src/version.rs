//! `polyaxon version`: the tool's version, the newest Polyaxon it can deploy,
//! and the version each release in the namespace runs, with a note when that
//! is older. The cluster part is best effort: when no cluster answers the
//! rest is still printed, and the exit is 0 unless `--check` asks for it.

use std::time::Duration;

use polyaxon_core::discover::{self, ReleaseSummary};
use semver::Version;
use serde::Serialize;

use crate::args::{Format, GlobalArgs, VersionArgs};
use crate::catalogue;
use crate::exit::{CLUSTER_HINT, Exit, Failure, is_refusal};
use crate::output::{Output, Paint, Stream};

/// How long `version` waits for the cluster before saying it was not reached.
const LOOKUP_DEADLINE: Duration = Duration::from_secs(5);

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
    revision: Option<u32>,
    /// The Polyaxon version the newest revision deployed.
    deployed_version: Option<String>,
    /// How it compares with the newest this build deploys.
    compared_to_newest: Comparison,
}

/// A deployed version against the newest deployable one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
enum Comparison {
    Older,
    Current,
    Newer,
    Unknown,
}

fn compare(deployed: Option<&str>, newest: Option<&Version>) -> Comparison {
    let deployed = deployed.and_then(|v| Version::parse(v.trim().trim_start_matches('v')).ok());
    match (deployed, newest) {
        (Some(deployed), Some(newest)) => match deployed.cmp_precedence(newest) {
            std::cmp::Ordering::Less => Comparison::Older,
            std::cmp::Ordering::Equal => Comparison::Current,
            std::cmp::Ordering::Greater => Comparison::Newer,
        },
        _ => Comparison::Unknown,
    }
}

/// Runs `polyaxon version`.
pub async fn run(args: &VersionArgs, global: &GlobalArgs, out: &Output) -> Result<(), Failure> {
    let newest = catalogue::newest_deployable();
    let namespace = global.namespace_or_default().to_string();
    // Up to LOOKUP_DEADLINE with a cluster that does not answer: show it is waiting.
    let mut waiting = out.progress("cluster");
    waiting.set_state(format!("looking for releases in namespace {namespace}"));
    let found = look_up(global, &namespace, args.release_name.as_deref()).await;
    waiting.finish();
    let report = Report {
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        newest_deployable: newest.as_ref().map(Version::to_string),
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
                        revision: release.revision,
                        deployed_version: release.version.clone(),
                        compared_to_newest: compare(release.version.as_deref(), newest.as_ref()),
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

    match args.output {
        Format::Json => {
            let mut text = serde_json::to_string_pretty(&report)?;
            text.push('\n');
            out.result(text)?;
        }
        Format::Yaml => out.result(serde_yaml::to_string(&report)?)?,
        Format::Text => out.result(text(&report, args.release_name.as_deref(), out))?,
    }

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
) -> Result<Vec<ReleaseSummary>, Unanswered> {
    let options = global.cluster();
    let query = async {
        let client = options.client().await.map_err(|error| Unanswered {
            refused: false,
            failure: error.into(),
        })?;
        discover::releases(&client, Some(namespace))
            .await
            .map_err(|error| Unanswered {
                refused: is_refusal(&error),
                failure: error.into(),
            })
    };
    let deadline = LOOKUP_DEADLINE.as_secs();
    let found = tokio::time::timeout(LOOKUP_DEADLINE, query)
        .await
        .map_err(|_| Unanswered {
            refused: false,
            failure: Failure::new(
                Exit::Cluster,
                format!("the cluster did not answer within {deadline}s"),
            )
            .with_hint(CLUSTER_HINT),
        })??;
    Ok(found
        .into_iter()
        .filter(|found| release.is_none_or(|name| found.name == name))
        .collect())
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
        lines.push(format!(
            "Cluster: {}",
            out.paint(Stream::Stdout, Paint::Yellow, what)
        ));
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
        let version = found
            .deployed_version
            .as_deref()
            .unwrap_or("unknown version");
        let revision = found
            .revision
            .map(|r| format!(" (revision {r})"))
            .unwrap_or_default();
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
            "Release {} in namespace {}: Polyaxon {}{revision}{note}",
            bold(&found.name),
            found.namespace,
            bold(version),
        ));
    }
    let mut text = lines.join("\n");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Option<Version> {
        Version::parse(text).ok()
    }

    #[test]
    fn deployed_versions_compare_with_the_newest() {
        let newest = v("2.18.0");
        assert_eq!(compare(Some("2.16.4"), newest.as_ref()), Comparison::Older);
        assert_eq!(
            compare(Some("v2.18.0"), newest.as_ref()),
            Comparison::Current
        );
        assert_eq!(compare(Some("2.19.0"), newest.as_ref()), Comparison::Newer);
        assert_eq!(compare(Some("1.14"), newest.as_ref()), Comparison::Unknown);
        assert_eq!(compare(None, newest.as_ref()), Comparison::Unknown);
        assert_eq!(compare(Some("2.16.4"), None), Comparison::Unknown);
    }
}
