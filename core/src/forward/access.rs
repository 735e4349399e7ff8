//! Asking the cluster, before listening, whether the user may port-forward,
//! so that a missing RBAC grant is one clear error at start rather than a
//! failure on every connection.

use k8s_openapi::api::authentication::v1::SelfSubjectReview;
use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
};
use kube::api::PostParams;
use kube::{Api, Client};

use super::error::{Access, ForwardError};

/// Fails with [`ForwardError::Forbidden`] when the cluster says the user may
/// not `create pods/portforward` in the namespace. When the cluster cannot
/// answer the question, the forward goes ahead and a refusal shows up as an
/// error on the first connection instead.
pub async fn check_portforward(client: &Client, namespace: &str) -> Result<(), ForwardError> {
    let access = Access::new("create", "pods/portforward", namespace);
    let review = SelfSubjectAccessReview {
        spec: SelfSubjectAccessReviewSpec {
            resource_attributes: Some(ResourceAttributes {
                namespace: Some(namespace.to_string()),
                verb: Some(access.verb.to_string()),
                resource: Some("pods".to_string()),
                subresource: Some("portforward".to_string()),
                ..ResourceAttributes::default()
            }),
            ..SelfSubjectAccessReviewSpec::default()
        },
        ..SelfSubjectAccessReview::default()
    };
    let reviews: Api<SelfSubjectAccessReview> = Api::all(client.clone());
    let Ok(answer) = reviews.create(&PostParams::default(), &review).await else {
        return Ok(());
    };
    match answer.status {
        Some(status) if !status.allowed => Err(ForwardError::Forbidden {
            access,
            user: whoami(client).await,
            message: status.reason.unwrap_or_default(),
        }),
        _ => Ok(()),
    }
}

/// The user name the cluster knows the client as, when it says.
pub async fn whoami(client: &Client) -> Option<String> {
    let reviews: Api<SelfSubjectReview> = Api::all(client.clone());
    reviews
        .create(&PostParams::default(), &SelfSubjectReview::default())
        .await
        .ok()?
        .status?
        .user_info?
        .username
}
