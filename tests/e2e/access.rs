//! `deploy --check` against the test cluster: the server version, and the
//! permission checks (SelfSubjectAccessReview) for an admin and for a
//! ServiceAccount allowed only ConfigMaps and Secrets, asked for the kinds
//! the rendered chart holds.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use k8s_openapi::api::authentication::v1::{TokenRequest, TokenRequestSpec};
use k8s_openapi::api::core::v1::{Namespace, ServiceAccount};
use k8s_openapi::api::rbac::v1::{
    ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, RoleRef, Subject,
};
use kube::Client;
use kube::api::{Api, DeleteParams, ObjectMeta, PostParams};
use kube::config::AuthInfo;
use polyaxon_core::access;
use polyaxon_core::cluster::ClusterOptions;
use polyaxon_core::config::{Deployment, LoadOptions, load};

/// The platform chart in `namespace`, with `--set` pairs.
fn platform(namespace: &str, set: &[&str]) -> Result<Deployment> {
    load(&LoadOptions {
        namespace: Some(namespace.to_string()),
        set: set.iter().map(|s| s.to_string()).collect(),
        ..LoadOptions::default()
    })
    .map_err(|e| anyhow::anyhow!("{e}"))
}

fn meta(name: &str, namespace: Option<&str>) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.to_string()),
        namespace: namespace.map(str::to_string),
        ..ObjectMeta::default()
    }
}

