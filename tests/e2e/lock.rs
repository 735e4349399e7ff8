//! The release lock against the real API server: a lock taken over by
//! another operation is lost (and left to it), a lock left by a process
//! that died on this machine is taken over at once, one held elsewhere is
//! refused with its holder, and `polyaxon unlock` removes it after asking.

use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{Context, Result};
use k8s_openapi::api::coordination::v1::Lease;
use kube::Client;
use kube::api::{Api, PostParams};
use polyaxon_core::release::{LockError, Process, ReleaseLock};
use polyaxon_e2e::{
    client, delete_namespace, ensure_namespace, kubeconfig, polyaxon_binary, unique_namespace,
};
use serde_json::json;

/// Writes the lock of `release` as held by `process` for `operation`, renewed
/// now, as another `polyaxon` would.
async fn lock_as(client: &Client, ns: &str, release: &str, process: &Process) -> Result<()> {
    let leases: Api<Lease> = Api::namespaced(client.clone(), ns);
    let now = k8s_openapi::jiff::Timestamp::now().to_string();
    let lease: Lease = serde_json::from_value(json!({
        "metadata": {
            "name": ReleaseLock::lease_name(release),
            "annotations": {
                "polyaxon.dev/lock-operation": "upgrade",
                "polyaxon.dev/lock-user": process.user,
                "polyaxon.dev/lock-host": process.host,
                "polyaxon.dev/lock-pid": process.pid.to_string(),
            }
        },
        "spec": {
            "holderIdentity": format!("polyaxon upgrade by {process} #other"),
            "leaseDurationSeconds": 60,
            "acquireTime": now,
            "renewTime": now,
        }
    }))?;
    match leases.get_opt(&ReleaseLock::lease_name(release)).await? {
        Some(existing) => {
            let mut taken = lease;
            taken.metadata.resource_version = existing.metadata.resource_version;
            leases
                .replace(
                    &ReleaseLock::lease_name(release),
                    &PostParams::default(),
                    &taken,
                )
                .await?;
        }
        None => {
            leases.create(&PostParams::default(), &lease).await?;
        }
    }
    Ok(())
}

fn dead_process_here() -> Result<Process> {
    let mut child = Command::new("true").spawn()?;
    let pid = child.id();
    child.wait()?;
    Ok(Process {
        pid,
        ..Process::current()
    })
}

