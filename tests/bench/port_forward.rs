//! Benchmark of `polyaxon port-forward` against `kubectl port-forward` on
//! the test cluster (run it through `tests/bench/port-forward`).
//!
//! Both forward the same gateway (Service `agent-polyaxon-gateway`, port 80 →
//! 8000, one kwok pod whose port kwok sends to a loopback server of this
//! process). For each tool, in alternating rounds:
//!
//! - time to first byte: connect, send a small HTTP request, first reply byte
//!   (a new connection, so a new stream, each time), for 30 connections a
//!   quarter second apart (a person clicking about) and a burst of 100 back to
//!   back (a browser loading a page), p50 and p99;
//! - one connection: 1 GiB echoed both ways at once, MiB/s of one direction;
//! - 50 and 200 connections at once, 10 MiB each, aggregate MiB/s of one
//!   direction;
//!
//! and, over the whole run, the peak resident memory and the CPU time of the
//! forwarding process, from `/usr/bin/time -v`.
//! Smallest, median and largest over the rounds are printed with the
//! polyaxon/kubectl ratio of the medians.

#![expect(
    clippy::print_stdout,
    reason = "the benchmark's report is what it prints"
)]

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Namespace, Service};
use kube::api::{Api, DeleteParams, Patch, PatchParams};
use kube::runtime::wait::{await_condition, conditions};
use polyaxon_e2e::forward::{Backend, PodBackends, echo_exchange, time_to_first_byte};
use polyaxon_e2e::{
    Running, client, free_port, kubeconfig, polyaxon_binary, scratch_dir, unique_namespace,
};
use serde_json::json;

const GATEWAY: &str = "agent-polyaxon-gateway";
const MIB: u64 = 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tool {
    Polyaxon,
    Kubectl,
}

impl Tool {
    fn name(self) -> &'static str {
        match self {
            Tool::Polyaxon => "polyaxon",
            Tool::Kubectl => "kubectl",
        }
    }
}

#[derive(Debug, Default, Clone)]
struct Samples {
    ttfb_ms: Vec<f64>,
    burst_ttfb_ms: Vec<f64>,
    first_ttfb_ms: Vec<f64>,
    single_mib_s: Vec<f64>,
    /// Aggregate MiB/s per round, by the number of concurrent connections.
    many_mib_s: std::collections::BTreeMap<u64, Vec<f64>>,
    peak_rss_kib: Vec<u64>,
    cpu_seconds: Vec<f64>,
}

struct Settings {
    rounds: usize,
    ttfb_requests: usize,
    burst_requests: usize,
    ttfb_gap: Duration,
    single_mib: u64,
    connections: Vec<u64>,
    per_connection_mib: u64,
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::main]
async fn main() -> Result<()> {
    let settings = Settings {
        rounds: usize::try_from(env_number("BENCH_ROUNDS", 3)).unwrap_or(3),
        ttfb_requests: usize::try_from(env_number("BENCH_TTFB_REQUESTS", 30)).unwrap_or(30),
        burst_requests: usize::try_from(env_number("BENCH_BURST_REQUESTS", 100)).unwrap_or(100),
        ttfb_gap: Duration::from_millis(env_number("BENCH_TTFB_GAP_MS", 250)),
        single_mib: env_number("BENCH_SINGLE_MIB", 1024),
        connections: std::env::var("BENCH_CONNECTIONS")
            .unwrap_or_else(|_| "50,200".to_string())
            .split(',')
            .filter_map(|n| n.trim().parse().ok())
            .collect(),
        per_connection_mib: env_number("BENCH_PER_CONNECTION_MIB", 10),
    };
    let kubectl = std::env::var_os("KUBECTL")
        .map(PathBuf::from)
        .unwrap_or_else(|| polyaxon_e2e::workspace_root().join("target/testcluster/bin/kubectl"));
    let polyaxon = polyaxon_binary()?;
    println!("polyaxon: {}", polyaxon.display());
    println!("kubectl:  {}", kubectl.display());
    println!("machine before: {}", machine_state());

    let client = client().await?;
    let ns = unique_namespace("pf-bench");
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let params = PatchParams::apply("polyaxon-bench").force();
    namespaces
        .patch(
            &ns,
            &params,
            &Patch::Apply(
                json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}),
            ),
        )
        .await?;
    let outcome = run(&client, &ns, &polyaxon, &kubectl, &settings).await;
    let _ = namespaces.delete(&ns, &DeleteParams::background()).await;
    let (polyaxon_samples, kubectl_samples) = outcome?;
    println!("machine after:  {}", machine_state());
    report(&polyaxon_samples, &kubectl_samples, &settings);
    Ok(())
}

