//! API errors as sentences: who refused a request (RBAC, a ResourceQuota,
//! an admission webhook or policy, the credentials, the API server itself),
//! why, and the fix when one is known.
//!
//! kube's own wording of a refusal is `ApiError: … (Status { … })`, Rust's
//! debug output of the answer, and a dropped connection reads
//! `ServiceError: …`; neither is for a person. The errors of this crate
//! that carry a `kube::Error` print [`explain`] of it instead. The server's
//! message is kept (it names the object and the rule), but a value it
//! quotes from the request (`Invalid value: "…"`) is left out, since it may
//! be a secret, and it is cut to [`MAX_MESSAGE`] characters.

use std::fmt;

use kube::core::Status;

/// The most characters of the API server's message kept in a sentence.
pub const MAX_MESSAGE: usize = 400;

/// Who refused a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refuser {
    /// RBAC: the user may not do this.
    Rbac {
        /// The user the API server saw (`system:serviceaccount:ns:name`, …).
        user: String,
        /// The verb refused (`get`, `create`, `patch`, …).
        verb: String,
        /// The resource, with its API group when it has one
        /// (`leases.coordination.k8s.io`).
        resource: String,
        /// The namespace; `None` at the cluster scope.
        namespace: Option<String>,
    },
    /// The credentials were not accepted (401).
    Credentials,
    /// A ResourceQuota of the namespace.
    Quota {
        /// The quota's name.
        quota: String,
        /// What was requested, used and allowed (`requested: services=1, …`).
        usage: String,
    },
    /// An admission webhook said no.
    Webhook {
        /// The webhook's name.
        name: String,
        /// What it said.
        reason: String,
    },
    /// An admission webhook could not be asked (its service is down).
    WebhookUnreachable {
        /// The webhook's name.
        name: String,
    },
    /// A ValidatingAdmissionPolicy said no.
    Policy {
        /// The policy's name.
        name: String,
        /// What it said.
        reason: String,
    },
    /// The API server itself (validation, conflicts, missing objects, load).
    ApiServer,
}

/// A refusal read from the API server's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The HTTP status code.
    pub code: u16,
    /// The API server's reason (`Forbidden`, `Invalid`, `TooManyRequests`, …).
    pub reason: String,
    /// Who refused.
    pub by: Refuser,
    /// The API server's message, without quoted values, cut short.
    pub message: String,
}

impl Refusal {
    /// Reads who refused and why from a `Status` answer.
    pub fn of(status: &Status) -> Refusal {
        let message = status.message.as_str();
        let by = if status.code == 401 {
            Refuser::Credentials
        } else if let Some(by) = rbac(message) {
            by
        } else if let Some(by) = quota(message) {
            by
        } else if let Some(by) = webhook(message) {
            by
        } else if let Some(by) = policy(message) {
            by
        } else {
            Refuser::ApiServer
        };
        Refusal {
            code: status.code,
            reason: status.reason.clone(),
            by,
            message: shorten(&without_values(message)),
        }
    }

    /// Whether the refusal is about who is asking (credentials, RBAC), as
    /// opposed to what is asked.
    pub fn is_access(&self) -> bool {
        matches!(self.by, Refuser::Rbac { .. } | Refuser::Credentials)
    }