fn process_elsewhere() -> Process {
    Process {
        host: "another-machine.example".into(),
        pid: 1,
        started: None,
        user: "ann".into(),
    }
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn a_lock_taken_over_by_another_operation_is_lost_and_left_to_it() -> Result<()> {
    let client = client().await?;
    let ns = unique_namespace("lock-lost");
    ensure_namespace(&client, &ns).await?;
    // A 4 s lease is renewed every second.
    let lock = ReleaseLock::acquire_for(client.clone(), &ns, "rel", "deploy", 4).await?;
    // As after this client was cut off for longer than the lease: another
    // operation took the lock over.
    lock_as(&client, &ns, "rel", &process_elsewhere()).await?;
    let lost = tokio::time::timeout(Duration::from_secs(5), lock.lost())
        .await
        .context("the lock holder noticed within 5 s that the lock is someone else's")?;
    let message = lost.to_string();
    assert!(matches!(lost, LockError::Lost { .. }), "{message}");
    assert!(
        message.contains("held by polyaxon upgrade by ann@another-machine.example"),
        "{message}"
    );
    lock.release().await?;
    let leases: Api<Lease> = Api::namespaced(client.clone(), &ns);
    let left = leases.get(&ReleaseLock::lease_name("rel")).await?;
    assert_eq!(
        left.spec.and_then(|s| s.holder_identity).as_deref(),
        Some("polyaxon upgrade by ann@another-machine.example (pid 1) #other"),
        "giving back a lost lock leaves the new holder's lock alone"
    );
    delete_namespace(&client, &ns).await;
    Ok(())
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn a_lock_left_by_a_dead_process_here_is_taken_over_and_a_live_one_is_refused() -> Result<()>
{
    let client = client().await?;
    let ns = unique_namespace("lock-dead");
    ensure_namespace(&client, &ns).await?;

    lock_as(&client, &ns, "rel", &dead_process_here()?).await?;
    let lock = ReleaseLock::acquire(client.clone(), &ns, "rel", "deploy").await?;

    // A second operation of this very process is another holder: refused.
    let second = ReleaseLock::acquire(client.clone(), &ns, "rel", "upgrade").await;
    match second {
        Err(LockError::Held { holder, .. }) => {
            assert_eq!(holder.operation, "deploy");
            assert_eq!(holder.process.map(|p| p.pid), Some(std::process::id()));
        }
        other => panic!("expected Held, got {:?}", other.map(|_| ())),
    }
    lock.release().await?;

    // A holder on another machine cannot be known dead: refused, named.
    lock_as(&client, &ns, "rel", &process_elsewhere()).await?;
    let refused = ReleaseLock::acquire(client.clone(), &ns, "rel", "deploy").await;
    let message = refused.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(
        message.contains("locked by polyaxon upgrade by ann@another-machine.example (pid 1)"),
        "{message}"
    );
    delete_namespace(&client, &ns).await;
    Ok(())
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn unlock_asks_then_removes_a_lock_held_on_another_machine() -> Result<()> {
    let client = client().await?;
    let ns = unique_namespace("unlock");
    ensure_namespace(&client, &ns).await?;
    lock_as(&client, &ns, "rel", &process_elsewhere()).await?;
    let unlock = |extra: &[&str]| -> Result<std::process::Output> {
        Ok(Command::new(polyaxon_binary()?)
            .arg("--kubeconfig")
            .arg(kubeconfig())
            .args(["unlock", "-r", "rel", "-n", &ns])
            .args(extra)
            .env_remove("KUBECONFIG")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .output()?)
    };
    let unconfirmed = unlock(&[])?;
    assert_eq!(unconfirmed.status.code(), Some(2), "no terminal, no --yes");
    let leases: Api<Lease> = Api::namespaced(client.clone(), &ns);
    assert!(
        leases
            .get_opt(&ReleaseLock::lease_name("rel"))
            .await?
            .is_some(),
        "an unconfirmed unlock leaves the lock"
    );

    let confirmed = unlock(&["--yes"])?;
    let said = String::from_utf8_lossy(&confirmed.stderr).into_owned()
        + &String::from_utf8_lossy(&confirmed.stdout);
    assert!(confirmed.status.success(), "{said}");
    assert!(
        said.contains("held by polyaxon upgrade by ann@another-machine.example (pid 1)"),
        "{said}"
    );
    assert!(
        leases
            .get_opt(&ReleaseLock::lease_name("rel"))
            .await?
            .is_none()
    );
    delete_namespace(&client, &ns).await;
    Ok(())
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn operations_racing_for_one_lock_each_get_it_or_are_told_it_is_held() -> Result<()> {
    let client = client().await?;
    let ns = unique_namespace("lock-race");
    ensure_namespace(&client, &ns).await?;
    // Six operations take and give back one lock as fast as they can, as
    // deploys of several releases do with the lock of cluster-scoped objects:
    // a lock given back between another's create and read must not surface
    // as an API error (404 NotFound) to that other one.
    let mut racers = Vec::new();
    for racer in 0..6 {
        let client = client.clone();
        let ns = ns.clone();
        racers.push(tokio::spawn(async move {
            let (mut taken, mut held) = (0u32, 0u32);
            for _ in 0..25 {
                match ReleaseLock::acquire(client.clone(), &ns, "shared", "deploy").await {
                    Ok(lock) => {
                        taken += 1;
                        lock.release().await?;
                    }
                    Err(LockError::Held { .. }) => held += 1,
                    Err(other) => anyhow::bail!("racer {racer}: {other}"),
                }
            }
            Ok::<_, anyhow::Error>((taken, held))
        }));
    }
    let mut taken = 0;
    for racer in racers {
        let (t, _held) = racer.await.context("a racer panicked")??;
        taken += t;
    }
    assert!(taken > 0, "nobody ever took the lock");
    delete_namespace(&client, &ns).await;
    Ok(())
}