async fn run(
    client: &kube::Client,
    ns: &str,
    polyaxon: &std::path::Path,
    kubectl: &std::path::Path,
    settings: &Settings,
) -> Result<(Samples, Samples)> {
    let _backends = PodBackends::start(client, ns, Backend::HttpOrEcho).await?;
    let labels = json!({"app.kubernetes.io/instance": "agent", "app.kubernetes.io/name": "polyaxon-gateway"});
    let params = PatchParams::apply("polyaxon-bench").force();
    Api::<Service>::namespaced(client.clone(), ns)
        .patch(
            GATEWAY,
            &params,
            &Patch::Apply(json!({
                "apiVersion": "v1", "kind": "Service", "metadata": {"name": GATEWAY},
                "spec": {"selector": labels, "ports": [{"port": 80, "targetPort": "http"}]}
            })),
        )
        .await?;
    let deployments = Api::<Deployment>::namespaced(client.clone(), ns);
    deployments
        .patch(
            GATEWAY,
            &params,
            &Patch::Apply(json!({
                "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": GATEWAY},
                "spec": {"replicas": 1, "selector": {"matchLabels": labels},
                    "template": {"metadata": {"labels": labels}, "spec": {"containers": [{
                        "name": "gateway", "image": "polyaxon/polyaxon-gateway:2.4.0",
                        "ports": [{"name": "http", "containerPort": 8000}]}]}}}
            })),
        )
        .await?;
    tokio::time::timeout(
        Duration::from_secs(90),
        await_condition(deployments, GATEWAY, conditions::is_deployment_completed()),
    )
    .await
    .context("the gateway did not roll out")??;
    // Let the loopback server and its PortForward be in place.
    tokio::time::sleep(Duration::from_secs(2)).await;

    let mut polyaxon_samples = Samples::default();
    let mut kubectl_samples = Samples::default();
    for round in 0..settings.rounds {
        for tool in [Tool::Polyaxon, Tool::Kubectl] {
            let samples = match tool {
                Tool::Polyaxon => &mut polyaxon_samples,
                Tool::Kubectl => &mut kubectl_samples,
            };
            measure(tool, ns, polyaxon, kubectl, settings, samples)
                .await
                .with_context(|| format!("round {round}, {}", tool.name()))?;
            let many = samples
                .many_mib_s
                .iter()
                .map(|(n, v)| format!("{n} conns {:.1} MiB/s", v.last().copied().unwrap_or(0.0)))
                .collect::<Vec<_>>()
                .join(", ");
            println!(
                "round {round} {:>8}: ttfb median {:.1} ms (burst p99 {:.1} ms), 1 conn {:.1} MiB/s, {many}, peak RSS {} MiB",
                tool.name(),
                median(&samples.ttfb_ms[samples.ttfb_ms.len() - settings.ttfb_requests..]),
                percentile(
                    &samples.burst_ttfb_ms[samples.burst_ttfb_ms.len() - settings.burst_requests..],
                    0.99
                ),
                samples.single_mib_s.last().copied().unwrap_or(0.0),
                samples.peak_rss_kib.last().copied().unwrap_or(0) / 1024,
            );
        }
    }
    Ok((polyaxon_samples, kubectl_samples))
}

