//! `polyaxon deploy --check` and `polyaxon upgrade --check` (and their
//! `admin` spellings): validate the config, and when a cluster answers, its
//! version and the current user's permissions. Nothing is created.

use std::fmt::Write as _;
use std::time::Duration;

use kube::Client;
use polyaxon_core::access;
use polyaxon_core::api_error::explain;
use polyaxon_core::config::schema::Chart;
use polyaxon_core::config::{self, Deployment, LoadOptions};
use polyaxon_core::preflight;
use polyaxon_core::render::{self, ReleaseState};

use crate::args::{ConfigArgs, GlobalArgs};
use crate::exit::{Exit, Failure, Outcome};
use crate::load;
use crate::output::{Output, Paint, Stream};

/// How long to wait for the API server before skipping the cluster checks.
const CLUSTER_TIMEOUT: Duration = Duration::from_secs(10);

/// Runs the check and says what it found. Exit 0 when the config is valid
/// (and, with a cluster, the user may create everything); 2 with every error
/// for an invalid config; 3 when permissions are missing.
pub async fn run(global: &GlobalArgs, args: &ConfigArgs, out: &Output) -> Outcome {
    let options = load::options(global, args);
    let deployment = config::load(&options)?;
    out.report(summary(out, &deployment, &options))?;
    cluster_checks(global, &deployment, out).await
}

fn summary(out: &Output, d: &Deployment, options: &LoadOptions) -> String {
    let files = if options.files.is_empty() {
        "none (an empty config)".to_string()
    } else {
        options
            .files
            .iter()
            .map(|f| f.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let ok = out.paint(Stream::Stdout, Paint::Green, "ok:");
    let version = &d.version;
    // A Ponos config follows the ponos chart's keys, not a Polyaxon generation's.
    let rules = match d.chart {
        Chart::Ponos => "ponos chart".to_string(),
        _ => format!("Polyaxon {}", d.generation),
    };
    [
        format!("{ok} the deployment config is valid"),
        format!("  chart      {}", d.chart),
        format!("  release    {}", d.release_name),
        format!("  namespace  {}", d.namespace),
        format!(
            "  version    {} (from {}; {rules} rules)",
            version.version, version.source
        ),
        format!("  files      {files}"),
    ]
    .join("\n")
        + "\n"
}

async fn cluster_checks(global: &GlobalArgs, deployment: &Deployment, out: &Output) -> Outcome {
    let skipped = |why: String| -> Outcome {
        let label = out.paint(Stream::Stdout, Paint::Yellow, "cluster checks skipped:");
        Ok(out.report(format!("{label} {why}\n"))?)
    };
    let client = match global.cluster().client().await {
        Ok(client) => client,
        Err(error) => {
            let failure = Failure::from(error);
            let why = match &failure.hint {
                Some(hint) => format!("{} ({hint})", failure.message),
                None => failure.message,
            };
            return skipped(why);
        }
    };
    let version = match tokio::time::timeout(CLUSTER_TIMEOUT, access::server_version(&client)).await
    {
        Ok(Ok(version)) => version,
        Ok(Err(error)) => {
            return skipped(format!("the cluster did not answer: {}", explain(&error)));
        }
        Err(_) => {
            return skipped(format!(
                "the cluster did not answer within {}s",
                CLUSTER_TIMEOUT.as_secs()
            ));
        }
    };
    if !version.supported() {
        let (major, minor) = access::MIN_SERVER;
        return Err(Failure::new(
            Exit::Failed,
            format!(
                "Kubernetes {} is older than {major}.{minor}, the oldest this tool deploys to",
                version.git_version
            ),
        ));
    }
    out.report(format!("  cluster    Kubernetes {}\n", version.git_version))?;
    let kinds = access::kinds_for(deployment)?;
    let missing = match tokio::time::timeout(
        CLUSTER_TIMEOUT,
        access::check_access(&client, &deployment.namespace, &kinds),
    )
    .await
    {
        Ok(Ok(missing)) => missing,
        Ok(Err(error)) => {
            return Err(Failure::new(
                Exit::Cluster,
                format!("cannot check permissions: {}", explain(&error)),
            ));
        }
        Err(_) => {
            return Err(Failure::new(
                Exit::Failed,
                format!(
                    "the permission checks did not finish within {}s",
                    CLUSTER_TIMEOUT.as_secs()
                ),
            ));
        }
    };
    if missing.is_empty() {
        out.report(format!(
            "  access     may create and update all {} kinds the {} chart needs\n",
            kinds.len(),
            deployment.chart
        ))?;
        return preflight(&client, deployment, out).await;
    }
    let mut message = format!(
        "the current user may not do {} thing{} the {} chart needs:",
        missing.len(),
        if missing.len() == 1 { "" } else { "s" },
        deployment.chart
    );
    for m in &missing {
        // Writing to a String cannot fail.
        let _ = write!(message, "\n  {m}");
    }
    Err(Failure::new(Exit::Cluster, message))
}

/// What the release needs from the cluster and does not bring: claims,
/// Secrets, ConfigMaps, StorageClasses, a node for each workload, quota room.
async fn preflight(client: &Client, deployment: &Deployment, out: &Output) -> Outcome {
    let state = ReleaseState::new_for(&deployment.release_name);
    let manifest = render::render(deployment, &state).map_err(Failure::from)?;
    let checks = preflight::Checks { quota: true };
    let findings = match tokio::time::timeout(
        CLUSTER_TIMEOUT,
        preflight::check(client, &manifest, &deployment.namespace, checks),
    )
    .await
    {
        Ok(found) => found?,
        Err(_) => {
            return skipped_preflight(out, CLUSTER_TIMEOUT);
        }
    };
    if findings.is_empty() {
        out.report("  preflight  the claims, secrets, config maps, storage classes, nodes and quota it needs are there\n")?;
        return Ok(());
    }
    Err(Failure::from(preflight::PreflightError {
        release: deployment.release_name.clone(),
        namespace: deployment.namespace.clone(),
        findings,
    }))
}

fn skipped_preflight(out: &Output, after: Duration) -> Outcome {
    Ok(out.report(format!(
        "  preflight  skipped: the cluster did not answer within {}s\n",
        after.as_secs()
    ))?)
}
