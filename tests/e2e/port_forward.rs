//! End-to-end tests of `polyaxon port-forward`, driving the real binary
//! against the test cluster. Each test deploys a gateway the way a release
//! names it (Service and Deployment `agent-polyaxon-gateway`, port 80 → the
//! pods' port 8000) in its own namespace; kwok sends the pods' forwarded
//! bytes to loopback servers this test runs (see `polyaxon_e2e::forward`).
//! The Polyaxon client config goes to a scratch `POLYAXON_HOME`, never the
//! real home.

use std::ffi::OsStr;
use std::net::{Ipv4Addr, SocketAddr};
use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use futures::FutureExt;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::authentication::v1::{TokenRequest, TokenRequestSpec};
use k8s_openapi::api::core::v1::{Namespace, Pod, Service, ServiceAccount};
use k8s_openapi::api::rbac::v1::{Role, RoleBinding};
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use kube::runtime::wait::{await_condition, conditions};
use kube::{Client, ResourceExt};
use polyaxon_core::forward::service_name;
use polyaxon_e2e::forward::{Backend, PodBackends, echo_exchange, http_get, read_response};
use polyaxon_e2e::{
    Running, client, free_port, kubeconfig, polyaxon_binary, scratch_dir, unique_namespace,
    user_claim, workspace_root,
};
use serde_json::json;
use tokio::io::AsyncWriteExt;

const WAIT: Duration = Duration::from_secs(90);
const RELEASE: &str = "agent";
const GATEWAY: &str = "agent-polyaxon-gateway";

// ---------------------------------------------------------------------------
// The cluster side
// ---------------------------------------------------------------------------

/// Runs `body` in a fresh namespace and deletes the namespace afterwards,
/// also when the body fails or panics.
async fn in_namespace<F, Fut>(prefix: &str, body: F) -> Result<()>
where
    F: FnOnce(Client, String) -> Fut,
    Fut: std::future::Future<Output = Result<()>>,
{
    let client = client().await?;
    let ns = unique_namespace(prefix);
    apply(
        &Api::<Namespace>::all(client.clone()),
        &ns,
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}),
    )
    .await?;
    let outcome = AssertUnwindSafe(body(client.clone(), ns.clone()))
        .catch_unwind()
        .await;
    let deleted = Api::<Namespace>::all(client)
        .delete(&ns, &DeleteParams::background())
        .await;
    match outcome {
        Ok(result) => result.and(deleted.map(|_| ()).context("deleting the namespace")),
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

async fn apply<K>(api: &Api<K>, name: &str, object: serde_json::Value) -> Result<K>
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
{
    api.patch(
        name,
        &PatchParams::apply("polyaxon-e2e").force(),
        &Patch::Apply(&object),
    )
    .await
    .with_context(|| format!("server-side apply of {name}"))
}

fn gateway_labels() -> serde_json::Value {
    json!({"app.kubernetes.io/instance": RELEASE, "app.kubernetes.io/name": "polyaxon-gateway"})
}

/// The gateway Service: port 80 → `target_port` (a name or a number).
async fn create_service(client: &Client, ns: &str, target_port: serde_json::Value) -> Result<()> {
    apply(
        &Api::<Service>::namespaced(client.clone(), ns),
        GATEWAY,
        json!({
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"name": GATEWAY},
            "spec": {"selector": gateway_labels(), "ports": [{"name": "http", "port": 80, "targetPort": target_port}]}
        }),
    )
    .await?;
    Ok(())
}