    /// What would let the request through, when that is known.
    pub fn fix(&self) -> Option<String> {
        match &self.by {
            Refuser::Rbac {
                user,
                verb,
                resource,
                namespace,
            } => Some(match namespace {
                Some(ns) => format!(
                    "a cluster admin can grant it with a Role in namespace {ns} allowing \"{verb}\" on {resource}, bound to {user}; or use a kubeconfig context whose user may"
                ),
                None => format!(
                    "a cluster admin can grant it with a ClusterRole allowing \"{verb}\" on {resource}, bound to {user}; or use a kubeconfig context whose user may"
                ),
            }),
            Refuser::Credentials => Some(
                "the kubeconfig's token or client certificate is wrong or expired: get fresh credentials for the cluster".into(),
            ),
            Refuser::Quota { quota, usage } if usage.starts_with("status unknown") => Some(
                format!("the quota controller has not counted ResourceQuota {quota} yet: try again in a few seconds"),
            ),
            Refuser::Quota { quota, .. } => Some(format!(
                "raise the limit of ResourceQuota {quota}, free what counts against it, or ask for less"
            )),
            Refuser::WebhookUnreachable { name } => Some(format!(
                "the service behind admission webhook {name} does not answer: ask its owner, or check its pods"
            )),
            Refuser::Webhook { .. } | Refuser::Policy { .. } => {
                Some("change the config so that it passes the rule the refusal names".into())
            }
            Refuser::ApiServer => match self.code {
                409 if self.reason == "Conflict" => {
                    Some("it changed meanwhile: run the command again".into())
                }
                429 | 500 | 502 | 503 | 504 => {
                    Some("the API server is overloaded or restarting: run the command again in a minute".into())
                }
                _ => None,
            },
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.by {
            Refuser::Rbac {
                user,
                verb,
                resource,
                namespace,
            } => {
                write!(
                    f,
                    "forbidden by RBAC: user {user} may not {verb} {resource}"
                )?;
                match namespace {
                    Some(ns) => write!(f, " in namespace {ns}"),
                    None => write!(f, " at the cluster scope"),
                }
            }
            Refuser::Credentials => write!(
                f,
                "the API server did not accept the credentials (401 Unauthorized)"
            ),
            Refuser::Quota { quota, usage } => {
                write!(f, "refused by ResourceQuota {quota}: {usage}")
            }
            Refuser::Webhook { name, reason } => {
                write!(f, "refused by admission webhook {name}: {reason}")
            }
            Refuser::WebhookUnreachable { name } => write!(
                f,
                "admission webhook {name} could not be asked ({} {}): {}",
                self.code, self.reason, self.message
            ),
            Refuser::Policy { name, reason } => {
                write!(f, "refused by ValidatingAdmissionPolicy {name}: {reason}")
            }
            Refuser::ApiServer => {
                let what = match (self.code, self.reason.as_str()) {
                    (404, _) => "the API server has no such object",
                    (409, "AlreadyExists") => "it exists already",
                    (409, _) => "the API server refused a conflicting change",
                    (410, _) => "the API server no longer has that version",
                    (422, _) | (400, "Invalid") => "the API server refused it as invalid",
                    (429, _) => "the API server is overloaded and kept refusing",
                    (500..=599, _) => "the API server failed",
                    (403, _) => "the API server forbade it",
                    _ => "the API server refused it",
                };
                write!(f, "{what} ({} {})", self.code, self.reason)?;
                if !self.message.is_empty() {
                    write!(f, ": {}", self.message)?;
                }
                Ok(())
            }
        }
    }
}

/// A kube error as a sentence: a refusal with who refused and why, a
/// dropped connection with its cause, anything else in kube's words.
pub fn explain(error: &kube::Error) -> String {
    match error {
        kube::Error::Api(status) => Refusal::of(status).to_string(),
        kube::Error::HyperError(_) | kube::Error::Service(_) => {
            let mut causes: Vec<String> = Vec::new();
            let mut cause = std::error::Error::source(error);
            while let Some(e) = cause {
                if let Some(said) = e.downcast_ref::<std::io::Error>().and_then(connection_end) {
                    return format!("the connection to the API server failed: {said}");
                }
                let text = e.to_string();
                if !causes.iter().any(|c| c.contains(&text)) {
                    causes.push(text);
                }
                cause = e.source();
            }
            if causes.is_empty() {
                "the connection to the API server failed".to_string()
            } else {
                format!(
                    "the connection to the API server failed: {}",
                    shorten(&causes.join(": "))
                )
            }
        }
        other => shorten(&other.to_string()),
    }
}

/// A broken watch as a sentence, like [`explain`].
pub fn explain_watch(error: &kube::runtime::watcher::Error) -> String {
    use kube::runtime::watcher::Error as W;
    match error {
        W::InitialListFailed(e) | W::WatchStartFailed(e) | W::WatchFailed(e) => explain(e),
        W::WatchError(status) => Refusal::of(status).to_string(),
        W::NoResourceVersion => error.to_string(),
    }
}

/// How a connection ended, in words, for the ways the layers below
/// (hyper, rustls) otherwise say at length.
fn connection_end(error: &std::io::Error) -> Option<&'static str> {
    use std::io::ErrorKind as K;
    match error.kind() {
        K::ConnectionRefused => Some("it was refused"),
        K::ConnectionReset | K::ConnectionAborted => Some("it was reset"),
        K::UnexpectedEof | K::BrokenPipe => Some("it was closed before the answer came"),
        K::TimedOut => Some("it timed out"),
        _ => None,
    }
}

