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
//! forwarding process, from `/usr/bin/time -v`, and the CPU time the kit's
//! API server, kwok and etcd spent meanwhile (from /proc).
//!
//! With `BENCH_KUBE_RS=1`, a third forwarder runs the same exchanges: kube-rs's own
//! `Api::<Pod>::portforward`, one WebSocket per connection, in this process:
//! what a bare client gets from the API server and kwok on this machine.
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
use k8s_openapi::api::core::v1::{Namespace, Pod, Service};
use kube::ResourceExt;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams};
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
    /// kube-rs's own `Api::<Pod>::portforward`, in this process, one
    /// WebSocket per connection: what the API server and kwok give a bare
    /// client.
    Bare,
}

impl Tool {
    fn name(self) -> &'static str {
        match self {
            Tool::Polyaxon => "polyaxon",
            Tool::Kubectl => "kubectl",
            Tool::Bare => "kube-rs",
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
    /// CPU time of the kit's API server, kwok and etcd per round.
    server_cpu_seconds: Vec<f64>,
}

struct Settings {
    rounds: usize,
    ttfb_requests: usize,
    burst_requests: usize,
    ttfb_gap: Duration,
    single_mib: u64,
    connections: Vec<u64>,
    per_connection_mib: u64,
    /// Also measure kube-rs's own port-forward (BENCH_KUBE_RS=1).
    kube_rs: bool,
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
        kube_rs: env_number("BENCH_KUBE_RS", 0) == 1,
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
    let samples = outcome?;
    println!("machine after:  {}", machine_state());
    report(&samples, &settings);
    Ok(())
}

async fn run(
    client: &kube::Client,
    ns: &str,
    polyaxon: &std::path::Path,
    kubectl: &std::path::Path,
    settings: &Settings,
) -> Result<Vec<Samples>> {
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

    let tools = [Tool::Polyaxon, Tool::Kubectl, Tool::Bare];
    // The bare kube-rs forwarder only with BENCH_KUBE_RS=1: at a load
    // average of 20 its round did not end within 15 minutes (debug build).
    let measured = if settings.kube_rs { 3 } else { 2 };
    let mut all: Vec<Samples> = vec![Samples::default(); tools.len()];
    for round in 0..settings.rounds {
        // The order turns each round, so that no tool always runs first.
        for i in 0..measured {
            let index = (i + round) % measured;
            let tool = tools[index];
            let samples = &mut all[index];
            measure(client, tool, ns, polyaxon, kubectl, settings, samples)
                .await
                .with_context(|| format!("round {round}, {}", tool.name()))?;
            let many = samples
                .many_mib_s
                .iter()
                .map(|(n, v)| format!("{n} conns {:.1} MiB/s", v.last().copied().unwrap_or(0.0)))
                .collect::<Vec<_>>()
                .join(", ");
            println!(
                "round {round} {:>8}: ttfb median {:.1} ms (burst p99 {:.1} ms), 1 conn {:.1} MiB/s, {many}, peak RSS {} MiB, server CPU {:.1} s, load {}",
                tool.name(),
                median(&samples.ttfb_ms[samples.ttfb_ms.len() - settings.ttfb_requests..]),
                percentile(
                    &samples.burst_ttfb_ms[samples.burst_ttfb_ms.len() - settings.burst_requests..],
                    0.99
                ),
                samples.single_mib_s.last().copied().unwrap_or(0.0),
                samples.peak_rss_kib.last().copied().unwrap_or(0) / 1024,
                samples.server_cpu_seconds.last().copied().unwrap_or(0.0),
                machine_state(),
            );
        }
    }
    Ok(all)
}

/// A forwarder made of kube-rs's `Api::<Pod>::portforward` alone, in this
/// process: each accepted connection gets its own WebSocket to the
/// gateway's pod (port 8000) and is copied both ways. Stops when dropped.
struct BareForward {
    address: std::net::SocketAddr,
    serving: tokio::task::JoinHandle<()>,
}

impl Drop for BareForward {
    fn drop(&mut self) {
        self.serving.abort();
    }
}

impl BareForward {
    async fn start(client: &kube::Client, ns: &str) -> Result<Self> {
        let pods: Api<Pod> = Api::namespaced(client.clone(), ns);
        let listed = pods
            .list(&ListParams::default().labels("app.kubernetes.io/name=polyaxon-gateway"))
            .await?;
        let pod = listed
            .items
            .first()
            .map(ResourceExt::name_any)
            .context("no gateway pod")?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let serving = tokio::spawn(async move {
            while let Ok((mut local, _)) = listener.accept().await {
                let pods = pods.clone();
                let pod = pod.clone();
                tokio::spawn(async move {
                    let Ok(mut forwarder) = pods.portforward(&pod, &[8000]).await else {
                        return;
                    };
                    if let Some(mut remote) = forwarder.take_stream(8000) {
                        let _ = tokio::io::copy_bidirectional(&mut local, &mut remote).await;
                    }
                    forwarder.abort();
                });
            }
        });
        Ok(Self { address, serving })
    }
}

/// CPU time (user + system, seconds) the kit's own processes (API server,
/// kwok, etcd) have used so far: found by the kit's folder in their
/// command lines.
fn server_cpu_seconds() -> f64 {
    let kit = polyaxon_e2e::workspace_root().join("target/testcluster");
    let kit = kit.to_string_lossy().to_string();
    let ticks_per_second = 100.0;
    let mut total = 0.0;
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0.0;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(cmdline) = std::fs::read(path.join("cmdline")) else {
            continue;
        };
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        let first = cmdline.split(' ').next().unwrap_or_default();
        let server = ["kube-apiserver", "kwok", "etcd"]
            .iter()
            .any(|name| first.ends_with(&format!("/{name}")) || first == *name);
        if !server || !cmdline.contains(&kit) {
            continue;
        }
        let Ok(stat) = std::fs::read_to_string(path.join("stat")) else {
            continue;
        };
        // Fields after the command name (which may hold spaces): utime is
        // the 14th field of the line, stime the 15th.
        let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
            continue;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let ticks = |i: usize| {
            fields
                .get(i)
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        total += (ticks(11) + ticks(12)) / ticks_per_second;
    }
    total
}

async fn measure(
    client: &kube::Client,
    tool: Tool,
    ns: &str,
    polyaxon: &std::path::Path,
    kubectl: &std::path::Path,
    settings: &Settings,
    samples: &mut Samples,
) -> Result<()> {
    let server_cpu_before = server_cpu_seconds();
    if tool == Tool::Bare {
        let bare = BareForward::start(client, ns).await?;
        exchanges(bare.address, settings, samples).await?;
        samples
            .server_cpu_seconds
            .push(server_cpu_seconds() - server_cpu_before);
        return Ok(());
    }
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
                // -v says which transport it took (and a line per
                // connection, as kubectl prints one).
                "-v",
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
        // The bare forwarder runs in this process (returned above).
        Tool::Kubectl | Tool::Bare => (
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
    if let Some(transport) = running
        .stderr()
        .lines()
        .find(|l| l.contains("port-forward transport:"))
    {
        println!("{}: {}", tool.name(), transport.trim());
    }
    let address = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    exchanges(address, settings, samples).await?;
    samples
        .server_cpu_seconds
        .push(server_cpu_seconds() - server_cpu_before);

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

/// The measured exchanges through a forward listening on `address`.
async fn exchanges(
    address: std::net::SocketAddr,
    settings: &Settings,
    samples: &mut Samples,
) -> Result<()> {
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

/// The table: polyaxon, kubectl and bare kube-rs (`all`, in that order),
/// min/median/max over the rounds, and polyaxon/kubectl of the medians.
fn report(all: &[Samples], settings: &Settings) {
    let rss = |s: &Samples| {
        s.peak_rss_kib
            .iter()
            .map(|&k| k as f64 / 1024.0)
            .collect::<Vec<_>>()
    };
    println!();
    println!(
        "{} rounds; time to first byte: {} connections {} ms apart, then a burst of {} back to back; \
         throughput: 1 connection of {} MiB each way, then {} MiB each way on each of N at once; \
         kube-rs: Api::portforward in the benchmark's process (its memory and CPU are not its own)",
        settings.rounds,
        settings.ttfb_requests,
        settings.ttfb_gap.as_millis(),
        settings.burst_requests,
        settings.single_mib,
        settings.per_connection_mib,
    );
    println!(
        "{:<44} {:>22} {:>22} {:>22} {:>8}",
        "measure", "polyaxon min/med/max", "kubectl min/med/max", "kube-rs min/med/max", "ratio"
    );
    type Measure = Box<dyn Fn(&Samples) -> Vec<f64>>;
    let mut rows: Vec<(String, Measure)> = vec![
        (
            "time to first byte, spaced, p50 (ms)".into(),
            Box::new(|s: &Samples| vec![median(&s.ttfb_ms)]),
        ),
        (
            "first connection after start, TTFB (ms)".into(),
            Box::new(|s: &Samples| s.first_ttfb_ms.clone()),
        ),
        (
            "time to first byte, burst, p50 (ms)".into(),
            Box::new(|s: &Samples| vec![median(&s.burst_ttfb_ms)]),
        ),
        (
            "time to first byte, burst, p99 (ms)".into(),
            Box::new(|s: &Samples| vec![percentile(&s.burst_ttfb_ms, 0.99)]),
        ),
        (
            "1 connection (MiB/s each way)".into(),
            Box::new(|s: &Samples| s.single_mib_s.clone()),
        ),
    ];
    for &connections in &settings.connections {
        rows.push((
            format!("{connections} connections (MiB/s each way, sum)"),
            Box::new(move |s: &Samples| {
                s.many_mib_s.get(&connections).cloned().unwrap_or_default()
            }),
        ));
    }
    rows.push(("peak RSS (MiB)".into(), Box::new(rss)));
    rows.push((
        "CPU time per round, user+sys (s)".into(),
        Box::new(|s: &Samples| s.cpu_seconds.clone()),
    ));
    rows.push((
        "API server+kwok+etcd CPU per round (s)".into(),
        Box::new(|s: &Samples| s.server_cpu_seconds.clone()),
    ));
    for (name, of) in rows {
        let cells: Vec<(f64, f64, f64)> = all.iter().map(|s| spread(&of(s))).collect();
        let ratio = if cells[1].1 > 0.0 {
            cells[0].1 / cells[1].1
        } else {
            f64::NAN
        };
        let cell = |(min, med, max): (f64, f64, f64)| {
            if med == 0.0 && max == 0.0 {
                "-".to_string()
            } else {
                format!("{min:.1}/{med:.1}/{max:.1}")
            }
        };
        println!(
            "{name:<44} {:>22} {:>22} {:>22} {ratio:>8.2}",
            cell(cells[0]),
            cell(cells[1]),
            cell(cells[2]),
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