/// The gateway Deployment (container port `http` = 8000). `schedulable:
/// false` pins it to a node that does not exist, so its pod never gets Ready.
async fn create_deployment(client: &Client, ns: &str, schedulable: bool) -> Result<()> {
    let mut pod_spec = json!({
        "containers": [{"name": "gateway", "image": "polyaxon/polyaxon-gateway:2.4.0",
            "ports": [{"name": "http", "containerPort": 8000}]}]
    });
    if !schedulable {
        pod_spec["nodeSelector"] = json!({"polyaxon-e2e/no-such-node": "true"});
    }
    let deployments = Api::<Deployment>::namespaced(client.clone(), ns);
    apply(
        &deployments,
        GATEWAY,
        json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": GATEWAY},
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": gateway_labels()},
                "template": {"metadata": {"labels": gateway_labels()}, "spec": pod_spec}
            }
        }),
    )
    .await?;
    if schedulable {
        tokio::time::timeout(
            WAIT,
            await_condition(deployments, GATEWAY, conditions::is_deployment_completed()),
        )
        .await
        .context("the gateway Deployment did not roll out")??;
    }
    Ok(())
}

/// The names of the gateway's Ready pods.
async fn ready_pods(client: &Client, ns: &str) -> Result<Vec<String>> {
    let pods = Api::<Pod>::namespaced(client.clone(), ns)
        .list(&ListParams::default())
        .await?;
    Ok(pods
        .items
        .iter()
        .filter(|p| {
            p.metadata.deletion_timestamp.is_none()
                && p.status
                    .as_ref()
                    .and_then(|s| s.conditions.as_ref())
                    .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
        })
        .map(ResourceExt::name_any)
        .collect())
}

/// The one Ready gateway pod.
async fn the_ready_pod(client: &Client, ns: &str) -> Result<String> {
    match ready_pods(client, ns).await?.as_slice() {
        [one] => Ok(one.clone()),
        other => bail!("expected one Ready gateway pod, found {other:?}"),
    }
}

// ---------------------------------------------------------------------------
// The command
// ---------------------------------------------------------------------------

/// Starts `polyaxon <args…>` against the test cluster, with its Polyaxon
/// config in `home` (and HOME there too, so nothing touches the real one).
fn polyaxon(args: &[&str], home: &Path) -> Result<Running> {
    let kubeconfig = kubeconfig();
    let kubeconfig = kubeconfig
        .to_str()
        .context("kubeconfig path is not UTF-8")?;
    let mut all = vec!["--kubeconfig", kubeconfig];
    all.extend_from_slice(args);
    Running::spawn(
        &polyaxon_binary()?,
        &all,
        &[
            ("POLYAXON_HOME", home.as_os_str()),
            ("HOME", home.as_os_str()),
            ("NO_COLOR", OsStr::new("1")),
        ],
    )
}

/// Starts `polyaxon [-v] -n <ns> port-forward -r <release> -p <port>` and
/// waits until it says it forwards.
async fn forwarding(
    ns: &str,
    release: &str,
    port: u16,
    home: &Path,
    verbose: bool,
) -> Result<Running> {
    let port_arg = port.to_string();
    let mut args = vec!["-n", ns, "port-forward", "-r", release, "-p", &port_arg];
    if verbose {
        args.insert(0, "-v");
    }
    let mut forward = polyaxon(&args, home)?;
    forward
        .wait_for_stderr(&format!("Forwarding from 127.0.0.1:{port}"), WAIT)
        .await?;
    Ok(forward)
}

/// A forward that said no error, stopped with Ctrl-C, exits 0; its home
/// is removed.
async fn stops_cleanly(mut forward: Running, home: &Path) -> Result<()> {
    assert!(
        forward.stderr().lines().all(|l| !l.starts_with("error:")),
        "stderr:\n{}",
        forward.stderr()
    );
    forward.signal("INT")?;
    assert!(forward.wait_exit(Duration::from_secs(10)).await?.success());
    let _ = std::fs::remove_dir_all(home);
    Ok(())
}

fn local(port: u16) -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, port))
}

/// Runs a command that must fail; returns its exit code and stderr.
async fn fails(mut running: Running) -> Result<(i32, String)> {
    let status = running.wait_exit(WAIT).await?;
    let code = status.code().context("killed by a signal")?;
    if code == 0 {
        bail!(
            "expected a failure, got success; stderr:\n{}",
            running.stderr()
        );
    }
    Ok((code, running.stderr()))
}