/// The refusal inside a kube error, if it is one.
pub fn refusal(error: &kube::Error) -> Option<Refusal> {
    match error {
        kube::Error::Api(status) => Some(Refusal::of(status)),
        _ => None,
    }
}

/// `… is forbidden: User "u" cannot verb resource "r" in API group "g" in
/// the namespace "n"` (or `at the cluster scope`).
fn rbac(message: &str) -> Option<Refuser> {
    let rest = &message[message.find("User \"")? + 6..];
    let (user, rest) = rest.split_once('"')?;
    let rest = rest.strip_prefix(" cannot ")?;
    let (verb, rest) = rest.split_once(' ')?;
    let rest = rest.strip_prefix("resource \"")?;
    let (resource, rest) = rest.split_once('"')?;
    let group = quoted_after(rest, " in API group \"").filter(|g| !g.is_empty());
    let namespace = quoted_after(rest, " in the namespace \"");
    Some(Refuser::Rbac {
        user: user.to_string(),
        verb: verb.to_string(),
        resource: match group {
            Some(group) => format!("{resource}.{group}"),
            None => resource.to_string(),
        },
        namespace,
    })
}

/// `… is forbidden: exceeded quota: q, requested: …, used: …, limited: …`,
/// or `status unknown for quota: q, resources: …`.
fn quota(message: &str) -> Option<Refuser> {
    for (marker, unknown) in [
        ("exceeded quota: ", false),
        ("status unknown for quota: ", true),
    ] {
        if let Some(at) = message.find(marker) {
            let rest = &message[at + marker.len()..];
            let (quota, usage) = rest.split_once(", ").unwrap_or((rest, ""));
            let usage = if unknown {
                format!("status unknown ({usage})")
            } else {
                usage.to_string()
            };
            return Some(Refuser::Quota {
                quota: quota.to_string(),
                usage: shorten(&usage),
            });
        }
    }
    None
}

/// `admission webhook "w" denied the request: …`, or `failed calling
/// webhook "w": …`.
fn webhook(message: &str) -> Option<Refuser> {
    if let Some(name) = quoted_after(message, "admission webhook \"") {
        let reason = message
            .split_once("denied the request")
            .map(|(_, r)| r.trim_start_matches(':').trim())
            .unwrap_or_default();
        return Some(Refuser::Webhook {
            name,
            reason: shorten(&without_values(reason)),
        });
    }
    quoted_after(message, "failed calling webhook \"")
        .map(|name| Refuser::WebhookUnreachable { name })
}

/// `ValidatingAdmissionPolicy 'p' with binding 'b' denied request: …`.
fn policy(message: &str) -> Option<Refuser> {
    let rest = &message[message.find("ValidatingAdmissionPolicy '")? + 27..];
    let (name, rest) = rest.split_once('\'')?;
    let reason = rest
        .split_once("denied request")
        .map(|(_, r)| r.trim_start_matches(':').trim())
        .unwrap_or_default();
    Some(Refuser::Policy {
        name: name.to_string(),
        reason: shorten(&without_values(reason)),
    })
}