/// A client acting as ServiceAccount `limited` of `namespace`, allowed to
/// create and patch ConfigMaps and Secrets there, and to read namespaces
/// (through a ClusterRole and binding named after `namespace`), nothing else.
async fn limited_client(admin: &Client, namespace: &str) -> Result<Client> {
    let pp = PostParams::default();
    let accounts: Api<ServiceAccount> = Api::namespaced(admin.clone(), namespace);
    accounts
        .create(
            &pp,
            &ServiceAccount {
                metadata: meta("limited", Some(namespace)),
                ..ServiceAccount::default()
            },
        )
        .await?;
    let roles: Api<Role> = Api::namespaced(admin.clone(), namespace);
    roles
        .create(
            &pp,
            &Role {
                metadata: meta("limited", Some(namespace)),
                rules: Some(vec![PolicyRule {
                    api_groups: Some(vec![String::new()]),
                    resources: Some(vec!["configmaps".into(), "secrets".into()]),
                    verbs: vec!["create".into(), "patch".into()],
                    ..PolicyRule::default()
                }]),
            },
        )
        .await?;
    let bindings: Api<RoleBinding> = Api::namespaced(admin.clone(), namespace);
    bindings
        .create(
            &pp,
            &RoleBinding {
                metadata: meta("limited", Some(namespace)),
                role_ref: RoleRef {
                    api_group: Some("rbac.authorization.k8s.io".into()),
                    kind: "Role".into(),
                    name: "limited".into(),
                },
                subjects: Some(vec![Subject {
                    kind: "ServiceAccount".into(),
                    name: "limited".into(),
                    namespace: Some(namespace.to_string()),
                    ..Subject::default()
                }]),
            },
        )
        .await?;
    let cluster_roles: Api<ClusterRole> = Api::all(admin.clone());
    cluster_roles
        .create(
            &pp,
            &ClusterRole {
                metadata: meta(namespace, None),
                rules: Some(vec![PolicyRule {
                    api_groups: Some(vec![String::new()]),
                    resources: Some(vec!["namespaces".into()]),
                    verbs: vec!["get".into()],
                    ..PolicyRule::default()
                }]),
                ..ClusterRole::default()
            },
        )
        .await?;
    let cluster_bindings: Api<ClusterRoleBinding> = Api::all(admin.clone());
    cluster_bindings
        .create(
            &pp,
            &ClusterRoleBinding {
                metadata: meta(namespace, None),
                role_ref: RoleRef {
                    api_group: Some("rbac.authorization.k8s.io".into()),
                    kind: "ClusterRole".into(),
                    name: namespace.to_string(),
                },
                subjects: Some(vec![Subject {
                    kind: "ServiceAccount".into(),
                    name: "limited".into(),
                    namespace: Some(namespace.to_string()),
                    ..Subject::default()
                }]),
            },
        )
        .await?;
    let token = accounts
        .create_token_request(
            "limited",
            &pp,
            &TokenRequest {
                spec: Some(TokenRequestSpec {
                    expiration_seconds: Some(600),
                    ..TokenRequestSpec::default()
                }),
                ..TokenRequest::default()
            },
        )
        .await
        .context("requesting a ServiceAccount token")?
        .status
        .and_then(|status| status.token)
        .context("the token request returned no token")?;
    let token_file = std::env::temp_dir().join(format!("{namespace}-token"));
    std::fs::write(&token_file, token)?;
    let mut config = ClusterOptions {
        kubeconfig: Some(polyaxon_e2e::kubeconfig()),
        context: None,
    }
    .config()
    .await?;
    config.auth_info = AuthInfo {
        token_file: Some(token_file.display().to_string()),
        ..AuthInfo::default()
    };
    Ok(Client::try_from(config)?)
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn the_server_version_is_read_and_supported() -> Result<()> {
    let client = polyaxon_e2e::client().await?;
    let version = access::server_version(&client).await?;
    assert!(version.git_version.starts_with('v'), "{version:?}");
    assert!(version.major_minor.is_some(), "{version:?}");
    assert!(version.supported(), "{version:?}");
    Ok(())
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn an_admin_may_create_everything_the_platform_needs() -> Result<()> {
    let client = polyaxon_e2e::client().await?;
    let namespace = polyaxon_e2e::unique_namespace("access-admin");
    let deployment = platform(&namespace, &[])?;
    // The namespace does not exist: creating it is checked too, and allowed.
    let missing =
        access::check_access(&client, &namespace, &access::kinds_for(&deployment)?).await?;
    assert_eq!(missing, vec![], "an admin lacks permissions");
    Ok(())
}

#[tokio::test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
async fn a_limited_account_is_told_exactly_what_it_lacks() -> Result<()> {
    let admin = polyaxon_e2e::client().await?;
    let namespace = polyaxon_e2e::unique_namespace("access-limited");
    let namespaces: Api<Namespace> = Api::all(admin.clone());
    namespaces
        .create(
            &PostParams::default(),
            &Namespace {
                metadata: ObjectMeta {
                    name: Some(namespace.clone()),
                    labels: Some(BTreeMap::from([("polyaxon-e2e".into(), "access".into())])),
                    ..ObjectMeta::default()
                },
                ..Namespace::default()
            },
        )
        .await?;
    let outcome = async {
        let limited = limited_client(&admin, &namespace).await?;
        // An agent watching the whole cluster: with a 2.0.x chart, a
        // ClusterRole for the nodes beside its Role.
        let deployment = platform(
            &namespace,
            &["agent.watchCluster=true", "deploymentVersion=2.0.0"],
        )?;
        let kinds = access::kinds_for(&deployment)?;
        let missing = access::check_access(&limited, &namespace, &kinds).await?;
        let lacking: Vec<String> = missing.iter().map(|m| m.to_string()).collect();
        // Allowed by the Role: not reported.
        for allowed in ["create configmaps in", "patch secrets in"] {
            assert!(
                !lacking.iter().any(|m| m.starts_with(allowed)),
                "{allowed} is allowed, yet reported: {lacking:?}"
            );
        }
        // Everything else the chart needs: reported, with its namespace.
        for needed in [
            format!("create deployments.apps in namespace {namespace}"),
            format!("patch services in namespace {namespace}"),
            "create clusterroles.rbac.authorization.k8s.io (cluster-wide)".to_string(),
            "create customresourcedefinitions.apiextensions.k8s.io (cluster-wide)".to_string(),
        ] {
            assert!(
                lacking.iter().any(|m| m.starts_with(&needed)),
                "{needed} not reported in {lacking:?}"
            );
        }
        // The namespace exists, so creating namespaces is not asked.
        assert!(
            !lacking.iter().any(|m| m.contains(" namespaces ")),
            "{lacking:?}"
        );
        // Only what the chart renders is asked: by default the platform has
        // no ClusterRole, and never a DaemonSet.
        let namespaced_only = access::kinds_for(&platform(&namespace, &[])?)?;
        let missing = access::check_access(&limited, &namespace, &namespaced_only).await?;
        let lacking: Vec<String> = missing.iter().map(|m| m.to_string()).collect();
        assert!(
            lacking
                .iter()
                .any(|m| m.starts_with("create roles.rbac.authorization.k8s.io in")),
            "{lacking:?}"
        );
        for not_rendered in ["clusterroles", "daemonsets"] {
            assert!(
                !lacking.iter().any(|m| m.contains(not_rendered)),
                "{not_rendered} is not rendered, yet asked: {lacking:?}"
            );
        }
        // Against a namespace that does not exist, creating it is asked.
        let missing = access::check_access(&limited, "no-such-namespace-e2e", &kinds).await?;
        assert!(
            missing.iter().any(|m| m
                .to_string()
                .starts_with("create namespaces (cluster-wide)")),
            "{missing:?}"
        );
        anyhow::Ok(())
    }
    .await;
    let dp = DeleteParams::default();
    let _ = Api::<ClusterRoleBinding>::all(admin.clone())
        .delete(&namespace, &dp)
        .await;
    let _ = Api::<ClusterRole>::all(admin.clone())
        .delete(&namespace, &dp)
        .await;
    namespaces.delete(&namespace, &dp).await?;
    outcome
}
