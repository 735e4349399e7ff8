//! API refusals as a user reads them: a deploy that RBAC forbids and one a
//! ResourceQuota refuses each say who refused what, and the fix, in a
//! sentence; never the API server's `Status` in Rust's debug output.

use anyhow::Result;
use k8s_openapi::api::core::v1::{ResourceQuota, Service};
use kube::api::{Api, ListParams, Patch, PatchParams};
use kube::config::Kubeconfig;
use polyaxon_e2e::cli::run_with;
use polyaxon_e2e::{
    client, delete_namespace, quota_usage_filled_in, scratch_dir, unique_namespace, user_claim,
};

fn assert_no_raw_dump(stderr: &str) {
    for raw in ["Status {", "ApiError", "ServiceError", "Some(", "code: 403"] {
        assert!(!stderr.contains(raw), "printed {raw:?}:\n{stderr}");
    }
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn a_deploy_forbidden_by_rbac_names_the_user_the_permission_and_the_grant() -> Result<()> {
    let client = client().await?;
    let ns = unique_namespace("forbidden");
    user_claim(&client, &ns, "polyaxon-artifacts").await?;
    // The kit's credentials, acting as a service account no role names.
    let user = format!("system:serviceaccount:{ns}:nobody");
    let mut config = Kubeconfig::read_from(polyaxon_e2e::kubeconfig())?;
    for named in &mut config.auth_infos {
        if let Some(auth) = named.auth_info.as_mut() {
            auth.impersonate = Some(user.clone());
        }
    }
    let kubeconfig = scratch_dir(&ns)?.join("kubeconfig");
    // JSON is YAML: any kubeconfig reader takes it.
    std::fs::write(&kubeconfig, serde_json::to_vec(&config)?)?;

    let output = run_with(
        &kubeconfig,
        &["deploy", "-f", "examples/agent.yml", "-n", &ns],
    )?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert_no_raw_dump(&stderr);
    assert!(
        stderr.contains(&format!("forbidden by RBAC: user {user} may not ")),
        "{stderr}"
    );
    assert!(
        stderr.contains("hint: a cluster admin can grant it with a "),
        "{stderr}"
    );
    assert!(stderr.contains(&format!("bound to {user}")), "{stderr}");
    delete_namespace(&client, &ns).await;
    Ok(())
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn a_deploy_refused_by_a_quota_names_the_quota_its_numbers_and_the_fix() -> Result<()> {
    let client = client().await?;
    let ns = unique_namespace("quota");
    user_claim(&client, &ns, "polyaxon-artifacts").await?;
    let params = PatchParams::apply("polyaxon-e2e").force();
    let quotas: Api<ResourceQuota> = Api::namespaced(client.clone(), &ns);
    quotas
        .patch(
            "no-services",
            &params,
            &Patch::Apply(serde_json::json!({
                "apiVersion": "v1", "kind": "ResourceQuota",
                "metadata": {"name": "no-services"},
                "spec": {"hard": {"services": "0"}}
            })),
        )
        .await?;
    quota_usage_filled_in(&client, &ns, "no-services").await?;

    let output = run_with(
        &polyaxon_e2e::kubeconfig(),
        &["deploy", "-f", "examples/agent.yml", "-n", &ns],
    )?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_no_raw_dump(&stderr);
    assert!(
        stderr.contains(
            "refused by ResourceQuota no-services: requested: services=1, used: services=0, limited: services=0"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("hint: raise the limit of ResourceQuota no-services"),
        "{stderr}"
    );
    let services: Api<Service> = Api::namespaced(client.clone(), &ns);
    assert!(
        services
            .list(&ListParams::default())
            .await?
            .items
            .is_empty(),
        "no Service got past the quota"
    );
    delete_namespace(&client, &ns).await;
    Ok(())
}