/// The text between `marker` (which ends with a quote) and the next `"`.
fn quoted_after(text: &str, marker: &str) -> Option<String> {
    let rest = &text[text.find(marker)? + marker.len()..];
    rest.split_once('"').map(|(inside, _)| inside.to_string())
}

/// The API server's field errors quote the value refused (`Invalid value:
/// "…"`); the value may be a secret, so only the field and the rule stay.
fn without_values(message: &str) -> String {
    const MARKERS: [&str; 3] = [
        "Invalid value: ",
        "Unsupported value: ",
        "Duplicate value: ",
    ];
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some((at, marker)) = MARKERS
        .iter()
        .filter_map(|m| rest.find(m).map(|at| (at, *m)))
        .min_by_key(|(at, _)| *at)
    {
        out.push_str(&rest[..at]);
        out.push_str(marker.trim_end_matches(": "));
        let value = &rest[at + marker.len()..];
        rest = match value.strip_prefix('"') {
            Some(quoted) => skip_quoted(quoted),
            // An unquoted value (a number, a map) runs to the next ": ".
            None => value.find(": ").map_or("", |end| &value[end..]),
        };
    }
    out.push_str(rest);
    out
}

/// What follows a quoted string whose opening quote is already read.
fn skip_quoted(text: &str) -> &str {
    let mut escaped = false;
    for (at, c) in text.char_indices() {
        match c {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => return &text[at + 1..],
            _ => escaped = false,
        }
    }
    ""
}

