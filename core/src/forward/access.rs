//! Asking the cluster, before listening, whether the user may port-forward,
//! so that a missing RBAC grant is one clear error at start rather than a
//! failure on every connection.

use kube::Client;

use super::error::{Access, ForwardError};
use crate::access::{Question, review, whoami};

/// Fails with [`ForwardError::Forbidden`] when the cluster says the user may
/// not `create pods/portforward` in the namespace. When the cluster cannot
/// answer the question, the forward goes ahead and a refusal shows up as an
/// error on the first connection instead.
pub async fn check_portforward(client: &Client, namespace: &str) -> Result<(), ForwardError> {
    let access = Access::new("create", "pods/portforward", namespace);
    let question = Question {
        verb: access.verb.to_string(),
        group: String::new(),
        resource: "pods".to_string(),
        subresource: Some("portforward".to_string()),
        namespace: Some(namespace.to_string()),
    };
    match review(client, &question).await {
        Ok(answer) if !answer.allowed => Err(ForwardError::Forbidden {
            access,
            user: whoami(client).await,
            message: answer.reason.unwrap_or_default(),
        }),
        _ => Ok(()),
    }
}