// ---------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn port_forward_serves_the_gateway_on_localhost_and_points_the_client_config_at_it()
-> Result<()> {
    in_namespace("pf-http", |client, ns| async move {
        let _backends = PodBackends::start(&client, &ns, Backend::Http).await?;
        create_service(&client, &ns, json!("http")).await?;
        create_deployment(&client, &ns, true).await?;
        let pod = the_ready_pod(&client, &ns).await?;

        // A Polyaxon config from an earlier host, with cached files.
        let home = scratch_dir("pf-home")?;
        let config_dir = home.join(".polyaxon");
        std::fs::create_dir_all(&config_dir)?;
        std::fs::write(
            config_dir.join(".client"),
            r#"{"POLYAXON_HOST":"https://polyaxon.example.com","POLYAXON_VERIFY_SSL":false,"client_header":{}}"#,
        )?;
        for cached in [".cli", ".auth", ".user"] {
            std::fs::write(config_dir.join(cached), "{}")?;
        }

        let port = free_port()?;
        let mut forward = forwarding(&ns, RELEASE, port, &home, false).await?;
        let stdout = forward.stdout();
        assert!(stdout.contains("Client configuration is updated!"), "stdout: {stdout}");
        assert!(
            stdout.contains(&format!("Polyaxon will be available at: http://localhost:{port}")),
            "stdout: {stdout}"
        );

        // HTTP through localhost reaches the gateway pod.
        let (status, body) = http_get(local(port), "/api/v1/version").await?;
        assert_eq!((status, body.as_str()), (200, format!("served by pod {pod}\n").as_str()));
        // Several at once, each on its own stream.
        let replies = futures::future::join_all((0..8).map(|_| http_get(local(port), "/"))).await;
        for reply in replies {
            assert_eq!(reply?.0, 200);
        }
        // A client that half-closes after its request still gets the reply.
        let mut stream = tokio::net::TcpStream::connect(local(port)).await?;
        stream
            .write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            .await?;
        stream.shutdown().await?;
        let (status, body) = read_response(&mut stream).await?;
        assert_eq!((status, body.as_str()), (200, format!("served by pod {pod}\n").as_str()));

        // The client config points at the forward; the rest of it is kept;
        // the cached files are gone.
        let client_config: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(config_dir.join(".client"))?)?;
        assert_eq!(
            client_config,
            json!({"POLYAXON_HOST": format!("http://localhost:{port}"), "POLYAXON_VERIFY_SSL": false, "client_header": {}})
        );
        for cached in [".cli", ".auth", ".user"] {
            assert!(!config_dir.join(cached).exists(), "{cached} should be purged");
        }

        // Ctrl-C ends it cleanly and frees the port.
        forward.signal("INT")?;
        let status = forward.wait_exit(Duration::from_secs(10)).await?;
        assert!(status.success(), "exit status {status}; stderr:\n{}", forward.stderr());
        assert!(!forward.stderr().contains("error:"), "stderr:\n{}", forward.stderr());
        std::net::TcpListener::bind(local(port)).context("the local port is free again")?;
        let _ = std::fs::remove_dir_all(&home);
        Ok(())
    })
    .await
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn fifty_concurrent_connections_each_move_10_mib_both_ways_intact() -> Result<()> {
    in_namespace("pf-bulk", |client, ns| async move {
        let _backends = PodBackends::start(&client, &ns, Backend::Echo).await?;
        create_service(&client, &ns, json!(8000)).await?;
        create_deployment(&client, &ns, true).await?;

        let home = scratch_dir("pf-home")?;
        let port = free_port()?;
        let forward = forwarding(&ns, RELEASE, port, &home, false).await?;

        const SIZE: u64 = 10 * 1024 * 1024;
        let exchanges =
            (0..50u64).map(|i| echo_exchange(local(port), SIZE, 0x9e37_79b9 + i, false));
        let reports = tokio::time::timeout(
            Duration::from_secs(600),
            futures::future::try_join_all(exchanges),
        )
        .await
        .context("50 × 10 MiB did not finish in 10 minutes")??;
        assert_eq!(reports.len(), 50);
        for (i, report) in reports.iter().enumerate() {
            assert!(
                report.intact(),
                "connection {i}: sent {} bytes (checksum {:x}), got back {} (checksum {:x})",
                report.bytes,
                report.sent_checksum,
                report.received,
                report.received_checksum
            );
        }

        // A client that half-closes after sending still gets all of its echo.
        let half = echo_exchange(local(port), 1024 * 1024, 7, true).await?;
        assert!(half.intact(), "half-closed exchange: {half:?}");

        stops_cleanly(forward, &home).await
    })
    .await
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn fifty_concurrent_connections_share_one_spdy_session_and_each_gets_its_own_answer()
-> Result<()> {
    in_namespace("pf-session", |client, ns| async move {
        let backends = PodBackends::start(&client, &ns, Backend::HttpOrEcho).await?;
        create_service(&client, &ns, json!("http")).await?;
        create_deployment(&client, &ns, true).await?;
        let pod = the_ready_pod(&client, &ns).await?;
        backends.wait_for(&pod, WAIT).await?;

        let home = scratch_dir("pf-home")?;
        let port = free_port()?;
        let forward = forwarding(&ns, RELEASE, port, &home, true).await?;
        assert!(
            forward
                .stderr()
                .contains("port-forward transport: SPDY/3.1 over one WebSocket to the pod"),
            "the kit's API server tunnels SPDY; stderr:\n{}",
            forward.stderr()
        );

        // Half HTTP requests, half echoes of distinct bytes, all at once.
        let gets = futures::future::join_all((0..25).map(|_| http_get(local(port), "/")));
        let echoes = futures::future::try_join_all(
            (0..25u64).map(|i| echo_exchange(local(port), 1024 * 1024, 0x5eed_0000 + i, false)),
        );
        let (gets, echoes) = tokio::time::timeout(Duration::from_secs(120), async {
            tokio::join!(gets, echoes)
        })
        .await
        .context("50 connections did not finish in 2 minutes")?;
        for reply in gets {
            assert_eq!(reply?, (200, format!("served by pod {pod}\n")));
        }
        for (i, report) in echoes?.iter().enumerate() {
            assert!(report.intact(), "echo {i}: {report:?}");
        }

        // Every connection went over the first session, on a stream of its own.
        let opened = |stderr: &str| {
            stderr
                .lines()
                .filter(|l| l.contains("connection from ") && l.contains(" -> pod "))
                .map(str::to_string)
                .collect::<Vec<_>>()
        };
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while opened(&forward.stderr()).len() < 50 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let lines = opened(&forward.stderr());
        assert_eq!(lines.len(), 50, "stderr:\n{}", forward.stderr());
        let mut streams = std::collections::HashSet::new();
        for line in &lines {
            let stream = line
                .split("(SPDY session 1, stream ")
                .nth(1)
                .with_context(|| format!("not on session 1: {line}"))?;
            streams.insert(stream.trim_end_matches(')').to_string());
        }
        assert_eq!(streams.len(), 50, "one stream each: {lines:#?}");
        stops_cleanly(forward, &home).await
    })
    .await
}

/// Does the API server tunnel SPDY over WebSocket (its feature gate
/// PortForwardWebsockets, as its metrics report it)?
async fn api_server_tunnels_spdy(client: &Client) -> Result<bool> {
    let metrics = client
        .request_text(http::Request::get("/metrics").body(Vec::new())?)
        .await
        .context("reading the API server's /metrics")?;
    let gate = metrics
        .lines()
        .find(|l| l.starts_with("kubernetes_feature_enabled{name=\"PortForwardWebsockets\""))
        .with_context(|| "the API server reports no PortForwardWebsockets feature state")?;
    Ok(gate.trim_end().ends_with(" 1"))
}

/// The kit's API server tunnels SPDY, so this takes the SPDY branch there;
/// the fallback branch runs against a kit started with
/// `POLYAXON_TESTCLUSTER_FEATURE_GATES=PortForwardWebsockets=false
/// tests/cluster/up` (after `tests/cluster/down`), whose API server passes
/// the WebSocket on to kwok, which takes the v4 protocol from the offer.
#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn the_transport_is_spdy_where_the_api_server_tunnels_it_else_a_websocket_per_connection()
-> Result<()> {
    in_namespace("pf-transport", |client, ns| async move {
        let tunnels = api_server_tunnels_spdy(&client).await?;
        let backends = PodBackends::start(&client, &ns, Backend::HttpOrEcho).await?;
        create_service(&client, &ns, json!("http")).await?;
        create_deployment(&client, &ns, true).await?;
        let pod = the_ready_pod(&client, &ns).await?;
        backends.wait_for(&pod, WAIT).await?;

        let home = scratch_dir("pf-home")?;
        let port = free_port()?;
        let mut forward = forwarding(&ns, RELEASE, port, &home, true).await?;
        let (said, via) = if tunnels {
            ("port-forward transport: SPDY/3.1 over one WebSocket to the pod", "(SPDY session 1, stream ")
        } else {
            (
                "port-forward transport: a WebSocket per connection (v4.channel.k8s.io): the API server does not tunnel SPDY",
                "(its own WebSocket)",
            )
        };
        assert!(forward.stderr().contains(said), "expected {said:?}; stderr:\n{}", forward.stderr());

        let gets = futures::future::join_all((0..10).map(|_| http_get(local(port), "/"))).await;
        for reply in gets {
            assert_eq!(reply?, (200, format!("served by pod {pod}\n")));
        }
        let echo = echo_exchange(local(port), 256 * 1024, 11, true).await?;
        assert!(echo.intact(), "{echo:?}");
        forward
            .wait_for_stderr(via, Duration::from_secs(5))
            .await?;
        stops_cleanly(forward, &home).await
    })
    .await
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn new_connections_reach_the_replacement_pod_after_the_pod_is_deleted() -> Result<()> {
    in_namespace("pf-replace", |client, ns| async move {
        let backends = PodBackends::start(&client, &ns, Backend::Http).await?;
        create_service(&client, &ns, json!("http")).await?;
        create_deployment(&client, &ns, true).await?;
        let first = the_ready_pod(&client, &ns).await?;
        backends.wait_for(&first, WAIT).await?;

        // Release and namespace from a deployment config, as `-f` gives them
        // (a valid agent config: the loader validates the whole file).
        let home = scratch_dir("pf-home")?;
        let config = home.join("config.yml");
        std::fs::write(
            &config,
            format!(
                "deploymentChart: agent\nreleaseName: {RELEASE}\nnamespace: {ns}\n\
                 agent:\n  instance: acme.agents.test\n  token: test-token\n"
            ),
        )?;
        let port = free_port()?;
        let config_arg = config.to_str().context("UTF-8 path")?;
        let mut forward = polyaxon(
            &["port-forward", "-f", config_arg, "-p", &port.to_string()],
            &home,
        )?;
        forward
            .wait_for_stderr(&format!("-> pod {first} port 8000"), WAIT)
            .await?;
        let (_, body) = http_get(local(port), "/").await?;
        assert_eq!(body, format!("served by pod {first}\n"));

        // The pod goes away; the Deployment replaces it.
        Api::<Pod>::namespaced(client.clone(), &ns)
            .delete(&first, &DeleteParams::default())
            .await?;
        // A connection made while no pod is Ready waits for one.
        let during = tokio::spawn(http_get(local(port), "/"));
        let replacement = tokio::time::timeout(WAIT, async {
            loop {
                if let [one] = ready_pods(&client, &ns).await?.as_slice()
                    && *one != first
                {
                    return anyhow::Ok(one.clone());
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        })
        .await
        .context("the Deployment did not replace the pod")??;
        backends.wait_for(&replacement, WAIT).await?;

        let (status, body) = during.await??;
        assert_eq!(
            status, 200,
            "the connection made during the replacement is served"
        );
        assert!(
            body == format!("served by pod {first}\n")
                || body == format!("served by pod {replacement}\n"),
            "{body}"
        );
        // New connections go to the replacement, without restarting the command.
        for _ in 0..3 {
            let (status, body) = http_get(local(port), "/").await?;
            assert_eq!(
                (status, body),
                (200, format!("served by pod {replacement}\n"))
            );
        }
        assert!(forward.is_running()?, "the command keeps running");
        forward
            .wait_for_stderr(
                &format!("forwarding new connections to pod {replacement}"),
                Duration::from_secs(5),
            )
            .await?;
        assert!(
            forward.stderr().contains(&format!("pod {first} ")),
            "stderr:\n{}",
            forward.stderr()
        );

        forward.signal("INT")?;
        assert!(forward.wait_exit(Duration::from_secs(10)).await?.success());
        let _ = std::fs::remove_dir_all(&home);
        Ok(())
    })
    .await
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn an_unknown_release_lists_the_gateway_services_that_exist() -> Result<()> {
    in_namespace("pf-norelease", |client, ns| async move {
        create_service(&client, &ns, json!("http")).await?;
        let home = scratch_dir("pf-home")?;
        let (code, stderr) = fails(polyaxon(&["-n", &ns, "port-forward", "-r", "nope"], &home)?).await?;
        assert_eq!(code, 1, "stderr:\n{stderr}");
        assert!(
            stderr.contains(&format!(
                "error: release nope has no gateway service in namespace {ns} (no Service nope-polyaxon-gateway); \
                 gateway services in namespace {ns}: agent-polyaxon-gateway (release agent)\n  \
                 hint: name the release with -r, e.g. -r agent"
            )),
            "stderr:\n{stderr}"
        );
        assert!(!home.join(".polyaxon/.client").exists(), "the client config is left alone on error");
        let _ = std::fs::remove_dir_all(&home);
        Ok(())
    })
    .await
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn no_ready_pod_says_why_the_pods_are_not_ready() -> Result<()> {
    in_namespace("pf-notready", |client, ns| async move {
        create_service(&client, &ns, json!("http")).await?;
        create_deployment(&client, &ns, false).await?;
        // Wait for the scheduler to give up on the pod.
        let pods = Api::<Pod>::namespaced(client.clone(), &ns);
        tokio::time::timeout(WAIT, async {
            loop {
                let unscheduled = pods
                    .list(&ListParams::default())
                    .await?
                    .items
                    .iter()
                    .any(|p| {
                        p.status
                            .as_ref()
                            .and_then(|s| s.conditions.as_ref())
                            .is_some_and(|c| {
                                c.iter()
                                    .any(|c| c.type_ == "PodScheduled" && c.status == "False")
                            })
                    });
                if unscheduled {
                    return anyhow::Ok(());
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        })
        .await
        .context("the pod was never reported unschedulable")??;

        let home = scratch_dir("pf-home")?;
        let (code, stderr) = fails(polyaxon(
            &["-n", &ns, "port-forward", "-r", RELEASE],
            &home,
        )?)
        .await?;
        assert_eq!(code, 1, "stderr:\n{stderr}");
        assert!(
            stderr.contains(&format!(
                "error: no Ready pod behind service {GATEWAY} in namespace {ns}: pod {GATEWAY}-"
            )),
            "stderr:\n{stderr}"
        );
        assert!(
            stderr.contains("is not scheduled: Unschedulable: 0/1 nodes are available"),
            "stderr:\n{stderr}"
        );
        let _ = std::fs::remove_dir_all(&home);
        Ok(())
    })
    .await
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn a_local_port_in_use_is_reported() -> Result<()> {
    in_namespace("pf-portinuse", |client, ns| async move {
        create_service(&client, &ns, json!("http")).await?;
        create_deployment(&client, &ns, true).await?;
        let taken = std::net::TcpListener::bind("127.0.0.1:0")?;
        let port = taken.local_addr()?.port();
        let home = scratch_dir("pf-home")?;
        let (code, stderr) = fails(polyaxon(
            &[
                "-n",
                &ns,
                "port-forward",
                "-r",
                RELEASE,
                "-p",
                &port.to_string(),
            ],
            &home,
        )?)
        .await?;
        assert_eq!(code, 1, "stderr:\n{stderr}");
        assert!(
            stderr.contains(&format!(
                "error: local port {port} on 127.0.0.1 is already in use\n  \
                 hint: stop what uses it or pick another port with -p/--port"
            )),
            "stderr:\n{stderr}"
        );
        drop(taken);
        let _ = std::fs::remove_dir_all(&home);
        Ok(())
    })
    .await
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn a_user_without_pods_portforward_rights_is_told_so() -> Result<()> {
    in_namespace("pf-rbac", |client, ns| async move {
        create_service(&client, &ns, json!("http")).await?;
        create_deployment(&client, &ns, true).await?;

        // A service account that may read services and pods, not forward to them.
        apply(
            &Api::<ServiceAccount>::namespaced(client.clone(), &ns),
            "viewer",
            json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "viewer"}}),
        )
        .await?;
        apply(
            &Api::<Role>::namespaced(client.clone(), &ns),
            "viewer",
            json!({
                "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
                "metadata": {"name": "viewer"},
                "rules": [{"apiGroups": [""], "resources": ["services", "pods"], "verbs": ["get", "list", "watch"]}]
            }),
        )
        .await?;
        apply(
            &Api::<RoleBinding>::namespaced(client.clone(), &ns),
            "viewer",
            json!({
                "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                "metadata": {"name": "viewer"},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "viewer"},
                "subjects": [{"kind": "ServiceAccount", "name": "viewer", "namespace": ns}]
            }),
        )
        .await?;
        let token = Api::<ServiceAccount>::namespaced(client.clone(), &ns)
            .create_token_request(
                "viewer",
                &PostParams::default(),
                &TokenRequest {
                    spec: Some(TokenRequestSpec {
                        expiration_seconds: Some(600),
                        ..TokenRequestSpec::default()
                    }),
                    ..TokenRequest::default()
                },
            )
            .await?
            .status
            .context("token request without status")?
            .token;

        // The test kubeconfig, with the service account's token as its user.
        let mut config: serde_yaml::Value = serde_yaml::from_str(&std::fs::read_to_string(kubeconfig())?)?;
        config["users"] = serde_yaml::to_value(json!([{"name": "viewer", "user": {"token": token}}]))?;
        for context in config["contexts"].as_sequence_mut().context("contexts")? {
            context["context"]["user"] = "viewer".into();
        }
        let home = scratch_dir("pf-home")?;
        let viewer_config = home.join("viewer.kubeconfig");
        std::fs::write(&viewer_config, serde_yaml::to_string(&config)?)?;

        let (code, stderr) = fails(Running::spawn(
            &polyaxon_binary()?,
            &[
                "--kubeconfig",
                viewer_config.to_str().context("UTF-8 path")?,
                "-n",
                &ns,
                "port-forward",
                "-r",
                RELEASE,
                "-p",
                &free_port()?.to_string(),
            ],
            &[("POLYAXON_HOME", home.as_os_str()), ("HOME", home.as_os_str()), ("NO_COLOR", OsStr::new("1"))],
        )?)
        .await?;
        assert_eq!(code, 3, "stderr:\n{stderr}");
        assert!(
            stderr.contains(&format!(
                "error: permission denied: system:serviceaccount:{ns}:viewer cannot create pods/portforward in namespace {ns}"
            )),
            "stderr:\n{stderr}"
        );
        let _ = std::fs::remove_dir_all(&home);
        Ok(())
    })
    .await
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn a_release_named_with_53_characters_deploys_and_port_forwards() -> Result<()> {
    // Helm's longest release name: `<release>-polyaxon-gateway` is 70
    // characters, so the gateway Service has a name fitted to 63, and the
    // forward must find it by the same rule the renderer named it by.
    const LONG: &str = "a-release-named-with-fifty-three-characters-forwarded";
    assert_eq!(LONG.len(), 53);
    in_namespace("pf-long", |client, ns| async move {
        user_claim(&client, &ns, "polyaxon-artifacts").await?;
        let backends = PodBackends::start(&client, &ns, Backend::Http).await?;
        let home = scratch_dir("pf-home")?;
        let config = workspace_root().join("examples/agent.yml");
        let config = config.to_str().context("UTF-8 path")?;
        let mut deploy = polyaxon(&["-n", &ns, "deploy", "-f", config, "-r", LONG], &home)?;
        let status = deploy.wait_exit(Duration::from_secs(300)).await?;
        assert!(status.success(), "deploy failed: {}", deploy.stderr());

        let service = service_name(LONG, "gateway");
        assert!(service.len() <= 63, "{service}");
        Api::<Service>::namespaced(client.clone(), &ns)
            .get(&service)
            .await
            .with_context(|| format!("the deploy created no Service {service}"))?;

        let port = free_port()?;
        let mut forward = polyaxon(
            &[
                "-n",
                &ns,
                "port-forward",
                "-r",
                LONG,
                "-p",
                &port.to_string(),
            ],
            &home,
        )?;
        forward
            .wait_for_stderr(
                &format!("Forwarding from 127.0.0.1:{port} -> service {service} port 80"),
                WAIT,
            )
            .await?;
        let stderr = forward.stderr();
        let pod = stderr
            .split(" -> pod ")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .with_context(|| format!("no pod named in:\n{stderr}"))?
            .to_string();
        backends.wait_for(&pod, WAIT).await?;
        let (status, body) = http_get(local(port), "/api/v1/version").await?;
        assert_eq!((status, body), (200, format!("served by pod {pod}\n")));
        forward.signal("INT")?;
        let status = forward.wait_exit(Duration::from_secs(10)).await?;
        assert!(status.success(), "stderr:\n{}", forward.stderr());

        let mut teardown = polyaxon(&["-n", &ns, "teardown", "-r", LONG, "--yes"], &home)?;
        let status = teardown.wait_exit(Duration::from_secs(300)).await?;
        assert!(status.success(), "teardown failed: {}", teardown.stderr());
        let _ = std::fs::remove_dir_all(&home);
        Ok(())
    })
    .await
}

/// A gateway whose one pod answers HTTP (its loopback server kept running
/// while the returned backends live), and that pod's name.
async fn http_gateway(client: &Client, ns: &str) -> Result<(PodBackends, String)> {
    let backends = PodBackends::start(client, ns, Backend::Http).await?;
    create_service(client, ns, json!("http")).await?;
    create_deployment(client, ns, true).await?;
    Ok((backends, the_ready_pod(client, ns).await?))
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn a_wildcard_address_points_the_client_config_at_localhost_and_says_so() -> Result<()> {
    in_namespace("pf-wildcard", |client, ns| async move {
        let (_backends, pod) = http_gateway(&client, &ns).await?;
        let home = scratch_dir("pf-wildcard-home")?;
        let port = free_port()?;
        let flags = format!("-n {ns} port-forward -r {RELEASE} -p {port} --address 0.0.0.0");
        let mut forward = polyaxon(&flags.split(' ').collect::<Vec<_>>(), &home)?;
        forward
            .wait_for_stderr(&format!("Forwarding from 0.0.0.0:{port}"), WAIT)
            .await?;
        let host = format!("http://localhost:{port}");
        assert!(
            forward
                .stdout()
                .contains(&format!("Polyaxon will be available at: {host}")),
            "stdout: {}",
            forward.stdout()
        );
        assert!(
            forward.stderr().contains(&format!(
                "Listening on every interface (0.0.0.0); the client config points at {host}"
            )),
            "stderr: {}",
            forward.stderr()
        );
        let client_config: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(home.join(".polyaxon/.client"))?)?;
        assert_eq!(client_config["POLYAXON_HOST"], host.as_str());
        // The host written is one a client reaches.
        let (status, body) = http_get(local(port), "/").await?;
        assert_eq!((status, body), (200, format!("served by pod {pod}\n")));
        forward.signal("INT")?;
        forward.wait_exit(Duration::from_secs(10)).await?;
        let _ = std::fs::remove_dir_all(&home);
        Ok(())
    })
    .await
}