/// `text` cut to [`MAX_MESSAGE`] characters, saying so.
fn shorten(text: &str) -> String {
    match text.char_indices().nth(MAX_MESSAGE) {
        Some((at, _)) => format!("{}… (cut short)", &text[..at]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(code: u16, reason: &str, message: &str) -> Status {
        Status {
            code,
            reason: reason.into(),
            message: message.into(),
            ..Status::default()
        }
    }

    fn said(code: u16, reason: &str, message: &str) -> String {
        explain(&kube::Error::Api(status(code, reason, message).boxed()))
    }

    #[test]
    fn rbac_names_the_user_the_verb_the_resource_and_the_grant_that_fixes_it() {
        let refusal = Refusal::of(&status(
            403,
            "Forbidden",
            "leases.coordination.k8s.io \"agent-lock\" is forbidden: User \"system:serviceaccount:team:deployer\" cannot get resource \"leases\" in API group \"coordination.k8s.io\" in the namespace \"team\"",
        ));
        assert!(refusal.is_access());
        assert_eq!(
            refusal.to_string(),
            "forbidden by RBAC: user system:serviceaccount:team:deployer may not get leases.coordination.k8s.io in namespace team"
        );
        assert_eq!(
            refusal.fix().as_deref(),
            Some(
                "a cluster admin can grant it with a Role in namespace team allowing \"get\" on leases.coordination.k8s.io, bound to system:serviceaccount:team:deployer; or use a kubeconfig context whose user may"
            )
        );
        let core_group = said(
            403,
            "Forbidden",
            "namespaces is forbidden: User \"alice\" cannot list resource \"namespaces\" in API group \"\" at the cluster scope",
        );
        assert_eq!(
            core_group,
            "forbidden by RBAC: user alice may not list namespaces at the cluster scope"
        );
    }

    #[test]
    fn a_quota_is_not_an_access_problem_and_says_its_numbers() {
        let refusal = Refusal::of(&status(
            403,
            "Forbidden",
            "services \"agent-polyaxon-streams\" is forbidden: exceeded quota: no-services, requested: services=1, used: services=0, limited: services=0",
        ));
        assert!(!refusal.is_access());
        assert_eq!(
            refusal.to_string(),
            "refused by ResourceQuota no-services: requested: services=1, used: services=0, limited: services=0"
        );
        assert!(
            refusal
                .fix()
                .unwrap()
                .contains("raise the limit of ResourceQuota no-services")
        );
        let unknown = Refusal::of(&status(
            403,
            "Forbidden",
            "pods \"x\" is forbidden: status unknown for quota: compute, resources: requests.cpu",
        ));
        assert!(unknown.fix().unwrap().contains("try again"));
    }

    #[test]
    fn webhooks_and_policies_are_named_with_what_they_said() {
        assert_eq!(
            said(
                400,
                "BadRequest",
                "admission webhook \"deny.example.com\" denied the request: images must come from registry.example.com"
            ),
            "refused by admission webhook deny.example.com: images must come from registry.example.com"
        );
        let down = Refusal::of(&status(
            500,
            "InternalError",
            "Internal error occurred: failed calling webhook \"check.example.com\": connection refused",
        ));
        assert_eq!(
            down.by,
            Refuser::WebhookUnreachable {
                name: "check.example.com".into()
            }
        );
        assert_eq!(
            said(
                422,
                "Invalid",
                "deployments.apps \"x\" is forbidden: ValidatingAdmissionPolicy 'replicas' with binding 'replicas-b' denied request: failed expression: object.spec.replicas <= 5"
            ),
            "refused by ValidatingAdmissionPolicy replicas: failed expression: object.spec.replicas <= 5"
        );
    }

    #[test]
    fn the_api_servers_own_refusals_say_what_kind_and_never_a_quoted_value() {
        let invalid = said(
            422,
            "Invalid",
            "Secret \"x\" is invalid: data[token]: Invalid value: \"hunter2 \\\"quoted\\\"\": a valid config key must consist of alphanumeric characters",
        );
        assert_eq!(
            invalid,
            "the API server refused it as invalid (422 Invalid): Secret \"x\" is invalid: data[token]: Invalid value: a valid config key must consist of alphanumeric characters"
        );
        assert!(!invalid.contains("hunter2"));
        assert_eq!(
            without_values("spec.replicas: Invalid value: -1: must be greater than or equal to 0"),
            "spec.replicas: Invalid value: must be greater than or equal to 0"
        );
        let overloaded = Refusal::of(&status(429, "TooManyRequests", "too many requests"));
        assert_eq!(
            overloaded.to_string(),
            "the API server is overloaded and kept refusing (429 TooManyRequests): too many requests"
        );
        assert!(overloaded.fix().unwrap().contains("run the command again"));
        assert_eq!(
            said(401, "Unauthorized", "Unauthorized"),
            "the API server did not accept the credentials (401 Unauthorized)"
        );
        let long = said(404, "NotFound", &"x".repeat(5_000));
        assert!(long.len() < MAX_MESSAGE + 100, "{}", long.len());
        assert!(long.ends_with("(cut short)"));
    }

    #[test]
    fn no_rust_debug_output_and_a_dropped_connection_names_its_cause() {
        let refused = said(409, "Conflict", "the object has been modified");
        assert!(!refused.contains("Status {") && !refused.contains("ApiError"));
        let reset = std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "connection reset by peer",
        );
        let dropped = explain(&kube::Error::Service(Box::new(reset)));
        assert_eq!(
            dropped,
            "the connection to the API server failed: it was reset"
        );
        let eof = std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "peer closed connection without sending TLS close_notify: https://docs.rs/rustls",
        );
        let wrapped: Box<dyn std::error::Error + Send + Sync> = Box::new(eof);
        assert_eq!(
            explain(&kube::Error::Service(wrapped)),
            "the connection to the API server failed: it was closed before the answer came"
        );
        let other = explain(&kube::Error::Service("client error (Connect)".into()));
        assert_eq!(
            other,
            "the connection to the API server failed: client error (Connect)"
        );
    }
}