async fn measure(
    tool: Tool,
    ns: &str,
    polyaxon: &std::path::Path,
    kubectl: &std::path::Path,
    settings: &Settings,
    samples: &mut Samples,
) -> Result<()> {
    let port = free_port()?;
    let home = scratch_dir("pf-bench-home")?;
    let kubeconfig = kubeconfig();
    let kubeconfig = kubeconfig.to_str().context("UTF-8 path")?.to_string();
    let port_text = port.to_string();
    let mapping = format!("{port}:80");
    let (program, args): (&std::path::Path, Vec<&str>) = match tool {
        Tool::Polyaxon => (
            polyaxon,
            vec![
                "--kubeconfig",
                &kubeconfig,
                "-n",
                ns,
                "port-forward",
                "-r",
                "agent",
                "-p",
                &port_text,
            ],
        ),
        Tool::Kubectl => (
            kubectl,
            vec![
                "--kubeconfig",
                &kubeconfig,
                "-n",
                ns,
                "port-forward",
                "svc/agent-polyaxon-gateway",
                &mapping,
            ],
        ),
    };
    let time_program = PathBuf::from("/usr/bin/time");
    let mut all = vec!["-v", program.to_str().context("UTF-8 path")?];
    all.extend(args);
    let mut running = Running::spawn(&time_program, &all, &[("POLYAXON_HOME", home.as_os_str())])?;
    // Both print "Forwarding from 127.0.0.1:<port>" (kubectl on stdout).
    let needle = format!("Forwarding from 127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !running.stdout().contains(&needle) && !running.stderr().contains(&needle) {
        if Instant::now() > deadline || !running.is_running()? {
            bail!(
                "{} did not start:\n{}\n{}",
                tool.name(),
                running.stdout(),
                running.stderr()
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let address = std::net::SocketAddr::from(([127, 0, 0, 1], port));

    // Warm up: the first connection of kubectl also sets up its SPDY session
    // (and polyaxon opens its spare streams).
    let (first, _) = time_to_first_byte(address).await?;
    samples.first_ttfb_ms.push(first.as_secs_f64() * 1000.0);
    tokio::time::sleep(Duration::from_secs(1)).await;
    for burst in [false, true] {
        let requests = if burst {
            settings.burst_requests
        } else {
            settings.ttfb_requests
        };
        for _ in 0..requests {
            if !burst {
                tokio::time::sleep(settings.ttfb_gap).await;
            }
            let (elapsed, body) = time_to_first_byte(address).await?;
            if !body.starts_with("served by pod") {
                bail!("unexpected reply {body:?}");
            }
            let into = if burst {
                &mut samples.burst_ttfb_ms
            } else {
                &mut samples.ttfb_ms
            };
            into.push(elapsed.as_secs_f64() * 1000.0);
        }
    }

    let single = echo_exchange(address, settings.single_mib * MIB, 1, false).await?;
    if !single.intact() {
        bail!("single connection corrupted: {single:?}");
    }
    samples
        .single_mib_s
        .push(settings.single_mib as f64 / single.elapsed.as_secs_f64());

    for &connections in &settings.connections {
        let started = Instant::now();
        let reports =
            futures::future::try_join_all((0..connections).map(|i| {
                echo_exchange(address, settings.per_connection_mib * MIB, 100 + i, false)
            }))
            .await?;
        let elapsed = started.elapsed();
        if let Some(bad) = reports.iter().find(|r| !r.intact()) {
            bail!("a connection was corrupted: {bad:?}");
        }
        samples
            .many_mib_s
            .entry(connections)
            .or_default()
            .push((connections * settings.per_connection_mib) as f64 / elapsed.as_secs_f64());
    }

    // Stop the tool (not `time`, which reports once its child is gone).
    let child = Command::new("pgrep")
        .args(["-P", &running.id().to_string()])
        .stdout(Stdio::piped())
        .output()?;
    let child = String::from_utf8_lossy(&child.stdout).trim().to_string();
    Command::new("kill").args(["-INT", &child]).status()?;
    running.wait_exit(Duration::from_secs(20)).await?;
    let rss = running
        .stderr()
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes):")
                .map(|v| v.trim().parse::<u64>())
        })
        .context("no peak RSS from /usr/bin/time")??;
    samples.peak_rss_kib.push(rss);
    let seconds = |label: &str| {
        running
            .stderr()
            .lines()
            .find_map(|l| {
                l.trim()
                    .strip_prefix(label)
                    .and_then(|v| v.trim().parse::<f64>().ok())
            })
            .unwrap_or(0.0)
    };
    samples
        .cpu_seconds
        .push(seconds("User time (seconds):") + seconds("System time (seconds):"));
    let _ = std::fs::remove_dir_all(&home);
    Ok(())
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => 0.0,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

fn percentile(values: &[f64], p: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    if sorted.is_empty() {
        return 0.0;
    }
    let index = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

/// Smallest, median and largest of the values.
fn spread(values: &[f64]) -> (f64, f64, f64) {
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if values.is_empty() {
        return (0.0, 0.0, 0.0);
    }
    (min, median(values), max)
}

fn report(polyaxon: &Samples, kubectl: &Samples, settings: &Settings) {
    let rss = |s: &Samples| {
        s.peak_rss_kib
            .iter()
            .map(|&k| k as f64 / 1024.0)
            .collect::<Vec<_>>()
    };
    println!();
    println!(
        "{} rounds; time to first byte: {} connections {} ms apart, then a burst of {} back to back; \
         throughput: 1 connection of {} MiB each way, then {} MiB each way on each of N at once",
        settings.rounds,
        settings.ttfb_requests,
        settings.ttfb_gap.as_millis(),
        settings.burst_requests,
        settings.single_mib,
        settings.per_connection_mib,
    );
    println!(
        "{:<44} {:>24} {:>24} {:>10}",
        "measure", "polyaxon min/med/max", "kubectl min/med/max", "ratio"
    );
    let mut rows: Vec<(String, Vec<f64>, Vec<f64>)> = vec![
        (
            "time to first byte, spaced, p50 (ms)".into(),
            vec![median(&polyaxon.ttfb_ms)],
            vec![median(&kubectl.ttfb_ms)],
        ),
        (
            "first connection after start, TTFB (ms)".into(),
            polyaxon.first_ttfb_ms.clone(),
            kubectl.first_ttfb_ms.clone(),
        ),
        (
            "time to first byte, burst, p50 (ms)".into(),
            vec![median(&polyaxon.burst_ttfb_ms)],
            vec![median(&kubectl.burst_ttfb_ms)],
        ),
        (
            "time to first byte, burst, p99 (ms)".into(),
            vec![percentile(&polyaxon.burst_ttfb_ms, 0.99)],
            vec![percentile(&kubectl.burst_ttfb_ms, 0.99)],
        ),
        (
            "1 connection (MiB/s each way)".into(),
            polyaxon.single_mib_s.clone(),
            kubectl.single_mib_s.clone(),
        ),
    ];
    for connections in &settings.connections {
        let of = |s: &Samples| s.many_mib_s.get(connections).cloned().unwrap_or_default();
        rows.push((
            format!("{connections} connections (MiB/s each way, sum)"),
            of(polyaxon),
            of(kubectl),
        ));
    }
    rows.push(("peak RSS (MiB)".into(), rss(polyaxon), rss(kubectl)));
    rows.push((
        "CPU time per round, user+sys (s)".into(),
        polyaxon.cpu_seconds.clone(),
        kubectl.cpu_seconds.clone(),
    ));
    for (name, p, k) in rows {
        let (p_min, p_med, p_max) = spread(&p);
        let (k_min, k_med, k_max) = spread(&k);
        let ratio = if k_med > 0.0 { p_med / k_med } else { f64::NAN };
        println!(
            "{name:<44} {:>24} {:>24} {ratio:>10.2}",
            format!("{p_min:.1}/{p_med:.1}/{p_max:.1}"),
            format!("{k_min:.1}/{k_med:.1}/{k_max:.1}"),
        );
    }
}

fn machine_state() -> String {
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let cpus = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    format!(
        "{cpus} CPUs, load average {}",
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    )
}
